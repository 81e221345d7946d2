/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of extension.c's reading of "/giahan SỐ HẠN lý do": the
 * deadline is the longest run of the first words that is a deadline with a
 * day (every form of DESIGN §3 that has one), the rest is the reason.  The
 * rules that need a registry (supersession, moot, refusals) are tested
 * through the chat commands in test_command.c.
 */
#include "testlib.h"

#include <errno.h>

#include "deadline.h"
#include "extension.h"
#include "norm.h"

static void
parse_ok(const char *text, const char *raw, const char *rest, enum deadline_precision p,
	 struct date due)
{
	struct deadline dl = { 0 };
	const char *got_rest = NULL;
	char *got_raw = NULL, *norm = norm_text(text);

	if (extension_parse(norm, 2025, &dl, &got_raw, &got_rest) != 0)
		fail_msg("'%s' was not read as a deadline", text);
	assert_string_equal(got_raw, raw);
	assert_string_equal(got_rest, rest);
	assert_int_equal(dl.precision, p);
	assert_true(dl.has_due);
	assert_int_equal(date_cmp(dl.due, due), 0);
	free(got_raw);
	free(norm);
}

static void
test_every_form_with_a_day(void **state)
{
	(void)state;
	parse_ok("31/3/2026 chờ hướng dẫn của Bộ", "31/3/2026", "chờ hướng dẫn của Bộ", DEADLINE_DAY,
		 (struct date){ 2026, 3, 31 });
	parse_ok("Quý I/2026 chờ hướng dẫn", "Quý I/2026", "chờ hướng dẫn", DEADLINE_QUARTER,
		 (struct date){ 2026, 3, 31 });
	parse_ok("Tháng 3/2026 chờ số liệu", "Tháng 3/2026", "chờ số liệu", DEADLINE_MONTH,
		 (struct date){ 2026, 3, 31 });
	parse_ok("6 tháng đầu năm 2026 cần khảo sát thêm", "6 tháng đầu năm 2026",
		 "cần khảo sát thêm", DEADLINE_HALF, (struct date){ 2026, 6, 30 });
	parse_ok("Năm 2026 vì thiếu kinh phí", "Năm 2026", "vì thiếu kinh phí", DEADLINE_YEAR,
		 (struct date){ 2026, 12, 31 });
	parse_ok("Quý 2 năm 2026 lý do", "Quý 2 năm 2026", "lý do", DEADLINE_QUARTER,
		 (struct date){ 2026, 6, 30 });
	parse_ok("Hoàn thành trước ngày 15/1/2026 chờ", "Hoàn thành trước ngày 15/1/2026", "chờ",
		 DEADLINE_DAY, (struct date){ 2026, 1, 15 });
}

static void
test_greedy_and_the_reason(void **state)
{
	(void)state;
	/* "6" alone is no deadline; the longest run is the half year. */
	parse_ok("6 tháng cuối năm 2026", "6 tháng cuối năm 2026", "", DEADLINE_HALF,
		 (struct date){ 2026, 12, 31 });
	/* No reason: the rest is empty (the caller names it as missing). */
	parse_ok("Quý I/2026", "Quý I/2026", "", DEADLINE_QUARTER, (struct date){ 2026, 3, 31 });
	/* A reason that starts with a number stays the reason. */
	parse_ok("31/12/2025 2 văn bản chưa ban hành", "31/12/2025", "2 văn bản chưa ban hành",
		 DEADLINE_DAY, (struct date){ 2025, 12, 31 });
	/* Blanks between the words do not matter. */
	parse_ok("  Quý IV/2025   chờ", "Quý IV/2025", "chờ", DEADLINE_QUARTER,
		 (struct date){ 2025, 12, 31 });
}

static void
test_not_a_deadline(void **state)
{
	static const char *const bad[] = {
		"chờ 31/12/2025", "Thường xuyên lý do", "Theo tiến độ TW lý do", "31/13/2025 lý do",
		"30/02/2026 lý do", "Quý V/2026 lý do", "", "mai",
	};
	struct deadline dl = { 0 };
	const char *rest = NULL;
	char *raw = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (extension_parse(bad[i], 2025, &dl, &raw, &rest) != -EINVAL)
			fail_msg("'%s' was read as deadline '%s'", bad[i], raw ? raw : "");
		assert_null(raw);
	}
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(extension_verdict_to_string(EXT_OK), "ok");
	assert_string_equal(extension_verdict_to_string(EXT_OWN), "own");
	for (int v = 0; v < _EXT_VERDICT_MAX; v++)
		assert_non_null(extension_verdict_to_string((enum extension_verdict)v));
	assert_null(extension_verdict_to_string(_EXT_VERDICT_MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_form_with_a_day),
		cmocka_unit_test(test_greedy_and_the_reason),
		cmocka_unit_test(test_not_a_deadline),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
