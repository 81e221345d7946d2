/* SPDX-License-Identifier: MIT */
/*
 * Normalisation, folding and display width on utf8proc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "fold-table.h"
#include "macro.h"
#include "norm.h"
#include "xalloc.h"

#define NORM_MAX ((size_t)1 << 30)	/* no single text is larger than this */

bool
norm_is_utf8(const char *s, size_t n, size_t *ret_offset)
{
	size_t i = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
				     (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || cp == 0) {
			if (ret_offset)
				*ret_offset = i;
			return false;
		}
		i += (size_t)k;
	}
	return true;
}

/* Runs utf8proc_map; NULL on invalid input, abort on out-of-memory. */
static char *
map(const char *s, utf8proc_option_t options)
{
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t n;

	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | options);
	if (n == UTF8PROC_ERROR_NOMEM) {
		/* Keep STYLE rule 9: out of memory ends the process. */
		abort();
	}
	if (n < 0)
		return NULL;
	return (char *)out;
}

static bool
is_space(utf8proc_int32_t cp)
{
	if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == 0xA0 || cp == 0x202F || cp == 0xFEFF)
		return true;
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* Footnote marks that trail a cell: superscript digits and asterisks. */
static bool
is_footnote(utf8proc_int32_t cp)
{
	return cp == 0xB9 || cp == 0xB2 || cp == 0xB3 || cp == '*' ||
	       (cp >= 0x2070 && cp <= 0x2079);
}

static bool
is_trailing_punct(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	if (is_footnote(cp))
		return true;
	/*
	 * Closing brackets and quotes are kept: they pair with an opening one.
	 * Quotes are lumped to ASCII '"' and '\'' before we get here, and
	 * those are "other punctuation" (Po), so they are named explicitly.
	 */
	if (cp == '"' || cp == '\'')
		return false;
	return c == UTF8PROC_CATEGORY_PO || c == UTF8PROC_CATEGORY_PD;
}

/*
 * Rebuilds s with white space collapsed and trimmed; when key is set also
 * maps "đ" to "d" and drops trailing punctuation.
 */
static char *
tidy(const char *s, bool key)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t n = strlen(s), i = 0, keep = 0;
	bool pending_space = false;
	struct buf b;

	buf_init(&b, NORM_MAX);
	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		if (p[i] < 0x80) {
			/* ASCII, most of every table: no property look-up needed. */
			char c = (char)p[i++];

			if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
				pending_space = b.len > 0;
				continue;
			}
			if ((unsigned char)c < 0x20 || c == 0x7f)
				continue;
			if (pending_space)
				(void)buf_addc(&b, ' ');
			pending_space = false;
			(void)buf_addc(&b, c);
			if (!key || !strchr("!#%&*,./:;?@\\-", c))
				keep = b.len;
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0)
			break;	/* cannot happen: s was checked or came out of utf8proc */
		i += (size_t)k;
		if (is_space(cp)) {
			pending_space = b.len > 0;
			continue;
		}
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC ||
		    utf8proc_category(cp) == UTF8PROC_CATEGORY_CF)
			continue;
		if (pending_space)
			(void)buf_addc(&b, ' ');
		pending_space = false;
		if (key && (cp == 0x111 || cp == 0x110))
			cp = 'd';
		if (key && (utf8proc_category(cp) == UTF8PROC_CATEGORY_PI ||
			    utf8proc_category(cp) == UTF8PROC_CATEGORY_PF))
			cp = cp == 0x2018 || cp == 0x2019 ? '\'' : '"';
		{
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);

			(void)buf_add(&b, enc, (size_t)m);
		}
		if (!key || !is_trailing_punct(cp))
			keep = b.len;
	}
	if (key) {
		buf_truncate(&b, keep);
		/* Dropping punctuation may leave a space at the end. */
		while (b.len > 0 && b.p[b.len - 1] == ' ')
			buf_truncate(&b, b.len - 1);
	}
	{
		char *r = buf_detach(&b);

		buf_release(&b);
		return r;
	}
}

/*
 * True when every character of s is one whose NFC form is itself and that
 * never combines with a neighbour: ASCII and Latin-1, Latin Extended-A and
 * -B (Ơ, Ư), Latin Extended Additional (the precomposed Vietnamese letters
 * Ạ..ỹ) and general punctuation other than the two quads.  Text pasted from
 * Word is almost always like this, and skipping utf8proc's decompose and
 * recompose pass for it halves the cost of an import.  Any combining mark
 * (an NFD table) sends the text through the full path.
 */
static bool
is_plain_nfc(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;

	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		if (*p < 0x80) {
			p++;
			continue;
		}
		k = utf8proc_iterate(p, -1, &cp);
		if (k <= 0)
			return false;
		p += k;
		if (cp < 0x0300 || (cp >= 0x1E00 && cp <= 0x1EFF) ||
		    (cp >= 0x2002 && cp <= 0x206F))
			continue;
		return false;
	}
	return true;
}

char *
norm_text(const char *s)
{
	char *nfc, *r;

	if (!norm_is_utf8(s, strlen(s), NULL))
		return NULL;
	if (is_plain_nfc(s))
		return tidy(s, false);
	nfc = map(s, UTF8PROC_COMPOSE);
	if (!nfc)
		return NULL;
	r = tidy(nfc, false);
	free(nfc);
	return r;
}

/* The folded letter of cp from fold-table.h, or 0 when not covered. */
static char
fold_fast(utf8proc_int32_t cp)
{
	if (cp >= FOLD_LATIN_FIRST && cp <= FOLD_LATIN_LAST)
		return fold_latin[cp - FOLD_LATIN_FIRST];
	if (cp >= FOLD_LATIN_ADDITIONAL_FIRST && cp <= FOLD_LATIN_ADDITIONAL_LAST)
		return fold_latin_additional[cp - FOLD_LATIN_ADDITIONAL_FIRST];
	return 0;
}

/*
 * Folds s by table when every character is ASCII or a precomposed Latin
 * letter the table covers (all of Vietnamese); NULL when some character
 * needs utf8proc.  The key is what utf8proc's path gives, only cheaper:
 * this runs for every cell of every imported row.
 */
static char *
key_fast(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t n = strlen(s), i = 0;
	char *out = xmalloc(n + 1), *o = out;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;
		char c;

		if (p[i] < 0x80) {
			c = (char)p[i++];
			*o++ = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0 || (c = fold_fast(cp)) == '0' || c == 0) {
			free(out);
			return NULL;
		}
		i += (size_t)k;
		*o++ = c;
	}
	*o = '\0';
	return out;
}

char *
norm_key(const char *s)
{
	char *folded, *r;

	if (!norm_is_utf8(s, strlen(s), NULL))
		return NULL;
	folded = key_fast(s);
	if (folded) {
		r = tidy(folded, true);
		free(folded);
		return r;
	}
	/* Marks are stripped, so there is nothing to recompose: decompose only. */
	folded = map(s, UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD |
			 UTF8PROC_STRIPMARK | UTF8PROC_LUMP);
	if (!folded)
		return NULL;
	r = tidy(folded, true);
	free(folded);
	return r;
}

size_t
norm_char(const char *s, size_t n, int32_t *ret_cp)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
					      (utf8proc_ssize_t)MIN(n, (size_t)4), &cp);

	if (k <= 0) {
		*ret_cp = 0xFFFD;
		return 1;
	}
	*ret_cp = cp;
	return (size_t)k;
}

bool
norm_is_control(int32_t cp)
{
	return (cp >= 0 && cp < 0x20) || (cp >= 0x7F && cp < 0xA0);
}

size_t
norm_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t n = strlen(s), i = 0, w = 0;

	while (i < n) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);

		if (k <= 0) {
			i++;
			w++;
			continue;
		}
		i += (size_t)k;
		w += (size_t)utf8proc_charwidth(cp);
	}
	return w;
}

char *
norm_truncate(const char *s, size_t width)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t n = strlen(s), i = 0, w = 0, cut = 0;

	if (norm_width(s) <= width)
		return xstrdup(s);
	/* Not even the ellipsis fits in zero columns. */
	if (width == 0)
		return xstrdup("");
	while (i < n && width > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
		size_t cw;

		if (k <= 0)
			break;
		cw = (size_t)utf8proc_charwidth(cp);
		if (w + cw > width - 1)	/* keep a column for the ellipsis */
			break;
		w += cw;
		i += (size_t)k;
		cut = i;
	}
	return xasprintf("%.*s\xe2\x80\xa6", (int)cut, s);
}

char *
norm_capitalize(const char *s)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;
	utf8proc_uint8_t enc[4];
	utf8proc_ssize_t m;

	k = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
	if (k <= 0)
		return xstrdup(s);
	m = utf8proc_encode_char(utf8proc_toupper(cp), enc);
	return xasprintf("%.*s%s", (int)m, (const char *)enc, s + k);
}
