/* SPDX-License-Identifier: MIT */
/*
 * Corrections to people and agencies (issue 12): a person edited,
 * deactivated or removed, an agency renamed, merged into another or
 * removed.  Each change writes the registry and appends its event (about
 * no task; its data names the person or agency) in the caller's
 * transaction, so that "dondoc verify" replays it (audit.c).  The first
 * registrations are regop_person_add and regop_agency_add (taskops.h).
 */
#ifndef DONDOC_REGOP_H
#define DONDOC_REGOP_H

#include <stdint.h>

#include "registry.h"

struct store;
struct actor;
struct person_refs;

/* Which of a person's keys make two records one person. */
enum {
	DUP_NAME = 1 << 0,	/* the same person_name_key in the same agency */
	DUP_EMAIL = 1 << 1,	/* the same person_email_key */
	DUP_TELEGRAM = 1 << 2,	/* the same Telegram chat */
	DUP_ZALO = 1 << 3,	/* the same Zalo user */
	DUP_PHONE = 1 << 4,	/* the same phone number */
	DUP_ANY = DUP_NAME | DUP_EMAIL | DUP_TELEGRAM | DUP_ZALO | DUP_PHONE,
};

/*
 * The first person other than p (p->id; 0 for someone not registered yet)
 * whom p would duplicate on one of the keys of which (DUP_*): 0 with that
 * person, new in *ret (person_release), and the key in *ret_why (DUP_*);
 * -ENOENT when nobody; -errno.
 */
int regop_find_duplicate(struct store *s, const struct person *p, int which,
			 struct person *ret, int *ret_why);
/* "name", "email", "telegram", "zalo" or "phone" for one DUP_* value (static). */
const char *regop_dup_name(int why);
/*
 * Calls cb(a, b, why) for each pair of people who look like one person
 * (a registered before b), keys computed once; stops on cb < 0.
 */
int regop_duplicates_foreach(struct store *s,
			     int (*cb)(const struct person *a, const struct person *b, int why,
				       void *userdata),
			     void *userdata);

/*
 * Writes p (its id is old's) in place of old and appends a person.set
 * event whose text names the fields that changed: 1 then, 0 when nothing
 * did (no event).  -EEXIST when one of its addresses is another's.
 * Clearing a broken address is the caller's (set p's flag).
 */
int regop_person_set(struct store *s, const struct person *old, const struct person *p,
		     const struct actor *a, int64_t now);
/*
 * Removes person p with a person.remove event, unless something refers
 * to them: then -EBUSY with the counts in *ret_refs (may not be NULL).
 */
int regop_person_remove(struct store *s, const struct person *p, const struct actor *a,
			int64_t now, struct person_refs *ret_refs);
/*
 * Writes n (its id is old's) in place of old with an agency.set event: 1,
 * or 0 when nothing changed.  A new name keeps the old one as an alias
 * (agency.alias event), so that a table naming it still finds the agency.
 * -EEXIST when the code or name is another agency's.
 */
int regop_agency_set(struct store *s, const struct agency *old, const struct agency *n,
		     const struct actor *a, int64_t now);
/*
 * Merges agency from into agency into: its tasks, people and aliases
 * move, it is deleted, and its name and code become aliases of into
 * (agency.merge, then agency.alias events).  -EINVAL when they are one.
 */
int regop_agency_merge(struct store *s, const struct agency *from, const struct agency *into,
		       const struct actor *a, int64_t now);
/*
 * Removes agency ag (and its aliases) with an agency.remove event, unless
 * a task or a person names it: then -EBUSY with the counts.
 */
int regop_agency_remove(struct store *s, const struct agency *ag, const struct actor *a,
			int64_t now, int64_t *ret_tasks, int64_t *ret_people);

#endif
