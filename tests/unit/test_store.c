/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of store.c on real SQLite files in a temporary directory.
 */
#include "testlib.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instance.h"
#include "lease.h"
#include "notice.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-store.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->path, sizeof(f->path), f->dir, "r.db");
	if (store_open(f->path, STORE_CREATE, &f->s, &msg) < 0) {
		free(msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	if (testlib_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void
test_open_missing_and_uninitialised(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	char path[160], *msg = NULL;
	FILE *fp;

	testlib_sqlite_only();
	snprintf(path, sizeof(path), "%s/none.db", f->dir);
	assert_int_equal(store_open(path, STORE_READ, &s, &msg), -ENOENT);
	assert_non_null(strstr(msg, "does not exist"));
	free(msg);
	msg = NULL;
	/* Not SQLite at all. */
	snprintf(path, sizeof(path), "%s/junk.db", f->dir);
	fp = fopen(path, "w");
	fputs("this is not a database, just some text that is long enough ........................................", fp);
	fclose(fp);
	assert_int_equal(store_open(path, STORE_WRITE, &s, &msg), -EBADMSG);
	assert_non_null(strstr(msg, "not a dondoc database"));
	free(msg);
	msg = NULL;
	assert_null(s);
	/* A registry cut short is damaged, not "not a dondoc database", and left as it is. */
	snprintf(path, sizeof(path), "%s/cut.db", f->dir);
	assert_int_equal(store_open(path, STORE_CREATE, &s, NULL), 0);
	s = store_close(s);
	assert_int_equal(truncate(path, 3000), 0);
	assert_int_equal(store_open(path, STORE_WRITE, &s, &msg), -EBADMSG);
	assert_non_null(strstr(msg, "is damaged (database disk image is malformed)"));
	free(msg);
	assert_null(s);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 3000);
	}
	/* Cut within its first page, SQLite sees an empty database: init must not build on it. */
	assert_int_equal(truncate(path, 50), 0);
	assert_int_equal(store_open(path, STORE_CREATE, &s, &msg), -EBADMSG);
	assert_non_null(strstr(msg, "is damaged (50 bytes"));
	free(msg);
	assert_null(s);
}

static void
test_schema_version_and_reopen(void **state)
{
	struct fx *f = *state;
	struct store *s = NULL;
	bool pg = testlib_is_pg(f->path);

	assert_int_equal(testlib_sql_int(f->path, pg ? "SELECT max(version) FROM dondoc_schema"
							: "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/* A future schema is refused rather than misread. */
	testlib_sql(f->path, pg ? "UPDATE dondoc_schema SET version = 99" : "PRAGMA user_version = 99");
	assert_int_equal(store_open(f->path, STORE_READ, &s, NULL), -EBADMSG);
}

static void
test_agency_lookup(void **state)
{
	struct fx *f = *state;
	struct agency a = { 0 };
	int64_t id = 0;

	assert_int_equal(store_agency_insert(f->s, "skhcn", "Sở Khoa học và Công nghệ",
					     AGENCY_DEPARTMENT, 1, &id), 0);
	assert_int_equal(store_agency_insert(f->s, "other", "SỞ KHOA HỌC VÀ CÔNG NGHỆ.",
					     AGENCY_DEPARTMENT, 1, NULL), -EEXIST);
	assert_int_equal(store_agency_alias_add(f->s, id, "Sở KH&CN"), 1);	/* added */
	assert_int_equal(store_agency_alias_add(f->s, id, "SỞ KH&CN"), 0);	/* had it */
	assert_int_equal(store_agency_lookup(f->s, "so khoa hoc va cong nghe", &a), 0);
	assert_int_equal(a.id, id);
	agency_release(&a);
	assert_int_equal(store_agency_lookup(f->s, "sở kh&cn", &a), 0);
	assert_string_equal(a.code, "skhcn");
	agency_release(&a);
	assert_int_equal(store_agency_lookup(f->s, "skhcn", &a), 0);
	agency_release(&a);
	assert_int_equal(store_agency_lookup(f->s, "Sở Y tế", &a), -ENOENT);
	assert_int_equal(store_agency_code_taken(f->s, "skhcn"), 1);
	assert_int_equal(store_agency_code_taken(f->s, "syt"), 0);
}

static void
test_task_round_trip(void **state)
{
	struct fx *f = *state;
	struct task t = { 0 }, got = { 0 };
	int64_t a1 = 0, a2 = 0, doc = 0, id = 0, ids[2];

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a1), 0);
	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &a2), 0);
	assert_int_equal(store_document_ensure(f->s, "01-CTr/BCĐ", "Chương trình", "2025-06-10",
					       "Chương trình 01-CTr/BCĐ", &doc), 0);
	t.code = "01-CTr/BCĐ#1";
	t.kind = TASK_KIND_TASK;
	t.title = "Xây dựng kế hoạch";
	t.deadline_raw = "Quý II";
	t.deadline = (struct deadline){ .precision = DEADLINE_QUARTER, .has_due = true, .due = { 2025, 6, 30 } };
	t.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_insert(f->s, &t, doc, "xay dung ke hoach", 100, &id), 0);
	assert_int_equal(store_task_insert(f->s, &t, doc, "xay dung ke hoach", 100, NULL), -EEXIST);
	ids[0] = a2;
	ids[1] = a1;
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, ids, 2), 0);

	assert_int_equal(store_task_find(f->s, doc, "xay dung ke hoach", &got), 0);
	assert_int_equal(got.id, id);
	assert_string_equal(got.document, "01-CTr/BCĐ");
	assert_string_equal(got.deadline_raw, "Quý II");
	assert_true(got.deadline.has_due);
	assert_int_equal(got.deadline.due.m, 6);
	assert_int_equal(got.deadline.precision, DEADLINE_QUARTER);
	assert_int_equal(got.status, TASK_IN_PROGRESS);
	assert_int_equal(got.n_leads, 2);
	assert_string_equal(got.leads[0], "Sở Y tế");
	assert_string_equal(got.leads[1], "Sở Nội vụ");

	got.status = TASK_DONE;
	got.done_at = 200;
	got.progress = 100;
	assert_int_equal(store_task_update(f->s, &got, 200), 0);
	task_release(&got);
	assert_int_equal(store_task_get(f->s, id, &got), 0);
	assert_int_equal(got.status, TASK_DONE);
	assert_int_equal(got.done_at, 200);
	assert_int_equal(got.progress, 100);
	task_release(&got);
	assert_int_equal(store_task_get(f->s, id + 1, &got), -ENOENT);
	/* A document is found again by its number, whatever the case. */
	assert_int_equal(store_document_ensure(f->s, "01-ctr/bcđ", "", NULL, NULL, &a1), 0);
	assert_int_equal(a1, doc);
}

/*
 * A task's agencies come in the order they were given, each role apart,
 * whatever their ids: a few (put in order as read), and more than
 * load_leads keeps room for (SQLite sorts them).
 */
static void
test_task_agency_order(void **state)
{
	struct fx *f = *state;
	struct task t = { .code = "T1", .kind = TASK_KIND_TASK, .title = "Việc",
			  .deadline_raw = "" }, got = { 0 };
	int64_t ids[20], id = 0;
	char code[16], name[32];

	for (int i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "a%d", i);
		snprintf(name, sizeof(name), "Sở %02d", i);
		assert_int_equal(store_agency_insert(f->s, code, name, AGENCY_DEPARTMENT, 1, &ids[i]), 0);
	}
	assert_int_equal(store_task_insert(f->s, &t, 0, "viec", 100, &id), 0);
	for (size_t n = 3; n <= 20; n += 17) {
		int64_t leads[20], coops[3] = { ids[5], ids[1], ids[9] };

		/* Given from the highest id down, but the leads of 3 as 2, 0, 1. */
		for (size_t i = 0; i < n; i++)
			leads[i] = ids[n - 1 - i];
		if (n == 3) {
			leads[0] = ids[2];
			leads[1] = ids[0];
			leads[2] = ids[1];
		}
		assert_int_equal(store_task_set_agencies(f->s, id, true, true, leads, n), 0);
		assert_int_equal(store_task_set_agencies(f->s, id, false, true, coops, 3), 0);
		assert_int_equal(store_task_get(f->s, id, &got), 0);
		assert_int_equal(got.n_leads, n);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(got.lead_ids[i], leads[i]);
		assert_string_equal(got.leads[0], n == 3 ? "Sở 02" : "Sở 19");
		assert_int_equal(got.n_coops, 3);
		assert_string_equal(got.coops[0], "Sở 05");
		assert_string_equal(got.coops[1], "Sở 01");
		assert_string_equal(got.coops[2], "Sở 09");
		task_release(&got);
	}
}

static int
count_event(const struct event *e, void *userdata)
{
	(void)e;
	(*(int *)userdata)++;
	return 0;
}

/*
 * Runs sql on the history behind the store's back, its append-only
 * triggers (and on PostgreSQL its foreign keys) out of the way first, as
 * someone who owns the database could.
 */
static void
tamper_events(struct fx *f, const char *sql)
{
	char all[1024];

	snprintf(all, sizeof(all), "%s %s", testlib_is_pg(f->path)
		 ? "ALTER TABLE event DISABLE TRIGGER ALL;"
		 : "DROP TRIGGER IF EXISTS event_no_update; DROP TRIGGER IF EXISTS event_no_delete;",
		 sql);
	testlib_sql(f->path, all);
}

static void
test_event_chain(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "cli", .kind = "note",
			   .text = "ghi chú" };
	int64_t n = 0, bad = 0;
	int count = 0;

	for (int i = 0; i < 5; i++) {
		e.at = 10 + i;
		assert_int_equal(store_event_append(f->s, &e), 0);
	}
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 5);
	assert_int_equal(store_event_foreach(f->s, 0, count_event, &count), 0);
	assert_int_equal(count, 5);

	/* The log refuses edits through SQL... */
	assert_int_equal(testlib_sql_try(f->path, "UPDATE event SET text = 'x' WHERE id = 3", NULL), -1);
	assert_int_equal(testlib_sql_try(f->path, "DELETE FROM event WHERE id = 3", NULL), -1);
	/* ...and an edit made around the trigger is found by the chain. */
	tamper_events(f, "UPDATE event SET text = 'sửa lén' WHERE id = 3");
	assert_int_equal(store_event_verify(f->s, &n, &bad), -EBADMSG);
	assert_int_equal(bad, 3);
}

/* Runs sql on the file behind the store's back, as an attacker with the file would. */
static void
tamper(struct fx *f, const char *sql)
{
	testlib_sql(f->path, sql);
}

/*
 * Back to schema 11: what schemas 12 to 14 added goes (the feed tables,
 * their triggers with them, and the triggers on the registry's tables,
 * as either schema named them; the index of migration 14).
 */
#define DROP_FEED_GEN(t) "DROP TRIGGER IF EXISTS feed_gen_" t "_INSERT;" \
	"DROP TRIGGER IF EXISTS feed_gen_" t "_UPDATE; DROP TRIGGER IF EXISTS feed_gen_" t "_DELETE;"
#define UNDO_V16 \
	"DROP TABLE lease; DROP TABLE lease_term; DROP INDEX message_sending;" \
	"ALTER TABLE message DROP COLUMN owner; ALTER TABLE message DROP COLUMN lease_until;" \
	"CREATE INDEX message_sending ON message(next_at) WHERE state = 'sending';"
#define UNDO_V14 \
	UNDO_V16 \
	"DROP TABLE feed_member; DROP TABLE feed_seq; DROP TABLE feed; DROP TABLE feed_gen;" \
	"DROP TABLE IF EXISTS feed_dirty; DROP TABLE IF EXISTS feed_change;" \
	"DROP INDEX task_undated;" \
	DROP_FEED_GEN("task") DROP_FEED_GEN("task_agency") DROP_FEED_GEN("agency") \
	DROP_FEED_GEN("document") DROP_FEED_GEN("person") DROP_FEED_GEN("extension")

/*
 * Schema 12: a chat message's id is text (Zalo's are hex).  A Telegram
 * id a schema 11 registry kept as a number is found by its decimal text
 * after the upgrade, and only by it.
 */
static void
test_chat_sent_text_ids(void **state)
{
	struct fx *f = *state;
	struct person p = { .name = "Nguyễn Văn An", .role = ROLE_FOCAL, .active = true };
	struct message m = { .kind = MESSAGE_REMINDER, .subject = "nhắc việc", .body = "nhắc việc",
			     .channel = "telegram", .next_at = 1, .created_at = 1,
			     .day = { 2025, 9, 25 } };
	char *msg = NULL, sql[64];
	int64_t mid = 0;

	testlib_sqlite_only();
	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1,
					     &p.agency_id), 0);
	person_address_set(&p, "telegram", "777");
	assert_int_equal(store_person_insert(f->s, &p, 1, &m.person_id), 0);
	person_addresses_copy(&p, &(struct person){ 0 });	/* frees them: the rest is static */
	assert_int_equal(store_message_insert(f->s, &m, &m.id), 0);
	f->s = store_close(f->s);
	snprintf(sql, sizeof(sql), "UPDATE chat_sent SET message_id = %lld", (long long)m.id);
	tamper(f, "DROP TABLE chat_sent;"
	       "CREATE TABLE chat_sent(channel TEXT NOT NULL, chat_id TEXT NOT NULL,"
	       " chat_message_id INTEGER NOT NULL, message_id INTEGER NOT NULL REFERENCES message(id),"
	       " PRIMARY KEY (channel, chat_id, chat_message_id)) STRICT, WITHOUT ROWID;"
	       "INSERT INTO chat_sent VALUES ('telegram', '777', 12345, 41);"
	       UNDO_V14 "PRAGMA user_version = 11");
	tamper(f, sql);
	if (store_open(f->path, STORE_CREATE, &f->s, &msg) < 0)
		fail_msg("%s", msg);
	assert_int_equal(store_chat_sent_get(f->s, "telegram", "777", "12345", &mid), 0);
	assert_int_equal(mid, m.id);
	assert_int_equal(store_chat_sent_get(f->s, "telegram", "777", "012345", &mid), -ENOENT);
	assert_int_equal(store_chat_sent_get(f->s, "telegram", "778", "12345", &mid), -ENOENT);
	assert_int_equal(store_chat_sent_get(f->s, "zalo", "777", "12345", &mid), -ENOENT);
}

/* Schema 7: a NULL is not 0, and a NUL byte does not end what is hashed. */
static void
test_event_chain_exact_bytes(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "cli", .kind = "note",
			   .text = "ghi chú" };
	int64_t n = 0, bad = 0;

	for (int i = 0; i < 3; i++)
		assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	tamper_events(f, "UPDATE event SET person_id = 0 WHERE id = 2");
	assert_int_equal(store_event_verify(f->s, &n, &bad), -EBADMSG);
	assert_int_equal(bad, 2);
	/* Past a NUL, on SQLite (PostgreSQL's texts hold none). */
	tamper_events(f, testlib_is_pg(f->path)
		      ? "UPDATE event SET person_id = NULL WHERE id = 2;"
			" UPDATE event SET text = text || 'thêm' WHERE id = 3"
		      : "UPDATE event SET person_id = NULL WHERE id = 2;"
			" UPDATE event SET text = text || char(0) || 'thêm' WHERE id = 3");
	assert_int_equal(store_event_verify(f->s, &n, &bad), -EBADMSG);
	assert_int_equal(bad, 3);
}

/* The clock: no event before the last one (past the tolerance), nor before its task. */
static void
test_event_clock(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 100000, .actor = "tester", .channel = "cli", .kind = "note" };

	assert_int_equal(store_event_append(f->s, &e), 0);
	e.at -= STORE_CLOCK_TOLERANCE;
	assert_int_equal(store_event_append(f->s, &e), 0);	/* within the tolerance */
	e.at -= STORE_CLOCK_TOLERANCE + 1;	/* measured from the last event */
	assert_int_equal(store_event_append(f->s, &e), -ERANGE);
	assert_non_null(strstr(store_errmsg(f->s), "before the last event"));
}

/* A keyed chain: its seal cannot be remade without the key, nor read without it. */
static void
test_event_chain_keyed(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "cli", .kind = "note" };
	struct store_chain c;

	assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_set_audit_key(f->s, "0123456789abcdef0123", 20), 0);
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_NOT_KEYED);
	assert_int_equal(store_audit_key_apply(f->s, "tester", 11), 1);
	assert_int_equal(store_audit_key_apply(f->s, "tester", 11), 0);
	assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_INTACT);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.key_from, 2);
	/* Another key: named, not taken for a changed history. */
	assert_int_equal(store_set_audit_key(f->s, "another key, not the one", 24), 0);
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_WRONG_KEY);
	assert_int_equal(store_audit_key_apply(f->s, "tester", 11), -EKEYREJECTED);
	/* No key: checked up to where the key starts, and no more written. */
	assert_int_equal(store_set_audit_key(f->s, NULL, 0), 0);
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_NO_KEY);
	assert_int_equal(c.last_id, 1);
	assert_int_equal(store_event_append(f->s, &e), -ENOKEY);
	/* The last event cut off, the head set to match: the seal gives it away. */
	assert_int_equal(store_set_audit_key(f->s, "0123456789abcdef0123", 20), 0);
	tamper_events(f, "DELETE FROM event WHERE id = 3;"
		      " UPDATE event_head SET count = 2, last_id = 2,"
		      " hash = (SELECT hash FROM event WHERE id = 2)");
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_HEAD);
}

/*
 * The key belongs to a connection: another one on the same registry has
 * none until given a copy, and writes to the keyed history only then.
 */
static void
test_audit_key_per_connection(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "cli", .kind = "note" };
	struct store *other = NULL;
	struct store_chain c;

	assert_int_equal(store_set_audit_key(f->s, "", 0), -EINVAL);
	assert_int_equal(store_set_audit_key(f->s, "0123456789abcdef0123", 20), 0);
	assert_int_equal(store_audit_key_apply(f->s, "tester", 10), 1);
	assert_int_equal(store_open(f->path, STORE_WRITE, &other, NULL), 0);
	assert_int_equal(store_chain_check(other, &c), 0);
	assert_int_equal(c.state, CHAIN_NO_KEY);
	assert_false(c.keyed);
	assert_int_equal(store_event_append(other, &e), -ENOKEY);
	store_copy_audit_key(other, f->s);
	assert_int_equal(store_event_append(other, &e), 0);
	assert_int_equal(store_chain_check(f->s, &c), 0);
	assert_int_equal(c.state, CHAIN_INTACT);
	assert_int_equal(c.count, 2);
	/* Cleared on one connection, the other keeps its own. */
	assert_int_equal(store_set_audit_key(f->s, NULL, 0), 0);
	assert_int_equal(store_event_append(f->s, &e), -ENOKEY);
	assert_int_equal(store_event_append(other, &e), 0);
	store_close(other);
}

/* Group commit: a savepoint rolled back takes its events out of the chain, and only them. */
static void
test_savepoint(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "telegram", .kind = "note" };
	struct agency a = { 0 };
	int64_t n = 0, bad = 0;

	assert_int_equal(store_savepoint(f->s), -EINVAL);	/* no transaction */
	assert_int_equal(store_begin(f->s), 0);
	assert_true(store_in_txn(f->s));
	assert_int_equal(store_release(f->s), -EINVAL);	/* no savepoint */
	for (int i = 0; i < 6; i++) {
		e.at = 10 + i;
		e.text = i % 2 ? "bỏ" : "giữ";
		assert_int_equal(store_savepoint(f->s), 0);
		assert_int_equal(store_savepoint(f->s), -EINVAL);	/* one at a time */
		assert_int_equal(store_event_append(f->s, &e), 0);
		if (i == 3)
			assert_int_equal(store_agency_insert(f->s, "stc", "Sở Tài chính",
							     AGENCY_DEPARTMENT, 1, NULL), 0);
		assert_int_equal(i % 2 ? store_rollback_to(f->s) : store_release(f->s), 0);
		assert_true(store_in_txn(f->s));
	}
	assert_int_equal(store_commit(f->s), 0);
	assert_false(store_in_txn(f->s));
	/* Three events kept, the chain whole, the event head counting three. */
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_agency_lookup(f->s, "stc", &a), -ENOENT);
	/* After the transaction, the chain goes on from the last kept event. */
	assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 4);
}

/* Schema 6: no CHECK left that builds a temporary B-tree per row, and each still refuses. */
static void
test_checks_as_or_chains(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "CREATE TABLE t(s TEXT CHECK (s IN ('a','b','c')))",
		  "CREATE TABLE t(s TEXT CHECK (s = 'a' OR s = 'b' OR s = 'c'))" },
		{ "x CHECK (state IN ('queued', 'sent',  'dead')), y CHECK (kind IN ('p','q'))",
		  "x CHECK (state = 'queued' OR state = 'sent' OR state = 'dead'), y CHECK (kind IN ('p','q'))" },
		{ "a CHECK (k IN ('a,b','c','d'))", "a CHECK (k = 'a,b' OR k = 'c' OR k = 'd')" },
		{ "CHECK (active IN (0,1,2))", NULL },		/* numbers: not ours */
		{ "CHECK (lang IN ('vi','en'))", NULL },		/* two: no B-tree */
		{ "CHECK (progress BETWEEN 0 AND 100)", NULL },
		{ "CHECK (s IN ('a','b','c') OR s IS NULL)", NULL },	/* not the whole CHECK */
		{ "CHECK (s IN ('a','b','c'", NULL },		/* cut short */
		{ "no check here", NULL },
	};
	sqlite3 *db;
	sqlite3_stmt *st;

	testlib_sqlite_only();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = store_check_in_to_or(cases[i].in);

		if (cases[i].out)
			assert_string_equal(got, cases[i].out);
		else
			assert_null(got);
		free(got);
	}
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table'",
					    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *left = store_check_in_to_or((const char *)sqlite3_column_text(st, 0));

		if (left)
			fail_msg("a CHECK list is left in %s", sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	/* The hot inserts build no temporary table. */
	assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN INSERT INTO message(person_id, channel, kind,"
					    " subject, body, state, next_at, created_at, day)"
					    " VALUES (1, 'telegram', 'reply', 's', 'b', 'pending', 0, 0, 'd')",
					    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		assert_string_not_equal((const char *)sqlite3_column_text(st, 1), "OpenEphemeral");
	sqlite3_finalize(st);
	/* And each CHECK still refuses what it refused. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO agency(code, name, name_key, kind, created_at)"
				      " VALUES ('a', 'A', 'a', 'department', 0)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO agency(code, name, name_key, kind, created_at)"
				      " VALUES ('b', 'B', 'b', 'ministry', 0)", NULL, NULL, NULL),
			 SQLITE_CONSTRAINT);
	assert_non_null(strstr(sqlite3_errmsg(db), "CHECK constraint failed"));
	assert_int_equal(sqlite3_exec(db, "INSERT INTO person(name, agency_id, role, created_at)"
				      " VALUES ('P', 1, 'boss', 0)", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO message(person_id, channel, kind, subject, body,"
				      " state, next_at, created_at, day) VALUES (1, 'file', 'reply', 's',"
				      " 'b', 'lost', 0, 0, 'd')", NULL, NULL, NULL), SQLITE_CONSTRAINT);
	assert_int_equal(sqlite3_exec(db, "PRAGMA integrity_check", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* next_notice of task id, "" when there is none (to plan again). */
static void
next_notice(const struct fx *f, int64_t id, char out[16])
{
	char sql[96], *v = NULL;

	snprintf(sql, sizeof(sql), "SELECT coalesce(next_notice, '') FROM task WHERE id = %lld",
		 (long long)id);
	assert_int_equal(testlib_sql_try(f->path, sql, &v), 0);
	assert_non_null(v);
	snprintf(out, 16, "%s", v);
	free(v);
}

/*
 * A progress, a note or a task started keeps a task's plan; a new
 * deadline or a task closed (done, put off) drops it.
 */
static void
test_task_update_keeps_plan(void **state)
{
	struct fx *f = *state;
	struct task t = { .code = "T#1", .kind = TASK_KIND_TASK, .title = "Báo cáo",
			  .deadline_raw = "30/9/2025", .status = TASK_NOT_STARTED };
	struct task got = { 0 }, t2 = { 0 };
	char next[16];
	int64_t id = 0;

	t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true, .due = { 2025, 9, 30 } };
	assert_int_equal(store_task_insert(f->s, &t, 0, "bao cao", 100, &id), 0);
	assert_int_equal(store_task_set_plan(f->s, id, (struct date){ 2025, 9, 25 },
					     (struct date){ 2025, 9, 24 }), 0);
	assert_int_equal(store_task_get(f->s, id, &got), 0);
	got.progress = 40;
	got.obstacle_open = true;
	got.note = xstrdup("đang làm");
	assert_int_equal(store_task_update(f->s, &got, 200), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "2025-09-25");
	got.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_update(f->s, &got, 300), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "2025-09-25");
	got.status = TASK_DONE;
	assert_int_equal(store_task_update(f->s, &got, 300), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "");
	assert_int_equal(store_task_get(f->s, id, &t2), 0);
	assert_int_equal(t2.status, TASK_DONE);
	task_release(&t2);
	got.status = TASK_IN_PROGRESS;
	assert_int_equal(store_task_update(f->s, &got, 300), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "");
	assert_int_equal(store_task_set_plan(f->s, id, (struct date){ 2025, 9, 25 },
					     (struct date){ 2025, 9, 24 }), 0);
	free(got.deadline_raw);
	got.deadline_raw = xstrdup("31/12/2025");
	got.deadline.due = (struct date){ 2025, 12, 31 };
	assert_int_equal(store_task_update(f->s, &got, 400), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "");
	task_release(&got);
	/* What was written is all there. */
	assert_int_equal(store_task_get(f->s, id, &got), 0);
	assert_int_equal(got.progress, 40);
	assert_int_equal(got.status, TASK_IN_PROGRESS);
	assert_string_equal(got.deadline_raw, "31/12/2025");
	assert_string_equal(got.note, "đang làm");
	task_release(&got);

	/*
	 * In one transaction, a unit rolled back (closing the task): what
	 * the next save is compared with is read again, not what the unit
	 * saved, and the plan stays.
	 */
	assert_int_equal(store_task_set_plan(f->s, id, (struct date){ 2025, 9, 25 },
					     (struct date){ 2025, 9, 24 }), 0);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_task_get(f->s, id, &got), 0);
	assert_int_equal(store_savepoint(f->s), 0);
	got.status = TASK_DONE;
	assert_int_equal(store_task_update(f->s, &got, 500), 0);
	assert_int_equal(store_rollback_to(f->s), 0);
	got.status = TASK_IN_PROGRESS;
	got.progress = 70;
	assert_int_equal(store_task_update(f->s, &got, 500), 0);
	assert_int_equal(store_commit(f->s), 0);
	next_notice(f, id, next);
	assert_string_equal(next, "2025-09-25");
	task_release(&got);
	assert_int_equal(store_task_get(f->s, id, &got), 0);
	assert_int_equal(got.progress, 70);
	task_release(&got);
	/* A task that is not there: -ENOENT, and the transaction of its own ended. */
	got = t;
	got.id = id + 1000;
	assert_int_equal(store_task_update(f->s, &got, 600), -ENOENT);
	assert_false(store_in_txn(f->s));
}

static int64_t
chat_updates(const struct fx *f)
{
	return testlib_sql_int(f->path, "SELECT count(*) FROM chat_update");
}

/* Update ids: a duplicate within 26 hours, a new update after; forgotten after a week. */
static void
test_chat_update_seen(void **state)
{
	struct fx *f = *state;
	int64_t t0 = 1759000000, h = 3600;

	assert_int_equal(store_chat_update_seen(f->s, "telegram", 7, t0), 0);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 7, t0 + 10), -EEXIST);
	assert_int_equal(store_chat_update_seen(f->s, "zalo", 7, t0 + 10), 0);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 7, t0 + 25 * h), -EEXIST);
	/* Telegram numbers afresh after a quiet week: an old id is a new update. */
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 7, t0 + 27 * h), 0);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 8, t0 + 27 * h), 0);
	assert_int_equal(chat_updates(f), 3);
	/* Eight days on, the first hour's pass forgets the ids of a week ago. */
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 9, t0 + 8 * 24 * h), 0);
	assert_int_equal(chat_updates(f), 3);	/* zalo 7 went; telegram 9 came */
	assert_int_equal(store_chat_update_seen(f->s, "zalo", 7, t0 + 8 * 24 * h + 1), 0);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 10, t0 + 8 * 24 * h + 2), 0);
	assert_int_equal(chat_updates(f), 5);
	assert_int_equal(store_chat_update_seen(f->s, "telegram", 11, t0 + 35 * 24 * h), 0);
	assert_int_equal(chat_updates(f), 1);
}

static void
test_transaction_rollback(void **state)
{
	struct fx *f = *state;
	struct agency a = { 0 };

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_agency_insert(f->s, "stc", "Sở Tài chính", AGENCY_DEPARTMENT, 1, NULL), 0);
	store_rollback(f->s);
	assert_int_equal(store_agency_lookup(f->s, "stc", &a), -ENOENT);
}

static void
test_person(void **state)
{
	struct fx *f = *state;
	struct person p = { 0 };
	int64_t a = 0, id = 0;

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a), 0);
	p.name = "Nguyễn Văn An";
	p.agency_id = a;
	p.role = ROLE_FOCAL;
	person_address_set(&p, "telegram", "12345");
	p.active = true;
	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	p.name = "Trần Thị Bình";
	assert_int_equal(store_person_insert(f->s, &p, 1, NULL), -EEXIST);
	p.agency_id = 999;
	person_address_set(&p, "telegram", NULL);
	assert_int_equal(store_person_insert(f->s, &p, 1, NULL), -EINVAL);	/* foreign key */
	free(p.addresses);
}

/* Adds a person of agency a with an email address (NULL: none); their id. */
static int64_t
add_with_email(struct fx *f, int64_t a, const char *name, const char *email)
{
	struct person p = { .name = (char *)name, .agency_id = a, .role = ROLE_FOCAL,
			    .active = true };
	int64_t id = 0;

	person_address_set(&p, "email", email);
	assert_int_equal(store_person_insert(f->s, &p, 1, &id), 0);
	person_address_set(&p, "email", NULL);
	free(p.addresses);
	return id;
}

/* The id of whoever has value on channel, 0 for nobody. */
static int64_t
owner(struct fx *f, const char *channel, const char *value)
{
	struct person p = { 0 };
	int64_t id;
	int r = store_person_by_address(f->s, channel, value, &p);

	assert_true(r == 0 || r == -ENOENT);
	id = r == 0 ? p.id : 0;
	person_release(&p);
	return id;
}

/* id's address on channel as the store reads it (value "-" when none). */
static struct address
address_of(struct fx *f, int64_t id, const char *channel, char value[64])
{
	struct person p = { 0 };
	const struct address *a;
	struct address out = { 0 };

	assert_int_equal(store_person_get(f->s, id, &p), 0);
	a = person_address_get(&p, channel);
	snprintf(value, 64, "%s", a ? a->value : "-");
	if (a)
		out = *a;
	out.channel = out.value = NULL;
	person_release(&p);
	return out;
}

/* DESIGN §4: a person is unique by each address, one address per channel. */
static void
test_address_unique_per_channel(void **state)
{
	struct fx *f = *state;
	int64_t a = 0, an, binh;
	struct person p = { 0 };
	char v[64];

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a), 0);
	an = add_with_email(f, a, "Nguyễn Văn An", "an@snv.gov.vn");
	/* The same email for another person is refused; the same value elsewhere is not. */
	p = (struct person){ .name = "Trần Thị Bình", .agency_id = a, .role = ROLE_HEAD,
			     .active = true };
	person_address_set(&p, "email", "an@snv.gov.vn");
	assert_int_equal(store_person_insert(f->s, &p, 1, NULL), -EEXIST);
	person_address_set(&p, "email", "binh@snv.gov.vn");
	person_address_set(&p, "zalo", "an@snv.gov.vn");
	person_address_set(&p, "phone", "84912345678");
	assert_int_equal(store_person_insert(f->s, &p, 1, &binh), 0);
	person_release(&(struct person){ .addresses = p.addresses, .n_addresses = p.n_addresses });
	assert_int_equal(owner(f, "email", "an@snv.gov.vn"), an);
	assert_int_equal(owner(f, "zalo", "an@snv.gov.vn"), binh);
	assert_int_equal(owner(f, "phone", "84912345678"), binh);
	assert_int_equal(owner(f, "telegram", "an@snv.gov.vn"), 0);
	assert_int_equal(owner(f, "fax", "an@snv.gov.vn"), 0);
	/* One per channel: a second email replaces the first. */
	assert_int_equal(store_person_get(f->s, an, &p), 0);
	person_address_set(&p, "email", "an2@snv.gov.vn");
	assert_int_equal(store_person_update(f->s, &p), 0);
	person_release(&p);
	(void)address_of(f, an, "email", v);
	assert_string_equal(v, "an2@snv.gov.vn");
	assert_int_equal(owner(f, "email", "an@snv.gov.vn"), 0);
	/* An update to an address someone else has is refused, and changes nothing. */
	assert_int_equal(store_person_get(f->s, an, &p), 0);
	person_address_set(&p, "phone", "84912345678");
	assert_int_equal(store_person_update(f->s, &p), -EEXIST);
	person_release(&p);
	assert_int_equal(owner(f, "phone", "84912345678"), binh);
	/* Cleared: gone from the table. */
	assert_int_equal(store_person_get(f->s, binh, &p), 0);
	person_address_set(&p, "zalo", "");
	assert_int_equal(store_person_update(f->s, &p), 0);
	person_release(&p);
	assert_int_equal(owner(f, "zalo", "an@snv.gov.vn"), 0);
	(void)address_of(f, binh, "zalo", v);
	assert_string_equal(v, "-");
}

/* Linking a chat takes it from whoever had it, and mends it. */
static void
test_address_link_takes_it(void **state)
{
	struct fx *f = *state;
	int64_t a = 0, an, binh;
	struct address got;
	char v[64];

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a), 0);
	an = add_with_email(f, a, "Nguyễn Văn An", NULL);
	binh = add_with_email(f, a, "Trần Thị Bình", NULL);
	for (int i = 0; i < 2; i++) {
		const char *channel = i ? "zalo" : "telegram";

		assert_int_equal(store_address_link(f->s, an, channel, "777"), 0);
		assert_int_equal(owner(f, channel, "777"), an);
		assert_int_equal(store_address_seen(f->s, an, channel, 500), 0);
		assert_int_equal(store_address_set_broken(f->s, an, channel, true, 600), 1);
		/* Bình links the same chat: An loses it. */
		assert_int_equal(store_address_link(f->s, binh, channel, "777"), 0);
		assert_int_equal(owner(f, channel, "777"), binh);
		(void)address_of(f, an, channel, v);
		assert_string_equal(v, "-");
		got = address_of(f, binh, channel, v);
		assert_string_equal(v, "777");
		assert_int_equal(got.broken_at, 0);
		assert_int_equal(got.last_in, 0);
		/* Linked again after a block: working again, its last inbound kept. */
		assert_int_equal(store_address_seen(f->s, binh, channel, 900), 0);
		assert_int_equal(store_address_set_broken(f->s, binh, channel, true, 950), 1);
		assert_int_equal(store_address_link(f->s, binh, channel, "777"), 0);
		got = address_of(f, binh, channel, v);
		assert_int_equal(got.broken_at, 0);
		assert_int_equal(got.last_in, 900);
	}
	assert_int_equal(store_address_link(f->s, 999, "telegram", "888"), -ENOENT);
	assert_int_equal(store_address_link(f->s, an, "fax", "888"), -EINVAL);
	assert_int_equal(store_address_link(f->s, an, "telegram", ""), -EINVAL);
	assert_int_equal(owner(f, "telegram", "888"), 0);
}

/* Broken since a time, cleared, said once; last inbound only moves forward. */
static void
test_address_broken_and_seen(void **state)
{
	struct fx *f = *state;
	int64_t a = 0, an;
	struct person p = { 0 };
	struct address got;
	char v[64];

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a), 0);
	an = add_with_email(f, a, "Nguyễn Văn An", "an@snv.gov.vn");
	assert_int_equal(store_address_set_broken(f->s, an, "email", true, 1000), 1);
	assert_int_equal(store_address_set_broken(f->s, an, "email", true, 2000), 0);
	got = address_of(f, an, "email", v);
	assert_int_equal(got.broken_at, 1000);
	assert_int_equal(store_person_get(f->s, an, &p), 0);
	assert_false(person_reachable(&p, "email"));
	assert_string_equal(person_address(&p, "email"), "an@snv.gov.vn");
	person_release(&p);
	assert_int_equal(store_address_set_broken(f->s, an, "email", false, 3000), 1);
	assert_int_equal(store_address_set_broken(f->s, an, "email", false, 3000), 0);
	got = address_of(f, an, "email", v);
	assert_int_equal(got.broken_at, 0);
	/* No address there: nothing to mark. */
	assert_int_equal(store_address_set_broken(f->s, an, "telegram", true, 1000), -ENOENT);
	assert_int_equal(store_address_set_broken(f->s, an, "fax", true, 1000), -EINVAL);
	assert_int_equal(store_address_seen(f->s, an, "email", 5000), 0);
	assert_int_equal(store_address_seen(f->s, an, "email", 4000), 0);
	got = address_of(f, an, "email", v);
	assert_int_equal(got.last_in, 5000);
	/* A person.set that keeps the address keeps when they last wrote. */
	assert_int_equal(store_person_get(f->s, an, &p), 0);
	free(p.name);
	p.name = xstrdup("Nguyễn Văn Ân");
	assert_int_equal(store_person_update(f->s, &p), 0);
	person_release(&p);
	got = address_of(f, an, "email", v);
	assert_int_equal(got.last_in, 5000);
	/* They go with the person. */
	assert_int_equal(store_person_delete(f->s, an), 0);
	assert_int_equal(owner(f, "email", "an@snv.gov.vn"), 0);
}

/*
 * The planner's batched writes: rows by the statement of BATCH_ROWS (64)
 * and the rest one by one, give exactly what row-by-row writes give.
 */
static void
test_batched_writes(void **state)
{
	struct fx *f = *state;
	struct notice v[150];
	struct task_plan plan[70];
	struct task t = { 0 };
	bool inserted[150];
	int64_t a = 0, doc = 0, tasks[70], people[2];
	struct person p = { 0 };
	char code[32], key[32];

	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &a), 0);
	assert_int_equal(store_document_ensure(f->s, "7-KH/BCĐ", "Kế hoạch", "2025-01-02",
					       "Kế hoạch 7-KH/BCĐ", &doc), 0);
	t.kind = TASK_KIND_TASK;
	t.title = "Việc";
	t.deadline_raw = "30/9/2025";
	t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true, .due = { 2025, 9, 30 } };
	t.code = code;
	for (int i = 0; i < 70; i++) {
		snprintf(code, sizeof(code), "7-KH/BCĐ#%d", i);
		snprintf(key, sizeof(key), "viec %d", i);
		assert_int_equal(store_task_insert(f->s, &t, doc, key, 1000, &tasks[i]), 0);
	}
	p.agency_id = a;
	p.role = ROLE_FOCAL;
	p.active = true;
	p.name = "Nguyễn Văn An";
	assert_int_equal(store_person_insert(f->s, &p, 1, &people[0]), 0);
	p.name = "Trần Thị Bình";
	assert_int_equal(store_person_insert(f->s, &p, 1, &people[1]), 0);

	memset(v, 0, sizeof(v));
	for (int i = 0; i < 150; i++) {
		v[i].task_id = tasks[i % 70];
		v[i].person_id = people[i % 2];
		v[i].stage = i % 3 ? STAGE_BEFORE : STAGE_OVERDUE;
		v[i].step = i;
		v[i].anchor = (struct date){ 2025, 9, 30 };
		v[i].day = (struct date){ 2025, 9, 19 };
		snprintf(v[i].channel, sizeof(v[i].channel), "file");
	}
	/* Two already there (one in a full batch, one in the rest), one given twice. */
	assert_int_equal(store_notice_insert(f->s, &v[10], 5, NULL), 0);
	assert_int_equal(store_notice_insert(f->s, &v[140], 5, NULL), 0);
	v[70] = v[69];
	assert_int_equal(store_notice_insert_many(f->s, v, 150, 7, inserted), 147);
	for (int i = 0; i < 150; i++)
		if (inserted[i] != (i != 10 && i != 140 && i != 70))
			fail_msg("notice %d: inserted says %d", i, inserted[i]);
	/* Again: nothing new, whether asked which or not. */
	assert_int_equal(store_notice_insert_many(f->s, v, 150, 8, inserted), 0);
	for (int i = 0; i < 150; i++)
		assert_false(inserted[i]);
	assert_int_equal(store_notice_insert_many(f->s, v, 150, 8, NULL), 0);
	assert_int_equal(store_notice_insert_many(f->s, v, 0, 8, NULL), 0);

	for (int i = 0; i < 70; i++) {
		plan[i].id = tasks[i];
		plan[i].next = (struct date){ 2026, 1, i < 66 ? 5 : 6 };
	}
	assert_int_equal(store_task_set_plan_many(f->s, plan, 70, (struct date){ 2026, 1, 2 }), 0);
	assert_int_equal(store_task_count_to_plan(f->s, "2026-01-04"), 0);
	assert_int_equal(store_task_count_to_plan(f->s, "2026-01-05"), 66);
	assert_int_equal(store_task_count_to_plan(f->s, "2026-01-06"), 70);
}

/*
 * Writes sent on without waiting (PostgreSQL's pipeline, store_int.h's
 * send): more of them in a transaction than a pipeline holds, counted
 * right; a failure among them told by the release of its savepoint at
 * the latest, which then rolls back to it alone; one told at commit,
 * which writes nothing of the transaction.
 */
static void
test_sent_writes(void **state)
{
	struct fx *f = *state;
	struct event e = { .at = 10, .actor = "tester", .channel = "telegram", .kind = "note" };
	struct message m = { .kind = MESSAGE_REPLY, .subject = "s", .body = "b", .created_at = 10 };
	struct message got = { 0 };
	struct notice v[150];
	struct person p = { 0 };
	struct task t = { 0 };
	int64_t a = 0, task = 0, person = 0, n = 0, bad = 0, id = 0;
	int r;

	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1, &a), 0);
	t.kind = TASK_KIND_TASK;
	t.title = "Việc";
	t.deadline_raw = "30/9/2025";
	t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true, .due = { 2025, 9, 30 } };
	t.code = "T1";
	assert_int_equal(store_task_insert(f->s, &t, 0, "viec", 5, &task), 0);
	p.agency_id = a;
	p.role = ROLE_FOCAL;
	p.active = true;
	p.name = "Nguyễn Văn An";
	assert_int_equal(store_person_insert(f->s, &p, 5, &person), 0);
	snprintf(m.channel, sizeof(m.channel), "telegram");

	/* 300 events and 150 notices in one transaction, the notices counted. */
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 150; i++) {
		v[i].task_id = task;
		v[i].person_id = person;
		v[i].stage = STAGE_BEFORE;
		v[i].step = i;
		v[i].anchor = (struct date){ 2025, 9, 30 };
		v[i].day = (struct date){ 2025, 9, 19 };
		snprintf(v[i].channel, sizeof(v[i].channel), "telegram");
	}
	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < 300; i++) {
		e.at = 10 + i;
		assert_int_equal(store_event_append(f->s, &e), 0);
	}
	assert_int_equal(store_notice_insert_many(f->s, v, 150, 20, NULL), 150);
	assert_int_equal(store_notice_insert_many(f->s, v, 150, 20, NULL), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 300);
	assert_int_equal(bad, 0);

	/* A reply to nobody (no such person): its savepoint alone undone. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_savepoint(f->s), 0);
	e.at = 400;
	assert_int_equal(store_event_append(f->s, &e), 0);
	m.person_id = person + 1000;
	r = store_message_insert(f->s, &m, NULL);
	if (r == 0)
		r = store_release(f->s);
	assert_int_equal(r, -EINVAL);
	assert_non_null(strcasestr(store_errmsg(f->s), "foreign key"));
	assert_int_equal(store_rollback_to(f->s), 0);
	assert_int_equal(store_savepoint(f->s), 0);
	m.person_id = person;
	m.body = "kept";
	assert_int_equal(store_message_insert(f->s, &m, NULL), 0);
	e.at = 401;
	assert_int_equal(store_event_append(f->s, &e), 0);
	assert_int_equal(store_release(f->s), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 301);

	/* Sent before a savepoint: told by the savepoint, not by what comes inside it. */
	assert_int_equal(store_begin(f->s), 0);
	m.person_id = person + 1000;
	r = store_message_insert(f->s, &m, NULL);
	if (r == 0)
		r = store_savepoint(f->s);
	assert_int_equal(r, -EINVAL);
	store_rollback(f->s);

	/* Told at commit: nothing of the transaction written, and the next one goes on. */
	assert_int_equal(store_begin(f->s), 0);
	e.at = 500;
	assert_int_equal(store_event_append(f->s, &e), 0);
	m.person_id = person + 1000;
	r = store_message_insert(f->s, &m, NULL);
	if (r == 0)
		r = store_commit(f->s);
	assert_int_equal(r, -EINVAL);
	store_rollback(f->s);
	assert_false(store_in_txn(f->s));
	assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
	assert_int_equal(n, 301);
	m.person_id = person;
	m.body = "after";
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	/* The messages there: "kept" and "after" (PostgreSQL spends ids on what rolled back). */
	for (int64_t i = 1; i <= id; i++) {
		if (store_message_get(f->s, i, &got) < 0)
			continue;
		assert_true(strcmp(got.body, "kept") == 0 ? i < id : strcmp(got.body, "after") == 0 && i == id);
		message_release(&got);
		n++;
	}
	assert_int_equal(n, 301 + 2);

	/*
	 * A commit after a failed step (callers roll back instead): on
	 * PostgreSQL, what was sent after it is refused for it (the
	 * transaction aborted), and the commit tells that first failure.
	 */
	if (testlib_is_pg(f->path)) {
		assert_int_equal(store_begin(f->s), 0);
		e.at = 600;
		assert_int_equal(store_event_append(f->s, &e), 0);
		m.person_id = person + 1000;
		assert_int_equal(store_message_insert(f->s, &m, &id), -EINVAL);
		assert_int_equal(store_commit(f->s), -EINVAL);
		assert_non_null(strcasestr(store_errmsg(f->s), "foreign key"));
		store_rollback(f->s);
		assert_int_equal(store_event_verify(f->s, &n, &bad), 0);
		assert_int_equal(n, 301);
	}
}

/* What a failure logs: SQLite's message while it tells of it, not one a later call left. */
static void
test_strerror(void **state)
{
	struct fx *f = *state;
	char *v = NULL;
	int r;

	testlib_lock(f->path);
	store_set_busy_timeout(f->s, testlib_is_pg(f->path) ? 1 : 0);
	r = store_begin(f->s);
	assert_int_equal(r, -EBUSY);
	/* The database's own words: SQLite's, or PostgreSQL's (then where it waited). */
	assert_non_null(strstr(store_strerror(f->s, r), testlib_is_pg(f->path)
			       ? "canceling statement due to lock timeout" : "database is locked"));
	/* A read that works (a ROLLBACK would do the same) replaces SQLite's message. */
	assert_int_equal(store_meta_get(f->s, "nothing", &v), -ENOENT);
	assert_string_equal(store_errmsg(f->s), "not an error");
	assert_string_equal(store_strerror(f->s, r), "the registry is locked by another process");
	assert_string_equal(store_strerror(f->s, -ENOSPC), "the disk is full");
	testlib_unlock();
	store_set_busy_timeout(f->s, STORE_BUSY_MS);
}

/* The per-tick recovery of claims reads the few messages being sent, not the outbox. */
static void
test_recover_uses_index(void **state)
{
	/* The texts of ST_MESSAGE_RECOVER, _RECOVER_OWNER and _CLAIMANTS in store_sqlite.c. */
	static const char *const texts[] = {
		"UPDATE message SET state = 'pending', next_at = ?1, owner = NULL,"
		" lease_until = NULL WHERE state = 'sending' AND lease_until <= ?1",
		"UPDATE message SET state = 'pending', next_at = ?1, owner = NULL,"
		" lease_until = NULL WHERE state = 'sending' AND owner IS ?2",
		"SELECT DISTINCT owner FROM message WHERE state = 'sending'"
		" AND owner IS NOT NULL ORDER BY owner",
	};
	struct fx *f = *state;
	sqlite3 *db;

	testlib_sqlite_only();
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", texts[i]);
		sqlite3_stmt *st;
		bool used = false;

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);

			assert_string_not_equal(d, "SCAN message");
			if (strstr(d, "USING INDEX message_sending"))
				used = true;
		}
		sqlite3_finalize(st);
		sqlite3_free(sql);
		assert_true(used);
	}
	sqlite3_close(db);
}

static int
collect_period(const struct period_report *pr, void *userdata)
{
	struct period_report *v = userdata;

	for (int i = 0; i < 4; i++)
		if (!v[i].task_id) {
			v[i] = *pr;
			break;
		}
	return 0;
}

/* A recurring task's period reports: one per period, read back by period; its period kept. */
static void
test_period_reports(void **state)
{
	struct fx *f = *state;
	struct task t = { .code = "T#1", .kind = TASK_KIND_TASK, .title = "Báo cáo tháng",
			  .deadline_raw = "Ngày 20 hàng tháng", .status = TASK_IN_PROGRESS };
	struct period_report a = { .period = { 2025, 10, 20 }, .reported_at = 200 };
	struct period_report b = { .period = { 2025, 9, 20 }, .reported_at = 100 };
	struct period_report got[4] = { 0 };
	struct task back = { 0 };
	int64_t id = 0;

	t.deadline = (struct deadline){ .precision = DEADLINE_RECURRING, .every = EVERY_MONTH,
					.every_day = 20, .has_due = true, .due = { 2025, 10, 20 } };
	assert_int_equal(store_task_insert(f->s, &t, 0, "bao cao thang", 50, &id), 0);
	assert_int_equal(store_task_get(f->s, id, &back), 0);
	assert_int_equal(back.deadline.every, EVERY_MONTH);
	assert_int_equal(back.deadline.every_day, 20);
	assert_int_equal(back.deadline.precision, DEADLINE_RECURRING);
	assert_true(back.deadline.has_due);
	task_release(&back);
	a.task_id = b.task_id = id;
	assert_int_equal(store_period_report_add(f->s, &a), 0);
	assert_int_equal(store_period_report_add(f->s, &b), 0);
	/* A period is reported once. */
	assert_int_equal(store_period_report_add(f->s, &a), -EEXIST);
	assert_int_equal(store_period_report_foreach(f->s, id, collect_period, got), 0);
	assert_int_equal(got[0].period.m, 9);
	assert_int_equal(got[0].reported_at, 100);
	assert_int_equal(got[1].period.m, 10);
	assert_int_equal(got[1].person_id, 0);
	assert_int_equal(got[2].task_id, 0);
}

struct find {
	const struct notice *want;
	int64_t id;
};

static int
find_notice(const struct notice *n, void *userdata)
{
	struct find *k = userdata;

	if (n->person_id == k->want->person_id && n->stage == k->want->stage &&
	    n->step == k->want->step)
		k->id = n->id;
	return 0;
}

/* Adds a message to person with notice nid, finished in state at now; returns its id. */
static int64_t
message_with(struct fx *f, int64_t person, int64_t nid, enum message_state state, int64_t now)
{
	struct message m = { .person_id = person, .kind = MESSAGE_REMINDER, .subject = "s",
			     .body = "b", .next_at = now, .created_at = now };
	int64_t id = 0;

	snprintf(m.channel, sizeof(m.channel), "file");
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	assert_int_equal(store_notice_attach(f->s, nid, id, now), 0);
	if (state != MESSAGE_PENDING)
		assert_int_equal(store_message_finish(f->s, id, NULL, state, now, now, NULL), 0);
	return id;
}

/* The id of the notice n just inserted. */
static int64_t
notice_id(struct fx *f, const struct notice *n)
{
	struct find k = { n, 0 };

	assert_true(store_notice_insert(f->s, n, 1, NULL) == 0);
	assert_int_equal(store_notice_foreach_task(f->s, n->task_id, find_notice, &k), 0);
	assert_true(k.id > 0);
	return k.id;
}

/*
 * What was sent about a task: only notices sent in a sent message, with
 * the local day of sending, the person, role and agency; a pending or
 * dead message tells nothing.  The first reminder sent marks the task.
 */
static void
test_sent_notices(void **state)
{
	struct fx *f = *state;
	struct person p = { .role = ROLE_FOCAL, .active = true };
	struct task t = { .kind = TASK_KIND_TASK, .title = "Việc", .code = "T#1", .deadline_raw = "30/9/2025",
			  .deadline = { .precision = DEADLINE_DAY, .has_due = true, .due = { 2025, 9, 30 } } };
	struct task got = { 0 };
	struct sent_notice *v = NULL;
	int64_t a = 0, focal = 0, head = 0, task = 0, ids[2];
	size_t n = 0;
	/* 7/10/2025 09:00 and 8/10/2025 00:30 in Asia/Ho_Chi_Minh (UTC+7). */
	const int64_t oct7 = 1759802400, oct8_early = 1759858200;
	struct notice nag = { .stage = STAGE_OVERDUE, .step = 4, .anchor = { 2025, 9, 30 },
			      .day = { 2025, 10, 7 }, .channel = "file" };
	struct notice nag2 = nag, esc = nag, lost = nag;

	assert_int_equal(store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &a), 0);
	p.agency_id = a;
	p.name = "Nguyễn Văn An";
	assert_int_equal(store_person_insert(f->s, &p, 1, &focal), 0);
	p.name = "Lê Văn Cường";
	p.role = ROLE_HEAD;
	assert_int_equal(store_person_insert(f->s, &p, 1, &head), 0);
	assert_int_equal(store_task_insert(f->s, &t, 0, "viec", 1, &task), 0);
	assert_int_equal(store_agency_count_role(f->s, a, ROLE_FOCAL), 1);
	assert_int_equal(store_agency_count_role(f->s, a, ROLE_LEADER), 0);

	nag.task_id = nag2.task_id = esc.task_id = lost.task_id = task;
	nag.person_id = nag2.person_id = lost.person_id = focal;
	nag2.step = 7;
	nag2.day = (struct date){ 2025, 10, 8 };
	lost.step = 10;
	esc.person_id = head;
	esc.stage = STAGE_ESCALATION;
	esc.step = 1;
	message_with(f, focal, notice_id(f, &nag), MESSAGE_SENT, oct7);
	message_with(f, focal, notice_id(f, &nag2), MESSAGE_SENT, oct8_early);
	message_with(f, focal, notice_id(f, &lost), MESSAGE_DEAD, oct8_early);
	message_with(f, head, notice_id(f, &esc), MESSAGE_PENDING, oct8_early);

	ids[0] = task;
	ids[1] = 999;
	assert_int_equal(store_sent_notices(f->s, ids, 2, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].task_id, task);
	assert_int_equal(v[0].stage, STAGE_OVERDUE);
	assert_int_equal(v[0].step, 4);
	assert_int_equal(date_cmp(v[0].day, (struct date){ 2025, 10, 7 }), 0);
	assert_string_equal(v[0].name, "Nguyễn Văn An");
	assert_int_equal(v[0].role, ROLE_FOCAL);
	assert_string_equal(v[0].agency, "Sở Nội vụ");
	/* Sent at 00:30 on 8/10, Vietnamese time: the 8th, whatever UTC says. */
	assert_int_equal(date_cmp(v[1].day, (struct date){ 2025, 10, 8 }), 0);
	v = sent_notices_free(v, n);
	assert_int_equal(store_task_get(f->s, task, &got), 0);
	assert_true(got.has_first_notice);
	assert_int_equal(date_cmp(got.first_notice, (struct date){ 2025, 10, 7 }), 0);
	task_release(&got);
}

/* --- several instances on one registry (issue 17) -------------------------- */

#define CLAIM_MESSAGES 400
#define CLAIMERS 4

struct claimer {
	const char *where;
	char owner[32];
	int64_t ids[CLAIM_MESSAGES];
	int n;
	int err;
};

/* One instance: its own connection, claiming 7 at a time until none is left. */
static void *
claimer_run(void *arg)
{
	struct claimer *c = arg;
	struct store *s = NULL;
	char *msg = NULL;
	int got;

	c->err = store_open(c->where, STORE_WRITE, &s, &msg);
	free(msg);
	while (c->err == 0) {
		struct message ms[7];

		c->err = store_message_claim_due(s, 1000, c->owner, 2000, ms, 7, &got);
		if (c->err < 0 || got == 0)
			break;
		for (int i = 0; i < got; i++) {
			/* Each read as claimed: sending, its first attempt counted, its texts whole. */
			if (ms[i].state != MESSAGE_SENDING || ms[i].attempts != 1 ||
			    strcmp(ms[i].body, "b") != 0 || strcmp(ms[i].channel, "email") != 0)
				c->err = -EPROTO;
			c->ids[c->n++] = ms[i].id;
			message_release(&ms[i]);
		}
	}
	store_close(s);
	return NULL;
}

/* Four instances claim at once on their own connections: each message exactly once. */
static void
test_claims_exclusive(void **state)
{
	struct fx *f = *state;
	struct claimer c[CLAIMERS] = { 0 };
	pthread_t th[CLAIMERS];
	char *seen = calloc(CLAIM_MESSAGES + 1, 1);
	int64_t first = 0;
	struct message early[2];
	char **owners = NULL;
	size_t n_owners = 0;
	int total = 0, n = 0;

	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < CLAIM_MESSAGES; i++) {
		/* Due from 100 to 499, inserted newest first: claims go oldest first. */
		struct message m = { .kind = MESSAGE_REMINDER, .subject = "s", .body = "b",
				     .next_at = 100 + CLAIM_MESSAGES - 1 - i, .created_at = 100,
				     .address = "vp@example.vn" };
		int64_t id;

		snprintf(m.channel, sizeof(m.channel), "email");
		assert_int_equal(store_message_insert(f->s, &m, &id), 0);
		if (!first)
			first = id;
	}
	assert_int_equal(store_commit(f->s), 0);
	/* Not yet due for anyone: nothing claimed. */
	assert_int_equal(store_message_claim_due(f->s, 99, "early 1 1 1", 2000, early, 2, &n), 0);
	assert_int_equal(n, 0);
	for (int i = 0; i < CLAIMERS; i++) {
		c[i].where = f->path;
		snprintf(c[i].owner, sizeof(c[i].owner), "host%d %d 1 1", i, 100 + i);
		assert_int_equal(pthread_create(&th[i], NULL, claimer_run, &c[i]), 0);
	}
	for (int i = 0; i < CLAIMERS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(c[i].err, 0);
		for (int k = 0; k < c[i].n; k++) {
			int64_t x = c[i].ids[k] - first;

			assert_true(x >= 0 && x < CLAIM_MESSAGES);
			assert_int_equal(seen[x], 0);	/* never claimed twice */
			seen[x] = 1;
			/* Each batch oldest first: ids fall as next_at rises. */
			if (k % 7)
				assert_true(c[i].ids[k] < c[i].ids[k - 1]);
		}
		total += c[i].n;
	}
	assert_int_equal(total, CLAIM_MESSAGES);	/* none left behind */
	assert_int_equal(store_message_claimants(f->s, &owners, &n_owners), 0);
	for (size_t i = 0; i < n_owners; i++)
		free(owners[i]);
	free(owners);
	/* Every instance that claimed is named (on SQLite one may have got all). */
	assert_true(n_owners >= 1 && n_owners <= CLAIMERS);
	/* The claims stand within their lease, and end with it. */
	assert_int_equal(store_message_recover(f->s, 1999, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_message_recover(f->s, 2000, &n), 0);
	assert_int_equal(n, CLAIM_MESSAGES);
	free(seen);
}

struct terms {
	int n;
	struct lease_term v[8];
	char owners[8][64];
};

static int
term_add(const struct lease_term *t, void *userdata)
{
	struct terms *ts = userdata;

	if (ts->n == 8)
		return -E2BIG;
	ts->v[ts->n] = *t;
	snprintf(ts->owners[ts->n], sizeof(ts->owners[0]), "%s", t->owner);
	ts->v[ts->n].owner = ts->owners[ts->n];
	ts->v[ts->n].name = NULL;	/* borrowed until the next row */
	ts->n++;
	return 0;
}

/*
 * A lease has one holder at a time: elected, renewed by its term, taken
 * over only when it ended (or its owner is gone), given up on stopping;
 * every term logged, none overlapping the next.
 */
static void
test_lease_terms(void **state)
{
	struct fx *f = *state;
	char gone[160], self[160], host[128];
	long pid;
	long long start;
	unsigned long long ns;
	char *owner = NULL;
	int64_t term = 0, until = 0;
	struct lease l = { .name = LEASE_PLANNER };
	struct terms ts = { 0 };

	/* This process, and one of this host that started before with our pid: gone. */
	snprintf(self, sizeof(self), "%s", instance_self());
	assert_int_equal(sscanf(self, "%127s %ld %lld %llu", host, &pid, &start, &ns), 4);
	snprintf(gone, sizeof(gone), "%s %ld %lld %llu", host, pid, start - 1, ns);
	assert_false(instance_gone(self));
	assert_true(instance_gone(gone));
	assert_false(instance_gone("elsewhere 1 1 1"));
	assert_false(instance_gone("not an owner"));

	assert_int_equal(lease_ttl(1), 30);
	assert_int_equal(lease_ttl(60), 180);
	/* Nobody holds it: ours, term 1. */
	assert_int_equal(store_lease_get(f->s, LEASE_PLANNER, &owner, &term, &until), -ENOENT);
	assert_int_equal(lease_hold(f->s, &l, 1000, 30), 1);
	assert_int_equal(l.term, 1);
	/* Renewed by its term. */
	assert_int_equal(lease_hold(f->s, &l, 1010, 30), 1);
	assert_int_equal(l.term, 1);
	assert_int_equal(store_lease_get(f->s, LEASE_PLANNER, &owner, &term, &until), 0);
	assert_string_equal(owner, self);
	assert_int_equal(until, 1040);
	free(owner);
	/* Another instance, elsewhere and alive, cannot take it while it lasts. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_lease_elect(f->s, LEASE_PLANNER, "elsewhere 1 1 1", 1020, 1050,
					   &term), 0);
	assert_int_equal(store_lease_renew(f->s, LEASE_PLANNER, "elsewhere 1 1 1", 1, 1050), 0);
	assert_int_equal(store_commit(f->s), 0);
	/* We stop: the lease is free at once, and elsewhere takes term 2. */
	assert_int_equal(lease_drop(f->s, &l, 1020), 0);
	assert_int_equal(l.term, 0);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_lease_elect(f->s, LEASE_PLANNER, "elsewhere 1 1 1", 1021, 1051,
					   &term), 1);
	assert_int_equal(term, 2);
	assert_int_equal(store_commit(f->s), 0);
	/* Held by a live instance elsewhere: not ours until its lease ends... */
	assert_int_equal(lease_hold(f->s, &l, 1050, 30), 0);
	assert_int_equal(l.term, 0);
	/* ...then taken over, as term 3. */
	assert_int_equal(lease_hold(f->s, &l, 1051, 30), 1);
	assert_int_equal(l.term, 3);
	/* A holder of this host that is gone is taken over at once, lease or not. */
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_lease_end(f->s, LEASE_PLANNER, 3, 1052), 0);
	assert_int_equal(store_lease_elect(f->s, LEASE_PLANNER, gone, 1052, 9999, &term), 1);
	assert_int_equal(store_commit(f->s), 0);
	/* We held term 3: we learn it is over, and take term 5. */
	assert_int_equal(lease_hold(f->s, &l, 1053, 30), 1);
	assert_int_equal(l.term, 5);

	assert_int_equal(store_lease_terms(f->s, term_add, &ts), 0);
	assert_int_equal(ts.n, 5);
	for (int i = 0; i < ts.n; i++) {
		assert_int_equal(ts.v[i].term, i + 1);
		assert_int_equal(ts.v[i].held, i == 4);
		/* Each term ended before the next began: never two leaders. */
		if (i > 0) {
			int64_t end = ts.v[i - 1].ended_at ? ts.v[i - 1].ended_at : ts.v[i - 1].until;

			assert_true(ts.v[i - 1].ended_at > 0);
			assert_true(end <= ts.v[i].started_at);
		}
	}
	assert_string_equal(ts.v[1].owner, "elsewhere 1 1 1");
	assert_int_equal(ts.v[1].ended_at, 1051);	/* its lease ran out at 1051 */
	assert_string_equal(ts.v[3].owner, gone);
	assert_int_equal(ts.v[4].ended_at, 0);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_missing_and_uninitialised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_version_and_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_agency_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_agency_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_update_keeps_plan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_chain_exact_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_chain_keyed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_key_per_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savepoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_update_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chat_sent_text_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_as_or_chains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_person, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_unique_per_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_link_takes_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_broken_and_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batched_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sent_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strerror, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_uses_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_period_reports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sent_notices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claims_exclusive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_terms, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
