/* SPDX-License-Identifier: MIT */
/*
 * The workbook (xlsx.h) over a small registry: the same bytes in memory
 * and in the file, and twice; text the store holds that Excel would
 * refuse (bad UTF-8, controls, CRLF, 40,000 characters) made valid and
 * cut with the mark, read back from the zip's shared strings; a path that
 * cannot be written fails naming it and leaves nothing.
 */
#include "testlib.h"

#include <errno.h>
#include <zip.h>

#include "norm.h"
#include "store.h"
#include "xlsx.h"

struct fx {
	char dir[64], db[96];
	struct store *s;
	int64_t agency;
};

static int64_t
add_task(struct fx *f, const char *title, const char *key, int64_t doc)
{
	struct task t = { .code = (char *)key, .kind = TASK_KIND_TASK, .title = (char *)title,
			  .deadline_raw = "31/12/2025", .status = TASK_IN_PROGRESS, .progress = 40 };
	int64_t id = 0;

	t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true,
					.due = { 2025, 12, 31 }, .year_given = true };
	assert_int_equal(store_task_insert(f->s, &t, doc, key, 1, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, &f->agency, 1), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL, *long_title;
	int64_t doc = 0;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-xlsx.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0) {
		fprintf(stderr, "setup: %s\n", msg);
		free(msg);
		return -1;
	}
	assert_int_equal(store_agency_insert(f->s, "syt", "Sở Y tế", AGENCY_DEPARTMENT, 1,
					     &f->agency), 0);
	assert_int_equal(store_document_ensure(f->s, "328-KH/TU", "Kế hoạch", NULL, NULL, &doc), 0);
	add_task(f, "Báo cáo sơ kết <b>&</b> 😀", "t1", doc);
	/*
	 * What the import never stores, but a file edited behind dondoc's back
	 * may hold (PostgreSQL takes no bytes that are not UTF-8: U+FFFD there).
	 */
	add_task(f, testlib_pg() ? "hỏng \xef\xbf\xbd\xef\xbf\xbd giữa\x01\x07\x7f\xc2\x9b dòng\r\nmới _x0041_"
				 : "hỏng \xff\xfe giữa\x01\x07\x7f\xc2\x9b dòng\r\nmới _x0041_", "t2", doc);
	long_title = malloc(40001);
	assert_non_null(long_title);
	memset(long_title, 'a', 40000);
	long_title[40000] = '\0';
	add_task(f, long_title, "t3", 0);
	free(long_title);
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
	return r == 0 ? 0 : -1;
}

static const struct xlsx_query query = {
	.today = { 2025, 10, 10 }, .created = 1760054400,
};

/* The member name of the zip in p, read whole (new string). */
static char *
zip_member(const void *p, size_t n, const char *name)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	zip_file_t *zf;
	zip_stat_t st;
	char *out;

	zip_error_init(&ze);
	src = zip_source_buffer_create(p, n, 0, &ze);
	assert_non_null(src);
	z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	assert_non_null(z);
	assert_int_equal(zip_stat(z, name, 0, &st), 0);
	out = malloc(st.size + 1);
	assert_non_null(out);
	zf = zip_fopen(z, name, 0);
	assert_non_null(zf);
	assert_int_equal(zip_fread(zf, out, st.size), (zip_int64_t)st.size);
	out[st.size] = '\0';
	zip_fclose(zf);
	zip_discard(z);
	zip_error_fini(&ze);
	return out;
}

static void
test_filename(void **state)
{
	char name[40];

	(void)state;
	xlsx_filename((struct date){ 2025, 10, 9 }, name);
	assert_string_equal(name, "Bao-cao-tien-do-2025-10-09.xlsx");
}

static void
test_same_bytes(void **state)
{
	struct fx *f = *state;
	void *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	char *msg = NULL, path[128], *file;
	struct stat st;

	assert_int_equal(xlsx_report_bytes(f->s, &query, &a, &na, &msg), 0);
	assert_int_equal(xlsx_report_bytes(f->s, &query, &b, &nb, &msg), 0);
	assert_true(na > 1000);
	assert_memory_equal(a, "PK", 2);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	snprintf(path, sizeof(path), "%s/r.xlsx", f->dir);
	assert_int_equal(xlsx_report_write(f->s, &query, path, &msg), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, na);
	file = testlib_slurp(path);
	assert_memory_equal(file, a, na);
	assert_int_equal(testlib_count_files(f->dir, ".tmp", 1), 0);
	free(file);
	free(a);
	free(b);
}

static void
test_text_made_valid(void **state)
{
	struct fx *f = *state;
	void *p = NULL;
	size_t n = 0;
	char *msg = NULL, *ss;
	const char *cut;

	assert_int_equal(xlsx_report_bytes(f->s, &query, &p, &n, &msg), 0);
	/* Written row by row (constant_memory): the strings are in the sheet. */
	ss = zip_member(p, n, "xl/worksheets/sheet1.xml");
	assert_true(norm_is_utf8(ss, strlen(ss), NULL));
	/* Bad bytes are U+FFFD, controls (C0, DEL, C1) gone, CRLF one LF, the escape look-alike escaped. */
	assert_non_null(strstr(ss, "hỏng \xef\xbf\xbd\xef\xbf\xbd giữa dòng\nmới _x005F_x0041_"));
	assert_null(strstr(ss, "_x0001_"));
	assert_null(strstr(ss, "_x000D_"));
	assert_non_null(strstr(ss, "Báo cáo sơ kết &lt;b&gt;&amp;&lt;/b&gt; 😀"));
	cut = strstr(ss, "aaaa… [đã cắt, xem hệ thống]<");
	assert_non_null(cut);
	/* 32,767 units: the a's and the 24 of the mark. */
	assert_int_equal(strspn(strstr(ss, "aaaa"), "a"), 32767 - 24);
	free(ss);
	free(p);
}

static void
test_unwritable(void **state)
{
	struct fx *f = *state;
	char *msg = NULL, path[128];

	snprintf(path, sizeof(path), "%s/no/such/r.xlsx", f->dir);
	assert_int_equal(xlsx_report_write(f->s, &query, path, &msg), -ENOENT);
	assert_non_null(msg);
	assert_non_null(strstr(msg, path));
	free(msg);
	assert_int_equal(access(path, F_OK), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filename),
		cmocka_unit_test_setup_teardown(test_same_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_made_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
