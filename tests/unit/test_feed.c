/* SPDX-License-Identifier: MIT */
/*
 * Tests of the feed maker (feed.h) on a real registry in a temporary
 * folder, with the shipped templates and schedules: every body is parsed
 * back with libical and checked as a calendar app would read it.
 */
#include "testlib.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>
#include <sqlite3.h>

#include "deadline.h"
#include "feed.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "xalloc.h"

#define SUBDIR "/tmp/dondoc-test-feed-XXXXXX"
#define D(y, m, d) ((struct date){ y, m, d })
/* 2026-03-01 12:00 in Hà Nội. */
#define NOW ((time_t)(date_to_days(D(2026, 3, 1)) * 86400 + 5 * 3600))
#define DAY 86400

struct fx {
	char dir[64], db[96];
	struct store *s;
	struct renderer *rend;
	struct schedule *sch;
	struct feed_conf conf;
	int64_t a, b, doc;
	struct feed fa, fb;
	int next;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), SUBDIR);
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0 ||
	    renderer_load("templates", &f->rend, &msg) < 0 ||
	    schedule_load("schedules", TESTLIB_TODAY, &f->sch, &msg) < 0) {
		fprintf(stderr, "setup: %s\n", msg);
		free(msg);
		return -1;
	}
	if (store_agency_insert(f->s, "skhcn", "Sở Khoa học và Công nghệ", AGENCY_DEPARTMENT, 1,
				&f->a) < 0 ||
	    store_agency_insert(f->s, "stp", "Sở Tư pháp", AGENCY_DEPARTMENT, 1, &f->b) < 0 ||
	    store_document_ensure(f->s, "328-KH/TU", "Kế hoạch", NULL, "", &f->doc) < 0)
		return -1;
	f->fa = (struct feed){ .kind = FEED_AGENCY, .target = f->a, .created_at = 1 };
	f->fb = (struct feed){ .kind = FEED_AGENCY, .target = f->b, .created_at = 1 };
	memset(f->fa.token_hash, 'a', 64);
	memset(f->fb.token_hash, 'b', 64);
	if (store_feed_insert(f->s, &f->fa) < 0 || store_feed_insert(f->s, &f->fb) < 0)
		return -1;
	f->fa.target_name = "Sở Khoa học và Công nghệ";
	f->fb.target_name = "Sở Tư pháp";
	f->conf = (struct feed_conf){ .refresh = 3600, .keep_done = 90, .keep_gone = 30,
				      .public_url = "https://Dondoc.Example.vn:8443/bot" };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	renderer_free(f->rend);
	schedule_free(f->sch);
	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

/* A task led by lead, due on due (y 0: none) as precision p says; an indicator when ind. */
static int64_t
add(struct fx *f, const char *code, const char *title, int64_t lead, struct date due, bool ind)
{
	struct task t = { .kind = ind ? TASK_KIND_INDICATOR : TASK_KIND_TASK,
			  .title = (char *)title, .status = TASK_IN_PROGRESS, .progress = 40 };
	int64_t id = 0;
	char key[32];

	snprintf(key, sizeof(key), "t%d", ++f->next);
	t.code = (char *)code;
	t.deadline_raw = due.y ? "trước ngày" : "Theo tiến độ TW";
	if (due.y)
		t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true,
						.due = due, .year_given = true };
	else
		t.deadline.precision = DEADLINE_EXTERNAL;
	assert_int_equal(store_task_insert(f->s, &t, f->doc, key, NOW - 100 * DAY, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &lead, 1), 0);
	return id;
}

static struct feed_maker *
maker(struct fx *f)
{
	struct feed_maker *m = NULL;
	char *msg = NULL;

	assert_int_equal(feed_maker_new(&m, &msg), 0);
	feed_maker_set(m, &f->conf, f->rend, f->sch);
	return m;
}

static struct feed_body *
build(struct fx *f, struct feed_maker *m, const struct feed *fd, time_t now)
{
	struct feed_body *b = NULL;
	char *msg = NULL;
	int r = feed_build(m, f->s, fd, now, NULL, &b, &msg);

	if (r < 0)
		fail_msg("feed_build: %s", msg);
	assert_non_null(b);
	return b;
}

/* The body parsed back (free with icalcomponent_free). */
static icalcomponent *
parse(const struct feed_body *b)
{
	icalcomponent *root = icalparser_parse_string(b->text);

	assert_non_null(root);
	assert_int_equal(icalcomponent_isa(root), ICAL_VCALENDAR_COMPONENT);
	assert_int_equal(icalcomponent_count_errors(root), 0);
	return root;
}

static int
count_events(icalcomponent *root)
{
	return icalcomponent_count_components(root, ICAL_VEVENT_COMPONENT);
}

static icalcomponent *
event(icalcomponent *root, const char *uid)
{
	for (icalcomponent *e = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); e;
	     e = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT))
		if (strcmp(icalcomponent_get_uid(e), uid) == 0)
			return e;
	return NULL;
}

static int
sequence(icalcomponent *root, const char *uid)
{
	icalcomponent *e = event(root, uid);

	assert_non_null(e);
	return icalcomponent_get_sequence(e);
}

/* Every physical line at most 75 octets, CRLF-ended, valid UTF-8 by itself. */
static void
check_lines(const struct feed_body *b)
{
	const char *p = b->text, *end = b->text + b->n;

	assert_int_equal(strlen(b->text), b->n);
	while (p < end) {
		const char *nl = strstr(p, "\r\n");

		assert_non_null(nl);
		assert_true(nl - p <= 75);
		for (const unsigned char *q = (const unsigned char *)p; q < (const unsigned char *)nl;) {
			int len = *q < 0x80 ? 1 : (*q & 0xe0) == 0xc0 ? 2 : (*q & 0xf0) == 0xe0 ? 3 :
				  (*q & 0xf8) == 0xf0 ? 4 : 0;

			assert_true(len > 0);
			assert_true(q + len <= (const unsigned char *)nl);
			for (int i = 1; i < len; i++)
				assert_int_equal(q[i] & 0xc0, 0x80);
			q += len;
		}
		p = nl + 2;
	}
}

/*
 * A UID of 73 characters (fuzz_feed, tests/fuzz/regress/feed): libical
 * 3.0.16 folded it between the CR and LF of its line end, "\r\r\n \n".
 */
static void
test_uid_fold(void **state)
{
	struct fx *f = *state;
	char code[51];
	struct feed_maker *m = maker(f);
	struct feed_body *b;
	icalcomponent *root;

	memset(code, 'A', 50);
	code[50] = '\0';
	/* "task-" + 50 + "@dondoc.example.vn": 73. */
	add(f, code, "Mã dài", f->a, D(2026, 3, 16), false);
	b = build(f, m, &f->fa, NOW);
	check_lines(b);
	assert_null(strstr(b->text, "\r\r"));
	for (const char *p = b->text; (p = strchr(p, '\n')); p++)
		assert_true(p > b->text && p[-1] == '\r');
	root = parse(b);
	assert_non_null(event(root, "task-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@dondoc.example.vn"));
	icalcomponent_free(root);
	feed_body_unref(b);
	feed_maker_free(m);
}

static void
test_content(void **state)
{
	struct fx *f = *state;
	static const char tricky[] = "Đề án a, b; c\\d \"q\"\nhai dòng 😀";
	char *huge = malloc(5001);
	struct feed_maker *m = maker(f);
	struct feed_body *b;
	icalcomponent *root, *e, *al;
	int64_t t1;

	for (int i = 0; i < 5000; i++)
		huge[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	huge[5000] = '\0';
	t1 = add(f, "01-CTr/BCĐ#1", tricky, f->a, D(2026, 3, 16), false);
	add(f, "01-CTr/BCĐ#2", huge, f->a, D(2026, 4, 30), false);
	add(f, "01-CTr/BCĐ#3", "Chưa có thời hạn", f->a, D(0, 0, 0), false);
	add(f, "01-CTr/BCĐ#4", "Chỉ tiêu", f->a, D(2026, 12, 31), true);
	add(f, "01-CTr/BCĐ#5", "Việc của sở khác", f->b, D(2026, 5, 1), false);
	b = build(f, m, &f->fa, NOW);
	check_lines(b);
	root = parse(b);
	assert_int_equal(count_events(root), 2);
	assert_int_equal(b->events, 2);
	assert_null(strstr(b->text, "TZID"));
	assert_null(strstr(b->text, "VTIMEZONE"));
	assert_null(strstr(b->text, "ATTENDEE"));
	assert_null(strstr(b->text, "ORGANIZER"));
	assert_non_null(strstr(b->text, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
	assert_non_null(strstr(b->text, "\r\nX-PUBLISHED-TTL:PT1H\r\n"));
	assert_non_null(strstr(b->text, "\r\nX-WR-CALNAME:Nhiệm vụ – Sở Khoa học và Công nghệ\r\n"));
	assert_int_equal(b->etag[0], '"');
	assert_int_equal(b->etag[65], '"');
	assert_int_equal(strlen(b->etag), 66);

	/* The UID: the code percent-encoded, the host of public_url without port. */
	e = event(root, "task-01-CTr%2FBC%C4%90%231@dondoc.example.vn");
	assert_non_null(e);
	struct icaltimetype s = icalcomponent_get_dtstart(e), en = icalcomponent_get_dtend(e);

	assert_true(s.is_date && en.is_date);
	assert_int_equal(s.year * 10000 + s.month * 100 + s.day, 20260316);
	assert_int_equal(en.year * 10000 + en.month * 100 + en.day, 20260317);
	/* One line in the cell; whole in the description. */
	assert_string_equal(icalcomponent_get_summary(e), "Đề án a, b; c\\d \"q\" hai dòng 😀");
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	assert_non_null(strstr(icalcomponent_get_description(e), tricky));
	assert_non_null(strstr(icalcomponent_get_description(e), "/tiendo"));
	assert_string_equal(icalproperty_get_categories(
				    icalcomponent_get_first_property(e, ICAL_CATEGORIES_PROPERTY)),
			    "XANH");

	/* Alarms: 7, 3, 1, 0 working days before Monday 16 March: 11, 5, 3, 0 calendar days. */
	int want[] = { 11, 5, 3, 0 }, n = 0;

	for (al = icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT); al;
	     al = icalcomponent_get_next_component(e, ICAL_VALARM_COMPONENT), n++) {
		struct icaltriggertype tr = icalproperty_get_trigger(
			icalcomponent_get_first_property(al, ICAL_TRIGGER_PROPERTY));

		assert_true(n < 4);
		assert_int_equal(icaldurationtype_as_int(tr.duration), -want[n] * DAY);
		assert_int_equal(icalproperty_get_action(icalcomponent_get_first_property(
					 al, ICAL_ACTION_PROPERTY)), ICAL_ACTION_DISPLAY);
		/* The short line of feed_alarm (RFC 5545 asks a DISPLAY alarm for one), not the SUMMARY again. */
		char want_desc[64];

		snprintf(want_desc, sizeof(want_desc), "Nhiệm vụ %lld đến hạn ngày 16/03/2026",
			 (long long)strtoll(icalcomponent_get_description(e) + strlen("Nhiệm vụ số "), NULL, 10));
		assert_string_equal(icalproperty_get_description(icalcomponent_get_first_property(
					    al, ICAL_DESCRIPTION_PROPERTY)), want_desc);
	}
	assert_int_equal(n, 4);

	/* The 5,000 characters: whole in the description, cut with "…" in the summary. */
	e = event(root, "task-01-CTr%2FBC%C4%90%232@dondoc.example.vn");
	assert_non_null(e);
	assert_non_null(strstr(icalcomponent_get_description(e), huge));
	assert_true(strlen(icalcomponent_get_summary(e)) < 80);
	assert_non_null(strstr(icalcomponent_get_summary(e), "…"));
	icalcomponent_free(root);

	/* Overdue a day after: the bracket, the red light. */
	feed_body_unref(b);
	b = build(f, m, &f->fa, NOW + 16 * DAY);
	root = parse(b);
	e = event(root, "task-01-CTr%2FBC%C4%90%231@dondoc.example.vn");
	assert_non_null(strstr(icalcomponent_get_summary(e), "[QUÁ HẠN] "));
	assert_string_equal(icalproperty_get_categories(
				    icalcomponent_get_first_property(e, ICAL_CATEGORIES_PROPERTY)),
			    "ĐỎ");
	(void)t1;
	icalcomponent_free(root);
	feed_body_unref(b);
	feed_maker_free(m);
	free(huge);
}

/* The same body from a second maker (a restart), and a larger SEQUENCE after a move. */
static void
test_restart_and_sequence(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m1 = maker(f), *m2;
	struct feed_body *b1, *b2;
	struct task t = { 0 };
	uint64_t written, kept, written2;
	icalcomponent *root;
	int64_t id;

	id = add(f, "K#1", "Việc một", f->a, D(2026, 3, 16), false);
	add(f, "K#2", "Việc hai", f->a, D(2026, 3, 20), false);
	b1 = build(f, m1, &f->fa, NOW);
	feed_maker_stats(m1, &written, &kept);
	assert_int_equal(written, 2);
	assert_int_equal(kept, 0);
	/* Unchanged: nothing written again, the same bytes and ETag. */
	b2 = build(f, m1, &f->fa, NOW + 60);
	feed_maker_stats(m1, &written2, &kept);
	assert_int_equal(written2, 2);
	assert_int_equal(kept, 2);
	assert_int_equal(b1->n, b2->n);
	assert_memory_equal(b1->text, b2->text, b1->n);
	assert_string_equal(b1->etag, b2->etag);
	feed_body_unref(b2);
	m2 = maker(f);
	b2 = build(f, m2, &f->fa, NOW + 60);
	assert_int_equal(b1->n, b2->n);
	assert_memory_equal(b1->text, b2->text, b1->n);
	feed_body_unref(b2);
	root = parse(b1);
	assert_int_equal(sequence(root, "task-K%231@dondoc.example.vn"), 0);
	icalcomponent_free(root);

	/* The deadline moves: its SEQUENCE grows, the other's stays. */
	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.deadline.due = D(2026, 3, 31);
	assert_int_equal(store_task_update(f->s, &t, NOW + 120), 0);
	task_release(&t);
	b2 = build(f, m1, &f->fa, NOW + 180);
	root = parse(b2);
	assert_int_equal(sequence(root, "task-K%231@dondoc.example.vn"), 1);
	assert_int_equal(sequence(root, "task-K%232@dondoc.example.vn"), 0);
	assert_string_not_equal(b1->etag, b2->etag);
	feed_maker_stats(m1, &written, &kept);
	assert_int_equal(written, 3);
	icalcomponent_free(root);
	feed_body_unref(b2);
	/* The other maker sees the same. */
	b2 = build(f, m2, &f->fa, NOW + 180);
	root = parse(b2);
	assert_int_equal(sequence(root, "task-K%231@dondoc.example.vn"), 1);
	icalcomponent_free(root);
	feed_body_unref(b2);
	feed_body_unref(b1);
	feed_maker_free(m1);
	feed_maker_free(m2);
}

static char *
body_under(struct fx *f, const char *tz)
{
	struct feed_maker *m;
	struct feed_body *b;
	char *text;

	setenv("TZ", tz, 1);
	tzset();
	m = maker(f);
	b = build(f, m, &f->fa, NOW);
	text = xstrdup(b->text);
	feed_body_unref(b);
	feed_maker_free(m);
	return text;
}

static void
test_tz(void **state)
{
	struct fx *f = *state;
	char *ny, *tokyo, *utc;

	add(f, "Z#1", "Việc lúc nửa đêm", f->a, D(2026, 3, 2), false);
	utc = body_under(f, "UTC");
	ny = body_under(f, "America/New_York");
	tokyo = body_under(f, "Asia/Tokyo");
	assert_string_equal(ny, tokyo);
	assert_string_equal(ny, utc);
	unsetenv("TZ");
	tzset();
	free(ny);
	free(tokyo);
	free(utc);
}

/* An agency merged away: its tasks cancelled in its feed for keep_gone days, then gone. */
static void
test_gone(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	struct feed_body *b1, *b2, *b3;
	icalcomponent *root, *e;

	add(f, "G#1", "Việc chuyển đi", f->a, D(2026, 3, 16), false);
	add(f, "G#2", "Việc của sở B", f->b, D(2026, 3, 18), false);
	b1 = build(f, m, &f->fa, NOW);
	assert_int_equal(b1->events, 1);
	assert_int_equal(store_agency_merge(f->s, f->a, f->b), 0);
	b2 = build(f, m, &f->fa, NOW + DAY);
	assert_int_equal(b2->events, 1);
	root = parse(b2);
	e = event(root, "task-G%231@dondoc.example.vn");
	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	assert_int_equal(icalcomponent_get_sequence(e), 1);
	assert_null(icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT));
	assert_string_not_equal(b1->etag, b2->etag);
	icalcomponent_free(root);
	/* In B's feed it is shown, confirmed. */
	b3 = build(f, m, &f->fb, NOW + DAY);
	assert_int_equal(b3->events, 2);
	root = parse(b3);
	assert_int_equal(icalcomponent_get_status(event(root, "task-G%231@dondoc.example.vn")),
			 ICAL_STATUS_CONFIRMED);
	icalcomponent_free(root);
	feed_body_unref(b3);
	/* Still cancelled 29 days on; gone at 30, and the ETag says so. */
	b3 = build(f, m, &f->fa, NOW + 30 * DAY);
	assert_int_equal(b3->events, 1);
	feed_body_unref(b3);
	b3 = build(f, m, &f->fa, NOW + 31 * DAY);
	assert_int_equal(b3->events, 0);
	assert_string_not_equal(b3->etag, b2->etag);
	root = parse(b3);
	assert_int_equal(count_events(root), 0);
	icalcomponent_free(root);
	feed_body_unref(b3);
	feed_body_unref(b2);
	feed_body_unref(b1);
	feed_maker_free(m);
}

/* Done: marked so for keep_done days after it was done, then sent cancelled. */
static void
test_done(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	struct feed_body *b;
	struct task t = { 0 };
	icalcomponent *root, *e;
	int64_t id = add(f, "H#1", "Việc đã xong", f->a, D(2026, 3, 16), false);

	b = build(f, m, &f->fa, NOW);
	feed_body_unref(b);
	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.status = TASK_DONE;
	t.progress = 100;
	t.done_at = NOW + DAY;
	assert_int_equal(store_task_update(f->s, &t, NOW + DAY), 0);
	task_release(&t);
	b = build(f, m, &f->fa, NOW + 89 * DAY);
	root = parse(b);
	e = event(root, "task-H%231@dondoc.example.vn");
	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	assert_non_null(strstr(icalcomponent_get_summary(e), "[HOÀN THÀNH] "));
	assert_null(icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT));
	icalcomponent_free(root);
	feed_body_unref(b);
	b = build(f, m, &f->fa, NOW + 92 * DAY);
	root = parse(b);
	e = event(root, "task-H%231@dondoc.example.vn");
	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	icalcomponent_free(root);
	feed_body_unref(b);
	feed_maker_free(m);
}

/* A recurring task: one event a reporting day of the window, each its own UID. */
static void
test_recurring(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	struct task t = { .kind = TASK_KIND_TASK, .title = "Báo cáo tháng", .code = "R#1",
			  .status = TASK_IN_PROGRESS, .deadline_raw = "Ngày 20 hàng tháng" };
	struct feed_body *b;
	icalcomponent *root;
	int64_t id;

	assert_int_equal(deadline_parse(t.deadline_raw, 2026, &t.deadline, NULL), 0);
	assert_int_equal(t.deadline.precision, DEADLINE_RECURRING);
	t.deadline.has_due = true;
	t.deadline.due = D(2026, 3, 20);
	assert_int_equal(store_task_insert(f->s, &t, f->doc, "r1", NOW - 100 * DAY, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &f->a, 1), 0);
	b = build(f, m, &f->fa, NOW);
	root = parse(b);
	/* 20 February (29 days back) to 20 February 2027 (356 ahead). */
	assert_int_equal(count_events(root), 13);
	assert_non_null(event(root, "task-R%231-20260220@dondoc.example.vn"));
	assert_non_null(event(root, "task-R%231-20260320@dondoc.example.vn"));
	assert_non_null(event(root, "task-R%231-20270220@dondoc.example.vn"));
	assert_null(event(root, "task-R%231-20260120@dondoc.example.vn"));
	/* Its reminders: [recurring] before = 3, 0 working days; Friday 20 March 2026. */
	icalcomponent *e = event(root, "task-R%231-20260320@dondoc.example.vn");
	icalcomponent *al = icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT);

	assert_non_null(al);
	assert_int_equal(icaldurationtype_as_int(icalproperty_get_trigger(
			 icalcomponent_get_first_property(al, ICAL_TRIGGER_PROPERTY)).duration),
			 -3 * DAY);
	icalcomponent_free(root);
	feed_body_unref(b);
	feed_maker_free(m);
}

/* A person's feed of the agency of f->a in lang: the person's id in *ret_person. */
static struct feed
person_feed(struct fx *f, const char *lang, char token, int64_t *ret_person)
{
	struct person p = { .name = (char *)"Nguyễn Văn An", .agency_id = f->a, .role = ROLE_FOCAL,
			    .lang = (char *)lang, .active = true };
	struct feed fd = { .kind = FEED_PERSON, .created_at = 1 };

	assert_int_equal(store_person_insert(f->s, &p, 1, ret_person), 0);
	fd.target = *ret_person;
	memset(fd.token_hash, token, 64);
	assert_int_equal(store_feed_insert(f->s, &fd), 0);
	fd.target_name = "Nguyễn Văn An";
	return fd;
}

/* The SEQUENCE and DTSTAMP of uid in a build of fd at now, and its SUMMARY has want. */
static void
seq_stamp(struct fx *f, struct feed_maker *m, const struct feed *fd, time_t now, const char *uid,
	  const char *want, int *ret_seq, time_t *ret_stamp)
{
	struct feed_body *b = build(f, m, fd, now);
	icalcomponent *root = parse(b), *e = event(root, uid);

	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CONFIRMED);
	if (want)
		assert_non_null(strstr(icalcomponent_get_summary(e), want));
	*ret_seq = icalcomponent_get_sequence(e);
	*ret_stamp = icaltime_as_timet(icalcomponent_get_dtstamp(e));
	icalcomponent_free(root);
	feed_body_unref(b);
}

/*
 * SEQUENCE is one per task: the Vietnamese agency feed and an English
 * person's feed of the same task, built in turn, keep it and DTSTAMP
 * (their SUMMARYs differ only by language); a moved deadline bumps it once.
 */
static void
test_sequence_across_languages(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	static const char uid[] = "task-L%231@dondoc.example.vn";
	struct task t = { 0 };
	struct feed fp;
	int64_t who, id;
	int s0, s;
	time_t st0, st;

	id = add(f, "L#1", "Việc quá hạn", f->a, D(2026, 2, 20), false);
	fp = person_feed(f, "en", 'c', &who);
	seq_stamp(f, m, &f->fa, NOW, uid, "[QUÁ HẠN] ", &s0, &st0);
	for (int i = 1; i <= 6; i++) {
		seq_stamp(f, m, i % 2 ? &fp : &f->fa, NOW + i * 60, uid,
			  i % 2 ? "[OVERDUE] " : "[QUÁ HẠN] ", &s, &st);
		assert_int_equal(s, s0);
		assert_int_equal(st, st0);
	}
	/* A second maker (a restart) sees the same. */
	struct feed_maker *m2 = maker(f);

	seq_stamp(f, m2, &fp, NOW + 600, uid, "[OVERDUE] ", &s, &st);
	assert_int_equal(s, s0);
	assert_int_equal(st, st0);
	feed_maker_free(m2);

	/* The deadline moves: one bump, the same in both feeds, then no more. */
	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.deadline.due = D(2026, 3, 31);
	assert_int_equal(store_task_update(f->s, &t, NOW + 700), 0);
	task_release(&t);
	for (int i = 0; i < 6; i++) {
		seq_stamp(f, m, i % 2 ? &fp : &f->fa, NOW + 800 + i * 60, uid, NULL, &s, &st);
		assert_int_equal(s, s0 + 1);
		assert_true(st > st0);
	}
	feed_maker_free(m);
}

/*
 * A task leaves a person's feed (the person moved to another agency): it
 * is sent cancelled above what that feed showed; keep_gone days on it is
 * gone; the person moved back, it is shown again above the cancellation,
 * which the calendar still holds.
 */
static void
test_leave_and_back(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	static const char uid[] = "task-B%231@dondoc.example.vn";
	struct person p = { 0 };
	struct feed_body *b;
	icalcomponent *root, *e;
	struct feed fp;
	int64_t who;
	int s0, sa, cancelled, s;
	time_t st;

	add(f, "B#1", "Việc của sở A", f->a, D(2026, 6, 30), false);
	fp = person_feed(f, "vi", 'd', &who);
	seq_stamp(f, m, &fp, NOW, uid, NULL, &s0, &st);
	seq_stamp(f, m, &f->fa, NOW, uid, NULL, &sa, &st);
	assert_int_equal(sa, s0);

	assert_int_equal(store_person_get(f->s, who, &p), 0);
	p.agency_id = f->b;
	assert_int_equal(store_person_update(f->s, &p), 0);
	b = build(f, m, &fp, NOW + DAY);
	root = parse(b);
	e = event(root, uid);
	assert_non_null(e);
	assert_int_equal(icalcomponent_get_status(e), ICAL_STATUS_CANCELLED);
	cancelled = icalcomponent_get_sequence(e);
	assert_true(cancelled > s0);
	icalcomponent_free(root);
	feed_body_unref(b);
	/* Still shown in the agency's feed, its SEQUENCE not down. */
	seq_stamp(f, m, &f->fa, NOW + DAY, uid, NULL, &sa, &st);
	assert_true(sa >= s0);

	/* keep_gone (30) days on: gone from the person's feed. */
	b = build(f, m, &fp, NOW + 31 * DAY);
	root = parse(b);
	assert_null(event(root, uid));
	icalcomponent_free(root);
	feed_body_unref(b);

	/* Back in agency A: shown above the cancellation, in both feeds, and stays. */
	p.agency_id = f->a;
	assert_int_equal(store_person_update(f->s, &p), 0);
	person_release(&p);
	seq_stamp(f, m, &fp, NOW + 32 * DAY, uid, NULL, &s, &st);
	assert_true(s > cancelled);
	seq_stamp(f, m, &f->fa, NOW + 32 * DAY, uid, NULL, &sa, &st);
	assert_true(sa > cancelled);
	seq_stamp(f, m, &fp, NOW + 32 * DAY + 60, uid, NULL, &sa, &st);
	assert_int_equal(sa, s);
	feed_maker_free(m);
}

/* sql run by another connection, as another process would. */
static void
other(struct fx *f, const char *sql)
{
	testlib_sql(f->db, sql);
}

static unsigned
rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 16 & 0x7fff;
}

/*
 * A feed built again from what changed (the daemon's way: each build
 * given the last body) is byte for byte what a whole build by a new
 * maker writes, through 60 changes of every kind a feed shows: progress,
 * status, done, deadline, title, agencies, a change request, tasks added
 * and deleted, an agency renamed, the day turning.
 */
static void
test_partial_is_whole(void **state)
{
	struct fx *f = *state;
	struct feed_maker *m = maker(f);
	struct feed_body *last[2] = { NULL, NULL };
	const struct feed *feeds[2] = { &f->fa, &f->fb };
	int64_t ids[64];
	size_t n = 0;
	uint64_t whole, partial, same, written, kept;
	unsigned seed = 12345;
	time_t now = NOW;
	char sql[256];

	for (int i = 0; i < 24; i++) {
		char code[16];

		snprintf(code, sizeof(code), "P#%d", i);
		ids[n++] = add(f, code, i % 3 ? "Việc thường" : "Việc có tiêu đề dài hơn một ô lịch rất nhiều",
			       i % 2 ? f->a : f->b, D(2026, 3 + i % 5, 1 + i), false);
	}
	for (int step = 0; step < 60; step++) {
		int op = (int)(rnd(&seed) % 10);
		size_t pick = rnd(&seed) % n;
		int64_t id = ids[pick];
		struct task t = { 0 };

		now += 600;
		switch (op) {
		case 0: case 1:		/* progress, a note */
			assert_int_equal(store_task_get(f->s, id, &t), 0);
			t.progress = (t.progress + 13) % 100;
			assert_int_equal(store_task_update(f->s, &t, now), 0);
			break;
		case 2:			/* done */
			assert_int_equal(store_task_get(f->s, id, &t), 0);
			t.status = TASK_DONE;
			t.progress = 100;
			t.done_at = now;
			assert_int_equal(store_task_update(f->s, &t, now), 0);
			break;
		case 3:			/* the deadline moves: a new SEQUENCE */
			assert_int_equal(store_task_get(f->s, id, &t), 0);
			t.deadline.due = date_from_days(date_to_days(t.deadline.due) + 3);
			assert_int_equal(store_task_update(f->s, &t, now), 0);
			break;
		case 4:			/* to the other agency: cancelled in one, shown in the other */
			assert_int_equal(store_task_set_agencies(f->s, id, true, true,
								 step % 2 ? &f->a : &f->b, 1), 0);
			break;
		case 5:			/* a title, by another process */
			snprintf(sql, sizeof(sql), "UPDATE task SET title = 'Việc sửa %d', updated_at = %lld"
				 " WHERE id = %lld", step, (long long)now, (long long)id);
			other(f, sql);
			break;
		case 6: {		/* a deadline change asked */
			struct extension e = { .task_id = id, .person_id = 0, .due = { 2026, 12, 31 },
					       .reason = (char *)"chờ", .precision = DEADLINE_DAY };
			struct person p = { .name = (char *)"Trần Thị Bình", .agency_id = f->a,
					    .role = ROLE_FOCAL, .lang = (char *)"vi", .active = true };
			int64_t x = 0;
			int r;

			assert_int_equal(store_person_insert(f->s, &p, now, &e.person_id), 0);
			/* One request pending a task: a second is refused, nothing changes. */
			r = store_extension_add(f->s, &e, now, &x);
			assert_true(r == 0 || r == -EEXIST);
			break;
		}
		case 7:			/* a task added, or one deleted by another process */
			if (step % 2 && n < 64) {
				char code[16];

				snprintf(code, sizeof(code), "N#%d", step);
				ids[n++] = add(f, code, "Việc mới", step % 4 == 1 ? f->a : f->b,
					       D(2026, 4, 1 + step % 28), false);
			} else {
				snprintf(sql, sizeof(sql), "DELETE FROM task_agency WHERE task_id = %lld;"
					 "DELETE FROM task WHERE id = %lld", (long long)id, (long long)id);
				other(f, sql);
				ids[pick] = ids[--n];
			}
			break;
		case 8:			/* what many tasks show: every feed whole */
			snprintf(sql, sizeof(sql), "UPDATE agency SET name = 'Sở Tư pháp %d' WHERE id = %lld",
				 step, (long long)f->b);
			other(f, sql);
			f->fb.target_name = NULL;	/* as the registry now names it (below) */
			break;
		default:		/* the day turns */
			now += DAY;
			break;
		}
		task_release(&t);
		if (!f->fb.target_name) {
			struct feed g = { 0 };

			assert_int_equal(store_feed_get(f->s, f->fb.id, &g), 0);
			static char name[64];

			snprintf(name, sizeof(name), "%s", g.target_name);
			f->fb.target_name = name;
			feed_release(&g);
		}
		for (int k = 0; k < 2; k++) {
			struct feed_maker *m2 = maker(f);
			struct feed_body *b = NULL, *w;
			char *msg = NULL;

			if (feed_build(m, f->s, feeds[k], now, last[k], &b, &msg) < 0)
				fail_msg("feed_build: %s", msg);
			w = build(f, m2, feeds[k], now);
			if (b->n != w->n || memcmp(b->text, w->text, b->n) != 0) {
				size_t at = 0;

				while (at < b->n && at < w->n && b->text[at] == w->text[at])
					at++;
				at = at > 200 ? at - 200 : 0;
				fail_msg("step %d (op %d), feed %d: built again from what changed, %zu bytes;"
					 " whole, %zu; from byte %zu:\n%.600s\n----\n%.600s", step, op, k,
					 b->n, w->n, at, b->text + at, w->text + at);
			}
			assert_string_equal(b->etag, w->etag);
			assert_int_equal(b->events, w->events);
			assert_int_equal(b->last_modified, w->last_modified);
			feed_body_unref(w);
			feed_maker_free(m2);
			feed_body_unref(last[k]);
			last[k] = b;
		}
	}
	feed_maker_builds(m, &whole, &partial, &same);
	feed_maker_stats(m, &written, &kept);
	/* Each way was taken: whole builds at each new day and agency renamed, the others not. */
	assert_true(whole >= 4);
	assert_true(partial >= 20);
	assert_true(same >= 10);
	assert_true(whole + partial + same == 120);
	feed_body_unref(last[0]);
	feed_body_unref(last[1]);
	feed_maker_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uid_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_and_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recurring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_across_languages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leave_and_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_is_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
