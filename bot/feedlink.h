/* SPDX-License-Identifier: MIT */
/*
 * The links of a calendar feed (feed.h), and feeds made on request: what
 * 'dondoc feed create' and the chat's /lich share.  The token is shown
 * once, in the link; the registry keeps only its hash.
 */
#ifndef DONDOC_FEEDLINK_H
#define DONDOC_FEEDLINK_H

#include <stdint.h>
#include <time.h>

#include "feed.h"

struct actor;
struct person;
struct store;

/* At most this many live feeds a person made from chat: a new one revokes the oldest. */
#define FEEDLINK_CHAT_MAX 3
/*
 * A feed made from chat and revoked is forgotten this many days later
 * (feedlink_prune_daily): each /lich makes one, so the rows would grow
 * without end; the history keeps that it was made and revoked.
 */
#define FEEDLINK_PRUNE_DAYS 30

/*
 * The link of token on public_url: "<public_url>/ical/<token>.ics" (a
 * trailing '/' of public_url dropped), new; without public_url (NULL)
 * the path "/ical/<token>.ics".
 */
char *feedlink_url(const char *public_url, const char *token);
/* url's webcal:// form (its http:// or https:// replaced), new; NULL when url has neither. */
char *feedlink_webcal(const char *url);

/* What stands for a token taken out of a link (feedlink_redact): "…/ical/….ics". */
#define FEEDLINK_REDACTED "\xe2\x80\xa6"
/*
 * text with the token of every feed link in it ("/ical/<token>.ics")
 * replaced by FEEDLINK_REDACTED, new; NULL when it holds none (or text
 * is NULL).
 */
char *feedlink_redact(const char *text);

/*
 * Makes a feed of kind on target (0 for FEED_ALL) at now, made by a (a
 * person from chat, a->person_id, who is its created_by; 0 for the CLI),
 * with a new token: 0 with the token in token and the feed recorded (its
 * id and name in *ret, feed_release) with a 'feed.create' event, -ENOENT
 * when the target is not there, or -errno.  For a person's own feed
 * (a->person_id != 0), their live feeds made from chat beyond
 * FEEDLINK_CHAT_MAX - 1 are revoked first, the oldest first, each with a
 * 'feed.revoke' event, and *ret_revoked says how many (may be NULL).
 * The caller holds the transaction.
 */
int feedlink_create(struct store *s, enum feed_kind kind, int64_t target, const struct actor *a,
		    int64_t now, char token[static FEED_TOKEN_LEN + 1], struct feed *ret,
		    int *ret_revoked);

/*
 * Revokes feed id at now for a, with a 'feed.revoke' event (why: its
 * text, may be NULL): 0, or store_feed_revoke's -ENOENT, -EALREADY,
 * -errno.  The caller holds the transaction.
 */
int feedlink_revoke(struct store *s, int64_t id, const struct actor *a, int64_t now,
		    const char *why);

/*
 * Revokes the live feeds of person p (store_feed_revoke_of_person) for
 * a at now, with one 'feed.revoke' event naming p and how many when
 * there were any: 0 with the count in *ret_n (may be NULL), or -errno.
 * The caller holds the transaction.
 */
int feedlink_revoke_of_person(struct store *s, const struct person *p, const struct actor *a,
			      int64_t now, int64_t *ret_n);

/*
 * Once a local day (the daemon's tick): forgets the feeds made from chat
 * revoked more than FEEDLINK_PRUNE_DAYS before now (store_feed_prune).
 * 0 with how many in *ret_n (0 when done today already), or -errno.
 */
int feedlink_prune_daily(struct store *s, time_t now, int64_t *ret_n);

#endif
