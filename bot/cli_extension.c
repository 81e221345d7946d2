/* SPDX-License-Identifier: MIT */
/*
 * Deadline change requests from the command line: the secretariat lists
 * them and decides them as it would in chat, under the operator's name
 * ($DONDOC_ACTOR).  The rules are extension.c's; what the requester and
 * the secretariat are told is queued in the outbox by the path chat
 * commands use (cli_queue_messages).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "cli.h"
#include "cli_words.h"
#include "clock.h"
#include "command.h"
#include "config.h"
#include "extension.h"
#include "inbound.h"
#include "norm.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

#define TEXT_MAX 2000		/* bytes of a reason or remark */

/* --- extension list -------------------------------------------------------------- */

struct list_args {
	bool pending;
	bool json;
};

static int
list_opt(int c, const char *arg, void *userdata)
{
	struct list_args *a = userdata;

	(void)arg;
	if (c == 'p')
		a->pending = true;
	else if (c == 'j')
		a->json = true;
	return 0;
}

struct list_state {
	struct dondoc *d;
	const struct list_args *a;
	struct cli_table *table;
	size_t n;
};

/* One request as the JSON listing shows it (a new object). */
static json_t *
request_json(const struct extension *e, const struct task *t, const struct person *p)
{
	char due[DATE_ISO_LEN], day[16], created[32], decided[32] = "";

	date_format_iso(e->due, due);
	render_day_short(e->due, day);
	clock_format_local((time_t)e->created_at, created);
	if (e->decided_at)
		clock_format_local((time_t)e->decided_at, decided);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
			 "id", (json_int_t)e->id, "task_id", (json_int_t)e->task_id,
			 "task_title", t->title ? t->title : "",
			 "requester", p->name ? p->name : "",
			 "agency", p->agency_name ? p->agency_name : "",
			 "asked", e->raw ? e->raw : day, "due", due,
			 "precision", deadline_precision_to_string(e->precision),
			 "reason", e->reason ? e->reason : "",
			 "state", extension_state_to_string(e->state), "created_at", created,
			 "decided_at", e->decided_at ? json_string(decided) : json_null(),
			 "decision", e->decision ? json_string(e->decision) : json_null());
}

static int
list_one(const struct extension *e, void *userdata)
{
	struct list_state *st = userdata;
	struct task t = { 0 };
	struct person p = { 0 };
	int r;

	r = store_task_get(st->d->store, e->task_id, &t);
	if (r == 0)
		r = store_person_get(st->d->store, e->person_id, &p);
	if (r < 0)
		goto out;
	if (st->a->json) {
		json_t *o = request_json(e, &t, &p);

		cli_json_item(o, st->n);
	} else {
		char id[24], task[24], due[16], *title = norm_truncate(t.title, 40);
		const char *row[7];

		snprintf(id, sizeof(id), "%lld", (long long)e->id);
		snprintf(task, sizeof(task), "%lld", (long long)e->task_id);
		render_day_short(e->due, due);
		row[0] = id;
		row[1] = task;
		row[2] = title;
		row[3] = p.name ? p.name : "";
		row[4] = e->raw ? e->raw : due;
		row[5] = due;
		row[6] = cli_state_words(extension_state_to_string(e->state));
		cli_table_add(st->table, row);
		free(title);
	}
	st->n++;
out:
	task_release(&t);
	person_release(&p);
	return r;
}

int
cmd_extension_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pending", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[7] = {
		"ID", "Task", "Title", "Requester", "Asked", "Due", "State",
	};
	struct list_args a = { 0 };
	struct list_state st = { .d = d, .a = &a };
	int r, ex = 0;

	if (cli_parse("extension list", argc, argv, opts, list_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("extension list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (a.json) {
		cli_json_begin();
	} else {
		st.table = cli_table_new(7);
		cli_table_add(st.table, header);
	}
	r = store_extension_foreach(d->store, a.pending, list_one, &st);
	if (a.json)
		cli_json_end(st.n);
	else
		cli_table_print(st.table);
	cli_table_free(st.table);
	if (r < 0)
		return cli_error("extension list", cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/* --- extension approve, extension reject ---------------------------------------------- */

struct decide_args {
	const char *text;	/* --note or --reason */
};

static int
decide_opt(int c, const char *arg, void *userdata)
{
	struct decide_args *a = userdata;

	if (c == 'n' || c == 'r')
		a->text = arg;
	return 0;
}

/* The operator's line for a refusal (English: operators read it). */
static int
refused(const char *cmd, int64_t id, int verdict, const json_t *reply)
{
	const json_t *req = json_object_get(reply, "request");
	const char *on = json_string_value(json_object_get(req, "decided_on"));
	const char *state = json_string_value(json_object_get(req, "state"));
	json_int_t task = json_integer_value(json_object_get(json_object_get(reply, "task"), "id"));

	switch (verdict) {
	case EXT_NO_REQUEST:
		return cli_error(cmd, EX_DATAERR, "no request %lld (see 'dondoc extension list')",
				 (long long)id);
	case EXT_MOOT:
		return cli_error(cmd, EX_DATAERR, "request %lld is moot: task %lld is done",
				 (long long)id, (long long)task);
	case EXT_DECIDED:
		return cli_error(cmd, EX_DATAERR, "request %lld was %s already%s%s", (long long)id,
				 state ? state : "decided", on && *on ? " on " : "",
				 on && *on ? on : "");
	default:
		return cli_error(cmd, EX_DATAERR, "request %lld cannot be decided: %s",
				 (long long)id, extension_verdict_to_string(verdict));
	}
}

static int
decide(struct dondoc *d, int argc, char **argv, bool approve)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ 0 },
	};
	const char *cmd = approve ? "extension approve" : "extension reject";
	struct decide_args a = { 0 };
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct command_out out = { 0 };
	struct extension e = { 0 };
	struct task t = { 0 };
	char *text = NULL;
	int64_t id = 0;
	size_t queued = 0;
	int r, v, ex = 0;

	if (cli_parse(cmd, argc, argv, opts, decide_opt, &a, &ex))
		return ex;
	if (optind >= argc || cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error(cmd, "give the number of one request "
				       "(see 'dondoc extension list')");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (!approve && !a.text)
		return cli_usage_error(cmd, "say why: --reason TEXT");
	if (a.text && (!norm_is_utf8(a.text, strlen(a.text), NULL) || !*a.text ||
		       strlen(a.text) > TEXT_MAX))
		return cli_usage_error(cmd, "%s must be 1-%d bytes of UTF-8",
				       approve ? "--note" : "--reason", TEXT_MAX);
	if ((ex = cli_need_schedule(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	text = a.text ? norm_text(a.text) : NULL;
	r = store_begin(d->store);
	if (r < 0) {
		free(text);
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	{
		struct extension_ctx c = { .s = d->store, .actor = &actor, .me = NULL,
					   .now = clock_now(&d->clock),
					   .today = clock_today(&d->clock), .cal = d->sch->cal,
					   .out = &out };

		v = r = extension_decide(&c, id, approve, text);
	}
	if (r < 0)
		goto fail;
	if (v != EXT_OK) {
		store_rollback(d->store);
		ex = refused(cmd, id, v, out.reply.data);
		goto done;
	}
	r = cli_queue_messages(d, &out, &queued);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		goto fail;
	if (store_extension_get(d->store, id, &e) == 0 && store_task_get(d->store, e.task_id, &t) == 0)
		printf("Đề nghị %lld: %s; nhiệm vụ %lld, thời hạn “%s”.\n", (long long)id,
		       cli_state_words(extension_state_to_string(e.state)), (long long)t.id,
		       t.deadline_raw);
	printf("%zu tin nhắn đã vào hàng gửi.\n", queued);
	ex = 0;
	goto done;
fail:
	store_rollback(d->store);
	ex = r == -ENOKEY ? EX_CONFIG :
	     cli_error(cmd, cli_exit_code(r), "cannot decide request %lld: %s", (long long)id,
		       store_errmsg(d->store));
done:
	task_release(&t);
	extension_release(&e);
	command_out_release(&out);
	free(text);
	return ex;
}

int
cmd_extension_approve(struct dondoc *d, int argc, char **argv)
{
	return decide(d, argc, argv, true);
}

int
cmd_extension_reject(struct dondoc *d, int argc, char **argv)
{
	return decide(d, argc, argv, false);
}
