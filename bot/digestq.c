/* SPDX-License-Identifier: MIT */
/*
 * The digest through the outbox; see digestq.h.
 *
 * Invariants (DESIGN §6, §9):
 * 1. Once per period: a scheduled digest is a digest_run row whose key
 *    (the RRULE occurrence day) is UNIQUE, written in the transaction
 *    that queues its messages; a second tick, a restart or a second
 *    daemon finds it and queues nothing.
 * 2. All or nothing: the row and every recipient's message commit
 *    together; a failure queues none.
 * 3. Same bytes: the workbook is made once and kept in the row; each
 *    message names the row, and the dispatcher attaches it at each try.
 * 4. The outbox does the rest: the scheduled digest's messages wait
 *    for the sending window (one asked for goes at once), are retried,
 *    and a dead one alerts the secretariat (dispatch.c).
 * 5. Nothing falls between two digests: a scheduled one ends the day
 *    before it is made (digestq_period), the next starts the day after.
 *
 *   digest day come (schedule_digest_day) --digestq_tick--> key queued?
 *      |  yes: nothing                            no: digestq_queue
 *      \--> digest_data + xlsx_report_bytes --> render per recipient -->
 *           BEGIN; digest_run; message...; COMMIT --> dispatcher
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "channels.h"
#include "clock.h"
#include "digest.h"
#include "digestq.h"
#include "log.h"
#include "mime.h"
#include "notice.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "span.h"
#include "store.h"
#include "xalloc.h"
#include "xlsx.h"

/* "The last 14 days" for the first digest ever, ending where its period ends. */
#define FIRST_PERIOD_DAYS 14

/* Who gets one digest: people (owned) and addresses (borrowed). */
struct recipients {
	struct person *people;
	size_t n_people;
	const char **addrs;
	size_t n_addrs;
};

static void
recipients_release(struct recipients *rc)
{
	for (size_t i = 0; i < rc->n_people; i++)
		person_release(&rc->people[i]);
	free(rc->people);
	free(rc->addrs);
	memset(rc, 0, sizeof(*rc));
}

/* Ids of the active secretariat and of the active people who asked for the digest. */
struct ids {
	int64_t *v;
	size_t n;
};

static int
collect_wanting(const struct person *p, void *userdata)
{
	struct ids *ids = userdata;

	if (!p->active || (p->role != ROLE_SECRETARIAT && !p->digest))
		return 0;
	ids->v = xgrowarray(ids->v, ids->n, sizeof(*ids->v));
	ids->v[ids->n++] = p->id;
	return 0;
}

static int
add_person(struct store *s, struct recipients *rc, int64_t id)
{
	rc->people = xgrowarray(rc->people, rc->n_people, sizeof(*rc->people));
	return store_person_get(s, id, &rc->people[rc->n_people++]) < 0 ? -ENOENT : 0;
}

/* A [digest] to address that a person on the list already has gets it once. */
static bool
address_taken(const struct recipients *rc, const char *addr)
{
	for (size_t i = 0; i < rc->n_people; i++)
		if (person_address(&rc->people[i], "email") &&
		    strcasecmp(person_address(&rc->people[i], "email"), addr) == 0)
			return true;
	for (size_t i = 0; i < rc->n_addrs; i++)
		if (strcasecmp(rc->addrs[i], addr) == 0)
			return true;
	return false;
}

static void
add_address(struct recipients *rc, const char *addr)
{
	if (address_taken(rc, addr))
		return;
	rc->addrs = xgrowarray(rc->addrs, rc->n_addrs, sizeof(*rc->addrs));
	rc->addrs[rc->n_addrs++] = addr;
}

/* The recipients of job (digestq.h): 0, or -errno with a message. */
static int
recipients_of(struct store *s, const struct digestq_env *env, const struct digestq_job *job,
	      struct recipients *rc, char **reterr_msg)
{
	struct ids ids = { 0 };
	int r = 0;

	if (job->to_addr) {
		if (!mime_address_ok(job->to_addr)) {
			*reterr_msg = xasprintf("'%s' is not an email address", job->to_addr);
			return -EINVAL;
		}
		add_address(rc, job->to_addr);
		return 0;
	}
	if (job->person_id) {
		r = add_person(s, rc, job->person_id);
		if (r < 0)
			*reterr_msg = xasprintf("no person %lld", (long long)job->person_id);
		return r;
	}
	r = store_person_foreach(s, collect_wanting, &ids);
	for (size_t i = 0; r == 0 && i < ids.n; i++)
		r = add_person(s, rc, ids.v[i]);
	free(ids.v);
	if (r < 0) {
		*reterr_msg = xasprintf("cannot read the people of the registry: %s",
					store_strerror(s, r));
		return r;
	}
	for (size_t i = 0; i < env->sch->n_digest_to; i++)
		add_address(rc, env->sch->digest_to[i]);
	return 0;
}

/*
 * Whether a channel reaches any of rc, before anything is built: a
 * registry nobody is reached from costs no digest at each tick.
 */
static bool
reachable(const struct digestq_env *env, const struct recipients *rc, bool mail_only)
{
	for (size_t i = 0; i < rc->n_people; i++)
		if (mail_only ? channels_pick_html(env->cs, &rc->people[i]) != NULL
			      : channels_pick(env->cs, &rc->people[i]) != NULL)
			return true;
	for (size_t i = 0; i < rc->n_addrs; i++) {
		struct address one = { .channel = (char *)"email", .value = (char *)rc->addrs[i] };
		struct person as = { .addresses = &one, .n_addresses = 1,
				     .name = (char *)rc->addrs[i] };

		if (channels_pick(env->cs, &as))
			return true;
	}
	return false;
}

/* What one digest is made of, shared by all its messages. */
struct made {
	json_t *own;		/* made here; NULL when the job brought its own */
	const json_t *data;
	struct digest_run run;
	struct message *msgs;
	size_t n;
	size_t cut[2];		/* digest_render_cut's, Vietnamese and English */
};

static void
made_release(struct made *mk)
{
	json_decref(mk->own);
	store_digest_release(&mk->run);
	for (size_t i = 0; i < mk->n; i++)
		message_release(&mk->msgs[i]);
	free(mk->msgs);
	memset(mk, 0, sizeof(*mk));
}

/* Renders data for to (NULL: an address) into a new message of mk on channel. */
static int
add_message(struct made *mk, const struct digestq_env *env, const struct person *to,
	    const char *addr, const char *channel, unsigned mask, time_t now)
{
	struct rendered text = { 0 };
	struct message *m;
	int r = digest_render_cut(env->rend, to, mk->data, 0, mask,
				  &mk->cut[to && to->lang && strcmp(to->lang, "en") == 0], &text);

	if (r < 0) {
		rendered_release(&text);
		return r;
	}
	mk->msgs = xgrowarray(mk->msgs, mk->n, sizeof(*mk->msgs));
	m = &mk->msgs[mk->n++];
	*m = (struct message){ .person_id = to ? to->id : 0, .kind = MESSAGE_DIGEST,
			       .next_at = now, .created_at = now, .day = clock_local_date(now),
			       .address = addr ? xstrdup(addr) : NULL };
	snprintf(m->channel, sizeof(m->channel), "%s", channel);
	message_take_rendered(m, &text);
	/* The chat form's message carries no HTML, so no workbook (dispatch.c). */
	if (!(mask & RENDER_HTML)) {
		free(m->html);
		m->html = NULL;
	}
	return 0;
}

/*
 * The messages of person p: on a chat channel the headline there, and
 * the whole digest by email when they have one; else the whole digest
 * through their channel (email, or the local file channel).
 */
static int
person_messages(struct made *mk, const struct digestq_env *env, const struct person *p,
		bool mail_only, time_t now)
{
	const char *channel = channels_pick(env->cs, p), *mail;
	int r;

	/* Asked for in chat (/baocao tongthe): the chat has its answer, the email is the rest. */
	if (mail_only) {
		mail = channels_pick_html(env->cs, p);
		return mail ? add_message(mk, env, p, NULL, mail, RENDER_ALL, now) : 0;
	}
	if (!channel) {
		log_warnx("no channel reaches '%s': no digest for them", p->name);
		return 0;
	}
	if (!channels_is_chat(env->cs, channel))
		return add_message(mk, env, p, NULL, channel, RENDER_ALL, now);
	mail = channels_pick_html(env->cs, p);
	r = add_message(mk, env, p, NULL, channel, RENDER_SUBJECT | RENDER_TEXT | RENDER_CHAT |
			(mail ? DIGEST_EMAILED : 0), now);
	if (r == 0 && mail)
		r = add_message(mk, env, p, NULL, mail, RENDER_ALL, now);
	return r;
}

/*
 * The messages of every recipient.  An address goes by email, or with
 * no email configured through the local file channel (make run), which
 * reaches anyone.
 */
static int
make_messages(struct made *mk, const struct digestq_env *env, const struct recipients *rc,
	      bool mail_only, time_t now, char **reterr_msg)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < rc->n_people; i++)
		r = person_messages(mk, env, &rc->people[i], mail_only, now);
	for (size_t i = 0; r == 0 && i < rc->n_addrs; i++) {
		struct address one = { .channel = (char *)"email", .value = (char *)rc->addrs[i] };
		struct person as = { .addresses = &one, .n_addresses = 1,
				     .name = (char *)rc->addrs[i] };
		const char *mail = channels_pick(env->cs, &as);

		if (!mail) {
			log_warnx("no channel reaches '%s': no digest for it", rc->addrs[i]);
			continue;
		}
		r = add_message(mk, env, NULL, rc->addrs[i], mail, RENDER_ALL, now);
	}
	if (r < 0)
		*reterr_msg = xasprintf("cannot render the digest: %s", strerror(-r));
	else if (mk->n == 0) {
		*reterr_msg = xasprintf("no channel reaches any recipient of the digest");
		r = -ENOENT;
	}
	return r;
}

/* The figures and the workbook, once for all recipients. */
static int
make_digest(struct store *s, const struct digestq_job *job, time_t now, struct made *mk,
	    char **reterr_msg)
{
	const struct digest_query *q = job->q;
	struct xlsx_query xq = { .today = q->today, .cal = q->cal, .agency_id = q->agency_id,
				 .created = now };
	char name[40];
	int r;

	r = job->data ? 0 : digest_data(s, q, &mk->own);
	mk->data = job->data ? job->data : mk->own;
	if (r < 0) {
		*reterr_msg = xasprintf("cannot gather the digest's figures: %s",
					r == -EPROTO ? "they do not add up (a bug, see the log)"
						     : store_strerror(s, r));
		return r;
	}
	r = xlsx_report_bytes(s, &xq, &mk->run.workbook, &mk->run.len, reterr_msg);
	if (r < 0)
		return r;
	xlsx_filename(q->today, name);
	mk->run.filename = xstrdup(name);
	mk->run.key = job->key ? *job->key : (struct date){ 0 };
	mk->run.from = q->from;
	mk->run.to = q->to;
	mk->run.created_at = now;
	return 0;
}

/*
 * The run and its messages, in one transaction: its own, or the caller's
 * (a chat command runs inside the update's, which rolls back on failure).
 */
static int
commit_made(struct store *s, struct made *mk, char **reterr_msg)
{
	int64_t id = 0;
	bool own = !store_in_txn(s);
	int r = own ? store_begin(s) : 0;

	if (r == 0)
		r = store_digest_insert(s, &mk->run, &id);
	for (size_t i = 0; r == 0 && i < mk->n; i++) {
		mk->msgs[i].digest_id = id;
		r = store_message_insert(s, &mk->msgs[i], NULL);
	}
	if (r == 0 && own)
		r = store_commit(s);
	if (r < 0) {
		if (own)
			store_rollback(s);
		if (r == -EEXIST)
			return -EALREADY;	/* another process queued it first */
		*reterr_msg = xasprintf("cannot queue the digest: %s", store_strerror(s, r));
	}
	return r;
}

int
digestq_queue(struct store *s, const struct digestq_env *env, const struct digestq_job *job,
	      time_t now, size_t *ret_queued, char **reterr_msg)
{
	struct recipients rc = { 0 };
	struct made mk = { .cut = { DIGEST_LIMIT_UNSET, DIGEST_LIMIT_UNSET } };
	bool done = false;
	int r = 0;

	if (job->key) {
		r = store_digest_exists(s, *job->key, &done);
		if (r < 0) {
			*reterr_msg = xasprintf("cannot read the digests queued: %s",
						store_strerror(s, r));
			return r;
		}
		if (done)
			return -EALREADY;
	}
	r = recipients_of(s, env, job, &rc, reterr_msg);
	if (r == 0 && rc.n_people == 0 && rc.n_addrs == 0) {
		*reterr_msg = xasprintf("nobody gets the digest: no active secretariat, nobody "
					"asked for it (person set ID --digest yes), no [digest] to");
		r = -ENOENT;
	}
	if (r == 0 && !reachable(env, &rc, job->person_id != 0)) {
		*reterr_msg = xasprintf("no channel reaches any recipient of the digest");
		r = -ENOENT;
	}
	if (r == 0)
		r = make_digest(s, job, now, &mk, reterr_msg);
	if (r == 0)
		r = make_messages(&mk, env, &rc, job->person_id != 0, now, reterr_msg);
	if (r == 0)
		r = commit_made(s, &mk, reterr_msg);
	if (r == 0)
		*ret_queued = mk.n;
	made_release(&mk);
	recipients_release(&rc);
	return r;
}

int
digestq_period(struct store *s, struct date today, bool scheduled, struct date *ret_from,
	       struct date *ret_to)
{
	struct date prev;
	int64_t to = date_to_days(today) - (scheduled ? 1 : 0), from;
	int r = store_digest_last(s, &prev);

	if (r == -ENOENT)
		from = to - (FIRST_PERIOD_DAYS - 1);
	else if (r < 0)
		return r;
	else
		from = date_to_days(prev) + 1;
	/* Two digests with nothing between them: a period of one day, not a backward one. */
	*ret_from = date_from_days(from > to ? to : from);
	*ret_to = date_from_days(to);
	return 0;
}

/* Meta keys: the first digest's day tried, and when to try a failed one again. */
#define META_FIRST "digest.first"
#define META_RETRY "digest.retry"
/* A digest that could not be queued is tried again no sooner than this. */
#define RETRY_AFTER_S 3600

/* Whether meta key holds iso (at its start); NULL-safe on a missing key. */
static bool
meta_is(struct store *s, const char *key, const char *iso, char **ret_val)
{
	char *v = NULL;
	bool is = store_meta_get(s, key, &v) == 0 && strncmp(v, iso, DATE_ISO_LEN - 1) == 0;

	if (ret_val)
		*ret_val = v;
	else
		free(v);
	return is;
}

/*
 * Whether the digest of key (on day, come by today) is to be tried now:
 * 1 yes, 0 no, -errno.  Not when a key as late was recorded (the clock
 * went back, or the schedule changed: an older occurrence never sent is
 * no digest to send now).  With none ever recorded, only on its day, or
 * after it when that day's was tried and failed (kept until queued or a
 * newer key comes).  Not before the hour after a failure.
 */
static int
due(struct store *s, struct date key, struct date day, struct date today, time_t now)
{
	char iso[DATE_ISO_LEN], *v = NULL;
	struct date last;
	long long at = 0;
	int r = store_digest_last_key(s, &last);

	date_format_iso(key, iso);
	if (r == 0 && date_cmp(key, last) <= 0)
		return 0;
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT && date_cmp(day, today) != 0 && !meta_is(s, META_FIRST, iso, NULL))
		return 0;
	if (r == -ENOENT && !meta_is(s, META_FIRST, iso, NULL)) {
		r = store_meta_set(s, META_FIRST, iso);
		if (r < 0)
			return r;
	}
	if (meta_is(s, META_RETRY, iso, &v) && sscanf(v + DATE_ISO_LEN - 1, " %lld", &at) == 1 &&
	    (long long)now < at) {
		free(v);
		return 0;
	}
	free(v);
	return 1;
}

/*
 * The digest of key could not be queued: tried again in an hour, said
 * once per key (a failure each hour for two weeks is one log line).
 */
static void
failed(struct store *s, const char *k, int r, const char *msg, time_t now)
{
	char *v = NULL;
	bool told = meta_is(s, META_RETRY, k, NULL);

	v = xasprintf("%s %lld", k, (long long)now + RETRY_AFTER_S);
	(void)store_meta_set(s, META_RETRY, v);
	free(v);
	if (told)
		log_debug("digest of %s still not queued: %s", k, msg ? msg : strerror(-r));
	else if (r == -ENOENT)
		log_warnx("digest of %s not sent: %s, will retry hourly", k, msg);
	else
		log_warnx("cannot queue the digest of %s: %s, will retry hourly", k,
			  msg ? msg : strerror(-r));
}

/* Digests older than this keep their row, not their workbook, once all delivered. */
#define PRUNE_AFTER_S (90 * 86400)

/* Once a day: the workbooks nobody will send again (store_digest_prune). */
static void
prune_daily(struct store *s, struct date today, time_t now)
{
	char iso[DATE_ISO_LEN];
	int64_t n = 0;
	int r;

	date_format_iso(today, iso);
	if (meta_is(s, "digest.pruned", iso, NULL))
		return;
	r = store_digest_prune(s, (int64_t)now - PRUNE_AFTER_S, &n);
	if (r < 0) {
		log_warnx("cannot drop the old digests' workbooks: %s", store_strerror(s, r));
		return;
	}
	if (n)
		log_info("dropped the workbooks of %lld digests older than 90 days", (long long)n);
	(void)store_meta_set(s, "digest.pruned", iso);
}

int
digestq_tick(struct store *s, const struct digestq_env *env, time_t now)
{
	struct date today = clock_local_date(now), key, day;
	struct digest_query q = { .today = today, .span = SPAN_SINCE_LAST, .cal = env->sch->cal,
				  .url = env->url, .now = now, .zalo_window = env->zalo_window };
	struct digestq_job job = { .q = &q, .key = &key };
	char *msg = NULL, a[DATE_ISO_LEN], b[DATE_ISO_LEN], k[DATE_ISO_LEN];
	size_t n = 0;
	int r;

	prune_daily(s, today, now);
	r = schedule_digest_day(env->sch, today, &key, &day);
	if (r == -ENOENT || r == -ERANGE)
		return 0;	/* no digest day yet; or the schedule is being reloaded */
	if (r == 0)
		r = due(s, key, day, today, now);
	if (r == 1)
		r = digestq_period(s, today, true, &q.from, &q.to) ?: 1;
	if (r < 0)
		log_warnx("cannot read the digests queued: %s, will retry", store_strerror(s, r));
	if (r <= 0)
		return r;
	date_format_iso(key, k);
	r = digestq_queue(s, env, &job, now, &n, &msg);
	if (r == -EALREADY) {
		r = 0;
	} else if (r < 0) {
		failed(s, k, r, msg, now);
		r = r == -ENOENT ? 0 : r;
	} else {
		date_format_iso(q.from, a);
		date_format_iso(q.to, b);
		log_info("digest of %s queued: %zu messages, period %s to %s", k, n, a, b);
		r = 1;
	}
	free(msg);
	return r;
}
