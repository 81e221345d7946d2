/* SPDX-License-Identifier: MIT */
/*
 * The splitter; see split.h.  One pass over the text, never back.
 *
 * The text is read as atoms: a UTF-8 character (with the continuation
 * bytes that follow its lead), and in HTML an &entity; or a <tag>.  A cut
 * falls only between atoms.  What a part costs depends only on numbers
 * that are the same whatever the earlier cuts were:
 *
 *   cost(start, cut) = open(stack at start) + prefix(cut) - prefix(start)
 *                      + close(stack at cut)
 *
 * where prefix(x) is the units of text[0..x), open() the units of the
 * opening tags reopened at a part's start and close() those of the
 * closing tags added at its end.  The open tags are nodes of a tree that
 * is never shrunk (a push makes a node whose parent is the old top, a pop
 * goes back to the parent), so "the stack at x" is one index, and a place
 * to cut is remembered in O(1): for each kind of cut (item, line, word,
 * character) only the last place seen, since the best cut of a kind is
 * always its last that fits.  The cost never decreases as the scan goes
 * on (a closing tag adds to prefix what it takes from close), and a later
 * start never costs more for the same end (the tags it reopens are in the
 * text it skips), so the scan stops at the first atom that does not fit,
 * cuts at the best remembered place, and goes on from where it stopped.
 * Each atom is read once and each part written once: O(n + output).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "split.h"
#include "split-internal.h"
#include "xalloc.h"

#define ENTITY_MAX 32	/* "&thetasym;" and "&#x1F600;" are far shorter */

/* An open tag: a node of the tree of every stack the text goes through. */
struct node {
	const char *tag;	/* the opening tag as written, with its attributes */
	size_t tag_len;
	const char *name;	/* in tag */
	size_t name_len;
	size_t open_units;	/* of the opening tags from the root to here */
	size_t close_units;	/* of the closing tags "</name>" from here to the root */
	size_t parent;		/* the root is node 0, its own parent */
};

/* Where a part may end: after a text atom. */
struct place {
	size_t pos;		/* in the text; 0: none yet */
	size_t prefix;		/* units of text[0..pos) */
	size_t top;		/* the stack there */
	size_t texts;		/* visible atoms of text[0..pos) */
};

/* The kinds of cut, best first. */
enum cut_kind {
	CUT_ITEM,		/* after a blank line */
	CUT_LINE,		/* after a line */
	CUT_WORD,		/* after a space */
	CUT_CHAR,		/* after any character */
	_CUT_MAX,
};

struct splitter {
	const char *text;
	size_t n;
	size_t max;
	enum split_unit unit;
	bool html;
	struct node *nodes;
	size_t n_nodes;
	const char *next_gt;	/* the last '>' found; NULL: none looked for yet */
	bool no_gt;		/* no '>' after the last search's start: '<' is text */
	/* The scan: text[0..pos) read. */
	size_t pos, prefix, top, texts;
	unsigned newlines;	/* in the run of white space just read */
	struct place last[_CUT_MAX];
	char **parts;
	size_t n_parts;
	size_t work;		/* bytes read, searched and written, for the tests */
};

static size_t
units_of(const char *s, size_t n, enum split_unit unit)
{
	size_t units = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) == 0x80)
			continue;
		/* A 4-byte sequence is outside the BMP: a surrogate pair in UTF-16. */
		units += unit == SPLIT_UTF16 && c >= 0xf0 ? 2 : 1;
	}
	return units;
}

size_t
split_measure(const char *s, size_t n, enum split_unit unit)
{
	return units_of(s, n, unit);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-';
}

/* The length of the entity at p (up to end), 0 when '&' starts none. */
static size_t
entity_len(const char *p, const char *end)
{
	size_t i = 1;

	while (p + i < end && i <= ENTITY_MAX && (is_name_char(p[i]) || p[i] == '#'))
		i++;
	return i > 1 && p + i < end && p[i] == ';' ? i + 1 : 0;
}

/*
 * The length of the tag at text[at] ('<'), 0 when no '>' follows (a
 * stray '<' is text).  The '>' found is kept for the next '<': a search
 * starts only past the last '>' found, so each byte is searched once.
 */
static size_t
tag_len(struct splitter *sp, size_t at)
{
	const char *p = sp->text + at;

	if (sp->no_gt)
		return 0;
	if (!sp->next_gt || sp->next_gt < p) {
		sp->next_gt = memchr(p, '>', sp->n - at);
		if (!sp->next_gt) {
			sp->work += sp->n - at;
			sp->no_gt = true;
			return 0;
		}
		sp->work += (size_t)(sp->next_gt - p) + 1;
	}
	return (size_t)(sp->next_gt - p) + 1;
}

/*
 * The name of the tag t[0..len): true for an opening tag (*ret_closing
 * false) or a closing one (true); false for one that opens nothing
 * ("<!-- -->", "<br/>").
 */
static bool
tag_name(const char *t, size_t len, bool *ret_closing, const char **ret_name,
	 size_t *ret_name_len)
{
	size_t k = len > 1 && t[1] == '/' ? 2 : 1, name_len = 0;

	while (k + name_len < len && is_name_char(t[k + name_len]))
		name_len++;
	if (name_len == 0 || (len >= 2 && t[len - 2] == '/'))
		return false;
	*ret_closing = k == 2;
	*ret_name = t + k;
	*ret_name_len = name_len;
	return true;
}

/* The stack after the closing tag name: its parent when it closes the innermost, else top. */
static size_t
popped(const struct splitter *sp, const char *name, size_t name_len)
{
	const struct node *top = &sp->nodes[sp->top];

	/* Only the innermost closes: Telegram refuses crossed tags anyway. */
	if (sp->top && top->name_len == name_len && strncasecmp(top->name, name, name_len) == 0)
		return top->parent;
	return sp->top;
}

/* The units of the closing tags a cut needs after the tag text[at..at+len). */
static size_t
close_after_tag(const struct splitter *sp, size_t at, size_t len)
{
	const char *name;
	size_t name_len;
	bool closing;

	if (!tag_name(sp->text + at, len, &closing, &name, &name_len))
		return sp->nodes[sp->top].close_units;
	if (closing)
		return sp->nodes[popped(sp, name, name_len)].close_units;
	return sp->nodes[sp->top].close_units + name_len + 3;
}

/* What the tag text[at..at+len) does to the stack. */
static void
tag_apply(struct splitter *sp, size_t at, size_t len)
{
	const char *t = sp->text + at, *name;
	size_t name_len;
	bool closing;

	sp->work += len;
	if (!tag_name(t, len, &closing, &name, &name_len))
		return;
	if (closing) {
		sp->top = popped(sp, name, name_len);
		return;
	}
	sp->nodes[sp->n_nodes] = (struct node){
		.tag = t, .tag_len = len, .name = name, .name_len = name_len,
		.open_units = sp->nodes[sp->top].open_units + units_of(t, len, sp->unit),
		.close_units = sp->nodes[sp->top].close_units + name_len + 3,
		.parent = sp->top,
	};
	sp->top = sp->n_nodes++;
}

static struct place
here(const struct splitter *sp)
{
	return (struct place){ sp->pos, sp->prefix, sp->top, sp->texts };
}

/* Appends the opening tags of the stack at top, outermost first, at *q. */
static void
put_opening(struct splitter *sp, size_t top, char **q)
{
	size_t depth = 0, *path;

	for (size_t i = top; i; i = sp->nodes[i].parent)
		depth++;
	sp->work += 2 * depth;
	path = xcalloc(depth ? depth : 1, sizeof(*path));
	for (size_t i = top, d = depth; i; i = sp->nodes[i].parent)
		path[--d] = i;
	for (size_t d = 0; d < depth; d++) {
		memcpy(*q, sp->nodes[path[d]].tag, sp->nodes[path[d]].tag_len);
		*q += sp->nodes[path[d]].tag_len;
	}
	free(path);
}

/* Bytes of the tags of the stack at top: opening (all of each tag) and closing. */
static void
tag_bytes(struct splitter *sp, size_t top, size_t *ret_open, size_t *ret_close)
{
	*ret_open = *ret_close = 0;
	for (size_t i = top; i; i = sp->nodes[i].parent) {
		sp->work++;
		*ret_open += sp->nodes[i].tag_len;
		*ret_close += sp->nodes[i].name_len + 3;
	}
}

/*
 * Adds the part from s to e: the tags open at s opened again, the text
 * without the white space before e, the tags open at e closed.
 */
static void
emit(struct splitter *sp, const struct place *s, const struct place *e)
{
	size_t from = s->pos, to = e->pos, open, close, ignored;
	char *part, *q;

	while (to > from && is_space(sp->text[to - 1]))
		to--;
	tag_bytes(sp, s->top, &open, &ignored);
	tag_bytes(sp, e->top, &ignored, &close);
	part = q = xmalloc(open + (to - from) + close + 1);
	put_opening(sp, s->top, &q);
	memcpy(q, sp->text + from, to - from);
	q += to - from;
	for (size_t i = e->top; i; i = sp->nodes[i].parent) {
		*q++ = '<';
		*q++ = '/';
		memcpy(q, sp->nodes[i].name, sp->nodes[i].name_len);
		q += sp->nodes[i].name_len;
		*q++ = '>';
	}
	*q = '\0';
	sp->work += (size_t)(q - part);
	sp->parts = xgrowarray(sp->parts, sp->n_parts, sizeof(*sp->parts));
	sp->parts[sp->n_parts++] = part;
}

/*
 * The next atom at sp->pos: its length and units, and whether it is a tag
 * or visible text.
 */
static size_t
atom(struct splitter *sp, size_t *ret_units, bool *ret_tag)
{
	const char *p = sp->text + sp->pos, *end = sp->text + sp->n;
	size_t len = 1;

	*ret_tag = false;
	sp->work++;
	/* Most of a text is ASCII that is neither '<' nor '&'. */
	if ((unsigned char)*p < 0x80 && *p != '<' && *p != '&') {
		*ret_units = 1;
		return 1;
	}
	if (sp->html && *p == '<' && (len = tag_len(sp, sp->pos)) > 0) {
		*ret_tag = true;
		*ret_units = units_of(p, len, sp->unit);
		return len;
	}
	if (sp->html && *p == '&' && (len = entity_len(p, end)) > 0) {
		*ret_units = len;
		return len;
	}
	len = 1;
	if ((unsigned char)*p >= 0xc0)
		while (len < 4 && p + len < end && ((unsigned char)p[len] & 0xc0) == 0x80)
			len++;
	*ret_units = units_of(p, len, sp->unit);
	return len;
}

/* Reads the atom of length len: the stack, the counts, the places to cut. */
static void
take(struct splitter *sp, size_t len, size_t units, bool tag)
{
	char c = sp->text[sp->pos];

	if (tag)
		tag_apply(sp, sp->pos, len);
	sp->pos += len;
	sp->prefix += units;
	if (tag)
		return;		/* a tag neither ends a run of white space nor is a place to cut */
	if (!is_space(c) || len > 1) {
		sp->texts++;
		sp->newlines = 0;
	} else if (c == '\n' && ++sp->newlines >= 2) {
		sp->last[CUT_ITEM] = here(sp);
	} else if (c == '\n') {
		sp->last[CUT_LINE] = here(sp);
	} else if (c != '\r') {
		sp->last[CUT_WORD] = here(sp);
	}
	sp->last[CUT_CHAR] = here(sp);
}

/*
 * The best place to end the part that starts at s, among those seen:
 * one with visible text before it.  false when there is none.
 */
static bool
best(const struct splitter *sp, const struct place *s, struct place *ret)
{
	for (int k = 0; k < _CUT_MAX; k++)
		if (sp->last[k].pos > s->pos && sp->last[k].texts > s->texts) {
			*ret = sp->last[k];
			return true;
		}
	return false;
}

/* Moves s past white space, reading it when the scan is there. */
static void
skip_space(struct splitter *sp, struct place *s)
{
	while (s->pos < sp->n && is_space(sp->text[s->pos])) {
		sp->work++;
		if (s->pos == sp->pos)
			take(sp, 1, 1, false);
		s->pos++;
		s->prefix++;
	}
}

static int
split_run(struct splitter *sp)
{
	struct place s = { 0 }, cut;

	skip_space(sp, &s);
	while (sp->pos < sp->n) {
		size_t units, len, close;
		bool tag;

		len = atom(sp, &units, &tag);
		/*
		 * White space is free: a part never ends with it, and the
		 * next atom that shows is checked with it counted.
		 */
		if (!tag && len == 1 && is_space(sp->text[sp->pos])) {
			take(sp, len, units, tag);
			continue;
		}
		close = tag ? close_after_tag(sp, sp->pos, len) : sp->nodes[sp->top].close_units;
		/* The part from s with this atom its last: does it fit? */
		if (sp->nodes[s.top].open_units + sp->prefix + units - s.prefix + close <= sp->max) {
			take(sp, len, units, tag);
			continue;
		}
		if (!best(sp, &s, &cut))
			return -EINVAL;
		emit(sp, &s, &cut);
		s = cut;
		skip_space(sp, &s);
	}
	/* The rest fits: it is the last part, unless nothing of it shows. */
	cut = here(sp);
	if (cut.texts > s.texts)
		emit(sp, &s, &cut);
	return 0;
}

int
split_text_work(const char *text, size_t n, size_t max, enum split_unit unit,
		enum split_markup markup, char ***ret_parts, size_t *ret_n, size_t *ret_work)
{
	struct splitter sp = { .text = text, .n = n, .max = max, .unit = unit,
			       .html = markup == SPLIT_HTML };
	size_t tags = 1;
	int r;

	if (unit < 0 || unit >= _SPLIT_UNIT_MAX || markup < 0 || markup >= _SPLIT_MARKUP_MAX ||
	    max == 0)
		return -EINVAL;
	sp.work = n;
	if (units_of(text, n, unit) <= max) {
		*ret_parts = xcalloc(1, sizeof(**ret_parts));
		(*ret_parts)[0] = xstrndup(text, n);
		*ret_n = 1;
		if (ret_work)
			*ret_work = sp.work + n;
		return 0;
	}
	/* A node for each '<' at most, and the root: never grown. */
	if (sp.html) {
		sp.work += n;
		for (const char *p = text; (p = memchr(p, '<', n - (size_t)(p - text))); p++)
			tags++;
	}
	sp.nodes = xcalloc(tags, sizeof(*sp.nodes));
	sp.n_nodes = 1;
	r = split_run(&sp);
	free(sp.nodes);
	if (ret_work)
		*ret_work = sp.work;
	if (r < 0) {
		split_free(sp.parts, sp.n_parts);
		return r;
	}
	*ret_parts = sp.parts;
	*ret_n = sp.n_parts;
	return 0;
}

int
split_text(const char *text, size_t n, size_t max, enum split_unit unit,
	   enum split_markup markup, char ***ret_parts, size_t *ret_n)
{
	return split_text_work(text, n, max, unit, markup, ret_parts, ret_n, NULL);
}

void
split_free(char **parts, size_t n)
{
	if (!parts)
		return;
	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	free(parts);
}
