/* SPDX-License-Identifier: MIT */
/*
 * The report: one pass over the tasks, each classified once (classify)
 * and added to the whole, to its lead agencies' rows and to its
 * document's row.  Rows are found through small open-addressing indexes
 * (agency id, document number), so 100,000 tasks cost one pass and no
 * search.  report_end checks that every part adds up before anyone reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "clock.h"
#include "log.h"
#include "norm.h"
#include "registry.h"
#include "report.h"
#include "store.h"
#include "xalloc.h"

/* Where one task falls: its category and its other marks. */
enum category {
	CAT_DONE_ON_TIME,
	CAT_DONE_LATE,
	CAT_DONE_UNKNOWN,
	CAT_IN_PROGRESS,
	CAT_NOT_STARTED,
	CAT_POSTPONED,
	CAT_ACHIEVED,
	CAT_NOT_ACHIEVED,
	CAT_UNASSESSED,
};

struct mark {
	enum category cat;
	bool indicator;
	bool overdue;
	enum task_light light;
	bool done_in_period;
	bool created_in_period;
};

static enum category
task_category(const struct task *t)
{
	switch (t->status) {
	case TASK_DONE:
		if (!task_done_when_known(t))
			return CAT_DONE_UNKNOWN;
		return task_done_late(t) ? CAT_DONE_LATE : CAT_DONE_ON_TIME;
	case TASK_NOT_STARTED:
		return CAT_NOT_STARTED;
	case TASK_POSTPONED:
		return CAT_POSTPONED;
	default:
		/*
		 * in_progress, and the legacy not_achieved / cannot_assess of
		 * old imports: neither done nor waiting nor set aside.
		 */
		return CAT_IN_PROGRESS;
	}
}

static enum category
indicator_category(const struct task *t)
{
	if (t->status == TASK_DONE)
		return CAT_ACHIEVED;
	if (t->status == TASK_NOT_ACHIEVED)
		return CAT_NOT_ACHIEVED;
	return CAT_UNASSESSED;
}

static bool
in_period(const struct report_query *q, int64_t at)
{
	struct date d;

	if (!q->has_period || at <= 0)
		return false;
	d = clock_local_date((time_t)at);
	return date_cmp(d, q->from) >= 0 && date_cmp(d, q->to) <= 0;
}

static struct mark
classify(const struct report_query *q, const struct task *t)
{
	struct mark m = { .indicator = t->kind == TASK_KIND_INDICATOR };

	m.cat = m.indicator ? indicator_category(t) : task_category(t);
	m.overdue = !m.indicator && task_is_overdue(t, q->today);
	m.light = task_light(t, q->today, q->cal);
	m.done_in_period = !m.indicator && t->status == TASK_DONE && task_done_when_known(t) &&
			   in_period(q, t->done_at);
	m.created_in_period = in_period(q, t->created_at);
	return m;
}

static void
count_task(struct report_tasks *k, const struct mark *m)
{
	k->total++;
	switch (m->cat) {
	case CAT_DONE_ON_TIME:
		k->done++;
		k->done_on_time++;
		break;
	case CAT_DONE_LATE:
		k->done++;
		k->done_late++;
		break;
	case CAT_DONE_UNKNOWN:
		k->done++;
		k->done_unknown++;
		break;
	case CAT_IN_PROGRESS:
		k->in_progress++;
		k->behind += m->overdue;
		break;
	case CAT_NOT_STARTED:
		k->not_started++;
		break;
	default:
		k->postponed++;
		break;
	}
	k->overdue += m->overdue;
	if (m->light >= 0 && m->light < _LIGHT_MAX)
		k->light[m->light]++;
}

static void
count_indicator(struct report_indicators *k, const struct mark *m)
{
	k->total++;
	k->achieved += m->cat == CAT_ACHIEVED;
	k->not_achieved += m->cat == CAT_NOT_ACHIEVED;
	k->unassessed += m->cat == CAT_UNASSESSED;
	if (m->light >= 0 && m->light < _LIGHT_MAX)
		k->light[m->light]++;
}

static void
count(struct report_counts *c, const struct mark *m)
{
	if (m->indicator) {
		count_indicator(&c->indicators, m);
		c->period.created_indicators += m->created_in_period;
		return;
	}
	count_task(&c->tasks, m);
	c->period.created_tasks += m->created_in_period;
	if (m->done_in_period) {
		c->period.done++;
		c->period.done_on_time += m->cat == CAT_DONE_ON_TIME;
		c->period.done_late += m->cat == CAT_DONE_LATE;
	}
}

/* --- the row indexes ------------------------------------------------------ */

static uint64_t
hash_id(int64_t id)
{
	uint64_t x = (uint64_t)id;

	/* splitmix64's finaliser: ids are dense, slots must not be. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	if (!s)
		return 0;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Doubles an index of rows rows (slots hold row + 1, 0 empty) by rehashing. */
static void
index_grow(size_t **slots, size_t *cap, const struct report_row *rows, size_t n, bool by_id)
{
	size_t ncap = *cap ? *cap * 2 : 64, *ns = xcalloc(ncap, sizeof(*ns));

	for (size_t i = 0; i < n; i++) {
		uint64_t h = by_id ? hash_id(rows[i].agency_id) : hash_str(rows[i].name);
		size_t j = h & (ncap - 1);

		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = i + 1;
	}
	free(*slots);
	*slots = ns;
	*cap = ncap;
}

/* The row of agency id (added, named name, when new). */
static struct report_row *
agency_row(struct report *r, int64_t id, const char *name)
{
	size_t j;

	if ((r->n_agencies + 1) * 2 > r->agency_cap)
		index_grow(&r->agency_slots, &r->agency_cap, r->agencies, r->n_agencies, true);
	for (j = hash_id(id) & (r->agency_cap - 1); r->agency_slots[j];
	     j = (j + 1) & (r->agency_cap - 1))
		if (r->agencies[r->agency_slots[j] - 1].agency_id == id)
			return &r->agencies[r->agency_slots[j] - 1];
	r->agencies = xgrowarray(r->agencies, r->n_agencies, sizeof(*r->agencies));
	r->agencies[r->n_agencies] = (struct report_row){ .agency_id = id,
							  .name = name ? xstrdup(name) : NULL };
	r->agency_slots[j] = ++r->n_agencies;
	return &r->agencies[r->n_agencies - 1];
}

/* The row of document number (NULL: none), added when new. */
static struct report_row *
document_row(struct report *r, const char *number, bool *ret_new)
{
	size_t j;

	*ret_new = false;
	if ((r->n_documents + 1) * 2 > r->document_cap)
		index_grow(&r->document_slots, &r->document_cap, r->documents, r->n_documents,
			   false);
	for (j = hash_str(number) & (r->document_cap - 1); r->document_slots[j];
	     j = (j + 1) & (r->document_cap - 1))
		if (STREQ(r->documents[r->document_slots[j] - 1].name, number))
			return &r->documents[r->document_slots[j] - 1];
	r->documents = xgrowarray(r->documents, r->n_documents, sizeof(*r->documents));
	r->documents[r->n_documents] = (struct report_row){ .name = number ? xstrdup(number)
									   : NULL };
	r->document_slots[j] = ++r->n_documents;
	*ret_new = true;
	return &r->documents[r->n_documents - 1];
}

/*
 * Whether a document row is the one --document asked for: normalised
 * once per distinct number (agency_id is free in document rows, so it
 * keeps the answer: 1 selected, -1 not).
 */
static bool
document_selected(const struct report *r, struct report_row *row, bool is_new)
{
	if (!r->doc_key)
		return true;
	if (is_new) {
		char *k = row->name ? norm_key(row->name) : NULL;

		row->agency_id = k && strcmp(k, r->doc_key) == 0 ? 1 : -1;
		free(k);
	}
	return row->agency_id > 0;
}

/* True when id is among the first n of ids. */
static bool
seen_before(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static bool
led_by(const struct task *t, int64_t agency_id)
{
	for (size_t i = 0; i < t->n_leads; i++)
		if (t->lead_ids[i] == agency_id)
			return true;
	return false;
}

/* --- building --------------------------------------------------------------- */

void
report_begin(const struct report_query *q, struct report *ret)
{
	*ret = (struct report){ .q = *q };
	if (q->document) {
		ret->doc_key = norm_key(q->document);
		/* Text that is not UTF-8 names no document: select none, never all. */
		if (!ret->doc_key)
			ret->doc_key = xstrdup("");
		ret->q.document = ret->doc_key;
	}
}

void
report_add(struct report *r, const struct task *t)
{
	struct report_row *doc;
	struct mark m;
	bool is_new;

	if (r->q.agency_id && !led_by(t, r->q.agency_id))
		return;
	doc = document_row(r, t->document, &is_new);
	if (!document_selected(r, doc, is_new))
		return;
	m = classify(&r->q, t);
	count(&r->all, &m);
	count(&doc->c, &m);
	if (t->n_leads == 0)
		count(&agency_row(r, 0, NULL)->c, &m);
	for (size_t i = 0; i < t->n_leads; i++) {
		/* A selection by agency shows that agency's row, not its co-leads'. */
		if (r->q.agency_id && t->lead_ids[i] != r->q.agency_id)
			continue;
		/* The same agency named twice on a task counts once. */
		if (seen_before(t->lead_ids, i, t->lead_ids[i]))
			continue;
		count(&agency_row(r, t->lead_ids[i], t->leads ? t->leads[i] : NULL)->c, &m);
	}
}

/* Rows by code (agencies without one by name, then id). */
static int
by_agency(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	int c;

	if (!x->code != !y->code)
		return x->code ? -1 : 1;
	if (x->code && (c = strcmp(x->code, y->code)) != 0)
		return c;
	if (!x->name != !y->name)
		return x->name ? -1 : 1;
	if (x->name && (c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->agency_id < y->agency_id ? -1 : x->agency_id > y->agency_id;
}

/* Rows by number, the row of no document last. */
static int
by_document(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (!x->name || !y->name)
		return !x->name - !y->name;
	return strcmp(x->name, y->name);
}

static void
row_release(struct report_row *row)
{
	free(row->code);
	free(row->name);
}

static bool
row_empty(const struct report_row *row)
{
	return row->c.tasks.total == 0 && row->c.indicators.total == 0;
}

/* Drops the document rows a --document selection left empty; none is otherwise. */
static void
drop_empty_documents(struct report *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n_documents; i++) {
		if (row_empty(&r->documents[i])) {
			row_release(&r->documents[i]);
			continue;
		}
		r->documents[i].agency_id = 0;
		r->documents[k++] = r->documents[i];
	}
	r->n_documents = k;
}

int
report_end(struct report *r)
{
	const char *what = NULL;
	int k;

	drop_empty_documents(r);
	if (r->n_agencies > 1)
		qsort(r->agencies, r->n_agencies, sizeof(*r->agencies), by_agency);
	if (r->n_documents > 1)
		qsort(r->documents, r->n_documents, sizeof(*r->documents), by_document);
	/* Sorted, the indexes point nowhere: nothing is added after the end. */
	free(r->agency_slots);
	free(r->document_slots);
	r->agency_slots = r->document_slots = NULL;
	r->agency_cap = r->document_cap = 0;
	k = report_check(r, &what);
	if (k < 0) {
		/*
		 * A bug, said here where what is known.  Not an abort: the
		 * daemon that answers /baocao and /metrics stays up and refuses
		 * the figures instead (the tests catch the bug itself).
		 */
		log_errorx("report: the counts do not add up (%s): a bug", what);
	}
	return k;
}

/* --- the sums ------------------------------------------------------------------ */

static int64_t
light_sum(const int64_t *light)
{
	int64_t n = 0;

	for (int i = 0; i < _LIGHT_MAX; i++)
		n += light[i];
	return n;
}

/* The parts of one set of counts against its own totals; NULL when they add up. */
static const char *
counts_check(const struct report_counts *c)
{
	const struct report_tasks *t = &c->tasks;
	const struct report_indicators *i = &c->indicators;
	const struct report_period *p = &c->period;

	if (t->total != t->done + t->in_progress + t->not_started + t->postponed)
		return "tasks: done + in progress + not started + postponed != total";
	if (t->done != t->done_on_time + t->done_late + t->done_unknown)
		return "tasks: on time + late + unknown != done";
	if (t->behind < 0 || t->behind > t->in_progress)
		return "tasks: behind is not part of in progress";
	if (t->overdue < t->behind || t->overdue > t->total - t->done)
		return "tasks: overdue is not part of the open tasks";
	if (light_sum(t->light) != t->total)
		return "tasks: the lights != total";
	if (i->total != i->achieved + i->not_achieved + i->unassessed)
		return "indicators: achieved + not achieved + unassessed != total";
	if (light_sum(i->light) != i->total)
		return "indicators: the lights != total";
	if (p->done != p->done_on_time + p->done_late || p->done > t->done)
		return "period: on time + late != done in the period";
	if (p->created_tasks > t->total || p->created_indicators > i->total)
		return "period: more created than counted";
	return NULL;
}

static void
counts_add(struct report_counts *sum, const struct report_counts *c)
{
	/* Every field is an int64_t: add them as an array, no field forgotten. */
	int64_t *s = (int64_t *)sum;
	const int64_t *x = (const int64_t *)c;

	for (size_t k = 0; k < sizeof(*c) / sizeof(int64_t); k++)
		s[k] += x[k];
}

_Static_assert(sizeof(struct report_counts) % sizeof(int64_t) == 0,
	       "report_counts is made of int64_t only");

int
report_check(const struct report *r, const char **ret_what)
{
	struct report_counts docs = { 0 }, agencies = { 0 };
	const char *what = counts_check(&r->all);

	for (size_t i = 0; !what && i < r->n_agencies; i++)
		what = counts_check(&r->agencies[i].c);
	for (size_t i = 0; !what && i < r->n_documents; i++) {
		what = counts_check(&r->documents[i].c);
		counts_add(&docs, &r->documents[i].c);
	}
	if (!what && memcmp(&docs, &r->all, sizeof(docs)) != 0)
		what = "the document rows do not sum to the whole";
	/* Overlapping rows: each task is in one row at least, so never less than the whole. */
	for (size_t i = 0; !what && i < r->n_agencies; i++)
		counts_add(&agencies, &r->agencies[i].c);
	if (!what && (agencies.tasks.total < r->all.tasks.total ||
		      agencies.indicators.total < r->all.indicators.total))
		what = "the agency rows leave tasks out";
	if (ret_what)
		*ret_what = what;
	return what ? -EPROTO : 0;
}

int
report_percent(int64_t part, int64_t whole)
{
	int64_t p;

	if (whole <= 0 || part <= 0)
		return 0;
	p = (part * 200 + whole) / (whole * 2);
	/* 199/200 is not "đạt 100%": that would tell the committee it is over. */
	if (p >= 100 && part < whole)
		p = 99;
	return (int)p;
}

void
report_release(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_agencies; i++)
		row_release(&r->agencies[i]);
	for (size_t i = 0; i < r->n_documents; i++)
		row_release(&r->documents[i]);
	free(r->agencies);
	free(r->documents);
	free(r->agency_slots);
	free(r->document_slots);
	free(r->doc_key);
	*r = (struct report){ 0 };
}

/* --- from the store ---------------------------------------------------------- */

static int
add_one(const struct task *t, void *userdata)
{
	report_add(userdata, t);
	return 0;
}

/* Gives each agency row its code (and its name, for agencies the tasks did not name). */
static int
name_agency(const struct agency *a, void *userdata)
{
	struct report *r = userdata;

	for (size_t j = hash_id(a->id) & (r->agency_cap - 1); r->agency_slots[j];
	     j = (j + 1) & (r->agency_cap - 1)) {
		struct report_row *row = &r->agencies[r->agency_slots[j] - 1];

		if (row->agency_id != a->id)
			continue;
		free(row->code);
		row->code = xstrdup(a->code);
		if (!row->name)
			row->name = xstrdup(a->name);
		break;
	}
	return 0;
}

int
report_build(struct store *s, const struct report_query *q, struct report *ret)
{
	struct task_filter f = { .agency_id = q->agency_id, .status = -1 };
	int k;

	report_begin(q, ret);
	k = store_task_foreach(s, &f, add_one, ret);
	if (k == 0 && ret->agency_cap)
		k = store_agency_foreach(s, name_agency, ret);
	if (k == 0)
		k = report_end(ret);
	if (k < 0)
		report_release(ret);
	return k;
}

/* --- JSON ------------------------------------------------------------------------ */

static json_t *
lights_json(const int64_t *light)
{
	json_t *o = json_object();

	for (int i = 0; i < _LIGHT_MAX; i++)
		json_object_set_new(o, task_light_to_string(i), json_integer(light[i]));
	return o;
}

static json_t *
tasks_json(const struct report_tasks *t)
{
	/* has_done_unknown: for the templates, where 0 counts as true (Mustache). */
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "total", (json_int_t)t->total, "done", (json_int_t)t->done,
			 "done_on_time", (json_int_t)t->done_on_time,
			 "done_late", (json_int_t)t->done_late,
			 "done_unknown", (json_int_t)t->done_unknown,
			 "has_done_unknown", t->done_unknown > 0,
			 "percent_done", report_percent(t->done, t->total),
			 "in_progress", (json_int_t)t->in_progress,
			 "behind", (json_int_t)t->behind,
			 "not_started", (json_int_t)t->not_started,
			 "postponed", (json_int_t)t->postponed,
			 "overdue", (json_int_t)t->overdue, "lights", lights_json(t->light));
}

static json_t *
indicators_json(const struct report_indicators *i)
{
	return json_pack("{s:I, s:I, s:i, s:I, s:I, s:o}", "total", (json_int_t)i->total,
			 "achieved", (json_int_t)i->achieved,
			 "percent_achieved", report_percent(i->achieved, i->total),
			 "not_achieved", (json_int_t)i->not_achieved,
			 "unassessed", (json_int_t)i->unassessed, "lights", lights_json(i->light));
}

static json_t *
period_json(const struct report_query *q, const struct report_period *p)
{
	char from[DATE_ISO_LEN], to[DATE_ISO_LEN];

	date_format_iso(q->from, from);
	date_format_iso(q->to, to);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "from", from, "to", to,
			 "done", (json_int_t)p->done, "done_on_time", (json_int_t)p->done_on_time,
			 "done_late", (json_int_t)p->done_late,
			 "created_tasks", (json_int_t)p->created_tasks,
			 "created_indicators", (json_int_t)p->created_indicators);
}

json_t *
report_counts_json(const struct report *r, const struct report_counts *c)
{
	json_t *o = json_pack("{s:o, s:o}", "tasks", tasks_json(&c->tasks), "indicators",
			      indicators_json(&c->indicators));

	if (r->q.has_period)
		json_object_set_new(o, "period", period_json(&r->q, &c->period));
	return o;
}
