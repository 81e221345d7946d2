/* SPDX-License-Identifier: MIT */
/*
 * The periods a report covers.  A named period is a run of whole months
 * (1, 3, 6, 9 or 12) ending on a fixed month of the year; the calendar's
 * runs from the 1st of its first month to the last day of its last, a
 * cut-off window (cutoff_day c) from the day after c of the month before
 * its first to day c of its last.  Both are found the same way: first the
 * reporting month that holds the day, then the period that holds it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "macro.h"
#include "span.h"

static const char *const span_names[_SPAN_MAX] = {
	[SPAN_SINCE_LAST] = "since_last",
	[SPAN_MONTH] = "month",
	[SPAN_QUARTER] = "quarter",
	[SPAN_HALF] = "half",
	[SPAN_9MONTHS] = "9months",
	[SPAN_YEAR] = "year",
};

enum span_kind
span_from_string(const char *s)
{
	if (!s)
		return _SPAN_INVALID;
	for (size_t k = 0; k < ELEMENTSOF(span_names); k++)
		if (strcmp(span_names[k], s) == 0)
			return (enum span_kind)k;
	return _SPAN_INVALID;
}

const char *
span_to_string(enum span_kind k)
{
	if (k < 0 || k >= _SPAN_MAX)
		return NULL;
	return span_names[k];
}

/*
 * The last month of the period of kind k holding month m.  Nine months
 * always end in September: a month of the last quarter belongs to no
 * nine-month period, and asking for one then means the year's, already
 * over (the committee's "báo cáo 9 tháng" is written in October).
 */
static int
last_month(enum span_kind k, int m)
{
	switch (k) {
	case SPAN_MONTH:
		return m;
	case SPAN_QUARTER:
		return (m + 2) / 3 * 3;
	case SPAN_HALF:
		return m <= 6 ? 6 : 12;
	case SPAN_9MONTHS:
		return 9;
	default:
		return 12;
	}
}

static int
length_in_months(enum span_kind k)
{
	static const int months[_SPAN_MAX] = {
		[SPAN_MONTH] = 1, [SPAN_QUARTER] = 3, [SPAN_HALF] = 6,
		[SPAN_9MONTHS] = 9, [SPAN_YEAR] = 12,
	};

	return months[k];
}

/* Month m of year y moved by delta months (m may leave 1..12 on the way). */
static void
add_months(int *y, int *m, int delta)
{
	int z = *y * 12 + (*m - 1) + delta;

	*y = z / 12;
	*m = z % 12 + 1;
}

int
span_window(enum span_kind k, struct date of, int cutoff_day, struct date *ret_from,
	    struct date *ret_to)
{
	struct date from, to;
	int y = of.y, m = of.m, ly, lm;

	if (k <= SPAN_SINCE_LAST || k >= _SPAN_MAX || cutoff_day < 0 || cutoff_day > 28 ||
	    !date_is_valid(of.y, of.m, of.d))
		return -EINVAL;
	/* After the cut-off, a day already reports in the next month's window. */
	if (cutoff_day > 0 && of.d > cutoff_day)
		add_months(&y, &m, 1);
	ly = y;
	lm = last_month(k, m);
	/* The period's first month, and for a window the month before it. */
	y = ly;
	m = lm;
	add_months(&y, &m, 1 - length_in_months(k));
	if (cutoff_day == 0) {
		from = (struct date){ y, m, 1 };
		to = (struct date){ ly, lm, date_days_in_month(ly, lm) };
	} else {
		/* The day after the cut-off: 28/2 is followed by 1/3 in a common year. */
		add_months(&y, &m, -1);
		from = date_from_days(date_to_days((struct date){ y, m, cutoff_day }) + 1);
		to = (struct date){ ly, lm, cutoff_day };
	}
	/* At the ends of the calendar (years 1 and 9999) a window may leave it. */
	if (!date_is_valid(from.y, from.m, from.d) || !date_is_valid(to.y, to.m, to.d))
		return -EINVAL;
	*ret_from = from;
	*ret_to = to;
	return 0;
}
