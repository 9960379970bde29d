/*
** test_cohort.c: the cohort engine (ext/cohort.c) driven directly with hand-computed
** expectations, and cohort_retention() compared with the plain-SQL reference query
** sql/reference/cohort_retention.sql on generated data (zero differing rows expected).
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

#include "cohort.h"
#include "sqlite_glue.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

static int64_t T(const char *text) {
  int64_t us;
  assert_null(gtime_parse_text(text, -1, &us));
  return us;
}

/* Every engine test runs three times: with per-actor bitsets, with the counting sort, and as the
** engine chooses (each actor's periods kept as rows arrive, where that suffices). */
static int tally_mode = 1;

static gcohort_opts base_opts(gperiod period) {
  gcohort_opts o;
  memset(&o, 0, sizeof o);
  o.cal.period = period;
  o.tally = tally_mode;
  return o;
}

static int use_bitsets(void **state) { (void)state; tally_mode = 1; return 0; }
static int use_sort(void **state) { (void)state; tally_mode = 2; return 0; }
static int use_choice(void **state) { (void)state; tally_mode = 0; return 0; }

/* Actors are the caller's dense ids (the glue numbers keys): small actor numbers serve as ids. */
static void add(gcohort *c, uint32_t actor, const char *ts, int is_start, int64_t value) {
  assert_null(gcohort_add(c, actor, T(ts), is_start, value, 0));
}

/* "cohort_day|size|period|retained|complete" per cell, ';'-joined, into buf, as of as_of. */
static const char *cells_text(gcohort *c, const char *as_of, char *buf, size_t len) {
  assert_null(gcohort_finish(c, T(as_of), NULL, 1, NULL));
  size_t at = 0;
  buf[0] = '\0';
  const gcohort_cell *cells = gcohort_cells(c);
  for (int64_t i = 0; i < gcohort_ncells(c); i++) {
    char day[16];
    gtime_format_day(cells[i].cohort_day, day);
    at += (size_t)snprintf(buf + at, len - at, "%s%s|%lld|%lld|%lld|%d", i ? ";" : "", day,
                           (long long)cells[i].cohort_size, (long long)cells[i].period,
                           (long long)cells[i].retained, cells[i].complete);
    assert_true(at < len);
  }
  return buf;
}

/* Weekly (Monday) calendar periods; 2024-01-01 is a Monday.
** a1: starts Mon 01-01, back Tue 01-09 (week 1).   a2: starts Tue 01-02, back Sat 01-20 (week 2).
** a3: starts Mon 01-08 and returns Tue 01-09 (same week: period 0 only).
** as_of = 2024-01-21 00:00 (the midnight after the latest row's day, 01-20): the last instant
** before it is in week 01-15, so cohort 01-01 shows periods 0..2, cohort 01-08 periods 0..1; a
** period is complete when its week ended by 01-21 (01-15 yes, 01-22 no). */
static void calendar_weeks(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_WEEK);
  gcohort *c = gcohort_new(&o);
  add(c, 1, "2024-01-01", 0, 0);
  add(c, 1, "2024-01-09", 0, 0);
  add(c, 2, "2024-01-20", 0, 0);
  add(c, 2, "2024-01-02", 0, 0);  /* order does not matter */
  add(c, 3, "2024-01-08", 0, 0);
  add(c, 3, "2024-01-09", 0, 0);
  char buf[1024];
  assert_string_equal(cells_text(c, "2024-01-21", buf, sizeof buf),
                      "2024-01-01|2|0|2|1;2024-01-01|2|1|1|1;2024-01-01|2|2|1|0;"
                      "2024-01-08|1|0|1|1;2024-01-08|1|1|0|0");
  gcohort_free(c);
}

/* The same rows under on_or_after: a2 is active in period 2, so it counts in 1 and 2 as well. */
static void on_or_after_counts_later_activity(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_WEEK);
  o.on_or_after = 1;
  gcohort *c = gcohort_new(&o);
  add(c, 1, "2024-01-01", 0, 0);
  add(c, 1, "2024-01-09", 0, 0);
  add(c, 2, "2024-01-02", 0, 0);
  add(c, 2, "2024-01-20", 0, 0);
  add(c, 3, "2024-01-08", 0, 0);
  add(c, 3, "2024-01-09", 0, 0);
  char buf[1024];
  assert_string_equal(cells_text(c, "2024-01-21", buf, sizeof buf),
                      "2024-01-01|2|0|2|1;2024-01-01|2|1|2|1;2024-01-01|2|2|1|0;"
                      "2024-01-08|1|0|1|1;2024-01-08|1|1|0|0");
  gcohort_free(c);
}

/* Rolling 7-day windows from each actor's start on the same rows:
** a1 01-01 00:00 -> 01-09 is day 8: window 1.  a2 01-02 -> 01-20 is day 18: window 2.
** a3 01-08 -> 01-09 is day 1: window 0. as_of 01-21: cohort 01-01 spans (01-20 23:59:59 -
** 01-01) / 7 days = 2 windows; a window k is complete when the cohort's latest starter (a2,
** 01-02) has lived through it: 01-02 + 7(k+1) days <= 01-21, so k = 0, 1 complete and k = 2
** (01-23) not. Cohort 01-08: 12.99 days / 7 = 1; 01-08 + 7 = 01-15 <= 01-21 complete, 01-22 not. */
static void rolling_weeks(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_WEEK);
  o.rolling = 1;
  gcohort *c = gcohort_new(&o);
  add(c, 1, "2024-01-01", 0, 0);
  add(c, 1, "2024-01-09", 0, 0);
  add(c, 2, "2024-01-02", 0, 0);
  add(c, 2, "2024-01-20", 0, 0);
  add(c, 3, "2024-01-08", 0, 0);
  add(c, 3, "2024-01-09", 0, 0);
  char buf[1024];
  assert_string_equal(cells_text(c, "2024-01-21", buf, sizeof buf),
                      "2024-01-01|2|0|2|1;2024-01-01|2|1|1|1;2024-01-01|2|2|1|0;"
                      "2024-01-08|1|0|1|1;2024-01-08|1|1|0|0");
  gcohort_free(c);
}

/* Where rolling and calendar differ: Sunday 23:00 start, Monday 01:00 return.
** Calendar weeks: next week, period 1. Rolling: 2 hours later, window 0.
** And Monday 00:00 start, next Sunday 23:00 return: calendar period 0, rolling window 0;
** the Monday after at 01:00 (7 days 1 hour): calendar period 1, rolling window 1. */
static void rolling_differs_from_calendar(void **state) {
  (void)state;
  for (int rolling = 0; rolling <= 1; rolling++) {
    gcohort_opts o = base_opts(GPERIOD_WEEK);
    o.rolling = rolling;
    gcohort *c = gcohort_new(&o);
    add(c, 1, "2024-01-07 23:00", 0, 0);  /* Sunday: cohort week of 01-01 */
    add(c, 1, "2024-01-08 01:00", 0, 0);
    add(c, 2, "2024-01-08 00:00", 0, 0);  /* Monday: cohort week of 01-08 */
    add(c, 2, "2024-01-14 23:00", 0, 0);
    add(c, 2, "2024-01-15 01:00", 0, 0);
    char buf[1024];
    cells_text(c, "2024-01-31", buf, sizeof buf);
    const gcohort_cell *cells = gcohort_cells(c);
    /* as_of 01-31: the last instant before it, 01-30 23:59:59, is in week 01-29: calendar periods
    ** 0..4 for cohort 01-01; rolling (01-30 23:59:59 - 01-07 23:00) / 7 days = 3 */
    if (!rolling) {
      assert_string_equal(buf, "2024-01-01|1|0|1|1;2024-01-01|1|1|1|1;2024-01-01|1|2|0|1;2024-01-01|1|3|0|1;"
                               "2024-01-01|1|4|0|0;"
                               "2024-01-08|1|0|1|1;2024-01-08|1|1|1|1;2024-01-08|1|2|0|1;2024-01-08|1|3|0|0");
    } else {
      /* a1: windows from 01-07 23:00; 01-30 23:59:59 is 23 days later: window 3, incomplete.
      ** a2: from 01-08 00:00; 01-14 23:00 is window 0, 01-15 01:00 is window 1; 01-30 is day 22: 3. */
      assert_string_equal(buf, "2024-01-01|1|0|1|1;2024-01-01|1|1|0|1;2024-01-01|1|2|0|1;2024-01-01|1|3|0|0;"
                               "2024-01-08|1|0|1|1;2024-01-08|1|1|1|1;2024-01-08|1|2|0|1;2024-01-08|1|3|0|0");
    }
    (void)cells;
    gcohort_free(c);
  }
}

/* is_start: only start rows open a cohort; rows before the start are not returns (nor value);
** an actor with no start row is in no cohort. Values are summed per cell. as_of 03-02, the
** midnight after the latest row's day: March is listed, not complete. */
static void is_start_and_values(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_MONTH);
  o.has_is_start = 1;
  o.has_value = 1;
  gcohort *c = gcohort_new(&o);
  add(c, 1, "2024-01-05", 0, 100);   /* before a1's start: ignored */
  add(c, 1, "2024-01-20", 1, 1000);  /* a1 starts: cohort 2024-01 */
  add(c, 1, "2024-02-25", 1, 250);   /* a later start row is just activity */
  add(c, 1, "2024-03-01", 0, 5);
  add(c, 2, "2024-01-31 23:59:59", 1, 700);  /* month end: cohort 2024-01 */
  add(c, 2, "2024-02-01 00:00:00", 0, 1);    /* one second later: period 1 */
  add(c, 3, "2024-02-10", 0, 999);   /* never starts */
  char buf[1024];
  assert_string_equal(cells_text(c, "2024-03-02", buf, sizeof buf),
                      "2024-01-01|2|0|2|1;2024-01-01|2|1|2|1;2024-01-01|2|2|1|0");
  const gcohort_cell *cells = gcohort_cells(c);
  assert_int_equal(cells[0].value, 1000 + 700);
  assert_int_equal(cells[1].value, 250 + 1);
  assert_int_equal(cells[2].value, 5);
  gcohort_free(c);
}

/* tz=+08:00: 2023-12-31 18:00 UTC is 2024-01-01 02:00 local, so with yearly periods the actor's
** cohort is 2024 in UTC+8 but 2023 in UTC; its return on 2024-06-01 is period 0 vs period 1. */
static void offset_moves_the_day(void **state) {
  (void)state;
  for (int tz = 0; tz <= 1; tz++) {
    gcohort_opts o = base_opts(GPERIOD_YEAR);
    o.cal.offset_s = tz ? 8 * 3600 : 0;
    gcohort *c = gcohort_new(&o);
    add(c, 1, "2023-12-31 18:00:00", 0, 0);
    add(c, 1, "2024-06-01 00:00:00", 0, 0);
    char buf[512];
    /* as_of: the midnight after the latest row's local day, 2024-06-02 00:00 local */
    assert_string_equal(cells_text(c, tz ? "2024-06-01 16:00" : "2024-06-02", buf, sizeof buf),
                        tz ? "2024-01-01|1|0|1|0" : "2023-01-01|1|0|1|1;2023-01-01|1|1|1|0");
    gcohort_free(c);
  }
}

/* periods=N caps the periods shown; as_of decides which periods are listed and complete (rows
** at or after it never reach the engine: the glue drops them, tests/sql/cohort_retention.sql). */
static void periods_and_as_of(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_DAY);
  o.periods = 2;
  o.on_or_after = 1;
  gcohort *c = gcohort_new(&o);
  add(c, 1, "2024-01-01", 0, 0);
  add(c, 1, "2024-01-05", 0, 0);  /* day 4: beyond periods=2 yet still "on or after" day 1 */
  add(c, 2, "2024-01-01", 0, 0);
  char buf[512];
  assert_string_equal(cells_text(c, "2024-01-10 12:00", buf, sizeof buf), "2024-01-01|2|0|2|1;2024-01-01|2|1|1|1");
  gcohort_free(c);
}

/* Segments (channel quality): first-touch by default, last-touch on request; a tie of
** instants goes to the smaller segment as the comparison orders them, whatever the row order.
** Segment ids 1 'web', 2 'app' (compared by name: app < web), 0 NULL.
** a1: 01-02 web, 01-09 app (returns in week 1).  a2: 01-03 app and 01-03 web at the same
** instant.  a3: 01-04 with no segment (NULL). Monday weeks; as_of 01-15.
** First-touch: web {a1}, app {a2 (tie: app < web)}, NULL {a3}. Output blocks in rank order:
** NULL, app, web. Last-touch: a1 -> app (01-09), a2 -> web (tie: the larger), a3 -> NULL. */
static int by_name(void *ctx, uint32_t a, uint32_t b) {
  (void)ctx;
  static const int rank[3] = {0, 2, 1};  /* NULL, web, app -> NULL < app < web */
  return rank[a] - rank[b];
}

static void segments(void **state) {
  (void)state;
  static const uint32_t out_rank[3] = {0, 2, 1};
  for (int last = 0; last <= 1; last++) {
    for (int order = 0; order <= 1; order++) {
      gcohort_opts o = base_opts(GPERIOD_WEEK);
      o.has_segment = 1;
      o.segment_last = last;
      o.segment_cmp = by_name;
      struct { uint32_t a; const char *ts; uint32_t seg; } rows[] = {
        {1, "2024-01-02", 1}, {1, "2024-01-09", 2}, {2, "2024-01-03", 2}, {2, "2024-01-03", 1}, {3, "2024-01-04", 0},
      };
      gcohort *c = gcohort_new(&o);
      for (int k = 0; k < 5; k++) {
        int r = order ? 4 - k : k;  /* the same rows backwards: the same answer */
        assert_null(gcohort_add(c, rows[r].a, T(rows[r].ts), 0, 0, rows[r].seg));
      }
      assert_null(gcohort_finish(c, T("2024-01-15"), out_rank, 3, NULL));
      const gcohort_cell *cells = gcohort_cells(c);
      char buf[256];
      size_t at = 0;
      for (int64_t i = 0; i < gcohort_ncells(c); i++)
        at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%u:%lld|%lld", i ? ";" : "", cells[i].segment,
                               (long long)cells[i].period, (long long)cells[i].retained);
      /* every block is cohort 2024-01-01 with periods 0 and 1 */
      assert_string_equal(buf, last ? "0:0|1;0:1|0;2:0|1;2:1|1;1:0|1;1:1|0"    /* NULL a3; app a1; web a2 */
                                    : "0:0|1;0:1|0;2:0|1;2:1|0;1:0|1;1:1|1");  /* NULL a3; app a2; web a1 */
      gcohort_free(c);
    }
  }
}

/* More rows than one storage chunk (65536): 300000 rows over 1000 actors, each active on
** day 0 and on day (actor % 3) + 1 repeatedly. Day 1..3 retained = the actors with that residue. */
static void many_rows(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_DAY);
  gcohort *c = gcohort_new(&o);
  int64_t day0 = T("2024-03-01");
  for (int64_t i = 0; i < 300000; i++) {
    uint32_t actor = (uint32_t)(i % 1000);
    int64_t ts = i < 1000 ? day0 : day0 + ((actor % 3) + 1) * GTIME_US_PER_DAY + (i % 3600) * GTIME_US_PER_SEC;
    assert_null(gcohort_add(c, actor, ts, 0, 0, 0));
  }
  assert_null(gcohort_finish(c, day0 + 4 * GTIME_US_PER_DAY, NULL, 1, NULL));  /* days 0..3 */
  assert_int_equal(gcohort_ncells(c), 4);
  const gcohort_cell *cells = gcohort_cells(c);
  assert_int_equal(cells[0].retained, 1000);
  assert_int_equal(cells[1].retained, 334);  /* 0, 3, ..., 999 */
  assert_int_equal(cells[2].retained, 333);
  assert_int_equal(cells[3].retained, 333);
  gcohort_free(c);
}

static void empty_and_too_fine(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_DAY);
  gcohort *c = gcohort_new(&o);
  assert_null(gcohort_finish(c, 0, NULL, 1, NULL));
  assert_int_equal(gcohort_ncells(c), 0);
  gcohort_free(c);
  /* two cohorts 9000 years apart in days: refused, not 3 million rows of output */
  c = gcohort_new(&o);
  add(c, 1, "0100-01-01", 0, 0);
  add(c, 2, "9100-01-01", 0, 0);
  assert_non_null(gcohort_finish(c, T("9100-01-02"), NULL, 1, NULL));
  gcohort_free(c);
}

/* ---- cohort_retention() against sql/reference/cohort_retention.sql ---- */

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

/* Generated data (recursive CTE): 4000 rows, 157 integer actors, times scattered over
** 2023-11-15 .. 2024-03-13 (a year boundary, month ends), about one row in four a start row,
** some NULL actors and times, values in cents. */
static const char generate[] =
  "CREATE TABLE generated AS WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 4000)"
  " SELECT CASE WHEN i % 211 = 0 THEN NULL ELSE (i * 37) % 157 END AS actor,"
  "        CASE WHEN i % 389 = 0 THEN NULL ELSE datetime(1700006400 + (i * 104729) % 10368000, 'unixepoch') END AS ts,"
  "        CASE WHEN i % 4 = 0 OR i % 7 = 0 THEN 1 ELSE 0 END AS is_start,"
  "        ((i * 7919) % 100000) / 100.0 AS value"
  " FROM x;";

typedef struct scenario { const char *period; int tz_minutes; const char *week_start; int rolling, on_or_after, periods; } scenario;

static void matches_reference_query(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  assert_int_equal(sqlite3_growth_init(db, &err, NULL), SQLITE_OK);
  exec_ok(db, generate);
  /* first activity instead of is_start: every row a start row */
  exec_ok(db, "CREATE TABLE first_activity AS SELECT actor, ts, 1 AS is_start, value FROM generated");
  char *reference = read_file("sql/reference/cohort_retention.sql");
  assert_non_null(reference);  /* run from the repository root */
  static const scenario cases[] = {
    {"week", 0, "monday", 0, 0, 0},    {"week", 480, "sunday", 0, 0, 0},  {"week", -300, "monday", 0, 1, 0},
    {"month", 0, "monday", 0, 0, 0},   {"month", 480, "monday", 0, 1, 3}, {"day", 0, "monday", 0, 0, 0},
    {"day", 330, "monday", 1, 0, 0},   {"week", 0, "monday", 1, 1, 0},    {"month", -480, "sunday", 1, 0, 0},
    {"week", 0, "sunday", 0, 1, 5},
  };
  for (int table = 0; table < 2; table++) {
    const char *name = table ? "first_activity" : "generated";
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
      const scenario *s = &cases[i];
      char *sql = sqlite3_mprintf(
        "DROP VIEW IF EXISTS cohort_source; DROP TABLE IF EXISTS cohort_params; DROP TABLE IF EXISTS ref; DROP TABLE IF EXISTS got;"
        "CREATE TEMP VIEW cohort_source AS SELECT * FROM %s;"
        "CREATE TABLE cohort_params AS SELECT %Q AS period, %d AS tz_minutes, %Q AS week_start, %d AS rolling,"
        "  %d AS on_or_after, %d AS max_periods;",
        name, s->period, s->tz_minutes, s->week_start, s->rolling, s->on_or_after, s->periods);
      exec_ok(db, sql);
      sqlite3_free(sql);
      /* the reference reads cohort_source, a view over the chosen table here */
      char *ref = sqlite3_mprintf("CREATE TABLE ref AS\n%s", reference);
      exec_ok(db, ref);
      sqlite3_free(ref);
      char opts[128];
      snprintf(opts, sizeof opts, "tz=%+03d:%02d, week_start=%s%s%s", s->tz_minutes / 60, abs(s->tz_minutes) % 60,
               s->week_start, s->rolling ? ", rolling" : "", s->on_or_after ? ", on_or_after" : "");
      if (s->periods) snprintf(opts + strlen(opts), sizeof opts - strlen(opts), ", periods=%d", s->periods);
      sql = sqlite3_mprintf("CREATE TABLE got AS SELECT cohort, cohort_size, period, retained, rate, value_cents, complete"
                            " FROM cohort_retention('SELECT actor, ts, is_start, value FROM cohort_source', %Q, %Q)",
                            s->period, opts);
      exec_ok(db, sql);
      sqlite3_free(sql);
      int64_t rows = scalar(db, "SELECT count(*) FROM ref");
      int64_t differing = scalar(db,
        "SELECT (SELECT count(*) FROM (SELECT * FROM ref EXCEPT SELECT * FROM got))"
        "     + (SELECT count(*) FROM (SELECT * FROM got EXCEPT SELECT * FROM ref))");
      if (differing != 0 || rows == 0 || rows != scalar(db, "SELECT count(*) FROM got"))
        fail_msg("%s %s '%s': %lld reference rows, %lld differing", name, s->period, opts, (long long)rows,
                 (long long)differing);
      /* the cells must actually retain someone beyond period 0, or the comparison is weak */
      assert_true(scalar(db, "SELECT count(*) FROM got WHERE period > 0 AND retained > 0") > 0);
    }
  }
  free(reference);
  sqlite3_close(db);
}

/* The tallies agree on pseudo-random data with every option combination: 20000 rows, 700
** actors, 200 days, periods day and week (over 64 periods: several bitset words). Variants 16..63 have no value column, so the engine's own choice keeps calendar periods per
** actor as rows arrive: daily periods over 200 days overflow the 64-period windows (some rows
** stored, every window unpacked), weekly ones fit; with and without is_start, 1..3 months. */
static void tallies_agree(void **state) {
  (void)state;
  for (int variant = 0; variant < 64; variant++) {
    gcohort *engines[3];
    int tallies = variant < 16 ? 2 : 3;
    for (int t = 0; t < tallies; t++) {
      gcohort_opts o = base_opts(variant & 1 ? GPERIOD_WEEK : GPERIOD_DAY);
      if (variant >= 48) o.cal.period = variant & 1 ? GPERIOD_MONTH : GPERIOD_DAY;
      o.rolling = (variant >> 1) & 1;
      o.on_or_after = (variant >> 2) & 1;
      o.has_is_start = variant < 32;
      o.has_value = variant < 16;
      o.periods = variant & 8 ? 40 : 0;
      o.tally = (t + 1) % 3;
      engines[t] = gcohort_new(&o);
      uint64_t x = 88172645463325252u;
      int64_t t0 = T("2024-01-01");
      for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;  /* xorshift64 */
        int64_t ts = t0 + (int64_t)((x >> 16) % (200 * 86400)) * GTIME_US_PER_SEC;
        /* from variant 16, actors 0..99 are active over 20 days only: their days fit a window */
        uint32_t actor = (uint32_t)(x % 700);
        if (variant >= 16 && actor < 100) ts = t0 + (int64_t)((x >> 16) % (20 * 86400)) * GTIME_US_PER_SEC;
        assert_null(gcohort_add(engines[t], actor, ts, (x >> 50) % 5 == 0, (int64_t)((x >> 20) % 10000), 0));
      }
      assert_null(gcohort_finish(engines[t], t0 + 200 * GTIME_US_PER_DAY, NULL, 1, NULL));
    }
    for (int t = 1; t < tallies; t++) {
      assert_int_equal(gcohort_ncells(engines[0]), gcohort_ncells(engines[t]));
      assert_true(gcohort_ncells(engines[0]) > (variant >= 48 && (variant & 1) ? 5 : 100));
      int64_t retained_later = 0;
      for (int64_t i = 0; i < gcohort_ncells(engines[0]); i++) {
        const gcohort_cell *a = &gcohort_cells(engines[0])[i], *b = &gcohort_cells(engines[t])[i];
        assert_int_equal(a->cohort_day, b->cohort_day);
        assert_int_equal(a->cohort_size, b->cohort_size);
        assert_int_equal(a->period, b->period);
        assert_int_equal(a->retained, b->retained);
        assert_int_equal(a->value, b->value);
        assert_int_equal(a->complete, b->complete);
        if (a->period > 0) retained_later += a->retained;
      }
      assert_true(retained_later > 0);
    }
    for (int t = 0; t < tallies; t++) gcohort_free(engines[t]);
  }
}

/* Rows added a batch at a time (gcohort_add_rows, the glue's way for a source of actor and ts)
** and kept as windows give the cells of rows added one at a time and tallied from events: every
** period kind, offsets east and west, weeks from Sunday, on_or_after, and spans of 3 to 40 years,
** beyond the days whose month the engine looks up in a table. */
static void add_rows_agree(void **state) {
  (void)state;
  static const int32_t offsets[] = {0, 8 * 3600, -(5 * 3600 + 1800)};
  for (int variant = 0; variant < 5 * 3 * 2 * 2; variant++) {
    gcohort_opts o;
    memset(&o, 0, sizeof o);
    o.cal.period = (gperiod)(variant % 5);
    o.cal.offset_s = offsets[(variant / 5) % 3];
    o.cal.week_starts_sunday = (variant / 15) % 2;
    o.on_or_after = (variant / 30) % 2;
    int64_t years = o.cal.period == GPERIOD_DAY ? 3 : o.cal.period == GPERIOD_WEEK ? 10 : 40;
    o.tally = 1;
    gcohort *one = gcohort_new(&o);
    o.tally = 0;
    gcohort *batched = gcohort_new(&o);
    uint32_t actors[1000];
    int64_t ts[1000];
    uint32_t n = 0;
    uint64_t x = 0x9E3779B97F4A7C15u + (uint64_t)variant;
    int64_t t0 = T("2000-01-01");
    for (int i = 0; i < 30000; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17; /* xorshift64 */
      actors[n] = (uint32_t)(x % 500);
      /* most actors' rows lie within a few periods (windows), the rest anywhere in the span */
      int64_t span = actors[n] < 400 ? 20 * 86400 * (o.cal.period + 1) : years * 365 * 86400;
      ts[n] = t0 + (int64_t)(actors[n] % 97) * 30 * 86400 * GTIME_US_PER_SEC +
              (int64_t)((x >> 16) % (uint64_t)span) * GTIME_US_PER_SEC + (int64_t)(x % 1000000);
      assert_null(gcohort_add(one, actors[n], ts[n], 0, 0, 0));
      if (++n == 1000 || i % 7777 == 0) {
        assert_null(gcohort_add_rows(batched, actors, ts, n));
        n = 0;
      }
    }
    assert_null(gcohort_add_rows(batched, actors, ts, n));
    assert_int_equal(gcohort_rows(one), gcohort_rows(batched));
    assert_int_equal(gcohort_max_ts(one), gcohort_max_ts(batched));
    int64_t as_of = t0 + (years + 10) * 365 * GTIME_US_PER_DAY;
    assert_null(gcohort_finish(one, as_of, NULL, 1, NULL));
    assert_null(gcohort_finish(batched, as_of, NULL, 1, NULL));
    assert_int_equal(gcohort_ncells(one), gcohort_ncells(batched));
    assert_true(gcohort_ncells(one) > 10);
    for (int64_t i = 0; i < gcohort_ncells(one); i++) {
      const gcohort_cell *a = &gcohort_cells(one)[i], *b = &gcohort_cells(batched)[i];
      assert_int_equal(a->cohort_day, b->cohort_day);
      assert_int_equal(a->cohort_size, b->cohort_size);
      assert_int_equal(a->period, b->period);
      assert_int_equal(a->retained, b->retained);
      assert_int_equal(a->complete, b->complete);
    }
    gcohort_free(one);
    gcohort_free(batched);
  }
}

/* A gcancel that says stop at its stop_at-th poll. */
typedef struct poll_count { int polls, stop_at; } poll_count;
static int stop_at_poll(void *ctx) {
  poll_count *p = ctx;
  return ++p->polls >= p->stop_at;
}

/* 400k events (40k actors x 10 days, daily periods): finishing polls its gcancel every
** GCANCEL_PERIOD units of work, and stopping at any of those polls returns gcancel_reason with
** nothing computed (and nothing leaked: the cmocka allocator and ASan check that). Without a
** gcancel, or one that never says stop, the cells are the same. */
static void stops_when_told(void **state) {
  (void)state;
  gcohort_opts o = base_opts(GPERIOD_DAY);
  int polls_in_full_run = 0;
  for (int stop_at = 1; stop_at < 1000; stop_at++) {
    gcohort *c = gcohort_new(&o);
    for (int64_t a = 0; a < 40000; a++)
      for (int d = 0; d < 10; d++) assert_null(gcohort_add(c, (uint32_t)a, T("2024-01-01") + d * GTIME_US_PER_DAY + a, 0, 0, 0));
    poll_count n = {0, stop_at};
    gcancel cancel = {stop_at_poll, &n, GCANCEL_PERIOD, 0};
    const char *why = gcohort_finish(c, T("2024-01-11"), NULL, 1, &cancel);
    if (why == NULL) {
      /* every actor is active on each of its 10 days: 40000 retained in periods 0..9 */
      assert_int_equal(gcohort_ncells(c), 10);
      for (int p = 0; p < 10; p++) assert_int_equal(gcohort_cells(c)[p].retained, 40000);
      polls_in_full_run = n.polls;
      gcohort_free(c);
      break;
    }
    assert_ptr_equal(why, gcancel_reason);
    assert_int_equal(n.polls, stop_at);  /* stopped at that poll, asked no more */
    assert_int_equal(gcohort_ncells(c), 0);
    gcohort_free(c);
  }
  /* 400k events pass through several loops: at least 400000 / 65536 = 6 polls; the engine's own
  ** choice keeps these rows as 40k actors' windows, tallied per actor: fewer polls */
  assert_true(polls_in_full_run >= (tally_mode ? 6 : 1));
}

#define EACH_TALLY(f) \
  cmocka_unit_test_setup(f, use_bitsets), cmocka_unit_test_setup(f, use_sort), cmocka_unit_test_setup(f, use_choice)

int main(void) {
  const struct CMUnitTest tests[] = {
    EACH_TALLY(calendar_weeks),
    EACH_TALLY(on_or_after_counts_later_activity),
    EACH_TALLY(rolling_weeks),
    EACH_TALLY(rolling_differs_from_calendar),
    EACH_TALLY(is_start_and_values),
    EACH_TALLY(offset_moves_the_day),
    EACH_TALLY(periods_and_as_of),
    EACH_TALLY(many_rows),
    EACH_TALLY(empty_and_too_fine),
    EACH_TALLY(stops_when_told),
    EACH_TALLY(segments),
    cmocka_unit_test(tallies_agree),
    cmocka_unit_test(add_rows_agree),
    cmocka_unit_test(matches_reference_query),
  };
  return cmocka_run_group_tests_name("cohort", tests, NULL, NULL);
}
