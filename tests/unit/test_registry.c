/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/registry.c: the key under which two spellings of a
 * person's name are one person (person_name_key), and email addresses as
 * compared (person_email_key).  NFD spellings are written with explicit
 * combining marks so that the source file's own form cannot hide one.
 */
#include "testlib.h"

#include "registry.h"

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
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
