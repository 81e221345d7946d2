/* SPDX-License-Identifier: MIT */
/*
 * The chat form as plain text (chatplain.h).  One pass over the text:
 * tags are skipped, entities written as the characters they stand for,
 * and an <a href> remembers where its text began in the output, so that
 * at its </a> the URL can be added when the text does not already say it.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chatplain.h"
#include "macro.h"
#include "xalloc.h"

/* Appends code point cp as UTF-8 (a surrogate or beyond U+10FFFF as U+FFFD). */
static void
add_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x80) {
		(void)buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		(void)buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		(void)buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		(void)buf_add(b, u, 4);
	}
}

/*
 * The entity at p (p[0] == '&') written to b: the bytes it took, or 0
 * when it is none (the '&' is then text).
 */
static size_t
add_entity(struct buf *b, const char *p)
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&amp;", '&' },
		      { "&apos;", '\'' } };
	unsigned long cp = 0;
	const char *q;

	for (size_t k = 0; k < ELEMENTSOF(named); k++)
		if (strncmp(p, named[k].name, strlen(named[k].name)) == 0) {
			(void)buf_addc(b, named[k].c);
			return strlen(named[k].name);
		}
	if (p[1] != '#')
		return 0;
	q = p + 2;
	if (*q == 'x' || *q == 'X') {
		for (q++; strchr("0123456789abcdefABCDEF", *q) && *q && cp <= 0x10ffff; q++)
			cp = cp * 16 + (unsigned long)(*q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10);
		if (q == p + 3)
			return 0;
	} else {
		for (; *q >= '0' && *q <= '9' && cp <= 0x10ffff; q++)
			cp = cp * 10 + (unsigned long)(*q - '0');
		if (q == p + 2)
			return 0;
	}
	if (*q != ';')
		return 0;
	add_utf8(b, cp);
	return (size_t)(q + 1 - p);
}

/* True when p opens a tag: '<', maybe '/', a letter, then a '>' at *ret_gt. */
static bool
is_tag(const char *p, const char **ret_gt)
{
	const char *n = p + 1 + (p[1] == '/');

	if (*p != '<' || !((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z')))
		return false;
	*ret_gt = strchr(n, '>');
	return *ret_gt != NULL;
}

/* The plain text of s[0..n) (entities undone), as a new string: a URL or a link's text. */
static char *
plain_of(const char *s, size_t n)
{
	char *raw = xstrndup(s, n), *r;

	r = chat_plain(raw, false);
	free(raw);
	return r;
}

/*
 * The URL of tag[0..n) (between '<' and '>') when it is an <a href>, as a
 * new string with its entities undone; NULL otherwise.
 */
static char *
href_of(const char *tag, size_t n)
{
	const char *p, *end = tag + n;
	char quote;

	if (n < 2 || (tag[0] != 'a' && tag[0] != 'A') || (tag[1] != ' ' && tag[1] != '\t'))
		return NULL;
	for (p = tag + 2; p + 5 <= end; p++)
		if (strncmp(p, "href=", 5) == 0 && (p[-1] == ' ' || p[-1] == '\t'))
			break;
	if (p + 5 > end)
		return NULL;
	p += 5;
	quote = p < end && (*p == '"' || *p == '\'') ? *p++ : 0;
	for (const char *q = p; q <= end; q++)
		if (q == end || (quote ? *q == quote : *q == ' ' || *q == '\t'))
			return plain_of(p, (size_t)(q - p));
	return NULL;
}

char *
chat_plain(const char *chat, bool link_urls)
{
	struct buf b;
	char *url = NULL;	/* the open link's URL (link_urls) */
	size_t text_at = 0;	/* where its text begins in b */

	buf_init(&b, strlen(chat) * 2 + 16);
	for (const char *p = chat; *p;) {
		const char *gt;
		size_t k;

		if (*p == '&' && (k = add_entity(&b, p)) > 0) {
			p += k;
			continue;
		}
		if (!is_tag(p, &gt)) {
			(void)buf_addc(&b, *p++);
			continue;
		}
		if (link_urls && p[1] == '/' && (p[2] | 0x20) == 'a' && p + 3 == gt && url) {
			/* The link's text is its URL already: once is enough. */
			if (strlen(url) != b.len - text_at || memcmp(b.p + text_at, url, strlen(url)) != 0)
				(void)buf_addf(&b, b.len > text_at ? " (%s)" : "%s", url);
			free(url);
			url = NULL;
		} else if (link_urls && p[1] != '/') {
			char *h = href_of(p + 1, (size_t)(gt - p - 1));

			if (h) {
				free(url);
				url = h;
				text_at = b.len;
			}
		}
		p = gt + 1;
	}
	free(url);
	return buf_detach(&b);
}
