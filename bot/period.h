/* SPDX-License-Identifier: MIT */
/*
 * The periods of a recurring task (DESIGN §4): when each one ends (its
 * reporting day, ngày báo cáo), from when it is asked, what it is called.
 *
 * A period ends on a reporting day.  "Thường xuyên" (EVERY_POLICY, and a
 * recurring task stored before it had a period) follows the policy's
 * [recurring] rrule; the others end on day every_day (0: the policy's
 * [recurring] day) of the last month of each period counted from
 * January: every month, March/June/September/December, June/December,
 * December; a day the month lacks is its last day.
 *
 * A period is asked from its first reminder: the reporting day (moved
 * back to a working day) less the largest [recurring] before offset, in
 * working days.  The period asked on day d is the latest one already
 * asked on d; periods whose reporting day comes before the task existed
 * do not count.  Pure: the schedule and the dates in, a date out.
 */
#ifndef DONDOC_PERIOD_H
#define DONDOC_PERIOD_H

#include <stdbool.h>

#include "date.h"
#include "deadline.h"

struct schedule;

#define PERIOD_LABEL_LEN 48

/*
 * The first reporting day of dl on or after from: 0 with *ret, -ENOENT
 * when none (past 2200), -ERANGE when the policy's reporting days are not
 * known that far (reload the schedules), -EINVAL when dl is not recurring.
 */
int period_next(const struct schedule *sch, const struct deadline *dl, struct date from,
		struct date *ret);
/* The last reporting day of dl before (strictly) day; errors as period_next. */
int period_prev(const struct schedule *sch, const struct deadline *dl, struct date day,
		struct date *ret);
/* The day period rd (a reporting day) is first asked: its first reminder. */
struct date period_ask_day(const struct schedule *sch, struct date rd);
/* The reporting day of the latest period of dl asked on today; errors as period_next. */
int period_asked(const struct schedule *sch, const struct deadline *dl, struct date today,
		 struct date *ret);
/*
 * The period due on today for a task created on created: the one asked
 * today, or the first one ending on or after created when that is later
 * (a task counts no period from before it existed).  Errors as period_next.
 */
int period_current(const struct schedule *sch, const struct deadline *dl, struct date created,
		   struct date today, struct date *ret);
/*
 * How late a report made on day is for period rd: the working days after
 * rd up to day, 0 when on time (a report on the Sunday after a Saturday
 * reporting day has lost no working day).
 */
int period_late_workdays(const struct schedule *sch, struct date rd, struct date day);
/*
 * What officials call period rd of dl, in Vietnamese, into out: "tháng
 * 10/2025", "quý IV/2025", "6 tháng đầu năm 2026", "năm 2025", and the
 * reporting day itself ("20/10/2025") for the policy's calendar.
 */
const char *period_label(const struct deadline *dl, struct date rd, char out[PERIOD_LABEL_LEN]);
/* The period kind of dl: EVERY_POLICY for a recurring task stored without one. */
enum deadline_every period_every(const struct deadline *dl);

#endif
