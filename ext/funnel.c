/*
** funnel.c: SQL glue for the funnel engine (funnel_engine.h):
**   window_funnel(window, ts, cond1, ..., condN [, options])  aggregate and window function
** and what it shares with funnel and funnel_actors (funnel_tvf.c): the modes and the window.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "funnel_engine.h"
#include "funnel_glue.h"
#include "mem.h"
#include "registry.h"

/* ------------------------------------------------------------------ shared with funnel_tvf.c (funnel_glue.h) */

static const gopt_spec wf_spec[] = {FUNNEL_MODE_SPECS, {"tz", GOPT_VALUE}, {"ts_unit", GOPT_VALUE}, {NULL, 0}};

int funnel_read_modes(const gopts *o, const gopt_spec *spec, const char *fn, unsigned *flags, char **pzErr) {
  unsigned f = 0;
  if (gopts_has(o, spec, "strict_deduplication") || gopts_has(o, spec, "strict")) f |= GFUNNEL_STRICT_DEDUP;
  if (gopts_has(o, spec, "strict_order")) f |= GFUNNEL_STRICT_ORDER;
  if (gopts_has(o, spec, "strict_increase")) f |= GFUNNEL_STRICT_INCREASE;
  if (gopts_has(o, spec, "strict_once")) f |= GFUNNEL_STRICT_ONCE;
  if (gopts_has(o, spec, "allow_reentry")) {
    if (!(f & GFUNNEL_STRICT_ORDER)) {
      *pzErr = sqlite3_mprintf("%s: option allow_reentry needs strict_order (as in ClickHouse)", fn);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    f |= GFUNNEL_ALLOW_REENTRY;
  }
  *flags = f;
  return SQLITE_OK;
}

/* Windows count in microseconds like timestamps. ClickHouse users write huge windows to mean
** "no limit" (windowFunnel(6048000000000000)); any number of seconds beyond what durations
** hold is longer than every span of timestamps (years 0000..9999), so it is clamped. */
#define WINDOW_MAX_SECONDS 9.2e12
int funnel_read_window(sqlite3_value *v, const char *fn, int64_t *out, char **pzErr) {
  int t = sqlite3_value_type(v);
  /* +Inf is no number of seconds: garg_duration refuses it, like every infinity */
  if ((t == SQLITE_INTEGER || t == SQLITE_FLOAT) && sqlite3_value_double(v) > WINDOW_MAX_SECONDS &&
      isfinite(sqlite3_value_double(v))) {
    *out = (int64_t)(WINDOW_MAX_SECONDS * 1e6);
    return SQLITE_OK;
  }
  int rc = garg_duration(v, fn, "window", out, pzErr);
  if (rc == GARG_NULL) {
    *pzErr = sqlite3_mprintf("%s: window is NULL, expected seconds or a duration such as '30 minutes' or '7 days'", fn);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return rc;
}

/* 1 when v is TEXT that reads as window_funnel's options: a caller who put them in the
** window's or the ts's place is told where they go. */
static int looks_like_options(sqlite3_value *v) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) return 0;
  const char *t = (const char *)sqlite3_value_text(v);
  gopts o;
  char err[GOPTS_ERR_MAX];
  return t && gopts_parse(t, wf_spec, -1, &o, err, sizeof err) == 0 && o.count > 0;
}

/* Adds where options go to an error about an argument that holds them (arg non-NULL), or about
** a last TEXT argument that is no options (arg NULL: event names where conditions go). */
static char *wf_misplaced(char *err, const char *arg) {
  if (!err) return NULL;
  char *m;
  if (arg)
    m = sqlite3_mprintf(
      "%s; the %s reads as options, which go last: window_funnel(window, ts, cond1, ..., condN, options)", err, arg);
  else
    m = sqlite3_mprintf(
      "%s; a TEXT last argument is the options: the steps go before it as 0/1 conditions, "
      "window_funnel(window, ts, event = 'view', event = 'pay' [, options])",
      err);
  sqlite3_free(err);
  return m;
}

static void report_error(sqlite3_context *ctx, int rc, char *err) {
  if (rc == SQLITE_NOMEM || !err) sqlite3_result_error_nomem(ctx);
  else garg_result_error(ctx, err);
}

/* ------------------------------------------------------------------ window_funnel */

#define WF_INLINE 32

typedef struct wf_state {
  int ready, failed, has_opts;
  gfunnel_config cfg;
  gts_format format; /* ts_unit and tz from the options */
  gts_census census; /* the group's (or frame's) INTEGER timestamps: YYYYMMDD read as seconds? */
  /* rows in the group (or frame), and those without a NULL argument: when every row had a
  ** NULL the result is NULL, as ClickHouse gives for Nullable arguments */
  int64_t rows, rows_valid;
  /* the first row's window and options, to insist they stay the same */
  int win_type;
  int64_t win_int;
  char *win_text;     /* TEXT or REAL window as text */
  char *opt_text;
  int opt_len;
  /* events in arrival order; xInverse removes from the front */
  gfunnel_event *ev;
  size_t start, n, cap;
  gfunnel_event *copy;  /* xValue sorts a copy */
  size_t copy_cap;
  gfunnel_work *work;
  gfunnel_event inline_ev[WF_INLINE];
} wf_state;

static int wf_fail(sqlite3_context *ctx, wf_state *st, int rc, char *err) {
  st->failed = 1;
  report_error(ctx, rc, err);
  return -1;
}

static char *value_text_copy(sqlite3_value *v) {
  const char *t = (const char *)sqlite3_value_text(v);
  return sqlite3_mprintf("%s", t ? t : "");
}

/* Fixes the call's shape from the first row: conditions, window, options. */
static int wf_setup(sqlite3_context *ctx, wf_state *st, int argc, sqlite3_value **argv) {
  const char *fn = garg_fn_name(ctx);
  char *err = NULL;
  st->has_opts = argc >= 4 && sqlite3_value_type(argv[argc - 1]) == SQLITE_TEXT;
  int nsteps = argc - 2 - st->has_opts;
  if (nsteps < 1) {
    err = sqlite3_mprintf("%s: expected (window, ts, cond1, ..., condN [, options]) with 1 to %d conditions", fn,
                          GFUNNEL_MAX_STEPS);
    return wf_fail(ctx, st, SQLITE_ERROR, err);
  }
  if (nsteps > GFUNNEL_MAX_STEPS) {
    err = sqlite3_mprintf("%s: %d conditions given, at most %d are supported", fn, nsteps, GFUNNEL_MAX_STEPS);
    return wf_fail(ctx, st, SQLITE_ERROR, err);
  }
  st->cfg.nsteps = nsteps;
  int rc = funnel_read_window(argv[0], fn, &st->cfg.window, &err);
  if (rc == SQLITE_ERROR && looks_like_options(argv[0])) err = wf_misplaced(err, "window");
  if (rc != SQLITE_OK) return wf_fail(ctx, st, rc, err);
  st->win_type = sqlite3_value_type(argv[0]);
  if (st->win_type == SQLITE_INTEGER) st->win_int = sqlite3_value_int64(argv[0]);
  else if (!(st->win_text = value_text_copy(argv[0]))) return wf_fail(ctx, st, SQLITE_NOMEM, NULL);
  st->cfg.flags = 0;
  if (st->has_opts) {
    gopts o;
    gcalendar cal;
    rc = garg_options(argv[argc - 1], fn, wf_spec, &o, &err);
    /* event names where conditions go ('purchase,purchase') read as unknown options */
    if (rc == SQLITE_ERROR) err = wf_misplaced(err, NULL);
    if (rc == SQLITE_OK) rc = funnel_read_modes(&o, wf_spec, fn, &st->cfg.flags, &err);
    if (rc == SQLITE_OK) rc = garg_calendar_options(&o, wf_spec, fn, &cal, &err);
    if (rc == SQLITE_OK) rc = garg_ts_format(&o, wf_spec, fn, cal.offset_s, &st->format, &err);
    if (rc != SQLITE_OK) return wf_fail(ctx, st, rc, err);
    if (!(st->opt_text = value_text_copy(argv[argc - 1]))) return wf_fail(ctx, st, SQLITE_NOMEM, NULL);
    st->opt_len = (int)strlen(st->opt_text);
  }
  st->ev = st->inline_ev;
  st->cap = WF_INLINE;
  st->ready = 1;
  return 0;
}

/* Counts an INTEGER timestamp into the census (dir 1) or out of it (dir -1, a row leaving the
** frame), as gts_census_int does. */
static void wf_census(wf_state *st, sqlite3_value *tv, int dir) {
  if (st->format.unit_given || sqlite3_value_type(tv) != SQLITE_INTEGER) return;
  int64_t v = sqlite3_value_int64(tv);
  st->census.ints += (uint64_t)(int64_t)dir;
  if (gts_is_yyyymmdd(v)) {
    st->census.yyyymmdd += (uint64_t)(int64_t)dir;
    st->census.example = v;
  }
}

/* Reads one row: 1 with *out when it is an event to hold, 0 when it is skipped, -1 on error;
** *valid says whether it had no NULL argument. dir: 1 for a row entering, -1 leaving. */
static int wf_row(sqlite3_context *ctx, wf_state *st, int argc, sqlite3_value **argv, gfunnel_event *out, int *valid,
                  int dir) {
  *valid = 0;
  if (st->failed) return -1;
  if (!st->ready && wf_setup(ctx, st, argc, argv) < 0) return -1;
  const char *fn = garg_fn_name(ctx);
  char *err = NULL;
  /* the window and options are parameters in ClickHouse: they must not change in a group */
  sqlite3_value *w = argv[0];
  int wt = sqlite3_value_type(w);
  int same = wt == st->win_type &&
             (wt == SQLITE_INTEGER ? sqlite3_value_int64(w) == st->win_int
                                   : strcmp((const char *)sqlite3_value_text(w), st->win_text) == 0);
  if (!same) {
    char *d = garg_describe(w);
    err = sqlite3_mprintf("%s: window must be the same on every row of a group (it changed to %s)", fn, d ? d : "?");
    sqlite3_free(d);
    return wf_fail(ctx, st, SQLITE_ERROR, err);
  }
  if (st->has_opts) {
    sqlite3_value *o = argv[argc - 1];
    if (sqlite3_value_type(o) != SQLITE_TEXT || sqlite3_value_bytes(o) != st->opt_len ||
        memcmp(sqlite3_value_text(o), st->opt_text, (size_t)st->opt_len) != 0) {
      char *d = garg_describe(o);
      err = sqlite3_mprintf("%s: options must be the same on every row of a group (was '%s', now %s)", fn,
                            st->opt_text, d ? d : "?");
      sqlite3_free(d);
      return wf_fail(ctx, st, SQLITE_ERROR, err);
    }
  }
  int64_t ts;
  sqlite3_value *tv = argv[1];
  int rc = garg_ts(tv, &st->format, NULL, fn, "ts", &ts, &err);
  if (rc == GARG_NULL) return 0;
  if (rc == SQLITE_ERROR && looks_like_options(tv)) err = wf_misplaced(err, "ts");
  if (rc != SQLITE_OK) return wf_fail(ctx, st, rc, err);
  uint64_t mask = 0;
  int nsteps = st->cfg.nsteps;
  for (int k = 0; k < nsteps; k++) {
    sqlite3_value *c = argv[2 + k];
    int ct = sqlite3_value_type(c);
    if (ct == SQLITE_INTEGER) {
      sqlite3_int64 x = sqlite3_value_int64(c);
      if (x == 1) { mask |= UINT64_C(1) << k; continue; }
      if (x == 0) continue;
    }
    if (ct == SQLITE_NULL) return 0; /* ClickHouse skips a row with NULL in any argument */
    char name[32];
    snprintf(name, sizeof name, "condition %d", k + 1);
    int on = 0;
    rc = garg_bool(c, fn, name, &on, &err);
    if (rc != SQLITE_OK) return wf_fail(ctx, st, rc, err);
    if (on) mask |= UINT64_C(1) << k;
  }
  *valid = 1;
  wf_census(st, tv, dir);
  /* a row matching nothing is an "other" event only under strict_order */
  if (!mask && !(st->cfg.flags & GFUNNEL_STRICT_ORDER)) return 0;
  out->ts = ts;
  out->mask = mask;
  return 1;
}

void window_funnel_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  wf_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) { sqlite3_result_error_nomem(ctx); return; }
  gfunnel_event e;
  int valid, r = wf_row(ctx, st, argc, argv, &e, &valid, 1);
  if (r < 0) return;
  st->rows++;
  st->rows_valid += valid;
  if (r == 0) return;
  if (st->n == st->cap) {
    if (st->start > st->n / 2) {
      /* a sliding frame: reuse the space xInverse freed */
      memmove(st->ev, st->ev + st->start, (st->n - st->start) * sizeof *st->ev);
      st->n -= st->start;
      st->start = 0;
    } else {
      /* grow by half: at most 24 bytes held per event (16 used), where doubling allows 32 */
      size_t cap = st->cap + st->cap / 2;
      gfunnel_event *p;
      if (st->ev == st->inline_ev) {
        p = gmem_alloc(cap * sizeof *p);
        if (p) memcpy(p, st->inline_ev, st->n * sizeof *p);
      } else {
        p = gmem_realloc(st->ev, cap * sizeof *p);
      }
      if (!p) { wf_fail(ctx, st, SQLITE_NOMEM, NULL); return; }
      st->ev = p;
      st->cap = cap;
    }
  }
  st->ev[st->n++] = e;
}

void window_funnel_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  wf_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) { sqlite3_result_error_nomem(ctx); return; }
  gfunnel_event e;
  int valid, r = wf_row(ctx, st, argc, argv, &e, &valid, -1);
  if (r < 0) return;
  st->rows--;
  st->rows_valid -= valid;
  if (r == 0) return;
  /* frames leave in arrival order, so the row is normally the oldest held */
  for (size_t i = st->start; i < st->n; i++) {
    if (st->ev[i].ts == e.ts && st->ev[i].mask == e.mask) {
      if (i == st->start) st->start++;
      else {
        memmove(st->ev + i, st->ev + i + 1, (st->n - i - 1) * sizeof *st->ev);
        st->n--;
      }
      return;
    }
  }
}

static void wf_result(sqlite3_context *ctx, wf_state *st, gfunnel_event *ev, size_t n) {
  if (st->rows > 0 && st->rows_valid == 0) { sqlite3_result_null(ctx); return; }
  char *err = NULL;
  int bad = garg_ts_census(&st->census, garg_fn_name(ctx), "ts", &err);
  if (bad != SQLITE_OK) {
    report_error(ctx, bad, err);
    return;
  }
  if (!st->work && (st->cfg.flags & GFUNNEL_STRICT_ONCE)) {
    st->work = gmem_alloc(sizeof *st->work);
    if (!st->work) { sqlite3_result_error_nomem(ctx); return; }
    memset(st->work, 0, sizeof *st->work);
  }
  gfunnel_work small;
  gfunnel_work *w = st->work;
  if (!w) {
    /* sorting (in place) and every mode but strict_once need no scratch memory */
    memset(&small, 0, sizeof small);
    w = &small;
  }
  /* sorting and evaluating run no SQL: the engine asks the connection now and then */
  gcancel_db cancel;
  gcancel_db_init(&cancel, sqlite3_context_db_handle(ctx));
  w->cancel = &cancel.base;
  int rc = gfunnel_sort(ev, n, w);
  int level = rc == 0 ? gfunnel_eval(&st->cfg, ev, n, w, NULL) : rc;
  w->cancel = NULL;
  int stop = gcancel_db_finish(&cancel);
  if (level == GFUNNEL_INTERRUPTED) level = stop == SQLITE_NOMEM ? GFUNNEL_NOMEM : level;
  if (level == GFUNNEL_INTERRUPTED) sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
  else if (level == GFUNNEL_NOMEM) sqlite3_result_error_nomem(ctx);
  else if (level == GFUNNEL_TOO_MANY_CHAINS)
    garg_result_error(ctx, sqlite3_mprintf("%s: strict_once needs more than %d MB of partial chains for one group",
                                           garg_fn_name(ctx), GFUNNEL_MAX_CHAIN_MB));
  else sqlite3_result_int(ctx, level);
}

static void wf_free(wf_state *st) {
  if (st->ev != st->inline_ev) gmem_free(st->ev);
  gmem_free(st->copy);
  if (st->work) {
    gfunnel_work_free(st->work);
    gmem_free(st->work);
  }
  sqlite3_free(st->win_text);
  sqlite3_free(st->opt_text);
  memset(st, 0, sizeof *st);
}

void window_funnel_value(sqlite3_context *ctx) {
  wf_state *st = sqlite3_aggregate_context(ctx, 0);
  if (st && st->failed) return;
  if (!st || !st->ready) { sqlite3_result_int(ctx, 0); return; }
  size_t n = st->n - st->start;
  if (st->copy_cap < n) {
    gfunnel_event *p = gmem_realloc(st->copy, n * sizeof *p);
    if (!p) { sqlite3_result_error_nomem(ctx); return; }
    st->copy = p;
    st->copy_cap = n;
  }
  if (n) memcpy(st->copy, st->ev + st->start, n * sizeof *st->copy);
  wf_result(ctx, st, st->copy, n);
}

void window_funnel_final(sqlite3_context *ctx) {
  wf_state *st = sqlite3_aggregate_context(ctx, 0);
  if (!st) { sqlite3_result_int(ctx, 0); return; } /* no rows: level 0 */
  /* a failed setup may hold the window text: always free */
  if (st->ready && !st->failed) wf_result(ctx, st, st->ev + st->start, st->n - st->start);
  else if (!st->failed) sqlite3_result_int(ctx, 0);
  wf_free(st);
}
