/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/buf.c: the invariants of buf.h (NUL-terminated, never past
 * max), the cap leaving contents unchanged, growth past the first 64
 * bytes, formatted appends and detach.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "macro.h"

/* The invariants of buf.h, checked after every step. */
static void
check_invariants(const struct buf *b)
{
	assert_non_null(b->p);
	assert_true(b->len <= b->max);
	assert_true(b->len < b->cap);
	assert_int_equal(b->p[b->len], '\0');
}

static void
test_init(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	check_invariants(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	assert_int_equal(b.max, 100);
	buf_release(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void
test_add(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_adds(&b, "Quý"), 0);
	assert_int_equal(buf_addc(&b, ' '), 0);
	assert_int_equal(buf_add(&b, "IV/2025xyz", 7), 0);
	assert_int_equal(buf_add(&b, "", 0), 0);
	check_invariants(&b);
	assert_string_equal(b.p, "Quý IV/2025");
	assert_int_equal(b.len, strlen("Quý IV/2025"));
	/* Bytes, not strings: a NUL inside is kept and counted. */
	assert_int_equal(buf_add(&b, "a\0b", 3), 0);
	assert_int_equal(b.len, strlen("Quý IV/2025") + 3);
	assert_memory_equal(b.p + b.len - 3, "a\0b", 3);
	check_invariants(&b);
	buf_release(&b);
}

/* boundary: exactly max bytes fit, one more does not. */
static void
test_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_adds(&b, "12345678"), -ENOBUFS);
	assert_string_equal(b.p, "abc");
	assert_int_equal(b.len, 3);
	assert_int_equal(buf_adds(&b, "1234567"), 0);
	assert_string_equal(b.p, "abc1234567");
	assert_int_equal(b.len, 10);
	assert_int_equal(buf_addc(&b, 'x'), -ENOBUFS);
	assert_int_equal(buf_add(&b, "x", 1), -ENOBUFS);
	assert_int_equal(buf_adds(&b, "x"), -ENOBUFS);
	assert_int_equal(buf_addf(&b, "%d", 7), -ENOBUFS);
	/* An empty append still fits in a full buffer. */
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_int_equal(buf_addf(&b, "%s", ""), 0);
	check_invariants(&b);
	assert_string_equal(b.p, "abc1234567");
	assert_int_equal(b.len, 10);
	buf_release(&b);
}

/* A cap of 0 takes nothing but stays a valid empty string. */
static void
test_cap_zero(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_addc(&b, 'x'), -ENOBUFS);
	assert_int_equal(buf_addf(&b, "x"), -ENOBUFS);
	check_invariants(&b);
	assert_string_equal(b.p, "");
	buf_release(&b);
}

/* Growth past the first allocation, byte by byte. */
static void
test_grow(void **state)
{
	struct buf b;
	size_t k, n = 10000;

	(void)state;
	buf_init(&b, n);
	for (k = 0; k < n; k++) {
		assert_int_equal(buf_addc(&b, (char)('a' + k % 26)), 0);
		if (b.p[b.len] != '\0' || b.len != k + 1)
			fail_msg("after %zu bytes: len %zu", k + 1, b.len);
	}
	check_invariants(&b);
	for (k = 0; k < n; k++)
		if (b.p[k] != (char)('a' + k % 26))
			fail_msg("byte %zu is '%c'", k, b.p[k]);
	assert_int_equal(buf_addc(&b, 'x'), -ENOBUFS);
	assert_int_equal(b.len, n);
	buf_release(&b);
}

static void
test_addf(void **state)
{
	char want[512];
	struct buf b;
	int k;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(buf_addf(&b, "%s %d/%04d", "Quý", 4, 2025), 0);
	assert_string_equal(b.p, "Quý 4/2025");
	buf_reset(&b);
	/* One append that is larger than the first 64 bytes on its own. */
	memset(want, 'z', 200);
	want[200] = '\0';
	assert_int_equal(buf_addf(&b, "%s", want), 0);
	check_invariants(&b);
	assert_int_equal(b.len, 200);
	assert_string_equal(b.p, want);
	/* Many small ones across the 64-, 128- and 256-byte steps. */
	buf_reset(&b);
	for (k = 0; k < 40; k++) {
		assert_int_equal(buf_addf(&b, "[%02d]", k), 0);
		check_invariants(&b);
	}
	assert_int_equal(b.len, 40 * 4);
	assert_memory_equal(b.p, "[00][01][02]", 12);
	assert_memory_equal(b.p + b.len - 4, "[39]", 4);
	buf_release(&b);
}

/*
 * A formatted append past the cap changes nothing, whether the text
 * would have fitted in the memory already held or not.
 */
static void
test_addf_cap(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 20);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	/* Fits in the 64 bytes allocated, not in the cap of 20. */
	assert_int_equal(buf_addf(&b, "%s", "abcdefghijk"), -ENOBUFS);
	assert_string_equal(b.p, "0123456789");
	assert_int_equal(b.len, 10);
	check_invariants(&b);
	buf_release(&b);

	buf_init(&b, 100);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	/* Larger than the memory held and than the cap. */
	assert_int_equal(buf_addf(&b, "%0150d", 1), -ENOBUFS);
	assert_string_equal(b.p, "0123456789");
	assert_int_equal(b.len, 10);
	check_invariants(&b);
	/* boundary: exactly up to the cap. */
	assert_int_equal(buf_addf(&b, "%090d", 1), 0);
	assert_int_equal(b.len, 100);
	check_invariants(&b);
	buf_release(&b);
}

static void
test_truncate_reset(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 100);
	assert_int_equal(buf_adds(&b, "Quý IV/2025"), 0);
	buf_truncate(&b, strlen("Quý IV"));
	assert_string_equal(b.p, "Quý IV");
	/* Lengthening is not truncating: nothing changes. */
	buf_truncate(&b, 50);
	assert_string_equal(b.p, "Quý IV");
	buf_truncate(&b, 0);
	assert_string_equal(b.p, "");
	assert_int_equal(buf_adds(&b, "x"), 0);
	buf_reset(&b);
	check_invariants(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	buf_release(&b);
}

static void
test_detach(void **state)
{
	struct buf b;
	char *s, *t;
	int k;

	(void)state;
	buf_init(&b, 1000);
	for (k = 0; k < 30; k++)
		assert_int_equal(buf_addf(&b, "%d,", k), 0);
	s = buf_detach(&b);
	assert_non_null(s);
	assert_memory_equal(s, "0,1,2,", 6);
	assert_int_equal(strlen(s), 10 * 2 + 20 * 3);
	/* b is released: nothing left for the caller to free (a 64-byte leak each time before). */
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* Releasing it too is harmless; initialised again, it is usable. */
	buf_release(&b);
	buf_init(&b, 1000);
	assert_int_equal(buf_adds(&b, "again"), 0);
	t = buf_detach(&b);
	assert_string_equal(t, "again");
	/* Detaching an empty buffer gives an empty string. */
	buf_init(&b, 1000);
	free(buf_detach(&b));
	free(s);
	free(t);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_zero),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_addf),
		cmocka_unit_test(test_addf_cap),
		cmocka_unit_test(test_truncate_reset),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
