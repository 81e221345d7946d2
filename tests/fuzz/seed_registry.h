/* SPDX-License-Identifier: MIT */
/*
 * The registry the chat targets (fuzz_tgbot, fuzz_zalobot) handle their
 * inputs against, made once in the target's folder under $TMPDIR
 * (fuzzlib.h's fuzz_dir, removed at exit), with the shipped templates
 * (found from the target's place, fuzz_top) and the built-in policy.  Each input
 * is then handled inside a transaction rolled back after it, so every
 * input meets the same registry and a crash replays alone.  The daemon's
 * log is quiet but for errors; FUZZ_VERBOSE=1 shows it all.
 *
 * Today is 2025-10-07 09:00 in Hà Nội (DONDOC_NOW set to it).
 *
 *   agencies  "syt" Sở Y tế, "vpubnd" Văn phòng UBND tỉnh
 *   document  7-KH/BCĐ
 *   tasks     7-KH/BCĐ#1 due 30/10/2025, 7-KH/BCĐ#2 due 30/9/2025 (late),
 *             7-KH/BCĐ#3 "Theo tiến độ TW", 7-KH/BCĐ#4 done
 *   people    focal of syt: Telegram 123456789 and 12345678 (the refdata
 *             chats), Zalo 6142494823000000001 (SIGNATURE.md's sender);
 *             secretariat: Telegram 10081232, Zalo 6142494823000000002;
 *             leader: Telegram 222222222; a focal linked to nothing, with
 *             the link code ABCDEFGH2345
 *   outbox    a reminder of tasks 1 and 2 to the focal, sent as Telegram
 *             messages 40, 41 and 69587 and Zalo message cb31dff1c39642cc1b83
 */
#ifndef DONDOC_FUZZ_SEED_REGISTRY_H
#define DONDOC_FUZZ_SEED_REGISTRY_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "channels.h"
#include "clock.h"
#include "config.h"
#include "deadline.h"
#include "fuzzlib.h"
#include "hash.h"
#include "log.h"
#include "notice.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "split.h"
#include "task.h"

#define SEED_NOW ((int64_t)1759802400)	/* 2025-10-07 09:00 in Hà Nội */
#define SEED_NOW_ISO "2025-10-07T09:00:00+07:00"
#define SEED_TODAY ((struct date){ 2025, 10, 7 })

struct seed {
	char dir[512];
	struct store *s;
	struct renderer *rend;
	struct schedule *sch;
	struct channels *cs;
	struct clock clk;
};

/*
 * Telegram and Zalo as the outbox sees them, sending nothing: replies and
 * messages to others are queued for them as the daemon would.
 */
static int
seed_chan_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	(void)cfg;
	(void)reterr_msg;
	*ret = NULL;
	return 0;
}

static void
seed_chan_close(void *state)
{
	(void)state;
}

static enum delivery
seed_chan_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	(void)state;
	(void)m;
	(void)ret_retry_after;
	(void)reterr_msg;
	return DELIVERY_SENT;
}

static int64_t
seed_chan_week(void *state)
{
	(void)state;
	return 7 * 86400;
}

static const struct channel_ops seed_telegram_ops = {
	.name = "telegram", .label_vi = "Telegram", .form = CHANNEL_FORM_CHAT, .order = 10,
	.address = "telegram", .text_max = 4096, .unit = SPLIT_UTF16,
	.open = seed_chan_open, .close = seed_chan_close, .send = seed_chan_send,
};

static const struct channel_ops seed_zalo_ops = {
	.name = "zalo", .label_vi = "Zalo", .form = CHANNEL_FORM_CHAT_PLAIN, .order = 20,
	.address = "zalo", .text_max = 1900, .unit = SPLIT_CODEPOINTS,
	.open = seed_chan_open, .close = seed_chan_close, .send = seed_chan_send,
	.window = seed_chan_week,
};

/* Ends the process: a fixture that cannot be made is no finding. */
static inline void
seed_die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz seed: %s: %s\n", what, msg ? msg : "failed");
	exit(2);
}

static inline void
seed_ok(int r, const char *what)
{
	if (r < 0)
		seed_die(what, strerror(-r));
}

static inline int64_t
seed_task(struct seed *f, int64_t doc, int n, const char *title, const char *raw,
	  enum task_status status, int64_t lead)
{
	struct task t = { 0 };
	struct deadline dl = { 0 };
	char code[64], key[16];
	int64_t id = 0;

	seed_ok(deadline_parse(raw, 2025, &dl, NULL), "deadline");
	snprintf(code, sizeof(code), "7-KH/BCĐ#%d", n);
	snprintf(key, sizeof(key), "t%d", n);
	t.code = code;
	t.kind = TASK_KIND_TASK;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.deadline = dl;
	t.status = status;
	t.progress = status == TASK_DONE ? 100 : 20;
	t.done_at = status == TASK_DONE ? SEED_NOW - 86400 * 10 : 0;
	seed_ok(store_task_insert(f->s, &t, doc, key, SEED_NOW - 86400 * 100, &id), "task");
	seed_ok(store_task_set_agencies(f->s, id, true, true, &lead, 1), "task lead");
	return id;
}

static inline int64_t
seed_person(struct seed *f, const char *name, int64_t agency, enum person_role role,
	    const char *telegram, const char *zalo)
{
	struct person p = { 0 };
	int64_t id = 0;

	p.name = (char *)name;
	p.agency_id = agency;
	p.role = role;
	p.active = true;
	if (telegram)
		(void)person_address_set(&p, "telegram", telegram);
	if (zalo)
		(void)person_address_set(&p, "zalo", zalo);
	seed_ok(store_person_insert(f->s, &p, SEED_NOW - 86400 * 100, &id), "person");
	(void)person_address_set(&p, "telegram", NULL);
	(void)person_address_set(&p, "zalo", NULL);
	free(p.addresses);
	return id;
}

/* A reminder of tasks[0..n) to person, in the outbox, sent; its id. */
static inline int64_t
seed_reminder(struct seed *f, int64_t person, const int64_t *tasks, size_t n)
{
	struct message m = { 0 };
	int64_t id = 0;

	m.person_id = person;
	snprintf(m.channel, sizeof(m.channel), "telegram");
	m.kind = MESSAGE_REMINDER;
	m.subject = "[Đôn đốc] nhắc việc";
	m.body = "nhắc việc";
	m.chat = "<b>Nhắc việc</b>: 2 nhiệm vụ";
	m.next_at = SEED_NOW - 3600;
	m.created_at = SEED_NOW - 3600;
	m.day = SEED_TODAY;
	seed_ok(store_message_insert(f->s, &m, &id), "message");
	for (size_t i = 0; i < n; i++) {
		struct notice nt = { .task_id = tasks[i], .person_id = person, .stage = STAGE_BEFORE,
				     .step = (int)i + 1, .anchor = { 2025, 10, 30 },
				     .day = SEED_TODAY };
		bool inserted = false;

		snprintf(nt.channel, sizeof(nt.channel), "telegram");
		seed_ok(store_notice_insert(f->s, &nt, SEED_NOW - 3600, &inserted), "notice");
	}
	return id;
}

/* The notices of a task, collected (at most 8). */
struct seed_notices {
	int64_t id[8];
	size_t n;
};

static inline int
seed_notice_cb(const struct notice *n, void *userdata)
{
	struct seed_notices *v = userdata;

	if (v->n < 8)
		v->id[v->n++] = n->id;
	return 0;
}

static struct seed *seed_made;

/* At exit, before fuzz_dir's removal (atexit runs last first): the registry closed. */
static void
seed_close(void)
{
	struct seed *f = seed_made;

	if (!f)
		return;
	f->cs = channels_free(f->cs);
	f->s = store_close(f->s);
	f->rend = renderer_free(f->rend);
	f->sch = schedule_free(f->sch);
	seed_made = NULL;
}

static inline void
seed_open(struct seed *f)
{
	log_set_level(getenv("FUZZ_VERBOSE") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	char path[600], *msg = NULL, hex[HASH_SHA256_HEX_LEN];
	int64_t syt, vp, doc, tasks[2], focal, nolink, reminder;
	struct hash *h;

	snprintf(f->dir, sizeof(f->dir), "%s", fuzz_dir());
	if (renderer_load(fuzz_top("templates"), &f->rend, &msg) < 0)
		seed_die("templates", msg);
	/* The built-in policy: schedules/ would need the dondoc-ical helper beside the target. */
	f->sch = schedule_new_default();
	if (!f->sch)
		seed_die("schedule", NULL);
	snprintf(path, sizeof(path), "%s/r.db", f->dir);
	if (store_open(path, STORE_CREATE, &f->s, &msg) < 0)
		seed_die("registry", msg);
	f->clk = (struct clock){ .fixed = SEED_NOW, .pinned = 1 };
	{
		const struct channel_ops *ops[] = { &seed_telegram_ops, &seed_zalo_ops };
		struct config cfg = { 0 };

		if (channels_open_from(&cfg, ops, 2, &f->cs, &msg) < 0)
			seed_die("channels", msg);
	}
	seed_ok(store_begin(f->s), "begin");
	seed_ok(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &syt), "agency");
	seed_ok(store_agency_insert(f->s, "vpubnd", "Văn phòng UBND tỉnh", AGENCY_DEPARTMENT, 1,
				    &vp), "agency");
	seed_ok(store_document_ensure(f->s, "7-KH/BCĐ", "Kế hoạch", "2025-01-02",
				      "Kế hoạch 7-KH/BCĐ", &doc), "document");
	tasks[0] = seed_task(f, doc, 1, "Xây dựng Cổng dữ liệu mở", "30/10/2025", TASK_NOT_STARTED,
			     syt);
	tasks[1] = seed_task(f, doc, 2, "Báo cáo sơ kết", "30/9/2025", TASK_IN_PROGRESS, syt);
	(void)seed_task(f, doc, 3, "Việc theo Trung ương", "Theo tiến độ TW", TASK_NOT_STARTED,
			syt);
	(void)seed_task(f, doc, 4, "Việc đã xong", "30/9/2025", TASK_DONE, syt);
	focal = seed_person(f, "Nguyễn Thị Lan", syt, ROLE_FOCAL, "123456789",
			    "6142494823000000001");
	(void)seed_person(f, "Phạm Thị Dung", vp, ROLE_SECRETARIAT, "10081232",
			  "6142494823000000002");
	(void)seed_person(f, "Hoàng Văn Cường", vp, ROLE_LEADER, "222222222", NULL);
	(void)seed_person(f, "Trần Văn Bình", syt, ROLE_FOCAL, "12345678", NULL);
	nolink = seed_person(f, "Vũ Thị Hà", syt, ROLE_FOCAL, NULL, NULL);
	reminder = seed_reminder(f, focal, tasks, 2);
	for (size_t i = 0; i < 2; i++) {
		struct seed_notices v = { .n = 0 };

		seed_ok(store_notice_foreach_task(f->s, tasks[i], seed_notice_cb, &v), "notices");
		for (size_t k = 0; k < v.n; k++)
			seed_ok(store_notice_attach(f->s, v.id[k], reminder, SEED_NOW - 3600),
				"attach");
	}
	seed_ok(store_chat_sent_add(f->s, "telegram", "123456789", "40", reminder), "sent");
	seed_ok(store_chat_sent_add(f->s, "telegram", "123456789", "41", reminder), "sent");
	seed_ok(store_chat_sent_add(f->s, "telegram", "222222222", "69587", reminder), "sent");
	seed_ok(store_chat_sent_add(f->s, "zalo", "6142494823000000001", "cb31dff1c39642cc1b83",
				    reminder), "sent");
	/* As "dondoc person invite" keeps a code: the hash of the upper-case code. */
	h = hash_new();
	hash_add(h, "ABCDEFGH2345", 12);
	hash_final_hex(h, hex);
	hash_free(h);
	seed_ok(store_link_code_add(f->s, hex, nolink, SEED_NOW - 3600, SEED_NOW + 86400 * 7),
		"link code");
	seed_ok(store_commit(f->s), "commit");
	seed_made = f;
	atexit(seed_close);
}

#endif
