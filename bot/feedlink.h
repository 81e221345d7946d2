/* SPDX-License-Identifier: MIT */
/*
 * The links of a calendar feed (feed.h), and feeds made on request: what
 * 'dondoc feed create' and the chat's /lich share.  The token is shown
 * once, in the link; the registry keeps only its hash.
 */
#ifndef DONDOC_FEEDLINK_H
#define DONDOC_FEEDLINK_H

#include <stdint.h>

#include "feed.h"

struct store;

/* At most this many live feeds a person made from chat: a new one revokes the oldest. */
#define FEEDLINK_CHAT_MAX 3

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
 * Makes a feed of kind on target (0 for FEED_ALL) at now, made by
 * created_by (a person; 0 for the CLI), with a new token: 0 with the
 * token in token and the feed recorded (its id and name in *ret,
 * feed_release), -ENOENT when the target is not there, or -errno.  For a
 * person's own feed (created_by != 0), their live feeds made from chat
 * beyond FEEDLINK_CHAT_MAX - 1 are revoked first, the oldest first, and
 * *ret_revoked says how many (may be NULL).  The caller holds the
 * transaction.
 */
int feedlink_create(struct store *s, enum feed_kind kind, int64_t target, int64_t created_by,
		    int64_t now, char token[static FEED_TOKEN_LEN + 1], struct feed *ret,
		    int *ret_revoked);

#endif
