/* SPDX-License-Identifier: MIT */
/*
 * Mustache templates over Jansson values (DESIGN §6, §9): variables,
 * {{{ }}} and {{& }}, sections over lists, objects and truthiness,
 * inverted sections, comments, partials, dotted names, the implicit
 * iterator and set delimiters, as the official Mustache spec says
 * (lambdas and the optional "~" modules are not supported).
 *
 * A template is compiled once (syntax errors name the template and line)
 * and rendered many times; the escaping is chosen by the output, not the
 * template: HTML for email HTML, the Telegram HTML subset, or none for
 * plain text and Zalo.  Rendering never fails on data: a missing name
 * renders as nothing, as the spec wants.
 *
 * Where the spec leaves the choice to the implementation: false, null,
 * an empty list, an empty string and a missing name are falsey (so an
 * optional text field can guard its line); 0 and {} are truthy.  Numbers
 * print as JSON writes them (85, 1.21; reals in the fewest digits that
 * read back the same, in the C locale), true and false as words, null as
 * nothing, lists and objects as compact JSON.  A compiled template is
 * read-only while rendering, so threads may share it.
 */
#ifndef DONDOC_TEMPLATE_H
#define DONDOC_TEMPLATE_H

#include <jansson.h>

enum template_escape {
	TEMPLATE_ESCAPE_NONE,		/* plain text, Zalo */
	TEMPLATE_ESCAPE_HTML,		/* & < > " and ' (email HTML; the spec's escaping) */
	TEMPLATE_ESCAPE_TELEGRAM,	/* & < > only: Telegram's HTML parse mode */
	_TEMPLATE_ESCAPE_MAX,
};

struct template;

/*
 * Compiles text (copied; nothing is borrowed).  name is used in error
 * messages, "NAME:LINE: message" with a 1-based line, as in
 * "vi/reminder.html:12: unclosed section 'tasks'".  Returns 0 with a new
 * template (free with template_free), or -EINVAL with a new English
 * message in *reterr_msg when reterr_msg is not NULL (free it): unclosed
 * tag, unclosed section, closing tag that matches no open section, bad
 * delimiter change, empty or bad tag name, sections nested deeper than 64.
 */
int template_compile(const char *name, const char *text, struct template **ret,
		     char **reterr_msg);
/* Frees t; NULL-safe; returns NULL. */
struct template *template_free(struct template *t);
/* The name t was compiled with (borrowed, t's). */
const char *template_name(const struct template *t);
/*
 * Calls fn with the name and 1-based line of each partial tag of t, in
 * order (sections included, whatever the data), so that a loader can
 * check they all exist.  Stops at and returns fn's first negative value;
 * else 0.
 */
int template_each_partial(const struct template *t,
			  int (*fn)(const char *name, unsigned line, void *userdata),
			  void *userdata);

/*
 * Finds the partial called name for a render; returns a borrowed
 * template, or NULL for none (a missing partial renders as nothing).
 */
typedef const struct template *(*template_partial_fn)(const char *name, void *userdata);

/*
 * Renders t with data (the root context; any JSON value, or NULL for
 * none; borrowed) into a new NUL-terminated string in *ret (free it).
 * partial may be NULL; it is asked at each use of a partial tag.
 * Returns 0; -ENOBUFS when the output would pass max_len bytes (a guard
 * against huge data or runaway recursion); -ELOOP when partials nest
 * deeper than 64 (a partial that includes itself whatever the data);
 * -EINVAL for an unknown esc.  *ret is written only on success.
 */
int template_render(const struct template *t, const json_t *data, enum template_escape esc,
		    template_partial_fn partial, void *userdata, size_t max_len, char **ret);

/* Escapes s as esc does, into a new string (free it); NULL for NULL. */
char *template_escape(const char *s, enum template_escape esc);

#endif
