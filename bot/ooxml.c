/* SPDX-License-Identifier: MIT */
/*
 * .xlsx and .docx tables through libzip and libxml2 (DESIGN §11).
 *
 *   zip --_rels/.rels--> main part --root element--> workbook | document
 *   workbook: sheets (tab order) -> rels -> sheet part, sharedStrings, styles
 *             sheet: <row r><c r t s><v>|<is> -> cells placed by reference
 *   document: every w:tbl in document order (nested ones after their
 *             parent's row), cells placed by grid column (gridBefore,
 *             gridSpan), text of w:t, w:tab, w:br; w:del and field codes
 *             left out
 *
 * The traps are those of shared/LIBRARIES.md §11-13: libzip does not
 * enforce declared sizes (so every read is capped as it goes), part names
 * are case-insensitive, empty cells are absent, and python-docx is no
 * oracle for what a .docx holds.  Parts are parsed as DOM trees: a
 * plan's tables are small, and OOXML_MAX_PART bounds the worst case.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "buf.h"
#include "date.h"
#include "dlxml.h"
#include "macro.h"
#include "ooxml.h"
#include "xalloc.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define READ_STEP 65536

#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define NS_SML "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_SML_STRICT "http://purl.oclc.org/ooxml/spreadsheetml/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_REL_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"
#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W_STRICT "http://purl.oclc.org/ooxml/wordprocessingml/main"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

/* The namespaces a vocabulary may come in: Transitional, then Strict. */
static const char *const ns_sml[] = { NS_SML, NS_SML_STRICT, NULL };
static const char *const ns_w[] = { NS_W, NS_W_STRICT, NULL };
static const char *const ns_rel[] = { NS_REL, NS_REL_STRICT, NULL };
static const char *const ns_pkg[] = { NS_PKG_REL, NULL };
static const char *const ns_mc[] = { NS_MC, NULL };

struct rel {
	char *id;
	char *type;		/* the relationship type URI */
	char *target;		/* the part name it resolves to, without a leading '/' */
};

struct rels {
	struct rel *v;
	size_t n;
};

struct reader {
	zip_t *z;
	size_t total;		/* uncompressed bytes read so far */
	size_t cells;		/* non-empty cells so far */
	size_t padded;		/* cells of the tables padded so far, empty ones too */
	char *err;		/* the first failure, as a clause */
	struct ooxml_rows out;
};

static int PRINTF_LIKE(3, 4)
fail(struct reader *rd, int r, const char *fmt, ...)
{
	va_list ap;

	if (rd->err)
		return r;
	va_start(ap, fmt);
	rd->err = xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

/* --- the archive ------------------------------------------------------------ */

/*
 * The part called name, whole, in a new NUL-terminated buffer.  The
 * declared size is checked first, then every read against the cap: a
 * lying header must not make us allocate or inflate more.
 */
static int
read_part(struct reader *rd, const char *name, char **ret, size_t *ret_len)
{
	zip_int64_t idx = zip_name_locate(rd->z, name, ZIP_FL_NOCASE);
	zip_file_t *f = NULL;
	zip_stat_t st;
	struct buf b;
	char *chunk = NULL;
	int r = 0;

	if (idx < 0)
		return fail(rd, -ENOENT, "it has no part '%s'", name);
	if (zip_stat_index(rd->z, (zip_uint64_t)idx, 0, &st) < 0)
		return fail(rd, -EINVAL, "part '%s' is unreadable", name);
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return fail(rd, -EINVAL, "it is encrypted: remove the password and save it again");
	if ((st.valid & ZIP_STAT_SIZE) && st.size > OOXML_MAX_PART)
		return fail(rd, -EFBIG, "part '%s' unpacks to %llu bytes, more than the %zu MiB "
			    "allowed (a zip bomb?)", name, (unsigned long long)st.size,
			    OOXML_MAX_PART >> 20);
	f = zip_fopen_index(rd->z, (zip_uint64_t)idx, 0);
	if (!f)
		return fail(rd, -EINVAL, "part '%s' cannot be opened: %s", name,
			    zip_strerror(rd->z));
	buf_init(&b, OOXML_MAX_PART + 1);
	chunk = xmalloc(READ_STEP);
	for (;;) {
		zip_int64_t got = zip_fread(f, chunk, READ_STEP);

		if (got < 0) {
			r = fail(rd, -EINVAL, "part '%s' is damaged: %s", name,
				 zip_file_strerror(f));
			goto out;
		}
		if (got == 0)
			break;
		rd->total += (size_t)got;
		if (buf_add(&b, chunk, (size_t)got) < 0 || b.len > OOXML_MAX_PART) {
			r = fail(rd, -EFBIG, "part '%s' unpacks to more than the %zu MiB allowed "
				 "(a zip bomb?)", name, OOXML_MAX_PART >> 20);
			goto out;
		}
		if (rd->total > OOXML_MAX_TOTAL) {
			r = fail(rd, -EFBIG, "it unpacks to more than the %zu MiB allowed (a zip "
				 "bomb?)", OOXML_MAX_TOTAL >> 20);
			goto out;
		}
	}
	*ret_len = b.len;
	*ret = buf_detach(&b);
out:
	free(chunk);
	buf_release(&b);
	zip_fclose(f);
	return r;
}

/* The part called name as a DOM tree; a DOCTYPE is refused (OPC allows none). */
static int
parse_part(struct reader *rd, const char *name, xmlDoc **ret)
{
	char *text = NULL;
	size_t len = 0;
	xmlDoc *doc;
	int r;

	r = read_part(rd, name, &text, &len);
	if (r < 0)
		return r;
	if (len > (size_t)INT32_MAX) {
		free(text);
		return fail(rd, -EFBIG, "part '%s' is too large", name);
	}
	sym_xmlResetLastError();
	doc = sym_xmlReadMemory(text, (int)len, name, NULL, XML_OPTS);
	free(text);
	if (!doc || !sym_xmlDocGetRootElement(doc)) {
		sym_xmlFreeDoc(doc);
		return fail(rd, -EINVAL, "part '%s' is not well-formed XML", name);
	}
	if (doc->intSubset) {
		sym_xmlFreeDoc(doc);
		return fail(rd, -EINVAL, "part '%s' carries a DOCTYPE, which Office never writes",
			    name);
	}
	*ret = doc;
	return 0;
}

/* --- XML helpers ------------------------------------------------------------ */

static bool
in_ns(const xmlNode *n, const char *const *ns)
{
	if (!n->ns || !n->ns->href)
		return false;
	for (; *ns; ns++)
		if (strcmp((const char *)n->ns->href, *ns) == 0)
			return true;
	return false;
}

/* True when n is the element local in one of the namespaces ns. */
static bool
is_el(const xmlNode *n, const char *local, const char *const *ns)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 &&
	       in_ns(n, ns);
}

/* The first child element local, or NULL. */
static xmlNode *
child(const xmlNode *n, const char *local, const char *const *ns)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, local, ns))
			return c;
	return NULL;
}

/* An attribute without namespace, as a new string (free with xmlFree), or NULL. */
static char *
attr(const xmlNode *n, const char *name)
{
	return (char *)sym_xmlGetNoNsProp(n, BAD_CAST name);
}

/* An attribute in one of the namespaces ns, as a new string, or NULL. */
static char *
attr_ns(const xmlNode *n, const char *name, const char *const *ns)
{
	for (; *ns; ns++) {
		xmlChar *v = sym_xmlGetNsProp(n, BAD_CAST name, BAD_CAST * ns);

		if (v)
			return (char *)v;
	}
	return NULL;
}

/* The text content of n appended to b (entities cannot occur: no DOCTYPE). */
static void
add_content(struct buf *b, const xmlNode *n)
{
	xmlChar *t = sym_xmlNodeGetContent(n);

	if (t)
		(void)buf_adds(b, (const char *)t);
	(*sym_xmlFree)(t);
}

/* --- relationships ------------------------------------------------------------ */

static void
rels_release(struct rels *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->v[i].id);
		free(rs->v[i].type);
		free(rs->v[i].target);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

/*
 * Target resolved against the folder of the part base: "worksheets/a.xml"
 * from "xl/workbook.xml" is "xl/worksheets/a.xml"; "/xl/a.xml" is
 * absolute; ".." climbs one folder.  A new string.
 */
static char *
resolve(const char *base, const char *target)
{
	const char *slash = strrchr(base, '/');
	size_t dir = slash ? (size_t)(slash - base) : 0;
	char *r;

	if (target[0] == '/')
		return xstrdup(target + 1);
	while (strncmp(target, "../", 3) == 0) {
		target += 3;
		while (dir > 0 && base[dir - 1] != '/')
			dir--;
		if (dir > 0)
			dir--;
	}
	r = dir ? xasprintf("%.*s/%s", (int)dir, base, target) : xstrdup(target);
	return r;
}

/*
 * The relationships of the part part ("" for the package): 0, or -errno
 * with the reason kept (-ENOENT when it has no rels part).
 */
static int
read_rels(struct reader *rd, const char *part, struct rels *ret)
{
	const char *slash = strrchr(part, '/');
	char *name = slash ? xasprintf("%.*s/_rels/%s.rels", (int)(slash - part), part, slash + 1)
			   : xasprintf("_rels/%s.rels", part);
	xmlDoc *doc = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = parse_part(rd, name, &doc);
	if (r < 0)
		goto out;
	for (xmlNode *c = sym_xmlDocGetRootElement(doc)->children; c; c = c->next) {
		char *id, *type, *target, *mode;

		if (!is_el(c, "Relationship", ns_pkg))
			continue;
		id = attr(c, "Id");
		type = attr(c, "Type");
		target = attr(c, "Target");
		mode = attr(c, "TargetMode");
		if (id && type && target && !(mode && strcmp(mode, "External") == 0)) {
			ret->v = xgrowarray(ret->v, ret->n, sizeof(*ret->v));
			ret->v[ret->n].id = xstrdup(id);
			ret->v[ret->n].type = xstrdup(type);
			ret->v[ret->n].target = resolve(part, target);
			ret->n++;
		}
		(*sym_xmlFree)(id);
		(*sym_xmlFree)(type);
		(*sym_xmlFree)(target);
		(*sym_xmlFree)(mode);
	}
out:
	sym_xmlFreeDoc(doc);
	free(name);
	return r;
}

/* The first relationship whose type ends in "/suffix", or NULL.  Borrowed. */
static const struct rel *
rel_by_type(const struct rels *rs, const char *suffix)
{
	size_t m = strlen(suffix);

	for (size_t i = 0; i < rs->n; i++) {
		size_t n = strlen(rs->v[i].type);

		if (n > m && rs->v[i].type[n - m - 1] == '/' &&
		    strcmp(rs->v[i].type + n - m, suffix) == 0)
			return &rs->v[i];
	}
	return NULL;
}

static const struct rel *
rel_by_id(const struct rels *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

/* --- rows ------------------------------------------------------------------ */

/* Starts a new row numbered line. */
static struct ooxml_row *
row_new(struct reader *rd, size_t line)
{
	struct ooxml_row *row;

	rd->out.rows = xgrowarray(rd->out.rows, rd->out.n, sizeof(*rd->out.rows));
	row = &rd->out.rows[rd->out.n++];
	memset(row, 0, sizeof(*row));
	row->line = line;
	return row;
}

/* Puts text (taken) in column col of row, padding with empty cells. */
static int
row_put(struct reader *rd, struct ooxml_row *row, size_t col, char *text)
{
	if (!*text) {
		free(text);
		return 0;
	}
	if (col >= OOXML_MAX_COLUMNS) {
		free(text);
		return fail(rd, -EINVAL, "row %zu has text in column %zu, beyond the %d columns "
			    "a table has", row->line, col + 1, OOXML_MAX_COLUMNS);
	}
	if (++rd->cells > OOXML_MAX_CELLS) {
		free(text);
		return fail(rd, -EFBIG, "it has more than %d cells", OOXML_MAX_CELLS);
	}
	if (col >= row->n) {
		/* col may jump past row->n: exact room (OOXML_MAX_COLUMNS bounds it). */
		row->cells = xgrowto(row->cells, col + 1, sizeof(char *));
		while (row->n <= col)
			row->cells[row->n++] = xstrdup("");
	}
	free(row->cells[col]);
	row->cells[col] = text;
	return 0;
}

/*
 * Pads rows [from, end) to the same width, as a CSV export of the table
 * would.  The padding counts against the cells a table may have: a few
 * bytes of empty rows ("<row/>") under one wide row would otherwise be
 * millions of empty cells.
 */
static int
rows_pad(struct reader *rd, size_t from)
{
	size_t width = 0;

	for (size_t i = from; i < rd->out.n; i++)
		width = MAX(width, rd->out.rows[i].n);
	if (width > 0 && (rd->out.n - from) > ((size_t)OOXML_MAX_CELLS - rd->padded) / width)
		return fail(rd, -EFBIG, "it has more than %d cells, empty ones counted "
			    "(%zu rows of %zu columns)", OOXML_MAX_CELLS, rd->out.n - from, width);
	rd->padded += (rd->out.n - from) * width;
	for (size_t i = from; i < rd->out.n; i++) {
		struct ooxml_row *row = &rd->out.rows[i];

		if (row->n >= width)
			continue;
		row->cells = xgrowto(row->cells, width, sizeof(char *));
		while (row->n < width)
			row->cells[row->n++] = xstrdup("");
	}
	return 0;
}

void
ooxml_rows_release(struct ooxml_rows *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->rows[i].n; j++)
			free(t->rows[i].cells[j]);
		free(t->rows[i].cells);
	}
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/* --- .xlsx ------------------------------------------------------------------ */

struct workbook {
	char **strings;		/* the shared strings */
	size_t n_strings;
	bool *date_style;	/* per cellXfs index: a date format */
	size_t n_styles;
	bool date1904;
};

/* Decodes the _xHHHH_ escapes of SpreadsheetML strings in place ("_x000D_" is CR). */
static void
unescape_x(char *s)
{
	char *w = s;

	for (const char *p = s; *p;) {
		unsigned v;
		int used = 0;

		if (p[0] == '_' && p[1] == 'x' && sscanf(p, "_x%4x_%n", &v, &used) == 1 &&
		    used == 7 && v > 0 && v < 0x80) {
			*w++ = (char)v;
			p += 7;
			continue;
		}
		*w++ = *p++;
	}
	*w = '\0';
}

/* The text of a rich or plain string (<si>, <is>): every <t>, not the phonetic <rPh>. */
static void
string_text(const xmlNode *n, struct buf *b)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_el(c, "rPh", ns_sml))
			continue;
		if (is_el(c, "t", ns_sml))
			add_content(b, c);
		else
			string_text(c, b);
	}
}

static char *
string_of(const xmlNode *n)
{
	struct buf b;
	char *s;

	buf_init(&b, OOXML_MAX_PART);
	string_text(n, &b);
	s = buf_detach(&b);
	buf_release(&b);
	unescape_x(s);
	return s;
}

static int
read_shared_strings(struct reader *rd, const char *part, struct workbook *wb)
{
	xmlDoc *doc = NULL;
	size_t cap = 0;
	int r = parse_part(rd, part, &doc);

	if (r < 0)
		return r;
	/* The count attributes are not trusted: grow as the items come. */
	for (xmlNode *c = sym_xmlDocGetRootElement(doc)->children; c; c = c->next) {
		if (!is_el(c, "si", ns_sml))
			continue;
		wb->strings = xgrowroom(wb->strings, &cap, wb->n_strings + 1, sizeof(char *));
		wb->strings[wb->n_strings++] = string_of(c);
	}
	sym_xmlFreeDoc(doc);
	return 0;
}

/*
 * A number format shows a date when it is one of the built-in date ids
 * or its code has a day or year outside quotes and [brackets] (colours,
 * locales): "dd/mm/yyyy", "[$-42A]d mmmm yyyy".
 */
static bool
date_format(long id, const char *code)
{
	bool quoted = false, bracket = false;

	if ((id >= 14 && id <= 17) || id == 22)
		return true;
	for (const char *p = code ? code : ""; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '[')
			bracket = true;
		else if (!quoted && *p == ']')
			bracket = false;
		else if (!quoted && !bracket && (*p == 'd' || *p == 'D' || *p == 'y' || *p == 'Y'))
			return true;
	}
	return false;
}

static int
read_styles(struct reader *rd, const char *part, struct workbook *wb)
{
	xmlDoc *doc = NULL;
	xmlNode *root, *fmts, *xfs;
	int r = parse_part(rd, part, &doc);

	if (r < 0)
		return r;
	root = sym_xmlDocGetRootElement(doc);
	fmts = child(root, "numFmts", ns_sml);
	xfs = child(root, "cellXfs", ns_sml);
	for (xmlNode *x = xfs ? xfs->children : NULL; x; x = x->next) {
		char *id_s, *code = NULL;
		long id;

		if (!is_el(x, "xf", ns_sml))
			continue;
		id_s = attr(x, "numFmtId");
		id = id_s ? strtol(id_s, NULL, 10) : 0;
		for (xmlNode *f = fmts ? fmts->children : NULL; f && !code; f = f->next) {
			char *fid = is_el(f, "numFmt", ns_sml) ? attr(f, "numFmtId") : NULL;

			if (fid && strtol(fid, NULL, 10) == id)
				code = attr(f, "formatCode");
			(*sym_xmlFree)(fid);
		}
		wb->date_style = xgrowarray(wb->date_style, wb->n_styles, sizeof(bool));
		wb->date_style[wb->n_styles++] = date_format(id, code);
		(*sym_xmlFree)(id_s);
		(*sym_xmlFree)(code);
	}
	sym_xmlFreeDoc(doc);
	return 0;
}

static void
workbook_release(struct workbook *wb)
{
	for (size_t i = 0; i < wb->n_strings; i++)
		free(wb->strings[i]);
	free(wb->strings);
	free(wb->date_style);
	memset(wb, 0, sizeof(*wb));
}

/* "AB7" as zero-based column 27; -1 when it is no cell reference. */
static long
ref_column(const char *ref)
{
	long col = 0;
	const char *p = ref;

	while (*p >= 'A' && *p <= 'Z' && col <= 16384)
		col = col * 26 + (*p++ - 'A' + 1);
	if (p == ref || col > 16384 || *p < '1' || *p > '9')
		return -1;
	return col - 1;
}

/* A date serial as the day it names, "dd/mm/yyyy" as a paste of the cell shows it. */
static char *
serial_date(const char *v, bool date1904)
{
	char *end;
	double serial = strtod(v, &end);
	struct date d;

	if (end == v || *end || serial < 1 || serial > 2958465)
		return xstrdup(v);
	/* 25569 is 1970-01-01 in the 1900 system; 24107 in the 1904 one. */
	d = date_from_days((int64_t)serial - (date1904 ? 24107 : 25569));
	return xasprintf("%02d/%02d/%04d", d.d, d.m, d.y);
}

/* The text of cell c as Excel shows it (dates as dates), new. */
static int
cell_text(struct reader *rd, const struct workbook *wb, const xmlNode *c, size_t line,
	  char **ret)
{
	char *t = attr(c, "t"), *s = attr(c, "s"), *v = NULL;
	xmlNode *vn = child(c, "v", ns_sml);
	int r = 0;

	if (vn)
		v = (char *)sym_xmlNodeGetContent(vn);
	if (t && strcmp(t, "inlineStr") == 0) {
		xmlNode *is = child(c, "is", ns_sml);

		*ret = is ? string_of(is) : xstrdup("");
	} else if (t && strcmp(t, "s") == 0) {
		char *end = NULL;
		unsigned long i = v ? strtoul(v, &end, 10) : 0;

		if (!v || end == v || *end || i >= wb->n_strings)
			r = fail(rd, -EINVAL, "row %zu refers to shared string '%s', which does "
				 "not exist (the file is damaged)", line, v ? v : "");
		else
			*ret = xstrdup(wb->strings[i]);
	} else if (t && strcmp(t, "b") == 0) {
		*ret = xstrdup(v && strcmp(v, "1") == 0 ? "TRUE" : v ? "FALSE" : "");
	} else if ((!t || strcmp(t, "n") == 0) && v && s &&
		   strtoul(s, NULL, 10) < wb->n_styles && wb->date_style[strtoul(s, NULL, 10)]) {
		*ret = serial_date(v, wb->date1904);
	} else {
		/* Numbers, formula strings ("str"), errors ("e"), "d" dates: as stored. */
		*ret = xstrdup(v ? v : "");
		if (v)
			unescape_x(*ret);
	}
	(*sym_xmlFree)(t);
	(*sym_xmlFree)(s);
	(*sym_xmlFree)(v);
	return r;
}

static int
read_row(struct reader *rd, const struct workbook *wb, const xmlNode *rn, size_t line)
{
	struct ooxml_row *row = row_new(rd, line);
	long col = -1;
	int r = 0;

	for (xmlNode *c = rn->children; c && r == 0; c = c->next) {
		char *ref, *text = NULL;

		if (!is_el(c, "c", ns_sml))
			continue;
		/* r is optional: a cell without it follows the one before. */
		ref = attr(c, "r");
		col = ref ? ref_column(ref) : col + 1;
		(*sym_xmlFree)(ref);
		if (col < 0)
			return fail(rd, -EINVAL, "row %zu has a cell with a bad reference", line);
		r = cell_text(rd, wb, c, line, &text);
		if (r == 0)
			r = row_put(rd, row, (size_t)col, text);
	}
	return r;
}

static int
read_sheet(struct reader *rd, const struct workbook *wb, const char *part)
{
	xmlDoc *doc = NULL;
	xmlNode *data;
	size_t line = 0;
	int r = parse_part(rd, part, &doc);

	if (r < 0)
		return r;
	data = child(sym_xmlDocGetRootElement(doc), "sheetData", ns_sml);
	for (xmlNode *rn = data ? data->children : NULL; rn && r == 0; rn = rn->next) {
		char *num;
		unsigned long n;

		if (!is_el(rn, "row", ns_sml))
			continue;
		num = attr(rn, "r");
		n = num ? strtoul(num, NULL, 10) : line + 1;
		(*sym_xmlFree)(num);
		if (n <= line || n > 1048576) {
			r = fail(rd, -EINVAL, "its rows are out of order (row %lu after %zu)", n,
				 line);
			break;
		}
		line = n;
		r = read_row(rd, wb, rn, line);
	}
	if (r == 0)
		r = rows_pad(rd, 0);
	sym_xmlFreeDoc(doc);
	return r;
}

/*
 * The sheet element named name, or the first the user sees (tab order,
 * hidden ones skipped) when NULL; NULL with *ret_names listing them.
 */
static xmlNode *
find_sheet(xmlNode *sheets, const char *name, char **ret_names)
{
	struct buf b;

	for (xmlNode *s = sheets ? sheets->children : NULL; s; s = s->next) {
		char *n = is_el(s, "sheet", ns_sml) ? attr(s, "name") : NULL;
		char *state = n && !name ? attr(s, "state") : NULL;
		bool hit = n && (name ? strcmp(n, name) == 0 : !state || strcmp(state, "visible") == 0);

		(*sym_xmlFree)(n);
		(*sym_xmlFree)(state);
		if (hit)
			return s;
	}
	buf_init(&b, 4096);
	for (xmlNode *s = sheets ? sheets->children : NULL; s; s = s->next) {
		char *n = is_el(s, "sheet", ns_sml) ? attr(s, "name") : NULL;

		if (n)
			(void)buf_addf(&b, "%s'%s'", b.len ? ", " : "", n);
		(*sym_xmlFree)(n);
	}
	*ret_names = buf_detach(&b);
	buf_release(&b);
	return NULL;
}

static int
read_xlsx(struct reader *rd, xmlDoc *book, const char *book_part, const char *sheet)
{
	struct workbook wb = { 0 };
	struct rels rs = { 0 };
	xmlNode *root = sym_xmlDocGetRootElement(book), *s, *pr;
	char *names = NULL, *id = NULL, *d1904;
	const struct rel *rel;
	int r;

	r = read_rels(rd, book_part, &rs);
	if (r < 0)
		goto out;
	s = find_sheet(child(root, "sheets", ns_sml), sheet, &names);
	if (!s) {
		r = sheet ? fail(rd, -ENOENT, "it has no sheet '%s' (its sheets: %s)", sheet, names)
			  : fail(rd, -ENOENT, "the workbook has no sheet");
		goto out;
	}
	pr = child(root, "workbookPr", ns_sml);
	d1904 = pr ? attr(pr, "date1904") : NULL;
	wb.date1904 = d1904 && (strcmp(d1904, "1") == 0 || strcmp(d1904, "true") == 0);
	(*sym_xmlFree)(d1904);
	id = attr_ns(s, "id", ns_rel);
	rel = id ? rel_by_id(&rs, id) : NULL;
	if (!rel) {
		r = fail(rd, -EINVAL, "its sheet has no part (the file is damaged)");
		goto out;
	}
	/* sharedStrings and styles are optional (openpyxl writes no sharedStrings). */
	if ((rel = rel_by_type(&rs, "sharedStrings")) &&
	    (r = read_shared_strings(rd, rel->target, &wb)) < 0)
		goto out;
	if ((rel = rel_by_type(&rs, "styles")) && (r = read_styles(rd, rel->target, &wb)) < 0)
		goto out;
	r = read_sheet(rd, &wb, rel_by_id(&rs, id)->target);
out:
	(*sym_xmlFree)(id);
	free(names);
	rels_release(&rs);
	workbook_release(&wb);
	return r;
}

/* --- .docx ------------------------------------------------------------------ */

/* An integer w:val of the child local of n, or dflt. */
static long
w_val(const xmlNode *n, const char *local, long dflt)
{
	xmlNode *c = child(n, local, ns_w);
	char *v = c ? attr_ns(c, "val", ns_w) : NULL;
	long r = v ? strtol(v, NULL, 10) : dflt;

	(*sym_xmlFree)(v);
	return r > 0 && r <= OOXML_MAX_COLUMNS ? r : dflt;
}

/*
 * The text under n as Word shows it: w:t wherever it sits (runs,
 * hyperlinks, insertions, smart tags, content controls), w:tab as a tab,
 * w:br/w:cr as a line break, paragraphs on their own lines; deletions,
 * field codes, properties and nested tables left out.
 */
static void
docx_text(const xmlNode *n, struct buf *b)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (in_ns(c, ns_mc) && strcmp((const char *)c->name, "Fallback") == 0)
			continue;	/* the same text as its mc:Choice */
		if (!in_ns(c, ns_w)) {
			docx_text(c, b);
			continue;
		}
		if (strcmp((const char *)c->name, "t") == 0) {
			add_content(b, c);
		} else if (strcmp((const char *)c->name, "tab") == 0) {
			(void)buf_addc(b, '\t');
		} else if (strcmp((const char *)c->name, "br") == 0 ||
			   strcmp((const char *)c->name, "cr") == 0) {
			(void)buf_addc(b, '\n');
		} else if (strcmp((const char *)c->name, "p") == 0) {
			if (b->len)
				(void)buf_addc(b, '\n');
			docx_text(c, b);
		} else if (strcmp((const char *)c->name, "del") != 0 &&
			   strcmp((const char *)c->name, "tbl") != 0 &&
			   strcmp((const char *)c->name, "instrText") != 0 &&
			   strcmp((const char *)c->name, "delText") != 0 &&
			   strcmp((const char *)c->name, "tcPr") != 0 &&
			   strcmp((const char *)c->name, "pPr") != 0 &&
			   strcmp((const char *)c->name, "rPr") != 0) {
			docx_text(c, b);
		}
	}
}

/* Calls fn on each element local under n, looking through w:sdt/w:sdtContent and w:customXml. */
static int
each_wrapped(struct reader *rd, const xmlNode *n, const char *local,
	     int (*fn)(struct reader *, const xmlNode *, void *), void *ctx)
{
	int r = 0;

	for (xmlNode *c = n->children; c && r == 0; c = c->next) {
		if (is_el(c, local, ns_w))
			r = fn(rd, c, ctx);
		else if (is_el(c, "sdt", ns_w))
			r = each_wrapped(rd, child(c, "sdtContent", ns_w), local, fn, ctx);
		else if (is_el(c, "customXml", ns_w))
			r = each_wrapped(rd, c, local, fn, ctx);
	}
	return r;
}

struct docx_row {
	struct ooxml_row *row;
	size_t col;		/* the grid column of the next cell */
};

static int
docx_cell(struct reader *rd, const xmlNode *tc, void *ctx)
{
	struct docx_row *dr = ctx;
	const xmlNode *pr = child(tc, "tcPr", ns_w);
	struct buf b;
	long span = w_val(pr, "gridSpan", 1);
	int r;

	buf_init(&b, OOXML_MAX_PART);
	docx_text(tc, &b);
	r = row_put(rd, dr->row, dr->col, buf_detach(&b));
	buf_release(&b);
	dr->col += (size_t)span;
	return r;
}

static int
docx_row(struct reader *rd, const xmlNode *tr, void *ctx)
{
	struct docx_row dr;

	(void)ctx;
	dr.row = row_new(rd, rd->out.n + 1);
	/* Cells a row leaves out at its start (gridBefore) are empty ones. */
	dr.col = (size_t)w_val(child(tr, "trPr", ns_w), "gridBefore", 0);
	return each_wrapped(rd, tr, "tc", docx_cell, &dr);
}

/* Every table under n, in document order: a nested one after its parent. */
static int
docx_tables(struct reader *rd, const xmlNode *n, size_t *ret_tables)
{
	int r = 0;

	for (xmlNode *c = n->children; c && r == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (in_ns(c, ns_mc) && strcmp((const char *)c->name, "Fallback") == 0)
			continue;
		if (is_el(c, "del", ns_w))
			continue;
		if (is_el(c, "tbl", ns_w)) {
			size_t from = rd->out.n;

			r = each_wrapped(rd, c, "tr", docx_row, NULL);
			if (r < 0)
				break;
			r = rows_pad(rd, from);
			if (r < 0)
				break;
			(*ret_tables)++;
		}
		r = docx_tables(rd, c, ret_tables);
	}
	return r;
}

static int
read_docx(struct reader *rd, xmlDoc *doc)
{
	size_t tables = 0;
	int r = docx_tables(rd, sym_xmlDocGetRootElement(doc), &tables);

	if (r == 0 && tables == 0)
		r = fail(rd, -ENOENT, "it is a Word document with no table");
	return r;
}

/* --- entry ------------------------------------------------------------------ */

static int
open_zip(struct reader *rd, const void *data, size_t n)
{
	zip_error_t ze;
	zip_source_t *src;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, n, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return fail(rd, -EINVAL, "it cannot be read as a zip archive");
	}
	rd->z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (!rd->z) {
		zip_source_free(src);
		fail(rd, -EINVAL, "it is damaged (%s)", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -EINVAL;
	}
	zip_error_fini(&ze);
	if (zip_get_num_entries(rd->z, 0) > OOXML_MAX_ENTRIES)
		return fail(rd, -EFBIG, "it holds more than %d files", OOXML_MAX_ENTRIES);
	return 0;
}

int
ooxml_read(const void *data, size_t n, const char *sheet, struct ooxml_rows *ret,
	   char **reterr_msg)
{
	struct reader rd = { 0 };
	struct rels pkg = { 0 };
	const struct rel *main_rel;
	xmlDoc *doc = NULL;
	xmlNode *root;
	int r;

	r = dlxml_load(&rd.err);
	if (r < 0)
		goto out;
	r = open_zip(&rd, data, n);
	if (r < 0)
		goto out;
	r = read_rels(&rd, "", &pkg);
	if (r == -ENOENT) {
		free(rd.err);
		rd.err = NULL;
		r = fail(&rd, -EINVAL, "it is a zip archive, not an Office document");
	}
	if (r < 0)
		goto out;
	main_rel = rel_by_type(&pkg, "officeDocument");
	if (!main_rel) {
		r = fail(&rd, -EINVAL, "it is a zip archive, not an Office document");
		goto out;
	}
	r = parse_part(&rd, main_rel->target, &doc);
	if (r < 0)
		goto out;
	root = sym_xmlDocGetRootElement(doc);
	if (is_el(root, "workbook", ns_sml)) {
		rd.out.kind = OOXML_XLSX;
		r = read_xlsx(&rd, doc, main_rel->target, sheet);
	} else if (is_el(root, "document", ns_w)) {
		rd.out.kind = OOXML_DOCX;
		r = sheet ? fail(&rd, -EINVAL, "it is a Word document, and --sheet is for Excel "
				 "workbooks")
			  : read_docx(&rd, doc);
	} else {
		r = fail(&rd, -EINVAL, "it is neither an Excel workbook nor a Word document "
			 "(a presentation?)");
	}
out:
	sym_xmlFreeDoc(doc);
	rels_release(&pkg);
	if (rd.z)
		zip_discard(rd.z);
	if (r < 0) {
		ooxml_rows_release(&rd.out);
		if (reterr_msg)
			*reterr_msg = rd.err ? rd.err : xstrdup("it cannot be read");
		else
			free(rd.err);
		return r;
	}
	free(rd.err);
	*ret = rd.out;
	return 0;
}
