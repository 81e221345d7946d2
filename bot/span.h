/* SPDX-License-Identifier: MIT */
/*
 * The periods a report covers (issue 13): since the previous digest, or
 * a named period (month, quarter, half year, nine months, year) of the
 * calendar or, with the policy's cut-off day ([report] cutoff_day = 14),
 * of the provincial reporting windows that run from the 15th of one
 * month to the 14th of the next.
 */
#ifndef DONDOC_SPAN_H
#define DONDOC_SPAN_H

#include <stdbool.h>

#include "date.h"

enum span_kind {
	SPAN_SINCE_LAST,	/* since the previous digest */
	SPAN_MONTH,
	SPAN_QUARTER,
	SPAN_HALF,
	SPAN_9MONTHS,		/* 1 January to 30 September (9 tháng) */
	SPAN_YEAR,
	_SPAN_MAX,
	_SPAN_INVALID = -22,
};

/* "month", "quarter", "half", "9months", "year" (and "since_last"); _SPAN_INVALID otherwise. */
enum span_kind span_from_string(const char *s);
const char *span_to_string(enum span_kind k);

/*
 * The period of kind k (not SPAN_SINCE_LAST) that holds day of: with
 * cutoff_day 0 the calendar's (a quarter is 1/7–30/9), with 1..28 the
 * reporting window that ends on that day of the period's last month and
 * starts the day after it one period before (cutoff 14: month 9/2025 is
 * 15/8/2025–14/9/2025).  0 with *ret_from, *ret_to; -EINVAL for a bad
 * kind or cutoff_day.
 */
int span_window(enum span_kind k, struct date of, int cutoff_day, struct date *ret_from,
		struct date *ret_to);

#endif
