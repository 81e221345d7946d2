/* SPDX-License-Identifier: MIT */
/*
 * Import of appendix tables.  The file is read whole (at most 40 MiB) and
 * its form told from its bytes (sniff.h).  Text (UTF-16 converted to
 * UTF-8 first) is checked (no NUL, valid UTF-8), its separator chosen, and
 * fed line by line to libcsv, which hands back records; an .xlsx or .docx
 * gives its rows as records through ooxml.h.  Records become rows: a
 * header row sets the column map (records above it are held until then),
 * a row with an empty STT is glued to the pending row, a numbered row
 * flushes the pending one into the registry.
 *
 *   text --check--> libcsv --record--> classify --row--> process_row
 *   .xlsx/.docx --ooxml--> record --^    |  header: map columns, replay held
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

#include "abbrev.h"
#include "appendix.h"
#include "buf.h"
#include "deadline.h"
#include "hash.h"
#include "import.h"
#include "macro.h"
#include "norm.h"
#include "ooxml.h"
#include "registry.h"
#include "sniff.h"
#include "store.h"
#include "taskops.h"
#include "xalloc.h"

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

/*
 * A name with commas or " và " that was kept as one new agency (no split
 * made every part known): warned about once, after the last row, with
 * every line that used it.
 */
struct kept_whole {
	char *key;		/* norm_key of the name */
	char *name;		/* as the agency was made */
	char *code;		/* its code */
	char *unknown;		/* the pieces that are not known agencies, quoted, joined */
	enum appendix_column col;	/* where it was first seen */
	size_t *lines;
	size_t n_lines;
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
	/*
	 * Every agency by its abbreviation-expanded key (abbrev_key) of its
	 * name and of each alias, for names written another way ("UBND
	 * tỉnh" for "Ủy ban nhân dân tỉnh"); and by "#ID", for their names.
	 */
	struct agency_cache canon;
	struct agency_cache by_id;
	bool canon_built;	/* canon and by_id are filled (at the first name looked up) */
	struct kept_whole *kept;	/* names kept whole, in the order first seen */
	size_t n_kept;
	struct doc_memo docs[DOC_MEMO];	/* recent document cells, round robin */
	size_t next_doc;
	struct hash *hash;	/* for task codes */
	struct record *held;	/* records above the first header, read once it comes */
	size_t n_held;
	size_t n_dropped;	/* records above the header past IMPORT_MAX_HELD */
	struct seen seen;	/* tasks this file already wrote, with their line */
	const char *text;	/* the whole text being read (for naming its encoding) */
	size_t text_len;
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
	msg = xvasprintf(fmt, ap);
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

/* --- agencies: names, abbreviations, lists -------------------------------- */

/* The import's actor, for agencies and aliases it adds. */
static struct actor
import_actor(const struct importer *imp)
{
	return (struct actor){ .name = imp->o->actor ? imp->o->actor : "import", .channel = "cli" };
}

/* Files agency id (its canonical name: name) under the expanded key of text. */
static void
canon_put_name(struct importer *imp, const char *text, int64_t id, const char *name)
{
	char *key = abbrev_key(imp->o->abbrev, text);

	if (key && *key)
		cache_put(&imp->canon, key, id, name);
	free(key);
}

static int
canon_agency(const struct agency *a, void *userdata)
{
	struct importer *imp = userdata;
	char idkey[32];

	snprintf(idkey, sizeof(idkey), "#%lld", (long long)a->id);
	cache_put(&imp->by_id, idkey, a->id, a->name);
	canon_put_name(imp, a->name, a->id, a->name);
	return 0;
}

static int
canon_alias(int64_t agency_id, const char *key, const char *alias, void *userdata)
{
	struct importer *imp = userdata;
	const char *name = NULL;
	char idkey[32];

	(void)key;
	snprintf(idkey, sizeof(idkey), "#%lld", (long long)agency_id);
	if (cache_get(&imp->by_id, idkey, &name) > 0)
		canon_put_name(imp, alias, agency_id, name);
	return 0;
}

/*
 * Builds the expanded-key index of every agency and alias of the
 * registry, once, before the first name is looked up: hundreds of names,
 * read once rather than at every row.
 */
static int
canon_build(struct importer *imp)
{
	int r;

	if (imp->canon_built)
		return 0;
	r = store_agency_foreach(imp->s, canon_agency, imp);
	if (r >= 0)
		r = store_alias_foreach(imp->s, canon_alias, imp);
	if (r < 0)
		return r;
	imp->canon_built = true;
	return 0;
}

/* The name kept whole whose key is key, or NULL. */
static struct kept_whole *
kept_find(const struct importer *imp, const char *key)
{
	for (size_t i = 0; i < imp->n_kept; i++)
		if (strcmp(imp->kept[i].key, key) == 0)
			return &imp->kept[i];
	return NULL;
}

/*
 * Finds the agency name means, without adding one: by the name as
 * written, its key, the registry's names, aliases and codes, then
 * through the abbreviations.  0 with its id and canonical name (borrowed
 * from the cache), -ENOENT when none, or another -errno.  An agency
 * found only through the abbreviations gets name as an alias when
 * use is set (the name goes into a task), so that every command finds
 * it by that name too; a mere test of a name (known_cb) writes nothing.
 */
static int
find_agency(struct importer *imp, const char *name, bool use, int64_t *ret_id,
	    const char **ret_name)
{
	struct agency a = { 0 };
	char *key = NULL, *ckey = NULL;
	int64_t id;
	int r;

	/* Most rows repeat a name exactly as written: try that before folding. */
	if ((id = cache_get(&imp->agencies, name, ret_name)) > 0) {
		*ret_id = id;
		return 0;
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
	if (r != -ENOENT || (r = canon_build(imp)) < 0)
		goto out;
	ckey = abbrev_key(imp->o->abbrev, name);
	if (!ckey || !*ckey || (id = cache_get(&imp->canon, ckey, ret_name)) <= 0) {
		r = -ENOENT;
		goto out;
	}
	if (!use) {
		*ret_id = id;
		r = 0;
		goto out;
	}
	{
		struct actor who = import_actor(imp);

		r = regop_agency_alias(imp->s, id, name, &who, imp->now);
	}
	/* -EEXIST: the name is another agency's alias after all; keep the match. */
	if (r < 0 && r != -EEXIST)
		goto out;
	cache_put(&imp->agencies, key, id, *ret_name);
	cache_put(&imp->agencies, name, id, *ret_name);
	*ret_id = id;
	r = 0;
out:
	agency_release(&a);
	free(ckey);
	free(key);
	return r;
}

/* agency_code_pick's test: 1 when an agency has code. */
static int
code_taken(const char *code, void *userdata)
{
	return store_agency_code_taken(userdata, code);
}

/*
 * Finds the agency named name, adding it when new (*ret_added then).
 * 0 with its id and canonical name (borrowed from the cache), or -errno.
 */
static int
resolve_agency(struct importer *imp, const char *name, int64_t *ret_id, const char **ret_name,
	       bool *ret_added)
{
	struct actor who = import_actor(imp);
	char *key = NULL, *code = NULL, *proper = NULL;
	int64_t id;
	int r;

	*ret_added = false;
	r = find_agency(imp, name, true, ret_id, ret_name);
	if (r != -ENOENT)
		return r;
	key = norm_key(name);
	r = agency_code_pick(name, code_taken, imp->s, &code);
	if (r < 0)
		goto out;
	/* "các sở, ban, ngành" inside a list is "Các sở, ban, ngành" on its own. */
	proper = norm_capitalize(name);
	r = regop_agency_add(imp->s, code, proper, agency_kind_guess(name), &who, imp->now, &id);
	if (r < 0)
		goto out;
	imp->rep.agencies++;
	cache_put(&imp->agencies, key, id, proper);
	cache_put(&imp->agencies, name, id, proper);
	canon_put_name(imp, proper, id, proper);
	*ret_id = cache_get(&imp->agencies, key, ret_name);
	*ret_added = true;
out:
	free(proper);
	free(code);
	free(key);
	return r;
}

/*
 * appendix_split_known's test: an agency the registry or this import
 * knows, but not a name this import kept whole (a list taken for one
 * agency must not make the next list look split).
 */
static bool
known_cb(const char *name, void *userdata)
{
	struct importer *imp = userdata;
	const char *canonical;
	char *key = norm_key(name);
	bool kept = key && kept_find(imp, key);
	int64_t id;

	free(key);
	return !kept && find_agency(imp, name, false, &id, &canonical) == 0;
}

/* True when every one of the n names is a collective ("Các sở, ban, ngành", "địa phương"). */
static bool
all_groups(char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (agency_kind_guess(names[i]) != AGENCY_GROUP)
			return false;
	return true;
}

/*
 * Cuts each name of names (a cell cut at ';') at ',' and " và " where
 * every part is known (appendix_split_known); replaces *names and *n.
 * A name whose parts would all be collectives stays whole: "Các sở, ban,
 * ngành, địa phương" is one name (DESIGN §2), whatever the registry
 * holds, so that it is the same agency whichever table came first.
 */
static void
split_known(struct importer *imp, char ***names, size_t *n)
{
	char **out = NULL;
	size_t m = 0, cap = 0;

	for (size_t i = 0; i < *n; i++) {
		char **parts;
		size_t k = appendix_split_known((*names)[i], known_cb, imp, &parts);

		if (k > 1 && all_groups(parts, k)) {
			for (size_t j = 0; j < k; j++)
				free(parts[j]);
			parts[0] = (*names)[i];
			(*names)[i] = NULL;
			k = 1;
		}

		out = xgrowroom(out, &cap, m + k, sizeof(char *));
		memcpy(out + m, parts, k * sizeof(char *));
		m += k;
		free(parts);
		free((*names)[i]);
	}
	free(*names);
	*names = out;
	*n = m;
}

/*
 * The pieces of name that are no known agency, quoted and joined by ", "
 * (new), or NULL when name should not be warned about: it has no comma,
 * and no piece around its " và " is an agency ("Sở Khoa học và Công
 * nghệ" is one name, "Sở Nội vụ và Sở Mới" likely two).
 */
static char *
unknown_pieces(struct importer *imp, const char *name)
{
	char **pieces;
	size_t n = appendix_agency_pieces(name, &pieces);
	bool any_known = false;
	struct buf b;
	char *r = NULL;

	buf_init(&b, IMPORT_MAX_LINE);
	for (size_t i = 0; i < n; i++) {
		if (known_cb(pieces[i], imp)) {
			any_known = true;
			continue;
		}
		(void)buf_addf(&b, "%s'%s'", b.len ? ", " : "", CLIP(pieces[i]));
	}
	if (n > 1 && (strchr(name, ',') || any_known))
		r = buf_detach(&b);
	buf_release(&b);
	for (size_t i = 0; i < n; i++)
		free(pieces[i]);
	free(pieces);
	return r;
}

/*
 * Notes that line used name, an agency made (added) or met again that
 * is a list kept whole, for the warning after the last row.
 */
static void
note_kept_whole(struct importer *imp, const char *name, int64_t id, bool added, size_t line,
		enum appendix_column col)
{
	char *key = norm_key(name), *unknown;
	struct kept_whole *k;

	if (!key)
		return;
	k = kept_find(imp, key);
	/* A collective ("Các sở, ban, ngành") is one name by nature: nothing to warn about. */
	if (!k && added && agency_kind_guess(name) != AGENCY_GROUP &&
	    (unknown = unknown_pieces(imp, name)) != NULL) {
		struct agency a = { 0 };

		imp->kept = xgrowarray(imp->kept, imp->n_kept, sizeof(*imp->kept));
		k = &imp->kept[imp->n_kept++];
		memset(k, 0, sizeof(*k));
		k->key = key;
		key = NULL;
		k->name = xstrdup(name);
		k->unknown = unknown;
		k->col = col;
		k->code = store_agency_lookup(imp->s, name, &a) == 0 && a.id == id ? xstrdup(a.code)
										: xstrdup("?");
		agency_release(&a);
	}
	if (k && (k->n_lines == 0 || k->lines[k->n_lines - 1] != line)) {
		k->lines = xgrowarray(k->lines, k->n_lines, sizeof(size_t));
		k->lines[k->n_lines++] = line;
	}
	free(key);
}

/*
 * Resolves the *n names of one cell (already cut by split_known) to ids,
 * adding the new agencies.  A name given twice (or once in full and once
 * abbreviated) counts once: its second copy is freed and *n lowered, so
 * that names, ids and canonical names stay side by side.  0 with new
 * arrays of ids and canonical names (borrowed from the cache), or -errno.
 */
static int
resolve_cell(struct importer *imp, char **names, size_t *n, size_t line,
	     enum appendix_column col, int64_t **ret_ids, const char ***ret_names)
{
	int64_t *ids = xcalloc(*n ? *n : 1, sizeof(int64_t));
	const char **canon = xcalloc(*n ? *n : 1, sizeof(char *));
	size_t m = 0;

	for (size_t i = 0; i < *n; i++) {
		bool added, dup = false;
		int r = resolve_agency(imp, names[i], &ids[m], &canon[m], &added);

		if (r < 0) {
			/* The names not looked at yet follow the kept ones: all freed by *n. */
			size_t k = m;

			for (size_t j = i; j < *n; j++)
				names[k++] = names[j];
			*n = k;
			free(ids);
			free(canon);
			return r;
		}
		note_kept_whole(imp, names[i], ids[m], added, line, col);
		for (size_t j = 0; j < m && !dup; j++)
			dup = ids[j] == ids[m];
		if (dup) {
			free(names[i]);
			continue;
		}
		names[m++] = names[i];
	}
	*n = m;
	*ret_ids = ids;
	*ret_names = canon;
	return 0;
}

#define KEPT_LINES_SHOWN 20	/* lines a warning lists; then "and N more" */

/* One warning per name kept whole, with the lines that used it. */
static void
warn_kept_whole(struct importer *imp)
{
	for (size_t i = 0; i < imp->n_kept; i++) {
		const struct kept_whole *k = &imp->kept[i];
		struct buf b;

		buf_init(&b, IMPORT_MAX_LINE);
		for (size_t j = 0; j < k->n_lines && j < KEPT_LINES_SHOWN; j++)
			(void)buf_addf(&b, "%s%zu", j ? ", " : "", k->lines[j]);
		if (k->n_lines > KEPT_LINES_SHOWN)
			(void)buf_addf(&b, " and %zu more", k->n_lines - KEPT_LINES_SHOWN);
		if (imp->diag)
			fprintf(imp->diag, "%s: line%s %s: warning: '%s' (%s) was taken as one new "
				"agency, '%s': %s %s; if it lists several, add the missing ones "
				"('dondoc agency add', 'dondoc agency alias') or separate them "
				"with ';', and import again\n", imp->name,
				k->n_lines > 1 ? "s" : "", b.p, CLIP(k->name),
				appendix_column_name(k->col), k->code, k->unknown,
				strchr(k->unknown, ',') ? "are not known agencies or aliases"
							: "is not a known agency or alias");
		imp->rep.warnings++;
		buf_release(&b);
	}
}

static void
kept_release(struct importer *imp)
{
	for (size_t i = 0; i < imp->n_kept; i++) {
		free(imp->kept[i].key);
		free(imp->kept[i].name);
		free(imp->kept[i].code);
		free(imp->kept[i].unknown);
		free(imp->kept[i].lines);
	}
	free(imp->kept);
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
	split_known(imp, &leads, &n_leads);
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
	split_known(imp, &coops, &n_coops);
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

	r = resolve_cell(imp, leads, &n_leads, line, COL_LEAD, &lead_ids, &lead_names);
	if (r < 0)
		goto out;
	r = resolve_cell(imp, coops, &n_coops, line, COL_COOP, &coop_ids, &coop_names);
	if (r < 0)
		goto out;

	t.kind = (raw && *raw) || imp->h.col[COL_ASSESSMENT] < 0 ? TASK_KIND_TASK
								  : TASK_KIND_INDICATOR;
	t.title = title;
	t.document = NULL;
	t.deadline_raw = raw ? raw : (char *)"";
	t.deadline = dl;
	t.status = has_assessment ? as.status : TASK_NOT_STARTED;
	/*
	 * Done already: the row does not say when, so neither does the
	 * registry (done_at 0), and the report counts it done, neither on
	 * time nor late.  done_due keeps the deadline the row gives.
	 */
	t.done_at = 0;
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
				/* i may jump past p->n: exact room (IMPORT_MAX_CELLS bounds it). */
				p->cells = xgrowto(p->cells, i + 1, sizeof(char *));
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

/* Acts on a row of the table (header known); takes ownership of rec's cells. */
static void
take_record(struct importer *imp, struct record *rec, size_t filled)
{
	enum appendix_stt kind = appendix_stt_parse(cell(imp, rec, COL_STT), NULL);

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

/* --- rows above the first header ------------------------------------------- */

/*
 * A table copied from the middle of a document starts with rows whose
 * header comes only further down, after a page break.  They are held
 * until the header is found and then read with it when they have its
 * shape: the columns it needs, no more cells than it has, and a row
 * number (or an empty one continuing such a row).  Anything else above
 * the header is a title and is skipped with a note, as before.
 */
#define IMPORT_MAX_HELD 10000
#define IMPORT_TOLD_BEFORE 8	/* lines above the header told one by one */

static void
hold_record(struct importer *imp, struct record *rec)
{
	if (imp->n_held >= IMPORT_MAX_HELD) {
		imp->n_dropped++;
		record_clear(rec);
		return;
	}
	imp->held = xgrowarray(imp->held, imp->n_held, sizeof(*imp->held));
	imp->held[imp->n_held++] = *rec;
	memset(rec, 0, sizeof(*rec));
}

static bool
held_fits(const struct importer *imp, const struct record *rec, bool after_row)
{
	size_t need = 0;

	for (int c = 0; c < _COL_MAX; c++)
		if (imp->h.col[c] >= 0)
			need = MAX(need, (size_t)imp->h.col[c] + 1);
	if (rec->n < need || rec->n > imp->h.n_cells || imp->h.col[COL_LEAD] < 0)
		return false;
	switch (appendix_stt_parse(cell(imp, rec, COL_STT), NULL)) {
	case STT_NUMBER:
		return *cell(imp, rec, COL_TITLE) != '\0';
	case STT_EMPTY:
		return after_row;
	default:
		return false;
	}
}

/* The first non-blank cell of rec, the one a note quotes.  Borrowed. */
static const char *
first_text(const struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		if (rec->cells[i][strspn(rec->cells[i], " \t")])
			return rec->cells[i];
	return "";
}

/* Reads or skips the held records, now that the header of header_line is known. */
static void
replay_held(struct importer *imp, size_t header_line)
{
	bool *fits = xcalloc(imp->n_held + 1, sizeof(bool)), after_row = false;
	size_t taken = 0, first = 0, skipped = 0;

	for (size_t i = 0; i < imp->n_held; i++) {
		fits[i] = held_fits(imp, &imp->held[i], after_row);
		after_row = fits[i];
		/* Rows are counted by their number; continuations go with them. */
		if (fits[i] && *cell(imp, &imp->held[i], COL_STT) && taken++ == 0)
			first = imp->held[i].line;
	}
	if (taken > 0) {
		diag(imp, first, "note: %zu %s above the table header (line %zu) read with its "
		     "columns", taken, taken == 1 ? "row" : "rows", header_line);
		imp->rep.notes++;
	}
	for (size_t i = 0; i < imp->n_held; i++) {
		struct record *rec = &imp->held[i];

		if (fits[i]) {
			take_record(imp, rec, count_nonempty(rec));
			continue;
		}
		/* Titles are a line or two; a page of prose is told in one note. */
		if (skipped++ < IMPORT_TOLD_BEFORE) {
			diag(imp, rec->line, "note: text before the table header skipped: '%s'",
			     CLIP(first_text(rec)));
			imp->rep.notes++;
		} else {
			imp->n_dropped++;
		}
		record_clear(rec);
	}
	if (imp->n_dropped > 0) {
		diag(imp, header_line, "note: %zu more %s before the table header skipped",
		     imp->n_dropped, imp->n_dropped == 1 ? "line" : "lines");
		imp->rep.notes++;
	}
	free(fits);
	free(imp->held);
	imp->held = NULL;
	imp->n_held = imp->n_dropped = 0;
}

/* Decides what a record is and acts on it; takes ownership of rec's cells. */
static void
handle_record(struct importer *imp, struct record *rec)
{
	struct appendix_header h;
	size_t filled = count_nonempty(rec);

	if (filled == 0)
		goto drop;	/* blank line */
	if (appendix_header_parse(rec->cells, rec->n, &h)) {
		/* A repeated header keeps the pending row: it may continue after. */
		imp->h = h;
		if (!imp->have_header) {
			imp->have_header = true;
			replay_held(imp, rec->line);
		}
		goto drop;
	}
	if (!imp->have_header) {
		/* A file that never has a header gets a single error. */
		hold_record(imp, rec);
		return;
	}
	take_record(imp, rec, filled);
	return;
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
	r->cells = xgrowarray(r->cells, r->n, sizeof(char *));
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
	return xgrowto(p, n, 1);
}

/* libcsv treats spaces and tabs around fields as padding; we keep them. */
static int
csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Checks and feeds one physical line (without its newline; p[n] may be overwritten). */
static void
feed_line(struct importer *imp, char *p, size_t n)
{
	size_t bad;

	imp->line++;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (memchr(p, '\0', n)) {
		fail(imp, "line %zu holds NUL bytes: '%s' is a binary file, not a table",
		     imp->line, imp->name);
		return;
	}
	if (!norm_is_utf8(p, n, &bad)) {
		/* Name the code page Excel most likely saved it in, and the fix. */
		const char *cp = sniff_legacy_name(imp->text, imp->text_len);

		if (cp)
			fail(imp, "line %zu is not valid UTF-8 (byte %zu): the file looks like %s; "
			     "save it as CSV UTF-8", imp->line, bad + 1, cp);
		else
			fail(imp, "line %zu is not valid UTF-8 (byte %zu, a broken character): "
			     "save the file again as CSV UTF-8", imp->line, bad + 1);
		return;
	}
	p[n] = '\n';
	if (csv_parse(&imp->csv, p, n + 1, on_field, on_record, imp) != n + 1)
		fail(imp, "line %zu: %s", imp->line, csv_strerror(csv_error(&imp->csv)));
}

/*
 * Checks the whole text before its separator is guessed: binary junk or
 * another code page is told as such, with the line where it shows, not
 * as a table whose separator is unclear.
 */
static void
check_text(struct importer *imp, char *text, size_t len)
{
	size_t bad, start = 0, line = 1;

	if (norm_is_utf8(text, len, &bad))
		return;
	for (size_t i = 0; i < bad; i++)
		if (text[i] == '\n') {
			line++;
			start = i + 1;
		}
	/* feed_line says what is wrong with that line, as for any other. */
	imp->line = line - 1;
	{
		const char *nl = memchr(text + start, '\n', len - start);

		feed_line(imp, text + start, nl ? (size_t)(nl - text) - start : len - start);
	}
}

static bool
is_header(char *const *cells, size_t n, void *ctx)
{
	struct appendix_header h;

	(void)ctx;
	return appendix_header_parse(cells, n, &h);
}

/*
 * Sets libcsv's separator from the content: the one under which the
 * header row appears, else the one that cuts the lines evenly.  A Word
 * paste (tabs) never quotes and a cell may start with '"'; Excel's
 * files (CSV, or text with tabs) quote, as sniff_tab_quoted() tells.
 */
static void
choose_separator(struct importer *imp, bool excel)
{
	char sep = ',', pair[2];
	int r = sniff_separator(imp->text, imp->text_len, is_header, NULL, &sep, pair);

	if (r == -EINVAL) {
		fail(imp, "cannot tell whether '%s' is separated by %s or by %s, and no header "
		     "row (%s, %s, ...) shows which: save it as CSV UTF-8 with its header row",
		     imp->name, sniff_separator_name(pair[0]), sniff_separator_name(pair[1]),
		     appendix_column_name(COL_STT), appendix_column_name(COL_TITLE));
		return;
	}
	csv_set_delim(&imp->csv, (unsigned char)sep);
	if (sep == '\t' && !excel)
		excel = sniff_tab_quoted(imp->text, imp->text_len);
	csv_set_quote(&imp->csv, sep == '\t' && !excel ? '\0' : CSV_QUOTE);
}

/* Feeds the text (UTF-8, BOM removed, text[len] writable) line by line. */
static void
read_text(struct importer *imp, char *text, size_t len)
{
	char *p = text, *end = text + len;

	while (p < end && imp->fatal == 0) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > IMPORT_MAX_LINE) {
			fail(imp, "line %zu is longer than %zu bytes", imp->line + 1,
			     IMPORT_MAX_LINE);
			break;
		}
		feed_line(imp, p, n);
		p += n + 1;
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
}

/* Feeds the rows of an .xlsx or .docx, as records, to the same classifier. */
static void
read_office(struct importer *imp, const void *data, size_t len)
{
	struct ooxml_rows t = { 0 };
	char *why = NULL;

	if (ooxml_read(data, len, imp->o->sheet, &t, &why) < 0) {
		fail(imp, "cannot read '%s': %s", imp->o->path, why);
		free(why);
		return;
	}
	for (size_t i = 0; i < t.n; i++) {
		struct record rec = { .cells = t.rows[i].cells, .n = t.rows[i].n,
				      .line = t.rows[i].line };

		t.rows[i].cells = NULL;
		t.rows[i].n = 0;
		if (imp->fatal == 0)
			handle_record(imp, &rec);
		else
			record_clear(&rec);
	}
	ooxml_rows_release(&t);
}

/* The whole file into a new buffer with one spare byte; 0 or -errno. */
static int
read_all(struct importer *imp, int fd, off_t size, char **ret, size_t *ret_len)
{
	size_t cap = (size_t)size + 1, len = 0;
	char *data = xmalloc(cap + 1);

	for (;;) {
		ssize_t got = read(fd, data + len, cap - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int r = -errno;

			fail(imp, "cannot read '%s': %s", imp->o->path, strerror(errno));
			free(data);
			return r;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len == cap) {
			/* Grown since fstat: the cap still holds. */
			if (cap > (size_t)IMPORT_MAX_BYTES) {
				fail(imp, "'%s' grew past %lld MiB while being read", imp->o->path,
				     (long long)(IMPORT_MAX_BYTES >> 20));
				free(data);
				return -EFBIG;
			}
			cap = MIN(2 * cap, (size_t)IMPORT_MAX_BYTES + 1);
			data = xgrowto(data, cap + 1, 1);
		}
	}
	data[len] = '\0';
	*ret = data;
	*ret_len = len;
	return 0;
}

/*
 * Reads the table in data whatever form it came in (sniff.h): UTF-8 or
 * UTF-16 text, an Office file; other forms are refused naming the fix.
 */
static void
read_table(struct importer *imp, char *data, size_t len)
{
	enum sniff_format f = sniff_format(data, len);
	char *utf8 = NULL;
	size_t bad_line = 0;

	if (imp->o->sheet && f != SNIFF_ZIP) {
		fail(imp, "--sheet is for Excel workbooks (.xlsx), and '%s' is not one",
		     imp->o->path);
		return;
	}
	switch (f) {
	case SNIFF_ZIP:
		read_office(imp, data, len);
		return;
	case SNIFF_OLE:
		fail(imp, "'%s' is %s", imp->o->path, sniff_ole_kind(data, len));
		return;
	case SNIFF_UTF32:
		fail(imp, "'%s' is UTF-32 text: save it as CSV UTF-8", imp->o->path);
		return;
	case SNIFF_UTF16LE_NOBOM:
	case SNIFF_UTF16BE_NOBOM:
		fail(imp, "'%s' looks like UTF-16 text without a byte order mark: save it as CSV "
		     "UTF-8 (or as Unicode Text from Excel)", imp->o->path);
		return;
	case SNIFF_UTF16LE:
	case SNIFF_UTF16BE:
		/* Excel's "Unicode Text": tab-separated, quoted as its CSV is. */
		if (sniff_utf16_to_utf8(data, len, f == SNIFF_UTF16BE, &utf8, &len, &bad_line) < 0) {
			fail(imp, "'%s' is UTF-16 text with a broken character on line %zu: save "
			     "it again as CSV UTF-8", imp->o->path, bad_line);
			return;
		}
		imp->text = utf8;
		imp->text_len = len;
		check_text(imp, utf8, len);
		if (imp->fatal == 0)
			choose_separator(imp, true);
		if (imp->fatal == 0)
			read_text(imp, utf8, len);
		free(utf8);
		return;
	case SNIFF_TEXT:
		if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
			data += 3;	/* the BOM Excel writes */
			len -= 3;
		}
		imp->text = data;
		imp->text_len = len;
		check_text(imp, data, len);
		if (imp->fatal == 0)
			choose_separator(imp, false);
		if (imp->fatal == 0)
			read_text(imp, data, len);
		return;
	}
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
	char *data = NULL;
	size_t len = 0;
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
	r = read_all(&imp, fd, st.st_size, &data, &len);
	if (r < 0)
		goto out;
	if (csv_init(&imp.csv, CSV_REPALL_NL | CSV_APPEND_NULL) != 0)
		abort();
	csv_set_realloc_func(&imp.csv, csv_xrealloc);
	csv_set_free_func(&imp.csv, free);
	csv_set_space_func(&imp.csv, csv_no_space);
	/*
	 * libcsv grows a cell's buffer by this much at a time, 128 bytes by
	 * default: a 1 MB cell is thousands of reallocs, each a copy where the
	 * allocator cannot grow in place (ASan's never does).  Sixteen steps
	 * at most for the largest cell the file can hold.
	 */
	csv_set_blk_size(&imp.csv, MAX((size_t)64 << 10, len / 16));

	/* A big table touches many pages at once: give it a larger cache. */
	(void)store_work(s, STORE_WORK_IMPORT);
	r = store_begin(s);
	if (r < 0) {
		fail(&imp, "cannot start a transaction: %s", store_errmsg(s));
		goto out_csv;
	}
	txn = true;
	read_table(&imp, data, len);
	if (imp.fatal == 0)
		flush_pending(&imp);
	if (imp.fatal == 0)
		warn_kept_whole(&imp);
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
	cache_release(&imp.canon);
	cache_release(&imp.by_id);
	kept_release(&imp);
	hash_free(imp.hash);
	free(imp.seen.ids);
	free(imp.seen.lines);
	for (size_t i = 0; i < imp.n_held; i++)
		record_clear(&imp.held[i]);
	free(imp.held);
	free(data);
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
