/* SPDX-License-Identifier: MIT */
/*
 * The set of channels this configuration has, and which one reaches a
 * person first.  With nothing configured, the file channel reaches
 * everyone (DESIGN §6), so a newcomer sees reminders at once.
 */
#ifndef DONDOC_CHANNELS_H
#define DONDOC_CHANNELS_H

#include <stdbool.h>
#include <stdint.h>

#include "channel.h"

struct config;
struct person;
struct channels;

struct store;

/* Opens every configured channel; 0 with a new set, or -errno with a new message. */
int channels_open(const struct config *cfg, struct channels **ret, char **reterr_msg);
/*
 * The same from the channels ops[0..n) (borrowed; they outlive the set):
 * each that is configured, ordered by channel_ops.order.  Tests open
 * channels of their own with it.
 */
int channels_open_from(const struct config *cfg, const struct channel_ops *const *ops, size_t n,
		       struct channels **ret, char **reterr_msg);
/*
 * Lends s to each open channel that keeps durable state of its own
 * (channel_ops.use_store), until it is closed or lent another; NULL-safe.
 */
void channels_use_store(struct channels *cs, struct store *s);
/*
 * Gives each open channel that can cut a send short (channel_ops.set_abort)
 * abort_cb: once it has returned true for half a second (an answer on its
 * way is still read), the send under way ends, DELIVERY_STOPPED.  It may
 * be called on any thread that uses a channel's client.  NULL-safe.
 */
void channels_set_abort(struct channels *cs, bool (*abort_cb)(void *userdata), void *userdata);
/* Closes them; NULL-safe; returns NULL. */
struct channels *channels_free(struct channels *cs);
/*
 * The name of the first channel that reaches p (channel_ops.reaches), in
 * their order (channel_ops.order: Telegram, Zalo, email, file), leaving
 * out those that only wake their reader up (channel_ops.wake_up); NULL
 * when none does.  Borrowed, static.
 */
const char *channels_pick(const struct channels *cs, const struct person *p);
/* The same for a message about tasks (reminder, escalation, catch-up): a wake-up may carry it. */
const char *channels_pick_reminder(const struct channels *cs, const struct person *p);
/* channels_pick, but never the channel named not (NULL: any). */
const char *channels_pick_other(const struct channels *cs, const struct person *p,
				const char *not);
/*
 * The first channel after the one called after that reaches p (any, when
 * after is not open): where a message refused for good goes next, so
 * that falling back ends; a wake-up only when reminder says the message
 * is about tasks.  NULL when none.
 */
const char *channels_pick_after(const struct channels *cs, const struct person *p,
				const char *after, bool reminder);
/*
 * The first open channel (in their order, before any that reaches p)
 * that p has an address on that works (channel_ops.address; or refused,
 * when the channel has a window: Zalo marks a window's refusal so) but
 * that does not reach p now (channel_ops.reaches: Zalo out of its
 * interaction window): its label (label_vi, else its name; borrowed,
 * static), NULL when none.  A message then goes on a later channel and
 * tells them how to reopen it.  *ret_window (when not NULL) gets that
 * channel's window in seconds (channel_ops.window; 0: unknown).
 */
const char *channels_closed(const struct channels *cs, const struct person *p,
			    int64_t *ret_window);
/* The open channel called name (borrowed, static); NULL when none is. */
const struct channel_ops *channels_ops(const struct channels *cs, const char *name);
/* Names of the open channels, preferred first, for reports ("email, file"); new string. */
char *channels_describe(const struct channels *cs);
/* The Vietnamese name of the channel called name, opened or not (name itself if unknown; "" for NULL). */
const char *channels_label_vi(const char *name);
/*
 * Checks each open channel, calling cb(name, r, message) for each (r < 0:
 * unreachable).  Returns how many failed.
 */
int channels_check(struct channels *cs, void (*cb)(const char *name, int r, const char *msg,
						   void *userdata), void *userdata);
/* True when the channel called name sends several messages at once (email). */
bool channels_batches(const struct channels *cs, const char *name);
/* True when the channel called name carries the HTML form of a message (email; channel_ops.html). */
bool channels_takes_html(const struct channels *cs, const char *name);
/* True when the channel called name sends a short chat form (Telegram, Zalo; channel_ops.form). */
bool channels_is_chat(const struct channels *cs, const char *name);
/* The first channel that carries the HTML form and reaches p (email); NULL when none. */
const char *channels_pick_html(const struct channels *cs, const struct person *p);
/* True when a channel called name is open. */
bool channels_has(const struct channels *cs, const char *name);
/*
 * Sends ms[0..n) through the channel called name, together when the
 * channel can (one session), else one by one; done is told each outcome
 * as soon as it is known (channel_outcome_fn), exactly once each; after
 * a DELIVERY_STOPPED, the rest are not tried and are told STOPPED too.
 */
void channels_send_batch(struct channels *cs, const char *name, const struct outgoing *ms,
			 size_t n, channel_outcome_fn done, void *userdata);
/* Sends m through the channel called name; see channel_ops.send. */
enum delivery channels_send(struct channels *cs, const char *name, const struct outgoing *m,
			    int *ret_retry_after, char **reterr_msg);

#endif
