/* SPDX-License-Identifier: MIT */
/*
 * "dondoc agency list|add|alias".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "cli.h"
#include "cli_words.h"
#include "norm.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

static int
json_flag(int c, const char *arg, void *userdata)
{
	(void)arg;
	if (c == 'j')
		*(bool *)userdata = true;
	return 0;
}

struct agency_list {
	bool json;
	struct cli_table *table;
	size_t n;
};

static int
agency_one(const struct agency *a, void *userdata)
{
	struct agency_list *l = userdata;
	char n[24];

	if (l->json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(a->id));
		json_object_set_new(o, "code", json_string(a->code));
		json_object_set_new(o, "name", json_string(a->name));
		json_object_set_new(o, "kind", json_string(agency_kind_to_string(a->kind)));
		json_object_set_new(o, "tasks", json_integer(a->n_tasks));
		cli_json_item(o, l->n);
	} else {
		const char *row[4] = { a->code, a->name, cli_agency_kind_words(a->kind), n };

		snprintf(n, sizeof(n), "%lld", (long long)a->n_tasks);
		cli_table_add(l->table, row);
	}
	l->n++;
	return 0;
}

int
cmd_agency_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[4] = { "Mã", "Tên cơ quan", "Loại", "Chủ trì" };
	struct agency_list l = { 0 };
	int r, ex = 0;

	if (cli_parse("agency list", argc, argv, opts, json_flag, &l.json, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("agency list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (l.json) {
		cli_json_begin();
	} else {
		l.table = cli_table_new(4);
		cli_table_add(l.table, header);
	}
	r = store_agency_foreach(d->store, agency_one, &l);
	if (r < 0) {
		cli_table_free(l.table);
		return cli_error("agency list", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	if (l.json) {
		cli_json_end(l.n);
	} else {
		cli_table_print(l.table);
		printf("%zu cơ quan\n", l.n);
		cli_table_free(l.table);
	}
	return 0;
}

struct add_args {
	const char *name;
	const char *code;
	int kind;
};

static int
add_opt(int c, const char *arg, void *userdata)
{
	struct add_args *a = userdata;

	switch (c) {
	case 'n':
		a->name = arg;
		break;
	case 'c':
		a->code = arg;
		break;
	case 'k':
		a->kind = agency_kind_from_string(arg);
		if (a->kind < 0)
			return cli_usage_error("agency add", "unknown kind '%s' (department, "
					       "commune, party, group, other)", arg);
		break;
	}
	return 0;
}

int
cmd_agency_add(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "code", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ 0 },
	};
	struct add_args a = { .kind = -1 };
	char *name = NULL, *code = NULL;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("agency add", argc, argv, opts, add_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("agency add", "unexpected argument '%s'", argv[optind]);
	if (!a.name)
		return cli_usage_error("agency add", "--name is required");
	name = norm_text(a.name);
	if (!name || !*name || strlen(name) > 300) {
		ex = cli_usage_error("agency add", "--name must be 1-300 bytes of UTF-8");
		goto out;
	}
	code = a.code ? xstrdup(a.code) : agency_code_guess(name);
	if (!agency_code_is_valid(code)) {
		ex = cli_usage_error("agency add", "code '%s' is not 1-32 of a-z, 0-9, '-', '_' "
				     "starting with a letter", code);
		goto out;
	}
	if (a.kind < 0)
		a.kind = agency_kind_guess(name);
	if ((ex = cli_need_store(d)) != 0)
		goto out;
	r = store_begin(d->store);
	if (r == 0)
		r = regop_agency_add(d->store, code, name, a.kind, &actor, clock_now(&d->clock), &id);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EEXIST) {
		ex = cli_error("agency add", EX_DATAERR, "an agency with code '%s' or name '%s' "
			       "already exists", code, name);
		goto out;
	}
	if (r < 0) {
		ex = cli_error("agency add", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	printf("agency %s: %s (%s)\n", code, name, agency_kind_to_string(a.kind));
out:
	free(name);
	free(code);
	return ex;
}

int
cmd_agency_alias(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct agency ag = { 0 };
	char *alias = NULL;
	int r, ex = 0;

	if (cli_parse("agency alias", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (argc - optind != 2)
		return cli_usage_error("agency alias", "give CODE and ALIAS");
	alias = norm_text(argv[optind + 1]);
	if (!alias || !*alias || strlen(alias) > 300) {
		ex = cli_usage_error("agency alias", "ALIAS must be 1-300 bytes of UTF-8");
		goto out;
	}
	if ((ex = cli_need_store(d)) != 0)
		goto out;
	r = store_agency_lookup(d->store, argv[optind], &ag);
	if (r == -ENOENT) {
		ex = cli_error("agency alias", EX_DATAERR, "no agency '%s' (see 'dondoc agency list')",
			       argv[optind]);
		goto out;
	}
	if (r < 0) {
		ex = cli_error("agency alias", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	r = store_begin(d->store);
	if (r == 0)
		r = regop_agency_alias(d->store, ag.id, alias, &actor, clock_now(&d->clock));
	if (r >= 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EEXIST) {
		ex = cli_error("agency alias", EX_DATAERR, "'%s' already names another agency", alias);
		goto out;
	}
	if (r < 0) {
		ex = cli_error("agency alias", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	printf("agency %s is also '%s'\n", ag.code, alias);
out:
	agency_release(&ag);
	free(alias);
	return ex;
}
