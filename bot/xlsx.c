/* SPDX-License-Identifier: MIT */
/*
 * The report's table as a workbook (xlsx.h), on libxlsxwriter 1.1.4.  The
 * library writes whatever it is given, so every string goes through
 * cell_text() first: bad UTF-8 would make the file corrupt, C0 controls
 * would show as "_x0001_", and a cell over Excel's limit would be dropped
 * without a word (../shared/LIBRARIES.md §10).  Nothing is counted here:
 * the figures of the group rows are report.h's; the task rows are a
 * listing of store_task_foreach.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>
#include <xlsxwriter.h>

#include "buf.h"
#include "norm.h"
#include "report.h"
#include "store.h"
#include "task.h"
#include "xalloc.h"
#include "xlsx.h"

/* Excel's limit for a cell, in UTF-16 units (libxlsxwriter counts code points). */
#define CELL_MAX_UNITS 32767
/* What ends a cut cell: the whole text is in the registry. */
#define CUT_MARK "… [đã cắt, xem hệ thống]"
#define SHEET_NAME_MAX 31
#define N_COLS 8

enum col { C_STT, C_TITLE, C_DOC, C_LEAD, C_DEADLINE, C_STATE, C_PROGRESS, C_NOTE };

static const char *const header[N_COLS] = {
	"STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện",
	"Thời hạn hoàn thành", "Tình trạng", "Tiến độ", "Ghi chú",
};
static const double widths[N_COLS] = { 6, 60, 22, 30, 20, 24, 9, 40 };

/* The light's fill and its text colour (explicit: dark mode would pick white). */
static const lxw_color_t light_fill[_LIGHT_MAX] = { 0xC6EFCE, 0xFFEB9C, 0xFFC7CE };
static const lxw_color_t light_font[_LIGHT_MAX] = { 0x006100, 0x7F4F00, 0x9C0006 };

/* One task as listed: every string cleaned for a cell. */
struct xrow {
	int64_t id;
	char *title, *document, *leads, *deadline, *state, *note;
	bool indicator;
	bool listed;		/* in a document's group of sheet 1 */
	int progress;
	enum task_light light;
	int64_t *lead_ids;
	size_t n_leads;
};

struct xlsx_build {
	const struct xlsx_query *q;
	struct xrow *rows;
	size_t n_rows;
	struct report r;
	lxw_workbook *wb;
	lxw_format *f_head, *f_group, *f_text, *f_center, *f_pct, *f_light[_LIGHT_MAX];
	lxw_format *f_light_bold[_LIGHT_MAX];
	char **sheet_keys;	/* the case-folded names given, for dedupe */
	size_t n_sheets;
	lxw_error err;		/* the first write that failed */
};

/* --- text --------------------------------------------------------------- */

/* True when s starts like "_x0041_", which Excel would read as an escape. */
static bool
looks_escaped(const char *s, size_t n)
{
	if (n < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_')
		return false;
	for (int i = 2; i < 6; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/*
 * Appends code point cp to b, counting UTF-16 units in *units; *keep is
 * where the text would be cut (the last length at which the mark still fits).
 */
static void
put_cp(struct buf *b, int32_t cp, size_t room, size_t *units, size_t *keep)
{
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t k = utf8proc_encode_char(cp, enc);

	*units += cp >= 0x10000 ? 2 : 1;
	(void)buf_add(b, enc, (size_t)k);
	if (*units <= room)
		*keep = b->len;
}

/*
 * A new copy of s fit for a cell: bad bytes become U+FFFD, CRLF and CR
 * become LF, control characters (C0, DEL, C1) but tab and newline go, a literal "_xHHHH_"
 * is escaped so Excel shows it as typed, and past CELL_MAX_UNITS the
 * text is cut on a code point and ends with CUT_MARK.  NULL gives "".
 */
static char *
cell_text(const char *s)
{
	struct buf b;
	size_t n = s ? strlen(s) : 0, units = 0, keep = 0, mark_units = 0;
	utf8proc_int32_t cp;

	/* CUT_MARK is BMP only: its units are its code points. */
	for (const char *m = CUT_MARK; *m; m++)
		mark_units += ((unsigned char)*m & 0xC0) != 0x80;
	buf_init(&b, (size_t)CELL_MAX_UNITS * 4 + sizeof(CUT_MARK) + 16);
	for (size_t i = 0; i < n;) {
		i += norm_char(s + i, n - i, &cp);
		if (cp == '\r') {
			if (i < n && s[i] == '\n')
				continue;
			cp = '\n';
		}
		if (norm_is_control(cp) && cp != '\t' && cp != '\n')
			continue;
		if (cp == 0xFFFE || cp == 0xFFFF)
			cp = 0xFFFD;
		if (cp == '_' && looks_escaped(s + i - 1, n - i + 1)) {
			for (const char *e = "_x005F"; *e; e++)
				put_cp(&b, *e, CELL_MAX_UNITS - mark_units, &units, &keep);
		}
		put_cp(&b, cp, CELL_MAX_UNITS - mark_units, &units, &keep);
		if (units > CELL_MAX_UNITS) {
			buf_truncate(&b, keep);
			(void)buf_adds(&b, CUT_MARK);
			break;
		}
	}
	return buf_detach(&b);
}

/* --- the rows --------------------------------------------------------------- */

/*
 * The state in the committee's words (report.h's categories): an
 * indicator's assessment; a task done, postponed, behind (in progress and
 * overdue), overdue (not started), in progress, or not started.
 */
static const char *
state_label(const struct task *t, struct date today)
{
	bool overdue = task_is_overdue(t, today);

	if (t->kind == TASK_KIND_INDICATOR)
		return task_assessment_label(t->status);
	switch (t->status) {
	case TASK_DONE:
		return task_done_late(t) ? "Hoàn thành (trễ hạn)" : "Hoàn thành";
	case TASK_POSTPONED:
		return "Tạm hoãn";
	case TASK_NOT_STARTED:
		return overdue ? "Quá hạn" : "Chưa thực hiện";
	default:
		return overdue ? "Chậm tiến độ" : "Đang triển khai thực hiện";
	}
}

static char *
join_leads(const struct task *t)
{
	struct buf b;
	char *s;

	buf_init(&b, (size_t)1 << 20);
	for (size_t i = 0; i < t->n_leads; i++) {
		if (i)
			(void)buf_adds(&b, "; ");
		(void)buf_adds(&b, t->leads[i] ? t->leads[i] : "");
	}
	s = cell_text(b.p ? b.p : "");
	buf_release(&b);
	return s;
}

static int
collect_one(const struct task *t, void *userdata)
{
	struct xlsx_build *x = userdata;
	struct xrow *w;

	x->rows = xgrowarray(x->rows, x->n_rows, sizeof(*x->rows));
	w = &x->rows[x->n_rows++];
	*w = (struct xrow){
		.id = t->id,
		.title = cell_text(t->title),
		.document = t->document ? cell_text(t->document) : NULL,
		.leads = join_leads(t),
		.deadline = cell_text(t->deadline_raw),
		.state = xstrdup(state_label(t, x->q->today)),
		.note = cell_text(t->note),
		.indicator = t->kind == TASK_KIND_INDICATOR,
		.progress = t->progress,
		.light = task_light(t, x->q->today, x->q->cal),
		.n_leads = t->n_leads,
	};
	if (t->n_leads) {
		w->lead_ids = xmallocarray(t->n_leads, sizeof(*w->lead_ids));
		memcpy(w->lead_ids, t->lead_ids, t->n_leads * sizeof(*w->lead_ids));
	}
	return 0;
}

/* The order of report.h's document rows (by number, none last), then by id. */
static int
by_document(const void *a, const void *b)
{
	const struct xrow *x = a, *y = b;
	int c;

	if (!x->document != !y->document)
		return !x->document - !y->document;
	if (x->document && (c = strcmp(x->document, y->document)) != 0)
		return c;
	return (x->id > y->id) - (x->id < y->id);
}

static bool
same_doc(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The first row of document doc (NULL: none) in the sorted rows; n_rows when none. */
static size_t
first_of(const struct xlsx_build *x, const char *doc)
{
	struct xrow key = { .id = INT64_MIN, .document = (char *)doc };
	size_t lo = 0, hi = x->n_rows;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (by_document(&x->rows[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
rows_free(struct xrow *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].document);
		free(v[i].leads);
		free(v[i].deadline);
		free(v[i].state);
		free(v[i].note);
		free(v[i].lead_ids);
	}
	free(v);
}

/* --- sheets ---------------------------------------------------------------- */

/*
 * A name Excel takes: the forbidden characters replaced, no quote at the
 * ends, never empty, at most 31 code points, and not the name of another
 * sheet in any case (Excel compares them so; libxlsxwriter does not).
 */
static char *
sheet_name(struct xlsx_build *x, const char *want)
{
	char *clean = cell_text(want), *name = NULL, *key = NULL;

	for (char *p = clean; *p; p++)
		if (strchr("[]:*?/\\\n\t", *p))
			*p = '-';
	for (int try = 1; try < 1000; try++) {
		char suffix[16] = "";
		size_t cps = 0, i = 0, len;
		const char *base = clean;
		bool taken = false;

		while (*base == '\'')
			base++;
		if (try > 1)
			snprintf(suffix, sizeof(suffix), " (%d)", try);
		len = strlen(base);
		while (len && base[len - 1] == '\'')
			len--;
		/* Keep room for the suffix, counted in code points. */
		for (i = 0; i < len && cps < SHEET_NAME_MAX - strlen(suffix); cps++)
			do
				i++;
			while (i < len && ((unsigned char)base[i] & 0xC0) == 0x80);
		free(name);
		name = i ? xasprintf("%.*s%s", (int)i, base, suffix) : xasprintf("Trang%s", suffix);
		free(key);
		key = (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)name);
		for (size_t k = 0; key && k < x->n_sheets && !taken; k++)
			taken = strcmp(x->sheet_keys[k], key) == 0;
		if (!taken && workbook_validate_sheet_name(x->wb, name) == LXW_NO_ERROR)
			break;
	}
	x->sheet_keys = xgrowarray(x->sheet_keys, x->n_sheets, sizeof(*x->sheet_keys));
	x->sheet_keys[x->n_sheets++] = key ? key : xstrdup(name);
	free(clean);
	return name;
}

static lxw_worksheet *
add_sheet(struct xlsx_build *x, const char *want)
{
	char *name = sheet_name(x, want);
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);

	free(name);
	if (!ws)
		return NULL;
	for (int c = 0; c < N_COLS; c++)
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
	for (int c = 0; c < N_COLS; c++)
		worksheet_write_string(ws, 0, (lxw_col_t)c, header[c], x->f_head);
	worksheet_freeze_panes(ws, 1, 0);
	return ws;
}

static void
note_err(struct xlsx_build *x, lxw_error e)
{
	if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR)
		x->err = e;
}

/* Writes a string cell; an empty one gets a blank cell with its format. */
static void
put(struct xlsx_build *x, lxw_worksheet *ws, lxw_row_t row, int col, const char *s,
    lxw_format *f)
{
	note_err(x, worksheet_write_string(ws, row, (lxw_col_t)col, s ? s : "", f));
}

static void
put_task(struct xlsx_build *x, lxw_worksheet *ws, lxw_row_t row, size_t n, const struct xrow *w)
{
	note_err(x, worksheet_write_number(ws, row, C_STT, (double)n, x->f_center));
	put(x, ws, row, C_TITLE, w->title, x->f_text);
	put(x, ws, row, C_DOC, w->document, x->f_text);
	put(x, ws, row, C_LEAD, w->leads, x->f_text);
	put(x, ws, row, C_DEADLINE, w->deadline, x->f_text);
	put(x, ws, row, C_STATE, w->state, x->f_light[w->light]);
	/* An indicator has no progress: its state is its assessment. */
	if (w->indicator)
		put(x, ws, row, C_PROGRESS, "", x->f_pct);
	else
		note_err(x, worksheet_write_number(ws, row, C_PROGRESS, w->progress, x->f_pct));
	put(x, ws, row, C_NOTE, w->note, x->f_text);
}

/* "IV" for 4: the committee numbers its groups so. */
static void
roman(size_t n, char out[32])
{
	static const struct { unsigned v; const char *s; } r[] = {
		{ 1000, "M" }, { 900, "CM" }, { 500, "D" }, { 400, "CD" }, { 100, "C" },
		{ 90, "XC" }, { 50, "L" }, { 40, "XL" }, { 10, "X" }, { 9, "IX" }, { 5, "V" },
		{ 4, "IV" }, { 1, "I" },
	};
	size_t len = 0;

	if (n >= 4000) {
		snprintf(out, 32, "%zu", n);
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		for (; n >= r[i].v; n -= r[i].v)
			len += (size_t)snprintf(out + len, 32 - len, "%s", r[i].s);
}

/* The figures of a group row, report.h's: "Nhiệm vụ: hoàn thành 3/10, …". */
static char *
counts_text(const struct report_counts *c)
{
	const struct report_tasks *t = &c->tasks;
	const struct report_indicators *i = &c->indicators;
	char *a = NULL, *b = NULL, *s;

	if (t->total)
		a = xasprintf("Nhiệm vụ: hoàn thành %lld/%lld (đúng hạn %lld, trễ hạn %lld); "
			      "đang triển khai thực hiện %lld (chậm tiến độ %lld); chưa thực hiện "
			      "%lld; tạm hoãn %lld; quá hạn %lld",
			      (long long)t->done, (long long)t->total, (long long)t->done_on_time,
			      (long long)t->done_late, (long long)t->in_progress,
			      (long long)t->behind, (long long)t->not_started,
			      (long long)t->postponed, (long long)t->overdue);
	if (i->total)
		b = xasprintf("Chỉ tiêu: đạt %lld/%lld; chưa đạt %lld; chưa đánh giá được %lld",
			      (long long)i->achieved, (long long)i->total,
			      (long long)i->not_achieved, (long long)i->unassessed);
	s = xasprintf("%s%s%s", a ? a : "", a && b ? "\n" : "", b ? b : "");
	free(a);
	free(b);
	return s;
}

/*
 * An agency's lights, report.h's sums of its tasks' and indicators':
 * "ĐỎ 2 · VÀNG 1 · XANH 5", coloured as its worst (one red task makes
 * the agency's cell red, as the digest's table reads).
 */
static void
put_lights(struct xlsx_build *x, lxw_worksheet *ws, lxw_row_t row, const struct report_counts *c)
{
	int64_t n[_LIGHT_MAX];
	int worst = -1;
	char *text;

	for (int l = 0; l < _LIGHT_MAX; l++) {
		n[l] = c->tasks.light[l] + c->indicators.light[l];
		if (n[l])
			worst = l;
	}
	text = xasprintf("%s %lld · %s %lld · %s %lld", task_light_label(LIGHT_RED),
			 (long long)n[LIGHT_RED], task_light_label(LIGHT_YELLOW),
			 (long long)n[LIGHT_YELLOW], task_light_label(LIGHT_GREEN),
			 (long long)n[LIGHT_GREEN]);
	put(x, ws, row, C_STATE, text, worst < 0 ? x->f_group : x->f_light_bold[worst]);
	free(text);
}

/* A group's row: its numeral, its name, the figures and (agencies) the lights. */
static void
put_group(struct xlsx_build *x, lxw_worksheet *ws, lxw_row_t row, size_t n, const char *name,
	  const char *doc, const struct report_counts *c, bool lights)
{
	char num[32], *counts = counts_text(c);

	roman(n, num);
	put(x, ws, row, C_STT, num, x->f_group);
	put(x, ws, row, C_TITLE, name, x->f_group);
	put(x, ws, row, C_DOC, doc, x->f_group);
	put(x, ws, row, C_LEAD, "", x->f_group);
	put(x, ws, row, C_DEADLINE, "", x->f_group);
	if (lights)
		put_lights(x, ws, row, c);
	else
		put(x, ws, row, C_STATE, "", x->f_group);
	put(x, ws, row, C_PROGRESS, "", x->f_group);
	put(x, ws, row, C_NOTE, counts, x->f_group);
	free(counts);
}

/* Sheet 1: the appendix layout, a group per assigning document. */
static int
sheet_documents(struct xlsx_build *x)
{
	lxw_worksheet *ws = add_sheet(x, "Báo cáo");
	lxw_row_t row = 1;
	size_t listed = 0, n;

	if (!ws)
		return -EINVAL;
	/* An empty registry has no rows at all (qsort may not be given NULL). */
	if (x->n_rows)
		qsort(x->rows, x->n_rows, sizeof(*x->rows), by_document);
	for (size_t g = 0; g < x->r.n_documents; g++) {
		const struct report_row *d = &x->r.documents[g];
		char *name = d->name ? xasprintf("Văn bản số %s", d->name)
				     : xstrdup("Nhiệm vụ không gắn văn bản giao");
		char *doc = d->name ? cell_text(d->name) : NULL, *title = cell_text(name);

		put_group(x, ws, row++, g + 1, title, doc, &d->c, false);
		n = 1;
		for (size_t k = first_of(x, doc); k < x->n_rows && same_doc(x->rows[k].document, doc);
		     k++) {
			x->rows[k].listed = true;
			put_task(x, ws, row++, n++, &x->rows[k]);
		}
		listed += n - 1;
		free(name);
		free(doc);
		free(title);
	}
	/* Every task is listed: one the counts did not see (a bug) goes at the end. */
	if (listed < x->n_rows) {
		put_group(x, ws, row++, x->r.n_documents + 1, "Nhiệm vụ khác", NULL,
			  &(struct report_counts){ 0 }, false);
		n = 1;
		for (size_t k = 0; k < x->n_rows; k++)
			if (!x->rows[k].listed)
				put_task(x, ws, row++, n++, &x->rows[k]);
	}
	worksheet_autofilter(ws, 0, 0, row - 1, N_COLS - 1);
	return 0;
}

struct lead_pair {
	int64_t agency_id;
	size_t row;		/* index into x->rows */
};

static int
by_agency_then_task(const void *a, const void *b)
{
	const struct lead_pair *x = a, *y = b;

	if (x->agency_id != y->agency_id)
		return (x->agency_id > y->agency_id) - (x->agency_id < y->agency_id);
	return (x->row > y->row) - (x->row < y->row);
}

/* The (agency, task) pairs of the rows, by agency then in sheet 1's order. */
static struct lead_pair *
lead_pairs(const struct xlsx_build *x, size_t *ret_n)
{
	struct lead_pair *v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < x->n_rows; i++) {
		const struct xrow *w = &x->rows[i];

		for (size_t j = 0; j < (w->n_leads ? w->n_leads : 1); j++) {
			v = xgrowarray(v, n, sizeof(*v));
			v[n++] = (struct lead_pair){ w->n_leads ? w->lead_ids[j] : 0, i };
		}
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), by_agency_then_task);
	*ret_n = n;
	return v;
}

static char *
agency_title(const struct report_row *a)
{
	if (!a->name)
		return xstrdup("Nhiệm vụ chưa có cơ quan chủ trì");
	if (a->code)
		return xasprintf("%s (%s)", a->name, a->code);
	return xstrdup(a->name);
}

/* Sheet 2: a group per lead agency (report.h's rows, overlapping), then its tasks. */
static int
sheet_agencies(struct xlsx_build *x)
{
	lxw_worksheet *ws = add_sheet(x, "Theo cơ quan chủ trì");
	size_t n_pairs, lo;
	struct lead_pair *p = lead_pairs(x, &n_pairs);
	lxw_row_t row = 1;

	if (!ws) {
		free(p);
		return -EINVAL;
	}
	for (size_t g = 0; g < x->r.n_agencies; g++) {
		const struct report_row *a = &x->r.agencies[g];
		char *name = agency_title(a), *title = cell_text(name);

		put_group(x, ws, row++, g + 1, title, NULL, &a->c, true);
		for (lo = 0; lo < n_pairs && p[lo].agency_id < a->agency_id; lo++)
			;
		for (size_t n = 1; lo < n_pairs && p[lo].agency_id == a->agency_id; lo++, n++)
			put_task(x, ws, row++, n, &x->rows[p[lo].row]);
		free(name);
		free(title);
	}
	worksheet_autofilter(ws, 0, 0, row - 1, N_COLS - 1);
	free(p);
	return 0;
}

/* --- formats and the workbook ---------------------------------------------------- */

static lxw_format *
new_format(lxw_workbook *wb, lxw_color_t fill, lxw_color_t font, bool bold)
{
	lxw_format *f = workbook_add_format(wb);

	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_font_color(f, font);
	if (fill) {
		format_set_pattern(f, LXW_PATTERN_SOLID);
		format_set_bg_color(f, fill);
	}
	if (bold)
		format_set_bold(f);
	return f;
}

static void
make_formats(struct xlsx_build *x)
{
	x->f_head = new_format(x->wb, 0xD9E1F2, LXW_COLOR_BLACK, true);
	format_set_align(x->f_head, LXW_ALIGN_CENTER);
	x->f_group = new_format(x->wb, 0xF2F2F2, LXW_COLOR_BLACK, true);
	x->f_text = new_format(x->wb, 0, LXW_COLOR_BLACK, false);
	x->f_center = new_format(x->wb, 0, LXW_COLOR_BLACK, false);
	format_set_align(x->f_center, LXW_ALIGN_CENTER);
	x->f_pct = new_format(x->wb, 0, LXW_COLOR_BLACK, false);
	format_set_num_format(x->f_pct, "0\"%\"");
	format_set_align(x->f_pct, LXW_ALIGN_CENTER);
	for (int l = 0; l < _LIGHT_MAX; l++) {
		x->f_light[l] = new_format(x->wb, light_fill[l], light_font[l], false);
		x->f_light_bold[l] = new_format(x->wb, light_fill[l], light_font[l], true);
	}
}

static void
build_release(struct xlsx_build *x)
{
	rows_free(x->rows, x->n_rows);
	for (size_t i = 0; i < x->n_sheets; i++)
		free(x->sheet_keys[i]);
	free(x->sheet_keys);
	report_release(&x->r);
}

/* Reads what q selects: the counts (report.h) and the tasks. */
static int
gather(struct store *s, const struct xlsx_query *q, struct xlsx_build *x, char **reterr_msg)
{
	struct report_query rq = { .today = q->today, .cal = q->cal, .agency_id = q->agency_id };
	struct task_filter f = { .agency_id = q->agency_id, .status = -1 };
	int k;

	*x = (struct xlsx_build){ .q = q };
	k = report_build(s, &rq, &x->r);
	if (k < 0) {
		*reterr_msg = xasprintf(k == -EPROTO ? "the counts do not add up (a bug; see the log)"
					: "cannot count the tasks: %s", store_strerror(s, k));
		x->r = (struct report){ 0 };
		return k;
	}
	k = store_task_foreach(s, &f, collect_one, x);
	if (k < 0) {
		*reterr_msg = xasprintf("cannot read the tasks: %s", store_strerror(s, k));
		build_release(x);
		return k;
	}
	return 0;
}

/* Writes the workbook of x to filename (libxlsxwriter opens it at close). */
static int
emit(struct xlsx_build *x, const char *filename, const char *shown, char **reterr_msg)
{
	/*
	 * Row by row, flushed as it goes (rows are written in order): 4 MB
	 * whatever the registry, where the default keeps every cell (about
	 * 200 MB for 100,000 rows, LIBRARIES.md §10).
	 */
	lxw_workbook_options o = { .constant_memory = LXW_TRUE };
	lxw_doc_properties props = {
		.title = (char *)"Báo cáo tiến độ thực hiện nhiệm vụ",
		.author = (char *)"dondoc",
		.created = x->q->created,
	};
	lxw_error e;
	int k;

	x->wb = workbook_new_opt(filename, &o);
	if (!x->wb) {
		*reterr_msg = xasprintf("cannot start the workbook '%s'", shown);
		return -ENOMEM;
	}
	workbook_set_properties(x->wb, &props);
	make_formats(x);
	k = sheet_documents(x);
	if (k == 0)
		k = sheet_agencies(x);
	/* Closing frees the workbook even when it fails. */
	e = workbook_close(x->wb);
	x->wb = NULL;
	if (k < 0 || e != LXW_NO_ERROR || x->err != LXW_NO_ERROR) {
		*reterr_msg = xasprintf("cannot write the workbook '%s': %s", shown,
					k < 0 ? "a sheet was refused"
					: lxw_strerror(e != LXW_NO_ERROR ? e : x->err));
		return k < 0 ? k : e == LXW_ERROR_CREATING_XLSX_FILE ? -EIO : -EINVAL;
	}
	return 0;
}

void
xlsx_filename(struct date d, char out[40])
{
	snprintf(out, 40, "Bao-cao-tien-do-%04d-%02d-%02d.xlsx", d.y % 10000, d.m % 100, d.d % 100);
}

/* fsync of the file at path (written by the library, which does not). */
static int
sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), k = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		k = -errno;
	(void)close(fd);
	return k;
}

int
xlsx_report_write(struct store *s, const struct xlsx_query *q, const char *path,
		  char **reterr_msg)
{
	struct xlsx_build x;
	char *tmp = xasprintf("%s.tmp", path);
	int fd, k;

	/*
	 * The library opens the file only at close and then prints its own
	 * error: try the place first, so that the operator reads one line.
	 */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		k = -errno;
		*reterr_msg = xasprintf("cannot write '%s': %s", path, strerror(-k));
		free(tmp);
		return k;
	}
	(void)close(fd);
	k = gather(s, q, &x, reterr_msg);
	if (k == 0) {
		k = emit(&x, tmp, path, reterr_msg);
		build_release(&x);
	}
	if (k == 0 && (k = sync_path(tmp)) < 0)
		*reterr_msg = xasprintf("cannot write '%s': %s", path, strerror(-k));
	if (k == 0 && rename(tmp, path) < 0) {
		k = -errno;
		*reterr_msg = xasprintf("cannot rename '%s' to '%s': %s", tmp, path, strerror(-k));
	}
	if (k < 0)
		(void)unlink(tmp);
	free(tmp);
	return k;
}

/* Reads the n bytes of fd into a new buffer. */
static int
slurp(int fd, void **ret, size_t *ret_len)
{
	struct stat st;
	char *p;
	size_t got = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	p = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t k = pread(fd, p + got, (size_t)st.st_size - got, (off_t)got);

		if (k <= 0) {
			free(p);
			return k < 0 ? -errno : -EIO;
		}
		got += (size_t)k;
	}
	*ret = p;
	*ret_len = got;
	return 0;
}

int
xlsx_report_bytes(struct store *s, const struct xlsx_query *q, void **ret, size_t *ret_len,
		  char **reterr_msg)
{
	struct xlsx_build x;
	char name[48];
	int fd, k;

	/* 1.1.4 writes only to a file name: a memory file, named through /proc. */
	fd = memfd_create("xlsx", MFD_CLOEXEC);
	if (fd < 0) {
		k = -errno;
		*reterr_msg = xasprintf("cannot make a memory file for the workbook: %s",
					strerror(-k));
		return k;
	}
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	k = gather(s, q, &x, reterr_msg);
	if (k == 0) {
		k = emit(&x, name, "(in memory)", reterr_msg);
		build_release(&x);
	}
	if (k == 0 && (k = slurp(fd, ret, ret_len)) < 0)
		*reterr_msg = xasprintf("cannot read the workbook back: %s", strerror(-k));
	(void)close(fd);
	return k;
}
