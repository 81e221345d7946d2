/* SPDX-License-Identifier: MIT */
/*
 * The iCalendar parts of the schedules (the holiday file, the RRULEs),
 * read by the dondoc-ical helper in a short-lived child process: dondoc
 * itself never maps libical, nor the ICU libraries libical pulls in.
 * See ical_main.c for the protocol.
 *
 * The helper is looked for beside the running executable (bot/dondoc and
 * bot/dondoc-ical; an install's bin/ when both were put there), then in
 * DONDOC_LIBEXECDIR, where "make install" puts it.
 */
#ifndef DONDOC_EXPAND_H
#define DONDOC_EXPAND_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"

#define EXPAND_MAX_RULES 8
#define EXPAND_TIMEOUT_MS 10000	/* a helper that takes longer is stuck */

/* One day of the holiday file. */
struct expand_day {
	struct date d;
	bool work;	/* a swapped working day, not a day off */
};

/* The occurrences of one RRULE from..until, then the first after until. */
struct expand_occ {
	struct date *v;
	size_t n;
};

struct expansion {
	struct expand_day *days;
	size_t n_days;
	struct expand_occ occ[EXPAND_MAX_RULES];
	size_t n_rules;
};

/* Which input an error is about. */
enum expand_culprit {
	EXPAND_HELPER = -2,	/* the helper itself: missing, crashed, stuck */
	EXPAND_HOLIDAYS = -1,
	/* 0.. : the rule of that index */
};

/*
 * Runs the helper over holidays (NULL for none) and rules[0..n_rules)
 * anchored at dtstart, for occurrences from..until.  0 with *ret filled
 * (release with expand_release), or a negative errno with a new English
 * message in *reterr_msg and *ret_culprit saying which input it is about.
 */
int expand_run(const char *holidays, const char *const *rules, size_t n_rules,
	       struct date dtstart, struct date from, struct date until,
	       struct expansion *ret, int *ret_culprit, char **reterr_msg);
void expand_release(struct expansion *e);
/* The helper's path as it would be run, or NULL; a new string. */
char *expand_helper_path(void);

#endif
