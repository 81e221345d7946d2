/* SPDX-License-Identifier: MIT */
/*
 * "dondoc task list|show|set|assess": the registry seen task by task.  Overdue
 * and the light are computed here with the clock, never stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "calendar.h"
#include "cli.h"
#include "cli_words.h"
#include "command.h"
#include "config.h"
#include "deadline.h"
#include "extension.h"
#include "norm.h"
#include "period.h"
#include "recurring.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

#define TITLE_WIDTH 56

/* "30/9/2025", the way officials write a day. */
static void
format_day(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/*
 * Days a done task was finished after the due day in force when it was
 * done (task_done_late: a deadline moved since does not count); 0 when on
 * time or not done.
 */
static int64_t
days_late(const struct task *t)
{
	if (!task_done_late(t))
		return 0;
	return date_to_days(clock_local_date((time_t)t->done_at)) - date_to_days(t->done_due);
}

/*
 * Text read back from the registry was checked as UTF-8 when it went in;
 * skipping Jansson's second check keeps long listings fast.  Should the
 * file have been edited behind dondoc's back, the dump still refuses bad
 * UTF-8 and the item prints as null.
 */
static json_t *
json_text(const char *s)
{
	return json_string_nocheck(s);
}

static json_t *
json_string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/*
 * Sets o[key] to the string s (NULL: null).  An existing string value is
 * changed in place: a listing reuses one object for all its tasks, and
 * replacing values instead of building an object per task is what keeps
 * "task list --json" over 100,000 tasks within its second.
 */
static void
set_text(json_t *o, const char *key, const char *s)
{
	json_t *v = json_object_get(o, key);

	if (!s)
		json_object_set_new(o, key, json_null());
	else if (json_is_string(v))
		json_string_set_nocheck(v, s);
	else
		json_object_set_new(o, key, json_text(s));
}

static void
set_int(json_t *o, const char *key, json_int_t n)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		json_integer_set(v, n);
	else
		json_object_set_new(o, key, json_integer(n));
}

/* Sets o[key] to an array of the n names. */
static void
set_names(json_t *o, const char *key, char *const *names, size_t n)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_array(v)) {
		v = json_array();
		json_object_set_new(o, key, v);
	}
	json_array_clear(v);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(v, json_text(names[i]));
}

/* Fills o (new or reused) with t as "task list --json" prints it; returns o. */
static json_t *
task_json(json_t *o, const struct task *t, struct date today)
{
	char due[DATE_ISO_LEN], done[32];
	bool overdue = task_is_overdue(t, today);

	set_int(o, "id", t->id);
	set_text(o, "code", t->code);
	set_text(o, "title", t->title);
	set_text(o, "kind", task_kind_to_string(t->kind));
	set_text(o, "document", t->document);
	set_names(o, "lead_agencies", t->leads, t->n_leads);
	set_names(o, "cooperating_agencies", t->coops, t->n_coops);
	set_text(o, "deadline_raw", t->deadline_raw);
	if (t->deadline.has_due)
		date_format_iso(t->deadline.due, due);
	set_text(o, "due", t->deadline.has_due ? due : NULL);
	set_text(o, "precision", deadline_precision_to_string(t->deadline.precision));
	set_text(o, "status", task_status_to_string(t->status));
	set_int(o, "progress", t->progress);
	json_object_set_new(o, "overdue", json_boolean(overdue));
	set_int(o, "days_overdue", overdue ? date_to_days(today) - date_to_days(t->deadline.due) : 0);
	set_text(o, "light", task_light_to_string(task_light(t, today, NULL)));
	if (t->done_at)
		clock_format_local((time_t)t->done_at, done);
	set_text(o, "done_at", t->done_at ? done : NULL);
	json_object_set_new(o, "done_late", json_boolean(days_late(t) > 0));
	if (t->has_done_due)
		date_format_iso(t->done_due, due);
	set_text(o, "done_due", t->has_done_due ? due : NULL);
	return o;
}

/* --- task list -------------------------------------------------------- */

struct list_args {
	const char *agency;
	int status;
	bool overdue;
	bool json;
};

struct list_state {
	const struct list_args *a;
	json_t *obj;		/* reused for every task of a JSON listing */
	struct date today;
	struct cli_table *table;
	size_t n;
};

static int
list_opt(int c, const char *arg, void *userdata)
{
	struct list_args *a = userdata;

	switch (c) {
	case 'a':
		a->agency = arg;
		break;
	case 's':
		a->status = task_status_from_string(arg);
		if (a->status < 0)
			return cli_usage_error("task list", "unknown status '%s'", arg);
		break;
	case 'o':
		a->overdue = true;
		break;
	case 'j':
		a->json = true;
		break;
	}
	return 0;
}

static int
list_one(const struct task *t, void *userdata)
{
	struct list_state *st = userdata;

	if (st->a->overdue && !task_is_overdue(t, st->today))
		return 0;
	if (st->a->json) {
		cli_json_write(task_json(st->obj, t, st->today), st->n);
	} else {
		char id[24], day[16] = "", pct[8], *title = norm_truncate(t->title, TITLE_WIDTH);
		char *leads = norm_truncate(t->n_leads ? t->leads[0] : "", 28);
		char *lead_more = t->n_leads > 1 ? xasprintf("%s +%zu", leads, t->n_leads - 1) : NULL;
		const char *row[8];

		snprintf(id, sizeof(id), "%lld", (long long)t->id);
		/* An indicator has no progress: its status is its assessment. */
		snprintf(pct, sizeof(pct), "%d%%", t->progress);
		if (t->kind == TASK_KIND_INDICATOR)
			pct[0] = '\0';
		if (t->deadline.has_due)
			format_day(t->deadline.due, day);
		row[0] = id;
		row[1] = title;
		row[2] = lead_more ? lead_more : leads;
		row[3] = t->deadline_raw;
		row[4] = day;
		row[5] = task_status_label(t->status);
		row[6] = pct;
		row[7] = task_light_label(task_light(t, st->today, NULL));
		cli_table_add(st->table, row);
		free(title);
		free(leads);
		free(lead_more);
	}
	st->n++;
	return 0;
}

int
cmd_task_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "status", required_argument, NULL, 's' },
		{ "overdue", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[8] = {
		"ID", "Nhiệm vụ", "Chủ trì", "Thời hạn", "Hạn", "Trạng thái", "Tiến độ", "Đèn",
	};
	struct list_args a = { .status = -1 };
	struct list_state st = { .a = &a };
	struct task_filter f = { .status = -1 };
	struct agency ag = { 0 };
	int r, ex = 0;

	if (cli_parse("task list", argc, argv, opts, list_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("task list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (a.agency) {
		r = store_agency_lookup(d->store, a.agency, &ag);
		if (r == -ENOENT)
			return cli_error("task list", EX_DATAERR, "no agency '%s' (see 'dondoc agency list')",
					 a.agency);
		if (r < 0)
			return cli_error("task list", cli_exit_code(r), "%s", store_errmsg(d->store));
		f.agency_id = ag.id;
		agency_release(&ag);
	}
	f.status = a.status;
	st.today = clock_today(&d->clock);
	if (a.json) {
		st.obj = json_object();
		cli_json_begin();
	} else {
		st.table = cli_table_new(8);
		cli_table_add(st.table, header);
	}
	r = store_task_foreach(d->store, &f, list_one, &st);
	if (r < 0) {
		cli_table_free(st.table);
		return cli_error("task list", cli_exit_code(r), "cannot read tasks: %s",
				 store_errmsg(d->store));
	}
	json_decref(st.obj);
	if (a.json) {
		cli_json_end(st.n);
	} else {
		cli_table_print(st.table);
		printf("%zu nhiệm vụ\n", st.n);
		cli_table_free(st.table);
	}
	return 0;
}

/* --- task show -------------------------------------------------------- */

static int
event_json(const struct event *e, void *userdata)
{
	json_t *o = json_object();
	char at[32];

	clock_format_local((time_t)e->at, at);
	json_object_set_new(o, "at", json_string(at));
	json_object_set_new(o, "actor", json_string(e->actor));
	json_object_set_new(o, "channel", json_string(e->channel));
	json_object_set_new(o, "kind", json_string(e->kind));
	json_object_set_new(o, "old", json_string_or_null(e->old_value));
	json_object_set_new(o, "new", json_string_or_null(e->new_value));
	json_object_set_new(o, "text", json_string_or_null(e->text));
	json_array_append_new(userdata, o);
	return 0;
}

/* One line of the history, in the secretariat's words: "trạng thái: Chưa thực hiện → Đang thực hiện". */
static int
event_print(const struct event *e, void *userdata)
{
	char at[CLI_WHEN_LEN], was[256], now[256];

	(void)userdata;
	cli_when((time_t)e->at, at);
	printf("  %s  %s (%s)  %s", at, e->actor, e->channel, cli_event_kind_words(e->kind));
	if (e->old_value && e->new_value)
		printf(": %s → %s", cli_event_value_words(e->kind, e->old_value, was, sizeof(was)),
		       cli_event_value_words(e->kind, e->new_value, now, sizeof(now)));
	else if (e->new_value)
		printf(": %s", cli_event_value_words(e->kind, e->new_value, now, sizeof(now)));
	if (e->text)
		printf("  %s", e->text);
	/* A NUL would end what is printed: say that more was written than shows. */
	if (e->hidden_bytes)
		printf("  [more text after a NUL byte: written outside dondoc, see 'dondoc verify']");
	fputc('\n', stdout);
	return 0;
}

/*
 * Loads the schedules (the reporting days of recurring tasks) once, and
 * not the channels: showing or reporting a task sends nothing.  0 or an
 * exit status, the error said.
 */
static int
need_periods(struct dondoc *d, const char *cmd)
{
	char *msg = NULL;
	int r, ex;

	if ((ex = cli_need_config(d)) != 0 || d->sch)
		return ex;
	r = schedule_load(d->cfg->schedules, clock_today(&d->clock), &d->sch, &msg);
	if (r < 0) {
		msg = config_data_error(d->cfg, "schedules", msg ? msg : xstrdup(strerror(-r)));
		fprintf(stderr, "dondoc %s: %s\n", cmd, msg ? msg : strerror(-r));
		free(msg);
		return EX_CONFIG;
	}
	return 0;
}

/* The periods of a recurring task, as "task show --json" lists them. */
static json_t *
periods_json(const struct task *t, const struct period_row *v, int n)
{
	json_t *a = json_array();
	char iso[DATE_ISO_LEN], label[PERIOD_LABEL_LEN], at[32];

	for (int i = 0; i < n; i++) {
		date_format_iso(v[i].period, iso);
		if (v[i].reported_at)
			clock_format_local((time_t)v[i].reported_at, at);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o, s:i}", "due", iso,
						   "name", period_label(&t->deadline, v[i].period,
									label),
						   "state", period_state_to_string(v[i].state),
						   "reported_at", v[i].reported_at ? json_string(at)
										   : json_null(),
						   "late_days", v[i].late_days));
	}
	return a;
}

/* The periods of a recurring task, one line each, as "task show" prints them. */
static void
periods_print(const struct task *t, const struct period_row *v, int n)
{
	char label[PERIOD_LABEL_LEN], due[16], day[16];

	printf("Các kỳ báo cáo:%s\n", n ? "" : " chưa có");
	for (int i = 0; i < n; i++) {
		format_day(v[i].period, due);
		period_label(&t->deadline, v[i].period, label);
		/* The policy's periods are named by their reporting day already. */
		if (strcmp(label, due) == 0)
			printf("  kỳ %s: %s", label, period_state_label(v[i].state));
		else
			printf("  kỳ %s (hạn %s): %s", label, due, period_state_label(v[i].state));
		if (v[i].reported_at) {
			format_day(clock_local_date((time_t)v[i].reported_at), day);
			printf(", báo cáo ngày %s", day);
		}
		if (v[i].late_days > 0)
			printf(", trễ %d ngày làm việc", v[i].late_days);
		fputc('\n', stdout);
	}
}

/* Parses the ID argument of a task command; 0 or an exit status. */
static int
task_id_arg(const char *cmd, int argc, char **argv, int64_t *ret)
{
	if (optind >= argc)
		return cli_usage_error(cmd, "no task ID given");
	if (cli_parse_int(argv[optind], 1, INT64_MAX, ret) < 0)
		return cli_usage_error(cmd, "'%s' is not a task ID (a number like 27)", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	return 0;
}

/*
 * The working days from due to day, counted as the messages count them
 * (the holidays of the schedules), at least 1; without the schedules,
 * Monday to Friday, and *ret_note says so rather than let a figure
 * the messages contradict pass for theirs.
 */
static int
workdays_late(struct dondoc *d, struct date due, struct date day, const char **ret_note)
{
	char *msg = NULL;
	int days;

	if (!d->sch && cli_need_config(d) == 0)
		(void)schedule_load(d->cfg->schedules, day, &d->sch, &msg);
	free(msg);
	days = calendar_workdays_between(d->sch ? d->sch->cal : NULL, due, day);
	*ret_note = d->sch ? "" : " (thứ Hai đến thứ Sáu: chưa đọc được lịch ngày nghỉ)";
	return days > 0 ? days : 1;
}

/* "Quá hạn: 12 ngày làm việc". */
static void
overdue_print(struct dondoc *d, const struct task *t, struct date today)
{
	const char *note;
	int days = workdays_late(d, t->deadline.due, today, &note);

	printf("Quá hạn:     %d ngày làm việc%s\n", days, note);
}

int
cmd_task_show(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct task t = { 0 };
	struct date today = clock_today(&d->clock);
	struct period_row *periods = NULL;
	bool json = false;
	int64_t id = 0;
	int r = 0, ex = 0, n_periods = 0;

	if (cli_parse("task show", argc, argv, opts, cli_json_opt, &json, &ex))
		return ex;
	if ((ex = task_id_arg("task show", argc, argv, &id)) != 0)
		return ex;
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_task_get(d->store, id, &t);
	if (r == -ENOENT)
		return cli_error("task show", EX_DATAERR, "no task %lld", (long long)id);
	if (r < 0)
		return cli_error("task show", cli_exit_code(r), "%s", store_errmsg(d->store));
	if (t.deadline.precision == DEADLINE_RECURRING) {
		if ((ex = need_periods(d, "task show")) != 0)
			goto done;
		n_periods = recurring_periods(d->store, d->sch, &t, today, &periods);
		if (n_periods < 0) {
			r = n_periods;
			goto done;
		}
	}
	if (json) {
		json_t *o = task_json(json_object(), &t, today), *events = json_array();
		char *s;

		if (t.deadline.precision == DEADLINE_RECURRING)
			json_object_set_new(o, "periods", periods_json(&t, periods, n_periods));
		r = store_event_foreach(d->store, t.id, event_json, events);
		json_object_set_new(o, "events", events);
		s = json_dumps(o, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(o);
	} else {
		char day[16] = "";
		enum task_light light = task_light(&t, today, NULL);

		if (t.deadline.has_due)
			format_day(t.deadline.due, day);
		printf("Nhiệm vụ %lld (%s)\n", (long long)t.id, t.code);
		printf("Nội dung:    %s\n", t.title);
		printf("Loại:        %s\n", t.kind == TASK_KIND_TASK ? "nhiệm vụ" : "chỉ tiêu");
		printf("Văn bản:     %s\n", t.document ? t.document : "");
		printf("Chủ trì:     ");
		for (size_t i = 0; i < t.n_leads; i++)
			printf("%s%s", i ? "; " : "", t.leads[i]);
		if (t.n_coops) {
			printf("\nPhối hợp:    ");
			for (size_t i = 0; i < t.n_coops; i++)
				printf("%s%s", i ? "; " : "", t.coops[i]);
		}
		if (t.kind == TASK_KIND_INDICATOR) {
			/* Assessed, not due: no deadline, no progress (README "Indicators"). */
			printf("\nĐánh giá:    %s\n", task_assessment_label(t.status));
		} else {
			printf("\nThời hạn:    %s%s%s%s\n", t.deadline_raw, *day ? " (ngày " : "",
			       day, *day ? ")" : "");
			printf("Trạng thái:  %s, %d%%\n", task_status_label(t.status), t.progress);
		}
		if (t.status == TASK_DONE && task_done_when_known(&t)) {
			char done[16];

			format_day(clock_local_date((time_t)t.done_at), done);
			if (days_late(&t) > 0) {
				const char *note;
				int late = workdays_late(d, t.done_due,
							 clock_local_date((time_t)t.done_at), &note);

				printf("Hoàn thành:  ngày %s, trễ hạn %d ngày làm việc%s\n", done, late,
				       note);
			} else {
				printf("Hoàn thành:  ngày %s, đúng hạn\n", done);
			}
		}
		if (task_is_overdue(&t, today))
			overdue_print(d, &t, today);
		printf("Đèn:         %s\n", task_light_label(light));
		if (t.deadline.precision == DEADLINE_RECURRING)
			periods_print(&t, periods, n_periods);
		printf("Lịch sử:\n");
		r = store_event_foreach(d->store, t.id, event_print, NULL);
	}
done:
	task_release(&t);
	free(periods);
	if (ex)
		return ex;
	if (r < 0)
		return cli_error("task show", cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/* --- task set --------------------------------------------------------- */

struct set_args {
	int status;		/* -1: unchanged */
	int64_t progress;	/* -1: unchanged */
	const char *note;
	const char *deadline;
};

/*
 * A done task shows 100%; reopened (any other status), it must not.  The
 * progress it had before it was marked done comes back, from its
 * history, unless --progress (below 100) gives another; when the history
 * holds none (done when imported), --progress is required.  Progress
 * alone cannot be changed on a done task: it would be done at 40%.  0,
 * or an exit code after one line on stderr; *ret_restored when the
 * history gave the figure.
 */
static int
reopen_progress(struct dondoc *d, const struct task *t, struct set_args *a, bool *ret_restored)
{
	int before = 0, r;

	*ret_restored = false;
	if (t->status != TASK_DONE || a->status == TASK_DONE)
		return 0;
	if (a->status < 0) {
		if (a->progress < 0 || a->progress == t->progress)
			return 0;
		return cli_error("task set", EX_DATAERR, "task %lld is done: to reopen it, give "
				 "--status in_progress with --progress", (long long)t->id);
	}
	if (a->progress >= 100)
		return cli_error("task set", EX_DATAERR, "task %lld: a reopened task cannot stay at "
				 "100%%: give --progress 0..99", (long long)t->id);
	if (a->progress >= 0)
		return 0;
	r = taskop_progress_before_done(d->store, t, &before);
	if (r == -ENOENT)
		return cli_error("task set", EX_DATAERR, "task %lld was done at 100%% and its "
				 "history holds no progress before that: give --progress 0..99 to "
				 "reopen it", (long long)t->id);
	if (r < 0)
		return cli_error("task set", cli_exit_code(r), "cannot read the history of task "
				 "%lld: %s", (long long)t->id, store_errmsg(d->store));
	a->progress = before;
	*ret_restored = true;
	return 0;
}

static int
set_opt(int c, const char *arg, void *userdata)
{
	struct set_args *a = userdata;
	char *end = NULL;
	long v;

	switch (c) {
	case 's':
		a->status = task_status_from_string(arg);
		if (a->status < 0)
			return cli_usage_error("task set", "unknown status '%s' (not_started, "
					       "in_progress, done, postponed, not_achieved, "
					       "cannot_assess)", arg);
		break;
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (end && *end == '%')
			end++;
		if (errno || end == arg || *end || v < 0 || v > 100)
			return cli_usage_error("task set", "--progress '%s' is not 0-100", arg);
		a->progress = v;
		break;
	case 'n':
		a->note = arg;
		break;
	case 'd':
		a->deadline = arg;
		break;
	}
	return 0;
}

/* Validates a user-given text: UTF-8, not empty, within limits. */
static int
check_text(const char *what, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!norm_is_utf8(s, n, NULL))
		return cli_usage_error("task set", "%s is not valid UTF-8", what);
	if (n == 0 || n > max)
		return cli_usage_error("task set", "%s must be 1-%zu bytes", what, max);
	return 0;
}

/* What "task set --status done" did to a recurring task. */
static void
report_print(const struct task *t, const struct recurring_result *rep)
{
	char label[PERIOD_LABEL_LEN], next[PERIOD_LABEL_LEN], due[16];

	render_day_short(rep->next, due);
	printf("Nhiệm vụ %lld (định kỳ): đã ghi nhận báo cáo kỳ %s", (long long)t->id,
	       period_label(&t->deadline, rep->period, label));
	if (rep->late_days > 0)
		printf(", trễ %d ngày làm việc", rep->late_days);
	else
		printf(", đúng hạn");
	printf("; nhiệm vụ vẫn tiếp tục, kỳ tiếp theo %s, hạn %s.\n",
	       period_label(&t->deadline, rep->next, next), due);
}

int
cmd_task_set(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'p' },
		{ "note", required_argument, NULL, 'n' },
		{ "deadline", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct set_args a = { .status = -1, .progress = -1 };
	struct task t = { 0 };
	struct deadline dl;
	char *raw = NULL, *note = NULL;
	const char *why = NULL;
	time_t now = clock_now(&d->clock);
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct command_out out = { 0 };
	size_t queued = 0;
	int64_t id = 0;
	struct recurring_result report;
	bool changed = false, reported = false, restored = false;
	int r, ex = 0, cancelled = 0;

	if (cli_parse("task set", argc, argv, opts, set_opt, &a, &ex))
		return ex;
	if ((ex = task_id_arg("task set", argc, argv, &id)) != 0)
		return ex;
	if (a.status < 0 && a.progress < 0 && !a.note && !a.deadline)
		return cli_usage_error("task set", "nothing to change: give --status, --progress, "
				       "--note or --deadline");
	if (a.note && (ex = check_text("--note", a.note, 4000)) != 0)
		return ex;
	if (a.deadline && (ex = check_text("--deadline", a.deadline, 200)) != 0)
		return ex;

	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_begin(d->store);
	if (r < 0)
		return cli_error("task set", cli_exit_code(r), "%s", store_errmsg(d->store));
	r = store_task_get(d->store, id, &t);
	if (r == -ENOENT) {
		ex = cli_error("task set", EX_DATAERR, "no task %lld", (long long)id);
		goto out;
	}
	if (r < 0)
		goto fail;
	/* An indicator is assessed (task assess, an audited assessment), never done by degrees. */
	if (t.kind == TASK_KIND_INDICATOR && (a.status >= 0 || a.progress >= 0)) {
		ex = cli_error("task set", EX_DATAERR, "task %lld is an indicator (chỉ tiêu): it has "
			       "no status or progress of its own; use 'dondoc task assess %lld dat|"
			       "\"chua dat\"|\"chua danh gia duoc\"'", (long long)id, (long long)id);
		goto out;
	}

	if ((ex = reopen_progress(d, &t, &a, &restored)) != 0)
		goto out;
	if (a.deadline) {
		int year = t.deadline.has_due ? t.deadline.due.y : clock_today(&d->clock).y;

		raw = norm_text(a.deadline);
		r = deadline_parse(raw, year, &dl, &why);
		if (r < 0) {
			ex = cli_error("task set", EX_DATAERR, "deadline '%s': %s", raw,
				       why ? why : "not a date");
			goto out;
		}
		if (dl.precision == DEADLINE_UNKNOWN) {
			ex = cli_error("task set", EX_DATAERR, "deadline '%s' not understood "
				       "(e.g. 'Quý IV/2025', 'Tháng 9/2025', '30/9/2025', "
				       "'Thường xuyên')", raw);
			goto out;
		}
		changed |= strcmp(raw, t.deadline_raw) != 0;
		r = taskop_deadline(d->store, &t, raw, &dl, NULL, &actor, now);
		if (r < 0)
			goto fail;
	}
	if (a.status == TASK_DONE && recurring_is_open(&t)) {
		/* A recurring task is never done: each period is reported. */
		if ((ex = need_periods(d, "task set")) != 0)
			goto out;
		r = recurring_report(d->store, d->sch, &t, &actor, now, &report);
		if (r < 0)
			goto fail;
		reported = true;
		changed = true;
	} else if (a.status == TASK_DONE && t.status != TASK_DONE) {
		struct extension_ctx c = { .s = d->store, .actor = &actor, .now = now,
					   .today = clock_today(&d->clock), .out = &out };

		/* Its open request closes as moot, and its requester is told why. */
		r = extension_done(&c, &t, &cancelled);
		if (r < 0)
			goto fail;
		changed = true;
	} else if (a.status >= 0 && a.status != (int)t.status) {
		r = taskop_status(d->store, &t, a.status, &actor, now, &cancelled);
		if (r < 0)
			goto fail;
		changed = true;
	}
	if (a.progress >= 0 && a.progress != t.progress) {
		r = taskop_progress(d->store, &t, (int)a.progress, &actor, now);
		if (r < 0)
			goto fail;
		changed = true;
	}
	if (a.note) {
		note = norm_text(a.note);
		r = taskop_note(d->store, &t, note, &actor, now);
		if (r < 0)
			goto fail;
		changed = true;
	}
	if (changed) {
		r = taskop_save(d->store, &t, now);
		if (r < 0)
			goto fail;
	}
	r = cli_queue_messages(d, &out, &queued);
	if (r == -ENOKEY) {
		ex = EX_CONFIG;
		goto out;
	}
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		goto fail;
	if (queued)
		printf("Nhiệm vụ %lld: %zu tin nhắn đã vào hàng gửi.\n", (long long)t.id, queued);
	if (reported)
		report_print(&t, &report);
	if (changed)
		printf("Nhiệm vụ %lld: %s, %d%%, thời hạn “%s”.\n", (long long)t.id,
		       task_status_label(t.status), t.progress, t.deadline_raw);
	else
		printf("Nhiệm vụ %lld: không có gì thay đổi.\n", (long long)t.id);
	if (cancelled)
		printf("Nhiệm vụ %lld: đã huỷ %d lời nhắc đang chờ gửi.\n", (long long)t.id,
		       cancelled);
	if (restored)
		printf("Nhiệm vụ %lld: mở lại với tiến độ %d%%, tiến độ trước khi báo hoàn thành.\n",
		       (long long)t.id, t.progress);
	ex = 0;
	goto done;
fail:
	ex = cli_error("task set", cli_exit_code(r), "cannot update task %lld: %s",
		       (long long)id, store_errmsg(d->store));
out:
	store_rollback(d->store);
done:
	command_out_release(&out);
	task_release(&t);
	free(raw);
	free(note);
	return ex;
}

/* --- task assess ------------------------------------------------------ */

static int
assess_opt(int c, const char *arg, void *userdata)
{
	if (c == 'n')
		*(const char **)userdata = arg;
	return 0;
}

/* The words after the ID, joined by spaces (a new string): "chua dat" typed unquoted too. */
static char *
assess_words(int argc, char **argv, int from)
{
	char *w = xstrdup("");

	for (int i = from; i < argc; i++) {
		char *more = xasprintf("%s%s%s", w, *w ? " " : "", argv[i]);

		free(w);
		w = more;
	}
	return w;
}

int
cmd_task_assess(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ 0 },
	};
	const char *note_arg = NULL;
	struct task t = { 0 };
	struct actor actor = { .name = d->actor, .channel = "cli" };
	time_t now = clock_now(&d->clock);
	enum task_status st, was;
	char *words = NULL, *note = NULL;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("task assess", argc, argv, opts, assess_opt, &note_arg, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("task assess", "no task ID given");
	if (cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error("task assess", "'%s' is not a task ID (a number like 27)",
				       argv[optind]);
	if (optind + 1 >= argc)
		return cli_usage_error("task assess", "no assessment given: dat, \"chua dat\" or "
				       "\"chua danh gia duoc\"");
	words = assess_words(argc, argv, optind + 1);
	st = task_assessment_from_string(words);
	if (st < 0) {
		ex = cli_usage_error("task assess", "'%s' is not an assessment: dat (đạt), \"chua dat\" "
				     "(chưa đạt) or \"chua danh gia duoc\" (chưa đánh giá được)", words);
		goto done;
	}
	if (note_arg && (ex = check_text("--note", note_arg, 4000)) != 0)
		goto done;
	if ((ex = cli_need_store(d)) != 0)
		goto done;
	r = store_begin(d->store);
	if (r < 0) {
		ex = cli_error("task assess", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto done;
	}
	r = store_task_get(d->store, id, &t);
	if (r == -ENOENT) {
		ex = cli_error("task assess", EX_DATAERR, "no task %lld", (long long)id);
		goto out;
	}
	if (r < 0)
		goto fail;
	if (t.kind != TASK_KIND_INDICATOR) {
		ex = cli_error("task assess", EX_DATAERR, "task %lld is not an indicator (chỉ tiêu): "
			       "it takes a status and progress (task set), not an assessment",
			       (long long)id);
		goto out;
	}
	was = t.status;
	note = note_arg ? norm_text(note_arg) : NULL;
	r = taskop_assess(d->store, &t, st, note, &actor, now);
	if (r == 0)
		r = taskop_save(d->store, &t, now);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		goto fail;
	printf("Chỉ tiêu %lld: %s (trước đó: %s); đèn %s.\n", (long long)t.id,
	       task_assessment_label(t.status), task_assessment_label(was),
	       task_light_label(task_light(&t, clock_today(&d->clock), NULL)));
	ex = 0;
	goto done;
fail:
	ex = cli_error("task assess", cli_exit_code(r), "cannot assess task %lld: %s",
		       (long long)id, store_errmsg(d->store));
out:
	store_rollback(d->store);
done:
	task_release(&t);
	free(words);
	free(note);
	return ex;
}
