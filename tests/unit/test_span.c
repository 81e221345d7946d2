/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/span.c: the names, the calendar's periods (leap February,
 * December, the quarter and half boundaries) and the provincial 15th-to-
 * 14th windows the committee's reporting decisions use, on both sides of
 * the cut-off day.
 */
#include "testlib.h"

#include <errno.h>

#include "span.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

/* The window of k holding of with cutoff c is from-to, both "YYYY-MM-DD". */
static void
expect(enum span_kind k, struct date of, int c, const char *from, const char *to)
{
	struct date f = { 0 }, t = { 0 };
	char fs[DATE_ISO_LEN], ts[DATE_ISO_LEN];

	assert_int_equal(span_window(k, of, c, &f, &t), 0);
	date_format_iso(f, fs);
	date_format_iso(t, ts);
	assert_string_equal(fs, from);
	assert_string_equal(ts, to);
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(span_from_string("month"), SPAN_MONTH);
	assert_int_equal(span_from_string("quarter"), SPAN_QUARTER);
	assert_int_equal(span_from_string("half"), SPAN_HALF);
	assert_int_equal(span_from_string("9months"), SPAN_9MONTHS);
	assert_int_equal(span_from_string("year"), SPAN_YEAR);
	assert_int_equal(span_from_string("since_last"), SPAN_SINCE_LAST);
	assert_int_equal(span_from_string("week"), _SPAN_INVALID);
	assert_int_equal(span_from_string("Month"), _SPAN_INVALID);
	assert_int_equal(span_from_string(""), _SPAN_INVALID);
	assert_int_equal(span_from_string(NULL), _SPAN_INVALID);
	for (int k = 0; k < _SPAN_MAX; k++)
		assert_int_equal(span_from_string(span_to_string(k)), k);
	assert_null(span_to_string(_SPAN_MAX));
	assert_null(span_to_string(_SPAN_INVALID));
}

static void
test_calendar(void **state)
{
	(void)state;
	expect(SPAN_MONTH, D(2025, 9, 10), 0, "2025-09-01", "2025-09-30");
	/* boundary: February of a leap year and of a common one, century rules. */
	expect(SPAN_MONTH, D(2024, 2, 29), 0, "2024-02-01", "2024-02-29");
	expect(SPAN_MONTH, D(2025, 2, 1), 0, "2025-02-01", "2025-02-28");
	expect(SPAN_MONTH, D(2100, 2, 3), 0, "2100-02-01", "2100-02-28");
	expect(SPAN_MONTH, D(2000, 2, 3), 0, "2000-02-01", "2000-02-29");
	expect(SPAN_MONTH, D(2025, 12, 31), 0, "2025-12-01", "2025-12-31");
	expect(SPAN_QUARTER, D(2025, 9, 30), 0, "2025-07-01", "2025-09-30");
	expect(SPAN_QUARTER, D(2025, 7, 1), 0, "2025-07-01", "2025-09-30");
	expect(SPAN_QUARTER, D(2025, 1, 1), 0, "2025-01-01", "2025-03-31");
	expect(SPAN_QUARTER, D(2025, 12, 31), 0, "2025-10-01", "2025-12-31");
	expect(SPAN_HALF, D(2025, 6, 30), 0, "2025-01-01", "2025-06-30");
	expect(SPAN_HALF, D(2025, 7, 1), 0, "2025-07-01", "2025-12-31");
	expect(SPAN_9MONTHS, D(2025, 3, 5), 0, "2025-01-01", "2025-09-30");
	/* boundary: a day of the last quarter asks for the year's nine months. */
	expect(SPAN_9MONTHS, D(2025, 11, 5), 0, "2025-01-01", "2025-09-30");
	expect(SPAN_YEAR, D(2024, 2, 29), 0, "2024-01-01", "2024-12-31");
}

/* The provincial windows, cut-off 14 (the examples of the issue). */
static void
test_cutoff(void **state)
{
	(void)state;
	expect(SPAN_MONTH, D(2025, 9, 1), 14, "2025-08-15", "2025-09-14");
	/* boundary: the 14th closes month 9, the 15th opens month 10. */
	expect(SPAN_MONTH, D(2025, 9, 14), 14, "2025-08-15", "2025-09-14");
	expect(SPAN_MONTH, D(2025, 9, 15), 14, "2025-09-15", "2025-10-14");
	expect(SPAN_QUARTER, D(2025, 9, 1), 14, "2025-06-15", "2025-09-14");
	expect(SPAN_QUARTER, D(2025, 6, 15), 14, "2025-06-15", "2025-09-14");
	expect(SPAN_QUARTER, D(2025, 6, 14), 14, "2025-03-15", "2025-06-14");
	expect(SPAN_YEAR, D(2025, 1, 1), 14, "2024-12-15", "2025-12-14");
	expect(SPAN_YEAR, D(2025, 9, 1), 14, "2024-12-15", "2025-12-14");
	/* boundary: after the 14th of December the next year's window runs. */
	expect(SPAN_YEAR, D(2025, 12, 15), 14, "2025-12-15", "2026-12-14");
	expect(SPAN_9MONTHS, D(2025, 1, 1), 14, "2024-12-15", "2025-09-14");
	expect(SPAN_HALF, D(2025, 1, 1), 14, "2024-12-15", "2025-06-14");
	expect(SPAN_HALF, D(2025, 6, 20), 14, "2025-06-15", "2025-12-14");
	expect(SPAN_MONTH, D(2025, 12, 20), 14, "2025-12-15", "2026-01-14");
	expect(SPAN_MONTH, D(2026, 1, 1), 14, "2025-12-15", "2026-01-14");
	/* The other cut-off days: 1 and 28 (February has a 28th every year). */
	expect(SPAN_MONTH, D(2025, 3, 1), 1, "2025-02-02", "2025-03-01");
	expect(SPAN_MONTH, D(2024, 3, 1), 28, "2024-02-29", "2024-03-28");
	expect(SPAN_MONTH, D(2025, 3, 1), 28, "2025-03-01", "2025-03-28");
	expect(SPAN_QUARTER, D(2025, 3, 29), 28, "2025-03-29", "2025-06-28");
}

static void
test_bad(void **state)
{
	struct date f = D(1, 1, 1), t = D(1, 1, 1);

	(void)state;
	assert_int_equal(span_window(SPAN_SINCE_LAST, D(2025, 9, 1), 0, &f, &t), -EINVAL);
	assert_int_equal(span_window(_SPAN_MAX, D(2025, 9, 1), 0, &f, &t), -EINVAL);
	assert_int_equal(span_window(_SPAN_INVALID, D(2025, 9, 1), 0, &f, &t), -EINVAL);
	assert_int_equal(span_window(SPAN_MONTH, D(2025, 9, 1), 29, &f, &t), -EINVAL);
	assert_int_equal(span_window(SPAN_MONTH, D(2025, 9, 1), -1, &f, &t), -EINVAL);
	assert_int_equal(span_window(SPAN_MONTH, D(2025, 2, 30), 0, &f, &t), -EINVAL);
	/* boundary: the window after the last day of year 9999 is not a day. */
	assert_int_equal(span_window(SPAN_MONTH, D(9999, 12, 20), 14, &f, &t), -EINVAL);
	/* Nothing written on failure. */
	assert_int_equal(f.y, 1);
	assert_int_equal(t.y, 1);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_cutoff),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests_name("span", tests, NULL, NULL);
}
