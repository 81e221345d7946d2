/* SPDX-License-Identifier: MIT */
/*
 * The report's table as a workbook (libxlsxwriter; issue 13): a sheet in
 * the appendix layout (STT, Nhiệm vụ, Văn bản giao nhiệm vụ, Cơ quan chủ
 * trì thực hiện, Thời hạn hoàn thành, Tình trạng, Tiến độ, Ghi chú),
 * grouped by document as the appendices are, every task and indicator
 * selected (never cut), and a sheet by agency.  Deterministic: the same
 * registry, query and created time give the same bytes.
 */
#ifndef DONDOC_XLSX_H
#define DONDOC_XLSX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "date.h"

struct calendar;
struct store;

struct xlsx_query {
	struct date today;	/* lights and "quá hạn" as of this day */
	const struct calendar *cal;	/* NULL: Monday-Friday */
	int64_t agency_id;	/* 0: every task; else those it leads */
	time_t created;		/* the workbook's creation time (pinned: same bytes) */
};

/* "Bao-cao-tien-do-2025-10-10.xlsx" for day d, into out. */
void xlsx_filename(struct date d, char out[40]);

/*
 * Writes the workbook of q to path (through path.tmp and rename, so a
 * failure leaves nothing half-written).  0, or -errno with a new English
 * message in *reterr_msg naming the path.
 */
int xlsx_report_write(struct store *s, const struct xlsx_query *q, const char *path,
		      char **reterr_msg);
/* The same into memory: a new buffer *ret (free) of *ret_len bytes. */
int xlsx_report_bytes(struct store *s, const struct xlsx_query *q, void **ret, size_t *ret_len,
		      char **reterr_msg);

#endif
