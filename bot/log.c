/* SPDX-License-Identifier: MIT */
/*
 * Log lines to stderr, with journald priority prefixes under systemd.
 * The level and ident are the only globals this module keeps (STYLE
 * rule 11 allows the log level).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

static enum log_level log_max = LOG_LEVEL_INFO;
static const char *log_ident = "dondoc";

void
log_set_level(enum log_level level)
{
	log_max = level;
}

void
log_set_ident(const char *ident)
{
	log_ident = ident;
}

/* Under systemd, stderr goes to the journal, and a line says its own level. */
static bool
log_on_journal(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("JOURNAL_STREAM") != NULL;
	return on;
}

/*
 * A line is made whole, then written with one write(2): lines of threads
 * logging at once never mix, and a line costs one system call.  A line
 * longer than LOG_LINE_MAX is cut, and says so.
 */
#define LOG_LINE_MAX 2048

static void
vlog(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	int saved = errno;
	static const char *const names[] = {
		[LOG_LEVEL_ERROR] = "error",
		[LOG_LEVEL_WARNING] = "warning",
		[LOG_LEVEL_INFO] = NULL,
		[LOG_LEVEL_DEBUG] = "debug",
	};
	char line[LOG_LINE_MAX];
	size_t n = 0;
	int k;

	if (level > log_max)
		goto out;
	if (log_on_journal())
		k = snprintf(line, sizeof(line), "<%d>", (int)level);
	else if (names[level])
		k = snprintf(line, sizeof(line), "%s: %s: ", log_ident, names[level]);
	else
		k = snprintf(line, sizeof(line), "%s: ", log_ident);
	n = k > 0 ? MIN((size_t)k, sizeof(line) - 1) : 0;
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = k > 0 ? MIN(n + (size_t)k, sizeof(line) - 1) : n;
	if (errnum) {
		k = snprintf(line + n, sizeof(line) - n, ": %s", strerror(errnum));
		n = k > 0 ? MIN(n + (size_t)k, sizeof(line) - 1) : n;
	}
	if (n >= sizeof(line) - 2) {
		static const char cut[] = " [...]";

		n = sizeof(line) - sizeof(cut) - 1;
		/* Not inside a UTF-8 character. */
		while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
			n--;
		memcpy(line + n, cut, sizeof(cut) - 1);
		n += sizeof(cut) - 1;
	}
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
out:
	errno = saved;
}

#define LOG_BODY(level, errnum)              \
	do {                                 \
		va_list ap;                  \
		va_start(ap, fmt);           \
		vlog(level, errnum, fmt, ap); \
		va_end(ap);                  \
	} while (0)

void log_errorx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_ERROR, 0); }
void log_warn(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARNING, errno); }
void log_warnx(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_WARNING, 0); }
void log_info(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_INFO, 0); }
void log_debug(const char *fmt, ...) { LOG_BODY(LOG_LEVEL_DEBUG, 0); }

int
log_error_errno(int r, const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERROR, r < 0 ? -r : r);
	return r;
}

int
log_warn_errno(int r, const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARNING, r < 0 ? -r : r);
	return r;
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERROR, errno);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERROR, 0);
	exit(1);
}
