/* SPDX-License-Identifier: MIT */
/*
 * The feed budget of issue 15: one agency's feed of N tasks (a new
 * registry in the folder argv[1]; titles, notes, leads and cooperating
 * agencies as long as real ones) built cold by a new maker, again with
 * nothing changed, and again after one task changed (its progress).
 * Each build is timed alone; JSON lines as bench_inbound prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "task.h"

#define DAY 86400

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
fill(struct store *s, int n, int64_t a, int64_t b, int64_t doc, time_t now)
{
	char code[48], key[32], title[256], note[160];

	if (store_begin(s) < 0)
		return -1;
	for (int i = 1; i <= n; i++) {
		struct task t = { .kind = TASK_KIND_TASK, .code = code, .title = title,
				  .deadline_raw = "Quý IV/2026", .status = TASK_IN_PROGRESS,
				  .progress = i % 100, .note = note };
		int64_t id, lead = a, coop = b;

		snprintf(code, sizeof(code), "01-CTr/BCĐ#%d", i);
		snprintf(key, sizeof(key), "t%d", i);
		snprintf(title, sizeof(title), "Nhiệm vụ %d: triển khai nền tảng chuyển đổi số, "
			 "cơ sở dữ liệu chuyên ngành và dịch vụ công trực tuyến toàn trình của tỉnh", i);
		snprintf(note, sizeof(note), "Đã hoàn thành khảo sát, đang lập dự toán; dự kiến trình "
			 "phê duyệt trong tháng %d", i % 12 + 1);
		t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true,
						.year_given = true };
		t.deadline.due = (struct date){ 2026, 1 + i % 12, 1 + i % 28 };
		if (store_task_insert(s, &t, doc, key, now - 200 * DAY, &id) < 0 ||
		    store_task_set_agencies(s, id, true, false, &lead, 1) < 0 ||
		    store_task_set_agencies(s, id, false, false, &coop, 1) < 0)
			return -1;
	}
	return store_commit(s);
}

/*
 * One build, timed; prev as the daemon passes its cached body (NULL: a
 * whole build).  The body into *last (the one before released) when last.
 */
static int
timed(struct feed_maker *m, struct store *s, const struct feed *f, time_t now, const char *what,
      int n, struct feed_body *prev, struct feed_body **last)
{
	struct feed_body *b = NULL;
	struct timespec t0;
	char *msg = NULL;
	uint64_t written, kept;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (feed_build(m, s, f, now, prev, &b, &msg) < 0) {
		fprintf(stderr, "bench_feed: %s\n", msg);
		return -1;
	}
	ms = ms_since(&t0);
	feed_maker_stats(m, &written, &kept);
	printf("{\"bench\": \"feed of %d tasks: %s\", \"ms\": %.1f, \"events\": %d, \"bytes\": %zu, "
	       "\"written\": %llu, \"kept\": %llu}\n", n, what, ms, b->events, b->n,
	       (unsigned long long)written, (unsigned long long)kept);
	/* BENCH_FEED_OUT=FILE: the body written there, to look at. */
	if (getenv("BENCH_FEED_OUT")) {
		FILE *out = fopen(getenv("BENCH_FEED_OUT"), "w");

		if (out) {
			fwrite(b->text, 1, b->n, out);
			fclose(out);
		}
	}
	if (last) {
		feed_body_unref(*last);
		*last = b;
	} else {
		feed_body_unref(b);
	}
	return 0;
}

/* Task id's progress moved by 7 points at at. */
static int
touch(struct store *s, int64_t id, time_t at)
{
	struct task t = { 0 };
	int r;

	if (store_task_get(s, id, &t) < 0)
		return -1;
	t.progress = (t.progress + 7) % 100;
	r = store_task_update(s, &t, at);
	task_release(&t);
	return r;
}

static int
count_cb(const struct task *t, bool extension_pending, void *userdata)
{
	(void)t;
	(void)extension_pending;
	++*(int *)userdata;
	return 0;
}

/* What a build cannot avoid: the registry's pass over the feed's tasks and rows. */
static void
reads(struct store *s, const struct feed *f, int n)
{
	struct feed_seq *q = NULL;
	struct feed_member *mb = NULL;
	size_t nq = 0, nm = 0;
	struct timespec t0;
	int seen = 0;
	double ms1, ms2;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	(void)store_feed_tasks(s, f, NULL, 0, count_cb, &seen);
	ms1 = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	(void)store_feed_seqs(s, NULL, 0, &q, &nq);
	(void)store_feed_members(s, f->id, NULL, 0, &mb, &nm);
	ms2 = ms_since(&t0);
	printf("{\"bench\": \"feed of %d tasks: store_feed_tasks alone\", \"ms\": %.1f, \"tasks\": %d}\n",
	       n, ms1, seen);
	printf("{\"bench\": \"feed of %d tasks: store_feed_seqs and _members alone\", \"ms\": %.1f, "
	       "\"rows\": %zu}\n", n, ms2, nq + nm);
	free(q);
	free(mb);
}

int
main(int argc, char **argv)
{
	struct store *s = NULL;
	struct schedule *sch = NULL;
	struct renderer *rend = NULL;
	struct feed_maker *m = NULL;
	struct feed_body *last = NULL;
	struct feed f = { .kind = FEED_AGENCY, .created_at = 1, .target_name = "Sở Khoa học và Công nghệ" };
	struct feed_conf conf = { .refresh = 3600, .keep_done = 90, .keep_gone = 30,
				  .public_url = "https://dondoc.example.vn" };
	time_t now = (time_t)1772341200;	/* 2026-03-01 12:00 in Hà Nội */
	char db[4096], *msg = NULL;
	int64_t a, b, doc, other;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_feed DIR TEMPLATES SCHEDULES N\n");
		return 2;
	}
	int n = atoi(argv[4]);

	snprintf(db, sizeof(db), "%s/bench_feed.db", argv[1]);
	(void)remove(db);
	if (store_open(db, STORE_CREATE, &s, &msg) < 0 || renderer_load(argv[2], &rend, &msg) < 0 ||
	    schedule_load(argv[3], (struct date){ 2026, 3, 1 }, &sch, &msg) < 0) {
		fprintf(stderr, "bench_feed: %s\n", msg ? msg : "cannot start");
		return 1;
	}
	memset(f.token_hash, 'b', 64);
	if (store_agency_insert(s, "skhcn", "Sở Khoa học và Công nghệ", AGENCY_DEPARTMENT, 1, &a) < 0 ||
	    store_agency_insert(s, "stc", "Sở Tài chính", AGENCY_DEPARTMENT, 1, &b) < 0 ||
	    store_document_ensure(s, "01-CTr/BCĐ", "Chương trình", NULL, "", &doc) < 0 ||
	    fill(s, n, a, b, doc, now) < 0 ||
	    store_task_insert(s, &(struct task){ .kind = TASK_KIND_TASK, .code = "x#1",
						 .title = "Việc của sở khác", .deadline_raw = "31/12/2026" },
			      doc, "other", now - 30 * DAY, &other) < 0 ||
	    store_task_set_agencies(s, other, true, false, &b, 1) < 0) {
		fprintf(stderr, "bench_feed: cannot fill the registry: %s\n", store_errmsg(s));
		return 1;
	}
	f.target = a;
	if (store_feed_insert(s, &f) < 0 || feed_maker_new(&m, &msg) < 0) {
		fprintf(stderr, "bench_feed: %s\n", msg ? msg : store_errmsg(s));
		return 1;
	}
	feed_maker_set(m, &conf, rend, sch);
	/*
	 * The daemon's way: each build given the body before it.  Whole
	 * builds (prev NULL) shown beside: what a new day or a reload costs
	 * with every event's text kept.
	 */
	if (timed(m, s, &f, now, "cold (a new maker, first build)", n, NULL, &last) < 0 ||
	    timed(m, s, &f, now + 60, "whole, nothing changed", n, NULL, NULL) < 0)
		return 1;
	/* BENCH_FEED_PROFILE=K: K more whole builds, for perf to see them rather than the cold one. */
	for (int k = getenv("BENCH_FEED_PROFILE") ? atoi(getenv("BENCH_FEED_PROFILE")) : 0; k > 0; k--) {
		struct feed_body *x = NULL;

		if (feed_build(m, s, &f, now + 60, NULL, &x, &msg) < 0)
			return 1;
		feed_body_unref(x);
	}
	if (touch(s, n / 2, now + 90) < 0)
		return 1;
	reads(s, &f, n);
	/* Nine times, a different task each (feed.sh judges the median). */
	for (int k = 0; k < 9; k++)
		if ((k && touch(s, 1 + (k * 997) % n, now + 100 + k) < 0) ||
		    timed(m, s, &f, now + 110 + k, "one task changed", n, last, &last) < 0)
			return 1;
	if (touch(s, other, now + 130) < 0 ||
	    timed(m, s, &f, now + 140, "another agency's task changed", n, last, &last) < 0 ||
	    touch(s, n / 3, now + 150) < 0 ||
	    timed(m, s, &f, now + 160, "whole, one task changed", n, NULL, NULL) < 0)
		return 1;
	feed_body_unref(last);
	last = NULL;
	feed_maker_free(m);
	/* A restart: a new maker, the registry's sequences kept. */
	if (feed_maker_new(&m, &msg) < 0)
		return 1;
	feed_maker_set(m, &conf, rend, sch);
	if (timed(m, s, &f, now + 240, "a new maker (restart)", n, NULL, NULL) < 0)
		return 1;
	feed_maker_free(m);
	renderer_free(rend);
	schedule_free(sch);
	store_close(s);
	/* BENCH_FEED_KEEP: the registry stays, for the peer's build of the same tasks (bench/feed.sh). */
	if (!getenv("BENCH_FEED_KEEP"))
		(void)remove(db);
	return 0;
}
