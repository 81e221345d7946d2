/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher; its invariants are in dispatch.h, the states of notices
 * and messages in notice.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include <jansson.h>

#include "calendar.h"
#include "channels.h"
#include "clock.h"
#include "dispatch.h"
#include "instance.h"
#include "log.h"
#include "macro.h"
#include "mime.h"
#include "obstacle.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

/* --- the sending window ----------------------------------------------- */

static int
local_minute(time_t t)
{
	int64_t local = (int64_t)t + CLOCK_VN_OFFSET;
	int64_t sec = ((local % 86400) + 86400) % 86400;

	return (int)(sec / 60);
}

/* The instant of minute m of day d, Asia/Ho_Chi_Minh. */
static time_t
local_instant(struct date d, int m)
{
	return (time_t)(date_to_days(d) * 86400 + (int64_t)m * 60 - CLOCK_VN_OFFSET);
}

bool
dispatch_in_window(const struct schedule *sch, time_t now)
{
	int m = local_minute(now);

	return calendar_is_workday(sch->cal, clock_local_date(now)) && m >= sch->send_at &&
	       m < sch->work_end;
}

time_t
dispatch_next_window(const struct schedule *sch, time_t now)
{
	struct date d = clock_local_date(now);

	if (dispatch_in_window(sch, now))
		return now;
	if (calendar_is_workday(sch->cal, d) && local_minute(now) < sch->send_at)
		return local_instant(d, sch->send_at);
	return local_instant(calendar_add_workdays(sch->cal, d, 1), sch->send_at);
}

/* --- composing -------------------------------------------------------- */

struct notices {
	struct notice *v;
	size_t n, cap;
};

static int
collect(const struct notice *n, void *userdata)
{
	struct notices *ns = userdata;

	ns->v = xgrowroom(ns->v, &ns->cap, ns->n + 1, sizeof(*ns->v));
	ns->v[ns->n++] = *n;
	return 0;
}

/* Later day first; on the same day a nag outranks a reminder, a higher level a lower. */
static int
notice_rank_cmp(const void *a, const void *b)
{
	const struct notice *x = a, *y = b;
	int c;

	if (x->task_id != y->task_id)
		return x->task_id < y->task_id ? -1 : 1;
	c = date_cmp(y->day, x->day);
	if (c)
		return c;
	if (x->stage != y->stage)
		return x->stage > y->stage ? -1 : 1;
	return y->step - x->step;
}

struct items {
	struct render_item *v;
	struct task *tasks;
	size_t n;
	struct render_past *past;	/* an escalation's: what was sent about each task */
	struct sent_notice *sent;	/* ...into which past[].sent point */
	size_t n_sent;
	bool *flags;			/* ...and past[].no_focal, no_head */
};

static void
items_release(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		task_release(&it->tasks[i]);
	free(it->tasks);
	free(it->v);
	free(it->past);
	sent_notices_free(it->sent, it->n_sent);
	free(it->flags);
	memset(it, 0, sizeof(*it));
}

/*
 * Reads, for the items of an escalation, what the outbox shows was sent
 * about each task, and which of its lead agencies have no active focal
 * point or head: the message tells of the past from these, never from
 * the ladder (DESIGN §6).  Fills it->past[0..it->n).
 */
static int
items_add_past(struct store *s, struct items *it)
{
	int64_t *ids = xcalloc(it->n ? it->n : 1, sizeof(*ids));
	size_t k = 0, n_flags = 0, f = 0;
	int r;

	for (size_t i = 0; i < it->n; i++) {
		ids[i] = it->v[i].task->id;
		n_flags += it->v[i].task->n_leads;
	}
	r = store_sent_notices(s, ids, it->n, &it->sent, &it->n_sent);
	free(ids);
	if (r < 0)
		return r;
	it->past = xcalloc(it->n ? it->n : 1, sizeof(*it->past));
	it->flags = xcalloc(2 * n_flags + 1, sizeof(*it->flags));
	for (size_t i = 0; i < it->n; i++) {
		struct render_past *p = &it->past[i];
		const struct task *t = it->v[i].task;

		/* store_sent_notices keeps the tasks' order. */
		p->task_id = t->id;
		p->sent = it->sent + k;
		while (k < it->n_sent && it->sent[k].task_id == t->id)
			k++;
		p->n_sent = (size_t)(it->sent + k - p->sent);
		p->no_focal = it->flags + f;
		p->no_head = it->flags + f + t->n_leads;
		for (size_t a = 0; a < t->n_leads; a++) {
			int64_t focal = store_agency_count_role(s, t->lead_ids[a], ROLE_FOCAL);
			int64_t head = store_agency_count_role(s, t->lead_ids[a], ROLE_HEAD);

			if (focal < 0 || head < 0)
				return (int)(focal < 0 ? focal : head);
			it->flags[f + a] = focal == 0;
			it->flags[f + t->n_leads + a] = head == 0;
		}
		f += 2 * t->n_leads;
	}
	return 0;
}

/* A registry that fails would fail every person alike: the whole compose stops. */
static bool
registry_failure(struct store *s, int r)
{
	return r == -EBUSY || r == -EROFS || r == -ENOSPC || r == -EIO || r == -EACCES ||
	       r == -EBADMSG || !store_in_txn(s);
}

/*
 * Renders items[0..n) as messages of kind for ctx->to, DISPATCH_MAX_TASKS
 * tasks at most in each (fewer when a part would pass the renderer's cap),
 * and adds them to the outbox: ret_ids[i] is the message that holds item i.
 * Splitting on task boundaries means no task is left out for size.
 */
static int
insert_parts(struct store *s, struct render_ctx *ctx, time_t now, const char *channel,
	     enum message_kind kind, const struct render_item *items, size_t n, int64_t *ret_ids,
	     struct dispatch_report *rep)
{
	struct rendered *text = NULL;
	size_t per = MIN((size_t)DISPATCH_MAX_TASKS, MAX(n, (size_t)1)), parts = 0;
	bool fell_back = false;
	int r = 0;

	for (;;) {
		parts = n ? (n + per - 1) / per : 1;
		text = xcalloc(parts, sizeof(*text));
		ctx->parts = parts;
		ctx->total = n;
		for (size_t k = 0; k < parts && r == 0; k++) {
			ctx->part = k + 1;
			r = render_message(kind, ctx, items + k * per, MIN(per, n - k * per), &text[k]);
			fell_back = fell_back || text[k].fell_back;
		}
		if (r != -ENOBUFS || per == 1)
			break;
		/* A part over the cap: smaller parts, all of them numbered again. */
		for (size_t k = 0; k < parts; k++)
			rendered_release(&text[k]);
		free(text);
		per = (per + 1) / 2;
		r = 0;
	}
	if (r < 0)
		goto out;
	if (fell_back)
		log_warnx("no '%s' templates for '%s': sent in Vietnamese", ctx->to->lang,
			  ctx->to->name);
	for (size_t k = 0; k < parts && r == 0; k++) {
		struct message m = { .person_id = ctx->to->id, .kind = kind, .next_at = now,
				     .created_at = now, .day = ctx->today };
		int64_t id = 0;

		snprintf(m.channel, sizeof(m.channel), "%s", channel);
		message_take_rendered(&m, &text[k]);
		r = store_message_insert(s, &m, &id);
		message_release(&m);
		for (size_t i = k * per; r == 0 && i < MIN(n, (k + 1) * per); i++)
			ret_ids[i] = id;
		if (r == 0 && n == 0)
			ret_ids[0] = id;
		if (r == 0)
			rep->composed++;
	}
out:
	for (size_t k = 0; k < parts; k++)
		rendered_release(&text[k]);
	free(text);
	return r;
}

/*
 * Makes the messages of kind for person p from the notices ns[0..n) (all
 * of one task group), keeping each task's first notice in rank order and
 * cancelling the rest as superseded.
 */
static int
compose_one(struct store *s, const struct dispatch_env *env, time_t now, const struct person *p,
	    const char *channel, enum message_kind kind, struct notice *ns, size_t n,
	    struct dispatch_report *rep)
{
	const struct schedule *sch = env->sch;
	struct date today = clock_local_date(now);
	struct items it = { 0 };
	struct render_ctx ctx = { .r = env->rend, .to = p, .today = today, .cal = sch->cal,
				  .chats = env->chats, .n_chats = env->n_chats, .bot = env->bot };
	int64_t *ids = NULL;
	bool catchup = false;
	int r = 0;

	ctx.reopen = channels_closed(env->cs, p, &ctx.reopen_window);

	qsort(ns, n, sizeof(*ns), notice_rank_cmp);
	it.v = xcalloc(n, sizeof(*it.v));
	it.tasks = xcalloc(n, sizeof(*it.tasks));
	for (size_t i = 0; i < n; i++) {
		struct task *t = &it.tasks[it.n];

		ns[i].message_id = 0;
		if (i > 0 && ns[i].task_id == ns[i - 1].task_id) {
			r = store_notice_set_state(s, ns[i].id, NOTICE_CANCELLED, now);
			rep->superseded++;
			if (r < 0)
				goto out;
			continue;
		}
		r = store_task_get(s, ns[i].task_id, t);
		if (r < 0)
			goto out;
		if (t->status == TASK_DONE || t->status == TASK_POSTPONED) {
			task_release(t);
			r = store_notice_set_state(s, ns[i].id, NOTICE_CANCELLED, now);
			if (r < 0)
				goto out;
			continue;
		}
		it.v[it.n] = (struct render_item){ t, ns[i].stage, ns[i].step, ns[i].day, ns[i].anchor };
		/*
		 * A notice of a day when no message was composed was missed
		 * (dondoc was down); one of a day when messages went out was only
		 * held by the noise budget, and is no catch-up; and on the very
		 * first day nothing was missed yet.
		 */
		if (date_cmp(ns[i].day, today) < 0 && env->has_last_day &&
		    date_cmp(ns[i].day, env->last_day) > 0)
			catchup = true;
		it.n++;
		ns[i].message_id = -(int64_t)it.n;	/* goes in, as item it.n - 1 */
	}
	if (it.n == 0)
		goto out;
	if (kind == MESSAGE_REMINDER && catchup)
		kind = MESSAGE_CATCHUP;
	if (kind == MESSAGE_ESCALATION) {
		r = items_add_past(s, &it);
		if (r < 0)
			goto out;
		ctx.past = it.past;
		ctx.n_past = it.n;
	}
	ids = xcalloc(it.n, sizeof(*ids));
	r = insert_parts(s, &ctx, now, channel, kind, it.v, it.n, ids, rep);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (ns[i].message_id < 0)
			r = store_notice_attach(s, ns[i].id, ids[-ns[i].message_id - 1], now);
out:
	free(ids);
	items_release(&it);
	return r;
}

/* Open tasks without a date, for the secretariat's list (an indicator needs none). */
static int
collect_undated(const struct task *t, void *userdata)
{
	struct notices *ids = userdata;
	struct notice n = { .task_id = t->id };

	if (t->kind == TASK_KIND_TASK && !t->deadline.has_due &&
	    t->deadline.precision != DEADLINE_RECURRING &&
	    t->status != TASK_DONE && t->status != TASK_POSTPONED)
		collect(&n, ids);
	return 0;
}

static int
compose_needs_date(struct store *s, const struct dispatch_env *env, time_t now,
		   const struct person *p, const char *channel, struct notice *ns, size_t n,
		   struct dispatch_report *rep)
{
	struct task_filter f = { .status = -1 };
	struct notices undated = { 0 };
	struct items it = { 0 };
	struct render_ctx ctx = { .r = env->rend, .to = p, .cal = env->sch->cal,
				  .chats = env->chats, .n_chats = env->n_chats, .bot = env->bot };
	int64_t *ids = NULL;
	int r;

	ctx.today = clock_local_date(now);
	r = store_task_foreach(s, &f, collect_undated, &undated);
	if (r < 0)
		goto out;
	if (undated.n == 0) {
		/* Dated since the list was planned: nothing to say. */
		for (size_t i = 0; r == 0 && i < n; i++)
			r = store_notice_set_state(s, ns[i].id, NOTICE_CANCELLED, now);
		goto out;
	}
	it.v = xcalloc(undated.n, sizeof(*it.v));
	it.tasks = xcalloc(undated.n, sizeof(*it.tasks));
	for (size_t i = 0; i < undated.n; i++) {
		r = store_task_get(s, undated.v[i].task_id, &it.tasks[it.n]);
		if (r < 0)
			goto out;
		it.v[it.n] = (struct render_item){ &it.tasks[it.n], STAGE_NEEDS_DATE, 0, ctx.today,
						   ctx.today };
		it.n++;
	}
	ids = xcalloc(it.n, sizeof(*ids));
	r = insert_parts(s, &ctx, now, channel, MESSAGE_NEEDS_DATE, it.v, it.n, ids, rep);
	/* The list's notices go with its first part. */
	for (size_t i = 0; r == 0 && i < n; i++)
		r = store_notice_attach(s, ns[i].id, ids[0], now);
out:
	free(ids);
	items_release(&it);
	free(undated.v);
	return r;
}

/* --- the secretariat's daily message ------------------------------------ */

/* True for the stages that go in the secretariat's daily message. */
static bool
is_daily_stage(enum notice_stage stage)
{
	return stage == STAGE_MISSING_FOCAL || stage == STAGE_MISSING_HEAD ||
	       stage == STAGE_OBSTACLE;
}

/* The active people, read once for a daily message (who is reachable now). */
struct everyone {
	struct person *v;
	size_t n;
};

static int
collect_active(const struct person *p, void *userdata)
{
	struct everyone *e = userdata;
	struct person *c;

	if (!p->active || (p->role != ROLE_FOCAL && p->role != ROLE_HEAD))
		return 0;
	e->v = xgrowarray(e->v, e->n, sizeof(*e->v));
	c = &e->v[e->n++];
	*c = (struct person){ .id = p->id, .agency_id = p->agency_id, .role = p->role,
			      .active = true, .name = xstrdup(p->name), .lang = xstrdup(p->lang) };
	person_addresses_copy(c, p);
	return 0;
}

static void
everyone_release(struct everyone *e)
{
	for (size_t i = 0; i < e->n; i++)
		person_release(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* True when agency still lacks role (focal or head) that a channel reaches. */
static bool
still_missing(const struct everyone *e, const struct channels *cs, int64_t agency,
	      enum person_role role)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].agency_id == agency && e->v[i].role == role &&
		    channels_pick(cs, &e->v[i]))
			return false;
	return true;
}

/*
 * The item of a missing-role notice for the daily message (a new object),
 * or NULL when there is nothing to say any more: the role was filled
 * since, or the agency leads no open task.
 */
static int
missing_item(struct store *s, const struct dispatch_env *env, const struct everyone *e,
	     const struct notice *n, json_t **ret)
{
	enum person_role role = n->stage == STAGE_MISSING_HEAD ? ROLE_HEAD : ROLE_FOCAL;
	char *code = NULL, *name = NULL, *fix = NULL;
	int64_t open = 0;
	int r;

	*ret = NULL;
	if (!still_missing(e, env->cs, n->step, role))
		return 0;
	r = store_agency_lead_count(s, n->step, &code, &name, &open);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (open > 0) {
		fix = xasprintf("dondoc person add --agency %s --role %s --name \"Họ và tên\" "
				"--email dia.chi@example.gov.vn", code, person_role_to_string(role));
		*ret = json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)n->step, "code", code,
				 "name", name, "tasks", (json_int_t)open, "command", fix);
	}
	free(fix);
	free(code);
	free(name);
	return 0;
}

/* The item of an obstacle notice (a new object), or NULL once it was handled. */
static int
obstacle_item(struct store *s, const struct dispatch_env *env, const struct notice *n,
	      struct date today, json_t **ret)
{
	struct obstacle o = { 0 };
	struct task t = { 0 };
	json_t *j;
	char *how;
	int r;

	*ret = NULL;
	r = store_obstacle_get(s, n->step, &o);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (o.state != OBSTACLE_OPEN)
		goto out;
	r = store_task_get(s, o.task_id, &t);
	if (r < 0)
		goto out;
	j = obstacle_json(&o);
	json_object_set_new(j, "task", render_task_json(&t, today, env->sch->cal));
	how = xasprintf("/xuly %lld ghi chú cách xử lý", (long long)o.id);
	json_object_set_new(j, "chat_command", json_string(how));
	free(how);
	how = xasprintf("dondoc obstacle handle %lld --note \"...\"", (long long)o.id);
	json_object_set_new(j, "command", json_string(how));
	free(how);
	*ret = j;
out:
	task_release(&t);
	obstacle_release(&o);
	return r;
}

/*
 * Adds item (taken; NULL: nothing to say) to the list name of data, once
 * per id (the same agency in two weeks' notices held over is one line).
 */
static void
add_item(json_t *data, const char *name, json_t *item)
{
	json_t *list = json_object_get(data, name), *v;
	size_t i;

	if (!item)
		return;
	json_array_foreach(list, i, v)
		if (json_equal(json_object_get(v, "id"), json_object_get(item, "id"))) {
			json_decref(item);
			return;
		}
	json_array_append_new(list, item);
}

/* Sets "has" flags and counts for the template's sections; the items' total. */
static size_t
daily_counts(json_t *data)
{
	static const char *const lists[] = { "missing_focal", "missing_head", "obstacles" };
	size_t total = 0;

	for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
		size_t n = json_array_size(json_object_get(data, lists[i]));
		char *key = xasprintf("n_%s", lists[i]);

		json_object_set_new(data, key, json_integer((json_int_t)n));
		free(key);
		/* Mustache shows a section for 0 too: a flag says whether there is one. */
		key = xasprintf("has_%s", lists[i]);
		json_object_set_new(data, key, json_boolean(n > 0));
		free(key);
		total += n;
	}
	json_object_set_new(data, "count", json_integer((json_int_t)total));
	return total;
}

/*
 * The secretariat's daily message (MESSAGE_DAILY) for p from ns[0..n):
 * the agencies that lack a focal point or a head, and the new
 * obstacles.  One a day: notices that come after today's went out wait
 * for tomorrow's.  Items with nothing left to say (a role filled since,
 * an obstacle handled) are cancelled; so is the whole when none is left.
 */
static int
compose_daily(struct store *s, const struct dispatch_env *env, time_t now,
	      const struct person *p, const char *channel, struct notice *ns, size_t n,
	      struct dispatch_report *rep)
{
	struct date today = clock_local_date(now);
	struct everyone e = { 0 };
	struct rendered text = { 0 };
	struct message m = { .person_id = p->id, .kind = MESSAGE_DAILY, .next_at = now,
			     .created_at = now, .day = today };
	json_t *data = NULL;
	int64_t id = 0;
	int r, made = 0;

	r = store_message_count_day_kind(s, p->id, today, MESSAGE_DAILY, &made);
	if (r < 0 || made > 0) {
		if (r == 0)
			rep->held += n;
		return r;
	}
	r = store_person_foreach(s, collect_active, &e);
	if (r < 0)
		goto out;
	data = json_pack("{s:[], s:[], s:[]}", "missing_focal", "missing_head", "obstacles");
	for (size_t i = 0; r == 0 && i < n; i++) {
		json_t *item = NULL;

		if (ns[i].stage == STAGE_OBSTACLE)
			r = obstacle_item(s, env, &ns[i], today, &item);
		else
			r = missing_item(s, env, &e, &ns[i], &item);
		if (r == 0 && !item)
			r = store_notice_set_state(s, ns[i].id, NOTICE_CANCELLED, now);
		ns[i].message_id = item ? -1 : 0;
		if (r == 0)
			add_item(data, ns[i].stage == STAGE_OBSTACLE ? "obstacles" :
				 ns[i].stage == STAGE_MISSING_HEAD ? "missing_head" : "missing_focal",
				 item);
	}
	if (r < 0 || daily_counts(data) == 0)
		goto out;
	r = render_answer(env->rend, p, "secretariat_daily", data, today, NULL,
			  RENDER_SUBJECT | RENDER_TEXT | RENDER_CHAT |
			  (channels_takes_html(env->cs, channel) ? RENDER_HTML : 0), &text);
	if (r < 0)
		goto out;
	snprintf(m.channel, sizeof(m.channel), "%s", channel);
	message_take_rendered(&m, &text);
	r = store_message_insert(s, &m, &id);
	if (r < 0)
		goto out;
	rep->composed++;
	for (size_t i = 0; r == 0 && i < n; i++)
		if (ns[i].message_id < 0)
			r = store_notice_attach(s, ns[i].id, id, now);
out:
	message_release(&m);
	rendered_release(&text);
	json_decref(data);
	everyone_release(&e);
	return r;
}

/*
 * Composes the messages of one person: ns[0..n).  The channel is the one
 * that reaches them now (they may have linked Telegram since the notices
 * were planned), else the one the planner chose.  A person made inactive
 * since gets none: the notices are cancelled.
 */
static int
compose_person(struct store *s, const struct dispatch_env *env, time_t now, struct notice *ns,
	       size_t n, struct dispatch_report *rep)
{
	struct person p = { 0 };
	struct notice *part[4];
	size_t count[4] = { 0 };
	const char *channel;
	int r, sent_today = 0;

	r = store_person_get(s, ns[0].person_id, &p);
	if (r < 0)
		return r;
	/* Planned while they were active; gone since: nothing for them. */
	if (!p.active) {
		for (size_t i = 0; i < n && r == 0; i++)
			r = store_notice_set_state(s, ns[i].id, NOTICE_CANCELLED, now);
		person_release(&p);
		return r;
	}
	channel = channels_pick_reminder(env->cs, &p);
	if (!channel)
		channel = ns[0].channel;
	for (int k = 0; k < 4; k++)
		part[k] = xcalloc(n, sizeof(struct notice));
	for (size_t i = 0; i < n; i++) {
		int k = ns[i].stage == STAGE_ESCALATION ? 1 : ns[i].stage == STAGE_NEEDS_DATE ? 2 : 0;

		if (is_daily_stage(ns[i].stage))
			k = 3;

		part[k][count[k]++] = ns[i];
	}
	if (count[0]) {
		/* The noise budget (invariant 5): a reminder or a catch-up made today already. */
		static const enum message_kind budget[] = { MESSAGE_REMINDER, MESSAGE_CATCHUP };

		for (size_t k = 0; k < ELEMENTSOF(budget) && r == 0; k++) {
			int one = 0;

			r = store_message_count_day_kind(s, p.id, clock_local_date(now), budget[k], &one);
			sent_today += one;
		}
		if (r < 0)
			goto out;
		if (sent_today > 0)
			rep->held += count[0];	/* the noise budget: tomorrow */
		else
			r = compose_one(s, env, now, &p, channel, MESSAGE_REMINDER, part[0],
					count[0], rep);
		if (r < 0)
			goto out;
	}
	if (count[1]) {
		r = compose_one(s, env, now, &p, channel, MESSAGE_ESCALATION, part[1], count[1], rep);
		if (r < 0)
			goto out;
	}
	if (count[2])
		r = compose_needs_date(s, env, now, &p, channel, part[2], count[2], rep);
	if (r == 0 && count[3])
		r = compose_daily(s, env, now, &p, channel, part[3], count[3], rep);
out:
	for (int k = 0; k < 4; k++)
		free(part[k]);
	person_release(&p);
	return r;
}

/* The meta key that remembers the secretariat was told person_id's messages fail. */
static void
failed_key(int64_t person_id, char out[48])
{
	snprintf(out, 48, "compose_failed.%lld", (long long)person_id);
}

/* What the secretariat reads of err (recipient.error); static. */
static const char *
compose_error_vi(int err)
{
	switch (err) {
	case -ENOBUFS:
		return "nội dung quá dài, kể cả khi tách thành nhiều tin";
	case -ENOENT:
		return "thiếu mẫu tin nhắn";
	default:
		return "lỗi hệ thống, xem nhật ký của dondoc";
	}
}

/* Tells each secretariat person, once, that p's messages cannot be made. */
static int
tell_compose_failed(struct store *s, const struct dispatch_env *env, time_t now,
		    const struct person *p, size_t n, int err)
{
	struct person *sec = NULL;
	size_t nsec = 0;
	int r;

	r = store_person_list_role(s, ROLE_SECRETARIAT, &sec, &nsec);
	for (size_t i = 0; r == 0 && i < nsec; i++) {
		const char *channel = channels_pick(env->cs, &sec[i]);
		struct message m = { .person_id = sec[i].id, .kind = MESSAGE_ALERT, .next_at = now,
				     .created_at = now, .day = clock_local_date(now) };
		struct rendered text = { 0 };
		json_t *data;
		int k;

		if (sec[i].id == p->id || !channel)
			continue;
		data = json_pack("{s:I, s:{s:s, s:s}}", "count", (json_int_t)n, "recipient", "name",
				 p->name ? p->name : "", "error", compose_error_vi(err));
		k = render_answer(env->rend, &sec[i], "compose_failed", data, m.day, NULL, RENDER_ALL,
				  &text);
		json_decref(data);
		if (k < 0) {
			/* What cannot be rendered for one cannot be told to any: the log has it. */
			log_warn_errno(k, "cannot tell the secretariat about '%s', ignoring", p->name);
			rendered_release(&text);
			break;
		}
		snprintf(m.channel, sizeof(m.channel), "%s", channel);
		message_take_rendered(&m, &text);
		r = store_message_insert(s, &m, NULL);
		message_release(&m);
	}
	for (size_t i = 0; i < nsec; i++)
		person_release(&sec[i]);
	free(sec);
	return r;
}

/*
 * The messages of the person of ns[0..n) could not be made (err), and
 * what was done for them is undone: their notices stay queued, to be
 * tried again each tick.  Counted every time, logged and told to the
 * secretariat only the first time (a mark in meta, cleared once it works
 * again), so one bad message never floods the log or the secretariat.
 */
static int
person_failed(struct store *s, const struct dispatch_env *env, time_t now,
	      const struct notice *ns, size_t n, int err, struct dispatch_report *rep)
{
	struct person p = { 0 };
	char key[48], *was = NULL;
	const char *why;
	int r;

	rep->failed++;
	failed_key(ns[0].person_id, key);
	r = store_meta_get(s, key, &was);
	if (r == 0 && *was) {
		free(was);
		return 0;	/* told before */
	}
	free(was);
	if (r < 0 && r != -ENOENT)
		return r;
	r = store_person_get(s, ns[0].person_id, &p);
	if (r < 0)
		return r;
	why = err == -ENOBUFS ? "one task alone makes a message over 1 MiB"
	    : err == -ENOENT ? "a template is missing" : strerror(-err);
	log_warnx("cannot compose the messages of '%s' (%zu notices): %s, will retry; "
		  "the others' go on, and the secretariat is told", p.name, n, why);
	r = store_meta_set(s, key, why);
	if (r == 0)
		r = tell_compose_failed(s, env, now, &p, n, err);
	person_release(&p);
	return r;
}

/* Clears the mark of person_failed once the person's messages are made again. */
static int
person_recovered(struct store *s, int64_t person_id)
{
	char key[48], *was = NULL;
	int r;

	failed_key(person_id, key);
	r = store_meta_get(s, key, &was);
	if (r == 0 && *was) {
		log_info("the messages of person %lld are composed again", (long long)person_id);
		r = store_meta_set(s, key, "");
	} else if (r == -ENOENT) {
		r = 0;
	}
	free(was);
	return r;
}

int
dispatch_compose(struct store *s, const struct dispatch_env *env0, time_t now,
		 struct dispatch_report *rep)
{
	struct dispatch_env envv = *env0, *env = &envv;
	const struct schedule *sch = env->sch;
	struct notices ns = { 0 };
	char *last = NULL, today[DATE_ISO_LEN];
	size_t start = 0;
	int r;

	if (!dispatch_in_window(sch, now))
		return 0;	/* notices wait, queued, for the window (invariant 6) */
	r = store_begin(s);
	if (r < 0)
		return r;
	/* The last day messages were composed tells missed days from held ones. */
	if (store_meta_get(s, "last_compose_day", &last) == 0)
		env->has_last_day = date_parse_iso(last, &env->last_day) == 0;
	free(last);
	r = store_notice_foreach_unsent(s, collect, &ns);
	for (size_t i = 1; r == 0 && i <= ns.n; i++) {
		struct dispatch_report one = { 0 };
		size_t n = i - start;

		if (i < ns.n && ns.v[i].person_id == ns.v[start].person_id)
			continue;
		/* Each person in a savepoint: one failure undoes that person's alone. */
		r = store_savepoint(s);
		if (r == 0)
			r = compose_person(s, env, now, ns.v + start, n, &one);
		if (r == 0)
			r = person_recovered(s, ns.v[start].person_id);
		/* The failure of a write sent on (store.h) is told here at the latest. */
		if (r == 0)
			r = store_release(s);
		if (r == 0) {
			rep->composed += one.composed;
			rep->held += one.held;
			rep->superseded += one.superseded;
		} else if (!registry_failure(s, r)) {
			int err = r;

			r = store_rollback_to(s);
			if (r == 0)
				r = person_failed(s, env, now, ns.v + start, n, err, rep);
		}
		start = i;
	}
	date_format_iso(clock_local_date(now), today);
	if (r == 0)
		r = store_meta_set(s, "last_compose_day", today);
	if (r == 0)
		r = store_commit(s);
	/* A commit that failed leaves the transaction open: end it. */
	if (r < 0)
		store_rollback(s);
	free(ns.v);
	return r;
}

/* --- delivering ------------------------------------------------------- */

/* Backoff for the attempt-th failure: 1 min doubling to 1 h, +/- 20 % jitter. */
static int64_t
backoff(int attempt, int retry_after)
{
	static unsigned seed;
	int64_t base = 60, jitter;

	if (!seed)
		seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	for (int i = 1; i < attempt && base < 3600; i++)
		base *= 2;
	base = MIN(base, 3600);
	jitter = (int64_t)(rand_r(&seed) % (int)(base * 2 / 5 + 1)) - base / 5;
	return MAX(base + jitter, (int64_t)retry_after);
}

/*
 * The recipient of m into *ret (person_release): its person, or for a
 * message to an address that is no person ([digest] to, schema 10) one
 * made up for the channels, numbered 0, named by the address.
 */
static int
recipient_get(struct store *s, const struct message *m, struct person *ret)
{
	if (m->person_id)
		return store_person_get(s, m->person_id, ret);
	*ret = (struct person){ .name = xstrdup(m->address ? m->address : ""),
				.lang = xstrdup("vi"), .role = ROLE_VIEWER, .active = true };
	(void)person_address_set(ret, "email", m->address);
	return 0;
}

/*
 * A digest could not be delivered: every secretariat person but its own
 * recipient is told, with no task listed (a digest has no notices).  It
 * is not sent through another channel: a chat gets only the headline,
 * and the secretariat sends the workbook on by hand.
 */
static int
alert_digest(struct store *s, const struct dispatch_env *env, const struct message *dead,
	     const struct person *to, time_t now)
{
	struct person *sec = NULL;
	size_t nsec = 0;
	int r = store_person_list_role(s, ROLE_SECRETARIAT, &sec, &nsec);

	for (size_t i = 0; r == 0 && i < nsec; i++) {
		struct message m = { 0 };
		struct rendered text = { 0 };
		struct render_ctx ctx = { .r = env->rend, .to = &sec[i],
					  .today = clock_local_date(now), .cal = env->sch->cal,
					  .about = to, .about_channel = dead->channel,
					  .about_error = dead->last_error, .about_digest = true };
		const char *channel = channels_pick(env->cs, &sec[i]);

		if ((dead->person_id && sec[i].id == dead->person_id) || !channel)
			continue;
		m = (struct message){ .person_id = sec[i].id, .kind = MESSAGE_ALERT, .next_at = now,
				      .created_at = now, .day = ctx.today };
		snprintf(m.channel, sizeof(m.channel), "%s", channel);
		r = render_message(MESSAGE_ALERT, &ctx, NULL, 0, &text);
		if (r == 0) {
			message_take_rendered(&m, &text);
			r = store_message_insert(s, &m, NULL);
		}
		rendered_release(&text);
		message_release(&m);
	}
	for (size_t i = 0; i < nsec; i++)
		person_release(&sec[i]);
	free(sec);
	return r;
}

/* Tells every secretariat person that message m could not be delivered. */
static int
alert_secretariat(struct store *s, const struct dispatch_env *env, const struct message *dead,
		  time_t now)
{
	struct notices ns = { 0 };
	struct person to = { 0 };
	int r;

	if (dead->kind == MESSAGE_ALERT)
		return 0;	/* never alert about an alert */
	if (dead->kind == MESSAGE_DIGEST) {
		r = recipient_get(s, dead, &to);
		if (r == 0) {
			log_warnx("digest %lld to '%s' is undeliverable: %s", (long long)dead->id,
				  to.name, dead->last_error ? dead->last_error : "no reason given");
			r = alert_digest(s, env, dead, &to, now);
		}
		person_release(&to);
		return r;
	}
	r = store_notice_foreach_message(s, dead->id, collect, &ns);
	if (r < 0 || ns.n == 0)
		goto out;
	r = store_person_get(s, dead->person_id, &to);
	if (r < 0)
		goto out;
	log_warnx("message %lld to '%s' is undeliverable: %s", (long long)dead->id, to.name,
		  dead->last_error ? dead->last_error : "no reason given");
	r = 0;
	/* One alert per secretariat person, listing the tasks of the dead message. */
	{
		struct items it = { 0 };
		struct person *sec = NULL;
		size_t nsec = 0;

		it.v = xcalloc(ns.n, sizeof(*it.v));
		it.tasks = xcalloc(ns.n, sizeof(*it.tasks));
		for (size_t i = 0; r == 0 && i < ns.n; i++) {
			if (!ns.v[i].task_id)
				continue;
			r = store_task_get(s, ns.v[i].task_id, &it.tasks[it.n]);
			if (r == 0) {
				it.v[it.n] = (struct render_item){ &it.tasks[it.n], ns.v[i].stage,
								   ns.v[i].step, ns.v[i].day,
								   ns.v[i].anchor };
				it.n++;
			}
		}
		if (r == 0 && it.n > 0)
			r = store_person_list_role(s, ROLE_SECRETARIAT, &sec, &nsec);
		for (size_t i = 0; r == 0 && i < nsec; i++) {
			struct message m = { 0 };
			struct rendered text = { 0 };
			struct render_ctx ctx = { .r = env->rend, .to = &sec[i],
						  .today = clock_local_date(now), .cal = env->sch->cal,
						  .about = &to, .about_channel = dead->channel,
						  .about_error = dead->last_error };
			/* Through what reaches the secretariat, not what just failed. */
			const char *channel = channels_pick(env->cs, &sec[i]);

			if (sec[i].id == dead->person_id || !channel)
				continue;
			m.person_id = sec[i].id;
			snprintf(m.channel, sizeof(m.channel), "%s", channel);
			m.kind = MESSAGE_ALERT;
			m.next_at = now;
			m.created_at = now;
			m.day = ctx.today;
			r = render_message(MESSAGE_ALERT, &ctx, it.v, it.n, &text);
			if (r == 0) {
				message_take_rendered(&m, &text);
				r = store_message_insert(s, &m, NULL);
			}
			rendered_release(&text);
			message_release(&m);
		}
		for (size_t i = 0; i < nsec; i++)
			person_release(&sec[i]);
		free(sec);
		items_release(&it);
	}
out:
	person_release(&to);
	free(ns.v);
	return r;
}

/* A claimed message and its recipient, on its way out. */
struct job {
	struct message m;
	struct person p;
	int64_t *tasks;		/* of its notices */
	size_t n_tasks;
	char *chat_id;		/* the chat message it became (a chat channel's); NULL otherwise */
	bool asks;		/* it asks its reader for a figure (chat_ask) */
	struct mime_attachment att;	/* a digest's workbook (borrowed from the batch) */
	size_t n_att;
};

/* Whether j's message asked its reader a question (store_chat_ask_add): 0 or -errno. */
static int
job_asks(struct store *s, struct job *j)
{
	int64_t task = 0;
	int r = store_chat_ask_get(s, j->m.id, j->m.person_id, &task);

	j->asks = r == 0;
	return r == -ENOENT ? 0 : r;
}

static int
job_channel_cmp(const void *a, const void *b)
{
	const struct job *x = a, *y = b;
	int c = strcmp(x->m.channel, y->m.channel);

	return c ? c : (x->m.id < y->m.id ? -1 : x->m.id > y->m.id);
}

/*
 * The server refused j for good, and the same message goes again through
 * the next channel that reaches the person (invariant 10: only after the
 * first has failed), a later one in the order of preference, so that a
 * message refused everywhere ends.  Its notices follow it, so they end
 * sent or dead with the new message.  When it was the address that was
 * refused (gone: an email address, a chat that blocked the bot or is
 * gone), that address of the channel's (channel_ops.address) is marked
 * broken first, and used no more; the person's other addresses are left
 * alone, as is the address when the message was refused for what it says.
 */
static int
fall_back(struct store *s, const struct dispatch_env *env, struct job *j, bool gone, time_t now)
{
	const struct channel_ops *ops = channels_ops(env->cs, j->m.channel);
	struct message m = { 0 };
	const char *channel;
	int64_t id = 0;
	int r = 0;

	/* An address that is no person has nothing to mark, nor another channel. */
	if (!j->m.person_id)
		return 0;
	if (gone && ops && ops->address) {
		/* The history says who silenced the address: dondoc, told so by the server. */
		const struct actor a = { .name = "dondoc",
					 .channel = ops->via ? ops->via : j->m.channel };

		/*
		 * The address is gone (a chat blocked or deleted, a mailbox
		 * refused): unused until mended.
		 */
		r = regop_person_address(s, j->p.id, ops->address, true, &a, now);
		if (r < 0)
			return r;
		/* As the registry now has them, for the channel picked next. */
		person_release(&j->p);
		r = store_person_get(s, j->m.person_id, &j->p);
		if (r < 0)
			return r;
	}
	/* A digest is not sent again elsewhere (alert_digest says why). */
	if (j->m.kind == MESSAGE_DIGEST)
		return 0;
	channel = channels_pick_after(env->cs, &j->p, j->m.channel,
				      j->m.kind == MESSAGE_REMINDER || j->m.kind == MESSAGE_CATCHUP ||
				      j->m.kind == MESSAGE_ESCALATION);
	if (!channel)
		return 0;
	m = (struct message){ .person_id = j->p.id, .kind = j->m.kind, .next_at = now,
			      .created_at = now, .day = j->m.day };
	snprintf(m.channel, sizeof(m.channel), "%s", channel);
	m.subject = j->m.subject;
	m.body = j->m.body;
	m.html = j->m.html;
	m.chat = j->m.chat;
	r = store_message_insert(s, &m, &id);
	if (r == 0)
		r = store_notice_move(s, j->m.id, id, now);
	if (r == 0)
		log_warnx("'%s' refused %s %s for good: sent again through %s instead",
			  j->m.channel, gone ? "the address of" : "a message to", j->p.name, channel);
	return r;
}

/* Records what became of one delivery, inside the caller's transaction. */
static int
finish_one(struct store *s, const struct dispatch_env *env, struct job *j, enum delivery d,
	   int retry_after, const char *err, time_t now, struct dispatch_report *rep)
{
	int r;

	if (d == DELIVERY_SENT) {
		rep->sent++;
		r = store_message_finish(s, j->m.id, instance_self(), MESSAGE_SENT, j->m.next_at, now,
					 NULL);
		/* Replies and buttons under it will name that chat message. */
		if (r == 0 && j->chat_id) {
			const struct channel_ops *ops = channels_ops(env->cs, j->m.channel);
			const char *to = ops && ops->form != CHANNEL_FORM_MAIL && ops->address
					 ? person_address(&j->p, ops->address) : NULL;

			if (to)
				r = store_chat_sent_add(s, j->m.channel, to, j->chat_id, j->m.id);
		}
		return r;
	}
	if (d == DELIVERY_RETRY && j->m.attempts < DISPATCH_MAX_ATTEMPTS) {
		rep->retried++;
		log_warnx("message %lld to '%s' through %s failed: %s, will retry", (long long)j->m.id,
			  j->p.name, j->m.channel, err ? err : "no reason given");
		return store_message_finish(s, j->m.id, instance_self(), MESSAGE_PENDING,
					    now + backoff(j->m.attempts, retry_after), now, err);
	}
	rep->dead++;
	r = store_message_finish(s, j->m.id, instance_self(), MESSAGE_DEAD, j->m.next_at, now, err);
	if (r == 0) {
		free(j->m.last_error);
		j->m.last_error = err ? xstrdup(err) : NULL;
		r = alert_secretariat(s, env, &j->m, now);
	}
	if (r == 0 && (d == DELIVERY_PERMANENT || d == DELIVERY_GONE))
		r = fall_back(s, env, j, d == DELIVERY_GONE, now);
	return r;
}

/*
 * Delivers the messages ids[0..n): each is claimed (committed) first,
 * with a lease; then a channel that batches (email: one SMTP session)
 * gets its share at once, the others one message at a time, and each
 * outcome is committed as soon as the channel knows it (for email, right
 * after the server accepted its DATA).  A crash in between leaves the
 * one message in flight "sending", to go again (invariant 3).
 *
 * When anything fails, what was claimed and not tried is pending again at
 * once; if the registry refuses even that (held by another process, a
 * full disk), it is kept in env->owed too and put back before anything
 * else at the next call, not left to wait out its lease.  An outcome that
 * cannot be committed (the registry held by
 * another process, a full disk) is tried again while the registry is
 * busy, and once more at the end of the batch; if it still cannot be, it
 * is kept in env->owed and recorded before anything else at the next
 * call (and before any lease is recovered), so the message is not sent
 * again while the daemon runs.  Without env->owed, or if the daemon stops
 * first, the message stays "sending" until its lease ends (or the next
 * start) and is sent once more: one duplicate, logged.
 */

/* Time to start no more messages: stopping, or the budget spent (deadline 0: none). */
static bool
must_pause(volatile sig_atomic_t *stop, int64_t deadline)
{
	return (stop && *stop) || (deadline && clock_mono_ms() >= deadline);
}

/* Tries of a commit the registry refuses as busy (each waits the busy timeout). */
#define RECORD_TRIES 3

/* One batch on its way: the jobs and what became of each. */
struct batch {
	struct store *s;
	const struct dispatch_env *env;
	const struct clock *clk;
	struct dispatch_report *rep;
	struct job *jobs;
	size_t k;		/* jobs claimed */
	size_t base;		/* the job of the channel's message 0 */
	enum delivery *d;
	int *retry;
	char **err;
	bool *known;		/* the channel told its outcome */
	bool *recorded;		/* and it is committed */
	int failed;		/* the first error committing an outcome; 0 */
	struct digest_run *runs;	/* the digests whose workbooks the jobs carry */
	size_t n_runs;
};

/* Commits the outcome of job i, trying again while the registry is busy. */
static int
record(struct batch *b, size_t i, int tries)
{
	struct job *j = &b->jobs[i];
	int r = 0;

	for (int t = 0; t < tries; t++) {
		struct dispatch_report one = { 0 };

		r = store_begin(b->s);
		if (r == 0)
			r = finish_one(b->s, b->env, j, b->d[i], b->retry[i], b->err[i],
				       clock_now(b->clk), &one);
		if (r == 0)
			r = store_commit(b->s);
		/* A commit that failed leaves the transaction open: end it. */
		if (r < 0)
			store_rollback(b->s);
		if (r == 0) {
			b->recorded[i] = true;
			b->rep->sent += one.sent;
			b->rep->retried += one.retried;
			b->rep->dead += one.dead;
			return 0;
		}
		if (r == -ESTALE) {
			/* Our claim ended and another instance took the message over. */
			log_warnx("message %lld to '%s': its claim ended before its outcome was "
				  "recorded, and another instance took it over: the outcome is "
				  "theirs to record", (long long)j->m.id, j->p.name);
			b->recorded[i] = true;
			return 0;
		}
		if (r != -EBUSY)
			break;
	}
	return r;
}

/*
 * The outcome of job i cannot be recorded now (err): kept in env->owed for
 * a later call, so that the message is not sent again while this process
 * lives; without one, it goes again when its claim's lease ends.
 */
static void
owe(struct batch *b, size_t i, int err)
{
	struct dispatch_owed *o = b->env->owed;
	struct job *j = &b->jobs[i];

	log_warnx("message %lld to '%s' went through %s but what became of it cannot be "
		  "recorded now: %s; %s", (long long)j->m.id, j->p.name, j->m.channel,
		  strerror(-err), o ? "will retry" : "it goes again when its claim ends");
	if (!o)
		return;
	o->v = xgrowroom(o->v, &o->cap, o->n + 1, sizeof(*o->v));
	o->v[o->n++] = (struct dispatch_owed_one){ .id = j->m.id, .next_at = j->m.next_at,
						   .chat_id = j->chat_id, .d = b->d[i],
						   .retry_after = b->retry[i], .err = b->err[i] };
	j->chat_id = NULL;
	b->err[i] = NULL;
}

void
dispatch_owed_release(struct dispatch_owed *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].err);
		free(o->v[i].chat_id);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/*
 * Records what env->owed keeps, oldest first, stopping at the first the
 * registry still refuses.  A message no longer "sending" was taken back
 * by someone (its lease ended): what it became is theirs to say.
 */
static int
settle_owed(struct store *s, const struct dispatch_env *env, const struct clock *clk,
	    struct dispatch_report *rep)
{
	struct dispatch_owed *o = env->owed;
	size_t done = 0;
	int r = 0;

	for (; o && done < o->n; done++) {
		struct dispatch_owed_one *w = &o->v[done];
		struct job j = { 0 };
		struct batch b = { .s = s, .env = env, .clk = clk, .rep = rep, .jobs = &j, .k = 1,
				   .d = &w->d, .retry = &w->retry_after, .err = &w->err };
		bool known = true, recorded = false;

		b.known = &known;
		b.recorded = &recorded;
		if (w->untried) {
			/* Claimed, never tried: pending again as it was, if still ours. */
			r = store_message_unclaim(s, w->id, instance_self(), w->next_at);
			if (r == 0)
				log_info("message %lld, claimed and not sent, is pending again at last",
					 (long long)w->id);
			goto next;
		}
		r = store_message_get(s, w->id, &j.m);
		if (r == 0 && j.m.state == MESSAGE_SENDING)
			r = recipient_get(s, &j.m, &j.p);
		if (r == 0 && j.m.state == MESSAGE_SENDING) {
			j.m.next_at = w->next_at;
			j.chat_id = w->chat_id;	/* borrowed: w keeps it */
			r = record(&b, 0, 1);
			if (r == 0)
				log_info("what became of message %lld is recorded at last",
					 (long long)w->id);
		}
next:
		message_release(&j.m);
		person_release(&j.p);
		if (r == -ENOENT)
			r = 0;	/* gone: nothing to record */
		if (r < 0)
			break;
		free(w->err);
		free(w->chat_id);
	}
	if (o && done > 0) {
		memmove(o->v, o->v + done, (o->n - done) * sizeof(*o->v));
		o->n -= done;
	}
	return r;
}

/* A channel's word on message i of those it was given: committed at once. */
static void
on_outcome(void *userdata, size_t i, enum delivery d, int retry_after, char *err)
{
	struct batch *b = userdata;
	size_t at = b->base + i;

	/*
	 * Cut short as the daemon stops: not known, so put back as it was
	 * (unclaim_rest), to go at the next start, the attempt not counted.
	 */
	if (at < b->k && !b->known[at] && d == DELIVERY_STOPPED)
		log_info("message %lld to '%s' through %s was cut short as dondoc stops: it goes "
			 "at the next start", (long long)b->jobs[at].m.id, b->jobs[at].p.name,
			 b->jobs[at].m.channel);
	if (at >= b->k || b->known[at] || d == DELIVERY_STOPPED) {
		free(err);
		return;
	}
	b->known[at] = true;
	b->d[at] = d;
	b->retry[at] = retry_after;
	b->err[at] = err;
	/* After one failure, the rest wait for the end of the batch. */
	if (!b->failed)
		b->failed = record(b, at, RECORD_TRIES);
}

/*
 * The workbook of j's digest, when it carries the whole digest (an HTML
 * form; the chat form's message has none): loaded once per batch from
 * the digest's row, so that every retry sends the same bytes.
 */
static int
job_attach(struct batch *b, struct job *j)
{
	struct digest_run *run = NULL;
	int r;

	if (!j->m.digest_id || !j->m.html)
		return 0;
	for (size_t i = 0; i < b->n_runs && !run; i++)
		if (b->runs[i].id == j->m.digest_id)
			run = &b->runs[i];
	if (!run) {
		b->runs = xgrowarray(b->runs, b->n_runs, sizeof(*b->runs));
		run = &b->runs[b->n_runs];
		r = store_digest_get(b->s, j->m.digest_id, run);
		if (r < 0)
			return r;
		b->n_runs++;
	}
	j->att = (struct mime_attachment){
		.filename = run->filename,
		.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		.data = run->workbook, .len = run->len };
	j->n_att = 1;
	return 0;
}

/*
 * Whether m waits for working hours (invariant 6): a proactive kind, but
 * a digest somebody asked for (its run has no key: dondoc digest --send,
 * /baocao tongthe) is an answer, and goes at once.
 */
static bool
waits_for_window(struct store *s, const struct message *m)
{
	bool scheduled = true;

	if (!message_kind_is_proactive(m->kind))
		return false;
	if (m->kind == MESSAGE_DIGEST && m->digest_id)
		(void)store_digest_is_scheduled(s, m->digest_id, &scheduled);
	return scheduled;
}

/*
 * Claims up to max messages due by now for this instance, in one statement
 * (store_message_claim_due: none is claimed by two instances, each read
 * as claimed), and loads them into b->jobs[0..b->k); *ret_n says how many
 * were claimed.  A proactive message outside the sending window is put
 * back, due at the next.  On failure nothing stays claimed (b->k is 0).
 */
static int
claim_batch(struct batch *b, int max, time_t now, int *ret_n)
{
	const struct schedule *sch = b->env->sch;
	const char *me = instance_self();
	struct message got[DISPATCH_BATCH];
	int n = 0, r;

	r = store_message_claim_due(b->s, now, me, now + DISPATCH_LEASE_S, got, MIN(max, DISPATCH_BATCH),
				    &n);
	*ret_n = r < 0 ? 0 : n;
	for (int i = 0; r == 0 && i < n; i++) {
		struct job *j = &b->jobs[b->k];

		if (waits_for_window(b->s, &got[i]) && !dispatch_in_window(sch, now)) {
			/* A retry that fell outside working hours waits (invariant 6). */
			r = store_message_unclaim(b->s, got[i].id, me, dispatch_next_window(sch, now));
			if (r == 0)
				message_release(&got[i]);	/* pending again: not ours */
			continue;
		}
		j->m = got[i];
		memset(&got[i], 0, sizeof(got[i]));	/* the job's now */
		b->k++;
		r = recipient_get(b->s, &j->m, &j->p);
		if (r == 0)
			r = job_attach(b, j);
		if (r == 0)
			r = store_message_tasks(b->s, j->m.id, &j->tasks, &j->n_tasks);
		if (r == 0)
			r = job_asks(b->s, j);
	}
	if (r < 0) {
		/*
		 * Nothing tried: every claim back, due as it was (those put
		 * off already are pending, and stay so).
		 */
		for (int x = 0; x < n; x++)
			if (got[x].id)
				(void)store_message_unclaim(b->s, got[x].id, me, got[x].next_at);
		for (size_t k = 0; k < b->k; k++) {
			(void)store_message_unclaim(b->s, b->jobs[k].m.id, me, b->jobs[k].m.next_at);
			message_release(&b->jobs[k].m);
		}
		b->k = 0;
	}
	for (int x = 0; x < n; x++)
		message_release(&got[x]);
	return r;
}

/* Claimed, not tried: pending again at once, as they were, the attempt not counted. */
static int
unclaim_rest(struct batch *b)
{
	size_t left = 0;
	int r = 0;

	for (size_t i = 0; i < b->k; i++)
		left += !b->known[i];
	for (int t = 0; left > 0 && t < 2; t++) {
		r = store_begin(b->s);
		for (size_t i = 0; i < b->k && r == 0; i++)
			if (!b->known[i])
				r = store_message_unclaim(b->s, b->jobs[i].m.id, instance_self(),
							  b->jobs[i].m.next_at);
		if (r == 0)
			r = store_commit(b->s);
		/* A commit that failed leaves the transaction open: end it. */
		if (r < 0)
			store_rollback(b->s);
		if (r != -EBUSY)
			break;
	}
	if (r < 0) {
		struct dispatch_owed *o = b->env->owed;

		log_warnx("cannot put back the messages claimed and not sent: %s; %s",
			  store_strerror(b->s, r),
			  o ? "will retry" : "they go when their claims end");
		/* Kept with the outcomes owed: put back before anything else next time. */
		for (size_t i = 0; o && i < b->k; i++) {
			if (b->known[i])
				continue;
			o->v = xgrowroom(o->v, &o->cap, o->n + 1, sizeof(*o->v));
			o->v[o->n++] = (struct dispatch_owed_one){ .id = b->jobs[i].m.id,
								   .next_at = b->jobs[i].m.next_at,
								   .untried = true };
		}
	}
	return r;
}

/* Claims up to n messages due (*ret_n of them) and delivers them. */
static int
deliver_batch(struct store *s, const struct dispatch_env *env, const struct clock *clk,
	      volatile sig_atomic_t *stop, int64_t deadline, int n, const char *site,
	      struct dispatch_report *rep, int *ret_n)
{
	struct batch b = { .s = s, .env = env, .clk = clk, .rep = rep };
	struct outgoing *out = xcalloc((size_t)n, sizeof(*out));
	int r, r2;

	b.jobs = xcalloc((size_t)n, sizeof(*b.jobs));
	b.d = xcalloc((size_t)n, sizeof(*b.d));
	b.retry = xcalloc((size_t)n, sizeof(*b.retry));
	b.err = xcalloc((size_t)n, sizeof(*b.err));
	b.known = xcalloc((size_t)n, sizeof(*b.known));
	b.recorded = xcalloc((size_t)n, sizeof(*b.recorded));
	r = claim_batch(&b, n, clock_now(clk), ret_n);
	if (r < 0 || b.k == 0)
		goto end;
	qsort(b.jobs, b.k, sizeof(*b.jobs), job_channel_cmp);
	for (size_t i = 0; i < b.k; i++) {
		struct job *j = &b.jobs[i];

		out[i] = (struct outgoing){ .id = j->m.id, .kind = message_kind_to_string(j->m.kind),
					    .to = &j->p, .subject = j->m.subject, .body = j->m.body,
					    .html = j->m.html, .chat = j->m.chat,
					    .reply_to = j->m.reply_to, .task_ids = j->tasks,
					    .n_tasks = j->n_tasks, .asks_reply = j->asks,
					    .ret_chat_message_id = &j->chat_id,
					    .site = site, .attachments = j->n_att ? &j->att : NULL,
					    .n_attachments = j->n_att };
	}
	for (size_t a = 0, e; a < b.k && !b.failed; a = e) {
		/* A channel that batches takes its share at once; others one by one. */
		size_t step;

		for (e = a + 1; e < b.k && strcmp(b.jobs[e].m.channel, b.jobs[a].m.channel) == 0; e++)
			;
		step = channels_batches(env->cs, b.jobs[a].m.channel) ? e - a : 1;
		for (size_t c = a; c < e && !b.failed; c += step) {
			/*
			 * Stopping, or the budget spent: what is not sent yet
			 * waits (a paced chat channel may take minutes more).
			 */
			if (must_pause(stop, deadline)) {
				rep->more = true;
				goto end;
			}
			b.base = c;
			channels_send_batch(env->cs, b.jobs[c].m.channel, out + c, MIN(step, e - c),
					    on_outcome, &b);
		}
	}
end:
	/*
	 * What the channels said and could not be committed: once more, now;
	 * after one more failure the others are not tried (each try may wait
	 * the busy timeout, and the watchdog waits for no one).
	 */
	r2 = 0;
	for (size_t i = 0; i < b.k; i++) {
		if (!b.known[i] || b.recorded[i])
			continue;
		if (r2 == 0)
			r2 = record(&b, i, 1);
		if (r2 < 0) {
			owe(&b, i, r2);
			r = r < 0 ? r : r2;
		}
	}
	r2 = unclaim_rest(&b);
	if (r == 0 && r2 < 0)
		r = r2;
	/* Stopped early by a failure now over: what was put back goes at once. */
	if (r == 0 && b.failed)
		rep->more = true;
	for (size_t i = 0; i < (size_t)n; i++) {
		message_release(&b.jobs[i].m);
		person_release(&b.jobs[i].p);
		free(b.jobs[i].tasks);
		free(b.jobs[i].chat_id);
		free(b.err[i]);
	}
	free(b.jobs);
	free(out);
	free(b.d);
	free(b.retry);
	free(b.err);
	free(b.known);
	free(b.recorded);
	for (size_t i = 0; i < b.n_runs; i++)
		store_digest_release(&b.runs[i]);
	free(b.runs);
	return r < 0 ? r : 0;
}

/*
 * This registry's name for itself in Message-IDs: random, made once and
 * kept in meta, so that a message sent again after a crash carries the
 * same Message-ID.  Into out (17 bytes).
 */
static int
site_id(struct store *s, char out[17])
{
	char *v = NULL;
	uint8_t rnd[8];
	int r = store_meta_get(s, "site_id", &v);

	if (r == 0 && strlen(v) == 16) {
		memcpy(out, v, 17);
		free(v);
		return 0;
	}
	free(v);
	if (r < 0 && r != -ENOENT)
		return r;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -errno;
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(out + 2 * i, 3, "%02x", rnd[i]);
	return store_meta_set(s, "site_id", out);
}

int
dispatch_deliver(struct store *s, const struct dispatch_env *env, const struct clock *clk,
		 volatile sig_atomic_t *stop, struct dispatch_report *rep)
{
	int64_t deadline = env->budget_ms ? clock_mono_ms() + env->budget_ms : 0;
	char site[17];
	int n = 0, r;

	rep->more = false;
	/* What the registry refused last time comes first: nothing goes before it. */
	r = settle_owed(s, env, clk, rep);
	if (r == 0)
		r = site_id(s, site);
	if (r < 0)
		return r;
	do {
		if (must_pause(stop, deadline)) {
			rep->more = true;	/* the rest stays pending, safe */
			return 0;
		}
		r = deliver_batch(s, env, clk, stop, deadline, DISPATCH_BATCH, site, rep, &n);
		if (r < 0)
			return r;
	} while (n == DISPATCH_BATCH && !rep->more);
	return 0;
}

/*
 * Makes pending again, due at now, the claims whose lease ended and those
 * of instances known gone (instance_gone: a process of this host killed
 * or crashed), and with unowned also those made before claims had owners;
 * *ret_n counts them.  A live instance's claims are never touched.
 */
static int
recover_claims(struct store *s, time_t now, bool unowned, int *ret_n)
{
	char **owners = NULL;
	size_t n_owners = 0;
	int n = 0, r;

	*ret_n = 0;
	r = store_message_recover(s, now, &n);
	*ret_n += n;
	if (r == 0 && unowned) {
		r = store_message_recover_owner(s, NULL, now, &n);
		*ret_n += n;
	}
	if (r == 0)
		r = store_message_claimants(s, &owners, &n_owners);
	for (size_t i = 0; i < n_owners; i++) {
		if (r == 0 && instance_gone(owners[i])) {
			r = store_message_recover_owner(s, owners[i], now, &n);
			if (r == 0 && n)
				log_info("%d messages claimed by '%s', which is gone, are pending again",
					 n, owners[i]);
			*ret_n += r == 0 ? n : 0;
		}
		free(owners[i]);
	}
	free(owners);
	return r;
}

int
dispatch_recover_start(struct store *s, time_t now, int *ret_n)
{
	return recover_claims(s, now, true, ret_n);
}

int
dispatch_recover(struct store *s, const struct dispatch_env *env, time_t now,
		 struct dispatch_report *rep)
{
	struct clock clk = { .fixed = now, .pinned = 1 };
	int n = 0, r;

	/* An outcome owed is one of ours, whatever its lease says. */
	r = settle_owed(s, env, &clk, rep);
	if (r == 0)
		r = recover_claims(s, now, false, &n);
	if (r == 0 && n > 0) {
		rep->recovered += (size_t)n;
		log_warnx("%d messages whose claims ended without an outcome are pending again", n);
	}
	return r;
}
