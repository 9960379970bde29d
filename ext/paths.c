/*
** paths.c: SQL glue for paths(), path_actors() and churn_points(), computed by paths_engine.c
** over the rows gather.h reads.
**
**   paths(source [, options])                    source: actor, ts, event [, session [, seq]]
**   path_actors(source [, options])
**   churn_points(source [, as_of [, options]])   source: actor, ts, event [, seq]
*/
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "gather.h"
#include "lifecycle_engine.h"
#include "mem.h"
#include "paths_engine.h"
#include "registry.h"
#include "source.h"
#include "tvf.h"

static int fail(char **pzErr, char *msg) {
  *pzErr = msg;
  return msg ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ---------------------------------------------------------------------------------------
** Options
*/
static const gopt_spec paths_opt_spec[] = {
  {"start", GOPT_VALUE},   {"end", GOPT_VALUE},        {"occurrence", GOPT_VALUE},
  {"steps", GOPT_VALUE},   {"gap", GOPT_VALUE},        {"window", GOPT_VALUE},
  {"collapse", GOPT_FLAG}, {"no_collapse", GOPT_FLAG}, {"timing", GOPT_VALUE},
  {"exclude", GOPT_VALUE}, {"include", GOPT_VALUE},    {"exclude_actors", GOPT_VALUE},
  {"group", GOPT_VALUE},   {"top", GOPT_VALUE},        {"min_actors", GOPT_VALUE},
  {"tz", GOPT_VALUE},      {"ts_unit", GOPT_VALUE},    {NULL, 0},
};

static const gopt_spec churn_opt_spec[] = {
  {"churned", GOPT_VALUE}, {"depth", GOPT_VALUE},
  {"collapse", GOPT_FLAG}, {"no_collapse", GOPT_FLAG},
  {"exclude", GOPT_VALUE}, {"include", GOPT_VALUE},
  {"group", GOPT_VALUE},   {"tz", GOPT_VALUE},
  {"ts_unit", GOPT_VALUE}, {NULL, 0},
};

typedef struct paths_args {
  gopts o;
  gts_format format;
  gpaths_opts po;
  gpaths_filter f;
  const char *start, *end; /* anchor names (into o) */
  int64_t top, min_actors;
  int64_t depth, churned_us; /* churn_points */
} paths_args;

/* A duration option: '30 minutes', '1 day', seconds; `none_ok`: none gives -1. */
static int read_duration(const char *fn, const gopts *o, const gopt_spec *spec, const char *name, int none_ok,
                         int64_t *out, char **pzErr) {
  const char *v = gopts_value(o, spec, name);
  if (!v) return SQLITE_OK;
  if (none_ok && strcmp(v, "none") == 0) {
    *out = -1;
    return SQLITE_OK;
  }
  int64_t us;
  const char *why = gtime_parse_duration(v, -1, &us);
  if (!why && us < 0) why = "negative";
  if (why)
    return fail(pzErr, sqlite3_mprintf("%s: option %s is '%s', expected a duration such as '30 minutes'%s (%s)", fn,
                                       name, v, none_ok ? " or none" : "", why));
  *out = us;
  return SQLITE_OK;
}

/* A ';' list option must not be empty nor hold an empty entry. */
static int read_list(const char *fn, const gopts *o, const gopt_spec *spec, const char *name, const char **out,
                     char **pzErr) {
  const char *v = gopts_value(o, spec, name);
  if (!v) return SQLITE_OK;
  size_t n = strlen(v);
  if (n == 0 || v[0] == ';' || v[n - 1] == ';' || strstr(v, ";;"))
    return fail(pzErr,
                sqlite3_mprintf("%s: option %s is '%s', expected names separated by ';' (an empty name)", fn, name, v));
  if (strcmp(name, "group") == 0)
    for (const char *p = v; p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL)
      if (strncmp(p, "=>", 2) == 0)
        return fail(pzErr, sqlite3_mprintf("%s: option group is '%s', expected pattern=>alias;... (a rule without a "
                                           "pattern)",
                                           fn, v));
  *out = v;
  return SQLITE_OK;
}

/* The options both functions share, and (for paths) the journey options. */
static int read_options(const char *fn, sqlite3_value *options, int churn, paths_args *a, char **pzErr) {
  memset(a, 0, sizeof *a);
  const gopt_spec *spec = churn ? churn_opt_spec : paths_opt_spec;
  int rc = options ? garg_options(options, fn, spec, &a->o, pzErr) : SQLITE_OK;
  gcalendar cal;
  if (rc == SQLITE_OK) rc = garg_calendar_options(&a->o, spec, fn, &cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(&a->o, spec, fn, cal.offset_s, &a->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  char err[GOPTS_ERR_MAX];
  gpaths_opts *po = &a->po;
  po->collapse = !gopts_has(&a->o, spec, "no_collapse");
  if (gopts_has(&a->o, spec, "collapse") && !po->collapse)
    return fail(pzErr, sqlite3_mprintf("%s: options collapse and no_collapse contradict each other", fn));
  if ((rc = read_list(fn, &a->o, spec, "exclude", &a->f.exclude.text, pzErr)) != SQLITE_OK ||
      (rc = read_list(fn, &a->o, spec, "include", &a->f.include.text, pzErr)) != SQLITE_OK ||
      (rc = read_list(fn, &a->o, spec, "group", &a->f.groups, pzErr)) != SQLITE_OK)
    return rc;
  if (churn) {
    a->depth = 1;
    a->churned_us = INT64_C(30) * 86400 * 1000000;
    if (gopts_int(&a->o, spec, "depth", 1, GPATHS_MAX_STEPS, &a->depth, err, sizeof err) != 0)
      return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
    return read_duration(fn, &a->o, spec, "churned", 0, &a->churned_us, pzErr);
  }
  if ((rc = read_list(fn, &a->o, spec, "exclude_actors", &a->f.exclude_actors.text, pzErr)) != SQLITE_OK) return rc;
  int64_t steps = 5;
  static const char *const occurrences[] = {"first", "every", NULL};
  static const char *const timings[] = {"first", "last", NULL};
  int every = 0, last = 0;
  if (gopts_int(&a->o, spec, "steps", 2, GPATHS_MAX_STEPS, &steps, err, sizeof err) != 0 ||
      gopts_int(&a->o, spec, "top", 1, UINT32_MAX, &a->top, err, sizeof err) != 0 ||
      gopts_int(&a->o, spec, "min_actors", 1, UINT32_MAX, &a->min_actors, err, sizeof err) != 0 ||
      gopts_choice(&a->o, spec, "occurrence", occurrences, &every, err, sizeof err) != 0 ||
      gopts_choice(&a->o, spec, "timing", timings, &last, err, sizeof err) != 0)
    return fail(pzErr, sqlite3_mprintf("%s: %s", fn, err));
  po->steps = (int)steps;
  po->every = every;
  po->timing_last = last;
  po->gap_us = INT64_C(30) * 60 * 1000000;
  po->window_us = -1;
  if ((rc = read_duration(fn, &a->o, spec, "window", 0, &po->window_us, pzErr)) != SQLITE_OK) return rc;
  /* a window replaces the gap unless the gap is given too */
  if (po->window_us >= 0) po->gap_us = -1;
  if ((rc = read_duration(fn, &a->o, spec, "gap", 1, &po->gap_us, pzErr)) != SQLITE_OK) return rc;
  a->start = gopts_value(&a->o, spec, "start");
  a->end = gopts_value(&a->o, spec, "end");
  po->anchor = a->start && a->end ? GPATHS_BETWEEN : a->start ? GPATHS_START : a->end ? GPATHS_END : GPATHS_NONE;
  if (po->window_us >= 0 && po->anchor == GPATHS_NONE)
    return fail(pzErr, sqlite3_mprintf("%s: option window needs an anchor (start= or end=)", fn));
  if (every && po->anchor == GPATHS_NONE)
    return fail(pzErr, sqlite3_mprintf("%s: option occurrence needs an anchor (start= or end=)", fn));
  return SQLITE_OK;
}

/* ---------------------------------------------------------------------------------------
** Reading the source: actor, ts, event [, session [, seq]]
*/
/* The event names met so far, found by their length and first bytes: a source has a handful of
** events, so most rows cost a compare of a word or two here, not a hash of the text. */
#define RECENT_BITS 6
#define RECENT_BYTES 48

typedef struct recent_name {
  uint32_t len1; /* length + 1; 0: an empty slot */
  uint32_t id;
  uint64_t head; /* the first 8 bytes, zero padded */
  char rest[RECENT_BYTES - 8];
} recent_name;

typedef struct paths_read {
  ggather g;
  int session_col, seq_col; /* source column, or -1 */
  recent_name recent[1 << RECENT_BITS];
  ggather_batch *batch; /* while reading: rows waiting to have their actors looked up (gather.h) */
} paths_read;

static int intern_name(paths_read *r, uint64_t scope, gkey *key, uint32_t *id, char **pzErr) {
  int rc = gkeys_intern_scoped(&r->g.ev.names, scope, key, id);
  if (rc >= 0) return SQLITE_OK;
  if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
  return fail(pzErr, sqlite3_mprintf("%s: more than 4294967294 events and sessions, or one of 4 GiB", r->g.fn));
}

/* An event name's id: from the recent names, else interned (and remembered when short). */
static int event_id(paths_read *r, const unsigned char *text, size_t len, uint32_t *id, char **pzErr) {
  /* in a register: bytes stored one by one and read back as a word would stall the read */
  uint64_t head = 0;
  if (len >= 8) memcpy(&head, text, 8);
  else
    for (size_t i = 0; i < len; i++) head |= (uint64_t)text[i] << (8 * i);
  recent_name *slot = &r->recent[((head ^ len) * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - RECENT_BITS)];
  if (slot->len1 == len + 1 && slot->head == head && (len <= 8 || memcmp(slot->rest, text + 8, len - 8) == 0)) {
    *id = slot->id;
    return SQLITE_OK;
  }
  gkey ev = {GKEY_TEXT, 0, 0, text, len};
  int rc = intern_name(r, 0, &ev, id, pzErr);
  if (rc != SQLITE_OK || len > RECENT_BYTES) return rc;
  slot->len1 = (uint32_t)len + 1;
  slot->id = *id;
  slot->head = head;
  if (len > 8) memcpy(slot->rest, text + 8, len - 8);
  return SQLITE_OK;
}

static int read_row_now(paths_read *r, sqlite3_value **cols, char **pzErr) {
  int64_t ts;
  /* the row waits for the rows after it, to have its actor looked up with them */
  int rc = ggather_ts(&r->g, cols[1], "ts (source column 2)", &ts, pzErr);
  if (rc == SQLITE_OK) rc = ggather_batch_actor(&r->g, r->batch, cols[0], pzErr);
  if (rc == GGATHER_SKIP) return SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  gev_extra x;
  memset(&x, 0, sizeof x);
  if (sqlite3_value_type(cols[2]) == SQLITE_NULL) { /* as sequenceNextNode: no event, no row (the actor is numbered) */
    return ggather_batch_add(&r->g, r->batch, ts, &x, 0, pzErr);
  }
  /* events are compared as text (1 and '1' are one event) */
  const unsigned char *text = sqlite3_value_text(cols[2]);
  if (!text) return SQLITE_NOMEM;
  if ((rc = event_id(r, text, (size_t)sqlite3_value_bytes(cols[2]), &x.event, pzErr)) != SQLITE_OK) return rc;
  if (r->session_col >= 0) {
    /* sessions are names of their own scope: NULL is one session, 1 and 1.0 another */
    gkey key;
    int got = garg_key(cols[r->session_col], &key);
    if (got < 0) return SQLITE_NOMEM;
    uint64_t scope = 1;
    if (got == 0) {
      key = (gkey){GKEY_INT, 0, 0, NULL, 0};
      scope = 2;
    } else {
      gkey_fold_whole_real(&key);
    }
    if ((rc = intern_name(r, scope, &key, &x.segment, pzErr)) != SQLITE_OK) return rc;
  }
  if (r->seq_col >= 0) {
    sqlite3_value *v = cols[r->seq_col];
    int t = sqlite3_value_type(v);
    if (t == SQLITE_INTEGER) {
      x.aux = sqlite3_value_int64(v);
    } else if (t == SQLITE_NULL) {
      x.aux = INT64_MIN; /* NULL first, as in ORDER BY */
    } else {
      char *d = garg_describe(v);
      char *msg = d
                  ? sqlite3_mprintf("%s: seq (source column %d) is %s, expected an INTEGER", r->g.fn, r->seq_col + 1, d)
                  : NULL;
      sqlite3_free(d);
      return fail(pzErr, msg);
    }
  }
  return ggather_batch_add(&r->g, r->batch, ts, &x, 1, pzErr);
}

static int read_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  paths_read *r = ctx;
  int rc = read_row_now(r, cols, pzErr);
  return rc == SQLITE_OK ? rc : ggather_batch_end(&r->g, r->batch, rc, pzErr);
}

/* Reads and groups the source. `with_session`: paths' 4th column is a session (churn_points:
** its 4th is seq). */
static int read_source(sqlite3 *db, const char *fn, sqlite3_value *source, const paths_args *a, int with_session,
                       int has_as_of, int64_t as_of_us, paths_read *r, gcancel_db *cd, char **pzErr) {
  memset(r, 0, sizeof *r);
  r->session_col = r->seq_col = -1;
  gsource src;
  int rc = gsource_open_arg(&src, db, fn, "source", source, pzErr);
  if (rc != SQLITE_OK) return rc;
  int max = with_session ? 5 : 4;
  if (src.ncol < 3 || src.ncol > max) {
    rc = fail(pzErr,
              sqlite3_mprintf("%s: source has %d column%s, expected %s", fn, src.ncol, src.ncol == 1 ? "" : "s",
                              with_session ? "actor, ts, event [, session [, seq]]" : "actor, ts, event [, seq]"));
    gsource_close(&src);
    return rc;
  }
  if (with_session && src.ncol >= 4) r->session_col = 3;
  if (src.ncol == max) r->seq_col = max - 1;
  unsigned columns = GEV_EVENT | (r->session_col >= 0 ? GEV_SEGMENT : 0) | (r->seq_col >= 0 ? GEV_AUX : 0);
  ggather_init(&r->g, fn, columns, 0, &a->format, has_as_of, as_of_us);
  static const int cols[5] = {0, 1, 2, 3, 4};
  if (!(r->batch = ggather_batch_new(NULL, NULL))) {
    gsource_close(&src);
    return SQLITE_NOMEM;
  }
  rc = gsource_scan(&src, fn, cols, src.ncol, read_row, r, pzErr);
  gsource_close(&src);
  rc = ggather_batch_end(&r->g, r->batch, rc, pzErr);
  ggather_batch_free(r->batch);
  r->batch = NULL;
  if (rc == SQLITE_OK) rc = ggather_finish(&r->g, pzErr);
  if (rc != SQLITE_OK || r->g.ev.n == 0) return rc;
  /* ties in time: seq, then the event's name (bytes, as ClickHouse), then the session's */
  uint32_t n = gkeys_count(&r->g.ev.names);
  uint32_t *rank = gmem_alloc(((size_t)n + 1) * sizeof *rank);
  if (!rank) return SQLITE_NOMEM;
  const char *why = gpaths_name_ranks(&r->g.ev.names, rank, &cd->base);
  gev_order order = {rank, rank};
  if (!why) why = gevents_group(&r->g.ev, &order, &cd->base);
  gmem_free(rank);
  return why ? ggather_core_failed(fn, why, cd, pzErr) : SQLITE_OK;
}

/* The end all three computes share: the interrupt's verdict joined to rc, the rows read freed,
** and the result handed over, or destroyed on an error. */
static int compute_done(int rc, gcancel_db *cd, paths_read *r, void *res, void (*destroy)(void *), void **result,
                        int64_t *nrows) {
  int stopped = gcancel_db_finish(cd);
  if (rc == SQLITE_OK) rc = stopped;
  ggather_free(&r->g);
  if (rc != SQLITE_OK) {
    destroy(res);
    *nrows = 0;
    return rc;
  }
  *result = res;
  return SQLITE_OK;
}

/* Items of the names, and the anchors' items. */
typedef struct paths_items {
  gkeys items;
  uint32_t *item_of;
  uint8_t *bars;
} paths_items;

static void items_free(paths_items *it) {
  gkeys_free(&it->items);
  gmem_free(it->item_of);
  gmem_free(it->bars);
}

static uint32_t item_named(const gkeys *items, const char *name) {
  size_t len = strlen(name);
  for (uint32_t i = 0; i < gkeys_count(items); i++) {
    gkey k = gkeys_get(items, i);
    if (k.len == len && memcmp(k.bytes, name, len) == 0) return i;
  }
  return GPATHS_DROP;
}

static int map_items(const char *fn, const gevents *ev, paths_args *a, paths_items *it, char **pzErr) {
  memset(it, 0, sizeof *it);
  gkeys_init(&it->items, 0);
  uint32_t n = gkeys_count(&ev->names);
  it->item_of = gmem_alloc(((size_t)n + 1) * sizeof *it->item_of);
  it->bars = gmem_alloc((size_t)n + 1);
  if (!it->item_of || !it->bars) return SQLITE_NOMEM;
  const char *why = gpaths_map_items(&ev->names, &a->f, it->item_of, a->f.exclude_actors.text ? it->bars : NULL,
                                     &it->items);
  if (why) return ggather_fail(fn, why, pzErr);
  a->po.item_of = it->item_of;
  a->po.bars = a->f.exclude_actors.text ? it->bars : NULL;
  a->po.nitems = gkeys_count(&it->items);
  a->po.start_item = a->start ? item_named(&it->items, a->start) : GPATHS_DROP;
  a->po.end_item = a->end ? item_named(&it->items, a->end) : GPATHS_DROP;
  return SQLITE_OK;
}

/* The text of an item: its name, "..." or "$other". */
static void item_text(const gkeys *items, uint32_t nitems, uint32_t id, const char **s, size_t *len) {
  if (id == nitems) {
    *s = "...";
    *len = 3;
  } else if (id == nitems + 1) {
    *s = "$other";
    *len = 6;
  } else {
    gkey k = gkeys_get(items, id);
    *s = k.bytes;
    *len = k.len;
  }
}

static void result_item(sqlite3_context *ctx, const gkeys *items, uint32_t nitems, uint32_t id) {
  if (id == GPATHS_DROP) {
    sqlite3_result_null(ctx);
    return;
  }
  const char *s;
  size_t len;
  item_text(items, nitems, id, &s, &len);
  sqlite3_result_text(ctx, s, (int)len, SQLITE_TRANSIENT);
}

/* ---------------------------------------------------------------------------------------
** paths(source [, options])
*/
enum {
  PA_KIND,
  PA_STEP,
  PA_FROM,
  PA_TO,
  PA_ACTORS,
  PA_JOURNEYS,
  PA_PCT_ANCHOR,
  PA_PCT_FROM,
  PA_AVG,
  PA_MEDIAN,
  PA_P90,
  PA_NOUT
};
#define PATHS_SCHEMA \
  "CREATE TABLE x(kind TEXT, step INTEGER, from_event TEXT, to_event TEXT, actors INTEGER, journeys INTEGER," \
  " pct_of_anchor REAL, pct_of_from REAL, avg_seconds REAL, median_seconds REAL, p90_seconds REAL," \
  " source HIDDEN, options HIDDEN)"

typedef struct paths_result {
  gpaths_result r;
  paths_items it;
  uint32_t nitems;
} paths_result;

static void paths_destroy(void *p) {
  paths_result *res = p;
  if (!res) return;
  gpaths_result_free(&res->r);
  items_free(&res->it);
  sqlite3_free(res);
}

static int paths_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  paths_args a;
  int rc = read_options(fn, args[1], 0, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  paths_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  gkeys_init(&res->it.items, 0);
  paths_read r;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = read_source(db, fn, args[0], &a, 1, 0, 0, &r, &cd, pzErr);
  if (rc != SQLITE_OK || r.g.ev.n == 0) goto done;
  gkeys_free(&res->it.items);
  if ((rc = map_items(fn, &r.g.ev, &a, &res->it, pzErr)) != SQLITE_OK) goto done;
  a.po.sessions = r.session_col >= 0;
  res->nitems = a.po.nitems;
  const char *why = gpaths_count(&r.g.ev, &a.po, (uint32_t)a.top, (uint32_t)a.min_actors, &res->it.items, &res->r,
                                 &cd.base);
  if (why) rc = ggather_core_failed(fn, why, &cd, pzErr);
  else *nrows = (int64_t)res->r.n;
done:
  return compute_done(rc, &cd, &r, res, paths_destroy, result, nrows);
}

static void paths_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const paths_result *res = result;
  const gpaths_row *r = &res->r.row[row];
  int edge = r->kind == GPATHS_EDGE;
  switch (col) {
    case PA_KIND: sqlite3_result_text(ctx, gpaths_kind_names[r->kind], -1, SQLITE_STATIC); break;
    case PA_STEP: sqlite3_result_int(ctx, r->step); break;
    case PA_FROM: result_item(ctx, &res->it.items, res->nitems, r->from); break;
    case PA_TO: result_item(ctx, &res->it.items, res->nitems, r->to); break;
    case PA_ACTORS: sqlite3_result_int64(ctx, r->actors); break;
    case PA_JOURNEYS: sqlite3_result_int64(ctx, (int64_t)r->journeys); break;
    case PA_PCT_ANCHOR:
      if (res->r.anchor_actors) sqlite3_result_double(ctx, (double)r->actors / res->r.anchor_actors);
      else sqlite3_result_null(ctx);
      break;
    case PA_PCT_FROM:
      if (r->kind != GPATHS_NODE && r->from_actors) sqlite3_result_double(ctx, (double)r->actors / r->from_actors);
      else sqlite3_result_null(ctx);
      break;
    case PA_AVG:
      if (edge) sqlite3_result_double(ctx, r->avg_s);
      else sqlite3_result_null(ctx);
      break;
    case PA_MEDIAN:
      if (edge) sqlite3_result_double(ctx, r->median_s);
      else sqlite3_result_null(ctx);
      break;
    case PA_P90:
      if (edge) sqlite3_result_double(ctx, r->p90_s);
      else sqlite3_result_null(ctx);
      break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const paths_arg_names[] = {"source", "options"};

const gtvf_spec paths_spec = {
  .name = "paths",
  .schema = PATHS_SCHEMA,
  .n_out = PA_NOUT,
  .n_args = 2,
  .n_required = 1,
  .arg_names = paths_arg_names,
  .innocuous = 0,
  .compute = paths_compute,
  .column = paths_column,
  .destroy = paths_destroy,
  .sources = 1u << 0,
  .options = paths_opt_spec,
};

/* ---------------------------------------------------------------------------------------
** path_actors(source [, options])
*/
enum { PJ_ACTOR, PJ_JOURNEY, PJ_START_TS, PJ_END_TS, PJ_PATH, PJ_LENGTH, PJ_DROPPED, PJ_LAST_EVENT, PJ_NOUT };
#define PATH_ACTORS_SCHEMA \
  "CREATE TABLE x(actor, journey INTEGER, start_ts TEXT, end_ts TEXT, path TEXT, length INTEGER," \
  " dropped INTEGER, last_event TEXT, source HIDDEN, options HIDDEN)"

/* One journey: 32 bytes. Its nodes' items are a sequence interned once per distinct sequence
** (seqs), which gives the path's text, length and last event. */
typedef struct journey_row {
  int64_t start_us, end_us;
  uint32_t actor, number, seq;
  uint8_t dropped;
} journey_row;

/* The sequences met last, by a hash of their items: most journeys repeat a few short paths, which
** then cost a hash of a few integers and a compare instead of interning. */
#define SEQ_CACHE_BITS 9
#define SEQ_CACHE_NODES 8
typedef struct seq_slot {
  uint32_t n; /* 0: empty */
  uint32_t id;
  uint32_t item[SEQ_CACHE_NODES];
} seq_slot;

/* Rows in blocks of a fixed size: growing never copies them nor holds room for as many again. */
#define ROW_BLOCK_BITS 15

typedef struct path_actors_result {
  journey_row **block; /* row i: block[i >> ROW_BLOCK_BITS][i & (1 << ROW_BLOCK_BITS) - 1] */
  uint64_t n, nblock, block_cap;
  gkeys seqs;       /* BLOBs of uint32 item ids, one per distinct sequence */
  char *text;       /* the sequences' texts "a > b > c", one after another */
  uint64_t *at;     /* text of sequence i: [at[i], at[i + 1]) */
  seq_slot *cache;  /* while walking */
  uint32_t *items;  /* while walking: a journey's items */
  uint32_t items_cap;
  gkeys actors;
  paths_items it;
  uint32_t nitems;
} path_actors_result;

static void path_actors_destroy(void *p) {
  path_actors_result *res = p;
  if (!res) return;
  for (uint64_t b = 0; b < res->nblock; b++) gmem_free(res->block[b]);
  gmem_free(res->block);
  gmem_free(res->text);
  gmem_free(res->at);
  gmem_free(res->cache);
  gmem_free(res->items);
  gkeys_free(&res->seqs);
  gkeys_free(&res->actors);
  items_free(&res->it);
  sqlite3_free(res);
}

/* The id of a journey's sequence of items, interned in res->seqs. */
static const char *journey_seq(path_actors_result *res, const gpaths_journey *j, uint32_t *id) {
  uint64_t h = j->n;
  for (uint32_t i = 0; i < j->n; i++) h = (h ^ j->node[i].item) * UINT64_C(0x9e3779b97f4a7c15);
  seq_slot *slot = &res->cache[h >> (64 - SEQ_CACHE_BITS)];
  if (slot->n == j->n) {
    uint32_t i = 0;
    while (i < j->n && slot->item[i] == j->node[i].item) i++;
    if (i == j->n) {
      *id = slot->id;
      return NULL;
    }
  }
  if (j->n > res->items_cap) {
    uint32_t *t = gmem_realloc(res->items, (size_t)j->n * sizeof *t);
    if (!t) return "out of memory";
    res->items = t;
    res->items_cap = j->n;
  }
  for (uint32_t i = 0; i < j->n; i++) res->items[i] = j->node[i].item;
  gkey k = {GKEY_BLOB, 0, 0, res->items, (size_t)j->n * sizeof *res->items};
  int rc = gkeys_intern(&res->seqs, &k, id);
  if (rc < 0) return rc == GKEYS_NOMEM ? "out of memory" : "more than 4294967294 paths";
  if (j->n <= SEQ_CACHE_NODES) {
    slot->n = j->n;
    slot->id = *id;
    memcpy(slot->item, res->items, (size_t)j->n * sizeof *res->items);
  }
  return NULL;
}

static const char *collect_journeys(void *ctx, uint32_t actor, const gpaths_journey *js, uint32_t nj) {
  path_actors_result *res = ctx;
  for (uint32_t k = 0; k < nj; k++) {
    const gpaths_journey *j = &js[k];
    if (res->n == res->nblock << ROW_BLOCK_BITS) {
      if (res->nblock == res->block_cap) {
        uint64_t cap = res->block_cap ? res->block_cap * 2 : 64;
        journey_row **t = gmem_realloc(res->block, (size_t)cap * sizeof *t);
        if (!t) return "out of memory";
        res->block = t;
        res->block_cap = cap;
      }
      if (!(res->block[res->nblock] = gmem_alloc(sizeof(journey_row) << ROW_BLOCK_BITS))) return "out of memory";
      res->nblock++;
    }
    journey_row *r = &res->block[res->n >> ROW_BLOCK_BITS][res->n & ((1u << ROW_BLOCK_BITS) - 1)];
    const char *why = journey_seq(res, j, &r->seq);
    if (why) return why;
    r->actor = actor;
    r->number = j->number;
    r->start_us = j->node[0].first_us;
    r->end_us = j->node[j->n - 1].last_us;
    r->dropped = (uint8_t)j->ended;
    res->n++;
  }
  return NULL;
}

/* A sequence's items (n of them; the BLOB's bytes need not be aligned for uint32_t). */
static uint32_t seq_item(const gkey *k, size_t i) {
  uint32_t v;
  memcpy(&v, (const char *)k->bytes + i * sizeof v, sizeof v);
  return v;
}

/* Writes "a > b > c" for the n item ids at seq (bytes: a BLOB's need not be aligned) to out, or
** only measures it when out is NULL; returns its length. */
static size_t join_path(const gkeys *items, uint32_t nitems, const void *seq, size_t n, char *out) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t id;
    memcpy(&id, (const char *)seq + i * sizeof id, sizeof id);
    const char *s;
    size_t l;
    item_text(items, nitems, id, &s, &l);
    if (i) {
      if (out) memcpy(out + len, " > ", 3);
      len += 3;
    }
    if (out) memcpy(out + len, s, l);
    len += l;
  }
  return len;
}

/* Every sequence's text (two sequences may show one text: names can hold " > "), measured in a
** first pass and written in a second. */
static const char *seq_texts(path_actors_result *res) {
  uint32_t n = gkeys_count(&res->seqs);
  uint64_t len = 0;
  res->at = gmem_alloc(((size_t)n + 1) * sizeof *res->at);
  if (!res->at) return "out of memory";
  for (int pass = 0; pass < 2; pass++) {
    len = 0;
    for (uint32_t q = 0; q < n; q++) {
      gkey k = gkeys_get(&res->seqs, q);
      res->at[q] = len;
      len += join_path(&res->it.items, res->nitems, k.bytes, k.len / sizeof(uint32_t), pass ? res->text + len : NULL);
    }
    res->at[n] = len;
    if (!pass && !(res->text = gmem_alloc((size_t)len + 1))) return "out of memory";
  }
  return NULL;
}

static int path_actors_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                               char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  paths_args a;
  int rc = read_options(fn, args[1], 0, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (a.top || a.min_actors)
    return fail(pzErr,
                sqlite3_mprintf("%s: options top and min_actors belong to paths (one row per journey here)", fn));
  path_actors_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  gkeys_init(&res->seqs, 0);
  gkeys_init(&res->actors, 0);
  gkeys_init(&res->it.items, 0);
  paths_read r;
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = read_source(db, fn, args[0], &a, 1, 0, 0, &r, &cd, pzErr);
  if (rc != SQLITE_OK || r.g.ev.n == 0) goto done;
  gkeys_free(&res->it.items);
  if ((rc = map_items(fn, &r.g.ev, &a, &res->it, pzErr)) != SQLITE_OK) goto done;
  a.po.sessions = r.session_col >= 0;
  res->nitems = a.po.nitems;
  /* rows by actor in SQLite's order of the actor keys: the walk goes in that order */
  uint32_t *order = gmem_alloc(((size_t)r.g.ev.nactors + 1) * sizeof *order);
  res->cache = gmem_alloc(sizeof *res->cache << SEQ_CACHE_BITS);
  const char *why = order && res->cache
                      ? glc_key_order(&r.g.ev.actors, r.g.ev.nactors, UINT32_MAX, order, &cd.base)
                      : "out of memory";
  if (!why) {
    memset(res->cache, 0, sizeof *res->cache << SEQ_CACHE_BITS);
    a.po.actor_order = order;
    why = gpaths_walk(&r.g.ev, &a.po, collect_journeys, res, &cd.base);
  }
  gmem_free(order);
  gmem_free(res->cache);
  res->cache = NULL;
  if (!why) why = seq_texts(res);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  res->actors = r.g.ev.actors;
  gkeys_init(&r.g.ev.actors, 0);
  *nrows = (int64_t)res->n;
done:
  return compute_done(rc, &cd, &r, res, path_actors_destroy, result, nrows);
}

static void path_actors_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const path_actors_result *res = result;
  const journey_row *r = &res->block[row >> ROW_BLOCK_BITS][row & ((1 << ROW_BLOCK_BITS) - 1)];
  char buf[GTIME_TEXT_MAX];
  switch (col) {
    case PJ_ACTOR: {
      gkey key = gkeys_get(&res->actors, r->actor);
      garg_result_key(ctx, &key);
      break;
    }
    case PJ_JOURNEY: sqlite3_result_int64(ctx, r->number); break;
    case PJ_START_TS: sqlite3_result_text(ctx, gtime_format(r->start_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case PJ_END_TS: sqlite3_result_text(ctx, gtime_format(r->end_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case PJ_PATH:
      sqlite3_result_text(ctx, res->text + res->at[r->seq], (int)(res->at[r->seq + 1] - res->at[r->seq]),
                          SQLITE_TRANSIENT);
      break;
    case PJ_LENGTH: sqlite3_result_int(ctx, (int)(gkeys_get(&res->seqs, r->seq).len / sizeof(uint32_t))); break;
    case PJ_DROPPED: sqlite3_result_int(ctx, r->dropped); break;
    case PJ_LAST_EVENT: {
      gkey k = gkeys_get(&res->seqs, r->seq);
      result_item(ctx, &res->it.items, res->nitems, seq_item(&k, k.len / sizeof(uint32_t) - 1));
      break;
    }
    default: sqlite3_result_null(ctx);
  }
}

const gtvf_spec path_actors_spec = {
  .name = "path_actors",
  .schema = PATH_ACTORS_SCHEMA,
  .n_out = PJ_NOUT,
  .n_args = 2,
  .n_required = 1,
  .arg_names = paths_arg_names,
  .innocuous = 0,
  .compute = path_actors_compute,
  .column = path_actors_column,
  .destroy = path_actors_destroy,
  .sources = 1u << 0,
  .options = paths_opt_spec,
};

/* ---------------------------------------------------------------------------------------
** churn_points(source [, as_of [, options]])
*/
enum { CP_LAST_EVENTS, CP_ACTORS, CP_SHARE, CP_MEDIAN_DAYS, CP_NOUT };
#define CHURN_POINTS_SCHEMA \
  "CREATE TABLE x(last_events TEXT, actors INTEGER, share REAL, median_days_since_last REAL," \
  " source HIDDEN, as_of HIDDEN, options HIDDEN)"

typedef struct churn_row {
  char *text; /* gmem */
  uint32_t actors;
  double median_days;
} churn_row;

typedef struct churn_result {
  churn_row *row;
  uint32_t n;
  uint32_t churned;
} churn_result;

static void churn_destroy(void *p) {
  churn_result *res = p;
  if (!res) return;
  for (uint32_t i = 0; i < res->n; i++) gmem_free(res->row[i].text);
  gmem_free(res->row);
  sqlite3_free(res);
}

static int cmp_churn(const void *a, const void *b) {
  const churn_row *x = a, *y = b;
  if (x->actors != y->actors) return x->actors > y->actors ? -1 : 1;
  return strcmp(x->text, y->text);
}

/* "a > b" of a sequence of item ids (gmem; NULL when out of memory). */
static char *seq_text(const gkeys *items, uint32_t nitems, const uint32_t *seq, size_t n) {
  size_t len = join_path(items, nitems, seq, n, NULL);
  char *t = gmem_alloc(len + 1);
  if (!t) return NULL;
  join_path(items, nitems, seq, n, t);
  t[len] = 0;
  return t;
}

static int churn_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  const char *fn = spec->name;
  *result = NULL;
  *nrows = 0;
  paths_args a;
  int rc = read_options(fn, args[2], 1, &a, pzErr);
  if (rc != SQLITE_OK) return rc;
  int64_t as_of = 0;
  int has_as_of = 0;
  if (args[1]) {
    rc = garg_as_of_value(args[1], &a.format, fn, &as_of, pzErr);
    if (rc == SQLITE_OK) has_as_of = 1;
    else if (rc != GARG_NULL) return rc;
  }
  churn_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  paths_read r;
  paths_items it;
  memset(&it, 0, sizeof it);
  gpaths_churn_result cr;
  memset(&cr, 0, sizeof cr);
  gcancel_db cd;
  gcancel_db_init(&cd, db);
  rc = read_source(db, fn, args[0], &a, 0, has_as_of, as_of, &r, &cd, pzErr);
  if (rc != SQLITE_OK || r.g.ev.n == 0) goto done;
  if ((rc = map_items(fn, &r.g.ev, &a, &it, pzErr)) != SQLITE_OK) goto done;
  const char *why = gpaths_churn(&r.g.ev, &a.po, (int)a.depth, r.g.as_of_us, a.churned_us, &cr, &cd.base);
  if (why) {
    rc = ggather_core_failed(fn, why, &cd, pzErr);
    goto done;
  }
  res->row = gmem_alloc(((size_t)cr.n + 1) * sizeof *res->row);
  if (!res->row) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  for (uint32_t i = 0; i < cr.n; i++) {
    gkey k = gkeys_get(&cr.seqs, cr.row[i].seq);
    churn_row *c = &res->row[res->n];
    c->text = seq_text(&it.items, a.po.nitems, k.bytes, k.len / sizeof(uint32_t));
    if (!c->text) {
      rc = SQLITE_NOMEM;
      goto done;
    }
    c->actors = cr.row[i].actors;
    c->median_days = cr.row[i].median_days;
    res->n++;
  }
  qsort(res->row, res->n, sizeof *res->row, cmp_churn);
  res->churned = cr.churned;
  *nrows = res->n;
done:
  gpaths_churn_free(&cr);
  items_free(&it);
  return compute_done(rc, &cd, &r, res, churn_destroy, result, nrows);
}

static void churn_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const churn_result *res = result;
  const churn_row *r = &res->row[row];
  switch (col) {
    case CP_LAST_EVENTS: sqlite3_result_text(ctx, r->text, -1, SQLITE_TRANSIENT); break;
    case CP_ACTORS: sqlite3_result_int64(ctx, r->actors); break;
    case CP_SHARE: sqlite3_result_double(ctx, (double)r->actors / res->churned); break;
    case CP_MEDIAN_DAYS: sqlite3_result_double(ctx, r->median_days); break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const churn_arg_names[] = {"source", "as_of", "options"};

const gtvf_spec churn_points_spec = {
  .name = "churn_points",
  .schema = CHURN_POINTS_SCHEMA,
  .n_out = CP_NOUT,
  .n_args = 3,
  .n_required = 1,
  .arg_names = churn_arg_names,
  .innocuous = 0,
  .compute = churn_compute,
  .column = churn_column,
  .destroy = churn_destroy,
  .sources = 1u << 0,
  .options = churn_opt_spec,
};
