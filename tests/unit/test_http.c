/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of http.c on loopback, with a client written on raw
 * sockets: a webhook request answered later, from another thread, while
 * the server goes on serving others; its release function run once it
 * is done with; the secret refused at the headers; a body too big; and
 * the server stopped once its requests are answered.  Then odd and slow
 * clients: routes matched on the path as sent (%00, %2F refused), two
 * Content-Length headers and unknown transfer codings refused at once, a
 * connection past its address's limit making room, and who a request is
 * from when a trusted proxy forwards it.  And the route table: exact
 * paths before prefixes, 405 with Allow, HEAD served by a GET route with
 * its headers and no body, request headers and the query read, response
 * headers given at once and later, an ETag's round trip (304), a body
 * lent rather than copied (http_set_body_ref) given back once sent.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dlmhd.h"
#include "http.h"
#include "xalloc.h"

/* What the routes saw, and what the test hands them; under lock. */
struct fx {
	struct http *h;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct http_req *waiting;	/* a request given to http_later */
	char body[64];
	int released;			/* release() calls */
	pthread_t released_on;
	pthread_t server_thread;	/* the thread the routes run on */
	int webhooks;			/* route_telegram calls */
	struct http_client client;	/* what route_metrics saw */
	char bearer[64];
	char feed[128];			/* what route_feed saw: method path ?query */
	int unrefs;			/* lent_unref calls */
};

static void
release(void *data)
{
	struct fx *f = data;

	pthread_mutex_lock(&f->lock);
	f->released++;
	f->released_on = pthread_self();
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* The secret, read from the request's headers as Telegram sends it. */
static bool
has_secret(struct http_req *q)
{
	const char *secret = http_header(q, "x-telegram-bot-api-secret-token");

	return secret && strcmp(secret, "s3cret") == 0;
}

static int
route_telegram(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct fx *f = userdata;

	f->webhooks++;
	if (!has_secret(q))
		return 401;
	if (n == 5 && memcmp(body, "later", 5) == 0) {
		http_later(q, release, f);
		pthread_mutex_lock(&f->lock);
		f->waiting = q;
		f->server_thread = pthread_self();
		snprintf(f->body, sizeof(f->body), "%.*s", (int)n, body);
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		return HTTP_LATER;
	}
	if (!n)
		return 400;
	return http_reply(q, 200, "application/json", xstrdup("{\"ok\":true,\"description\":\"handled\"}"));
}

static int
route_auth(void *userdata, struct http_req *q)
{
	(void)userdata;
	return has_secret(q) ? 0 : 401;
}

static int
route_health(void *userdata, struct http_req *q, const char *body, size_t n)
{
	(void)userdata;
	(void)body;
	(void)n;
	return http_reply(q, 200, NULL, xstrdup("ok\n"));
}

/* Says who asked, and refuses: 403. */
static int
route_metrics(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct fx *f = userdata;
	const char *b = http_bearer(q);

	(void)body;
	(void)n;
	http_client(q, &f->client);
	snprintf(f->bearer, sizeof(f->bearer), "%s", b ? b : "(none)");
	return 403;
}

#define ETAG "\"v1-2025\""

/*
 * A feed under /feed/: validators and caching in its headers, 304 when
 * the client has it already; /feed/later answered by the test's thread.
 */
static int
route_feed(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct fx *f = userdata;
	const char *inm = http_header(q, "If-None-Match"), *query = http_query(q);

	(void)body;
	(void)n;
	snprintf(f->feed, sizeof(f->feed), "%s %s ?%s", http_method(q), http_path(q),
		 query ? query : "(none)");
	if (strcmp(http_path(q), "/feed/later") == 0) {
		http_later(q, NULL, NULL);
		pthread_mutex_lock(&f->lock);
		f->waiting = q;
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		return HTTP_LATER;
	}
	assert_int_equal(http_set_header(q, "ETag", ETAG), 0);
	assert_int_equal(http_set_header(q, "Cache-Control", "private, max-age=300"), 0);
	/* A header that would smuggle another: refused, and not sent. */
	assert_int_equal(http_set_header(q, "X-Bad", "a\r\nSet-Cookie: x=1"), -EINVAL);
	assert_int_equal(http_set_header(q, "content-length", "0"), -EINVAL);
	if (inm && strcmp(inm, ETAG) == 0)
		return 304;
	return http_reply(q, 200, "text/calendar; charset=utf-8",
			  xstrdup("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"));
}

/* An exact path under the prefix: its own route. */
static int
route_exact(void *userdata, struct http_req *q, const char *body, size_t n)
{
	(void)userdata;
	(void)body;
	(void)n;
	return http_reply(q, 200, NULL, xstrdup("exact\n"));
}

#define LENT "BEGIN:VCALENDAR\r\nLENT\r\nEND:VCALENDAR\r\n"

static void
lent_unref(void *cls)
{
	struct fx *f = cls;

	pthread_mutex_lock(&f->lock);
	f->unrefs++;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* GET /lent: a body lent, not copied; /lent?drop lends it and answers another. */
static int
route_lent(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct fx *f = userdata;

	(void)body;
	(void)n;
	http_set_body_ref(q, LENT, strlen(LENT), lent_unref, f);
	if (http_query(q))
		return http_reply(q, 404, NULL, xstrdup("gone\n"));
	return http_reply(q, 200, "text/calendar; charset=utf-8", NULL);
}

/* Waits (10 s at most) for n unref calls in all. */
static void
wait_unrefs(struct fx *f, int n)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += 10;
	pthread_mutex_lock(&f->lock);
	while (f->unrefs < n && pthread_cond_timedwait(&f->cond, &f->lock, &t) == 0)
		;
	assert_int_equal(f->unrefs, n);
	pthread_mutex_unlock(&f->lock);
}

/* POST /both, beside GET /both: the body echoed. */
static int
route_echo(void *userdata, struct http_req *q, const char *body, size_t n)
{
	(void)userdata;
	return http_reply(q, 201, NULL, xstrndup(body, n));
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const struct http_route routes[] = {
		{ .method = "POST", .path = "/telegram/webhook", .auth = route_auth,
		  .handle = route_telegram },
		{ .method = "GET", .path = "/healthz", .handle = route_health },
		{ .method = "GET", .path = "/metrics", .handle = route_metrics },
		{ .method = "GET", .path = "/feed/", .prefix = true, .handle = route_feed },
		{ .method = "GET", .path = "/feed/exact", .handle = route_exact },
		{ .method = "GET", .path = "/both", .handle = route_exact },
		{ .method = "POST", .path = "/both", .handle = route_echo },
		{ .method = "GET", .path = "/lent", .handle = route_lent },
	};
	char *msg = NULL;

	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (http_start("127.0.0.1:0", false, &f->h, &msg) < 0) {
		fprintf(stderr, "http_start: %s\n", msg);
		free(msg);
		return -1;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct http_route r = routes[i];

		r.userdata = f;
		if (http_route(f->h, &r) < 0)
			return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	http_stop(f->h);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* A connection from source (127.0.0.x), to the server on 127.0.0.1. */
static int
connect_from(const struct fx *f, const char *source)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(http_port(f->h)) };
	struct sockaddr_in s = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, source, &s.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof(s)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static int
connect_to(const struct fx *f)
{
	return connect_from(f, "127.0.0.1");
}

static void
send_all(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		assert_true(k > 0);
		s += k;
		n -= (size_t)k;
	}
}

/* Reads one whole response (headers, then Content-Length bytes) into out. */
static void
read_response(int fd, char *out, size_t size)
{
	size_t n = 0;
	const char *end = NULL, *len;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		assert_true(poll(&p, 1, 10000) == 1);
		k = recv(fd, out + n, size - 1 - n, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
		out[n] = '\0';
		end = strstr(out, "\r\n\r\n");
		len = strcasestr(out, "\r\nContent-Length: ");
		if (end && len && n >= (size_t)(end + 4 - out) + strtoul(len + 18, NULL, 10))
			break;
	}
	out[n] = '\0';
	assert_non_null(end);
}

static void
post(int fd, const char *secret, const char *body)
{
	char req[512];

	snprintf(req, sizeof(req), "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n%s%s%s"
		 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 secret ? "X-Telegram-Bot-Api-Secret-Token: " : "", secret ? secret : "",
		 secret ? "\r\n" : "", strlen(body), body);
	send_all(fd, req);
}

static void
test_answered_later_from_another_thread(void **state)
{
	struct fx *f = *state;
	char resp[2048];
	struct pollfd p;
	int a = connect_to(f), b = connect_to(f);

	post(a, "s3cret", "later");
	pthread_mutex_lock(&f->lock);
	while (!f->waiting)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	assert_string_equal(f->body, "later");
	/* Not answered yet: nothing to read... */
	p = (struct pollfd){ .fd = a, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 0), 0);
	/* ...and meanwhile the server answers others. */
	send_all(b, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
	read_response(b, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(resp, "\r\n\r\nok\n"));
	assert_int_equal(f->released, 0);

	/* The answer, from this thread: status and a JSON body of ours. */
	http_answer(f->waiting, 200, "application/json",
		    xstrdup("{\"method\":\"answerCallbackQuery\",\"text\":\"Đã ghi nhận\"}"));
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strcasestr(resp, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(resp, "\r\n\r\n{\"method\":\"answerCallbackQuery\",\"text\":\"Đã ghi nhận\"}"));
	/* The same connection serves the next request (keep-alive). */
	post(a, "s3cret", "{}");
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(resp, "{\"ok\":true,\"description\":\"handled\"}"));
	close(a);
	close(b);
	/* Released once, on the server's thread, which made what it frees. */
	pthread_mutex_lock(&f->lock);
	while (f->released == 0)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(f->released, 1);
	assert_true(pthread_equal(f->released_on, f->server_thread));
}

static void
test_answered_later_with_a_status(void **state)
{
	struct fx *f = *state;
	char resp[2048];
	int a = connect_to(f);

	post(a, "s3cret", "later");
	pthread_mutex_lock(&f->lock);
	while (!f->waiting)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	/* Not committed: 503, for Telegram to send it again; no body given, a short one. */
	http_answer(f->waiting, 503, NULL, NULL);
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 503", 12) == 0);
	assert_non_null(strstr(resp, "\r\n\r\n503 service unavailable\n"));
	close(a);
}

static void
test_refused_at_once(void **state)
{
	struct fx *f = *state;
	char resp[2048], big[160];
	int a = connect_to(f);

	post(a, "wrong", "later");
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 401", 12) == 0);
	close(a);
	a = connect_to(f);
	post(a, NULL, "later");
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 401", 12) == 0);
	close(a);
	/* A body said to be larger than 1 MiB: refused before it is sent. */
	a = connect_to(f);
	snprintf(big, sizeof(big), "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
		 "X-Telegram-Bot-Api-Secret-Token: s3cret\r\nContent-Length: %zu\r\n\r\n",
		 HTTP_BODY_MAX + 1);
	send_all(a, big);
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 413", 12) == 0);
	close(a);
	/* Nothing was handed on, so nothing to release. */
	assert_null(f->waiting);
	assert_int_equal(f->released, 0);
}

/* Sends req (n bytes) on a new connection; the response's first line's status. */
static int
status_of(struct fx *f, const char *req, size_t n)
{
	char resp[2048];
	int a = connect_to(f), status;

	while (n) {
		ssize_t k = send(a, req, n, MSG_NOSIGNAL);

		assert_true(k > 0);
		req += k;
		n -= (size_t)k;
	}
	read_response(a, resp, sizeof(resp));
	close(a);
	assert_true(strncmp(resp, "HTTP/1.1 ", 9) == 0);
	status = (int)strtol(resp + 9, NULL, 10);
	return status;
}

#define STATUS_OF(f, lit) status_of((f), (lit), sizeof(lit) - 1)

static void
test_path_as_sent(void **state)
{
	struct fx *f = *state;

	assert_int_equal(STATUS_OF(f, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"), 200);
	assert_int_equal(STATUS_OF(f, "GET /healthz?probe=1 HTTP/1.1\r\nHost: t\r\n\r\n"), 200);
	/* MHD would decode these to /healthz and /telegram/webhook. */
	assert_int_equal(STATUS_OF(f, "GET /healthz%00x HTTP/1.1\r\nHost: t\r\n\r\n"), 400);
	assert_int_equal(STATUS_OF(f, "GET /healthz\0x HTTP/1.1\r\nHost: t\r\n\r\n"), 400);
	assert_int_equal(STATUS_OF(f, "GET /%68ealthz HTTP/1.1\r\nHost: t\r\n\r\n"), 404);
	assert_int_equal(STATUS_OF(f, "POST /telegram%2Fwebhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Content-Length: 2\r\n\r\n{}"), 400);
	assert_int_equal(STATUS_OF(f, "POST /telegram%5cwebhook HTTP/1.1\r\nHost: t\r\n"
				   "Content-Length: 2\r\n\r\n{}"), 400);
	assert_int_equal(f->webhooks, 0);
}

static void
test_framing_refused_at_once(void **state)
{
	struct fx *f = *state;

	assert_int_equal(STATUS_OF(f, "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Content-Length: 2\r\nContent-Length: 20\r\n\r\n{}"), 400);
	/* read_response() fails after 10 s: MHD alone would wait for the client to close. */
	assert_int_equal(STATUS_OF(f, "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"), 501);
	assert_int_equal(STATUS_OF(f, "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n"
				   "2\r\n{}\r\n0\r\n\r\n"), 400);
	assert_int_equal(f->webhooks, 0);
	/* The same length twice is one length; chunked alone is fine. */
	assert_int_equal(STATUS_OF(f, "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}"), 200);
	assert_int_equal(STATUS_OF(f, "POST /telegram/webhook HTTP/1.1\r\nHost: t\r\n"
				   "X-Telegram-Bot-Api-Secret-Token: s3cret\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"), 200);
}

/* Whether the server closed fd (within a second). */
static bool
closed_by_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	return poll(&p, 1, 1000) == 1 && recv(fd, &c, 1, 0) <= 0;
}

static void
test_crowded_address_makes_room(void **state)
{
	struct fx *f = *state;
	int fds[HTTP_PER_IP_MAX], a;
	char resp[2048];
	struct http_stats st;
	struct pollfd p;

	/* As many connections as one address may have, each sending a header line. */
	for (int i = 0; i < HTTP_PER_IP_MAX; i++) {
		fds[i] = connect_from(f, "127.0.0.2");
		send_all(fds[i], "GET /healthz HTTP/1.1\r\n");
	}
	/* One more from there: the oldest gives way, the others stay. */
	a = connect_from(f, "127.0.0.2");
	send_all(a, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 200", 12) == 0);
	close(a);
	assert_true(closed_by_server(fds[0]));
	p = (struct pollfd){ .fd = fds[1], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 100), 0);
	http_get_stats(f->h, &st);
	assert_int_equal(st.crowded, 1);
	assert_int_equal(st.deadline, 0);
	/* A trusted proxy speaks for many: not limited per address. */
	assert_int_equal(http_set_trusted(f->h, "127.0.0.2"), 0);
	a = connect_from(f, "127.0.0.2");
	send_all(a, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
	read_response(a, resp, sizeof(resp));
	close(a);
	p = (struct pollfd){ .fd = fds[1], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 100), 0);
	http_get_stats(f->h, &st);
	assert_int_equal(st.crowded, 1);
	for (int i = 0; i < HTTP_PER_IP_MAX; i++)
		close(fds[i]);
}

static void
test_client_behind_trusted_proxy(void **state)
{
	struct fx *f = *state;

	assert_int_equal(http_set_trusted(f->h, "proxy.example"), -EINVAL);
	/* No proxy trusted: the peer, and a forwarded request is not loopback. */
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n"
				   "Authorization: Bearer tok-1\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "127.0.0.1");
	assert_true(f->client.loopback);
	assert_false(f->client.proxied);
	assert_string_equal(f->bearer, "tok-1");
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n"
				   "X-Forwarded-For: 127.0.0.1\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "127.0.0.1");
	assert_false(f->client.loopback);
	assert_string_equal(f->bearer, "(none)");
	/* Trusted: the last address its proxies did not add. */
	assert_int_equal(http_set_trusted(f->h, "10.0.0.9, 127.0.0.1 [::1]"), 0);
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n"
				   "X-Forwarded-For: 127.0.0.1, 203.0.113.7\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "203.0.113.7");
	assert_false(f->client.loopback);
	assert_true(f->client.proxied);
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n"
				   "X-Forwarded-For: 2001:db8::1\r\n"
				   "X-Forwarded-For: 127.0.0.5, 10.0.0.9\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "127.0.0.5");
	assert_true(f->client.loopback);
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n"
				   "X-Forwarded-For: not-an-address\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "unknown");
	assert_false(f->client.loopback);
	/* From the proxy's machine itself, no header: the proxy is the client. */
	assert_int_equal(STATUS_OF(f, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n"), 403);
	assert_string_equal(f->client.addr, "127.0.0.1");
	assert_true(f->client.loopback);
	assert_false(f->client.proxied);
}

/* Sends req on a new connection; its response, whole, in resp; its status. */
static int
exchange(struct fx *f, const char *req, char *resp, size_t size)
{
	int a = connect_to(f);

	send_all(a, req);
	read_response(a, resp, size);
	close(a);
	assert_true(strncmp(resp, "HTTP/1.1 ", 9) == 0);
	return (int)strtol(resp + 9, NULL, 10);
}

/* Sends req; the response's headers in resp, and nothing after them (HEAD, 304). */
static int
exchange_head(struct fx *f, const char *req, char *resp, size_t size)
{
	int a = connect_to(f);
	size_t n = 0;
	struct pollfd p = { .fd = a, .events = POLLIN };

	send_all(a, req);
	while (!strstr(resp, "\r\n\r\n") || !n) {
		ssize_t k;

		assert_true(poll(&p, 1, 10000) == 1);
		k = recv(a, resp + n, size - 1 - n, 0);
		assert_true(k > 0);
		n += (size_t)k;
		resp[n] = '\0';
	}
	/* The headers end the response: no body follows them. */
	assert_true(strstr(resp, "\r\n\r\n")[4] == '\0');
	assert_int_equal(poll(&p, 1, 200), 0);
	close(a);
	return (int)strtol(resp + 9, NULL, 10);
}

static void
test_routes(void **state)
{
	struct fx *f = *state;
	char resp[2048];
	int a;

	/* A prefix route, with the path and the query as sent. */
	assert_int_equal(exchange(f, "GET /feed/an%20agency.ics?token=a%2Bb&x HTTP/1.1\r\nHost: t\r\n\r\n",
				  resp, sizeof(resp)), 200);
	assert_string_equal(f->feed, "GET /feed/an%20agency.ics ?token=a%2Bb&x");
	assert_non_null(strcasestr(resp, "\r\nContent-Type: text/calendar; charset=utf-8\r\n"));
	assert_non_null(strstr(resp, "\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"));
	/* Response headers, the one refused left out. */
	assert_non_null(strstr(resp, "\r\nETag: " ETAG "\r\n"));
	assert_non_null(strstr(resp, "\r\nCache-Control: private, max-age=300\r\n"));
	assert_null(strcasestr(resp, "Set-Cookie"));
	assert_null(strstr(resp, "X-Bad"));
	assert_int_equal(exchange(f, "GET /feed/ HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	assert_string_equal(f->feed, "GET /feed/ ?(none)");
	/* An exact path beats the prefix it is under; the prefix alone is no path of it. */
	assert_int_equal(exchange(f, "GET /feed/exact HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	assert_non_null(strstr(resp, "\r\n\r\nexact\n"));
	assert_int_equal(exchange(f, "GET /feed/exact/x HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	assert_string_equal(f->feed, "GET /feed/exact/x ?(none)");
	assert_int_equal(exchange(f, "GET /feed HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 404);
	assert_int_equal(exchange(f, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 404);
	assert_non_null(strstr(resp, "\r\n\r\nnot found\n"));
	/* A path routed for other methods: 405, and Allow says which. */
	assert_int_equal(exchange(f, "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
				  resp, sizeof(resp)), 405);
	assert_non_null(strstr(resp, "\r\nAllow: GET, HEAD\r\n"));
	assert_int_equal(exchange(f, "GET /telegram/webhook HTTP/1.1\r\nHost: t\r\n\r\n", resp,
				  sizeof(resp)), 405);
	assert_non_null(strstr(resp, "\r\nAllow: POST\r\n"));
	assert_int_equal(exchange(f, "DELETE /both HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 405);
	assert_non_null(strstr(resp, "\r\nAllow: GET, HEAD, POST\r\n"));
	assert_int_equal(exchange(f, "PUT /feed/x HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
				  resp, sizeof(resp)), 405);
	assert_non_null(strstr(resp, "\r\nAllow: GET, HEAD\r\n"));
	/* Two methods on one path, each to its own. */
	assert_int_equal(exchange(f, "POST /both HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping",
				  resp, sizeof(resp)), 201);
	assert_non_null(strstr(resp, "\r\n\r\nping"));
	assert_int_equal(exchange(f, "GET /both HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	/* A GET keeps its connection for the next (a feed polled, a prober). */
	a = connect_to(f);
	send_all(a, "GET /feed/a.ics HTTP/1.1\r\nHost: t\r\n\r\n");
	read_response(a, resp, sizeof(resp));
	assert_null(strcasestr(resp, "\r\nConnection: close"));
	send_all(a, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
	read_response(a, resp, sizeof(resp));
	assert_non_null(strstr(resp, "\r\n\r\nok\n"));
	close(a);
	/* A GET with a body: none is taken. */
	assert_int_equal(exchange(f, "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}",
				  resp, sizeof(resp)), 413);
	assert_int_equal(f->webhooks, 0);
}

static void
test_head(void **state)
{
	struct fx *f = *state;
	char get[2048], head[2048] = "";

	/* The headers of the GET, Content-Length too, and no body. */
	assert_int_equal(exchange(f, "GET /feed/a.ics HTTP/1.1\r\nHost: t\r\n\r\n", get, sizeof(get)), 200);
	assert_int_equal(exchange_head(f, "HEAD /feed/a.ics HTTP/1.1\r\nHost: t\r\n\r\n", head,
				       sizeof(head)), 200);
	assert_string_equal(f->feed, "HEAD /feed/a.ics ?(none)");
	assert_non_null(strstr(head, "\r\nETag: " ETAG "\r\n"));
	assert_non_null(strcasestr(head, "\r\nContent-Type: text/calendar; charset=utf-8\r\n"));
	assert_non_null(strcasestr(head, "\r\nContent-Length: 32\r\n"));
	assert_non_null(strcasestr(get, "\r\nContent-Length: 32\r\n"));
	/* A route for POST alone serves no HEAD. */
	memset(head, 0, sizeof(head));
	assert_int_equal(exchange(f, "HEAD /telegram/webhook HTTP/1.1\r\nHost: t\r\n\r\n", head,
				  sizeof(head)), 405);
}

static void
test_etag_round_trip(void **state)
{
	struct fx *f = *state;
	char resp[2048] = "", req[256];
	const char *etag;
	size_t n;

	assert_int_equal(exchange(f, "GET /feed/a.ics HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	etag = strstr(resp, "\r\nETag: ");
	assert_non_null(etag);
	etag += 8;
	n = strcspn(etag, "\r");
	/* The validator given back: 304, its headers, no body. */
	snprintf(req, sizeof(req), "GET /feed/a.ics HTTP/1.1\r\nHost: t\r\nIf-None-Match: %.*s\r\n\r\n",
		 (int)n, etag);
	memset(resp, 0, sizeof(resp));
	assert_int_equal(exchange_head(f, req, resp, sizeof(resp)), 304);
	assert_non_null(strstr(resp, "\r\nETag: " ETAG "\r\n"));
	assert_non_null(strstr(resp, "\r\nCache-Control: private, max-age=300\r\n"));
	/* Another validator: the whole feed. */
	assert_int_equal(exchange(f, "GET /feed/a.ics HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"v0\"\r\n\r\n",
				  resp, sizeof(resp)), 200);
	assert_non_null(strstr(resp, "\r\n\r\nBEGIN:VCALENDAR"));
}

/* A lent body: sent as it is, HEAD too, and given back once each answer is done with it. */
static void
test_lent_body(void **state)
{
	struct fx *f = *state;
	char resp[2048] = "";

	assert_int_equal(exchange(f, "GET /lent HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	assert_non_null(strstr(resp, "\r\n\r\n" LENT));
	assert_non_null(strcasestr(resp, "\r\nContent-Type: text/calendar; charset=utf-8\r\n"));
	wait_unrefs(f, 1);
	memset(resp, 0, sizeof(resp));
	assert_int_equal(exchange_head(f, "HEAD /lent HTTP/1.1\r\nHost: t\r\n\r\n", resp,
				       sizeof(resp)), 200);
	assert_non_null(strcasestr(resp, "\r\nContent-Length: 38\r\n"));
	wait_unrefs(f, 2);
	/* Lent, then another answer given: the lent body is not sent, and given back. */
	assert_int_equal(exchange(f, "GET /lent?drop HTTP/1.1\r\nHost: t\r\n\r\n", resp,
				  sizeof(resp)), 404);
	assert_non_null(strstr(resp, "\r\n\r\ngone\n"));
	wait_unrefs(f, 3);
}

/* A libmicrohttpd before 0.9.73.02 (no lending): the lent body is copied and given back. */
static void
test_lent_body_copied(void **state)
{
	struct fx *f = *state;
	typeof(sym_MHD_create_response_from_buffer_with_free_callback_cls) keep =
		sym_MHD_create_response_from_buffer_with_free_callback_cls;
	char resp[2048] = "";

	sym_MHD_create_response_from_buffer_with_free_callback_cls = NULL;
	assert_int_equal(exchange(f, "GET /lent HTTP/1.1\r\nHost: t\r\n\r\n", resp, sizeof(resp)), 200);
	assert_non_null(strstr(resp, "\r\n\r\n" LENT));
	assert_non_null(strcasestr(resp, "\r\nContent-Type: text/calendar; charset=utf-8\r\n"));
	wait_unrefs(f, 1);
	sym_MHD_create_response_from_buffer_with_free_callback_cls = keep;
}

/* Headers and type given by the thread that answers later. */
static void
test_later_with_headers(void **state)
{
	struct fx *f = *state;
	char resp[2048];
	int a = connect_to(f);

	send_all(a, "GET /feed/later?x=1 HTTP/1.1\r\nHost: t\r\n\r\n");
	pthread_mutex_lock(&f->lock);
	while (!f->waiting)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	assert_int_equal(http_set_header(f->waiting, "Last-Modified", "Sat, 27 Sep 2025 02:00:00 GMT"), 0);
	assert_int_equal(http_set_header(f->waiting, "ETag", "\"later\""), 0);
	http_answer(f->waiting, 200, "text/csv", xstrdup("a,b\n"));
	read_response(a, resp, sizeof(resp));
	close(a);
	assert_true(strncmp(resp, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strstr(resp, "\r\nLast-Modified: Sat, 27 Sep 2025 02:00:00 GMT\r\n"));
	assert_non_null(strstr(resp, "\r\nETag: \"later\"\r\n"));
	assert_non_null(strcasestr(resp, "\r\nContent-Type: text/csv\r\n"));
	assert_non_null(strstr(resp, "\r\n\r\na,b\n"));
}

static void
test_route_refused(void **state)
{
	struct fx *f = *state;
	struct http_route r = { .method = "GET", .path = "/healthz", .handle = route_exact };
	char path[HTTP_ROUTES_MAX][16];
	int added = 0, ret = 0;

	assert_int_equal(http_route(f->h, &r), -EEXIST);
	r.path = "healthz";
	assert_int_equal(http_route(f->h, &r), -EINVAL);
	r.path = "/x";
	r.handle = NULL;
	assert_int_equal(http_route(f->h, &r), -EINVAL);
	/* The same path as a prefix is another route. */
	r.handle = route_exact;
	r.path = "/healthz";
	r.prefix = true;
	assert_int_equal(http_route(f->h, &r), 0);
	r.prefix = false;
	for (int i = 0; i < HTTP_ROUTES_MAX && ret == 0; i++) {
		snprintf(path[i], sizeof(path[i]), "/r%d", i);
		r.path = path[i];
		ret = http_route(f->h, &r);
		added += ret == 0;
	}
	assert_int_equal(ret, -ENOSPC);
	/* Eight in setup, one above. */
	assert_int_equal(added, HTTP_ROUTES_MAX - 9);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answered_later_from_another_thread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_answered_later_with_a_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_as_sent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing_refused_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crowded_address_makes_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_behind_trusted_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_etag_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_with_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lent_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lent_body_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_refused, setup, teardown),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
