/* SPDX-License-Identifier: MIT */
/*
 * The one clock of the program (DESIGN §5).  Every command and the daemon
 * read the time through it; DONDOC_NOW (ISO 8601) pins it, so tests can
 * travel in time.  Local time is Asia/Ho_Chi_Minh whatever TZ says: Viet
 * Nam has kept UTC+07:00 without daylight saving since 1975, so the
 * conversion is a fixed offset and never consults the machine's zone.
 */
#ifndef DONDOC_CLOCK_H
#define DONDOC_CLOCK_H

#include <time.h>
#include "date.h"

#define CLOCK_VN_OFFSET (7 * 3600)	/* Asia/Ho_Chi_Minh, seconds east of UTC */

struct clock {
	time_t fixed;	/* the pinned instant, valid when pinned is set */
	int pinned;	/* 1 when DONDOC_NOW gave the time */
};

/*
 * Reads DONDOC_NOW into c.  Accepted: "YYYY-MM-DD", "YYYY-MM-DDThh:mm",
 * "YYYY-MM-DDThh:mm:ss", with "T" or a space, optionally followed by "Z"
 * or an offset "+hh:mm"/"+hhmm"; without an offset the time is taken as
 * Asia/Ho_Chi_Minh.  Returns 0, or -EINVAL (c left unchanged) when
 * DONDOC_NOW is set but malformed.
 */
int clock_init(struct clock *c);
/* Parses an ISO 8601 instant as clock_init does; 0 or -EINVAL. */
int clock_parse_iso(const char *s, time_t *ret);
/* The current instant, in seconds since the epoch. */
time_t clock_now(const struct clock *c);
/* The local (Asia/Ho_Chi_Minh) calendar day of instant t. */
struct date clock_local_date(time_t t);
/* Today in Asia/Ho_Chi_Minh. */
struct date clock_today(const struct clock *c);
/* Milliseconds of the monotonic clock, for timeouts and pacing (never DONDOC_NOW). */
int64_t clock_mono_ms(void);
/* Writes instant t as local ISO 8601 "YYYY-MM-DDThh:mm:ss+07:00". */
void clock_format_local(time_t t, char out[32]);

#endif
