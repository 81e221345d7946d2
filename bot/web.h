/* SPDX-License-Identifier: MIT */
/*
 * What the HTTP server serves (http.h): the chat transports' webhooks
 * (struct web_transport: Telegram's, Zalo's), /healthz and /metrics.  The
 * server's thread reads requests.  Webhook deliveries go to a writer
 * thread with a connection to the registry of its own, which commits them
 * in batches (group commit) and has them answered; /healthz and /metrics
 * to a background thread with another, which also makes the writer's
 * checkpoints.  The configuration they work with, and each transport's
 * state, are swapped by the main thread on reload (web_set, web_webhook),
 * under a lock they hold while they use it.
 */
#ifndef DONDOC_WEB_H
#define DONDOC_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct channels;
struct clock;
struct http_req;
struct inbound_env;
struct renderer;
struct schedule;
struct store;
struct web;

/* What requests are served with; all borrowed until the next web_set. */
struct web_setup {
	const struct renderer *rend;
	const struct schedule *sch;
	const struct channels *cs;
	/* /metrics for: "loopback" (NULL too), "token" (metrics_token's bearer) or "open". */
	const char *metrics;
	const char *metrics_token;
	/* [http] trusted_proxy: addresses whose X-Forwarded-For is believed (NULL: none). */
	const char *trusted_proxy;
	const char *url;	/* [http] public_url, for a command's links (NULL: none) */
};

/*
 * Opens the registry db for the server's threads, each connection with a
 * copy of key_of's audit key, and starts listening on listen (shared with
 * other instances when share: http_start).  wake_fd is
 * written to when updates were handled: their answers wait in the outbox,
 * and calls to Telegram for web_run_after().  0, or -errno with a new message.
 */
int web_start(const char *listen, bool share, const char *db, const struct store *key_of,
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
/* The HTTP server web_start() made, for other modules' routes (feedweb.h); w's until web_stop. */
struct http *web_http(struct web *w);
/*
 * On the main thread, when woken: the calls that committed webhook
 * deliveries left (a button's reminder redrawn...), each made by its
 * transport's run_after with the state web_webhook() gave it last (none
 * now: dropped).  NULL-safe.
 */
void web_run_after(struct web *w);

/*
 * A chat transport's webhook: a delivery POSTed to path is checked and
 * read on the server's thread, handled on the writer's inside the
 * transaction of its batch (a savepoint of its own), and answered once
 * the batch is committed; what it leaves to do outside the transaction
 * (calls to the chat's API) is done on the main thread (web_run_after).
 * Answers: 200 handled (or acknowledged, nothing done), 503 not
 * committed (the sender delivers it again), or what auth and parse say.
 *
 * userdata is the transport's state as web_webhook() last gave it (its
 * bot, its secrets), never NULL here: with none, the webhook answers 404.
 * Telegram (tgbot.h, tgbot_webhook): auth checks the
 * X-Telegram-Bot-Api-Secret-Token header in constant time, parse reads
 * the update's JSON, handle is tgbot_handle(), the answer a method for
 * Telegram to call.  Zalo fits as it is: its signature covers the raw
 * body and a header (X-ZEvent-Signature: mac=...), both at hand in parse
 * (body, http_header(q, ...)), which refuses a bad one (401) before
 * anything is queued; its replay check (an event seen already) belongs
 * in handle, inside the transaction, so that it holds across restarts.
 * Zalo wants 200 fast, which the group commit gives (milliseconds), with
 * the work done and committed: handle makes no network call, which would
 * hold every other delivery of the batch up; a reply goes to the outbox,
 * anything else to left.
 */
struct web_outcome {
	char *answer;		/* new: the answer's body, JSON (NULL: {"ok":true...}) */
	const char *command;	/* static: the command it was, counted for /metrics (NULL: none) */
	void *left;		/* new: for run_after, then free_left (NULL: nothing to do) */
};

struct web_transport {
	const char *name;	/* "telegram": for logs */
	const char *path;	/* "/telegram/webhook": POST only */
	/*
	 * On the server's thread, the headers read and the body not yet
	 * (http_header(q, ...)): 0 to go on, else the status to answer
	 * (401: not the sender; 404: not configured).  Called again before
	 * parse, which a reload may have come between.
	 */
	int (*auth)(void *userdata, struct http_req *q);
	/*
	 * On the server's thread, the raw body of n bytes read whole: 0 and
	 * a new *ret_payload, queued for handle; else the status to answer
	 * at once, nothing queued (200: acknowledged, nothing to do: a
	 * delivery that would come the same each time; 400; 401).
	 */
	int (*parse)(void *userdata, struct http_req *q, const char *body, size_t n,
		     void **ret_payload);
	/*
	 * On the writer's thread, inside the batch's transaction (env->in_txn:
	 * a savepoint of its own, env->queue_reply: replies to the outbox):
	 * 0 handled, -EINVAL never readable (acknowledged, logged), other
	 * -errno not committed (503; its own part undone).  What it leaves
	 * stays in payload until committed().
	 */
	int (*handle)(void *userdata, const struct inbound_env *env, void *payload);
	/* On the writer's thread, once handled and committed: what to answer and to do after. */
	void (*committed)(void *userdata, void *payload, struct web_outcome *ret);
	/* On the main thread: the calls of left made (failures logged). */
	void (*run_after)(void *userdata, void *left);
	/* Any thread; the payload whatever became of it, left made or not. */
	void (*free_payload)(void *payload);
	void (*free_left)(void *left);
};

/*
 * On the main thread: the first time for t, its webhook routed on
 * t->path (t borrowed for ever: static); every time, userdata (borrowed,
 * NULL: not configured, 404) is what its functions get from now on, the
 * old one no more once it returns.  0, or -errno from http_route()
 * (-ENOSPC, -EEXIST: a path taken by another).
 */
int web_webhook(struct web *w, const struct web_transport *t, void *userdata);

#endif
