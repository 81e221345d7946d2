/* SPDX-License-Identifier: MIT */
/*
 * The Bot API client; see telegram.h.  One easy handle, reused, so that
 * the TLS connection to api.telegram.org is kept between calls
 * (LIBRARIES.md §5).  Parameters go as a JSON body.
 *
 * The clients open are kept in a list, so that a second tg_new for the
 * same bot shares the first's client and with it its pacing: this list is
 * the one mutable global here (STYLE rule 11's exception), because the
 * alternative, the bot asking the channels for the Telegram channel's
 * client, would name a channel in generic code.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "clock.h"
#include "command.h"
#include "dlcurl.h"
#include "macro.h"
#include "split.h"
#include "telegram.h"
#include "xalloc.h"

#define CONNECT_TIMEOUT_MS 10000L
#define RETRY_AFTER_MAX 3600	/* seconds; a larger value is a server's mistake */
#define PER_CHAT_GAP_MS 1000	/* one message a second to one chat */
#define GLOBAL_GAP_MS 40	/* 25 a second overall, under Telegram's ~30 */
#define RECENT_CHATS 64		/* chats remembered for the per-chat gap */

/* A chat written to lately, and when. */
struct recent {
	char chat[24];
	int64_t at_ms;
};

struct tg {
	struct tg *next;	/* in clients, under clients_lock */
	unsigned refs;		/* under clients_lock */
	/* One call at a time: everything below is under it. */
	pthread_mutex_t lock;
	CURL *h;
	char *base;		/* ".../bot<token>/" */
	struct buf body;	/* the answer being read */
	char errbuf[CURL_ERROR_SIZE];
	bool (*abort_cb)(void *userdata);	/* the call's under way */
	void *abort_data;
	int64_t last_ms;	/* the last paced call, for the overall rate */
	struct recent recent[RECENT_CHATS];
	size_t next_recent;
};

static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tg *clients;	/* every client open, to be shared */

void
tg_result_release(struct tg_result *r)
{
	free(r->description);
	json_decref(r->result);
	memset(r, 0, sizeof(*r));
}

static size_t
on_body(char *p, size_t size, size_t n, void *userdata)
{
	struct tg *t = userdata;

	/* MAXFILESIZE misses chunked answers: the cap is here. */
	if (buf_add(&t->body, p, size * n) < 0)
		return 0;
	return size * n;
}

static int
on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	struct tg *t = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return t->abort_cb && t->abort_cb(t->abort_data) ? 1 : 0;
}

int
tg_new(const char *base, const char *token, struct tg **ret, char **reterr_msg)
{
	struct tg *t;
	size_t n = strlen(base);
	char *url;
	int r;

	if (!token || !*token || strpbrk(token, "/?# \t\r\n")) {
		*reterr_msg = xstrdup("the bot token is empty or has a space, '/', '?' or '#' in it");
		return -EINVAL;
	}
	r = dlcurl_load(reterr_msg);
	if (r < 0)
		return r;
	while (n > 0 && base[n - 1] == '/')
		n--;
	url = xasprintf("%.*s/bot%s/", (int)n, base, token);
	pthread_mutex_lock(&clients_lock);
	for (t = clients; t; t = t->next)
		if (strcmp(t->base, url) == 0)
			break;
	if (t) {
		t->refs++;
		pthread_mutex_unlock(&clients_lock);
		explicit_bzero(url, strlen(url));
		free(url);
		*ret = t;
		return 0;
	}
	t = xcalloc(1, sizeof(*t));
	t->h = sym_curl_easy_init();
	if (!t->h) {
		pthread_mutex_unlock(&clients_lock);
		explicit_bzero(url, strlen(url));
		free(url);
		free(t);
		*reterr_msg = xstrdup("curl_easy_init failed");
		return -ENOMEM;
	}
	pthread_mutex_init(&t->lock, NULL);
	t->base = url;
	buf_init(&t->body, TG_BODY_MAX);
	t->refs = 1;
	t->next = clients;
	clients = t;
	pthread_mutex_unlock(&clients_lock);
	*ret = t;
	return 0;
}

struct tg *
tg_free(struct tg *t)
{
	struct tg **p;

	if (!t)
		return NULL;
	pthread_mutex_lock(&clients_lock);
	if (--t->refs > 0) {
		pthread_mutex_unlock(&clients_lock);
		return NULL;
	}
	for (p = &clients; *p && *p != t; p = &(*p)->next)
		;
	if (*p)
		*p = t->next;
	pthread_mutex_unlock(&clients_lock);
	sym_curl_easy_cleanup(t->h);
	/* The token is in it: leave nothing behind in freed memory. */
	explicit_bzero(t->base, strlen(t->base));
	free(t->base);
	buf_release(&t->body);
	pthread_mutex_destroy(&t->lock);
	free(t);
	return NULL;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	while (ms > 0 && nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* How a method is paced: not, with the calls overall, or also per chat. */
enum pace {
	PACE_NONE,
	PACE_OVERALL,
	PACE_CHAT,
};

static enum pace
pace_of(const char *method)
{
	static const struct {
		const char *method;
		enum pace pace;
	} table[] = {
		{ "sendMessage", PACE_CHAT },
		{ "editMessageText", PACE_CHAT },
		{ "editMessageReplyMarkup", PACE_CHAT },
		{ "sendDocument", PACE_CHAT },
		/* Not a message, but counted by Telegram's overall limit. */
		{ "answerCallbackQuery", PACE_OVERALL },
	};

	/* Telegram reads method names in any case. */
	for (size_t i = 0; i < ELEMENTSOF(table); i++)
		if (strcasecmp(method, table[i].method) == 0)
			return table[i].pace;
	return PACE_NONE;
}

/*
 * Waits until method may write (to params' chat_id), and records that it
 * does now (A8).  Under t->lock: a turn is taken and used by one call.
 */
static void
wait_turn(struct tg *t, const char *method, const json_t *params)
{
	enum pace pace = pace_of(method);
	const json_t *id = params ? json_object_get(params, "chat_id") : NULL;
	struct recent *slot = NULL;
	char chat[24] = "";
	int64_t wait;

	if (pace == PACE_NONE)
		return;
	wait = t->last_ms + GLOBAL_GAP_MS - clock_mono_ms();
	if (pace == PACE_CHAT && json_is_string(id))
		snprintf(chat, sizeof(chat), "%s", json_string_value(id));
	else if (pace == PACE_CHAT && json_is_integer(id))
		snprintf(chat, sizeof(chat), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	/* An inline message (no chat_id) counts overall only. */
	if (*chat) {
		for (size_t i = 0; i < RECENT_CHATS; i++)
			if (strcmp(t->recent[i].chat, chat) == 0) {
				slot = &t->recent[i];
				wait = MAX(wait, slot->at_ms + PER_CHAT_GAP_MS - clock_mono_ms());
				break;
			}
	}
	if (wait > 0)
		sleep_ms(wait);
	if (*chat && !slot) {
		slot = &t->recent[t->next_recent];
		t->next_recent = (t->next_recent + 1) % RECENT_CHATS;
		snprintf(slot->chat, sizeof(slot->chat), "%s", chat);
	}
	t->last_ms = clock_mono_ms();
	if (slot)
		slot->at_ms = t->last_ms;
}

/* Reads the envelope of an answer into r. */
static void
read_envelope(struct tg *t, struct tg_result *r)
{
	json_error_t e;
	json_t *j = json_loadb(t->body.p, t->body.len, 0, &e), *ok, *params;

	if (!j || !json_is_object(j)) {
		r->error_code = (int)r->http;
		r->description = xasprintf("HTTP %ld with %s", r->http,
					   j ? "a JSON answer that is not an object" :
					       "an answer that is not JSON");
		json_decref(j);
		return;
	}
	ok = json_object_get(j, "ok");
	r->ok = json_is_true(ok) && r->http >= 200 && r->http < 300;
	if (r->ok) {
		r->result = json_incref(json_object_get(j, "result"));
		json_decref(j);
		return;
	}
	r->error_code = json_is_integer(json_object_get(j, "error_code")) ?
		(int)json_integer_value(json_object_get(j, "error_code")) : (int)r->http;
	r->description = xstrdup(json_is_string(json_object_get(j, "description")) ?
				 json_string_value(json_object_get(j, "description")) :
				 "no description");
	params = json_object_get(j, "parameters");
	if (json_is_integer(json_object_get(params, "retry_after"))) {
		json_int_t v = json_integer_value(json_object_get(params, "retry_after"));

		r->retry_after = v < 1 ? 1 : v > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (int)v;
	}
	json_decref(j);
}

int
tg_call(struct tg *t, const char *method, const json_t *params, long timeout_s,
	struct tg_result *ret)
{
	return tg_call_abortable(t, method, params, timeout_s, NULL, NULL, ret);
}

int
tg_call_abortable(struct tg *t, const char *method, const json_t *params, long timeout_s,
		  bool (*abort_cb)(void *userdata), void *userdata, struct tg_result *ret)
{
	struct curl_slist *hdr = NULL;
	char *url, *body;
	CURLcode rc;
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	body = params ? json_dumps(params, JSON_COMPACT) : xstrdup("{}");
	if (!body)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	wait_turn(t, method, params);
	t->abort_cb = abort_cb;
	t->abort_data = userdata;
	url = xasprintf("%s%s", t->base, method);
	buf_reset(&t->body);
	t->errbuf[0] = '\0';
	hdr = sym_curl_slist_append(hdr, "Content-Type: application/json");
	sym_curl_easy_reset(t->h);
	sym_curl_easy_setopt(t->h, CURLOPT_URL, url);
	sym_curl_easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "http,https");
	sym_curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
	sym_curl_easy_setopt(t->h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	sym_curl_easy_setopt(t->h, CURLOPT_TIMEOUT_MS, timeout_s * 1000L);
	sym_curl_easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->errbuf);
	sym_curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, hdr);
	sym_curl_easy_setopt(t->h, CURLOPT_POSTFIELDS, body);
	sym_curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, on_body);
	sym_curl_easy_setopt(t->h, CURLOPT_WRITEDATA, t);
	sym_curl_easy_setopt(t->h, CURLOPT_NOPROGRESS, 0L);
	sym_curl_easy_setopt(t->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	sym_curl_easy_setopt(t->h, CURLOPT_XFERINFODATA, t);
	sym_curl_easy_setopt(t->h, CURLOPT_USERAGENT, "dondoc");
	rc = sym_curl_easy_perform(t->h);
	if (rc == CURLE_OK) {
		sym_curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &ret->http);
		read_envelope(t, ret);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		r = -ECANCELED;
	} else {
		ret->http = 0;
		ret->error_code = 0;
		ret->description = xasprintf("%s", t->errbuf[0] ? t->errbuf :
						   sym_curl_easy_strerror(rc));
		/* The URL holds the token; libcurl's messages do not, but be sure. */
		if (strstr(ret->description, "/bot")) {
			free(ret->description);
			ret->description = xstrdup(sym_curl_easy_strerror(rc));
		}
	}
	t->abort_cb = NULL;
	pthread_mutex_unlock(&t->lock);
	sym_curl_slist_free_all(hdr);
	explicit_bzero(url, strlen(url));
	free(url);
	free(body);
	return r;
}

enum delivery
tg_classify(const struct tg_result *r)
{
	if (r->ok)
		return DELIVERY_SENT;
	if (r->http == 0 || r->error_code == 429 || r->error_code >= 500 ||
	    r->error_code == 409 || r->error_code == 401 || r->error_code == 404)
		return DELIVERY_RETRY;
	/* The chat gone is the person's; any other 4xx is this message's. */
	return tg_chat_gone(r) ? DELIVERY_GONE : DELIVERY_PERMANENT;
}

bool
tg_chat_gone(const struct tg_result *r)
{
	return !r->ok && (r->error_code == 403 ||
			  (r->error_code == 400 && r->description &&
			   strstr(r->description, "chat not found")));
}

char *
tg_describe(const struct tg_result *r)
{
	if (r->ok)
		return xstrdup("ok");
	if (r->http == 0)
		return xasprintf("no answer from Telegram: %s", r->description ? r->description : "?");
	return xasprintf("%d %s%s", r->error_code, r->description ? r->description : "",
			 r->error_code == 401 || r->error_code == 404 ?
			 " (the bot token is wrong or revoked: check [telegram] token_file)" : "");
}

json_t *
tg_keyboard(const int64_t *ids, size_t n)
{
	static const struct {
		const char *action, *label;
	} buttons[] = {
		{ "done", "✅ Xong %lld" }, { "prog", "📈 Tiến độ" }, { "ext", "⏳ Gia hạn" },
	};
	json_t *rows;

	if (!ids || n == 0 || n > TG_BUTTON_TASKS)
		return NULL;
	rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array();

		for (size_t b = 0; b < sizeof(buttons) / sizeof(buttons[0]); b++) {
			char data[32], label[48];

			/* The command layer reads the data back: it owns the format. */
			command_button_data(ids[i], buttons[b].action, data);
			snprintf(label, sizeof(label), buttons[b].label, (long long)ids[i]);
			json_array_append_new(row, json_pack("{s:s, s:s}", "text", label,
							     "callback_data", data));
		}
		json_array_append_new(rows, row);
	}
	return json_pack("{s:o}", "inline_keyboard", rows);
}

size_t
tg_utf16_len(const char *s, size_t n)
{
	return split_measure(s, n, SPLIT_UTF16);
}
