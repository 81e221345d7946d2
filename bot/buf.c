/* SPDX-License-Identifier: MIT */
/*
 * Capped string builder; see buf.h for the invariants.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

void
buf_init(struct buf *b, size_t max)
{
	b->cap = 64;
	b->p = xmalloc(b->cap);
	b->p[0] = '\0';
	b->len = 0;
	b->max = max;
}

void
buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL; -ENOBUFS past the cap. */
static int
buf_grow(struct buf *b, size_t n)
{
	size_t want;

	if (n > b->max - b->len)
		return -ENOBUFS;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	b->p = xgrowroom(b->p, &b->cap, want, 1);
	return 0;
}

int
buf_add(struct buf *b, const void *data, size_t n)
{
	int r = buf_grow(b, n);

	if (r < 0)
		return r;
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n < b->cap - b->len) {
		if ((size_t)n > b->max - b->len) {
			b->p[b->len] = '\0';
			return -ENOBUFS;
		}
		b->len += (size_t)n;
		return 0;
	}
	r = buf_grow(b, (size_t)n);
	if (r < 0) {
		b->p[b->len] = '\0';
		return r;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->p[len] = '\0';
	}
}

char *
buf_detach(struct buf *b)
{
	char *p = b->p;

	/* Released, not renewed: a caller that only detaches leaks nothing. */
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}
