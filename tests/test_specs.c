/*
** test_specs.c: every registered table-valued function's gtvf_spec (ext/tvf.h) agrees with what
** SQLite reads from its schema (pragma_table_xinfo): the number of output columns, unique
** non-empty output names, and the hidden argument columns, their names and order, which xBestIndex
** and the "argument X is required" errors take from the spec. The specs come from growth.c's
** registration table (registry.h growth_tables), so a new table-valued function is checked as
** soon as it is registered; every module the extension adds (pragma_module_list) must be there.
** Each argument a spec marks as a source is checked when a statement is prepared (tvf.h), and an
** argument called "source" must be marked. Likewise a literal "options" argument is parsed at
** prepare time against the spec's .options list, which every spec with options must set.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"
#include "tvf.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);


static void spec_agrees_with_schema(sqlite3 *db, const gtvf_spec *spec) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, hidden FROM pragma_table_xinfo(?1) ORDER BY cid", -1, &st,
                                      NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, spec->name, -1, SQLITE_STATIC);
  int n_out = 0, n_hidden = 0, in_args = 0;
  char names[64][64];
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    int hidden = sqlite3_column_int(st, 1);
    assert_non_null(name);
    if (!hidden) {
      if (in_args) fail_msg("%s: output column %s after the hidden arguments", spec->name, name);
      assert_true(*name);
      assert_true(n_out < 64);
      for (int i = 0; i < n_out; i++)
        if (strcmp(names[i], name) == 0) fail_msg("%s: output column %s twice", spec->name, name);
      snprintf(names[n_out++], sizeof names[0], "%s", name);
    } else {
      in_args = 1;
      if (n_hidden >= spec->n_args) fail_msg("%s: hidden column %s beyond the spec's %d arguments", spec->name,
                                             name, spec->n_args);
      if (strcmp(spec->arg_names[n_hidden], name) != 0)
        fail_msg("%s: hidden column %d is %s, the spec names it %s", spec->name, n_hidden, name,
                 spec->arg_names[n_hidden]);
      n_hidden++;
    }
  }
  sqlite3_finalize(st);
  if (n_out != spec->n_out) fail_msg("%s: %d output columns, the spec says %d", spec->name, n_out, spec->n_out);
  if (n_hidden != spec->n_args) fail_msg("%s: %d arguments, the spec says %d", spec->name, n_hidden, spec->n_args);
  assert_true(spec->n_required <= spec->n_args && spec->n_args <= GTVF_MAX_ARGS);
}

/* A literal naming a missing table fails the prepare, with the message the function gives when
** it runs; the same argument as a parameter is left to the run. */
static void sources_checked_at_prepare(sqlite3 *db, const gtvf_spec *spec) {
  for (int arg = 0; arg < spec->n_args; arg++) {
    int marked = (spec->sources >> arg) & 1;
    if (strcmp(spec->arg_names[arg], "source") == 0 && !marked)
      fail_msg("%s: argument source is not marked in the spec's .sources", spec->name);
    char sql[200], want[200];
    snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE \"%s\" = 'growth_no_such_table'", spec->name,
             spec->arg_names[arg]);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    sqlite3_finalize(st);
    if (strcmp(spec->arg_names[arg], "options") == 0) {
      if (!spec->options) fail_msg("%s: argument options has no .options list in the spec", spec->name);
      snprintf(want, sizeof want, "%s: unknown option 'growth_no_such_table' (accepted: ", spec->name);
      if (rc != SQLITE_ERROR || strncmp(sqlite3_errmsg(db), want, strlen(want)) != 0)
        fail_msg("%s: preparing %s gave %d '%s', expected an error starting '%s'", spec->name, sql, rc,
                 sqlite3_errmsg(db), want);
      continue;
    }
    if (!marked) {
      if (rc != SQLITE_OK) fail_msg("%s: %s failed to prepare: %s", spec->name, sql, sqlite3_errmsg(db));
      continue;
    }
    snprintf(want, sizeof want, "%s: %s: no such table: growth_no_such_table", spec->name, spec->arg_names[arg]);
    if (rc != SQLITE_ERROR || strcmp(sqlite3_errmsg(db), want) != 0)
      fail_msg("%s: preparing %s gave %d '%s', expected the error '%s'", spec->name, sql, rc, sqlite3_errmsg(db), want);
    snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE \"%s\" = ?1", spec->name, spec->arg_names[arg]);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_finalize(st);
  }
}

static void every_spec_agrees_with_its_schema(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_growth_init(db, NULL, NULL), SQLITE_OK);
  int nspecs = 0;
  for (const growth_table *t = growth_tables; t < growth_tables + growth_ntables; t++, nspecs++) {
    assert_string_equal(t->name, t->spec->name);
    spec_agrees_with_schema(db, t->spec);
    sources_checked_at_prepare(db, t->spec);
  }
  /* every module the extension adds has a spec above: the modules of a connection with it,
  ** less those of one without */
  sqlite3 *plain;
  assert_int_equal(sqlite3_open(":memory:", &plain), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM pragma_module_list", -1, &st, NULL), SQLITE_OK);
  int ours = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(st, 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(plain, "SELECT 1 FROM pragma_module_list WHERE name = ?1", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int builtin = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    /* pragma_table_xinfo, used above, is listed once used */
    if (builtin || strncmp(name, "pragma_", 7) == 0) continue;
    int found = 0;
    for (size_t i = 0; i < growth_ntables && !found; i++) found = strcmp(growth_tables[i].name, name) == 0;
    if (!found) fail_msg("module %s is not in growth.c's growth_tables", name);
    ours++;
  }
  sqlite3_finalize(st);
  assert_int_equal(ours, nspecs);
  sqlite3_close(plain);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_spec_agrees_with_its_schema),
  };
  return cmocka_run_group_tests_name("specs", tests, NULL, NULL);
}
