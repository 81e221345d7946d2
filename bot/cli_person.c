/* SPDX-License-Identifier: MIT */
/*
 * "dondoc person add|list".
 */
#include <ctype.h>
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

struct person_args {
	const char *name, *agency, *email, *telegram, *zalo, *lang;
	int role;
	bool json;
};

static int
person_opt(int c, const char *arg, void *userdata)
{
	struct person_args *a = userdata;

	switch (c) {
	case 'n': a->name = arg; break;
	case 'a': a->agency = arg; break;
	case 'e': a->email = arg; break;
	case 't': a->telegram = arg; break;
	case 'z': a->zalo = arg; break;
	case 'l': a->lang = arg; break;
	case 'j': a->json = true; break;
	case 'r':
		a->role = person_role_from_string(arg);
		if (a->role < 0)
			return cli_usage_error("person add", "unknown role '%s' (focal, head, leader, "
					       "secretariat, viewer)", arg);
		break;
	}
	return 0;
}

/* A plausible address: one '@', no space or control character, a dot after '@'. */
static bool
email_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || strlen(s) > 254)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' || *s == ',' || *s == ';')
			return false;
	return at[1] != '.' && s[-1] != '.';
}

/* Digits, with a leading '-' when minus_ok (Telegram group chats are negative). */
static bool
id_ok(const char *s, bool minus_ok)
{
	if (minus_ok && *s == '-')
		s++;
	if (!*s || strlen(s) > 32)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int
cmd_person_add(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "agency", required_argument, NULL, 'a' },
		{ "role", required_argument, NULL, 'r' },
		{ "email", required_argument, NULL, 'e' },
		{ "telegram", required_argument, NULL, 't' },
		{ "zalo", required_argument, NULL, 'z' },
		{ "lang", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct person_args a = { .role = -1 };
	struct person p = { 0 };
	struct agency ag = { 0 };
	char *name = NULL;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse("person add", argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("person add", "unexpected argument '%s'", argv[optind]);
	if (!a.name || !a.agency || a.role < 0)
		return cli_usage_error("person add", "--name, --agency and --role are required");
	if (a.email && !email_ok(a.email))
		return cli_usage_error("person add", "'%s' is not an email address", a.email);
	if (a.telegram && !id_ok(a.telegram, true))
		return cli_usage_error("person add", "--telegram '%s' is not a chat id (digits)",
				       a.telegram);
	if (a.zalo && !id_ok(a.zalo, false))
		return cli_usage_error("person add", "--zalo '%s' is not a user id (digits)", a.zalo);
	if (a.lang && strcmp(a.lang, "vi") != 0 && strcmp(a.lang, "en") != 0)
		return cli_usage_error("person add", "--lang must be vi or en");
	name = norm_text(a.name);
	if (!name || !*name || strlen(name) > 200) {
		ex = cli_usage_error("person add", "--name must be 1-200 bytes of UTF-8");
		goto out;
	}
	if ((ex = cli_need_store(d)) != 0)
		goto out;
	r = store_agency_lookup(d->store, a.agency, &ag);
	if (r == -ENOENT) {
		ex = cli_error("person add", EX_DATAERR, "no agency '%s' (see 'dondoc agency list')",
			       a.agency);
		goto out;
	}
	if (r < 0)
		goto fail;
	p.name = name;
	p.agency_id = ag.id;
	p.role = a.role;
	p.email = (char *)a.email;
	p.telegram = (char *)a.telegram;
	p.zalo = (char *)a.zalo;
	p.lang = (char *)(a.lang ? a.lang : "vi");
	p.active = true;
	r = store_begin(d->store);
	if (r == 0)
		r = regop_person_add(d->store, &p, &actor, clock_now(&d->clock), &id);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EEXIST) {
		ex = cli_error("person add", EX_DATAERR, "that Telegram or Zalo id belongs to "
			       "someone else already");
		goto out;
	}
	if (r < 0)
		goto fail;
	printf("person %lld: %s, %s of %s\n", (long long)id, name, person_role_to_string(a.role),
	       ag.code);
	goto out;
fail:
	ex = cli_error("person add", cli_exit_code(r), "%s", store_errmsg(d->store));
out:
	agency_release(&ag);
	free(name);
	return ex;
}

struct person_list {
	bool json;
	struct cli_table *table;
	size_t n;
};

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int
person_one(const struct person *p, void *userdata)
{
	struct person_list *l = userdata;
	char id[24];

	if (l->json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(p->id));
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "agency", json_string(p->agency_code));
		json_object_set_new(o, "role", json_string(person_role_to_string(p->role)));
		json_object_set_new(o, "email", str_or_null(p->email));
		json_object_set_new(o, "telegram", str_or_null(p->telegram));
		json_object_set_new(o, "zalo", str_or_null(p->zalo));
		json_object_set_new(o, "lang", json_string(p->lang));
		json_object_set_new(o, "active", json_boolean(p->active));
		cli_json_item(o, l->n);
	} else {
		const char *row[7] = { id, p->name, p->agency_code, cli_role_words(p->role),
				       p->email, p->telegram, p->zalo };

		snprintf(id, sizeof(id), "%lld", (long long)p->id);
		cli_table_add(l->table, row);
	}
	l->n++;
	return 0;
}

int
cmd_person_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[7] = { "ID", "Họ tên", "Cơ quan", "Vai trò", "Email",
					       "Telegram", "Zalo" };
	struct person_args a = { .role = -1 };
	struct person_list l = { 0 };
	int r, ex = 0;

	if (cli_parse("person list", argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("person list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	l.json = a.json;
	if (l.json) {
		cli_json_begin();
	} else {
		l.table = cli_table_new(7);
		cli_table_add(l.table, header);
	}
	r = store_person_foreach(d->store, person_one, &l);
	if (r < 0) {
		cli_table_free(l.table);
		return cli_error("person list", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	if (l.json) {
		cli_json_end(l.n);
	} else {
		cli_table_print(l.table);
		printf("%zu người\n", l.n);
		cli_table_free(l.table);
	}
	return 0;
}
