/* SPDX-License-Identifier: MIT */
/*
 * Obstacles: telling the secretariat, marking handled, telling the
 * reporter; see obstacle.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "channels.h"
#include "clock.h"
#include "obstacle.h"
#include "render.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

static const char *const state_names[_OBSTACLE_STATE_MAX] = {
	[OBSTACLE_OPEN] = "open",
	[OBSTACLE_HANDLED] = "handled",
};

const char *
obstacle_state_to_string(enum obstacle_state s)
{
	return s >= 0 && s < _OBSTACLE_STATE_MAX ? state_names[s] : NULL;
}

enum obstacle_state
obstacle_state_from_string(const char *s)
{
	for (int i = 0; s && i < _OBSTACLE_STATE_MAX; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum obstacle_state)i;
	return _OBSTACLE_STATE_INVALID;
}

void
obstacle_release(struct obstacle *o)
{
	if (!o)
		return;
	free(o->actor);
	free(o->text);
	free(o->handler);
	free(o->note);
	memset(o, 0, sizeof(*o));
}

int
obstacle_notify(struct store *s, const struct channels *cs, const struct obstacle *o,
		struct date today, int64_t now)
{
	struct person *sec = NULL;
	size_t nsec = 0;
	int r, told = 0;

	r = store_person_list_role(s, ROLE_SECRETARIAT, &sec, &nsec);
	for (size_t i = 0; r == 0 && i < nsec; i++) {
		const char *channel = channels_pick(cs, &sec[i]);
		struct notice n = { .task_id = o->task_id, .person_id = sec[i].id,
				    .stage = STAGE_OBSTACLE, .step = (int)o->id, .anchor = today,
				    .day = today };
		bool added = false;

		/* Nobody to send it through: it waits in the registry (obstacle list). */
		if (!channel)
			continue;
		snprintf(n.channel, sizeof(n.channel), "%s", channel);
		r = store_notice_insert(s, &n, now, &added);
		told += added;
	}
	for (size_t i = 0; i < nsec; i++)
		person_release(&sec[i]);
	free(sec);
	return r < 0 ? r : told;
}

/* What an obstacle or obstacle_handled event carries for replay (new string). */
static char *
event_data(int64_t id)
{
	json_t *o = json_pack("{s:I}", "obstacle", (json_int_t)id);
	char *j = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	if (!j) {
		fprintf(stderr, "dondoc: cannot write JSON: out of memory\n");
		abort();
	}
	return j;
}

/* Clears the task's obstacle flag once none of its obstacles is open (the light back). */
static int
clear_flag_when_none(struct store *s, int64_t task_id, int64_t now)
{
	struct task t = { 0 };
	int64_t open = store_obstacle_count_open(s, task_id);
	int r;

	if (open != 0)
		return open < 0 ? (int)open : 0;
	r = store_task_get(s, task_id, &t);
	if (r == 0 && t.obstacle_open) {
		t.obstacle_open = false;
		r = taskop_save(s, &t, now);
	}
	task_release(&t);
	return r;
}

int
obstacle_handle(struct store *s, int64_t id, const char *note, const struct actor *a,
		int64_t now, struct obstacle *ret)
{
	struct obstacle o = { 0 };
	struct event e = { .at = now, .actor = a->name, .person_id = a->person_id,
			   .channel = a->channel, .kind = "obstacle_handled", .text = note };
	char *data = NULL;
	int r;

	if (!note || !*note)
		return -EINVAL;
	r = store_obstacle_get(s, id, &o);
	if (r < 0)
		return r;
	if (o.state != OBSTACLE_OPEN) {
		r = -EALREADY;
		goto out;
	}
	data = event_data(id);
	e.task_id = o.task_id;
	e.old_value = "open";
	e.new_value = "handled";
	e.data = data;
	r = store_event_append(s, &e);
	if (r == 0)
		r = store_obstacle_handle(s, id, a->person_id, a->name, note, now);
	if (r == 0)
		r = clear_flag_when_none(s, o.task_id, now);
	if (r == 0) {
		obstacle_release(&o);
		r = store_obstacle_get(s, id, &o);
	}
	if (r == 0 && ret) {
		*ret = o;
		memset(&o, 0, sizeof(o));
	}
out:
	free(data);
	obstacle_release(&o);
	return r;
}

/* "7/10/2025" of a unix time, the day in Việt Nam. */
static void
day_of(int64_t t, char out[16])
{
	render_day(clock_local_date((time_t)t), out);
}

json_t *
obstacle_json(const struct obstacle *o)
{
	char reported[16], handled[16] = "";

	day_of(o->created_at, reported);
	if (o->handled_at)
		day_of(o->handled_at, handled);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
			 "id", (json_int_t)o->id, "task_id", (json_int_t)o->task_id,
			 "reporter", o->actor ? o->actor : "", "text", o->text ? o->text : "",
			 "date", reported, "handled", o->state == OBSTACLE_HANDLED,
			 "handler", o->handler ? o->handler : "", "note", o->note ? o->note : "",
			 "handled_date", handled);
}
