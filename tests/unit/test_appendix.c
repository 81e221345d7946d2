/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of appendix.c: the pieces of a committee table.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "appendix.h"
#include "norm.h"

static void
test_header_fixture(void **state)
{
	char *cells[] = { "STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện",
			  "Thời hạn hoàn thành" };
	struct appendix_header h;

	(void)state;
	assert_true(appendix_header_parse(cells, 5, &h));
	assert_int_equal(h.col[COL_STT], 0);
	assert_int_equal(h.col[COL_TITLE], 1);
	assert_int_equal(h.col[COL_DOCUMENT], 2);
	assert_int_equal(h.col[COL_LEAD], 3);
	assert_int_equal(h.col[COL_DEADLINE], 4);
	assert_int_equal(h.col[COL_ASSESSMENT], -1);
	assert_int_equal(h.n_cells, 5);
}

static void
test_header_variants(void **state)
{
	/* Upper case, no diacritics, other order, an extra column, "Đánh giá". */
	char *cells[] = { "TT", "CO QUAN CHU TRI", "Nội dung nhiệm vụ", "Ghi chú", "ĐÁNH GIÁ",
			  "Cơ quan phối hợp" };
	char *not_header[] = { "1.", "Tỷ lệ phủ sóng 5G", "Kế hoạch số 328-KH/TU ngày 24/4/2025",
			       "Sở Khoa học và Công nghệ", "Chưa đạt" };
	char *no_title[] = { "STT", "Cơ quan chủ trì" };
	struct appendix_header h;

	(void)state;
	assert_true(appendix_header_parse(cells, 6, &h));
	assert_int_equal(h.col[COL_STT], 0);
	assert_int_equal(h.col[COL_LEAD], 1);
	assert_int_equal(h.col[COL_TITLE], 2);
	assert_int_equal(h.col[COL_ASSESSMENT], 4);
	assert_int_equal(h.col[COL_COOP], 5);
	assert_int_equal(h.col[COL_DEADLINE], -1);
	assert_false(appendix_header_parse(not_header, 5, &h));
	assert_false(appendix_header_parse(no_title, 2, &h));
}

static void
test_stt(void **state)
{
	char *s = NULL;

	(void)state;
	assert_int_equal(appendix_stt_parse("1.", &s), STT_NUMBER);
	assert_string_equal(s, "1");
	free(s);
	assert_int_equal(appendix_stt_parse("12", NULL), STT_NUMBER);
	assert_int_equal(appendix_stt_parse("3.1", NULL), STT_NUMBER);
	assert_int_equal(appendix_stt_parse("", NULL), STT_EMPTY);
	assert_int_equal(appendix_stt_parse("   ", NULL), STT_EMPTY);
	assert_int_equal(appendix_stt_parse("II.", NULL), STT_SECTION);
	assert_int_equal(appendix_stt_parse("IV", NULL), STT_SECTION);
	assert_int_equal(appendix_stt_parse("A", NULL), STT_SECTION);
	assert_int_equal(appendix_stt_parse("¹ Đến ngày 15/9/2025", NULL), STT_OTHER);
	assert_int_equal(appendix_stt_parse("Ghi chú", NULL), STT_OTHER);
}

static void
test_document_plan(void **state)
{
	struct appendix_document d;

	(void)state;
	assert_int_equal(appendix_document_parse("Kế hoạch số 328-KH/TU ngày 24/4/2025", &d, NULL), 0);
	assert_string_equal(d.kind, "Kế hoạch");
	assert_string_equal(d.number, "328-KH/TU");
	assert_true(d.has_date);
	assert_int_equal(d.date.y, 2025);
	assert_int_equal(d.date.m, 4);
	assert_int_equal(d.date.d, 24);
	appendix_document_release(&d);

	assert_int_equal(appendix_document_parse("Chương trình 01-CTr/BCĐ, ngày 10/6/2025", &d, NULL), 0);
	assert_string_equal(d.kind, "Chương trình");
	assert_string_equal(d.number, "01-CTr/BCĐ");
	assert_true(d.has_date);
	assert_int_equal(d.date.m, 6);
	assert_int_equal(d.date.d, 10);
	appendix_document_release(&d);

	assert_int_equal(appendix_document_parse("Kế hoạch 655/KH-UBND ngày 22/08/2024", &d, NULL), 0);
	assert_string_equal(d.number, "655/KH-UBND");
	assert_int_equal(d.date.y, 2024);
	appendix_document_release(&d);
}

static void
test_document_without_number_or_date(void **state)
{
	struct appendix_document d;
	const char *why = NULL;

	(void)state;
	assert_int_equal(appendix_document_parse("Chỉ đạo của UBND tỉnh", &d, NULL), 0);
	assert_string_equal(d.number, "Chỉ đạo của UBND tỉnh");
	assert_false(d.has_date);
	appendix_document_release(&d);
	assert_int_equal(appendix_document_parse("Kế hoạch số 1-KH/BCĐ ngày 30/02/2025", &d, &why),
			 -EINVAL);
	assert_non_null(why);
}

static void
test_agencies_split(void **state)
{
	char **v = NULL;
	size_t n;

	(void)state;
	n = appendix_split_agencies("Sở Nội vụ; Sở Khoa học và Công nghệ", &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "Sở Nội vụ");
	assert_string_equal(v[1], "Sở Khoa học và Công nghệ");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	/* Commas and "và" stay inside a name; empty parts and dots go. */
	n = appendix_split_agencies("Các sở, ban, ngành, địa phương.;  ; Sở Khoa học và Công nghệ và các Viện/trường", &v);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "Các sở, ban, ngành, địa phương");
	assert_string_equal(v[1], "Sở Khoa học và Công nghệ và các Viện/trường");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);

	assert_int_equal(appendix_split_agencies(" ; ", &v), 0);
	free(v);
}

static void
test_assessment(void **state)
{
	struct appendix_assessment a;

	(void)state;
	assert_int_equal(appendix_assessment_parse("Chưa đạt", &a), 0);
	assert_int_equal(a.status, TASK_NOT_ACHIEVED);
	assert_null(a.deadline);
	assert_int_equal(appendix_assessment_parse("Chưa đánh giá được", &a), 0);
	assert_int_equal(a.status, TASK_CANNOT_ASSESS);
	assert_int_equal(appendix_assessment_parse("Quá hạn (Thời gian hoàn thành: Quý II)", &a), 0);
	assert_int_equal(a.status, TASK_IN_PROGRESS);
	assert_string_equal(a.deadline, "Quý II");
	appendix_assessment_release(&a);
	assert_int_equal(appendix_assessment_parse("HOÀN THÀNH", &a), 0);
	assert_int_equal(a.status, TASK_DONE);
	assert_int_equal(appendix_assessment_parse("Đạt", &a), 0);
	assert_int_equal(a.status, TASK_DONE);
	assert_int_equal(appendix_assessment_parse("Đang triển khai thực hiện", &a), 0);
	assert_int_equal(a.status, TASK_IN_PROGRESS);
	assert_int_equal(appendix_assessment_parse("Chưa thực hiện, đang tạm hoãn", &a), 0);
	assert_int_equal(a.status, TASK_POSTPONED);
	assert_int_equal(appendix_assessment_parse("Tốt lắm", &a), -ENOENT);
	assert_int_equal(appendix_assessment_parse("Đạt được một phần", &a), 0);
}

/* --- lists inside one name (appendix_split_known) ---------------------- */

/* Known names for the splitting tests, compared as norm_key compares them. */
static bool
known_in(const char *name, void *userdata)
{
	const char *const *names = userdata;
	char *key = norm_key(name);
	bool found = false;

	for (size_t i = 0; names[i] && !found; i++) {
		char *k = norm_key(names[i]);

		found = strcmp(k, key) == 0;
		free(k);
	}
	free(key);
	return found;
}

/* Splits text with the known names, checks the parts against want (NULL-ended). */
static void
check_split(const char *text, const char *const *known, const char *const *want)
{
	char **v = NULL;
	size_t n = appendix_split_known(text, known_in, (void *)known, &v), w = 0;

	while (want[w])
		w++;
	if (n != w) {
		for (size_t i = 0; i < n; i++)
			print_error("part %zu: '%s'\n", i, v[i]);
		fail_msg("'%s' gave %zu parts, wanted %zu", text, n, w);
	}
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i], want[i]);
		free(v[i]);
	}
	free(v);
}

static void
test_split_known(void **state)
{
	static const char *const known[] = { "Sở Nội vụ", "Sở Khoa học và Công nghệ", "Sở Tài chính",
					     "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế", NULL };

	(void)state;
	/* Every part known: split, in the cell's order. */
	check_split("Sở Nội vụ, Sở Khoa học và Công nghệ", known,
		    (const char *[]){ "Sở Nội vụ", "Sở Khoa học và Công nghệ", NULL });
	check_split("Sở Tài chính và Sở Nội vụ.", known,
		    (const char *[]){ "Sở Tài chính", "Sở Nội vụ", NULL });
	/* Case and diacritics do not matter; the parts are kept as written. */
	check_split("SO NOI VU, sở tài chính, Sở Y tế", known,
		    (const char *[]){ "SO NOI VU", "sở tài chính", "Sở Y tế", NULL });
	/* A known name with a comma and "và" inside is one part of a list. */
	check_split("Sở Nội vụ, Sở Văn hóa, Thể thao và Du lịch và Sở Y tế", known,
		    (const char *[]){ "Sở Nội vụ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Y tế",
				      NULL });
}

static void
test_split_known_kept_whole(void **state)
{
	static const char *const known[] = { "Sở Nội vụ", "Sở Tài chính", NULL };
	static const char *const none[] = { NULL };

	(void)state;
	/* One part unknown: the whole stays one name. */
	check_split("Sở Nội vụ, Sở Mới", known, (const char *[]){ "Sở Nội vụ, Sở Mới", NULL });
	check_split("Các sở, ban, ngành, địa phương", known,
		    (const char *[]){ "Các sở, ban, ngành, địa phương", NULL });
	check_split("Sở Khoa học và Công nghệ", none,
		    (const char *[]){ "Sở Khoa học và Công nghệ", NULL });
	/* No separator: nothing to decide, trailing dots go. */
	check_split("Sở Nội vụ.", known, (const char *[]){ "Sở Nội vụ", NULL });
	/* "và" inside a word ("Vàng") or without spaces is no separator. */
	check_split("Sở Nội vụVàng", known, (const char *[]){ "Sở Nội vụVàng", NULL });
	/* An empty piece (", ,") joins its neighbour, never makes a part. */
	check_split("Sở Nội vụ, , Sở Tài chính", known,
		    (const char *[]){ "Sở Nội vụ", "Sở Tài chính", NULL });
	check_split("Sở Nội vụ, , Sở Mới", known, (const char *[]){ "Sở Nội vụ, , Sở Mới", NULL });
}

static void
test_split_known_prefers_most_parts(void **state)
{
	/* A list made an agency by mistake once is not preferred to its members. */
	static const char *const known[] = { "Sở Nội vụ, Sở Tài chính", "Sở Nội vụ", "Sở Tài chính",
					     NULL };

	(void)state;
	check_split("Sở Nội vụ, Sở Tài chính", known,
		    (const char *[]){ "Sở Nội vụ", "Sở Tài chính", NULL });
}

static void
test_agency_pieces(void **state)
{
	char **v = NULL;
	size_t n;

	(void)state;
	n = appendix_agency_pieces("Sở Văn hóa, Thể thao và Du lịch.", &v);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "Sở Văn hóa");
	assert_string_equal(v[1], "Thể thao");
	assert_string_equal(v[2], "Du lịch");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	n = appendix_agency_pieces("Sở Y tế", &v);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "Sở Y tế");
	free(v[0]);
	free(v);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_fixture),
		cmocka_unit_test(test_header_variants),
		cmocka_unit_test(test_stt),
		cmocka_unit_test(test_document_plan),
		cmocka_unit_test(test_document_without_number_or_date),
		cmocka_unit_test(test_agencies_split),
		cmocka_unit_test(test_assessment),
		cmocka_unit_test(test_split_known),
		cmocka_unit_test(test_split_known_kept_whole),
		cmocka_unit_test(test_split_known_prefers_most_parts),
		cmocka_unit_test(test_agency_pieces),
	};

	return cmocka_run_group_tests_name("appendix", tests, NULL, NULL);
}
