/* SPDX-License-Identifier: MIT */
/*
 * The emails of make bench-peers (bench/peers.sh), beside mustache.js and
 * nodemailer's MailComposer (bench/peers/mail.mjs): N reminder emails of
 * five tasks each, the data ready (as bench_render's budget measure, with
 * the keys render_message adds: app, the _02 counts), each rendered from
 * templates/vi (subject, text, HTML) and built into a whole MIME message
 * (mime_build: RFC 2047 subject, quoted-printable text and HTML parts).
 *
 *   bench_mail TEMPLATES N DATA.json [OUT_DIR]
 *
 * Writes the data to DATA.json, so that the peer renders the same;
 * OUT_DIR gets the first message's subject, text and HTML (to compare).
 * Prints JSON lines: render alone, render and build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"
#include "registry.h"
#include "render.h"
#include "task.h"

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
save(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* One message as the dispatcher builds it: the rendered forms, then mime_build. */
static int
one(const struct renderer *rend, const json_t *data, int k, bool build, size_t *bytes,
    struct rendered *keep)
{
	struct rendered m = { 0 };
	char *msg = NULL, left[32];
	const char *why = NULL;
	size_t n = 0;

	if (renderer_render_forms(rend, "vi", "reminder", data, RENDER_SUBJECT | RENDER_TEXT | RENDER_HTML,
				  &m) < 0)
		return -1;
	if (build) {
		struct mime_message mm = { .from_name = "Hệ thống đôn đốc",
					   .from_addr = "dondoc@example.gov.vn",
					   .to_name = "Nguyễn Văn An", .to_addr = "an.nv@example.gov.vn",
					   .subject = m.subject, .text = m.text, .html = m.html,
					   .date = (time_t)1758769200, .id_left = left };

		snprintf(left, sizeof(left), "dondoc.%d", k);
		if (mime_build(&mm, &msg, &n, NULL, &why) < 0) {
			fprintf(stderr, "bench_mail: %s\n", why);
			rendered_release(&m);
			return -1;
		}
		free(msg);
	}
	*bytes += build ? n : strlen(m.subject) + strlen(m.text) + strlen(m.html);
	if (keep)
		*keep = m;
	else
		rendered_release(&m);
	return 0;
}

int
main(int argc, char **argv)
{
	struct renderer *rend = NULL;
	struct task tasks[5];
	struct person p = { .name = (char *)"Nguyễn Văn An", .agency_name = (char *)"Sở Khoa học và Công nghệ",
			    .role = ROLE_FOCAL, .lang = (char *)"vi" };
	static char *leads[] = { (char *)"Sở Khoa học và Công nghệ", (char *)"Sở Nội vụ" };
	static int64_t lead_ids[] = { 1, 2 };
	struct date today = { 2025, 9, 25 };
	json_t *data, *list;
	struct timespec t0;
	char *msg = NULL;
	int n;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_mail TEMPLATES N DATA.json [OUT_DIR]\n");
		return 2;
	}
	n = atoi(argv[2]);
	if (renderer_load(argv[1], &rend, &msg) < 0) {
		fprintf(stderr, "bench_mail: %s\n", msg);
		return 1;
	}
	for (int i = 0; i < 5; i++) {
		tasks[i] = (struct task){ .id = 27 + i, .code = (char *)"01-CTr/BCĐ#0b0959f2",
			.title = (char *)"Xây dựng cơ chế, chính sách khuyến khích doanh nghiệp đổi mới "
					 "công nghệ, ứng dụng công nghệ cao trên địa bàn tỉnh",
			.deadline_raw = (char *)"Quý III", .status = TASK_IN_PROGRESS, .progress = 40,
			.leads = leads, .lead_ids = lead_ids, .n_leads = 2 };
		tasks[i].deadline = (struct deadline){ .precision = DEADLINE_QUARTER, .has_due = true,
						       .due = { 2025, 9, 30 - i * 4 } };
	}
	data = json_object();
	list = json_array();
	for (int i = 0; i < 5; i++)
		json_array_append_new(list, render_task_json(&tasks[i], today, NULL));
	json_object_set_new(data, "person", render_person_json(&p));
	json_object_set_new(data, "today", json_string("25/09/2025"));
	json_object_set_new(data, "app", json_pack("{s:s, s:s}", "name", render_app_name("vi"), "url", ""));
	json_object_set_new(data, "bot", json_string("dondoc_bot"));
	json_object_set_new(data, "tasks", list);
	json_object_set_new(data, "count", json_integer(5));
	json_object_set_new(data, "late_count", json_integer(2));
	json_object_set_new(data, "first_id", json_integer(27));
	render_formal_counts(data);
	if (json_dump_file(data, argv[3], JSON_COMPACT) < 0) {
		fprintf(stderr, "bench_mail: cannot write %s\n", argv[3]);
		return 1;
	}
	if (argc > 4) {
		struct rendered m = { 0 };
		size_t b = 0;

		if (one(rend, data, 0, false, &b, &m) < 0 || save(argv[4], "dondoc.subject", m.subject) < 0 ||
		    save(argv[4], "dondoc.text", m.text) < 0 || save(argv[4], "dondoc.html", m.html) < 0)
			return 1;
		rendered_release(&m);
	}
	/* Two warm-up rounds (the peer gets its JIT warm the same way), then the timed ones. */
	for (int build = 0; build < 2; build++) {
		size_t bytes = 0;
		double ms;

		for (int k = 0; k < n / 10; k++)
			if (one(rend, data, k, build, &bytes, NULL) < 0)
				return 1;
		bytes = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int k = 0; k < n; k++)
			if (one(rend, data, k, build, &bytes, NULL) < 0)
				return 1;
		ms = ms_since(&t0);
		printf("{\"bench\": \"dondoc %s %d reminder emails\", \"ms\": %.1f, \"mib\": %.1f}\n",
		       build ? "render and build (MIME)" : "render", n, ms, (double)bytes / (1 << 20));
	}
	json_decref(data);
	renderer_free(rend);
	return 0;
}
