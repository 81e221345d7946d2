/* SPDX-License-Identifier: MIT */
/*
 * INI files through libinih, the only module that includes <ini.h>: the
 * configuration (config.c) and the reminder policy (schedule.c) read
 * their files through here.
 *
 * Debian's libinih is built without line numbers for the handler, and
 * would split a line too long for its buffer into two lines and cut a
 * value at a NUL byte.  So lines are fed to inih one whole line at a time
 * by our own reader, which counts them (the handler always sees the line
 * last read), refuses over-long lines and NUL bytes, and lets the owner
 * look at each line first (inih never tells about unknown empty sections
 * or indented continuation lines).
 */
#ifndef DONDOC_INIFILE_H
#define DONDOC_INIFILE_H

#include <stdbool.h>
#include <stdio.h>

/* inih's handler: non-zero to go on (the same signature as ini_handler). */
typedef int (*inifile_handler)(void *user, const char *section, const char *name,
			       const char *value);

struct inifile {
	FILE *f;		/* the open file */
	int line;		/* 1-based number of the line last read */
	void *owner;		/* given back to the callbacks */
	/* Looks at a line before inih does (may be NULL); records errors through fail. */
	void (*check)(void *owner, const char *line);
	/* Records an error at line, taking ownership of what. */
	void (*fail)(void *owner, int line, int r, char *what);
	/* True once the owner has recorded an error: reading stops there. */
	bool (*failed)(void *owner);
};

/*
 * Parses in->f, calling handler(user, ...) for each key.  Returns what
 * inih returns: 0, the number of the first line it could not parse (the
 * owner's first error may come earlier), or < 0 for inih's own failure.
 */
int inifile_parse(struct inifile *in, inifile_handler handler, void *user);

#endif
