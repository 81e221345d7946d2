/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher decides how and when (DESIGN §6): it groups a person's
 * queued notices into one message per channel, renders it, and delivers
 * the outbox through the channels.  States and transitions: notice.h.
 *
 * Invariants it keeps:
 *  2/3. A message is claimed (pending -> sending, by this instance,
 *       with a lease of DISPATCH_LEASE_S) and committed before the
 *       channel is called, and its outcome committed as soon as the
 *       channel knows it (email: after each DATA); a crash in between
 *       leaves it sending, and the restart sends it again: at most the
 *       messages in flight are duplicated, none is lost.  A claim whose
 *       lease ended (its process died, or could not record the outcome),
 *       or whose instance is known gone, is void: the daemon's tick makes
 *       it pending again (dispatch_recover).  Several instances on one
 *       registry claim in one statement each, never the same message,
 *       and never take a live instance's claims.
 *  11.  No task is lost to size: a list of more than DISPATCH_MAX_TASKS
 *       tasks, or one whose message would pass the renderer's cap, goes
 *       in parts split between tasks ("phần 2/10"), email included.
 *  And isolation: each person's messages are composed in a savepoint of
 *       their own; one person's failure undoes theirs alone, is counted
 *       (rep->failed), and is logged and told to the secretariat once,
 *       not every tick; the others' go on.
 *  6.   Proactive messages go out only inside the sending window: working
 *       days, from the policy's send time (08:00) to the end of working
 *       hours; what falls outside waits for the next window.
 *  7.   Transient failures back off (1 min doubling to 1 h, with jitter,
 *       or the channel's retry-after); permanent ones, or 12 failed tries,
 *       make the message dead and tell the secretariat.
 *  9.   One reminder message per person per day, every due task in it
 *       (in parts when the list is long);
 *       only each task's latest notice is kept (the others are cancelled
 *       as superseded); days missed while dondoc was down become one
 *       catch-up message.  Escalations are separate and not counted.
 *  And the secretariat's daily message: the notices of missing roles and
 *       obstacles (STAGE_MISSING_FOCAL, _HEAD, STAGE_OBSTACLE) make one
 *       MESSAGE_DAILY per person per day (template secretariat_daily);
 *       those that come after it wait for the next day's, and what was
 *       put right since (a role filled, an obstacle handled) is left out.
 */
#ifndef DONDOC_DISPATCH_H
#define DONDOC_DISPATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "date.h"

#include "channel.h"

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
	/*
	 * Where outcomes the registry refused are kept, to be recorded by a
	 * later call before anything else (NULL: none kept; such a message
	 * then goes again when its claim's lease ends).  The caller's, across
	 * calls; dispatch_owed_release frees it.
	 */
	struct dispatch_owed *owed;
	/*
	 * The chat channels that take commands and are open, by name, and
	 * Telegram's bot username (NULL: unknown): reminders to people with
	 * no chat linked say how to link one (render_ctx.chats, .bot).
	 */
	const char *const *chats;
	size_t n_chats;
	const char *bot;
};

/*
 * Outcomes known and not yet recorded: sent, but the registry refused to
 * say so; or claimed and never tried, and the registry refused to put
 * them back (untried).
 */
struct dispatch_owed {
	struct dispatch_owed_one {
		int64_t id;		/* the message, still "sending" */
		int64_t next_at;	/* its next_at before the claim */
		char *chat_id;		/* the chat message it became, or NULL */
		enum delivery d;
		int retry_after;
		char *err;
		bool untried;		/* to be pending again as it was, d unused */
	} *v;
	size_t n, cap;
};

void dispatch_owed_release(struct dispatch_owed *o);

#define DISPATCH_MAX_ATTEMPTS 12
#define DISPATCH_BATCH 50	/* messages sent together (one SMTP session) */
#define DISPATCH_MAX_TASKS 200	/* tasks in one message; a longer list goes in parts */
/*
 * How long a claim holds (seconds of the program clock, kept in the
 * message's lease_until): longer than any batch takes, timeouts included.
 */
#define DISPATCH_LEASE_S 900

struct dispatch_report {
	size_t composed;	/* messages made */
	size_t held;		/* notices kept for the next window or day */
	size_t superseded;	/* notices replaced by a later one of the same task */
	size_t sent;
	size_t retried;
	size_t dead;
	size_t failed;		/* people whose messages could not be composed */
	size_t recovered;	/* claims found void, made pending again */
	bool more;		/* deliver stopped with messages still due (budget, stop) */
};

/* True when now falls inside a sending window of sch. */
bool dispatch_in_window(const struct schedule *sch, time_t now);
/* The first moment at or after now when a sending window is open. */
time_t dispatch_next_window(const struct schedule *sch, time_t now);

/*
 * Groups and renders the queued notices into messages (one transaction,
 * a savepoint per person).  -errno only when the registry fails.
 */
int dispatch_compose(struct store *s, const struct dispatch_env *env, time_t now,
		     struct dispatch_report *rep);
/*
 * Delivers every pending message that is due, stopping early (with work
 * left safely pending, and rep->more set) when *stop becomes non-zero or
 * env->budget_ms is spent.  0, or -errno for a registry error.
 */
int dispatch_deliver(struct store *s, const struct dispatch_env *env, const struct clock *clk,
		     volatile sig_atomic_t *stop, struct dispatch_report *rep);
/*
 * Records the outcomes env->owed keeps, then makes pending again the
 * messages left sending whose lease ended by now, or whose instance is
 * known gone (instance.h) (counted in rep->recovered, and logged); while
 * an owed outcome cannot be recorded, nothing is recovered.  0, or -errno.
 * Another live instance's claims are never taken.
 */
int dispatch_recover(struct store *s, const struct dispatch_env *env, time_t now,
		     struct dispatch_report *rep);
/*
 * At start: the same, and the claims made before claims had owners
 * (schema 16), counted in *ret_n.  0, or -errno.
 */
int dispatch_recover_start(struct store *s, time_t now, int *ret_n);

#endif
