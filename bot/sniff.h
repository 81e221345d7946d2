/* SPDX-License-Identifier: MIT */
/*
 * What a table file is, from its bytes rather than its name: UTF-8 text,
 * UTF-16 with a byte order mark (Excel's "Unicode Text"), a zip (.xlsx,
 * .docx), an OLE container (a password-protected Office file or an old
 * .xls/.doc), and which separator a text table uses.  Nothing here logs;
 * callers turn the answers into the one line the operator reads.
 */
#ifndef DONDOC_SNIFF_H
#define DONDOC_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

enum sniff_format {
	SNIFF_TEXT,		/* 8-bit text, UTF-8 or not (with or without a BOM) */
	SNIFF_UTF16LE,		/* UTF-16 little-endian with its BOM */
	SNIFF_UTF16BE,		/* UTF-16 big-endian with its BOM */
	SNIFF_UTF16LE_NOBOM,	/* UTF-16 little-endian told by its NUL bytes */
	SNIFF_UTF16BE_NOBOM,
	SNIFF_UTF32,		/* UTF-32 with a BOM */
	SNIFF_ZIP,		/* a zip archive: .xlsx, .docx */
	SNIFF_OLE,		/* an OLE compound file */
};

/* The format of the n bytes at p (the start of the file suffices). */
enum sniff_format sniff_format(const void *p, size_t n);

/*
 * Converts UTF-16 (the BOM, if any, included at p) to UTF-8, in a new
 * NUL-terminated string in *ret (free with free()) of *ret_len bytes.
 * -EILSEQ for a lone surrogate or an odd byte count, with the 1-based line
 * it is on in *reterr_line.
 */
int sniff_utf16_to_utf8(const void *p, size_t n, bool big_endian, char **ret, size_t *ret_len,
			size_t *reterr_line);

/*
 * The 8-bit code page that text which is not UTF-8 most likely uses:
 * "Windows-1258" when it has bytes only Vietnamese text in that code page
 * has (đ, ơ, ư, ă, the combining tone marks), else "Windows-1252".
 * Borrowed static string.
 */
const char *sniff_legacy_name(const void *p, size_t n);

/* What an OLE file is, as a clause: "a password-protected Office document", ... Static. */
const char *sniff_ole_kind(const void *p, size_t n);

/* Decides whether cells (n of them) form a table's header row. */
typedef bool (*sniff_header_fn)(char *const *cells, size_t n, void *ctx);

/*
 * The separator of the text table at p: ',' ';' or '\t', in *ret_sep.
 * The separator under which a header row appears (is_header, may be NULL)
 * wins; else the one that splits the most lines into the same number of
 * cells.  -ENOENT when no line splits at all (one column, or prose),
 * -EINVAL when two separators fit equally well, with the two in
 * reterr_pair[0..1].
 */
int sniff_separator(const char *p, size_t n, sniff_header_fn is_header, void *ctx, char *ret_sep,
		    char reterr_pair[2]);

/*
 * True when tab-separated text is quoted as Excel quotes it: some cell
 * starts with '"', and every such cell is a whole quoted field (closed by
 * a '"' before the next tab or line end, inner quotes doubled).  A Word
 * paste never quotes, and its cells may start with a '"' of their own.
 */
bool sniff_tab_quoted(const char *p, size_t n);

/* A separator as a message names it: "','", "';'", "tab". Static. */
const char *sniff_separator_name(char sep);

#endif
