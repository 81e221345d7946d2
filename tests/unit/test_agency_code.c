/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of registry.c: the codes made for new agencies (apart from
 * test_registry.c, which tests its people keys).
 */
#include "testlib.h"

#include "registry.h"

/* The codes agency_code_candidate gives name, attempts 0.., against want (NULL-ended). */
static void
check_codes(const char *name, const char *const *want)
{
	for (unsigned i = 0; want[i]; i++) {
		char *code = agency_code_candidate(name, i);

		assert_non_null(code);
		if (strcmp(code, want[i]) != 0)
			fail_msg("'%s' attempt %u gave '%s', wanted '%s'", name, i, code, want[i]);
		assert_true(agency_code_is_valid(code));
		free(code);
	}
}

static void
test_more_letters_not_digits(void **state)
{
	(void)state;
	/* The first form is agency_code_guess's initials. */
	check_codes("Sở Nội vụ", (const char *[]){ "snv", "snoivu", "sonoivu", "sonoivu-2", "sonoivu-3", NULL });
	check_codes("Sở Ngoại vụ", (const char *[]){ "snv", "sngv", "sngoaivu", "songoaivu", NULL });
	/* "gi", "qu", "tr", "nh" are one consonant; acronyms stay whole. */
	check_codes("Sở Giáo dục và Đào tạo",
		    (const char *[]){ "sgddt", "sgiddt", "sgiaoducdaotao", "sogiaoducdaotao", NULL });
	check_codes("Ban Quản lý KKT", (const char *[]){ "bqlkkt", "bqulkkt", "bquanlykkt",
							  "banquanlykkt", NULL });
	check_codes("UBND tỉnh", (const char *[]){ "ubndt", "ubndtinh", NULL });
}

static void
test_codes_deterministic_and_bounded(void **state)
{
	char *a, *b, *last;

	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		a = agency_code_candidate("Sở Thông tin và Truyền thông", i);
		b = agency_code_candidate("Sở Thông tin và Truyền thông", i);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	/* Every attempt differs from the ones before, up to the last. */
	for (unsigned i = 0; i < 8; i++) {
		a = agency_code_candidate("Sở Y tế", i);
		for (unsigned j = 0; j < i; j++) {
			b = agency_code_candidate("Sở Y tế", j);
			assert_string_not_equal(a, b);
			free(b);
		}
		free(a);
	}
	last = agency_code_candidate("Sở Y tế", AGENCY_CODE_ATTEMPTS - 1);
	assert_non_null(last);
	assert_true(agency_code_is_valid(last));
	free(last);
	assert_null(agency_code_candidate("Sở Y tế", AGENCY_CODE_ATTEMPTS));
	/* A name without letters still gets a valid code. */
	a = agency_code_candidate("123", 0);
	assert_true(agency_code_is_valid(a));
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_more_letters_not_digits),
		cmocka_unit_test(test_codes_deterministic_and_bounded),
	};

	return cmocka_run_group_tests_name("agency_code", tests, NULL, NULL);
}
