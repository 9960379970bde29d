/*
** rfm.c: the SQL side of RFM grading.
**   rfm(source [, as_of [, options]])   table-valued, direct-only: one row per customer
**   rfm_segments                        eponymous table of the segment maps (scheme, code, segment)
**   rfm_segment(r, f, m [, scheme])     scalar: the segment name of given scores
** Source rows stream through gsource_scan, in batches of constant size (5 MB), into a table of
** customers (keys.h; about 60 bytes per customer while reading, 150 at the peak with the result
** rows; nothing per row unless order ids or frequency=days need a distinct set: README "Memory");
** scoring and the maps are the pure core in rfm_score.c.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "mem.h"
#include "intset.h"
#include "money.h"
#include "registry.h"
#include "rfm_score.h"
#include "source.h"
#include "tvf.h"

#define RFM_NAME "rfm"

/* ------------------------------------------------------------------ sets of order ids and days */

/* Customers and order ids are keys (keys.h) with whole REALs folded into the INTEGER (as
** SQLite's GROUP BY has them): customer 42.0 is customer 42, and -0.0 is 0. */

/* Distinct (customer, order id) and (customer, day) pairs, in sets of intset.h: `a` packs the
** customer id (from 1, so never 0) with the value's type or the value itself, `b` is the value:
** a day, an INTEGER order id or a REAL one's bits. */
static int set_add(gintset *s, uint64_t a, uint64_t b, int *added) {
  return gintset_add(s, a, b, added) ? SQLITE_NOMEM : SQLITE_OK;
}

/* Reads a SQL value as a key: 1 with *k, 0 for NULL, -1 out of memory. */
static int key_from_value(sqlite3_value *v, gkey *k) {
  int rc = garg_key(v, k);
  if (rc > 0) gkey_fold_whole_real(k);
  return rc;
}

/* ------------------------------------------------------------------ options */

static const gopt_spec rfm_opts[] = {
  {"bins", GOPT_VALUE},         {"frequency", GOPT_VALUE}, {"monetary", GOPT_VALUE},
  {"r_cuts", GOPT_VALUE},       {"f_cuts", GOPT_VALUE},    {"m_cuts", GOPT_VALUE},
  {"cn_threshold", GOPT_VALUE}, {"tz", GOPT_VALUE},        {"scale", GOPT_VALUE},
  {"ts_unit", GOPT_VALUE},      {NULL, GOPT_FLAG},
};

typedef struct rfm_config {
  int bins;
  int freq_days;       /* frequency=days */
  int monetary_avg;    /* monetary=avg */
  int cn_median;       /* cn_threshold=median */
  int scale;
  gcalendar cal;       /* only the offset is used: day boundaries */
  gts_format format;   /* ts_unit and tz: how the source's ts and as_of are read */
  int ncuts[3];        /* R, F, M; 0 = quantiles */
  int64_t cuts[3][GRFM_MAX_CUTS];
  int has_as_of;
  int64_t as_of_us; /* given, or (after the scan) the default: timestamp.h's one rule */
} rfm_config;

static int opt_error(char **pzErr, const char *err) {
  *pzErr = sqlite3_mprintf("%s: %s", RFM_NAME, err);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int read_config(sqlite3_value *as_of, sqlite3_value *options, rfm_config *cfg, char **pzErr) {
  gopts o;
  char err[GOPTS_ERR_MAX];
  memset(cfg, 0, sizeof *cfg);
  if (options) {
    int rc = garg_options(options, RFM_NAME, rfm_opts, &o, pzErr);
    if (rc != SQLITE_OK) return rc;
  } else {
    o.count = 0;
  }
  int64_t v = 2;
  if (gopts_int(&o, rfm_opts, "scale", 0, GMONEY_MAX_SCALE, &v, err, sizeof err)) return opt_error(pzErr, err);
  cfg->scale = (int)v;
  static const char *const freq[] = {"orders", "days", NULL};
  static const char *const mon[] = {"sum", "avg", NULL};
  static const char *const centre[] = {"mean", "median", NULL};
  if (gopts_choice(&o, rfm_opts, "frequency", freq, &cfg->freq_days, err, sizeof err) ||
      gopts_choice(&o, rfm_opts, "monetary", mon, &cfg->monetary_avg, err, sizeof err) ||
      gopts_choice(&o, rfm_opts, "cn_threshold", centre, &cfg->cn_median, err, sizeof err))
    return opt_error(pzErr, err);
  int rc = garg_calendar_options(&o, rfm_opts, RFM_NAME, &cfg->cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(&o, rfm_opts, RFM_NAME, cfg->cal.offset_s, &cfg->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  /* Cut points fix the number of scores: 3 cuts make 4 bins. Every dimension shares one scale. */
  static const char *const cut_names[3] = {"r_cuts", "f_cuts", "m_cuts"};
  int cut_bins = 0;
  const char *cut_from = NULL;
  for (int d = 0; d < 3; d++) {
    const char *text = gopts_value(&o, rfm_opts, cut_names[d]);
    if (!text) continue;
    const char *why = grfm_parse_cuts(text, d == 2 ? cfg->scale : 0, cfg->cuts[d], &cfg->ncuts[d]);
    if (why) {
      *pzErr = sqlite3_mprintf("%s: option %s='%s': %s (expected ascending %s separated by ';', e.g. %s)", RFM_NAME,
                               cut_names[d], text, why, d == 0 ? "days" : d == 1 ? "whole numbers" : "amounts",
                               d == 0 ? "30;90;180;365" : d == 1 ? "2;3;5;10" : "100;300;1000;5000");
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    if (cut_bins && cut_bins != cfg->ncuts[d] + 1) {
      *pzErr = sqlite3_mprintf("%s: option %s has %d cut points but %s has %d; every dimension needs the same "
                               "number of scores", RFM_NAME, cut_names[d], cfg->ncuts[d], cut_from, cut_bins - 1);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    cut_bins = cfg->ncuts[d] + 1;
    cut_from = cut_names[d];
  }
  v = cut_bins ? cut_bins : 5;
  if (gopts_int(&o, rfm_opts, "bins", GRFM_MIN_BINS, GRFM_MAX_BINS, &v, err, sizeof err)) return opt_error(pzErr, err);
  if (cut_bins && v != cut_bins) {
    *pzErr = sqlite3_mprintf("%s: option bins=%d does not match %s, which has %d cut points (%d bins)", RFM_NAME,
                             (int)v, cut_from, cut_bins - 1, cut_bins);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (cut_bins && cut_bins < GRFM_MIN_BINS) return opt_error(pzErr, "cut points: give at least one");
  cfg->bins = (int)v;
  /* as_of last: a bare date is midnight in tz, a number is in ts_unit */
  if (as_of) {
    rc = garg_as_of_value(as_of, &cfg->format, RFM_NAME, &cfg->as_of_us, pzErr);
    if (rc == SQLITE_OK) cfg->has_as_of = 1;
    else if (rc != GARG_NULL) return rc;
  }
  return SQLITE_OK;
}

/* ------------------------------------------------------------------ gathering rows */

/* A customer's running totals, 32 bytes so that each sits in one half of a cache line. Indexed
** like the customers set's entries. */
typedef struct customer {
  int64_t first_us, last_us; /* purchase rows only (amount >= 0 or NULL) */
  int64_t money;             /* net, minor units */
  uint32_t orders;           /* 0 until the first purchase row: refunds alone are no order */
  uint32_t days;
} customer;

/* A source row read but not yet added to its customer's totals. With 200k customers the totals
** span megabytes, and adding each row as SQLite delivers it costs a cache miss per row, one at a
** time. Rows wait in a batch instead; the batch is grouped by blocks of customer ids (a counting
** sort) and added block by block, so the totals being updated stay in the cache and the misses
** overlap. Constant memory: nothing is held per source row. */
typedef struct pending {
  int64_t us, cents;
  int64_t row;          /* the source row, for errors */
  uint32_t id;          /* the customer, or UNRESOLVED */
  uint8_t orders, days; /* what the row adds to the counts (a new order id or day) */
} pending;

#define BATCH_ROWS 65536
#define UNRESOLVED UINT32_MAX /* pending.id of a row whose INTEGER customer is looked up later */
#define BLOCK_MIN_SHIFT 12    /* blocks of at least 4096 customers: 128 KB of totals */
#define MAX_BLOCKS 256
/* Customers' totals live on shelves that never move: shelf 0 holds ids 0..4095, shelf s >= 1
** ids 2^(11+s)..2^(12+s)-1. Growing one array by realloc copied it each time into fresh memory
** (the copies and their page faults were 6% of a query of 200k customers); shelves of 4 MB
** and more ask for huge pages (mem.c). */
#define SHELF0_SHIFT 12
#define SHELVES (32 - SHELF0_SHIFT + 1)

typedef struct rfm_gather {
  const rfm_config *cfg;
  int has_order_id;
  gkeys customers;           /* small integer ids (the usual case) are found without hashing */
  customer *shelf[SHELVES];  /* the totals of each customer id (totals()) */
  pending *batch, *sorted;   /* BATCH_ROWS each, allocated on the first row */
  int64_t *ikeys;            /* BATCH_ROWS: the INTEGER customer of a row not yet resolved */
  gkeys_ahead ahead;         /* the other customers, looked up with the next few (resolve): a
                             ** UUID's lookup among 200k is three cache misses one after another */
  size_t nbatch, nresolved;  /* rows waiting; the first nresolved have their ids */
  gintset small_orders;      /* (customer, INTEGER order id in 0..2^32-1), packed in one word */
  gintset orders;            /* (customer, other INTEGER or REAL order id), two words */
  gkeys text_orders;         /* TEXT or BLOB order ids, scoped by customer id + 1 */
  gintset days;              /* (customer, day), packed in one word; frequency=days */
  gintset wide_days;         /* the same in two words when the customer id does not fit in 31 bits */
  int64_t max_us;            /* latest row seen (the default as_of follows it) */
  int any;
  int64_t earliest_us; /* earliest ts read, also of rows at or after as_of */
  int64_t too_late;    /* rows at or after a given as_of */
  gts_census census;   /* YYYYMMDD integers read as seconds */
  gts_iso_memo iso;    /* the last ISO month read */
  int64_t row;
  int64_t scale_pow;
  double fast_limit;         /* below it a REAL amount has at most 13 digits at the scale */
} rfm_gather;

/* Money from a source value. The REAL fast path gives what gmoney_from_real gives (round
** half-up of the shortest decimal text S of d, times 10^scale) without printing S: below
** fast_limit, |S*p - d*p| and the rounding of the product are each under 0.01 units, so when
** the computed d*p lies within 0.4 of an integer r, S*p is within 0.5 of r and rounds to r.
** Only amounts near a half unit (0.125 at scale 2) take the slow, exact path. */
static int read_amount(rfm_gather *g, sqlite3_value *v, int64_t *cents, char **pzErr) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    if (fabs(d) < g->fast_limit) {
      double y = d * (double)g->scale_pow;
      int64_t r = (int64_t)(y >= 0 ? y + 0.5 : y - 0.5);
      if (fabs(y - (double)r) <= 0.4) { *cents = r; return SQLITE_OK; }
    }
  } else if (t == SQLITE_INTEGER) {
    if (!gmoney_mul(sqlite3_value_int64(v), g->scale_pow, cents)) return SQLITE_OK;
  } else if (t == SQLITE_NULL) {
    *cents = 0;
    return SQLITE_OK;
  }
  char name[64];
  snprintf(name, sizeof name, "amount in source row %lld", (long long)g->row);
  return garg_money(v, RFM_NAME, name, g->cfg->scale, GROUND_HALF_UP, cents, pzErr);
}

static int too_many(int64_t row, char **pzErr) {
  *pzErr = sqlite3_mprintf("%s: one customer has too many orders (source row %lld)", RFM_NAME, (long long)row);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static int overflow(int64_t row, char **pzErr) {
  *pzErr = sqlite3_mprintf("%s: the amounts of one customer overflow 64-bit minor units (source row %lld)", RFM_NAME,
                           (long long)row);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The shelf of a customer id, and the id's place on it. */
static unsigned shelf_of(uint32_t id) {
  return id >> SHELF0_SHIFT ? (unsigned)(32 - SHELF0_SHIFT) - (unsigned)__builtin_clz(id) : 0;
}
static uint32_t shelf_base(unsigned s) { return s ? UINT32_C(1) << (s + SHELF0_SHIFT - 1) : 0; }

static customer *totals(const rfm_gather *g, uint32_t id) {
  unsigned s = shelf_of(id);
  return &g->shelf[s][id - shelf_base(s)];
}

/* Makes room for the totals of a new customer (ids come in order: a shelf is full before the next). */
static int new_customer(rfm_gather *g, uint32_t id) {
  unsigned s = shelf_of(id);
  if (!g->shelf[s]) {
    size_t size = s ? (size_t)1 << (s + SHELF0_SHIFT - 1) : (size_t)1 << SHELF0_SHIFT;
    if (!(g->shelf[s] = gmem_alloc(sizeof(customer) * size))) return SQLITE_NOMEM;
  }
  memset(totals(g, id), 0, sizeof(customer));
  return SQLITE_OK;
}

/* Looks up the INTEGER customers of the rows waiting, in source order (so ids are numbered as
** row-by-row reading numbers them). Apart from SQLite's work per row, the lookups overlap. */
static int resolve(rfm_gather *g) {
  gkeys *keys = &g->customers;
  gkeys_ahead_begin(keys, &g->ahead);
  for (size_t i = g->nresolved; i < g->nbatch; i++) {
    if (i + 16 < g->nbatch) gkeys_prefetch_int(keys, g->ikeys[i + 16]);
    pending *p = &g->batch[i];
    if (p->id != UNRESOLVED) continue;
    int added = gkeys_ahead_is_next(&g->ahead, i) ? gkeys_ahead_intern_next(keys, &g->ahead, &p->id)
                                                  : gkeys_int(keys, g->ikeys[i], &p->id);
    if (added < 0) return added == GKEYS_FULL ? SQLITE_TOOBIG : SQLITE_NOMEM;
    if (added) {
      int rc = new_customer(g, p->id);
      if (rc != SQLITE_OK) return rc;
    }
  }
  g->nresolved = g->nbatch;
  gkeys_ahead_clear(&g->ahead);
  return SQLITE_OK;
}

/* Groups the batch by blocks of customer ids into g->sorted, stably (a counting sort): each
** customer's rows keep their source order. Returns the rows in block order. */
static const pending *group_by_block(rfm_gather *g, size_t n) {
  uint32_t ncust = gkeys_count(&g->customers);
  if (ncust <= 1u << BLOCK_MIN_SHIFT) return g->batch; /* the totals fit in the cache as they are */
  unsigned shift = BLOCK_MIN_SHIFT;
  while ((ncust - 1) >> shift >= MAX_BLOCKS) shift++;
  size_t start[MAX_BLOCKS + 1];
  memset(start, 0, sizeof start);
  for (size_t i = 0; i < n; i++) start[(g->batch[i].id >> shift) + 1]++;
  for (int b = 1; b <= MAX_BLOCKS; b++) start[b] += start[b - 1];
  for (size_t i = 0; i < n; i++) g->sorted[start[g->batch[i].id >> shift]++] = g->batch[i];
  return g->sorted;
}

/* Adds the waiting rows to their customers' totals. Rows are added out of source order (each
** customer's own in order), so every error is noted and the one of the earliest source row is
** reported, as adding row by row would have stopped there. */
static int flush(rfm_gather *g, char **pzErr) {
  int rc = resolve(g);
  if (rc != SQLITE_OK) return rc;
  size_t n = g->nbatch;
  g->nbatch = g->nresolved = 0;
  const pending *rows = group_by_block(g, n);
  int64_t bad_row = INT64_MAX;
  int bad_overflow = 0;
  for (size_t i = 0; i < n; i++) {
    if (i + 8 < n) __builtin_prefetch(totals(g, rows[i + 8].id), 1);
    const pending *p = &rows[i];
    customer *c = totals(g, p->id);
    if (gmoney_add(c->money, p->cents, &c->money)) {
      if (p->row < bad_row) {
        bad_row = p->row;
        bad_overflow = 1;
      }
      continue;
    }
    if (p->cents < 0) continue; /* a refund: lowers monetary, is not a purchase */
    int first_purchase = c->orders == 0;
    if (first_purchase || p->us < c->first_us) c->first_us = p->us;
    if (first_purchase || p->us > c->last_us) c->last_us = p->us;
    c->orders += p->orders;
    c->days += p->days;
    if (c->orders == UINT32_MAX && p->row < bad_row) {
      bad_row = p->row;
      bad_overflow = 0;
    }
  }
  if (bad_row == INT64_MAX) return SQLITE_OK;
  return bad_overflow ? overflow(bad_row, pzErr) : too_many(bad_row, pzErr);
}

static int read_row(rfm_gather *g, sqlite3_value **cols, char **pzErr) {
  g->row++;
  gkey k;
  int64_t us;
  int is_key = key_from_value(cols[0], &k);
  if (is_key < 0) return SQLITE_NOMEM;
  if (!is_key) return SQLITE_OK;  /* NULL customer: skipped */
  /* INTEGER and TEXT (the usual cases) without formatting a name; anything else, and every
  ** error, through garg_ts, whose text names the row */
  int ts_type = sqlite3_value_type(cols[1]), integer = ts_type == SQLITE_INTEGER;
  const char *why = "read by garg_ts";
  if (integer) {
    why = gts_from_int(&g->cfg->format, sqlite3_value_int64(cols[1]), &us);
  } else if (ts_type == SQLITE_TEXT) {
    const char *t = (const char *)sqlite3_value_text(cols[1]);
    if (t) why = gts_from_text_memo(&g->cfg->format, &g->iso, t, sqlite3_value_bytes(cols[1]), &us, NULL);
  }
  if (why) {
    char name[64];
    snprintf(name, sizeof name, "ts in source row %lld", (long long)g->row);
    int rc = garg_ts(cols[1], &g->cfg->format, NULL, RFM_NAME, name, &us, pzErr);
    if (rc == GARG_NULL) return SQLITE_OK; /* NULL ts: skipped */
    if (rc != SQLITE_OK) return rc;
  }
  if (integer) gts_census_int(&g->census, &g->cfg->format, sqlite3_value_int64(cols[1]));
  if (us < g->earliest_us) g->earliest_us = us;
  /* as_of is the instant of the analysis: what happens at or after it has not happened yet. */
  if (g->cfg->has_as_of && us >= g->cfg->as_of_us) {
    g->too_late++;
    return SQLITE_OK;
  }
  int64_t cents;
  int rc = read_amount(g, cols[2], &cents, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (!g->any || us > g->max_us) g->max_us = us;
  g->any = 1;

  if (!g->batch) {
    g->batch = gmem_alloc((sizeof *g->batch * 2 + sizeof *g->ikeys) * BATCH_ROWS + GKEYS_AHEAD_MEM);
    if (!g->batch) return SQLITE_NOMEM;
    g->sorted = g->batch + BATCH_ROWS;
    g->ikeys = (int64_t *)(g->sorted + BATCH_ROWS);
    gkeys_ahead_init(&g->ahead, g->ikeys + BATCH_ROWS);
  }
  uint32_t index = UNRESOLVED, seen;
  int added;
  int later = !g->has_order_id && !g->cfg->freq_days; /* else the row's sets need its customer now */
  g->ikeys[g->nbatch] = -1;                           /* no INTEGER to look up: nothing for resolve to prefetch */
  if (later && k.type == GKEY_INT) {
    g->ikeys[g->nbatch] = k.i; /* looked up with the batch (resolve) */
  } else if (later && gkeys_ahead_takes(&k)) {
    /* looked up with the next few (resolve), still in row order */
    if (!gkeys_ahead_push(&g->ahead, &k, g->nbatch)) {
      if ((rc = resolve(g)) != SQLITE_OK) return rc;
      gkeys_ahead_push(&g->ahead, &k, g->nbatch); /* fits an empty queue */
    }
  } else {
    /* ids are numbered in source order: the rows before this one first */
    rc = resolve(g);
    if (rc != SQLITE_OK) return rc;
    added = gkeys_intern(&g->customers, &k, &index);
    if (added < 0) return added == GKEYS_FULL ? SQLITE_TOOBIG : SQLITE_NOMEM;
    if (added && (rc = new_customer(g, index)) != SQLITE_OK) return rc;
    g->nresolved = g->nbatch + 1;
  }
  pending *p = &g->batch[g->nbatch++];
  p->us = us;
  p->cents = cents;
  p->row = g->row;
  p->id = index;
  p->orders = 1;
  p->days = 0;
  /* a purchase: its order id and day may be new (a refund counts neither) */
  if (cents >= 0) {
    int64_t cid = (int64_t)index + 1; /* qualifies the customer's order ids and days */
    gkey o;
    int has_order = g->has_order_id ? key_from_value(cols[3], &o) : 0;
    if (has_order < 0) return SQLITE_NOMEM;
    if (has_order) {
      if (o.type == GKEY_INT && o.i >= 0 && o.i <= INT64_C(0xffffffff) && cid < INT64_C(0x80000000)) {
        rc = set_add(&g->small_orders, (uint64_t)cid << 32 | (uint64_t)o.i, 0, &added);
      } else if (o.type == GKEY_INT || o.type == GKEY_REAL) {
        uint64_t bits;
        if (o.type == GKEY_INT) bits = (uint64_t)o.i;
        else memcpy(&bits, &o.r, sizeof bits);
        rc = set_add(&g->orders, (uint64_t)cid << 8 | (uint64_t)o.type, bits, &added);
      } else {
        added = gkeys_intern_scoped(&g->text_orders, (uint64_t)cid, &o, &seen);
        rc = added >= 0 ? SQLITE_OK : added == GKEYS_FULL ? SQLITE_TOOBIG : SQLITE_NOMEM;
      }
      if (rc != SQLITE_OK) return rc;
      p->orders = (uint8_t)added;
    }
    if (g->cfg->freq_days) {
      int64_t day = gtime_local_day(&g->cfg->cal, us);
      /* days of years 0000..9999 fit in 32 bits once offset to be non-negative */
      if (cid < INT64_C(0x80000000))
        rc = set_add(&g->days, (uint64_t)cid << 32 | (uint32_t)(day + INT64_C(0x80000000)), 0, &added);
      else rc = set_add(&g->wide_days, (uint64_t)cid, (uint64_t)day, &added);
      if (rc != SQLITE_OK) return rc;
      p->days = (uint8_t)added;
    }
  }
  return g->nbatch == BATCH_ROWS ? flush(g, pzErr) : SQLITE_OK;
}

/* A row that fails comes after the rows still waiting: their errors come first. */
static int rfm_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  rfm_gather *g = ctx;
  int rc = read_row(g, cols, pzErr);
  if (rc != SQLITE_OK && g->nbatch) {
    char *earlier = NULL;
    int flush_rc = flush(g, &earlier);
    if (flush_rc != SQLITE_OK) {
      sqlite3_free(*pzErr);
      *pzErr = earlier;
      return flush_rc;
    }
  }
  return rc;
}

/* ------------------------------------------------------------------ the result */

/* One output row, 56 bytes: the customer by its id in the result's key table; what a column
** can compute from the others (average order value, monetary) is computed when read. */
typedef struct rfm_out {
  int64_t first_us, last_us;
  int64_t money;   /* net, minor units */
  int64_t recency; /* days */
  double avg_gap;  /* NAN when fewer than two orders */
  uint32_t id;     /* the customer, in rfm_result.customers */
  uint32_t orders;
  uint32_t frequency; /* orders, or days with frequency=days */
  /* r, f, m: 0 when not scored (NULL); cn: the three bits, R F M = 4 2 1, or CN_UNKNOWN set */
  uint8_t r, f, m, cn;
} rfm_out;

#define CN_UNKNOWN 8  /* a dimension had one value for everyone: no 8-class segment */

typedef struct rfm_result {
  rfm_out *rows;
  int64_t n;
  int bins, scale, monetary_avg;
  gkeys customers; /* the rows' keys */
} rfm_result;

static void rfm_destroy(void *p) {
  rfm_result *res = p;
  if (!res) return;
  gmem_free(res->rows);
  gkeys_free(&res->customers);
  gmem_free(res);
}

/* The average order value, rounded half-up to the scale. */
static int64_t row_aov(const rfm_out *o) {
  int64_t aov;
  gmoney_div_round(o->money, o->orders, GROUND_HALF_UP, &aov);
  return aov;
}

static int64_t row_monetary(const rfm_result *res, const rfm_out *o) {
  return res->monetary_avg ? row_aov(o) : o->money;
}

/* The code for what a scoring call of rfm_score.h returned. */
static int score_rc(int r) { return r == 0 ? SQLITE_OK : r == GRFM_STOPPED ? SQLITE_INTERRUPT : SQLITE_NOMEM; }

/* Scores one dimension: quantiles or cut points, then the cn split. */
static int score_dimension(const rfm_config *cfg, int d, const int64_t *x, size_t n, uint8_t *score, uint8_t *bit,
                           gcancel *cancel) {
  int lower_is_better = d == 0;
  int rc = SQLITE_OK;
  if (cfg->ncuts[d]) grfm_score_cuts(x, n, cfg->cuts[d], cfg->ncuts[d], lower_is_better, score);
  else rc = score_rc(grfm_score_quantile(x, n, cfg->bins, lower_is_better, score, cancel));
  if (rc == SQLITE_OK) rc = score_rc(grfm_split(x, n, cfg->cn_median, lower_is_better, bit, cancel));
  return rc;
}

/* The ids of all customers in their keys' order: the output's order, whatever the source order.
** Small integer ids (the usual case) all sit in the key table's direct array, which is that
** order already; other integers go through the radix sort of the core; anything else through
** keys.h's sort (radix by eight bytes of the key at a time). */
static int order_customers(const gkeys *keys, uint32_t **out, gcancel *cancel) {
  uint32_t n = gkeys_count(keys);
  *out = NULL;
  uint32_t *ids = gmem_alloc(sizeof *ids * n);
  if (!ids) return SQLITE_NOMEM;
  int rc = SQLITE_OK;
  if (!gkeys_any_hashed(keys)) {
    size_t k = 0;
    for (size_t v = 0; v < keys->ndirect && rc == SQLITE_OK; v++) {
      uint32_t d = keys->direct[v];
      if (d) ids[k++] = d - 1;
      if ((v & 4095) == 4095 && gcancel_work(cancel, 4096)) rc = SQLITE_INTERRUPT;
    }
  } else {
    int all_int = 1;
    for (uint32_t i = 0; i < n; i++) {
      ids[i] = i;
      all_int &= gkeys_get(keys, i).type == GKEY_INT;
    }
    if (all_int) {
      grfm_pair *p = gmem_alloc(sizeof *p * n * 2);
      if (!p) {
        gmem_free(ids);
        return SQLITE_NOMEM;
      }
      for (uint32_t i = 0; i < n; i++) {
        p[i].v = gkeys_get(keys, i).i;
        p[i].i = i;
      }
      rc = score_rc(grfm_sort_pairs(p, p + n, n, cancel));
      for (uint32_t i = 0; i < n; i++) ids[i] = (uint32_t)p[i].i;
      gmem_free(p);
    } else {
      int r = gkeys_sort_ids(keys, ids, n, cancel);
      rc = r == 0 ? SQLITE_OK : r == GKEYS_STOPPED ? SQLITE_INTERRUPT : SQLITE_NOMEM;
    }
  }
  if (rc != SQLITE_OK) {
    gmem_free(ids);
    return rc;
  }
  *out = ids;
  return SQLITE_OK;
}

/* gtime_local_day, the division by a constant (a multiplication): it runs twice per customer. */
static int64_t local_day(const rfm_config *cfg, int64_t us) {
  int64_t local = us + (int64_t)cfg->cal.offset_s * GTIME_US_PER_SEC;
  return local / GTIME_US_PER_DAY - (local % GTIME_US_PER_DAY < 0);
}

/* The raw values of the customers who bought (refunds alone are nothing to grade), in the
** order of ids[n]. */
static int fill_rows(const rfm_gather *g, const uint32_t *ids, size_t n, rfm_result *res, gcancel *cancel) {
  const rfm_config *cfg = g->cfg;
  /* recency counts calendar days up to as_of's day (the default as_of is the midnight after the
  ** latest row's day: its buyers have recency 1) */
  int64_t as_of_day = gtime_local_day(&cfg->cal, cfg->as_of_us);
  res->n = 0;
  for (size_t k = 0; k < n; k++) {
    /* ids come in key order, the totals in order of first appearance: a cache miss each, overlapped */
    if (k + 16 < n) __builtin_prefetch(totals(g, ids[k + 16]));
    const customer *c = totals(g, ids[k]);
    if (gcancel_work(cancel, 4)) return SQLITE_INTERRUPT;
    if (c->orders == 0) continue;
    rfm_out *o = &res->rows[res->n++];
    memset(o, 0, sizeof *o);
    o->id = ids[k];
    o->first_us = c->first_us;
    o->last_us = c->last_us;
    o->money = c->money;
    o->orders = c->orders;
    int64_t last_day = local_day(cfg, c->last_us);
    o->recency = as_of_day - last_day;
    o->frequency = cfg->freq_days ? c->days : c->orders;
    if (o->frequency < 2) o->avg_gap = NAN;
    else if (cfg->freq_days) o->avg_gap = (double)(last_day - local_day(cfg, c->first_us)) / (double)(o->frequency - 1);
    else
      o->avg_gap = (double)(c->last_us - c->first_us) / (double)GTIME_US_PER_DAY / (double)(o->frequency - 1);
  }
  return SQLITE_OK;
}

/* Scores R, F and M of every row. */
static int score_rows(const rfm_config *cfg, rfm_result *res, gcancel *cancel) {
  size_t n = (size_t)res->n;
  int64_t *x = gmem_alloc(sizeof *x * n);
  uint8_t *score = gmem_alloc(n), *bit = gmem_alloc(n);
  int rc = SQLITE_NOMEM;
  if (!x || !score || !bit) goto done;
  for (int d = 0; d < 3; d++) {
    int same = 1;
    for (size_t i = 0; i < n; i++) {
      const rfm_out *o = &res->rows[i];
      x[i] = d == 0 ? o->recency : d == 1 ? (int64_t)o->frequency : row_monetary(res, o);
      same &= x[i] == x[0];
    }
    rc = score_dimension(cfg, d, x, n, score, bit, cancel);
    if (rc != SQLITE_OK) goto done;
    /* Every customer has the same value: a relative grade says nothing (quantile scores would
    ** all be 1, the cn split all 1). Those scores are NULL; cut points still grade absolutely. */
    if (same) {
      if (!cfg->ncuts[d]) memset(score, 0, n);
      for (size_t i = 0; i < n; i++) res->rows[i].cn |= CN_UNKNOWN;
    }
    for (size_t i = 0; i < n; i++) {
      if (d == 0) res->rows[i].r = score[i];
      else if (d == 1) res->rows[i].f = score[i];
      else res->rows[i].m = score[i];
      res->rows[i].cn |= (uint8_t)(bit[i] << (2 - d));
    }
  }
  rc = SQLITE_OK;
done:
  gmem_free(x);
  gmem_free(score);
  gmem_free(bit);
  return rc;
}

/* After the scan (timestamp.h): misencoded data refused, a given as_of before every row refused,
** else the default as_of set from the latest row. */
static int apply_as_of_rule(const rfm_gather *g, rfm_config *cfg, char **pzErr) {
  int rc = garg_ts_census(&g->census, RFM_NAME, "source timestamps", pzErr);
  if (rc != SQLITE_OK) return rc;
  if (cfg->has_as_of) {
    if (!g->any && g->too_late > 0)
      return garg_as_of_before_rows(RFM_NAME, cfg->as_of_us, g->earliest_us, cfg->format.offset_s, pzErr);
  } else if (g->any) {
    cfg->as_of_us = gts_default_as_of(cfg->format.offset_s, g->max_us);
  }
  return SQLITE_OK;
}

/* Frees what reading needed per customer (the keys stay: the result takes them). */
static void gather_free_customers(rfm_gather *g) {
  for (unsigned s = 0; s < SHELVES; s++) {
    gmem_free(g->shelf[s]);
    g->shelf[s] = NULL;
  }
}

/* Frees the batch and the distinct (customer, order) and (customer, day) sets: only reading
** needs them. */
static void gather_free_sets(rfm_gather *g) {
  gmem_free(g->batch);
  g->batch = g->sorted = NULL;
  g->ikeys = NULL;
  g->nbatch = g->nresolved = 0;
  gintset_free(&g->small_orders);
  gintset_free(&g->orders);
  gkeys_free(&g->text_orders);
  gintset_free(&g->days);
  gintset_free(&g->wide_days);
}

static int finish(rfm_gather *g, rfm_result *res, gcancel *cancel) {
  const rfm_config *cfg = g->cfg;
  res->bins = cfg->bins;
  res->scale = cfg->scale;
  res->monetary_avg = cfg->monetary_avg;
  uint32_t *ids;
  size_t n = gkeys_count(&g->customers);
  if (n == 0) return SQLITE_OK;
  int rc = order_customers(&g->customers, &ids, cancel);
  if (rc != SQLITE_OK) return rc;
  res->rows = gmem_alloc(sizeof *res->rows * n);
  if (!res->rows) rc = SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = fill_rows(g, ids, n, res, cancel);
  gmem_free(ids);
  /* the rows have everything now: the running totals and the customer lookup go before
  ** scoring needs its memory (the keys stay for the rows to name their customers) */
  gather_free_customers(g);
  gkeys_drop_lookup(&g->customers);
  if (rc == SQLITE_OK && res->n > 0) rc = score_rows(cfg, res, cancel);
  if (rc != SQLITE_OK) res->n = 0;
  return rc;
}

static int rfm_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                       char **pzErr) {
  rfm_config cfg;
  int rc = read_config(args[1], args[2], &cfg, pzErr);
  if (rc != SQLITE_OK) return rc;
  gsource src;
  rc = gsource_open_arg(&src, db, spec->name, "source", args[0], pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src.ncol < 3 || src.ncol > 4) {
    *pzErr = sqlite3_mprintf("%s: source has %d column%s, expected 3 or 4: customer, ts, amount [, order_id]",
                             RFM_NAME, src.ncol, src.ncol == 1 ? "" : "s");
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  rfm_gather g;
  memset(&g, 0, sizeof g);
  gkeys_init(&g.customers, GKEYS_WIDE_DIRECT);
  gkeys_init(&g.text_orders, 0);
  /* customer and order ids are data: every hash table gets a seed per statement (keys.h) */
  garg_seed_keys(&g.customers);
  garg_seed_keys(&g.text_orders);
  gintset_init(&g.small_orders, 1, garg_random_seed());
  gintset_init(&g.orders, 2, garg_random_seed());
  gintset_init(&g.days, 1, garg_random_seed());
  gintset_init(&g.wide_days, 2, garg_random_seed());
  g.cfg = &cfg;
  g.has_order_id = src.ncol == 4;
  g.scale_pow = gmoney_pow10(cfg.scale);
  g.fast_limit = 1e13 / (double)g.scale_pow;
  int cols[4] = {0, 1, 2, 3};
  g.earliest_us = INT64_MAX;
  rc = gsource_scan(&src, spec->name, cols, src.ncol, rfm_row, &g, pzErr);
  gsource_close(&src);
  if (rc == SQLITE_OK && g.nbatch) rc = flush(&g, pzErr); /* the last rows read */
  gather_free_sets(&g);
  if (rc == SQLITE_OK) rc = apply_as_of_rule(&g, &cfg, pzErr);
  rfm_result *res = NULL;
  if (rc == SQLITE_OK) {
    res = gmem_alloc(sizeof *res);
    if (!res) rc = SQLITE_NOMEM;
    else {
      memset(res, 0, sizeof *res);
      /* scoring and sorting run no SQL: the core asks the connection now and then */
      gcancel_db cancel;
      gcancel_db_init(&cancel, db);
      rc = finish(&g, res, &cancel.base);
      int cancel_rc = gcancel_db_finish(&cancel);
      if (rc == SQLITE_INTERRUPT && cancel_rc != SQLITE_OK) rc = cancel_rc;
      /* the rows name their customers by id: the result keeps the keys */
      gather_free_customers(&g);
      res->customers = g.customers;
      gkeys_init(&g.customers, 0);
    }
  }
  gather_free_customers(&g);
  gkeys_free(&g.customers); /* unless the result took them */
  if (rc != SQLITE_OK) {
    rfm_destroy(res);
    return rc;
  }
  *result = res;
  *nrows = res->n;
  return SQLITE_OK;
}

/* The output columns, in the schema's order (rfm_spec below), then the hidden arguments. */
enum {
  RFM_COLUMN_CUSTOMER, RFM_COLUMN_FIRST_TS, RFM_COLUMN_LAST_TS, RFM_COLUMN_RECENCY, RFM_COLUMN_FREQUENCY,
  RFM_COLUMN_MONETARY, RFM_COLUMN_AOV, RFM_COLUMN_R, RFM_COLUMN_F, RFM_COLUMN_M, RFM_COLUMN_RFM, RFM_COLUMN_SEGMENT,
  RFM_COLUMN_SEGMENT_CN, RFM_COLUMN_AVG_GAP, RFM_COLUMN_OVERDUE,
  RFM_N_OUT,
};

static void rfm_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  rfm_result *res = result;
  const rfm_out *o = &res->rows[row];
  char buf[GTIME_TEXT_MAX];
  switch (col) {
    case RFM_COLUMN_CUSTOMER: {
      gkey key = gkeys_get(&res->customers, o->id);
      garg_result_key(ctx, &key);
      break;
    }
    case RFM_COLUMN_FIRST_TS: sqlite3_result_text(ctx, gtime_format(o->first_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case RFM_COLUMN_LAST_TS: sqlite3_result_text(ctx, gtime_format(o->last_us, 0, buf), -1, SQLITE_TRANSIENT); break;
    case RFM_COLUMN_RECENCY: sqlite3_result_int64(ctx, o->recency); break;
    case RFM_COLUMN_FREQUENCY: sqlite3_result_int64(ctx, o->frequency); break;
    case RFM_COLUMN_MONETARY: sqlite3_result_double(ctx, gmoney_to_real(row_monetary(res, o), res->scale)); break;
    case RFM_COLUMN_AOV: sqlite3_result_double(ctx, gmoney_to_real(row_aov(o), res->scale)); break;
    case RFM_COLUMN_R:
    case RFM_COLUMN_F:
    case RFM_COLUMN_M: {
      int score = col == RFM_COLUMN_R ? o->r : col == RFM_COLUMN_F ? o->f : o->m;
      if (score) sqlite3_result_int(ctx, score);
      else sqlite3_result_null(ctx);
      break;
    }
    case RFM_COLUMN_RFM: {
      if (!o->r || !o->f || !o->m) { sqlite3_result_null(ctx); break; }
      char code[16];
      /* bins=10 has two-digit scores, so the code needs separators to stay readable */
      if (res->bins < 10) snprintf(code, sizeof code, "%d%d%d", o->r, o->f, o->m);
      else snprintf(code, sizeof code, "%d-%d-%d", o->r, o->f, o->m);
      sqlite3_result_text(ctx, code, -1, SQLITE_TRANSIENT);
      break;
    }
    case RFM_COLUMN_SEGMENT: {
      const char *s = res->bins == 5 ? grfm_segment_en(o->r, o->f, o->m) : NULL;
      if (s) sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
      else sqlite3_result_null(ctx);
      break;
    }
    case RFM_COLUMN_SEGMENT_CN:
      if (o->cn & CN_UNKNOWN) sqlite3_result_null(ctx);
      else sqlite3_result_text(ctx, grfm_segment_cn(o->cn >> 2, (o->cn >> 1) & 1, o->cn & 1), -1, SQLITE_STATIC);
      break;
    case RFM_COLUMN_AVG_GAP:
      if (isnan(o->avg_gap)) sqlite3_result_null(ctx);
      else sqlite3_result_double(ctx, o->avg_gap);
      break;
    case RFM_COLUMN_OVERDUE:
      if (isnan(o->avg_gap) || o->avg_gap <= 0) sqlite3_result_null(ctx);
      else sqlite3_result_double(ctx, (double)o->recency / o->avg_gap);
      break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const rfm_arg_names[] = {"source", "as_of", "options"};
const gtvf_spec rfm_spec = {
  .name = RFM_NAME,
  /* the output columns in RFM_COLUMN_* order, then rfm_arg_names */
  .schema =
    "CREATE TABLE x(customer, first_ts TEXT, last_ts TEXT, recency_days INTEGER, frequency INTEGER,"
    " monetary REAL, avg_order_value REAL, r INTEGER, f INTEGER, m INTEGER, rfm TEXT, segment TEXT,"
    " segment_cn TEXT, avg_gap_days REAL, overdue_ratio REAL, source HIDDEN, as_of HIDDEN, options HIDDEN)",
  .n_out = RFM_N_OUT,
  .n_args = 3,
  .n_required = 1,
  .arg_names = rfm_arg_names,
  .innocuous = 0,
  .compute = rfm_compute,
  .column = rfm_column,
  .destroy = rfm_destroy,
  .sources = 1u << 0,
  .options = rfm_opts,
};

/* ------------------------------------------------------------------ rfm_segments */

/* 125 English rows (codes 111..555) then the 8 Chinese ones. */
#define SEGMENT_ROWS (125 + 8)

static int segments_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                            int64_t *nrows, char **pzErr) {
  (void)db; (void)spec; (void)args; (void)pzErr;
  *result = NULL;
  *nrows = SEGMENT_ROWS;
  return SQLITE_OK;
}

enum { SEGMENTS_COLUMN_SCHEME, SEGMENTS_COLUMN_CODE, SEGMENTS_COLUMN_SEGMENT, SEGMENTS_N_OUT };

static void segments_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  (void)result;
  char code[16];
  const char *segment;
  if (row < 125) {
    int r = (int)(row / 25) + 1, f = (int)(row / 5 % 5) + 1, m = (int)(row % 5) + 1;
    snprintf(code, sizeof code, "%d%d%d", r, f, m);
    segment = grfm_segment_en(r, f, m);
  } else {
    const char *c = grfm_cn_codes[row - 125];
    memcpy(code, c, 4); /* "111" and its NUL */
    segment = grfm_segment_cn(c[0] - '0', c[1] - '0', c[2] - '0');
  }
  if (col == SEGMENTS_COLUMN_SCHEME) sqlite3_result_text(ctx, row < 125 ? "en" : "cn", -1, SQLITE_STATIC);
  else if (col == SEGMENTS_COLUMN_CODE) sqlite3_result_text(ctx, code, -1, SQLITE_TRANSIENT);
  else sqlite3_result_text(ctx, segment, -1, SQLITE_STATIC);
}

static void segments_destroy(void *result) { (void)result; }

const gtvf_spec rfm_segments_spec = {
  .name = "rfm_segments",
  .schema = "CREATE TABLE x(scheme TEXT, code TEXT, segment TEXT)",  /* SEGMENTS_COLUMN_* order */
  .n_out = SEGMENTS_N_OUT,
  .n_args = 0,
  .n_required = 0,
  .arg_names = NULL,
  .innocuous = 1,
  .compute = segments_compute,
  .column = segments_column,
  .destroy = segments_destroy,
};

/* ------------------------------------------------------------------ rfm_segment() */

static int score_arg(sqlite3_context *ctx, sqlite3_value *v, const char *arg, int lo, int hi, int *out) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    if (d >= lo && d <= hi && d == (int)d) { *out = (int)d; return 1; }
  }
  char *desc = garg_describe(v);
  garg_result_error(ctx, desc ? sqlite3_mprintf("%s: %s is %s, expected a score from %d to %d", garg_fn_name(ctx),
                                                arg, desc, lo, hi)
                              : NULL);
  sqlite3_free(desc);
  return 0;
}

void rfm_segment_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  for (int i = 0; i < 3; i++)
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) { sqlite3_result_null(ctx); return; }
  int cn = 0;
  if (argc == 4 && sqlite3_value_type(argv[3]) != SQLITE_NULL) { /* NULL scheme: the default, en */
    const char *scheme = (const char *)sqlite3_value_text(argv[3]);
    if (scheme && strcmp(scheme, "cn") == 0) cn = 1;
    else if (!scheme || strcmp(scheme, "en") != 0) {
      char *desc = garg_describe(argv[3]);
      garg_result_error(ctx, desc ? sqlite3_mprintf("%s: scheme is %s, expected 'en' (scores 1..5) or 'cn' (bits 0/1)",
                                                    garg_fn_name(ctx), desc)
                                  : NULL);
      sqlite3_free(desc);
      return;
    }
  }
  int s[3];
  static const char *const names[3] = {"r", "f", "m"};
  for (int i = 0; i < 3; i++)
    if (!score_arg(ctx, argv[i], names[i], cn ? 0 : 1, cn ? 1 : 5, &s[i])) return;
  const char *name = cn ? grfm_segment_cn(s[0], s[1], s[2]) : grfm_segment_en(s[0], s[1], s[2]);
  sqlite3_result_text(ctx, name, -1, SQLITE_STATIC);
}
