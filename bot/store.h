/* SPDX-License-Identifier: MIT */
/*
 * The registry's storage: every SQL statement of dondoc lives behind these
 * typed functions (DESIGN §4), in one file per database: store.c keeps
 * the rules of both and asks a backend (store_int.h), store_sqlite.c or
 * store_pg.c, to run them.  Nothing else knows which database it is on.
 *
 * Conventions: functions return 0 (or a count) on success and a negative
 * errno on failure: -ENOENT not found, -EEXIST a unique key is taken,
 * -EBUSY the database is locked by another process, -EROFS it is
 * read-only, -EBADMSG it is not a dondoc database or is damaged, -EIO
 * anything else.  store_errmsg() then tells the detail.  Records handed to
 * callbacks are borrowed for the duration of the call; records written
 * into ret_* are new and freed by their _release function.
 */
#ifndef DONDOC_STORE_H
#define DONDOC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notice.h"
#include "registry.h"
#include "task.h"

#define STORE_SCHEMA_VERSION 16

struct store;

enum store_mode {
	STORE_READ,	/* an existing, initialised database, read only */
	STORE_WRITE,	/* an existing, initialised database */
	STORE_CREATE,	/* create or upgrade the schema as needed */
};

/*
 * Opens the registry where the db setting says: a file path (SQLite), or
 * a postgresql:// URI (libpq's).  Fails with -ENOENT when the file does
 * not exist or holds no dondoc schema (unless STORE_CREATE), -EROFS when
 * a write mode meets a read-only file, -EBADMSG for a file that is not an
 * SQLite database or a schema newer than this program, -EIO when the
 * server cannot be reached.  On failure *reterr_msg (when not NULL) is a
 * new English message; free it.
 */
int store_open(const char *where, enum store_mode mode, struct store **ret,
	       char **reterr_msg);
/* Closes s (its audit key wiped); NULL-safe; returns NULL. */
struct store *store_close(struct store *s);
/*
 * Wake-ups between instances: a descriptor that turns readable when a
 * connection to the registry queued messages (PostgreSQL's LISTEN/NOTIFY,
 * on s's connection), -1 when the backend has none (then a tick's
 * polling is what finds them).  Poll it only between statements.
 */
int store_wake_fd(struct store *s);
/* Whether such a wake-up came since the last call (they are drained). */
bool store_woken(struct store *s);
/* The db setting where as it may be shown: a URI's password and options left out. */
void store_where_shown(const char *where, char *out, size_t size);
/* The database's message for the last failure on s (borrowed, valid until the next call). */
const char *store_errmsg(const struct store *s);
/*
 * What went wrong when a call on s failed with r, for a log line: the
 * store's reason, or the database's message while it still tells of r, else r in
 * words (-EBUSY: the registry locked by another process).  Borrowed.
 */
const char *store_strerror(const struct store *s, int r);

/* What a connection is about to do, for its backend to size itself (SQLite: its page cache). */
enum store_work {
	STORE_WORK_USUAL,	/* the idle daemon, a command: memory not in use given back */
	STORE_WORK_IMPORT,	/* a large import */
	STORE_WORK_SCAN,	/* a pass over every task (the planner's full pass) */
	/* Long transactions of a savepoint per unit of work (the webhook's writer). */
	STORE_WORK_SAVEPOINTS,
};
int store_work(struct store *s, enum store_work w);
/* How long a statement waits for another connection's lock (STORE_BUSY_MS at open). */
void store_set_busy_timeout(struct store *s, int ms);
#define STORE_BUSY_MS 5000

/*
 * Hands the upkeep that follows this connection's commits (SQLite: the
 * WAL's checkpoints, which SQLite runs inside the commit that takes the
 * WAL past 1000 pages) to another connection: after each commit
 * fn(userdata, backlog) is told how much is waiting (WAL pages).  A
 * writer that must answer fast keeps the copying of pages and the fsync
 * out of its way so.  Past 10,000 pages (the other has fallen behind)
 * it does the upkeep itself all the same.  fn NULL: its own again.
 * -EOPNOTSUPP when the backend has no such upkeep.
 */
int store_upkeep_handoff(struct store *s, void (*fn)(void *userdata, int backlog),
			 void *userdata);
/*
 * The upkeep (SQLite: a passive checkpoint; what of the WAL no reader
 * needs any more is copied into the database), without waiting for any
 * reader or writer.  0 (*ret_backlog before, *ret_done of it), or -errno.
 */
int store_upkeep(struct store *s, int *ret_backlog, int *ret_done);

/* A remembered value (new string in *ret); -ENOENT when never set. */
int store_meta_get(struct store *s, const char *key, char **ret);
/* Remembers value under key. */
int store_meta_set(struct store *s, const char *key, const char *value);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK.  Rollback never fails.
 *
 * Inside a transaction, on a backend that pipelines, a write whose answer nothing reads
 * (an event appended, an address seen, a message whose id is not asked,
 * the planner's batches) is sent on without waiting: it returns 0, and
 * its failure is told by the next call that waits for the server (a
 * read, store_savepoint, store_release, store_commit).  A unit of work
 * is whole once its release or commit returned 0.
 */
int store_begin(struct store *s);
/*
 * Like store_begin, for a transaction that must be on disk once its
 * commit returns, even across a power loss (a single-use token the
 * remote side has already replaced): its commit syncs the WAL
 * (synchronous FULL, which SQLite lets change only outside a
 * transaction); the connection's NORMAL comes back after the commit or
 * rollback.
 */
int store_begin_durable(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
/*
 * One savepoint inside the transaction (not nested): released keeps what
 * was done since, rolled back to undoes it and leaves the transaction
 * open.  -EINVAL outside a transaction, or with none open.
 */
int store_savepoint(struct store *s);
/*
 * True inside a transaction begun by store_begin that SQLite has not
 * ended on its own (it rolls the whole of it back on some I/O errors).
 */
bool store_in_txn(struct store *s);
int store_release(struct store *s);
int store_rollback_to(struct store *s);

/* --- agencies --------------------------------------------------------- */

/*
 * Finds the agency whose code, normalised name or alias matches text
 * (any case, with or without diacritics).  -ENOENT when none.
 */
int store_agency_lookup(struct store *s, const char *text, struct agency *ret);
/* Adds an agency; -EEXIST when its code, name or an alias is taken. */
int store_agency_insert(struct store *s, const char *code, const char *name,
			enum agency_kind kind, int64_t now, int64_t *ret_id);
/* 1 when code is used by an agency, 0 when free, <0 on error. */
int store_agency_code_taken(struct store *s, const char *code);
/*
 * Adds alias to agency_id: 1 when added, 0 when agency_id already had it
 * (or it is its name); -EEXIST when it already names another agency.
 */
int store_agency_alias_add(struct store *s, int64_t agency_id, const char *alias);
typedef int (*store_alias_cb)(int64_t agency_id, const char *key, const char *alias,
			      void *userdata);
/* Calls cb for every alias (normalised key and as written), by agency. */
int store_alias_foreach(struct store *s, store_alias_cb cb, void *userdata);

typedef int (*store_agency_cb)(const struct agency *a, void *userdata);
/* Calls cb for every agency by code, with n_tasks filled; stops on cb < 0. */
int store_agency_foreach(struct store *s, store_agency_cb cb, void *userdata);

/* --- people ----------------------------------------------------------- */

/*
 * Adds p (agency_id must exist) with its addresses, all working;
 * -EEXIST for an address another person has.
 */
int store_person_insert(struct store *s, const struct person *p, int64_t now,
			int64_t *ret_id);
/* The person numbered id, new in *ret (person_release); -ENOENT when none. */
int store_person_get(struct store *s, int64_t id, struct person *ret);
/* The active people of role, as a new array of n records (person_release each, free it). */
int store_person_list_role(struct store *s, enum person_role role, struct person **ret,
			   size_t *ret_n);
typedef int (*store_person_cb)(const struct person *p, void *userdata);
int store_person_foreach(struct store *s, store_person_cb cb, void *userdata);

/* --- documents -------------------------------------------------------- */

/*
 * Returns the id of the document numbered number (compared normalised),
 * adding it with kind, date ("YYYY-MM-DD" or NULL) and title when new.
 */
int store_document_ensure(struct store *s, const char *number, const char *kind,
			  const char *date, const char *title, int64_t *ret_id);
/* The id of the document numbered number (compared normalised): 0, or -ENOENT. */
int store_document_find(struct store *s, const char *number, int64_t *ret_id);

/* --- tasks ------------------------------------------------------------ */

/* The task of document_id (0 for none) with normalised title title_key. */
int store_task_find(struct store *s, int64_t document_id, const char *title_key,
		    struct task *ret);
/* The task numbered id; -ENOENT when none. */
int store_task_get(struct store *s, int64_t id, struct task *ret);
/*
 * Adds t (its id, leads and timestamps are ignored; created_at and
 * updated_at are set to now).  -EEXIST when its code or identity is taken.
 */
int store_task_insert(struct store *s, const struct task *t, int64_t document_id,
		      const char *title_key, int64_t now, int64_t *ret_id);
/*
 * Writes kind, deadline, status, progress, done_at, the obstacle flag and
 * the note of task t->id, in the transaction open or in one of its own;
 * -ENOENT when there is no such task.  Its plan is dropped, for the
 * planner to make again, when what it follows from changed
 * (task_plan_same, against the task as the registry had it); kept
 * otherwise.
 */
int store_task_update(struct store *s, const struct task *t, int64_t now);
/*
 * Sets the lead (or, when !lead, cooperating) agencies of task_id to ids,
 * in that order; replace first drops the ones it had (a new task has none).
 */
int store_task_set_agencies(struct store *s, int64_t task_id, bool lead,
			    bool replace, const int64_t *ids, size_t n);
/* 1 when code is used by a task, 0 when free, <0 on error. */
int store_task_code_taken(struct store *s, const char *code);

struct task_filter {
	int64_t agency_id;	/* lead agency, 0 for any */
	int status;		/* enum task_status, or -1 for any */
	const char *plan_day;	/* "YYYY-MM-DD": only open tasks the planner must look at by then */
};
typedef int (*store_task_cb)(const struct task *t, void *userdata);
/* Calls cb for every task matching f (NULL for all), by id. */
int store_task_foreach(struct store *s, const struct task_filter *f,
		       store_task_cb cb, void *userdata);

/* --- the event log ---------------------------------------------------- */

/*
 * How far before the last event a new one may be dated (seconds): two
 * processes' clocks, or a clock stepped by NTP, disagree a little.
 */
#define STORE_CLOCK_TOLERANCE 300
#define STORE_KEY_ID_LEN 17	/* 16 hex digits and a NUL */

struct event {
	int64_t id;		/* set by the store */
	int64_t task_id;	/* 0 when the event is about no task */
	int64_t at;		/* unix time */
	const char *actor;	/* who: a person's name, "import", an operator */
	int64_t person_id;	/* 0 when not a registered person */
	const char *channel;	/* cli, telegram, zalo, email, http */
	const char *kind;	/* created, status, progress, note, deadline, ... */
	const char *old_value;	/* NULL when none */
	const char *new_value;	/* NULL when none */
	const char *text;	/* NULL when none */
	const char *data;	/* JSON: what replaying the event needs beyond the above (audit.h) */
	const char *hash;	/* set by the store: chained to the previous event's */
	bool hidden_bytes;	/* set by reads: a text holds a NUL, and more after it */
};

/*
 * Appends e to the log, chaining its hash to the last event's.  -ERANGE
 * when e is dated before its task's creation, or more than
 * STORE_CLOCK_TOLERANCE before the last event; -ENOKEY when the history
 * is keyed and no key was given (store_errmsg says which).
 */
int store_event_append(struct store *s, const struct event *e);
typedef int (*store_event_cb)(const struct event *e, void *userdata);
/* Calls cb for the events of task_id in order (0: every event). */
int store_event_foreach(struct store *s, int64_t task_id, store_event_cb cb,
			void *userdata);

/* What store_chain_check found. */
enum chain_state {
	CHAIN_INTACT,
	CHAIN_BROKEN,		/* event bad_id was changed, inserted or removed */
	CHAIN_HEAD,		/* the head does not name the last event: the end was cut off */
	CHAIN_NO_KEY,		/* keyed from key_from, and no key given: checked up to there */
	CHAIN_WRONG_KEY,	/* keyed with chain_key_id, the key given is key_id */
	CHAIN_NOT_KEYED,	/* a key is given but the history was never keyed */
};
struct store_chain {
	enum chain_state state;
	int64_t count;		/* events checked good */
	int64_t last_id;	/* the last of them (0: none) */
	int64_t bad_id;		/* CHAIN_BROKEN, CHAIN_HEAD: the first that is not */
	int64_t at;		/* CHAIN_INTACT: the time of the last event */
	char hash[65];		/* CHAIN_INTACT: the head hash (the anchor) */
	int64_t key_from;	/* the first keyed event; 0 when unkeyed */
	bool keyed;		/* the connection has a key (store_set_audit_key) */
	char key_id[STORE_KEY_ID_LEN];		/* the given key's name, when keyed */
	char chain_key_id[STORE_KEY_ID_LEN];	/* the history's key's name, when key_from */
};
/* Recomputes the hash chain and checks the head's seal into *ret; 0 or -errno. */
int store_chain_check(struct store *s, struct store_chain *ret);
/*
 * The same, short: 0 when intact, with *ret_count events; -EBADMSG when
 * an event was changed, with its id in *reterr_id; -ENOKEY without the key.
 */
int store_event_verify(struct store *s, int64_t *ret_count, int64_t *reterr_id);
/* When the last event happened (0: none yet), as the head says. */
int store_event_last_at(struct store *s, int64_t *ret);
/* When task_id last had an event of kind ("assessment"): *ret, 0 when never. */
int store_event_last_of_kind(struct store *s, int64_t task_id, const char *kind, int64_t *ret);
/* The id of the event whose hash is hash (an anchor); -ENOENT when none. */
int store_event_find_hash(struct store *s, const char *hash, int64_t *ret_id);

/*
 * Sets the audit key of connection s ([audit] key_file; copied, the old
 * one wiped; NULL: none): its chain is HMAC-SHA-256 under it from the
 * audit.key event on.  0, or -EINVAL for an empty key.
 */
int store_set_audit_key(struct store *s, const void *key, size_t n);
/* Gives dst the audit key of src (a copy; none when src has none). */
void store_copy_audit_key(struct store *dst, const struct store *src);
/*
 * With a key set and a history not yet keyed, appends the audit.key
 * event from which it is (its own transaction): 1.  0 when there is
 * nothing to do; -EKEYREJECTED when the history is keyed with another key.
 */
int store_audit_key_apply(struct store *s, const char *actor, int64_t now);

/* --- addresses ------------------------------------------------------ */

/*
 * A person's addresses, one per channel ("email", "telegram", "zalo",
 * "phone"; person_address reads them).  The person whose address on
 * channel is value, new in *ret; -ENOENT when none.
 */
int store_person_by_address(struct store *s, const char *channel, const char *value,
			    struct person *ret);
/*
 * Binds value as id's address on channel (taking it from anyone else who
 * had it), not refused.  0, -ENOENT when there is no person id, -EINVAL
 * for a channel the table has not, or -errno.
 */
int store_address_link(struct store *s, int64_t id, const char *channel, const char *value);
/*
 * Marks (or clears) id's address on channel as refused for good, since
 * at: 1 when that changed, 0 when it already was so, -ENOENT when id has
 * no address there.  Only regop_person_address calls it, which records
 * the change.
 */
int store_address_set_broken(struct store *s, int64_t id, const char *channel, bool broken,
			     int64_t at);
/* Records that id last wrote through their address on channel at at (Zalo's window). */
int store_address_seen(struct store *s, int64_t id, const char *channel, int64_t at);

/* --- chat (DESIGN §7) --------------------------------------------------- */

/* Records a link code by its hash (hex SHA-256), valid until expires_at. */
int store_link_code_add(struct store *s, const char *hash, int64_t person_id, int64_t now,
			int64_t expires_at);
/*
 * Uses the code of hash once: 0 with its person; -ENOENT unknown,
 * -EALREADY used before, -ETIME expired.
 */
int store_link_code_take(struct store *s, const char *hash, int64_t now, int64_t *ret_person);
/* A new extension request (state pending). */
int store_extension_add(struct store *s, const struct extension *e, int64_t now, int64_t *ret_id);
int store_extension_get(struct store *s, int64_t id, struct extension *ret);
/*
 * Closes request id in state (decided_by 0: no person, e.g. superseded or
 * an operator); -EALREADY when it was closed before.
 */
int store_extension_decide(struct store *s, int64_t id, enum extension_state state,
			   int64_t decided_by, const char *decision, int64_t now);
/* The open (pending) request of task_id: 0 with *ret (extension_release), -ENOENT when none. */
int store_extension_pending(struct store *s, int64_t task_id, struct extension *ret);
/*
 * Calls cb with each request (only the pending ones with pending_only),
 * oldest first; cb's non-zero return stops and is returned.  e is borrowed.
 */
int store_extension_foreach(struct store *s, bool pending_only,
			    int (*cb)(const struct extension *e, void *userdata), void *userdata);
/*
 * Records update_id of channel as handled; -EEXIST when it was, within
 * the last 26 hours (Telegram keeps an update 24 hours, and may number
 * afresh after a quiet week).
 */
int store_chat_update_seen(struct store *s, const char *channel, int64_t update_id, int64_t now);
/*
 * Remembers that outbox message message_id became chat message
 * chat_message_id (the channel's id as text: Telegram's in decimal).
 */
int store_chat_sent_add(struct store *s, const char *channel, const char *chat_id,
			const char *chat_message_id, int64_t message_id);
/* The outbox message a chat message came from; -ENOENT when not one of ours. */
int store_chat_sent_get(struct store *s, const char *channel, const char *chat_id,
			const char *chat_message_id, int64_t *ret_message_id);
/*
 * The tasks of the notices grouped into message_id (new array): those a
 * reminder's buttons act on, so not its indicators (they are assessed).
 */
int store_message_tasks(struct store *s, int64_t message_id, int64_t **ret, size_t *ret_n);
/* The first indicator message_id asks about (an update request): *ret, 0 when none. */
int store_message_first_indicator(struct store *s, int64_t message_id, int64_t *ret);

/*
 * The chat's questions (schema 9): outbox message message_id (0: an answer
 * not queued) asked person_id for the progress of task_id (Telegram
 * ForceReply), at unix time at.  Each
 * stays "open" until that person's next message closes it.
 * store_chat_ask_get: the task message_id asked person_id about, -ENOENT
 * when it asked nothing.  store_chat_ask_last: the task of the person's
 * latest open question asked at or after since, -ENOENT when none.
 */
int store_chat_ask_add(struct store *s, int64_t message_id, int64_t person_id, int64_t task_id,
		       int64_t at);
int store_chat_ask_get(struct store *s, int64_t message_id, int64_t person_id, int64_t *ret_task);
int store_chat_ask_last(struct store *s, int64_t person_id, int64_t since, int64_t *ret_task);
/* Closes every open question to person_id (0 or -errno). */
int store_chat_ask_close(struct store *s, int64_t person_id);

/* --- metrics ---------------------------------------------------------- */

/*
 * Calls cb for each count /metrics shows: ("notice", NULL, state, n) and
 * ("message", channel, state, n); *ret_oldest_queued is the creation time
 * of the oldest queued notice (0 when none).
 */
typedef void (*store_metric_cb)(const char *what, const char *channel, const char *state,
				int64_t n, void *userdata);
int store_metrics(struct store *s, store_metric_cb cb, void *userdata, int64_t *ret_oldest_queued);
/*
 * What waits to be sent: notices queued and not yet in a message, and
 * messages pending.  Counted on their partial indexes, so that an idle
 * daemon asking does not read (and cache) the registry.  0 or -errno.
 */
int store_waiting(struct store *s, int64_t *ret_notices, int64_t *ret_messages);

/* --- planning --------------------------------------------------------- */

/* What the planner needs of a task, and no more; borrowed for the callback. */
struct plan_task {
	int64_t id;
	enum task_kind kind;
	struct deadline deadline;	/* with its period, when recurring */
	enum task_status status;
	bool has_first_notice;
	struct date first_notice;	/* the day a reminder or nag was first sent */
	int64_t created_at;
	bool has_next;
	struct date next;	/* the next day to look at it */
	bool has_through;
	struct date through;	/* steps up to this day are planned */
	const int64_t *lead_ids;
	size_t n_leads;
};
typedef int (*store_plan_cb)(const struct plan_task *t, void *userdata);
/* Calls cb for each open task whose next day is on or before day ("YYYY-MM-DD"). */
int store_plan_foreach(struct store *s, const char *day, store_plan_cb cb, void *userdata);
/* Records the next day to look at task_id, and that its steps are planned through through. */
int store_task_set_plan(struct store *s, int64_t task_id, struct date next, struct date through);
/* The same for v[0..n), in batches. */
struct task_plan {
	int64_t id;
	struct date next;
};
int store_task_set_plan_many(struct store *s, const struct task_plan *v, size_t n,
			     struct date through);
/* Open tasks the planner must look at by day ("YYYY-MM-DD"), or -errno. */
int64_t store_task_count_to_plan(struct store *s, const char *day);
/* Open tasks (not indicators) whose deadline is external or unknown, or -errno. */
int64_t store_task_count_undated(struct store *s);
/* Notices about no task (lists) of stage for anchor, or -errno. */
int64_t store_notice_count_list(struct store *s, enum notice_stage stage, struct date anchor);
/* Makes the planner look at every open task again (after the schedules change). */
int store_task_replan_all(struct store *s);

/* --- notices ---------------------------------------------------------- */

/*
 * Adds n as queued unless a notice with the same task, stage, step,
 * anchor and person exists (invariant 1); *ret_inserted says which.
 */
int store_notice_insert(struct store *s, const struct notice *n, int64_t now, bool *ret_inserted);
/*
 * The same for v[0..n), in batches: the number added, or -errno.
 * ret_inserted (NULL, or n bools) says which were.
 */
int64_t store_notice_insert_many(struct store *s, const struct notice *v, size_t n, int64_t now,
				 bool *ret_inserted);
typedef int (*store_notice_cb)(const struct notice *n, void *userdata);
/* The notices of a task, by day. */
int store_notice_foreach_task(struct store *s, int64_t task_id, store_notice_cb cb, void *userdata);
/* Queued notices not yet in a message, by person, channel and day. */
int store_notice_foreach_unsent(struct store *s, store_notice_cb cb, void *userdata);
/* The notices grouped into message message_id. */
int store_notice_foreach_message(struct store *s, int64_t message_id, store_notice_cb cb,
				 void *userdata);
/*
 * Cancels the queued notices of task_id (invariant 5), and the pending
 * messages left with nothing to say; *ret_n (when not NULL) counts notices.
 */
int store_notice_cancel_task(struct store *s, int64_t task_id, int64_t now, int *ret_n);
int store_notice_set_state(struct store *s, int64_t id, enum notice_state state, int64_t now);
/* Moves the notices of message from_message into to_message (a fallback). */
int store_notice_move(struct store *s, int64_t from_message, int64_t to_message, int64_t now);
/* Puts notice id into message message_id. */
int store_notice_attach(struct store *s, int64_t id, int64_t message_id, int64_t now);

/* --- messages (the outbox) -------------------------------------------- */

/* Adds m as pending (its id, state and attempts are ignored). */
int store_message_insert(struct store *s, const struct message *m, int64_t *ret_id);
/* The message numbered id, new in *ret (message_release); -ENOENT when none. */
int store_message_get(struct store *s, int64_t id, struct message *ret);
/*
 * Claims up to max pending messages due by now, oldest first, for owner
 * (instance.h) until lease_until, in one statement safe with several
 * instances: none is claimed twice.  They go, as claimed (sending, an
 * attempt counted), into ret[0..*ret_n) (message_release each).
 */
int store_message_claim_due(struct store *s, int64_t now, const char *owner, int64_t lease_until,
			    struct message *ret, int max, int *ret_n);
/* Claims message id for owner until lease_until: 1 claimed, 0 not pending, <0 error. */
int store_message_claim(struct store *s, int64_t id, const char *owner, int64_t lease_until);
/*
 * Ends an attempt: sent (its notices too), pending again at next_at, or
 * dead at now (its notices too), with error (NULL when none).  A message
 * being sent is ended by its owner only: -ESTALE when another instance
 * holds it now (the lease of owner ended and it was taken over), or when
 * there is no message id.  Sent or dead, a reply's feed links lose their
 * tokens (feedlink_redact): the outbox delivers the whole link once and
 * keeps none.
 */
int store_message_finish(struct store *s, int64_t id, const char *owner, enum message_state state,
			 int64_t next_at, int64_t now, const char *error);
/*
 * A message claimed by owner and not tried after all (stopping, a
 * failure): pending again at next_at (its next_at before the claim), the
 * attempt not counted.  Nothing when it is no longer owner's.
 */
int store_message_unclaim(struct store *s, int64_t id, const char *owner, int64_t next_at);
/*
 * Claims void: the messages being sent whose lease ended by now are
 * pending again, due now; *ret_n (when not NULL) counts them.
 */
int store_message_recover(struct store *s, int64_t now, int *ret_n);
/*
 * The same for every claim of owner, whatever its lease (its process is
 * known gone); owner NULL: the claims made before claims had owners.
 */
int store_message_recover_owner(struct store *s, const char *owner, int64_t now, int *ret_n);
/* Who holds messages being sent: a new array (free each, and it) of *ret_n owners. */
int store_message_claimants(struct store *s, char ***ret, size_t *ret_n);
typedef int (*store_message_cb)(const struct message *m, void *userdata);
/* Every message (state < 0) or those in state, by id. */
int store_message_foreach(struct store *s, int state, store_message_cb cb, void *userdata);
/* dead -> pending now, its notices queued again; -ENOENT unless id is dead. */
int store_message_retry(struct store *s, int64_t id, int64_t now);

/* --- copying (dondoc migrate) ---------------------------------------------- */

typedef int (*store_copy_cb)(const char *table, int64_t rows, void *userdata);
/*
 * Copies every row of from, with its id and its history, into to, a
 * registry of the same schema made anew (on either backend): -EEXIST
 * when to holds anything already.  One transaction on to; cb (may be
 * NULL) hears of each table copied, and stops the copy by returning
 * non-zero.
 */
int store_copy(struct store *from, struct store *to, store_copy_cb cb, void *userdata);

/* --- leases: one leader at a time (lease.h) ------------------------------- */

/* One term of a lease, as lease_term keeps it. */
struct lease_term {
	const char *name;
	int64_t term;
	const char *owner;
	int64_t started_at;
	int64_t until;		/* the end of its lease as last renewed */
	int64_t ended_at;	/* 0 while it lasts */
	bool held;		/* the lease row is this term's */
};

/* Who holds lease name: its owner (new, free it), term and end; -ENOENT when nobody. */
int store_lease_get(struct store *s, const char *name, char **ret_owner, int64_t *ret_term,
		    int64_t *ret_until);
/*
 * Takes lease name for owner until until, as the next term (logged,
 * started at now): 1 with *ret_term, 0 when somebody holds it.
 */
int store_lease_elect(struct store *s, const char *name, const char *owner, int64_t now,
		      int64_t until, int64_t *ret_term);
/* Moves the end of owner's term of lease name to until: 1, or 0 when it is not theirs. */
int store_lease_renew(struct store *s, const char *name, const char *owner, int64_t term,
		      int64_t until);
/* Ends term of lease name at now (stepped down, or its owner gone): the lease is free. */
int store_lease_end(struct store *s, const char *name, int64_t term, int64_t now);
typedef int (*store_lease_term_cb)(const struct lease_term *t, void *userdata);
/* Every term of every lease, by name then term. */
int store_lease_terms(struct store *s, store_lease_term_cb cb, void *userdata);

/* --- obstacles (obstacle.h) ---------------------------------------------- */

struct obstacle;
/* Adds o as open (its id, state and handling are ignored); *ret_id (may be NULL) is its id. */
int store_obstacle_insert(struct store *s, const struct obstacle *o, int64_t *ret_id);
/* Obstacle id into *ret (obstacle_release); -ENOENT when none. */
int store_obstacle_get(struct store *s, int64_t id, struct obstacle *ret);
/* Marks open obstacle id handled; -EALREADY when it is not open (or not there). */
int store_obstacle_handle(struct store *s, int64_t id, int64_t person_id, const char *handler,
			  const char *note, int64_t at);
/* How many obstacles of task_id are open, or -errno. */
int64_t store_obstacle_count_open(struct store *s, int64_t task_id);
typedef int (*store_obstacle_cb)(const struct obstacle *o, void *userdata);
/* Every obstacle (only the open ones when open_only), by id. */
int store_obstacle_foreach(struct store *s, bool open_only, store_obstacle_cb cb, void *userdata);
/*
 * Messages of kind made for person_id on day and not cancelled (one daily
 * message a day).  Only the kinds a day's count asks about are indexed so
 * (MESSAGE_REMINDER, MESSAGE_CATCHUP, MESSAGE_DAILY): -EINVAL for others.
 */
int store_message_count_day_kind(struct store *s, int64_t person_id, struct date day,
				 enum message_kind kind, int *ret_n);
/*
 * Agency agency_id's code and name (new strings) and how many open tasks
 * (neither done nor postponed) it leads; -ENOENT when no such agency.
 */
int store_agency_lead_count(struct store *s, int64_t agency_id, char **ret_code, char **ret_name,
			    int64_t *ret_open);
/* --- period reports (recurring tasks, period.h) -------------------------- */

/* The report of one period of a recurring task. */
struct period_report {
	int64_t task_id;
	struct date period;	/* the period's reporting day */
	int64_t reported_at;	/* unix time */
	int64_t person_id;	/* who reported; 0 when not a registered person */
};
/* Records pr; -EEXIST when that period of that task was reported already. */
int store_period_report_add(struct store *s, const struct period_report *pr);
typedef int (*store_period_report_cb)(const struct period_report *pr, void *userdata);
/* Calls cb for the reports of task_id, by period. */
int store_period_report_foreach(struct store *s, int64_t task_id, store_period_report_cb cb,
				void *userdata);
/* --- what was really sent (the outbox, for the messages' past tense) --- */

/*
 * One reminder, nag or escalation about a task that reached its person:
 * the notice is sent and so is the message that carried it.  Messages
 * say "đã nhắc ..." only from these (DESIGN §6), never from the ladder.
 */
struct sent_notice {
	int64_t task_id;
	enum notice_stage stage;	/* STAGE_BEFORE, _OVERDUE, _RECURRING or _ESCALATION */
	int step;			/* working days, or the escalation level */
	struct date day;		/* the local day its message was sent */
	int64_t person_id;
	char *name;			/* the person's name */
	enum person_role role;
	char *agency;			/* the person's agency's name */
};

/*
 * The notices sent about the tasks task_ids[0..n), task by task in that
 * order, oldest first within a task.  0 with a new array in *ret and its
 * length in *ret_n (free with sent_notices_free), or -errno.
 */
int store_sent_notices(struct store *s, const int64_t *task_ids, size_t n,
		       struct sent_notice **ret, size_t *ret_n);
/* Frees v[0..n) and v; NULL-safe; returns NULL. */
struct sent_notice *sent_notices_free(struct sent_notice *v, size_t n);
/* Active people of role in agency_id, or -errno. */
int64_t store_agency_count_role(struct store *s, int64_t agency_id, enum person_role role);

/* --- people and agencies corrected (issue 12) ---------------------------- */

/* What refers to a person: removing them would lose it (regop_person_remove). */
struct person_refs {
	int64_t events;		/* history events they made (chat, a decision) */
	int64_t messages;	/* outbox messages to them */
	int64_t notices;	/* reminders planned or sent to them */
	int64_t task_records;	/* extension requests, obstacles, period reports */
	int64_t codes;		/* chat link codes made for them */
};

/*
 * Writes every field of p (by p->id) but its agency's code and name,
 * and its addresses (value and broken_at; last_in is kept while the value
 * is): -ENOENT when no such person, -EEXIST when an address is
 * another's.  Only regop_person_set calls it, which records the change.
 */
int store_person_update(struct store *s, const struct person *p);
/* Counts what refers to person id into *ret; 0 or -errno. */
int store_person_refs(struct store *s, int64_t id, struct person_refs *ret);
/*
 * Deletes person id (nothing may refer to it: store_person_refs); their
 * feeds stay, pointing nowhere (target negated, target_name NULL).  0 or -errno.
 */
int store_person_delete(struct store *s, int64_t id);
/*
 * Writes a's code, name and kind (by a->id); -EEXIST when the code or
 * the name is another agency's, or the name another's alias.
 */
int store_agency_update(struct store *s, const struct agency *a);
/* How many tasks name agency id (lead or cooperating), and people belong to it. */
int store_agency_refs(struct store *s, int64_t id, int64_t *ret_tasks, int64_t *ret_people);
/*
 * Moves the tasks, people and aliases of agency from to agency into, then
 * deletes from; from's feeds point nowhere (target negated) and send its
 * tasks cancelled.  Giving into from's name and code as aliases is the
 * caller's (regop_agency_merge).
 */
int store_agency_merge(struct store *s, int64_t from, int64_t into);
/*
 * Deletes agency id; its aliases go with it (ON DELETE CASCADE), its feeds
 * point nowhere (target negated); nothing else may refer to it.
 */
int store_agency_delete(struct store *s, int64_t id);

/* --- the digest's period (digest.h) --------------------------------------- */

/* What the digest tells of a period, besides the tasks done and the new late ones. */
enum store_happening {
	HAPPENED_DEADLINE,		/* a deadline moved (an event; not a recurring task's turn) */
	HAPPENED_EXTENSION_ASKED,	/* a request to move one made (/giahan) */
	HAPPENED_EXTENSION_DECIDED,	/* ... approved or rejected */
	HAPPENED_OBSTACLE_RAISED,
	HAPPENED_OBSTACLE_HANDLED,
	HAPPENED_DEAD_MESSAGE,		/* an outbox message given up for good */
	_HAPPENED_MAX,
};

/* One of them; strings borrowed for the callback, NULL when none. */
struct store_happened {
	enum store_happening kind;
	int64_t id;		/* the event, request, obstacle or message */
	int64_t task_id;	/* 0 for a message */
	int64_t at;		/* when (a message: when it was given up) */
	const char *who;	/* actor, requester, decider, handler; a message's recipient */
	const char *before;	/* deadline: as written before; decided: "approved"/"rejected";
				   message: its channel */
	const char *after;	/* deadline: as written now; request: as asked ("Quý I/2026") or
				   the day (YYYY-MM-DD); message: its kind */
	const char *text;	/* why, the reason, the decision, the obstacle, the handling note;
				   a message: its last error */
};
typedef int (*store_happened_cb)(const struct store_happened *h, void *userdata);
/*
 * Calls cb for what happened from unix time from to to (both included),
 * by kind then time, the messages by when they were given up (one made
 * before the period and dead in it is the period's); agency_id (0: all)
 * keeps the tasks it leads and the messages to its people.  Stops on
 * cb < 0 and returns it; 0, or -errno.
 */
int store_happened_foreach(struct store *s, int64_t from, int64_t to, int64_t agency_id,
			   store_happened_cb cb, void *userdata);
typedef int (*store_document_cb)(const char *number, const char *kind, void *userdata);
/* Calls cb for each document, number and kind ("Kế hoạch"; "" unknown); 0 or -errno. */
int store_document_foreach(struct store *s, store_document_cb cb, void *userdata);

/* --- the digest (schema 10, digestq.h) ------------------------------------ */

/* One digest made: its period and its workbook, sent alike to all its recipients. */
struct digest_run {
	int64_t id;
	struct date key;	/* the RRULE occurrence day it is for; y == 0: one asked for */
	struct date from, to;	/* the period it reports on */
	int64_t created_at;
	char *filename;		/* "Bao-cao-tien-do-2025-10-10.xlsx" */
	void *workbook;		/* the XLSX bytes */
	size_t len;
};

/* Frees what d owns; NULL-safe. */
void store_digest_release(struct digest_run *d);
/*
 * Records d (its id ignored) into *ret_id: -EEXIST when d->key was
 * recorded before (a scheduled digest is made once per key, ever).
 */
int store_digest_insert(struct store *s, const struct digest_run *d, int64_t *ret_id);
/* Whether a digest with key was recorded: 0 with *ret, or -errno. */
int store_digest_exists(struct store *s, struct date key, bool *ret);
/*
 * The "to" day of the last scheduled digest recorded (the one with the
 * latest key; one asked for does not move the periods): 0 with
 * *ret_to, -ENOENT when none.
 */
int store_digest_last(struct store *s, struct date *ret_to);
/* Digest run id with its workbook, new in *ret (store_digest_release); -ENOENT when none. */
int store_digest_get(struct store *s, int64_t id, struct digest_run *ret);
/* The latest key recorded (a scheduled digest's day): 0 with *ret_key, -ENOENT when none. */
int store_digest_last_key(struct store *s, struct date *ret_key);
/* Whether digest run id is a scheduled one (has a key): 0 with *ret, -ENOENT, -errno. */
int store_digest_is_scheduled(struct store *s, int64_t id, bool *ret);
/*
 * Empties the workbooks of the digests made before before whose messages
 * are all sent or cancelled (a dead one may be retried): their rows stay,
 * keys and periods, the bytes go.  0 with how many in *ret_n, or -errno.
 */
int store_digest_prune(struct store *s, int64_t before, int64_t *ret_n);

/* --- iCal feeds (schema 13, feed.h) ---------------------------------------- */

struct feed;

/*
 * Records f (kind, target, token_hash, created_at, created_by; its id
 * into f->id).  -ENOENT when its target (agency, person, document) is
 * not there, -EEXIST when the token's hash is taken.
 */
int store_feed_insert(struct store *s, struct feed *f);
/* Feed id, revoked or not, new in *ret (feed_release), target_name filled; -ENOENT. */
int store_feed_get(struct store *s, int64_t id, struct feed *ret);
/* The live feed whose token hashes to hash (hex), as store_feed_get; -ENOENT unknown or revoked. */
int store_feed_by_hash(struct store *s, const char *hash, struct feed *ret);
/*
 * Revokes feed id at now: 0, -ENOENT, -EALREADY (revoked before).  The
 * membership rows of every revoked feed go with it.
 */
int store_feed_revoke(struct store *s, int64_t id, int64_t now);
/*
 * Revokes at now every live feed of person person_id (FEED_PERSON on
 * them) and every one they made (created_by: from chat), as revoking
 * each does: 0 with how many in *ret_n (may be NULL), or -errno.
 */
int store_feed_revoke_of_person(struct store *s, int64_t person_id, int64_t now, int64_t *ret_n);
/*
 * The ids of the live feeds person_id made from chat (created_by), oldest
 * first, through an index: 0 with a new array (free; NULL when none) and
 * its length, or -errno.
 */
int store_feed_live_by_creator(struct store *s, int64_t person_id, int64_t **ret_ids,
			       size_t *ret_n);
/*
 * Forgets the feeds made from chat (created_by set) revoked before
 * before, with what they showed: 0 with how many in *ret_n (may be NULL),
 * or -errno.  Those made by the CLI stay for "feed list".
 */
int store_feed_prune(struct store *s, int64_t before, int64_t *ret_n);
typedef int (*store_feed_cb)(const struct feed *f, void *userdata);
/*
 * Calls cb for each feed, revoked ones too, by id: 0, the first negative
 * value cb returned (it stops there), or -errno.
 */
int store_feed_foreach(struct store *s, store_feed_cb cb, void *userdata);
/*
 * Records n fetches of feed id, the last at at by client (its User-Agent,
 * "" none): 0, -ENOENT when there is no feed id, or -errno.
 */
int store_feed_fetched(struct store *s, int64_t id, int64_t at, const char *client, int64_t n);
/*
 * The change counter of what feeds show: it grows with every change made
 * by any process to tasks, their agencies, agencies, documents, people
 * and deadline change requests, and with nothing else (messages, notices,
 * chat bookkeeping leave it).  0 with *ret, or -errno.
 */
int store_feed_gen(struct store *s, int64_t *ret);
/*
 * What changed since the counter read since (schema 15's change log): in
 * *ret_wide whether a row many tasks show did (an agency's name, a
 * document's number, a person's agency, name or language), or since is
 * further back than the log keeps: every feed to be built whole, and no
 * list.  Otherwise the tasks whose shown rows did (their own, their
 * agency links, their change requests, their SEQUENCE), ascending, in a
 * new array (free) of *ret_n.  0, or -errno.
 */
/*
 * The changes the log keeps (schema 15, whose triggers write the number:
 * 015.sql of sql/sqlite and sql/postgresql): a feed built further back is
 * built whole.
 */
#define STORE_FEED_CHANGES_KEPT 100000
int store_feed_changes(struct store *s, int64_t since, bool *ret_wide, int64_t **ret_ids,
		       size_t *ret_n);

/*
 * A number that differs from the last one read on s when another
 * connection, of any process, committed since (this connection's own
 * commits leave it).  A connection that only reads may keep what it read
 * while it is the same (read it before the rows).  0 with *ret, or -errno.
 */
int store_data_version(struct store *s, int64_t *ret);
/*
 * Calls cb for each task f shows or could show, by id: every kind,
 * status and deadline (the caller leaves out indicators, undated and
 * long-done tasks), with whether a deadline change request is pending.
 * FEED_AGENCY: tasks the agency leads or cooperates on; FEED_PERSON: the
 * same for the person's agency; FEED_DOCUMENT: the document's; FEED_ALL:
 * all.  One pass: 10,000 tasks in a few milliseconds.  t and its texts
 * are the store's, valid during the call only (copy what is kept).
 */
typedef int (*store_feed_task_cb)(const struct task *t, bool extension_pending, void *userdata);
/* ids (ascending, n_ids of them): those of them alone; NULL: all. */
int store_feed_tasks(struct store *s, const struct feed *f, const int64_t *ids, size_t n_ids,
		     store_feed_task_cb cb, void *userdata);

/* A task's SEQUENCE in every feed, and what it was last bumped for. */
struct feed_seq {
	int64_t task_id;
	int64_t seq;		/* 0 first; only grows */
	char sig[33];		/* what the feeds show of it (hex: day, status bracket, cell title) */
	int64_t changed_at;	/* when sig (or seq) last changed */
};
/* Every task's, or those of ids (ascending; NULL: all), by task id: 0 with a new array (free) and its length. */
int store_feed_seqs(struct store *s, const int64_t *ids, size_t n_ids, struct feed_seq **ret,
		    size_t *ret_n);
/* Inserts or replaces q: 0 or -errno. */
int store_feed_seq_set(struct store *s, const struct feed_seq *q);

/* A task a feed showed: still there (left_at 0), or gone since left_at, sent cancelled. */
struct feed_member {
	int64_t task_id;
	int64_t left_at;
	int64_t left_seq;	/* the SEQUENCE of its cancellation */
};
/* Feed feed_id's, or those of ids (as store_feed_seqs), by task id: 0 with a new array (free) and its length. */
int store_feed_members(struct store *s, int64_t feed_id, const int64_t *ids, size_t n_ids,
		       struct feed_member **ret, size_t *ret_n);
/* Inserts or replaces m in feed feed_id: 0, -ENOENT (no such feed) or -errno. */
int store_feed_member_set(struct store *s, int64_t feed_id, const struct feed_member *m);
/* Forgets task_id in feed feed_id (gone long enough): 0 (also when not there) or -errno. */
int store_feed_member_drop(struct store *s, int64_t feed_id, int64_t task_id);

#endif
