/* SPDX-License-Identifier: MIT */
/*
 * The command line: a table of commands (STYLE rule 18), the mapping of
 * -errno to sysexits codes, and the helpers every cli_<noun>.c shares
 * (usage errors, option parsing, aligned tables that count display width).
 *
 * A command function returns an exit status (>= 0) or a negative errno,
 * which cli_exit_code() turns into one.  It prints its own error line.
 */
#ifndef DONDOC_CLI_H
#define DONDOC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dondoc.h"
#include "macro.h"
#include "store.h"

enum cli_flags {
	CLI_DB_READ = 1 << 0,	/* opens the registry read-only */
	CLI_DB_WRITE = 1 << 1,	/* opens the registry for writing */
	CLI_DB_CREATE = 1 << 2,	/* creates or upgrades the registry */
};

struct cli_command {
	const char *name;	/* "task list" */
	int (*run)(struct dondoc *d, int argc, char **argv);
	unsigned flags;		/* enum cli_flags */
	const char *summary;	/* one line for "dondoc --help" */
	const char *usage;	/* the command's --help text, after its name */
};

/*
 * Opens the registry as the running command's flags say, once its
 * arguments are known to be good: 0, or an exit status after one line on
 * stderr.  Every command that reads or writes the registry calls it.
 */
int cli_need_store(struct dondoc *d);
/* Loads the configuration, once: 0, or an exit status after one line on stderr. */
int cli_need_config(struct dondoc *d);
struct config;
/*
 * Opens the registry db in mode (store_open) with [audit] key_file of cfg
 * as the connection's audit key (none when unset), read before the registry
 * is touched: 0 with a new connection in *ret, or -errno with a new English
 * message in *reterr_msg (-ENOKEY: the key file is missing or too short).
 */
int cli_store_open(const struct config *cfg, const char *db, enum store_mode mode,
		   struct store **ret, char **reterr_msg);
/* Loads the configuration, the schedules and the channels, once; like cli_need_config. */
int cli_need_schedule(struct dondoc *d);
/*
 * Renders and queues in the outbox the messages for others of out (as a
 * chat command's), through inbound_queue; loads the configuration, the
 * schedules and the templates.  0 with *ret_n queued, -ENOKEY when these
 * could not be loaded (said on stderr), or -errno.  The caller holds the
 * transaction.
 */
struct command_out;
int cli_queue_messages(struct dondoc *d, const struct command_out *out, size_t *ret_n);
/* Runs the program; returns the process exit status. */
int cli_main(int argc, char **argv);
/* Maps a negative errno to a sysexits code; >= 0 is passed through. */
int cli_exit_code(int r);

/*
 * Parses argv with getopt_long for command cmd; handles -h/--help (usage
 * on stdout, returns 1 with *ret_exit = 0) and unknown or incomplete
 * options (one line on stderr, returns 1 with *ret_exit = EX_USAGE).
 * Otherwise calls on_opt for each option and returns 0; on_opt returns
 * 0, or an exit status to stop with.
 */
int cli_parse(const char *cmd, int argc, char **argv, const struct option *opts,
	      int (*on_opt)(int c, const char *arg, void *userdata), void *userdata,
	      int *ret_exit);
/* An on_opt for cli_parse: 'j' (--json) sets the bool userdata points to; 0. */
int cli_json_opt(int c, const char *arg, void *userdata);
/* Prints "dondoc CMD: MESSAGE (see 'dondoc CMD --help')" and returns EX_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Prints "dondoc CMD: MESSAGE" and returns code. */
int cli_error(const char *cmd, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Parses a decimal integer in [min, max]; 0 or -EINVAL. */
int cli_parse_int(const char *s, int64_t min, int64_t max, int64_t *ret);

/*
 * Streams a JSON array one object a line, so that listings of 100,000
 * tasks never hold the whole array: cli_json_begin(), then
 * cli_json_item() for each object (takes ownership of o), then
 * cli_json_end().  n counts the items.
 */
struct json_t;
void cli_json_begin(void);
void cli_json_item(struct json_t *o, size_t n);
/* Like cli_json_item, but o stays the caller's (for an object reused per item). */
void cli_json_write(const struct json_t *o, size_t n);
void cli_json_end(size_t n);
/* One object on a line of its own (what "--json" of a change prints); takes o. */
void cli_json_print(struct json_t *o);
/* A day as the secretariat types it, "2025-10-10" or "10/10/2025": 0 or -EINVAL. */
struct date;
int cli_parse_day(const char *s, struct date *ret);

/* An aligned text table; cells are copied. */
struct cli_table;
struct cli_table *cli_table_new(size_t ncols);
struct cli_table *cli_table_free(struct cli_table *t);
/* Adds a row of ncols strings (NULL prints as ""). */
void cli_table_add(struct cli_table *t, const char *const *cells);
/* Prints t with columns padded to their display width, separated by 2 spaces. */
void cli_table_print(const struct cli_table *t);

/* The commands, one group per cli_<noun>.c (like git's builtin.h). */
int cmd_init(struct dondoc *d, int argc, char **argv);		/* cli_registry.c */
int cmd_import(struct dondoc *d, int argc, char **argv);
int cmd_verify(struct dondoc *d, int argc, char **argv);
int cmd_deadline_parse(struct dondoc *d, int argc, char **argv);	/* cli_deadline.c */
int cmd_task_list(struct dondoc *d, int argc, char **argv);	/* cli_task.c */
int cmd_task_show(struct dondoc *d, int argc, char **argv);
int cmd_task_set(struct dondoc *d, int argc, char **argv);
int cmd_task_assess(struct dondoc *d, int argc, char **argv);
int cmd_agency_list(struct dondoc *d, int argc, char **argv);	/* cli_agency.c */
int cmd_agency_add(struct dondoc *d, int argc, char **argv);
int cmd_agency_alias(struct dondoc *d, int argc, char **argv);
int cmd_agency_set(struct dondoc *d, int argc, char **argv);
int cmd_agency_merge(struct dondoc *d, int argc, char **argv);
int cmd_agency_remove(struct dondoc *d, int argc, char **argv);
int cmd_feed_create(struct dondoc *d, int argc, char **argv);	/* cli_feed.c */
int cmd_feed_list(struct dondoc *d, int argc, char **argv);
int cmd_feed_revoke(struct dondoc *d, int argc, char **argv);
int cmd_zalo_set_token(struct dondoc *d, int argc, char **argv);	/* cli_zalo.c */
int cmd_zalo_refresh(struct dondoc *d, int argc, char **argv);
int cmd_zalo_status(struct dondoc *d, int argc, char **argv);
int cmd_person_add(struct dondoc *d, int argc, char **argv);	/* cli_person.c */
int cmd_person_list(struct dondoc *d, int argc, char **argv);
int cmd_person_set(struct dondoc *d, int argc, char **argv);
int cmd_person_deactivate(struct dondoc *d, int argc, char **argv);
int cmd_person_activate(struct dondoc *d, int argc, char **argv);
int cmd_person_remove(struct dondoc *d, int argc, char **argv);
int cmd_person_invite(struct dondoc *d, int argc, char **argv);	/* cli_chat.c */
int cmd_chat(struct dondoc *d, int argc, char **argv);
int cmd_extension_list(struct dondoc *d, int argc, char **argv);	/* cli_extension.c */
int cmd_extension_approve(struct dondoc *d, int argc, char **argv);
int cmd_extension_reject(struct dondoc *d, int argc, char **argv);
int cmd_obstacle_list(struct dondoc *d, int argc, char **argv);	/* cli_obstacle.c */
int cmd_obstacle_handle(struct dondoc *d, int argc, char **argv);
int cmd_serve(struct dondoc *d, int argc, char **argv);	/* cli_serve.c */
int cmd_remind(struct dondoc *d, int argc, char **argv);
int cmd_explain(struct dondoc *d, int argc, char **argv);
int cmd_report(struct dondoc *d, int argc, char **argv);	/* cli_report.c */
int cmd_digest(struct dondoc *d, int argc, char **argv);	/* cli_digest.c */
int cmd_outbox_list(struct dondoc *d, int argc, char **argv);
int cmd_outbox_retry(struct dondoc *d, int argc, char **argv);
int cmd_lease_list(struct dondoc *d, int argc, char **argv);
int cmd_migrate(struct dondoc *d, int argc, char **argv);
int cmd_send_test(struct dondoc *d, int argc, char **argv);	/* cli_doctor.c */
int cmd_doctor(struct dondoc *d, int argc, char **argv);

#endif
