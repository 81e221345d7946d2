/* SPDX-License-Identifier: MIT */
/*
 * Replay of the history against the registry; see audit.h.  The state is
 * held as JSON objects keyed by id ("27"), with the same fields as the
 * data of a created or person.add event and the schema 7 snapshot, so one
 * comparison serves all three.  Each record also keeps "_last", the id of
 * the last event that touched it, to name in a difference.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "audit.h"
#include "norm.h"
#include "obstacle.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

struct replay {
	json_t *tasks, *people, *agencies;	/* id -> state */
	json_t *obstacles;	/* id -> state (obstacle.h) */
	int64_t last_obstacle;	/* the highest obstacle id seen */
	int r;			/* the first error */
	int64_t bad_event;	/* the event whose data was not understood */
};

static void
key_of(int64_t id, char key[24])
{
	snprintf(key, 24, "%" PRId64, id);
}

/* The state of id in map, made empty when new (borrowed). */
static json_t *
record(json_t *map, int64_t id)
{
	char key[24];
	json_t *o;

	key_of(id, key);
	o = json_object_get(map, key);
	if (!o) {
		o = json_object();
		json_object_set_new(map, key, o);
	}
	return o;
}

static json_t *
str_or_null(const char *v)
{
	return v ? json_string(v) : json_null();
}

/* ids without repeats, in order: the store keeps the first of a repeated agency. */
static json_t *
unique_ids(const json_t *ids)
{
	json_t *out = json_array(), *v, *w;
	size_t i, j;

	json_array_foreach(ids, i, v) {
		bool seen = false;

		json_array_foreach(out, j, w)
			seen = seen || json_equal(v, w);
		if (!seen)
			json_array_append(out, v);
	}
	return out;
}

/* Replaces map's records by those of snap (the schema 7 state). */
static void
load_map(json_t *map, json_t *snap, int64_t event_id)
{
	const char *key;
	json_t *v;

	json_object_clear(map);
	json_object_foreach(snap, key, v) {
		json_t *o = json_deep_copy(v);

		json_object_set_new(o, "_last", json_integer(event_id));
		json_object_set_new(map, key, o);
	}
}

/*
 * An obstacle reported: its row, by the id its data names.  Those
 * reported before schema 8 carry none: migration 8 made their rows in
 * the order of their events, so they take the next ids.
 */
static void
replay_obstacle(struct replay *p, const struct event *e, const json_t *data)
{
	json_t *id = data ? json_object_get(data, "obstacle") : NULL;
	int64_t n = json_is_integer(id) ? json_integer_value(id) : p->last_obstacle + 1;
	json_t *o = record(p->obstacles, n);

	if (n > p->last_obstacle)
		p->last_obstacle = n;
	json_object_clear(o);
	json_object_set_new(o, "task", json_integer(e->task_id));
	json_object_set_new(o, "actor", json_string(e->actor ? e->actor : ""));
	json_object_set_new(o, "text", json_string(e->text ? e->text : ""));
	json_object_set_new(o, "state", json_string("open"));
	json_object_set_new(o, "handler", json_null());
	json_object_set_new(o, "note", json_null());
	json_object_set_new(o, "_last", json_integer(e->id));
}

static void
replay_obstacle_handled(struct replay *p, const struct event *e, const json_t *data)
{
	json_t *o = record(p->obstacles, json_integer_value(json_object_get(data, "obstacle")));

	json_object_set_new(o, "state", json_string("handled"));
	json_object_set_new(o, "handler", json_string(e->actor ? e->actor : ""));
	json_object_set_new(o, "note", str_or_null(e->text));
	json_object_set_new(o, "_last", json_integer(e->id));
}

/* True when an obstacle of task_id is open in the replayed state: its light. */
static bool
any_open(json_t *obstacles, int64_t task_id)
{
	const char *key;
	json_t *v;

	json_object_foreach(obstacles, key, v)
		if (json_integer_value(json_object_get(v, "task")) == task_id &&
		    strcmp(json_string_value(json_object_get(v, "state")) ?: "", "open") == 0)
			return true;
	return false;
}

/*
 * A recurring task's report: the period reported (when, in "periods") and
 * the due day moved to the next period.
 */
static void
replay_period_report(json_t *o, const struct event *e, json_t *data)
{
	json_t *periods = json_object_get(o, "periods");

	json_object_set(o, "due", json_object_get(data, "due"));
	json_object_set(o, "precision", json_object_get(data, "precision"));
	if (!periods) {
		periods = json_object();
		json_object_set_new(o, "periods", periods);
	}
	json_object_set_new(periods, e->new_value, json_integer(e->at));
}

/*
 * An indicator's assessment (taskop_assess, import): its status, achieved
 * since the event when it turns đạt (kept when it stays so), and the note
 * of its data (an import's carries none).
 */
static void
replay_assessment(json_t *o, const struct event *e, const json_t *data)
{
	const char *note = json_string_value(json_object_get(data, "note"));
	const char *was = json_string_value(json_object_get(o, "status"));
	bool done = strcmp(e->new_value, "done") == 0;

	if (!was || strcmp(was, e->new_value) != 0)
		json_object_set_new(o, "done_at", done ? json_integer(e->at) : json_null());
	json_object_set_new(o, "status", json_string(e->new_value));
	if (note && *note)
		json_object_set_new(o, "note", json_string(note));
}

/* --- people and agencies corrected (regop.h, issue 12) -------------------- */

static void
drop(json_t *map, int64_t id)
{
	char key[24];

	key_of(id, key);
	json_object_del(map, key);
}

/* ids with from replaced by into, without repeats (store_agency_merge keeps the first). */
static json_t *
ids_merged(const json_t *ids, json_int_t from, json_int_t into)
{
	json_t *swapped = json_array(), *v, *out;
	size_t i;

	json_array_foreach(ids, i, v)
		json_array_append_new(swapped, json_integer(json_integer_value(v) == from
							    ? into : json_integer_value(v)));
	out = unique_ids(swapped);
	json_decref(swapped);
	return out;
}

/* Agency from merged into agency into: its tasks, people and aliases move; it goes. */
static void
replay_merge(struct replay *p, const struct event *e, json_int_t from, json_int_t into)
{
	const char *key;
	json_t *v, *o, *aliases;
	char fkey[24];

	json_object_foreach(p->tasks, key, v) {
		bool touched = false;

		for (int lead = 0; lead < 2; lead++) {
			const char *field = lead ? "leads" : "coops";
			json_t *ids = json_object_get(v, field), *w;
			size_t i;

			json_array_foreach(ids, i, w)
				if (json_integer_value(w) == from) {
					json_object_set_new(v, field, ids_merged(ids, from, into));
					touched = true;
					break;
				}
		}
		if (touched)
			json_object_set_new(v, "_last", json_integer(e->id));
	}
	json_object_foreach(p->people, key, v)
		if (json_integer_value(json_object_get(v, "agency_id")) == from) {
			json_object_set_new(v, "agency_id", json_integer(into));
			json_object_set_new(v, "_last", json_integer(e->id));
		}
	key_of(from, fkey);
	o = record(p->agencies, into);
	aliases = json_object_get(o, "aliases");
	if (!aliases) {
		aliases = json_object();
		json_object_set_new(o, "aliases", aliases);
	}
	json_object_update(aliases, json_object_get(json_object_get(p->agencies, fkey), "aliases"));
	json_object_set_new(o, "_last", json_integer(e->id));
	json_object_del(p->agencies, fkey);
}

/*
 * A person edited (the whole record, as person.add), removed; an agency
 * edited (code, name, kind: its aliases stay), merged, removed.  -EBADMSG
 * when the data lacks what the kind needs.
 */
static int
replay_correction(struct replay *p, const struct event *e, const json_t *data)
{
	const char *k = e->kind;
	json_t *o;

	if (!data)
		return -EBADMSG;
	if (strcmp(k, "person.set") == 0 && json_is_integer(json_object_get(data, "person"))) {
		o = record(p->people, json_integer_value(json_object_get(data, "person")));
		json_object_update(o, (json_t *)data);
		json_object_del(o, "person");
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "person.remove") == 0 &&
		   json_is_integer(json_object_get(data, "person"))) {
		drop(p->people, json_integer_value(json_object_get(data, "person")));
	} else if (strcmp(k, "agency.set") == 0 && json_is_integer(json_object_get(data, "agency"))) {
		o = record(p->agencies, json_integer_value(json_object_get(data, "agency")));
		json_object_set(o, "code", json_object_get(data, "code"));
		json_object_set(o, "name", json_object_get(data, "name"));
		json_object_set(o, "kind", json_object_get(data, "kind"));
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "agency.remove") == 0 &&
		   json_is_integer(json_object_get(data, "agency"))) {
		drop(p->agencies, json_integer_value(json_object_get(data, "agency")));
	} else if (strcmp(k, "agency.merge") == 0 && json_is_integer(json_object_get(data, "from")) &&
		   json_is_integer(json_object_get(data, "into"))) {
		replay_merge(p, e, json_integer_value(json_object_get(data, "from")),
			     json_integer_value(json_object_get(data, "into")));
	} else {
		return -EBADMSG;
	}
	return 0;
}

static int
apply(const struct event *e, void *userdata)
{
	struct replay *p = userdata;
	json_t *data = NULL, *o;
	const char *k = e->kind;

	if (e->data) {
		data = json_loads(e->data, JSON_REJECT_DUPLICATES, NULL);
		if (!data || !json_is_object(data)) {
			json_decref(data);
			p->bad_event = e->id;
			return -EBADMSG;
		}
	}
	if (strcmp(k, "audit.rechain") == 0 && data) {
		load_map(p->tasks, json_object_get(data, "tasks"), e->id);
		load_map(p->people, json_object_get(data, "people"), e->id);
		load_map(p->agencies, json_object_get(data, "agencies"), e->id);
	} else if (e->task_id) {
		o = record(p->tasks, e->task_id);
		if (strcmp(k, "created") == 0) {
			json_object_clear(o);
			if (data) {
				json_object_update(o, data);
				json_object_set_new(o, "leads",
						    unique_ids(json_object_get(data, "leads")));
				json_object_set_new(o, "coops",
						    unique_ids(json_object_get(data, "coops")));
			}
			json_object_set_new(o, "created_at", json_integer(e->at));
			json_object_set_new(o, "periods", json_object());
		} else if (strcmp(k, "period_report") == 0 && data && e->new_value) {
			replay_period_report(o, e, data);
		} else if (strcmp(k, "status") == 0 && e->new_value) {
			json_object_set_new(o, "status", json_string(e->new_value));
			json_object_set_new(o, "done_at", strcmp(e->new_value, "done") == 0
					    ? json_integer(e->at) : json_null());
			/*
			 * The due day in force when done, or null (schema 8).  An
			 * older event says nothing of it: schema 8 filled it in.
			 */
			if (data && json_object_get(data, "done_due"))
				json_object_set(o, "done_due", json_object_get(data, "done_due"));
			else if (!data)
				json_object_del(o, "done_due");
		} else if (strcmp(k, "assessment") == 0 && e->new_value) {
			replay_assessment(o, e, data);
		} else if (strcmp(k, "progress") == 0 && e->new_value) {
			json_object_set_new(o, "progress", json_integer(strtol(e->new_value, NULL, 10)));
		} else if (strcmp(k, "note") == 0) {
			json_object_set_new(o, "note", str_or_null(e->text && *e->text ? e->text : NULL));
		} else if (strcmp(k, "obstacle") == 0) {
			replay_obstacle(p, e, data);
			json_object_set_new(o, "obstacle", json_integer(1));
		} else if (strcmp(k, "obstacle_handled") == 0 && data) {
			replay_obstacle_handled(p, e, data);
			json_object_set_new(o, "obstacle", json_integer(
				any_open(p->obstacles, e->task_id) ? 1 : 0));
		} else if (strcmp(k, "kind") == 0 && e->new_value) {
			json_object_set_new(o, "kind", json_string(e->new_value));
		} else if (strcmp(k, "deadline") == 0) {
			json_object_set_new(o, "deadline_raw", str_or_null(e->new_value));
			if (data) {
				json_object_set(o, "due", json_object_get(data, "due"));
				json_object_set(o, "precision", json_object_get(data, "precision"));
			}
		} else if ((strcmp(k, "leads") == 0 || strcmp(k, "cooperating") == 0) && data) {
			json_object_set_new(o, k[0] == 'l' ? "leads" : "coops",
					    unique_ids(json_object_get(data, "ids")));
		}
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "link") == 0 && e->person_id && e->new_value) {
		/* The chat's channel is the event's own (/start came through it); old rows: Telegram. */
		const char *channel = e->channel && *e->channel ? e->channel : "telegram";
		char *broken = xasprintf("%s_broken", channel);
		const char *key;
		json_t *v;

		/* One chat, one person: linking it takes it from anyone else. */
		json_object_foreach(p->people, key, v) {
			const char *t = json_string_value(json_object_get(v, channel));

			if (t && strcmp(t, e->new_value) == 0) {
				json_object_set_new(v, channel, json_null());
				json_object_set_new(v, broken, json_false());
				json_object_set_new(v, "_last", json_integer(e->id));
			}
		}
		o = record(p->people, e->person_id);
		json_object_set_new(o, channel, json_string(e->new_value));
		/* Linking again clears "broken" (store_address_link). */
		json_object_set_new(o, broken, json_false());
		json_object_set_new(o, "_last", json_integer(e->id));
		free(broken);
	} else if (strcmp(k, "person.address") == 0 && data) {
		const char *channel = json_string_value(json_object_get(data, "channel"));
		json_t *broken = json_object_get(data, "broken");
		char *field;

		if (!channel || !json_is_boolean(broken)) {
			json_decref(data);
			p->bad_event = e->id;
			return -EBADMSG;
		}
		field = xasprintf("%s_broken", channel);
		o = record(p->people, json_integer_value(json_object_get(data, "person")));
		json_object_set(o, field, broken);
		json_object_set_new(o, "_last", json_integer(e->id));
		free(field);
	} else if (strcmp(k, "person.add") == 0 && data) {
		o = record(p->people, json_integer_value(json_object_get(data, "person")));
		json_object_update(o, data);
		json_object_del(o, "person");
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "agency.add") == 0 && data) {
		o = record(p->agencies, json_integer_value(json_object_get(data, "agency")));
		json_object_update(o, data);
		json_object_del(o, "agency");
		json_object_set_new(o, "aliases", json_object());
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "agency.alias") == 0 && data && e->new_value) {
		json_t *aliases;

		o = record(p->agencies, json_integer_value(json_object_get(data, "agency")));
		aliases = json_object_get(o, "aliases");
		if (!aliases) {
			aliases = json_object();
			json_object_set_new(o, "aliases", aliases);
		}
		json_object_set_new(aliases, json_string_value(json_object_get(data, "key")) ?: "",
				    json_string(e->new_value));
		json_object_set_new(o, "_last", json_integer(e->id));
	} else if (strcmp(k, "person.set") == 0 || strcmp(k, "person.remove") == 0 ||
		   strcmp(k, "agency.set") == 0 || strcmp(k, "agency.merge") == 0 ||
		   strcmp(k, "agency.remove") == 0) {
		if (replay_correction(p, e, data) < 0) {
			json_decref(data);
			p->bad_event = e->id;
			return -EBADMSG;
		}
	}
	json_decref(data);
	return 0;
}

/* --- the registry as it is ----------------------------------------------- */

struct compare {
	struct store *s;
	struct replay *p;
	FILE *out;
	size_t n;
	json_t *aliases;	/* agency id -> {key: alias}, from the registry */
};

/* A value as it prints in a difference: 'text', a number, or none. */
static char *
show(const json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("none");
	if (json_is_string(v))
		return xasprintf("'%s'", json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

/* Whether two values of field are the same (document numbers compare normalised). */
static bool
same(const char *field, const json_t *a, const json_t *b)
{
	char *ka, *kb;
	bool eq;

	if (json_equal(a, b))
		return true;
	if (strcmp(field, "document") != 0 || !json_is_string(a) || !json_is_string(b))
		return false;
	ka = norm_key(json_string_value(a));
	kb = norm_key(json_string_value(b));
	eq = ka && kb && strcmp(ka, kb) == 0;
	free(ka);
	free(kb);
	return eq;
}

/*
 * Compares what the registry holds (now) with the replayed record of
 * what (kind, id) and reports each field that differs; takes now.
 */
static void
compare_one(struct compare *c, json_t *map, const char *what, int64_t id, json_t *now)
{
	char key[24];
	json_t *want, *v;
	const char *field;

	key_of(id, key);
	want = json_object_get(map, key);
	if (!want) {
		fprintf(c->out, "%s %" PRId64 " is in the registry but not in the history "
			"(added outside dondoc)\n", what, id);
		c->n++;
		json_decref(now);
		return;
	}
	json_object_foreach(now, field, v) {
		json_t *w = json_object_get(want, field);
		char *got, *should;

		if (!w || same(field, v, w))
			continue;	/* a field the history never set (before schema 7) */
		got = show(v);
		should = show(w);
		fprintf(c->out, "%s %" PRId64 ": %s is %s in the registry, the history says %s "
			"(its last event is %" PRId64 ")\n", what, id, field, got, should,
			(int64_t)json_integer_value(json_object_get(want, "_last")));
		free(got);
		free(should);
		c->n++;
	}
	json_object_set_new(want, "_seen", json_true());
	json_decref(now);
}

/* Reports the records of the history the registry lost. */
static void
report_missing(struct compare *c, json_t *map, const char *what)
{
	const char *key;
	json_t *v;

	json_object_foreach(map, key, v) {
		if (json_object_get(v, "_seen"))
			continue;
		fprintf(c->out, "%s %s is in the history (its last event is %" PRId64 ") but not in "
			"the registry\n", what, key, (int64_t)json_integer_value(json_object_get(v, "_last")));
		c->n++;
	}
}

static int
period_now(const struct period_report *pr, void *userdata)
{
	char iso[DATE_ISO_LEN];

	date_format_iso(pr->period, iso);
	json_object_set_new(userdata, iso, json_integer(pr->reported_at));
	return 0;
}

/*
 * The period reports of t as the registry holds them ({reporting day:
 * when}), read only for tasks that may have some: a recurring task, or
 * one the history says was reported on.
 */
static json_t *
periods_now(struct compare *c, const struct task *t)
{
	json_t *periods = json_object(), *want;
	char key[24];

	key_of(t->id, key);
	want = json_object_get(json_object_get(c->p->tasks, key), "periods");
	if (t->deadline.precision == DEADLINE_RECURRING || json_object_size(want) > 0)
		(void)store_period_report_foreach(c->s, t->id, period_now, periods);
	return periods;
}

static int
task_now(const struct task *t, void *userdata)
{
	struct compare *c = userdata;
	json_t *now = taskop_task_json(t, t->lead_ids, t->n_leads, t->coop_ids, t->n_coops);

	json_object_set_new(now, "created_at", json_integer(t->created_at));
	json_object_set_new(now, "periods", periods_now(c, t));
	compare_one(c, c->p->tasks, "task", t->id, now);
	return 0;
}

static int
obstacle_now(const struct obstacle *ob, void *userdata)
{
	struct compare *c = userdata;

	compare_one(c, c->p->obstacles, "obstacle", ob->id, json_pack(
		"{s:I, s:s, s:s, s:s, s:o, s:o}", "task", (json_int_t)ob->task_id,
		"actor", ob->actor ? ob->actor : "", "text", ob->text ? ob->text : "",
		"state", obstacle_state_to_string(ob->state), "handler", str_or_null(ob->handler),
		"note", str_or_null(ob->note)));
	return 0;
}

static int
person_now(const struct person *p, void *userdata)
{
	struct compare *c = userdata;

	compare_one(c, c->p->people, "person", p->id, regop_person_json(p));
	return 0;
}

static int
alias_now(int64_t agency_id, const char *key, const char *alias, void *userdata)
{
	struct compare *c = userdata;

	json_object_set_new(record(c->aliases, agency_id), key ? key : "", str_or_null(alias));
	return 0;
}

static int
agency_now(const struct agency *a, void *userdata)
{
	struct compare *c = userdata;
	char key[24];
	json_t *aliases;

	key_of(a->id, key);
	aliases = json_object_get(c->aliases, key);
	compare_one(c, c->p->agencies, "agency", a->id, json_pack(
		"{s:s, s:s, s:s, s:o}", "code", a->code, "name", a->name,
		"kind", agency_kind_to_string(a->kind),
		"aliases", aliases ? json_incref(aliases) : json_object()));
	return 0;
}

int
audit_replay(struct store *s, FILE *out, size_t *ret_n)
{
	struct replay p = { .tasks = json_object(), .people = json_object(),
			    .agencies = json_object(), .obstacles = json_object() };
	struct compare c = { .s = s, .p = &p, .out = out, .aliases = json_object() };
	int r;

	r = store_event_foreach(s, 0, apply, &p);
	if (r == -EBADMSG)
		fprintf(out, "event %" PRId64 ": its data is not what dondoc writes\n", p.bad_event);
	if (r == 0)
		r = store_task_foreach(s, NULL, task_now, &c);
	if (r == 0)
		r = store_person_foreach(s, person_now, &c);
	if (r == 0)
		r = store_alias_foreach(s, alias_now, &c);
	if (r == 0)
		r = store_agency_foreach(s, agency_now, &c);
	if (r == 0)
		r = store_obstacle_foreach(s, false, obstacle_now, &c);
	if (r == 0) {
		report_missing(&c, p.tasks, "task");
		report_missing(&c, p.people, "person");
		report_missing(&c, p.agencies, "agency");
		report_missing(&c, p.obstacles, "obstacle");
		*ret_n = c.n;
	}
	json_decref(p.tasks);
	json_decref(p.people);
	json_decref(p.agencies);
	json_decref(p.obstacles);
	json_decref(c.aliases);
	return r;
}
