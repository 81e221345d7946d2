/* SPDX-License-Identifier: MIT */
/*
 * The chat commands of DESIGN §7, free of any transport.  Telegram (and
 * Zalo later) hand over what a chat sent: a text, what it replies to, or
 * the data of a button pressed.  The command layer finds the person linked
 * to that chat, checks what they may do, changes the registry through
 * taskops (every change audited with channel and actor), and says what to
 * answer: a template name and its data, plus messages for other people
 * (a deadline request to the secretariat, a decision to the requester).
 *
 * Commands are Vietnamese first with ASCII and English aliases, matched
 * without diacritics, case or underscores, with or without the slash:
 * "/xong 52", "/XONG 52", "xong 52", "/tiến độ 52 60%" and "/tien_do"
 * are one command.  A word that is no command gets "did you mean".
 * Numbers are read as officials type them: "xong 40.", "xong nhiệm vụ
 * 29", and several after a comma or "và" ("/xong 40, 41"), each acted on
 * and answered on its own line (command_results).  Thanks alone get a
 * polite word (thanks), and a bare figure answers the question the
 * progress button asked (ask_task below).
 *
 * The caller holds the transaction: what command_run changed and the
 * answers it queues commit together, before the transport acknowledges
 * the update (invariant 4).
 */
#ifndef DONDOC_COMMAND_H
#define DONDOC_COMMAND_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "date.h"
#include "registry.h"

struct calendar;
struct channels;
struct renderer;
struct schedule;
struct store;

/* What a chat sent. */
struct command_in {
	const char *channel;	/* "telegram", "zalo", "cli" */
	const char *chat_id;	/* the sender's address on that channel */
	const char *text;	/* what was typed (UTF-8); NULL for a button */
	int64_t reply_to;	/* the outbox message the text replies to; 0 when none */
	const char *button;	/* the data of the button pressed ("t:27:done"); NULL */
	int64_t button_on;	/* the outbox message the button was under */
	const char *bot_username;	/* "/xong@NAME" must name this bot; NULL: any */
	int64_t now;
	/*
	 * When the sender wrote it, by the channel's clock, never after now
	 * (Zalo's event time: its interaction window counts from it); 0: now.
	 */
	int64_t seen_at;
	struct date today;
	const struct calendar *cal;
	/* What reaches people (an obstacle's secretariat); NULL: inbound_handle's. */
	const struct channels *cs;
	const struct schedule *sch;	/* the periods of recurring tasks (/xong) */
	/* The templates, for the digest "/baocao tongthe" renders; NULL: inbound_handle's. */
	const struct renderer *rend;
	/* [http] public_url: the board written out in the digest "/baocao tongthe" makes; NULL. */
	const char *url;
};

/* One message to answer with or to send. */
struct command_msg {
	int64_t person_id;	/* 0: the sender's chat, not linked to anyone */
	char *name;		/* the template ("done_ok") */
	json_t *data;		/* its data, besides person/today/app/bot */
};

struct command_out {
	struct command_msg reply;	/* to the sender; name NULL when nothing to say */
	struct command_msg *others;	/* to other people */
	size_t n_others;
	int64_t person_id;	/* the sender; 0 when the chat is not linked */
	struct person sender;	/* the sender as read before the command ran (id 0: none) */
	const char *command;	/* the command recognised ("xong"), or "note", "unknown", "link" */
	bool changed;		/* the registry changed */
	bool refused;		/* the command was wrong, unknown or not allowed */
	int64_t refresh;	/* an outbox message whose buttons should be redrawn; 0 */
	/*
	 * The reply asks the sender for the progress of this task (0: it asks
	 * nothing): the caller records the question with the answer's outbox
	 * message (store_chat_ask_add), and the figure typed back is that
	 * task's progress: a reply to the question at any time, or the
	 * sender's next message within COMMAND_ASK_WINDOW_S.
	 */
	int64_t ask_task;
};

#define COMMAND_ASK_WINDOW_S (15 * 60)

/*
 * Runs what in says.  0 with *out filled (command_out_release), or a
 * negative errno for a registry failure (the caller rolls back and the
 * update is handled again later).
 */
int command_run(struct store *s, const struct command_in *in, struct command_out *out);
void command_out_release(struct command_out *out);
/* Sets m to template name for person_id with data (taken; NULL: empty), replacing what it held. */
void command_say(struct command_msg *m, int64_t person_id, const char *name, json_t *data);
/* Adds a message for person_id to out->others (data taken, as command_say). */
void command_tell(struct command_out *out, int64_t person_id, const char *name, json_t *data);
/*
 * The active person linked to the chat that in comes from: 0 with *ret
 * (person_release), -ENOENT when none (no chat, unlinked, or made
 * inactive), or -errno for a registry failure.
 */
int command_sender(struct store *s, const struct command_in *in, struct person *ret);

/* The commands, for setMyCommands: name and a Vietnamese description. */
struct command_info {
	const char *name;
	const char *description;
};
const struct command_info *command_list(size_t *ret_n);

/*
 * The link codes "dondoc person invite" makes: COMMAND_CODE_LEN characters
 * of COMMAND_CODE_ALPHABET (no 0/O, no 1/I: they are read out over the
 * phone), upper case; "/start CODE" takes them in any case.
 */
#define COMMAND_CODE_LEN 12
#define COMMAND_CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
/*
 * When text, spaces around it aside, has the shape of a link code (any
 * case): true, with the code in upper case in out.  For a chat linked to
 * no one that sends the bare code (Zalo, where a deep link cannot carry it).
 */
bool command_link_code(const char *text, char out[COMMAND_CODE_LEN + 1]);

/* Button data for action ("done", "prog", "ext") on task id: "t:27:done" (≤ 64 bytes). */
void command_button_data(int64_t task_id, const char *action, char out[32]);

#endif
