/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/deadline.c.  The table below holds one row per text: the
 * rows of DESIGN §3, the deadline texts of the shared fixtures (copied
 * here as short strings, the fixture files themselves stay outside the
 * repository), leap years, invalid dates and spelling variants.  Each row
 * runs as its own cmocka test named after its input, so a failure says
 * which text broke.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "date.h"
#include "deadline.h"
#include "macro.h"
#include "xalloc.h"

struct row {
	const char *input;
	int default_year;
	int rc;				/* expected return value */
	enum deadline_precision precision;	/* when rc == 0 */
	const char *due;		/* "YYYY-MM-DD", or NULL for no due day */
	bool year_given;		/* when rc == 0 */
};

#define DAY DEADLINE_DAY
#define MONTH DEADLINE_MONTH
#define QUARTER DEADLINE_QUARTER
#define HALF DEADLINE_HALF
#define YEAR DEADLINE_YEAR
#define RECURRING DEADLINE_RECURRING
#define EXTERNAL DEADLINE_EXTERNAL
#define UNKNOWN DEADLINE_UNKNOWN
#define BAD _DEADLINE_PRECISION_INVALID	/* precision unused: rc < 0 */

/* NFD spellings: the vowel, then U+0301 (acute) or U+0300 (grave). */
#define ACUTE "\xcc\x81"
#define GRAVE "\xcc\x80"

static const struct row rows[] = {
	/* DESIGN §3, quarter row. */
	{ "Quý II", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý IV/2025", 2025, 0, QUARTER, "2025-12-31", true },
	{ "Quý 3 năm 2026", 2025, 0, QUARTER, "2026-09-30", true },
	{ "Hoàn thành trong Quý III", 2025, 0, QUARTER, "2025-09-30", false },
	{ "Quý IV / 2025", 2024, 0, QUARTER, "2025-12-31", true },
	{ "Quý III-2025", 2024, 0, QUARTER, "2025-09-30", true },
	{ "Quý IV 2025", 2024, 0, QUARTER, "2025-12-31", true },
	{ "Cuối quý II", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý I", 2025, 0, QUARTER, "2025-03-31", false },
	{ "Quý 1", 2025, 0, QUARTER, "2025-03-31", false },
	{ "Quý 4", 2025, 0, QUARTER, "2025-12-31", false },
	{ "Quý IV năm nay", 2026, 0, QUARTER, "2026-12-31", false },
	{ "Thời hạn: Quý IV", 2025, 0, QUARTER, "2025-12-31", false },
	{ "Chậm nhất trong quý III", 2025, 0, QUARTER, "2025-09-30", false },
	{ "Quý V", 2025, -EINVAL, BAD, NULL, false },
	{ "Quý 5", 2025, -EINVAL, BAD, NULL, false },
	{ "Quý 0", 2025, -EINVAL, BAD, NULL, false },
	{ "Quý XII/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "Quý 12", 2025, -EINVAL, BAD, NULL, false },
	/* "Before quarter IV" is not "by its end": kept unknown, not guessed. */
	{ "Trước quý IV", 2025, 0, UNKNOWN, NULL, false },

	/* DESIGN §3, month row. */
	{ "Tháng 9", 2025, 0, MONTH, "2025-09-30", false },
	{ "Tháng 7/2025", 2025, 0, MONTH, "2025-07-31", true },
	{ "tháng 12 năm 2025", 2025, 0, MONTH, "2025-12-31", true },
	{ "Hoàn thành trong tháng 10/2025", 2025, 0, MONTH, "2025-10-31", true },
	{ "Cuối tháng 9", 2025, 0, MONTH, "2025-09-30", false },
	{ "Tháng 09", 2025, 0, MONTH, "2025-09-30", false },
	{ "Tháng 1", 2025, 0, MONTH, "2025-01-31", false },
	{ "Tháng 12", 2025, 0, MONTH, "2025-12-31", false },
	{ "9/2025", 2024, 0, MONTH, "2025-09-30", true },
	{ "Tháng 13", 2025, -EINVAL, BAD, NULL, false },
	{ "Tháng 0", 2025, -EINVAL, BAD, NULL, false },
	{ "Tháng 99", 2025, -EINVAL, BAD, NULL, false },

	/* DESIGN §3, year row. */
	{ "Năm 2025", 2024, 0, YEAR, "2025-12-31", true },
	{ "2025", 2024, 0, YEAR, "2025-12-31", true },
	{ "Trong năm 2025", 2024, 0, YEAR, "2025-12-31", true },
	{ "Cuối năm 2025", 2024, 0, YEAR, "2025-12-31", true },
	{ "Trong năm", 2025, 0, YEAR, "2025-12-31", false },
	{ "Đến năm 2030", 2025, 0, YEAR, "2030-12-31", true },
	{ "Năm 1900", 2025, 0, YEAR, "1900-12-31", true },
	{ "Năm 2200", 2025, 0, YEAR, "2200-12-31", true },
	{ "Năm 1899", 2025, -EINVAL, BAD, NULL, false },
	{ "Năm 2201", 2025, -EINVAL, BAD, NULL, false },
	{ "1800", 2025, -EINVAL, BAD, NULL, false },
	{ "Quý IV/2201", 2025, -EINVAL, BAD, NULL, false },
	/* Two-digit years are not years. */
	{ "Năm 25", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý II/25", 2025, 0, UNKNOWN, NULL, false },
	{ "30/9/25", 2025, 0, UNKNOWN, NULL, false },
	{ "Tháng 7/25", 2025, 0, UNKNOWN, NULL, false },

	/* DESIGN §3, half row. */
	{ "6 tháng đầu năm 2026", 2025, 0, HALF, "2026-06-30", true },
	{ "6 tháng cuối năm 2026", 2025, 0, HALF, "2026-12-31", true },
	{ "6 tháng đầu năm", 2025, 0, HALF, "2025-06-30", false },
	{ "6 tháng cuối năm", 2025, 0, HALF, "2025-12-31", false },
	{ "Nửa đầu năm", 2025, 0, HALF, "2025-06-30", false },
	{ "nửa cuối năm 2026", 2025, 0, HALF, "2026-12-31", true },
	{ "Sáu tháng đầu năm 2026", 2025, 0, HALF, "2026-06-30", true },

	/* DESIGN §3, day row. */
	{ "Hoàn thành trước ngày 30/9/2025", 2024, 0, DAY, "2025-09-30", true },
	{ "trước 31/01/2026", 2025, 0, DAY, "2026-01-31", true },
	{ "15/10/2025", 2024, 0, DAY, "2025-10-15", true },
	{ "15-10-2025", 2024, 0, DAY, "2025-10-15", true },
	{ "15.10.2025", 2024, 0, DAY, "2025-10-15", true },
	{ "15 / 10 / 2025", 2024, 0, DAY, "2025-10-15", true },
	{ "ngày 15 tháng 10 năm 2025", 2024, 0, DAY, "2025-10-15", true },
	{ "Ngày 15 tháng 10", 2025, 0, DAY, "2025-10-15", false },
	{ "30/9", 2025, 0, DAY, "2025-09-30", false },
	{ "Chậm nhất ngày 30/9", 2026, 0, DAY, "2026-09-30", false },
	{ "Đến ngày 15/9/2025", 2024, 0, DAY, "2025-09-15", true },
	{ "2025-09-30", 2024, 0, DAY, "2025-09-30", true },
	{ "1/1/2025", 2024, 0, DAY, "2025-01-01", true },
	{ "31/12/2025", 2024, 0, DAY, "2025-12-31", true },
	{ "30/02/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "31/02/2024", 2025, -EINVAL, BAD, NULL, false },
	{ "30/02", 2025, -EINVAL, BAD, NULL, false },
	{ "32/1/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "1/13/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "0/1/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "1/0/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "31/4/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "31/11/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "30/4/2025", 2025, 0, DAY, "2025-04-30", true },
	{ "15/10-2025", 2025, 0, UNKNOWN, NULL, false },

	/* Leap years: boundary days on both sides. */
	{ "29/02/2024", 2025, 0, DAY, "2024-02-29", true },
	{ "29/02/2025", 2025, -EINVAL, BAD, NULL, false },
	{ "29/02/2100", 2025, -EINVAL, BAD, NULL, false },
	{ "29/02/2000", 2025, 0, DAY, "2000-02-29", true },
	{ "29/02", 2024, 0, DAY, "2024-02-29", false },
	{ "29/02", 2025, -EINVAL, BAD, NULL, false },
	{ "28/02/2025", 2025, 0, DAY, "2025-02-28", true },
	{ "Quý I/2024", 2025, 0, QUARTER, "2024-03-31", true },
	{ "Quý I/2025", 2024, 0, QUARTER, "2025-03-31", true },
	{ "Tháng 2/2024", 2025, 0, MONTH, "2024-02-29", true },
	{ "Tháng 2/2025", 2024, 0, MONTH, "2025-02-28", true },
	{ "Tháng 2/2100", 2024, 0, MONTH, "2100-02-28", true },
	{ "Tháng 2/2000", 2024, 0, MONTH, "2000-02-29", true },
	{ "Tháng 2", 2024, 0, MONTH, "2024-02-29", false },

	/* Recurring. */
	{ "Thường xuyên", 2025, 0, RECURRING, NULL, false },
	{ "Thường xuyên, liên tục", 2025, 0, RECURRING, NULL, false },
	{ "Thường xuyên và liên tục", 2025, 0, RECURRING, NULL, false },
	{ "Liên tục", 2025, 0, RECURRING, NULL, false },
	{ "Hằng năm", 2025, 0, RECURRING, NULL, false },
	{ "Hàng năm", 2025, 0, RECURRING, NULL, false },
	{ "Hằng tháng", 2025, 0, RECURRING, NULL, false },
	{ "Hàng tháng", 2025, 0, RECURRING, NULL, false },
	{ "Hằng quý", 2025, 0, RECURRING, NULL, false },
	{ "Hàng quý", 2025, 0, RECURRING, NULL, false },
	{ "Thường xuyên", 0, 0, RECURRING, NULL, false },
	{ "Ngày 20 hàng tháng", 2025, 0, RECURRING, NULL, false },
	{ "Định kỳ 6 tháng", 2025, 0, RECURRING, NULL, false },
	{ "Ngày 32 hàng tháng", 2025, -EINVAL, BAD, NULL, false },

	/* External. */
	{ "Theo tiến độ TW", 2025, 0, EXTERNAL, NULL, false },
	{ "Theo tiến độ Trung ương", 2025, 0, EXTERNAL, NULL, false },
	{ "Theo lộ trình của Bộ", 2025, 0, EXTERNAL, NULL, false },
	{ "Theo hướng dẫn của Trung ương", 2025, 0, EXTERNAL, NULL, false },
	{ "Theo tiến độ TW", 0, 0, EXTERNAL, NULL, false },
	{ "Theo", 2025, 0, UNKNOWN, NULL, false },

	/* Anything else. */
	{ "", 2025, 0, UNKNOWN, NULL, false },
	{ "   ", 2025, 0, UNKNOWN, NULL, false },
	{ "Sớm", 2025, 0, UNKNOWN, NULL, false },
	{ "giai đoạn 2026-2030", 2025, 0, UNKNOWN, NULL, false },
	{ "2026-2030", 2025, 0, UNKNOWN, NULL, false },
	{ "asdf qwer 12", 2025, 0, UNKNOWN, NULL, false },
	{ "Hoàn thành", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý II và Quý III", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý V và Quý VI", 2025, 0, UNKNOWN, NULL, false },
	{ "Ngày Quý II", 2025, 0, UNKNOWN, NULL, false },
	{ "Sớm", 0, 0, UNKNOWN, NULL, false },
	{ "Quý VV", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý IIII", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý", 2025, 0, UNKNOWN, NULL, false },
	{ "Sáu tháng", 2025, 0, UNKNOWN, NULL, false },
	{ "Sau quý II", 2025, 0, UNKNOWN, NULL, false },
	{ "6 tháng đầu", 2025, 0, UNKNOWN, NULL, false },
	{ "6 tháng giữa năm", 2025, 0, UNKNOWN, NULL, false },
	{ "5 tháng đầu năm", 2025, 0, UNKNOWN, NULL, false },
	{ "Ngày 15 tháng 10 năm 25", 2025, 0, UNKNOWN, NULL, false },
	{ "Quý IV/2025 (theo kế hoạch)", 2025, 0, UNKNOWN, NULL, false },
	{ "Quá hạn)", 2025, 0, UNKNOWN, NULL, false },
	{ "2025abc", 2025, 0, UNKNOWN, NULL, false },
	{ "30/9/", 2025, 0, DAY, "2025-09-30", false },
	{ "\xff\xfe", 2025, 0, UNKNOWN, NULL, false },
	{ "Qu\xc3", 2025, 0, UNKNOWN, NULL, false },

	/* Last column of appendix-2-deadlines.tsv, with its header. */
	{ "Quý II", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý IV", 2025, 0, QUARTER, "2025-12-31", false },
	{ "Thường xuyên", 2025, 0, RECURRING, NULL, false },
	{ "Theo tiến độ TW", 2025, 0, EXTERNAL, NULL, false },
	{ "Quý III", 2025, 0, QUARTER, "2025-09-30", false },
	{ "Năm 2025", 2025, 0, YEAR, "2025-12-31", true },
	{ "2025", 2025, 0, YEAR, "2025-12-31", true },
	{ "Tháng 9", 2025, 0, MONTH, "2025-09-30", false },
	{ "Trong năm 2025", 2025, 0, YEAR, "2025-12-31", true },
	{ "Quý IV/2025", 2025, 0, QUARTER, "2025-12-31", true },
	{ "Tháng 7/2025", 2025, 0, MONTH, "2025-07-31", true },
	{ "Thời hạn hoàn thành", 2025, 0, UNKNOWN, NULL, false },
	/* Appendix 1: the status cell carries the deadline in brackets. */
	{ "Quá hạn (Thời gian hoàn thành: Quý II)", 2025, 0, QUARTER,
	  "2025-06-30", false },
	{ "Chưa đạt", 2025, 0, UNKNOWN, NULL, false },
	{ "Chưa đánh giá được", 2025, 0, UNKNOWN, NULL, false },
	{ "Quá hạn (2025)", 2025, 0, UNKNOWN, NULL, false },

	/* Spelling: NFD, case, trailing punctuation, white space. */
	{ "Qu" "y" ACUTE " II", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Tha" ACUTE "ng 9/2025", 2024, 0, MONTH, "2025-09-30", true },
	{ "Ho" "a" GRAVE "n tha" GRAVE "nh trong Qu" "y" ACUTE " III", 2025,
	  0, QUARTER, "2025-09-30", false },
	{ "QUÝ IV/2025", 2024, 0, QUARTER, "2025-12-31", true },
	{ "THƯỜNG XUYÊN", 2025, 0, RECURRING, NULL, false },
	{ "THEO TIẾN ĐỘ TW", 2025, 0, EXTERNAL, NULL, false },
	{ "HOÀN THÀNH TRƯỚC NGÀY 30/9/2025", 2024, 0, DAY, "2025-09-30", true },
	{ "quý ii", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý II.", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý IV/2025.", 2024, 0, QUARTER, "2025-12-31", true },
	{ "Tháng 9,", 2025, 0, MONTH, "2025-09-30", false },
	{ "Thường xuyên;", 2025, 0, RECURRING, NULL, false },
	{ "30/9/2025...", 2024, 0, DAY, "2025-09-30", true },
	{ "Quý II*", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý II\xc2\xb9", 2025, 0, QUARTER, "2025-06-30", false },
	{ "  Quý \t II  ", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý\xc2\xa0II", 2025, 0, QUARTER, "2025-06-30", false },
	{ "Quý III\xe2\x80\x93" "2025", 2024, 0, QUARTER, "2025-09-30", true },

	/* No year in the text and none by default. */
	{ "Quý II", 0, -ENODATA, BAD, NULL, false },
	{ "Tháng 9", 0, -ENODATA, BAD, NULL, false },
	{ "Trong năm", 0, -ENODATA, BAD, NULL, false },
	{ "6 tháng đầu năm", 0, -ENODATA, BAD, NULL, false },
	{ "30/9", 0, -ENODATA, BAD, NULL, false },
	{ "29/02", 0, -ENODATA, BAD, NULL, false },
	{ "Quý IV/2025", 0, 0, QUARTER, "2025-12-31", true },
	{ "30/9/2025", 0, 0, DAY, "2025-09-30", true },
	{ "2025", 0, 0, YEAR, "2025-12-31", true },
	/* Impossible whatever the year: the text is wrong before the year. */
	{ "Tháng 13", 0, -EINVAL, BAD, NULL, false },
	{ "30/02", 0, -EINVAL, BAD, NULL, false },
	{ "Quý V", 0, -EINVAL, BAD, NULL, false },
	/* A default year out of range is refused when it is needed. */
	{ "Quý II", 3000, -EINVAL, BAD, NULL, false },
	{ "Quý II/2025", 3000, 0, QUARTER, "2025-06-30", true },
};

/*
 * Runs one row.  Every message names the input, so a failing row can be
 * found without counting.
 */
static void
test_row(void **state)
{
	const struct row *t = *state;
	struct deadline d;
	const char *why = NULL;
	char iso[DATE_ISO_LEN];
	int r;

	memset(&d, 0x5a, sizeof(d));
	r = deadline_parse(t->input, t->default_year, &d, &why);
	if (r != t->rc)
		fail_msg("'%s' (default %d): rc %d, expected %d (why: %s)",
			 t->input, t->default_year, r, t->rc, why ? why : "-");
	if (r < 0) {
		if (!why || !*why)
			fail_msg("'%s': rc %d without a reason", t->input, r);
		/* *ret is written only on success. */
		if (d.precision != (enum deadline_precision)0x5a5a5a5a)
			fail_msg("'%s': ret written on failure", t->input);
		return;
	}
	if (why)
		fail_msg("'%s': reason '%s' set on success", t->input, why);
	if (d.precision != t->precision)
		fail_msg("'%s': precision %s, expected %s", t->input,
			 deadline_precision_to_string(d.precision),
			 deadline_precision_to_string(t->precision));
	if (d.has_due != (t->due != NULL))
		fail_msg("'%s': has_due %d, expected %d", t->input, d.has_due,
			 t->due != NULL);
	if (d.year_given != t->year_given)
		fail_msg("'%s': year_given %d, expected %d", t->input,
			 d.year_given, t->year_given);
	if (!t->due)
		return;
	date_format_iso(d.due, iso);
	if (strcmp(iso, t->due) != 0)
		fail_msg("'%s': due %s, expected %s", t->input, iso, t->due);
}

/* Every reason of an invalid text is a non-empty static string. */
static void
test_reasons(void **state)
{
	static const struct {
		const char *input;
		const char *why;
	} cases[] = {
		{ "Quý V", "quarter V does not exist (I-IV)" },
		{ "Quý 5", "quarter 5 does not exist (1-4)" },
		{ "Quý 0", "quarter 0 does not exist (1-4)" },
		{ "Tháng 13", "month 13 does not exist" },
		{ "Tháng 0", "month 0 does not exist" },
		{ "30/02/2025", "30/02 is not a day (February has at most 29 days)" },
		{ "31/9/2025", "31/09 is not a day (September has 30 days)" },
		{ "29/02/2025", "29/02 is not a day in a common year" },
		{ "32/1/2025", "no month has more than 31 days" },
		{ "1/13/2025", "month 13 does not exist" },
		{ "Năm 1800", "year out of range (1900-2200)" },
	};
	size_t k;

	(void)state;
	for (k = 0; k < ELEMENTSOF(cases); k++) {
		struct deadline d;
		const char *why = NULL;
		int r = deadline_parse(cases[k].input, 2025, &d, &why);

		if (r != -EINVAL || !why || strcmp(why, cases[k].why) != 0)
			fail_msg("'%s': rc %d why '%s', expected -EINVAL '%s'",
				 cases[k].input, r, why ? why : "(null)",
				 cases[k].why);
	}
}

/* reterr_why may be NULL; -ENODATA still comes back. */
static void
test_null_why(void **state)
{
	struct deadline d;

	(void)state;
	assert_int_equal(deadline_parse("Quý V", 2025, &d, NULL), -EINVAL);
	assert_int_equal(deadline_parse("Quý II", 0, &d, NULL), -ENODATA);
	assert_int_equal(deadline_parse("Quý II", 2025, &d, NULL), 0);
	assert_int_equal(d.precision, DEADLINE_QUARTER);
}

/* A NULL text is no deadline rather than a crash. */
static void
test_null_input(void **state)
{
	struct deadline d;

	(void)state;
	assert_int_equal(deadline_parse(NULL, 2025, &d, NULL), 0);
	assert_int_equal(d.precision, DEADLINE_UNKNOWN);
	assert_false(d.has_due);
}

/* A long text is read, not overflowed. */
static void
test_long_input(void **state)
{
	struct deadline d;
	char *s;
	size_t n = 100000;

	(void)state;
	s = xmalloc(n + 1);
	memset(s, '9', n);
	s[n] = '\0';
	assert_int_equal(deadline_parse(s, 2025, &d, NULL), 0);
	assert_int_equal(d.precision, DEADLINE_UNKNOWN);
	memcpy(s, "Quý ", strlen("Quý "));
	assert_int_equal(deadline_parse(s, 2025, &d, NULL), 0);
	assert_int_equal(d.precision, DEADLINE_UNKNOWN);
	free(s);
}

static void
test_precision_strings(void **state)
{
	static const char *const names[] = {
		"day", "month", "quarter", "half", "year", "recurring",
		"external", "unknown",
	};
	int p;

	(void)state;
	assert_int_equal(ELEMENTSOF(names), _DEADLINE_PRECISION_MAX);
	for (p = 0; p < _DEADLINE_PRECISION_MAX; p++) {
		const char *s = deadline_precision_to_string(p);

		assert_non_null(s);
		assert_string_equal(s, names[p]);
		assert_int_equal(deadline_precision_from_string(s), p);
	}
	assert_null(deadline_precision_to_string(_DEADLINE_PRECISION_MAX));
	assert_null(deadline_precision_to_string(_DEADLINE_PRECISION_INVALID));
	assert_null(deadline_precision_to_string((enum deadline_precision)-1));
	assert_int_equal(deadline_precision_from_string("weekly"),
			 _DEADLINE_PRECISION_INVALID);
	assert_int_equal(deadline_precision_from_string(""),
			 _DEADLINE_PRECISION_INVALID);
	assert_int_equal(deadline_precision_from_string(NULL),
			 _DEADLINE_PRECISION_INVALID);
	assert_int_equal(deadline_precision_from_string("Day"),
			 _DEADLINE_PRECISION_INVALID);
}

/* Every quarter ends on the right day, in a leap and a common year. */
static void
test_quarter_ends(void **state)
{
	static const char *const ends[2][4] = {
		{ "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31" },
		{ "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31" },
	};
	static const char *const roman[] = { "I", "II", "III", "IV" };
	int y, q;

	(void)state;
	for (y = 0; y < 2; y++) {
		for (q = 0; q < 4; q++) {
			char *text = xasprintf("Quý %s/%d", roman[q], 2024 + y);
			char *digits = xasprintf("Quý %d năm %d", q + 1, 2024 + y);
			char iso[DATE_ISO_LEN];
			struct deadline d;

			assert_int_equal(deadline_parse(text, 0, &d, NULL), 0);
			date_format_iso(d.due, iso);
			assert_string_equal(iso, ends[y][q]);
			assert_int_equal(deadline_parse(digits, 0, &d, NULL), 0);
			date_format_iso(d.due, iso);
			assert_string_equal(iso, ends[y][q]);
			free(text);
			free(digits);
		}
	}
}

/* Every month ends on its last day. */
static void
test_month_ends(void **state)
{
	int m;

	(void)state;
	for (m = 1; m <= 12; m++) {
		char *text = xasprintf("Tháng %d/2023", m);
		struct deadline d;

		assert_int_equal(deadline_parse(text, 0, &d, NULL), 0);
		assert_int_equal(d.precision, DEADLINE_MONTH);
		assert_int_equal(d.due.y, 2023);
		assert_int_equal(d.due.m, m);
		assert_int_equal(d.due.d, date_days_in_month(2023, m));
		free(text);
	}
}

/* Recurring deadlines: how often, and on which day of the month. */
static void
test_recurring_periods(void **state)
{
	static const struct {
		const char *input;
		enum deadline_every every;
		int day;
	} cases[] = {
		{ "Thường xuyên", EVERY_POLICY, 0 },
		{ "THƯỜNG XUYÊN.", EVERY_POLICY, 0 },
		{ "Thường xuyên, liên tục", EVERY_POLICY, 0 },
		{ "Định kỳ", EVERY_POLICY, 0 },
		{ "Hằng tuần", EVERY_POLICY, 0 },
		{ "Ngày 20 hàng tháng", EVERY_MONTH, 20 },
		{ "ngày 20 hằng tháng", EVERY_MONTH, 20 },
		{ "NGAY 20 HANG THANG", EVERY_MONTH, 20 },
		{ "Nga" GRAVE "y 20 ha" GRAVE "ng tha" ACUTE "ng", EVERY_MONTH, 20 },
		{ "Trước ngày 20 hằng tháng", EVERY_MONTH, 20 },
		{ "Hằng tháng, vào ngày 25", EVERY_MONTH, 25 },
		{ "Báo cáo trước ngày 20 hằng tháng", EVERY_MONTH, 20 },
		{ "Báo cáo định kỳ hằng quý", EVERY_QUARTER, 0 },
		{ "Vào ngày 5 hằng tháng", EVERY_MONTH, 5 },
		{ "Hằng tháng", EVERY_MONTH, 0 },
		{ "Hàng tháng", EVERY_MONTH, 0 },
		{ "Mỗi tháng", EVERY_MONTH, 0 },
		{ "Ngày 31 hàng tháng", EVERY_MONTH, 31 },
		{ "Ngày 1 hàng tháng", EVERY_MONTH, 1 },
		{ "Ngày 20 định kỳ", EVERY_MONTH, 20 },
		{ "Hằng quý", EVERY_QUARTER, 0 },
		{ "Hàng quý", EVERY_QUARTER, 0 },
		{ "Định kỳ hằng quý", EVERY_QUARTER, 0 },
		{ "Ngày 15 hằng quý", EVERY_QUARTER, 15 },
		{ "Định kỳ 6 tháng", EVERY_HALF, 0 },
		{ "Định kỳ 6 tháng một lần", EVERY_HALF, 0 },
		{ "6 tháng một lần", EVERY_HALF, 0 },
		{ "Sáu tháng một lần", EVERY_HALF, 0 },
		{ "Định kỳ nửa năm", EVERY_HALF, 0 },
		{ "Hằng năm", EVERY_YEAR, 0 },
		{ "Hàng năm", EVERY_YEAR, 0 },
		{ "Ngày 10 hằng năm", EVERY_YEAR, 10 },
		/* Two periods named: the more frequent one is asked. */
		{ "Hằng tháng, hằng quý", EVERY_MONTH, 0 },
	};
	char every[24];

	(void)state;
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		struct deadline d;
		const char *why = NULL;
		int r = deadline_parse(cases[k].input, 2025, &d, &why);

		if (r != 0 || d.precision != DEADLINE_RECURRING || d.has_due ||
		    d.every != cases[k].every || d.every_day != cases[k].day)
			fail_msg("'%s': rc %d precision %s every %d day %d, expected every %d day %d "
				 "(why %s)", cases[k].input, r,
				 deadline_precision_to_string(d.precision), d.every, d.every_day,
				 cases[k].every, cases[k].day, why ? why : "-");
		/* What the store writes reads back the same. */
		{
			struct deadline back = { 0 };

			assert_int_equal(deadline_every_parse(deadline_every_format(&d, every), &back), 0);
			assert_int_equal(back.every, d.every);
			assert_int_equal(back.every_day, d.every_day);
		}
	}
}

/* A reporting day that no month has is an error with its reason; nothing is guessed. */
static void
test_recurring_bad_day(void **state)
{
	static const struct {
		const char *input;
		const char *why;
	} cases[] = {
		{ "Ngày 32 hàng tháng", "no month has more than 31 days (the reporting day is 1-31)" },
		{ "Ngày 0 hàng tháng", "day 0 of the month does not exist (the reporting day is 1-31)" },
		{ "Ngày 99 hằng quý", "no month has more than 31 days (the reporting day is 1-31)" },
		{ "Hằng tháng vào ngày 0", "day 0 of the month does not exist (the reporting day is 1-31)" },
	};

	(void)state;
	for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
		struct deadline d;
		const char *why = NULL;
		int r = deadline_parse(cases[k].input, 2025, &d, &why);

		if (r != -EINVAL || !why || strcmp(why, cases[k].why) != 0)
			fail_msg("'%s': rc %d why '%s', expected -EINVAL '%s'", cases[k].input, r,
				 why ? why : "(null)", cases[k].why);
	}
}

/* Half years and months are not periods: "6 tháng đầu năm 2026" is a deadline. */
static void
test_not_recurring(void **state)
{
	static const char *const texts[] = {
		"6 tháng đầu năm 2026", "6 tháng cuối năm", "Tháng 6", "Năm 2025",
		"Ngày 20/10/2025", "Quý III",
	};

	(void)state;
	for (size_t k = 0; k < ELEMENTSOF(texts); k++) {
		struct deadline d;

		assert_int_equal(deadline_parse(texts[k], 2025, &d, NULL), 0);
		if (d.precision == DEADLINE_RECURRING || d.every != EVERY_NONE || !d.has_due)
			fail_msg("'%s': read as recurring", texts[k]);
	}
	/* A day without a period, or a period with no known words, is not understood. */
	{
		struct deadline d;

		assert_int_equal(deadline_parse("Ngày 20 hàng", 2025, &d, NULL), 0);
		assert_int_equal(d.precision, DEADLINE_UNKNOWN);
		assert_int_equal(deadline_parse("6 tháng", 2025, &d, NULL), 0);
		assert_int_equal(d.precision, DEADLINE_UNKNOWN);
		/* "Báo cáo" leads only into a recurring deadline. */
		assert_int_equal(deadline_parse("Báo cáo Quý IV", 2025, &d, NULL), 0);
		assert_int_equal(d.precision, DEADLINE_UNKNOWN);
	}
}

int
main(void)
{
	static const struct CMUnitTest others[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_null_why),
		cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_precision_strings),
		cmocka_unit_test(test_quarter_ends),
		cmocka_unit_test(test_month_ends),
		cmocka_unit_test(test_recurring_periods),
		cmocka_unit_test(test_recurring_bad_day),
		cmocka_unit_test(test_not_recurring),
	};
	struct CMUnitTest *table;
	char **names;
	size_t k, n = ELEMENTSOF(rows);
	int failed;

	/* One test per row, named after its input and default year. */
	table = xcalloc(n, sizeof(*table));
	names = xcalloc(n, sizeof(*names));
	for (k = 0; k < n; k++) {
		names[k] = xasprintf("'%s' (%d)", rows[k].input,
				     rows[k].default_year);
		table[k].name = names[k];
		table[k].test_func = test_row;
		table[k].initial_state = (void *)&rows[k];
	}
	failed = _cmocka_run_group_tests("deadline table", table, n, NULL, NULL);
	failed += cmocka_run_group_tests_name("deadline", others, NULL, NULL);
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
	free(table);
	return failed == 0 ? 0 : 1;
}
