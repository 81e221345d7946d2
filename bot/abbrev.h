/* SPDX-License-Identifier: MIT */
/*
 * The abbreviations of agency names (UBND for Ủy ban nhân dân, KH&CN for
 * Khoa học và Công nghệ...), read from an editable file
 * (schedules/abbreviations.ini, [general] abbreviations in dondoc.conf),
 * so that "UBND tỉnh" and "Ủy ban nhân dân tỉnh" are matched as one name.
 *
 * Matching works on keys: norm_key()'s folded words, with every short
 * form replaced by its long form, so both spellings give
 * "uy ban nhan dan tinh".  Pure once loaded: no store, no logging.
 */
#ifndef DONDOC_ABBREV_H
#define DONDOC_ABBREV_H

#include <stddef.h>

struct abbrev;

#define ABBREV_MAX 1000		/* entries of one file; a real table has a few dozen */
#define ABBREV_FILE "abbreviations.ini"	/* its name in the schedules directory */

/* A new empty table (free with abbrev_free). */
struct abbrev *abbrev_new(void);
/* Frees ab; NULL-safe; returns NULL. */
struct abbrev *abbrev_free(struct abbrev *ab);

/*
 * Adds "short_form stands for long_form".  0, or -EINVAL (no letters in
 * one of them, or both the same once folded), -EEXIST (short_form is
 * already in the table), -E2BIG (ABBREV_MAX entries already).
 */
int abbrev_add(struct abbrev *ab, const char *short_form, const char *long_form);
/* How many entries ab holds. */
size_t abbrev_count(const struct abbrev *ab);

/*
 * Reads the [abbreviations] section of the INI file at path ("KH&CN =
 * Khoa học và Công nghệ", one a line).  0 with a new table in *ret, or
 * -errno with a new English message "PATH:LINE: what" (or "PATH: cannot
 * open: why") in *reterr_msg.
 */
int abbrev_load(const char *path, struct abbrev **ret, char **reterr_msg);

/*
 * The matching key of name (a new string): norm_key(name) cut into words
 * (letters, digits and '&'; "KH & CN" is "kh&cn"), every run of words
 * that is a short form replaced by its long form's words, joined by one
 * space.  ab may be NULL (no abbreviations).  NULL when name is not UTF-8.
 */
char *abbrev_key(const struct abbrev *ab, const char *name);

#endif
