/* SPDX-License-Identifier: MIT */
/*
 * Notices and messages (DESIGN §6): the planner decides *what must be
 * said* (one notice per task, stage, anchor day and person), the
 * dispatcher decides *how and when* (a person's notices grouped into one
 * message per channel, delivered through the outbox).
 *
 * A notice:
 *
 *   (planned) --planner--> queued --message sent--> sent
 *                            |  \--task done, superseded--> cancelled
 *                            \--message dead--> dead --outbox retry--> queued
 *
 * "planned" exists only in the computed ladder (dondoc explain); a row is
 * written when its day comes.  A message:
 *
 *   pending --claim--> sending --channel says sent--> sent
 *      ^  \                |--transient failure, backoff--> pending
 *      |   \--all its tasks done--> cancelled
 *      |                  |--permanent failure or too many tries--> dead
 *      |--claimed, not tried (stopping, a failure): pending, attempt not counted
 *      \--crash: its claim's lease (lease_until) ended, or its owner is a
 *         process of this host now gone (resent: the bounded duplicate)
 *
 * transition -> function: notice queued: planner_run; message pending:
 * dispatch_compose; sending: store_message_claim_due (an owner and a
 * lease: several instances never claim one message twice); sent/pending/
 * dead: dispatch_deliver via store_message_finish (by the owner only); not
 * tried: store_message_unclaim; crash or lease recovery:
 * store_message_recover and _recover_owner (at start, and each tick
 * through dispatch_recover); operator retry:
 * store_message_retry.  A message sent that holds a task's first sent
 * reminder or nag records that day on the task (task.first_notice, the
 * escalation clock; store_message_finish).
 */
#ifndef DONDOC_NOTICE_H
#define DONDOC_NOTICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "date.h"

enum notice_stage {
	STAGE_BEFORE,		/* step = working days before the due day */
	STAGE_OVERDUE,		/* step = working days after the due day (a nag) */
	STAGE_ESCALATION,	/* step = level */
	STAGE_RECURRING,	/* step = working days before a reporting day */
	STAGE_NEEDS_DATE,	/* the weekly "needs a date" list; no task */
	/*
	 * The secretariat's daily message (MESSAGE_DAILY) gathers these:
	 * step is what the item is about, anchor the week or day it is for.
	 */
	STAGE_MISSING_FOCAL,	/* step = an agency with no active focal point; no task */
	STAGE_MISSING_HEAD,	/* step = an agency with no active head; no task */
	STAGE_OBSTACLE,		/* step = an obstacle reported (obstacle.h); its task */
	STAGE_ASSESSMENT,	/* an indicator asked for a new assessment; step as STAGE_RECURRING */
	_STAGE_MAX,
	_STAGE_INVALID = -22,
};

enum notice_state {
	NOTICE_PLANNED,		/* not written yet: its day has not come */
	NOTICE_QUEUED,
	NOTICE_SENT,
	NOTICE_CANCELLED,
	NOTICE_DEAD,
	_NOTICE_STATE_MAX,
	_NOTICE_STATE_INVALID = -22,
};

enum message_state {
	MESSAGE_PENDING,
	MESSAGE_SENDING,
	MESSAGE_SENT,
	MESSAGE_DEAD,
	MESSAGE_CANCELLED,	/* every task in it was done before it could go */
	_MESSAGE_STATE_MAX,
	_MESSAGE_STATE_INVALID = -22,
};

enum message_kind {
	MESSAGE_REMINDER,	/* reminders and nags of one day, grouped */
	MESSAGE_CATCHUP,	/* what was missed while dondoc was down */
	MESSAGE_ESCALATION,	/* to heads and leaders; outside the noise budget */
	MESSAGE_NEEDS_DATE,	/* to the secretariat */
	MESSAGE_ALERT,		/* to the secretariat: a message could not be delivered */
	MESSAGE_REPLY,		/* an answer to an official's own command */
	MESSAGE_TEST,		/* dondoc send-test */
	MESSAGE_DAILY,		/* to the secretariat: what to follow, what is missing */
	/*
	 * The digest (digestq.h).  The scheduled one is proactive and waits
	 * for the sending window; one asked for (its run has no key) is an
	 * answer and goes at once (dispatch.c).  The noise budget (invariant
	 * 9) counts reminders, and a digest is not one.  It has no notices;
	 * it may go to an address that is no person (address).
	 */
	MESSAGE_DIGEST,
	_MESSAGE_KIND_MAX,
	_MESSAGE_KIND_INVALID = -22,
};

struct notice {
	int64_t id;
	int64_t task_id;	/* 0 for the needs-date list */
	int64_t person_id;
	enum notice_stage stage;
	int step;
	struct date anchor;	/* the due day (or reporting day, or list day) it counts from */
	struct date day;	/* the day it is for */
	char channel[16];
	enum notice_state state;
	int64_t message_id;	/* 0 until grouped into a message */
};

/* Strings are owned by the struct; message_release frees them. */
struct message {
	int64_t id;
	int64_t person_id;
	char channel[16];
	enum message_kind kind;
	char *subject;
	char *body;		/* plain text */
	char *html;		/* the HTML form; NULL when none */
	char *chat;		/* the short chat form; NULL when none */
	enum message_state state;
	int attempts;
	int64_t next_at;	/* unix time of the next attempt (while sending: when it was due) */
	int64_t created_at;
	int64_t sent_at;	/* 0 until sent */
	char *last_error;	/* NULL when none */
	struct date day;	/* the local day it was made for (noise budget) */
	int64_t reply_to;	/* the chat message it answers (Telegram reply-to); 0 when none */
	/*
	 * Schema 10: person_id 0 and address set for a [digest] to address;
	 * digest_id the digest run it belongs to (its workbook), 0 when none.
	 */
	char *address;
	int64_t digest_id;
};

void message_release(struct message *m);
struct rendered;
/* Moves the forms of text (render.h) into m; text is left empty. */
void message_take_rendered(struct message *m, struct rendered *text);

const char *notice_stage_to_string(enum notice_stage s);
enum notice_stage notice_stage_from_string(const char *s);
const char *notice_state_to_string(enum notice_state s);
enum notice_state notice_state_from_string(const char *s);
const char *message_state_to_string(enum message_state s);
enum message_state message_state_from_string(const char *s);
const char *message_kind_to_string(enum message_kind k);
enum message_kind message_kind_from_string(const char *s);
/* True for the kinds that wait for working hours (invariant 6). */
bool message_kind_is_proactive(enum message_kind k);

#endif
