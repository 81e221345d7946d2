/* SPDX-License-Identifier: MIT */
/*
 * "dondoc obstacle list|handle": the obstacles officials reported with
 * /vuongmac (obstacle.h), and marking one handled from the command line.
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
#include "dondoc.h"
#include "norm.h"
#include "obstacle.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

#define NOTE_MAX 2000		/* bytes of a handling note, as the chat keeps */

struct list_args {
	bool json;
	bool open;
};

static int
list_opt(int c, const char *arg, void *userdata)
{
	struct list_args *a = userdata;

	(void)arg;
	if (c == 'j')
		a->json = true;
	else if (c == 'o')
		a->open = true;
	return 0;
}

struct obstacle_list {
	bool json;
	struct cli_table *table;
	size_t n;
};

static json_t *
time_or_null(int64_t t)
{
	return t ? json_integer(t) : json_null();
}

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int
obstacle_one(const struct obstacle *o, void *userdata)
{
	struct obstacle_list *l = userdata;
	char id[24], task[24], day[16];

	if (l->json) {
		json_t *j = json_object();

		json_object_set_new(j, "id", json_integer(o->id));
		json_object_set_new(j, "task", json_integer(o->task_id));
		json_object_set_new(j, "state", json_string(obstacle_state_to_string(o->state)));
		json_object_set_new(j, "reporter", json_string(o->actor ? o->actor : ""));
		json_object_set_new(j, "person", o->person_id ? json_integer(o->person_id)
							     : json_null());
		json_object_set_new(j, "text", json_string(o->text ? o->text : ""));
		json_object_set_new(j, "created_at", json_integer(o->created_at));
		json_object_set_new(j, "handler", str_or_null(o->handler));
		json_object_set_new(j, "note", str_or_null(o->note));
		json_object_set_new(j, "handled_at", time_or_null(o->handled_at));
		cli_json_item(j, l->n);
	} else {
		const char *row[6] = { id, task, cli_state_words(obstacle_state_to_string(o->state)), day,
				       o->actor ? o->actor : "", o->text ? o->text : "" };

		snprintf(id, sizeof(id), "%lld", (long long)o->id);
		snprintf(task, sizeof(task), "%lld", (long long)o->task_id);
		render_day_short(clock_local_date((time_t)o->created_at), day);
		cli_table_add(l->table, row);
	}
	l->n++;
	return 0;
}

int
cmd_obstacle_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "open", no_argument, NULL, 'o' },
		{ 0 },
	};
	static const char *const header[6] = { "Số", "Nhiệm vụ", "Trạng thái", "Ngày", "Người báo",
					       "Nội dung" };
	struct list_args a = { 0 };
	struct obstacle_list l = { 0 };
	int r, ex = 0;

	if (cli_parse("obstacle list", argc, argv, opts, list_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("obstacle list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	l.json = a.json;
	if (l.json) {
		cli_json_begin();
	} else {
		l.table = cli_table_new(6);
		cli_table_add(l.table, header);
	}
	r = store_obstacle_foreach(d->store, a.open, obstacle_one, &l);
	if (r < 0) {
		cli_table_free(l.table);
		return cli_error("obstacle list", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	if (l.json) {
		cli_json_end(l.n);
	} else {
		cli_table_print(l.table);
		printf("%zu vướng mắc\n", l.n);
		cli_table_free(l.table);
	}
	return 0;
}

static int
note_opt(int c, const char *arg, void *userdata)
{
	if (c == 'n')
		*(const char **)userdata = arg;
	return 0;
}

/*
 * Marks it handled and queues the reporter's message, by the path chat
 * commands use (cli_queue_messages), in one transaction; *ret_told: queued.
 */
static int
handle_and_tell(struct dondoc *d, int64_t id, const char *note, struct obstacle *ret,
		bool *ret_told)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct command_out out = { 0 };
	struct task t = { 0 };
	time_t now = clock_now(&d->clock);
	size_t queued = 0;
	int r;

	r = store_begin(d->store);
	if (r < 0)
		return r;
	r = obstacle_handle(d->store, id, note, &actor, now, ret);
	if (r == 0 && ret->person_id)
		r = store_task_get(d->store, ret->task_id, &t);
	if (r == 0 && ret->person_id) {
		command_tell(&out, ret->person_id, "obstacle_handled",
			     json_pack("{s:o, s:o}", "task",
				       render_task_json(&t, clock_today(&d->clock), d->sch->cal),
				       "obstacle", obstacle_json(ret)));
		r = cli_queue_messages(d, &out, &queued);
	}
	*ret_told = queued > 0;
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	command_out_release(&out);
	task_release(&t);
	return r;
}

int
cmd_obstacle_handle(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ 0 },
	};
	struct obstacle o = { 0 };
	const char *note_arg = NULL;
	char *note = NULL;
	bool told = false;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("obstacle handle", argc, argv, opts, note_opt, &note_arg, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("obstacle handle", "give the obstacle's number");
	if (optind + 1 < argc)
		return cli_usage_error("obstacle handle", "unexpected argument '%s'", argv[optind + 1]);
	if (cli_parse_int(argv[optind], 1, INT32_MAX, &id) < 0)
		return cli_usage_error("obstacle handle", "'%s' is not an obstacle number",
				       argv[optind]);
	note = note_arg ? norm_text(note_arg) : NULL;
	if (!note || !*note || strlen(note) > NOTE_MAX) {
		ex = cli_usage_error("obstacle handle", "--note must say how it was handled "
				     "(1-%d bytes of UTF-8)", NOTE_MAX);
		goto out;
	}
	if ((ex = cli_need_schedule(d)) != 0 || (ex = cli_need_store(d)) != 0)
		goto out;
	r = handle_and_tell(d, id, note, &o, &told);
	if (r == -ENOKEY) {
		ex = EX_CONFIG;	/* said on stderr */
		goto out;
	}
	if (r == -ENOENT) {
		ex = cli_error("obstacle handle", EX_DATAERR, "no obstacle %lld (see 'dondoc obstacle "
			       "list')", (long long)id);
		goto out;
	}
	if (r == -EALREADY) {
		struct obstacle was = { 0 };

		if (store_obstacle_get(d->store, id, &was) == 0)
			ex = cli_error("obstacle handle", EX_DATAERR, "obstacle %lld was handled "
				       "already by '%s': '%s'", (long long)id,
				       was.handler ? was.handler : "", was.note ? was.note : "");
		else
			ex = cli_error("obstacle handle", EX_DATAERR, "obstacle %lld was handled "
				       "already", (long long)id);
		obstacle_release(&was);
		goto out;
	}
	if (r < 0) {
		ex = cli_error("obstacle handle", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	printf("Vướng mắc %lld của nhiệm vụ %lld: đã xử lý; %s.\n", (long long)o.id,
	       (long long)o.task_id, told ? "đã báo cho người phản ánh"
	       : "chưa báo được cho người phản ánh (không có kênh liên lạc)");
out:
	obstacle_release(&o);
	free(note);
	return ex;
}
