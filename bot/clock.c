/* SPDX-License-Identifier: MIT */
/*
 * The program clock: wall time, or the instant pinned by DONDOC_NOW.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* Reads exactly n decimal digits at *p, advancing it; -1 when not digits. */
static int
digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char ch = (*p)[i];

		if (ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	*p += n;
	return v;
}

int
clock_parse_iso(const char *s, time_t *ret)
{
	const char *p = s;
	struct date d;
	int hh = 0, mm = 0, ss = 0, off = CLOCK_VN_OFFSET;
	char day[DATE_ISO_LEN];

	if (!s || strlen(s) < 10)
		return -EINVAL;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse_iso(day, &d) < 0)
		return -EINVAL;
	p += 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if ((hh = digits(&p, 2)) < 0 || *p++ != ':' || (mm = digits(&p, 2)) < 0)
			return -EINVAL;
		if (*p == ':') {
			p++;
			if ((ss = digits(&p, 2)) < 0)
				return -EINVAL;
			if (*p == '.' || *p == ',')	/* fractions are dropped */
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return -EINVAL;
		if (*p == 'Z' || *p == 'z') {
			off = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om;

			p++;
			if ((oh = digits(&p, 2)) < 0)
				return -EINVAL;
			if (*p == ':')
				p++;
			if ((om = digits(&p, 2)) < 0 || oh > 14 || om > 59)
				return -EINVAL;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -EINVAL;
	*ret = (time_t)(date_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss - off);
	return 0;
}

int
clock_init(struct clock *c)
{
	const char *env = getenv("DONDOC_NOW");
	time_t t;

	if (!env || !*env) {
		c->pinned = 0;
		c->fixed = 0;
		return 0;
	}
	if (clock_parse_iso(env, &t) < 0)
		return -EINVAL;
	c->pinned = 1;
	c->fixed = t;
	return 0;
}

time_t
clock_now(const struct clock *c)
{
	return c->pinned ? c->fixed : time(NULL);
}

struct date
clock_local_date(time_t t)
{
	int64_t local = (int64_t)t + CLOCK_VN_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);

	return date_from_days(days);
}

struct date
clock_today(const struct clock *c)
{
	return clock_local_date(clock_now(c));
}

void
clock_format_local(time_t t, char out[32])
{
	int64_t local = (int64_t)t + CLOCK_VN_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t sec = local - days * 86400;
	struct date d = date_from_days(days);

	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+07:00", d.y, d.m, d.d,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

int64_t
clock_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
