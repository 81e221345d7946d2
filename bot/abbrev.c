/* SPDX-License-Identifier: MIT */
/*
 * The abbreviation table of agency names: loaded from an INI file with
 * libinih (through inifile.c), and applied word by word to norm_key()'s
 * folded form, so that the short and the long spelling of a name give
 * the same key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abbrev.h"
#include "buf.h"
#include "inifile.h"
#include "norm.h"
#include "xalloc.h"

#define SECTION "abbreviations"
#define KEY_MAX 1024	/* bytes of a key; a name is far shorter */

/* A folded name cut into words. */
struct words {
	char **w;
	size_t n;
};

struct entry {
	struct words from;	/* the short form's words */
	struct words to;	/* the long form's words */
	char *written;		/* the short form as the file writes it, for messages */
};

struct abbrev {
	struct entry *e;
	size_t n;
};

static void
words_release(struct words *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
}

static void
words_push(struct words *ws, const char *s, size_t n)
{
	ws->w = xgrowarray(ws->w, ws->n, sizeof(char *));
	ws->w[ws->n++] = xstrndup(s, n);
}

/* Letters (any script, once folded), digits and '&' make words; the rest separates them. */
static bool
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '&' || c >= 0x80;
}

/*
 * Cuts a folded key into words.  A word that ends in '&' is glued to the
 * next, and one that starts with it to the one before: "kh & cn",
 * "kh& cn" and "kh&cn" are all the one word "kh&cn".
 */
static void
words_cut(const char *key, struct words *ret)
{
	struct words ws = { 0 };
	const char *p = key;

	while (*p) {
		size_t n = 0;

		while (p[n] && is_word_byte((unsigned char)p[n]))
			n++;
		if (n == 0) {
			p++;
			continue;
		}
		if (ws.n > 0 && (p[0] == '&' || ws.w[ws.n - 1][strlen(ws.w[ws.n - 1]) - 1] == '&')) {
			char *glued = xasprintf("%s%.*s", ws.w[ws.n - 1], (int)n, p);

			free(ws.w[ws.n - 1]);
			ws.w[ws.n - 1] = glued;
		} else {
			words_push(&ws, p, n);
		}
		p += n;
	}
	*ret = ws;
}

/* The words of name's folded form; false when name is not UTF-8. */
static bool
words_of(const char *name, struct words *ret)
{
	char *key = norm_key(name);

	if (!key)
		return false;
	words_cut(key, ret);
	free(key);
	return true;
}

static bool
words_equal(const struct words *a, const struct words *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->w[i], b->w[i]) != 0)
			return false;
	return true;
}

struct abbrev *
abbrev_new(void)
{
	return xcalloc(1, sizeof(struct abbrev));
}

struct abbrev *
abbrev_free(struct abbrev *ab)
{
	if (!ab)
		return NULL;
	for (size_t i = 0; i < ab->n; i++) {
		words_release(&ab->e[i].from);
		words_release(&ab->e[i].to);
		free(ab->e[i].written);
	}
	free(ab->e);
	free(ab);
	return NULL;
}

size_t
abbrev_count(const struct abbrev *ab)
{
	return ab ? ab->n : 0;
}

int
abbrev_add(struct abbrev *ab, const char *short_form, const char *long_form)
{
	struct entry e = { 0 };
	size_t at;

	if (ab->n >= ABBREV_MAX)
		return -E2BIG;
	if (!words_of(short_form, &e.from) || !words_of(long_form, &e.to) || e.from.n == 0 ||
	    e.to.n == 0 || words_equal(&e.from, &e.to)) {
		words_release(&e.from);
		words_release(&e.to);
		return -EINVAL;
	}
	for (size_t i = 0; i < ab->n; i++) {
		if (words_equal(&ab->e[i].from, &e.from)) {
			words_release(&e.from);
			words_release(&e.to);
			return -EEXIST;
		}
	}
	e.written = xstrdup(short_form);
	/*
	 * Longest short form first, so that a short form made of two words
	 * wins over one made of its first word alone.
	 */
	for (at = 0; at < ab->n && ab->e[at].from.n >= e.from.n; at++)
		;
	ab->e = xgrowarray(ab->e, ab->n, sizeof(struct entry));
	memmove(&ab->e[at + 1], &ab->e[at], (ab->n - at) * sizeof(struct entry));
	ab->e[at] = e;
	ab->n++;
	return 0;
}

/* The entry whose short form starts at words[i], or NULL. */
static const struct entry *
match_at(const struct abbrev *ab, const struct words *ws, size_t i)
{
	for (size_t k = 0; ab && k < ab->n; k++) {
		const struct entry *e = &ab->e[k];
		size_t j;

		if (e->from.n > ws->n - i)
			continue;
		for (j = 0; j < e->from.n; j++)
			if (strcmp(e->from.w[j], ws->w[i + j]) != 0)
				break;
		if (j == e->from.n)
			return e;
	}
	return NULL;
}

char *
abbrev_key(const struct abbrev *ab, const char *name)
{
	struct words ws = { 0 };
	struct buf b;
	char *r;

	if (!words_of(name, &ws))
		return NULL;
	buf_init(&b, 4 * strlen(name) + 64);
	for (size_t i = 0; i < ws.n;) {
		const struct entry *e = match_at(ab, &ws, i);
		const struct words *out = e ? &e->to : NULL;

		if (!out) {
			if (b.len)
				(void)buf_addc(&b, ' ');
			(void)buf_adds(&b, ws.w[i++]);
			continue;
		}
		for (size_t j = 0; j < out->n; j++) {
			if (b.len)
				(void)buf_addc(&b, ' ');
			(void)buf_adds(&b, out->w[j]);
		}
		i += e->from.n;
	}
	r = buf_detach(&b);
	buf_release(&b);
	words_release(&ws);
	return r;
}

/* --- the file ---------------------------------------------------------- */

struct parser {
	struct inifile in;
	const char *path;
	struct abbrev *ab;
	bool in_section;	/* the last section line was [abbreviations] */
	char *err;		/* the first error, "path:line: what" */
	int r;
};

static void
fail_at(void *owner, int line, int r, char *what)
{
	struct parser *p = owner;

	if (p->err) {
		free(what);
		return;
	}
	p->err = xasprintf("%s:%d: %s", p->path, line, what);
	free(what);
	p->r = r;
}

static bool
failed(void *owner)
{
	return ((struct parser *)owner)->err != NULL;
}

/*
 * Looks at each line before inih: an unknown section, even an empty one,
 * and an indented line (inih would glue it to the value above) are
 * mistakes inih does not report.
 */
static void
check_line(void *owner, const char *s)
{
	struct parser *p = owner;
	const char *start = s, *end;

	if (p->in.line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		start = s += 3;
	while (*start == ' ' || *start == '\t' || *start == '\r')
		start++;
	if (*start == '\0' || *start == '\n' || *start == ';' || *start == '#')
		return;
	if (start > s) {
		fail_at(p, p->in.line, -EINVAL, xasprintf("indented line (a value cannot span "
							  "lines); remove the indentation"));
		return;
	}
	if (*start != '[' || !(end = strchr(start + 1, ']')))
		return;
	p->in_section = (size_t)(end - start - 1) == strlen(SECTION) &&
			strncmp(start + 1, SECTION, strlen(SECTION)) == 0;
	if (!p->in_section)
		fail_at(p, p->in.line, -EINVAL, xasprintf("unknown section '%.*s' (the file has "
							  "one section, [" SECTION "])",
							  (int)(end - start + 1), start));
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	int r;

	if (strcmp(section, SECTION) != 0) {
		fail_at(p, p->in.line, -EINVAL, xasprintf("'%s' is outside the [" SECTION "] "
							  "section", name));
		return 0;
	}
	if (strlen(name) > KEY_MAX || strlen(value) > KEY_MAX) {
		fail_at(p, p->in.line, -EINVAL, xasprintf("line longer than %d bytes", KEY_MAX));
		return 0;
	}
	if (!norm_is_utf8(name, strlen(name), NULL) || !norm_is_utf8(value, strlen(value), NULL)) {
		fail_at(p, p->in.line, -EINVAL, xasprintf("not valid UTF-8: save the file as UTF-8"));
		return 0;
	}
	r = abbrev_add(p->ab, name, value);
	if (r == -EEXIST)
		fail_at(p, p->in.line, r, xasprintf("'%s' is given twice", name));
	else if (r == -E2BIG)
		fail_at(p, p->in.line, r, xasprintf("more than %d abbreviations", ABBREV_MAX));
	else if (r < 0)
		fail_at(p, p->in.line, r, xasprintf("'%s = %s' is not an abbreviation: write "
						    "'SHORT = LONG', two different names with letters",
						    name, value));
	return r == 0;
}

int
abbrev_load(const char *path, struct abbrev **ret, char **reterr_msg)
{
	struct parser p = { .path = path, .r = 0 };
	int line, r;

	/* "e": O_CLOEXEC, so the descriptor never leaks into a child. */
	p.in.f = fopen(path, "re");
	if (!p.in.f) {
		r = -errno;
		*reterr_msg = xasprintf("%s: cannot open: %s", path, strerror(-r));
		return r;
	}
	p.ab = abbrev_new();
	p.in.owner = &p;
	p.in.check = check_line;
	p.in.fail = fail_at;
	p.in.failed = failed;
	line = inifile_parse(&p.in, handler, &p);
	if (line > 0 && !p.err)
		fail_at(&p, line, -EINVAL, xasprintf("syntax error: expected '[" SECTION "]' or "
						     "'SHORT = LONG'"));
	else if (line < 0 && !p.err)
		fail_at(&p, 0, -ENOMEM, xasprintf("cannot parse (libinih error %d)", line));
	(void)fclose(p.in.f);
	if (p.err) {
		*reterr_msg = p.err;
		abbrev_free(p.ab);
		return p.r < 0 ? p.r : -EINVAL;
	}
	*ret = p.ab;
	return 0;
}
