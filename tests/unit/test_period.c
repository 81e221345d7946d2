/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of period.c: the reporting days of recurring tasks (short
 * months, December to January, quarter and half ends, the policy's
 * RRULE), the day each period is first asked (holidays around the
 * reporting day), the period asked on a day, and what a period is called.
 * The shipped schedules/ (policy.ini, the Vietnamese holidays) are used.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "calendar.h"
#include "deadline.h"
#include "period.h"
#include "schedule.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

static struct schedule *sch;

static int
setup(void **state)
{
	char *msg = NULL;

	(void)state;
	if (schedule_load("schedules", D(2025, 10, 1), &sch, &msg) < 0) {
		fprintf(stderr, "schedule_load: %s\n", msg ? msg : "?");
		free(msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sch = schedule_free(sch);
	return 0;
}

static struct deadline
every(enum deadline_every e, int day)
{
	return (struct deadline){ .precision = DEADLINE_RECURRING, .every = e, .every_day = day };
}

static void
expect_day(struct date got, struct date want, const char *what)
{
	if (date_cmp(got, want) != 0)
		fail_msg("%s: got %04d-%02d-%02d, wanted %04d-%02d-%02d", what, got.y, got.m, got.d,
			 want.y, want.m, want.d);
}

static struct date
next(const struct deadline *dl, struct date from)
{
	struct date rd = { 0 };

	assert_int_equal(period_next(sch, dl, from, &rd), 0);
	return rd;
}

static struct date
prev(const struct deadline *dl, struct date day)
{
	struct date rd = { 0 };

	assert_int_equal(period_prev(sch, dl, day, &rd), 0);
	return rd;
}

/* "Ngày 31 hàng tháng" ends on each month's last day; the 20th is the 20th. */
static void
test_month_days(void **state)
{
	struct deadline d31 = every(EVERY_MONTH, 31), d20 = every(EVERY_MONTH, 20),
			d0 = every(EVERY_MONTH, 0), d30 = every(EVERY_MONTH, 30);

	(void)state;
	expect_day(next(&d31, D(2025, 4, 1)), D(2025, 4, 30), "31st in April");
	expect_day(next(&d31, D(2025, 2, 1)), D(2025, 2, 28), "31st in February 2025");
	expect_day(next(&d31, D(2024, 2, 1)), D(2024, 2, 29), "31st in February 2024");
	expect_day(next(&d30, D(2026, 2, 1)), D(2026, 2, 28), "30th in February 2026");
	expect_day(next(&d31, D(2025, 1, 31)), D(2025, 1, 31), "on the day itself");
	expect_day(next(&d20, D(2025, 10, 20)), D(2025, 10, 20), "the 20th on the 20th");
	expect_day(next(&d20, D(2025, 10, 21)), D(2025, 11, 20), "the 21st: next month");
	expect_day(next(&d20, D(2025, 12, 21)), D(2026, 1, 20), "December to January");
	expect_day(prev(&d20, D(2026, 1, 20)), D(2025, 12, 20), "back from January to December");
	expect_day(prev(&d20, D(2026, 1, 21)), D(2026, 1, 20), "before the 21st: the 20th");
	/* No day named: the policy's [recurring] day (20). */
	expect_day(next(&d0, D(2025, 10, 1)), D(2025, 10, 20), "the policy's day");
}

/* Quarters end in March, June, September, December; halves in June, December. */
static void
test_fixed_ends(void **state)
{
	struct deadline q = every(EVERY_QUARTER, 0), q31 = every(EVERY_QUARTER, 31),
			h = every(EVERY_HALF, 0), y = every(EVERY_YEAR, 10);

	(void)state;
	expect_day(next(&q, D(2025, 10, 1)), D(2025, 12, 20), "quarter IV");
	expect_day(next(&q, D(2025, 12, 21)), D(2026, 3, 20), "quarter I of the next year");
	expect_day(next(&q, D(2025, 9, 20)), D(2025, 9, 20), "quarter III on its day");
	expect_day(next(&q31, D(2025, 4, 1)), D(2025, 6, 30), "the 31st of a quarter ending in June");
	expect_day(prev(&q, D(2025, 12, 20)), D(2025, 9, 20), "the quarter before IV");
	expect_day(prev(&q, D(2025, 2, 1)), D(2024, 12, 20), "before February: December");
	expect_day(next(&h, D(2025, 7, 1)), D(2025, 12, 20), "second half");
	expect_day(next(&h, D(2025, 1, 1)), D(2025, 6, 20), "first half");
	expect_day(prev(&h, D(2025, 6, 20)), D(2024, 12, 20), "the half before June");
	expect_day(next(&y, D(2025, 12, 11)), D(2026, 12, 10), "a year past the day");
	expect_day(prev(&y, D(2025, 12, 11)), D(2025, 12, 10), "the year's day before");
}

/* "Thường xuyên" follows policy.ini's rrule (the 20th); stored without a period, too. */
static void
test_policy(void **state)
{
	struct deadline p = every(EVERY_POLICY, 0);
	struct deadline old = { .precision = DEADLINE_RECURRING };
	struct deadline none = { .precision = DEADLINE_DAY, .has_due = true, .due = D(2025, 9, 30) };
	struct date rd;

	(void)state;
	expect_day(next(&p, D(2025, 10, 21)), D(2025, 11, 20), "the policy's next 20th");
	expect_day(prev(&p, D(2025, 11, 20)), D(2025, 10, 20), "the policy's 20th before");
	expect_day(next(&old, D(2025, 10, 1)), D(2025, 10, 20), "no period stored: the policy's");
	assert_int_equal(period_every(&old), EVERY_POLICY);
	assert_int_equal(period_next(sch, &none, D(2025, 10, 1), &rd), -EINVAL);
}

/*
 * A period is asked 3 working days before its reporting day (policy.ini
 * before = 3, 0), counted from the working day before a reporting day off.
 */
static void
test_ask_day(void **state)
{
	(void)state;
	/* 20/10/2025 is a Monday: asked Wednesday 15/10. */
	expect_day(period_ask_day(sch, D(2025, 10, 20)), D(2025, 10, 15), "Monday 20/10/2025");
	/* 20/12/2025 is a Saturday: due Friday 19/12, asked Tuesday 16/12. */
	expect_day(period_ask_day(sch, D(2025, 12, 20)), D(2025, 12, 16), "Saturday 20/12/2025");
	/* 20/02/2026 falls in Tết (14-22/02): due Friday 13/02, asked Tuesday 10/02. */
	expect_day(period_ask_day(sch, D(2026, 2, 20)), D(2026, 2, 10), "20/02/2026 in Tết");
	/* 02/09/2025, National Day (and 01/09 off): due Friday 29/08, asked 26/08. */
	expect_day(period_ask_day(sch, D(2025, 9, 2)), D(2025, 8, 26), "02/09/2025");
}

/* The period asked on a day, and the first one a new task counts. */
static void
test_asked(void **state)
{
	struct deadline m = every(EVERY_MONTH, 20), q = every(EVERY_QUARTER, 0);
	struct date rd;

	(void)state;
	assert_int_equal(period_asked(sch, &m, D(2025, 10, 14), &rd), 0);
	expect_day(rd, D(2025, 9, 20), "the day before October is asked");
	assert_int_equal(period_asked(sch, &m, D(2025, 10, 15), &rd), 0);
	expect_day(rd, D(2025, 10, 20), "October from its first reminder");
	assert_int_equal(period_asked(sch, &m, D(2025, 11, 3), &rd), 0);
	expect_day(rd, D(2025, 10, 20), "still October after its day");
	assert_int_equal(period_asked(sch, &m, D(2026, 1, 5), &rd), 0);
	expect_day(rd, D(2025, 12, 20), "December into January");
	assert_int_equal(period_asked(sch, &q, D(2025, 11, 30), &rd), 0);
	expect_day(rd, D(2025, 9, 20), "quarter III until quarter IV is asked");
	/* Created 25/10: October does not count, November is the first. */
	assert_int_equal(period_current(sch, &m, D(2025, 10, 25), D(2025, 10, 26), &rd), 0);
	expect_day(rd, D(2025, 11, 20), "a task counts no period before it existed");
	/* Created 18/10: October counts, asked at once. */
	assert_int_equal(period_current(sch, &m, D(2025, 10, 18), D(2025, 10, 18), &rd), 0);
	expect_day(rd, D(2025, 10, 20), "created within October's asking days");
	assert_int_equal(period_current(sch, &m, D(2025, 1, 2), D(2025, 10, 26), &rd), 0);
	expect_day(rd, D(2025, 10, 20), "an old task: the period asked today");
}

static void
test_late_and_labels(void **state)
{
	struct deadline m = every(EVERY_MONTH, 20), q = every(EVERY_QUARTER, 0),
			h = every(EVERY_HALF, 0), y = every(EVERY_YEAR, 0), p = every(EVERY_POLICY, 0);
	char out[PERIOD_LABEL_LEN];

	(void)state;
	assert_int_equal(period_late_workdays(sch, D(2025, 10, 20), D(2025, 10, 20)), 0);
	assert_int_equal(period_late_workdays(sch, D(2025, 10, 20), D(2025, 10, 17)), 0);
	assert_int_equal(period_late_workdays(sch, D(2025, 10, 20), D(2025, 10, 23)), 3);
	/* A Saturday reporting day, reported on Sunday: no working day lost. */
	assert_int_equal(period_late_workdays(sch, D(2025, 12, 20), D(2025, 12, 21)), 0);
	assert_string_equal(period_label(&m, D(2025, 10, 20), out), "tháng 10/2025");
	assert_string_equal(period_label(&q, D(2025, 12, 20), out), "quý IV/2025");
	assert_string_equal(period_label(&q, D(2026, 3, 20), out), "quý I/2026");
	assert_string_equal(period_label(&h, D(2026, 6, 20), out), "6 tháng đầu năm 2026");
	assert_string_equal(period_label(&h, D(2026, 12, 20), out), "6 tháng cuối năm 2026");
	assert_string_equal(period_label(&y, D(2025, 12, 20), out), "năm 2025");
	assert_string_equal(period_label(&p, D(2025, 10, 20), out), "20/10/2025");
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_days),
		cmocka_unit_test(test_fixed_ends),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_ask_day),
		cmocka_unit_test(test_asked),
		cmocka_unit_test(test_late_and_labels),
	};

	return cmocka_run_group_tests_name("period", tests, setup, teardown);
}
