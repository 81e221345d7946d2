/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of planner.c: the ladder of each kind of deadline against
 * the real policy and Vietnamese holidays of schedules/ (run from the
 * repository root), then planning passes and "explain" on a real SQLite
 * registry in a temporary directory.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "channels.h"
#include "clock.h"
#include "config.h"
#include "planner.h"
#include "registry.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "taskops.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

static struct schedule *sch;

static int
group_setup(void **state)
{
	char *msg = NULL;

	(void)state;
	if (schedule_load("schedules", TESTLIB_TODAY, &sch, &msg) < 0) {
		fprintf(stderr, "schedule_load: %s\n", msg ? msg : "?");
		free(msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	sch = schedule_free(sch);
	return 0;
}

static time_t
at(const char *iso)
{
	time_t t = 0;

	assert_int_equal(clock_parse_iso(iso, &t), 0);
	return t;
}

static struct deadline
dl(enum deadline_precision p, struct date due)
{
	return (struct deadline){ .precision = p, .has_due = p <= DEADLINE_YEAR, .due = due, .year_given = true };
}

/* What a ladder step should be. */
struct want {
	enum notice_stage stage;
	int step;
	struct date day;
};

static void
assert_day(struct date got, struct date want)
{
	if (date_cmp(got, want) != 0)
		fail_msg("day %04d-%02d-%02d, want %04d-%02d-%02d", got.y, got.m, got.d, want.y,
			 want.m, want.d);
}

static void
assert_sorted(const struct ladder_step *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		assert_true(date_cmp(v[i - 1].day, v[i].day) <= 0);
}

/* Asserts the ladder v[0..n) is exactly want[0..nw), every step anchored at anchor. */
static void
assert_ladder(const struct ladder_step *v, size_t n, const struct want *want, size_t nw,
	      struct date anchor)
{
	for (size_t i = 0; i < n && i < nw; i++) {
		if (v[i].stage != want[i].stage || v[i].step != want[i].step)
			fail_msg("step %zu is %s %d, want %s %d", i, notice_stage_to_string(v[i].stage),
				 v[i].step, notice_stage_to_string(want[i].stage), want[i].step);
		assert_day(v[i].day, want[i].day);
		assert_day(v[i].anchor, anchor);
	}
	assert_int_equal(n, nw);
	assert_sorted(v, n);
}

/* Finds the step (stage, step) in v; fails when absent. */
static const struct ladder_step *
find_step(const struct ladder_step *v, size_t n, enum notice_stage stage, int step)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].stage == stage && v[i].step == step)
			return &v[i];
	fail_msg("no %s %d in the ladder", notice_stage_to_string(stage), step);
	return NULL;
}

/* --- the ladder ------------------------------------------------------- */

static void
test_ladder_day(void **state)
{
	static const struct want want[] = {
		{ STAGE_BEFORE, 7, D(2025, 9, 19) },
		{ STAGE_BEFORE, 3, D(2025, 9, 25) },
		{ STAGE_BEFORE, 1, D(2025, 9, 29) },
		{ STAGE_BEFORE, 0, D(2025, 9, 30) },
		{ STAGE_OVERDUE, 1, D(2025, 10, 1) },
		{ STAGE_OVERDUE, 4, D(2025, 10, 6) },
		{ STAGE_ESCALATION, 1, D(2025, 10, 7) },
		{ STAGE_OVERDUE, 7, D(2025, 10, 9) },
		{ STAGE_OVERDUE, 10, D(2025, 10, 14) },
		{ STAGE_OVERDUE, 13, D(2025, 10, 17) },
		{ STAGE_ESCALATION, 2, D(2025, 10, 21) },
	};
	struct deadline d = dl(DEADLINE_DAY, D(2025, 9, 30));
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	n = planner_ladder(sch, &d, D(2025, 9, 1), D(2025, 9, 1), &v);
	assert_ladder(v, n, want, sizeof(want) / sizeof(want[0]), D(2025, 9, 30));
	free(v);
	/* Until anywhere up to the last nag before the last level: the same ladder. */
	n = planner_ladder(sch, &d, D(2025, 10, 10), D(2025, 10, 16), &v);
	assert_ladder(v, n, want, sizeof(want) / sizeof(want[0]), D(2025, 9, 30));
	free(v);
}

static void
test_ladder_nags_go_on_past_until(void **state)
{
	struct deadline d = dl(DEADLINE_DAY, D(2025, 9, 30));
	struct ladder_step *v = NULL;
	const struct ladder_step *last = NULL;
	size_t n, nags = 0;

	(void)state;
	/* Until 28/10: nags on 22/10 (16), 27/10 (19), then the first after it, 30/10 (22). */
	n = planner_ladder(sch, &d, D(2025, 10, 28), D(2025, 10, 28), &v);
	assert_sorted(v, n);
	for (size_t i = 0; i < n; i++)
		if (v[i].stage == STAGE_OVERDUE) {
			nags++;
			last = &v[i];
		}
	assert_int_equal(nags, 8);	/* 1, 4, 7, 10, 13, 16, 19, 22 */
	assert_day(find_step(v, n, STAGE_OVERDUE, 16)->day, D(2025, 10, 22));
	assert_day(find_step(v, n, STAGE_OVERDUE, 19)->day, D(2025, 10, 27));
	assert_non_null(last);
	assert_int_equal(last->step, 22);
	assert_day(last->day, D(2025, 10, 30));
	assert_day(v[n - 1].day, D(2025, 10, 30));
	free(v);
	/* Until on a nag's day: the next one still comes after it. */
	n = planner_ladder(sch, &d, D(2025, 10, 27), D(2025, 10, 27), &v);
	assert_day(v[n - 1].day, D(2025, 10, 30));
	assert_int_equal(v[n - 1].stage, STAGE_OVERDUE);
	free(v);
}

static void
test_ladder_tet(void **state)
{
	struct deadline d = dl(DEADLINE_DAY, D(2026, 2, 27));	/* a Friday after Tết */
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	n = planner_ladder(sch, &d, D(2026, 1, 15), D(2026, 1, 15), &v);
	assert_sorted(v, n);
	/* 26, 25, 24, 23 February, then Tết (14-22 February) is skipped: 13, 12, 11. */
	assert_day(find_step(v, n, STAGE_BEFORE, 7)->day, D(2026, 2, 11));
	assert_day(find_step(v, n, STAGE_BEFORE, 3)->day, D(2026, 2, 24));
	assert_day(find_step(v, n, STAGE_BEFORE, 1)->day, D(2026, 2, 26));
	assert_day(find_step(v, n, STAGE_BEFORE, 0)->day, D(2026, 2, 27));
	free(v);
	/*
	 * Across Quốc khánh 2025 (30/8-2/9): due Friday 5/9, the working days
	 * before it are 4/9, 3/9, then 29/8, 28/8, 27/8, 26/8, 25/8.
	 */
	d = dl(DEADLINE_DAY, D(2025, 9, 5));
	n = planner_ladder(sch, &d, D(2025, 8, 1), D(2025, 8, 1), &v);
	assert_day(find_step(v, n, STAGE_BEFORE, 7)->day, D(2025, 8, 25));
	assert_day(find_step(v, n, STAGE_BEFORE, 3)->day, D(2025, 8, 29));
	assert_day(find_step(v, n, STAGE_BEFORE, 1)->day, D(2025, 9, 4));
	free(v);
}

static void
test_ladder_sunday(void **state)
{
	struct deadline d = dl(DEADLINE_DAY, D(2025, 10, 5));	/* a Sunday */
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	n = planner_ladder(sch, &d, D(2025, 9, 1), D(2025, 9, 1), &v);
	assert_sorted(v, n);
	/* Met on the Friday: "before 0" is Friday 3/10, the others count from it. */
	assert_day(find_step(v, n, STAGE_BEFORE, 0)->day, D(2025, 10, 3));
	assert_day(find_step(v, n, STAGE_BEFORE, 1)->day, D(2025, 10, 2));
	assert_day(find_step(v, n, STAGE_BEFORE, 3)->day, D(2025, 9, 30));
	assert_day(find_step(v, n, STAGE_BEFORE, 7)->day, D(2025, 9, 24));
	assert_day(find_step(v, n, STAGE_OVERDUE, 1)->day, D(2025, 10, 6));
	for (size_t i = 0; i < n; i++) {
		assert_true(calendar_is_workday(sch->cal, v[i].day));
		assert_day(v[i].anchor, D(2025, 10, 5));
	}
	free(v);
}

static void
test_ladder_month(void **state)
{
	static const struct want want[] = {
		{ STAGE_BEFORE, 10, D(2025, 10, 17) },
		{ STAGE_BEFORE, 5, D(2025, 10, 24) },
		{ STAGE_BEFORE, 0, D(2025, 10, 31) },
	};
	struct deadline d = dl(DEADLINE_MONTH, D(2025, 10, 31));
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	n = planner_ladder(sch, &d, D(2025, 9, 1), D(2025, 9, 1), &v);
	assert_sorted(v, n);
	assert_true(n > 3);
	/* The reminders come first, in this order; then nags and escalations. */
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(v[i].stage, want[i].stage);
		assert_int_equal(v[i].step, want[i].step);
		assert_day(v[i].day, want[i].day);
	}
	for (size_t i = 3; i < n; i++)
		assert_int_not_equal(v[i].stage, STAGE_BEFORE);
	assert_day(find_step(v, n, STAGE_OVERDUE, 1)->day, D(2025, 11, 3));
	assert_day(find_step(v, n, STAGE_ESCALATION, 1)->day, D(2025, 11, 7));
	free(v);
}

static void
test_ladder_quarter_half_year(void **state)
{
	static const enum deadline_precision ps[] = { DEADLINE_QUARTER, DEADLINE_HALF,
						      DEADLINE_YEAR };
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		struct deadline d = dl(ps[k], D(2025, 12, 31));
		size_t before = 0;

		n = planner_ladder(sch, &d, D(2025, 11, 1), D(2025, 11, 1), &v);
		assert_sorted(v, n);
		for (size_t i = 0; i < n; i++)
			before += v[i].stage == STAGE_BEFORE;
		assert_int_equal(before, 4);
		assert_day(find_step(v, n, STAGE_BEFORE, 20)->day, D(2025, 12, 3));
		assert_day(find_step(v, n, STAGE_BEFORE, 10)->day, D(2025, 12, 17));
		assert_day(find_step(v, n, STAGE_BEFORE, 5)->day, D(2025, 12, 24));
		assert_day(find_step(v, n, STAGE_BEFORE, 0)->day, D(2025, 12, 31));
		/* 1/1/2026 is a holiday; the first nag is Monday 5/1 (2-4/1 off too). */
		assert_day(find_step(v, n, STAGE_OVERDUE, 1)->day, D(2026, 1, 5));
		free(v);
	}
	/* "6 tháng đầu năm 2026": due Tuesday 30/6. */
	{
		struct deadline d = dl(DEADLINE_HALF, D(2026, 6, 30));

		n = planner_ladder(sch, &d, D(2026, 1, 1), D(2026, 1, 1), &v);
		assert_day(find_step(v, n, STAGE_BEFORE, 20)->day, D(2026, 6, 2));
		assert_day(find_step(v, n, STAGE_BEFORE, 0)->day, D(2026, 6, 30));
		free(v);
	}
}

static void
test_ladder_recurring(void **state)
{
	struct deadline d = { .precision = DEADLINE_RECURRING };
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	/* From 21/9/2025 the next 20th is Monday 20/10. */
	n = planner_ladder(sch, &d, D(2025, 9, 21), D(2025, 9, 21), &v);
	assert_int_equal(n, 2);
	assert_sorted(v, n);
	assert_int_equal(v[0].stage, STAGE_RECURRING);
	assert_int_equal(v[0].step, 3);
	assert_day(v[0].day, D(2025, 10, 15));
	assert_day(v[0].anchor, D(2025, 10, 20));
	assert_int_equal(v[1].stage, STAGE_RECURRING);
	assert_int_equal(v[1].step, 0);
	assert_day(v[1].day, D(2025, 10, 20));
	assert_day(v[1].anchor, D(2025, 10, 20));
	free(v);
	/* On the 20th itself, that 20th. */
	n = planner_ladder(sch, &d, D(2025, 10, 20), D(2025, 10, 20), &v);
	assert_int_equal(n, 2);
	assert_day(v[1].anchor, D(2025, 10, 20));
	free(v);
	/* Saturday 20/9/2025: the 0 step moves to Friday 19/9. */
	n = planner_ladder(sch, &d, D(2025, 9, 1), D(2025, 9, 1), &v);
	assert_int_equal(n, 2);
	assert_sorted(v, n);
	assert_day(find_step(v, n, STAGE_RECURRING, 0)->day, D(2025, 9, 19));
	assert_day(find_step(v, n, STAGE_RECURRING, 0)->anchor, D(2025, 9, 20));
	free(v);
	/* No nags and no escalations for a recurring task, whatever until says. */
	n = planner_ladder(sch, &d, D(2025, 9, 1), D(2026, 9, 1), &v);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].stage, STAGE_RECURRING);
	free(v);
}

/*
 * A recurring task with a due day (the reporting day of the period it is
 * asked for): the [recurring] reminders of that day, then nags and
 * escalation counted from it, like a deadline; all anchored on the period.
 */
static void
test_ladder_recurring_period(void **state)
{
	struct deadline d = { .precision = DEADLINE_RECURRING, .every = EVERY_MONTH,
			      .every_day = 20, .has_due = true, .due = D(2025, 10, 20) };
	struct ladder_step *v = NULL;
	size_t n;

	(void)state;
	n = planner_ladder(sch, &d, D(2025, 10, 1), D(2025, 11, 14), &v);
	assert_sorted(v, n);
	assert_day(find_step(v, n, STAGE_RECURRING, 3)->day, D(2025, 10, 15));
	assert_day(find_step(v, n, STAGE_RECURRING, 0)->day, D(2025, 10, 20));
	assert_day(find_step(v, n, STAGE_OVERDUE, 1)->day, D(2025, 10, 21));
	assert_day(find_step(v, n, STAGE_ESCALATION, 1)->day, D(2025, 10, 27));
	assert_day(find_step(v, n, STAGE_ESCALATION, 2)->day, D(2025, 11, 10));
	for (size_t i = 0; i < n; i++) {
		/* Its reminders are the [recurring] ones, not a month's [before]. */
		assert_int_not_equal(v[i].stage, STAGE_BEFORE);
		assert_day(v[i].anchor, D(2025, 10, 20));
	}
	free(v);
}

/*
 * policy.ini says the recurring offsets count "like [before]", where a
 * due day off is first moved back to the working day before it.  So the
 * reminders before a Saturday 20th fall where those of a day deadline on
 * that Saturday fall.
 */
static void
test_ladder_recurring_weekend_like_before(void **state)
{
	struct deadline rec = { .precision = DEADLINE_RECURRING };
	struct deadline day = dl(DEADLINE_DAY, D(2025, 9, 20));
	struct ladder_step *r = NULL, *b = NULL;
	size_t nr, nb;

	(void)state;
	nr = planner_ladder(sch, &rec, D(2025, 9, 1), D(2025, 9, 1), &r);
	nb = planner_ladder(sch, &day, D(2025, 9, 1), D(2025, 9, 1), &b);
	assert_day(find_step(b, nb, STAGE_BEFORE, 3)->day, D(2025, 9, 16));
	assert_day(find_step(r, nr, STAGE_RECURRING, 0)->day, D(2025, 9, 19));
	/* 3 working days before the reporting day met on Friday 19/9: Tuesday 16/9. */
	if (date_cmp(find_step(r, nr, STAGE_RECURRING, 3)->day,
		     find_step(b, nb, STAGE_BEFORE, 3)->day) != 0) {
		struct date got = find_step(r, nr, STAGE_RECURRING, 3)->day;

		free(r);
		free(b);
		fail_msg("recurring 3 before Saturday 20/9/2025 is %04d-%02d-%02d, [before] gives "
			 "2025-09-16", got.y, got.m, got.d);
	}
	free(r);
	free(b);
}

static void
test_ladder_undated(void **state)
{
	static const enum deadline_precision ps[] = { DEADLINE_EXTERNAL, DEADLINE_UNKNOWN };
	struct ladder_step *v = NULL;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct deadline d = { .precision = ps[k] };

		v = NULL;
		assert_int_equal(planner_ladder(sch, &d, D(2025, 9, 1), D(2026, 9, 1), &v), 0);
		free(v);
	}
}

/* Day order over many deadlines, including weekends, holidays and Tết. */
static void
test_ladder_sorted_everywhere(void **state)
{
	struct date start = D(2025, 12, 1);

	(void)state;
	for (int i = 0; i < 200; i++) {
		struct date due = date_from_days(date_to_days(start) + i);

		for (int p = DEADLINE_DAY; p <= DEADLINE_YEAR; p++) {
			struct deadline d = dl(p, due);
			struct ladder_step *v = NULL;
			size_t n = planner_ladder(sch, &d, D(2025, 11, 1), due, &v);

			assert_true(n > 0);
			assert_sorted(v, n);
			for (size_t k = 0; k < n; k++) {
				assert_true(calendar_is_workday(sch->cal, v[k].day));
				assert_day(v[k].anchor, due);
				if (v[k].stage == STAGE_BEFORE)
					assert_true(date_cmp(v[k].day, due) <= 0);
				else
					assert_true(date_cmp(v[k].day, due) > 0);
			}
			free(v);
		}
	}
}

/* --- a registry ------------------------------------------------------- */

struct fx {
	char dir[64];
	char db[128];
	char outbox[128];
	struct store *s;
	struct config cfg;
	struct channels *cs;
	int64_t a_snv, a_syt, a_group, a_vp;	/* agencies */
	int64_t focal_snv, focal_snv2, retired_snv, head_snv, focal_syt, leader, secretariat;
	int64_t t1, tg, t3;	/* tasks */
	struct explain_row *rows;	/* owned, so a failed assertion leaks nothing */
};

static int64_t
add_agency(struct fx *f, const char *code, const char *name, enum agency_kind kind)
{
	int64_t id = 0;

	assert_int_equal(store_agency_insert(f->s, code, name, kind, 1, &id), 0);
	return id;
}

static int64_t
add_person(struct fx *f, const char *name, int64_t agency, enum person_role role, bool active)
{
	struct person p = { .name = (char *)name, .agency_id = agency, .role = role,
			    .active = active };
	int64_t id = 0;

	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	return id;
}

static int64_t
add_task(struct fx *f, const char *code, const char *title, const char *raw,
	 enum deadline_precision p, struct date due, const int64_t *leads, size_t n_leads)
{
	struct task t = { 0 };
	int64_t id = 0;

	t.code = (char *)code;
	t.kind = TASK_KIND_TASK;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.deadline = dl(p, due);
	t.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_insert(f->s, &t, 0, code, 1, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, leads, n_leads), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-planner.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	snprintf(f->outbox, sizeof(f->outbox), "%s/outbox", f->dir);
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0) {
		fprintf(stderr, "store_open: %s\n", msg);
		free(msg);
		return -1;
	}
	f->cfg.outbox_dir = f->outbox;
	if (channels_open(&f->cfg, &f->cs, &msg) < 0) {
		fprintf(stderr, "channels_open: %s\n", msg);
		free(msg);
		return -1;
	}
	f->a_snv = add_agency(f, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT);
	f->a_syt = add_agency(f, "syt", "Sở Y tế", AGENCY_DEPARTMENT);
	f->a_group = add_agency(f, "csbn", "Các sở, ban, ngành", AGENCY_GROUP);
	f->a_vp = add_agency(f, "vptu", "Văn phòng Tỉnh ủy", AGENCY_PARTY);
	f->focal_snv = add_person(f, "Nguyễn Văn An", f->a_snv, ROLE_FOCAL, true);
	f->focal_snv2 = add_person(f, "Đỗ Thị Giang", f->a_snv, ROLE_FOCAL, true);
	f->retired_snv = add_person(f, "Vũ Văn Hải", f->a_snv, ROLE_FOCAL, false);
	f->head_snv = add_person(f, "Lê Văn Cường", f->a_snv, ROLE_HEAD, true);
	f->focal_syt = add_person(f, "Trần Thị Bình", f->a_syt, ROLE_FOCAL, true);
	f->leader = add_person(f, "Phạm Minh Dũng", f->a_vp, ROLE_LEADER, true);
	f->secretariat = add_person(f, "Hoàng Thị Em", f->a_vp, ROLE_SECRETARIAT, true);
	f->t1 = add_task(f, "T#1", "Xây dựng kế hoạch chuyển đổi số", "trước 30/9/2025",
			 DEADLINE_DAY, D(2025, 9, 30), &f->a_snv, 1);
	f->tg = add_task(f, "T#2", "Quán triệt nghị quyết", "trước 30/9/2025", DEADLINE_DAY,
			 D(2025, 9, 30), &f->a_group, 1);
	f->t3 = add_task(f, "T#3", "Báo cáo sơ kết ngành y tế", "Tháng 10/2025", DEADLINE_MONTH,
			 D(2025, 10, 31), &f->a_syt, 1);
	/*
	 * These passes plan without sending anything: the strict clock, from
	 * the due day.  The test_anchor_* tests set first_notice themselves.
	 */
	sch->escalation_from = ESCALATION_FROM_DUE;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	free(f->rows);
	channels_free(f->cs);
	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

struct notes {
	struct notice v[256];
	size_t n;
};

static int
collect_notice(const struct notice *n, void *userdata)
{
	struct notes *ns = userdata;

	assert_true(ns->n < 256);
	ns->v[ns->n++] = *n;
	return 0;
}

static void
notices_of(struct fx *f, int64_t task, struct notes *ns)
{
	ns->n = 0;
	assert_int_equal(store_notice_foreach_task(f->s, task, collect_notice, ns), 0);
}

/* How many notices of ns go to person with stage and step (step < 0: any). */
static int
count_to(const struct notes *ns, int64_t person, enum notice_stage stage, int step)
{
	int n = 0;

	for (size_t i = 0; i < ns->n; i++)
		n += ns->v[i].person_id == person && ns->v[i].stage == stage &&
		     (step < 0 || ns->v[i].step == step);
	return n;
}

static size_t
run(struct fx *f, const char *iso, bool full)
{
	struct planner_report rep = { 0 };

	assert_int_equal(planner_run(f->s, sch, f->cs, at(iso), full, false, NULL, NULL, &rep), 0);
	assert_int_equal(rep.unreached, 0);
	return rep.notices;
}

/* --- planning passes -------------------------------------------------- */

static void
test_run_idempotent(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	/* Thursday 25/9: t1 and tg are at "before 3"; t3 (month) has nothing due. */
	assert_int_equal(run(f, "2025-09-25T09:00+07:00", true), 3);
	/* The same instant again, full or not, and a restart: nothing more. */
	assert_int_equal(run(f, "2025-09-25T09:00+07:00", true), 0);
	assert_int_equal(run(f, "2025-09-25T09:00+07:00", false), 0);
	assert_int_equal(run(f, "2025-09-25T16:00+07:00", false), 0);
	/* Friday 26/9: no step falls on it. */
	assert_int_equal(run(f, "2025-09-26T09:00+07:00", false), 0);
	assert_int_equal(run(f, "2025-09-26T09:00+07:00", true), 0);
	/* Saturday and Sunday: nothing. */
	assert_int_equal(run(f, "2025-09-27T09:00+07:00", false), 0);
	/* Monday 29/9: "before 1", only that. */
	assert_int_equal(run(f, "2025-09-29T07:00+07:00", false), 3);
	assert_int_equal(run(f, "2025-09-29T09:00+07:00", true), 0);

	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 4);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_BEFORE, 3), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_BEFORE, 3), 1);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_BEFORE, 1), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_BEFORE, 1), 1);
	/* An inactive focal point is never told; nor the head before the deadline. */
	assert_int_equal(count_to(&ns, f->retired_snv, STAGE_BEFORE, -1), 0);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_BEFORE, -1), 0);
	for (size_t i = 0; i < ns.n; i++) {
		assert_int_equal(ns.v[i].state, NOTICE_QUEUED);
		assert_string_equal(ns.v[i].channel, "file");
		assert_int_equal(date_cmp(ns.v[i].anchor, D(2025, 9, 30)), 0);
		assert_int_equal(date_cmp(ns.v[i].day, ns.v[i].step == 3 ? D(2025, 9, 25)
									     : D(2025, 9, 29)), 0);
	}
	notices_of(f, f->t3, &ns);
	assert_int_equal(ns.n, 0);
}

/* Imported late: only the latest step that is due, not every one missed. */
static void
test_run_late_start_no_flood(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	assert_int_equal(run(f, "2025-09-29T09:00+07:00", true), 3);
	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 2);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_BEFORE, 1), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_BEFORE, 1), 1);
}

/* How many notices of ns are of stage, about agency (step), to person. */
static int
count_missing(const struct notes *ns, int64_t person, enum notice_stage stage, int64_t agency)
{
	int n = 0;

	for (size_t i = 0; i < ns->n; i++)
		n += ns->v[i].person_id == person && ns->v[i].stage == stage &&
		     ns->v[i].step == agency && ns->v[i].task_id == 0;
	return n;
}

/*
 * A lead agency with nobody to tell: the secretariat never gets the
 * reminder itself, but one notice of its own kind a week per agency.
 */
static void
test_group_tells_secretariat_missing(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	/* Thursday 25/9: t1's two focal points, and the group's missing focal point. */
	assert_int_equal(run(f, "2025-09-25T09:00+07:00", true), 3);
	notices_of(f, f->tg, &ns);
	assert_int_equal(ns.n, 0);
	notices_of(f, 0, &ns);
	assert_int_equal(ns.n, 1);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_FOCAL, f->a_group), 1);
	assert_day(ns.v[0].anchor, D(2025, 9, 22));	/* the Monday of the week */
	assert_day(ns.v[0].day, D(2025, 9, 25));
	/* Monday 29/9: a new week, told again (and t1's before 1). */
	assert_int_equal(run(f, "2025-09-29T09:00+07:00", false), 3);
	/* Tuesday 30/9: the same week, not again. */
	assert_int_equal(run(f, "2025-09-30T09:00+07:00", false), 2);
	notices_of(f, 0, &ns);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_FOCAL, f->a_group), 2);
	/*
	 * Tuesday 7/10: level 1 has no head to go to either (nor has Sở Y tế,
	 * whose month task is not late yet): the group's missing head.
	 */
	run(f, "2025-10-07T09:00+07:00", false);
	notices_of(f, f->tg, &ns);
	assert_int_equal(ns.n, 0);
	notices_of(f, 0, &ns);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_HEAD, f->a_group), 1);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_HEAD, f->a_syt), 0);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_FOCAL, f->a_group), 3);
	/* Level 2 goes to the leaders and the secretariat, as for any task. */
	run(f, "2025-10-21T09:00+07:00", false);
	notices_of(f, f->tg, &ns);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, 2), 1);
	assert_int_equal(ns.n, 2);
}

/* An agency with a focal point but no head: level 1 is the missing head, nothing else. */
static void
test_missing_head_only(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	/* Friday 7/11: t3 (October) is 5 working days late: level 1. */
	run(f, "2025-11-07T09:00+07:00", true);
	notices_of(f, f->t3, &ns);
	assert_int_equal(count_to(&ns, f->focal_syt, STAGE_OVERDUE, -1), 1);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, -1), 0);
	notices_of(f, 0, &ns);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_HEAD, f->a_syt), 1);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_FOCAL, f->a_syt), 0);
	assert_int_equal(count_missing(&ns, f->secretariat, STAGE_MISSING_HEAD, f->a_snv), 0);
}

static void
test_escalation_recipients(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	/* Tuesday 7/10: nag 4 (6/10) to the focal points, level 1 to the head. */
	run(f, "2025-10-07T09:00+07:00", true);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 4), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_OVERDUE, 4), 1);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 1), 0);	/* missed, not sent */
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_ESCALATION, -1), 0);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, -1), 0);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, -1), 0);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_BEFORE, -1), 0);	/* overdue now */
	assert_int_equal(ns.n, 3);

	/* Tuesday 21/10: nag 13 (17/10), level 2 to leaders and the secretariat. */
	run(f, "2025-10-21T09:00+07:00", false);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 13), 1);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 7), 0);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 10), 0);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);	/* not again */
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 2), 0);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_ESCALATION, -1), 0);
	assert_int_equal(ns.n, 3 + 2 + 2);

	/* Nags go on past the last level: Wednesday 22/10 is nag 16 (tg's too). */
	assert_int_equal(run(f, "2025-10-22T09:00+07:00", false), 2);	/* tg's: nobody */
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 16), 1);
}

/* Both levels on one day (first run long after): each level is written. */
static void
test_escalation_levels_each_written(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	run(f, "2025-10-24T09:00+07:00", true);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, 2), 1);
	/* One nag only: the latest, 16 (22/10). */
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, -1), 1);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, 16), 1);
}

static void
count_cb(const struct notice *n, void *userdata)
{
	assert_true(n->person_id > 0);
	(*(int *)userdata)++;
}

static void
test_dry_run(void **state)
{
	struct fx *f = *state;
	struct planner_report rep = { 0 };
	time_t now = at("2025-09-25T09:00+07:00");
	struct notes ns;
	int calls = 0;

	assert_int_equal(planner_run(f->s, sch, f->cs, now, true, true, count_cb, &calls, &rep), 0);
	assert_int_equal(rep.notices, 3);
	assert_int_equal(calls, 3);
	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 0);
	notices_of(f, f->tg, &ns);
	assert_int_equal(ns.n, 0);
	/* Nothing was recorded: a real pass (not full) still finds it all. */
	assert_int_equal(run(f, "2025-09-25T09:00+07:00", false), 3);
	/* And a dry run now would add nothing. */
	calls = 0;
	assert_int_equal(planner_run(f->s, sch, f->cs, now, true, true, count_cb, &calls, &rep), 0);
	assert_int_equal(rep.notices, 0);
	assert_int_equal(calls, 0);
}

static void
mark_done(struct fx *f, int64_t id, const char *iso)
{
	struct task t = { 0 };
	int n = -1;

	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.status = TASK_DONE;
	t.progress = 100;
	t.done_at = at(iso);
	assert_int_equal(store_task_update(f->s, &t, t.done_at), 0);
	task_release(&t);
	assert_int_equal(store_notice_cancel_task(f->s, id, at(iso), &n), 0);
	assert_true(n >= 0);
}

static void
test_done_task_gets_nothing(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	assert_int_equal(run(f, "2025-09-25T09:00+07:00", true), 3);
	mark_done(f, f->t1, "2025-09-26T10:00+07:00");
	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 2);
	for (size_t i = 0; i < ns.n; i++)
		assert_int_equal(ns.v[i].state, NOTICE_CANCELLED);
	/* Before 1, before 0, nags and escalations: none comes. */
	assert_int_equal(run(f, "2025-09-29T09:00+07:00", false), 1);	/* tg only */
	/* tg's missing focal point, told on 29/9 for the week: not again. */
	assert_int_equal(run(f, "2025-09-30T09:00+07:00", true), 0);
	/* A new week: tg's missing focal point and, at level 1, missing head. */
	assert_int_equal(run(f, "2025-10-07T09:00+07:00", true), 2);
	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 2);
}

static void
test_undated_task(void **state)
{
	struct fx *f = *state;
	struct task t = { 0 };
	struct notes ns;
	int64_t id = 0;

	t.code = "T#9";
	t.kind = TASK_KIND_TASK;
	t.title = "Triển khai theo hướng dẫn của Trung ương";
	t.deadline_raw = "Theo tiến độ TW";
	t.deadline = (struct deadline){ .precision = DEADLINE_EXTERNAL, .has_due = false, .due = { 0, 0, 0 } };
	t.status = TASK_NOT_STARTED;
	assert_int_equal(store_task_insert(f->s, &t, 0, "t9", 1, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &f->a_snv, 1), 0);
	/* Monday 29/9: no ladder of its own, but the secretariat's weekly list. */
	run(f, "2025-09-29T09:00+07:00", true);
	notices_of(f, id, &ns);
	assert_int_equal(ns.n, 0);
	notices_of(f, 0, &ns);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_NEEDS_DATE, -1), 1);
	for (size_t i = 0; i < ns.n; i++)
		if (ns.v[i].stage == STAGE_NEEDS_DATE)
			assert_int_equal(date_cmp(ns.v[i].anchor, D(2025, 9, 29)), 0);
	/* Once a week, not once a pass. */
	run(f, "2025-09-30T09:00+07:00", true);
	run(f, "2025-10-03T09:00+07:00", true);
	notices_of(f, 0, &ns);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_NEEDS_DATE, -1), 1);
	run(f, "2025-10-06T09:00+07:00", true);
	notices_of(f, 0, &ns);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_NEEDS_DATE, -1), 2);
}

/* --- indicators ------------------------------------------------------- */

/* An indicator of agency, chưa đạt; with a due day too, which must change nothing. */
static int64_t
add_indicator(struct fx *f, const char *code, int64_t agency)
{
	int64_t id = add_task(f, code, "Tỷ lệ phủ sóng 5G trên địa bàn", "30/9/2025", DEADLINE_DAY,
			      D(2025, 9, 30), &agency, 1);
	struct task t = { 0 };

	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.kind = TASK_KIND_INDICATOR;
	t.status = TASK_NOT_ACHIEVED;
	assert_int_equal(store_task_update(f->s, &t, 2), 0);
	task_release(&t);
	return id;
}

/* Every working day from..until (ISO days), planning at 08:00. */
static void
run_days(struct fx *f, struct date from, struct date until)
{
	for (int64_t d = date_to_days(from); d <= date_to_days(until); d++) {
		struct date day = date_from_days(d);
		char iso[32];

		snprintf(iso, sizeof(iso), "%04d-%02d-%02dT08:00+07:00", day.y, day.m, day.d);
		run(f, iso, false);
	}
}

/*
 * Assessed, not due: through its past due day and a quarter of days, only
 * the update requests of the reporting day (20/12/2025, a Saturday: 5
 * working days before is Friday 12/12, the day itself counts as Friday
 * 19/12), to its agency's two active focal points; never a reminder, nag
 * or escalation.
 */
static void
test_indicator_asked_on_reporting_days_only(void **state)
{
	struct fx *f = *state;
	int64_t ind = add_indicator(f, "I#1", f->a_snv);
	struct notes ns;

	run_days(f, D(2025, 9, 22), D(2025, 12, 11));
	notices_of(f, ind, &ns);
	assert_int_equal(ns.n, 0);
	run_days(f, D(2025, 12, 12), D(2026, 1, 10));
	notices_of(f, ind, &ns);
	assert_int_equal(ns.n, 4);
	for (size_t i = 0; i < ns.n; i++) {
		assert_int_equal(ns.v[i].stage, STAGE_ASSESSMENT);
		assert_day(ns.v[i].anchor, D(2025, 12, 20));
		assert_day(ns.v[i].day, ns.v[i].step == 5 ? D(2025, 12, 12) : D(2025, 12, 19));
	}
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_ASSESSMENT, 5), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_ASSESSMENT, 0), 1);
	assert_int_equal(count_to(&ns, f->retired_snv, STAGE_ASSESSMENT, -1), 0);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ASSESSMENT, -1), 0);
	/* The same days again, full passes: no second notice (invariant 1). */
	run(f, "2025-12-12T09:00+07:00", true);
	run(f, "2025-12-19T09:00+07:00", true);
	notices_of(f, ind, &ns);
	assert_int_equal(ns.n, 4);
}

/* An indicator without a date is not a task waiting for one: no Monday list for it. */
static void
test_indicator_needs_no_date(void **state)
{
	struct fx *f = *state;
	struct task t = { 0 };
	struct notes ns;
	int64_t id = 0;

	t.code = "I#9";
	t.kind = TASK_KIND_INDICATOR;
	t.title = "Số doanh nghiệp khoa học và công nghệ";
	t.deadline_raw = "";
	t.deadline = (struct deadline){ .precision = DEADLINE_UNKNOWN };
	t.status = TASK_CANNOT_ASSESS;
	assert_int_equal(store_task_insert(f->s, &t, 0, "i9", 1, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &f->a_snv, 1), 0);
	assert_int_equal(store_task_count_undated(f->s), 0);
	run(f, "2025-09-29T09:00+07:00", true);
	/* No "needs a date" list (other lists about no task may be due: the daily message's). */
	notices_of(f, 0, &ns);
	for (size_t i = 0; i < ns.n; i++)
		assert_int_not_equal(ns.v[i].stage, STAGE_NEEDS_DATE);
	notices_of(f, id, &ns);
	assert_int_equal(ns.n, 0);
}

/* Assessed after the period's first request: not asked again on the reporting day. */
static void
test_indicator_assessed_not_asked_again(void **state)
{
	struct fx *f = *state;
	int64_t ind = add_indicator(f, "I#1", f->a_snv), done = add_indicator(f, "I#2", f->a_snv);
	struct actor a = { .name = "Nguyễn Văn An", .person_id = f->focal_snv, .channel = "telegram" };
	struct task t = { 0 };
	struct notes ns;

	/* I#2 is achieved before any request: nothing, ever. */
	assert_int_equal(store_task_get(f->s, done, &t), 0);
	assert_int_equal(taskop_assess(f->s, &t, TASK_DONE, "100% số xã", &a, at("2025-12-01T09:00+07:00")), 0);
	assert_int_equal(taskop_save(f->s, &t, at("2025-12-01T09:00+07:00")), 0);
	task_release(&t);
	run_days(f, D(2025, 12, 12), D(2025, 12, 12));
	notices_of(f, ind, &ns);
	assert_int_equal(ns.n, 2);
	assert_int_equal(store_task_get(f->s, ind, &t), 0);
	assert_int_equal(taskop_assess(f->s, &t, TASK_NOT_ACHIEVED, NULL, &a, at("2025-12-15T09:00+07:00")), 0);
	assert_int_equal(taskop_save(f->s, &t, at("2025-12-15T09:00+07:00")), 0);
	task_release(&t);
	run_days(f, D(2025, 12, 15), D(2025, 12, 31));
	notices_of(f, ind, &ns);
	assert_int_equal(ns.n, 2);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_ASSESSMENT, 0), 0);
	notices_of(f, done, &ns);
	assert_int_equal(ns.n, 0);
	/* A task is refused an assessment, and a status that is not one is too. */
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	assert_int_equal(taskop_assess(f->s, &t, TASK_DONE, NULL, &a, at("2025-12-31T09:00+07:00")),
			 -EMEDIUMTYPE);
	task_release(&t);
	assert_int_equal(store_task_get(f->s, ind, &t), 0);
	assert_int_equal(taskop_assess(f->s, &t, TASK_POSTPONED, NULL, &a, at("2025-12-31T09:00+07:00")),
			 -EINVAL);
	task_release(&t);
}

/* --- explain ---------------------------------------------------------- */

static const struct explain_row *
row_of(const struct explain_row *rows, int n, int64_t person, enum notice_stage stage, int step)
{
	const struct explain_row *found = NULL;

	for (int i = 0; i < n; i++)
		if (rows[i].person_id == person && rows[i].step.stage == stage &&
		    rows[i].step.step == step) {
			assert_null(found);	/* one row per step and person */
			found = &rows[i];
		}
	if (!found)
		fail_msg("no row for person %lld, %s %d", (long long)person,
			 notice_stage_to_string(stage), step);
	return found;
}

static void
test_explain(void **state)
{
	struct fx *f = *state;
	time_t now = at("2025-09-25T09:00+07:00");
	const struct explain_row *r;
	int n;

	run(f, "2025-09-25T09:00+07:00", true);
	n = planner_explain(f->s, sch, f->cs, f->t1, now, &f->rows);
	/* 4 reminders and 5 nags to 2 focal points, level 1 to the head, level 2 to 2. */
	assert_int_equal(n, 4 * 2 + 5 * 2 + 1 + 2);
	for (int i = 1; i < n; i++)
		assert_true(date_cmp(f->rows[i - 1].step.day, f->rows[i].step.day) <= 0);
	r = row_of(f->rows, n, f->focal_snv, STAGE_BEFORE, 7);
	assert_int_equal(r->state, NOTICE_CANCELLED);	/* its day went by before the task came */
	assert_int_equal(date_cmp(r->step.day, D(2025, 9, 19)), 0);
	r = row_of(f->rows, n, f->focal_snv, STAGE_BEFORE, 3);
	assert_int_equal(r->state, NOTICE_QUEUED);
	assert_string_equal(r->person, "Nguyễn Văn An");
	assert_string_equal(r->channel, "file");
	r = row_of(f->rows, n, f->focal_snv2, STAGE_BEFORE, 1);
	assert_int_equal(r->state, NOTICE_PLANNED);
	assert_int_equal(date_cmp(r->step.day, D(2025, 9, 29)), 0);
	r = row_of(f->rows, n, f->head_snv, STAGE_ESCALATION, 1);
	assert_int_equal(r->state, NOTICE_PLANNED);
	assert_int_equal(date_cmp(r->step.day, D(2025, 10, 7)), 0);
	assert_string_equal(r->person, "Lê Văn Cường");
	r = row_of(f->rows, n, f->leader, STAGE_ESCALATION, 2);
	assert_int_equal(date_cmp(r->step.day, D(2025, 10, 21)), 0);
	r = row_of(f->rows, n, f->secretariat, STAGE_ESCALATION, 2);
	assert_int_equal(r->state, NOTICE_PLANNED);
	r = row_of(f->rows, n, f->focal_snv, STAGE_OVERDUE, 13);
	assert_int_equal(date_cmp(r->step.day, D(2025, 10, 17)), 0);
	for (int i = 0; i < n; i++)
		assert_true(f->rows[i].person_id != f->retired_snv);
	free(f->rows);
	f->rows = NULL;

	/* The group's task: nobody to remind; level 2 to the leader and the secretariat. */
	n = planner_explain(f->s, sch, f->cs, f->tg, now, &f->rows);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++)
		assert_int_equal(f->rows[i].step.stage, STAGE_ESCALATION);
	r = row_of(f->rows, n, f->secretariat, STAGE_ESCALATION, 2);
	assert_int_equal(r->state, NOTICE_PLANNED);
	free(f->rows);
	f->rows = NULL;

	assert_int_equal(planner_explain(f->s, sch, f->cs, 9999, now, &f->rows), -ENOENT);
}

/* What explain prints is what the planner does (DESIGN §5). */
static void
test_explain_matches_runs(void **state)
{
	struct fx *f = *state;
	static const char *const days[] = {
		"2025-09-19", "2025-09-25", "2025-09-29", "2025-09-30", "2025-10-01",
		"2025-10-06", "2025-10-07", "2025-10-09", "2025-10-14", "2025-10-17",
		"2025-10-21",
	};
	char iso[40];
	int n;

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		snprintf(iso, sizeof(iso), "%sT09:00+07:00", days[i]);
		run(f, iso, false);
	}
	n = planner_explain(f->s, sch, f->cs, f->t1, at("2025-10-21T10:00+07:00"), &f->rows);
	assert_int_equal(n, 4 * 2 + 5 * 2 + 1 + 2 + 2);	/* and nag 16 (22/10) is planned */
	for (int i = 0; i < n; i++) {
		if (date_cmp(f->rows[i].step.day, D(2025, 10, 21)) <= 0)
			assert_int_equal(f->rows[i].state, NOTICE_QUEUED);
		else
			assert_int_equal(f->rows[i].state, NOTICE_PLANNED);
	}

	/* Done: nothing is planned any more, what was queued is cancelled. */
	free(f->rows);
	f->rows = NULL;
	mark_done(f, f->t1, "2025-10-21T11:00+07:00");
	n = planner_explain(f->s, sch, f->cs, f->t1, at("2025-10-21T12:00+07:00"), &f->rows);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(f->rows[i].state, NOTICE_CANCELLED);
}

/* --- the escalation clock (going live) -------------------------------- */

/*
 * Sends the queued notices of task the way the dispatcher does: one
 * message per person, marked sent at now.  Returns how many went.
 */
static int
send_queued(struct fx *f, int64_t task, const char *iso)
{
	struct notes ns;
	int sent = 0;

	notices_of(f, task, &ns);
	for (size_t i = 0; i < ns.n; i++) {
		struct message m = { .person_id = ns.v[i].person_id, .kind = MESSAGE_REMINDER,
				     .subject = (char *)"s", .body = (char *)"b",
				     .next_at = at(iso), .created_at = at(iso), .day = ns.v[i].day };
		int64_t id = 0;

		if (ns.v[i].state != NOTICE_QUEUED || ns.v[i].message_id)
			continue;
		snprintf(m.channel, sizeof(m.channel), "file");
		assert_int_equal(store_message_insert(f->s, &m, &id), 0);
		assert_int_equal(store_notice_attach(f->s, ns.v[i].id, id, at(iso)), 0);
		assert_int_equal(store_message_finish(f->s, id, NULL, MESSAGE_SENT, 0, at(iso), NULL), 0);
		sent++;
	}
	return sent;
}

/* Plans day by day from..until (working days at 09:00), sending what comes. */
static void
walk(struct fx *f, struct date from, struct date until)
{
	for (struct date d = from; date_cmp(d, until) <= 0; d = calendar_add_workdays(sch->cal, d, 1)) {
		char iso[40], day[DATE_ISO_LEN];

		date_format_iso(d, day);
		snprintf(iso, sizeof(iso), "%sT09:00+07:00", day);
		run(f, iso, false);
		send_queued(f, f->t1, iso);
	}
}

/*
 * T#1 was due 30/9; dondoc first plans it on 14/10.  With from =
 * first_notice its focal points get one "overdue" nag that day and no
 * escalation; level 1 comes 5 working days after the nag was sent.
 */
static void
test_anchor_first_notice(void **state)
{
	struct fx *f = *state;
	struct task t = { 0 };
	struct notes ns;
	struct date l1, l2, clock;
	int n, k = 0;

	sch->escalation_from = ESCALATION_FROM_FIRST_NOTICE;
	run(f, "2025-10-14T09:00+07:00", true);
	notices_of(f, f->t1, &ns);
	assert_int_equal(ns.n, 2);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, -1), 1);
	assert_int_equal(count_to(&ns, f->focal_snv2, STAGE_OVERDUE, -1), 1);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, -1), 0);
	/* Not sent yet: no clock, and a second pass the same day adds nothing. */
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	assert_false(t.has_first_notice);
	assert_int_equal(planner_escalation_clock(sch, &t.deadline, false, t.deadline.due, &clock),
			 PLANNER_CLOCK_NOT_STARTED);
	task_release(&t);
	assert_int_equal(run(f, "2025-10-14T10:00+07:00", false), 0);

	assert_int_equal(send_queued(f, f->t1, "2025-10-14T10:00+07:00"), 2);
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	assert_true(t.has_first_notice);
	assert_int_equal(date_cmp(t.first_notice, D(2025, 10, 14)), 0);
	assert_int_equal(planner_escalation_clock(sch, &t.deadline, true, t.first_notice, &clock),
			 PLANNER_CLOCK_FIRST_NOTICE);
	assert_int_equal(date_cmp(clock, D(2025, 10, 14)), 0);
	task_release(&t);

	l1 = calendar_add_workdays(sch->cal, D(2025, 10, 14), sch->levels[0]);
	l2 = calendar_add_workdays(sch->cal, D(2025, 10, 14), sch->levels[1]);
	assert_int_equal(date_cmp(l1, D(2025, 10, 21)), 0);
	/* The day before level 1: nags, no escalation. */
	walk(f, D(2025, 10, 15), calendar_add_workdays(sch->cal, l1, -1));
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, -1), 0);
	assert_true(count_to(&ns, f->focal_snv, STAGE_OVERDUE, -1) >= 2);
	walk(f, l1, l1);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, -1), 0);
	walk(f, calendar_add_workdays(sch->cal, l1, 1), calendar_add_workdays(sch->cal, l2, -1));
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, -1), 0);
	walk(f, l2, l2);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->secretariat, STAGE_ESCALATION, 2), 1);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	/* explain tells the same: each level on its day, sent. */
	n = planner_explain(f->s, sch, f->cs, f->t1, at("2025-11-04T12:00+07:00"), &f->rows);
	for (int i = 0; i < n; i++)
		if (f->rows[i].step.stage == STAGE_ESCALATION) {
			assert_int_equal(date_cmp(f->rows[i].step.day, f->rows[i].step.step == 1 ? l1 : l2),
					 0);
			assert_int_equal(f->rows[i].state, NOTICE_SENT);
			k++;
		}
	assert_int_equal(k, 3);	/* the head; the leader and the secretariat */
}

/* The same late start with from = due: level 1 at once, as the strict rule says. */
static void
test_anchor_due(void **state)
{
	struct fx *f = *state;
	struct notes ns;

	run(f, "2025-10-14T09:00+07:00", true);
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->focal_snv, STAGE_OVERDUE, -1), 1);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, -1), 0);
	/* The first notice sent does not move a strict clock: level 2 on 21/10. */
	send_queued(f, f->t1, "2025-10-14T10:00+07:00");
	walk(f, D(2025, 10, 15), D(2025, 10, 20));
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, -1), 0);
	walk(f, D(2025, 10, 21), D(2025, 10, 21));
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->leader, STAGE_ESCALATION, 2), 1);
}

/* Reminded before the due day: from = first_notice counts from the due day. */
static void
test_anchor_reminded_in_time(void **state)
{
	struct fx *f = *state;
	struct notes ns;
	struct date clock;
	struct deadline d = dl(DEADLINE_DAY, D(2025, 9, 30));

	sch->escalation_from = ESCALATION_FROM_FIRST_NOTICE;
	run(f, "2025-09-29T09:00+07:00", true);
	assert_int_equal(send_queued(f, f->t1, "2025-09-29T09:30+07:00"), 2);
	walk(f, D(2025, 9, 30), D(2025, 10, 7));
	notices_of(f, f->t1, &ns);
	assert_int_equal(count_to(&ns, f->head_snv, STAGE_ESCALATION, 1), 1);
	assert_int_equal(planner_escalation_clock(sch, &d, true, D(2025, 9, 29), &clock),
			 PLANNER_CLOCK_DUE_REMINDED);
	assert_int_equal(date_cmp(clock, D(2025, 9, 30)), 0);
	assert_int_equal(planner_escalation_clock(sch, &d, false, D(2025, 9, 29), &clock),
			 PLANNER_CLOCK_NOT_STARTED);
	sch->escalation_from = ESCALATION_FROM_DUE;
	assert_int_equal(planner_escalation_clock(sch, &d, false, D(2025, 9, 29), &clock),
			 PLANNER_CLOCK_DUE_POLICY);
	d = dl(DEADLINE_EXTERNAL, D(2025, 9, 30));
	d.has_due = false;
	assert_int_equal(planner_escalation_clock(sch, &d, false, D(2025, 9, 29), &clock),
			 PLANNER_CLOCK_NONE);
}

/* explain shows no escalation before a reminder was sent, and the levels after. */
static void
test_anchor_explain(void **state)
{
	struct fx *f = *state;
	int n;

	sch->escalation_from = ESCALATION_FROM_FIRST_NOTICE;
	run(f, "2025-10-14T09:00+07:00", true);
	n = planner_explain(f->s, sch, f->cs, f->t1, at("2025-10-14T09:30+07:00"), &f->rows);
	assert_true(n > 0);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(f->rows[i].step.stage, STAGE_ESCALATION);
	free(f->rows);
	f->rows = NULL;
	send_queued(f, f->t1, "2025-10-14T10:00+07:00");
	n = planner_explain(f->s, sch, f->cs, f->t1, at("2025-10-14T10:30+07:00"), &f->rows);
	for (int i = 0; i < n; i++)
		if (f->rows[i].step.stage == STAGE_ESCALATION && f->rows[i].step.step == 1) {
			assert_int_equal(date_cmp(f->rows[i].step.day, D(2025, 10, 21)), 0);
			assert_int_equal(f->rows[i].state, NOTICE_PLANNED);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ladder_day),
		cmocka_unit_test(test_ladder_nags_go_on_past_until),
		cmocka_unit_test(test_ladder_tet),
		cmocka_unit_test(test_ladder_sunday),
		cmocka_unit_test(test_ladder_month),
		cmocka_unit_test(test_ladder_quarter_half_year),
		cmocka_unit_test(test_ladder_recurring),
		cmocka_unit_test(test_ladder_recurring_period),
		cmocka_unit_test(test_ladder_recurring_weekend_like_before),
		cmocka_unit_test(test_ladder_undated),
		cmocka_unit_test(test_ladder_sorted_everywhere),
		cmocka_unit_test_setup_teardown(test_run_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_late_start_no_flood, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_tells_secretariat_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_head_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_recipients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_levels_each_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_task_gets_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undated_task, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indicator_asked_on_reporting_days_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_indicator_assessed_not_asked_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_indicator_needs_no_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explain_matches_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_first_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_reminded_in_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anchor_explain, setup, teardown),
	};

	return cmocka_run_group_tests_name("planner", tests, group_setup, group_teardown);
}
