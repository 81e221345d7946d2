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

#include <stdint.h>

#include "task.h"

struct store;

/* Who changes a task. */
struct actor {
	const char *name;	/* as the history shows it: a person's name, an operator */
	int64_t person_id;	/* 0 when not a registered person */
	const char *channel;	/* "cli", "telegram", "zalo" */
};

/*
 * Sets the status; done records when (and makes progress 100), done or
 * postponed cancels pending notices (*ret_cancelled, may be NULL, gets
 * how many).  0 when unchanged too.
 */
int taskop_status(struct store *s, struct task *t, enum task_status status,
		  const struct actor *a, int64_t now, int *ret_cancelled);
/* Sets progress 0..100; a task not started is then in progress. */
int taskop_progress(struct store *s, struct task *t, int progress, const struct actor *a,
		    int64_t now);
/* Records a progress note (it becomes the task's last note). */
int taskop_note(struct store *s, struct task *t, const char *note, const struct actor *a,
		int64_t now);
/* Records an obstacle or proposal (vướng mắc, kiến nghị); the task shows it open. */
int taskop_obstacle(struct store *s, struct task *t, const char *text, const struct actor *a,
		    int64_t now);
/*
 * Moves the deadline to dl, written raw; text (may be NULL) says why.
 * Cancels what was queued for the old deadline.  0 when unchanged too.
 */
int taskop_deadline(struct store *s, struct task *t, const char *raw, const struct deadline *dl,
		    const char *text, const struct actor *a, int64_t now);
/* Writes t (status, progress, deadline, note, obstacle). */
int taskop_save(struct store *s, const struct task *t, int64_t now);

#endif
