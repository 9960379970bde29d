/*
** growth.c: the entry point. Every SQL name the extension adds is one row of the tables
** below; sqlite3_growth_init registers them in order and stops at the first failure,
** reporting which name failed and why.
*/
#define GROWTH_OWNS_API
#include "sqlite_glue.h"
SQLITE_EXTENSION_INIT1

#include <stddef.h>

#include "registry.h"
#include "source.h"
#include "tvf.h"

/* Needs window functions (3.25), sqlite3_str (3.31), DIRECTONLY (3.31), vtab_config DIRECTONLY;
** the contract promises 3.40 and that is what is tested. */
#define GROWTH_MIN_SQLITE 3040000

static const growth_function growth_functions[] = {
  /* name            nArg flags                            xFunc               xStep  xFinal xValue xInverse */
  {"growth_version",   0, SQLITE_UTF8 | SQLITE_INNOCUOUS, growth_version_func, 0,    0,     0,     0},
  {"date_bucket",      2, GROWTH_PURE,                    date_bucket_func,    0,    0,     0,     0},
  {"date_bucket",      3, GROWTH_PURE,                    date_bucket_func,    0,    0,     0,     0},
  {"period_diff",      3, GROWTH_PURE,                    period_diff_func,    0,    0,     0,     0},
  {"period_diff",      4, GROWTH_PURE,                    period_diff_func,    0,    0,     0,     0},
  {"window_funnel",   -1, GROWTH_PURE, 0, window_funnel_step, window_funnel_final, window_funnel_value, window_funnel_inverse},
  /* retention.c: one row per condition count so an empty group knows N; -1 reports bad counts */
#define RETENTION_ROW(n) {"retention", n, GROWTH_PURE, 0, retention_step, retention_final, 0, 0}
  RETENTION_ROW(2), RETENTION_ROW(3), RETENTION_ROW(4), RETENTION_ROW(5), RETENTION_ROW(6), RETENTION_ROW(7), RETENTION_ROW(8), RETENTION_ROW(9),
  RETENTION_ROW(10), RETENTION_ROW(11), RETENTION_ROW(12), RETENTION_ROW(13), RETENTION_ROW(14), RETENTION_ROW(15), RETENTION_ROW(16), RETENTION_ROW(17),
  RETENTION_ROW(18), RETENTION_ROW(19), RETENTION_ROW(20), RETENTION_ROW(21), RETENTION_ROW(22), RETENTION_ROW(23), RETENTION_ROW(24), RETENTION_ROW(25),
  RETENTION_ROW(26), RETENTION_ROW(27), RETENTION_ROW(28), RETENTION_ROW(29), RETENTION_ROW(30), RETENTION_ROW(31), RETENTION_ROW(32), RETENTION_ROW(33),
  RETENTION_ROW(34), RETENTION_ROW(35), RETENTION_ROW(36), RETENTION_ROW(37), RETENTION_ROW(38), RETENTION_ROW(39), RETENTION_ROW(40), RETENTION_ROW(41),
  RETENTION_ROW(42), RETENTION_ROW(43), RETENTION_ROW(44), RETENTION_ROW(45), RETENTION_ROW(46), RETENTION_ROW(47), RETENTION_ROW(48), RETENTION_ROW(49),
  RETENTION_ROW(50), RETENTION_ROW(51), RETENTION_ROW(52), RETENTION_ROW(53), RETENTION_ROW(54), RETENTION_ROW(55), RETENTION_ROW(56), RETENTION_ROW(57),
  RETENTION_ROW(58), RETENTION_ROW(59), RETENTION_ROW(60), RETENTION_ROW(61), RETENTION_ROW(62), RETENTION_ROW(63), RETENTION_ROW(64),
  RETENTION_ROW(-1),
  {"promo_price",        3, GROWTH_PURE,                promo_price_func,       0, 0, 0, 0},
  {"promo_price",        4, GROWTH_PURE,                promo_price_func,       0, 0, 0, 0},
  {"promo_price_cents",  3, GROWTH_PURE,                promo_price_cents_func, 0, 0, 0, 0},
  {"promo_price_cents",  4, GROWTH_PURE,                promo_price_cents_func, 0, 0, 0, 0},
  /* internal: how table-valued functions read their source rows (source.h) */
  {"growth_gather",   -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, 0, gsource_gather_step, gsource_gather_final, 0, 0},
  /* rfm.c */
  {"rfm_segment",      3, GROWTH_PURE,                    rfm_segment_func,    0,    0,     0,     0},
  {"rfm_segment",      4, GROWTH_PURE,                    rfm_segment_func,    0,    0,     0,     0},
  /* chart.c */
  {"bar",              2, GROWTH_PURE,                    bar_func,            0,    0,     0,     0},
  {"bar",              3, GROWTH_PURE,                    bar_func,            0,    0,     0,     0},
  {"shade",            1, GROWTH_PURE,                    shade_func,          0,    0,     0,     0},
};

static const growth_table growth_tables[] = {
  {"funnel", &funnel_spec},
  {"funnel_actors", &funnel_actors_spec},
  {"rfm", &rfm_spec},
  {"rfm_segments", &rfm_segments_spec},
  {"cohort_retention", &cohort_retention_spec},
  {"repurchase", &repurchase_spec},
  {"promo_apply", &promo_apply_spec},
  {"promo_check", &promo_check_spec},
  {NULL, NULL},
};

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
    const growth_function *f = &growth_functions[i];
    int rc = f->xValue
      ? sqlite3_create_window_function(db, f->name, f->nArg, f->flags, (void *)f, f->xStep, f->xFinal,
                                       f->xValue, f->xInverse, 0)
      : sqlite3_create_function_v2(db, f->name, f->nArg, f->flags, (void *)f, f->xFunc, f->xStep, f->xFinal, 0);
    if (rc != SQLITE_OK) {
      if (pzErrMsg) *pzErrMsg = sqlite3_mprintf("growth: cannot register function %s: %s", f->name, sqlite3_errmsg(db));
      return rc;
    }
  }
  for (size_t i = 0; i < sizeof growth_tables / sizeof growth_tables[0]; i++) {
    const growth_table *t = &growth_tables[i];
    if (!t->name) continue;
    int rc = sqlite3_create_module_v2(db, t->name, &gtvf_module, (void *)t->spec, 0);
    if (rc != SQLITE_OK) {
      if (pzErrMsg) *pzErrMsg = sqlite3_mprintf("growth: cannot register table %s: %s", t->name, sqlite3_errmsg(db));
      return rc;
    }
  }
  return SQLITE_OK;
}
