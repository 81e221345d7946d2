/* SPDX-License-Identifier: MIT */
/*
 * The configured channels, in order of preference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channels.h"
#include "config.h"
#include "macro.h"
#include "xalloc.h"

#define CHANNELS_MAX 4

struct channels {
	const struct channel_ops *ops[CHANNELS_MAX];	/* preferred first */
	void *state[CHANNELS_MAX];
	size_t n;
};

static const char *const delivery_names[_DELIVERY_MAX] = {
	[DELIVERY_SENT] = "sent",
	[DELIVERY_RETRY] = "retry",
	[DELIVERY_PERMANENT] = "permanent",
	[DELIVERY_GONE] = "gone",
};

const char *
delivery_to_string(enum delivery d)
{
	return d >= 0 && d < _DELIVERY_MAX ? delivery_names[d] : NULL;
}

int
channels_open(const struct config *cfg, struct channels **ret, char **reterr_msg)
{
	struct channels *cs = xcalloc(1, sizeof(*cs));
	int r;

	/*
	 * Email, Telegram and Zalo come before the file channel as they are
	 * configured; the file channel is the one that needs nothing, and
	 * reaches whoever the others cannot.
	 */
	r = channel_telegram_ops.open(cfg, &cs->state[cs->n], reterr_msg);
	if (r == 0) {
		cs->ops[cs->n++] = &channel_telegram_ops;
	} else if (r != -ENOENT) {
		channels_free(cs);
		return r;
	}
	r = channel_email_ops.open(cfg, &cs->state[cs->n], reterr_msg);
	if (r == 0) {
		cs->ops[cs->n++] = &channel_email_ops;
	} else if (r != -ENOENT) {
		channels_free(cs);
		return r;
	}
	r = channel_file_ops.open(cfg, &cs->state[cs->n], reterr_msg);
	if (r < 0) {
		channels_free(cs);
		return r;
	}
	cs->ops[cs->n++] = &channel_file_ops;
	*ret = cs;
	return 0;
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
channels_pick_other(const struct channels *cs, const struct person *p, const char *not)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if ((!not || strcmp(cs->ops[i]->name, not) != 0) &&
		    cs->ops[i]->reaches(cs->state[i], p))
			return cs->ops[i]->name;
	return NULL;
}

enum delivery
channels_send(struct channels *cs, const char *name, const struct outgoing *m,
	      int *ret_retry_after, char **reterr_msg)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
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
	for (size_t i = 0; cs && i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
			return true;
	return false;
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
	for (size_t i = 0; i < cs->n; i++) {
		if (strcmp(cs->ops[i]->name, name) != 0)
			continue;
		if (cs->ops[i]->send_batch) {
			cs->ops[i]->send_batch(cs->state[i], ms, n, done, userdata);
		} else {
			for (size_t k = 0; k < n; k++) {
				char *err = NULL;
				int retry_after = 0;
				enum delivery d = cs->ops[i]->send(cs->state[i], &ms[k], &retry_after,
								   &err);

				done(userdata, k, d, retry_after, err);
			}
		}
		return;
	}
	for (size_t k = 0; k < n; k++)
		done(userdata, k, DELIVERY_PERMANENT, 0,
		     xasprintf("channel '%s' is not configured any more", name));
}

bool
channels_takes_html(const struct channels *cs, const char *name)
{
	for (size_t i = 0; cs && name && i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
			return cs->ops[i]->html;
	return false;
}

bool
channels_is_chat(const struct channels *cs, const char *name)
{
	for (size_t i = 0; cs && name && i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
			return cs->ops[i]->chat;
	return false;
}

const char *
channels_pick_html(const struct channels *cs, const struct person *p)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if (cs->ops[i]->html && cs->ops[i]->reaches(cs->state[i], p))
			return cs->ops[i]->name;
	return NULL;
}

bool
channels_batches(const struct channels *cs, const char *name)
{
	for (size_t i = 0; cs && i < cs->n; i++)
		if (strcmp(cs->ops[i]->name, name) == 0)
			return cs->ops[i]->send_batch != NULL;
	return false;
}

const char *
channels_label_vi(const char *name)
{
	static const struct channel_ops *const known[] = {
		&channel_file_ops, &channel_email_ops, &channel_telegram_ops,
	};

	if (!name)
		return "";
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (strcmp(known[i]->name, name) == 0)
			return known[i]->label_vi;
	return name;
}
