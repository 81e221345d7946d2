/* SPDX-License-Identifier: MIT */
/*
 * The Zalo Official Account channel (CHAT-APIS.md B2-B5, C4, C6): a
 * message's chat form goes out as consultation (CS) messages to the
 * person's OA-scoped Zalo user id, while they are within Zalo's
 * interaction window (person_window_open, [zalo] window, 7 days).
 *
 * - Zalo has no markup: the chat form (Telegram's HTML subset) is made
 *   plain text (chat_plain: tags dropped, a link as "text (URL)").
 * - The text is made NFC first (decomposed Vietnamese is longer, and
 *   Zalo's unit is unstated), then, over ZALO_TEXT_MAX - TEXT_MARGIN code
 *   points (CHAT-APIS.md B2 asks for a margin), cut by split_text between
 *   items (invariant 11); the parts go in order, and the first part's
 *   message id is the message's (replies quote it).
 * - Zalo answers errors with HTTP 200: every answer's "error" is read
 *   (zalo.h).  A token refused gets one refresh and one retry (zalo_call);
 *   -32 waits for the next minute; the window's errors (-230 ...) are
 *   GONE, so the dispatcher marks the person's Zalo address refused (the
 *   "out of window" mark, cleared when they write again), sends the
 *   message through the next channel and tells the secretariat; 5xx and
 *   network errors are retried with the dispatcher's backoff.
 * - A message of several parts that fails after its first part went is
 *   sent whole again on a retry: the reader may see the first parts
 *   twice, which beats missing the rest (CHAT-APIS.md C12).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "channel.h"
#include "channel_zalo-internal.h"
#include "chatplain.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "registry.h"
#include "split.h"
#include "xalloc.h"
#include "zalo.h"

/* Code points kept below ZALO_TEXT_MAX: Zalo's count is not documented (CHAT-APIS.md B2). */
#define TEXT_MARGIN 100

struct zalo_channel {
	struct zalo *z;
	struct clock clock;	/* DONDOC_NOW or the wall: the window is measured on it */
	int64_t window;		/* [zalo] window, seconds */
};

enum delivery
zalo_cs_delivery(const struct zalo_result *r)
{
	switch (r->cls) {
	case ZALO_OK:
		return DELIVERY_SENT;
	case ZALO_WINDOW:
	case ZALO_RECIPIENT:
		return DELIVERY_GONE;
	case ZALO_BAD_REQUEST:
	case ZALO_CONFIG:
	case ZALO_TOKEN:
		return DELIVERY_PERMANENT;
	default:
		return DELIVERY_RETRY;
	}
}

static int
zc_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	struct zalo_channel *c;
	char *msg = NULL;
	int r;

	if (!cfg->zalo_app_id)
		return -ENOENT;
	c = xcalloc(1, sizeof(*c));
	c->window = cfg->zalo_window;
	r = clock_init(&c->clock);
	if (r < 0) {
		*reterr_msg = xstrdup("DONDOC_NOW is not an ISO 8601 time");
		free(c);
		return r;
	}
	r = zalo_new(cfg, &c->z, &msg);
	if (r < 0) {
		*reterr_msg = xasprintf("[zalo]: %s", msg ? msg : strerror(-r));
		free(msg);
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static void
zc_close(void *state)
{
	struct zalo_channel *c = state;

	if (c) {
		zalo_free(c->z);
		free(c);
	}
}

static void
zc_set_abort(void *state, bool (*abort_cb)(void *userdata), void *userdata)
{
	struct zalo_channel *c = state;

	zalo_set_abort(c->z, abort_cb, userdata);
}

static void
zc_use_store(void *state, struct store *s)
{
	struct zalo_channel *c = state;

	zalo_use_store(c->z, s);
}

/*
 * Not while the OA's grant is dead (no refresh token, a refresh refused
 * for good): the message goes to the next channel at once instead of
 * failing here and alerting the secretariat every day.
 */
static bool
zc_reaches(void *state, const struct person *p)
{
	struct zalo_channel *c = state;

	return zalo_grant_ok(c->z) && person_window_open(p, "zalo", clock_now(&c->clock), c->window);
}

/*
 * Sends part i of n to user; the message id of the first in *first_id.
 * SENT, or what failed in *reterr (saying which part when one went).
 */
static enum delivery
send_part(struct zalo_channel *c, const char *user, const char *text, size_t i, size_t n,
	  char **first_id, int *ret_retry_after, char **reterr)
{
	struct zalo_result res = { 0 };
	char *id = NULL, *why;
	enum delivery d;
	int r = zalo_send_text(c->z, user, text, &res, &id);

	if (r == -ECANCELED) {
		*reterr = xstrdup("Zalo: cut short, dondoc is stopping");
		return DELIVERY_STOPPED;
	}
	if (r < 0) {
		*reterr = xstrdup("the message is not valid UTF-8");
		return DELIVERY_PERMANENT;
	}
	d = zalo_cs_delivery(&res);
	if (d == DELIVERY_SENT) {
		if (i == 0)
			*first_id = id ? id : xstrdup("");
		else
			free(id);
		zalo_result_release(&res);
		return d;
	}
	if (d == DELIVERY_RETRY)
		*ret_retry_after = zalo_retry_after(&res, clock_now(&c->clock));
	why = zalo_describe(&res);
	if (res.cls == ZALO_CONFIG || res.cls == ZALO_TOKEN)
		log_warnx("zalo: the OA refuses consultation messages: %s", why);
	/* Parts that went go again with a retry or on the next channel: say so. */
	*reterr = i == 0 ? xasprintf("Zalo: %s", why)
		: xasprintf("Zalo: part %zu of %zu: %s (parts 1-%zu were delivered)", i + 1, n, why, i);
	free(why);
	zalo_result_release(&res);
	return d;
}

static enum delivery
zc_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct zalo_channel *c = state;
	const char *user = person_address(m->to, "zalo");
	char *text, *nfc, **parts = NULL, *first = NULL;
	enum delivery d = DELIVERY_SENT;
	size_t n = 0;
	int r;

	*ret_retry_after = 0;
	if (!user || !person_reachable(m->to, "zalo")) {
		*reterr_msg = xasprintf("%s has no Zalo id", m->to->name);
		return DELIVERY_GONE;
	}
	/* A message without a chat form: its text, already plain. */
	text = m->chat && *m->chat ? chat_plain(m->chat, true) : xstrdup(m->body ? m->body : "");
	nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)text);
	free(text);
	if (!nfc) {
		*reterr_msg = xstrdup("the message is not valid UTF-8");
		return DELIVERY_PERMANENT;
	}
	r = split_text(nfc, strlen(nfc), ZALO_TEXT_MAX - TEXT_MARGIN, SPLIT_CODEPOINTS, SPLIT_PLAIN,
		       &parts, &n);
	free(nfc);
	if (r < 0 || n == 0 || !*parts[0]) {
		*reterr_msg = r < 0 ? xasprintf("cannot cut the message into parts: %s", strerror(-r))
			    : xstrdup("the message has no text");
		split_free(parts, n);
		return DELIVERY_PERMANENT;
	}
	for (size_t i = 0; i < n && d == DELIVERY_SENT; i++)
		d = send_part(c, user, parts[i], i, n, &first, ret_retry_after, reterr_msg);
	if (d == DELIVERY_SENT && m->ret_chat_message_id && first && *first) {
		*m->ret_chat_message_id = first;
		first = NULL;
	}
	free(first);
	split_free(parts, n);
	return d;
}

/*
 * No check of its own: "dondoc doctor" has its "zalo" line (the secrets,
 * the token's expiry), and a call to Zalo there would spend a refresh.
 */
/* Its interaction window, for the hint a reminder on another channel gives. */
static int64_t
zc_window(void *state)
{
	return ((struct zalo_channel *)state)->window;
}

const struct channel_ops channel_zalo_ops = {
	.name = "zalo",
	.label_vi = "Zalo",
	.form = CHANNEL_FORM_CHAT_PLAIN,
	.order = 20,
	.address = "zalo",
	.text_max = ZALO_TEXT_MAX - TEXT_MARGIN,
	.unit = SPLIT_CODEPOINTS,
	.use_store = zc_use_store,
	.set_abort = zc_set_abort,
	.open = zc_open,
	.close = zc_close,
	.reaches = zc_reaches,
	.window = zc_window,
	.send = zc_send,
};
