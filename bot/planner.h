/* SPDX-License-Identifier: MIT */
/*
 * The planner decides what must be said to whom (DESIGN §6): for every
 * open task it computes the ladder of the schedule (reminders before the
 * due day, nags while overdue, escalation levels), and when a step's day
 * comes it writes one notice per recipient.
 *
 * Invariants:
 *  1. Idempotent: a notice is unique by (task, stage, step, anchor day,
 *     person); running the planner again, or after a restart, adds none.
 *  2. Only the latest reminder and the latest nag that are due are
 *     written: a task imported late, or days missed while dondoc was
 *     down, give one notice per person, not a flood (invariant 9).
 *     Escalation levels are each written, as they reach other people.
 *  3. Each task records the next day it must be looked at
 *     (task.next_notice) and the day its steps are planned through
 *     (task.planned_through); a tick reads only the tasks whose day has
 *     come, a pass writes only what changed, and any change to a task
 *     makes the planner look at it afresh.
 *
 * A recurring task is planned from its own period: its due day is the
 * reporting day of the period asked (recurring.h).  When the next period
 * is asked and the one before was never reported, the pass moves the due
 * day on (a deadline event by "dondoc") before it writes the new period's
 * notices, whose anchor is the new reporting day (invariant 1 holds).
 *
 * Recipients: the focal points of the lead agencies; their heads at level
 * 1; leaders and the secretariat from level 2 on.  When a lead agency has
 * nobody a step would reach (no active focal point, or head at level 1,
 * that a channel reaches), the secretariat is not sent the reminder: it
 * gets a STAGE_MISSING_FOCAL or STAGE_MISSING_HEAD notice (no task, step
 * the agency, anchor the Monday of the week: once a week per agency) for
 * its daily message, so no task is followed up by no one unnoticed.
 *
 * An indicator (chỉ tiêu) is assessed, not due: it has no such ladder,
 * whatever its deadline.  On the reporting days of [assessment] (and
 * its before offsets) its focal points are asked for a new assessment
 * (STAGE_ASSESSMENT), unless it was assessed since that period's first
 * request; an achieved one (đạt, done) is not asked.
 */
#ifndef DONDOC_PLANNER_H
#define DONDOC_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "notice.h"

struct store;
struct schedule;
struct channels;
struct task;
struct deadline;

/* One step of a task's ladder. */
struct ladder_step {
	enum notice_stage stage;
	int step;		/* working days (before, overdue, recurring) or level */
	struct date anchor;	/* the due day (or reporting day) it counts from */
	struct date day;	/* the working day it is for */
};

/*
 * Computes the ladder of a task with deadline dl: every reminder, nag and
 * escalation, in day order, nags up to the last escalation level and on
 * to the first one after until.  A recurring task with a due day (the
 * reporting day of the period it is asked for, recurring.h) has the
 * [recurring] reminders of that day, then nags and escalation like a
 * deadline; without one, the reminders of the policy's next reporting day
 * on or after today.  Returns how many steps, with
 * a new array in *ret (free it); 0 for a task without a due day that is
 * not recurring.
 */
size_t planner_ladder(const struct schedule *sch, const struct deadline *dl, struct date today,
		      struct date until, struct ladder_step **ret);

struct planner_report {
	size_t tasks;		/* tasks looked at */
	size_t notices;		/* notices written */
	size_t unreached;	/* recipients no channel reaches */
};

/* Called for each notice a pass adds; borrowed for the call. */
typedef void (*planner_notice_cb)(const struct notice *n, void *userdata);

/*
 * Plans what is due at now.  full looks at every open task (at start and
 * after the schedules change); otherwise only at those whose day has
 * come.  One transaction; dry_run rolls it back (nothing changes) after
 * calling cb (may be NULL) for each notice it would add.  0, or -errno
 * (-EBUSY: the registry is locked, try again at the next tick).
 */
int planner_run(struct store *s, const struct schedule *sch, const struct channels *cs,
		time_t now, bool full, bool dry_run, planner_notice_cb cb, void *userdata,
		struct planner_report *ret);

/* One line of "dondoc explain": a ladder step for one person. */
struct explain_row {
	struct ladder_step step;
	int64_t person_id;
	char person[128];	/* name */
	char channel[16];
	enum notice_state state;
};

/*
 * The whole ladder of task_id for every recipient, with the state of each
 * step: planned (its day has not come), queued, sent, cancelled (done,
 * superseded, or passed without being due), dead.  Returns the count with
 * a new array in *ret (free it), or -errno (-ENOENT: no such task).
 */
int planner_explain(struct store *s, const struct schedule *sch, const struct channels *cs,
		    int64_t task_id, time_t now, struct explain_row **ret);

#endif
