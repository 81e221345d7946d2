/* SPDX-License-Identifier: MIT */
/*
 * Working-day calendar: weekends, plus sorted exception lists searched by
 * bisection.  Exceptions are few (a few dozen a year), so sorted arrays
 * beat any hash here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "calendar.h"
#include "xalloc.h"

struct days {
	int64_t *v;	/* sorted day numbers (date_to_days) */
	size_t n, cap;
};

struct calendar {
	struct days off;	/* days off that would otherwise be worked */
	struct days work;	/* weekend days that are worked */
};

struct calendar *
calendar_new(void)
{
	return xcalloc(1, sizeof(struct calendar));
}

struct calendar *
calendar_free(struct calendar *cal)
{
	if (cal) {
		free(cal->off.v);
		free(cal->work.v);
		free(cal);
	}
	return NULL;
}

static bool
days_has(const struct days *s, int64_t day)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] == day)
			return true;
		if (s->v[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
days_add(struct days *s, int64_t day)
{
	size_t i;

	if (days_has(s, day))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	for (i = s->n; i > 0 && s->v[i - 1] > day; i--)
		s->v[i] = s->v[i - 1];
	s->v[i] = day;
	s->n++;
}

int
calendar_add_day_off(struct calendar *cal, struct date d)
{
	if (!date_is_valid(d.y, d.m, d.d))
		return -EINVAL;
	days_add(&cal->off, date_to_days(d));
	return 0;
}

int
calendar_add_work_day(struct calendar *cal, struct date d)
{
	if (!date_is_valid(d.y, d.m, d.d))
		return -EINVAL;
	days_add(&cal->work, date_to_days(d));
	return 0;
}

bool
calendar_is_workday(const struct calendar *cal, struct date d)
{
	int64_t day = date_to_days(d);
	int wd = date_weekday(d);

	if (!cal)
		return wd <= 5;
	if (days_has(&cal->work, day))
		return true;
	if (days_has(&cal->off, day))
		return false;
	return wd <= 5;
}

int
calendar_workdays_between(const struct calendar *cal, struct date a, struct date b)
{
	int64_t from = date_to_days(a), to = date_to_days(b), day;
	int n = 0;

	/* Deadlines are at most a few years out; a day loop is cheap enough. */
	for (day = from + 1; day <= to; day++)
		if (calendar_is_workday(cal, date_from_days(day)))
			n++;
	return n;
}
