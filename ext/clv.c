/*
** clv.c: customer lifetime value in SQL (BG/NBD and Gamma-Gamma).
**   clv_fit(source [, options])   one row: the fitted parameters of both models
**   clv(source [, options])       one row per customer: the summary and the predictions
** Both table-valued and direct-only (they run their source). Reading is the shared gather
** (gather.h: actor, timestamp, as_of) into an events table; one customer's summary is
** clv_summary.c; likelihoods, fits and predictions are clv_model.c.
**
** Source columns by position: customer, ts [, amount]. Without amounts (no third column, or
** NULL in every row) only BG/NBD runs and the Gamma-Gamma columns are NULL.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "clv_model.h"
#include "clv_summary.h"
#include "gather.h"
#include "mem.h"
#include "registry.h"
#include "rfm_score.h"
#include "source.h"
#include "tvf.h"

enum {
  CLV_FIT_COLUMN_R,
  CLV_FIT_COLUMN_ALPHA,
  CLV_FIT_COLUMN_A,
  CLV_FIT_COLUMN_B,
  CLV_FIT_COLUMN_BGNBD_LL,
  CLV_FIT_COLUMN_P,
  CLV_FIT_COLUMN_Q,
  CLV_FIT_COLUMN_V,
  CLV_FIT_COLUMN_GG_LL,
  CLV_FIT_COLUMN_CUSTOMERS,
  CLV_FIT_COLUMN_REPEATERS,
  CLV_FIT_COLUMN_ITERATIONS,
  CLV_FIT_COLUMN_CONVERGED,
  CLV_FIT_NCOLUMNS
};
#define CLV_FIT_SCHEMA                                                                                  \
  "CREATE TABLE x(r REAL, alpha REAL, a REAL, b REAL, bgnbd_ll REAL, p REAL, q REAL, v REAL,"           \
  " gg_ll REAL, customers INTEGER, repeaters INTEGER, iterations INTEGER, converged INTEGER,"           \
  " source HIDDEN, options HIDDEN)"

enum {
  CLV_COLUMN_CUSTOMER,
  CLV_COLUMN_FREQUENCY,
  CLV_COLUMN_RECENCY,
  CLV_COLUMN_T,
  CLV_COLUMN_MONETARY,
  CLV_COLUMN_P_ALIVE,
  CLV_COLUMN_EXPECTED_PURCHASES,
  CLV_COLUMN_EXPECTED_MONETARY,
  CLV_COLUMN_CLV,
  CLV_NCOLUMNS
};
#define CLV_SCHEMA                                                                                      \
  "CREATE TABLE x(customer, frequency INTEGER, recency REAL, T REAL, monetary REAL, p_alive REAL,"      \
  " expected_purchases REAL, expected_monetary REAL, clv REAL, source HIDDEN, options HIDDEN)"

static const gopt_spec clv_opts[] = {
  {"unit", GOPT_VALUE},    {"as_of", GOPT_VALUE},    {"tz", GOPT_VALUE},        {"ts_unit", GOPT_VALUE},
  {"horizon", GOPT_VALUE}, {"months", GOPT_VALUE},   {"discount", GOPT_VALUE},  {"margin", GOPT_VALUE},
  {"penalizer", GOPT_VALUE}, {"scale", GOPT_VALUE},  {"r", GOPT_VALUE},         {"alpha", GOPT_VALUE},
  {"a", GOPT_VALUE},       {"b", GOPT_VALUE},        {"p", GOPT_VALUE},         {"q", GOPT_VALUE},
  {"v", GOPT_VALUE},       {NULL, 0},
};

/* ------------------------------------------------------------------------------------ options */

typedef struct clv_config {
  double unit_days;       /* 1 (unit=day) or 7 (unit=week): recency, T, horizon and alpha */
  double month_len;       /* lifetimes' month in the unit: 30 days or 4.345 weeks */
  gts_format format;      /* ts_unit and tz */
  int as_of_given;
  int64_t as_of_us;
  double horizon;         /* in the unit */
  int months;
  double discount, margin, penalizer;
  int scale;
  int bg_given, gg_given; /* every parameter of the model given: it is not fitted */
  gclv_bgnbd bg;
  gclv_gg gg;
} clv_config;

static int config_error(char **pzErr, const char *fn, const char *msg) {
  *pzErr = sqlite3_mprintf("%s: %s", fn, msg);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A number option in [lo, hi] (lo excluded when lo_open); absent keeps *out. */
static int opt_number(const gopts *o, const char *fn, const char *name, double lo, int lo_open, double hi,
                      double *out, char **pzErr) {
  const char *text = gopts_value(o, clv_opts, name);
  if (!text) return SQLITE_OK;
  char *end;
  double v = strtod(text, &end);
  if (end == text || *end != 0 || !isfinite(v)) {
    *pzErr = sqlite3_mprintf("%s: option %s='%s' is not a number", fn, name, text);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (lo_open ? !(v > lo) : !(v >= lo)) {
    *pzErr = sqlite3_mprintf("%s: option %s=%s must be %s %g", fn, name, text, lo_open ? ">" : ">=", lo);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (v > hi) {
    *pzErr = sqlite3_mprintf("%s: option %s=%s must be at most %g", fn, name, text, hi);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  *out = v;
  return SQLITE_OK;
}

/* A model's fixed parameters: all of them or none. *given: 1 when all are. */
static int opt_params(const gopts *o, const char *fn, const char *model, const char *const *names, int k,
                      double *values, int *given, char **pzErr) {
  int n = 0;
  for (int j = 0; j < k; j++) n += gopts_value(o, clv_opts, names[j]) != NULL;
  *given = n == k;
  if (n == 0) return SQLITE_OK;
  if (n < k) {
    char list[64] = "";
    for (int j = 0; j < k; j++) {
      strcat(list, j ? ", " : "");
      strcat(list, names[j]);
    }
    *pzErr = sqlite3_mprintf("%s: give all of the %s parameters %s, or none (then they are fitted)", fn, model, list);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for (int j = 0; j < k; j++) {
    int rc = opt_number(o, fn, names[j], 0, 1, HUGE_VAL, &values[j], pzErr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

static int read_config(sqlite3_value *options, const char *fn, clv_config *cfg, char **pzErr) {
  memset(cfg, 0, sizeof *cfg);
  gopts o;
  o.count = 0;
  int rc = options ? garg_options(options, fn, clv_opts, &o, pzErr) : SQLITE_OK;
  if (rc == GARG_NULL) rc = SQLITE_OK;
  gcalendar cal;
  if (rc == SQLITE_OK) rc = garg_calendar_options(&o, clv_opts, fn, &cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(&o, clv_opts, fn, cal.offset_s, &cfg->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  static const char *const units[] = {"day", "week", NULL};
  int week = 0;
  char err[GOPTS_ERR_MAX];
  if (gopts_choice(&o, clv_opts, "unit", units, &week, err, sizeof err) != 0) return config_error(pzErr, fn, err);
  cfg->unit_days = week ? 7 : 1;
  cfg->month_len = week ? GCLV_MONTH_WEEKS : GCLV_MONTH_DAYS;
  cfg->horizon = week ? 52 : 365;
  double months = 12, scale = 2;
  cfg->discount = 0.01;
  cfg->margin = 1;
  if ((rc = opt_number(&o, fn, "horizon", 0, 1, 1e6, &cfg->horizon, pzErr)) != SQLITE_OK ||
      (rc = opt_number(&o, fn, "months", 0, 0, 1200, &months, pzErr)) != SQLITE_OK ||
      (rc = opt_number(&o, fn, "discount", 0, 0, 10, &cfg->discount, pzErr)) != SQLITE_OK ||
      (rc = opt_number(&o, fn, "margin", 0, 0, 1, &cfg->margin, pzErr)) != SQLITE_OK ||
      (rc = opt_number(&o, fn, "penalizer", 0, 0, 1e6, &cfg->penalizer, pzErr)) != SQLITE_OK ||
      (rc = opt_number(&o, fn, "scale", 0, 0, GMONEY_MAX_SCALE, &scale, pzErr)) != SQLITE_OK)
    return rc;
  if (months != floor(months)) return config_error(pzErr, fn, "option months must be a whole number");
  if (scale != floor(scale)) return config_error(pzErr, fn, "option scale must be a whole number");
  cfg->months = (int)months;
  cfg->scale = (int)scale;
  static const char *const bg_names[] = {"r", "alpha", "a", "b"}, *const gg_names[] = {"p", "q", "v"};
  double bg[4], gg[3];
  if ((rc = opt_params(&o, fn, "BG/NBD", bg_names, 4, bg, &cfg->bg_given, pzErr)) != SQLITE_OK ||
      (rc = opt_params(&o, fn, "Gamma-Gamma", gg_names, 3, gg, &cfg->gg_given, pzErr)) != SQLITE_OK)
    return rc;
  if (cfg->bg_given) cfg->bg = (gclv_bgnbd){bg[0], bg[1], bg[2], bg[3]};
  if (cfg->gg_given) cfg->gg = (gclv_gg){gg[0], gg[1], gg[2]};
  const char *as_of = gopts_value(&o, clv_opts, "as_of");
  cfg->as_of_given = as_of != NULL;
  return as_of ? garg_as_of_text(as_of, &cfg->format, fn, &cfg->as_of_us, pzErr) : SQLITE_OK;
}

/* ------------------------------------------------------------------------------------ reading */

/* The source is read once into a running summary per customer (clv_summary.h), nothing kept per
** row. That needs each customer's rows in order of their local day (a table in time order, or
** grouped by customer, as orders usually are). At the first row that comes earlier than its
** customer's latest day, the reading stops and starts again keeping every row, grouped and
** ordered per customer (the gather of the actor-history functions). Both give the same
** summaries. */

/* A row callback's code: stop, the source is read again keeping its rows (SQLite's DONE is
** never a row callback's error). */
#define CLV_READ_AGAIN SQLITE_DONE

typedef struct clv_scan {
  ggather g;
  const clv_config *cfg;
  int has_amount;
  uint64_t amounts, null_amounts;
  /* the running summaries (one pass) */
  int64_t offset_us;
  gclv_running **chunk; /* by customer id: id / CUST_CHUNK, id % CUST_CHUNK */
  size_t nchunks;
  uint32_t ncust;
  uint64_t kept;      /* rows summarised */
  int64_t latest_us;  /* the latest of them */
  uint64_t magnitude; /* the sum of |amount| (minor units): at most INT64_MAX, no customer's sums overflow */
  /* rows waiting to be added (see flush_running) */
  size_t nbatch, nresolved; /* rows waiting; the first nresolved have their customer ids */
  int64_t *bkey;            /* BATCH_ROWS each: the INTEGER customer of a row not resolved yet, */
  int64_t *bcents;          /* the amount, */
  int32_t *bday;            /* the local day */
  uint32_t *bid;            /* and the customer id */
  /* the other customers, looked up with the next few (resolve): among 200k UUIDs each lookup
  ** is a cache miss, which looking a few keys ahead overlaps */
  gkeys_ahead ahead;
} clv_scan;

/* The amount of a row in minor units: 0 when there is none. */
static int read_amount(clv_scan *s, sqlite3_value **cols, int64_t *cents, char **pzErr) {
  *cents = 0;
  if (!s->has_amount) return SQLITE_OK;
  sqlite3_value *v = cols[2];
  if (sqlite3_value_type(v) == SQLITE_FLOAT &&
      gmoney_from_real_half_up_fast(sqlite3_value_double(v), s->cfg->scale, cents)) {
    s->amounts++;
    return SQLITE_OK;
  }
  int rc = garg_money(v, s->g.fn, "amount (source column 3)", s->cfg->scale, GROUND_HALF_UP, cents, pzErr);
  if (rc == GARG_NULL) {
    s->null_amounts++;
    *cents = 0;
    return SQLITE_OK;
  }
  if (rc == SQLITE_OK) s->amounts++;
  return rc;
}

/* Keeping every row (the second reading). */
static int clv_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  clv_scan *s = ctx;
  uint32_t actor;
  int64_t ts;
  int rc = ggather_row(&s->g, cols[0], cols[1], "ts (source column 2)", &actor, &ts, pzErr);
  if (rc != SQLITE_OK) return rc == GGATHER_SKIP ? SQLITE_OK : rc;
  gev_extra extra = {0, 0, 0, 0};
  if ((rc = read_amount(s, cols, &extra.value, pzErr)) != SQLITE_OK) return rc;
  const char *why = gevents_add(&s->g.ev, actor, ts, &extra);
  return why ? ggather_fail(s->g.fn, why, pzErr) : SQLITE_OK;
}

/* Rows wait in a batch before they reach their customers: with 200k customers the ids (keys.h)
** and the running summaries span megabytes, and a row in time order lands on any of them, a
** cache miss each. Looked up and added a batch at a time, the misses overlap instead of
** coming one after the other. Each customer's rows keep their order. */
#define BATCH_ROWS 4096
#define PREFETCH_AHEAD 16

/* The running summaries live in chunks that never move: growing them copies nothing (and
** touches no memory twice). */
#define CUST_CHUNK 16384

static gclv_running *cust_of(const clv_scan *s, uint32_t id) { return &s->chunk[id / CUST_CHUNK][id % CUST_CHUNK]; }

/* A new customer id: its running summary. */
static int new_customer(clv_scan *s, uint32_t id) {
  for (; s->ncust <= id; s->ncust++) {
    if (s->ncust % CUST_CHUNK == 0) {
      gclv_running **grown = gmem_realloc(s->chunk, sizeof *grown * (s->nchunks + 1));
      if (!grown) return SQLITE_NOMEM;
      s->chunk = grown;
      if (!(s->chunk[s->nchunks] = gmem_alloc(sizeof **s->chunk * CUST_CHUNK))) return SQLITE_NOMEM;
      s->nchunks++;
    }
    gclv_running_init(cust_of(s, s->ncust));
  }
  return SQLITE_OK;
}

static int actor_error(clv_scan *s, int added, char **pzErr) {
  if (added == GKEYS_NOMEM) return SQLITE_NOMEM;
  return ggather_fail(s->g.fn, "more than 4294967294 actors, or an actor of 4 GiB", pzErr);
}

/* Looks up the customers of the rows waiting, in source order (ids are numbered as a row-by-row
** reading numbers them): INTEGERs by value, the others from the look-ahead list. */
static int resolve(clv_scan *s, char **pzErr) {
  gkeys *keys = &s->g.ev.actors;
  gkeys_ahead_begin(keys, &s->ahead);
  for (size_t i = s->nresolved; i < s->nbatch; i++) {
    /* an INTEGER's slot in the direct array, a cache miss among 800k customers, fetched ahead
    ** (a row of another key prefetches nothing useful, and nothing harmful) */
    if (i + PREFETCH_AHEAD < s->nbatch) gkeys_prefetch_int(keys, s->bkey[i + PREFETCH_AHEAD]);
    if (s->bid[i] != UINT32_MAX) continue;
    int added = gkeys_ahead_is_next(&s->ahead, i) ? gkeys_ahead_intern_next(keys, &s->ahead, &s->bid[i])
                                                  : gkeys_int(keys, s->bkey[i], &s->bid[i]);
    if (added < 0) return actor_error(s, added, pzErr);
    if (added == GKEYS_ADDED && new_customer(s, s->bid[i]) != SQLITE_OK) return SQLITE_NOMEM;
  }
  s->nresolved = s->nbatch;
  gkeys_ahead_clear(&s->ahead);
  return SQLITE_OK;
}

/* Sets the customer of batch row i (not stored yet) aside for resolve, or looks it up now (a
** key too long for the look-ahead's buffer): *id is then set. */
static int defer_key(clv_scan *s, const gkey *k, size_t i, uint32_t *id, char **pzErr) {
  int rc;
  if (gkeys_ahead_takes(k)) {
    if (!gkeys_ahead_push(&s->ahead, k, i)) {
      if ((rc = resolve(s, pzErr)) != SQLITE_OK) return rc;
      gkeys_ahead_push(&s->ahead, k, i); /* fits an empty queue */
    }
    return SQLITE_OK;
  }
  if ((rc = resolve(s, pzErr)) != SQLITE_OK) return rc; /* ids in source order: the rows before first */
  int added = gkeys_intern(&s->g.ev.actors, k, id);
  if (added < 0) return actor_error(s, added, pzErr);
  if (added == GKEYS_ADDED && new_customer(s, *id) != SQLITE_OK) return SQLITE_NOMEM;
  return SQLITE_OK;
}

/* Adds the waiting rows to their customers' running summaries. */
static int flush_running(clv_scan *s, char **pzErr) {
  int rc = resolve(s, pzErr);
  if (rc != SQLITE_OK) return rc;
  size_t n = s->nbatch;
  s->nbatch = s->nresolved = 0;
  for (size_t i = 0; i < n; i++) {
    if (i + PREFETCH_AHEAD < n) __builtin_prefetch(cust_of(s, s->bid[i + PREFETCH_AHEAD]), 1);
    if (gclv_running_add(cust_of(s, s->bid[i]), s->bday[i], s->bcents[i]) != GCLV_RUNNING_OK) return CLV_READ_AGAIN;
  }
  return SQLITE_OK;
}

/* Into the running summaries (the first reading): the checks of ggather_row and clv_row in the
** same order, with the customer looked up later with its batch. */
static int running_row_checked(clv_scan *s, sqlite3_value **cols, char **pzErr) {
  ggather *g = &s->g;
  g->rows++;
  int64_t ts, cents;
  int rc = garg_ts_memo(cols[1], &g->format, &g->census, &g->iso, g->fn, "ts (source column 2)", &ts, pzErr);
  if (rc != SQLITE_OK) return rc == GARG_NULL ? SQLITE_OK : rc;
  if (ts < g->earliest_us) g->earliest_us = ts;
  if (g->as_of_given && ts >= g->as_of_us) {
    g->too_late++;
    return SQLITE_OK;
  }
  uint32_t id = UINT32_MAX;
  int64_t key = 0;
  gkey k;
  int integer = sqlite3_value_type(cols[0]) == SQLITE_INTEGER;
  if (integer) {
    key = sqlite3_value_int64(cols[0]);
  } else {
    int got = garg_key(cols[0], &k);
    if (got < 0) return SQLITE_NOMEM;
    if (got == 0) return SQLITE_OK; /* a NULL customer: skipped */
    gkey_fold_whole_real(&k);
    integer = k.type == GKEY_INT;
    key = k.i;
  }
  if ((rc = read_amount(s, cols, &cents, pzErr)) != SQLITE_OK) return rc;
  uint64_t size = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
  if (size > (uint64_t)INT64_MAX - s->magnitude) return CLV_READ_AGAIN;
  s->magnitude += size;
  int64_t day = gclv_local_day(ts, s->offset_us);
  if (day <= INT32_MIN || day >= INT32_MAX) return CLV_READ_AGAIN;
  if (!s->bid) {
    s->bkey = gmem_alloc((sizeof *s->bkey + sizeof *s->bcents + sizeof *s->bday + sizeof *s->bid) * BATCH_ROWS +
                         GKEYS_AHEAD_MEM);
    if (!s->bkey) return SQLITE_NOMEM;
    s->bcents = s->bkey + BATCH_ROWS;
    gkeys_ahead_init(&s->ahead, s->bcents + BATCH_ROWS);
    s->bday = (int32_t *)((char *)(s->bcents + BATCH_ROWS) + GKEYS_AHEAD_MEM);
    s->bid = (uint32_t *)(s->bday + BATCH_ROWS);
  }
  if (!integer && (rc = defer_key(s, &k, s->nbatch, &id, pzErr)) != SQLITE_OK) return rc;
  size_t i = s->nbatch++;
  s->bkey[i] = key;
  s->bcents[i] = cents;
  s->bday[i] = (int32_t)day;
  s->bid[i] = id;
  if (id != UINT32_MAX && s->nresolved == i) s->nresolved = i + 1;
  if (s->kept++ == 0 || ts > s->latest_us) s->latest_us = ts;
  return s->nbatch == BATCH_ROWS ? flush_running(s, pzErr) : SQLITE_OK;
}

/* A row that fails comes after the rows waiting: they are added first (their lookups may fail
** first, as reading row by row would have). */
static int running_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  clv_scan *s = ctx;
  int rc = running_row_checked(s, cols, pzErr);
  if (rc != SQLITE_OK && rc != CLV_READ_AGAIN && s->nbatch) {
    char *earlier = NULL;
    int flush_rc = flush_running(s, &earlier);
    if (flush_rc != SQLITE_OK) {
      sqlite3_free(*pzErr);
      *pzErr = earlier;
      return flush_rc;
    }
  }
  return rc;
}

/* One customer's summary, 24 bytes: recency, T and monetary in the unit are computed from it
** where they are needed (row_recency, row_T, row_monetary: always the same expressions). */
typedef struct clv_customer {
  uint32_t actor;
  int32_t frequency;           /* repeat purchase days */
  int32_t first_day, last_day; /* local day numbers of the first and last purchase days */
  int64_t repeat_cents;        /* net amount of the repeat purchase days, minor units */
} clv_customer;

typedef struct clv_result {
  clv_customer *rows;
  size_t n;
  gclv_prediction *pred;    /* clv: per row */
  gkeys actors;             /* the customer keys */
  int has_amount;
  double unit_days, money_unit, margin;
  int64_t last_day; /* the last observed day */
  /* clv_fit */
  gclv_bgnbd bg;
  gclv_gg gg;
  double bg_ll, gg_ll;
  size_t repeaters;
  int iterations, fitted;
} clv_result;

static void clv_result_free(void *p) {
  clv_result *res = p;
  if (!res) return;
  gmem_free(res->rows);
  gmem_free(res->pred);
  gkeys_free(&res->actors);
  sqlite3_free(res);
}

static void scan_init(clv_scan *s, const char *fn, const clv_config *cfg, int has_amount) {
  memset(s, 0, sizeof *s);
  s->cfg = cfg;
  s->has_amount = has_amount;
  s->offset_us = (int64_t)cfg->format.offset_s * GTIME_US_PER_SEC;
  ggather_init(&s->g, fn, GEV_VALUE, 0, &cfg->format, cfg->as_of_given, cfg->as_of_us);
}

static void scan_free(clv_scan *s) {
  ggather_free(&s->g);
  for (size_t c = 0; c < s->nchunks; c++) gmem_free(s->chunk[c]);
  gmem_free(s->chunk);
  gmem_free(s->bkey);
  s->chunk = NULL;
  s->nchunks = 0;
  s->bkey = NULL;
}

/* After either reading: the checks on what was read. */
static int scan_finish(clv_scan *s, uint64_t kept, int64_t latest_us, char **pzErr) {
  const char *fn = s->g.fn;
  int rc = ggather_finish_rows(&s->g, kept, latest_us, pzErr);
  if (rc == SQLITE_OK && s->amounts > 0 && s->null_amounts > 0) {
    *pzErr = sqlite3_mprintf(
      "%s: amount (source column 3) is NULL in %llu row%s and given in %llu: give every "
      "row an amount, or none (then only BG/NBD runs)",
      fn, (unsigned long long)s->null_amounts, s->null_amounts == 1 ? "" : "s", (unsigned long long)s->amounts);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && kept == 0)
    rc = config_error(pzErr, fn, "no customers: the source has no rows with a customer and a ts before as_of");
  return rc;
}

/* The result rows from every customer's history (in customer id order: first appearance). */
typedef struct history_source {
  clv_scan *s;
  int running;
} history_source;

static const char *history_of(const history_source *hs, uint32_t a, gclv_history *h) {
  if (hs->running) return gclv_running_finish(cust_of(hs->s, a), h);
  const gevents *ev = &hs->s->g.ev;
  uint32_t at = ev->start[a], len = ev->start[a + 1] - at;
  return gclv_history_of(ev->ts + at, hs->s->amounts > 0 ? ev->value + at : NULL, len, hs->s->cfg->format.offset_s, h);
}

/* Polls cancel: at a million customers this loop alone is tens of ms after the last row. */
static int make_rows(const char *fn, const history_source *hs, uint32_t ncust, gcancel *cancel, clv_result *res,
                     char **pzErr) {
  const clv_config *cfg = hs->s->cfg;
  res->has_amount = hs->s->amounts > 0;
  res->rows = gmem_alloc(sizeof *res->rows * (ncust ? ncust : 1));
  if (!res->rows) return SQLITE_NOMEM;
  res->last_day = gts_last_observed_day(cfg->format.offset_s, hs->s->g.as_of_us);
  res->unit_days = cfg->unit_days;
  res->money_unit = (double)gmoney_pow10(cfg->scale);
  res->margin = cfg->margin;
  const char *why = NULL;
  for (uint32_t a = 0; a < ncust && !why; a++) {
    gclv_history h;
    if (gcancel_work(cancel, 16)) {
      why = gcancel_reason;
      break;
    }
    why = history_of(hs, a, &h);
    if (why || h.frequency < 0) continue; /* refunds only: no purchase, no customer */
    /* days fit in 32 bits (int64 microseconds span 2^27 days), and so do purchase days */
    res->rows[res->n++] = (clv_customer){a, (int32_t)h.frequency, (int32_t)h.first_day, (int32_t)h.last_day,
                                         h.repeat_cents};
  }
  if (why) return ggather_fail(fn, why, pzErr);
  if (res->n == 0) return config_error(pzErr, fn, "no customers: every customer's rows are refunds (negative amounts)");
  return SQLITE_OK;
}

/* The second reading: every row kept, grouped and ordered per customer. */
static int read_rows(gsource *src, const char *fn, const clv_config *cfg, gcancel *cancel, clv_result *res,
                     char **pzErr) {
  clv_scan scan;
  scan_init(&scan, fn, cfg, src->ncol == 3);
  static const int cols[3] = {0, 1, 2};
  int rc = gsource_scan(src, fn, cols, src->ncol, clv_row, &scan, pzErr);
  if (rc == SQLITE_OK) rc = scan_finish(&scan, scan.g.ev.n, scan.g.ev.max_ts, pzErr);
  const char *why = rc == SQLITE_OK ? gevents_group(&scan.g.ev, NULL, cancel) : NULL;
  if (why) rc = ggather_fail(fn, why, pzErr);
  history_source hs = {&scan, 0};
  if (rc == SQLITE_OK) rc = make_rows(fn, &hs, scan.g.ev.nactors, cancel, res, pzErr);
  if (rc == SQLITE_OK) {
    res->actors = scan.g.ev.actors; /* the customer keys, kept for output */
    gkeys_init(&scan.g.ev.actors, 0);
  }
  scan_free(&scan);
  return rc;
}

/* Reads the source into per-customer summaries (res->rows, in first-appearance order). */
static int read_customers(sqlite3 *db, const char *fn, sqlite3_value *source, const clv_config *cfg,
                          gcancel *cancel, clv_result *res, char **pzErr) {
  gsource src;
  int rc = gsource_open_arg(&src, db, fn, "source", source, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src.ncol < 2 || src.ncol > 3) {
    *pzErr = sqlite3_mprintf("%s: source has %d column%s, expected customer, ts [, amount]", fn, src.ncol,
                             src.ncol == 1 ? "" : "s");
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  clv_scan scan;
  scan_init(&scan, fn, cfg, src.ncol == 3);
  static const int cols[3] = {0, 1, 2};
  rc = gsource_scan(&src, fn, cols, src.ncol, running_row, &scan, pzErr);
  if (rc == SQLITE_OK && scan.nbatch) rc = flush_running(&scan, pzErr); /* the last rows read */
  if (rc == CLV_READ_AGAIN) {
    scan_free(&scan);
    rc = read_rows(&src, fn, cfg, cancel, res, pzErr);
    gsource_close(&src);
    return rc;
  }
  gsource_close(&src);
  if (rc == SQLITE_OK) rc = scan_finish(&scan, scan.kept, scan.latest_us, pzErr);
  history_source hs = {&scan, 1};
  if (rc == SQLITE_OK) rc = make_rows(fn, &hs, scan.ncust, cancel, res, pzErr);
  if (rc == SQLITE_OK) {
    res->actors = scan.g.ev.actors; /* the customer keys, kept for output */
    gkeys_init(&scan.g.ev.actors, 0);
  }
  scan_free(&scan);
  return rc;
}

/* ------------------------------------------------------------------------------------ models */

static double row_recency(const clv_result *res, const clv_customer *c) {
  return (double)((int64_t)c->last_day - c->first_day) / res->unit_days;
}

static double row_T(const clv_result *res, const clv_customer *c) {
  return (double)(res->last_day - c->first_day) / res->unit_days;
}

/* The mean repeat-day total in money units; 0 without repeats. */
static double row_monetary(const clv_result *res, const clv_customer *c) {
  return c->frequency > 0 ? (double)c->repeat_cents / res->money_unit / (double)c->frequency : 0;
}

static gclv_obs row_obs(const clv_result *res, const clv_customer *c) {
  return (gclv_obs){(double)c->frequency, row_recency(res, c), row_T(res, c), 1};
}

static int model_error(const char *fn, const char *why, char **pzErr) { return ggather_fail(fn, why, pzErr); }

/* Fits (or takes) both models on the summaries; with_ll: the log-likelihoods at given
** parameters too (clv_fit shows them, clv does not). */
static int fit_models(const char *fn, const clv_config *cfg, int with_ll, gcancel *cancel, clv_result *res,
                      char **pzErr) {
  size_t n = res->n;
  gclv_fit_opts opts = {cfg->penalizer, 0, cancel};
  gclv_fit_info info;
  const char *why;
  gclv_obs *obs = NULL;
  if (!cfg->bg_given || with_ll) { /* given and not shown: nothing to compute */
    if (!(obs = gmem_alloc(sizeof *obs * n))) return SQLITE_NOMEM;
    for (size_t i = 0; i < n; i++) obs[i] = row_obs(res, &res->rows[i]);
  }
  if (cfg->bg_given) {
    /* summed over the rows sorted (and merged), so the same in any source order */
    res->bg = cfg->bg;
    if (with_ll) res->bg_ll = gclv_bgnbd_ll(&res->bg, obs, gclv_compress_obs(obs, n, cancel), NULL, cancel);
    why = cancel && cancel->stopped ? gcancel_reason : NULL;
  } else {
    why = gclv_bgnbd_fit(obs, n, &opts, &res->bg, &info);
    if (!why) {
      res->bg_ll = info.ll;
      res->iterations += info.iterations;
      res->fitted = 1;
    }
  }
  gmem_free(obs);
  if (why) return model_error(fn, why, pzErr);
  if (!res->has_amount) return SQLITE_OK;

  /* Gamma-Gamma on the customers with a repeat purchase and a positive mean spend */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += res->rows[i].frequency > 0 && row_monetary(res, &res->rows[i]) > 0;
  res->repeaters = k;
  if (cfg->gg_given && !with_ll) {
    res->gg = cfg->gg;
    return SQLITE_OK;
  }
  gclv_spend *spend = gmem_alloc(sizeof *spend * (k ? k : 1));
  if (!spend) return SQLITE_NOMEM;
  k = 0;
  for (size_t i = 0; i < n; i++) {
    double m = row_monetary(res, &res->rows[i]);
    if (res->rows[i].frequency > 0 && m > 0) spend[k++] = (gclv_spend){(double)res->rows[i].frequency, m, 1};
  }
  if (cfg->gg_given) {
    res->gg = cfg->gg;
    if (with_ll) res->gg_ll = gclv_gg_ll(&res->gg, spend, gclv_compress_spend(spend, k, cancel), NULL, cancel);
    why = cancel && cancel->stopped ? gcancel_reason : NULL;
  } else {
    why = gclv_gg_fit(spend, k, &opts, &res->gg, &info);
    if (!why) {
      res->gg_ll = info.ll;
      res->iterations += info.iterations;
      res->fitted = 1;
    }
  }
  gmem_free(spend);
  return why ? model_error(fn, why, pzErr) : SQLITE_OK;
}

/* ------------------------------------------------------------------------------------ clv_fit */

static int clv_fit_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                           char **pzErr) {
  const char *fn = spec->name;
  clv_config cfg;
  int rc = read_config(args[1], fn, &cfg, pzErr);
  if (rc != SQLITE_OK) return rc;
  clv_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  gcancel_db cancel;
  gcancel_db_init(&cancel, db);
  rc = read_customers(db, fn, args[0], &cfg, &cancel.base, res, pzErr);
  if (rc == SQLITE_OK) rc = fit_models(fn, &cfg, 1, &cancel.base, res, pzErr);
  int stop = gcancel_db_finish(&cancel);
  if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;
  if (rc != SQLITE_OK) {
    clv_result_free(res);
    return rc;
  }
  *result = res;
  *nrows = 1;
  return SQLITE_OK;
}

static void clv_fit_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  (void)row;
  const clv_result *res = result;
  int gg = res->has_amount;
  switch (col) {
    case CLV_FIT_COLUMN_R: sqlite3_result_double(ctx, res->bg.r); break;
    case CLV_FIT_COLUMN_ALPHA: sqlite3_result_double(ctx, res->bg.alpha); break;
    case CLV_FIT_COLUMN_A: sqlite3_result_double(ctx, res->bg.a); break;
    case CLV_FIT_COLUMN_B: sqlite3_result_double(ctx, res->bg.b); break;
    case CLV_FIT_COLUMN_BGNBD_LL: sqlite3_result_double(ctx, res->bg_ll); break;
    case CLV_FIT_COLUMN_P: if (gg) sqlite3_result_double(ctx, res->gg.p); break;
    case CLV_FIT_COLUMN_Q: if (gg) sqlite3_result_double(ctx, res->gg.q); break;
    case CLV_FIT_COLUMN_V: if (gg) sqlite3_result_double(ctx, res->gg.v); break;
    case CLV_FIT_COLUMN_GG_LL: if (gg) sqlite3_result_double(ctx, res->gg_ll); break;
    case CLV_FIT_COLUMN_CUSTOMERS: sqlite3_result_int64(ctx, (sqlite3_int64)res->n); break;
    case CLV_FIT_COLUMN_REPEATERS: if (gg) sqlite3_result_int64(ctx, (sqlite3_int64)res->repeaters); break;
    case CLV_FIT_COLUMN_ITERATIONS: sqlite3_result_int(ctx, res->iterations); break;
    case CLV_FIT_COLUMN_CONVERGED: if (res->fitted) sqlite3_result_int(ctx, 1); break;
  }
}

/* ------------------------------------------------------------------------------------ clv */

/* Rows in customer order (SQLite's ordering of the keys), whatever the source order. INTEGER
** customers (the usual case) go through rfm's radix sort of (int64, index) pairs, anything
** else through keys.h's gkeys_sort_ids (a radix sort of the keys' bytes; qsort over gkey_cmp
** fetched both keys of every comparison from all over memory). */
static int sort_customers(clv_result *res, gcancel *cancel) {
  size_t n = res->n;
  int all_int = 1;
  for (size_t i = 0; i < n && all_int; i++) all_int = gkeys_get(&res->actors, res->rows[i].actor).type == GKEY_INT;
  uint32_t *order = gmem_alloc(sizeof *order * (n ? n : 1));
  if (!order) return SQLITE_NOMEM;
  if (all_int) {
    grfm_pair *p = gmem_alloc(sizeof *p * n * 2);
    if (!p) {
      gmem_free(order);
      return SQLITE_NOMEM;
    }
    for (size_t i = 0; i < n; i++) p[i] = (grfm_pair){gkeys_get(&res->actors, res->rows[i].actor).i, i};
    if (grfm_sort_pairs(p, p + n, n, cancel) == GRFM_STOPPED) {
      gmem_free(p);
      gmem_free(order);
      return SQLITE_INTERRUPT;
    }
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)p[i].i;
    gmem_free(p);
  } else {
    /* rows are in actor id order (make_rows): an actor's row is found by its id */
    uint32_t nact = gkeys_count(&res->actors);
    uint32_t *row_of = gmem_alloc(sizeof *row_of * (nact ? nact : 1));
    if (!row_of) {
      gmem_free(order);
      return SQLITE_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
      order[i] = res->rows[i].actor;
      row_of[res->rows[i].actor] = (uint32_t)i;
    }
    int rc = gkeys_sort_ids(&res->actors, order, n, cancel);
    for (size_t i = 0; i < n && rc == 0; i++) order[i] = row_of[order[i]];
    gmem_free(row_of);
    if (rc != 0) {
      gmem_free(order);
      return rc == GKEYS_STOPPED ? SQLITE_INTERRUPT : SQLITE_NOMEM;
    }
  }
  /* the rows themselves in that order: scoring and reading them then go through memory in order */
  clv_customer *sorted = gmem_alloc(sizeof *sorted * (n ? n : 1));
  if (sorted)
    for (size_t i = 0; i < n; i++) sorted[i] = res->rows[order[i]];
  gmem_free(order);
  if (!sorted) return SQLITE_NOMEM;
  gmem_free(res->rows);
  res->rows = sorted;
  return SQLITE_OK;
}

/* P(alive), expected purchases and the discounted stream of every customer (the spend and CLV
** follow from them and the Gamma-Gamma parameters where they are read). */
static int score_customers(const char *fn, const clv_config *cfg, gcancel *cancel, clv_result *res, char **pzErr) {
  size_t n = res->n;
  if (res->has_amount && !isfinite(gclv_gg_expected_spend(&res->gg, 0, 0))) {
    *pzErr = sqlite3_mprintf(
      "%s: the Gamma-Gamma parameters have q = %g <= 1: the spend model then has no finite "
      "mean, so there is no expected spend; give p, q, v, or fit with a smaller penalizer",
      fn, res->gg.q);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (!(res->pred = gmem_alloc(sizeof *res->pred * (n ? n : 1)))) return SQLITE_NOMEM;
  gclv_predictor pr;
  const char *why = n < UINT32_MAX
                    ? gclv_predictor_init(&pr, &res->bg, n, cfg->horizon, cfg->months, cfg->month_len, cfg->discount)
                    : "out of memory";
  for (size_t i = 0; !why && i < n; i++) {
    gclv_obs o = row_obs(res, &res->rows[i]);
    why = gclv_predictor_one(&pr, o.x, o.t_x, o.T, cancel, &res->pred[i]);
  }
  if (n < UINT32_MAX) gclv_predictor_free(&pr);
  return why ? model_error(fn, why, pzErr) : SQLITE_OK;
}

static int clv_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                       char **pzErr) {
  const char *fn = spec->name;
  clv_config cfg;
  int rc = read_config(args[1], fn, &cfg, pzErr);
  if (rc != SQLITE_OK) return rc;
  clv_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  gcancel_db cancel;
  gcancel_db_init(&cancel, db);
  rc = read_customers(db, fn, args[0], &cfg, &cancel.base, res, pzErr);
  if (rc == SQLITE_OK) rc = fit_models(fn, &cfg, 0, &cancel.base, res, pzErr);
  if (rc == SQLITE_OK) rc = sort_customers(res, &cancel.base);
  if (rc == SQLITE_OK) rc = score_customers(fn, &cfg, &cancel.base, res, pzErr);
  int stop = gcancel_db_finish(&cancel);
  if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;
  if (rc != SQLITE_OK) {
    clv_result_free(res);
    return rc;
  }
  *result = res;
  *nrows = (int64_t)res->n;
  return SQLITE_OK;
}

/* Gamma-Gamma's expected spend per purchase. */
static double expected_monetary(const clv_result *res, const clv_customer *c) {
  return gclv_gg_expected_spend(&res->gg, (double)c->frequency, row_monetary(res, c));
}

static void clv_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const clv_result *res = result;
  const clv_customer *c = &res->rows[row];
  const gclv_prediction *pred = &res->pred[row];
  switch (col) {
    case CLV_COLUMN_CUSTOMER: {
      gkey key = gkeys_get(&res->actors, c->actor);
      garg_result_key(ctx, &key);
      break;
    }
    case CLV_COLUMN_FREQUENCY: sqlite3_result_int64(ctx, c->frequency); break;
    case CLV_COLUMN_RECENCY: sqlite3_result_double(ctx, row_recency(res, c)); break;
    case CLV_COLUMN_T: sqlite3_result_double(ctx, row_T(res, c)); break;
    case CLV_COLUMN_MONETARY:
      if (res->has_amount) sqlite3_result_double(ctx, row_monetary(res, c));
      break;
    case CLV_COLUMN_P_ALIVE: sqlite3_result_double(ctx, pred->p_alive); break;
    case CLV_COLUMN_EXPECTED_PURCHASES: sqlite3_result_double(ctx, pred->expected); break;
    case CLV_COLUMN_EXPECTED_MONETARY:
      if (res->has_amount) sqlite3_result_double(ctx, expected_monetary(res, c));
      break;
    case CLV_COLUMN_CLV:
      if (res->has_amount) sqlite3_result_double(ctx, res->margin * expected_monetary(res, c) * pred->discounted);
      break;
  }
}

static const char *const clv_args[] = {"source", "options"};

const gtvf_spec clv_fit_spec = {
  .name = "clv_fit",
  .schema = CLV_FIT_SCHEMA,
  .n_out = CLV_FIT_NCOLUMNS,
  .n_args = 2,
  .n_required = 1,
  .arg_names = clv_args,
  .innocuous = 0,
  .compute = clv_fit_compute,
  .column = clv_fit_column,
  .destroy = clv_result_free,
  .sources = 1u << 0,
  .options = clv_opts,
};

const gtvf_spec clv_spec = {
  .name = "clv",
  .schema = CLV_SCHEMA,
  .n_out = CLV_NCOLUMNS,
  .n_args = 2,
  .n_required = 1,
  .arg_names = clv_args,
  .innocuous = 0,
  .compute = clv_compute,
  .column = clv_column,
  .destroy = clv_result_free,
  .sources = 1u << 0,
  .options = clv_opts,
};
