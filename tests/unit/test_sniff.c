/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/sniff.c: a table file's kind from its bytes (BOMs, zip,
 * OLE, UTF-16 told by its NUL bytes, binary left to the text path), the
 * UTF-16 to UTF-8 conversion, the code page named for text that is not
 * UTF-8, Excel's quoting in tab-separated text, and the separator: the
 * one a header row shows, else the one that splits lines evenly.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "appendix.h"
#include "macro.h"
#include "sniff.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static void
test_format(void **state)
{
	static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     3, 0, 0x3e, 0, 1, 0, 0, 0, 0x10, 0x6b, 0, 0, 0, 0, 0, 0 };
	(void)state;
	assert_int_equal(sniff_format(S("STT\tNhiệm vụ\n")), SNIFF_TEXT);
	assert_int_equal(sniff_format(S("\xEF\xBB\xBFSTT,Nhiệm vụ\r\n")), SNIFF_TEXT);
	assert_int_equal(sniff_format(S("")), SNIFF_TEXT);
	assert_int_equal(sniff_format(S("\xFF\xFES\0T\0T\0")), SNIFF_UTF16LE);
	assert_int_equal(sniff_format(S("\xFE\xFF\0S\0T\0T")), SNIFF_UTF16BE);
	assert_int_equal(sniff_format(S("\xFF\xFE\0\0S\0\0\0")), SNIFF_UTF32);
	assert_int_equal(sniff_format(S("PK\x03\x04\x14\0\0\0")), SNIFF_ZIP);
	assert_int_equal(sniff_format(S("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0")), SNIFF_OLE);
	/* Without a BOM: one byte of each pair is NUL. */
	assert_int_equal(sniff_format(S("S\0T\0T\0\t\0N\0h\0i\0\x07\x1e")), SNIFF_UTF16LE_NOBOM);
	assert_int_equal(sniff_format(S("\0S\0T\0T\0\t\0N\0h\0i\x1e\x07")), SNIFF_UTF16BE_NOBOM);
	/* NULs on both sides: binary, for the text path to refuse as such. */
	assert_int_equal(sniff_format(elf, sizeof(elf)), SNIFF_TEXT);
}

static void
check_utf16(const char *in, size_t n, bool be, const char *want)
{
	char *out = NULL;
	size_t len = 0, line = 0;

	assert_int_equal(sniff_utf16_to_utf8(in, n, be, &out, &len, &line), 0);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

static void
test_utf16(void **state)
{
	char *out = NULL;
	size_t len = 0, line = 0;

	(void)state;
	/* "Sở\tệ\n" with and without the BOM, both byte orders. */
	check_utf16(S("\xFF\xFES\0\xdf\x1e\t\0\xc7\x1e\n\0"), false, "S\xe1\xbb\x9f\t\xe1\xbb\x87\n");
	check_utf16(S("S\0\xdf\x1e"), false, "S\xe1\xbb\x9f");
	check_utf16(S("\xFE\xFF\0S\x1e\xdf"), true, "S\xe1\xbb\x9f");
	/* A surrogate pair: U+1F600. */
	check_utf16(S("\xFF\xFE\x3d\xd8\x00\xde"), false, "\xf0\x9f\x98\x80");
	check_utf16(S("\xFF\xFE"), false, "");
	/* A lone surrogate on line 2, a NUL, an odd byte at the end. */
	assert_int_equal(sniff_utf16_to_utf8(S("\xFF\xFE" "a\0\n\0\x3d\xd8x\0"), false, &out, &len,
					     &line), -EILSEQ);
	assert_int_equal(line, 2);
	assert_int_equal(sniff_utf16_to_utf8(S("\xFF\xFE" "a\0\0\0"), false, &out, &len, &line),
			 -EILSEQ);
	assert_int_equal(sniff_utf16_to_utf8(S("\xFF\xFE" "a\0\n\0\n\0b"), false, &out, &len, &line),
			 -EILSEQ);
	assert_int_equal(line, 3);
	assert_null(out);
}

static void
test_legacy(void **state)
{
	(void)state;
	/* "Sở Nội vụ; Đánh giá" in Windows-1258: ơ + hook, ô + dot below, ... */
	assert_string_equal(sniff_legacy_name(S("S\xf5\xd2 N\xf4\xf2i vu\xf2; \xd0" "a\xecnh gia\xec")),
			    "Windows-1258");
	/* "Café déjà vu" in Windows-1252. */
	assert_string_equal(sniff_legacy_name(S("Caf\xe9 d\xe9j\xe0 vu")), "Windows-1252");
	/* UTF-8 with one broken character: no code page to name. */
	assert_null(sniff_legacy_name(S("Sở Nội vụ, Sở Y tế \xe1\xbb")));
}

static void
test_ole(void **state)
{
	static const char enc[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1...E\0n\0c\0r\0y\0p\0t\0e\0d\0"
				  "P\0a\0c\0k\0a\0g\0e\0";
	static const char doc[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1...W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0";

	(void)state;
	assert_non_null(strstr(sniff_ole_kind(enc, sizeof(enc) - 1), "password-protected"));
	assert_non_null(strstr(sniff_ole_kind(doc, sizeof(doc) - 1), ".doc"));
	assert_non_null(strstr(sniff_ole_kind(S("\xD0\xCF\x11\xE0")), "OLE"));
}

static void
test_tab_quoted(void **state)
{
	(void)state;
	/* Excel's quoting: a cell with a tab, a line break or quotes. */
	assert_true(sniff_tab_quoted(S("1\t\"a \"\"b\"\", c\"\tx\r\n2\t\"line\nbreak\"\ty\r\n")));
	assert_true(sniff_tab_quoted(S("\"a\"")));
	/* A Word paste: a cell starts with a quote of its own. */
	assert_false(sniff_tab_quoted(S("1\t\"Chương trình X\" của tỉnh\tSở Y tế\n")));
	assert_false(sniff_tab_quoted(S("1\t\"never closed\tSở Y tế\n")));
	/* No quote at the start of a cell: nothing to say it quotes. */
	assert_false(sniff_tab_quoted(S("1\tChương \"trình\"\tSở Y tế\n")));
}

static bool
header(char *const *cells, size_t n, void *ctx)
{
	struct appendix_header h;

	(void)ctx;
	return appendix_header_parse(cells, n, &h);
}

static void
check_sep(const char *text, char want)
{
	char sep = 0, pair[2];

	if (sniff_separator(text, strlen(text), header, NULL, &sep, pair) != 0 || sep != want)
		fail_msg("separator of '%s': got '%c', want '%c'", text, sep, want);
}

static void
test_separator(void **state)
{
	char sep = 'x', pair[2] = { 0 };

	(void)state;
	/* The header row decides, whatever the rows hold. */
	check_sep("STT\tNhiệm vụ\tCơ quan chủ trì\n1.\tA, B; C\tSở Y tế, Sở Nội vụ\n", '\t');
	check_sep("STT;Nhiệm vụ;Cơ quan chủ trì\r\n1.;Việc A, việc B;Sở Y tế, Sở Nội vụ\r\n", ';');
	check_sep("STT,Nhiệm vụ,Cơ quan chủ trì\r\n1.,\"Việc A; việc B\",\"Sở Y tế, Sở Nội vụ\"\r\n",
		  ',');
	check_sep("\xEF\xBB\xBFPHỤ LỤC I,,\r\nSTT,Nhiệm vụ,Cơ quan chủ trì\r\n", ',');
	/* No header: the separator that splits lines evenly. */
	check_sep("1;Việc A, B, C;Sở Y tế\n2;Việc D;Sở Nội vụ, Sở Tư pháp\n3;Việc E, F;Sở X\n", ';');
	check_sep("1,\"Việc A; B\",Sở Y tế\n2,Việc D,\"Sở Nội vụ; Sở Tư pháp\"\n3,E,F\n", ',');
	/* Commas and semicolons equally even: cannot be decided. */
	assert_int_equal(sniff_separator(S("a,b;c\nd,e;f\n"), header, NULL, &sep, pair), -EINVAL);
	assert_int_equal(pair[0], ';');
	assert_int_equal(pair[1], ',');
	assert_int_equal(sep, 'x');
	/* Prose, or one column: nothing splits. */
	assert_int_equal(sniff_separator(S("Báo cáo tháng 9\nKhông có bảng\n"), header, NULL, &sep,
					 pair), -ENOENT);
	assert_int_equal(sniff_separator(S(""), NULL, NULL, &sep, pair), -ENOENT);
	assert_string_equal(sniff_separator_name('\t'), "tab");
	assert_string_equal(sniff_separator_name(';'), "';'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_ole),
		cmocka_unit_test(test_tab_quoted),
		cmocka_unit_test(test_separator),
	};

	return cmocka_run_group_tests_name("sniff", tests, NULL, NULL);
}
