/* SPDX-License-Identifier: MIT */
/*
 * The configured channels, in order of preference.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "buf.h"
#include "channels.h"
#include "clock.h"
#include "config.h"
#include "macro.h"
#include "registry.h"
#include "xalloc.h"

#define CHANNELS_MAX 8
/*
 * How long after a stop is first seen a send is still let run: an answer
 * already on its way (in the socket, half read) is read rather than
 * dropped and the message sent again at the next start.  libcurl asks
 * about once a second, so a hung send still ends within about 1.5 s.
 */
#define STOP_GRACE_MS 500

struct channels {
	const struct channel_ops *ops[CHANNELS_MAX];	/* preferred first */
	void *state[CHANNELS_MAX];
	size_t n;
	bool (*abort_cb)(void *userdata);	/* channels_set_abort's */
	void *abort_data;
	/* When abort_cb was first seen true, on the monotonic clock; 0: not yet.  Any thread. */
	_Atomic int64_t stop_seen_ms;
};

static const char *const delivery_names[_DELIVERY_MAX] = {
	[DELIVERY_SENT] = "sent",
	[DELIVERY_RETRY] = "retry",
	[DELIVERY_PERMANENT] = "permanent",
	[DELIVERY_GONE] = "gone",
	[DELIVERY_STOPPED] = "stopped",
};

const char *
delivery_to_string(enum delivery d)
{
	return d >= 0 && d < _DELIVERY_MAX ? delivery_names[d] : NULL;
}

/* Every channel this build has; channels_open keeps those configured, by ops->order. */
static const struct channel_ops *const known[] = {
	&channel_telegram_ops, &channel_zalo_ops, &channel_zns_ops, &channel_email_ops,
	&channel_file_ops,
};

int
channels_open(const struct config *cfg, struct channels **ret, char **reterr_msg)
{
	return channels_open_from(cfg, known, ELEMENTSOF(known), ret, reterr_msg);
}

int
channels_open_from(const struct config *cfg, const struct channel_ops *const *ops, size_t n,
		   struct channels **ret, char **reterr_msg)
{
	struct channels *cs;
	int r;

	if (n > CHANNELS_MAX) {
		*reterr_msg = xasprintf("%zu channels, at most %d", n, CHANNELS_MAX);
		return -E2BIG;
	}
	cs = xcalloc(1, sizeof(*cs));
	/*
	 * A channel not configured says -ENOENT without a message and is
	 * left out; the file channel needs nothing, so it is always there to
	 * reach whoever the others cannot.
	 */
	for (size_t i = 0; i < n; i++) {
		void *state = NULL;
		char *msg = NULL;
		size_t k;

		r = ops[i]->open(cfg, &state, &msg);
		if (r == -ENOENT && !msg)
			continue;
		if (r < 0) {
			*reterr_msg = msg;
			channels_free(cs);
			return r;
		}
		/* Inserted in its place: preferred (lower order) first. */
		for (k = cs->n; k > 0 && cs->ops[k - 1]->order > ops[i]->order; k--) {
			cs->ops[k] = cs->ops[k - 1];
			cs->state[k] = cs->state[k - 1];
		}
		cs->ops[k] = ops[i];
		cs->state[k] = state;
		cs->n++;
	}
	*ret = cs;
	return 0;
}

void
channels_use_store(struct channels *cs, struct store *s)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if (cs->ops[i]->use_store)
			cs->ops[i]->use_store(cs->state[i], s);
}

/* What the channels are given: abort_cb, true STOP_GRACE_MS after it first was. */
static bool
graced_abort(void *userdata)
{
	struct channels *cs = userdata;
	int64_t seen, now;

	if (!cs->abort_cb(cs->abort_data))
		return false;
	now = clock_mono_ms();
	seen = atomic_load(&cs->stop_seen_ms);
	if (!seen && atomic_compare_exchange_strong(&cs->stop_seen_ms, &seen, now))
		seen = now;
	return now - seen >= STOP_GRACE_MS;
}

void
channels_set_abort(struct channels *cs, bool (*abort_cb)(void *userdata), void *userdata)
{
	if (!cs)
		return;
	cs->abort_cb = abort_cb;
	cs->abort_data = userdata;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->ops[i]->set_abort)
			cs->ops[i]->set_abort(cs->state[i], abort_cb ? graced_abort : NULL, cs);
}

struct channels *
channels_free(struct channels *cs)
{
	if (!cs)
		return NULL;
	for (size_t i = 0; i < cs->n; i++)
		cs->ops[i]->close(cs->state[i]);
	free(cs);
	return NULL;
}

const char *
channels_pick(const struct channels *cs, const struct person *p)
{
	return channels_pick_other(cs, p, NULL);
}

const char *
channels_pick_reminder(const struct channels *cs, const struct person *p)
{
	return channels_pick_after(cs, p, NULL, true);
}

/* Whether channel i has an address for p (channel_ops.reaches). */
static bool
reaches(const struct channels *cs, size_t i, const struct person *p)
{
	const struct channel_ops *ops = cs->ops[i];

	if (ops->reaches)
		return ops->reaches(cs->state[i], p);
	return !ops->address || person_reachable(p, ops->address);
}

/* The index of the open channel called name; -1 when none is. */
static ssize_t
find(const struct channels *cs, const char *name)
{
	for (size_t i = 0; cs && name && i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
			return (ssize_t)i;
	return -1;
}

const char *
channels_pick_other(const struct channels *cs, const struct person *p, const char *not)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if ((!not || strcmp(cs->ops[i]->name, not) != 0) && !cs->ops[i]->wake_up &&
		    reaches(cs, i, p))
			return cs->ops[i]->name;
	return NULL;
}

const char *
channels_pick_after(const struct channels *cs, const struct person *p, const char *after,
		    bool reminder)
{
	ssize_t at = find(cs, after);

	for (size_t i = at < 0 ? 0 : (size_t)at + 1; cs && i < cs->n; i++)
		if ((reminder || !cs->ops[i]->wake_up) && reaches(cs, i, p))
			return cs->ops[i]->name;
	return NULL;
}

const char *
channels_closed(const struct channels *cs, const struct person *p, int64_t *ret_window)
{
	if (ret_window)
		*ret_window = 0;
	for (size_t i = 0; cs && p && i < cs->n; i++) {
		const struct channel_ops *ops = cs->ops[i];
		const struct address *a = ops->address ? person_address_get(p, ops->address) : NULL;

		/* Reached by a preferred channel: nothing goes anywhere instead. */
		if (reaches(cs, i, p))
			return NULL;
		/*
		 * An address that works, or one refused where writing reopens it
		 * (a channel with a window: Zalo marks a window's refusal so, and
		 * clears it when they write again).
		 */
		if (!a || !*a->value || (a->broken_at && !ops->window))
			continue;
		if (ret_window && ops->window)
			*ret_window = ops->window(cs->state[i]);
		return ops->label_vi ? ops->label_vi : ops->name;
	}
	return NULL;
}

const struct channel_ops *
channels_ops(const struct channels *cs, const char *name)
{
	ssize_t i = find(cs, name);

	return i < 0 ? NULL : cs->ops[i];
}

enum delivery
channels_send(struct channels *cs, const char *name, const struct outgoing *m,
	      int *ret_retry_after, char **reterr_msg)
{
	ssize_t i = find(cs, name);

	if (i >= 0)
		return cs->ops[i]->send(cs->state[i], m, ret_retry_after, reterr_msg);
	*ret_retry_after = 0;
	*reterr_msg = xasprintf("channel '%s' is not configured any more", name);
	return DELIVERY_PERMANENT;
}

char *
channels_describe(const struct channels *cs)
{
	struct buf b;
	char *r;

	buf_init(&b, 256);
	for (size_t i = 0; i < cs->n; i++)
		(void)buf_addf(&b, "%s%s", i ? ", " : "", cs->ops[i]->name);
	r = buf_detach(&b);
	buf_release(&b);
	return r;
}

bool
channels_has(const struct channels *cs, const char *name)
{
	return find(cs, name) >= 0;
}

int
channels_check(struct channels *cs, void (*cb)(const char *name, int r, const char *msg,
					       void *userdata), void *userdata)
{
	int bad = 0;

	for (size_t i = 0; i < cs->n; i++) {
		char *msg = NULL;
		int r = cs->ops[i]->check ? cs->ops[i]->check(cs->state[i], &msg) : 0;

		cb(cs->ops[i]->name, r, msg ? msg : "", userdata);
		bad += r < 0;
		free(msg);
	}
	return bad;
}

void
channels_send_batch(struct channels *cs, const char *name, const struct outgoing *ms, size_t n,
		    channel_outcome_fn done, void *userdata)
{
	ssize_t i = find(cs, name);
	bool stopped = false;

	if (i < 0) {
		for (size_t k = 0; k < n; k++)
			done(userdata, k, DELIVERY_PERMANENT, 0,
			     xasprintf("channel '%s' is not configured any more", name));
		return;
	}
	if (cs->ops[i]->send_batch) {
		cs->ops[i]->send_batch(cs->state[i], ms, n, done, userdata);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		char *err = NULL;
		int retry_after = 0;
		enum delivery d = stopped ? DELIVERY_STOPPED
				: cs->ops[i]->send(cs->state[i], &ms[k], &retry_after, &err);

		/* Stopping: the next would be cut short as soon as it began. */
		stopped = d == DELIVERY_STOPPED;
		done(userdata, k, d, retry_after, err);
	}
}

bool
channels_takes_html(const struct channels *cs, const char *name)
{
	const struct channel_ops *ops = channels_ops(cs, name);

	return ops && ops->form == CHANNEL_FORM_MAIL && ops->html;
}

bool
channels_is_chat(const struct channels *cs, const char *name)
{
	const struct channel_ops *ops = channels_ops(cs, name);

	return ops && ops->form != CHANNEL_FORM_MAIL;
}

const char *
channels_pick_html(const struct channels *cs, const struct person *p)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if (cs->ops[i]->form == CHANNEL_FORM_MAIL && cs->ops[i]->html && reaches(cs, i, p))
			return cs->ops[i]->name;
	return NULL;
}

bool
channels_batches(const struct channels *cs, const char *name)
{
	const struct channel_ops *ops = channels_ops(cs, name);

	return ops && ops->send_batch;
}

const char *
channels_label_vi(const char *name)
{
	if (!name)
		return "";
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (strcmp(known[i]->name, name) == 0)
			return known[i]->label_vi;
	return name;
}
