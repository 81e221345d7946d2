/* SPDX-License-Identifier: MIT */
/*
 * Unicode text handling on utf8proc: validation, the NFC form we store,
 * and the folded "key" form we match on.  Officials' tables mix NFC and
 * NFD, upper and lower case, with or without diacritics, with trailing
 * dots; norm_key() makes all of those compare equal (DESIGN §2-3).
 *
 * Every returned string is new: free it with free().
 */
#ifndef DONDOC_NORM_H
#define DONDOC_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when the n bytes at s are valid UTF-8 with no NUL.  On false,
 * *ret_offset (if not NULL) is the offset of the first bad byte.
 */
bool norm_is_utf8(const char *s, size_t n, size_t *ret_offset);

/*
 * Reads the character at s, of which n > 0 bytes are left, into *ret_cp
 * and returns its length in bytes.  A byte that does not begin valid
 * UTF-8 (text from outside: a header, a cell) reads as U+FFFD of length
 * 1, so that a loop over any bytes always moves on.
 */
size_t norm_char(const char *s, size_t n, int32_t *ret_cp);

/*
 * True for a control character, one a terminal may act on: C0 (tab and
 * newline too), DEL and C1.  Text from outside shown to an operator or
 * written to a file drops these or shows U+FFFD instead.
 */
bool norm_is_control(int32_t cp);

/*
 * Returns a new NFC copy of s with control characters removed, every run
 * of white space (including no-break space) made one space, and both ends
 * trimmed: the form in which text is stored.  NULL when s is not UTF-8.
 */
char *norm_text(const char *s);

/*
 * Returns the matching key of s: NFC, case-folded, without diacritics
 * ("đ" becomes "d"), with quotes and dashes lumped to ASCII, white space
 * collapsed and trailing punctuation and footnote marks removed.  NULL
 * when s is not UTF-8.
 */
char *norm_key(const char *s);

/* Returns a new copy of s with its first letter in upper case ("các sở" gives "Các sở"). */
char *norm_capitalize(const char *s);

/* Display width of s in terminal columns (wide characters count 2). */
size_t norm_width(const char *s);

/*
 * Returns a new copy of s cut to at most width columns on a character
 * boundary, ending in "…" when something was cut.
 */
char *norm_truncate(const char *s, size_t width);

#endif
