/* SPDX-License-Identifier: MIT */
/*
 * Allocation wrappers.  Every heap allocation in dondoc goes through these;
 * on out-of-memory they log and abort(), so no caller handles OOM (STYLE
 * rule 9).  Sizes are overflow-checked.  Free the results with free().
 */
#ifndef DONDOC_XALLOC_H
#define DONDOC_XALLOC_H

#include <stdarg.h>
#include <stddef.h>
#include "macro.h"

/* Returns new memory of n bytes (at least 1); never NULL. */
void *xmalloc(size_t n);
/* Returns new zeroed memory for nmemb * size bytes; never NULL. */
void *xcalloc(size_t nmemb, size_t size);
/* Returns new memory for nmemb * size bytes (overflow-checked); never NULL. */
void *xmallocarray(size_t nmemb, size_t size);
/*
 * Resizes p to nmemb * size bytes (overflow-checked); never NULL.  Not for
 * growing an array (tests/check-style.sh bans it outside xalloc.c): that
 * goes through xgrowarray or xgrowroom, which double and are capped.
 */
void *xreallocarray(void *p, size_t nmemb, size_t size);

/*
 * The most one array may take.  The largest ones dondoc grows hold a
 * registry's 100,000 tasks (tens of MB): an array past 1 GiB is a runaway
 * loop or a count gone wrong, and dying with its size said beats eating
 * the machine's memory first.  The growth helpers abort past it.
 */
#define XGROW_MAX_BYTES ((size_t)1 << 30)

/* Resizes p to room for nmemb elements of size bytes; aborts, saying so, past XGROW_MAX_BYTES. */
void *xgrowto(void *p, size_t nmemb, size_t size);

/*
 * Room for element n of an array that only this grows, one element at a
 * time from NULL: the room doubles at each power of two, so that n
 * appends copy O(n) bytes, not O(n²) (ASan's allocator never grows a
 * block in place; 20,000 agencies in one cell took seconds).
 */
static inline void *
xgrowarray(void *p, size_t n, size_t size)
{
	/* n is at most XGROW_MAX_BYTES / size here: 2 * n cannot overflow. */
	return n & (n - 1) ? p : xgrowto(p, n ? 2 * n : 1, size);
}

/*
 * Room for need elements of an array whose room (in elements) is *room:
 * when need is more, the room doubles (at least to need, 16 the first
 * time) and *room says the new one.  Capped like xgrowarray.
 */
void *xgrowroom(void *p, size_t *room, size_t need, size_t size);

/* Returns a new copy of s; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* Returns a new copy of at most n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted like printf. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Returns a new string formatted like vprintf. */
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

#endif
