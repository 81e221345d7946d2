/* SPDX-License-Identifier: MIT */
/*
 * The reminder engine on the command line: "serve", "remind", "explain",
 * "outbox list" and "outbox retry".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "channels.h"
#include "clock.h"
#include "cli.h"
#include "cli_words.h"
#include "notice.h"
#include "planner.h"
#include "render.h"
#include "serve.h"
#include "store.h"
#include "xalloc.h"

static int
flag_opt(int c, const char *arg, void *userdata)
{
	bool *flags = userdata;

	(void)arg;
	if (c == 'o' || c == 'n')
		flags[0] = true;
	else if (c == 'j')
		flags[1] = true;
	return 0;
}

int
cmd_serve(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ 0 },
	};
	bool flags[2] = { false, false };
	int ex = 0;

	if (cli_parse("serve", argc, argv, opts, flag_opt, flags, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	return serve_run(d, flags[0]);
}

/* --- remind ----------------------------------------------------------- */

struct remind_out {
	struct dondoc *d;
	bool json;
	struct cli_table *table;
	size_t n;
};

static void
remind_one(const struct notice *n, void *userdata)
{
	struct remind_out *o = userdata;
	struct person p = { 0 };
	struct task t = { 0 };
	char day[DATE_ISO_LEN], step[16], task[24];

	(void)store_person_get(o->d->store, n->person_id, &p);
	if (n->task_id)
		(void)store_task_get(o->d->store, n->task_id, &t);
	date_format_iso(n->day, day);
	snprintf(step, sizeof(step), "%d", n->step);
	snprintf(task, sizeof(task), "%lld", (long long)n->task_id);
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "task", n->task_id ? json_integer(n->task_id) : json_null());
		json_object_set_new(j, "title", t.title ? json_string(t.title) : json_null());
		json_object_set_new(j, "stage", json_string(notice_stage_to_string(n->stage)));
		json_object_set_new(j, n->stage == STAGE_ESCALATION ? "level" : "workdays",
				    json_integer(n->step));
		json_object_set_new(j, "date", json_string(day));
		json_object_set_new(j, "person", json_string(p.name ? p.name : "?"));
		json_object_set_new(j, "person_id", json_integer(n->person_id));
		json_object_set_new(j, "channel", json_string(n->channel));
		cli_json_item(j, o->n);
	} else {
		char shown[16];
		const char *row[6] = { n->task_id ? task : "-", cli_stage_words(n->stage), step,
				       shown, p.name, n->channel };

		render_day_short(n->day, shown);
		cli_table_add(o->table, row);
	}
	o->n++;
	person_release(&p);
	task_release(&t);
}

int
cmd_remind(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[6] = { "Nhiệm vụ", "Bước", "Ngày LV", "Ngày", "Người nhận",
					       "Kênh" };
	struct remind_out o = { .d = d };
	struct planner_report rep = { 0 };
	bool flags[2] = { false, false };
	int r, ex = 0;

	if (cli_parse("remind", argc, argv, opts, flag_opt, flags, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("remind", "unexpected argument '%s'", argv[optind]);
	d->dry_run = flags[0];
	if ((ex = cli_need_schedule(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	o.json = flags[1];
	if (o.json) {
		cli_json_begin();
	} else {
		o.table = cli_table_new(6);
		cli_table_add(o.table, header);
	}
	r = planner_run(d->store, d->sch, d->cs, clock_now(&d->clock), true, flags[0], remind_one,
			&o, &rep);
	if (r < 0) {
		cli_table_free(o.table);
		return cli_error("remind", cli_exit_code(r), "cannot plan: %s", store_errmsg(d->store));
	}
	if (o.json) {
		cli_json_end(o.n);
	} else {
		if (o.n)
			cli_table_print(o.table);
		/* Below the Vietnamese table, for the secretariat: Vietnamese too. */
		printf("%s%zu lời nhắc %s (đã xét %zu nhiệm vụ)\n",
		       flags[0] ? "chạy thử: " : "", o.n,
		       flags[0] ? "sẽ được đưa vào hàng gửi" : "đã vào hàng gửi", rep.tasks);
		cli_table_free(o.table);
	}
	return 0;
}

/* --- explain ---------------------------------------------------------- */

/* The line that says what the task's escalation levels count from (none for no due day). */
static void
print_clock(const struct schedule *sch, const struct task *t, time_t now)
{
	struct date day;
	char d[16], first[16];

	switch (planner_escalation_clock(sch, &t->deadline, t->has_first_notice, t->first_notice,
					 &day)) {
	case PLANNER_CLOCK_NONE:
		return;
	case PLANNER_CLOCK_NOT_STARTED:
		render_day_short(t->deadline.due, d);
		if (date_cmp(clock_local_date(now), t->deadline.due) <= 0)
			printf("Chưa tính thời gian báo cáo cấp trên: chưa gửi lời nhắc nào; sẽ tính từ "
			       "ngày đến hạn %s nếu có lời nhắc gửi đi trước ngày đó (policy from = "
			       "first_notice)\n", d);
		else
			printf("Chưa tính thời gian báo cáo cấp trên: chưa gửi lời nhắc nào (policy "
			       "from = first_notice)\n");
		return;
	case PLANNER_CLOCK_DUE_POLICY:
		render_day_short(day, d);
		printf("Báo cáo cấp trên tính từ ngày đến hạn %s (policy from = due)\n", d);
		return;
	case PLANNER_CLOCK_DUE_REMINDED:
		render_day_short(day, d);
		render_day_short(t->first_notice, first);
		printf("Báo cáo cấp trên tính từ ngày đến hạn %s (lời nhắc đầu tiên gửi ngày %s)\n", d,
		       first);
		return;
	case PLANNER_CLOCK_FIRST_NOTICE:
		render_day_short(day, d);
		printf("Báo cáo cấp trên tính từ ngày %s (ngày gửi lời nhắc đầu tiên)\n", d);
		return;
	}
}

int
cmd_explain(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[6] = { "Bước", "Ngày LV / cấp", "Ngày", "Người nhận", "Kênh",
					       "Trạng thái" };
	struct explain_row *rows = NULL;
	struct task t = { 0 };
	bool flags[2] = { false, false };
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("explain", argc, argv, opts, flag_opt, flags, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("explain", "no task ID given");
	if (cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error("explain", "'%s' is not a task ID (a number like 27)", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error("explain", "unexpected argument '%s'", argv[optind + 1]);
	if ((ex = cli_need_schedule(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	r = planner_explain(d->store, d->sch, d->cs, id, clock_now(&d->clock), &rows);
	if (r == -ENOENT)
		return cli_error("explain", EX_DATAERR, "no task %lld", (long long)id);
	if (r < 0)
		return cli_error("explain", cli_exit_code(r), "%s", store_errmsg(d->store));
	if (flags[1]) {
		cli_json_begin();
		for (int i = 0; i < r; i++) {
			json_t *j = json_object();
			char day[DATE_ISO_LEN];

			date_format_iso(rows[i].step.day, day);
			json_object_set_new(j, "stage", json_string(notice_stage_to_string(rows[i].step.stage)));
			json_object_set_new(j, rows[i].step.stage == STAGE_ESCALATION ? "level" : "workdays",
					    json_integer(rows[i].step.step));
			json_object_set_new(j, "date", json_string(day));
			json_object_set_new(j, "person", json_string(rows[i].person));
			json_object_set_new(j, "person_id", json_integer(rows[i].person_id));
			json_object_set_new(j, "channel", json_string(rows[i].channel));
			json_object_set_new(j, "state", json_string(notice_state_to_string(rows[i].state)));
			cli_json_item(j, (size_t)i);
		}
		cli_json_end((size_t)r);
	} else {
		struct cli_table *tb = cli_table_new(6);
		char due[16] = "";

		(void)store_task_get(d->store, id, &t);
		/* "Quý III (ngày 30/9/2025)"; a text that names its day stays as it is. */
		if (t.deadline.has_due && t.deadline.precision != DEADLINE_DAY)
			render_day_short(t.deadline.due, due);
		printf("Nhiệm vụ %lld: %s\nThời hạn: %s%s%s%s\n", (long long)id, t.title ? t.title : "",
		       t.deadline_raw ? t.deadline_raw : "", *due ? " (ngày " : "", due, *due ? ")" : "");
		print_clock(d->sch, &t, clock_now(&d->clock));
		printf("\n");
		cli_table_add(tb, header);
		for (int i = 0; i < r; i++) {
			char day[16], step[16];
			const char *row[6];

			render_day_short(rows[i].step.day, day);
			snprintf(step, sizeof(step), "%d", rows[i].step.step);
			row[0] = cli_stage_words(rows[i].step.stage);
			row[1] = step;
			row[2] = day;
			row[3] = rows[i].person;
			row[4] = rows[i].channel;
			row[5] = cli_notice_state_words(rows[i].state);
			cli_table_add(tb, row);
		}
		if (r)
			cli_table_print(tb);
		else
			printf("Không có lời nhắc nào: nhiệm vụ không có thời hạn hoặc không có người nhận.\n");
		cli_table_free(tb);
		task_release(&t);
	}
	free(rows);
	return 0;
}

/* --- outbox ----------------------------------------------------------- */

struct outbox_out {
	struct dondoc *d;
	bool json;
	struct cli_table *table;
	size_t n;
};

/* The tasks a message is about, [27, 29] (empty when it names none, or on a read error). */
static json_t *
message_tasks_json(struct store *s, int64_t id)
{
	json_t *a = json_array();
	int64_t *ids = NULL;
	size_t n = 0;

	if (store_message_tasks(s, id, &ids, &n) == 0)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(ids[i]));
	free(ids);
	return a;
}

static int
outbox_one(const struct message *m, void *userdata)
{
	struct outbox_out *o = userdata;
	char id[24], tries[16], next[32], created[32];

	clock_format_local((time_t)m->next_at, next);
	clock_format_local((time_t)m->created_at, created);
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "id", json_integer(m->id));
		json_object_set_new(j, "person_id", json_integer(m->person_id));
		/* A digest to an address that is no person ([digest] to). */
		if (m->address)
			json_object_set_new(j, "address", json_string(m->address));
		if (m->digest_id)
			json_object_set_new(j, "digest_id", json_integer(m->digest_id));
		json_object_set_new(j, "channel", json_string(m->channel));
		json_object_set_new(j, "kind", json_string(message_kind_to_string(m->kind)));
		json_object_set_new(j, "state", json_string(message_state_to_string(m->state)));
		json_object_set_new(j, "attempts", json_integer(m->attempts));
		json_object_set_new(j, "subject", json_string(m->subject));
		json_object_set_new(j, "created_at", json_string(created));
		json_object_set_new(j, "next_at", json_string(next));
		if (m->sent_at) {
			char sent[32];

			clock_format_local((time_t)m->sent_at, sent);
			json_object_set_new(j, "sent_at", json_string(sent));
		} else {
			json_object_set_new(j, "sent_at", json_null());
		}
		json_object_set_new(j, "last_error", m->last_error ? json_string(m->last_error) : json_null());
		json_object_set_new(j, "tasks", message_tasks_json(o->d->store, m->id));
		cli_json_item(j, o->n);
	} else {
		char when[CLI_WHEN_LEN];
		const char *row[7] = { id, cli_message_state_words(m->state),
				       cli_message_kind_words(m->kind), m->channel, tries, when,
				       m->subject };

		snprintf(id, sizeof(id), "%lld", (long long)m->id);
		snprintf(tries, sizeof(tries), "%d", m->attempts);
		cli_when((time_t)m->next_at, when);
		cli_table_add(o->table, row);
	}
	o->n++;
	return 0;
}

int
cmd_outbox_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[7] = { "ID", "Trạng thái", "Loại", "Kênh", "Lần gửi",
					       "Gửi lúc", "Tiêu đề" };
	struct outbox_out o = { .d = d };
	int state = -1, r, ex = 0, c;

	/* Parsed by hand: --state takes a value that needs checking here. */
	optind = 0;
	opterr = 0;
	{
		struct option all[] = { opts[0], opts[1], { "help", no_argument, NULL, 'h' }, { 0 } };

		while ((c = getopt_long(argc, argv, ":hjs:", all, NULL)) != -1) {
			if (c == 'h') {
				printf("usage: dondoc [--db PATH] [--config PATH] outbox list "
				       "[--state pending|sending|sent|dead|cancelled] [--json]\n");
				return 0;
			}
			if (c == 'j') {
				o.json = true;
			} else if (c == 's') {
				state = message_state_from_string(optarg);
				if (state < 0)
					return cli_usage_error("outbox list", "unknown state '%s' (pending, "
							       "sending, sent, dead, cancelled)", optarg);
			} else if (c == ':') {
				return cli_usage_error("outbox list", "option '%s' needs a value",
						       argv[optind - 1]);
			} else {
				return cli_usage_error("outbox list", "unknown option '%s'", argv[optind - 1]);
			}
		}
	}
	if (optind < argc)
		return cli_usage_error("outbox list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (o.json) {
		cli_json_begin();
	} else {
		o.table = cli_table_new(7);
		cli_table_add(o.table, header);
	}
	r = store_message_foreach(d->store, state, outbox_one, &o);
	if (r < 0) {
		cli_table_free(o.table);
		return cli_error("outbox list", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	if (o.json) {
		cli_json_end(o.n);
	} else {
		cli_table_print(o.table);
		printf("%zu tin nhắn\n", o.n);
		cli_table_free(o.table);
	}
	return 0;
}

int
cmd_outbox_retry(struct dondoc *d, int argc, char **argv)
{
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("outbox retry", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("outbox retry", "no message ID given");
	if (cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error("outbox retry", "'%s' is not a message ID", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error("outbox retry", "unexpected argument '%s'", argv[optind + 1]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_begin(d->store);
	if (r == 0)
		r = store_message_retry(d->store, id, clock_now(&d->clock));
	if (r == 0)
		r = store_commit(d->store);
	else
		store_rollback(d->store);
	if (r == -ENOENT)
		return cli_error("outbox retry", EX_DATAERR, "no dead message %lld (see 'dondoc outbox "
				 "list --state dead')", (long long)id);
	if (r < 0)
		return cli_error("outbox retry", cli_exit_code(r), "%s", store_errmsg(d->store));
	printf("Tin nhắn %lld sẽ được gửi lại.\n", (long long)id);
	return 0;
}

/* --- lease list --------------------------------------------------------------------------- */

struct lease_out {
	bool json;
	struct cli_table *table;
	size_t n;
};

static int
lease_one(const struct lease_term *t, void *userdata)
{
	struct lease_out *o = userdata;
	char term[24], started[32], until[32], ended[32] = "";

	clock_format_local((time_t)t->started_at, started);
	clock_format_local((time_t)t->until, until);
	if (t->ended_at)
		clock_format_local((time_t)t->ended_at, ended);
	if (o->json) {
		json_t *j = json_object();

		json_object_set_new(j, "name", json_string(t->name));
		json_object_set_new(j, "term", json_integer(t->term));
		json_object_set_new(j, "owner", json_string(t->owner));
		json_object_set_new(j, "started_at", json_string(started));
		json_object_set_new(j, "until", json_string(until));
		json_object_set_new(j, "ended_at", t->ended_at ? json_string(ended) : json_null());
		json_object_set_new(j, "held", json_boolean(t->held));
		cli_json_item(j, o->n);
	} else {
		const char *row[6] = { t->name, term, t->owner, started, t->ended_at ? ended : until,
				       t->held ? "leading" : "ended" };

		snprintf(term, sizeof(term), "%lld", (long long)t->term);
		cli_table_add(o->table, row);
	}
	o->n++;
	return 0;
}

int
cmd_lease_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[6] = { "LEASE", "TERM", "INSTANCE", "STARTED",
					       "ENDS/ENDED", "STATE" };
	struct lease_out o = { 0 };
	int r, ex = 0;

	if (cli_parse("lease list", argc, argv, opts, cli_json_opt, &o.json, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("lease list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (o.json) {
		cli_json_begin();
	} else {
		o.table = cli_table_new(ELEMENTSOF(header));
		cli_table_add(o.table, header);
	}
	r = store_lease_terms(d->store, lease_one, &o);
	if (o.json)
		cli_json_end(o.n);
	else
		cli_table_print(o.table);
	cli_table_free(o.table);
	if (r < 0)
		return cli_error("lease list", cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}
