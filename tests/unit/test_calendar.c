/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of calendar.c: working days forward and back across weekends,
 * holidays and swapped Saturdays, the weekday mask, and the fast index
 * checked against plain day-by-day stepping, inside, outside and across
 * the edges of its 1990-2150 window.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "calendar.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

static void
assert_date(struct date got, struct date want)
{
	char g[DATE_ISO_LEN], w[DATE_ISO_LEN];

	date_format_iso(got, g);
	date_format_iso(want, w);
	assert_string_equal(g, w);
}

static struct date
add_days(struct date d, int64_t n)
{
	return date_from_days(date_to_days(d) + n);
}

/* The reference: one day at a time, asking calendar_is_workday only. */
static struct date
ref_add(const struct calendar *cal, struct date d, int n)
{
	int step = n > 0 ? 1 : -1;

	if (n == 0) {
		if (calendar_is_workday(cal, d))
			return d;
		n = -1;
		step = -1;
	}
	while (n != 0) {
		d = add_days(d, step);
		if (calendar_is_workday(cal, d))
			n -= step;
	}
	return d;
}

static int
ref_between(const struct calendar *cal, struct date a, struct date b)
{
	int n = 0;

	for (struct date d = add_days(a, 1); date_cmp(d, b) <= 0; d = add_days(d, 1))
		if (calendar_is_workday(cal, d))
			n++;
	return n;
}

/* A small deterministic generator, so failures reproduce. */
static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void
test_plain_weekends(void **state)
{
	(void)state;
	/* 19/9/2025 is a Friday. */
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 19), 1), D(2025, 9, 22));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 20), 1), D(2025, 9, 22));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 21), 1), D(2025, 9, 22));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 22), -1), D(2025, 9, 19));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 21), -1), D(2025, 9, 19));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 20), -1), D(2025, 9, 19));
	/* Zero: the day itself when worked, else the working day before. */
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 22), 0), D(2025, 9, 22));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 20), 0), D(2025, 9, 19));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 21), 0), D(2025, 9, 19));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 19), 5), D(2025, 9, 26));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 19), 10), D(2025, 10, 3));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 30), -7), D(2025, 9, 19));
	assert_date(calendar_add_workdays(NULL, D(2025, 9, 30), 15), D(2025, 10, 21));
	/* Across a year end and a leap day. */
	assert_date(calendar_add_workdays(NULL, D(2027, 12, 31), 1), D(2028, 1, 3));
	assert_date(calendar_add_workdays(NULL, D(2028, 2, 28), 1), D(2028, 2, 29));
	assert_int_equal(calendar_workdays_between(NULL, D(2025, 9, 19), D(2025, 9, 30)), 7);
	assert_int_equal(calendar_workdays_between(NULL, D(2025, 9, 19), D(2025, 9, 19)), 0);
	assert_int_equal(calendar_workdays_between(NULL, D(2025, 9, 20), D(2025, 9, 21)), 0);
	assert_int_equal(calendar_workdays_between(NULL, D(2025, 9, 30), D(2025, 9, 19)), 0);
	assert_int_equal(calendar_workdays_between(NULL, D(2025, 1, 1), D(2025, 12, 31)), 260);
}

static void
test_holidays_and_swaps(void **state)
{
	struct calendar *cal = calendar_new();

	(void)state;
	/* Quốc khánh 2025: Saturday 30/8 to Tuesday 2/9 off. */
	for (int d = 30; d <= 31; d++)
		assert_int_equal(calendar_add_day_off(cal, D(2025, 8, d)), 0);
	assert_int_equal(calendar_add_day_off(cal, D(2025, 9, 1)), 0);
	assert_int_equal(calendar_add_day_off(cal, D(2025, 9, 2)), 0);
	assert_int_equal(calendar_add_day_off(cal, D(2025, 9, 2)), 0);	/* twice is fine */
	assert_date(calendar_add_workdays(cal, D(2025, 8, 29), 1), D(2025, 9, 3));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 3), -1), D(2025, 8, 29));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 1), 0), D(2025, 8, 29));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 2), 1), D(2025, 9, 3));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 1), -1), D(2025, 8, 29));
	assert_int_equal(calendar_workdays_between(cal, D(2025, 8, 29), D(2025, 9, 5)), 3);

	/* 26/4/2025, a Saturday, was worked in exchange for Friday 2/5. */
	assert_int_equal(calendar_add_work_day(cal, D(2025, 4, 26)), 0);
	assert_int_equal(calendar_add_day_off(cal, D(2025, 5, 2)), 0);
	assert_true(calendar_is_workday(cal, D(2025, 4, 26)));
	assert_date(calendar_add_workdays(cal, D(2025, 4, 25), 1), D(2025, 4, 26));
	assert_date(calendar_add_workdays(cal, D(2025, 4, 26), 0), D(2025, 4, 26));
	assert_date(calendar_add_workdays(cal, D(2025, 4, 28), -1), D(2025, 4, 26));
	assert_date(calendar_add_workdays(cal, D(2025, 5, 1), 1), D(2025, 5, 5));
	assert_int_equal(calendar_workdays_between(cal, D(2025, 4, 25), D(2025, 4, 28)), 2);

	/* A day both off and worked is worked: the swap wins. */
	assert_int_equal(calendar_add_day_off(cal, D(2025, 4, 26)), 0);
	assert_true(calendar_is_workday(cal, D(2025, 4, 26)));
	assert_date(calendar_add_workdays(cal, D(2025, 4, 25), 1), D(2025, 4, 26));

	assert_int_equal(calendar_add_day_off(cal, D(2025, 2, 29)), -EINVAL);
	assert_int_equal(calendar_add_work_day(cal, D(2025, 13, 1)), -EINVAL);
	calendar_free(cal);
	assert_null(calendar_free(NULL));
}

static void
test_weekdays_mask(void **state)
{
	struct calendar *cal = calendar_new();

	(void)state;
	assert_int_equal(calendar_set_weekdays(cal, 0), -EINVAL);
	assert_int_equal(calendar_set_weekdays(cal, 0x80), -EINVAL);
	assert_int_equal(calendar_set_weekdays(cal, 0x1ff), -EINVAL);
	/* The index is built by this query, then must follow the new mask. */
	assert_int_equal(calendar_workdays_between(cal, D(2025, 9, 19), D(2025, 9, 26)), 5);
	assert_int_equal(calendar_set_weekdays(cal, 0x3f), 0);	/* Monday to Saturday */
	assert_true(calendar_is_workday(cal, D(2025, 9, 20)));
	assert_false(calendar_is_workday(cal, D(2025, 9, 21)));
	assert_int_equal(calendar_workdays_between(cal, D(2025, 9, 19), D(2025, 9, 26)), 6);
	assert_date(calendar_add_workdays(cal, D(2025, 9, 19), 1), D(2025, 9, 20));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 21), 0), D(2025, 9, 20));
	/* Only Mondays. */
	assert_int_equal(calendar_set_weekdays(cal, 0x01), 0);
	assert_date(calendar_add_workdays(cal, D(2025, 9, 22), 1), D(2025, 9, 29));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 22), -2), D(2025, 9, 8));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 26), 0), D(2025, 9, 22));
	assert_int_equal(calendar_workdays_between(cal, D(2025, 9, 1), D(2025, 9, 30)), 4);
	/* Exceptions still apply: a swapped Saturday under the Monday mask. */
	assert_int_equal(calendar_add_work_day(cal, D(2025, 9, 27)), 0);
	assert_date(calendar_add_workdays(cal, D(2025, 9, 22), 1), D(2025, 9, 27));
	/* Every day. */
	assert_int_equal(calendar_set_weekdays(cal, 0x7f), 0);
	assert_date(calendar_add_workdays(cal, D(2025, 9, 19), 2), D(2025, 9, 21));
	calendar_free(cal);
}

static void
test_index_rebuilt_after_change(void **state)
{
	struct calendar *cal = calendar_new();

	(void)state;
	assert_date(calendar_add_workdays(cal, D(2026, 2, 13), 1), D(2026, 2, 16));
	for (int d = 14; d <= 22; d++)
		assert_int_equal(calendar_add_day_off(cal, D(2026, 2, d)), 0);
	assert_date(calendar_add_workdays(cal, D(2026, 2, 13), 1), D(2026, 2, 23));
	assert_date(calendar_add_workdays(cal, D(2026, 2, 27), -7), D(2026, 2, 11));
	assert_int_equal(calendar_workdays_between(cal, D(2026, 2, 13), D(2026, 2, 23)), 1);
	calendar_free(cal);
}

/* A calendar with exceptions inside the index window and on both sides. */
static struct calendar *
busy_calendar(uint32_t seed)
{
	struct calendar *cal = calendar_new();
	static const int years[] = { 1984, 1987, 1989, 1990, 1995, 2025, 2026,
				     2100, 2149, 2150, 2151, 2153 };

	for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		struct date start = D(years[i], 1, 1);

		for (int k = 0; k < 40; k++) {
			struct date d = add_days(start, lcg(&seed) % 366);

			assert_int_equal(calendar_add_day_off(cal, d), 0);
			assert_int_equal(calendar_add_work_day(cal, add_days(start, lcg(&seed) % 366)),
					 0);
		}
	}
	/* A long run of days off right at each edge of the window. */
	for (int k = -10; k < 10; k++) {
		assert_int_equal(calendar_add_day_off(cal, add_days(D(1990, 1, 1), k)), 0);
		assert_int_equal(calendar_add_day_off(cal, add_days(D(2151, 1, 1), k)), 0);
	}
	return cal;
}

/* Compares the fast answers with stepping around a few centre days. */
static void
compare_with_reference(const struct calendar *cal, uint32_t seed)
{
	static const struct date centres[] = {
		{ 1985, 6, 1 }, { 1990, 1, 1 }, { 1989, 12, 31 }, { 1990, 1, 2 },
		{ 2025, 9, 30 }, { 2026, 2, 17 }, { 2150, 12, 31 }, { 2151, 1, 1 },
		{ 2150, 12, 15 }, { 2151, 1, 10 }, { 2155, 3, 3 },
	};

	for (size_t c = 0; c < sizeof(centres) / sizeof(centres[0]); c++) {
		for (int k = 0; k < 150; k++) {
			struct date d = add_days(centres[c], (int64_t)(lcg(&seed) % 121) - 60);
			struct date e = add_days(d, lcg(&seed) % 400);
			int n = (int)(lcg(&seed) % 121) - 60;
			char msg[96], ds[DATE_ISO_LEN], es[DATE_ISO_LEN];

			date_format_iso(d, ds);
			date_format_iso(e, es);
			snprintf(msg, sizeof(msg), "%s %+d / %s..%s", ds, n, ds, es);
			if (date_cmp(calendar_add_workdays(cal, d, n), ref_add(cal, d, n)) != 0 ||
			    calendar_workdays_between(cal, d, e) != ref_between(cal, d, e))
				fail_msg("fast and stepping differ at %s", msg);
		}
	}
}

static void
test_index_agrees_with_stepping(void **state)
{
	struct calendar *busy = busy_calendar(7), *empty = calendar_new();

	(void)state;
	compare_with_reference(busy, 11);
	compare_with_reference(empty, 13);
	compare_with_reference(NULL, 17);
	assert_int_equal(calendar_set_weekdays(busy, 0x5b), 0);	/* Mon Tue Thu Fri Sun */
	compare_with_reference(busy, 19);

	/* Every day of several whole years, both ways, n from -3 to 3. */
	for (struct date d = D(2024, 1, 1); date_cmp(d, D(2028, 1, 1)) < 0; d = add_days(d, 1))
		for (int n = -3; n <= 3; n++)
			if (date_cmp(calendar_add_workdays(busy, d, n), ref_add(busy, d, n)) != 0)
				fail_msg("add_workdays differs at %d-%02d-%02d %+d", d.y, d.m, d.d, n);

	/* Long jumps that start inside the window and end outside it. */
	assert_date(calendar_add_workdays(busy, D(2150, 12, 1), 40),
		    ref_add(busy, D(2150, 12, 1), 40));
	assert_date(calendar_add_workdays(busy, D(1990, 2, 1), -40),
		    ref_add(busy, D(1990, 2, 1), -40));
	assert_date(calendar_add_workdays(busy, D(1989, 11, 1), 60),
		    ref_add(busy, D(1989, 11, 1), 60));
	assert_date(calendar_add_workdays(NULL, D(2025, 1, 1), 2000),
		    ref_add(NULL, D(2025, 1, 1), 2000));
	assert_date(calendar_add_workdays(NULL, D(2025, 1, 4), -2001),
		    ref_add(NULL, D(2025, 1, 4), -2001));
	/* A span covering the whole window and more. */
	assert_int_equal(calendar_workdays_between(busy, D(1980, 3, 3), D(2160, 5, 5)),
			 ref_between(busy, D(1980, 3, 3), D(2160, 5, 5)));
	assert_int_equal(calendar_workdays_between(empty, D(1980, 3, 3), D(2160, 5, 5)),
			 ref_between(empty, D(1980, 3, 3), D(2160, 5, 5)));
	calendar_free(busy);
	calendar_free(empty);
}

/*
 * Not a benchmark: a guard that queries stay O(1).  Stepping day by day
 * would need about 10^10 steps here; the index needs 4 * 10^5 lookups.
 * The bound is on this process's CPU time, which a loaded machine does
 * not stretch as it stretches the wall clock.
 */
static void
test_index_is_fast(void **state)
{
	struct calendar *cal = busy_calendar(3);
	struct timespec t0, t1;
	int64_t sum = 0;

	(void)state;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (int i = 0; i < 200000; i++) {
		struct date d = add_days(D(2000, 1, 1), i % 30000);

		sum += calendar_workdays_between(cal, D(1995, 1, 1), d);
		sum += calendar_add_workdays(cal, d, i % 2 ? 5000 : -5000).d;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	assert_true(sum > 0);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	calendar_free(cal);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_weekends),
		cmocka_unit_test(test_holidays_and_swaps),
		cmocka_unit_test(test_weekdays_mask),
		cmocka_unit_test(test_index_rebuilt_after_change),
		cmocka_unit_test(test_index_agrees_with_stepping),
		cmocka_unit_test(test_index_is_fast),
	};

	return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
