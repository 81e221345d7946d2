/* SPDX-License-Identifier: MIT */
/*
 * Requests to move a deadline (đề nghị điều chỉnh tiến độ, DESIGN §4):
 * the rules, for the chat commands (/giahan, /duyet, /tuchoi, /choduyet)
 * and the CLI (dondoc extension ...) alike.
 *
 * A request is asked by an official for a task of their agency, decided
 * by the secretariat, and closed when something makes it pointless:
 *
 *                   extension_request()
 *                          |
 *                          v
 *   superseded <------- pending -------> approved (the deadline moves)
 *   (a newer request       |  \
 *    of the same task)     |   `-------> rejected (with a reason)
 *                          v
 *                        moot (the task was done: taskop_status)
 *
 *   transition                 function
 *   (none) -> pending          extension_request
 *   pending -> superseded      extension_request (the task's older one)
 *   pending -> approved        extension_decide
 *   pending -> rejected        extension_decide
 *   pending -> moot            taskop_status (the requester told: extension_done)
 *
 * Invariants: at most one pending request per task (a unique index of
 * the registry says so too); a done task has none; nobody decides their
 * own request; each transition is an event of the task's history.
 *
 * The caller holds the transaction.  The functions return a verdict
 * (>= 0, enum extension_verdict) or -errno for a registry failure; a
 * verdict other than EXT_OK changed nothing.  What to say goes to c->out:
 * the answer to the person acting (reply, with out->refused when refused)
 * and the messages for others (requesters, the secretariat), as template
 * names with their data, for the caller to render and queue.
 */
#ifndef DONDOC_EXTENSION_H
#define DONDOC_EXTENSION_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "date.h"
#include "task.h"

struct calendar;
struct command_out;
struct person;
struct store;
struct actor;

/* Who acts, when, and where the answers go. */
struct extension_ctx {
	struct store *s;
	const struct actor *actor;	/* as the history names them */
	const struct person *me;	/* the person acting; NULL for an operator (the CLI) */
	int64_t now;
	struct date today;
	const struct calendar *cal;
	struct command_out *out;	/* answers and messages are added here */
};

/* What became of a request or a decision. */
enum extension_verdict {
	EXT_OK,
	EXT_NO_TASK,		/* no such task */
	EXT_NOT_ALLOWED,	/* another agency's task, or a decision by someone not of the secretariat */
	EXT_TASK_DONE,		/* a request on a done task */
	EXT_NOT_DEADLINE,	/* the text is no deadline with a due day */
	EXT_PAST,		/* the day asked for is today or before */
	EXT_NOT_LATER,		/* not after the current deadline */
	EXT_NO_REASON,		/* the reason is missing */
	EXT_NO_REQUEST,		/* no such request */
	EXT_DECIDED,		/* the request was closed already (approved, rejected, superseded) */
	EXT_MOOT,		/* the request's task is done: nothing to decide */
	EXT_OWN,		/* the sender decides their own request */
	EXT_INDICATOR,		/* an indicator is assessed, not due: it takes no request */
	EXT_RECURRING,		/* a recurring task reports by period: its deadline is its period */
	_EXT_VERDICT_MAX,
	_EXT_VERDICT_INVALID = -22,
};

/*
 * The deadline at the start of text, read greedily: the longest run of
 * its first words that deadline_parse (year default_year) makes a
 * deadline with a due day ("Quý I/2026", "6 tháng đầu năm 2026").  0 with
 * *ret_dl, *ret_raw (a new string) and *ret_rest (borrowed: the text
 * after it, blanks skipped); -EINVAL when no run of words is one.
 */
int extension_parse(const char *text, int default_year, struct deadline *ret_dl,
		    char **ret_raw, const char **ret_rest);

/*
 * /giahan: c->me asks that task_id's deadline become what text starts
 * with, for the reason that follows it.  Supersedes the task's open
 * request, telling both requesters; tells the secretariat.  c->me is
 * required (-EINVAL without).
 */
int extension_request(struct extension_ctx *c, int64_t task_id, const char *text);

/*
 * Approves (the task's deadline becomes the one asked for) or rejects
 * (text is the reason, required) request id; text with an approval is a
 * remark and may be NULL.  Tells the requester and the secretariat but
 * the one deciding (and the requester, told already).
 */
int extension_decide(struct extension_ctx *c, int64_t id, bool approve, const char *text);

/*
 * Marks t done (taskop_status) and tells the requester of its open
 * request, closed as moot, why.  *ret_cancelled as taskop_status's.
 */
int extension_done(struct extension_ctx *c, struct task *t, int *ret_cancelled);

/*
 * The pending requests as the templates show them: a new JSON array of
 * {request, task} objects, oldest first; NULL on a registry failure (*ret_r).
 */
json_t *extension_pending_json(struct extension_ctx *c, int *ret_r);

/*
 * A request as the templates and the CLI's JSON show it (a new object):
 * id, state, date (d/m/yyyy), asked (as typed, or the day), when ("ngày
 * 31/3/2026" or "Quý I/2026"), reason, approved, decider, decided_on,
 * requester {name, agency}.
 */
json_t *extension_json(const struct extension *e, const struct person *requester,
		       const char *decider);

/* "ok", "no_task", ...: the verdict's name, for logs and tests. */
const char *extension_verdict_to_string(enum extension_verdict v);

#endif
