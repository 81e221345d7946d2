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
#define SCHEDULE_RRULE_ANCHOR ((struct date){ 2025, 1, 1 })	/* DTSTART of the RRULEs */
/* Indicators report each quarter, on the 20th of its last month. */
#define SCHEDULE_ASSESSMENT_DEFAULT "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20"

enum schedule_rule {
	SCHEDULE_RECURRING,	/* reporting days of recurring tasks */
	SCHEDULE_NEEDS_DATE,	/* the secretariat's "needs a date" list */
	SCHEDULE_DIGEST,	/* the biweekly digest */
	SCHEDULE_ASSESSMENT,	/* reporting days of indicators: asked for a new assessment */
	_SCHEDULE_RULE_MAX,
};

/*
 * What the escalation ladder counts from ([escalation] from).  A task
 * already late when dondoc first plans it (an old plan imported, dondoc
 * started late) would otherwise escalate on its first day, before anyone
 * was reminded.
 */
enum escalation_from {
	ESCALATION_FROM_FIRST_NOTICE,	/* the later of the due day and the first reminder sent (default) */
	ESCALATION_FROM_DUE,		/* the due day, whatever was sent (the strict rule) */
};

/* The occurrences of one RRULE over the window, then the first after it. */
struct schedule_occ {
	struct date *v;
	size_t n;
};

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
	enum escalation_from escalation_from;	/* levels count from ... */
	int work_start;		/* minutes after midnight local time (07:30 = 450) */
	int work_end;		/* (17:30 = 1050) */
	int send_at;		/* a day's messages go out at this minute (08:00 = 480) */
	unsigned weekdays;	/* worked weekdays, bit (w - 1) for ISO weekday w */
	struct calendar *cal;	/* weekdays, holidays and swapped days; owned */
	char *recurring_rrule;	/* reporting days of recurring tasks ("FREQ=MONTHLY;BYMONTHDAY=20") */
	int recurring_before[SCHEDULE_MAX_OFFSETS];	/* working days before each reporting day */
	int n_recurring_before;
	int recurring_day;	/* the reporting day of "Hằng quý" and the like that name none (20) */
	char *needs_date_rrule;	/* when the secretariat gets the "needs a date" list */
	char *digest_rrule;	/* the biweekly digest (digestq.h) */
	/*
	 * [digest] start: the first digest day, the DTSTART that anchors
	 * "every second" of digest_rrule; y == 0 when not set (then
	 * SCHEDULE_RRULE_ANCHOR, as for the other rules).
	 */
	struct date digest_start;
	char **digest_to;	/* [digest] to: addresses that get the digest, checked */
	size_t n_digest_to;
	int report_cutoff_day;	/* [report] cutoff_day: 0, or 1..28 (span.h) */
	char *assessment_rrule;	/* indicators' reporting days ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20") */
	int assessment_before[SCHEDULE_MAX_OFFSETS];	/* working days before each of them */
	int n_assessment_before;
	char *policy_path;	/* the files it came from, for messages */
	char *holidays_path;
	struct schedule_occ occ[_SCHEDULE_RULE_MAX];
	struct date loaded_for;	/* the day the window is around */
	struct date span_from, span_until;	/* occurrences are known from..until */
};

/*
 * Loads dir/policy.ini and the holiday file it names (default
 * dir/holidays-vn.ics), with RRULE occurrences around today.  Returns 0
 * with a new schedule (free with schedule_free), or a negative errno
 * with a new English message in *reterr_msg naming the file and line
 * ("policy.ini:12: offset '-3' is negative").  Missing keys take the
 * defaults documented in policy.ini.
 */
int schedule_load(const char *dir, struct date today, struct schedule **ret, char **reterr_msg);
/* Frees s; NULL-safe; returns NULL. */
struct schedule *schedule_free(struct schedule *s);
/*
 * Returns a new schedule with the built-in defaults, no holidays and no
 * RRULE occurrences known (schedule_next says -ERANGE).
 */
struct schedule *schedule_new_default(void);
/*
 * The first occurrence of rule on or after from: 0 with *ret; -ENOENT
 * when there is none (before the year 2200); -ERANGE when from is
 * outside what the schedule knows (reload it).
 */
int schedule_next(const struct schedule *s, enum schedule_rule rule, struct date from,
		  struct date *ret);
/*
 * The latest occurrence of rule on or before day, looking back to the
 * start of the window: 0 with *ret, -ENOENT when none, -ERANGE when day
 * is past what the schedule knows.
 */
int schedule_prev(const struct schedule *s, enum schedule_rule rule, struct date day,
		  struct date *ret);
/*
 * The latest digest day on or before today: the latest occurrence of
 * SCHEDULE_DIGEST (*ret_key, what makes it once per period) whose day,
 * moved to the next working day when it is not one (*ret_day), has
 * come.  0, -ENOENT when none, -ERANGE as schedule_prev.
 */
int schedule_digest_day(const struct schedule *s, struct date today, struct date *ret_key,
			struct date *ret_day);
/*
 * True when the schedule should be loaded again for today: a year has
 * gone by since it was loaded (or the clock went back before that day).
 */
bool schedule_stale(const struct schedule *s, struct date today);

#endif
