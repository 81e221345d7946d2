/* SPDX-License-Identifier: MIT */
/*
 * Common header of the cmocka unit tests: the four system headers cmocka
 * needs, in the order it needs them, then cmocka, then a helper to find
 * ../shared (tests that read it skip with a message when it is absent),
 * and the file helpers the tests share: a whole temporary tree removed,
 * a file written or read back whole, the files of a folder counted.
 * Every helper fails the calling test on error unless it says otherwise.
 */
#ifndef DONDOC_TESTLIB_H
#define DONDOC_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"

/*
 * The day schedules are loaded for (RRULE occurrences are known from a
 * year before it to three years after): the tests' dates are 2025-2027.
 */
#define TESTLIB_TODAY ((struct date){ 2026, 1, 1 })

/* The shared/ folder: $DONDOC_SHARED, else ../shared from the repo root. */
static inline const char *
testlib_shared(void)
{
	const char *s = getenv("DONDOC_SHARED");

	if (s && *s)
		return access(s, R_OK) == 0 ? s : NULL;
	return access("../shared", R_OK) == 0 ? "../shared" : NULL;
}

static inline int
testlib_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	/* Put back what a test of unreadable files took away, or rmdir fails. */
	(void)chmod(path, 0700);
	return remove(path);
}

/* Removes dir and all below it, links not followed; 0, or -1 (for teardowns). */
static inline int
testlib_rmtree(const char *dir)
{
	return nftw(dir, testlib_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* Writes len bytes of text to path, replacing it. */
static inline void
testlib_write_bytes(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static inline void
testlib_write(const char *path, const char *text)
{
	testlib_write_bytes(path, text, strlen(text));
}

/* The whole file as a new NUL-terminated string, or NULL when it cannot be read. */
static inline char *
testlib_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		p = calloc(1, (size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, fp) != (size_t)n) {
			free(p);
			p = NULL;
		}
	}
	fclose(fp);
	return p;
}

/*
 * The entries of dir whose name ends with suffix ("" for all), dot-files
 * (such as half-written temporary files) only when dotfiles; -1 when dir
 * cannot be opened.
 */
static inline int
testlib_count_files(const char *dir, const char *suffix, int dotfiles)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t ls = strlen(suffix);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && !dotfiles)
			continue;
		if (l >= ls && strcmp(e->d_name + l - ls, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

#endif
