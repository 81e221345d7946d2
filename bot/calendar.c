/* SPDX-License-Identifier: MIT */
/*
 * Working-day calendar: a set of worked weekdays, plus sorted exception
 * lists searched by bisection, plus a lazily built index that answers
 * "how many working days between" and "the n-th working day after" in
 * O(1) for the years 1990-2150.
 *
 * Invariants:
 * - a day is worked when it is in work; else not when it is in off; else
 *   when its weekday is in weekdays (work wins over off);
 * - off and work are sorted and hold no duplicates;
 * - every change to weekdays, off or work clears ix->valid, and the next
 *   query rebuilds the index from scratch, so the index never disagrees
 *   with the lists;
 * - outside the index window the answers come from the lists directly
 *   (whole weeks counted arithmetically, exceptions one by one), so the
 *   window is a speed-up, never a limit.
 *
 * Queries take a const calendar but may build the index through ix (a
 * pointer member, so no cast is needed).  A calendar is therefore not
 * safe to query from two threads at once until its index is built;
 * schedule.c builds it at load, before a schedule is shared.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "calendar.h"
#include "xalloc.h"

/* The index covers [1990-01-01, 2151-01-01): about 58,800 days, 470 KB. */
#define INDEX_FIRST_YEAR 1990
#define INDEX_END_YEAR 2151
#define WEEKDAYS_ALL 0x7fu
#define WEEKDAYS_MON_FRI 0x1fu

struct days {
	int64_t *v;	/* sorted day numbers (date_to_days) */
	size_t n, cap;
};

struct index {
	bool valid;	/* false until built, and again after each change */
	int64_t base;	/* day number of the first day covered */
	int64_t n;	/* days covered */
	int32_t *cum;	/* cum[i]: working days in [base, base + i); n + 1 entries */
	int32_t *work;	/* work[k]: base-relative offset of the k-th working day */
	int64_t n_work;	/* entries in work, that is cum[n] */
};

struct calendar {
	struct days off;	/* days off that would otherwise be worked */
	struct days work;	/* weekend days that are worked */
	unsigned weekdays;	/* bit (w - 1) set when ISO weekday w is worked */
	struct index *ix;	/* allocated with the calendar, built on demand */
};

/* What a NULL calendar means: Monday to Friday, no exceptions, no index. */
static const struct calendar plain = { .weekdays = WEEKDAYS_MON_FRI };

struct calendar *
calendar_new(void)
{
	struct calendar *cal = xcalloc(1, sizeof(*cal));

	cal->weekdays = WEEKDAYS_MON_FRI;
	cal->ix = xcalloc(1, sizeof(*cal->ix));
	return cal;
}

struct calendar *
calendar_free(struct calendar *cal)
{
	if (cal) {
		if (cal->ix) {
			free(cal->ix->cum);
			free(cal->ix->work);
			free(cal->ix);
		}
		free(cal->off.v);
		free(cal->work.v);
		free(cal);
	}
	return NULL;
}

/* ISO weekday (1 = Monday) of a day number; 1970-01-01 was a Thursday. */
static int
weekday_of(int64_t day)
{
	return (int)((day % 7 + 7 + 3) % 7) + 1;
}

static bool
weekday_worked(unsigned mask, int64_t day)
{
	return mask & (1u << (weekday_of(day) - 1));
}

/* Index of the first element >= day. */
static size_t
days_lower_bound(const struct days *s, int64_t day)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
days_has(const struct days *s, int64_t day)
{
	size_t i = days_lower_bound(s, day);

	return i < s->n && s->v[i] == day;
}

/* Inserts day in order; returns true when it was not there yet. */
static bool
days_add(struct days *s, int64_t day)
{
	size_t i;

	if (days_has(s, day))
		return false;
	s->v = xgrowroom(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	for (i = s->n; i > 0 && s->v[i - 1] > day; i--)
		s->v[i] = s->v[i - 1];
	s->v[i] = day;
	s->n++;
	return true;
}

static void
invalidate(struct calendar *cal)
{
	if (cal->ix)
		cal->ix->valid = false;
}

static bool
day_worked(const struct calendar *cal, int64_t day)
{
	if (days_has(&cal->work, day))
		return true;
	if (days_has(&cal->off, day))
		return false;
	return weekday_worked(cal->weekdays, day);
}

int
calendar_add_day_off(struct calendar *cal, struct date d)
{
	if (!date_is_valid(d.y, d.m, d.d))
		return -EINVAL;
	if (days_add(&cal->off, date_to_days(d)))
		invalidate(cal);
	return 0;
}

int
calendar_add_work_day(struct calendar *cal, struct date d)
{
	if (!date_is_valid(d.y, d.m, d.d))
		return -EINVAL;
	if (days_add(&cal->work, date_to_days(d)))
		invalidate(cal);
	return 0;
}

int
calendar_set_weekdays(struct calendar *cal, unsigned mask)
{
	if (mask == 0 || (mask & ~WEEKDAYS_ALL))
		return -EINVAL;
	if (cal->weekdays != mask) {
		cal->weekdays = mask;
		invalidate(cal);
	}
	return 0;
}

bool
calendar_is_workday(const struct calendar *cal, struct date d)
{
	return day_worked(cal ? cal : &plain, date_to_days(d));
}

/*
 * Builds the index: one pass over the window, merging the two sorted
 * exception lists instead of searching them for every day.
 */
static void
index_build(const struct calendar *cal, struct index *ix)
{
	int64_t base = date_to_days((struct date){ INDEX_FIRST_YEAR, 1, 1 });
	int64_t end = date_to_days((struct date){ INDEX_END_YEAR, 1, 1 });
	size_t io = days_lower_bound(&cal->off, base), iw = days_lower_bound(&cal->work, base);
	int64_t i, k = 0;

	if (!ix->cum) {
		ix->cum = xmallocarray((size_t)(end - base + 1), sizeof(*ix->cum));
		ix->work = xmallocarray((size_t)(end - base), sizeof(*ix->work));
	}
	ix->base = base;
	ix->n = end - base;
	for (i = 0; i < ix->n; i++) {
		int64_t day = base + i;
		bool worked, is_work = false, is_off = false;

		while (iw < cal->work.n && cal->work.v[iw] < day)
			iw++;
		while (io < cal->off.n && cal->off.v[io] < day)
			io++;
		if (iw < cal->work.n && cal->work.v[iw] == day)
			is_work = true;
		if (io < cal->off.n && cal->off.v[io] == day)
			is_off = true;
		worked = is_work || (!is_off && weekday_worked(cal->weekdays, day));
		ix->cum[i] = (int32_t)k;
		if (worked)
			ix->work[k++] = (int32_t)i;
	}
	ix->cum[ix->n] = (int32_t)k;
	ix->n_work = k;
	ix->valid = true;
}

/* The calendar's index, built if needed; NULL for the plain calendar. */
static const struct index *
index_get(const struct calendar *cal)
{
	struct index *ix = cal->ix;

	if (!ix)
		return NULL;
	if (!ix->valid)
		index_build(cal, ix);
	return ix;
}

/* Working days in [lo, hi] from the lists alone: weeks, then exceptions. */
static int64_t
count_slow(const struct calendar *cal, int64_t lo, int64_t hi)
{
	int64_t n, full, c, day;
	size_t i;

	if (hi < lo)
		return 0;
	n = hi - lo + 1;
	full = n / 7;
	c = full * __builtin_popcount(cal->weekdays);
	for (day = lo + full * 7; day <= hi; day++)
		if (weekday_worked(cal->weekdays, day))
			c++;
	/* Exceptions only matter where they change the weekday's answer. */
	for (i = days_lower_bound(&cal->work, lo); i < cal->work.n && cal->work.v[i] <= hi; i++)
		if (!weekday_worked(cal->weekdays, cal->work.v[i]))
			c++;
	for (i = days_lower_bound(&cal->off, lo); i < cal->off.n && cal->off.v[i] <= hi; i++)
		if (weekday_worked(cal->weekdays, cal->off.v[i]) &&
		    !days_has(&cal->work, cal->off.v[i]))
			c--;
	return c;
}

/* Working days in [lo, hi]: the index inside its window, the lists outside. */
static int64_t
count_range(const struct calendar *cal, int64_t lo, int64_t hi)
{
	const struct index *ix = index_get(cal);
	int64_t a, b, c = 0;

	if (hi < lo)
		return 0;
	if (!ix)
		return count_slow(cal, lo, hi);
	a = lo > ix->base ? lo : ix->base;
	b = hi < ix->base + ix->n - 1 ? hi : ix->base + ix->n - 1;
	if (a <= b)
		c += ix->cum[b + 1 - ix->base] - ix->cum[a - ix->base];
	c += count_slow(cal, lo, hi < ix->base - 1 ? hi : ix->base - 1);
	c += count_slow(cal, lo > ix->base + ix->n ? lo : ix->base + ix->n, hi);
	return c;
}

int
calendar_workdays_between(const struct calendar *cal, struct date a, struct date b)
{
	int64_t from = date_to_days(a), to = date_to_days(b);

	if (!cal)
		cal = &plain;
	if (to <= from)
		return 0;
	return (int)count_range(cal, from + 1, to);
}

/*
 * The n-th working day after day (n > 0) or before it (n < 0), one day
 * at a time.  With no exceptions at all the pattern repeats every week,
 * so whole weeks are skipped first: the (j + q * k)-th working day after
 * day is the j-th one after day + 7q, k being the worked days per week.
 */
static int64_t
step(const struct calendar *cal, int64_t day, int64_t n)
{
	int64_t sign = n > 0 ? 1 : -1, left = n > 0 ? n : -n;

	if (cal->off.n == 0 && cal->work.n == 0) {
		int64_t k = __builtin_popcount(cal->weekdays), q = (left - 1) / k;

		day += sign * 7 * q;
		left -= q * k;
	}
	while (left > 0) {
		day += sign;
		if (day_worked(cal, day))
			left--;
	}
	return day;
}

struct date
calendar_add_workdays(const struct calendar *cal, struct date d, int n)
{
	int64_t day = date_to_days(d), left = n, i, rank;
	const struct index *ix;

	if (!cal)
		cal = &plain;
	if (left == 0) {
		if (day_worked(cal, day))
			return d;
		left = -1;
	}
	ix = index_get(cal);
	if (!ix)
		return date_from_days(step(cal, day, left));
	if (left > 0) {
		/* cum[i] counts the working days from base up to day itself. */
		i = day + 1 - ix->base;
		if (i >= 0 && i <= ix->n) {
			rank = ix->cum[i] + left - 1;
			if (rank < ix->n_work)
				return date_from_days(ix->base + ix->work[rank]);
			/* Past the window: go to its last day, then step on. */
			left = rank - ix->n_work + 1;
			day = ix->base + ix->n - 1;
		}
	} else {
		/* cum[i] counts the working days from base up to the day before. */
		i = day - ix->base;
		if (i >= 0 && i <= ix->n) {
			rank = ix->cum[i] + left;
			if (rank >= 0)
				return date_from_days(ix->base + ix->work[rank]);
			left = rank;
			day = ix->base;
		}
	}
	return date_from_days(step(cal, day, left));
}
