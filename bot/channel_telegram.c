/* SPDX-License-Identifier: MIT */
/*
 * The Telegram channel (CHAT-APIS.md part A): a message's chat form goes
 * out with sendMessage in HTML parse mode to the chat linked to the person.
 *
 * - Over 4096 characters (UTF-16 units), the text is cut by split_text
 *   (between items, else lines, else words; tags open at a cut closed and
 *   reopened: invariant 11); buttons go under the last part, and a reply
 *   answers with the first.
 * - Reminders carry one row of buttons per task (done, progress, more
 *   time), up to BUTTON_TASKS tasks; each button's data names the task.
 * - Rate limits (A8): the client paces every call (telegram.h), shared
 *   with the bot that answers updates; a send waits for its turn.
 * - 429 says when to come back (retry_after); 5xx and network errors are
 *   retried; 403 and "chat not found" are permanent (the dispatcher marks
 *   the person's Telegram broken and falls back to another channel).
 *   Markup Telegram refuses ("can't parse entities") goes again as plain
 *   text rather than not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "chatplain.h"
#include "config.h"
#include "split.h"
#include "registry.h"
#include "telegram.h"
#include "xalloc.h"

#define SEND_TIMEOUT_S 30
struct tg_channel {
	struct tg *tg;
	/* The daemon stopping (set_abort): a send under way ends, DELIVERY_STOPPED. */
	bool (*abort_cb)(void *userdata);
	void *abort_data;
};

static int
tgc_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	struct tg_channel *c;
	char *token = NULL, *msg = NULL;
	int r;

	if (!cfg->telegram_token_file)
		return -ENOENT;
	r = config_read_secret(cfg->telegram_token_file, &token, &msg);
	if (r < 0) {
		*reterr_msg = xasprintf("[telegram] token_file: %s", msg);
		free(msg);
		return r;
	}
	c = xcalloc(1, sizeof(*c));
	r = tg_new(cfg->telegram_api_base, token, &c->tg, &msg);
	explicit_bzero(token, strlen(token));
	free(token);
	if (r < 0) {
		*reterr_msg = xasprintf("[telegram]: %s", msg);
		free(msg);
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static void
tgc_close(void *state)
{
	struct tg_channel *c = state;

	if (c) {
		tg_free(c->tg);
		free(c);
	}
}

static void
tgc_set_abort(void *state, bool (*abort_cb)(void *userdata), void *userdata)
{
	struct tg_channel *c = state;

	c->abort_cb = abort_cb;
	c->abort_data = userdata;
}

static bool
tgc_reaches(void *state, const struct person *p)
{
	(void)state;
	return person_reachable(p, "telegram");
}

/*
 * The buttons of a reminder; none for other kinds of message.  A message
 * that asks for a figure opens the reply field on the phone instead
 * (ForceReply), so that the figure typed comes back as a reply to it.
 */
static json_t *
keyboard(const struct outgoing *m)
{
	if (m->asks_reply)
		return json_pack("{s:b, s:s}", "force_reply", 1, "input_field_placeholder", "60%");
	if (strcmp(m->kind, "reminder") != 0 && strcmp(m->kind, "catchup") != 0)
		return NULL;
	return tg_keyboard(m->task_ids, m->n_tasks);
}

/*
 * Sends text (HTML unless plain) to chat; on success *ret_id is the
 * message Telegram made.
 */
static enum delivery
send_part(struct tg_channel *c, const char *chat, const char *text, bool plain,
	  json_t *markup, int64_t reply_to, int64_t *ret_id, int *ret_retry_after, char **reterr)
{
	struct tg_result res = { 0 };
	json_t *p = json_pack("{s:s, s:s, s:{s:b}}", "chat_id", chat, "text", text,
			      "link_preview_options", "is_disabled", 1);
	enum delivery d;
	int r;

	if (!p) {
		*reterr = xstrdup("the message is not valid UTF-8");
		return DELIVERY_PERMANENT;
	}
	if (!plain)
		json_object_set_new(p, "parse_mode", json_string("HTML"));
	if (markup)
		json_object_set(p, "reply_markup", markup);
	if (reply_to)
		json_object_set_new(p, "reply_parameters",
				    json_pack("{s:I, s:b}", "message_id", (json_int_t)reply_to,
					      "allow_sending_without_reply", 1));
	r = tg_call_abortable(c->tg, "sendMessage", p, SEND_TIMEOUT_S, c->abort_cb, c->abort_data,
			      &res);
	json_decref(p);
	if (r == -ECANCELED) {
		*reterr = xstrdup("sendMessage: cut short, dondoc is stopping");
		return DELIVERY_STOPPED;
	}
	if (r < 0) {
		*reterr = xasprintf("sendMessage: %s", strerror(-r));
		return DELIVERY_RETRY;
	}
	d = tg_classify(&res);
	if (d == DELIVERY_SENT) {
		json_t *id = json_object_get(res.result, "message_id");

		*ret_id = json_is_integer(id) ? json_integer_value(id) : 0;
	} else {
		*ret_retry_after = res.retry_after;
		*reterr = tg_describe(&res);
		/* Markup it cannot parse: the words still matter more than the bold. */
		if (!plain && res.error_code == 400 && res.description &&
		    strstr(res.description, "can't parse entities"))
			d = _DELIVERY_INVALID;
	}
	tg_result_release(&res);
	return d;
}

static enum delivery
tgc_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct tg_channel *c = state;
	const char *text = m->chat && *m->chat ? m->chat : m->body;
	bool plain = !(m->chat && *m->chat);
	json_t *markup = keyboard(m);
	char *err = NULL, **parts = NULL;
	enum delivery d = DELIVERY_SENT;
	size_t n = 0;
	int64_t id = 0;
	int r;

	*ret_retry_after = 0;
	if (!tgc_reaches(state, m->to)) {
		*reterr_msg = xasprintf("%s has no Telegram chat", m->to->name);
		json_decref(markup);
		return DELIVERY_GONE;
	}
	/* A message without a chat form: its text, nothing to parse. */
	r = split_text(text, strlen(text), TG_TEXT_MAX, SPLIT_UTF16,
		       plain ? SPLIT_PLAIN : SPLIT_HTML, &parts, &n);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot cut the message into parts: %s", strerror(-r));
		json_decref(markup);
		return DELIVERY_PERMANENT;
	}
	/* An empty text is no message: claiming it sent would record a chat message "0". */
	if (n == 0) {
		*reterr_msg = xstrdup("nothing to send (an empty text)");
		split_free(parts, n);
		json_decref(markup);
		return DELIVERY_PERMANENT;
	}
	for (size_t i = 0; i < n && d == DELIVERY_SENT; i++) {
		bool last = i + 1 == n;

		free(err);
		err = NULL;
		d = send_part(c, person_address(m->to, "telegram"), parts[i], plain, last ? markup : NULL,
			      i == 0 ? m->reply_to : 0, &id, ret_retry_after, &err);
		if (d == _DELIVERY_INVALID) {
			/* Links keep their URL: the plain text is all the reader gets. */
			char *flat = chat_plain(parts[i], true);

			free(err);
			err = NULL;
			d = send_part(c, person_address(m->to, "telegram"), flat, true,
				      last ? markup : NULL, 0, &id, ret_retry_after, &err);
			free(flat);
		}
	}
	if (d != DELIVERY_SENT)
		*reterr_msg = err ? err : xstrdup("sendMessage failed");
	else
		free(err);
	if (d == DELIVERY_SENT && m->ret_chat_message_id)
		*m->ret_chat_message_id = xasprintf("%lld", (long long)id);
	split_free(parts, n);
	json_decref(markup);
	return d;
}

static int
tgc_check(void *state, char **ret_msg)
{
	struct tg_channel *c = state;
	struct tg_result res = { 0 };
	int r = tg_call(c->tg, "getMe", NULL, 15, &res);

	if (r < 0) {
		*ret_msg = xasprintf("getMe: %s", strerror(-r));
		return r;
	}
	if (!res.ok) {
		*ret_msg = tg_describe(&res);
		tg_result_release(&res);
		return -EIO;
	}
	*ret_msg = xasprintf("bot @%s answers",
			     json_string_value(json_object_get(res.result, "username")) ?
			     json_string_value(json_object_get(res.result, "username")) : "?");
	tg_result_release(&res);
	return 0;
}

const struct channel_ops channel_telegram_ops = {
	.name = "telegram",
	.label_vi = "Telegram",
	.form = CHANNEL_FORM_CHAT,
	.order = 10,
	.address = "telegram",
	.text_max = TG_TEXT_MAX,
	.unit = SPLIT_UTF16,
	.open = tgc_open,
	.close = tgc_close,
	.set_abort = tgc_set_abort,
	.reaches = tgc_reaches,
	.send = tgc_send,
	.check = tgc_check,
};
