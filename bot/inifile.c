/* SPDX-License-Identifier: MIT */
/*
 * Whole-line reading for libinih; see inifile.h.
 */
#include <errno.h>
#include <string.h>
#include <ini.h>

#include "inifile.h"
#include "xalloc.h"

/*
 * An fgets() for inih.  Returning NULL ends the parse, which is how the
 * first error stops it.
 */
static char *
reader(char *s, int num, void *stream)
{
	struct inifile *in = stream;
	bool too_long = false, nul = false;
	size_t n = 0, max;
	int ch;

	if (in->failed(in->owner) || num < 3)
		return NULL;
	max = (size_t)num - 2;	/* room for '\n' and '\0' */
	while ((ch = getc(in->f)) != EOF && ch != '\n') {
		if (ch == '\0')
			nul = true;
		if (n < max)
			s[n++] = (char)ch;
		else
			too_long = true;
	}
	if (ch == EOF && ferror(in->f)) {
		in->fail(in->owner, in->line + 1, -EIO, xasprintf("cannot read: %s", strerror(errno)));
		return NULL;
	}
	if (ch == EOF && n == 0 && !too_long)
		return NULL;
	in->line++;
	s[n++] = '\n';
	s[n] = '\0';
	if (too_long)
		in->fail(in->owner, in->line, -EINVAL, xasprintf("line longer than %zu bytes", max));
	else if (nul)
		in->fail(in->owner, in->line, -EINVAL, xasprintf("NUL byte in line"));
	else if (in->check)
		in->check(in->owner, s);
	return in->failed(in->owner) ? NULL : s;
}

int
inifile_parse(struct inifile *in, inifile_handler handler, void *user)
{
	return ini_parse_stream(reader, in, handler, user);
}
