/* SPDX-License-Identifier: MIT */
/*
 * One leader at a time among the instances sharing a registry (DESIGN
 * §12): the planner (which plans, composes and prunes) and the digest
 * each have a lease, a row of the registry, as River elects its leader.
 *
 *   nobody holds it, or its holder's lease ended, or its holder is gone
 *   (instance_gone) ─► elect: insert the next term, nothing on conflict
 *   held by us ─► renew: move its end, only while the term is still ours
 *   stopping ─► step down: the row deleted, the term's end logged
 *
 * Each tick the leader renews before it works, and works only when the
 * renewal is committed: a leader that cannot reach the registry stops
 * leading before its lease ends, when another may take it.  Every term is
 * kept (lease_term), with its start, the end of its lease and when it
 * stepped down: `dondoc leases` shows them, and that no two overlap.
 * Each renewal is a transaction of its own, taken at tick pace.
 */
#ifndef DONDOC_LEASE_H
#define DONDOC_LEASE_H

#include <stdbool.h>
#include <stdint.h>

struct store;

#define LEASE_PLANNER "planner"
#define LEASE_DIGEST "digest"

/* A lease as one instance sees it. */
struct lease {
	const char *name;	/* LEASE_PLANNER, LEASE_DIGEST */
	int64_t term;		/* ours, while held; 0 when not */
};

/*
 * How long a lease holds (seconds of the program clock) for a daemon that
 * ticks every tick seconds: three ticks, and at least 30 s.
 */
int lease_ttl(int tick);
/*
 * Takes l for this instance until now + ttl, or renews it when held: 1
 * when ours (l->term set; a new term is logged), 0 when another live
 * instance holds it (l->term 0, "lost" logged when it was ours), -errno
 * (l->term 0: whoever is not sure leads nothing).
 */
int lease_hold(struct store *s, struct lease *l, int64_t now, int ttl);
/* Steps down from l at now when held (stopping): another takes it at once. */
int lease_drop(struct store *s, struct lease *l, int64_t now);

#endif
