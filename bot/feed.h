/* SPDX-License-Identifier: MIT */
/*
 * iCalendar feeds (DESIGN §8, issue 15): the deadlines of an agency, a
 * person, a document or of everything, as a subscription that calendar
 * apps poll, behind a revocable random token.
 *
 * The text is written by libical (its escaping and folding), loaded by
 * dlopen when the first feed is built (dlical.h): the daemon maps neither
 * libical nor ICU until someone asks for a feed.  libical needs about
 * 30 us an event, so each event's text is kept (struct feed_maker) and
 * written again only when what it says changed: a feed of 10,000 tasks in
 * which one changed costs one event, a read of the registry and a copy.
 *
 * Each event is all-day (DTSTART;VALUE=DATE on the due day, DTEND the
 * next), UID task-<code>@<host of public_url>, SEQUENCE a small integer
 * that only grows (bumped when its day or summary changes; kept in the
 * registry), DTSTAMP and LAST-MODIFIED its last change, the status in the
 * SUMMARY, the details in the DESCRIPTION, CATEGORIES the light, VALARMs
 * from the policy's reminder offsets.  A task that leaves a feed (its
 * agency merged away, its person moved) is sent STATUS:CANCELLED for
 * keep_gone days; done tasks stay keep_done days; indicators and undated
 * tasks are left out; each reporting day of a recurring task is an event.
 */
#ifndef DONDOC_FEED_H
#define DONDOC_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct renderer;
struct schedule;
struct store;

enum feed_kind {
	FEED_AGENCY,		/* the tasks an agency leads or cooperates on */
	FEED_PERSON,		/* the same for the person's agency, in their language */
	FEED_DOCUMENT,		/* the tasks an assigning document gave */
	FEED_ALL,		/* everything: secretariat, leaders */
};

/* "agency", "person", "document", "all"; NULL for a kind out of range. */
const char *feed_kind_name(enum feed_kind k);
/* The kind named name: 0, or -EINVAL. */
int feed_kind_parse(const char *name, enum feed_kind *ret);

/* A feed as the registry keeps it (store_feed_*). */
struct feed {
	int64_t id;
	enum feed_kind kind;
	int64_t target;		/* the agency, person or document id; 0 for FEED_ALL; < 0 gone */
	char *target_name;	/* its name ("Sở Khoa học và Công nghệ", "328-KH/TU"); NULL: all, gone */
	/* SHA-256 of the token, hex; the token is kept nowhere (a /lich answer loses it once sent). */
	char token_hash[65];
	int64_t created_at;
	int64_t revoked_at;	/* 0: live */
	int64_t created_by;	/* the person who asked for it from chat; 0: the CLI */
	int64_t fetched_at;	/* last fetch; 0: never */
	char *client;		/* its User-Agent ("" when none was sent); NULL: never fetched */
	int64_t fetches;	/* how many times fetched */
};

/* Frees f's strings and zeroes it; NULL-safe. */
void feed_release(struct feed *f);

/*
 * Tokens: FEED_TOKEN_BYTES random bytes (getrandom), written as base64url
 * without padding (FEED_TOKEN_LEN characters): what the URL carries.
 */
#define FEED_TOKEN_BYTES 24	/* 192 bits */
#define FEED_TOKEN_LEN 32
/* A new token in out (FEED_TOKEN_LEN + 1) and its hash in hash (65): 0, or -errno. */
int feed_token_new(char out[static FEED_TOKEN_LEN + 1], char hash[static 65]);
/*
 * The hash of a token as a request shows it (hex SHA-256), or -EINVAL when
 * token is not FEED_TOKEN_LEN base64url characters: a path that cannot
 * be a token is refused before any lookup.
 */
int feed_token_hash(const char *token, char hash[static 65]);

/* [feeds] of the configuration. */
struct feed_conf {
	int refresh;		/* REFRESH-INTERVAL and X-PUBLISHED-TTL, seconds (PT1H: 3600) */
	int keep_done;		/* days a done task stays, marked done (90) */
	int keep_gone;		/* days a task that left is sent cancelled (30) */
	int rate_token;		/* requests a minute one token may make (60) */
	int rate_ip;		/* requests a minute one client address may make (600; loopback free) */
	const char *public_url;	/* [http] public_url: the links, and the UIDs' host (NULL: "dondoc") */
};

struct feed_index;

/* A feed's text, built: shared by reference between the cache and the requests serving it. */
struct feed_body {
	char *text;		/* CRLF, folded: the whole VCALENDAR */
	size_t n;
	char etag[67];		/* "\"" + hex SHA-256 of text (of its head, events' digests, end) + "\"": strong */
	int64_t last_modified;	/* the latest change of anything in it (Last-Modified) */
	int events;		/* VEVENTs in it, cancelled ones included */
	_Atomic unsigned refs;	/* feed_body_ref/unref; 1 when made */
	/*
	 * Where each task's events lie in text, and what it was built from:
	 * what a build again of the same feed takes as it is (feed_build's
	 * prev).  Its maker's thread's alone.
	 */
	struct feed_index *index;
};

struct feed_body *feed_body_ref(struct feed_body *b);
/* NULL-safe; frees on the last reference.  Returns NULL. */
struct feed_body *feed_body_unref(struct feed_body *b);

/*
 * What builds feeds, with each event's text kept between builds: one a
 * thread (libical's trees are not shared), used by one thread at a time.
 * The renderer (texts, from the templates feed_event and feed_calendar)
 * and the schedule (alarm offsets, working days) are borrowed until the
 * next feed_maker_set.
 */
struct feed_maker;

/*
 * Loads libical (once a process) and makes a maker: 0 with a new one in
 * *ret (free with feed_maker_free), or -EOPNOTSUPP with a new message.
 */
int feed_maker_new(struct feed_maker **ret, char **reterr_msg);
/* A reload: what the next builds use; the kept events are dropped when it changed. */
void feed_maker_set(struct feed_maker *m, const struct feed_conf *conf,
		    const struct renderer *rend, const struct schedule *sch);
struct feed_maker *feed_maker_free(struct feed_maker *m);

/*
 * Builds f's text as of now from the registry s, a connection of the
 * caller's thread, which it writes: sequences bumped, the tasks that
 * left f recorded (its own transaction).  prev (NULL: none) is a body m
 * built of f before: when it was built the same local day with the same
 * setup and nothing many tasks show changed since (store_feed_changes),
 * only the tasks that changed are read and the others' events taken from
 * it, byte for byte what a whole build writes; prev itself when none of
 * f's did (a new reference either way).  0 with a new reference in
 * *ret, or -errno with a new message.
 */
int feed_build(struct feed_maker *m, struct store *s, const struct feed *f, time_t now,
	       struct feed_body *prev, struct feed_body **ret, char **reterr_msg);

/* Counts since the maker was made: events written by libical, and taken as kept. */
void feed_maker_stats(const struct feed_maker *m, uint64_t *ret_written, uint64_t *ret_kept);
/* Builds since the maker was made: whole, from what changed alone (prev), and prev as it was. */
void feed_maker_builds(const struct feed_maker *m, uint64_t *ret_whole, uint64_t *ret_partial,
		       uint64_t *ret_same);

#endif
