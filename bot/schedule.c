/* SPDX-License-Identifier: MIT */
/*
 * The reminder policy: schedules/policy.ini, read with libinih, and the
 * holiday calendar it names and the RRULEs, read by the dondoc-ical
 * helper (expand.h).  Every mistake is an error
 * naming file:line; nothing falls back to a default behind the
 * administrator's back, since a misread policy reminds the wrong day.
 *
 * A key left out takes the built-in default of schedule_new_default()
 * (the same values schedules/policy.ini spells out); a key given twice,
 * an unknown key or section, or a value out of range is an error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "calendar.h"
#include "expand.h"
#include "inifile.h"
#include "macro.h"
#include "mime.h"
#include "schedule.h"
#include "xalloc.h"

#define POLICY_FILE "policy.ini"
#define HOLIDAYS_DEFAULT "holidays-vn.ics"
#define WINDOW_BEFORE 400	/* days of RRULE occurrences known before the load day */
#define WINDOW_AFTER (3 * 366)	/* and after it */
#define STALE_AFTER 365		/* a schedule older than this is loaded again */

enum key_type {
	KEY_OFFSETS,	/* working days before a day: "7, 3, 1, 0"; may be empty */
	KEY_LEVELS,	/* working days overdue, strictly increasing: "5, 15" */
	KEY_WORKDAYS,	/* one count of working days, 1..SCHEDULE_MAX_WORKDAYS */
	KEY_TIME,	/* "07:30" */
	KEY_WEEKDAYS,	/* "mon, tue, wed, thu, fri" */
	KEY_RRULE,	/* an RFC 5545 RRULE value */
	KEY_PATH,	/* a file relative to the schedules directory; empty for none */
	KEY_MONTHDAY,	/* a day of the month, 1..31 (31: the month's last) */
	KEY_WORD,	/* one of a few words */
	KEY_DATE,	/* a day, YYYY-MM-DD */
	KEY_ADDRESSES,	/* email addresses, comma-separated; may be empty */
};

enum key_id {
	K_BEFORE_DAY,	/* the first five follow enum deadline_precision */
	K_BEFORE_MONTH,
	K_BEFORE_QUARTER,
	K_BEFORE_HALF,
	K_BEFORE_YEAR,
	K_NAG_FIRST,
	K_NAG_EVERY,
	K_LEVELS,
	K_WORK_START,
	K_WORK_END,
	K_SEND_AT,
	K_WEEKDAYS,
	K_HOLIDAYS,
	K_RECURRING_RRULE,
	K_RECURRING_BEFORE,
	K_NEEDS_DATE_RRULE,
	K_DIGEST_RRULE,
	K_RECURRING_DAY,
	K_ASSESSMENT_RRULE,
	K_ASSESSMENT_BEFORE,
	K_ESCALATION_FROM,
	K_DIGEST_START,
	K_DIGEST_TO,
	K_REPORT_CUTOFF_DAY,
	_K_MAX,
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
};

static const struct key keys[_K_MAX] = {
	[K_BEFORE_DAY] = { "before", "day", KEY_OFFSETS },
	[K_BEFORE_MONTH] = { "before", "month", KEY_OFFSETS },
	[K_BEFORE_QUARTER] = { "before", "quarter", KEY_OFFSETS },
	[K_BEFORE_HALF] = { "before", "half", KEY_OFFSETS },
	[K_BEFORE_YEAR] = { "before", "year", KEY_OFFSETS },
	[K_NAG_FIRST] = { "overdue", "first", KEY_WORKDAYS },
	[K_NAG_EVERY] = { "overdue", "every", KEY_WORKDAYS },
	[K_LEVELS] = { "escalation", "levels", KEY_LEVELS },
	[K_WORK_START] = { "hours", "start", KEY_TIME },
	[K_WORK_END] = { "hours", "end", KEY_TIME },
	[K_SEND_AT] = { "hours", "send_at", KEY_TIME },
	[K_WEEKDAYS] = { "calendar", "weekdays", KEY_WEEKDAYS },
	[K_HOLIDAYS] = { "calendar", "holidays", KEY_PATH },
	[K_RECURRING_RRULE] = { "recurring", "rrule", KEY_RRULE },
	[K_RECURRING_BEFORE] = { "recurring", "before", KEY_OFFSETS },
	[K_NEEDS_DATE_RRULE] = { "needs_date", "rrule", KEY_RRULE },
	[K_DIGEST_RRULE] = { "digest", "rrule", KEY_RRULE },
	[K_RECURRING_DAY] = { "recurring", "day", KEY_MONTHDAY },
	[K_ASSESSMENT_RRULE] = { "assessment", "rrule", KEY_RRULE },
	[K_ASSESSMENT_BEFORE] = { "assessment", "before", KEY_OFFSETS },
	[K_ESCALATION_FROM] = { "escalation", "from", KEY_WORD },
	[K_DIGEST_START] = { "digest", "start", KEY_DATE },
	[K_DIGEST_TO] = { "digest", "to", KEY_ADDRESSES },
	[K_REPORT_CUTOFF_DAY] = { "report", "cutoff_day", KEY_MONTHDAY },
};

static const char *const weekday_names[7][2] = {
	{ "mon", "monday" }, { "tue", "tuesday" }, { "wed", "wednesday" },
	{ "thu", "thursday" }, { "fri", "friday" }, { "sat", "saturday" },
	{ "sun", "sunday" },
};

/*
 * State shared by the line reader and the inih handler.  inih calls the
 * handler right after reading the line it names, so "line" is the line
 * being handled: that is how messages get numbers, since Debian's libinih
 * is built without INI_HANDLER_LINENO.
 */
struct parser {
	struct inifile in;	/* the file and the number of the line last read */
	const char *path;
	struct schedule *s;
	int prev;		/* the key set last in this section, or -1 */
	int set_at[_K_MAX];	/* line where each key was set, 0 when not */
	char *holidays;		/* the holidays value as written, when set */
	char *err;		/* the first error, "path:line: what" */
	int err_line;
	int r;
};

/*
 * The calendar builds its working-day index on the first query; make
 * that query now, so that a schedule is never written to once handed
 * out and could be read from several threads.
 */
static void
prebuild(struct schedule *s)
{
	(void)calendar_workdays_between(s->cal, (struct date){ 2000, 1, 1 },
					(struct date){ 2000, 1, 2 });
}

struct schedule *
schedule_new_default(void)
{
	static const int day[] = { 7, 3, 1, 0 }, month[] = { 10, 5, 0 },
			 longer[] = { 20, 10, 5, 0 };
	struct schedule *s = xcalloc(1, sizeof(*s));
	int p;

	memcpy(s->before[DEADLINE_DAY], day, sizeof(day));
	s->n_before[DEADLINE_DAY] = ELEMENTSOF(day);
	memcpy(s->before[DEADLINE_MONTH], month, sizeof(month));
	s->n_before[DEADLINE_MONTH] = ELEMENTSOF(month);
	for (p = DEADLINE_QUARTER; p <= DEADLINE_YEAR; p++) {
		memcpy(s->before[p], longer, sizeof(longer));
		s->n_before[p] = ELEMENTSOF(longer);
	}
	s->nag_first = 1;
	s->nag_every = 3;
	s->levels[0] = 5;
	s->levels[1] = 15;
	s->n_levels = 2;
	s->work_start = 7 * 60 + 30;
	s->work_end = 17 * 60 + 30;
	s->send_at = 8 * 60;
	s->weekdays = 0x1f;
	s->cal = calendar_new();
	s->recurring_rrule = xstrdup("FREQ=MONTHLY;BYMONTHDAY=20");
	s->recurring_before[0] = 3;
	s->recurring_before[1] = 0;
	s->n_recurring_before = 2;
	s->recurring_day = 20;
	s->needs_date_rrule = xstrdup("FREQ=WEEKLY;BYDAY=MO");
	s->digest_rrule = xstrdup("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR");
	s->assessment_rrule = xstrdup(SCHEDULE_ASSESSMENT_DEFAULT);
	s->assessment_before[0] = 5;
	s->assessment_before[1] = 0;
	s->n_assessment_before = 2;
	prebuild(s);
	return s;
}

struct schedule *
schedule_free(struct schedule *s)
{
	if (s) {
		calendar_free(s->cal);
		free(s->recurring_rrule);
		free(s->needs_date_rrule);
		free(s->digest_rrule);
		free(s->assessment_rrule);
		for (size_t i = 0; i < s->n_digest_to; i++)
			free(s->digest_to[i]);
		free(s->digest_to);
		free(s->policy_path);
		free(s->holidays_path);
		for (int i = 0; i < _SCHEDULE_RULE_MAX; i++)
			free(s->occ[i].v);
		free(s);
	}
	return NULL;
}

/* Records the first error at line, taking ownership of what. */
static void
fail_at(struct parser *p, int line, int r, char *what)
{
	if (p->err) {
		free(what);
		return;
	}
	p->err = xasprintf("%s:%d: %s", p->path, line, what);
	free(what);
	p->err_line = line;
	p->r = r;
}

static void
fail(struct parser *p, char *what)
{
	fail_at(p, p->in.line, -EINVAL, what);
}

/*
 * Looks at a line the way inih will, to catch what the handler never
 * hears of: unknown sections (even empty ones) and indented lines, which
 * inih would silently glue onto the previous key's value.
 */
static void
check_line(struct parser *p, const char *s)
{
	const char *start, *end;
	size_t len, i;

	if (p->in.line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	start = s;
	while (*start == ' ' || *start == '\t' || *start == '\r')
		start++;
	if (*start == '\0' || *start == '\n' || *start == ';' || *start == '#')
		return;
	if (start > s && p->prev >= 0) {
		fail(p, xasprintf("indented line would continue '%s' (values cannot span lines); "
				  "remove the indentation", keys[p->prev].name));
		return;
	}
	if (*start != '[')
		return;
	/* A missing ']' is inih's syntax error, reported with its line. */
	end = strchr(start + 1, ']');
	if (!end)
		return;
	p->prev = -1;
	len = (size_t)(end - start - 1);
	for (i = 0; i < _K_MAX; i++)
		if (strlen(keys[i].section) == len && strncmp(keys[i].section, start + 1, len) == 0)
			return;
	fail(p, xasprintf("unknown section '[%.*s]'", (int)len, start + 1));
}

/* inifile's callbacks. */
static void
check_line_cb(void *owner, const char *s)
{
	check_line(owner, s);
}

static void
fail_at_cb(void *owner, int line, int r, char *what)
{
	fail_at(owner, line, r, what);
}

static bool
failed(void *owner)
{
	return ((struct parser *)owner)->err != NULL;
}

/* Parses a whole decimal number of at most 6 digits with an optional '-'. */
static int
parse_number(const char *s, size_t len, int *ret)
{
	size_t i = 0;
	int v = 0;
	bool neg = false;

	if (len > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 6)
		return -EINVAL;
	for (; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	*ret = neg ? -v : v;
	return 0;
}

/* The next comma-separated item of *cur, trimmed; false at the end. */
static bool
next_item(const char **cur, const char **ret, size_t *ret_len)
{
	const char *s = *cur, *e;

	if (!s)
		return false;
	e = strchr(s, ',');
	*cur = e ? e + 1 : NULL;
	if (!e)
		e = s + strlen(s);
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*ret = s;
	*ret_len = (size_t)(e - s);
	return true;
}

/*
 * Parses a count of working days within [min, SCHEDULE_MAX_WORKDAYS];
 * what names it in messages ("offset", "level", "value").
 */
static int
parse_workdays(struct parser *p, const char *name, const char *what, const char *s, size_t len,
	       int min, int *ret)
{
	int v;

	if (len == 0) {
		fail(p, xasprintf("%s: missing number (an empty %s)", name, what));
		return -EINVAL;
	}
	if (parse_number(s, len, &v) < 0) {
		fail(p, xasprintf("%s: '%.*s' is not a whole number of working days", name,
				  (int)len, s));
		return -EINVAL;
	}
	if (v < 0) {
		fail(p, xasprintf("%s: %s '%d' is negative", name, what, v));
		return -EINVAL;
	}
	if (v < min) {
		fail(p, xasprintf("%s: %s '%d' must be at least %d", name, what, v, min));
		return -EINVAL;
	}
	if (v > SCHEDULE_MAX_WORKDAYS) {
		fail(p, xasprintf("%s: %s '%d' is more than %d working days", name, what, v,
				  SCHEDULE_MAX_WORKDAYS));
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int
int_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * "7, 3, 1, 0" into v, largest first.  levels: at least one, each >= 1,
 * strictly increasing as written; otherwise any order, no repeats, and
 * an empty value means none.
 */
static int
parse_list(struct parser *p, const char *name, const char *value, bool levels, int *v,
	   int *ret_n, int max_n)
{
	const char *cur = value, *item;
	int tmp[SCHEDULE_MAX_OFFSETS], n = 0, i, x;
	size_t len;

	if (!*value) {
		if (levels) {
			fail(p, xasprintf("%s: at least one level is needed", name));
			return -EINVAL;
		}
		*ret_n = 0;
		return 0;
	}
	while (next_item(&cur, &item, &len)) {
		if (parse_workdays(p, name, levels ? "level" : "offset", item, len, levels ? 1 : 0,
				   &x) < 0)
			return -EINVAL;
		if (n == max_n) {
			fail(p, xasprintf("%s: more than %d %s", name, max_n,
					  levels ? "levels" : "offsets"));
			return -EINVAL;
		}
		for (i = 0; i < n; i++)
			if (tmp[i] == x) {
				fail(p, xasprintf("%s: %d is given twice", name, x));
				return -EINVAL;
			}
		if (levels && n > 0 && x <= tmp[n - 1]) {
			fail(p, xasprintf("%s: must be strictly increasing (%d comes after %d)",
					  name, x, tmp[n - 1]));
			return -EINVAL;
		}
		tmp[n++] = x;
	}
	if (!levels)
		qsort(tmp, (size_t)n, sizeof(*tmp), int_desc);
	memcpy(v, tmp, (size_t)n * sizeof(*v));
	*ret_n = n;
	return 0;
}

/* "07:30" (or "7:30") into minutes after midnight. */
static int
parse_time(struct parser *p, const char *name, const char *value, int *ret)
{
	const char *colon = strchr(value, ':');
	int h, m;

	if (!colon || colon == value || colon - value > 2 || strlen(colon + 1) != 2 ||
	    parse_number(value, (size_t)(colon - value), &h) < 0 ||
	    parse_number(colon + 1, 2, &m) < 0 || h < 0 || h > 23 || m < 0 || m > 59) {
		fail(p, xasprintf("%s: '%s' is not a time of day (HH:MM, e.g. 07:30)", name,
				  value));
		return -EINVAL;
	}
	*ret = h * 60 + m;
	return 0;
}

/* "mon, tue, wed" into a bit mask, bit (w - 1) for ISO weekday w. */
static int
parse_weekdays(struct parser *p, const char *name, const char *value, unsigned *ret)
{
	const char *cur = value, *item;
	unsigned mask = 0;
	size_t len;
	int w;

	while (*value && next_item(&cur, &item, &len)) {
		for (w = 0; w < 7; w++)
			if ((len == strlen(weekday_names[w][0]) &&
			     strncasecmp(item, weekday_names[w][0], len) == 0) ||
			    (len == strlen(weekday_names[w][1]) &&
			     strncasecmp(item, weekday_names[w][1], len) == 0))
				break;
		if (w == 7) {
			fail(p, xasprintf("%s: '%.*s' is not a weekday (mon, tue, wed, thu, fri, "
					  "sat, sun)", name, (int)len, item));
			return -EINVAL;
		}
		if (mask & (1u << w)) {
			fail(p, xasprintf("%s: '%.*s' is given twice", name, (int)len, item));
			return -EINVAL;
		}
		mask |= 1u << w;
	}
	if (!mask) {
		fail(p, xasprintf("%s: no working weekday: name at least one (mon, tue, ...)",
				  name));
		return -EINVAL;
	}
	*ret = mask;
	return 0;
}

/* A reporting day of the month, 1..31; 31 is the last day of shorter months. */
static int
parse_monthday(struct parser *p, const char *name, const char *value, int *ret)
{
	int v;

	if (parse_number(value, strlen(value), &v) < 0 || v < 1 || v > 31) {
		fail(p, xasprintf("%s: '%s' is not a day of the month (1-31; 31 is the last "
				  "day of shorter months)", name, value));
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* "first_notice" or "due": what the escalation clock counts from. */
static int
parse_escalation_from(struct parser *p, const char *name, const char *value,
		      enum escalation_from *ret)
{
	if (strcmp(value, "first_notice") == 0) {
		*ret = ESCALATION_FROM_FIRST_NOTICE;
	} else if (strcmp(value, "due") == 0) {
		*ret = ESCALATION_FROM_DUE;
	} else {
		fail(p, xasprintf("%s: '%s' is neither 'first_notice' nor 'due'", name, value));
		return -EINVAL;
	}
	return 0;
}

/* [digest] start: the first digest day, an ISO date. */
static int
parse_date(struct parser *p, const char *name, const char *value, struct date *ret)
{
	if (date_parse_iso(value, ret) < 0) {
		fail(p, xasprintf("%s: '%s' is not a day (write it YYYY-MM-DD, e.g. 2026-01-09)",
				  name, value));
		return -EINVAL;
	}
	return 0;
}

/*
 * [digest] to: addresses, each checked as the email channel will
 * (mime_address_ok), so a typo stops the load instead of the digest.
 */
static int
parse_addresses(struct parser *p, const char *name, const char *value)
{
	struct schedule *s = p->s;
	const char *cur = value, *item;
	size_t len;

	if (!*value)
		return 0;
	while (next_item(&cur, &item, &len)) {
		char *addr = xstrndup(item, len);

		if (!mime_address_ok(addr)) {
			fail(p, xasprintf("%s: '%s' is not an email address", name, addr));
			free(addr);
			return -EINVAL;
		}
		s->digest_to = xgrowarray(s->digest_to, s->n_digest_to, sizeof(*s->digest_to));
		s->digest_to[s->n_digest_to++] = addr;
	}
	return 0;
}

/* [report] cutoff_day: 0 (calendar periods) or the last day of a window, 1..28. */
static int
parse_cutoff(struct parser *p, const char *name, const char *value, int *ret)
{
	int v;

	if (parse_number(value, strlen(value), &v) < 0 || v < 0 || v > 28) {
		fail(p, xasprintf("%s: '%s' is not 0 (calendar periods) or a day 1-28", name,
				  value));
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

/* Sets one key of p->s from its value; 0 or -EINVAL (already recorded). */
static int
apply(struct parser *p, enum key_id id, const char *value)
{
	struct schedule *s = p->s;
	const char *name = keys[id].name;
	char **field = NULL;

	switch (id) {
	case K_BEFORE_DAY:
	case K_BEFORE_MONTH:
	case K_BEFORE_QUARTER:
	case K_BEFORE_HALF:
	case K_BEFORE_YEAR:
		/* K_BEFORE_DAY + p is the key of DEADLINE_DAY + p. */
		return parse_list(p, name, value, false, s->before[id - K_BEFORE_DAY],
				  &s->n_before[id - K_BEFORE_DAY], SCHEDULE_MAX_OFFSETS);
	case K_RECURRING_BEFORE:
		return parse_list(p, name, value, false, s->recurring_before,
				  &s->n_recurring_before, SCHEDULE_MAX_OFFSETS);
	case K_ASSESSMENT_BEFORE:
		return parse_list(p, name, value, false, s->assessment_before,
				  &s->n_assessment_before, SCHEDULE_MAX_OFFSETS);
	case K_LEVELS:
		return parse_list(p, name, value, true, s->levels, &s->n_levels,
				  SCHEDULE_MAX_LEVELS);
	case K_NAG_FIRST:
	case K_NAG_EVERY:
		return parse_workdays(p, name, "value", value, strlen(value), 1,
				      id == K_NAG_FIRST ? &s->nag_first : &s->nag_every);
	case K_WORK_START:
		return parse_time(p, name, value, &s->work_start);
	case K_WORK_END:
		return parse_time(p, name, value, &s->work_end);
	case K_SEND_AT:
		return parse_time(p, name, value, &s->send_at);
	case K_WEEKDAYS:
		return parse_weekdays(p, name, value, &s->weekdays);
	case K_HOLIDAYS:
		/* Loaded once the whole file is read; see schedule_load. */
		free(p->holidays);
		p->holidays = xstrdup(value);
		return 0;
	case K_RECURRING_RRULE:
		field = &s->recurring_rrule;
		break;
	case K_NEEDS_DATE_RRULE:
		field = &s->needs_date_rrule;
		break;
	case K_DIGEST_RRULE:
		field = &s->digest_rrule;
		break;
	case K_RECURRING_DAY:
		return parse_monthday(p, name, value, &s->recurring_day);
	case K_ASSESSMENT_RRULE:
		field = &s->assessment_rrule;
		break;
	case K_ESCALATION_FROM:
		return parse_escalation_from(p, name, value, &s->escalation_from);
	case K_DIGEST_START:
		return parse_date(p, name, value, &s->digest_start);
	case K_DIGEST_TO:
		return parse_addresses(p, name, value);
	case K_REPORT_CUTOFF_DAY:
		return parse_cutoff(p, name, value, &s->report_cutoff_day);
	case _K_MAX:
		break;
	}
	if (!field)
		return -EINVAL;
	/* What the rule means is checked by the helper, with the holidays. */
	free(*field);
	*field = xstrdup(value);
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	int i;

	if (p->err)
		return 0;
	if (!*section) {
		fail(p, xasprintf("key '%s' is outside any section", name));
		return 0;
	}
	for (i = 0; i < _K_MAX; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			break;
	if (i == _K_MAX) {
		fail(p, xasprintf("unknown key '%s' in section '[%s]'", name, section));
		return 0;
	}
	/* A second value is more often a forgotten line than an override. */
	if (p->set_at[i]) {
		fail(p, xasprintf("'%s' is already set on line %d", name, p->set_at[i]));
		return 0;
	}
	p->set_at[i] = p->in.line;
	p->prev = i;
	return apply(p, (enum key_id)i, value) == 0;
}

/* The line of the later of two keys that were set (0 when neither). */
static int
later_line(const struct parser *p, enum key_id a, enum key_id b)
{
	return MAX(p->set_at[a], p->set_at[b]);
}

/* Checks that span keys: working hours, and when messages go out. */
static void
check_hours(struct parser *p)
{
	const struct schedule *s = p->s;

	if (s->work_start >= s->work_end)
		fail_at(p, later_line(p, K_WORK_START, K_WORK_END), -EINVAL,
			xasprintf("working hours end (%02d:%02d) must be after they start "
				  "(%02d:%02d)", s->work_end / 60, s->work_end % 60,
				  s->work_start / 60, s->work_start % 60));
	else if (s->send_at < s->work_start || s->send_at >= s->work_end)
		fail_at(p, MAX(p->set_at[K_SEND_AT], later_line(p, K_WORK_START, K_WORK_END)),
			-EINVAL,
			xasprintf("send_at %02d:%02d is outside working hours %02d:%02d-%02d:%02d",
				  s->send_at / 60, s->send_at % 60,
				  s->work_start / 60, s->work_start % 60,
				  s->work_end / 60, s->work_end % 60));
}

/* Parses the open policy file into p->s; 0 or -errno with p->err set. */
static int
parse_policy(struct parser *p)
{
	int line;

	p->in.owner = p;
	p->in.check = check_line_cb;
	p->in.fail = fail_at_cb;
	p->in.failed = failed;
	line = inifile_parse(&p->in, handler, p);
	/*
	 * inih goes on after a line that is neither a section nor key =
	 * value and returns the first such line; report whichever error
	 * came first.
	 */
	if (line > 0 && (!p->err || line < p->err_line)) {
		free(p->err);
		p->err = NULL;
		fail_at(p, line, -EINVAL,
			xasprintf("syntax error: expected '[section]' or 'key = value'"));
	} else if (line < 0 && !p->err) {
		p->err = xasprintf("%s: cannot parse (libinih error %d)", p->path, line);
		p->r = -ENOMEM;
	}
	if (!p->err)
		check_hours(p);
	return p->err ? p->r : 0;
}

/* The holiday file: the one [calendar] holidays names, else the default if present. */
static char *
holidays_path(const struct parser *p, const char *dir)
{
	char *path;

	if (p->holidays && !*p->holidays)
		return NULL;
	if (p->holidays)
		return p->holidays[0] == '/' ? xstrdup(p->holidays) :
			xasprintf("%s/%s", dir, p->holidays);
	path = xasprintf("%s/%s", dir, HOLIDAYS_DEFAULT);
	/* The default file is optional; a named one is not. */
	if (access(path, F_OK) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

/* Records an error of the helper against the line of what it is about. */
static void
fail_ical(struct parser *p, int culprit, int r, char *msg)
{
	static const enum key_id rule_key[_SCHEDULE_RULE_MAX] = {
		[SCHEDULE_RECURRING] = K_RECURRING_RRULE,
		[SCHEDULE_NEEDS_DATE] = K_NEEDS_DATE_RRULE,
		[SCHEDULE_DIGEST] = K_DIGEST_RRULE,
		[SCHEDULE_ASSESSMENT] = K_ASSESSMENT_RRULE,
	};

	if (culprit == EXPAND_HOLIDAYS && p->set_at[K_HOLIDAYS])
		fail_at(p, p->set_at[K_HOLIDAYS], r,
			xasprintf("holiday file '%s' does not load: %s", p->holidays, msg));
	else if (culprit == EXPAND_HOLIDAYS)
		p->err = xasprintf("%s: the default holiday file does not load: %s", p->path, msg);
	else if (culprit >= 0 && culprit < _SCHEDULE_RULE_MAX) {
		enum key_id k = rule_key[culprit];

		/* A built-in default never fails; if it did, line 0 says so. */
		fail_at(p, p->set_at[k], r,
			xasprintf("[%s] %s: %s", keys[k].section, keys[k].name, msg));
	} else
		p->err = xasprintf("%s: cannot read the holiday file and RRULEs: %s", p->path, msg);
	p->r = r;
	free(msg);
}

/*
 * The digest's days again, anchored at [digest] start: "every second
 * Friday" counts its weeks from DTSTART, so the committee's first
 * digest day decides which Fridays.  One more run of the helper, only
 * when start is set (without it the digest keeps SCHEDULE_RRULE_ANCHOR).
 */
static int
load_digest_from_start(struct parser *p)
{
	struct schedule *s = p->s;
	struct expansion e = { 0 };
	const char *rule = s->digest_rrule;
	char *msg = NULL;
	int culprit = EXPAND_HELPER, r;

	r = expand_run(NULL, &rule, 1, s->digest_start, s->span_from, s->span_until, &e, &culprit,
		       &msg);
	if (r < 0) {
		fail_ical(p, culprit == 0 ? SCHEDULE_DIGEST : culprit, r, msg);
		return r;
	}
	free(s->occ[SCHEDULE_DIGEST].v);
	s->occ[SCHEDULE_DIGEST].v = e.occ[0].v;
	s->occ[SCHEDULE_DIGEST].n = e.occ[0].n;
	e.occ[0].v = NULL;
	expand_release(&e);
	return 0;
}

/*
 * Reads the holiday file into the calendar and the RRULE occurrences
 * around today, through the helper.
 */
static int
load_ical(struct parser *p, const char *dir, struct date today)
{
	struct schedule *s = p->s;
	struct expansion e = { 0 };
	const char *rules[_SCHEDULE_RULE_MAX] = {
		[SCHEDULE_RECURRING] = s->recurring_rrule,
		[SCHEDULE_NEEDS_DATE] = s->needs_date_rrule,
		[SCHEDULE_DIGEST] = s->digest_rrule,
		[SCHEDULE_ASSESSMENT] = s->assessment_rrule,
	};
	int64_t t = date_to_days(today);
	char *msg = NULL;
	int culprit = EXPAND_HELPER, r;

	s->holidays_path = holidays_path(p, dir);
	s->loaded_for = today;
	s->span_from = date_from_days(t - WINDOW_BEFORE);
	s->span_until = date_from_days(t + WINDOW_AFTER);
	r = expand_run(s->holidays_path, rules, _SCHEDULE_RULE_MAX, SCHEDULE_RRULE_ANCHOR,
		       s->span_from, s->span_until, &e, &culprit, &msg);
	if (r < 0) {
		fail_ical(p, culprit, r, msg);
		return r;
	}
	for (size_t i = 0; i < e.n_days && r == 0; i++)
		r = e.days[i].work ? calendar_add_work_day(s->cal, e.days[i].d) :
				     calendar_add_day_off(s->cal, e.days[i].d);
	if (r < 0) {
		fail_ical(p, EXPAND_HOLIDAYS, r, xstrdup("a day out of range"));
		expand_release(&e);
		return r;
	}
	for (int i = 0; i < _SCHEDULE_RULE_MAX; i++) {
		s->occ[i].v = e.occ[i].v;
		s->occ[i].n = e.occ[i].n;
		e.occ[i].v = NULL;
	}
	expand_release(&e);
	return s->digest_start.y ? load_digest_from_start(p) : 0;
}

/* The index of the first occurrence on or after d (o->n when none). */
static size_t
occ_search(const struct schedule_occ *o, struct date d)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (date_cmp(o->v[mid], d) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The helper gives every occurrence of the window, then the first one
 * after it (if any): nothing lies between the window's end and that one.
 */
static bool
occ_has_after(const struct schedule *s, const struct schedule_occ *o)
{
	return o->n > 0 && date_cmp(o->v[o->n - 1], s->span_until) > 0;
}

int
schedule_next(const struct schedule *s, enum schedule_rule rule, struct date from,
	      struct date *ret)
{
	const struct schedule_occ *o;
	size_t i;

	if (rule < 0 || rule >= _SCHEDULE_RULE_MAX)
		return -EINVAL;
	o = &s->occ[rule];
	if (!s->span_from.y || date_cmp(from, s->span_from) < 0)
		return -ERANGE;
	i = occ_search(o, from);
	if (i < o->n) {
		*ret = o->v[i];
		return 0;
	}
	/* Past the first occurrence after the window: not known. */
	return occ_has_after(s, o) ? -ERANGE : -ENOENT;
}

int
schedule_prev(const struct schedule *s, enum schedule_rule rule, struct date day,
	      struct date *ret)
{
	const struct schedule_occ *o;
	size_t i;

	if (rule < 0 || rule >= _SCHEDULE_RULE_MAX)
		return -EINVAL;
	o = &s->occ[rule];
	if (!s->span_from.y)
		return -ERANGE;
	if (occ_has_after(s, o) && date_cmp(day, o->v[o->n - 1]) > 0)
		return -ERANGE;
	/* i: the first occurrence after day. */
	i = occ_search(o, date_from_days(date_to_days(day) + 1));
	if (i == 0)
		return -ENOENT;
	*ret = o->v[i - 1];
	return 0;
}

/* d, or the first working day after it when it is not one. */
static struct date
workday_on_or_after(const struct calendar *cal, struct date d)
{
	return calendar_is_workday(cal, d) ? d : calendar_add_workdays(cal, d, 1);
}

int
schedule_digest_day(const struct schedule *s, struct date today, struct date *ret_key,
		    struct date *ret_day)
{
	struct date key, day = today;
	int r;

	/*
	 * The latest occurrence may be a holiday moved past today: then the
	 * one before it is the latest that has come.
	 */
	for (;;) {
		r = schedule_prev(s, SCHEDULE_DIGEST, day, &key);
		if (r < 0)
			return r;
		day = workday_on_or_after(s->cal, key);
		if (date_cmp(day, today) <= 0)
			break;
		day = date_from_days(date_to_days(key) - 1);
	}
	*ret_key = key;
	*ret_day = day;
	return 0;
}

bool
schedule_stale(const struct schedule *s, struct date today)
{
	int64_t age = date_to_days(today) - date_to_days(s->loaded_for);

	return s->span_from.y && (age < 0 || age > STALE_AFTER);
}

int
schedule_load(const char *dir, struct date today, struct schedule **ret, char **reterr_msg)
{
	struct parser p = { .prev = -1 };
	struct schedule *s = NULL;
	char *path = NULL;
	int r;

	path = xasprintf("%s/%s", dir, POLICY_FILE);
	p.path = path;
	/* "e": O_CLOEXEC, so the descriptor never leaks into a child. */
	p.in.f = fopen(path, "re");
	if (!p.in.f) {
		r = -errno;
		p.err = xasprintf("%s: cannot open: %s", path, strerror(-r));
		goto out;
	}
	s = schedule_new_default();
	p.s = s;
	r = parse_policy(&p);
	if (r < 0)
		goto out;
	r = calendar_set_weekdays(s->cal, s->weekdays);
	if (r < 0) {
		p.err = xasprintf("%s: bad weekdays", path);
		goto out;
	}
	r = load_ical(&p, dir, today);
	if (r < 0)
		goto out;
	prebuild(s);
	s->policy_path = path;
	path = NULL;
	*ret = s;
	s = NULL;
out:
	if (r < 0)
		*reterr_msg = p.err;
	else
		free(p.err);
	free(p.holidays);
	if (p.in.f)
		(void)fclose(p.in.f);
	schedule_free(s);
	free(path);
	return r;
}
