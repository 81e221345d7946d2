/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server; see http.h and LIBRARIES.md §4.  One internal thread
 * (MHD's own event loop) reads requests and writes answers; a request
 * answered later (a webhook update, committed with others by web.c's
 * writer) is suspended meanwhile, and resumed by http_answer().
 */
#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "dlmhd.h"
#include "http.h"
#include "log.h"
#include "xalloc.h"

#define DRAIN_MS 5000		/* how long stopping waits for requests under way */

struct http {
	struct MHD_Daemon *d;
	/* Set by http_stop (another thread): answers close their connection. */
	atomic_bool stopping;
	struct http_routes routes;
	int port;
};

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A request being read, or waiting for its answer. */
struct http_req {
	struct MHD_Connection *c;
	bool metrics;		/* GET /metrics (else POST /telegram/webhook) */
	struct buf body;
	bool too_big;
	bool later;		/* suspended, for http_answer() */
	bool answered;		/* status and answer are set */
	int status;
	char *answer;		/* NULL: the status said in a few words */
	void (*release)(void *data);
	void *data;
};

static enum MHD_Result
answer(struct http *h, struct MHD_Connection *c, unsigned status, const char *type,
       const char *text)
{
	struct MHD_Response *r = sym_MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	/* Stopping: a client that keeps its connection would hold the drain up. */
	if (atomic_load(&h->stopping))
		sym_MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = sym_MHD_queue_response(c, status, r);
	sym_MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
answer_json(struct http *h, struct MHD_Connection *c, unsigned status, const char *description)
{
	char body[256];

	/* The body says what was wrong, as Telegram's own errors do. */
	snprintf(body, sizeof(body), "{\"ok\":%s,\"description\":\"%s\"}\n",
		 status < 300 ? "true" : "false", description);
	return answer(h, c, status, "application/json", body);
}

static void
done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_req *q = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q) {
		if (q->release)
			q->release(q->data);
		buf_release(&q->body);
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
http_answer(struct http_req *q, int status, char *body)
{
	q->status = status;
	q->answer = body;
	q->answered = true;
	/* The server thread takes it from here: q is its again. */
	sym_MHD_resume_connection(q->c);
}

static enum MHD_Result
answer_status(struct http *h, struct MHD_Connection *c, int status, const char *body)
{
	if (body)
		return answer(h, c, (unsigned)status, "application/json", body);
	switch (status) {
	case 200:
		return answer_json(h, c, MHD_HTTP_OK, "handled");
	case 400:
		return answer_json(h, c, MHD_HTTP_BAD_REQUEST, "not a Telegram update");
	case 401:
		return answer_json(h, c, MHD_HTTP_UNAUTHORIZED, "wrong secret token");
	case 404:
		return answer_json(h, c, MHD_HTTP_NOT_FOUND, "no Telegram webhook here");
	default:
		/* Not committed: Telegram will deliver it again. */
		return answer_json(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "try again");
	}
}

/* The answer given to q, once http_answer() resumed it. */
static enum MHD_Result
answer_later(struct http *h, struct MHD_Connection *c, struct http_req *q)
{
	if (!q->metrics)
		return answer_status(h, c, q->status, q->answer);
	if (q->status != 200 || !q->answer)
		return answer(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "metrics unavailable\n");
	return answer(h, c, MHD_HTTP_OK, METRICS_TYPE, q->answer);
}

static enum MHD_Result
on_webhook(struct http *h, struct MHD_Connection *c, struct http_req *q)
{
	const char *secret = sym_MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "X-Telegram-Bot-Api-Secret-Token");
	int status;

	if (q->too_big)
		return answer_json(h, c, MHD_HTTP_CONTENT_TOO_LARGE, "body larger than 1 MiB");
	if (!h->routes.telegram)
		return answer_json(h, c, MHD_HTTP_NOT_FOUND, "no Telegram webhook here");
	status = h->routes.telegram(h->routes.userdata, q, secret, q->body.p, q->body.len);
	if (status == HTTP_LATER)
		return MHD_YES;
	return answer_status(h, c, status, NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http *h = cls;
	struct http_req *q = *con_cls;
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		   strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	(void)version;
	if (!q) {
		/* Headers read: route now, before any body. */
		if (strcmp(url, "/telegram/webhook") == 0) {
			const char *len;

			if (!post)
				return answer_json(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only");
			len = sym_MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (h->routes.telegram_auth) {
				const char *secret = sym_MHD_lookup_connection_value(
					c, MHD_HEADER_KIND, "X-Telegram-Bot-Api-Secret-Token");
				int status = h->routes.telegram_auth(h->routes.userdata, secret);

				if (status == 401)
					return answer_json(h, c, MHD_HTTP_UNAUTHORIZED, "wrong secret token");
				if (status != 0)
					return answer_json(h, c, MHD_HTTP_NOT_FOUND, "no Telegram webhook here");
			}
			if (len && strtoull(len, NULL, 10) > HTTP_BODY_MAX)
				return answer_json(h, c, MHD_HTTP_CONTENT_TOO_LARGE,
						   "body larger than 1 MiB");
			q = xcalloc(1, sizeof(*q));
			q->c = c;
			buf_init(&q->body, HTTP_BODY_MAX);
			*con_cls = q;
			return MHD_YES;
		}
		if (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0) {
			char *text, *msg = NULL;
			enum MHD_Result r;

			if (!get)
				return answer(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
			if (url[1] == 'h') {
				if (h->routes.health && h->routes.health(h->routes.userdata, &msg) < 0) {
					text = xasprintf("unhealthy: %s\n", msg ? msg : "?");
					r = answer(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", text);
					free(text);
					free(msg);
					return r;
				}
				return answer(h, c, MHD_HTTP_OK, "text/plain", "ok\n");
			}
			/* Counted on another thread: a scan of every task takes a while. */
			q = xcalloc(1, sizeof(*q));
			q->c = c;
			q->metrics = true;
			buf_init(&q->body, 1);
			*con_cls = q;
			if (h->routes.metrics && h->routes.metrics(h->routes.userdata, q) == HTTP_LATER)
				return MHD_YES;
			return answer(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
				      "metrics unavailable\n");
		}
		return answer(h, c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n");
	}
	if (q->answered)
		return answer_later(h, c, q);
	if (q->later || q->metrics)
		return MHD_YES;		/* still waiting: not for us to see */
	if (*upload_data_size) {
		/* Chunked bodies have no Content-Length: the cap is counted here. */
		if (!q->too_big && buf_add(&q->body, upload_data, *upload_data_size) < 0)
			q->too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return on_webhook(h, c, q);
}

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

int
http_start(const char *listen, const struct http_routes *routes, struct http **ret,
	   char **reterr_msg)
{
	struct sockaddr_storage sa;
	socklen_t sa_len = 0;
	struct http *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
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
	h->routes = *routes;
	h->d = sym_MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONN_MAX,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_PER_IP_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				/* Zeroed for each request: no bigger than headers need. */
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
				MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
				MHD_OPTION_END);
	if (!h->d) {
		*reterr_msg = xasprintf("[http] cannot listen on %s (address in use, or not this "
					"machine's?)", listen);
		free(h);
		return -EADDRINUSE;
	}
	info = sym_MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? (int)info->port : 0;
	*ret = h;
	return 0;
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
	free(h);
	return NULL;
}
