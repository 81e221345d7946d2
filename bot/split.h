/* SPDX-License-Identifier: MIT */
/*
 * One splitter for every chat channel (DESIGN §6, invariant 11): a text
 * longer than a channel takes (Telegram's 4096 UTF-16 units, Zalo's 2000
 * characters) is cut into parts that each fit, between items (blank
 * lines) where it can, else between lines, else between words, else
 * between characters; never inside a UTF-8 character, a tag or an
 * entity.  Markup stays valid: a tag open at a cut is closed at the end of
 * its part and opened again at the start of the next.  Linear in the
 * length of the text.
 */
#ifndef DONDOC_SPLIT_H
#define DONDOC_SPLIT_H

#include <stddef.h>

/* What a channel's size limit counts. */
enum split_unit {
	SPLIT_UTF16,		/* UTF-16 code units (Telegram) */
	SPLIT_CODEPOINTS,	/* Unicode code points of the NFC text (Zalo) */
	_SPLIT_UNIT_MAX,
};

/* The markup of the text, kept valid in every part. */
enum split_markup {
	SPLIT_PLAIN,		/* none: any byte is text */
	SPLIT_HTML,		/* Telegram's HTML subset: tags and &entities; */
	_SPLIT_MARKUP_MAX,
};

/* The length of s[0..n) in unit. */
size_t split_measure(const char *s, size_t n, enum split_unit unit);
/*
 * Cuts text[0..n) into parts of at most max units each (the closing and
 * reopening tags counted, as the raw markup is: never more than the
 * channel counts).  0 with *ret_parts a new array of *ret_n new strings
 * (one, a copy, when it fits), or -EINVAL when max is too small to hold
 * the tags open at a cut and one character.
 *
 * What the parts show, one after the other, is what the text shows, less
 * white space (space, tab, CR, LF) at the cuts: each part starts and ends
 * without it (but for white space that tags hold in), and a tail that
 * shows nothing (white space and tags) is not a part of its own; so
 * *ret_n is 0 for a text over max that shows nothing at all.
 */
int split_text(const char *text, size_t n, size_t max, enum split_unit unit,
	       enum split_markup markup, char ***ret_parts, size_t *ret_n);
/* Frees what split_text made; NULL-safe. */
void split_free(char **parts, size_t n);

#endif
