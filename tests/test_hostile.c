/*
** test_hostile.c: hostile schemas and hostile source arguments.
**
** - Every table-valued function that runs SQL text is refused when a view or a trigger calls
**   it, with PRAGMA trusted_schema ON (the default) and OFF, while the same query works when
**   called directly. Pure functions (INNOCUOUS) keep working in views under trusted_schema=OFF.
** - Source arguments carrying quotes, semicolons, comments, ATTACH, PRAGMA, parameters or write
**   statements are refused or read as plain table names (ext/source.c), and nothing is written.
** - The inventory: every SQL name the extension registers with its arity, kind and flags, as
**   pragma_function_list / pragma_module_list report them. A change here is a visible diff.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "queries.h"
#include "source.h"
#include "tvf.h"

static hinventory inv;

/* ---- the inventory: update it when a function is added (name|narg|type|flags) ---- */
static const char *const expected_functions[] = {
  "date_bucket|2|s|deterministic,innocuous",
  "date_bucket|3|s|deterministic,innocuous",
  "growth_gather|-1|a|directonly",
  "growth_trust_schema|0|s|directonly",
  "growth_trust_schema|1|s|directonly",
  "growth_version|0|s|innocuous",
  "period_diff|3|s|deterministic,innocuous",
  "period_diff|4|s|deterministic,innocuous",
  "bar|2|s|deterministic,innocuous",
  "bar|3|s|deterministic,innocuous",
  "promo_price|3|s|deterministic,innocuous",
  "promo_price|4|s|deterministic,innocuous",
  "promo_price_cents|3|s|deterministic,innocuous",
  "promo_price_cents|4|s|deterministic,innocuous",
  "retention|-1|a|deterministic,innocuous",
  "retention|2|a|deterministic,innocuous",
  "retention|3|a|deterministic,innocuous",
  "retention|4|a|deterministic,innocuous",
  "retention|5|a|deterministic,innocuous",
  "retention|6|a|deterministic,innocuous",
  "retention|7|a|deterministic,innocuous",
  "retention|8|a|deterministic,innocuous",
  "retention|9|a|deterministic,innocuous",
  "retention|10|a|deterministic,innocuous",
  "retention|11|a|deterministic,innocuous",
  "retention|12|a|deterministic,innocuous",
  "retention|13|a|deterministic,innocuous",
  "retention|14|a|deterministic,innocuous",
  "retention|15|a|deterministic,innocuous",
  "retention|16|a|deterministic,innocuous",
  "retention|17|a|deterministic,innocuous",
  "retention|18|a|deterministic,innocuous",
  "retention|19|a|deterministic,innocuous",
  "retention|20|a|deterministic,innocuous",
  "retention|21|a|deterministic,innocuous",
  "retention|22|a|deterministic,innocuous",
  "retention|23|a|deterministic,innocuous",
  "retention|24|a|deterministic,innocuous",
  "retention|25|a|deterministic,innocuous",
  "retention|26|a|deterministic,innocuous",
  "retention|27|a|deterministic,innocuous",
  "retention|28|a|deterministic,innocuous",
  "retention|29|a|deterministic,innocuous",
  "retention|30|a|deterministic,innocuous",
  "retention|31|a|deterministic,innocuous",
  "retention|32|a|deterministic,innocuous",
  "retention|33|a|deterministic,innocuous",
  "retention|34|a|deterministic,innocuous",
  "retention|35|a|deterministic,innocuous",
  "retention|36|a|deterministic,innocuous",
  "retention|37|a|deterministic,innocuous",
  "retention|38|a|deterministic,innocuous",
  "retention|39|a|deterministic,innocuous",
  "retention|40|a|deterministic,innocuous",
  "retention|41|a|deterministic,innocuous",
  "retention|42|a|deterministic,innocuous",
  "retention|43|a|deterministic,innocuous",
  "retention|44|a|deterministic,innocuous",
  "retention|45|a|deterministic,innocuous",
  "retention|46|a|deterministic,innocuous",
  "retention|47|a|deterministic,innocuous",
  "retention|48|a|deterministic,innocuous",
  "retention|49|a|deterministic,innocuous",
  "retention|50|a|deterministic,innocuous",
  "retention|51|a|deterministic,innocuous",
  "retention|52|a|deterministic,innocuous",
  "retention|53|a|deterministic,innocuous",
  "retention|54|a|deterministic,innocuous",
  "retention|55|a|deterministic,innocuous",
  "retention|56|a|deterministic,innocuous",
  "retention|57|a|deterministic,innocuous",
  "retention|58|a|deterministic,innocuous",
  "retention|59|a|deterministic,innocuous",
  "retention|60|a|deterministic,innocuous",
  "retention|61|a|deterministic,innocuous",
  "retention|62|a|deterministic,innocuous",
  "retention|63|a|deterministic,innocuous",
  "retention|64|a|deterministic,innocuous",
  "rfm_segment|3|s|deterministic,innocuous",
  "rfm_segment|4|s|deterministic,innocuous",
  "sequence_count|-1|w|deterministic,innocuous",
  "sequence_match|-1|w|deterministic,innocuous",
  "sequence_next_node|-1|a|deterministic,innocuous",
  "shade|1|s|deterministic,innocuous",
  "shade|2|s|deterministic,innocuous",
  "window_funnel|-1|w|deterministic,innocuous",
};
/* table-valued functions: name|columns|arguments|directonly or innocuous */
static const char *const expected_tables[] = {
  "active_users|9|2|directonly",
  "actor_status|10|3|directonly",
  "actor_transitions|4|4|directonly",
  "churn_points|4|3|directonly",
  "clv|9|2|directonly",
  "clv_fit|13|2|directonly",
  "cohort_retention|9|3|directonly",
  "funnel|10|4|directonly",
  "funnel_actors|6|4|directonly",
  "lifecycle|12|3|directonly",
  "lifecycle_actors|6|3|directonly",
  "path_actors|8|2|directonly",
  "paths|11|2|directonly",
  "promo_apply|16|3|directonly",
  "promo_check|5|2|directonly",
  "repurchase|11|3|directonly",
  "rfm|15|3|directonly",
  "rfm_segments|3|0|innocuous",
  "stickiness|8|4|directonly",
};

static void describe_flags(int flags, char *buf, size_t len) {
  snprintf(buf, len, "%s%s%s%s", flags & SQLITE_DETERMINISTIC ? "deterministic," : "",
           flags & SQLITE_DIRECTONLY ? "directonly," : "", flags & SQLITE_INNOCUOUS ? "innocuous," : "",
           flags & SQLITE_SUBTYPE ? "subtype," : "");
  size_t n = strlen(buf);
  if (n) buf[n - 1] = 0;
}

/* Whether a view calling the table-valued function is refused (it runs SQL text). The view
** makes the function's representative call (queries.h), so only the refusal can stop it. It is
** a view of the main schema: SQLite trusts TEMP views, which only the application can create. */
static int table_is_direct_only(sqlite3 *db, const htable *t) {
  const char *call = NULL;
  for (int i = 0; i < HARNESS_NQUERIES && !call; i++)
    if (strcmp(harness_queries[i].fn, t->name) == 0) call = harness_queries[i].sql;
  char *sql = call ? sqlite3_mprintf("CREATE VIEW \"probe_%w\" AS %s", t->name, call)
                   : sqlite3_mprintf("CREATE VIEW \"probe_%w\" AS SELECT * FROM \"%w\"", t->name, t->name);
  sqlite3_exec(db, sql, NULL, NULL, NULL);
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT * FROM \"probe_%w\"", t->name);
  char *out = NULL;
  int rc = harness_run(db, sql, &out);
  int refused = rc != SQLITE_DONE && strstr(sqlite3_errmsg(db), "unsafe use of virtual table") != NULL;
  sqlite3_free(out);
  sqlite3_free(sql);
  return refused;
}

static void inventory_lists_every_name_with_its_flags(void **state) {
  (void)state;
  int bad = 0, nexp = (int)(sizeof expected_functions / sizeof expected_functions[0]);
  char line[160], flags[80];
  if (inv.nfunc != nexp) { printf("  %d functions registered, %d listed\n", inv.nfunc, nexp); bad++; }
  for (int i = 0; i < inv.nfunc; i++) {
    describe_flags(inv.func[i].flags, flags, sizeof flags);
    snprintf(line, sizeof line, "%s|%d|%c|%s", inv.func[i].name, inv.func[i].narg, inv.func[i].type, flags);
    int found = 0;
    for (int k = 0; k < nexp && !found; k++) found = strcmp(expected_functions[k], line) == 0;
    if (!found) { printf("  registered but not in the inventory: \"%s\",\n", line); bad++; }
  }
  sqlite3 *db = harness_open();
  int ntexp = 0;
  for (size_t k = 0; k < sizeof expected_tables / sizeof expected_tables[0]; k++) ntexp += expected_tables[k][0] != 0;
  if (inv.ntable != ntexp) { printf("  %d tables registered, %d listed\n", inv.ntable, ntexp); bad++; }
  for (int i = 0; i < inv.ntable; i++) {
    snprintf(line, sizeof line, "%s|%d|%d|%s", inv.table[i].name, inv.table[i].ncols, inv.table[i].nhidden,
             table_is_direct_only(db, &inv.table[i]) ? "directonly" : "innocuous");
    int found = 0;
    for (size_t k = 0; k < sizeof expected_tables / sizeof expected_tables[0] && !found; k++)
      found = strcmp(expected_tables[k], line) == 0;
    if (!found) { printf("  registered but not in the inventory: \"%s\",\n", line); bad++; }
  }
  sqlite3_close(db);
  /* and the documented policy, whatever the list says: */
  for (int i = 0; i < inv.nfunc; i++) {
    const hfunc *f = &inv.func[i];
    int pure = (f->flags & (SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)) == (SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS);
    int direct = (f->flags & SQLITE_DIRECTONLY) != 0;
    if (pure == direct && strcmp(f->name, "growth_version") != 0) {
      printf("  %s: must be either DETERMINISTIC|INNOCUOUS (pure) or DIRECTONLY\n", f->name);
      bad++;
    }
    if (direct && (f->flags & SQLITE_INNOCUOUS)) { printf("  %s: DIRECTONLY and INNOCUOUS\n", f->name); bad++; }
  }
  assert_int_equal(bad, 0);
}

/* ---- views and triggers ---- */

static int is_table(const char *name) {
  for (int i = 0; i < inv.ntable; i++)
    if (strcmp(inv.table[i].name, name) == 0) return 1;
  return 0;
}
static const hfunc *find_func(const char *name) {
  for (int i = 0; i < inv.nfunc; i++)
    if (strcmp(inv.func[i].name, name) == 0) return &inv.func[i];
  return NULL;
}

/* Runs one representative query directly, from a view and from a trigger of a database file
** made beforehand, under trusted_schema on and off; checks refused / allowed as documented. */
static void check_schema_use(const hquery *q, int trusted) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/growth-hostile-%d.db", (int)getpid());
  unlink(path);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, HARNESS_FIXTURE_SQL, NULL, NULL, NULL), SQLITE_OK);
  /* the hostile schema is written without the extension, as an attacker's file would be */
  char *ddl = sqlite3_mprintf(
    "CREATE VIEW hostile_view AS %s;"
    "CREATE TABLE hostile_t(x); CREATE TABLE hostile_log(n);"
    "CREATE TRIGGER hostile_trigger AFTER INSERT ON hostile_t BEGIN "
    "  INSERT INTO hostile_log SELECT count(*) FROM (%s); END;", q->sql, q->sql);
  char *err = NULL;
  if (sqlite3_exec(db, ddl, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", ddl, err);
  sqlite3_free(ddl);
  sqlite3_close(db);

  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_growth_init(db, NULL, NULL), SQLITE_OK);
  sqlite3_exec(db, trusted ? "PRAGMA trusted_schema=ON" : "PRAGMA trusted_schema=OFF", NULL, NULL, NULL);
  char *direct = NULL, *via_view = NULL, *via_trigger = NULL;
  int rc_direct = harness_run(db, q->sql, &direct);
  char direct_err[512];
  snprintf(direct_err, sizeof direct_err, "%s", rc_direct == SQLITE_DONE ? "" : sqlite3_errmsg(db));
  int rc_view = harness_run(db, "SELECT * FROM hostile_view", &via_view);
  char view_err[512];
  snprintf(view_err, sizeof view_err, "%s", sqlite3_errmsg(db));
  int rc_trigger = sqlite3_exec(db, "INSERT INTO hostile_t VALUES (1)", NULL, NULL, NULL);
  char trigger_err[512];
  snprintf(trigger_err, sizeof trigger_err, "%s", sqlite3_errmsg(db));
  (void)via_trigger;

  const hfunc *f = find_func(q->fn);
  int refuse;
  char expect_err[160];
  if (is_table(q->fn)) {
    sqlite3 *probe = harness_open();
    htable t;
    memset(&t, 0, sizeof t);
    snprintf(t.name, sizeof t.name, "%s", q->fn);
    refuse = table_is_direct_only(probe, &t);
    sqlite3_close(probe);
    snprintf(expect_err, sizeof expect_err, "unsafe use of virtual table \"%s\"", q->fn);
  } else {
    refuse = (f->flags & SQLITE_DIRECTONLY) || (!trusted && !(f->flags & SQLITE_INNOCUOUS));
    snprintf(expect_err, sizeof expect_err, "unsafe use of %s()", q->fn);
  }
  /* a query of an error path: the view must give the same error when it is allowed at all */

  if (refuse) {
    if (rc_view == SQLITE_DONE || strstr(view_err, expect_err) == NULL)
      fail_msg("%s (trusted_schema=%d): from a view: %s, expected \"%s\"", q->sql, trusted,
               rc_view == SQLITE_DONE ? "it ran" : view_err, expect_err);
    if (rc_trigger == SQLITE_OK || strstr(trigger_err, expect_err) == NULL)
      fail_msg("%s (trusted_schema=%d): from a trigger: %s, expected \"%s\"", q->sql, trusted,
               rc_trigger == SQLITE_OK ? "it ran" : trigger_err, expect_err);
  } else if (rc_direct != SQLITE_DONE) {
    if (rc_view == SQLITE_DONE || strcmp(view_err, direct_err) != 0)
      fail_msg("%s (trusted_schema=%d): from a view: %s, expected \"%s\"", q->sql, trusted,
               rc_view == SQLITE_DONE ? "it ran" : view_err, direct_err);
  } else {
    if (rc_view != SQLITE_DONE || strcmp(via_view, direct) != 0)
      fail_msg("%s (trusted_schema=%d): from a view: %s", q->sql, trusted, rc_view == SQLITE_DONE ? via_view : view_err);
    if (rc_trigger != SQLITE_OK) fail_msg("%s (trusted_schema=%d): from a trigger: %s", q->sql, trusted, trigger_err);
  }
  sqlite3_free(direct);
  sqlite3_free(via_view);
  sqlite3_close(db);
  unlink(path);
}

static void schemas_cannot_call_sql_running_functions(void **state) {
  (void)state;
  int ran = 0;
  for (int i = 0; i < HARNESS_NQUERIES; i++) {
    if (!harness_has(&inv, harness_queries[i].fn)) continue;
    check_schema_use(&harness_queries[i], 1);
    check_schema_use(&harness_queries[i], 0);
    ran++;
  }
  assert_true(ran > 0);
}

/* ---- hostile source arguments, through a test-only TVF that reads three columns ---- */

typedef struct probe_result { int64_t rows; } probe_result;

static int probe_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  (void)pzErr;
  probe_result *r = ctx;
  for (int i = 0; i < 3; i++) (void)sqlite3_value_type(cols[i]);  /* all three must exist */
  r->rows++;
  return SQLITE_OK;
}

static int probe_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  gsource src;
  int rc = gsource_open(&src, db, spec->name, (const char *)sqlite3_value_text(args[0]), pzErr);
  if (rc != SQLITE_OK) return rc;
  probe_result *r = sqlite3_malloc64(sizeof *r);
  if (!r) { gsource_close(&src); return SQLITE_NOMEM; }
  r->rows = 0;
  int cols[3] = {0, 1, 2};
  rc = gsource_scan(&src, spec->name, cols, 3, probe_row, r, pzErr);
  gsource_close(&src);
  if (rc != SQLITE_OK) { sqlite3_free(r); return rc; }
  *result = r;
  *nrows = 1;
  return SQLITE_OK;
}

static void probe_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  (void)row;
  (void)col;
  sqlite3_result_int64(ctx, ((probe_result *)result)->rows);
}

static const char *const probe_args[] = {"source"};
/* Its source is not marked in .sources: these tests reach the source when the statement runs. */
static const gtvf_spec probe_spec = {
  .name = "probe_rows",
  .schema = "CREATE TABLE x(rows, source HIDDEN)",
  .n_out = 1,
  .n_args = 1,
  .n_required = 1,
  .arg_names = probe_args,
  .innocuous = 0,
  .compute = probe_compute,
  .column = probe_column,
  .destroy = sqlite3_free,
};
static const gtvf_host probe_host = {&probe_spec, NULL};

static const struct { const char *source, *expect; } hostile_sources[] = {
  {"events", "12"},
  {"SELECT user_id, ts, event FROM events -- trailing comment", "12"},
  {"/* leading comment */ SELECT user_id, ts, event FROM events;", "12"},
  {"events; DROP TABLE events", "error: probe_rows: source: no such table: events; DROP TABLE events"},
  {"events\"; DROP TABLE events; --", "error: probe_rows: source: no such table: events\"; DROP TABLE events; --"},
  {"'events'", "error: probe_rows: source: no such table: 'events'"},
  {"SELECT 1, 2, 3; DELETE FROM events", "error: probe_rows: source must be a single statement (found more after the first)"},
  {"SELECT 1, 2, 3; -- fine\n", "1"},
  {"SELECT 1, 2, 3; -- empty statements after it count as more\n; ;",
   "error: probe_rows: source must be a single statement (found more after the first)"},
  {"WITH x AS (SELECT 1) DELETE FROM events", "error: probe_rows: source must be a read-only SELECT, WITH or VALUES statement"},
  {"WITH x AS (SELECT 1) INSERT INTO events SELECT 1, 2, 3, 4 RETURNING *",
   "error: probe_rows: source must be a read-only SELECT, WITH or VALUES statement"},
  {"DELETE FROM events RETURNING *", "error: probe_rows: source: no such table: DELETE FROM events RETURNING *"},
  {"ATTACH 'x.db' AS x", "error: probe_rows: source: no such table: ATTACH 'x.db' AS x"},
  {"PRAGMA writable_schema=ON", "error: probe_rows: source: no such table: PRAGMA writable_schema=ON"},
  {"main.events", "error: probe_rows: source: no such table: main.events"},
  {"SELECT growth_gather(?1)", "error: probe_rows: source must not contain parameters (?, :name)"},
  {"SELECT growth_gather(?1, 1, 2, 3)", "error: probe_rows: source must not contain parameters (?, :name)"},
  {"SELECT :x, 2, 3", "error: probe_rows: source must not contain parameters (?, :name)"},
  {"SELECT 1, 2, 3 /* unterminated", "1"},
  {"(SELECT 1, 2, 3)", "error: probe_rows: source: near \"(\": syntax error"},
  {"VALUES (1, 2, 3), (4, 5, 6)", "2"},
};

static void hostile_sources_are_refused_or_names(void **state) {
  (void)state;
  sqlite3 *db = harness_open();
  assert_non_null(db);
  assert_int_equal(sqlite3_create_module_v2(db, "probe_rows", &gtvf_module, (void *)&probe_host, NULL), SQLITE_OK);
  for (size_t i = 0; i < sizeof hostile_sources / sizeof hostile_sources[0]; i++) {
    char *sql = sqlite3_mprintf("SELECT rows FROM probe_rows(%Q)", hostile_sources[i].source);
    char *out = NULL;
    int rc = harness_run(db, sql, &out);
    char got[512];
    if (rc == SQLITE_DONE) snprintf(got, sizeof got, "%.*s", (int)strcspn(out, "\n"), out);
    else snprintf(got, sizeof got, "error: %s", sqlite3_errmsg(db));
    if (strcmp(got, hostile_sources[i].expect) != 0)
      fail_msg("source %s\n got: %s\nwant: %s", hostile_sources[i].source, got, hostile_sources[i].expect);
    sqlite3_free(out);
    sqlite3_free(sql);
  }
  /* nothing was dropped, deleted or attached */
  char *out = NULL;
  assert_int_equal(harness_run(db, "SELECT count(*), (SELECT count(*) FROM pragma_database_list) FROM events", &out),
                   SQLITE_DONE);
  assert_string_equal(out, "12|1\n");
  sqlite3_free(out);
  sqlite3_close(db);
}

int main(void) {
  if (harness_inventory(&inv) != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(inventory_lists_every_name_with_its_flags),
    cmocka_unit_test(schemas_cannot_call_sql_running_functions),
    cmocka_unit_test(hostile_sources_are_refused_or_names),
  };
  return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
