/* SPDX-License-Identifier: MIT */
/*
 * Audited changes to a task; see taskops.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "norm.h"
#include "obstacle.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

int
taskop_append(struct store *s, int64_t task_id, const struct actor *a, int64_t now,
	      const char *kind, const char *old_value, const char *new_value, const char *text,
	      const char *data)
{
	struct event e = {
		.task_id = task_id,
		.at = now,
		.actor = a->name,
		.person_id = a->person_id,
		.channel = a->channel,
		.kind = kind,
		.old_value = old_value,
		.new_value = new_value,
		.text = text,
		.data = data,
	};

	return store_event_append(s, &e);
}

char *
taskop_dump(json_t *o)
{
	char *j = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	if (!j) {
		fprintf(stderr, "dondoc: cannot write JSON: out of memory\n");
		abort();
	}
	return j;
}

static json_t *
str_or_null(const char *v)
{
	return v ? json_string(v) : json_null();
}

static json_t *
ids_array(const int64_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

char *
taskop_ids_data(const int64_t *ids, size_t n)
{
	return taskop_dump(json_pack("{s:o}", "ids", ids_array(ids, n)));
}

char *
taskop_deadline_data(const struct deadline *dl)
{
	char due[DATE_ISO_LEN];

	if (dl->has_due)
		date_format_iso(dl->due, due);
	return taskop_dump(json_pack("{s:o, s:s}", "due", dl->has_due ? json_string(due) : json_null(),
			      "precision", deadline_precision_to_string(dl->precision)));
}

json_t *
taskop_task_json(const struct task *t, const int64_t *lead_ids, size_t n_leads,
		 const int64_t *coop_ids, size_t n_coops)
{
	char due[DATE_ISO_LEN], done_due[DATE_ISO_LEN];

	if (t->deadline.has_due)
		date_format_iso(t->deadline.due, due);
	if (t->has_done_due)
		date_format_iso(t->done_due, done_due);
	return json_pack("{s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:i, s:o,"
			      " s:o, s:o, s:o}",
			      "code", t->code, "title", t->title,
			      "document", str_or_null(t->document),
			      "kind", task_kind_to_string(t->kind),
			      "deadline_raw", t->deadline_raw ? t->deadline_raw : "",
			      "due", t->deadline.has_due ? json_string(due) : json_null(),
			      "precision", deadline_precision_to_string(t->deadline.precision),
			      "status", task_status_to_string(t->status),
			      "progress", t->progress,
			      "done_at", t->done_at ? json_integer(t->done_at) : json_null(),
			      "obstacle", t->obstacle_open ? 1 : 0,
			      "note", str_or_null(t->note && *t->note ? t->note : NULL),
			      "leads", ids_array(lead_ids, n_leads),
			      "coops", ids_array(coop_ids, n_coops),
			      "done_due", t->has_done_due ? json_string(done_due) : json_null());
}

char *
taskop_created_data(const struct task *t, const int64_t *lead_ids, size_t n_leads,
		    const int64_t *coop_ids, size_t n_coops)
{
	return taskop_dump(taskop_task_json(t, lead_ids, n_leads, coop_ids, n_coops));
}

static int
append(struct store *s, const struct task *t, const struct actor *a, int64_t now,
       const char *kind, const char *old_value, const char *new_value, const char *text)
{
	return taskop_append(s, t->id, a, now, kind, old_value, new_value, text, NULL);
}

/*
 * Written by hand, byte for byte what json_dumps (JSON_COMPACT |
 * JSON_SORT_KEYS) writes for {"done_due": due or null}: one key, and a
 * day in digits and dashes, so nothing to escape.  Every /tiendo that
 * starts a task writes one; jansson's objects cost 5,000 instructions.
 */
char *
taskop_status_data(const struct task *t)
{
	char due[DATE_ISO_LEN];

	if (!t->has_done_due)
		return xstrdup("{\"done_due\":null}");
	date_format_iso(t->done_due, due);
	return xasprintf("{\"done_due\":\"%s\"}", due);
}

int
taskop_extension_close(struct store *s, const struct extension *e, enum extension_state state,
		       const char *text, const struct actor *a, int64_t now)
{
	char *data;
	int r;

	r = store_extension_decide(s, e->id, state, a->person_id, text, now);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I}", "request", (json_int_t)e->id));
	r = taskop_append(s, e->task_id, a, now, "extension_decision", "pending",
			extension_state_to_string(state), text, data);
	free(data);
	return r;
}

/* A done task needs no more time: its open request, if any, is moot. */
static int
moot_open_request(struct store *s, const struct task *t, const struct actor *a, int64_t now)
{
	struct extension e = { 0 };
	int r = store_extension_pending(s, t->id, &e);

	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = taskop_extension_close(s, &e, EXTENSION_MOOT, NULL, a, now);
	extension_release(&e);
	return r;
}

int
taskop_status(struct store *s, struct task *t, enum task_status status, const struct actor *a,
	      int64_t now, int *ret_cancelled)
{
	struct task after;
	char *data;
	int r;

	if (ret_cancelled)
		*ret_cancelled = 0;
	if (status == t->status)
		return 0;
	/*
	 * On time or late is judged against the due day in force now, kept
	 * with the task and in the event: no later deadline can rewrite it.
	 */
	after = *t;
	after.has_done_due = status == TASK_DONE && t->deadline.has_due;
	after.done_due = after.has_done_due ? t->deadline.due : (struct date){ 0 };
	data = taskop_status_data(&after);
	r = taskop_append(s, t->id, a, now, "status", task_status_to_string(t->status),
			task_status_to_string(status), NULL, data);
	free(data);
	if (r < 0)
		return r;
	t->status = status;
	t->has_done_due = after.has_done_due;
	t->done_due = after.done_due;
	/* A done task remembers when, for "on time" versus "late". */
	t->done_at = status == TASK_DONE ? now : 0;
	if (status == TASK_DONE && t->progress != 100) {
		r = taskop_progress(s, t, 100, a, now);
		if (r < 0)
			return r;
	}
	if (status == TASK_DONE) {
		r = moot_open_request(s, t, a, now);
		if (r < 0)
			return r;
	}
	/* Reminders stop once a task is done or put off (invariant 5). */
	if (status == TASK_DONE || status == TASK_POSTPONED)
		return store_notice_cancel_task(s, t->id, now, ret_cancelled);
	return 0;
}

/* Walking a task's history: its progress so far, and as it stood when last marked done. */
struct before_done {
	int progress;	/* -1: not known yet */
	int at_done;	/* -1: never marked done */
};

static int
scan_before_done(const struct event *e, void *userdata)
{
	struct before_done *b = userdata;
	char *end;
	long v;

	if (strcmp(e->kind, "created") == 0 && e->data) {
		/* The task as created (taskop_created_data), its progress with it. */
		json_t *j = json_loads(e->data, 0, NULL);
		json_t *p = json_object_get(j, "progress");

		b->progress = json_is_integer(p) ? (int)json_integer_value(p) : -1;
		json_decref(j);
	} else if (strcmp(e->kind, "progress") == 0 && e->new_value) {
		v = strtol(e->new_value, &end, 10);
		b->progress = *end || v < 0 || v > 100 ? -1 : (int)v;
	} else if (strcmp(e->kind, "status") == 0 && e->new_value &&
		   strcmp(e->new_value, "done") == 0) {
		/* The status event comes first, then the progress to 100. */
		b->at_done = b->progress;
	}
	return 0;
}

int
taskop_progress_before_done(struct store *s, const struct task *t, int *ret)
{
	struct before_done b = { -1, -1 };
	int r = store_event_foreach(s, t->id, scan_before_done, &b);

	if (r < 0)
		return r;
	if (b.at_done < 0 || b.at_done >= 100)
		return -ENOENT;
	*ret = b.at_done;
	return 0;
}

int
taskop_progress(struct store *s, struct task *t, int progress, const struct actor *a,
		int64_t now)
{
	char oldp[8], newp[8];
	int r;

	if (progress < 0 || progress > 100)
		return -EINVAL;
	if (progress == t->progress)
		return 0;
	snprintf(oldp, sizeof(oldp), "%d", t->progress);
	snprintf(newp, sizeof(newp), "%d", progress);
	r = append(s, t, a, now, "progress", oldp, newp, NULL);
	if (r < 0)
		return r;
	t->progress = progress;
	if (progress > 0 && t->status == TASK_NOT_STARTED)
		return taskop_status(s, t, TASK_IN_PROGRESS, a, now, NULL);
	return 0;
}

int
taskop_note(struct store *s, struct task *t, const char *note, const struct actor *a,
	    int64_t now)
{
	int r = append(s, t, a, now, "note", NULL, NULL, note);

	if (r < 0)
		return r;
	free(t->note);
	t->note = xstrdup(note);
	return 0;
}

int
taskop_obstacle(struct store *s, struct task *t, const char *text, const struct actor *a,
		int64_t now, int64_t *ret_id)
{
	struct obstacle o = { .task_id = t->id, .person_id = a->person_id, .actor = (char *)a->name,
			      .text = (char *)text, .created_at = now };
	int64_t id = 0;
	char *data;
	int r;

	/* The row first: its id is what the event names, for replay (audit.c). */
	r = store_obstacle_insert(s, &o, &id);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I}", "obstacle", (json_int_t)id));
	r = taskop_append(s, t->id, a, now, "obstacle", NULL, NULL, text, data);
	free(data);
	if (r < 0)
		return r;
	t->obstacle_open = true;
	if (ret_id)
		*ret_id = id;
	return 0;
}

int
taskop_deadline(struct store *s, struct task *t, const char *raw, const struct deadline *dl,
		const char *text, const struct actor *a, int64_t now)
{
	int r;

	char *data;

	if (strcmp(raw, t->deadline_raw) == 0)
		return 0;
	data = taskop_deadline_data(dl);
	r = taskop_append(s, t->id, a, now, "deadline", t->deadline_raw, raw, text, data);
	free(data);
	if (r < 0)
		return r;
	free(t->deadline_raw);
	t->deadline_raw = xstrdup(raw);
	t->deadline = *dl;
	/* What was queued for the old deadline is no longer true. */
	return store_notice_cancel_task(s, t->id, now, NULL);
}

int
taskop_assess(struct store *s, struct task *t, enum task_status status, const char *note,
	      const struct actor *a, int64_t now)
{
	bool has_note = note && *note;
	char *data;
	int r;

	if (t->kind != TASK_KIND_INDICATOR)
		return -EMEDIUMTYPE;
	if (status != TASK_DONE && status != TASK_NOT_ACHIEVED && status != TASK_CANNOT_ASSESS)
		return -EINVAL;
	/* The note is in the data too: replay takes it from there, not from the text. */
	data = has_note ? taskop_dump(json_pack("{s:s}", "note", note)) : NULL;
	r = taskop_append(s, t->id, a, now, "assessment", task_status_to_string(t->status),
			task_status_to_string(status), has_note ? note : NULL, data);
	free(data);
	if (r < 0)
		return r;
	/* Achieved since when (replayed the same way from the event's time). */
	if (status != t->status)
		t->done_at = status == TASK_DONE ? now : 0;
	t->status = status;
	if (has_note) {
		free(t->note);
		t->note = xstrdup(note);
	}
	/* What asked for this update has its answer. */
	return store_notice_cancel_task(s, t->id, now, NULL);
}

int
taskop_save(struct store *s, const struct task *t, int64_t now)
{
	return store_task_update(s, t, now);
}

int
regop_agency_add(struct store *s, const char *code, const char *name, enum agency_kind kind,
		 const struct actor *a, int64_t now, int64_t *ret_id)
{
	char *data;
	int64_t id = 0;
	int r;

	r = store_agency_insert(s, code, name, kind, now, &id);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I, s:s, s:s, s:s}", "agency", (json_int_t)id, "code", code,
			      "name", name, "kind", agency_kind_to_string(kind)));
	r = taskop_append(s, 0, a, now, "agency.add", NULL, code, name, data);
	free(data);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

int
regop_agency_alias(struct store *s, int64_t agency_id, const char *alias, const struct actor *a,
		   int64_t now)
{
	char *key, *data;
	int r, added;

	added = store_agency_alias_add(s, agency_id, alias);
	if (added <= 0)
		return added;	/* nothing new: nothing to record */
	key = norm_key(alias);
	data = taskop_dump(json_pack("{s:I, s:s}", "agency", (json_int_t)agency_id, "key", key ? key : ""));
	r = taskop_append(s, 0, a, now, "agency.alias", NULL, alias, NULL, data);
	free(data);
	free(key);
	return r < 0 ? r : added;
}

/* What the history says of an address: its value, or null. */
static json_t *
address_or_null(const struct person *p, const char *channel)
{
	const char *v = person_address(p, channel);

	return v ? json_string(v) : json_null();
}

/*
 * The keys are schema 10's ("email", "telegram_broken"), so that replaying
 * an older history compares with the address table; a key the history
 * never set ("phone" before schema 11) is not compared (audit.c).
 */
json_t *
regop_person_json(const struct person *p)
{
	const struct address *e = person_address_get(p, "email");
	const struct address *t = person_address_get(p, "telegram");
	const struct address *z = person_address_get(p, "zalo");
	const struct address *ph = person_address_get(p, "phone");

	return json_pack("{s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:i, s:o, s:o, s:o, s:o, s:b}",
			 "name", p->name, "agency_id", (json_int_t)p->agency_id,
			 "role", person_role_to_string(p->role),
			 "email", address_or_null(p, "email"), "telegram", address_or_null(p, "telegram"),
			 "zalo", address_or_null(p, "zalo"), "phone", address_or_null(p, "phone"),
			 "lang", p->lang ? p->lang : "vi", "active", p->active ? 1 : 0,
			 "email_broken", json_boolean(e && e->broken_at),
			 "telegram_broken", json_boolean(t && t->broken_at),
			 "zalo_broken", json_boolean(z && z->broken_at),
			 "phone_broken", json_boolean(ph && ph->broken_at), "digest", p->digest);
}

int
regop_person_add(struct store *s, const struct person *p, const struct actor *a, int64_t now,
		 int64_t *ret_id)
{
	json_t *o;
	char *data;
	int64_t id = 0;
	int r;

	r = store_person_insert(s, p, now, &id);
	if (r < 0)
		return r;
	o = regop_person_json(p);
	json_object_set_new(o, "person", json_integer(id));
	/* A new person's addresses are not refused yet, whatever p says. */
	json_object_set_new(o, "email_broken", json_false());
	json_object_set_new(o, "telegram_broken", json_false());
	json_object_set_new(o, "zalo_broken", json_false());
	json_object_set_new(o, "phone_broken", json_false());
	data = taskop_dump(o);
	r = taskop_append(s, 0, a, now, "person.add", NULL, person_role_to_string(p->role), p->name,
			data);
	free(data);
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

int
regop_person_address(struct store *s, int64_t person_id, const char *channel, bool broken,
		     const struct actor *a, int64_t now)
{
	char *data, *text;
	int r, changed;

	changed = store_address_set_broken(s, person_id, channel, broken, now);
	/* No address there (taken away meanwhile): nothing to mark. */
	if (changed == -ENOENT)
		return 0;
	if (changed <= 0)
		return changed;	/* as it was: nothing to record */
	data = taskop_dump(json_pack("{s:I, s:s, s:b}", "person", (json_int_t)person_id,
			      "channel", channel, "broken", broken));
	text = xasprintf("%s address %s", channel,
			 broken ? "refused for good: not used" : "works again");
	r = taskop_append(s, 0, a, now, "person.address", NULL, broken ? "broken" : "working",
			text, data);
	free(text);
	free(data);
	return r < 0 ? r : changed;
}
