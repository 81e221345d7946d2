/* SPDX-License-Identifier: MIT */
/*
 * Tests of obstacle.c: who is told of an obstacle (the secretariat a
 * channel reaches, once), marking it handled (the row, the event, the
 * task's flag once its last one is), the refusals that change nothing,
 * and verify's replay of it all, an obstacle of before schema 8 (an event
 * without data, its row made by migration 8) included.
 */
#include "testlib.h"

#include <errno.h>

#include "audit.h"
#include "channels.h"
#include "config.h"
#include "obstacle.h"
#include "registry.h"
#include "store.h"
#include "task.h"
#include "taskops.h"

struct fx {
	char dir[64];
	char db[128];
	char outbox[128];
	struct store *s;
	struct config cfg;
	struct channels *cs;
	int64_t agency, focal, secretariat, secretariat_gone, task;
};

static const struct actor an = { .name = "Nguyễn Văn An", .channel = "telegram" };

#define AT(h) ((int64_t)1759795200 + (h) * 3600)	/* 2025-10-07 00:00 UTC, plus h hours */

static int64_t
add_person(struct fx *f, const char *name, enum person_role role, bool active)
{
	struct person p = { .name = (char *)name, .agency_id = f->agency, .role = role,
			    .active = active };
	int64_t id = 0;

	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct task t = { 0 };
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-obstacle.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	snprintf(f->outbox, sizeof(f->outbox), "%s/outbox", f->dir);
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0 ||
	    (f->cfg.outbox_dir = f->outbox, channels_open(&f->cfg, &f->cs, &msg) < 0)) {
		fprintf(stderr, "setup: %s\n", msg);
		free(msg);
		return -1;
	}
	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1,
					     &f->agency), 0);
	f->focal = add_person(f, "Nguyễn Văn An", ROLE_FOCAL, true);
	f->secretariat = add_person(f, "Phạm Thị Dung", ROLE_SECRETARIAT, true);
	f->secretariat_gone = add_person(f, "Lê Văn Em", ROLE_SECRETARIAT, false);
	t.code = "T#1";
	t.kind = TASK_KIND_TASK;
	t.title = "Báo cáo sơ kết ngành y tế";
	t.deadline_raw = "31/12/2025";
	t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true,
					.due = { 2025, 12, 31 }, .year_given = true };
	t.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_insert(f->s, &t, 0, "t1", 1, &f->task), 0);
	assert_int_equal(store_task_set_agencies(f->s, f->task, true, false, &f->agency, 1), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	channels_free(f->cs);
	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

static bool
flag_of(struct fx *f)
{
	struct task t = { 0 };
	bool open;

	assert_int_equal(store_task_get(f->s, f->task, &t), 0);
	open = t.obstacle_open;
	task_release(&t);
	return open;
}

/* Reports text on the task as An through taskops, as /vuongmac does; its id. */
static int64_t
report(struct fx *f, const char *text, int64_t at)
{
	struct actor a = an;
	struct task t = { 0 };
	int64_t id = 0;

	a.person_id = f->focal;
	assert_int_equal(store_task_get(f->s, f->task, &t), 0);
	assert_int_equal(taskop_obstacle(f->s, &t, text, &a, at, &id), 0);
	assert_int_equal(taskop_save(f->s, &t, at), 0);
	task_release(&t);
	return id;
}

/* The lines of verify about obstacles, or "" (a new string). */
static char *
verify_obstacles(struct fx *f)
{
	char *all = NULL, *found = NULL, *line, *save = NULL;
	size_t len = 0, flen = 0, n = 0;
	FILE *out = open_memstream(&all, &len), *keep = open_memstream(&found, &flen);

	assert_non_null(out);
	assert_non_null(keep);
	assert_int_equal(audit_replay(f->s, out, &n), 0);
	fclose(out);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "obstacle"))
			fprintf(keep, "%s\n", line);
	fclose(keep);
	free(all);
	return found;
}

static void
test_notify_reachable_secretariat_once(void **state)
{
	struct fx *f = *state;
	struct obstacle o = { .task_id = 0 };

	o.task_id = f->task;
	o.id = report(f, "chưa được bố trí kinh phí", AT(2));
	assert_int_equal(o.id, 1);
	assert_true(flag_of(f));
	/* The active member only, once however often it is asked. */
	assert_int_equal(obstacle_notify(f->s, f->cs, &o, (struct date){ 2025, 10, 7 }, AT(2)), 1);
	assert_int_equal(obstacle_notify(f->s, f->cs, &o, (struct date){ 2025, 10, 7 }, AT(2)), 0);
	/* Without channels nobody is reached, and the answer can say so. */
	assert_int_equal(obstacle_notify(f->s, NULL, &o, (struct date){ 2025, 10, 8 }, AT(26)), 0);
}

static void
test_handle_clears_flag_with_last(void **state)
{
	struct fx *f = *state;
	struct actor dung = { .name = "Phạm Thị Dung", .channel = "telegram" };
	struct obstacle o = { 0 };
	int64_t one, two;
	char *v;

	dung.person_id = f->secretariat;
	one = report(f, "chưa được bố trí kinh phí", AT(2));
	two = report(f, "thiếu nhân lực", AT(3));
	/* Refusals: no note, no such obstacle. */
	assert_int_equal(obstacle_handle(f->s, one, "", &dung, AT(4), &o), -EINVAL);
	assert_int_equal(obstacle_handle(f->s, 99, "x", &dung, AT(4), &o), -ENOENT);
	assert_true(flag_of(f));

	assert_int_equal(obstacle_handle(f->s, one, "đã đề nghị bố trí", &dung, AT(4), &o), 0);
	assert_int_equal(o.state, OBSTACLE_HANDLED);
	assert_string_equal(o.note, "đã đề nghị bố trí");
	assert_string_equal(o.handler, "Phạm Thị Dung");
	assert_int_equal(o.handled_by, f->secretariat);
	assert_int_equal(o.person_id, f->focal);
	obstacle_release(&o);
	assert_true(flag_of(f));	/* two is still open */
	assert_int_equal(obstacle_handle(f->s, one, "lần nữa", &dung, AT(5), &o), -EALREADY);
	assert_int_equal(store_obstacle_get(f->s, one, &o), 0);
	assert_string_equal(o.note, "đã đề nghị bố trí");	/* unchanged */
	obstacle_release(&o);

	assert_int_equal(obstacle_handle(f->s, two, "đã bổ sung", &dung, AT(6), NULL), 0);
	assert_false(flag_of(f));
	assert_int_equal(store_obstacle_count_open(f->s, f->task), 0);
	v = verify_obstacles(f);
	assert_string_equal(v, "");
	free(v);
}

/* An obstacle of before schema 8: an event without data, its row made by migration 8. */
static void
test_replay_legacy_obstacle(void **state)
{
	struct fx *f = *state;
	struct actor dung = { .name = "Phạm Thị Dung", .channel = "cli" };
	struct event e = { .task_id = 0, .at = AT(1), .actor = "Nguyễn Văn An", .channel = "telegram",
			   .kind = "obstacle", .text = "vướng mắc cũ" };
	struct obstacle row = { .actor = "Nguyễn Văn An", .text = "vướng mắc cũ", .created_at = AT(1) };
	struct task t = { 0 };
	int64_t id = 0, next;
	char *v;

	e.task_id = f->task;
	row.task_id = f->task;
	assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_obstacle_insert(f->s, &row, &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(store_task_get(f->s, f->task, &t), 0);
	t.obstacle_open = true;
	assert_int_equal(store_task_update(f->s, &t, AT(1)), 0);
	task_release(&t);
	v = verify_obstacles(f);
	assert_string_equal(v, "");
	free(v);

	/* A new one after it takes the next number, and both replay. */
	next = report(f, "thiếu nhân lực", AT(2));
	assert_int_equal(next, 2);
	assert_int_equal(obstacle_handle(f->s, 1, "đã xử lý", &dung, AT(3), NULL), 0);
	assert_true(flag_of(f));
	v = verify_obstacles(f);
	assert_string_equal(v, "");
	free(v);

	/* A row changed behind dondoc's back is named. */
	assert_int_equal(store_obstacle_handle(f->s, 2, 0, "ai đó", "tự sửa", AT(4)), 0);
	v = verify_obstacles(f);
	assert_non_null(strstr(v, "obstacle 2: state is 'handled' in the registry, the history says 'open'"));
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_reachable_secretariat_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handle_clears_flag_with_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_legacy_obstacle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
