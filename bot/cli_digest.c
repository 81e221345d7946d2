/* SPDX-License-Identifier: MIT */
/*
 * "dondoc digest": the committee's periodic report (digest.h) written to
 * files for a look before it goes out (--preview, --text, --xlsx), or
 * queued in the outbox now (--send, digestq.h).  The period is named
 * (--period, span.h, in the policy's cut-off windows when it sets one) or
 * runs since the previous digest.  Every check is made before anything is
 * written or queued, and the files appear whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "digest.h"
#include "digestq.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "span.h"
#include "store.h"
#include "xalloc.h"
#include "xlsx.h"

#define CMD "digest"

struct digest_args {
	const char *html, *text, *xlsx;	/* --preview, --text, --xlsx */
	const char *period, *of, *at, *agency, *to;
	bool send;
};

static int
digest_opt(int c, const char *arg, void *userdata)
{
	struct digest_args *a = userdata;

	switch (c) {
	case 'p':
		a->html = arg;
		break;
	case 'T':
		a->text = arg;
		break;
	case 'x':
		a->xlsx = arg;
		break;
	case 'P':
		a->period = arg;
		break;
	case 'o':
		a->of = arg;
		break;
	case 'A':
		a->at = arg;
		break;
	case 'a':
		a->agency = arg;
		break;
	case 's':
		a->send = true;
		break;
	case 't':
		a->to = arg;
		break;
	}
	return 0;
}

/* "2025-09" or "9/2025": the first day of that month; 0 or -EINVAL. */
static int
parse_month(const char *s, struct date *ret)
{
	int m, y, n = 0;

	if (!((sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7 && s[4] == '-') ||
	      (sscanf(s, "%2d/%4d%n", &m, &y, &n) == 2 && n >= 6)) || s[n] != '\0' ||
	    !date_is_valid(y, m, 1))
		return -EINVAL;
	*ret = (struct date){ y, m, 1 };
	return 0;
}

static void
format_day(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/* The options that make no sense together, before anything is opened. */
static int
check_args(const struct digest_args *a, struct date *ret_at, struct date *ret_of)
{
	if (!a->html && !a->send)
		return cli_usage_error(CMD, "say --preview FILE.html or --send");
	if ((a->text || a->xlsx) && !a->html)
		return cli_usage_error(CMD, "--text and --xlsx go with --preview FILE.html");
	if (a->to && !a->send)
		return cli_usage_error(CMD, "--to goes with --send");
	if (a->to && (!*a->to || !strchr(a->to, '@')))
		return cli_usage_error(CMD, "--to '%s' is not an email address", a->to);
	if (a->period && span_from_string(a->period) <= SPAN_SINCE_LAST)
		return cli_usage_error(CMD, "unknown period '%s' (month, quarter, half, 9months "
				       "or year)", a->period);
	if (a->of && !a->period)
		return cli_usage_error(CMD, "--of goes with --period");
	if (a->of && parse_month(a->of, ret_of) < 0)
		return cli_usage_error(CMD, "--of '%s' is not a month (YYYY-MM or M/YYYY)", a->of);
	if (a->at && cli_parse_day(a->at, ret_at) < 0)
		return cli_usage_error(CMD, "--at '%s' is not a day (YYYY-MM-DD or D/M/YYYY)",
				       a->at);
	return 0;
}

/* The policy's [report] cutoff_day: 0 (the calendar's periods) or 1..28. */
static int
cutoff_day(const struct dondoc *d)
{
	return d->sch->report_cutoff_day;
}

/* The named period of a holding of into q: 0, or an exit status after one line. */
static int
named_period(struct dondoc *d, const struct digest_args *a, struct date of,
	     struct digest_query *q)
{
	char from[16], today[16];

	q->span = span_from_string(a->period);
	if (span_window(q->span, of, cutoff_day(d), &q->from, &q->to) < 0)
		return cli_usage_error(CMD, "no %s holds %s", a->period, a->of ? a->of : "that day");
	/* One that has not begun has nothing to count: a mistyped --of, most likely. */
	if (date_cmp(q->from, q->today) > 0) {
		format_day(q->from, from);
		format_day(q->today, today);
		return cli_error(CMD, EX_DATAERR, "the %s of '%s' starts on %s, after today (%s): "
				 "there is nothing to report yet", a->period, a->of ? a->of : "",
				 from, today);
	}
	return 0;
}

/*
 * The period since the previous scheduled digest into q, to today
 * (digestq_period, the daemon's and the chat's): 0, or an exit status
 * after one line.
 */
static int
since_last(struct dondoc *d, struct digest_query *q)
{
	int k;

	q->span = SPAN_SINCE_LAST;
	k = digestq_period(d->store, q->today, false, &q->from, &q->to);
	if (k < 0)
		return cli_error(CMD, cli_exit_code(k), "cannot read the previous digest: %s",
				 store_errmsg(d->store));
	return 0;
}

/* Writes len bytes of data to path through path.tmp: 0, or an exit status after one line. */
static int
write_tmp(const char *path, const char *data, size_t len, char **ret_tmp)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	int e;

	if (!f) {
		e = errno;
		free(tmp);
		return cli_error(CMD, EX_CANTCREAT, "cannot write '%s': %s", path, strerror(e));
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		e = errno;
		(void)fclose(f);
		(void)unlink(tmp);
		free(tmp);
		return cli_error(CMD, EX_IOERR, "cannot write '%s': %s", path, strerror(e));
	}
	if (fclose(f) != 0) {
		e = errno;
		(void)unlink(tmp);
		free(tmp);
		return cli_error(CMD, EX_IOERR, "cannot write '%s': %s", path, strerror(e));
	}
	*ret_tmp = tmp;
	return 0;
}

/* Renames tmp to path; on failure removes tmp: 0 or an exit status after one line. */
static int
commit_tmp(const char *tmp, const char *path)
{
	int e;

	if (rename(tmp, path) == 0)
		return 0;
	e = errno;
	(void)unlink(tmp);
	return cli_error(CMD, EX_IOERR, "cannot write '%s': %s", path, strerror(e));
}

/* Removes the .tmp files of a preview that is not to be (NULL: none). */
static void
drop_tmps(char *const *tmps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tmps[i])
			(void)unlink(tmps[i]);
}

/* The workbook of q to path.tmp (whole or nothing, xlsx.h): 0, or an exit status after one line. */
static int
write_xlsx_tmp(struct dondoc *d, const char *path, const struct digest_query *q, char **ret_tmp)
{
	struct xlsx_query xq = { .today = q->today, .cal = q->cal, .agency_id = q->agency_id,
				 .created = q->now };
	char *tmp = xasprintf("%s.tmp", path), *msg = NULL;
	int k = xlsx_report_write(d->store, &xq, tmp, &msg), ex = 0;

	if (k < 0) {
		ex = cli_error(CMD, k == -EPROTO ? EX_SOFTWARE : EX_CANTCREAT, "%s",
			       msg ? msg : strerror(-k));
		(void)unlink(tmp);
		free(tmp);
		tmp = NULL;
	}
	free(msg);
	*ret_tmp = tmp;
	return ex;
}

/*
 * The files of --preview: all three to their .tmp first, then the
 * renames, last, so that a path that cannot be written leaves none of
 * them behind (nor the workbook without its HTML).
 */
static int
write_preview(struct dondoc *d, const struct digest_args *a, const struct digest_query *q,
	      const struct rendered *m)
{
	const char *paths[3] = { a->html, a->text, a->xlsx };
	char *tmps[3] = { NULL, NULL, NULL };
	int ex;

	ex = write_tmp(a->html, m->html, strlen(m->html), &tmps[0]);
	if (ex == 0 && a->text)
		ex = write_tmp(a->text, m->text, strlen(m->text), &tmps[1]);
	if (ex == 0 && a->xlsx)
		ex = write_xlsx_tmp(d, a->xlsx, q, &tmps[2]);
	for (size_t i = 0; i < 3 && ex == 0; i++) {
		if (tmps[i])
			ex = commit_tmp(tmps[i], paths[i]);
		if (ex == 0) {
			free(tmps[i]);
			tmps[i] = NULL;
		}
	}
	drop_tmps(tmps, 3);
	for (size_t i = 0; i < 3; i++)
		free(tmps[i]);
	if (ex == 0)
		printf("wrote %s (%zu bytes)%s%s%s%s\n", a->html, strlen(m->html),
		       a->text ? ", " : "", a->text ? a->text : "", a->xlsx ? ", " : "",
		       a->xlsx ? a->xlsx : "");
	return ex;
}

static int
load_renderer(struct dondoc *d, struct renderer **ret)
{
	char *msg = NULL;
	int k = renderer_load(d->cfg->templates, ret, &msg);

	if (k < 0) {
		msg = config_data_error(d->cfg, "templates", msg ? msg : xstrdup(strerror(-k)));
		fprintf(stderr, "dondoc %s: %s\n", CMD, msg);
		free(msg);
		return EX_CONFIG;
	}
	return 0;
}

static int
preview(struct dondoc *d, const struct digest_args *a, const struct digest_query *q,
	const struct renderer *rend)
{
	struct rendered m = { 0 };
	json_t *data = NULL;
	int k, ex;

	k = digest_data(d->store, q, &data);
	if (k == -EPROTO)
		return cli_error(CMD, EX_SOFTWARE, "the counts do not add up (a bug; see the log)");
	if (k < 0)
		return cli_error(CMD, cli_exit_code(k), "cannot read the registry: %s",
				 store_errmsg(d->store));
	k = digest_render(rend, NULL, data, 0, RENDER_SUBJECT | RENDER_TEXT | RENDER_HTML, &m);
	json_decref(data);
	if (k < 0) {
		rendered_release(&m);
		return cli_error(CMD, EX_SOFTWARE, "cannot render the digest: %s", strerror(-k));
	}
	ex = write_preview(d, a, q, &m);
	rendered_release(&m);
	return ex;
}

/* --send: queued in the outbox, in a transaction of its own (digestq_queue). */
static int
send_now(struct dondoc *d, const struct digest_args *a, const struct digest_query *q,
	 const struct renderer *rend)
{
	const struct cli_command *self = d->command;
	struct cli_command writer = *self;
	struct digestq_env env = { .sch = d->sch, .rend = rend, .cs = d->cs, .url = q->url };
	struct digestq_job job = { .q = q, .to_addr = a->to };
	char *msg = NULL;
	size_t n = 0;
	int k, ex;

	/* The preview reads; the outbox is written: the registry opened for writing. */
	writer.flags = CLI_DB_WRITE;
	d->store = store_close(d->store);
	d->command = &writer;
	ex = cli_need_store(d);
	d->command = self;
	if (ex != 0)
		return ex;
	k = digestq_queue(d->store, &env, &job, q->now, &n, &msg);
	if (k < 0) {
		ex = cli_error(CMD, cli_exit_code(k), "nothing sent: %s",
			       msg ? msg : strerror(-k));
		free(msg);
		return ex;
	}
	printf("queued %zu message%s\n", n, n == 1 ? "" : "s");
	return 0;
}

/* The agency of --agency into q: 0, or an exit status after one line. */
static int
agency_of(struct dondoc *d, const char *text, struct digest_query *q)
{
	struct agency ag = { 0 };
	int k;

	if (!text)
		return 0;
	k = store_agency_lookup(d->store, text, &ag);
	if (k == -ENOENT)
		return cli_error(CMD, EX_DATAERR, "no agency '%s' (see 'dondoc agency list')", text);
	if (k < 0)
		return cli_error(CMD, cli_exit_code(k), "%s", store_errmsg(d->store));
	q->agency_id = ag.id;
	agency_release(&ag);
	return 0;
}

int
cmd_digest(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "preview", required_argument, NULL, 'p' },
		{ "text", required_argument, NULL, 'T' },
		{ "xlsx", required_argument, NULL, 'x' },
		{ "period", required_argument, NULL, 'P' },
		{ "of", required_argument, NULL, 'o' },
		{ "at", required_argument, NULL, 'A' },
		{ "agency", required_argument, NULL, 'a' },
		{ "send", no_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ 0 },
	};
	struct digest_args a = { 0 };
	struct digest_query q = { 0 };
	struct renderer *rend = NULL;
	struct date at, of;
	int ex = 0;

	if (cli_parse(CMD, argc, argv, opts, digest_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	at = clock_today(&d->clock);
	if ((ex = check_args(&a, &at, &of)) != 0)
		return ex;
	if (!a.of)
		of = at;
	/* The figures as of a day to come would be made up: the registry knows today's. */
	if (a.at && date_cmp(at, clock_today(&d->clock)) > 0)
		return cli_error(CMD, EX_DATAERR, "--at '%s' is after today: the registry knows "
				 "nothing yet of that day", a.at);
	q.today = at;
	q.now = clock_now(&d->clock);
	if ((ex = cli_need_store(d)) != 0 || (ex = cli_need_schedule(d)) != 0)
		return ex;
	q.cal = d->sch->cal;
	q.url = d->cfg->public_url;
	/* Who is out of Zalo's window, when there is a Zalo OA to write to. */
	q.zalo_window = d->cfg->zalo_app_id ? d->cfg->zalo_window : 0;
	if ((ex = agency_of(d, a.agency, &q)) != 0)
		return ex;
	ex = a.period ? named_period(d, &a, of, &q) : since_last(d, &q);
	if (ex != 0)
		return ex;
	if ((ex = load_renderer(d, &rend)) != 0)
		return ex;
	if (a.html)
		ex = preview(d, &a, &q, rend);
	if (ex == 0 && a.send)
		ex = send_now(d, &a, &q, rend);
	renderer_free(rend);
	return ex;
}
