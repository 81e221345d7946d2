/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of schedule.c for the digest (issue 13): [digest] start
 * anchoring "every second Friday", [digest] to checked as email
 * addresses, [report] cutoff_day, and the digest day that a holiday
 * moves to the next working day (schedule_digest_day).
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

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
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-schedule-digest.XXXXXX");
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

static struct schedule *
load(struct fx *f, const char *policy, struct date today)
{
	struct schedule *s = NULL;
	char *msg = NULL;

	write_file(f->dir, "policy.ini", policy);
	if (schedule_load(f->dir, today, &s, &msg) < 0)
		fail_msg("%s", msg);
	return s;
}

/* The defaults: no start (the weeks count from 2025-01-01), nobody more, calendar periods. */
static void
test_defaults(void **state)
{
	struct fx *f = *state;
	struct schedule *s = schedule_new_default();
	struct date d;

	assert_int_equal(s->digest_start.y, 0);
	assert_int_equal(s->n_digest_to, 0);
	assert_int_equal(s->report_cutoff_day, 0);
	schedule_free(s);
	s = load(f, "[calendar]\nholidays =\n", D(2026, 11, 1));
	/* 3/1/2025 is the first Friday of the anchor's fortnights: 20/11/2026 is one. */
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2026, 11, 14), &d), 0);
	assert_date(d, D(2026, 11, 20));
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2026, 11, 21), &d), 0);
	assert_date(d, D(2026, 12, 4));
	schedule_free(s);
}

/* [digest] start decides which Fridays: the other fortnight than the default's. */
static void
test_start_anchors(void **state)
{
	struct fx *f = *state;
	struct schedule *s;
	struct date d;

	s = load(f,
		 "[calendar]\nholidays =\n"
		 "[digest]\nrrule = FREQ=WEEKLY;INTERVAL=2;BYDAY=FR\nstart = 2026-11-13\n"
		 "to = vanphong@tinhuy.gov.vn , bithu@example.vn\n"
		 "[report]\ncutoff_day = 14\n", D(2026, 11, 1));
	assert_date(s->digest_start, D(2026, 11, 13));
	assert_int_equal(s->n_digest_to, 2);
	assert_string_equal(s->digest_to[0], "vanphong@tinhuy.gov.vn");
	assert_string_equal(s->digest_to[1], "bithu@example.vn");
	assert_int_equal(s->report_cutoff_day, 14);
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2026, 11, 1), &d), 0);
	assert_date(d, D(2026, 11, 13));
	assert_int_equal(schedule_next(s, SCHEDULE_DIGEST, D(2026, 11, 14), &d), 0);
	assert_date(d, D(2026, 11, 27));
	/* Nothing before the first digest day. */
	assert_int_equal(schedule_prev(s, SCHEDULE_DIGEST, D(2026, 11, 12), &d), -ENOENT);
	assert_int_equal(schedule_digest_day(s, D(2026, 11, 12), &d, &d), -ENOENT);
	schedule_free(s);
}

/* A digest day on a holiday goes on the next working day; the key stays the RRULE's day. */
static void
test_holiday_moves_the_day(void **state)
{
	struct fx *f = *state;
	struct schedule *s;
	struct date key, day;

	/* Friday 27/11/2026 and Monday 30/11/2026 are days off. */
	write_file(f->dir, "h.ics",
		   "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:a\r\n"
		   "DTSTART;VALUE=DATE:20261127\r\nDTEND;VALUE=DATE:20261128\r\nEND:VEVENT\r\n"
		   "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20261130\r\nEND:VEVENT\r\n"
		   "END:VCALENDAR\r\n");
	s = load(f,
		 "[calendar]\nholidays = h.ics\n"
		 "[digest]\nstart = 2026-11-13\n", D(2026, 11, 1));
	/* On the day itself the digest day of 13/11 is the latest that has come. */
	assert_int_equal(schedule_digest_day(s, D(2026, 11, 13), &key, &day), 0);
	assert_date(key, D(2026, 11, 13));
	assert_date(day, D(2026, 11, 13));
	assert_int_equal(schedule_digest_day(s, D(2026, 11, 26), &key, &day), 0);
	assert_date(key, D(2026, 11, 13));
	/* 27/11 is a holiday, then a weekend and another day off: Tuesday 1/12. */
	assert_int_equal(schedule_digest_day(s, D(2026, 11, 27), &key, &day), 0);
	assert_date(key, D(2026, 11, 13));
	assert_int_equal(schedule_digest_day(s, D(2026, 11, 30), &key, &day), 0);
	assert_date(key, D(2026, 11, 13));
	assert_int_equal(schedule_digest_day(s, D(2026, 12, 1), &key, &day), 0);
	assert_date(key, D(2026, 11, 27));
	assert_date(day, D(2026, 12, 1));
	/* Days later (a daemon that was down) still name the same digest. */
	assert_int_equal(schedule_digest_day(s, D(2026, 12, 10), &key, &day), 0);
	assert_date(key, D(2026, 11, 27));
	assert_int_equal(schedule_digest_day(s, D(2026, 12, 11), &key, &day), 0);
	assert_date(key, D(2026, 12, 11));
	schedule_free(s);
}

static const struct bad {
	const char *policy;	/* policy.ini */
	int line;		/* the line the message must name */
	const char *why;	/* and a part of what it says */
} bad_policies[] = {
	{ "[digest]\nto = vp@tinhuy.gov.vn, Văn phòng\n", 2, "to: 'Văn phòng' is not an email address" },
	{ "[digest]\n\nto = a@b.vn,,c@d.vn\n", 3, "to: '' is not an email address" },
	{ "[digest]\nto = <a@b.vn>\n", 2, "'<a@b.vn>' is not an email address" },
	{ "[digest]\nstart = 13/11/2026\n", 2, "start: '13/11/2026' is not a day" },
	{ "[digest]\nstart = 2026-02-30\n", 2, "is not a day" },
	{ "[report]\ncutoff_day = 29\n", 2, "cutoff_day: '29' is not 0" },
	{ "[report]\ncutoff_day = -1\n", 2, "is not 0 (calendar periods) or a day 1-28" },
	{ "[report]\ncutoff = 14\n", 2, "unknown key 'cutoff' in section '[report]'" },
	{ "[digest]\nstart = 2026-11-13\nstart = 2026-11-20\n", 3, "already set on line 2" },
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

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_anchors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holiday_moves_the_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_policies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
