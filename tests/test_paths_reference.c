/*
** test_paths_reference.c: paths() and churn_points() against the plain-SQL references
** sql/reference/{paths,churn_points}.sql on generated data (zero differing rows expected, for
** several anchors, step limits, as_of dates, churn windows and depths), and properties on the
** same data under many option sets:
** - no edge or drop-off out of a node has more actors than the node;
** - journeys >= actors in every row;
** - path_actors' journeys add up to paths' node journeys at the first step;
** - rows in another order (shuffled, actors arriving in another order) give the identical
**   output, row for row, from paths, path_actors and churn_points.
** Runs from the repository root (it reads sql/reference/).
*/
#include <stdio.h>

#include "reference_harness.h"

/* Generated data: about 6000 rows of 300 actors over two months. Each actor has visits of a few
** events (a shop's view, list, item, cart, pay, help) a few seconds to an hour apart, with
** repeats (collapse), equal timestamps (ties by name), gaps of exactly 30 minutes, NULL actors,
** times and events; integer and text actors. */
static const char generate[] =
  "CREATE TABLE gen AS WITH RECURSIVE x(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM x WHERE i < 5999),"
  " r AS (SELECT i, (i * 7919) % 300 AS a, i / 300 AS v, (i * 2654435761) % 4294967291 AS h FROM x)"
  " SELECT CASE WHEN i % 311 = 5 THEN NULL WHEN a % 7 = 0 THEN 'u' || a ELSE a END AS actor,"
  "        CASE WHEN i % 401 = 7 THEN NULL"
  "             ELSE datetime(1704067200 + (a * 53 % 40) * 86400 + v * CASE h % 5 WHEN 0 THEN 1800 WHEN 1 THEN 0"
  "                  WHEN 2 THEN 40 ELSE 700 + h % 3000 END, 'unixepoch') END AS ts,"
  "        CASE WHEN i % 397 = 3 THEN NULL"
  "             ELSE CASE (a * 3 + v * 5 + h % 3) % 7 WHEN 0 THEN 'view' WHEN 1 THEN 'list' WHEN 2 THEN 'item'"
  "             WHEN 3 THEN 'cart' WHEN 4 THEN 'pay' WHEN 5 THEN CASE WHEN a % 4 = 0 THEN 'help' ELSE 'list' END"
  "             ELSE 'view' END END AS event"
  " FROM r;"
  "CREATE TABLE gen_shuffled AS SELECT * FROM gen ORDER BY (rowid * 2654435761) % 4294967291;";

static int setup(void **state) {
  (void)state;
  return ref_open(generate);
}

static int teardown(void **state) {
  (void)state;
  return ref_close();
}

static void paths_matches_reference(void **state) {
  (void)state;
  char *ref_sql = reference("sql/reference/paths.sql");
  static const struct {
    const char *start;
    int steps;
  } cases[] = {{"view", 5}, {"cart", 3}, {"item", 2}, {"help", 7}, {"pay", 50}};
  exec_ok("CREATE TEMP VIEW paths_source(actor, ts, event) AS SELECT actor, ts, event FROM gen;");
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char *sql = sqlite3_mprintf(
      "DROP TABLE IF EXISTS paths_params; DROP TABLE IF EXISTS ref; DROP TABLE IF EXISTS got;"
      "CREATE TEMP TABLE paths_params AS SELECT %Q AS start_event, %d AS steps;"
      "CREATE TABLE ref AS SELECT kind, step, from_event, to_event, actors, journeys, round(avg_seconds, 6) FROM (%s);"
      "CREATE TABLE got AS SELECT kind, step, from_event, to_event, actors, journeys, round(avg_seconds, 6)"
      " FROM paths('SELECT actor, ts, event FROM gen', 'start=%s, gap=none, steps=%d');",
      cases[k].start, cases[k].steps, ref_sql, cases[k].start, cases[k].steps);
    exec_ok(sql);
    sqlite3_free(sql);
    char what[64];
    snprintf(what, sizeof what, "paths start=%s steps=%d", cases[k].start, cases[k].steps);
    same_rows(what, 8);
  }
  free(ref_sql);
}

static void churn_points_matches_reference(void **state) {
  (void)state;
  char *ref_sql = reference("sql/reference/churn_points.sql");
  static const struct {
    const char *as_of; /* NULL: the default */
    int days, depth;
  } cases[] = {{NULL, 30, 1}, {NULL, 10, 2}, {"2024-02-01", 7, 3}, {"2024-01-20", 1, 1}, {"2024-03-15", 30, 5}};
  exec_ok("CREATE TEMP VIEW churn_source(actor, ts, event) AS SELECT actor, ts, event FROM gen;");
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char *sql = sqlite3_mprintf(
      "DROP TABLE IF EXISTS churn_params; DROP TABLE IF EXISTS ref; DROP TABLE IF EXISTS got;"
      "CREATE TEMP TABLE churn_params AS SELECT %Q AS as_of, %d AS churned_days, %d AS depth;"
      "CREATE TABLE ref AS SELECT last_events, actors, round(share, 9), round(median_days_since_last, 6) FROM (%s);"
      "CREATE TABLE got AS SELECT last_events, actors, round(share, 9), round(median_days_since_last, 6)"
      " FROM churn_points('SELECT actor, ts, event FROM gen', %Q, 'churned=%d days, depth=%d');",
      cases[k].as_of, cases[k].days, cases[k].depth, ref_sql, cases[k].as_of, cases[k].days, cases[k].depth);
    exec_ok(sql);
    sqlite3_free(sql);
    char what[80];
    snprintf(what, sizeof what, "churn_points as_of=%s churned=%d depth=%d", cases[k].as_of ? cases[k].as_of : "-",
             cases[k].days, cases[k].depth);
    same_rows(what, 3);
  }
  free(ref_sql);
}

static const char *const option_sets[] = {
  "",
  "steps=3",
  "no_collapse, steps=8",
  "start=cart",
  "start=view, occurrence=every, timing=last",
  "end=pay",
  "end=pay, occurrence=every, steps=2",
  "start=list, end=pay, steps=4",
  "start=view, window=2 hours",
  "end=cart, window=1 day",
  "top=2",
  "top=1, start=view, min_actors=3",
  "gap=none",
  "gap=1 minute, exclude=help",
  "include=view;c;p, group=(c*=>c;p*=>p)",
  "exclude_actors=help, steps=50",
};

static void properties(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof option_sets / sizeof option_sets[0]; k++) {
    const char *o = option_sets[k];
    /* path_actors lists journeys: top and min_actors are paths' own */
    const char *jo = strstr(o, "top=") ? "" : o;
    char *sql = sqlite3_mprintf(
      "DROP TABLE IF EXISTS pa; DROP TABLE IF EXISTS pa_sh; DROP TABLE IF EXISTS ja; DROP TABLE IF EXISTS ja_sh;"
      "CREATE TABLE pa AS SELECT row_number() OVER () AS i, * FROM paths('SELECT actor, ts, event FROM gen', %Q);"
      "CREATE TABLE pa_sh AS SELECT row_number() OVER () AS i, * FROM paths('SELECT actor, ts, event FROM gen_shuffled', %Q);"
      "CREATE TABLE ja AS SELECT row_number() OVER () AS i, * FROM path_actors('SELECT actor, ts, event FROM gen', %Q);"
      "CREATE TABLE ja_sh AS SELECT row_number() OVER () AS i, *"
      " FROM path_actors('SELECT actor, ts, event FROM gen_shuffled', %Q);",
      o, o, jo, jo);
    exec_ok(sql);
    sqlite3_free(sql);
    int64_t rows = scalar("SELECT count(*) FROM pa");
    if (rows < 3) fail_msg("options '%s': only %lld rows", o, (long long)rows);
    /* shuffled input: identical rows in identical order (row_number() follows the output order) */
    int64_t differ = scalar(
      "SELECT (SELECT count(*) FROM (SELECT * FROM pa EXCEPT SELECT * FROM pa_sh))"
      " + (SELECT count(*) FROM (SELECT * FROM pa_sh EXCEPT SELECT * FROM pa))"
      " + (SELECT count(*) FROM (SELECT * FROM ja EXCEPT SELECT * FROM ja_sh))"
      " + (SELECT count(*) FROM (SELECT * FROM ja_sh EXCEPT SELECT * FROM ja))");
    if (differ) fail_msg("options '%s': %lld rows differ when the input is shuffled", o, (long long)differ);
    /* journeys >= actors; an edge or drop-off never exceeds its node's actors */
    int64_t bad = scalar("SELECT count(*) FROM pa WHERE journeys < actors");
    if (bad) fail_msg("options '%s': %lld rows with fewer journeys than actors", o, (long long)bad);
    bad = scalar(
      "SELECT count(*) FROM pa AS e LEFT JOIN pa AS n ON n.kind = 'node' AND n.step = e.step"
      " AND n.from_event = e.from_event WHERE e.kind <> 'node' AND (n.actors IS NULL OR e.actors > n.actors)");
    if (bad && !strstr(o, "min_actors"))
      fail_msg("options '%s': %lld edges or drop-offs exceed their node", o, (long long)bad);
    /* one path_actors row per journey: as many as journeys through the first step */
    int64_t journeys = scalar("SELECT count(*) FROM ja");
    int64_t first = scalar(
      "SELECT coalesce(sum(journeys), 0) FROM pa WHERE kind = 'node'"
      " AND step = (SELECT min(step) FROM pa WHERE kind = 'node' AND step >= 0)");
    if (!strstr(o, "end=") && !strstr(o, "top=") && journeys != first)
      fail_msg("options '%s': %lld journeys in path_actors, %lld at the first step", o, (long long)journeys,
               (long long)first);
  }
  /* churn_points on shuffled input */
  exec_ok(
    "DROP TABLE IF EXISTS ref; DROP TABLE IF EXISTS got;"
    "CREATE TABLE ref AS SELECT row_number() OVER () AS i, *"
    " FROM churn_points('SELECT actor, ts, event FROM gen', '2024-02-20', 'depth=3, churned=3 days');"
    "CREATE TABLE got AS SELECT row_number() OVER () AS i, *"
    " FROM churn_points('SELECT actor, ts, event FROM gen_shuffled', '2024-02-20', 'depth=3, churned=3 days');");
  same_rows("churn_points shuffled", 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(paths_matches_reference),
    cmocka_unit_test(churn_points_matches_reference),
    cmocka_unit_test(properties),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
