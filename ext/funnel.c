/*
** funnel.c: SQL glue for the funnel engine (funnel_engine.h):
**   window_funnel(window, ts, cond1, ..., condN [, options])  aggregate and window function
**   funnel(source, window, steps [, options])                 table-valued: the report
**   funnel_actors(source, window, steps [, options])          table-valued: one row per actor
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "funnel_engine.h"
#include "funnel_report.h"
#include "json_rule.h"
#include "mem.h"
#include "registry.h"
#include "source.h"
#include "tvf.h"

/* ------------------------------------------------------------------ shared: modes, window */

#define MODE_SPECS                                                                            \
  {"strict_deduplication", GOPT_FLAG}, {"strict", GOPT_FLAG}, {"strict_order", GOPT_FLAG},  \
  {"strict_increase", GOPT_FLAG}, {"strict_once", GOPT_FLAG}, {"allow_reentry", GOPT_FLAG}

static const gopt_spec wf_spec[] = {MODE_SPECS, {"tz", GOPT_VALUE}, {"ts_unit", GOPT_VALUE}, {NULL, 0}};
static const gopt_spec report_spec[] = {
  MODE_SPECS,         {"attempt", GOPT_VALUE}, {"exclude", GOPT_VALUE}, {"breakdown", GOPT_VALUE},
  {"tz", GOPT_VALUE}, {"ts_unit", GOPT_VALUE}, {"as_of", GOPT_VALUE},   {"allow_missing_steps", GOPT_FLAG},
  {NULL, 0},
};

static int read_modes(const gopts *o, const gopt_spec *spec, const char *fn, unsigned *flags, char **pzErr) {
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
static int read_window(sqlite3_value *v, const char *fn, int64_t *out, char **pzErr) {
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
  int rc = read_window(argv[0], fn, &st->cfg.window, &err);
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
    if (rc == SQLITE_OK) rc = read_modes(&o, wf_spec, fn, &st->cfg.flags, &err);
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

/* ------------------------------------------------------------------ funnel, funnel_actors */

/* Actors that are small non-negative INTEGERs (user ids) are their own key, below
** ACTOR_DIRECT_MAX: counted by value with no lookup at all (see fbuild). */
#define ACTOR_DIRECT_MAX (1 << 21)

/* One source row as held: 16 bytes. code: 0 other, 1..D a distinct step name, 255 excluded. */
typedef struct frow {
  int64_t ts;
  uint32_t actor;
  uint32_t code_bd;   /* breakdown id << 8 | code; breakdown id 0 = NULL */
} frow;

#define FROW_CHUNK 65536
#define CODE_EXCLUDE 255
#define BD_MAX ((1u << 24) - 1)
/* Rows of one funnel report (breakdown values x steps), as cohort_retention caps its cells. */
#define FUNNEL_MAX_REPORT_ROWS (1 << 20)

enum { BD_FIRST, BD_LAST, BD_STEP };

typedef struct fbuild {
  const char *fn;
  gfunnel_config cfg;
  int nsteps, ndistinct, has_bd, bd_mode, bd_step;
  char *step_names[GFUNNEL_MAX_STEPS];   /* as given, per step */
  const char *dname[GFUNNEL_MAX_STEPS];  /* distinct names */
  int dlen[GFUNNEL_MAX_STEPS];
  uint64_t code_mask[256];               /* code -> steps it satisfies */
  char *exclude;
  int exclude_len;
  frow **chunk;
  size_t nchunk, chunk_cap, nrows, in_last;
  /* Actors are keys: a small non-negative INTEGER actor (user id) is its own key, counted in
  ** dcount by value with no lookup at all; any other actor value is numbered by the actors
  ** table and keyed ACTOR_DIRECT_MAX + its id, counted in hcount. Actor 1 and actor 1.0 are two
  ** actors, as they have always been here (the table keeps REALs apart from INTEGERs). */
  uint32_t *dcount, *hcount;
  size_t ndcount, nhcount;
  gkeys actors, bds;   /* actors other than small INTEGERs; breakdown values */
  /* timestamps as the source stores them (ts_unit, tz) and the as_of rule (timestamp.h) */
  gts_format format;
  gts_census census;
  int as_of_given, allow_missing;
  int64_t as_of_us;
  int64_t earliest_us;                     /* earliest ts read, also of rows too late */
  uint64_t rows;                           /* rows with a ts */
  uint64_t seen, too_late;                 /* of which before as_of, and at or after it */
  unsigned char occurs[GFUNNEL_MAX_STEPS]; /* per distinct name: some row seen has it */
} fbuild;

/* Counts rows per actor key while reading, so grouping needs no extra pass over the rows. */
static int fb_count(uint32_t **count, size_t *ncap, size_t at) {
  if (at >= *ncap) {
    size_t cap = *ncap ? *ncap * 2 : 4096;
    while (cap <= at) cap *= 2;
    uint32_t *c = gmem_realloc(*count, cap * sizeof *c);
    if (!c) return SQLITE_NOMEM;
    memset(c + *ncap, 0, (cap - *ncap) * sizeof *c);
    *count = c;
    *ncap = cap;
  }
  (*count)[at]++;
  return SQLITE_OK;
}

static int fb_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  fbuild *b = ctx;
  /* the timestamp first, on every row: a source with its columns swapped is an error here,
  ** not a funnel of 0 actors because no row's "event" named a step */
  int64_t ts;
  int rc = garg_ts(cols[1], &b->format, &b->census, b->fn, "ts (source column 2)", &ts, pzErr);
  if (rc == GARG_NULL) return SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  if (ts < b->earliest_us) b->earliest_us = ts;
  b->rows++;
  /* the event decides whether the row matters at all; this runs once per source row, so it
  ** makes as few sqlite3_value_* calls as it can. Rows after as_of count for the step names
  ** that occur (a name is misspelt or not, whatever the as_of). */
  sqlite3_value *ev = cols[2];
  const unsigned char *name = sqlite3_value_text(ev);
  if (!name) {
    if (sqlite3_value_type(ev) != SQLITE_NULL) return SQLITE_NOMEM;
    if (b->as_of_given && ts >= b->as_of_us) b->too_late++;
    else b->seen++;
    return SQLITE_OK;
  }
  int len = sqlite3_value_bytes(ev);
  int code = 0;
  for (int d = 0; d < b->ndistinct; d++)
    if (b->dlen[d] == len && (len == 0 || ((unsigned char)b->dname[d][0] == name[0] &&
                                           memcmp(b->dname[d], name, (size_t)len) == 0))) {
      code = d + 1;
      b->occurs[d] = 1;
      break;
    }
  if (b->as_of_given && ts >= b->as_of_us) {
    b->too_late++;
    return SQLITE_OK;
  }
  b->seen++;
  if (!code && b->exclude && b->exclude_len == len && memcmp(b->exclude, name, (size_t)len) == 0) code = CODE_EXCLUDE;
  /* rows of no interest are dropped at once, except "other" events under strict_order */
  if (!code && !(b->cfg.flags & GFUNNEL_STRICT_ORDER)) return SQLITE_OK;
  int at = sqlite3_value_type(cols[0]);
  if (at == SQLITE_NULL) return SQLITE_OK;
  uint32_t bd = 0;
  gkey key;
  int has_key = b->has_bd ? garg_key(cols[3], &key) : 0;
  if (has_key) {
    /* breakdown 1 and 1.0 are two rows of the report, as they have always been */
    if (has_key < 0 || gkeys_intern(&b->bds, &key, &bd) < 0) return SQLITE_NOMEM;
    bd++;
    if (bd > BD_MAX) {
      *pzErr = sqlite3_mprintf("%s: more than %u distinct breakdown values", b->fn, BD_MAX);
      return SQLITE_ERROR;
    }
  }
  uint32_t actor;
  sqlite3_int64 iv = at == SQLITE_INTEGER ? sqlite3_value_int64(cols[0]) : -1;
  if (iv >= 0 && iv < ACTOR_DIRECT_MAX) {
    actor = (uint32_t)iv;
    if (fb_count(&b->dcount, &b->ndcount, actor) != SQLITE_OK) return SQLITE_NOMEM;
  } else {
    uint32_t id;
    if (garg_key(cols[0], &key) < 0 || gkeys_intern(&b->actors, &key, &id) < 0) return SQLITE_NOMEM;
    if (fb_count(&b->hcount, &b->nhcount, id) != SQLITE_OK) return SQLITE_NOMEM;
    actor = ACTOR_DIRECT_MAX + id;
  }
  if (b->in_last == FROW_CHUNK || b->nchunk == 0) {
    if (b->nchunk == b->chunk_cap) {
      size_t cap = b->chunk_cap ? b->chunk_cap * 2 : 16;
      frow **c = gmem_realloc(b->chunk, cap * sizeof *c);
      if (!c) return SQLITE_NOMEM;
      b->chunk = c;
      b->chunk_cap = cap;
    }
    if (!(b->chunk[b->nchunk] = gmem_alloc(FROW_CHUNK * sizeof(frow)))) return SQLITE_NOMEM;
    b->nchunk++;
    b->in_last = 0;
  }
  frow *r = &b->chunk[b->nchunk - 1][b->in_last++];
  r->ts = ts;
  r->actor = actor;
  r->code_bd = bd << 8 | (uint32_t)code;
  b->nrows++;
  return SQLITE_OK;
}

/* One actor's outcome. */
typedef struct factor {
  uint32_t actor, bd;
  int level;
  int64_t step1, last;
} factor;

/* Time from step k-1 to step k of one actor, for the report's quantiles. */
typedef struct fdelta {
  uint32_t bd;
  int64_t us;
} fdelta;

typedef struct freport_row {
  uint32_t bd;
  int step;
  int64_t actors, dropped;
  double conv_prev, conv_first, median, p90, avg;
  int has_conv, has_time;
} freport_row;

typedef struct fresult {
  int is_actors;
  fbuild *b;                 /* names, breakdown and actor values */
  factor *act;
  size_t nact;
  freport_row *rep;
  size_t nrep;
} fresult;

static void fb_free(fbuild *b) {
  if (!b) return;
  for (int k = 0; k < b->nsteps; k++) sqlite3_free(b->step_names[k]);
  sqlite3_free(b->exclude);
  gkeys_free(&b->actors);
  gkeys_free(&b->bds);
  gmem_free(b->dcount);
  gmem_free(b->hcount);
  for (size_t c = 0; c < b->nchunk; c++) gmem_free(b->chunk[c]);
  gmem_free(b->chunk);
  sqlite3_free(b);
}

static void fresult_free(void *p) {
  fresult *r = p;
  if (!r) return;
  fb_free(r->b);
  gmem_free(r->act);
  gmem_free(r->rep);
  sqlite3_free(r);
}

static char *ferr(int *rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *m = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  *rc = m ? SQLITE_ERROR : SQLITE_NOMEM;
  return m;
}

/* steps: a comma list ('view, cart, pay') or a JSON array of strings. */
static int parse_steps(fbuild *b, sqlite3_value *v, char **pzErr) {
  int rc = SQLITE_OK;
  /* the type first: sqlite3_value_text would turn a BLOB into TEXT */
  const char *text = sqlite3_value_type(v) == SQLITE_TEXT ? (const char *)sqlite3_value_text(v) : NULL;
  if (!text) {
    char *d = garg_describe(v);
    *pzErr = ferr(&rc, "%s: steps is %s, expected event names as 'view,cart,pay' or a JSON array", b->fn, d ? d : "?");
    sqlite3_free(d);
    return rc;
  }
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n') p++;
  if (*p == '[') {
    /* The promotion rules' strict JSON reader: a name with \u0000 in it would be cut short
    ** ("vi\u0000ew" read as "vi"), so it is refused; running out of memory is SQLITE_NOMEM,
    ** not a complaint about the steps. */
    gjson arr;
    size_t at;
    const char *why = gjson_parse(text, (size_t)sqlite3_value_bytes(v), &arr, &at);
    if (why && strcmp(why, "out of memory") == 0) return SQLITE_NOMEM;
    if (why && strcmp(why, GJSON_NUL_IN_STRING) == 0) {
      *pzErr = ferr(&rc, "%s: steps is TEXT '%s': \\u0000 (NUL) in an event name at offset %lld", b->fn, text, (long long)at);
      return rc;
    }
    if (why || arr.kind != GJ_ARRAY) {
      if (!why) gjson_free(&arr);
      *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected a JSON array of event names", b->fn, text);
      return rc;
    }
    for (int k = 0; k < arr.n; k++) {
      if (b->nsteps == GFUNNEL_MAX_STEPS) { b->nsteps++; break; }
      if (arr.items[k].kind != GJ_STRING) {
        gjson_free(&arr);
        *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected a JSON array of event names (strings)", b->fn, text);
        return rc;
      }
      if (!(b->step_names[b->nsteps++] = sqlite3_mprintf("%s", arr.items[k].text))) {
        gjson_free(&arr);
        return SQLITE_NOMEM;
      }
    }
    gjson_free(&arr);
  } else {
    const char *s = text;
    for (;;) {
      const char *e = strchr(s, ',');
      if (!e) e = s + strlen(s);
      const char *a = s, *z = e;
      while (a < z && (*a == ' ' || *a == '\t' || *a == '\n')) a++;
      while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\n')) z--;
      if (a == z) {
        *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected non-empty event names separated by commas", b->fn, text);
        return rc;
      }
      if (b->nsteps == GFUNNEL_MAX_STEPS) { b->nsteps++; break; }
      if (!(b->step_names[b->nsteps++] = sqlite3_mprintf("%.*s", (int)(z - a), a))) return SQLITE_NOMEM;
      if (!*e) break;
      s = e + 1;
    }
  }
  if (b->nsteps == 0 || b->nsteps > GFUNNEL_MAX_STEPS) {
    if (b->nsteps > GFUNNEL_MAX_STEPS) b->nsteps = GFUNNEL_MAX_STEPS;
    *pzErr = ferr(&rc, "%s: steps must name 1 to %d events", b->fn, GFUNNEL_MAX_STEPS);
    return rc;
  }
  /* distinct names get codes; a name used by several steps satisfies all of them */
  for (int k = 0; k < b->nsteps; k++) {
    int d = 0;
    while (d < b->ndistinct && strcmp(b->dname[d], b->step_names[k]) != 0) d++;
    if (d == b->ndistinct) {
      b->dname[d] = b->step_names[k];
      b->dlen[d] = (int)strlen(b->step_names[k]);
      b->ndistinct++;
    }
    b->code_mask[d + 1] |= UINT64_C(1) << k;
  }
  return SQLITE_OK;
}

/* tz, ts_unit and as_of: how the source's ts reads, and the instant of the analysis. */
static int read_ts_options(fbuild *b, const gopts *o, char **pzErr) {
  gcalendar cal;
  int rc = garg_calendar_options(o, report_spec, b->fn, &cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(o, report_spec, b->fn, cal.offset_s, &b->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  const char *as_of = gopts_value(o, report_spec, "as_of");
  b->as_of_given = as_of != NULL;
  return as_of ? garg_as_of_text(as_of, &b->format, b->fn, &b->as_of_us, pzErr) : SQLITE_OK;
}

/* After the scan: misencoded timestamps, an as_of before every row, and a step whose event
** occurs in no row, before or after as_of (a misspelt name would otherwise be a step of 0
** actors; an event that only happens after as_of is spelt right). */
static int check_scan(fbuild *b, char **pzErr) {
  int rc = garg_ts_census(&b->census, b->fn, "source timestamps", pzErr);
  if (rc != SQLITE_OK) return rc;
  if (b->as_of_given && b->seen == 0 && b->too_late > 0)
    return garg_as_of_before_rows(b->fn, b->as_of_us, b->earliest_us, b->format.offset_s, pzErr);
  if (b->rows == 0 || b->allow_missing) return SQLITE_OK;
  for (int k = 0; k < b->nsteps; k++) {
    int d = 0;
    while (strcmp(b->dname[d], b->step_names[k]) != 0) d++;
    if (!b->occurs[d]) {
      *pzErr = ferr(&rc,
                    "%s: step %d '%s' is the event of no source row (%llu read): check the name, or say "
                    "allow_missing_steps to report it with 0 actors",
                    b->fn, k + 1, b->step_names[k], (unsigned long long)b->rows);
      return rc;
    }
  }
  return SQLITE_OK;
}

static int parse_report_options(fbuild *b, sqlite3_value *v, char **pzErr) {
  int rc;
  gopts o;
  if (!v) return SQLITE_OK;
  rc = garg_options(v, b->fn, report_spec, &o, pzErr);
  if (rc == SQLITE_OK) rc = read_modes(&o, report_spec, b->fn, &b->cfg.flags, pzErr);
  if (rc == SQLITE_OK) rc = read_ts_options(b, &o, pzErr);
  if (rc != SQLITE_OK) return rc;
  b->allow_missing = gopts_has(&o, report_spec, "allow_missing_steps");
  const char *attempt = gopts_value(&o, report_spec, "attempt");
  if (attempt) {
    if (strcmp(attempt, "first") == 0) b->cfg.flags |= GFUNNEL_FIRST_ATTEMPT;
    else if (strcmp(attempt, "furthest") != 0) {
      *pzErr = ferr(&rc, "%s: option attempt='%s', expected furthest or first", b->fn, attempt);
      return rc;
    }
  }
  const char *ex = gopts_value(&o, report_spec, "exclude");
  if (ex) {
    for (int k = 0; k < b->nsteps; k++)
      if (strcmp(b->step_names[k], ex) == 0) {
        *pzErr = ferr(&rc, "%s: option exclude='%s' is also step %d; an excluded event cannot be a step", b->fn, ex, k + 1);
        return rc;
      }
    if (!(b->exclude = sqlite3_mprintf("%s", ex))) return SQLITE_NOMEM;
    b->exclude_len = (int)strlen(ex);
  }
  const char *bd = gopts_value(&o, report_spec, "breakdown");
  if (bd) {
    if (!b->has_bd) {
      *pzErr = ferr(&rc, "%s: option breakdown='%s' needs a 4th source column (the breakdown value)", b->fn, bd);
      return rc;
    }
    if (strcmp(bd, "first") == 0) b->bd_mode = BD_FIRST;
    else if (strcmp(bd, "last") == 0) b->bd_mode = BD_LAST;
    else {
      char *end = NULL;
      long k = strncmp(bd, "step:", 5) == 0 ? strtol(bd + 5, &end, 10) : 0;
      if (!end || *end || k < 1 || k > b->nsteps) {
        *pzErr = ferr(&rc, "%s: option breakdown='%s', expected first, last or step:K with K from 1 to %d", b->fn, bd,
                      b->nsteps);
        return rc;
      }
      b->bd_mode = BD_STEP;
      b->bd_step = (int)k;
    }
  }
  return SQLITE_OK;
}

/* The TVFs' compute phase runs no SQL: long loops poll their gcancel every 65,536 steps (i
** counts the steps), and each actor's or report row's work is counted as it starts. */
static inline int long_loop_stop(gcancel *c, size_t i) { return (i & 0xffff) == 0xffff && gcancel_work(c, 0x10000); }

/* Orders breakdown ids by value, NULL (id 0) first. */
static int bd_less(const gkeys *t, uint32_t x, uint32_t y) {
  if (x == y || y == 0) return 0;
  if (x == 0) return 1;
  return gkeys_cmp(t, x - 1, y - 1) < 0;
}

/* Merge sort with the table as context (qsort has none, and a global would be shared between
** connections). tmp holds n ids. Returns 0, or 1 when cancel said stop. */
static int sort_bds(const gkeys *t, uint32_t *ids, uint32_t *tmp, size_t n, gcancel *cancel) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      if (gcancel_work(cancel, hi - lo)) return 1; /* at most 2 x 65,536 ids between polls */
      size_t a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        if (long_loop_stop(cancel, o)) return 1;
        tmp[o++] = bd_less(t, ids[b], ids[a]) ? ids[b++] : ids[a++];
      }
      while (a < mid) tmp[o++] = ids[a++];
      while (b < hi) tmp[o++] = ids[b++];
    }
    memcpy(ids, tmp, n * sizeof *ids);
  }
  return 0;
}

/* Evaluates every actor; fills r->act (actors that reached step 1) and, for the report, the
** per-step deltas. */
static int evaluate(fbuild *b, fresult *r, fdelta **deltas, size_t *ndeltas, gcancel *cancel, char **pzErr) {
  int rc = SQLITE_OK;
  /* group index of an actor key: direct keys by value, then the numbered actors */
  size_t n = b->nrows, ND = b->ndcount, A = ND + gkeys_count(&b->actors);
  uint32_t *off = NULL;
  int64_t *ts = NULL;
  uint32_t *cb = NULL;
  gfunnel_event *ev = NULL;
  gfunnel_work work;
  memset(&work, 0, sizeof work);
  work.cancel = cancel;
  off = gmem_alloc((A + 1) * sizeof *off);
  if (!off) return SQLITE_NOMEM;
  memset(off, 0, (A + 1) * sizeof *off);
  if (n >= UINT32_MAX) {
    gmem_free(off);
    *pzErr = ferr(&rc, "%s: more than %u source rows", b->fn, UINT32_MAX - 1);
    return rc;
  }
  /* group rows by actor with a counting sort (counts taken while reading): stable, so each
  ** actor's rows keep source order */
  size_t present = 0, widest = 0;
  for (size_t a = 0; a < A; a++) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    uint32_t c = a < ND ? b->dcount[a] : b->hcount[a - ND];
    present += c > 0;
    if (c > widest) widest = c;
    off[a + 1] = off[a] + c;
  }
  ts = gmem_alloc((n ? n : 1) * sizeof *ts);
  cb = gmem_alloc((n ? n : 1) * sizeof *cb);
  if (!ts || !cb) { rc = SQLITE_NOMEM; goto done; }
  for (size_t c = 0, left = n; c < b->nchunk; c++) {
    size_t m = left < FROW_CHUNK ? left : FROW_CHUNK;
    if (gcancel_work(cancel, m)) goto interrupted;
    for (size_t i = 0; i < m; i++) {
      const frow *x = &b->chunk[c][i];
      uint32_t at = off[x->actor < ACTOR_DIRECT_MAX ? x->actor : ND + (x->actor - ACTOR_DIRECT_MAX)]++;
      ts[at] = x->ts;
      cb[at] = x->code_bd;
    }
    left -= m;
    gmem_free(b->chunk[c]);
    b->chunk[c] = NULL;
  }
  b->nchunk = 0;
  for (size_t a = A; a > 0; a--) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    off[a] = off[a - 1];
  }
  off[0] = 0;

  r->act = gmem_alloc((present ? present : 1) * sizeof *r->act);
  if (!r->act) { rc = SQLITE_NOMEM; goto done; }
  /* one actor's events at a time, in a buffer sized for the widest actor: one actor with every
  ** row holds 12 + 16 bytes per event */
  ev = gmem_alloc((widest ? widest : 1) * sizeof *ev);
  if (!ev) { rc = SQLITE_NOMEM; goto done; }
  size_t dcap = 0;
  int N = b->nsteps;
  gfunnel_chain chain;
  for (size_t a = 0; a < A; a++) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    size_t lo = off[a], m = off[a + 1] - lo;
    if (m == 0) continue;
    /* the two copies below: 2 units per event (the sort and the evaluation count their own) */
    if (gcancel_work(cancel, 2 * (uint64_t)m)) goto interrupted;
    /* sort by (ts, code_bd) so ties resolve the same way whatever the source order */
    for (size_t i = 0; i < m; i++) {
      if (long_loop_stop(cancel, i)) goto interrupted;
      ev[i].ts = ts[lo + i];
      ev[i].mask = cb[lo + i];
    }
    if (gfunnel_sort(ev, m, &work) != 0) goto interrupted;
    /* the actor's slice of cb is read: it now keeps each sorted event's code and breakdown */
    uint32_t *tag = cb + lo;
    for (size_t i = 0; i < m; i++) {
      if (long_loop_stop(cancel, i)) goto interrupted;
      uint32_t code_bd = (uint32_t)ev[i].mask;
      tag[i] = code_bd;
      ev[i].mask = b->code_mask[code_bd & 0xff];
    }
    int level = gfunnel_eval(&b->cfg, ev, m, &work, &chain);
    if (level == GFUNNEL_INTERRUPTED) goto interrupted;
    if (level == GFUNNEL_NOMEM) { rc = SQLITE_NOMEM; goto done; }
    if (level == GFUNNEL_TOO_MANY_CHAINS) {
      *pzErr = ferr(&rc, "%s: strict_once needs more than %d MB of partial chains for one actor", b->fn,
                    GFUNNEL_MAX_CHAIN_MB);
      goto done;
    }
    if (level == 0) continue;
    factor *f = &r->act[r->nact++];
    f->actor = a < ND ? (uint32_t)a : (uint32_t)(ACTOR_DIRECT_MAX + (a - ND));
    f->level = level;
    f->step1 = ev[chain.at[0]].ts;
    f->last = ev[chain.at[level - 1]].ts;
    int k = b->bd_mode == BD_FIRST ? 0 : b->bd_mode == BD_LAST ? level - 1 : b->bd_step - 1;
    f->bd = k < level ? tag[chain.at[k]] >> 8 : 0;
    if (deltas && level > 1) {
      if (*ndeltas + (size_t)N > dcap) {
        size_t cap = dcap ? dcap * 2 : 1024;
        while (cap < *ndeltas + (size_t)N) cap *= 2;
        fdelta *d2 = gmem_realloc(*deltas, cap * sizeof *d2);
        if (!d2) { rc = SQLITE_NOMEM; goto done; }
        *deltas = d2;
        dcap = cap;
      }
      /* bd carries the step in its top byte during collection: (step << 24 | bd) */
      for (int s = 1; s < level; s++) {
        fdelta *d = &(*deltas)[(*ndeltas)++];
        d->bd = (uint32_t)s << 24 | f->bd;
        d->us = ev[chain.at[s]].ts - ev[chain.at[s - 1]].ts;
      }
    }
  }
  goto done;
interrupted:
  rc = SQLITE_INTERRUPT;
done:
  gfunnel_work_free(&work);
  gmem_free(off);
  gmem_free(ts);
  gmem_free(cb);
  gmem_free(ev);
  return rc;
}

static int build_report(fbuild *b, fresult *r, fdelta *d, size_t nd, gcancel *cancel, char **pzErr) {
  int N = b->nsteps;
  /* the breakdown values present, in SQLite's order, NULL first */
  uint32_t nbds = gkeys_count(&b->bds);
  uint32_t *ids = gmem_alloc(((size_t)nbds + 1) * sizeof *ids);
  uint32_t *slot = gmem_alloc(((size_t)nbds + 1) * sizeof *slot);
  if (!ids || !slot) { gmem_free(ids); gmem_free(slot); return SQLITE_NOMEM; }
  int stop = 0;
  for (uint32_t i = 0; i <= nbds; i++) slot[i] = UINT32_MAX;
  size_t nb = 0;
  if (!b->has_bd) ids[nb++] = 0;
  for (size_t i = 0; i < r->nact && !stop; i++) {
    stop = long_loop_stop(cancel, i);
    if (b->has_bd && slot[r->act[i].bd] == UINT32_MAX) {
      slot[r->act[i].bd] = 0;
      ids[nb++] = r->act[i].bd;
    }
  }
  if (!stop && (uint64_t)nb * (uint64_t)N > FUNNEL_MAX_REPORT_ROWS) {
    /* a breakdown by a near-unique value (an order id, a timestamp) would hold 72 bytes per
    ** value and step (issue 16, L3) */
    int rc;
    *pzErr = ferr(&rc,
                  "%s: %llu breakdown values x %d steps make more than %d report rows: break down by a column "
                  "with fewer values, or use funnel_actors",
                  b->fn, (unsigned long long)nb, N, FUNNEL_MAX_REPORT_ROWS);
    gmem_free(ids);
    gmem_free(slot);
    return rc;
  }
  stop = stop || sort_bds(&b->bds, ids, slot, nb, cancel); /* slot is scratch until filled below */
  if (stop || gcancel_work(cancel, nbds + nb)) {
    gmem_free(ids);
    gmem_free(slot);
    return SQLITE_INTERRUPT;
  }
  for (uint32_t i = 0; i <= nbds; i++) slot[i] = UINT32_MAX;
  for (size_t i = 0; i < nb; i++) slot[ids[i]] = (uint32_t)i;
  r->nrep = nb * (size_t)N;
  int rc = SQLITE_OK;
  size_t *start = NULL;
  int64_t *vals = NULL;
  r->rep = gmem_alloc((r->nrep ? r->nrep : 1) * sizeof *r->rep);
  if (!r->rep) goto nomem;
  memset(r->rep, 0, (r->nrep ? r->nrep : 1) * sizeof *r->rep);
  for (size_t i = 0; i < nb; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    for (int k = 0; k < N; k++) {
      r->rep[i * N + k].bd = ids[i];
      r->rep[i * N + k].step = k + 1;
    }
  }
  for (size_t i = 0; i < r->nact; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    freport_row *row = &r->rep[(size_t)slot[r->act[i].bd] * N];
    for (int k = 0; k < r->act[i].level; k++) row[k].actors++;
  }
  for (size_t i = 0; i < nb; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    freport_row *row = &r->rep[i * N];
    for (int k = 0; k < N; k++) {
      row[k].dropped = k + 1 < N ? row[k].actors - row[k + 1].actors : 0;
      if (row[0].actors > 0) {
        row[k].has_conv = 1;
        row[k].conv_first = (double)row[k].actors / (double)row[0].actors;
        row[k].conv_prev = k == 0 ? 1.0 : row[k - 1].actors ? (double)row[k].actors / (double)row[k - 1].actors : 0.0;
      }
    }
  }
  /* times grouped by report row with a counting sort, then quantiles by selection */
  start = gmem_alloc((r->nrep + 1) * sizeof *start);
  vals = gmem_alloc((nd ? nd : 1) * sizeof *vals);
  if (!start || !vals) goto nomem;
  memset(start, 0, (r->nrep + 1) * sizeof *start);
  for (size_t i = 0; i < nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    d[i].bd = slot[d[i].bd & 0xffffff] * (uint32_t)N + (d[i].bd >> 24); /* now the report row */
    start[d[i].bd + 1]++;
  }
  for (size_t i = 0; i < r->nrep; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    start[i + 1] += start[i];
  }
  for (size_t i = 0; i < nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    vals[start[d[i].bd]++] = d[i].us;
  }
  for (size_t i = r->nrep; i > 0; i--) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    start[i] = start[i - 1];
  }
  start[0] = 0;
  for (size_t ri = 0; ri < r->nrep; ri++) {
    size_t lo = start[ri], n = start[ri + 1] - lo;
    if (long_loop_stop(cancel, ri)) goto interrupted;
    if (!n) continue;
    /* the sum (the selections count their own work) */
    if (gcancel_work(cancel, n)) goto interrupted;
    freport_row *row = &r->rep[ri];
    double sum = 0;
    for (size_t x = lo; x < lo + n; x++) sum += (double)vals[x];
    row->has_time = 1;
    row->avg = sum / (double)n / 1e6;
    double median, p90;
    if (gfunnel_quantile(vals + lo, n, 0.5, cancel, &median) || gfunnel_quantile(vals + lo, n, 0.9, cancel, &p90))
      goto interrupted;
    row->median = median / 1e6;
    row->p90 = p90 / 1e6;
  }
  goto done;
nomem:
  rc = SQLITE_NOMEM;
  goto done;
interrupted:
  rc = SQLITE_INTERRUPT;
done:
  gmem_free(start);
  gmem_free(vals);
  gmem_free(ids);
  gmem_free(slot);
  return rc;
}

static int funnel_compute_common(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                 int64_t *nrows, char **pzErr, int is_actors) {
  const char *fn = spec->name;
  int rc;
  fbuild *b = sqlite3_malloc64(sizeof *b);
  fresult *r = sqlite3_malloc64(sizeof *r);
  if (!b || !r) { sqlite3_free(b); sqlite3_free(r); return SQLITE_NOMEM; }
  memset(b, 0, sizeof *b);
  garg_seed_keys(&b->actors), garg_seed_keys(&b->bds);  /* keys.h: ids are data, a seed per statement */
  memset(r, 0, sizeof *r);
  r->b = b;
  r->is_actors = is_actors;
  b->fn = fn;
  b->earliest_us = INT64_MAX;
  gsource src;
  memset(&src, 0, sizeof src);
  int src_open = 0;
  fdelta *d = NULL;
  size_t nd = 0;
  rc = gsource_open_arg(&src, db, fn, "source", args[0], pzErr);
  if (rc != SQLITE_OK) goto fail;
  src_open = 1;
  rc = read_window(args[1], fn, &b->cfg.window, pzErr);
  if (rc != SQLITE_OK) goto fail;
  if (src.ncol < 3) {
    *pzErr = ferr(&rc, "%s: source has %d column%s, expected actor, ts, event and an optional breakdown", fn, src.ncol,
                  src.ncol == 1 ? "" : "s");
    goto fail;
  }
  b->has_bd = src.ncol >= 4;
  rc = parse_steps(b, args[2], pzErr);
  if (rc != SQLITE_OK) goto fail;
  b->cfg.nsteps = b->nsteps;
  rc = parse_report_options(b, args[3], pzErr);
  if (rc != SQLITE_OK) goto fail;
  int cols[4] = {0, 1, 2, 3};
  rc = gsource_scan(&src, fn, cols, b->has_bd ? 4 : 3, fb_row, b, pzErr);
  if (rc != SQLITE_OK) goto fail;
  gsource_close(&src);
  src_open = 0;
  rc = check_scan(b, pzErr);
  if (rc != SQLITE_OK) goto fail;
  /* computing the result runs no SQL: the engine and the loops ask the connection now and then */
  gcancel_db cancel;
  gcancel_db_init(&cancel, db);
  rc = evaluate(b, r, is_actors ? NULL : &d, &nd, &cancel.base, pzErr);
  if (rc == SQLITE_OK && !is_actors) rc = build_report(b, r, d, nd, &cancel.base, pzErr);
  int stop = gcancel_db_finish(&cancel);
  if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;
  if (rc != SQLITE_OK) goto fail;
  gmem_free(d);
  *result = r;
  *nrows = (int64_t)(is_actors ? r->nact : r->nrep);
  return SQLITE_OK;
fail:
  if (src_open) gsource_close(&src);
  gmem_free(d);
  fresult_free(r);
  return rc;
}

static int funnel_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                          char **pzErr) {
  return funnel_compute_common(db, spec, args, result, nrows, pzErr, 0);
}
static int funnel_actors_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                 int64_t *nrows, char **pzErr) {
  return funnel_compute_common(db, spec, args, result, nrows, pzErr, 1);
}

static void result_bd(const fbuild *b, uint32_t bd, sqlite3_context *ctx) {
  if (bd == 0) {
    sqlite3_result_null(ctx);
  } else {
    gkey key = gkeys_get(&b->bds, bd - 1);
    garg_result_key(ctx, &key);
  }
}

/* Local time in tz (UTC by default), as the analyst's calendar reads it. */
static void result_ts(int64_t us, int32_t offset_s, sqlite3_context *ctx) {
  char buf[GTIME_TEXT_MAX];
  sqlite3_result_text(ctx, gtime_format(us, offset_s, buf), -1, SQLITE_TRANSIENT);
}

static void funnel_column(void *result, int64_t i, int col, sqlite3_context *ctx) {
  fresult *r = result;
  const freport_row *row = &r->rep[i];
  switch (col) {
    case 0: result_bd(r->b, row->bd, ctx); break;
    case 1: sqlite3_result_int(ctx, row->step); break;
    case 2: sqlite3_result_text(ctx, r->b->step_names[row->step - 1], -1, SQLITE_TRANSIENT); break;
    case 3: sqlite3_result_int64(ctx, row->actors); break;
    case 4: if (row->has_conv) sqlite3_result_double(ctx, row->conv_prev); break;
    case 5: if (row->has_conv) sqlite3_result_double(ctx, row->conv_first); break;
    case 6: sqlite3_result_int64(ctx, row->dropped); break;
    case 7: if (row->has_time) sqlite3_result_double(ctx, row->median); break;
    case 8: if (row->has_time) sqlite3_result_double(ctx, row->p90); break;
    case 9: if (row->has_time) sqlite3_result_double(ctx, row->avg); break;
    default: break;
  }
}

static void funnel_actors_column(void *result, int64_t i, int col, sqlite3_context *ctx) {
  fresult *r = result;
  const factor *a = &r->act[i];
  switch (col) {
    case 0:
      if (a->actor < ACTOR_DIRECT_MAX) {
        sqlite3_result_int64(ctx, a->actor);
      } else {
        gkey key = gkeys_get(&r->b->actors, a->actor - ACTOR_DIRECT_MAX);
        garg_result_key(ctx, &key);
      }
      break;
    case 1: result_bd(r->b, a->bd, ctx); break;
    case 2: sqlite3_result_int(ctx, a->level); break;
    case 3: result_ts(a->step1, r->b->format.offset_s, ctx); break;
    case 4: result_ts(a->last, r->b->format.offset_s, ctx); break;
    case 5: sqlite3_result_double(ctx, (double)(a->last - a->step1) / 1e6); break;
    default: break;
  }
}

static const char *const funnel_arg_names[] = {"source", "window", "steps", "options"};

const gtvf_spec funnel_spec = {
  .name = "funnel",
  .schema =
    "CREATE TABLE x(breakdown, step INTEGER, event TEXT, actors INTEGER, conversion_from_prev REAL, "
    "conversion_from_first REAL, dropped INTEGER, median_seconds REAL, p90_seconds REAL, avg_seconds REAL, "
    "source HIDDEN, window HIDDEN, steps HIDDEN, options HIDDEN)",
  .n_out = 10,
  .n_args = 4,
  .n_required = 3,
  .arg_names = funnel_arg_names,
  .innocuous = 0,
  .compute = funnel_compute,
  .column = funnel_column,
  .destroy = fresult_free,
  .sources = 1u << 0,
  .options = report_spec,
};

const gtvf_spec funnel_actors_spec = {
  .name = "funnel_actors",
  .schema =
    "CREATE TABLE x(actor, breakdown, level INTEGER, step1_ts TEXT, last_ts TEXT, seconds_to_last REAL, "
    "source HIDDEN, window HIDDEN, steps HIDDEN, options HIDDEN)",
  .n_out = 6,
  .n_args = 4,
  .n_required = 3,
  .arg_names = funnel_arg_names,
  .innocuous = 0,
  .compute = funnel_actors_compute,
  .column = funnel_actors_column,
  .destroy = fresult_free,
  .sources = 1u << 0,
  .options = report_spec,
};
