/* SPDX-License-Identifier: MIT */
/*
 * The committee's appendix tables, piece by piece (DESIGN §2): which
 * column is which by its header, what an STT cell says, the assigning
 * document ("Kế hoạch số 328-KH/TU ngày 24/4/2025"), the lead agencies
 * ("Sở Nội vụ; Sở Khoa học và Công nghệ") and the assessment ("Quá hạn
 * (Thời gian hoàn thành: Quý II)").  Pure: no I/O, no store, no logging;
 * import.c puts the pieces together.
 */
#ifndef DONDOC_APPENDIX_H
#define DONDOC_APPENDIX_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "task.h"

enum appendix_column {
	COL_STT,		/* STT */
	COL_TITLE,		/* Nhiệm vụ */
	COL_DOCUMENT,		/* Văn bản giao nhiệm vụ */
	COL_LEAD,		/* Cơ quan chủ trì thực hiện */
	COL_COOP,		/* Cơ quan phối hợp */
	COL_DEADLINE,		/* Thời hạn hoàn thành */
	COL_ASSESSMENT,		/* Đánh giá */
	_COL_MAX,
};

struct appendix_header {
	int col[_COL_MAX];	/* index of each column in a row, -1 when absent */
	size_t n_cells;		/* cells in the header row */
};

/*
 * True when cells form a header row: one cell says "STT" and another
 * names the task ("Nhiệm vụ").  Fills *ret only then.
 */
bool appendix_header_parse(char *const *cells, size_t n, struct appendix_header *ret);
/* Name of a column as the committee writes it, for messages. */
const char *appendix_column_name(enum appendix_column c);

enum appendix_stt {
	STT_EMPTY,		/* continues the row before */
	STT_NUMBER,		/* "1", "12.", "3.1" */
	STT_SECTION,		/* "I", "II.", "A": a heading row */
	STT_OTHER,		/* anything else: a note or footnote */
};

/* Classifies an STT cell; *ret_stt (when not NULL) gets a new trimmed copy. */
enum appendix_stt appendix_stt_parse(const char *cell, char **ret_stt);

struct appendix_document {
	char *kind;		/* "Kế hoạch", "Chương trình"; "" when unknown */
	char *number;		/* "328-KH/TU"; the whole text when it has no number */
	char *text;		/* the cell as written (NFC) */
	bool has_date;
	struct date date;
};

/*
 * Parses the assigning document.  Returns 0, or -EINVAL with a static
 * reason in *reterr_why for an impossible date ("ngày 30/02/2025").
 */
int appendix_document_parse(const char *cell, struct appendix_document *ret,
			    const char **reterr_why);
void appendix_document_release(struct appendix_document *d);

/*
 * Splits agencies on ';' only (names hold commas and "và"), trimming each
 * and its trailing dots.  Returns how many, with a new array of new
 * strings in *ret (free each and the array).
 */
size_t appendix_split_agencies(const char *cell, char ***ret);

/* Whether name is an agency the registry knows (its name, an alias, an abbreviation of one). */
typedef bool (*appendix_known_fn)(const char *name, void *userdata);

/*
 * Splits text, one name of an agency cell (appendix_split_agencies cut
 * it at ';'), at its commas and at " và " where every part is a name
 * known() takes: "Sở Nội vụ, Sở KH&CN" is two agencies when both are
 * known, "Sở Văn hóa, Thể thao và Du lịch" stays one (its pieces are not
 * agencies).  Of the splits that make every part known, the one with the
 * most parts wins (among those, the one whose last part is longest).
 * Returns how many parts, 1 when none is made (the text whole), with a
 * new array of new trimmed strings in *ret.  Names cut into more than 24
 * pieces are not split.
 */
size_t appendix_split_known(const char *text, appendix_known_fn known, void *userdata, char ***ret);
/*
 * The pieces text is cut into at ',' and " và " (trimmed, empty ones
 * dropped), for messages naming the ones that are not known: how many,
 * with a new array of new strings in *ret.
 */
size_t appendix_agency_pieces(const char *text, char ***ret);

struct appendix_assessment {
	enum task_status status;
	char *deadline;		/* an embedded deadline text ("Quý II"), or NULL */
};

/*
 * Maps an assessment ("Chưa đạt", "Chưa đánh giá được", "Quá hạn (Thời
 * gian hoàn thành: Quý II)", "Hoàn thành", ...) to a status.  0, or
 * -ENOENT when the text is not understood.
 */
int appendix_assessment_parse(const char *cell, struct appendix_assessment *ret);
void appendix_assessment_release(struct appendix_assessment *a);

#endif
