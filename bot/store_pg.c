/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend of the registry (store_int.h), for several
 * dondoc instances sharing one database (DESIGN §12), on libpq
 * (dlpq.h).  The db setting is a postgresql:// URI, libpq's.
 *
 * Each statement is prepared once per connection, when first run, with
 * the types of the values bound to it then (bigint, text, bytea), and
 * read in text form.  The tables keep SQLite's types (sql/postgresql/),
 * so that rows read the same on both, and hash the same in the history.
 *
 * A write transaction takes the row of the history's head first (FOR
 * UPDATE): writers take turns, as SQLite's BEGIN IMMEDIATE makes them,
 * so that the chain never forks and what one counted before writing
 * (the noise budget, a link code's use) is still so when it writes.
 * In it, a write whose answer nobody reads (pg_send: an event, a batch
 * of the planner's) goes into libpq's pipeline, and its answer is read
 * with the next statement that waits: one round trip for them all.
 *
 * A connection lost (the server restarted) is taken up again at the next
 * statement outside a transaction, once a second at most; its statements
 * are then prepared again.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "dlpq.h"
#include "macro.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

/* The type OIDs of pg_type.h that a value bound or read may have. */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/*
 * The channel of wake-ups: a transaction that queued messages notifies
 * it at commit, and each daemon listens on its main connection.
 */
#define PG_CHANNEL "dondoc_outbox"

/* The schema this dondoc makes (sql/postgresql/NNN.sql), as SQLite's numbers them. */
#define PG_SCHEMA_FIRST 15

/*
 * sql/postgresql/NNN.sql, each ended by a NUL (the Makefile makes
 * store_pg.o depend on them).
 */
__asm__(".pushsection .rodata\n"
	"pg_schema_015:\n"
	".incbin \"sql/postgresql/015.sql\"\n"
	".byte 0\n"
	"pg_schema_016:\n"
	".incbin \"sql/postgresql/016.sql\"\n"
	".byte 0\n"
	".popsection\n");
extern const char pg_schema_015[], pg_schema_016[];

/* The migrations, by the schema each brings: the first makes everything. */
static const char *const pg_migrations[] = {
	pg_schema_015,
	pg_schema_016,
};

static_assert(PG_SCHEMA_FIRST + ELEMENTSOF(pg_migrations) - 1 == STORE_SCHEMA_VERSION,
	      "a migration for each schema of SQLite's since the first on PostgreSQL");

/* The kinds of message a day's count asks about: the condition of message_by_person_day. */
#define MESSAGE_COUNTED "(kind = 'reminder' OR kind = 'catchup' OR kind = 'daily')"
#define TASK_COLUMNS \
	"t.id, t.code, t.kind, t.title, d.number, t.deadline_raw, t.due, t.precision," \
	" t.status, t.progress, t.obstacle_open, coalesce(t.done_at, 0), t.created_at, t.updated_at," \
	" t.note, t.done_due, t.period, t.first_notice"
#define TASK_FROM " FROM task t LEFT JOIN document d ON d.id = t.document_id"
/* What extension_row() reads, in this order. */
#define EXTENSION_COLUMNS \
	"id, task_id, person_id, due, reason, state, coalesce(decided_by, 0)," \
	" coalesce(decided_at, 0), decision, created_at, raw, precision"
/*
 * One person: their row once per address (the address's columns NULL when
 * they have none), through the address table's key: one seek and a few
 * steps, where a join per channel took a seek each.  Every person (the
 * planner, dispatch) is read otherwise: the rows without addresses, and
 * the address table in its key's order beside them (store_person_foreach),
 * two scans rather than a lookup a person.
 */
#define PERSON_BASE_COLUMNS \
	"p.id, p.name, p.agency_id, a.code, p.role, p.lang, p.active, a.name, p.digest"
#define PERSON_FROM " FROM person p JOIN agency a ON a.id = p.agency_id"
#define PERSON_COLUMNS \
	PERSON_BASE_COLUMNS ", x.channel, x.value, x.broken_at, x.last_in" PERSON_FROM \
	" LEFT JOIN address x ON x.person_id = p.id"
#define NOTICE_COLUMNS \
	"id, coalesce(task_id, 0), person_id, stage, step, anchor, day, channel, state," \
	" coalesce(message_id, 0)"
#define OBSTACLE_COLUMNS \
	"id, task_id, coalesce(person_id, 0), actor, text, state, coalesce(handled_by, 0), handler," \
	" note, created_at, coalesce(handled_at, 0)"
#define MESSAGE_COLUMNS \
	"id, person_id, channel, kind, subject, body, state, attempts, next_at, created_at," \
	" coalesce(sent_at, 0), last_error, day, html, chat, coalesce(reply_to, 0), address," \
	" coalesce(digest_id, 0)"

/* What feed_row() reads, in this order: the target's name as feed.h says. */
#define FEED_COLUMNS \
	"f.id, f.kind, f.target, CASE f.kind" \
	" WHEN 'agency' THEN (SELECT name FROM agency WHERE id = f.target)" \
	" WHEN 'person' THEN (SELECT name FROM person WHERE id = f.target)" \
	" WHEN 'document' THEN (SELECT number FROM document WHERE id = f.target) END," \
	" f.token_hash, f.created_at, f.revoked_at, f.created_by, f.fetched_at, f.client," \
	" f.fetches FROM feed f"
/*
 * A feed's tasks (?1 the agency, person or document), TASK_COLUMNS with
 * the document's id in place of its number, and their agency rows in the
 * table's key order (task, role, agency): no join and no sort, the names
 * and numbers read once and looked up (store_feed_tasks).
 */
#define FEED_TASK_COLUMNS \
	"t.id, t.code, t.kind, t.title, t.document_id, t.deadline_raw, t.due, t.precision," \
	" t.status, t.progress, t.obstacle_open, coalesce(t.done_at, 0), t.created_at, t.updated_at," \
	" t.note, t.done_due, t.period, t.first_notice FROM task t"
#define FEED_OF_AGENCY "(SELECT task_id FROM task_agency WHERE agency_id = ?1)"
#define FEED_OF_PERSON \
	"(SELECT task_id FROM task_agency WHERE agency_id =" \
	" (SELECT agency_id FROM person WHERE id = ?1))"
#define FEED_LEADS "SELECT task_id, agency_id, role = 'lead', position FROM task_agency"
#define FEED_LEADS_ORDER " ORDER BY task_id, role, agency_id"
#define FEED_IDS "(SELECT value::bigint FROM jsonb_array_elements_text(?2::jsonb))"

/*
 * What happened in a period, oldest first within each kind.  ?1..?2 the
 * period, ?4 the agency (0: all); the columns are those of struct
 * store_happened.
 */
#define HAPPENED_LED \
	" IN (SELECT task_id FROM task_agency WHERE role = 'lead' AND agency_id = ?4))"
#define HAPPENED_SQL \
	"SELECT 0, e.id, e.task_id, e.at, e.actor, e.old_value, e.new_value, e.text" \
	" FROM event e WHERE e.kind = 'deadline' AND e.at BETWEEN ?1 AND ?2" \
	/* A recurring task moving to its next period writes the same words: no move. */ \
	" AND e.task_id IS NOT NULL AND e.old_value IS DISTINCT FROM e.new_value" \
	" AND (?4 = 0 OR e.task_id" HAPPENED_LED \
	" UNION ALL SELECT 1, x.id, x.task_id, x.created_at, coalesce(p.name, ''), NULL," \
	" coalesce(x.raw, x.due), x.reason FROM extension x LEFT JOIN person p ON p.id = x.person_id" \
	" WHERE x.created_at BETWEEN ?1 AND ?2 AND (?4 = 0 OR x.task_id" HAPPENED_LED \
	" UNION ALL SELECT 2, x.id, x.task_id, x.decided_at, coalesce(p.name, ''), x.state," \
	" coalesce(x.raw, x.due), x.decision FROM extension x LEFT JOIN person p ON p.id = x.decided_by" \
	" WHERE x.state IN ('approved', 'rejected') AND x.decided_at BETWEEN ?1 AND ?2" \
	" AND (?4 = 0 OR x.task_id" HAPPENED_LED \
	" UNION ALL SELECT 3, o.id, o.task_id, o.created_at, o.actor, NULL, NULL, o.text" \
	" FROM obstacle o WHERE o.created_at BETWEEN ?1 AND ?2 AND (?4 = 0 OR o.task_id" HAPPENED_LED \
	" UNION ALL SELECT 4, o.id, o.task_id, o.handled_at, coalesce(o.handler, ''), NULL, NULL," \
	" o.note FROM obstacle o WHERE o.state = 'handled' AND o.handled_at BETWEEN ?1 AND ?2" \
	" AND (?4 = 0 OR o.task_id" HAPPENED_LED \
	/* A digest to a [digest] to address has no person (schema 10): the address names it. */ \
	" UNION ALL SELECT 5, m.id, 0, m.dead_at, coalesce(p.name, m.address), m.channel, m.kind," \
	" m.last_error FROM message m LEFT JOIN person p ON p.id = m.person_id" \
	" WHERE m.state = 'dead' AND m.dead_at BETWEEN ?1 AND ?2" \
	" AND (?4 = 0 OR p.agency_id = ?4)" \
	" ORDER BY 1, 4, 2"

static const char *const pg_sql[_ST_MAX] = {
	[ST_AGENCY_BY_CODE] = "SELECT id, code, name, kind FROM agency WHERE code = ?1",
	[ST_AGENCY_BY_KEY] = "SELECT id, code, name, kind FROM agency WHERE name_key = ?1",
	[ST_AGENCY_BY_ALIAS] = "SELECT a.id, a.code, a.name, a.kind FROM agency_alias l"
			       " JOIN agency a ON a.id = l.agency_id WHERE l.alias_key = ?1",
	[ST_AGENCY_INSERT] = "INSERT INTO agency(code, name, name_key, kind, created_at)"
			     " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[ST_ALIAS_INSERT] = "INSERT INTO agency_alias(alias_key, alias, agency_id) VALUES (?1,"
		" ?2, ?3)",
	[ST_AGENCY_LIST] = "SELECT a.id, a.code, a.name, a.kind,"
			   " (SELECT count(*) FROM task_agency ta WHERE ta.agency_id = a.id"
			   "  AND ta.role = 'lead') FROM agency a ORDER BY a.code",
	[ST_PERSON_INSERT] = "INSERT INTO person(name, agency_id, role, lang, active, created_at,"
			     " digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
	[ST_PERSON_LIST] = "SELECT " PERSON_BASE_COLUMNS PERSON_FROM " ORDER BY p.id",
	[ST_ADDRESS_ALL] = "SELECT person_id, channel, value, broken_at, last_in FROM address"
			   " ORDER BY person_id, channel",
	[ST_PERSON_GET] = "SELECT " PERSON_COLUMNS " WHERE p.id = ?1",
	[ST_DOCUMENT_BY_KEY] = "SELECT id FROM document WHERE number_key = ?1",
	[ST_DOCUMENT_INSERT] = "INSERT INTO document(number, number_key, kind, date, title)"
			       " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[ST_TASK_BY_IDENTITY] = "SELECT " TASK_COLUMNS TASK_FROM
				" WHERE coalesce(t.document_id, 0) = ?1 AND t.title_hash = ?2",
	[ST_TASK_BY_ID] = "SELECT " TASK_COLUMNS TASK_FROM " WHERE t.id = ?1",
	[ST_TASK_BY_CODE] = "SELECT 1 FROM task WHERE code = ?1",
	[ST_TASK_INSERT] = "INSERT INTO task(code, kind, title, title_key, document_id,"
			   " deadline_raw, due, precision, status, progress, done_at,"
			   " created_at, updated_at, title_hash, done_due, period)"
			   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15)"
			   " RETURNING id",
	/* Any change may move the ladder: the planner looks at the task again. */
	/*
	 * Which of the three store_task_update runs is task_save's choice:
	 * the plan (when the next notice is due) dropped, for the planner to
	 * make again, when task_plan_same says it changed; else its columns
	 * are not set, and with the status unchanged not that either, so
	 * that the indexes that read them (task_to_plan, task_undated) are
	 * not rewritten.
	 */
	[ST_TASK_UPDATE] = "UPDATE task SET kind = ?2, deadline_raw = ?3, due = ?4, precision = ?5,"
			   " status = ?6, progress = ?7, done_at = ?8, updated_at = ?9,"
			   " obstacle_open = ?10, note = ?11, done_due = ?12, period = ?13,"
			   " next_notice = NULL, planned_through = NULL WHERE id = ?1",
	[ST_TASK_UPDATE_SAME_PLAN] = "UPDATE task SET status = ?6, progress = ?7, done_at = ?8,"
				     " updated_at = ?9, obstacle_open = ?10, note = ?11, done_due = ?12"
				     " WHERE id = ?1",
	[ST_TASK_UPDATE_SAME_STATUS] = "UPDATE task SET progress = ?7, updated_at = ?9,"
				       " obstacle_open = ?10, note = ?11 WHERE id = ?1",
	[ST_LEADS_DELETE] = "DELETE FROM task_agency WHERE task_id = ?1 AND role = ?2",
	[ST_LEAD_INSERT] = "INSERT INTO task_agency(task_id, agency_id, role, position)"
			   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	/*
	 * In the key's order (role, then agency): "ORDER BY ta.role,
	 * ta.position" made a sorter for every task read (2.5% of a status
	 * command); load_leads puts them in position order.
	 */
	[ST_LEADS_OF_TASK] = "SELECT ta.task_id, a.name, ta.role, ta.agency_id, ta.position"
			     " FROM task_agency ta JOIN agency a ON a.id = ta.agency_id"
			     " WHERE ta.task_id = ?1 ORDER BY ta.role",
	[ST_LEADS_OF_TASK_SORTED] = "SELECT ta.task_id, a.name, ta.role, ta.agency_id"
				    " FROM task_agency ta JOIN agency a ON a.id = ta.agency_id"
				    " WHERE ta.task_id = ?1 ORDER BY ta.role, ta.position",
	[ST_TASK_ALL] = "SELECT " TASK_COLUMNS TASK_FROM " ORDER BY t.id",
	[ST_TASK_BY_AGENCY] = "SELECT " TASK_COLUMNS TASK_FROM
			      " WHERE t.id IN (SELECT task_id FROM task_agency"
			      "  WHERE agency_id = ?1 AND role = 'lead') ORDER BY t.id",
	[ST_LEADS_ALL] = "SELECT ta.task_id, a.name, ta.role, ta.agency_id FROM task_agency ta"
			 " JOIN agency a ON a.id = ta.agency_id"
			 " ORDER BY ta.task_id, ta.role, ta.position",
	[ST_LEADS_BY_AGENCY] = "SELECT ta.task_id, a.name, ta.role, ta.agency_id FROM task_agency ta"
			       " JOIN agency a ON a.id = ta.agency_id"
			       " WHERE ta.task_id IN (SELECT task_id FROM task_agency"
			       "  WHERE agency_id = ?1 AND role = 'lead')"
			       " ORDER BY ta.task_id, ta.role, ta.position",
	[ST_EVENT_INSERT] = "INSERT INTO event(id, task_id, at, actor, person_id, channel, kind,"
			    " old_value, new_value, text, data, prev_hash, hash)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_EVENT_OF_TASK] = "SELECT id, coalesce(task_id, 0), at, actor, coalesce(person_id, 0),"
			     " channel, kind, old_value, new_value, text, prev_hash, hash, data"
			     " FROM event WHERE task_id = ?1 ORDER BY id",
	[ST_EVENT_ALL] = "SELECT id, coalesce(task_id, 0), at, actor, coalesce(person_id, 0),"
			 " channel, kind, old_value, new_value, text, prev_hash, hash, data"
			 " FROM event ORDER BY id",
	/* As stored, NULLs and types untouched: what the chain hashes (EV_* columns). */
	[ST_EVENT_RAW] = "SELECT id, task_id, at, actor, person_id, channel, kind, old_value,"
			 " new_value, text, data, prev_hash, hash FROM event ORDER BY id",
	/*
	 * The task's row, not its first event: the row was just read for the
	 * command, where the event is a page of its own in the largest table
	 * (1.4 reads from disk an update on a 100,000-task registry).  Both
	 * are written together, with the same time (import.c).
	 */
	[ST_TASK_CREATED_AT] = "SELECT created_at FROM task WHERE id = ?1",
	[ST_EVENT_BY_HASH] = "SELECT id FROM event WHERE hash = ?1",
	[ST_EVENT_KIND_OF] = "SELECT kind, new_value FROM event WHERE id = ?1",
	[ST_ALIAS_LIST] = "SELECT agency_id, alias_key, alias FROM agency_alias"
			  " ORDER BY agency_id, alias_key",
	[ST_HEAD_UPDATE] = "UPDATE event_head SET count = ?1, hash = ?2, last_id = ?3, at = ?4,"
			   " key_from = ?5, mac = ?6 WHERE id = 1",
	[ST_HEAD_GET] = "SELECT count, hash, last_id, at, coalesce(key_from, 0), mac"
			" FROM event_head WHERE id = 1",
	/* The literal status list matches the partial index task_to_plan. */
	[ST_TASK_TO_PLAN] = "SELECT " TASK_COLUMNS TASK_FROM
			    " WHERE coalesce(t.next_notice, '') <= ?1"
			    " AND t.status NOT IN ('done', 'postponed') ORDER BY t.id",
	[ST_LEADS_TO_PLAN] = "SELECT ta.task_id, a.name, ta.role, ta.agency_id FROM task_agency ta"
			     " JOIN agency a ON a.id = ta.agency_id"
			     " WHERE ta.task_id IN (SELECT id FROM task"
			     "  WHERE coalesce(next_notice, '') <= ?1"
			     "  AND status NOT IN ('done', 'postponed'))"
			     " ORDER BY ta.task_id, ta.role, ta.position",
	[ST_TASK_COUNT_TO_PLAN] = "SELECT count(*) FROM task WHERE coalesce(next_notice, '') <= ?1"
				  " AND status NOT IN ('done', 'postponed')",
	/* Indicators are assessed, not due: they never need a date. */
	[ST_TASK_COUNT_UNDATED] = "SELECT count(*) FROM task WHERE due IS NULL"
				  " AND precision IN ('external', 'unknown')"
				  " AND status NOT IN ('done', 'postponed') AND kind = 'task'",
	[ST_NOTICE_LIST_EXISTS] = "SELECT count(*) FROM notice WHERE coalesce(task_id, 0) = 0"
				  " AND stage = ?1 AND step = 0 AND anchor = ?2",
	[ST_TASK_SET_NEXT] = "UPDATE task SET next_notice = ?2, planned_through = ?3 WHERE id = ?1",
	[ST_TASK_REPLAN_ALL] = "UPDATE task SET next_notice = NULL, planned_through = NULL"
			       " WHERE status NOT IN ('done', 'postponed')",
	[ST_PLAN_TASKS] = "SELECT id, precision, due, status, next_notice, planned_through, kind,"
			  " period, first_notice, created_at FROM task"
			  " WHERE coalesce(next_notice, '') <= ?1"
			  " AND status NOT IN ('done', 'postponed') ORDER BY id",
	[ST_PLAN_LEADS] = "SELECT task_id, agency_id FROM task_agency WHERE role = 'lead'"
			  " AND task_id IN (SELECT id FROM task WHERE coalesce(next_notice, '') <= ?1"
			  "  AND status NOT IN ('done', 'postponed'))"
			  " ORDER BY task_id, position",
	[ST_NOTICE_INSERT] = "INSERT INTO notice(task_id, person_id, stage, step, anchor,"
			     " day, channel, state, created_at, updated_at)"
			     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?8)"
			     " ON CONFLICT DO NOTHING",
	/* coalesce(task_id, 0) lets notice_identity serve: no index of its own. */
	[ST_NOTICE_OF_TASK] = "SELECT " NOTICE_COLUMNS " FROM notice WHERE coalesce(task_id, 0) = ?1"
			      " ORDER BY day, id",
	[ST_NOTICE_UNSENT] = "SELECT " NOTICE_COLUMNS " FROM notice"
			     " WHERE state = 'queued' AND message_id IS NULL"
			     " ORDER BY person_id, channel, day, id",
	[ST_NOTICE_OF_MESSAGE] = "SELECT " NOTICE_COLUMNS " FROM notice WHERE message_id = ?1"
				 " ORDER BY id",
	[ST_NOTICE_CANCEL_TASK] = "UPDATE notice SET state = 'cancelled', updated_at = ?2"
				  " WHERE coalesce(task_id, 0) = ?1 AND state = 'queued'",
	[ST_NOTICE_SET_STATE] = "UPDATE notice SET state = ?2, updated_at = ?3 WHERE id = ?1",
	[ST_NOTICE_ATTACH] = "UPDATE notice SET message_id = ?2, updated_at = ?3 WHERE id = ?1",
	[ST_NOTICE_BY_MESSAGE] = "UPDATE notice SET state = ?2, updated_at = ?3"
				 " WHERE message_id = ?1 AND state IN ('queued', 'dead')",
	[ST_MESSAGE_INSERT] = "INSERT INTO message(person_id, channel, kind, subject, body, state,"
			      " next_at, created_at, day, html, chat, reply_to, address, digest_id)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
			      " ?13) RETURNING id",
	/*
	 * Up to ?4 messages due by ?1, claimed for owner ?2 until ?3 in one
	 * statement, passing over the rows another instance is claiming.
	 */
	[ST_MESSAGE_CLAIM_DUE] = "UPDATE message SET state = 'sending', attempts = attempts + 1,"
				 " owner = ?2, lease_until = ?3 WHERE id IN (SELECT id FROM message"
				 " WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id"
				 " LIMIT ?4 FOR UPDATE SKIP LOCKED) RETURNING " MESSAGE_COLUMNS,
	[ST_MESSAGE_GET] = "SELECT " MESSAGE_COLUMNS " FROM message WHERE id = ?1",
	[ST_MESSAGE_CLAIM] = "UPDATE message SET state = 'sending', attempts = attempts + 1,"
			     " owner = ?3, lease_until = ?2 WHERE id = ?1 AND state = 'pending'",
	/* A message being sent is ended by its owner only (or by anyone, claimed before owners). */
	[ST_MESSAGE_FINISH] = "UPDATE message SET state = ?2, next_at = ?3, sent_at = ?4,"
			      " last_error = ?5, dead_at = CASE ?2 WHEN 'dead' THEN ?6 END,"
			      " owner = NULL, lease_until = NULL WHERE id = ?1"
			      " AND (state <> 'sending' OR owner IS NULL OR owner = ?7)",
	/* Only /lich's answers (replies) hold a feed link: a digest's HTML is not searched. */
	[ST_MESSAGE_FEED_TEXTS] = "SELECT subject, body, html, chat FROM message WHERE id = ?1"
				  " AND kind = 'reply' AND (strpos(body, '/ical/') > 0"
				  " OR strpos(html, '/ical/') > 0 OR strpos(chat, '/ical/') > 0)",
	[ST_MESSAGE_TEXTS_SET] = "UPDATE message SET subject = coalesce(?2, subject),"
				 " body = coalesce(?3, body), html = coalesce(?4, html),"
				 " chat = coalesce(?5, chat) WHERE id = ?1",
	/* Through the index message_sending (test_store checks the plan). */
	[ST_MESSAGE_RECOVER] = "UPDATE message SET state = 'pending', next_at = ?1, owner = NULL,"
			       " lease_until = NULL WHERE state = 'sending' AND lease_until <= ?1",
	/* ?2 NULL: the claims made before claims had owners (schema 16). */
	[ST_MESSAGE_RECOVER_OWNER] = "UPDATE message SET state = 'pending', next_at = ?1,"
				     " owner = NULL, lease_until = NULL WHERE state = 'sending'"
				     " AND owner IS NOT DISTINCT FROM ?2",
	[ST_MESSAGE_CLAIMANTS] = "SELECT DISTINCT owner FROM message WHERE state = 'sending'"
				 " AND owner IS NOT NULL ORDER BY owner",
	[ST_MESSAGE_UNCLAIM] = "UPDATE message SET state = 'pending', attempts = attempts - 1,"
			       " next_at = ?2, owner = NULL, lease_until = NULL WHERE id = ?1"
			       " AND state = 'sending' AND (owner IS NULL OR owner = ?3)",
	/* The leaders' leases (lease.h). */
	[ST_LEASE_GET] = "SELECT owner, term, until FROM lease WHERE name = ?1",
	[ST_LEASE_ELECT] = "INSERT INTO lease(name, owner, term, until) SELECT ?1, ?2,"
			   " coalesce(max(term), 0) + 1, ?3 FROM lease_term WHERE name = ?1"
			   " ON CONFLICT (name) DO NOTHING RETURNING term",
	[ST_LEASE_TERM_ADD] = "INSERT INTO lease_term(name, term, owner, started_at, until)"
			      " VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_LEASE_RENEW] = "UPDATE lease SET until = ?4 WHERE name = ?1 AND owner = ?2"
			   " AND term = ?3",
	[ST_LEASE_TERM_RENEW] = "UPDATE lease_term SET until = ?3 WHERE name = ?1 AND term = ?2",
	[ST_LEASE_END] = "DELETE FROM lease WHERE name = ?1 AND term = ?2",
	[ST_LEASE_TERM_END] = "UPDATE lease_term SET ended_at = ?3 WHERE name = ?1 AND term = ?2"
			      " AND ended_at IS NULL",
	[ST_LEASE_TERMS] = "SELECT t.name, t.term, t.owner, t.started_at, t.until,"
			   " coalesce(t.ended_at, 0), l.term IS NOT NULL FROM lease_term t"
			   " LEFT JOIN lease l ON l.name = t.name AND l.term = t.term"
			   " ORDER BY t.name, t.term",
	[ST_MESSAGE_LIST] = "SELECT " MESSAGE_COLUMNS " FROM message ORDER BY id",
	[ST_MESSAGE_LIST_STATE] = "SELECT " MESSAGE_COLUMNS " FROM message WHERE state = ?1"
				  " ORDER BY id",
	[ST_MESSAGE_RETRY] = "UPDATE message SET state = 'pending', next_at = ?2, last_error = NULL,"
			     " attempts = 0, dead_at = NULL WHERE id = ?1 AND state = 'dead'",
	[ST_MESSAGE_CANCEL_EMPTY] = "UPDATE message SET state = 'cancelled', last_error = ?2"
				    " WHERE state = 'pending' AND id IN (SELECT message_id FROM notice"
				    "  WHERE coalesce(task_id, 0) = ?1 AND message_id IS NOT NULL)"
				    " AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.message_id = message.id"
				    "  AND n.state = 'queued')",
	[ST_PERSON_BY_ADDRESS] = "SELECT " PERSON_COLUMNS " WHERE p.id = (SELECT person_id"
				 " FROM address WHERE channel = ?1 AND value = ?2)",
	/* An address is one person's: whoever had it before loses it. */
	[ST_ADDRESS_UNLINK] = "DELETE FROM address WHERE channel = ?1 AND value = ?2"
			      " AND person_id != ?3",
	/* A new value is a new address: when its person last wrote through it is not known. */
	[ST_ADDRESS_PUT] = "INSERT INTO address(person_id, channel, value, broken_at)"
			   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (person_id, channel) DO UPDATE"
			   " SET value = excluded.value, broken_at = excluded.broken_at,"
			   " last_in = CASE WHEN address.value = excluded.value THEN address.last_in ELSE 0 END",
	[ST_ADDRESS_DELETE] = "DELETE FROM address WHERE person_id = ?1 AND channel = ?2",
	[ST_ADDRESS_BROKEN] = "UPDATE address SET broken_at = ?3 WHERE person_id = ?1"
			      " AND channel = ?2 AND (broken_at != 0) != (?3 != 0)",
	[ST_ADDRESS_EXISTS] = "SELECT 1 FROM address WHERE person_id = ?1 AND channel = ?2",
	[ST_ADDRESS_SEEN] = "UPDATE address SET last_in = ?3 WHERE person_id = ?1 AND channel = ?2"
			    " AND last_in < ?3",
	[ST_LINK_CODE_INSERT] = "INSERT INTO link_code(hash, person_id, created_at, expires_at)"
				" VALUES (?1, ?2, ?3, ?4)",
	[ST_LINK_CODE_GET] = "SELECT person_id, expires_at, coalesce(used_at, 0) FROM link_code"
			     " WHERE hash = ?1",
	[ST_LINK_CODE_USE] = "UPDATE link_code SET used_at = ?2 WHERE hash = ?1 AND used_at IS"
		" NULL",
	[ST_EXTENSION_INSERT] = "INSERT INTO extension(task_id, person_id, due, reason, state,"
				" created_at, raw, precision)"
				" VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?7) RETURNING id",
	[ST_EXTENSION_GET] = "SELECT " EXTENSION_COLUMNS " FROM extension WHERE id = ?1",
	[ST_EXTENSION_DECIDE] = "UPDATE extension SET state = ?2, decided_by = ?3, decided_at = ?4,"
				" decision = ?5 WHERE id = ?1 AND state = 'pending'",
	[ST_EXTENSION_PENDING] = "SELECT " EXTENSION_COLUMNS " FROM extension"
				 " WHERE task_id = ?1 AND state = 'pending'",
	[ST_EXTENSION_LIST] = "SELECT " EXTENSION_COLUMNS " FROM extension"
			      " WHERE ?1 = 0 OR state = 'pending' ORDER BY id",
	/*
	 * Telegram keeps an update 24 hours, and numbers afresh, at random,
	 * after a quiet week: an id seen more than 26 hours ago is a new one.
	 */
	[ST_CHAT_UPDATE_SEEN] = "INSERT INTO chat_update(channel, update_id, at) VALUES (?1, ?2, ?3)"
				" ON CONFLICT(channel, update_id) DO UPDATE SET at = excluded.at"
				" WHERE chat_update.at < excluded.at - ?4",
	[ST_CHAT_UPDATE_PRUNE] = "DELETE FROM chat_update WHERE at < ?1",
	[ST_CHAT_SENT_INSERT] = "INSERT INTO chat_sent(channel, chat_id, chat_message_id,"
				" message_id) VALUES (?1, ?2, ?3, ?4)"
				" ON CONFLICT (channel, chat_id, chat_message_id)"
				" DO UPDATE SET message_id = excluded.message_id",
	[ST_CHAT_SENT_GET] = "SELECT message_id FROM chat_sent WHERE channel = ?1 AND chat_id = ?2"
			     " AND chat_message_id = ?3",
	[ST_METRICS_NOTICES] = "SELECT state, count(*) FROM notice GROUP BY state ORDER BY state",
	[ST_METRICS_MESSAGES] = "SELECT channel, state, count(*) FROM message"
				" GROUP BY channel, state ORDER BY channel, state",
	[ST_METRICS_OLDEST] = "SELECT coalesce(min(created_at), 0) FROM notice WHERE state ="
		" 'queued'",
	/* An indicator has no buttons (done, progress, more time): tasks only. */
	[ST_MESSAGE_TASKS] = "SELECT DISTINCT task_id FROM notice WHERE message_id = ?1"
			     " AND task_id IN (SELECT id FROM task WHERE kind = 'task')"
			     " ORDER BY task_id",
	[ST_NOTICE_MOVE] = "UPDATE notice SET message_id = ?2, updated_at = ?3 WHERE message_id"
		" = ?1",
	/* Obstacles (obstacle.h). */
	[ST_OBSTACLE_INSERT] = "INSERT INTO obstacle(task_id, person_id, actor, text, state,"
			       " created_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5) RETURNING id",
	[ST_OBSTACLE_GET] = "SELECT " OBSTACLE_COLUMNS " FROM obstacle WHERE id = ?1",
	[ST_OBSTACLE_HANDLE] = "UPDATE obstacle SET state = 'handled', handled_by = ?2,"
			       " handler = ?3, note = ?4, handled_at = ?5"
			       " WHERE id = ?1 AND state = 'open'",
	[ST_OBSTACLE_COUNT_OPEN] = "SELECT count(*) FROM obstacle WHERE task_id = ?1"
				   " AND state = 'open'",
	[ST_OBSTACLE_LIST] = "SELECT " OBSTACLE_COLUMNS " FROM obstacle ORDER BY id",
	[ST_OBSTACLE_LIST_OPEN] = "SELECT " OBSTACLE_COLUMNS " FROM obstacle WHERE state = 'open'"
				  " ORDER BY id",
	[ST_MESSAGE_COUNT_DAY_KIND] = "SELECT count(*) FROM message WHERE person_id = ?1"
				      " AND day = ?2 AND " MESSAGE_COUNTED " AND kind = ?3"
				      " AND state != 'cancelled'",
	[ST_AGENCY_LEAD_COUNT] = "SELECT a.code, a.name, (SELECT count(*) FROM task_agency ta"
				 "  JOIN task t ON t.id = ta.task_id WHERE ta.agency_id = a.id"
				 "  AND ta.role = 'lead' AND t.status NOT IN ('done', 'postponed'))"
				 " FROM agency a WHERE a.id = ?1",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT INTO meta(key, value) VALUES (?1, ?2)"
			" ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_BEGIN] = "BEGIN",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT one",
	[ST_RELEASE] = "RELEASE one",
	[ST_ROLLBACK_TO] = "ROLLBACK TO one",
	[ST_PERIOD_REPORT_INSERT] = "INSERT INTO period_report(task_id, period, reported_at, person_id)"
				    " VALUES (?1, ?2, ?3, ?4)",
	[ST_PERIOD_REPORT_OF_TASK] = "SELECT period, reported_at, coalesce(person_id, 0)"
				     " FROM period_report WHERE task_id = ?1 ORDER BY period",
	/* Through event_by_task: one task's events only. */
	[ST_EVENT_LAST_OF_KIND] = "SELECT coalesce(max(at), 0) FROM event WHERE task_id = ?1"
				  " AND kind = ?2",
	[ST_MESSAGE_FIRST_INDICATOR] = "SELECT coalesce(min(task_id), 0) FROM notice"
				       " WHERE message_id = ?1 AND task_id IN"
				       " (SELECT id FROM task WHERE kind = 'indicator')",
	/* Both must be sent: a notice moved to a fallback message is sent with that one. */
	[ST_SENT_OF_TASK] = "SELECT n.task_id, n.stage, n.step, m.sent_at, p.id, p.name, p.role,"
			    " a.name FROM notice n JOIN message m ON m.id = n.message_id"
			    " JOIN person p ON p.id = n.person_id JOIN agency a ON a.id = p.agency_id"
			    " WHERE coalesce(n.task_id, 0) = ?1 AND n.state = 'sent' AND m.state = 'sent'"
			    " AND n.stage IN ('before', 'overdue', 'recurring', 'escalation')"
			    " ORDER BY m.sent_at, n.id",
	/*
	 * The first reminder or nag about a task went out: the escalation
	 * clock may start (policy [escalation] from), so the planner looks
	 * at the task again.
	 */
	[ST_FIRST_NOTICE_SET] = "UPDATE task SET first_notice = ?2, next_notice = NULL"
				" WHERE first_notice IS NULL AND id IN (SELECT task_id FROM notice"
				"  WHERE message_id = ?1 AND state = 'sent'"
				"  AND stage IN ('before', 'overdue'))",
	[ST_AGENCY_COUNT_ROLE] = "SELECT count(*) FROM person WHERE agency_id = ?1 AND role = ?2"
				 " AND active = 1",
	[ST_CHAT_ASK_INSERT] = "INSERT INTO chat_ask(message_id, person_id, task_id, what,"
			       " open, at) VALUES (?1, ?2, ?3, 'progress', 1, ?4)"
			       " ON CONFLICT (message_id) DO UPDATE SET person_id = excluded.person_id,"
			       " task_id = excluded.task_id, what = excluded.what, open = 1,"
			       " at = excluded.at",
	[ST_CHAT_ASK_GET] = "SELECT task_id FROM chat_ask WHERE message_id = ?1 AND person_id = ?2",
	[ST_CHAT_ASK_LAST] = "SELECT task_id FROM chat_ask WHERE person_id = ?1 AND open = 1"
			     " AND at >= ?2 ORDER BY at DESC, id DESC LIMIT 1",
	[ST_CHAT_ASK_CLOSE] = "UPDATE chat_ask SET open = 0 WHERE person_id = ?1 AND open = 1",
	/* Nothing goes in for a target that is not there (?2 is 0 for "all"). */
	[ST_FEED_INSERT] = "INSERT INTO feed(kind, target, token_hash, created_at, created_by)"
			   " SELECT ?1, ?2, ?3, ?4, ?5 WHERE CASE ?1"
			   " WHEN 'agency' THEN EXISTS (SELECT 1 FROM agency WHERE id = ?2)"
			   " WHEN 'person' THEN EXISTS (SELECT 1 FROM person WHERE id = ?2)"
			   " WHEN 'document' THEN EXISTS (SELECT 1 FROM document WHERE id = ?2)"
			   " ELSE ?2 = 0 END RETURNING id",
	[ST_FEED_GET] = "SELECT " FEED_COLUMNS " WHERE f.id = ?1",
	[ST_FEED_BY_HASH] = "SELECT " FEED_COLUMNS " WHERE f.token_hash = ?1 AND f.revoked_at = 0",
	[ST_FEED_REVOKE] = "UPDATE feed SET revoked_at = ?2 WHERE id = ?1 AND revoked_at = 0",
	/* Every revoked feed's: a build under way when one was revoked may have written some since. */
	[ST_FEED_REVOKED_MEMBERS_DROP] = "DELETE FROM feed_member WHERE feed_id IN"
					 " (SELECT id FROM feed WHERE revoked_at <> 0)",
	[ST_FEED_REVOKED_AT] = "SELECT revoked_at FROM feed WHERE id = ?1",
	[ST_FEED_LIST] = "SELECT " FEED_COLUMNS " ORDER BY f.id",
	[ST_FEED_REVOKE_OF_PERSON] = "UPDATE feed SET revoked_at = ?2 WHERE revoked_at = 0"
				     " AND ((kind = 'person' AND target = ?1) OR created_by = ?1)",
	/* The terms of feed_live_by_creator's WHERE, written out: SQLite then uses it. */
	[ST_FEED_LIVE_BY_CREATOR] = "SELECT id FROM feed WHERE created_by = ?1 AND revoked_at = 0"
				    " AND created_by <> 0 ORDER BY id",
	[ST_FEED_PRUNE] = "DELETE FROM feed WHERE created_by <> 0 AND revoked_at <> 0"
			  " AND revoked_at < ?1",
	/* The batches of a server may come late: the client of the latest fetch stays. */
	[ST_FEED_FETCHED] = "UPDATE feed SET client = CASE WHEN ?2 >= fetched_at THEN ?3"
			    " ELSE client END, fetched_at = greatest(fetched_at, ?2),"
			    " fetches = fetches + ?4 WHERE id = ?1",
	[ST_FEED_GEN] = "SELECT n FROM feed_gen WHERE id = 1",
	/* No commit counter as cheap as SQLite's: unknown, every feed request reads (feedweb.c). */
	[ST_DATA_VERSION] = "SELECT -1",
	[ST_FEED_TASKS_AGENCY] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_OF_AGENCY
				 " ORDER BY t.id",
	[ST_FEED_TASKS_PERSON] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_OF_PERSON
				 " ORDER BY t.id",
	[ST_FEED_TASKS_DOCUMENT] = "SELECT " FEED_TASK_COLUMNS " WHERE coalesce(t.document_id, 0) = ?1"
				   " ORDER BY t.id",
	[ST_FEED_TASKS_ALL] = "SELECT " FEED_TASK_COLUMNS " ORDER BY t.id",
	[ST_FEED_LEADS_AGENCY] = FEED_LEADS " WHERE task_id IN " FEED_OF_AGENCY FEED_LEADS_ORDER,
	[ST_FEED_LEADS_PERSON] = FEED_LEADS " WHERE task_id IN " FEED_OF_PERSON FEED_LEADS_ORDER,
	[ST_FEED_LEADS_DOCUMENT] = FEED_LEADS " WHERE task_id IN (SELECT id FROM task"
				   "  WHERE coalesce(document_id, 0) = ?1)" FEED_LEADS_ORDER,
	[ST_FEED_LEADS_ALL] = FEED_LEADS FEED_LEADS_ORDER,
	/* Through the index extension_open: the pending requests, by task. */
	[ST_FEED_PENDING] = "SELECT task_id FROM extension WHERE state = 'pending' ORDER BY"
		" task_id",
	/*
	 * The same for the tasks of a list (?2, a JSON array of ids): a
	 * build again of what changed (feed.c).  The list drives: each id a
	 * seek, whether the feed has it a seek into task_agency's key.
	 */
	[ST_FEED_TASKS_AGENCY_OF] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_IDS
				    " AND EXISTS (SELECT 1 FROM task_agency a WHERE a.task_id = t.id"
				    "  AND a.agency_id = ?1) ORDER BY t.id",
	[ST_FEED_TASKS_PERSON_OF] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_IDS
				    " AND EXISTS (SELECT 1 FROM task_agency a WHERE a.task_id = t.id"
				    "  AND a.agency_id = (SELECT agency_id FROM person WHERE id = ?1))"
				    " ORDER BY t.id",
	[ST_FEED_TASKS_DOCUMENT_OF] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_IDS
				      " AND coalesce(t.document_id, 0) = ?1 ORDER BY t.id",
	[ST_FEED_TASKS_ALL_OF] = "SELECT " FEED_TASK_COLUMNS " WHERE t.id IN " FEED_IDS
				 " ORDER BY t.id",
	[ST_FEED_LEADS_OF] = FEED_LEADS " WHERE task_id IN " FEED_IDS FEED_LEADS_ORDER,
	[ST_FEED_PENDING_OF] = "SELECT task_id FROM extension WHERE state = 'pending'"
			       " AND task_id IN " FEED_IDS " ORDER BY task_id",
	[ST_FEED_WIDE] = "SELECT wide, n FROM feed_gen WHERE id = 1",
	[ST_FEED_CHANGES] = "SELECT DISTINCT task_id FROM feed_change WHERE id > ?1 ORDER BY"
		" task_id",
	[ST_FEED_SEQS_OF] = "SELECT task_id, seq, sig, changed_at FROM feed_seq WHERE task_id IN"
			    " (SELECT value::bigint FROM jsonb_array_elements_text(?1::jsonb)) ORDER BY task_id",
	[ST_FEED_MEMBERS_OF] = "SELECT task_id, left_at, left_seq FROM feed_member WHERE feed_id = ?1"
			       " AND task_id IN " FEED_IDS " ORDER BY task_id",
	[ST_FEED_AGENCY_NAMES] = "SELECT id, name FROM agency ORDER BY id",
	[ST_FEED_DOCUMENT_NUMBERS] = "SELECT id, number FROM document ORDER BY id",
	[ST_FEED_SEQS] = "SELECT task_id, seq, sig, changed_at FROM feed_seq ORDER BY task_id",
	[ST_FEED_SEQ_SET] = "INSERT INTO feed_seq(task_id, seq, sig, changed_at)"
			    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (task_id) DO UPDATE"
			    " SET seq = excluded.seq, sig = excluded.sig, changed_at = excluded.changed_at",
	[ST_FEED_MEMBERS] = "SELECT task_id, left_at, left_seq FROM feed_member WHERE feed_id = ?1"
			    " ORDER BY task_id",
	[ST_FEED_MEMBER_SET] = "INSERT INTO feed_member(feed_id, task_id, left_at,"
			       " left_seq) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (feed_id, task_id)"
			       " DO UPDATE SET left_at = excluded.left_at, left_seq = excluded.left_seq",
	[ST_FEED_MEMBER_DROP] = "DELETE FROM feed_member WHERE feed_id = ?1 AND task_id = ?2",
	[ST_CHAT_ASK_ANY_OPEN] = "SELECT 1 FROM chat_ask WHERE person_id = ?1 AND open = 1 LIMIT 1",
	[ST_HAPPENED] = HAPPENED_SQL,
	[ST_DOCUMENT_LIST] = "SELECT number, kind FROM document ORDER BY id",
	/* The corrections of people and agencies (issue 12): once per operator command. */
	[ST_PERSON_UPDATE] = "UPDATE person SET name = ?2, agency_id = ?3, role = ?4, lang = ?5,"
			     " active = ?6, digest = ?7 WHERE id = ?1",
	[ST_PERSON_REFS_EVENTS] = "SELECT count(*) FROM event WHERE person_id = ?1",
	[ST_PERSON_REFS_MESSAGES] = "SELECT count(*) FROM message WHERE person_id = ?1",
	[ST_PERSON_REFS_NOTICES] = "SELECT count(*) FROM notice WHERE person_id = ?1",
	[ST_PERSON_REFS_RECORDS] =
		"SELECT (SELECT count(*) FROM extension WHERE person_id = ?1 OR decided_by = ?1)"
		" + (SELECT count(*) FROM obstacle WHERE person_id = ?1 OR handled_by = ?1)"
		" + (SELECT count(*) FROM period_report WHERE person_id = ?1)",
	[ST_PERSON_REFS_CODES] = "SELECT count(*) FROM link_code WHERE person_id = ?1",
	[ST_PERSON_DELETE_ASKS] = "DELETE FROM chat_ask WHERE person_id = ?1",
	[ST_PERSON_DELETE_ADDRESSES] = "DELETE FROM address WHERE person_id = ?1",
	[ST_PERSON_DELETE_FEEDS] = "UPDATE feed SET target = -target WHERE kind = 'person'"
				   " AND target = ?1",
	[ST_PERSON_DELETE_ROW] = "DELETE FROM person WHERE id = ?1",
	[ST_AGENCY_UPDATE] = "UPDATE agency SET code = ?2, name = ?3, name_key = ?4, kind = ?5"
			     " WHERE id = ?1",
	[ST_AGENCY_REFS_TASKS] = "SELECT count(DISTINCT task_id) FROM task_agency WHERE agency_id = ?1",
	[ST_AGENCY_REFS_PEOPLE] = "SELECT count(*) FROM person WHERE agency_id = ?1",
	[ST_AGENCY_MERGE_POSITIONS] = "UPDATE task_agency AS i"
				      " SET position = least(i.position, f.position)"
				      " FROM task_agency AS f WHERE f.task_id = i.task_id"
				      " AND f.role = i.role AND f.agency_id = ?1 AND i.agency_id = ?2",
	[ST_AGENCY_MERGE_DROP_BOTH] = "DELETE FROM task_agency WHERE agency_id = ?1 AND EXISTS"
				      " (SELECT 1 FROM task_agency i WHERE i.task_id = task_agency.task_id"
				      " AND i.role = task_agency.role AND i.agency_id = ?2)",
	[ST_AGENCY_MERGE_TASKS] = "UPDATE task_agency SET agency_id = ?2 WHERE agency_id = ?1",
	[ST_AGENCY_MERGE_PEOPLE] = "UPDATE person SET agency_id = ?2 WHERE agency_id = ?1",
	[ST_AGENCY_MERGE_ALIASES] = "UPDATE agency_alias SET agency_id = ?2 WHERE agency_id = ?1",
	[ST_AGENCY_MERGE_FEEDS] = "UPDATE feed SET target = -target WHERE kind = 'agency'"
				  " AND target = ?1",
	[ST_AGENCY_MERGE_ROW] = "DELETE FROM agency WHERE id = ?1",
	[ST_AGENCY_DELETE_FEEDS] = "UPDATE feed SET target = -target WHERE kind = 'agency'"
				   " AND target = ?1",
	[ST_AGENCY_DELETE_ROW] = "DELETE FROM agency WHERE id = ?1",
	[ST_WAITING_NOTICES] = "SELECT count(*) FROM notice WHERE state = 'queued'"
			       " AND message_id IS NULL",
	[ST_WAITING_MESSAGES] = "SELECT count(*) FROM message WHERE state = 'pending'",
	/* The digest (schema 10): a few times a month. */
	[ST_DIGEST_INSERT] = "INSERT INTO digest_run(key, period_from, period_to, created_at,"
			     " filename, workbook) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
	[ST_DIGEST_EXISTS] = "SELECT count(*) FROM digest_run WHERE key = ?1",
	[ST_DIGEST_LAST] = "SELECT period_to FROM digest_run WHERE key IS NOT NULL"
			   " ORDER BY key DESC LIMIT 1",
	[ST_DIGEST_GET] = "SELECT key, period_from, period_to, created_at, filename, workbook"
			  " FROM digest_run WHERE id = ?1",
	[ST_DIGEST_LAST_KEY] = "SELECT max(key) FROM digest_run WHERE key IS NOT NULL",
	[ST_DIGEST_IS_SCHEDULED] = "SELECT key IS NOT NULL FROM digest_run WHERE id = ?1",
	[ST_DIGEST_PRUNE] = "UPDATE digest_run SET workbook = ''::bytea WHERE created_at < ?1"
			    " AND octet_length(workbook) > 0 AND NOT EXISTS (SELECT 1 FROM message m"
			    " WHERE m.digest_id = digest_run.id AND m.state NOT IN ('sent', 'cancelled'))",
};

/*
 * The planner's batches (store_notices_insert, store_tasks_set_plan): as
 * SQLite's, of BATCH_ROWS rows "(?a, ?b, ...)" of width parameters each.
 */
#define NOTICE_BATCH_HEAD \
	"INSERT INTO notice(task_id, person_id, stage, step, anchor, day," \
	" channel, state, created_at, updated_at)" \
	" SELECT column1, column2, column3, column4, column5, column6, column7," \
	" 'queued', ?1, ?1 FROM (VALUES "

static const struct {
	const char *head, *tail;
	int first, width;
} batch_spec[_BATCH_MAX] = {
	[BATCH_NOTICE_INSERT] = { NOTICE_BATCH_HEAD, ") AS v ON CONFLICT DO NOTHING", 2, 7 },
	[BATCH_NOTICE_INSERT_RETURNING] = { NOTICE_BATCH_HEAD,
		") AS v ON CONFLICT DO NOTHING"
		" RETURNING coalesce(task_id, 0), person_id, stage, step, anchor", 2, 7 },
	[BATCH_TASK_SET_PLAN] = {
		"UPDATE task SET next_notice = v.column2, planned_through = ?1"
		" FROM (VALUES ", ") AS v WHERE task.id = v.column1", 2, 2 },
};

/* --- the driver: statements ------------------------------------------- */

/*
 * Statements sent on without waiting (libpq's pipeline mode), at most:
 * their answers, a few bytes each, wait in the socket and libpq's buffer
 * (which libpq reads while it writes, so that neither side blocks).
 */
#define PIPE_MAX 256

static int pipe_wait(struct store_db *db, PGresult **ret_last);

/* One value bound: what libpq sends, and what of it is ours to free. */
struct pg_param {
	const char *value;	/* NULL: SQL NULL */
	char *own;		/* a copy we made (value points at it), or NULL */
	char num[24];		/* an integer's digits */
	int len;		/* a blob's length (binary form) */
	int format;		/* 0 text, 1 binary (a blob) */
	unsigned type;		/* its OID, 0 when NULL: the server infers it */
};

struct pg_stmt {
	struct store_stmt base;
	struct store_db *db;
	char name[16];		/* of the prepared statement */
	char *sql;		/* the text, ?N written $N */
	unsigned epoch;		/* the connection it was prepared on (0: none yet) */
	bool simple;		/* transaction control: run as plain text, not prepared */
	bool notifies;		/* it queues messages: the instances listening are told */
	bool gives_id;		/* an INSERT whose RETURNING id is store's last_id */
	int n;			/* parameters */
	struct pg_param *p;
	struct pg_param spare;	/* a binding past n (param) */
	const char **values;	/* for libpq, n each */
	int *lengths, *formats;
	PGresult *res;		/* the run's rows, NULL before the first step */
	int rows, cur;		/* rows of res; the current one (-1 before the first) */
	unsigned char *blob;	/* column blob_col of row blob_row unescaped, or NULL */
	size_t blob_len;
	int blob_col, blob_row;
};

struct store_db {
	PGconn *conn;
	char *where;		/* host:port/database, for messages (no password) */
	unsigned epoch;		/* the connection's number: 1, then one more a reconnection */
	time_t retry_at;	/* a lost connection: the next try not before (monotonic s) */
	int backoff;		/* seconds, doubling to 30 */
	bool read_only;
	/*
	 * Between our BEGIN and its end: a connection lost then is not taken
	 * up again before the rollback, or the rest of the transaction would
	 * commit statement by statement on the new one.
	 */
	bool txn;
	bool notify;		/* messages queued in the transaction open: NOTIFY at commit */
	unsigned listening;	/* the epoch of the connection that LISTENs (0: none) */
	unsigned adhoc;		/* ad hoc statements made (pg_adhoc), for their names */
	bool missed;		/* listening anew: what was queued before it may be unseen */
	struct pg_stmt *stmt[_ST_MAX];
	struct pg_stmt *batch[_BATCH_MAX];
	/*
	 * The pipeline (pg_send): what was sent and not yet read, in order,
	 * and the rows that what was read of it changed.
	 */
	struct pipe_entry {
		struct pg_stmt *st;	/* NULL: a command of text sql */
		const char *sql;
		bool prepare;		/* st's PREPARE, not its run */
	} pipe[PIPE_MAX];
	int n_pipe;
	int64_t sent_changes;
	int64_t changes;	/* of the last INSERT, UPDATE, DELETE */
	int64_t last_id;	/* what the last insert's RETURNING id gave */
	int last;		/* the last call: 0, or -errno */
	char msg[512];		/* the last failure in words */
	/*
	 * The server's first refusal in the transaction open (0: none yet),
	 * and its words: the commit tells it, not what was refused after it
	 * (25P02, the transaction aborted), nor -EIO for a failure read where
	 * nobody could tell it (pg_adhoc_free).  A statement's own call still
	 * tells its own failure.
	 */
	int txn_err;
	char txn_msg[512];
};

static inline struct pg_stmt *
pg(struct store_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* The negative errno of a SQLSTATE (NULL: the connection is gone). */
static int
errno_of_state(const char *state)
{
	if (!state)
		return -EIO;
	if (strcmp(state, "23505") == 0)
		return -EEXIST;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return -EINVAL;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0)
		return -EBUSY;
	if (strcmp(state, "53100") == 0)
		return -ENOSPC;
	if (strcmp(state, "25006") == 0)
		return -EROFS;
	if (strcmp(state, "42501") == 0 || strncmp(state, "28", 2) == 0)
		return -EACCES;
	return -EIO;
}

/* Keeps msg (libpq's, many lines ending in a newline) on one line in db->msg. */
static void
set_msg(struct store_db *db, const char *msg)
{
	size_t n = 0;

	for (const char *p = msg ? msg : "unknown error"; *p && n + 1 < sizeof(db->msg); p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			if (n && db->msg[n - 1] != ' ' && p[1])
				db->msg[n++] = ' ';
			continue;
		}
		db->msg[n++] = *p;
	}
	while (n && db->msg[n - 1] == ' ')
		n--;
	db->msg[n] = '\0';
}

/* Records res's failure (res may be NULL) on db: -errno. */
static int
fail(struct store_db *db, PGresult *res)
{
	const char *state = res ? sym_PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	int r;

	/* A lost connection has no SQLSTATE (LIBRARIES.md §14): its status says so. */
	if (sym_PQstatus(db->conn) == CONNECTION_BAD)
		state = NULL;
	r = errno_of_state(state);
	set_msg(db, res ? sym_PQresultErrorMessage(res) : sym_PQerrorMessage(db->conn));
	if (!state)
		snprintf(db->msg + strlen(db->msg), sizeof(db->msg) - strlen(db->msg),
			 " (PostgreSQL at %s)", db->where);
	/* The server's first refusal in the transaction: what its commit tells (commit_failed). */
	if (db->txn && !db->txn_err && state && strcmp(state, "25P02") != 0) {
		db->txn_err = r;
		memcpy(db->txn_msg, db->msg, sizeof(db->txn_msg));
	}
	db->last = r;
	return r;
}

/*
 * The commit of a transaction that failed refused with r: the first
 * failure of the transaction told instead, when the server refused one
 * (what it refused after it, 25P02, followed from it).
 */
static int
commit_failed(struct store_db *db, int r)
{
	if (!db->txn_err)
		return r;
	memcpy(db->msg, db->txn_msg, sizeof(db->msg));
	return db->last = db->txn_err;
}

/* sql with each ?N written $N, outside quotes; *ret_n the highest N. */
static char *
dollar_params(const char *sql, int *ret_n)
{
	char *out = xstrdup(sql), *o = out;
	char quote = 0;
	int n = 0;

	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '?' && p[1] >= '0' && p[1] <= '9') {
			*o++ = '$';
			n = MAX(n, (int)strtol(p + 1, NULL, 10));
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	*ret_n = n;
	return out;
}

static struct pg_stmt *
pg_new(struct store_db *db, const char *name, const char *sql)
{
	struct pg_stmt *st = xcalloc(1, sizeof(*st));

	st->base.be = &store_pg;
	st->db = db;
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->sql = dollar_params(sql, &st->n);
	st->simple = strncmp(sql, "BEGIN", 5) == 0 || strncmp(sql, "COMMIT", 6) == 0 ||
		     strncmp(sql, "ROLLBACK", 8) == 0 || strncmp(sql, "SAVEPOINT", 9) == 0 ||
		     strncmp(sql, "RELEASE", 7) == 0;
	st->p = xcalloc((size_t)st->n + 1, sizeof(*st->p));
	st->values = xcalloc((size_t)st->n + 1, sizeof(*st->values));
	st->lengths = xcalloc((size_t)st->n + 1, sizeof(*st->lengths));
	st->formats = xcalloc((size_t)st->n + 1, sizeof(*st->formats));
	st->cur = -1;
	return st;
}

static void
pg_clear_row(struct pg_stmt *st)
{
	if (st->blob)
		sym_PQfreemem(st->blob);
	st->blob = NULL;
}

static void
pg_reset(struct store_stmt *base)
{
	struct pg_stmt *st = pg(base);

	pg_clear_row(st);
	sym_PQclear(st->res);
	st->res = NULL;
	st->rows = 0;
	st->cur = -1;
}

static void
pg_unbind(struct pg_stmt *st, int i)
{
	free(st->p[i].own);
	st->p[i] = (struct pg_param){ 0 };
}

static void
pg_free(struct pg_stmt *st)
{
	if (!st)
		return;
	pg_reset(&st->base);
	for (int i = 0; i < st->n; i++)
		pg_unbind(st, i);
	free(st->spare.own);
	free(st->p);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->sql);
	free(st);
}

/* A kept statement made ready for new bindings. */
static struct store_stmt *
pg_ready(struct pg_stmt *st)
{
	pg_reset(&st->base);
	for (int i = 0; i < st->n; i++)
		pg_unbind(st, i);
	return &st->base;
}

/*
 * The inserts whose new row's id store.c asks for (last_id): their text
 * ends in RETURNING id, whose row their step reads and does not show.
 */
static bool
gives_id(enum stmt id)
{
	switch (id) {
	case ST_AGENCY_INSERT:
	case ST_PERSON_INSERT:
	case ST_DOCUMENT_INSERT:
	case ST_TASK_INSERT:
	case ST_MESSAGE_INSERT:
	case ST_EXTENSION_INSERT:
	case ST_OBSTACLE_INSERT:
	case ST_DIGEST_INSERT:
	case ST_FEED_INSERT:
		return true;
	default:
		return false;
	}
}

static struct store_stmt *
pg_stmt(struct store_db *db, enum stmt id)
{
	char name[16];

	if (!db->stmt[id]) {
		snprintf(name, sizeof(name), "s%d", (int)id);
		db->stmt[id] = pg_new(db, name, pg_sql[id]);
		db->stmt[id]->gives_id = gives_id(id);
		db->stmt[id]->notifies = id == ST_MESSAGE_INSERT || id == ST_MESSAGE_RETRY;
	}
	return pg_ready(db->stmt[id]);
}

static struct store_stmt *
pg_adhoc(struct store_db *db, const char *sql)
{
	char name[16];

	/* Named apart from the others of the connection, open at once (store_copy's two). */
	snprintf(name, sizeof(name), "a%u", ++db->adhoc);
	return pg_ready(pg_new(db, name, sql));
}

static void
pg_adhoc_free(struct store_stmt *base)
{
	struct pg_stmt *st = pg(base);
	char sql[40];

	(void)pipe_wait(st->db, NULL);
	if (st->epoch && st->epoch == st->db->epoch && sym_PQstatus(st->db->conn) == CONNECTION_OK) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		sym_PQclear(sym_PQexec(st->db->conn, sql));
	}
	pg_free(st);
}

static const char *
pg_column_name(struct store_stmt *st, int i)
{
	return pg(st)->res ? sym_PQfname(pg(st)->res, i) : NULL;
}

/* Runs sql, whose rows (if any) are not read; -errno as fail() says. */
static int
pg_exec_ok(struct store_db *db, const char *sql, bool *ret_rows)
{
	PGresult *res;
	ExecStatusType status;
	int r = pipe_wait(db, NULL);

	if (r < 0)
		return r;
	res = sym_PQexec(db->conn, sql);
	status = sym_PQresultStatus(res);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		r = fail(db, res);
	if (ret_rows)
		*ret_rows = r == 0 && sym_PQntuples(res) > 0;
	sym_PQclear(res);
	return r;
}

/*
 * Before a copy into table, its triggers off (ALTER TABLE, which the
 * tables' owner may do, where session_replication_role needs a
 * superuser); after, on again, its statistics taken, and its identity
 * past the ids copied.
 */
static int
pg_copying(struct store_db *db, const char *table, bool done)
{
	char sql[512];
	bool identity = false;
	int r;

	snprintf(sql, sizeof(sql), "ALTER TABLE %s %s TRIGGER USER", table,
		 done ? "ENABLE" : "DISABLE");
	r = pg_exec_ok(db, sql, NULL);
	if (r < 0 || !done)
		return r;
	/* The planner's statistics of it now: without, it reads 100,000 tasks to find one. */
	snprintf(sql, sizeof(sql), "ANALYZE %s", table);
	r = pg_exec_ok(db, sql, NULL);
	if (r < 0)
		return r;
	snprintf(sql, sizeof(sql), "SELECT 1 FROM information_schema.columns"
		 " WHERE table_schema = current_schema() AND table_name = '%s'"
		 " AND column_name = 'id' AND is_identity = 'YES'", table);
	r = pg_exec_ok(db, sql, &identity);
	if (r < 0 || !identity)
		return r;
	snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
		 " coalesce(max(id), 0) + 1, false) FROM %s", table, table);
	return pg_exec_ok(db, sql, NULL);
}

static struct store_stmt *
pg_batch(struct store_db *db, enum batch id)
{
	struct buf sql;
	char name[16];
	int n;

	if (db->batch[id])
		return pg_ready(db->batch[id]);
	buf_init(&sql, 64 * 1024);
	n = batch_spec[id].first;
	(void)buf_adds(&sql, batch_spec[id].head);
	for (int row = 0; row < BATCH_ROWS; row++) {
		(void)buf_adds(&sql, row ? ",(" : "(");
		for (int c = 0; c < batch_spec[id].width; c++)
			(void)buf_addf(&sql, c ? ",?%d" : "?%d", n++);
		(void)buf_addc(&sql, ')');
	}
	(void)buf_adds(&sql, batch_spec[id].tail);
	snprintf(name, sizeof(name), "b%d", (int)id);
	db->batch[id] = pg_new(db, name, sql.p);
	buf_release(&sql);
	return pg_ready(db->batch[id]);
}

/*
 * Parameter i of st, unbound.  One the text does not have (a binding
 * that store.c makes for SQLite's text of the statement, and this one
 * leaves out) goes to a slot never sent, as SQLite ignores it.
 */
static struct pg_param *
param(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pg(base);

	if (i < 1 || i > st->n) {
		free(st->spare.own);
		st->spare = (struct pg_param){ 0 };
		return &st->spare;
	}
	pg_unbind(st, i - 1);
	return &st->p[i - 1];
}

static void
pg_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	struct pg_param *p = param(st, i);

	snprintf(p->num, sizeof(p->num), "%lld", (long long)v);
	p->value = p->num;
	p->type = OID_INT8;
}

static void
pg_bind_text(struct store_stmt *st, int i, const char *text, bool copy)
{
	struct pg_param *p = param(st, i);

	if (!text)
		return;
	p->own = copy ? xstrdup(text) : NULL;
	p->value = copy ? p->own : text;
	p->type = OID_TEXT;
}

static void
pg_bind_blob(struct store_stmt *st, int i, const void *data, size_t n)
{
	struct pg_param *p = param(st, i);

	p->value = data;
	p->len = (int)n;
	p->format = 1;
	p->type = OID_BYTEA;
}

static void
pg_bind_null(struct store_stmt *st, int i)
{
	(void)param(st, i);
}

static int
pg_param_count(struct store_stmt *st)
{
	return pg(st)->n;
}

static void pg_reconnect(struct store_db *db);

/* Whether sql names parameter $i (one it does not name has no type the server could infer). */
static bool
mentions(const char *sql, int i)
{
	char name[16];
	size_t n = (size_t)snprintf(name, sizeof(name), "$%d", i);

	for (const char *p = strstr(sql, name); p; p = strstr(p + 1, name))
		if (p[n] < '0' || p[n] > '9')
			return true;
	return false;
}

/* The types of st's parameters: one its text does not name gets text's, as the server could infer none. */
static void
param_types(const struct pg_stmt *st, unsigned *types)
{
	for (int i = 0; i < st->n; i++)
		types[i] = st->p[i].type || mentions(st->sql, i + 1) ? st->p[i].type : OID_TEXT;
}

/* The values bound to st, as libpq takes them. */
static void
fill(struct pg_stmt *st)
{
	for (int i = 0; i < st->n; i++) {
		st->values[i] = st->p[i].value;
		st->lengths[i] = st->p[i].len;
		st->formats[i] = st->p[i].format;
	}
}

/* st's run succeeded with res (st's now): its rows, and the rows it changed. */
static void
took(struct pg_stmt *st, PGresult *res)
{
	struct store_db *db = st->db;

	db->last = 0;
	/* Rolled back to the savepoint: the transaction has no failure left. */
	if (strncmp(st->sql, "ROLLBACK", 8) == 0)
		db->txn_err = 0;
	db->changes = strtoll(sym_PQcmdTuples(res), NULL, 10);
	/* Told at commit (NOTIFY is transactional), or now outside a transaction. */
	if (st->notifies && db->changes > 0) {
		if (db->txn)
			db->notify = true;
		else
			sym_PQclear(sym_PQexec(db->conn, "NOTIFY " PG_CHANNEL));
	}
	st->res = res;
	st->rows = sym_PQntuples(res);
	st->cur = -1;
	if (st->gives_id) {
		db->last_id = st->rows ? strtoll(sym_PQgetvalue(res, 0, 0), NULL, 10) : 0;
		st->rows = 0;
	}
}

/*
 * Sends st as bound (prepared first on this connection), or the command
 * sql when st is NULL, into the pipeline, which it enters if it must;
 * its answer is read by pipe_wait.  0 or -errno.
 */
static int
pipe_push(struct store_db *db, struct pg_stmt *st, const char *sql)
{
	assert(db->n_pipe + 2 <= PIPE_MAX);
	if (!db->n_pipe && !sym_PQenterPipelineMode(db->conn))
		return fail(db, NULL);
	if (!st || st->simple) {
		if (!sym_PQsendQueryParams(db->conn, st ? st->sql : sql, 0, NULL, NULL, NULL, NULL, 0))
			return fail(db, NULL);
		db->pipe[db->n_pipe++] = (struct pipe_entry){ .st = st, .sql = sql };
		return 0;
	}
	if (st->epoch != db->epoch) {
		unsigned types[st->n + 1];

		param_types(st, types);
		if (!sym_PQsendPrepare(db->conn, st->name, st->sql, st->n, types))
			return fail(db, NULL);
		db->pipe[db->n_pipe++] = (struct pipe_entry){ .st = st, .prepare = true };
		st->epoch = db->epoch;
	}
	fill(st);
	if (!sym_PQsendQueryPrepared(db->conn, st->name, st->n, st->values, st->lengths,
				     st->formats, 0))
		return fail(db, NULL);
	/* Told at commit: a NOTIFY for an insert that did nothing wakes the others for nothing. */
	if (st->notifies)
		db->notify = true;
	db->pipe[db->n_pipe++] = (struct pipe_entry){ .st = st };
	return 0;
}

/*
 * Ends the pipeline: a Sync sent, every answer to what was sent read
 * (the rows each changed added to sent_changes), and the mode left.
 * 0, or the first failure.  *ret_last, when not NULL, gets the result of
 * the last statement sent if it succeeded (the caller's to clear).
 */
static int
pipe_wait(struct store_db *db, PGresult **ret_last)
{
	PGresult *res;
	int r = 0, k = 0;

	if (ret_last)
		*ret_last = NULL;
	if (!db->n_pipe)
		return 0;
	if (!sym_PQpipelineSync(db->conn)) {
		r = fail(db, NULL);
		goto out;
	}
	for (;;) {
		const struct pipe_entry *e = k < db->n_pipe ? &db->pipe[k] : NULL;
		ExecStatusType status;

		if (sym_PQstatus(db->conn) == CONNECTION_BAD) {
			if (!r)
				r = fail(db, NULL);
			break;
		}
		res = sym_PQgetResult(db->conn);
		if (!res) {
			/* The end of one statement's answer; never more of them than were sent. */
			if (++k > db->n_pipe) {
				if (!r)
					r = fail(db, NULL);
				break;
			}
			continue;
		}
		status = sym_PQresultStatus(res);
		if (status == PGRES_PIPELINE_SYNC) {
			sym_PQclear(res);
			break;
		}
		if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
			if (e && !e->prepare && ret_last && k == db->n_pipe - 1 && !r) {
				*ret_last = res;
				continue;
			}
			if (e && !e->prepare)
				db->sent_changes += strtoll(sym_PQcmdTuples(res), NULL, 10);
		} else {
			/* After a failure, the server skips the rest up to the Sync (ABORTED). */
			if (status != PGRES_PIPELINE_ABORTED && !r)
				r = fail(db, res);
			if (e && e->prepare)
				e->st->epoch = 0;
		}
		sym_PQclear(res);
	}
out:
	(void)sym_PQexitPipelineMode(db->conn);
	db->n_pipe = 0;
	if (r < 0 && ret_last && *ret_last) {
		sym_PQclear(*ret_last);
		*ret_last = NULL;
	}
	return r;
}

/* Runs st as bound: its rows in st->res, or -errno. */
static int
pg_run(struct pg_stmt *st)
{
	struct store_db *db = st->db;
	PGresult *res;
	ExecStatusType status;
	int r;

	if (sym_PQstatus(db->conn) == CONNECTION_BAD && !db->txn)
		pg_reconnect(db);
	if (sym_PQstatus(db->conn) == CONNECTION_BAD)
		return fail(db, NULL);
	/* A ROLLBACK TO undoes whatever of what was sent failed: it runs after, alone. */
	if (db->n_pipe && strncmp(st->sql, "ROLLBACK", 8) == 0)
		(void)pipe_wait(db, NULL);
	if (db->n_pipe) {
		/* Sent after what was sent, all answered in one round trip. */
		r = pipe_push(db, st, NULL);
		if (r < 0) {
			(void)pipe_wait(db, NULL);
			return r;
		}
		r = pipe_wait(db, &res);
		if (r < 0)
			return r;
		if (!res) {
			set_msg(db, "no answer to a statement sent in a pipeline");
			return db->last = -EIO;
		}
		took(st, res);
		return 0;
	}
	if (st->simple) {
		res = sym_PQexec(db->conn, st->sql);
	} else {
		if (st->epoch != db->epoch) {
			unsigned types[st->n + 1];

			param_types(st, types);
			res = sym_PQprepare(db->conn, st->name, st->sql, st->n, types);
			if (sym_PQresultStatus(res) != PGRES_COMMAND_OK) {
				r = fail(db, res);
				sym_PQclear(res);
				return r;
			}
			sym_PQclear(res);
			st->epoch = db->epoch;
		}
		fill(st);
		res = sym_PQexecPrepared(db->conn, st->name, st->n, st->values, st->lengths,
					 st->formats, 0);
	}
	status = sym_PQresultStatus(res);
	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
		r = fail(db, res);
		sym_PQclear(res);
		return r;
	}
	took(st, res);
	return 0;
}

/*
 * Runs st, whose rows nobody reads: inside a transaction, sent into the
 * pipeline and not waited for (its failure is told by the next call that
 * waits: a step, pg_sent_wait, the commit); outside one, now.
 */
static int
pg_send(struct store_stmt *base)
{
	struct pg_stmt *st = pg(base);
	struct store_db *db = st->db;
	int r;

	if (!db->txn) {
		r = pg_run(st);
		if (r == 0)
			db->sent_changes += db->changes;
		pg_reset(base);
		return r;
	}
	if (sym_PQstatus(db->conn) == CONNECTION_BAD)
		return fail(db, NULL);
	/* Room left for what ends the pipeline: a statement and its PREPARE, a NOTIFY and a COMMIT. */
	if (db->n_pipe + 2 > PIPE_MAX - 4) {
		r = pipe_wait(db, NULL);
		if (r < 0)
			return r;
	}
	r = pipe_push(db, st, NULL);
	pg_reset(base);
	return r;
}

static int
pg_sent_wait(struct store_db *db, int64_t *ret_changes)
{
	int r = pipe_wait(db, NULL);

	if (r == 0)
		db->last = 0;
	*ret_changes = db->sent_changes;
	db->sent_changes = 0;
	return r;
}

static int
pg_step(struct store_stmt *base)
{
	struct pg_stmt *st = pg(base);
	int r;

	if (!st->res) {
		r = pg_run(st);
		if (r < 0)
			return r;
	}
	pg_clear_row(st);
	if (st->cur + 1 < st->rows) {
		st->cur++;
		return DB_ROW;
	}
	st->cur = st->rows;
	return DB_DONE;
}

static int
pg_column_count(struct store_stmt *st)
{
	return pg(st)->res ? sym_PQnfields(pg(st)->res) : 0;
}

static bool
is_null(struct pg_stmt *st, int i)
{
	return !st->res || st->cur < 0 || st->cur >= st->rows || sym_PQgetisnull(st->res, st->cur, i);
}

static enum db_type
pg_column_type(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pg(base);

	if (is_null(st, i))
		return DB_NULL;
	switch (sym_PQftype(st->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		return DB_INTEGER;
	case OID_NUMERIC:
		return strchr(sym_PQgetvalue(st->res, st->cur, i), '.') ? DB_FLOAT : DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int64_t
pg_column_int64(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pg(base);
	const char *v;

	if (is_null(st, i))
		return 0;
	v = sym_PQgetvalue(st->res, st->cur, i);
	/* A boolean reads as SQLite's comparisons give it: 1 or 0. */
	if (sym_PQftype(st->res, i) == OID_BOOL)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pg(base);

	return is_null(st, i) ? 0 : strtod(sym_PQgetvalue(st->res, st->cur, i), NULL);
}

static const char *
pg_column_text(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pg(base);

	return is_null(st, i) ? NULL : sym_PQgetvalue(st->res, st->cur, i);
}

/* Column i of the current row as bytes: a bytea's unescaped, a text's as they are. */
static const void *
row_bytes(struct pg_stmt *st, int i, size_t *ret_n)
{
	if (is_null(st, i)) {
		*ret_n = 0;
		return NULL;
	}
	if (sym_PQftype(st->res, i) != OID_BYTEA) {
		*ret_n = (size_t)sym_PQgetlength(st->res, st->cur, i);
		return sym_PQgetvalue(st->res, st->cur, i);
	}
	if (!st->blob || st->blob_col != i || st->blob_row != st->cur) {
		pg_clear_row(st);
		st->blob = sym_PQunescapeBytea(
			(const unsigned char *)sym_PQgetvalue(st->res, st->cur, i), &st->blob_len);
		if (!st->blob)
			abort();	/* out of memory (STYLE rule 9) */
		st->blob_col = i;
		st->blob_row = st->cur;
	}
	*ret_n = st->blob_len;
	return st->blob;
}

static const void *
pg_column_blob(struct store_stmt *st, int i)
{
	size_t n;

	return row_bytes(pg(st), i, &n);
}

static size_t
pg_column_bytes(struct store_stmt *st, int i)
{
	size_t n;

	(void)row_bytes(pg(st), i, &n);
	return n;
}

/* --- the driver: the connection ----------------------------------------- */

static int64_t
pg_changes(struct store_db *db)
{
	return db->changes;
}

static int64_t
pg_last_id(struct store_db *db)
{
	return db->last_id;
}

static int
pg_last_errno(struct store_db *db)
{
	return db->last;
}

static const char *
pg_errmsg(struct store_db *db)
{
	return db->last < 0 ? db->msg : "not an error";
}

/* Runs sql, without parameters or rows; 0 or -errno. */
static int
pg_exec(struct store_db *db, const char *sql)
{
	PGresult *res;
	int r = 0;

	if (db->n_pipe) {
		/* After what was sent, in the same round trip (a COMMIT, a NOTIFY). */
		r = pipe_push(db, NULL, sql);
		if (r < 0) {
			(void)pipe_wait(db, NULL);
			return r;
		}
		r = pipe_wait(db, NULL);
		if (r == 0)
			db->last = 0;
		return r;
	}
	if (sym_PQstatus(db->conn) == CONNECTION_BAD && !db->txn)
		pg_reconnect(db);
	res = sym_PQexec(db->conn, sql);
	if (sym_PQresultStatus(res) != PGRES_COMMAND_OK && sym_PQresultStatus(res) != PGRES_TUPLES_OK)
		r = fail(db, res);
	else
		db->last = 0;
	sym_PQclear(res);
	return r;
}

static void pg_rollback(struct store_db *db);

/* ROLLBACK, the failure that made it still the one told (store_strerror). */
static void
rollback_keeping(struct store_db *db)
{
	char msg[sizeof(db->msg)];
	int last = db->last;

	memcpy(msg, db->msg, sizeof(msg));
	pg_rollback(db);
	db->last = last;
	memcpy(db->msg, msg, sizeof(msg));
}

static bool
pg_in_txn(struct store_db *db)
{
	PGTransactionStatusType t = sym_PQtransactionStatus(db->conn);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/*
 * BEGIN, then the head of the history locked: the other writers wait for
 * this one's commit (see the top of this file).  Every commit of
 * PostgreSQL is on disk once it returns (synchronous_commit on, its
 * default): a durable one is no different.
 */
static int
pg_begin(struct store_db *db, bool durable)
{
	int r;

	(void)durable;
	assert(!db->n_pipe);
	db->sent_changes = 0;
	db->txn_err = 0;
	/* One round trip: what a query of many statements ran stays in the transaction begun. */
	r = pg_exec(db, db->read_only ? "BEGIN"
				      : "BEGIN; SELECT 1 FROM event_head WHERE id = 1 FOR UPDATE");
	if (r == 0)
		db->txn = true;
	else
		rollback_keeping(db);
	return r;
}

static int
pg_commit(struct store_db *db)
{
	int r;

	/* A statement failed in it: PostgreSQL ends it, and COMMIT would roll back in silence. */
	if (!db->n_pipe && sym_PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
		r = commit_failed(db, db->last < 0 ? db->last : -EIO);
		rollback_keeping(db);
		db->last = r;
		return r;
	}
	/*
	 * After what was sent, in one round trip: one of them failed, the
	 * server skips the COMMIT, and the transaction is rolled back here.
	 */
	if (db->n_pipe) {
		r = db->notify ? pipe_push(db, NULL, "NOTIFY " PG_CHANNEL) : 0;
		if (r == 0)
			r = pg_exec(db, "COMMIT");
		else
			(void)pipe_wait(db, NULL);
	} else {
		r = pg_exec(db, db->notify ? "NOTIFY " PG_CHANNEL "; COMMIT" : "COMMIT");
	}
	if (r < 0)
		r = commit_failed(db, r);
	if (r < 0 && pg_in_txn(db))
		rollback_keeping(db);
	/* Failed, the transaction is over all the same (or its connection is gone). */
	db->txn = false;
	db->notify = false;
	return r;
}

static void
pg_rollback(struct store_db *db)
{
	(void)pipe_wait(db, NULL);
	if (pg_in_txn(db))
		(void)pg_exec(db, "ROLLBACK");
	db->txn = false;
	db->notify = false;
}

/* LISTENs on the connection (again after a reconnection): its socket, or -1. */
static int
pg_wake_fd(struct store_db *db)
{
	if (sym_PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	if (db->listening != db->epoch && !db->txn) {
		PGresult *res = sym_PQexec(db->conn, "LISTEN " PG_CHANNEL);

		if (sym_PQresultStatus(res) == PGRES_COMMAND_OK) {
			db->listening = db->epoch;
			db->missed = true;
		}
		sym_PQclear(res);
	}
	return db->listening == db->epoch ? sym_PQsocket(db->conn) : -1;
}

static bool
pg_woken(struct store_db *db)
{
	PGnotify *n;
	bool got = db->missed;

	db->missed = false;
	if (db->listening != db->epoch || !sym_PQconsumeInput(db->conn))
		return got;
	while ((n = sym_PQnotifies(db->conn))) {
		sym_PQfreemem(n);
		got = true;
	}
	return got;
}

static void
pg_set_busy_timeout(struct store_db *db, int ms)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", ms);
	(void)pg_exec(db, sql);
}

/* PostgreSQL sizes itself (shared_buffers): nothing to do. */
static int
pg_work(struct store_db *db, enum store_work w)
{
	(void)db;
	(void)w;
	return 0;
}

/* Drops libpq's notices (NOTICE, WARNING), which it would write on stderr. */
static void
no_notice(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;
}

/* The session's settings, after a connection or a reconnection. */
static int
pg_session(struct store_db *db)
{
	char sql[128];
	int r;

	sym_PQsetNoticeReceiver(db->conn, no_notice, NULL);
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", STORE_BUSY_MS);
	r = pg_exec(db, sql);
	if (r == 0 && db->read_only)
		r = pg_exec(db, "SET default_transaction_read_only = on");
	return r;
}

/*
 * A lost connection taken up again, at most once per backoff (1 s,
 * doubling to 30): the statements are prepared again on the new one.
 */
static void
pg_reconnect(struct store_db *db)
{
	struct timespec ts;
	time_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec;

	if (now < db->retry_at)
		return;
	sym_PQreset(db->conn);
	if (sym_PQstatus(db->conn) == CONNECTION_OK && pg_session(db) == 0) {
		db->epoch++;
		db->backoff = 0;
		db->retry_at = 0;
		return;
	}
	db->backoff = db->backoff ? MIN(2 * db->backoff, 30) : 1;
	db->retry_at = now + db->backoff;
}

/* --- opening, the schema ------------------------------------------------ */

/* The schema's number in db, 0 when it has none yet; or -errno. */
static int
schema_version(struct store_db *db, int *ret)
{
	PGresult *res;
	int r = 0;

	/* A query of a table not there would end the transaction it is in. */
	res = sym_PQexec(db->conn, "SELECT to_regclass('dondoc_schema') IS NOT NULL");
	if (sym_PQresultStatus(res) != PGRES_TUPLES_OK) {
		r = fail(db, res);
	} else if (sym_PQgetvalue(res, 0, 0)[0] != 't') {
		*ret = 0;	/* a database dondoc never wrote */
	} else {
		sym_PQclear(res);
		res = sym_PQexec(db->conn, "SELECT coalesce(max(version), 0) FROM dondoc_schema");
		if (sym_PQresultStatus(res) == PGRES_TUPLES_OK)
			*ret = (int)strtol(sym_PQgetvalue(res, 0, 0), NULL, 10);
		else
			r = fail(db, res);
	}
	sym_PQclear(res);
	return r;
}

/*
 * Brings the schema from version from to the newest, in one transaction;
 * two instances starting at once take turns (a lock for the transaction,
 * which PgBouncer's transaction pooling keeps, unlike a session's).
 */
static int
pg_migrate(struct store *s, struct store_db *db, int *version)
{
	char sql[96];
	bool fresh;
	int r;

	r = pg_exec(db, "BEGIN");
	if (r == 0)
		r = pg_exec(db, "SELECT pg_advisory_xact_lock(8231597000017)");
	if (r == 0)
		r = schema_version(db, version);
	/* The first migration makes everything, on an empty database only. */
	if (r == 0 && *version > 0 && *version < PG_SCHEMA_FIRST) {
		snprintf(db->msg, sizeof(db->msg), "schema %d is older than any on PostgreSQL (%d)",
			 *version, PG_SCHEMA_FIRST);
		r = db->last = -EBADMSG;
	}
	fresh = r == 0 && *version == 0;
	for (int v = MAX(*version, PG_SCHEMA_FIRST - 1); r == 0 && v < STORE_SCHEMA_VERSION; v++)
		r = pg_exec(db, pg_migrations[v - (PG_SCHEMA_FIRST - 1)]);
	/* The empty history's head, sealed as every head is (store_chain_check reads it). */
	if (r == 0 && fresh) {
		struct head h = { .count = 0, .hash = ZERO_HASH };

		r = store_head_write(s, &h);
	}
	if (r == 0) {
		snprintf(sql, sizeof(sql), "DELETE FROM dondoc_schema; INSERT INTO dondoc_schema VALUES (%d)",
			 STORE_SCHEMA_VERSION);
		r = pg_exec(db, sql);
	}
	if (r == 0)
		r = pg_exec(db, "COMMIT");
	if (r < 0) {
		rollback_keeping(db);
		return r;
	}
	*version = STORE_SCHEMA_VERSION;
	return 0;
}

/* where with libpq's options of ours added, unless it names them. */
static char *
conninfo(const char *where)
{
	struct buf b;
	char sep = strchr(where, '?') ? '&' : '?';

	buf_init(&b, 4096);
	(void)buf_adds(&b, where);
	if (!strstr(where, "application_name="))
		(void)buf_addf(&b, "%capplication_name=dondoc", sep), sep = '&';
	if (!strstr(where, "connect_timeout="))
		(void)buf_addf(&b, "%cconnect_timeout=10", sep);
	return buf_detach(&b);
}

static int
pg_open(struct store *s, const char *where, enum store_mode mode, char **reterr_msg)
{
	struct store_db *db;
	char *info, *load_msg = NULL;
	int r, version = 0;

	r = dlpq_load(&load_msg);
	if (r < 0) {
		*reterr_msg = xasprintf("database '%s': %s", where, load_msg);
		free(load_msg);
		return r;
	}
	db = s->db = xcalloc(1, sizeof(*db));
	db->read_only = mode == STORE_READ;
	db->epoch = 1;
	info = conninfo(where);
	db->conn = sym_PQconnectdb(info);
	free(info);
	/* Never the URI itself, which may hold a password. */
	db->where = xasprintf("%s:%s/%s", sym_PQhost(db->conn) ? sym_PQhost(db->conn) : "?",
			      sym_PQport(db->conn) ? sym_PQport(db->conn) : "?",
			      sym_PQdb(db->conn) ? sym_PQdb(db->conn) : "?");
	if (sym_PQstatus(db->conn) != CONNECTION_OK) {
		set_msg(db, sym_PQerrorMessage(db->conn));
		*reterr_msg = xasprintf("cannot connect to PostgreSQL at %s: %s", db->where, db->msg);
		return -EIO;
	}
	r = pg_session(db);
	if (r == 0)
		r = schema_version(db, &version);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot read the registry on PostgreSQL at %s: %s", db->where,
					db->msg);
		return r;
	}
	if (version > STORE_SCHEMA_VERSION) {
		*reterr_msg = xasprintf("the registry on PostgreSQL at %s has schema %d, newer than "
					"this dondoc (%d)", db->where, version, STORE_SCHEMA_VERSION);
		return -EBADMSG;
	}
	if (version == 0 && mode != STORE_CREATE) {
		*reterr_msg = xasprintf("the registry on PostgreSQL at %s is not initialised (run "
					"'dondoc init')", db->where);
		return -ENOENT;
	}
	if (version < STORE_SCHEMA_VERSION && mode == STORE_READ) {
		*reterr_msg = xasprintf("the registry on PostgreSQL at %s has schema %d, older than "
					"this dondoc (%d): run 'dondoc init' (or start the daemon) to "
					"bring it up to date", db->where, version, STORE_SCHEMA_VERSION);
		return -EBADMSG;
	}
	if (version < STORE_SCHEMA_VERSION) {
		r = pg_migrate(s, db, &version);
		if (r < 0) {
			*reterr_msg = xasprintf("cannot create the schema on PostgreSQL at %s: %s",
						db->where, db->msg);
			return r;
		}
	}
	return 0;
}

static void
pg_close(struct store_db *db)
{
	for (int i = 0; i < _ST_MAX; i++)
		pg_free(db->stmt[i]);
	for (int i = 0; i < _BATCH_MAX; i++)
		pg_free(db->batch[i]);
	sym_PQfinish(db->conn);
	free(db->where);
	free(db);
}

static bool
pg_takes(const char *where)
{
	return strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0;
}

const struct store_backend store_pg = {
	.name = "postgresql",
	.flags = STORE_BACKEND_SHARED,
	.takes = pg_takes,
	.open = pg_open,
	.close = pg_close,
	.stmt = pg_stmt,
	.batch = pg_batch,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.param_count = pg_param_count,
	.step = pg_step,
	.send = pg_send,
	.sent_wait = pg_sent_wait,
	.reset = pg_reset,
	.column_count = pg_column_count,
	.column_type = pg_column_type,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.changes = pg_changes,
	.last_id = pg_last_id,
	.last_errno = pg_last_errno,
	.errmsg = pg_errmsg,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.in_txn = pg_in_txn,
	.adhoc = pg_adhoc,
	.adhoc_free = pg_adhoc_free,
	.column_name = pg_column_name,
	.copying = pg_copying,
	.wake_fd = pg_wake_fd,
	.woken = pg_woken,
	.set_busy_timeout = pg_set_busy_timeout,
	.work = pg_work,
};
