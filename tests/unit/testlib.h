/* SPDX-License-Identifier: MIT */
/*
 * Common header of the cmocka unit tests: the four system headers cmocka
 * needs, in the order it needs them, then cmocka, then a helper to find
 * ../shared (tests that read it skip with a message when it is absent).
 */
#ifndef DONDOC_TESTLIB_H
#define DONDOC_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The shared/ folder: $DONDOC_SHARED, else ../shared from the repo root. */
static inline const char *
testlib_shared(void)
{
	const char *s = getenv("DONDOC_SHARED");

	if (s && *s)
		return access(s, R_OK) == 0 ? s : NULL;
	return access("../shared", R_OK) == 0 ? "../shared" : NULL;
}

#endif
