/* SPDX-License-Identifier: MIT */
/*
 * "dondoc person add|list|set|deactivate|activate|remove".
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
#include "clock.h"
#include "config.h"
#include "feedlink.h"
#include "norm.h"
#include "regop.h"
#include "render.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

struct person_args {
	const char *name, *agency, *email, *telegram, *zalo, *phone, *lang;
	int role;
	int digest;		/* --digest yes|no: 1, 0; -1 when not given */
	bool json;
	bool zalo_closed;	/* person list --zalo-closed: only those out of Zalo's window */
	bool force;		/* add or set even when it looks like someone registered */
	const char *cmd;	/* for errors: "person set"; NULL is "person add" */
	unsigned seen;		/* the options given, by letter: one twice is refused */
};

/* The long name of the option whose letter is c. */
static const char *
option_name(int c)
{
	static const char *const names[] = {
		['n' - 'a'] = "name", ['a' - 'a'] = "agency", ['r' - 'a'] = "role",
		['e' - 'a'] = "email", ['t' - 'a'] = "telegram", ['z' - 'a'] = "zalo",
		['l' - 'a'] = "lang", ['j' - 'a'] = "json", ['f' - 'a'] = "force",
		['d' - 'a'] = "digest", ['p' - 'a'] = "phone", ['w' - 'a'] = "zalo-closed",
	};

	return c >= 'a' && c <= 'z' && names[c - 'a'] ? names[c - 'a'] : "?";
}

static int
person_opt(int c, const char *arg, void *userdata)
{
	struct person_args *a = userdata;
	unsigned bit = c >= 'a' && c <= 'z' ? 1u << (c - 'a') : 0;

	/* "--email a --email b": which one was meant is not for us to guess. */
	if (a->seen & bit)
		return cli_usage_error(a->cmd ? a->cmd : "person add", "--%s given twice",
				       option_name(c));
	a->seen |= bit;
	switch (c) {
	case 'f': a->force = true; break;
	case 'n': a->name = arg; break;
	case 'a': a->agency = arg; break;
	case 'e': a->email = arg; break;
	case 't': a->telegram = arg; break;
	case 'z': a->zalo = arg; break;
	case 'p': a->phone = arg; break;
	case 'l': a->lang = arg; break;
	case 'j': a->json = true; break;
	case 'w': a->zalo_closed = true; break;
	case 'd':
		if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0)
			return cli_usage_error(a->cmd ? a->cmd : "person add", "--digest takes "
					       "'yes' or 'no', not '%s'", arg);
		a->digest = strcmp(arg, "yes") == 0;
		break;
	case 'r':
		a->role = person_role_from_string(arg);
		if (a->role < 0)
			return cli_usage_error(a->cmd ? a->cmd : "person add", "unknown role '%s' "
					       "(focal, head, leader, secretariat, viewer)", arg);
		break;
	}
	return 0;
}

/* Why a --phone is refused; %s is what was given. */
#define PHONE_USAGE "--phone '%s' is not a phone number: digits, as 0912345678 or +84912345678"

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

/*
 * Refuses p when it looks like someone registered (regop_find_duplicate
 * on what which says), naming them and the command that changes them:
 * the exit status then, 0 when p is nobody else.
 */
static int
refuse_duplicate_on(struct dondoc *d, const char *cmd, const struct person *p, int which)
{
	static const char *const how[] = { "by the same name in the same agency",
					   "by the same email address", "by the same Telegram chat",
					   "by the same Zalo id", "by the same phone number" };
	struct person other = { 0 };
	int r, why = 0, ex = EX_SOFTWARE;

	r = regop_find_duplicate(d->store, p, which, &other, &why);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	for (size_t i = 0; i < ELEMENTSOF(how); i++)
		if (why == 1 << i)
			ex = cli_error(cmd, EX_DATAERR, "this looks like person %lld (%s, %s%s), %s; "
				       "change them with 'dondoc person set %lld ...', or give --force",
				       (long long)other.id, other.name, other.agency_code,
				       other.active ? "" : ", inactive", how[i], (long long)other.id);
	person_release(&other);
	return ex;
}

static int
refuse_duplicate(struct dondoc *d, const char *cmd, const struct person *p)
{
	return refuse_duplicate_on(d, cmd, p, DUP_ANY);
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
		{ "phone", required_argument, NULL, 'p' },
		{ "lang", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct person_args a = { .role = -1, .digest = -1 };
	struct person p = { 0 };
	struct agency ag = { 0 };
	char *name = NULL, *phone = NULL;
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
	if (a.phone && !(phone = person_phone_normalise(a.phone)))
		return cli_usage_error("person add", PHONE_USAGE, a.phone);
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
	p.name = xstrdup(name);
	p.agency_id = ag.id;
	p.role = a.role;
	(void)person_address_set(&p, "email", a.email);
	(void)person_address_set(&p, "telegram", a.telegram);
	(void)person_address_set(&p, "zalo", a.zalo);
	(void)person_address_set(&p, "phone", phone);
	p.lang = xstrdup(a.lang ? a.lang : "vi");
	p.active = true;
	r = store_begin(d->store);
	if (r == 0 && !a.force && (ex = refuse_duplicate(d, "person add", &p)) != 0) {
		store_rollback(d->store);
		goto out;
	}
	if (r == 0)
		r = regop_person_add(d->store, &p, &actor, clock_now(&d->clock), &id);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EEXIST) {
		ex = cli_error("person add", EX_DATAERR, "one of these addresses belongs to "
			       "someone else already");
		goto out;
	}
	if (r < 0)
		goto fail;
	printf("Đã thêm cán bộ #%lld: %s, %s của %s (%s).\n", (long long)id, name,
	       cli_role_words(a.role), ag.name, ag.code);
	goto out;
fail:
	ex = cli_error("person add", cli_exit_code(r), "%s", store_errmsg(d->store));
out:
	person_release(&p);
	agency_release(&ag);
	free(name);
	free(phone);
	return ex;
}

struct person_list {
	bool json;
	bool zalo_closed;	/* only those out of Zalo's window */
	int64_t now;		/* for Zalo's window ([zalo] window seconds) */
	int64_t window;
	struct cli_table *table;
	size_t n;
};

static json_t *
str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
time_or_null(int64_t t)
{
	char at[32];

	if (!t)
		return json_null();
	clock_format_local((time_t)t, at);
	return json_string(at);
}

/*
 * Every address of p by channel: {"telegram": {"address": "1001",
 * "broken_since": null, "last_in": "2026-..."}} (a new object).
 */
static json_t *
addresses_json(const struct person *p)
{
	json_t *o = json_object();

	for (size_t i = 0; i < p->n_addresses; i++) {
		const struct address *a = &p->addresses[i];

		json_object_set_new(o, a->channel, json_pack("{s:s, s:o, s:o}", "address", a->value,
							    "broken_since", time_or_null(a->broken_at),
							    "last_in", time_or_null(a->last_in)));
	}
	return o;
}

/* What the table says of Zalo's window: "mở", "đóng từ 3/1/2026", "" (no Zalo). */
static char *
window_words(const char *state, const struct person *p, int64_t window)
{
	const struct address *a = person_address_get(p, "zalo");
	char day[16];

	if (!state)
		return xstrdup("");
	if (strcmp(state, "open") == 0)
		return xstrdup("mở");
	if (!a->last_in)
		return xstrdup("đóng (chưa nhắn tin)");
	render_day_short(clock_local_date((time_t)(a->last_in + window)), day);
	return xasprintf("đóng từ %s", day);
}

static int
person_one(const struct person *p, void *userdata)
{
	struct person_list *l = userdata;
	const char *window = person_window_state(p, "zalo", l->now, l->window);
	const struct address *zalo = person_address_get(p, "zalo");
	char id[24];

	if (l->zalo_closed && (!window || strcmp(window, "closed") != 0))
		return 0;
	if (l->json) {
		json_t *o = json_object();

		json_object_set_new(o, "id", json_integer(p->id));
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "agency", json_string(p->agency_code));
		json_object_set_new(o, "role", json_string(person_role_to_string(p->role)));
		json_object_set_new(o, "email", str_or_null(person_address(p, "email")));
		json_object_set_new(o, "telegram", str_or_null(person_address(p, "telegram")));
		json_object_set_new(o, "zalo", str_or_null(person_address(p, "zalo")));
		json_object_set_new(o, "phone", str_or_null(person_address(p, "phone")));
		json_object_set_new(o, "lang", json_string(p->lang));
		json_object_set_new(o, "active", json_boolean(p->active));
		json_object_set_new(o, "digest", json_boolean(p->digest));
		json_object_set_new(o, "addresses", addresses_json(p));
		/* Zalo's interaction window (CHAT-APIS.md B3): null with no Zalo that works. */
		json_object_set_new(o, "zalo_window", str_or_null(window));
		json_object_set_new(o, "zalo_last_in", time_or_null(zalo ? zalo->last_in : 0));
		cli_json_item(o, l->n);
	} else {
		char *words = window_words(window, p, l->window);
		const char *row[9] = { id, p->name, p->agency_code, cli_role_words(p->role),
				       person_address(p, "email"), person_address(p, "telegram"),
				       person_address(p, "zalo"), words, person_address(p, "phone") };

		snprintf(id, sizeof(id), "%lld", (long long)p->id);
		cli_table_add(l->table, row);
		free(words);
	}
	l->n++;
	return 0;
}

int
cmd_person_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "zalo-closed", no_argument, NULL, 'w' },
		{ 0 },
	};
	static const char *const header[9] = { "ID", "Họ tên", "Cơ quan", "Vai trò", "Email",
					       "Telegram", "Zalo", "Cửa sổ Zalo", "Điện thoại" };
	struct person_args a = { .role = -1, .digest = -1 };
	struct person_list l = { 0 };
	int r, ex = 0;

	if (cli_parse("person list", argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("person list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	l.json = a.json;
	l.zalo_closed = a.zalo_closed;
	l.now = clock_now(&d->clock);
	l.window = d->cfg->zalo_window;
	if (l.json) {
		cli_json_begin();
	} else {
		l.table = cli_table_new(9);
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
		printf("%zu người%s\n", l.n, l.zalo_closed ? " ngoài cửa sổ Zalo: đề nghị họ "
		       "nhắn một tin bất kỳ tới Zalo OA để nhận lại nhắc việc qua Zalo" : "");
		cli_table_free(l.table);
	}
	return 0;
}

/* --- person set|deactivate|activate|remove (issue 12) -------------------- */

/* The person as "person list --json" shows them (a new object). */
static json_t *
person_json(const struct person *p)
{
	static const char *const channels[] = { "email", "telegram", "zalo", "phone" };
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:b}",
			      "id", (json_int_t)p->id, "name", p->name,
			      "agency", p->agency_code ? p->agency_code : "",
			      "role", person_role_to_string(p->role),
			      "email", str_or_null(person_address(p, "email")),
			      "telegram", str_or_null(person_address(p, "telegram")),
			      "zalo", str_or_null(person_address(p, "zalo")),
			      "phone", str_or_null(person_address(p, "phone")),
			      "lang", p->lang ? p->lang : "vi", "active", p->active, "digest", p->digest);

	/* "email_broken": an address refused for good (its time in "addresses"). */
	for (size_t i = 0; i < ELEMENTSOF(channels); i++) {
		const struct address *a = person_address_get(p, channels[i]);
		char key[24];

		snprintf(key, sizeof(key), "%s_broken", channels[i]);
		json_object_set_new(o, key, json_boolean(a && a->broken_at));
	}
	json_object_set_new(o, "addresses", addresses_json(p));
	return o;
}

/* The person numbered by argument s, into *ret; the exit status when there is none. */
static int
person_of(struct dondoc *d, const char *cmd, const char *s, struct person *ret)
{
	int64_t id = 0;
	int r;

	if (cli_parse_int(s, 1, INT64_MAX, &id) < 0)
		return cli_usage_error(cmd, "'%s' is not a person's number (see 'dondoc person list')",
				       s);
	r = store_person_get(d->store, id, ret);
	if (r == -ENOENT)
		return cli_error(cmd, EX_DATAERR, "no person %lld (see 'dondoc person list')",
				 (long long)id);
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/* Checks the addresses a set gives (each may be "": cleared); the exit status, or 0. */
static int
check_addresses(const struct person_args *a)
{
	if (a->email && *a->email && !email_ok(a->email))
		return cli_usage_error(a->cmd, "'%s' is not an email address", a->email);
	if (a->telegram && *a->telegram && !id_ok(a->telegram, true))
		return cli_usage_error(a->cmd, "--telegram '%s' is not a chat id (digits)",
				       a->telegram);
	if (a->zalo && *a->zalo && !id_ok(a->zalo, false))
		return cli_usage_error(a->cmd, "--zalo '%s' is not a user id (digits)", a->zalo);
	if (a->phone && *a->phone) {
		char *phone = person_phone_normalise(a->phone);

		if (!phone)
			return cli_usage_error(a->cmd, PHONE_USAGE, a->phone);
		free(phone);
	}
	if (a->lang && strcmp(a->lang, "vi") != 0 && strcmp(a->lang, "en") != 0)
		return cli_usage_error(a->cmd, "--lang must be vi or en");
	if (a->agency && !*a->agency)
		return cli_usage_error(a->cmd, "--agency cannot be empty: a person belongs to one");
	return 0;
}

/*
 * Replaces p's address on channel by value (NULL: left alone, "":
 * cleared); true when it changed, a new one working (not refused).
 */
static bool
swap_address(struct person *p, const char *channel, const char *value)
{
	const char *was = person_address(p, channel);
	bool changed;

	if (!value)
		return false;
	changed = (was == NULL) != (*value == '\0') || (was && strcmp(was, value) != 0);
	if (changed)
		(void)person_address_set(p, channel, value);
	return changed;
}

/*
 * Applies a to p (the person as they were, copied): a new address on a
 * channel clears its broken mark; the new agency's record in *ag.
 * Returns the DUP_* keys that changed, or a negative exit status.
 */
static int
apply_set(struct dondoc *d, const struct person_args *a, char *name, struct person *p,
	  struct agency *ag)
{
	int which = 0, r;

	if (name) {
		which |= DUP_NAME;
		free(p->name);
		p->name = name;
	}
	if (a->agency) {
		r = store_agency_lookup(d->store, a->agency, ag);
		if (r == -ENOENT)
			return -cli_error(a->cmd, EX_DATAERR, "no agency '%s' (see 'dondoc agency "
					  "list')", a->agency);
		if (r < 0)
			return -cli_error(a->cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
		which |= p->agency_id != ag->id ? DUP_NAME : 0;
		p->agency_id = ag->id;
		free(p->agency_code);
		p->agency_code = xstrdup(ag->code);
	}
	if (a->role >= 0)
		p->role = a->role;
	if (swap_address(p, "email", a->email))
		which |= DUP_EMAIL;
	if (swap_address(p, "telegram", a->telegram))
		which |= DUP_TELEGRAM;
	if (swap_address(p, "zalo", a->zalo))
		which |= DUP_ZALO;
	if (a->phone) {
		char *phone = *a->phone ? person_phone_normalise(a->phone) : xstrdup("");

		/* check_addresses saw it is a number. */
		if (phone && swap_address(p, "phone", phone))
			which |= DUP_PHONE;
		free(phone);
	}
	if (a->lang) {
		free(p->lang);
		p->lang = xstrdup(a->lang);
	}
	if (a->digest >= 0)
		p->digest = a->digest;
	return which;
}

static bool
address_changed(const struct person *old, const struct person *p, const char *channel)
{
	const char *a = person_address(old, channel), *b = person_address(p, channel);

	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* The fields that differ, in Vietnamese, for the operator ("email, Telegram"). */
static char *
changes_vi(const struct person *old, const struct person *p)
{
	const struct {
		const char *label;
		bool changed;
	} f[] = {
		{ "họ tên", strcmp(old->name, p->name) != 0 },
		{ "cơ quan", old->agency_id != p->agency_id },
		{ "vai trò", old->role != p->role },
		{ "email", address_changed(old, p, "email") },
		{ "Telegram", address_changed(old, p, "telegram") },
		{ "Zalo", address_changed(old, p, "zalo") },
		{ "số điện thoại", address_changed(old, p, "phone") },
		{ "ngôn ngữ", strcmp(old->lang ? old->lang : "vi", p->lang ? p->lang : "vi") != 0 },
		{ "trạng thái", old->active != p->active },
		{ "nhận báo cáo tổng hợp", old->digest != p->digest },
	};
	char *out = xstrdup(""), *next;

	for (size_t i = 0; i < ELEMENTSOF(f); i++) {
		if (!f[i].changed)
			continue;
		next = xasprintf("%s%s%s", out, *out ? ", " : "", f[i].label);
		free(out);
		out = next;
	}
	return out;
}

/*
 * Writes p over old in one transaction (regop_person_set), refusing a
 * likely duplicate on the keys of which unless force; prints what was
 * done.  The exit status.
 */
static int
person_commit(struct dondoc *d, const char *cmd, const struct person *old, const struct person *p,
	      int which, bool force, bool json, const char *verb, bool fields)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	bool leaves = old->active && !p->active;
	int64_t feeds = 0;
	char *what = NULL;
	int r, ex = 0, k;

	r = store_begin(d->store);
	if (r == 0 && which && !force && (ex = refuse_duplicate_on(d, cmd, p, which)) != 0) {
		store_rollback(d->store);
		return ex;
	}
	if (r == 0)
		r = regop_person_set(d->store, old, p, &actor, clock_now(&d->clock));
	/* Someone who left must not keep reading the deadlines: their calendar links go. */
	if (r >= 0 && leaves) {
		k = feedlink_revoke_of_person(d->store, p, &actor, clock_now(&d->clock), &feeds);
		r = k < 0 ? k : r;
	}
	if (r >= 0) {
		int c = store_commit(d->store);

		r = c < 0 ? c : r;
	}
	if (r < 0)
		store_rollback(d->store);
	if (r == -EEXIST)
		return cli_error(cmd, EX_DATAERR, "one of these addresses belongs to someone else "
				 "already");
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	what = changes_vi(old, p);
	if (json) {
		json_t *o = json_pack("{s:o, s:b, s:s}", "person", person_json(p), "changed", r > 0,
				      "fields", what);

		if (leaves)
			json_object_set_new(o, "feeds_revoked", json_integer(feeds));
		cli_json_print(o);
	} else if (r == 0) {
		printf("Cán bộ #%lld (%s, %s) không thay đổi gì.\n", (long long)p->id, p->name,
		       p->agency_code);
	} else {
		printf("%s cán bộ #%lld: %s (%s)%s%s.\n", verb, (long long)p->id, p->name,
		       p->agency_code, fields ? ": " : "", fields ? what : "");
	}
	if (!json && feeds > 0)
		printf("Đã thu hồi %lld đường dẫn lịch của cán bộ này: các đường dẫn đó nay "
		       "trả lời 404.\n", (long long)feeds);
	free(what);
	return 0;
}

int
cmd_person_set(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "agency", required_argument, NULL, 'a' },
		{ "role", required_argument, NULL, 'r' },
		{ "email", required_argument, NULL, 'e' },
		{ "telegram", required_argument, NULL, 't' },
		{ "zalo", required_argument, NULL, 'z' },
		{ "phone", required_argument, NULL, 'p' },
		{ "lang", required_argument, NULL, 'l' },
		{ "digest", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct person_args a = { .role = -1, .digest = -1, .cmd = "person set" };
	struct person old = { 0 }, p = { 0 };
	struct agency ag = { 0 };
	char *name = NULL;
	int which, ex = 0;

	if (cli_parse(a.cmd, argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error(a.cmd, "give the number of one person");
	if (!(a.seen & ~((1u << ('j' - 'a')) | (1u << ('f' - 'a')))))
		return cli_usage_error(a.cmd, "nothing to change: give --name, --agency, --role, "
				       "--email, --telegram, --zalo, --phone, --lang or --digest");
	if ((ex = check_addresses(&a)) != 0)
		return ex;
	if (a.name) {
		name = norm_text(a.name);
		if (!name || !*name || strlen(name) > 200) {
			free(name);
			return cli_usage_error(a.cmd, "--name must be 1-200 bytes of UTF-8");
		}
	}
	if ((ex = cli_need_store(d)) != 0 || (ex = person_of(d, a.cmd, argv[optind], &old)) != 0) {
		free(name);
		return ex;
	}
	person_copy(&p, &old);
	which = apply_set(d, &a, name, &p, &ag);
	if (which < 0)
		ex = -which;
	else
		ex = person_commit(d, a.cmd, &old, &p, which, a.force, a.json, "Đã cập nhật", true);
	agency_release(&ag);
	person_release(&old);
	person_release(&p);
	return ex;
}

/*
 * "person deactivate|activate ID": active becomes on.  Someone brought
 * back is checked as a new person would be (unless --force): a duplicate
 * put aside must not come back to get every message twice.
 */
static int
person_switch(struct dondoc *d, const char *cmd, int argc, char **argv, bool on)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct person_args a = { .role = -1, .cmd = cmd };
	struct person old = { 0 }, p = { 0 };
	int ex = 0;

	if (cli_parse(cmd, argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error(cmd, "give the number of one person");
	if ((ex = cli_need_store(d)) != 0 || (ex = person_of(d, cmd, argv[optind], &old)) != 0)
		return ex;
	person_copy(&p, &old);
	p.active = on;
	ex = person_commit(d, cmd, &old, &p, on && !old.active ? DUP_ANY : 0, a.force, a.json,
			   on ? "Đã kích hoạt lại" : "Đã ngừng nhắc việc cho", false);
	person_release(&old);
	person_release(&p);
	return ex;
}

int
cmd_person_deactivate(struct dondoc *d, int argc, char **argv)
{
	return person_switch(d, "person deactivate", argc, argv, false);
}

int
cmd_person_activate(struct dondoc *d, int argc, char **argv)
{
	return person_switch(d, "person activate", argc, argv, true);
}

/* Why a person cannot go: what refers to them, in words ("2 history events, ..."). */
static char *
refs_text(const struct person_refs *f)
{
	const struct {
		int64_t n;
		const char *what;
	} v[] = {
		{ f->events, "history event" }, { f->messages, "outbox message" },
		{ f->notices, "reminder" }, { f->task_records, "task record" },
		{ f->codes, "chat link code" },
	};
	char *out = xstrdup(""), *next;

	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		if (!v[i].n)
			continue;
		next = xasprintf("%s%s%lld %s%s", out, *out ? ", " : "", (long long)v[i].n,
				 v[i].what, v[i].n > 1 ? "s" : "");
		free(out);
		out = next;
	}
	return out;
}

int
cmd_person_remove(struct dondoc *d, int argc, char **argv)
{
	struct actor actor = { .name = d->actor, .channel = "cli" };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct person_args a = { .role = -1, .cmd = "person remove" };
	struct person_refs refs = { 0 };
	struct person p = { 0 };
	char *why;
	int r, ex = 0;

	if (cli_parse(a.cmd, argc, argv, opts, person_opt, &a, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error(a.cmd, "give the number of one person");
	if ((ex = cli_need_store(d)) != 0 || (ex = person_of(d, a.cmd, argv[optind], &p)) != 0)
		return ex;
	r = store_begin(d->store);
	if (r == 0)
		r = regop_person_remove(d->store, &p, &actor, clock_now(&d->clock), &refs);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -EBUSY) {
		why = refs_text(&refs);
		ex = cli_error(a.cmd, EX_DATAERR, "person %lld (%s) is referred to by %s: not "
			       "removed; 'dondoc person deactivate %lld' stops their reminders",
			       (long long)p.id, p.name, why, (long long)p.id);
		free(why);
	} else if (r < 0) {
		ex = cli_error(a.cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	} else if (a.json) {
		json_t *o = json_pack("{s:o, s:b}", "person", person_json(&p), "removed", 1);

		cli_json_print(o);
	} else {
		printf("Đã xoá cán bộ #%lld: %s (%s).\n", (long long)p.id, p.name, p.agency_code);
	}
	person_release(&p);
	return ex;
}
