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
 * Going live: with the policy's [escalation] from = first_notice (the
 * default) the escalation levels count from the later of the due day and
 * the day the first reminder or nag about the task was actually sent
 * (task.first_notice, recorded by the store when that message is marked
 * sent, which makes the planner look at the task again); before any was
 * sent, a task has no escalation.  A task already late when first planned
 * gets its latest nag, one "quá hạn" message.  Nags keep counting from
 * the due day: they go to the focal points, who learn the task is late
 * from the first of them.
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
/*
 * planner_ladder for a task whose first reminder or nag was sent on
 * first_notice (has_first_notice false: none yet), with its escalation
 * levels counted as planner_escalation_clock says: what the daemon does.
 * Up to the due day a clock not started yet is shown from the due day (a
 * reminder sent by then starts it there); past it, no escalation until a
 * reminder is sent.  planner_ladder is this with a first notice on the
 * due day.
 */
size_t planner_ladder_task(const struct schedule *sch, const struct deadline *dl,
			   bool has_first_notice, struct date first_notice, struct date today,
			   struct date until, struct ladder_step **ret);

/* What the escalation levels of a task count from. */
enum planner_clock {
	PLANNER_CLOCK_NONE,		/* no due day: no escalation at all */
	PLANNER_CLOCK_NOT_STARTED,	/* from = first_notice, and no reminder sent yet */
	PLANNER_CLOCK_DUE_POLICY,	/* the due day: policy from = due */
	PLANNER_CLOCK_DUE_REMINDED,	/* the due day: the first reminder went out by then */
	PLANNER_CLOCK_FIRST_NOTICE,	/* the day the first reminder went out, after the due day */
};

/*
 * The escalation clock of a task with deadline dl whose first reminder or
 * nag was sent on first_notice (when has_first_notice), under the
 * policy's [escalation] from: the day it counts from in *ret (set unless
 * NONE or NOT_STARTED).
 */
enum planner_clock planner_escalation_clock(const struct schedule *sch, const struct deadline *dl,
					    bool has_first_notice, struct date first_notice,
					    struct date *ret);

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
