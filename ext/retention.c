/*
** retention.c: SQL glue for retention (the ClickHouse aggregate) and cohort_retention (the
** cohort table, computed by the engine in cohort.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "cohort.h"
#include "gather.h"
#include "mem.h"
#include "registry.h"
#include "source.h"
#include "tvf.h"

/* ---------------------------------------------------------------------------------------
** retention(cond1, ..., condN): r1 = any(cond1), rk = any(cond1) AND any(condk).
**
** It is registered once per N (2..64) so an empty group still knows N and returns N zeros,
** as ClickHouse does; a variadic row catches every other count with a clear error. It takes
** no options: ClickHouse's retention has no parameters and a trailing TEXT argument could
** not be told from a TEXT condition in an empty group.
*/
#define RETENTION_MAX 64

typedef struct retention_state { uint64_t any; } retention_state;

static int retention_count_ok(sqlite3_context *ctx, int n) {
  if (n >= 2 && n <= RETENTION_MAX) return 1;
  /* n < 0: an empty group of the variadic row, whose count is not known here */
  char *msg = n < 0 ? sqlite3_mprintf("%s: takes 2 to %d conditions (0/1 values)", garg_fn_name(ctx), RETENTION_MAX)
                    : sqlite3_mprintf("%s: takes 2 to %d conditions (0/1 values), got %d", garg_fn_name(ctx),
                                      RETENTION_MAX, n);
  garg_result_error(ctx, msg);
  return 0;
}

void retention_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  if (!retention_count_ok(ctx, argc)) return;
  retention_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) { sqlite3_result_error_nomem(ctx); return; }
  uint64_t row = 0;
  int has_null = 0;
  for (int i = 0; i < argc; i++) {
    sqlite3_value *v = argv[i];
    if (sqlite3_value_type(v) == SQLITE_INTEGER) {  /* the usual case, without the general reader */
      sqlite3_int64 x = sqlite3_value_int64(v);
      if (x == 1) { row |= UINT64_C(1) << i; continue; }
      if (x == 0) continue;
    }
    char arg[32];
    snprintf(arg, sizeof arg, "condition %d", i + 1);
    int bit = 0;
    char *err = NULL;
    int rc = garg_bool(v, garg_fn_name(ctx), arg, &bit, &err);
    if (rc == GARG_NULL) { has_null = 1; continue; }
    if (rc != SQLITE_OK) {
      if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
      else if (i == argc - 1 && argc >= 3 && sqlite3_value_type(v) == SQLITE_TEXT) {
        /* after two conditions, what a window_funnel user writes as options: say it is not one */
        char *msg = sqlite3_mprintf("%s (retention takes no options argument)", err);
        sqlite3_free(err);
        garg_result_error(ctx, msg);
      } else garg_result_error(ctx, err);
      return;
    }
    if (bit) row |= UINT64_C(1) << i;
  }
  /* ClickHouse (22.10+) skips a row with any NULL argument */
  if (!has_null) st->any |= row;
}

void retention_final(sqlite3_context *ctx) {
  const growth_function *f = sqlite3_user_data(ctx);
  int n = f ? f->nArg : -1;
  if (!retention_count_ok(ctx, n)) return;
  retention_state *st = sqlite3_aggregate_context(ctx, 0);
  uint64_t any = st ? st->any : 0;
  char out[2 * RETENTION_MAX + 2];
  int at = 0;
  out[at++] = '[';
  for (int i = 0; i < n; i++) {
    int r = (any & 1) && ((any >> i) & 1);
    if (i) out[at++] = ',';
    out[at++] = r ? '1' : '0';
  }
  out[at++] = ']';
  sqlite3_result_text(ctx, out, at, SQLITE_TRANSIENT);
}

/* ---------------------------------------------------------------------------------------
** cohort_retention(source, period [, options])
*/
static const gopt_spec cohort_opt_spec[] = {
  {"on_or_after", GOPT_FLAG}, {"rolling", GOPT_FLAG},  {"tz", GOPT_VALUE},      {"week_start", GOPT_VALUE},
  {"periods", GOPT_VALUE},    {"as_of", GOPT_VALUE},   {"value", GOPT_FLAG},    {"ts_unit", GOPT_VALUE},
  {"segment", GOPT_VALUE},    {NULL, 0},
};

typedef struct cohort_result {
  gcohort *engine;
  int has_value;      /* a value column with at least one value */
  int has_segment;
  gkeys segments;     /* segment values by id - 1 (id 0 is NULL) */
} cohort_result;

typedef struct cohort_scan {
  ggather g;          /* actors, timestamps and the as_of rule, as every actor-history function */
  gcohort *engine;
  int has_is_start, has_value, has_segment, any_value;
  ggather_batch *batch; /* sources of actor and ts alone: rows wait to have their actors looked up */
} cohort_scan;

/* Rows of a batch to the engine, in the order they were read. */
static int cohort_take(void *ctx, const uint32_t *actor, const int64_t *ts_us, uint32_t n, char **pzErr) {
  cohort_scan *s = ctx;
  const char *why = gcohort_add_rows(s->engine, actor, ts_us, n);
  return why ? ggather_fail(s->g.fn, why, pzErr) : SQLITE_OK;
}

/* A row of a source of actor and ts alone. */
static int cohort_row_actor_ts(void *ctx, sqlite3_value **cols, char **pzErr) {
  cohort_scan *s = ctx;
  return ggather_batch_row(&s->g, s->batch, cols[0], cols[1], "ts (source column 2)", pzErr);
}

static int cohort_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  cohort_scan *s = ctx;
  const char *fn = s->g.fn;
  uint32_t actor;
  int64_t ts;
  int rc = ggather_row(&s->g, cols[0], cols[1], "ts (source column 2)", &actor, &ts, pzErr);
  if (rc != SQLITE_OK) return rc == GGATHER_SKIP ? SQLITE_OK : rc;
  int is_start = 0;
  if (s->has_is_start) {
    rc = garg_bool(cols[2], fn, "is_start (source column 3)", &is_start, pzErr);
    if (rc == GARG_NULL) is_start = 0;
    else if (rc != SQLITE_OK) return rc;
  }
  int64_t value = 0;
  if (s->has_value) {
    rc = garg_money(cols[3], fn, "value (source column 4)", 2, GROUND_HALF_UP, &value, pzErr);
    if (rc == GARG_NULL) value = 0;
    else if (rc != SQLITE_OK) return rc;
    else s->any_value = 1;
  }
  uint32_t segment = 0;
  if (s->has_segment) {
    rc = ggather_name(&s->g, cols[4], &segment, pzErr);
    if (rc != SQLITE_OK) return rc;
  }
  const char *why = gcohort_add(s->engine, actor, ts, is_start, value, segment);
  return why ? ggather_fail(fn, why, pzErr) : SQLITE_OK;
}

/* Reads the period and the options into the engine's and the gather's settings. */
static int cohort_options(sqlite3_value **args, const char *fn, gcohort_opts *opts, gts_format *format,
                          int *as_of_given, int64_t *as_of, int *value_flag, char **pzErr) {
  memset(opts, 0, sizeof *opts);
  int rc = garg_period(args[1], fn, "period", &opts->cal.period, pzErr);
  if (rc != SQLITE_OK) return rc;
  gopts o;
  gperiod period = opts->cal.period;
  o.count = 0;
  if (args[2]) rc = garg_options(args[2], fn, cohort_opt_spec, &o, pzErr);
  if (rc == SQLITE_OK) rc = garg_calendar_options(&o, cohort_opt_spec, fn, &opts->cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(&o, cohort_opt_spec, fn, opts->cal.offset_s, format, pzErr);
  if (rc != SQLITE_OK) return rc;
  opts->cal.period = period;
  opts->rolling = gopts_has(&o, cohort_opt_spec, "rolling");
  opts->on_or_after = gopts_has(&o, cohort_opt_spec, "on_or_after");
  *value_flag = gopts_has(&o, cohort_opt_spec, "value");
  char err[GOPTS_ERR_MAX];
  static const char *const touches[] = {"first", "last", NULL};
  if (gopts_int(&o, cohort_opt_spec, "periods", 1, 1000000, &opts->periods, err, sizeof err) != 0 ||
      gopts_choice(&o, cohort_opt_spec, "segment", touches, &opts->segment_last, err, sizeof err) != 0) {
    *pzErr = sqlite3_mprintf("%s: %s", fn, err);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  const char *text = gopts_value(&o, cohort_opt_spec, "as_of");
  *as_of_given = text != NULL;
  return text ? garg_as_of_text(text, format, fn, as_of, pzErr) : SQLITE_OK;
}

static int cohort_segment_cmp(void *ctx, uint32_t a, uint32_t b) { return ggather_name_cmp(ctx, a, b); }

static void cohort_destroy(void *result) {
  cohort_result *res = result;
  if (!res) return;
  gcohort_free(res->engine);
  gkeys_free(&res->segments);
  sqlite3_free(res);
}

static int cohort_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                          int64_t *nrows, char **pzErr) {
  const char *fn = spec->name;
  gcohort_opts opts;
  gts_format format;
  int as_of_given = 0, value_flag = 0;
  int64_t as_of = 0;
  int rc = cohort_options(args, fn, &opts, &format, &as_of_given, &as_of, &value_flag, pzErr);
  if (rc != SQLITE_OK) return rc == GARG_NULL ? SQLITE_OK : rc;

  gsource src;
  rc = gsource_open_arg(&src, db, fn, "source", args[0], pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src.ncol < 2 || src.ncol > 5) {
    *pzErr = sqlite3_mprintf("%s: source has %d column%s, expected actor, ts [, is_start [, value [, segment]]]", fn,
                             src.ncol, src.ncol == 1 ? "" : "s");
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  /* The first design listed a `value` flag; the fourth column is read whenever present, so the flag
  ** only checks that it is there */
  if (value_flag && src.ncol < 4) {
    *pzErr = sqlite3_mprintf("%s: option value needs a fourth source column (actor, ts, is_start, value); "
                             "the source has %d", fn, src.ncol);
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  cohort_scan scan;
  memset(&scan, 0, sizeof scan);
  scan.has_is_start = opts.has_is_start = src.ncol >= 3;
  scan.has_value = opts.has_value = src.ncol >= 4;
  scan.has_segment = opts.has_segment = src.ncol >= 5;
  ggather_init(&scan.g, fn, 0, GKEYS_IDS_ONLY, &format, as_of_given, as_of);
  opts.segment_cmp = cohort_segment_cmp;
  opts.segment_ctx = &scan.g;
  cohort_result *res = sqlite3_malloc64(sizeof *res);
  scan.engine = gcohort_new(&opts);
  if (src.ncol == 2) scan.batch = ggather_batch_new(cohort_take, &scan);
  if (!res || !scan.engine || (src.ncol == 2 && !scan.batch)) rc = SQLITE_NOMEM;
  static const int cols[5] = {0, 1, 2, 3, 4};
  if (rc == SQLITE_OK) {
    rc = gsource_scan(&src, fn, cols, src.ncol, scan.batch ? cohort_row_actor_ts : cohort_row, &scan, pzErr);
    if (scan.batch) rc = ggather_batch_end(&scan.g, scan.batch, rc, pzErr);
  }
  gsource_close(&src);
  ggather_batch_free(scan.batch);
  if (rc == SQLITE_OK) rc = ggather_finish_rows(&scan.g, gcohort_rows(scan.engine), gcohort_max_ts(scan.engine), pzErr);
  uint32_t *rank = NULL;
  uint32_t nsegments = scan.has_segment ? gkeys_count(&scan.g.ev.names) + 1 : 1;
  if (rc == SQLITE_OK && scan.has_segment && !(rank = ggather_name_ranks(&scan.g))) rc = SQLITE_NOMEM;
  if (rc == SQLITE_OK) {
    /* computing the cells runs no SQL: the core asks the connection now and then */
    gcancel_db cancel;
    gcancel_db_init(&cancel, db);
    /* every actor has its dense id now: the lookup (for sparse INTEGER or TEXT ids a hash table
    ** of 32 to 64 bytes per actor) goes before the tally allocates, lowering the peak */
    gkeys_free(&scan.g.ev.actors);
    const char *why = gcohort_finish(scan.engine, scan.g.as_of_us, rank, nsegments, &cancel.base);
    int cancel_rc = gcancel_db_finish(&cancel);
    if (why == gcancel_reason) rc = cancel_rc != SQLITE_OK ? cancel_rc : SQLITE_INTERRUPT;
    else if (why) rc = ggather_fail(fn, why, pzErr);
  }
  gmem_free(rank);
  if (rc != SQLITE_OK) {
    gcohort_free(scan.engine);
    sqlite3_free(res);
    ggather_free(&scan.g);
    return rc;
  }
  res->engine = scan.engine;
  res->has_value = scan.has_value && scan.any_value;
  res->has_segment = scan.has_segment;
  res->segments = scan.g.ev.names;  /* the segment values, kept for output */
  gkeys_init(&scan.g.ev.names, 0);
  ggather_free(&scan.g);
  *result = res;
  *nrows = gcohort_ncells(res->engine);
  return SQLITE_OK;
}

/* The output columns, in the schema's order (cohort_retention_spec below). */
enum {
  COHORT_COLUMN_COHORT, COHORT_COLUMN_COHORT_SIZE, COHORT_COLUMN_PERIOD, COHORT_COLUMN_RETAINED, COHORT_COLUMN_RATE,
  COHORT_COLUMN_VALUE, COHORT_COLUMN_COMPLETE, COHORT_COLUMN_VALUE_CENTS, COHORT_COLUMN_SEGMENT,
  COHORT_N_OUT,
};

static void cohort_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  cohort_result *res = result;
  const gcohort_cell *cell = &gcohort_cells(res->engine)[row];
  switch (col) {
    case COHORT_COLUMN_COHORT: {
      char day[16];
      gtime_format_day(cell->cohort_day, day);
      sqlite3_result_text(ctx, day, -1, SQLITE_TRANSIENT);
      break;
    }
    case COHORT_COLUMN_COHORT_SIZE: sqlite3_result_int64(ctx, cell->cohort_size); break;
    case COHORT_COLUMN_PERIOD: sqlite3_result_int64(ctx, cell->period); break;
    case COHORT_COLUMN_RETAINED: sqlite3_result_int64(ctx, cell->retained); break;
    case COHORT_COLUMN_RATE: sqlite3_result_double(ctx, (double)cell->retained / (double)cell->cohort_size); break;
    case COHORT_COLUMN_VALUE:
      if (res->has_value) sqlite3_result_double(ctx, gmoney_to_real(cell->value, 2));
      else sqlite3_result_null(ctx);
      break;
    case COHORT_COLUMN_COMPLETE: sqlite3_result_int(ctx, cell->complete); break;
    case COHORT_COLUMN_VALUE_CENTS:
      if (res->has_value) sqlite3_result_int64(ctx, cell->value);
      else sqlite3_result_null(ctx);
      break;
    case COHORT_COLUMN_SEGMENT:
      if (res->has_segment && cell->segment > 0) {
        gkey key = gkeys_get(&res->segments, cell->segment - 1);
        garg_result_key(ctx, &key);
      }
      break;
  }
}

static const char *const cohort_args[] = {"source", "period_unit", "options"};
const gtvf_spec cohort_retention_spec = {
  .name = "cohort_retention",
  /* the output columns in COHORT_COLUMN_* order, then cohort_args */
  .schema =
    "CREATE TABLE x(cohort TEXT, cohort_size INTEGER, period INTEGER, retained INTEGER, rate REAL,"
    " value REAL, complete INTEGER, value_cents INTEGER, segment, source HIDDEN, period_unit HIDDEN, options HIDDEN)",
  .n_out = COHORT_N_OUT,
  .n_args = 3,
  .n_required = 2,
  .arg_names = cohort_args,
  .innocuous = 0,
  .compute = cohort_compute,
  .column = cohort_column,
  .destroy = cohort_destroy,
  .sources = 1u << 0,
  .options = cohort_opt_spec,
};
