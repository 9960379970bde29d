/*
** test_lifecycle_reference.c: lifecycle(), actor_status() and active_users() against the
** plain-SQL references sql/reference/{lifecycle,actor_status,active_users}.sql on generated data
** (zero differing rows expected, for several periods, offsets, week starts, attributions and
** windows), and properties on the same data:
** - the lifecycle identity active(t) - active(t-1) = new + resurrecting - dormant in every row
**   that has a previous period;
** - the statuses of a period add up to its active actors, counted by plain SQL, and
**   lifecycle_actors' rows to lifecycle's counts;
** - actor_status lists every actor seen once, and actor_transitions adds up to them;
** - rows in another order (shuffled) give the identical output, row for row, from all six
**   functions.
** Runs from the repository root (it reads sql/reference/).
*/
#include <stdio.h>

#include "reference_harness.h"

/* Generated data: about 4200 rows of 400 integer actors over five months (2023-11-01 ..
** 2024-03-30: a year end, February of a leap year). Actor a arrives on day (a * 53) % 120 and
** comes back every 1 + (a * 37) % 12 days; after 1 + (a * 13) % 15 visits it stays away for 35
** days and returns (dormant, then resurrecting); nothing after day 150. Channels vary by visit;
** some NULL actors, times and channels. */
static const char generate[] =
  "CREATE TABLE gen AS WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x WHERE i < 5999),"
  " r AS (SELECT i, (i * 7919) % 400 AS a, i / 400 AS v FROM x),"
  " d AS (SELECT i, a, v, (a * 53) % 120 + v * (1 + (a * 37) % 12) + CASE WHEN v >= 1 + (a * 13) % 15 THEN 35 ELSE 0 END"
  "       AS day FROM r)"
  " SELECT CASE WHEN i % 307 = 5 THEN NULL ELSE a END AS actor,"
  "        CASE WHEN i % 401 = 7 OR day > 150 THEN NULL"
  "             ELSE datetime(1698796800 + day * 86400 + (i * 2654435761) % 86400, 'unixepoch') END AS ts,"
  "        CASE (a * 3 + v) % 6 WHEN 0 THEN 'app' WHEN 1 THEN 'web' WHEN 2 THEN 'ads' WHEN 3 THEN 'wechat'"
  "             WHEN 4 THEN 'app' ELSE NULL END"
  "          AS segment"
  " FROM d;"
  "CREATE TABLE gen_shuffled AS SELECT * FROM gen ORDER BY (rowid * 2654435761) % 4294967291;";

static int setup(void **state) {
  (void)state;
  return ref_open(generate);
}

static int teardown(void **state) {
  (void)state;
  return ref_close();
}

static void offset_text(int minutes, char *buf, size_t n) {
  snprintf(buf, n, "%c%02d:%02d", minutes < 0 ? '-' : '+', abs(minutes) / 60, abs(minutes) % 60);
}

/* ---- lifecycle ---- */

typedef struct lc_case {
  const char *period;
  int tz_minutes;
  const char *week_start, *attribution;
  int segment;
} lc_case;

static void lifecycle_matches_reference(void **state) {
  (void)state;
  char *ref_sql = reference("sql/reference/lifecycle.sql");
  static const lc_case cases[] = {
    {"day", 0, "monday", "first", 0},    {"week", 0, "monday", "first", 0},    {"week", 480, "sunday", "first", 1},
    {"month", 0, "monday", "first", 1},  {"month", -300, "monday", "last", 1}, {"day", 330, "monday", "last", 1},
    {"week", -480, "sunday", "last", 0}, {"day", -600, "monday", "first", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const lc_case *c = &cases[i];
    char tz[16];
    offset_text(c->tz_minutes, tz, sizeof tz);
    char *sql = sqlite3_mprintf(
      "DROP VIEW IF EXISTS lifecycle_source; DROP TABLE IF EXISTS lifecycle_params; DROP TABLE IF EXISTS ref;"
      "DROP TABLE IF EXISTS got;"
      "CREATE TEMP VIEW lifecycle_source AS SELECT actor, ts, %s AS segment FROM gen;"
      "CREATE TABLE lifecycle_params AS SELECT %Q AS period, %d AS tz_minutes, %Q AS week_start, %Q AS attribution;",
      c->segment ? "segment" : "NULL", c->period, c->tz_minutes, c->week_start, c->attribution);
    exec_ok(sql);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("CREATE TABLE ref AS %s", ref_sql);
    exec_ok(sql);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("CREATE TABLE got AS SELECT * FROM lifecycle(%Q, %Q, 'tz=%s, week_start=%s, segment=%s')",
                          c->segment ? "SELECT actor, ts, segment FROM gen" : "SELECT actor, ts FROM gen", c->period,
                          tz, c->week_start, c->attribution);
    exec_ok(sql);
    sqlite3_free(sql);
    char what[128];
    snprintf(what, sizeof what, "lifecycle %s tz=%s %s %s%s", c->period, tz, c->week_start, c->attribution,
             c->segment ? " by segment" : "");
    same_rows(what, 3);
    /* the comparison must see every status somewhere */
    assert_true(scalar("SELECT min(n) FROM (SELECT sum(new) AS n FROM got UNION ALL SELECT sum(retained) FROM got"
                       " UNION ALL SELECT sum(resurrecting) FROM got UNION ALL SELECT sum(dormant) FROM got)") > 0);

    /* the identity, in every row with a previous period of its segment */
    int64_t checked = scalar(
      "SELECT count(*) FROM (SELECT active - lag(active) OVER w AS delta, new, resurrecting, dormant"
      " FROM got WINDOW w AS (PARTITION BY segment ORDER BY period)) WHERE delta IS NOT NULL");
    int64_t broken = scalar(
      "SELECT count(*) FROM (SELECT active - lag(active) OVER w AS delta, new, resurrecting, dormant"
      " FROM got WINDOW w AS (PARTITION BY segment ORDER BY period))"
      " WHERE delta IS NOT NULL AND delta <> new + resurrecting - dormant");
    assert_true(checked > 0);
    if (broken) fail_msg("%s: the identity fails in %lld of %lld rows", what, (long long)broken, (long long)checked);
  }
  free(ref_sql);
}

/* The statuses of a period add up to the actors plain SQL finds active in it, and
** lifecycle_actors' rows add up to lifecycle's counts. */
static void statuses_add_up(void **state) {
  (void)state;
  exec_ok(
    "DROP TABLE IF EXISTS got; DROP TABLE IF EXISTS got_actors;"
    "CREATE TABLE got AS SELECT * FROM lifecycle('SELECT actor, ts FROM gen', 'week');"
    "CREATE TABLE got_actors AS SELECT * FROM lifecycle_actors('SELECT actor, ts FROM gen', 'week');");
  /* Monday weeks in UTC: the Monday on or before the row's date */
  int64_t mismatched = scalar(
    "WITH plain AS (SELECT date(ts, '+1 day', 'weekday 1', '-7 days') AS period, count(DISTINCT actor) AS n"
    "               FROM gen WHERE actor IS NOT NULL AND ts IS NOT NULL GROUP BY 1)"
    " SELECT count(*) FROM got LEFT JOIN plain USING (period)"
    " WHERE new + retained + resurrecting <> coalesce(plain.n, 0) OR active <> coalesce(plain.n, 0)");
  assert_int_equal(mismatched, 0);
  assert_true(scalar("SELECT count(*) FROM got WHERE active > 0") > 10);
  mismatched = scalar(
    "WITH per AS (SELECT period, sum(status = 'new') AS new, sum(status = 'retained') AS retained,"
    "                    sum(status = 'resurrecting') AS resurrecting, sum(status = 'dormant') AS dormant,"
    "                    sum(status = 'dormant' AND prev_status = 'new') AS from_new"
    "             FROM got_actors GROUP BY period)"
    " SELECT count(*) FROM got LEFT JOIN per USING (period)"
    " WHERE coalesce(per.new, 0) <> got.new OR coalesce(per.retained, 0) <> got.retained"
    "    OR coalesce(per.resurrecting, 0) <> got.resurrecting OR coalesce(per.dormant, 0) <> got.dormant"
    "    OR coalesce(per.from_new, 0) <> got.dormant_from_new");
  assert_int_equal(mismatched, 0);
  /* every actor row lies in a listed period, one row per (actor, period) */
  assert_int_equal(scalar("SELECT count(*) FROM got_actors WHERE period NOT IN (SELECT period FROM got)"), 0);
  assert_int_equal(scalar(
                     "SELECT count(*) FROM (SELECT actor, period FROM got_actors GROUP BY 1, 2 HAVING count(*) > 1)"),
                   0);
}

/* ---- actor_status ---- */

typedef struct as_case {
  const char *as_of;
  int tz_minutes, short_days, long_days, new_days;
} as_case;

static void actor_status_matches_reference(void **state) {
  (void)state;
  char *ref_sql = reference("sql/reference/actor_status.sql");
  static const as_case cases[] = {
    {NULL, 0, 7, 30, 1},           {"2024-01-15", 0, 7, 30, 1},
    {"2023-12-01", 480, 7, 30, 7}, {"2024-02-29", -300, 3, 14, 1},
    {"2024-03-15", 0, 14, 60, 3},  {NULL, 330, 2, 3, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const as_case *c = &cases[i];
    char tz[16];
    offset_text(c->tz_minutes, tz, sizeof tz);
    char *sql = sqlite3_mprintf(
      "DROP VIEW IF EXISTS status_source; DROP TABLE IF EXISTS status_params; DROP TABLE IF EXISTS ref;"
      "DROP TABLE IF EXISTS got;"
      "CREATE TEMP VIEW status_source AS SELECT actor, ts FROM gen;"
      "CREATE TABLE status_params AS SELECT %Q AS as_of, %d AS tz_minutes, %d AS short_days, %d AS long_days,"
      " %d AS new_days;",
      c->as_of, c->tz_minutes, c->short_days, c->long_days, c->new_days);
    exec_ok(sql);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("CREATE TABLE ref AS %s", ref_sql);
    exec_ok(sql);
    sqlite3_free(sql);
    sql = sqlite3_mprintf(
      "CREATE TABLE got AS SELECT * FROM actor_status('SELECT actor, ts FROM gen', %Q,"
      " 'tz=%s, short=%d, long=%d, new_days=%d')",
      c->as_of, tz, c->short_days, c->long_days, c->new_days);
    exec_ok(sql);
    sqlite3_free(sql);
    char what[128];
    snprintf(what, sizeof what, "actor_status as_of=%s tz=%s short=%d long=%d new_days=%d",
             c->as_of ? c->as_of : "default", tz, c->short_days, c->long_days, c->new_days);
    same_rows(what, 50);
    /* several states must occur, or the comparison is weak */
    assert_true(scalar("SELECT count(DISTINCT state) FROM got") >= 4);
    /* one row per actor seen before as_of */
    char *seen = sqlite3_mprintf(
      "SELECT count(DISTINCT actor) FROM gen WHERE actor IS NOT NULL AND ts IS NOT NULL"
      " AND (%Q IS NULL OR date(ts, '%+d minutes') < %Q)",
      c->as_of, c->tz_minutes, c->as_of);
    assert_int_equal(scalar("SELECT count(*) FROM got"), scalar(seen));
    sqlite3_free(seen);
  }
  free(ref_sql);
  /* transitions add up to the actors seen by to_day, and match two actor_status calls */
  exec_ok(
    "DROP TABLE IF EXISTS got; CREATE TABLE got AS SELECT * FROM actor_transitions('SELECT actor, ts FROM gen',"
    " '2024-01-01', '2024-02-01')");
  assert_int_equal(scalar("SELECT sum(actors) FROM got"),
                   scalar("SELECT count(DISTINCT actor) FROM gen WHERE ts < '2024-02-01' AND actor IS NOT NULL"));
  assert_int_equal(
    scalar("SELECT count(*) FROM (SELECT from_state, to_state, actors FROM got EXCEPT"
           " SELECT s1.state, s2.state, count(*) FROM actor_status('SELECT actor, ts FROM gen', '2024-02-01') AS s2"
           " LEFT JOIN actor_status('SELECT actor, ts FROM gen', '2024-01-01') AS s1 USING (actor) GROUP BY 1, 2)"),
    0);
  assert_true(scalar("SELECT count(*) FROM got") >= 8);
}

/* ---- active_users ---- */

static void active_users_matches_reference(void **state) {
  (void)state;
  char *ref_sql = reference("sql/reference/active_users.sql");
  static const int offsets[] = {0, 480, -300, 345};
  for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
    char tz[16];
    offset_text(offsets[i], tz, sizeof tz);
    char *sql = sqlite3_mprintf(
      "DROP VIEW IF EXISTS au_source; DROP TABLE IF EXISTS au_params; DROP TABLE IF EXISTS ref; DROP TABLE IF EXISTS got;"
      "CREATE TEMP VIEW au_source AS SELECT actor, ts FROM gen;"
      "CREATE TABLE au_params AS SELECT %d AS tz_minutes;"
      "CREATE TABLE ref AS %s;"
      "CREATE TABLE got AS SELECT * FROM active_users('SELECT actor, ts FROM gen', 'tz=%s');",
      offsets[i], ref_sql, tz);
    exec_ok(sql);
    sqlite3_free(sql);
    char what[64];
    snprintf(what, sizeof what, "active_users tz=%s", tz);
    same_rows(what, 100);
    assert_true(scalar("SELECT count(*) FROM got WHERE wau > dau AND mau > wau") > 20);
  }
  free(ref_sql);
}

/* ---- shuffled input, identical output ---- */

/* Every row as "a|b|c\n", values as quote() writes them (types visible). */
static char *render(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s\n%s", sqlite3_errmsg(db), sql);
  sqlite3_str *s = sqlite3_str_new(db);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      char *v = sqlite3_mprintf("%s%Q", c ? "|" : "",
                                sqlite3_column_type(st, c) == SQLITE_NULL ? NULL
                                                                          : (const char *)sqlite3_column_text(st, c));
      sqlite3_str_appendall(s, v);
      sqlite3_str_appendf(s, ":%d", sqlite3_column_type(st, c));
      sqlite3_free(v);
    }
    sqlite3_str_appendchar(s, 1, '\n');
  }
  if (rc != SQLITE_DONE) fail_msg("%s\n%s", sqlite3_errmsg(db), sql);
  sqlite3_finalize(st);
  return sqlite3_str_finish(s);
}

static void shuffled_rows_same_output(void **state) {
  (void)state;
  static const char *const calls[] = {
    "SELECT * FROM lifecycle('SELECT actor, ts, segment FROM %s', 'week')",
    "SELECT * FROM lifecycle('SELECT actor, ts, segment FROM %s', 'month', 'segment=last, tz=+08:00')",
    "SELECT * FROM lifecycle('SELECT actor, ts, ts FROM %s', 'day', 'compat=posthog, from=2024-01-01')",
    "SELECT * FROM lifecycle_actors('SELECT actor, ts, segment FROM %s', 'week')",
    "SELECT * FROM actor_status('SELECT actor, ts FROM %s', '2024-02-15')",
    "SELECT * FROM actor_transitions('SELECT actor, ts FROM %s', '2024-01-01', '2024-03-01')",
    "SELECT * FROM stickiness('SELECT actor, ts FROM %s', 'week', 'day')",
    "SELECT * FROM stickiness('SELECT actor, ts FROM %s', 'range', 'day', 'every=3, min_events=2')",
    "SELECT * FROM active_users('SELECT actor, ts FROM %s')",
    "SELECT * FROM active_users('SELECT actor, ts FROM %s', 'every=week, calendar')",
  };
  /* the two tables really are in different orders */
  assert_true(scalar("SELECT count(*) FROM gen AS a JOIN gen_shuffled AS b ON a.rowid = b.rowid"
                     " WHERE a.actor IS NOT b.actor OR a.ts IS NOT b.ts") > 5000);
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    char *a = sqlite3_mprintf(calls[i], "gen"), *b = sqlite3_mprintf(calls[i], "gen_shuffled");
    char *ra = render(a), *rb = render(b);
    if (strcmp(ra, rb) != 0) fail_msg("%s: the output depends on the order of the rows", a);
    assert_true(strlen(ra) > 100);
    sqlite3_free(ra);
    sqlite3_free(rb);
    sqlite3_free(a);
    sqlite3_free(b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(lifecycle_matches_reference),    cmocka_unit_test(statuses_add_up),
    cmocka_unit_test(actor_status_matches_reference), cmocka_unit_test(active_users_matches_reference),
    cmocka_unit_test(shuffled_rows_same_output),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
