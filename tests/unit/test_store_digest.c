/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the digest's part of store.c (schema 10): a digest run
 * recorded once per key with its workbook, the last scheduled period's
 * end, messages to an address that is no person, a person's opt-in, the
 * dead messages of a period by when they died, the old workbooks pruned,
 * and the period of a digest (digestq_period).
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <sqlite3.h>

#include "digestq.h"
#include "store.h"

#define D(y, m, d) ((struct date){ (y), (m), (d) })

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-store-digest.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->path, sizeof(f->path), f->dir, "r.db");
	if (store_open(f->path, STORE_CREATE, &f->s, &msg) < 0) {
		fprintf(stderr, "%s\n", msg);
		free(msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r;
}

static struct digest_run
run_of(struct date key, struct date from, struct date to, const char *bytes)
{
	return (struct digest_run){ .key = key, .from = from, .to = to, .created_at = 100,
				    .filename = (char *)"Bao-cao-tien-do-2025-10-03.xlsx",
				    .workbook = (void *)bytes, .len = strlen(bytes) };
}

/* Once per key, ever; one asked for (no key) as often as asked; the workbook as stored. */
static void
test_run_once_per_key(void **state)
{
	struct fx *f = *state;
	struct digest_run r = run_of(D(2025, 10, 3), D(2025, 9, 20), D(2025, 10, 3), "PK\x03\x04x");
	struct digest_run got = { 0 };
	struct date to;
	bool done = true;
	int64_t id = 0, id2 = 0;

	assert_int_equal(store_digest_last(f->s, &to), -ENOENT);
	assert_int_equal(store_digest_exists(f->s, D(2025, 10, 3), &done), 0);
	assert_false(done);
	assert_int_equal(store_digest_insert(f->s, &r, &id), 0);
	assert_int_equal(store_digest_insert(f->s, &r, NULL), -EEXIST);
	assert_int_equal(store_digest_exists(f->s, D(2025, 10, 3), &done), 0);
	assert_true(done);
	assert_int_equal(store_digest_get(f->s, id, &got), 0);
	assert_int_equal(got.len, 5);
	assert_memory_equal(got.workbook, "PK\x03\x04x", 5);
	assert_string_equal(got.filename, "Bao-cao-tien-do-2025-10-03.xlsx");
	assert_int_equal(got.key.d, 3);
	assert_int_equal(got.from.d, 20);
	store_digest_release(&got);
	assert_int_equal(store_digest_get(f->s, id + 99, &got), -ENOENT);

	/* Asked for: no key, twice, and it does not move the scheduled periods. */
	r = run_of((struct date){ 0 }, D(2025, 10, 4), D(2025, 10, 9), "");
	assert_int_equal(store_digest_insert(f->s, &r, &id2), 0);
	assert_int_equal(store_digest_insert(f->s, &r, NULL), 0);
	assert_int_equal(store_digest_get(f->s, id2, &got), 0);
	assert_int_equal(got.key.y, 0);
	assert_int_equal(got.len, 0);
	store_digest_release(&got);
	assert_int_equal(store_digest_last(f->s, &to), 0);
	assert_int_equal(to.m, 10);
	assert_int_equal(to.d, 3);
	r = run_of(D(2025, 10, 17), D(2025, 10, 4), D(2025, 10, 20), "x");
	assert_int_equal(store_digest_insert(f->s, &r, NULL), 0);
	assert_int_equal(store_digest_last(f->s, &to), 0);
	assert_int_equal(to.d, 20);
}

/* A message to an address (no person) and one to a person, linked to their run. */
static void
test_message_to_address(void **state)
{
	struct fx *f = *state;
	struct digest_run r = run_of(D(2025, 10, 3), D(2025, 9, 20), D(2025, 10, 3), "x");
	struct message m = { .kind = MESSAGE_DIGEST, .subject = "s", .body = "b", .next_at = 1,
			     .created_at = 1, .day = D(2025, 10, 3),
			     .address = (char *)"vp@tinhuy.example.gov.vn" };
	struct message got = { 0 };
	struct person p = { .name = "Phạm Thị Dung", .role = ROLE_SECRETARIAT, .active = true };
	int64_t run = 0, id = 0, a = 0;

	assert_int_equal(store_digest_insert(f->s, &r, &run), 0);
	m.digest_id = run;
	snprintf(m.channel, sizeof(m.channel), "email");
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	assert_int_equal(store_message_get(f->s, id, &got), 0);
	assert_int_equal(got.person_id, 0);
	assert_string_equal(got.address, "vp@tinhuy.example.gov.vn");
	assert_int_equal(got.digest_id, run);
	assert_int_equal(got.kind, MESSAGE_DIGEST);
	message_release(&got);

	/* A person's message keeps no address, whatever the struct held. */
	assert_int_equal(store_agency_insert(f->s, "vp", "Văn phòng", AGENCY_OTHER, 1, &a), 0);
	p.agency_id = a;
	assert_int_equal(store_person_insert(f->s, &p, 1, &m.person_id), 0);
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	assert_int_equal(store_message_get(f->s, id, &got), 0);
	assert_null(got.address);
	message_release(&got);

	/* Neither a person nor an address: refused by the table's CHECK. */
	m.person_id = 0;
	m.address = NULL;
	assert_int_equal(store_message_insert(f->s, &m, NULL), -EINVAL);
}

/* The opt-in is a field of the person, read and written with the rest. */
static void
test_person_digest(void **state)
{
	struct fx *f = *state;
	struct person p = { .name = "Lê Văn Lâm", .role = ROLE_LEADER, .active = true };
	struct person got = { 0 };
	int64_t a = 0;

	assert_int_equal(store_agency_insert(f->s, "vp", "Văn phòng", AGENCY_OTHER, 1, &a), 0);
	p.agency_id = a;
	assert_int_equal(store_person_insert(f->s, &p, 1, &p.id), 0);
	assert_int_equal(store_person_get(f->s, p.id, &got), 0);
	assert_false(got.digest);
	got.digest = true;
	assert_int_equal(store_person_update(f->s, &got), 0);
	person_release(&got);
	assert_int_equal(store_person_get(f->s, p.id, &got), 0);
	assert_true(got.digest);
	person_release(&got);
}

static int
count_dead(const struct store_happened *h, void *userdata)
{
	int64_t *at = userdata;

	if (h->kind == HAPPENED_DEAD_MESSAGE)
		*at = h->at;
	return 0;
}

static int64_t
message_at(struct fx *f, int64_t created)
{
	struct message m = { .kind = MESSAGE_DIGEST, .subject = "s", .body = "b", .next_at = created,
			     .created_at = created, .day = D(2025, 10, 3),
			     .address = (char *)"vp@tinhuy.example.gov.vn" };
	int64_t id = 0;

	snprintf(m.channel, sizeof(m.channel), "email");
	assert_int_equal(store_message_insert(f->s, &m, &id), 0);
	return id;
}

/*
 * A message made before a period and given up in it is that period's
 * (by created_at it was in none: made before the previous digest, dead
 * after it); one retried is no longer dead.
 */
static void
test_dead_by_when_it_died(void **state)
{
	struct fx *f = *state;
	int64_t id = message_at(f, 1000), at = 0;

	assert_int_equal(store_message_finish(f->s, id, NULL, MESSAGE_DEAD, 0, 5000, "refused"), 0);
	assert_int_equal(store_happened_foreach(f->s, 4000, 6000, 0, count_dead, &at), 0);
	assert_int_equal(at, 5000);
	at = 0;
	assert_int_equal(store_happened_foreach(f->s, 0, 4999, 0, count_dead, &at), 0);
	assert_int_equal(at, 0);
	assert_int_equal(store_message_retry(f->s, id, 5100), 0);
	assert_int_equal(store_happened_foreach(f->s, 4000, 6000, 0, count_dead, &at), 0);
	assert_int_equal(at, 0);
	/* Pending again, then sent: no death either. */
	assert_int_equal(store_message_finish(f->s, id, NULL, MESSAGE_SENT, 0, 5200, NULL), 0);
	assert_int_equal(store_happened_foreach(f->s, 0, 9000, 0, count_dead, &at), 0);
	assert_int_equal(at, 0);
}

/* The latest key, whatever the insertion order; a run with a key is a scheduled one. */
static void
test_last_key(void **state)
{
	struct fx *f = *state;
	struct digest_run r = run_of(D(2025, 10, 17), D(2025, 10, 4), D(2025, 10, 16), "x");
	struct date k;
	int64_t id = 0, id2 = 0;
	bool sch = false;

	assert_int_equal(store_digest_last_key(f->s, &k), -ENOENT);
	assert_int_equal(store_digest_insert(f->s, &r, &id), 0);
	r = run_of(D(2025, 10, 3), D(2025, 9, 20), D(2025, 10, 2), "x");
	assert_int_equal(store_digest_insert(f->s, &r, NULL), 0);
	r = run_of((struct date){ 0 }, D(2025, 10, 17), D(2025, 10, 30), "x");
	assert_int_equal(store_digest_insert(f->s, &r, &id2), 0);
	assert_int_equal(store_digest_last_key(f->s, &k), 0);
	assert_int_equal(date_cmp(k, D(2025, 10, 17)), 0);
	assert_int_equal(store_digest_is_scheduled(f->s, id, &sch), 0);
	assert_true(sch);
	assert_int_equal(store_digest_is_scheduled(f->s, id2, &sch), 0);
	assert_false(sch);
	assert_int_equal(store_digest_is_scheduled(f->s, id2 + 9, &sch), -ENOENT);
}

/* Old workbooks go once every message of theirs is sent or cancelled; their rows stay. */
static void
test_prune(void **state)
{
	struct fx *f = *state;
	struct digest_run r = run_of(D(2025, 1, 3), D(2024, 12, 20), D(2025, 1, 2), "PK");
	struct digest_run got = { 0 };
	struct message m = { .kind = MESSAGE_DIGEST, .subject = "s", .body = "b", .next_at = 1,
			     .created_at = 1, .day = D(2025, 1, 3),
			     .address = (char *)"vp@tinhuy.example.gov.vn" };
	int64_t sent = 0, pending = 0, recent = 0, m1 = 0, n = 0;
	bool done = false;

	snprintf(m.channel, sizeof(m.channel), "email");
	assert_int_equal(store_digest_insert(f->s, &r, &sent), 0);
	r = run_of(D(2025, 1, 17), D(2025, 1, 3), D(2025, 1, 16), "PK");
	assert_int_equal(store_digest_insert(f->s, &r, &pending), 0);
	r = run_of(D(2025, 5, 2), D(2025, 4, 18), D(2025, 5, 1), "PK");
	r.created_at = 10000;
	assert_int_equal(store_digest_insert(f->s, &r, &recent), 0);
	m.digest_id = sent;
	assert_int_equal(store_message_insert(f->s, &m, &m1), 0);
	assert_int_equal(store_message_finish(f->s, m1, NULL, MESSAGE_SENT, 0, 50, NULL), 0);
	m.digest_id = pending;
	assert_int_equal(store_message_insert(f->s, &m, NULL), 0);

	assert_int_equal(store_digest_prune(f->s, 5000, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_digest_get(f->s, sent, &got), 0);
	assert_int_equal(got.len, 0);
	store_digest_release(&got);
	assert_int_equal(store_digest_get(f->s, pending, &got), 0);
	assert_int_equal(got.len, 2);
	store_digest_release(&got);
	assert_int_equal(store_digest_get(f->s, recent, &got), 0);
	assert_int_equal(got.len, 2);
	store_digest_release(&got);
	/* The key stays: the period is not sent again. */
	assert_int_equal(store_digest_exists(f->s, D(2025, 1, 3), &done), 0);
	assert_true(done);
	assert_int_equal(store_digest_prune(f->s, 5000, &n), 0);
	assert_int_equal(n, 0);
}

/*
 * The period: a scheduled digest ends the day before it is made, the
 * next starts the day after, so nothing done on a digest day after it
 * is made falls between two; one asked for ends today.
 */
static void
test_period(void **state)
{
	struct fx *f = *state;
	struct digest_run r;
	struct date from, to;

	assert_int_equal(digestq_period(f->s, D(2025, 10, 3), true, &from, &to), 0);
	assert_int_equal(date_cmp(from, D(2025, 9, 19)), 0);
	assert_int_equal(date_cmp(to, D(2025, 10, 2)), 0);
	assert_int_equal(digestq_period(f->s, D(2025, 10, 3), false, &from, &to), 0);
	assert_int_equal(date_cmp(from, D(2025, 9, 20)), 0);
	assert_int_equal(date_cmp(to, D(2025, 10, 3)), 0);

	r = run_of(D(2025, 10, 3), D(2025, 9, 19), D(2025, 10, 2), "x");
	assert_int_equal(store_digest_insert(f->s, &r, NULL), 0);
	assert_int_equal(digestq_period(f->s, D(2025, 10, 17), true, &from, &to), 0);
	assert_int_equal(date_cmp(from, D(2025, 10, 3)), 0);
	assert_int_equal(date_cmp(to, D(2025, 10, 16)), 0);
	assert_int_equal(digestq_period(f->s, D(2025, 10, 9), false, &from, &to), 0);
	assert_int_equal(date_cmp(from, D(2025, 10, 3)), 0);
	assert_int_equal(date_cmp(to, D(2025, 10, 9)), 0);
	/* Asked for on the digest's own day: that day alone, not a backward period. */
	assert_int_equal(digestq_period(f->s, D(2025, 10, 3), false, &from, &to), 0);
	assert_int_equal(date_cmp(from, D(2025, 10, 3)), 0);
	assert_int_equal(date_cmp(to, D(2025, 10, 3)), 0);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_once_per_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_to_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_person_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_by_when_it_died, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_period, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_digest", tests, NULL, NULL);
}
