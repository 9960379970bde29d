/*
** test_clv.c: clv() and clv_fit() reproduce the published CDNOW results through SQL.
**
** The transactions (tests/data/CDNOW_sample.txt) go into a table as CDNOW stores them (dates as
** YYYYMMDD integers, dollars as REAL); the published per-customer summary
** (tests/data/cdnow_customers_summary.csv) into another. Then, with unit=week and
** as_of=1997-10-01 (the paper's 39-week calibration period through 1997-09-30):
**   - the summary of clv() equals the published one for all 2,357 customers;
**   - clv_fit() gives Fader, Hardie and Lee (2005)'s r = 0.243, alpha = 4.414, a = 0.793,
**     b = 2.426 and LL -9582.43 (+-0.01), and lifetimes' Gamma-Gamma p = 6.25, q = 3.74,
**     v = 15.44 on the 946 repeaters;
**   - clv() gives E[Y(39)] = 1.226 and P(alive) 0.7266 for the paper's customer (customer 1:
**     x = 2, t_x = 30.43, T = 38.86), and lifetimes' expected average profit of the first ten;
**   - at the scipy MLE given as parameters, customer 1's CLV is tests/clv_oracle.py's value;
**   - the fit does not depend on the order of the source's rows, bit for bit.
** (The small hand-worked cases and every refusal are tests/sql/clv.sql.)
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "read_file.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#define CUSTOMERS 2357
#define CALIBRATION "unit=week, as_of=1997-10-01, ts_unit=yyyymmdd"

static sqlite3 *db;

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err);
}

/* Loads tests/data into tables cdnow(customer, day, dollars) and summary(id, frequency, recency, T). */
static int setup(void **state) {
  (void)state;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK || sqlite3_growth_init(db, NULL, NULL) != SQLITE_OK) return -1;
  char *tx = read_file("tests/data/CDNOW_sample.txt"), *csv = read_file("tests/data/cdnow_customers_summary.csv");
  if (!tx || !csv) {
    fprintf(stderr, "run from the repository root: cannot read tests/data\n");
    return -1;
  }
  exec("CREATE TABLE cdnow(customer INTEGER, day INTEGER, dollars REAL);"
       "CREATE TABLE summary(id INTEGER PRIMARY KEY, frequency INTEGER, recency REAL, T REAL); BEGIN");
  sqlite3_stmt *ins;
  sqlite3_prepare_v2(db, "INSERT INTO cdnow VALUES (?, ?, ?)", -1, &ins, NULL);
  char master[16];
  int customer, cds, used;
  long day;
  double dollars;
  for (char *p = tx; sscanf(p, "%15s %d %ld %d %lf%n", master, &customer, &day, &cds, &dollars, &used) == 5; p += used) {
    sqlite3_bind_int(ins, 1, customer);
    sqlite3_bind_int64(ins, 2, day);
    sqlite3_bind_double(ins, 3, dollars);
    if (sqlite3_step(ins) != SQLITE_DONE) return -1;
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  sqlite3_prepare_v2(db, "INSERT INTO summary VALUES (?, ?, ?, ?)", -1, &ins, NULL);
  double x, r, T;
  for (char *p = strchr(csv, '\n') + 1; sscanf(p, "%d,%lf,%lf,%lf%n", &customer, &x, &r, &T, &used) == 4; p += used) {
    sqlite3_bind_int(ins, 1, customer);
    sqlite3_bind_double(ins, 2, x);
    sqlite3_bind_double(ins, 3, r);
    sqlite3_bind_double(ins, 4, T);
    if (sqlite3_step(ins) != SQLITE_DONE) return -1;
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  exec("COMMIT");
  free(tx);
  free(csv);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  sqlite3_close(db);
  return 0;
}

/* The first row of sql as doubles (n columns); fails the test on an error or no row. */
static void row(const char *sql, double *out, int n) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  if (sqlite3_step(st) != SQLITE_ROW) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  for (int i = 0; i < n; i++) out[i] = sqlite3_column_double(st, i);
  sqlite3_finalize(st);
}

/* The rows of sql as text, every value with 17 significant digits. */
static char *rows_text(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  sqlite3_str *s = sqlite3_str_new(db);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      if (sqlite3_column_type(st, i) == SQLITE_FLOAT) sqlite3_str_appendf(s, "%!.17g|", sqlite3_column_double(st, i));
      else sqlite3_str_appendf(s, "%s|", sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "NULL");
    }
    sqlite3_str_appendchar(s, 1, '\n');
  }
  if (rc != SQLITE_DONE) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return sqlite3_str_finish(s);
}

static void near(double got, double want, double tol, const char *what) {
  if (!(fabs(got - want) <= tol)) fail_msg("%s = %.12g, expected %.12g +- %g", what, got, want, tol);
}

static void summary_equals_the_published_one(void **state) {
  (void)state;
  double v[3];
  /* recency and T are published in weeks to two decimals */
  row("SELECT count(*), sum(c.frequency = s.frequency AND round(c.recency, 2) = s.recency AND round(c.T, 2) = s.T),"
      " count(s.id) FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "') c"
      " LEFT JOIN summary s ON s.id = c.customer", v, 3);
  near(v[0], CUSTOMERS, 0, "customers");
  near(v[1], CUSTOMERS, 0, "customers whose summary matches");
  near(v[2], CUSTOMERS, 0, "customers found in the published summary");
  /* the reference's fact: customer 1 (master id 00004) repeats $29.73 and $14.96 in the
  ** calibration period: monetary 22.345; the cohort's repeat purchase days add up to 2,457 */
  row("SELECT monetary FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "') WHERE customer = 1", v, 1);
  near(v[0], 22.345, 1e-12, "customer 1's monetary");
  row("SELECT sum(frequency), sum(frequency = 0) FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "')",
      v, 2);
  near(v[0], 2457, 0, "repeat purchase days");
  near(v[1], 1411, 0, "customers without a repeat");
}

static void clv_fit_reproduces_the_published_parameters(void **state) {
  (void)state;
  double v[13];
  row("SELECT r, alpha, a, b, bgnbd_ll, p, q, v, gg_ll, customers, repeaters, iterations, converged"
      " FROM clv_fit('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "')", v, 13);
  /* Fader, Hardie and Lee (2005), to the published digits */
  near(v[0], 0.243, 0.0005, "r");
  near(v[1], 4.414, 0.0005, "alpha");
  near(v[2], 0.793, 0.0005, "a");
  near(v[3], 2.426, 0.0005, "b");
  near(v[4], -9582.43, 0.01, "BG/NBD log-likelihood");
  /* lifetimes' Gamma-Gamma test (decimal 2) */
  near(v[5], 6.25, 0.005, "p");
  near(v[6], 3.74, 0.005, "q");
  near(v[7], 15.44, 0.005, "v");
  /* tests/clv_oracle.py "GG MLE p q v": LL -4055.9176948019 (the same 946 mean spends) */
  near(v[8], -4055.9176948019, 1e-6, "Gamma-Gamma log-likelihood");
  near(v[9], CUSTOMERS, 0, "customers");
  near(v[10], 946, 0, "repeaters");
  assert_true(v[11] > 0 && v[12] == 1);
  /* days: the same model, alpha in days (x 7) */
  double d[4];
  row("SELECT r, alpha, a, b FROM clv_fit('SELECT customer, day, dollars FROM cdnow', 'as_of=1997-10-01, ts_unit=yyyymmdd')",
      d, 4);
  near(d[0], v[0], 1e-6 * v[0], "r in days");
  near(d[1], v[1] * 7, 1e-6 * v[1] * 7, "alpha in days");
  near(d[2], v[2], 1e-6 * v[2], "a in days");
  near(d[3], v[3], 1e-6 * v[3], "b in days");
}

static void clv_reproduces_the_published_predictions(void **state) {
  (void)state;
  double v[3];
  /* FHL 2005's customer: E[Y(39) | 2, 30.43, 38.86] = 1.226; P(alive) 0.7266 */
  row("SELECT expected_purchases, p_alive, recency FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION
      ", horizon=39') WHERE customer = 1", v, 3);
  near(v[0], 1.226, 0.001, "E[Y(39)] of customer 1");
  near(v[1], 0.7266, 0.00005, "P(alive) of customer 1");
  near(v[2], 213.0 / 7, 1e-12, "recency of customer 1");
  /* the cohort: 1,653 expected repeat purchase days in the next 39 weeks (the reference's
  ** recomputation; 1,882 happened) */
  row("SELECT sum(expected_purchases) FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION
      ", horizon=39')", v, 1);
  near(v[0], 1653.4, 0.5, "sum of E[Y(39)]");
  /* lifetimes' conditional expected average profit of the first ten customers (atol 0.1) */
  static const double lt[10] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT customer, expected_monetary FROM clv('SELECT customer, day, dollars FROM cdnow', '"
                                          CALIBRATION "') WHERE customer <= 10", -1, &st, NULL), SQLITE_OK);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int c = sqlite3_column_int(st, 0);
    assert_int_equal(c, n + 1);  /* rows in customer order */
    near(sqlite3_column_double(st, 1), lt[c - 1], 0.1, "expected average profit");
    n++;
  }
  sqlite3_finalize(st);
  assert_int_equal(n, 10);
}

static void clv_at_given_parameters(void **state) {
  (void)state;
  /* tests/clv_oracle.py: BG_MLE and GG_MLE given; customer 1's E[M] = 24.6539194852158 and
  ** its CLV over 12 months of 4.345 weeks at 1% a month = 36.2741097930228 */
  double v[3];
  row("SELECT expected_monetary, clv, clv_half FROM (SELECT customer, expected_monetary, clv FROM clv("
      "'SELECT customer, day, dollars FROM cdnow', '" CALIBRATION
      ", r=0.242592902, alpha=4.41353135, a=0.7928861826, b=2.425753484, p=6.249570386, q=3.744224911, v=15.44352711'))"
      " JOIN (SELECT customer, clv AS clv_half FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION
      ", margin=0.5, r=0.242592902, alpha=4.41353135, a=0.7928861826, b=2.425753484, p=6.249570386, q=3.744224911,"
      " v=15.44352711')) USING (customer) WHERE customer = 1", v, 3);
  near(v[0], 24.6539194852158, 1e-9, "E[M] of customer 1");
  near(v[1], 36.2741097930228, 1e-9, "CLV of customer 1");
  near(v[2], 36.2741097930228 / 2, 1e-9, "CLV of customer 1 at margin 0.5");
}

static void the_fit_does_not_depend_on_row_order(void **state) {
  (void)state;
  char *a = rows_text("SELECT * FROM clv_fit('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "')");
  char *b = rows_text("SELECT * FROM clv_fit('SELECT customer, day, dollars FROM cdnow ORDER BY day DESC, customer DESC', '"
                      CALIBRATION "')");
  char *c = rows_text("SELECT * FROM clv_fit('SELECT customer + 0.0, day, CAST(dollars AS TEXT) FROM cdnow ORDER BY dollars', '"
                      CALIBRATION "')");
  assert_string_equal(a, b);
  assert_string_equal(a, c);  /* customer 1.0 is customer 1; '29.33' is 29.33 */
  sqlite3_free(a);
  sqlite3_free(b);
  sqlite3_free(c);
  a = rows_text("SELECT * FROM clv('SELECT customer, day, dollars FROM cdnow', '" CALIBRATION "')");
  b = rows_text("SELECT * FROM clv('SELECT customer, day, dollars FROM cdnow ORDER BY random()', '" CALIBRATION "')");
  assert_string_equal(a, b);
  sqlite3_free(a);
  sqlite3_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(summary_equals_the_published_one),
    cmocka_unit_test(clv_fit_reproduces_the_published_parameters),
    cmocka_unit_test(clv_reproduces_the_published_predictions),
    cmocka_unit_test(clv_at_given_parameters),
    cmocka_unit_test(the_fit_does_not_depend_on_row_order),
  };
  return cmocka_run_group_tests_name("clv", tests, setup, teardown);
}
