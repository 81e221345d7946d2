/* SPDX-License-Identifier: MIT */
/*
 * A channel delivers one rendered message to one person: the file
 * (channel_file.c), email, Telegram, Zalo (the OA's consultation
 * messages) and ZNS (Zalo's template wake-up by phone) channels, each a
 * struct of function pointers (STYLE rule 1).  The dispatcher knows
 * channels only through this interface.
 */
#ifndef DONDOC_CHANNEL_H
#define DONDOC_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "split.h"

struct config;
struct store;
struct mime_attachment;
struct person;

/* What became of one delivery: the dispatcher branches on it. */
enum delivery {
	DELIVERY_SENT,		/* the channel took it */
	DELIVERY_RETRY,		/* transient: network, 5xx, 429; try again later */
	DELIVERY_PERMANENT,	/* never, this message: bad text, a channel gone from the config */
	DELIVERY_GONE,		/* never, this address: blocked bot, unknown chat, refused mailbox */
	/*
	 * Not known: the daemon is stopping and the call was cut short
	 * before an answer (channel_ops.set_abort).  The message is put
	 * back as it was, the attempt not counted, and goes at the next
	 * start; the server may have taken it, so that is at most one
	 * duplicate, of a message that was in flight (invariant 3).
	 */
	DELIVERY_STOPPED,
	_DELIVERY_MAX,
	_DELIVERY_INVALID = -22,
};

/* A message as a channel sees it; everything is borrowed for the call. */
struct outgoing {
	int64_t id;		/* the outbox message id: a retry reuses it */
	const char *kind;	/* "reminder", "escalation", ... */
	const struct person *to;
	const char *subject;
	const char *body;	/* plain text, UTF-8 */
	const char *html;	/* the same as HTML for channels that take it; NULL when none */
	const char *chat;	/* the short chat form (Telegram's HTML subset); NULL when none */
	int64_t reply_to;	/* the chat message this answers (reply-to); 0 when none */
	const int64_t *task_ids;	/* the tasks it is about (for buttons) */
	size_t n_tasks;
	/*
	 * It asks its reader to type a figure back (the progress "📈 Tiến
	 * độ" asks for): a channel that can opens the reply field for it.
	 */
	bool asks_reply;
	/*
	 * Out, when not NULL: the chat message it became, as a new string
	 * (Telegram's ids are numbers, Zalo's hex), left alone when none.
	 */
	char **ret_chat_message_id;
	/*
	 * This registry's stable name (16 hex digits); with id it names the
	 * message for good, so a resend carries the same Message-ID.  NULL:
	 * a one-off (doctor's test), named at random.
	 */
	const char *site;
	/*
	 * Files that go with it (the digest's workbook): email attaches
	 * them, the file channel writes them beside the message; a chat
	 * channel leaves them (the digest reaches a chat by its headline).
	 */
	const struct mime_attachment *attachments;
	size_t n_attachments;
};

/*
 * Told what became of message i of a batch, as soon as the channel knows
 * (email: right after the server's answer to its DATA), so the caller can
 * commit it before the next goes.  Called exactly once for each message;
 * err is a new message (or NULL) that the callee owns.
 */
typedef void (*channel_outcome_fn)(void *userdata, size_t i, enum delivery d, int retry_after,
				   char *err);

struct channel;

/* Which rendering of a message a channel carries. */
enum channel_form {
	CHANNEL_FORM_MAIL,	/* subject, plain text and (when html) HTML: email, file */
	CHANNEL_FORM_CHAT,	/* the short chat form, in Telegram's HTML subset */
	CHANNEL_FORM_CHAT_PLAIN,	/* the short chat form as plain text (Zalo has no markup) */
	_CHANNEL_FORM_MAX,
};

struct channel_ops {
	const char *name;	/* "file", "email", "telegram", "zalo", "zns" */
	const char *label_vi;	/* how officials name it: "thư điện tử", "Telegram" */
	/*
	 * Its messages are the mail form or a short chat form: a long
	 * message, the digest, reaches a chat by its headline, the rest by
	 * email; the chat messages it returns are remembered (chat_sent) so
	 * that replies and buttons point back.
	 */
	enum channel_form form;
	/* The mail form with its HTML alternative (email; the file channel writes text only). */
	bool html;
	/*
	 * Its place in the order of preference, lower first (Telegram 10,
	 * Zalo 20, email 30, file 40): the dispatcher picks the first that
	 * reaches a person, and falls back only to a later one, so a message
	 * refused everywhere ends.
	 */
	unsigned order;
	/*
	 * The person's address it sends to ("email", "telegram", "zalo";
	 * person_address), NULL for none (the file channel).  An address the
	 * channel says is GONE is marked refused (regop_person_address) and
	 * the message goes to the next channel; the person's other addresses
	 * are left alone.
	 */
	const char *address;
	/*
	 * Optional: the service the history names when it records what the
	 * channel said (an address refused), when that is not its name: ZNS
	 * is "zalo" (the event table knows services, not kinds of message).
	 */
	const char *via;
	/*
	 * It only wakes its reader up about tasks (ZNS: an approved template
	 * with their count, no text of ours): picked for reminders,
	 * escalations and catch-ups alone (channels_pick_reminder), never
	 * for answers, alerts or the digest, which it could not carry.
	 */
	bool wake_up;
	/*
	 * The longest text of one message, counted in unit (split.h); 0: no
	 * limit.  A chat channel cuts a longer one itself, with split_text.
	 */
	size_t text_max;
	enum split_unit unit;
	/*
	 * Optional: lends the channel the registry for durable state of its
	 * own (Zalo's tokens), from after open until close.  Called on the
	 * thread that sends.
	 */
	void (*use_store)(void *state, struct store *s);
	/*
	 * Optional: a function that, returning true (the daemon stopping),
	 * cuts the send under way short, within about 1.5 s; send then
	 * says DELIVERY_STOPPED.  Without it a send runs to its answer or
	 * its timeout (email: libESMTP can be interrupted by nothing).
	 * Set before any send, on the thread that sends.
	 */
	void (*set_abort)(void *state, bool (*abort_cb)(void *userdata), void *userdata);
	/*
	 * Makes the channel from the configuration.  0 with *ret; -ENOENT
	 * and no message when it is not configured (it is left out); or
	 * -errno with a new English message in *reterr_msg (e.g. an outbox
	 * directory that cannot be written).
	 */
	int (*open)(const struct config *cfg, void **ret, char **reterr_msg);
	void (*close)(void *state);
	/*
	 * Optional: true when the channel has an address for p.  NULL: p's
	 * address (person_reachable), or everyone without one (file).
	 */
	bool (*reaches)(void *state, const struct person *p);
	/*
	 * Optional: how long after a person last wrote through their address
	 * the channel may still write to them, in seconds (Zalo's interaction
	 * window, [zalo] window: CHAT-APIS.md B3); NULL: no such limit.  When
	 * reaches() says no to an address that works, the message goes on
	 * another channel and tells them how to reopen this one
	 * (channels_closed).
	 */
	int64_t (*window)(void *state);
	/*
	 * Delivers m.  On RETRY, *ret_retry_after (seconds, 0 for the
	 * dispatcher's own backoff) may say when; on RETRY and PERMANENT,
	 * *reterr_msg gets a new message for the outbox's last_error.
	 */
	enum delivery (*send)(void *state, const struct outgoing *m, int *ret_retry_after,
			      char **reterr_msg);
	/*
	 * Optional: sends ms[0..n) together (one SMTP session for all),
	 * telling done each outcome as soon as it is known.
	 */
	void (*send_batch)(void *state, const struct outgoing *ms, size_t n,
			   channel_outcome_fn done, void *userdata);
	/*
	 * Checks that the channel can be reached now (for "dondoc doctor"):
	 * 0 with a new description in *ret_msg, or -errno with the reason.
	 */
	int (*check)(void *state, char **ret_msg);
};

extern const struct channel_ops channel_file_ops;
extern const struct channel_ops channel_email_ops;
extern const struct channel_ops channel_telegram_ops;
extern const struct channel_ops channel_zalo_ops;
extern const struct channel_ops channel_zns_ops;

const char *delivery_to_string(enum delivery d);

#endif
