/* SPDX-License-Identifier: MIT */
/*
 * The periods of recurring tasks; see period.h.  Fixed periods (month,
 * quarter, half, year) are plain month arithmetic; the policy's periods
 * come from its RRULE occurrences (schedule_next/prev).
 */
#include <errno.h>
#include <stdio.h>

#include "calendar.h"
#include "period.h"
#include "schedule.h"

/* How far period_asked walks: a year of weekly periods and then some. */
#define PERIOD_WALK_MAX 400

static const char *const roman[] = { "", "I", "II", "III", "IV" };

enum deadline_every
period_every(const struct deadline *dl)
{
	if (dl->precision != DEADLINE_RECURRING)
		return EVERY_NONE;
	/* Stored before periods existed (schema 7): it said "Thường xuyên". */
	if (dl->every <= EVERY_NONE || dl->every >= _DEADLINE_EVERY_MAX)
		return EVERY_POLICY;
	return dl->every;
}

/* Months per period of a fixed kind; 0 for the policy's calendar. */
static int
months_of(enum deadline_every e)
{
	switch (e) {
	case EVERY_MONTH:
		return 1;
	case EVERY_QUARTER:
		return 3;
	case EVERY_HALF:
		return 6;
	case EVERY_YEAR:
		return 12;
	default:
		return 0;
	}
}

/* The reporting day in month m of year y: day, or the month's last day. */
static struct date
day_in(const struct schedule *sch, const struct deadline *dl, int y, int m)
{
	int day = dl->every_day > 0 ? dl->every_day : sch->recurring_day;
	int last = date_days_in_month(y, m);

	if (day < 1)
		day = 20;
	/* boundary: "Ngày 31 hàng tháng" is the 30th in April, the 28th or 29th in February. */
	return (struct date){ y, m, day < last ? day : last };
}

/* Steps (y, m) by n months, either way. */
static void
add_months(int *y, int *m, int n)
{
	int k = *y * 12 + (*m - 1) + n;

	*y = k / 12;
	*m = k % 12 + 1;
}

int
period_next(const struct schedule *sch, const struct deadline *dl, struct date from,
	    struct date *ret)
{
	enum deadline_every e = period_every(dl);
	int step = months_of(e), y = from.y, m = from.m;
	struct date rd;

	if (e == EVERY_NONE)
		return -EINVAL;
	if (step == 0)
		return schedule_next(sch, SCHEDULE_RECURRING, from, ret);
	/* The period ending in this month or the first one after it (Dec -> Jan too). */
	add_months(&y, &m, (step - m % step) % step);
	rd = day_in(sch, dl, y, m);
	if (date_cmp(rd, from) < 0) {
		add_months(&y, &m, step);
		rd = day_in(sch, dl, y, m);
	}
	if (rd.y > 2200)
		return -ENOENT;
	*ret = rd;
	return 0;
}

int
period_prev(const struct schedule *sch, const struct deadline *dl, struct date day,
	    struct date *ret)
{
	enum deadline_every e = period_every(dl);
	int step = months_of(e), y = day.y, m = day.m;
	struct date rd;

	if (e == EVERY_NONE)
		return -EINVAL;
	if (step == 0)
		return schedule_prev(sch, SCHEDULE_RECURRING,
				     date_from_days(date_to_days(day) - 1), ret);
	/* The period ending in this month or the last one before it (Jan -> Dec). */
	add_months(&y, &m, -(m % step));
	rd = day_in(sch, dl, y, m);
	if (date_cmp(rd, day) >= 0) {
		add_months(&y, &m, -step);
		rd = day_in(sch, dl, y, m);
	}
	*ret = rd;
	return 0;
}

struct date
period_ask_day(const struct schedule *sch, struct date rd)
{
	/* As for a due day: a reporting day off counts from the working day before. */
	struct date rd0 = calendar_add_workdays(sch->cal, rd, 0);
	int most = 0;

	for (int i = 0; i < sch->n_recurring_before; i++)
		if (sch->recurring_before[i] > most)
			most = sch->recurring_before[i];
	return calendar_add_workdays(sch->cal, rd0, -most);
}

int
period_asked(const struct schedule *sch, const struct deadline *dl, struct date today,
	     struct date *ret)
{
	struct date rd, nx;
	int r, k;

	r = period_next(sch, dl, today, &rd);
	if (r < 0)
		return r;
	/* Reminders longer than a period: a later period may be asked already. */
	for (k = 0; k < PERIOD_WALK_MAX; k++) {
		if (period_next(sch, dl, date_from_days(date_to_days(rd) + 1), &nx) < 0 ||
		    date_cmp(period_ask_day(sch, nx), today) > 0)
			break;
		rd = nx;
	}
	/* The period ending next is not asked yet: the one before it is. */
	for (k = 0; k < PERIOD_WALK_MAX && date_cmp(period_ask_day(sch, rd), today) > 0; k++) {
		r = period_prev(sch, dl, rd, &rd);
		if (r < 0)
			return r;
	}
	*ret = rd;
	return 0;
}

int
period_current(const struct schedule *sch, const struct deadline *dl, struct date created,
	       struct date today, struct date *ret)
{
	struct date asked, first;
	int r;

	r = period_asked(sch, dl, today, &asked);
	if (r < 0)
		return r;
	/*
	 * Created before the period asked ended: that period counts (and an
	 * old task's creation may lie before the policy's known reporting days).
	 */
	if (date_cmp(created, asked) <= 0) {
		*ret = asked;
		return 0;
	}
	r = period_next(sch, dl, created, &first);
	if (r < 0)
		return r;
	*ret = date_cmp(first, asked) > 0 ? first : asked;
	return 0;
}

int
period_late_workdays(const struct schedule *sch, struct date rd, struct date day)
{
	return calendar_workdays_between(sch->cal, rd, day);
}

const char *
period_label(const struct deadline *dl, struct date rd, char out[PERIOD_LABEL_LEN])
{
	switch (period_every(dl)) {
	case EVERY_MONTH:
		snprintf(out, PERIOD_LABEL_LEN, "tháng %d/%d", rd.m % 100, rd.y % 10000);
		break;
	case EVERY_QUARTER:
		snprintf(out, PERIOD_LABEL_LEN, "quý %s/%d", roman[(rd.m + 2) / 3 % 5],
			 rd.y % 10000);
		break;
	case EVERY_HALF:
		snprintf(out, PERIOD_LABEL_LEN, "6 tháng %s năm %d", rd.m <= 6 ? "đầu" : "cuối",
			 rd.y % 10000);
		break;
	case EVERY_YEAR:
		snprintf(out, PERIOD_LABEL_LEN, "năm %d", rd.y % 10000);
		break;
	default:
		snprintf(out, PERIOD_LABEL_LEN, "%d/%d/%d", rd.d % 100, rd.m % 100, rd.y % 10000);
		break;
	}
	return out;
}
