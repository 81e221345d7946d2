/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of ical.c: holiday files (ranges, swapped Saturdays, every
 * kind of mistake, with the file and event named), RRULE checks and the
 * next occurrence, and schedules/holidays-vn.ics against the reference
 * data in shared/refdata/holidays when that folder is present.
 */
#include "testlib.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "calendar.h"
#include "ical.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

struct fx {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-ical.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/h.ics", f->dir);
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
assert_date(struct date got, struct date want)
{
	char g[DATE_ISO_LEN], w[DATE_ISO_LEN];

	date_format_iso(got, g);
	date_format_iso(want, w);
	assert_string_equal(g, w);
}

#define CAL_HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
#define CAL_TAIL "END:VCALENDAR\r\n"

static void
test_holidays_load(void **state)
{
	struct fx *f = *state;
	struct calendar *cal = calendar_new();
	char *msg = NULL;

	testlib_write(f->path, CAL_HEAD
		   /* A range, DTEND exclusive. */
		   "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Tết\r\n"
		   "DTSTART;VALUE=DATE:20260214\r\nDTEND;VALUE=DATE:20260223\r\n"
		   "CATEGORIES:HOLIDAY\r\nEND:VEVENT\r\n"
		   /* A lone DTSTART is one day. */
		   "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n"
		   /* DURATION in days. */
		   "BEGIN:VEVENT\r\nUID:c\r\nDTSTART;VALUE=DATE:20260830\r\nDURATION:P4D\r\n"
		   "END:VEVENT\r\n"
		   /* Swapped Saturdays, WORKDAY among several categories, any case. */
		   "BEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260110\r\n"
		   "DTEND;VALUE=DATE:20260111\r\nCATEGORIES:HOLIDAY,WORKDAY\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:e\r\nDTSTART;VALUE=DATE:20260822\r\n"
		   "CATEGORIES:swap\r\nCATEGORIES:workday\r\nEND:VEVENT\r\n"
		   /* Cancelled: ignored. */
		   "BEGIN:VEVENT\r\nUID:f\r\nDTSTART;VALUE=DATE:20260303\r\nSTATUS:CANCELLED\r\n"
		   "END:VEVENT\r\n"
		   CAL_TAIL);
	assert_int_equal(ical_load_holidays(f->path, cal, &msg), 0);
	assert_null(msg);
	assert_true(calendar_is_workday(cal, D(2026, 2, 13)));
	for (int d = 14; d <= 22; d++)
		assert_false(calendar_is_workday(cal, D(2026, 2, d)));
	assert_true(calendar_is_workday(cal, D(2026, 2, 23)));
	assert_false(calendar_is_workday(cal, D(2026, 1, 1)));
	assert_true(calendar_is_workday(cal, D(2026, 1, 2)));
	assert_false(calendar_is_workday(cal, D(2026, 8, 31)));
	assert_false(calendar_is_workday(cal, D(2026, 9, 2)));
	assert_true(calendar_is_workday(cal, D(2026, 9, 3)));
	assert_true(calendar_is_workday(cal, D(2026, 1, 10)));
	assert_true(calendar_is_workday(cal, D(2026, 8, 22)));
	assert_true(calendar_is_workday(cal, D(2026, 3, 3)));
	calendar_free(cal);
}

static void
test_holidays_lf_and_several_calendars(void **state)
{
	struct fx *f = *state;
	struct calendar *cal = calendar_new();
	char *msg = NULL;

	/* LF line endings, a folded SUMMARY, two VCALENDARs in one file. */
	testlib_write(f->path, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
		   "BEGIN:VEVENT\nUID:a\nSUMMARY:Quốc\n  khánh\nDTSTART;VALUE=DATE:20250901\n"
		   "DTEND;VALUE=DATE:20250903\nEND:VEVENT\nEND:VCALENDAR\n"
		   "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"
		   "BEGIN:VEVENT\nUID:b\nDTSTART;VALUE=DATE:20250426\nCATEGORIES:WORKDAY\n"
		   "END:VEVENT\nEND:VCALENDAR\n");
	assert_int_equal(ical_load_holidays(f->path, cal, &msg), 0);
	assert_false(calendar_is_workday(cal, D(2025, 9, 1)));
	assert_false(calendar_is_workday(cal, D(2025, 9, 2)));
	assert_true(calendar_is_workday(cal, D(2025, 4, 26)));
	calendar_free(cal);
}

/* Loads text, expects -errno r and a message holding each of want[]. */
static void
expect_bad(struct fx *f, const char *text, int r, const char *const *want)
{
	struct calendar *cal = calendar_new();
	char *msg = NULL;

	if (text)
		testlib_write(f->path, text);
	assert_int_equal(ical_load_holidays(f->path, cal, &msg), r);
	assert_non_null(msg);
	assert_non_null(strstr(msg, f->path));
	for (; *want; want++)
		if (!strstr(msg, *want))
			fail_msg("'%s' not in '%s'", *want, msg);
	/* Nothing of a bad file is applied, not even its good events. */
	assert_true(calendar_is_workday(cal, D(2026, 1, 2)));
	free(msg);
	calendar_free(cal);
}

#define GOOD_EVENT "BEGIN:VEVENT\r\nUID:good\r\nDTSTART;VALUE=DATE:20260102\r\nEND:VEVENT\r\n"
#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void
test_holidays_errors(void **state)
{
	struct fx *f = *state;

	expect_bad(f, NULL, -ENOENT, W("cannot open"));
	expect_bad(f, "", -EINVAL, W("not an iCalendar file"));
	expect_bad(f, "hello\n", -EINVAL, W("not an iCalendar file"));
	/* Truncated: no END:VCALENDAR. */
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:x\r\n", -EINVAL,
		   W("not an iCalendar file"));
	/* A stray line between events becomes an X-LIC-ERROR on the calendar. */
	expect_bad(f, CAL_HEAD GOOD_EVENT "garbage here\r\n" CAL_TAIL, -EINVAL,
		   W("garbage here"));
	/* A broken line inside an event names the event. */
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:Giỗ Tổ\r\n"
		   "DTSTART;VALUE=DATE:20260427\r\nFOO;BAR\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("Giỗ Tổ", "u1"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u2\r\nSUMMARY:Lễ\r\n"
		   "END:VEVENT\r\n" CAL_TAIL, -EINVAL, W("event 'Lễ' (UID u2)", "no DTSTART"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u3\r\nDTSTART:20260105T080000\r\n"
		   "END:VEVENT\r\n" CAL_TAIL, -EINVAL, W("UID u3", "DTSTART must be a date"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nSUMMARY:Tháng 13\r\n"
		   "DTSTART;VALUE=DATE:20261301\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("'Tháng 13'", "not a real day"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260230\r\n"
		   "END:VEVENT\r\n" CAL_TAIL, -EINVAL, W("event #2", "not a real day"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u4\r\nDTSTART;VALUE=DATE:20260301\r\n"
		   "DTEND;VALUE=DATE:20260301\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("u4", "DTEND must be after DTSTART"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u5\r\nDTSTART;VALUE=DATE:20260301\r\n"
		   "DTEND;VALUE=DATE:20270301\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("u5", "spans 365 days"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u6\r\nDTSTART;VALUE=DATE:20260101\r\n"
		   "RRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("u6", "RRULE"));
	expect_bad(f, CAL_HEAD GOOD_EVENT "BEGIN:VEVENT\r\nUID:u7\r\nDTSTART;VALUE=DATE:20260101\r\n"
		   "DURATION:PT8H\r\nEND:VEVENT\r\n" CAL_TAIL, -EINVAL,
		   W("u7", "whole days"));
	expect_bad(f, "BEGIN:VEVENT\r\nUID:x\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n",
		   -EINVAL, W("no VCALENDAR"));
	expect_bad(f, "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:y\r\nEND:VEVENT\r\n",
		   -EINVAL, W("no VCALENDAR"));
}

static void
test_rrule_check(void **state)
{
	static const char *const good[] = {
		"FREQ=MONTHLY;BYMONTHDAY=20", "FREQ=WEEKLY;BYDAY=MO",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "FREQ=MONTHLY;BYMONTHDAY=-1",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=DAILY;COUNT=3",
		"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
	};
	static const struct {
		const char *rule, *why;
	} bad[] = {
		{ "", "empty" },
		{ "FREQ=MONTLY;BYMONTHDAY=20", "not an RFC 5545 RRULE" },
		{ "FREQ=MONTHLY;BYMONTHDAY=40", "not an RFC 5545 RRULE" },
		{ "BYDAY=MO", "not an RFC 5545 RRULE" },
		{ "RRULE:FREQ=DAILY", "without 'RRULE:'" },
		{ "FREQ=HOURLY", "FREQ must be DAILY" },
		{ "FREQ=DAILY;BYHOUR=8", "BYHOUR" },
		{ "RSCALE=CHINESE;FREQ=YEARLY", "RSCALE" },
		{ "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "combination" },
		{ "FREQ=WEEKLY;BYMONTHDAY=3", "combination" },
		{ "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "no occurrence" },
	};
	char *msg = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (ical_rrule_check(good[i], &msg) != 0)
			fail_msg("'%s' refused: %s", good[i], msg);
		assert_null(msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ical_rrule_check(bad[i].rule, &msg), -EINVAL);
		assert_non_null(msg);
		if (!strstr(msg, bad[i].why) || !strstr(msg, bad[i].rule))
			fail_msg("'%s': message '%s' lacks '%s'", bad[i].rule, msg, bad[i].why);
		free(msg);
		msg = NULL;
	}
}

static struct date
next_of(const char *rule, struct date anchor, struct date from)
{
	struct date d = { 0 };

	assert_int_equal(ical_rrule_next(rule, anchor, from, &d), 0);
	return d;
}

static void
test_rrule_next_monthly(void **state)
{
	const char *r20 = "FREQ=MONTHLY;BYMONTHDAY=20";
	struct date anchor = D(2025, 1, 1);

	(void)state;
	assert_date(next_of(r20, anchor, D(2025, 1, 1)), D(2025, 1, 20));
	assert_date(next_of(r20, anchor, D(2025, 1, 20)), D(2025, 1, 20));
	assert_date(next_of(r20, anchor, D(2025, 1, 21)), D(2025, 2, 20));
	assert_date(next_of(r20, anchor, D(2025, 12, 21)), D(2026, 1, 20));
	assert_date(next_of(r20, anchor, D(2024, 6, 1)), D(2025, 1, 20));	/* before the anchor */
	assert_date(next_of(r20, D(2025, 1, 5), D(2025, 1, 5)), D(2025, 1, 20));
	/* Every day of three years: the 20th on or after it. */
	for (int64_t n = date_to_days(D(2025, 1, 1)); n < date_to_days(D(2028, 1, 1)); n++) {
		struct date from = date_from_days(n), want = from;

		if (want.d > 20) {
			want.m = want.m == 12 ? 1 : want.m + 1;
			want.y += from.m == 12;
		}
		want.d = 20;
		assert_date(next_of(r20, anchor, from), want);
	}
	/* The 31st skips the short months. */
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=31", anchor, D(2025, 2, 1)), D(2025, 3, 31));
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=31", anchor, D(2025, 4, 1)), D(2025, 5, 31));
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=31", anchor, D(2025, 8, 1)), D(2025, 8, 31));
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=31", anchor, D(2025, 9, 1)), D(2025, 10, 31));
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=-1", anchor, D(2028, 2, 2)), D(2028, 2, 29));
}

static void
test_rrule_next_weekly(void **state)
{
	struct date anchor = D(2025, 1, 1), d;

	(void)state;
	/* Every Monday: within a week of from, on or after it. */
	for (int64_t n = date_to_days(D(2025, 1, 1)); n < date_to_days(D(2027, 1, 1)); n++) {
		struct date from = date_from_days(n);

		d = next_of("FREQ=WEEKLY;BYDAY=MO", anchor, from);
		assert_int_equal(date_weekday(d), 1);
		assert_in_range(date_to_days(d) - n, 0, 6);
	}
	assert_date(next_of("FREQ=WEEKLY;BYDAY=MO", anchor, D(2025, 9, 3)), D(2025, 9, 8));
	assert_date(next_of("FREQ=WEEKLY;BYDAY=MO", anchor, D(2025, 9, 8)), D(2025, 9, 8));
	/* Every second Friday, counted from the anchor's week: 3/1/2025 first. */
	assert_date(next_of("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", anchor, anchor), D(2025, 1, 3));
	for (int64_t n = date_to_days(D(2025, 1, 1)); n < date_to_days(D(2026, 7, 1)); n += 3) {
		d = next_of("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", anchor, date_from_days(n));
		assert_int_equal((date_to_days(d) - date_to_days(D(2025, 1, 3))) % 14, 0);
		assert_in_range(date_to_days(d) - n, 0, 13);
	}
}

static void
test_rrule_next_limits(void **state)
{
	struct date anchor = D(2025, 1, 1), d = D(1, 1, 1);

	(void)state;
	/* COUNT rules cannot skip ahead; they are counted from the anchor. */
	assert_date(next_of("FREQ=DAILY;COUNT=3", anchor, D(2025, 1, 3)), D(2025, 1, 3));
	assert_int_equal(ical_rrule_next("FREQ=DAILY;COUNT=3", anchor, D(2025, 1, 4), &d), -ENOENT);
	assert_int_equal(ical_rrule_next("FREQ=WEEKLY;BYDAY=MO;UNTIL=20250301", anchor,
					 D(2025, 3, 4), &d), -ENOENT);
	assert_int_equal(ical_rrule_next("FREQ=YEARLY", anchor, D(2200, 1, 1), &d), -ENOENT);
	assert_date(next_of("FREQ=MONTHLY;BYMONTHDAY=20", anchor, D(2199, 12, 20)), D(2199, 12, 20));
	assert_int_equal(ical_rrule_next("FREQ=MONTHLY;BYMONTHDAY=20", anchor, D(2199, 12, 21), &d),
			 -ENOENT);
	assert_int_equal(ical_rrule_next("FREQ=YEARLY", anchor, D(2199, 1, 2), &d), -ENOENT);
	assert_int_equal(ical_rrule_next("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", anchor, anchor,
					 &d), -ENOENT);
	assert_int_equal(ical_rrule_next("FREQ=WEEKLY;BYMONTHDAY=3", anchor, anchor, &d), -EINVAL);
	assert_int_equal(ical_rrule_next("FREQ=MONTLY", anchor, anchor, &d), -EINVAL);
	assert_int_equal(ical_rrule_next(NULL, anchor, anchor, &d), -EINVAL);
	assert_int_equal(ical_rrule_next("FREQ=DAILY", D(2025, 2, 30), anchor, &d), -EINVAL);
	/* Nothing written on failure. */
	assert_date(d, D(1, 1, 1));
	/* A daily rule anchored long ago skips ahead quickly. */
	assert_date(next_of("FREQ=DAILY", D(1990, 1, 1), D(2150, 6, 6)), D(2150, 6, 6));
}

/* Adds to *set (an array of day numbers) every day from a to b. */
static void
add_range(int64_t *set, size_t *n, size_t max, const char *a, const char *b)
{
	struct date da, db;

	assert_int_equal(date_parse_iso(a, &da), 0);
	assert_int_equal(date_parse_iso(b, &db), 0);
	for (int64_t x = date_to_days(da); x <= date_to_days(db); x++) {
		assert_true(*n < max);
		set[(*n)++] = x;
	}
}

static bool
in_set(const int64_t *set, size_t n, int64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}

static void
add_list(int64_t *set, size_t *n, size_t max, json_t *list)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		add_range(set, n, max, json_string_value(v), json_string_value(v));
}

/*
 * schedules/holidays-vn.ics says what refdata says: the public-sector
 * ranges where announced, the statutory and compensatory days where not
 * (2027), and the swapped Saturdays as working days.
 */
static void
test_shipped_file_matches_refdata(void **state)
{
	const char *shared = testlib_shared();
	int64_t off[400], work[20];
	size_t n_off = 0, n_work = 0;
	struct calendar *cal;
	json_t *root, *years, *list, *h;
	json_error_t jerr;
	const char *year;
	char path[512], *msg = NULL;
	size_t i;

	(void)state;
	if (!shared) {
		fprintf(stderr, "shared/ not found (set DONDOC_SHARED): skipping the refdata check\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/refdata/holidays/vn-holidays-2025-2027.json", shared);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		fail_msg("%s: %s", path, jerr.text);
	years = json_object_get(root, "years");
	assert_non_null(years);
	json_object_foreach(years, year, list) {
		json_array_foreach(list, i, h) {
			json_t *range = json_object_get(h, "public_sector_off");
			json_t *swap = json_object_get(h, "swap");

			if (json_is_array(range)) {
				add_range(off, &n_off, 400, json_string_value(json_array_get(range, 0)),
					  json_string_value(json_array_get(range, 1)));
			} else {
				if (json_is_array(json_object_get(h, "statutory")))
					add_list(off, &n_off, 400, json_object_get(h, "statutory"));
				if (json_is_array(json_object_get(h, "compensatory")))
					add_list(off, &n_off, 400, json_object_get(h, "compensatory"));
			}
			if (json_is_object(swap))
				add_range(work, &n_work, 20,
					  json_string_value(json_object_get(swap, "work")),
					  json_string_value(json_object_get(swap, "work")));
		}
	}
	json_decref(root);
	assert_int_equal(n_work, 3);

	cal = calendar_new();
	if (ical_load_holidays("schedules/holidays-vn.ics", cal, &msg) < 0)
		fail_msg("%s", msg);
	for (int64_t x = date_to_days(D(2025, 1, 1)); x <= date_to_days(D(2027, 12, 31)); x++) {
		struct date d = date_from_days(x);
		bool want = in_set(work, n_work, x) ? true :
			    in_set(off, n_off, x) ? false : date_weekday(d) <= 5;

		if (calendar_is_workday(cal, d) != want)
			fail_msg("%d-%02d-%02d: the .ics says %s, refdata says %s", d.y, d.m, d.d,
				 want ? "off" : "worked", want ? "worked" : "off");
	}
	calendar_free(cal);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holidays_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holidays_lf_and_several_calendars, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_holidays_errors, setup, teardown),
		cmocka_unit_test(test_rrule_check),
		cmocka_unit_test(test_rrule_next_monthly),
		cmocka_unit_test(test_rrule_next_weekly),
		cmocka_unit_test(test_rrule_next_limits),
		cmocka_unit_test(test_shipped_file_matches_refdata),
	};

	return cmocka_run_group_tests_name("ical", tests, NULL, NULL);
}
