/* SPDX-License-Identifier: MIT */
/*
 * Calendar days in the proleptic Gregorian calendar, without time zones.
 * A due date is a day, not an instant (DESIGN §3), so it is kept as a
 * struct date and stored as "YYYY-MM-DD".  Pure functions, no allocation.
 */
#ifndef DONDOC_DATE_H
#define DONDOC_DATE_H

#include <stdbool.h>
#include <stdint.h>

struct date {
	int y;		/* year, e.g. 2025 */
	int m;		/* month, 1..12 */
	int d;		/* day of month, 1..31 */
};

#define DATE_ISO_LEN 11	/* "YYYY-MM-DD" and its NUL */

/* True for leap years of the Gregorian calendar. */
bool date_is_leap(int y);
/* Days in month m of year y; 0 when m is out of 1..12. */
int date_days_in_month(int y, int m);
/* True when y-m-d names a real day and 1 <= y <= 9999. */
bool date_is_valid(int y, int m, int d);
/* Days since 1970-01-01 (negative before it); d must be valid. */
int64_t date_to_days(struct date d);
/* The day that is days after 1970-01-01. */
struct date date_from_days(int64_t days);
/* ISO weekday: 1 = Monday .. 7 = Sunday. */
int date_weekday(struct date d);
/* Writes "YYYY-MM-DD" into out. */
void date_format_iso(struct date d, char out[DATE_ISO_LEN]);
/* Parses exactly "YYYY-MM-DD"; 0, or -EINVAL when malformed or not a day. */
int date_parse_iso(const char *s, struct date *ret);
/* Compares two days like strcmp. */
int date_cmp(struct date a, struct date b);

#endif
