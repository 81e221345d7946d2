/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of dl.c: optional libraries loaded all or nothing, with a
 * message that names the library and the package to install.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "dl.h"

static void
test_missing_library(void **state)
{
	void *h = NULL, *sym = NULL;
	const struct dl_sym syms[] = { { &sym, "strlen" } };
	char *msg = NULL;

	(void)state;
	assert_int_equal(dl_open("libdondoc-nope.so.9", "dondoc-nope", syms, 1, &h, &msg),
			 -EOPNOTSUPP);
	assert_non_null(strstr(msg, "cannot load libdondoc-nope.so.9 (the dondoc-nope package)"));
	assert_null(h);
	assert_null(sym);
	free(msg);
}

static void
test_missing_symbol_sets_nothing(void **state)
{
	void *h = NULL, *a = NULL, *b = NULL;
	const struct dl_sym syms[] = { { &a, "strlen" }, { &b, "dondoc_no_such_symbol" } };
	char *msg = NULL;

	(void)state;
	assert_int_equal(dl_open("libc.so.6", "libc6", syms, 2, &h, &msg), -EOPNOTSUPP);
	assert_non_null(strstr(msg, "libc.so.6 has no dondoc_no_such_symbol"));
	/* All or nothing: strlen was found, yet not set. */
	assert_null(a);
	assert_null(b);
	assert_null(h);
	free(msg);
}

static void
test_found(void **state)
{
	size_t (*len)(const char *) = NULL;
	void *h = NULL;
	const struct dl_sym syms[] = { { (void **)&len, "strlen" } };
	char *msg = NULL;

	(void)state;
	assert_int_equal(dl_open("libc.so.6", "libc6", syms, 1, &h, &msg), 0);
	assert_non_null(h);
	assert_non_null(len);
	assert_int_equal(len("đôn đốc"), strlen("đôn đốc"));
	assert_null(msg);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_symbol_sets_nothing),
		cmocka_unit_test(test_found),
	};

	return cmocka_run_group_tests_name("dl", tests, NULL, NULL);
}
