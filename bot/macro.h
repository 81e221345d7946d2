/* SPDX-License-Identifier: MIT */
/*
 * Small macros shared by every module: array length, unused markers and
 * the printf-format attribute.  Nothing here allocates or logs.
 */
#ifndef DONDOC_MACRO_H
#define DONDOC_MACRO_H

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
/* A macro's value as a string literal (a number spliced into SQL text). */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* True when the two NUL-terminated strings are equal; NULL equals NULL. */
#define STREQ(a, b) (((a) == NULL && (b) == NULL) || \
                     ((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0))

#endif
