/* SPDX-License-Identifier: MIT */
/*
 * Allocation wrappers that abort on out-of-memory.  The outbox is durable
 * and planning idempotent, so dying on OOM loses nothing (DESIGN §6).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void NORETURN
oom(size_t n)
{
	/* No logging module here: it may itself need memory. */
	fprintf(stderr, "dondoc: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		oom(nmemb * size);
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	void *q;

	if (size && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	q = realloc(p, nmemb * size > 0 ? nmemb * size : 1);
	if (!q)
		oom(nmemb * size);
	return q;
}

void *
xmallocarray(size_t nmemb, size_t size)
{
	return xreallocarray(NULL, nmemb, size);
}

void *
xgrowto(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > XGROW_MAX_BYTES / size) {
		fprintf(stderr, "dondoc: an array of %zu elements of %zu bytes would pass the %zu MiB cap of one array: "
			"a runaway, aborting\n", nmemb, size, XGROW_MAX_BYTES >> 20);
		abort();
	}
	return xreallocarray(p, nmemb, size);
}

void *
xgrowroom(void *p, size_t *room, size_t need, size_t size)
{
	size_t n;

	if (need <= *room)
		return p;
	n = *room ? *room : 8;
	while (n < need && n <= XGROW_MAX_BYTES)
		n *= 2;
	/* xgrowto aborts when n passed the cap: it cannot overflow before. */
	p = xgrowto(p, n < need ? need : n, size);
	*room = n < need ? need : n;
	return p;
}

char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	n = strnlen(s, n);
	p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom(strlen(fmt));
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
