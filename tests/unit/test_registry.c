/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/registry.c: the key under which two spellings of a
 * person's name are one person (person_name_key), and email addresses as
 * compared (person_email_key), a person's addresses in memory
 * (person_address_*), phone numbers as stored (person_phone_normalise).  NFD spellings are written with explicit
 * combining marks so that the source file's own form cannot hide one.
 */
#include "testlib.h"

#include "registry.h"
#include "xalloc.h"

#define GRAVE "\xcc\x80"	/* U+0300 */
#define TILDE "\xcc\x83"	/* U+0303 */
#define CIRC "\xcc\x82"		/* U+0302 */

/* Checks person_name_key(in) == want, naming the input on failure. */
static void
check_name(const char *in, const char *want)
{
	char *k = person_name_key(in);

	if (!k)
		fail_msg("person_name_key('%s') is NULL, expected '%s'", in, want);
	if (strcmp(k, want) != 0) {
		print_error("person_name_key('%s') = '%s', expected '%s'\n", in, k, want);
		free(k);
		fail();
	}
	free(k);
}

static void
test_name_case_diacritics_forms(void **state)
{
	(void)state;
	check_name("Nguyễn Văn An", "nguyen van an");
	check_name("NGUYỄN VĂN AN", "nguyen van an");
	check_name("nguyen van an", "nguyen van an");
	/* NFD: e + circumflex + tilde, a + breve written as composed. */
	check_name("Nguye" CIRC TILDE "n Văn An", "nguyen van an");
	check_name("Đỗ Thị Hà", "do thi ha");
}

static void
test_name_spaces_and_punctuation(void **state)
{
	(void)state;
	check_name("  Nguyễn   Văn\tAn  ", "nguyen van an");
	check_name("Nguyễn Văn An.", "nguyen van an");
	check_name("An, Nguyễn Văn", "an nguyen van");	/* the order is kept: not the same */
	check_name("Lê Văn Bình,", "le van binh");
}

static void
test_name_titles(void **state)
{
	(void)state;
	check_name("Ông Nguyễn Văn An", "nguyen van an");
	check_name("Bà Trần Thị Bình", "tran thi binh");
	check_name("Đồng chí Lê Văn Cường", "le van cuong");
	check_name("Đ/c Lê Văn Cường", "le van cuong");
	check_name("đ/c. Lê Văn Cường", "le van cuong");
	check_name("TS. Phạm Minh Dũng", "pham minh dung");
	check_name("PGS.TS. Phạm Minh Dũng", "pham minh dung");
	check_name("ThS Hoàng Thị Em", "hoang thi em");
	check_name("Ông Bà Ba", "ba");		/* titles go while one starts the name */
}

static void
test_name_titles_only_before(void **state)
{
	(void)state;
	/* A word that is a title elsewhere stays inside a name. */
	check_name("Nguyễn Thị Ba", "nguyen thi ba");
	check_name("Hồ Ông", "ho ong");
	/* A title alone, or a name alone that reads as one, is kept whole. */
	check_name("Ông", "ong");
	check_name("Ba", "ba");
	/* "Tsang" starts with "ts" but is no title: a title is a whole word. */
	check_name("Tsang Văn A", "tsang van a");
}

static void
test_name_distinct(void **state)
{
	char *a = person_name_key("Nguyễn Văn An"), *b = person_name_key("Nguyễn Văn Anh");

	(void)state;
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	assert_null(person_name_key("\xff\xfe"));
	check_name("", "");
}

static void
test_email_key(void **state)
{
	char *k;

	(void)state;
	k = person_email_key("  An.Nguyen@SNV.gov.VN ");
	assert_string_equal(k, "an.nguyen@snv.gov.vn");
	free(k);
	k = person_email_key("an@snv.gov.vn");
	assert_string_equal(k, "an@snv.gov.vn");
	free(k);
}

/* Checks person_phone_normalise(in) == want (NULL: refused). */
static void
check_phone(const char *in, const char *want)
{
	char *got = person_phone_normalise(in);

	if (!want && got)
		fail_msg("'%s' gave '%s', expected a refusal", in, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("'%s' gave '%s', expected '%s'", in, got ? got : "(refused)", want);
	free(got);
}

static void
test_phone(void **state)
{
	(void)state;
	check_phone("0912345678", "84912345678");
	check_phone("+84912345678", "84912345678");
	check_phone("84912345678", "84912345678");
	check_phone("02438253131", "842438253131");	/* a fixed line in Hà Nội */
	check_phone("+12025550123", "12025550123");
	check_phone("", NULL);
	check_phone("+", NULL);
	check_phone("091234567a", NULL);
	check_phone("0912 345 678", NULL);
	check_phone("912345678", NULL);		/* no trunk 0, no country: which? */
	check_phone("12025550123", NULL);	/* another country needs its '+' */
	check_phone("0012025550123", NULL);
	check_phone("091234", NULL);
	check_phone("+840912345678", NULL);	/* the trunk 0 after the country */
	check_phone("+1234567890123456", NULL);	/* longer than E.164 */
}

static void
test_addresses_in_memory(void **state)
{
	struct person p = { .name = xstrdup("Nguyễn Văn An") }, c = { 0 };
	struct address *a;

	(void)state;
	assert_null(person_address(&p, "email"));
	assert_false(person_reachable(&p, "email"));
	a = person_address_set(&p, "email", "an@snv.gov.vn");
	assert_non_null(a);
	a->broken_at = 100;
	a->last_in = 50;
	assert_string_equal(person_address(&p, "email"), "an@snv.gov.vn");
	assert_false(person_reachable(&p, "email"));
	assert_non_null(person_address_set(&p, "telegram", "1001"));
	assert_true(person_reachable(&p, "telegram"));
	/* A copy is its own. */
	person_copy(&c, &p);
	assert_int_equal(c.n_addresses, 2);
	assert_int_equal(person_address_get(&c, "email")->broken_at, 100);
	assert_int_equal(person_address_get(&c, "email")->last_in, 50);
	/* A new value is a new address: working, never written through. */
	a = person_address_set(&p, "email", "an2@snv.gov.vn");
	assert_int_equal(a->broken_at, 0);
	assert_int_equal(a->last_in, 0);
	assert_true(person_reachable(&p, "email"));
	assert_string_equal(person_address(&c, "email"), "an@snv.gov.vn");
	/* Removed by NULL or "". */
	assert_null(person_address_set(&p, "email", ""));
	assert_null(person_address(&p, "email"));
	assert_string_equal(person_address(&p, "telegram"), "1001");
	assert_null(person_address_set(&p, "telegram", NULL));
	assert_int_equal(p.n_addresses, 0);
	assert_null(person_address_set(&p, "zalo", NULL));
	person_release(&p);
	person_release(&c);
}

/*
 * Zalo's interaction window (CHAT-APIS.md B3): open for 7 days after the
 * person last wrote, to the second; never written, refused or no address
 * is closed; a time far ahead of now (a clock set wrong) is not trusted.
 */
static void
test_window(void **state)
{
	const int64_t week = 7 * 86400, now = 1767225600;	/* 2026-01-01 00:00 UTC */
	struct person p = { .name = xstrdup("Nguyễn Văn An") };
	struct address *a;

	(void)state;
	assert_false(person_window_open(&p, "zalo", now, week));
	assert_null(person_window_state(&p, "zalo", now, week));
	a = person_address_set(&p, "zalo", "7360081927781154023");
	/* Never written through. */
	assert_false(person_window_open(&p, "zalo", now, week));
	assert_string_equal(person_window_state(&p, "zalo", now, week), "closed");
	/* Within 7 days, up to 7 days exactly. */
	a->last_in = now - 3600;
	assert_true(person_window_open(&p, "zalo", now, week));
	assert_string_equal(person_window_state(&p, "zalo", now, week), "open");
	a->last_in = now - week;
	assert_true(person_window_open(&p, "zalo", now, week));
	/* 7 days and a second. */
	a->last_in = now - week - 1;
	assert_false(person_window_open(&p, "zalo", now, week));
	assert_string_equal(person_window_state(&p, "zalo", now, week), "closed");
	/* The window is the one given: 3 days of it are over. */
	a->last_in = now - 4 * 86400;
	assert_true(person_window_open(&p, "zalo", now, week));
	assert_false(person_window_open(&p, "zalo", now, 3 * 86400));
	/* Refused (Zalo's mark of a window error, until they write again): closed. */
	a->last_in = now - 60;
	a->broken_at = now - 30;
	assert_false(person_window_open(&p, "zalo", now, week));
	assert_string_equal(person_window_state(&p, "zalo", now, week), "closed");
	a->broken_at = 0;
	/* A last message a day ahead of now: a clock gone wrong, not an open window. */
	a->last_in = now + 86400;
	assert_false(person_window_open(&p, "zalo", now, week));
	/* Another channel's window is its own. */
	a->last_in = now - 60;
	assert_false(person_window_open(&p, "telegram", now, week));
	assert_null(person_window_state(&p, "telegram", now, week));
	person_release(&p);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_case_diacritics_forms),
		cmocka_unit_test(test_name_spaces_and_punctuation),
		cmocka_unit_test(test_name_titles),
		cmocka_unit_test(test_name_titles_only_before),
		cmocka_unit_test(test_name_distinct),
		cmocka_unit_test(test_email_key),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_addresses_in_memory),
		cmocka_unit_test(test_window),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
