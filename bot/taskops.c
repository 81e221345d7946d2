/* SPDX-License-Identifier: MIT */
/*
 * Audited changes to a task; see taskops.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "taskops.h"
#include "xalloc.h"

static int
append(struct store *s, const struct task *t, const struct actor *a, int64_t now,
       const char *kind, const char *old_value, const char *new_value, const char *text)
{
	struct event e = {
		.task_id = t->id,
		.at = now,
		.actor = a->name,
		.person_id = a->person_id,
		.channel = a->channel,
		.kind = kind,
		.old_value = old_value,
		.new_value = new_value,
		.text = text,
	};

	return store_event_append(s, &e);
}

int
taskop_status(struct store *s, struct task *t, enum task_status status, const struct actor *a,
	      int64_t now, int *ret_cancelled)
{
	int r;

	if (ret_cancelled)
		*ret_cancelled = 0;
	if (status == t->status)
		return 0;
	r = append(s, t, a, now, "status", task_status_to_string(t->status),
		   task_status_to_string(status), NULL);
	if (r < 0)
		return r;
	t->status = status;
	/* A done task remembers when, for "on time" versus "late". */
	t->done_at = status == TASK_DONE ? now : 0;
	if (status == TASK_DONE && t->progress != 100) {
		r = taskop_progress(s, t, 100, a, now);
		if (r < 0)
			return r;
	}
	/* Reminders stop once a task is done or put off (invariant 5). */
	if (status == TASK_DONE || status == TASK_POSTPONED)
		return store_notice_cancel_task(s, t->id, now, ret_cancelled);
	return 0;
}

int
taskop_progress(struct store *s, struct task *t, int progress, const struct actor *a,
		int64_t now)
{
	char oldp[8], newp[8];
	int r;

	if (progress < 0 || progress > 100)
		return -EINVAL;
	if (progress == t->progress)
		return 0;
	snprintf(oldp, sizeof(oldp), "%d", t->progress);
	snprintf(newp, sizeof(newp), "%d", progress);
	r = append(s, t, a, now, "progress", oldp, newp, NULL);
	if (r < 0)
		return r;
	t->progress = progress;
	if (progress > 0 && t->status == TASK_NOT_STARTED)
		return taskop_status(s, t, TASK_IN_PROGRESS, a, now, NULL);
	return 0;
}

int
taskop_note(struct store *s, struct task *t, const char *note, const struct actor *a,
	    int64_t now)
{
	int r = append(s, t, a, now, "note", NULL, NULL, note);

	if (r < 0)
		return r;
	free(t->note);
	t->note = xstrdup(note);
	return 0;
}

int
taskop_obstacle(struct store *s, struct task *t, const char *text, const struct actor *a,
		int64_t now)
{
	int r = append(s, t, a, now, "obstacle", NULL, NULL, text);

	if (r < 0)
		return r;
	t->obstacle_open = true;
	return 0;
}

int
taskop_deadline(struct store *s, struct task *t, const char *raw, const struct deadline *dl,
		const char *text, const struct actor *a, int64_t now)
{
	int r;

	if (strcmp(raw, t->deadline_raw) == 0)
		return 0;
	r = append(s, t, a, now, "deadline", t->deadline_raw, raw, text);
	if (r < 0)
		return r;
	free(t->deadline_raw);
	t->deadline_raw = xstrdup(raw);
	t->deadline = *dl;
	/* What was queued for the old deadline is no longer true. */
	return store_notice_cancel_task(s, t->id, now, NULL);
}

int
taskop_save(struct store *s, const struct task *t, int64_t now)
{
	return store_task_update(s, t, now);
}
