/* SPDX-License-Identifier: MIT */
/*
 * "dondoc send-test" and "dondoc doctor": what an operator runs after
 * writing the configuration, before trusting the daemon with reminders.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <jansson.h>

#include "buf.h"
#include "channels.h"
#include "cli.h"
#include "config.h"
#include "mime.h"
#include "registry.h"
#include "regop.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "tgbot.h"
#include "xalloc.h"
#include "zalo.h"

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
	struct address one;
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
	one = (struct address){ .channel = (char *)"email", .value = (char *)addr };
	p.name = (char *)addr;
	p.addresses = &one;
	p.n_addresses = 1;
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

static int doctor_data(struct store *s, const struct channels *cs);
static int doctor_zalo(const struct dondoc *d, struct store *s);
static void doctor_zalo_window(const struct dondoc *d, struct store *s);

int
cmd_doctor(struct dondoc *d, int argc, char **argv)
{
	struct store *s = NULL;
	struct schedule *sch = NULL;
	struct renderer *rend = NULL;
	struct channels *cs = NULL;
	char *msg = NULL, *line = NULL;
	const char *db;
	int r, ex = 0, bad = 0, data = 0;

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
		channels_use_store(cs, s);
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
	bad += doctor_zalo(d, s);
	doctor_zalo_window(d, s);
	/* What the registry holds that reminders cannot work around (issue 12). */
	if (s) {
		data = doctor_data(s, cs);
		bad += data < 0;	/* it said which check could not run */
	}
	channels_free(cs);
	renderer_free(rend);
	schedule_free(sch);
	store_close(s);
	if (bad)
		printf("%d problem%s: dondoc serve would not start or not deliver\n", bad,
		       bad > 1 ? "s" : "");
	else if (data > 0)
		printf("dondoc serve can run; %d data warning%s above: some reminders would reach "
		       "nobody\n", data, data > 1 ? "s" : "");
	else
		printf("all good; 'dondoc send-test --email ADDRESS' sends a test message\n");
	return bad ? 1 : 0;
}

/* --- the Zalo OA's secrets and tokens (issue 14) --------------------------- */

/*
 * The "zalo" line when [zalo] is configured: the secrets can be read, a
 * refresh token is stored and was not refused, and when the access token
 * expires.  Returns the number of problems (0 or 1).
 */
static int
doctor_zalo(const struct dondoc *d, struct store *s)
{
	struct zalo_token_status st = { 0 };
	int64_t now = clock_now(&d->clock);
	char *msg = NULL, *line = NULL, exp[32], err[32];
	bool ok;
	int r;

	if (!d->cfg->zalo_app_id)
		return 0;
	r = config_read_zalo_secrets(d->cfg, NULL, NULL, &msg);
	if (r < 0) {
		report(false, "zalo", msg);
		free(msg);
		return 1;
	}
	if (!s)
		return 0;	/* the registry line said why */
	r = zalo_token_status(s, &st);
	if (r < 0) {
		report(false, "zalo", store_strerror(s, r));
		return 1;
	}
	clock_format_local((time_t)st.expires_at, exp);
	clock_format_local((time_t)st.error_at, err);
	ok = st.has_refresh && !(st.error && st.error_final);
	if (!st.has_refresh)
		line = xstrdup("no refresh token: run 'dondoc zalo set-token TOKEN' with the token of "
			       "the OA's consent");
	else if (st.error && st.error_final)
		line = xasprintf("the token refresh of %s was refused (%s): the OA's admin must "
				 "consent again, then run 'dondoc zalo set-token'", err, st.error);
	else
		line = xasprintf("%s%s%s%s%s", !st.has_access ? "no access token yet (the next "
				 "call refreshes it)" : st.expires_at > now ? "access token expires " :
				 "access token expired ", st.has_access ? exp : "",
				 st.error ? "; the last refresh failed at " : "", st.error ? err : "",
				 st.error ? ", will retry" : "");
	if (st.error && !st.error_final) {
		char *more = xasprintf("%s: %s", line, st.error);

		free(line);
		line = more;
	}
	report(ok, "zalo", line);
	free(line);
	zalo_token_status_release(&st);
	return ok ? 0 : 1;
}

/* Names up to this many people out of Zalo's window on the doctor's line. */
#define WINDOW_NAMES 5

struct window_count {
	int64_t now, window;
	int on_zalo;		/* active people with a Zalo id that works */
	int closed;		/* of whom out of the window */
	struct buf names;	/* "Nguyễn Văn An (12), ..." for the first WINDOW_NAMES */
};

static int
count_window(const struct person *p, void *userdata)
{
	struct window_count *w = userdata;
	const char *state = p->active ? person_window_state(p, "zalo", w->now, w->window) : NULL;

	if (!state)
		return 0;
	w->on_zalo++;
	if (strcmp(state, "closed") != 0)
		return 0;
	if (w->closed < WINDOW_NAMES)
		(void)buf_addf(&w->names, "%s%s (%lld)", w->closed ? ", " : "", p->name,
			       (long long)p->id);
	w->closed++;
	return 0;
}

/*
 * The "zalo-window" line when [zalo] is configured and someone has a Zalo
 * id: how many active people with one are out of its interaction window
 * (CHAT-APIS.md B3: Zalo sends them nothing; they get reminders another
 * way until they write to the OA), naming the first few.  Information,
 * not a problem: it changes neither the exit status nor the warnings.
 */
static void
doctor_zalo_window(const struct dondoc *d, struct store *s)
{
	struct window_count w = { .now = clock_now(&d->clock), .window = d->cfg->zalo_window };
	char span[32];
	int r;

	if (!d->cfg->zalo_app_id || !s)
		return;
	buf_init(&w.names, 4096);
	r = store_person_foreach(s, count_window, &w);
	if (w.window % 86400 == 0)
		snprintf(span, sizeof(span), "%lld-day", (long long)(w.window / 86400));
	else
		snprintf(span, sizeof(span), "%lld-hour", (long long)(w.window / 3600));
	if (r < 0)
		report(false, "zalo-window", store_errmsg(s));
	else if (w.closed)
		printf("%-4s %-12s %d of %d people on Zalo %s out of its %s window (no message to "
		       "the OA in that time): %s%s; they get reminders another way, asked to write "
		       "to the OA ('dondoc person list --zalo-closed')\n", "info", "zalo-window",
		       w.closed, w.on_zalo, w.closed > 1 ? "are" : "is", span, w.names.p,
		       w.closed > WINDOW_NAMES ? ", ..." : "");
	else if (w.on_zalo)
		printf("%-4s %-12s all %d people on Zalo wrote to the OA within its %s window\n",
		       "ok", "zalo-window", w.on_zalo, span);
	buf_release(&w.names);
}

/* --- the registry's data (issue 12) -------------------------------------- */

/*
 * Data problems do not stop "dondoc serve", so they do not change the exit
 * status: each is a "warn" line that names what is wrong and the command
 * that fixes it.
 */
static void
warn(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("%-4s %-12s ", "warn", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

struct data_check {
	struct store *s;
	const struct channels *cs;
	bool real_channels;	/* a channel besides the outbox directory is configured */
	int n;			/* warnings so far */
	int64_t *agencies;	/* the agencies' ids */
	size_t n_agencies;
};

static int
collect_agency(const struct agency *a, void *userdata)
{
	struct data_check *c = userdata;

	c->agencies = xgrowarray(c->agencies, c->n_agencies, sizeof(*c->agencies));
	c->agencies[c->n_agencies++] = a->id;
	return 0;
}

/* An agency that leads open tasks needs an active focal point and head to remind. */
static int
check_agency_roles(struct data_check *c, int64_t id)
{
	static const struct {
		enum person_role role;
		const char *who;
	} need[] = { { ROLE_FOCAL, "focal point" }, { ROLE_HEAD, "head" } };
	char *code = NULL, *name = NULL;
	int64_t open = 0, n;
	int r;

	r = store_agency_lead_count(c->s, id, &code, &name, &open);
	for (size_t i = 0; r == 0 && open > 0 && i < ELEMENTSOF(need); i++) {
		n = store_agency_count_role(c->s, id, need[i].role);
		if (n < 0)
			r = (int)n;
		else if (n == 0 && ++c->n)
			warn("agency", "%s (%s) leads %lld open task%s and has no active %s: dondoc "
			     "person add --agency %s --role %s --name \"Họ và tên\" --email ADDRESS "
			     "(or 'dondoc person set ID --agency %s --role %s')", code, name,
			     (long long)open, open > 1 ? "s" : "", need[i].who, code,
			     person_role_to_string(need[i].role), code,
			     person_role_to_string(need[i].role));
	}
	free(code);
	free(name);
	return r == -ENOENT ? 0 : r;
}

/* True when p has an address that works on some channel, configured or not. */
static bool
has_address(const struct person *p)
{
	return person_reachable(p, "email") || person_reachable(p, "telegram") ||
	       person_reachable(p, "zalo");
}

/* True when one of p's addresses was refused for good. */
static bool
has_broken(const struct person *p)
{
	for (size_t i = 0; i < p->n_addresses; i++)
		if (p->addresses[i].broken_at)
			return true;
	return false;
}

static int
check_person(const struct person *p, void *userdata)
{
	struct data_check *c = userdata;

	if (!p->active)
		return 0;
	if (!has_address(p)) {
		c->n++;
		warn("person", "%lld (%s, %s) has no address that works%s: dondoc person set %lld "
		     "--email ADDRESS (or --telegram CHAT_ID; 'dondoc person invite %lld' links a "
		     "chat)", (long long)p->id, p->name, p->agency_code,
		     has_broken(p) ? " (one was refused for good)" : "",
		     (long long)p->id, (long long)p->id);
	} else if (c->real_channels && c->cs && !channels_pick_other(c->cs, p, "file")) {
		c->n++;
		warn("person", "%lld (%s, %s) has no address a configured channel reaches: dondoc "
		     "person set %lld --email ADDRESS (or configure the channel of the address "
		     "they have)", (long long)p->id, p->name, p->agency_code, (long long)p->id);
	}
	return 0;
}

static int
check_pair(const struct person *a, const struct person *b, int why, void *userdata)
{
	struct data_check *c = userdata;

	/* A deactivated record is how a duplicate is put aside: no longer one. */
	if (!a->active || !b->active)
		return 0;
	c->n++;
	warn("person", "%lld (%s, %s) and %lld (%s, %s) look like one person (the same %s): "
	     "dondoc person deactivate %lld (or, if they are two people, 'dondoc person set %lld "
	     "...' to tell them apart)", (long long)a->id, a->name, a->agency_code,
	     (long long)b->id, b->name, b->agency_code,
	     why == DUP_NAME ? "name in the same agency" : regop_dup_name(why), (long long)b->id,
	     (long long)b->id);
	return 0;
}

static int
check_task(const struct task *t, void *userdata)
{
	struct data_check *c = userdata;

	if (t->n_leads > 0 || t->status == TASK_DONE || t->status == TASK_POSTPONED)
		return 0;
	c->n++;
	warn("task", "%lld (%s) has no lead agency, so nobody is reminded: fill its lead-agency "
	     "cell and import its table again (dondoc import FILE)", (long long)t->id, t->code);
	return 0;
}

/*
 * The data checks: agencies with open tasks and no active focal point or
 * head, active people no channel reaches, likely duplicate people, open
 * tasks without a lead agency.  Returns how many warnings, or -errno.
 */
static int
doctor_data(struct store *s, const struct channels *cs)
{
	struct data_check c = { .s = s, .cs = cs };
	char *desc = cs ? channels_describe(cs) : NULL;
	int r;

	c.real_channels = desc && strcmp(desc, "file") != 0;
	free(desc);
	r = store_agency_foreach(s, collect_agency, &c);
	for (size_t i = 0; r >= 0 && i < c.n_agencies; i++)
		r = check_agency_roles(&c, c.agencies[i]);
	if (r >= 0)
		r = store_person_foreach(s, check_person, &c);
	if (r >= 0)
		r = regop_duplicates_foreach(s, check_pair, &c);
	if (r >= 0)
		r = store_task_foreach(s, NULL, check_task, &c);
	free(c.agencies);
	if (r < 0) {
		report(false, "data", store_errmsg(s));
		return r;
	}
	if (c.n == 0)
		report(true, "data", "every agency with open tasks has a focal point and a head; "
		       "everyone is reachable; no likely duplicates");
	return c.n;
}
