/* SPDX-License-Identifier: MIT */
/*
 * "dondoc zalo set-token|refresh|status": the Zalo OA's tokens, which live
 * in the registry (zalo.h).  No command ever prints a token.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "store.h"
#include "xalloc.h"
#include "zalo.h"

#define TOKEN_LINE_MAX 8192

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ 0 },
};

/* "-": one line of stdin, so that the token stays out of the shell's history. */
static char *
token_arg(const char *arg)
{
	char line[TOKEN_LINE_MAX];
	size_t n;

	if (!STREQ(arg, "-"))
		return xstrdup(arg);
	if (!fgets(line, sizeof(line), stdin))
		return NULL;
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	return xstrdup(line);
}

int
cmd_zalo_set_token(struct dondoc *d, int argc, char **argv)
{
	const char *cmd = "zalo set-token";
	bool json = false;
	char *token = NULL;
	int r, ex = 0;

	if (cli_parse(cmd, argc, argv, json_opts, cli_json_opt, &json, &ex))
		return ex;
	if (argc - optind != 1)
		return cli_usage_error(cmd, "give one refresh token (or '-' to read it from stdin)");
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	token = token_arg(argv[optind]);
	r = token ? zalo_set_token(d->store, token) : -EINVAL;
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (r == -EINVAL)
		return cli_usage_error(cmd, "the refresh token is empty, too long or has spaces or "
				       "control characters in it");
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "cannot store the token: %s",
				 store_strerror(d->store, r));
	if (json)
		cli_json_print(json_pack("{s:b, s:b}", "refresh_token", 1, "access_token", 0));
	else
		printf("Stored the Zalo refresh token; any access token was dropped. The next "
		       "call to Zalo refreshes it ('dondoc zalo refresh' does it now).\n");
	return 0;
}

int
cmd_zalo_refresh(struct dondoc *d, int argc, char **argv)
{
	const char *cmd = "zalo refresh";
	struct zalo_token_status st = { 0 };
	struct zalo *z = NULL;
	char *msg = NULL, when[32];
	int r, ex = 0;

	if (cli_parse(cmd, argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_config(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	r = zalo_new(d->cfg, &z, &msg);
	if (r < 0) {
		ex = cli_error(cmd, EX_CONFIG, "%s", msg ? msg : strerror(-r));
		free(msg);
		return ex;
	}
	zalo_use_store(z, d->store);
	r = zalo_refresh(z, &msg);
	zalo_free(z);
	if (r < 0) {
		ex = cli_error(cmd, 1, "the refresh failed: %s", msg ? msg : strerror(-r));
		free(msg);
		return ex;
	}
	if (zalo_token_status(d->store, &st) == 0 && st.expires_at > 0)
		clock_format_local((time_t)st.expires_at, when);
	else
		snprintf(when, sizeof(when), "?");
	printf("%s; the access token expires %s.\n",
	       r == 1 ? "Another process refreshed the Zalo token meanwhile (nothing sent)" :
	       "Refreshed the Zalo token", when);
	zalo_token_status_release(&st);
	return 0;
}

static json_t *
json_time(int64_t t)
{
	char s[32];

	if (t <= 0)
		return json_null();
	clock_format_local((time_t)t, s);
	return json_string(s);
}

int
cmd_zalo_status(struct dondoc *d, int argc, char **argv)
{
	const char *cmd = "zalo status";
	struct zalo_token_status st = { 0 };
	int64_t now = clock_now(&d->clock);
	bool json = false;
	char t1[32], t2[32];
	int r, ex = 0;

	if (cli_parse(cmd, argc, argv, json_opts, cli_json_opt, &json, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	r = zalo_token_status(d->store, &st);
	if (r < 0)
		return cli_error(cmd, cli_exit_code(r), "cannot read the tokens: %s",
				 store_strerror(d->store, r));
	if (json) {
		json_t *o = json_pack("{s:b, s:b, s:o, s:o, s:o, s:o, s:o}",
				      "refresh_token", st.has_refresh, "access_token", st.has_access,
				      "expires_at", json_time(st.expires_at),
				      "expires_in", st.expires_at ? json_integer(st.expires_at - now) :
				      json_null(),
				      "refreshed_at", json_time(st.refreshed_at),
				      "error", st.error ? json_string(st.error) : json_null(),
				      "error_at", json_time(st.error_at));

		json_object_set_new(o, "error_final", json_boolean(st.error && st.error_final));
		cli_json_print(o);
		zalo_token_status_release(&st);
		return 0;
	}
	printf("refresh token  %s\n", st.has_refresh ? "stored" :
	       "none: run 'dondoc zalo set-token TOKEN'");
	if (st.has_access) {
		clock_format_local((time_t)st.expires_at, t1);
		printf("access token   %s %s\n", st.expires_at > now ? "expires" : "expired", t1);
	} else {
		printf("access token   none yet: the next call to Zalo refreshes it\n");
	}
	if (st.refreshed_at > 0) {
		clock_format_local((time_t)st.refreshed_at, t2);
		printf("last refresh   %s\n", t2);
	} else {
		printf("last refresh   never\n");
	}
	if (st.error) {
		clock_format_local((time_t)st.error_at, t1);
		printf("last error     %s: %s%s\n", t1, st.error,
		       st.error_final ? " (refused: the OA's admin must consent again, then "
		       "'dondoc zalo set-token')" : "");
	}
	zalo_token_status_release(&st);
	return 0;
}
