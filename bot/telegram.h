/* SPDX-License-Identifier: MIT */
/*
 * A Telegram Bot API client (libcurl + Jansson; CHAT-APIS.md part A): one
 * method call at a time on a reused connection, its answer read into a
 * result that says what kind of failure it was.  The only file that knows
 * the Bot API's URLs and envelope ({"ok", "result"} or {"ok": false,
 * "error_code", "description", "parameters": {"retry_after"}}).
 *
 * One client per bot: the channel that sends reminders and the bot that
 * answers updates share it (tg_new gives the one already open for the same
 * base and token), so every call that writes to a chat is paced in one
 * place (A8): one a second to a chat (sendMessage, editMessageText,
 * editMessageReplyMarkup), and 25 a second overall (those and
 * answerCallbackQuery).  A call waits for its turn.  Calls are made one at
 * a time, from any thread: a long poll (getUpdates) holds the others up.
 *
 * The token is part of every URL: nothing here ever logs a URL.
 */
#ifndef DONDOC_TELEGRAM_H
#define DONDOC_TELEGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "channel.h"

#define TG_TEXT_MAX 4096	/* characters of a message, in UTF-16 units */
#define TG_CALLBACK_DATA_MAX 64	/* bytes */
#define TG_BODY_MAX ((size_t)1 << 20)	/* an answer larger than this is refused */
#define TG_BUTTON_TASKS 5	/* a reminder of more tasks gets commands, not buttons */

struct tg;

struct tg_result {
	long http;		/* HTTP status; 0 when no answer came (network, timeout) */
	bool ok;		/* the API said ok */
	int error_code;		/* its error_code (or the HTTP status) */
	char *description;	/* its description, or libcurl's error */
	int retry_after;	/* parameters.retry_after, seconds (0: none) */
	json_t *result;		/* the result on ok (owned) */
};

void tg_result_release(struct tg_result *r);

/*
 * The client for base ("https://api.telegram.org") and token: the one
 * already open for both, shared (another reference to it), else a new
 * one.  0, or -errno with a new message (a malformed token, libcurl
 * missing).  Each tg_new is matched by one tg_free.
 */
int tg_new(const char *base, const char *token, struct tg **ret, char **reterr_msg);
/* Drops a reference; the last one closes the client.  NULL-safe; returns NULL. */
struct tg *tg_free(struct tg *t);

/*
 * Calls method with params (a JSON object, borrowed; NULL for none),
 * after its turn (paced, see above), waiting at most timeout_s seconds
 * for the answer.  0 with *ret filled whatever the API answered (see
 * ret->ok), or -errno when the call could not be made at all.
 */
int tg_call(struct tg *t, const char *method, const json_t *params, long timeout_s,
	    struct tg_result *ret);
/*
 * The same, cut short (-ECANCELED) when abort_cb(userdata) returns true
 * while it waits for the answer (the daemon stopping during a long poll).
 */
int tg_call_abortable(struct tg *t, const char *method, const json_t *params, long timeout_s,
		      bool (*abort_cb)(void *userdata), void *userdata, struct tg_result *ret);

/*
 * What a failed call means (CHAT-APIS.md A7): RETRY for 429, 5xx, 409,
 * network errors and timeouts (and 401/404, a bad token, which an
 * operator must fix: nobody's chat is at fault); PERMANENT for 403 and
 * 400 "chat not found"; PERMANENT for any other 400 too (the request
 * itself is wrong).
 */
enum delivery tg_classify(const struct tg_result *r);
/* True when the failure says this person's chat is gone (blocked, deleted, unknown). */
bool tg_chat_gone(const struct tg_result *r);
/* "403 Forbidden: bot was blocked by the user": a new string for logs and outbox. */
char *tg_describe(const struct tg_result *r);

/*
 * The buttons of a reminder about ids[0..n): a row per task (done,
 * progress, more time; data "t:ID:done", "t:ID:prog", "t:ID:ext"), as a
 * new reply_markup object; NULL when n is 0 or over TG_BUTTON_TASKS.
 */
json_t *tg_keyboard(const int64_t *ids, size_t n);

/* The length of s as Telegram counts it: UTF-16 code units (split_measure). */
size_t tg_utf16_len(const char *s, size_t n);

#endif
