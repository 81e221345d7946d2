/* SPDX-License-Identifier: MIT */
/*
 * "dondoc agency list|add|alias|set|merge|remove".
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
#include "regop.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

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

	if (cli_parse("agency list", argc, argv, opts, cli_json_opt, &l.json, &ex))
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

/* agency_code_pick's test: 1 when an agency has code. */
static int
code_taken(const char *code, void *userdata)
{
	return store_agency_code_taken(userdata, code);
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
	/* A code made from the name takes more of its letters when taken, never "snv2". */
	if (!a.code) {
		struct agency same = { 0 };

		/* Said by its name, not by a code picked past its own. */
		if (store_agency_lookup(d->store, name, &same) == 0) {
			ex = cli_error("agency add", EX_DATAERR, "agency '%s' already exists (code "
				       "'%s')", same.name, same.code);
			agency_release(&same);
			goto out;
		}
		free(code);
		code = NULL;
		r = agency_code_pick(name, code_taken, d->store, &code);
		if (r < 0) {
			ex = cli_error("agency add", cli_exit_code(r), "no free code for '%s': give "
				       "one with --code", name);
			goto out;
		}
	}
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
	printf("Đã thêm cơ quan %s: %s (%s).\n", code, name, cli_agency_kind_words(a.kind));
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
	printf("Cơ quan %s có thêm tên gọi “%s”.\n", ag.code, alias);
out:
	agency_release(&ag);
	free(alias);
	return ex;
}

/* --- agency set|merge|remove (issue 12) ---------------------------------- */

struct set_args {
	const char *name, *code, *head;
	int kind;
	bool json;
	unsigned seen;		/* the options given, by letter: one twice is refused */
};

static int
set_opt(int c, const char *arg, void *userdata)
{
	struct set_args *a = userdata;
	int letter = c == 'H' ? 'h' : c;	/* -h is help: --head has no short form */
	static const char *const names[] = { ['n' - 'a'] = "name", ['c' - 'a'] = "code",
					     ['k' - 'a'] = "kind", ['h' - 'a'] = "head",
					     ['j' - 'a'] = "json" };
	unsigned bit = 1u << (letter - 'a');

	/* "--name A --name B": which one was meant is not for us to guess. */
	if (a->seen & bit)
		return cli_usage_error("agency set", "--%s given twice", names[letter - 'a']);
	a->seen |= bit;
	switch (c) {
	case 'n': a->name = arg; break;
	case 'c': a->code = arg; break;
	case 'H': a->head = arg; break;
	case 'j': a->json = true; break;
	case 'k':
		a->kind = agency_kind_from_string(arg);
		if (a->kind < 0)
			return cli_usage_error("agency set", "unknown kind '%s' (department, "
					       "commune, party, group, other)", arg);
		break;
	}
	return 0;
}

/* The agency named by text (code, name or alias), into *ret; the exit status when none. */
static int
agency_of(struct dondoc *d, const char *cmd, const char *text, struct agency *ret)
{
	int r = store_agency_lookup(d->store, text, ret);

	if (r == -ENOENT)
		return cli_error(cmd, EX_DATAERR, "no agency '%s' (see 'dondoc agency list')", text);
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/*
 * "--head ID": person ID of agency ag becomes its head (role head),
 * recorded as a person.set.  The exit status: 0, or why not.
 */
static int
make_head(struct dondoc *d, const struct agency *ag, const char *id_text, const struct actor *actor,
	  struct person *ret)
{
	struct person old = { 0 };
	int64_t id = 0;
	int r;

	if (cli_parse_int(id_text, 1, INT64_MAX, &id) < 0)
		return cli_usage_error("agency set", "--head takes a person's number (see 'dondoc "
				       "person list')");
	r = store_person_get(d->store, id, &old);
	if (r == -ENOENT)
		return cli_error("agency set", EX_DATAERR, "no person %lld (see 'dondoc person list')",
				 (long long)id);
	if (r < 0)
		return cli_error("agency set", cli_exit_code(r), "%s", store_errmsg(d->store));
	if (old.agency_id != ag->id || !old.active) {
		r = cli_error("agency set", EX_DATAERR, "person %lld (%s) is %s of '%s': move them "
			      "first with 'dondoc person %s %lld%s%s'", (long long)id, old.name,
			      old.active ? "not" : "inactive, not", ag->code,
			      old.agency_id != ag->id ? "set" : "activate", (long long)id,
			      old.agency_id != ag->id ? " --agency " : "",
			      old.agency_id != ag->id ? ag->code : "");
		person_release(&old);
		return r;
	}
	person_copy(ret, &old);
	ret->role = ROLE_HEAD;
	r = regop_person_set(d->store, &old, ret, actor, clock_now(&d->clock));
	person_release(&old);
	if (r < 0)
		return cli_error("agency set", cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/* What changed of old in n, in Vietnamese ("tên, mã"); a new string. */
static char *
agency_changes_vi(const struct agency *old, const struct agency *n, bool head)
{
	return xasprintf("%s%s%s%s", strcmp(old->name, n->name) ? "tên, " : "",
			 strcmp(old->code, n->code) ? "mã, " : "", old->kind != n->kind ? "loại, " : "",
			 head ? "người đứng đầu, " : "");
}

int
cmd_agency_set(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "code", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ "head", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct set_args a = { .kind = -1 };
	struct agency old = { 0 }, n = { 0 };
	struct person head = { 0 };
	char *name = NULL, *what = NULL;
	int r, ex = 0;

	if (cli_parse("agency set", argc, argv, opts, set_opt, &a, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error("agency set", "give the code of one agency");
	if (!a.name && !a.code && a.kind < 0 && !a.head)
		return cli_usage_error("agency set", "nothing to change: give --name, --code, --kind "
				       "or --head");
	if (a.name) {
		name = norm_text(a.name);
		if (!name || !*name || strlen(name) > 300) {
			free(name);
			return cli_usage_error("agency set", "--name must be 1-300 bytes of UTF-8");
		}
	}
	if (a.code && !agency_code_is_valid(a.code)) {
		free(name);
		return cli_usage_error("agency set", "code '%s' is not 1-32 of a-z, 0-9, '-', '_' "
				       "starting with a letter", a.code);
	}
	if ((ex = cli_need_store(d)) != 0 || (ex = agency_of(d, "agency set", argv[optind], &old)) != 0) {
		free(name);
		return ex;
	}
	n.id = old.id;
	n.name = name ? name : xstrdup(old.name);
	n.code = xstrdup(a.code ? a.code : old.code);
	n.kind = a.kind >= 0 ? (enum agency_kind)a.kind : old.kind;
	r = store_begin(d->store);
	if (r < 0) {
		ex = cli_error("agency set", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	r = regop_agency_set(d->store, &old, &n, &actor, clock_now(&d->clock));
	if (r == -EEXIST) {
		store_rollback(d->store);
		ex = cli_error("agency set", EX_DATAERR, "the code '%s' or the name '%s' is another "
			       "agency's already (see 'dondoc agency list'; 'dondoc agency merge' "
			       "makes two agencies one)", n.code, n.name);
		goto out;
	}
	if (r >= 0 && a.head && (ex = make_head(d, &n, a.head, &actor, &head)) != 0) {
		store_rollback(d->store);
		goto out;
	}
	if (r >= 0)
		r = store_commit(d->store);
	if (r < 0) {
		store_rollback(d->store);
		ex = cli_error("agency set", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	what = agency_changes_vi(&old, &n, a.head != NULL);
	if (*what)
		what[strlen(what) - 2] = '\0';	/* the last ", " */
	if (a.json)
		cli_json_print(json_pack("{s:s, s:s, s:s, s:o, s:s}", "code", n.code, "name", n.name,
					 "kind", agency_kind_to_string(n.kind),
					 "head", head.id ? json_integer(head.id) : json_null(),
					 "fields", what));
	else if (!*what)
		printf("Cơ quan %s (%s) không thay đổi gì.\n", n.code, n.name);
	else
		printf("Đã cập nhật cơ quan %s: %s (%s)%s%s.\n", n.code, n.name, what,
		       head.id ? "; người đứng đầu: " : "", head.id ? head.name : "");
out:
	free(what);
	person_release(&head);
	agency_release(&old);
	agency_release(&n);
	return ex;
}

int
cmd_agency_merge(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct agency from = { 0 }, into = { 0 };
	int64_t tasks = 0, people = 0;
	bool json = false;
	int r, ex = 0;

	if (cli_parse("agency merge", argc, argv, opts, cli_json_opt, &json, &ex))
		return ex;
	if (argc - optind != 2)
		return cli_usage_error("agency merge", "give two agencies: FROM (it goes) and INTO");
	if ((ex = cli_need_store(d)) != 0 ||
	    (ex = agency_of(d, "agency merge", argv[optind], &from)) != 0 ||
	    (ex = agency_of(d, "agency merge", argv[optind + 1], &into)) != 0)
		goto out;
	if (from.id == into.id) {
		ex = cli_error("agency merge", EX_DATAERR, "'%s' and '%s' are the same agency (%s): "
			       "nothing to merge", argv[optind], argv[optind + 1], into.code);
		goto out;
	}
	r = store_begin(d->store);
	if (r == 0)
		r = store_agency_refs(d->store, from.id, &tasks, &people);
	if (r == 0)
		r = regop_agency_merge(d->store, &from, &into, &actor, clock_now(&d->clock));
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0) {
		store_rollback(d->store);
		ex = cli_error("agency merge", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	if (json)
		cli_json_print(json_pack("{s:s, s:s, s:I, s:I, s:[s, s]}", "from", from.code,
					 "into", into.code, "tasks", (json_int_t)tasks,
					 "people", (json_int_t)people, "aliases", from.name, from.code));
	else
		printf("Đã gộp cơ quan %s (%s) vào %s (%s): chuyển %lld nhiệm vụ, %lld cán bộ; "
		       "tên và mã cũ vẫn dùng được để tìm %s.\n", from.code, from.name, into.code,
		       into.name, (long long)tasks, (long long)people, into.code);
out:
	agency_release(&from);
	agency_release(&into);
	return ex;
}

/* Says why ag stays: the tasks and people that name it (exit status). */
static int
refuse_remove(const struct agency *ag, int64_t tasks, int64_t people)
{
	char *t = tasks ? xasprintf("%lld task%s", (long long)tasks, tasks > 1 ? "s" : "") : NULL;
	char *p = people ? xasprintf("%lld %s", (long long)people, people > 1 ? "people" : "person")
			 : NULL;
	int ex;

	ex = cli_error("agency remove", EX_DATAERR, "agency '%s' (%s) still has %s%s%s: not "
		       "removed; 'dondoc agency merge %s INTO' moves them to another agency",
		       ag->code, ag->name, t ? t : "", t && p ? " and " : "", p ? p : "", ag->code);
	free(t);
	free(p);
	return ex;
}

int
cmd_agency_remove(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct agency ag = { 0 };
	int64_t tasks = 0, people = 0;
	bool json = false;
	int r, ex = 0;

	if (cli_parse("agency remove", argc, argv, opts, cli_json_opt, &json, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error("agency remove", "give the code of one agency");
	if ((ex = cli_need_store(d)) != 0 || (ex = agency_of(d, "agency remove", argv[optind], &ag)) != 0)
		goto out;
	r = store_begin(d->store);
	if (r == 0)
		r = regop_agency_remove(d->store, &ag, &actor, clock_now(&d->clock), &tasks, &people);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EBUSY)
		ex = refuse_remove(&ag, tasks, people);
	else if (r < 0)
		ex = cli_error("agency remove", cli_exit_code(r), "%s", store_errmsg(d->store));
	else if (json)
		cli_json_print(json_pack("{s:s, s:s, s:b}", "code", ag.code, "name", ag.name,
					 "removed", 1));
	else
		printf("Đã xoá cơ quan %s (%s).\n", ag.code, ag.name);
out:
	agency_release(&ag);
	return ex;
}
