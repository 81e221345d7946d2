/* SPDX-License-Identifier: MIT */
/*
 * The holiday calendar and the periodic RRULEs of the schedules, read
 * with libical 3.0.  libical accepts far more than it understands (a bad
 * line becomes an X-LIC-ERROR property, 20261301 parses as a date), so
 * everything is checked here and refused with a message naming the file
 * and the event: a holiday silently dropped means reminders sent on Tết.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "buf.h"
#include "calendar.h"
#include "ical.h"
#include "xalloc.h"

#define HOLIDAYS_MAX_BYTES (1024 * 1024)	/* a century of holidays is ~100 KB */
#define EVENT_MAX_DAYS 60	/* the longest Tết break is 9 days; more is a typo in DTEND */
#define RRULE_END_YEAR 2200	/* no occurrence is looked for from this year on */

/* One day of a holiday file, collected before any is applied. */
struct hday {
	struct date d;
	bool work;	/* a swapped working day rather than a day off */
};

struct hdays {
	struct hday *v;
	size_t n, cap;
};

static void
hdays_add(struct hdays *s, struct date d, bool work)
{
	s->v = xgrowroom(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n].d = d;
	s->v[s->n].work = work;
	s->n++;
}

/* Reads the whole file into b (at most HOLIDAYS_MAX_BYTES); -errno. */
static int
read_file(const char *path, struct buf *b, char **reterr_why)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int r = 0;

	/* "e": O_CLOEXEC, so the descriptor never leaks into a child. */
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		*reterr_why = xasprintf("cannot open: %s", strerror(-r));
		return r;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(b, chunk, n) < 0) {
			*reterr_why = xasprintf("larger than %d bytes", HOLIDAYS_MAX_BYTES);
			r = -EFBIG;
			goto out;
		}
	if (ferror(f)) {
		r = -EIO;
		*reterr_why = xasprintf("cannot read");
		goto out;
	}
	if (memchr(b->p, '\0', b->len)) {
		r = -EINVAL;
		*reterr_why = xasprintf("NUL byte in the file: not a text file");
	}
out:
	(void)fclose(f);
	return r;
}

/* "event 'Tết Nguyên đán' (UID vn-2026-tet@dondoc)", for messages. */
static char *
event_name(icalcomponent *ev, int nth)
{
	const char *summary = icalcomponent_get_summary(ev);
	const char *uid = icalcomponent_get_uid(ev);
	bool has_summary = summary && *summary, has_uid = uid && *uid;

	if (has_summary && has_uid)
		return xasprintf("event '%s' (UID %s)", summary, uid);
	if (has_summary)
		return xasprintf("event '%s'", summary);
	if (has_uid)
		return xasprintf("event with UID %s", uid);
	return xasprintf("event #%d (no SUMMARY or UID)", nth);
}

/*
 * The first X-LIC-ERROR in comp or below it, or NULL.  Walks with
 * icalcompiter, which keeps its own position: the get_first/next
 * iterator lives in the parent, and the caller is looping on it.
 */
static const char *
find_error(icalcomponent *comp)
{
	icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	icalcompiter it;
	icalcomponent *c;

	if (p)
		return icalproperty_get_xlicerror(p);
	for (it = icalcomponent_begin_component(comp, ICAL_ANY_COMPONENT);
	     (c = icalcompiter_deref(&it)) != NULL; icalcompiter_next(&it)) {
		const char *e = find_error(c);

		if (e)
			return e;
	}
	return NULL;
}

static bool
is_day(struct icaltimetype t)
{
	return t.is_date && date_is_valid(t.year, t.month, t.day);
}

/* True when one of the event's CATEGORIES is WORKDAY (any case). */
static bool
is_workday_event(icalcomponent *ev)
{
	icalproperty *p;

	/* libical splits "CATEGORIES:A,B" into one property per value. */
	for (p = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY); p;
	     p = icalcomponent_get_next_property(ev, ICAL_CATEGORIES_PROPERTY)) {
		const char *v = icalproperty_get_categories(p);
		size_t len;

		if (!v)
			continue;
		while (*v == ' ')
			v++;
		len = strlen(v);
		while (len > 0 && v[len - 1] == ' ')
			len--;
		if (len == 7 && strncasecmp(v, "WORKDAY", 7) == 0)
			return true;
	}
	return false;
}

/*
 * Checks one VEVENT and collects its days: [DTSTART, DTEND), or
 * DTSTART + DURATION, or DTSTART alone for one day.  -EINVAL with a
 * reason on anything that is not a plain all-day range.
 */
static int
load_event(icalcomponent *ev, struct hdays *out, char **reterr_why)
{
	icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
	struct icaltimetype start, end;
	int64_t from, to, day;
	bool work;

	if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
		return 0;
	if (!ps) {
		*reterr_why = xasprintf("no DTSTART");
		return -EINVAL;
	}
	if (icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY) ||
	    icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY)) {
		/* Lunar holidays move every year; one event per year is clearer. */
		*reterr_why = xasprintf("RRULE and RDATE are not supported in a holiday file; "
					"write one event per year");
		return -EINVAL;
	}
	start = icalproperty_get_dtstart(ps);
	if (!is_day(start)) {
		*reterr_why = xasprintf(start.is_date ? "DTSTART is not a real day" :
					"DTSTART must be a date (DTSTART;VALUE=DATE:YYYYMMDD)");
		return -EINVAL;
	}
	from = date_to_days((struct date){ start.year, start.month, start.day });
	if (pe && pd) {
		*reterr_why = xasprintf("both DTEND and DURATION");
		return -EINVAL;
	}
	if (pe) {
		end = icalproperty_get_dtend(pe);
		if (!is_day(end)) {
			*reterr_why = xasprintf(end.is_date ? "DTEND is not a real day" :
						"DTEND must be a date (DTEND;VALUE=DATE:YYYYMMDD)");
			return -EINVAL;
		}
		to = date_to_days((struct date){ end.year, end.month, end.day });
	} else if (pd) {
		struct icaldurationtype dur = icalproperty_get_duration(pd);

		if (dur.is_neg || dur.hours || dur.minutes || dur.seconds) {
			*reterr_why = xasprintf("DURATION must be whole days (P1D, P9D)");
			return -EINVAL;
		}
		to = from + (int64_t)dur.days + 7 * (int64_t)dur.weeks;
	} else {
		to = from + 1;
	}
	if (to <= from) {
		/* The usual slip: an inclusive DTEND on a one-day event. */
		*reterr_why = xasprintf("DTEND must be after DTSTART (DTEND is exclusive: "
					"a one-day event ends the next day)");
		return -EINVAL;
	}
	if (to - from > EVENT_MAX_DAYS) {
		*reterr_why = xasprintf("spans %lld days, more than %d; check DTEND",
					(long long)(to - from), EVENT_MAX_DAYS);
		return -EINVAL;
	}
	work = is_workday_event(ev);
	for (day = from; day < to; day++)
		hdays_add(out, date_from_days(day), work);
	return 0;
}

/* Checks and collects every VEVENT of one VCALENDAR. */
static int
load_vcalendar(icalcomponent *vcal, struct hdays *out, int *nth, char **reterr_why)
{
	icalcomponent *ev;
	icalproperty *p;
	char *why = NULL, *name;
	const char *e;
	int r;

	/* Errors outside any event: a stray line, a broken VTIMEZONE. */
	p = icalcomponent_get_first_property(vcal, ICAL_XLICERROR_PROPERTY);
	if (p) {
		*reterr_why = xasprintf("%s", icalproperty_get_xlicerror(p));
		return -EINVAL;
	}
	for (ev = icalcomponent_get_first_component(vcal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(vcal, ICAL_VEVENT_COMPONENT)) {
		++*nth;
		e = find_error(ev);
		if (e)
			why = xasprintf("%s", e);
		r = e ? -EINVAL : load_event(ev, out, &why);
		if (r < 0) {
			name = event_name(ev, *nth);
			*reterr_why = xasprintf("%s: %s", name, why);
			free(name);
			free(why);
			return r;
		}
	}
	e = find_error(vcal);
	if (e) {
		*reterr_why = xasprintf("%s", e);
		return -EINVAL;
	}
	return 0;
}

int
ical_read_holidays(const char *path, ical_day_cb cb, void *userdata, char **reterr_msg)
{
	icalcomponent *root = NULL, *c;
	struct hdays days = { 0 };
	struct buf text;
	char *why = NULL;
	int nth = 0, n_cal = 0, r;
	size_t i;

	buf_init(&text, HOLIDAYS_MAX_BYTES);
	r = read_file(path, &text, &why);
	if (r < 0)
		goto out;
	icalerror_clear_errno();
	root = icalparser_parse_string(text.p);
	if (!root) {
		r = -EINVAL;
		why = xasprintf("not an iCalendar file (BEGIN:VCALENDAR ... END:VCALENDAR), "
				"or truncated");
		goto out;
	}
	switch (icalcomponent_isa(root)) {
	case ICAL_VCALENDAR_COMPONENT:
		r = load_vcalendar(root, &days, &nth, &why);
		break;
	case ICAL_XROOT_COMPONENT:
		/* Several VCALENDARs in one file: read them all. */
		for (c = icalcomponent_get_first_component(root, ICAL_VCALENDAR_COMPONENT);
		     c && r == 0;
		     c = icalcomponent_get_next_component(root, ICAL_VCALENDAR_COMPONENT)) {
			r = load_vcalendar(c, &days, &nth, &why);
			n_cal++;
		}
		if (r == 0 && n_cal == 0) {
			r = -EINVAL;
			why = xasprintf("no VCALENDAR at the top");
		}
		break;
	default:
		r = -EINVAL;
		why = xasprintf("no VCALENDAR at the top (found %s)",
				icalcomponent_kind_to_string(icalcomponent_isa(root)));
		break;
	}
	if (r < 0)
		goto out;
	/* Only a file that read cleanly is given out. */
	for (i = 0; i < days.n; i++) {
		r = cb(days.v[i].d, days.v[i].work, userdata);
		if (r < 0) {
			why = xasprintf("day out of range");
			goto out;
		}
	}
	r = 0;
out:
	if (r < 0)
		*reterr_msg = xasprintf("%s: %s", path, why);
	free(why);
	free(days.v);
	if (root)
		icalcomponent_free(root);
	buf_release(&text);
	return r;
}

static int
add_to_calendar(struct date d, bool work, void *userdata)
{
	struct calendar *cal = userdata;

	return work ? calendar_add_work_day(cal, d) : calendar_add_day_off(cal, d);
}

int
ical_load_holidays(const char *path, struct calendar *cal, char **reterr_msg)
{
	return ical_read_holidays(path, add_to_calendar, cal, reterr_msg);
}

static struct icaltimetype
ical_day(struct date d)
{
	/* Not icaltime_null_date(): its hour and minute are -1, not 0. */
	struct icaltimetype t = icaltime_null_time();

	t.year = d.y;
	t.month = d.m;
	t.day = d.d;
	t.is_date = 1;
	return t;
}

/*
 * Parses an RRULE value and checks it makes sense for all-day
 * occurrences.  On failure *reterr_why (may be NULL) gets the reason.
 * full also makes libical check the parts against FREQ, which costs an
 * iterator (several microseconds: libical opens an ICU calendar);
 * rrule_next gets the same check from its own iterator.
 */
static int
rrule_parse(const char *rrule, bool full, struct icalrecurrencetype *ret, char **reterr_why)
{
	struct icalrecurrencetype rt;
	icalrecur_iterator *it;
	const char *why = NULL;

	if (!rrule || !*rrule) {
		why = "empty RRULE";
		goto out;
	}
	if (strncasecmp(rrule, "RRULE:", 6) == 0) {
		why = "write the value only, without 'RRULE:'";
		goto out;
	}
	rt = icalrecurrencetype_from_string(rrule);
	/* A failed parse leaves icalerrno set; nobody else should see it. */
	icalerror_clear_errno();
	if (rt.rscale) {
		icalmemory_free_buffer(rt.rscale);
		rt.rscale = NULL;
		why = "RSCALE (non-Gregorian calendars) is not supported";
		goto out;
	}
	if (rt.freq == ICAL_NO_RECURRENCE) {
		why = "not an RFC 5545 RRULE (e.g. FREQ=MONTHLY;BYMONTHDAY=20)";
		goto out;
	}
	if (rt.freq == ICAL_SECONDLY_RECURRENCE || rt.freq == ICAL_MINUTELY_RECURRENCE ||
	    rt.freq == ICAL_HOURLY_RECURRENCE) {
		why = "occurrences are days: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY";
		goto out;
	}
	if (rt.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    rt.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
	    rt.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX) {
		why = "occurrences are days: BYHOUR, BYMINUTE and BYSECOND do not apply "
		      "(the hour is the policy's send_at)";
		goto out;
	}
	/*
	 * libical checks which BY* parts go with which FREQ (no BYMONTHDAY
	 * in a WEEKLY rule) only when an iterator is made.
	 */
	if (full) {
		it = icalrecur_iterator_new(rt, ical_day((struct date){ 2000, 1, 1 }));
		icalerror_clear_errno();
		if (!it) {
			why = "libical refuses this combination of FREQ and BY* parts "
			      "(RFC 5545 §3.3.10)";
			goto out;
		}
		icalrecur_iterator_free(it);
	}
	*ret = rt;
	return 0;
out:
	if (reterr_why)
		*reterr_why = xasprintf("bad RRULE '%s': %s", rrule ? rrule : "", why);
	return -EINVAL;
}

/* The search once the rule is known good; see ical_rrule_next. */
static int
rrule_next(const struct icalrecurrencetype *rt, struct date dtstart, struct date from,
	   struct date *ret)
{
	struct icaltimetype start = ical_day(dtstart), since = ical_day(from), t;
	icalrecur_iterator *it;
	int r = -ENOENT;

	if (dtstart.y >= RRULE_END_YEAR || from.y >= RRULE_END_YEAR)
		return -ENOENT;
	it = icalrecur_iterator_new(*rt, start);
	icalerror_clear_errno();
	if (!it)
		return -EINVAL;
	/*
	 * Skip ahead rather than walk from dtstart (a daily rule anchored
	 * years ago would take thousands of steps).  set_start refuses
	 * COUNT rules, which must be counted from the start; then begin
	 * again with a fresh iterator.
	 */
	if (date_cmp(from, dtstart) > 0 && !icalrecur_iterator_set_start(it, since)) {
		icalrecur_iterator_free(it);
		it = icalrecur_iterator_new(*rt, start);
		if (!it)
			return -EINVAL;
	}
	for (t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
	     t = icalrecur_iterator_next(it)) {
		struct date d = { t.year, t.month, t.day };

		if (d.y >= RRULE_END_YEAR)
			break;
		if (date_cmp(d, from) >= 0) {
			*ret = d;
			r = 0;
			break;
		}
	}
	icalrecur_iterator_free(it);
	return r;
}

int
ical_rrule_check(const char *rrule, char **reterr_msg)
{
	struct icalrecurrencetype rt;
	struct date d, anchor = { 2000, 1, 1 };
	int r;

	r = rrule_parse(rrule, true, &rt, reterr_msg);
	if (r < 0)
		return r;
	/* "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30" parses, and never happens. */
	r = rrule_next(&rt, anchor, anchor, &d);
	if (r < 0) {
		*reterr_msg = xasprintf("bad RRULE '%s': it has no occurrence between 2000 and %d",
					rrule, RRULE_END_YEAR);
		return -EINVAL;
	}
	return 0;
}

int
ical_rrule_next(const char *rrule, struct date dtstart, struct date from, struct date *ret)
{
	struct icalrecurrencetype rt;
	struct date d;
	int r;

	if (!date_is_valid(dtstart.y, dtstart.m, dtstart.d) ||
	    !date_is_valid(from.y, from.m, from.d))
		return -EINVAL;
	r = rrule_parse(rrule, false, &rt, NULL);
	if (r < 0)
		return r;
	r = rrule_next(&rt, dtstart, from, &d);
	if (r < 0)
		return r;
	*ret = d;
	return 0;
}
