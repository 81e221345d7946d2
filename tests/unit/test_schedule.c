/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of schedule.c: the built-in defaults, the shipped schedules/
 * directory with its Vietnamese holidays, custom policies, and every kind
 * of mistake in policy.ini, each reported as "file:line: what".
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "schedule.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

struct fx {
	char dir[64];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-schedule.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r = testlib_rmtree(f->dir);

	free(f);
	return r;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	testlib_write(path, text);
}

static void
assert_date(struct date got, struct date want)
{
	char g[DATE_ISO_LEN], w[DATE_ISO_LEN];

	date_format_iso(got, g);
	date_format_iso(want, w);
	assert_string_equal(g, w);
}

static void
assert_list(const int *v, int n, const int *want, int n_want)
{
	assert_int_equal(n, n_want);
	for (int i = 0; i < n; i++)
		assert_int_equal(v[i], want[i]);
}

#define L(...) (const int[]){ __VA_ARGS__ }, (int)(sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

/* The values the tests, the planner and schedules/policy.ini agree on. */
static void
assert_default_policy(const struct schedule *s)
{
	assert_list(s->before[DEADLINE_DAY], s->n_before[DEADLINE_DAY], L(7, 3, 1, 0));
	assert_list(s->before[DEADLINE_MONTH], s->n_before[DEADLINE_MONTH], L(10, 5, 0));
	assert_list(s->before[DEADLINE_QUARTER], s->n_before[DEADLINE_QUARTER], L(20, 10, 5, 0));
	assert_list(s->before[DEADLINE_HALF], s->n_before[DEADLINE_HALF], L(20, 10, 5, 0));
	assert_list(s->before[DEADLINE_YEAR], s->n_before[DEADLINE_YEAR], L(20, 10, 5, 0));
	assert_int_equal(s->nag_first, 1);
	assert_int_equal(s->nag_every, 3);
	assert_list(s->levels, s->n_levels, L(5, 15));
	assert_int_equal(s->escalation_from, ESCALATION_FROM_FIRST_NOTICE);
	assert_int_equal(s->work_start, 450);
	assert_int_equal(s->work_end, 1050);
	assert_int_equal(s->send_at, 480);
	assert_int_equal(s->weekdays, 0x1f);
	assert_non_null(s->cal);
	assert_string_equal(s->recurring_rrule, "FREQ=MONTHLY;BYMONTHDAY=20");
	assert_list(s->recurring_before, s->n_recurring_before, L(3, 0));
	assert_string_equal(s->needs_date_rrule, "FREQ=WEEKLY;BYDAY=MO");
	assert_string_equal(s->digest_rrule, "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR");
	assert_string_equal(s->assessment_rrule, "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20");
	assert_list(s->assessment_before, s->n_assessment_before, L(5, 0));
}

static void
test_defaults(void **state)
{
	struct schedule *s = schedule_new_default();

	(void)state;
	assert_default_policy(s);
	assert_null(s->policy_path);
	assert_null(s->holidays_path);
	/* A plain Monday-Friday calendar: 2/9/2025 is an ordinary Tuesday. */
	assert_true(calendar_is_workday(s->cal, D(2025, 9, 2)));
	assert_false(calendar_is_workday(s->cal, D(2025, 9, 6)));
	assert_null(schedule_free(s));
	assert_null(schedule_free(NULL));
}

static void
test_shipped_schedules(void **state)
{
	struct schedule *s = NULL;
	char *msg = NULL;
	struct calendar *cal;

	(void)state;
	if (schedule_load("schedules", TESTLIB_TODAY, &s, &msg) < 0)
		fail_msg("%s", msg);
	assert_null(msg);
	assert_default_policy(s);
	assert_string_equal(s->policy_path, "schedules/policy.ini");
	assert_string_equal(s->holidays_path, "schedules/holidays-vn.ics");
	cal = s->cal;

	/* Tết Bính Ngọ 2026: the statutory days, and the whole range. */
	for (int d = 14; d <= 22; d++)
		assert_false(calendar_is_workday(cal, D(2026, 2, d)));
	assert_true(calendar_is_workday(cal, D(2026, 2, 13)));
	assert_true(calendar_is_workday(cal, D(2026, 2, 23)));
	/* Swapped Saturdays are worked; the days they swap for are not. */
	assert_true(calendar_is_workday(cal, D(2026, 1, 10)));
	assert_true(calendar_is_workday(cal, D(2026, 8, 22)));
	assert_true(calendar_is_workday(cal, D(2025, 4, 26)));
	assert_false(calendar_is_workday(cal, D(2026, 1, 2)));
	assert_false(calendar_is_workday(cal, D(2026, 8, 31)));
	assert_false(calendar_is_workday(cal, D(2025, 5, 2)));
	/* Quốc khánh 2025. */
	assert_false(calendar_is_workday(cal, D(2025, 9, 1)));
	assert_false(calendar_is_workday(cal, D(2025, 9, 2)));
	assert_true(calendar_is_workday(cal, D(2025, 9, 3)));

	/* Seven working days before 27/2/2026 jump over Tết. */
	assert_date(calendar_add_workdays(cal, D(2026, 2, 27), -7), D(2026, 2, 11));
	/* A task due 30/9/2025: reminder 7, first nag, level 1, level 2. */
	assert_date(calendar_add_workdays(cal, D(2025, 9, 30), -7), D(2025, 9, 19));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 30), 1), D(2025, 10, 1));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 30), 5), D(2025, 10, 7));
	assert_date(calendar_add_workdays(cal, D(2025, 9, 30), 15), D(2025, 10, 21));
	/* Tết Dương lịch 2026 is Thursday 1/1 to Sunday 4/1: Wed 31/12 + 2 is Tue 6/1. */
	assert_date(calendar_add_workdays(cal, D(2025, 12, 31), 2), D(2026, 1, 6));
	assert_date(calendar_add_workdays(cal, D(2026, 1, 9), 1), D(2026, 1, 10));
	/* Indicators report each quarter, on the 20th of its last month. */
	{
		static const struct date want[] = { { 2025, 12, 20 }, { 2026, 3, 20 },
						     { 2026, 6, 20 }, { 2026, 9, 20 } };
		struct date from = D(2025, 12, 1), got;

		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			assert_int_equal(schedule_next(s, SCHEDULE_ASSESSMENT, from, &got), 0);
			assert_date(got, want[i]);
			from = date_from_days(date_to_days(got) + 1);
		}
		assert_int_equal(schedule_prev(s, SCHEDULE_ASSESSMENT, D(2026, 3, 19), &got), 0);
		assert_date(got, D(2025, 12, 20));
	}
	schedule_free(s);
}

static void
test_custom_policy(void **state)
{
	struct fx *f = *state;
	struct schedule *s = NULL;
	char *msg = NULL, path[160];

	write_file(f->dir, "policy.ini",
		   "\xEF\xBB\xBF# a BOM, comments, CRLF and odd spacing\r\n"
		   "; another comment\r\n"
		   "[before]\r\n"
		   "day=1,  5 ,3 ; unsorted, with a comment\r\n"
		   "year =\r\n"
		   "[escalation]\n"
		   "levels = 2, 4, 8, 250\n"
		   "from = due\n"
		   "[overdue]\n"
		   "every = 1\n"
		   "[hours]\n"
		   "start = 6:00\n"
		   "end = 23:59\n"
		   "send_at = 06:00\n"
		   "[calendar]\n"
		   "weekdays = MON, Tuesday, wed, thu, fri, sat\n"
		   "[digest]\n"
		   "rrule = FREQ=MONTHLY;BYMONTHDAY=-1\n");
	/* No holidays key: the directory's holidays-vn.ics, when there is one. */
	write_file(f->dir, "holidays-vn.ics",
		   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
		   "DTSTART;VALUE=DATE:20260105\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	if (schedule_load(f->dir, TESTLIB_TODAY, &s, &msg) < 0)
		fail_msg("%s", msg);
	assert_list(s->before[DEADLINE_DAY], s->n_before[DEADLINE_DAY], L(5, 3, 1));
	assert_int_equal(s->n_before[DEADLINE_YEAR], 0);
	assert_list(s->before[DEADLINE_MONTH], s->n_before[DEADLINE_MONTH], L(10, 5, 0));
	assert_list(s->levels, s->n_levels, L(2, 4, 8, 250));
	assert_int_equal(s->escalation_from, ESCALATION_FROM_DUE);
	assert_int_equal(s->nag_first, 1);
	assert_int_equal(s->nag_every, 1);
	assert_int_equal(s->work_start, 360);
	assert_int_equal(s->work_end, 1439);
	assert_int_equal(s->send_at, 360);
	assert_int_equal(s->weekdays, 0x3f);
	assert_string_equal(s->digest_rrule, "FREQ=MONTHLY;BYMONTHDAY=-1");
	assert_true(calendar_is_workday(s->cal, D(2026, 1, 10)));	/* a Saturday */
	assert_false(calendar_is_workday(s->cal, D(2026, 1, 11)));
	assert_false(calendar_is_workday(s->cal, D(2026, 1, 5)));	/* the holiday */
	snprintf(path, sizeof(path), "%s/holidays-vn.ics", f->dir);
	assert_string_equal(s->holidays_path, path);
	s = schedule_free(s);

	/* "holidays =" turns the holiday file off; an absolute path works too. */
	write_file(f->dir, "policy.ini", "[calendar]\nholidays =\n");
	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), 0);
	assert_null(s->holidays_path);
	assert_true(calendar_is_workday(s->cal, D(2026, 1, 5)));
	s = schedule_free(s);
	write_file(f->dir, "other.ics",
		   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
		   "DTSTART;VALUE=DATE:20260106\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	snprintf(path, sizeof(path), "[calendar]\nholidays = %s/other.ics\n", f->dir);
	write_file(f->dir, "policy.ini", path);
	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), 0);
	assert_true(calendar_is_workday(s->cal, D(2026, 1, 5)));
	assert_false(calendar_is_workday(s->cal, D(2026, 1, 6)));
	s = schedule_free(s);

	/* An empty file is the defaults, holidays aside. */
	write_file(f->dir, "policy.ini", "");
	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), 0);
	assert_default_policy(s);
	schedule_free(s);
}

static const struct bad {
	const char *policy;	/* policy.ini */
	int line;		/* the line the message must name */
	const char *why;	/* and a part of what it says */
} bad_policies[] = {
	{ "[before]\nday = 7, -3, 0\n", 2, "offset '-3' is negative" },
	{ "[before]\n\nmonth = 10, 251\n", 3, "more than 250 working days" },
	{ "[before]\nquarter = 1, 2, 3, 4, 5, 6, 7, 8, 9\n", 2, "more than 8 offsets" },
	{ "[before]\nhalf = 5, 3, 5\n", 2, "5 is given twice" },
	{ "[before]\nday = 7,,3\n", 2, "missing number" },
	{ "[before]\nday = seven\n", 2, "'seven' is not a whole number" },
	{ "[before]\nday = 1.5\n", 2, "not a whole number" },
	{ "[escalation]\nlevels = 15, 5\n", 2, "strictly increasing" },
	{ "[escalation]\nlevels = 5, 5\n", 2, "given twice" },
	{ "[escalation]\nlevels = 0, 5\n", 2, "level '0' must be at least 1" },
	{ "[escalation]\nlevels =\n", 2, "at least one level" },
	{ "[escalation]\nlevels = 1, 2, 3, 4, 5\n", 2, "more than 4 levels" },
	{ "[escalation]\nfrom = first_reminder\n", 2, "'first_reminder' is neither 'first_notice' nor 'due'" },
	{ "[overdue]\nevery = 0\n", 2, "every: value '0' must be at least 1" },
	{ "[overdue]\nfirst = 1\nevery = -2\n", 3, "negative" },
	{ "[overdue]\nfirst =\n", 2, "missing number" },
	{ "[hours]\nstart = 17:30\nend = 07:30\n", 3, "must be after they start" },
	{ "[hours]\nend = 07:30\n", 2, "must be after they start" },
	{ "[hours]\nsend_at = 18:00\n", 2, "outside working hours" },
	{ "[hours]\nsend_at = 07:00\nstart = 07:30\n", 3, "outside working hours" },
	{ "[hours]\nstart = 7h30\n", 2, "'7h30' is not a time of day" },
	{ "[hours]\nstart = 24:00\n", 2, "not a time of day" },
	{ "[hours]\nstart = 07:3\n", 2, "not a time of day" },
	{ "[calendar]\nweekdays =\n", 2, "no working weekday" },
	{ "[calendar]\nweekdays = mon, funday\n", 2, "'funday' is not a weekday" },
	{ "[calendar]\nweekdays = mon, mon\n", 2, "given twice" },
	{ "[calendar]\n\nholidays = nope.ics\n", 3, "holiday file 'nope.ics' does not load" },
	{ "[digest]\nrrule = FREQ=FORTNIGHTLY\n", 2, "bad RRULE 'FREQ=FORTNIGHTLY'" },
	{ "[recurring]\nrrule = FREQ=HOURLY\n", 2, "FREQ must be DAILY" },
	{ "[needs_date]\nrrule = RRULE:FREQ=WEEKLY\n", 2, "without 'RRULE:'" },
	{ "[recurring]\nbefore = 3, 300\n", 2, "more than 250" },
	{ "# comment\n[befor]\n", 2, "unknown section '[befor]'" },
	{ "[before]\nday = 1\n[Hours]\nstart = 07:00\n", 3, "unknown section '[Hours]'" },
	{ "[before]\ndays = 1\n", 2, "unknown key 'days' in section '[before]'" },
	{ "[overdue]\nfirst = 1\n\nfirst = 2\n", 4, "'first' is already set on line 2" },
	{ "[before]\nday 7\n", 2, "syntax error" },
	{ "[before\nday = 7\n", 1, "syntax error" },
	{ "[before]\nday = 7\n  3\n", 3, "indented line would continue 'day'" },
	{ "day = 1\n", 1, "outside any section" },
	{ "[before]\nday = 1 # not a comment\n", 2, "not a whole number" },
	{ "[before]\n; long\nday = 1, 2, 3                                                   "
	  "                                                                                "
	  "                                                                  \n", 3,
	  "line longer than" },
};

static void
test_bad_policies(void **state)
{
	struct fx *f = *state;
	char want[96];

	for (size_t i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++) {
		const struct bad *b = &bad_policies[i];
		struct schedule *s = NULL;
		char *msg = NULL;
		int r;

		write_file(f->dir, "policy.ini", b->policy);
		r = schedule_load(f->dir, TESTLIB_TODAY, &s, &msg);
		if (r >= 0)
			fail_msg("case %zu accepted: %s", i, b->policy);
		assert_null(s);
		assert_non_null(msg);
		snprintf(want, sizeof(want), "%s/policy.ini:%d: ", f->dir, b->line);
		if (!strstr(msg, want) || !strstr(msg, b->why))
			fail_msg("case %zu: '%s' lacks '%s' or '%s'", i, msg, want, b->why);
		free(msg);
	}
}

static void
test_bad_holidays(void **state)
{
	struct fx *f = *state;
	struct schedule *s = NULL;
	char *msg = NULL;

	write_file(f->dir, "policy.ini",
		   "[before]\nday = 3\n\n[calendar]\n# the file\nholidays = bad.ics\n");
	write_file(f->dir, "bad.ics",
		   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
		   "BEGIN:VEVENT\r\nUID:vn-2026-tet@dondoc\r\nSUMMARY:Tết hỏng\r\n"
		   "DTEND;VALUE=DATE:20260223\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(msg, "policy.ini:6: holiday file 'bad.ics' does not load"));
	assert_non_null(strstr(msg, "/bad.ics: event 'Tết hỏng' (UID vn-2026-tet@dondoc): no DTSTART"));
	free(msg);
	msg = NULL;

	/* The default file, when present, must load too. */
	write_file(f->dir, "policy.ini", "");
	write_file(f->dir, "holidays-vn.ics", "not a calendar\n");
	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), -EINVAL);
	assert_non_null(strstr(msg, "policy.ini: the default holiday file does not load"));
	assert_non_null(strstr(msg, "holidays-vn.ics: not an iCalendar file"));
	free(msg);
}

static void
test_missing_policy(void **state)
{
	struct fx *f = *state;
	struct schedule *s = NULL;
	char *msg = NULL, dir[128];

	assert_int_equal(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg), -ENOENT);
	assert_null(s);
	assert_non_null(strstr(msg, "policy.ini: cannot open"));
	free(msg);
	msg = NULL;
	/* A directory where the file should be: a read error, not a crash. */
	snprintf(dir, sizeof(dir), "%s/policy.ini", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_true(schedule_load(f->dir, TESTLIB_TODAY, &s, &msg) < 0);
	assert_null(s);
	assert_non_null(strstr(msg, "policy.ini"));
	free(msg);
}

/*
 * RRULE occurrences come from the helper over a window around the load
 * day (a year before, three after) and the first one after it; outside
 * what is known, the answer is -ERANGE, never a wrong date.
 */
static void
test_occurrence_window(void **state)
{
	struct fx *f = *state;
	struct schedule *s = NULL;
	struct date d;
	char *msg = NULL;

	(void)state;
	write_file(f->dir, "policy.ini",
		   "[recurring]\nrrule = FREQ=MONTHLY;BYMONTHDAY=20\n"
		   "[needs_date]\nrrule = FREQ=YEARLY;INTERVAL=5;BYMONTH=3;BYMONTHDAY=2\n"
		   "[digest]\nrrule = FREQ=WEEKLY;BYDAY=FR;COUNT=3\n"
		   "[calendar]\nholidays =\n");
	if (schedule_load(f->dir, D(2026, 6, 1), &s, &msg) < 0)
		fail_msg("%s", msg);
	assert_date(s->loaded_for, D(2026, 6, 1));
	/* The next reporting day, on and after a 20th, and across a year. */
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2026, 6, 1), &d), 0);
	assert_date(d, D(2026, 6, 20));
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2026, 6, 20), &d), 0);
	assert_date(d, D(2026, 6, 20));
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2026, 12, 21), &d), 0);
	assert_date(d, D(2027, 1, 20));
	assert_int_equal(schedule_prev(s, SCHEDULE_RECURRING, D(2026, 6, 19), &d), 0);
	assert_date(d, D(2026, 5, 20));
	/* Three years on is past the window: reload rather than guess. */
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2029, 7, 1), &d), -ERANGE);
	assert_int_equal(schedule_prev(s, SCHEDULE_RECURRING, D(2029, 7, 1), &d), -ERANGE);
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2025, 1, 1), &d), -ERANGE);
	/* Every five years from 2025: 2030 lies past the window, yet is known. */
	assert_int_equal(schedule_next(s, SCHEDULE_NEEDS_DATE, D(2026, 6, 1), &d), 0);
	assert_date(d, D(2030, 3, 2));
	/* 2/3/2025 is before the window (from 27/4/2025): prev looks back no further. */
	assert_int_equal(schedule_prev(s, SCHEDULE_NEEDS_DATE, D(2029, 12, 31), &d), -ENOENT);
	assert_int_equal(schedule_prev(s, SCHEDULE_NEEDS_DATE, D(2030, 3, 2), &d), 0);
	assert_date(d, D(2030, 3, 2));
	assert_int_equal(schedule_next(s, SCHEDULE_NEEDS_DATE, D(2030, 3, 3), &d), -ERANGE);
	/* A rule that has ended (three Fridays in January 2025) has no next. */
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2026, 6, 1), &d), -ENOENT);
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2031, 1, 1), &d), -ENOENT);
	/* Stale a year after the load day, or when the clock went back. */
	assert_false(schedule_stale(s, D(2026, 6, 1)));
	assert_false(schedule_stale(s, D(2027, 6, 1)));
	assert_true(schedule_stale(s, D(2027, 6, 2)));
	assert_true(schedule_stale(s, D(2026, 5, 31)));
	s = schedule_free(s);

	/* The defaults with no helper run know no occurrence, and are never stale. */
	s = schedule_new_default();
	assert_int_equal(schedule_next(s, SCHEDULE_RECURRING, D(2026, 6, 1), &d), -ERANGE);
	assert_false(schedule_stale(s, D(2040, 1, 1)));
	schedule_free(s);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_shipped_schedules),
		cmocka_unit_test_setup_teardown(test_custom_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_occurrence_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_policies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_policy, setup, teardown),
	};

	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
