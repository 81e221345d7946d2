/* SPDX-License-Identifier: MIT */
/*
 * Inside the registry: what store.c, the typed interface of store.h and
 * the same for every database, asks of a backend (store_sqlite.c): a
 * table of functions and capability flags, as Dovecot's lib-sql asks of
 * its drivers (STYLE rule 21).  A backend holds the SQL text of every
 * statement, its schema and its migrations; store.c binds, steps and
 * reads rows, and keeps the rules (the history's chain, the checks).
 * Only store.c and the backends include this header.
 */
#ifndef DONDOC_STORE_INT_H
#define DONDOC_STORE_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "macro.h"
#include "store.h"
#include "task.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Every cached statement, by index into sql_text[]. */
enum stmt {
	ST_AGENCY_BY_CODE,
	ST_AGENCY_BY_KEY,
	ST_AGENCY_BY_ALIAS,
	ST_AGENCY_INSERT,
	ST_ALIAS_INSERT,
	ST_AGENCY_LIST,
	ST_PERSON_INSERT,
	ST_PERSON_LIST,
	ST_ADDRESS_ALL,
	ST_PERSON_GET,
	ST_DOCUMENT_BY_KEY,
	ST_DOCUMENT_INSERT,
	ST_TASK_BY_IDENTITY,
	ST_TASK_BY_ID,
	ST_TASK_BY_CODE,
	ST_TASK_INSERT,
	ST_TASK_UPDATE,
	ST_TASK_UPDATE_SAME_PLAN,
	ST_TASK_UPDATE_SAME_STATUS,
	ST_LEADS_DELETE,
	ST_LEAD_INSERT,
	ST_LEADS_OF_TASK,
	ST_LEADS_OF_TASK_SORTED,
	ST_TASK_ALL,
	ST_TASK_BY_AGENCY,
	ST_LEADS_ALL,
	ST_LEADS_BY_AGENCY,
	ST_EVENT_INSERT,
	ST_EVENT_RAW,
	ST_TASK_CREATED_AT,
	ST_EVENT_BY_HASH,
	ST_EVENT_KIND_OF,
	ST_ALIAS_LIST,
	ST_EVENT_OF_TASK,
	ST_EVENT_ALL,
	ST_HEAD_UPDATE,
	ST_HEAD_GET,
	ST_TASK_TO_PLAN,
	ST_TASK_COUNT_TO_PLAN,
	ST_TASK_COUNT_UNDATED,
	ST_NOTICE_LIST_EXISTS,
	ST_LEADS_TO_PLAN,
	ST_TASK_SET_NEXT,
	ST_PLAN_TASKS,
	ST_PLAN_LEADS,
	ST_TASK_REPLAN_ALL,
	ST_NOTICE_INSERT,
	ST_NOTICE_OF_TASK,
	ST_NOTICE_UNSENT,
	ST_NOTICE_OF_MESSAGE,
	ST_NOTICE_CANCEL_TASK,
	ST_NOTICE_SET_STATE,
	ST_NOTICE_ATTACH,
	ST_NOTICE_BY_MESSAGE,
	ST_MESSAGE_INSERT,
	ST_MESSAGE_CLAIM_DUE,
	ST_MESSAGE_GET,
	ST_MESSAGE_CLAIM,
	ST_MESSAGE_FINISH,
	ST_MESSAGE_FEED_TEXTS,
	ST_MESSAGE_TEXTS_SET,
	ST_MESSAGE_RECOVER,
	ST_MESSAGE_RECOVER_OWNER,
	ST_MESSAGE_CLAIMANTS,
	ST_MESSAGE_UNCLAIM,
	ST_LEASE_GET,
	ST_LEASE_ELECT,
	ST_LEASE_TERM_ADD,
	ST_LEASE_RENEW,
	ST_LEASE_TERM_RENEW,
	ST_LEASE_END,
	ST_LEASE_TERM_END,
	ST_LEASE_TERMS,
	ST_MESSAGE_LIST,
	ST_MESSAGE_LIST_STATE,
	ST_MESSAGE_RETRY,
	ST_MESSAGE_CANCEL_EMPTY,
	ST_PERSON_BY_ADDRESS,
	ST_ADDRESS_UNLINK,
	ST_ADDRESS_PUT,
	ST_ADDRESS_DELETE,
	ST_ADDRESS_BROKEN,
	ST_ADDRESS_EXISTS,
	ST_ADDRESS_SEEN,
	ST_LINK_CODE_INSERT,
	ST_LINK_CODE_GET,
	ST_LINK_CODE_USE,
	ST_EXTENSION_INSERT,
	ST_EXTENSION_GET,
	ST_EXTENSION_DECIDE,
	ST_EXTENSION_PENDING,
	ST_EXTENSION_LIST,
	ST_CHAT_UPDATE_SEEN,
	ST_CHAT_UPDATE_PRUNE,
	ST_CHAT_SENT_INSERT,
	ST_CHAT_SENT_GET,
	ST_MESSAGE_TASKS,
	ST_METRICS_NOTICES,
	ST_METRICS_MESSAGES,
	ST_METRICS_OLDEST,
	ST_NOTICE_MOVE,
	ST_OBSTACLE_INSERT,
	ST_OBSTACLE_GET,
	ST_OBSTACLE_HANDLE,
	ST_OBSTACLE_COUNT_OPEN,
	ST_OBSTACLE_LIST,
	ST_OBSTACLE_LIST_OPEN,
	ST_MESSAGE_COUNT_DAY_KIND,
	ST_AGENCY_LEAD_COUNT,
	ST_META_GET,
	ST_META_SET,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_PERIOD_REPORT_INSERT,
	ST_PERIOD_REPORT_OF_TASK,
	ST_EVENT_LAST_OF_KIND,
	ST_MESSAGE_FIRST_INDICATOR,
	ST_SENT_OF_TASK,
	ST_FIRST_NOTICE_SET,
	ST_AGENCY_COUNT_ROLE,
	ST_CHAT_ASK_INSERT,
	ST_CHAT_ASK_GET,
	ST_CHAT_ASK_LAST,
	ST_CHAT_ASK_CLOSE,
	ST_FEED_INSERT,
	ST_FEED_GET,
	ST_FEED_BY_HASH,
	ST_FEED_REVOKE,
	ST_FEED_REVOKED_AT,
	ST_FEED_REVOKED_MEMBERS_DROP,
	ST_FEED_LIST,
	ST_FEED_REVOKE_OF_PERSON,
	ST_FEED_LIVE_BY_CREATOR,
	ST_FEED_PRUNE,
	ST_FEED_FETCHED,
	ST_FEED_GEN,
	ST_DATA_VERSION,
	ST_FEED_TASKS_AGENCY,	/* in the order of enum feed_kind */
	ST_FEED_TASKS_PERSON,
	ST_FEED_TASKS_DOCUMENT,
	ST_FEED_TASKS_ALL,
	ST_FEED_LEADS_AGENCY,	/* the same */
	ST_FEED_LEADS_PERSON,
	ST_FEED_LEADS_DOCUMENT,
	ST_FEED_LEADS_ALL,
	ST_FEED_PENDING,
	ST_FEED_TASKS_AGENCY_OF,	/* the tasks of a list alone, in the order of enum feed_kind */
	ST_FEED_TASKS_PERSON_OF,
	ST_FEED_TASKS_DOCUMENT_OF,
	ST_FEED_TASKS_ALL_OF,
	ST_FEED_LEADS_OF,
	ST_FEED_PENDING_OF,
	ST_FEED_WIDE,
	ST_FEED_CHANGES,
	ST_FEED_SEQS_OF,
	ST_FEED_MEMBERS_OF,
	ST_FEED_AGENCY_NAMES,
	ST_FEED_DOCUMENT_NUMBERS,
	ST_FEED_SEQS,
	ST_FEED_SEQ_SET,
	ST_FEED_MEMBERS,
	ST_FEED_MEMBER_SET,
	ST_FEED_MEMBER_DROP,
	ST_CHAT_ASK_ANY_OPEN,
	ST_HAPPENED,
	ST_DOCUMENT_LIST,
	ST_PERSON_UPDATE,
	ST_PERSON_REFS_EVENTS,
	ST_PERSON_REFS_MESSAGES,
	ST_PERSON_REFS_NOTICES,
	ST_PERSON_REFS_RECORDS,
	ST_PERSON_REFS_CODES,
	ST_PERSON_DELETE_ASKS,
	ST_PERSON_DELETE_ADDRESSES,
	ST_PERSON_DELETE_FEEDS,
	ST_PERSON_DELETE_ROW,
	ST_AGENCY_UPDATE,
	ST_AGENCY_REFS_TASKS,
	ST_AGENCY_REFS_PEOPLE,
	ST_AGENCY_MERGE_POSITIONS,
	ST_AGENCY_MERGE_DROP_BOTH,
	ST_AGENCY_MERGE_TASKS,
	ST_AGENCY_MERGE_PEOPLE,
	ST_AGENCY_MERGE_ALIASES,
	ST_AGENCY_MERGE_FEEDS,
	ST_AGENCY_MERGE_ROW,
	ST_AGENCY_DELETE_FEEDS,
	ST_AGENCY_DELETE_ROW,
	ST_WAITING_NOTICES,
	ST_WAITING_MESSAGES,
	ST_DIGEST_INSERT,
	ST_DIGEST_EXISTS,
	ST_DIGEST_LAST,
	ST_DIGEST_GET,
	ST_DIGEST_LAST_KEY,
	ST_DIGEST_IS_SCHEDULED,
	ST_DIGEST_PRUNE,
	_ST_MAX,
};


/*
 * The planner writes up to hundreds of thousands of rows in a pass: one
 * statement per BATCH_ROWS rows costs half what one per row does (the
 * cursors and the B-tree descents are set up once per statement).
 */
#define BATCH_ROWS 64

enum batch {
	BATCH_NOTICE_INSERT,
	BATCH_NOTICE_INSERT_RETURNING,	/* the same, saying which rows went in */
	BATCH_TASK_SET_PLAN,
	_BATCH_MAX,
};

/* The chain's head, as event_head holds it (see store_chain). */
struct head {
	int64_t count, last_id, at, key_from;
	char hash[HASH_SHA256_HEX_LEN];
};


/* Rows of the statements that read a person: the column of the address's channel. */
#define PERSON_FIRST_ADDRESS 9

/* What a step gave, besides a negative errno. */
#define DB_ROW 100	/* a row, to read */
#define DB_DONE 101	/* no more rows */

/* The type of a value read (db_column_type). */
enum db_type {
	DB_INTEGER = 1,
	DB_FLOAT = 2,
	DB_TEXT = 3,
	DB_BLOB = 4,
	DB_NULL = 5,
};

struct store_db;	/* a backend's connection */

/* A backend's statement begins with this; the rest is the backend's own. */
struct store_stmt {
	const struct store_backend *be;
};

/* What a backend can do beyond what every one does. */
enum store_backend_flag {
	/* Several processes may write the database at once (one lock each, not one for all). */
	STORE_BACKEND_SHARED = 1 << 0,
};

struct store_backend {
	const char *name;
	unsigned flags;		/* enum store_backend_flag */
	/* Whether the db setting where (a path, a URI) names one of this backend's databases. */
	bool (*takes)(const char *where);
	/*
	 * Connects s to where, creating or upgrading the schema as mode
	 * allows: s->db set, or -errno with *reterr_msg new (store_open).
	 */
	int (*open)(struct store *s, const char *where, enum store_mode mode,
		    char **reterr_msg);
	void (*close)(struct store_db *db);

	/* Statement id, ready to bind: prepared once, reset and cleared each time. */
	struct store_stmt *(*stmt)(struct store_db *db, enum stmt id);
	/* The same for a batch of BATCH_ROWS rows. */
	struct store_stmt *(*batch)(struct store_db *db, enum batch id);
	/* Parameters are numbered from 1, columns from 0. */
	void (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	/* text NULL binds NULL; copy false: text outlives the statement's next step. */
	void (*bind_text)(struct store_stmt *st, int i, const char *text, bool copy);
	void (*bind_blob)(struct store_stmt *st, int i, const void *p, size_t n);
	void (*bind_null)(struct store_stmt *st, int i);
	int (*param_count)(struct store_stmt *st);
	/* DB_ROW, DB_DONE, or -errno (the detail: errmsg). */
	int (*step)(struct store_stmt *st);
	/*
	 * Runs st, bound, whose rows nobody reads (NULL: step does), in a
	 * write transaction: sent on without waiting for its answer (a
	 * pipeline), its failure told by the next call that waits (a step,
	 * sent_wait, commit).  st may be bound again at once.
	 */
	int (*send)(struct store_stmt *st);
	/* Waits for what send sent: 0 or the first failure; *ret_changes the rows those changed. */
	int (*sent_wait)(struct store_db *db, int64_t *ret_changes);
	/* Ends the statement's run (its rows, its locks); its bindings stay. */
	void (*reset)(struct store_stmt *st);
	int (*column_count)(struct store_stmt *st);
	enum db_type (*column_type)(struct store_stmt *st, int i);
	int64_t (*column_int64)(struct store_stmt *st, int i);
	double (*column_double)(struct store_stmt *st, int i);
	/* Borrowed until the next step or reset; NULL for NULL. */
	const char *(*column_text)(struct store_stmt *st, int i);
	const void *(*column_blob)(struct store_stmt *st, int i);
	size_t (*column_bytes)(struct store_stmt *st, int i);

	/* Rows the last INSERT, UPDATE or DELETE changed; the id the last INSERT gave. */
	int64_t (*changes)(struct store_db *db);
	int64_t (*last_id)(struct store_db *db);
	/* The last failure as -errno (0: none since the last success), and in words. */
	int (*last_errno)(struct store_db *db);
	const char *(*errmsg)(struct store_db *db);

	/* A write transaction; durable: on disk once commit returns, even across a power loss. */
	int (*begin)(struct store_db *db, bool durable);
	int (*commit)(struct store_db *db);
	void (*rollback)(struct store_db *db);
	bool (*in_txn)(struct store_db *db);

	/*
	 * A statement of text sql, ours (store_copy's, naming tables and
	 * columns of the schema), prepared now and freed by adhoc_free.
	 */
	struct store_stmt *(*adhoc)(struct store_db *db, const char *sql);
	void (*adhoc_free)(struct store_stmt *st);
	const char *(*column_name)(struct store_stmt *st, int i);
	/*
	 * Around the copy of whole rows into table (NULL: nothing to do):
	 * before (done false), its triggers off, for the rows come with what
	 * they would write; after, on again, and the ids it gives next past
	 * those copied.
	 */
	int (*copying)(struct store_db *db, const char *table, bool done);

	/*
	 * Wake-ups (NULL: none, a tick's polling is all): a descriptor that
	 * turns readable when a connection queued messages, -1 when there
	 * is none now; and whether one came since the last call (it drains
	 * them).
	 */
	int (*wake_fd)(struct store_db *db);
	bool (*woken)(struct store_db *db);

	void (*set_busy_timeout)(struct store_db *db, int ms);
	int (*work)(struct store_db *db, enum store_work w);
	int (*upkeep_handoff)(struct store_db *db, void (*fn)(void *userdata, int backlog),
			      void *userdata);
	int (*upkeep)(struct store_db *db, int *ret_backlog, int *ret_done);
};

/*
 * Every table of the schema, each after those it refers to: what
 * store_copy copies, in this order.
 */
extern const char *const store_tables[];

extern const struct store_backend store_sqlite;
extern const struct store_backend store_pg;

struct store {
	const struct store_backend *be;
	struct store_db *db;
	struct hash *hash;		/* SHA-256: the unkeyed chain, and task identities */
	struct hash *mac;		/* HMAC-SHA-256 under key, made on first use */
	unsigned char *key;		/* the audit key ([audit] key_file); NULL: none */
	size_t key_len;
	bool in_txn;
	struct head head;	/* cached inside a transaction, when head_valid */
	bool head_valid;
	bool head_dirty;	/* events appended in this transaction, not yet in event_head */
	bool keying;		/* the next event starts the keyed chain (store_audit_key_apply) */
	int64_t chat_pruned_at;	/* when chat_update was last pruned */
	int64_t sent_changes;	/* rows that exec_sent's statements changed, run where sent */
	/*
	 * The last task read alone (store_task_get) or saved, in the write
	 * transaction numbered txn (0: none): what store_task_update
	 * compares the task saved with, to pick its statement.  Writers take
	 * turns, a write transaction at a time, and only store_task_update
	 * writes what is kept here: within one, it is what the registry has.
	 */
	struct task_read {
		int64_t id;
		unsigned txn;
		enum task_status status;
		int64_t done_at;
		bool has_done_due;
		struct date done_due;
		struct task_plan_key plan;
	} last_read;
	unsigned txn;		/* write transactions begun: their numbers */
	char why[320];		/* the English detail of the last refusal, for store_errmsg */
	struct {		/* the event chain where the savepoint began */
		bool open;
		struct head head;
		bool head_valid, head_dirty;
	} sp;
	/*
	 * When tasks were created (task_created_at), by task id modulo the
	 * size: a task's creation time never changes, so an entry holds
	 * until a rollback, which may take back a creation read here, or a
	 * task deleted and its id taken again; either leaves an earlier
	 * time, which only lets more through the check.
	 */
	struct {
		int64_t task_id, at;
	} created[2048];
};

/* --- what store.c's code reads as SQLite's API (each through st's backend) --- */

static inline struct store_stmt *
stmt(struct store *s, enum stmt id)
{
	return s->be->stmt(s->db, id);
}

static inline void
db_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	st->be->bind_int64(st, i, v);
}

static inline void
db_bind_text(struct store_stmt *st, int i, const char *text, bool copy)
{
	st->be->bind_text(st, i, text, copy);
}

static inline void
db_bind_null(struct store_stmt *st, int i)
{
	st->be->bind_null(st, i);
}

static inline int
db_step(struct store_stmt *st)
{
	return st->be->step(st);
}

/* NULL-safe, as sqlite3_reset() is. */
static inline void
db_reset(struct store_stmt *st)
{
	if (st)
		st->be->reset(st);
}

static inline enum db_type
db_column_type(struct store_stmt *st, int i)
{
	return st->be->column_type(st, i);
}

static inline int64_t
db_column_int64(struct store_stmt *st, int i)
{
	return st->be->column_int64(st, i);
}

static inline int
db_column_int(struct store_stmt *st, int i)
{
	return (int)st->be->column_int64(st, i);
}

static inline const char *
db_column_text(struct store_stmt *st, int i)
{
	return st->be->column_text(st, i);
}

/* The last call's failure as -errno, or 0 when it did not fail. */
static inline int
db_errno(struct store *s)
{
	return s->be->last_errno(s->db);
}

static inline int64_t
db_changes(struct store *s)
{
	return s->be->changes(s->db);
}

/*
 * store_sqlite.c's: the CREATE TABLE sql with each "CHECK (col IN
 * ('a','b','c'))" of three or more strings written "CHECK (col = 'a' OR
 * col = 'b' OR col = 'c')" (schema 6): a new string, or NULL when there
 * was none to rewrite.
 */
char *store_check_in_to_or(const char *sql);

/* --- store.c's, for the backends' migrations ------------------------------ */

/* Sets the detail store_errmsg tells (fmt NULL: the backend's again). */
void store_set_why(struct store *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Writes the chain's head as h says. */
int store_head_write(struct store *s, const struct head *h);
/*
 * The hash of the event row st is on (its columns: id, task_id, at,
 * actor, person_id, channel, kind, old_value, new_value, text, data) after
 * prev, unkeyed, as schema 7 chains them: out, and the row's id and time.
 */
void store_event_row_hash(struct store *s, struct store_stmt *st, const char *prev,
			  char out[HASH_SHA256_HEX_LEN], int64_t *ret_id, int64_t *ret_at);
/* The SHA-256 context, made on first use. */
struct hash *store_digest(struct store *s);

#endif
