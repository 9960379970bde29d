/*
** test_matrix.c: every function given each SQLite type in each argument. For each registered
** function (and table-valued function) a baseline call with valid arguments is taken from the
** table below; then each argument in turn is replaced by a bound value of each type:
**
**   NULL, INTEGER 7, REAL 1.5, TEXT 'abc', BLOB x'00ff', TEXT '', NaN, +Inf, -Inf
**
** (SQLite turns a bound NaN into NULL, so NaN must behave exactly like NULL). The documented
** result class of each cell is written in the table: V a value (a TVF: rows), N NULL (a TVF:
** no rows), E an error whose message names the function. Whatever the class, nothing may
** crash or leak (make check-asan). A registered function missing from the table is still run
** through every cell (errors must name the function) and reported so that a row gets added.
*/
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#define NTYPES 9
static const char *const type_names[NTYPES] = {"NULL", "INTEGER", "REAL", "TEXT", "BLOB", "empty TEXT", "NaN", "+Inf", "-Inf"};

/* Classes per argument kind, in the order of type_names. */
#define K_TS      "NVVEEENEE"  /* timestamps: NULL in, NULL out; numbers are Unix seconds; no infinities */
#define K_PERIOD  "NEEEEENEE"  /* day|week|...: only TEXT */
#define K_OPTIONS "VEEEEVVEE"  /* NULL or '' = no options; 'abc' is an unknown option */
#define K_ANY_ERR "EEEEEEEEE"
#define K_NUMBER  "NVVEEENEE"  /* amounts, bar's value and max: numbers (amounts also decimal TEXT), finite */
#define K_WHOLE   "NVEEEENEE"  /* qty, bar's width: whole numbers only, so REAL 1.5 is an error */
#define K_TEXTARG "NEEEEENEE"  /* TEXT that must parse (a JSON rule, a period): 'abc' and '' are errors */
#define K_SOURCE  "NEEEEENEE"  /* a TVF's table name or SELECT: only TEXT; 'abc' is no such table */
#define K_WINDOW  "NVVEEENEE"  /* a TVF's window: seconds or a duration; NULL: no rows; no infinities */
#define K_COND    "NEEEEENEE"  /* window_funnel condition: 0/1; NULL skips the row, an all-NULL group is NULL */

typedef struct mrow {
  const char *fn;
  char kind;               /* 's' scalar, 'a' aggregate (over the events table), 't' table */
  int nargs;
  const char *args[8];     /* baseline SQL expressions */
  const char *classes[8];  /* NTYPES letters per argument */
} mrow;

/* one row per call, laid out by hand */
// clang-format off
static const mrow matrix[] = {
  {"growth_version", 's', 0, {0}, {0}},
  {"date_bucket", 's', 2, {"'2024-03-15 10:00:00'", "'week'"}, {K_TS, K_PERIOD}},
  {"date_bucket", 's', 3, {"'2024-03-15 10:00:00'", "'week'", "'tz=+08:00'"}, {K_TS, K_PERIOD, K_OPTIONS}},
  {"period_diff", 's', 3, {"'2024-01-31'", "'2024-03-01'", "'month'"}, {K_TS, K_TS, K_PERIOD}},
  {"period_diff", 's', 4, {"'2024-01-31'", "'2024-03-01'", "'month'", "'rolling'"}, {K_TS, K_TS, K_PERIOD, K_OPTIONS}},
  /* rfm.c: scores must be whole numbers 1..5 (bits 0/1 for cn), NULL in NULL out; a NULL
  ** scheme is the default (en); an as_of before every row is an error (the one as_of rule) */
  {"rfm_segment", 's', 3, {"5", "4", "3"}, {"NEEEEENEE", "NEEEEENEE", "NEEEEENEE"}},
  {"rfm_segment", 's', 4, {"1", "1", "1", "'cn'"}, {"NEEEEENEE", "NEEEEENEE", "NEEEEENEE", "VEEEEEVEE"}},
  {"rfm", 't', 3, {"'SELECT customer_id, ts, amount FROM orders'", "'2024-07-01'", "'bins=4'"},
   {"NEEEEENEE", "VEEEEEVEE", K_OPTIONS}},
  {"rfm_segments", 't', 0, {0}, {0}},
  /* funnel.c: window_funnel over the whole events table as one group, so the bound value is in
  ** every row. The window is a parameter as in ClickHouse: NULL (and NaN) is an error, not a
  ** skipped row, and +-Inf are errors. A NULL ts or condition skips the row, and a group whose
  ** every row was skipped is NULL. In the 4-argument form a trailing TEXT is the options:
  ** 'abc' is an unknown option and '' means none, which leaves 1 condition (a value). */
  {"window_funnel", 'a', 4, {"3600", "ts", "event = 'view'", "event = 'cart'"},
   {"EVVEEEEEE", K_TS, K_COND, "NEEEEVNEE"}},
  /* Only TEXT is the options: NULL/NaN there is a third condition that is NULL on every row
  ** (the group gives NULL), and a number there is a third condition that is not 0/1. */
  {"window_funnel", 'a', 5, {"3600", "ts", "event = 'view'", "event = 'cart'", "'strict_order'"},
   {"EVVEEEEEE", K_TS, K_COND, K_COND, "NEEEEVNEE"}},
  /* sequence.c: the pattern is a parameter (only TEXT; 'abc' does not parse, '' matches
  ** anything); a NULL ts or condition skips the row and a group of skipped rows is NULL. */
  {"sequence_match", 'a', 4, {"'(?1).*(?2)'", "ts", "event = 'view'", "event = 'cart'"},
   {"EEEEEVEEE", K_TS, K_COND, K_COND}},
  {"sequence_count", 'a', 4, {"'(?1)(?t<3600)(?2)'", "ts", "event = 'view'", "event = 'cart'"},
   {"EEEEEVEEE", K_TS, K_COND, K_COND}},
  /* sequence_next_node: the event is any value but a BLOB (numbers by their text); a NULL
  ** event, base condition or chain condition skips the row, and a group of none is NULL. A
  ** trailing TEXT is the options ('abc' unknown, '' none: then the chain is empty). */
  {"sequence_next_node", 'a', 3, {"ts", "event", "1"}, {K_TS, "NVVVEVNVV", K_COND}},
  {"sequence_next_node", 'a', 4, {"ts", "event", "1", "event IS NOT NULL"}, {K_TS, "NVVVEVNVV", K_COND, "NEEEEVNEE"}},
  /* retention.c: a NULL condition skips the row and a group of skipped rows gives N zeros (a
  ** value, as ClickHouse). It takes no options: in the 3-condition form a TEXT where a
  ** window_funnel user would put one is an error that says so. One argument: the variadic
  ** catch-all refuses it whatever it is. */
  {"retention", 'a', 2, {"event = 'view'", "event = 'cart'"}, {"VEEEEEVEE", "VEEEEEVEE"}},
  {"retention", 'a', 3, {"event = 'view'", "event = 'cart'", "event = 'pay'"}, {"VEEEEEVEE", "VEEEEEVEE", "VEEEEEVEE"}},
  {"retention", 'a', 1, {"event = 'view'"}, {K_ANY_ERR}},
  /* funnel_tvf.c: a NULL required argument gives no rows. steps 'abc' is the event of no
  ** source row: an error naming the step (allow_missing_steps reports it with 0 actors). */
  {"funnel", 't', 3, {"'SELECT user_id, ts, event FROM events'", "'1 day'", "'view,cart,pay'"},
   {K_SOURCE, K_WINDOW, K_TEXTARG}},
  {"funnel", 't', 4, {"'SELECT user_id, ts, event FROM events'", "'1 day'", "'view,cart,pay'", "'strict_order'"},
   {K_SOURCE, K_WINDOW, K_TEXTARG, K_OPTIONS}},
  {"funnel_actors", 't', 3, {"'SELECT user_id, ts, event FROM events'", "'1 day'", "'view,cart,pay'"},
   {K_SOURCE, K_WINDOW, K_TEXTARG}},
  {"funnel_actors", 't', 4, {"'SELECT user_id, ts, event FROM events'", "'1 day'", "'view,cart,pay'", "'strict_order'"},
   {K_SOURCE, K_WINDOW, K_TEXTARG, K_OPTIONS}},
  /* retention.c: cohort_retention(source, period_unit [, options]) */
  {"cohort_retention", 't', 2, {"'SELECT user_id, ts FROM events'", "'week'"}, {K_SOURCE, K_PERIOD}},
  {"cohort_retention", 't', 3, {"'SELECT user_id, ts FROM events'", "'week'", "'periods=4'"},
   {K_SOURCE, K_PERIOD, K_OPTIONS}},
  /* clv.c: clv(source [, options]), clv_fit(source [, options]). The fixture's three customers
  ** cannot be fitted (an error that names the remedy), so the baseline gives every parameter;
  ** a NULL or empty options argument means fitting, an error here, like every other value. */
  {"clv", 't', 2, {"'SELECT customer_id, ts, amount FROM orders'", "'r=0.24, alpha=4.4, a=0.79, b=2.4, p=6.25, q=3.74, v=15.4'"},
   {K_SOURCE, K_ANY_ERR}},
  {"clv_fit", 't', 2, {"'SELECT customer_id, ts, amount FROM orders'", "'r=0.24, alpha=4.4, a=0.79, b=2.4, p=6.25, q=3.74, v=15.4'"},
   {K_SOURCE, K_ANY_ERR}},
  /* repurchase.c: repurchase(source, period_unit [, options]) */
  {"repurchase", 't', 2, {"'SELECT customer_id, ts FROM orders'", "'month'"}, {K_SOURCE, K_PERIOD}},
  {"repurchase", 't', 3, {"'SELECT customer_id, ts FROM orders'", "'month'", "'count=orders'"},
   {K_SOURCE, K_PERIOD, K_OPTIONS}},
  /* promo.c: unit_price is an amount (decimal TEXT too, but not 'abc' or ''); qty a positive
  ** whole number (7 is fine, 1.5 is not); the rule JSON text */
  {"promo_price", 's', 3, {"100", "2", "'{\"type\":\"discount\",\"rate\":0.8}'"}, {K_NUMBER, K_WHOLE, K_TEXTARG}},
  {"promo_price", 's', 4, {"100", "2", "'{\"type\":\"discount\",\"rate\":0.8}'", "'scale=2'"},
   {K_NUMBER, K_WHOLE, K_TEXTARG, K_OPTIONS}},
  {"promo_price_cents", 's', 3, {"100", "2", "'{\"type\":\"discount\",\"rate\":0.8}'"}, {K_NUMBER, K_WHOLE, K_TEXTARG}},
  {"promo_price_cents", 's', 4, {"100", "2", "'{\"type\":\"discount\",\"rate\":0.8}'", "'scale=2'"},
   {K_NUMBER, K_WHOLE, K_TEXTARG, K_OPTIONS}},
  {"promo_apply", 't', 2, {"'cart'", "'promotions'"}, {K_SOURCE, K_SOURCE}},
  {"promo_apply", 't', 3, {"'cart'", "'promotions'", "'scale=2'"}, {K_SOURCE, K_SOURCE, K_OPTIONS}},
  {"promo_check", 't', 1, {"'promotions'"}, {K_SOURCE}},
  /* the fixture's cart has sku and cost columns, so it serves as the costs source */
  {"promo_check", 't', 2, {"'promotions'", "'costs=cart, min_margin=0.25'"}, {K_SOURCE, K_OPTIONS}},
  /* chart.c: value and max are finite numbers (TEXT '12' is an error); width a whole number
  ** 1..1000; shade's rate a number from 0 to 1, so 7 and 1.5 are errors */
  {"bar", 's', 2, {"1", "3"}, {K_NUMBER, K_NUMBER}},
  {"bar", 's', 3, {"1", "3", "10"}, {K_NUMBER, K_NUMBER, K_WHOLE}},
  {"shade", 's', 1, {"0.5"}, {"NEEEEENEE"}},
  /* shade(rate, max): rate from 0 up (above max is the top step); max above 0 */
  {"shade", 's', 2, {"0.05", "0.2"}, {"NVVEEENEE", "NVVEEENEE"}},
  /* lifecycle.c: a NULL period gives no rows; options as everywhere. actor_status's as_of: NULL
  ** is the default; a number is seconds, 7 or 1.5 lie before every row, which is an error (the
  ** as_of rule). actor_transitions: a NULL day gives no rows; from_day 7 (1970) is a valid
  ** start (every actor comes from "no state yet"); to_day 7 lies before from_day, an error. */
  {"lifecycle", 't', 2, {"'SELECT user_id, ts FROM events'", "'week'"}, {K_SOURCE, K_PERIOD}},
  {"lifecycle", 't', 3, {"'SELECT user_id, ts, channel FROM events'", "'week'", "'segment=last'"},
   {K_SOURCE, K_PERIOD, K_OPTIONS}},
  {"lifecycle_actors", 't', 2, {"'SELECT user_id, ts FROM events'", "'month'"}, {K_SOURCE, K_PERIOD}},
  {"lifecycle_actors", 't', 3, {"'SELECT user_id, ts FROM events'", "'day'", "'tz=+08:00'"},
   {K_SOURCE, K_PERIOD, K_OPTIONS}},
  {"actor_status", 't', 1, {"'SELECT user_id, ts FROM events'"}, {K_SOURCE}},
  {"actor_status", 't', 2, {"'SELECT user_id, ts FROM events'", "'2024-04-02'"}, {K_SOURCE, "VEEEEEVEE"}},
  {"actor_status", 't', 3, {"'SELECT user_id, ts FROM events'", "'2024-04-02'", "'short=3'"},
   {K_SOURCE, "VEEEEEVEE", K_OPTIONS}},
  {"actor_transitions", 't', 3, {"'SELECT user_id, ts FROM events'", "'2024-01-03'", "'2024-04-02'"},
   {K_SOURCE, "NVVEEENEE", "NEEEEENEE"}},
  {"actor_transitions", 't', 4, {"'SELECT user_id, ts FROM events'", "'2024-01-03'", "'2024-04-02'", "'long=60'"},
   {K_SOURCE, "NVVEEENEE", "NEEEEENEE", K_OPTIONS}},
  /* engagement.c: window and unit are names (day, week, ..., range; hour, day, ...) */
  {"stickiness", 't', 3, {"'SELECT user_id, ts FROM events'", "'month'", "'day'"}, {K_SOURCE, K_PERIOD, K_PERIOD}},
  {"stickiness", 't', 4, {"'SELECT user_id, ts FROM events'", "'range'", "'week'", "'min_events=1'"},
   {K_SOURCE, K_PERIOD, K_PERIOD, K_OPTIONS}},
  {"active_users", 't', 1, {"'SELECT user_id, ts FROM events'"}, {K_SOURCE}},
  {"active_users", 't', 2, {"'SELECT user_id, ts FROM events'", "'every=week'"}, {K_SOURCE, K_OPTIONS}},
  /* paths.c: options as everywhere; churn_points' as_of as actor_status's (7 and 1.5 lie before
  ** every row: an error) */
  {"paths", 't', 1, {"'SELECT user_id, ts, event FROM events'"}, {K_SOURCE}},
  {"paths", 't', 2, {"'SELECT user_id, ts, event FROM events'", "'start=view, steps=3'"}, {K_SOURCE, K_OPTIONS}},
  {"path_actors", 't', 1, {"'SELECT user_id, ts, event FROM events'"}, {K_SOURCE}},
  {"path_actors", 't', 2, {"'SELECT user_id, ts, event, channel FROM events'", "'end=pay'"}, {K_SOURCE, K_OPTIONS}},
  {"churn_points", 't', 1, {"'SELECT user_id, ts, event FROM events'"}, {K_SOURCE}},
  {"churn_points", 't', 3, {"'SELECT user_id, ts, event FROM events'", "'2024-04-02'", "'depth=2'"},
   {K_SOURCE, "VEEEEEVEE", K_OPTIONS}},
  /* internal: refused whatever it is given */
  {"growth_gather", 'a', 2, {"1", "2"}, {K_ANY_ERR, K_ANY_ERR}},
  /* growth.c: growth_trust_schema([on]): on is 0/1 (also 0.0/1.0); NULL is an error, not a default */
  {"growth_trust_schema", 's', 0, {0}, {0}},
  {"growth_trust_schema", 's', 1, {"0"}, {"EEEEEEEEE"}},
};
// clang-format on
#define NMATRIX ((int)(sizeof matrix / sizeof matrix[0]))

static void bind_type(sqlite3_stmt *st, int i, int t) {
  switch (t) {
    case 0: sqlite3_bind_null(st, i); break;
    case 1: sqlite3_bind_int64(st, i, 7); break;
    case 2: sqlite3_bind_double(st, i, 1.5); break;
    case 3: sqlite3_bind_text(st, i, "abc", -1, SQLITE_STATIC); break;
    case 4: sqlite3_bind_blob(st, i, "\x00\xff", 2, SQLITE_STATIC); break;
    case 5: sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC); break;
    case 6: sqlite3_bind_double(st, i, NAN); break;
    case 7: sqlite3_bind_double(st, i, INFINITY); break;
    default: sqlite3_bind_double(st, i, -INFINITY); break;
  }
}

/* Runs the call with argument `arg` replaced by type t; returns 'V', 'N' or 'E' and the error. */
static char run_cell(sqlite3 *db, const char *fn, char kind, int nargs, const char *const *args, int arg, int t,
                     char *err, size_t errlen) {
  sqlite3_str *s = sqlite3_str_new(db);
  if (kind == 't') sqlite3_str_appendf(s, "SELECT * FROM \"%w\"(", fn);
  else sqlite3_str_appendf(s, "SELECT \"%w\"(", fn);
  for (int i = 0; i < nargs; i++) sqlite3_str_appendf(s, "%s%s", i ? ", " : "", i == arg ? "?1" : args[i]);
  sqlite3_str_appendall(s, kind == 'a' ? ") FROM events" : ")");
  char *sql = sqlite3_str_finish(s);
  sqlite3_stmt *st = NULL;
  char cls;
  err[0] = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "%s", sqlite3_errmsg(db));
    sqlite3_free(sql);
    return 'E';
  }
  if (arg >= 0) bind_type(st, 1, t);
  int rows = 0, nonnull = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) nonnull++;
  }
  if (rc != SQLITE_DONE) { snprintf(err, errlen, "%s", sqlite3_errmsg(db)); cls = 'E'; }
  else if (kind == 't') cls = rows ? 'V' : 'N';
  else cls = nonnull ? 'V' : 'N';
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return cls;
}

static void every_type_in_every_argument(void **state) {
  (void)state;
  hinventory inv;
  assert_int_equal(harness_inventory(&inv), 0);
  sqlite3 *db = harness_open();
  assert_non_null(db);
  int bad = 0, cells = 0;
  char err[512];
  for (int m = 0; m < NMATRIX; m++) {
    const mrow *r = &matrix[m];
    if (!harness_has(&inv, r->fn)) continue;
    /* the baseline itself works */
    /* (a row that is all errors documents a call refused whatever it is given) */
    int refused = r->nargs > 0;
    for (int a = 0; a < r->nargs; a++) refused = refused && strcmp(r->classes[a], K_ANY_ERR) == 0;
    char c = run_cell(db, r->fn, r->kind, r->nargs, r->args, -1, 0, err, sizeof err);
    if (c != 'V' && !refused) { printf("  %s/%d baseline gives %c, not a value: %s\n", r->fn, r->nargs, c, err); bad++; }
    for (int a = 0; a < r->nargs; a++)
      for (int t = 0; t < NTYPES; t++) {
        c = run_cell(db, r->fn, r->kind, r->nargs, r->args, a, t, err, sizeof err);
        cells++;
        if (c != r->classes[a][t]) {
          printf("  %s/%d argument %d given %s: got %c (%s), documented %c\n", r->fn, r->nargs, a + 1, type_names[t], c,
                 err, r->classes[a][t]);
          bad++;
        } else if (c == 'E' && !strstr(err, r->fn)) {
          printf("  %s/%d argument %d given %s: error does not name the function: %s\n", r->fn, r->nargs, a + 1,
                 type_names[t], err);
          bad++;
        }
      }
  }
  /* Names without a row: every cell with every type (arguments all of that type) must not crash,
  ** and an error must name the function. Reported so that the table gets its row. */
  for (int i = 0; i < inv.nfunc + inv.ntable; i++) {
    int is_table = i >= inv.nfunc;
    const char *fn = is_table ? inv.table[i - inv.nfunc].name : inv.func[i].name;
    int listed = 0;
    for (int m = 0; m < NMATRIX && !listed; m++) listed = strcmp(matrix[m].fn, fn) == 0;
    if (listed) continue;
    int nargs = is_table ? inv.table[i - inv.nfunc].nhidden : inv.func[i].narg < 0 ? 3 : inv.func[i].narg;
    char kind = is_table ? 't' : inv.func[i].type == 's' ? 's' : 'a';
    const char *nulls[70];
    for (int k = 0; k < 70; k++) nulls[k] = "NULL";
    if (nargs > 70) nargs = 70;
    printf("  %s: no row in the matrix of tests/test_matrix.c (checked for crashes only)\n", fn);
    for (int a = 0; a < nargs; a++)
      for (int t = 0; t < NTYPES; t++) {
        char c = run_cell(db, fn, kind, nargs, nulls, a, t, err, sizeof err);
        cells++;
        if (c == 'E' && !strstr(err, fn) && !strstr(err, "wrong number of arguments")) {
          printf("  %s argument %d given %s: error does not name the function: %s\n", fn, a + 1, type_names[t], err);
          bad++;
        }
      }
  }
  printf("  %d cells\n", cells);
  sqlite3_close(db);
  assert_int_equal(bad, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_type_in_every_argument),
  };
  return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
