/* SPDX-License-Identifier: MIT */
/*
 * The digest's data and forms (digest.h).  The figures are report.h's,
 * read as they are; this file adds the lists (one pass over the tasks
 * after the report's), what the history and the outbox show of the
 * period (store_happened_foreach), and the cut that keeps the HTML
 * under the cap: the same lists cut in every form, so that the text
 * says what the HTML says.  The words are in templates/LANG/digest.FORM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "buf.h"
#include "calendar.h"
#include "clock.h"
#include "digest.h"
#include "log.h"
#include "channels.h"
#include "macro.h"
#include "registry.h"
#include "render.h"
#include "report.h"
#include "span.h"
#include "store.h"
#include "task.h"
#include "xalloc.h"

/* A title in a list: enough words to know the task; the workbook has it whole. */
#define DIGEST_TITLE 100
/* An error or a note in a list. */
#define DIGEST_NOTE 160
/* The chat form names each document up to this many. */
#define DIGEST_CHAT_DOCUMENTS 4

/* The lists of the data, as digest_render cuts them (templates/README.md). */
static const char *const sections[] = {
	"done", "newly_late", "deadlines", "asked", "decided", "raised", "handled",
	"overdue", "due_soon", "agencies", "dead", "unreachable", "zalo_closed",
};
/* The one of sections whose items are groups (by lead agency), each with its items. */
#define GROUPED "overdue"

/* One overdue task, to be grouped by its first lead agency. */
struct late {
	const char *agency;	/* borrowed from the item */
	int64_t days;
	int64_t id;
	json_t *item;		/* owned */
};

struct doc_kind {
	char *number, *kind;
};

struct gather {
	const struct digest_query *q;
	struct store *s;
	json_t *done, *newly_late, *due_soon;	/* arrays of items */
	struct late *late;
	size_t n_late;
	struct doc_kind *docs;
	size_t n_docs;
	json_t *happened[_HAPPENED_MAX];	/* arrays */
	json_t *unreachable;
	json_t *zalo_closed;	/* people out of Zalo's window (q->zalo_window) */
	char *scope;		/* the agency of q->agency_id; NULL: the whole registry */
};

/* --- small words ------------------------------------------------------------ */

static json_t *
day_json(struct date d)
{
	char s[16];

	render_day(d, s);
	return json_string(s);
}

/*
 * A title for a list: one line (newlines and tabs pasted from Word become
 * spaces), cut on a word as chat answers cut it.  A new string.
 */
static char *
brief_line(const char *s, size_t width)
{
	struct buf b;
	char *out;
	bool space = false;

	buf_init(&b, RENDER_MAX_BYTES);
	for (; s && *s; s++) {
		if (strchr(" \t\r\n\v\f", *s)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			(void)buf_addc(&b, ' ');
		space = false;
		(void)buf_addc(&b, *s);
	}
	out = render_brief(b.p ? b.p : "", width);
	buf_release(&b);
	return out;
}

static void
set_brief(json_t *o, const char *key, const char *s, size_t width)
{
	char *v = brief_line(s ? s : "", width);

	json_object_set_new(o, key, json_string(v));
	free(v);
}

/* "Sở A; Sở B": the lead agencies of t. */
static void
set_leads(json_t *o, const struct task *t)
{
	struct buf b;

	buf_init(&b, RENDER_MAX_BYTES);
	for (size_t i = 0; i < t->n_leads; i++)
		(void)buf_addf(&b, "%s%s", i ? "; " : "", t->leads[i]);
	json_object_set_new(o, "leads", json_string(b.p ? b.p : ""));
	buf_release(&b);
}

/* What every list shows of a task: number, title cut, leads, deadline. */
static json_t *
task_item(const struct task *t)
{
	json_t *o = json_object();
	char due[16] = "";

	json_object_set_new(o, "id", json_integer(t->id));
	set_brief(o, "title", t->title, DIGEST_TITLE);
	set_leads(o, t);
	if (t->deadline.has_due)
		render_day(t->deadline.due, due);
	json_object_set_new(o, "due", json_string(due));
	json_object_set_new(o, "deadline", json_string(t->deadline.precision == DEADLINE_DAY ||
						       !t->deadline_raw ? "" : t->deadline_raw));
	return o;
}

static bool
in_days(struct date d, struct date from, struct date to)
{
	return date_cmp(d, from) >= 0 && date_cmp(d, to) <= 0;
}

/* --- the tasks: done in the period, overdue, due soon ----------------------- */

static void
add_late(struct gather *g, const struct task *t, json_t *item, int64_t days)
{
	g->late = xgrowarray(g->late, g->n_late, sizeof(*g->late));
	g->late[g->n_late++] = (struct late){
		.agency = t->n_leads ? json_string_value(json_object_get(item, "agency")) : NULL,
		.days = days, .id = t->id, .item = item,
	};
}

static int
gather_task(const struct task *t, void *userdata)
{
	struct gather *g = userdata;
	const struct digest_query *q = g->q;
	struct date ahead = date_from_days(date_to_days(q->today) + DIGEST_AHEAD_DAYS);
	json_t *o;

	if (t->kind != TASK_KIND_TASK)
		return 0;
	/* The same test as report.h's "done in the period": the lists match its figure. */
	if (t->status == TASK_DONE && task_done_when_known(t) &&
	    in_days(clock_local_date((time_t)t->done_at), q->from, q->to)) {
		o = task_item(t);
		json_object_set_new(o, "done_on", day_json(clock_local_date((time_t)t->done_at)));
		json_object_set_new(o, "late", json_boolean(task_done_late(t)));
		json_array_append_new(g->done, o);
	}
	if (task_is_overdue(t, q->today)) {
		int64_t days = MAX(1, calendar_workdays_between(q->cal, t->deadline.due, q->today));

		o = task_item(t);
		json_object_set_new(o, "days_late", json_integer(days));
		json_object_set_new(o, "agency", json_string(t->n_leads ? t->leads[0] : ""));
		if (in_days(t->deadline.due, q->from, q->to))
			json_array_append(g->newly_late, o);
		add_late(g, t, o, days);
	} else if (t->status != TASK_DONE && t->status != TASK_POSTPONED && t->deadline.has_due &&
		   in_days(t->deadline.due, q->today, ahead)) {
		o = task_item(t);
		json_object_set_new(o, "days_left",
				    json_integer(calendar_workdays_between(q->cal, q->today,
									   t->deadline.due)));
		json_object_set_new(o, "due_day", json_integer(date_to_days(t->deadline.due)));
		json_array_append_new(g->due_soon, o);
	}
	return 0;
}

/* By agency (no lead last), then the longest overdue first, then by number. */
static int
late_cmp(const void *a, const void *b)
{
	const struct late *x = a, *y = b;
	int c;

	if (!x->agency != !y->agency)
		return x->agency ? -1 : 1;
	if (x->agency && (c = strcmp(x->agency, y->agency)) != 0)
		return c;
	if (x->days != y->days)
		return x->days > y->days ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The overdue tasks by their first lead agency: [{agency, count, items}]. */
static json_t *
late_groups(struct gather *g)
{
	json_t *groups = json_array(), *group = NULL, *items = NULL;
	const char *cur = NULL;

	qsort(g->late, g->n_late, sizeof(*g->late), late_cmp);
	for (size_t i = 0; i < g->n_late; i++) {
		const char *a = g->late[i].agency;

		if (!group || !cur != !a || (a && strcmp(cur, a) != 0)) {
			items = json_array();
			group = json_pack("{s:s, s:b, s:o}", "agency", a ? a : "", "no_lead", !a,
					  "items", items);
			json_array_append_new(groups, group);
			cur = a;
		}
		json_array_append(items, g->late[i].item);
		json_object_set_new(group, "count", json_integer((json_int_t)json_array_size(items)));
	}
	return groups;
}

static int
due_cmp(const void *a, const void *b)
{
	json_t *const *x = a, *const *y = b;
	json_int_t dx = json_integer_value(json_object_get(*x, "due_day"));
	json_int_t dy = json_integer_value(json_object_get(*y, "due_day"));
	json_int_t ix = json_integer_value(json_object_get(*x, "id"));
	json_int_t iy = json_integer_value(json_object_get(*y, "id"));

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return ix < iy ? -1 : ix > iy;
}

/* The tasks due soon, the nearest first. */
static json_t *
sorted_due(json_t *a)
{
	size_t n = json_array_size(a);
	json_t **v = xcalloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(*v), due_cmp);
	for (size_t i = 0; i < n; i++) {
		json_object_del(v[i], "due_day");
		json_array_append(out, v[i]);
	}
	free(v);
	return out;
}

/* --- the history and the outbox ----------------------------------------------- */

/* "31/12/2025" for a day asked as a day, else as typed ("Quý I/2026"). */
static json_t *
asked_json(const char *after)
{
	struct date d;

	if (after && date_parse_iso(after, &d) == 0)
		return day_json(d);
	return json_string(after ? after : "");
}

static int
gather_happened(const struct store_happened *h, void *userdata)
{
	struct gather *g = userdata;
	json_t *o = json_object();
	struct task t = { 0 };
	int r;

	if ((unsigned)h->kind >= _HAPPENED_MAX) {
		json_decref(o);
		return 0;
	}
	json_object_set_new(o, "date", day_json(clock_local_date((time_t)h->at)));
	set_brief(o, "who", h->who, DIGEST_TITLE);
	set_brief(o, "text", h->text, DIGEST_NOTE);
	if (h->task_id) {
		r = store_task_get(g->s, h->task_id, &t);
		if (r < 0) {
			json_decref(o);
			return r;
		}
		json_object_set_new(o, "task", task_item(&t));
		task_release(&t);
	}
	switch (h->kind) {
	case HAPPENED_DEADLINE:
		set_brief(o, "before", h->before, DIGEST_NOTE);
		set_brief(o, "after", h->after, DIGEST_NOTE);
		break;
	case HAPPENED_EXTENSION_ASKED:
		json_object_set_new(o, "asked", asked_json(h->after));
		break;
	case HAPPENED_EXTENSION_DECIDED:
		json_object_set_new(o, "asked", asked_json(h->after));
		json_object_set_new(o, "approved",
				    json_boolean(h->before && strcmp(h->before, "approved") == 0));
		break;
	case HAPPENED_DEAD_MESSAGE:
		json_object_set_new(o, "channel", json_string(h->before ? h->before : ""));
		json_object_set_new(o, "channel_vi", json_string(channels_label_vi(h->before)));
		break;
	default:
		break;
	}
	json_object_set_new(o, "id", json_integer(h->id));
	json_array_append_new(g->happened[h->kind], o);
	return 0;
}

/* Whether a channel can reach p: an address not refused for good. */
static bool
reachable(const struct person *p)
{
	return person_reachable(p, "email") || person_reachable(p, "telegram") ||
	       person_reachable(p, "zalo");
}

/*
 * p when they are out of Zalo's window (person_window_state "closed"):
 * Zalo sends them nothing until they write to the OA; the day they last
 * did ("" never).
 */
static void
gather_zalo_closed(struct gather *g, const struct person *p)
{
	const char *state = person_window_state(p, "zalo", (int64_t)g->q->now, g->q->zalo_window);
	const struct address *a = person_address_get(p, "zalo");

	if (!state || strcmp(state, "closed") != 0)
		return;
	json_array_append_new(g->zalo_closed,
			      json_pack("{s:s, s:s, s:s, s:o}", "name", p->name ? p->name : "",
					"agency", p->agency_name ? p->agency_name : "",
					"role", person_role_to_string(p->role),
					"last_in", a->last_in ? day_json(clock_local_date(
					(time_t)a->last_in)) : json_string("")));
}

static int
gather_person(const struct person *p, void *userdata)
{
	struct gather *g = userdata;

	if (!p->active || (g->q->agency_id && p->agency_id != g->q->agency_id))
		return 0;
	if (g->q->zalo_window)
		gather_zalo_closed(g, p);
	if (reachable(p))
		return 0;
	json_array_append_new(g->unreachable,
			      json_pack("{s:s, s:s, s:s}", "name", p->name ? p->name : "",
					"agency", p->agency_name ? p->agency_name : "",
					"role", person_role_to_string(p->role)));
	return 0;
}

static int
gather_document(const char *number, const char *kind, void *userdata)
{
	struct gather *g = userdata;

	g->docs = xgrowarray(g->docs, g->n_docs, sizeof(*g->docs));
	g->docs[g->n_docs++] = (struct doc_kind){ xstrdup(number ? number : ""),
						  xstrdup(kind ? kind : "") };
	return 0;
}

/* --- the figures -------------------------------------------------------------- */

static void
set_count(json_t *o, const char *key, int64_t n)
{
	char *flag = xasprintf("has_%s", key), *name = xasprintf("%s_count", key);

	json_object_set_new(o, name, json_integer(n));
	/* Mustache shows a section for 0 too: the flag says whether there is any. */
	json_object_set_new(o, flag, json_boolean(n > 0));
	free(flag);
	free(name);
}

/*
 * The parts of the tasks done, those that are not 0, in order: on time,
 * late, and done at a time nobody told (imported as done), so that the
 * parts said add up to the done said.  Each says which it is, all three
 * flags set, since Mustache looks a missing name up in the parent.
 */
static json_t *
done_parts_json(const struct report_tasks *t)
{
	const int64_t n[3] = { t->done_on_time, t->done_late, t->done_unknown };
	json_t *a = json_array();

	for (int k = 0; k < 3; k++) {
		char two[24];

		if (!n[k])
			continue;
		snprintf(two, sizeof(two), "%02lld", (long long)n[k]);
		json_array_append_new(a, json_pack("{s:b, s:b, s:b, s:b, s:I, s:s}",
						   "first", json_array_size(a) == 0,
						   "is_on_time", k == 0, "is_late", k == 1,
						   "is_unknown", k == 2, "count", (json_int_t)n[k],
						   "count_02", two));
	}
	return a;
}

/* The figures of tasks t, each part with its flag (templates/README.md). */
static json_t *
tasks_json(const struct report_tasks *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "total", json_integer(t->total));
	json_object_set_new(o, "any", json_boolean(t->total > 0));
	json_object_set_new(o, "percent_done", json_integer(report_percent(t->done, t->total)));
	set_count(o, "done", t->done);
	set_count(o, "on_time", t->done_on_time);
	set_count(o, "late", t->done_late);
	set_count(o, "unknown", t->done_unknown);
	json_object_set_new(o, "done_parts", done_parts_json(t));
	set_count(o, "in_progress", t->in_progress);
	set_count(o, "behind", t->behind);
	set_count(o, "not_started", t->not_started);
	set_count(o, "postponed", t->postponed);
	set_count(o, "overdue", t->overdue);
	return o;
}

static json_t *
indicators_json(const struct report_indicators *i)
{
	json_t *o = json_object();

	json_object_set_new(o, "total", json_integer(i->total));
	json_object_set_new(o, "any", json_boolean(i->total > 0));
	json_object_set_new(o, "percent_achieved",
			    json_integer(report_percent(i->achieved, i->total)));
	set_count(o, "achieved", i->achieved);
	set_count(o, "not_achieved", i->not_achieved);
	set_count(o, "unassessed", i->unassessed);
	return o;
}

static const char *
doc_kind(const struct gather *g, const char *number)
{
	for (size_t i = 0; i < g->n_docs; i++)
		if (strcmp(g->docs[i].number, number) == 0)
			return g->docs[i].kind;
	return "";
}

/*
 * The clauses of the tasks' sentence: one per document when there are
 * several, else one for all (named by its document when it has one).
 */
static json_t *
parts_json(const struct report *rep, json_t *docs)
{
	size_t n = json_array_size(docs);
	json_t *parts = json_array(), *p;

	if (n > 1) {
		for (size_t i = 0; i < n; i++) {
			p = json_copy(json_array_get(docs, i));
			json_object_set_new(p, "by_document", json_true());
			json_array_append_new(parts, p);
		}
		return parts;
	}
	/* One document holds every task (the rows are a partition): its figures are the whole's. */
	p = n == 1 ? json_copy(json_array_get(docs, 0)) : tasks_json(&rep->all.tasks);
	json_object_set_new(p, "by_document", json_false());
	json_object_set_new(p, "first", json_true());
	json_object_set_new(p, "has_label", json_boolean(n == 1 && !json_is_true(
		json_object_get(json_array_get(docs, 0), "no_document"))));
	json_array_append_new(parts, p);
	return parts;
}

/*
 * The committee's headline: indicators, then tasks overall, then by
 * document ("trong đó theo Chương trình 01-CTr/BCĐ ...").  Documents are
 * the report's partition, so their totals add up to the whole.
 */
static json_t *
headline_json(const struct gather *g, const struct report *rep)
{
	json_t *h = json_object(), *docs = json_array();
	size_t n = rep->n_documents;

	json_object_set_new(h, "has_tasks", json_boolean(rep->all.tasks.total > 0));
	json_object_set_new(h, "has_indicators", json_boolean(rep->all.indicators.total > 0));
	json_object_set_new(h, "tasks", tasks_json(&rep->all.tasks));
	json_object_set_new(h, "indicators", indicators_json(&rep->all.indicators));
	for (size_t i = 0; i < n; i++) {
		const struct report_row *row = &rep->documents[i];
		json_t *d;

		if (row->c.tasks.total == 0)
			continue;
		d = tasks_json(&row->c.tasks);
		json_object_set_new(d, "number", json_string(row->name ? row->name : ""));
		json_object_set_new(d, "kind", json_string(row->name ? doc_kind(g, row->name) : ""));
		json_object_set_new(d, "has_kind",
				    json_boolean(row->name && *doc_kind(g, row->name)));
		json_object_set_new(d, "no_document", json_boolean(!row->name));
		json_array_append_new(docs, d);
	}
	n = json_array_size(docs);
	for (size_t i = 0; i < n; i++) {
		json_t *d = json_array_get(docs, i);

		json_object_set_new(d, "first", json_boolean(i == 0));
		json_object_set_new(d, "last", json_boolean(i + 1 == n));
		json_object_set_new(d, "and", json_boolean(i > 0 && i + 1 == n));
		json_object_set_new(d, "comma", json_boolean(i > 0 && i + 1 < n));
	}
	/* One document: the overall sentence says it all; several: one clause each. */
	json_object_set_new(h, "several", json_boolean(n > 1));
	/* Few enough for a chat message to name each (Telegram takes 4096 bytes). */
	json_object_set_new(h, "few", json_boolean(n <= DIGEST_CHAT_DOCUMENTS));
	json_object_set_new(h, "parts", parts_json(rep, docs));
	json_object_set_new(h, "documents", docs);
	return h;
}

/* An agency's light: the worst of its rows' (one red task makes it ĐỎ). */
static enum task_light
row_light(const struct report_counts *c)
{
	if (c->tasks.light[LIGHT_RED] + c->indicators.light[LIGHT_RED])
		return LIGHT_RED;
	if (c->tasks.light[LIGHT_YELLOW] + c->indicators.light[LIGHT_YELLOW])
		return LIGHT_YELLOW;
	return LIGHT_GREEN;
}

/* The worst first (ĐỎ, then VÀNG), the most overdue first, then by name: what a cut keeps. */
static int
agency_cmp(const void *a, const void *b)
{
	json_t *const *x = a, *const *y = b;
	json_int_t lx = json_integer_value(json_object_get(*x, "rank"));
	json_int_t ly = json_integer_value(json_object_get(*y, "rank"));
	json_int_t ox = json_integer_value(json_object_get(*x, "overdue_count"));
	json_int_t oy = json_integer_value(json_object_get(*y, "overdue_count"));

	if (lx != ly)
		return lx > ly ? -1 : 1;
	if (ox != oy)
		return ox > oy ? -1 : 1;
	return strcmp(json_string_value(json_object_get(*x, "name")),
		      json_string_value(json_object_get(*y, "name")));
}

static json_t *
agencies_json(const struct report *rep)
{
	json_t *a = json_array(), **v = xcalloc(rep->n_agencies + 1, sizeof(*v));

	for (size_t i = 0; i < rep->n_agencies; i++) {
		const struct report_row *row = &rep->agencies[i];
		enum task_light l = row_light(&row->c);
		json_t *o = tasks_json(&row->c.tasks);

		json_object_set_new(o, "name", json_string(row->name ? row->name : ""));
		json_object_set_new(o, "no_lead", json_boolean(!row->name));
		json_object_set_new(o, "light", json_string(task_light_label(l)));
		json_object_set_new(o, "green", json_boolean(l == LIGHT_GREEN));
		json_object_set_new(o, "yellow", json_boolean(l == LIGHT_YELLOW));
		json_object_set_new(o, "red", json_boolean(l == LIGHT_RED));
		json_object_set_new(o, "indicators", indicators_json(&row->c.indicators));
		json_object_set_new(o, "rank", json_integer(l));
		v[i] = o;
	}
	qsort(v, rep->n_agencies, sizeof(*v), agency_cmp);
	for (size_t i = 0; i < rep->n_agencies; i++) {
		json_object_del(v[i], "rank");
		json_array_append_new(a, v[i]);
	}
	free(v);
	return a;
}

/* --- the period's name ---------------------------------------------------------- */

static const char *const roman[] = { "I", "II", "III", "IV" };
static const char *const months_en[] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

/*
 * The period as the subject and the text name it, in both languages:
 * "từ 26/09/2025 đến 09/10/2025", "tháng 9/2025", "quý III/2025", "6
 * tháng đầu năm 2025", "9 tháng năm 2025", "năm 2025".  A named period
 * is named by its last day's month (with a cut-off day, month 9/2025 is
 * 15/8-14/9).
 */
static json_t *
period_json(const struct digest_query *q)
{
	struct date e = q->to;
	char from[16], to[16], *vi, *en;
	const char *kind = "since_last";
	json_t *o;

	render_day(q->from, from);
	render_day(q->to, to);
	switch (q->span) {
	case SPAN_MONTH:
		vi = xasprintf("tháng %d/%d", e.m, e.y);
		en = xasprintf("%s %d", months_en[(e.m - 1) % 12], e.y);
		kind = "month";
		break;
	case SPAN_QUARTER:
		vi = xasprintf("quý %s/%d", roman[((e.m - 1) / 3) % 4], e.y);
		en = xasprintf("Q%d %d", (e.m - 1) / 3 + 1, e.y);
		kind = "quarter";
		break;
	case SPAN_HALF:
		vi = xasprintf("6 tháng %s năm %d", e.m <= 6 ? "đầu" : "cuối", e.y);
		en = xasprintf("the %s half of %d", e.m <= 6 ? "first" : "second", e.y);
		kind = "half";
		break;
	case SPAN_9MONTHS:
		vi = xasprintf("9 tháng năm %d", e.y);
		en = xasprintf("the first nine months of %d", e.y);
		kind = "9months";
		break;
	case SPAN_YEAR:
		vi = xasprintf("năm %d", e.y);
		en = xasprintf("the year %d", e.y);
		kind = "year";
		break;
	default:
		vi = xasprintf("từ %s đến %s", from, to);
		en = xasprintf("from %s to %s", from, to);
		break;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", kind, "from", from, "to", to, "vi", vi,
		      "en", en);
	free(vi);
	free(en);
	return o;
}

/* --- gathering -------------------------------------------------------------------- */

/* A section {count, items} of data, or nothing when empty (the template then shows nothing). */
static void
set_section(json_t *data, const char *key, json_t *items)
{
	size_t n = json_array_size(items);

	if (n == 0)
		json_decref(items);
	else
		json_object_set_new(data, key, json_pack("{s:I, s:o}", "count", (json_int_t)n,
							 "items", items));
}

/* Unix time of the first second of local day d. */
static int64_t
day_start(struct date d)
{
	return date_to_days(d) * 86400 - CLOCK_VN_OFFSET;
}

static void
gather_release(struct gather *g)
{
	json_decref(g->done);
	json_decref(g->newly_late);
	json_decref(g->due_soon);
	for (size_t i = 0; i < g->n_late; i++)
		json_decref(g->late[i].item);
	free(g->late);
	for (size_t i = 0; i < g->n_docs; i++) {
		free(g->docs[i].number);
		free(g->docs[i].kind);
	}
	free(g->docs);
	for (int k = 0; k < _HAPPENED_MAX; k++)
		json_decref(g->happened[k]);
	json_decref(g->unreachable);
	json_decref(g->zalo_closed);
	free(g->scope);
}

static int
gather_all(struct store *s, struct gather *g)
{
	const struct digest_query *q = g->q;
	struct task_filter f = { .agency_id = q->agency_id, .status = -1 };
	int r;

	g->done = json_array();
	g->newly_late = json_array();
	g->due_soon = json_array();
	g->unreachable = json_array();
	g->zalo_closed = json_array();
	for (int k = 0; k < _HAPPENED_MAX; k++)
		g->happened[k] = json_array();
	if (q->agency_id) {
		char *code = NULL;
		int64_t open;

		r = store_agency_lead_count(s, q->agency_id, &code, &g->scope, &open);
		free(code);
		if (r < 0)
			return r;
	}
	r = store_task_foreach(s, &f, gather_task, g);
	if (r == 0)
		r = store_happened_foreach(s, day_start(q->from), day_start(q->to) + 86399,
					   q->agency_id, gather_happened, g);
	if (r == 0)
		r = store_person_foreach(s, gather_person, g);
	if (r == 0)
		r = store_document_foreach(s, gather_document, g);
	return r;
}

/* The lists must say what the report counts: a difference is a bug, and nothing is sent. */
static int
check_lists(const struct gather *g, const struct report *rep)
{
	if ((int64_t)json_array_size(g->done) != rep->all.period.done ||
	    (int64_t)g->n_late != rep->all.tasks.overdue) {
		log_errorx("digest: the lists do not match the report (done %zu/%lld, overdue "
			   "%zu/%lld)", json_array_size(g->done), (long long)rep->all.period.done,
			   g->n_late, (long long)rep->all.tasks.overdue);
		return -EPROTO;
	}
	return 0;
}

/* The data of templates/README.md; the lists of g move into it. */
static json_t *
build(struct gather *g, const struct report *rep)
{
	const struct digest_query *q = g->q;
	static const char *const happened_keys[_HAPPENED_MAX] = {
		[HAPPENED_DEADLINE] = "deadlines", [HAPPENED_EXTENSION_ASKED] = "asked",
		[HAPPENED_EXTENSION_DECIDED] = "decided", [HAPPENED_OBSTACLE_RAISED] = "raised",
		[HAPPENED_OBSTACLE_HANDLED] = "handled", [HAPPENED_DEAD_MESSAGE] = "dead",
	};
	json_t *data = json_object(), *pc;
	bool quiet = rep->all.period.done == 0 && json_array_size(g->newly_late) == 0;
	char today[16];

	render_day(q->today, today);
	json_object_set_new(data, "as_of", json_string(today));
	json_object_set_new(data, "empty", json_boolean(rep->all.tasks.total +
							rep->all.indicators.total == 0));
	json_object_set_new(data, "period", period_json(q));
	json_object_set_new(data, "url", json_string(q->url ? q->url : ""));
	json_object_set_new(data, "scope", json_string(g->scope ? g->scope : ""));
	json_object_set_new(data, "headline", headline_json(g, rep));
	pc = json_object();
	set_count(pc, "done", rep->all.period.done);
	set_count(pc, "on_time", rep->all.period.done_on_time);
	set_count(pc, "late", rep->all.period.done_late);
	set_count(pc, "created_tasks", rep->all.period.created_tasks);
	set_count(pc, "created_indicators", rep->all.period.created_indicators);
	json_object_set_new(data, "in_period", pc);
	set_section(data, "done", g->done);
	set_section(data, "newly_late", g->newly_late);
	g->done = g->newly_late = NULL;
	for (int k = 0; k < _HAPPENED_MAX; k++) {
		if (k != HAPPENED_DEAD_MESSAGE)
			quiet &= json_array_size(g->happened[k]) == 0;
		set_section(data, happened_keys[k], g->happened[k]);
		g->happened[k] = NULL;
	}
	json_object_set_new(data, "quiet", json_boolean(quiet));
	if (g->n_late) {
		json_t *o = json_pack("{s:I, s:o}", "count", (json_int_t)g->n_late, "items",
				      late_groups(g));

		json_object_set_new(data, GROUPED, o);
	}
	set_section(data, "due_soon", sorted_due(g->due_soon));
	json_object_set_new(data, "ahead_days", json_integer(DIGEST_AHEAD_DAYS));
	set_section(data, "agencies", agencies_json(rep));
	set_section(data, "unreachable", g->unreachable);
	g->unreachable = NULL;
	set_section(data, "zalo_closed", g->zalo_closed);
	g->zalo_closed = NULL;
	/* The window those are out of, as the templates say it: in days, else hours. */
	if (q->zalo_window && q->zalo_window % 86400 == 0)
		json_object_set_new(data, "zalo_days", json_integer(q->zalo_window / 86400));
	else if (q->zalo_window)
		json_object_set_new(data, "zalo_hours", json_integer(q->zalo_window / 3600));
	return data;
}

/*
 * Nothing is written "0", not "00": the committee's two digits are for 1
 * to 9 ("01/82"); a part that is nothing is left out by its has_ flag.
 */
static void
no_double_zero(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			no_double_zero(x);
		return;
	}
	json_object_foreach(v, key, x) {
		size_t n = strlen(key);

		if (json_is_string(x) && n > 3 && strcmp(key + n - 3, "_02") == 0 &&
		    strcmp(json_string_value(x), "00") == 0)
			json_string_set(x, "0");
		else if (json_is_object(x) || json_is_array(x))
			no_double_zero(x);
	}
}

int
digest_data(struct store *s, const struct digest_query *q, json_t **ret)
{
	struct report_query rq = {
		.today = q->today, .cal = q->cal, .agency_id = q->agency_id,
		.has_period = true, .from = q->from, .to = q->to,
	};
	struct gather g = { .q = q, .s = s };
	struct report rep;
	int r;

	r = report_build(s, &rq, &rep);
	if (r < 0)
		return r;
	r = gather_all(s, &g);
	if (r == 0)
		r = check_lists(&g, &rep);
	if (r == 0) {
		*ret = build(&g, &rep);
		/* Once here, so that rendering never writes into the data it shares. */
		render_formal_counts(*ret);
		no_double_zero(*ret);
	}
	gather_release(&g);
	report_release(&rep);
	return r;
}

/* --- rendering, and the cut ---------------------------------------------------------- */

/* How many items section key of data holds (a grouped one: the items of its groups). */
static size_t
section_items(const json_t *data, const char *key)
{
	json_t *items = json_object_get(json_object_get(data, key), "items"), *g;
	size_t n = 0, i;

	if (strcmp(key, GROUPED) != 0)
		return json_array_size(items);
	json_array_foreach(items, i, g)
		n += json_array_size(json_object_get(g, "items"));
	return n;
}

/* Keeps the first limit items of array a (a new array). */
static json_t *
head_of(json_t *a, size_t limit)
{
	json_t *out = json_array();

	for (size_t i = 0; i < json_array_size(a) && i < limit; i++)
		json_array_append(out, json_array_get(a, i));
	return out;
}

/* Groups cut to limit items in all, in order; a group left with none goes. */
static json_t *
head_of_groups(json_t *groups, size_t limit)
{
	json_t *out = json_array(), *g;
	size_t i;

	json_array_foreach(groups, i, g) {
		json_t *items = json_object_get(g, "items"), *c;
		size_t n = json_array_size(items);

		if (limit == 0)
			break;
		c = json_copy(g);
		json_object_set_new(c, "items", head_of(items, limit));
		json_object_set_new(c, "shown", json_integer((json_int_t)MIN(n, limit)));
		json_array_append_new(out, c);
		limit -= MIN(n, limit);
	}
	return out;
}

/*
 * data with every list longer than limit cut to limit items, each cut
 * list saying how many it left out ("more"): a new object sharing the
 * items with data.
 */
static json_t *
cut(const json_t *data, size_t limit)
{
	json_t *out = json_copy((json_t *)data);

	for (size_t k = 0; k < ELEMENTSOF(sections); k++) {
		json_t *sec = json_object_get(data, sections[k]), *c;
		size_t n = section_items(data, sections[k]);
		bool grouped = strcmp(sections[k], GROUPED) == 0;

		if (!sec || n <= limit)
			continue;
		c = json_copy(sec);
		json_object_set_new(c, "items", grouped
				    ? head_of_groups(json_object_get(sec, "items"), limit)
				    : head_of(json_object_get(sec, "items"), limit));
		json_object_set_new(c, "more", json_integer((json_int_t)(n - limit)));
		json_object_set_new(out, sections[k], c);
	}
	return out;
}

/* The common keys of a message, then the forms of mask. */
static int
render_with(const struct renderer *r, const struct person *to, json_t *d, unsigned mask,
	    struct rendered *ret)
{
	const char *url = json_string_value(json_object_get(d, "url"));

	if (to)
		json_object_set_new(d, "person", render_person_json(to));
	json_object_set_new(d, "today", json_deep_copy(json_object_get(d, "as_of")));
	json_object_set_new(d, "app", json_pack("{s:s, s:s}", "name", render_app_name(to ? to->lang : NULL),
						"url", url ? url : ""));
	json_object_set_new(d, "bot", json_string(""));
	return renderer_render_forms(r, to ? to->lang : NULL, "digest", d, mask, ret);
}

/*
 * Whether the HTML with the lists cut to limit fits cap: 1 or 0 (a
 * rendering past RENDER_MAX_BYTES does not), or -errno.
 */
static int
fits(const struct renderer *r, const struct person *to, const json_t *data, size_t limit,
     size_t cap)
{
	json_t *d = cut(data, limit);
	struct rendered m = { 0 };
	int k = render_with(r, to, d, RENDER_HTML, &m);

	if (k == 0)
		k = strlen(m.html) <= cap;
	else if (k == -ENOBUFS)
		k = 0;
	rendered_release(&m);
	json_decref(d);
	return k;
}

/*
 * The largest limit whose HTML fits cap: the longest lists are cut
 * first, and no list loses more than it must.  The size only grows with
 * the limit, so a binary search finds it in a few renderings.
 */
static int
fit(const struct renderer *r, const struct person *to, const json_t *data, size_t cap,
    size_t *ret_limit)
{
	size_t longest = 0, lo = 0, hi;
	int k;

	for (size_t i = 0; i < ELEMENTSOF(sections); i++)
		longest = MAX(longest, section_items(data, sections[i]));
	k = fits(r, to, data, longest, cap);
	if (k != 0) {
		*ret_limit = longest;
		return k < 0 ? k : 0;
	}
	/* lo fits (or is 0, the least there is); hi does not. */
	hi = longest;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		k = fits(r, to, data, mid, cap);
		if (k < 0)
			return k;
		if (k)
			lo = mid;
		else
			hi = mid;
	}
	*ret_limit = lo;
	return 0;
}

/* The forms of mask for to with data's lists cut to limit. */
static int
render_cut(const struct renderer *r, const struct person *to, const json_t *data, size_t limit,
	   unsigned mask, struct rendered *ret)
{
	json_t *d = cut(data, limit);
	int k;

	if (mask & DIGEST_EMAILED)
		json_object_set_new(d, "emailed", json_true());
	k = render_with(r, to, d, mask & RENDER_ALL, ret);
	json_decref(d);
	return k;
}

int
digest_render(const struct renderer *r, const struct person *to, const json_t *data, size_t cap,
	      unsigned mask, struct rendered *ret)
{
	size_t limit;
	int k;

	k = fit(r, to, data, cap ? cap : DIGEST_HTML_CAP, &limit);
	if (k < 0)
		return k;
	return render_cut(r, to, data, limit, mask, ret);
}

int
digest_render_cut(const struct renderer *r, const struct person *to, const json_t *data,
		  size_t cap, unsigned mask, size_t *io_limit, struct rendered *ret)
{
	size_t c = cap ? cap : DIGEST_HTML_CAP;
	int k;

	if (*io_limit == DIGEST_LIMIT_UNSET) {
		k = fit(r, to, data, c > 2 * DIGEST_READER_MARGIN ? c - DIGEST_READER_MARGIN : c,
			io_limit);
		if (k < 0) {
			*io_limit = DIGEST_LIMIT_UNSET;
			return k;
		}
	}
	return render_cut(r, to, data, *io_limit, mask, ret);
}
