/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of abbrev.c: the abbreviation table of agency names, its
 * file, and the matching keys it gives.
 */
#include "testlib.h"

#include <errno.h>

#include "abbrev.h"
#include "xalloc.h"

/* The key of name through ab, checked against want. */
static void
check_key(const struct abbrev *ab, const char *name, const char *want)
{
	char *key = abbrev_key(ab, name);

	assert_non_null(key);
	if (strcmp(key, want) != 0)
		fail_msg("'%s' gave '%s', wanted '%s'", name, key, want);
	free(key);
}

static void
test_expand(void **state)
{
	struct abbrev *ab = abbrev_new();

	(void)state;
	assert_int_equal(abbrev_add(ab, "UBND", "Ủy ban nhân dân"), 0);
	assert_int_equal(abbrev_add(ab, "KH&CN", "Khoa học và Công nghệ"), 0);
	assert_int_equal(abbrev_add(ab, "KHCN", "Khoa học và Công nghệ"), 0);
	assert_int_equal(abbrev_count(ab), 3);
	/* Short and long spellings give one key, whatever the case and marks. */
	check_key(ab, "UBND tỉnh", "uy ban nhan dan tinh");
	check_key(ab, "Ủy ban nhân dân tỉnh", "uy ban nhan dan tinh");
	check_key(ab, "Uỷ ban Nhân dân Tỉnh.", "uy ban nhan dan tinh");
	check_key(ab, "Văn phòng ubnd tỉnh", "van phong uy ban nhan dan tinh");
	/* "KH & CN", "KH& CN", "KH&CN" and "KHCN" are the same short form. */
	check_key(ab, "Sở KH&CN", "so khoa hoc va cong nghe");
	check_key(ab, "Sở KH & CN", "so khoa hoc va cong nghe");
	check_key(ab, "Sở KH& CN", "so khoa hoc va cong nghe");
	check_key(ab, "Sở KHCN", "so khoa hoc va cong nghe");
	check_key(ab, "Sở Khoa học và Công nghệ", "so khoa hoc va cong nghe");
	/* Only whole words: "UBNDX" is no abbreviation; punctuation separates words. */
	check_key(ab, "UBNDX tỉnh", "ubndx tinh");
	check_key(ab, "(UBND) tỉnh", "uy ban nhan dan tinh");
	abbrev_free(ab);
}

static void
test_expand_longest_first(void **state)
{
	struct abbrev *ab = abbrev_new();

	(void)state;
	assert_int_equal(abbrev_add(ab, "KT", "Kinh tế"), 0);
	assert_int_equal(abbrev_add(ab, "KT XH", "Kinh tế - xã hội"), 0);
	check_key(ab, "Ban KT XH", "ban kinh te xa hoi");
	check_key(ab, "Ban KT", "ban kinh te");
	/* Without a table, only norm_key's folding (and words). */
	check_key(NULL, "Ban KT-XH", "ban kt xh");
	abbrev_free(ab);
}

static void
test_add_refused(void **state)
{
	struct abbrev *ab = abbrev_new();

	(void)state;
	assert_int_equal(abbrev_add(ab, "UBND", "Ủy ban nhân dân"), 0);
	assert_int_equal(abbrev_add(ab, "ubnd", "Ủy ban"), -EEXIST);
	assert_int_equal(abbrev_add(ab, "CNTT", "cntt"), -EINVAL);
	assert_int_equal(abbrev_add(ab, "...", "Ủy ban"), -EINVAL);
	assert_int_equal(abbrev_add(ab, "CNTT", ""), -EINVAL);
	assert_int_equal(abbrev_count(ab), 1);
	abbrev_free(ab);
	assert_null(abbrev_free(NULL));
}

/* Loads text as a file; the error message (new) or NULL when it loads. */
static char *
load_text(const char *text, struct abbrev **ret)
{
	char path[] = "/tmp/test_abbrev.XXXXXX";
	char *msg = NULL;
	int fd = mkstemp(path), r;

	assert_true(fd >= 0);
	close(fd);
	testlib_write(path, text);
	*ret = NULL;
	r = abbrev_load(path, ret, &msg);
	(void)unlink(path);
	if (r < 0) {
		assert_non_null(msg);
		assert_null(*ret);
		/* The messages name the file ("/tmp/test_abbrev.X:LINE: ..."). */
		assert_non_null(strstr(msg, "/tmp/test_abbrev."));
		return msg;
	}
	assert_non_null(*ret);
	return NULL;
}

static void
test_load(void **state)
{
	struct abbrev *ab;
	char *msg;

	(void)state;
	msg = load_text("\xEF\xBB\xBF# comment\n; comment\n\n[abbreviations]\nUBND = Ủy ban nhân dân\n"
			"TT&TT = Thông tin và Truyền thông\n", &ab);
	assert_null(msg);
	assert_int_equal(abbrev_count(ab), 2);
	check_key(ab, "Sở TT&TT", "so thong tin va truyen thong");
	abbrev_free(ab);
}

/* Loads text and checks the message holds want. */
static void
check_refused(const char *text, const char *want)
{
	struct abbrev *ab;
	char *msg = load_text(text, &ab);

	assert_non_null(msg);
	if (!strstr(msg, want))
		fail_msg("'%s' does not say '%s'", msg, want);
	free(msg);
}

static void
test_load_refused(void **state)
{
	struct abbrev *ab = NULL;
	char *msg = NULL;

	(void)state;
	check_refused("[abbreviations]\nUBND = Ủy ban nhân dân\nUBND = Ủy ban\n", ":3: 'UBND' is given twice");
	check_refused("[abbreviations]\nUBND\n", ":2: syntax error");
	check_refused("[viet tat]\nUBND = Ủy ban nhân dân\n", ":1: unknown section '[viet tat]'");
	check_refused("UBND = Ủy ban nhân dân\n", ":1: 'UBND' is outside the [abbreviations] section");
	check_refused("[abbreviations]\nUBND = Ủy ban nhân dân\n  HĐND = Hội đồng nhân dân\n",
		      ":3: indented line");
	check_refused("[abbreviations]\nCNTT = cntt\n", ":2: 'CNTT = cntt' is not an abbreviation");
	check_refused("[abbreviations]\nUBND = \xff\xfe\n", ":2: not valid UTF-8");
	assert_int_equal(abbrev_load("/nonexistent/abbreviations.ini", &ab, &msg), -ENOENT);
	assert_string_equal(msg, "/nonexistent/abbreviations.ini: cannot open: No such file or "
			    "directory");
	assert_null(ab);
	free(msg);
}

/* The file installed with the schedules loads, and matches what the README says. */
static void
test_shipped_file(void **state)
{
	struct abbrev *ab = NULL;
	char *msg = NULL;

	(void)state;
	if (abbrev_load("schedules/" ABBREV_FILE, &ab, &msg) < 0)
		fail_msg("%s", msg);
	assert_true(abbrev_count(ab) >= 10);
	check_key(ab, "UBND tỉnh", "uy ban nhan dan tinh");
	check_key(ab, "HĐND tỉnh", "hoi dong nhan dan tinh");
	check_key(ab, "Sở KH&CN", "so khoa hoc va cong nghe");
	check_key(ab, "Sở TT&TT", "so thong tin va truyen thong");
	check_key(ab, "BCĐ CĐS tỉnh", "ban chi dao chuyen doi so tinh");
	check_key(ab, "Trung tâm CNTT", "trung tam cong nghe thong tin");
	check_key(ab, "Hội đồng ĐMST", "hoi dong doi moi sang tao");
	abbrev_free(ab);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_longest_first),
		cmocka_unit_test(test_add_refused),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_load_refused),
		cmocka_unit_test(test_shipped_file),
	};

	return cmocka_run_group_tests_name("abbrev", tests, NULL, NULL);
}
