/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of command.c, the chat commands of DESIGN §7, on a real
 * SQLite registry in a temporary directory: how a text is matched, what a
 * wrong one is told, who may do what, what a command changes (and that a
 * refused one changes nothing), linking a chat, the extension flow, the
 * lists and the buttons under a reminder.
 *
 * Every test gets a fresh registry (setup), today 2025-10-07:
 *
 *   agencies  A "Sở Y tế", B "Sở Tài chính", S "Văn phòng UBND tỉnh"
 *   tasks     t_a      led by A, B cooperates, due 30/10/2025, not started
 *             t_b      led by B, A cooperates, due 15/11/2025, in progress 20%
 *             t_late   led by A, due 30/9/2025 (late), in progress 30%
 *             t_done   led by A, due 30/9/2025, done
 *             t_undated led by A, "Theo tiến độ TW", not started
 *             t_b_late led by B, due 1/10/2025 (late), not started
 *   people    focal_a (chat 1001), focal_b (1002), sec1 (1003), sec2 (1004),
 *             sec_off (secretariat, inactive, 1006), leader (S, 1005),
 *             nolink (focal of A, no chat), viewer (viewer of A, 1007)
 *
 */
#include "testlib.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "calendar.h"
#include "command.h"
#include "deadline.h"
#include "hash.h"
#include "notice.h"
#include "registry.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "taskops.h"
#include "xalloc.h"

#define NOW ((int64_t)1759802400)	/* 2025-10-07 09:00 in Hà Nội (02:00 UTC) */
#define TODAY ((struct date){ 2025, 10, 7 })
#define BOT "DonDocBot"

#define CHAT_A "1001"
#define CHAT_B "1002"
#define CHAT_SEC "1003"
#define CHAT_SEC2 "1004"
#define CHAT_LEADER "1005"
#define CHAT_VIEWER "1007"
#define CHAT_STRANGER "9999"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct schedule *sch;
	int64_t ag_a, ag_b, ag_s, doc;
	int64_t t_a, t_b, t_late, t_done, t_undated, t_b_late;
	int64_t focal_a, focal_b, sec1, sec2, sec_off, leader, nolink, viewer;
	struct command_out out;
	int rc;			/* what the last command_run returned */
};

/* --- the fixture ---------------------------------------------------------- */

static int64_t
add_task(struct fx *f, const char *title, const char *raw, enum task_status status, int progress,
	 int64_t lead, int64_t coop)
{
	struct task t = { 0 };
	struct deadline dl = { 0 };
	char code[64], key[64];
	int64_t id = 0;

	assert_int_equal(deadline_parse(raw, 2025, &dl, NULL), 0);
	snprintf(code, sizeof(code), "7-KH/BCĐ#%s", title);
	snprintf(key, sizeof(key), "%s", title);
	t.code = code;
	t.kind = TASK_KIND_TASK;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.deadline = dl;
	t.status = status;
	t.progress = progress;
	t.done_at = status == TASK_DONE ? NOW - 86400 * 10 : 0;
	assert_int_equal(store_task_insert(f->s, &t, f->doc, key, NOW - 86400 * 100, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, true, &lead, 1), 0);
	if (coop)
		assert_int_equal(store_task_set_agencies(f->s, id, false, true, &coop, 1), 0);
	return id;
}

static int64_t
add_person(struct fx *f, const char *name, int64_t agency, enum person_role role,
	   const char *telegram, bool active)
{
	struct person p = { 0 };
	int64_t id = 0;

	p.name = (char *)name;
	p.agency_id = agency;
	p.role = role;
	(void)person_address_set(&p, "telegram", telegram);
	p.active = active;
	assert_int_equal(store_person_insert(f->s, &p, NOW - 86400 * 100, &id), 0);
	person_address_set(&p, "telegram", NULL);
	free(p.addresses);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-command.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->path, sizeof(f->path), f->dir, "r.db");
	if (store_open(f->path, STORE_CREATE, &f->s, &msg) < 0) {
		free(msg);
		return -1;
	}
	f->sch = schedule_new_default();
	if (!f->sch)
		return -1;
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1,
					     &f->ag_a), 0);
	assert_int_equal(store_agency_insert(f->s, "stc", "Sở Tài chính", AGENCY_DEPARTMENT, 1,
					     &f->ag_b), 0);
	assert_int_equal(store_agency_insert(f->s, "vpubnd", "Văn phòng UBND tỉnh",
					     AGENCY_DEPARTMENT, 1, &f->ag_s), 0);
	assert_int_equal(store_document_ensure(f->s, "7-KH/BCĐ", "Kế hoạch", "2025-01-02",
					       "Kế hoạch 7-KH/BCĐ", &f->doc), 0);
	f->t_a = add_task(f, "Xây dựng Cổng dữ liệu mở", "30/10/2025", TASK_NOT_STARTED, 0,
			  f->ag_a, f->ag_b);
	f->t_b = add_task(f, "Bố trí kinh phí", "15/11/2025", TASK_IN_PROGRESS, 20, f->ag_b,
			  f->ag_a);
	f->t_late = add_task(f, "Báo cáo sơ kết", "30/9/2025", TASK_IN_PROGRESS, 30, f->ag_a, 0);
	f->t_done = add_task(f, "Việc đã xong", "30/9/2025", TASK_DONE, 100, f->ag_a, 0);
	f->t_undated = add_task(f, "Việc theo Trung ương", "Theo tiến độ TW", TASK_NOT_STARTED, 0,
				f->ag_a, 0);
	f->t_b_late = add_task(f, "Việc tài chính trễ", "1/10/2025", TASK_NOT_STARTED, 0, f->ag_b,
			       0);
	f->focal_a = add_person(f, "Nguyễn Văn An", f->ag_a, ROLE_FOCAL, CHAT_A, true);
	f->focal_b = add_person(f, "Trần Thị Bình", f->ag_b, ROLE_FOCAL, CHAT_B, true);
	f->sec1 = add_person(f, "Phạm Thị Dung", f->ag_s, ROLE_SECRETARIAT, CHAT_SEC, true);
	f->sec2 = add_person(f, "Lê Văn Em", f->ag_s, ROLE_SECRETARIAT, CHAT_SEC2, true);
	f->sec_off = add_person(f, "Đỗ Văn Giang", f->ag_s, ROLE_SECRETARIAT, "1006", false);
	f->leader = add_person(f, "Hoàng Văn Cường", f->ag_s, ROLE_LEADER, CHAT_LEADER, true);
	f->nolink = add_person(f, "Vũ Thị Hà", f->ag_a, ROLE_FOCAL, NULL, true);
	f->viewer = add_person(f, "Ngô Thị Lan", f->ag_a, ROLE_VIEWER, CHAT_VIEWER, true);
	assert_int_equal(store_commit(f->s), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	command_out_release(&f->out);
	schedule_free(f->sch);
	store_close(f->s);
	if (testlib_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

/* --- running a command ---------------------------------------------------- */

static struct command_in
base_in(struct fx *f, const char *chat_id)
{
	return (struct command_in){ .channel = "telegram", .chat_id = chat_id, .now = NOW,
				    .today = TODAY, .cal = f->sch->cal };
}

/* Runs in inside a transaction; its answer goes to f->out (the last one released). */
static int
run_in(struct fx *f, const struct command_in *in)
{
	command_out_release(&f->out);
	assert_int_equal(store_begin(f->s), 0);
	f->rc = command_run(f->s, in, &f->out);
	if (f->rc < 0)
		store_rollback(f->s);
	else
		assert_int_equal(store_commit(f->s), 0);
	return f->rc;
}

static void __attribute__((format(printf, 3, 4)))
chatf(struct fx *f, const char *chat_id, const char *fmt, ...)
{
	struct command_in in = base_in(f, chat_id);
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	in.text = text;
	in.bot_username = BOT;
	assert_int_equal(run_in(f, &in), 0);
}

/* A text sent as a reply to outbox message reply_to. */
static void
reply(struct fx *f, const char *chat_id, int64_t reply_to, const char *text)
{
	struct command_in in = base_in(f, chat_id);

	in.text = text;
	in.reply_to = reply_to;
	assert_int_equal(run_in(f, &in), 0);
}

/* A button pressed under outbox message on. */
static void
press(struct fx *f, const char *chat_id, const char *data, int64_t on)
{
	struct command_in in = base_in(f, chat_id);

	in.button = data;
	in.button_on = on;
	assert_int_equal(run_in(f, &in), 0);
}

static void
button_for(int64_t task, const char *action, char out[32])
{
	command_button_data(task, action, out);
}

/* --- looking at the answer ------------------------------------------------ */

static void
assert_reply(const struct fx *f, const char *name)
{
	if (!f->out.reply.name || strcmp(f->out.reply.name, name) != 0) {
		char *d = f->out.reply.data ? json_dumps(f->out.reply.data, JSON_COMPACT) : NULL;
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", d ? d : "no data");
		free(d);
		fail_msg("reply '%s' (%s), wanted '%s'",
			 f->out.reply.name ? f->out.reply.name : "(none)", msg, name);
	}
	assert_non_null(f->out.reply.data);
}

/* The value at path ("request.requester.name") in data; NULL when none. */
static const json_t *
data_at(const json_t *data, const char *path)
{
	const json_t *v = data;
	char key[64];

	while (v && *path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		v = json_object_get(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

static const char *
data_str(const json_t *data, const char *path)
{
	const json_t *v = data_at(data, path);

	if (!v || !json_is_string(v))
		fail_msg("no string at '%s'", path);
	return json_string_value(v);
}

static json_int_t
data_int(const json_t *data, const char *path)
{
	const json_t *v = data_at(data, path);

	if (!v || !json_is_integer(v))
		fail_msg("no integer at '%s'", path);
	return json_integer_value(v);
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The ids of data.tasks, as "3,1,5". */
static void
list_ids(const json_t *data, char *out, size_t size)
{
	const json_t *tasks = json_object_get(data, "tasks");
	size_t i;
	json_t *t;

	*out = '\0';
	assert_true(json_is_array(tasks));
	json_array_foreach(tasks, i, t) {
		size_t l = strlen(out);

		snprintf(out + l, size - l, "%s%lld", i ? "," : "",
			 (long long)json_integer_value(json_object_get(t, "id")));
	}
}

/* --- looking at the registry ---------------------------------------------- */

static int
snap_task(const struct task *t, void *userdata)
{
	fprintf(userdata, "task %lld %d %d %s|%s|%d|%lld\n", (long long)t->id, t->status,
		t->progress, t->deadline_raw, t->note ? t->note : "", t->obstacle_open,
		(long long)t->done_at);
	return 0;
}

static int
snap_event(const struct event *e, void *userdata)
{
	fprintf(userdata, "event %lld %s\n", (long long)e->id, e->kind);
	return 0;
}

static int
snap_person(const struct person *p, void *userdata)
{
	fprintf(userdata, "person %lld %s\n", (long long)p->id, person_address(p, "telegram") ? person_address(p, "telegram") : "-");
	return 0;
}

static int
snap_notice(const struct notice *n, void *userdata)
{
	fprintf(userdata, "notice %lld %d\n", (long long)n->id, n->state);
	return 0;
}

/* What the registry holds, as text: equal snapshots prove nothing changed. */
static char *
snapshot(struct fx *f)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	int64_t tasks[] = { f->t_a, f->t_b, f->t_late, f->t_done, f->t_undated, f->t_b_late };

	assert_non_null(fp);
	assert_int_equal(store_task_foreach(f->s, NULL, snap_task, fp), 0);
	assert_int_equal(store_event_foreach(f->s, 0, snap_event, fp), 0);
	assert_int_equal(store_person_foreach(f->s, snap_person, fp), 0);
	for (size_t i = 0; i < sizeof(tasks) / sizeof(tasks[0]); i++)
		assert_int_equal(store_notice_foreach_task(f->s, tasks[i], snap_notice, fp), 0);
	for (int64_t id = 1; id <= 5; id++) {
		struct extension e = { 0 };

		if (store_extension_get(f->s, id, &e) == 0)
			fprintf(fp, "extension %lld %d %s\n", (long long)id, e.state,
				e.decision ? e.decision : "");
		extension_release(&e);
	}
	fclose(fp);
	return p;
}

/* Runs what the caller did between two snapshots: nothing may have changed. */
#define assert_unchanged(f, before) do {					\
		char *after_ = snapshot(f);					\
		assert_string_equal(after_, (before));				\
		free(after_);							\
	} while (0)

static struct task
get_task(struct fx *f, int64_t id)
{
	struct task t = { 0 };

	assert_int_equal(store_task_get(f->s, id, &t), 0);
	return t;
}

struct ev {
	char kind[32];
	char actor[64];
	char channel[16];
	char new_value[64];
	char text[128];
	int64_t person_id;
};

struct evs {
	struct ev v[32];
	size_t n;
};

static int
collect_event(const struct event *e, void *userdata)
{
	struct evs *l = userdata;
	struct ev *x;

	if (l->n == sizeof(l->v) / sizeof(l->v[0]))
		return 0;
	x = &l->v[l->n++];
	snprintf(x->kind, sizeof(x->kind), "%s", e->kind ? e->kind : "");
	snprintf(x->actor, sizeof(x->actor), "%s", e->actor ? e->actor : "");
	snprintf(x->channel, sizeof(x->channel), "%s", e->channel ? e->channel : "");
	snprintf(x->new_value, sizeof(x->new_value), "%s", e->new_value ? e->new_value : "");
	snprintf(x->text, sizeof(x->text), "%s", e->text ? e->text : "");
	x->person_id = e->person_id;
	return 0;
}

static struct evs
events_of(struct fx *f, int64_t task_id)
{
	struct evs l = { 0 };

	assert_int_equal(store_event_foreach(f->s, task_id, collect_event, &l), 0);
	return l;
}

static int
collect_notice(const struct notice *n, void *userdata)
{
	struct notice *v = userdata;

	for (int i = 0; i < 8; i++)
		if (v[i].id == 0) {
			v[i] = *n;
			break;
		}
	return 0;
}

/* A queued notice about task for person; its id. */
static int64_t
add_notice(struct fx *f, int64_t task, int64_t person, int step)
{
	struct notice n = { 0 }, v[8];
	bool inserted = false;

	n.task_id = task;
	n.person_id = person;
	n.stage = STAGE_BEFORE;
	n.step = step;
	n.anchor = (struct date){ 2025, 10, 30 };
	n.day = TODAY;
	snprintf(n.channel, sizeof(n.channel), "telegram");
	assert_int_equal(store_notice_insert(f->s, &n, NOW - 3600, &inserted), 0);
	assert_true(inserted);
	memset(v, 0, sizeof(v));
	assert_int_equal(store_notice_foreach_task(f->s, task, collect_notice, v), 0);
	for (int i = 7; i >= 0; i--)
		if (v[i].id && v[i].step == step && v[i].person_id == person)
			return v[i].id;
	fail_msg("notice not found");
	return 0;
}

/* A reminder in the outbox to person about tasks[0..n): its id. */
static int64_t
add_reminder(struct fx *f, int64_t person, const int64_t *tasks, size_t n)
{
	struct message m = { 0 };
	int64_t id = 0;
	static int step = 100;

	m.person_id = person;
	snprintf(m.channel, sizeof(m.channel), "telegram");
	m.kind = MESSAGE_REMINDER;
	m.subject = "[Đôn đốc] nhắc việc";
	m.body = "nhắc việc";
	m.next_at = NOW - 3600;
	m.created_at = NOW - 3600;
	m.day = TODAY;
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(store_notice_attach(f->s, add_notice(f, tasks[i], person, step++),
						     id, NOW - 3600), 0);
	assert_int_equal(store_commit(f->s), 0);
	return id;
}

static void
make_code(struct fx *f, int64_t person, const char *code, int64_t expires)
{
	char hex[HASH_SHA256_HEX_LEN];
	struct hash *h = hash_new();

	/* As "dondoc person invite" makes it: the hash of the upper-case code. */
	hash_add(h, code, strlen(code));
	hash_final_hex(h, hex);
	hash_free(h);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_link_code_add(f->s, hex, person, NOW - 3600, expires), 0);
	assert_int_equal(store_commit(f->s), 0);
}

static void
assert_refused_unchanged(struct fx *f, const char *before, const char *name)
{
	assert_reply(f, name);
	assert_true(f->out.refused);
	assert_false(f->out.changed);
	assert_unchanged(f, before);
}

/* Extension request id is still waiting for a decision. */
static void
assert_still_asked(struct fx *f, int64_t id)
{
	struct extension e = { 0 };

	assert_int_equal(store_extension_get(f->s, id, &e), 0);
	assert_int_equal(e.state, EXTENSION_PENDING);
	extension_release(&e);
}

/* Extension request id is in state. */
static void
assert_extension_state(struct fx *f, int64_t id, enum extension_state state)
{
	struct extension e = { 0 };

	assert_int_equal(store_extension_get(f->s, id, &e), 0);
	assert_int_equal(e.state, state);
	extension_release(&e);
}

/* --- matching --------------------------------------------------------------- */

static void
set_not_started(struct fx *f, int64_t id)
{
	struct task t = get_task(f, id);

	t.status = TASK_NOT_STARTED;
	t.progress = 0;
	t.done_at = 0;
	assert_int_equal(store_task_update(f->s, &t, NOW), 0);
	task_release(&t);
}

static void
test_done_written_every_way(void **state)
{
	struct fx *f = *state;
	static const char *const forms[] = {
		"/xong %lld", "/XONG %lld", "xong %lld", "/xong@" BOT " %lld",
		"/xong@dondocbot %lld",
		"/xong [%lld]", "/xong #%lld", "Xong %lld", "/hoàn thành %lld", "/done %lld",
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct task t;

		chatf(f, CHAT_A, forms[i], (long long)f->t_a);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "done_ok") != 0)
			fail_msg("'%s' answered '%s'", forms[i],
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_string_equal(f->out.command, "xong");
		assert_true(f->out.changed);
		assert_false(f->out.refused);
		assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_a);
		t = get_task(f, f->t_a);
		assert_int_equal(t.status, TASK_DONE);
		task_release(&t);
		set_not_started(f, f->t_a);
	}
}

static void
test_command_for_another_bot_is_ignored(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/xong@otherbot %lld", (long long)f->t_a);
	assert_string_equal(f->out.command, "other bot");
	assert_null(f->out.reply.name);
	assert_int_equal(f->out.n_others, 0);
	assert_false(f->out.changed);
	assert_unchanged(f, before);
	free(before);
}

static void
test_progress_written_every_way(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *text;
		int pct;
	} forms[] = {
		{ "/tiến độ %lld 60%%", 60 },
		{ "/tien_do %lld 61%%", 61 },
		{ "/Tiến_Độ %lld 62 %%", 62 },
		{ "/tiendo %lld 63%% đã khảo sát", 63 },
		{ "tiến độ %lld 64%%", 64 },
		{ "/TIENDO #%lld 65", 65 },
		{ "/progress [%lld] 66%%", 66 },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct task t;

		chatf(f, CHAT_A, forms[i].text, (long long)f->t_a);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "progress_ok") != 0)
			fail_msg("'%s' answered '%s'", forms[i].text,
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_string_equal(f->out.command, "tiendo");
		t = get_task(f, f->t_a);
		assert_int_equal(t.progress, forms[i].pct);
		assert_int_equal(t.status, TASK_IN_PROGRESS);
		task_release(&t);
	}
}

static void
test_progress_note_is_kept(void **state)
{
	struct fx *f = *state;
	struct task t;

	chatf(f, CHAT_A, "/tiendo %lld 60 %% đã xong phần khảo sát", (long long)f->t_a);
	assert_reply(f, "progress_ok");
	t = get_task(f, f->t_a);
	assert_int_equal(t.progress, 60);
	assert_string_equal(t.note, "đã xong phần khảo sát");
	task_release(&t);
}

static void
test_mistyped_command_gets_a_suggestion(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/tiendoo %lld 60%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_unknown_command");
	assert_string_equal(f->out.command, "unknown");
	assert_string_equal(data_str(f->out.reply.data, "suggestion"), "/tiendo");
	/* The number glued to the command. */
	chatf(f, CHAT_A, "/xong%lld", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_unknown_command");
	assert_string_equal(data_str(f->out.reply.data, "suggestion"), "/xong");
	free(before);
}

static void
test_plain_text_is_no_command(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "hello");
	assert_refused_unchanged(f, before, "error_unknown_command");
	assert_string_equal(data_str(f->out.reply.data, "command"), "hello");
	assert_null(json_object_get(f->out.reply.data, "suggestion"));
	/* A command word without its number, not a reply, is not taken as the command. */
	chatf(f, CHAT_A, "xong rồi");
	assert_refused_unchanged(f, before, "error_unknown_command");
	free(before);
}

/* --- usage errors ----------------------------------------------------------- */

static void
test_usage_errors_give_an_example(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *text;
		const char *command;
	} cases[] = {
		{ "/xong", "/xong" },
		{ "/xong abc", "/xong" },
		{ "/xong abc ghi chú", "/xong" },
		{ "/tiendo %lld", "/tiendo" },
		{ "/tiendo", "/tiendo" },
		{ "/giahan %lld", "/giahan" },
		{ "/vuongmac %lld", "/vuongmac" },
		{ "/duyet", "/duyet" },
		{ "/duyet abc", "/duyet" },
		{ "/tuchoi 1", "/tuchoi" },
	};
	char *before = snapshot(f);
	char prefix[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sender = starts_with(cases[i].command, "/duyet") ||
				     starts_with(cases[i].command, "/tuchoi") ? CHAT_SEC : CHAT_A;

		chatf(f, sender, cases[i].text, (long long)f->t_a);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "error_usage") != 0)
			fail_msg("'%s' answered '%s'", cases[i].text,
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_refused_unchanged(f, before, "error_usage");
		assert_string_equal(data_str(f->out.reply.data, "command"), cases[i].command);
		snprintf(prefix, sizeof(prefix), "%s ", cases[i].command);
		if (!starts_with(data_str(f->out.reply.data, "example"), prefix))
			fail_msg("'%s': example '%s'", cases[i].text,
				 data_str(f->out.reply.data, "example"));
	}
	free(before);
}

static void
test_bad_percent(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/tiendo %lld 160%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_bad_percent");
	assert_string_equal(data_str(f->out.reply.data, "text"), "160%");
	chatf(f, CHAT_A, "/tiendo %lld abc", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_bad_percent");
	assert_string_equal(data_str(f->out.reply.data, "text"), "abc");
	chatf(f, CHAT_A, "/tiendo %lld -5%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_bad_percent");
	chatf(f, CHAT_A, "/tiendo %lld 60.5%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_bad_percent");
	free(before);
}

static void
test_bad_dates(void **state)
{
	struct fx *f = *state;
	static const char *const dates[] = { "31/13/2025", "30/02/2026", "Quý V/2026", "mai",
					     "Thường xuyên", "Theo tiến độ TW" };
	static const char *const past[] = { "1/1/2020", "7/10/2025", "Quý III/2025",
					    "Tháng 9/2025" };
	char *before = snapshot(f);

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		chatf(f, CHAT_A, "/giahan %lld %s lý do", (long long)f->t_a, dates[i]);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "error_bad_date") != 0)
			fail_msg("'%s' answered '%s'", dates[i],
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_refused_unchanged(f, before, "error_bad_date");
		assert_true(starts_with(data_str(f->out.reply.data, "example"), "/giahan "));
		assert_int_equal(f->out.n_others, 0);
	}
	/* A day already past is its own reason, with the day it means. */
	for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		chatf(f, CHAT_A, "/giahan %lld %s lý do", (long long)f->t_a, past[i]);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "error_date_past") != 0)
			fail_msg("'%s' answered '%s'", past[i],
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_refused_unchanged(f, before, "error_date_past");
		assert_string_equal(data_str(f->out.reply.data, "text"), past[i]);
		assert_int_equal(f->out.n_others, 0);
	}
	chatf(f, CHAT_A, "/giahan %lld Quý III/2025 lý do", (long long)f->t_a);
	assert_string_equal(data_str(f->out.reply.data, "due"), "30/09/2025");
	chatf(f, CHAT_A, "/giahan %lld 31/13/2025 lý do", (long long)f->t_a);
	assert_string_equal(data_str(f->out.reply.data, "text"), "31/13/2025");
	/* A long word is shown cut on a character, never as broken UTF-8. */
	chatf(f, CHAT_A, "/giahan %lld ĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐ lý do",
	      (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_bad_date");
	assert_true(starts_with(data_str(f->out.reply.data, "text"), "ĐĐĐĐĐĐĐĐĐĐ"));
	/* A deadline and no reason: the reason is named as missing. */
	chatf(f, CHAT_A, "/giahan %lld 31/12/2025", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_no_reason");
	assert_string_equal(data_str(f->out.reply.data, "text"), "31/12/2025");
	chatf(f, CHAT_A, "/giahan %lld Quý I/2026", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_no_reason");
	assert_string_equal(data_str(f->out.reply.data, "text"), "Quý I/2026");
	free(before);
}

/* More time for a task means a later day than its deadline; a done task needs none. */
static void
test_extension_not_later(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	/* t_a is due 30/10/2025: today (7/10) < 20/10 < 30/10. */
	chatf(f, CHAT_A, "/giahan %lld 20/10/2025 chờ số liệu", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_not_later");
	assert_string_equal(data_str(f->out.reply.data, "text"), "20/10/2025");
	assert_string_equal(data_str(f->out.reply.data, "task.due"), "30/10/2025");
	/* The example is a month after the deadline, for this task. */
	assert_true(starts_with(data_str(f->out.reply.data, "example"), "/giahan "));
	assert_non_null(strstr(data_str(f->out.reply.data, "example"), " 29/11/2025 "));
	assert_int_equal(f->out.n_others, 0);
	chatf(f, CHAT_A, "/giahan %lld 30/10/2025 chờ số liệu", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_not_later");
	free(before);
	chatf(f, CHAT_A, "/giahan %lld 31/10/2025 chờ số liệu", (long long)f->t_a);
	assert_reply(f, "extension_asked");
}

static void
test_done_task_takes_no_progress_nor_extension(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/tiendo %lld 60%% làm lại", (long long)f->t_done);
	assert_refused_unchanged(f, before, "error_task_done");
	assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_done);
	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 lý do", (long long)f->t_done);
	assert_refused_unchanged(f, before, "error_task_done");
	assert_int_equal(f->out.n_others, 0);
	/* The secretariat too: reopening is done on purpose, with "dondoc task set". */
	chatf(f, CHAT_SEC, "/tiendo %lld 60%%", (long long)f->t_done);
	assert_refused_unchanged(f, before, "error_task_done");
	free(before);
}

static void
test_unknown_task(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/xong 99999");
	assert_refused_unchanged(f, before, "error_no_task");
	assert_int_equal(data_int(f->out.reply.data, "id"), 99999);
	chatf(f, CHAT_SEC, "/tiendo 99999 50%%");
	assert_refused_unchanged(f, before, "error_no_task");
	assert_int_equal(data_int(f->out.reply.data, "id"), 99999);
	free(before);
}

/* --- who may do what -------------------------------------------------------- */

static void
test_focal_cannot_close_a_task_of_another_agency(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	/* B leads t_b, A only cooperates; t_b_late is B's alone. */
	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_b);
	assert_refused_unchanged(f, before, "error_not_allowed");
	assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_b);
	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_b_late);
	assert_refused_unchanged(f, before, "error_not_allowed");
	chatf(f, CHAT_A, "/tiendo %lld 50%%", (long long)f->t_b);
	assert_refused_unchanged(f, before, "error_not_allowed");
	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 lý do", (long long)f->t_b);
	assert_refused_unchanged(f, before, "error_not_allowed");
	/* The cooperating agency may not report an obstacle on a task it has nothing to do with. */
	chatf(f, CHAT_A, "/vuongmac %lld thiếu kinh phí", (long long)f->t_b_late);
	assert_refused_unchanged(f, before, "error_not_allowed");
	/* And the leader of the committee does not close tasks either. */
	chatf(f, CHAT_LEADER, "/xong %lld", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_not_allowed");
	free(before);
}

static void
test_cooperating_agency_may_report_obstacle(void **state)
{
	struct fx *f = *state;
	struct task t;
	struct evs l;

	chatf(f, CHAT_A, "/vuongmac %lld chưa được bố trí kinh phí", (long long)f->t_b);
	assert_reply(f, "obstacle_ok");
	assert_false(f->out.refused);
	assert_true(f->out.changed);
	assert_string_equal(data_str(f->out.reply.data, "text"), "chưa được bố trí kinh phí");
	t = get_task(f, f->t_b);
	assert_true(t.obstacle_open);
	assert_int_equal(t.status, TASK_IN_PROGRESS);
	assert_int_equal(t.progress, 20);
	task_release(&t);
	l = events_of(f, f->t_b);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "obstacle");
	assert_string_equal(l.v[0].text, "chưa được bố trí kinh phí");
	assert_string_equal(l.v[0].channel, "telegram");
	assert_int_equal(l.v[0].person_id, f->focal_a);
}

/*
 * /xuly: the secretariat marks an obstacle handled, the reporter is told;
 * every refusal changes nothing.  Without channels (in.cs NULL) nobody of
 * the secretariat can receive the obstacle, and the answer says so.
 */
static void
test_obstacle_handled_by_secretariat(void **state)
{
	struct fx *f = *state;
	struct task t;
	struct evs l;
	int64_t id;

	chatf(f, CHAT_A, "/vuongmac %lld chưa được bố trí kinh phí", (long long)f->t_a);
	assert_reply(f, "obstacle_ok");
	id = data_int(f->out.reply.data, "id");
	assert_true(id > 0);
	assert_false(json_is_true(json_object_get(f->out.reply.data, "secretariat")));

	chatf(f, CHAT_A, "/xuly %lld xong rồi", (long long)id);
	assert_reply(f, "error_secretariat_only");
	assert_true(f->out.refused);
	chatf(f, CHAT_SEC, "/xuly %lld", (long long)id);
	assert_reply(f, "error_usage");
	chatf(f, CHAT_SEC, "/xuly 4242 đã xử lý");
	assert_reply(f, "error_no_obstacle");
	assert_int_equal(data_int(f->out.reply.data, "id"), 4242);
	t = get_task(f, f->t_a);
	assert_true(t.obstacle_open);
	task_release(&t);

	chatf(f, CHAT_SEC, "/xử lý %lld đã đề nghị Sở Tài chính bố trí", (long long)id);
	assert_reply(f, "obstacle_handle_ok");
	assert_false(f->out.refused);
	assert_true(f->out.changed);
	assert_string_equal(data_str(f->out.reply.data, "obstacle.note"),
			    "đã đề nghị Sở Tài chính bố trí");
	assert_int_equal(f->out.n_others, 1);
	assert_int_equal(f->out.others[0].person_id, f->focal_a);
	assert_string_equal(f->out.others[0].name, "obstacle_handled");
	t = get_task(f, f->t_a);
	assert_false(t.obstacle_open);	/* its only obstacle: the light returns */
	task_release(&t);
	l = events_of(f, f->t_a);
	assert_string_equal(l.v[l.n - 1].kind, "obstacle_handled");
	assert_string_equal(l.v[l.n - 1].text, "đã đề nghị Sở Tài chính bố trí");

	chatf(f, CHAT_SEC2, "/xuly %lld lần nữa", (long long)id);
	assert_reply(f, "error_obstacle_handled");
	assert_string_equal(data_str(f->out.reply.data, "obstacle.handler"), "Phạm Thị Dung");
	assert_int_equal(events_of(f, f->t_a).n, l.n);
}

static void
test_cooperating_agency_may_reply_with_a_note(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_b, 1);
	struct task t;

	reply(f, CHAT_A, m, "Đã gửi số liệu cho Sở Tài chính");
	assert_reply(f, "progress_ok");
	assert_string_equal(f->out.command, "note");
	t = get_task(f, f->t_b);
	assert_string_equal(t.note, "Đã gửi số liệu cho Sở Tài chính");
	assert_int_equal(t.progress, 20);
	task_release(&t);
}

static void
test_reply_on_a_task_of_no_concern_is_refused(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_b_late, 1);
	char *before = snapshot(f);

	reply(f, CHAT_A, m, "Đã xong");
	assert_refused_unchanged(f, before, "error_not_allowed");
	free(before);
}

static void
test_secretariat_may_close_any_task(void **state)
{
	struct fx *f = *state;
	struct task t;
	struct evs l;

	chatf(f, CHAT_SEC, "/xong %lld", (long long)f->t_b_late);
	assert_reply(f, "done_ok");
	assert_true(f->out.changed);
	t = get_task(f, f->t_b_late);
	assert_int_equal(t.status, TASK_DONE);
	task_release(&t);
	l = events_of(f, f->t_b_late);
	assert_true(l.n >= 1);
	assert_string_equal(l.v[0].actor, "Phạm Thị Dung");
	assert_int_equal(l.v[0].person_id, f->sec1);
}

/* --- an unlinked chat ------------------------------------------------------- */

static void
test_unlinked_chat_gets_instructions_only(void **state)
{
	struct fx *f = *state;
	static const char *const texts[] = { "/xong %lld", "/viec", "/huongdan", "/start",
					     "hello %lld", "/baocao" };
	int64_t m = add_reminder(f, f->focal_a, &f->t_a, 1);
	char *before = snapshot(f), data[32];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		chatf(f, CHAT_STRANGER, texts[i], (long long)f->t_a);
		assert_reply(f, "link_instructions");
		assert_int_equal(f->out.reply.person_id, 0);
		assert_int_equal(f->out.person_id, 0);
		assert_int_equal(f->out.n_others, 0);
		assert_false(f->out.changed);
		assert_unchanged(f, before);
	}
	reply(f, CHAT_STRANGER, m, "Đã xong");
	assert_reply(f, "link_instructions");
	assert_unchanged(f, before);
	button_for(f->t_a, "done", data);
	press(f, CHAT_STRANGER, data, m);
	assert_reply(f, "link_instructions");
	assert_int_equal(f->out.reply.person_id, 0);
	assert_unchanged(f, before);
	free(before);
}

static void
test_inactive_person_is_not_linked(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);

	chatf(f, "1006", "/xong %lld", (long long)f->t_a);
	assert_reply(f, "link_instructions");
	assert_int_equal(f->out.person_id, 0);
	assert_unchanged(f, before);
	free(before);
}

static void
test_start_with_a_bad_code(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f);
	struct person p = { 0 };

	chatf(f, CHAT_STRANGER, "/start BADCODE");
	assert_refused_unchanged(f, before, "error_bad_code");
	assert_int_equal(f->out.reply.person_id, 0);
	assert_int_equal(store_person_by_address(f->s, "telegram", CHAT_STRANGER, &p), -ENOENT);
	free(before);
}

static void
test_start_links_the_chat_once(void **state)
{
	struct fx *f = *state;
	struct person p = { 0 };
	struct evs l;
	char *before;

	make_code(f, f->nolink, "ABCD2345EFGH", NOW + 7 * 86400);
	/* Typed in lower case on a phone. */
	chatf(f, "2001", "/start abcd2345efgh");
	assert_reply(f, "link_done");
	assert_false(f->out.refused);
	assert_true(f->out.changed);
	assert_int_equal(f->out.person_id, f->nolink);
	assert_int_equal(f->out.reply.person_id, f->nolink);
	assert_int_equal(store_person_by_address(f->s, "telegram", "2001", &p), 0);
	assert_int_equal(p.id, f->nolink);
	person_release(&p);
	l = events_of(f, 0);
	assert_true(l.n >= 1);
	assert_string_equal(l.v[l.n - 1].kind, "link");
	assert_string_equal(l.v[l.n - 1].channel, "telegram");
	assert_string_equal(l.v[l.n - 1].actor, "Vũ Thị Hà");
	assert_int_equal(l.v[l.n - 1].person_id, f->nolink);
	/* The chat now speaks for Hà, of A. */
	chatf(f, "2001", "/viec");
	assert_reply(f, "tasks_list");
	assert_int_equal(f->out.person_id, f->nolink);
	/* A code works once. */
	before = snapshot(f);
	chatf(f, "2002", "/start ABCD2345EFGH");
	assert_refused_unchanged(f, before, "error_bad_code");
	assert_int_equal(store_person_by_address(f->s, "telegram", "2002", &p), -ENOENT);
	free(before);
}

static void
test_start_with_an_expired_code(void **state)
{
	struct fx *f = *state;
	struct person p = { 0 };
	char *before;

	make_code(f, f->nolink, "EXPRD2345XYZ", NOW);
	before = snapshot(f);
	chatf(f, "2001", "/start EXPRD2345XYZ");
	assert_refused_unchanged(f, before, "error_bad_code");
	assert_int_equal(store_person_by_address(f->s, "telegram", "2001", &p), -ENOENT);
	free(before);
}

static void
test_start_moves_a_linked_chat_to_another_person(void **state)
{
	struct fx *f = *state;
	struct person p = { 0 };

	make_code(f, f->nolink, "MOVE2345MOVE", NOW + 86400);
	chatf(f, CHAT_A, "/start MOVE2345MOVE");
	assert_reply(f, "link_done");
	assert_int_equal(f->out.person_id, f->nolink);
	assert_int_equal(store_person_by_address(f->s, "telegram", CHAT_A, &p), 0);
	assert_int_equal(p.id, f->nolink);
	person_release(&p);
	assert_int_equal(store_person_get(f->s, f->focal_a, &p), 0);
	assert_null(person_address(&p, "telegram"));
	person_release(&p);
}

/*
 * A /start from Zalo links the Zalo user id as the person's Zalo address,
 * and only that: it must never become their Telegram chat (reminders would
 * then go to a Telegram chat that does not exist).  The next message from
 * that Zalo user speaks for the person, and records when they wrote.
 */
static void
test_start_from_zalo_links_the_zalo_user(void **state)
{
	struct fx *f = *state;
	struct command_in in = base_in(f, "4242");
	struct person p = { 0 };
	const struct address *a;
	char telegram[64], zalo[64];
	int64_t last_in;

	make_code(f, f->nolink, "ZALO2345ZALO", NOW + 86400);
	in.channel = "zalo";
	in.text = "/start ZALO2345ZALO";
	assert_int_equal(run_in(f, &in), 0);
	assert_reply(f, "link_done");
	assert_int_equal(store_person_get(f->s, f->nolink, &p), 0);
	snprintf(telegram, sizeof(telegram), "%s", person_address(&p, "telegram") ?
		 person_address(&p, "telegram") : "(none)");
	snprintf(zalo, sizeof(zalo), "%s", person_address(&p, "zalo") ?
		 person_address(&p, "zalo") : "(none)");
	person_release(&p);
	assert_string_equal(telegram, "(none)");
	assert_string_equal(zalo, "4242");
	/* Found by that address now, and its last inbound is this message's time. */
	in.text = "/viec";
	in.now = NOW + 60;
	assert_int_equal(run_in(f, &in), 0);
	assert_reply(f, "tasks_list");
	assert_int_equal(f->out.person_id, f->nolink);
	assert_int_equal(store_person_by_address(f->s, "zalo", "4242", &p), 0);
	a = person_address_get(&p, "zalo");
	last_in = a ? a->last_in : -1;
	person_release(&p);
	assert_int_equal(last_in, NOW + 60);
}

/* Any message of a linked sender records when they last wrote through that chat. */
static void
test_a_message_records_the_last_inbound(void **state)
{
	struct fx *f = *state;
	struct person p = { 0 };
	int64_t before, after;

	assert_int_equal(store_person_by_address(f->s, "telegram", CHAT_A, &p), 0);
	before = person_address_get(&p, "telegram")->last_in;
	person_release(&p);
	chatf(f, CHAT_A, "cảm ơn");
	assert_int_equal(store_person_by_address(f->s, "telegram", CHAT_A, &p), 0);
	after = person_address_get(&p, "telegram")->last_in;
	person_release(&p);
	assert_int_equal(before, 0);
	assert_int_equal(after, NOW);
}

/* --- what commands change --------------------------------------------------- */

static int
count_state(const struct notice *n, void *userdata)
{
	int *v = userdata;

	v[n->state]++;
	return 0;
}

static void
test_done_records_status_progress_note_and_cancels_notices(void **state)
{
	struct fx *f = *state;
	int states[_NOTICE_STATE_MAX] = { 0 };
	struct task t;
	struct evs l;

	assert_int_equal(store_begin(f->s), 0);
	(void)add_notice(f, f->t_a, f->focal_a, 7);
	(void)add_notice(f, f->t_a, f->focal_a, 3);
	assert_int_equal(store_commit(f->s), 0);

	chatf(f, CHAT_A, "/xong %lld Đã ban hành Quyết định số 123/QĐ-UBND", (long long)f->t_a);
	assert_reply(f, "done_ok");
	assert_string_equal(f->out.command, "xong");
	assert_int_equal(f->out.person_id, f->focal_a);
	assert_int_equal(f->out.reply.person_id, f->focal_a);
	assert_true(f->out.changed);
	assert_false(f->out.refused);
	assert_int_equal(f->out.n_others, 0);
	assert_string_equal(data_str(f->out.reply.data, "task.note"),
			    "Đã ban hành Quyết định số 123/QĐ-UBND");
	assert_int_equal(data_int(f->out.reply.data, "task.progress"), 100);

	t = get_task(f, f->t_a);
	assert_int_equal(t.status, TASK_DONE);
	assert_int_equal(t.progress, 100);
	assert_int_equal(t.done_at, NOW);
	assert_string_equal(t.note, "Đã ban hành Quyết định số 123/QĐ-UBND");
	task_release(&t);

	assert_int_equal(store_notice_foreach_task(f->s, f->t_a, count_state, states), 0);
	assert_int_equal(states[NOTICE_CANCELLED], 2);
	assert_int_equal(states[NOTICE_QUEUED], 0);

	l = events_of(f, f->t_a);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].kind, "status");
	assert_string_equal(l.v[0].new_value, "done");
	assert_string_equal(l.v[1].kind, "progress");
	assert_string_equal(l.v[1].new_value, "100");
	assert_string_equal(l.v[2].kind, "note");
	assert_string_equal(l.v[2].text, "Đã ban hành Quyết định số 123/QĐ-UBND");
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.v[i].channel, "telegram");
		assert_string_equal(l.v[i].actor, "Nguyễn Văn An");
		assert_int_equal(l.v[i].person_id, f->focal_a);
	}
}

static void
test_done_twice_changes_nothing_more(void **state)
{
	struct fx *f = *state;
	char *before;

	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_a);
	assert_reply(f, "done_ok");
	before = snapshot(f);
	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_a);
	assert_reply(f, "done_ok");
	assert_false(f->out.changed);
	assert_unchanged(f, before);
	free(before);
}

/*
 * The "Xong" button first (no note), then the link to the result typed:
 * "/xong 27 https://..." (DESIGN §7: "done, with an optional note or link
 * to the result").
 */
static void
test_done_note_on_a_done_task_is_recorded(void **state)
{
	struct fx *f = *state;
	struct task t;
	char note[128];

	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_a);
	assert_reply(f, "done_ok");
	chatf(f, CHAT_A, "/xong %lld Kết quả: https://example.gov.vn/qd123", (long long)f->t_a);
	assert_reply(f, "done_ok");
	t = get_task(f, f->t_a);
	snprintf(note, sizeof(note), "%s", t.note ? t.note : "(none)");
	task_release(&t);
	/* Done again with a note (the button, then "/xong 27 link"): the note is kept. */
	assert_string_equal(note, "Kết quả: https://example.gov.vn/qd123");
}

static void
test_progress_starts_a_task(void **state)
{
	struct fx *f = *state;
	struct task t;
	struct evs l;

	chatf(f, CHAT_A, "/tiendo %lld 60%%", (long long)f->t_a);
	assert_reply(f, "progress_ok");
	assert_true(f->out.changed);
	assert_int_equal(data_int(f->out.reply.data, "task.progress"), 60);
	t = get_task(f, f->t_a);
	assert_int_equal(t.status, TASK_IN_PROGRESS);
	assert_int_equal(t.progress, 60);
	assert_null(t.note);
	task_release(&t);
	l = events_of(f, f->t_a);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].kind, "progress");
	assert_string_equal(l.v[0].new_value, "60");
	assert_string_equal(l.v[1].kind, "status");
	assert_string_equal(l.v[1].new_value, "in_progress");
	assert_string_equal(l.v[1].channel, "telegram");
}

static void
test_reply_to_a_reminder_records_a_note(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_a, 1);
	struct task t;
	struct evs l;

	reply(f, CHAT_A, m, "  Đang   chờ ý kiến Sở Tài chính ");
	assert_reply(f, "progress_ok");
	assert_string_equal(f->out.command, "note");
	assert_true(f->out.changed);
	assert_false(f->out.refused);
	assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_a);
	t = get_task(f, f->t_a);
	assert_string_equal(t.note, "Đang chờ ý kiến Sở Tài chính");
	assert_int_equal(t.status, TASK_NOT_STARTED);
	task_release(&t);
	l = events_of(f, f->t_a);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "note");
	assert_string_equal(l.v[0].channel, "telegram");
	assert_int_equal(l.v[0].person_id, f->focal_a);
	/* A command typed as a reply is still the command. */
	reply(f, CHAT_A, m, "/tiendo 0 50%");
	assert_reply(f, "error_usage");
}

static void
test_reply_to_a_reminder_of_two_tasks_is_refused(void **state)
{
	struct fx *f = *state;
	int64_t tasks[2] = { f->t_a, f->t_late };
	int64_t m = add_reminder(f, f->focal_a, tasks, 2);
	char *before = snapshot(f);

	reply(f, CHAT_A, m, "Đang thực hiện");
	assert_refused_unchanged(f, before, "error_usage");
	assert_string_equal(data_str(f->out.reply.data, "command"), "/tiendo");
	assert_true(starts_with(data_str(f->out.reply.data, "example"), "/tiendo "));
	free(before);
}

/* --- extension requests ----------------------------------------------------- */

static void
test_extension_asked_then_approved(void **state)
{
	struct fx *f = *state;
	struct extension e = { 0 };
	struct task t;
	struct evs l;
	char *before;
	bool told1 = false, told2 = false;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	assert_string_equal(f->out.command, "giahan");
	assert_true(f->out.changed);
	assert_false(f->out.refused);
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 1);
	assert_string_equal(data_str(f->out.reply.data, "request.date"), "31/12/2025");
	assert_string_equal(data_str(f->out.reply.data, "request.reason"), "chờ hướng dẫn của Bộ");
	/* Every active member of the secretariat, not the inactive one, not the leader. */
	assert_int_equal(f->out.n_others, 2);
	for (size_t i = 0; i < f->out.n_others; i++) {
		const struct command_msg *o = &f->out.others[i];

		assert_string_equal(o->name, "extension_request");
		told1 |= o->person_id == f->sec1;
		told2 |= o->person_id == f->sec2;
		assert_int_equal(data_int(o->data, "request.id"), 1);
		assert_int_equal(data_int(o->data, "task.id"), f->t_a);
		assert_string_equal(data_str(o->data, "request.requester.name"), "Nguyễn Văn An");
		assert_string_equal(data_str(o->data, "request.requester.agency"), "Sở Y tế");
		assert_string_equal(data_str(o->data, "request.date"), "31/12/2025");
	}
	assert_true(told1 && told2);
	assert_int_equal(store_extension_get(f->s, 1, &e), 0);
	assert_int_equal(e.state, EXTENSION_PENDING);
	assert_int_equal(e.task_id, f->t_a);
	assert_int_equal(e.person_id, f->focal_a);
	assert_int_equal(date_cmp(e.due, (struct date){ 2025, 12, 31 }), 0);
	assert_string_equal(e.reason, "chờ hướng dẫn của Bộ");
	extension_release(&e);
	t = get_task(f, f->t_a);
	assert_string_equal(t.deadline_raw, "30/10/2025");	/* asked, not moved */
	task_release(&t);
	l = events_of(f, f->t_a);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].kind, "extension_request");
	assert_string_equal(l.v[0].channel, "telegram");

	chatf(f, CHAT_SEC, "/duyet 1");
	assert_reply(f, "decision_ok");
	assert_string_equal(f->out.command, "duyet");
	assert_true(f->out.changed);
	assert_true(json_is_true(json_object_get(json_object_get(f->out.reply.data, "request"),
						 "approved")));
	/* The requester, and the rest of the secretariat (not the decider). */
	assert_int_equal(f->out.n_others, 2);
	assert_string_equal(f->out.others[0].name, "extension_approved");
	assert_int_equal(f->out.others[0].person_id, f->focal_a);
	assert_string_equal(data_str(f->out.others[0].data, "request.decider"), "Phạm Thị Dung");
	assert_string_equal(data_str(f->out.others[0].data, "request.date"), "31/12/2025");
	assert_string_equal(data_str(f->out.others[0].data, "task.due"), "31/12/2025");
	assert_string_equal(f->out.others[1].name, "extension_decided");
	assert_int_equal(f->out.others[1].person_id, f->sec2);
	assert_string_equal(data_str(f->out.others[1].data, "request.decider"), "Phạm Thị Dung");
	assert_string_equal(data_str(f->out.others[1].data, "request.requester.name"),
			    "Nguyễn Văn An");
	assert_true(json_is_true(data_at(f->out.others[1].data, "request.approved")));
	t = get_task(f, f->t_a);
	assert_string_equal(t.deadline_raw, "31/12/2025");
	assert_true(t.deadline.has_due);
	assert_int_equal(t.deadline.precision, DEADLINE_DAY);
	assert_int_equal(date_cmp(t.deadline.due, (struct date){ 2025, 12, 31 }), 0);
	task_release(&t);
	assert_int_equal(store_extension_get(f->s, 1, &e), 0);
	assert_int_equal(e.state, EXTENSION_APPROVED);
	assert_int_equal(e.decided_by, f->sec1);
	extension_release(&e);
	l = events_of(f, f->t_a);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].kind, "extension_decision");
	assert_string_equal(l.v[1].new_value, "approved");
	assert_string_equal(l.v[2].kind, "deadline");
	assert_string_equal(l.v[2].new_value, "31/12/2025");
	assert_string_equal(l.v[2].actor, "Phạm Thị Dung");
	assert_string_equal(l.v[2].channel, "telegram");

	/* Decided once: a second decision is told how and when it was. */
	before = snapshot(f);
	chatf(f, CHAT_SEC2, "/duyet 1");
	assert_refused_unchanged(f, before, "error_request_decided");
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 1);
	assert_true(json_is_true(data_at(f->out.reply.data, "request.approved")));
	assert_string_equal(data_str(f->out.reply.data, "request.decider"), "Phạm Thị Dung");
	assert_string_equal(data_str(f->out.reply.data, "request.decided_on"), "07/10/2025");
	chatf(f, CHAT_SEC, "/tuchoi 1 muộn rồi");
	assert_refused_unchanged(f, before, "error_request_decided");
	chatf(f, CHAT_SEC, "/duyet 7");
	assert_refused_unchanged(f, before, "error_no_request");
	free(before);
}

/* One open request per task: a newer one supersedes it, and both requesters are told. */
static void
test_extension_superseded(void **state)
{
	struct fx *f = *state;

	chatf(f, CHAT_A, "/giahan %lld Quý I/2026 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	assert_null(data_at(f->out.reply.data, "replaced"));
	assert_string_equal(data_str(f->out.reply.data, "request.when"), "Quý I/2026");
	assert_string_equal(data_str(f->out.reply.data, "request.date"), "31/03/2026");
	chatf(f, CHAT_SEC, "/giahan %lld 6 tháng đầu năm 2026 cần khảo sát thêm", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	assert_true(f->out.changed);
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 2);
	assert_int_equal(data_int(f->out.reply.data, "replaced.id"), 1);
	assert_string_equal(data_str(f->out.reply.data, "replaced.requester.name"), "Nguyễn Văn An");
	assert_string_equal(data_str(f->out.reply.data, "request.reason"), "cần khảo sát thêm");
	/* An hears who replaced it with what; the rest of the secretariat hears of the new one. */
	assert_int_equal(f->out.n_others, 2);
	assert_string_equal(f->out.others[0].name, "extension_superseded");
	assert_int_equal(f->out.others[0].person_id, f->focal_a);
	assert_int_equal(data_int(f->out.others[0].data, "request.id"), 1);
	assert_int_equal(data_int(f->out.others[0].data, "by.id"), 2);
	assert_string_equal(data_str(f->out.others[0].data, "by.requester.name"), "Phạm Thị Dung");
	assert_string_equal(data_str(f->out.others[0].data, "by.when"), "6 tháng đầu năm 2026");
	assert_string_equal(f->out.others[1].name, "extension_request");
	assert_int_equal(f->out.others[1].person_id, f->sec2);
	assert_int_equal(data_int(f->out.others[1].data, "replaced.id"), 1);
	assert_extension_state(f, 1, EXTENSION_SUPERSEDED);
	assert_extension_state(f, 2, EXTENSION_PENDING);
	/* Asking again oneself supersedes one's own: told once, in the answer. */
	chatf(f, CHAT_SEC, "/giahan %lld Năm 2026 chờ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	assert_int_equal(data_int(f->out.reply.data, "replaced.id"), 2);
	assert_int_equal(f->out.n_others, 1);
	assert_int_equal(f->out.others[0].person_id, f->sec2);
	assert_extension_state(f, 2, EXTENSION_SUPERSEDED);
	/* A superseded request cannot be decided: how and when it closed is said. */
	chatf(f, CHAT_SEC2, "/duyet 1");
	assert_reply(f, "error_request_decided");
	assert_true(json_is_true(data_at(f->out.reply.data, "request.superseded")));
	assert_string_equal(data_str(f->out.reply.data, "request.decided_on"), "07/10/2025");
	/* Approved, the deadline is the one typed, with its precision. */
	chatf(f, CHAT_SEC2, "/duyet 3");
	assert_reply(f, "decision_ok");
	{
		struct task t = get_task(f, f->t_a);

		assert_string_equal(t.deadline_raw, "Năm 2026");
		assert_int_equal(t.deadline.precision, DEADLINE_YEAR);
		assert_int_equal(date_cmp(t.deadline.due, (struct date){ 2026, 12, 31 }), 0);
		task_release(&t);
	}
}

/* A task reported done closes its open request; a requester who did not report it is told. */
static void
test_extension_moot_when_done(void **state)
{
	struct fx *f = *state;
	struct evs l;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	chatf(f, CHAT_SEC, "/xong %lld", (long long)f->t_a);
	assert_reply(f, "done_ok");
	assert_int_equal(f->out.n_others, 1);
	assert_string_equal(f->out.others[0].name, "extension_moot");
	assert_int_equal(f->out.others[0].person_id, f->focal_a);
	assert_int_equal(data_int(f->out.others[0].data, "request.id"), 1);
	assert_extension_state(f, 1, EXTENSION_MOOT);
	l = events_of(f, f->t_a);
	assert_string_equal(l.v[l.n - 1].kind, "extension_decision");
	assert_string_equal(l.v[l.n - 1].new_value, "moot");
	/* Done again: nothing more to close, nobody told. */
	chatf(f, CHAT_SEC, "/xong %lld đã ban hành", (long long)f->t_a);
	assert_int_equal(f->out.n_others, 0);
}

/* On time or late is judged against the deadline in force the day it was done. */
static void
test_done_late_stays_late(void **state)
{
	struct fx *f = *state;
	struct actor a = { .name = "op", .channel = "cli" };
	struct deadline dl = { .precision = DEADLINE_DAY, .has_due = true, .due = { 2025, 12, 31 } };
	struct task t;

	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_late);
	assert_reply(f, "done_ok");
	assert_true(json_is_true(data_at(f->out.reply.data, "task.done_late")));
	t = get_task(f, f->t_late);
	assert_true(t.has_done_due);
	assert_int_equal(date_cmp(t.done_due, (struct date){ 2025, 9, 30 }), 0);
	assert_true(task_done_late(&t));
	/* The deadline moved after: still late. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(taskop_deadline(f->s, &t, "31/12/2025", &dl, NULL, &a, NOW), 0);
	assert_int_equal(taskop_save(f->s, &t, NOW), 0);
	assert_int_equal(store_commit(f->s), 0);
	task_release(&t);
	t = get_task(f, f->t_late);
	assert_true(task_done_late(&t));
	/* Reopened: no longer done, no done_due. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(taskop_status(f->s, &t, TASK_IN_PROGRESS, &a, NOW, NULL), 0);
	assert_int_equal(taskop_save(f->s, &t, NOW), 0);
	assert_int_equal(store_commit(f->s), 0);
	task_release(&t);
	t = get_task(f, f->t_late);
	assert_false(t.has_done_due);
	assert_false(task_done_late(&t));
	task_release(&t);
	/* Done on time: a task due later. */
	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_a);
	t = get_task(f, f->t_a);
	assert_int_equal(date_cmp(t.done_due, (struct date){ 2025, 10, 30 }), 0);
	assert_false(task_done_late(&t));
	task_release(&t);
}

/* /choduyet: the pending requests, for the secretariat only. */
static void
test_pending_list(void **state)
{
	struct fx *f = *state;
	char *before;

	chatf(f, CHAT_SEC, "/choduyet");
	assert_reply(f, "extension_pending_list");
	assert_int_equal(data_int(f->out.reply.data, "count"), 0);
	chatf(f, CHAT_A, "/giahan %lld Tháng 12/2025 chờ", (long long)f->t_a);
	chatf(f, CHAT_B, "/giahan %lld 31/12/2025 chờ kinh phí", (long long)f->t_b);
	chatf(f, CHAT_SEC, "/choduyet");
	assert_reply(f, "extension_pending_list");
	assert_int_equal(data_int(f->out.reply.data, "count"), 2);
	assert_int_equal(data_int(json_array_get(data_at(f->out.reply.data, "requests"), 0),
				  "request.id"), 1);
	assert_string_equal(data_str(json_array_get(data_at(f->out.reply.data, "requests"), 0),
				     "request.when"), "Tháng 12/2025");
	assert_int_equal(data_int(json_array_get(data_at(f->out.reply.data, "requests"), 1),
				  "task.id"), f->t_b);
	chatf(f, CHAT_SEC, "/giahan");
	assert_reply(f, "extension_pending_list");
	before = snapshot(f);
	chatf(f, CHAT_A, "/choduyet");
	assert_refused_unchanged(f, before, "error_secretariat_only");
	free(before);
}

static void
test_extension_rejected_with_a_reason(void **state)
{
	struct fx *f = *state;
	struct extension e = { 0 };
	struct task t;
	char *before;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	chatf(f, CHAT_A, "/giahan %lld 15/11/2025 chờ số liệu", (long long)f->t_late);
	assert_reply(f, "extension_asked");
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 2);

	before = snapshot(f);
	chatf(f, CHAT_SEC, "/tuchoi 2");
	assert_refused_unchanged(f, before, "error_usage");
	assert_string_equal(data_str(f->out.reply.data, "command"), "/tuchoi");
	free(before);

	chatf(f, CHAT_SEC, "/tuchoi 2 đề nghị hoàn thành đúng hạn");
	assert_reply(f, "decision_ok");
	assert_true(f->out.changed);
	assert_false(f->out.refused);
	assert_false(json_is_true(json_object_get(json_object_get(f->out.reply.data, "request"),
						  "approved")));
	assert_int_equal(f->out.n_others, 2);
	assert_string_equal(f->out.others[0].name, "extension_rejected");
	assert_int_equal(f->out.others[0].person_id, f->focal_a);
	assert_string_equal(data_str(f->out.others[0].data, "request.reason"),
			    "đề nghị hoàn thành đúng hạn");
	assert_string_equal(data_str(f->out.others[0].data, "request.decider"), "Phạm Thị Dung");
	assert_string_equal(f->out.others[1].name, "extension_decided");
	assert_int_equal(f->out.others[1].person_id, f->sec2);
	assert_false(json_is_true(data_at(f->out.others[1].data, "request.approved")));
	assert_string_equal(data_str(f->out.others[1].data, "request.reason"),
			    "đề nghị hoàn thành đúng hạn");
	t = get_task(f, f->t_late);
	assert_string_equal(t.deadline_raw, "30/9/2025");
	assert_int_equal(date_cmp(t.deadline.due, (struct date){ 2025, 9, 30 }), 0);
	task_release(&t);
	assert_int_equal(store_extension_get(f->s, 2, &e), 0);
	assert_int_equal(e.state, EXTENSION_REJECTED);
	assert_string_equal(e.decision, "đề nghị hoàn thành đúng hạn");
	extension_release(&e);
	/* The other request still waits. */
	assert_still_asked(f, 1);
}

static void
test_focal_point_cannot_decide(void **state)
{
	struct fx *f = *state;
	char *before;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	before = snapshot(f);
	/* The reason is the role, whatever the agency (the request is of A's own task). */
	chatf(f, CHAT_A, "/duyet 1");
	assert_refused_unchanged(f, before, "error_secretariat_only");
	assert_string_equal(data_str(f->out.reply.data, "command"), "/duyet");
	assert_true(json_is_true(data_at(f->out.reply.data, "role.focal")));
	chatf(f, CHAT_B, "/duyet 1, 2");
	assert_refused_unchanged(f, before, "error_secretariat_only");
	chatf(f, CHAT_LEADER, "/tuchoi 1 không");
	assert_refused_unchanged(f, before, "error_secretariat_only");
	assert_true(json_is_true(data_at(f->out.reply.data, "role.leader")));
	assert_still_asked(f, 1);
	free(before);
}

static void
test_extension_asked_by_the_secretariat_goes_to_the_others(void **state)
{
	struct fx *f = *state;

	chatf(f, CHAT_SEC, "/giahan %lld 31/12/2025 theo đề nghị của Sở", (long long)f->t_b);
	assert_reply(f, "extension_asked");
	assert_int_equal(f->out.n_others, 1);
	assert_int_equal(f->out.others[0].person_id, f->sec2);
}

static void
test_own_request_is_decided_by_another(void **state)
{
	struct fx *f = *state;
	char *before;

	chatf(f, CHAT_SEC, "/giahan %lld 31/12/2025 theo đề nghị của Sở", (long long)f->t_b);
	assert_reply(f, "extension_asked");
	before = snapshot(f);
	chatf(f, CHAT_SEC, "/duyet 1");
	assert_refused_unchanged(f, before, "error_own_request");
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 1);
	assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_b);
	assert_int_equal(f->out.n_others, 0);
	chatf(f, CHAT_SEC, "/tuchoi 1 tự từ chối");
	assert_refused_unchanged(f, before, "error_own_request");
	assert_still_asked(f, 1);
	free(before);

	/* Another member decides; the requester is told once, as requester. */
	chatf(f, CHAT_SEC2, "/duyet 1");
	assert_reply(f, "decision_ok");
	assert_int_equal(f->out.n_others, 1);
	assert_string_equal(f->out.others[0].name, "extension_approved");
	assert_int_equal(f->out.others[0].person_id, f->sec1);
}

static void
test_decision_on_a_done_task_is_refused(void **state)
{
	struct fx *f = *state;
	char *before;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	/* Done by the requester: the request closes as moot, and they know why already. */
	chatf(f, CHAT_A, "/xong %lld", (long long)f->t_a);
	assert_reply(f, "done_ok");
	assert_int_equal(f->out.n_others, 0);
	assert_extension_state(f, 1, EXTENSION_MOOT);
	before = snapshot(f);
	chatf(f, CHAT_SEC, "/duyet 1");
	assert_refused_unchanged(f, before, "error_request_moot");
	assert_int_equal(data_int(f->out.reply.data, "request.id"), 1);
	assert_int_equal(f->out.n_others, 0);
	chatf(f, CHAT_SEC2, "/tuchoi 1 không cần nữa");
	assert_refused_unchanged(f, before, "error_request_moot");
	assert_extension_state(f, 1, EXTENSION_MOOT);
	free(before);
}

static void
test_viewer_reads_only(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->viewer, &f->t_a, 1);
	char data[32], *before;

	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ hướng dẫn của Bộ", (long long)f->t_a);
	assert_reply(f, "extension_asked");
	before = snapshot(f);
	chatf(f, CHAT_VIEWER, "/xong %lld", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_read_only");
	assert_string_equal(data_str(f->out.reply.data, "command"), "/xong");
	chatf(f, CHAT_VIEWER, "/tiendo %lld 60%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_read_only");
	assert_string_equal(data_str(f->out.reply.data, "command"), "/tiendo");
	chatf(f, CHAT_VIEWER, "/giahan %lld 31/12/2025 lý do", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_read_only");
	chatf(f, CHAT_VIEWER, "/vuongmac %lld thiếu kinh phí", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_read_only");
	chatf(f, CHAT_VIEWER, "/duyet 1");
	assert_refused_unchanged(f, before, "error_read_only");
	chatf(f, CHAT_VIEWER, "/tuchoi 1 không");
	assert_refused_unchanged(f, before, "error_read_only");
	reply(f, CHAT_VIEWER, m, "đã xong phần khảo sát");
	assert_refused_unchanged(f, before, "error_read_only");
	button_for(f->t_a, "done", data);
	press(f, CHAT_VIEWER, data, m);
	assert_refused_unchanged(f, before, "error_read_only");
	assert_int_equal(f->out.refresh, 0);
	button_for(f->t_a, "ext", data);
	press(f, CHAT_VIEWER, data, m);
	assert_refused_unchanged(f, before, "error_read_only");
	/* Reading is theirs. */
	chatf(f, CHAT_VIEWER, "/viec");
	assert_reply(f, "tasks_list");
	chatf(f, CHAT_VIEWER, "/quahan");
	assert_reply(f, "overdue_list");
	chatf(f, CHAT_VIEWER, "/baocao");
	assert_reply(f, "report");
	chatf(f, CHAT_VIEWER, "/huongdan");
	assert_reply(f, "help");
	assert_unchanged(f, before);
	free(before);
}

/* --- lists ------------------------------------------------------------------- */

static void
test_viec_lists_the_agency_open_tasks_late_first(void **state)
{
	struct fx *f = *state;
	char ids[128], want[128];
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/viec");
	assert_reply(f, "tasks_list");
	assert_false(f->out.refused);
	assert_false(f->out.changed);
	assert_int_equal(data_int(f->out.reply.data, "count"), 3);
	list_ids(f->out.reply.data, ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld,%lld", (long long)f->t_late, (long long)f->t_a,
		 (long long)f->t_undated);
	assert_string_equal(ids, want);
	assert_int_equal(data_int(f->out.reply.data, "first_id"), f->t_late);
	assert_false(json_is_true(json_object_get(f->out.reply.data, "all")));
	assert_unchanged(f, before);
	/* Its aliases. */
	chatf(f, CHAT_A, "/nhiệm vụ");
	assert_reply(f, "tasks_list");
	chatf(f, CHAT_A, "viec");
	assert_reply(f, "tasks_list");
	free(before);
}

static void
test_viec_of_the_secretariat_is_everything(void **state)
{
	struct fx *f = *state;
	char ids[128], want[128];

	chatf(f, CHAT_SEC, "/viec");
	assert_reply(f, "tasks_list");
	/* Said so in the heading, not "of" the secretariat's own office. */
	assert_true(json_is_true(json_object_get(f->out.reply.data, "all")));
	assert_int_equal(data_int(f->out.reply.data, "count"), 5);
	list_ids(f->out.reply.data, ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld,%lld,%lld,%lld", (long long)f->t_late,
		 (long long)f->t_b_late, (long long)f->t_a, (long long)f->t_b,
		 (long long)f->t_undated);
	assert_string_equal(ids, want);
}

static void
test_quahan_lists_late_tasks_only(void **state)
{
	struct fx *f = *state;
	char ids[128], want[128];

	chatf(f, CHAT_A, "/quahan");
	assert_reply(f, "overdue_list");
	assert_int_equal(data_int(f->out.reply.data, "count"), 1);
	list_ids(f->out.reply.data, ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld", (long long)f->t_late);
	assert_string_equal(ids, want);
	chatf(f, CHAT_SEC, "/quá hạn");
	assert_reply(f, "overdue_list");
	assert_int_equal(data_int(f->out.reply.data, "count"), 2);
	list_ids(f->out.reply.data, ids, sizeof(ids));
	snprintf(want, sizeof(want), "%lld,%lld", (long long)f->t_late, (long long)f->t_b_late);
	assert_string_equal(ids, want);
	/* Nothing late: an empty list, still an answer. */
	chatf(f, CHAT_SEC, "/xong %lld", (long long)f->t_late);
	chatf(f, CHAT_SEC, "/xong %lld", (long long)f->t_b_late);
	chatf(f, CHAT_A, "/quahan");
	assert_reply(f, "overdue_list");
	assert_int_equal(data_int(f->out.reply.data, "count"), 0);
	assert_null(json_object_get(f->out.reply.data, "first_id"));
}

static void
test_baocao_counts(void **state)
{
	struct fx *f = *state;

	chatf(f, CHAT_A, "/baocao");
	assert_reply(f, "report");
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.total"), 4);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.done"), 1);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.in_progress"), 1);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.not_started"), 2);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.postponed"), 0);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.overdue"), 1);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.percent_done"), 25);
	assert_int_equal(data_int(f->out.reply.data, "report.indicators.total"), 0);
	assert_string_equal(data_str(f->out.reply.data, "report.scope"), "Sở Y tế");
	assert_false(f->out.changed);

	chatf(f, CHAT_SEC, "/baocao");
	assert_reply(f, "report");
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.total"), 6);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.done"), 1);
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.overdue"), 2);
	/* 1/6 is 16.7 %: the committee writes 17 %. */
	assert_int_equal(data_int(f->out.reply.data, "report.tasks.percent_done"), 17);
	assert_string_equal(data_str(f->out.reply.data, "report.scope"), "toàn bộ");
}

static void
test_help(void **state)
{
	struct fx *f = *state;
	size_t n = 0;
	const struct command_info *list = command_list(&n);

	chatf(f, CHAT_A, "/huongdan");
	assert_reply(f, "help");
	chatf(f, CHAT_A, "/help");
	assert_reply(f, "help");
	chatf(f, CHAT_A, "/start");
	assert_reply(f, "help");
	assert_false(f->out.refused);
	/* setMyCommands: lowercase ASCII names, a description each. */
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		for (const char *c = list[i].name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'));
		assert_true(strlen(list[i].description) > 0);
	}
}

/* --- buttons ----------------------------------------------------------------- */

static void
test_done_button(void **state)
{
	struct fx *f = *state;
	int64_t tasks[2] = { f->t_a, f->t_late };
	int64_t m = add_reminder(f, f->focal_a, tasks, 2);
	char data[32];
	struct task t;

	button_for(f->t_a, "done", data);
	press(f, CHAT_A, data, m);
	assert_reply(f, "done_ok");
	assert_string_equal(f->out.command, "xong");
	assert_true(f->out.changed);
	assert_false(f->out.refused);
	assert_int_equal(f->out.refresh, m);
	t = get_task(f, f->t_a);
	assert_int_equal(t.status, TASK_DONE);
	task_release(&t);
	t = get_task(f, f->t_late);
	assert_int_equal(t.status, TASK_IN_PROGRESS);
	task_release(&t);
}

static void
test_forged_button_is_refused(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_late, 1);
	char data[32], *before = snapshot(f);

	/* t_a is A's own task, but not one of that reminder's. */
	button_for(f->t_a, "done", data);
	press(f, CHAT_A, data, m);
	assert_true(f->out.refused);
	assert_false(f->out.changed);
	assert_int_equal(f->out.refresh, 0);
	assert_unchanged(f, before);
	press(f, CHAT_A, data, 9999);
	assert_true(f->out.refused);
	assert_unchanged(f, before);
	free(before);
}

static void
test_button_of_another_agency_task_is_refused(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_b_late, 1);
	char data[32], *before = snapshot(f);

	button_for(f->t_b_late, "done", data);
	press(f, CHAT_A, data, m);
	assert_refused_unchanged(f, before, "error_not_allowed");
	assert_int_equal(f->out.refresh, 0);
	free(before);
}

/* What inbound_handle does with an answer that asks: the question, as message m (0: none). */
static void
record_ask(struct fx *f, int64_t m, int64_t person, int64_t task, int64_t at)
{
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_chat_ask_add(f->s, m, person, task, at), 0);
	assert_int_equal(store_commit(f->s), 0);
}

static void
test_progress_button_asks_for_the_figure(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_a, 1);
	char data[32], want[32], *before = snapshot(f);
	struct task t;

	button_for(f->t_a, "prog", data);
	snprintf(want, sizeof(want), "t:%lld:prog", (long long)f->t_a);
	assert_string_equal(data, want);
	press(f, CHAT_A, data, m);
	assert_reply(f, "ask_progress");
	assert_false(f->out.refused);
	assert_false(f->out.changed);
	assert_int_equal(f->out.ask_task, f->t_a);
	assert_int_equal(data_int(f->out.reply.data, "task.id"), f->t_a);
	assert_unchanged(f, before);
	free(before);

	/* The next message, a bare figure, is that task's progress. */
	record_ask(f, 0, f->focal_a, f->t_a, NOW);
	chatf(f, CHAT_A, "60");
	assert_reply(f, "progress_ok");
	assert_string_equal(f->out.command, "tiendo");
	t = get_task(f, f->t_a);
	assert_int_equal(t.progress, 60);
	task_release(&t);
	/* Answered once: a second figure is no answer to anything. */
	chatf(f, CHAT_A, "70");
	assert_reply(f, "error_unknown_command");
	/* A reply to the question is its answer, later too; "60%" lowered to 50 says 60 was. */
	record_ask(f, m, f->focal_a, f->t_a, NOW);
	chatf(f, CHAT_A, "/viec");
	reply(f, CHAT_A, m, "50% đã khảo sát xong");
	assert_reply(f, "progress_ok");
	assert_int_equal(data_int(f->out.reply.data, "was.progress"), 60);
	t = get_task(f, f->t_a);
	assert_int_equal(t.progress, 50);
	assert_string_equal(t.note, "đã khảo sát xong");
	task_release(&t);
	/* Without a reply, only within the window, and only for its asker. */
	record_ask(f, 0, f->focal_a, f->t_a, NOW - COMMAND_ASK_WINDOW_S - 1);
	chatf(f, CHAT_A, "40");
	assert_reply(f, "error_unknown_command");
	record_ask(f, 0, f->focal_a, f->t_a, NOW);
	chatf(f, CHAT_B, "40");
	assert_reply(f, "error_unknown_command");
}

/* --- commands as officials type them ------------------------------------------- */

static void
test_done_with_punctuation_and_filler_words(void **state)
{
	struct fx *f = *state;
	static const char *const forms[] = {
		"xong %lld.", "/xong %lld.", "xong nhiệm vụ %lld", "xong số %lld", "Xong nhiem vu %lld!",
		"/xong NV %lld", "xong nhiệm vụ số %lld.", "hoàn thành nhiệm vụ %lld",
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct task t;

		chatf(f, CHAT_A, forms[i], (long long)f->t_a);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "done_ok") != 0)
			fail_msg("'%s' answered '%s'", forms[i],
				 f->out.reply.name ? f->out.reply.name : "(none)");
		t = get_task(f, f->t_a);
		assert_int_equal(t.status, TASK_DONE);
		/* Nothing of the number is taken for a note. */
		assert_true(!t.note || !*t.note);
		task_release(&t);
		set_not_started(f, f->t_a);
	}
	/* "60%." ends a sentence too. */
	chatf(f, CHAT_A, "tiến độ nhiệm vụ %lld 60%%.", (long long)f->t_a);
	assert_reply(f, "progress_ok");
}

static void
test_several_numbers_act_on_each(void **state)
{
	struct fx *f = *state;
	static const char *const forms[] = { "/xong %lld, %lld", "xong %lld và %lld", "/xong %lld,%lld." };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const json_t *items;
		struct task t;

		chatf(f, CHAT_A, forms[i], (long long)f->t_a, (long long)f->t_late);
		assert_reply(f, "command_results");
		assert_false(f->out.refused);
		items = data_at(f->out.reply.data, "items");
		assert_int_equal(json_array_size(items), 2);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "number")),
				 f->t_late);
		assert_true(json_is_true(json_object_get(json_array_get(items, 0), "done_ok")));
		t = get_task(f, f->t_a);
		assert_int_equal(t.status, TASK_DONE);
		/* "41" is no note. */
		assert_true(!t.note || !*t.note);
		task_release(&t);
		t = get_task(f, f->t_late);
		assert_int_equal(t.status, TASK_DONE);
		task_release(&t);
		set_not_started(f, f->t_a);
		set_not_started(f, f->t_late);
	}
	/* Each number its own outcome: one done, one another agency's, one that does not exist. */
	chatf(f, CHAT_A, "/xong %lld, %lld, 9999 đã gửi báo cáo", (long long)f->t_a, (long long)f->t_b);
	assert_reply(f, "command_results");
	assert_true(f->out.refused);
	assert_true(f->out.changed);
	{
		const json_t *items = data_at(f->out.reply.data, "items");
		struct task t = get_task(f, f->t_a);

		assert_int_equal(json_array_size(items), 3);
		assert_true(json_is_true(json_object_get(json_array_get(items, 0), "ok")));
		assert_true(json_is_true(json_object_get(json_array_get(items, 1), "error_not_allowed")));
		assert_true(json_is_true(json_object_get(json_array_get(items, 2), "error_no_task")));
		assert_string_equal(t.note, "đã gửi báo cáo");
		task_release(&t);
		t = get_task(f, f->t_b);
		assert_int_not_equal(t.status, TASK_DONE);
		task_release(&t);
	}
	/* A number after a space alone starts the note: "/xong 27 3 văn bản". */
	set_not_started(f, f->t_a);
	chatf(f, CHAT_A, "/xong %lld 3 văn bản", (long long)f->t_a);
	assert_reply(f, "done_ok");
	{
		struct task t = get_task(f, f->t_a);

		assert_string_equal(t.note, "3 văn bản");
		task_release(&t);
	}
}

static void
test_thanks_get_a_polite_answer(void **state)
{
	struct fx *f = *state;
	static const char *const forms[] = {
		"cảm ơn", "Cám ơn ạ", "cam on", "OK", "ok.", "Đã nhận", "nhận được", "vâng",
		"Cảm ơn đồng chí nhiều!", "Dạ vâng ạ", "thanks",
	};
	char *before = snapshot(f);

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		chatf(f, CHAT_A, "%s", forms[i]);
		if (!f->out.reply.name || strcmp(f->out.reply.name, "thanks") != 0)
			fail_msg("'%s' answered '%s'", forms[i],
				 f->out.reply.name ? f->out.reply.name : "(none)");
		assert_false(f->out.refused);
		assert_false(f->out.changed);
	}
	assert_unchanged(f, before);
	/* More than thanks is no thanks: the message is quoted whole. */
	chatf(f, CHAT_A, "cảm ơn, mai tôi gửi");
	assert_reply(f, "error_unknown_command");
	assert_string_equal(data_str(f->out.reply.data, "command"), "cảm ơn, mai tôi gửi");
	free(before);
}

/* A postponed task refuses progress for its state, typed or asked by the button. */
static void
test_postponed_task_refuses_progress(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_a, 1);
	struct task t = get_task(f, f->t_a);
	char data[32], *before;

	t.status = TASK_POSTPONED;
	assert_int_equal(store_task_update(f->s, &t, NOW), 0);
	task_release(&t);
	before = snapshot(f);
	chatf(f, CHAT_A, "/tiendo %lld 60%%", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_task_postponed");
	button_for(f->t_a, "prog", data);
	press(f, CHAT_A, data, m);
	assert_refused_unchanged(f, before, "error_task_postponed");
	assert_int_equal(f->out.ask_task, 0);
	free(before);
}

static void
test_lowered_progress_says_what_it_was(void **state)
{
	struct fx *f = *state;
	struct task t;

	chatf(f, CHAT_A, "/tiendo %lld 80%%", (long long)f->t_a);
	assert_reply(f, "progress_ok");
	chatf(f, CHAT_A, "/tiendo %lld 60%%", (long long)f->t_a);
	assert_reply(f, "progress_ok");
	assert_int_equal(data_int(f->out.reply.data, "was.progress"), 80);
	assert_int_equal(data_int(f->out.reply.data, "task.progress"), 60);
	t = get_task(f, f->t_a);
	assert_int_equal(t.progress, 60);
	task_release(&t);
	/* The same figure again changed nothing: no "was". */
	chatf(f, CHAT_A, "/tiendo %lld 60%%", (long long)f->t_a);
	assert_null(data_at(f->out.reply.data, "was"));
}

/* The date of "/giahan N D/M/Y lý do". */
static struct date
example_date(const char *example)
{
	struct date d = { 0 };
	long long id;

	if (sscanf(example, "/giahan %lld %d/%d/%d", &id, &d.d, &d.m, &d.y) != 4)
		fail_msg("example '%s'", example);
	return d;
}

static void
test_extension_button_suggests_a_later_day(void **state)
{
	struct fx *f = *state;
	int64_t m1 = add_reminder(f, f->focal_a, &f->t_a, 1);
	int64_t m2 = add_reminder(f, f->focal_a, &f->t_late, 1);
	char data[32], prefix[32];
	struct date d;

	button_for(f->t_a, "ext", data);
	press(f, CHAT_A, data, m1);
	assert_reply(f, "button_hint");
	assert_false(f->out.changed);
	snprintf(prefix, sizeof(prefix), "/giahan %lld ", (long long)f->t_a);
	assert_true(starts_with(data_str(f->out.reply.data, "example"), prefix));
	d = example_date(data_str(f->out.reply.data, "example"));
	assert_true(date_is_valid(d.y, d.m, d.d));
	/* Asking for the deadline the task already has is no extension: a later day. */
	assert_true(date_cmp(d, (struct date){ 2025, 10, 30 }) > 0);

	/* For a late task, the suggested command must be one /giahan accepts. */
	button_for(f->t_late, "ext", data);
	press(f, CHAT_A, data, m2);
	assert_reply(f, "button_hint");
	d = example_date(data_str(f->out.reply.data, "example"));
	/* A late task (due 30/9/2025, today 7/10/2025): a day after today, or /giahan refuses it. */
	assert_true(date_cmp(d, TODAY) > 0);
}

static void
test_malformed_buttons_are_refused(void **state)
{
	struct fx *f = *state;
	int64_t m = add_reminder(f, f->focal_a, &f->t_a, 1);
	char bad[4][32], *before = snapshot(f);

	snprintf(bad[0], sizeof(bad[0]), "t:abc:done");
	snprintf(bad[1], sizeof(bad[1]), "x");
	snprintf(bad[2], sizeof(bad[2]), "t:%lld:done:x", (long long)f->t_a);
	snprintf(bad[3], sizeof(bad[3]), "t:%lld:explode", (long long)f->t_a);
	for (int i = 0; i < 4; i++) {
		press(f, CHAT_A, bad[i], m);
		if (!f->out.refused)
			fail_msg("button '%s' was not refused", bad[i]);
		assert_false(f->out.changed);
		assert_int_equal(f->out.refresh, 0);
		assert_non_null(f->out.reply.name);
		assert_unchanged(f, before);
	}
	free(before);
}

/* --- odd input ----------------------------------------------------------------- */

/*
 * Text that is not UTF-8 gets an answer once, and changes nothing: an
 * error here would make the transport take the same update again for ever.
 */
static void
test_text_that_is_not_utf8_is_answered(void **state)
{
	struct fx *f = *state;
	struct command_in in = base_in(f, CHAT_A);
	char *before = snapshot(f);

	in.text = "/xong \xff";
	assert_int_equal(run_in(f, &in), 0);
	assert_string_equal(f->out.reply.name, "error_unknown_command");
	assert_true(f->out.refused);
	assert_unchanged(f, before);
	free(before);
}

static void
test_long_note_is_cut_on_a_character_boundary(void **state)
{
	struct fx *f = *state;
	char *text = malloc(6000), *p;
	struct command_in in = base_in(f, CHAT_A);
	struct task t;
	int n;

	n = snprintf(text, 6000, "/xong %lld ", (long long)f->t_a);
	p = text + n;
	/* "đ" is two bytes: the cut at 2000 bytes falls inside one unless it is moved. */
	for (int i = 0; i < 1500; i++) {
		memcpy(p, i % 2 ? "đ" : "a", i % 2 ? 2 : 1);
		p += i % 2 ? 2 : 1;
	}
	*p = '\0';
	in.text = text;
	assert_int_equal(run_in(f, &in), 0);
	assert_reply(f, "done_ok");
	t = get_task(f, f->t_a);
	assert_non_null(t.note);
	assert_true(strlen(t.note) <= 2000);
	assert_true(strlen(t.note) >= 1998);
	/* Valid UTF-8: jansson refuses anything else. */
	{
		json_t *j = json_string(t.note);

		assert_non_null(j);
		json_decref(j);
	}
	task_release(&t);
	free(text);
}

/* --- indicators: /danhgia ------------------------------------------------ */

/* An indicator led by agency A, chưa đạt, no deadline; its id. */
static int64_t
add_indicator(struct fx *f)
{
	int64_t id = add_task(f, "Tỷ lệ phủ sóng 5G", "Theo tiến độ TW", TASK_NOT_ACHIEVED, 0,
			      f->ag_a, 0);
	struct task t = get_task(f, id);

	t.kind = TASK_KIND_INDICATOR;
	free(t.deadline_raw);
	t.deadline_raw = xstrdup("");
	t.deadline = (struct deadline){ .precision = DEADLINE_UNKNOWN };
	assert_int_equal(store_task_update(f->s, &t, NOW - 86400 * 100), 0);
	task_release(&t);
	return id;
}

static void
assert_assessed(struct fx *f, int64_t id, enum task_status want, const char *note)
{
	struct task t = get_task(f, id);
	struct evs l = events_of(f, id);

	assert_reply(f, "assessment_ok");
	assert_true(f->out.changed);
	assert_int_equal(t.status, want);
	assert_string_equal(l.v[l.n - 1].kind, "assessment");
	assert_string_equal(l.v[l.n - 1].new_value, task_status_to_string(want));
	if (note)
		assert_string_equal(t.note, note);
	task_release(&t);
}

static void
test_assessment_written_every_way(void **state)
{
	struct fx *f = *state;
	int64_t id = add_indicator(f);

	chatf(f, CHAT_A, "/danhgia %lld chưa đánh giá được chờ số liệu của Cục Thống kê",
	      (long long)id);
	assert_assessed(f, id, TASK_CANNOT_ASSESS, "chờ số liệu của Cục Thống kê");
	assert_string_equal(data_str(f->out.reply.data, "task.assessment"), "Chưa đánh giá được");
	assert_string_equal(data_str(f->out.reply.data, "task.light"), "VÀNG");
	assert_string_equal(data_str(f->out.reply.data, "was"), "Chưa đạt");
	chatf(f, CHAT_A, "/assess %lld DAT", (long long)id);
	assert_assessed(f, id, TASK_DONE, NULL);
	assert_string_equal(data_str(f->out.reply.data, "task.light"), "XANH");
	chatf(f, CHAT_A, "/Đánh giá %lld chua_dat", (long long)id);
	assert_assessed(f, id, TASK_NOT_ACHIEVED, NULL);
	chatf(f, CHAT_A, "danhgia %lld chưa đạt", (long long)id);
	assert_assessed(f, id, TASK_NOT_ACHIEVED, NULL);
	/* The same assessment again: recorded (asked and answered), no "was". */
	assert_null(json_object_get(f->out.reply.data, "was"));
	chatf(f, CHAT_SEC, "/danhgia %lld đạt", (long long)id);
	assert_assessed(f, id, TASK_DONE, NULL);
}

static void
test_assessment_refusals(void **state)
{
	struct fx *f = *state;
	int64_t id = add_indicator(f);
	char *before = snapshot(f);

	chatf(f, CHAT_A, "/danhgia %lld tốt lắm", (long long)id);
	assert_refused_unchanged(f, before, "error_bad_assessment");
	assert_string_equal(data_str(f->out.reply.data, "text"), "tốt lắm");
	assert_true(starts_with(data_str(f->out.reply.data, "example"), "/danhgia "));
	chatf(f, CHAT_A, "/danhgia %lld chưa", (long long)id);
	assert_refused_unchanged(f, before, "error_bad_assessment");
	chatf(f, CHAT_A, "/danhgia %lld", (long long)id);
	assert_refused_unchanged(f, before, "error_usage");
	chatf(f, CHAT_A, "/danhgia %lld đạt", (long long)f->t_a);
	assert_refused_unchanged(f, before, "error_not_indicator");
	chatf(f, CHAT_B, "/danhgia %lld đạt", (long long)id);
	assert_refused_unchanged(f, before, "error_not_allowed");
	chatf(f, CHAT_VIEWER, "/danhgia %lld đạt", (long long)id);
	assert_refused_unchanged(f, before, "error_read_only");
	/* No progress, no deadline, no "done": the answer points to /danhgia. */
	chatf(f, CHAT_A, "/xong %lld", (long long)id);
	assert_refused_unchanged(f, before, "error_indicator");
	assert_string_equal(data_str(f->out.reply.data, "task.assessment"), "Chưa đạt");
	chatf(f, CHAT_A, "/tiendo %lld 50%%", (long long)id);
	assert_refused_unchanged(f, before, "error_indicator");
	chatf(f, CHAT_A, "/giahan %lld 31/12/2025 chờ số liệu", (long long)id);
	assert_refused_unchanged(f, before, "error_indicator");
	free(before);
}

/* /viec: the tasks, then the indicators apart; /quahan: never an indicator. */
static void
test_viec_lists_indicators_apart(void **state)
{
	struct fx *f = *state;
	int64_t id = add_indicator(f);
	const json_t *ind;
	char ids[128];

	chatf(f, CHAT_A, "/viec");
	assert_reply(f, "tasks_list");
	list_ids(f->out.reply.data, ids, sizeof(ids));
	assert_null(strstr(ids, "7"));	/* the indicator is the 7th row */
	assert_int_equal(id, 7);
	ind = json_object_get(f->out.reply.data, "indicators");
	assert_int_equal(json_array_size(ind), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ind, 0), "id")), id);
	assert_int_equal(data_int(f->out.reply.data, "indicator_count"), 1);
	assert_int_equal(data_int(f->out.reply.data, "first_indicator_id"), id);
	assert_true(data_int(f->out.reply.data, "first_id") != id);
	chatf(f, CHAT_A, "/quahan");
	list_ids(f->out.reply.data, ids, sizeof(ids));
	assert_null(strstr(ids, "7"));
	assert_null(json_object_get(f->out.reply.data, "indicators"));
}

/* The status event's data, written by hand, is what jansson writes (replay reads it). */
static void
test_status_data_as_jansson(void **state)
{
	struct task t = { 0 };
	char *mine, *theirs;

	(void)state;
	for (int k = 0; k < 2; k++) {
		t.has_done_due = k == 1;
		t.done_due = (struct date){ 2025, 9, 30 };
		mine = taskop_status_data(&t);
		theirs = taskop_dump(json_pack("{s:o}", "done_due",
					       k ? json_string("2025-09-30") : json_null()));
		assert_string_equal(mine, theirs);
		assert_string_equal(mine, k ? "{\"done_due\":\"2025-09-30\"}" : "{\"done_due\":null}");
		free(mine);
		free(theirs);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_data_as_jansson),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_done_written_every_way),
		T(test_command_for_another_bot_is_ignored),
		T(test_progress_written_every_way),
		T(test_progress_note_is_kept),
		T(test_mistyped_command_gets_a_suggestion),
		T(test_plain_text_is_no_command),
		T(test_usage_errors_give_an_example),
		T(test_bad_percent),
		T(test_bad_dates),
		T(test_extension_not_later),
		T(test_done_task_takes_no_progress_nor_extension),
		T(test_unknown_task),
		T(test_focal_cannot_close_a_task_of_another_agency),
		T(test_cooperating_agency_may_report_obstacle),
		T(test_obstacle_handled_by_secretariat),
		T(test_cooperating_agency_may_reply_with_a_note),
		T(test_reply_on_a_task_of_no_concern_is_refused),
		T(test_secretariat_may_close_any_task),
		T(test_unlinked_chat_gets_instructions_only),
		T(test_inactive_person_is_not_linked),
		T(test_start_with_a_bad_code),
		T(test_start_links_the_chat_once),
		T(test_start_with_an_expired_code),
		T(test_start_moves_a_linked_chat_to_another_person),
		T(test_start_from_zalo_links_the_zalo_user),
		T(test_a_message_records_the_last_inbound),
		T(test_done_records_status_progress_note_and_cancels_notices),
		T(test_done_twice_changes_nothing_more),
		T(test_done_note_on_a_done_task_is_recorded),
		T(test_progress_starts_a_task),
		T(test_reply_to_a_reminder_records_a_note),
		T(test_reply_to_a_reminder_of_two_tasks_is_refused),
		T(test_extension_asked_then_approved),
		T(test_extension_rejected_with_a_reason),
		T(test_focal_point_cannot_decide),
		T(test_done_with_punctuation_and_filler_words),
		T(test_several_numbers_act_on_each),
		T(test_thanks_get_a_polite_answer),
		T(test_lowered_progress_says_what_it_was),
		T(test_postponed_task_refuses_progress),
		T(test_extension_asked_by_the_secretariat_goes_to_the_others),
		T(test_own_request_is_decided_by_another),
		T(test_decision_on_a_done_task_is_refused),
		T(test_extension_superseded),
		T(test_extension_moot_when_done),
		T(test_done_late_stays_late),
		T(test_pending_list),
		T(test_viewer_reads_only),
		T(test_viec_lists_the_agency_open_tasks_late_first),
		T(test_viec_of_the_secretariat_is_everything),
		T(test_quahan_lists_late_tasks_only),
		T(test_baocao_counts),
		T(test_help),
		T(test_done_button),
		T(test_forged_button_is_refused),
		T(test_button_of_another_agency_task_is_refused),
		T(test_progress_button_asks_for_the_figure),
		T(test_extension_button_suggests_a_later_day),
		T(test_malformed_buttons_are_refused),
		T(test_text_that_is_not_utf8_is_answered),
		T(test_long_note_is_cut_on_a_character_boundary),
		T(test_assessment_written_every_way),
		T(test_assessment_refusals),
		T(test_viec_lists_indicators_apart),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
