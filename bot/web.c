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

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "http.h"
#include "inbound.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "tgbot.h"
#include "web.h"
#include "xalloc.h"

#define COMMANDS_MAX 24		/* kinds of command counted */
#define METRICS_MAX ((size_t)1 << 20)

struct web {
	struct http *http;
	struct store *s;	/* the server thread's own connection */
	const struct clock *clk;
	int wake_fd;
	pthread_mutex_t lock;	/* held by a handler; taken by web_set and the counters */
	struct web_setup setup;
	struct {
		const char *kind;	/* static strings from the command layer */
		uint64_t n;
	} commands[COMMANDS_MAX];
	time_t last_plan;
};

void
web_set(struct web *w, const struct web_setup *setup)
{
	pthread_mutex_lock(&w->lock);
	w->setup = *setup;
	pthread_mutex_unlock(&w->lock);
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

/* The webhook's counter: the lock is held already. */
static void
count_cb(void *userdata, const char *kind)
{
	count_locked(userdata, kind);
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

/* Equal, in a time that does not tell how much of a guess was right. */
static bool
same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char d = na != nb;

	for (size_t i = 0; i < na; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (nb ? nb : 1)];
	return d == 0;
}

static int
on_telegram_auth(void *userdata, const char *secret)
{
	struct web *w = userdata;
	int status = 0;

	pthread_mutex_lock(&w->lock);
	if (!w->setup.bot || !w->setup.webhook_secret)
		status = 404;
	else if (!secret || !same_secret(secret, w->setup.webhook_secret))
		status = 401;
	pthread_mutex_unlock(&w->lock);
	return status;
}

static int
on_telegram(void *userdata, const char *secret, const char *body, size_t n)
{
	struct web *w = userdata;
	struct inbound_env env;
	json_error_t e;
	json_t *u;
	int r, status;

	pthread_mutex_lock(&w->lock);
	if (!w->setup.bot || !w->setup.webhook_secret) {
		status = 404;
		goto out;
	}
	/* Checked before anything is read: a wrong secret changes nothing. */
	if (!secret || !same_secret(secret, w->setup.webhook_secret)) {
		status = 401;
		goto out;
	}
	u = json_loadb(body, n, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(u)) {
		json_decref(u);
		status = 400;
		goto out;
	}
	env = (struct inbound_env){ .s = w->s, .clk = w->clk, .rend = w->setup.rend,
				    .sch = w->setup.sch, .cs = w->setup.cs,
				    .bot_username = tgbot_username(w->setup.bot),
				    .queue_reply = true, .count = count_cb, .count_userdata = w };
	r = tgbot_handle(w->setup.bot, &env, u);
	json_decref(u);
	status = r == 0 ? 200 : r == -EINVAL ? 400 : 503;
	if (r == 0) {
		char c = 0;

		/* Its answers wait in the outbox: the main loop sends them now. */
		(void)!write(w->wake_fd, &c, 1);
	}
out:
	pthread_mutex_unlock(&w->lock);
	return status;
}

static int
on_health(void *userdata, char **ret_msg)
{
	struct web *w = userdata;
	int64_t oldest = 0;
	int r;

	pthread_mutex_lock(&w->lock);
	r = store_metrics(w->s, NULL, NULL, &oldest);
	pthread_mutex_unlock(&w->lock);
	if (r < 0)
		*ret_msg = xasprintf("the registry cannot be read: %s", strerror(-r));
	return r;
}

static void
metric(const char *what, const char *channel, const char *state, int64_t n, void *userdata)
{
	struct buf *b = userdata;

	if (strcmp(what, "notice") == 0)
		(void)buf_addf(b, "dondoc_notices{state=\"%s\"} %lld\n", state, (long long)n);
	else
		(void)buf_addf(b, "dondoc_messages{channel=\"%s\",state=\"%s\"} %lld\n", channel,
			       state, (long long)n);
}

struct tally {
	int64_t status[_TASK_STATUS_MAX];
	int64_t light[_LIGHT_MAX];
	struct date today;
	const struct schedule *sch;
};

static int
tally_task(const struct task *t, void *userdata)
{
	struct tally *y = userdata;
	enum task_light l = task_light(t, y->today, y->sch ? y->sch->cal : NULL);

	if (t->status >= 0 && t->status < _TASK_STATUS_MAX)
		y->status[t->status]++;
	if (l >= 0 && l < _LIGHT_MAX)
		y->light[l]++;
	return 0;
}

static char *
on_metrics(void *userdata)
{
	struct web *w = userdata;
	struct buf b;
	struct tally y = { 0 };
	time_t now = clock_now(w->clk);
	int64_t oldest = 0;
	int r;

	buf_init(&b, METRICS_MAX);
	pthread_mutex_lock(&w->lock);
	(void)buf_adds(&b, "# HELP dondoc_notices Notices (what must be said to whom) by state.\n"
			   "# TYPE dondoc_notices gauge\n");
	r = store_metrics(w->s, metric, &b, &oldest);
	(void)buf_adds(&b, "# HELP dondoc_messages Outbox messages by channel and state.\n"
			   "# TYPE dondoc_messages gauge\n");
	y.today = clock_local_date(now);
	y.sch = w->setup.sch;
	if (r == 0)
		r = store_task_foreach(w->s, NULL, tally_task, &y);
	if (r == 0) {
		(void)buf_adds(&b, "# HELP dondoc_tasks Tasks by status.\n# TYPE dondoc_tasks gauge\n");
		for (int i = 0; i < _TASK_STATUS_MAX; i++)
			(void)buf_addf(&b, "dondoc_tasks{status=\"%s\"} %lld\n",
				       task_status_to_string(i), (long long)y.status[i]);
		(void)buf_adds(&b, "# HELP dondoc_tasks_by_light Tasks by traffic light.\n"
				   "# TYPE dondoc_tasks_by_light gauge\n");
		for (int i = 0; i < _LIGHT_MAX; i++)
			(void)buf_addf(&b, "dondoc_tasks_by_light{light=\"%s\"} %lld\n",
				       task_light_to_string(i), (long long)y.light[i]);
		(void)buf_adds(&b, "# HELP dondoc_commands_total Chat commands handled since start.\n"
				   "# TYPE dondoc_commands_total counter\n");
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
	}
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int
web_start(const char *listen, const char *db, const struct clock *clk, int wake_fd,
	  struct web **ret, char **reterr_msg)
{
	struct http_routes routes = { .telegram = on_telegram, .telegram_auth = on_telegram_auth,
				      .health = on_health, .metrics = on_metrics };
	struct web *w = xcalloc(1, sizeof(*w));
	int r;

	r = store_open(db, STORE_WRITE, &w->s, reterr_msg);
	if (r < 0) {
		free(w);
		return r;
	}
	w->clk = clk;
	w->wake_fd = wake_fd;
	pthread_mutex_init(&w->lock, NULL);
	routes.userdata = w;
	r = http_start(listen, &routes, &w->http, reterr_msg);
	if (r < 0) {
		store_close(w->s);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return r;
	}
	*ret = w;
	return 0;
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
	http_stop(w->http);
	store_close(w->s);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return NULL;
}
