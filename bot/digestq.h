/* SPDX-License-Identifier: MIT */
/*
 * The digest through the outbox (issue 13; DESIGN §6, §9): made once per
 * period and queued, in one transaction, to each recipient as a message
 * of kind digest with its workbook stored beside it, so that a retry, a
 * restart or a crash sends the same bytes and never a second digest.
 *
 * Recipients: the active secretariat, the leaders who asked for it
 * (person set --digest yes) and the policy's [digest] to addresses.  A
 * person on email gets the whole digest and the workbook; a person on a
 * chat channel gets the headline in the chat form, and the email with
 * the workbook too when they have an address.
 */
#ifndef DONDOC_DIGESTQ_H
#define DONDOC_DIGESTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "date.h"

struct channels;
struct digest_query;
struct renderer;
struct schedule;
struct store;

/* One digest to queue; everything borrowed. */
struct digestq_job {
	const struct digest_query *q;
	/*
	 * Who: 0/NULL for the recipients above; person_id for that person
	 * alone (the email with the workbook, for "/baocao tongthe"); to_addr
	 * for that address alone (dondoc digest --send --to).
	 */
	int64_t person_id;
	const char *to_addr;
	/*
	 * The scheduled digest's day (its RRULE occurrence): queued at most
	 * once per key, ever; NULL for one asked for (sent each time).
	 */
	const struct date *key;
	/*
	 * When not NULL, the digest data already made for q (digest_data),
	 * used instead of making it again (a chat command that showed it).
	 */
	const json_t *data;
};

/* What digestq needs around it; all borrowed. */
struct digestq_env {
	const struct schedule *sch;
	const struct renderer *rend;
	struct channels *cs;
	const char *url;	/* [http] public_url; NULL: none */
	int64_t zalo_window;	/* digest_query.zalo_window */
};

/*
 * Builds the digest of job (digest.h, xlsx.h) and queues it.  0 with the
 * number of messages queued in *ret_queued; -EALREADY when job->key was
 * queued before (nothing queued); -ENOENT when nobody is reached (with a
 * new English message in *reterr_msg); -EPROTO, -errno otherwise, with a
 * message.  Nothing is queued unless everything is.
 */
int digestq_queue(struct store *s, const struct digestq_env *env, const struct digestq_job *job,
		  time_t now, size_t *ret_queued, char **reterr_msg);

/*
 * The period of a digest made today, in [*ret_from, *ret_to]: from the
 * day after the previous scheduled digest's end.  A scheduled one ends
 * yesterday (what happens on its day after it is made goes in the next
 * one; its figures are still as of today); one asked for (dondoc digest,
 * /baocao tongthe) ends today.  With no scheduled digest before, the 14
 * days ending there.  0, or -errno.
 */
int digestq_period(struct store *s, struct date today, bool scheduled, struct date *ret_from,
		   struct date *ret_to);

/*
 * The daemon's tick: when the latest digest day of the policy (the
 * [digest] RRULE from [digest] start, a holiday moved to the next
 * working day) has come and its digest was not queued, queues it, with
 * digestq_period's period.  1 when queued, 0 when nothing was due (or
 * nobody is reached: checked before anything is built), -errno when it
 * could not be.  A failure is logged once per digest day and tried
 * again an hour later.  A daemon down on the day queues it at its next
 * tick, once; a daemon down for several periods queues the latest only;
 * a day at or before the latest queued (the clock went back, the
 * schedule changed) is none.  The first digest ever goes on a digest
 * day itself (a new install catches up on none), and, when that fails,
 * until it is queued or the next digest day comes.  Once a day, the
 * workbooks of digests older than 90 days, all delivered, are dropped.
 */
int digestq_tick(struct store *s, const struct digestq_env *env, time_t now);

#endif
