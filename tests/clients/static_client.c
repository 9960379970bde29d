/*
** static_client.c: an application that links sqlite-growth statically (libgrowth.a, built with
** SQLITE_CORE) and registers it with sqlite3_auto_extension, so every connection it opens has
** the functions without loadable-extension support.
**
**   static_client DEMO_DB CHECKS_SQL
**
** Runs the shared client checks (tests/clients/checks.sql: rows of check, got, want) on the
** demo database, plus checks of the C API itself. Exit status 0 when everything matches.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "growth.h"

static int failures;

static void expect_text(const char *what, const char *got, const char *want) {
  int ok = got && want && strcmp(got, want) == 0;
  if (ok) printf("ok   %s: %.60s%s\n", what, got, strlen(got) > 60 ? "..." : "");
  else printf("FAIL %s: got '%s', want '%s'\n", what, got ? got : "NULL", want ? want : "NULL");
  if (!ok) failures++;
}

/* The first column of the first row of sql as text ("NULL" for NULL), or the error message. */
static char *one_value(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  char *out;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    out = sqlite3_mprintf("%s", t ? (const char *)t : "NULL");
  } else if (rc == SQLITE_DONE) {
    out = sqlite3_mprintf("(no rows)");
  } else {
    out = sqlite3_mprintf("error: %s", sqlite3_errmsg(db));
  }
  sqlite3_finalize(st);
  return out;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
  if (p) p[n] = 0;
  fclose(f);
  return p;
}

static int run_checks(sqlite3 *db, const char *path) {
  char *sql = read_file(path);
  if (!sql) { fprintf(stderr, "cannot read %s\n", path); return -1; }
  sqlite3_stmt *st;
  const char *tail;
  if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK) {
    fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db));
    free(sql);
    return -1;
  }
  int rows = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    expect_text((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2));
  }
  if (rc != SQLITE_DONE) { printf("FAIL checks.sql: %s\n", sqlite3_errmsg(db)); failures++; }
  sqlite3_finalize(st);
  free(sql);
  return rows;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s DEMO_DB CHECKS_SQL\n", argv[0]); return 2; }
  if (sqlite3_auto_extension((void (*)(void))sqlite3_growth_init) != SQLITE_OK) {
    fprintf(stderr, "sqlite3_auto_extension failed\n");
    return 1;
  }

  /* A fresh in-memory connection has the functions: nothing was loaded from a file. */
  sqlite3 *mem;
  if (sqlite3_open(":memory:", &mem) != SQLITE_OK) { fprintf(stderr, "cannot open :memory:\n"); return 1; }
  char *v = one_value(mem, "SELECT growth_version()");
  char want_version[128];
  snprintf(want_version, sizeof want_version, "sqlite-growth %s (SQLite %s)", SQLITE_GROWTH_VERSION, sqlite3_libversion());
  expect_text("growth_version() matches growth.h and the linked SQLite", v, want_version);
  sqlite3_free(v);
  v = one_value(mem, "SELECT date_bucket(1704067199, 'day', 'tz=+08:00')"); /* 23:59:59 UTC -> next day in UTC+8 */
  expect_text("date_bucket of a unix time in UTC+8", v, "2024-01-01");
  sqlite3_free(v);
  v = one_value(mem, "SELECT bar(5, 10, 4) || '|' || shade(0.45)"); /* 16 eighths = 2 full blocks */
  expect_text("bar and shade", v, "██|▒");
  sqlite3_free(v);
  v = one_value(mem, "SELECT shade(7)");
  expect_text("errors reach the C API", v, "error: shade: rate is INTEGER 7, expected a number from 0 to 1");
  sqlite3_free(v);
  /* Loadable-extension support stays off: the static registration needs none of it. */
  v = one_value(mem, "SELECT load_extension('./growth')");
  expect_text("load_extension() stays disabled", v, "error: not authorized");
  sqlite3_free(v);
  sqlite3_close(mem);

  sqlite3 *db;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    fprintf(stderr, "cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
    return 1;
  }
  int rows = run_checks(db, argv[2]);
  sqlite3_close(db);
  if (rows < 5) { printf("FAIL checks.sql gave %d rows, expected at least 5\n", rows); failures++; }
  printf("static C client (SQLite %s): %d check(s) failed\n", sqlite3_libversion(), failures);
  return failures ? 1 : 0;
}
