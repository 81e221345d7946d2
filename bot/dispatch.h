/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher decides how and when (DESIGN §6): it groups a person's
 * queued notices into one message per channel, renders it, and delivers
 * the outbox through the channels.  States and transitions: notice.h.
 *
 * Invariants it keeps:
 *  2/3. A message is claimed (pending -> sending) and committed before the
 *       channel is called, and marked sent after; a crash in between
 *       leaves it sending, and the restart sends it again: at most the
 *       messages in flight are duplicated, none is lost.
 *  6.   Proactive messages go out only inside the sending window: working
 *       days, from the policy's send time (08:00) to the end of working
 *       hours; what falls outside waits for the next window.
 *  7.   Transient failures back off (1 min doubling to 1 h, with jitter,
 *       or the channel's retry-after); permanent ones, or 12 failed tries,
 *       make the message dead and tell the secretariat.
 *  9.   One reminder message per person per day, every due task in it;
 *       only each task's latest notice is kept (the others are cancelled
 *       as superseded); days missed while dondoc was down become one
 *       catch-up message.  Escalations are separate and not counted.
 */
#ifndef DONDOC_DISPATCH_H
#define DONDOC_DISPATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "date.h"

struct store;
struct schedule;
struct channels;
struct clock;
struct renderer;

/* What the dispatcher works with; all borrowed. */
struct dispatch_env {
	const struct schedule *sch;
	const struct renderer *rend;
	struct channels *cs;
	bool has_last_day;	/* set by dispatch_compose: */
	struct date last_day;	/* the last day messages were composed */
	/*
	 * dispatch_deliver starts no message after this many milliseconds
	 * (0: no limit) and says more are due (rep->more): a chat channel
	 * paced at 20 a second would otherwise hold the caller for minutes.
	 */
	int budget_ms;
};

#define DISPATCH_MAX_ATTEMPTS 12
#define DISPATCH_BATCH 50	/* messages sent together (one SMTP session) */

struct dispatch_report {
	size_t composed;	/* messages made */
	size_t held;		/* notices kept for the next window or day */
	size_t superseded;	/* notices replaced by a later one of the same task */
	size_t sent;
	size_t retried;
	size_t dead;
	bool more;		/* deliver stopped with messages still due (budget, stop) */
};

/* True when now falls inside a sending window of sch. */
bool dispatch_in_window(const struct schedule *sch, time_t now);
/* The first moment at or after now when a sending window is open. */
time_t dispatch_next_window(const struct schedule *sch, time_t now);

/* Groups and renders the queued notices into messages (one transaction). */
int dispatch_compose(struct store *s, const struct dispatch_env *env, time_t now,
		     struct dispatch_report *rep);
/*
 * Delivers every pending message that is due, stopping early (with work
 * left safely pending, and rep->more set) when *stop becomes non-zero or
 * env->budget_ms is spent.  0, or -errno for a registry error.
 */
int dispatch_deliver(struct store *s, const struct dispatch_env *env, const struct clock *clk,
		     volatile sig_atomic_t *stop, struct dispatch_report *rep);

#endif
