/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server; see http.h and LIBRARIES.md §4.  One internal thread
 * (MHD's own event loop) reads requests and writes answers; a request
 * answered later (a webhook update, committed with others by web.c's
 * writer) is suspended meanwhile, and resumed by http_answer().  The
 * routes are an array that only grows: one is written whole, under the
 * lock, before the count that shows it to the server's thread is.
 *
 * MHD's timeout is an idle one: a client that sends a header line every
 * few seconds would hold its connection for ever.  So every connection is
 * tracked here (MHD_OPTION_NOTIFY_CONNECTION) with a deadline for its
 * request, which a watchdog thread enforces by shutting the socket down
 * (MHD then sees the end of the stream and closes it); and the accept
 * policy counts connections per address itself, so that a new one can
 * take the place of the slowest instead of being refused.  A socket is
 * shut down only under the lock that MHD's "closed" notification takes
 * before MHD closes it, so never once its descriptor is reused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "dlmhd.h"
#include "http.h"
#include "log.h"
#include "macro.h"
#include "xalloc.h"

#define DRAIN_MS 5000		/* how long stopping waits for requests under way */
#define TRUSTED_MAX 16		/* proxies in [http] trusted_proxy */
#define PATH_MAX_LEN 256	/* longer paths are no route of ours */
/* MHD's own limit, above ours: room for connections cut but not yet closed. */
#define CONN_SPARE 16

/* A connection, from accept to close. */
struct conn {
	struct conn *prev, *next;
	MHD_socket fd;
	struct in6_addr addr;	/* IPv4 as ::ffff:a.b.c.d */
	/* Monotonic ms by which the request under way must be read; 0: read. */
	int64_t deadline;
	uint64_t seq;		/* the order deadlines were set in: ties go to the oldest */
	bool cut;		/* shut down: closing, counted no more */
};

struct http {
	struct MHD_Daemon *d;
	/* Set by http_stop (another thread): answers close their connection. */
	atomic_bool stopping;
	/* Added under lock; routes[0..n_routes) read by the server's thread without it. */
	struct http_route routes[HTTP_ROUTES_MAX];
	atomic_size_t n_routes;
	int port;
	/* The connections, the trusted proxies and the counts; the watchdog's. */
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* a deadline set, or stopping */
	struct conn *conns;
	struct in6_addr trusted[TRUSTED_MAX];
	size_t n_trusted;
	struct http_stats stats;
	uint64_t seq;
	int64_t wake_at;	/* when the watchdog wakes next (0: when signalled) */
	pthread_t watchdog;
	bool watchdog_started;
	bool quit;
};

#define TEXT_TYPE "text/plain; charset=utf-8"

/* A request being read, or waiting for its answer. */
struct http_req {
	struct MHD_Connection *c;
	struct conn *conn;	/* NULL if MHD did not say (never, in practice) */
	struct http *h;
	char path[PATH_MAX_LEN + 1];	/* as sent, before '?'; "" when longer */
	char *query;		/* as sent, after '?'; NULL: none */
	const char *uri_end;	/* where the URI ended in MHD's buffer: a NUL inside shows */
	const char *method;	/* MHD's, for the request's life */
	bool routed;		/* the headers were seen */
	const struct http_route *route;
	bool reading;		/* its body is read before it is handled */
	struct buf body;
	bool too_big;
	bool later;		/* suspended, for http_answer() */
	bool answered;		/* status and answer are set */
	int status;
	char *type;		/* the answer's Content-Type; NULL: TEXT_TYPE */
	char *answer;		/* NULL: the status said in a few words */
	/* A body lent by the route (http_set_body_ref): unref(ref_cls) once MHD lets go. */
	const char *ref;
	size_t ref_n;
	void (*ref_unref)(void *cls);
	void *ref_cls;
	size_t n_headers;
	char *header[HTTP_HEADERS_MAX][2];	/* the answer's own headers: name, value */
	void (*release)(void *data);
	void *data;
};

/* --- addresses --------------------------------------------------------- */

/* An IPv4 or IPv6 socket address as IPv6 (IPv4-mapped); false for others. */
static bool
addr_of(const struct sockaddr *sa, struct in6_addr *ret)
{
	if (sa && sa->sa_family == AF_INET6) {
		*ret = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return true;
	}
	if (sa && sa->sa_family == AF_INET) {
		memset(ret, 0, sizeof(*ret));
		ret->s6_addr[10] = 0xff;
		ret->s6_addr[11] = 0xff;
		memcpy(&ret->s6_addr[12], &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	return false;
}

/* Parses a numeric address, IPv4 or IPv6 (brackets allowed), of n bytes. */
static bool
parse_addr(const char *s, size_t n, struct in6_addr *ret)
{
	char tmp[INET6_ADDRSTRLEN + 2];
	struct in_addr a4;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a4) == 1) {
		memset(ret, 0, sizeof(*ret));
		ret->s6_addr[10] = 0xff;
		ret->s6_addr[11] = 0xff;
		memcpy(&ret->s6_addr[12], &a4, 4);
		return true;
	}
	return inet_pton(AF_INET6, tmp, ret) == 1;
}

static bool
is_loopback(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static void
addr_text(const struct in6_addr *a, char *out, size_t size)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)size);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)size);
}

/* Under h->lock. */
static bool
trusted_locked(const struct http *h, const struct in6_addr *a)
{
	for (size_t i = 0; i < h->n_trusted; i++)
		if (memcmp(&h->trusted[i], a, sizeof(*a)) == 0)
			return true;
	return false;
}

int
http_set_trusted(struct http *h, const char *list)
{
	struct in6_addr v[TRUSTED_MAX];
	size_t n = 0;
	const char *p = list ? list : "";

	for (;;) {
		size_t k;

		p += strspn(p, ", \t");
		if (!*p)
			break;
		k = strcspn(p, ", \t");
		if (n == TRUSTED_MAX || !parse_addr(p, k, &v[n]))
			return -EINVAL;
		n++;
		p += k;
	}
	pthread_mutex_lock(&h->lock);
	memcpy(h->trusted, v, n * sizeof(v[0]));
	h->n_trusted = n;
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void
http_get_stats(struct http *h, struct http_stats *ret)
{
	pthread_mutex_lock(&h->lock);
	*ret = h->stats;
	pthread_mutex_unlock(&h->lock);
}

/* --- connections and their deadlines ------------------------------------ */

/* Under h->lock: the socket shut down; MHD sees the end and closes it. */
static void
cut_locked(struct conn *k)
{
	k->cut = true;
	(void)shutdown(k->fd, SHUT_RDWR);
}

/* Under h->lock: sets k's deadline for its next request (0: read). */
static void
arm_locked(struct http *h, struct conn *k, bool reading)
{
	k->deadline = reading ? clock_mono_ms() + HTTP_REQUEST_S * 1000 : 0;
	k->seq = ++h->seq;
	/* Deadlines only grow: the watchdog needs waking only when it sleeps for good. */
	if (reading && (!h->wake_at || k->deadline < h->wake_at))
		pthread_cond_signal(&h->cond);
}

static void
arm(struct http *h, struct conn *k, bool reading)
{
	if (!k)
		return;
	pthread_mutex_lock(&h->lock);
	arm_locked(h, k, reading);
	pthread_mutex_unlock(&h->lock);
}

/* Cuts the connections past their deadline; sleeps until the next one is due. */
static void *
watchdog_main(void *userdata)
{
	struct http *h = userdata;

	(void)pthread_setname_np(pthread_self(), "dondoc-deadline");
	pthread_mutex_lock(&h->lock);
	while (!h->quit) {
		int64_t now = clock_mono_ms(), next = 0;

		for (struct conn *k = h->conns; k; k = k->next) {
			if (k->cut || !k->deadline)
				continue;
			if (k->deadline <= now) {
				cut_locked(k);
				h->stats.deadline++;
			} else if (!next || k->deadline < next) {
				next = k->deadline;
			}
		}
		h->wake_at = next;
		if (!next) {
			pthread_cond_wait(&h->cond, &h->lock);
		} else {
			/* The condition variable runs on the monotonic clock (http_start). */
			struct timespec t = { .tv_sec = next / 1000, .tv_nsec = next % 1000 * 1000000 };

			(void)pthread_cond_timedwait(&h->cond, &h->lock, &t);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Under h->lock: the connection still reading its request the longest (of addr, if not NULL). */
static struct conn *
slowest_locked(struct http *h, const struct in6_addr *addr)
{
	struct conn *best = NULL;

	for (struct conn *k = h->conns; k; k = k->next)
		if (!k->cut && k->deadline && (!addr || memcmp(&k->addr, addr, sizeof(*addr)) == 0) &&
		    (!best || k->deadline < best->deadline ||
		     (k->deadline == best->deadline && k->seq < best->seq)))
			best = k;
	return best;
}

/*
 * MHD's accept policy, on its thread: a connection past a limit takes
 * the place of the slowest one still sending its request; with none, it
 * is refused.
 */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct http *h = cls;
	struct in6_addr a;
	size_t all = 0, same = 0;
	enum MHD_Result ret = MHD_YES;

	(void)len;
	if (!addr_of(sa, &a))
		return MHD_YES;
	pthread_mutex_lock(&h->lock);
	for (struct conn *k = h->conns; k; k = k->next) {
		if (k->cut)
			continue;
		all++;
		same += memcmp(&k->addr, &a, sizeof(a)) == 0;
	}
	if (same >= HTTP_PER_IP_MAX && !trusted_locked(h, &a)) {
		struct conn *k = slowest_locked(h, &a);

		if (k) {
			cut_locked(k);
			h->stats.crowded++;
			all--;
		} else {
			ret = MHD_NO;
		}
	}
	if (ret == MHD_YES && all >= HTTP_CONN_MAX) {
		struct conn *k = slowest_locked(h, NULL);

		if (k) {
			cut_locked(k);
			h->stats.crowded++;
		} else {
			ret = MHD_NO;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* MHD's connection notifications, on its thread: the tracking of each. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
	      enum MHD_ConnectionNotificationCode code)
{
	struct http *h = cls;
	struct conn *k = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			sym_MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *addr =
			sym_MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		if (!fd)
			return;
		k = xcalloc(1, sizeof(*k));
		k->fd = fd->connect_fd;
		if (!addr || !addr_of(addr->client_addr, &k->addr))
			memset(&k->addr, 0, sizeof(k->addr));
		pthread_mutex_lock(&h->lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		arm_locked(h, k, true);
		pthread_mutex_unlock(&h->lock);
		*socket_context = k;
		return;
	}
	if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
		/* MHD closes the socket after this: never shut down once reused. */
		pthread_mutex_lock(&h->lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			h->conns = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&h->lock);
		free(k);
		*socket_context = NULL;
	}
}

/* --- answers ------------------------------------------------------------ */

static enum MHD_Result
answer_with(struct http *h, struct MHD_Connection *c, unsigned status, const char *type,
	    const char *text, const char *header, const char *value)
{
	struct MHD_Response *r = sym_MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (header)
		sym_MHD_add_response_header(r, header, value);
	/* Stopping: a client that keeps its connection would hold the drain up. */
	if (atomic_load(&h->stopping))
		sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = sym_MHD_queue_response(c, status, r);
	sym_MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer(struct http *h, struct MHD_Connection *c, unsigned status, const char *type,
       const char *text)
{
	return answer_with(h, c, status, type, text, NULL, NULL);
}

/* What a status means, in the words of RFC 9110, for an answer with no body of its own. */
static const char *
reason(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 409: return "conflict";
	case 412: return "precondition failed";
	case 413: return "content too large";
	case 429: return "too many requests";
	case 501: return "not implemented";
	case 503: return "service unavailable";
	default: return status < 500 ? "refused" : "server error";
	}
}

/* q's answer as the route gave it (http_reply, http_set_header, http_answer). */
static enum MHD_Result
respond(struct http *h, struct MHD_Connection *c, struct http_req *q, int status)
{
	struct MHD_Response *r;
	const char *body = q->answer, *type = q->type ? q->type : TEXT_TYPE;
	bool lent = !body && q->ref_unref;
	char text[64];
	enum MHD_Result ret;

	if (status < 100 || status > 599)
		status = 500;
	if (!body && !lent && (status < 300 || status == 304)) {
		body = "";
	} else if (!body && !lent) {
		snprintf(text, sizeof(text), "%d %s\n", status, reason(status));
		body = text;
		type = TEXT_TYPE;
	}
	if (lent && sym_MHD_create_response_from_buffer_with_free_callback_cls)
		/* Not copied: MHD calls unref when the last answer made of it is gone. */
		r = sym_MHD_create_response_from_buffer_with_free_callback_cls(
			q->ref_n, (void *)q->ref, q->ref_unref, q->ref_cls);
	else if (lent)
		/* A library before 0.9.73.02 (dlmhd.h): copied, and given back at once. */
		r = sym_MHD_create_response_from_buffer(q->ref_n, (void *)q->ref,
							MHD_RESPMEM_MUST_COPY);
	else
		r = sym_MHD_create_response_from_buffer(strlen(body), (void *)body,
							MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (lent && !sym_MHD_create_response_from_buffer_with_free_callback_cls) {
		q->ref_unref(q->ref_cls);
		q->ref_unref = NULL;
	} else if (lent) {
		q->ref_unref = NULL;	/* MHD's now */
	}
	if (lent || *body)
		sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	for (size_t i = 0; i < q->n_headers; i++)
		sym_MHD_add_response_header(r, q->header[i][0], q->header[i][1]);
	/* Stopping: a client that keeps its connection would hold the drain up. */
	if (atomic_load(&h->stopping))
		sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	/* HEAD: MHD sends the headers of the GET, Content-Length too, and no body. */
	ret = sym_MHD_queue_response(c, (unsigned)status, r);
	sym_MHD_destroy_response(r);
	return ret;
}

/* MHD's request-line hook, before any decoding: q starts here, with the path as sent. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct http_req *q = xcalloc(1, sizeof(*q));
	const union MHD_ConnectionInfo *ctx =
		sym_MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	size_t n;

	q->h = cls;
	q->c = c;
	q->conn = ctx ? ctx->socket_context : NULL;
	if (uri) {
		n = strcspn(uri, "?");
		if (n <= PATH_MAX_LEN)
			memcpy(q->path, uri, n);
		/* MHD decodes the arguments in place later: the query as sent is copied. */
		if (uri[n] == '?')
			q->query = xstrdup(uri + n + 1);
		q->uri_end = uri + strlen(uri);
	}
	return q;
}

static void
done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct http_req *q = *con_cls;

	(void)c;
	if (q) {
		/* The next request on this connection has its own deadline. */
		if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
			arm(h, q->conn, true);
		if (q->release)
			q->release(q->data);
		if (q->ref_unref)
			q->ref_unref(q->ref_cls);
		buf_release(&q->body);
		for (size_t i = 0; i < q->n_headers; i++) {
			free(q->header[i][0]);
			free(q->header[i][1]);
		}
		free(q->query);
		free(q->type);
		free(q->answer);
		free(q);
		*con_cls = NULL;
	}
}

void
http_later(struct http_req *q, void (*release)(void *data), void *data)
{
	q->later = true;
	q->release = release;
	q->data = data;
	sym_MHD_suspend_connection(q->c);
}

void
http_set_body_ref(struct http_req *q, const char *body, size_t n, void (*unref)(void *cls),
		  void *cls)
{
	if (q->ref_unref)
		q->ref_unref(q->ref_cls);
	q->ref = body;
	q->ref_n = n;
	q->ref_unref = unref;
	q->ref_cls = cls;
}

int
http_reply(struct http_req *q, int status, const char *type, char *body)
{
	free(q->answer);
	q->answer = body;
	free(q->type);
	q->type = type ? xstrdup(type) : NULL;
	q->status = status;
	return status;
}

void
http_answer(struct http_req *q, int status, const char *type, char *body)
{
	(void)http_reply(q, status, type, body);
	q->answered = true;
	/* The server thread takes it from here: q is its again. */
	sym_MHD_resume_connection(q->c);
}

int
http_set_header(struct http_req *q, const char *name, const char *value)
{
	/* A line break would end the header and begin another, of the caller's choosing. */
	if (!*name || strpbrk(name, ":\r\n") || strpbrk(value, "\r\n"))
		return -EINVAL;
	/* The body's framing is the server's, its type http_reply's. */
	if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_TYPE) == 0 ||
	    strcasecmp(name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0 ||
	    strcasecmp(name, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0 ||
	    strcasecmp(name, MHD_HTTP_HEADER_CONNECTION) == 0)
		return -EINVAL;
	if (q->n_headers == HTTP_HEADERS_MAX)
		return -ENOSPC;
	q->header[q->n_headers][0] = xstrdup(name);
	q->header[q->n_headers++][1] = xstrdup(value);
	return 0;
}

/* The route handles q, which is read whole. */
static enum MHD_Result
handle(struct http *h, struct MHD_Connection *c, struct http_req *q)
{
	int status;

	/* Read whole: no deadline while it is answered. */
	arm(h, q->conn, false);
	if (q->too_big)
		return answer(h, c, MHD_HTTP_CONTENT_TOO_LARGE, TEXT_TYPE,
			      "content too large: a body of 1 MiB at most\n");
	status = q->route->handle(q->route->userdata, q, q->body.p, q->body.len);
	if (status == HTTP_LATER)
		return MHD_YES;
	return respond(h, c, q, status);
}

/* --- routes ------------------------------------------------------------ */

static bool
route_method(const struct http_route *r, const char *method)
{
	return strcmp(r->method, method) == 0 ||
	       (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 &&
		strcmp(r->method, MHD_HTTP_METHOD_GET) == 0);
}

/* How well r matches path: 0 not at all, else longer is better, an exact path best. */
static size_t
route_match(const struct http_route *r, const char *path)
{
	size_t n = strlen(r->path);

	if (!r->prefix)
		return strcmp(path, r->path) == 0 ? SIZE_MAX : 0;
	return strncmp(path, r->path, n) == 0 ? n : 0;
}

int
http_route(struct http *h, const struct http_route *r)
{
	size_t n;
	int ret = 0;

	if (!r->handle || !r->method || !r->path || r->path[0] != '/')
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	n = atomic_load(&h->n_routes);
	for (size_t i = 0; i < n && ret == 0; i++)
		if (h->routes[i].prefix == r->prefix && strcmp(h->routes[i].path, r->path) == 0 &&
		    strcmp(h->routes[i].method, r->method) == 0)
			ret = -EEXIST;
	if (ret == 0 && n == HTTP_ROUTES_MAX)
		ret = -ENOSPC;
	if (ret == 0) {
		h->routes[n] = *r;
		/* Written whole before the server's thread may see it. */
		atomic_store_explicit(&h->n_routes, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/*
 * The route of path and method; NULL, with the methods of the best
 * route's path in allow ("" when no route has it).
 */
static const struct http_route *
find_route(struct http *h, const char *path, const char *method, char *allow, size_t size)
{
	size_t n = atomic_load_explicit(&h->n_routes, memory_order_acquire), best = 0, len = 0;
	const struct http_route *found = NULL;

	allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t m = route_match(&h->routes[i], path);

		if (m > best) {
			best = m;
			found = NULL;
		}
		if (m && m == best && !found && route_method(&h->routes[i], method))
			found = &h->routes[i];
	}
	if (found || !best)
		return found;
	/* A route of best's kind and length has best's path: the same path. */
	for (size_t i = 0; i < n; i++) {
		const struct http_route *r = &h->routes[i];

		if (route_match(r, path) != best || len >= size)
			continue;
		len += (size_t)snprintf(allow + len, size - len, "%s%s%s", len ? ", " : "",
					r->method,
					strcmp(r->method, MHD_HTTP_METHOD_GET) == 0 ? ", HEAD" : "");
	}
	return NULL;
}

const char *
http_method(struct http_req *q)
{
	return q->method;
}

const char *
http_path(struct http_req *q)
{
	return q->path;
}

const char *
http_query(struct http_req *q)
{
	return q->query;
}

const char *
http_header(struct http_req *q, const char *name)
{
	return sym_MHD_lookup_connection_value(q->c, MHD_HEADER_KIND, name);
}

bool
http_secret_equal(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char d;

	if (!a || !b)
		return false;
	na = strlen(a);
	nb = strlen(b);
	d = na != nb;
	/* Every byte of a compared, whatever the first difference. */
	for (size_t i = 0; i < na; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (nb ? nb : 1)];
	return d == 0;
}

/* What the headers say of the body's framing. */
struct framing {
	const char *length;		/* the first Content-Length */
	bool lengths_differ;		/* a second one, not the same */
	int codings;			/* Transfer-Encoding headers */
	bool chunked;			/* the only one, and it says "chunked" */
	bool forwarded;			/* X-Forwarded-For, Forwarded or X-Real-IP */
};

static enum MHD_Result
framing_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (!key || !value)
		return MHD_YES;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (!f->length)
			f->length = value;
		else if (strcmp(f->length, value) != 0)
			f->lengths_differ = true;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->codings++;
		f->chunked = strcasecmp(value, "chunked") == 0;
	} else if (strcasecmp(key, "X-Forwarded-For") == 0 || strcasecmp(key, "Forwarded") == 0 ||
		   strcasecmp(key, "X-Real-IP") == 0) {
		f->forwarded = true;
	}
	return MHD_YES;
}

/* An encoded NUL, slash or backslash: a path meant to be read as another. */
static bool
path_smuggles(const char *path)
{
	for (const char *p = strchr(path, '%'); p; p = strchr(p + 1, '%'))
		if (strncmp(p, "%00", 3) == 0 || strncasecmp(p, "%2f", 3) == 0 ||
		    strncasecmp(p, "%5c", 3) == 0)
			return true;
	return false;
}

/* The headers are read: checked, and routed on the path as sent. */
static enum MHD_Result
on_headers(struct http *h, struct MHD_Connection *c, const char *method, const char *version,
	   struct http_req *q)
{
	struct framing f = { 0 };
	char allow[64];
	size_t max;
	int status;

	q->routed = true;
	(void)sym_MHD_get_connection_values(c, MHD_HEADER_KIND, framing_header, &f);
	/* Both framings, or two lengths: the body would end where another reader did not. */
	if (f.lengths_differ)
		return answer(h, c, MHD_HTTP_BAD_REQUEST, "text/plain",
			      "bad request: two different Content-Length headers\n");
	if (f.codings && f.length)
		return answer(h, c, MHD_HTTP_BAD_REQUEST, "text/plain",
			      "bad request: both Content-Length and Transfer-Encoding\n");
	/* MHD would read any other coding until the client closes. */
	if (f.codings > 1 || (f.codings && !f.chunked))
		return answer(h, c, MHD_HTTP_NOT_IMPLEMENTED, "text/plain",
			      "transfer coding refused: only chunked is taken\n");
	/*
	 * MHD hands on the URI up to its first NUL: a raw NUL shows as the
	 * URI's end falling short of the HTTP version that follows it.
	 */
	if ((version && *version && q->uri_end && version != q->uri_end + 1) ||
	    path_smuggles(q->path))
		return answer(h, c, MHD_HTTP_BAD_REQUEST, "text/plain",
			      "bad request: an encoded NUL, slash or backslash in the path\n");
	q->method = method;
	q->route = find_route(h, q->path, method, allow, sizeof(allow));
	if (!q->route && allow[0])
		return answer_with(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_TYPE,
				   "method not allowed\n", MHD_HTTP_HEADER_ALLOW, allow);
	if (!q->route)
		return answer(h, c, MHD_HTTP_NOT_FOUND, TEXT_TYPE, "not found\n");
	if (q->route->auth) {
		status = q->route->auth(q->route->userdata, q);
		if (status != 0)
			return respond(h, c, q, status);
	}
	/*
	 * A GET has no body to read; it is handled at MHD's next call, once
	 * MHD knows that: answered now, its connection would be closed.
	 */
	max = strcmp(q->route->method, MHD_HTTP_METHOD_GET) == 0 ? 0 : HTTP_BODY_MAX;
	if (f.length && strtoull(f.length, NULL, 10) > max)
		return answer(h, c, MHD_HTTP_CONTENT_TOO_LARGE, TEXT_TYPE, max ?
			      "content too large: a body of 1 MiB at most\n" :
			      "content too large: no body is taken here\n");
	q->reading = true;
	buf_init(&q->body, max);
	return MHD_YES;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct http_req *q = *con_cls;

	/* The path as sent is q's (on_uri); url is MHD's decoding of it. */
	(void)url;
	if (!q)
		return MHD_NO;
	if (!q->routed)
		return on_headers(h, c, method, version, q);
	if (q->answered)
		return respond(h, c, q, q->status);
	if (q->later || !q->reading)
		return MHD_YES;		/* still waiting: not for us to see */
	if (*upload_data_size) {
		/* Chunked bodies have no Content-Length: the cap is counted here. */
		if (!q->too_big && buf_add(&q->body, upload_data, *upload_data_size) < 0)
			q->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	q->reading = false;
	return handle(h, c, q);
}

/* --- who asked ----------------------------------------------------------- */

struct forwarded_for {
	struct buf list;	/* every X-Forwarded-For, in order, joined by commas */
	bool overflow;		/* longer than list's cap: not to be read */
};

static enum MHD_Result
xff_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct forwarded_for *x = cls;

	(void)kind;
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (x->list.len)
			(void)buf_addc(&x->list, ',');
		if (buf_adds(&x->list, value) < 0)
			x->overflow = true;
	}
	return MHD_YES;
}

void
http_client(struct http_req *q, struct http_client *ret)
{
	struct http *h = q->h;
	struct in6_addr peer = { 0 }, a;
	struct forwarded_for x = { .overflow = false };
	struct framing f = { 0 };
	bool trusted, known = true;

	if (q->conn)
		peer = q->conn->addr;
	a = peer;
	pthread_mutex_lock(&h->lock);
	trusted = trusted_locked(h, &peer);
	buf_init(&x.list, 4096);
	if (trusted)
		(void)sym_MHD_get_connection_values(q->c, MHD_HEADER_KIND, xff_header, &x);
	if (trusted && x.list.len) {
		/* From the right: each proxy added the address it saw; a client's own come first. */
		size_t end = x.list.len;

		known = !x.overflow;
		while (known) {
			size_t start = end, s, e;

			while (start > 0 && x.list.p[start - 1] != ',')
				start--;
			for (s = start; s < end && (x.list.p[s] == ' ' || x.list.p[s] == '\t'); s++)
				;
			for (e = end; e > s && (x.list.p[e - 1] == ' ' || x.list.p[e - 1] == '\t'); e--)
				;
			if (!parse_addr(x.list.p + s, e - s, &a)) {
				known = false;
				break;
			}
			if (start == 0 || !trusted_locked(h, &a))
				break;
			end = start - 1;
		}
	}
	pthread_mutex_unlock(&h->lock);
	if (!trusted)
		(void)sym_MHD_get_connection_values(q->c, MHD_HEADER_KIND, framing_header, &f);
	memset(ret, 0, sizeof(*ret));
	ret->proxied = trusted && x.list.len > 0;
	if (known) {
		addr_text(&a, ret->addr, sizeof(ret->addr));
		ret->loopback = is_loopback(&a) && !f.forwarded;
	} else {
		snprintf(ret->addr, sizeof(ret->addr), "unknown");
	}
	buf_release(&x.list);
}

const char *
http_bearer(struct http_req *q)
{
	const char *v = sym_MHD_lookup_connection_value(q->c, MHD_HEADER_KIND,
							MHD_HTTP_HEADER_AUTHORIZATION);

	if (!v || strncasecmp(v, "Bearer ", 7) != 0)
		return NULL;
	v += 7;
	v += strspn(v, " ");
	return *v ? v : NULL;
}

/* --- start and stop ----------------------------------------------------- */

/* Parses "host:port" or "[v6]:port" into a socket address. */
static int
resolve(const char *listen, struct sockaddr_storage *ret, socklen_t *ret_len, char **reterr_msg)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICSERV | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char host[256];
	const char *port;
	int r;

	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');

		if (!end || end[1] != ':')
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(end - listen - 1), listen + 1);
		port = end + 2;
	} else {
		port = strrchr(listen, ':');
		if (!port)
			goto bad;
		snprintf(host, sizeof(host), "%.*s", (int)(port - listen), listen);
		port++;
	}
	r = getaddrinfo(host, port, &hints, &ai);
	if (r != 0) {
		*reterr_msg = xasprintf("[http] listen '%s': %s", listen, gai_strerror(r));
		return -EINVAL;
	}
	memcpy(ret, ai->ai_addr, ai->ai_addrlen);
	*ret_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
bad:
	*reterr_msg = xasprintf("[http] listen '%s': expected host:port", listen);
	return -EINVAL;
}

/* The watchdog stopped and joined; what it and MHD shared freed. */
static void
http_free(struct http *h)
{
	if (h->watchdog_started) {
		pthread_mutex_lock(&h->lock);
		h->quit = true;
		pthread_cond_signal(&h->cond);
		pthread_mutex_unlock(&h->lock);
		pthread_join(h->watchdog, NULL);
	}
	/* MHD said "closed" for each connection it stopped; none is left, unless it did not. */
	while (h->conns) {
		struct conn *k = h->conns;

		h->conns = k->next;
		free(k);
	}
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

int
http_start(const char *listen, bool share, struct http **ret, char **reterr_msg)
{
	struct sockaddr_storage sa;
	socklen_t sa_len = 0;
	struct http *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	pthread_condattr_t ca;
	int r;

	r = dlmhd_load(reterr_msg);
	if (r < 0)
		return r;
	r = resolve(listen, &sa, &sa_len, reterr_msg);
	if (r < 0)
		return r;
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	/* Deadlines are monotonic milliseconds (clock_mono_ms): so is the wait. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = -pthread_create(&h->watchdog, NULL, watchdog_main, h);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot start the HTTP server's watchdog: %s", strerror(-r));
		http_free(h);
		return r;
	}
	h->watchdog_started = true;
	/* The per-address limit is on_accept's, which can make room instead of refusing. */
	h->d = sym_MHD_start_daemon(flags, 0, on_accept, h, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(HTTP_CONN_MAX + CONN_SPARE),
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				/* Zeroed for each request: no bigger than headers need. */
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
				MHD_OPTION_NOTIFY_COMPLETED, done, h,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
				/*
				 * Last: shared, SO_REUSEPORT; else the list ends here,
				 * SO_REUSEADDR alone (MHD reads a 0 as "exclusive": a
				 * restart would then wait out the old TIME_WAITs).
				 */
				share ? MHD_OPTION_LISTENING_ADDRESS_REUSE : MHD_OPTION_END,
				(unsigned int)1,
				MHD_OPTION_END);
	if (!h->d) {
		*reterr_msg = xasprintf("[http] cannot listen on %s (address in use, or not this "
					"machine's?%s)", listen, share ? "" : " Instances that share "
					"it set [http] share_port = yes");
		http_free(h);
		return -EADDRINUSE;
	}
	info = sym_MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? (int)info->port : 0;
	*ret = h;
	return 0;
}

bool
http_stopping(struct http *h)
{
	return atomic_load(&h->stopping);
}

int
http_port(const struct http *h)
{
	return h->port;
}

struct http *
http_stop(struct http *h)
{
	MHD_socket ls;

	if (!h)
		return NULL;
	/* No new connections; the ones under way finish (LIBRARIES.md §4). */
	atomic_store(&h->stopping, true);
	ls = sym_MHD_quiesce_daemon(h->d);
	for (int waited = 0; waited < DRAIN_MS; waited += 10) {
		const union MHD_DaemonInfo *info =
			sym_MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		struct timespec t = { 0, 10 * 1000000 };

		if (!info || info->num_connections == 0)
			break;
		nanosleep(&t, NULL);
	}
	sym_MHD_stop_daemon(h->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	http_free(h);
	return NULL;
}
