/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/norm.c: UTF-8 validation, the stored NFC form, the folded
 * matching key, display width and truncation.  NFD spellings are written
 * with explicit combining marks so that the source file's own
 * normalisation cannot hide a difference.
 */
#include "testlib.h"

#include <string.h>
#include <utf8proc.h>

#include <string.h>

#include "macro.h"
#include "norm.h"

/* Combining marks for NFD spellings. */
#define ACUTE "\xcc\x81"	/* U+0301 */
#define GRAVE "\xcc\x80"	/* U+0300 */
#define HOOK "\xcc\x89"		/* U+0309 */
#define DOT "\xcc\xa3"		/* U+0323 */
#define HORN "\xcc\x9b"		/* U+031B */
#define CIRC "\xcc\x82"		/* U+0302 */

/* Checks norm_key(in) == want, naming the input on failure. */
static void
check_key(const char *in, const char *want)
{
	char *k = norm_key(in);

	if (!k)
		fail_msg("norm_key('%s') is NULL, expected '%s'", in, want);
	if (strcmp(k, want) != 0) {
		print_error("norm_key('%s') = '%s', expected '%s'\n", in, k, want);
		free(k);
		fail();
	}
	free(k);
}

static void
check_text(const char *in, const char *want)
{
	char *t = norm_text(in);

	if (!t)
		fail_msg("norm_text('%s') is NULL, expected '%s'", in, want);
	if (strcmp(t, want) != 0) {
		print_error("norm_text('%s') = '%s', expected '%s'\n", in, t, want);
		free(t);
		fail();
	}
	free(t);
}

static void
check_truncate(const char *in, size_t width, const char *want)
{
	char *t = norm_truncate(in, width);

	if (strcmp(t, want) != 0) {
		print_error("norm_truncate('%s', %zu) = '%s', expected '%s'\n",
			    in, width, t, want);
		free(t);
		fail();
	}
	if (norm_width(t) > width && width > 0) {
		print_error("norm_truncate('%s', %zu) is %zu wide\n", in, width,
			    norm_width(t));
		free(t);
		fail();
	}
	free(t);
}

static void
test_utf8_valid(void **state)
{
	static const char *const ok[] = {
		"", "abc", "Quý IV/2025", "Đồng", "\xe4\xb8\xad\xe6\x96\x87",
		"\xf0\x9f\x98\x80", "Qu" "y" ACUTE,
	};
	size_t k, off = 12345;

	(void)state;
	for (k = 0; k < ELEMENTSOF(ok); k++) {
		if (!norm_is_utf8(ok[k], strlen(ok[k]), &off))
			fail_msg("'%s' taken for invalid at %zu", ok[k], off);
	}
	/* ret_offset is left alone on success. */
	assert_int_equal(off, 12345);
	assert_true(norm_is_utf8("abc", 3, NULL));
	/* Only n bytes are looked at. */
	assert_true(norm_is_utf8("ab\xff", 2, NULL));
}

static void
test_utf8_invalid(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		size_t off;
	} bad[] = {
		{ "ab\xff" "cd", 5, 2 },
		{ "\xff", 1, 0 },
		{ "Qu\xc3", 3, 2 },			/* cut short */
		{ "a\xc3(", 3, 1 },			/* bad continuation */
		{ "ab\xc0\xaf", 4, 2 },			/* overlong "/" */
		{ "x\xed\xa0\x80", 4, 1 },		/* UTF-16 surrogate */
		{ "xy\xf4\x90\x80\x80", 6, 2 },		/* past U+10FFFF */
		{ "a\0b", 3, 1 },			/* NUL inside */
		{ "Quý\x80", 5, 4 },			/* stray continuation */
	};
	size_t k, off;

	(void)state;
	for (k = 0; k < ELEMENTSOF(bad); k++) {
		off = 999;
		if (norm_is_utf8(bad[k].s, bad[k].n, &off))
			fail_msg("case %zu taken for valid UTF-8", k);
		if (off != bad[k].off)
			fail_msg("case %zu: offset %zu, expected %zu", k, off,
				 bad[k].off);
	}
	assert_false(norm_is_utf8("\xff", 1, NULL));
	assert_null(norm_key("ab\xff"));
	assert_null(norm_text("ab\xff"));
	assert_null(norm_key("Qu\xc3"));
	assert_null(norm_text("\xed\xa0\x80"));
}

/* NFC and NFD spellings of the same words give the same key. */
static void
test_key_nfc_nfd(void **state)
{
	(void)state;
	check_key("Quý II", "quy ii");
	check_key("Qu" "y" ACUTE " II", "quy ii");
	check_key("Hoàn thành", "hoan thanh");
	check_key("Ho" "a" GRAVE "n tha" GRAVE "nh", "hoan thanh");
	check_key("Thường xuyên", "thuong xuyen");
	check_key("Thu" HORN GRAVE "o" HORN "ng xuye" CIRC "n", "thuong xuyen");
	check_key("Sở Khoa học", "so khoa hoc");
	check_key("So" HORN HOOK " Khoa ho" DOT "c", "so khoa hoc");
}

static void
test_key_case(void **state)
{
	(void)state;
	check_key("QUÝ IV/2025", "quy iv/2025");
	check_key("Quý iv/2025", "quy iv/2025");
	check_key("THƯỜNG XUYÊN", "thuong xuyen");
	check_key("SỞ Y TẾ", "so y te");
}

/* "đ" has no decomposition; norm_key maps it by hand. */
static void
test_key_d(void **state)
{
	(void)state;
	check_key("đ", "d");
	check_key("Đ", "d");
	check_key("Đồng Đăng", "dong dang");
	check_key("ĐẾN NGÀY", "den ngay");
	check_key("Theo tiến độ TW", "theo tien do tw");
}

static void
test_key_trailing(void **state)
{
	(void)state;
	check_key("Quý II.", "quy ii");
	check_key("Quý II...", "quy ii");
	check_key("Quý II;", "quy ii");
	check_key("Quý II,", "quy ii");
	check_key("Quý II :", "quy ii");
	check_key("Quý II -", "quy ii");
	check_key("Quý II*", "quy ii");
	check_key("Quý II\xc2\xb9", "quy ii");		/* superscript one */
	check_key("Quý II\xe2\x81\xb5", "quy ii");	/* superscript five */
	check_key("Quý II.\xc2\xb2 ", "quy ii");
	/* Inside the text, punctuation stays. */
	check_key("Thường xuyên, liên tục.", "thuong xuyen, lien tuc");
	check_key("30/9/2025.", "30/9/2025");
	/* Closing brackets pair with an opening one: kept. */
	check_key("Quá hạn (Quý II).", "qua han (quy ii)");
	/* So are closing quotes, ASCII or lumped from typographic ones. */
	check_key("Gọi là \"bộ não số\".", "goi la \"bo nao so\"");
	check_key("\xe2\x80\x9c" "x" "\xe2\x80\x9d" ",", "\"x\"");
	/* A text made only of punctuation folds to nothing. */
	check_key("...", "");
}

static void
test_key_space_and_lumps(void **state)
{
	(void)state;
	check_key("  Quý \t II \n", "quy ii");
	check_key("Quý\xc2\xa0II", "quy ii");			/* no-break space */
	check_key("Quý\xe2\x80\xafII", "quy ii");		/* narrow NBSP */
	check_key("Quý III\xe2\x80\x93" "2025", "quy iii-2025");	/* en dash */
	check_key("\xe2\x80\x9c" "bộ não số" "\xe2\x80\x9d", "\"bo nao so\"");
	check_key("\xe2\x80\x98" "x" "\xe2\x80\x99" "s", "'x's");
	check_key("a\xe2\x80\x8b" "b", "ab");			/* zero width */
	check_key("", "");
	check_key(" ", "");
}

static void
test_text(void **state)
{
	char *t;

	(void)state;
	/* NFD is stored as NFC, case and punctuation are kept. */
	check_text("Qu" "y" ACUTE " II.", "Quý II.");
	check_text("Ho" "a" GRAVE "n tha" GRAVE "nh", "Hoàn thành");
	check_text("  Sở \t Khoa\xc2\xa0học\n", "Sở Khoa học");
	check_text("a\x01" "b\x7f" "c", "abc");
	check_text("Đồng", "Đồng");
	check_text("", "");
	/* Already normal text comes back byte for byte. */
	t = norm_text("Quý IV/2025");
	assert_non_null(t);
	assert_memory_equal(t, "Quý IV/2025", strlen("Quý IV/2025") + 1);
	free(t);
}

/* Any bytes read one character at a time, a bad byte as U+FFFD; which are controls. */
static void
test_char(void **state)
{
	const char *s = "a\xe1\xbb\x87\xff\xc3\xf0\x9f\x98\x80";
	size_t n = strlen(s), i = 0;
	int32_t cp, want[] = { 'a', 0x1EC7, 0xFFFD, 0xFFFD, 0x1F600 };
	size_t k = 0;

	(void)state;
	while (i < n) {
		assert_true(k < ELEMENTSOF(want));
		i += norm_char(s + i, n - i, &cp);
		assert_int_equal(cp, want[k++]);
	}
	assert_int_equal(k, ELEMENTSOF(want));
	/* A character cut by the end of the text is one bad byte, then the rest. */
	assert_int_equal(norm_char("\xe1\xbb", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFD);
	for (int32_t c = 0; c < 0x20; c++)
		assert_true(norm_is_control(c));
	assert_true(norm_is_control(0x7F));
	assert_true(norm_is_control(0x80));
	assert_true(norm_is_control(0x9B));
	assert_true(norm_is_control(0x9F));
	assert_false(norm_is_control(' '));
	assert_false(norm_is_control('~'));
	assert_false(norm_is_control(0xA0));
	assert_false(norm_is_control(0x1EC7));
	assert_false(norm_is_control(0xFFFD));
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(norm_width(""), 0);
	assert_int_equal(norm_width("abc"), 3);
	assert_int_equal(norm_width("Quý"), 3);
	assert_int_equal(norm_width("Qu" "y" ACUTE), 3);
	assert_int_equal(norm_width("Hoàn thành"), 10);
	assert_int_equal(norm_width("Thu" HORN GRAVE "o" HORN "ng"), 6);
	assert_int_equal(norm_width("Trường"), 6);
	assert_int_equal(norm_width("Sở Khoa học và Công nghệ"), 24);
	assert_int_equal(norm_width("\xe4\xb8\xad\xe6\x96\x87"), 4);	/* CJK */
	assert_int_equal(norm_width("\xe2\x80\xa6"), 1);		/* ellipsis */
	/* A bad byte still takes a column: the width never comes out short. */
	assert_int_equal(norm_width("a\xff" "b"), 3);
}

static void
test_truncate(void **state)
{
	(void)state;
	/* Fits: an unchanged copy. */
	check_truncate("Quý II", 6, "Quý II");
	check_truncate("Quý II", 100, "Quý II");
	check_truncate("", 0, "");
	/* boundary: one column too many cuts, with a column for "…". */
	check_truncate("Hoàn thành", 9, "Hoàn thà\xe2\x80\xa6");
	check_truncate("Hoàn thành", 5, "Hoàn\xe2\x80\xa6");
	check_truncate("Hoàn thành", 1, "\xe2\x80\xa6");
	check_truncate("Hoàn thành", 0, "");
	/* NFD: a combining mark stays with its letter. */
	check_truncate("Ho" "a" GRAVE "n tha" GRAVE "nh", 4,
		       "Ho" "a" GRAVE "\xe2\x80\xa6");
	check_truncate("Ho" "a" GRAVE "n tha" GRAVE "nh", 3,
		       "Ho\xe2\x80\xa6");
	/* A wide character that does not fit is left out whole. */
	check_truncate("a\xe4\xb8\xad\xe6\x96\x87", 3, "a\xe2\x80\xa6");
	check_truncate("a\xe4\xb8\xad\xe6\x96\x87", 4,
		       "a\xe4\xb8\xad\xe2\x80\xa6");
}

/*
 * The fold table is a fast path for utf8proc: for every code point it
 * covers, the key must be what utf8proc's full path (decompose, case-fold,
 * strip marks, "đ" to "d") gives.  Each code point is tried inside a word,
 * in NFC and in NFD, so both the fast and the full path are exercised.
 */
static void
test_fold_table_matches_utf8proc(void **state)
{
	static const int ranges[][2] = { { 0xC0, 0x24F }, { 0x1E00, 0x1EFF } };
	int checked = 0;

	(void)state;
	for (size_t r = 0; r < 2; r++) {
		for (int cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
			utf8proc_uint8_t enc[8] = { 0 }, *ref = NULL, *nfd = NULL;
			char word[32], *fast, *slow;
			utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);

			if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CN)
				continue;
			snprintf(word, sizeof(word), "x%.*sy", (int)n, (const char *)enc);
			fast = norm_key(word);
			assert_true(utf8proc_map((const utf8proc_uint8_t *)word, 0, &ref,
						 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
						 UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_LUMP) >= 0);
			/* đ has no decomposition; the key folds it to d on purpose. */
			for (char *c = strstr((char *)ref, "\xc4\x91"); c; c = strstr(c, "\xc4\x91")) {
				c[0] = 'd';
				memmove(c + 1, c + 2, strlen(c + 2) + 1);
			}
			if (strcmp(fast, (const char *)ref) != 0)
				fail_msg("U+%04X: fast key '%s', utf8proc '%s'", cp, fast, ref);
			assert_true(utf8proc_map((const utf8proc_uint8_t *)word, 0, &nfd,
						 UTF8PROC_NULLTERM | UTF8PROC_DECOMPOSE) >= 0);
			slow = norm_key((const char *)nfd);
			if (strcmp(fast, slow) != 0)
				fail_msg("U+%04X: NFC key '%s', NFD key '%s'", cp, fast, slow);
			free(fast);
			free(slow);
			free(ref);
			free(nfd);
			checked++;
		}
	}
	assert_true(checked > 600);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_key_nfc_nfd),
		cmocka_unit_test(test_key_case),
		cmocka_unit_test(test_key_d),
		cmocka_unit_test(test_key_trailing),
		cmocka_unit_test(test_key_space_and_lumps),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_fold_table_matches_utf8proc),
	};

	return cmocka_run_group_tests_name("norm", tests, NULL, NULL);
}
