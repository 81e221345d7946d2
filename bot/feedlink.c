/* SPDX-License-Identifier: MIT */
/*
 * Feed links and feeds made on request (feedlink.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feedlink.h"
#include "store.h"
#include "xalloc.h"

char *
feedlink_url(const char *public_url, const char *token)
{
	size_t n = public_url ? strlen(public_url) : 0;

	while (n > 0 && public_url[n - 1] == '/')
		n--;
	return xasprintf("%.*s/ical/%s.ics", (int)n, n ? public_url : "", token);
}

char *
feedlink_webcal(const char *url)
{
	if (strncmp(url, "https://", 8) == 0)
		return xasprintf("webcal://%s", url + 8);
	if (strncmp(url, "http://", 7) == 0)
		return xasprintf("webcal://%s", url + 7);
	return NULL;
}

/* The live feeds a person made from chat, oldest first. */
struct chat_feeds {
	int64_t person;
	int64_t *ids;
	size_t n;
};

static int
chat_feed(const struct feed *f, void *userdata)
{
	struct chat_feeds *c = userdata;

	if (f->created_by != c->person || f->revoked_at != 0)
		return 0;
	c->ids = xgrowarray(c->ids, c->n, sizeof(*c->ids));
	c->ids[c->n++] = f->id;
	return 0;
}

int
feedlink_create(struct store *s, enum feed_kind kind, int64_t target, int64_t created_by,
		int64_t now, char token[static FEED_TOKEN_LEN + 1], struct feed *ret,
		int *ret_revoked)
{
	struct chat_feeds c = { .person = created_by };
	struct feed f = { .kind = kind, .target = target, .created_at = now,
			  .created_by = created_by };
	int revoked = 0, r;

	r = feed_token_new(token, f.token_hash);
	if (r < 0)
		return r;
	/* Feeds are listed by id, that is, in the order they were made. */
	if (created_by != 0)
		r = store_feed_foreach(s, chat_feed, &c);
	for (size_t i = 0; r == 0 && c.n >= FEEDLINK_CHAT_MAX && i <= c.n - FEEDLINK_CHAT_MAX; i++) {
		r = store_feed_revoke(s, c.ids[i], now);
		revoked++;
	}
	free(c.ids);
	if (r == 0)
		r = store_feed_insert(s, &f);
	if (r == 0)
		r = store_feed_get(s, f.id, ret);
	if (r < 0)
		return r;
	if (ret_revoked)
		*ret_revoked = revoked;
	return 0;
}
