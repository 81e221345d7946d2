/* SPDX-License-Identifier: MIT */
/*
 * Import of appendix tables.  The file is read in chunks and split into
 * physical lines; each line is checked (no NUL, valid UTF-8) and fed to
 * libcsv, which hands back records.  Records become rows: a header row
 * sets the column map, a row with an empty STT is glued to the pending
 * row, a numbered row flushes the pending one into the registry.
 *
 *   line --check--> libcsv --record--> classify --row--> process_row
 *                                        |  header: map columns
 *                                        |  empty STT: continue pending
 *                                        |  section/footnote: note
 *
 * All writes happen inside one transaction opened before the first line
 * and committed after the last, so a file-level error (or --dry-run)
 * leaves the registry exactly as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csv.h>

#include "appendix.h"
#include "buf.h"
#include "deadline.h"
#include "hash.h"
#include "import.h"
#include "macro.h"
#include "norm.h"
#include "registry.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

#define CHUNK 65536
#define ECHO_MAX 200	/* bytes of the input a message quotes, "…" included */

/* A record as libcsv returned it, with the line it started on. */
struct record {
	char **cells;
	size_t n;
	size_t line;
};

/* Task ids this import already wrote, with the line that did: id -> line. */
struct seen {
	int64_t *ids;		/* 0 marks an empty slot */
	size_t *lines;
	size_t n, cap;		/* cap is a power of two */
};

/* A document cell already resolved, and what it gave. */
struct doc_memo {
	char *cell;
	int64_t id;
	int year;
	char *number;
};

#define DOC_MEMO 16	/* a table cites a handful of documents */

/* Agencies already resolved in this import, by normalised name. */
struct agency_cache {
	char **keys;
	int64_t *ids;
	char **names;
	size_t n, cap;		/* cap is a power of two */
};

struct importer {
	struct store *s;
	const struct import_options *o;
	const char *name;	/* the file name printed in messages */
	time_t now;
	FILE *diag;
	struct import_report rep;

	struct csv_parser csv;
	struct record cur;	/* the record being parsed */
	size_t cur_bytes;
	size_t line;		/* the physical line being fed */
	size_t rec_line;	/* where the next record starts */

	bool have_header;
	struct appendix_header h;
	struct record pending;	/* the last numbered row, until the next one */
	bool has_pending;

	int fatal;		/* <0 once the file as a whole is refused */
	char *fatal_msg;

	struct agency_cache agencies;
	struct doc_memo docs[DOC_MEMO];	/* recent document cells, round robin */
	size_t next_doc;
	struct hash *hash;	/* for task codes */
	struct {
		size_t line;
		char *text;
	} before[8];		/* lines above the first header */
	size_t n_before;
	struct seen seen;	/* tasks this file already wrote, with their line */
};

static void
record_clear(struct record *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->cells[i]);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

/*
 * s as a message quotes it: whole when short, else cut on a character
 * boundary with "…", into out; a junk line of a megabyte is not echoed
 * whole to the operator's terminal or log.  Borrowed: s or out.
 */
static const char *
clip(const char *s, char out[ECHO_MAX + 1])
{
	static const char ellipsis[] = "…";
	size_t n = strlen(s);

	if (n <= ECHO_MAX)
		return s;
	n = ECHO_MAX - (sizeof(ellipsis) - 1);
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, ellipsis, sizeof(ellipsis));
	return out;
}

/* clip() into a buffer that lives until the end of the caller's statement block. */
#define CLIP(s) clip((s), (char[ECHO_MAX + 1]){ 0 })

static void PRINTF_LIKE(3, 4)
diag(struct importer *imp, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (!imp->diag)
		return;
	fprintf(imp->diag, "%s:%zu: ", imp->name, line);
	va_start(ap, fmt);
	vfprintf(imp->diag, fmt, ap);
	va_end(ap);
	fputc('\n', imp->diag);
}

static void PRINTF_LIKE(2, 3)
fail(struct importer *imp, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (imp->fatal < 0)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	imp->fatal = -EINVAL;
	imp->fatal_msg = msg;
}

/* --- agency cache ----------------------------------------------------- */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
cache_slot(const struct agency_cache *c, const char *key)
{
	size_t i = fnv1a(key) & (c->cap - 1);

	while (c->keys[i] && strcmp(c->keys[i], key) != 0)
		i = (i + 1) & (c->cap - 1);
	return i;
}

static void
cache_put(struct agency_cache *c, const char *key, int64_t id, const char *name)
{
	size_t i;

	if (2 * (c->n + 1) > c->cap) {
		struct agency_cache bigger = { 0 };

		bigger.cap = c->cap ? c->cap * 2 : 64;
		bigger.keys = xcalloc(bigger.cap, sizeof(char *));
		bigger.ids = xcalloc(bigger.cap, sizeof(int64_t));
		bigger.names = xcalloc(bigger.cap, sizeof(char *));
		for (size_t j = 0; j < c->cap; j++) {
			if (!c->keys[j])
				continue;
			i = cache_slot(&bigger, c->keys[j]);
			bigger.keys[i] = c->keys[j];
			bigger.ids[i] = c->ids[j];
			bigger.names[i] = c->names[j];
		}
		bigger.n = c->n;
		free(c->keys);
		free(c->ids);
		free(c->names);
		*c = bigger;
	}
	i = cache_slot(c, key);
	if (c->keys[i])
		return;
	c->keys[i] = xstrdup(key);
	c->ids[i] = id;
	c->names[i] = xstrdup(name);
	c->n++;
}

/* The cached id of key, with its canonical name in *ret_name; 0 when absent. */
static int64_t
cache_get(const struct agency_cache *c, const char *key, const char **ret_name)
{
	size_t i;

	if (!c->cap)
		return 0;
	i = cache_slot(c, key);
	if (!c->keys[i])
		return 0;
	*ret_name = c->names[i];
	return c->ids[i];
}

static void
cache_release(struct agency_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->keys[i]);
		free(c->names[i]);
	}
	free(c->keys);
	free(c->ids);
	free(c->names);
	memset(c, 0, sizeof(*c));
}

/* --- tasks seen in this file ------------------------------------------ */

static size_t
seen_slot(const struct seen *m, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * 11400714819323198485ULL) & (m->cap - 1);

	while (m->ids[i] && m->ids[i] != id)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* The line that wrote task id in this import, or 0. */
static size_t
seen_get(const struct seen *m, int64_t id)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = seen_slot(m, id);
	return m->ids[i] ? m->lines[i] : 0;
}

static void
seen_put(struct seen *m, int64_t id, size_t line)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct seen bigger = { 0 };

		bigger.cap = m->cap ? m->cap * 2 : 1024;
		bigger.ids = xcalloc(bigger.cap, sizeof(int64_t));
		bigger.lines = xcalloc(bigger.cap, sizeof(size_t));
		for (size_t j = 0; j < m->cap; j++) {
			if (!m->ids[j])
				continue;
			i = seen_slot(&bigger, m->ids[j]);
			bigger.ids[i] = m->ids[j];
			bigger.lines[i] = m->lines[j];
		}
		bigger.n = m->n;
		free(m->ids);
		free(m->lines);
		*m = bigger;
	}
	i = seen_slot(m, id);
	if (!m->ids[i])
		m->n++;
	m->ids[i] = id;
	m->lines[i] = line;
}

/* --- rows ------------------------------------------------------------- */

/* The cell of column c in row, or "" when the column or the cell is absent. */
static const char *
cell(const struct importer *imp, const struct record *row, enum appendix_column c)
{
	int i = imp->h.col[c];

	return i >= 0 && (size_t)i < row->n ? row->cells[i] : "";
}

/*
 * Finds the agency named name, adding it when new.  0 with its id and
 * canonical name (borrowed from the cache), or -errno.
 */
static int
resolve_agency(struct importer *imp, const char *name, int64_t *ret_id, const char **ret_name)
{
	struct agency a = { 0 };
	char *key = NULL, *code = NULL, *proper = NULL;
	int64_t id;
	int r;

	/* Most rows repeat a name exactly as written: try that before folding. */
	if ((id = cache_get(&imp->agencies, name, ret_name)) > 0) {
		*ret_id = id;
		r = 0;
		goto out;
	}
	key = norm_key(name);
	if (!key || !*key) {
		r = -EINVAL;
		goto out;
	}
	if ((id = cache_get(&imp->agencies, key, ret_name)) > 0) {
		cache_put(&imp->agencies, name, id, *ret_name);
		*ret_id = id;
		r = 0;
		goto out;
	}
	r = store_agency_lookup(imp->s, name, &a);
	if (r == 0) {
		cache_put(&imp->agencies, key, a.id, a.name);
		cache_put(&imp->agencies, name, a.id, a.name);
		*ret_id = cache_get(&imp->agencies, key, ret_name);
		goto out;
	}
	if (r != -ENOENT)
		goto out;
	code = agency_code_guess(name);
	for (int n = 2; (r = store_agency_code_taken(imp->s, code)) == 1 && n < 100000; n++) {
		char *base = agency_code_guess(name);

		free(code);
		code = xasprintf("%s%d", base, n);
		free(base);
	}
	if (r < 0)
		goto out;
	/* "các sở, ban, ngành" inside a list is "Các sở, ban, ngành" on its own. */
	proper = norm_capitalize(name);
	{
		struct actor who = { .name = imp->o->actor ? imp->o->actor : "import",
				     .channel = "cli" };

		r = regop_agency_add(imp->s, code, proper, agency_kind_guess(name), &who, imp->now,
				     &id);
	}
	if (r < 0)
		goto out;
	imp->rep.agencies++;
	cache_put(&imp->agencies, key, id, proper);
	cache_put(&imp->agencies, name, id, proper);
	*ret_id = cache_get(&imp->agencies, key, ret_name);
out:
	agency_release(&a);
	free(proper);
	free(code);
	free(key);
	return r;
}

/*
 * Resolves the document cell: 0 with *ret_id (0 for none), *ret_year (0
 * when undated) and *ret_number (borrowed until the import ends, NULL for
 * none), or -EINVAL after reporting an impossible date.
 */
static int
resolve_document(struct importer *imp, const char *text, size_t line, int64_t *ret_id,
		 int *ret_year, const char **ret_number)
{
	struct appendix_document d = { 0 };
	struct doc_memo *m;
	const char *why = NULL;
	char date[DATE_ISO_LEN];
	int64_t id = 0;
	int r;

	if (!*text) {
		*ret_id = 0;
		*ret_year = 0;
		*ret_number = NULL;
		return 0;
	}
	for (size_t i = 0; i < DOC_MEMO; i++) {
		m = &imp->docs[i];
		if (m->cell && strcmp(m->cell, text) == 0) {
			*ret_id = m->id;
			*ret_year = m->year;
			*ret_number = m->number;
			return 0;
		}
	}
	r = appendix_document_parse(text, &d, &why);
	if (r < 0) {
		diag(imp, line, "error: document '%s': %s", CLIP(text), why ? why : "not understood");
		return -EINVAL;
	}
	if (d.has_date)
		date_format_iso(d.date, date);
	r = store_document_ensure(imp->s, d.number, d.kind, d.has_date ? date : NULL, d.text, &id);
	if (r == 0) {
		m = &imp->docs[imp->next_doc++ % DOC_MEMO];
		free(m->cell);
		free(m->number);
		m->cell = xstrdup(text);
		m->id = id;
		m->year = d.has_date ? d.date.y : 0;
		m->number = d.number;
		d.number = NULL;
		*ret_id = m->id;
		*ret_year = m->year;
		*ret_number = m->number;
	}
	appendix_document_release(&d);
	return r;
}

static int
log_event_data(struct importer *imp, int64_t task_id, size_t line, const char *kind,
	       const char *old_value, const char *new_value, const char *data)
{
	char text[512];
	struct event e = {
		.task_id = task_id,
		.at = imp->now,
		.actor = imp->o->actor ? imp->o->actor : "import",
		.channel = "cli",
		.kind = kind,
		.old_value = old_value,
		.new_value = new_value,
		.text = text,
		.data = data,
	};

	snprintf(text, sizeof(text), "import %s:%zu", imp->name, line);
	return store_event_append(imp->s, &e);
}

static int
log_event(struct importer *imp, int64_t task_id, size_t line, const char *kind,
	  const char *old_value, const char *new_value)
{
	return log_event_data(imp, task_id, line, kind, old_value, new_value, NULL);
}

/*
 * A task the table says is done needs no more time: its open request is
 * moot (the requester hears of it in the task's history, not by message:
 * an import tells no one).
 */
static int
import_moot_request(struct importer *imp, const struct task *t)
{
	struct actor a = { .name = imp->o->actor ? imp->o->actor : "import", .channel = "cli" };
	struct extension e = { 0 };
	int r = store_extension_pending(imp->s, t->id, &e);

	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = taskop_extension_close(imp->s, &e, EXTENSION_MOOT, NULL, &a, imp->now);
	extension_release(&e);
	return r;
}

/* Joins names with "; " into a new string. */
static char *
join_names(char *const *names, size_t n)
{
	struct buf b;
	char *r;

	buf_init(&b, IMPORT_MAX_LINE);
	for (size_t i = 0; i < n; i++) {
		if (i)
			(void)buf_adds(&b, "; ");
		(void)buf_adds(&b, names[i]);
	}
	r = buf_detach(&b);
	buf_release(&b);
	return r;
}

/* Same text (up to case, marks and trailing dots) and same meaning. */
static bool
same_deadline(const struct task *a, const char *raw, const struct deadline *d)
{
	char *ka, *kb;
	bool same;

	if (a->deadline.precision != d->precision || a->deadline.has_due != d->has_due)
		return false;
	if (d->has_due && date_cmp(a->deadline.due, d->due) != 0)
		return false;
	ka = norm_key(a->deadline_raw);
	kb = norm_key(raw);
	same = ka && kb && strcmp(ka, kb) == 0;
	free(ka);
	free(kb);
	return same;
}

/* Writes the new task described by t; 0 or -errno. */
static int
create_task(struct importer *imp, struct task *t, int64_t doc_id, const char *title_key,
	    const int64_t *lead_ids, size_t n_leads, const int64_t *coop_ids, size_t n_coops,
	    size_t line)
{
	char digest[HASH_SHA256_HEX_LEN], *data;
	int64_t id = 0;
	int r;

	/*
	 * The code names the document and the task's text, not its row: the
	 * same task has another STT in each appendix that lists it, so a code
	 * made of the STT would depend on which table came first.  Eight hex
	 * digits of SHA-256 of the title key make it the same in every
	 * registry built from the same documents.  The identity was just
	 * found free, so a unique violation can only be a code collision.
	 */
	hash_add(imp->hash, title_key, strlen(title_key));
	hash_final_hex(imp->hash, digest);
	t->code = xasprintf("%s#%.8s", t->document ? t->document : "", digest);
	for (int n = 2; (r = store_task_insert(imp->s, t, doc_id, title_key, imp->now, &id)) == -EEXIST &&
			n < 1000; n++) {
		free(t->code);
		t->code = xasprintf("%s#%.8s~%d", t->document ? t->document : "", digest, n);
	}
	if (r < 0)
		return r;
	r = store_task_set_agencies(imp->s, id, true, false, lead_ids, n_leads);
	if (r == 0 && n_coops > 0)
		r = store_task_set_agencies(imp->s, id, false, false, coop_ids, n_coops);
	if (r < 0)
		return r;
	/* The whole new task, for replay (taskop_created_data). */
	data = taskop_created_data(t, lead_ids, n_leads, coop_ids, n_coops);
	r = log_event_data(imp, id, line, "created", NULL, task_status_to_string(t->status), data);
	free(data);
	if (r < 0)
		return r;
	seen_put(&imp->seen, id, line);
	imp->rep.created++;
	t->id = id;
	return 0;
}

/*
 * A done task the table reopens is not left at 100%: its progress before
 * it was marked done comes back (a progress event), else 0% with a note
 * (task set --progress corrects it).  0 or -errno.
 */
static int
import_reopen_progress(struct importer *imp, struct task *t, enum task_status status,
		       size_t line)
{
	char oldp[8], newp[8];
	int before = 0, r;

	if (t->status != TASK_DONE || status == TASK_DONE || t->progress < 100)
		return 0;
	r = taskop_progress_before_done(imp->s, t, &before);
	if (r == -ENOENT)
		diag(imp, line, "note: task %lld reopened; its progress before it was done is not "
		     "known: 0%%, to correct with 'dondoc task set %lld --progress N'",
		     (long long)t->id, (long long)t->id);
	else if (r < 0)
		return r;
	snprintf(oldp, sizeof(oldp), "%d", t->progress);
	snprintf(newp, sizeof(newp), "%d", before);
	r = log_event(imp, t->id, line, "progress", oldp, newp);
	if (r == 0)
		t->progress = before;
	return r;
}

/*
 * Takes one row into the registry.  Row-level problems are reported and
 * return 0 (the row is skipped); only database errors return <0.
 */
static int
process_row(struct importer *imp, const struct record *row)
{
	struct appendix_assessment as = { .status = TASK_NOT_STARTED };
	struct task t = { 0 }, old = { 0 };
	struct deadline dl = { .precision = DEADLINE_UNKNOWN };
	char **leads = NULL, *title = NULL, *title_key = NULL, *stt = NULL;
	char *raw = NULL, *old_leads = NULL, *new_leads = NULL;
	const char **lead_names = NULL, *doc_number = NULL, **coop_names = NULL;
	char **coops = NULL;
	int64_t *lead_ids = NULL, *coop_ids = NULL, doc_id = 0;
	size_t n_leads = 0, n_coops = 0, line = row->line, first;
	const char *why = NULL;
	bool has_assessment = false, changed = false;
	int r = 0, year = 0;

	imp->rep.rows++;
	appendix_stt_parse(cell(imp, row, COL_STT), &stt);
	if (strlen(stt) > ECHO_MAX) {
		/* Every message below names the row by it. */
		char *short_stt = xstrdup(CLIP(stt));

		free(stt);
		stt = short_stt;
	}
	{
		size_t need = 0;

		/* Every column the header names must be there, even if empty. */
		for (int c = 0; c < _COL_MAX; c++)
			if (imp->h.col[c] >= 0)
				need = MAX(need, (size_t)imp->h.col[c] + 1);
		if (row->n < need) {
			diag(imp, line, "error: row '%s' has %zu columns where the header has %zu",
			     stt, row->n, imp->h.n_cells);
			goto skip;
		}
	}
	title = norm_text(cell(imp, row, COL_TITLE));
	if (!title || !*title) {
		diag(imp, line, "error: row '%s' has no task text (%s)", stt,
		     appendix_column_name(COL_TITLE));
		goto skip;
	}
	if (imp->h.col[COL_LEAD] < 0) {
		diag(imp, line, "error: row '%s': the table has no column '%s'", stt,
		     appendix_column_name(COL_LEAD));
		goto skip;
	}
	n_leads = appendix_split_agencies(cell(imp, row, COL_LEAD), &leads);
	if (n_leads == 0) {
		diag(imp, line, "error: row '%s' has no lead agency (%s)", stt,
		     appendix_column_name(COL_LEAD));
		goto skip;
	}
	/*
	 * Each name may become an agency: a row of thousands (a column
	 * pasted into one cell) is refused before any is made.
	 */
	if (n_leads > IMPORT_MAX_LEADS) {
		diag(imp, line, "error: row '%s' names %zu lead agencies (%s), more than the %d a "
		     "task can have: left out", stt, n_leads, appendix_column_name(COL_LEAD),
		     IMPORT_MAX_LEADS);
		goto skip;
	}
	n_coops = appendix_split_agencies(cell(imp, row, COL_COOP), &coops);
	if (n_coops > IMPORT_MAX_COOPS) {
		diag(imp, line, "error: row '%s' names %zu cooperating agencies (%s), more than "
		     "the %d a task can have: left out", stt, n_coops,
		     appendix_column_name(COL_COOP), IMPORT_MAX_COOPS);
		goto skip;
	}
	if (resolve_document(imp, cell(imp, row, COL_DOCUMENT), line, &doc_id, &year,
			     &doc_number) < 0)
		goto skip;
	if (year == 0)
		year = imp->o->year;

	/* The deadline: its own column, else the one inside the assessment. */
	if (*cell(imp, row, COL_ASSESSMENT)) {
		if (appendix_assessment_parse(cell(imp, row, COL_ASSESSMENT), &as) < 0) {
			diag(imp, line, "error: row '%s': assessment '%s' not understood", stt,
			     CLIP(cell(imp, row, COL_ASSESSMENT)));
			goto skip;
		}
		has_assessment = true;
	}
	raw = norm_text(cell(imp, row, COL_DEADLINE));
	if ((!raw || !*raw) && as.deadline) {
		free(raw);
		raw = xstrdup(as.deadline);
	}
	if (raw && *raw) {
		r = deadline_parse(raw, year, &dl, &why);
		if (r == -ENODATA) {
			diag(imp, line, "error: row '%s': deadline '%s' names no year and the "
			     "document has no date (give --year)", stt, CLIP(raw));
			r = 0;
			goto skip;
		}
		if (r < 0) {
			diag(imp, line, "error: row '%s': deadline '%s': %s", stt, CLIP(raw),
			     why ? why : "not a date");
			r = 0;
			goto skip;
		}
		if (dl.precision == DEADLINE_UNKNOWN) {
			diag(imp, line, "warning: row '%s': deadline '%s' not understood: kept as "
			     "written and flagged as needing a date", stt, CLIP(raw));
			imp->rep.warnings++;
		}
	} else if (imp->h.col[COL_DEADLINE] >= 0) {
		diag(imp, line, "warning: row '%s' has no deadline (%s): flagged as needing a date",
		     stt, appendix_column_name(COL_DEADLINE));
		imp->rep.warnings++;
	}

	lead_ids = xcalloc(n_leads, sizeof(int64_t));
	lead_names = xcalloc(n_leads, sizeof(char *));
	for (size_t i = 0; i < n_leads; i++) {
		r = resolve_agency(imp, leads[i], &lead_ids[i], &lead_names[i]);
		if (r < 0)
			goto out;
	}
	coop_ids = xcalloc(n_coops, sizeof(int64_t));
	coop_names = xcalloc(n_coops, sizeof(char *));
	for (size_t i = 0; i < n_coops; i++) {
		r = resolve_agency(imp, coops[i], &coop_ids[i], &coop_names[i]);
		if (r < 0)
			goto out;
	}

	t.kind = (raw && *raw) || imp->h.col[COL_ASSESSMENT] < 0 ? TASK_KIND_TASK
								  : TASK_KIND_INDICATOR;
	t.title = title;
	t.document = NULL;
	t.deadline_raw = raw ? raw : (char *)"";
	t.deadline = dl;
	t.status = has_assessment ? as.status : TASK_NOT_STARTED;
	t.done_at = t.status == TASK_DONE ? imp->now : 0;
	/* Done already: on time or late against the deadline the row gives. */
	t.has_done_due = t.status == TASK_DONE && dl.has_due;
	t.done_due = t.has_done_due ? dl.due : (struct date){ 0 };
	title_key = norm_key(title);

	r = store_task_find(imp->s, doc_id, title_key, &old);
	if (r == -ENOENT) {
		t.document = (char *)doc_number;
		r = create_task(imp, &t, doc_id, title_key, lead_ids, n_leads, coop_ids, n_coops,
				line);
		free(t.code);
		goto out;
	}
	if (r < 0)
		goto out;
	if ((first = seen_get(&imp->seen, old.id)) > 0) {
		/* Within one file a repeated task is a mistake, not an update. */
		diag(imp, line, "error: row '%s' repeats the task of line %zu (same document and "
		     "text): left out", stt, first);
		r = 0;
		goto skip;
	}
	seen_put(&imp->seen, old.id, line);

	/* The same task again: bring it up to date, recording each change. */
	if (raw && *raw && !same_deadline(&old, raw, &dl)) {
		char *data = taskop_deadline_data(&dl);

		r = log_event_data(imp, old.id, line, "deadline", old.deadline_raw, raw, data);
		free(data);
		if (r < 0)
			goto out;
		free(old.deadline_raw);
		old.deadline_raw = xstrdup(raw);
		old.deadline = dl;
		changed = true;
		/* What was queued for the old deadline is no longer true. */
		r = store_notice_cancel_task(imp->s, old.id, imp->now, NULL);
		if (r < 0)
			goto out;
	}
	if (has_assessment && old.status != as.status) {
		/* An indicator stays one: its new status is an assessment (audit.c replays both). */
		bool assessed = old.kind == TASK_KIND_INDICATOR && t.kind == TASK_KIND_INDICATOR;
		char *data;

		/* Done now: against the deadline in force, this row's if it moved it. */
		old.has_done_due = as.status == TASK_DONE && old.deadline.has_due && !assessed;
		old.done_due = old.has_done_due ? old.deadline.due : (struct date){ 0 };
		data = assessed ? NULL : taskop_status_data(&old);
		r = log_event_data(imp, old.id, line, assessed ? "assessment" : "status",
				   task_status_to_string(old.status), task_status_to_string(as.status),
				   data);
		free(data);
		if (r < 0)
			goto out;
		old.done_at = as.status == TASK_DONE ? (old.done_at ? old.done_at : imp->now) : 0;
		r = import_reopen_progress(imp, &old, as.status, line);
		if (r < 0)
			goto out;
		old.status = as.status;
		changed = true;
		if (old.status == TASK_DONE) {
			r = import_moot_request(imp, &old);
			if (r < 0)
				goto out;
		}
		if (old.status == TASK_DONE || old.status == TASK_POSTPONED) {
			r = store_notice_cancel_task(imp->s, old.id, imp->now, NULL);
			if (r < 0)
				goto out;
		}
	}
	if (old.kind == TASK_KIND_INDICATOR && t.kind == TASK_KIND_TASK) {
		r = log_event(imp, old.id, line, "kind", task_kind_to_string(old.kind),
			      task_kind_to_string(TASK_KIND_TASK));
		if (r < 0)
			goto out;
		old.kind = TASK_KIND_TASK;
		changed = true;
	}
	if (changed) {
		r = store_task_update(imp->s, &old, imp->now);
		if (r < 0)
			goto out;
	}
	old_leads = join_names(old.leads, old.n_leads);
	new_leads = join_names((char *const *)lead_names, n_leads);
	if (strcmp(old_leads, new_leads) != 0) {
		char *data = taskop_ids_data(lead_ids, n_leads);

		r = store_task_set_agencies(imp->s, old.id, true, true, lead_ids, n_leads);
		if (r == 0)
			r = log_event_data(imp, old.id, line, "leads", old_leads, new_leads, data);
		free(data);
		if (r < 0)
			goto out;
		changed = true;
	}
	if (imp->h.col[COL_COOP] >= 0) {
		free(old_leads);
		free(new_leads);
		old_leads = join_names(old.coops, old.n_coops);
		new_leads = join_names((char *const *)coop_names, n_coops);
		if (strcmp(old_leads, new_leads) != 0) {
			char *data = taskop_ids_data(coop_ids, n_coops);

			r = store_task_set_agencies(imp->s, old.id, false, true, coop_ids, n_coops);
			if (r == 0)
				r = log_event_data(imp, old.id, line, "cooperating", old_leads,
						   new_leads, data);
			free(data);
			if (r < 0)
				goto out;
			changed = true;
		}
	}
	if (changed)
		imp->rep.updated++;
	else
		imp->rep.unchanged++;
	goto out;
skip:
	imp->rep.errors++;
out:
	task_release(&old);
	appendix_assessment_release(&as);
	for (size_t i = 0; i < n_leads; i++)
		free(leads[i]);
	free(leads);
	free(lead_ids);
	free(lead_names);
	for (size_t i = 0; i < n_coops; i++)
		free(coops[i]);
	free(coops);
	free(coop_ids);
	free(coop_names);
	free(title);
	free(title_key);
	free(stt);
	free(raw);
	free(old_leads);
	free(new_leads);
	return r;
}

/* Processes the pending row, if any, and forgets it. */
static void
flush_pending(struct importer *imp)
{
	int r;

	if (!imp->has_pending)
		return;
	r = process_row(imp, &imp->pending);
	if (r == -ERANGE && imp->fatal == 0) {
		/* The clock is behind the history, not the file at fault: exit 75. */
		fail(imp, "%s", store_errmsg(imp->s));
		imp->fatal = r;
	} else if (r < 0) {
		fail(imp, "cannot write to the database: %s (%s)", strerror(-r),
		     store_errmsg(imp->s));
	}
	record_clear(&imp->pending);
	imp->has_pending = false;
}

/* Appends the non-empty cells of rec to the pending row, cell by cell. */
static void
continue_pending(struct importer *imp, const struct record *rec)
{
	struct record *p = &imp->pending;

	for (size_t i = 0; i < rec->n; i++) {
		char *text = norm_text(rec->cells[i]);

		if (text && *text) {
			if (i >= p->n) {
				p->cells = xreallocarray(p->cells, i + 1, sizeof(char *));
				while (p->n <= i)
					p->cells[p->n++] = xstrdup("");
			}
			if (*p->cells[i]) {
				char *joined = xasprintf("%s %s", p->cells[i], text);

				free(p->cells[i]);
				p->cells[i] = joined;
			} else {
				free(p->cells[i]);
				p->cells[i] = xstrdup(text);
			}
		}
		free(text);
	}
}

static size_t
count_nonempty(const struct record *rec)
{
	size_t n = 0;

	for (size_t i = 0; i < rec->n; i++) {
		const char *c = rec->cells[i];

		while (*c == ' ' || *c == '\t')
			c++;
		if (*c)
			n++;
	}
	return n;
}

/* Decides what a record is and acts on it; takes ownership of rec's cells. */
static void
handle_record(struct importer *imp, struct record *rec)
{
	struct appendix_header h;
	enum appendix_stt kind;
	size_t filled = count_nonempty(rec);

	if (filled == 0)
		goto drop;	/* blank line */
	if (appendix_header_parse(rec->cells, rec->n, &h)) {
		/* A repeated header keeps the pending row: it may continue after. */
		imp->h = h;
		if (!imp->have_header) {
			for (size_t i = 0; i < imp->n_before; i++) {
				diag(imp, imp->before[i].line, "note: text before the table header "
				     "skipped: '%s'", imp->before[i].text);
				imp->rep.notes++;
			}
		}
		imp->have_header = true;
		goto drop;
	}
	if (!imp->have_header) {
		/*
		 * Titles above a table ("PHỤ LỤC I") are told once the header
		 * is found; a file that never has one gets a single error.
		 */
		if (imp->n_before < ELEMENTSOF(imp->before)) {
			imp->before[imp->n_before].line = rec->line;
			imp->before[imp->n_before].text = xstrdup(CLIP(rec->cells[0]));
			imp->n_before++;
		}
		goto drop;
	}
	kind = appendix_stt_parse(cell(imp, rec, COL_STT), NULL);
	switch (kind) {
	case STT_EMPTY:
		if (!imp->has_pending) {
			diag(imp, rec->line, "error: row continues no row (empty %s and no row "
			     "before it)", appendix_column_name(COL_STT));
			imp->rep.errors++;
			goto drop;
		}
		continue_pending(imp, rec);
		goto drop;
	case STT_NUMBER:
		flush_pending(imp);
		imp->pending = *rec;
		imp->has_pending = true;
		memset(rec, 0, sizeof(*rec));
		return;
	case STT_SECTION:
		if (!*cell(imp, rec, COL_LEAD) && !*cell(imp, rec, COL_DEADLINE)) {
			flush_pending(imp);
			diag(imp, rec->line, "note: section heading skipped: '%s %s'",
			     CLIP(cell(imp, rec, COL_STT)), CLIP(cell(imp, rec, COL_TITLE)));
			imp->rep.notes++;
			goto drop;
		}
		flush_pending(imp);
		imp->pending = *rec;
		imp->has_pending = true;
		memset(rec, 0, sizeof(*rec));
		return;
	case STT_OTHER:
		if (filled == 1) {
			/* "¹ Đến ngày 15/9/2025": a footnote under the table. */
			flush_pending(imp);
			diag(imp, rec->line, "note: footnote skipped: '%s'",
			     CLIP(cell(imp, rec, COL_STT)));
			imp->rep.notes++;
			goto drop;
		}
		flush_pending(imp);
		diag(imp, rec->line, "error: '%s' is not a row number (%s)",
		     CLIP(cell(imp, rec, COL_STT)),
		     appendix_column_name(COL_STT));
		imp->rep.errors++;
		goto drop;
	}
drop:
	record_clear(rec);
}

/* --- libcsv glue ------------------------------------------------------ */

static void
on_field(void *data, size_t len, void *userdata)
{
	struct importer *imp = userdata;
	struct record *r = &imp->cur;

	if (r->n >= IMPORT_MAX_CELLS || imp->cur_bytes + len > 4 * IMPORT_MAX_LINE) {
		fail(imp, "line %zu: more than %d columns or a cell too large", imp->rec_line,
		     IMPORT_MAX_CELLS);
		return;
	}
	r->cells = xreallocarray(r->cells, r->n + 1, sizeof(char *));
	r->cells[r->n++] = xstrndup(data ? data : "", data ? len : 0);
	imp->cur_bytes += len;
}

static void
on_record(int c, void *userdata)
{
	struct importer *imp = userdata;
	struct record rec = imp->cur;

	(void)c;
	memset(&imp->cur, 0, sizeof(imp->cur));
	imp->cur_bytes = 0;
	rec.line = imp->rec_line;
	imp->rec_line = imp->line + 1;
	if (imp->fatal < 0) {
		record_clear(&rec);
		return;
	}
	handle_record(imp, &rec);
}

static void *
csv_xrealloc(void *p, size_t n)
{
	return xreallocarray(p, n, 1);
}

/* libcsv treats spaces and tabs around fields as padding; we keep them. */
static int
csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Checks and feeds one physical line (without its newline). */
static void
feed_line(struct importer *imp, char *p, size_t n)
{
	size_t bad;

	imp->line++;
	if (imp->line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;	/* the BOM Excel writes */
		n -= 3;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (memchr(p, '\0', n)) {
		fail(imp, "line %zu holds NUL bytes: '%s' is a binary file, not a table",
		     imp->line, imp->name);
		return;
	}
	if (!norm_is_utf8(p, n, &bad)) {
		fail(imp, "line %zu is not valid UTF-8 (byte %zu; the file may be Latin-1 or "
		     "Windows-1258: save it as UTF-8)", imp->line, bad + 1);
		return;
	}
	p[n] = '\n';	/* the caller leaves room for it */
	if (csv_parse(&imp->csv, p, n + 1, on_field, on_record, imp) != n + 1)
		fail(imp, "line %zu: %s", imp->line, csv_strerror(csv_error(&imp->csv)));
}

/* Reads fd line by line into feed_line. */
static int
read_lines(struct importer *imp, int fd)
{
	char *chunk = xmalloc(CHUNK);
	struct buf line;
	bool first = true;
	ssize_t got;
	int r = 0;

	buf_init(&line, IMPORT_MAX_LINE + 1);
	while (imp->fatal == 0 && (got = read(fd, chunk, CHUNK)) != 0) {
		char *p = chunk, *end;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			fail(imp, "cannot read: %s", strerror(errno));
			break;
		}
		if (first) {
			/* Word pastes tabs; Excel's CSV uses commas and quotes. */
			bool tsv = memchr(chunk, '\t', (size_t)got) != NULL;

			csv_set_delim(&imp->csv, tsv ? CSV_TAB : CSV_COMMA);
			/* A Word paste never quotes: a cell may start with '"'. */
			csv_set_quote(&imp->csv, tsv ? '\0' : CSV_QUOTE);
			first = false;
		}
		end = chunk + got;
		while (p < end && imp->fatal == 0) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

			if (buf_add(&line, p, n) < 0) {
				fail(imp, "line %zu is longer than %zu bytes", imp->line + 1,
				     IMPORT_MAX_LINE);
				break;
			}
			p += n;
			if (nl) {
				/* Room for the newline feed_line puts back. */
				if (buf_addc(&line, '\0') < 0) {
					fail(imp, "line %zu is longer than %zu bytes",
					     imp->line + 1, IMPORT_MAX_LINE);
					break;
				}
				feed_line(imp, line.p, line.len - 1);
				buf_reset(&line);
				p++;
			}
		}
	}
	if (imp->fatal == 0 && line.len > 0) {
		(void)buf_addc(&line, '\0');
		feed_line(imp, line.p, line.len - 1);
	}
	/*
	 * libcsv reports an unclosed quote only in strict mode, which also
	 * refuses the stray quotes Excel users type; so look at its state:
	 * still inside a quoted field (FIELD_BEGUN, 2, in libcsv.c) at the end.
	 */
	if (imp->fatal == 0 && imp->csv.quoted && imp->csv.pstate == 2)
		fail(imp, "a quoted cell that starts on line %zu is never closed", imp->rec_line);
	if (imp->fatal == 0)
		csv_fini(&imp->csv, on_field, on_record, imp);
	buf_release(&line);
	free(chunk);
	return r;
}

/* What a file that is no regular file is, for the message refusing it. */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "a special file";
}

int
import_file(struct store *s, const struct import_options *o, time_t now, FILE *diagf,
	    struct import_report *ret, char **reterr_msg)
{
	struct importer imp = { 0 };
	struct stat st;
	const char *slash;
	int fd = -1, r = 0;
	bool txn = false;

	imp.s = s;
	imp.o = o;
	imp.now = now;
	imp.diag = diagf;
	imp.rec_line = 1;
	imp.hash = hash_new();
	slash = strrchr(o->path, '/');
	imp.name = slash ? slash + 1 : o->path;

	/*
	 * Non-blocking, so that a FIFO (or a device) is refused at once
	 * rather than waited on for ever; what is opened is what fstat
	 * sees, so nothing can be swapped in between.
	 */
	fd = open(o->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		fail(&imp, "cannot open '%s': %s", o->path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		fail(&imp, "cannot read '%s': %s", o->path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		fail(&imp, "'%s' is %s, not a regular file", o->path,
		     file_kind(st.st_mode));
		goto out;
	}
	/* A regular file never blocks; reads then are ordinary ones. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		r = -errno;
		fail(&imp, "cannot read '%s': %s", o->path, strerror(errno));
		goto out;
	}
	if (st.st_size == 0) {
		r = -ENODATA;
		fail(&imp, "'%s' is empty", o->path);
		goto out;
	}
	if (st.st_size > IMPORT_MAX_BYTES) {
		r = -EFBIG;
		fail(&imp, "'%s' is %.1f MiB, more than the %lld MiB an import takes",
		     o->path, (double)st.st_size / (1 << 20), (long long)(IMPORT_MAX_BYTES >> 20));
		goto out;
	}
	if (csv_init(&imp.csv, CSV_REPALL_NL | CSV_APPEND_NULL) != 0)
		abort();
	csv_set_realloc_func(&imp.csv, csv_xrealloc);
	csv_set_free_func(&imp.csv, free);
	csv_set_space_func(&imp.csv, csv_no_space);

	/* A big table touches many pages at once: give it a larger cache. */
	(void)store_set_cache(s, IMPORT_CACHE_KIB);
	r = store_begin(s);
	if (r < 0) {
		fail(&imp, "cannot start a transaction: %s", store_errmsg(s));
		goto out_csv;
	}
	txn = true;
	r = read_lines(&imp, fd);
	if (imp.fatal == 0)
		flush_pending(&imp);
	if (imp.fatal == 0 && !imp.have_header) {
		fail(&imp, "'%s' has no header row (%s, %s, ...)", o->path,
		     appendix_column_name(COL_STT), appendix_column_name(COL_TITLE));
	} else if (imp.fatal == 0 && imp.rep.rows == 0) {
		fail(&imp, "'%s' has a header but no task rows", o->path);
	}
	if (imp.fatal < 0) {
		r = imp.fatal;
		goto out_csv;
	}
	if (o->dry_run) {
		store_rollback(s);
		txn = false;
	} else {
		r = store_commit(s);
		if (r < 0) {
			fail(&imp, "cannot commit: %s", store_errmsg(s));
			goto out_csv;
		}
		txn = false;
	}
	*ret = imp.rep;
out_csv:
	csv_free(&imp.csv);
out:
	if (txn)
		store_rollback(s);
	if (fd >= 0)
		close(fd);
	record_clear(&imp.cur);
	record_clear(&imp.pending);
	cache_release(&imp.agencies);
	hash_free(imp.hash);
	free(imp.seen.ids);
	free(imp.seen.lines);
	for (size_t i = 0; i < imp.n_before; i++)
		free(imp.before[i].text);
	for (size_t i = 0; i < DOC_MEMO; i++) {
		free(imp.docs[i].cell);
		free(imp.docs[i].number);
	}
	if (imp.fatal < 0 && r == 0)
		r = imp.fatal;
	if (imp.fatal_msg && reterr_msg)
		*reterr_msg = imp.fatal_msg;
	else
		free(imp.fatal_msg);
	return r;
}
