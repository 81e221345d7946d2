/* SPDX-License-Identifier: MIT */
/*
 * Who this process is to the other dondoc processes that share its
 * registry (DESIGN §12): the owner named by its claims and leases.
 *
 *   "HOST PID START NS"   e.g. "ubnd-01 4242 1796371200 4026531836"
 *
 * HOST is the host name, PID the process, START when it started (the
 * wall clock: an identity, never DONDOC_NOW), NS the inode of its PID
 * namespace (two containers on one kernel may share a host name and
 * reuse each other's pids).  What one process claimed another on the
 * same host and namespace can see is gone (kill -9, a crash) and take
 * over at once; elsewhere it waits for the lease to end.
 */
#ifndef DONDOC_INSTANCE_H
#define DONDOC_INSTANCE_H

#include <stdbool.h>

/* This process, computed once (thread-safe); static, never freed. */
const char *instance_self(void);
/*
 * True when owner (as instance_self writes it) is a process known gone:
 * of this host and PID namespace, and no longer running (or its pid is
 * now ours, from another start).  Anything else, owners elsewhere and
 * texts not understood included, is taken as alive: false.
 */
bool instance_gone(const char *owner);

#endif
