/* SPDX-License-Identifier: MIT */
/*
 * Changes to a task, each one written to the audit trail (the event log)
 * with who made it and through which channel: the CLI and the chat
 * commands change tasks only through these.
 *
 * Each function changes t in memory, appends its event and does what
 * follows from it (a task done or put off cancels its pending notices,
 * invariant 5; a moved deadline cancels what was queued for the old one);
 * taskop_save then writes t.  The caller holds the transaction.
 */
#ifndef DONDOC_TASKOPS_H
#define DONDOC_TASKOPS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "registry.h"
#include "task.h"

struct store;

/* Who changes a task. */
struct actor {
	const char *name;	/* as the history shows it: a person's name, an operator */
	int64_t person_id;	/* 0 when not a registered person */
	const char *channel;	/* "cli", "telegram", "zalo" */
};

/*
 * Sets the status; done records when, and the due day then in force
 * (done_due, in the event's data: taskop_status_data), makes progress 100
 * and closes the task's open extension request as moot (an event; telling
 * its requester is the caller's, see extension.h).  Any other status
 * clears done_due.  Done or postponed cancels pending notices
 * (*ret_cancelled, may be NULL, gets how many).  0 when unchanged too.
 */
int taskop_status(struct store *s, struct task *t, enum task_status status,
		  const struct actor *a, int64_t now, int *ret_cancelled);
/*
 * The progress a done task had before it was last marked done, read from
 * its history (marking done sets 100%): 0 with *ret (0..99), -ENOENT when
 * the history holds none below 100 (done when imported, or at 100% already).
 */
int taskop_progress_before_done(struct store *s, const struct task *t, int *ret);
/* Sets progress 0..100; a task not started is then in progress. */
int taskop_progress(struct store *s, struct task *t, int progress, const struct actor *a,
		    int64_t now);
/* Records a progress note (it becomes the task's last note). */
int taskop_note(struct store *s, struct task *t, const char *note, const struct actor *a,
		int64_t now);
/*
 * Records an obstacle or proposal (vướng mắc, kiến nghị) as an open
 * obstacle (obstacle.h) with its event; the task shows it open.  *ret_id
 * (may be NULL) is the obstacle's number.
 */
int taskop_obstacle(struct store *s, struct task *t, const char *text, const struct actor *a,
		    int64_t now, int64_t *ret_id);
/*
 * Moves the deadline to dl, written raw; text (may be NULL) says why.
 * Cancels what was queued for the old deadline.  0 when unchanged too.
 */
int taskop_deadline(struct store *s, struct task *t, const char *raw, const struct deadline *dl,
		    const char *text, const struct actor *a, int64_t now);
/*
 * Appends an event of task_id (0: of no task, a person's or an agency's)
 * by a at now; data is compact JSON or NULL (the caller's).  0 or -errno.
 */
int taskop_append(struct store *s, int64_t task_id, const struct actor *a, int64_t now,
		  const char *kind, const char *old_value, const char *new_value,
		  const char *text, const char *data);
/*
 * Takes o and returns it as compact JSON with sorted keys, the form of an
 * event's data (a new string; aborts when out of memory).
 */
struct json_t;
char *taskop_dump(struct json_t *o);
/* What a status event carries for replay: t's done_due or null (a new string). */
char *taskop_status_data(const struct task *t);
/*
 * Closes pending request e in state (approved, rejected, superseded,
 * moot) with text (may be NULL), decided by a (its person, 0 for an
 * operator), and appends its extension_decision event; -EALREADY when it
 * was no longer pending.
 */
int taskop_extension_close(struct store *s, const struct extension *e, enum extension_state state,
			   const char *text, const struct actor *a, int64_t now);
/*
 * Records a new assessment of indicator t: status is TASK_DONE (đạt),
 * TASK_NOT_ACHIEVED (chưa đạt) or TASK_CANNOT_ASSESS (chưa đánh giá
 * được); note (may be NULL or "") goes with it and becomes the last note.
 * One "assessment" event (old and new status), even when the assessment
 * is the same as before: the committee asked, the agency answered.  Its
 * pending update requests are cancelled (answered).  -EMEDIUMTYPE when t
 * is not an indicator, -EINVAL for any other status.
 */
int taskop_assess(struct store *s, struct task *t, enum task_status status, const char *note,
		  const struct actor *a, int64_t now);
/* Writes t (status, progress, deadline, note, obstacle). */
int taskop_save(struct store *s, const struct task *t, int64_t now);

/*
 * What a created event carries for replay (audit.c): the whole new task
 * t, with its lead and cooperating agencies by id, as a new JSON string.
 */
char *taskop_created_data(const struct task *t, const int64_t *lead_ids, size_t n_leads,
			  const int64_t *coop_ids, size_t n_coops);
/*
 * The same record as a new JSON object the caller owns: what verify
 * compares a task of the registry with (audit.c), so the two cannot drift.
 */
json_t *taskop_task_json(const struct task *t, const int64_t *lead_ids, size_t n_leads,
			 const int64_t *coop_ids, size_t n_coops);
/* What a deadline event carries: the due day and precision of dl (new string). */
char *taskop_deadline_data(const struct deadline *dl);
/* What a leads or cooperating event carries: the agencies by id (new string). */
char *taskop_ids_data(const int64_t *ids, size_t n);

/*
 * Changes to people and agencies, each an event about no task (its data
 * names the person or agency), so that the history holds who was given
 * which role: replay rebuilds them.  The caller holds the transaction.
 */
/* Adds an agency (store_agency_insert) and its agency.add event. */
int regop_agency_add(struct store *s, const char *code, const char *name, enum agency_kind kind,
		     const struct actor *a, int64_t now, int64_t *ret_id);
/* Gives agency_id another name (store_agency_alias_add, 1 added or 0) and its agency.alias event. */
int regop_agency_alias(struct store *s, int64_t agency_id, const char *alias,
		       const struct actor *a, int64_t now);
/*
 * What a person.add event carries about p but its id, as a new JSON object
 * the caller owns: what verify compares a person of the registry with.
 */
json_t *regop_person_json(const struct person *p);
/* Adds person p (store_person_insert) and its person.add event. */
int regop_person_add(struct store *s, const struct person *p, const struct actor *a, int64_t now,
		     int64_t *ret_id);
/*
 * Marks (broken, since now) or clears person_id's address on channel
 * ("email", "telegram", "zalo", "phone") as refused for good, with its
 * person.address event when that changes: 1 then, 0 when it already was
 * so or they have no address there (no event).
 */
int regop_person_address(struct store *s, int64_t person_id, const char *channel, bool broken,
			 const struct actor *a, int64_t now);

#endif
