/*
** lifecycle.c: SQL glue for lifecycle(), lifecycle_actors(), actor_status() and
** actor_transitions(), computed by lifecycle_engine.c over the rows gather.h reads.
**
**   lifecycle(source, period [, options])            source: actor, ts [, segment]
**   lifecycle_actors(source, period [, options])     (compat=posthog: actor, ts [, first_seen [, segment]])
**   actor_status(source [, as_of [, options]])       source: actor, ts
**   actor_transitions(source, from_day, to_day [, options])
*/
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "gather.h"
#include "lifecycle_engine.h"
#include "mem.h"
#include "registry.h"
#include "source.h"
#include "tvf.h"

static int fail(char **pzErr, char *msg) {
  *pzErr = msg;
  return msg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ---------------------------------------------------------------------------------------
** Reading the source: actor and ts through ggather, then the optional columns.
*/
typedef struct life_read {
  ggather g;
  int first_seen_col, segment_col; /* source column, or -1 */
  int64_t *first_seen;             /* per actor id: the earliest first_seen (INT64_MAX: none) */
  uint32_t first_seen_cap;
  uint32_t null_segment; /* the id of NULL among the segments, UINT32_MAX until seen */
  ggather_batch *batch;  /* while reading: rows waiting to have their actors looked up (gather.h) */
} life_read;

static void read_free(life_read *r) {
  ggather_free(&r->g);
  gmem_free(r->first_seen);
}

/* Segments are keyed as GROUP BY keys them (1 and 1.0 one value); NULL is one value too, a key
** of its own scope so no real value can be it. */
static int segment_id(life_read *r, sqlite3_value *v, uint32_t *id, char **pzErr) {
  gkey key;
  int got = garg_key(v, &key);
  if (got < 0) return SQLITE_NOMEM;
  int rc;
  if (got == 0) {
    if (r->null_segment != UINT32_MAX) {
      *id = r->null_segment;
      return SQLITE_OK;
    }
    gkey null_key = {GKEY_INT, 0, 0, NULL, 0};
    rc = gkeys_intern_scoped(&r->g.ev.names, 1, &null_key, id);
    if (rc >= 0) r->null_segment = *id;
  } else {
    gkey_fold_whole_real(&key);
    rc = gkeys_intern(&r->g.ev.names, &key, id);
  }
  if (rc >= 0) return SQLITE_OK;
  if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
  return fail(pzErr, sqlite3_mprintf("%s: more than 4294967294 segments, or a segment of 4 GiB", r->g.fn));
}

/* Room for actor ids below n in first_seen, new entries INT64_MAX (none). */
static int first_seen_room(life_read *r, uint32_t n) {
  if (n <= r->first_seen_cap) return SQLITE_OK;
  uint32_t cap = r->first_seen_cap ? r->first_seen_cap : 1024;
  while (cap < n) cap = cap > UINT32_MAX / 2 ? UINT32_MAX : cap * 2;
  int64_t *t = gmem_realloc(r->first_seen, (size_t)cap * sizeof *t);
  if (!t) return SQLITE_NOMEM;
  for (uint32_t i = r->first_seen_cap; i < cap; i++) t[i] = INT64_MAX;
  r->first_seen = t;
  r->first_seen_cap = cap;
  return SQLITE_OK;
}

static int note_first_seen(life_read *r, uint32_t actor, sqlite3_value *v, char **pzErr) {
  int64_t us;
  int rc = garg_ts(v, &r->g.format, NULL, r->g.fn, "first_seen (source column 3)", &us, pzErr);
  if (rc == GARG_NULL) return SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  if ((rc = first_seen_room(r, actor + 1)) != SQLITE_OK) return rc;
  if (us < r->first_seen[actor]) r->first_seen[actor] = us;
  return SQLITE_OK;
}

static int read_row_now(life_read *r, sqlite3_value **cols, char **pzErr) {
  uint32_t actor = 0;
  int64_t ts;
  /* a row waits for the rows after it to have its actor looked up with them, unless first_seen
  ** needs the actor's id now (then no row waits) */
  int waits = r->first_seen_col < 0, rc;
  if (waits) {
    rc = ggather_ts(&r->g, cols[1], "ts (source column 2)", &ts, pzErr);
    if (rc == SQLITE_OK) rc = ggather_batch_actor(&r->g, r->batch, cols[0], pzErr);
  } else {
    rc = ggather_row(&r->g, cols[0], cols[1], "ts (source column 2)", &actor, &ts, pzErr);
  }
  if (rc == GGATHER_SKIP) return SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  gev_extra x;
  memset(&x, 0, sizeof x);
  if (r->segment_col >= 0 && (rc = segment_id(r, cols[r->segment_col], &x.segment, pzErr)) != SQLITE_OK) return rc;
  if (waits) return ggather_batch_add(&r->g, r->batch, ts, &x, 1, pzErr);
  if (r->first_seen_col >= 0 && (rc = note_first_seen(r, actor, cols[r->first_seen_col], pzErr)) != SQLITE_OK)
    return rc;
  const char *why = gevents_add(&r->g.ev, actor, ts, &x);
  return why ? ggather_fail(r->g.fn, why, pzErr) : SQLITE_OK;
}

static int read_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  life_read *r = ctx;
  int rc = read_row_now(r, cols, pzErr);
  return rc == SQLITE_OK ? rc : ggather_batch_end(&r->g, r->batch, rc, pzErr);
}

/* Opens the source; it must have ncol_min..ncol_max columns (`expected` names them). */
static int open_source(sqlite3 *db, const char *fn, sqlite3_value *source, int ncol_min, int ncol_max,
                       const char *expected, gsource *src, char **pzErr) {
  int rc = gsource_open_arg(src, db, fn, "source", source, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src->ncol >= ncol_min && src->ncol <= ncol_max) return SQLITE_OK;
  rc = fail(pzErr, sqlite3_mprintf("%s: source has %d column%s, expected %s", fn, src->ncol, src->ncol == 1 ? "" : "s",
                                   expected));
  gsource_close(src);
  return rc;
}

/* Reads the open source's rows (and closes it), then groups them by actor; with a segment
** column, *rank is each segment id's place in SQLite's order, which breaks ties in time. */
static int scan_source(gsource *src, const char *fn, life_read *r, uint32_t **rank, gcancel_db *cd, char **pzErr) {
  static const int cols[4] = {0, 1, 2, 3};
  if (!(r->batch = ggather_batch_new(NULL, NULL))) {
    gsource_close(src);
    return SQLITE_NOMEM;
  }
  int rc = gsource_scan(src, fn, cols, src->ncol, read_row, r, pzErr);
  gsource_close(src);
  rc = ggather_batch_end(&r->g, r->batch, rc, pzErr);
  ggather_batch_free(r->batch);
  r->batch = NULL;
  if (rc == SQLITE_OK) rc = ggather_finish(&r->g, pzErr);
  if (rc != SQLITE_OK) return rc;
  gev_order order;
  memset(&order, 0, sizeof order);
  if (r->segment_col >= 0) {
    uint32_t n = gkeys_count(&r->g.ev.names);
    uint32_t *ids = gmem_alloc(((size_t)n + 1) * sizeof *ids);
    *rank = gmem_alloc(((size_t)n + 1) * sizeof **rank);
    if (!ids || !*rank) {
      gmem_free(ids);
      return SQLITE_NOMEM;
    }
    const char *why = glc_key_order(&r->g.ev.names, n, r->null_segment, ids, &cd->base);
    if (why) {
      gmem_free(ids);
      return ggather_core_failed(fn, why, cd, pzErr);
    }
    for (uint32_t i = 0; i < n; i++) (*rank)[ids[i]] = i;
    gmem_free(ids);
    order.segment_rank = *rank;
  }
  const char *why = gevents_group(&r->g.ev, &order, &cd->base);
  if (!why && r->first_seen_col >= 0 && first_seen_room(r, r->g.ev.nactors) != SQLITE_OK) return SQLITE_NOMEM;
  return why ? ggather_core_failed(fn, why, cd, pzErr) : SQLITE_OK;
}

/* The options every calendar function of this file reads: tz, week_start, ts_unit. */
static int read_calendar(const gopts *o, const gopt_spec *spec, const char *fn, gcalendar *cal, gts_format *format,
                         char **pzErr) {
  int rc = garg_calendar_options(o, spec, fn, cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(o, spec, fn, cal->offset_s, format, pzErr);
  return rc;
}

/* "2024-03-01 00:00:00" under the offset, for error text. */
static char *instant_text(int64_t us, int32_t offset_s, char *buf) { return gtime_format(us, offset_s, buf); }

/* A listed period must start inside years 0000..9999 (its start is printed as a date). */
static int period_in_range(const char *fn, const gcalendar *cal, int64_t index, char **pzErr) {
  int64_t day = gtime_period_index_start_day(cal, index);
  if (day >= gtime_days_from_civil(0, 1, 1) && day <= gtime_days_from_civil(9999, 12, 31)) return SQLITE_OK;
  return fail(pzErr, sqlite3_mprintf("%s: a %s of the result starts outside years 0000..9999 (use from/to, or "
                                     "another tz)",
                                     fn, gtime_period_name(cal->period)));
}

/* ---------------------------------------------------------------------------------------
** lifecycle(source, period [, options]) and lifecycle_actors(source, period [, options])
*/
enum {
  LC_PERIOD,
  LC_NEW,
  LC_RETAINED,
  LC_RESURRECTING,
  LC_DORMANT,
  LC_ACTIVE,
  LC_DORMANT_FROM_NEW,
  LC_DORMANT_FROM_RETAINED,
  LC_DORMANT_FROM_RESURRECTING,
  LC_PULSE,
  LC_COMPLETE,
  LC_SEGMENT,
  LC_NOUT
};
#define LIFECYCLE_SCHEMA \
  "CREATE TABLE x(period TEXT, new INTEGER, retained INTEGER, resurrecting INTEGER, dormant INTEGER," \
  " active INTEGER, dormant_from_new INTEGER, dormant_from_retained INTEGER," \
  " dormant_from_resurrecting INTEGER, pulse REAL, complete INTEGER, segment," \
  " source HIDDEN, period_unit HIDDEN, options HIDDEN)"

enum { LA_ACTOR, LA_PERIOD, LA_STATUS, LA_PREV_STATUS, LA_STATUS_CN, LA_SEGMENT, LA_NOUT };
#define LIFECYCLE_ACTORS_SCHEMA \
  "CREATE TABLE x(actor, period TEXT, status TEXT, prev_status TEXT, status_cn TEXT, segment," \
  " source HIDDEN, period_unit HIDDEN, options HIDDEN)"

static const gopt_spec lifecycle_opt_spec[] = {
  {"from", GOPT_VALUE},    {"to", GOPT_VALUE},         {"as_of", GOPT_VALUE},
  {"tz", GOPT_VALUE},      {"week_start", GOPT_VALUE}, {"ts_unit", GOPT_VALUE},
  {"segment", GOPT_VALUE}, {"compat", GOPT_VALUE},     {NULL, 0},
};

typedef struct lifecycle_result {
  gcalendar cal;
  int64_t first; /* the first listed period's index */
  uint64_t nperiods;
  int64_t as_of_us;
  int has_segment, segment_last;
  gkeys names; /* segment values */
  uint32_t null_segment;
  /* lifecycle */
  glc_cell *cells; /* [slot * nperiods + p] */
  uint32_t nslots;
  uint32_t *slot_segment; /* slot -> segment id */
  /* lifecycle_actors */
  glc_actor_row *rows;
  gkeys actors;
  uint32_t *actor_segment; /* actor id -> segment id */
} lifecycle_result;

static void lifecycle_destroy(void *p) {
  lifecycle_result *res = p;
  if (!res) return;
  gkeys_free(&res->names);
  gkeys_free(&res->actors);
  gmem_free(res->cells);
  gmem_free(res->slot_segment);
  gmem_free(res->rows);
  gmem_free(res->actor_segment);
  sqlite3_free(res);
}

typedef struct lifecycle_args {
  gcalendar cal;
  gts_format format;
  int has_from, has_to, has_as_of, segment_last, posthog;
  int64_t from_us, to_us, as_of_us;
} lifecycle_args;

static int lifecycle_read_args(const char *fn, sqlite3_value **args, lifecycle_args *a, char **pzErr) {
  memset(a, 0, sizeof *a);
  gperiod period;
  int rc = garg_period(args[1], fn, "period", &period, pzErr);
  if (rc != SQLITE_OK) return rc;
  gopts o;
  o.count = 0;
  if (args[2]) rc = garg_options(args[2], fn, lifecycle_opt_spec, &o, pzErr);
  if (rc == SQLITE_OK) rc = read_calendar(&o, lifecycle_opt_spec, fn, &a->cal, &a->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  a->cal.period = period;
  static const char *const names[] = {"from", "to", "as_of"};
  int64_t *outs[] = {&a->from_us, &a->to_us, &a->as_of_us};
  int *given[] = {&a->has_from, &a->has_to, &a->has_as_of};
  for (int i = 0; i < 3; i++) {
    const char *text = gopts_value(&o, lifecycle_opt_spec, names[i]);
    if (!text) continue;
    rc = garg_ts_option(text, &a->format, fn, names[i], outs[i], pzErr);
    if (rc != SQLITE_OK) return rc;
    *given[i] = 1;
  }
  char err[GOPTS_ERR_MAX], x[GTIME_TEXT_MAX], y[GTIME_TEXT_MAX];
  if (a->has_from && a->has_to && a->from_us > a->to_us)
    return fail(pzErr, sqlite3_mprintf("%s: from %s is after to %s", fn, instant_text(a->from_us, a->cal.offset_s, x),
                                       instant_text(a->to_us, a->cal.offset_s, y)));
  static const char *const attribution[] = {"first", "last", NULL};
  static const char *const compat[] = {"posthog", NULL};
  int which = 0;
  if (gopts_choice(&o, lifecycle_opt_spec, "segment", attribution, &which, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  a->segment_last = which;
  which = -1;
  if (gopts_choice(&o, lifecycle_opt_spec, "compat", compat, &which, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  a->posthog = which == 0;
  return SQLITE_OK;
}

/* The listed periods: from `from` (or the first row) to the period of the last instant seen
** (as_of, capped by `to`). first > last: none. */
static int lifecycle_periods(const char *fn, const lifecycle_args *a, const ggather *g, int64_t *first, int64_t *last,
                             char **pzErr) {
  int64_t last_us = g->as_of_us - 1;
  if (a->has_to && a->to_us < last_us) last_us = a->to_us;
  *first = gtime_period_index(&a->cal, a->has_from ? a->from_us : g->ev.min_ts);
  *last = gtime_period_index(&a->cal, last_us);
  if (*first > *last) return SQLITE_OK;
  int rc = period_in_range(fn, &a->cal, *first, pzErr);
  return rc == SQLITE_OK ? period_in_range(fn, &a->cal, *last, pzErr) : rc;
}

/* Stage 1: the source read and grouped by actor (r->g.ev.n == 0: no row was seen). Its
** columns: actor, ts [, segment], or under compat=posthog actor, ts [, first_seen [, segment]]. */
static int lifecycle_read(sqlite3 *db, const char *fn, sqlite3_value *source, const lifecycle_args *a, int per_actor,
                          life_read *r, uint32_t **rank, gcancel_db *cd, char **pzErr) {
  memset(r, 0, sizeof *r);
  r->null_segment = UINT32_MAX;
  r->first_seen_col = r->segment_col = -1;
  gsource src;
  int rc = open_source(db, fn, source, 2, a->posthog ? 4 : 3,
                       a->posthog ? "actor, ts [, first_seen [, segment]] (compat=posthog)" : "actor, ts [, segment]",
                       &src, pzErr);
  if (rc == SQLITE_OK) {
    if (a->posthog) {
      if (src.ncol >= 3) r->first_seen_col = 2;
      if (src.ncol >= 4) r->segment_col = 3;
    } else if (src.ncol >= 3) {
      r->segment_col = 2;
    }
  }
  /* lifecycle never prints an actor: its keys need no copies */
  ggather_init(&r->g, fn, r->segment_col >= 0 ? GEV_SEGMENT : 0, per_actor ? 0 : GKEYS_IDS_ONLY, &a->format,
               a->has_as_of, a->as_of_us);
  return rc == SQLITE_OK ? scan_source(&src, fn, r, rank, cd, pzErr) : rc;
}

/* Stage 2: each actor's segment id: its first row's, or its last row's with segment=last (the
** rows are in time order, ties by the segment's rank). */
static uint32_t *actor_segments(const gevents *ev, int segment_last) {
  uint32_t *seg = gmem_alloc(((size_t)ev->nactors + 1) * sizeof *seg);
  if (!seg) return NULL;
  for (uint32_t k = 0; k < ev->nactors; k++) {
    uint32_t s = ev->start[k], e = ev->start[k + 1];
    seg[k] = s == e ? 0 : ev->segment[segment_last ? e - 1 : s];
  }
  return seg;
}

/* lifecycle lists the segments some actor is attributed to, in SQLite's order: their slots.
** Turns seg (actor -> segment id) into actor -> slot and fills res->slot_segment. */
static int segment_slots(const gevents *ev, const uint32_t *rank, uint32_t *seg, lifecycle_result *res) {
  uint32_t nseg = gkeys_count(&ev->names);
  uint32_t *slot_of_rank = gmem_alloc(((size_t)nseg + 1) * sizeof *slot_of_rank);
  uint32_t *id_of_rank = gmem_alloc(((size_t)nseg + 1) * sizeof *id_of_rank);
  res->slot_segment = gmem_alloc(((size_t)nseg + 1) * sizeof *res->slot_segment);
  if (!slot_of_rank || !id_of_rank || !res->slot_segment) {
    gmem_free(slot_of_rank);
    gmem_free(id_of_rank);
    return SQLITE_NOMEM;
  }
  for (uint32_t i = 0; i < nseg; i++) slot_of_rank[i] = UINT32_MAX;
  for (uint32_t id = 0; id < nseg; id++) id_of_rank[rank[id]] = id;
  for (uint32_t k = 0; k < ev->nactors; k++)
    if (ev->start[k] != ev->start[k + 1]) slot_of_rank[rank[seg[k]]] = 0; /* used */
  res->nslots = 0;
  for (uint32_t i = 0; i < nseg; i++)
    if (slot_of_rank[i] == 0) {
      slot_of_rank[i] = res->nslots;
      res->slot_segment[res->nslots++] = id_of_rank[i];
    }
  for (uint32_t k = 0; k < ev->nactors; k++) seg[k] = slot_of_rank[rank[seg[k]]];
  gmem_free(slot_of_rank);
  gmem_free(id_of_rank);
  return SQLITE_OK;
}

/* Stage 3 of lifecycle: the counts per (segment, period). */
static int lifecycle_cells(const char *fn, const gevents *ev, const uint32_t *rank, glc_opts *o, lifecycle_result *res,
                           gcancel_db *cd, char **pzErr) {
  uint32_t *seg = NULL;
  res->nslots = 1;
  if (res->has_segment) {
    seg = actor_segments(ev, res->segment_last);
    if (!seg || segment_slots(ev, rank, seg, res) != SQLITE_OK) {
      gmem_free(seg);
      return SQLITE_NOMEM;
    }
    o->segment_of = seg;
    o->nsegments = res->nslots;
  }
  int rc = SQLITE_OK;
  if ((uint64_t)res->nslots * res->nperiods > (uint64_t)GLC_MAX_CELLS) {
    char x[16], y[16];
    rc = fail(pzErr, sqlite3_mprintf("%s: %llu periods from %s to %s times %u segment%s is more than %lld rows: "
                                     "choose a longer period, or from/to",
                                     fn, (unsigned long long)res->nperiods,
                                     gtime_format_day(gtime_period_index_start_day(&res->cal, o->first), x),
                                     gtime_format_day(gtime_period_index_start_day(&res->cal, o->last), y), res->nslots,
                                     res->nslots == 1 ? "" : "s", (long long)GLC_MAX_CELLS));
  } else {
    size_t bytes = (size_t)(res->nslots * res->nperiods) * sizeof *res->cells;
    res->cells = gmem_alloc(bytes ? bytes : 1);
    if (!res->cells) {
      rc = SQLITE_NOMEM;
    } else {
      memset(res->cells, 0, bytes);
      const char *why = glc_count(ev, o, res->cells, &cd->base);
      if (why) rc = ggather_core_failed(fn, why, cd, pzErr);
    }
  }
  gmem_free(seg);
  return rc;
}

/* Stage 3 of lifecycle_actors: one row per (actor, period), actors in SQLite's order. */
static int lifecycle_rows(const char *fn, const gevents *ev, const glc_opts *o, lifecycle_result *res, uint64_t *n,
                          gcancel_db *cd, char **pzErr) {
  if (res->has_segment && !(res->actor_segment = actor_segments(ev, res->segment_last))) return SQLITE_NOMEM;
  uint32_t *order = gmem_alloc(((size_t)ev->nactors + 1) * sizeof *order);
  if (!order) return SQLITE_NOMEM;
  const char *why = glc_key_order(&ev->actors, ev->nactors, UINT32_MAX, order, &cd->base);
  if (!why) why = glc_actor_rows(ev, o, order, &res->rows, n, &cd->base);
  gmem_free(order);
  return why ? ggather_core_failed(fn, why, cd, pzErr) : SQLITE_OK;
}

static int lifecycle_run(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, int per_actor, void **result,
                         int64_t *nrows, char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  lifecycle_args a;
  int rc = lifecycle_read_args(fn, args, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  lifecycle_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  gkeys_init(&res->names, 0);
  gkeys_init(&res->actors, 0);
  life_read r;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  uint32_t *rank = NULL;
  rc = lifecycle_read(db, fn, args[0], &a, per_actor, &r, &rank, &cd, pzErr);
  int64_t first = 0, last = -1;
  if (rc == SQLITE_OK && r.g.ev.n > 0) rc = lifecycle_periods(fn, &a, &r.g, &first, &last, pzErr);
  if (rc == SQLITE_OK && r.g.ev.n > 0 && first <= last) {
    res->cal = a.cal;
    res->first = first;
    res->nperiods = (uint64_t)(last - first + 1);
    res->as_of_us = r.g.as_of_us;
    res->has_segment = r.segment_col >= 0;
    res->segment_last = a.segment_last;
    res->null_segment = r.null_segment;
    glc_opts o;
    memset(&o, 0, sizeof o);
    o.cal = a.cal;
    o.first = first;
    o.last = last;
    o.posthog = a.posthog;
    o.first_seen = r.first_seen; /* NULL without the column: each actor's first row */
    uint64_t n = 0;
    if (per_actor) {
      rc = lifecycle_rows(fn, &r.g.ev, &o, res, &n, &cd, pzErr);
    } else {
      rc = lifecycle_cells(fn, &r.g.ev, rank, &o, res, &cd, pzErr);
      n = res->nslots * res->nperiods;
    }
    if (rc == SQLITE_OK) {
      *nrows = (int64_t)n;
      /* the result keeps the keys it prints */
      gkeys_free(&res->names);
      res->names = r.g.ev.names;
      gkeys_init(&r.g.ev.names, 0);
      gkeys_free(&res->actors);
      res->actors = r.g.ev.actors;
      gkeys_init(&r.g.ev.actors, 0);
    }
  }
  int stop = gcancel_db_finish(&cd);
  if (rc == SQLITE_OK) rc = stop;
  gmem_free(rank);
  read_free(&r);
  if (rc != SQLITE_OK) {
    lifecycle_destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

static int lifecycle_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                             char **pzErr) {
  return lifecycle_run(db, spec, args, 0, result, nrows, pzErr);
}

static int lifecycle_actors_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                    int64_t *nrows, char **pzErr) {
  return lifecycle_run(db, spec, args, 1, result, nrows, pzErr);
}

static void result_period(const lifecycle_result *res, uint64_t p, sqlite3_context *ctx) {
  char day[16];
  gtime_format_day(gtime_period_index_start_day(&res->cal, res->first + (int64_t)p), day);
  sqlite3_result_text(ctx, day, -1, SQLITE_TRANSIENT);
}

static void result_segment(const lifecycle_result *res, uint32_t id, sqlite3_context *ctx) {
  if (!res->has_segment || id == res->null_segment) {
    sqlite3_result_null(ctx);
    return;
  }
  gkey key = gkeys_get(&res->names, id);
  garg_result_key(ctx, &key);
}

static void lifecycle_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const lifecycle_result *res = result;
  uint64_t slot = (uint64_t)row / res->nperiods, p = (uint64_t)row % res->nperiods;
  const uint32_t *n = res->cells[row].n;
  switch (col) {
    case LC_PERIOD: result_period(res, p, ctx); break;
    case LC_NEW: sqlite3_result_int64(ctx, n[GLC_C_NEW]); break;
    case LC_RETAINED: sqlite3_result_int64(ctx, n[GLC_C_RETAINED]); break;
    case LC_RESURRECTING: sqlite3_result_int64(ctx, n[GLC_C_RESURRECTING]); break;
    case LC_DORMANT: sqlite3_result_int64(ctx, n[GLC_C_DORMANT]); break;
    case LC_ACTIVE: sqlite3_result_int64(ctx, (int64_t)n[GLC_C_NEW] + n[GLC_C_RETAINED] + n[GLC_C_RESURRECTING]); break;
    case LC_DORMANT_FROM_NEW: sqlite3_result_int64(ctx, n[GLC_C_DORMANT_FROM_NEW]); break;
    case LC_DORMANT_FROM_RETAINED: sqlite3_result_int64(ctx, n[GLC_C_DORMANT_FROM_RETAINED]); break;
    case LC_DORMANT_FROM_RESURRECTING: sqlite3_result_int64(ctx, n[GLC_C_DORMANT_FROM_RESURRECTING]); break;
    case LC_PULSE:
      if (n[GLC_C_DORMANT] == 0) sqlite3_result_null(ctx);
      else sqlite3_result_double(ctx, ((double)n[GLC_C_NEW] + n[GLC_C_RESURRECTING]) / n[GLC_C_DORMANT]);
      break;
    case LC_COMPLETE:
      sqlite3_result_int(ctx, gtime_period_index_start_us(&res->cal, res->first + (int64_t)p + 1) <= res->as_of_us);
      break;
    case LC_SEGMENT: result_segment(res, res->has_segment ? res->slot_segment[slot] : 0, ctx); break;
    default: sqlite3_result_null(ctx);
  }
}

static void lifecycle_actors_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const lifecycle_result *res = result;
  const glc_actor_row *r = &res->rows[row];
  switch (col) {
    case LA_ACTOR: {
      gkey key = gkeys_get(&res->actors, r->actor);
      garg_result_key(ctx, &key);
      break;
    }
    case LA_PERIOD: result_period(res, r->period, ctx); break;
    case LA_STATUS: sqlite3_result_text(ctx, glc_status_names[r->status], -1, SQLITE_STATIC); break;
    case LA_PREV_STATUS:
      if (r->prev == GLC_NONE) sqlite3_result_null(ctx);
      else sqlite3_result_text(ctx, glc_status_names[r->prev], -1, SQLITE_STATIC);
      break;
    case LA_STATUS_CN: sqlite3_result_text(ctx, glc_status_cn[r->status], -1, SQLITE_STATIC); break;
    case LA_SEGMENT: result_segment(res, res->has_segment ? res->actor_segment[r->actor] : 0, ctx); break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const lifecycle_arg_names[] = {"source", "period_unit", "options"};

const gtvf_spec lifecycle_spec = {
  .name = "lifecycle",
  .schema = LIFECYCLE_SCHEMA,
  .n_out = LC_NOUT,
  .n_args = 3,
  .n_required = 2,
  .arg_names = lifecycle_arg_names,
  .innocuous = 0,
  .compute = lifecycle_compute,
  .column = lifecycle_column,
  .destroy = lifecycle_destroy,
  .sources = 1u << 0,
  .options = lifecycle_opt_spec,
};

const gtvf_spec lifecycle_actors_spec = {
  .name = "lifecycle_actors",
  .schema = LIFECYCLE_ACTORS_SCHEMA,
  .n_out = LA_NOUT,
  .n_args = 3,
  .n_required = 2,
  .arg_names = lifecycle_arg_names,
  .innocuous = 0,
  .compute = lifecycle_actors_compute,
  .column = lifecycle_actors_column,
  .destroy = lifecycle_destroy,
  .sources = 1u << 0,
  .options = lifecycle_opt_spec,
};

/* ---------------------------------------------------------------------------------------
** actor_status(source [, as_of [, options]]) and actor_transitions(source, from_day, to_day [, options])
*/
enum {
  AS_ACTOR,
  AS_FIRST_TS,
  AS_LAST_TS,
  AS_DAYS_SINCE_LAST,
  AS_ACTIVE_DAYS_SHORT,
  AS_ACTIVE_DAYS_LONG,
  AS_MEDIAN_GAP_DAYS,
  AS_STATE,
  AS_STATUS,
  AS_STATUS_CN,
  AS_NOUT
};
#define ACTOR_STATUS_SCHEMA \
  "CREATE TABLE x(actor, first_ts TEXT, last_ts TEXT, days_since_last INTEGER, active_days_short INTEGER," \
  " active_days_long INTEGER, median_gap_days REAL, state TEXT, status TEXT, status_cn TEXT," \
  " source HIDDEN, as_of HIDDEN, options HIDDEN)"

enum { AT_FROM_STATE, AT_TO_STATE, AT_ACTORS, AT_SHARE, AT_NOUT };
#define ACTOR_TRANSITIONS_SCHEMA \
  "CREATE TABLE x(from_state TEXT, to_state TEXT, actors INTEGER, share REAL," \
  " source HIDDEN, from_day HIDDEN, to_day HIDDEN, options HIDDEN)"

static const gopt_spec status_opt_spec[] = {
  {"short", GOPT_VALUE}, {"long", GOPT_VALUE},    {"new_days", GOPT_VALUE},
  {"tz", GOPT_VALUE},    {"ts_unit", GOPT_VALUE}, {NULL, 0},
};

/* short, long, new_days, tz, ts_unit. */
static int status_read_options(const char *fn, sqlite3_value *options, gas_opts *g, gts_format *format, char **pzErr) {
  gopts o;
  o.count = 0;
  int rc = options ? garg_options(options, fn, status_opt_spec, &o, pzErr) : SQLITE_OK;
  gcalendar cal;
  if (rc == SQLITE_OK) rc = read_calendar(&o, status_opt_spec, fn, &cal, format, pzErr);
  if (rc != SQLITE_OK) return rc;
  int64_t s = 7, l = 30, nd = 1;
  char err[GOPTS_ERR_MAX];
  if (gopts_int(&o, status_opt_spec, "short", 2, 36500, &s, err, sizeof err) != 0 ||
      gopts_int(&o, status_opt_spec, "long", 3, 36500, &l, err, sizeof err) != 0 ||
      gopts_int(&o, status_opt_spec, "new_days", 1, 36500, &nd, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  if (s >= l)
    return fail(pzErr, sqlite3_mprintf("%s: short=%lld is not below long=%lld (days)", fn, (long long)s, (long long)l));
  memset(g, 0, sizeof *g);
  g->offset_s = cal.offset_s;
  g->short_days = (int32_t)s;
  g->long_days = (int32_t)l;
  g->new_days = (int32_t)nd;
  return SQLITE_OK;
}

/* actor_status's result: the rows read, grouped by actor, and each actor's row of results
** computed when SQLite reads it (its columns are read one after another, so the last row is
** kept). Computing every row up front held 40 bytes per actor beside the events: 82 bytes per
** event when most actors have one event, against 41 this way. */
typedef struct status_result {
  life_read read; /* the events by actor, and their keys */
  gas_opts opts;
  uint32_t *order; /* actor ids in SQLite's order of their keys, those with rows only */
  uint32_t n;
  int64_t row_at; /* the row computed in `row` (-1: none) */
  gas_row row;
  const char *row_why; /* why it could not be computed (out of memory), or NULL */
  gas_gaps gaps;       /* scratch for gas_row_of */
} status_result;

static void status_destroy(void *p) {
  status_result *res = p;
  if (!res) return;
  read_free(&res->read);
  gmem_free(res->order);
  gmem_free(res->gaps.gap);
  sqlite3_free(res);
}

/* actor_transitions' result: the counts of (from state, to state). */
typedef struct transitions_result {
  uint64_t counts[GAS_NSTATES + 1][GAS_NSTATES];
  uint64_t from_total[GAS_NSTATES + 1];
  int cell[(GAS_NSTATES + 1) * GAS_NSTATES]; /* non-zero cells in order */
  uint32_t n;
} transitions_result;

static void transitions_destroy(void *p) { sqlite3_free(p); }

/* Reads the source (actor, ts) with as_of; the gather is left for the caller to free. */
static int status_read(sqlite3 *db, const char *fn, sqlite3_value *source, const gts_format *format, int has_as_of,
                       int64_t as_of_us, unsigned keys_flags, life_read *r, gcancel_db *cd, char **pzErr) {
  memset(r, 0, sizeof *r);
  ggather_init(&r->g, fn, 0, keys_flags, format, has_as_of, as_of_us);
  int rc = ggather_read_actor_ts(&r->g, db, source, pzErr);
  if (rc != SQLITE_OK) return rc;
  const char *why = gevents_group(&r->g.ev, NULL, &cd->base);
  return why ? ggather_core_failed(fn, why, cd, pzErr) : SQLITE_OK;
}

static int actor_status_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                                char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  gas_opts g;
  gts_format format;
  int rc = status_read_options(fn, args[2], &g, &format, pzErr);
  if (rc != SQLITE_OK) return rc;
  int64_t as_of = 0;
  int has_as_of = 0;
  if (args[1]) {
    rc = garg_as_of_value(args[1], &format, fn, &as_of, pzErr);
    if (rc == SQLITE_OK) has_as_of = 1;
    else if (rc != GARG_NULL) return rc;
  }
  status_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  res->row_at = -1;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = status_read(db, fn, args[0], &format, has_as_of, as_of, 0, &res->read, &cd, pzErr);
  const gevents *ev = &res->read.g.ev;
  if (rc != SQLITE_OK || ev->n == 0) goto done;
  res->opts = g;
  res->opts.day = gts_last_observed_day(format.offset_s, res->read.g.as_of_us);
  res->order = gmem_alloc((size_t)ev->nactors * sizeof *res->order);
  if (!res->order) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  const char *why = glc_key_order(&ev->actors, ev->nactors, UINT32_MAX, res->order, &cd.base);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  for (uint32_t k = 0; k < ev->nactors; k++) {
    uint32_t a = res->order[k];
    if (ev->start[a + 1] > ev->start[a]) res->order[res->n++] = a; /* an actor with rows */
  }
  *nrows = res->n;
done:
  if (rc == SQLITE_OK) rc = gcancel_db_finish(&cd);
  else gcancel_db_finish(&cd);
  if (rc != SQLITE_OK) {
    status_destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

/* The row of results of output row `row`, computed once for all its columns. */
static const gas_row *status_row(status_result *res, int64_t row) {
  if (res->row_at != row) {
    const gevents *ev = &res->read.g.ev;
    uint32_t a = res->order[row], start = ev->start[a];
    res->row_why = gas_row_of(ev->ts + start, ev->start[a + 1] - start, &res->opts, &res->gaps, &res->row);
    res->row_at = res->row_why ? -1 : row;
  }
  return res->row_why ? NULL : &res->row;
}

static void actor_status_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  status_result *res = result;
  if (col == AS_ACTOR) {
    gkey key = gkeys_get(&res->read.g.ev.actors, res->order[row]);
    garg_result_key(ctx, &key);
    return;
  }
  const gas_row *r = status_row(res, row);
  if (!r) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  char buf[GTIME_TEXT_MAX];
  switch (col) {
    case AS_FIRST_TS: sqlite3_result_text(ctx, gtime_format(r->first_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case AS_LAST_TS: sqlite3_result_text(ctx, gtime_format(r->last_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case AS_DAYS_SINCE_LAST: sqlite3_result_int(ctx, r->days_since_last); break;
    case AS_ACTIVE_DAYS_SHORT: sqlite3_result_int(ctx, r->active_short); break;
    case AS_ACTIVE_DAYS_LONG: sqlite3_result_int(ctx, r->active_long); break;
    case AS_MEDIAN_GAP_DAYS:
      if (r->median_gap_x2 < 0) sqlite3_result_null(ctx);
      else sqlite3_result_double(ctx, r->median_gap_x2 / 2.0);
      break;
    case AS_STATE: sqlite3_result_text(ctx, gas_state_names[r->state], -1, SQLITE_STATIC); break;
    case AS_STATUS: sqlite3_result_text(ctx, gas_status_names[r->status], -1, SQLITE_STATIC); break;
    case AS_STATUS_CN: sqlite3_result_text(ctx, gas_status_cn[r->status], -1, SQLITE_STATIC); break;
    default: sqlite3_result_null(ctx);
  }
}

static int actor_transitions_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                     int64_t *nrows, char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  gas_opts to;
  gts_format format;
  int rc = status_read_options(fn, args[3], &to, &format, pzErr);
  if (rc != SQLITE_OK) return rc;
  int64_t from_us, to_us;
  rc = garg_ts(args[1], &format, NULL, fn, "from_day", &from_us, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts(args[2], &format, NULL, fn, "to_day", &to_us, pzErr);
  if (rc == GARG_NULL) return SQLITE_OK; /* a NULL day: no rows */
  if (rc != SQLITE_OK) return rc;
  char x[GTIME_TEXT_MAX], y[GTIME_TEXT_MAX];
  if (from_us > to_us)
    return fail(pzErr,
                sqlite3_mprintf("%s: from_day %s is after to_day %s", fn, instant_text(from_us, format.offset_s, x),
                                instant_text(to_us, format.offset_s, y)));
  transitions_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  life_read r;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = status_read(db, fn, args[0], &format, 1, to_us, GKEYS_IDS_ONLY, &r, &cd, pzErr);
  if (rc == SQLITE_ERROR && r.g.ev.n == 0 && r.g.too_late > 0) {
    /* every row is on or after to_day: say so in the argument's own name */
    sqlite3_free(*pzErr);
    rc = fail(pzErr, sqlite3_mprintf("%s: to_day %s is not after the first row (%s): no row would be seen", fn,
                                     instant_text(to_us, format.offset_s, x),
                                     instant_text(r.g.earliest_us, format.offset_s, y)));
  }
  if (rc != SQLITE_OK || r.g.ev.n == 0) goto done;
  gas_opts from = to;
  from.day = gts_last_observed_day(format.offset_s, from_us);
  to.day = gts_last_observed_day(format.offset_s, to_us);
  const char *why = gas_transitions(&r.g.ev, &from, from_us, &to, res->counts, &cd.base);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  /* rows: the non-empty cells, "no state yet" first, then the states in their order */
  static const int from_order[GAS_NSTATES + 1] = {GAS_NSTATES,     GAS_NEW,         GAS_CURRENT,     GAS_REACTIVATED,
                                                  GAS_RESURRECTED, GAS_AT_RISK_WAU, GAS_AT_RISK_MAU, GAS_DORMANT};
  for (int i = 0; i <= GAS_NSTATES; i++)
    for (int t = 0; t < GAS_NSTATES; t++) res->from_total[i] += res->counts[i][t];
  for (int i = 0; i <= GAS_NSTATES; i++)
    for (int t = 0; t < GAS_NSTATES; t++)
      if (res->counts[from_order[i]][t]) res->cell[res->n++] = from_order[i] * GAS_NSTATES + t;
  *nrows = res->n;
done:
  if (rc == SQLITE_OK) rc = gcancel_db_finish(&cd);
  else gcancel_db_finish(&cd);
  read_free(&r);
  if (rc != SQLITE_OK) {
    transitions_destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

static void actor_transitions_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const transitions_result *res = result;
  int from = res->cell[row] / GAS_NSTATES, to = res->cell[row] % GAS_NSTATES;
  switch (col) {
    case AT_FROM_STATE:
      if (from == GAS_NSTATES) sqlite3_result_null(ctx);
      else sqlite3_result_text(ctx, gas_state_names[from], -1, SQLITE_STATIC);
      break;
    case AT_TO_STATE: sqlite3_result_text(ctx, gas_state_names[to], -1, SQLITE_STATIC); break;
    case AT_ACTORS: sqlite3_result_int64(ctx, (int64_t)res->counts[from][to]); break;
    case AT_SHARE: sqlite3_result_double(ctx, (double)res->counts[from][to] / (double)res->from_total[from]); break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const actor_status_arg_names[] = {"source", "as_of", "options"};
const gtvf_spec actor_status_spec = {
  .name = "actor_status",
  .schema = ACTOR_STATUS_SCHEMA,
  .n_out = AS_NOUT,
  .n_args = 3,
  .n_required = 1,
  .arg_names = actor_status_arg_names,
  .innocuous = 0,
  .compute = actor_status_compute,
  .column = actor_status_column,
  .destroy = status_destroy,
  .sources = 1u << 0,
  .options = status_opt_spec,
};

static const char *const actor_transitions_arg_names[] = {"source", "from_day", "to_day", "options"};
const gtvf_spec actor_transitions_spec = {
  .name = "actor_transitions",
  .schema = ACTOR_TRANSITIONS_SCHEMA,
  .n_out = AT_NOUT,
  .n_args = 4,
  .n_required = 3,
  .arg_names = actor_transitions_arg_names,
  .innocuous = 0,
  .compute = actor_transitions_compute,
  .column = actor_transitions_column,
  .destroy = transitions_destroy,
  .sources = 1u << 0,
  .options = status_opt_spec,
};
