/*
** growth.c: the entry point. Every SQL name the extension adds is one row of the tables
** below; sqlite3_growth_init registers them in order and stops at the first failure,
** reporting which name failed and why.
*/
#define GROWTH_OWNS_API
#include "sqlite_glue.h"
SQLITE_EXTENSION_INIT1

#include <stddef.h>
#include <string.h>

#include "args.h"

#include "growth.h"  /* the public prototype of sqlite3_growth_init, checked against the definition */
#include "registry.h"
#include "source.h"
#include "tvf.h"

/* Needs window functions (3.25), sqlite3_str (3.31), DIRECTONLY (3.31), vtab_config DIRECTONLY;
** the contract promises 3.40 and that is what is tested. */
#define GROWTH_MIN_SQLITE 3040000

static const growth_function growth_functions[] = {
  /* name            nArg max (0: nArg only) flags                            xFunc               xStep  xFinal xValue xInverse */
  {"growth_version",   0, 0, SQLITE_UTF8 | SQLITE_INNOCUOUS, growth_version_func, 0,    0,     0,     0},
  {"date_bucket",      2, 3, GROWTH_PURE,                    date_bucket_func,    0,    0,     0,     0},
  {"period_diff",      3, 4, GROWTH_PURE,                    period_diff_func,    0,    0,     0,     0},
  {"window_funnel",   -1, 0, GROWTH_PURE, 0, window_funnel_step, window_funnel_final, window_funnel_value, window_funnel_inverse},
  /* sequence.c */
  {"sequence_match",  -1, 0, GROWTH_PURE, 0, sequence_match_step, sequence_match_final, sequence_match_value, sequence_match_inverse},
  {"sequence_count",  -1, 0, GROWTH_PURE, 0, sequence_count_step, sequence_count_final, sequence_count_value, sequence_count_inverse},
  {"sequence_next_node", -1, 0, GROWTH_PURE, 0, sequence_next_node_step, sequence_next_node_final, 0, 0},
  /* retention.c: one registration per condition count (2..64) so an empty group knows N; the
  ** variadic row reports bad counts */
  {"retention",        2, 64, GROWTH_PURE,                   0, retention_step, retention_final, 0, 0},
  {"retention",       -1, 0, GROWTH_PURE,                    0, retention_step, retention_final, 0, 0},
  {"promo_price",        3, 4, GROWTH_PURE,                promo_price_func,       0, 0, 0, 0},
  {"promo_price_cents",  3, 4, GROWTH_PURE,                promo_price_cents_func, 0, 0, 0, 0},
  /* internal: how table-valued functions read their source rows (source.h) */
  {"growth_gather",   -1, 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, 0, gsource_gather_step, gsource_gather_final, 0, 0},
  /* rfm.c */
  {"rfm_segment",      3, 4, GROWTH_PURE,                    rfm_segment_func,    0,    0,     0,     0},
  /* chart.c */
  {"bar",              2, 3, GROWTH_PURE,                    bar_func,            0,    0,     0,     0},
  {"shade",            1, 2, GROWTH_PURE,                    shade_func,          0,    0,     0,     0},
};

const growth_table growth_tables[] = {
  {"funnel", &funnel_spec},
  {"funnel_actors", &funnel_actors_spec},
  {"rfm", &rfm_spec},
  {"rfm_segments", &rfm_segments_spec},
  {"cohort_retention", &cohort_retention_spec},
  {"repurchase", &repurchase_spec},
  {"clv_fit", &clv_fit_spec},
  {"clv", &clv_spec},
  {"promo_apply", &promo_apply_spec},
  {"promo_check", &promo_check_spec},
  {"lifecycle", &lifecycle_spec},
  {"lifecycle_actors", &lifecycle_actors_spec},
  {"actor_status", &actor_status_spec},
  {"actor_transitions", &actor_transitions_spec},
  {"stickiness", &stickiness_spec},
  {"active_users", &active_users_spec},
  {"paths", &paths_spec},
  {"path_actors", &path_actors_spec},
  {"churn_points", &churn_points_spec},
};
#define GROWTH_NTABLES (sizeof growth_tables / sizeof growth_tables[0])
const size_t growth_ntables = GROWTH_NTABLES;

/* What each connection owns: the table-valued functions' shared state (growth_trust_schema) and
** one module host per table. Every registration holds a reference; SQLite drops each when the
** connection closes (or a registration fails), and the last one frees the block. */
typedef struct growth_conn {
  gtvf_conn tvf;        /* first: a host's conn pointer is the block */
  int refs;
  gtvf_host host[GROWTH_NTABLES];
} growth_conn;

static void growth_conn_release(void *p) {
  growth_conn *c = p;
  if (--c->refs == 0) sqlite3_free(c);
}
static void growth_host_release(void *p) { growth_conn_release(((gtvf_host *)p)->conn); }

/* growth_trust_schema([on]): whether this connection's table-valued functions may run inside the
** application's views and triggers (SQLite then applies PRAGMA trusted_schema). Direct-only, so
** a schema can never switch it; it takes effect only before the first table-valued function is
** used on the connection, since SQLite fixes a virtual table's risk when it connects it. */
static void growth_trust_schema_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  growth_conn *c = sqlite3_user_data(ctx);
  if (argc == 1) {
    int on;
    char *err = NULL;
    int rc = garg_bool(argv[0], "growth_trust_schema", "on", &on, &err);
    if (rc == GARG_NULL) {
      garg_result_error(ctx, sqlite3_mprintf("growth_trust_schema: on is NULL, expected 0/1"));
      return;
    }
    if (rc != SQLITE_OK) { garg_result_error(ctx, err); return; }
    if (on != c->tvf.trust_schema && c->tvf.connected) {
      garg_result_error(ctx, sqlite3_mprintf("growth_trust_schema: a table-valued function was already used on this "
                                             "connection; call growth_trust_schema(%d) right after loading the "
                                             "extension, before any", on));
      return;
    }
    c->tvf.trust_schema = on;
  }
  sqlite3_result_int(ctx, c->tvf.trust_schema);
}

/* Registers row with n arguments. Only the rows of a count range need to know their count in
** their user data (retention_final): those get a copy of the row, freed with the connection;
** every other count is the row itself. */
static int register_function(sqlite3 *db, const growth_function *row, int n) {
  void *data = (void *)row;
  void (*destroy)(void *) = 0;
  if (row->nArgMax && row->xFinal) {
    growth_function *copy = sqlite3_malloc64(sizeof *copy);
    if (!copy) return SQLITE_NOMEM;
    *copy = *row;
    copy->nArg = copy->nArgMax = n;
    data = copy;
    destroy = sqlite3_free;
  }
  /* on failure both calls free the user data through destroy */
  return row->xValue ? sqlite3_create_window_function(db, row->name, n, row->flags, data, row->xStep, row->xFinal,
                                                      row->xValue, row->xInverse, destroy)
                     : sqlite3_create_function_v2(db, row->name, n, row->flags, data, row->xFunc, row->xStep,
                                                  row->xFinal, destroy);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  if (sqlite3_libversion_number() < GROWTH_MIN_SQLITE) {
    if (pzErrMsg)
      *pzErrMsg = sqlite3_mprintf("growth: needs SQLite 3.40.0 or newer, this is %s", sqlite3_libversion());
    return SQLITE_ERROR;
  }
  for (size_t i = 0; i < sizeof growth_functions / sizeof growth_functions[0]; i++) {
    const growth_function *row = &growth_functions[i];
    int last = row->nArgMax ? row->nArgMax : row->nArg;
    for (int n = row->nArg; n <= last; n++) {
      int rc = register_function(db, row, n);
      if (rc != SQLITE_OK) {
        if (pzErrMsg)
          *pzErrMsg = sqlite3_mprintf("growth: cannot register function %s: %s", row->name,
                                      rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
        return rc;
      }
    }
  }
  growth_conn *c = sqlite3_malloc64(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  c->refs = (int)GROWTH_NTABLES + 2;  /* the tables, growth_trust_schema's two arities */
  for (int arity = 0; arity <= 1; arity++) {
    /* the destructor runs on failure too, so the reference is always dropped */
    int rc = sqlite3_create_function_v2(db, "growth_trust_schema", arity, SQLITE_UTF8 | SQLITE_DIRECTONLY, c,
                                        growth_trust_schema_func, 0, 0, growth_conn_release);
    if (rc != SQLITE_OK) {
      c->refs -= 1 - arity + (int)GROWTH_NTABLES;  /* the registrations never attempted */
      if (c->refs == 0) sqlite3_free(c);
      if (pzErrMsg) *pzErrMsg = sqlite3_mprintf("growth: cannot register function growth_trust_schema: %s", sqlite3_errmsg(db));
      return rc;
    }
  }
  for (size_t i = 0; i < GROWTH_NTABLES; i++) {
    const growth_table *t = &growth_tables[i];
    c->host[i].spec = t->spec;
    c->host[i].conn = &c->tvf;
    int rc = sqlite3_create_module_v2(db, t->name, &gtvf_module, &c->host[i], growth_host_release);
    if (rc != SQLITE_OK) {
      c->refs -= (int)(GROWTH_NTABLES - 1 - i);
      if (c->refs == 0) sqlite3_free(c);
      if (pzErrMsg) *pzErrMsg = sqlite3_mprintf("growth: cannot register table %s: %s", t->name, sqlite3_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}
