/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server (libmicrohttpd; the only module that includes it):
 * Telegram's webhook, /healthz and /metrics (DESIGN §7).  It knows HTTP,
 * not dondoc: what a request means is the caller's, through the functions
 * of struct http_routes, called on the server's one thread; a route may
 * answer later, from another thread (http_later, http_answer).
 *
 * Limits: bodies of at most HTTP_BODY_MAX (413 beyond), HTTP_CONN_MAX
 * connections in all and HTTP_PER_IP_MAX from one address (a trusted
 * proxy's are counted in all only), an idle connection closed after
 * HTTP_TIMEOUT_S seconds, and a request not read whole (headers and body)
 * within HTTP_REQUEST_S of its connection's opening, or of the previous
 * answer on it, cut off.  A new connection that finds its address or the
 * server full takes the place of the connection that has been sending its
 * request the longest, so slow clients cannot keep others out.  Routes
 * are matched on the path as sent, before any decoding; an encoded NUL,
 * slash or backslash is refused (400), so are two different
 * Content-Length headers (400) and a transfer coding other than chunked
 * (501).  Stopping lets the request under way finish.
 */
#ifndef DONDOC_HTTP_H
#define DONDOC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_BODY_MAX ((size_t)1 << 20)
#define HTTP_CONN_MAX 256
#define HTTP_PER_IP_MAX 64
#define HTTP_TIMEOUT_S 15
#define HTTP_REQUEST_S 10

/* A request whose answer may come later, from another thread. */
struct http_req;

#define HTTP_LATER 0	/* a route's status: the answer comes through http_answer() */

struct http_routes {
	void *userdata;
	/*
	 * POST /telegram/webhook: secret is the X-Telegram-Bot-Api-Secret-Token
	 * header (NULL when absent), body the request body.  Returns the HTTP
	 * status to answer (200, 400, 401, 503...), or HTTP_LATER once it has
	 * called http_later(q) and handed q on.
	 */
	int (*telegram)(void *userdata, struct http_req *q, const char *secret, const char *body,
			size_t n);
	/*
	 * The same secret checked as soon as the headers are read, so that a
	 * caller without it is refused before its body is read: 0 to go on,
	 * else the HTTP status to answer (401, 404).
	 */
	int (*telegram_auth)(void *userdata, const char *secret);
	/*
	 * GET /healthz: HTTP_LATER once it has called http_later(q) and
	 * handed q on, to be answered with 200 or 503 and a new short text
	 * (NULL: "ok"); else the status to answer at once (200 "ok", 503).
	 */
	int (*health)(void *userdata, struct http_req *q);
	/*
	 * GET /metrics: HTTP_LATER once it has called http_later(q) and
	 * handed q on, to be answered with 200 and a new string in
	 * Prometheus text format (or 503 and NULL); else the status to
	 * answer at once: 401 (no token, or a wrong one), 403 (not for this
	 * client), 503.
	 */
	int (*metrics)(void *userdata, struct http_req *q);
};

/* Who sent a request. */
struct http_client {
	char addr[48];		/* numeric; "unknown" when a proxy named none we can read */
	bool loopback;		/* from this machine, and not relayed by a proxy we do not trust */
	bool proxied;		/* named by a trusted proxy's X-Forwarded-For */
};

/* Connections the server cut off since it started. */
struct http_stats {
	unsigned long long deadline;	/* request not read whole within HTTP_REQUEST_S */
	unsigned long long crowded;	/* made room for a new connection */
};

struct http;

/*
 * Listens on listen ("127.0.0.1:8080", "[::1]:8080") and serves routes on
 * a thread of its own.  0, or -errno with a new message (bad address, port
 * taken).
 */
int http_start(const char *listen, const struct http_routes *routes, struct http **ret,
	       char **reterr_msg);
/* Stops: no new connection, the requests under way finished.  NULL-safe. */
struct http *http_stop(struct http *h);
/* The port listened on (useful with port 0). */
int http_port(const struct http *h);
/*
 * The proxies whose X-Forwarded-For is believed, and whose connections
 * are not limited per address: numeric addresses separated by commas or
 * spaces (NULL: none).  From any thread.  0, or -EINVAL (nothing changed).
 */
int http_set_trusted(struct http *h, const char *list);
/* What the server has cut off so far; from any thread. */
void http_get_stats(struct http *h, struct http_stats *ret);
/*
 * Inside a route, on the server's thread: who sent q.  From a trusted
 * proxy, the client its X-Forwarded-For names last (past other trusted
 * proxies); from anyone else, the peer, which is not loopback when the
 * request says it was forwarded (X-Forwarded-For, Forwarded, X-Real-IP).
 */
void http_client(struct http_req *q, struct http_client *ret);
/*
 * Inside a route, on the server's thread: the token of q's
 * "Authorization: Bearer" header, or NULL; borrowed from q.
 */
const char *http_bearer(struct http_req *q);
/*
 * Inside a route, on the server's thread: q will be answered later, by
 * http_answer().  Its connection waits meanwhile, and the server serves
 * the others.  Stopping the server first needs every such q answered.
 * release(data), when not NULL, is called on the server's thread once q
 * is done with: what that thread allocated is freed there.
 */
void http_later(struct http_req *q, void (*release)(void *data), void *data);
/*
 * Answers q (given to http_later) from any thread: status, and body (a
 * JSON text for the webhook, Prometheus text for /metrics; taken; NULL:
 * a short one that says what the status means).  q is not to be touched
 * after.
 */
void http_answer(struct http_req *q, int status, char *body);

#endif
