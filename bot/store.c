/* SPDX-License-Identifier: MIT */
/*
 * The registry, the same on every database: the typed functions of
 * store.h, written against a backend (store_int.h) that holds the SQL
 * text of each statement and runs it.  Here are the rules both keep:
 * the history is append-only and each event carries the hash of its
 * fields chained to the one before (so an edit made outside dondoc shows
 * up in store_event_verify()), the checks a command's writes must pass,
 * and what a row read means.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "feed.h"
#include "feedlink.h"
#include "hash.h"
#include "macro.h"
#include "norm.h"
#include "obstacle.h"
#include "store.h"
#include "store_int.h"
#include "xalloc.h"

/*
 * The SHA-256 context, made on first use: libcrypto's start-up touches
 * megabytes of pages, which a daemon that only reads never needs.
 */
struct hash *
store_digest(struct store *s)
{
	if (!s->hash)
		s->hash = hash_new();
	return s->hash;
}

/* Binds a string, or NULL when s is NULL. */
static void
bind_text(struct store_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, true);
	else
		db_bind_null(st, i);
}

/*
 * bind_text without SQLite's copy, for the hot inserts whose strings
 * outlive the step (exec_done): the binding then points at memory that
 * may go, but it is never read again (stmt() clears it before the next use).
 */
static void
bind_static(struct store_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, false);
	else
		db_bind_null(st, i);
}

/* Binds an integer, or NULL when v is 0 and zero_is_null. */
static void
bind_id(struct store_stmt *st, int i, int64_t v)
{
	if (v)
		db_bind_int64(st, i, v);
	else
		db_bind_null(st, i);
}

static char *
column_dup(struct store_stmt *st, int i)
{
	const unsigned char *p = (const unsigned char *)db_column_text(st, i);

	return p ? xstrdup((const char *)p) : NULL;
}

/*
 * Steps a bound statement that returns at most one row and reads its
 * first column: 0 with *ret, -ENOENT when there is no row, or -errno.
 */
static int
int64_query(struct store *s, struct store_stmt *st, int64_t *ret)
{
	int rc = db_step(st), r = 0;

	if (rc == DB_ROW)
		*ret = db_column_int64(st, 0);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

/* Reads the first column of st's rows (bound), ids, into a new array (free) *ret of *ret_n. */
static int
ids_query(struct store *s, struct store_stmt *st, int64_t **ret, size_t *ret_n)
{
	int64_t *v = NULL;
	size_t n = 0;
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		v = xgrowarray(v, n, sizeof(*v));
		v[n++] = db_column_int64(st, 0);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(v);
		return db_errno(s);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Steps a statement that returns no rows; 0 or -errno. */
static int
exec_done(struct store *s, struct store_stmt *st)
{
	int rc = db_step(st), r = 0;

	if (rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : (rc == DB_DONE ? 0 : -EIO);
}

/*
 * Runs st (bound), whose rows nobody reads: in a transaction, on a
 * backend that pipelines (send), sent on without waiting, its failure
 * then told by the next call that waits (sent_wait, a step, the
 * commit).  The rows it changed count in sent_wait's.  0 or -errno.
 */
static int
exec_sent(struct store *s, struct store_stmt *st)
{
	int r;

	if (s->be->send && s->in_txn)
		return s->be->send(st);
	r = exec_done(s, st);
	if (r == 0)
		s->sent_changes += db_changes(s);
	return r;
}

/* Waits for what exec_sent sent: 0 or -errno; *ret_changes (may be NULL) the rows it changed. */
static int
sent_wait(struct store *s, int64_t *ret_changes)
{
	int64_t n = 0;
	int r = s->be->sent_wait ? s->be->sent_wait(s->db, &n) : 0;

	n += s->sent_changes;
	s->sent_changes = 0;
	if (ret_changes)
		*ret_changes = n;
	return r;
}

/*
 * Steps st to the end, calling row() for each row; stops early when row()
 * returns < 0 and returns that.  Resets st.  0, or -errno.
 */
static int
each_row(struct store *s, struct store_stmt *st, int (*row)(struct store_stmt *st, void *ctx),
	 void *ctx)
{
	int rc, r = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		r = row(st, ctx);
		if (r < 0)
			break;
	}
	if (rc != DB_ROW && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : 0;
}

/* A caller's callback and its data, for the row functions of each_row(). */
struct row_cb {
	union {
		store_agency_cb agency;
		store_person_cb person;
		store_event_cb event;
		store_notice_cb notice;
		store_message_cb message;
	} cb;
	void *userdata;
};

int
store_wake_fd(struct store *s)
{
	return s->be->wake_fd ? s->be->wake_fd(s->db) : -1;
}

bool
store_woken(struct store *s)
{
	return s->be->woken ? s->be->woken(s->db) : false;
}

void
store_where_shown(const char *where, char *out, size_t size)
{
	const char *scheme = strstr(where, "://"), *at, *colon;

	snprintf(out, size, "%s", where);
	if (!scheme)
		return;
	at = strchr(scheme + 3, '@');
	colon = strchr(scheme + 3, ':');
	if (at && colon && colon < at)	/* user:password@ */
		snprintf(out, size, "%.*s%s", (int)(colon - where), where, at);
	out[strcspn(out, "?")] = '\0';
}

const char *
store_errmsg(const struct store *s)
{
	if (s && s->why[0])
		return s->why;
	return s && s->db ? s->be->errmsg(s->db) : "no database";
}

const char *
store_strerror(const struct store *s, int r)
{
	int last = s && s->db ? s->be->last_errno(s->db) : 0;

	if (s && s->why[0])
		return s->why;
	/* The backend's message, unless a later call (a ROLLBACK) has replaced it. */
	if (last < 0 && last == r)
		return s->be->errmsg(s->db);
	switch (-r) {
	case EBUSY:
		return "the registry is locked by another process";
	case ENOSPC:
		return "the disk is full";
	case EROFS:
		return "the registry is read-only";
	case EBADMSG:
		return "the registry is damaged";
	default:
		return strerror(-r);
	}
}

void
store_set_why(struct store *s, const char *fmt, ...)
{
	va_list ap;

	s->why[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* The backends, asked in order whether the db setting is theirs. */
static const struct store_backend *const backends[] = {
	&store_pg,
	&store_sqlite,
};

int
store_open(const char *where, enum store_mode mode, struct store **ret, char **reterr_msg)
{
	const struct store_backend *be = NULL;
	struct store *s;
	char *msg = NULL;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(backends) && !be; i++)
		if (backends[i]->takes(where))
			be = backends[i];
	if (!be) {
		r = -EINVAL;
		msg = xasprintf("database '%s': no backend of this dondoc takes it", where);
		goto out;
	}
	s = xcalloc(1, sizeof(*s));
	s->be = be;
	r = be->open(s, where, mode, &msg);
	if (r < 0) {
		store_close(s);
		goto out;
	}
	*ret = s;
out:
	if (msg && reterr_msg)
		*reterr_msg = msg;
	else
		free(msg);
	return r;
}

struct store *
store_close(struct store *s)
{
	if (!s)
		return NULL;
	if (s->db)
		s->be->close(s->db);
	hash_free(s->hash);
	(void)store_set_audit_key(s, NULL, 0);
	task_plan_key_release(&s->last_read.plan);
	free(s);
	return NULL;
}

int
store_work(struct store *s, enum store_work w)
{
	return s->be->work(s->db, w);
}

void
store_set_busy_timeout(struct store *s, int ms)
{
	s->be->set_busy_timeout(s->db, ms);
}

int
store_upkeep_handoff(struct store *s, void (*fn)(void *userdata, int backlog), void *userdata)
{
	return s->be->upkeep_handoff ? s->be->upkeep_handoff(s->db, fn, userdata) : -EOPNOTSUPP;
}

int
store_upkeep(struct store *s, int *ret_backlog, int *ret_done)
{
	if (!s->be->upkeep) {
		*ret_backlog = *ret_done = 0;
		return 0;
	}
	return s->be->upkeep(s->db, ret_backlog, ret_done);
}

/* A transaction begun: nothing of an earlier one's chain or reasons kept. */
static int
begin(struct store *s, bool durable)
{
	int r;

	/* A reason kept from an earlier transaction would mislead (store_strerror). */
	store_set_why(s, NULL);
	r = s->be->begin(s->db, durable);
	if (r == 0) {
		s->in_txn = true;
		s->txn = s->txn + 1 ? s->txn + 1 : 1;
		s->head_valid = false;
		s->head_dirty = false;
		s->sp.open = false;
	}
	return r;
}

int
store_begin(struct store *s)
{
	return begin(s, false);
}

int
store_begin_durable(struct store *s)
{
	if (s->be->in_txn(s->db))
		return -EINVAL;
	return begin(s, true);
}

/* What was read in a transaction that did not commit is not remembered. */
static void
forget_read(struct store *s)
{
	memset(s->created, 0, sizeof(s->created));
	s->last_read.id = 0;
}

int
store_commit(struct store *s)
{
	int r = 0;

	if (s->head_dirty && s->head_valid)
		r = store_head_write(s, &s->head);
	if (r == 0)
		r = s->be->commit(s->db);
	if (r == 0) {
		s->in_txn = false;
		s->head_valid = false;
		s->head_dirty = false;
		s->sp.open = false;
	} else {
		forget_read(s);
	}
	return r;
}

void
store_rollback(struct store *s)
{
	forget_read(s);
	s->be->rollback(s->db);
	s->in_txn = false;
	s->head_valid = false;
	s->head_dirty = false;
	s->keying = false;
	s->sp.open = false;
}

bool
store_in_txn(struct store *s)
{
	return s->in_txn && s->be->in_txn(s->db);
}

int
store_savepoint(struct store *s)
{
	int r;

	if (!s->in_txn || s->sp.open)
		return -EINVAL;
	if (!store_in_txn(s))
		return -EIO;	/* an I/O error or a full disk ended it */
	/* What was sent before is told here, not inside the savepoint: a unit's failure stays its own. */
	r = sent_wait(s, NULL);
	if (r == 0)
		r = exec_sent(s, stmt(s, ST_SAVEPOINT));
	if (r < 0)
		return r;
	s->sp.open = true;
	s->sp.head = s->head;
	s->sp.head_valid = s->head_valid;
	s->sp.head_dirty = s->head_dirty;
	return 0;
}

int
store_release(struct store *s)
{
	int r;

	if (!s->sp.open)
		return -EINVAL;
	r = exec_done(s, stmt(s, ST_RELEASE));
	if (r == 0)
		s->sp.open = false;
	return r;
}

int
store_rollback_to(struct store *s)
{
	int r;

	if (!s->sp.open)
		return -EINVAL;
	forget_read(s);
	/* ROLLBACK TO leaves the savepoint open: RELEASE closes it, empty. */
	r = exec_done(s, stmt(s, ST_ROLLBACK_TO));
	if (r == 0)
		r = exec_done(s, stmt(s, ST_RELEASE));
	if (r < 0)
		return r;
	s->sp.open = false;
	s->head = s->sp.head;
	s->head_valid = s->sp.head_valid;
	s->head_dirty = s->sp.head_dirty;
	return 0;
}

/* --- agencies --------------------------------------------------------- */

static void
read_agency(struct store_stmt *st, struct agency *a)
{
	enum agency_kind k = agency_kind_from_string(db_column_text(st, 3));

	a->id = db_column_int64(st, 0);
	a->code = column_dup(st, 1);
	a->name = column_dup(st, 2);
	a->kind = k < 0 ? AGENCY_OTHER : k;
	a->n_tasks = 0;
}

/* Runs a one-row agency query bound to text; 0, -ENOENT or -errno. */
static int
agency_query(struct store *s, enum stmt id, const char *text, struct agency *ret)
{
	struct store_stmt *st = stmt(s, id);
	int rc, r;

	bind_text(st, 1, text);
	rc = db_step(st);
	if (rc == DB_ROW) {
		read_agency(st, ret);
		r = 0;
	} else {
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	}
	db_reset(st);
	return r;
}

int
store_agency_lookup(struct store *s, const char *text, struct agency *ret)
{
	char *key = norm_key(text);
	int r;

	if (!key)
		return -EINVAL;
	r = agency_query(s, ST_AGENCY_BY_CODE, text, ret);
	if (r == -ENOENT)
		r = agency_query(s, ST_AGENCY_BY_KEY, key, ret);
	if (r == -ENOENT)
		r = agency_query(s, ST_AGENCY_BY_ALIAS, key, ret);
	free(key);
	return r;
}

int
store_agency_code_taken(struct store *s, const char *code)
{
	struct agency a = { 0 };
	int r = agency_query(s, ST_AGENCY_BY_CODE, code, &a);

	agency_release(&a);
	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

int
store_agency_insert(struct store *s, const char *code, const char *name,
		    enum agency_kind kind, int64_t now, int64_t *ret_id)
{
	struct agency other = { 0 };
	char *key = norm_key(name);
	struct store_stmt *st;
	int r;

	if (!key)
		return -EINVAL;
	/* A new name must not be another agency's alias either. */
	r = agency_query(s, ST_AGENCY_BY_ALIAS, key, &other);
	agency_release(&other);
	if (r == 0) {
		r = -EEXIST;
		goto out;
	}
	st = stmt(s, ST_AGENCY_INSERT);
	bind_text(st, 1, code);
	bind_text(st, 2, name);
	bind_text(st, 3, key);
	bind_text(st, 4, agency_kind_to_string(kind));
	db_bind_int64(st, 5, now);
	r = exec_done(s, st);
	if (r == 0 && ret_id)
		*ret_id = s->be->last_id(s->db);
out:
	free(key);
	return r;
}

int
store_agency_alias_add(struct store *s, int64_t agency_id, const char *alias)
{
	struct agency other = { 0 };
	char *key = norm_key(alias);
	struct store_stmt *st;
	int r;

	if (!key || !*key) {
		free(key);
		return -EINVAL;
	}
	r = agency_query(s, ST_AGENCY_BY_KEY, key, &other);
	if (r == 0) {
		/* The alias is some agency's own name: fine for that agency only. */
		r = other.id == agency_id ? 0 : -EEXIST;
		agency_release(&other);
		goto out;
	}
	st = stmt(s, ST_ALIAS_INSERT);
	bind_text(st, 1, key);
	bind_text(st, 2, alias);
	db_bind_int64(st, 3, agency_id);
	r = exec_done(s, st);
	if (r == 0)
		r = 1;
	if (r == -EEXIST) {
		/* Giving an agency an alias it already has is not an error. */
		r = agency_query(s, ST_AGENCY_BY_ALIAS, key, &other);
		if (r == 0)
			r = other.id == agency_id ? 0 : -EEXIST;
		agency_release(&other);
	}
out:
	free(key);
	return r;
}

static int
agency_row(struct store_stmt *st, void *ctx)
{
	const struct row_cb *c = ctx;
	struct agency a = { 0 };
	int r;

	read_agency(st, &a);
	a.n_tasks = db_column_int64(st, 4);
	r = c->cb.agency(&a, c->userdata);
	agency_release(&a);
	return r;
}

int
store_agency_foreach(struct store *s, store_agency_cb cb, void *userdata)
{
	struct row_cb c = { .cb.agency = cb, .userdata = userdata };

	return each_row(s, stmt(s, ST_AGENCY_LIST), agency_row, &c);
}

int
store_alias_foreach(struct store *s, store_alias_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_ALIAS_LIST);
	int rc, r = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		r = cb(db_column_int64(st, 0), db_column_text(st, 1),
		       db_column_text(st, 2), userdata);
		if (r < 0)
			break;
	}
	if (rc != DB_ROW && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : 0;
}

/* --- people ----------------------------------------------------------- */

/* The channels of the address table, in the order of PERSON_COLUMNS. */
static const char *const address_channels[] = { "email", "telegram", "zalo", "phone" };

static bool
address_channel_known(const char *channel)
{
	for (size_t i = 0; i < ELEMENTSOF(address_channels); i++)
		if (strcmp(channel, address_channels[i]) == 0)
			return true;
	return false;
}

/* Writes one address of id (put_address) or removes it (value NULL). */
static int
put_address(struct store *s, int64_t id, const char *channel, const char *value,
	    int64_t broken_at)
{
	struct store_stmt *st = stmt(s, value ? ST_ADDRESS_PUT : ST_ADDRESS_DELETE);

	db_bind_int64(st, 1, id);
	bind_text(st, 2, channel);
	if (value) {
		bind_text(st, 3, value);
		db_bind_int64(st, 4, broken_at);
	}
	return exec_done(s, st);
}

/*
 * Makes id's addresses p's: each written (an address another person has
 * is -EEXIST), the channels p has none on emptied.
 */
static int
put_addresses(struct store *s, int64_t id, const struct person *p)
{
	int r = 0;

	for (size_t i = 0; i < p->n_addresses && r == 0; i++)
		if (!address_channel_known(p->addresses[i].channel))
			r = -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(address_channels) && r == 0; i++) {
		const struct address *a = person_address_get(p, address_channels[i]);

		r = put_address(s, id, address_channels[i], a && *a->value ? a->value : NULL,
				a ? a->broken_at : 0);
	}
	return r;
}

int
store_person_insert(struct store *s, const struct person *p, int64_t now, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_PERSON_INSERT);
	int64_t id;
	int r;

	bind_text(st, 1, p->name);
	db_bind_int64(st, 2, p->agency_id);
	bind_text(st, 3, person_role_to_string(p->role));
	bind_text(st, 4, p->lang ? p->lang : "vi");
	db_bind_int64(st, 5, p->active ? 1 : 0);
	db_bind_int64(st, 6, now);
	db_bind_int64(st, 7, p->digest ? 1 : 0);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	id = s->be->last_id(s->db);
	/* A new person's addresses work: nothing refused them yet. */
	for (size_t i = 0; i < ELEMENTSOF(address_channels) && r == 0; i++) {
		const char *v = person_address(p, address_channels[i]);

		if (v && *v)
			r = put_address(s, id, address_channels[i], v, 0);
	}
	if (r == 0 && ret_id)
		*ret_id = id;
	return r;
}

/* Reads a person from st (PERSON_BASE_COLUMNS first). */
static void
read_person(struct store_stmt *st, struct person *p)
{
	enum person_role role = person_role_from_string(db_column_text(st, 4));

	memset(p, 0, sizeof(*p));
	p->id = db_column_int64(st, 0);
	p->name = column_dup(st, 1);
	p->agency_id = db_column_int64(st, 2);
	p->agency_code = column_dup(st, 3);
	p->role = role < 0 ? ROLE_VIEWER : role;
	p->lang = column_dup(st, 5);
	p->active = db_column_int(st, 6) != 0;
	p->agency_name = column_dup(st, 7);
	p->digest = db_column_int(st, 8) != 0;
}

/*
 * Steps st (bound, PERSON_COLUMNS) for one person into *ret: 0, -ENOENT
 * or -errno.  Their addresses in the order of address_channels, whatever
 * the order of the rows.
 */
static int
one_person(struct store *s, struct store_stmt *st, struct person *ret)
{
	struct address slot[ELEMENTSOF(address_channels)] = { 0 };
	struct person p;
	int rc = db_step(st), r = 0;

	if (rc != DB_ROW) {
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
		db_reset(st);
		return r;
	}
	read_person(st, &p);
	for (; rc == DB_ROW; rc = db_step(st)) {
		const char *channel = db_column_text(st, PERSON_FIRST_ADDRESS);

		for (size_t i = 0; channel && i < ELEMENTSOF(address_channels); i++) {
			if (strcmp(channel, address_channels[i]) != 0 || slot[i].channel)
				continue;
			slot[i].channel = xstrdup(address_channels[i]);
			slot[i].value = column_dup(st, PERSON_FIRST_ADDRESS + 1);
			slot[i].broken_at = db_column_int64(st, PERSON_FIRST_ADDRESS + 2);
			slot[i].last_in = db_column_int64(st, PERSON_FIRST_ADDRESS + 3);
		}
	}
	if (rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	for (size_t i = 0; i < ELEMENTSOF(address_channels); i++) {
		if (!slot[i].channel)
			continue;
		if (!p.addresses)
			p.addresses = xcalloc(ELEMENTSOF(address_channels), sizeof(*p.addresses));
		p.addresses[p.n_addresses++] = slot[i];
	}
	if (r < 0)
		person_release(&p);
	else
		*ret = p;
	return r;
}

int
store_person_get(struct store *s, int64_t id, struct person *ret)
{
	struct store_stmt *st = stmt(s, ST_PERSON_GET);

	db_bind_int64(st, 1, id);
	return one_person(s, st, ret);
}

/* Adds the address of row st (ST_ADDRESS_ALL) to p. */
static void
add_address_row(struct store_stmt *st, struct person *p)
{
	struct address *a;

	if (!p->addresses)
		p->addresses = xcalloc(ELEMENTSOF(address_channels), sizeof(*a));
	/* The table's CHECK allows no more channels than address_channels. */
	if (p->n_addresses == ELEMENTSOF(address_channels))
		return;
	a = &p->addresses[p->n_addresses++];
	a->channel = column_dup(st, 1);
	a->value = column_dup(st, 2);
	a->broken_at = db_column_int64(st, 3);
	a->last_in = db_column_int64(st, 4);
}

int
store_person_foreach(struct store *s, store_person_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_PERSON_LIST), *at = stmt(s, ST_ADDRESS_ALL);
	int rc, rca, r = 0;

	/* Both in id order: each person's addresses are the next rows of at. */
	rca = db_step(at);
	while ((rc = db_step(st)) == DB_ROW) {
		struct person p;

		read_person(st, &p);
		while (rca == DB_ROW && db_column_int64(at, 0) < p.id)
			rca = db_step(at);
		while (rca == DB_ROW && db_column_int64(at, 0) == p.id) {
			add_address_row(at, &p);
			rca = db_step(at);
		}
		r = cb(&p, userdata);
		person_release(&p);
		if (r < 0)
			break;
	}
	if (r >= 0 && rc != DB_DONE)
		r = db_errno(s);
	else if (r >= 0 && rca != DB_ROW && rca != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	db_reset(at);
	return r < 0 ? r : 0;
}

/* --- documents -------------------------------------------------------- */

int
store_document_ensure(struct store *s, const char *number, const char *kind,
		      const char *date, const char *title, int64_t *ret_id)
{
	char *key = norm_key(number);
	struct store_stmt *st;
	int r;

	if (!key)
		return -EINVAL;
	st = stmt(s, ST_DOCUMENT_BY_KEY);
	bind_text(st, 1, key);
	r = int64_query(s, st, ret_id);
	if (r != -ENOENT)
		goto out;
	st = stmt(s, ST_DOCUMENT_INSERT);
	bind_text(st, 1, number);
	bind_text(st, 2, key);
	bind_text(st, 3, kind ? kind : "");
	bind_text(st, 4, date);
	bind_text(st, 5, title ? title : "");
	r = exec_done(s, st);
	if (r == 0)
		*ret_id = s->be->last_id(s->db);
out:
	free(key);
	return r;
}

int
store_document_find(struct store *s, const char *number, int64_t *ret_id)
{
	char *key = norm_key(number);
	struct store_stmt *st;
	int r;

	if (!key)
		return -ENOENT;
	st = stmt(s, ST_DOCUMENT_BY_KEY);
	bind_text(st, 1, key);
	r = int64_query(s, st, ret_id);
	free(key);
	return r;
}

/* --- tasks ------------------------------------------------------------ */

/* True with *ret when column i holds a day (YYYY-MM-DD); false when NULL or not. */
static bool
column_date(struct store_stmt *st, int i, struct date *ret)
{
	const char *v = db_column_text(st, i);

	return v && date_parse_iso(v, ret) == 0;
}

/* Binds a day, or NULL when !has. */
static void
bind_date(struct store_stmt *st, int i, bool has, struct date d)
{
	char iso[DATE_ISO_LEN];

	if (!has) {
		db_bind_null(st, i);
		return;
	}
	date_format_iso(d, iso);
	db_bind_text(st, i, iso, true);
}

/*
 * Fills t from a row of TASK_COLUMNS; leads are left empty.  borrow: its
 * texts are the row's own (valid until the statement steps; t is not
 * released) and its document is left out.
 */
static void
read_task_as(struct store_stmt *st, struct task *t, bool borrow)
{
	const char *due = db_column_text(st, 6);
	enum task_kind kind = task_kind_from_string(db_column_text(st, 2));
	enum task_status status = task_status_from_string(db_column_text(st, 8));
	enum deadline_precision p =
		deadline_precision_from_string(db_column_text(st, 7));

	memset(t, 0, sizeof(*t));
	t->id = db_column_int64(st, 0);
	t->kind = kind < 0 ? TASK_KIND_TASK : kind;
	if (borrow) {
		/* A pass over 10,000 tasks: no copy of each text made and freed. */
		t->code = (char *)(const unsigned char *)db_column_text(st, 1);
		t->title = (char *)(const unsigned char *)db_column_text(st, 3);
		t->deadline_raw = (char *)(const unsigned char *)db_column_text(st, 5);
		if (!t->deadline_raw)
			t->deadline_raw = (char *)"";
		t->note = (char *)(const unsigned char *)db_column_text(st, 14);
	} else {
		t->code = column_dup(st, 1);
		t->title = column_dup(st, 3);
		t->document = column_dup(st, 4);
		t->deadline_raw = column_dup(st, 5);
		if (!t->deadline_raw)
			t->deadline_raw = xstrdup("");
		t->note = column_dup(st, 14);
	}
	t->deadline.precision = p < 0 ? DEADLINE_UNKNOWN : p;
	t->deadline.has_due = due && date_parse_iso(due, &t->deadline.due) == 0;
	t->status = status < 0 ? TASK_NOT_STARTED : status;
	t->progress = db_column_int(st, 9);
	t->obstacle_open = db_column_int(st, 10) != 0;
	t->done_at = db_column_int64(st, 11);
	t->created_at = db_column_int64(st, 12);
	t->updated_at = db_column_int64(st, 13);
	t->has_done_due = column_date(st, 15, &t->done_due);
	(void)deadline_every_parse(db_column_text(st, 16), &t->deadline);
	t->has_first_notice = column_date(st, 17, &t->first_notice);
}

static void
read_task(struct store_stmt *st, struct task *t)
{
	read_task_as(st, t, false);
}

/* Adds an agency row (name, role) of ST_LEADS_* to t. */
static void
task_add_agency(struct task *t, struct store_stmt *st)
{
	const char *name = db_column_text(st, 1);
	const char *role = db_column_text(st, 2);

	if (role && strcmp(role, "lead") == 0) {
		t->leads = xgrowarray(t->leads, t->n_leads, sizeof(char *));
		t->lead_ids = xgrowarray(t->lead_ids, t->n_leads, sizeof(int64_t));
		t->lead_ids[t->n_leads] = db_column_int64(st, 3);
		t->leads[t->n_leads++] = xstrdup(name);
	} else {
		t->coops = xgrowarray(t->coops, t->n_coops, sizeof(char *));
		t->coop_ids = xgrowarray(t->coop_ids, t->n_coops, sizeof(int64_t));
		t->coop_ids[t->n_coops] = db_column_int64(st, 3);
		t->coops[t->n_coops++] = xstrdup(name);
	}
}

/* Empties t's agencies. */
static void
task_drop_agencies(struct task *t)
{
	for (size_t i = 0; i < t->n_leads; i++)
		free(t->leads[i]);
	for (size_t i = 0; i < t->n_coops; i++)
		free(t->coops[i]);
	free(t->leads);
	free(t->lead_ids);
	free(t->coops);
	free(t->coop_ids);
	t->leads = t->coops = NULL;
	t->lead_ids = t->coop_ids = NULL;
	t->n_leads = t->n_coops = 0;
}

/* load_leads for a task of many agencies: SQLite sorts them. */
static int
load_leads_sorted(struct store *s, struct task *t)
{
	struct store_stmt *st = stmt(s, ST_LEADS_OF_TASK_SORTED);
	int rc;

	task_drop_agencies(t);
	db_bind_int64(st, 1, t->id);
	while ((rc = db_step(st)) == DB_ROW)
		task_add_agency(t, st);
	db_reset(st);
	return rc == DB_DONE ? 0 : db_errno(s);
}

/*
 * Moves the last of the n agencies (names, ids, positions pos) back to
 * its place in position order; the ones before it are in order already.
 */
static void
agency_sift(char **names, int64_t *ids, int64_t *pos, size_t n)
{
	for (size_t i = n - 1; i > 0 && pos[i - 1] > pos[i]; i--) {
		char *name = names[i];
		int64_t id = ids[i], p = pos[i];

		names[i] = names[i - 1];
		ids[i] = ids[i - 1];
		pos[i] = pos[i - 1];
		names[i - 1] = name;
		ids[i - 1] = id;
		pos[i - 1] = p;
	}
}

/*
 * Loads the lead and cooperating agencies of t->id into t, each role in
 * the order of its positions (the rows come in the key's order).
 */
static int
load_leads(struct store *s, struct task *t)
{
	struct store_stmt *st = stmt(s, ST_LEADS_OF_TASK);
	int64_t lead_pos[16], coop_pos[16];
	size_t n_leads;
	int rc;

	db_bind_int64(st, 1, t->id);
	while ((rc = db_step(st)) == DB_ROW) {
		n_leads = t->n_leads;
		task_add_agency(t, st);
		/* Past 16 of a role (no task has so many): the old way, a sorted query. */
		if (t->n_leads > ELEMENTSOF(lead_pos) || t->n_coops > ELEMENTSOF(coop_pos))
			break;
		if (t->n_leads > n_leads) {
			lead_pos[t->n_leads - 1] = db_column_int64(st, 4);
			agency_sift(t->leads, t->lead_ids, lead_pos, t->n_leads);
		} else {
			coop_pos[t->n_coops - 1] = db_column_int64(st, 4);
			agency_sift(t->coops, t->coop_ids, coop_pos, t->n_coops);
		}
	}
	db_reset(st);
	if (rc == DB_ROW)
		return load_leads_sorted(s, t);
	return rc == DB_DONE ? 0 : db_errno(s);
}

/*
 * Keeps what store_task_update compares with: t as the registry has it
 * now, in the write transaction open (outside one, nothing: a read there
 * is never compared with).
 */
static void
keep_read(struct store *s, const struct task *t)
{
	task_plan_key_release(&s->last_read.plan);
	s->last_read.id = 0;
	if (!s->in_txn)
		return;
	s->last_read.id = t->id;
	s->last_read.txn = s->txn;
	s->last_read.status = t->status;
	s->last_read.done_at = t->done_at;
	s->last_read.has_done_due = t->has_done_due;
	s->last_read.done_due = t->done_due;
	task_plan_key_of(t, &s->last_read.plan);
}

/* Runs a one-row task query; the statement is already bound. */
static int
task_query(struct store *s, struct store_stmt *st, struct task *ret)
{
	struct task t;
	int rc, r;

	rc = db_step(st);
	if (rc != DB_ROW) {
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
		db_reset(st);
		return r;
	}
	read_task(st, &t);
	db_reset(st);
	keep_read(s, &t);
	r = load_leads(s, &t);
	if (r < 0) {
		task_release(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int
store_task_find(struct store *s, int64_t document_id, const char *title_key, struct task *ret)
{
	struct store_stmt *st = stmt(s, ST_TASK_BY_IDENTITY);

	db_bind_int64(st, 1, document_id);
	db_bind_int64(st, 2, hash_sha256_int64(store_digest(s), title_key, strlen(title_key)));
	return task_query(s, st, ret);
}

int
store_task_get(struct store *s, int64_t id, struct task *ret)
{
	struct store_stmt *st = stmt(s, ST_TASK_BY_ID);

	db_bind_int64(st, 1, id);
	return task_query(s, st, ret);
}

int
store_task_code_taken(struct store *s, const char *code)
{
	struct store_stmt *st = stmt(s, ST_TASK_BY_CODE);
	int rc;

	bind_text(st, 1, code);
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : db_errno(s);
}

/* Binds the deadline of t as (raw, due, precision) at columns i..i+2. */
static void
bind_deadline(struct store_stmt *st, int i, const struct task *t)
{
	char due[DATE_ISO_LEN];

	bind_text(st, i, t->deadline_raw ? t->deadline_raw : "");
	if (t->deadline.has_due) {
		date_format_iso(t->deadline.due, due);
		bind_text(st, i + 1, due);
	} else {
		db_bind_null(st, i + 1);
	}
	bind_text(st, i + 2, deadline_precision_to_string(t->deadline.precision));
}

int
store_task_insert(struct store *s, const struct task *t, int64_t document_id,
		  const char *title_key, int64_t now, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_TASK_INSERT);
	char every[24];
	int r;

	bind_text(st, 1, t->code);
	bind_text(st, 2, task_kind_to_string(t->kind));
	bind_text(st, 3, t->title);
	bind_text(st, 4, title_key);
	bind_id(st, 5, document_id);
	bind_deadline(st, 6, t);
	bind_text(st, 9, task_status_to_string(t->status));
	db_bind_int64(st, 10, t->progress);
	bind_id(st, 11, t->done_at);
	db_bind_int64(st, 12, now);
	db_bind_int64(st, 13, hash_sha256_int64(store_digest(s), title_key, strlen(title_key)));
	bind_date(st, 14, t->has_done_due, t->done_due);
	bind_text(st, 15, deadline_every_format(&t->deadline, every));
	r = exec_done(s, st);
	if (r == 0 && ret_id)
		*ret_id = s->be->last_id(s->db);
	return r;
}

static int task_update(struct store *s, struct store_stmt *st, const struct task *t, int64_t now);

/*
 * Reads task id as the registry has it into s->last_read (keep_read),
 * in the write transaction open: -ENOENT when there is none.
 */
static int
task_read_again(struct store *s, int64_t id)
{
	struct store_stmt *st = stmt(s, ST_TASK_BY_ID);
	struct task t;
	int rc;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc != DB_ROW) {
		int r = rc == DB_DONE ? -ENOENT : db_errno(s);

		db_reset(st);
		return r;
	}
	read_task_as(st, &t, true);
	keep_read(s, &t);
	db_reset(st);
	return 0;
}

/*
 * Saves t over what the registry has: compared with it as read in this
 * transaction (or read again), the plan is dropped for the planner when
 * task_plan_same says it changed, and else its columns are not written,
 * nor the status's when it stays, so that the indexes that read them
 * (task_to_plan, task_undated) are not rewritten.
 */
static int
task_save(struct store *s, const struct task *t, int64_t now)
{
	const struct task_read *was = &s->last_read;
	enum stmt id;
	int r = 0;

	if (was->id != t->id || !was->txn || was->txn != s->txn)
		r = task_read_again(s, t->id);
	if (r < 0)
		return r;
	if (!task_plan_same(&was->plan, t))
		id = ST_TASK_UPDATE;
	else if (was->status == t->status && was->done_at == t->done_at &&
		 was->has_done_due == t->has_done_due &&
		 (!t->has_done_due || date_cmp(was->done_due, t->done_due) == 0))
		id = ST_TASK_UPDATE_SAME_STATUS;
	else
		id = ST_TASK_UPDATE_SAME_PLAN;
	r = task_update(s, stmt(s, id), t, now);
	if (r == 0 && db_changes(s) == 0)
		r = -ENOENT;
	if (r == 0)
		keep_read(s, t);
	else
		s->last_read.id = 0;
	return r;
}

int
store_task_update(struct store *s, const struct task *t, int64_t now)
{
	int r;

	/* What is compared must stay as read until it is saved over: a transaction of its own. */
	if (s->in_txn)
		return task_save(s, t, now);
	r = store_begin(s);
	if (r == 0)
		r = task_save(s, t, now);
	if (r == 0)
		r = store_commit(s);
	if (r < 0 && s->in_txn)
		store_rollback(s);
	return r;
}

/* Binds t to st (one of ST_TASK_UPDATE*) and steps it: 0 or -errno. */
static int
task_update(struct store *s, struct store_stmt *st, const struct task *t, int64_t now)
{
	char every[24];

	db_bind_int64(st, 1, t->id);
	bind_text(st, 2, task_kind_to_string(t->kind));
	bind_deadline(st, 3, t);
	bind_text(st, 6, task_status_to_string(t->status));
	db_bind_int64(st, 7, t->progress);
	bind_id(st, 8, t->done_at);
	db_bind_int64(st, 9, now);
	db_bind_int64(st, 10, t->obstacle_open);
	bind_text(st, 11, t->note && *t->note ? t->note : NULL);
	bind_date(st, 12, t->has_done_due, t->done_due);
	bind_text(st, 13, deadline_every_format(&t->deadline, every));
	return exec_done(s, st);
}

int
store_task_set_agencies(struct store *s, int64_t task_id, bool lead, bool replace,
			const int64_t *ids, size_t n)
{
	const char *role = lead ? "lead" : "coop";
	struct store_stmt *st;
	int r = 0;

	if (replace) {
		st = stmt(s, ST_LEADS_DELETE);
		db_bind_int64(st, 1, task_id);
		bind_text(st, 2, role);
		r = exec_done(s, st);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		st = stmt(s, ST_LEAD_INSERT);
		db_bind_int64(st, 1, task_id);
		db_bind_int64(st, 2, ids[i]);
		bind_text(st, 3, role);
		db_bind_int64(st, 4, (int64_t)i);
		r = exec_done(s, st);
	}
	return r;
}

/*
 * Walks tasks and lead rows side by side, both ordered by task id, so a
 * listing of every task costs two sequential scans and no per-task query.
 */
int
store_task_foreach(struct store *s, const struct task_filter *f, store_task_cb cb,
		   void *userdata)
{
	struct store_stmt *st = NULL, *leads = NULL;
	int rc, lrc, r = 0;
	bool by_agency = f && f->agency_id > 0;

	if (f && f->plan_day) {
		st = stmt(s, ST_TASK_TO_PLAN);
		leads = stmt(s, ST_LEADS_TO_PLAN);
		bind_text(st, 1, f->plan_day);
		bind_text(leads, 1, f->plan_day);
	} else {
		st = stmt(s, by_agency ? ST_TASK_BY_AGENCY : ST_TASK_ALL);
		leads = stmt(s, by_agency ? ST_LEADS_BY_AGENCY : ST_LEADS_ALL);
		if (by_agency) {
			db_bind_int64(st, 1, f->agency_id);
			db_bind_int64(leads, 1, f->agency_id);
		}
	}
	lrc = db_step(leads);
	while ((rc = db_step(st)) == DB_ROW) {
		struct task t;

		read_task(st, &t);
		while (lrc == DB_ROW && db_column_int64(leads, 0) < t.id)
			lrc = db_step(leads);
		while (lrc == DB_ROW && db_column_int64(leads, 0) == t.id) {
			task_add_agency(&t, leads);
			lrc = db_step(leads);
		}
		if (!f || f->status < 0 || (int)t.status == f->status)
			r = cb(&t, userdata);
		task_release(&t);
		if (r < 0)
			break;
	}
	if ((rc != DB_ROW && rc != DB_DONE) ||
	    (lrc != DB_ROW && lrc != DB_DONE))
		r = db_errno(s);
	db_reset(st);
	db_reset(leads);
	return r < 0 ? r : 0;
}

/* --- the event log ---------------------------------------------------- */

/*
 * The chain (schema 7).  Each event's hash is a MAC over a tag, the hash
 * of the event before it, and every column of the row as typed values:
 * 'N' for NULL, 'I' and 8 bytes big-endian for an integer, 'T' (or 'B'
 * for a blob, 'R' for a real) and an 8-byte length for the bytes as
 * stored, NULs included.  So NULL, 0 and '' differ, and nothing after a
 * NUL byte escapes.  The MAC is SHA-256, or HMAC-SHA-256 under the audit
 * key for the events from the head's key_from on.  The head (count, last
 * id, its hash, its time, key_from) is sealed the same way, so cutting
 * events off the end means forging the seal too.
 */
#define EVENT_TAG "dondoc-event-v2"
#define HEAD_TAG "dondoc-head-v2"

/* One typed value to hash. */
struct hval {
	int type;		/* DB_NULL, _INTEGER, _TEXT, _BLOB, _FLOAT */
	int64_t i;
	double d;
	const void *p;
	size_t n;
};

static struct hval
hv_null(void)
{
	return (struct hval){ .type = DB_NULL };
}

static struct hval
hv_int(int64_t v)
{
	return (struct hval){ .type = DB_INTEGER, .i = v };
}

/* A text, or NULL when t is NULL. */
static struct hval
hv_text(const char *t)
{
	return t ? (struct hval){ .type = DB_TEXT, .p = t, .n = strlen(t) } : hv_null();
}

/* An id as store_event_append binds it: 0 is NULL. */
static struct hval
hv_id(int64_t v)
{
	return v ? hv_int(v) : hv_null();
}

/* Column i of st exactly as stored: type, and the bytes with their length. */
static struct hval
hv_column(struct store_stmt *st, int i)
{
	struct hval v = { .type = db_column_type(st, i) };

	switch (v.type) {
	case DB_INTEGER:
		v.i = db_column_int64(st, i);
		break;
	case DB_FLOAT:
		v.d = st->be->column_double(st, i);
		break;
	case DB_TEXT:
	case DB_BLOB:
		/* The blob interface gives text's bytes as stored, past any NUL. */
		v.p = st->be->column_blob(st, i);
		v.n = (size_t)st->be->column_bytes(st, i);
		break;
	default:
		break;
	}
	return v;
}

static void
put_be64(unsigned char *b, uint64_t v)
{
	for (int k = 7; k >= 0; k--, v >>= 8)
		b[k] = (unsigned char)(v & 0xff);
}

/*
 * The bytes of a MAC gathered before they are hashed: one update per
 * event rather than two per value (each libcrypto call costs more than
 * the few bytes it hashes).  The same bytes in the same order, so the
 * same hash.
 */
struct hbuf {
	struct hash *h;
	size_t n;
	unsigned char b[1024];
};

static void
hb_flush(struct hbuf *hb)
{
	if (hb->n)
		hash_add(hb->h, hb->b, hb->n);
	hb->n = 0;
}

static void
hb_add(struct hbuf *hb, const void *data, size_t n)
{
	if (n > sizeof(hb->b) - hb->n) {
		hb_flush(hb);
		if (n > sizeof(hb->b)) {
			hash_add(hb->h, data, n);
			return;
		}
	}
	memcpy(hb->b + hb->n, data, n);
	hb->n += n;
}

static void
hash_val(struct hbuf *h, const struct hval *v)
{
	unsigned char b[9];
	uint64_t bits;

	switch (v->type) {
	case DB_INTEGER:
		b[0] = 'I';
		put_be64(b + 1, (uint64_t)v->i);
		hb_add(h, b, 9);
		break;
	case DB_FLOAT:
		b[0] = 'R';
		memcpy(&bits, &v->d, sizeof(bits));
		put_be64(b + 1, bits);
		hb_add(h, b, 9);
		break;
	case DB_TEXT:
	case DB_BLOB:
		b[0] = v->type == DB_TEXT ? 'T' : 'B';
		put_be64(b + 1, (uint64_t)v->n);
		hb_add(h, b, 9);
		if (v->n)
			hb_add(h, v->p, v->n);
		break;
	default:
		hb_add(h, "N", 1);
		break;
	}
}

/* The MAC for keyed parts of the chain; NULL when no key was given. */
static struct hash *
keyed(struct store *s)
{
	if (!s->key)
		return NULL;
	if (!s->mac)
		s->mac = hash_new_hmac(s->key, s->key_len);
	return s->mac;
}

/* The columns of an event, in chain order: id .. data (EV_DATA). */
enum { EV_ID, EV_TASK, EV_AT, EV_ACTOR, EV_PERSON, EV_CHANNEL, EV_KIND, EV_OLD, EV_NEW,
       EV_TEXT, EV_DATA, EV_PREV, EV_HASH, _EV_N = EV_PREV };

/* The chained hash of the typed values v[0.._EV_N) after prev (hex), with h. */
static void
event_mac(struct hash *h, const struct hval *v, const char *prev, char out[HASH_SHA256_HEX_LEN])
{
	struct hval tag = hv_text(EVENT_TAG), p = hv_text(prev);
	struct hbuf hb = { .h = h };

	hash_val(&hb, &tag);
	hash_val(&hb, &p);
	for (int i = 0; i < _EV_N; i++)
		hash_val(&hb, &v[i]);
	hb_flush(&hb);
	hash_final_hex(h, out);
}

void
store_event_row_hash(struct store *s, struct store_stmt *st, const char *prev,
		     char out[HASH_SHA256_HEX_LEN], int64_t *ret_id, int64_t *ret_at)
{
	struct hval v[_EV_N];

	for (int i = 0; i < _EV_N; i++)
		v[i] = hv_column(st, i);
	event_mac(store_digest(s), v, prev, out);
	*ret_id = v[EV_ID].i;
	*ret_at = v[EV_AT].i;
}

/* The seal of head h with mac (the key's, or SHA-256). */
static void
head_mac(struct hash *mac, const struct head *h, char out[HASH_SHA256_HEX_LEN])
{
	struct hval v[] = { hv_text(HEAD_TAG), hv_int(h->count), hv_int(h->last_id),
			    hv_text(h->hash), hv_int(h->at), hv_id(h->key_from) };

	struct hbuf hb = { .h = mac };

	for (size_t i = 0; i < ELEMENTSOF(v); i++)
		hash_val(&hb, &v[i]);
	hb_flush(&hb);
	hash_final_hex(mac, out);
}

/* Reads event_head into *ret (and its seal into mac, when not NULL). */
static int
head_read(struct store *s, struct head *ret, char mac[HASH_SHA256_HEX_LEN])
{
	struct store_stmt *st = stmt(s, ST_HEAD_GET);
	int rc = db_step(st), r = 0;

	if (rc == DB_ROW) {
		const char *h = db_column_text(st, 1), *m;

		memset(ret, 0, sizeof(*ret));
		ret->count = db_column_int64(st, 0);
		snprintf(ret->hash, sizeof(ret->hash), "%s", h ? h : "");
		ret->last_id = db_column_int64(st, 2);
		ret->at = db_column_int64(st, 3);
		ret->key_from = db_column_int64(st, 4);
		m = db_column_text(st, 5);
		if (mac)
			snprintf(mac, HASH_SHA256_HEX_LEN, "%s", m ? m : "");
	} else {
		r = rc == DB_DONE ? -EBADMSG : db_errno(s);
	}
	db_reset(st);
	return r;
}

int
store_head_write(struct store *s, const struct head *h)
{
	struct store_stmt *st;
	char mac[HASH_SHA256_HEX_LEN];

	if (h->key_from && !keyed(s)) {
		store_set_why(s, "the history is keyed from event %lld: this needs [audit] key_file",
			(long long)h->key_from);
		return -ENOKEY;
	}
	head_mac(h->key_from ? keyed(s) : store_digest(s), h, mac);
	st = stmt(s, ST_HEAD_UPDATE);
	db_bind_int64(st, 1, h->count);
	bind_text(st, 2, h->hash);
	db_bind_int64(st, 3, h->last_id);
	db_bind_int64(st, 4, h->at);
	bind_id(st, 5, h->key_from);
	bind_text(st, 6, mac);
	return exec_sent(s, st);
}

/* The head, cached for the rest of a transaction. */
static int
head_get(struct store *s, struct head *ret)
{
	int r;

	if (s->in_txn && s->head_valid) {
		*ret = s->head;
		return 0;
	}
	r = head_read(s, ret, NULL);
	if (r == 0 && s->in_txn) {
		s->head = *ret;
		s->head_valid = true;
	}
	return r;
}

/* When task_id was created; -ENOENT when there is no such task (any more). */
static int
task_created_at(struct store *s, int64_t task_id, int64_t *ret)
{
	size_t k = (uint64_t)task_id % ELEMENTSOF(s->created);
	struct store_stmt *st;
	int r;

	/* Asked for every event of a task (2.9% of a status command): remembered. */
	if (s->created[k].task_id == task_id) {
		*ret = s->created[k].at;
		return 0;
	}
	st = stmt(s, ST_TASK_CREATED_AT);
	db_bind_int64(st, 1, task_id);
	r = int64_query(s, st, ret);
	if (r == 0) {
		s->created[k].task_id = task_id;
		s->created[k].at = *ret;
	}
	return r;
}


int
store_event_append(struct store *s, const struct event *e)
{
	char h[HASH_SHA256_HEX_LEN], when[32], then[32];
	struct head head;
	struct hash *mac;
	struct store_stmt *st;
	int64_t id, created = 0;
	int r;

	store_set_why(s, NULL);
	r = head_get(s, &head);
	if (r < 0)
		return r;
	/* The history runs forward: a clock set back cannot write into its past. */
	if (head.count > 0 && e->at < head.at - STORE_CLOCK_TOLERANCE) {
		clock_format_local((time_t)e->at, when);
		clock_format_local((time_t)head.at, then);
		store_set_why(s, "the clock reads %s, %lld s before the last event of the history (%s): "
			"check the system clock or DONDOC_NOW; nothing was changed", when,
			(long long)(head.at - e->at), then);
		return -ERANGE;
	}
	if (e->task_id && strcmp(e->kind, "created") != 0) {
		r = task_created_at(s, e->task_id, &created);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == 0 && e->at < created) {
			clock_format_local((time_t)e->at, when);
			clock_format_local((time_t)created, then);
			store_set_why(s, "the clock reads %s, before task %lld was created (%s): check the "
				"system clock or DONDOC_NOW; nothing was changed", when,
				(long long)e->task_id, then);
			return -ERANGE;
		}
	}
	id = head.last_id + 1;
	if (s->keying)
		head.key_from = id;
	mac = head.key_from && id >= head.key_from ? keyed(s) : store_digest(s);
	if (!mac) {
		store_set_why(s, "the history is keyed from event %lld: this needs [audit] key_file",
			(long long)head.key_from);
		return -ENOKEY;
	}
	{
		struct hval v[_EV_N] = {
			[EV_ID] = hv_int(id), [EV_TASK] = hv_id(e->task_id), [EV_AT] = hv_int(e->at),
			[EV_ACTOR] = hv_text(e->actor), [EV_PERSON] = hv_id(e->person_id),
			[EV_CHANNEL] = hv_text(e->channel), [EV_KIND] = hv_text(e->kind),
			[EV_OLD] = hv_text(e->old_value), [EV_NEW] = hv_text(e->new_value),
			[EV_TEXT] = hv_text(e->text), [EV_DATA] = hv_text(e->data),
		};

		event_mac(mac, v, head.hash, h);
	}
	st = stmt(s, ST_EVENT_INSERT);
	db_bind_int64(st, 1, id);
	bind_id(st, 2, e->task_id);
	db_bind_int64(st, 3, e->at);
	bind_static(st, 4, e->actor);
	bind_id(st, 5, e->person_id);
	bind_static(st, 6, e->channel);
	bind_static(st, 7, e->kind);
	bind_static(st, 8, e->old_value);
	bind_static(st, 9, e->new_value);
	bind_static(st, 10, e->text);
	bind_static(st, 11, e->data);
	bind_static(st, 12, head.hash);
	bind_static(st, 13, h);
	r = exec_sent(s, st);
	if (r < 0)
		return r;
	head.count++;
	head.last_id = id;
	head.at = e->at;
	memcpy(head.hash, h, sizeof(head.hash));
	s->keying = false;
	if (s->in_txn) {
		/* Inside a transaction the head moves once, at commit. */
		s->head = head;
		s->head_valid = true;
		s->head_dirty = true;
		return 0;
	}
	return store_head_write(s, &head);
}

static void
read_event(struct store_stmt *st, struct event *e)
{
	e->id = db_column_int64(st, 0);
	e->task_id = db_column_int64(st, 1);
	e->at = db_column_int64(st, 2);
	e->actor = db_column_text(st, 3);
	e->person_id = db_column_int64(st, 4);
	e->channel = db_column_text(st, 5);
	e->kind = db_column_text(st, 6);
	e->old_value = db_column_text(st, 7);
	e->new_value = db_column_text(st, 8);
	e->text = db_column_text(st, 9);
	e->hash = db_column_text(st, 11);
	e->data = st->be->column_count(st) > 12 ? db_column_text(st, 12) : NULL;
	/* A NUL inside a text would hide what follows it from every reader. */
	e->hidden_bytes = (e->text && (size_t)st->be->column_bytes(st, 9) != strlen(e->text)) ||
			  (e->new_value && (size_t)st->be->column_bytes(st, 8) != strlen(e->new_value)) ||
			  (e->old_value && (size_t)st->be->column_bytes(st, 7) != strlen(e->old_value));
}

static int
event_row(struct store_stmt *st, void *ctx)
{
	const struct row_cb *c = ctx;
	struct event e;

	read_event(st, &e);
	return c->cb.event(&e, c->userdata);
}

int
store_event_foreach(struct store *s, int64_t task_id, store_event_cb cb, void *userdata)
{
	struct row_cb c = { .cb.event = cb, .userdata = userdata };
	struct store_stmt *st = stmt(s, task_id ? ST_EVENT_OF_TASK : ST_EVENT_ALL);

	if (task_id)
		db_bind_int64(st, 1, task_id);
	return each_row(s, st, event_row, &c);
}

/* The key's public name: the first 16 hex digits of its MAC of a fixed text. */
static void
key_id(struct store *s, char out[STORE_KEY_ID_LEN])
{
	char h[HASH_SHA256_HEX_LEN];

	hash_add(keyed(s), "dondoc audit key id", 19);
	hash_final_hex(s->mac, h);
	memcpy(out, h, STORE_KEY_ID_LEN - 1);
	out[STORE_KEY_ID_LEN - 1] = '\0';
}

/* The kind and new_value of event id, into kind and value (truncated). */
static int
event_kind_of(struct store *s, int64_t id, char kind[32], char value[STORE_KEY_ID_LEN])
{
	struct store_stmt *st = stmt(s, ST_EVENT_KIND_OF);
	int rc, r = -ENOENT;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *k = db_column_text(st, 0);
		const char *v = db_column_text(st, 1);

		snprintf(kind, 32, "%s", k ? k : "");
		snprintf(value, STORE_KEY_ID_LEN, "%s", v ? v : "");
		r = 0;
	} else if (rc != DB_DONE) {
		r = db_errno(s);
	}
	db_reset(st);
	return r;
}

int
store_chain_check(struct store *s, struct store_chain *ret)
{
	struct store_chain c = { .state = CHAIN_INTACT };
	char prev[HASH_SHA256_HEX_LEN] = ZERO_HASH, h[HASH_SHA256_HEX_LEN];
	char mac[HASH_SHA256_HEX_LEN], want[HASH_SHA256_HEX_LEN], kind[32];
	char key_value[STORE_KEY_ID_LEN];
	struct head head;
	struct store_stmt *st;
	int64_t last_at = 0;
	int rc = DB_DONE, r;

	r = head_read(s, &head, mac);
	if (r < 0)
		return r;
	c.key_from = head.key_from;
	c.keyed = s->key != NULL;
	if (c.keyed)
		key_id(s, c.key_id);
	if (head.key_from) {
		/* Which key sealed it: a wrong key would look like a changed history. */
		r = event_kind_of(s, head.key_from, kind, key_value);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == -ENOENT || strcmp(kind, "audit.key") != 0) {
			c.state = CHAIN_BROKEN;
			c.bad_id = head.key_from;
			goto done;
		}
		snprintf(c.chain_key_id, sizeof(c.chain_key_id), "%s", key_value);
		if (!c.keyed) {
			c.state = CHAIN_NO_KEY;
		} else if (strcmp(key_value, c.key_id) != 0) {
			c.state = CHAIN_WRONG_KEY;
			goto done;
		}
	}
	st = stmt(s, ST_EVENT_RAW);
	while ((rc = db_step(st)) == DB_ROW) {
		struct hval v[_EV_N], stored_prev = hv_column(st, EV_PREV), stored = hv_column(st, EV_HASH);
		struct hash *m;

		for (int i = 0; i < _EV_N; i++)
			v[i] = hv_column(st, i);
		if (v[EV_ID].type != DB_INTEGER || v[EV_ID].i <= c.last_id) {
			c.state = CHAIN_BROKEN;
			c.bad_id = c.last_id + 1;
			break;
		}
		m = head.key_from && v[EV_ID].i >= head.key_from ? keyed(s) : store_digest(s);
		if (!m)
			break;	/* CHAIN_NO_KEY: checked as far as the key is not needed */
		event_mac(m, v, prev, h);
		if (stored_prev.type != DB_TEXT || stored_prev.n != 64 ||
		    memcmp(stored_prev.p, prev, 64) != 0 || stored.type != DB_TEXT ||
		    stored.n != 64 || memcmp(stored.p, h, 64) != 0) {
			c.state = CHAIN_BROKEN;
			c.bad_id = v[EV_ID].i;
			break;
		}
		memcpy(prev, h, sizeof(prev));
		c.count++;
		c.last_id = v[EV_ID].i;
		last_at = v[EV_AT].i;
	}
	if (rc != DB_ROW && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	if (r < 0)
		return r;
	if (c.state != CHAIN_INTACT)
		goto done;
	/* The head must name the last event, under its seal: else the end was cut off. */
	head_mac(head.key_from ? keyed(s) : store_digest(s), &head, want);
	if (head.count != c.count || head.last_id != c.last_id || strcmp(head.hash, prev) != 0 ||
	    head.at != last_at || strcmp(mac, want) != 0) {
		c.state = CHAIN_HEAD;
		c.bad_id = c.last_id + 1;
		goto done;
	}
	if (c.keyed && !head.key_from && c.count > 0)
		c.state = CHAIN_NOT_KEYED;
	c.at = last_at;
	memcpy(c.hash, prev, sizeof(c.hash));
done:
	*ret = c;
	return 0;
}

int
store_event_verify(struct store *s, int64_t *ret_count, int64_t *reterr_id)
{
	struct store_chain c;
	int r = store_chain_check(s, &c);

	if (r < 0)
		return r;
	if (c.state == CHAIN_BROKEN || c.state == CHAIN_HEAD) {
		if (reterr_id)
			*reterr_id = c.bad_id;
		return -EBADMSG;
	}
	if (c.state == CHAIN_NO_KEY || c.state == CHAIN_WRONG_KEY)
		return -ENOKEY;
	if (ret_count)
		*ret_count = c.count;
	return 0;
}

int
store_event_last_at(struct store *s, int64_t *ret)
{
	struct head h;
	/* The head cached inside a transaction (the webhook's writer asks per command). */
	int r = head_get(s, &h);

	if (r == 0)
		*ret = h.count ? h.at : 0;
	return r;
}

int
store_event_last_of_kind(struct store *s, int64_t task_id, const char *kind, int64_t *ret)
{
	struct store_stmt *st = stmt(s, ST_EVENT_LAST_OF_KIND);

	db_bind_int64(st, 1, task_id);
	bind_text(st, 2, kind);
	return int64_query(s, st, ret);
}

int
store_event_find_hash(struct store *s, const char *hash, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_EVENT_BY_HASH);

	bind_text(st, 1, hash);
	return int64_query(s, st, ret_id);
}

int
store_set_audit_key(struct store *s, const void *key, size_t n)
{
	if (key && n == 0)
		return -EINVAL;
	if (s->key)
		explicit_bzero(s->key, s->key_len);
	free(s->key);
	s->key = NULL;
	s->key_len = 0;
	/* The HMAC context holds the old key's pads: made again for the new one. */
	s->mac = hash_free(s->mac);
	if (!key)
		return 0;
	s->key = xmalloc(n);
	memcpy(s->key, key, n);
	s->key_len = n;
	return 0;
}

void
store_copy_audit_key(struct store *dst, const struct store *src)
{
	/* src's key is never empty: no -EINVAL here. */
	if (dst != src)
		(void)store_set_audit_key(dst, src->key, src->key_len);
}

int
store_audit_key_apply(struct store *s, const char *actor, int64_t now)
{
	char id[STORE_KEY_ID_LEN], kind[32], value[STORE_KEY_ID_LEN];
	struct head head;
	struct event e = { .at = now, .actor = actor, .channel = "cli", .kind = "audit.key",
			   .text = "the history is keyed ([audit] key_file) from this event on" };
	int r;

	if (!s->key)
		return 0;
	key_id(s, id);
	r = head_read(s, &head, NULL);
	if (r < 0)
		return r;
	if (head.key_from) {
		r = event_kind_of(s, head.key_from, kind, value);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == 0 && strcmp(value, id) == 0)
			return 0;
		store_set_why(s, "the history is keyed with key %s, and [audit] key_file holds key %s",
			r == 0 ? value : "(unknown)", id);
		return -EKEYREJECTED;
	}
	r = store_begin(s);
	if (r < 0)
		return r;
	e.new_value = id;
	s->keying = true;
	r = store_event_append(s, &e);
	if (r == 0)
		r = store_commit(s);
	if (r < 0) {
		store_rollback(s);
		return r;
	}
	return 1;
}

/* --- the digest's period (digest.h) --------------------------------------- */

int
store_happened_foreach(struct store *s, int64_t from, int64_t to, int64_t agency_id,
		       store_happened_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_HAPPENED);
	struct store_happened h;
	int rc, r = 0;

	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, to);
	db_bind_int64(st, 4, agency_id);
	while ((rc = db_step(st)) == DB_ROW) {
		h = (struct store_happened){
			.kind = (enum store_happening)db_column_int(st, 0),
			.id = db_column_int64(st, 1),
			.task_id = db_column_int64(st, 2),
			.at = db_column_int64(st, 3),
			.who = db_column_text(st, 4),
			.before = db_column_text(st, 5),
			.after = db_column_text(st, 6),
			.text = db_column_text(st, 7),
		};
		r = cb(&h, userdata);
		if (r < 0)
			break;
	}
	if (r == 0 && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : 0;
}

int
store_document_foreach(struct store *s, store_document_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_DOCUMENT_LIST);
	int rc, r = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		r = cb(db_column_text(st, 0),
		       db_column_text(st, 1), userdata);
		if (r < 0)
			break;
	}
	if (r == 0 && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : 0;
}

/* --- planning --------------------------------------------------------- */

/* Binds ST_TASK_SET_NEXT, run by exec_done, or by exec_sent when sent. */
static int
task_set_plan(struct store *s, int64_t task_id, struct date next, struct date through, bool sent)
{
	struct store_stmt *st = stmt(s, ST_TASK_SET_NEXT);
	char a[DATE_ISO_LEN], b[DATE_ISO_LEN];

	date_format_iso(next, a);
	date_format_iso(through, b);
	db_bind_int64(st, 1, task_id);
	bind_text(st, 2, a);
	bind_text(st, 3, b);
	return sent ? exec_sent(s, st) : exec_done(s, st);
}

int
store_task_set_plan(struct store *s, int64_t task_id, struct date next, struct date through)
{
	return task_set_plan(s, task_id, next, through, false);
}

/* Sent on without waiting (exec_sent), the backend working on one while the next is bound. */
int
store_task_set_plan_many(struct store *s, const struct task_plan *v, size_t n, struct date through)
{
	char t[DATE_ISO_LEN], next[BATCH_ROWS][DATE_ISO_LEN];
	size_t i = 0;
	int r;

	date_format_iso(through, t);
	for (; i + BATCH_ROWS <= n; i += BATCH_ROWS) {
		struct store_stmt *st = s->be->batch(s->db, BATCH_TASK_SET_PLAN);

		db_bind_text(st, 1, t, false);
		for (int row = 0; row < BATCH_ROWS; row++) {
			date_format_iso(v[i + row].next, next[row]);
			db_bind_int64(st, 2 + 2 * row, v[i + row].id);
			db_bind_text(st, 3 + 2 * row, next[row], false);
		}
		r = exec_sent(s, st);
		if (r < 0)
			return r;
	}
	for (; i < n; i++) {
		r = task_set_plan(s, v[i].id, v[i].next, through, true);
		if (r < 0)
			return r;
	}
	return sent_wait(s, NULL);
}

int
store_plan_foreach(struct store *s, const char *day, store_plan_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_PLAN_TASKS), *leads = stmt(s, ST_PLAN_LEADS);
	struct plan_task t;
	int64_t *ids = NULL;
	size_t cap = 0;
	int rc, lrc, r = 0;

	bind_text(st, 1, day);
	bind_text(leads, 1, day);
	lrc = db_step(leads);
	while ((rc = db_step(st)) == DB_ROW) {
		enum deadline_precision p =
			deadline_precision_from_string(db_column_text(st, 1));
		enum task_status status = task_status_from_string(db_column_text(st, 3));

		memset(&t, 0, sizeof(t));
		t.id = db_column_int64(st, 0);
		t.deadline.precision = p < 0 ? DEADLINE_UNKNOWN : p;
		t.deadline.has_due = column_date(st, 2, &t.deadline.due);
		t.status = status < 0 ? TASK_NOT_STARTED : status;
		t.has_next = column_date(st, 4, &t.next);
		t.has_through = column_date(st, 5, &t.through);
		t.kind = task_kind_from_string(db_column_text(st, 6));
		if ((int)t.kind < 0)
			t.kind = TASK_KIND_TASK;
		(void)deadline_every_parse(db_column_text(st, 7), &t.deadline);
		t.has_first_notice = column_date(st, 8, &t.first_notice);
		t.created_at = db_column_int64(st, 9);
		while (lrc == DB_ROW && db_column_int64(leads, 0) < t.id)
			lrc = db_step(leads);
		while (lrc == DB_ROW && db_column_int64(leads, 0) == t.id) {
			ids = xgrowroom(ids, &cap, t.n_leads + 1, sizeof(*ids));
			ids[t.n_leads++] = db_column_int64(leads, 1);
			lrc = db_step(leads);
		}
		t.lead_ids = ids;
		r = cb(&t, userdata);
		if (r < 0)
			break;
	}
	if ((rc != DB_ROW && rc != DB_DONE) || (lrc != DB_ROW && lrc != DB_DONE))
		r = db_errno(s);
	db_reset(st);
	db_reset(leads);
	free(ids);
	return r < 0 ? r : 0;
}

int
store_task_replan_all(struct store *s)
{
	return exec_done(s, stmt(s, ST_TASK_REPLAN_ALL));
}

/* --- notices ---------------------------------------------------------- */

int
store_notice_insert(struct store *s, const struct notice *n, int64_t now, bool *ret_inserted)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_INSERT);
	char anchor[DATE_ISO_LEN], day[DATE_ISO_LEN];
	int r;

	date_format_iso(n->anchor, anchor);
	date_format_iso(n->day, day);
	bind_id(st, 1, n->task_id);
	db_bind_int64(st, 2, n->person_id);
	bind_text(st, 3, notice_stage_to_string(n->stage));
	db_bind_int64(st, 4, n->step);
	bind_text(st, 5, anchor);
	bind_text(st, 6, day);
	bind_text(st, 7, n->channel);
	db_bind_int64(st, 8, now);
	r = exec_done(s, st);
	if (r == 0 && ret_inserted)
		*ret_inserted = db_changes(s) > 0;
	return r;
}

/* Binds notice n as row row of a notice batch. */
static void
bind_notice_row(struct store_stmt *st, int row, const struct notice *n,
		char anchor[DATE_ISO_LEN], char day[DATE_ISO_LEN])
{
	int p = 2 + row * 7;

	date_format_iso(n->anchor, anchor);
	date_format_iso(n->day, day);
	bind_id(st, p, n->task_id);
	db_bind_int64(st, p + 1, n->person_id);
	db_bind_text(st, p + 2, notice_stage_to_string(n->stage), false);
	db_bind_int64(st, p + 3, n->step);
	db_bind_text(st, p + 4, anchor, false);
	db_bind_text(st, p + 5, day, false);
	db_bind_text(st, p + 6, n->channel, false);
}

/* Marks in inserted[] the notice of v[0..n) that a RETURNING row names. */
static void
mark_inserted(struct store_stmt *st, const struct notice *v, size_t n, bool *inserted)
{
	int64_t task = db_column_int64(st, 0), person = db_column_int64(st, 1);
	enum notice_stage stage = notice_stage_from_string(db_column_text(st, 2));
	int step = db_column_int(st, 3);
	struct date anchor;

	if (date_parse_iso(db_column_text(st, 4), &anchor) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!inserted[i] && v[i].task_id == task && v[i].person_id == person &&
		    v[i].stage == stage && v[i].step == step && date_cmp(v[i].anchor, anchor) == 0) {
			inserted[i] = true;
			return;
		}
}

int64_t
store_notice_insert_many(struct store *s, const struct notice *v, size_t n, int64_t now,
			 bool *ret_inserted)
{
	char anchor[BATCH_ROWS][DATE_ISO_LEN], day[BATCH_ROWS][DATE_ISO_LEN];
	int64_t added = 0;
	size_t i = 0;
	int r, rc;

	if (ret_inserted)
		memset(ret_inserted, 0, n * sizeof(*ret_inserted));
	/* What was sent before is not counted here. */
	r = sent_wait(s, NULL);
	if (r < 0)
		return r;
	for (; i + BATCH_ROWS <= n; i += BATCH_ROWS) {
		enum batch b = ret_inserted ? BATCH_NOTICE_INSERT_RETURNING : BATCH_NOTICE_INSERT;
		struct store_stmt *st = s->be->batch(s->db, b);

		db_bind_int64(st, 1, now);
		for (int row = 0; row < BATCH_ROWS; row++)
			bind_notice_row(st, row, &v[i + row], anchor[row], day[row]);
		/* Nobody asks which went in: sent on, counted at the end (sent_wait). */
		if (!ret_inserted) {
			r = exec_sent(s, st);
			if (r < 0)
				return r;
			continue;
		}
		while ((rc = db_step(st)) == DB_ROW) {
			added++;
			mark_inserted(st, &v[i], BATCH_ROWS, &ret_inserted[i]);
		}
		if (rc != DB_DONE) {
			r = db_errno(s);
			db_reset(st);
			return r < 0 ? r : -EIO;
		}
		db_reset(st);
	}
	if (!ret_inserted) {
		int64_t sent;

		r = sent_wait(s, &sent);
		if (r < 0)
			return r;
		added += sent;
	}
	/* The rest, one by one. */
	for (; i < n; i++) {
		bool one = false;

		r = store_notice_insert(s, &v[i], now, &one);
		if (r < 0)
			return r;
		added += one;
		if (ret_inserted)
			ret_inserted[i] = one;
	}
	return added;
}

static void
read_notice(struct store_stmt *st, struct notice *n)
{
	enum notice_stage stage = notice_stage_from_string(db_column_text(st, 3));
	enum notice_state state = notice_state_from_string(db_column_text(st, 8));

	memset(n, 0, sizeof(*n));
	n->id = db_column_int64(st, 0);
	n->task_id = db_column_int64(st, 1);
	n->person_id = db_column_int64(st, 2);
	n->stage = stage < 0 ? STAGE_BEFORE : stage;
	n->step = db_column_int(st, 4);
	(void)date_parse_iso(db_column_text(st, 5), &n->anchor);
	(void)date_parse_iso(db_column_text(st, 6), &n->day);
	snprintf(n->channel, sizeof(n->channel), "%s", db_column_text(st, 7));
	n->state = state < 0 ? NOTICE_QUEUED : state;
	n->message_id = db_column_int64(st, 9);
}

static int
notice_row(struct store_stmt *st, void *ctx)
{
	const struct row_cb *c = ctx;
	struct notice n;

	read_notice(st, &n);
	return c->cb.notice(&n, c->userdata);
}

int
store_notice_foreach_task(struct store *s, int64_t task_id, store_notice_cb cb, void *userdata)
{
	struct row_cb c = { .cb.notice = cb, .userdata = userdata };
	struct store_stmt *st = stmt(s, ST_NOTICE_OF_TASK);

	db_bind_int64(st, 1, task_id);
	return each_row(s, st, notice_row, &c);
}

int
store_notice_foreach_unsent(struct store *s, store_notice_cb cb, void *userdata)
{
	struct row_cb c = { .cb.notice = cb, .userdata = userdata };

	return each_row(s, stmt(s, ST_NOTICE_UNSENT), notice_row, &c);
}

int
store_notice_foreach_message(struct store *s, int64_t message_id, store_notice_cb cb, void *userdata)
{
	struct row_cb c = { .cb.notice = cb, .userdata = userdata };
	struct store_stmt *st = stmt(s, ST_NOTICE_OF_MESSAGE);

	db_bind_int64(st, 1, message_id);
	return each_row(s, st, notice_row, &c);
}

int
store_notice_cancel_task(struct store *s, int64_t task_id, int64_t now, int *ret_n)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_CANCEL_TASK);
	int r, n;

	db_bind_int64(st, 1, task_id);
	db_bind_int64(st, 2, now);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	n = db_changes(s);
	/* A message not sent yet that now has nothing left to say goes too. */
	st = stmt(s, ST_MESSAGE_CANCEL_EMPTY);
	db_bind_int64(st, 1, task_id);
	bind_text(st, 2, "every task in it was done before it went out");
	r = exec_done(s, st);
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

int
store_notice_set_state(struct store *s, int64_t id, enum notice_state state, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_SET_STATE);

	db_bind_int64(st, 1, id);
	bind_text(st, 2, notice_state_to_string(state));
	db_bind_int64(st, 3, now);
	return exec_done(s, st);
}

int
store_notice_attach(struct store *s, int64_t id, int64_t message_id, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_ATTACH);

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, message_id);
	db_bind_int64(st, 3, now);
	return exec_done(s, st);
}

/* --- messages --------------------------------------------------------- */

int
store_message_insert(struct store *s, const struct message *m, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_INSERT);
	char day[DATE_ISO_LEN];
	int r;

	date_format_iso(m->day, day);
	/* No person: an address of [digest] to (schema 10). */
	bind_id(st, 1, m->person_id);
	bind_static(st, 2, m->channel);
	bind_static(st, 3, message_kind_to_string(m->kind));
	bind_static(st, 4, m->subject);
	bind_static(st, 5, m->body);
	db_bind_int64(st, 6, m->next_at);
	db_bind_int64(st, 7, m->created_at);
	bind_static(st, 8, day);
	bind_static(st, 9, m->html);
	bind_static(st, 10, m->chat);
	bind_id(st, 11, m->reply_to);
	bind_static(st, 12, m->person_id ? NULL : m->address);
	bind_id(st, 13, m->digest_id);
	/* Its id unasked, it is sent on with what follows (exec_sent). */
	if (!ret_id)
		return exec_sent(s, st);
	r = exec_done(s, st);
	if (r == 0)
		*ret_id = s->be->last_id(s->db);
	return r;
}

static void
read_message(struct store_stmt *st, struct message *m)
{
	enum message_kind kind = message_kind_from_string(db_column_text(st, 3));
	enum message_state state = message_state_from_string(db_column_text(st, 6));

	memset(m, 0, sizeof(*m));
	m->id = db_column_int64(st, 0);
	m->person_id = db_column_int64(st, 1);
	snprintf(m->channel, sizeof(m->channel), "%s", db_column_text(st, 2));
	m->kind = kind < 0 ? MESSAGE_REMINDER : kind;
	m->subject = column_dup(st, 4);
	m->body = column_dup(st, 5);
	m->state = state < 0 ? MESSAGE_PENDING : state;
	m->attempts = db_column_int(st, 7);
	m->next_at = db_column_int64(st, 8);
	m->created_at = db_column_int64(st, 9);
	m->sent_at = db_column_int64(st, 10);
	m->last_error = column_dup(st, 11);
	(void)date_parse_iso(db_column_text(st, 12), &m->day);
	m->html = column_dup(st, 13);
	m->chat = column_dup(st, 14);
	m->reply_to = db_column_int64(st, 15);
	m->address = column_dup(st, 16);
	m->digest_id = db_column_int64(st, 17);
}

int
store_message_get(struct store *s, int64_t id, struct message *ret)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_GET);
	int rc, r = 0;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		read_message(st, ret);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

/* Orders claims by next_at, then id: the oldest due first. */
static int
claim_cmp(const void *a, const void *b)
{
	const struct message *x = a, *y = b;

	if (x->next_at != y->next_at)
		return x->next_at < y->next_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

int
store_message_claim_due(struct store *s, int64_t now, const char *owner, int64_t lease_until,
			struct message *ret, int max, int *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_CLAIM_DUE);
	int rc, n = 0;

	db_bind_int64(st, 1, now);
	bind_text(st, 2, owner);
	db_bind_int64(st, 3, lease_until);
	db_bind_int64(st, 4, max);
	while ((rc = db_step(st)) == DB_ROW)
		if (n < max)
			read_message(st, &ret[n++]);
	db_reset(st);
	if (rc != DB_DONE) {
		for (int i = 0; i < n; i++)
			message_release(&ret[i]);
		return db_errno(s);
	}
	/* RETURNING gives the rows in no promised order. */
	qsort(ret, (size_t)n, sizeof(*ret), claim_cmp);
	*ret_n = n;
	return 0;
}

int
store_message_claim(struct store *s, int64_t id, const char *owner, int64_t lease_until)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_CLAIM);
	int r;

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, lease_until);
	bind_text(st, 3, owner);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	return db_changes(s) > 0 ? 1 : 0;
}

/* Records the day message id went out as the first notice of its tasks that had none. */
static int
first_notice_set(struct store *s, int64_t id, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_FIRST_NOTICE_SET);

	db_bind_int64(st, 1, id);
	bind_date(st, 2, true, clock_local_date((time_t)now));
	return exec_sent(s, st);
}

/*
 * The feed tokens taken out of the texts of message id (feedlink_redact),
 * once it was sent or given up: the registry keeps only their hashes
 * (feed.h), and a backup of it no live link.  A dead one retried
 * (store_message_retry) then says "…" where the link was: asking /lich
 * again gives another.  SQLite's secure_delete (on in Debian's build)
 * zeroes the old text in the file.
 *
 * message_feed_texts reads them, redacted, into t[0..4) (subject, body,
 * html, chat; free each): 1, or 0 when the message carries no link;
 * message_texts_set writes them back.
 */
static int
message_feed_texts(struct store *s, int64_t id, char *t[4])
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_FEED_TEXTS);
	int rc, r = 0;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		for (int i = 0; i < 4; i++)
			t[i] = feedlink_redact(db_column_text(st, i));
		r = 1;
	} else if (rc != DB_DONE) {
		r = db_errno(s);
	}
	db_reset(st);
	return r;
}

static int
message_texts_set(struct store *s, int64_t id, char *const t[4])
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_TEXTS_SET);

	db_bind_int64(st, 1, id);
	for (int i = 0; i < 4; i++)
		bind_text(st, 2 + i, t[i]);
	return exec_done(s, st);
}

int
store_message_finish(struct store *s, int64_t id, const char *owner, enum message_state state,
		     int64_t next_at, int64_t now, const char *error)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_FINISH);
	enum notice_state ns = state == MESSAGE_SENT ? NOTICE_SENT
			     : state == MESSAGE_DEAD ? NOTICE_DEAD : NOTICE_QUEUED;
	char *t[4] = { NULL };
	int64_t changed = 0;
	int texts, r;

	/*
	 * What was sent before is counted apart; then the message's end is
	 * sent, and the read of its texts (message_feed_texts, sent or dead)
	 * waits for both, one round trip on a backend that pipelines.
	 */
	r = sent_wait(s, NULL);
	if (r < 0)
		return r;
	db_bind_int64(st, 1, id);
	bind_text(st, 2, message_state_to_string(state));
	db_bind_int64(st, 3, next_at);
	bind_id(st, 4, state == MESSAGE_SENT ? now : 0);
	bind_text(st, 5, error);
	db_bind_int64(st, 6, now);
	bind_text(st, 7, owner);
	r = exec_sent(s, st);
	texts = ns == NOTICE_QUEUED ? 0 : message_feed_texts(s, id, t);
	if (r == 0)
		r = sent_wait(s, &changed);
	if (r == 0 && texts < 0)
		r = texts;
	if (r == 0 && changed == 0)
		r = -ESTALE;	/* not there, or another's claim now */
	if (r == 0 && texts > 0)
		r = message_texts_set(s, id, t);
	for (int i = 0; i < 4; i++)
		free(t[i]);
	if (r < 0 || ns == NOTICE_QUEUED)
		return r;
	/* The rest is sent on: its failure is told by the commit. */
	st = stmt(s, ST_NOTICE_BY_MESSAGE);
	db_bind_int64(st, 1, id);
	bind_text(st, 2, notice_state_to_string(ns));
	db_bind_int64(st, 3, now);
	r = exec_sent(s, st);
	if (r < 0 || ns != NOTICE_SENT)
		return r;
	return first_notice_set(s, id, now);
}

int
store_message_unclaim(struct store *s, int64_t id, const char *owner, int64_t next_at)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_UNCLAIM);

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, next_at);
	bind_text(st, 3, owner);
	return exec_done(s, st);
}

int
store_message_recover(struct store *s, int64_t now, int *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_RECOVER);
	int r;

	db_bind_int64(st, 1, now);
	r = exec_done(s, st);
	if (r == 0 && ret_n)
		*ret_n = db_changes(s);
	return r;
}

int
store_message_recover_owner(struct store *s, const char *owner, int64_t now, int *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_RECOVER_OWNER);
	int r;

	db_bind_int64(st, 1, now);
	bind_text(st, 2, owner);
	r = exec_done(s, st);
	if (r == 0 && ret_n)
		*ret_n = db_changes(s);
	return r;
}

int
store_message_claimants(struct store *s, char ***ret, size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_CLAIMANTS);
	char **v = NULL;
	size_t n = 0;
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		v = xgrowarray(v, n, sizeof(*v));
		v[n++] = xstrdup(db_column_text(st, 0));
	}
	db_reset(st);
	if (rc != DB_DONE) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return db_errno(s);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* --- leases ------------------------------------------------------------------ */

int
store_lease_get(struct store *s, const char *name, char **ret_owner, int64_t *ret_term,
		int64_t *ret_until)
{
	struct store_stmt *st = stmt(s, ST_LEASE_GET);
	int rc;

	bind_text(st, 1, name);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_owner = xstrdup(db_column_text(st, 0));
		*ret_term = db_column_int64(st, 1);
		*ret_until = db_column_int64(st, 2);
	}
	db_reset(st);
	return rc == DB_ROW ? 0 : rc == DB_DONE ? -ENOENT : db_errno(s);
}

int
store_lease_elect(struct store *s, const char *name, const char *owner, int64_t now,
		  int64_t until, int64_t *ret_term)
{
	struct store_stmt *st = stmt(s, ST_LEASE_ELECT);
	int64_t term = 0;
	int rc;

	bind_text(st, 1, name);
	bind_text(st, 2, owner);
	db_bind_int64(st, 3, until);
	rc = db_step(st);
	if (rc == DB_ROW)
		term = db_column_int64(st, 0);
	if (rc == DB_ROW)
		rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE)
		return db_errno(s);
	if (!term)
		return 0;	/* somebody holds it */
	st = stmt(s, ST_LEASE_TERM_ADD);
	bind_text(st, 1, name);
	db_bind_int64(st, 2, term);
	bind_text(st, 3, owner);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, until);
	rc = exec_done(s, st);
	if (rc < 0)
		return rc;
	*ret_term = term;
	return 1;
}

int
store_lease_renew(struct store *s, const char *name, const char *owner, int64_t term,
		  int64_t until)
{
	struct store_stmt *st = stmt(s, ST_LEASE_RENEW);
	int r;

	bind_text(st, 1, name);
	bind_text(st, 2, owner);
	db_bind_int64(st, 3, term);
	db_bind_int64(st, 4, until);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	if (db_changes(s) == 0)
		return 0;
	st = stmt(s, ST_LEASE_TERM_RENEW);
	bind_text(st, 1, name);
	db_bind_int64(st, 2, term);
	db_bind_int64(st, 3, until);
	r = exec_done(s, st);
	return r < 0 ? r : 1;
}

int
store_lease_end(struct store *s, const char *name, int64_t term, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_LEASE_END);
	int r;

	bind_text(st, 1, name);
	db_bind_int64(st, 2, term);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	st = stmt(s, ST_LEASE_TERM_END);
	bind_text(st, 1, name);
	db_bind_int64(st, 2, term);
	db_bind_int64(st, 3, now);
	return exec_done(s, st);
}

int
store_lease_terms(struct store *s, store_lease_term_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_LEASE_TERMS);
	int rc = DB_DONE, r = 0;

	while (r == 0 && (rc = db_step(st)) == DB_ROW) {
		struct lease_term t = { .name = db_column_text(st, 0),
					.term = db_column_int64(st, 1),
					.owner = db_column_text(st, 2),
					.started_at = db_column_int64(st, 3),
					.until = db_column_int64(st, 4),
					.ended_at = db_column_int64(st, 5),
					.held = db_column_int(st, 6) != 0 };

		r = cb(&t, userdata);
	}
	db_reset(st);
	if (r != 0)
		return r;
	return rc == DB_DONE ? 0 : db_errno(s);
}

static int
message_row(struct store_stmt *st, void *ctx)
{
	const struct row_cb *c = ctx;
	struct message m;
	int r;

	read_message(st, &m);
	r = c->cb.message(&m, c->userdata);
	message_release(&m);
	return r;
}

int
store_message_foreach(struct store *s, int state, store_message_cb cb, void *userdata)
{
	struct row_cb c = { .cb.message = cb, .userdata = userdata };
	struct store_stmt *st = stmt(s, state >= 0 ? ST_MESSAGE_LIST_STATE : ST_MESSAGE_LIST);

	if (state >= 0)
		bind_text(st, 1, message_state_to_string(state));
	return each_row(s, st, message_row, &c);
}

int
store_message_retry(struct store *s, int64_t id, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_RETRY);
	int r;

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	if (db_changes(s) == 0)
		return -ENOENT;
	st = stmt(s, ST_NOTICE_BY_MESSAGE);
	db_bind_int64(st, 1, id);
	bind_text(st, 2, "queued");
	db_bind_int64(st, 3, now);
	return exec_done(s, st);
}

struct role_list {
	enum person_role role;
	struct person *v;
	size_t n;
};

static int
collect_role(const struct person *p, void *userdata)
{
	struct role_list *l = userdata;
	struct person *c;

	if (p->role != l->role || !p->active)
		return 0;
	l->v = xgrowarray(l->v, l->n, sizeof(*l->v));
	c = &l->v[l->n++];
	person_copy(c, p);
	return 0;
}

int
store_person_list_role(struct store *s, enum person_role role, struct person **ret, size_t *ret_n)
{
	struct role_list l = { .role = role };
	int r = store_person_foreach(s, collect_role, &l);

	if (r < 0) {
		for (size_t i = 0; i < l.n; i++)
			person_release(&l.v[i]);
		free(l.v);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

/* Runs a one-row, one-integer query already bound; the count or -errno. */
static int64_t
count_query(struct store *s, struct store_stmt *st)
{
	int rc = db_step(st);
	int64_t n = rc == DB_ROW ? db_column_int64(st, 0) : -1;

	db_reset(st);
	return rc == DB_ROW ? n : db_errno(s);
}

int64_t
store_task_count_to_plan(struct store *s, const char *day)
{
	struct store_stmt *st = stmt(s, ST_TASK_COUNT_TO_PLAN);

	bind_text(st, 1, day);
	return count_query(s, st);
}

int64_t
store_task_count_undated(struct store *s)
{
	return count_query(s, stmt(s, ST_TASK_COUNT_UNDATED));
}

int64_t
store_notice_count_list(struct store *s, enum notice_stage stage, struct date anchor)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_LIST_EXISTS);
	char iso[DATE_ISO_LEN];

	date_format_iso(anchor, iso);
	bind_text(st, 1, notice_stage_to_string(stage));
	bind_text(st, 2, iso);
	return count_query(s, st);
}

int
store_meta_get(struct store *s, const char *key, char **ret)
{
	struct store_stmt *st = stmt(s, ST_META_GET);
	int rc, r = 0;

	bind_text(st, 1, key);
	rc = db_step(st);
	if (rc == DB_ROW)
		*ret = column_dup(st, 0);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_meta_set(struct store *s, const char *key, const char *value)
{
	struct store_stmt *st = stmt(s, ST_META_SET);

	bind_text(st, 1, key);
	bind_text(st, 2, value);
	return exec_done(s, st);
}


int
store_notice_move(struct store *s, int64_t from_message, int64_t to_message, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_NOTICE_MOVE);

	db_bind_int64(st, 1, from_message);
	db_bind_int64(st, 2, to_message);
	db_bind_int64(st, 3, now);
	return exec_done(s, st);
}

/* --- chat: linking, extension requests, updates ----------------------- */

int
store_link_code_add(struct store *s, const char *hash, int64_t person_id, int64_t now,
		    int64_t expires_at)
{
	struct store_stmt *st = stmt(s, ST_LINK_CODE_INSERT);

	bind_text(st, 1, hash);
	db_bind_int64(st, 2, person_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, expires_at);
	return exec_done(s, st);
}

int
store_link_code_take(struct store *s, const char *hash, int64_t now, int64_t *ret_person)
{
	struct store_stmt *st = stmt(s, ST_LINK_CODE_GET);
	int64_t person = 0, expires = 0, used = 0;
	int rc, r;

	bind_text(st, 1, hash);
	rc = db_step(st);
	if (rc == DB_ROW) {
		person = db_column_int64(st, 0);
		expires = db_column_int64(st, 1);
		used = db_column_int64(st, 2);
	}
	r = rc == DB_ROW ? 0 : rc == DB_DONE ? -ENOENT :
		db_errno(s);
	db_reset(st);
	if (r < 0)
		return r;
	if (used)
		return -EALREADY;
	if (now >= expires)
		return -ETIME;
	st = stmt(s, ST_LINK_CODE_USE);
	bind_text(st, 1, hash);
	db_bind_int64(st, 2, now);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -EALREADY;
	if (r == 0)
		*ret_person = person;
	return r;
}

int
store_extension_add(struct store *s, const struct extension *e, int64_t now, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_EXTENSION_INSERT);
	char due[DATE_ISO_LEN];
	int r;

	date_format_iso(e->due, due);
	db_bind_int64(st, 1, e->task_id);
	db_bind_int64(st, 2, e->person_id);
	bind_text(st, 3, due);
	bind_text(st, 4, e->reason ? e->reason : "");
	db_bind_int64(st, 5, now);
	bind_text(st, 6, e->raw);
	bind_text(st, 7, deadline_precision_to_string(e->precision));
	r = exec_done(s, st);
	if (r == 0 && ret_id)
		*ret_id = s->be->last_id(s->db);
	return r;
}

/* The request of the current row of st (EXTENSION_COLUMNS) into *ret. */
static void
extension_row(struct store_stmt *st, struct extension *ret)
{
	enum extension_state state;
	enum deadline_precision precision;

	memset(ret, 0, sizeof(*ret));
	ret->id = db_column_int64(st, 0);
	ret->task_id = db_column_int64(st, 1);
	ret->person_id = db_column_int64(st, 2);
	(void)date_parse_iso(db_column_text(st, 3), &ret->due);
	ret->reason = column_dup(st, 4);
	state = extension_state_from_string(db_column_text(st, 5));
	ret->state = state < 0 ? EXTENSION_PENDING : state;
	ret->decided_by = db_column_int64(st, 6);
	ret->decided_at = db_column_int64(st, 7);
	ret->decision = column_dup(st, 8);
	ret->created_at = db_column_int64(st, 9);
	ret->raw = column_dup(st, 10);
	/* Requests made before schema 8 asked for a day. */
	precision = deadline_precision_from_string(db_column_text(st, 11));
	ret->precision = precision < 0 ? DEADLINE_DAY : precision;
}

/* The one request st selects: 0 with *ret, -ENOENT when none. */
static int
one_extension(struct store *s, struct store_stmt *st, struct extension *ret)
{
	int rc, r = 0;

	rc = db_step(st);
	if (rc == DB_ROW)
		extension_row(st, ret);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_extension_get(struct store *s, int64_t id, struct extension *ret)
{
	struct store_stmt *st = stmt(s, ST_EXTENSION_GET);

	db_bind_int64(st, 1, id);
	return one_extension(s, st, ret);
}

int
store_extension_pending(struct store *s, int64_t task_id, struct extension *ret)
{
	struct store_stmt *st = stmt(s, ST_EXTENSION_PENDING);

	db_bind_int64(st, 1, task_id);
	return one_extension(s, st, ret);
}

int
store_extension_foreach(struct store *s, bool pending_only,
			int (*cb)(const struct extension *e, void *userdata), void *userdata)
{
	struct store_stmt *st = stmt(s, ST_EXTENSION_LIST);
	struct extension e;
	int rc, r = 0;

	db_bind_int64(st, 1, pending_only ? 1 : 0);
	while ((rc = db_step(st)) == DB_ROW) {
		extension_row(st, &e);
		r = cb(&e, userdata);
		extension_release(&e);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r;
}

int
store_extension_decide(struct store *s, int64_t id, enum extension_state state,
		       int64_t decided_by, const char *decision, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_EXTENSION_DECIDE);
	int r;

	db_bind_int64(st, 1, id);
	bind_text(st, 2, extension_state_to_string(state));
	/* Superseded or moot by no one's decision, or by an operator: no person. */
	if (decided_by)
		db_bind_int64(st, 3, decided_by);
	else
		db_bind_null(st, 3);
	db_bind_int64(st, 4, now);
	bind_text(st, 5, decision && *decision ? decision : NULL);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -EALREADY;
	return r;
}

/*
 * An update handled is one again when it comes back within 26 hours
 * (Telegram keeps one 24 hours); its row is kept a week (Telegram may
 * number afresh after a quiet week).
 */
#define CHAT_UPDATE_SAME_S (26 * 3600)
#define CHAT_UPDATE_KEEP_S (7 * 86400)

int
store_chat_update_seen(struct store *s, const char *channel, int64_t update_id, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_CHAT_UPDATE_SEEN);
	int r;

	bind_text(st, 1, channel);
	db_bind_int64(st, 2, update_id);
	db_bind_int64(st, 3, now);
	db_bind_int64(st, 4, CHAT_UPDATE_SAME_S);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -EEXIST;
	/*
	 * Once an hour, forget what no duplicate can come of any more: a
	 * scan of the table, too dear for every update (no index on "at",
	 * which every update would pay for).
	 */
	if (r == 0 && (now < s->chat_pruned_at || now - s->chat_pruned_at >= 3600)) {
		st = stmt(s, ST_CHAT_UPDATE_PRUNE);
		db_bind_int64(st, 1, now - CHAT_UPDATE_KEEP_S);
		r = exec_done(s, st);
		if (r == 0)
			s->chat_pruned_at = now;
	}
	return r;
}

int
store_chat_sent_add(struct store *s, const char *channel, const char *chat_id,
		    const char *chat_message_id, int64_t message_id)
{
	struct store_stmt *st = stmt(s, ST_CHAT_SENT_INSERT);

	bind_text(st, 1, channel);
	bind_text(st, 2, chat_id);
	bind_text(st, 3, chat_message_id);
	db_bind_int64(st, 4, message_id);
	return exec_done(s, st);
}

int
store_chat_sent_get(struct store *s, const char *channel, const char *chat_id,
		    const char *chat_message_id, int64_t *ret_message_id)
{
	struct store_stmt *st = stmt(s, ST_CHAT_SENT_GET);

	bind_text(st, 1, channel);
	bind_text(st, 2, chat_id);
	bind_text(st, 3, chat_message_id);
	return int64_query(s, st, ret_message_id);
}

/* --- the chat's questions (chat_ask, schema 9) ------------------------------ */

int
store_chat_ask_add(struct store *s, int64_t message_id, int64_t person_id, int64_t task_id,
		   int64_t at)
{
	struct store_stmt *st = stmt(s, ST_CHAT_ASK_INSERT);

	if (message_id)
		db_bind_int64(st, 1, message_id);
	else
		db_bind_null(st, 1);
	db_bind_int64(st, 2, person_id);
	db_bind_int64(st, 3, task_id);
	db_bind_int64(st, 4, at);
	return exec_done(s, st);
}

int
store_chat_ask_get(struct store *s, int64_t message_id, int64_t person_id, int64_t *ret_task)
{
	struct store_stmt *st = stmt(s, ST_CHAT_ASK_GET);

	db_bind_int64(st, 1, message_id);
	db_bind_int64(st, 2, person_id);
	return int64_query(s, st, ret_task);
}

int
store_chat_ask_last(struct store *s, int64_t person_id, int64_t since, int64_t *ret_task)
{
	struct store_stmt *st = stmt(s, ST_CHAT_ASK_LAST);

	db_bind_int64(st, 1, person_id);
	db_bind_int64(st, 2, since);
	return int64_query(s, st, ret_task);
}

int
store_chat_ask_close(struct store *s, int64_t person_id)
{
	struct store_stmt *st = stmt(s, ST_CHAT_ASK_ANY_OPEN);
	int64_t one;
	int r;

	/*
	 * Every text of a linked sender closes their question, and almost
	 * always there is none: the UPDATE, which scans the index it changes,
	 * makes a temporary table each time (4.7% of a status command).
	 */
	db_bind_int64(st, 1, person_id);
	r = int64_query(s, st, &one);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	st = stmt(s, ST_CHAT_ASK_CLOSE);
	db_bind_int64(st, 1, person_id);
	return exec_done(s, st);
}

int
store_message_tasks(struct store *s, int64_t message_id, int64_t **ret, size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_TASKS);

	db_bind_int64(st, 1, message_id);
	return ids_query(s, st, ret, ret_n);
}

int
store_message_first_indicator(struct store *s, int64_t message_id, int64_t *ret)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_FIRST_INDICATOR);

	db_bind_int64(st, 1, message_id);
	return int64_query(s, st, ret);
}

/* --- metrics ---------------------------------------------------------- */

int
store_metrics(struct store *s, store_metric_cb cb, void *userdata, int64_t *ret_oldest_queued)
{
	struct store_stmt *st = stmt(s, ST_METRICS_NOTICES);
	int rc;

	while ((rc = db_step(st)) == DB_ROW)
		if (cb)
			cb("notice", NULL, db_column_text(st, 0), db_column_int64(st, 1), userdata);
	db_reset(st);
	if (rc != DB_DONE)
		return db_errno(s);
	st = stmt(s, ST_METRICS_MESSAGES);
	while ((rc = db_step(st)) == DB_ROW)
		if (cb)
			cb("message", db_column_text(st, 0), db_column_text(st, 1),
			   db_column_int64(st, 2), userdata);
	db_reset(st);
	if (rc != DB_DONE)
		return db_errno(s);
	st = stmt(s, ST_METRICS_OLDEST);
	rc = db_step(st);
	*ret_oldest_queued = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW ? 0 : db_errno(s);
}

/* --- obstacles (obstacle.h) ---------------------------------------------- */

int
store_obstacle_insert(struct store *s, const struct obstacle *o, int64_t *ret_id)
{
	struct store_stmt *st = stmt(s, ST_OBSTACLE_INSERT);
	int r;

	db_bind_int64(st, 1, o->task_id);
	bind_id(st, 2, o->person_id);
	bind_text(st, 3, o->actor ? o->actor : "");
	bind_text(st, 4, o->text ? o->text : "");
	db_bind_int64(st, 5, o->created_at);
	r = exec_done(s, st);
	if (r == 0 && ret_id)
		*ret_id = s->be->last_id(s->db);
	return r;
}

static void
read_obstacle(struct store_stmt *st, struct obstacle *o)
{
	enum obstacle_state state = obstacle_state_from_string(db_column_text(st, 5));

	memset(o, 0, sizeof(*o));
	o->id = db_column_int64(st, 0);
	o->task_id = db_column_int64(st, 1);
	o->person_id = db_column_int64(st, 2);
	o->actor = column_dup(st, 3);
	o->text = column_dup(st, 4);
	o->state = state < 0 ? OBSTACLE_OPEN : state;
	o->handled_by = db_column_int64(st, 6);
	o->handler = column_dup(st, 7);
	o->note = column_dup(st, 8);
	o->created_at = db_column_int64(st, 9);
	o->handled_at = db_column_int64(st, 10);
}

int
store_obstacle_get(struct store *s, int64_t id, struct obstacle *ret)
{
	struct store_stmt *st = stmt(s, ST_OBSTACLE_GET);
	int rc, r = 0;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		read_obstacle(st, ret);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_obstacle_handle(struct store *s, int64_t id, int64_t person_id, const char *handler,
		      const char *note, int64_t at)
{
	struct store_stmt *st = stmt(s, ST_OBSTACLE_HANDLE);
	int r;

	db_bind_int64(st, 1, id);
	bind_id(st, 2, person_id);
	bind_text(st, 3, handler ? handler : "");
	bind_text(st, 4, note);
	db_bind_int64(st, 5, at);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -EALREADY;
	return r;
}

int64_t
store_obstacle_count_open(struct store *s, int64_t task_id)
{
	struct store_stmt *st = stmt(s, ST_OBSTACLE_COUNT_OPEN);

	db_bind_int64(st, 1, task_id);
	return count_query(s, st);
}

struct obstacle_cb {
	store_obstacle_cb cb;
	void *userdata;
};

static int
obstacle_row(struct store_stmt *st, void *ctx)
{
	const struct obstacle_cb *c = ctx;
	struct obstacle o;
	int r;

	read_obstacle(st, &o);
	r = c->cb(&o, c->userdata);
	obstacle_release(&o);
	return r;
}

int
store_obstacle_foreach(struct store *s, bool open_only, store_obstacle_cb cb, void *userdata)
{
	struct obstacle_cb c = { cb, userdata };

	return each_row(s, stmt(s, open_only ? ST_OBSTACLE_LIST_OPEN : ST_OBSTACLE_LIST),
			obstacle_row, &c);
}

int
store_message_count_day_kind(struct store *s, int64_t person_id, struct date day,
			     enum message_kind kind, int *ret_n)
{
	struct store_stmt *st = stmt(s, ST_MESSAGE_COUNT_DAY_KIND);
	char iso[DATE_ISO_LEN];
	int64_t n;

	/* Only these are in message_by_person_day: any other would be counted as none. */
	if (kind != MESSAGE_REMINDER && kind != MESSAGE_CATCHUP && kind != MESSAGE_DAILY)
		return -EINVAL;
	date_format_iso(day, iso);
	db_bind_int64(st, 1, person_id);
	bind_text(st, 2, iso);
	bind_text(st, 3, message_kind_to_string(kind));
	n = count_query(s, st);
	if (n < 0)
		return (int)n;
	*ret_n = (int)n;
	return 0;
}

int
store_agency_lead_count(struct store *s, int64_t agency_id, char **ret_code, char **ret_name,
			int64_t *ret_open)
{
	struct store_stmt *st = stmt(s, ST_AGENCY_LEAD_COUNT);
	int rc, r = 0;

	db_bind_int64(st, 1, agency_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*ret_code = column_dup(st, 0);
		*ret_name = column_dup(st, 1);
		*ret_open = db_column_int64(st, 2);
	} else {
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	}
	db_reset(st);
	return r;
}

/* --- period reports ----------------------------------------------------- */

int
store_period_report_add(struct store *s, const struct period_report *pr)
{
	struct store_stmt *st = stmt(s, ST_PERIOD_REPORT_INSERT);

	db_bind_int64(st, 1, pr->task_id);
	bind_date(st, 2, true, pr->period);
	db_bind_int64(st, 3, pr->reported_at);
	bind_id(st, 4, pr->person_id);
	return exec_done(s, st);
}

int
store_period_report_foreach(struct store *s, int64_t task_id, store_period_report_cb cb,
			    void *userdata)
{
	struct store_stmt *st = stmt(s, ST_PERIOD_REPORT_OF_TASK);
	int rc, r = 0;

	db_bind_int64(st, 1, task_id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct period_report pr = { .task_id = task_id };

		/* A period that is no day was written behind dondoc's back: skipped. */
		if (!column_date(st, 0, &pr.period))
			continue;
		pr.reported_at = db_column_int64(st, 1);
		pr.person_id = db_column_int64(st, 2);
		r = cb(&pr, userdata);
		if (r < 0)
			break;
	}
	if (r == 0 && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r;
}

/* --- what was really sent --------------------------------------------- */

struct sent_notice *
sent_notices_free(struct sent_notice *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].agency);
	}
	free(v);
	return NULL;
}

/* Appends the sent notices of one task to *v (length *n, room *cap). */
static int
sent_of_task(struct store *s, int64_t task_id, struct sent_notice **v, size_t *n, size_t *cap)
{
	struct store_stmt *st = stmt(s, ST_SENT_OF_TASK);
	int rc;

	db_bind_int64(st, 1, task_id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct sent_notice *e;
		enum person_role role =
			person_role_from_string(db_column_text(st, 6));

		*v = xgrowroom(*v, cap, *n + 1, sizeof(**v));
		e = &(*v)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->task_id = db_column_int64(st, 0);
		e->stage = notice_stage_from_string(db_column_text(st, 1));
		e->step = db_column_int(st, 2);
		e->day = clock_local_date((time_t)db_column_int64(st, 3));
		e->person_id = db_column_int64(st, 4);
		e->name = column_dup(st, 5);
		e->role = role < 0 ? ROLE_VIEWER : role;
		e->agency = column_dup(st, 7);
	}
	db_reset(st);
	return rc == DB_DONE ? 0 : db_errno(s);
}

int
store_sent_notices(struct store *s, const int64_t *task_ids, size_t n, struct sent_notice **ret,
		   size_t *ret_n)
{
	struct sent_notice *v = NULL;
	size_t nv = 0, cap = 0;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++)
		r = sent_of_task(s, task_ids[i], &v, &nv, &cap);
	if (r < 0) {
		sent_notices_free(v, nv);
		return r;
	}
	*ret = v;
	*ret_n = nv;
	return 0;
}

int64_t
store_agency_count_role(struct store *s, int64_t agency_id, enum person_role role)
{
	struct store_stmt *st = stmt(s, ST_AGENCY_COUNT_ROLE);
	int64_t n = 0;
	int r;

	db_bind_int64(st, 1, agency_id);
	bind_text(st, 2, person_role_to_string(role));
	r = int64_query(s, st, &n);
	return r < 0 ? r : n;
}

/* --- people and agencies corrected (issue 12) ---------------------------- */

/* Binds ?1.. of statement id to the ids it uses (of n), and steps it to the end; 0 or -errno. */
static int
exec_ids(struct store *s, enum stmt id, const int64_t *ids, int n)
{
	struct store_stmt *st = stmt(s, id);

	/* A statement may use fewer of the ids than a batch it belongs to. */
	for (int i = 0; i < n && i < st->be->param_count(st); i++)
		db_bind_int64(st, i + 1, ids[i]);
	return exec_done(s, st);
}

/* The count the one-row statement id gives with ?1 bound to v, or -errno. */
static int64_t
count_of(struct store *s, enum stmt id, int64_t v)
{
	struct store_stmt *st = stmt(s, id);
	int64_t n = 0;
	int r;

	db_bind_int64(st, 1, v);
	r = int64_query(s, st, &n);
	return r < 0 ? r : n;
}

int
store_person_update(struct store *s, const struct person *p)
{
	struct store_stmt *st = stmt(s, ST_PERSON_UPDATE);
	int r;

	db_bind_int64(st, 1, p->id);
	bind_text(st, 2, p->name);
	db_bind_int64(st, 3, p->agency_id);
	bind_text(st, 4, person_role_to_string(p->role));
	bind_text(st, 5, p->lang ? p->lang : "vi");
	db_bind_int64(st, 6, p->active ? 1 : 0);
	db_bind_int64(st, 7, p->digest ? 1 : 0);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -ENOENT;
	return r < 0 ? r : put_addresses(s, p->id, p);
}

int
store_person_refs(struct store *s, int64_t id, struct person_refs *ret)
{
	static const enum stmt sql[] = {
		ST_PERSON_REFS_EVENTS,
		ST_PERSON_REFS_MESSAGES,
		ST_PERSON_REFS_NOTICES,
		ST_PERSON_REFS_RECORDS,
		ST_PERSON_REFS_CODES,
	};
	int64_t n[ELEMENTSOF(sql)];

	for (size_t i = 0; i < ELEMENTSOF(sql); i++) {
		n[i] = count_of(s, sql[i], id);
		if (n[i] < 0)
			return (int)n[i];
	}
	ret->events = n[0];
	ret->messages = n[1];
	ret->notices = n[2];
	ret->task_records = n[3];
	ret->codes = n[4];
	return 0;
}

int
store_person_delete(struct store *s, int64_t id)
{
	/*
	 * A question the chat asked them and nobody answered is transport
	 * state (chat_ask, schema 9), not history: it goes with them.  One
	 * with an outbox message never gets here (store_person_refs).
	 */
	int r = exec_ids(s, ST_PERSON_DELETE_ASKS, &id, 1);

	/* Their addresses are theirs alone (address: ON DELETE CASCADE, said here too). */
	if (r == 0)
		r = exec_ids(s, ST_PERSON_DELETE_ADDRESSES, &id, 1);
	/*
	 * Their feeds point nowhere from now on (target negated), so that a
	 * person added later under the same id never shows in them.
	 */
	if (r == 0)
		r = exec_ids(s, ST_PERSON_DELETE_FEEDS, &id, 1);
	return r < 0 ? r : exec_ids(s, ST_PERSON_DELETE_ROW, &id, 1);
}

int
store_agency_update(struct store *s, const struct agency *a)
{
	struct agency other = { 0 };
	struct store_stmt *st;
	char *key = norm_key(a->name);
	int r;

	if (!key)
		return -EINVAL;
	/* The new name must not be another agency's alias (store_agency_insert). */
	r = agency_query(s, ST_AGENCY_BY_ALIAS, key, &other);
	if (r == 0 && other.id != a->id)
		r = -EEXIST;
	else if (r == 0 || r == -ENOENT)
		r = 0;
	agency_release(&other);
	if (r == 0) {
		st = stmt(s, ST_AGENCY_UPDATE);
		db_bind_int64(st, 1, a->id);
		bind_text(st, 2, a->code);
		bind_text(st, 3, a->name);
		bind_text(st, 4, key);
		bind_text(st, 5, agency_kind_to_string(a->kind));
		r = exec_done(s, st);
	}
	free(key);
	return r;
}

int
store_agency_refs(struct store *s, int64_t id, int64_t *ret_tasks, int64_t *ret_people)
{
	int64_t t = count_of(s, ST_AGENCY_REFS_TASKS, id);
	int64_t p = t < 0 ? 0 : count_of(s, ST_AGENCY_REFS_PEOPLE, id);

	if (t < 0 || p < 0)
		return (int)(t < 0 ? t : p);
	*ret_tasks = t;
	*ret_people = p;
	return 0;
}

int
store_agency_merge(struct store *s, int64_t from, int64_t into)
{
	/*
	 * A task that both agencies lead (or cooperate on) keeps one row,
	 * INTO's, at the earlier of the two places: the order replay gives
	 * by putting INTO where FROM was and keeping each id's first place.
	 */
	static const enum stmt sql[] = {
		ST_AGENCY_MERGE_POSITIONS,
		ST_AGENCY_MERGE_DROP_BOTH,
		ST_AGENCY_MERGE_TASKS,
		ST_AGENCY_MERGE_PEOPLE,
		ST_AGENCY_MERGE_ALIASES,
		/* FROM's feeds send its tasks cancelled, then nothing (store_agency_delete). */
		ST_AGENCY_MERGE_FEEDS,
		ST_AGENCY_MERGE_ROW,
	};
	const int64_t ids[2] = { from, into };
	int r = 0;

	for (size_t i = 0; i < ELEMENTSOF(sql) && r == 0; i++)
		r = exec_ids(s, sql[i], ids, 2);
	return r;
}

int
store_agency_delete(struct store *s, int64_t id)
{
	/*
	 * Its feeds point nowhere from now on (target negated): ids may be
	 * given again, and a later agency's tasks must not show in them.
	 */
	int r = exec_ids(s, ST_AGENCY_DELETE_FEEDS, &id, 1);

	return r < 0 ? r : exec_ids(s, ST_AGENCY_DELETE_ROW, &id, 1);
}

int
store_waiting(struct store *s, int64_t *ret_notices, int64_t *ret_messages)
{
	int64_t n = count_of(s, ST_WAITING_NOTICES, 0);
	int64_t m = n < 0 ? 0 : count_of(s, ST_WAITING_MESSAGES, 0);

	if (n < 0 || m < 0)
		return (int)(n < 0 ? n : m);
	*ret_notices = n;
	*ret_messages = m;
	return 0;
}

/* --- the digest (schema 10) ---------------------------------------------- */

void
store_digest_release(struct digest_run *d)
{
	if (!d)
		return;
	free(d->filename);
	free(d->workbook);
	memset(d, 0, sizeof(*d));
}

int
store_digest_insert(struct store *s, const struct digest_run *d, int64_t *ret_id)
{
	char key[DATE_ISO_LEN], from[DATE_ISO_LEN], to[DATE_ISO_LEN];
	struct store_stmt *st = stmt(s, ST_DIGEST_INSERT);
	int r;

	date_format_iso(d->key, key);
	date_format_iso(d->from, from);
	date_format_iso(d->to, to);
	bind_text(st, 1, d->key.y ? key : NULL);
	bind_text(st, 2, from);
	bind_text(st, 3, to);
	db_bind_int64(st, 4, d->created_at);
	bind_text(st, 5, d->filename);
	/* A zero-length blob is still a blob, not NULL (the column is NOT NULL). */
	st->be->bind_blob(st, 6, d->workbook ? d->workbook : "", d->len);
	r = exec_done(s, st);
	if (r == 0 && ret_id)
		*ret_id = s->be->last_id(s->db);
	return r;
}

int
store_digest_exists(struct store *s, struct date key, bool *ret)
{
	char iso[DATE_ISO_LEN];
	struct store_stmt *st = stmt(s, ST_DIGEST_EXISTS);
	int64_t n = 0;
	int r;

	date_format_iso(key, iso);
	bind_text(st, 1, iso);
	r = int64_query(s, st, &n);
	if (r == 0)
		*ret = n > 0;
	return r;
}

int
store_digest_last(struct store *s, struct date *ret_to)
{
	struct store_stmt *st = stmt(s, ST_DIGEST_LAST);
	int rc, r = 0;

	rc = db_step(st);
	if (rc == DB_ROW)
		r = date_parse_iso(db_column_text(st, 0), ret_to) < 0 ? -EBADMSG : 0;
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_digest_get(struct store *s, int64_t id, struct digest_run *ret)
{
	struct store_stmt *st = stmt(s, ST_DIGEST_GET);
	struct digest_run d = { .id = id };
	int rc, r = 0;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		const void *blob = st->be->column_blob(st, 5);

		if (db_column_type(st, 0) != DB_NULL)
			(void)date_parse_iso(db_column_text(st, 0), &d.key);
		(void)date_parse_iso(db_column_text(st, 1), &d.from);
		(void)date_parse_iso(db_column_text(st, 2), &d.to);
		d.created_at = db_column_int64(st, 3);
		d.filename = column_dup(st, 4);
		d.len = (size_t)st->be->column_bytes(st, 5);
		d.workbook = xmalloc(d.len ? d.len : 1);
		if (d.len)
			memcpy(d.workbook, blob, d.len);
		*ret = d;
	} else {
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	}
	db_reset(st);
	return r;
}

int
store_digest_last_key(struct store *s, struct date *ret_key)
{
	struct store_stmt *st = stmt(s, ST_DIGEST_LAST_KEY);
	int rc, r = 0;

	rc = db_step(st);
	if (rc == DB_ROW && db_column_type(st, 0) == DB_NULL)
		r = -ENOENT;
	else if (rc == DB_ROW)
		r = date_parse_iso(db_column_text(st, 0), ret_key) < 0 ? -EBADMSG : 0;
	else
		r = db_errno(s);
	db_reset(st);
	return r;
}

int
store_digest_is_scheduled(struct store *s, int64_t id, bool *ret)
{
	struct store_stmt *st = stmt(s, ST_DIGEST_IS_SCHEDULED);
	int rc, r = 0;

	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW)
		*ret = db_column_int(st, 0) != 0;
	r = rc == DB_ROW ? 0 : rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_digest_prune(struct store *s, int64_t before, int64_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_DIGEST_PRUNE);
	int r;

	db_bind_int64(st, 1, before);
	r = db_step(st) == DB_DONE ? 0 : db_errno(s);
	db_reset(st);
	if (r == 0)
		*ret_n = db_changes(s);
	return r;
}

/* --- addresses ------------------------------------------------------- */

int
store_person_by_address(struct store *s, const char *channel, const char *value,
			struct person *ret)
{
	struct store_stmt *st = stmt(s, ST_PERSON_BY_ADDRESS);

	if (!value || !*value)
		return -ENOENT;
	bind_text(st, 1, channel);
	bind_text(st, 2, value);
	return one_person(s, st, ret);
}

int
store_address_link(struct store *s, int64_t id, const char *channel, const char *value)
{
	struct store_stmt *st;
	int r;

	if (!address_channel_known(channel) || !value || !*value)
		return -EINVAL;
	st = stmt(s, ST_ADDRESS_UNLINK);
	bind_text(st, 1, channel);
	bind_text(st, 2, value);
	db_bind_int64(st, 3, id);
	r = exec_done(s, st);
	if (r == 0)
		r = put_address(s, id, channel, value, 0);
	/* The foreign key: no person id. */
	return r == -EINVAL || r == -ENOENT ? -ENOENT : r;
}

int
store_address_set_broken(struct store *s, int64_t id, const char *channel, bool broken,
			 int64_t at)
{
	struct store_stmt *st;
	int r, changed;

	if (!address_channel_known(channel))
		return -EINVAL;
	st = stmt(s, ST_ADDRESS_BROKEN);
	db_bind_int64(st, 1, id);
	bind_text(st, 2, channel);
	/* "Broken since 0" would read as working: a clock at the epoch still marks it. */
	db_bind_int64(st, 3, broken ? (at > 0 ? at : 1) : 0);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	changed = db_changes(s) > 0;
	if (changed)
		return 1;
	st = stmt(s, ST_ADDRESS_EXISTS);
	db_bind_int64(st, 1, id);
	bind_text(st, 2, channel);
	r = db_step(st);
	db_reset(st);
	if (r == DB_ROW)
		return 0;
	return r == DB_DONE ? -ENOENT : db_errno(s);
}

int
store_address_seen(struct store *s, int64_t id, const char *channel, int64_t at)
{
	struct store_stmt *st = stmt(s, ST_ADDRESS_SEEN);

	db_bind_int64(st, 1, id);
	bind_text(st, 2, channel);
	db_bind_int64(st, 3, at);
	return exec_sent(s, st);
}

/* --- iCal feeds (schema 13, feed.h) ---------------------------------------- */

/* Fills f from a row of FEED_COLUMNS. */
static void
feed_row(struct store_stmt *st, struct feed *f)
{
	const char *hash = db_column_text(st, 4);
	enum feed_kind k = FEED_ALL;

	memset(f, 0, sizeof(*f));
	f->id = db_column_int64(st, 0);
	(void)feed_kind_parse(db_column_text(st, 1), &k);
	f->kind = k;
	f->target = db_column_int64(st, 2);
	f->target_name = column_dup(st, 3);
	snprintf(f->token_hash, sizeof(f->token_hash), "%s", hash ? hash : "");
	f->created_at = db_column_int64(st, 5);
	f->revoked_at = db_column_int64(st, 6);
	f->created_by = db_column_int64(st, 7);
	f->fetched_at = db_column_int64(st, 8);
	f->client = column_dup(st, 9);
	f->fetches = db_column_int64(st, 10);
}

/* Runs a bound one-feed query: 0 with *ret, -ENOENT, or -errno. */
static int
feed_query(struct store *s, struct store_stmt *st, struct feed *ret)
{
	int rc = db_step(st), r = 0;

	if (rc == DB_ROW)
		feed_row(st, ret);
	else
		r = rc == DB_DONE ? -ENOENT : db_errno(s);
	db_reset(st);
	return r;
}

int
store_feed_insert(struct store *s, struct feed *f)
{
	struct store_stmt *st = stmt(s, ST_FEED_INSERT);
	const char *kind = feed_kind_name(f->kind);
	int r;

	if (!kind)
		return -EINVAL;
	bind_text(st, 1, kind);
	db_bind_int64(st, 2, f->kind == FEED_ALL ? 0 : f->target);
	bind_text(st, 3, f->token_hash);
	db_bind_int64(st, 4, f->created_at);
	db_bind_int64(st, 5, f->created_by);
	r = exec_done(s, st);
	if (r == 0 && db_changes(s) == 0)
		r = -ENOENT;
	if (r == 0)
		f->id = s->be->last_id(s->db);
	return r;
}

int
store_feed_get(struct store *s, int64_t id, struct feed *ret)
{
	struct store_stmt *st = stmt(s, ST_FEED_GET);

	db_bind_int64(st, 1, id);
	return feed_query(s, st, ret);
}

int
store_feed_by_hash(struct store *s, const char *hash, struct feed *ret)
{
	struct store_stmt *st = stmt(s, ST_FEED_BY_HASH);

	bind_text(st, 1, hash);
	return feed_query(s, st, ret);
}

int
store_feed_revoke(struct store *s, int64_t id, int64_t now)
{
	struct store_stmt *st = stmt(s, ST_FEED_REVOKE);
	int64_t at = 0;
	int r;

	db_bind_int64(st, 1, id);
	/* "Revoked at 0" would read as live: a clock at the epoch still revokes. */
	db_bind_int64(st, 2, now > 0 ? now : 1);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	if (db_changes(s) == 0) {
		st = stmt(s, ST_FEED_REVOKED_AT);
		db_bind_int64(st, 1, id);
		r = int64_query(s, st, &at);
		if (r < 0)
			return r;
	}
	/* A revoked feed is never built again: what it showed is kept for nothing. */
	r = exec_done(s, stmt(s, ST_FEED_REVOKED_MEMBERS_DROP));
	if (r < 0)
		return r;
	return at ? -EALREADY : 0;
}

int
store_feed_revoke_of_person(struct store *s, int64_t person_id, int64_t now, int64_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_FEED_REVOKE_OF_PERSON);
	int64_t n;
	int r;

	db_bind_int64(st, 1, person_id);
	db_bind_int64(st, 2, now > 0 ? now : 1);
	r = exec_done(s, st);
	if (r < 0)
		return r;
	n = db_changes(s);
	if (n > 0)
		r = exec_done(s, stmt(s, ST_FEED_REVOKED_MEMBERS_DROP));
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

int
store_feed_live_by_creator(struct store *s, int64_t person_id, int64_t **ret_ids, size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_FEED_LIVE_BY_CREATOR);

	db_bind_int64(st, 1, person_id);
	return ids_query(s, st, ret_ids, ret_n);
}

int
store_feed_prune(struct store *s, int64_t before, int64_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_FEED_PRUNE);
	int r;

	db_bind_int64(st, 1, before);
	r = exec_done(s, st);
	if (r == 0 && ret_n)
		*ret_n = db_changes(s);
	return r;
}

int
store_feed_foreach(struct store *s, store_feed_cb cb, void *userdata)
{
	struct store_stmt *st = stmt(s, ST_FEED_LIST);
	int rc, r = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		struct feed f;

		feed_row(st, &f);
		r = cb(&f, userdata);
		feed_release(&f);
		if (r < 0)
			break;
	}
	if (rc != DB_ROW && rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r < 0 ? r : 0;
}

int
store_feed_fetched(struct store *s, int64_t id, int64_t at, const char *client, int64_t n)
{
	struct store_stmt *st = stmt(s, ST_FEED_FETCHED);
	int r;

	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, at);
	bind_text(st, 3, client ? client : "");
	db_bind_int64(st, 4, n);
	r = exec_done(s, st);
	return r == 0 && db_changes(s) == 0 ? -ENOENT : r;
}

int
store_feed_gen(struct store *s, int64_t *ret)
{
	return int64_query(s, stmt(s, ST_FEED_GEN), ret);
}

int
store_data_version(struct store *s, int64_t *ret)
{
	return int64_query(s, stmt(s, ST_DATA_VERSION), ret);
}

/* Names by id (agencies' names, documents' numbers): read once, looked up by bsearch. */
struct id_names {
	struct id_name {
		int64_t id;
		char *name;
	} *v;
	size_t n;
};

static int
id_name_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct id_name *)a)->id, y = ((const struct id_name *)b)->id;

	return (x > y) - (x < y);
}

static void
id_names_release(struct id_names *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].name);
	free(m->v);
	*m = (struct id_names){ 0 };
}

/* Reads (id, name) rows of st, ordered by id, into m: 0 or -errno. */
static int
id_names_read(struct store *s, struct store_stmt *st, struct id_names *m)
{
	int rc, r = 0;

	while ((rc = db_step(st)) == DB_ROW) {
		m->v = xgrowarray(m->v, m->n, sizeof(*m->v));
		m->v[m->n].id = db_column_int64(st, 0);
		m->v[m->n++].name = column_dup(st, 1);
	}
	if (rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	return r;
}

/* The name of id in m (borrowed), or NULL. */
static const char *
id_names_get(const struct id_names *m, int64_t id)
{
	struct id_name key = { .id = id }, *hit;

	hit = m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), id_name_cmp) : NULL;
	return hit ? hit->name : NULL;
}

/* One agency row of a task: the store keeps them by (role, agency); shown by position. */
struct feed_link {
	int64_t agency_id;
	int64_t position;
	bool lead;
};

/* A pass's arrays of names and ids, grown as needed and used again for each task. */
struct feed_arrays {
	char **leads, **coops;
	int64_t *lead_ids, *coop_ids;
	size_t room;
};

/*
 * Sets t's agencies from its rows, each role in the order of position (a
 * handful: insertion sort): the names borrowed from agencies, the arrays
 * from a.
 */
static void
feed_task_links(struct task *t, struct feed_link *v, size_t n, const struct id_names *agencies,
		struct feed_arrays *a)
{
	for (size_t i = 1; i < n; i++) {
		struct feed_link x = v[i];
		size_t j = i;

		for (; j > 0 && (v[j - 1].lead > x.lead ||
				 (v[j - 1].lead == x.lead && v[j - 1].position > x.position)); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	if (n > a->room) {
		/* Four arrays of one room: each grown to the same. */
		size_t room = a->room;

		a->leads = xgrowroom(a->leads, &room, n, sizeof(char *));
		room = a->room;
		a->coops = xgrowroom(a->coops, &room, n, sizeof(char *));
		room = a->room;
		a->lead_ids = xgrowroom(a->lead_ids, &room, n, sizeof(int64_t));
		room = a->room;
		a->coop_ids = xgrowroom(a->coop_ids, &room, n, sizeof(int64_t));
		a->room = room;
	}
	t->leads = a->leads;
	t->coops = a->coops;
	t->lead_ids = a->lead_ids;
	t->coop_ids = a->coop_ids;
	for (size_t i = 0; i < n; i++) {
		const char *name = id_names_get(agencies, v[i].agency_id);
		size_t *k = v[i].lead ? &t->n_leads : &t->n_coops;

		(v[i].lead ? t->lead_ids : t->coop_ids)[*k] = v[i].agency_id;
		(v[i].lead ? t->leads : t->coops)[(*k)++] = (char *)(name ? name : "");
	}
}

/*
 * One pass, four statements with no join and no sort: the tasks by id,
 * their agency rows in the table's key order and the pending requests by
 * task, walked side by side; the agencies' names and the documents'
 * numbers read first (a few hundred rows) and looked up.  A join and an
 * ORDER BY position cost twice the whole of this on 10,000 tasks.
 */
/* ids as a JSON array, what FEED_IDS reads (new). */
static char *
feed_ids_json(const int64_t *ids, size_t n)
{
	struct buf b;

	buf_init(&b, SIZE_MAX);
	(void)buf_addc(&b, '[');
	for (size_t i = 0; i < n; i++)
		(void)buf_addf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	(void)buf_addc(&b, ']');
	return buf_detach(&b);
}

int
store_feed_tasks(struct store *s, const struct feed *f, const int64_t *ids, size_t n_ids,
		 store_feed_task_cb cb, void *userdata)
{
	struct id_names agencies = { 0 }, documents = { 0 };
	struct feed_link *links = NULL;
	struct feed_arrays arrays = { 0 };
	size_t n_links = 0, room = 0;
	struct store_stmt *st = NULL, *leads = NULL, *pend = NULL;
	int rc = DB_DONE, lrc = DB_DONE, prc = DB_DONE, r;

	if ((unsigned)f->kind > FEED_ALL)
		return -EINVAL;
	r = id_names_read(s, stmt(s, ST_FEED_AGENCY_NAMES), &agencies);
	if (r == 0)
		r = id_names_read(s, stmt(s, ST_FEED_DOCUMENT_NUMBERS), &documents);
	if (r < 0)
		goto out;
	if (ids) {
		char *json = feed_ids_json(ids, n_ids);

		st = stmt(s, ST_FEED_TASKS_AGENCY_OF + f->kind);
		leads = stmt(s, ST_FEED_LEADS_OF);
		pend = stmt(s, ST_FEED_PENDING_OF);
		db_bind_int64(st, 1, f->target);
		db_bind_text(st, 2, json, true);
		db_bind_text(leads, 2, json, true);
		db_bind_text(pend, 2, json, true);
		free(json);
	} else {
		st = stmt(s, ST_FEED_TASKS_AGENCY + f->kind);
		leads = stmt(s, ST_FEED_LEADS_AGENCY + f->kind);
		pend = stmt(s, ST_FEED_PENDING);
		if (f->kind != FEED_ALL) {
			db_bind_int64(st, 1, f->target);
			db_bind_int64(leads, 1, f->target);
		}
	}
	lrc = db_step(leads);
	prc = db_step(pend);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t doc = db_column_int64(st, 4);
		const char *number = doc ? id_names_get(&documents, doc) : NULL;
		bool pending = false;
		struct task t;

		read_task_as(st, &t, true);
		t.document = (char *)number;
		while (lrc == DB_ROW && db_column_int64(leads, 0) < t.id)
			lrc = db_step(leads);
		for (n_links = 0; lrc == DB_ROW && db_column_int64(leads, 0) == t.id;
		     lrc = db_step(leads)) {
			links = xgrowroom(links, &room, n_links + 1, sizeof(*links));
			links[n_links++] = (struct feed_link){
				.agency_id = db_column_int64(leads, 1),
				.lead = db_column_int(leads, 2) != 0,
				.position = db_column_int64(leads, 3),
			};
		}
		feed_task_links(&t, links, n_links, &agencies, &arrays);
		while (prc == DB_ROW && db_column_int64(pend, 0) < t.id)
			prc = db_step(pend);
		pending = prc == DB_ROW && db_column_int64(pend, 0) == t.id;
		/* t is borrowed from the row, the names and arrays: nothing to release. */
		r = cb(&t, pending, userdata);
		if (r < 0)
			break;
	}
	if ((rc != DB_ROW && rc != DB_DONE) || (lrc != DB_ROW && lrc != DB_DONE) ||
	    (prc != DB_ROW && prc != DB_DONE))
		r = db_errno(s);
out:
	if (st)
		db_reset(st);
	if (leads)
		db_reset(leads);
	if (pend)
		db_reset(pend);
	free(links);
	free(arrays.leads);
	free(arrays.coops);
	free(arrays.lead_ids);
	free(arrays.coop_ids);
	id_names_release(&agencies);
	id_names_release(&documents);
	return r < 0 ? r : 0;
}

int
store_feed_changes(struct store *s, int64_t since, bool *ret_wide, int64_t **ret_ids,
		   size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ST_FEED_WIDE);
	int64_t wide, n;
	int rc, r;

	rc = db_step(st);
	if (rc != DB_ROW) {
		r = rc == DB_DONE ? -EBADMSG : db_errno(s);
		db_reset(st);
		return r;
	}
	wide = db_column_int64(st, 0);
	n = db_column_int64(st, 1);
	db_reset(st);
	*ret_ids = NULL;
	*ret_n = 0;
	/* Further back than the log keeps (FEED_CHANGE): as if everything changed. */
	if (wide > since || n - since > STORE_FEED_CHANGES_KEPT) {
		*ret_wide = true;
		return 0;
	}
	st = stmt(s, ST_FEED_CHANGES);
	db_bind_int64(st, 1, since);
	if ((r = ids_query(s, st, ret_ids, ret_n)) < 0)
		return r;
	*ret_wide = false;
	return 0;
}

int
store_feed_seqs(struct store *s, const int64_t *ids, size_t n_ids, struct feed_seq **ret,
		size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ids ? ST_FEED_SEQS_OF : ST_FEED_SEQS);
	struct feed_seq *v = NULL;
	size_t n = 0;
	int rc, r = 0;

	if (ids) {
		char *json = feed_ids_json(ids, n_ids);

		db_bind_text(st, 1, json, true);
		free(json);
	}

	while ((rc = db_step(st)) == DB_ROW) {
		const char *sig = db_column_text(st, 2);

		v = xgrowarray(v, n, sizeof(*v));
		v[n].task_id = db_column_int64(st, 0);
		v[n].seq = db_column_int64(st, 1);
		snprintf(v[n].sig, sizeof(v[n].sig), "%s", sig ? sig : "");
		v[n].changed_at = db_column_int64(st, 3);
		n++;
	}
	if (rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
store_feed_seq_set(struct store *s, const struct feed_seq *q)
{
	struct store_stmt *st = stmt(s, ST_FEED_SEQ_SET);

	db_bind_int64(st, 1, q->task_id);
	db_bind_int64(st, 2, q->seq);
	bind_text(st, 3, q->sig);
	db_bind_int64(st, 4, q->changed_at);
	return exec_done(s, st);
}

int
store_feed_members(struct store *s, int64_t feed_id, const int64_t *ids, size_t n_ids,
		   struct feed_member **ret, size_t *ret_n)
{
	struct store_stmt *st = stmt(s, ids ? ST_FEED_MEMBERS_OF : ST_FEED_MEMBERS);
	struct feed_member *v = NULL;
	size_t n = 0;
	int rc, r = 0;

	db_bind_int64(st, 1, feed_id);
	if (ids) {
		char *json = feed_ids_json(ids, n_ids);

		db_bind_text(st, 2, json, true);
		free(json);
	}
	while ((rc = db_step(st)) == DB_ROW) {
		v = xgrowarray(v, n, sizeof(*v));
		v[n].task_id = db_column_int64(st, 0);
		v[n].left_at = db_column_int64(st, 1);
		v[n].left_seq = db_column_int64(st, 2);
		n++;
	}
	if (rc != DB_DONE)
		r = db_errno(s);
	db_reset(st);
	if (r < 0) {
		free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int
store_feed_member_set(struct store *s, int64_t feed_id, const struct feed_member *m)
{
	struct store_stmt *st = stmt(s, ST_FEED_MEMBER_SET);
	int r;

	db_bind_int64(st, 1, feed_id);
	db_bind_int64(st, 2, m->task_id);
	db_bind_int64(st, 3, m->left_at);
	db_bind_int64(st, 4, m->left_seq);
	r = exec_done(s, st);
	/* The foreign key: no feed feed_id. */
	return r == -EINVAL ? -ENOENT : r;
}

int
store_feed_member_drop(struct store *s, int64_t feed_id, int64_t task_id)
{
	struct store_stmt *st = stmt(s, ST_FEED_MEMBER_DROP);

	db_bind_int64(st, 1, feed_id);
	db_bind_int64(st, 2, task_id);
	return exec_done(s, st);
}

/* --- copying a registry (dondoc migrate) ------------------------------------ */

const char *const store_tables[] = {
	"agency", "agency_alias", "person", "address", "document", "task", "task_agency",
	"event", "event_head", "digest_run", "message", "notice", "meta", "link_code",
	"extension", "chat_update", "chat_sent", "chat_ask", "period_report", "obstacle",
	"feed", "feed_seq", "feed_member", "feed_gen", "feed_change", "lease", "lease_term",
	NULL,
};

/*
 * The rows a new registry is made with (the chain's head, the feeds'
 * generation, meta's notes of its migrations): what a copy replaces.
 */
static bool
seeded(const char *table)
{
	return STREQ(table, "event_head") || STREQ(table, "feed_gen") || STREQ(table, "meta");
}

/* The rows of table in s, into *ret. */
static int
table_count(struct store *s, const char *table, int64_t *ret)
{
	char sql[96];
	struct store_stmt *st;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	st = s->be->adhoc(s->db, sql);
	rc = db_step(st);
	if (rc == DB_ROW)
		*ret = db_column_int64(st, 0);
	s->be->adhoc_free(st);
	return rc == DB_ROW ? 0 : db_errno(s);
}

/* Runs sql (no rows) on s. */
static int
adhoc_exec(struct store *s, const char *sql)
{
	struct store_stmt *st = s->be->adhoc(s->db, sql);
	int rc = db_step(st);

	s->be->adhoc_free(st);
	return rc == DB_DONE ? 0 : rc < 0 ? rc : -EINVAL;
}

/* Copies the rows of table from from to to, as they are: *ret_n of them. */
static int
copy_table(struct store *from, struct store *to, const char *table, int64_t *ret_n)
{
	struct store_stmt *sel, *ins = NULL;
	struct buf sql;
	char q[96];
	int64_t n = 0;
	int cols = 0, rc, r = 0;

	*ret_n = 0;
	if (to->be->copying) {
		r = to->be->copying(to->db, table, false);
		if (r < 0) {
			store_set_why(to, "cannot copy into %s: %s", table, to->be->errmsg(to->db));
			return r;
		}
	}
	snprintf(q, sizeof(q), "SELECT * FROM %s", table);
	sel = from->be->adhoc(from->db, q);
	buf_init(&sql, 64 * 1024);
	while (r == 0 && (rc = db_step(sel)) == DB_ROW) {
		if (!ins) {
			/* The columns by name: the two schemas need not list them in one order. */
			cols = sel->be->column_count(sel);
			(void)buf_addf(&sql, "INSERT INTO %s(", table);
			for (int i = 0; i < cols; i++)
				(void)buf_addf(&sql, "%s%s", i ? ", " : "", sel->be->column_name(sel, i));
			(void)buf_adds(&sql, ") VALUES (");
			for (int i = 0; i < cols; i++)
				(void)buf_addf(&sql, "%s?%d", i ? ", " : "", i + 1);
			(void)buf_adds(&sql, ")");
			ins = to->be->adhoc(to->db, sql.p);
		}
		for (int i = 0; i < cols; i++) {
			switch (db_column_type(sel, i)) {
			case DB_INTEGER:
				db_bind_int64(ins, i + 1, db_column_int64(sel, i));
				break;
			case DB_BLOB:
				ins->be->bind_blob(ins, i + 1, sel->be->column_blob(sel, i),
						   sel->be->column_bytes(sel, i));
				break;
			case DB_NULL:
				db_bind_null(ins, i + 1);
				break;
			default:	/* text; no column of the schema holds a float */
				db_bind_text(ins, i + 1, db_column_text(sel, i), false);
				break;
			}
		}
		rc = db_step(ins);
		db_reset(ins);
		if (rc != DB_DONE) {
			r = rc < 0 ? rc : -EINVAL;
			store_set_why(to, "cannot copy row %lld of %s: %s", (long long)n + 1, table,
				      to->be->errmsg(to->db));
			break;
		}
		n++;
	}
	if (r == 0 && rc != DB_DONE) {
		r = rc < 0 ? rc : -EIO;
		store_set_why(to, "cannot read %s: %s", table, from->be->errmsg(from->db));
	}
	if (ins)
		to->be->adhoc_free(ins);
	from->be->adhoc_free(sel);
	buf_release(&sql);
	if (r == 0 && to->be->copying) {
		r = to->be->copying(to->db, table, true);
		if (r < 0)
			store_set_why(to, "cannot end the copy into %s: %s", table,
				      to->be->errmsg(to->db));
	}
	*ret_n = n;
	return r;
}

int
store_copy(struct store *from, struct store *to, store_copy_cb cb, void *userdata)
{
	int64_t n = 0;
	int r;

	/* Only into a registry made anew: nothing of anybody's is replaced. */
	for (int i = 0; store_tables[i]; i++) {
		if (seeded(store_tables[i]))
			continue;
		r = table_count(to, store_tables[i], &n);
		if (r < 0)
			return r;
		if (n > 0) {
			store_set_why(to, "it is not empty (%s has %lld rows): the copy goes into a "
				      "new registry", store_tables[i], (long long)n);
			return -EEXIST;
		}
	}
	/* One snapshot of the original, one transaction for the copy. */
	r = store_begin(from);
	if (r == 0) {
		r = store_begin(to);
		if (r < 0)
			store_rollback(from);
	}
	for (int i = 0; r == 0 && store_tables[i]; i++) {
		const char *t = store_tables[i];
		char sql[96];

		/*
		 * What the new registry was made with, and what its triggers
		 * wrote as the rows came in (SQLite's feed_change: its
		 * triggers cannot be turned off), give way to the original's.
		 */
		r = table_count(to, t, &n);
		if (r == 0 && n > 0) {
			snprintf(sql, sizeof(sql), "DELETE FROM %s", t);
			r = adhoc_exec(to, sql);
		}
		if (r == 0)
			r = copy_table(from, to, t, &n);
		if (r == 0 && cb)
			r = cb(t, n, userdata);
	}
	if (r == 0)
		r = store_commit(to);
	if (r < 0) {
		store_rollback(to);
		store_rollback(from);
		return r;
	}
	store_rollback(from);	/* read only */
	return 0;
}
