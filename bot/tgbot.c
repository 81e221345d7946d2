/* SPDX-License-Identifier: MIT */
/*
 * The listening side of the Telegram bot; see tgbot.h.
 *
 * The offset of the next update is kept in the registry (meta
 * "telegram.offset"), written after each update is committed: a crash in
 * between brings that update again, and the registry's record of handled
 * update ids (inbound.c) makes the second time a no-op.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "clock.h"
#include "command.h"
#include "config.h"
#include "http.h"
#include "inbound.h"
#include "log.h"
#include "notice.h"
#include "render.h"
#include "schedule.h"
#include "split.h"
#include "store.h"
#include "task.h"
#include "taskops.h"
#include "telegram.h"
#include "tgbot.h"
#include "web.h"
#include "xalloc.h"

#define OFFSET_KEY "telegram.offset"
#define CALL_TIMEOUT_S 15
#define TOAST_MAX 190		/* answerCallbackQuery takes 200 characters */

struct tgbot {
	/*
	 * The bot's client: the Telegram channel's too when it is open (tg_new
	 * shares it), so the calls below are paced with the reminders.
	 */
	struct tg *tg;
	char *username;
	bool polling;
	bool (*abort_cb)(void *userdata);	/* cuts a call short: stopping */
	void *abort_data;
	const char *webhook_secret;	/* borrowed (tgbot_set_webhook_secret); NULL: none */
};

/* The update kinds the bot uses, for getUpdates and setWebhook (a new array). */
static json_t *
allowed_updates(void)
{
	return json_pack("[s, s, s]", "message", "callback_query", "my_chat_member");
}

const char *
tgbot_username(const struct tgbot *b)
{
	return b->username;
}

bool
tgbot_polling(const struct tgbot *b)
{
	return b->polling;
}

void
tgbot_set_abort(struct tgbot *b, bool (*abort_cb)(void *userdata), void *userdata)
{
	b->abort_cb = abort_cb;
	b->abort_data = userdata;
}

struct tgbot *
tgbot_free(struct tgbot *b)
{
	if (b) {
		tg_free(b->tg);
		free(b->username);
		free(b);
	}
	return NULL;
}

/* Calls method and logs a failure; true when it went through. */
static bool
call(struct tgbot *b, const char *method, json_t *params, struct tg_result *ret)
{
	struct tg_result res = { 0 };
	int r = tg_call_abortable(b->tg, method, params, CALL_TIMEOUT_S, b->abort_cb, b->abort_data,
				  &res);
	bool ok = r == 0 && res.ok;

	if (r == 0 && !ok) {
		char *why = tg_describe(&res);

		/* Editing to the same text is no failure (CHAT-APIS.md A5). */
		if (res.description && strstr(res.description, "message is not modified"))
			ok = true;
		else
			log_warnx("telegram %s: %s", method, why);
		free(why);
	} else if (r < 0) {
		log_warnx("telegram %s: %s", method, strerror(-r));
	}
	if (ret)
		*ret = res;
	else
		tg_result_release(&res);
	return ok;
}

/* The command list officials see when they type "/". */
static void
set_commands(struct tgbot *b)
{
	const struct command_info *cmds;
	size_t n;
	json_t *list = json_array();

	cmds = command_list(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(cmds[i].name, "start") != 0)
			json_array_append_new(list, json_pack("{s:s, s:s}", "command", cmds[i].name,
							      "description", cmds[i].description));
	json_t *p = json_pack("{s:o}", "commands", list);

	(void)call(b, "setMyCommands", p, NULL);
	json_decref(p);
}

int
tgbot_new(const struct config *cfg, struct tgbot **ret, char **reterr_msg)
{
	struct tgbot *b;
	struct tg_result res = { 0 };
	char *token = NULL, *msg = NULL;
	int r;

	*ret = NULL;
	if (!cfg->telegram_token_file)
		return 0;
	r = config_read_secret(cfg->telegram_token_file, &token, &msg);
	if (r < 0) {
		*reterr_msg = xasprintf("[telegram] token_file: %s", msg);
		free(msg);
		return r;
	}
	b = xcalloc(1, sizeof(*b));
	b->polling = strcmp(cfg->telegram_mode, "webhook") != 0;
	r = tg_new(cfg->telegram_api_base, token, &b->tg, &msg);
	explicit_bzero(token, strlen(token));
	free(token);
	if (r < 0) {
		*reterr_msg = xasprintf("[telegram]: %s", msg);
		free(msg);
		free(b);
		return r;
	}
	if (cfg->telegram_bot_username)
		b->username = xstrdup(cfg->telegram_bot_username);
	r = tg_call_abortable(b->tg, "getMe", NULL, CALL_TIMEOUT_S, b->abort_cb, b->abort_data, &res);
	if (r == 0 && res.ok) {
		const char *u = json_string_value(json_object_get(res.result, "username"));

		if (u && !b->username)
			b->username = xstrdup(u);
		else if (u && strcasecmp(u, b->username) != 0)
			log_warnx("[telegram] bot_username is '%s' but the token is @%s's: "
				  "links will name @%s", b->username, u, b->username);
	} else if (r == 0 && (res.error_code == 401 || res.error_code == 404)) {
		/* A wrong token is the operator's to fix: refuse to start. */
		*reterr_msg = xasprintf("[telegram] token_file: Telegram refuses the token (%d %s)",
					res.error_code, res.description ? res.description : "");
		tg_result_release(&res);
		tgbot_free(b);
		return -EACCES;
	} else {
		char *why = r < 0 ? xstrdup(strerror(-r)) : tg_describe(&res);

		/* No network now: start anyway, the polls will retry. */
		log_warnx("telegram getMe: %s; going on, Telegram will be tried again", why);
		free(why);
	}
	tg_result_release(&res);
	set_commands(b);
	if (b->polling) {
		/* getUpdates fails while a webhook is set (A2). */
		json_t *p = json_pack("{s:b}", "drop_pending_updates", 0);

		(void)call(b, "deleteWebhook", p, NULL);
		json_decref(p);
	}
	*ret = b;
	return 0;
}

int
tgbot_set_webhook(struct tgbot *b, const char *url, const char *secret, int *ret_retry_after,
		  char **reterr_msg)
{
	struct tg_result res = { 0 };
	json_t *p;
	int r;

	p = json_pack("{s:s, s:s, s:o}", "url", url, "secret_token", secret,
		      "allowed_updates", allowed_updates());
	r = tg_call_abortable(b->tg, "setWebhook", p, CALL_TIMEOUT_S, b->abort_cb, b->abort_data,
			      &res);
	json_decref(p);
	if (r < 0) {
		*reterr_msg = xstrdup(strerror(-r));
		*ret_retry_after = 0;
		return r;
	}
	if (!res.ok) {
		*reterr_msg = tg_describe(&res);
		*ret_retry_after = res.retry_after;
		tg_result_release(&res);
		return -EIO;
	}
	tg_result_release(&res);
	return 0;
}

int
tgbot_webhook_info(const struct config *cfg, char **ret_line, char **ret_url, char **reterr_msg)
{
	struct tg_result res = { 0 };
	struct tg *tg = NULL;
	char *token = NULL, *msg = NULL, *line = NULL, when[32] = "";
	const char *url, *err;
	json_int_t pending, at;
	int r;

	r = config_read_secret(cfg->telegram_token_file, &token, &msg);
	if (r < 0)
		goto out;
	r = tg_new(cfg->telegram_api_base, token, &tg, &msg);
	explicit_bzero(token, strlen(token));
	if (r < 0)
		goto out;
	r = tg_call(tg, "getWebhookInfo", NULL, CALL_TIMEOUT_S, &res);
	if (r < 0) {
		msg = xasprintf("getWebhookInfo: %s", strerror(-r));
		goto out;
	}
	if (!res.ok) {
		char *why = tg_describe(&res);

		msg = xasprintf("getWebhookInfo: %s", why);
		free(why);
		r = -EIO;
		goto out;
	}
	url = json_string_value(json_object_get(res.result, "url"));
	pending = json_integer_value(json_object_get(res.result, "pending_update_count"));
	at = json_integer_value(json_object_get(res.result, "last_error_date"));
	err = json_string_value(json_object_get(res.result, "last_error_message"));
	if (at > 0) {
		time_t t = (time_t)at;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	line = xasprintf("Telegram reports url '%s', %" JSON_INTEGER_FORMAT " updates pending%s%s%s%s%s",
			 url ? url : "", pending, at > 0 ? ", last error at " : "", when,
			 err ? ": '" : "", err ? err : "", err ? "'" : "");
	/* No URL: Telegram delivers nowhere, whatever dondoc listens on. */
	if (!url || !*url) {
		msg = line;
		line = NULL;
		r = -ENOENT;
		goto out;
	}
	*ret_line = line;
	line = NULL;
	*ret_url = xstrdup(url);
	r = 0;
out:
	if (r < 0)
		*reterr_msg = msg ? msg : xstrdup(strerror(-r));
	else
		free(msg);
	tg_result_release(&res);
	tg_free(tg);
	free(token);
	free(line);
	return r;
}

static int64_t
offset_get(struct store *s)
{
	char *v = NULL, *end;
	long long o = 0;

	if (store_meta_get(s, OFFSET_KEY, &v) == 0 && v) {
		o = strtoll(v, &end, 10);
		if (*end || o < 0)
			o = 0;
	}
	free(v);
	return o;
}

static void
offset_set(struct store *s, int64_t offset)
{
	char v[24];

	snprintf(v, sizeof(v), "%" PRId64, offset);
	if (store_meta_set(s, OFFSET_KEY, v) < 0)
		log_warnx("cannot record the Telegram offset: %s", store_errmsg(s));
}

/* A Telegram id (chat, message) as our text form; false when not an integer. */
static bool
id_text(json_t *v, char out[24])
{
	if (!json_is_integer(v))
		return false;
	snprintf(out, 24, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return true;
}

/* Adds a call for after the commit; params taken. */
static void
later(struct tgbot_after *a, const char *method, json_t *params)
{
	if (!params)
		return;
	if (a->n == TGBOT_AFTER_MAX) {
		json_decref(params);
		return;
	}
	a->calls[a->n].method = method;
	a->calls[a->n++].params = params;
}

/* Text (HTML) for a chat, sent outside the outbox: for unlinked chats. */
static void
later_send(struct tgbot_after *a, const char *chat, const char *text, int64_t reply_to)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:{s:b}}", "chat_id", chat, "text", text,
			      "parse_mode", "HTML", "link_preview_options", "is_disabled", 1);

	if (p && reply_to)
		json_object_set_new(p, "reply_parameters",
				    json_pack("{s:I, s:b}", "message_id", (json_int_t)reply_to,
					      "allow_sending_without_reply", 1));
	later(a, "sendMessage", p);
}

void
tgbot_after_release(struct tgbot_after *a)
{
	for (size_t i = 0; i < a->n; i++)
		json_decref(a->calls[i].params);
	memset(a, 0, sizeof(*a));
}

void
tgbot_after_run(struct tgbot *b, struct tgbot_after *a)
{
	for (size_t i = 0; i < a->n; i++)
		(void)call(b, a->calls[i].method, a->calls[i].params, NULL);
	tgbot_after_release(a);
}

char *
tgbot_after_take_answer(struct tgbot_after *a)
{
	char *text;

	if (!a->n || (strcmp(a->calls[0].method, "answerCallbackQuery") != 0 &&
		      strcmp(a->calls[0].method, "sendMessage") != 0))
		return NULL;
	json_object_set_new(a->calls[0].params, "method", json_string(a->calls[0].method));
	text = json_dumps(a->calls[0].params, JSON_COMPACT);
	json_decref(a->calls[0].params);
	memmove(&a->calls[0], &a->calls[1], (a->n - 1) * sizeof(a->calls[0]));
	a->n--;
	a->calls[a->n].params = NULL;
	return text;
}

/*
 * What inbound_handle() could not commit comes again.  It answers the
 * update's own failures itself, so what it returns is transient; -EINVAL
 * would say the update is unreadable (tgbot_handle), which it is not.
 */
static int
not_committed(int r)
{
	return r == -EINVAL ? -EIO : r;
}

static void
make_in(const struct inbound_env *env, const struct tgbot *b, const char *chat,
	struct command_in *in)
{
	time_t now = clock_now(env->clk);

	*in = (struct command_in){ .channel = "telegram", .chat_id = chat,
				   .bot_username = b->username, .now = now,
				   .today = clock_local_date(now), .cal = env->sch->cal,
				   .sch = env->sch };
}

static int
on_message(struct tgbot *b, const struct inbound_env *env, int64_t update_id, json_t *m,
	   struct tgbot_after *after)
{
	json_t *chat = json_object_get(m, "chat"), *reply = json_object_get(m, "reply_to_message");
	const char *text = json_string_value(json_object_get(m, "text"));
	const char *type = json_string_value(json_object_get(chat, "type"));
	struct inbound_result res = { 0 };
	struct command_in in;
	char chat_id[24], reply_mid[24];
	json_int_t mid = json_integer_value(json_object_get(m, "message_id"));
	int64_t reply_to = 0;
	int r;

	if (!id_text(json_object_get(chat, "id"), chat_id))
		return -EINVAL;
	/* Groups and channels are not where officials report. */
	if (!type || strcmp(type, "private") != 0 || !text)
		return 0;
	/* A reply to one of our messages: which outbox message it was. */
	if (json_is_object(reply) && json_is_true(json_object_get(json_object_get(reply, "from"),
								  "is_bot")) &&
	    id_text(json_object_get(reply, "message_id"), reply_mid))
		(void)store_chat_sent_get(env->s, "telegram", chat_id, reply_mid, &reply_to);
	make_in(env, b, chat_id, &in);
	in.text = text;
	in.reply_to = reply_to;
	r = inbound_handle(env, &in, update_id, mid, &res);
	if (r < 0)
		return not_committed(r);
	after->command = res.command;
	if (res.direct && res.chat)
		later_send(after, chat_id, res.chat, mid);
	log_info("telegram: update %" PRId64 " from chat %s: %s%s", update_id, chat_id,
		 res.command ? res.command : "?", res.refused ? " (refused)" : "");
	inbound_result_release(&res);
	return 0;
}

/* The reminder under which a button was pressed, redrawn: what is done is said, its buttons go. */
static void
refresh(struct tgbot *b, const struct inbound_env *env, const char *chat, int64_t chat_message,
	int64_t message_id, struct date today, struct tgbot_after *after)
{
	struct message m = { 0 };
	struct rendered done = { 0 };
	int64_t *ids = NULL, *open = NULL;
	size_t n = 0, n_open = 0;
	json_t *tasks = json_array(), *data, *markup, *p;
	char *text = NULL;

	if (store_message_get(env->s, message_id, &m) < 0 || !m.chat ||
	    store_message_tasks(env->s, message_id, &ids, &n) < 0)
		goto out;
	open = xcalloc(n ? n : 1, sizeof(*open));
	for (size_t i = 0; i < n; i++) {
		struct task t = { 0 };

		if (store_task_get(env->s, ids[i], &t) < 0)
			continue;
		if (t.status == TASK_DONE)
			json_array_append_new(tasks, render_task_json(&t, today, env->sch->cal));
		else
			open[n_open++] = t.id;
		task_release(&t);
	}
	data = json_pack("{s:O, s:I}", "tasks", tasks, "count", (json_int_t)json_array_size(tasks));
	if (render_answer(env->rend, NULL, "recorded", data, today, b->username, RENDER_CHAT,
			  &done) < 0) {
		json_decref(data);
		goto out;
	}
	json_decref(data);
	text = xasprintf("%s\n\n%s", m.chat, done.chat ? done.chat : "");
	if (split_measure(text, strlen(text), SPLIT_UTF16) > TG_TEXT_MAX)
		goto out;	/* too long to redraw: the answer said it */
	markup = tg_keyboard(open, n_open);
	p = json_pack("{s:s, s:I, s:s, s:s}", "chat_id", chat, "message_id",
		      (json_int_t)chat_message, "text", text, "parse_mode", "HTML");
	/* No keyboard left: an empty one removes it. */
	json_object_set_new(p, "reply_markup", markup ? markup :
			    json_pack("{s:[]}", "inline_keyboard"));
	later(after, "editMessageText", p);
out:
	json_decref(tasks);
	rendered_release(&done);
	message_release(&m);
	free(ids);
	free(open);
	free(text);
}

/*
 * A toast's words from an answer's subject: without the "[Đôn đốc] " that
 * is for email subjects, and at most TOAST_MAX bytes, cut on a character
 * boundary.  Points into subject; its length in *ret_n.
 */
static const char *
toast_of(const char *subject, size_t *ret_n)
{
	const char *t = subject;
	size_t n;

	if (*t == '[' && strstr(t, "] "))
		t = strstr(t, "] ") + 2;
	n = strlen(t);
	if (n > TOAST_MAX) {
		n = TOAST_MAX;
		while (n > 0 && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--;
	}
	*ret_n = n;
	return t;
}

/* The toast of a button pressed outside a private chat: it acts for nobody. */
static void
refuse_button(struct tgbot *b, const struct inbound_env *env, const char *query_id,
	      struct tgbot_after *after)
{
	struct rendered out = { 0 };
	json_t *data = json_object();
	const char *t = "";
	size_t n;

	if (render_answer(env->rend, NULL, "error_private_only", data,
			  clock_local_date(clock_now(env->clk)), b->username, RENDER_SUBJECT,
			  &out) == 0 && out.subject)
		t = out.subject;
	t = toast_of(t, &n);
	/* Answered all the same, or the phone shows it spinning (A4). */
	later(after, "answerCallbackQuery", json_pack("{s:s, s:s%}", "callback_query_id", query_id,
						      "text", t, n));
	json_decref(data);
	rendered_release(&out);
}

static int
on_callback(struct tgbot *b, const struct inbound_env *env, int64_t update_id, json_t *q,
	    struct tgbot_after *after)
{
	json_t *msg = json_object_get(q, "message"), *chat = json_object_get(msg, "chat");
	const char *type = json_string_value(json_object_get(chat, "type"));
	const char *id = json_string_value(json_object_get(q, "id"));
	const char *data = json_string_value(json_object_get(q, "data"));
	struct inbound_result res = { 0 };
	struct command_in in;
	char chat_id[24], msg_chat[24] = "?", toast[TOAST_MAX + 1] = "", mid[24];
	int64_t on = 0, chat_message = json_integer_value(json_object_get(msg, "message_id"));
	size_t n;
	int r;

	if (!id)
		return -EINVAL;
	/* Who pressed is from, whichever chat the button is in. */
	if (!id_text(json_object_get(json_object_get(q, "from"), "id"), chat_id))
		return -EINVAL;
	/*
	 * A reminder's buttons act in the private chat it was sent to; one
	 * pressed in a group (a forwarded reminder), or under no message
	 * (inline), acts for nobody: a member could press another's.
	 */
	if (!id_text(json_object_get(chat, "id"), msg_chat) || !type ||
	    strcmp(type, "private") != 0 || strcmp(msg_chat, chat_id) != 0) {
		refuse_button(b, env, id, after);
		after->command = "button elsewhere";
		log_info("telegram: update %" PRId64 ": user %s pressed a button outside their "
			 "private chat (in %s chat %s), ignoring", update_id, chat_id,
			 type ? type : "no", msg_chat);
		return 0;
	}
	if (chat_message && id_text(json_object_get(msg, "message_id"), mid))
		(void)store_chat_sent_get(env->s, "telegram", chat_id, mid, &on);
	make_in(env, b, chat_id, &in);
	in.button = data ? data : "";
	in.button_on = on;
	r = inbound_handle(env, &in, update_id, 0, &res);
	if (r < 0)
		return not_committed(r);
	after->command = res.command;
	/* Every button press is answered, or the phone shows it spinning (A4). */
	if (res.toast) {
		const char *t = toast_of(res.toast, &n);

		snprintf(toast, sizeof(toast), "%.*s", (int)n, t);
	}
	later(after, "answerCallbackQuery",
	      json_pack("{s:s, s:s}", "callback_query_id", id, "text", toast));
	if (res.direct && res.chat)
		later_send(after, chat_id, res.chat, 0);
	if (res.refresh && chat_message)
		refresh(b, env, chat_id, chat_message, res.refresh, in.today, after);
	log_info("telegram: update %" PRId64 " from chat %s: button %s: %s%s", update_id, chat_id,
		 data ? data : "?", res.command ? res.command : "?", res.refused ? " (refused)" : "");
	inbound_result_release(&res);
	return 0;
}

/*
 * The flag and its event (regop_person_address) in one unit of work: a
 * transaction of its own, or a savepoint of the caller's (env->in_txn).
 * 1 when the flag changed, 0 when not, -errno with nothing written.
 */
static int
member_write(const struct inbound_env *env, int64_t person_id, bool broken)
{
	/* Telegram told dondoc: the history names dondoc, through Telegram. */
	const struct actor a = { .name = "dondoc", .channel = "telegram" };
	int r = env->in_txn ? store_savepoint(env->s) : store_begin(env->s);

	if (r < 0)
		return r;
	r = regop_person_address(env->s, person_id, "telegram", broken, &a, clock_now(env->clk));
	if (r >= 0) {
		int k = env->in_txn ? store_release(env->s) : store_commit(env->s);

		r = k < 0 ? k : r;
	}
	if (r < 0) {
		if (env->in_txn)
			(void)store_rollback_to(env->s);
		else
			store_rollback(env->s);
	}
	return r;
}

/*
 * Blocked or unblocked (my_chat_member): the person's Telegram is broken
 * or works again.  A transient failure (the registry busy) is returned, so
 * the update is not acknowledged and comes again: the change is not lost.
 */
static int
on_member(const struct inbound_env *env, json_t *u)
{
	const char *status = json_string_value(json_object_get(json_object_get(u, "new_chat_member"),
							       "status"));
	struct person p = { 0 };
	char chat_id[24];
	int r;

	if (!id_text(json_object_get(json_object_get(u, "chat"), "id"), chat_id) || !status)
		return -EINVAL;
	r = store_person_by_address(env->s, "telegram", chat_id, &p);
	if (r == 0 && (strcmp(status, "kicked") == 0 || strcmp(status, "member") == 0)) {
		bool broken = strcmp(status, "kicked") == 0;

		r = member_write(env, p.id, broken);
		if (r > 0)
			log_info("telegram: %s %s the bot", p.name, broken ? "blocked" : "unblocked");
		r = r > 0 ? 0 : r;
	}
	person_release(&p);
	if (r == -ENOENT)
		return 0;	/* a chat no one has linked */
	if (r < 0 && !inbound_transient(r)) {
		log_warnx("telegram: chat '%s' %s the bot, and the registry refuses it: %s, ignoring",
			  chat_id, status, store_strerror(env->s, r));
		return 0;
	}
	return r;
}

int
tgbot_handle(struct tgbot *b, const struct inbound_env *env, json_t *update,
	     struct tgbot_after *after)
{
	json_t *id = json_object_get(update, "update_id"), *v;
	int r = 0;

	memset(after, 0, sizeof(*after));
	if (!json_is_object(update) || !json_is_integer(id) || json_integer_value(id) < 0)
		return -EINVAL;
	if (json_is_object(v = json_object_get(update, "message")))
		r = on_message(b, env, json_integer_value(id), v, after);
	else if (json_is_object(v = json_object_get(update, "callback_query")))
		r = on_callback(b, env, json_integer_value(id), v, after);
	else if (json_is_object(v = json_object_get(update, "my_chat_member")))
		r = on_member(env, v);
	/* Edits, reactions and the rest: nothing to do. */
	if (r < 0)
		tgbot_after_release(after);
	return r;
}

int
tgbot_poll(struct tgbot *b, const struct inbound_env *env, int timeout_s)
{
	struct tg_result res = { 0 };
	json_t *p, *u;
	int64_t offset = offset_get(env->s);
	size_t i;
	int r, n = 0;

	p = json_pack("{s:I, s:i, s:o}", "offset", (json_int_t)offset, "timeout", timeout_s,
		      "allowed_updates", allowed_updates());
	/* The HTTP timeout outlasts the long poll (A2). */
	r = tg_call_abortable(b->tg, "getUpdates", p, timeout_s + 15, b->abort_cb, b->abort_data,
			      &res);
	json_decref(p);
	if (r < 0)
		return r;
	if (!res.ok) {
		char *why = tg_describe(&res);

		log_warnx("telegram getUpdates: %s", why);
		free(why);
		r = res.error_code == 409 ? -EBUSY : res.http == 0 ? -EIO : -EPROTO;
		tg_result_release(&res);
		return r;
	}
	json_array_foreach(res.result, i, u) {
		json_t *uid = json_object_get(u, "update_id");
		struct tgbot_after after;

		r = tgbot_handle(b, env, u, &after);
		tgbot_after_run(b, &after);
		if (r < 0 && r != -EINVAL) {
			/* Not committed: leave it unacknowledged, to come again. */
			log_warnx("telegram: cannot handle update: %s; it will come again",
				  strerror(-r));
			break;
		}
		if (r == -EINVAL)
			log_warnx("telegram: an update the bot cannot read was skipped");
		/*
		 * The next offset follows the last update, even below the old
		 * offset: Telegram numbers afresh after a quiet week.
		 */
		if (json_is_integer(uid)) {
			offset = json_integer_value(uid) + 1;
			offset_set(env->s, offset);
		}
		n++;
	}
	tg_result_release(&res);
	return r < 0 && r != -EINVAL ? r : n;
}

/* --- the webhook (web.h's transport) -------------------------------------- */

#define SECRET_HEADER "X-Telegram-Bot-Api-Secret-Token"

void
tgbot_set_webhook_secret(struct tgbot *b, const char *secret)
{
	b->webhook_secret = secret;
}

/* A delivery: the update, then what handling it left for after the commit. */
struct hook_job {
	json_t *update;
	struct tgbot_after after;
};

/* The secret Telegram was given with setWebhook, before a byte of the body is read. */
static int
hook_auth(void *userdata, struct http_req *q)
{
	struct tgbot *b = userdata;

	if (!b->webhook_secret)
		return 404;
	return http_secret_equal(http_header(q, SECRET_HEADER), b->webhook_secret) ? 0 : 401;
}

static int
hook_parse(void *userdata, struct http_req *q, const char *body, size_t n, void **ret_payload)
{
	struct hook_job *j;
	json_error_t e;
	json_t *u;

	(void)userdata;
	(void)q;
	u = json_loadb(body, n, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(u)) {
		/*
		 * From Telegram (the secret says so) but no update: it would
		 * come the same each time, and Telegram repeats anything but a
		 * 2xx, holding up that chat's later updates (CHAT-APIS.md A3).
		 * Acknowledged, with nothing done.
		 */
		log_warnx("webhook: a delivery that is no JSON object (%s) was acknowledged, ignoring",
			  u ? "not an object" : e.text);
		json_decref(u);
		return 200;
	}
	j = xcalloc(1, sizeof(*j));
	j->update = u;
	*ret_payload = j;
	return 0;
}

static int
hook_handle(void *userdata, const struct inbound_env *env, void *payload)
{
	struct hook_job *j = payload;

	return tgbot_handle(userdata, env, j->update, &j->after);
}

static void
hook_committed(void *userdata, void *payload, struct web_outcome *ret)
{
	struct hook_job *j = payload;

	(void)userdata;
	ret->command = j->after.command;
	/* A button's answer rides on the webhook's (CHAT-APIS.md A3). */
	ret->answer = tgbot_after_take_answer(&j->after);
	if (j->after.n) {
		struct tgbot_after *left = xcalloc(1, sizeof(*left));

		*left = j->after;
		memset(&j->after, 0, sizeof(j->after));
		ret->left = left;
	}
}

static void
hook_run_after(void *userdata, void *left)
{
	tgbot_after_run(userdata, left);
}

static void
hook_free_payload(void *payload)
{
	struct hook_job *j = payload;

	tgbot_after_release(&j->after);
	json_decref(j->update);
	free(j);
}

static void
hook_free_left(void *left)
{
	tgbot_after_release(left);
	free(left);
}

const struct web_transport tgbot_webhook = {
	.name = "telegram",
	.path = "/telegram/webhook",
	.auth = hook_auth,
	.parse = hook_parse,
	.handle = hook_handle,
	.committed = hook_committed,
	.run_after = hook_run_after,
	.free_payload = hook_free_payload,
	.free_left = hook_free_left,
};
