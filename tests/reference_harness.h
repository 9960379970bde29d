/*
** reference_harness.h: what the tests that hold a function to its plain-SQL reference
** (the files of sql/reference/) share: one in-memory connection with the extension, a table of
** generated rows, the reference's text, and the comparison of two tables row for row.
**
**   static int setup(void **state) { (void)state; return ref_open(generate); }
**   ... CREATE TABLE ref AS <reference>; CREATE TABLE got AS SELECT ... FROM fn(...);
**   same_rows("fn with these options", 8);     // zero differing rows, and at least 8
**
** Header-only and static: each test program includes it once. Tests run from the repository
** root (the references are read from sql/reference/).
*/
#ifndef GROWTH_TEST_REFERENCE_HARNESS_H
#define GROWTH_TEST_REFERENCE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "read_file.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

static sqlite3 *db;

/* The first column of the first row of sql. */
static int64_t scalar(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s\n%s", sqlite3_errmsg(db), sql);
  if (sqlite3_step(st) != SQLITE_ROW) fail_msg("%s\n%s", sqlite3_errmsg(db), sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void exec_ok(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s\nin: %.400s", err, sql);
}

/* Rows of `ref` and `got` differing either way (and equal counts), with at least `min_rows`. */
static void same_rows(const char *what, int64_t min_rows) {
  int64_t rows = scalar("SELECT count(*) FROM ref"), got = scalar("SELECT count(*) FROM got");
  int64_t differing = scalar(
    "SELECT (SELECT count(*) FROM (SELECT * FROM ref EXCEPT SELECT * FROM got))"
    "     + (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM ref))");
  if (differing || rows != got || rows < min_rows)
    fail_msg("%s: %lld reference rows, %lld rows, %lld differing", what, (long long)rows, (long long)got,
             (long long)differing);
}

/* The reference's text without its final ';', so it may follow "CREATE TABLE ref AS" or sit
** inside "FROM (...)". Freed with free(). */
static char *reference(const char *path) {
  char *text = read_file(path);
  if (!text) fail_msg("cannot read %s (run from the repository root)", path);
  size_t n = strlen(text);
  while (n && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == ';')) text[--n] = 0;
  return text;
}

/* Opens the connection and runs `generate` (the test's data); 0 on success, for a cmocka setup. */
static int ref_open(const char *generate) {
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  char *err = NULL;
  if (sqlite3_growth_init(db, &err, NULL) != SQLITE_OK) return 1;
  err = NULL;
  if (sqlite3_exec(db, generate, NULL, NULL, &err) != SQLITE_OK) {
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

static int ref_close(void) {
  sqlite3_close(db);
  return 0;
}

#endif
