/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of dispatch.c: the sending window against the real policy
 * and Vietnamese holidays of schedules/ (run from the repository root),
 * then composing and delivering on a real SQLite registry in a temporary
 * directory, through the file channel writing into that directory.
 */
#include "testlib.h"

#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "channels.h"
#include "clock.h"
#include "config.h"
#include "dispatch.h"
#include "instance.h"
#include "obstacle.h"
#include "taskops.h"
#include "notice.h"
#include "planner.h"
#include "registry.h"
#include "schedule.h"
#include "store.h"
#include "render.h"
#include "task.h"
#include "xalloc.h"

static struct schedule *sch;
static struct renderer *rend;

static int
group_setup(void **state)
{
	char *msg = NULL;

	(void)state;
	if (schedule_load("schedules", TESTLIB_TODAY, &sch, &msg) < 0 ||
	    renderer_load("templates", &rend, &msg) < 0) {
		fprintf(stderr, "setup: %s\n", msg ? msg : "?");
		free(msg);
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	sch = schedule_free(sch);
	rend = renderer_free(rend);
	return 0;
}

/* An instant from ISO 8601 text with its offset: independent of TZ. */
static time_t
at(const char *iso)
{
	time_t t = 0;

	assert_int_equal(clock_parse_iso(iso, &t), 0);
	return t;
}

/* --- the sending window ----------------------------------------------- */

static void
check_window(void)
{
	/* Monday 29 September 2025: from send_at (08:00) to the end of hours (17:30). */
	assert_false(dispatch_in_window(sch, at("2025-09-29T07:59:59+07:00")));
	assert_false(dispatch_in_window(sch, at("2025-09-29T07:59+07:00")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T08:00+07:00")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T12:00+07:00")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T17:29+07:00")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T17:29:59+07:00")));
	assert_false(dispatch_in_window(sch, at("2025-09-29T17:30+07:00")));
	assert_false(dispatch_in_window(sch, at("2025-09-29T23:00+07:00")));
	/* The same instants written in UTC. */
	assert_false(dispatch_in_window(sch, at("2025-09-29T00:59Z")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T01:00Z")));
	assert_true(dispatch_in_window(sch, at("2025-09-29T10:29Z")));
	assert_false(dispatch_in_window(sch, at("2025-09-29T10:30Z")));
	/* Weekends, holidays and Tết are closed all day. */
	assert_false(dispatch_in_window(sch, at("2025-09-27T10:00+07:00")));	/* Saturday */
	assert_false(dispatch_in_window(sch, at("2025-09-28T10:00+07:00")));	/* Sunday */
	assert_false(dispatch_in_window(sch, at("2025-09-01T10:00+07:00")));	/* Quốc khánh */
	assert_false(dispatch_in_window(sch, at("2026-02-17T10:00+07:00")));	/* Tết */
	/* A Saturday worked in exchange (làm bù) is open. */
	assert_true(dispatch_in_window(sch, at("2026-01-10T09:00+07:00")));
}

static void
check_next_window(void)
{
	time_t mon8 = at("2025-09-29T08:00+07:00");

	/* Inside the window: now. */
	assert_int_equal(dispatch_next_window(sch, at("2025-09-29T10:15+07:00")),
			 at("2025-09-29T10:15+07:00"));
	assert_int_equal(dispatch_next_window(sch, mon8), mon8);
	/* Early on a working day: 08:00 the same day. */
	assert_int_equal(dispatch_next_window(sch, at("2025-09-29T07:59+07:00")), mon8);
	assert_int_equal(dispatch_next_window(sch, at("2025-09-29T00:00+07:00")), mon8);
	/* Saturday and Sunday: Monday 08:00. */
	assert_int_equal(dispatch_next_window(sch, at("2025-09-27T10:00+07:00")), mon8);
	assert_int_equal(dispatch_next_window(sch, at("2025-09-28T23:59+07:00")), mon8);
	/* Friday evening: Monday 08:00. */
	assert_int_equal(dispatch_next_window(sch, at("2025-09-26T18:00+07:00")), mon8);
	assert_int_equal(dispatch_next_window(sch, at("2025-09-26T17:30+07:00")), mon8);
	/* Monday after hours: Tuesday 08:00. */
	assert_int_equal(dispatch_next_window(sch, at("2025-09-29T17:30+07:00")),
			 at("2025-09-30T08:00+07:00"));
	/* Tết Bính Ngọ (14-22 February 2026): Monday 23 February. */
	assert_int_equal(dispatch_next_window(sch, at("2026-02-17T10:00+07:00")),
			 at("2026-02-23T08:00+07:00"));
	assert_int_equal(dispatch_next_window(sch, at("2026-02-13T18:00+07:00")),
			 at("2026-02-23T08:00+07:00"));
	/* Quốc khánh 2025 (30 August - 2 September): Wednesday 3 September. */
	assert_int_equal(dispatch_next_window(sch, at("2025-08-29T20:00+07:00")),
			 at("2025-09-03T08:00+07:00"));
	/* Friday 9 January 2026 evening: the làm bù Saturday 10 January. */
	assert_int_equal(dispatch_next_window(sch, at("2026-01-09T18:00+07:00")),
			 at("2026-01-10T08:00+07:00"));
	/* What next_window returns is always open. */
	for (int h = 0; h < 24 * 14; h += 5) {
		time_t t = at("2026-02-10T00:00+07:00") + (time_t)h * 3600;

		assert_true(dispatch_in_window(sch, dispatch_next_window(sch, t)));
		assert_true(dispatch_next_window(sch, t) >= t);
	}
}

/* The machine's zone must not matter (DESIGN §5): try several in one run. */
static void
test_window_any_tz(void **state)
{
	static const char *const zones[] = { "UTC", "America/Los_Angeles", "Asia/Ho_Chi_Minh",
					     "Pacific/Kiritimati", "Etc/GMT+12" };
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		setenv("TZ", zones[i], 1);
		tzset();
		check_window();
		check_next_window();
	}
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static void
test_window_current_tz(void **state)
{
	(void)state;
	check_window();
	check_next_window();
}

/* --- a registry ------------------------------------------------------- */

/* Messages read back; owned by the fixture so a failed assertion leaks nothing. */
struct msgs {
	struct message v[64];
	size_t n;
};

static void msgs_release(struct msgs *ms);

struct fx {
	char dir[64];
	char db[128];
	char outbox[128];
	struct store *s;
	struct config cfg;
	struct channels *cs;
	int64_t a_snv, a_syt, a_vp;	/* agencies */
	int64_t focal_snv, focal_syt, head_snv, leader, secretariat;	/* people */
	int64_t t1, t2, t3;	/* tasks */
	struct msgs ms;
};

static int64_t
add_agency(struct fx *f, const char *code, const char *name, enum agency_kind kind)
{
	int64_t id = 0;

	assert_int_equal(store_agency_insert(f->s, code, name, kind, 1, &id), 0);
	return id;
}

static int64_t
add_person(struct fx *f, const char *name, int64_t agency, enum person_role role)
{
	struct person p = { .name = (char *)name, .agency_id = agency, .role = role, .active = true };
	int64_t id = 0;

	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	person_addresses_copy(&p, &(struct person){ 0 });	/* frees them: the rest is static */
	return id;
}

static int64_t
add_task(struct fx *f, const char *code, const char *title, const char *raw,
	 enum deadline_precision p, struct date due, int64_t lead)
{
	struct task t = { 0 };
	int64_t id = 0;

	t.code = (char *)code;
	t.kind = TASK_KIND_TASK;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.deadline = (struct deadline){ .precision = p, .has_due = p <= DEADLINE_YEAR, .due = due, .year_given = true };
	t.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_insert(f->s, &t, 0, code, 1, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &lead, 1), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-dispatch.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	snprintf(f->outbox, sizeof(f->outbox), "%s/outbox", f->dir);
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0) {
		fprintf(stderr, "store_open: %s\n", msg);
		free(msg);
		return -1;
	}
	f->cfg.outbox_dir = f->outbox;
	if (channels_open(&f->cfg, &f->cs, &msg) < 0) {
		fprintf(stderr, "channels_open: %s\n", msg);
		free(msg);
		return -1;
	}
	f->a_snv = add_agency(f, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT);
	f->a_syt = add_agency(f, "syt", "Sở Y tế", AGENCY_DEPARTMENT);
	f->a_vp = add_agency(f, "vp", "Văn phòng Tỉnh ủy", AGENCY_PARTY);
	f->focal_snv = add_person(f, "Nguyễn Văn An", f->a_snv, ROLE_FOCAL);
	f->focal_syt = add_person(f, "Trần Thị Bình", f->a_syt, ROLE_FOCAL);
	f->head_snv = add_person(f, "Lê Văn Cường", f->a_snv, ROLE_HEAD);
	f->leader = add_person(f, "Phạm Minh Dũng", f->a_vp, ROLE_LEADER);
	f->secretariat = add_person(f, "Hoàng Thị Em", f->a_vp, ROLE_SECRETARIAT);
	f->t1 = add_task(f, "T#1", "Xây dựng kế hoạch chuyển đổi số", "trước 30/9/2025",
			 DEADLINE_DAY, (struct date){ 2025, 9, 30 }, f->a_snv);
	f->t2 = add_task(f, "T#2", "Rà soát thủ tục hành chính", "Quý III", DEADLINE_QUARTER,
			 (struct date){ 2025, 9, 30 }, f->a_snv);
	f->t3 = add_task(f, "T#3", "Báo cáo sơ kết ngành y tế", "Tháng 10/2025", DEADLINE_MONTH,
			 (struct date){ 2025, 10, 31 }, f->a_syt);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	msgs_release(&f->ms);
	channels_free(f->cs);
	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

/* --- reading the registry back ---------------------------------------- */

static int
collect_message(const struct message *m, void *userdata)
{
	struct msgs *ms = userdata;
	struct message *c;

	assert_true(ms->n < 64);
	c = &ms->v[ms->n++];
	*c = *m;
	c->subject = xstrdup(m->subject);
	c->body = xstrdup(m->body);
	c->last_error = m->last_error ? xstrdup(m->last_error) : NULL;
	c->html = m->html ? xstrdup(m->html) : NULL;
	c->chat = m->chat ? xstrdup(m->chat) : NULL;
	return 0;
}

static void
msgs_load(struct fx *f, int state, struct msgs *ms)
{
	msgs_release(ms);
	assert_int_equal(store_message_foreach(f->s, state, collect_message, ms), 0);
}

static void
msgs_release(struct msgs *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		message_release(&ms->v[i]);
	ms->n = 0;
}

/* The one message of person (and kind, or -1 for any) in ms; fails unless exactly one. */
static const struct message *
msg_of(const struct msgs *ms, int64_t person, int kind)
{
	const struct message *found = NULL;
	int n = 0;

	for (size_t i = 0; i < ms->n; i++)
		if (ms->v[i].person_id == person && (kind < 0 || (int)ms->v[i].kind == kind)) {
			found = &ms->v[i];
			n++;
		}
	assert_int_equal(n, 1);
	return found;
}

static int
count_msgs_of(const struct msgs *ms, int64_t person)
{
	int n = 0;

	for (size_t i = 0; i < ms->n; i++)
		n += ms->v[i].person_id == person;
	return n;
}

struct notes {
	struct notice v[128];
	size_t n;
};

static int
collect_notice(const struct notice *n, void *userdata)
{
	struct notes *ns = userdata;

	assert_true(ns->n < 128);
	ns->v[ns->n++] = *n;
	return 0;
}

static void
notices_of_task(struct fx *f, int64_t task, struct notes *ns)
{
	ns->n = 0;
	assert_int_equal(store_notice_foreach_task(f->s, task, collect_notice, ns), 0);
}

static int
count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	int c, n = 0;

	if (!fp)
		return 0;
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

#define DAY(y, m, d) ((struct date){ y, m, d })

/* Queues a notice as the planner would; returns its id. */
static int64_t
queue(struct fx *f, int64_t task, int64_t person, enum notice_stage stage, int step,
      struct date anchor, struct date day, const char *channel)
{
	struct notice n = { .task_id = task, .person_id = person, .stage = stage, .step = step,
			    .anchor = anchor, .day = day };
	struct notes ns;
	bool added = false;

	snprintf(n.channel, sizeof(n.channel), "%s", channel ? channel : "file");
	assert_int_equal(store_notice_insert(f->s, &n, 1, &added), 0);
	assert_true(added);
	notices_of_task(f, task, &ns);
	for (size_t i = 0; i < ns.n; i++)
		if (ns.v[i].person_id == person && ns.v[i].stage == stage && ns.v[i].step == step &&
		    date_cmp(ns.v[i].anchor, anchor) == 0)
			return ns.v[i].id;
	fail_msg("notice not found back");
	return 0;
}

static const struct notice *
notice_by_id(const struct notes *ns, int64_t id)
{
	for (size_t i = 0; i < ns->n; i++)
		if (ns->v[i].id == id)
			return &ns->v[i];
	fail_msg("no notice %lld", (long long)id);
	return NULL;
}

/* "[ID] " as an item of a message body names task id. */
static bool
lists_task(const char *body, int64_t id)
{
	char needle[32];

	snprintf(needle, sizeof(needle), "[%lld] ", (long long)id);
	return strstr(body, needle) != NULL;
}

static int
occurrences(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + strlen(needle), needle))
		n++;
	return n;
}

static int
notices_in_message(struct fx *f, int64_t message_id)
{
	struct notes ns = { .n = 0 };

	assert_int_equal(store_notice_foreach_message(f->s, message_id, collect_notice, &ns), 0);
	return (int)ns.n;
}

static void
compose_at(struct fx *f, const char *iso, struct dispatch_report *rep)
{
	struct dispatch_env env = { .sch = sch, .rend = rend, .cs = f->cs };

	memset(rep, 0, sizeof(*rep));
	assert_int_equal(dispatch_compose(f->s, &env, at(iso), rep), 0);
}

static void
deliver_at(struct fx *f, const char *iso, volatile sig_atomic_t *stop, struct dispatch_report *rep)
{
	struct clock clk = { .fixed = at(iso), .pinned = 1 };
	struct dispatch_env env = { .sch = sch, .rend = rend, .cs = f->cs };

	memset(rep, 0, sizeof(*rep));
	assert_int_equal(dispatch_deliver(f->s, &env, &clk, stop, rep), 0);
}

/* --- composing -------------------------------------------------------- */

static void
test_compose_waits_for_window(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct msgs *ms = &f->ms;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T07:45+07:00", &rep);	/* before send_at */
	compose_at(f, "2025-09-25T18:00+07:00", &rep);	/* after hours */
	compose_at(f, "2025-09-27T10:00+07:00", &rep);	/* Saturday */
	assert_int_equal(rep.composed, 0);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 0);
	/* Still queued: it goes at the next window. */
	compose_at(f, "2025-09-29T08:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 1);
	msgs_release(ms);
}

static void
test_one_message_per_person(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	struct msgs *ms = &f->ms;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	queue(f, f->t2, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	queue(f, f->t3, f->focal_syt, STAGE_BEFORE, 20, DAY(2025, 10, 31), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 2);
	assert_int_equal(rep.held, 0);
	assert_int_equal(rep.superseded, 0);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 2);

	m = msg_of(ms, f->focal_snv, -1);
	assert_int_equal(m->kind, MESSAGE_REMINDER);
	assert_int_equal(m->state, MESSAGE_PENDING);
	assert_string_equal(m->channel, "file");
	assert_int_equal(date_cmp(m->day, DAY(2025, 9, 25)), 0);
	assert_string_equal(m->subject, "[Đôn đốc] Nhắc việc ngày 25/09/2025: 02 nhiệm vụ");
	assert_non_null(strstr(m->body, "Kính gửi đồng chí Nguyễn Văn An (Sở Nội vụ),"));
	assert_true(lists_task(m->body, f->t1));
	assert_true(lists_task(m->body, f->t2));
	assert_false(lists_task(m->body, f->t3));
	assert_int_equal(notices_in_message(f, m->id), 2);

	m = msg_of(ms, f->focal_syt, -1);
	assert_true(lists_task(m->body, f->t3));
	assert_false(lists_task(m->body, f->t1));
	assert_int_equal(notices_in_message(f, m->id), 1);
	msgs_release(ms);

	/* Nothing is left to group: a second compose makes nothing. */
	compose_at(f, "2025-09-25T10:00+07:00", &rep);
	assert_int_equal(rep.composed, 0);
	assert_int_equal(rep.held, 0);
}

static void
test_noise_budget(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct notes ns;
	struct msgs *ms = &f->ms;
	int64_t late;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);

	/* A new reminder the same day waits for tomorrow. */
	late = queue(f, f->t2, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25),
		     NULL);
	compose_at(f, "2025-09-25T14:00+07:00", &rep);
	assert_int_equal(rep.composed, 0);
	assert_int_equal(rep.held, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 1);
	msgs_release(ms);
	notices_of_task(f, f->t2, &ns);
	assert_int_equal(notice_by_id(&ns, late)->state, NOTICE_QUEUED);
	assert_int_equal(notice_by_id(&ns, late)->message_id, 0);

	/* An escalation is not counted against the budget. */
	queue(f, f->t1, f->focal_snv, STAGE_ESCALATION, 1, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T15:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	assert_int_equal(rep.held, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 2);
	assert_int_equal(msg_of(ms, f->focal_snv, MESSAGE_ESCALATION)->kind, MESSAGE_ESCALATION);
	msgs_release(ms);

	/* The next day, the held reminder goes, in one message. */
	compose_at(f, "2025-09-26T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	assert_int_equal(rep.held, 0);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 3);
	assert_int_equal(count_msgs_of(ms, f->focal_snv), 3);
	assert_true(lists_task(ms->v[2].body, f->t2));
	assert_false(lists_task(ms->v[2].body, f->t1));
	assert_int_equal(date_cmp(ms->v[2].day, DAY(2025, 9, 26)), 0);
	msgs_release(ms);
	notices_of_task(f, f->t2, &ns);
	assert_true(notice_by_id(&ns, late)->message_id > 0);
}

static void
test_escalation_separate(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *r, *e;
	struct msgs *ms = &f->ms;

	/* The secretariat is told of t1's nag (fallback) and of t2's level 2. */
	queue(f, f->t1, f->secretariat, STAGE_OVERDUE, 13, DAY(2025, 9, 30), DAY(2025, 10, 17), NULL);
	queue(f, f->t2, f->secretariat, STAGE_ESCALATION, 2, DAY(2025, 9, 30), DAY(2025, 10, 21),
	      NULL);
	queue(f, f->t2, f->leader, STAGE_ESCALATION, 2, DAY(2025, 9, 30), DAY(2025, 10, 21), NULL);
	compose_at(f, "2025-10-21T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 3);
	msgs_load(f, -1, ms);
	assert_int_equal(count_msgs_of(ms, f->secretariat), 2);
	e = msg_of(ms, f->secretariat, MESSAGE_ESCALATION);
	assert_true(lists_task(e->body, f->t2));
	assert_false(lists_task(e->body, f->t1));
	/* The secretariat's own text: what to follow, not a request to direct. */
	assert_non_null(strstr(e->subject, "Theo dõi 01 nhiệm vụ quá hạn"));
	assert_null(strstr(e->body, "/xong"));
	/* The nag's day (17/10) went by, but on the first day nothing was missed. */
	r = msg_of(ms, f->secretariat, MESSAGE_REMINDER);
	assert_true(lists_task(r->body, f->t1));
	assert_false(lists_task(r->body, f->t2));
	e = msg_of(ms, f->leader, MESSAGE_ESCALATION);
	assert_true(lists_task(e->body, f->t2));
	assert_non_null(strstr(e->subject, "đề nghị đồng chí chỉ đạo"));
	msgs_release(ms);
}

/* The escalation of ms to person (the last one), its body. */
static const char *
escalation_body(const struct msgs *ms, int64_t person)
{
	const char *b = NULL;

	for (size_t i = 0; i < ms->n; i++)
		if (ms->v[i].person_id == person && ms->v[i].kind == MESSAGE_ESCALATION)
			b = ms->v[i].body;
	assert_non_null(b);
	return b;
}

/*
 * An escalation says who was reminded and which head was told only from
 * what was sent: t1's nag went out on 7/10, t2's never did; the head's
 * level 1 went out on 8/10, so the leader hears of it on 9/10 and not
 * before; Sở Y tế has no head, and the secretariat is told so.
 */
static void
test_escalation_tells_only_what_was_sent(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	volatile sig_atomic_t stop = 0;
	struct msgs *ms = &f->ms;
	struct task t = { 0 };
	const char *b;

	queue(f, f->t1, f->focal_snv, STAGE_OVERDUE, 5, DAY(2025, 9, 30), DAY(2025, 10, 7), NULL);
	compose_at(f, "2025-10-07T09:00+07:00", &rep);
	deliver_at(f, "2025-10-07T09:00+07:00", &stop, &rep);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	assert_true(t.has_first_notice);
	assert_int_equal(date_cmp(t.first_notice, DAY(2025, 10, 7)), 0);
	task_release(&t);

	queue(f, f->t1, f->head_snv, STAGE_ESCALATION, 1, DAY(2025, 9, 30), DAY(2025, 10, 8), NULL);
	queue(f, f->t2, f->head_snv, STAGE_ESCALATION, 1, DAY(2025, 9, 30), DAY(2025, 10, 8), NULL);
	queue(f, f->t1, f->leader, STAGE_ESCALATION, 2, DAY(2025, 9, 30), DAY(2025, 10, 8), NULL);
	compose_at(f, "2025-10-08T09:00+07:00", &rep);
	msgs_load(f, -1, ms);
	b = escalation_body(ms, f->head_snv);
	assert_int_equal(occurrences(b, "Đã nhắc đồng chí"), 1);
	assert_non_null(strstr(b, "Đã nhắc đồng chí Nguyễn Văn An (cán bộ đầu mối, Sở Nội vụ) "
				  "ngày 07/10/2025"));
	assert_null(strstr(b, "hệ thống đã nhắc"));
	assert_null(strstr(b, "Đã báo cáo thủ trưởng"));
	/* Composed before the head's went out: the leader is not told of it. */
	b = escalation_body(ms, f->leader);
	assert_non_null(strstr(b, "Đã nhắc đồng chí Nguyễn Văn An"));
	assert_null(strstr(b, "thủ trưởng"));
	assert_non_null(strstr(b, "- Sở Nội vụ: 01 nhiệm vụ"));
	msgs_release(ms);
	deliver_at(f, "2025-10-08T09:00+07:00", &stop, &rep);

	queue(f, f->t2, f->leader, STAGE_ESCALATION, 2, DAY(2025, 9, 30), DAY(2025, 10, 9), NULL);
	queue(f, f->t3, f->secretariat, STAGE_ESCALATION, 2, DAY(2025, 10, 31), DAY(2025, 10, 9),
	      NULL);
	compose_at(f, "2025-10-09T09:00+07:00", &rep);
	msgs_load(f, -1, ms);
	b = escalation_body(ms, f->leader);
	assert_non_null(strstr(b, "Đã báo cáo thủ trưởng: đồng chí Lê Văn Cường (Sở Nội vụ) "
				  "ngày 08/10/2025"));
	assert_null(strstr(b, "Đã nhắc"));	/* t2: nobody was reminded */
	b = escalation_body(ms, f->secretariat);
	assert_non_null(strstr(b, "Chưa có lời nhắc nào được gửi tới cán bộ đầu mối."));
	assert_non_null(strstr(b, "Sở Y tế chưa có thủ trưởng nhận báo cáo"));
	assert_null(strstr(b, "Sở Y tế chưa có cán bộ đầu mối"));
	msgs_release(ms);
}

static void
test_superseded(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	struct notes ns;
	struct msgs *ms = &f->ms;
	int64_t old, newer;
	char needle[32];

	old = queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	newer = queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 1, DAY(2025, 9, 30), DAY(2025, 9, 29),
		      NULL);
	compose_at(f, "2025-09-29T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	assert_int_equal(rep.superseded, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 1);
	m = msg_of(ms, f->focal_snv, -1);
	/* The latest notice is today's: a plain reminder, the task once. */
	assert_int_equal(m->kind, MESSAGE_REMINDER);
	snprintf(needle, sizeof(needle), "[%lld] ", (long long)f->t1);
	assert_int_equal(occurrences(m->body, needle), 1);
	assert_non_null(strstr(m->body, "còn 1 ngày làm việc"));
	notices_of_task(f, f->t1, &ns);
	assert_int_equal(notice_by_id(&ns, old)->state, NOTICE_CANCELLED);
	assert_int_equal(notice_by_id(&ns, newer)->state, NOTICE_QUEUED);
	assert_int_equal(notice_by_id(&ns, newer)->message_id, m->id);
	msgs_release(ms);
}

static void
test_catchup_one_message(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	struct msgs *ms = &f->ms;

	/* Days missed while dondoc was down: it last composed on 18/09. */
	assert_int_equal(store_meta_set(f->s, "last_compose_day", "2025-09-18"), 0);
	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 7, DAY(2025, 9, 30), DAY(2025, 9, 19), NULL);
	queue(f, f->t2, f->focal_snv, STAGE_BEFORE, 5, DAY(2025, 9, 30), DAY(2025, 9, 23), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 1);
	m = msg_of(ms, f->focal_snv, MESSAGE_CATCHUP);
	assert_true(lists_task(m->body, f->t1));
	assert_true(lists_task(m->body, f->t2));
	assert_non_null(strstr(m->subject, "Tổng hợp nhắc việc"));
	msgs_release(ms);
}

static void
test_done_task_not_composed(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct task t = { 0 };
	struct notes ns;
	struct msgs *ms = &f->ms;
	int64_t id;

	id = queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	t.status = TASK_DONE;
	t.progress = 100;
	t.done_at = at("2025-09-25T08:30+07:00");
	assert_int_equal(store_task_update(f->s, &t, t.done_at), 0);
	task_release(&t);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 0);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 0);
	notices_of_task(f, f->t1, &ns);
	assert_int_equal(notice_by_id(&ns, id)->state, NOTICE_CANCELLED);
}

/* Notices planned for someone who is no longer active are cancelled, not sent. */
static void
test_inactive_person_not_composed(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct notes ns;
	struct msgs *ms = &f->ms;
	int64_t gone;

	gone = queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25),
		     NULL);
	queue(f, f->t3, f->focal_syt, STAGE_BEFORE, 20, DAY(2025, 10, 31), DAY(2025, 9, 25), NULL);
	testlib_sql(f->db, "UPDATE person SET active = 0 WHERE name = 'Nguyễn Văn An'");
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].person_id, f->focal_syt);
	notices_of_task(f, f->t1, &ns);
	assert_int_equal(notice_by_id(&ns, gone)->state, NOTICE_CANCELLED);
	msgs_release(ms);
}

/* --- delivering ------------------------------------------------------- */

static void
test_deliver_to_files(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	char path[256], log[160], *text;
	struct notes ns;
	struct msgs *ms = &f->ms;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	queue(f, f->t2, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	queue(f, f->t3, f->focal_syt, STAGE_BEFORE, 20, DAY(2025, 10, 31), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 2);
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 2);
	assert_int_equal(rep.retried, 0);
	assert_int_equal(rep.dead, 0);

	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 2);
	snprintf(log, sizeof(log), "%s/deliveries.log", f->outbox);
	assert_int_equal(count_lines(log), 2);
	msgs_load(f, MESSAGE_SENT, ms);
	assert_int_equal(ms->n, 2);
	m = msg_of(ms, f->focal_snv, -1);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->sent_at, at("2025-09-25T09:00+07:00"));
	snprintf(path, sizeof(path), "%s/%06lld-%lld.txt", f->outbox, (long long)m->id,
		 (long long)f->focal_snv);
	text = testlib_slurp(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "To: Nguyễn Văn An\n"));
	assert_non_null(strstr(text, "Kind: reminder\n"));
	assert_non_null(strstr(text, m->subject));
	assert_non_null(strstr(text, m->body));
	free(text);
	msgs_release(ms);
	notices_of_task(f, f->t1, &ns);
	assert_int_equal(ns.n, 1);
	assert_int_equal(ns.v[0].state, NOTICE_SENT);

	/* Nothing is due any more: no second delivery. */
	deliver_at(f, "2025-09-25T09:05+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 0);
	assert_int_equal(count_lines(log), 2);
}

/*
 * A claim holds, for its owner alone, until its lease ends or its owner is
 * known gone; then it is void, and the message pending again.
 */
static void
test_claim_lease_recovered(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct dispatch_env env = { .sch = sch, .rend = rend, .cs = f->cs };
	struct msgs *ms = &f->ms;
	time_t t = at("2025-09-25T09:00+07:00");
	/* Two instances on other hosts: alive as far as this one can know. */
	const char *a = "host-a 11 1 1", *b = "host-b 22 2 2";
	char gone[160], host[128];
	long pid;
	long long start;
	unsigned long long ns;
	struct message got[4];
	int64_t id;
	int n = 0;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 1);
	id = ms->v[0].id;
	msgs_release(ms);
	assert_int_equal(store_message_claim(f->s, id, a, t + DISPATCH_LEASE_S), 1);
	assert_int_equal(store_message_claim(f->s, id, b, t + DISPATCH_LEASE_S), 0);
	/* Within the lease: the claim stands, nothing is due for anyone. */
	assert_int_equal(store_message_recover(f->s, t + DISPATCH_LEASE_S - 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_message_claim_due(f->s, t + DISPATCH_LEASE_S, b, t + 2 * DISPATCH_LEASE_S,
						 got, 4, &n), 0);
	assert_int_equal(n, 0);
	/* Only its owner ends it. */
	assert_int_equal(store_message_finish(f->s, id, b, MESSAGE_SENT, t, t, NULL), -ESTALE);
	/* The lease ended: pending again, due at once, the attempt kept. */
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(dispatch_recover(f->s, &env, t + DISPATCH_LEASE_S, &rep), 0);
	assert_int_equal(rep.recovered, 1);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].attempts, 1);
	msgs_release(ms);
	assert_int_equal(store_message_claim_due(f->s, t + DISPATCH_LEASE_S, b, t + 2 * DISPATCH_LEASE_S,
						 got, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].id, id);
	assert_int_equal(got[0].attempts, 2);
	message_release(&got[0]);
	/* a's outcome, too late: b holds it now, and a can neither end it nor put it back. */
	assert_int_equal(store_message_finish(f->s, id, a, MESSAGE_SENT, t, t, NULL), -ESTALE);
	assert_int_equal(store_message_unclaim(f->s, id, a, t), 0);
	msgs_load(f, MESSAGE_SENDING, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].attempts, 2);
	msgs_release(ms);
	/* Put back untried by its owner: due as before, the attempt not counted. */
	assert_int_equal(store_message_unclaim(f->s, id, b, t), 0);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].attempts, 1);
	msgs_release(ms);
	/* A live instance's claim stands; one of this host that is gone is void at once. */
	assert_int_equal(store_message_claim(f->s, id, instance_self(), t + DISPATCH_LEASE_S), 1);
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(dispatch_recover(f->s, &env, t, &rep), 0);
	assert_int_equal(rep.recovered, 0);
	assert_int_equal(store_message_unclaim(f->s, id, instance_self(), t), 0);
	assert_int_equal(sscanf(instance_self(), "%127s %ld %lld %llu", host, &pid, &start, &ns), 4);
	snprintf(gone, sizeof(gone), "%s %ld %lld %llu", host, pid, start - 1, ns);
	assert_int_equal(store_message_claim(f->s, id, gone, t + DISPATCH_LEASE_S), 1);
	assert_int_equal(dispatch_recover(f->s, &env, t, &rep), 0);
	assert_int_equal(rep.recovered, 1);
	/* At start, a claim made before claims had owners is void too; a's stands. */
	assert_int_equal(store_message_claim(f->s, id, NULL, t + DISPATCH_LEASE_S), 1);
	assert_int_equal(dispatch_recover_start(f->s, t, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_message_claim(f->s, id, a, t + DISPATCH_LEASE_S), 1);
	assert_int_equal(dispatch_recover_start(f->s, t, &n), 0);
	assert_int_equal(n, 0);
}

/* A list longer than DISPATCH_MAX_TASKS goes in parts, every task in one of them. */
static void
test_long_list_in_parts(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct msgs *ms = &f->ms;
	size_t total = 0;
	char code[16];

	for (int i = 0; i < 450; i++) {
		int64_t t;

		snprintf(code, sizeof(code), "L#%d", i);
		t = add_task(f, code, code, "trước 30/9/2025", DEADLINE_DAY, DAY(2025, 9, 30),
			     f->a_snv);
		queue(f, t, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	}
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 3);
	assert_int_equal(rep.failed, 0);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 3);
	for (size_t i = 0; i < ms->n; i++) {
		int64_t *ids = NULL;
		size_t n = 0;
		char want[32];

		assert_int_equal(store_message_tasks(f->s, ms->v[i].id, &ids, &n), 0);
		assert_true(n <= DISPATCH_MAX_TASKS);
		total += n;
		free(ids);
		snprintf(want, sizeof(want), "(phần %zu/3)", i + 1);
		assert_non_null(strstr(ms->v[i].subject, want));
	}
	assert_int_equal(total, 450);
}

static void
test_deliver_stop_leaves_pending(void **state)
{
	struct fx *f = *state;
	volatile sig_atomic_t stop = 1;
	struct dispatch_report rep;
	char log[160];
	struct msgs *ms = &f->ms;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	queue(f, f->t3, f->focal_syt, STAGE_BEFORE, 20, DAY(2025, 10, 31), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 2);
	deliver_at(f, "2025-09-25T09:00+07:00", &stop, &rep);
	assert_int_equal(rep.sent, 0);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 2);
	for (size_t i = 0; i < ms->n; i++)
		assert_int_equal(ms->v[i].attempts, 0);
	msgs_release(ms);
	assert_true(testlib_count_files(f->outbox, ".txt", 0) <= 0);
	snprintf(log, sizeof(log), "%s/deliveries.log", f->outbox);
	assert_int_equal(count_lines(log), 0);
	/* Once the flag is down, they go. */
	stop = 0;
	deliver_at(f, "2025-09-25T09:01+07:00", &stop, &rep);
	assert_int_equal(rep.sent, 2);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 2);
}

static void
test_deliver_outside_window_waits(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	struct msgs *ms = &f->ms;

	queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 0, DAY(2025, 9, 26), DAY(2025, 9, 26), NULL);
	compose_at(f, "2025-09-26T17:00+07:00", &rep);	/* Friday */
	assert_int_equal(rep.composed, 1);
	/* The daemon was busy: delivery comes after hours. */
	deliver_at(f, "2025-09-26T17:45+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 0);
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].next_at, at("2025-09-29T08:00+07:00"));
	assert_int_equal(ms->v[0].attempts, 0);
	msgs_release(ms);
	assert_true(testlib_count_files(f->outbox, ".txt", 0) <= 0);
	deliver_at(f, "2025-09-27T10:00+07:00", NULL, &rep);	/* Saturday: not due yet */
	assert_int_equal(rep.sent, 0);
	deliver_at(f, "2025-09-29T08:00+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 1);
}

/*
 * A channel that cannot deliver (here: no longer configured) kills the
 * message, and the secretariat is told through a channel that reaches it.
 */
static void
test_dead_message_alerts_secretariat(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	struct notes ns;
	struct msgs *ms = &f->ms;
	int64_t id;

	id = queue(f, f->t1, f->focal_snv, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25),
		   "telegram");
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	/*
	 * The message is made for the channel that reaches the person now
	 * (file); then the operator drops a channel the outbox still names.
	 */
	msgs_load(f, MESSAGE_PENDING, ms);
	assert_int_equal(ms->n, 1);
	assert_string_equal(ms->v[0].channel, "file");
	{
		char sql[96];

		snprintf(sql, sizeof(sql), "UPDATE message SET channel = 'telegram' WHERE id = %lld",
			 (long long)ms->v[0].id);
		testlib_sql(f->db, sql);
	}
	msgs_release(ms);
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.dead, 1);
	assert_int_equal(rep.sent, 0);
	msgs_load(f, MESSAGE_DEAD, ms);
	assert_int_equal(ms->n, 1);
	assert_int_equal(ms->v[0].person_id, f->focal_snv);
	assert_non_null(ms->v[0].last_error);
	assert_non_null(strstr(ms->v[0].last_error, "telegram"));
	msgs_release(ms);
	notices_of_task(f, f->t1, &ns);
	assert_int_equal(notice_by_id(&ns, id)->state, NOTICE_DEAD);

	msgs_load(f, -1, ms);
	m = msg_of(ms, f->secretariat, MESSAGE_ALERT);
	assert_true(lists_task(m->body, f->t1));
	/* It says who could not be reached, through what. */
	assert_non_null(strstr(m->body, "Nguyễn Văn An"));
	assert_non_null(strstr(m->body, "telegram"));
	/* The secretariat has no Telegram: the alert must go where it is reached. */
	assert_string_equal(m->channel, "file");
	msgs_release(ms);
	/* The alert, and the reminder itself again through what still reaches An. */
	deliver_at(f, "2025-09-25T09:01+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 2);
	assert_int_equal(rep.dead, 0);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 2);
}

/*
 * The secretariat's daily message: missing roles and new obstacles in one
 * message of its own kind, once a day; what was fixed since is left out.
 */
static void
test_daily_message(void **state)
{
	struct fx *f = *state;
	struct actor an = { .name = "Nguyễn Văn An", .person_id = f->focal_snv,
			    .channel = "telegram" };
	struct obstacle o = { 0 };
	struct dispatch_report rep;
	const struct message *m;
	struct msgs *ms = &f->ms;
	struct task t = { 0 };
	int64_t a_nn, a_ct;

	a_nn = add_agency(f, "snnmt", "Sở Nông nghiệp và Môi trường", AGENCY_DEPARTMENT);
	a_ct = add_agency(f, "sct", "Sở Công Thương", AGENCY_DEPARTMENT);
	add_task(f, "T#4", "Kiểm kê đất đai", "Quý IV/2025", DEADLINE_QUARTER,
		 DAY(2025, 12, 31), a_nn);
	add_task(f, "T#5", "Phát triển thương mại điện tử", "Quý IV/2025", DEADLINE_QUARTER,
		 DAY(2025, 12, 31), a_ct);
	queue(f, 0, f->secretariat, STAGE_MISSING_FOCAL, (int)a_nn, DAY(2025, 9, 22),
	      DAY(2025, 9, 25), NULL);
	queue(f, 0, f->secretariat, STAGE_MISSING_HEAD, (int)f->a_syt, DAY(2025, 9, 22),
	      DAY(2025, 9, 25), NULL);
	assert_int_equal(store_task_get(f->s, f->t1, &t), 0);
	o.task_id = f->t1;
	assert_int_equal(taskop_obstacle(f->s, &t, "Chưa được bố trí kinh phí", &an,
					 at("2025-09-25T08:00+07:00"), &o.id), 0);
	assert_int_equal(taskop_save(f->s, &t, at("2025-09-25T08:00+07:00")), 0);
	task_release(&t);
	assert_int_equal(obstacle_notify(f->s, f->cs, &o, DAY(2025, 9, 25),
					 at("2025-09-25T08:00+07:00")), 1);

	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(count_msgs_of(ms, f->secretariat), 1);
	m = msg_of(ms, f->secretariat, MESSAGE_DAILY);
	assert_non_null(strstr(m->body, "Sở Nông nghiệp và Môi trường"));
	assert_non_null(strstr(m->body, "dondoc person add --agency snnmt --role focal"));
	assert_non_null(strstr(m->body, "Sở Y tế"));
	assert_non_null(strstr(m->body, "dondoc person add --agency syt --role head"));
	assert_non_null(strstr(m->body, "Chưa được bố trí kinh phí"));
	assert_non_null(strstr(m->body, "Nguyễn Văn An"));
	assert_non_null(strstr(m->body, "/xuly 1 "));
	assert_true(lists_task(m->body, f->t1));
	/* Its own words, never a reminder addressed to someone else. */
	assert_null(strstr(m->body, "khẩn trương"));
	assert_int_equal(notices_in_message(f, m->id), 3);
	msgs_release(ms);

	/* Later the same day: it waits for tomorrow's message. */
	queue(f, 0, f->secretariat, STAGE_MISSING_FOCAL, (int)a_ct, DAY(2025, 9, 22),
	      DAY(2025, 9, 25), NULL);
	/* And Sở Nội vụ has a focal point that is reached: nothing to say about it. */
	queue(f, 0, f->secretariat, STAGE_MISSING_FOCAL, (int)f->a_snv, DAY(2025, 9, 22),
	      DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T10:00+07:00", &rep);
	assert_int_equal(rep.composed, 0);
	assert_int_equal(rep.held, 2);
	compose_at(f, "2025-09-26T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, -1, ms);
	assert_int_equal(count_msgs_of(ms, f->secretariat), 2);
	m = &ms->v[ms->n - 1];
	assert_int_equal(m->kind, MESSAGE_DAILY);
	assert_non_null(strstr(m->body, "--agency sct --role focal"));
	assert_null(strstr(m->body, "--agency snv "));
	assert_null(strstr(m->body, "kinh phí"));	/* told yesterday */
	assert_int_equal(notices_in_message(f, m->id), 1);
}

/* Planner, dispatcher and file channel together. */
static void
test_planner_to_outbox(void **state)
{
	struct fx *f = *state;
	struct planner_report prep = { 0 };
	struct dispatch_report rep;
	const struct message *m;
	time_t now = at("2025-09-25T09:00+07:00");
	struct msgs *ms = &f->ms;

	assert_int_equal(planner_run(f->s, sch, f->cs, now, true, false, NULL, NULL, &prep), 0);
	assert_int_equal(prep.notices, 2);	/* t1 before 3, t2 before 5, both to the focal point */
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 1);
	msgs_load(f, MESSAGE_SENT, ms);
	assert_int_equal(ms->n, 1);
	m = msg_of(ms, f->focal_snv, -1);
	assert_true(lists_task(m->body, f->t1));
	assert_true(lists_task(m->body, f->t2));
	assert_false(lists_task(m->body, f->t3));
	msgs_release(ms);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 1);
	/* A second pass the same day plans nothing and sends nothing. */
	assert_int_equal(planner_run(f->s, sch, f->cs, now + 60, false, false, NULL, NULL, &prep), 0);
	assert_int_equal(prep.notices, 0);
	compose_at(f, "2025-09-25T09:01+07:00", &rep);
	assert_int_equal(rep.composed, 0);
	assert_int_equal(testlib_count_files(f->outbox, ".txt", 0), 1);
}

/* --- channels known by what they say of themselves (channel_ops) ------ */

/* A channel of the test's: what it answers, and what it was given. */
struct fake {
	void (*on_send)(void);		/* called before each send, when set */
	enum delivery answer;
	const char *chat_message_id;	/* returned when it sends; NULL: none */
	int sends;
	char last_to[64];		/* the address of the last message given */
	const char *address;
};

static struct fake fake_chat, fake_mail;

static int
fake_chat_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	(void)cfg, (void)reterr_msg;
	*ret = &fake_chat;
	return 0;
}

static int
fake_mail_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	(void)cfg, (void)reterr_msg;
	*ret = &fake_mail;
	return 0;
}

static void
fake_close(void *state)
{
	(void)state;
}

static enum delivery
fake_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct fake *fk = state;
	const char *to = person_address(m->to, fk->address);

	if (fk->on_send)
		fk->on_send();
	fk->sends++;
	snprintf(fk->last_to, sizeof(fk->last_to), "%s", to ? to : "");
	*ret_retry_after = 0;
	if (fk->answer != DELIVERY_SENT)
		*reterr_msg = xstrdup(fk->answer == DELIVERY_GONE ? "the user is gone" : "refused");
	else if (m->ret_chat_message_id && fk->chat_message_id)
		*m->ret_chat_message_id = xstrdup(fk->chat_message_id);
	return fk->answer;
}

/* A chat channel (name and address set by the test) reaching people by their address. */
static struct channel_ops fake_chat_ops = {
	.form = CHANNEL_FORM_CHAT_PLAIN,
	.order = 20,
	.text_max = 2000,
	.unit = SPLIT_CODEPOINTS,
	.open = fake_chat_open,
	.close = fake_close,
	.send = fake_send,
};

static const struct channel_ops fake_mail_ops = {
	.name = "email",
	.form = CHANNEL_FORM_MAIL,
	.html = true,
	.order = 30,
	.address = "email",
	.open = fake_mail_open,
	.close = fake_close,
	.send = fake_send,
};

/*
 * Opens the fake chat channel called name (its address of the same name),
 * the fake email and the file channel, given out of order; returns a new
 * person with an address on each.
 */
static int64_t
use_fakes(struct fx *f, const char *name)
{
	const struct channel_ops *ops[] = { &channel_file_ops, &fake_mail_ops, &fake_chat_ops };
	struct person p = { .name = "Đỗ Thị Giang", .agency_id = f->a_snv, .role = ROLE_FOCAL,
			    .active = true };
	char *msg = NULL, *desc;
	int64_t id = 0;

	fake_chat = (struct fake){ .answer = DELIVERY_SENT, .address = name };
	fake_mail = (struct fake){ .answer = DELIVERY_SENT, .address = "email" };
	fake_chat_ops.name = name;
	fake_chat_ops.address = name;
	person_address_set(&p, "email", "giang@snv.gov.vn");
	person_address_set(&p, name, strcmp(name, "telegram") == 0 ? "5550001"
								  : "8123456789012345678");
	f->cs = channels_free(f->cs);
	assert_int_equal(channels_open_from(&f->cfg, ops, 3, &f->cs, &msg), 0);
	/* In their order of preference, whatever the order given. */
	desc = channels_describe(f->cs);
	assert_non_null(strstr(desc, ", email, file"));
	assert_int_equal(strncmp(desc, name, strlen(name)), 0);
	free(desc);
	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	person_addresses_copy(&p, &(struct person){ 0 });	/* frees them: the rest is static */
	return id;
}

/* One message to person through the first channel that reaches them; its id. */
static int64_t
queue_one(struct fx *f, int64_t person, const char *channel)
{
	struct dispatch_report rep;
	int64_t id;

	queue(f, f->t1, person, STAGE_BEFORE, 3, DAY(2025, 9, 30), DAY(2025, 9, 25), NULL);
	compose_at(f, "2025-09-25T09:00+07:00", &rep);
	assert_int_equal(rep.composed, 1);
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	assert_string_equal(msg_of(&f->ms, person, -1)->channel, channel);
	id = msg_of(&f->ms, person, -1)->id;
	msgs_release(&f->ms);
	return id;
}

static void
check_reachable(struct fx *f, int64_t id, const char *address, bool yes)
{
	struct person p = { 0 };

	assert_int_equal(store_person_get(f->s, id, &p), 0);
	if (yes)
		assert_true(person_reachable(&p, address));
	else
		assert_false(person_reachable(&p, address));
	person_release(&p);
}

/* Another process holding the registry's write lock (hold_lock), until let_go. */
static bool holding;
static const char *holder_path;

static void
hold_lock(void)
{
	if (holding)
		return;
	testlib_lock(holder_path);
	holding = true;
}

static void
let_go(void)
{
	testlib_unlock();
	holding = false;
}

/*
 * A message claimed and then not tried (the send cut short), at a moment
 * the registry refuses every write (another process holds it; a full disk
 * does the same): it cannot be put back at once.  It is kept with the
 * outcomes owed and put back, its attempt not counted, before anything
 * else once the registry takes writes again, and goes then; it does not
 * wait out its 15-minute claim.
 */
static void
test_untried_put_back_later(void **state)
{
	struct fx *f = *state;
	struct dispatch_owed owed = { 0 };
	struct dispatch_report rep = { 0 };
	struct clock clk = { .fixed = at("2025-09-25T09:00+07:00"), .pinned = 1 };
	struct dispatch_env env = { .sch = sch, .rend = rend, .owed = &owed };
	struct message m = { 0 };
	int64_t giang = use_fakes(f, "telegram"), id = queue_one(f, giang, "telegram");

	env.cs = f->cs;
	holder_path = f->db;
	store_set_busy_timeout(f->s, 20);
	fake_chat.answer = DELIVERY_STOPPED;
	fake_chat.on_send = hold_lock;
	assert_true(dispatch_deliver(f->s, &env, &clk, NULL, &rep) < 0);
	assert_int_equal(fake_chat.sends, 1);
	assert_int_equal(owed.n, 1);
	assert_int_equal(store_message_get(f->s, id, &m), 0);
	assert_int_equal(m.state, MESSAGE_SENDING);
	message_release(&m);

	/* The registry free again; the clock has not moved (no claim has ended). */
	let_go();
	fake_chat.on_send = NULL;
	fake_chat.answer = DELIVERY_SENT;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(dispatch_deliver(f->s, &env, &clk, NULL, &rep), 0);
	assert_int_equal(owed.n, 0);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(fake_chat.sends, 2);
	assert_int_equal(store_message_get(f->s, id, &m), 0);
	assert_int_equal(m.state, MESSAGE_SENT);
	assert_int_equal(m.attempts, 1);	/* the try cut short is not counted */
	message_release(&m);
	dispatch_owed_release(&owed);
}

/*
 * A chat channel says the person's address there is gone: that address,
 * and only it, is marked refused (their email stays usable), the message
 * goes again through the next channel, and the secretariat is told.
 */
static void
check_gone(struct fx *f, const char *name)
{
	struct dispatch_report rep;
	const struct message *m;
	int64_t giang = use_fakes(f, name);

	queue_one(f, giang, name);
	fake_chat.answer = DELIVERY_GONE;
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(fake_chat.sends, 1);
	assert_int_equal(fake_mail.sends, 0);	/* invariant 10: not before the first failed */
	assert_int_equal(rep.dead, 1);
	check_reachable(f, giang, name, false);
	check_reachable(f, giang, "email", true);
	msgs_load(f, MESSAGE_DEAD, &f->ms);
	assert_string_equal(msg_of(&f->ms, giang, -1)->channel, name);
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	assert_string_equal(msg_of(&f->ms, giang, -1)->channel, "email");
	m = msg_of(&f->ms, f->secretariat, MESSAGE_ALERT);
	assert_non_null(strstr(m->body, "Đỗ Thị Giang"));
	assert_non_null(strstr(m->body, "the user is gone"));
	msgs_release(&f->ms);
	deliver_at(f, "2025-09-25T09:01+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 2);	/* the reminder by email, the alert by file */
	assert_int_equal(fake_mail.sends, 1);
	assert_string_equal(fake_mail.last_to, "giang@snv.gov.vn");
	assert_int_equal(fake_chat.sends, 1);
	/* The next reminder skips the refused address. */
	queue(f, f->t2, giang, STAGE_BEFORE, 5, DAY(2025, 9, 30), DAY(2025, 9, 26), NULL);
	compose_at(f, "2025-09-26T09:00+07:00", &rep);
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	assert_string_equal(msg_of(&f->ms, giang, -1)->channel, "email");
	msgs_release(&f->ms);
}

/* The fake chat as Zalo with its window closed for everyone (channel_ops.reaches). */
static bool
fake_closed(void *state, const struct person *p)
{
	(void)state, (void)p;
	return false;
}

static int64_t
fake_week(void *state)
{
	(void)state;
	return 7 * 86400;
}

/*
 * A person whose Zalo does not reach them now (out of its window) gets
 * the reminder by email, and it says how to reopen Zalo (channels_closed,
 * render_ctx.reopen); once Zalo reaches them, the reminder goes there and
 * says nothing of it; a person with no Zalo never hears of it.
 */
static void
test_window_closed_reopen(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	int64_t giang = use_fakes(f, "zalo");
	const struct channel_ops *ops[] = { &channel_file_ops, &fake_mail_ops, &fake_chat_ops };
	struct person p = { 0 };
	int64_t window = 1;
	char *err = NULL;

	fake_chat_ops.label_vi = "Zalo";
	fake_chat_ops.reaches = fake_closed;
	fake_chat_ops.window = fake_week;
	assert_int_equal(store_person_get(f->s, giang, &p), 0);
	assert_string_equal(channels_closed(f->cs, &p, &window), "Zalo");
	assert_int_equal(window, 7 * 86400);
	queue_one(f, giang, "email");
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	m = msg_of(&f->ms, giang, -1);
	assert_non_null(strstr(m->body, "Zalo: đồng chí chưa nhắn tin cho"));
	assert_non_null(strstr(m->body, "trong 7 ngày qua nên chưa nhận được nhắc việc qua Zalo."));
	assert_non_null(strstr(m->html, "nhắn một tin bất kỳ"));
	msgs_release(&f->ms);
	/*
	 * Refused (Zalo's mark of a window error): writing reopens it, so it
	 * is still said; on a channel with no window, a refusal is for good.
	 */
	((struct address *)person_address_get(&p, "zalo"))->broken_at = 1;
	assert_string_equal(channels_closed(f->cs, &p, &window), "Zalo");
	fake_chat_ops.window = NULL;
	assert_null(channels_closed(f->cs, &p, &window));
	assert_int_equal(window, 0);
	/* Reached by a channel preferred to it: nothing goes another way. */
	fake_chat_ops.window = fake_week;
	fake_chat_ops.order = 35;	/* after email, which reaches her */
	f->cs = channels_free(f->cs);
	assert_int_equal(channels_open_from(&f->cfg, ops, 3, &f->cs, &err), 0);
	fake_chat_ops.order = 20;
	assert_null(channels_closed(f->cs, &p, &window));
	f->cs = channels_free(f->cs);
	assert_int_equal(channels_open_from(&f->cfg, ops, 3, &f->cs, &err), 0);
	person_release(&p);
	/* Zalo reaches them: the message goes there, and says nothing of it. */
	fake_chat_ops.reaches = NULL;
	queue(f, f->t2, giang, STAGE_BEFORE, 5, DAY(2025, 9, 30), DAY(2025, 9, 26), NULL);
	compose_at(f, "2025-09-26T09:00+07:00", &rep);
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	for (size_t i = 0; i < f->ms.n; i++)
		if (f->ms.v[i].day.d == 26) {
			window++;
			assert_string_equal(f->ms.v[i].channel, "zalo");
			assert_null(strstr(f->ms.v[i].body, "nhắn một tin bất kỳ"));
			assert_null(strstr(f->ms.v[i].chat, "Nhắn một tin bất kỳ"));
		}
	assert_int_equal(window, 1);
	msgs_release(&f->ms);
	fake_chat_ops.label_vi = NULL;
	fake_chat_ops.window = NULL;
}

static void
test_gone_zalo_leaves_email(void **state)
{
	check_gone(*state, "zalo");
}

static void
test_gone_telegram_leaves_email(void **state)
{
	check_gone(*state, "telegram");
}

/*
 * A send cut short as the daemon stops (DELIVERY_STOPPED): not known, so
 * the message is put back as it was, pending and due at once, the attempt
 * not counted; no retry logged, no fallback, no alert; the next pass sends
 * it, once.
 */
static void
test_stopped_put_back(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	const struct message *m;
	int64_t giang = use_fakes(f, "telegram");
	int64_t id = queue_one(f, giang, "telegram");

	fake_chat.answer = DELIVERY_STOPPED;
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(fake_chat.sends, 1);
	assert_int_equal(fake_mail.sends, 0);
	assert_int_equal(rep.sent + rep.retried + rep.dead, 0);
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	m = msg_of(&f->ms, giang, -1);
	assert_int_equal(m->id, id);
	assert_int_equal(m->attempts, 0);
	assert_true(m->next_at <= at("2025-09-25T09:00+07:00"));
	assert_int_equal(count_msgs_of(&f->ms, f->secretariat), 0);
	msgs_release(&f->ms);
	fake_chat.answer = DELIVERY_SENT;
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(fake_chat.sends, 2);
	msgs_load(f, MESSAGE_SENT, &f->ms);
	assert_int_equal(msg_of(&f->ms, giang, -1)->attempts, 1);
	msgs_release(&f->ms);
}

/*
 * A message refused for what it says (PERMANENT) goes through the next
 * channel too, the address left as it was; refused there as well, it
 * goes on to the last, and ends.
 */
static void
test_permanent_falls_back(void **state)
{
	struct fx *f = *state;
	struct dispatch_report rep;
	int64_t giang = use_fakes(f, "zalo");

	queue_one(f, giang, "zalo");
	fake_chat.answer = DELIVERY_PERMANENT;
	fake_mail.answer = DELIVERY_PERMANENT;
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.dead, 1);
	check_reachable(f, giang, "zalo", true);
	deliver_at(f, "2025-09-25T09:01+07:00", NULL, &rep);
	assert_int_equal(fake_mail.sends, 1);
	assert_int_equal(rep.dead, 1);
	check_reachable(f, giang, "email", true);
	/* Then the file channel, the last: it writes it. */
	deliver_at(f, "2025-09-25T09:02+07:00", NULL, &rep);
	assert_int_equal(fake_chat.sends, 1);
	assert_int_equal(fake_mail.sends, 1);
	msgs_load(f, MESSAGE_SENT, &f->ms);
	assert_string_equal(msg_of(&f->ms, giang, -1)->channel, "file");
	msgs_release(&f->ms);
	/* Nothing left going round: every channel was tried once. */
	msgs_load(f, MESSAGE_PENDING, &f->ms);
	for (size_t i = 0; i < f->ms.n; i++)
		assert_int_not_equal(f->ms.v[i].person_id, giang);
	msgs_release(&f->ms);
}

/*
 * The chat message a chat channel says a message became is remembered by
 * its text, a hex id (Zalo) as a number (Telegram), so that a reply
 * finds it; a mail channel's are not chat messages.
 */
static void
check_chat_sent(struct fx *f, const char *name, const char *chat_message_id)
{
	struct dispatch_report rep;
	struct person p = { 0 };
	int64_t giang = use_fakes(f, name), id, found = 0;

	id = queue_one(f, giang, name);
	fake_chat.chat_message_id = chat_message_id;
	deliver_at(f, "2025-09-25T09:00+07:00", NULL, &rep);
	assert_int_equal(rep.sent, 1);
	assert_int_equal(store_person_get(f->s, giang, &p), 0);
	assert_int_equal(store_chat_sent_get(f->s, name, person_address(&p, name),
					     chat_message_id, &found), 0);
	assert_int_equal(found, id);
	assert_int_equal(store_chat_sent_get(f->s, name, person_address(&p, name), "1",
					     &found), -ENOENT);
	person_release(&p);
}

static void
test_chat_sent_hex_id(void **state)
{
	check_chat_sent(*state, "zalo", "b1c0ffee2a9d4e7f0011");
}

static void
test_chat_sent_number_id(void **state)
{
	check_chat_sent(*state, "telegram", "4242");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_current_tz),
		cmocka_unit_test(test_window_any_tz),
		cmocka_unit_test_setup_teardown(test_compose_waits_for_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_message_per_person, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_superseded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catchup_one_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_done_task_not_composed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inactive_person_not_composed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_to_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_stop_leaves_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_lease_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_list_in_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_outside_window_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_message_alerts_secretariat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planner_to_outbox, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daily_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_tells_only_what_was_sent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gone_zalo_leaves_email, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_closed_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_telegram_leaves_email, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permanent_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_put_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untried_put_back_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_sent_hex_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_sent_number_id, setup, teardown),
	};

	return cmocka_run_group_tests_name("dispatch", tests, group_setup, group_teardown);
}
