/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the calendar feeds' part of store.c (schema 13): feeds
 * recorded by their token's hash and revoked, the change counter that
 * only the tables feeds show move (whatever process writes them), the
 * tasks of each kind of feed in one pass, and the SEQUENCE and membership
 * rows read back as written.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>

#include "feed.h"
#include "registry.h"
#include "store.h"
#include "task.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	int64_t snv, syt, stc;	/* agencies */
	int64_t an;		/* a person of snv */
	int64_t doc, doc2;
	int64_t t1, t2, t3, t4;	/* snv leads t1; syt leads t2, snv cooperates; stc leads t3; t4 none */
};

static int64_t
add_task(struct fx *f, const char *code, const char *title, int64_t doc, int64_t lead,
	 int64_t coop)
{
	struct task t = { .code = (char *)code, .kind = TASK_KIND_TASK, .title = (char *)title,
			  .deadline_raw = (char *)"30/6/2026",
			  .deadline = { .precision = DEADLINE_DAY, .has_due = true,
					.due = { 2026, 6, 30 } } };
	int64_t id = 0;

	assert_int_equal(store_task_insert(f->s, &t, doc, title, 100, &id), 0);
	if (lead)
		assert_int_equal(store_task_set_agencies(f->s, id, true, false, &lead, 1), 0);
	if (coop)
		assert_int_equal(store_task_set_agencies(f->s, id, false, false, &coop, 1), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct person p = { .name = (char *)"Nguyễn Văn An", .role = ROLE_FOCAL, .active = true };
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-store-feed.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->path, sizeof(f->path), f->dir, "r.db");
	if (store_open(f->path, STORE_CREATE, &f->s, &msg) < 0) {
		fprintf(stderr, "%s\n", msg);
		free(msg);
		return -1;
	}
	if (store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &f->snv) < 0 ||
	    store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &f->syt) < 0 ||
	    store_agency_insert(f->s, "stc", "Sở Tài chính", AGENCY_DEPARTMENT, 1, &f->stc) < 0)
		return -1;
	p.agency_id = f->snv;
	if (store_person_insert(f->s, &p, 1, &f->an) < 0 ||
	    store_document_ensure(f->s, "328-KH/TU", "Kế hoạch", NULL, "", &f->doc) < 0 ||
	    store_document_ensure(f->s, "01-CTr/BCĐ", "Chương trình", NULL, "", &f->doc2) < 0)
		return -1;
	*state = f;
	f->t1 = add_task(f, "328#1", "Một", f->doc, f->snv, 0);
	f->t2 = add_task(f, "328#2", "Hai", f->doc, f->syt, f->snv);
	f->t3 = add_task(f, "01#1", "Ba", f->doc2, f->stc, 0);
	f->t4 = add_task(f, "01#2", "Bốn", f->doc2, 0, 0);
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r;
}

/* Runs sql through a connection of its own: another process writing the registry. */
static void
other_process(struct fx *f, const char *sql)
{
	testlib_sql(f->path, sql);
}

static int64_t
gen(struct fx *f)
{
	int64_t n = -1;

	assert_int_equal(store_feed_gen(f->s, &n), 0);
	return n;
}

static struct feed
feed_of(enum feed_kind k, int64_t target, const char *hash_char)
{
	struct feed x = { .kind = k, .target = target, .created_at = 1000 };

	memset(x.token_hash, hash_char[0], 64);
	return x;
}

static void
test_insert_get_revoke(void **state)
{
	struct fx *f = *state;
	struct feed a = feed_of(FEED_AGENCY, f->syt, "a"), p = feed_of(FEED_PERSON, f->an, "b");
	struct feed d = feed_of(FEED_DOCUMENT, f->doc, "c"), all = feed_of(FEED_ALL, 0, "d");
	struct feed dup = feed_of(FEED_ALL, 0, "a"), got = { 0 };
	char token[FEED_TOKEN_LEN + 1];

	assert_int_equal(store_feed_insert(f->s, &a), 0);
	p.created_by = f->an;
	assert_int_equal(store_feed_insert(f->s, &p), 0);
	assert_int_equal(store_feed_insert(f->s, &d), 0);
	assert_int_equal(store_feed_insert(f->s, &all), 0);
	assert_true(a.id > 0 && p.id > a.id && d.id > p.id && all.id > d.id);
	assert_int_equal(store_feed_insert(f->s, &dup), -EEXIST);

	assert_int_equal(store_feed_get(f->s, a.id, &got), 0);
	assert_int_equal(got.kind, FEED_AGENCY);
	assert_int_equal(got.target, f->syt);
	assert_string_equal(got.target_name, "Sở Y tế");
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.revoked_at, 0);
	assert_int_equal(got.fetches, 0);
	assert_null(got.client);
	feed_release(&got);
	assert_int_equal(store_feed_get(f->s, p.id, &got), 0);
	assert_string_equal(got.target_name, "Nguyễn Văn An");
	assert_int_equal(got.created_by, f->an);
	feed_release(&got);
	assert_int_equal(store_feed_by_hash(f->s, d.token_hash, &got), 0);
	assert_int_equal(got.id, d.id);
	assert_string_equal(got.target_name, "328-KH/TU");
	feed_release(&got);
	assert_int_equal(store_feed_get(f->s, all.id, &got), 0);
	assert_null(got.target_name);
	assert_int_equal(got.target, 0);
	feed_release(&got);

	/* A real token's hash, as the server computes it from a request. */
	assert_int_equal(feed_token_new(token, dup.token_hash), 0);
	assert_int_equal(store_feed_insert(f->s, &dup), 0);
	assert_int_equal(store_feed_by_hash(f->s, dup.token_hash, &got), 0);
	assert_int_equal(got.id, dup.id);
	feed_release(&got);

	assert_int_equal(store_feed_revoke(f->s, a.id, 2000), 0);
	assert_int_equal(store_feed_revoke(f->s, a.id, 2001), -EALREADY);
	assert_int_equal(store_feed_revoke(f->s, 999, 2001), -ENOENT);
	assert_int_equal(store_feed_by_hash(f->s, a.token_hash, &got), -ENOENT);
	assert_int_equal(store_feed_get(f->s, a.id, &got), 0);
	assert_int_equal(got.revoked_at, 2000);
	feed_release(&got);
	assert_int_equal(store_feed_get(f->s, 999, &got), -ENOENT);
	/* Revoked at the epoch is still revoked. */
	assert_int_equal(store_feed_revoke(f->s, d.id, 0), 0);
	assert_int_equal(store_feed_by_hash(f->s, d.token_hash, &got), -ENOENT);
}

/* A person's live feeds, on them or made by them, revoked at once; no one else's. */
static void
test_revoke_of_person(void **state)
{
	struct fx *f = *state;
	struct feed on = feed_of(FEED_PERSON, f->an, "a"), made = feed_of(FEED_ALL, 0, "b");
	struct feed other = feed_of(FEED_AGENCY, f->snv, "c"), old = feed_of(FEED_PERSON, f->an, "d");
	struct feed got = { 0 };
	int64_t n = -1;

	made.created_by = f->an;
	assert_int_equal(store_feed_insert(f->s, &on), 0);
	assert_int_equal(store_feed_insert(f->s, &made), 0);
	assert_int_equal(store_feed_insert(f->s, &other), 0);
	assert_int_equal(store_feed_insert(f->s, &old), 0);
	assert_int_equal(store_feed_revoke(f->s, old.id, 1500), 0);

	assert_int_equal(store_feed_revoke_of_person(f->s, f->an, 2000, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(store_feed_by_hash(f->s, on.token_hash, &got), -ENOENT);
	assert_int_equal(store_feed_by_hash(f->s, made.token_hash, &got), -ENOENT);
	assert_int_equal(store_feed_by_hash(f->s, other.token_hash, &got), 0);
	feed_release(&got);
	/* Revoked before keeps its own time. */
	assert_int_equal(store_feed_get(f->s, old.id, &got), 0);
	assert_int_equal(got.revoked_at, 1500);
	feed_release(&got);
	assert_int_equal(store_feed_revoke_of_person(f->s, f->an, 2001, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_feed_revoke_of_person(f->s, 999, 2001, NULL), 0);
}

/* A person's live feeds made from chat, oldest first; the revoked ones forgotten later. */
static void
test_live_by_creator_and_prune(void **state)
{
	struct fx *f = *state;
	struct feed a = feed_of(FEED_PERSON, f->an, "a"), b = feed_of(FEED_ALL, 0, "b");
	struct feed c = feed_of(FEED_PERSON, f->an, "c"), cli = feed_of(FEED_AGENCY, f->snv, "d");
	struct feed got = { 0 };
	int64_t *ids = NULL, n = -1;
	size_t k = 9;

	a.created_by = b.created_by = c.created_by = f->an;
	assert_int_equal(store_feed_insert(f->s, &a), 0);
	assert_int_equal(store_feed_insert(f->s, &cli), 0);
	assert_int_equal(store_feed_insert(f->s, &b), 0);
	assert_int_equal(store_feed_insert(f->s, &c), 0);
	assert_int_equal(store_feed_live_by_creator(f->s, f->an, &ids, &k), 0);
	assert_int_equal(k, 3);
	assert_int_equal(ids[0], a.id);
	assert_int_equal(ids[1], b.id);
	assert_int_equal(ids[2], c.id);
	free(ids);
	assert_int_equal(store_feed_revoke(f->s, b.id, 2000), 0);
	assert_int_equal(store_feed_revoke(f->s, cli.id, 2000), 0);
	assert_int_equal(store_feed_live_by_creator(f->s, f->an, &ids, &k), 0);
	assert_int_equal(k, 2);
	assert_int_equal(ids[0], a.id);
	assert_int_equal(ids[1], c.id);
	free(ids);
	/* Nobody's: the CLI's (created_by 0) are no one's made from chat. */
	ids = NULL;
	assert_int_equal(store_feed_live_by_creator(f->s, 0, &ids, &k), 0);
	assert_int_equal(k, 0);
	assert_null(ids);

	/* Revoked at 2000: kept before, forgotten after; the CLI's and the live ones stay. */
	assert_int_equal(store_feed_prune(f->s, 2000, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_feed_prune(f->s, 2001, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_feed_get(f->s, b.id, &got), -ENOENT);
	assert_int_equal(store_feed_get(f->s, cli.id, &got), 0);
	feed_release(&got);
	assert_int_equal(store_feed_get(f->s, a.id, &got), 0);
	feed_release(&got);
}

static void
test_insert_unknown_target(void **state)
{
	struct fx *f = *state;
	struct feed a = feed_of(FEED_AGENCY, 999, "a"), p = feed_of(FEED_PERSON, 999, "b");
	struct feed d = feed_of(FEED_DOCUMENT, 999, "c"), pa = feed_of(FEED_PERSON, f->snv + 100, "d");

	assert_int_equal(store_feed_insert(f->s, &a), -ENOENT);
	assert_int_equal(store_feed_insert(f->s, &p), -ENOENT);
	assert_int_equal(store_feed_insert(f->s, &d), -ENOENT);
	assert_int_equal(store_feed_insert(f->s, &pa), -ENOENT);
	assert_int_equal(a.id, 0);
}

struct seen {
	int64_t ids[8];
	int n;
	int64_t fetches, fetched_at;
	char client[32];
};

static int
seen_feed(const struct feed *x, void *userdata)
{
	struct seen *v = userdata;

	v->ids[v->n++] = x->id;
	v->fetches = x->fetches;
	v->fetched_at = x->fetched_at;
	snprintf(v->client, sizeof(v->client), "%s", x->client ? x->client : "(null)");
	return 0;
}

static void
test_foreach_and_fetched(void **state)
{
	struct fx *f = *state;
	struct feed a = feed_of(FEED_AGENCY, f->snv, "a"), b = feed_of(FEED_ALL, 0, "b");
	struct seen v = { 0 };

	assert_int_equal(store_feed_insert(f->s, &a), 0);
	assert_int_equal(store_feed_insert(f->s, &b), 0);
	assert_int_equal(store_feed_revoke(f->s, a.id, 5), 0);
	assert_int_equal(store_feed_fetched(f->s, b.id, 3000, "Google-Calendar-Importer", 4), 0);
	/* A batch that arrives late counts, but the latest client stays. */
	assert_int_equal(store_feed_fetched(f->s, b.id, 2000, "Thunderbird", 1), 0);
	assert_int_equal(store_feed_fetched(f->s, 999, 2000, "x", 1), -ENOENT);
	assert_int_equal(store_feed_foreach(f->s, seen_feed, &v), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[0], a.id);
	assert_int_equal(v.ids[1], b.id);
	assert_int_equal(v.fetches, 5);
	assert_int_equal(v.fetched_at, 3000);
	assert_string_equal(v.client, "Google-Calendar-Importer");
	assert_int_equal(store_feed_fetched(f->s, b.id, 4000, NULL, 1), 0);
	v.n = 0;
	assert_int_equal(store_feed_foreach(f->s, seen_feed, &v), 0);
	assert_string_equal(v.client, "");
}

/* What changed since since, as store_feed_changes says: wide or not, and the task ids. */
static bool
changes(struct fx *f, int64_t since, int64_t *want, size_t n_want)
{
	int64_t *ids = NULL;
	size_t n = 0;
	bool wide = false, same;

	assert_int_equal(store_feed_changes(f->s, since, &wide, &ids, &n), 0);
	same = n == n_want && (n == 0 || memcmp(ids, want, n * sizeof(*ids)) == 0);
	if (!same) {
		fprintf(stderr, "changes since %lld:", (long long)since);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %lld", (long long)ids[i]);
		fprintf(stderr, "\n");
	}
	assert_true(same);
	free(ids);
	return wide;
}

static void
test_gen_counts_what_feeds_show(void **state)
{
	struct fx *f = *state;
	struct message m = { .kind = MESSAGE_REMINDER, .subject = "nhắc", .body = "nhắc",
			     .channel = "email", .next_at = 1, .created_at = 1, .person_id = f->an,
			     .day = { 2026, 6, 1 } };
	struct feed x = feed_of(FEED_ALL, 0, "a");
	struct feed_seq q = { .task_id = f->t1, .seq = 1, .sig = "ab", .changed_at = 5 };
	struct feed_member mb = { .task_id = f->t1 };
	struct task t = { 0 };
	struct extension e = { .task_id = f->t3, .person_id = f->an, .due = { 2026, 9, 30 },
			       .reason = (char *)"chờ", .precision = DEADLINE_DAY };
	int64_t g0 = gen(f), g, id = 0;
	int64_t t1[] = { f->t1 }, t2[] = { f->t2 }, t3[] = { f->t3 }, t4[] = { f->t4 };

	assert_true(g0 > 0);	/* the fixture's inserts */
	/* Messages, notices' bookkeeping, addresses, the feeds' own rows: no change. */
	assert_int_equal(store_message_insert(f->s, &m, &m.id), 0);
	assert_int_equal(store_feed_insert(f->s, &x), 0);
	assert_int_equal(store_feed_member_set(f->s, x.id, &mb), 0);
	assert_int_equal(store_feed_fetched(f->s, x.id, 10, "ua", 1), 0);
	assert_int_equal(store_feed_revoke(f->s, x.id, 10), 0);
	other_process(f, "UPDATE task SET next_notice = '2026-06-01', planned_through = '2026-06-01';"
		      "UPDATE task SET first_notice = '2026-05-01';"
		      "INSERT INTO meta(key, value) VALUES ('x', 'y');"
		      "UPDATE document SET title = 'Kế hoạch 328' WHERE number = '328-KH/TU';"
		      "UPDATE agency SET kind = kind;"
		      "INSERT INTO person(name, agency_id, role, created_at)"
		      " SELECT 'Người mới', id, 'focal', 1 FROM agency WHERE code = 'stc'");
	assert_int_equal(gen(f), g0);
	assert_false(changes(f, g0, NULL, 0));

	/* A task's SEQUENCE raised (by another feed's build): that task, in every feed. */
	assert_int_equal(store_feed_seq_set(f->s, &q), 0);
	assert_true(gen(f) > g0);
	assert_false(changes(f, g0, t1, 1));
	g = gen(f);

	/* A task's change, made here or by another process: that task alone. */
	assert_int_equal(store_task_get(f->s, f->t2, &t), 0);
	t.progress = 50;
	assert_int_equal(store_task_update(f->s, &t, 200), 0);
	task_release(&t);
	assert_true(gen(f) > g);
	assert_false(changes(f, g, t2, 1));
	g = gen(f);
	other_process(f, "UPDATE task SET status = 'done' WHERE code = '328#2'");
	assert_true(gen(f) > g);
	assert_false(changes(f, g, t2, 1));
	g = gen(f);
	/* Its agencies. */
	assert_int_equal(store_task_set_agencies(f->s, f->t4, true, true, &f->stc, 1), 0);
	assert_true(gen(f) > g);
	assert_false(changes(f, g, t4, 1));
	g = gen(f);
	/* A deadline change asked. */
	assert_int_equal(store_extension_add(f->s, &e, 300, &id), 0);
	assert_true(gen(f) > g);
	assert_false(changes(f, g, t3, 1));
	/* Everything since g0, once each and in order. */
	int64_t all[] = { f->t1, f->t2, f->t3, f->t4 };

	assert_false(changes(f, g0, all, 4));
	g = gen(f);

	/* What many tasks show: every feed whole. */
	other_process(f, "UPDATE agency SET name = 'Sở Tài chính tỉnh' WHERE code = 'stc'");
	assert_true(gen(f) > g);
	assert_true(changes(f, g, NULL, 0));
	g = gen(f);
	other_process(f, "UPDATE document SET number = '328-KH/TU (sửa)' WHERE number = '328-KH/TU'");
	assert_true(gen(f) > g);
	assert_true(changes(f, g, NULL, 0));
	g = gen(f);
	other_process(f, "UPDATE person SET lang = 'en'");
	assert_true(gen(f) > g);
	assert_true(changes(f, g, NULL, 0));
	assert_false(changes(f, gen(f), NULL, 0));
}

/*
 * The change log keeps the last STORE_FEED_CHANGES_KEPT changes, as many
 * as were really made (task updates by another process): what changed
 * since a counter further back is "everything" (wide), what changed since
 * a recent one is still the tasks alone, and the log does not grow.
 */
static void
test_change_log_bounded(void **state)
{
	struct fx *f = *state;
	int64_t g0 = gen(f), g, t1[] = { f->t1 }, both[] = { f->t1, f->t2 }, rows;

	/* The other connection's updates, one at a time, t1 last. */
	if (testlib_is_pg(f->path)) {
		char sql[512];

		/*
		 * Committed every 500: one row updated 100,000 times in one
		 * transaction of PostgreSQL's walks an ever longer chain of its
		 * versions (minutes), where the daemon's are a batch long.
		 */
		snprintf(sql, sizeof(sql), "DO $$ BEGIN FOR i IN 0..%d LOOP UPDATE task"
			 " SET progress = (progress + 1) %% 100 WHERE id = CASE WHEN i %% 2 = 1"
			 " THEN %lld ELSE %lld END; IF i %% 500 = 499 THEN COMMIT; END IF;"
			 " END LOOP; END $$", STORE_FEED_CHANGES_KEPT + 9, (long long)f->t1,
			 (long long)f->t2);
		testlib_sql(f->path, sql);
	} else {
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 2000);
		assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "UPDATE task SET progress = (progress + 1) % 100"
						    " WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
		for (int i = 0; i < STORE_FEED_CHANGES_KEPT + 10; i++) {
			sqlite3_bind_int64(st, 1, i % 2 ? f->t1 : f->t2);
			assert_int_equal(sqlite3_step(st), SQLITE_DONE);
			sqlite3_reset(st);
		}
		sqlite3_finalize(st);
		assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}

	g = gen(f);
	assert_true(g - g0 >= STORE_FEED_CHANGES_KEPT + 10);
	/* Further back than the log: built whole, no list. */
	assert_true(changes(f, g0, NULL, 0));
	assert_true(changes(f, g - STORE_FEED_CHANGES_KEPT - 1, NULL, 0));
	/* Within it: the two tasks, or the one changed last. */
	assert_false(changes(f, g - STORE_FEED_CHANGES_KEPT, both, 2));
	assert_false(changes(f, g - 1, t1, 1));
	assert_false(changes(f, g, NULL, 0));

	rows = testlib_sql_int(f->path, "SELECT count(*) FROM feed_change");
	assert_true(rows > 0 && rows <= STORE_FEED_CHANGES_KEPT);
}

struct got_tasks {
	int64_t ids[8];
	int n;
	bool pending[8];
	size_t leads[8], coops[8];
	char first_coop[32];
};

static int
got_task(const struct task *t, bool pending, void *userdata)
{
	struct got_tasks *v = userdata;

	v->pending[v->n] = pending;
	v->leads[v->n] = t->n_leads;
	v->coops[v->n] = t->n_coops;
	if (t->n_coops)
		snprintf(v->first_coop, sizeof(v->first_coop), "%s", t->coops[0]);
	v->ids[v->n++] = t->id;
	return 0;
}

static struct got_tasks
tasks_of(struct fx *f, enum feed_kind k, int64_t target)
{
	struct feed x = { .kind = k, .target = target };
	struct got_tasks v = { 0 };

	assert_int_equal(store_feed_tasks(f->s, &x, NULL, 0, got_task, &v), 0);
	return v;
}

static void
test_tasks_of_each_kind(void **state)
{
	struct fx *f = *state;
	struct extension e = { .task_id = f->t2, .person_id = f->an, .due = { 2026, 9, 30 },
			       .reason = (char *)"chờ", .precision = DEADLINE_DAY };
	struct got_tasks v;
	int64_t id = 0;

	assert_int_equal(store_extension_add(f->s, &e, 300, &id), 0);
	/* snv leads t1 and cooperates on t2. */
	v = tasks_of(f, FEED_AGENCY, f->snv);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[0], f->t1);
	assert_int_equal(v.ids[1], f->t2);
	assert_false(v.pending[0]);
	assert_true(v.pending[1]);
	assert_int_equal(v.leads[1], 1);
	assert_int_equal(v.coops[1], 1);
	assert_string_equal(v.first_coop, "Sở Nội vụ");
	/* An, of snv: the same. */
	v = tasks_of(f, FEED_PERSON, f->an);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[1], f->t2);
	v = tasks_of(f, FEED_AGENCY, f->stc);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.ids[0], f->t3);
	v = tasks_of(f, FEED_DOCUMENT, f->doc2);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ids[0], f->t3);
	assert_int_equal(v.ids[1], f->t4);
	assert_int_equal(v.leads[0], 1);
	assert_int_equal(v.leads[1], 0);
	v = tasks_of(f, FEED_ALL, 0);
	assert_int_equal(v.n, 4);
	assert_int_equal(v.leads[0] + v.leads[1] + v.leads[2] + v.leads[3], 3);
	assert_true(v.pending[1] && !v.pending[0] && !v.pending[2] && !v.pending[3]);
	v = tasks_of(f, FEED_AGENCY, 999);
	assert_int_equal(v.n, 0);
}

static void
test_seq_and_members_round_trip(void **state)
{
	struct fx *f = *state;
	struct feed x = feed_of(FEED_ALL, 0, "a");
	struct feed_seq q = { .task_id = f->t2, .seq = 0, .sig = "0123456789abcdef0123456789abcdef",
			      .changed_at = 7 };
	struct feed_seq *qs = NULL;
	struct feed_member m = { .task_id = f->t3 }, *ms = NULL;
	size_t n = 9;

	assert_int_equal(store_feed_seqs(f->s, NULL, 0, &qs, &n), 0);
	assert_int_equal(n, 0);
	free(qs);
	assert_int_equal(store_feed_seq_set(f->s, &q), 0);
	q.task_id = f->t1;
	assert_int_equal(store_feed_seq_set(f->s, &q), 0);
	q.seq = 3;
	q.changed_at = 9;
	snprintf(q.sig, sizeof(q.sig), "ffff");
	assert_int_equal(store_feed_seq_set(f->s, &q), 0);
	assert_int_equal(store_feed_seqs(f->s, NULL, 0, &qs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(qs[0].task_id, f->t1);
	assert_int_equal(qs[0].seq, 3);
	assert_string_equal(qs[0].sig, "ffff");
	assert_int_equal(qs[0].changed_at, 9);
	assert_int_equal(qs[1].task_id, f->t2);
	assert_string_equal(qs[1].sig, "0123456789abcdef0123456789abcdef");
	free(qs);

	assert_int_equal(store_feed_insert(f->s, &x), 0);
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	m.task_id = f->t1;
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	m.left_at = 500;
	m.left_seq = 4;
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	assert_int_equal(store_feed_member_set(f->s, 999, &m), -ENOENT);
	assert_int_equal(store_feed_members(f->s, x.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ms[0].task_id, f->t1);
	assert_int_equal(ms[0].left_at, 500);
	assert_int_equal(ms[0].left_seq, 4);
	assert_int_equal(ms[1].task_id, f->t3);
	assert_int_equal(ms[1].left_at, 0);
	free(ms);
	assert_int_equal(store_feed_member_drop(f->s, x.id, f->t1), 0);
	assert_int_equal(store_feed_members(f->s, x.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].task_id, f->t3);
	free(ms);
	assert_int_equal(store_feed_members(f->s, 999, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 0);
	free(ms);
}

/* Revoking a feed drops its membership rows, and any a build under way wrote to a revoked one. */
static void
test_revoke_drops_members(void **state)
{
	struct fx *f = *state;
	struct feed x = feed_of(FEED_AGENCY, f->snv, "e"), y = feed_of(FEED_AGENCY, f->syt, "f");
	struct feed z = feed_of(FEED_ALL, 0, "0");
	struct feed_member m = { .task_id = f->t1 }, *ms = NULL;
	size_t n = 9;

	assert_int_equal(store_feed_insert(f->s, &x), 0);
	assert_int_equal(store_feed_insert(f->s, &y), 0);
	assert_int_equal(store_feed_insert(f->s, &z), 0);
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	assert_int_equal(store_feed_member_set(f->s, y.id, &m), 0);
	m.task_id = f->t2;
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	assert_int_equal(store_feed_member_set(f->s, z.id, &m), 0);
	assert_int_equal(store_feed_revoke(f->s, x.id, 50), 0);
	assert_int_equal(store_feed_members(f->s, x.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 0);
	free(ms);
	assert_int_equal(store_feed_members(f->s, y.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ms[0].task_id, f->t1);
	free(ms);
	/* A build of x that had looked it up before the revoke writes its members after it. */
	assert_int_equal(store_feed_member_set(f->s, x.id, &m), 0);
	assert_int_equal(store_feed_revoke(f->s, x.id, 60), -EALREADY);
	assert_int_equal(store_feed_members(f->s, x.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 0);
	free(ms);
	assert_int_equal(store_feed_members(f->s, z.id, NULL, 0, &ms, &n), 0);
	assert_int_equal(n, 1);
	free(ms);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_get_revoke, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_of_person, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_by_creator_and_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_unknown_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreach_and_fetched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gen_counts_what_feeds_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_log_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks_of_each_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_and_members_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_drops_members, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_feed", tests, NULL, NULL);
}
