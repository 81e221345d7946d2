/* SPDX-License-Identifier: MIT */
/*
 * The Telegram bot's side that listens (DESIGN §7; CHAT-APIS.md A2-A6):
 * updates come by long polling (getUpdates, the next offset kept in the
 * registry) or by webhook, and each one is handled whole (inbound.h)
 * before it is acknowledged, so none is lost or handled twice across
 * restarts.  Then, outside the transaction, the calls it leaves (struct
 * tgbot_after) are made.
 */
#ifndef DONDOC_TGBOT_H
#define DONDOC_TGBOT_H

#include <stdbool.h>
#include <jansson.h>

struct config;
struct inbound_env;
struct tgbot;
struct web_transport;

/*
 * A bot for cfg's [telegram] (NULL *ret when no token is configured).
 * Checks the token with getMe (its username when the configuration has
 * none) and sets the command list (setMyCommands).  0, or -errno with a
 * new message.
 */
int tgbot_new(const struct config *cfg, struct tgbot **ret, char **reterr_msg);
struct tgbot *tgbot_free(struct tgbot *b);
/* The bot's username, without "@". */
const char *tgbot_username(const struct tgbot *b);
/* True when updates come by getUpdates (not by webhook). */
bool tgbot_polling(const struct tgbot *b);
/*
 * Webhook mode: tells Telegram to deliver updates to url with secret
 * (setWebhook, for the update kinds the bot uses).  0, or -errno with a
 * new message (not logged: the caller retries) and Telegram's retry_after
 * in seconds (0: none) in *ret_retry_after.
 */
int tgbot_set_webhook(struct tgbot *b, const char *url, const char *secret, int *ret_retry_after,
		      char **reterr_msg);
/*
 * For "dondoc doctor": what Telegram reports of the webhook of cfg's bot
 * (getWebhookInfo: url, pending_update_count, last_error_date and
 * last_error_message), as a new line in *ret_line, and the URL alone in
 * *ret_url (both new).  -ENOENT when no webhook is set (that line in
 * *reterr_msg), other -errno when Telegram could not be asked (why in
 * *reterr_msg); free it.
 */
int tgbot_webhook_info(const struct config *cfg, char **ret_line, char **ret_url,
		       char **reterr_msg);
/* A function that, returning true, cuts a long poll short (stopping, reloading). */
void tgbot_set_abort(struct tgbot *b, bool (*abort_cb)(void *userdata), void *userdata);

/*
 * One long poll of up to timeout_s seconds, then every update it brought
 * handled and acknowledged.  Returns how many were handled (≥ 0), or
 * -errno when Telegram could not be asked (the caller waits and tries
 * again; nothing is lost).
 */
int tgbot_poll(struct tgbot *b, const struct inbound_env *env, int timeout_s);
#define TGBOT_AFTER_MAX 3

/*
 * The Bot API calls an update leaves for after its commit: a pressed
 * button answered (answerCallbackQuery) and its reminder redrawn
 * (editMessageText), a chat linked to no one told how to link itself
 * (sendMessage).  Never made inside the transaction: a slow Telegram
 * would hold every other update up.
 */
struct tgbot_after {
	const char *command;	/* what the update was (static), for /metrics; NULL: none */
	size_t n;
	struct {
		const char *method;	/* static */
		json_t *params;
	} calls[TGBOT_AFTER_MAX];
};

/*
 * Handles one update (a JSON object; from getUpdates or a webhook) and
 * fills *after.  0 when handled (or ignored: a kind the bot does not
 * use), -EINVAL when it is no update at all, other -errno when it could
 * not be committed (the update must come again; *after is empty).
 * With env->in_txn the update is a savepoint of the caller's
 * transaction, and *after is for once that is committed.
 */
int tgbot_handle(struct tgbot *b, const struct inbound_env *env, json_t *update,
		 struct tgbot_after *after);
/*
 * Makes the calls of a, in order (failures are logged), and empties it:
 * through the bot's client, the one the Telegram channel sends with, so
 * a redraw waits its turn after the reminders to the same chat (A8).
 */
void tgbot_after_run(struct tgbot *b, struct tgbot_after *a);
void tgbot_after_release(struct tgbot_after *a);
/*
 * For a webhook's answer (CHAT-APIS.md A3, a method in the response):
 * a's first call, when Telegram may be left to make it unchecked
 * (answerCallbackQuery, sendMessage), as a new JSON text with "method",
 * taken out of a.  NULL when there is none such.
 */
char *tgbot_after_take_answer(struct tgbot_after *a);

/*
 * Webhook mode: the secret Telegram sends with each delivery
 * (X-Telegram-Bot-Api-Secret-Token), borrowed until the next call or
 * tgbot_free(); NULL: none, the webhook answers 404.
 */
void tgbot_set_webhook_secret(struct tgbot *b, const char *secret);
/*
 * Telegram's webhook for web_webhook() (web.h), with a bot as userdata:
 * POST /telegram/webhook, the secret checked in constant time before the
 * body is read, each update handled by tgbot_handle() in the writer's
 * batch, a button's answer in the webhook's answer, the other calls made
 * by the main thread.
 */
extern const struct web_transport tgbot_webhook;

#endif
