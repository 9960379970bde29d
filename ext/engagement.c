/*
** engagement.c: SQL glue for stickiness() and active_users(), computed by engagement_engine.c
** over the rows gather.h reads.
**
**   stickiness(source, window, unit [, options])   source: actor, ts
**   active_users(source [, options])                source: actor, ts
*/
#include <string.h>
#include <strings.h>

#include "args.h"
#include "cancel_db.h"
#include "engagement_engine.h"
#include "gather.h"
#include "mem.h"
#include "registry.h"
#include "tvf.h"

static int fail(char **pzErr, char *msg) {
  *pzErr = msg;
  return msg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* What both functions read first: tz, week_start, ts_unit, from, to, as_of. */
typedef struct eng_args {
  gcalendar cal;
  gts_format format;
  int has_from, has_to, has_as_of;
  int64_t from_us, to_us, as_of_us;
} eng_args;

static int read_common(const char *fn, const gopts *o, const gopt_spec *spec, eng_args *a, char **pzErr) {
  memset(a, 0, sizeof *a);
  int rc = garg_calendar_options(o, spec, fn, &a->cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(o, spec, fn, a->cal.offset_s, &a->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  static const char *const names[] = {"from", "to", "as_of"};
  int64_t *outs[] = {&a->from_us, &a->to_us, &a->as_of_us};
  int *given[] = {&a->has_from, &a->has_to, &a->has_as_of};
  for (int i = 0; i < 3; i++) {
    const char *text = gopts_value(o, spec, names[i]);
    if (!text) continue;
    rc = garg_ts_option(text, &a->format, fn, names[i], outs[i], pzErr);
    if (rc != SQLITE_OK) return rc;
    *given[i] = 1;
  }
  char x[GTIME_TEXT_MAX], y[GTIME_TEXT_MAX];
  if (a->has_from && a->has_to && a->from_us > a->to_us)
    return fail(pzErr, sqlite3_mprintf("%s: from %s is after to %s", fn, gtime_format(a->from_us, a->cal.offset_s, x),
                                       gtime_format(a->to_us, a->cal.offset_s, y)));
  return SQLITE_OK;
}

/* Reads and groups the source's actor, ts rows; g->ev.n == 0 means no row was seen. */
static int read_rows(sqlite3 *db, const char *fn, sqlite3_value *source, const eng_args *a, ggather *g, gcancel_db *cd,
                     char **pzErr) {
  ggather_init(g, fn, 0, GKEYS_IDS_ONLY, &a->format, a->has_as_of, a->as_of_us);
  int rc = ggather_read_actor_ts(g, db, source, pzErr);
  if (rc != SQLITE_OK || g->ev.n == 0) return rc;
  const char *why = gevents_group(&g->ev, NULL, &cd->base);
  return why ? ggather_core_failed(fn, why, cd, pzErr) : SQLITE_OK;
}

/* The last instant the result covers: before as_of, and not after `to`. */
static int64_t last_instant(const eng_args *a, const ggather *g) {
  int64_t last = g->as_of_us - 1;
  return a->has_to && a->to_us < last ? a->to_us : last;
}

static int day_in_range(const char *fn, int64_t day, char **pzErr) {
  if (day >= gtime_days_from_civil(0, 1, 1) && day <= gtime_days_from_civil(9999, 12, 31)) return SQLITE_OK;
  return fail(pzErr, sqlite3_mprintf("%s: a row of the result starts outside years 0000..9999 (use from/to, or "
                                     "another tz)",
                                     fn));
}

/* ---------------------------------------------------------------------------------------
** stickiness(source, window, unit [, options])
*/
enum {
  ST_WINDOW_START,
  ST_K,
  ST_ACTORS,
  ST_ACTORS_AT_LEAST,
  ST_ACTIVE_ACTORS,
  ST_PCT,
  ST_PCT_AT_LEAST,
  ST_COMPLETE,
  ST_NOUT
};
#define STICKINESS_SCHEMA \
  "CREATE TABLE x(window_start TEXT, k INTEGER, actors INTEGER, actors_at_least INTEGER," \
  " active_actors INTEGER, pct REAL, pct_at_least REAL, complete INTEGER," \
  " source HIDDEN, window HIDDEN, unit HIDDEN, options HIDDEN)"

static const gopt_spec stickiness_opt_spec[] = {
  {"from", GOPT_VALUE},       {"to", GOPT_VALUE},
  {"as_of", GOPT_VALUE},      {"tz", GOPT_VALUE},
  {"week_start", GOPT_VALUE}, {"ts_unit", GOPT_VALUE},
  {"min_events", GOPT_VALUE}, {"max_events", GOPT_VALUE},
  {"every", GOPT_VALUE},      {NULL, 0},
};

/* day|week|... (a trailing s allowed); `lowest` and `highest` bound what the argument takes. */
static int read_grain(sqlite3_value *v, const char *fn, const char *arg, ggrain lowest, ggrain highest, ggrain *out,
                      char **pzErr) {
  if (sqlite3_value_type(v) == SQLITE_TEXT) {
    const char *t = (const char *)sqlite3_value_text(v);
    if (!t) return SQLITE_NOMEM;
    size_t n = strlen(t);
    for (int g = lowest; g <= (int)highest; g++) {
      size_t len = strlen(ggrain_names[g]);
      if ((n == len || (n == len + 1 && (t[len] == 's' || t[len] == 'S'))) &&
          strncasecmp(t, ggrain_names[g], len) == 0) {
        *out = (ggrain)g;
        return SQLITE_OK;
      }
    }
  }
  char list[128] = "";
  for (int g = lowest; g <= (int)highest; g++) {
    strcat(list, ggrain_names[g]);
    strcat(list, g + 1 < (int)highest ? ", " : g < (int)highest ? " or " : "");
  }
  char *desc = garg_describe(v);
  if (!desc) return SQLITE_NOMEM;
  int rc = fail(pzErr, sqlite3_mprintf("%s: %s is %s, expected %s", fn, arg, desc, list));
  sqlite3_free(desc);
  return rc;
}

typedef struct stickiness_result {
  gstick s;
  uint32_t *at_least; /* per row: actors active in k or more units */
  uint32_t *active;   /* per window: actors active in at least one unit */
  ggrain unit;
  gcalendar cal;
  int64_t as_of_us;
} stickiness_result;

static void stickiness_destroy(void *p) {
  stickiness_result *res = p;
  if (!res) return;
  gstick_free(&res->s);
  gmem_free(res->at_least);
  gmem_free(res->active);
  sqlite3_free(res);
}

/* window, unit and the options into so (its first and last are set once the rows are read). */
static int stickiness_read_args(const char *fn, sqlite3_value **args, gstick_opts *so, eng_args *a, char **pzErr) {
  memset(so, 0, sizeof *so);
  int rc = read_grain(args[1], fn, "window", GGRAIN_DAY, GGRAIN_RANGE, &so->window, pzErr);
  if (rc == SQLITE_OK) rc = read_grain(args[2], fn, "unit", GGRAIN_HOUR, GGRAIN_MONTH, &so->unit, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (so->window != GGRAIN_RANGE && so->unit >= so->window)
    return fail(pzErr, sqlite3_mprintf("%s: unit '%s' is not smaller than window '%s'", fn, ggrain_names[so->unit],
                                       ggrain_names[so->window]));
  if (so->window != GGRAIN_RANGE && so->unit == GGRAIN_WEEK)
    return fail(pzErr, sqlite3_mprintf("%s: weeks do not fit in a %s (a week can straddle two): use unit 'day', or "
                                       "window 'range'",
                                       fn, ggrain_names[so->window]));
  gopts o;
  o.count = 0;
  if (args[3]) rc = garg_options(args[3], fn, stickiness_opt_spec, &o, pzErr);
  if (rc == SQLITE_OK) rc = read_common(fn, &o, stickiness_opt_spec, a, pzErr);
  if (rc != SQLITE_OK) return rc;
  so->cal = a->cal;
  so->every = 1;
  so->min_events = 1;
  so->max_events = INT64_MAX;
  char err[GOPTS_ERR_MAX];
  if (gopts_int(&o, stickiness_opt_spec, "min_events", 1, INT64_MAX, &so->min_events, err, sizeof err) != 0 ||
      gopts_int(&o, stickiness_opt_spec, "max_events", 1, INT64_MAX, &so->max_events, err, sizeof err) != 0 ||
      gopts_int(&o, stickiness_opt_spec, "every", 1, 1000000, &so->every, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  if (so->min_events > so->max_events)
    return fail(pzErr, sqlite3_mprintf("%s: min_events=%lld is above max_events=%lld", fn, (long long)so->min_events,
                                       (long long)so->max_events));
  if (so->every > 1 && so->window != GGRAIN_RANGE)
    return fail(pzErr,
                sqlite3_mprintf("%s: every=%lld groups the units of window 'range' only", fn, (long long)so->every));
  return SQLITE_OK;
}

/* Per window, actors active in k or more units (suffix sums) and in at least one. */
static int stickiness_totals(stickiness_result *res) {
  res->at_least = gmem_alloc((res->s.nrows ? res->s.nrows : 1) * sizeof *res->at_least);
  res->active = gmem_alloc((size_t)res->s.nwindows * sizeof *res->active);
  if (!res->at_least || !res->active) return SQLITE_NOMEM;
  for (uint32_t w = 0; w < res->s.nwindows; w++) {
    const gstick_window *win = &res->s.windows[w];
    uint32_t run = 0;
    for (uint32_t k = win->nunits; k-- > 0;) {
      run += res->s.hist[win->row + k];
      res->at_least[win->row + k] = run;
    }
    res->active[w] = run;
  }
  return SQLITE_OK;
}

static int stickiness_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                              char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  gstick_opts so;
  eng_args a;
  int rc = stickiness_read_args(fn, args, &so, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  stickiness_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  ggather g;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = read_rows(db, fn, args[0], &a, &g, &cd, pzErr);
  if (rc != SQLITE_OK || g.ev.n == 0) goto done;
  int64_t first_us = a.has_from ? a.from_us : g.ev.min_ts, last_us = last_instant(&a, &g);
  ggrain by = so.window == GGRAIN_RANGE ? so.unit : so.window;
  so.first = ggrain_index(by, &a.cal, first_us);
  so.last = ggrain_index(by, &a.cal, last_us);
  if (so.first > so.last) goto done;
  if (so.last - so.first >= GENG_MAX_ROWS) {
    rc = fail(pzErr, sqlite3_mprintf("%s: more than %lld %ss from the first to the last: choose a longer %s or "
                                     "from/to",
                                     fn, (long long)GENG_MAX_ROWS, ggrain_names[by],
                                     so.window == GGRAIN_RANGE ? "unit" : "window"));
    goto done;
  }
  int64_t off = (int64_t)a.cal.offset_s * GTIME_US_PER_SEC;
  rc = day_in_range(fn, gtime_floor_div(ggrain_start_us(by, &a.cal, so.first) + off, GTIME_US_PER_DAY), pzErr);
  if (rc == SQLITE_OK)
    rc = day_in_range(fn, gtime_floor_div(ggrain_start_us(by, &a.cal, so.last) + off, GTIME_US_PER_DAY), pzErr);
  if (rc != SQLITE_OK) goto done;
  const char *why = gstick_layout(&so, &res->s);
  if (why && why != gcancel_reason && strcmp(why, "out of memory") != 0) {
    rc = fail(pzErr, sqlite3_mprintf("%s: %s", fn, why));
    goto done;
  }
  if (!why) why = gstick_count(&g.ev, &so, &res->s, &cd.base);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  if ((rc = stickiness_totals(res)) != SQLITE_OK) goto done;
  res->unit = so.unit;
  res->cal = a.cal;
  res->as_of_us = g.as_of_us;
  *nrows = (int64_t)res->s.nrows;
done:
  if (rc == SQLITE_OK) rc = gcancel_db_finish(&cd);
  else gcancel_db_finish(&cd);
  ggather_free(&g);
  if (rc != SQLITE_OK) {
    stickiness_destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

static void stickiness_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const stickiness_result *res = result;
  /* the window holding the row */
  uint32_t lo = 0, hi = res->s.nwindows;
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (res->s.windows[mid].row <= (uint64_t)row) lo = mid;
    else hi = mid;
  }
  const gstick_window *win = &res->s.windows[lo];
  uint32_t active = res->active[lo];
  switch (col) {
    case ST_WINDOW_START: {
      char buf[GTIME_TEXT_MAX];
      if (res->unit == GGRAIN_HOUR) gtime_format(win->start_us, res->cal.offset_s, buf);
      else gtime_format_day(gtime_local_day(&res->cal, win->start_us), buf);
      sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
      break;
    }
    case ST_K: sqlite3_result_int64(ctx, row - (int64_t)win->row + 1); break;
    case ST_ACTORS: sqlite3_result_int64(ctx, res->s.hist[row]); break;
    case ST_ACTORS_AT_LEAST: sqlite3_result_int64(ctx, res->at_least[row]); break;
    case ST_ACTIVE_ACTORS: sqlite3_result_int64(ctx, active); break;
    case ST_PCT:
      if (active) sqlite3_result_double(ctx, (double)res->s.hist[row] / active);
      else sqlite3_result_null(ctx);
      break;
    case ST_PCT_AT_LEAST:
      if (active) sqlite3_result_double(ctx, (double)res->at_least[row] / active);
      else sqlite3_result_null(ctx);
      break;
    case ST_COMPLETE: sqlite3_result_int(ctx, win->end_us <= res->as_of_us); break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const stickiness_arg_names[] = {"source", "window", "unit", "options"};
const gtvf_spec stickiness_spec = {
  .name = "stickiness",
  .schema = STICKINESS_SCHEMA,
  .n_out = ST_NOUT,
  .n_args = 4,
  .n_required = 3,
  .arg_names = stickiness_arg_names,
  .innocuous = 0,
  .compute = stickiness_compute,
  .column = stickiness_column,
  .destroy = stickiness_destroy,
  .sources = 1u << 0,
  .options = stickiness_opt_spec,
};

/* ---------------------------------------------------------------------------------------
** active_users(source [, options])
*/
enum { AU_DAY, AU_DAU, AU_WAU, AU_MAU, AU_NEW, AU_DAU_MAU, AU_DAU_WAU, AU_WAU_MAU, AU_COMPLETE, AU_NOUT };
#define ACTIVE_USERS_SCHEMA \
  "CREATE TABLE x(day TEXT, dau INTEGER, wau INTEGER, mau INTEGER, new INTEGER, dau_mau REAL, dau_wau REAL," \
  " wau_mau REAL, complete INTEGER, source HIDDEN, options HIDDEN)"

static const gopt_spec active_users_opt_spec[] = {
  {"from", GOPT_VALUE},  {"to", GOPT_VALUE},         {"as_of", GOPT_VALUE},
  {"tz", GOPT_VALUE},    {"week_start", GOPT_VALUE}, {"ts_unit", GOPT_VALUE},
  {"every", GOPT_VALUE}, {"calendar", GOPT_FLAG},    {NULL, 0},
};

typedef struct active_users_result {
  int64_t *start_day, *eval_day;
  gau_row *rows;
  uint32_t nrows;
  int64_t *end_us; /* per row: the end of its span (exclusive), for `complete` */
  int64_t as_of_us;
} active_users_result;

static void active_users_destroy(void *p) {
  active_users_result *res = p;
  if (!res) return;
  gmem_free(res->start_day);
  gmem_free(res->eval_day);
  gmem_free(res->end_us);
  gmem_free(res->rows);
  sqlite3_free(res);
}

static int active_users_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                                char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  gopts o;
  o.count = 0;
  int rc = args[1] ? garg_options(args[1], fn, active_users_opt_spec, &o, pzErr) : SQLITE_OK;
  eng_args a;
  if (rc == SQLITE_OK) rc = read_common(fn, &o, active_users_opt_spec, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  static const char *const every_names[] = {"day", "week", "month", NULL};
  int every = 0;
  char err[GOPTS_ERR_MAX];
  if (gopts_choice(&o, active_users_opt_spec, "every", every_names, &every, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  int calendar = gopts_has(&o, active_users_opt_spec, "calendar");
  if (calendar && every == 0)
    return fail(pzErr, sqlite3_mprintf("%s: calendar counts the actors of each calendar week or month: it needs "
                                       "every=week or every=month",
                                       fn));

  active_users_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  ggather g;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = read_rows(db, fn, args[0], &a, &g, &cd, pzErr);
  if (rc != SQLITE_OK || g.ev.n == 0) goto done;
  int64_t off = (int64_t)a.cal.offset_s * GTIME_US_PER_SEC;
  int64_t first_us = a.has_from ? a.from_us : g.ev.min_ts, last_us = last_instant(&a, &g);
  int64_t last_day = gtime_local_day(&a.cal, last_us);
  gcalendar cal = a.cal;
  cal.period = every == 1 ? GPERIOD_WEEK : GPERIOD_MONTH;
  int64_t first = every ? gtime_period_index(&cal, first_us) : gtime_local_day(&a.cal, first_us);
  int64_t last = every ? gtime_period_index(&cal, last_us) : last_day;
  if (first > last) goto done;
  if (last - first >= GENG_MAX_ROWS) {
    rc = fail(pzErr, sqlite3_mprintf("%s: more than %lld rows from the first %s to the last: use every=week or month, "
                                     "or from/to",
                                     fn, (long long)GENG_MAX_ROWS, every ? every_names[every] : "day"));
    goto done;
  }
  uint32_t n = (uint32_t)(last - first + 1);
  res->start_day = gmem_alloc(n * sizeof *res->start_day);
  res->eval_day = gmem_alloc(n * sizeof *res->eval_day);
  res->end_us = gmem_alloc(n * sizeof *res->end_us);
  res->rows = gmem_alloc(n * sizeof *res->rows);
  if (!res->start_day || !res->eval_day || !res->end_us || !res->rows) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  memset(res->rows, 0, n * sizeof *res->rows);
  for (uint32_t k = 0; k < n; k++) {
    int64_t i = first + k;
    int64_t start = every ? gtime_period_index_start_day(&cal, i) : i;
    int64_t next = every ? gtime_period_index_start_day(&cal, i + 1) : i + 1;
    res->start_day[k] = start;
    res->eval_day[k] = next - 1 < last_day ? next - 1 : last_day;
    res->end_us[k] = next * GTIME_US_PER_DAY - off;
  }
  rc = day_in_range(fn, res->start_day[0], pzErr);
  if (rc == SQLITE_OK) rc = day_in_range(fn, res->start_day[n - 1], pzErr);
  if (rc != SQLITE_OK) goto done;
  gau_opts ao = {a.cal.offset_s, res->start_day, res->eval_day, n, every == 0, calendar ? (every == 1 ? 7 : 30) : 0};
  const char *why = gau_count(&g.ev, &ao, res->rows, &cd.base);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  res->nrows = n;
  res->as_of_us = g.as_of_us;
  *nrows = n;
done:
  if (rc == SQLITE_OK) rc = gcancel_db_finish(&cd);
  else gcancel_db_finish(&cd);
  ggather_free(&g);
  if (rc != SQLITE_OK) {
    active_users_destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

static void ratio(sqlite3_context *ctx, uint32_t num, uint32_t den) {
  if (den) sqlite3_result_double(ctx, (double)num / den);
  else sqlite3_result_null(ctx);
}

static void active_users_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const active_users_result *res = result;
  const gau_row *r = &res->rows[row];
  switch (col) {
    case AU_DAY: {
      char day[16];
      sqlite3_result_text(ctx, gtime_format_day(res->start_day[row], day), -1, SQLITE_TRANSIENT);
      break;
    }
    case AU_DAU: sqlite3_result_int64(ctx, r->dau); break;
    case AU_WAU: sqlite3_result_int64(ctx, r->wau); break;
    case AU_MAU: sqlite3_result_int64(ctx, r->mau); break;
    case AU_NEW: sqlite3_result_int64(ctx, r->new_actors); break;
    case AU_DAU_MAU: ratio(ctx, r->dau, r->mau); break;
    case AU_DAU_WAU: ratio(ctx, r->dau, r->wau); break;
    case AU_WAU_MAU: ratio(ctx, r->wau, r->mau); break;
    case AU_COMPLETE: sqlite3_result_int(ctx, res->end_us[row] <= res->as_of_us); break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const active_users_arg_names[] = {"source", "options"};
const gtvf_spec active_users_spec = {
  .name = "active_users",
  .schema = ACTIVE_USERS_SCHEMA,
  .n_out = AU_NOUT,
  .n_args = 2,
  .n_required = 1,
  .arg_names = active_users_arg_names,
  .innocuous = 0,
  .compute = active_users_compute,
  .column = active_users_column,
  .destroy = active_users_destroy,
  .sources = 1u << 0,
  .options = active_users_opt_spec,
};
