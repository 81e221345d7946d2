/* SPDX-License-Identifier: MIT */
/*
 * Message texts from templates: loading the template folders, resolving
 * partials, picking the template of a message and building its data.
 * See render.h and templates/README.md.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "calendar.h"
#include "clock.h"
#include "channels.h"
#include "macro.h"
#include "period.h"
#include "registry.h"
#include "render.h"
#include "store.h"
#include "task.h"
#include "template.h"
#include "xalloc.h"

#define TEMPLATE_FILE_MAX ((size_t)256 << 10)

enum form { FORM_SUBJECT, FORM_TEXT, FORM_HTML, FORM_CHAT, _FORM_MAX };

static const char *const form_names[_FORM_MAX] = { "subject", "text", "html", "chat" };
static const enum template_escape form_escape[_FORM_MAX] = {
	TEMPLATE_ESCAPE_NONE, TEMPLATE_ESCAPE_NONE, TEMPLATE_ESCAPE_HTML, TEMPLATE_ESCAPE_TELEGRAM,
};

/* One compiled file: "reminder" + FORM_TEXT, or the partial "task" + FORM_HTML. */
struct entry {
	char *name;
	enum form form;
	bool partial;
	struct template *t;
};

struct lang {
	struct entry *v;
	size_t n, cap;
};

struct renderer {
	struct lang vi;
	struct lang en;
	/*
	 * An answer's "app", the same in each: made once and shared (jansson
	 * counts references atomically; nothing changes it once made).
	 */
	json_t *app;
};

/*
 * Every message the program renders (templates/README.md): the one list.
 * Each must exist in vi/ in every form for a set to load, and a name not
 * here is never rendered, so a name used in the code but missing here
 * shows at its first test, not on an official's phone.
 */
static const char *const message_names[] = {
	/* Sent by the planner and the outbox (template_of below). */
	"reminder", "due_today", "overdue", "catchup", "escalation_head", "escalation_leaders",
	"needs_date", "alert", "compose_failed", "test", "escalation_secretariat",
	/* An indicator's update request (STAGE_ASSESSMENT) alone in a day's reminder. */
	"assessment_request",
	/* Answers to chat commands (command.c), and a pressed button's (tgbot.c). */
	"help", "link_instructions", "link_done", "tasks_list", "overdue_list", "report",
	"done_ok", "period_report_ok", "progress_ok", "obstacle_ok", "extension_asked", "extension_request",
	"extension_approved", "extension_rejected", "extension_decided", "decision_ok",
	"button_hint", "recorded",
	"error_unknown_command", "error_usage", "error_no_task", "error_no_request",
	"error_not_allowed", "error_read_only", "error_own_request", "error_request_moot",
	"error_private_only", "error_clock", "error_bad_date", "error_task_done",
	"error_not_later", "error_bad_percent", "error_bad_code",
	/* Extension requests (extension.c): refusals, supersession, closing, the list. */
	"error_date_past", "error_no_reason", "error_request_decided", "error_secretariat_only",
	"extension_superseded", "extension_moot", "extension_pending_list",
	/* The secretariat's daily message (dispatch.c) and obstacles (obstacle.h). */
	"secretariat_daily", "obstacle_handled", "obstacle_handle_ok", "error_no_obstacle",
	"error_obstacle_handled",
	/* Indicators: /danhgia, and what /xong and /tiendo say on one. */
	"assessment_ok", "error_bad_assessment", "error_not_indicator", "error_indicator",
	/* /giahan on a recurring task (extension.c). */
	"error_recurring",
	/* Commands as officials type them (command.c): thanks, several numbers, the progress asked. */
	"thanks", "command_results", "ask_progress", "error_task_postponed",
	/* The committee's periodic report (digest.c). */
	"digest",
	/* /baocao tongthe (command.c): the digest's chat form, or who may ask for it. */
	"digest_answer", "error_leaders_only",
	/*
	 * The iCal feeds (feed.c): an event's SUMMARY and DESCRIPTION, its
	 * reminders' short DESCRIPTION, a calendar's name and description.
	 */
	"feed_event", "feed_alarm", "feed_calendar",
	/* /lich (command.c): a calendar feed's link, or why there is none. */
	"calendar_link", "calendar_off",
};

const char *const *
render_names(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(message_names);
	return message_names;
}

static bool
is_message(const char *name)
{
	for (size_t i = 0; i < ELEMENTSOF(message_names); i++)
		if (strcmp(message_names[i], name) == 0)
			return true;
	return false;
}

/* Two digits for day and month: the form of a formal document's dates. */
void
render_day(struct date d, char out[16])
{
	int y = d.y % 10000;

	/* By hand for a year of four digits: snprintf was 1% of a status command's answer. */
	if (d.d < 0 || d.m < 0 || y < 1000) {
		snprintf(out, 16, "%02d/%02d/%d", d.d % 100, d.m % 100, y);
		return;
	}
	out[0] = (char)('0' + d.d % 100 / 10);
	out[1] = (char)('0' + d.d % 10);
	out[2] = '/';
	out[3] = (char)('0' + d.m % 100 / 10);
	out[4] = (char)('0' + d.m % 10);
	out[5] = '/';
	out[6] = (char)('0' + y / 1000);
	out[7] = (char)('0' + y / 100 % 10);
	out[8] = (char)('0' + y / 10 % 10);
	out[9] = (char)('0' + y % 10);
	out[10] = '\0';
}

void
render_day_short(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/* --- loading ---------------------------------------------------------- */

static int
read_file(const char *path, char **ret, char **reterr_msg)
{
	FILE *f = fopen(path, "re");
	struct buf b;
	char chunk[4096];
	size_t n;
	int r = 0;

	if (!f) {
		*reterr_msg = xasprintf("cannot read template '%s': %s", path, strerror(errno));
		return -errno;
	}
	buf_init(&b, TEMPLATE_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			*reterr_msg = xasprintf("template '%s' is larger than %zu bytes", path,
						TEMPLATE_FILE_MAX);
			r = -EFBIG;
			break;
		}
	if (r == 0 && ferror(f)) {
		*reterr_msg = xasprintf("cannot read template '%s'", path);
		r = -EIO;
	}
	fclose(f);
	if (r == 0)
		*ret = buf_detach(&b);
	buf_release(&b);
	return r;
}

/* "reminder.text.mustache" -> name "reminder", FORM_TEXT; false for other files. */
static bool
parse_file_name(const char *file, char **ret_name, enum form *ret_form)
{
	const char *ext = ".mustache", *dot;
	size_t n = strlen(file), e = strlen(ext);

	if (n <= e || strcmp(file + n - e, ext) != 0)
		return false;
	n -= e;
	for (int f = 0; f < _FORM_MAX; f++) {
		size_t k = strlen(form_names[f]);

		if (n > k + 1 && file[n - k - 1] == '.' && strncmp(file + n - k, form_names[f], k) == 0) {
			dot = file + n - k - 1;
			*ret_name = xstrndup(file, (size_t)(dot - file));
			*ret_form = (enum form)f;
			return true;
		}
	}
	return false;
}

static int
load_dir(struct lang *l, const char *dir, const char *shown, bool partials, char **reterr_msg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (errno == ENOENT)
			return -ENOENT;
		*reterr_msg = xasprintf("cannot read templates in '%s': %s", dir, strerror(errno));
		return -errno;
	}
	while (r == 0 && (de = readdir(d))) {
		char *name = NULL, *path, *text = NULL, *label;
		enum form form;
		struct template *t = NULL;

		if (!parse_file_name(de->d_name, &name, &form))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		label = xasprintf("%s/%s", shown, de->d_name);
		r = read_file(path, &text, reterr_msg);
		if (r == 0)
			r = template_compile(label, text, &t, reterr_msg);
		if (r == 0) {
			l->v = xgrowroom(l->v, &l->cap, l->n + 1, sizeof(*l->v));
			l->v[l->n++] = (struct entry){ name, form, partials, t };
			name = NULL;
		}
		free(name);
		free(text);
		free(path);
		free(label);
	}
	closedir(d);
	return r;
}

/* Entries in (partial, form, name) order, for bsearch. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->partial != y->partial)
		return x->partial ? 1 : -1;
	if (x->form != y->form)
		return x->form < y->form ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
lang_release(struct lang *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		template_free(l->v[i].t);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
load_lang(struct lang *l, const char *dir, const char *code, bool required, char **reterr_msg)
{
	char *path = xasprintf("%s/%s", dir, code), *parts = xasprintf("%s/partials", path);
	char *shown = xasprintf("%s", code), *shown_parts = xasprintf("%s/partials", code);
	int r;

	r = load_dir(l, path, shown, false, reterr_msg);
	if (r == -ENOENT) {
		r = required ? -ENOENT : 0;
		if (required)
			*reterr_msg = xasprintf("no templates in '%s'", path);
	}
	if (r == 0) {
		r = load_dir(l, parts, shown_parts, true, reterr_msg);
		if (r == -ENOENT)
			r = 0;
	}
	/* Partials are looked up at every inclusion: keep the lookup a bisection. */
	if (r == 0 && l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	free(path);
	free(parts);
	free(shown);
	free(shown_parts);
	return r;
}

static const struct template *find(const struct lang *l, const char *name, enum form form,
				  bool partial);

/* What a check of one template's partials needs to word its error. */
struct partial_check {
	const struct renderer *r;
	const struct lang *l;
	const char *code;	/* "vi", "en" */
	const struct entry *e;
	char *err;
};

static int
check_partial(const char *name, unsigned line, void *userdata)
{
	struct partial_check *pc = userdata;

	/* As find_partial() looks, at render time: the language's, then Vietnamese. */
	if (find(pc->l, name, pc->e->form, true) || find(&pc->r->vi, name, pc->e->form, true))
		return 0;
	pc->err = xasprintf("%s:%u: partial '%s' not found: no %s/partials/%s.%s.mustache%s",
			    template_name(pc->e->t), line, name, pc->code, name,
			    form_names[pc->e->form], pc->l == &pc->r->vi ? "" :
			    " nor vi/partials/ of that name");
	return -ENOENT;
}

/*
 * A set fit to run with: every message of the program in every form in
 * vi/ (en/ falls back to it), every partial any file asks for there, so
 * that no command fails for a missing file once the daemon runs.
 */
static int
check_set(const struct renderer *r, const char *dir, char **reterr_msg)
{
	const struct lang *langs[] = { &r->vi, &r->en };
	const char *codes[] = { "vi", "en" };
	int k;

	for (size_t i = 0; i < ELEMENTSOF(message_names); i++)
		for (int f = 0; f < _FORM_MAX; f++)
			if (!find(&r->vi, message_names[i], f, false)) {
				*reterr_msg = xasprintf("template '%s/vi/%s.%s.mustache' is missing: "
							"dondoc sends that message",
							dir, message_names[i], form_names[f]);
				return -ENOENT;
			}
	for (size_t li = 0; li < ELEMENTSOF(langs); li++)
		for (size_t i = 0; i < langs[li]->n; i++) {
			struct partial_check pc = { r, langs[li], codes[li], &langs[li]->v[i], NULL };

			k = template_each_partial(pc.e->t, check_partial, &pc);
			if (k < 0) {
				*reterr_msg = xasprintf("%s/%s", dir, pc.err);
				free(pc.err);
				return k;
			}
		}
	return 0;
}

int
renderer_load(const char *dir, struct renderer **ret, char **reterr_msg)
{
	struct renderer *r = xcalloc(1, sizeof(*r));
	int k;

	r->app = json_pack("{s:s, s:s}", "name", "Hệ thống đôn đốc", "url", "");

	k = load_lang(&r->vi, dir, "vi", true, reterr_msg);
	if (k == 0)
		k = load_lang(&r->en, dir, "en", false, reterr_msg);
	if (k == 0)
		k = check_set(r, dir, reterr_msg);
	if (k < 0) {
		renderer_free(r);
		return k;
	}
	*ret = r;
	return 0;
}

struct renderer *
renderer_free(struct renderer *r)
{
	if (r) {
		lang_release(&r->vi);
		lang_release(&r->en);
		json_decref(r->app);
		free(r);
	}
	return NULL;
}

void
rendered_release(struct rendered *m)
{
	if (!m)
		return;
	free(m->subject);
	free(m->text);
	free(m->html);
	free(m->chat);
	memset(m, 0, sizeof(*m));
}

/* --- rendering -------------------------------------------------------- */

static const struct template *
find(const struct lang *l, const char *name, enum form form, bool partial)
{
	struct entry key = { (char *)name, form, partial, NULL };
	const struct entry *e = l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), entry_cmp) : NULL;

	return e ? e->t : NULL;
}

struct partial_ctx {
	const struct lang *lang;	/* the language rendered */
	const struct lang *vi;		/* its fallback */
	enum form form;
};

static const struct template *
find_partial(const char *name, void *userdata)
{
	const struct partial_ctx *pc = userdata;
	const struct template *t = find(pc->lang, name, pc->form, true);

	return t ? t : find(pc->vi, name, pc->form, true);
}

int
renderer_render(const struct renderer *r, const char *lang, const char *name, const json_t *data,
		struct rendered *ret)
{
	return renderer_render_forms(r, lang, name, data, RENDER_ALL, ret);
}

int
renderer_render_forms(const struct renderer *r, const char *lang, const char *name,
		      const json_t *data, unsigned mask, struct rendered *ret)
{
	const struct lang *l = lang && strcmp(lang, "en") == 0 ? &r->en : &r->vi;
	struct rendered out = { 0 };
	char **slot[_FORM_MAX] = { &out.subject, &out.text, &out.html, &out.chat };
	int k = 0;

	/* Only what the load checked is rendered (message_names). */
	if (!is_message(name))
		return -ENOENT;

	for (int f = 0; f < _FORM_MAX && k == 0; f++) {
		const struct template *t;
		struct partial_ctx pc = { l, &r->vi, f };

		if (!(mask & (1u << f)))
			continue;
		t = find(l, name, f, false);
		if (!t && l != &r->vi) {
			t = find(&r->vi, name, f, false);
			pc.lang = &r->vi;
			out.fell_back = true;
		}
		if (!t) {
			k = -ENOENT;
			break;
		}
		k = template_render(t, data, form_escape[f], find_partial, &pc, RENDER_MAX_BYTES, slot[f]);
	}
	if (k < 0) {
		rendered_release(&out);
		return k;
	}
	/* A subject is one line, whatever the template's last newline says. */
	if (out.subject)
		out.subject[strcspn(out.subject, "\r\n")] = '\0';
	*ret = out;
	return 0;
}

/* --- the data of a message -------------------------------------------- */

json_t *
render_person_json(const struct person *p)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "name", json_string(p->name ? p->name : ""));
	json_object_set_new_nocheck(o, "agency", json_string(p->agency_name ? p->agency_name : ""));
	json_object_set_new_nocheck(o, "role", json_string_nocheck(person_role_to_string(p->role)));
	return o;
}

/* The period a recurring task is asked for ("tháng 10/2025"), "" for the others. */
static const char *
period_of(const struct task *t, char out[PERIOD_LABEL_LEN])
{
	if (t->deadline.precision != DEADLINE_RECURRING || !t->deadline.has_due)
		return "";
	return period_label(&t->deadline, t->deadline.due, out);
}

/*
 * An indicator in a message: assessed, not due (DESIGN §4).  The
 * templates show "Chỉ tiêu – đánh giá: Chưa đạt" where a task shows its
 * deadline and progress, so neither is given.
 */
static void
indicator_json(json_t *o, const struct task *t)
{
	json_object_set_new(o, "indicator", json_true());
	json_object_set_new(o, "assessment", json_string(task_assessment_label(t->status)));
	json_object_set_new(o, "deadline", json_string(""));
	json_object_set_new(o, "due", json_string(""));
	json_object_set_new(o, "due_year", json_null());
	json_object_set_new(o, "days_left", json_integer(0));
	json_object_del(o, "progress");
}

/*
 * A lead after the first, as the list reads: "Chủ trì: Sở A; các sở, ban,
 * ngành".  A generic phrase ("Các sở, ban, ngành", "Các địa phương") is no
 * name and is not capitalised in the middle of a sentence; a name is kept.
 */
static void
add_lead(struct buf *b, const char *lead, bool first)
{
	static const char generic[] = "Các ";

	if (!first && strncmp(lead, generic, sizeof(generic) - 1) == 0)
		(void)buf_addf(b, "; c%s", lead + 1);
	else
		(void)buf_addf(b, "%s%s", first ? "" : "; ", lead);
}

/*
 * A done task says when it was done ("đã hoàn thành ngày 09/10/2025"),
 * not how many working days are left: done, and done_on when the day is
 * known.
 */
static void
done_json(json_t *o, const struct task *t)
{
	char day[16];

	json_object_set_new(o, "done", json_boolean(true));
	if (task_done_when_known(t)) {
		render_day(clock_local_date((time_t)t->done_at), day);
		json_object_set_new(o, "done_on", json_string(day));
	}
}

/*
 * render_task_json with title as its title.  Its keys are ours (ASCII):
 * set without jansson's UTF-8 check of each (a status command sets some
 * 40); the values read from the registry keep theirs.
 */
static json_t *
task_json_titled(const struct task *t, const char *title, struct date today,
		 const struct calendar *cal)
{
	json_t *o = json_object();
	char due[16] = "", period[PERIOD_LABEL_LEN];
	bool indicator = t->kind == TASK_KIND_INDICATOR;
	bool late = task_is_overdue(t, today);
	bool due_today = !indicator && t->deadline.has_due &&
			 date_cmp(t->deadline.due, today) == 0;
	struct buf leads;

	buf_init(&leads, RENDER_MAX_BYTES);
	for (size_t i = 0; i < t->n_leads; i++)
		add_lead(&leads, t->leads[i], i == 0);
	if (t->deadline.has_due)
		render_day(t->deadline.due, due);
	json_object_set_new_nocheck(o, "id", json_integer(t->id));
	json_object_set_new_nocheck(o, "code", json_string(t->code ? t->code : ""));
	json_object_set_new_nocheck(o, "title", json_string(title));
	/* A deadline written as a day is that day: say it once ("ngày 30/9/2025"). */
	json_object_set_new_nocheck(o, "deadline",
				    json_string(t->deadline.precision == DEADLINE_DAY ||
						!t->deadline_raw ? "" : t->deadline_raw));
	json_object_set_new_nocheck(o, "due", json_string(due));
	json_object_set_new_nocheck(o, "period", json_string(period_of(t, period)));
	json_object_set_new_nocheck(o, "due_year", t->deadline.has_due ?
				    json_integer(t->deadline.due.y) : json_null());
	json_object_set_new_nocheck(o, "status", json_string_nocheck(task_status_label(t->status)));
	json_object_set_new_nocheck(o, "progress", json_integer(t->progress));
	json_object_set_new_nocheck(o, "leads", json_string(leads.p));
	json_object_set_new_nocheck(o, "days_left", json_integer(t->deadline.has_due && !late
		? calendar_workdays_between(cal, today, t->deadline.due) : 0));
	json_object_set_new_nocheck(o, "due_today", json_boolean(due_today));
	json_object_set_new_nocheck(o, "late", json_boolean(late));
	json_object_set_new_nocheck(o, "days_late", json_integer(late
		? MAX(1, calendar_workdays_between(cal, t->deadline.due, today)) : 0));
	json_object_set_new_nocheck(o, "note", json_string(t->note ? t->note : ""));
	/* Done late against the deadline in force that day, never today's. */
	json_object_set_new_nocheck(o, "done_late", json_boolean(task_done_late(t)));
	json_object_set_new_nocheck(o, "light",
				    json_string_nocheck(task_light_label(task_light(t, today, cal))));
	buf_release(&leads);
	json_object_set_new_nocheck(o, "done", json_false());
	if (!indicator && t->status == TASK_DONE)
		done_json(o, t);
	if (indicator)
		indicator_json(o, t);
	return o;
}

json_t *
render_task_json(const struct task *t, struct date today, const struct calendar *cal)
{
	return task_json_titled(t, t->title ? t->title : "", today, cal);
}

/* Whether key names a count: "count", "total", "late_count", "indicator_count"... */
static bool
is_count_key(const char *key)
{
	size_t n = strlen(key);

	return strcmp(key, "count") == 0 || strcmp(key, "total") == 0 ||
	       (n > 6 && strcmp(key + n - 6, "_count") == 0);
}

void
render_formal_counts(json_t *data)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_array(data)) {
		json_array_foreach(data, i, v)
			render_formal_counts(v);
		return;
	}
	if (!json_is_object(data))
		return;
	/*
	 * Added after the walk: a key must not be set while the object is
	 * iterated.  Most objects have no count: nothing is made for them.
	 */
	{
		json_t *add = NULL;

		json_object_foreach(data, key, v)
			if (json_is_object(v) || json_is_array(v)) {
				render_formal_counts(v);
			} else if (json_is_integer(v) && is_count_key(key)) {
				char *k = xasprintf("%s_02", key);
				char val[24];

				snprintf(val, sizeof(val), "%02lld", (long long)json_integer_value(v));
				if (!add)
					add = json_object();
				json_object_set_new(add, k, json_string(val));
				free(k);
			}
		if (add) {
			json_object_update(data, add);
			json_decref(add);
		}
	}
}

int
render_answer(const struct renderer *r, const struct person *to, const char *name, json_t *data,
	      struct date today, const char *bot, unsigned mask, struct rendered *ret)
{
	char day[16];

	render_day(today, day);
	if (to)
		json_object_set_new_nocheck(data, "person", render_person_json(to));
	json_object_set_new_nocheck(data, "today", json_string_nocheck(day));
	json_object_set_nocheck(data, "app", r->app);
	json_object_set_new_nocheck(data, "bot", json_string(bot ? bot : ""));
	render_formal_counts(data);
	return renderer_render_forms(r, to ? to->lang : NULL, name, data, mask, ret);
}

/* How many of items ask for an indicator's assessment (STAGE_ASSESSMENT). */
static size_t
assessments_of(const struct render_item *items, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += items[i].stage == STAGE_ASSESSMENT;
	return k;
}

/*
 * The keys of a message about indicators: each item asking for an
 * assessment says so (and the reporting day it is for), the message
 * counts them (indicator_count, and count the rest when tasks are there
 * too) and gives the /danhgia example on the first (first_indicator_id);
 * first_id, the /xong example, is the first item that is a task, absent
 * when none is.
 */
static void
indicator_keys(json_t *data, json_t *tasks, const struct render_item *items, size_t n)
{
	size_t k = assessments_of(items, n);
	bool first_task = false, first_ind = false;

	json_object_del(data, "first_id");
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(tasks, i);

		if (items[i].task->kind == TASK_KIND_INDICATOR) {
			if (items[i].stage == STAGE_ASSESSMENT) {
				char day[16];

				render_day(items[i].anchor, day);
				json_object_set_new(t, "assessment_request", json_true());
				json_object_set_new(t, "report_day", json_string(day));
			}
			if (!first_ind)
				json_object_set_new(data, "first_indicator_id",
						    json_integer(items[i].task->id));
			first_ind = true;
		} else if (!first_task) {
			json_object_set_new(data, "first_id", json_integer(items[i].task->id));
			first_task = true;
		}
	}
	if (k)
		json_object_set_new(data, "indicator_count", json_integer((json_int_t)k));
	/* Among tasks, "count" counts the tasks: the indicators have their own count. */
	if (k && k < n)
		json_object_set_new(data, "count", json_integer((json_int_t)(n - k)));
}

/* --- what was sent, in words (the escalations' past tense) ------------ */

static bool
lang_en(const struct person *to)
{
	return to && to->lang && strcmp(to->lang, "en") == 0;
}

static const char *
role_words(enum person_role role, bool en)
{
	static const char *const vi_words[_ROLE_MAX] = {
		"cán bộ đầu mối", "thủ trưởng", "lãnh đạo", "cơ quan thường trực", "người theo dõi",
	};
	static const char *const en_words[_ROLE_MAX] = {
		"focal point", "head", "leader", "secretariat", "viewer",
	};

	if (role < 0 || role >= _ROLE_MAX)
		return "";
	return en ? en_words[role] : vi_words[role];
}

/*
 * "7/10 và 10/10/2025": days in order, the year said once per run of
 * days in the same year; and the English "7/10 and 10/10/2025".
 */
static char *
days_words(const struct date *v, size_t n, bool en)
{
	struct buf b;

	buf_init(&b, RENDER_MAX_BYTES);
	for (size_t i = 0; i < n; i++) {
		char d[16];
		bool year = i + 1 == n || v[i + 1].y != v[i].y;

		if (year)
			render_day(v[i], d);
		else
			snprintf(d, sizeof(d), "%02d/%02d", v[i].d % 100, v[i].m % 100);
		(void)buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? (en ? " and " : " và ") : ", ",
			       d);
	}
	return buf_detach(&b);
}

/* Whether sent notice e is a reminder or nag (the focal points' "đã nhắc"). */
static bool
is_reminder(const struct sent_notice *e)
{
	return e->stage == STAGE_BEFORE || e->stage == STAGE_OVERDUE || e->stage == STAGE_RECURRING;
}

/* Whether sent notice e told a head at level 1 ("đã báo cáo thủ trưởng"). */
static bool
is_head_told(const struct sent_notice *e)
{
	return e->stage == STAGE_ESCALATION && e->step == 1 && e->role == ROLE_HEAD;
}

/*
 * The people the notices of v[0..n) that match keep() went to, each once
 * in the order first sent, with the days they were sent:
 * [{name, role, agency, days}].
 */
static json_t *
sent_people_json(const struct sent_notice *v, size_t n, bool (*keep)(const struct sent_notice *),
		 bool en)
{
	json_t *out = json_array();
	struct date *days = xcalloc(n ? n : 1, sizeof(*days));

	for (size_t i = 0; i < n; i++) {
		size_t nd = 0;
		bool seen = false;
		char *w;

		if (!keep(&v[i]))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = keep(&v[k]) && v[k].person_id == v[i].person_id;
		if (seen)
			continue;
		for (size_t k = i; k < n; k++)
			if (keep(&v[k]) && v[k].person_id == v[i].person_id &&
			    (nd == 0 || date_cmp(days[nd - 1], v[k].day) != 0))
				days[nd++] = v[k].day;
		w = days_words(days, nd, en);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}",
						     "name", v[i].name ? v[i].name : "",
						     "role", role_words(v[i].role, en),
						     "agency", v[i].agency ? v[i].agency : "",
						     "days", w));
		free(w);
	}
	free(days);
	return out;
}

/* "Sở A, Sở B": the lead agencies of t flagged in flags; NULL when none. */
static char *
leads_flagged(const struct task *t, const bool *flags)
{
	struct buf b;
	char *s;

	if (!flags)
		return NULL;
	buf_init(&b, RENDER_MAX_BYTES);
	for (size_t i = 0; i < t->n_leads; i++)
		if (flags[i])
			(void)buf_addf(&b, "%s%s", b.len ? ", " : "", t->leads[i]);
	s = b.len ? buf_detach(&b) : NULL;
	buf_release(&b);
	return s;
}

/*
 * Adds to the JSON of a task what the outbox shows of it: "reminded"
 * (the focal points and the days they were reminded), "heads" (the heads
 * told at level 1), "not_reminded" when no reminder went out, and
 * "no_focal" / "no_head", the lead agencies with nobody in that role.
 * A key a template tests is absent when there is nothing to say.
 */
static void
add_sent_json(json_t *o, const struct render_ctx *ctx, const struct task *t, bool en)
{
	static const struct render_past none = { 0 };
	const struct render_past *p = &none;
	json_t *reminded, *heads;
	char *no_focal, *no_head;

	for (size_t i = 0; i < ctx->n_past; i++)
		if (ctx->past[i].task_id == t->id)
			p = &ctx->past[i];
	reminded = sent_people_json(p->sent, p->n_sent, is_reminder, en);
	heads = sent_people_json(p->sent, p->n_sent, is_head_told, en);
	no_focal = leads_flagged(t, p->no_focal);
	no_head = leads_flagged(t, p->no_head);

	if (json_array_size(reminded))
		json_object_set_new(o, "reminded", reminded);
	else {
		json_decref(reminded);
		json_object_set_new(o, "not_reminded", json_true());
	}
	if (json_array_size(heads))
		json_object_set_new(o, "heads", heads);
	else
		json_decref(heads);
	if (no_focal)
		json_object_set_new(o, "no_focal", json_string(no_focal));
	if (no_head)
		json_object_set_new(o, "no_head", json_string(no_head));
	free(no_focal);
	free(no_head);
}

/*
 * The tasks rolled up by lead agencies ("Sở A", or "Sở A; Sở B" for a
 * joint task, so that the counts add up to the whole):
 * [{name, count, tasks}], in the order first met.
 */
static json_t *
agencies_json(json_t *tasks)
{
	json_t *out = json_array(), *t;
	size_t i;

	json_array_foreach(tasks, i, t) {
		const char *leads = json_string_value(json_object_get(t, "leads"));
		json_t *g = NULL, *x;
		size_t k;

		json_array_foreach(out, k, x)
			if (strcmp(json_string_value(json_object_get(x, "name")), leads) == 0)
				g = x;
		if (!g) {
			g = json_pack("{s:s, s:i, s:[]}", "name", leads, "count", 0, "tasks");
			json_array_append_new(out, g);
		}
		json_array_append(json_object_get(g, "tasks"), t);
		json_object_set_new(g, "count",
				    json_integer(json_integer_value(json_object_get(g, "count")) + 1));
	}
	return out;
}

/* The template a message of kind uses for these items. */
static const char *
template_of(enum message_kind kind, const struct person *to, const struct render_item *items,
	    size_t n)
{
	size_t late = 0, today = 0, level2 = 0;

	for (size_t i = 0; i < n; i++) {
		if (items[i].stage == STAGE_OVERDUE)
			late++;
		else if (items[i].stage == STAGE_BEFORE && items[i].step == 0)
			today++;
		if (items[i].stage == STAGE_ESCALATION && items[i].step >= 2)
			level2++;
	}
	switch (kind) {
	case MESSAGE_REMINDER:
		if (n > 0 && assessments_of(items, n) == n)
			return "assessment_request";
		return late == n ? "overdue" : today == n ? "due_today" : "reminder";
	case MESSAGE_CATCHUP:
		return "catchup";
	case MESSAGE_ESCALATION:
		/* Each role its own text: what a head, a leader, the secretariat can act on. */
		if (to && to->role == ROLE_SECRETARIAT)
			return "escalation_secretariat";
		if (to && to->role == ROLE_LEADER)
			return "escalation_leaders";
		if (to && to->role == ROLE_HEAD)
			return "escalation_head";
		return level2 ? "escalation_leaders" : "escalation_head";
	case MESSAGE_NEEDS_DATE:
		return "needs_date";
	case MESSAGE_ALERT:
		return "alert";
	case MESSAGE_TEST:
		return "test";
	default:
		return "reminder";
	}
}

/*
 * The channels whose address is a chat a person writes commands from.  A
 * person is linked when they have an address on one, working or not: one
 * refused for now (Zalo out of its window) is still theirs, and the
 * reopen partial says how to get it back, not how to link.
 */
static const char *const chat_addresses[] = { "telegram", "zalo" };

/*
 * What a message may say about chat: "unlinked" when the recipient has no
 * chat address (the footer's commands could not come from them), then
 * "chat_open" when chat channels are there to link, an object with a true
 * key for each open one by name ({"zalo": true}: the partial says how to
 * link on each), and "bot", the Telegram bot's username for its t.me
 * link.  With no chat channel open, a message to an unlinked person says
 * nothing of chat.  Answers (render_answer) go to a chat: they have
 * neither key.
 */
static void
chat_keys(json_t *data, const struct render_ctx *ctx)
{
	const struct person *p = ctx->to;
	bool linked = false;

	for (size_t i = 0; i < ELEMENTSOF(chat_addresses) && !linked; i++)
		linked = person_address(p, chat_addresses[i]) != NULL;
	json_object_set_new(data, "unlinked", json_boolean(!linked));
	if (!linked && ctx->n_chats > 0) {
		json_t *open = json_object();

		for (size_t i = 0; i < ctx->n_chats; i++)
			json_object_set_new(open, ctx->chats[i], json_true());
		json_object_set_new(data, "chat_open", open);
	}
	json_object_set_new(data, "bot", json_string(ctx->bot ? ctx->bot : ""));
}

/*
 * "reopen" when a channel of the recipient's does not reach them now
 * (ctx->reopen): {"channel": "Zalo", "days": 7} (or "hours" for a window
 * not in whole days; neither when it is unknown), for the partial that
 * asks them to write to it again.  Absent otherwise.
 */
static void
reopen_keys(json_t *data, const struct render_ctx *ctx)
{
	json_t *o;

	if (!ctx->reopen)
		return;
	o = json_pack("{s:s}", "channel", ctx->reopen);
	if (ctx->reopen_window >= 86400 && ctx->reopen_window % 86400 == 0)
		json_object_set_new(o, "days", json_integer(ctx->reopen_window / 86400));
	else if (ctx->reopen_window >= 3600)
		json_object_set_new(o, "hours", json_integer(ctx->reopen_window / 3600));
	json_object_set_new(data, "reopen", o);
}

int
render_message(enum message_kind kind, const struct render_ctx *ctx,
	       const struct render_item *items, size_t n, struct rendered *ret)
{
	json_t *data = json_object(), *tasks = json_array();
	char today[16];
	size_t late = 0;
	int level = 1, r;

	render_day(ctx->today, today);
	for (size_t i = 0; i < n; i++) {
		json_t *t = render_task_json(items[i].task, ctx->today, ctx->cal);

		if (kind == MESSAGE_ESCALATION)
			add_sent_json(t, ctx, items[i].task, lang_en(ctx->to));
		if (json_is_true(json_object_get(t, "late")))
			late++;
		if (items[i].stage == STAGE_ESCALATION && items[i].step > level)
			level = items[i].step;
		json_array_append_new(tasks, t);
	}
	json_object_set_new(data, "person", render_person_json(ctx->to));
	json_object_set_new(data, "today", json_string(today));
	json_object_set_new(data, "app", json_pack("{s:s, s:s}", "name", "Hệ thống đôn đốc", "url", ""));
	if (kind == MESSAGE_ESCALATION)
		json_object_set_new(data, "agencies", agencies_json(tasks));
	json_object_set_new(data, "tasks", tasks);
	json_object_set_new(data, "count", json_integer((json_int_t)n));
	/* Absent when none: the templates show their "late" clause only then. */
	if (late)
		json_object_set_new(data, "late_count", json_integer((json_int_t)late));
	if (n)
		json_object_set_new(data, "first_id", json_integer(items[0].task->id));
	indicator_keys(data, tasks, items, n);
	json_object_set_new(data, "level", json_integer(level));
	/* Absent for a whole list: numbers are always true in a section. */
	if (ctx->parts > 1) {
		json_object_set_new(data, "part", json_integer((json_int_t)ctx->part));
		json_object_set_new(data, "parts", json_integer((json_int_t)ctx->parts));
		json_object_set_new(data, "total", json_integer((json_int_t)ctx->total));
	}
	json_object_set_new(data, "agency", json_string(ctx->to->agency_name ? ctx->to->agency_name : ""));
	chat_keys(data, ctx);
	reopen_keys(data, ctx);
	if (ctx->about)
		json_object_set_new(data, "recipient",
				    json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "name",
					      ctx->about->name ? ctx->about->name : "",
					      "channel", ctx->about_channel ? ctx->about_channel : "",
					      "channel_vi", channels_label_vi(ctx->about_channel),
					      "error", ctx->about_error ? ctx->about_error : "",
					      "digest", ctx->about_digest,
					      /* A [digest] to address: nobody to call "đồng chí". */
					      "address", !ctx->about->id && person_address(ctx->about, "email")
					      ? person_address(ctx->about, "email") : ""));
	render_formal_counts(data);
	r = renderer_render(ctx->r, ctx->to->lang, template_of(kind, ctx->to, items, n), data, ret);
	json_decref(data);
	return r;
}

const char *
render_app_name(const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? "dondoc" : "Hệ thống đôn đốc";
}

/* --- brief titles (chat answers) ---------------------------------------- */

char *
render_brief(const char *s, size_t width)
{
	size_t chars = 0, cut = 0, space = 0;
	const char *p;

	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) == 0x80)
			continue;
		if (chars == width) {
			cut = (size_t)(p - s);
			break;
		}
		/* The last space past half the width: a word boundary worth cutting at. */
		if (*p == ' ' && chars >= width / 2)
			space = (size_t)(p - s);
		chars++;
	}
	if (!*p)
		return xstrdup(s);
	if (space)
		cut = space;
	/*
	 * No dangling comma or dash before the ellipsis.  Whole characters:
	 * "–" is three bytes, and a byte of it may end a letter ("ồ" ends in
	 * 0x93 as "–" does).
	 */
	for (;;) {
		if (cut > 0 && s[cut - 1] != '\0' && strchr(" ,;:-", s[cut - 1]))
			cut--;
		else if (cut >= 3 && memcmp(s + cut - 3, "–", 3) == 0)
			cut -= 3;
		else
			break;
	}
	return xasprintf("%.*s…", (int)cut, s);
}

json_t *
render_task_json_brief(const struct task *t, struct date today, const struct calendar *cal)
{
	char *title = render_brief(t->title ? t->title : "", RENDER_BRIEF_TITLE);
	json_t *o = task_json_titled(t, title, today, cal);

	free(title);
	return o;
}
