/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of log.c: what a line looks like, written whole with one
 * write(2) (threads never mix their lines), and cut when too long.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>

#include "log.h"
#include "xalloc.h"

/* Runs fn with stderr going to a pipe; returns what came out (a new string). */
static char *
captured(void (*fn)(void))
{
	static char out[1 << 20];
	int p[2], saved = dup(STDERR_FILENO);
	ssize_t k;
	size_t n = 0;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	/* The pipe holds all of it: the writer never waits. */
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) > 0);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	fn();
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(p[1]);
	while ((k = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	close(p[0]);
	out[n] = '\0';
	return xstrdup(out);
}

static void
some_lines(void)
{
	log_info("tick: %d notices", 3);
	errno = ENOENT;
	log_warn("cannot read '%s'", "x.ini");
	log_warnx("Telegram: %s", "chậm");
	log_debug("not shown at the default level");
}

static void
test_lines(void **state)
{
	char *out;

	(void)state;
	unsetenv("JOURNAL_STREAM");
	out = captured(some_lines);
	assert_string_equal(out, "dondoc: tick: 3 notices\n"
				 "dondoc: warning: cannot read 'x.ini': No such file or directory\n"
				 "dondoc: warning: Telegram: chậm\n");
	free(out);
}

static void
long_line(void)
{
	char text[3000];

	/* "ồ" is three bytes: the cut must not fall inside one. */
	for (size_t i = 0; i + 3 < sizeof(text); i += 3)
		memcpy(text + i, "ồ", 3);
	text[sizeof(text) / 3 * 3 - 3] = '\0';
	log_info("%s", text);
	log_info("after");
}

static void
test_long_line_cut(void **state)
{
	char *out, *nl;

	(void)state;
	out = captured(long_line);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_true(nl - out < 2048);
	assert_memory_equal(nl - 6, " [...]", 6);
	/* What is left of the text is whole characters. */
	assert_int_equal((nl - 6 - out - (int)strlen("dondoc: ")) % 3, 0);
	assert_string_equal(nl + 1, "dondoc: after\n");
	free(out);
}

static void *
chatter(void *arg)
{
	for (int i = 0; i < 500; i++)
		log_info("thread %c line %03d: %s", *(const char *)arg, i,
			 "một dòng đủ dài để hai luồng có thể chen vào nhau nếu nó được viết nhiều lần");
	return NULL;
}

static void
two_threads(void)
{
	pthread_t a, b;

	pthread_create(&a, NULL, chatter, "A");
	pthread_create(&b, NULL, chatter, "B");
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

static void
test_threads_never_mix(void **state)
{
	char *out, *line, *save = NULL;
	int n = 0;

	(void)state;
	out = captured(two_threads);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(strncmp(line, "dondoc: thread ", 15) == 0);
		assert_non_null(strstr(line, ": một dòng đủ dài"));
		assert_string_equal(line + strlen(line) - strlen("nhiều lần"), "nhiều lần");
		n++;
	}
	assert_int_equal(n, 1000);
	free(out);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_threads_never_mix),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
