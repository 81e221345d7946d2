/* SPDX-License-Identifier: MIT */
/*
 * What the HTTP server serves (http.h): Telegram's webhook, /healthz and
 * /metrics.  The server's thread reads requests.  Webhook updates go to a
 * writer thread with a connection to the registry of its own, which
 * commits them in batches (group commit) and has them answered; /healthz
 * and /metrics to a background thread with another, which also makes the
 * writer's checkpoints.  The configuration
 * they work with is swapped by the main thread on reload (web_set),
 * under a lock they hold while they use it.
 */
#ifndef DONDOC_WEB_H
#define DONDOC_WEB_H

#include <stdint.h>
#include <time.h>

struct channels;
struct clock;
struct renderer;
struct schedule;
struct store;
struct tgbot;
struct web;

/* What requests are served with; all borrowed until the next web_set. */
struct web_setup {
	const struct renderer *rend;
	const struct schedule *sch;
	const struct channels *cs;
	struct tgbot *bot;	/* NULL: no Telegram */
	const char *webhook_secret;	/* NULL: no webhook */
	/* /metrics for: "loopback" (NULL too), "token" (metrics_token's bearer) or "open". */
	const char *metrics;
	const char *metrics_token;
	/* [http] trusted_proxy: addresses whose X-Forwarded-For is believed (NULL: none). */
	const char *trusted_proxy;
	const char *url;	/* [http] public_url, for a command's links (NULL: none) */
};

/*
 * Opens the registry db for the server's threads, each connection with a
 * copy of key_of's audit key, and starts listening on listen.  wake_fd is
 * written to when updates were handled: their answers wait in the outbox,
 * and calls to Telegram for web_run_after().  0, or -errno with a new message.
 */
int web_start(const char *listen, const char *db, const struct store *key_of,
	      const struct clock *clk, int wake_fd, struct web **ret, char **reterr_msg);
struct web *web_stop(struct web *w);
void web_set(struct web *w, const struct web_setup *setup);
/* Counts one chat command of kind (for /metrics), from any thread. */
void web_count_command(struct web *w, const char *kind);
/* Counts n people whose messages a tick could not compose (for /metrics); NULL-safe. */
void web_compose_failed(struct web *w, size_t n);
/* Records that a planner pass ended at t (for /metrics' planner lag). */
void web_planned(struct web *w, time_t t);
int web_port(const struct web *w);
/*
 * On the main thread, when woken: the Bot API calls that committed
 * webhook updates left (a button's reminder redrawn...), made with b.
 * NULL-safe.
 */
void web_run_after(struct web *w, struct tgbot *b);

#endif
