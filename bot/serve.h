/* SPDX-License-Identifier: MIT */
/*
 * The daemon (dondoc serve): plans on a tick, dispatches, and lives under
 * systemd (Type=notify, watchdog).  SIGTERM and SIGINT stop it cleanly
 * (the message being delivered is finished, the rest stays pending);
 * SIGHUP reloads the configuration and the schedules, keeping the old ones
 * when the new ones do not load.
 */
#ifndef DONDOC_SERVE_H
#define DONDOC_SERVE_H

#include <stdbool.h>

struct dondoc;

/*
 * Runs the daemon until a stop signal, or for one pass when once is set.
 * Returns an exit status: 0, or non-zero after logging why it could not
 * start (bad configuration or schedules, registry locked or unreadable,
 * outbox not writable).
 */
int serve_run(struct dondoc *d, bool once);

#endif
