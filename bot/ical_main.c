/* SPDX-License-Identifier: MIT */
/*
 * dondoc-ical: reads the iCalendar parts of the schedules with libical
 * and prints what they mean, for dondoc to read (expand.c).  It is a
 * process of its own so that the daemon never maps libical and the ICU
 * libraries it pulls in: they are 5.5 MB of resident memory, more than
 * half of the daemon's budget, for a few dates read at start and reload.
 *
 *   dondoc-ical DTSTART FROM UNTIL [--holidays FILE] [--rrule RULE]...
 *
 * prints, one per line:
 *
 *   off YYYY-MM-DD          a day off of the holiday file
 *   work YYYY-MM-DD         a Saturday (or Sunday) worked in exchange
 *   rrule N YYYY-MM-DD      an occurrence of the N-th RULE (from 0),
 *                           anchored at DTSTART: every one from FROM to
 *                           UNTIL, then the first after UNTIL if any
 *   end                     the output is complete
 *
 * or, when an input does not make sense, one line and exit status 1:
 *
 *   error holidays MESSAGE
 *   error rrule N MESSAGE
 *
 * Exit status 2 is a usage error, which is dondoc's bug.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "ical.h"
#include "xalloc.h"

#define MAX_RULES 16

static int
usage(void)
{
	fprintf(stderr, "usage: dondoc-ical DTSTART FROM UNTIL [--holidays FILE] "
			"[--rrule RULE]...\n");
	return 2;
}

/* Prints one line of the error protocol; the message stays on one line. */
static int
error_line(const char *what, int n, const char *msg)
{
	char *m = xstrdup(msg), *p;

	for (p = m; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (n < 0)
		printf("error %s %s\n", what, m);
	else
		printf("error %s %d %s\n", what, n, m);
	free(m);
	return fflush(stdout) == 0 ? 1 : 3;
}

static int
print_day(struct date d, bool work, void *userdata)
{
	char iso[DATE_ISO_LEN];

	(void)userdata;
	date_format_iso(d, iso);
	printf("%s %s\n", work ? "work" : "off", iso);
	return 0;
}

/* Every occurrence of rule from..until, then the first after until. */
static int
print_rrule(int n, const char *rule, struct date dtstart, struct date from, struct date until)
{
	struct date d;
	char iso[DATE_ISO_LEN], *msg = NULL;
	int r;

	r = ical_rrule_check(rule, &msg);
	if (r < 0) {
		r = error_line("rrule", n, msg);
		free(msg);
		return r;
	}
	while ((r = ical_rrule_next(rule, dtstart, from, &d)) == 0) {
		date_format_iso(d, iso);
		printf("rrule %d %s\n", n, iso);
		if (date_cmp(d, until) > 0)
			break;
		from = date_from_days(date_to_days(d) + 1);
	}
	if (r < 0 && r != -ENOENT)
		return error_line("rrule", n, "cannot be expanded");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *holidays = NULL, *rules[MAX_RULES];
	struct date dtstart, from, until;
	char *msg = NULL;
	int n_rules = 0, r;

	if (argc < 4 || date_parse_iso(argv[1], &dtstart) < 0 ||
	    date_parse_iso(argv[2], &from) < 0 || date_parse_iso(argv[3], &until) < 0 ||
	    date_cmp(from, until) > 0)
		return usage();
	for (int i = 4; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--holidays") == 0 && !holidays)
			holidays = argv[i + 1];
		else if (strcmp(argv[i], "--rrule") == 0 && n_rules < MAX_RULES)
			rules[n_rules++] = argv[i + 1];
		else
			return usage();
	}
	if (holidays) {
		r = ical_read_holidays(holidays, print_day, NULL, &msg);
		if (r < 0) {
			r = error_line("holidays", -1, msg);
			free(msg);
			return r;
		}
	}
	for (int i = 0; i < n_rules; i++) {
		r = print_rrule(i, rules[i], dtstart, from, until);
		if (r)
			return r;
	}
	printf("end\n");
	/* A full pipe or a closed reader: dondoc sees no "end" and says so. */
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 3;
}
