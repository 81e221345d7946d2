/* SPDX-License-Identifier: MIT */
/*
 * Corrections to people and agencies, each with its event; see regop.h.
 * The data of each event is what audit.c needs to replay it: a person.set
 * carries the whole person as person.add does, an agency.set the whole
 * agency as agency.add does, so one replay rule serves both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "buf.h"
#include "macro.h"
#include "regop.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

/* --- duplicates ----------------------------------------------------------- */

static const char *const dup_names[] = { "name", "email", "telegram", "zalo", "phone" };

const char *
regop_dup_name(int why)
{
	for (size_t i = 0; i < ELEMENTSOF(dup_names); i++)
		if (why == 1 << i)
			return dup_names[i];
	return "?";
}

/* A person with the keys it is compared on. */
struct keyed {
	struct person p;
	char *name_key;		/* person_name_key */
	char *email_key;	/* person_email_key, NULL without an email */
};

static void
keyed_fill(struct keyed *k, const struct person *p)
{
	const char *email = person_address(p, "email");

	person_copy(&k->p, p);
	k->name_key = person_name_key(p->name);
	k->email_key = email && *email ? person_email_key(email) : NULL;
}

static void
keyed_release(struct keyed *k)
{
	person_release(&k->p);
	free(k->name_key);
	free(k->email_key);
}

static bool
same_str(const char *a, const char *b)
{
	return a && b && *a && strcmp(a, b) == 0;
}

/* The first key of which on which a and b are one person (DUP_*), or 0. */
static int
dup_of(const struct keyed *a, const struct keyed *b, int which)
{
	if ((which & DUP_NAME) && a->p.agency_id == b->p.agency_id &&
	    same_str(a->name_key, b->name_key))
		return DUP_NAME;
	if ((which & DUP_EMAIL) && same_str(a->email_key, b->email_key))
		return DUP_EMAIL;
	if ((which & DUP_TELEGRAM) && same_str(person_address(&a->p, "telegram"),
						person_address(&b->p, "telegram")))
		return DUP_TELEGRAM;
	if ((which & DUP_ZALO) && same_str(person_address(&a->p, "zalo"),
					   person_address(&b->p, "zalo")))
		return DUP_ZALO;
	if ((which & DUP_PHONE) && same_str(person_address(&a->p, "phone"),
					    person_address(&b->p, "phone")))
		return DUP_PHONE;
	return 0;
}

struct everyone {
	struct keyed *v;
	size_t n, cap;
};

static int
everyone_add(const struct person *p, void *userdata)
{
	struct everyone *e = userdata;

	e->v = xgrowroom(e->v, &e->cap, e->n + 1, sizeof(*e->v));
	keyed_fill(&e->v[e->n++], p);
	return 0;
}

static void
everyone_release(struct everyone *e)
{
	for (size_t i = 0; i < e->n; i++)
		keyed_release(&e->v[i]);
	free(e->v);
}

int
regop_find_duplicate(struct store *s, const struct person *p, int which, struct person *ret,
		     int *ret_why)
{
	struct everyone e = { 0 };
	struct keyed me = { 0 };
	int r;

	r = store_person_foreach(s, everyone_add, &e);
	if (r < 0)
		goto out;
	keyed_fill(&me, p);
	r = -ENOENT;
	for (size_t i = 0; i < e.n; i++) {
		int why = e.v[i].p.id == p->id ? 0 : dup_of(&me, &e.v[i], which);

		if (why) {
			/* The record moves out: the release below sees it emptied. */
			*ret = e.v[i].p;
			memset(&e.v[i].p, 0, sizeof(e.v[i].p));
			*ret_why = why;
			r = 0;
			break;
		}
	}
	keyed_release(&me);
out:
	everyone_release(&e);
	return r;
}

int
regop_duplicates_foreach(struct store *s,
			 int (*cb)(const struct person *a, const struct person *b, int why,
				   void *userdata),
			 void *userdata)
{
	struct everyone e = { 0 };
	int r;

	/* People come by id: a is the one registered first. */
	r = store_person_foreach(s, everyone_add, &e);
	for (size_t j = 0; r >= 0 && j < e.n; j++)
		for (size_t i = 0; r >= 0 && i < j; i++) {
			int why = dup_of(&e.v[i], &e.v[j], DUP_ANY);

			if (why)
				r = cb(&e.v[i].p, &e.v[j].p, why, userdata);
		}
	everyone_release(&e);
	return r < 0 ? r : 0;
}

/* --- people --------------------------------------------------------------- */

static bool
differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static bool
address_differs(const struct person *old, const struct person *p, const char *channel)
{
	return differ(person_address(old, channel), person_address(p, channel));
}

static bool
broken_differs(const struct person *old, const struct person *p, const char *channel)
{
	const struct address *a = person_address_get(old, channel), *b = person_address_get(p, channel);

	return (a && a->broken_at) != (b && b->broken_at);
}

/* The fields p changes of old, for the event's text ("email, telegram"); new string. */
static char *
changed_fields(const struct person *old, const struct person *p)
{
	struct buf b;
	const struct {
		const char *name;
		bool changed;
	} f[] = {
		{ "name", differ(old->name, p->name) },
		{ "agency", old->agency_id != p->agency_id },
		{ "role", old->role != p->role },
		{ "email", address_differs(old, p, "email") },
		{ "email_broken", broken_differs(old, p, "email") },
		{ "telegram", address_differs(old, p, "telegram") },
		{ "telegram_broken", broken_differs(old, p, "telegram") },
		{ "zalo", address_differs(old, p, "zalo") },
		{ "zalo_broken", broken_differs(old, p, "zalo") },
		{ "phone", address_differs(old, p, "phone") },
		{ "phone_broken", broken_differs(old, p, "phone") },
		{ "lang", differ(old->lang, p->lang) },
		{ "active", old->active != p->active },
		{ "digest", old->digest != p->digest },
	};

	buf_init(&b, 1024);
	for (size_t i = 0; i < ELEMENTSOF(f); i++)
		if (f[i].changed)
			(void)buf_addf(&b, "%s%s", b.len ? ", " : "", f[i].name);
	return buf_detach(&b);
}

int
regop_person_set(struct store *s, const struct person *old, const struct person *p,
		 const struct actor *a, int64_t now)
{
	char *what = changed_fields(old, p), *data = NULL;
	json_t *o;
	int r;

	if (!*what) {
		free(what);
		return 0;	/* as it was: nothing to record */
	}
	r = store_person_update(s, p);
	if (r == 0) {
		o = regop_person_json(p);
		json_object_set_new(o, "person", json_integer(p->id));
		data = taskop_dump(o);
		r = taskop_append(s, 0, a, now, "person.set", old->name, p->name, what, data);
	}
	free(data);
	free(what);
	return r < 0 ? r : 1;
}

int
regop_person_remove(struct store *s, const struct person *p, const struct actor *a,
		    int64_t now, struct person_refs *ret_refs)
{
	struct person_refs *f = ret_refs;
	char *data;
	int r;

	r = store_person_refs(s, p->id, f);
	if (r < 0)
		return r;
	if (f->events || f->messages || f->notices || f->task_records || f->codes)
		return -EBUSY;
	r = store_person_delete(s, p->id);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I}", "person", (json_int_t)p->id));
	r = taskop_append(s, 0, a, now, "person.remove", p->name, NULL, p->agency_code, data);
	free(data);
	return r;
}

/* --- agencies ------------------------------------------------------------- */

/* Records the agency as n now is (the data of agency.add and agency.set). */
static char *
agency_data(const struct agency *n)
{
	return taskop_dump(json_pack("{s:I, s:s, s:s, s:s}", "agency", (json_int_t)n->id, "code", n->code,
			      "name", n->name, "kind", agency_kind_to_string(n->kind)));
}

/*
 * Keeps name as another name of agency_id (nothing when it is its own).
 * A code that happens to be another agency's name or alias already finds
 * that one: it is not taken from it.
 */
static int
keep_alias(struct store *s, int64_t agency_id, const char *name, const struct actor *a,
	   int64_t now)
{
	int r = regop_agency_alias(s, agency_id, name, a, now);

	return r < 0 && r != -EEXIST ? r : 0;
}

int
regop_agency_set(struct store *s, const struct agency *old, const struct agency *n,
		 const struct actor *a, int64_t now)
{
	bool renamed = strcmp(old->name, n->name) != 0, recoded = strcmp(old->code, n->code) != 0;
	char *data;
	int r;

	if (!renamed && !recoded && old->kind == n->kind)
		return 0;
	r = store_agency_update(s, n);
	if (r < 0)
		return r;
	data = agency_data(n);
	r = taskop_append(s, 0, a, now, "agency.set", old->code, n->code, n->name, data);
	free(data);
	/* Tables and people still write the old name: it keeps finding the agency. */
	if (r == 0 && renamed)
		r = keep_alias(s, n->id, old->name, a, now);
	if (r == 0 && recoded)
		r = keep_alias(s, n->id, old->code, a, now);
	return r < 0 ? r : 1;
}

int
regop_agency_merge(struct store *s, const struct agency *from, const struct agency *into,
		   const struct actor *a, int64_t now)
{
	char *data;
	int r;

	if (from->id == into->id)
		return -EINVAL;
	r = store_agency_merge(s, from->id, into->id);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I, s:I, s:s, s:s}", "from", (json_int_t)from->id,
			      "into", (json_int_t)into->id, "code", from->code, "name", from->name));
	r = taskop_append(s, 0, a, now, "agency.merge", from->code, into->code, from->name, data);
	free(data);
	if (r == 0)
		r = keep_alias(s, into->id, from->name, a, now);
	if (r == 0)
		r = keep_alias(s, into->id, from->code, a, now);
	return r;
}

int
regop_agency_remove(struct store *s, const struct agency *ag, const struct actor *a,
		    int64_t now, int64_t *ret_tasks, int64_t *ret_people)
{
	char *data;
	int r;

	r = store_agency_refs(s, ag->id, ret_tasks, ret_people);
	if (r < 0)
		return r;
	if (*ret_tasks || *ret_people)
		return -EBUSY;
	r = store_agency_delete(s, ag->id);
	if (r < 0)
		return r;
	data = taskop_dump(json_pack("{s:I}", "agency", (json_int_t)ag->id));
	r = taskop_append(s, 0, a, now, "agency.remove", ag->code, NULL, ag->name, data);
	free(data);
	return r;
}
