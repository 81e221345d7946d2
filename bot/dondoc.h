/* SPDX-License-Identifier: MIT */
/*
 * The one context of a dondoc process (STYLE rule 11).  main() fills it
 * and passes it to every command; no other module keeps mutable globals.
 */
#ifndef DONDOC_DONDOC_H
#define DONDOC_DONDOC_H

#include <stdbool.h>

#include "clock.h"

struct store;
struct cli_command;
struct config;
struct schedule;
struct channels;

struct dondoc {
	const char *db_path;	/* --db, else $DONDOC_DB, else ./dondoc.db */
	bool db_path_given;	/* --db or $DONDOC_DB said it (the config file's db yields) */
	const char *config_path;	/* --config, NULL when not given */
	struct clock clock;	/* wall time, or DONDOC_NOW */
	struct store *store;	/* open while a command that needs it runs */
	struct config *cfg;	/* loaded on first need */
	struct schedule *sch;	/* loaded on first need */
	struct channels *cs;	/* opened on first need */
	const char *actor;	/* who acts on the CLI, for the event log */
	const struct cli_command *command;	/* the command being run */
	bool dry_run;	/* it writes nothing, not even the history's key (audit.key) */
};

#endif
