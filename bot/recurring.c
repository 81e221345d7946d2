/* SPDX-License-Identifier: MIT */
/*
 * Recurring tasks in the registry; see recurring.h.  The period arithmetic
 * is period.c's; here are the changes it causes, each one an event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "clock.h"
#include "period.h"
#include "recurring.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "taskops.h"
#include "xalloc.h"

bool
recurring_is_open(const struct task *t)
{
	return t->deadline.precision == DEADLINE_RECURRING && t->status != TASK_DONE &&
	       t->status != TASK_POSTPONED;
}

int
recurring_due(const struct schedule *sch, const struct deadline *dl, bool has_due,
	      struct date due, int64_t created_at, struct date today, struct date *ret)
{
	struct date cur;
	int r;

	r = period_current(sch, dl, clock_local_date((time_t)created_at), today, &cur);
	if (r < 0)
		return r;
	/* A due day ahead of the calendar was reached by reports made early. */
	*ret = has_due && date_cmp(due, cur) >= 0 ? due : cur;
	return 0;
}

/* "20/10/2025". */
static void
format_day(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/* Appends an event of t; data is taken (a JSON object, may be NULL). */
static int
append(struct store *s, const struct task *t, const struct actor *a, int64_t now,
       const char *kind, const char *old_value, const char *new_value, const char *text,
       json_t *data)
{
	char *j = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct event e = {
		.task_id = t->id, .at = now, .actor = a->name, .person_id = a->person_id,
		.channel = a->channel, .kind = kind, .old_value = old_value,
		.new_value = new_value, .text = text, .data = j,
	};
	int r;

	json_decref(data);
	if (data && !j) {
		fprintf(stderr, "dondoc: cannot write JSON: out of memory\n");
		abort();
	}
	r = store_event_append(s, &e);
	free(j);
	return r;
}

/* What a deadline event says of t's new due day: what audit.c replays. */
static json_t *
due_data(struct date due)
{
	char iso[DATE_ISO_LEN];

	date_format_iso(due, iso);
	return json_pack("{s:s, s:s}", "due", iso, "precision",
			 deadline_precision_to_string(DEADLINE_RECURRING));
}

int
recurring_report(struct store *s, const struct schedule *sch, struct task *t,
		 const struct actor *a, int64_t now, struct recurring_result *ret)
{
	struct date today = clock_local_date((time_t)now), period, next;
	struct period_report pr = { .task_id = t->id, .reported_at = now,
				    .person_id = a->person_id };
	char iso[DATE_ISO_LEN], old[DATE_ISO_LEN], label[PERIOD_LABEL_LEN], day[16], *text;
	char next_label[PERIOD_LABEL_LEN];
	json_t *data;
	int late, r;

	if (!recurring_is_open(t))
		return -EINVAL;
	r = recurring_due(sch, &t->deadline, t->deadline.has_due, t->deadline.due, t->created_at,
			  today, &period);
	if (r < 0)
		return r;
	r = period_next(sch, &t->deadline, date_from_days(date_to_days(period) + 1), &next);
	if (r < 0)
		return r;
	late = period_late_workdays(sch, period, today);
	pr.period = period;
	r = store_period_report_add(s, &pr);
	if (r < 0)
		return r;
	date_format_iso(period, iso);
	if (t->deadline.has_due)
		date_format_iso(t->deadline.due, old);
	data = due_data(next);
	json_object_set_new(data, "period", json_string(iso));
	json_object_set_new(data, "late_days", json_integer(late));
	period_label(&t->deadline, period, label);
	period_label(&t->deadline, next, next_label);
	format_day(next, day);
	if (late > 0)
		text = xasprintf("Báo cáo kỳ %s, trễ %d ngày làm việc; kỳ tiếp theo: %s (hạn %s)",
				 label, late, next_label, day);
	else
		text = xasprintf("Báo cáo kỳ %s, đúng hạn; kỳ tiếp theo: %s (hạn %s)", label,
				 next_label, day);
	r = append(s, t, a, now, "period_report", t->deadline.has_due ? old : NULL, iso, text,
		   data);
	free(text);
	if (r < 0)
		return r;
	t->deadline.has_due = true;
	t->deadline.due = next;
	/* A task reported on is under way. */
	if (t->status == TASK_NOT_STARTED) {
		r = taskop_status(s, t, TASK_IN_PROGRESS, a, now, NULL);
		if (r < 0)
			return r;
	}
	/* What was queued for the period reported is no longer true. */
	r = store_notice_cancel_task(s, t->id, now, NULL);
	if (r < 0)
		return r;
	if (ret)
		*ret = (struct recurring_result){ period, late, next };
	return 0;
}

int
recurring_move(struct store *s, struct task *t, struct date due, const struct actor *a,
	       int64_t now)
{
	char label[PERIOD_LABEL_LEN], old_label[PERIOD_LABEL_LEN], day[16], *text;
	int r;

	if (t->deadline.has_due && date_cmp(t->deadline.due, due) == 0)
		return 0;
	period_label(&t->deadline, due, label);
	format_day(due, day);
	if (t->deadline.has_due)
		text = xasprintf("Kỳ %s không báo cáo; kỳ tiếp theo: %s (hạn %s)",
				 period_label(&t->deadline, t->deadline.due, old_label), label, day);
	else
		text = xasprintf("Kỳ báo cáo: %s (hạn %s)", label, day);
	r = append(s, t, a, now, "deadline", t->deadline_raw, t->deadline_raw, text,
		   due_data(due));
	free(text);
	if (r < 0)
		return r;
	t->deadline.has_due = true;
	t->deadline.due = due;
	return store_notice_cancel_task(s, t->id, now, NULL);
}

static const char *const state_names[][2] = {
	[PERIOD_ON_TIME] = { "on_time", "đúng hạn" },
	[PERIOD_LATE] = { "late", "trễ hạn" },
	[PERIOD_MISSED] = { "missed", "không báo cáo" },
	[PERIOD_OVERDUE] = { "overdue", "quá hạn" },
	[PERIOD_OPEN] = { "open", "đang chờ báo cáo" },
};

const char *
period_state_to_string(enum period_state st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0]) ? state_names[st][0]
									  : NULL;
}

const char *
period_state_label(enum period_state st)
{
	return (unsigned)st < sizeof(state_names) / sizeof(state_names[0]) ? state_names[st][1]
									  : NULL;
}

struct reports {
	struct period_report *v;
	size_t n, cap;
};

static int
collect_report(const struct period_report *pr, void *userdata)
{
	struct reports *rs = userdata;

	rs->v = xgrowroom(rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v));
	rs->v[rs->n++] = *pr;
	return 0;
}

/* The state of period rd, due now on cur. */
static void
judge(const struct schedule *sch, const struct reports *rs, struct date cur, struct date today,
      struct period_row *row)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (date_cmp(rs->v[i].period, row->period) != 0)
			continue;
		row->reported_at = rs->v[i].reported_at;
		row->late_days = period_late_workdays(sch, row->period,
						      clock_local_date((time_t)row->reported_at));
		row->state = row->late_days > 0 ? PERIOD_LATE : PERIOD_ON_TIME;
		return;
	}
	if (date_cmp(row->period, cur) < 0)
		row->state = PERIOD_MISSED;
	else
		row->state = date_cmp(row->period, today) < 0 ? PERIOD_OVERDUE : PERIOD_OPEN;
}

int
recurring_periods(struct store *s, const struct schedule *sch, const struct task *t,
		  struct date today, struct period_row **ret)
{
	struct period_row *rows = xcalloc(RECURRING_PERIODS_MAX, sizeof(*rows));
	struct reports rs = { 0 };
	struct date rd, cur;
	size_t n = 0, k;
	int r;

	r = store_period_report_foreach(s, t->id, collect_report, &rs);
	if (r < 0)
		goto out;
	r = recurring_due(sch, &t->deadline, t->deadline.has_due, t->deadline.due, t->created_at,
			  today, &cur);
	if (r < 0)
		goto out;
	rd = clock_local_date((time_t)t->created_at);
	/* The policy's reporting days are known from span_from on. */
	if (period_every(&t->deadline) == EVERY_POLICY && sch->span_from.y &&
	    date_cmp(rd, sch->span_from) < 0)
		rd = sch->span_from;
	r = period_next(sch, &t->deadline, rd, &rd);
	/* A ring of the latest periods: an old task lists its last two years. */
	for (k = 0; r == 0 && date_cmp(rd, cur) <= 0 && k < 100000; k++) {
		struct period_row *row = &rows[n % RECURRING_PERIODS_MAX];

		memset(row, 0, sizeof(*row));
		row->period = rd;
		judge(sch, &rs, cur, today, row);
		n++;
		r = period_next(sch, &t->deadline, date_from_days(date_to_days(rd) + 1), &rd);
	}
	if (r < 0 && r != -ENOENT)
		goto out;
	if (n > RECURRING_PERIODS_MAX) {
		/* Unroll the ring: the oldest kept is at n % MAX. */
		struct period_row *flat = xcalloc(RECURRING_PERIODS_MAX, sizeof(*flat));

		for (k = 0; k < RECURRING_PERIODS_MAX; k++)
			flat[k] = rows[(n + k) % RECURRING_PERIODS_MAX];
		free(rows);
		rows = flat;
		n = RECURRING_PERIODS_MAX;
	}
	*ret = rows;
	rows = NULL;
	r = (int)n;
out:
	free(rows);
	free(rs.v);
	return r;
}
