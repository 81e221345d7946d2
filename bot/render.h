/* SPDX-License-Identifier: MIT */
/*
 * The words of dondoc's messages, from the templates of templates/ (one
 * folder per language; templates/README.md lists the names and the data
 * each gets).  A renderer compiles every template once at start (a
 * template with a syntax error stops start-up, naming file and line) and
 * is replaced as a whole on SIGHUP.  A person's language picks the folder;
 * a template missing in that language falls back to Vietnamese.
 *
 * Each message has four forms: subject, plain text, HTML (escaped for
 * HTML) and a short chat form (escaped for Telegram's HTML subset).
 */
#ifndef DONDOC_RENDER_H
#define DONDOC_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "date.h"
#include "notice.h"

struct calendar;
struct person;
struct task;
struct renderer;

#define RENDER_MAX_BYTES ((size_t)1 << 20)	/* one form of one message */

/*
 * Loads and compiles dir/vi/ (required) and dir/en/ (optional), and checks
 * the set: every message of render_names() in every form in vi/, every
 * partial any file includes found.  0 with a new renderer, or -errno with
 * a new message in *reterr_msg: "vi/reminder.html.mustache:12: unclosed
 * section 'tasks'", "template 'DIR/vi/help.chat.mustache' is missing: ...",
 * "DIR/vi/reminder.text.mustache:3: partial 'x' not found: ...".
 */
int renderer_load(const char *dir, struct renderer **ret, char **reterr_msg);
/* Frees r; NULL-safe; returns NULL. */
struct renderer *renderer_free(struct renderer *r);
/*
 * The names of every message the program renders (a static array of *ret_n):
 * the one list, which renderer_load() requires and renderer_render() keeps to.
 */
const char *const *render_names(size_t *ret_n);

struct rendered {
	char *subject;
	char *text;
	char *html;
	char *chat;
	bool fell_back;		/* the language lacked a template: Vietnamese was used */
};

void rendered_release(struct rendered *m);

/*
 * Renders template name in lang ("vi", "en"; NULL for vi) with data into
 * new strings in *ret.  -ENOENT when the name is not one of render_names()
 * (or, in a set not checked, not in Vietnamese either), -ENOBUFS when a
 * form would pass RENDER_MAX_BYTES, -ELOOP for partials nested too deep.
 */
int renderer_render(const struct renderer *r, const char *lang, const char *name,
		    const json_t *data, struct rendered *ret);

#define RENDER_SUBJECT (1u << 0)
#define RENDER_TEXT (1u << 1)
#define RENDER_HTML (1u << 2)
#define RENDER_CHAT (1u << 3)
#define RENDER_ALL 0xfu

/* Like renderer_render, but only the forms in mask (the others stay NULL). */
int renderer_render_forms(const struct renderer *r, const char *lang, const char *name,
			  const json_t *data, unsigned mask, struct rendered *ret);

struct sent_notice;

/* One task in a message, and why it is there. */
struct render_item {
	const struct task *task;
	enum notice_stage stage;
	int step;		/* working days, or escalation level */
	struct date day;	/* the day the notice was for */
	struct date anchor;	/* the due day or reporting day it counts from */
};

/*
 * The past of one task, as the outbox shows it: what an escalation may
 * say happened ("đã nhắc ...", "đã báo cáo thủ trưởng ...").  A task with
 * none claims nothing.
 */
struct render_past {
	int64_t task_id;
	const struct sent_notice *sent;	/* store_sent_notices, oldest first */
	size_t n_sent;
	/* Per lead agency (task->leads): nobody active holds that role; NULL: unknown. */
	const bool *no_focal;
	const bool *no_head;
};

struct render_ctx {
	const struct renderer *r;
	const struct person *to;
	struct date today;
	const struct calendar *cal;
	/* An alert's subject: who could not be reached, through what, why. */
	const struct person *about;
	const char *about_channel;
	const char *about_error;
	bool about_digest;	/* what could not be delivered was the digest (no tasks) */
	/*
	 * A list too long for one message goes in parts: this is part part
	 * (from 1) of parts, of total tasks in all; parts 0 or 1: one message.
	 */
	size_t part, parts, total;
	/* The past of the tasks of an escalation (any order); none: nothing is claimed. */
	const struct render_past *past;
	size_t n_past;
	/*
	 * The chat channels that take commands and are open, by name
	 * ("telegram", "zalo": the templates' keys under chat_open), and the
	 * Telegram bot's username (NULL: unknown): a reminder to someone with
	 * no chat linked says how to link one on each, rather than give
	 * commands they cannot send.
	 */
	const char *const *chats;
	size_t n_chats;
	const char *bot;
	/*
	 * A channel the recipient has an address on but that does not reach
	 * them now (channels_closed: Zalo out of its interaction window), as
	 * officials name it ("Zalo"), and its window in seconds (0: unknown);
	 * NULL: none.  The message, going another way, says how to reopen it.
	 */
	const char *reopen;
	int64_t reopen_window;
};

/*
 * Renders a message of kind listing items for ctx->to: picks the
 * template (a reminder whose tasks are all due today is "due_today", all
 * late "overdue"; an escalation by the recipient's role: a head's
 * "escalation_head", a leader's "escalation_leaders" with the tasks
 * rolled up by agency, the secretariat's "escalation_secretariat" with
 * what is missing), builds its data and renders every form.
 */
int render_message(enum message_kind kind, const struct render_ctx *ctx,
		   const struct render_item *items, size_t n, struct rendered *ret);

/*
 * Renders the answer name (a chat command's, templates/README.md) for to
 * (NULL for a chat linked to no one: no person in the data, Vietnamese),
 * adding the common keys (person, today, app, bot) to data, which it
 * changes.  The forms of mask (RENDER_*), as renderer_render_forms.
 */
int render_answer(const struct renderer *r, const struct person *to, const char *name,
		  json_t *data, struct date today, const char *bot, unsigned mask,
		  struct rendered *ret);

/* The JSON of a task as the templates see it (new reference). */
json_t *render_task_json(const struct task *t, struct date today, const struct calendar *cal);
/*
 * render_task_json for a chat answer: the same, with the title cut to about
 * RENDER_BRIEF_TITLE characters on a word boundary, ending in "…" (a phone
 * shows the number and enough words to know the task).  Returns a new object.
 */
#define RENDER_BRIEF_TITLE 80
json_t *render_task_json_brief(const struct task *t, struct date today,
			       const struct calendar *cal);
/* s cut as render_task_json_brief cuts a title to width characters: a new string. */
char *render_brief(const char *s, size_t width);
/* The JSON of a person as the templates see it (new reference). */
json_t *render_person_json(const struct person *p);

/* "30/09/2025": a day as a formal text writes it (the messages' dates), into out. */
void render_day(struct date d, char out[16]);
/* "30/9/2025": a day as the CLI shows it to the secretariat, into out. */
void render_day_short(struct date d, char out[16]);
/*
 * Adds beside every integer count of data, at any depth ("count",
 * "total", "late_count", ...), its two-digit form as a formal text
 * writes it: "count_02": "06" (10 and more as they are).
 */
void render_formal_counts(json_t *data);


/* The system's name in a reader's language (NULL: Vietnamese), static. */
const char *render_app_name(const char *lang);

#endif
