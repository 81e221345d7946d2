/* SPDX-License-Identifier: MIT */
/*
 * A task of the registry (DESIGN §4) and what is derived from it: status
 * names in English (stored, typed on the CLI) and Vietnamese (shown to
 * officials), and the derived "overdue" and traffic light, which are
 * computed from status, due day and today and never stored.
 */
#ifndef DONDOC_TASK_H
#define DONDOC_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "deadline.h"

struct calendar;

enum task_status {
	TASK_NOT_STARTED,	/* chưa thực hiện */
	TASK_IN_PROGRESS,	/* đang thực hiện */
	TASK_DONE,		/* hoàn thành */
	TASK_POSTPONED,		/* tạm hoãn */
	TASK_NOT_ACHIEVED,	/* chưa đạt (an indicator below target) */
	TASK_CANNOT_ASSESS,	/* chưa đánh giá được */
	_TASK_STATUS_MAX,
	_TASK_STATUS_INVALID = -22,	/* -EINVAL */
};

enum task_kind {
	TASK_KIND_TASK,		/* nhiệm vụ: has a deadline */
	TASK_KIND_INDICATOR,	/* chỉ tiêu: a target that is assessed */
	_TASK_KIND_MAX,
	_TASK_KIND_INVALID = -22,
};

enum task_light {
	LIGHT_GREEN,		/* XANH */
	LIGHT_YELLOW,		/* VÀNG */
	LIGHT_RED,		/* ĐỎ */
	_LIGHT_MAX,
};

/* One task; every string is owned by the struct (task_release frees). */
struct task {
	int64_t id;		/* the short number officials type */
	char *code;		/* stable code, e.g. "01-CTr/BCĐ#27" */
	enum task_kind kind;
	char *title;
	char *document;		/* the assigning document's number; NULL if none */
	char *deadline_raw;	/* the deadline as written; "" when none */
	struct deadline deadline;
	enum task_status status;
	int progress;		/* 0..100 */
	bool obstacle_open;	/* an obstacle was reported and is not cleared */
	int64_t done_at;	/* unix time it was done; 0 when not done */
	bool has_done_due;	/* done with a due day in force... */
	struct date done_due;	/* ...this one: on time or late is judged against it */
	bool has_first_notice;	/* a reminder or nag about it was sent... */
	struct date first_notice;	/* ...first on this day (the escalation clock, from = first_notice) */
	int64_t created_at;
	int64_t updated_at;
	char **leads;		/* lead agency names (chủ trì), in table order */
	int64_t *lead_ids;	/* their ids, same order */
	size_t n_leads;
	char **coops;		/* cooperating agency names (phối hợp) */
	int64_t *coop_ids;	/* their ids, same order */
	size_t n_coops;
	char *note;		/* the last progress note; NULL when none */
};

/* Frees the strings of t and zeroes it; NULL-safe. */
void task_release(struct task *t);

/*
 * What a task's plan (when its next notice is due: planner.h) follows
 * from: its kind, its deadline (as written, its last day, how precise,
 * how often) and whether it is closed (done or postponed).  The plan is
 * dropped, for the planner to make again, when one of them changes; a
 * progress, a note, a task started keep it (issue 16: on 100,000 tasks
 * nearly every /tiendo started one, and the planner redid each).
 */
struct task_plan_key {
	enum task_kind kind;
	char *deadline_raw;	/* "" when none */
	struct deadline deadline;
	bool closed;
};

/* The key of t's plan, new in *ret (task_plan_key_release). */
void task_plan_key_of(const struct task *t, struct task_plan_key *ret);
/* Whether t's plan is still the one key stands for. */
bool task_plan_same(const struct task_plan_key *key, const struct task *t);
/* Frees key's text and zeroes it; NULL-safe. */
void task_plan_key_release(struct task_plan_key *key);

/* A request to move a deadline (/giahan), and what the secretariat decided. */
enum extension_state {
	EXTENSION_PENDING,	/* open: one per task at most */
	EXTENSION_APPROVED,
	EXTENSION_REJECTED,
	EXTENSION_SUPERSEDED,	/* a newer request of the same task replaced it */
	EXTENSION_MOOT,		/* its task was done before it was decided */
	_EXTENSION_STATE_MAX,
	_EXTENSION_STATE_INVALID = -22,
};

struct extension {
	int64_t id;		/* the number the secretariat types: /duyet 3 */
	int64_t task_id;
	int64_t person_id;	/* who asked */
	struct date due;	/* the day asked for */
	char *reason;
	enum extension_state state;
	int64_t decided_by;	/* a person; 0 until decided */
	int64_t decided_at;
	char *decision;		/* why rejected (or a remark); NULL when none */
	int64_t created_at;
	char *raw;		/* the deadline asked for, as typed ("Quý I/2026"); NULL: the day */
	enum deadline_precision precision;	/* of raw: the due day is its last day */
};

void extension_release(struct extension *e);
const char *extension_state_to_string(enum extension_state s);
enum extension_state extension_state_from_string(const char *s);

/* "not_started", ... ; NULL when out of range. */
const char *task_status_to_string(enum task_status s);
/* Vietnamese label, e.g. "Đang thực hiện"; NULL when out of range. */
const char *task_status_label(enum task_status s);
/*
 * Accepts the English name ("in_progress", "in-progress") or the
 * Vietnamese label in any case, with or without diacritics.
 */
enum task_status task_status_from_string(const char *s);

const char *task_kind_to_string(enum task_kind k);
enum task_kind task_kind_from_string(const char *s);

/*
 * An assessment word of an indicator, as typed on the CLI or in chat,
 * without diacritics or case: "đạt"/"dat" gives TASK_DONE, "chưa đạt"
 * TASK_NOT_ACHIEVED, "chưa đánh giá được" TASK_CANNOT_ASSESS;
 * _TASK_STATUS_INVALID for anything else.
 */
enum task_status task_assessment_from_string(const char *s);
/* "Đạt", "Chưa đạt", "Chưa đánh giá được" (an indicator never assessed is the last). */
const char *task_assessment_label(enum task_status s);

/* "green", "yellow", "red". */
const char *task_light_to_string(enum task_light l);
/* "XANH", "VÀNG", "ĐỎ": the national monitoring system's words. */
const char *task_light_label(enum task_light l);

/*
 * True when t was done after the due day in force on the day it was done
 * (done_due, DESIGN §4); false when not done, on time, done with no due
 * day, or done at a time not known (task_done_when_known).
 */
bool task_done_late(const struct task *t);
/*
 * False for a row imported as done: the table said "Đã hoàn thành", not
 * when, and the import records no done time.  (Before schema 10 an
 * import recorded its own time: those rows keep it, since the history
 * that "dondoc verify" replays says so.)
 */
bool task_done_when_known(const struct task *t);

/*
 * True when t has a due day before today and is neither done nor
 * postponed; never for an indicator (assessed, not due).
 */
bool task_is_overdue(const struct task *t, struct date today);
/*
 * The light (DESIGN §4): red when overdue; yellow when not done and due
 * within TASK_YELLOW_WORKDAYS working days of cal, or an obstacle is
 * open; green otherwise.  An indicator's comes from its assessment: red
 * chưa đạt, green đạt (done), yellow otherwise (chưa đánh giá được).
 */
enum task_light task_light(const struct task *t, struct date today,
			   const struct calendar *cal);

#define TASK_YELLOW_WORKDAYS 10

#endif
