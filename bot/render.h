/* SPDX-License-Identifier: MIT */
/*
 * The words of dondoc's messages: subject and plain-text body of each
 * message kind, in Vietnamese with diacritics and in the register
 * officials expect ("Kính gửi đồng chí ...", dates as "ngày 30/9/2025").
 * Pure: no I/O.  Every returned string is new; free it.
 */
#ifndef DONDOC_RENDER_H
#define DONDOC_RENDER_H

#include <stddef.h>

#include "date.h"
#include "notice.h"

struct calendar;
struct person;
struct task;

/* One task in a message, and why it is there. */
struct render_item {
	const struct task *task;
	enum notice_stage stage;
	int step;		/* working days, or escalation level */
	struct date day;	/* the day the notice was for */
};

struct render_ctx {
	const struct person *to;
	const char *agency;	/* the person's agency name, NULL when unknown */
	struct date today;
	const struct calendar *cal;
};

/* Renders a message of kind listing items, into new *ret_subject and *ret_body. */
void render_message(enum message_kind kind, const struct render_ctx *ctx,
		    const struct render_item *items, size_t n, char **ret_subject, char **ret_body);

/* "30/9/2025": a day as officials write it, into out. */
void render_day(struct date d, char out[16]);

#endif
