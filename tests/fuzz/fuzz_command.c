/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the chat commands (bot/command.h), from the words a
 * chat sends to the answer.  The parse step lives inside command_run, so
 * the target runs it whole against a small registry under $TMPDIR (three
 * agencies, people of every role linked to chats, tasks of every kind),
 * each input in a transaction rolled back after it: the registry is the
 * same before every input.
 *
 * The first byte of the input chooses who speaks (a focal point, the
 * secretariat, a leader, a viewer, a stranger) and how (typed text, a
 * reply to an outbox message, a pressed button); the rest is the text or
 * the button's data.  No channel is configured: what would reach others
 * is only queued in the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "deadline.h"
#include "fuzzlib.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "task.h"

#define NOW ((int64_t)1759802400)	/* 2025-10-07 09:00 in Hà Nội */

static struct store *store;
static struct schedule *sch;
static struct renderer *rend;
static int64_t doc;

static const char *const chats[] = { "1001", "1002", "1003", "1005", "1007", "9999" };

static void
done(void)
{
	store = store_close(store);
	sch = schedule_free(sch);
	rend = renderer_free(rend);
}

static void
add_task(const char *title, const char *raw, enum task_kind kind, enum task_status status,
	 int progress, int64_t lead, int64_t coop)
{
	struct task t = { 0 };
	char code[128];
	int64_t id;

	if (deadline_parse(raw, 2025, &t.deadline, NULL) < 0)
		abort();
	snprintf(code, sizeof(code), "7-KH/BCĐ#%s", title);
	t.code = code;
	t.kind = kind;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.status = status;
	t.progress = progress;
	t.done_at = status == TASK_DONE ? NOW - 86400 * 10 : 0;
	if (store_task_insert(store, &t, doc, title, NOW - 86400 * 100, &id) < 0 ||
	    store_task_set_agencies(store, id, true, true, &lead, 1) < 0 ||
	    (coop && store_task_set_agencies(store, id, false, true, &coop, 1) < 0))
		abort();
}

static void
add_person(const char *name, int64_t agency, enum person_role role, const char *chat)
{
	struct person p = { 0 };
	int64_t id;

	p.name = (char *)name;
	p.agency_id = agency;
	p.role = role;
	p.active = true;
	if (person_address_set(&p, "telegram", chat) < 0 ||
	    store_person_insert(store, &p, NOW - 86400 * 100, &id) < 0)
		abort();
	person_address_set(&p, "telegram", NULL);
	free(p.addresses);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4200], *msg = NULL;
	int64_t a, b, s;

	(void)argc;
	(void)argv;
	/* The shipped templates, for the digest "/baocao tongthe" renders. */
	if (renderer_load(fuzz_top("templates"), &rend, &msg) < 0) {
		fprintf(stderr, "fuzz_command: %s\n", msg);
		abort();
	}
	snprintf(path, sizeof(path), "%s/r.db", fuzz_dir());
	sch = schedule_new_default();
	if (!sch || store_open(path, STORE_CREATE, &store, &msg) < 0 || store_begin(store) < 0) {
		fprintf(stderr, "fuzz_command: %s\n", msg ? msg : "cannot begin");
		abort();
	}
	if (store_agency_insert(store, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &a) < 0 ||
	    store_agency_insert(store, "stc", "Sở Tài chính", AGENCY_DEPARTMENT, 1, &b) < 0 ||
	    store_agency_insert(store, "vpubnd", "Văn phòng UBND tỉnh", AGENCY_DEPARTMENT, 1,
				&s) < 0 ||
	    store_document_ensure(store, "7-KH/BCĐ", "Kế hoạch", "2025-01-02", "Kế hoạch 7-KH/BCĐ",
				  &doc) < 0)
		abort();
	add_task("Xây dựng Cổng dữ liệu mở", "30/10/2025", TASK_KIND_TASK, TASK_NOT_STARTED, 0, a,
		 b);
	add_task("Bố trí kinh phí", "15/11/2025", TASK_KIND_TASK, TASK_IN_PROGRESS, 20, b, a);
	add_task("Báo cáo sơ kết", "30/9/2025", TASK_KIND_TASK, TASK_IN_PROGRESS, 30, a, 0);
	add_task("Việc đã xong", "30/9/2025", TASK_KIND_TASK, TASK_DONE, 100, a, 0);
	add_task("Việc theo Trung ương", "Theo tiến độ TW", TASK_KIND_TASK, TASK_NOT_STARTED, 0, a,
		 0);
	add_task("Báo cáo định kỳ", "Ngày 20 hằng tháng", TASK_KIND_TASK, TASK_IN_PROGRESS, 0, a,
		 0);
	add_task("Tỷ lệ hồ sơ trực tuyến", "Hằng quý", TASK_KIND_INDICATOR, TASK_IN_PROGRESS, 0,
		 a, 0);
	add_person("Nguyễn Văn An", a, ROLE_FOCAL, chats[0]);
	add_person("Trần Thị Bình", b, ROLE_FOCAL, chats[1]);
	add_person("Phạm Thị Dung", s, ROLE_SECRETARIAT, chats[2]);
	add_person("Hoàng Văn Cường", s, ROLE_LEADER, chats[3]);
	add_person("Ngô Thị Lan", a, ROLE_VIEWER, chats[4]);
	if (store_commit(store) < 0)
		abort();
	atexit(done);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct command_in in = { .channel = "telegram", .now = NOW, .today = { 2025, 10, 7 },
				 .bot_username = "DonDocBot" };
	struct command_out out;
	char *text;
	int r;

	if (n < 1)
		return 0;
	in.chat_id = chats[data[0] % (sizeof(chats) / sizeof(chats[0]))];
	in.cal = sch->cal;
	in.sch = sch;
	in.rend = rend;
	text = fuzz_cstr(data + 1, n - 1);
	switch ((data[0] >> 4) % 3) {
	case 0:
		in.text = text;
		break;
	case 1:
		in.text = text;
		in.reply_to = 1 + (data[0] >> 6);
		break;
	default:
		in.button = text;
		in.button_on = 1;
		break;
	}
	memset(&out, 0, sizeof(out));
	if (store_begin(store) < 0)
		abort();
	r = command_run(store, &in, &out);
	store_rollback(store);
	/* The registry is sound and private: a failure here is the command's. */
	if (r < 0)
		abort();
	command_out_release(&out);
	free(text);
	return 0;
}
