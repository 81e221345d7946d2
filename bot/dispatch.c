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

#include "calendar.h"
#include "channels.h"
#include "clock.h"
#include "dispatch.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
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

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		ns->v = xreallocarray(ns->v, ns->cap, sizeof(*ns->v));
	}
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
};

static void
items_release(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		task_release(&it->tasks[i]);
	free(it->tasks);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

/*
 * Makes one message of kind for person p from the notices ns[0..n) (all
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
	struct message m = { 0 };
	struct rendered text = { 0 };
	struct render_ctx ctx = { .r = env->rend, .to = p, .today = today, .cal = sch->cal };
	int64_t id = 0;
	bool catchup = false;
	int r = 0;

	qsort(ns, n, sizeof(*ns), notice_rank_cmp);
	it.v = xcalloc(n, sizeof(*it.v));
	it.tasks = xcalloc(n, sizeof(*it.tasks));
	for (size_t i = 0; i < n; i++) {
		struct task *t = &it.tasks[it.n];

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
		it.n++;
		/*
		 * A notice of a day when no message was composed was missed
		 * (dondoc was down); one of a day when messages went out was only
		 * held by the noise budget, and is no catch-up; and on the very
		 * first day nothing was missed yet.
		 */
		if (date_cmp(ns[i].day, today) < 0 && env->has_last_day &&
		    date_cmp(ns[i].day, env->last_day) > 0)
			catchup = true;
		ns[i].message_id = -1;	/* marks the ones that go in */
	}
	if (it.n == 0)
		goto out;
	if (kind == MESSAGE_REMINDER && catchup)
		kind = MESSAGE_CATCHUP;
	m.person_id = p->id;
	snprintf(m.channel, sizeof(m.channel), "%s", channel);
	m.kind = kind;
	m.next_at = now;
	m.created_at = now;
	m.day = today;
	r = render_message(kind, &ctx, it.v, it.n, &text);
	if (r < 0)
		goto out;
	if (text.fell_back)
		log_warnx("no '%s' templates for '%s': sent in Vietnamese", p->lang, p->name);
	message_take_rendered(&m, &text);
	r = store_message_insert(s, &m, &id);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (ns[i].message_id == -1)
			r = store_notice_attach(s, ns[i].id, id, now);
	if (r == 0)
		rep->composed++;
out:
	rendered_release(&text);
	message_release(&m);
	items_release(&it);
	return r;
}

/* Open tasks without a date, for the secretariat's list. */
static int
collect_undated(const struct task *t, void *userdata)
{
	struct notices *ids = userdata;
	struct notice n = { .task_id = t->id };

	if (!t->deadline.has_due && t->deadline.precision != DEADLINE_RECURRING &&
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
	struct message m = { 0 };
	struct rendered text = { 0 };
	struct render_ctx ctx = { .r = env->rend, .to = p, .cal = env->sch->cal };
	int64_t id = 0;
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
	m.person_id = p->id;
	snprintf(m.channel, sizeof(m.channel), "%s", channel);
	m.kind = MESSAGE_NEEDS_DATE;
	m.next_at = now;
	m.created_at = now;
	m.day = ctx.today;
	r = render_message(m.kind, &ctx, it.v, it.n, &text);
	if (r < 0)
		goto out;
	message_take_rendered(&m, &text);
	r = store_message_insert(s, &m, &id);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = store_notice_attach(s, ns[i].id, id, now);
	if (r == 0)
		rep->composed++;
out:
	rendered_release(&text);
	message_release(&m);
	items_release(&it);
	free(undated.v);
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
	struct notice *part[3];
	size_t count[3] = { 0 };
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
	channel = channels_pick(env->cs, &p);
	if (!channel)
		channel = ns[0].channel;
	for (int k = 0; k < 3; k++)
		part[k] = xcalloc(n, sizeof(struct notice));
	for (size_t i = 0; i < n; i++) {
		int k = ns[i].stage == STAGE_ESCALATION ? 1 : ns[i].stage == STAGE_NEEDS_DATE ? 2 : 0;

		part[k][count[k]++] = ns[i];
	}
	if (count[0]) {
		r = store_message_count_day(s, p.id, clock_local_date(now), &sent_today);
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
out:
	for (int k = 0; k < 3; k++)
		free(part[k]);
	person_release(&p);
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
		if (i < ns.n && ns.v[i].person_id == ns.v[start].person_id)
			continue;
		r = compose_person(s, env, now, ns.v + start, i - start, rep);
		start = i;
	}
	date_format_iso(clock_local_date(now), today);
	if (r == 0)
		r = store_meta_set(s, "last_compose_day", today);
	if (r == 0)
		r = store_commit(s);
	else
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
	int64_t chat_id;	/* the chat message it became (Telegram); 0 otherwise */
};

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
 * first has failed).  Its notices follow it, so they end sent or dead
 * with the new message.  When it was the address that was refused (gone:
 * an email address, a Telegram chat that blocked the bot or is gone), it
 * is marked broken first, and used no more; a message refused for what it
 * says leaves the address as it was.
 */
static int
fall_back(struct store *s, const struct dispatch_env *env, struct job *j, bool gone, time_t now)
{
	struct message m = { 0 };
	const char *channel;
	int64_t id = 0;
	int r = 0;

	if (gone && strcmp(j->m.channel, "telegram") == 0) {
		/* Blocked, deleted or unknown: no more Telegram until they link again. */
		r = store_person_set_telegram_broken(s, j->p.id, true);
		j->p.telegram_broken = true;
	} else if (gone) {
		r = store_person_set_email_broken(s, j->p.id, true);
		j->p.email_broken = true;
	}
	if (r < 0)
		return r;
	channel = channels_pick_other(env->cs, &j->p, j->m.channel);
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
		r = store_message_finish(s, j->m.id, MESSAGE_SENT, j->m.next_at, now, NULL);
		/* Replies and buttons under it will name that chat message. */
		if (r == 0 && j->chat_id && j->p.telegram && strcmp(j->m.channel, "telegram") == 0)
			r = store_chat_sent_add(s, j->m.channel, j->p.telegram, j->chat_id, j->m.id);
		return r;
	}
	if (d == DELIVERY_RETRY && j->m.attempts < DISPATCH_MAX_ATTEMPTS) {
		rep->retried++;
		log_warnx("message %lld to '%s' through %s failed: %s, will retry", (long long)j->m.id,
			  j->p.name, j->m.channel, err ? err : "no reason given");
		return store_message_finish(s, j->m.id, MESSAGE_PENDING,
					    now + backoff(j->m.attempts, retry_after), now, err);
	}
	rep->dead++;
	r = store_message_finish(s, j->m.id, MESSAGE_DEAD, j->m.next_at, now, err);
	if (r == 0) {
		free(j->m.last_error);
		j->m.last_error = err ? xstrdup(err) : NULL;
		r = alert_secretariat(s, env, &j->m, now);
	}
	if (r == 0 && (d == DELIVERY_PERMANENT || d == DELIVERY_GONE) &&
	    (strcmp(j->m.channel, "email") == 0 || strcmp(j->m.channel, "telegram") == 0))
		r = fall_back(s, env, j, d == DELIVERY_GONE, now);
	return r;
}

/*
 * Delivers the messages ids[0..n): each is claimed (committed) first;
 * then a channel that batches (email: one SMTP session) gets its share at
 * once, the others one message at a time, and each outcome is committed
 * as soon as it is known.  A crash in between leaves what was in flight
 * "sending", to go again: one message for the file channel, one SMTP
 * session's batch for email (invariant 3).
 */

/* Time to start no more messages: stopping, or the budget spent (deadline 0: none). */
static bool
must_pause(volatile sig_atomic_t *stop, int64_t deadline)
{
	return (stop && *stop) || (deadline && clock_mono_ms() >= deadline);
}

static int
deliver_batch(struct store *s, const struct dispatch_env *env, const struct clock *clk,
	      volatile sig_atomic_t *stop, int64_t deadline, const int64_t *ids, int n,
	      struct dispatch_report *rep)
{
	const struct schedule *sch = env->sch;
	struct job *jobs = xcalloc((size_t)n, sizeof(*jobs));
	struct outgoing *out = xcalloc((size_t)n, sizeof(*out));
	enum delivery *d = xcalloc((size_t)n, sizeof(*d));
	int *retry = xcalloc((size_t)n, sizeof(*retry));
	char **err = xcalloc((size_t)n, sizeof(*err));
	time_t now = clock_now(clk);
	size_t k = 0, done = 0;
	int r = 0;

	for (int i = 0; i < n && r >= 0; i++) {
		struct job *j = &jobs[k];

		r = store_message_get(s, ids[i], &j->m);
		if (r < 0)
			break;
		if (message_kind_is_proactive(j->m.kind) && !dispatch_in_window(sch, now)) {
			/* A retry that fell outside working hours waits (invariant 6). */
			r = store_message_finish(s, j->m.id, MESSAGE_PENDING,
						 dispatch_next_window(sch, now), now, j->m.last_error);
			message_release(&j->m);
			continue;
		}
		r = store_message_claim(s, j->m.id);
		if (r <= 0) {
			message_release(&j->m);
			continue;	/* someone else has it, or an error */
		}
		j->m.attempts++;
		r = store_person_get(s, j->m.person_id, &j->p);
		if (r < 0) {
			message_release(&j->m);
			break;
		}
		k++;
	}
	if (r < 0 || k == 0)
		goto out;
	qsort(jobs, k, sizeof(*jobs), job_channel_cmp);
	for (size_t i = 0; i < k && r == 0; i++) {
		struct job *j = &jobs[i];

		/* The tasks, for the buttons a chat message carries. */
		r = store_message_tasks(s, j->m.id, &j->tasks, &j->n_tasks);
		out[i] = (struct outgoing){ .id = j->m.id, .kind = message_kind_to_string(j->m.kind),
					    .to = &j->p, .subject = j->m.subject, .body = j->m.body,
					    .html = j->m.html, .chat = j->m.chat,
					    .reply_to = j->m.reply_to, .task_ids = j->tasks,
					    .n_tasks = j->n_tasks, .ret_chat_message_id = &j->chat_id };
	}
	for (size_t a = 0, b; a < k && r == 0; a = b) {
		/* A channel that batches takes its share at once; others one by one. */
		size_t step;

		for (b = a + 1; b < k && strcmp(jobs[b].m.channel, jobs[a].m.channel) == 0; b++)
			;
		step = channels_batches(env->cs, jobs[a].m.channel) ? b - a : 1;
		for (size_t c = a; c < b && r == 0; c += step) {
			size_t m = MIN(step, b - c);

			/*
			 * Stopping, or the budget spent: what is not sent yet
			 * waits (a paced chat channel may take minutes more).
			 */
			if (must_pause(stop, deadline))
				goto unclaim;
			channels_send_batch(env->cs, jobs[c].m.channel, out + c, m, d + c, retry + c,
					    err + c);
			/* Each outcome is committed as soon as it is known. */
			now = clock_now(clk);
			r = store_begin(s);
			for (size_t i = c; i < c + m && r == 0; i++)
				r = finish_one(s, env, &jobs[i], d[i], retry[i], err[i], now, rep);
			if (r == 0)
				r = store_commit(s);
			else
				store_rollback(s);
			done = c + m;
		}
	}
	goto out;
unclaim:
	/* Claimed, not tried: pending again, the attempt not counted. */
	rep->more = true;
	r = store_begin(s);
	for (size_t i = done; i < k && r == 0; i++)
		r = store_message_unclaim(s, jobs[i].m.id);
	if (r == 0)
		r = store_commit(s);
	else
		store_rollback(s);
out:
	for (size_t i = 0; i < (size_t)n; i++) {
		message_release(&jobs[i].m);
		person_release(&jobs[i].p);
		free(jobs[i].tasks);
		free(err[i]);
	}
	free(jobs);
	free(out);
	free(d);
	free(retry);
	free(err);
	return r < 0 ? r : 0;
}

int
dispatch_deliver(struct store *s, const struct dispatch_env *env, const struct clock *clk,
		 volatile sig_atomic_t *stop, struct dispatch_report *rep)
{
	int64_t ids[DISPATCH_BATCH], deadline = env->budget_ms ? clock_mono_ms() + env->budget_ms : 0;
	int n = 0, r;

	rep->more = false;
	do {
		if (must_pause(stop, deadline)) {
			rep->more = true;	/* the rest stays pending, safe */
			return 0;
		}
		r = store_message_due(s, clock_now(clk), ids, DISPATCH_BATCH, &n);
		if (r < 0)
			return r;
		r = deliver_batch(s, env, clk, stop, deadline, ids, n, rep);
		if (r < 0)
			return r;
	} while (n == DISPATCH_BATCH && !rep->more);
	return 0;
}
