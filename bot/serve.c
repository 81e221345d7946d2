/* SPDX-License-Identifier: MIT */
/*
 * The daemon's loop.  The only module that includes sd-daemon.h.
 *
 *   start: config, schedules, registry (created or upgraded), channels;
 *          messages left "sending" by a process of this host now gone
 *          (a crash, kill -9) become pending again; READY=1.
 *   tick:  claims whose lease ended become pending again (another
 *          process died holding them, or an outcome could not be
 *          recorded); the leader of the planner (lease.h: one among the
 *          instances sharing the registry) plans (every task at start,
 *          after a reload and when it begins to lead, else only those
 *          whose day has come) and composes, the digest's leader queues
 *          the digest; every instance delivers; STATUS= and WATCHDOG=1.
 *   wait:  until the next tick, a signal, half the watchdog period, or
 *          (on PostgreSQL: LISTEN/NOTIFY) messages another instance
 *          queued, which this one then helps deliver.
 *   stop:  STOPPING=1; the leases given up; what was not delivered stays
 *          pending, and a Telegram or Zalo send under way is cut short
 *          (within about 1.5 s) and stays pending too, to go at the next
 *          start.
 *
 * Signals only set flags (and wake the wait through a pipe); everything
 * happens in the loop, never in a handler.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "channels.h"
#include "clock.h"
#include "calendar.h"
#include "cli.h"
#include "config.h"
#include "digestq.h"
#include "dispatch.h"
#include "feed.h"
#include "feedlink.h"
#include "feedweb.h"
#include "lease.h"
#include "log.h"
#include "macro.h"
#include "planner.h"
#include "render.h"
#include "schedule.h"
#include "serve.h"
#include "inbound.h"
#include "store.h"
#include "tgbot.h"
#include "web.h"
#include "xalloc.h"
#include "zalo.h"
#include "zalobot.h"

/*
 * Set by signal handlers, read by the loop: the one kind of global a
 * handler needs (STYLE rule 11 allows no other).
 */
static volatile sig_atomic_t serve_stop;
static volatile sig_atomic_t serve_reload;
static volatile sig_atomic_t serve_break;	/* either: long work pauses for the loop */
static int serve_wake[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	char c = 0;

	if (sig == SIGHUP)
		serve_reload = 1;
	else
		serve_stop = 1;
	serve_break = 1;
	if (serve_wake[1] >= 0)
		(void)!write(serve_wake[1], &c, 1);
	errno = saved;
}

/* True when a long poll must end early: the daemon is stopping or reloading. */
static bool
interrupted(void *userdata)
{
	(void)userdata;
	return serve_stop || serve_reload;
}

/*
 * True when a send must end early: the daemon is stopping.  Not for a
 * reload, which waits for the send (cut short, a message the server took
 * would go twice).
 */
static bool
stopping(void *userdata)
{
	(void)userdata;
	return serve_stop;
}

/* What the daemon runs with; replaced as a whole on reload. */
struct setup {
	struct config *cfg;
	struct schedule *sch;
	struct renderer *rend;
	struct channels *cs;
	struct tgbot *bot;	/* the Telegram bot when configured, else NULL */
	struct zalobot *zbot;	/* Zalo's webhook when [zalo] is configured, else NULL */
	struct zalo *zalo;	/* Zalo's client (shared with its channels), to keep its tokens fresh */
	char *webhook_secret;	/* Telegram's webhook secret, in webhook mode */
	char *webhook_url;	/* where Telegram is to deliver; NULL: not ours to set */
	bool webhook_due;	/* setWebhook still to be made (it failed, or not tried) */
	int64_t webhook_next_ms;	/* on the monotonic clock: the next try */
	int webhook_backoff_ms;	/* the wait after the last failure */
	char *metrics_token;	/* /metrics' bearer token ([http] metrics_token_file) */
	struct feed_conf feeds;	/* [feeds]; its strings cfg's */
};

static void
setup_release(struct setup *st)
{
	st->bot = tgbot_free(st->bot);
	st->zbot = zalobot_free(st->zbot);
	st->zalo = zalo_free(st->zalo);
	if (st->webhook_secret) {
		explicit_bzero(st->webhook_secret, strlen(st->webhook_secret));
		free(st->webhook_secret);
		st->webhook_secret = NULL;
	}
	free(st->webhook_url);
	st->webhook_url = NULL;
	if (st->metrics_token) {
		explicit_bzero(st->metrics_token, strlen(st->metrics_token));
		free(st->metrics_token);
		st->metrics_token = NULL;
	}
	st->cs = channels_free(st->cs);
	st->rend = renderer_free(st->rend);
	st->sch = schedule_free(st->sch);
	st->cfg = config_free(st->cfg);
}

/* Loads configuration, schedules and channels; logs and returns -errno on failure. */
static int
setup_load(const struct dondoc *d, struct setup *ret)
{
	struct setup st = { 0 };
	char *msg = NULL;
	int r;

	r = config_load(d->config_path, &st.cfg, &msg);
	if (r < 0) {
		log_errorx("%s", msg ? msg : strerror(-r));
		goto fail;
	}
	if (st.cfg->http_metrics_token_file) {
		r = config_read_secret(st.cfg->http_metrics_token_file, &st.metrics_token, &msg);
		if (r < 0) {
			log_errorx("[http] metrics_token_file: %s", msg ? msg : strerror(-r));
			goto fail;
		}
	}
	config_feed_conf(st.cfg, &st.feeds);
	r = schedule_load(st.cfg->schedules, clock_today(&d->clock), &st.sch, &msg);
	if (r < 0) {
		msg = config_data_error(st.cfg, "schedules", msg ? msg : xstrdup(strerror(-r)));
		log_errorx("%s", msg ? msg : strerror(-r));
		goto fail;
	}
	r = renderer_load(st.cfg->templates, &st.rend, &msg);
	if (r < 0) {
		msg = config_data_error(st.cfg, "templates", msg ? msg : xstrdup(strerror(-r)));
		log_errorx("%s", msg ? msg : strerror(-r));
		goto fail;
	}
	r = channels_open(st.cfg, &st.cs, &msg);
	if (r < 0) {
		log_errorx("%s", msg ? msg : strerror(-r));
		goto fail;
	}
	/* A stop ends a send that hangs at once, not after its timeout (systemd's ends first). */
	channels_set_abort(st.cs, stopping, NULL);
	r = tgbot_new(st.cfg, &st.bot, &msg);
	if (r < 0) {
		log_errorx("%s", msg ? msg : strerror(-r));
		goto fail;
	}
	if (st.bot)
		tgbot_set_abort(st.bot, interrupted, NULL);
	if (st.bot && !tgbot_polling(st.bot)) {
		/* Checked now: Telegram would refuse it, and then every delivery. */
		r = config_read_webhook_secret(st.cfg, &st.webhook_secret, &msg);
		if (r < 0) {
			log_errorx("%s", msg ? msg : strerror(-r));
			goto fail;
		}
		/* What the webhook checks each delivery against; freed with the bot. */
		tgbot_set_webhook_secret(st.bot, st.webhook_secret);
		/* Where Telegram finds us: the public URL, through the proxy. */
		st.webhook_url = config_webhook_url(st.cfg);
		if (st.webhook_url) {
			/* Made by the loop (webhook_try), which retries it. */
			st.webhook_due = true;
		} else {
			log_warnx("[telegram] mode is webhook but [http] public_url is not set: "
				  "set the webhook yourself (setWebhook)");
		}
	}
	r = zalobot_new(st.cfg, &st.zbot, &msg);
	if (r < 0) {
		/* The rest works without it: Zalo's deliveries are answered 404 and come again. */
		log_warnx("%s: the Zalo webhook (" ZALOBOT_PATH ") is off", msg ? msg : strerror(-r));
		free(msg);
		msg = NULL;
	} else if (st.zbot) {
		log_info("Zalo events are taken at " ZALOBOT_PATH " (app %s)", st.cfg->zalo_app_id);
	}
	if (st.cfg->zalo_app_id) {
		r = zalo_new(st.cfg, &st.zalo, &msg);
		if (r < 0) {
			log_errorx("%s", msg ? msg : strerror(-r));
			goto fail;
		}
	}
	*ret = st;
	return 0;
fail:
	free(msg);
	setup_release(&st);
	return r;
}

/* The first wait after a failed setWebhook, doubled at each failure up to the most. */
#define WEBHOOK_BACKOFF_MIN_MS 1000
#define WEBHOOK_BACKOFF_MAX_MS (5 * 60 * 1000)

/*
 * Webhook mode: setWebhook when due, and on failure again later with a
 * growing wait (Telegram's retry_after when longer), never a sleep: until
 * it works Telegram delivers nowhere, or to an old URL or secret.
 */
static void
webhook_try(struct setup *st)
{
	char *why = NULL;
	int retry_after = 0, wait_ms, r;

	if (!st->webhook_due || clock_mono_ms() < st->webhook_next_ms)
		return;
	r = tgbot_set_webhook(st->bot, st->webhook_url, st->webhook_secret, &retry_after, &why);
	if (r == 0) {
		log_info("Telegram delivers updates to %s", st->webhook_url);
		st->webhook_due = false;
		st->webhook_backoff_ms = 0;
		return;
	}
	st->webhook_backoff_ms = st->webhook_backoff_ms
		? MIN(st->webhook_backoff_ms * 2, WEBHOOK_BACKOFF_MAX_MS) : WEBHOOK_BACKOFF_MIN_MS;
	wait_ms = MAX(st->webhook_backoff_ms, MIN(retry_after, 3600) * 1000);
	st->webhook_next_ms = clock_mono_ms() + wait_ms;
	log_warnx("cannot set Telegram's webhook to %s: %s (next try in %d s), will retry",
		  st->webhook_url, why, (wait_ms + 999) / 1000);
	free(why);
}

static int
install_signals(void)
{
	struct sigaction sa;

	if (pipe2(serve_wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/*
 * Sleeps up to ms, waking early for a signal, the webhook's answers, or
 * (s's backend LISTENs: store_wake_fd) messages another instance queued:
 * true for the last.
 */
static bool
wait_tick(struct store *s, int ms)
{
	struct pollfd p[2] = { { .fd = serve_wake[0], .events = POLLIN },
			       { .fd = store_wake_fd(s), .events = POLLIN } };
	char buf[64];

	if (serve_stop || serve_reload)
		return false;
	/* Told while a statement ran, the socket has nothing more to say. */
	if (p[1].fd >= 0 && store_woken(s))
		return true;
	if (poll(p, p[1].fd >= 0 ? 2 : 1, ms) <= 0)
		return false;
	if (p[0].revents)
		while (read(serve_wake[0], buf, sizeof(buf)) > 0)
			;
	return p[1].fd >= 0 && p[1].revents && store_woken(s);
}

/*
 * How long a delivery may run before the loop gets its turn (signals, the
 * watchdog, Telegram's updates); what is left goes on at once after.
 */
#define DELIVER_BUDGET_MS 5000

/*
 * The history refuses events dated before its last one (store.h,
 * STORE_CLOCK_TOLERANCE): a clock or DONDOC_NOW set back is said once,
 * here, rather than by every change refused until it catches up.
 */
static void
watch_clock(struct dondoc *d, time_t now)
{
	static time_t last;
	static bool warned;
	char a[32], b[32];
	int64_t head_at = 0;

	if (warned)
		return;
	if (last && now < last) {
		clock_format_local(last, a);
		clock_format_local(now, b);
		log_warnx("the clock went back from %s to %s: changes dated before the history's "
			  "last event are refused until it catches up", a, b);
		warned = true;
	} else if (store_event_last_at(d->store, &head_at) == 0 &&
		   now < head_at - STORE_CLOCK_TOLERANCE) {
		clock_format_local(now, a);
		clock_format_local((time_t)head_at, b);
		log_warnx("the clock reads %s, before the last event of the history (%s): changes "
			  "are refused until it catches up (check the clock or DONDOC_NOW)", a, b);
		warned = true;
	}
	last = now;
}

/* --- why nothing went out: the sending window ---------------------------------- */

/* Why the window is shut at now, in English for the log and in Vietnamese for the CLI. */
static void
window_reason(const struct schedule *sch, time_t now, const char **ret_en, const char **ret_vi)
{
	struct date day = clock_local_date(now);
	int minute = (int)((((int64_t)now + CLOCK_VN_OFFSET) % 86400 + 86400) % 86400 / 60);

	if (!calendar_is_workday(sch->cal, day) && date_weekday(day) >= 6) {
		*ret_en = "a weekend day";
		*ret_vi = "hôm nay là ngày nghỉ cuối tuần";
	} else if (!calendar_is_workday(sch->cal, day)) {
		*ret_en = "a day off (holiday)";
		*ret_vi = "hôm nay là ngày nghỉ lễ";
	} else if (minute < sch->work_start) {
		*ret_en = "before working hours";
		*ret_vi = "chưa đến giờ làm việc";
	} else if (minute < sch->send_at) {
		*ret_en = "before the day's sending time";
		*ret_vi = "chưa đến giờ gửi trong ngày";
	} else {
		*ret_en = "after working hours";
		*ret_vi = "ngoài giờ làm việc";
	}
}

/*
 * Outside the sending window with reminders waiting (DESIGN §6 invariant
 * 6), says so and when they go: in the log, once per closed window (the
 * daemon ticks every minute), and for "serve --once" also on stdout, in
 * Vietnamese, for the secretariat who ran it.  *told is the opening last
 * said (0: none).
 */
static void
tell_window(struct dondoc *d, const struct setup *st, time_t now, bool once, time_t *told)
{
	static const char *const en_days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const vi_days[] = { "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm",
					       "thứ Sáu", "thứ Bảy", "Chủ nhật" };
	const char *en, *vi;
	int64_t waiting[2] = { 0, 0 };
	time_t next;
	struct date nd;
	int wd, hh, mm;

	if (dispatch_in_window(st->sch, now)) {
		*told = 0;
		return;
	}
	if (store_waiting(d->store, &waiting[0], &waiting[1]) < 0 ||
	    waiting[0] + waiting[1] == 0)
		return;
	next = dispatch_next_window(st->sch, now);
	if (!once && *told == next)
		return;
	*told = next;
	window_reason(st->sch, now, &en, &vi);
	nd = clock_local_date(next);
	wd = date_weekday(nd) - 1;
	hh = st->sch->send_at / 60;
	mm = st->sch->send_at % 60;
	log_info("reminders held: %s; next window opens %s %02d/%02d/%04d %02d:%02d "
		 "(Asia/Ho_Chi_Minh); %lld notice%s and %lld message%s wait", en, en_days[wd],
		 nd.d, nd.m, nd.y, hh, mm, (long long)waiting[0], waiting[0] == 1 ? "" : "s",
		 (long long)waiting[1], waiting[1] == 1 ? "" : "s");
	if (once)
		printf("Chưa gửi nhắc việc: %s. Các tin đang chờ sẽ được gửi lúc %02d:%02d %s, "
		       "ngày %02d/%02d/%04d.\n", vi, hh, mm, vi_days[wd], nd.d, nd.m, nd.y);
}

/*
 * Zalo's access token refreshed once half its lifetime is gone even when
 * nothing is sent: a refresh token lives three months only if it is used
 * (CHAT-APIS.md B6).  zalo_token does nothing while the token is young,
 * waits after a refresh that got no answer, never retries one Zalo
 * refused (the operator must act: it logs so), and logs its failures.
 */
static void
zalo_keep_fresh(struct dondoc *d, const struct setup *st)
{
	struct zalo_token_status zs;
	char *token = NULL, *msg = NULL;

	if (!st->zalo || zalo_token_status(d->store, &zs) < 0)
		return;
	if (zs.has_refresh && !zs.error_final) {
		zalo_use_store(st->zalo, d->store);
		if (zalo_token(st->zalo, NULL, &token, &msg) == 0) {
			explicit_bzero(token, strlen(token));
			free(token);
		}
		free(msg);
	}
	zalo_token_status_release(&zs);
}

/* Once a day, the feeds made from chat and revoked long ago (feedlink_prune_daily). */
static void
prune_feeds(struct dondoc *d, time_t now)
{
	int64_t n = 0;
	int r = feedlink_prune_daily(d->store, now, &n);

	if (r < 0)
		log_warnx("cannot forget the old revoked calendar links: %s, will retry",
			  store_strerror(d->store, r));
	else if (n)
		log_info("forgot %lld calendar links made from chat and revoked over %d days ago",
			 (long long)n, FEEDLINK_PRUNE_DAYS);
}

/*
 * One pass: plan, compose, deliver (for budget_ms; 0: all of it; *more
 * says when some is left).  Registry errors are logged and survived; people
 * whose messages cannot be made are counted for /metrics (web may be NULL).
 */
/*
 * Whether this instance leads l now (lease.h): taken or renewed, the
 * failure logged.  *full (may be NULL) is set when the lease is newly
 * ours: the planner then looks at every task.
 */
static bool
leads(struct dondoc *d, struct lease *l, time_t now, int tick_s, bool *full)
{
	int64_t had = l->term;
	int r = lease_hold(d->store, l, now, lease_ttl(tick_s));

	if (r < 0)
		log_warnx("cannot renew the %s's lease: %s; leading nothing until it can be",
			  l->name, store_strerror(d->store, r));
	if (r == 1 && l->term != had && full)
		*full = true;
	return r == 1;
}

static void
tick(struct dondoc *d, const struct setup *st, struct dispatch_owed *owed, struct web *web,
     struct lease *leases, bool *full, int budget_ms, bool *more, bool once, time_t *told)
{
	struct planner_report pr = { 0 };
	struct dispatch_report dr = { 0 };
	/* The chats commands come from: a reminder to an unlinked person says how to link each. */
	const char *chats[2];
	size_t n_chats = 0;
	struct dispatch_env env = { .sch = st->sch, .rend = st->rend, .cs = st->cs,
				    .budget_ms = budget_ms, .owed = owed, .chats = chats,
				    .bot = st->bot ? tgbot_username(st->bot) : NULL };
	time_t now = clock_now(&d->clock);
	int r;

	if (st->bot)
		chats[n_chats++] = "telegram";
	if (st->zbot)
		chats[n_chats++] = "zalo";
	env.n_chats = n_chats;
	watch_clock(d, now);
	zalo_keep_fresh(d, st);
	r = dispatch_recover(d->store, &env, now, &dr);
	if (r < 0)
		log_warnx("cannot look for void claims: %s, will retry", store_strerror(d->store, r));
	/* One planner and one digest among the instances sharing the registry. */
	if (leads(d, &leases[0], now, st->cfg->tick, full)) {
		r = planner_run(d->store, st->sch, st->cs, now, *full, false, NULL, NULL, &pr);
		if (r < 0) {
			log_warnx("cannot plan: %s, will retry", store_strerror(d->store, r));
			return;
		}
		if (*full) {
			log_info("planned %zu tasks: %zu notices queued", pr.tasks, pr.notices);
			/*
			 * A full pass over a large registry leaves the heap spread
			 * out; give it back, with the pages it cached, so the idle
			 * daemon stays small.
			 */
			(void)store_work(d->store, STORE_WORK_USUAL);
			(void)malloc_trim(0);
		}
		*full = false;
		r = dispatch_compose(d->store, &env, now, &dr);
		if (r < 0)
			log_warnx("cannot compose messages: %s, will retry",
				  store_strerror(d->store, r));
		web_compose_failed(web, dr.failed);
		prune_feeds(d, now);
	}
	/* The digest, when its day has come: queued here, delivered below. */
	if (leads(d, &leases[1], now, st->cfg->tick, NULL))
		(void)digestq_tick(d->store,
				   &(struct digestq_env){ .sch = st->sch, .rend = st->rend,
							  .cs = st->cs, .url = st->cfg->public_url,
							  .zalo_window = st->cfg->zalo_app_id ?
							  st->cfg->zalo_window : 0 }, now);
	r = dispatch_deliver(d->store, &env, &d->clock, &serve_break, &dr);
	if (r < 0)
		log_warnx("cannot deliver: %s, will retry", store_strerror(d->store, r));
	*more = r == 0 && dr.more;
	if (pr.notices || dr.composed || dr.sent || dr.retried || dr.dead)
		log_info("tick: %zu notices queued, %zu messages made, %zu sent, %zu to retry, "
			 "%zu undeliverable%s", pr.notices, dr.composed, dr.sent, dr.retried, dr.dead,
			 dr.failed ? ", some people's messages cannot be made (see above)" : "");
	(void)sd_notifyf(0, "STATUS=last tick: %zu notices, %zu sent, %zu to retry", pr.notices,
			 dr.sent, dr.retried);
	tell_window(d, st, now, once, told);
}

/*
 * The HTTP server's view of a setup: its configuration, and the
 * transports' webhooks (Telegram's, routed from the first setup on, even
 * without a bot: 404 then).
 */
static void
web_update(struct web *w, const struct setup *st)
{
	struct web_setup ws = { .rend = st->rend, .sch = st->sch, .cs = st->cs,
				.metrics = st->cfg->http_metrics, .metrics_token = st->metrics_token,
				.trusted_proxy = st->cfg->http_trusted_proxy,
				.url = st->cfg->public_url };
	int r;

	if (!w)
		return;
	web_set(w, &ws);
	r = web_webhook(w, &tgbot_webhook, st->bot && st->webhook_secret ? st->bot : NULL);
	if (r < 0)
		log_warnx("cannot route Telegram's webhook: %s", strerror(-r));
	r = web_webhook(w, &zalobot_webhook, st->zbot);
	if (r < 0)
		log_warnx("cannot route Zalo's webhook: %s", strerror(-r));
}

static void
count_command(void *userdata, const char *kind)
{
	web_count_command(userdata, kind);
}


/*
 * Waits up to ms for the next tick: by a Telegram long poll when the bot
 * polls (each command handled, and its answer sent at once), else asleep.
 * Then delivers what is due, for DELIVER_BUDGET_MS (*more: some is left,
 * and then the wait is none).
 */
static void
wait_or_listen(struct dondoc *d, const struct setup *st, struct dispatch_owed *owed,
	       struct web *web, int ms, bool *more)
{
	struct inbound_env env = { .s = d->store, .clk = &d->clock, .rend = st->rend,
				   .sch = st->sch, .cs = st->cs, .url = st->cfg->public_url,
				   .queue_reply = true,
				   .count = web ? count_command : NULL, .count_userdata = web };
	struct dispatch_env denv = { .sch = st->sch, .rend = st->rend, .cs = st->cs,
				     .budget_ms = DELIVER_BUDGET_MS, .owed = owed };
	struct dispatch_report dr = { 0 };
	bool deliver = *more;
	int n, r;

	if (*more)
		ms = 0;
	if (!st->bot || !tgbot_polling(st->bot)) {
		/* Another instance queued messages: they go out now, from here too. */
		deliver = wait_tick(d->store, ms) || deliver;
		/* Woken by the webhook, maybe: its answers go out now. */
		web_run_after(web);
		deliver = deliver || web;
	} else if (!serve_stop && !serve_reload) {
		env.bot_username = tgbot_username(st->bot);
		n = tgbot_poll(st->bot, &env, MAX(0, MIN(st->cfg->telegram_timeout, ms / 1000)));
		/* Answers go out now, whatever the hour (invariant 6). */
		deliver = deliver || n > 0;
		if (n < 0)
			/* Telegram unreachable or in conflict: not a busy loop. */
			(void)wait_tick(d->store, MIN(ms, 5000));
	}
	*more = false;
	if (!deliver || serve_stop || serve_reload)
		return;
	r = dispatch_deliver(d->store, &denv, &d->clock, &serve_break, &dr);
	if (r < 0)
		log_warnx("cannot deliver: %s, will retry", store_strerror(d->store, r));
	else
		*more = dr.more;
}

int
serve_run(struct dondoc *d, bool once)
{
	struct setup st = { 0 };
	struct dispatch_owed owed = { 0 };	/* outcomes the registry refused, to record */
	/* What this instance may lead: the planner, the digest (lease.h). */
	struct lease leases[2] = { { .name = LEASE_PLANNER }, { .name = LEASE_DIGEST } };
	struct web *web = NULL;
	struct feedweb *fw = NULL;	/* the feeds, on web's server */
	uint64_t watchdog_usec = 0;
	char *msg = NULL;
	const char *db;
	char shown[256];	/* db as the log may show it (no password) */
	bool full = true, more = false;
	int64_t next_tick = 0;
	time_t window_told = 0;	/* the window opening last logged (tell_window) */
	int r, recovered = 0;

	r = install_signals();
	if (r < 0)
		return log_error_errno(r, "cannot set up signals"), 1;
	if (setup_load(d, &st) < 0)
		return 78;	/* EX_CONFIG */
	/* --db and $DONDOC_DB win over the file, as for every command. */
	db = d->db_path_given ? d->db_path : st.cfg->db;
	store_where_shown(db, shown, sizeof(shown));
	/* The key is read here only: a reload keeps it (a new key_file needs a restart). */
	r = cli_store_open(st.cfg, db, STORE_CREATE, &d->store, &msg);
	if (r < 0) {
		log_errorx("%s", msg ? msg : strerror(-r));
		free(msg);
		setup_release(&st);
		return cli_exit_code(r);
	}
	/* The channels that keep state of their own (Zalo's tokens) keep it here. */
	channels_use_store(st.cs, d->store);
	zalobot_use_store(st.zbot, d->store);
	/* A key newly set keys the history from here on (an audit.key event). */
	r = store_audit_key_apply(d->store, "dondoc", clock_now(&d->clock));
	if (r < 0) {
		log_errorx("%s", store_strerror(d->store, r));
		setup_release(&st);
		return cli_exit_code(r);
	}
	r = dispatch_recover_start(d->store, clock_now(&d->clock), &recovered);
	if (r == -EBUSY) {
		log_errorx("registry '%s' is locked by another process; try again when it is done",
			   shown);
		setup_release(&st);
		return cli_exit_code(r);
	}
	if (r < 0) {
		log_errorx("cannot read the outbox of '%s': %s", shown, store_strerror(d->store, r));
		setup_release(&st);
		return cli_exit_code(r);
	}
	if (recovered)
		log_warnx("%d messages were being sent when dondoc stopped; sending them again",
			  recovered);
	/*
	 * The HTTP server (webhook, /healthz, /metrics).  Without a webhook
	 * to serve, a port already taken is not worth refusing to start for.
	 */
	if ((st.cfg->http_wanted || (st.bot && !tgbot_polling(st.bot)) || st.zbot) && !once) {
		r = web_start(st.cfg->http_listen, st.cfg->http_share_port, db, d->store, &d->clock,
			      serve_wake[1], &web, &msg);
		if (r < 0 && ((st.bot && !tgbot_polling(st.bot)) || st.zbot)) {
			log_errorx("%s: %s's webhook needs it", msg, st.zbot ? "Zalo" : "Telegram");
			free(msg);
			setup_release(&st);
			return 69;	/* EX_UNAVAILABLE */
		}
		if (r < 0) {
			log_warnx("%s; going on without /healthz and /metrics", msg);
			free(msg);
			msg = NULL;
		} else {
			log_info("listening on %s", st.cfg->http_listen);
			r = feedweb_start(web_http(web), db, d->store, &d->clock, &fw, &msg);
			if (r < 0) {
				log_warnx("%s; going on without the calendar feeds", msg);
				free(msg);
				msg = NULL;
			}
		}
		web_update(web, &st);
		feedweb_set(fw, &st.feeds, st.rend, st.sch);
	}
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	log_info("started: registry '%s', outbox '%s', tick %d s", shown, st.cfg->outbox_dir,
		 st.cfg->tick);
	(void)sd_notify(0, "READY=1\nSTATUS=started");

	while (!serve_stop) {
		int64_t left;

		/* Set again by a signal that comes from now on. */
		serve_break = 0;

		/* RRULE occurrences are known for a few years around the load day. */
		if (!serve_reload && schedule_stale(st.sch, clock_today(&d->clock))) {
			log_info("the schedules were loaded a year ago: loading them again");
			serve_reload = 1;
		}
		if (serve_reload) {
			struct setup fresh = { 0 };

			serve_reload = 0;
			(void)sd_notify(0, "RELOADING=1");
			if (setup_load(d, &fresh) == 0) {
				/* Set already, to the same place with the same secret: not again. */
				if (!st.webhook_due && st.webhook_url && fresh.webhook_url &&
				    strcmp(st.webhook_url, fresh.webhook_url) == 0 &&
				    strcmp(st.webhook_secret, fresh.webhook_secret) == 0)
					fresh.webhook_due = false;
				/* The server lets go of the old setup before it is freed. */
				web_update(web, &fresh);
				feedweb_set(fw, &fresh.feeds, fresh.rend, fresh.sch);
				setup_release(&st);
				st = fresh;
				channels_use_store(st.cs, d->store);
				zalobot_use_store(st.zbot, d->store);
				full = true;
				next_tick = 0;
				log_info("configuration and schedules reloaded");
			} else {
				log_warnx("reload failed: keeping the configuration, schedules and "
					  "templates in use");
			}
			(void)sd_notify(0, "READY=1");
		}
		webhook_try(&st);
		if (clock_mono_ms() >= next_tick) {
			tick(d, &st, &owed, web, leases, &full, once ? 0 : DELIVER_BUDGET_MS, &more,
			     once, &window_told);
			web_planned(web, clock_now(&d->clock));
			next_tick = clock_mono_ms() + st.cfg->tick * 1000;
		}
		if (watchdog_usec)
			(void)sd_notify(0, "WATCHDOG=1");
		if (once) {
			/* What Telegram holds now, handled and answered; no waiting. */
			if (st.bot && tgbot_polling(st.bot)) {
				more = false;
				wait_or_listen(d, &st, &owed, web, 0, &more);
			}
			break;
		}
		left = next_tick - clock_mono_ms();
		if (st.webhook_due)
			left = MAX(0, MIN(left, st.webhook_next_ms - clock_mono_ms()));
		if (watchdog_usec && (uint64_t)left * 1000 > watchdog_usec / 2)
			left = (int64_t)(watchdog_usec / 2000);
		wait_or_listen(d, &st, &owed, web, (int)MAX(left, 0), &more);
	}
	(void)sd_notify(0, "STOPPING=1");
	/* Another instance leads from its next tick, not after the lease. */
	for (size_t i = 0; i < ELEMENTSOF(leases); i++)
		if (lease_drop(d->store, &leases[i], clock_now(&d->clock)) < 0)
			log_warnx("cannot step down from leading the %s: another instance "
				  "takes it when the lease ends", leases[i].name);
	if (owed.n)
		log_warnx("%zu messages went out but the registry refused to record it: they go "
			  "again at the next start", owed.n);
	dispatch_owed_release(&owed);
	/*
	 * The server first: the feed thread answers what it holds meanwhile
	 * (MHD cannot stop with a request waiting), at once once the server
	 * says it is stopping; then the feed thread, the fetches written.
	 */
	web = web_stop(web);
	fw = feedweb_stop(fw);
	if (!once)
		log_info("stopped");
	setup_release(&st);
	close(serve_wake[0]);
	close(serve_wake[1]);
	serve_wake[0] = serve_wake[1] = -1;
	return 0;
}
