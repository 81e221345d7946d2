/* SPDX-License-Identifier: MIT */
/*
 * Feed links and feeds made on request (feedlink.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "clock.h"
#include "date.h"
#include "feedlink.h"
#include "registry.h"
#include "store.h"
#include "taskops.h"
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

/* The length of the token at p when it is one followed by ".ics", else 0. */
static size_t
token_at(const char *p)
{
	size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

	return n == FEED_TOKEN_LEN && strncmp(p + n, ".ics", 4) == 0 ? n : 0;
}

char *
feedlink_redact(const char *text)
{
	static const char prefix[] = "/ical/";
	const char *p = text, *from = text, *at;	/* copied up to p; looked at up to from */
	char *out = NULL;
	size_t n = 0, k;

	while (from && (at = strstr(from, prefix)) != NULL) {
		at += sizeof(prefix) - 1;
		k = token_at(at);
		/* Not a token: looked at, left to be copied with what follows. */
		from = at;
		if (!k)
			continue;
		/* The token is longer than its mark: the text only shrinks. */
		if (!out)
			out = xmalloc(strlen(text) + 1);
		memcpy(out + n, p, (size_t)(at - p));
		n += (size_t)(at - p);
		memcpy(out + n, FEEDLINK_REDACTED, sizeof(FEEDLINK_REDACTED) - 1);
		n += sizeof(FEEDLINK_REDACTED) - 1;
		p = from = at + k;
	}
	if (!out)
		return NULL;
	memcpy(out + n, p, strlen(p) + 1);
	return out;
}

/*
 * Appends event kind ('feed.create', 'feed.revoke') of feed f by a at
 * now: the feed as "ID KIND[ TARGET]" and in the data, so that the
 * history says who gave or took which calendar, never its token.
 */
static int
feed_event(struct store *s, const struct actor *a, int64_t now, const char *kind,
	   const struct feed *f, const char *why)
{
	const char *fk = feed_kind_name(f->kind);
	char *what, *data;
	int r;

	what = xasprintf("%lld %s%s%s", (long long)f->id, fk, f->target_name ? " " : "",
			 f->target_name ? f->target_name : "");
	data = taskop_dump(json_pack("{s:I, s:s, s:I}", "feed", (json_int_t)f->id, "kind", fk,
				     "target", (json_int_t)(f->kind == FEED_ALL ? 0 : f->target)));
	r = taskop_append(s, 0, a, now, kind, NULL, what, why, data);
	free(data);
	free(what);
	return r;
}

int
feedlink_revoke(struct store *s, int64_t id, const struct actor *a, int64_t now, const char *why)
{
	struct feed f = { 0 };
	int r;

	r = store_feed_revoke(s, id, now);
	if (r == 0)
		r = store_feed_get(s, id, &f);
	if (r == 0)
		r = feed_event(s, a, now, "feed.revoke", &f, why);
	feed_release(&f);
	return r;
}

int
feedlink_revoke_of_person(struct store *s, const struct person *p, const struct actor *a,
			  int64_t now, int64_t *ret_n)
{
	char *who = NULL, *data = NULL, *text = NULL;
	int64_t n = 0;
	int r;

	r = store_feed_revoke_of_person(s, p->id, now, &n);
	if (r == 0 && n > 0) {
		who = xasprintf("%lld %s", (long long)p->id, p->name ? p->name : "");
		text = xasprintf("%lld feed%s of the person, deactivated", (long long)n,
				 n == 1 ? "" : "s");
		data = taskop_dump(json_pack("{s:I, s:I}", "person", (json_int_t)p->id,
					     "feeds", (json_int_t)n));
		r = taskop_append(s, 0, a, now, "feed.revoke", NULL, who, text, data);
	}
	free(data);
	free(text);
	free(who);
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

int
feedlink_create(struct store *s, enum feed_kind kind, int64_t target, const struct actor *a,
		int64_t now, char token[static FEED_TOKEN_LEN + 1], struct feed *ret,
		int *ret_revoked)
{
	int64_t created_by = a->person_id, *ids = NULL;
	struct feed f = { .kind = kind, .target = target, .created_at = now,
			  .created_by = created_by };
	size_t n = 0;
	int revoked = 0, r;

	r = feed_token_new(token, f.token_hash);
	if (r < 0)
		return r;
	/* Oldest first: ids grow in the order feeds are made. */
	if (created_by != 0)
		r = store_feed_live_by_creator(s, created_by, &ids, &n);
	for (size_t i = 0; r == 0 && n >= FEEDLINK_CHAT_MAX && i <= n - FEEDLINK_CHAT_MAX; i++) {
		r = feedlink_revoke(s, ids[i], a, now, "replaced by a newer link");
		revoked++;
	}
	free(ids);
	if (r == 0)
		r = store_feed_insert(s, &f);
	if (r == 0)
		r = store_feed_get(s, f.id, ret);
	if (r == 0) {
		r = feed_event(s, a, now, "feed.create", ret, NULL);
		if (r < 0)
			feed_release(ret);
	}
	if (r < 0)
		return r;
	if (ret_revoked)
		*ret_revoked = revoked;
	return 0;
}

int
feedlink_prune_daily(struct store *s, time_t now, int64_t *ret_n)
{
	static const char key[] = "feed.pruned";
	char iso[DATE_ISO_LEN], *last = NULL;
	int64_t n = 0;
	int r;

	date_format_iso(clock_local_date(now), iso);
	r = store_meta_get(s, key, &last);
	if (r == 0 && strcmp(last, iso) == 0) {
		free(last);
		*ret_n = 0;
		return 0;
	}
	free(last);
	if (r < 0 && r != -ENOENT)
		return r;
	r = store_feed_prune(s, (int64_t)now - (int64_t)FEEDLINK_PRUNE_DAYS * 86400, &n);
	if (r == 0)
		r = store_meta_set(s, key, iso);
	if (r == 0)
		*ret_n = n;
	return r;
}
