/* SPDX-License-Identifier: MIT */
/*
 * The planner; its invariants are in planner.h.
 *
 * A pass reads the tasks to plan (all open ones, or those whose
 * next_notice day has come), computes each ladder in memory, and only then
 * writes: the notices that are due and every task's next day.  SQLite
 * does not promise what a SELECT sees of rows changed under it, so
 * reading and writing are kept apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "channels.h"
#include "clock.h"
#include "log.h"
#include "macro.h"
#include "period.h"
#include "planner.h"
#include "recurring.h"
#include "schedule.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

static const struct date never = { 9999, 12, 31 };

/* --- the people to tell ----------------------------------------------- */

struct idlist {
	size_t *v;	/* indexes into people.all */
	size_t n, cap;
};

struct people {
	struct person *all;	/* active people */
	size_t n, cap;
	const char **channel;	/* per person: the channel that reaches them, or NULL */
	struct idlist *focal;	/* per agency id */
	struct idlist *head;	/* per agency id */
	size_t n_agencies;	/* slots in focal/head: max agency id + 1 */
	struct idlist top;	/* leaders and the secretariat */
	struct idlist secretariat;
	size_t *by_id;		/* person id -> index + 1 (0: none) */
	size_t n_ids;
};

static void
idlist_add(struct idlist *l, size_t i)
{
	l->v = xgrowroom(l->v, &l->cap, l->n + 1, sizeof(size_t));
	l->v[l->n++] = i;
}

static int
collect_person(const struct person *p, void *userdata)
{
	struct people *pp = userdata;
	struct person *c;

	if (!p->active)
		return 0;
	pp->all = xgrowroom(pp->all, &pp->cap, pp->n + 1, sizeof(*pp->all));
	c = &pp->all[pp->n++];
	memset(c, 0, sizeof(*c));
	c->id = p->id;
	c->name = xstrdup(p->name);
	c->agency_id = p->agency_id;
	c->agency_code = xstrdup(p->agency_code);
	c->role = p->role;
	person_addresses_copy(c, p);
	c->lang = xstrdup(p->lang);
	c->active = true;
	return 0;
}

static void
people_release(struct people *pp)
{
	for (size_t i = 0; i < pp->n; i++)
		person_release(&pp->all[i]);
	for (size_t i = 0; i < pp->n_agencies; i++) {
		free(pp->focal[i].v);
		free(pp->head[i].v);
	}
	free(pp->all);
	free(pp->channel);
	free(pp->focal);
	free(pp->head);
	free(pp->top.v);
	free(pp->secretariat.v);
	free(pp->by_id);
	memset(pp, 0, sizeof(*pp));
}

static int
people_load(struct store *s, const struct channels *cs, struct people *pp)
{
	int64_t max_agency = 0, max_id = 0;
	int r;

	memset(pp, 0, sizeof(*pp));
	r = store_person_foreach(s, collect_person, pp);
	if (r < 0)
		return r;
	for (size_t i = 0; i < pp->n; i++) {
		max_agency = MAX(max_agency, pp->all[i].agency_id);
		max_id = MAX(max_id, pp->all[i].id);
	}
	pp->n_agencies = (size_t)max_agency + 1;
	pp->focal = xcalloc(pp->n_agencies, sizeof(struct idlist));
	pp->head = xcalloc(pp->n_agencies, sizeof(struct idlist));
	pp->channel = xcalloc(pp->n ? pp->n : 1, sizeof(char *));
	pp->n_ids = (size_t)max_id + 1;
	pp->by_id = xcalloc(pp->n_ids, sizeof(size_t));
	for (size_t i = 0; i < pp->n; i++) {
		const struct person *p = &pp->all[i];

		pp->channel[i] = channels_pick_reminder(cs, p);
		pp->by_id[p->id] = i + 1;
		switch (p->role) {
		case ROLE_FOCAL:
			idlist_add(&pp->focal[p->agency_id], i);
			break;
		case ROLE_HEAD:
			idlist_add(&pp->head[p->agency_id], i);
			break;
		case ROLE_SECRETARIAT:
			idlist_add(&pp->secretariat, i);
			idlist_add(&pp->top, i);
			break;
		case ROLE_LEADER:
			idlist_add(&pp->top, i);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* Adds to out the people a step of t goes to (see planner.h). */
static void
recipients(const struct people *pp, const int64_t *lead_ids, size_t n_leads,
	   enum notice_stage stage, int step, struct idlist *out)
{
	out->n = 0;
	if (stage == STAGE_ESCALATION && step >= 2) {
		for (size_t i = 0; i < pp->top.n; i++)
			idlist_add(out, pp->top.v[i]);
		return;
	}
	for (size_t a = 0; a < n_leads; a++) {
		int64_t id = lead_ids[a];
		const struct idlist *l;

		if (id < 0 || (size_t)id >= pp->n_agencies)
			continue;
		l = stage == STAGE_ESCALATION ? &pp->head[id] : &pp->focal[id];
		for (size_t i = 0; i < l->n; i++) {
			bool dup = false;

			/* A person in two lead agencies is told once. */
			for (size_t k = 0; k < out->n && !dup; k++)
				dup = out->v[k] == l->v[i];
			if (!dup)
				idlist_add(out, l->v[i]);
		}
	}
	/*
	 * Nobody here is not the secretariat's reminder: it hears of the
	 * agency's missing role in its daily message (note_missing).
	 */
}

/* --- nobody to tell ---------------------------------------------------- */

/* A lead agency a step would reach through nobody, and which role it lacks. */
struct missing {
	int64_t agency;
	enum notice_stage stage;	/* STAGE_MISSING_FOCAL or STAGE_MISSING_HEAD */
};

/* True when a channel reaches someone of l. */
static bool
anyone_reached(const struct people *pp, const struct idlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (pp->channel[l->v[i]])
			return true;
	return false;
}

/*
 * The role a step of stage and step goes to in a lead agency (focal
 * points, or heads at level 1), as the stage that says it is missing;
 * _STAGE_INVALID for steps that go to the leaders and the secretariat.
 */
static enum notice_stage
missing_stage(enum notice_stage stage, int step)
{
	if (stage == STAGE_ESCALATION)
		return step >= 2 ? _STAGE_INVALID : STAGE_MISSING_HEAD;
	return STAGE_MISSING_FOCAL;
}

/*
 * Adds to *v (n, cap) each lead agency of a step that no active focal
 * point (or head, at level 1) reachable by a channel would receive, once
 * per agency and role.
 */
static void
note_missing(const struct people *pp, const int64_t *lead_ids, size_t n_leads,
	     enum notice_stage stage, int step, struct missing **v, size_t *n, size_t *cap)
{
	enum notice_stage what = missing_stage(stage, step);

	if (what == _STAGE_INVALID)
		return;
	for (size_t a = 0; a < n_leads; a++) {
		int64_t id = lead_ids[a];
		bool known = false;

		if (id <= 0)
			continue;
		if ((size_t)id < pp->n_agencies &&
		    anyone_reached(pp, what == STAGE_MISSING_HEAD ? &pp->head[id] : &pp->focal[id]))
			continue;
		for (size_t k = 0; k < *n && !known; k++)
			known = (*v)[k].agency == id && (*v)[k].stage == what;
		if (known)
			continue;
		*v = xgrowroom(*v, cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = (struct missing){ id, what };
	}
}

/* The Monday of d's week: a missing role is told at most once a week. */
static struct date
week_of(struct date d)
{
	return date_from_days(date_to_days(d) - (date_weekday(d) - 1));
}

/* --- the ladder ------------------------------------------------------- */

struct steps {
	struct ladder_step *v;
	size_t n, cap;
};

static void
steps_add(struct steps *s, enum notice_stage stage, int step, struct date anchor, struct date day)
{
	s->v = xgrowroom(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = (struct ladder_step){ stage, step, anchor, day };
}

static int
step_cmp(const void *a, const void *b)
{
	const struct ladder_step *x = a, *y = b;
	int c = date_cmp(x->day, y->day);

	if (c)
		return c;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	return x->step < y->step ? -1 : x->step > y->step;
}

/* The ladder of a recurring task whose next reporting day is occ. */
static void
recurring_steps(const struct schedule *sch, struct date occ, struct steps *s)
{
	/* As for a due day: a reporting day off counts from the working day before. */
	struct date occ0 = calendar_add_workdays(sch->cal, occ, 0);

	for (int i = 0; i < sch->n_recurring_before; i++)
		steps_add(s, STAGE_RECURRING, sch->recurring_before[i], occ,
			  calendar_add_workdays(sch->cal, occ0, -sch->recurring_before[i]));
}

/* --- the escalation clock -------------------------------------------- */

enum planner_clock
planner_escalation_clock(const struct schedule *sch, const struct deadline *dl,
			 bool has_first_notice, struct date first_notice, struct date *ret)
{
	/* A recurring task's period is due like a deadline (its due day moves on). */
	if (!dl->has_due || (dl->precision > DEADLINE_YEAR && dl->precision != DEADLINE_RECURRING))
		return PLANNER_CLOCK_NONE;
	if (sch->escalation_from == ESCALATION_FROM_DUE) {
		*ret = dl->due;
		return PLANNER_CLOCK_DUE_POLICY;
	}
	if (!has_first_notice)
		return PLANNER_CLOCK_NOT_STARTED;
	/* Reminded in time: the late days count from the due day, as they always did. */
	if (date_cmp(first_notice, dl->due) <= 0) {
		*ret = dl->due;
		return PLANNER_CLOCK_DUE_REMINDED;
	}
	*ret = first_notice;
	return PLANNER_CLOCK_FIRST_NOTICE;
}

/*
 * The day the ladder's escalation levels count from, on today: the clock;
 * before the due day, a clock not started yet is the due day, since a
 * reminder sent by then (the only way it starts) makes it so.  False for
 * no escalation (yet).  planner_run and planner_explain both ask here.
 */
static bool
ladder_clock(const struct schedule *sch, const struct deadline *dl, bool has_first_notice,
	     struct date first_notice, struct date today, struct date *ret)
{
	enum planner_clock c = planner_escalation_clock(sch, dl, has_first_notice, first_notice, ret);

	if (c == PLANNER_CLOCK_NOT_STARTED && date_cmp(today, dl->due) <= 0) {
		*ret = dl->due;
		return true;
	}
	return c > PLANNER_CLOCK_NOT_STARTED;
}

/*
 * Adds the escalation levels of a task due on due, counted from clock,
 * and returns the day of the last one.  The notices keep the due day as
 * their anchor (their identity), whatever the clock counts from.
 */
static struct date
escalation_steps(const struct schedule *sch, struct date due, struct date clock, struct steps *s)
{
	struct date last = due;

	for (int i = 0; i < sch->n_levels; i++) {
		last = calendar_add_workdays(sch->cal, clock, sch->levels[i]);
		steps_add(s, STAGE_ESCALATION, i + 1, due, last);
	}
	return last;
}

/*
 * The ladder of dl.  clock is the day the escalation levels count from
 * (planner_escalation_clock), NULL for none yet.
 */
static size_t
ladder(const struct schedule *sch, const struct deadline *dl, const struct date *occ,
       const struct date *clock, struct date until, struct steps *out)
{
	struct steps s = *out;
	const struct calendar *cal = sch->cal;

	s.n = 0;
	if (dl->precision == DEADLINE_RECURRING && !dl->has_due) {
		if (occ)
			recurring_steps(sch, *occ, &s);
	} else if (dl->has_due && (dl->precision <= DEADLINE_YEAR ||
				   dl->precision == DEADLINE_RECURRING)) {
		struct date due = dl->due;
		struct date due0 = calendar_add_workdays(cal, due, 0), prev = due, last = due;
		int p = dl->precision, k;

		/* A period of a recurring task: its reminders, then like a deadline. */
		if (p == DEADLINE_RECURRING)
			recurring_steps(sch, due, &s);
		for (int i = 0; p <= DEADLINE_YEAR && i < sch->n_before[p]; i++)
			steps_add(&s, STAGE_BEFORE, sch->before[p][i], due,
				  calendar_add_workdays(cal, due0, -sch->before[p][i]));
		if (clock)
			last = escalation_steps(sch, due, *clock, &s);
		/*
		 * Nags (counted from the due day whatever the escalation clock)
		 * up to the last escalation level; past it, on until the first
		 * nag still to come (the planner's next day to look).
		 */
		for (k = sch->nag_first; k < 100000; k += sch->nag_every) {
			struct date day = calendar_add_workdays(cal, due, k);

			if (date_cmp(day, last) > 0 && date_cmp(prev, until) > 0)
				break;
			steps_add(&s, STAGE_OVERDUE, k, due, day);
			prev = day;
		}
	}
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), step_cmp);
	*out = s;
	return s.n;
}

/* The next reporting day of recurring tasks on or after today; false when none. */
static bool
next_report_day(const struct schedule *sch, struct date today, struct date *ret)
{
	int r = schedule_next(sch, SCHEDULE_RECURRING, today, ret);

	if (r == -ERANGE)
		log_warnx("%s: the reporting days of recurring tasks are not known for this day; "
			  "reload the schedules", sch->policy_path ? sch->policy_path : "policy");
	return r == 0;
}

size_t
planner_ladder(const struct schedule *sch, const struct deadline *dl, struct date today,
	       struct date until, struct ladder_step **ret)
{
	return planner_ladder_task(sch, dl, true, dl->due, today, until, ret);
}

size_t
planner_ladder_task(const struct schedule *sch, const struct deadline *dl, bool has_first_notice,
		    struct date first_notice, struct date today, struct date until,
		    struct ladder_step **ret)
{
	struct steps s = { 0 };
	struct date occ, clock;
	bool has_occ = dl->precision == DEADLINE_RECURRING && next_report_day(sch, today, &occ);
	bool has_clock = ladder_clock(sch, dl, has_first_notice, first_notice, today, &clock);
	size_t n = ladder(sch, dl, has_occ ? &occ : NULL, has_clock ? &clock : NULL, until, &s);

	*ret = s.v;
	return n;
}

/* --- planning --------------------------------------------------------- */

/* A recurring task due for another period than the one its due day says. */
struct period_move {
	int64_t id;
	struct date due;
};

struct plan {
	const struct schedule *sch;
	const struct people *pp;
	struct date today;
	bool has_occ;		/* the next reporting day of recurring tasks... */
	struct date occ;	/* ...computed once a pass, not once a task */
	struct steps steps;	/* scratch, reused task after task */
	struct notice *notices;	/* to write */
	size_t n_notices, cap_notices;
	struct task_plan *next;	/* tasks whose plan changed */
	size_t n_next, cap_next;
	struct idlist who;	/* scratch */
	struct planner_report rep;
	struct missing *missing;	/* lead agencies a due step reached through nobody */
	size_t n_missing, cap_missing;
	struct period_move *moves;	/* recurring tasks whose period moves on */
	size_t n_moves, cap_moves;
	bool period_warned;	/* a period could not be computed: said once */
	struct store *s;	/* read only, during the pass (when an indicator was assessed) */
	bool has_assess_occ;	/* the next reporting day of indicators... */
	struct date assess_occ;	/* ...computed once a pass */
};

static void
plan_notice(struct plan *pl, const struct plan_task *t, const struct ladder_step *st)
{
	recipients(pl->pp, t->lead_ids, t->n_leads, st->stage, st->step, &pl->who);
	note_missing(pl->pp, t->lead_ids, t->n_leads, st->stage, st->step, &pl->missing,
		     &pl->n_missing, &pl->cap_missing);
	for (size_t i = 0; i < pl->who.n; i++) {
		size_t pi = pl->who.v[i];
		struct notice *n;

		if (!pl->pp->channel[pi]) {
			pl->rep.unreached++;
			continue;
		}
		pl->notices = xgrowroom(pl->notices, &pl->cap_notices, pl->n_notices + 1, sizeof(*pl->notices));
		n = &pl->notices[pl->n_notices++];
		memset(n, 0, sizeof(*n));
		n->task_id = t->id;
		n->person_id = pl->pp->all[pi].id;
		n->stage = st->stage;
		n->step = st->step;
		n->anchor = st->anchor;
		n->day = st->day;
		snprintf(n->channel, sizeof(n->channel), "%s", pl->pp->channel[pi]);
	}
}

/*
 * The period recurring task t is due for today (recurring.h) into *dl:
 * true when that is not the one its due day says (the one before was
 * missed, or it had none yet), to be moved by apply_moves.  On a failure
 * (the policy's reporting days unknown) *dl is left as it was.
 */
static bool
plan_period(struct plan *pl, const struct plan_task *t, struct deadline *dl)
{
	struct date due;
	int r = recurring_due(pl->sch, dl, dl->has_due, dl->due, t->created_at, pl->today, &due);

	if (r < 0) {
		/* Once a pass: every recurring task would say the same. */
		if (!pl->period_warned)
			log_warnx("task %lld: its reporting days are not known for this day (%s); "
				  "reload the schedules", (long long)t->id, strerror(-r));
		pl->period_warned = true;
		return false;
	}
	if (dl->has_due && date_cmp(dl->due, due) == 0)
		return false;
	dl->has_due = true;
	dl->due = due;
	pl->moves = xgrowroom(pl->moves, &pl->cap_moves, pl->n_moves + 1, sizeof(*pl->moves));
	pl->moves[pl->n_moves++] = (struct period_move){ t->id, due };
	return true;
}

/*
 * The planner must look again by the day the period after dl's is first
 * asked, when its due day moves on: the earlier of that day and next.
 */
static struct date
next_period_day(const struct schedule *sch, const struct deadline *dl, struct date next)
{
	struct date rd, ask;

	if (period_next(sch, dl, date_from_days(date_to_days(dl->due) + 1), &rd) < 0)
		return next;
	ask = period_ask_day(sch, rd);
	return date_cmp(ask, next) < 0 ? ask : next;
}

/*
 * Moves the due day of the recurring tasks plan_task found due for a new
 * period, each an event by "dondoc" (recurring_move), before the notices
 * of the new period are written: what was queued for the old one is
 * cancelled, never what this pass adds.
 */
static int
apply_moves(struct store *s, const struct plan *pl, int64_t now)
{
	static const struct actor planner = { .name = "dondoc", .channel = "cli" };

	for (size_t i = 0; i < pl->n_moves; i++) {
		struct task t = { 0 };
		int r = store_task_get(s, pl->moves[i].id, &t);

		if (r == 0)
			r = recurring_move(s, &t, pl->moves[i].due, &planner, now);
		if (r == 0)
			r = taskop_save(s, &t, now);
		task_release(&t);
		if (r < 0)
			return r;
	}
	return 0;
}

static int
plan_task(const struct plan_task *t, void *userdata)
{
	struct plan *pl = userdata;
	const struct ladder_step *latest_before = NULL, *latest_nag = NULL, *latest_rec = NULL;
	struct date next = never;
	struct deadline dl = t->deadline;
	bool moved = dl.precision == DEADLINE_RECURRING && plan_period(pl, t, &dl);
	bool overdue = dl.has_due && date_cmp(dl.due, pl->today) < 0;
	bool planned = false;
	struct date clock;
	bool has_clock = ladder_clock(pl->sch, &dl, t->has_first_notice, t->first_notice,
				      pl->today, &clock);
	size_t n = ladder(pl->sch, &dl, pl->has_occ ? &pl->occ : NULL,
			  has_clock ? &clock : NULL, pl->today, &pl->steps);
	const struct ladder_step *steps = pl->steps.v;

	pl->rep.tasks++;
	for (size_t i = 0; i < n; i++) {
		const struct ladder_step *st = &steps[i];

		if (date_cmp(st->day, pl->today) > 0) {
			/* The first step still to come is when to look again. */
			if (date_cmp(st->day, next) < 0 && (!overdue || (st->stage != STAGE_BEFORE &&
								       st->stage != STAGE_RECURRING)))
				next = st->day;
			continue;
		}
		/* Steps up to the day planned through were dealt with then. */
		if (t->has_through && date_cmp(st->day, t->through) <= 0)
			continue;
		switch (st->stage) {
		case STAGE_BEFORE:
			if (!overdue)
				latest_before = st;
			break;
		case STAGE_OVERDUE:
			if (overdue)
				latest_nag = st;
			break;
		case STAGE_ESCALATION:
			if (overdue) {
				plan_notice(pl, t, st);
				planned = true;
			}
			break;
		case STAGE_RECURRING:
			/* A period past its reporting day is nagged, not reminded. */
			if (!overdue)
				latest_rec = st;
			break;
		default:
			break;
		}
	}
	if (latest_before)
		plan_notice(pl, t, latest_before);
	if (latest_nag)
		plan_notice(pl, t, latest_nag);
	if (latest_rec)
		plan_notice(pl, t, latest_rec);
	planned = planned || latest_before || latest_nag || latest_rec;
	/* A recurring task looks again the day after its reporting day. */
	if (t->deadline.precision == DEADLINE_RECURRING && date_cmp(next, never) == 0 && n > 0)
		next = date_from_days(date_to_days(steps[n - 1].anchor) + 1);
	if (dl.precision == DEADLINE_RECURRING && dl.has_due)
		next = next_period_day(pl->sch, &dl, next);
	/* Write only what changed: a pass over unchanged tasks writes nothing. */
	if (!planned && !moved && t->has_next && date_cmp(t->next, next) == 0 && t->has_through)
		return 0;
	pl->next = xgrowroom(pl->next, &pl->cap_next, pl->n_next + 1, sizeof(*pl->next));
	pl->next[pl->n_next].id = t->id;
	pl->next[pl->n_next].next = next;
	pl->n_next++;
	return 0;
}

/* --- indicators: update requests on the reporting calendar ------------ */

/* The next reporting day of indicators on or after today; false when none. */
static bool
next_assessment_day(const struct schedule *sch, struct date today, struct date *ret)
{
	int r = schedule_next(sch, SCHEDULE_ASSESSMENT, today, ret);

	if (r == -ERANGE)
		log_warnx("%s: the reporting days of indicators are not known for this day; "
			  "reload the schedules", sch->policy_path ? sch->policy_path : "policy");
	return r == 0;
}

/*
 * The update requests of reporting day occ into s, in day order: one per
 * [assessment] before offset, that many working days before it (a
 * reporting day off counts from the working day before, as a due day).
 */
static void
assessment_steps(const struct schedule *sch, struct date occ, struct steps *s)
{
	struct date occ0 = calendar_add_workdays(sch->cal, occ, 0);

	s->n = 0;
	for (int i = 0; i < sch->n_assessment_before; i++)
		steps_add(s, STAGE_ASSESSMENT, sch->assessment_before[i], occ,
			  calendar_add_workdays(sch->cal, occ0, -sch->assessment_before[i]));
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), step_cmp);
}

/*
 * An indicator is assessed, not due (DESIGN §4): no reminder, nag or
 * escalation whatever its deadline; only the latest update request of the
 * coming reporting day that is due, to the focal points, unless it was
 * assessed since the period's first request (asked and answered).  Looks
 * again at the next request, or the day after the reporting day.
 */
static int
plan_indicator(struct plan *pl, const struct plan_task *t)
{
	const struct ladder_step *latest = NULL;
	struct date next = never;
	size_t n = 0;
	int64_t assessed = 0;
	int r;

	pl->rep.tasks++;
	if (pl->has_assess_occ) {
		assessment_steps(pl->sch, pl->assess_occ, &pl->steps);
		n = pl->steps.n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ladder_step *st = &pl->steps.v[i];

		if (date_cmp(st->day, pl->today) > 0) {
			if (date_cmp(st->day, next) < 0)
				next = st->day;
			continue;
		}
		if (t->has_through && date_cmp(st->day, t->through) <= 0)
			continue;
		latest = st;
	}
	if (latest) {
		r = store_event_last_of_kind(pl->s, t->id, "assessment", &assessed);
		if (r < 0)
			return r;
		if (assessed && date_cmp(clock_local_date((time_t)assessed), pl->steps.v[0].day) >= 0)
			latest = NULL;
	}
	if (latest)
		plan_notice(pl, t, latest);
	if (date_cmp(next, never) == 0 && n > 0)
		next = date_from_days(date_to_days(pl->assess_occ) + 1);
	if (!latest && t->has_next && date_cmp(t->next, next) == 0 && t->has_through)
		return 0;
	pl->next = xgrowroom(pl->next, &pl->cap_next, pl->n_next + 1, sizeof(*pl->next));
	pl->next[pl->n_next].id = t->id;
	pl->next[pl->n_next].next = next;
	pl->n_next++;
	return 0;
}

/* Plans one open row: an indicator by the reporting calendar, a task by its ladder. */
static int
plan_one(const struct plan_task *t, void *userdata)
{
	if (t->kind == TASK_KIND_INDICATOR)
		return plan_indicator(userdata, t);
	return plan_task(t, userdata);
}

/*
 * True when the secretariat's "needs a date" list is due: a list day of
 * the RRULE fell within the last week, no list was planned for it yet,
 * and some open task has no date.  *ret_day is that list day.
 */
static int
needs_date_list(struct store *s, const struct schedule *sch, struct date today,
		struct date *ret_day)
{
	struct date occ;
	int64_t n;

	if (schedule_prev(sch, SCHEDULE_NEEDS_DATE, today, &occ) < 0 ||
	    date_to_days(today) - date_to_days(occ) >= 7)
		return 0;
	n = store_notice_count_list(s, STAGE_NEEDS_DATE, occ);
	if (n != 0)
		return n < 0 ? (int)n : 0;
	n = store_task_count_undated(s);
	if (n <= 0)
		return (int)n;
	*ret_day = occ;
	return 1;
}

static int
plan_needs_date(struct store *s, struct plan *pl, struct date occ, int64_t now,
		planner_notice_cb cb, void *userdata)
{
	int r;

	for (size_t i = 0; i < pl->pp->secretariat.n; i++) {
		size_t pi = pl->pp->secretariat.v[i];
		struct notice n = { .person_id = pl->pp->all[pi].id, .stage = STAGE_NEEDS_DATE,
				    .anchor = occ, .day = occ };
		bool added = false;

		if (!pl->pp->channel[pi])
			continue;
		snprintf(n.channel, sizeof(n.channel), "%s", pl->pp->channel[pi]);
		r = store_notice_insert(s, &n, now, &added);
		if (r < 0)
			return r;
		pl->rep.notices += added;
		if (added && cb)
			cb(&n, userdata);
	}
	return 0;
}

/*
 * For each lead agency a due step reached through nobody, a notice to
 * each member of the secretariat a channel reaches: no task, step the
 * agency, anchored on the Monday of the week, so at most one per agency,
 * role and week (invariant 1).  They go in the secretariat's daily
 * message (dispatch.c), never as a copy of the reminder.
 */
static void
plan_missing(struct plan *pl)
{
	const struct people *pp = pl->pp;
	struct date week = week_of(pl->today);

	for (size_t m = 0; m < pl->n_missing; m++)
		for (size_t i = 0; i < pp->secretariat.n; i++) {
			size_t pi = pp->secretariat.v[i];
			struct notice *n;

			if (!pp->channel[pi])
				continue;
			pl->notices = xgrowroom(pl->notices, &pl->cap_notices, pl->n_notices + 1, sizeof(*pl->notices));
			n = &pl->notices[pl->n_notices++];
			*n = (struct notice){ .person_id = pp->all[pi].id,
					      .stage = pl->missing[m].stage,
					      .step = (int)pl->missing[m].agency, .anchor = week,
					      .day = pl->today };
			snprintf(n->channel, sizeof(n->channel), "%s", pp->channel[pi]);
		}
}

int
planner_run(struct store *s, const struct schedule *sch, const struct channels *cs, time_t now,
	    bool full, bool dry_run, planner_notice_cb cb, void *userdata,
	    struct planner_report *ret)
{
	struct people pp = { 0 };
	struct plan pl = { .sch = sch, .pp = &pp, .today = clock_local_date(now), .s = s };
	char day[DATE_ISO_LEN];
	struct date list_day = never;
	bool txn = false, *added = NULL;
	int64_t todo, n_added;
	int r, list;

	date_format_iso(full ? never : pl.today, day);
	/* A full pass reads every task page: the backend sizes itself for it. */
	if (full)
		(void)store_work(s, STORE_WORK_SCAN);
	r = store_begin(s);
	if (r < 0)
		goto out;
	txn = true;
	/*
	 * Most ticks find nothing to do: learn that from the index before
	 * loading twenty thousand people.
	 */
	todo = store_task_count_to_plan(s, day);
	if (todo < 0) {
		r = (int)todo;
		goto out;
	}
	list = needs_date_list(s, sch, pl.today, &list_day);
	if (list < 0) {
		r = list;
		goto out;
	}
	if (todo > 0 || list) {
		r = people_load(s, cs, &pp);
		if (r < 0)
			goto out;
	}
	if (todo > 0) {
		pl.has_occ = next_report_day(sch, pl.today, &pl.occ);
		pl.has_assess_occ = next_assessment_day(sch, pl.today, &pl.assess_occ);
		r = store_plan_foreach(s, day, plan_one, &pl);
		if (r < 0)
			goto out;
		plan_missing(&pl);
	}
	r = apply_moves(s, &pl, now);
	if (r < 0)
		goto out;
	if (cb)
		added = xcalloc(pl.n_notices ? pl.n_notices : 1, sizeof(*added));
	n_added = store_notice_insert_many(s, pl.notices, pl.n_notices, now, added);
	if (n_added < 0) {
		r = (int)n_added;
		goto out;
	}
	pl.rep.notices += (size_t)n_added;
	for (size_t i = 0; cb && i < pl.n_notices; i++)
		if (added[i])
			cb(&pl.notices[i], userdata);
	r = store_task_set_plan_many(s, pl.next, pl.n_next, pl.today);
	if (r < 0)
		goto out;
	if (list) {
		r = plan_needs_date(s, &pl, list_day, now, cb, userdata);
		if (r < 0)
			goto out;
	}
	if (dry_run) {
		store_rollback(s);
		txn = false;
		if (ret)
			*ret = pl.rep;
		goto out;
	}
	r = store_commit(s);
	if (r < 0)
		goto out;
	txn = false;
	if (ret)
		*ret = pl.rep;
out:
	if (txn)
		store_rollback(s);
	people_release(&pp);
	if (full)
		(void)store_work(s, STORE_WORK_USUAL);
	free(added);
	free(pl.notices);
	free(pl.moves);
	free(pl.next);
	free(pl.who.v);
	free(pl.steps.v);
	free(pl.missing);
	return r;
}

/* --- explain ---------------------------------------------------------- */

/* An indicator's ladder: the update requests of its next reporting day (new array in *ret). */
static size_t
indicator_ladder(const struct schedule *sch, struct date today, struct ladder_step **ret)
{
	struct steps s = { 0 };
	struct date occ;

	if (next_assessment_day(sch, today, &occ))
		assessment_steps(sch, occ, &s);
	*ret = s.v;
	return s.n;
}

struct known {
	struct notice *v;
	size_t n, cap;
};

static int
collect_notice(const struct notice *n, void *userdata)
{
	struct known *k = userdata;

	k->v = xgrowroom(k->v, &k->cap, k->n + 1, sizeof(*k->v));
	k->v[k->n++] = *n;
	return 0;
}

int
planner_explain(struct store *s, const struct schedule *sch, const struct channels *cs,
		int64_t task_id, time_t now, struct explain_row **ret)
{
	struct people pp = { 0 };
	struct task t = { 0 };
	struct known k = { 0 };
	struct ladder_step *steps = NULL;
	struct explain_row *rows = NULL;
	struct idlist who = { 0 };
	struct date today = clock_local_date(now), period;
	size_t n, nrows = 0, cap = 0;
	int r;

	r = store_task_get(s, task_id, &t);
	if (r < 0)
		goto out;
	/* A recurring task's ladder is the one of the period due today. */
	if (t.deadline.precision == DEADLINE_RECURRING &&
	    recurring_due(sch, &t.deadline, t.deadline.has_due, t.deadline.due, t.created_at,
			  today, &period) == 0) {
		t.deadline.has_due = true;
		t.deadline.due = period;
	}
	r = people_load(s, cs, &pp);
	if (r < 0)
		goto out;
	r = store_notice_foreach_task(s, task_id, collect_notice, &k);
	if (r < 0)
		goto out;
	n = t.kind == TASK_KIND_INDICATOR ? indicator_ladder(sch, today, &steps)
					  : planner_ladder_task(sch, &t.deadline, t.has_first_notice,
								t.first_notice, today, today, &steps);
	for (size_t i = 0; i < n; i++) {
		recipients(&pp, t.lead_ids, t.n_leads, steps[i].stage, steps[i].step, &who);
		for (size_t w = 0; w < who.n; w++) {
			const struct person *p = &pp.all[who.v[w]];
			struct explain_row *row;

			rows = xgrowroom(rows, &cap, nrows + 1, sizeof(*rows));
			row = &rows[nrows++];
			memset(row, 0, sizeof(*row));
			row->step = steps[i];
			row->person_id = p->id;
			snprintf(row->person, sizeof(row->person), "%s", p->name);
			snprintf(row->channel, sizeof(row->channel), "%s",
				 pp.channel[who.v[w]] ? pp.channel[who.v[w]] : "-");
			/* Done tasks and days gone by without a notice were never sent. */
			if (t.status == TASK_DONE || t.status == TASK_POSTPONED)
				row->state = NOTICE_CANCELLED;
			else
				row->state = date_cmp(steps[i].day, today) > 0 ? NOTICE_PLANNED
									       : NOTICE_CANCELLED;
			for (size_t j = 0; j < k.n; j++) {
				const struct notice *kn = &k.v[j];

				if (kn->person_id == p->id && kn->stage == steps[i].stage &&
				    kn->step == steps[i].step &&
				    date_cmp(kn->anchor, steps[i].anchor) == 0) {
					row->state = kn->state;
					snprintf(row->channel, sizeof(row->channel), "%s", kn->channel);
				}
			}
		}
	}
	*ret = rows;
	rows = NULL;
	r = (int)nrows;
out:
	free(rows);
	free(steps);
	free(who.v);
	free(k.v);
	task_release(&t);
	people_release(&pp);
	return r;
}
