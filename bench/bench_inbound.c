/* SPDX-License-Identifier: MIT */
/*
 * The writer's side of the webhook benchmark (bench/webhook.sh): N
 * status commands ("/tiendo T P% đã cập nhật" from the focal point of
 * task T's agency, chat 1000 + T) handled through inbound_handle in the
 * registry argv[1], first one transaction each, then BATCH to a
 * transaction (one savepoint each: the webhook's group commit).  No HTTP
 * and no JSON: what is left is what one writer thread can do.
 * With PEOPLE (bench/honest_seed.sh's people.tsv) each command comes from
 * a random person about a random task their agency leads, as
 * bench/honest_webhook.lua sends them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels.h"
#include "clock.h"
#include "config.h"
#include "inbound.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "xalloc.h"

/* A linked person of people.tsv and the tasks their agency leads (shared by its people). */
struct sender {
	long long chat;
	const long long *tasks;
	size_t n_tasks;
};

static struct sender *senders;
static size_t n_senders;
static unsigned long long rng = 88172645463325252ULL;

static unsigned long long
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Reads people.tsv: chat, person, agency, task numbers (people of an agency together). */
static int
load_people(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *prev_agency = NULL;
	size_t cap = 0;
	long long *tasks = NULL;
	size_t n_tasks = 0;

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *chat, *agency, *list;

		chat = strtok_r(line, "\t", &save);
		if (!chat || !strtok_r(NULL, "\t", &save) || !(agency = strtok_r(NULL, "\t", &save)) ||
		    !(list = strtok_r(NULL, "\t\n", &save)))
			continue;
		if (!prev_agency || strcmp(prev_agency, agency) != 0) {
			free(prev_agency);
			prev_agency = xstrdup(agency);
			tasks = NULL;
			n_tasks = 0;
			for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				tasks = xgrowarray(tasks, n_tasks, sizeof(*tasks));
				tasks[n_tasks++] = strtoll(t, NULL, 10);
			}
		}
		senders = xgrowarray(senders, n_senders, sizeof(*senders));
		senders[n_senders++] = (struct sender){ strtoll(chat, NULL, 10), tasks, n_tasks };
	}
	free(prev_agency);
	free(line);
	fclose(f);
	return n_senders ? 0 : -1;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int
one(const struct inbound_env *env, const struct clock *clk, const struct schedule *sch,
    int64_t update_id, int k)
{
	struct inbound_result res = { 0 };
	char chat[24], text[96];
	time_t now = clock_now(clk);
	struct command_in in = { .channel = "telegram", .chat_id = chat, .text = text,
				 .bot_username = "dondoc_bench_bot", .now = now,
				 .today = clock_local_date(now), .cal = sch->cal };
	int r;

	if (n_senders) {
		const struct sender *p = &senders[next_random() % n_senders];

		snprintf(chat, sizeof(chat), "%lld", p->chat);
		snprintf(text, sizeof(text), "/tiendo %lld %d%% đã cập nhật",
			 p->tasks[next_random() % p->n_tasks], (int)(next_random() % 100));
	} else {
		snprintf(chat, sizeof(chat), "%d", 1000 + k % 1000 + 1);
		snprintf(text, sizeof(text), "/tiendo %d %d%% đã cập nhật", k % 1000 + 1, k % 100);
	}
	r = inbound_handle(env, &in, update_id, k + 1, &res);
	if (r == 0 && (res.refused || !res.reply_id)) {
		fprintf(stderr, "bench_inbound: '%s' from %s was not handled: %s\n", text, chat,
			res.command ? res.command : "?");
		r = -1;
	}
	inbound_result_release(&res);
	return r;
}

int
main(int argc, char **argv)
{
	struct store *s = NULL;
	struct schedule *sch = NULL;
	struct config *cfg = NULL;
	struct channels *cs = NULL;
	struct renderer *rend = NULL;
	struct clock clk;
	struct timespec t0;
	char *msg = NULL;
	int64_t update_id = 1;
	double ms;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: bench_inbound DB TEMPLATES SCHEDULES N BATCH [PEOPLE]\n");
		return 2;
	}
	if (argc == 7 && load_people(argv[6]) < 0) {
		fprintf(stderr, "bench_inbound: no people in %s\n", argv[6]);
		return 1;
	}
	int n = atoi(argv[4]), batch = atoi(argv[5]);

	if (clock_init(&clk) < 0 || store_open(argv[1], STORE_WRITE, &s, &msg) < 0 ||
	    renderer_load(argv[2], &rend, &msg) < 0 ||
	    schedule_load(argv[3], clock_today(&clk), &sch, &msg) < 0 ||
	    config_load(NULL, &cfg, &msg) < 0 || channels_open(cfg, &cs, &msg) < 0) {
		fprintf(stderr, "bench_inbound: %s\n", msg ? msg : "cannot start");
		return 1;
	}
	struct inbound_env env = { .s = s, .clk = &clk, .rend = rend, .sch = sch, .cs = cs,
				   .bot_username = "dondoc_bench_bot", .queue_reply = true };

	/* BENCH_BATCH_ONLY=1: the batched pass alone (for a profile of it). */
	int n1 = getenv("BENCH_BATCH_ONLY") ? 0 : n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < n1; k++)
		if (one(&env, &clk, sch, update_id++, k) < 0)
			return 1;
	ms = ms_since(&t0);
	if (n1)
		printf("{\"bench\": \"writer: status commands, a transaction each\", "
		       "\"per_second\": %.0f}\n", n1 / ms * 1e3);
	env.in_txn = true;
	/* As the webhook's writer (web.c) sets its connection. */
	if (store_work(s, STORE_WORK_SAVEPOINTS) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < n; k += batch) {
		if (store_begin(s) < 0)
			return 1;
		for (int j = k; j < k + batch && j < n; j++)
			if (one(&env, &clk, sch, update_id++, j) < 0)
				return 1;
		if (store_commit(s) < 0)
			return 1;
	}
	ms = ms_since(&t0);
	printf("{\"bench\": \"writer: status commands, %d to a transaction\", \"per_second\": %.0f}\n",
	       batch, n / ms * 1e3);
	renderer_free(rend);
	channels_free(cs);
	config_free(cfg);
	schedule_free(sch);
	store_close(s);
	return 0;
}
