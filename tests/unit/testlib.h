/* SPDX-License-Identifier: MIT */
/*
 * Common header of the cmocka unit tests: the four system headers cmocka
 * needs, in the order it needs them, then cmocka, then a helper to find
 * ../shared (tests that read it skip with a message when it is absent),
 * and the file helpers the tests share: a whole temporary tree removed,
 * a file written or read back whole, the files of a folder counted.
 * Every helper fails the calling test on error unless it says otherwise.
 */
#ifndef DONDOC_TESTLIB_H
#define DONDOC_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "date.h"
#include "xalloc.h"

/*
 * The day schedules are loaded for (RRULE occurrences are known from a
 * year before it to three years after): the tests' dates are 2025-2027.
 */
#define TESTLIB_TODAY ((struct date){ 2026, 1, 1 })

/* The shared/ folder: $DONDOC_SHARED, else ../shared from the repo root. */
static inline const char *
testlib_shared(void)
{
	const char *s = getenv("DONDOC_SHARED");

	if (s && *s)
		return access(s, R_OK) == 0 ? s : NULL;
	return access("../shared", R_OK) == 0 ? "../shared" : NULL;
}

static inline int
testlib_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	/* Put back what a test of unreadable files took away, or rmdir fails. */
	(void)chmod(path, 0700);
	return remove(path);
}

/* Removes dir and all below it, links not followed; 0, or -1 (for teardowns). */
static inline int
testlib_rmtree(const char *dir)
{
	return nftw(dir, testlib_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* Writes len bytes of text to path, replacing it. */
static inline void
testlib_write_bytes(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static inline void
testlib_write(const char *path, const char *text)
{
	testlib_write_bytes(path, text, strlen(text));
}

/* The whole file as a new NUL-terminated string, or NULL when it cannot be read. */
static inline char *
testlib_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		p = calloc(1, (size_t)n + 1);
		if (p && fread(p, 1, (size_t)n, fp) != (size_t)n) {
			free(p);
			p = NULL;
		}
	}
	fclose(fp);
	return p;
}

/*
 * The entries of dir whose name ends with suffix ("" for all), dot-files
 * (such as half-written temporary files) only when dotfiles; -1 when dir
 * cannot be opened.
 */
static inline int
testlib_count_files(const char *dir, const char *suffix, int dotfiles)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t ls = strlen(suffix);
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && !dotfiles)
			continue;
		if (l >= ls && strcmp(e->d_name + l - ls, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * The store's tests run on each backend (STYLE rule 21): on SQLite, and
 * again on PostgreSQL when $DONDOC_TEST_PG names a server
 * (postgresql://user@host:port, tests/pg.sh), as tests/check.sh does.
 */
static inline const char *
testlib_pg(void)
{
	const char *s = getenv("DONDOC_TEST_PG");

	return s && *s ? s : NULL;
}

/* PostgreSQL's notices (a DROP's cascade) are not the test's output. */
static inline void
testlib_pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql on database db of the test server; fails the test on error. */
static inline void
testlib_pg_exec(const char *db, const char *sql)
{
	char uri[512];
	PGconn *c;
	PGresult *res;

	snprintf(uri, sizeof(uri), "%s/%s", testlib_pg(), db);
	c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("PostgreSQL at %s: %s", uri, PQerrorMessage(c));
	PQsetNoticeProcessor(c, testlib_pg_quiet, NULL);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("PostgreSQL: %s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(c);
}

/*
 * Where a test's registry goes, into where (size bytes): the file dir/name
 * on SQLite; on PostgreSQL the database of this process (one a test
 * program, made on its first call), emptied.  A test that needs two
 * registries at once is SQLite's alone (testlib_sqlite_only).
 */
static inline void
testlib_store_where(char *where, size_t size, const char *dir, const char *name)
{
	static int made;
	char db[64];

	if (!testlib_pg()) {
		snprintf(where, size, "%s/%s", dir, name);
		return;
	}
	snprintf(db, sizeof(db), "dondoc_t%ld", (long)getpid());
	if (!made) {
		char sql[128];

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
		testlib_pg_exec("postgres", sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
		testlib_pg_exec("postgres", sql);
		made = 1;
	}
	testlib_pg_exec(db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	snprintf(where, size, "%s/%s", testlib_pg(), db);
}

/* Skips the calling test on PostgreSQL: it is about SQLite's files. */
#define testlib_sqlite_only() \
	do { \
		if (testlib_pg()) \
			skip(); \
	} while (0)

/* Whether where names a registry on PostgreSQL. */
static inline int
testlib_is_pg(const char *where)
{
	return strncmp(where, "postgresql://", 13) == 0;
}

/*
 * Runs sql on the registry where from a connection of its own, behind the
 * store's back, as someone with the database would: 0, or -1 when the
 * database refused it.  The first column of the last row, when ret (a new
 * string, NULL for NULL or no row).
 */
static inline int
testlib_sql_try(const char *where, const char *sql, char **ret)
{
	int r = 0;

	if (ret)
		*ret = NULL;
	if (testlib_is_pg(where)) {
		PGconn *c = PQconnectdb(where);
		PGresult *res;

		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("PostgreSQL at %s: %s", where, PQerrorMessage(c));
		PQsetNoticeProcessor(c, testlib_pg_quiet, NULL);
		res = PQexec(c, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			if (ret && PQntuples(res) > 0 && !PQgetisnull(res, PQntuples(res) - 1, 0))
				*ret = xstrdup(PQgetvalue(res, PQntuples(res) - 1, 0));
		} else if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			r = -1;
		}
		PQclear(res);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_stmt *st = NULL;
		const char *tail = sql;

		assert_int_equal(sqlite3_open(where, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 2000);
		while (r == 0 && tail && *tail) {
			int rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);

			if (rc != SQLITE_OK) {
				r = -1;
				break;
			}
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				if (ret) {
					free(*ret);
					*ret = sqlite3_column_type(st, 0) == SQLITE_NULL ? NULL :
						xstrdup((const char *)sqlite3_column_text(st, 0));
				}
			if (rc != SQLITE_DONE)
				r = -1;
			sqlite3_finalize(st);
			st = NULL;
		}
		sqlite3_close(db);
	}
	return r;
}

/* testlib_sql_try, failing the test when refused. */
static inline void
testlib_sql(const char *where, const char *sql)
{
	if (testlib_sql_try(where, sql, NULL) < 0)
		fail_msg("refused: %s", sql);
}

/* The integer sql's first column gives, read as testlib_sql_try reads it. */
static inline long long
testlib_sql_int(const char *where, const char *sql)
{
	char *v = NULL;
	long long n;

	if (testlib_sql_try(where, sql, &v) < 0)
		fail_msg("refused: %s", sql);
	n = v ? strtoll(v, NULL, 10) : 0;
	free(v);
	return n;
}

/* Another process holding the registry's write lock (testlib_lock), until testlib_unlock. */
static sqlite3 *testlib_lock_sqlite;
static PGconn *testlib_lock_pg;

static inline void
testlib_lock(const char *where)
{
	if (testlib_is_pg(where)) {
		PGresult *res;

		testlib_lock_pg = PQconnectdb(where);
		assert_int_equal(PQstatus(testlib_lock_pg), CONNECTION_OK);
		/* What a writer takes first (store_pg.c). */
		res = PQexec(testlib_lock_pg, "BEGIN; SELECT 1 FROM event_head WHERE id = 1 FOR UPDATE");
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		PQclear(res);
	} else {
		assert_int_equal(sqlite3_open(where, &testlib_lock_sqlite), SQLITE_OK);
		assert_int_equal(sqlite3_exec(testlib_lock_sqlite, "BEGIN IMMEDIATE", NULL, NULL, NULL),
				 SQLITE_OK);
	}
}

static inline void
testlib_unlock(void)
{
	if (testlib_lock_pg) {
		PQclear(PQexec(testlib_lock_pg, "ROLLBACK"));
		PQfinish(testlib_lock_pg);
		testlib_lock_pg = NULL;
	}
	if (testlib_lock_sqlite) {
		(void)sqlite3_exec(testlib_lock_sqlite, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(testlib_lock_sqlite);
		testlib_lock_sqlite = NULL;
	}
}

#endif
