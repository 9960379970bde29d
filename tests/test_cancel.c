/*
** test_cancel.c: the interrupt polling of cancel.h / cancel_db.h.
**
** - gcancel_work polls once per GCANCEL_PERIOD units, and a stop is sticky.
** - gcancel_db, inside a running query: sqlite3_interrupt() and a progress handler that
**   returns non-zero each make the next poll say stop, with SQLITE_INTERRUPT; a query that is
**   left alone polls without stopping, and prepares nothing until its first poll.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cancel.h"
#include "cancel_db.h"

typedef struct counter { int polls, stop_at; } counter;

static int count_polls(void *ctx) {
  counter *c = ctx;
  return ++c->polls >= c->stop_at;
}

static void polls_once_per_period(void **state) {
  (void)state;
  counter n = {0, 1000};
  gcancel c = {count_polls, &n, GCANCEL_PERIOD, 0};
  /* 10 periods of work in steps of 16 units: exactly 10 polls, the last one at the end */
  for (int i = 0; i < 10 * GCANCEL_PERIOD / 16; i++) assert_int_equal(gcancel_work(&c, 16), 0);
  assert_int_equal(n.polls, 10);
  /* one large step of 3.5 periods polls once (the work is counted, not re-polled) */
  assert_int_equal(gcancel_work(&c, (uint64_t)GCANCEL_PERIOD * 7 / 2), 0);
  assert_int_equal(n.polls, 11);
  assert_int_equal(gcancel_work(NULL, UINT64_MAX), 0);  /* no gcancel: never stops */
}

static void stop_is_sticky(void **state) {
  (void)state;
  counter n = {0, 2};
  gcancel c = {count_polls, &n, GCANCEL_PERIOD, 0};
  assert_int_equal(gcancel_work(&c, GCANCEL_PERIOD), 0);
  assert_int_equal(gcancel_work(&c, GCANCEL_PERIOD), 1);
  assert_int_equal(gcancel_work(&c, 1), 1);
  assert_int_equal(gcancel_poll_now(&c), 1);
  assert_int_equal(n.polls, 2);  /* no poll after the stop */
}

/* ---- gcancel_db inside a query: a scalar function that "computes" by polling ---- */

typedef struct probe_run {
  int interrupt_at;  /* call sqlite3_interrupt before this poll (0: never) */
  int polls;         /* polls made */
  int rc;            /* gcancel_db_finish's code */
} probe_run;

static void compute_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  probe_run *run = sqlite3_user_data(ctx);
  int max_polls = sqlite3_value_int(argv[0]);
  gcancel_db cd;
  gcancel_db_init(&cd, sqlite3_context_db_handle(ctx));
  for (run->polls = 0; run->polls < max_polls; run->polls++) {
    if (run->interrupt_at && run->polls + 1 == run->interrupt_at) sqlite3_interrupt(cd.db);
    if (gcancel_work(&cd.base, GCANCEL_PERIOD)) break;
  }
  run->rc = gcancel_db_finish(&cd);
  if (run->rc != SQLITE_OK) sqlite3_result_error_code(ctx, run->rc);
  else sqlite3_result_int(ctx, run->polls);
}

static int run_query(sqlite3 *db, int max_polls) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT compute(?1)", -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_int(st, 1, max_polls);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc;
}

static sqlite3 *open_db(probe_run *run) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_create_function(db, "compute", 1, SQLITE_UTF8, run, compute_func, NULL, NULL), SQLITE_OK);
  return db;
}

static void db_left_alone_never_stops(void **state) {
  (void)state;
  probe_run run = {0, 0, -1};
  sqlite3 *db = open_db(&run);
  assert_int_equal(run_query(db, 500), SQLITE_ROW);
  assert_int_equal(run.polls, 500);
  assert_int_equal(run.rc, SQLITE_OK);
  sqlite3_close(db);
}

static void db_interrupt_stops_at_next_poll(void **state) {
  (void)state;
  probe_run run = {7, 0, -1};
  sqlite3 *db = open_db(&run);
  assert_int_equal(run_query(db, 500), SQLITE_INTERRUPT);
  assert_int_equal(run.polls, 6);  /* the 7th poll, right after the interrupt, said stop */
  assert_int_equal(run.rc, SQLITE_INTERRUPT);
  /* the connection is usable again afterwards */
  run.interrupt_at = 0;
  assert_int_equal(run_query(db, 3), SQLITE_ROW);
  sqlite3_close(db);
}

static int stop_after(void *ctx) {
  int *calls = ctx;
  return ++*calls >= 3;
}

static void db_progress_handler_stops(void **state) {
  (void)state;
  probe_run run = {0, 0, -1};
  sqlite3 *db = open_db(&run);
  int calls = 0;
  /* every 8 instructions: the probe runs about 4 per poll, so about every other poll */
  sqlite3_progress_handler(db, 8, stop_after, &calls);
  assert_int_equal(run_query(db, 100000), SQLITE_INTERRUPT);
  assert_int_equal(run.rc, SQLITE_INTERRUPT);
  assert_int_equal(calls, 3);
  assert_true(run.polls < 20);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(polls_once_per_period),
    cmocka_unit_test(stop_is_sticky),
    cmocka_unit_test(db_left_alone_never_stops),
    cmocka_unit_test(db_interrupt_stops_at_next_poll),
    cmocka_unit_test(db_progress_handler_stops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
