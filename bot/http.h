/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server (libmicrohttpd; the only module that includes it).  It
 * knows HTTP, not dondoc: modules register routes (http_route: a method,
 * a path or a path prefix, an optional check made on the headers, a
 * handler), called on the server's one thread; a route may answer later,
 * from another thread (http_later, http_answer).  A path routed for
 * other methods only is answered 405 with Allow, a path routed for none
 * 404; a GET route serves HEAD too (the same headers, no body).
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
#define HTTP_ROUTES_MAX 16
#define HTTP_HEADERS_MAX 8	/* response headers a route may add (http_set_header) */

/* A request, from its headers to its answer (which may come from another thread). */
struct http_req;

#define HTTP_LATER 0	/* a route's status: the answer comes through http_answer() */

struct http_route {
	/* "GET" (which serves HEAD too), "POST"...; borrowed for the server's life (static). */
	const char *method;
	/* The path as sent ("/healthz"), or with prefix what paths begin with ("/ical/"); static. */
	const char *path;
	bool prefix;
	/*
	 * When not NULL, on the server's thread as soon as the headers are
	 * read, so that a caller refused is refused before its body is: 0
	 * to go on, else the status to answer (401, 404...), with what
	 * http_reply() and http_set_header() gave, if anything.
	 */
	int (*auth)(void *userdata, struct http_req *q);
	/*
	 * On the server's thread, with the body read whole (NULL and 0 for
	 * GET, which is handled as soon as its headers are in): the status to
	 * answer, with the body given to http_reply() (none: a short text
	 * that says what the status means, or nothing for 2xx and 304) and
	 * the headers given to http_set_header(); or HTTP_LATER once it has
	 * called http_later(q) and handed q on.
	 */
	int (*handle)(void *userdata, struct http_req *q, const char *body, size_t n);
	void *userdata;
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
 * Listens on listen ("127.0.0.1:8080", "[::1]:8080") and serves, on a
 * thread of its own, the routes http_route() adds (none yet: 404); with
 * share, beside other processes listening there too (SO_REUSEPORT: the
 * kernel spreads connections between them).  0, or -errno with a new
 * message (bad address, port taken).
 */
int http_start(const char *listen, bool share, struct http **ret, char **reterr_msg);
/*
 * Adds a route (copied; its strings borrowed for the server's life), from
 * any thread, before or while serving.  A request goes to the route of
 * its path, else of the longest prefix of its path, and of its method.
 * 0, -EEXIST (that path and method are routed already), -ENOSPC
 * (HTTP_ROUTES_MAX routes already), -EINVAL (no handler, a path not
 * beginning with '/').
 */
int http_route(struct http *h, const struct http_route *r);
/* Stops: no new connection, the requests under way finished.  NULL-safe. */
struct http *http_stop(struct http *h);
/*
 * From any thread, while h is not freed: http_stop() has begun.  Whoever
 * holds requests given to http_later() answers them now, without long
 * work (503): the server cannot stop with one unanswered.
 */
bool http_stopping(struct http *h);
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
 * Inside a route, on the server's thread, what q asked: its method
 * ("HEAD" for a GET route's HEAD), its path as sent (before any '?' and
 * any decoding), its query string as sent (after '?'; NULL: none), one
 * of its headers (the first of that name, case-insensitive; NULL: none).
 * Borrowed from q.
 */
const char *http_method(struct http_req *q);
const char *http_path(struct http_req *q);
const char *http_query(struct http_req *q);
const char *http_header(struct http_req *q, const char *name);
/*
 * Inside a route, on the server's thread: the token of q's
 * "Authorization: Bearer" header, or NULL; borrowed from q.
 */
const char *http_bearer(struct http_req *q);
/*
 * Adds a header to q's answer (name and value copied), by the thread q
 * is with: the server's inside a route, else the one it was handed on
 * to, before http_answer().  0, -ENOSPC (HTTP_HEADERS_MAX already),
 * -EINVAL (a CR or LF in it; Content-Type, which is http_reply's, or
 * Content-Length, Transfer-Encoding, Connection, which are the server's).
 */
int http_set_header(struct http_req *q, const char *name, const char *value);
/*
 * Inside a route (or its auth): q's answer, status, content type
 * (copied; NULL: "text/plain; charset=utf-8") and body (a text, taken;
 * NULL: as for none).  Returns status, for the route to return.
 */
int http_reply(struct http_req *q, int status, const char *type, char *body);
/*
 * Gives q's answer a body that is not copied (a large text served again
 * and again): n bytes at body, which stay valid until unref(cls) is
 * called, on the server's thread, once the answer is sent or q ends
 * without it.  By the thread q is with, before http_reply() or
 * http_answer() with a NULL body, which then send it (with its type).
 * With a libmicrohttpd older than 0.9.73.02 the body is copied instead
 * and unref called as soon as the answer is made.
 */
void http_set_body_ref(struct http_req *q, const char *body, size_t n, void (*unref)(void *cls),
		       void *cls);
/*
 * Inside a route, on the server's thread: q will be answered later, by
 * http_answer().  Its connection waits meanwhile, and the server serves
 * the others.  Stopping the server first needs every such q answered.
 * release(data), when not NULL, is called on the server's thread once q
 * is done with: what that thread allocated is freed there.
 */
void http_later(struct http_req *q, void (*release)(void *data), void *data);
/*
 * Answers q (given to http_later) from any thread, as http_reply() says
 * (status, type, body taken), with the headers set on it meanwhile.  q is
 * not to be touched after.
 */
void http_answer(struct http_req *q, int status, const char *type, char *body);
/*
 * Equal, in a time that does not tell how much of a guess was right: for
 * secrets and tokens a request shows.  NULL equals nothing.
 */
bool http_secret_equal(const char *a, const char *b);

#endif
