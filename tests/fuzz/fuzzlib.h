/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the libFuzzer targets of tests/fuzz share: the input as a
 * C string, a scratch directory of the target's own under $TMPDIR (made
 * once, removed at exit), and a file in it holding the input, for the
 * readers that take a path.  Header-only so that every target stays one
 * .c file (the Makefile builds tests/fuzz/fuzz_*.c by wildcard).
 */
#ifndef DONDOC_FUZZLIB_H
#define DONDOC_FUZZLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

/* The n bytes at data as a new NUL-terminated string (inner NULs cut it short). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

static char fuzz_dir_path[4096];

static inline void
fuzz_dir_remove(void)
{
	char cmd[4200];

	if (!fuzz_dir_path[0])
		return;
	/* Our own mkdtemp directory, under $TMPDIR: nothing else is named. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

/* The target's scratch directory under $TMPDIR (/tmp when unset), made on first use. */
static inline const char *
fuzz_dir(void)
{
	const char *tmp;

	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	tmp = getenv("TMPDIR");
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/dondoc-fuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzz_dir_path)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir_path;
}

/*
 * rel, a path from the top of the tree, from the target's build/fuzz/
 * (static): the targets find the shipped templates and schedules so,
 * from wherever they are run.
 */
static inline const char *
fuzz_top(const char *rel)
{
	static char path[4200];
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return rel;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(path, sizeof(path), "%s/../../%s", exe, rel);
	return path;
}

/* Writes the input to fuzz_dir()/name (replacing it); returns the path, static. */
static inline const char *
fuzz_file(const char *name, const uint8_t *data, size_t n)
{
	static char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "w");
	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
		perror("fuzz: writing the input");
		abort();
	}
	return path;
}

#endif
