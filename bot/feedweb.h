/* SPDX-License-Identifier: MIT */
/*
 * The feeds served (feed.h): GET and HEAD /ical/<token>.ics on the HTTP
 * server (http.h).
 *
 * The server's thread hashes the token and finds its feed in memory (a
 * table of the live feeds' hashes, read again when the registry's feed
 * list changed): an unknown or revoked token, or a path that cannot be
 * one, is a plain 404 that took the same time.  A feed built since the
 * registry last changed (store_feed_gen) on the same local day is
 * answered from memory there too: 304 for its ETag in If-None-Match,
 * else its body.  Anything else is handed to the feed thread, which has
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
 * 0, or -errno with a new message.
 */
int feedweb_start(struct http *h, const char *db, const struct store *key_of,
		  const struct clock *clk, struct feedweb **ret, char **reterr_msg);
/*
 * On the main thread, at start and on reload: what the builds use from
 * now on (all borrowed until the next call); the cached feeds are dropped.
 */
void feedweb_set(struct feedweb *fw, const struct feed_conf *conf, const struct renderer *rend,
		 const struct schedule *sch);
/* Stops the feed thread (the fetches written) once h is stopped.  NULL-safe. */
struct feedweb *feedweb_stop(struct feedweb *fw);

#endif
