/* SPDX-License-Identifier: MIT */
/*
 * A growable byte string with a hard cap, always NUL-terminated.
 *
 * Invariants: from buf_init() until buf_release() or buf_detach() p is
 * never NULL, p[len] == '\0', and len never exceeds max.  An append that
 * would pass max changes nothing and returns -ENOBUFS, so input from
 * outside can never grow a buffer without bound (STYLE rule 10).  The
 * struct is embedded; its fields are read-only for callers.
 */
#ifndef DONDOC_BUF_H
#define DONDOC_BUF_H

#include <stddef.h>
#include "macro.h"

struct buf {
	char *p;	/* the bytes, NUL-terminated; never NULL after init */
	size_t len;	/* bytes used, not counting the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* largest len allowed */
};

/* Initialises b, empty, with a cap of max bytes. */
void buf_init(struct buf *b, size_t max);
/* Frees the contents (none after buf_detach); b must be initialised again to be used. */
void buf_release(struct buf *b);
/* Empties b, keeping its memory and cap. */
void buf_reset(struct buf *b);
/* Appends n bytes; 0, or -ENOBUFS when the cap would be passed. */
int buf_add(struct buf *b, const void *data, size_t n);
/* Appends a NUL-terminated string; 0 or -ENOBUFS. */
int buf_adds(struct buf *b, const char *s);
/* Appends one byte; 0 or -ENOBUFS. */
int buf_addc(struct buf *b, char c);
/* Appends printf-formatted text; 0 or -ENOBUFS. */
int buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Shortens b to len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/*
 * Returns the contents as a new string (free with free()) and leaves b
 * released, as buf_release() does: nothing left to free, and b must be
 * initialised again before reuse (buf_release() on it is harmless).
 */
char *buf_detach(struct buf *b);

#endif
