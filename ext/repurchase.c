/*
** repurchase.c: repurchase(source, period [, options]), 复购率 and 回购率 per period.
** Table-valued and direct-only (it runs its source). The counting is repurchase_engine.c.
**
** Source columns by position: customer, ts [, segment]. Each row is one purchase; count=orders
** counts rows, the default count=days counts distinct local purchase days. With a segment
** column (acquisition channel, say) every customer belongs to the segment of their first
** purchase, or of their last with segment=last, and each segment gets its own periods.
** Options: count=days|orders, segment=first|last, tz, week_start, ts_unit, as_of.
*/
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "gather.h"
#include "mem.h"
#include "registry.h"
#include "repurchase_engine.h"
#include "source.h"
#include "tvf.h"

enum {
  REPURCHASE_COLUMN_SEGMENT,
  REPURCHASE_COLUMN_PERIOD,
  REPURCHASE_COLUMN_BUYERS,
  REPURCHASE_COLUMN_NEW_BUYERS,
  REPURCHASE_COLUMN_PURCHASES,
  REPURCHASE_COLUMN_REPEAT_BUYERS,
  REPURCHASE_COLUMN_REPURCHASE_RATE,
  REPURCHASE_COLUMN_RETURNING_BUYERS,
  REPURCHASE_COLUMN_PREV_BUYERS,
  REPURCHASE_COLUMN_BUYBACK_RATE,
  REPURCHASE_COLUMN_COMPLETE,
  REPURCHASE_NCOLUMNS
};
#define REPURCHASE_SCHEMA                                                                              \
  "CREATE TABLE x(segment, period TEXT, buyers INTEGER, new_buyers INTEGER, purchases INTEGER,"        \
  " repeat_buyers INTEGER, repurchase_rate REAL, returning_buyers INTEGER, prev_buyers INTEGER,"       \
  " buyback_rate REAL, complete INTEGER, source HIDDEN, period_unit HIDDEN, options HIDDEN)"

static const gopt_spec repurchase_opts[] = {
  {"count", GOPT_VALUE}, {"segment", GOPT_VALUE}, {"tz", GOPT_VALUE},    {"week_start", GOPT_VALUE},
  {"ts_unit", GOPT_VALUE}, {"as_of", GOPT_VALUE}, {NULL, 0},
};

typedef struct repurchase_result {
  grepurchase_cell *cells;
  gkeys segments;     /* segment values by id - 1 (id 0 is NULL) */
  int has_segment;
} repurchase_result;

typedef struct repurchase_scan {
  ggather g;
  int has_segment;
} repurchase_scan;

static int repurchase_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  repurchase_scan *s = ctx;
  uint32_t actor;
  int64_t ts;
  int rc = ggather_row(&s->g, cols[0], cols[1], "ts (source column 2)", &actor, &ts, pzErr);
  if (rc != SQLITE_OK) return rc == GGATHER_SKIP ? SQLITE_OK : rc;
  gev_extra extra = {0, 0, 0, 0};
  if (s->has_segment && (rc = ggather_name(&s->g, cols[2], &extra.segment, pzErr)) != SQLITE_OK) return rc;
  const char *why = gevents_add(&s->g.ev, actor, ts, &extra);
  return why ? ggather_fail(s->g.fn, why, pzErr) : SQLITE_OK;
}

/* Reads the options into the engine's and the gather's settings. */
static int read_options(sqlite3_value **args, const char *fn, grepurchase_opts *opts, gts_format *format,
                        int *as_of_given, char **pzErr) {
  memset(opts, 0, sizeof *opts);
  int rc = garg_period(args[1], fn, "period", &opts->cal.period, pzErr);
  if (rc != SQLITE_OK) return rc;
  gperiod period = opts->cal.period;
  gopts o;
  o.count = 0;
  if (args[2]) rc = garg_options(args[2], fn, repurchase_opts, &o, pzErr);
  if (rc == SQLITE_OK) rc = garg_calendar_options(&o, repurchase_opts, fn, &opts->cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(&o, repurchase_opts, fn, opts->cal.offset_s, format, pzErr);
  if (rc != SQLITE_OK) return rc;
  opts->cal.period = period;
  static const char *const counts[] = {"days", "orders", NULL}, *const touches[] = {"first", "last", NULL};
  char err[GOPTS_ERR_MAX];
  if (gopts_choice(&o, repurchase_opts, "count", counts, &opts->count_orders, err, sizeof err) != 0 ||
      gopts_choice(&o, repurchase_opts, "segment", touches, &opts->segment_last, err, sizeof err) != 0) {
    *pzErr = sqlite3_mprintf("%s: %s", fn, err);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  const char *as_of = gopts_value(&o, repurchase_opts, "as_of");
  *as_of_given = as_of != NULL;
  return as_of ? garg_as_of_text(as_of, format, fn, &opts->as_of_us, pzErr) : SQLITE_OK;
}

static void repurchase_destroy(void *result) {
  repurchase_result *res = result;
  if (!res) return;
  gmem_free(res->cells);
  gkeys_free(&res->segments);
  sqlite3_free(res);
}

static int repurchase_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                              int64_t *nrows, char **pzErr) {
  const char *fn = spec->name;
  grepurchase_opts opts;
  gts_format format;
  int as_of_given = 0;
  int rc = read_options(args, fn, &opts, &format, &as_of_given, pzErr);
  if (rc != SQLITE_OK) return rc == GARG_NULL ? SQLITE_OK : rc;
  gsource src;
  rc = gsource_open_arg(&src, db, fn, "source", args[0], pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src.ncol < 2 || src.ncol > 3) {
    *pzErr = sqlite3_mprintf("%s: source has %d column%s, expected customer, ts [, segment]", fn, src.ncol,
                             src.ncol == 1 ? "" : "s");
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  repurchase_scan scan;
  scan.has_segment = src.ncol == 3;
  ggather_init(&scan.g, fn, scan.has_segment ? GEV_SEGMENT : 0, GKEYS_IDS_ONLY, &format, as_of_given, opts.as_of_us);
  static const int cols[3] = {0, 1, 2};
  rc = gsource_scan(&src, fn, cols, src.ncol, repurchase_row, &scan, pzErr);
  gsource_close(&src);
  if (rc == SQLITE_OK) rc = ggather_finish(&scan.g, pzErr);
  repurchase_result *res = NULL;
  uint32_t *rank = NULL;
  gcancel_db cancel;
  gcancel_db_init(&cancel, db);
  if (rc == SQLITE_OK && scan.g.ev.n > 0) {
    opts.as_of_us = scan.g.as_of_us;
    uint32_t nsegments = scan.has_segment ? gkeys_count(&scan.g.ev.names) + 1 : 1;
    rank = ggather_name_ranks(&scan.g);
    res = sqlite3_malloc64(sizeof *res);
    if (!rank || !res) rc = SQLITE_NOMEM;
    const char *why = NULL;
    if (rc == SQLITE_OK) {
      gev_order order = {NULL, rank};
      why = gevents_group(&scan.g.ev, &order, &cancel.base);
    }
    int64_t ncells = 0;
    if (rc == SQLITE_OK && !why)
      why = grepurchase_compute(&scan.g.ev, &opts, nsegments, rank, &cancel.base, &res->cells, &ncells);
    if (why) rc = ggather_fail(fn, why, pzErr);
    if (rc == SQLITE_OK) {
      res->segments = scan.g.ev.names;  /* the segment values, kept for output */
      gkeys_init(&scan.g.ev.names, 0);
      res->has_segment = scan.has_segment;
      *result = res;
      *nrows = ncells;
      res = NULL;
    }
  }
  int stop = gcancel_db_finish(&cancel);
  if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;
  gmem_free(rank);
  sqlite3_free(res);
  ggather_free(&scan.g);
  return rc;
}

static void repurchase_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  repurchase_result *res = result;
  const grepurchase_cell *c = &res->cells[row];
  switch (col) {
    case REPURCHASE_COLUMN_SEGMENT:
      if (res->has_segment && c->segment > 0) {
        gkey key = gkeys_get(&res->segments, c->segment - 1);
        garg_result_key(ctx, &key);
      }
      break;
    case REPURCHASE_COLUMN_PERIOD: {
      char day[16];
      sqlite3_result_text(ctx, gtime_format_day(c->period_day, day), -1, SQLITE_TRANSIENT);
      break;
    }
    case REPURCHASE_COLUMN_BUYERS: sqlite3_result_int64(ctx, c->buyers); break;
    case REPURCHASE_COLUMN_NEW_BUYERS: sqlite3_result_int64(ctx, c->new_buyers); break;
    case REPURCHASE_COLUMN_PURCHASES: sqlite3_result_int64(ctx, c->purchases); break;
    case REPURCHASE_COLUMN_REPEAT_BUYERS: sqlite3_result_int64(ctx, c->repeat_buyers); break;
    case REPURCHASE_COLUMN_REPURCHASE_RATE:
      if (c->buyers) sqlite3_result_double(ctx, (double)c->repeat_buyers / (double)c->buyers);
      break;
    case REPURCHASE_COLUMN_RETURNING_BUYERS: sqlite3_result_int64(ctx, c->returning_buyers); break;
    case REPURCHASE_COLUMN_PREV_BUYERS: sqlite3_result_int64(ctx, c->prev_buyers); break;
    case REPURCHASE_COLUMN_BUYBACK_RATE:
      if (c->prev_buyers) sqlite3_result_double(ctx, (double)c->returning_buyers / (double)c->prev_buyers);
      break;
    case REPURCHASE_COLUMN_COMPLETE: sqlite3_result_int(ctx, c->complete); break;
  }
}

static const char *const repurchase_args[] = {"source", "period_unit", "options"};
const gtvf_spec repurchase_spec = {
  .name = "repurchase",
  .schema = REPURCHASE_SCHEMA,
  .n_out = REPURCHASE_NCOLUMNS,
  .n_args = 3,
  .n_required = 2,
  .arg_names = repurchase_args,
  .innocuous = 0,
  .compute = repurchase_compute,
  .column = repurchase_column,
  .destroy = repurchase_destroy,
  .sources = 1u << 0,
  .options = repurchase_opts,
};
