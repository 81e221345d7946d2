/* SPDX-License-Identifier: MIT */
/*
 * The deadline parser (DESIGN §3): turns a deadline as officials write it
 * ("Quý IV/2025", "Tháng 9", "Hoàn thành trước ngày 30/9/2025",
 * "Thường xuyên") into a due day and a precision.  Matching ignores case,
 * diacritics, NFC/NFD and trailing punctuation.  Pure: no I/O, no logging.
 */
#ifndef DONDOC_DEADLINE_H
#define DONDOC_DEADLINE_H

#include <stdbool.h>
#include "date.h"

enum deadline_precision {
	DEADLINE_DAY,
	DEADLINE_MONTH,
	DEADLINE_QUARTER,
	DEADLINE_HALF,
	DEADLINE_YEAR,
	DEADLINE_RECURRING,	/* "Thường xuyên": follows the reporting calendar */
	DEADLINE_EXTERNAL,	/* "Theo tiến độ TW": needs a date from outside */
	DEADLINE_UNKNOWN,	/* anything else: kept raw, flagged */
	_DEADLINE_PRECISION_MAX,
	_DEADLINE_PRECISION_INVALID = -22,	/* -EINVAL */
};

/*
 * How often a recurring task reports (DESIGN §4): its periods end on a
 * reporting day.  "Thường xuyên" follows the policy's [recurring] rrule;
 * the others are months counted from January, on day every_day of the
 * last month of each period (period.h).  The parser reads "Thường
 * xuyên", "Định kỳ", "Hằng tuần" as EVERY_POLICY; "Ngày 20 hàng tháng",
 * "Hằng tháng" as EVERY_MONTH; "Hằng quý", "Định kỳ hằng quý" as
 * EVERY_QUARTER; "Định kỳ 6 tháng", "6 tháng một lần" as EVERY_HALF;
 * "Hằng năm" as EVERY_YEAR; a day in front ("Ngày 15 hằng quý") or after
 * ("hằng tháng, vào ngày 20") is every_day, and a day with no period
 * ("Ngày 20 định kỳ") is monthly.  Day 0 or over 31 is -EINVAL.
 */
enum deadline_every {
	EVERY_NONE,		/* not recurring */
	EVERY_POLICY,		/* "Thường xuyên": the policy's reporting calendar */
	EVERY_MONTH,		/* "Ngày 20 hàng tháng" */
	EVERY_QUARTER,		/* "Hằng quý" */
	EVERY_HALF,		/* "Định kỳ 6 tháng" */
	EVERY_YEAR,		/* "Hằng năm" */
	_DEADLINE_EVERY_MAX,
	_DEADLINE_EVERY_INVALID = -22,
};

struct deadline {
	enum deadline_precision precision;
	bool has_due;		/* false for recurring, external, unknown */
	struct date due;	/* the last day allowed, when has_due */
	bool year_given;	/* the text named its year itself */
	enum deadline_every every;	/* DEADLINE_RECURRING: how often; else EVERY_NONE */
	int every_day;		/* the reporting day of the month, 1..31 (31: the month's last); 0: the policy's */
};

/*
 * Parses raw.  default_year is used when the text names no year; pass 0
 * when there is none, and a text that needs a year then fails with
 * -ENODATA.  On success returns 0 and fills *ret (precision may be
 * DEADLINE_UNKNOWN: not an error, the text is kept as written).  Returns
 * -EINVAL for a recognised but impossible date (month 13, 30/02, 29/02 in
 * a common year, quarter V, a year outside 1900..2200), with a static
 * English reason in *reterr_why when reterr_why is not NULL; -ENODATA sets
 * a reason too.  The reason is borrowed: never free it.  *ret is written
 * only on success; *reterr_why only on failure.  Invalid UTF-8 and NULL
 * are DEADLINE_UNKNOWN, not errors (the import checks UTF-8 itself).
 */
int deadline_parse(const char *raw, int default_year, struct deadline *ret,
		   const char **reterr_why);

/*
 * The period of a recurring deadline as the registry stores it: NULL for
 * EVERY_NONE, else "policy", "month:20", "quarter:0", ... (every:every_day),
 * into out.
 */
const char *deadline_every_format(const struct deadline *dl, char out[24]);
/* The inverse: sets dl->every and dl->every_day from s (NULL: EVERY_NONE); -EINVAL when bad. */
int deadline_every_parse(const char *s, struct deadline *dl);

/* "day", "month", ..., "unknown"; NULL for an out-of-range value. */
const char *deadline_precision_to_string(enum deadline_precision p);
/* The inverse of deadline_precision_to_string; _INVALID when unknown. */
enum deadline_precision deadline_precision_from_string(const char *s);

#endif
