/* SPDX-License-Identifier: MIT */
/*
 * The Zalo OA client; see zalo.h.  One easy handle, reused (LIBRARIES.md
 * §5), for the OA API, ZNS and OAuth alike.
 *
 * The clients open are kept in a list, so that a second zalo_new for the
 * same configuration (the channel's, the webhook's) shares the first's
 * client, and with it one pace under Zalo's 4,000 calls a minute: as
 * telegram.c does, this list is the one mutable global here (STYLE rule
 * 11's exception), since the alternative, the webhook asking the channels
 * for the Zalo channel's client, would name a channel in generic code.
 *
 * The tokens, in the registry's meta table:
 *
 *   zalo.refresh_token   single use: each refresh returns the next one
 *   zalo.access_token    sent as the bare "access_token" header
 *   zalo.expires_at      unix seconds; refreshed_at + expires_in
 *   zalo.refreshed_at    the last successful refresh
 *   zalo.refresh_error   why the last refresh failed ("" since a success)
 *   zalo.refresh_error_at, zalo.refresh_error_final ("1": the server said no)
 *   zalo.refresh_lock    "HOST PID UNTIL" while a process refreshes ("" free)
 *
 * A refresh, start to end:
 *
 *   mutex ─► BEGIN IMMEDIATE: read the tokens; still good? use them
 *            lease held by a live process? ROLLBACK, wait, read again
 *            else take the lease ─► COMMIT
 *        ─► POST oauth_base/v4/oa/access_token   (no transaction open)
 *        ─► durable BEGIN: the new pair, the lease freed ─► COMMIT (fsync)
 *        ─► only now is the new access token handed out
 *
 * A kill -9 between the answer and its commit leaves the old refresh
 * token in the registry and a lease whose process is gone: the next
 * refresh takes the lease over at once and tries the old token (which a
 * server that rotates must still take until the new pair is used; if it
 * does not, the refresh is refused and recorded like any other).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "dlcurl.h"
#include "hash.h"
#include "log.h"
#include "macro.h"
#include "store.h"
#include "xalloc.h"
#include "zalo.h"

#define CONNECT_TIMEOUT_MS 10000L
#define TOKEN_MAX 4096			/* bytes; Zalo's tokens are a few hundred */
#define DEFAULT_EXPIRES_S 3600		/* when a refresh answer says no lifetime */
#define LEASE_POLL_MS 100
#define COMMIT_TRIES 10			/* the new pair must not be lost to a busy registry */
/*
 * The gap between two calls of one client: 3,750 a minute, under the
 * app's 4,000 (CHAT-APIS.md B5, C5), with room for "dondoc zalo" run by
 * hand meanwhile.
 */
#define CALL_GAP_MS 16

#define K_REFRESH "zalo.refresh_token"
#define K_ACCESS "zalo.access_token"
#define K_EXPIRES "zalo.expires_at"
#define K_REFRESHED "zalo.refreshed_at"
#define K_ERROR "zalo.refresh_error"
#define K_ERROR_AT "zalo.refresh_error_at"
#define K_ERROR_FINAL "zalo.refresh_error_final"
#define K_LOCK "zalo.refresh_lock"

/*
 * One refresh at a time in this process.  A lock is not state (STYLE rule
 * 11): it stands for the one refresh token all clients of a registry
 * share, as the lease does across processes.
 */
static pthread_mutex_t refresh_mutex = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zalo *clients;	/* every client open, to be shared */

struct zalo {
	struct zalo *next;	/* in clients, under clients_lock */
	unsigned refs;		/* under clients_lock */
	/*
	 * One call at a time, whoever shares the client: everything below is
	 * under it.  Recursive: zalo_call takes a token (zalo_token) under it.
	 */
	pthread_mutex_t lock;
	int64_t last_ms;	/* the last request, on the monotonic clock (the pace) */
	CURL *h;
	struct store *store;	/* borrowed (zalo_use_store) */
	struct clock clock;
	char *app_id;
	char *app_secret;	/* wiped on free */
	char *api_base, *oauth_base, *zns_base;	/* without a trailing '/' */
	struct buf body;	/* the answer being read */
	char errbuf[CURL_ERROR_SIZE];
	bool (*abort_cb)(void *userdata);
	void *abort_data;
	/*
	 * True during the OAuth call: it is never aborted, since Zalo may
	 * already have rotated the pair an abort would drop.
	 */
	bool no_abort;
	/*
	 * The access token last read or refreshed, and the instant half its
	 * lifetime is gone: a call before then takes it without opening a
	 * transaction on the registry.  Stale (refused by Zalo), past that
	 * instant or absent, the registry is read again (another process may
	 * have refreshed).
	 */
	char *cache_access;	/* wiped on free */
	int64_t cache_until;
	/*
	 * Whether the grant is dead (no refresh token, or the last refresh
	 * refused for good), as last seen in the registry: read by the
	 * channels' reaches on any thread, so under its own lock, never z->lock
	 * (held through HTTP calls).  warned: the operator was told.
	 */
	pthread_mutex_t state_lock;
	bool dead, warned;
};

/* What the registry holds about the tokens (strings new, "" when unset). */
struct tokens {
	char *refresh, *access, *error, *lock;
	int64_t expires_at, refreshed_at, error_at;
	bool final;
};

static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
tokens_release(struct tokens *t)
{
	wipe_free(t->refresh);
	wipe_free(t->access);
	free(t->error);
	free(t->lock);
	memset(t, 0, sizeof(*t));
}

void
zalo_result_release(struct zalo_result *r)
{
	free(r->message);
	json_decref(r->data);
	memset(r, 0, sizeof(*r));
}

static size_t
on_body(char *p, size_t size, size_t n, void *userdata)
{
	struct zalo *z = userdata;

	/* MAXFILESIZE misses chunked answers: the cap is here. */
	if (buf_add(&z->body, p, size * n) < 0)
		return 0;
	return size * n;
}

static int
on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	struct zalo *z = userdata;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return !z->no_abort && z->abort_cb && z->abort_cb(z->abort_data) ? 1 : 0;
}

static char *
trimmed(const char *base)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return xstrndup(base, n);
}

/* True when z was made for cfg, whose app secret is secret: then it is shared. */
static bool
same_client(const struct zalo *z, const struct config *cfg, const char *secret)
{
	char *api = trimmed(cfg->zalo_api_base), *oauth = trimmed(cfg->zalo_oauth_base);
	char *zns = trimmed(cfg->zalo_zns_base);
	bool same = STREQ(z->app_id, cfg->zalo_app_id) && STREQ(z->app_secret, secret) &&
		    STREQ(z->api_base, api) && STREQ(z->oauth_base, oauth) && STREQ(z->zns_base, zns);

	free(api);
	free(oauth);
	free(zns);
	return same;
}

int
zalo_new(const struct config *cfg, struct zalo **ret, char **reterr_msg)
{
	struct zalo *z;
	pthread_mutexattr_t attr;
	char *secret = NULL;
	int r;

	r = config_read_zalo_secrets(cfg, &secret, NULL, reterr_msg);
	if (r < 0)
		return r == -ENOKEY ? r : -ENOKEY;
	r = dlcurl_load(reterr_msg);
	if (r < 0) {
		wipe_free(secret);
		return r;
	}
	pthread_mutex_lock(&clients_lock);
	for (z = clients; z; z = z->next)
		if (same_client(z, cfg, secret))
			break;
	if (z) {
		z->refs++;
		pthread_mutex_unlock(&clients_lock);
		wipe_free(secret);
		*ret = z;
		return 0;
	}
	z = xcalloc(1, sizeof(*z));
	if (clock_init(&z->clock) < 0) {
		pthread_mutex_unlock(&clients_lock);
		wipe_free(secret);
		free(z);
		*reterr_msg = xstrdup("DONDOC_NOW is malformed");
		return -EINVAL;
	}
	z->h = sym_curl_easy_init();
	if (!z->h) {
		pthread_mutex_unlock(&clients_lock);
		wipe_free(secret);
		free(z);
		*reterr_msg = xstrdup("curl_easy_init failed");
		return -ENOMEM;
	}
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&z->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&z->state_lock, NULL);
	z->app_id = xstrdup(cfg->zalo_app_id);
	z->app_secret = secret;
	z->api_base = trimmed(cfg->zalo_api_base);
	z->oauth_base = trimmed(cfg->zalo_oauth_base);
	z->zns_base = trimmed(cfg->zalo_zns_base);
	buf_init(&z->body, ZALO_BODY_MAX);
	z->refs = 1;
	z->next = clients;
	clients = z;
	pthread_mutex_unlock(&clients_lock);
	*ret = z;
	return 0;
}

struct zalo *
zalo_free(struct zalo *z)
{
	struct zalo **p;

	if (!z)
		return NULL;
	pthread_mutex_lock(&clients_lock);
	if (--z->refs > 0) {
		pthread_mutex_unlock(&clients_lock);
		return NULL;
	}
	for (p = &clients; *p && *p != z; p = &(*p)->next)
		;
	if (*p)
		*p = z->next;
	pthread_mutex_unlock(&clients_lock);
	sym_curl_easy_cleanup(z->h);
	free(z->app_id);
	wipe_free(z->app_secret);
	free(z->api_base);
	free(z->oauth_base);
	free(z->zns_base);
	/* Answers held tokens: leave nothing behind in freed memory. */
	if (z->body.p)
		explicit_bzero(z->body.p, z->body.len);
	buf_release(&z->body);
	wipe_free(z->cache_access);
	pthread_mutex_destroy(&z->lock);
	pthread_mutex_destroy(&z->state_lock);
	free(z);
	return NULL;
}

/* Records whether the grant is dead; says so once per process until it changes. */
static void
set_dead(struct zalo *z, bool dead, const char *why)
{
	pthread_mutex_lock(&z->state_lock);
	z->dead = dead;
	if (dead && !z->warned) {
		log_warnx("zalo: %s; messages go to the next channel until then", why);
		z->warned = true;
	} else if (!dead) {
		z->warned = false;
	}
	pthread_mutex_unlock(&z->state_lock);
}

/* The grant's state from a reading of the registry. */
static void
see_grant(struct zalo *z, bool has_refresh, bool refused)
{
	if (!has_refresh)
		set_dead(z, true, "no refresh token: run 'dondoc zalo set-token TOKEN' with the "
			 "token of the OA's consent");
	else if (refused)
		set_dead(z, true, "the last token refresh was refused: the OA's admin must consent "
			 "again, then run 'dondoc zalo set-token'");
	else
		set_dead(z, false, NULL);
}

void
zalo_use_store(struct zalo *z, struct store *s)
{
	struct zalo_token_status st;

	pthread_mutex_lock(&z->lock);
	if (z->store != s) {
		wipe_free(z->cache_access);
		z->cache_access = NULL;
	}
	z->store = s;
	/* On the store's thread: the grant's state for reaches, read now. */
	if (s && zalo_token_status(s, &st) == 0) {
		see_grant(z, st.has_refresh, st.error_final);
		zalo_token_status_release(&st);
	}
	pthread_mutex_unlock(&z->lock);
}

bool
zalo_grant_ok(struct zalo *z)
{
	bool dead;

	pthread_mutex_lock(&z->state_lock);
	dead = z->dead;
	pthread_mutex_unlock(&z->state_lock);
	return !dead;
}

void
zalo_set_abort(struct zalo *z, bool (*abort_cb)(void *userdata), void *userdata)
{
	pthread_mutex_lock(&z->lock);
	z->abort_cb = abort_cb;
	z->abort_data = userdata;
	pthread_mutex_unlock(&z->lock);
}

/* Waits until CALL_GAP_MS have gone by since the client's last request (under z->lock). */
static void
pace(struct zalo *z)
{
	int64_t wait = z->last_ms + CALL_GAP_MS - clock_mono_ms();

	if (z->last_ms && wait > 0) {
		struct timespec t = { wait / 1000, (wait % 1000) * 1000000 };

		while (nanosleep(&t, &t) < 0 && errno == EINTR)
			;
	}
	z->last_ms = clock_mono_ms();
}

/* --- HTTP --------------------------------------------------------------- */

/* s percent-encoded for a URL query or a form, appended to b. */
static void
add_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			(void)buf_addc(b, (char)c);
		} else {
			(void)buf_addc(b, '%');
			(void)buf_addc(b, hex[c >> 4]);
			(void)buf_addc(b, hex[c & 15]);
		}
	}
}

/*
 * One request: POST body (of content_type) when body is not NULL, else
 * GET; header "name: value" when name is not NULL.  0 with *ret_http (0:
 * no answer, *reterr_msg then says why) and the answer in z->body, or
 * -ECANCELED.
 */
static int
perform(struct zalo *z, const char *url, const char *body, const char *content_type,
	const char *name, const char *value, long *ret_http, char **reterr_msg)
{
	struct curl_slist *hdr = NULL;
	char *line = NULL;
	CURLcode rc;

	*ret_http = 0;
	pace(z);
	buf_reset(&z->body);
	z->errbuf[0] = '\0';
	if (body) {
		line = xasprintf("Content-Type: %s", content_type);
		hdr = sym_curl_slist_append(hdr, line);
		free(line);
	}
	if (name) {
		line = xasprintf("%s: %s", name, value);
		hdr = sym_curl_slist_append(hdr, line);
		wipe_free(line);
	}
	sym_curl_easy_reset(z->h);
	sym_curl_easy_setopt(z->h, CURLOPT_URL, url);
	sym_curl_easy_setopt(z->h, CURLOPT_PROTOCOLS_STR, "http,https");
	sym_curl_easy_setopt(z->h, CURLOPT_NOSIGNAL, 1L);
	sym_curl_easy_setopt(z->h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	sym_curl_easy_setopt(z->h, CURLOPT_TIMEOUT_MS, ZALO_TIMEOUT_S * 1000L);
	sym_curl_easy_setopt(z->h, CURLOPT_ERRORBUFFER, z->errbuf);
	sym_curl_easy_setopt(z->h, CURLOPT_HTTPHEADER, hdr);
	if (body)
		sym_curl_easy_setopt(z->h, CURLOPT_POSTFIELDS, body);
	sym_curl_easy_setopt(z->h, CURLOPT_WRITEFUNCTION, on_body);
	sym_curl_easy_setopt(z->h, CURLOPT_WRITEDATA, z);
	sym_curl_easy_setopt(z->h, CURLOPT_NOPROGRESS, 0L);
	sym_curl_easy_setopt(z->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	sym_curl_easy_setopt(z->h, CURLOPT_XFERINFODATA, z);
	sym_curl_easy_setopt(z->h, CURLOPT_USERAGENT, "dondoc");
	rc = sym_curl_easy_perform(z->h);
	sym_curl_slist_free_all(hdr);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return -ECANCELED;
	if (rc != CURLE_OK) {
		*reterr_msg = xstrdup(z->errbuf[0] ? z->errbuf : sym_curl_easy_strerror(rc));
		return 0;
	}
	sym_curl_easy_getinfo(z->h, CURLINFO_RESPONSE_CODE, ret_http);
	return 0;
}

/* --- answers and their classes ------------------------------------------ */

static const struct {
	int code;
	enum zalo_class cls;
} codes[] = {
	{ -32, ZALO_RATE },
	{ -100, ZALO_TRANSIENT },
	{ -216, ZALO_TOKEN }, { -220, ZALO_TOKEN }, { -124, ZALO_TOKEN },
	{ -213, ZALO_WINDOW }, { -217, ZALO_WINDOW }, { -227, ZALO_WINDOW },
	{ -230, ZALO_WINDOW }, { -232, ZALO_WINDOW }, { -244, ZALO_WINDOW },
	{ -211, ZALO_QUOTA }, { -218, ZALO_QUOTA }, { -144, ZALO_QUOTA },
	{ -234, ZALO_NIGHT }, { -133, ZALO_NIGHT },
	{ -204, ZALO_CONFIG }, { -205, ZALO_CONFIG }, { -209, ZALO_CONFIG },
	{ -212, ZALO_CONFIG }, { -221, ZALO_CONFIG }, { -223, ZALO_CONFIG },
	{ -224, ZALO_CONFIG }, { -242, ZALO_CONFIG }, { -115, ZALO_CONFIG },
	{ -137, ZALO_CONFIG },
	{ -201, ZALO_BAD_REQUEST }, { -108, ZALO_BAD_REQUEST }, { -109, ZALO_BAD_REQUEST },
	{ -114, ZALO_RECIPIENT }, { -118, ZALO_RECIPIENT }, { -119, ZALO_RECIPIENT },
	{ -139, ZALO_RECIPIENT }, { -141, ZALO_RECIPIENT },
};

enum zalo_class
zalo_classify(long http, int error)
{
	if (error == 0) {
		if (http >= 200 && http < 300)
			return ZALO_OK;
		/* No answer, 5xx, or a status without Zalo's envelope (a proxy's page). */
		return ZALO_TRANSIENT;
	}
	for (size_t i = 0; i < ELEMENTSOF(codes); i++)
		if (codes[i].code == error)
			return codes[i].cls;
	/* A code nobody documented: this message is at fault until someone looks. */
	return ZALO_BAD_REQUEST;
}

static const char *const class_names[_ZALO_CLASS_MAX] = {
	[ZALO_OK] = "ok",
	[ZALO_TOKEN] = "token",
	[ZALO_RATE] = "rate",
	[ZALO_WINDOW] = "window",
	[ZALO_QUOTA] = "quota",
	[ZALO_NIGHT] = "night",
	[ZALO_CONFIG] = "config",
	[ZALO_BAD_REQUEST] = "bad-request",
	[ZALO_RECIPIENT] = "recipient",
	[ZALO_TRANSIENT] = "transient",
};

const char *
zalo_class_to_string(enum zalo_class c)
{
	return c >= 0 && c < _ZALO_CLASS_MAX ? class_names[c] : NULL;
}

int
zalo_retry_after(const struct zalo_result *r, int64_t now)
{
	int64_t sod = ((now + CLOCK_VN_OFFSET) % 86400 + 86400) % 86400;

	switch (r->cls) {
	case ZALO_RATE:
		return (int)(60 - now % 60);
	case ZALO_NIGHT:
		return (int)(sod < 6 * 3600 ? 6 * 3600 - sod : 86400 - sod + 6 * 3600);
	case ZALO_QUOTA:
		/* ZNS's daily quota is back the next day (Viet Nam's). */
		return r->error == -144 ? (int)(86400 - sod) : 3600;
	default:
		return 0;
	}
}

char *
zalo_describe(const struct zalo_result *r)
{
	const char *m = r->message ? r->message : "";

	if (r->ok)
		return xstrdup("ok");
	if (r->http == 0 && r->error == 0)
		return xasprintf("no answer from Zalo: %s", m);
	if (r->error == 0)
		return xasprintf("HTTP %ld: %s", r->http, m);
	return xasprintf("%d %s%s", r->error, m,
			 r->cls == ZALO_TOKEN ? " (see 'dondoc zalo status')" :
			 r->cls == ZALO_CONFIG ? " (the OA's account or settings: an operator must act)" :
			 "");
}

void
zalo_read_answer(const char *body, size_t n, long http, struct zalo_result *ret)
{
	json_error_t e;
	json_t *j = json_loadb(body, n, 0, &e), *err, *msg;

	ret->http = http;
	if (!j || !json_is_object(j)) {
		ret->cls = ZALO_TRANSIENT;
		ret->message = xasprintf("HTTP %ld with %s", http, j ? "a JSON answer that is not "
					 "an object" : "an answer that is not JSON");
		json_decref(j);
		return;
	}
	err = json_object_get(j, "error");
	msg = json_object_get(j, "message");
	if (json_is_string(msg))
		ret->message = xstrdup(json_string_value(msg));
	if (json_is_integer(err)) {
		json_int_t v = json_integer_value(err);

		ret->error = v < -1000000 || v > 1000000 ? -1 : (int)v;
	} else if (json_is_string(err)) {
		char *end;
		long v = strtol(json_string_value(err), &end, 10);

		ret->error = *end || end == json_string_value(err) ? -1 : (int)v;
	} else {
		/* Zalo always says "error": without it this is not Zalo's answer. */
		ret->cls = ZALO_TRANSIENT;
		free(ret->message);
		ret->message = xasprintf("HTTP %ld with an answer that has no \"error\"", http);
		json_decref(j);
		return;
	}
	ret->cls = zalo_classify(http, ret->error);
	ret->ok = ret->cls == ZALO_OK;
	if (ret->ok)
		ret->data = json_incref(json_object_get(j, "data"));
	if (!ret->message)
		ret->message = xstrdup(ret->ok ? "Success" : "no message");
	json_decref(j);
}

char *
zalo_data_string(const json_t *data, const char *key)
{
	json_t *v = json_object_get(data, key);

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	return NULL;
}

/* --- the registry's tokens ---------------------------------------------- */

static char *
meta_str(struct store *s, const char *key, int *r)
{
	char *v = NULL;
	int k = store_meta_get(s, key, &v);

	if (k < 0 && k != -ENOENT && *r == 0)
		*r = k;
	return v ? v : xstrdup("");
}

static int64_t
meta_int(struct store *s, const char *key, int *r)
{
	char *v = meta_str(s, key, r);
	int64_t n = strtoll(v, NULL, 10);

	free(v);
	return n;
}

static int
tokens_read(struct store *s, struct tokens *t)
{
	int r = 0;
	char *fin;

	memset(t, 0, sizeof(*t));
	t->refresh = meta_str(s, K_REFRESH, &r);
	t->access = meta_str(s, K_ACCESS, &r);
	t->error = meta_str(s, K_ERROR, &r);
	t->lock = meta_str(s, K_LOCK, &r);
	t->expires_at = meta_int(s, K_EXPIRES, &r);
	t->refreshed_at = meta_int(s, K_REFRESHED, &r);
	t->error_at = meta_int(s, K_ERROR_AT, &r);
	fin = meta_str(s, K_ERROR_FINAL, &r);
	t->final = STREQ(fin, "1");
	free(fin);
	if (r < 0)
		tokens_release(t);
	return r;
}

static int
meta_set_int(struct store *s, const char *key, int64_t v)
{
	char n[24];

	snprintf(n, sizeof(n), "%lld", (long long)v);
	return store_meta_set(s, key, n);
}

/* A token as Zalo gives them: printable ASCII without spaces, so it fits a header. */
static bool
token_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n == 0 || n > TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return false;
	return true;
}

int
zalo_set_token(struct store *s, const char *refresh_token)
{
	int r;

	if (!token_ok(refresh_token))
		return -EINVAL;
	r = store_begin_durable(s);
	if (r < 0)
		return r;
	if ((r = store_meta_set(s, K_REFRESH, refresh_token)) < 0 ||
	    (r = store_meta_set(s, K_ACCESS, "")) < 0 ||
	    (r = store_meta_set(s, K_EXPIRES, "0")) < 0 ||
	    (r = store_meta_set(s, K_ERROR, "")) < 0 ||
	    (r = store_meta_set(s, K_ERROR_AT, "0")) < 0 ||
	    (r = store_meta_set(s, K_ERROR_FINAL, "0")) < 0 ||
	    (r = store_commit(s)) < 0) {
		store_rollback(s);
		return r;
	}
	return 0;
}

int
zalo_token_status(struct store *s, struct zalo_token_status *ret)
{
	struct tokens t;
	int r = tokens_read(s, &t);

	memset(ret, 0, sizeof(*ret));
	if (r < 0)
		return r;
	ret->has_refresh = *t.refresh != '\0';
	ret->has_access = *t.access != '\0';
	ret->expires_at = ret->has_access ? t.expires_at : 0;
	ret->refreshed_at = t.refreshed_at;
	if (*t.error) {
		ret->error_at = t.error_at;
		ret->error = xstrdup(t.error);
		ret->error_final = t.final;
	}
	tokens_release(&t);
	return 0;
}

void
zalo_token_status_release(struct zalo_token_status *st)
{
	free(st->error);
	memset(st, 0, sizeof(*st));
}

/* --- the lease ------------------------------------------------------------ */

/* "HOST PID": who we are, for the lease. */
static char *
lease_owner(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	for (char *c = host; *c; c++)
		if (*c == ' ')
			*c = '_';
	return xasprintf("%s %ld", host, (long)getpid());
}

/*
 * True when lock ("HOST PID UNTIL", "" free) keeps us out: held by
 * another process that still runs (on this host: it is asked; elsewhere
 * it is believed) and not past UNTIL.  UNTIL is the wall clock's, never
 * DONDOC_NOW: it is measured against the HTTP timeout.
 */
static bool
lease_held(const char *lock, const char *me)
{
	char host[256], mine[256];
	long pid, mypid;
	long long until;

	if (sscanf(lock, "%255s %ld %lld", host, &pid, &until) != 3)
		return false;
	if (until < (long long)time(NULL))
		return false;
	if (sscanf(me, "%255s %ld", mine, &mypid) != 2)
		return true;
	if (STREQ(host, mine)) {
		if (pid == mypid)
			return false;	/* ours, left by a call that failed to free it */
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			return false;	/* its process is gone (kill -9, a crash) */
	}
	return true;
}

/* --- refreshing ------------------------------------------------------------ */

static bool
usable(const struct tokens *t, const char *stale, int64_t now)
{
	if (!*t->access || t->refreshed_at <= 0 || t->expires_at <= t->refreshed_at)
		return false;
	if (stale && STREQ(stale, t->access))
		return false;
	/* Past half its lifetime: refreshed at least twice per lifetime. */
	return now < t->refreshed_at + (t->expires_at - t->refreshed_at) / 2;
}

/*
 * True when, in the transaction open, the registry still holds our lease
 * (lock) and the refresh token we spent: nobody (set-token, another
 * process whose lease we thought dead) wrote a pair since.  -errno on a
 * read error.
 */
static int
still_ours(struct store *s, const char *lock, const char *spent)
{
	int r = 0;
	char *l = meta_str(s, K_LOCK, &r), *t = meta_str(s, K_REFRESH, &r);
	bool ours = STREQ(l, lock) && STREQ(t, spent);

	free(l);
	wipe_free(t);
	return r < 0 ? r : ours;
}

/*
 * Commits the new pair, durably, and frees the lease, only while the
 * lease (lock, valid until until, wall clock) is ours and the registry
 * still holds spent: a late commit must never overwrite a set-token or
 * another process's pair (-ESTALE, logged, what is stored kept).  Tried
 * again while the registry is busy, since losing it loses the grant, but
 * only within the lease: after it another process may refresh.
 */
static int
commit_pair(struct zalo *z, const char *lock, int64_t until, const char *spent,
	    const char *access, const char *refresh, int64_t expires_in, int64_t now)
{
	struct store *s = z->store;
	int r = -EIO;

	for (int i = 0; i < COMMIT_TRIES && (long long)time(NULL) < until; i++) {
		if (i > 0)
			usleep(200 * 1000);
		r = store_begin_durable(s);
		if (r == -EBUSY)
			continue;
		if (r < 0)
			break;
		r = still_ours(s, lock, spent);
		if (r == 0) {
			store_rollback(s);
			log_errorx("zalo: the refresh token changed or the lease was taken over "
				   "while refreshing: the new pair is dropped, what is stored is kept");
			return -ESTALE;
		}
		if (r == 1 && ((r = store_meta_set(s, K_REFRESH, refresh)) < 0 ||
			       (r = store_meta_set(s, K_ACCESS, access)) < 0 ||
			       (r = meta_set_int(s, K_EXPIRES, now + expires_in)) < 0 ||
			       (r = meta_set_int(s, K_REFRESHED, now)) < 0 ||
			       (r = store_meta_set(s, K_ERROR, "")) < 0 ||
			       (r = store_meta_set(s, K_ERROR_AT, "0")) < 0 ||
			       (r = store_meta_set(s, K_ERROR_FINAL, "0")) < 0 ||
			       (r = store_meta_set(s, K_LOCK, "")) < 0 ||
			       (r = store_commit(s)) < 0))
			store_rollback(s);
		if (r != -EBUSY)
			break;
	}
	return r == 1 ? 0 : r;
}

/*
 * Records the failed refresh of spent and frees the lease (lock), unless
 * the registry moved on meanwhile (a set-token, another process's pair):
 * then only the log says it.  Logs it for the operator.
 */
static void
record_failure(struct zalo *z, const char *lock, const char *spent, const char *why, bool final,
	       int64_t now)
{
	struct store *s = z->store;
	int r;

	log_errorx("zalo: the access token refresh failed: %s%s", why,
		   final ? "; Zalo refused the refresh token: the OA's admin must consent again, "
		   "then run 'dondoc zalo set-token'" : "; it will be tried again in a few minutes");
	r = store_begin(s);
	if (r < 0) {
		log_warnx("zalo: cannot record the failed refresh: %s", store_strerror(s, r));
		return;
	}
	r = still_ours(s, lock, spent);
	if (r == 0) {
		store_rollback(s);
		log_warnx("zalo: the refresh token changed meanwhile: the failure is not recorded");
		return;
	}
	if (r < 0 || (r = store_meta_set(s, K_ERROR, why)) < 0 ||
	    (r = meta_set_int(s, K_ERROR_AT, now)) < 0 ||
	    (r = store_meta_set(s, K_ERROR_FINAL, final ? "1" : "0")) < 0 ||
	    (r = store_meta_set(s, K_LOCK, "")) < 0 ||
	    (r = store_commit(s)) < 0) {
		store_rollback(s);
		log_warnx("zalo: cannot record the failed refresh: %s", store_strerror(s, r));
	}
}

/*
 * True when an OAuth answer (HTTP http, body j) refuses the grant itself:
 * an error body (Zalo's "error"/"error_name") with HTTP 200 or 4xx.  Rate
 * limits (429), timeouts (408), pages that are not JSON, 5xx and no answer
 * say nothing of the token: they are tried again after the backoff.
 */
static bool
grant_refused(long http, const json_t *j)
{
	const json_t *code = json_object_get(j, "error");

	if (http != 200 && (http < 400 || http >= 500 || http == 408 || http == 429))
		return false;
	if (!json_is_object(j))
		return false;
	return (json_is_integer(code) && json_integer_value(code) != 0) ||
	       (json_is_string(code) && *json_string_value(code)) ||
	       json_is_string(json_object_get(j, "error_name"));
}

/*
 * The OAuth call, the lease (lock, until) held, spending refresh_token: 0
 * with the new pair committed, or -errno with a new message (recorded).
 * Never aborted: Zalo may have rotated the pair already.
 */
static int
refresh_now(struct zalo *z, const char *refresh_token, const char *lock, int64_t until,
	    char **reterr_msg)
{
	struct buf form;
	json_t *j = NULL, *v;
	const char *access = NULL, *refresh = NULL, *crash;
	char *url, *why = NULL, *form_s;
	int64_t expires_in = 0, now = clock_now(&z->clock);
	long http = 0;
	bool final = false;
	int r;

	buf_init(&form, 3 * TOKEN_MAX + 256);
	(void)buf_adds(&form, "refresh_token=");
	add_escaped(&form, refresh_token);
	(void)buf_adds(&form, "&app_id=");
	add_escaped(&form, z->app_id);
	(void)buf_adds(&form, "&grant_type=refresh_token");
	form_s = buf_detach(&form);
	url = xasprintf("%s/v4/oa/access_token", z->oauth_base);
	z->no_abort = true;
	r = perform(z, url, form_s, "application/x-www-form-urlencoded", "secret_key", z->app_secret,
		    &http, &why);
	z->no_abort = false;
	wipe_free(form_s);
	free(url);
	if (r < 0) {
		/* Cannot happen (no_abort); the lease runs out on its own. */
		*reterr_msg = xstrdup("the refresh was cancelled");
		return r;
	}
	if (http == 0) {
		char *m = xasprintf("no answer from %s: %s", z->oauth_base, why);

		free(why);
		why = m;
	} else {
		j = json_loadb(z->body.p, z->body.len, 0, NULL);
		explicit_bzero(z->body.p, z->body.len);
		access = json_string_value(json_object_get(j, "access_token"));
		refresh = json_string_value(json_object_get(j, "refresh_token"));
		v = json_object_get(j, "expires_in");
		if (json_is_string(v))
			expires_in = strtoll(json_string_value(v), NULL, 10);
		else if (json_is_integer(v))
			expires_in = json_integer_value(v);
		if (!token_ok(access) || !token_ok(refresh)) {
			const char *name = json_string_value(json_object_get(j, "error_name"));
			const char *reason = json_string_value(json_object_get(j, "error_reason"));
			const char *desc = json_string_value(json_object_get(j, "error_description"));
			json_t *code = json_object_get(j, "error");

			final = grant_refused(http, j);
			why = xasprintf("HTTP %ld, %s%s%s%s%s", http,
					!j ? "an answer that is not JSON" :
					!access ? "no access_token in the answer" :
					!token_ok(access) ? "a malformed access_token" :
					"no usable refresh_token in the answer",
					name ? ": " : "", name ? name : "",
					reason || desc ? ": " : "", reason ? reason : desc ? desc : "");
			if (json_is_integer(code)) {
				char *m = xasprintf("%s (error %" JSON_INTEGER_FORMAT ")", why,
						    json_integer_value(code));

				free(why);
				why = m;
			}
		}
	}
	if (why) {
		record_failure(z, lock, refresh_token, why, final, now);
		*reterr_msg = why;
		json_decref(j);
		return final ? -EKEYREJECTED : -EIO;
	}
	/* The crash test's point: the old token is spent, the new one not yet kept. */
	crash = getenv(ZALO_CRASH_ENV);
	if (crash && STREQ(crash, ZALO_CRASH_TOKEN_REPLY))
		(void)raise(SIGKILL);
	if (expires_in <= 0) {
		log_warnx("zalo: the refresh answer gave no expires_in, assuming %d s",
			  DEFAULT_EXPIRES_S);
		expires_in = DEFAULT_EXPIRES_S;
	}
	r = commit_pair(z, lock, until, refresh_token, access, refresh, expires_in, now);
	if (r == -ESTALE) {
		*reterr_msg = xstrdup("the refresh token was replaced while refreshing (set-token or "
				      "another process): the new pair was dropped, what is stored is "
				      "kept");
		json_decref(j);
		return -ESTALE;
	}
	if (r < 0) {
		/* The worst case: Zalo has replaced the token and we could not keep it. */
		*reterr_msg = xasprintf("the new tokens could not be stored: %s; the OA's admin may "
					"have to consent again", store_strerror(z->store, r));
		log_errorx("zalo: %s", *reterr_msg);
		json_decref(j);
		return -EIO;
	}
	{
		char when[32];

		clock_format_local((time_t)(now + expires_in), when);
		log_info("zalo: access token refreshed, it expires %s", when);
	}
	json_decref(j);
	return 0;
}

/* Keeps t's access token and its half-life instant in z (t as usable() took it). */
static void
cache(struct zalo *z, const struct tokens *t)
{
	wipe_free(z->cache_access);
	z->cache_access = xstrdup(t->access);
	z->cache_until = t->refreshed_at + (t->expires_at - t->refreshed_at) / 2;
}

/*
 * The heart of zalo_token and zalo_refresh, under the mutex.  by_hand:
 * refresh whatever the stored state says, unless another process
 * refreshed while we waited for its lease (1).
 */
static int
token_locked(struct zalo *z, const char *stale, bool by_hand, char **ret, char **reterr_msg)
{
	struct store *s = z->store;
	struct tokens t = { 0 };
	char *me = lease_owner(), *refresh = NULL, *lock = NULL, *seen = NULL;
	int64_t now = clock_now(&z->clock);
	int64_t deadline = clock_mono_ms() + 2 * ZALO_LOCK_S * 1000L, until;
	int r;

	if (!s) {
		*reterr_msg = xstrdup("no registry to keep the Zalo tokens in");
		free(me);
		return -EINVAL;
	}
	if (!by_hand && z->cache_access && now < z->cache_until &&
	    !(stale && STREQ(stale, z->cache_access))) {
		*ret = xstrdup(z->cache_access);
		free(me);
		return 0;
	}
	wipe_free(z->cache_access);
	z->cache_access = NULL;
	for (;;) {
		r = store_begin(s);
		if (r == 0)
			r = tokens_read(s, &t);
		if (r < 0) {
			store_rollback(s);
			*reterr_msg = xasprintf("cannot read the Zalo tokens: %s", store_strerror(s, r));
			goto out;
		}
		see_grant(z, *t.refresh, t.final && *t.error && t.error_at >= t.refreshed_at);
		/* The token itself, not the time: DONDOC_NOW may pin the time. */
		if (!seen)
			seen = xstrdup(t.refresh);
		if (!by_hand && usable(&t, stale, now)) {
			store_rollback(s);
			cache(z, &t);
			*ret = xstrdup(t.access);
			r = 0;
			goto out;
		}
		if (by_hand && !STREQ(t.refresh, seen)) {
			store_rollback(s);
			r = 1;
			goto out;
		}
		if (!*t.refresh) {
			store_rollback(s);
			*reterr_msg = xstrdup("no Zalo refresh token: run 'dondoc zalo set-token TOKEN' "
					      "with the token of the OA's consent");
			r = -ENOKEY;
			goto out;
		}
		if (!by_hand && *t.error && t.error_at >= t.refreshed_at) {
			/* Not again and again: a refused grant needs a person. */
			if (t.final) {
				store_rollback(s);
				*reterr_msg = xasprintf("the last token refresh was refused (%s): the "
							"OA's admin must consent again, then run "
							"'dondoc zalo set-token'", t.error);
				r = -ENOKEY;
				goto out;
			}
			if (now < t.error_at + ZALO_REFRESH_BACKOFF_S && now >= t.error_at) {
				store_rollback(s);
				*reterr_msg = xasprintf("the last token refresh failed (%s); it is tried "
							"again %d s after", t.error,
							ZALO_REFRESH_BACKOFF_S);
				r = -EAGAIN;
				goto out;
			}
		}
		if (!lease_held(t.lock, me))
			break;
		store_rollback(s);
		tokens_release(&t);
		if (clock_mono_ms() > deadline || (z->abort_cb && z->abort_cb(z->abort_data))) {
			*reterr_msg = xstrdup("another process holds the Zalo refresh lease");
			r = z->abort_cb && z->abort_cb(z->abort_data) ? -ECANCELED : -ETIMEDOUT;
			goto out;
		}
		usleep(LEASE_POLL_MS * 1000);
	}
	until = (int64_t)time(NULL) + ZALO_LOCK_S;
	lock = xasprintf("%s %lld", me, (long long)until);
	r = store_meta_set(s, K_LOCK, lock);
	if (r == 0)
		r = store_commit(s);
	if (r < 0) {
		store_rollback(s);
		*reterr_msg = xasprintf("cannot take the Zalo refresh lease: %s", store_strerror(s, r));
		goto out;
	}
	refresh = xstrdup(t.refresh);
	r = refresh_now(z, refresh, lock, until, reterr_msg);
	if (r == -EKEYREJECTED)
		see_grant(z, true, true);
	else if (r == 0)
		see_grant(z, true, false);
	if (r == 0 && ret) {
		tokens_release(&t);
		/* What was committed, read back: nothing else is handed out. */
		r = tokens_read(s, &t);
		if (r == 0 && *t.access) {
			cache(z, &t);
			*ret = xstrdup(t.access);
		}
		else if (r == 0)
			r = -EIO;
		if (r < 0)
			*reterr_msg = xstrdup("the refreshed token cannot be read back");
	}
out:
	tokens_release(&t);
	wipe_free(refresh);
	wipe_free(seen);
	free(lock);
	free(me);
	return r;
}

int
zalo_token(struct zalo *z, const char *stale, char **ret, char **reterr_msg)
{
	int r;

	*ret = NULL;
	pthread_mutex_lock(&z->lock);
	pthread_mutex_lock(&refresh_mutex);
	r = token_locked(z, stale, false, ret, reterr_msg);
	pthread_mutex_unlock(&refresh_mutex);
	pthread_mutex_unlock(&z->lock);
	return r;
}

int
zalo_refresh(struct zalo *z, char **reterr_msg)
{
	int r;

	pthread_mutex_lock(&z->lock);
	pthread_mutex_lock(&refresh_mutex);
	r = token_locked(z, NULL, true, NULL, reterr_msg);
	pthread_mutex_unlock(&refresh_mutex);
	pthread_mutex_unlock(&z->lock);
	return r;
}

/* --- calls ---------------------------------------------------------------- */

/* One call with token: 0 with *ret filled, or -ECANCELED. */
static int
call_once(struct zalo *z, const char *url, const char *body, const char *token,
	  struct zalo_result *ret)
{
	char *why = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = perform(z, url, body, "application/json", "access_token", token, &ret->http, &why);
	if (r < 0)
		return r;
	if (ret->http == 0) {
		ret->cls = ZALO_TRANSIENT;
		ret->message = why;
		return 0;
	}
	zalo_read_answer(z->body.p, z->body.len, ret->http, ret);
	return 0;
}

int
zalo_call(struct zalo *z, enum zalo_api api, bool post, const char *path, const json_t *params,
	  struct zalo_result *ret)
{
	char *token = NULL, *msg = NULL, *body = NULL, *url;
	struct buf u;
	int r;

	memset(ret, 0, sizeof(*ret));
	buf_init(&u, ZALO_BODY_MAX);
	(void)buf_adds(&u, api == ZALO_API_ZNS ? z->zns_base : z->api_base);
	(void)buf_adds(&u, path);
	if (post) {
		body = params ? json_dumps(params, JSON_COMPACT) : xstrdup("{}");
		if (!body) {
			buf_release(&u);
			return -EINVAL;
		}
	} else if (params) {
		char *data = json_dumps(params, JSON_COMPACT);

		if (!data) {
			buf_release(&u);
			return -EINVAL;
		}
		(void)buf_adds(&u, "?data=");
		add_escaped(&u, data);
		free(data);
	}
	url = buf_detach(&u);
	pthread_mutex_lock(&z->lock);
	for (int attempt = 0; attempt < 2; attempt++) {
		char *stale = token;

		token = NULL;
		r = zalo_token(z, stale, &token, &msg);
		wipe_free(stale);
		if (r < 0) {
			zalo_result_release(ret);
			ret->cls = r == -ENOKEY || r == -EKEYREJECTED ? ZALO_TOKEN : ZALO_TRANSIENT;
			ret->message = msg;
			msg = NULL;
			r = r == -ECANCELED ? r : 0;
			break;
		}
		zalo_result_release(ret);
		r = call_once(z, url, body, token, ret);
		/* -216/-220/-124: one refresh, one retry (CHAT-APIS.md C4). */
		if (r < 0 || ret->cls != ZALO_TOKEN)
			break;
		if (attempt == 0)
			log_info("zalo: the access token was refused (%d), refreshing", ret->error);
	}
	pthread_mutex_unlock(&z->lock);
	wipe_free(token);
	free(body);
	free(url);
	return r;
}

int
zalo_send_text(struct zalo *z, const char *user_id, const char *text, struct zalo_result *ret,
	       char **ret_message_id)
{
	json_t *p = json_pack("{s:{s:s}, s:{s:s}}", "recipient", "user_id", user_id,
			      "message", "text", text);
	int r;

	*ret_message_id = NULL;
	if (!p)
		return -EINVAL;	/* text not UTF-8 */
	r = zalo_call(z, ZALO_API_OA, true, "/v3.0/oa/message/cs", p, ret);
	json_decref(p);
	if (r == 0 && ret->ok)
		*ret_message_id = zalo_data_string(ret->data, "message_id");
	return r;
}

int
zalo_send_zns(struct zalo *z, const char *phone, const char *template_id,
	      const json_t *template_data, const char *tracking_id, struct zalo_result *ret,
	      char **ret_msg_id)
{
	json_t *p;
	int r;

	*ret_msg_id = NULL;
	p = json_pack("{s:s, s:s, s:O}", "phone", phone, "template_id", template_id,
		      "template_data", template_data);
	if (!p)
		return -EINVAL;
	if (tracking_id)
		json_object_set_new(p, "tracking_id", json_string(tracking_id));
	r = zalo_call(z, ZALO_API_ZNS, true, "/message/template", p, ret);
	json_decref(p);
	if (r == 0 && ret->ok)
		*ret_msg_id = zalo_data_string(ret->data, "msg_id");
	return r;
}

int
zalo_getoa(struct zalo *z, struct zalo_result *ret)
{
	return zalo_call(z, ZALO_API_OA, false, "/v2.0/oa/getoa", NULL, ret);
}

/* --- webhook signatures ------------------------------------------------------ */

bool
zalo_signature_ok(const char *app_id, const void *body, size_t n, const char *timestamp,
		  const char *oa_secret, const char *header)
{
	char want[HASH_SHA256_HEX_LEN];
	struct hash *h;

	if (!app_id || !timestamp || !oa_secret || !header || (!body && n))
		return false;
	if (strncmp(header, "mac=", 4) == 0)
		header += 4;
	if (strlen(header) != HASH_SHA256_HEX_LEN - 1)
		return false;
	/* SHA-256 over the four joined, not an HMAC (SIGNATURE.md). */
	h = hash_new();
	hash_add(h, app_id, strlen(app_id));
	hash_add(h, body, n);
	hash_add(h, timestamp, strlen(timestamp));
	hash_add(h, oa_secret, strlen(oa_secret));
	hash_final_hex(h, want);
	hash_free(h);
	return hash_equal(want, header, HASH_SHA256_HEX_LEN - 1);
}
