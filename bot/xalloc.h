/* SPDX-License-Identifier: MIT */
/*
 * Allocation wrappers.  Every heap allocation in dondoc goes through these;
 * on out-of-memory they log and abort(), so no caller handles OOM (STYLE
 * rule 9).  Sizes are overflow-checked.  Free the results with free().
 */
#ifndef DONDOC_XALLOC_H
#define DONDOC_XALLOC_H

#include <stddef.h>
#include "macro.h"

/* Returns new memory of n bytes (at least 1); never NULL. */
void *xmalloc(size_t n);
/* Returns new zeroed memory for nmemb * size bytes; never NULL. */
void *xcalloc(size_t nmemb, size_t size);
/* Resizes p to nmemb * size bytes (overflow-checked); never NULL. */
void *xreallocarray(void *p, size_t nmemb, size_t size);

/*
 * Room for element n of an array that only this grows, one element at a
 * time from NULL: the room doubles at each power of two, so that n
 * appends copy O(n) bytes, not O(n²) (ASan's allocator never grows a
 * block in place; 20,000 agencies in one cell took seconds).
 */
static inline void *
xgrowarray(void *p, size_t n, size_t size)
{
	return n & (n - 1) ? p : xreallocarray(p, n ? 2 * n : 1, size);
}
/* Returns a new copy of s; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* Returns a new copy of at most n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* Returns a new string formatted like printf. */
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
