/* SPDX-License-Identifier: MIT */
/*
 * Task names, labels and the derived overdue flag and traffic light.
 */
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "clock.h"
#include "macro.h"
#include "norm.h"
#include "task.h"
#include "xalloc.h"

static const char *const status_names[_TASK_STATUS_MAX] = {
	[TASK_NOT_STARTED] = "not_started",
	[TASK_IN_PROGRESS] = "in_progress",
	[TASK_DONE] = "done",
	[TASK_POSTPONED] = "postponed",
	[TASK_NOT_ACHIEVED] = "not_achieved",
	[TASK_CANNOT_ASSESS] = "cannot_assess",
};

static const char *const status_labels[_TASK_STATUS_MAX] = {
	[TASK_NOT_STARTED] = "Chưa thực hiện",
	[TASK_IN_PROGRESS] = "Đang thực hiện",
	[TASK_DONE] = "Hoàn thành",
	[TASK_POSTPONED] = "Tạm hoãn",
	[TASK_NOT_ACHIEVED] = "Chưa đạt",
	[TASK_CANNOT_ASSESS] = "Chưa đánh giá được",
};

static const char *const kind_names[_TASK_KIND_MAX] = {
	[TASK_KIND_TASK] = "task",
	[TASK_KIND_INDICATOR] = "indicator",
};

static const char *const light_names[_LIGHT_MAX] = {
	[LIGHT_GREEN] = "green",
	[LIGHT_YELLOW] = "yellow",
	[LIGHT_RED] = "red",
};

static const char *const light_labels[_LIGHT_MAX] = {
	[LIGHT_GREEN] = "XANH",
	[LIGHT_YELLOW] = "VÀNG",
	[LIGHT_RED] = "ĐỎ",
};

void
task_release(struct task *t)
{
	if (!t)
		return;
	free(t->code);
	free(t->title);
	free(t->document);
	free(t->deadline_raw);
	for (size_t i = 0; i < t->n_leads; i++)
		free(t->leads[i]);
	free(t->leads);
	free(t->lead_ids);
	for (size_t i = 0; i < t->n_coops; i++)
		free(t->coops[i]);
	free(t->coops);
	free(t->coop_ids);
	free(t->note);
	memset(t, 0, sizeof(*t));
}

static bool
task_closed(enum task_status s)
{
	return s == TASK_DONE || s == TASK_POSTPONED;
}

void
task_plan_key_of(const struct task *t, struct task_plan_key *ret)
{
	*ret = (struct task_plan_key){ .kind = t->kind,
				       .deadline_raw = xstrdup(t->deadline_raw ? t->deadline_raw : ""),
				       .deadline = t->deadline, .closed = task_closed(t->status) };
}

/* Compared as the registry keeps them: the text as written, the day, the precision, the period. */
bool
task_plan_same(const struct task_plan_key *key, const struct task *t)
{
	const struct deadline *a = &key->deadline, *b = &t->deadline;
	char pa[24], pb[24];
	const char *ea = deadline_every_format(a, pa), *eb = deadline_every_format(b, pb);

	return key->kind == t->kind && key->closed == task_closed(t->status) &&
	       strcmp(key->deadline_raw, t->deadline_raw ? t->deadline_raw : "") == 0 &&
	       a->has_due == b->has_due && (!a->has_due || date_cmp(a->due, b->due) == 0) &&
	       a->precision == b->precision && (ea && eb ? strcmp(ea, eb) == 0 : ea == eb);
}

void
task_plan_key_release(struct task_plan_key *key)
{
	if (!key)
		return;
	free(key->deadline_raw);
	memset(key, 0, sizeof(*key));
}

static const char *const extension_names[_EXTENSION_STATE_MAX] = {
	[EXTENSION_PENDING] = "pending",
	[EXTENSION_APPROVED] = "approved",
	[EXTENSION_REJECTED] = "rejected",
	[EXTENSION_SUPERSEDED] = "superseded",
	[EXTENSION_MOOT] = "moot",
};

void
extension_release(struct extension *e)
{
	if (!e)
		return;
	free(e->reason);
	free(e->decision);
	free(e->raw);
	memset(e, 0, sizeof(*e));
}

const char *
extension_state_to_string(enum extension_state s)
{
	return s >= 0 && s < _EXTENSION_STATE_MAX ? extension_names[s] : NULL;
}

enum extension_state
extension_state_from_string(const char *s)
{
	for (int i = 0; s && i < _EXTENSION_STATE_MAX; i++)
		if (strcmp(s, extension_names[i]) == 0)
			return (enum extension_state)i;
	return _EXTENSION_STATE_INVALID;
}

const char *
task_status_to_string(enum task_status s)
{
	return s >= 0 && s < _TASK_STATUS_MAX ? status_names[s] : NULL;
}

const char *
task_status_label(enum task_status s)
{
	return s >= 0 && s < _TASK_STATUS_MAX ? status_labels[s] : NULL;
}

enum task_status
task_status_from_string(const char *s)
{
	enum task_status r = _TASK_STATUS_INVALID;
	char *key;

	/* The stored names first: this is the path every read takes. */
	for (int i = 0; s && i < _TASK_STATUS_MAX; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum task_status)i;
	key = s ? norm_key(s) : NULL;
	if (!key)
		return _TASK_STATUS_INVALID;
	for (char *p = key; *p; p++)
		if (*p == '-' || *p == ' ')
			*p = '_';
	for (int i = 0; i < _TASK_STATUS_MAX; i++) {
		char *label = norm_key(status_labels[i]);

		for (char *p = label; *p; p++)
			if (*p == ' ')
				*p = '_';
		if (strcmp(key, status_names[i]) == 0 || strcmp(key, label) == 0)
			r = (enum task_status)i;
		free(label);
		if (r >= 0)
			break;
	}
	free(key);
	return r;
}

const char *
task_kind_to_string(enum task_kind k)
{
	return k >= 0 && k < _TASK_KIND_MAX ? kind_names[k] : NULL;
}

enum task_kind
task_kind_from_string(const char *s)
{
	for (int i = 0; s && i < _TASK_KIND_MAX; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (enum task_kind)i;
	return _TASK_KIND_INVALID;
}

const char *
task_light_to_string(enum task_light l)
{
	return l >= 0 && l < _LIGHT_MAX ? light_names[l] : NULL;
}

const char *
task_light_label(enum task_light l)
{
	return l >= 0 && l < _LIGHT_MAX ? light_labels[l] : NULL;
}

bool
task_done_late(const struct task *t)
{
	return t->status == TASK_DONE && task_done_when_known(t) && t->has_done_due &&
	       date_cmp(clock_local_date((time_t)t->done_at), t->done_due) > 0;
}

bool
task_done_when_known(const struct task *t)
{
	return t->done_at > 0;
}

bool
task_is_overdue(const struct task *t, struct date today)
{
	/* An indicator is assessed, not due: it is never late. */
	if (t->kind == TASK_KIND_INDICATOR)
		return false;
	if (t->status == TASK_DONE || t->status == TASK_POSTPONED)
		return false;
	return t->deadline.has_due && date_cmp(t->deadline.due, today) < 0;
}

/*
 * An indicator's light is our own rule (no national document defines it,
 * README "Indicators"): ĐỎ below target, XANH achieved, VÀNG while its
 * result cannot be told (cannot_assess, or never assessed yet).
 */
static enum task_light
indicator_light(const struct task *t)
{
	switch (t->status) {
	case TASK_NOT_ACHIEVED:
		return LIGHT_RED;
	case TASK_DONE:
		return LIGHT_GREEN;
	default:
		return LIGHT_YELLOW;
	}
}

enum task_light
task_light(const struct task *t, struct date today, const struct calendar *cal)
{
	if (t->kind == TASK_KIND_INDICATOR)
		return indicator_light(t);
	if (task_is_overdue(t, today))
		return LIGHT_RED;
	if (t->status == TASK_DONE)
		return LIGHT_GREEN;
	if (t->obstacle_open)
		return LIGHT_YELLOW;
	if (t->status == TASK_POSTPONED || !t->deadline.has_due)
		return LIGHT_GREEN;
	/*
	 * Ten working days never span more than 60 calendar days, even across
	 * Tết, so a far deadline is green without counting day by day: this
	 * keeps "task list" over 100,000 tasks fast.
	 */
	if (date_to_days(t->deadline.due) - date_to_days(today) > 60)
		return LIGHT_GREEN;
	if (calendar_workdays_between(cal, today, t->deadline.due) <= TASK_YELLOW_WORKDAYS)
		return LIGHT_YELLOW;
	return LIGHT_GREEN;
}

/* --- indicators: the three assessment words ------------------------------ */

/* The words, folded to ASCII letters (no space): what both the CLI and chat match. */
static const struct {
	const char *folded;
	enum task_status status;
	const char *label;
} assessment_words[] = {
	{ "dat", TASK_DONE, "Đạt" },
	{ "chuadat", TASK_NOT_ACHIEVED, "Chưa đạt" },
	{ "chuadanhgiaduoc", TASK_CANNOT_ASSESS, "Chưa đánh giá được" },
};

enum task_status
task_assessment_from_string(const char *s)
{
	enum task_status r = _TASK_STATUS_INVALID;
	char *key = s ? norm_key(s) : NULL, *o;

	if (!key)
		return r;
	/* "chưa đạt", "chua_dat", "Chua-Dat" are one word once folded. */
	o = key;
	for (char *p = key; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
		else if (*p >= 'A' && *p <= 'Z')
			*o++ = (char)(*p - 'A' + 'a');
	*o = '\0';
	for (size_t i = 0; i < ELEMENTSOF(assessment_words); i++)
		if (strcmp(key, assessment_words[i].folded) == 0)
			r = assessment_words[i].status;
	free(key);
	return r;
}

const char *
task_assessment_label(enum task_status s)
{
	for (size_t i = 0; i < ELEMENTSOF(assessment_words); i++)
		if (assessment_words[i].status == s)
			return assessment_words[i].label;
	/* Never assessed (or a status an indicator should not hold): not yet known. */
	return "Chưa đánh giá được";
}
