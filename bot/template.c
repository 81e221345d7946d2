/* SPDX-License-Identifier: MIT */
/*
 * The Mustache engine.  template_compile() turns the text into a flat
 * array of nodes, with each section's children stored right after it and
 * an index saying where they end, so rendering is a loop over an array
 * and a recursion per section.  Everything the spec decides from the
 * template alone (standalone lines, delimiter changes, dotted names) is
 * settled at compile time; rendering only looks names up and appends to
 * one capped buffer.
 *
 * Standalone partials are indented as if their source had been indented
 * line by line before compiling (what the spec describes), without
 * recompiling them: the renderer keeps a stack of indentation strings and
 * writes the active ones before the first output of every line of
 * template text.  Interpolated data is never indented.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "macro.h"
#include "template.h"
#include "xalloc.h"

/* Sections nested in one template; a guard against pathological text. */
#define MAX_NESTING 64
/* Partials rendered inside one another (legitimate recursion included). */
#define MAX_PARTIAL_DEPTH 64

enum node_type {
	NODE_TEXT,
	NODE_VAR,	/* {{name}}: escaped */
	NODE_RAW,	/* {{{name}}}, {{&name}}: not escaped */
	NODE_SECTION,	/* {{#name}} */
	NODE_INVERTED,	/* {{^name}} */
	NODE_PARTIAL,	/* {{>name}} */
};

/* One part of a dotted name, with its length for json_object_getn(). */
struct part {
	char *s;
	size_t n;
};

struct node {
	enum node_type type;
	const char *text;	/* TEXT: into template.src; PARTIAL: its indentation */
	size_t len;		/* bytes at text */
	char *name;		/* the name as written; NULL for TEXT */
	struct part *parts;	/* the dotted name split; NULL for "." */
	size_t nparts;		/* 0 for ".", the implicit iterator */
	size_t end;		/* SECTION, INVERTED: index after the last child */
	bool standalone;	/* PARTIAL: alone on its line, so indented */
	unsigned line;		/* PARTIAL: where it is, for a load that cannot find it */
};

struct template {
	char *name;		/* for error messages */
	char *src;		/* copy of the text; TEXT nodes point into it */
	struct node *nodes;
	size_t n;
	size_t cap;
};

/* Compile-time state: the position, the delimiters and the open sections. */
struct parser {
	struct template *t;
	const char *src;
	size_t len;
	const char *otag;	/* current opening delimiter, into src or static */
	size_t olen;
	const char *ctag;	/* current closing delimiter */
	size_t clen;
	size_t open[MAX_NESTING];	/* node index of each open section */
	size_t open_pos[MAX_NESTING];	/* and the offset of its tag */
	size_t nopen;
	char *err;		/* the message, once an error happened */
};

/* Render-time state, on the stack of template_render(). */
struct render {
	struct buf out;
	enum template_escape esc;
	template_partial_fn partial;
	void *userdata;
	const json_t **stack;	/* the context stack, top last */
	size_t depth;
	size_t cap;
	struct {
		const char *s;
		size_t n;
	} indents[MAX_PARTIAL_DEPTH];	/* one per standalone partial entered */
	size_t nindent;
	size_t indent_base;	/* indents[indent_base..nindent) apply now */
	unsigned partials;	/* partials being rendered, nested */
	bool at_bol;		/* next template output starts a line */
};

static int render_nodes(struct render *rs, const struct template *t, size_t from, size_t to);

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_space(char c)
{
	return is_blank(c) || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* 1-based line of the byte at pos; only used to word errors. */
static unsigned
line_of(const char *src, size_t pos)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		if (src[i] == '\n')
			line++;
	return line;
}

/* A "%.*s" argument pair for n bytes at s, cut short for messages. */
#define QUOTED(s, n) (int)MIN((n), 200), (s)

/* Sets the error at pos, with the name and line in front; takes msg. */
static int
parse_error(struct parser *ps, size_t pos, char *msg)
{
	ps->err = xasprintf("%s:%u: %s", ps->t->name, line_of(ps->src, pos), msg);
	free(msg);
	return -EINVAL;
}

/* Appends a zeroed node; returns its index (pointers move on growth). */
static size_t
add_node(struct template *t, enum node_type type)
{
	t->nodes = xgrowroom(t->nodes, &t->cap, t->n + 1, sizeof(*t->nodes));
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[t->n]));
	t->nodes[t->n].type = type;
	return t->n++;
}

static void
add_text(struct parser *ps, size_t from, size_t to)
{
	size_t k;

	if (to <= from)
		return;
	k = add_node(ps->t, NODE_TEXT);
	ps->t->nodes[k].text = ps->src + from;
	ps->t->nodes[k].len = to - from;
}

static int
bad_name(struct parser *ps, size_t tag_pos, size_t from, size_t to)
{
	return parse_error(ps, tag_pos,
			   xasprintf("bad tag name '%.*s'", QUOTED(ps->src + from, to - from)));
}

/*
 * Trims the tag content [*from, *to) and checks that it is a name: not
 * empty, no blank inside (the spec's "non-whitespace character sequence").
 */
static int
check_name(struct parser *ps, size_t tag_pos, size_t *from, size_t *to)
{
	size_t i;

	while (*from < *to && is_space(ps->src[*from]))
		(*from)++;
	while (*to > *from && is_space(ps->src[*to - 1]))
		(*to)--;
	if (*from == *to)
		return parse_error(ps, tag_pos, xstrdup("empty tag"));
	for (i = *from; i < *to; i++)
		if (is_space(ps->src[i]))
			return bad_name(ps, tag_pos, *from, *to);
	return 0;
}

/*
 * Gives node k its name and, unless it is a partial, the dotted parts,
 * split now so that lookups at render time need no allocation.  "." is
 * the implicit iterator; "a..b", ".a" and "a." are errors.
 */
static int
set_name(struct parser *ps, size_t k, size_t tag_pos, size_t from, size_t to)
{
	struct node *n = &ps->t->nodes[k];
	size_t i, start, np = 1;

	n->name = xstrndup(ps->src + from, to - from);
	if (n->type == NODE_PARTIAL || strcmp(n->name, ".") == 0)
		return 0;
	for (i = from; i < to; i++)
		if (ps->src[i] == '.')
			np++;
	n->parts = xcalloc(np, sizeof(*n->parts));
	for (start = from, i = from; i <= to; i++) {
		if (i < to && ps->src[i] != '.')
			continue;
		if (i == start)
			return bad_name(ps, tag_pos, from, to);
		n->parts[n->nparts].s = xstrndup(ps->src + start, i - start);
		n->parts[n->nparts++].n = i - start;
		start = i + 1;
	}
	return 0;
}

/*
 * {{=<% %>=}}: the content between the equals signs holds two blank-
 * separated delimiters, neither empty nor holding '=' or blanks.
 */
static int
set_delimiters(struct parser *ps, size_t tag_pos, size_t from, size_t to)
{
	const char *s = ps->src;
	size_t o, oe, c, ce, i;

	if (to == from || s[to - 1] != '=')
		goto bad;
	to--;
	for (o = from; o < to && is_space(s[o]); o++)
		;
	for (oe = o; oe < to && !is_space(s[oe]); oe++)
		;
	for (c = oe; c < to && is_space(s[c]); c++)
		;
	for (ce = c; ce < to && !is_space(s[ce]); ce++)
		;
	for (i = ce; i < to && is_space(s[i]); i++)
		;
	if (oe == o || ce == c || i != to || memchr(s + o, '=', oe - o) ||
	    memchr(s + c, '=', ce - c))
		goto bad;
	ps->otag = s + o;
	ps->olen = oe - o;
	ps->ctag = s + c;
	ps->clen = ce - c;
	return 0;
bad:
	return parse_error(ps, tag_pos, xasprintf("bad delimiter change '%.*s'",
							     QUOTED(ps->src + from, to - from)));
}

/*
 * Finds the closing delimiter of the tag whose content starts at from.
 * With suffix, the delimiter must follow that character ("}" of a triple
 * mustache).  Returns its offset, or len when the tag is unclosed.
 */
static size_t
find_close(const struct parser *ps, size_t from, char suffix)
{
	const char *p = ps->src + from;
	const char *end = ps->src + ps->len;

	for (;;) {
		p = memmem(p, (size_t)(end - p), ps->ctag, ps->clen);
		if (!p)
			return ps->len;
		if (!suffix || (p > ps->src + from && p[-1] == suffix))
			return (size_t)(p - ps->src);
		p++;
	}
}

/*
 * Is the tag [tag_pos, tag_end) alone on its line?  Blanks may surround
 * it; the line ends with \n, \r\n or the end of the text.  On yes, gives
 * where the line starts and where the next one does.
 */
static bool
standalone(const struct parser *ps, size_t tag_pos, size_t tag_end, size_t *ret_bol,
	   size_t *ret_next)
{
	size_t b = tag_pos, q = tag_end;

	while (b > 0 && is_blank(ps->src[b - 1]))
		b--;
	if (b > 0 && ps->src[b - 1] != '\n')
		return false;
	while (q < ps->len && is_blank(ps->src[q]))
		q++;
	if (q < ps->len && ps->src[q] == '\n')
		q++;
	else if (q + 1 < ps->len && ps->src[q] == '\r' && ps->src[q + 1] == '\n')
		q += 2;
	else if (q < ps->len)
		return false;
	*ret_bol = b;
	*ret_next = q;
	return true;
}

/*
 * {{/name}} closes the innermost open section, which must have the same
 * name; the section learns where its children end.
 */
static int
close_section(struct parser *ps, size_t tag_pos, size_t from, size_t to)
{
	const char *name = ps->src + from;
	size_t len = to - from, open;
	const char *want;

	if (ps->nopen == 0)
		return parse_error(ps, tag_pos,
				   xasprintf("closing tag '%.*s' without an open section",
					     QUOTED(name, len)));
	open = ps->open[ps->nopen - 1];
	want = ps->t->nodes[open].name;
	if (strlen(want) != len || memcmp(want, name, len) != 0)
		return parse_error(ps, tag_pos,
				   xasprintf("closing tag '%.*s' does not match section '%s' "
					     "opened on line %u", QUOTED(name, len), want,
					     line_of(ps->src, ps->open_pos[ps->nopen - 1])));
	ps->t->nodes[open].end = ps->t->n;
	ps->nopen--;
	return 0;
}

/*
 * Handles one tag whose sigil is c (0 for a plain variable) and whose
 * content is [from, to).  alone and bol say whether it is standalone
 * and where its line starts, which a partial keeps as its indentation.
 */
static int
parse_tag(struct parser *ps, char c, size_t tag_pos, size_t bol, bool alone, size_t from,
	  size_t to)
{
	struct template *t = ps->t;
	size_t k;
	int r;

	if (c == '!')
		return 0;
	if (c == '=')
		return set_delimiters(ps, tag_pos, from, to);
	r = check_name(ps, tag_pos, &from, &to);
	if (r < 0)
		return r;
	switch (c) {
	case '/':
		return close_section(ps, tag_pos, from, to);
	case '#':
	case '^':
		if (ps->nopen == MAX_NESTING)
			return parse_error(ps, tag_pos,
					   xasprintf("section '%.*s' nested deeper than %d",
						     QUOTED(ps->src + from, to - from),
						     MAX_NESTING));
		k = add_node(t, c == '#' ? NODE_SECTION : NODE_INVERTED);
		ps->open[ps->nopen] = k;
		ps->open_pos[ps->nopen++] = tag_pos;
		break;
	case '>':
		k = add_node(t, NODE_PARTIAL);
		t->nodes[k].standalone = alone;
		t->nodes[k].line = line_of(ps->src, tag_pos);
		if (alone) {
			t->nodes[k].text = ps->src + bol;
			t->nodes[k].len = tag_pos - bol;
		}
		break;
	case '{':
	case '&':
		k = add_node(t, NODE_RAW);
		break;
	default:
		k = add_node(t, NODE_VAR);
		break;
	}
	return set_name(ps, k, tag_pos, from, to);
}

/*
 * One pass over the text: find the next opening delimiter, then its
 * closing one, emit the text in between and the tag.  The delimiters in
 * force change as {{= =}} tags are met, so a section may open with one
 * pair and close with another, as the spec allows.
 */
static int
parse(struct parser *ps)
{
	size_t pos = 0, text_start = 0;
	int r;

	for (;;) {
		const char *o = memmem(ps->src + pos, ps->len - pos, ps->otag, ps->olen);
		size_t tag_pos, from, close, tag_end, bol = 0, next = 0;
		bool alone = false;
		char c;

		if (!o)
			break;
		tag_pos = (size_t)(o - ps->src);
		from = tag_pos + ps->olen;
		if (from >= ps->len)
			return parse_error(ps, tag_pos, xstrdup("unclosed tag"));
		/* src has no NUL before len, so c is never the terminator. */
		c = ps->src[from];
		if (strchr("#^/!>&{=", c))
			from++;
		else
			c = 0;
		close = find_close(ps, from, c == '{' ? '}' : 0);
		if (close == ps->len)
			return parse_error(ps, tag_pos, xstrdup("unclosed tag"));
		tag_end = close + ps->clen;
		if (c == '{')
			close--;	/* the '}' before the delimiter */

		/*
		 * Tags that output nothing themselves vanish with their line
		 * when alone on it; interpolations never do (spec).  The
		 * blanks before such a tag are always pending text, never
		 * part of an earlier tag, since delimiters hold no blanks.
		 */
		if (c && c != '&' && c != '{')
			alone = standalone(ps, tag_pos, tag_end, &bol, &next);
		add_text(ps, text_start, alone ? bol : tag_pos);
		r = parse_tag(ps, c, tag_pos, bol, alone, from, close);
		if (r < 0)
			return r;
		pos = text_start = alone ? next : tag_end;
	}
	add_text(ps, text_start, ps->len);
	if (ps->nopen > 0) {
		size_t k = ps->open[ps->nopen - 1];

		return parse_error(ps, ps->open_pos[ps->nopen - 1],
				   xasprintf("unclosed section '%s'", ps->t->nodes[k].name));
	}
	return 0;
}

int
template_compile(const char *name, const char *text, struct template **ret, char **reterr_msg)
{
	struct parser ps = { .otag = "{{", .olen = 2, .ctag = "}}", .clen = 2 };
	struct template *t = NULL;
	int r;

	assert(text);
	assert(ret);

	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name ? name : "template");
	t->src = xstrdup(text);
	ps.t = t;
	ps.src = t->src;
	ps.len = strlen(t->src);
	r = parse(&ps);
	if (r < 0)
		goto out;
	*ret = t;
	t = NULL;
	r = 0;
out:
	if (r < 0 && reterr_msg)
		*reterr_msg = ps.err;
	else
		free(ps.err);
	template_free(t);
	return r;
}

struct template *
template_free(struct template *t)
{
	size_t i, j;

	if (!t)
		return NULL;
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->nodes[i].nparts; j++)
			free(t->nodes[i].parts[j].s);
		free(t->nodes[i].parts);
		free(t->nodes[i].name);
	}
	free(t->nodes);
	free(t->src);
	free(t->name);
	free(t);
	return NULL;
}

const char *
template_name(const struct template *t)
{
	return t->name;
}

int
template_each_partial(const struct template *t,
		      int (*fn)(const char *name, unsigned line, void *userdata), void *userdata)
{
	for (size_t k = 0; k < t->n; k++) {
		int r;

		if (t->nodes[k].type != NODE_PARTIAL)
			continue;
		r = fn(t->nodes[k].name, t->nodes[k].line, userdata);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The entity for c under esc, or NULL when c is copied as is. */
static const char *
entity(char c, enum template_escape esc)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return esc == TEMPLATE_ESCAPE_HTML ? "&quot;" : NULL;
	case '\'':
		/* &#39; rather than &apos;, which HTML 4 mail readers lack. */
		return esc == TEMPLATE_ESCAPE_HTML ? "&#39;" : NULL;
	default:
		return NULL;
	}
}

/* Appends n bytes of s escaped; copies runs between entities at once. */
static int
add_escaped(struct buf *b, const char *s, size_t n, enum template_escape esc)
{
	size_t i, run = 0;
	int r;

	if (esc == TEMPLATE_ESCAPE_NONE)
		return n ? buf_add(b, s, n) : 0;
	for (i = 0; i < n; i++) {
		const char *e = entity(s[i], esc);

		if (!e)
			continue;
		if (i > run) {
			r = buf_add(b, s + run, i - run);
			if (r < 0)
				return r;
		}
		r = buf_adds(b, e);
		if (r < 0)
			return r;
		run = i + 1;
	}
	return i > run ? buf_add(b, s + run, i - run) : 0;
}

char *
template_escape(const char *s, enum template_escape esc)
{
	struct buf b;
	char *p;

	assert((unsigned)esc < _TEMPLATE_ESCAPE_MAX);
	if (!s)
		return NULL;
	buf_init(&b, (size_t)-1 / 2);
	(void)add_escaped(&b, s, strlen(s), esc);
	p = buf_detach(&b);
	buf_release(&b);
	return p;
}

/*
 * JSON false, null, an empty list and (as in JavaScript Mustache, so that
 * optional text fields can guard their line) an empty string are falsey;
 * so is a missing name.  0 and {} are truthy.
 */
static bool
truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	default:
		return true;
	}
}

/*
 * The spec's name resolution: "." is the top of the stack; otherwise the
 * first part is looked for from the top down, and the other parts only
 * inside what it found.  Returns a borrowed value, or NULL.
 */
static const json_t *
lookup(const struct render *rs, const struct node *n)
{
	const json_t *v = NULL;
	size_t k, p;

	if (n->nparts == 0)
		return rs->depth ? rs->stack[rs->depth - 1] : NULL;
	for (k = rs->depth; k-- > 0;) {
		if (json_is_object(rs->stack[k])) {
			v = json_object_getn(rs->stack[k], n->parts[0].s, n->parts[0].n);
			if (v)
				break;
		}
	}
	for (p = 1; v && p < n->nparts; p++)
		v = json_is_object(v) ? json_object_getn(v, n->parts[p].s, n->parts[p].n) : NULL;
	return v;
}

static void
push(struct render *rs, const json_t *v)
{
	rs->stack = xgrowroom(rs->stack, &rs->cap, rs->depth + 1, sizeof(*rs->stack));
	rs->stack[rs->depth++] = v;
}

/* Writes the indentation due at the start of a line, if any. */
static int
add_indent(struct render *rs)
{
	size_t k;
	int r;

	if (!rs->at_bol)
		return 0;
	rs->at_bol = false;
	for (k = rs->indent_base; k < rs->nindent; k++) {
		if (rs->indents[k].n == 0)
			continue;
		r = buf_add(&rs->out, rs->indents[k].s, rs->indents[k].n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Template text: indented line by line inside standalone partials. */
static int
add_text_out(struct render *rs, const char *s, size_t n)
{
	int r;

	if (rs->nindent == rs->indent_base)
		return buf_add(&rs->out, s, n);
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) + 1 : n;

		r = add_indent(rs);
		if (r < 0)
			return r;
		r = buf_add(&rs->out, s, len);
		if (r < 0)
			return r;
		rs->at_bol = nl != NULL;
		s += len;
		n -= len;
	}
	return 0;
}

/* Integers are common (counts, days left); printf is slow for them. */
static int
add_integer(struct buf *b, json_int_t i)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (i < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/*
 * Reals print in the fewest digits that read back the same, so 1.21 is
 * "1.21" and not "1.2100000000000000" (spec, interpolation).  The daemon
 * never calls setlocale(), so the decimal point is always '.'.
 */
static int
add_real(struct buf *b, double d)
{
	char tmp[40];
	int prec;

	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof(tmp), "%.17g", d);
	return buf_adds(b, tmp);
}

/* Appends v as text; lists and objects as compact JSON, null as nothing. */
static int
add_value(struct render *rs, const json_t *v, bool escape)
{
	enum template_escape esc = escape ? rs->esc : TEMPLATE_ESCAPE_NONE;
	char *s;
	int r;

	if (!v)
		return 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return add_escaped(&rs->out, json_string_value(v), json_string_length(v), esc);
	case JSON_INTEGER:
		return add_integer(&rs->out, json_integer_value(v));
	case JSON_REAL:
		return add_real(&rs->out, json_real_value(v));
	case JSON_TRUE:
		return buf_adds(&rs->out, "true");
	case JSON_FALSE:
		return buf_adds(&rs->out, "false");
	case JSON_NULL:
		return 0;
	default:
		/* Rare (a template bug), so Jansson's own allocation is fine. */
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		if (!s)
			return 0;
		r = add_escaped(&rs->out, s, strlen(s), esc);
		free(s);
		return r;
	}
}

/*
 * A standalone partial takes the outer indentation plus its own; an
 * inline one starts with none, as its source is not part of the
 * indented text.  Either way the line state after it is the one the
 * parent's source has there.
 */
static int
render_partial(struct render *rs, const struct node *n)
{
	const struct template *p;
	size_t base = rs->indent_base;
	int r;

	if (!n->standalone) {
		r = add_indent(rs);
		if (r < 0)
			return r;
	}
	p = rs->partial ? rs->partial(n->name, rs->userdata) : NULL;
	if (!p)
		return 0;
	if (rs->partials == MAX_PARTIAL_DEPTH)
		return -ELOOP;
	rs->partials++;
	if (n->standalone) {
		rs->indents[rs->nindent].s = n->text;
		rs->indents[rs->nindent++].n = n->len;
		rs->at_bol = true;
	} else {
		rs->indent_base = rs->nindent;
	}
	r = render_nodes(rs, p, 0, p->n);
	if (n->standalone)
		rs->nindent--;
	rs->indent_base = base;
	rs->at_bol = n->standalone;
	rs->partials--;
	return r;
}

static int
render_section(struct render *rs, const struct template *t, size_t k)
{
	const struct node *n = &t->nodes[k];
	const json_t *v = lookup(rs, n);
	size_t i;
	int r = 0;

	if (n->type == NODE_INVERTED)
		return truthy(v) ? 0 : render_nodes(rs, t, k + 1, n->end);
	if (!truthy(v))
		return 0;
	if (!json_is_array(v)) {
		push(rs, v);
		r = render_nodes(rs, t, k + 1, n->end);
		rs->depth--;
		return r;
	}
	for (i = 0; i < json_array_size(v) && r >= 0; i++) {
		push(rs, json_array_get(v, i));
		r = render_nodes(rs, t, k + 1, n->end);
		rs->depth--;
	}
	return r;
}

static int
render_nodes(struct render *rs, const struct template *t, size_t from, size_t to)
{
	size_t k;
	int r = 0;

	for (k = from; k < to && r >= 0; k++) {
		const struct node *n = &t->nodes[k];

		switch (n->type) {
		case NODE_TEXT:
			r = add_text_out(rs, n->text, n->len);
			break;
		case NODE_VAR:
		case NODE_RAW:
			r = add_indent(rs);
			if (r >= 0)
				r = add_value(rs, lookup(rs, n), n->type == NODE_VAR);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			r = render_section(rs, t, k);
			k = n->end - 1;
			break;
		case NODE_PARTIAL:
			r = render_partial(rs, n);
			break;
		}
	}
	return r;
}

int
template_render(const struct template *t, const json_t *data, enum template_escape esc,
		template_partial_fn partial, void *userdata, size_t max_len, char **ret)
{
	struct render rs = { .esc = esc, .partial = partial, .userdata = userdata };
	int r;

	assert(t);
	assert(ret);
	if ((unsigned)esc >= _TEMPLATE_ESCAPE_MAX)
		return -EINVAL;

	buf_init(&rs.out, max_len);
	if (data)
		push(&rs, data);
	r = render_nodes(&rs, t, 0, t->n);
	if (r < 0)
		goto out;
	*ret = buf_detach(&rs.out);
	r = 0;
out:
	buf_release(&rs.out);
	free(rs.stack);
	return r;
}
