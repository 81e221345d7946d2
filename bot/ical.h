/* SPDX-License-Identifier: MIT */
/*
 * libical, wrapped: the only module that includes <libical/ical.h> for
 * reading schedules.  Dates here are all-day dates in Asia/Ho_Chi_Minh.
 *
 * Only the dondoc-ical helper (ical_main.c) and the tests link it; dondoc
 * itself reads the schedules through that helper (expand.h), so that the
 * daemon never maps libical and ICU.
 */
#ifndef DONDOC_ICAL_H
#define DONDOC_ICAL_H

#include <stdbool.h>

#include "date.h"

struct calendar;

/*
 * Reads a holiday calendar: each VEVENT is an all-day range (DTSTART,
 * DTEND exclusive; a lone DTSTART is one day).  Events whose CATEGORIES
 * include WORKDAY (a Saturday worked in exchange for a day off) add
 * working days; all others add days off.  0, or a negative errno with a
 * new message in *reterr_msg naming the file (and the event's UID or
 * SUMMARY) that could not be understood.
 */
int ical_load_holidays(const char *path, struct calendar *cal, char **reterr_msg);
/*
 * The same, giving each day of the file to cb (work: a swapped working
 * day) once the whole file has read cleanly; a negative return from cb
 * stops and fails the read.
 */
typedef int (*ical_day_cb)(struct date d, bool work, void *userdata);
int ical_read_holidays(const char *path, ical_day_cb cb, void *userdata, char **reterr_msg);

/* 0 when rrule (the value of an RRULE, "FREQ=MONTHLY;BYMONTHDAY=20") parses; else -EINVAL with a message. */
int ical_rrule_check(const char *rrule, char **reterr_msg);

/*
 * The first occurrence of rrule, anchored at dtstart, that falls on or
 * after from.  0 with *ret, -ENOENT when none before the year 2200,
 * -EINVAL when rrule does not parse.
 */
int ical_rrule_next(const char *rrule, struct date dtstart, struct date from, struct date *ret);

#endif
