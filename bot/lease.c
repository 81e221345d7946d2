/* SPDX-License-Identifier: MIT */
/*
 * Leases: one leader at a time; see lease.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"
#include "lease.h"
#include "log.h"
#include "macro.h"
#include "store.h"

int
lease_ttl(int tick)
{
	return MAX(3 * tick, 30);
}

/* In the transaction open: takes or renews l; 1, 0 or -errno as lease_hold. */
static int
hold(struct store *s, struct lease *l, int64_t now, int ttl, bool *ret_new)
{
	const char *me = instance_self();
	char *owner = NULL;
	int64_t term = 0, until = 0;
	int r;

	*ret_new = false;
	if (l->term) {
		r = store_lease_renew(s, l->name, me, l->term, now + ttl);
		if (r != 0)
			return r;
		log_warnx("no longer leading the %s: term %lld ended and another instance took "
			  "it over", l->name, (long long)l->term);
		l->term = 0;
	}
	r = store_lease_get(s, l->name, &owner, &term, &until);
	if (r == 0) {
		if (STREQ(owner, me)) {
			/* Ours, from before a failed renewal: go on with it. */
			r = store_lease_renew(s, l->name, me, term, now + ttl);
			if (r == 1)
				l->term = term;
		} else if (until <= now || instance_gone(owner)) {
			log_info("the %s's lease of '%s' (term %lld) %s: taking it over", l->name,
				 owner, (long long)term, until <= now ? "ended" : "is of a process gone");
			r = store_lease_end(s, l->name, term, now);
			r = r < 0 ? r : -ENOENT;
		} else {
			r = 0;	/* a live instance leads */
		}
		free(owner);
		if (r != -ENOENT)
			return r;
	}
	if (r != -ENOENT)
		return r;
	r = store_lease_elect(s, l->name, me, now, now + ttl, &term);
	if (r == 1) {
		l->term = term;
		*ret_new = true;
	}
	return r;
}

int
lease_hold(struct store *s, struct lease *l, int64_t now, int ttl)
{
	bool fresh = false;
	int r;

	r = store_begin(s);
	if (r == 0)
		r = hold(s, l, now, ttl, &fresh);
	if (r >= 0) {
		int c = store_commit(s);

		r = c < 0 ? c : r;
	}
	if (r < 0) {
		/* A commit that failed leaves the transaction open: end it. */
		store_rollback(s);
		l->term = 0;
		return r;
	}
	if (fresh)
		log_info("leading the %s from now (term %lld)", l->name, (long long)l->term);
	return r;
}

int
lease_drop(struct store *s, struct lease *l, int64_t now)
{
	int r;

	if (!l->term)
		return 0;
	r = store_begin(s);
	if (r == 0) {
		char *owner = NULL;
		int64_t term = 0, until = 0;

		r = store_lease_get(s, l->name, &owner, &term, &until);
		/* Only our own term: another's, taken over since, is left alone. */
		if (r == 0 && term == l->term && STREQ(owner, instance_self()))
			r = store_lease_end(s, l->name, term, now);
		else if (r == 0 || r == -ENOENT)
			r = 0;
		free(owner);
	}
	if (r == 0)
		r = store_commit(s);
	if (r < 0)
		store_rollback(s);
	else
		log_info("stepped down from leading the %s (term %lld)", l->name, (long long)l->term);
	l->term = 0;
	return r;
}
