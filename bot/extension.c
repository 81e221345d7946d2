/* SPDX-License-Identifier: MIT */
/*
 * Requests to move a deadline: the rules; see extension.h for the states.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "command.h"
#include "deadline.h"
#include "extension.h"
#include "macro.h"
#include "registry.h"
#include "render.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

#define PARSE_WORDS 8		/* the longest deadline form has 6 words */
#define REASON_MAX 2000		/* bytes of a reason kept */

static const char *const verdict_names[_EXT_VERDICT_MAX] = {
	[EXT_OK] = "ok",
	[EXT_NO_TASK] = "no_task",
	[EXT_NOT_ALLOWED] = "not_allowed",
	[EXT_TASK_DONE] = "task_done",
	[EXT_NOT_DEADLINE] = "not_deadline",
	[EXT_PAST] = "past",
	[EXT_NOT_LATER] = "not_later",
	[EXT_NO_REASON] = "no_reason",
	[EXT_NO_REQUEST] = "no_request",
	[EXT_DECIDED] = "decided",
	[EXT_MOOT] = "moot",
	[EXT_OWN] = "own",
	[EXT_INDICATOR] = "indicator",
	[EXT_RECURRING] = "recurring",
};

const char *
extension_verdict_to_string(enum extension_verdict v)
{
	return v >= 0 && v < _EXT_VERDICT_MAX ? verdict_names[v] : NULL;
}

/* --- answers -------------------------------------------------------------- */

/* The answer to the person acting (none for an operator: the CLI says it itself). */
static void
reply(struct extension_ctx *c, const char *name, json_t *data)
{
	command_say(&c->out->reply, c->me ? c->me->id : 0, name, data);
}

/* A refusal: answered, and nothing changed.  Returns v. */
static int
refuse(struct extension_ctx *c, enum extension_verdict v, const char *name, json_t *data)
{
	reply(c, name, data);
	c->out->refused = true;
	return v;
}

/* A message to person_id; data is taken. */
static void
tell(struct extension_ctx *c, int64_t person_id, const char *name, json_t *data)
{
	command_tell(c->out, person_id, name, data);
}

/* Tells every active member of the secretariat but the one acting and skip; data is taken. */
static int
tell_secretariat(struct extension_ctx *c, const char *name, json_t *data, int64_t skip)
{
	struct person *sec = NULL;
	size_t n = 0;
	int r = store_person_list_role(c->s, ROLE_SECRETARIAT, &sec, &n);

	for (size_t i = 0; r == 0 && i < n; i++)
		if ((!c->me || sec[i].id != c->me->id) && sec[i].id != skip)
			tell(c, sec[i].id, name, json_deep_copy(data));
	for (size_t i = 0; i < n; i++)
		person_release(&sec[i]);
	free(sec);
	json_decref(data);
	return r;
}

static json_t *
task_json(const struct extension_ctx *c, const struct task *t)
{
	return render_task_json_brief(t, c->today, c->cal);
}

json_t *
extension_json(const struct extension *e, const struct person *requester, const char *decider)
{
	char day[16], decided[16] = "";
	char *when;
	json_t *o;

	render_day(e->due, day);
	if (e->decided_at)
		render_day(clock_local_date((time_t)e->decided_at), decided);
	/* A day reads "ngày 31/3/2026"; a quarter or month as it was typed. */
	when = e->raw && e->precision != DEADLINE_DAY ? xstrdup(e->raw) : xasprintf("ngày %s", day);
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:s, s:s, s:s,"
		      " s:{s:s, s:s}}",
		      "id", (json_int_t)e->id, "state", extension_state_to_string(e->state),
		      "date", day, "asked", e->raw && e->precision != DEADLINE_DAY ? e->raw : day,
		      "when", when, "reason", e->reason ? e->reason : "",
		      "pending", e->state == EXTENSION_PENDING,
		      "approved", e->state == EXTENSION_APPROVED,
		      "rejected", e->state == EXTENSION_REJECTED,
		      "superseded", e->state == EXTENSION_SUPERSEDED,
		      "moot", e->state == EXTENSION_MOOT,
		      "decision", e->decision ? e->decision : "",
		      "decider", decider ? decider : "", "decided_on", decided,
		      "requester", "name", requester && requester->name ? requester->name : "",
		      "agency", requester && requester->agency_name ? requester->agency_name : "");
	free(when);
	return o;
}

/* --- reading a request ------------------------------------------------------ */

/* A word boundary: the text is normalised, words are cut at spaces. */
static const char *
skip_blanks(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

int
extension_parse(const char *text, int default_year, struct deadline *ret_dl, char **ret_raw,
		const char **ret_rest)
{
	const char *ends[PARSE_WORDS];
	const char *p = skip_blanks(text);
	size_t n = 0;

	/* Where each of the first words ends. */
	while (*p && n < PARSE_WORDS) {
		p += strcspn(p, " ");
		ends[n++] = p;
		p = skip_blanks(p);
	}
	/* Greedy: "6 tháng đầu năm 2026" before "6". */
	for (size_t i = n; i > 0; i--) {
		const char *start = skip_blanks(text);
		char *raw = xstrndup(start, (size_t)(ends[i - 1] - start));
		struct deadline dl;

		if (deadline_parse(raw, default_year, &dl, NULL) == 0 && dl.has_due &&
		    dl.precision <= DEADLINE_YEAR) {
			*ret_dl = dl;
			*ret_raw = raw;
			*ret_rest = skip_blanks(ends[i - 1]);
			return 0;
		}
		free(raw);
	}
	return -EINVAL;
}

/* A free text kept to REASON_MAX bytes on a character boundary (a new string). */
static char *
clip(const char *s)
{
	size_t n = strlen(s);

	if (n > REASON_MAX) {
		n = REASON_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

static bool
has_id(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The secretariat decides; an operator (no person) too. */
static bool
may_decide(const struct extension_ctx *c)
{
	return !c->me || c->me->role == ROLE_SECRETARIAT;
}

/* An example of a good request: a month past the later of the deadline and today. */
static char *
example(const struct extension_ctx *c, const struct task *t)
{
	struct date base = t->deadline.has_due && date_cmp(t->deadline.due, c->today) > 0 ?
			   t->deadline.due : c->today, later;
	char day[16];

	later = date_from_days(date_to_days(base) + 30);
	render_day(later, day);
	return xasprintf("/giahan %lld %s chờ hướng dẫn của Bộ", (long long)t->id, day);
}

/*
 * Why the deadline asked for cannot be asked, answered: a verdict, or
 * EXT_OK when it can.  text is what the official typed after the number.
 */
static int
check_asked(struct extension_ctx *c, const struct task *t, const char *text,
	    const struct deadline *dl, const char *raw, bool parsed)
{
	char *ex = example(c, t), first[64];
	int v = EXT_OK;

	if (!parsed) {
		/* Show what was typed where the deadline should be: its first word, whole characters. */
		size_t n = MIN(strcspn(skip_blanks(text), " "), sizeof(first) - 1);

		while (n > 0 && ((unsigned char)skip_blanks(text)[n] & 0xc0) == 0x80)
			n--;
		snprintf(first, sizeof(first), "%.*s", (int)n, skip_blanks(text));
		v = refuse(c, EXT_NOT_DEADLINE, "error_bad_date",
			   json_pack("{s:s, s:s}", "text", first, "example", ex));
	} else if (date_cmp(dl->due, c->today) <= 0) {
		char due[16];

		char day[16], today[16];

		render_day(dl->due, due);
		/* Formal text writes days in full: "05/10/2025". */
		snprintf(day, sizeof(day), "%02d/%02d/%04d", dl->due.d % 100, dl->due.m % 100,
			 dl->due.y % 10000);
		snprintf(today, sizeof(today), "%02d/%02d/%04d", c->today.d % 100, c->today.m % 100,
			 c->today.y % 10000);
		v = refuse(c, EXT_PAST, "error_date_past",
			   json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:b, s:s*}", "task", task_json(c, t),
				     "text", raw, "due", due, "example", ex, "day", day,
				     "after", today, "is_today", date_cmp(dl->due, c->today) == 0,
				     /* "Quý III/2025": what was typed, when it was no day. */
				     "named", dl->precision == DEADLINE_DAY ? NULL : raw));
	} else if (t->deadline.has_due && date_cmp(dl->due, t->deadline.due) <= 0) {
		/* More time is a later day: an earlier one is no extension. */
		v = refuse(c, EXT_NOT_LATER, "error_not_later",
			   json_pack("{s:o, s:s, s:s}", "task", task_json(c, t), "text", raw,
				     "example", ex));
	}
	free(ex);
	return v;
}

/* --- asking ------------------------------------------------------------------ */

/* Closes the task's open request, if any, as superseded: 1 with *ret_old, 0 none. */
static int
supersede(struct extension_ctx *c, int64_t task_id, struct extension *ret_old)
{
	int r = store_extension_pending(c->s, task_id, ret_old);

	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = taskop_extension_close(c->s, ret_old, EXTENSION_SUPERSEDED, NULL, c->actor, c->now);
	if (r == 0)
		ret_old->state = EXTENSION_SUPERSEDED;
	return r < 0 ? r : 1;
}

/* Records request e (pending) and its extension_request event. */
static int
add_request(struct extension_ctx *c, struct extension *e, int64_t replaces)
{
	char iso[DATE_ISO_LEN], *data;
	json_t *o;
	int r;

	r = store_extension_add(c->s, e, c->now, &e->id);
	if (r < 0)
		return r;
	date_format_iso(e->due, iso);
	o = json_pack("{s:I, s:s, s:s, s:o}", "request", (json_int_t)e->id, "raw", e->raw,
		      "precision", deadline_precision_to_string(e->precision),
		      "replaces", replaces ? json_integer(replaces) : json_null());
	data = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	{
		struct event ev = { .task_id = e->task_id, .at = c->now, .actor = c->actor->name,
				    .person_id = c->actor->person_id, .channel = c->actor->channel,
				    .kind = "extension_request", .new_value = iso, .text = e->reason,
				    .data = data };

		r = store_event_append(c->s, &ev);
	}
	free(data);
	return r;
}

/* The answers to a request recorded: e new, old the one it replaced (id 0: none). */
static int
announce_request(struct extension_ctx *c, const struct task *t, const struct extension *e,
		 const struct extension *old)
{
	struct person old_requester = { 0 };
	json_t *replaced = NULL;
	int r = 0;

	if (old->id) {
		r = store_person_get(c->s, old->person_id, &old_requester);
		if (r < 0)
			return r;
		replaced = extension_json(old, &old_requester, NULL);
	}
	reply(c, "extension_asked", json_pack("{s:o, s:o, s:O*}", "task", task_json(c, t),
					      "request", extension_json(e, c->me, NULL),
					      "replaced", replaced));
	/* The one replaced hears by whom and what; told once if it was the same person. */
	if (old->id && old_requester.id != c->me->id)
		tell(c, old_requester.id, "extension_superseded",
		     json_pack("{s:o, s:o, s:o}", "task", task_json(c, t),
			       "request", extension_json(old, &old_requester, NULL),
			       "by", extension_json(e, c->me, NULL)));
	r = tell_secretariat(c, "extension_request",
			     json_pack("{s:o, s:o, s:O*}", "task", task_json(c, t),
				       "request", extension_json(e, c->me, NULL),
				       "replaced", replaced), 0);
	json_decref(replaced);
	person_release(&old_requester);
	return r;
}

int
extension_request(struct extension_ctx *c, int64_t task_id, const char *text)
{
	struct task t = { 0 };
	struct extension e = { 0 }, old = { 0 };
	struct deadline dl = { 0 };
	const char *rest = "";
	char *raw = NULL;
	bool parsed;
	int r;

	/* A request is a person's: an operator decides, never asks. */
	if (!c->me)
		return -EINVAL;
	r = store_task_get(c->s, task_id, &t);
	if (r == -ENOENT)
		return refuse(c, EXT_NO_TASK, "error_no_task",
			      json_pack("{s:I}", "id", (json_int_t)task_id));
	if (r < 0)
		return r;
	if (c->me->role != ROLE_SECRETARIAT && !has_id(t.lead_ids, t.n_leads, c->me->agency_id)) {
		r = refuse(c, EXT_NOT_ALLOWED, "error_not_allowed",
			   json_pack("{s:o}", "task", task_json(c, &t)));
		goto out;
	}
	/* An indicator has no deadline to move: /danhgia is its command. */
	if (t.kind == TASK_KIND_INDICATOR) {
		r = refuse(c, EXT_INDICATOR, "error_indicator",
			   json_pack("{s:o}", "task", task_json(c, &t)));
		goto out;
	}
	/*
	 * A recurring task is asked for a report each period: approving a
	 * date would make it a one-off task, and its periods would be lost.
	 */
	if (t.deadline.precision == DEADLINE_RECURRING) {
		r = refuse(c, EXT_RECURRING, "error_recurring",
			   json_pack("{s:o}", "task", task_json(c, &t)));
		goto out;
	}
	/* A task done needs no more time. */
	if (t.status == TASK_DONE) {
		r = refuse(c, EXT_TASK_DONE, "error_task_done",
			   json_pack("{s:o}", "task", task_json(c, &t)));
		goto out;
	}
	parsed = extension_parse(text, c->today.y, &dl, &raw, &rest) == 0;
	r = check_asked(c, &t, text, &dl, raw, parsed);
	if (r != EXT_OK)
		goto out;
	if (!*rest) {
		char *ex = example(c, &t);

		r = refuse(c, EXT_NO_REASON, "error_no_reason",
			   json_pack("{s:o, s:s, s:s}", "task", task_json(c, &t), "text", raw,
				     "example", ex));
		free(ex);
		goto out;
	}
	r = supersede(c, t.id, &old);
	if (r < 0)
		goto out;
	e = (struct extension){ .task_id = t.id, .person_id = c->me->id, .due = dl.due,
				.reason = clip(rest), .state = EXTENSION_PENDING, .raw = raw,
				.precision = dl.precision, .created_at = c->now };
	raw = NULL;
	r = add_request(c, &e, old.id);
	if (r == 0)
		r = announce_request(c, &t, &e, &old);
	c->out->changed = r == 0;
out:
	free(raw);
	extension_release(&e);
	extension_release(&old);
	task_release(&t);
	return r;
}

/* --- deciding ------------------------------------------------------------------ */

/* The name of who closed e (a person), or "" (a new string). */
static char *
decider_name(struct extension_ctx *c, const struct extension *e)
{
	struct person p = { 0 };
	char *name;

	if (!e->decided_by || store_person_get(c->s, e->decided_by, &p) < 0)
		return xstrdup("");
	name = xstrdup(p.name ? p.name : "");
	person_release(&p);
	return name;
}

/* Why request e cannot be decided now, answered; EXT_OK when it can. */
static int
check_decidable(struct extension_ctx *c, const struct extension *e, const struct task *t,
		const struct person *requester)
{
	char *who;
	int v;

	if (!may_decide(c))
		return refuse(c, EXT_NOT_ALLOWED, "error_not_allowed",
			      json_pack("{s:o}", "task", task_json(c, t)));
	/* A task done needs no more time: its request is moot, whatever its state says. */
	if (e->state == EXTENSION_MOOT || (e->state == EXTENSION_PENDING && t->status == TASK_DONE))
		return refuse(c, EXT_MOOT, "error_request_moot",
			      json_pack("{s:o, s:o}", "task", task_json(c, t),
					"request", extension_json(e, requester, NULL)));
	if (e->state != EXTENSION_PENDING) {
		who = decider_name(c, e);
		v = refuse(c, EXT_DECIDED, "error_request_decided",
			   json_pack("{s:o, s:o}", "task", task_json(c, t),
				     "request", extension_json(e, requester, who)));
		free(who);
		return v;
	}
	/* Asking and granting must be two people's doing. */
	if (c->me && e->person_id == c->me->id)
		return refuse(c, EXT_OWN, "error_own_request",
			      json_pack("{s:o, s:o}", "task", task_json(c, t),
					"request", extension_json(e, requester, NULL)));
	return EXT_OK;
}

/* The task's deadline becomes what e asked for. */
static int
apply_approval(struct extension_ctx *c, struct task *t, const struct extension *e)
{
	struct deadline dl = { .precision = e->precision, .has_due = true, .due = e->due };
	char day[16];
	int r;

	render_day(e->due, day);
	r = taskop_deadline(c->s, t, e->raw && *e->raw ? e->raw : day, &dl, e->reason, c->actor,
			    c->now);
	return r < 0 ? r : taskop_save(c->s, t, c->now);
}

int
extension_decide(struct extension_ctx *c, int64_t id, bool approve, const char *text)
{
	struct extension e = { 0 };
	struct task t = { 0 };
	struct person requester = { 0 };
	const char *decider = c->me ? c->me->name : c->actor->name;
	char *why = text && *text ? clip(text) : NULL;
	json_t *req;
	int r;

	r = store_extension_get(c->s, id, &e);
	if (r == -ENOENT) {
		free(why);
		return refuse(c, EXT_NO_REQUEST, "error_no_request",
			      json_pack("{s:I}", "id", (json_int_t)id));
	}
	if (r == 0)
		r = store_task_get(c->s, e.task_id, &t);
	if (r == 0)
		r = store_person_get(c->s, e.person_id, &requester);
	if (r < 0)
		goto out;
	r = check_decidable(c, &e, &t, &requester);
	if (r != EXT_OK)
		goto out;
	if (!approve && !why) {
		r = refuse(c, EXT_NO_REASON, "error_usage",
			   json_pack("{s:s, s:s}", "command", "/tuchoi", "example",
				     "/tuchoi 5 đề nghị hoàn thành đúng hạn"));
		goto out;
	}
	r = taskop_extension_close(c->s, &e, approve ? EXTENSION_APPROVED : EXTENSION_REJECTED,
				   why, c->actor, c->now);
	if (r == 0 && approve)
		r = apply_approval(c, &t, &e);
	if (r < 0)
		goto out;
	e.state = approve ? EXTENSION_APPROVED : EXTENSION_REJECTED;
	e.decided_at = c->now;
	free(e.decision);
	e.decision = why ? xstrdup(why) : NULL;
	/* The templates show the rejection's reason as the request's reason. */
	if (!approve) {
		free(e.reason);
		e.reason = xstrdup(why);
	}
	c->out->changed = true;
	req = extension_json(&e, &requester, decider);
	reply(c, "decision_ok", json_pack("{s:o, s:O}", "task", task_json(c, &t), "request", req));
	tell(c, requester.id, approve ? "extension_approved" : "extension_rejected",
	     json_pack("{s:o, s:O}", "task", task_json(c, &t), "request", req));
	/* The requester, if of the secretariat, has just been told: once is enough. */
	r = tell_secretariat(c, "extension_decided",
			     json_pack("{s:o, s:O}", "task", task_json(c, &t), "request", req),
			     requester.id);
	json_decref(req);
out:
	free(why);
	person_release(&requester);
	task_release(&t);
	extension_release(&e);
	return r;
}

/* --- a task done ------------------------------------------------------------------ */

int
extension_done(struct extension_ctx *c, struct task *t, int *ret_cancelled)
{
	struct extension e = { 0 };
	struct person requester = { 0 };
	bool open;
	int r;

	r = store_extension_pending(c->s, t->id, &e);
	if (r < 0 && r != -ENOENT)
		return r;
	open = r == 0;
	/* taskop_status closes the request as moot (and records it). */
	r = taskop_status(c->s, t, TASK_DONE, c->actor, c->now, ret_cancelled);
	if (r < 0 || !open)
		goto out;
	e.state = EXTENSION_MOOT;
	e.decided_at = c->now;
	r = store_person_get(c->s, e.person_id, &requester);
	if (r < 0)
		goto out;
	/* Who marked it done knows it; a requester who did not is told why it closed. */
	if (!c->me || requester.id != c->me->id)
		tell(c, requester.id, "extension_moot",
		     json_pack("{s:o, s:o}", "task", task_json(c, t),
			       "request", extension_json(&e, &requester, NULL)));
out:
	person_release(&requester);
	extension_release(&e);
	return r;
}

/* --- the pending ones ---------------------------------------------------------------- */

struct collected {
	struct extension *v;
	size_t n;
};

static int
collect(const struct extension *e, void *userdata)
{
	struct collected *l = userdata;

	l->v = xgrowarray(l->v, l->n, sizeof(*l->v));
	l->v[l->n] = *e;
	l->v[l->n].reason = e->reason ? xstrdup(e->reason) : NULL;
	l->v[l->n].decision = e->decision ? xstrdup(e->decision) : NULL;
	l->v[l->n].raw = e->raw ? xstrdup(e->raw) : NULL;
	l->n++;
	return 0;
}

json_t *
extension_pending_json(struct extension_ctx *c, int *ret_r)
{
	struct collected l = { 0 };
	json_t *a = json_array();
	int r;

	/* Read whole first: the task and person of each are other statements. */
	r = store_extension_foreach(c->s, true, collect, &l);
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		struct task t = { 0 };
		struct person p = { 0 };

		r = store_task_get(c->s, l.v[i].task_id, &t);
		if (r == 0)
			r = store_person_get(c->s, l.v[i].person_id, &p);
		if (r == 0)
			json_array_append_new(a, json_pack("{s:o, s:o}", "task", task_json(c, &t),
							   "request", extension_json(&l.v[i], &p,
										     NULL)));
		task_release(&t);
		person_release(&p);
	}
	for (size_t i = 0; i < l.n; i++)
		extension_release(&l.v[i]);
	free(l.v);
	if (r < 0) {
		json_decref(a);
		*ret_r = r;
		return NULL;
	}
	*ret_r = 0;
	return a;
}
