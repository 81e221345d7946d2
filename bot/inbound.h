/* SPDX-License-Identifier: MIT */
/*
 * What a chat sent, handled whole (DESIGN §7, invariant 4): in one
 * transaction, the update is recorded as handled (so that the same
 * update_id is never handled twice), the command runs (command.h), and
 * its answers are rendered and queued in the outbox; only then does the
 * transport acknowledge the update.  Answers go out at once, whatever
 * the hour (invariant 6 holds them for nothing).
 */
#ifndef DONDOC_INBOUND_H
#define DONDOC_INBOUND_H

#include <stdbool.h>
#include <stdint.h>

#include "command.h"

struct channels;
struct clock;
struct renderer;
struct schedule;
struct store;

struct inbound_env {
	struct store *s;
	const struct clock *clk;	/* for transports that make their command_in */
	const struct renderer *rend;
	const struct schedule *sch;
	const struct channels *cs;
	const char *bot_username;	/* without "@"; NULL when unknown */
	const char *url;	/* [http] public_url, for a command's links; NULL: none */
	bool queue_reply;	/* queue the sender's answer (false: the caller shows it) */
	/*
	 * The caller holds the transaction (group commit): the update is a
	 * savepoint of it, and counting it is the caller's, once committed.
	 */
	bool in_txn;
	/* Called with the command of each update committed (for /metrics); may be NULL. */
	void (*count)(void *userdata, const char *command);
	void *count_userdata;
};

struct inbound_result {
	bool duplicate;		/* handled before: nothing was done again */
	const char *command;	/* what it was ("xong", "unknown", ...), static */
	bool changed;		/* the registry changed */
	bool refused;
	int64_t person_id;	/* the sender; 0 when not linked */
	/* Their address on the channel was refused (broken) when the command began. */
	bool sender_refused;
	int64_t reply_id;	/* the answer queued in the outbox; 0 when none */
	char *chat;		/* the answer's chat form (always, when there is one) */
	char *text;		/* its plain text form */
	char *toast;		/* one line for a pressed button (the answer's subject) */
	bool direct;		/* the answer is for a chat linked to no one: send it at once */
	int64_t refresh;	/* an outbox message whose buttons to redraw; 0 */
	size_t n_others;	/* messages queued for other people */
};

void inbound_result_release(struct inbound_result *r);

/*
 * True when r is the environment's failure, not the update's: the
 * registry busy or locked, the disk full or failing, a file unwritable.
 * The same update may then work later, so it is not acknowledged.
 */
bool inbound_transient(int r);

/*
 * Handles in.  update_id (< 0: none) is recorded under in->channel;
 * chat_message_id (0: none) is the sender's message, which a queued
 * answer replies to.  0 with *ret, or -errno with nothing changed (the
 * caller does not acknowledge, and the update comes again).  Only a
 * transient failure (inbound_transient) is returned: any other (an
 * answer that cannot be rendered, a row the registry refuses) is undone,
 * the update recorded as handled all the same and answered with a short
 * generic Vietnamese error (command "failed", refused), so that one update
 * never blocks the queue.  With env->in_txn, "changed" and "nothing
 * changed" are within the caller's transaction, which commits (or not)
 * many updates at once.
 */
int inbound_handle(const struct inbound_env *env, const struct command_in *in,
		   int64_t update_id, int64_t chat_message_id, struct inbound_result *ret);

/*
 * Renders and queues in the outbox the n messages msgs (command_msg, as
 * command_run or extension.c make them) for a change made outside chat,
 * e.g. the CLI: each person on their first channel, as kind reply, dated
 * in->now.  The caller holds the transaction.  0 with *ret_n queued (a
 * person with no channel is logged and skipped), or -errno.
 */
int inbound_queue(const struct inbound_env *env, const struct command_in *in,
		  const struct command_msg *msgs, size_t n, size_t *ret_n);

#endif
