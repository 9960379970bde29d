/*
** calendar.c: SQL glue for the time core: growth_version(), date_bucket(), period_diff().
*/
#include <string.h>

#include "args.h"
#include "registry.h"

void growth_version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
  char *v = sqlite3_mprintf("sqlite-growth %s (SQLite %s)", GROWTH_VERSION, sqlite3_libversion());
  if (!v) { sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, v, -1, sqlite3_free);
}

static const gopt_spec calendar_spec[] = {
  {"tz", GOPT_VALUE}, {"week_start", GOPT_VALUE}, {"rolling", GOPT_FLAG}, {"ts_unit", GOPT_VALUE}, {NULL, 0},
};

/* Parsed options, kept with sqlite3_set_auxdata while the options argument is constant. */
typedef struct calendar_options {
  gcalendar cal;
  int rolling;
  gts_format format; /* ts_unit and tz: how the timestamps are read (timestamp.h) */
} calendar_options;

static int read_calendar_options(sqlite3_context *ctx, sqlite3_value **argv, int argi, int allow_rolling,
                                 calendar_options *out) {
  const char *fn = garg_fn_name(ctx);
  memset(out, 0, sizeof *out); /* no options: seconds, UTC (gts_format zeroed) */
  if (argi < 0) return SQLITE_OK;
  calendar_options *cached = sqlite3_get_auxdata(ctx, argi);
  if (cached) { *out = *cached; return SQLITE_OK; }
  gopts o;
  char *err = NULL;
  int rc = garg_options(argv[argi], fn, calendar_spec, &o, &err);
  if (rc == SQLITE_OK) rc = garg_calendar_options(&o, calendar_spec, fn, &out->cal, &err);
  if (rc == SQLITE_OK) rc = garg_ts_format(&o, calendar_spec, fn, out->cal.offset_s, &out->format, &err);
  if (rc == SQLITE_OK) {
    out->rolling = gopts_has(&o, calendar_spec, "rolling");
    if (out->rolling && !allow_rolling) {
      err = sqlite3_mprintf("%s: option 'rolling' applies to period_diff only", fn);
      rc = SQLITE_ERROR;
    }
  }
  if (rc != SQLITE_OK) {
    if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
    else garg_result_error(ctx, err);
    return rc;
  }
  cached = sqlite3_malloc64(sizeof *cached);
  if (cached) {
    *cached = *out;
    sqlite3_set_auxdata(ctx, argi, cached, sqlite3_free);
  }
  return SQLITE_OK;
}

static void report(sqlite3_context *ctx, int rc, char *err) {
  if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
  else garg_result_error(ctx, err);
}

/* date_bucket(ts, period [, options]) -> 'YYYY-MM-DD', the local first day of the period. */
void date_bucket_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *fn = garg_fn_name(ctx);
  calendar_options opt;
  if (read_calendar_options(ctx, argv, argc > 2 ? 2 : -1, 0, &opt) != SQLITE_OK) return;
  char *err = NULL;
  int64_t ts;
  int rc = garg_period(argv[1], fn, "period", &opt.cal.period, &err);
  if (rc == SQLITE_OK) rc = garg_ts_single(argv[0], &opt.format, fn, "ts", &ts, &err);
  if (rc == GARG_NULL) { sqlite3_result_null(ctx); return; }
  if (rc != SQLITE_OK) { report(ctx, rc, err); return; }
  /* Near the ends of the range the local period can start before 0000-01-01 or after
  ** 9999-12-31 (a week, a negative offset): an error, like any other instant out of range. */
  int64_t start = gtime_period_start_day(&opt.cal, ts);
  if (start < GTIME_MIN_US / GTIME_US_PER_DAY || start > GTIME_MAX_US / GTIME_US_PER_DAY) {
    garg_result_error(ctx, sqlite3_mprintf("%s: the %s containing ts starts outside years 0000..9999", fn,
                                           gtime_period_name(opt.cal.period)));
    return;
  }
  char day[16];
  gtime_format_day(start, day);
  sqlite3_result_text(ctx, day, -1, SQLITE_TRANSIENT);
}

/* period_diff(from_ts, to_ts, period [, options]) -> whole periods from from_ts to to_ts. */
void period_diff_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *fn = garg_fn_name(ctx);
  calendar_options opt;
  if (read_calendar_options(ctx, argv, argc > 3 ? 3 : -1, 1, &opt) != SQLITE_OK) return;
  char *err = NULL;
  int64_t from, to;
  int rc = garg_period(argv[2], fn, "period", &opt.cal.period, &err);
  if (rc == SQLITE_OK) rc = garg_ts_single(argv[0], &opt.format, fn, "from_ts", &from, &err);
  if (rc == SQLITE_OK) rc = garg_ts_single(argv[1], &opt.format, fn, "to_ts", &to, &err);
  if (rc == GARG_NULL) { sqlite3_result_null(ctx); return; }
  if (rc != SQLITE_OK) { report(ctx, rc, err); return; }
  sqlite3_result_int64(ctx, opt.rolling ? gtime_rolling_diff(opt.cal.period, from, to)
                                        : gtime_period_diff(&opt.cal, from, to));
}
