/* SPDX-License-Identifier: MIT */
/*
 * "dondoc send-test" and "dondoc doctor": what an operator runs after
 * writing the configuration, before trusting the daemon with reminders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <jansson.h>

#include "channels.h"
#include "cli.h"
#include "config.h"
#include "mime.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "tgbot.h"
#include "xalloc.h"

static int
email_opt(int c, const char *arg, void *userdata)
{
	if (c == 'e')
		*(const char **)userdata = arg;
	return 0;
}

int
cmd_send_test(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ 0 },
	};
	struct renderer *rend = NULL;
	struct rendered text = { 0 };
	struct person p = { 0 };
	struct outgoing o;
	json_t *data = NULL;
	const char *addr = NULL;
	char *msg = NULL, *err = NULL, today[16];
	int r, ex = 0, retry = 0;
	enum delivery dl;

	if (cli_parse("send-test", argc, argv, opts, email_opt, &addr, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("send-test", "unexpected argument '%s'", argv[optind]);
	if (!addr)
		return cli_usage_error("send-test", "give --email ADDRESS");
	if (!mime_address_ok(addr))
		return cli_usage_error("send-test", "'%s' is not an email address", addr);
	if ((ex = cli_need_schedule(d)) != 0)
		return ex;
	if (!channels_has(d->cs, "email"))
		return cli_error("send-test", EX_CONFIG, "email is not configured (no [smtp] host in '%s')",
				 d->cfg->path ? d->cfg->path : "the built-in defaults");
	r = renderer_load(d->cfg->templates, &rend, &msg);
	if (r < 0) {
		msg = config_data_error(d->cfg, "templates", msg ? msg : xstrdup(strerror(-r)));
		ex = cli_error("send-test", EX_CONFIG, "%s", msg ? msg : strerror(-r));
		goto out;
	}
	p.name = (char *)addr;
	p.email = (char *)addr;
	p.lang = (char *)"vi";
	render_day(clock_today(&d->clock), today);
	data = json_pack("{s:{s:s, s:s, s:s}, s:s, s:{s:s, s:s}}", "person", "name", addr, "agency", "",
			 "role", "viewer", "today", today, "app", "name", "Hệ thống đôn đốc", "url", "");
	r = renderer_render(rend, "vi", "test", data, &text);
	if (r < 0) {
		ex = cli_error("send-test", EX_CONFIG, "cannot render the test message: %s", strerror(-r));
		goto out;
	}
	o = (struct outgoing){ .kind = "test", .to = &p, .subject = text.subject, .body = text.text,
			       .html = text.html };
	dl = channels_send(d->cs, "email", &o, &retry, &err);
	if (dl == DELIVERY_SENT) {
		printf("test message sent to %s\n", addr);
	} else {
		ex = cli_error("send-test", dl == DELIVERY_RETRY ? EX_TEMPFAIL : EX_DATAERR,
			       "not sent (%s): %s", dl == DELIVERY_RETRY ? "it may work later"
			       : "the server refused it for good", err ? err : "no reason given");
	}
out:
	json_decref(data);
	rendered_release(&text);
	renderer_free(rend);
	free(msg);
	free(err);
	return ex;
}

/* One line of the doctor's report. */
static void
report(bool ok, const char *what, const char *detail)
{
	printf("%-4s %-12s %s\n", ok ? "ok" : "FAIL", what, detail);
}

static void
check_one(const char *name, int r, const char *msg, void *userdata)
{
	(void)userdata;
	report(r >= 0, name, msg);
}

int
cmd_doctor(struct dondoc *d, int argc, char **argv)
{
	struct store *s = NULL;
	struct schedule *sch = NULL;
	struct renderer *rend = NULL;
	struct channels *cs = NULL;
	char *msg = NULL, *line = NULL;
	const char *db;
	int r, ex = 0, bad = 0;

	if (cli_parse("doctor", argc, argv, NULL, NULL, NULL, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);
	if ((ex = cli_need_config(d)) != 0)
		return ex;
	report(true, "config", d->cfg->path ? d->cfg->path : "(built-in defaults)");

	db = d->db_path_given ? d->db_path : d->cfg->db;
	r = store_open(db, STORE_READ, &s, &msg);
	line = r < 0 ? xasprintf("%s", msg) : xasprintf("%s (schema %d)", db, STORE_SCHEMA_VERSION);
	report(r >= 0, "registry", line);
	bad += r < 0;
	free(line);
	free(msg);
	msg = NULL;

	r = schedule_load(d->cfg->schedules, clock_today(&d->clock), &sch, &msg);
	if (r < 0)
		msg = config_data_error(d->cfg, "schedules", msg ? msg : xstrdup(strerror(-r)));
	line = r < 0 ? xasprintf("%s", msg) : xasprintf("%s/policy.ini%s%s", d->cfg->schedules,
			sch->holidays_path ? ", holidays " : "", sch->holidays_path ? sch->holidays_path : "");
	report(r >= 0, "schedules", line);
	bad += r < 0;
	free(line);
	free(msg);
	msg = NULL;

	r = renderer_load(d->cfg->templates, &rend, &msg);
	if (r < 0)
		msg = config_data_error(d->cfg, "templates", msg ? msg : xstrdup(strerror(-r)));
	line = r < 0 ? xasprintf("%s", msg) : xasprintf("%s", d->cfg->templates);
	report(r >= 0, "templates", line);
	bad += r < 0;
	free(line);
	free(msg);
	msg = NULL;

	/* Opening the channels checks the outbox and reads the SMTP secret. */
	r = channels_open(d->cfg, &cs, &msg);
	if (r < 0) {
		report(false, "channels", msg);
		bad++;
	} else {
		line = channels_describe(cs);
		report(true, "channels", line);
		free(line);
		bad += channels_check(cs, check_one, NULL);
	}
	free(msg);
	msg = NULL;

	/* Webhook mode: a secret Telegram takes, and what Telegram says of the webhook. */
	if (d->cfg->telegram_token_file && STREQ(d->cfg->telegram_mode, "webhook")) {
		char *secret = NULL, *url = NULL, *wanted = NULL;

		r = config_read_webhook_secret(d->cfg, &secret, &msg);
		report(r >= 0, "webhook", r < 0 ? msg : "secret: 1-256 of A-Z a-z 0-9 _ -");
		bad += r < 0;
		if (secret) {
			explicit_bzero(secret, strlen(secret));
			free(secret);
		}
		free(msg);
		msg = NULL;
		line = NULL;
		r = tgbot_webhook_info(d->cfg, &line, &wanted, &msg);
		/* Another URL: dondoc's setWebhook has not gone through (its log says why). */
		url = config_webhook_url(d->cfg);
		if (r >= 0 && url && !STREQ(url, wanted)) {
			msg = xasprintf("%s; dondoc serve sets '%s'", line, url);
			r = -ESTALE;
		}
		report(r >= 0, "webhook", r < 0 ? msg : line);
		bad += r < 0;
		free(url);
		free(wanted);
		free(line);
		free(msg);
		msg = NULL;
	}
	channels_free(cs);
	renderer_free(rend);
	schedule_free(sch);
	store_close(s);
	if (bad)
		printf("%d problem%s: dondoc serve would not start or not deliver\n", bad,
		       bad > 1 ? "s" : "");
	else
		printf("all good; 'dondoc send-test --email ADDRESS' sends a test message\n");
	return bad ? 1 : 0;
}
