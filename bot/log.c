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

#include "log.h"

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

static bool
log_on_journal(void)
{
	return getenv("JOURNAL_STREAM") != NULL;
}

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

	if (level > log_max)
		goto out;
	if (log_on_journal())
		fprintf(stderr, "<%d>", (int)level);
	else if (names[level])
		fprintf(stderr, "%s: %s: ", log_ident, names[level]);
	else
		fprintf(stderr, "%s: ", log_ident);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
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
