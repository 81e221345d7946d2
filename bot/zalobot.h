/* SPDX-License-Identifier: MIT */
/*
 * The Zalo Official Account's side that listens (issue 14; CHAT-APIS.md
 * B7, B8, C8): Zalo POSTs each event to /zalo/webhook, signed
 * (X-ZEvent-Signature: mac=SHA-256 of app id + raw body + timestamp + OA
 * secret key).  A delivery is checked whole before anything is queued
 * (zalobot_read), then handled in the webhook writer's batch (web.h):
 * replays refused by the event's id, a text to the command layer
 * (inbound.h) as channel "zalo", follow and unfollow recorded, every
 * event of a linked person recorded as their last interaction (the
 * consultation window, CHAT-APIS.md B3).  A text from someone linked to
 * no one is answered after the commit, through the Zalo client the
 * channel sends with (zalo_new shares it).
 *
 * How far a timestamp may be off: ZALOBOT_AHEAD_S ahead of the clock
 * (clocks drift; a signed event from the future is a forgery or a broken
 * clock), ZALOBOT_MAX_AGE_S behind it.  Zalo repeats a delivery it got no
 * 200 for with the same body for hours (a ladder of 30 s ... 1 h, or up to
 * 12 h by other accounts), so the age bound covers that; the events seen
 * are remembered 26 hours (store_chat_update_seen), longer than the age
 * bound, so a replay of a signed body inside the bound is a duplicate and
 * one outside it is stale: never handled twice.
 */
#ifndef DONDOC_ZALOBOT_H
#define DONDOC_ZALOBOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct store;
struct web_transport;
struct zalobot;

#define ZALOBOT_PATH "/zalo/webhook"
#define ZALOBOT_BODY_MAX ((size_t)64 * 1024)	/* an event is a few hundred bytes */
#define ZALOBOT_AHEAD_S (10 * 60)
#define ZALOBOT_MAX_AGE_S (24 * 3600)
#define ZALOBOT_SIGNATURE_HEADER "X-ZEvent-Signature"

/* What an event is to dondoc. */
enum zalo_event_kind {
	ZALO_EVENT_TEXT,	/* user_send_text: a command */
	ZALO_EVENT_INTERACTION,	/* user_send_image, _sticker, user_submit_info...: the window */
	ZALO_EVENT_FOLLOW,
	ZALO_EVENT_UNFOLLOW,
	ZALO_EVENT_ECHO,	/* oa_send_*: the OA's own message; ignored */
	ZALO_EVENT_OTHER,	/* receipts and names unknown: ignored */
};

/* An event as read from a delivery; strings owned (zalo_event_release). */
struct zalo_event {
	enum zalo_event_kind kind;
	char *name;		/* event_name */
	char *user_id;		/* the OA-scoped user: sender.id, follower.id (NULL: echo, other) */
	char *text;		/* user_send_text's message.text; NULL otherwise */
	char *quote_msg_id;	/* the OA message a text quotes (NULL: none) */
	int64_t at;		/* the event's time, unix seconds (its timestamp is in ms) */
	/*
	 * The id it is remembered by (store_chat_update_seen, channel
	 * "zalo"): 63 bits of SHA-256 of message.msg_id, or for an event
	 * without one, of its name, user, OA and timestamp.
	 */
	int64_t key;
};

void zalo_event_release(struct zalo_event *e);

/*
 * Reads a delivery of n bytes at body with signature (the header's
 * value; NULL: none) for the app app_id with OA secret oa_secret, at
 * now: 0 with *ret, or the HTTP status to answer with nothing done, and
 * why in *ret_why (static, for the log): 413 over ZALOBOT_BODY_MAX; 400
 * no JSON object (duplicate keys refused), app_id or timestamp not
 * strings, ids not strings, no event_name, the timestamp more than
 * ZALOBOT_AHEAD_S ahead or ZALOBOT_MAX_AGE_S behind; 401 no signature or
 * a wrong one (checked over the raw bytes, before the body's content is
 * trusted); 403 another app's event, well signed, or (oa_id not NULL)
 * an event whose OA (recipient.id, or oa_id for follow and unfollow) is
 * another.
 */
int zalobot_read(const char *app_id, const char *oa_id, const char *oa_secret, const char *signature,
		 const char *body, size_t n, int64_t now, struct zalo_event *ret,
		 const char **ret_why);

/*
 * A webhook for cfg's [zalo] (NULL *ret when it has no app_id): 0, or
 * -errno with a new message when the OA secret cannot be read (the
 * webhook is then off: the caller says so).  Without a client (the app
 * secret unreadable, no libcurl) it still takes events; those of people
 * linked to no one are then not answered (logged).
 */
int zalobot_new(const struct config *cfg, struct zalobot **ret, char **reterr_msg);
struct zalobot *zalobot_free(struct zalobot *b);
/* Lends the client the registry that keeps Zalo's tokens (zalo_use_store); NULL-safe. */
void zalobot_use_store(struct zalobot *b, struct store *s);

/*
 * Zalo's webhook for web_webhook() (web.h), with a bot as userdata: POST
 * ZALOBOT_PATH, answered 200 once committed.
 */
extern const struct web_transport zalobot_webhook;

#endif
