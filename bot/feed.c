/* SPDX-License-Identifier: MIT */
/*
 * iCalendar feeds; see feed.h.
 */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "feed.h"
#include "hash.h"
#include "macro.h"

static const char *const kind_names[] = {
	[FEED_AGENCY] = "agency",
	[FEED_PERSON] = "person",
	[FEED_DOCUMENT] = "document",
	[FEED_ALL] = "all",
};

const char *
feed_kind_name(enum feed_kind k)
{
	return (size_t)k < ELEMENTSOF(kind_names) ? kind_names[k] : NULL;
}

int
feed_kind_parse(const char *name, enum feed_kind *ret)
{
	for (size_t i = 0; name && i < ELEMENTSOF(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*ret = (enum feed_kind)i;
			return 0;
		}
	return -EINVAL;
}

void
feed_release(struct feed *f)
{
	if (!f)
		return;
	free(f->target_name);
	free(f->client);
	memset(f, 0, sizeof(*f));
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
feed_token_new(char out[static FEED_TOKEN_LEN + 1], char hash[static 65])
{
	unsigned char rnd[FEED_TOKEN_BYTES];
	size_t o = 0;

	static_assert(FEED_TOKEN_BYTES % 3 == 0 && FEED_TOKEN_BYTES / 3 * 4 == FEED_TOKEN_LEN,
		      "a token is whole base64 groups");
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return errno ? -errno : -EIO;
	for (size_t i = 0; i < sizeof(rnd); i += 3) {
		unsigned v = (unsigned)rnd[i] << 16 | (unsigned)rnd[i + 1] << 8 | rnd[i + 2];

		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return feed_token_hash(out, hash);
}

int
feed_token_hash(const char *token, char hash[static 65])
{
	struct hash *h;
	size_t n = 0;

	/* Read to its end whatever it holds: no early exit on the first bad character. */
	bool bad = !token;
	for (; token && token[n]; n++)
		bad |= !strchr(b64url, token[n]);
	if (bad || n != FEED_TOKEN_LEN)
		return -EINVAL;
	h = hash_new();
	hash_add(h, token, n);
	hash_final_hex(h, hash);
	hash_free(h);
	return 0;
}

struct feed_body *
feed_body_ref(struct feed_body *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

struct feed_body *
feed_body_unref(struct feed_body *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		free(b->text);
		free(b);
	}
	return NULL;
}
