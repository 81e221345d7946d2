/* SPDX-License-Identifier: MIT */
/*
 * Import of the committee's appendix tables (DESIGN §2): TSV pasted from
 * Word, CSV exported from Excel (',' ';' or tab, UTF-8 with or without BOM,
 * or UTF-16 "Unicode Text"), or the .xlsx/.docx itself.  Columns are
 * found by their headers; repeated headers are skipped; a row with an
 * empty STT continues the row before it, even across a repeated header.
 *
 * The whole import is one transaction: either every good row is in the
 * registry, or (on a file-level error, or with dry_run) none is.  Every row
 * that cannot be understood is reported with its line number and left out.
 */
#ifndef DONDOC_IMPORT_H
#define DONDOC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct abbrev;
struct store;

#define IMPORT_MAX_BYTES ((off_t)40 << 20)	/* a plan's tables are far smaller */
#define IMPORT_MAX_LINE ((size_t)1 << 20)
#define IMPORT_MAX_CELLS 64
#define IMPORT_MAX_LEADS 20	/* lead agencies of one row; more is a pasting mistake */
#define IMPORT_MAX_COOPS 50	/* cooperating agencies of one row */

struct import_options {
	const char *path;	/* the file to read */
	const char *sheet;	/* the .xlsx sheet to read, NULL for the first */
	int year;		/* default year for deadlines, 0 for none */
	bool dry_run;		/* report what would change, change nothing */
	const char *actor;	/* who, for the event log */
	/* abbreviations agency names are matched through (abbrev.h); NULL for none */
	const struct abbrev *abbrev;
};

struct import_report {
	size_t rows;		/* task rows read (continuations merged) */
	size_t created;		/* tasks added */
	size_t updated;		/* existing tasks changed */
	size_t unchanged;	/* existing tasks already as in the file */
	size_t errors;		/* rows left out */
	size_t warnings;	/* rows taken with a remark (unknown deadline) */
	size_t notes;		/* lines that are not rows (titles, footnotes) */
	size_t agencies;	/* agencies added */
};

/*
 * Imports o->path into s.  Per-row problems are written to diag as
 * "FILE:LINE: ..." lines and counted in ret->errors; the call still
 * succeeds.  Returns 0, or a negative errno when the file as a whole
 * cannot be taken (missing, too large, binary, not UTF-8, no header, no
 * rows, database error), with a new English message in *reterr_msg; the
 * registry is then unchanged.
 *
 * Agencies: a lead or cooperating cell is cut at ';' always, and each
 * name at ',' and " và " only where every part is a known agency (by
 * name, alias or code, or through o->abbrev's abbreviations): all parts
 * of a lead cell lead the task; a name whose parts would all be
 * collectives ("Các sở, ban, ngành, địa phương") stays whole.  A name
 * kept whole that has commas (or " và " beside a known agency), is no
 * collective and is made a new agency is warned about once, after the
 * last row, naming every line that used it.  A name
 * matched only through an abbreviation becomes an alias of its agency.
 * New agencies get codes from agency_code_candidate (never "snv2").
 */
int import_file(struct store *s, const struct import_options *o, time_t now,
		FILE *diag, struct import_report *ret, char **reterr_msg);

#endif
