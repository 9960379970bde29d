/*
** test_oom.c: out-of-memory safety. SQLite's allocator is replaced (SQLITE_CONFIG_MALLOC, set
** before sqlite3_initialize) by one that wraps the default and fails the Nth allocation, either
** once or from then on. Every representative query (queries.h) runs for N = 1, 2, 3, ... until
** a run completes without hitting the failure. Each run must end in an error (normally
** SQLITE_NOMEM) or in exactly the rows of the run without failures; never a crash. After the
** connection closes, SQLite's count of outstanding memory must be back where it was: nothing
** leaked (and make check-asan repeats all of it under LeakSanitizer).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"
#include "queries.h"
#include "failing_alloc.h"

static hinventory inv;

static int problems;  /* reported and counted, so one run shows every failing query */
#define report(...) do { printf("  FAIL: "); printf(__VA_ARGS__); printf("\n"); problems++; stop = 1; goto next; } while (0)

/* Runs one query under every failure point; returns the number of runs. */
static long run_under_oom(const char *sql, int once) {
  sqlite3 *db = harness_open();
  assert_non_null(db);
  char *expected = NULL;
  int rc = harness_run(db, sql, &expected);
  assert_true(rc == SQLITE_DONE || rc == SQLITE_ERROR);  /* a documented error is a fine result too */
  char *expected_err = rc == SQLITE_DONE ? NULL : sqlite3_mprintf("%s", sqlite3_errmsg(db));
  sqlite3_close(db);
  long n;
  int stop = 0;
  for (n = 1; !stop; n++) {
    sqlite3_int64 before = sqlite3_memory_used();
    db = harness_open();
    assert_non_null(db);
    char *got = NULL;
    arm(n, once);
    rc = harness_run(db, sql, &got);
    disarm();
    if (rc == SQLITE_DONE) {
      if (expected_err || !got || strcmp(got, expected) != 0)
        report("%s\nfailing allocation %ld (%s): finished with\n%s\nexpected\n%s", sql, n, once ? "once" : "onwards",
                 got ? got : "(nothing)", expected_err ? expected_err : expected);
    } else if (rc != SQLITE_NOMEM && rc != SQLITE_ERROR && rc != SQLITE_CONSTRAINT && rc != SQLITE_TOOBIG) {
      report("%s\nfailing allocation %ld: unexpected result code %d (%s)", sql, n, rc, sqlite3_errmsg(db));
    } else if (rc == SQLITE_ERROR && !failures) {
      /* an error with no failed allocation must be the function's own, documented error */
      if (!expected_err || strcmp(expected_err, sqlite3_errmsg(db)) != 0)
        report("%s\nerror without a failed allocation: %s", sql, sqlite3_errmsg(db));
    }
  next:
    sqlite3_free(got);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    if (sqlite3_memory_used() != before) {
      printf("  FAIL: %s\nfailing allocation %ld (%s): %lld bytes leaked\n", sql, n, once ? "once" : "onwards",
             (long long)(sqlite3_memory_used() - before));
      problems++;
      break;  /* one leak report per query is enough */
    }
    if (!failures) break;  /* ran to the end without reaching allocation n */
  }
  sqlite3_free(expected);
  sqlite3_free(expected_err);
  return n;
}

static void every_query_survives_oom(void **state) {
  (void)state;
  int ran = 0;
  for (int i = 0; i < HARNESS_NQUERIES; i++) {
    if (!harness_has(&inv, harness_queries[i].fn)) continue;
    long a = run_under_oom(harness_queries[i].sql, 0);
    long b = run_under_oom(harness_queries[i].sql, 1);
    printf("  oom %-18s %5ld failure points\n", harness_queries[i].fn, a > b ? a : b);
    ran++;
  }
  assert_true(ran > 0);
  assert_int_equal(problems, 0);
}

/* A JSON steps list is read through SQLite's json_each: running out of memory there is
** SQLITE_NOMEM, never the user error about the steps' format (issue 16 L10). */
static void json_steps_out_of_memory_is_nomem(void **state) {
  (void)state;
  const char *sql = "SELECT step, actors FROM funnel('VALUES (1, 0, ''view''), (1, 5, ''cart'')', '1 day', "
                    "'[\"view\", \"cart\"]')";
  int nomem = 0;
  for (long n = 1;; n++) {
    sqlite3 *db = harness_open();
    assert_non_null(db);
    char *got = NULL;
    arm(n, 1);
    int rc = harness_run(db, sql, &got);
    disarm();
    if (rc == SQLITE_DONE) assert_string_equal(got, "1|1\n2|1\n");  /* actor 1 reached both steps */
    else if (strstr(sqlite3_errmsg(db), "expected a JSON array"))
      fail_msg("failing allocation %ld: %d %s", n, rc, sqlite3_errmsg(db));
    nomem += rc == SQLITE_NOMEM;
    sqlite3_free(got);
    sqlite3_close(db);
    if (!failures) break;
  }
  assert_true(nomem > 0);
}

/* Every registered name has a representative query (else the loop above misses it). */
static void every_function_has_a_query(void **state) {
  (void)state;
  int missing = 0;
  for (int i = 0; i < inv.nfunc + inv.ntable; i++) {
    const char *name = i < inv.nfunc ? inv.func[i].name : inv.table[i - inv.nfunc].name;
    int found = 0;
    for (int q = 0; q < HARNESS_NQUERIES && !found; q++) found = strcmp(harness_queries[q].fn, name) == 0;
    if (!found) { printf("  no representative query for %s: add one to tests/queries.h\n", name); missing++; }
  }
  assert_int_equal(missing, 0);
}

/* Loading the extension itself when memory runs out: an error, never a half-registered crash. */
static void init_survives_oom(void **state) {
  (void)state;
  for (long n = 1;; n++) {
    sqlite3 *db = NULL;
    sqlite3_int64 before = sqlite3_memory_used();
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char *err = NULL;
    arm(n, 0);
    int rc = sqlite3_growth_init(db, &err, NULL);
    disarm();
    assert_true(rc == SQLITE_OK || rc == SQLITE_NOMEM);
    sqlite3_free(err);
    sqlite3_close(db);
    assert_true(sqlite3_memory_used() == before);
    if (!failures) break;
  }
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);  /* every allocation goes through the allocator */
  if (harness_inventory(&inv) != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_function_has_a_query),
    cmocka_unit_test(init_survives_oom),
    cmocka_unit_test(json_steps_out_of_memory_is_nomem),
    cmocka_unit_test(every_query_survives_oom),
  };
  return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
