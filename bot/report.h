/* SPDX-License-Identifier: MIT */
/*
 * The one place that counts tasks (DESIGN §6, §10).  /baocao, the CLI's
 * "dondoc report", /metrics and the digest read a struct report and never
 * count on their own, so that every figure the committee sees agrees with
 * every other.
 *
 * The categories are the committee's (DESIGN §2, §9).  A row of kind task
 * lands in exactly one of:
 *   done (hoàn thành), split on time / late by task_done_late(), which
 *     judges against the due day in force when it was done, and unknown
 *     for rows imported as done (no done time: nobody said when);
 *   in progress (đang triển khai thực hiện): status in_progress, and also
 *     the legacy statuses not_achieved and cannot_assess that old imports
 *     put on tasks (the task is neither done, nor waiting, nor postponed:
 *     it is being carried out, however badly);
 *   not started (chưa thực hiện); postponed (tạm hoãn).
 * Among the in-progress ones, "behind" (chậm tiến độ) are those
 * task_is_overdue() says are overdue.  "Overdue" (quá hạn) counts every
 * task task_is_overdue() names, whatever its status: not started ones
 * too.  A row of kind indicator lands in exactly one of achieved (đạt:
 * status done), not achieved (chưa đạt) and unassessed (chưa đánh giá
 * được: every other status).  Lights come from task_light().  Nothing
 * else is read: what "overdue" and the light mean for recurring tasks and
 * indicators is decided by task.c, and followed here without edits.
 *
 * Scopes: the whole selection; one row per lead agency (a task with two
 * lead agencies is counted in both rows, so agency rows overlap and their
 * sum exceeds the total; a task with none has the row of agency id 0);
 * one row per assigning document (each task in exactly one row, the row
 * with document NULL for tasks of no document: the rows sum to the whole).
 *
 * A period [from, to] (local days, both included) does not change the
 * counts above, which are always the state as of today.  It adds what
 * happened in it, read from each task as it stands today: tasks done on a
 * day of the period (on time / late; a task done then and reopened since
 * is not counted), and rows created on a day of the period.
 */
#ifndef DONDOC_REPORT_H
#define DONDOC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "task.h"

struct calendar;
struct store;
struct json_t;

/* The tasks (kind task): total = done + in_progress + not_started + postponed. */
struct report_tasks {
	int64_t total;
	int64_t done;		/* = done_on_time + done_late + done_unknown */
	int64_t done_on_time;
	int64_t done_late;
	int64_t done_unknown;	/* imported as done: when, and so whether late, is unknown */
	int64_t in_progress;	/* legacy not_achieved / cannot_assess included */
	int64_t behind;		/* chậm tiến độ: in progress and overdue */
	int64_t not_started;
	int64_t postponed;
	int64_t overdue;	/* quá hạn: task_is_overdue(), any status */
	int64_t light[_LIGHT_MAX];	/* sums to total */
};

/* The indicators: total = achieved + not_achieved + unassessed. */
struct report_indicators {
	int64_t total;
	int64_t achieved;	/* đạt (và vượt) */
	int64_t not_achieved;	/* chưa đạt */
	int64_t unassessed;	/* chưa đánh giá được */
	int64_t light[_LIGHT_MAX];	/* sums to total */
};

/* What happened in the period (all zero without one). */
struct report_period {
	int64_t done;		/* tasks done on a day of it; = on_time + late */
	int64_t done_on_time;
	int64_t done_late;
	int64_t created_tasks;
	int64_t created_indicators;
};

struct report_counts {
	struct report_tasks tasks;
	struct report_indicators indicators;
	struct report_period period;
};

/* One row of a breakdown. */
struct report_row {
	int64_t agency_id;	/* agency rows: its id, 0 for tasks without a lead */
	char *code;		/* agency rows: its code (NULL when unknown) */
	char *name;		/* agency: its name; document: its number; NULL: none */
	struct report_counts c;
};

/* What to count. */
struct report_query {
	struct date today;
	const struct calendar *cal;	/* for the lights; NULL: Monday-Friday */
	int64_t agency_id;	/* only tasks it leads; 0: every task */
	const char *document;	/* only tasks of this document (number, any case or
				   diacritics); NULL: every task */
	bool has_period;
	struct date from, to;	/* the period, both days included */
};

struct report {
	struct report_query q;	/* as asked (document copied into doc_key) */
	char *doc_key;		/* norm_key of q.document; NULL without */
	struct report_counts all;
	struct report_row *agencies;	/* by code (id without codes); overlapping */
	size_t n_agencies;
	struct report_row *documents;	/* by number, "no document" last; a partition */
	size_t n_documents;
	/* Indexes of the rows (open addressing), private to report.c. */
	size_t *agency_slots, *document_slots;
	size_t agency_cap, document_cap;
};

/*
 * Counts the tasks of store s that q selects, in one pass: 0 with *ret
 * filled (report_release), -EPROTO when the parts do not add up (a bug,
 * logged; the figures are refused, never shown), or -errno from the store.
 */
int report_build(struct store *s, const struct report_query *q, struct report *ret);
void report_release(struct report *r);

/* The same in three steps, without a store (tests, a caller's own pass). */
void report_begin(const struct report_query *q, struct report *ret);
void report_add(struct report *r, const struct task *t);
int report_end(struct report *r);

/*
 * 0 when every breakdown adds up to its total, the document rows to the
 * whole, each agency row to its own total; -EPROTO otherwise, with what
 * did not add up in *ret_what (static text) when ret_what is not NULL.
 */
int report_check(const struct report *r, const char **ret_what);

/*
 * A share in whole percent as the committee writes it ("hoàn thành 35/82
 * nhiệm vụ (đạt 43%)"): rounded to the nearest, halves up, but never 100
 * before all are done; 0 when whole is 0.
 */
int report_percent(int64_t part, int64_t whole);

/*
 * Returns a new JSON object (json_decref) of the counts c of report r:
 * {"tasks": {...}, "indicators": {...}} and, when the
 * report has a period, "period": {...}; every field of the structs above
 * by its name, plus "percent_done" and "percent_achieved", the lights
 * by name ("green", "yellow", "red") and, for the templates (where
 * Mustache takes 0 for true), "has_done_unknown".
 */
struct json_t *report_counts_json(const struct report *r, const struct report_counts *c);

#endif
