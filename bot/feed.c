/* SPDX-License-Identifier: MIT */
/*
 * iCalendar feeds; see feed.h.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <jansson.h>

#include "buf.h"
#include "calendar.h"
#include "clock.h"
#include "dlical.h"
#include "feed.h"
#include "hash.h"
#include "macro.h"
#include "period.h"
#include "recurring.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "task.h"
#include "xalloc.h"

static const char *const kind_names[] = {
	[FEED_AGENCY] = "agency",
	[FEED_PERSON] = "person",
	[FEED_DOCUMENT] = "document",
	[FEED_ALL] = "all",
};

const char *
feed_kind_name(enum feed_kind k)
{
	return (size_t)k < ELEMENTSOF(kind_names) ? kind_names[k] : NULL;
}

int
feed_kind_parse(const char *name, enum feed_kind *ret)
{
	for (size_t i = 0; name && i < ELEMENTSOF(kind_names); i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*ret = (enum feed_kind)i;
			return 0;
		}
	return -EINVAL;
}

void
feed_release(struct feed *f)
{
	if (!f)
		return;
	free(f->target_name);
	free(f->client);
	memset(f, 0, sizeof(*f));
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
feed_token_new(char out[static FEED_TOKEN_LEN + 1], char hash[static 65])
{
	unsigned char rnd[FEED_TOKEN_BYTES];
	size_t o = 0;

	static_assert(FEED_TOKEN_BYTES % 3 == 0 && FEED_TOKEN_BYTES / 3 * 4 == FEED_TOKEN_LEN,
		      "a token is whole base64 groups");
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return errno ? -errno : -EIO;
	for (size_t i = 0; i < sizeof(rnd); i += 3) {
		unsigned v = (unsigned)rnd[i] << 16 | (unsigned)rnd[i + 1] << 8 | rnd[i + 2];

		out[o++] = b64url[v >> 18 & 63];
		out[o++] = b64url[v >> 12 & 63];
		out[o++] = b64url[v >> 6 & 63];
		out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return feed_token_hash(out, hash);
}

int
feed_token_hash(const char *token, char hash[static 65])
{
	struct hash *h;
	size_t n = 0;

	/* Read to its end whatever it holds: no early exit on the first bad character. */
	bool bad = !token;
	for (; token && token[n]; n++)
		bad |= !strchr(b64url, token[n]);
	if (bad || n != FEED_TOKEN_LEN)
		return -EINVAL;
	h = hash_new();
	hash_add(h, token, n);
	hash_final_hex(h, hash);
	hash_free(h);
	return 0;
}

struct feed_body *
feed_body_ref(struct feed_body *b)
{
	if (b)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

/*
 * A part of a body: the events of one task, one after the other.  In a
 * build, the new ones are at first in b->out; in a body's index, every
 * part's bytes are in its text and its events' digests in digests.
 */
struct part {
	int64_t task_id;
	int group;		/* 0: a task the feed has (by id); 1: one it had (after, by id) */
	int events;
	int64_t stamp;		/* its events' latest DTSTAMP */
	size_t first;		/* its first event: in b->out (new), in index->digests (taken) */
	size_t off, len;	/* taken: its bytes in the old body's text */
	bool taken;		/* from the old body */
};

#define DIGEST_LEN (HASH_SHA256_HEX_LEN - 1)	/* what the ETag hashes for an event */

struct feed_index {
	uint64_t epoch;		/* the maker's setup it was built with (feed_maker_set) */
	int64_t gen;		/* store_feed_gen read before the rows */
	int64_t day;		/* the local day, days since 1970 */
	int64_t feed_id, target;
	enum feed_kind kind;
	char *target_name;
	int lang;
	struct part *parts;	/* by (group, task_id) */
	size_t n_parts;
	char (*digests)[DIGEST_LEN];
};

static void
index_free(struct feed_index *x)
{
	if (!x)
		return;
	free(x->target_name);
	free(x->parts);
	free(x->digests);
	free(x);
}

struct feed_body *
feed_body_unref(struct feed_body *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1, memory_order_acq_rel) == 1) {
		index_free(b->index);
		free(b->text);
		free(b);
	}
	return NULL;
}

/* --- the maker: events kept between builds --------------------------------- */

/*
 * How a build goes.  For each task store_feed_tasks gives (by id), the
 * events it makes (one; a recurring task one per reporting day of the
 * window) are described by a key: the bytes of everything the event says
 * but its SEQUENCE and DTSTAMP (the language, the task's fields as
 * shown, the status derived for today, the light, the day, whether
 * cancelled).  A kept event with the same key, SEQUENCE and DTSTAMP is
 * taken as it is; only the others are rendered (templates) and written
 * by libical, one VEVENT at a time.  The alarms follow from the day, the
 * precision and the schedule, which feed_maker_set changes only by
 * dropping every kept event.
 *
 * SEQUENCE is the task's, from store_feed_seqs: its sig is a hash of the
 * day and the SUMMARY of its first event (a recurring task's: of its
 * current period); a new sig bumps it.  Membership rows remember which
 * tasks a feed showed, so that one that is no longer shown is sent
 * cancelled for keep_gone days.
 *
 * Kept events unused for FEED_KEPT_IDLE seconds are freed at a sweep, at
 * most once an hour: a maker serves several feeds, and a task that left
 * all of them frees its text within three days (a feed built again from
 * what changed takes the other events from its last body, not from
 * here: what it shows is touched here at its first build of each day).
 *
 * A build again of the same feed (feed_build's prev) reads only the tasks
 * changed since the last one (store_feed_changes) and takes every other
 * task's events from the last body, whose index says where each task's
 * lie.  That is exactly what a whole build would write, as long as what
 * an event says is a function of the registry's rows and the local day
 * alone: the counter (the rows), the day and the setup (epoch) are
 * checked, and nothing here reads the time of day but to record it
 * (changed_at, left_at: rows, which mark their task changed).
 */

#define FEED_KEPT_IDLE (3 * 24 * 3600)
#define FEED_SWEEP_EVERY 3600
#define FEED_CELL_WIDTH 60	/* characters of a title a calendar cell shows */
#define FEED_WINDOW_BACK 31	/* a recurring task's reporting days: from so many days back */
#define FEED_WINDOW_AHEAD 366	/* to so many ahead */
#define FEED_BODY_MAX ((size_t)1 << 30)
#define FEED_DAY_SECONDS 86400

struct kept {
	int64_t task_id;
	int64_t day;		/* the event's day (days since 1970) */
	int lang;		/* the variant: language (0 vi, 1 en) * 2 + cancelled */
	char *key;		/* what the event says, but SEQUENCE and DTSTAMP */
	size_t key_n;
	char sig[33];		/* of its day and SUMMARY */
	int64_t seq, stamp;	/* what the text was written with */
	char *text;		/* BEGIN:VEVENT ... END:VEVENT, CRLF */
	size_t text_n;
	char digest[HASH_SHA256_HEX_LEN];	/* of text: what the ETag hashes for it */
	int64_t used_at;	/* the last build that took it */
};

struct feed_maker {
	struct feed_conf conf;
	char *public_url;
	char host[256];		/* the UIDs' host */
	const struct renderer *rend;
	const struct schedule *sch;
	struct kept **slots;	/* open addressing by (task, day, lang); NULL empty */
	size_t cap, n;
	int64_t swept_at;
	uint64_t written, taken;
	uint64_t epoch;		/* this maker's setup: unique to it and to each feed_maker_set */
	uint64_t whole, partial, same;
};

/* The epochs of every maker's setups: a body's index names the one it was built with. */
static _Atomic uint64_t epochs;

static void
kept_free(struct kept *k)
{
	if (!k)
		return;
	free(k->key);
	free(k->text);
	free(k);
}

static void
maker_drop_all(struct feed_maker *m)
{
	for (size_t i = 0; i < m->cap; i++)
		kept_free(m->slots[i]);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static size_t
slot_hash(int64_t task_id, int64_t day, int lang)
{
	uint64_t h = (uint64_t)task_id * 0x9e3779b97f4a7c15ull;

	h ^= (uint64_t)day * 0xc2b2ae3d27d4eb4full + (uint64_t)lang;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ h >> 32);
}

/* The slot of (task_id, day, lang): its kept event, or the empty slot where it goes. */
static struct kept **
slot_find(struct feed_maker *m, int64_t task_id, int64_t day, int lang)
{
	size_t i = slot_hash(task_id, day, lang) & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct kept *k = m->slots[i];

		if (!k || (k->task_id == task_id && k->day == day && k->lang == lang))
			return &m->slots[i];
	}
}

/* Rehashes into cap slots, leaving out what idled since before: the sweep and the growth. */
static void
maker_rehash(struct feed_maker *m, size_t cap, int64_t idle_before)
{
	struct kept **old = m->slots;
	size_t old_cap = m->cap;

	m->slots = xcalloc(cap, sizeof(*m->slots));
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < old_cap; i++) {
		struct kept *k = old[i];

		if (!k)
			continue;
		if (k->used_at < idle_before) {
			kept_free(k);
			continue;
		}
		*slot_find(m, k->task_id, k->day, k->lang) = k;
		m->n++;
	}
	free(old);
}

int
feed_maker_new(struct feed_maker **ret, char **reterr_msg)
{
	struct feed_maker *m;
	int r = dlical_load(reterr_msg);

	if (r < 0)
		return r;
	m = xcalloc(1, sizeof(*m));
	m->conf = (struct feed_conf){ .refresh = 3600, .keep_done = 90, .keep_gone = 30 };
	snprintf(m->host, sizeof(m->host), "dondoc");
	*ret = m;
	return 0;
}

/* The host of url ("https://user@host:8443/x": "host"), lowercase; "dondoc" when none. */
static void
url_host(const char *url, char out[256])
{
	const char *p = url ? strstr(url, "://") : NULL, *e;
	size_t n = 0;

	if (p) {
		p += 3;
		e = p + strcspn(p, "/?#");
		const char *at = memchr(p, '@', (size_t)(e - p));

		if (at)
			p = at + 1;
		if (*p == '[') {
			const char *rb = memchr(p, ']', (size_t)(e - p));

			e = rb ? rb + 1 : e;
		} else {
			const char *colon = memchr(p, ':', (size_t)(e - p));

			e = colon ? colon : e;
		}
		for (; p < e && n < 255; p++)
			out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, 256, "dondoc");
}

void
feed_maker_set(struct feed_maker *m, const struct feed_conf *conf, const struct renderer *rend,
	       const struct schedule *sch)
{
	free(m->public_url);
	m->conf = *conf;
	m->public_url = conf->public_url ? xstrdup(conf->public_url) : NULL;
	m->conf.public_url = m->public_url;
	url_host(m->public_url, m->host);
	m->rend = rend;
	m->sch = sch;
	/* Texts, alarms, UIDs may all differ now: nothing kept can be trusted, nor any body. */
	maker_drop_all(m);
	m->epoch = atomic_fetch_add_explicit(&epochs, 1, memory_order_relaxed) + 1;
}

struct feed_maker *
feed_maker_free(struct feed_maker *m)
{
	if (!m)
		return NULL;
	maker_drop_all(m);
	free(m->public_url);
	free(m);
	return NULL;
}

void
feed_maker_stats(const struct feed_maker *m, uint64_t *ret_written, uint64_t *ret_kept)
{
	*ret_written = m->written;
	*ret_kept = m->taken;
}

void
feed_maker_builds(const struct feed_maker *m, uint64_t *ret_whole, uint64_t *ret_partial,
		  uint64_t *ret_same)
{
	*ret_whole = m->whole;
	*ret_partial = m->partial;
	*ret_same = m->same;
}

/* --- one event ------------------------------------------------------------- */

/* What one event says, as a build derives it from a task (the key's inputs). */
struct ev {
	const struct task *t;
	struct date day;
	bool recurring;		/* one of the reporting days: its UID carries the day */
	bool cancelled;
	bool late, done, pending;
	enum task_light light;
};

/* A build: the registry's rows it reads and what it writes back. */
struct build {
	struct feed_maker *m;
	struct store *s;
	const struct feed *f;
	int64_t now;
	struct date today;
	int lang;			/* 0 vi, 1 en */
	struct feed_seq *seqs;		/* by task id */
	size_t n_seqs;
	struct feed_member *mem;	/* by task id */
	size_t n_mem;
	bool *mem_seen;			/* the task of mem[i] came through store_feed_tasks */
	struct feed_seq *seq_w;		/* to write */
	size_t n_seq_w;
	struct feed_member *mem_w;
	size_t n_mem_w;
	int64_t *drop;			/* members to forget */
	size_t n_drop;
	struct kept **out;		/* the events, in order */
	size_t n_out;
	struct part *parts;		/* the tasks' events in out */
	size_t n_parts;
	int group;			/* of the parts made now (struct part) */
	struct buf key;			/* scratch */
	struct hash *h;
	char *err;
};

static const char *const langs[] = { "vi", "en" };

static void
key_i64(struct buf *b, int64_t v)
{
	(void)buf_add(b, &v, sizeof(v));
}

static void
key_str(struct buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;

	(void)buf_add(b, &n, sizeof(n));
	if (s)
		(void)buf_add(b, s, n);
}

/* The key of e in b->key: everything the event says but its SEQUENCE and DTSTAMP. */
static void
ev_key(struct build *b, const struct ev *e)
{
	const struct task *t = e->t;
	struct buf *k = &b->key;

	buf_reset(k);
	key_i64(k, b->lang);
	key_i64(k, t->id);
	key_i64(k, date_to_days(e->day));
	key_i64(k, (int64_t)e->recurring | (int64_t)e->cancelled << 1 | (int64_t)e->late << 2 |
		       (int64_t)e->done << 3 | (int64_t)e->pending << 4 | (int64_t)e->light << 8);
	key_i64(k, t->deadline.precision);
	key_i64(k, t->status);
	key_i64(k, t->progress);
	key_i64(k, t->status == TASK_DONE ? t->done_at : 0);
	key_str(k, t->code);
	key_str(k, t->title);
	key_str(k, t->document);
	key_str(k, t->deadline_raw);
	key_str(k, t->note);
	key_i64(k, (int64_t)t->n_leads);
	for (size_t i = 0; i < t->n_leads; i++)
		key_str(k, t->leads[i]);
	key_i64(k, (int64_t)t->n_coops);
	for (size_t i = 0; i < t->n_coops; i++)
		key_str(k, t->coops[i]);
}

static char *
join(char **v, size_t n)
{
	struct buf b;

	buf_init(&b, FEED_BODY_MAX);
	for (size_t i = 0; i < n; i++) {
		if (i)
			(void)buf_adds(&b, "; ");
		(void)buf_adds(&b, v[i] ? v[i] : "");
	}
	return buf_detach(&b);
}

/* The title of t cut for a calendar cell (free it). */
static char *
ev_cell(const struct task *t)
{
	char *cell = render_brief(t->title ? t->title : "", FEED_CELL_WIDTH);

	/* A SUMMARY is one line (a subject form keeps its first): a title's line breaks become spaces. */
	for (char *c = cell; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	return cell;
}

/* The templates' data of e (new reference). */
static json_t *
ev_json(const struct ev *e)
{
	const struct task *t = e->t;
	char due[16], done_on[16] = "", period[PERIOD_LABEL_LEN] = "";
	char *leads = join(t->leads, t->n_leads), *coops = join(t->coops, t->n_coops);
	char *cell = ev_cell(t);
	json_t *o;

	render_day(e->day, due);
	if (e->done && t->done_at > 0)
		render_day(clock_local_date((time_t)t->done_at), done_on);
	if (e->recurring)
		period_label(&t->deadline, e->day, period);
	o = json_pack("{s:b, s:s, s:{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s,"
		      " s:s, s:b, s:s, s:b, s:b, s:b}}",
		      "cancelled", e->cancelled, "cell", cell, "task",
		      "id", (json_int_t)t->id, "code", t->code ? t->code : "",
		      "title", t->title ? t->title : "", "document", t->document ? t->document : "",
		      "deadline", t->deadline_raw ? t->deadline_raw : "", "due", due,
		      "period", period, "status", task_status_label(t->status) ?: "",
		      "progress", t->progress, "leads", leads, "coops", coops,
		      "note", t->note ? t->note : "", "light", task_light_label(e->light) ?: "",
		      "done", e->done, "done_on", done_on, "late", e->late,
		      "extension_pending", e->pending, "recurring", e->recurring);
	free(leads);
	free(coops);
	free(cell);
	return o;
}

/* "task-<code>[-YYYYMMDD]@host": the code percent-encoded but for A-Z a-z 0-9 - . _ ~. */
static void
ev_uid(const struct feed_maker *m, const struct ev *e, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	buf_reset(out);
	(void)buf_adds(out, "task-");
	for (const unsigned char *p = (const unsigned char *)(e->t->code ? e->t->code : ""); *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			(void)buf_addc(out, (char)*p);
		} else {
			(void)buf_addc(out, '%');
			(void)buf_addc(out, hex[*p >> 4]);
			(void)buf_addc(out, hex[*p & 15]);
		}
	if (e->recurring)
		(void)buf_addf(out, "-%04d%02d%02d", e->day.y, e->day.m, e->day.d);
	(void)buf_addf(out, "@%s", m->host);
}

/*
 * The reminders before day, in calendar days, largest first, without
 * repeats: the policy's offsets in working days (of the precision, or of
 * the recurring calendar), counted from the working day the due day falls
 * back to, as the planner counts them.
 */
static int
ev_alarms(const struct feed_maker *m, const struct ev *e, int out[SCHEDULE_MAX_OFFSETS])
{
	const struct schedule *sch = m->sch;
	const int *off;
	int n = 0, n_off;

	if (!sch || e->done || e->cancelled)
		return 0;
	if (e->recurring) {
		off = sch->recurring_before;
		n_off = sch->n_recurring_before;
	} else if ((int)e->t->deadline.precision >= 0 && e->t->deadline.precision <= DEADLINE_YEAR) {
		off = sch->before[e->t->deadline.precision];
		n_off = sch->n_before[e->t->deadline.precision];
	} else {
		return 0;
	}
	struct date d0 = calendar_add_workdays(sch->cal, e->day, 0);

	for (int i = 0; i < n_off && n < SCHEDULE_MAX_OFFSETS; i++) {
		struct date a = calendar_add_workdays(sch->cal, d0, -off[i]);
		int days = (int)(date_to_days(e->day) - date_to_days(a));

		if (days >= 0 && (n == 0 || out[n - 1] != days))
			out[n++] = days;
	}
	return n;
}

static struct icaltimetype
ical_date(struct date d)
{
	struct icaltimetype t = sym_icaltime_null_time();

	t.year = d.y;
	t.month = d.m;
	t.day = d.d;
	t.is_date = 1;
	return t;
}

/* at in UTC, worked out by hand: whatever TZ the process has. */
static struct icaltimetype
ical_utc(int64_t at)
{
	int64_t days = at >= 0 ? at / FEED_DAY_SECONDS : -((-at + FEED_DAY_SECONDS - 1) / FEED_DAY_SECONDS);
	int64_t sec = at - days * FEED_DAY_SECONDS;
	struct date d = date_from_days(days);
	struct icaltimetype t = sym_icaltime_null_time();

	t.year = d.y;
	t.month = d.m;
	t.day = d.d;
	t.hour = (int)(sec / 3600);
	t.minute = (int)(sec / 60 % 60);
	t.second = (int)(sec % 60);
	t.zone = sym_icaltimezone_get_utc_timezone();
	return t;
}

/*
 * libical 3.0.16 folds a line that ends just at the limit between the CR
 * and the LF of its own line end ("\r\r\n \n"): a UID of 73 characters
 * did so (fuzz_feed), leaving a bare CR in it and a line of a lone LF.
 * The one CRLF put back, in place.
 */
static void
ical_mend_folds(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (strncmp(r, "\r\r\n \n", 5) == 0) {
			*w++ = '\r';
			*w++ = '\n';
			r += 5;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* Writes e with libical into k->text (replaced). */
static void
ev_write(struct build *b, const struct ev *e, const char *summary, const char *desc,
	 const char *alarm, int64_t seq, int64_t stamp, struct kept *k)
{
	struct feed_maker *m = b->m;
	icalcomponent *ev = sym_icalcomponent_new(ICAL_VEVENT_COMPONENT);
	struct date next = date_from_days(date_to_days(e->day) + 1);
	int alarms[SCHEDULE_MAX_OFFSETS], n_alarms = ev_alarms(m, e, alarms);
	struct buf uid;

	buf_init(&uid, 4096);
	ev_uid(m, e, &uid);
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_uid(uid.p));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_sequence((int)seq));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_dtstamp(ical_utc(stamp)));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_lastmodified(ical_utc(stamp)));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_dtstart(ical_date(e->day)));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_dtend(ical_date(next)));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_summary(summary));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_description(desc));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_categories(
						   task_light_label(e->light) ?: ""));
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_status(
						   e->cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
	/* A deadline is no meeting: the day stays free in the official's calendar. */
	sym_icalcomponent_add_property(ev, sym_icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	for (int i = 0; i < n_alarms; i++) {
		icalcomponent *al = sym_icalcomponent_new(ICAL_VALARM_COMPONENT);
		struct icaltriggertype tr = { .time = sym_icaltime_null_time() };

		tr.duration.is_neg = alarms[i] > 0;
		tr.duration.days = (unsigned)alarms[i];
		sym_icalcomponent_add_property(al, sym_icalproperty_new_action(ICAL_ACTION_DISPLAY));
		sym_icalcomponent_add_property(al, sym_icalproperty_new_trigger(tr));
		sym_icalcomponent_add_property(al, sym_icalproperty_new_description(alarm));
		sym_icalcomponent_add_component(ev, al);
	}
	free(k->text);
	k->text = sym_icalcomponent_as_ical_string_r(ev);
	if (k->text)
		ical_mend_folds(k->text);
	k->text_n = k->text ? strlen(k->text) : 0;
	hash_add(b->h, k->text, k->text_n);
	hash_final_hex(b->h, k->digest);
	k->seq = seq;
	k->stamp = stamp;
	sym_icalcomponent_free(ev);
	buf_release(&uid);
	m->written++;
}

/* --- a build --------------------------------------------------------------- */

static int
cmp_seq(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = ((const struct feed_seq *)b)->task_id;

	return (x > y) - (x < y);
}

static int
cmp_member(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = ((const struct feed_member *)b)->task_id;

	return (x > y) - (x < y);
}

static struct feed_seq *
seq_find(struct build *b, int64_t task_id)
{
	return b->n_seqs ? bsearch(&task_id, b->seqs, b->n_seqs, sizeof(*b->seqs), cmp_seq) : NULL;
}

static struct feed_member *
member_find(struct build *b, int64_t task_id)
{
	return b->n_mem ? bsearch(&task_id, b->mem, b->n_mem, sizeof(*b->mem), cmp_member) : NULL;
}

static void
seq_write(struct build *b, const struct feed_seq *q)
{
	b->seq_w = xgrowarray(b->seq_w, b->n_seq_w, sizeof(*b->seq_w));
	b->seq_w[b->n_seq_w++] = *q;
}

static void
member_write(struct build *b, int64_t task_id, int64_t left_at, int64_t left_seq)
{
	b->mem_w = xgrowarray(b->mem_w, b->n_mem_w, sizeof(*b->mem_w));
	b->mem_w[b->n_mem_w++] = (struct feed_member){ task_id, left_at, left_seq };
}

/*
 * Local days from at's to today: what keep_done and keep_gone count, by
 * the day, so that a feed is the same all day (a build again from what
 * changed stays the whole build's).
 */
static int64_t
days_since(const struct build *b, int64_t at)
{
	return date_to_days(b->today) - date_to_days(clock_local_date((time_t)at));
}

/* Whether the feed shows t today: a dated task (or an open recurring one), done not too long ago. */
static bool
feed_shows(const struct build *b, const struct task *t)
{
	if (t->kind != TASK_KIND_TASK)
		return false;
	if (t->deadline.precision == DEADLINE_RECURRING)
		return recurring_is_open(t);
	if (!t->deadline.has_due)
		return false;
	if (t->status == TASK_DONE) {
		/* Imported as done, when not known: its last change stands for it. */
		int64_t at = t->done_at > 0 ? t->done_at : t->updated_at;

		return days_since(b, at) < b->m->conf.keep_done;
	}
	return true;
}

/*
 * The days of t's events: its due day (in *one, *ret pointing there: the
 * common case allocates nothing), or a recurring task's reporting days in
 * the window (allocated).
 */
static size_t
feed_days(const struct build *b, const struct task *t, struct date *one, struct date **ret)
{
	struct date *v = NULL, from, d;
	int64_t until = date_to_days(b->today) + FEED_WINDOW_AHEAD;
	size_t n = 0;

	if (t->deadline.precision != DEADLINE_RECURRING) {
		*one = t->deadline.due;
		*ret = one;
		return 1;
	}
	from = date_from_days(date_to_days(b->today) - FEED_WINDOW_BACK);
	if (date_cmp(clock_local_date((time_t)t->created_at), from) > 0)
		from = clock_local_date((time_t)t->created_at);
	while (b->m->sch && period_next(b->m->sch, &t->deadline, from, &d) == 0 &&
	       date_to_days(d) <= until) {
		v = xgrowarray(v, n, sizeof(*v));
		v[n++] = d;
		from = date_from_days(date_to_days(d) + 1);
	}
	/* The period asked now is shown whatever the window, as it is due. */
	if (n == 0 && t->deadline.has_due) {
		v = xmalloc(sizeof(*v));
		v[n++] = t->deadline.due;
	}
	*ret = v;
	return n;
}

/* The event of t on day, as of today. */
static struct ev
feed_ev(const struct build *b, const struct task *t, struct date day, bool pending,
	bool cancelled)
{
	struct ev e = { .t = t, .day = day, .cancelled = cancelled,
			.recurring = t->deadline.precision == DEADLINE_RECURRING };
	const struct calendar *cal = b->m->sch ? b->m->sch->cal : NULL;

	e.done = t->status == TASK_DONE;
	e.pending = pending && !e.done;
	if (!e.recurring || (t->deadline.has_due && date_cmp(day, t->deadline.due) == 0)) {
		e.late = task_is_overdue(t, b->today);
		e.light = task_light(t, b->today, cal);
	} else if (t->deadline.has_due && date_cmp(day, t->deadline.due) < 0) {
		/* A period before the one asked now: reported or missed, past either way. */
		e.light = LIGHT_GREEN;
	} else {
		struct task u = *t;

		u.deadline.has_due = true;
		u.deadline.due = day;
		e.light = task_light(&u, b->today, cal);
	}
	return e;
}

/* One event being made: its slot, and its texts when rendered. */
struct pend {
	struct ev e;
	struct kept *k;
	bool hit;		/* k's key is e's */
	char *summary, *desc, *alarm;
};

static int
pend_render(struct build *b, struct pend *p)
{
	struct rendered out = { 0 };
	json_t *data = ev_json(&p->e);
	int r;

	r = renderer_render_forms(b->m->rend, langs[b->lang], "feed_event", data,
				  RENDER_SUBJECT | RENDER_TEXT, &out);
	if (r >= 0) {
		p->summary = out.subject;
		p->desc = out.text;
		out.subject = out.text = NULL;
		rendered_release(&out);
		/* Each reminder repeats it: a short line, not the SUMMARY again. */
		r = renderer_render_forms(b->m->rend, langs[b->lang], "feed_alarm", data,
					  RENDER_SUBJECT, &out);
		p->alarm = out.subject;
		out.subject = NULL;
		rendered_release(&out);
	}
	json_decref(data);
	if (r < 0) {
		b->err = xasprintf("cannot render the event of task %" PRId64 ": %s", p->e.t->id,
				   strerror(-r));
		return r;
	}
	return 0;
}

/* Finds or makes the slot of p->e and whether its key is the same. */
static void
pend_slot(struct build *b, struct pend *p)
{
	struct feed_maker *m = b->m;
	int64_t day = date_to_days(p->e.day);
	int variant = b->lang * 2 + p->e.cancelled;
	struct kept **slot;

	ev_key(b, &p->e);
	if (!m->cap || (m->n + 1) * 10 > m->cap * 7)
		maker_rehash(m, m->cap ? m->cap * 2 : 1024, INT64_MIN);
	/* A task cancelled in one feed may be shown in another: two slots. */
	slot = slot_find(m, p->e.t->id, day, variant);
	if (!*slot) {
		*slot = xcalloc(1, sizeof(**slot));
		(*slot)->task_id = p->e.t->id;
		(*slot)->day = day;
		(*slot)->lang = variant;
		(*slot)->seq = -1;
		m->n++;
	}
	p->k = *slot;
	p->hit = p->k->key && p->k->key_n == b->key.len && memcmp(p->k->key, b->key.p, b->key.len) == 0;
	if (!p->hit) {
		free(p->k->key);
		p->k->key = xmalloc(b->key.len ? b->key.len : 1);
		memcpy(p->k->key, b->key.p, b->key.len);
		p->k->key_n = b->key.len;
		p->k->sig[0] = '\0';
		p->k->seq = -1;		/* its text is of another key: never taken */
	}
}

/*
 * The sig of an event shown: its day and what its SUMMARY says (the
 * bracket feed_event.subject puts first, the title as cut for the cell),
 * not the SUMMARY's text: that is in the feed's language, and the
 * SEQUENCE is one per task for every feed, so an English person's feed
 * and the Vietnamese agency feed would each find the other's sig
 * changed and bump it at every build.
 */
static void
pend_sig(struct build *b, struct pend *p)
{
	char day[DATE_ISO_LEN], hex[HASH_SHA256_HEX_LEN];
	/* The template's order: done hides late and extension pending. */
	const char *bracket = p->e.done ? "done" : p->e.late && p->e.pending ? "late,pending" :
			      p->e.late ? "late" : p->e.pending ? "pending" : "";
	char *cell = ev_cell(p->e.t);

	date_format_iso(p->e.day, day);
	hash_add_field(b->h, day);
	hash_add_field(b->h, bracket);
	/* {{cell}}{{^cell}}{{task.title}}{{/cell}} */
	hash_add_field(b->h, cell[0] ? cell : p->e.t->title ? p->e.t->title : "");
	free(cell);
	hash_final_hex(b->h, hex);
	memcpy(p->k->sig, hex, 32);
	p->k->sig[32] = '\0';
}

/* Takes p's kept text as it is, or writes it again with seq and stamp. */
static int
pend_emit(struct build *b, struct pend *p, int64_t seq, int64_t stamp)
{
	int r;

	if (!(p->hit && p->k->seq == seq && p->k->stamp == stamp && p->k->text)) {
		if (!p->summary && (r = pend_render(b, p)) < 0)
			return r;
		ev_write(b, &p->e, p->summary, p->desc, p->alarm, seq, stamp, p->k);
	} else {
		b->m->taken++;
	}
	p->k->used_at = b->now;
	b->out = xgrowarray(b->out, b->n_out, sizeof(*b->out));
	b->out[b->n_out++] = p->k;
	return 0;
}

/* Frees the texts of v[0..n), and v unless it is one (on the caller's stack). */
static void
pends_free(struct pend *v, size_t n, const struct pend *one)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].summary);
		free(v[i].desc);
		free(v[i].alarm);
	}
	if (v != one)
		free(v);
}

/*
 * The events of task t: shown (cancelled false: SEQUENCE from its sig,
 * bumped when the sig changed) or sent cancelled (seq and stamp given).
 */
static int
feed_task_events(struct build *b, const struct task *t, bool pending, bool cancelled,
		 int64_t seq, int64_t stamp)
{
	struct date one_day, *days = NULL;
	size_t n = feed_days(b, t, &one_day, &days), anchor = 0;
	struct pend one = { 0 }, *v = n <= 1 ? &one : xcalloc(n, sizeof(*v));
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		v[i].e = feed_ev(b, t, days[i], pending, cancelled);
		pend_slot(b, &v[i]);
		if (t->deadline.has_due && date_cmp(days[i], t->deadline.due) == 0)
			anchor = i;
	}
	if (!cancelled && n > 0) {
		struct pend *a = &v[anchor];
		struct feed_seq *q = seq_find(b, t->id), w;
		struct feed_member *mb = member_find(b, t->id);

		if (!a->hit || !a->k->sig[0])
			pend_sig(b, a);
		if (!q) {
			w = (struct feed_seq){ .task_id = t->id, .seq = 0, .changed_at = b->now };
			memcpy(w.sig, a->k->sig, sizeof(w.sig));
			seq_write(b, &w);
		} else {
			w = *q;
			if (strcmp(w.sig, a->k->sig) != 0) {
				w.seq++;
				w.changed_at = b->now;
				memcpy(w.sig, a->k->sig, sizeof(w.sig));
			}
			/* Back in the feed after its cancellation: above that. */
			if (mb && mb->left_at && w.seq <= mb->left_seq) {
				w.seq = mb->left_seq + 1;
				w.changed_at = b->now;
			}
			if (w.seq != q->seq || strcmp(w.sig, q->sig) != 0)
				seq_write(b, &w);
		}
		if (!mb || mb->left_at)
			member_write(b, t->id, 0, 0);
		seq = w.seq;
		stamp = t->updated_at > w.changed_at ? t->updated_at : w.changed_at;
	}
	size_t first = b->n_out;

	for (size_t i = 0; i < n && r >= 0; i++)
		r = pend_emit(b, &v[i], seq, stamp);
	if (r >= 0 && b->n_out > first) {
		b->parts = xgrowarray(b->parts, b->n_parts, sizeof(*b->parts));
		b->parts[b->n_parts++] = (struct part){ .task_id = t->id, .group = b->group,
							.events = (int)(b->n_out - first),
							.stamp = stamp, .first = first };
	}
	pends_free(v, n, &one);
	if (days != &one_day)
		free(days);
	return r;
}

/*
 * A task f no longer shows, or never did: nothing, or its cancellation
 * while it is a member that left less than keep_gone days ago (leaving
 * now when it was still in).
 */
static int
feed_task_gone(struct build *b, const struct task *t, bool pending)
{
	struct feed_member *mb = member_find(b, t->id);
	struct feed_seq *q;
	int64_t left_at, left_seq;

	if (!mb)
		return 0;
	q = seq_find(b, t->id);
	if (!mb->left_at) {
		left_at = b->now;
		left_seq = (q ? q->seq : 0) + 1;
		member_write(b, t->id, left_at, left_seq);
	} else {
		left_at = mb->left_at;
		left_seq = mb->left_seq;
	}
	/*
	 * The cancellation is sent at left_seq, above what this feed showed;
	 * the task's SEQUENCE (one for every feed) goes above it too, sig
	 * kept: once the member row is dropped (keep_gone) nothing here
	 * remembers left_seq, and a task back in this feed then must not be
	 * published at or below the cancellation its calendars still hold
	 * (a client keeps the copy with the larger SEQUENCE). Also raises
	 * the rows of leaves recorded before this was done.
	 */
	if (!q || q->seq <= left_seq) {
		struct feed_seq w = { .task_id = t->id, .seq = left_seq + 1, .changed_at = b->now };

		if (q)
			memcpy(w.sig, q->sig, sizeof(w.sig));
		seq_write(b, &w);
	}
	if (days_since(b, left_at) >= b->m->conf.keep_gone) {
		b->drop = xgrowarray(b->drop, b->n_drop, sizeof(*b->drop));
		b->drop[b->n_drop++] = t->id;
		return 0;
	}
	/* An undated task has no day of its own: its cancellation is on the day it left. */
	struct task u = *t;

	if (u.deadline.precision != DEADLINE_RECURRING && !u.deadline.has_due) {
		u.deadline.has_due = true;
		u.deadline.due = clock_local_date((time_t)left_at);
	}
	return feed_task_events(b, &u, pending, true, left_seq, left_at);
}

static int
feed_task_cb(const struct task *t, bool extension_pending, void *userdata)
{
	struct build *b = userdata;
	struct feed_member *mb = member_find(b, t->id);

	if (mb)
		b->mem_seen[mb - b->mem] = true;
	b->group = 0;
	if (feed_shows(b, t))
		return feed_task_events(b, t, extension_pending, false, 0, 0);
	return feed_task_gone(b, t, extension_pending);
}

/* The members store_feed_tasks did not give (moved to another agency, say): gone. */
static int
feed_members_gone(struct build *b)
{
	int r = 0;

	b->group = 1;
	for (size_t i = 0; i < b->n_mem && r >= 0; i++) {
		struct task t = { 0 };

		if (b->mem_seen[i])
			continue;
		r = store_task_get(b->s, b->mem[i].task_id, &t);
		if (r == -ENOENT) {
			/* Deleted: its code, and so its UID, is lost; it can only go. */
			b->drop = xgrowarray(b->drop, b->n_drop, sizeof(*b->drop));
			b->drop[b->n_drop++] = b->mem[i].task_id;
			r = 0;
			continue;
		}
		if (r < 0) {
			b->err = xasprintf("cannot read task %" PRId64 ": %s", b->mem[i].task_id,
					   store_strerror(b->s, r));
			break;
		}
		r = feed_task_gone(b, &t, false);
		task_release(&t);
	}
	return r;
}

/*
 * Writes what the build changed in the registry, in one transaction.
 * The SEQUENCEs it writes move the change counter (another feed shows
 * them too): when nothing else moved it since *gen, read before the
 * rows, *gen becomes the counter after these writes, so that the next
 * build of this feed does not read again what this one wrote.
 */
static int
feed_save(struct build *b, int64_t *gen)
{
	int64_t before = -1, after = -1;
	int r;

	if (!b->n_seq_w && !b->n_mem_w && !b->n_drop)
		return 0;
	if ((r = store_begin(b->s)) < 0)
		goto fail;
	if ((r = store_feed_gen(b->s, &before)) < 0)
		goto fail_tx;
	for (size_t i = 0; i < b->n_seq_w && r >= 0; i++)
		r = store_feed_seq_set(b->s, &b->seq_w[i]);
	for (size_t i = 0; i < b->n_mem_w && r >= 0; i++)
		r = store_feed_member_set(b->s, b->f->id, &b->mem_w[i]);
	for (size_t i = 0; i < b->n_drop && r >= 0; i++)
		r = store_feed_member_drop(b->s, b->f->id, b->drop[i]);
	if (r >= 0 && before == *gen)
		r = store_feed_gen(b->s, &after);
	if (r >= 0 && (r = store_commit(b->s)) >= 0) {
		if (after >= 0)
			*gen = after;
		return 0;
	}
fail_tx:
	store_rollback(b->s);
fail:
	b->err = xasprintf("cannot record the events of feed %" PRId64 ": %s", b->f->id,
			   store_strerror(b->s, r));
	return r;
}

/* --- the calendar ---------------------------------------------------------- */

/*
 * The VCALENDAR's head, written by libical: its properties, without the
 * END line, which the build adds after the events.  METHOD:PUBLISH as
 * Google's own public feeds carry it: Outlook then subscribes rather than
 * asking to import, and Google, Apple and Thunderbird read it the same.
 */
static int
feed_head(struct build *b, struct buf *body)
{
	struct feed_maker *m = b->m;
	const struct feed *f = b->f;
	struct rendered out = { 0 };
	icalcomponent *cal = NULL;
	icalproperty *p;
	char *text = NULL;
	json_t *data;
	int r;

	/* A target merged or removed since (store.h: its feeds point nowhere): said, not left blank. */
	data = json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:s}", "target",
			 f->target_name ? f->target_name : "", "agency", f->kind == FEED_AGENCY,
			 "person", f->kind == FEED_PERSON, "document", f->kind == FEED_DOCUMENT,
			 "all", f->kind == FEED_ALL, "gone", f->kind != FEED_ALL && !f->target_name,
			 "host", m->host);
	r = renderer_render_forms(m->rend, langs[b->lang], "feed_calendar", data,
				  RENDER_SUBJECT | RENDER_TEXT, &out);
	json_decref(data);
	if (r < 0) {
		b->err = xasprintf("cannot render the calendar of feed %" PRId64 ": %s", f->id,
				   strerror(-r));
		return r;
	}
	cal = sym_icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	sym_icalcomponent_add_property(cal, sym_icalproperty_new_version("2.0"));
	sym_icalcomponent_add_property(cal, sym_icalproperty_new_prodid("-//dondoc//iCal feed//VI"));
	sym_icalcomponent_add_property(cal, sym_icalproperty_new_calscale("GREGORIAN"));
	sym_icalcomponent_add_property(cal, sym_icalproperty_new_method(ICAL_METHOD_PUBLISH));
	p = sym_icalproperty_new_x(out.subject);
	sym_icalproperty_set_x_name(p, "X-WR-CALNAME");
	sym_icalcomponent_add_property(cal, p);
	/* Text values (the calendar's description may hold commas): libical escapes X- values only partly. */
	p = sym_icalproperty_new_x(out.text);
	sym_icalproperty_set_x_name(p, "X-WR-CALDESC");
	sym_icalcomponent_add_property(cal, p);
	struct icaldurationtype every = { .seconds = (unsigned)(m->conf.refresh > 0 ? m->conf.refresh : 3600) };

	every.hours = every.seconds / 3600;
	every.minutes = every.seconds / 60 % 60;
	every.seconds %= 60;
	p = sym_icalproperty_new_refreshinterval(every);
	sym_icalproperty_add_parameter(p, sym_icalparameter_new_value(ICAL_VALUE_DURATION));
	sym_icalcomponent_add_property(cal, p);
	/* Outlook's and Google's older name for the same thing, in the same words. */
	char *ttl = sym_icaldurationtype_as_ical_string_r(every);

	p = sym_icalproperty_new_x(ttl ? ttl : "PT1H");
	free(ttl);
	sym_icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
	sym_icalcomponent_add_property(cal, p);
	text = sym_icalcomponent_as_ical_string_r(cal);
	r = -ENOMEM;
	if (text) {
		static const char end[] = "END:VCALENDAR\r\n";
		size_t n, e = sizeof(end) - 1;

		ical_mend_folds(text);
		n = strlen(text);
		if (n >= e && memcmp(text + n - e, end, e) == 0)
			n -= e;
		r = buf_add(body, text, n);
	}
	if (r < 0)
		b->err = xasprintf("cannot write the calendar of feed %" PRId64, f->id);
	free(text);
	sym_icalcomponent_free(cal);
	rendered_release(&out);
	return r;
}

/* Whether prev's events can be taken as they are for a build of f now (the day, setup, feed). */
static bool
index_fits(const struct build *b, const struct feed_body *prev)
{
	const struct feed_index *x = prev ? prev->index : NULL;
	const struct feed *f = b->f;

	return x && x->epoch == b->m->epoch && x->day == date_to_days(b->today) &&
	       x->feed_id == f->id && x->kind == f->kind && x->target == f->target &&
	       x->lang == b->lang && !x->target_name == !f->target_name &&
	       (!f->target_name || strcmp(x->target_name, f->target_name) == 0);
}

/*
 * A build again reads the tasks changed alone while they are few: each
 * is a seek of its own, where a whole build reads the feed's tasks in
 * one pass.
 */
static bool
few(size_t changed, size_t parts)
{
	return changed <= 64 || changed * 4 <= parts;
}

static int
part_cmp(const struct part *x, const struct part *y)
{
	if (x->group != y->group)
		return x->group - y->group;
	return (x->task_id > y->task_id) - (x->task_id < y->task_id);
}

static bool
changed(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else if (ids[mid] > id)
			hi = mid;
		else
			return true;
	}
	return false;
}

/*
 * The body's parts: the old index's (unless their task changed) and the
 * new ones, by (group, task), in *ret (new) of *ret_n.  Whether any old
 * one was left out in *ret_dropped.
 */
static void
parts_merge(struct build *b, const struct feed_index *x, const int64_t *ids, size_t n_ids,
	    struct part **ret, size_t *ret_n, bool *ret_dropped)
{
	size_t n_old = x ? x->n_parts : 0, i = 0, j = 0, n = 0;
	struct part *v = xmallocarray(n_old + b->n_parts + 1, sizeof(*v));

	*ret_dropped = false;
	while (i < n_old || j < b->n_parts) {
		if (i < n_old && changed(ids, n_ids, x->parts[i].task_id)) {
			*ret_dropped = true;
			i++;
		} else if (i < n_old && (j == b->n_parts || part_cmp(&x->parts[i], &b->parts[j]) < 0)) {
			v[n] = x->parts[i++];
			v[n++].taken = true;
		} else {
			v[n++] = b->parts[j++];
		}
	}
	*ret = v;
	*ret_n = n;
}

/*
 * The body: the head in text, then every part's events and the end; its
 * index and ETag (SHA-256 of the head, each event's digest, made when it
 * was written, and the end: a body's every byte is hashed only where it
 * is new, 10,000 events being some 15 MB, yet it is a function of them
 * all, as strong).  x: the old index the taken parts are of, in old.
 */
static int
feed_assemble(struct build *b, struct buf *text, const struct feed_body *old,
	      struct part *parts, size_t n_parts, int64_t gen, struct feed_body **ret)
{
	static const char end[] = "END:VCALENDAR\r\n";
	const struct feed_index *x = old ? old->index : NULL;
	struct feed_index *y = xcalloc(1, sizeof(*y));
	struct feed_body *body;
	size_t total = text->len + sizeof(end), n_ev = 0;
	int64_t last_modified = 0;
	int r = 0;

	for (size_t i = 0; i < n_parts; i++) {
		const struct part *p = &parts[i];

		if (p->taken) {
			total += p->len;
		} else {
			for (int e = 0; e < p->events; e++)
				total += b->out[p->first + (size_t)e]->text_n;
		}
		n_ev += (size_t)p->events;
		if (p->stamp > last_modified)
			last_modified = p->stamp;
	}
	/* One allocation for the whole body. */
	if (total <= FEED_BODY_MAX) {
		text->p = xgrowto(text->p, total + 1, 1);
		text->cap = total + 1;
	}
	y->digests = xmallocarray(n_ev ? n_ev : 1, sizeof(*y->digests));
	hash_add(b->h, text->p, text->len);
	n_ev = 0;
	for (size_t i = 0; i < n_parts && r >= 0; i++) {
		struct part *p = &parts[i];
		size_t off = text->len;

		if (p->taken) {
			r = buf_add(text, old->text + p->off, p->len);
			memcpy(y->digests[n_ev], x->digests[p->first], (size_t)p->events * DIGEST_LEN);
		} else {
			for (int e = 0; e < p->events && r >= 0; e++) {
				const struct kept *k = b->out[p->first + (size_t)e];

				r = buf_add(text, k->text, k->text_n);
				memcpy(y->digests[n_ev + (size_t)e], k->digest, DIGEST_LEN);
			}
		}
		hash_add(b->h, y->digests[n_ev], (size_t)p->events * DIGEST_LEN);
		p->off = off;
		p->len = text->len - off;
		p->first = n_ev;
		p->taken = false;
		n_ev += (size_t)p->events;
	}
	if (r >= 0)
		r = buf_adds(text, end);
	if (r < 0) {
		index_free(y);
		b->err = xasprintf("feed %" PRId64 " is over %zu bytes", b->f->id, (size_t)FEED_BODY_MAX);
		return r;
	}
	hash_add(b->h, end, sizeof(end) - 1);
	y->epoch = b->m->epoch;
	y->gen = gen;
	y->day = date_to_days(b->today);
	y->feed_id = b->f->id;
	y->kind = b->f->kind;
	y->target = b->f->target;
	y->target_name = b->f->target_name ? xstrdup(b->f->target_name) : NULL;
	y->lang = b->lang;
	y->parts = parts;
	y->n_parts = n_parts;
	body = xcalloc(1, sizeof(*body));
	body->n = text->len;
	body->text = buf_detach(text);
	body->etag[0] = '"';
	hash_final_hex(b->h, body->etag + 1);
	body->etag[65] = '"';
	body->etag[66] = '\0';
	body->last_modified = last_modified;
	body->events = (int)n_ev;
	body->index = y;
	atomic_init(&body->refs, 1);
	*ret = body;
	return 0;
}

/* None of the feed's tasks changed: prev again (a new reference), good for the counter gen. */
static struct feed_body *
body_again(struct feed_maker *m, struct feed_body *prev, int64_t gen)
{
	prev->index->gen = gen;
	m->same++;
	return feed_body_ref(prev);
}

int
feed_build(struct feed_maker *m, struct store *s, const struct feed *f, time_t now,
	   struct feed_body *prev, struct feed_body **ret, char **reterr_msg)
{
	struct build b = { .m = m, .s = s, .f = f, .now = (int64_t)now,
			   .today = clock_local_date(now) };
	struct person who = { 0 };
	struct part *parts = NULL;
	struct buf text;
	int64_t gen = 0, *ids = NULL;
	size_t n_ids = 0, n_parts = 0;
	bool partial = false, wide = false, dropped = false;
	int r;

	buf_init(&text, FEED_BODY_MAX);
	buf_init(&b.key, FEED_BODY_MAX);
	b.h = hash_new();
	if (!m->rend) {
		b.err = xasprintf("the feed maker has no templates yet");
		r = -EINVAL;
		goto out;
	}
	if (f->kind == FEED_PERSON && store_person_get(s, f->target, &who) == 0 && who.lang &&
	    strcmp(who.lang, "en") == 0)
		b.lang = 1;
	/* The counter before the rows: a change made while they are read is built again next time. */
	if ((r = store_feed_gen(s, &gen)) < 0) {
		b.err = xasprintf("cannot read the change counter: %s", store_strerror(s, r));
		goto out;
	}
	if (index_fits(&b, prev)) {
		if ((r = store_feed_changes(s, prev->index->gen, &wide, &ids, &n_ids)) < 0) {
			b.err = xasprintf("cannot read what changed: %s", store_strerror(s, r));
			goto out;
		}
		partial = !wide && few(n_ids, prev->index->n_parts);
	}
	if (partial && !n_ids) {
		*ret = body_again(m, prev, gen);
		goto sweep;
	}
	if ((r = store_feed_seqs(s, partial ? ids : NULL, n_ids, &b.seqs, &b.n_seqs)) < 0 ||
	    (r = store_feed_members(s, f->id, partial ? ids : NULL, n_ids, &b.mem, &b.n_mem)) < 0) {
		b.err = xasprintf("cannot read the sequences of feed %" PRId64 ": %s", f->id,
				  store_strerror(s, r));
		goto out;
	}
	b.mem_seen = xcalloc(b.n_mem ? b.n_mem : 1, sizeof(*b.mem_seen));
	if ((r = store_feed_tasks(s, f, partial ? ids : NULL, n_ids, feed_task_cb, &b)) < 0) {
		if (!b.err)
			b.err = xasprintf("cannot read the tasks of feed %" PRId64 ": %s", f->id,
					  store_strerror(s, r));
		goto out;
	}
	if ((r = feed_members_gone(&b)) < 0 || (r = feed_save(&b, &gen)) < 0)
		goto out;
	parts_merge(&b, partial ? prev->index : NULL, ids, n_ids, &parts, &n_parts, &dropped);
	if (partial && !dropped && !b.n_parts) {
		*ret = body_again(m, prev, gen);
		goto sweep;
	}
	if ((r = feed_head(&b, &text)) < 0 ||
	    (r = feed_assemble(&b, &text, partial ? prev : NULL, parts, n_parts, gen, ret)) < 0)
		goto out;
	parts = NULL;
	if (partial)
		m->partial++;
	else
		m->whole++;
sweep:
	/* A maker serves several feeds: what none of them took for a while goes. */
	if (b.now - m->swept_at >= FEED_SWEEP_EVERY) {
		m->swept_at = b.now;
		maker_rehash(m, m->cap ? m->cap : 1024, b.now - FEED_KEPT_IDLE);
	}
out:
	if (r < 0 && reterr_msg)
		*reterr_msg = b.err ? b.err : xasprintf("cannot build feed %" PRId64, f->id);
	else
		free(b.err);
	person_release(&who);
	buf_release(&text);
	buf_release(&b.key);
	hash_free(b.h);
	free(ids);
	free(parts);
	free(b.seqs);
	free(b.mem);
	free(b.mem_seen);
	free(b.seq_w);
	free(b.mem_w);
	free(b.drop);
	free(b.out);
	free(b.parts);
	return r < 0 ? r : 0;
}
