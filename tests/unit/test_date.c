/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/date.c: leap rules, month lengths, the day-number
 * conversion over the whole range deadlines may use (1900..2200), ISO
 * weekdays of known days, and the strict "YYYY-MM-DD" parser.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "date.h"
#include "macro.h"

static void
test_leap(void **state)
{
	(void)state;
	assert_true(date_is_leap(2024));
	assert_false(date_is_leap(2025));
	/* boundary: centuries are common years unless divisible by 400. */
	assert_false(date_is_leap(1900));
	assert_false(date_is_leap(2100));
	assert_false(date_is_leap(2200));
	assert_true(date_is_leap(2000));
	assert_true(date_is_leap(2400));
	assert_true(date_is_leap(4));
}

static void
test_days_in_month(void **state)
{
	static const int common[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		assert_int_equal(date_days_in_month(2025, m), common[m - 1]);
		assert_int_equal(date_days_in_month(2024, m),
				 m == 2 ? 29 : common[m - 1]);
	}
	assert_int_equal(date_days_in_month(2100, 2), 28);
	assert_int_equal(date_days_in_month(2000, 2), 29);
	assert_int_equal(date_days_in_month(2025, 0), 0);
	assert_int_equal(date_days_in_month(2025, 13), 0);
	assert_int_equal(date_days_in_month(2025, -1), 0);
}

static void
test_is_valid(void **state)
{
	(void)state;
	assert_true(date_is_valid(2025, 9, 30));
	assert_true(date_is_valid(2024, 2, 29));
	assert_true(date_is_valid(2000, 2, 29));
	assert_false(date_is_valid(2025, 2, 29));
	assert_false(date_is_valid(2100, 2, 29));
	assert_false(date_is_valid(2025, 2, 30));
	assert_false(date_is_valid(2025, 9, 31));
	assert_false(date_is_valid(2025, 1, 32));
	assert_false(date_is_valid(2025, 1, 0));
	assert_false(date_is_valid(2025, 0, 1));
	assert_false(date_is_valid(2025, 13, 1));
	/* boundary: years 1 and 9999 are the ends of the range. */
	assert_true(date_is_valid(1, 1, 1));
	assert_true(date_is_valid(9999, 12, 31));
	assert_false(date_is_valid(0, 12, 31));
	assert_false(date_is_valid(10000, 1, 1));
}

static void
test_known_days(void **state)
{
	static const struct {
		struct date d;
		int64_t days;
		int weekday;
	} known[] = {
		{ { 1970, 1, 1 }, 0, 4 },
		{ { 1969, 12, 31 }, -1, 3 },
		{ { 2000, 1, 1 }, 10957, 6 },
		{ { 1900, 1, 1 }, -25567, 1 },
		{ { 2024, 2, 29 }, 19782, 4 },
		{ { 2025, 9, 30 }, 20361, 2 },	/* a Tuesday */
		{ { 2200, 12, 31 }, 84370, 3 },
	};
	size_t k;

	(void)state;
	for (k = 0; k < ELEMENTSOF(known); k++) {
		struct date d = known[k].d, back;

		if (date_to_days(d) != known[k].days)
			fail_msg("%04d-%02d-%02d: day %lld, expected %lld", d.y,
				 d.m, d.d, (long long)date_to_days(d),
				 (long long)known[k].days);
		back = date_from_days(known[k].days);
		assert_int_equal(date_cmp(back, d), 0);
		if (date_weekday(d) != known[k].weekday)
			fail_msg("%04d-%02d-%02d: weekday %d, expected %d", d.y,
				 d.m, d.d, date_weekday(d), known[k].weekday);
	}
}

/*
 * Walks every day from 1900-01-01 to 2200-12-31: each converts to the
 * next day number and back, and weekdays cycle 1..7.
 */
static void
test_round_trip(void **state)
{
	struct date d = { 1900, 1, 1 };
	int64_t n = date_to_days(d);
	int w = date_weekday(d);
	long count = 0;

	(void)state;
	while (d.y <= 2200) {
		struct date back = date_from_days(n);

		if (date_to_days(d) != n || date_cmp(back, d) != 0)
			fail_msg("%04d-%02d-%02d does not round-trip (day %lld)",
				 d.y, d.m, d.d, (long long)n);
		if (date_weekday(d) != w)
			fail_msg("%04d-%02d-%02d: weekday %d, expected %d", d.y,
				 d.m, d.d, date_weekday(d), w);
		/* The next day, by the calendar rules, not by the code under test. */
		if (++d.d > date_days_in_month(d.y, d.m)) {
			d.d = 1;
			if (++d.m > 12) {
				d.m = 1;
				d.y++;
			}
		}
		n++;
		w = w % 7 + 1;
		count++;
	}
	/* 301 years, 73 of them leap (2000 is, 1900, 2100 and 2200 are not). */
	assert_int_equal(count, 301 * 365 + 73);
}

static void
test_format(void **state)
{
	char iso[DATE_ISO_LEN];

	(void)state;
	date_format_iso((struct date){ 2025, 9, 30 }, iso);
	assert_string_equal(iso, "2025-09-30");
	date_format_iso((struct date){ 1, 1, 1 }, iso);
	assert_string_equal(iso, "0001-01-01");
	date_format_iso((struct date){ 9999, 12, 31 }, iso);
	assert_string_equal(iso, "9999-12-31");
}

static void
test_parse_iso(void **state)
{
	static const char *const bad[] = {
		"2025-02-30", "2025-2-3", "abcd-ef-gh", "", "2025-09-3",
		"2025-09-300", "2025-09-30x", " 2025-09-30", "2025/09/30",
		"2025-13-01", "2025-00-10", "2025-01-00", "0000-01-01",
		"2025-02-29", "2100-02-29", "+025-01-01", "2025-0a-01",
		"20250930",
	};
	struct date d, sentinel = { 7, 7, 7 };
	char iso[DATE_ISO_LEN];
	size_t k;

	(void)state;
	assert_int_equal(date_parse_iso("2025-09-30", &d), 0);
	assert_int_equal(d.y, 2025);
	assert_int_equal(d.m, 9);
	assert_int_equal(d.d, 30);
	assert_int_equal(date_parse_iso("2024-02-29", &d), 0);
	assert_int_equal(date_parse_iso("2000-02-29", &d), 0);
	assert_int_equal(date_parse_iso("0001-01-01", &d), 0);
	for (k = 0; k < ELEMENTSOF(bad); k++) {
		d = sentinel;
		if (date_parse_iso(bad[k], &d) != -EINVAL)
			fail_msg("'%s' accepted", bad[k]);
		/* *ret is untouched on failure. */
		if (date_cmp(d, sentinel) != 0)
			fail_msg("'%s': ret written on failure", bad[k]);
	}
	assert_int_equal(date_parse_iso(NULL, &d), -EINVAL);
	/* Format and parse are inverses. */
	date_format_iso((struct date){ 2026, 1, 31 }, iso);
	assert_int_equal(date_parse_iso(iso, &d), 0);
	assert_int_equal(date_cmp(d, (struct date){ 2026, 1, 31 }), 0);
}

static void
test_cmp(void **state)
{
	struct date a = { 2025, 9, 30 };

	(void)state;
	assert_int_equal(date_cmp(a, a), 0);
	assert_int_equal(date_cmp(a, (struct date){ 2025, 10, 1 }), -1);
	assert_int_equal(date_cmp((struct date){ 2025, 10, 1 }, a), 1);
	assert_int_equal(date_cmp(a, (struct date){ 2026, 1, 1 }), -1);
	assert_int_equal(date_cmp(a, (struct date){ 2025, 9, 29 }), 1);
	assert_int_equal(date_cmp(a, (struct date){ 2024, 12, 31 }), 1);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_is_valid),
		cmocka_unit_test(test_known_days),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_cmp),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
