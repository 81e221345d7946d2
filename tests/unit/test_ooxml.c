/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/ooxml.c on hand-written parts, the cases python-docx and
 * openpyxl never write (shared/LIBRARIES.md §13): shared strings with rich
 * text and phonetic runs, inline strings, cells without references, date
 * styles, relative and absolute targets, Strict namespaces; in .docx,
 * gridBefore, gridSpan, vMerge, hyperlinks, insertions and deletions,
 * field codes, content controls, nested tables and mc:Fallback.  The
 * archives are built in memory with libzip.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <zip.h>

#include "macro.h"
#include "ooxml.h"

struct part {
	const char *name;
	const char *xml;
};

/* A zip holding parts, in a new buffer (free with free()). */
static void *
make_zip(const struct part *parts, size_t n, size_t *ret_len)
{
	zip_error_t ze;
	zip_source_t *src, *s;
	zip_t *z;
	zip_stat_t st;
	void *out;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(z);
	for (size_t i = 0; i < n; i++) {
		s = zip_source_buffer(z, parts[i].xml, strlen(parts[i].xml), 0);
		assert_non_null(s);
		assert_true(zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
	assert_int_equal(zip_source_stat(src, &st), 0);
	out = malloc(st.size);
	assert_int_equal(zip_source_open(src), 0);
	assert_int_equal(zip_source_read(src, out, st.size), (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	*ret_len = st.size;
	return out;
}

#define RELS_HEAD "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
#define REL(id, type, target) "<Relationship Id=\"" id "\" Type=\"" type "\" Target=\"" target "\"/>"
#define T_OFFICE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
#define T_SHEET "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
#define T_SST "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
#define T_STYLES "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
#define SML "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""

static const struct part xlsx[] = {
	{ "_rels/.rels", RELS_HEAD REL("rId1", T_OFFICE, "xl/workbook.xml") "</Relationships>" },
	{ "xl/workbook.xml", "<workbook " SML "><sheets>"
	  "<sheet name=\"Ẩn\" sheetId=\"4\" state=\"hidden\" r:id=\"rId2\"/>"
	  "<sheet name=\"Bìa\" sheetId=\"3\" r:id=\"rId9\"/>"
	  "<sheet name=\"Phụ lục\" sheetId=\"1\" r:id=\"rId2\"/></sheets></workbook>" },
	{ "xl/_rels/workbook.xml.rels", RELS_HEAD REL("rId9", T_SHEET, "worksheets/sheet9.xml")
	  REL("rId2", T_SHEET, "/xl/worksheets/sheet1.xml") REL("rId3", T_SST, "sharedStrings.xml")
	  REL("rId4", T_STYLES, "styles.xml") "</Relationships>" },
	{ "xl/sharedStrings.xml", "<sst " SML " count=\"1\" uniqueCount=\"1\">"
	  "<si><t>STT</t></si>"
	  "<si><r><t xml:space=\"preserve\">Nhiệm </t></r><r><rPr><b/></rPr><t>vụ</t></r>"
	  "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>"
	  "<si><t>Dòng một_x000D_</t></si></sst>" },
	{ "xl/styles.xml", "<styleSheet " SML "><numFmts count=\"1\">"
	  "<numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/></numFmts>"
	  "<cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"2\"/>"
	  "</cellXfs></styleSheet>" },
	{ "xl/worksheets/sheet9.xml", "<worksheet " SML "><sheetData><row r=\"1\">"
	  "<c r=\"A1\" t=\"inlineStr\"><is><t>Bìa</t></is></c></row></sheetData></worksheet>" },
	{ "xl/worksheets/sheet1.xml", "<worksheet " SML "><sheetData>"
	  "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c><c r=\"C2\" t=\"s\"><v>1</v></c></row>"
	  "<row><c t=\"inlineStr\"><is><r><t>1.</t></r></is></c><c><v>2.5</v></c>"
	  "<c s=\"1\"><v>45838</v></c><c r=\"E3\" s=\"2\"/><c r=\"F3\" t=\"s\"><v>2</v></c></row>"
	  "</sheetData></worksheet>" },
};

static void
check_row(const struct ooxml_row *row, size_t line, const char *const *want, size_t n)
{
	assert_int_equal(row->line, line);
	assert_int_equal(row->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(row->cells[i], want[i]);
}

static void
test_xlsx(void **state)
{
	static const char *const r2[] = { "STT", "", "Nhiệm vụ", "", "", "" };
	static const char *const r3[] = { "1.", "2.5", "30/06/2025", "", "", "Dòng một\r" };
	struct ooxml_rows t = { 0 };
	char *why = NULL;
	size_t len;
	void *zip = make_zip(xlsx, ELEMENTSOF(xlsx), &len);

	(void)state;
	/* The second sheet, by name; rows padded to the widest. */
	assert_int_equal(ooxml_read(zip, len, "Phụ lục", &t, &why), 0);
	assert_int_equal(t.kind, OOXML_XLSX);
	assert_int_equal(t.n, 2);
	check_row(&t.rows[0], 2, r2, 6);
	check_row(&t.rows[1], 3, r3, 6);
	ooxml_rows_release(&t);
	/* The first visible sheet in tab order, whatever its sheetId. */
	assert_int_equal(ooxml_read(zip, len, NULL, &t, &why), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.rows[0].cells[0], "Bìa");
	ooxml_rows_release(&t);
	assert_int_equal(ooxml_read(zip, len, "Nope", &t, &why), -ENOENT);
	assert_string_equal(why, "it has no sheet 'Nope' (its sheets: 'Ẩn', 'Bìa', 'Phụ lục')");
	free(why);
	free(zip);
}

#define WNS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" " \
	"xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
#define TC(x) "<w:tc><w:p><w:r><w:t>" x "</w:t></w:r></w:p></w:tc>"

static const struct part docx[] = {
	{ "_rels/.rels", RELS_HEAD REL("rId1", T_OFFICE, "word/document.xml") "</Relationships>" },
	{ "word/document.xml", "<w:document " WNS "><w:body><w:p><w:r><w:t>Tiêu đề</w:t></w:r></w:p>"
	  "<w:tbl><w:tblGrid/>"
	  "<w:tr>" TC("STT") TC("Nhiệm vụ") TC("Chủ trì") "</w:tr>"
	  /* A hyperlink, an insertion and a deletion, a field code, a tab, two paragraphs. */
	  "<w:tr>" TC("1.")
	  "<w:tc><w:p><w:hyperlink><w:r><w:t>Ngu</w:t></w:r></w:hyperlink><w:r><w:t>yễn</w:t></w:r>"
	  "<w:ins><w:r><w:t xml:space=\"preserve\"> chèn</w:t></w:r></w:ins>"
	  "<w:del><w:r><w:delText>xoá</w:delText></w:r></w:del>"
	  "<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:tab/><w:t>a</w:t></w:r></w:p>"
	  "<w:p><w:r><w:t>dòng 2</w:t></w:r></w:p></w:tc>"
	  "<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr><w:p><w:r><w:t>Sở Y tế</w:t></w:r>"
	  "</w:p></w:tc></w:tr>"
	  /* gridBefore, a cell spanning two columns, a continued vertical merge. */
	  "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>"
	  "<w:tc><w:tcPr><w:gridSpan w:val=\"1\"/></w:tcPr><w:p><w:r><w:t>nối</w:t></w:r></w:p></w:tc>"
	  "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>"
	  "<w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr><w:p><w:r><w:t>II. Mục</w:t></w:r>"
	  "</w:p></w:tc>" TC("x") "</w:tr>"
	  /* A content control around a cell; a nested table inside one. */
	  "<w:tr>" TC("2.") "<w:sdt><w:sdtContent>" TC("Trong sdt") "</w:sdtContent></w:sdt>"
	  "<w:tc><w:tbl><w:tr>" TC("lồng") "</w:tr></w:tbl><w:p><w:r><w:t>Sở X</w:t></w:r></w:p>"
	  "</w:tc></w:tr></w:tbl>"
	  "<mc:AlternateContent><mc:Choice Requires=\"wps\"><w:p><w:r><w:t>hộp</w:t></w:r></w:p>"
	  "</mc:Choice><mc:Fallback><w:tbl><w:tr>" TC("bản sao") "</w:tr></w:tbl></mc:Fallback>"
	  "</mc:AlternateContent></w:body></w:document>" },
};

static void
test_docx(void **state)
{
	static const char *const r1[] = { "STT", "Nhiệm vụ", "Chủ trì" };
	static const char *const r2[] = { "1.", "Nguyễn chèn\ta\ndòng 2", "Sở Y tế" };
	static const char *const r3[] = { "", "nối", "" };
	static const char *const r4[] = { "II. Mục", "", "x" };
	static const char *const r5[] = { "2.", "Trong sdt", "Sở X" };
	static const char *const r6[] = { "lồng" };
	struct ooxml_rows t = { 0 };
	char *why = NULL;
	size_t len;
	void *zip = make_zip(docx, ELEMENTSOF(docx), &len);

	(void)state;
	assert_int_equal(ooxml_read(zip, len, NULL, &t, &why), 0);
	assert_int_equal(t.kind, OOXML_DOCX);
	assert_int_equal(t.n, 6);
	check_row(&t.rows[0], 1, r1, 3);
	check_row(&t.rows[1], 2, r2, 3);
	check_row(&t.rows[2], 3, r3, 3);
	check_row(&t.rows[3], 4, r4, 3);
	check_row(&t.rows[4], 5, r5, 3);
	check_row(&t.rows[5], 6, r6, 1);
	ooxml_rows_release(&t);
	assert_int_equal(ooxml_read(zip, len, "x", &t, &why), -EINVAL);
	assert_non_null(strstr(why, "--sheet is for Excel"));
	free(why);
	free(zip);
}

static void
test_refused(void **state)
{
	static const struct part doctype[] = {
		{ "_rels/.rels", RELS_HEAD REL("rId1", T_OFFICE, "word/document.xml") "</Relationships>" },
		{ "word/document.xml", "<!DOCTYPE d [<!ENTITY a \"aaaa\">]><w:document " WNS "/>" },
	};
	static const struct part norels[] = { { "a.txt", "x" } };
	static const struct part badref[] = {
		{ "_rels/.rels", RELS_HEAD REL("rId1", T_OFFICE, "xl/workbook.xml") "</Relationships>" },
		{ "xl/workbook.xml", "<workbook " SML "><sheets><sheet name=\"A\" r:id=\"rId1\"/>"
		  "</sheets></workbook>" },
		{ "xl/_rels/workbook.xml.rels", RELS_HEAD REL("rId1", T_SHEET, "s.xml") "</Relationships>" },
		{ "xl/s.xml", "<worksheet " SML "><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c>"
		  "</row></sheetData></worksheet>" },
	};
	struct ooxml_rows t = { 0 };
	char *why = NULL;
	size_t len;
	void *zip;

	(void)state;
	zip = make_zip(doctype, ELEMENTSOF(doctype), &len);
	assert_int_equal(ooxml_read(zip, len, NULL, &t, &why), -EINVAL);
	assert_non_null(strstr(why, "DOCTYPE"));
	free(why);
	free(zip);
	zip = make_zip(norels, ELEMENTSOF(norels), &len);
	assert_int_equal(ooxml_read(zip, len, NULL, &t, &why), -EINVAL);
	assert_string_equal(why, "it is a zip archive, not an Office document");
	free(why);
	free(zip);
	zip = make_zip(badref, ELEMENTSOF(badref), &len);
	assert_int_equal(ooxml_read(zip, len, NULL, &t, &why), -EINVAL);
	assert_non_null(strstr(why, "shared string '7'"));
	free(why);
	free(zip);
	assert_int_equal(ooxml_read("PK\3\4garbage", 11, NULL, &t, &why), -EINVAL);
	assert_non_null(strstr(why, "damaged"));
	free(why);
	assert_null(t.rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_docx),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("ooxml", tests, NULL, NULL);
}
