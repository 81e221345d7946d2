/* SPDX-License-Identifier: MIT */
/*
 * The HTTP routes; see web.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "http.h"
#include "inbound.h"
#include "log.h"
#include "report.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "web.h"
#include "xalloc.h"

#define COMMANDS_MAX 24		/* kinds of command counted */
#define METRICS_MAX ((size_t)1 << 20)
/*
 * /healthz tries a write (BEGIN IMMEDIATE, rolled back): longer than a
 * batch or a tick holds the registry, shorter than a prober's patience.
 * The requests that come while one try waits share its answer.
 */
#define HEALTH_PROBE_MS 2000
#define HOOKS_MAX 4		/* chat transports with a webhook */
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define JSON_TYPE "application/json"

/* A transport's webhook (web_webhook): its route's userdata. */
struct hook {
	struct web *w;
	const struct web_transport *t;
	void *userdata;		/* under setup_lock; NULL: not configured (404) */
};

/* A webhook delivery, from the server's thread to the writer and back. */
struct job {
	struct job *next;
	struct http_req *q;
	struct hook *hook;
	void *payload;		/* the transport's (parse) */
	int status;
	char *answer;		/* the webhook's answer (committed) */
};

/* A GET /metrics or /healthz, for the background thread. */
struct scrape {
	struct scrape *next;
	struct http_req *q;
	bool health;
};

/* Calls a delivery left for the main loop to make (web_outcome.left). */
struct after {
	struct after *next;
	struct hook *hook;
	void *left;
};

struct web {
	struct http *http;	/* set under qlock: the background thread reads it */
	struct store *ws;	/* the writer's */
	const struct clock *clk;
	int wake_fd;
	/* web_set and web_webhook write; the webhooks, the writer's batches and /metrics read. */
	pthread_rwlock_t setup_lock;
	struct web_setup setup;
	struct hook hooks[HOOKS_MAX];	/* [0..n_hooks): added by the main thread only */
	size_t n_hooks;
	pthread_mutex_t lock;	/* the counters */
	struct {
		const char *kind;	/* static strings from the command layer */
		uint64_t n;
	} commands[COMMANDS_MAX];
	time_t last_plan;
	uint64_t compose_failures;	/* people whose messages could not be made, per tick */
	/*
	 * The writer: webhook updates are queued by the server's thread and
	 * committed by this one, as many at a time as have come meanwhile
	 * (group commit), each a savepoint of the batch's transaction.
	 */
	pthread_t writer;
	bool writer_started;
	pthread_mutex_t qlock;	/* the queue, stopping and the calls left */
	pthread_cond_t qcond;
	struct job *head, **tail;
	bool stopping;
	struct after *after, **after_tail;
	/*
	 * The background thread, on a connection of its own: the writer's
	 * checkpoints, so that no batch waits for pages copied and an fsync,
	 * /metrics, whose scan of every task would hold the server's thread
	 * (170 ms for 100,000 tasks), and /healthz, whose write probe may
	 * wait HEALTH_PROBE_MS for a lock.
	 */
	struct store *bs;
	int health_status;	/* the last check's answer, 200 or 503 (0: none); the thread's own */
	pthread_t background;
	bool background_started;
	pthread_cond_t bcond;	/* under qlock */
	bool checkpoint_due;
	struct scrape *scrapes;
};

/*
 * 16 MB of WAL: four times SQLite's own threshold, since a page written
 * many times between two checkpoints is copied once (bench-webhook:
 * 14,400-15,300/s at 1,000 pages, 16,300-16,500/s at 4,000).
 */
#define CHECKPOINT_PAGES 4000

void
web_set(struct web *w, const struct web_setup *setup)
{
	pthread_rwlock_wrlock(&w->setup_lock);
	w->setup = *setup;
	pthread_rwlock_unlock(&w->setup_lock);
	/* Checked by config_load: a list that does not parse keeps the old one. */
	if (w->http && http_set_trusted(w->http, setup->trusted_proxy) < 0)
		log_warnx("[http] trusted_proxy '%s': not a list of addresses, ignoring",
			  setup->trusted_proxy);
}

static void
count_locked(struct web *w, const char *kind)
{
	for (int i = 0; i < COMMANDS_MAX; i++) {
		if (!w->commands[i].kind)
			w->commands[i].kind = kind;
		if (strcmp(w->commands[i].kind, kind) == 0) {
			w->commands[i].n++;
			return;
		}
	}
}

void
web_count_command(struct web *w, const char *kind)
{
	if (!w || !kind)
		return;
	pthread_mutex_lock(&w->lock);
	count_locked(w, kind);
	pthread_mutex_unlock(&w->lock);
}

void
web_planned(struct web *w, time_t t)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->last_plan = t;
	pthread_mutex_unlock(&w->lock);
}

void
web_compose_failed(struct web *w, size_t n)
{
	if (!w || !n)
		return;
	pthread_mutex_lock(&w->lock);
	w->compose_failures += n;
	pthread_mutex_unlock(&w->lock);
}

/* A webhook's answer that says a status, in JSON, as the chat APIs' own errors are. */
static char *
hook_text(int status)
{
	if (status < 300)
		return xstrdup("{\"ok\":true,\"description\":\"handled\"}\n");
	if (status == 404)
		return xstrdup("{\"ok\":false,\"description\":\"no webhook here\"}\n");
	/* Not committed: the sender delivers it again. */
	return xstrdup("{\"ok\":false,\"description\":\"try again\"}\n");
}

/* On the server's thread, the headers read: the transport's check, if it is configured. */
static int
hook_auth(void *userdata, struct http_req *q)
{
	struct hook *k = userdata;
	struct web *w = k->w;
	int status;

	pthread_rwlock_rdlock(&w->setup_lock);
	status = k->userdata ? k->t->auth(k->userdata, q) : 404;
	pthread_rwlock_unlock(&w->setup_lock);
	if (status == 404)
		return http_reply(q, 404, JSON_TYPE, hook_text(404));
	return status;
}

/* On the server's thread, which made it, once its request is done with. */
static void
job_free(void *data)
{
	struct job *j = data;

	j->hook->t->free_payload(j->payload);
	free(j);
}

/* On the server's thread: checked and parsed here, committed by the writer. */
static int
hook_post(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct hook *k = userdata;
	struct web *w = k->w;
	struct job *j;
	void *payload = NULL;
	int status;

	/* Checked again before anything is read: a reload may have come since the headers. */
	status = hook_auth(k, q);
	if (status)
		return status;
	pthread_rwlock_rdlock(&w->setup_lock);
	status = k->userdata ? k->t->parse(k->userdata, q, body, n, &payload) : 404;
	pthread_rwlock_unlock(&w->setup_lock);
	if (status)
		return status == 200 ? http_reply(q, 200, JSON_TYPE, hook_text(200)) : status;
	j = xcalloc(1, sizeof(*j));
	j->q = q;
	j->hook = k;
	j->payload = payload;
	pthread_mutex_lock(&w->qlock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->qlock);
		job_free(j);
		return http_reply(q, 503, JSON_TYPE, hook_text(503));
	}
	/* Suspended before the writer can see it, so never answered before. */
	http_later(q, job_free, j);
	*w->tail = j;
	w->tail = &j->next;
	pthread_cond_signal(&w->qcond);
	pthread_mutex_unlock(&w->qlock);
	return HTTP_LATER;
}

int
web_webhook(struct web *w, const struct web_transport *t, void *userdata)
{
	struct hook *k = NULL;
	int r;

	for (size_t i = 0; i < w->n_hooks && !k; i++)
		if (w->hooks[i].t == t)
			k = &w->hooks[i];
	if (!k) {
		struct http_route route = { .method = "POST", .path = t->path, .auth = hook_auth,
					    .handle = hook_post };

		if (w->n_hooks == HOOKS_MAX)
			return -ENOSPC;
		k = &w->hooks[w->n_hooks];
		k->w = w;
		k->t = t;
		route.userdata = k;
		r = http_route(w->http, &route);
		if (r < 0)
			return r;
		w->n_hooks++;
	}
	pthread_rwlock_wrlock(&w->setup_lock);
	k->userdata = userdata;
	pthread_rwlock_unlock(&w->setup_lock);
	return 0;
}

/*
 * One transaction for every delivery of the batch: each a savepoint (one
 * that fails for a transient cause is undone alone, and answered 503 to
 * come again; one that would always fail is answered 200), all
 * committed at once, and only then answered (invariant 4).
 */
static void
commit_batch(struct web *w, struct job *batch)
{
	struct inbound_env env;
	struct after *left = NULL, **left_tail = &left;
	size_t n = 0, failed = 0;
	bool wake = false;
	int r;

	pthread_rwlock_rdlock(&w->setup_lock);
	env = (struct inbound_env){ .s = w->ws, .clk = w->clk, .rend = w->setup.rend,
				    .sch = w->setup.sch, .cs = w->setup.cs, .url = w->setup.url,
				    .queue_reply = true, .in_txn = true };
	r = store_begin(w->ws);
	for (struct job *j = batch; j && r == 0; j = j->next) {
		struct hook *k = j->hook;
		int e;

		/* Its transport unconfigured since (a reload): it comes again, to 404. */
		if (!k->userdata) {
			j->status = 503;
			continue;
		}
		e = k->t->handle(k->userdata, &env, j->payload);
		n++;
		/*
		 * A delivery the transport cannot read (-EINVAL) would be no
		 * better the next time: acknowledged.  Any other failure is
		 * transient (inbound_handle answers the others itself): 503, to
		 * come again.
		 */
		j->status = e == 0 || e == -EINVAL ? 200 : 503;
		if (e == -EINVAL)
			log_warnx("webhook: a %s delivery that cannot be read was acknowledged, "
				  "ignoring", k->t->name);
		if (e < 0 && e != -EINVAL) {
			failed++;
			log_warnx("webhook: cannot handle a %s delivery: %s; it will come again",
				  k->t->name, strerror(-e));
			/* An I/O error that ended the whole transaction ends the batch. */
			if (!store_in_txn(w->ws))
				r = e;
		}
	}
	if (r == 0)
		r = store_commit(w->ws);
	if (r < 0) {
		log_warnx("webhook: cannot commit %zu deliveries: %s; they will come again", n,
			  store_strerror(w->ws, r));
		store_rollback(w->ws);
		for (struct job *j = batch; j; j = j->next)
			j->status = 503;
	} else {
		for (struct job *j = batch; j; j = j->next) {
			struct web_outcome out = { 0 };

			if (j->status != 200 || !j->hook->userdata)
				continue;
			j->hook->t->committed(j->hook->userdata, j->payload, &out);
			j->answer = out.answer;
			if (out.command) {
				pthread_mutex_lock(&w->lock);
				count_locked(w, out.command);
				pthread_mutex_unlock(&w->lock);
			}
			if (out.left) {
				struct after *a = xcalloc(1, sizeof(*a));

				a->hook = j->hook;
				a->left = out.left;
				*left_tail = a;
				left_tail = &a->next;
			}
		}
		wake = n > failed;
	}
	pthread_rwlock_unlock(&w->setup_lock);
	if (left) {
		pthread_mutex_lock(&w->qlock);
		*w->after_tail = left;
		w->after_tail = left_tail;
		pthread_mutex_unlock(&w->qlock);
	}
	if (wake) {
		char c = 0;

		/* Their answers wait in the outbox: the main loop sends them now. */
		(void)!write(w->wake_fd, &c, 1);
	}
	while (batch) {
		struct job *j = batch;

		batch = j->next;
		/* j is the server's again (job_free). */
		http_answer(j->q, j->status, JSON_TYPE, j->answer ? j->answer : hook_text(j->status));
	}
}

static void *
writer_main(void *userdata)
{
	struct web *w = userdata;

	/* Named for top -H and ps -L, beside libmicrohttpd's "MHD-single". */
	(void)pthread_setname_np(pthread_self(), "dondoc-writer");

	for (;;) {
		struct job *batch;

		pthread_mutex_lock(&w->qlock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->qcond, &w->qlock);
		batch = w->head;
		w->head = NULL;
		w->tail = &w->head;
		pthread_mutex_unlock(&w->qlock);
		if (!batch)
			return NULL;	/* stopping, and every update answered */
		commit_batch(w, batch);
	}
}

/* The writer's WAL hook: past CHECKPOINT_PAGES, the background thread is woken. */
static void
wal_grew(void *userdata, int pages)
{
	struct web *w = userdata;

	if (pages < CHECKPOINT_PAGES)
		return;
	pthread_mutex_lock(&w->qlock);
	if (!w->checkpoint_due) {
		w->checkpoint_due = true;
		pthread_cond_signal(&w->bcond);
	}
	pthread_mutex_unlock(&w->qlock);
}

static char *metrics_text(struct web *w);
static int health_check(struct web *w, char **ret_text);

/*
 * Checkpoints and scrapes, as they come.  Stopping, the scrapes already
 * taken are answered before it ends: their connections wait suspended.
 */
static void *
background_main(void *userdata)
{
	struct web *w = userdata;

	(void)pthread_setname_np(pthread_self(), "dondoc-bg");

	pthread_mutex_lock(&w->qlock);
	for (;;) {
		struct scrape *sc;
		char *health_text;
		int wal = 0, done = 0, health;

		while (!w->checkpoint_due && !w->scrapes && !w->stopping)
			pthread_cond_wait(&w->bcond, &w->qlock);
		sc = w->scrapes;
		w->scrapes = NULL;
		if (!sc && w->stopping)
			break;
		if (sc) {
			pthread_mutex_unlock(&w->qlock);
			/* One check for all the /healthz of the batch. */
			health = 0;
			health_text = NULL;
			while (sc) {
				struct scrape *next = sc->next;

				if (sc->health) {
					if (!health)
						health = health_check(w, &health_text);
					http_answer(sc->q, health, NULL,
						    xstrdup(health_text ? health_text : "ok\n"));
				} else {
					char *text = metrics_text(w);

					if (text)
						http_answer(sc->q, 200, METRICS_TYPE, text);
					else
						http_answer(sc->q, 503, NULL,
							    xstrdup("metrics unavailable\n"));
				}
				free(sc);
				sc = next;
			}
			free(health_text);
			pthread_mutex_lock(&w->qlock);
			continue;
		}
		w->checkpoint_due = false;
		pthread_mutex_unlock(&w->qlock);
		if (store_upkeep(w->bs, &wal, &done) < 0)
			log_warnx("webhook: checkpoint: %s", store_errmsg(w->bs));
		pthread_mutex_lock(&w->qlock);
	}
	pthread_mutex_unlock(&w->qlock);
	return NULL;
}

/* The calls left, made (run) or only freed. */
static void
run_after(struct web *w, bool run)
{
	struct after *a;

	pthread_mutex_lock(&w->qlock);
	a = w->after;
	w->after = NULL;
	w->after_tail = &w->after;
	pthread_mutex_unlock(&w->qlock);
	while (a) {
		struct after *next = a->next;
		const struct web_transport *t = a->hook->t;

		/* The transport's state now: what they were made with may be gone (a reload). */
		if (run && a->hook->userdata)
			t->run_after(a->hook->userdata, a->left);
		t->free_left(a->left);
		free(a);
		a = next;
	}
}

void
web_run_after(struct web *w)
{
	if (w)
		run_after(w, true);
}

/*
 * On the background thread: 200 (text NULL), or 503 and a new text that
 * says why: the registry cannot be read, or cannot be written (another
 * process holds its lock past HEALTH_PROBE_MS, it was opened read-only).
 * The write is undone, so a full disk shows only once the writers fail.
 */
static int
health_check(struct web *w, char **ret_text)
{
	int64_t oldest = 0;
	char *text = NULL;
	int r;

	r = store_metrics(w->bs, NULL, NULL, &oldest);
	if (r < 0) {
		text = xasprintf("unhealthy: the registry cannot be read: %s\n", strerror(-r));
	} else {
		/* A write, undone: what the writer and the main loop need to be able to do. */
		store_set_busy_timeout(w->bs, HEALTH_PROBE_MS);
		r = store_begin(w->bs);
		if (r == 0)
			r = store_meta_set(w->bs, "health_probe", "1");
		if (r < 0)
			text = xasprintf("degraded: registry not writable: %s\n",
					 store_strerror(w->bs, r));
		store_rollback(w->bs);
		store_set_busy_timeout(w->bs, STORE_BUSY_MS);
	}
	/* Said once when it changes, not at every probe. */
	if (text && w->health_status != 503)
		log_warnx("/healthz: %.*s", (int)strcspn(text, "\n"), text);
	else if (!text && w->health_status == 503)
		log_info("/healthz: the registry can be read and written again");
	w->health_status = text ? 503 : 200;
	*ret_text = text;
	return w->health_status;
}

/* On the server's thread: queued for the background thread, as a scrape is. */
static int
queue_scrape(struct web *w, struct http_req *q, bool health)
{
	struct scrape *sc;

	pthread_mutex_lock(&w->qlock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->qlock);
		return http_reply(q, 503, NULL, xstrdup(health ? "unhealthy: stopping\n" :
						       "metrics unavailable\n"));
	}
	sc = xcalloc(1, sizeof(*sc));
	sc->q = q;
	sc->health = health;
	http_later(q, NULL, NULL);
	sc->next = w->scrapes;
	w->scrapes = sc;
	pthread_cond_signal(&w->bcond);
	pthread_mutex_unlock(&w->qlock);
	return HTTP_LATER;
}

static int
on_health(void *userdata, struct http_req *q, const char *body, size_t n)
{
	(void)body;
	(void)n;
	return queue_scrape(userdata, q, true);
}

/* The text of /metrics as store_metrics gives the counts, notices first. */
struct metrics_out {
	struct buf *b;
	bool messages;	/* the messages' family has begun */
};

/* Each family's HELP and TYPE before its first sample (the text format's rule). */
static void
begin_messages(struct metrics_out *o)
{
	if (o->messages)
		return;
	o->messages = true;
	(void)buf_adds(o->b, "# HELP dondoc_messages Outbox messages by channel and state.\n"
			     "# TYPE dondoc_messages gauge\n");
}

static void
metric(const char *what, const char *channel, const char *state, int64_t n, void *userdata)
{
	struct metrics_out *o = userdata;

	if (strcmp(what, "notice") == 0) {
		(void)buf_addf(o->b, "dondoc_notices{state=\"%s\"} %lld\n", state, (long long)n);
	} else {
		begin_messages(o);
		(void)buf_addf(o->b, "dondoc_messages{channel=\"%s\",state=\"%s\"} %lld\n",
			       channel, state, (long long)n);
	}
}

/*
 * The rows of the registry as the report counts them (report.h): one
 * family whose samples of a kind add up to that kind's total, and the
 * marks that overlap the categories in families of their own, so that a
 * sum() over dondoc_tasks is never counted twice.
 */
static void
tasks_metrics(struct buf *b, const struct report_counts *c)
{
	const struct report_tasks *t = &c->tasks;
	const struct report_indicators *i = &c->indicators;
	const struct { const char *kind, *category; int64_t n; } rows[] = {
		{ "task", "done_on_time", t->done_on_time },
		{ "task", "done_late", t->done_late },
		{ "task", "done_unknown", t->done_unknown },
		{ "task", "in_progress", t->in_progress },
		{ "task", "not_started", t->not_started },
		{ "task", "postponed", t->postponed },
		{ "indicator", "achieved", i->achieved },
		{ "indicator", "not_achieved", i->not_achieved },
		{ "indicator", "unassessed", i->unassessed },
	};

	(void)buf_adds(b, "# HELP dondoc_tasks Rows of the registry by kind and category; a kind's "
			  "categories add up to its total.\n# TYPE dondoc_tasks gauge\n");
	for (size_t k = 0; k < ELEMENTSOF(rows); k++)
		(void)buf_addf(b, "dondoc_tasks{kind=\"%s\",category=\"%s\"} %lld\n", rows[k].kind,
			       rows[k].category, (long long)rows[k].n);
	(void)buf_addf(b, "# HELP dondoc_tasks_behind Tasks in progress and overdue (chậm tiến độ).\n"
			  "# TYPE dondoc_tasks_behind gauge\ndondoc_tasks_behind %lld\n"
			  "# HELP dondoc_tasks_overdue Tasks not done past their due day (quá hạn), "
			  "whatever their status.\n# TYPE dondoc_tasks_overdue gauge\n"
			  "dondoc_tasks_overdue %lld\n",
		       (long long)t->behind, (long long)t->overdue);
	(void)buf_adds(b, "# HELP dondoc_tasks_by_light Rows of the registry by kind and traffic light.\n"
			  "# TYPE dondoc_tasks_by_light gauge\n");
	for (int l = 0; l < _LIGHT_MAX; l++)
		(void)buf_addf(b, "dondoc_tasks_by_light{kind=\"task\",light=\"%s\"} %lld\n",
			       task_light_to_string(l), (long long)t->light[l]);
	for (int l = 0; l < _LIGHT_MAX; l++)
		(void)buf_addf(b, "dondoc_tasks_by_light{kind=\"indicator\",light=\"%s\"} %lld\n",
			       task_light_to_string(l), (long long)i->light[l]);
}

static char *
metrics_text(struct web *w)
{
	struct buf b;
	struct metrics_out o = { .b = &b };
	struct http *h;
	char *text = NULL;
	struct report rep = { 0 };
	struct report_query rq = { 0 };
	time_t now = clock_now(w->clk);
	int64_t oldest = 0;
	int r;

	buf_init(&b, METRICS_MAX);
	pthread_rwlock_rdlock(&w->setup_lock);
	(void)buf_adds(&b, "# HELP dondoc_notices Notices (what must be said to whom) by state.\n"
			   "# TYPE dondoc_notices gauge\n");
	r = store_metrics(w->bs, metric, &o, &oldest);
	begin_messages(&o);
	rq.today = clock_local_date(now);
	rq.cal = w->setup.sch ? w->setup.sch->cal : NULL;
	if (r == 0)
		r = report_build(w->bs, &rq, &rep);
	if (r == 0) {
		tasks_metrics(&b, &rep.all);
		report_release(&rep);
		(void)buf_adds(&b, "# HELP dondoc_commands_total Chat commands handled since start.\n"
				   "# TYPE dondoc_commands_total counter\n");
		pthread_mutex_lock(&w->lock);
		for (int i = 0; i < COMMANDS_MAX && w->commands[i].kind; i++)
			(void)buf_addf(&b, "dondoc_commands_total{command=\"%s\"} %llu\n",
				       w->commands[i].kind, (unsigned long long)w->commands[i].n);
		(void)buf_addf(&b, "# HELP dondoc_oldest_pending_notice_seconds Age of the oldest "
			       "queued notice.\n# TYPE dondoc_oldest_pending_notice_seconds gauge\n"
			       "dondoc_oldest_pending_notice_seconds %lld\n",
			       (long long)(oldest ? now - oldest : 0));
		(void)buf_addf(&b, "# HELP dondoc_planner_lag_seconds Time since the last planner "
			       "pass.\n# TYPE dondoc_planner_lag_seconds gauge\n"
			       "dondoc_planner_lag_seconds %lld\n",
			       (long long)(w->last_plan ? now - w->last_plan : -1));
		(void)buf_addf(&b, "# HELP dondoc_compose_failures_total People whose messages "
			       "could not be composed, counted at each tick that fails for them "
			       "(their notices wait, tried again each tick).\n"
			       "# TYPE dondoc_compose_failures_total counter\n"
			       "dondoc_compose_failures_total %llu\n",
			       (unsigned long long)w->compose_failures);
		pthread_mutex_unlock(&w->lock);
	}
	pthread_rwlock_unlock(&w->setup_lock);
	pthread_mutex_lock(&w->qlock);
	h = w->http;
	pthread_mutex_unlock(&w->qlock);
	if (r == 0 && h) {
		struct http_stats st;

		http_get_stats(h, &st);
		(void)buf_addf(&b, "# HELP dondoc_http_connections_cut_total Connections the HTTP "
			       "server cut off: a request not read whole in %d s (deadline), or the "
			       "slowest making room for a new one (crowded).\n"
			       "# TYPE dondoc_http_connections_cut_total counter\n"
			       "dondoc_http_connections_cut_total{reason=\"deadline\"} %llu\n"
			       "dondoc_http_connections_cut_total{reason=\"crowded\"} %llu\n",
			       HTTP_REQUEST_S, st.deadline, st.crowded);
	}
	if (r == 0)
		text = buf_detach(&b);
	buf_release(&b);
	return text;
}

/*
 * On the server's thread: who may see /metrics (web_setup.metrics), then
 * counted on the background thread.
 */
static int
on_metrics(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct web *w = userdata;
	struct http_client cl;
	const char *mode, *bearer;
	int status = 0;

	(void)body;
	(void)n;
	pthread_rwlock_rdlock(&w->setup_lock);
	mode = w->setup.metrics ? w->setup.metrics : "loopback";
	if (strcmp(mode, "token") == 0) {
		bearer = http_bearer(q);
		if (!http_secret_equal(bearer, w->setup.metrics_token))
			status = 401;
	} else if (strcmp(mode, "open") != 0) {
		http_client(q, &cl);
		if (!cl.loopback)
			status = 403;
	}
	pthread_rwlock_unlock(&w->setup_lock);
	if (status == 401) {
		(void)http_set_header(q, "WWW-Authenticate", "Bearer realm=\"dondoc\"");
		return http_reply(q, 401, NULL,
				  xstrdup("unauthorized: /metrics needs its bearer token\n"));
	}
	if (status == 403)
		return http_reply(q, 403, NULL,
				  xstrdup("forbidden: /metrics is served to this machine only\n"));
	return queue_scrape(w, q, false);
}

int
web_start(const char *listen, bool share, const char *db, const struct store *key_of,
	  const struct clock *clk, int wake_fd, struct web **ret, char **reterr_msg)
{
	struct http_route health = { .method = "GET", .path = "/healthz", .handle = on_health },
			  metrics = { .method = "GET", .path = "/metrics", .handle = on_metrics };
	struct web *w = xcalloc(1, sizeof(*w));
	struct http *h;
	int r;

	r = store_open(db, STORE_WRITE, &w->ws, reterr_msg);
	if (r == 0)
		r = store_open(db, STORE_WRITE, &w->bs, reterr_msg);
	if (r < 0) {
		store_close(w->ws);
		free(w);
		return r;
	}
	/* Both write events: a keyed history takes them only under its key. */
	store_copy_audit_key(w->ws, key_of);
	store_copy_audit_key(w->bs, key_of);
	(void)store_upkeep_handoff(w->ws, wal_grew, w);
	/* A savepoint per delivery in each batch's transaction (commit_batch). */
	if (store_work(w->ws, STORE_WORK_SAVEPOINTS) < 0)
		log_warnx("webhook: cannot set the savepoints' journal: %s", store_errmsg(w->ws));
	w->clk = clk;
	w->wake_fd = wake_fd;
	{
		pthread_rwlockattr_t a;

		/* A reload waits for the batch under way, not for every batch to come. */
		pthread_rwlockattr_init(&a);
		pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&w->setup_lock, &a);
		pthread_rwlockattr_destroy(&a);
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->qlock, NULL);
	pthread_cond_init(&w->qcond, NULL);
	pthread_cond_init(&w->bcond, NULL);
	w->tail = &w->head;
	w->after_tail = &w->after;
	r = -pthread_create(&w->writer, NULL, writer_main, w);
	if (r == 0) {
		w->writer_started = true;
		r = -pthread_create(&w->background, NULL, background_main, w);
		w->background_started = r == 0;
	}
	if (r < 0) {
		*reterr_msg = xasprintf("cannot start the webhook's threads: %s", strerror(-r));
		web_stop(w);
		return r;
	}
	r = http_start(listen, share, &h, reterr_msg);
	if (r < 0) {
		web_stop(w);
		return r;
	}
	health.userdata = metrics.userdata = w;
	/* Two routes in an empty table: neither can fail. */
	(void)http_route(h, &health);
	(void)http_route(h, &metrics);
	pthread_mutex_lock(&w->qlock);
	w->http = h;
	pthread_mutex_unlock(&w->qlock);
	*ret = w;
	return 0;
}

struct http *
web_http(struct web *w)
{
	return w->http;
}

int
web_port(const struct web *w)
{
	return http_port(w->http);
}

struct web *
web_stop(struct web *w)
{
	if (!w)
		return NULL;
	/*
	 * The writer first: it answers what it was given, and from now on
	 * an update is answered 503 at once.  Then the server, which must
	 * hold no suspended request when it stops.
	 */
	pthread_mutex_lock(&w->qlock);
	w->stopping = true;
	pthread_cond_signal(&w->qcond);
	pthread_cond_signal(&w->bcond);
	pthread_mutex_unlock(&w->qlock);
	if (w->writer_started)
		pthread_join(w->writer, NULL);
	if (w->background_started)
		pthread_join(w->background, NULL);
	http_stop(w->http);
	run_after(w, false);
	store_close(w->bs);
	store_close(w->ws);
	pthread_cond_destroy(&w->bcond);
	pthread_cond_destroy(&w->qcond);
	pthread_mutex_destroy(&w->qlock);
	pthread_mutex_destroy(&w->lock);
	pthread_rwlock_destroy(&w->setup_lock);
	free(w);
	return NULL;
}
