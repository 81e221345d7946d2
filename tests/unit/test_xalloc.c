/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/xalloc.c's growth helpers: room always there for the next
 * element (xgrowarray, xgrowroom), and an absurd size aborting with a
 * message that says so (XGROW_MAX_BYTES) instead of eating the memory.
 */
#include "testlib.h"

#include <signal.h>
#include <sys/wait.h>

#include "xalloc.h"

static void
test_grow(void **state)
{
	size_t *v = NULL, *w = NULL, room = 0;

	(void)state;
	/* Under ASan, a write past the room would stop the test. */
	for (size_t n = 0; n < 5000; n++) {
		v = xgrowarray(v, n, sizeof(*v));
		v[n] = n;
		w = xgrowroom(w, &room, n + 1, sizeof(*w));
		assert_true(room >= n + 1);
		w[n] = n;
	}
	assert_int_equal(v[4999] + w[4999], 9998);
	free(v);
	free(w);
}

/* Runs f in a child, its stderr in err; returns its wait status. */
static int
in_child(void (*f)(void), char *err, size_t size)
{
	int fd[2], st;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		f();
		_exit(0);
	}
	close(fd[1]);
	n = read(fd[0], err, size - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
absurd_to(void)
{
	free(xgrowto(NULL, XGROW_MAX_BYTES / 8 + 1, 8));
}

static void
absurd_room(void)
{
	size_t room = 16;

	free(xgrowroom(NULL, &room, SIZE_MAX / 2, 4));
}

static void
test_cap(void **state)
{
	char err[512];
	int st;

	(void)state;
	st = in_child(absurd_to, err, sizeof(err));
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	assert_non_null(strstr(err, "would pass the 1024 MiB cap of one array"));
	st = in_child(absurd_room, err, sizeof(err));
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	assert_non_null(strstr(err, "cap of one array"));
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests_name("xalloc", tests, NULL, NULL);
}
