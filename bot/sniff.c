/* SPDX-License-Identifier: MIT */
/*
 * Telling a table file's kind from its bytes.  Office on Windows saves
 * tables in several ways a secretariat meets every week: CSV UTF-8 with a
 * BOM, CSV in the ANSI code page (Windows-1258 in a Vietnamese locale)
 * with ';' as the separator where ',' is the decimal mark, "Unicode Text"
 * (UTF-16 LE with a BOM, tab-separated), and the .xlsx/.docx themselves.
 * The file name says none of this reliably, so the content decides.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include <utf8proc.h>

#include "macro.h"
#include "sniff.h"
#include "xalloc.h"

#define SNIFF_PREFIX 4096		/* bytes that show a NUL pattern */
#define SNIFF_RECORDS 100		/* records a separator is judged on */
#define SNIFF_BYTES ((size_t)256 << 10)	/* text a separator is judged on */
#define SNIFF_CELLS 64			/* cells of a record kept for is_header */

static bool
starts(const unsigned char *p, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(p, magic, m) == 0;
}

/*
 * UTF-16 without a BOM: text is mostly ASCII and Latin letters, whose
 * high byte is 0, so one byte of each pair is NUL far more often than the
 * other.  A binary file has NULs on both sides and is left to the text
 * path, which calls it binary.
 */
static enum sniff_format
nul_pattern(const unsigned char *p, size_t n)
{
	size_t pairs = MIN(n, (size_t)SNIFF_PREFIX) / 2, even = 0, odd = 0;

	for (size_t i = 0; i < pairs; i++) {
		even += p[2 * i] == 0;
		odd += p[2 * i + 1] == 0;
	}
	if (pairs < 2)
		return SNIFF_TEXT;
	if (odd * 10 >= pairs * 3 && even * 20 <= pairs)
		return SNIFF_UTF16LE_NOBOM;
	if (even * 10 >= pairs * 3 && odd * 20 <= pairs)
		return SNIFF_UTF16BE_NOBOM;
	return SNIFF_TEXT;
}

enum sniff_format
sniff_format(const void *data, size_t n)
{
	const unsigned char *p = data;

	if (starts(p, n, "\xFF\xFE\0\0", 4) || starts(p, n, "\0\0\xFE\xFF", 4))
		return SNIFF_UTF32;
	if (starts(p, n, "\xFF\xFE", 2))
		return SNIFF_UTF16LE;
	if (starts(p, n, "\xFE\xFF", 2))
		return SNIFF_UTF16BE;
	if (starts(p, n, "PK\x03\x04", 4))
		return SNIFF_ZIP;
	if (starts(p, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return SNIFF_OLE;
	return nul_pattern(p, n);
}

int
sniff_utf16_to_utf8(const void *data, size_t n, bool big_endian, char **ret, size_t *ret_len,
		    size_t *reterr_line)
{
	const unsigned char *p = data;
	size_t units = n / 2, i = 0, len = 0, line = 1;
	char *out;

	if (n % 2) {
		/* Every line before the odd byte was whole: name the last. */
		for (size_t k = 0; k < units; k++)
			line += (big_endian ? p[2 * k] == 0 && p[2 * k + 1] == '\n'
					    : p[2 * k] == '\n' && p[2 * k + 1] == 0);
		*reterr_line = line;
		return -EILSEQ;
	}
	/* Each unit gives at most 3 bytes; a surrogate pair (2 units) gives 4. */
	out = xmalloc(units * 3 + 1);
	if (units > 0 && (big_endian ? p[0] == 0xFE && p[1] == 0xFF : p[0] == 0xFF && p[1] == 0xFE))
		i = 1;
	for (; i < units; i++) {
		uint32_t c = big_endian ? (uint32_t)p[2 * i] << 8 | p[2 * i + 1]
					: (uint32_t)p[2 * i + 1] << 8 | p[2 * i];

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < units) {
			uint32_t lo = big_endian ? (uint32_t)p[2 * i + 2] << 8 | p[2 * i + 3]
						 : (uint32_t)p[2 * i + 3] << 8 | p[2 * i + 2];

			if (lo >= 0xDC00 && lo < 0xE000) {
				c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			}
		}
		if ((c >= 0xD800 && c < 0xE000) || c == 0) {
			/* A lone surrogate, or a NUL no text table holds. */
			free(out);
			*reterr_line = line;
			return -EILSEQ;
		}
		if (c == '\n')
			line++;
		len += (size_t)utf8proc_encode_char((utf8proc_int32_t)c, (utf8proc_uint8_t *)out + len);
	}
	out[len] = '\0';
	*ret = out;
	*ret_len = len;
	return 0;
}

/* The length of the valid UTF-8 multi-byte sequence at p, or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)MIN(n, (size_t)4), &c);

	return k > 1 ? (size_t)k : 0;
}

const char *
sniff_legacy_name(const void *data, size_t n)
{
	/* Bytes that are đ ơ ư ă Đ Ơ Ư Ă and the five tone marks in Windows-1258. */
	static const unsigned char vn[] = { 0xF0, 0xD0, 0xF5, 0xD5, 0xFD, 0xDD, 0xE3, 0xC3,
					    0xCC, 0xEC, 0xD2, 0xDE, 0xF2 };
	const unsigned char *p = data;
	size_t high = 0, marks = 0, good = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (p[i] < 0x80)
			continue;
		if ((k = utf8_seq(p + i, n - i)) > 0) {
			good++;
			i += k - 1;
			continue;
		}
		high++;
		marks += memchr(vn, p[i], sizeof(vn)) != NULL;
	}
	/* Mostly UTF-8 with a broken character: no other code page to name. */
	if (good >= high)
		return NULL;
	return marks * 4 >= high ? "Windows-1258" : "Windows-1252";
}

/* True when the UTF-16LE form of ascii appears in the n bytes at p. */
static bool
has_utf16_name(const unsigned char *p, size_t n, const char *ascii)
{
	size_t m = strlen(ascii);
	char pat[64];

	for (size_t i = 0; i < m && i < sizeof(pat) / 2; i++) {
		pat[2 * i] = ascii[i];
		pat[2 * i + 1] = '\0';
	}
	return memmem(p, n, pat, 2 * m) != NULL;
}

const char *
sniff_ole_kind(const void *data, size_t n)
{
	const unsigned char *p = data;

	/* The stream names sit in the container's directory, in UTF-16LE. */
	if (has_utf16_name(p, n, "EncryptedPackage"))
		return "a password-protected Office document: remove the password (File > Info > "
		       "Protect) and save it again";
	if (has_utf16_name(p, n, "WordDocument"))
		return "a Word 97-2003 document (.doc): save it as .docx";
	if (has_utf16_name(p, n, "Workbook") || has_utf16_name(p, n, "Book"))
		return "an Excel 97-2003 workbook (.xls): save it as .xlsx or CSV UTF-8";
	return "an OLE file (an old Office format, or a password-protected document): save it "
	       "as .xlsx, .docx or CSV UTF-8";
}

const char *
sniff_separator_name(char sep)
{
	return sep == '\t' ? "tab" : sep == ';' ? "';'" : "','";
}

/* --- separator ------------------------------------------------------------ */

/* What one separator makes of the first records. */
struct trial {
	char sep;
	size_t counts[SNIFF_RECORDS];	/* cells of each record */
	size_t n;			/* records seen */
	char *cells[SNIFF_CELLS];	/* the record being parsed */
	size_t n_cells;			/* cells of it (may pass SNIFF_CELLS) */
	size_t header_cells;		/* cells of the first header row, 0 for none */
	sniff_header_fn is_header;
	void *ctx;
};

static void
trial_field(void *data, size_t len, void *userdata)
{
	struct trial *t = userdata;

	if (t->n_cells < SNIFF_CELLS)
		t->cells[t->n_cells] = xstrndup(data ? data : "", data ? len : 0);
	t->n_cells++;
}

static void
trial_record(int c, void *userdata)
{
	struct trial *t = userdata;
	size_t kept = MIN(t->n_cells, (size_t)SNIFF_CELLS);

	(void)c;
	if (t->n < SNIFF_RECORDS) {
		if (!t->header_cells && t->is_header && t->is_header(t->cells, kept, t->ctx))
			t->header_cells = t->n_cells;
		t->counts[t->n++] = t->n_cells;
	}
	for (size_t i = 0; i < kept; i++)
		free(t->cells[i]);
	t->n_cells = 0;
}

static void *
trial_realloc(void *p, size_t n)
{
	return xgrowto(p, n, 1);
}

static int
trial_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Parses the start of the text with t->sep, as the import would. */
static void
trial_run(struct trial *t, const char *p, size_t n)
{
	struct csv_parser csv;

	if (csv_init(&csv, CSV_REPALL_NL | CSV_APPEND_NULL) != 0)
		abort();
	csv_set_realloc_func(&csv, trial_realloc);
	csv_set_free_func(&csv, free);
	csv_set_space_func(&csv, trial_no_space);
	/* Large steps: a long cell is few reallocs (import.c says why). */
	csv_set_blk_size(&csv, 64 << 10);
	csv_set_delim(&csv, (unsigned char)t->sep);
	/* A Word paste (tabs) never quotes; Excel's CSV does. */
	csv_set_quote(&csv, t->sep == '\t' ? '\0' : CSV_QUOTE);
	n = MIN(n, SNIFF_BYTES);
	for (size_t off = 0; off < n && t->n < SNIFF_RECORDS;) {
		size_t step = MIN(n - off, (size_t)4096);

		csv_parse(&csv, p + off, step, trial_field, trial_record, t);
		off += step;
	}
	csv_fini(&csv, trial_field, trial_record, t);
	csv_free(&csv);
}

/* Records that split (2+ cells) into the most common number of cells. */
static size_t
trial_agree(const struct trial *t)
{
	size_t best = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t same = 0;

		if (t->counts[i] < 2)
			continue;
		for (size_t j = 0; j < t->n; j++)
			same += t->counts[j] == t->counts[i];
		best = MAX(best, same);
	}
	return best;
}

int
sniff_separator(const char *p, size_t n, sniff_header_fn is_header, void *ctx, char *ret_sep,
		char reterr_pair[2])
{
	static const char seps[] = { '\t', ';', ',' };
	struct trial *t = xcalloc(ELEMENTSOF(seps), sizeof(*t));
	size_t best = 0, second = SIZE_MAX, score[ELEMENTSOF(seps)];
	bool by_header = false;
	int r = 0;

	for (size_t i = 0; i < ELEMENTSOF(seps); i++) {
		t[i].sep = seps[i];
		t[i].is_header = is_header;
		t[i].ctx = ctx;
		trial_run(&t[i], p, n);
		by_header |= t[i].header_cells > 0;
	}
	/*
	 * A header row is the surest sign: its words are known.  Without one,
	 * the separator that cuts the most lines into equal numbers of cells;
	 * Vietnamese text is full of commas, but never in the same number on
	 * every line.
	 */
	for (size_t i = 0; i < ELEMENTSOF(seps); i++)
		score[i] = by_header ? t[i].header_cells : trial_agree(&t[i]);
	for (size_t i = 1; i < ELEMENTSOF(seps); i++)
		if (score[i] > score[best])
			best = i;
	for (size_t i = 0; i < ELEMENTSOF(seps); i++)
		if (i != best && score[i] == score[best])
			second = i;
	if (score[best] == 0) {
		r = -ENOENT;
	} else if (second != SIZE_MAX) {
		reterr_pair[0] = seps[MIN(best, second)];
		reterr_pair[1] = seps[MAX(best, second)];
		r = -EINVAL;
	} else {
		*ret_sep = seps[best];
	}
	free(t);
	return r;
}

/* The end of the quoted field that opens at p[0] == '"', or NULL when it is not one. */
static const char *
quoted_field_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p != '"')
			continue;
		if (p + 1 < end && p[1] == '"') {
			p++;	/* a doubled quote inside */
			continue;
		}
		p++;
		if (p == end || *p == '\t' || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n')))
			return p;
		return NULL;
	}
	return NULL;	/* never closed */
}

bool
sniff_tab_quoted(const char *p, size_t n)
{
	const char *end = p + n;
	bool field_start = true, any = false;

	while (p < end) {
		if (field_start && *p == '"') {
			const char *q = quoted_field_end(p, end);

			if (!q)
				return false;
			any = true;
			p = q;
			field_start = false;
			continue;
		}
		field_start = *p == '\t' || *p == '\n';
		p++;
	}
	return any;
}
