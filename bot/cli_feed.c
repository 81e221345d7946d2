/* SPDX-License-Identifier: MIT */
/*
 * "dondoc feed create|list|revoke": calendar feeds (feed.h).  A feed's
 * token is printed once, when it is made: the registry keeps its hash, so
 * a lost link is revoked and made again, never shown again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "feed.h"
#include "feedlink.h"
#include "registry.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

static json_t *
json_time(int64_t t)
{
	char s[32];

	if (t <= 0)
		return json_null();
	clock_format_local((time_t)t, s);
	return json_string(s);
}

/* s as JSON: null for none, and for a text jansson refuses (not UTF-8): --json never breaks. */
static json_t *
text_json(const char *s)
{
	json_t *j = s ? json_string(s) : NULL;

	return j ? j : json_null();
}

/* A feed as --json shows it (a new object). */
static json_t *
feed_json(const struct feed *f)
{
	json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
			      "id", (json_int_t)f->id, "kind", feed_kind_name(f->kind),
			      "target", f->kind == FEED_ALL || f->target < 0 ? json_null() : json_integer(f->target),
			      "target_name", text_json(f->target_name),
			      "created", json_time(f->created_at),
			      "created_by", f->created_by ? json_integer(f->created_by) : json_null(),
			      "revoked", json_time(f->revoked_at),
			      "fetched", json_time(f->fetched_at),
			      "client", text_json(f->client),
			      "fetches", (json_int_t)f->fetches);

	return o;
}

/* --- feed create -------------------------------------------------------------------------- */

struct create_args {
	int kinds;		/* how many of --agency, --person, --document, --all */
	enum feed_kind kind;
	const char *target;
	bool json;
};

static int
create_opt(int c, const char *arg, void *userdata)
{
	struct create_args *a = userdata;

	switch (c) {
	case 'a':
	case 'p':
	case 'd':
	case 'A':
		a->kinds++;
		a->kind = c == 'a' ? FEED_AGENCY : c == 'p' ? FEED_PERSON :
			  c == 'd' ? FEED_DOCUMENT : FEED_ALL;
		a->target = arg;
		break;
	case 'j':
		a->json = true;
		break;
	}
	return 0;
}

/* The id a's target names: 0 with *ret, or an exit status after a line on stderr. */
static int
create_target(struct dondoc *d, const struct create_args *a, int64_t *ret)
{
	const char *cmd = "feed create";
	struct agency ag = { 0 };
	struct person p = { 0 };
	int r;

	switch (a->kind) {
	case FEED_AGENCY:
		r = store_agency_lookup(d->store, a->target, &ag);
		if (r == -ENOENT)
			return cli_error(cmd, EX_DATAERR, "no agency '%s' (see 'dondoc agency list')",
					 a->target);
		*ret = ag.id;
		agency_release(&ag);
		break;
	case FEED_PERSON:
		if (cli_parse_int(a->target, 1, INT64_MAX, ret) < 0)
			return cli_usage_error(cmd, "--person takes a person's number "
					       "(see 'dondoc person list')");
		r = store_person_get(d->store, *ret, &p);
		if (r == -ENOENT)
			return cli_error(cmd, EX_DATAERR, "no person %s (see 'dondoc person list')",
					 a->target);
		person_release(&p);
		break;
	case FEED_DOCUMENT:
		r = store_document_find(d->store, a->target, ret);
		if (r == -ENOENT)
			return cli_error(cmd, EX_DATAERR, "no document '%s' (its number as the "
					 "imported table wrote it, e.g. '328-KH/TU')", a->target);
		break;
	default:
		*ret = 0;
		r = 0;
		break;
	}
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_strerror(d->store, r));
	return 0;
}

int
cmd_feed_create(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "person", required_argument, NULL, 'p' },
		{ "document", required_argument, NULL, 'd' },
		{ "all", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *cmd = "feed create";
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct create_args a = { 0 };
	char token[FEED_TOKEN_LEN + 1];
	char *url = NULL, *webcal = NULL;
	struct feed f = { 0 };
	int64_t target = 0;
	int r, ex = 0;

	if (cli_parse(cmd, argc, argv, opts, create_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (a.kinds != 1)
		return cli_usage_error(cmd, "give one of --agency A, --person ID, --document NUMBER "
				       "or --all");
	if ((ex = cli_need_config(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	r = store_begin(d->store);
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_errmsg(d->store));
	ex = create_target(d, &a, &target);
	if (ex == 0) {
		r = feedlink_create(d->store, a.kind, target, &actor, clock_now(&d->clock), token,
				    &f, NULL);
		if (r == 0)
			r = store_commit(d->store);
		if (r < 0)
			ex = cli_error(cmd, cli_exit_code(r), "cannot make the feed: %s",
				       store_strerror(d->store, r));
	}
	if (ex != 0) {
		store_rollback(d->store);
		explicit_bzero(token, sizeof(token));
		return ex;
	}
	url = feedlink_url(d->cfg->public_url, token);
	webcal = feedlink_webcal(url);
	explicit_bzero(token, sizeof(token));
	if (!d->cfg->public_url)
		fprintf(stderr, "dondoc %s: warning: [http] public_url is not set: the link is only "
			"a path; set public_url to the address calendar apps reach this server at\n",
			cmd);
	if (a.json) {
		json_t *o = feed_json(&f);

		json_object_set_new(o, "url", json_string(url));
		json_object_set_new(o, "webcal", webcal ? json_string(webcal) : json_null());
		cli_json_print(o);
	} else {
		printf("Feed %lld (%s%s%s): the link is shown this once, only its hash is kept.\n",
		       (long long)f.id, feed_kind_name(f.kind), f.target_name ? ": " : "",
		       f.target_name ? f.target_name : "");
		printf("%s\n", url);
		if (webcal)
			printf("%s\n", webcal);
		printf("Lost it? 'dondoc feed revoke %lld', then make another.\n", (long long)f.id);
	}
	feed_release(&f);
	free(url);
	free(webcal);
	return 0;
}

/* --- feed list ---------------------------------------------------------------------------- */

struct list_state {
	bool json;
	struct cli_table *table;
	size_t n;
};

static int
list_one(const struct feed *f, void *userdata)
{
	struct list_state *st = userdata;
	char id[24], created[32], revoked[32] = "", fetched[32] = "never", fetches[24];

	if (st->json) {
		cli_json_item(feed_json(f), st->n++);
		return 0;
	}
	snprintf(id, sizeof(id), "%lld", (long long)f->id);
	clock_format_local((time_t)f->created_at, created);
	if (f->revoked_at)
		clock_format_local((time_t)f->revoked_at, revoked);
	if (f->fetched_at)
		clock_format_local((time_t)f->fetched_at, fetched);
	snprintf(fetches, sizeof(fetches), "%lld", (long long)f->fetches);
	cli_table_add(st->table, (const char *[]){ id, feed_kind_name(f->kind),
			f->kind == FEED_ALL ? "(all)" : f->target_name ? f->target_name : "(gone)",
			created, revoked, fetched, f->client ? f->client : "", fetches });
	st->n++;
	return 0;
}

int
cmd_feed_list(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	static const char *const header[] = { "ID", "KIND", "TARGET", "CREATED", "REVOKED",
					      "LAST FETCH", "CLIENT", "FETCHES" };
	struct list_state st = { 0 };
	int r, ex = 0;

	if (cli_parse("feed list", argc, argv, opts, cli_json_opt, &st.json, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("feed list", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (st.json) {
		cli_json_begin();
	} else {
		st.table = cli_table_new(ELEMENTSOF(header));
		cli_table_add(st.table, header);
	}
	r = store_feed_foreach(d->store, list_one, &st);
	if (st.json)
		cli_json_end(st.n);
	else
		cli_table_print(st.table);
	cli_table_free(st.table);
	if (r < 0)
		return cli_error("feed list", cli_exit_code(r), "%s", store_errmsg(d->store));
	return 0;
}

/* --- feed revoke -------------------------------------------------------------------------- */

int
cmd_feed_revoke(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *cmd = "feed revoke";
	struct actor actor = { .name = d->actor, .channel = "cli" };
	struct feed f = { 0 };
	bool json = false;
	int64_t id = 0;
	int r, ex = 0;

	if (cli_parse(cmd, argc, argv, opts, cli_json_opt, &json, &ex))
		return ex;
	if (optind >= argc || cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error(cmd, "give the number of one feed (see 'dondoc feed list')");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = store_begin(d->store);
	if (r == 0)
		r = feedlink_revoke(d->store, id, &actor, clock_now(&d->clock), NULL);
	if (r == 0)
		r = store_commit(d->store);
	if (r < 0)
		store_rollback(d->store);
	if (r == -ENOENT)
		return cli_error(cmd, EX_DATAERR, "no feed %lld (see 'dondoc feed list')",
				 (long long)id);
	if (r == -EALREADY) {
		char at[32] = "?";

		if (store_feed_get(d->store, id, &f) == 0)
			clock_format_local((time_t)f.revoked_at, at);
		feed_release(&f);
		return cli_error(cmd, EX_DATAERR, "feed %lld was revoked already, on %s",
				 (long long)id, at);
	}
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "cannot revoke feed %lld: %s", (long long)id,
				 store_strerror(d->store, r));
	r = store_feed_get(d->store, id, &f);
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "%s", store_strerror(d->store, r));
	if (json)
		cli_json_print(feed_json(&f));
	else
		printf("Revoked feed %lld: its link now answers 404.\n", (long long)id);
	feed_release(&f);
	return 0;
}
