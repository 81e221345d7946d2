/* SPDX-License-Identifier: MIT */
/*
 * The report module (bot/report.h): each row of a hand-made registry in
 * its category, the scopes (overlapping agency rows, a partition by
 * document), the period, the committee's percentages, a report whose
 * parts do not add up caught; then a property test over a few hundred
 * random registries, seeded, in which every report adds up, overall, per
 * agency and per document, and each row equals the report of that scope
 * alone.
 */
#include "testlib.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <jansson.h>

#include "clock.h"
#include "macro.h"
#include "report.h"
#include "task.h"

static const struct date TODAY = { 2025, 10, 15 };

/* Noon of day d in Asia/Ho_Chi_Minh, as a unix time. */
static int64_t
noon(struct date d)
{
	return date_to_days(d) * 86400 + 12 * 3600 - CLOCK_VN_OFFSET;
}

static struct date
day_plus(struct date d, int n)
{
	return date_from_days(date_to_days(d) + n);
}

/* A task of kind k and status s, due in `due` days from TODAY (none when has_due is false). */
static struct task
mk(enum task_kind k, enum task_status s, bool has_due, int due)
{
	struct task t = { .id = 1, .kind = k, .status = s, .created_at = noon(TODAY) - 86400 * 100 };

	if (has_due) {
		t.deadline.has_due = true;
		t.deadline.due = day_plus(TODAY, due);
	}
	return t;
}

/* Marks t done on day done_day, with the due day then in force done_due (none: no_due). */
static void
done_on(struct task *t, struct date done_day, bool has_done_due, struct date done_due)
{
	t->status = TASK_DONE;
	t->done_at = noon(done_day);
	t->has_done_due = has_done_due;
	t->done_due = done_due;
}

static struct report_counts
count_one(const struct task *t)
{
	struct report_query q = { .today = TODAY };
	struct report r;
	struct report_counts c;

	report_begin(&q, &r);
	report_add(&r, t);
	assert_int_equal(report_end(&r), 0);
	c = r.all;
	report_release(&r);
	return c;
}

/* --- categories -------------------------------------------------------------- */

static void
test_task_categories(void **state)
{
	struct task t;
	struct report_counts c;

	(void)state;
	t = mk(TASK_KIND_TASK, TASK_NOT_STARTED, true, 30);
	c = count_one(&t);
	assert_int_equal(c.tasks.total, 1);
	assert_int_equal(c.tasks.not_started, 1);
	assert_int_equal(c.tasks.overdue, 0);

	/* Not started and overdue: quá hạn, but not "chậm tiến độ" (that is among in progress). */
	t = mk(TASK_KIND_TASK, TASK_NOT_STARTED, true, -3);
	c = count_one(&t);
	assert_int_equal(c.tasks.not_started, 1);
	assert_int_equal(c.tasks.overdue, 1);
	assert_int_equal(c.tasks.behind, 0);
	assert_int_equal(c.tasks.light[LIGHT_RED], 1);

	t = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, -3);
	c = count_one(&t);
	assert_int_equal(c.tasks.in_progress, 1);
	assert_int_equal(c.tasks.behind, 1);
	assert_int_equal(c.tasks.overdue, 1);

	t = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, false, 0);
	c = count_one(&t);
	assert_int_equal(c.tasks.in_progress, 1);
	assert_int_equal(c.tasks.behind, 0);

	/* Postponed past its deadline: tạm hoãn, not overdue. */
	t = mk(TASK_KIND_TASK, TASK_POSTPONED, true, -40);
	c = count_one(&t);
	assert_int_equal(c.tasks.postponed, 1);
	assert_int_equal(c.tasks.overdue, 0);

	/* Legacy statuses on a task: in progress, documented in report.h. */
	t = mk(TASK_KIND_TASK, TASK_NOT_ACHIEVED, true, -1);
	c = count_one(&t);
	assert_int_equal(c.tasks.in_progress, 1);
	assert_int_equal(c.tasks.behind, 1);
	t = mk(TASK_KIND_TASK, TASK_CANNOT_ASSESS, false, 0);
	c = count_one(&t);
	assert_int_equal(c.tasks.in_progress, 1);
	assert_int_equal(c.indicators.total, 0);
}

static void
test_done_on_time_or_late(void **state)
{
	struct task t;
	struct report_counts c;
	struct date oct1 = { 2025, 10, 1 }, oct3 = { 2025, 10, 3 };

	(void)state;
	/* Done on the due day in force then: on time. */
	t = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 30);
	done_on(&t, oct1, true, oct1);
	c = count_one(&t);
	assert_int_equal(c.tasks.done, 1);
	assert_int_equal(c.tasks.done_on_time, 1);
	assert_int_equal(c.tasks.done_late, 0);

	/*
	 * Done two days after the due day then in force, and the deadline
	 * moved later since (an extension approved after the fact): still late.
	 */
	t = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 30);
	done_on(&t, oct3, true, oct1);
	c = count_one(&t);
	assert_int_equal(c.tasks.done_late, 1);
	assert_int_equal(c.tasks.done_on_time, 0);
	assert_int_equal(c.tasks.overdue, 0);

	/* Done with no deadline: on time (nothing to be late against). */
	t = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, false, 0);
	done_on(&t, oct3, false, oct1);
	c = count_one(&t);
	assert_int_equal(c.tasks.done_on_time, 1);
}

static void
test_indicator_categories(void **state)
{
	struct task t;
	struct report_counts c;

	(void)state;
	t = mk(TASK_KIND_INDICATOR, TASK_DONE, false, 0);
	c = count_one(&t);
	assert_int_equal(c.indicators.total, 1);
	assert_int_equal(c.indicators.achieved, 1);
	assert_int_equal(c.tasks.total, 0);
	t = mk(TASK_KIND_INDICATOR, TASK_NOT_ACHIEVED, false, 0);
	c = count_one(&t);
	assert_int_equal(c.indicators.not_achieved, 1);
	for (int s = 0; s < _TASK_STATUS_MAX; s++) {
		if (s == TASK_DONE || s == TASK_NOT_ACHIEVED)
			continue;
		t = mk(TASK_KIND_INDICATOR, s, true, -5);
		c = count_one(&t);
		assert_int_equal(c.indicators.unassessed, 1);
		/* An indicator is never a task past its deadline. */
		assert_int_equal(c.tasks.overdue, 0);
	}
}

/* --- scopes ------------------------------------------------------------------ */

static const char *const AGENCY_NAMES[] = { "Sở A", "Sở B", "Sở C", "Sở D", "Sở E", "Sở F" };

static void
set_leads(struct task *t, const int64_t *ids, size_t n)
{
	t->n_leads = n;
	t->lead_ids = calloc(n ? n : 1, sizeof(*t->lead_ids));
	t->leads = calloc(n ? n : 1, sizeof(*t->leads));
	for (size_t i = 0; i < n; i++) {
		t->lead_ids[i] = ids[i];
		t->leads[i] = (char *)AGENCY_NAMES[ids[i] - 1];
	}
}

static void
free_leads(struct task *t)
{
	free(t->lead_ids);
	free(t->leads);
}

static const struct report_row *
agency(const struct report *r, int64_t id)
{
	for (size_t i = 0; i < r->n_agencies; i++)
		if (r->agencies[i].agency_id == id)
			return &r->agencies[i];
	return NULL;
}

static void
test_scopes(void **state)
{
	struct task v[4];
	struct report_query q = { .today = TODAY };
	struct report r;
	const int64_t ab[] = { 1, 2 }, b[] = { 2 }, aa[] = { 1, 1 };

	(void)state;
	v[0] = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 10);
	v[0].document = "328-KH/TU";
	set_leads(&v[0], ab, 2);
	v[1] = mk(TASK_KIND_TASK, TASK_NOT_STARTED, true, -10);
	v[1].document = "01-CTr/BCĐ";
	set_leads(&v[1], b, 1);
	v[2] = mk(TASK_KIND_INDICATOR, TASK_NOT_ACHIEVED, false, 0);
	set_leads(&v[2], NULL, 0);
	/* The same agency named twice on one task counts once in its row. */
	v[3] = mk(TASK_KIND_TASK, TASK_POSTPONED, false, 0);
	v[3].document = "328-KH/TU";
	set_leads(&v[3], aa, 2);

	report_begin(&q, &r);
	for (int i = 0; i < 4; i++)
		report_add(&r, &v[i]);
	assert_int_equal(report_end(&r), 0);
	assert_int_equal(r.all.tasks.total, 3);
	assert_int_equal(r.all.indicators.total, 1);
	/* Agency rows: A has tasks 0 and 3, B has 0 and 1, "no lead" the indicator. */
	assert_int_equal(r.n_agencies, 3);
	assert_int_equal(agency(&r, 1)->c.tasks.total, 2);
	assert_int_equal(agency(&r, 1)->c.tasks.postponed, 1);
	assert_int_equal(agency(&r, 2)->c.tasks.total, 2);
	assert_int_equal(agency(&r, 2)->c.tasks.overdue, 1);
	assert_string_equal(agency(&r, 2)->name, "Sở B");
	assert_int_equal(agency(&r, 0)->c.indicators.not_achieved, 1);
	assert_null(agency(&r, 0)->name);
	/* Document rows: by number, "no document" last, summing to the whole. */
	assert_int_equal(r.n_documents, 3);
	assert_string_equal(r.documents[0].name, "01-CTr/BCĐ");
	assert_string_equal(r.documents[1].name, "328-KH/TU");
	assert_int_equal(r.documents[1].c.tasks.total, 2);
	assert_null(r.documents[2].name);
	assert_int_equal(r.documents[2].c.indicators.total, 1);
	report_release(&r);

	/* One agency: its tasks, and only its own row. */
	q.agency_id = 2;
	report_begin(&q, &r);
	for (int i = 0; i < 4; i++)
		report_add(&r, &v[i]);
	assert_int_equal(report_end(&r), 0);
	assert_int_equal(r.all.tasks.total, 2);
	assert_int_equal(r.n_agencies, 1);
	assert_int_equal(r.agencies[0].agency_id, 2);
	report_release(&r);

	/* One document, named in another case and without diacritics. */
	q.agency_id = 0;
	q.document = "01-ctr/bcd";
	report_begin(&q, &r);
	for (int i = 0; i < 4; i++)
		report_add(&r, &v[i]);
	assert_int_equal(report_end(&r), 0);
	assert_int_equal(r.all.tasks.total, 1);
	assert_int_equal(r.all.tasks.not_started, 1);
	assert_int_equal(r.n_documents, 1);
	assert_string_equal(r.documents[0].name, "01-CTr/BCĐ");
	report_release(&r);
	for (int i = 0; i < 4; i++)
		free_leads(&v[i]);
}

static void
test_period(void **state)
{
	struct task v[4];
	struct report_query q = { .today = TODAY, .has_period = true,
				  .from = { 2025, 10, 1 }, .to = { 2025, 10, 10 } };
	struct report r;
	json_t *o;

	(void)state;
	v[0] = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 0);
	done_on(&v[0], (struct date){ 2025, 10, 1 }, true, (struct date){ 2025, 10, 5 });
	v[1] = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 0);
	done_on(&v[1], (struct date){ 2025, 10, 10 }, true, (struct date){ 2025, 10, 5 });
	/* Done the day after the period: not in it. */
	v[2] = mk(TASK_KIND_TASK, TASK_IN_PROGRESS, true, 0);
	done_on(&v[2], (struct date){ 2025, 10, 11 }, true, (struct date){ 2025, 10, 20 });
	v[3] = mk(TASK_KIND_INDICATOR, TASK_CANNOT_ASSESS, false, 0);
	v[3].created_at = noon((struct date){ 2025, 10, 10 });
	v[0].created_at = noon((struct date){ 2025, 9, 30 });

	report_begin(&q, &r);
	for (int i = 0; i < 4; i++)
		report_add(&r, &v[i]);
	assert_int_equal(report_end(&r), 0);
	assert_int_equal(r.all.tasks.done, 3);
	assert_int_equal(r.all.period.done, 2);
	assert_int_equal(r.all.period.done_on_time, 1);
	assert_int_equal(r.all.period.done_late, 1);
	assert_int_equal(r.all.period.created_tasks, 0);
	assert_int_equal(r.all.period.created_indicators, 1);
	o = report_counts_json(&r, &r.all);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "period"), "from")),
			    "2025-10-01");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "period"), "done")),
			 2);
	json_decref(o);
	report_release(&r);
}

static void
test_percent(void **state)
{
	(void)state;
	/* The committee's own figures (DESIGN §2). */
	assert_int_equal(report_percent(35, 82), 43);
	assert_int_equal(report_percent(29, 45), 64);
	assert_int_equal(report_percent(1, 2), 50);
	assert_int_equal(report_percent(1, 8), 13);	/* 12.5: halves up */
	assert_int_equal(report_percent(199, 200), 99);	/* never 100 before all are done */
	assert_int_equal(report_percent(200, 200), 100);
	assert_int_equal(report_percent(0, 0), 0);
	assert_int_equal(report_percent(0, 7), 0);
}

static void
test_check_catches_parts_that_do_not_add_up(void **state)
{
	struct task t = mk(TASK_KIND_TASK, TASK_NOT_STARTED, true, 5);
	struct report_query q = { .today = TODAY };
	struct report r;
	const char *what = NULL;

	(void)state;
	t.document = "328-KH/TU";
	report_begin(&q, &r);
	report_add(&r, &t);
	assert_int_equal(report_end(&r), 0);
	assert_int_equal(report_check(&r, &what), 0);
	assert_null(what);

	r.all.tasks.not_started++;	/* a category counted twice */
	assert_int_equal(report_check(&r, &what), -EPROTO);
	assert_non_null(strstr(what, "total"));
	r.all.tasks.not_started--;
	r.documents[0].c.tasks.overdue++;	/* a row that does not match the whole */
	r.documents[0].c.tasks.light[0]++;
	r.documents[0].c.tasks.total++;
	r.documents[0].c.tasks.not_started++;
	assert_int_equal(report_check(&r, &what), -EPROTO);
	assert_non_null(strstr(what, "document rows"));
	report_release(&r);
}

/* --- the property: random registries ------------------------------------------- */

#define REGISTRIES 300
#define AGENCIES 6

static const char *const DOCUMENTS[] = { "328-KH/TU", "01-CTr/BCĐ", "45/KH-UBND", "9-KH/BCĐ" };

/* A small xorshift: seeded, so that a failure is the same failure again. */
static uint64_t rng;

static unsigned
roll(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
random_task(struct task *t, int64_t id)
{
	int64_t ids[3];
	size_t n = roll(4);	/* 0..3 lead agencies, a repeat now and then */

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->kind = roll(4) == 0 ? TASK_KIND_INDICATOR : TASK_KIND_TASK;
	t->status = roll(_TASK_STATUS_MAX);
	t->document = roll(5) == 0 ? NULL : (char *)DOCUMENTS[roll(ELEMENTSOF(DOCUMENTS))];
	if (roll(4)) {
		t->deadline.has_due = true;
		t->deadline.due = day_plus(TODAY, (int)roll(121) - 60);
	}
	if (t->status == TASK_DONE) {
		struct date done = day_plus(TODAY, -(int)roll(60));

		t->done_at = noon(done);
		t->has_done_due = roll(5) != 0;
		t->done_due = day_plus(done, (int)roll(21) - 10);	/* before or after */
	}
	t->obstacle_open = roll(6) == 0;
	t->created_at = noon(day_plus(TODAY, -(int)roll(90)));
	for (size_t i = 0; i < n; i++)
		ids[i] = 1 + roll(AGENCIES);
	set_leads(t, ids, n);
}

/* The report of q over v[0..n): report_end must say it adds up. */
static void
build(const struct report_query *q, const struct task *v, size_t n, struct report *r)
{
	const char *what = NULL;

	report_begin(q, r);
	for (size_t i = 0; i < n; i++)
		report_add(r, &v[i]);
	assert_int_equal(report_end(r), 0);
	assert_int_equal(report_check(r, &what), 0);
}

static bool
leads(const struct task *t, int64_t id)
{
	for (size_t i = 0; i < t->n_leads; i++)
		if (t->lead_ids[i] == id)
			return true;
	return false;
}

static void
check_registry(const struct task *v, size_t n, const struct report_query *base)
{
	struct report r, one;
	struct report_query q = *base;
	int64_t tasks = 0, indicators = 0, docs = 0;

	build(&q, v, n, &r);
	for (size_t i = 0; i < n; i++) {
		tasks += v[i].kind == TASK_KIND_TASK;
		indicators += v[i].kind == TASK_KIND_INDICATOR;
	}
	assert_int_equal(r.all.tasks.total, tasks);
	assert_int_equal(r.all.indicators.total, indicators);
	for (size_t i = 0; i < r.n_documents; i++)
		docs += r.documents[i].c.tasks.total + r.documents[i].c.indicators.total;
	assert_int_equal(docs, (int64_t)n);

	/* Each agency row is that agency's report alone, and holds exactly its tasks. */
	for (int64_t a = 1; a <= AGENCIES; a++) {
		const struct report_row *row = agency(&r, a);
		int64_t mine = 0;

		for (size_t i = 0; i < n; i++)
			mine += leads(&v[i], a);
		assert_int_equal(row ? row->c.tasks.total + row->c.indicators.total : 0, mine);
		q = *base;
		q.agency_id = a;
		build(&q, v, n, &one);
		if (row)
			assert_memory_equal(&one.all, &row->c, sizeof(one.all));
		else
			assert_int_equal(one.all.tasks.total + one.all.indicators.total, 0);
		report_release(&one);
	}
	/* Each document row is that document's report alone. */
	for (size_t d = 0; d < r.n_documents; d++) {
		if (!r.documents[d].name)
			continue;
		q = *base;
		q.document = r.documents[d].name;
		build(&q, v, n, &one);
		assert_memory_equal(&one.all, &r.documents[d].c, sizeof(one.all));
		report_release(&one);
	}
	report_release(&r);
}

static void
test_random_registries_add_up(void **state)
{
	(void)state;
	rng = 0x9e3779b97f4a7c15ULL;	/* fixed: the same registries each run */
	for (int k = 0; k < REGISTRIES; k++) {
		size_t n = roll(80);
		struct task *v = calloc(n ? n : 1, sizeof(*v));
		struct report_query q = { .today = TODAY };

		for (size_t i = 0; i < n; i++)
			random_task(&v[i], (int64_t)i + 1);
		if (roll(2)) {
			q.has_period = true;
			q.from = day_plus(TODAY, -(int)roll(60));
			q.to = day_plus(q.from, (int)roll(40));
		}
		check_registry(v, n, &q);
		for (size_t i = 0; i < n; i++)
			free_leads(&v[i]);
		free(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_categories),
		cmocka_unit_test(test_done_on_time_or_late),
		cmocka_unit_test(test_indicator_categories),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_check_catches_parts_that_do_not_add_up),
		cmocka_unit_test(test_random_registries_add_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
