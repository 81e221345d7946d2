/* SPDX-License-Identifier: MIT */
/*
 * The Zalo OA webhook; see zalobot.h.
 *
 * A delivery, start to end:
 *
 *   server's thread: the header there? (401)  ─► body: size (413), JSON,
 *     app_id and timestamp strings (400), signature over the raw bytes
 *     (401), our app (403), timestamp (400), the event read (400)
 *   writer's thread, in the batch's transaction, no network:
 *     text:  inbound_handle (the event's key recorded, -EEXIST a replay:
 *            nothing done), then the sender's interaction recorded
 *     other: the key recorded (a replay: nothing done), the interaction,
 *            follow or unfollow recorded
 *   committed ─► 200 ─► main thread: the answer to someone linked to no
 *     one sent (zalo_send_text)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chatplain.h"
#include "clock.h"
#include "command.h"
#include "config.h"
#include "hash.h"
#include "http.h"
#include "inbound.h"
#include "log.h"
#include "macro.h"
#include "norm.h"
#include "registry.h"
#include "schedule.h"
#include "split.h"
#include "store.h"
#include "taskops.h"
#include "web.h"
#include "xalloc.h"
#include "zalo.h"
#include "zalobot.h"

#define CHANNEL "zalo"
#define TIMESTAMP_DIGITS_MAX 16	/* ms: up to the year 2286 */

struct zalobot {
	char *app_id;
	char *oa_id;	/* [zalo] oa_id; NULL: any OA of the app */
	char *oa_secret;	/* wiped on free */
	/*
	 * The Zalo client, for the answers to people linked to no one (the
	 * rest goes through the outbox); zalo_new shares one per [zalo]
	 * section, so the Zalo and ZNS channels and serve's token keeper
	 * use this one, its pace and token too.  NULL: it could not be
	 * made (no libcurl, the app secret unreadable).
	 */
	struct zalo *z;
	struct clock clock;	/* DONDOC_NOW or the wall: the server's thread's "now" */
};

void
zalo_event_release(struct zalo_event *e)
{
	free(e->name);
	free(e->user_id);
	free(e->text);
	free(e->quote_msg_id);
	memset(e, 0, sizeof(*e));
}

/* --- reading a delivery --------------------------------------------------- */

/* obj[key] when it is a string; *bad set when it is there but not one. */
static const char *
str_of(json_t *obj, const char *key, bool *bad)
{
	json_t *v = json_object_get(obj, key);

	if (v && !json_is_string(v))
		*bad = true;
	return json_string_value(v);
}

/* A timestamp in ms as Zalo writes it (decimal digits), in seconds; -1 when not one. */
static int64_t
seconds_of(const char *ms)
{
	int64_t v = 0;
	size_t n = strlen(ms);

	if (n == 0 || n > TIMESTAMP_DIGITS_MAX || strspn(ms, "0123456789") != n)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (ms[i] - '0');
	return v / 1000;
}

static enum zalo_event_kind
kind_of(const char *name)
{
	if (strcmp(name, "user_send_text") == 0)
		return ZALO_EVENT_TEXT;
	if (strcmp(name, "follow") == 0)
		return ZALO_EVENT_FOLLOW;
	if (strcmp(name, "unfollow") == 0)
		return ZALO_EVENT_UNFOLLOW;
	if (strncmp(name, "oa_send_", 8) == 0)
		return ZALO_EVENT_ECHO;
	/*
	 * What the user did (CHAT-APIS.md B3: sending anything, answering a
	 * request for their details); receipts (user_received_message,
	 * user_seen_message) are not the user's doing, and anonymous users
	 * have no id to link.
	 */
	if (strncmp(name, "user_send_", 10) == 0 || strcmp(name, "user_submit_info") == 0)
		return ZALO_EVENT_INTERACTION;
	return ZALO_EVENT_OTHER;
}

/* The event's key (zalo_event.key): 63 bits, never negative. */
static int64_t
key_of(const char *name, const char *msg_id, const char *user, const char *oa,
       const char *timestamp)
{
	struct hash *h = hash_new();
	int64_t k;

	/* Framed fields, so that no two events' keys are the same bytes. */
	if (msg_id) {
		hash_add_field(h, "msg");
		hash_add_field(h, msg_id);
	} else {
		hash_add_field(h, "event");
		hash_add_field(h, name);
		hash_add_field(h, user);
		hash_add_field(h, oa);
		hash_add_field(h, timestamp);
	}
	k = hash_sha256_int64(h, NULL, 0) & INT64_MAX;
	hash_free(h);
	return k;
}

int
zalobot_read(const char *app_id, const char *oa_id, const char *oa_secret, const char *signature,
	     const char *body, size_t n, int64_t now, struct zalo_event *ret,
	     const char **ret_why)
{
	struct zalo_event e = { 0 };
	const char *app, *ts, *name, *user = NULL, *oa = NULL, *msg_id = NULL, *text = NULL;
	const char *quote = NULL;
	json_t *j, *sender, *follower, *message;
	json_error_t err;
	bool bad = false;
	int status;

	memset(ret, 0, sizeof(*ret));
#define REFUSE(s, why) do { status = (s); *ret_why = (why); goto out; } while (0)
	j = NULL;
	if (!signature)
		REFUSE(401, "no " ZALOBOT_SIGNATURE_HEADER " header");
	if (n > ZALOBOT_BODY_MAX)
		REFUSE(413, "a body over 64 KiB");
	j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(j))
		REFUSE(400, j ? "JSON that is not an object" : "no JSON (or a key twice)");
	app = str_of(j, "app_id", &bad);
	ts = str_of(j, "timestamp", &bad);
	if (!app || !ts)
		REFUSE(400, "no app_id or timestamp as strings");
	/* The raw bytes, before anything in them is believed. */
	if (!zalo_signature_ok(app, body, n, ts, oa_secret, signature))
		REFUSE(401, "a wrong signature (is oa_secret_key_file the OA Secret Key?)");
	if (strcmp(app, app_id) != 0)
		REFUSE(403, "an event for another app_id");
	e.at = seconds_of(ts);
	if (e.at < 0)
		REFUSE(400, "a timestamp that is no number of milliseconds");
	if (e.at > now + ZALOBOT_AHEAD_S)
		REFUSE(400, "a timestamp more than 10 minutes ahead");
	if (e.at < now - ZALOBOT_MAX_AGE_S)
		REFUSE(400, "a stale timestamp (more than 24 hours old)");
	name = str_of(j, "event_name", &bad);
	if (!name || !*name)
		REFUSE(400, "no event_name");
	e.kind = kind_of(name);
	sender = json_object_get(j, "sender");
	follower = json_object_get(j, "follower");
	message = json_object_get(j, "message");
	if (e.kind == ZALO_EVENT_FOLLOW || e.kind == ZALO_EVENT_UNFOLLOW) {
		user = str_of(follower, "id", &bad);
		oa = str_of(j, "oa_id", &bad);
	} else if (e.kind == ZALO_EVENT_TEXT || e.kind == ZALO_EVENT_INTERACTION) {
		user = str_of(sender, "id", &bad);
		oa = str_of(json_object_get(j, "recipient"), "id", &bad);
		msg_id = str_of(message, "msg_id", &bad);
		text = str_of(message, "text", &bad);
		quote = str_of(message, "quote_msg_id", &bad);
	}
	/* Zalo's ids are strings, bigger than a double holds: a number is not Zalo's. */
	if (bad)
		REFUSE(400, "an id or text that is not a string");
	/* An app can serve several OAs: [zalo] oa_id names ours (an echo's OA is its sender). */
	if (oa_id && oa && strcmp(oa, oa_id) != 0)
		REFUSE(403, "an event for another OA (is [zalo] oa_id this OA's id?)");
	if ((e.kind == ZALO_EVENT_FOLLOW || e.kind == ZALO_EVENT_UNFOLLOW ||
	     e.kind == ZALO_EVENT_TEXT || e.kind == ZALO_EVENT_INTERACTION) && (!user || !*user))
		REFUSE(400, "no user id (sender.id, follower.id)");
	if (e.kind == ZALO_EVENT_TEXT && (!text || !msg_id || !*msg_id))
		REFUSE(400, "a text without message.text or message.msg_id");
	if (text && !norm_is_utf8(text, strlen(text), NULL))
		REFUSE(400, "a text that is not UTF-8");
	e.name = xstrdup(name);
	e.user_id = user ? xstrdup(user) : NULL;
	e.text = e.kind == ZALO_EVENT_TEXT ? xstrdup(text) : NULL;
	e.quote_msg_id = quote && *quote ? xstrdup(quote) : NULL;
	e.key = key_of(name, msg_id && *msg_id ? msg_id : NULL, user, oa, ts);
	*ret = e;
	memset(&e, 0, sizeof(e));
	*ret_why = NULL;
	status = 0;
#undef REFUSE
out:
	zalo_event_release(&e);
	json_decref(j);
	return status;
}

/* --- the bot ------------------------------------------------------------------ */

int
zalobot_new(const struct config *cfg, struct zalobot **ret, char **reterr_msg)
{
	struct zalobot *b;
	char *oa = NULL, *msg = NULL;
	int r;

	*ret = NULL;
	if (!cfg->zalo_app_id)
		return 0;
	r = config_read_zalo_secrets(cfg, NULL, &oa, reterr_msg);
	if (r < 0)
		return r;
	b = xcalloc(1, sizeof(*b));
	if (clock_init(&b->clock) < 0) {
		explicit_bzero(oa, strlen(oa));
		free(oa);
		free(b);
		*reterr_msg = xstrdup("DONDOC_NOW is malformed");
		return -EINVAL;
	}
	b->app_id = xstrdup(cfg->zalo_app_id);
	b->oa_id = cfg->zalo_oa_id ? xstrdup(cfg->zalo_oa_id) : NULL;
	b->oa_secret = oa;
	r = zalo_new(cfg, &b->z, &msg);
	if (r < 0) {
		log_warnx("[zalo]: %s: people linked to no one who write to the OA will not be "
			  "told how to link, ignoring", msg ? msg : strerror(-r));
		free(msg);
		b->z = NULL;
	}
	*ret = b;
	return 0;
}

struct zalobot *
zalobot_free(struct zalobot *b)
{
	if (b) {
		zalo_free(b->z);
		free(b->app_id);
		free(b->oa_id);
		if (b->oa_secret) {
			explicit_bzero(b->oa_secret, strlen(b->oa_secret));
			free(b->oa_secret);
		}
		free(b);
	}
	return NULL;
}

void
zalobot_use_store(struct zalobot *b, struct store *s)
{
	if (b && b->z)
		zalo_use_store(b->z, s);
}

/* --- handling, in the writer's batch ---------------------------------------- */

/* A delivery: the event, then what it left for after the commit. */
struct job {
	struct zalo_event ev;
	const char *command;	/* static: for /metrics */
	char *answer;		/* a text for someone linked to no one (new; NULL: none) */
};

/* What run_after sends. */
struct left {
	char *user_id;
	char *text;
};

/* A unit of work: a savepoint of the batch's transaction, or a transaction of its own. */
static int
unit_begin(const struct inbound_env *env)
{
	return env->in_txn ? store_savepoint(env->s) : store_begin(env->s);
}

static int
unit_end(const struct inbound_env *env, int r)
{
	if (r >= 0) {
		int k = env->in_txn ? store_release(env->s) : store_commit(env->s);

		if (k == 0)
			return r;
		r = k;
	}
	if (env->in_txn)
		(void)store_rollback_to(env->s);
	else
		store_rollback(env->s);
	return r;
}

/*
 * Inside a unit: what an event of a person linked to user says about
 * their Zalo address.  Any event but unfollow is an interaction: its time
 * recorded (the window), and an address refused (out of the window, or
 * unfollowed) works again, since they just opened the window.  Unfollow
 * refuses the address.  Both audited (regop_person_address).  0 (no one
 * linked: nothing to record), or -errno.
 */
static int
record_locked(const struct inbound_env *env, const struct zalo_event *ev)
{
	const struct actor a = { .name = "dondoc", .channel = CHANNEL };
	struct person p = { 0 };
	const struct address *addr;
	int64_t now = clock_now(env->clk);
	int r;

	r = store_person_by_address(env->s, CHANNEL, ev->user_id, &p);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	addr = person_address_get(&p, CHANNEL);
	if (ev->kind == ZALO_EVENT_UNFOLLOW) {
		r = regop_person_address(env->s, p.id, CHANNEL, true, &a, now);
		if (r > 0)
			log_info("zalo: %s (person %" PRId64 ") unfollowed the OA: not reached on "
				 "Zalo any more", p.name, p.id);
	} else {
		/* Zalo's time, not ours, and never ahead of now. */
		r = store_address_seen(env->s, p.id, CHANNEL, MIN(ev->at, now));
		if (r == 0 && addr && addr->broken_at) {
			r = regop_person_address(env->s, p.id, CHANNEL, false, &a, now);
			if (r > 0)
				log_info("zalo: %s (person %" PRId64 ") wrote to the OA: reached on "
					 "Zalo again", p.name, p.id);
		}
	}
	person_release(&p);
	return r < 0 ? r : 0;
}

/*
 * Whether user is linked to someone (active or not), and whether their
 * Zalo address was refused: 0, or -errno when the registry failed (a
 * transient failure: the event is not acknowledged).
 */
static int
address_refused(const struct inbound_env *env, const char *user, bool *ret_linked,
		bool *ret_refused)
{
	struct person p = { 0 };
	const struct address *addr;
	int r = store_person_by_address(env->s, CHANNEL, user, &p);

	if (r < 0 && r != -ENOENT && inbound_transient(r))
		return r;
	*ret_linked = r == 0;
	addr = r == 0 ? person_address_get(&p, CHANNEL) : NULL;
	*ret_refused = addr && addr->broken_at;
	person_release(&p);
	return 0;
}

/*
 * A text: to the command layer, which records the sender's interaction
 * (the event's time, never ahead of now) with the command; then, when
 * their Zalo was refused (out of the window, unfollowed), it works again.
 */
static int
on_text(const struct inbound_env *env, struct job *j)
{
	struct zalo_event *ev = &j->ev;
	struct inbound_result res = { 0 };
	struct command_in in;
	char code[COMMAND_CODE_LEN + 1], *start = NULL;
	int64_t now = clock_now(env->clk), reply_to = 0;
	bool linked = false, refused = false, checked = false;
	int r;

	in = (struct command_in){ .channel = CHANNEL, .chat_id = ev->user_id, .text = ev->text,
				  .now = now, .seen_at = MIN(ev->at, now),
				  .today = clock_local_date(now), .cal = env->sch->cal,
				  .sch = env->sch };
	/*
	 * A bare code from someone linked to no one links them: Zalo has no
	 * deep link to carry "/start CODE", and officials type what they
	 * were handed.  Only then a read before the unit (who it is): the
	 * command reads the sender anyway, and says whether their Zalo was
	 * refused (res.sender_refused), which saves a read per text.
	 */
	if (command_link_code(ev->text, code)) {
		r = address_refused(env, ev->user_id, &linked, &refused);
		if (r < 0)
			return r;
		checked = true;
		if (!linked)
			in.text = start = xasprintf("/start %s", code);
	}
	/* A reply quoting one of our messages: which outbox message it was. */
	if (ev->quote_msg_id)
		(void)store_chat_sent_get(env->s, CHANNEL, ev->user_id, ev->quote_msg_id, &reply_to);
	in.reply_to = reply_to;
	r = inbound_handle(env, &in, ev->key, 0, &res);
	free(start);
	if (r < 0)
		return r == -EINVAL ? -EIO : r;	/* transient: not the event's fault */
	j->command = res.command;
	if (res.duplicate) {
		log_info("zalo: event %s from user %s seen before, ignoring", ev->name, ev->user_id);
		inbound_result_release(&res);
		return 0;
	}
	/* The chat form as Zalo shows it: plain text, links written out. */
	if (res.direct && res.chat)
		j->answer = chat_plain(res.chat, true);
	else if (res.direct && res.text)
		j->answer = xstrdup(res.text);
	log_info("zalo: text from user %s: %s%s", ev->user_id, res.command ? res.command : "?",
		 res.refused ? " (refused)" : "");
	if (!checked && res.person_id)
		refused = res.sender_refused;
	else if (!checked && address_refused(env, ev->user_id, &linked, &refused) < 0)
		/* Not linked (or not active): as the record below, a loss logged. */
		log_warnx("zalo: cannot read user %s's address, its refusal kept", ev->user_id);
	inbound_result_release(&res);
	if (!refused)
		return 0;
	/*
	 * In a unit after the command's.  Losing it to a transient failure
	 * loses less than having the command come again as a duplicate: it
	 * is logged, unless the batch itself is gone.
	 */
	r = unit_begin(env);
	if (r == 0)
		r = unit_end(env, record_locked(env, ev));
	if (r < 0 && (!env->in_txn || store_in_txn(env->s))) {
		log_warnx("zalo: cannot record user %s's interaction: %s, ignoring", ev->user_id,
			  store_strerror(env->s, r));
		r = 0;
	}
	return r;
}

/* Any other event of a user: remembered once, then recorded. */
static int
on_event(const struct inbound_env *env, struct job *j)
{
	struct zalo_event *ev = &j->ev;
	int r;

	r = unit_begin(env);
	if (r < 0)
		return r;
	r = store_chat_update_seen(env->s, CHANNEL, ev->key, clock_now(env->clk));
	if (r == -EEXIST) {
		log_info("zalo: event %s from user %s seen before, ignoring", ev->name, ev->user_id);
		return unit_end(env, 0);
	}
	if (r == 0)
		r = record_locked(env, ev);
	r = unit_end(env, r);
	if (r == 0) {
		j->command = ev->kind == ZALO_EVENT_FOLLOW ? "follow" :
			     ev->kind == ZALO_EVENT_UNFOLLOW ? "unfollow" : "interaction";
		log_info("zalo: %s from user %s", ev->name, ev->user_id);
	}
	if (r < 0 && !inbound_transient(r)) {
		/* It would fail the same each time it came. */
		log_warnx("zalo: event %s from user %s: %s, ignoring", ev->name, ev->user_id,
			  store_strerror(env->s, r));
		r = -EINVAL;
	}
	return r;
}

static int
handle(const struct inbound_env *env, struct job *j)
{
	switch (j->ev.kind) {
	case ZALO_EVENT_TEXT:
		return on_text(env, j);
	case ZALO_EVENT_INTERACTION:
	case ZALO_EVENT_FOLLOW:
	case ZALO_EVENT_UNFOLLOW:
		return on_event(env, j);
	case ZALO_EVENT_ECHO:
		/* The OA's own message, told back: nothing the user did. */
		return 0;
	default:
		log_debug("zalo: event '%s' is none dondoc uses, ignoring", j->ev.name);
		return 0;
	}
}

/* --- the webhook (web.h's transport) -------------------------------------- */

static int
hook_auth(void *userdata, struct http_req *q)
{
	(void)userdata;
	/* The signature covers the body: checked in parse, once it is read. */
	if (!http_header(q, ZALOBOT_SIGNATURE_HEADER)) {
		log_info("zalo webhook: a delivery without " ZALOBOT_SIGNATURE_HEADER " refused");
		return 401;
	}
	return 0;
}

static int
hook_parse(void *userdata, struct http_req *q, const char *body, size_t n, void **ret_payload)
{
	struct zalobot *b = userdata;
	struct job *j = xcalloc(1, sizeof(*j));
	const char *why = NULL;
	int status;

	status = zalobot_read(b->app_id, b->oa_id, b->oa_secret, http_header(q, ZALOBOT_SIGNATURE_HEADER),
			      body, n, clock_now(&b->clock), &j->ev, &why);
	if (status) {
		/* Refused before anything is queued: nothing changed. */
		if (status == 401 || status == 403)
			log_warnx("zalo webhook: refused (%d): %s", status, why);
		else
			log_info("zalo webhook: refused (%d): %s", status, why);
		free(j);
		return status;
	}
	/* Nothing to do whatever comes of it: acknowledged at once, the writer spared. */
	if (j->ev.kind == ZALO_EVENT_ECHO || j->ev.kind == ZALO_EVENT_OTHER) {
		if (j->ev.kind == ZALO_EVENT_OTHER)
			log_debug("zalo: event '%s' is none dondoc uses, ignoring", j->ev.name);
		zalo_event_release(&j->ev);
		free(j);
		return 200;
	}
	*ret_payload = j;
	return 0;
}

static int
hook_handle(void *userdata, const struct inbound_env *env, void *payload)
{
	(void)userdata;
	return handle(env, payload);
}

static void
hook_committed(void *userdata, void *payload, struct web_outcome *ret)
{
	struct zalobot *b = userdata;
	struct job *j = payload;

	ret->command = j->command;
	if (j->answer && b->z) {
		struct left *l = xcalloc(1, sizeof(*l));

		l->user_id = xstrdup(j->ev.user_id);
		l->text = j->answer;
		j->answer = NULL;
		ret->left = l;
	} else if (j->answer) {
		log_warnx("zalo: user %s, linked to no one, is not answered: no Zalo client",
			  j->ev.user_id);
	}
}

/*
 * *s cut to its first ZALO_TEXT_MAX code points as Zalo counts them, by
 * the splitter every chat channel uses (between items, lines, words): the
 * answers to people linked to no one are short, but a template is the
 * administrator's to edit.
 */
static void
cut_text(char **s)
{
	char **parts = NULL;
	size_t n = 0;

	if (split_measure(*s, strlen(*s), SPLIT_CODEPOINTS) <= ZALO_TEXT_MAX)
		return;
	if (split_text(*s, strlen(*s), ZALO_TEXT_MAX, SPLIT_CODEPOINTS, SPLIT_PLAIN, &parts,
		       &n) < 0)
		return;		/* only when the limit could not hold a character */
	free(*s);
	*s = n > 0 ? parts[0] : xstrdup("");
	if (n > 0)
		parts[0] = NULL;
	split_free(parts, n);
}

static void
hook_run_after(void *userdata, void *left)
{
	struct zalobot *b = userdata;
	struct left *l = left;
	struct zalo_result res = { 0 };
	char *mid = NULL;
	int r;

	if (!b->z)
		return;
	cut_text(&l->text);
	r = zalo_send_text(b->z, l->user_id, l->text, &res, &mid);
	if (r < 0) {
		log_warnx("zalo: cannot answer user %s: %s", l->user_id, strerror(-r));
	} else if (!res.ok) {
		char *why = zalo_describe(&res);

		log_warnx("zalo: cannot answer user %s, linked to no one: %s", l->user_id, why);
		free(why);
	}
	zalo_result_release(&res);
	free(mid);
}

static void
hook_free_payload(void *payload)
{
	struct job *j = payload;

	zalo_event_release(&j->ev);
	free(j->answer);
	free(j);
}

static void
hook_free_left(void *left)
{
	struct left *l = left;

	free(l->user_id);
	free(l->text);
	free(l);
}

const struct web_transport zalobot_webhook = {
	.name = "zalo",
	.path = ZALOBOT_PATH,
	.auth = hook_auth,
	.parse = hook_parse,
	.handle = hook_handle,
	.committed = hook_committed,
	.run_after = hook_run_after,
	.free_payload = hook_free_payload,
	.free_left = hook_free_left,
};
