/* SPDX-License-Identifier: MIT */
/*
 * The registry as a whole: "init", "import" and "verify".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "import.h"
#include "store.h"

int
cmd_init(struct dondoc *d, int argc, char **argv)
{
	int ex = 0;

	if (cli_parse("init", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	printf("registry '%s' is ready (schema %d)\n", d->db_path, STORE_SCHEMA_VERSION);
	return 0;
}

struct import_args {
	int64_t year;
	bool dry_run;
};

static int
import_opt(int c, const char *arg, void *userdata)
{
	struct import_args *a = userdata;

	if (c == 'y' && cli_parse_int(arg, 1900, 2200, &a->year) < 0)
		return cli_usage_error("import", "--year '%s' is not a year (1900-2200)", arg);
	if (c == 'n')
		a->dry_run = true;
	return 0;
}

int
cmd_import(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ 0 },
	};
	struct import_args a = { 0 };
	struct import_options o = { 0 };
	struct import_report rep = { 0 };
	char *msg = NULL;
	int r, ex = 0;

	if (cli_parse("import", argc, argv, opts, import_opt, &a, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("import", "no FILE given");
	if (optind + 1 < argc)
		return cli_usage_error("import", "one FILE at a time ('%s' is extra)", argv[optind + 1]);
	o.path = argv[optind];
	o.year = (int)a.year;
	o.dry_run = a.dry_run;
	o.actor = d->actor;
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = import_file(d->store, &o, clock_now(&d->clock), stderr, &rep, &msg);
	if (r < 0) {
		fprintf(stderr, "dondoc import: %s; nothing was imported\n", msg ? msg : strerror(-r));
		free(msg);
		return r;
	}
	printf("%s%s: %zu rows: %zu tasks added, %zu updated, %zu unchanged; "
	       "%zu agencies added; %zu rows with errors, %zu warnings\n",
	       a.dry_run ? "dry run, nothing written: " : "", o.path, rep.rows, rep.created,
	       rep.updated, rep.unchanged, rep.agencies, rep.errors, rep.warnings);
	return rep.errors ? 1 : 0;
}

int
cmd_verify(struct dondoc *d, int argc, char **argv)
{
	int64_t n = 0, bad = 0;
	int r, ex = 0;

	if (cli_parse("verify", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("verify", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_event_verify(d->store, &n, &bad);
	if (r == -EBADMSG) {
		fprintf(stderr, "dondoc verify: event %lld was changed or removed outside dondoc; "
			"the history from it on cannot be trusted\n", (long long)bad);
		return 1;
	}
	if (r < 0)
		return cli_error("verify", cli_exit_code(r), "cannot read the event log: %s",
				 store_errmsg(d->store));
	printf("history intact: %lld events\n", (long long)n);
	return 0;
}
