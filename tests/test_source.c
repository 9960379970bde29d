/*
** test_source.c: the source core (ext/source.c) and the table-valued-function scaffold
** (ext/tvf.c), driven through a small test-only function, count_rows(source):
** one row (rows, sum_of_first_column) computed by scanning the source.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "source.h"
#include "tvf.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

typedef struct counted { int64_t rows, sum; } counted;

static int count_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  counted *c = ctx;
  if (sqlite3_value_type(cols[0]) == SQLITE_TEXT && strcmp((const char *)sqlite3_value_text(cols[0]), "boom") == 0) {
    *pzErr = sqlite3_mprintf("count_rows: row %lld says boom", (long long)c->rows + 1);
    return SQLITE_ERROR;
  }
  c->rows++;
  c->sum += sqlite3_value_int64(cols[0]);
  return SQLITE_OK;
}

static int count_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  gsource src;
  int rc = gsource_open(&src, db, spec->name, (const char *)sqlite3_value_text(args[0]), pzErr);
  if (rc != SQLITE_OK) return rc;
  counted *c = sqlite3_malloc64(sizeof *c);
  if (!c) { gsource_close(&src); return SQLITE_NOMEM; }
  memset(c, 0, sizeof *c);
  int cols[1] = {0};
  rc = gsource_scan(&src, spec->name, cols, 1, count_row, c, pzErr);
  gsource_close(&src);
  if (rc != SQLITE_OK) { sqlite3_free(c); return rc; }
  *result = c;
  *nrows = 1;
  return SQLITE_OK;
}

static void count_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  (void)row;
  counted *c = result;
  sqlite3_result_int64(ctx, col == 0 ? c->rows : c->sum);
}

static const char *const count_args[] = {"source"};
/* Its source is not marked in .sources: these tests reach the source when the statement runs. */
static const gtvf_spec count_spec = {
  .name = "count_rows",
  .schema = "CREATE TABLE x(rows, total, source HIDDEN)",
  .n_out = 2,
  .n_args = 1,
  .n_required = 1,
  .arg_names = count_args,
  .innocuous = 0,
  .compute = count_compute,
  .column = count_column,
  .destroy = sqlite3_free,
};
static const gtvf_host count_host = {&count_spec, NULL};

static sqlite3 *open_db(void) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  assert_int_equal(sqlite3_growth_init(db, &err, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_create_module_v2(db, "count_rows", &gtvf_module, (void *)&count_host, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
    "CREATE TABLE t(a, b); INSERT INTO t VALUES (1,'x'),(2,'y'),(39,'z');"
    "CREATE TABLE \"x\"\"; DROP TABLE t; --\"(a); INSERT INTO \"x\"\"; DROP TABLE t; --\" VALUES (5);",
    NULL, NULL, NULL), SQLITE_OK);
  return db;
}

/* Runs sql and returns "rows|total" or "error: <message>" in buf. */
static const char *query(sqlite3 *db, const char *sql, char *buf, size_t len) {
  sqlite3_stmt *stmt;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
    snprintf(buf, len, "error: %s", sqlite3_errmsg(db));
    return buf;
  }
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) snprintf(buf, len, "%s|%s", sqlite3_column_text(stmt, 0), sqlite3_column_text(stmt, 1));
  else if (rc == SQLITE_DONE) snprintf(buf, len, "(no rows)");
  else snprintf(buf, len, "error: %s", sqlite3_errmsg(db));
  sqlite3_finalize(stmt);
  return buf;
}

static void reads_a_table_by_name(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  /* 3 rows, 1 + 2 + 39 = 42 */
  assert_string_equal(query(db, "SELECT * FROM count_rows('t')", buf, sizeof buf), "3|42");
  /* by name in WHERE, as a hidden column */
  assert_string_equal(query(db, "SELECT rows, total FROM count_rows WHERE source = 't'", buf, sizeof buf), "3|42");
  sqlite3_close(db);
}

static void reads_statements(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  assert_string_equal(query(db, "SELECT * FROM count_rows('SELECT a FROM t WHERE a > 1')", buf, sizeof buf), "2|41");
  /* trailing semicolon, trailing comment, leading WITH and VALUES all work */
  assert_string_equal(query(db, "SELECT * FROM count_rows('select a from t; -- all')", buf, sizeof buf), "3|42");
  assert_string_equal(query(db, "SELECT * FROM count_rows('WITH w AS (SELECT a*2 AS a FROM t) SELECT a FROM w')", buf, sizeof buf), "3|84");
  assert_string_equal(query(db, "SELECT * FROM count_rows('VALUES (10), (20)')", buf, sizeof buf), "2|30");
  /* an empty source is zero rows, not an error */
  assert_string_equal(query(db, "SELECT * FROM count_rows('SELECT a FROM t WHERE 0')", buf, sizeof buf), "0|0");
  sqlite3_close(db);
}

static void quotes_names_as_identifiers(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  /* the name is one table's name, not SQL: it reads that table and drops nothing */
  assert_string_equal(query(db, "SELECT * FROM count_rows('x\"; DROP TABLE t; --')", buf, sizeof buf), "1|5");
  assert_string_equal(query(db, "SELECT count(*), 0 FROM t", buf, sizeof buf), "3|0");
  sqlite3_close(db);
}

static void refuses_bad_sources(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  assert_string_equal(query(db, "SELECT * FROM count_rows('nope')", buf, sizeof buf),
                      "error: count_rows: source: no such table: nope");
  assert_string_equal(query(db, "SELECT * FROM count_rows('SELECT a FROM t; DELETE FROM t')", buf, sizeof buf),
                      "error: count_rows: source must be a single statement (found more after the first)");
  assert_string_equal(query(db, "SELECT * FROM count_rows('WITH d AS (SELECT 1) DELETE FROM t')", buf, sizeof buf),
                      "error: count_rows: source must be a read-only SELECT, WITH or VALUES statement");
  assert_string_equal(query(db, "SELECT * FROM count_rows('SELECT nope FROM t')", buf, sizeof buf),
                      "error: count_rows: source: no such column: nope");
  assert_string_equal(query(db, "SELECT * FROM count_rows('')", buf, sizeof buf),
                      "error: count_rows: source is empty: give a table or view name or a SELECT statement");
  assert_string_equal(query(db, "SELECT count(*), 0 FROM t", buf, sizeof buf), "3|0");
  sqlite3_close(db);
}

static void passes_row_errors_on(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  assert_string_equal(query(db, "SELECT * FROM count_rows('VALUES (1), (''boom''), (3)')", buf, sizeof buf),
                      "error: count_rows: row 2 says boom");
  sqlite3_close(db);
}

static void handles_arguments_like_series(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  /* a NULL required argument gives no rows; a missing one is an error naming it */
  assert_string_equal(query(db, "SELECT * FROM count_rows(NULL)", buf, sizeof buf), "(no rows)");
  assert_string_equal(query(db, "SELECT * FROM count_rows", buf, sizeof buf), "error: count_rows: argument source is required");
  /* lateral use: the argument comes from another table */
  assert_string_equal(query(db, "SELECT c.rows, c.total FROM (SELECT 't' AS s) JOIN count_rows(s) c", buf, sizeof buf), "3|42");
  /* eponymous only */
  assert_string_equal(query(db, "CREATE VIRTUAL TABLE v USING count_rows", buf, sizeof buf), "error: no such module: count_rows");
  /* growth_gather is internal */
  assert_string_equal(query(db, "SELECT growth_gather(1, 2), 0", buf, sizeof buf),
                      "error: growth_gather() is internal to the table-valued functions");
  sqlite3_close(db);
}

static void is_direct_only(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  assert_int_equal(sqlite3_exec(db, "CREATE VIEW v AS SELECT * FROM count_rows('t')", NULL, NULL, NULL), SQLITE_OK);
  assert_string_equal(query(db, "SELECT * FROM v", buf, sizeof buf), "error: unsafe use of virtual table \"count_rows\"");
  sqlite3_close(db);
}

/* The source text that makes `levels` scans: count_rows over count_rows ... over SELECT 1. */
static char *nested_source(int levels) {
  char *src = sqlite3_mprintf("SELECT 1");
  for (int i = 1; i < levels; i++) {
    char *next = sqlite3_mprintf("SELECT rows FROM count_rows(%Q)", src);
    sqlite3_free(src);
    src = next;
  }
  return src;
}

static void limits_nesting(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[512];
  /* 8 scans under way at once (the limit) work: each level counts the one row below it */
  char *src = nested_source(GSOURCE_MAX_NESTING);
  char *sql = sqlite3_mprintf("SELECT * FROM count_rows(%Q)", src);
  assert_string_equal(query(db, sql, buf, sizeof buf), "1|1");
  sqlite3_free(src);
  sqlite3_free(sql);
  /* one more is refused once, naming the innermost function, however many levels are above */
  src = nested_source(GSOURCE_MAX_NESTING + 1);
  sql = sqlite3_mprintf("SELECT * FROM count_rows(%Q)", src);
  assert_string_equal(query(db, sql, buf, sizeof buf),
                      "error: count_rows: source: sources that call table-valued functions reading sources nest "
                      "more than 8 deep");
  sqlite3_free(src);
  sqlite3_free(sql);
  /* a source that names itself (a quine stored in a table) ends the same way, not in a crash */
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE q(s); INSERT INTO q VALUES ("
                                    "'SELECT rows FROM count_rows((SELECT s FROM q))')", NULL, NULL, NULL), SQLITE_OK);
  assert_string_equal(query(db, "SELECT * FROM count_rows((SELECT s FROM q))", buf, sizeof buf),
                      "error: count_rows: source: sources that call table-valued functions reading sources nest "
                      "more than 8 deep");
  /* the connection is fine afterwards, and no scan is left counted */
  assert_string_equal(query(db, "SELECT * FROM count_rows('t')", buf, sizeof buf), "3|42");
  sqlite3_close(db);
}

/* The source runs inside a CTE: a table with the CTE's old fixed name is a source like any. */
static void reads_a_table_called_growth_source(void **state) {
  (void)state;
  sqlite3 *db = open_db();
  char buf[256];
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE growth_source(a); INSERT INTO growth_source VALUES (7), (35)",
                                NULL, NULL, NULL), SQLITE_OK);
  /* 2 rows, 7 + 35 = 42 */
  assert_string_equal(query(db, "SELECT * FROM count_rows('growth_source')", buf, sizeof buf), "2|42");
  assert_string_equal(query(db, "SELECT * FROM count_rows('SELECT a FROM growth_source')", buf, sizeof buf), "2|42");
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(reads_a_table_by_name),     cmocka_unit_test(reads_statements),
    cmocka_unit_test(quotes_names_as_identifiers), cmocka_unit_test(refuses_bad_sources),
    cmocka_unit_test(passes_row_errors_on),      cmocka_unit_test(handles_arguments_like_series),
    cmocka_unit_test(is_direct_only),            cmocka_unit_test(limits_nesting),
    cmocka_unit_test(reads_a_table_called_growth_source),
  };
  return cmocka_run_group_tests_name("source", tests, NULL, NULL);
}
