/* SPDX-License-Identifier: MIT */
/*
 * The reminder policy (DESIGN §5), as an administrator writes it in
 * schedules/: policy.ini (read with libinih) names the offsets, the
 * overdue nags, the escalation ladder, the working hours and the
 * periodic RRULEs; the holiday calendar is an .ics file beside it.
 *
 * A schedule is immutable once loaded; SIGHUP loads a new one and swaps
 * it in only if it loaded cleanly.
 */
#ifndef DONDOC_SCHEDULE_H
#define DONDOC_SCHEDULE_H

#include <stdbool.h>

#include "date.h"
#include "deadline.h"

struct calendar;

#define SCHEDULE_MAX_OFFSETS 8	/* reminders before a due date, per precision */
#define SCHEDULE_MAX_LEVELS 4	/* escalation levels */
#define SCHEDULE_MAX_WORKDAYS 250	/* no offset or level beyond about a year */

struct schedule {
	/*
	 * Reminders before the due day, in working days, largest first, for
	 * DEADLINE_DAY .. DEADLINE_YEAR (recurring/external/unknown have none).
	 */
	int before[DEADLINE_YEAR + 1][SCHEDULE_MAX_OFFSETS];
	int n_before[DEADLINE_YEAR + 1];
	int nag_first;		/* first nag, working days after the due day (1) */
	int nag_every;		/* then every this many working days (3) */
	int levels[SCHEDULE_MAX_LEVELS];	/* escalation level i+1 at levels[i] working days overdue */
	int n_levels;
	int work_start;		/* minutes after midnight local time (07:30 = 450) */
	int work_end;		/* (17:30 = 1050) */
	int send_at;		/* a day's messages go out at this minute (08:00 = 480) */
	unsigned weekdays;	/* worked weekdays, bit (w - 1) for ISO weekday w */
	struct calendar *cal;	/* weekdays, holidays and swapped days; owned */
	char *recurring_rrule;	/* reporting days of recurring tasks ("FREQ=MONTHLY;BYMONTHDAY=20") */
	int recurring_before[SCHEDULE_MAX_OFFSETS];	/* working days before each reporting day */
	int n_recurring_before;
	char *needs_date_rrule;	/* when the secretariat gets the "needs a date" list */
	char *digest_rrule;	/* the biweekly digest (used by the digest) */
	char *policy_path;	/* the files it came from, for messages */
	char *holidays_path;
};

/*
 * Loads dir/policy.ini and the holiday file it names (default
 * dir/holidays-vn.ics).  Returns 0 with a new schedule (free with
 * schedule_free), or a negative errno with a new English message in
 * *reterr_msg naming the file and line ("policy.ini:12: offset '-3' is
 * negative").  Missing keys take the defaults documented in policy.ini.
 */
int schedule_load(const char *dir, struct schedule **ret, char **reterr_msg);
/* Frees s; NULL-safe; returns NULL. */
struct schedule *schedule_free(struct schedule *s);
/* Returns a new schedule with the built-in defaults and no holidays. */
struct schedule *schedule_new_default(void);

#endif
