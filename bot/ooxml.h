/* SPDX-License-Identifier: MIT */
/*
 * Reading tables out of Office files: the first sheet (or a named one) of
 * an .xlsx workbook, or every table of a .docx document, as rows of text
 * cells, the same rows a CSV export or a paste of the table would give.
 * Every size read from the archive is capped (zip bombs), and XML with a
 * DOCTYPE is refused (entity tricks).
 */
#ifndef DONDOC_OOXML_H
#define DONDOC_OOXML_H

#include <stddef.h>

#define OOXML_MAX_PART ((size_t)16 << 20)	/* uncompressed bytes of one part */
#define OOXML_MAX_TOTAL ((size_t)64 << 20)	/* uncompressed bytes of all parts read */
#define OOXML_MAX_ENTRIES 10000			/* files in the archive */
#define OOXML_MAX_CELLS 500000			/* cells of the table(s), empty ones too */
#define OOXML_MAX_COLUMNS 64			/* columns of a row */

enum ooxml_kind {
	OOXML_XLSX,
	OOXML_DOCX,
};

/* One row of a table; fields are private to ooxml.c and its caller. */
struct ooxml_row {
	char **cells;		/* UTF-8, NUL-terminated; "" for an empty cell */
	size_t n;
	size_t line;		/* sheet row number (.xlsx), or row count from the start (.docx) */
};

struct ooxml_rows {
	enum ooxml_kind kind;
	struct ooxml_row *rows;
	size_t n;
};

/*
 * Reads the table(s) of the Office file in the n bytes at data into *ret:
 * the sheet named sheet (NULL for the first visible one) of an .xlsx, or
 * the rows of every table of a .docx, in document order.  0, or -EINVAL,
 * -EFBIG, -ENOENT or -EOPNOTSUPP (no libxml2) with a new English clause in
 * *reterr_msg ("it is a Word document with no table") and *ret untouched.
 * Release *ret with ooxml_rows_release().
 */
int ooxml_read(const void *data, size_t n, const char *sheet, struct ooxml_rows *ret,
	       char **reterr_msg);

/* Frees the rows and their cells; *t is then empty.  NULL-safe. */
void ooxml_rows_release(struct ooxml_rows *t);

#endif
