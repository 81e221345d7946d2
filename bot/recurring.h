/* SPDX-License-Identifier: MIT */
/*
 * Recurring tasks in the registry (DESIGN §4): the task's due day is the
 * reporting day of the period it is asked for now, so that overdue, the
 * light, the ladder and the reports treat each period like a deadline.
 *
 *   - A report (/xong, the Xong button, "task set --status done") goes to
 *     that period, or to the next one when it has one already (early); the
 *     due day moves on to the next period and the task stays open.
 *   - A period not reported by the time the next one is asked is missed
 *     (không báo cáo) for good: the planner moves the due day on.
 *   - A period reported after its reporting day is late (trễ hạn).
 *
 * Both moves are events (period_report; deadline by "dondoc"), so that
 * "dondoc verify" replays them.  The caller holds the transaction and
 * saves the task (taskop_save).
 */
#ifndef DONDOC_RECURRING_H
#define DONDOC_RECURRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "deadline.h"

struct store;
struct schedule;
struct task;
struct actor;

/* True when t reports by periods: recurring, and neither done nor postponed. */
bool recurring_is_open(const struct task *t);

/*
 * The reporting day a recurring task (deadline dl, due day due when
 * has_due, created at created_at) is due on today: due while that period
 * is still asked or was reached by reports ahead, else the period asked
 * today (period_current).  0, or the -errno of period_next.
 */
int recurring_due(const struct schedule *sch, const struct deadline *dl, bool has_due,
		  struct date due, int64_t created_at, struct date today, struct date *ret);

/* What a report did. */
struct recurring_result {
	struct date period;	/* the reporting day of the period reported */
	int late_days;		/* working days after it; 0: on time */
	struct date next;	/* the reporting day due now */
};

/*
 * Records a report of recurring task t by a at now: its period_report row
 * and event (new_value the period; data the period, whether late and the
 * next due day), the due day moved to the next period, a task not started
 * put in progress, queued notices cancelled.  0 with *ret, or -errno
 * (-EINVAL: t is not an open recurring task).
 */
int recurring_report(struct store *s, const struct schedule *sch, struct task *t,
		     const struct actor *a, int64_t now, struct recurring_result *ret);

/*
 * Moves the due day of recurring task t to due (a deadline event by a,
 * saying which period was missed), cancelling what was queued for the old
 * one.  0, or -errno.
 */
int recurring_move(struct store *s, struct task *t, struct date due, const struct actor *a,
		   int64_t now);

/* How a period of a recurring task stands. */
enum period_state {
	PERIOD_ON_TIME,		/* reported by its reporting day */
	PERIOD_LATE,		/* reported after it (trễ hạn) */
	PERIOD_MISSED,		/* never reported, and the next one is asked (không báo cáo) */
	PERIOD_OVERDUE,		/* due now, its reporting day passed */
	PERIOD_OPEN,		/* due now, its reporting day still to come */
};

struct period_row {
	struct date period;	/* the reporting day */
	enum period_state state;
	int64_t reported_at;	/* 0 when not reported */
	int late_days;
};

/* "on_time", "late", "missed", "overdue", "open". */
const char *period_state_to_string(enum period_state st);
/* "đúng hạn", "trễ hạn", "không báo cáo", "quá hạn", "đang chờ báo cáo". */
const char *period_state_label(enum period_state st);

#define RECURRING_PERIODS_MAX 24	/* periods listed: the latest ones */

/*
 * The periods of recurring task t, from the first after it was created to
 * the one due today, at most RECURRING_PERIODS_MAX (the latest): the count
 * with a new array in *ret (free it), or -errno.
 */
int recurring_periods(struct store *s, const struct schedule *sch, const struct task *t,
		      struct date today, struct period_row **ret);

#endif
