/* SPDX-License-Identifier: MIT */
/*
 * Working days.  A calendar says which days are worked: Monday to Friday,
 * less the public-sector days off, plus the Saturdays that are swapped in
 * as working days.  Days off and swapped days are added by whoever loads
 * the schedules; an empty calendar is plain Monday-Friday.
 */
#ifndef DONDOC_CALENDAR_H
#define DONDOC_CALENDAR_H

#include <stdbool.h>
#include "date.h"

struct calendar;

/* Returns a new calendar with no exceptions; free with calendar_free(). */
struct calendar *calendar_new(void);
/* Frees cal; NULL-safe; returns NULL. */
struct calendar *calendar_free(struct calendar *cal);
/* Marks d a day off (a holiday); 0, or -EINVAL for a malformed day. */
int calendar_add_day_off(struct calendar *cal, struct date d);
/* Marks d a working day even if it falls on a weekend; 0 or -EINVAL. */
int calendar_add_work_day(struct calendar *cal, struct date d);
/* True when d is worked; cal may be NULL for plain Monday-Friday. */
bool calendar_is_workday(const struct calendar *cal, struct date d);
/*
 * Working days after a up to and including b (0 when b <= a): the number
 * of working days left from a until b.
 */
int calendar_workdays_between(const struct calendar *cal, struct date a,
			      struct date b);
/*
 * Sets which weekdays are worked when no exception says otherwise: bit
 * (w - 1) for ISO weekday w (1 = Monday); the default 0x1f is Monday to
 * Friday.  0, or -EINVAL for an empty mask.
 */
int calendar_set_weekdays(struct calendar *cal, unsigned mask);
/*
 * The n-th working day after d (n > 0) or before d (n < 0), not counting
 * d itself.  For n == 0: d when it is worked, else the last working day
 * before it (a deadline on a Sunday is met on the Friday).  cal may be
 * NULL for plain Monday-Friday.
 */
struct date calendar_add_workdays(const struct calendar *cal, struct date d, int n);

#endif
