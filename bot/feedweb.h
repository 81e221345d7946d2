/* SPDX-License-Identifier: MIT */
/*
 * The feeds served (feed.h): GET and HEAD /ical/<token>.ics on the HTTP
 * server (http.h).
 *
 * The server's thread hashes the token and looks its live feed up, with
 * the registry's change counter (store_feed_gen), on a connection of its
 * own (two indexed reads, a few microseconds): a revocation or a change
 * made by any process shows at the very next request.  An unknown or
 * revoked token, or a path that cannot be one, is a plain 404 that took
 * the same way.  A feed built at the current counter on the same local
 * day is answered from memory there too: 304 for its ETag in
 * If-None-Match, else its body, lent to the server (not copied).  Anything else is handed to the feed thread, which has
 * a registry connection and a feed_maker of its own, builds, caches and
 * answers.  Requests are limited per token and per client address
 * (loopback and trusted proxies free), 429 with Retry-After past it;
 * fetches (time, User-Agent, count) are kept in memory and written to
 * the registry by the feed thread every few seconds and at stop.
 */
#ifndef DONDOC_FEEDWEB_H
#define DONDOC_FEEDWEB_H

struct clock;
struct feed_conf;
struct http;
struct renderer;
struct schedule;
struct store;
struct feedweb;

/*
 * Opens db for the feed thread (with key_of's audit key), starts it and
 * routes /ical/ on h.  libical is not loaded before the first build.
 * clk is borrowed for fw's life (until feedweb_stop).  0 with a new fw
 * in *ret (stop it with feedweb_stop), or -errno with a new message.
 */
int feedweb_start(struct http *h, const char *db, const struct store *key_of,
		  const struct clock *clk, struct feedweb **ret, char **reterr_msg);
/*
 * On the main thread, at start and on reload: what the builds use from
 * now on (all borrowed until the next call); the cached feeds are dropped.
 */
void feedweb_set(struct feedweb *fw, const struct feed_conf *conf, const struct renderer *rend,
		 const struct schedule *sch);
/*
 * Stops the feed thread (the fetches written) once h is stopped: until
 * then it answers what it holds, at once (503) once http_stopping(h).
 * NULL-safe.
 */
struct feedweb *feedweb_stop(struct feedweb *fw);

#endif
