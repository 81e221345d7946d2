/* SPDX-License-Identifier: MIT */
/*
 * The one context of a dondoc process (STYLE rule 11).  main() fills it
 * and passes it to every command; no other module keeps mutable globals.
 */
#ifndef DONDOC_DONDOC_H
#define DONDOC_DONDOC_H

#include "clock.h"

struct store;
struct cli_command;

struct dondoc {
	const char *db_path;	/* --db, else $DONDOC_DB, else ./dondoc.db */
	struct clock clock;	/* wall time, or DONDOC_NOW */
	struct store *store;	/* open while a command that needs it runs */
	const char *actor;	/* who acts on the CLI, for the event log */
	const struct cli_command *command;	/* the command being run */
};

#endif
