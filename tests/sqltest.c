/*
** sqltest.c: runs SQL test files against the built extension, each file one cmocka test.
**
**   sqltest [--ext ./growth.so] [--db FILE] tests/sql/a.sql tests/sql/b.sql ...
**
** A test file is plain SQL (it runs as it is in the sqlite3 shell). The expected output of a
** statement is written under it as comment lines starting with "-- =>":
**
**   SELECT date_bucket('2024-02-29 10:00', 'month');
**   -- => 2024-02-01
**   SELECT date_bucket('nope', 'day');
**   -- => error: date_bucket: ts is TEXT 'nope', expected ...
**
** Rows print as the shell's list mode does (columns joined by |, NULL as NULL). A statement
** with no expectation must print nothing at all; "-- => (no rows)" says so explicitly.
** "-- =>~ PATTERN" matches one output line with sqlite3_strglob. Each file gets a fresh
** in-memory database (or a copy-free open of --db, read-only for the demo database).
** readfile(PATH) returns a file's bytes as a BLOB (NULL when unreadable), as the shell's does,
** so a test can load a data file of the repository (paths are relative to where it runs).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

static const char *ext_path = "./growth";
static const char *db_path = ":memory:";

typedef struct text_buf { char *p; size_t n, cap; } text_buf;

static void buf_add(text_buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
static void buf_puts(text_buf *b, const char *s) { buf_add(b, s, strlen(s)); }

typedef struct statement {
  char *sql;
  int line;
  text_buf expected;  /* expected lines, each ending in \n */
  int has_expectation;
} statement;

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  text_buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  fclose(f);
  if (!b.p) buf_add(&b, "", 0);
  return b.p;
}

/* readfile(PATH): the sqlite3 shell's function of that name, for data files under tests/. */
static void readfile_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *path = (const char *)sqlite3_value_text(argv[0]);
  FILE *f = path ? fopen(path, "rb") : NULL;
  if (!f) return;
  text_buf b = {0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  fclose(f);
  sqlite3_result_blob64(ctx, b.p ? b.p : "", b.n, SQLITE_TRANSIENT);
  free(b.p);
}

/* Only whitespace and -- comments so far? */
static int is_blank_sql(const char *s) {
  while (*s) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    else if (s[0] == '-' && s[1] == '-') { while (*s && *s != '\n') s++; }
    else return 0;
  }
  return 1;
}

static int parse_file(char *text, statement **out) {
  int cap = 16, n = 0, lineno = 0, start_line = 0;
  statement *st = calloc((size_t)cap, sizeof *st);
  text_buf acc = {0};
  buf_add(&acc, "", 0);
  char *line = text;
  while (line && *line) {
    char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    lineno++;
    if (len >= 5 && strncmp(line, "-- =>", 5) == 0 && is_blank_sql(acc.p)) {
      if (n == 0) { fprintf(stderr, "line %d: expectation before any statement\n", lineno); exit(2); }
      const char *v = line + 5;
      size_t vl = len - 5;
      if (vl > 0 && *v == ' ') { v++; vl--; }
      if (vl > 0 && v[vl - 1] == '\r') vl--;
      statement *s = &st[n - 1];
      s->has_expectation = 1;
      if (!(vl == 9 && strncmp(v, "(no rows)", 9) == 0)) {
        buf_add(&s->expected, line[5] == '~' ? "~" : "", line[5] == '~' ? 1 : 0);
        if (line[5] == '~') { v = line + 6; vl = len - 6; if (vl && *v == ' ') { v++; vl--; } }
        buf_add(&s->expected, v, vl);
        buf_add(&s->expected, "\n", 1);
      }
    } else {
      if (is_blank_sql(acc.p)) start_line = lineno;
      buf_add(&acc, line, len);
      buf_add(&acc, "\n", 1);
      if (!is_blank_sql(acc.p) && sqlite3_complete(acc.p)) {
        if (n == cap) { cap *= 2; st = realloc(st, sizeof *st * (size_t)cap); }
        memset(&st[n], 0, sizeof st[n]);
        st[n].sql = strdup(acc.p);
        st[n].line = start_line;
        n++;
        acc.n = 0;
        acc.p[0] = 0;
      }
    }
    line = nl ? nl + 1 : NULL;
  }
  if (!is_blank_sql(acc.p)) { fprintf(stderr, "statement at line %d has no closing semicolon\n", start_line); exit(2); }
  free(acc.p);
  *out = st;
  return n;
}

static void print_value(text_buf *b, sqlite3_stmt *stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL: buf_puts(b, "NULL"); break;
    case SQLITE_BLOB: {
      const unsigned char *p = sqlite3_column_blob(stmt, i);
      int n = sqlite3_column_bytes(stmt, i);
      buf_puts(b, "x'");
      for (int k = 0; k < n; k++) { char h[3]; snprintf(h, sizeof h, "%02x", p[k]); buf_puts(b, h); }
      buf_puts(b, "'");
      break;
    }
    default: buf_puts(b, (const char *)sqlite3_column_text(stmt, i)); break;
  }
}

/* Runs every statement in sql, appending rows and errors to out. */
static void run_sql(sqlite3 *db, const char *sql, text_buf *out) {
  const char *p = sql;
  while (p && *p) {
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
    if (rc != SQLITE_OK) {
      buf_puts(out, "error: ");
      buf_puts(out, sqlite3_errmsg(db));
      buf_puts(out, "\n");
      return;
    }
    if (!stmt) break;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      int nc = sqlite3_column_count(stmt);
      for (int i = 0; i < nc; i++) {
        if (i) buf_puts(out, "|");
        print_value(out, stmt, i);
      }
      buf_puts(out, "\n");
    }
    if (rc != SQLITE_DONE) {
      buf_puts(out, "error: ");
      buf_puts(out, sqlite3_errmsg(db));
      buf_puts(out, "\n");
      sqlite3_finalize(stmt);
      return;
    }
    sqlite3_finalize(stmt);
    p = tail;
  }
}

/* Line-by-line comparison; expected lines starting with ~ are GLOB patterns. */
static int same_output(const char *expected, const char *got) {
  for (;;) {
    const char *en = strchr(expected, '\n'), *gn = strchr(got, '\n');
    if (!en || !gn) return !en && !gn;
    size_t el = (size_t)(en - expected), gl = (size_t)(gn - got);
    if (*expected == '~') {
      char *pat = strndup(expected + 1, el - 1), *line = strndup(got, gl);
      int ok = sqlite3_strglob(pat, line) == 0;
      free(pat);
      free(line);
      if (!ok) return 0;
    } else if (el != gl || memcmp(expected, got, el) != 0) {
      return 0;
    }
    expected = en + 1;
    got = gn + 1;
  }
}

static void run_test_file(void **state) {
  const char *path = *state;
  char *text = read_file(path);
  if (!text) fail_msg("cannot read %s", path);
  statement *st = NULL;
  int n = parse_file(text, &st);
  sqlite3 *db = NULL;
  int flags = strcmp(db_path, ":memory:") == 0 ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  assert_int_equal(sqlite3_open_v2(db_path, &db, flags, NULL), SQLITE_OK);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, NULL);
  sqlite3_create_function(db, "readfile", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, readfile_func, NULL, NULL);
  char *err = NULL;
  if (sqlite3_load_extension(db, ext_path, NULL, &err) != SQLITE_OK) fail_msg("cannot load %s: %s", ext_path, err);
  int failures = 0;
  for (int i = 0; i < n; i++) {
    text_buf got = {0};
    buf_add(&got, "", 0);
    run_sql(db, st[i].sql, &got);
    const char *expected = st[i].expected.p ? st[i].expected.p : "";
    if (!same_output(expected, got.p)) {
      failures++;
      /* not cmocka's print_error: it cuts messages at about 1 kB, and a statement with 64
      ** conditions is longer than that */
      fprintf(stderr, "%s:%d: statement\n%s--- expected\n%s--- got\n%s\n", path, st[i].line, st[i].sql,
              *expected ? expected : "(no output)\n", *got.p ? got.p : "(no output)\n");
    }
    free(got.p);
    free(st[i].sql);
    free(st[i].expected.p);
  }
  free(st);
  free(text);
  sqlite3_close(db);
  if (failures) fail_msg("%s: %d statement(s) gave unexpected output", path, failures);
}

int main(int argc, char **argv) {
  int first = 1;
  while (first < argc && strncmp(argv[first], "--", 2) == 0) {
    if (strcmp(argv[first], "--ext") == 0 && first + 1 < argc) ext_path = argv[first + 1];
    else if (strcmp(argv[first], "--db") == 0 && first + 1 < argc) db_path = argv[first + 1];
    else { fprintf(stderr, "usage: sqltest [--ext PATH] [--db FILE] FILE.sql...\n"); return 2; }
    first += 2;
  }
  int n = argc - first;
  struct CMUnitTest *tests = calloc((size_t)(n ? n : 1), sizeof *tests);
  for (int i = 0; i < n; i++) {
    tests[i].name = argv[first + i];
    tests[i].test_func = run_test_file;
    tests[i].initial_state = argv[first + i];
  }
  int failed = _cmocka_run_group_tests("sql", tests, (size_t)n, NULL, NULL);
  free(tests);
  return failed ? 1 : 0;
}
