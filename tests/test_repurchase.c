/*
** test_repurchase.c: repurchase() (ext/repurchase_engine.c, ext/repurchase.c).
**
** - The pure engine on a hand-worked history (counts in the comments).
** - repurchase() equals the plain-SQL reference sql/reference/repurchase.sql on generated data
**   (customers 1.0 and 1 as one, NULL segments, same-day purchases, every period, offsets,
**   week starts, both counts and both attributions), and on the same rows shuffled.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"

#include "growth.h"
#include "repurchase_engine.h"
#include "mem.h"
#include "time.h"

#define DAY(y, m, d) gtime_days_from_civil(y, m, d)
#define AT(y, m, d, h) (DAY(y, m, d) * GTIME_US_PER_DAY + (int64_t)(h) * 3600 * GTIME_US_PER_SEC)

/* Customers a (segment 1), b (segment 2), c (segment 1), months, count=days:
**   a: 01-03 09h, 01-03 20h (one day), 01-20, 03-02   -> Jan 2 days, Mar 1 day
**   b: 01-05, 02-07                                   -> Jan 1, Feb 1
**   c: 02-01 08h, 02-01 09h                           -> Feb 1 day (2 with count=orders)
** segment 1 (a, c): Jan buyers 1 (a: new, repeat), Feb 1 (c: new), Mar 1 (a: not returning,
**   Feb had no purchase of a); prev_buyers Feb 1 (Jan), Mar 1 (Feb).
** segment 2 (b): Jan 1 (new), Feb 1 (returning), Mar 0.
** as_of 03-15: Jan and Feb complete, Mar not. */
static void engine_by_hand(void **state) {
  (void)state;
  gevents ev;
  gevents_init(&ev, GEV_SEGMENT, 0);
  struct { uint32_t actor; int64_t ts; uint32_t seg; } rows[] = {
    {0, AT(2024, 1, 3, 9), 1},  {1, AT(2024, 1, 5, 0), 2},  {0, AT(2024, 1, 3, 20), 1}, {0, AT(2024, 1, 20, 0), 1},
    {2, AT(2024, 2, 1, 8), 1},  {2, AT(2024, 2, 1, 9), 1},  {1, AT(2024, 2, 7, 0), 2},  {0, AT(2024, 3, 2, 0), 1},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    gev_extra x = {0, rows[i].seg, 0, 0};
    assert_null(gevents_add(&ev, rows[i].actor, rows[i].ts, &x));
  }
  assert_null(gevents_group(&ev, NULL, NULL));
  grepurchase_opts o;
  memset(&o, 0, sizeof o);
  o.cal.period = GPERIOD_MONTH;
  o.as_of_us = AT(2024, 3, 15, 0);
  grepurchase_cell *cells;
  int64_t n;
  assert_null(grepurchase_compute(&ev, &o, 3, NULL, NULL, &cells, &n));
  assert_int_equal(n, 6);  /* segments 1 and 2 (0, NULL, has nobody) x 3 months */
  /* segment, month, buyers, new, purchases, repeat, returning, prev, complete */
  const int64_t want[6][9] = {
    {1, 1, 1, 1, 2, 1, 0, 0, 1}, {1, 2, 1, 1, 1, 0, 0, 1, 1}, {1, 3, 1, 0, 1, 0, 0, 1, 0},
    {2, 1, 1, 1, 1, 0, 0, 0, 1}, {2, 2, 1, 0, 1, 0, 1, 1, 1}, {2, 3, 0, 0, 0, 0, 0, 1, 0},
  };
  for (int i = 0; i < 6; i++) {
    const grepurchase_cell *c = &cells[i];
    int64_t y;
    unsigned m, d;
    gtime_civil_from_days(c->period_day, &y, &m, &d);
    const int64_t got[9] = {c->segment, m, c->buyers, c->new_buyers, c->purchases, c->repeat_buyers,
                            c->returning_buyers, c->prev_buyers, c->complete};
    for (int k = 0; k < 9; k++)
      if (got[k] != want[i][k]) fail_msg("cell %d field %d: got %lld, want %lld", i, k, (long long)got[k], (long long)want[i][k]);
  }
  gmem_free(cells);
  /* count=orders: c's two orders on 02-01 are two purchases, so c repeats in February */
  o.count_orders = 1;
  assert_null(grepurchase_compute(&ev, &o, 3, NULL, NULL, &cells, &n));
  assert_int_equal(cells[0].purchases, 3);   /* a in January: three orders */
  assert_int_equal(cells[1].purchases, 2);
  assert_int_equal(cells[1].repeat_buyers, 1);
  gmem_free(cells);
  /* segment=last: every customer's last row has their own segment here: the same cells */
  o.count_orders = 0;
  o.segment_last = 1;
  assert_null(grepurchase_compute(&ev, &o, 3, NULL, NULL, &cells, &n));
  assert_int_equal(n, 6);
  assert_int_equal(cells[0].repeat_buyers, 1);
  gmem_free(cells);
  gevents_free(&ev);
}

/* ---- repurchase() against sql/reference/repurchase.sql ---- */

static int64_t scalar(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s\n%s", sqlite3_errmsg(db), sql);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void exec_ok(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s\nin: %.300s", err, sql);
}

/* 3000 purchases of 61 customers (every 7th written as a REAL, 12.0 = 12) over 2023-11-20 ..
** 2024-04-10, times on the hour so several fall on one day; 5 segments and NULL; some NULL
** customers and times. */
static const char generate[] =
  "CREATE TABLE purchases AS WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 3000)"
  " SELECT CASE WHEN i % 199 = 0 THEN NULL WHEN i % 7 = 0 THEN CAST((i * 53) % 61 AS REAL) ELSE (i * 53) % 61 END AS customer,"
  "        CASE WHEN i % 293 = 0 THEN NULL"
  "             ELSE datetime(1700438400 + ((i * 104729) % 3432) * 3600, 'unixepoch') END AS ts,"
  "        CASE (i * 31) % 6 WHEN 0 THEN NULL WHEN 1 THEN 'app' WHEN 2 THEN 'web' WHEN 3 THEN 'ads'"
  "                          WHEN 4 THEN 'wechat' ELSE 'store' END AS segment"
  " FROM x;"
  "CREATE TABLE purchases_shuffled AS SELECT * FROM purchases ORDER BY (rowid * 7919) % 3001;";

typedef struct scenario { const char *period; int tz_minutes; const char *week_start; int count_orders, segment_last; } scenario;

static void matches_reference_query(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  assert_int_equal(sqlite3_growth_init(db, &err, NULL), SQLITE_OK);
  exec_ok(db, generate);
  char *reference = read_file("sql/reference/repurchase.sql");
  assert_non_null(reference);  /* run from the repository root */
  static const scenario cases[] = {
    {"month", 0, "monday", 0, 0},    {"month", 480, "monday", 1, 0}, {"week", 0, "monday", 0, 1},
    {"week", -300, "sunday", 1, 1},  {"day", 0, "monday", 0, 0},     {"day", 330, "monday", 1, 1},
    {"quarter", -480, "monday", 0, 0}, {"year", 60, "sunday", 1, 0},
  };
  for (int segmented = 0; segmented < 2; segmented++) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const scenario *s = &cases[i];
      char *sql = sqlite3_mprintf(
        "DROP VIEW IF EXISTS repurchase_source; DROP TABLE IF EXISTS repurchase_params; DROP TABLE IF EXISTS ref;"
        "DROP TABLE IF EXISTS got; DROP TABLE IF EXISTS got_shuffled;"
        "CREATE TEMP VIEW repurchase_source AS SELECT customer, ts, %s AS segment FROM purchases;"
        "CREATE TABLE repurchase_params AS SELECT %Q AS period, %d AS tz_minutes, %Q AS week_start,"
        "  %d AS count_orders, %d AS segment_last;",
        segmented ? "segment" : "NULL", s->period, s->tz_minutes, s->week_start, s->count_orders, s->segment_last);
      exec_ok(db, sql);
      sqlite3_free(sql);
      char *ref = sqlite3_mprintf("CREATE TABLE ref AS\n%s", reference);
      exec_ok(db, ref);
      sqlite3_free(ref);
      char opts[128];
      snprintf(opts, sizeof opts, "tz=%+03d:%02d, week_start=%s, count=%s, segment=%s", s->tz_minutes / 60,
               abs(s->tz_minutes) % 60, s->week_start, s->count_orders ? "orders" : "days",
               s->segment_last ? "last" : "first");
      for (int t = 0; t < 2; t++) {
        sql = sqlite3_mprintf("CREATE TABLE %s AS SELECT segment, period, buyers, new_buyers, purchases, repeat_buyers,"
                              " returning_buyers, prev_buyers, complete FROM repurchase("
                              "'SELECT customer, ts%s FROM %s', %Q, %Q)",
                              t ? "got_shuffled" : "got", segmented ? ", segment" : "",
                              t ? "purchases_shuffled" : "purchases", s->period, opts);
        exec_ok(db, sql);
        sqlite3_free(sql);
      }
      int64_t rows = scalar(db, "SELECT count(*) FROM ref");
      int64_t differing = scalar(db,
        "SELECT (SELECT count(*) FROM (SELECT * FROM ref EXCEPT SELECT * FROM got))"
        "     + (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM ref))"
        "     + (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM got_shuffled))"
        "     + (SELECT count(*) FROM (SELECT * FROM got_shuffled EXCEPT SELECT * FROM got))");
      if (differing != 0 || rows == 0 || rows != scalar(db, "SELECT count(*) FROM got"))
        fail_msg("%s%s '%s': %lld reference rows, %lld differing", segmented ? "segmented " : "", s->period, opts,
                 (long long)rows, (long long)differing);
      /* the comparison must see repeat and returning buyers, or it is weak (a day holds one
      ** purchase day: with count=days nobody repeats within a day) */
      if (!scalar(db, "SELECT sum(returning_buyers) > 0 FROM got") ||
          (!scalar(db, "SELECT sum(repeat_buyers) > 0 FROM got") && !(strcmp(s->period, "day") == 0 && !s->count_orders)))
        fail_msg("%s '%s': no repeat or no returning buyers: a weak comparison", s->period, opts);
    }
  }
  free(reference);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(engine_by_hand),
    cmocka_unit_test(matches_reference_query),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
