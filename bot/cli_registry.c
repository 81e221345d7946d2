/* SPDX-License-Identifier: MIT */
/*
 * The registry as a whole: "init", "import", "verify" and "migrate".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "abbrev.h"
#include "audit.h"
#include "cli.h"
#include "cli_words.h"
#include "clock.h"
#include "config.h"
#include "import.h"
#include "store.h"
#include "xalloc.h"

int
cmd_init(struct dondoc *d, int argc, char **argv)
{
	char shown[256];
	int ex = 0;

	if (cli_parse("init", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("init", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	store_where_shown(d->db_path, shown, sizeof(shown));
	printf("registry '%s' is ready (schema %d)\n", shown, STORE_SCHEMA_VERSION);
	return 0;
}

struct import_args {
	int64_t year;
	bool dry_run;
	const char *sheet;
};

static int
import_opt(int c, const char *arg, void *userdata)
{
	struct import_args *a = userdata;

	if (c == 'y' && cli_parse_int(arg, 1900, 2200, &a->year) < 0)
		return cli_usage_error("import", "--year '%s' is not a year (1900-2200)", arg);
	if (c == 'n')
		a->dry_run = true;
	if (c == 's' && !*arg)
		return cli_usage_error("import", "--sheet needs a sheet name");
	if (c == 's')
		a->sheet = arg;
	return 0;
}

/*
 * The abbreviations agency names are matched through: [general]
 * abbreviations, else abbreviations.ini of the schedules directory.  0
 * with the table, or NULL and the path in *ret_missing (new) when the
 * default file is absent: the import goes on, matching names as written,
 * and says so if it adds agencies.  Else an exit status after saying why
 * the file cannot be used.
 */
static int
import_abbrev(struct dondoc *d, struct abbrev **ret, char **ret_missing)
{
	bool given = d->cfg->abbreviations != NULL;
	char *path, *msg = NULL;
	int r, ex = 0;

	*ret = NULL;
	path = given ? xstrdup(d->cfg->abbreviations)
		     : xasprintf("%s/%s", d->cfg->schedules, ABBREV_FILE);
	r = abbrev_load(path, ret, &msg);
	if (r == -ENOENT && !given) {
		*ret_missing = path;
		path = NULL;
	} else if (r < 0) {
		ex = cli_error("import", EX_CONFIG, "%s (the abbreviations of agency names, "
			       "[general] abbreviations%s%s); nothing was imported", msg,
			       d->cfg->path ? " in " : "", d->cfg->path ? d->cfg->path : "");
	}
	free(msg);
	free(path);
	return ex;
}

int
cmd_import(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "sheet", required_argument, NULL, 's' },
		{ 0 },
	};
	struct import_args a = { 0 };
	struct import_options o = { 0 };
	struct import_report rep = { 0 };
	struct abbrev *ab = NULL;
	char *msg = NULL, *no_abbrev = NULL;
	int r, ex = 0;

	if (cli_parse("import", argc, argv, opts, import_opt, &a, &ex))
		return ex;
	if (optind >= argc)
		return cli_usage_error("import", "no FILE given");
	if (optind + 1 < argc)
		return cli_usage_error("import", "one FILE at a time ('%s' is extra)", argv[optind + 1]);
	o.path = argv[optind];
	o.year = (int)a.year;
	o.sheet = a.sheet;
	o.dry_run = a.dry_run;
	o.actor = d->actor;
	d->dry_run = a.dry_run;
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if ((ex = import_abbrev(d, &ab, &no_abbrev)) != 0)
		return ex;
	o.abbrev = ab;
	r = import_file(d->store, &o, clock_now(&d->clock), stderr, &rep, &msg);
	abbrev_free(ab);
	if (r == 0 && no_abbrev && rep.agencies > 0)
		fprintf(stderr, "dondoc import: warning: no abbreviations of agency names at '%s' "
			"(set [general] abbreviations in the configuration): the new agencies were "
			"matched by their names as written ('UBND tỉnh' is not 'Ủy ban nhân dân "
			"tỉnh')\n", no_abbrev);
	free(no_abbrev);
	if (r < 0) {
		fprintf(stderr, "dondoc import: %s; nothing was imported\n", msg ? msg : strerror(-r));
		free(msg);
		return r;
	}
	/* For the secretariat, who imports the tables: Vietnamese, no plurals to get wrong. */
	printf("%s%s: %zu dòng: thêm %zu nhiệm vụ, cập nhật %zu, không đổi %zu; thêm %zu cơ quan; "
	       "%zu dòng có lỗi, %zu cảnh báo\n", a.dry_run ? "chạy thử, chưa ghi gì: " : "",
	       o.path, rep.rows, rep.created, rep.updated, rep.unchanged, rep.agencies, rep.errors,
	       rep.warnings);
	return rep.errors ? 1 : 0;
}

struct verify_args {
	bool anchor;
	const char *check;	/* --anchor-check HASH */
};

static int
verify_opt(int c, const char *arg, void *userdata)
{
	struct verify_args *a = userdata;
	size_t n = 0;

	if (c == 'a')
		a->anchor = true;
	if (c == 'c') {
		while (arg[n] && ((arg[n] >= '0' && arg[n] <= '9') || (arg[n] >= 'a' && arg[n] <= 'f')))
			n++;
		if (n != 64 || arg[n])
			return cli_usage_error("verify", "--anchor-check '%.80s' is not a hash "
					       "(64 digits 0-9a-f, as 'dondoc verify --anchor' prints)", arg);
		a->check = arg;
	}
	return 0;
}

/* Says what store_chain_check found wrong, on stderr: the exit status. */
static int
chain_failure(const struct store_chain *c)
{
	switch (c->state) {
	case CHAIN_BROKEN:
		fprintf(stderr, "dondoc verify: event %lld was changed, inserted or removed outside "
			"dondoc; the history is intact up to event %lld and cannot be trusted from "
			"event %lld on\n", (long long)c->bad_id, (long long)c->last_id,
			(long long)c->bad_id);
		return 1;
	case CHAIN_HEAD:
		fprintf(stderr, "dondoc verify: the head of the history does not match its last "
			"event, %lld: event %lld and any after it were removed from the end, or the "
			"head was edited (the %lld events up to %lld are intact)\n",
			(long long)c->last_id, (long long)c->bad_id, (long long)c->count,
			(long long)c->last_id);
		return 1;
	case CHAIN_NO_KEY:
		fprintf(stderr, "dondoc verify: the history is keyed from event %lld (key %s): "
			"without [audit] key_file it cannot be claimed intact (events up to %lld "
			"are)\n", (long long)c->key_from, c->chain_key_id, (long long)c->last_id);
		return EX_CONFIG;
	case CHAIN_WRONG_KEY:
		fprintf(stderr, "dondoc verify: the history is keyed with key %s, and [audit] "
			"key_file holds key %s: give the key it was keyed with\n", c->chain_key_id,
			c->key_id);
		return EX_CONFIG;
	case CHAIN_NOT_KEYED:
		fprintf(stderr, "dondoc verify: [audit] key_file is set but the history of %lld "
			"events was never keyed: either nothing was written since the key was set "
			"('dondoc init' keys it), or its keyed part was removed and the chain "
			"recomputed\n", (long long)c->count);
		return 1;
	default:
		return 0;
	}
}

int
cmd_verify(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "anchor", no_argument, NULL, 'a' },
		{ "anchor-check", required_argument, NULL, 'c' },
		{ 0 },
	};
	struct verify_args a = { 0 };
	struct store_chain c;
	size_t diffs = 0;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("verify", argc, argv, opts, verify_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("verify", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_chain_check(d->store, &c);
	if (r < 0)
		return cli_error("verify", cli_exit_code(r), "cannot read the event log: %s",
				 store_errmsg(d->store));
	if ((ex = chain_failure(&c)) != 0)
		return ex;
	/* The chain holds: does the registry hold what it says? */
	r = audit_replay(d->store, stderr, &diffs);
	if (r < 0 && r != -EBADMSG)
		return cli_error("verify", cli_exit_code(r), "cannot replay the history: %s",
				 store_errmsg(d->store));
	if (r == -EBADMSG || diffs > 0) {
		fprintf(stderr, "dondoc verify: the registry differs from its history in %zu "
			"place%s (above): changed outside dondoc\n", diffs, diffs == 1 ? "" : "s");
		return 1;
	}
	if (a.check) {
		r = store_event_find_hash(d->store, a.check, &id);
		if (r == -ENOENT) {
			fprintf(stderr, "dondoc verify: anchor %s is not in the history: it was "
				"rewritten or cut back since the anchor was taken\n", a.check);
			return 1;
		}
		if (r < 0)
			return cli_error("verify", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	printf("history intact: %lld event%s\n", (long long)c.count, c.count == 1 ? "" : "s");
	if (!c.key_from)
		printf("not keyed: whoever can write the registry can recompute it (see [audit] "
		       "key_file)\n");
	if (a.check)
		printf("anchor found: events 1-%lld are as they were when it was taken\n",
		       (long long)id);
	if (a.anchor) {
		char at[32];

		clock_format_local((time_t)c.at, at);
		printf("anchor: %s (%lld event%s, the last at %s)\n", c.hash, (long long)c.count,
		       c.count == 1 ? "" : "s", at);
	}
	return 0;
}

/* --- migrate -------------------------------------------------------------------------------- */

struct migrate_out {
	size_t tables;
	int64_t rows;
};

static int
migrate_table(const char *table, int64_t rows, void *userdata)
{
	struct migrate_out *o = userdata;

	o->tables++;
	o->rows += rows;
	if (rows)
		printf("  %-14s %lld\n", table, (long long)rows);
	return 0;
}

static int
migrate_opt(int c, const char *arg, void *userdata)
{
	if (c == 't')
		*(const char **)userdata = arg;
	return 0;
}

int
cmd_migrate(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ 0 },
	};
	struct migrate_out o = { 0 };
	struct store_chain here, there;
	struct store *to = NULL;
	const char *dest = NULL;
	char from_shown[256], to_shown[256], *msg = NULL;
	size_t diffs = 0;
	int r, ex = 0;

	if (cli_parse("migrate", argc, argv, opts, migrate_opt, &dest, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("migrate", "unexpected argument '%s'", argv[optind]);
	if (!dest || !*dest)
		return cli_usage_error("migrate", "--to names the new registry (a file, or a "
				       "postgresql:// URI)");
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	store_where_shown(d->db_path, from_shown, sizeof(from_shown));
	store_where_shown(dest, to_shown, sizeof(to_shown));
	if (strcmp(dest, d->db_path) == 0)
		return cli_usage_error("migrate", "--to names the registry itself ('%s')", to_shown);
	/* The original's history first: a copy of a broken one would only hide it. */
	r = store_chain_check(d->store, &here);
	if (r < 0)
		return cli_error("migrate", cli_exit_code(r), "cannot read the history of '%s': %s",
				 from_shown, store_errmsg(d->store));
	if (here.state != CHAIN_INTACT) {
		fprintf(stderr, "dondoc migrate: the history of '%s' does not verify ('dondoc verify' "
			"says why): nothing copied\n", from_shown);
		return 1;
	}
	r = cli_store_open(d->cfg, dest, STORE_CREATE, &to, &msg);
	if (r < 0) {
		fprintf(stderr, "dondoc migrate: %s\n", msg ? msg : strerror(-r));
		free(msg);
		return cli_exit_code(r);
	}
	printf("copying '%s' into '%s':\n", from_shown, to_shown);
	r = store_copy(d->store, to, migrate_table, &o);
	if (r < 0) {
		fprintf(stderr, "dondoc migrate: cannot copy into '%s': %s; nothing was copied\n",
			to_shown, store_errmsg(to));
		store_close(to);
		return r == -EEXIST ? 1 : cli_exit_code(r);
	}
	/* What verify asks of the copy: its chain, and the registry its history replays to. */
	r = store_chain_check(to, &there);
	if (r == 0 && (ex = chain_failure(&there)) != 0) {
		store_close(to);
		return ex;
	}
	if (r == 0)
		r = audit_replay(to, stderr, &diffs);
	if (r < 0 && r != -EBADMSG) {
		ex = cli_error("migrate", cli_exit_code(r), "cannot verify the copy: %s",
			       store_errmsg(to));
		store_close(to);
		return ex;
	}
	store_close(to);
	if (r == -EBADMSG || diffs > 0 || there.count != here.count ||
	    strcmp(there.hash, here.hash) != 0) {
		fprintf(stderr, "dondoc migrate: the copy in '%s' differs from the original (above): "
			"do not use it\n", to_shown);
		return 1;
	}
	printf("copied %lld rows of %zu tables; the copy verifies: history intact, %lld events, "
	       "ending at the original's hash %s\n", (long long)o.rows, o.tables,
	       (long long)there.count, there.hash);
	return 0;
}
