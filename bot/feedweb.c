/* SPDX-License-Identifier: MIT */
/*
 * The feeds served; see feedweb.h.  Two threads and two registry
 * connections:
 *
 * - the server's thread (http.h) answers what needs no build: per
 *   request, two indexed reads on a connection of its own (the live feed
 *   of the token's hash, and the change counter store_feed_gen), so that
 *   a revocation and a change made by any process are seen by the very
 *   next request, and from memory the cached body, 304, 404 and 429.
 *   Both reads are point lookups in WAL mode, a few microseconds: no
 *   lock is waited for, no write made.  They are skipped for a token
 *   found live with a fresh body while the connection's data version
 *   (store_data_version, one cheaper read) says no one committed since.
 * - the feed thread builds (feed_build, libical loaded at the first),
 *   caches and answers what was handed to it (http_later), and writes
 *   the fetch log every FLUSH_MS and at stop.
 *
 * A cached body is good while the change counter, the local day (events
 * turn overdue at midnight) and the setup (feedweb_set) are those it was
 * built with.  Bodies are refcounted and lent to the server
 * (http_set_body_ref), never copied per request.
 *
 * Locks: setup_lock (the setup the builds use; a build holds it, so
 * feedweb_set waits for the one under way) before lock (entries, rate
 * limits, fetch log, queue).  Entries are never removed until stop:
 * there is one per feed asked for since start.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utf8proc.h>

#include "clock.h"
#include "date.h"
#include "feed.h"
#include "feedweb.h"
#include "http.h"
#include "log.h"
#include "macro.h"
#include "norm.h"
#include "store.h"
#include "xalloc.h"

#define PREFIX "/ical/"
#define SUFFIX ".ics"
#define CAL_TYPE "text/calendar; charset=utf-8"
/*
 * private: the text is the token holder's, not for a shared cache;
 * no-cache: a client keeps it but asks again (a 304 costs a lookup).
 */
#define CACHE_CONTROL "private, no-cache"
#define ENTRY_BUCKETS 256
#define IP_SLOTS 4096		/* client addresses rate-limited at once */
#define IP_PROBE 8
#define CLIENT_MAX 256		/* bytes of a User-Agent kept */
/*
 * How long the feed thread's connection waits for another's lock
 * (STORE_BUSY_MS is 5 s, as long as the server's drain at stop): a build
 * or a fetch log write that waits longer gives up (503, or the fetches
 * kept for the next write), so that a stop never waits past the drain.
 */
#define BUSY_MS 500
#define FLUSH_MS 5000		/* the fetch log written this often */
/* A well-formed token no one holds: a path that cannot be one is looked up as it. */
#define DUMMY_TOKEN "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/*
 * A rate limit as GCRA: tat is when the bucket would be empty again
 * (monotonic microseconds, so that a limit of up to millions a minute
 * still costs something); a request costs 60,000,000 / per_min us, and a
 * burst of per_min is allowed.  0: never used.
 */
struct bucket {
	int64_t tat;
};

/* A feed asked for since start, by its token's hash. */
struct entry {
	struct entry *next;	/* in its bucket */
	char hash[65];
	int64_t id;
	struct feed_body *body;	/* the cache; NULL: none */
	int64_t built_gen;	/* store_feed_gen when it was built */
	int64_t live_version;	/* rs's data version when its token was last found live; -1 none */
	struct date built_day;	/* the local day it was built on */
	uint64_t built_set;	/* feedweb_set's generation it was built with */
	struct bucket rate;	/* per token */
	/* Fetches not yet written (store_feed_fetched): the last one's time and client. */
	int64_t fetches;
	int64_t fetched_at;
	char *client;
};

struct ip_slot {
	char addr[48];		/* "": free */
	struct bucket rate;
};

/* A request handed to the feed thread. */
struct job {
	struct job *next;
	struct http_req *q;
	struct feed f;
	char *inm;		/* If-None-Match as sent; NULL: none */
	char *client;		/* User-Agent; "" none */
	int64_t gen;		/* the change counter the server's thread read */
	struct date today;
};

struct feedweb {
	struct http *h;
	const struct clock *clk;
	struct store *rs;	/* the server thread's: lookups and the change counter */
	/* The server thread's alone: rs's data version at its last reads, and the counter then. */
	int64_t rs_version;	/* -1: none read */
	int64_t rs_gen;
	struct store *s;	/* the feed thread's: builds and the fetch log */
	struct feed_maker *maker;	/* the feed thread's; made at the first build */
	uint64_t maker_set;	/* the setup generation maker has */
	bool maker_failed;	/* libical could not be loaded: said once */

	pthread_mutex_t setup_lock;
	struct feed_conf conf;	/* borrowed strings, until the next feedweb_set */
	const struct renderer *rend;
	const struct schedule *sch;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t set_gen;	/* feedweb_set's calls (0: none yet: 503) */
	int rate_token, rate_ip;
	struct entry *entries[ENTRY_BUCKETS];
	struct ip_slot ips[IP_SLOTS];
	struct job *head, **tail;
	bool stopping;
	pthread_t thread;
	bool started;
};

/* --- entries, limits, fetches (under lock) ------------------------------ */

static unsigned
hex_val(char c)
{
	return c >= 'a' ? (unsigned)(c - 'a' + 10) : (unsigned)(c - '0');
}

static struct entry *
entry_find(struct feedweb *fw, const char *hash)
{
	struct entry *e = fw->entries[hex_val(hash[0]) << 4 | hex_val(hash[1])];

	while (e && strcmp(e->hash, hash) != 0)
		e = e->next;
	return e;
}

static struct entry *
entry_get(struct feedweb *fw, const char *hash, int64_t id)
{
	struct entry *e = entry_find(fw, hash);
	unsigned b = hex_val(hash[0]) << 4 | hex_val(hash[1]);

	if (e)
		return e;
	e = xcalloc(1, sizeof(*e));
	e->live_version = -1;
	memcpy(e->hash, hash, sizeof(e->hash));
	e->id = id;
	e->next = fw->entries[b];
	fw->entries[b] = e;
	return e;
}

/* Takes one request from b (per_min a minute; 0: no limit); false with the wait in *ret_s. */
static bool
bucket_take(struct bucket *b, int per_min, int64_t now_ms, int *ret_s)
{
	int64_t now_us = now_ms * 1000, cost, burst, tat;

	if (per_min <= 0)
		return true;
	cost = 60000000 / per_min;
	burst = 60000000 - cost;
	tat = MAX(b->tat, now_us);
	if (tat - now_us > burst) {
		*ret_s = (int)((tat - now_us - burst + 999999) / 1000000);
		return false;
	}
	b->tat = tat + cost;
	return true;
}

static uint32_t
fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * Takes one request of client address addr: false with the wait in
 * *ret_s.  Its slot is its own, or a free one, or the one nearest to
 * being free (forgetting a limit that has run out changes nothing).
 */
static bool
ip_take(struct feedweb *fw, const char *addr, int64_t now_ms, int *ret_s)
{
	uint32_t i = fnv1a(addr);
	struct ip_slot *best = NULL;

	for (int k = 0; k < IP_PROBE; k++) {
		struct ip_slot *p = &fw->ips[(i + (uint32_t)k) % IP_SLOTS];

		if (strcmp(p->addr, addr) == 0)
			return bucket_take(&p->rate, fw->rate_ip, now_ms, ret_s);
		if (!best || p->rate.tat < best->rate.tat)
			best = p;
	}
	snprintf(best->addr, sizeof(best->addr), "%s", addr);
	best->rate.tat = 0;
	return bucket_take(&best->rate, fw->rate_ip, now_ms, ret_s);
}

/*
 * A User-Agent as kept (feed list, its JSON): at most CLIENT_MAX bytes
 * cut between characters, a byte that is not UTF-8 (the header is any
 * octets) and a control character made U+FFFD, so that "feed list"
 * never sends a client's escape sequences to the operator's terminal.
 */
static void
client_text(const char *ua, char ret[static CLIENT_MAX + 1])
{
	size_t n = 0, left = strlen(ua);

	while (left > 0) {
		int32_t cp;
		size_t k = norm_char(ua, left, &cp);
		uint8_t enc[4];
		size_t len;

		if (norm_is_control(cp))
			cp = 0xFFFD;
		len = (size_t)utf8proc_encode_char(cp, enc);
		if (n + len > CLIENT_MAX)
			break;
		memcpy(ret + n, enc, len);
		n += len;
		ua += k;
		left -= k;
	}
	ret[n] = '\0';
}

/* Records a fetch of e at now by client (client_text). */
static void
fetched(struct entry *e, int64_t now, const char *client)
{
	e->fetches++;
	e->fetched_at = now;
	if (!e->client || strcmp(e->client, client) != 0) {
		free(e->client);
		e->client = xstrdup(client);
	}
}

static bool
fresh(const struct entry *e, int64_t gen, struct date today, uint64_t set_gen)
{
	return e && e->body && e->built_gen == gen && date_cmp(e->built_day, today) == 0 &&
	       e->built_set == set_gen;
}

/* --- answers -------------------------------------------------------------- */

/*
 * Whether an If-None-Match value names etag (a strong "..." tag):
 * a list of entity tags, "*", W/ ignored (RFC 9110 13.1.2 compares
 * weakly).  Whatever its length or form, read to its end: no match.
 */
static bool
etag_listed(const char *v, const char *etag)
{
	size_t n = strlen(etag);

	while (v && *v) {
		const char *end;

		v += strspn(v, " \t,");
		if (*v == '*') {
			v++;
			if (!*v || strchr(" \t,", *v))
				return true;
		}
		if (strncmp(v, "W/", 2) == 0)
			v += 2;
		if (*v == '"') {
			end = strchr(v + 1, '"');
			if (!end)
				return false;
			if ((size_t)(end + 1 - v) == n && memcmp(v, etag, n) == 0)
				return true;
			v = end + 1;
		}
		v += strcspn(v, ",");
	}
	return false;
}

/* IMF-fixdate (RFC 9110 5.6.7) of t, whatever the locale. */
static void
imf_date(int64_t t, char out[32])
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

static void
body_unref(void *cls)
{
	feed_body_unref(cls);
}

/* q's answer of b (borrowed): 304 when inm lists its ETag, else 200 with b lent. */
static int
prepare(struct http_req *q, struct feed_body *b, const char *inm)
{
	char date[32];

	imf_date(b->last_modified, date);
	(void)http_set_header(q, "ETag", b->etag);
	(void)http_set_header(q, "Last-Modified", date);
	(void)http_set_header(q, "Cache-Control", CACHE_CONTROL);
	if (etag_listed(inm, b->etag))
		return 304;
	http_set_body_ref(q, b->text, b->n, body_unref, feed_body_ref(b));
	return 200;
}

static int
too_many(struct http_req *q, int wait_s)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", MAX(wait_s, 1));
	(void)http_set_header(q, "Retry-After", v);
	return 429;
}

/* --- the server's thread ------------------------------------------------ */

static void
job_free(void *data)
{
	struct job *j = data;

	feed_release(&j->f);
	free(j->inm);
	free(j->client);
	free(j);
}

/* The token of a path /ical/<token>.ics in tok; false for any other path. */
static bool
path_token(const char *path, char tok[static FEED_TOKEN_LEN + 1])
{
	size_t np = strlen(PREFIX);

	if (strlen(path) != np + FEED_TOKEN_LEN + strlen(SUFFIX) || strncmp(path, PREFIX, np) != 0 ||
	    strcmp(path + np + FEED_TOKEN_LEN, SUFFIX) != 0)
		return false;
	memcpy(tok, path + np, FEED_TOKEN_LEN);
	tok[FEED_TOKEN_LEN] = '\0';
	return true;
}

static int
on_feed(void *userdata, struct http_req *q, const char *body, size_t n)
{
	struct feedweb *fw = userdata;
	char tok[FEED_TOKEN_LEN + 1], hash[65];
	struct http_client cl;
	struct feed f = { 0 };
	struct feed_body *b = NULL;
	struct entry *e;
	struct job *j;
	const char *ua = http_header(q, "User-Agent");
	char ua_kept[CLIENT_MAX + 1];
	int64_t now_ms = clock_mono_ms(), gen = 0;
	struct date today = clock_today(fw->clk);
	bool valid;
	int r, wait_s = 0, status;

	(void)body;
	(void)n;
	client_text(ua ? ua : "", ua_kept);
	ua = ua_kept;
	/* A path that cannot be a feed's takes the way of an unknown token: hashed, looked up. */
	valid = path_token(http_path(q), tok) && feed_token_hash(tok, hash) == 0;
	if (!valid)
		(void)feed_token_hash(DUMMY_TOKEN, hash);
	http_client(q, &cl);
	pthread_mutex_lock(&fw->lock);
	/*
	 * This machine is not limited per address; the clients a trusted
	 * proxy named in a way we cannot read share the one "unknown" slot.
	 */
	r = cl.loopback || ip_take(fw, cl.addr, now_ms, &wait_s);
	pthread_mutex_unlock(&fw->lock);
	if (!r)
		return too_many(q, wait_s);
	/*
	 * Nothing committed since the last reads, and this token found live
	 * then with a body fresh for them: served without reading again.
	 * The version is read before the rows: a commit between them shows
	 * at the next request.
	 */
	int64_t version = -1;

	if (valid && store_data_version(fw->rs, &version) < 0)
		version = -1;
	if (version >= 0 && version == fw->rs_version) {
		pthread_mutex_lock(&fw->lock);
		e = entry_find(fw, hash);
		if (e && e->live_version == version && fresh(e, fw->rs_gen, today, fw->set_gen)) {
			if (!bucket_take(&e->rate, fw->rate_token, now_ms, &wait_s)) {
				pthread_mutex_unlock(&fw->lock);
				log_debug("feed %lld from %s: rate limited", (long long)e->id, cl.addr);
				return too_many(q, wait_s);
			}
			b = feed_body_ref(e->body);
			fetched(e, clock_now(fw->clk), ua);
			f.id = e->id;
		}
		pthread_mutex_unlock(&fw->lock);
		if (b)
			goto serve;
	}
	r = store_feed_by_hash(fw->rs, hash, &f);
	if (r == 0 && !valid)
		r = -ENOENT;
	if (r == 0)
		r = store_feed_gen(fw->rs, &gen);
	if (r == 0) {
		fw->rs_version = version;
		fw->rs_gen = gen;
	}
	if (r == -ENOENT) {
		/* Revoked since it was served: its text goes now. */
		pthread_mutex_lock(&fw->lock);
		e = entry_find(fw, hash);
		if (e)
			e->body = feed_body_unref(e->body);
		pthread_mutex_unlock(&fw->lock);
		log_debug("feed request %s from %s: not found", valid ? "token" : "path", cl.addr);
		feed_release(&f);
		return http_reply(q, 404, NULL, xstrdup("not found\n"));
	}
	if (r < 0) {
		log_warnx("cannot look a feed up: %s, will retry", store_strerror(fw->rs, r));
		feed_release(&f);
		(void)http_set_header(q, "Retry-After", "5");
		return 503;
	}
	pthread_mutex_lock(&fw->lock);
	if (!fw->set_gen) {
		pthread_mutex_unlock(&fw->lock);
		feed_release(&f);
		(void)http_set_header(q, "Retry-After", "5");
		return 503;
	}
	e = entry_get(fw, hash, f.id);
	e->live_version = version;
	if (!bucket_take(&e->rate, fw->rate_token, now_ms, &wait_s)) {
		pthread_mutex_unlock(&fw->lock);
		log_debug("feed %lld from %s: rate limited", (long long)f.id, cl.addr);
		feed_release(&f);
		return too_many(q, wait_s);
	}
	if (fresh(e, gen, today, fw->set_gen)) {
		b = feed_body_ref(e->body);
		fetched(e, clock_now(fw->clk), ua);
	}
	pthread_mutex_unlock(&fw->lock);
serve:
	if (b) {
		status = prepare(q, b, http_header(q, "If-None-Match"));
		log_debug("feed %lld fetched by %s '%s': %d from memory", (long long)f.id, cl.addr,
			  ua, status);
		feed_body_unref(b);
		feed_release(&f);
		return http_reply(q, status, CAL_TYPE, NULL);
	}
	/* To be built: the feed thread answers. */
	j = xcalloc(1, sizeof(*j));
	j->q = q;
	j->f = f;
	j->gen = gen;
	j->today = today;
	j->client = xstrdup(ua);
	if (http_header(q, "If-None-Match"))
		j->inm = xstrdup(http_header(q, "If-None-Match"));
	http_later(q, job_free, j);
	pthread_mutex_lock(&fw->lock);
	*fw->tail = j;
	fw->tail = &j->next;
	pthread_cond_signal(&fw->cond);
	pthread_mutex_unlock(&fw->lock);
	return HTTP_LATER;
}

/* --- the feed thread ---------------------------------------------------- */

/* Under setup_lock: the maker, made and set as feedweb_set says; NULL when libical is not there. */
static struct feed_maker *
maker(struct feedweb *fw, uint64_t set_gen)
{
	char *msg = NULL;
	int r;

	if (!fw->maker && !fw->maker_failed) {
		r = feed_maker_new(&fw->maker, &msg);
		if (r < 0) {
			log_warnx("feeds cannot be built: %s", msg ? msg : strerror(-r));
			free(msg);
			fw->maker_failed = true;
			return NULL;
		}
		fw->maker_set = 0;
	}
	if (fw->maker && fw->maker_set != set_gen) {
		feed_maker_set(fw->maker, &fw->conf, fw->rend, fw->sch);
		fw->maker_set = set_gen;
	}
	return fw->maker;
}

/*
 * j's feed, from the cache if another job built it meanwhile, else
 * built now (setup_lock held) and cached: a new reference, or NULL (the
 * status to answer in *ret_status).
 */
static struct feed_body *
build(struct feedweb *fw, struct job *j, int *ret_status)
{
	struct feed_body *b = NULL, *prev = NULL;
	struct feed_maker *m;
	struct entry *e;
	uint64_t set_gen;
	int64_t t0;
	char *msg = NULL;
	int r;

	pthread_mutex_lock(&fw->setup_lock);
	pthread_mutex_lock(&fw->lock);
	set_gen = fw->set_gen;
	e = entry_find(fw, j->f.token_hash);
	if (fresh(e, j->gen, j->today, set_gen))
		b = feed_body_ref(e->body);
	else if (e)
		/* What did not change since is taken from it (feed_build checks the rest). */
		prev = feed_body_ref(e->body);
	pthread_mutex_unlock(&fw->lock);
	/*
	 * The server began stopping while this waited for the build under
	 * way: no build (its writes could wait BUSY_MS more).  One started
	 * goes on, BUSY_MS at most on a lock, well within the drain.
	 */
	if (!b && http_stopping(fw->h)) {
		*ret_status = 503;
		goto out;
	}
	m = b ? NULL : maker(fw, set_gen);
	if (!b && !m) {
		*ret_status = 503;
		goto out;
	}
	if (!b) {
		t0 = clock_mono_ms();
		r = feed_build(m, fw->s, &j->f, clock_now(fw->clk), prev, &b, &msg);
		if (r < 0) {
			log_warnx("cannot build feed %lld: %s, will retry", (long long)j->f.id,
				  msg ? msg : store_strerror(fw->s, r));
			free(msg);
			*ret_status = r == -EBUSY ? 503 : 500;
			goto out;
		}
		log_debug("feed %lld built: %d events, %zu bytes in %lld ms", (long long)j->f.id,
			  b->events, b->n, (long long)(clock_mono_ms() - t0));
		/*
		 * Cached for the change counter read before the build: a change
		 * made during it is newer, and rebuilds at the next request.
		 */
		pthread_mutex_lock(&fw->lock);
		e = entry_find(fw, j->f.token_hash);
		if (e && set_gen == fw->set_gen) {
			feed_body_unref(e->body);
			e->body = feed_body_ref(b);
			e->built_gen = j->gen;
			e->built_day = j->today;
			e->built_set = set_gen;
		}
		pthread_mutex_unlock(&fw->lock);
	}
out:
	pthread_mutex_unlock(&fw->setup_lock);
	feed_body_unref(prev);
	return b;
}

static void
serve_job(struct feedweb *fw, struct job *j)
{
	struct http_req *q = j->q;
	struct feed_body *b = NULL;
	struct entry *e;
	int status = 503;

	/* The server is stopping: it cannot while q waits, so q is answered now. */
	if (!http_stopping(fw->h))
		b = build(fw, j, &status);
	if (b) {
		status = prepare(q, b, j->inm);
		pthread_mutex_lock(&fw->lock);
		e = entry_find(fw, j->f.token_hash);
		if (e)
			fetched(e, clock_now(fw->clk), j->client);
		pthread_mutex_unlock(&fw->lock);
		log_debug("feed %lld fetched by '%s': %d built", (long long)j->f.id, j->client,
			  status);
		feed_body_unref(b);
	} else if (status == 503) {
		(void)http_set_header(q, "Retry-After", "5");
	}
	/* j is the server's from here (job_free): not touched after. */
	http_answer(q, status, b ? CAL_TYPE : NULL, NULL);
}

/* A fetch log record taken out of an entry to be written. */
struct fetch {
	int64_t id;
	int64_t at;
	int64_t n;
	char *client;
};

/* Puts the fetches of x back into its entry, for the next write. */
static void
give_back(struct feedweb *fw, const struct fetch *x)
{
	pthread_mutex_lock(&fw->lock);
	for (size_t i = 0; i < ENTRY_BUCKETS; i++)
		for (struct entry *e = fw->entries[i]; e; e = e->next) {
			if (e->id != x->id)
				continue;
			e->fetches += x->n;
			/* A fetch since is newer: its time and client stay. */
			if (e->fetched_at < x->at) {
				e->fetched_at = x->at;
				free(e->client);
				e->client = xstrdup(x->client);
			}
		}
	pthread_mutex_unlock(&fw->lock);
}

/*
 * Writes the fetches recorded since the last time (store_feed_fetched);
 * those a lock kept out stay for the next time, unless final.
 */
static void
flush(struct feedweb *fw, bool final)
{
	struct fetch *v = NULL;
	size_t n = 0;

	pthread_mutex_lock(&fw->lock);
	for (size_t i = 0; i < ENTRY_BUCKETS; i++)
		for (struct entry *e = fw->entries[i]; e; e = e->next) {
			if (!e->fetches)
				continue;
			v = xgrowarray(v, n, sizeof(*v));
			v[n++] = (struct fetch){ .id = e->id, .at = e->fetched_at, .n = e->fetches,
						 .client = xstrdup(e->client ? e->client : "") };
			e->fetches = 0;
		}
	pthread_mutex_unlock(&fw->lock);
	for (size_t i = 0; i < n; i++) {
		int r = store_feed_fetched(fw->s, v[i].id, v[i].at, v[i].client, v[i].n);

		if (r == -EBUSY && !final) {
			/* Another's lock held past BUSY_MS: written next time. */
			log_debug("cannot record %lld fetches of feed %lld: %s, will retry",
				  (long long)v[i].n, (long long)v[i].id, store_strerror(fw->s, r));
			give_back(fw, &v[i]);
		} else if (r < 0) {
			log_warnx("cannot record %lld fetches of feed %lld: %s, ignoring",
				  (long long)v[i].n, (long long)v[i].id, store_strerror(fw->s, r));
		}
		free(v[i].client);
	}
	free(v);
}

static void *
feed_main(void *userdata)
{
	struct feedweb *fw = userdata;
	int64_t next_flush = clock_mono_ms() + FLUSH_MS;

	(void)pthread_setname_np(pthread_self(), "dondoc-feeds");
	pthread_mutex_lock(&fw->lock);
	while (fw->head || !fw->stopping) {
		struct job *j = fw->head;
		int64_t now = clock_mono_ms();

		if (j) {
			fw->head = j->next;
			if (!fw->head)
				fw->tail = &fw->head;
			pthread_mutex_unlock(&fw->lock);
			serve_job(fw, j);
			pthread_mutex_lock(&fw->lock);
		} else if (now >= next_flush) {
			pthread_mutex_unlock(&fw->lock);
			flush(fw, false);
			pthread_mutex_lock(&fw->lock);
			next_flush = clock_mono_ms() + FLUSH_MS;
		} else {
			/* The condition variable runs on the monotonic clock (feedweb_start). */
			struct timespec t = { .tv_sec = next_flush / 1000,
					      .tv_nsec = next_flush % 1000 * 1000000 };

			(void)pthread_cond_timedwait(&fw->cond, &fw->lock, &t);
		}
	}
	pthread_mutex_unlock(&fw->lock);
	/* The server has stopped (serve.c): this may wait as long as any other writer. */
	store_set_busy_timeout(fw->s, STORE_BUSY_MS);
	flush(fw, true);
	return NULL;
}

/* --- start, setup, stop --------------------------------------------------- */

int
feedweb_start(struct http *h, const char *db, const struct store *key_of,
	      const struct clock *clk, struct feedweb **ret, char **reterr_msg)
{
	struct http_route route = { .method = "GET", .path = PREFIX, .prefix = true,
				    .handle = on_feed };
	struct feedweb *fw = xcalloc(1, sizeof(*fw));
	pthread_condattr_t ca;
	int r;

	fw->h = h;
	fw->clk = clk;
	fw->tail = &fw->head;
	fw->rs_version = -1;
	pthread_mutex_init(&fw->setup_lock, NULL);
	pthread_mutex_init(&fw->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fw->cond, &ca);
	pthread_condattr_destroy(&ca);
	/*
	 * The server thread's connection only looks up (a token, the change
	 * counter, data_version): read only, so that no bug there can write.
	 * The daemon opened (and brought up to date) the registry before.
	 */
	r = store_open(db, STORE_READ, &fw->rs, reterr_msg);
	if (r == 0)
		r = store_open(db, STORE_WRITE, &fw->s, reterr_msg);
	if (r < 0)
		goto fail;
	store_set_busy_timeout(fw->s, BUSY_MS);
	/* The builds write (sequences, members): a keyed history takes them only under its key. */
	store_copy_audit_key(fw->s, key_of);
	r = -pthread_create(&fw->thread, NULL, feed_main, fw);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot start the feeds' thread: %s", strerror(-r));
		goto fail;
	}
	fw->started = true;
	route.userdata = fw;
	r = http_route(h, &route);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot route " PREFIX ": %s", strerror(-r));
		goto fail;
	}
	*ret = fw;
	return 0;
fail:
	feedweb_stop(fw);
	return r;
}

void
feedweb_set(struct feedweb *fw, const struct feed_conf *conf, const struct renderer *rend,
	    const struct schedule *sch)
{
	if (!fw)
		return;
	/* After the build under way, if any: it uses the setup the caller frees next. */
	pthread_mutex_lock(&fw->setup_lock);
	pthread_mutex_lock(&fw->lock);
	fw->conf = *conf;
	fw->rend = rend;
	fw->sch = sch;
	fw->set_gen++;
	fw->rate_token = conf->rate_token;
	fw->rate_ip = conf->rate_ip;
	for (size_t i = 0; i < ENTRY_BUCKETS; i++)
		for (struct entry *e = fw->entries[i]; e; e = e->next)
			e->body = feed_body_unref(e->body);
	pthread_mutex_unlock(&fw->lock);
	pthread_mutex_unlock(&fw->setup_lock);
}

struct feedweb *
feedweb_stop(struct feedweb *fw)
{
	if (!fw)
		return NULL;
	if (fw->started) {
		pthread_mutex_lock(&fw->lock);
		fw->stopping = true;
		pthread_cond_signal(&fw->cond);
		pthread_mutex_unlock(&fw->lock);
		pthread_join(fw->thread, NULL);
	}
	for (size_t i = 0; i < ENTRY_BUCKETS; i++)
		while (fw->entries[i]) {
			struct entry *e = fw->entries[i];

			fw->entries[i] = e->next;
			feed_body_unref(e->body);
			free(e->client);
			free(e);
		}
	fw->maker = feed_maker_free(fw->maker);
	store_close(fw->s);
	store_close(fw->rs);
	pthread_cond_destroy(&fw->cond);
	pthread_mutex_destroy(&fw->lock);
	pthread_mutex_destroy(&fw->setup_lock);
	free(fw);
	return NULL;
}
