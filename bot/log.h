/* SPDX-License-Identifier: MIT */
/*
 * Logging, in one place (STYLE rule 15).  Lines go to stderr; when stderr
 * is the journal (JOURNAL_STREAM is set) each line starts with its syslog
 * priority as "<N>" so journald files it at the right level.
 *
 * Pairs: the plain name appends ": strerror(errno)", the x-suffixed one
 * does not.  log_error_errno(r, ...) logs with strerror(-r) and returns r,
 * so callers write "return log_error_errno(r, ...)".  fatal()/fatalx() are
 * for main and start-up only.  Messages follow STYLE rule 16: lowercase
 * start, no trailing period, user strings in single quotes.
 */
#ifndef DONDOC_LOG_H
#define DONDOC_LOG_H

#include "macro.h"

enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

/* Sets the highest level printed (default LOG_LEVEL_INFO). */
void log_set_level(enum log_level level);
/* Sets the program name printed before each line when not on the journal. */
void log_set_ident(const char *ident);

void log_errorx(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warnx(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_debug(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Logs at error level with strerror(-r) appended; returns r. */
int log_error_errno(int r, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Logs at warning level with strerror(-r) appended; returns r. */
int log_warn_errno(int r, const char *fmt, ...) PRINTF_LIKE(2, 3);
void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;
void fatalx(const char *fmt, ...) PRINTF_LIKE(1, 2) NORETURN;

#endif
