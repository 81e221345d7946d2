/* SPDX-License-Identifier: MIT */
/*
 * A Zalo Official Account client (libcurl + Jansson; CHAT-APIS.md part B
 * and C): the only file that knows Zalo's URLs, its envelope
 * {"error": int, "message": text, "data": {...}} and its OAuth v4 token
 * refresh.  Zalo answers most errors with HTTP 200, so every answer's
 * "error" is read, whatever the status.
 *
 * Tokens live in the registry (meta keys zalo.*), never in the file or a
 * log: the refresh token is single use and replaced on every refresh, so
 * the new pair is committed durably before the new access token is used,
 * and one refresh runs at a time across threads (a mutex) and processes
 * (a lease in the registry, held ZALO_LOCK_S, longer than the HTTP
 * timeout).  A failed refresh is recorded and not tried again on its own:
 * re-consent needs a person ("dondoc zalo set-token").
 *
 * Ownership: strings written into ret_* are new (free()); results are
 * released with zalo_result_release.  A client makes one call at a time
 * (a lock), paced under Zalo's 4,000 calls a minute, from any thread.
 */
#ifndef DONDOC_ZALO_H
#define DONDOC_ZALO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "channel.h"

#define ZALO_TEXT_MAX 2000		/* characters of a consultation message (code points, NFC) */
#define ZALO_BODY_MAX ((size_t)1 << 20)	/* an answer larger than this is refused */
#define ZALO_TIMEOUT_S 20		/* seconds for one HTTP call */
#define ZALO_LOCK_S (ZALO_TIMEOUT_S + 20)	/* the refresh lease: longer than a call */
/* After a refresh that got no answer (network, 5xx), automatic refreshes wait this long. */
#define ZALO_REFRESH_BACKOFF_S 300

/* The environment variable of the crash test, and its value (t_zalo_token.sh). */
#define ZALO_CRASH_ENV "DONDOC_TEST_CRASH"
#define ZALO_CRASH_TOKEN_REPLY "zalo-token-reply"	/* SIGKILL after the reply, before its commit */

struct config;
struct store;
struct zalo;

/* What a failed call means (CHAT-APIS.md B4, B9, C4); the caller branches on it. */
enum zalo_class {
	ZALO_OK,
	ZALO_TOKEN,		/* -216 -220, ZNS -124, refused even after a refresh, or no token
				   to be had (an operator must act): the message waits */
	ZALO_RATE,		/* -32: wait until the next minute */
	ZALO_WINDOW,		/* CS: -213 -217 -227 -230 -232 -244: out of the interaction
				   window or unreachable on Zalo CS; another channel */
	ZALO_QUOTA,		/* -211 -218, ZNS -144 (until the next day) */
	ZALO_NIGHT,		/* -234, ZNS -133: not at night; again at 06:00 */
	ZALO_CONFIG,		/* -204 -205 -209 -212 -221 -223 -224 -242, ZNS -115 -137
				   (money): alert the operator */
	ZALO_BAD_REQUEST,	/* -201, ZNS -108 -109, an unknown code: never, this message */
	ZALO_RECIPIENT,		/* ZNS -114 -118 -119 -139 -141: never, this phone */
	ZALO_TRANSIENT,		/* -100, 5xx, network, timeout, an answer that is not Zalo's */
	_ZALO_CLASS_MAX,
	_ZALO_CLASS_INVALID = -22,
};

struct zalo_result {
	long http;		/* HTTP status; 0 when no answer came (network, timeout) */
	bool ok;		/* HTTP 2xx and "error": 0 */
	int error;		/* the body's "error" (0 when none was read) */
	enum zalo_class cls;
	char *message;		/* the body's "message", or what went wrong (new) */
	json_t *data;		/* the body's "data" on ok (owned; may be NULL) */
};

void zalo_result_release(struct zalo_result *r);

/*
 * A client for cfg's [zalo] section (app_id, secret_key_file read now,
 * api_base, oauth_base, zns_base): 0, or -errno with a new message
 * (-ENOKEY: [zalo] is not configured or the secret cannot be read;
 * -EOPNOTSUPP: libcurl missing).  The clock is DONDOC_NOW or the wall.
 * A client open for the same section (the Zalo channel's, the webhook's)
 * is shared, with its pace: each zalo_new has its zalo_free, and the
 * last frees it.  The registry lent and the abort function are the
 * client's, whoever set them last.
 */
int zalo_new(const struct config *cfg, struct zalo **ret, char **reterr_msg);
struct zalo *zalo_free(struct zalo *z);
/* Lends the client the registry that keeps the tokens (until the next call or free). */
void zalo_use_store(struct zalo *z, struct store *s);
/*
 * False while the grant is known dead: no refresh token, or the last
 * refresh refused for good (set-token needed), as last read from the
 * registry (zalo_use_store, zalo_token).  Cheap, from any thread: the
 * channels' reaches, so that messages go to the next channel.  The
 * operator is warned once (log_warnx) until it changes.
 */
bool zalo_grant_ok(struct zalo *z);
/* A function that, returning true, aborts the call under way (the daemon stopping). */
void zalo_set_abort(struct zalo *z, bool (*abort_cb)(void *userdata), void *userdata);

enum zalo_api {
	ZALO_API_OA,	/* api_base: https://openapi.zalo.me */
	ZALO_API_ZNS,	/* zns_base: https://business.openapi.zalo.me */
};

/*
 * Calls path ("/v3.0/oa/message/cs") on api with the access token: POST
 * with params as a JSON body, or GET (post false) with params as the one
 * "data" query parameter (NULL: none).  A token error gets one refresh
 * and one retry.  0 with *ret filled whatever happened (ret->cls; no
 * token to be had is ZALO_TOKEN with the reason), or -ECANCELED when
 * aborted.
 */
int zalo_call(struct zalo *z, enum zalo_api api, bool post, const char *path,
	      const json_t *params, struct zalo_result *ret);

/*
 * Sends a consultation text to user_id (an OA-scoped user id): 0 with
 * *ret filled and, on ok, data.message_id as a new string in
 * *ret_message_id (NULL when the answer lacks it).
 */
int zalo_send_text(struct zalo *z, const char *user_id, const char *text,
		   struct zalo_result *ret, char **ret_message_id);
/*
 * Sends ZNS template template_id to phone ("84912345678") with
 * template_data (a JSON object, borrowed) and tracking_id (NULL: none):
 * 0 with *ret filled and, on ok, data.msg_id in *ret_msg_id.
 */
int zalo_send_zns(struct zalo *z, const char *phone, const char *template_id,
		  const json_t *template_data, const char *tracking_id,
		  struct zalo_result *ret, char **ret_msg_id);
/* GET /v2.0/oa/getoa (for doctor): ret->data holds the OA's name and oa_id. */
int zalo_getoa(struct zalo *z, struct zalo_result *ret);

/* --- tokens ------------------------------------------------------------- */

/*
 * An access token for a call, as a new string: the stored one, refreshed
 * first when there is none, when half its lifetime is gone, or when it is
 * stale (the token a call was refused with; NULL otherwise) and no other
 * thread or process has replaced it since.  A process holding the lease
 * is waited for, then the committed token reread.  0, or -errno with a
 * new message: -ENOKEY no refresh token (set-token) or the last refresh
 * was refused (a person must act), -EKEYREJECTED refused now (recorded),
 * -EAGAIN the last refresh failed (not refused) less than
 * ZALO_REFRESH_BACKOFF_S ago, -EIO it failed now without a refusal
 * (recorded), -ESTALE the stored token changed during the refresh, -ETIMEDOUT the lease never came
 * free, -ECANCELED aborted, -EINVAL no registry lent (zalo_use_store).
 */
int zalo_token(struct zalo *z, const char *stale, char **ret, char **reterr_msg);
/*
 * One refresh now, by hand ("dondoc zalo refresh"): tried even after a
 * recorded failure.  1 when another process refreshed meanwhile (nothing
 * sent), 0 when refreshed, -errno with a new message when it failed (then
 * recorded in zalo.refresh_error and logged): -EKEYREJECTED Zalo refused
 * the grant, -EIO no usable answer, -ESTALE the stored token changed
 * meanwhile (set-token, another process: the new pair dropped, what is
 * stored kept), and zalo_token's others.
 */
int zalo_refresh(struct zalo *z, char **reterr_msg);

/*
 * Seeds refresh_token (from the consent flow or the API Explorer) into s,
 * dropping any access token and recorded error, in its own durable
 * transaction.  0, or -errno (-EINVAL: empty or with spaces).
 */
int zalo_set_token(struct store *s, const char *refresh_token);

/* What the registry holds about the tokens, never the tokens themselves. */
struct zalo_token_status {
	bool has_refresh;	/* a refresh token is stored */
	bool has_access;	/* an access token is stored */
	int64_t expires_at;	/* when the access token expires (0: none) */
	int64_t refreshed_at;	/* the last successful refresh (0: never) */
	int64_t error_at;	/* the last failed refresh (0: none since the last success) */
	char *error;		/* its reason (new; NULL when none) */
	bool error_final;	/* the server refused it: no automatic retry until set-token */
};
int zalo_token_status(struct store *s, struct zalo_token_status *ret);
void zalo_token_status_release(struct zalo_token_status *st);

/* --- pure functions (used by the above; public for tests and the webhook) --- */

/* The class of an answer with HTTP status http and body error code error. */
enum zalo_class zalo_classify(long http, int error);
const char *zalo_class_to_string(enum zalo_class c);
/*
 * Seconds to wait before trying r's message again, at now: the next
 * minute (RATE), 06:00 Asia/Ho_Chi_Minh (NIGHT), the next local day
 * (QUOTA -144), an hour (other QUOTA); 0: the dispatcher's own backoff.
 */
int zalo_retry_after(const struct zalo_result *r, int64_t now);
/* "-230 User has not interacted with the OA in the past 7 days": new, for logs and the outbox. */
char *zalo_describe(const struct zalo_result *r);
/*
 * Reads an answer (n bytes at body, HTTP status http) into *ret: ok only
 * when HTTP is 2xx and "error" is the integer 0; a 2xx body without an
 * "error" or not JSON is TRANSIENT.
 */
void zalo_read_answer(const char *body, size_t n, long http, struct zalo_result *ret);
/*
 * data[key] as a new string: a string as is, an integer written in
 * decimal (ids sent as numbers); NULL when absent or of another type.
 */
char *zalo_data_string(const json_t *data, const char *key);

/*
 * True when header (X-ZEvent-Signature, with or without "mac=") is the
 * lowercase hex SHA-256 of app_id + the n raw bytes of body + timestamp
 * + oa_secret, compared in constant time.  Plain SHA-256, never HMAC.
 */
bool zalo_signature_ok(const char *app_id, const void *body, size_t n, const char *timestamp,
		       const char *oa_secret, const char *header);

#endif
