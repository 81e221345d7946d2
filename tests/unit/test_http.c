/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of http.c on loopback, with a client written on raw
 * sockets: a webhook request answered later, from another thread, while
 * the server goes on serving others; its release function run once it
 * is done with; the secret refused at the headers; a body too big; and
 * the server stopped once its requests are answered.
 */
#include "testlib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include "http.h"

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

static int
route_telegram(void *userdata, struct http_req *q, const char *secret, const char *body, size_t n)
{
	struct fx *f = userdata;

	if (!secret || strcmp(secret, "s3cret") != 0)
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
	return n ? 200 : 400;
}

static int
route_auth(void *userdata, const char *secret)
{
	(void)userdata;
	return secret && strcmp(secret, "s3cret") == 0 ? 0 : 401;
}

static int
route_health(void *userdata, char **ret_msg)
{
	(void)userdata;
	(void)ret_msg;
	return 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct http_routes routes = { .telegram = route_telegram, .telegram_auth = route_auth,
				      .health = route_health };
	char *msg = NULL;

	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	routes.userdata = f;
	if (http_start("127.0.0.1:0", &routes, &f->h, &msg) < 0) {
		fprintf(stderr, "http_start: %s\n", msg);
		free(msg);
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

static int
connect_to(const struct fx *f)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(http_port(f->h)) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
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
	http_answer(f->waiting, 200, strdup("{\"method\":\"answerCallbackQuery\",\"text\":\"Đã ghi nhận\"}"));
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
	/* Not committed: 503, for Telegram to send it again. */
	http_answer(f->waiting, 503, NULL);
	read_response(a, resp, sizeof(resp));
	assert_true(strncmp(resp, "HTTP/1.1 503", 12) == 0);
	assert_non_null(strstr(resp, "{\"ok\":false,\"description\":\"try again\"}"));
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

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answered_later_from_another_thread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_answered_later_with_a_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_at_once, setup, teardown),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
