/*
** promo.c: SQL glue for the promotion engine (promo_engine.h):
**   promo_price(unit_price, qty, rule [, options]) / promo_price_cents(...)   scalars
**   promo_apply(cart, promotions [, options])                                 table-valued
**   promo_check(promotions [, options])                                       table-valued
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "json_rule.h"
#include "keys.h"
#include "mem.h"
#include "promo_engine.h"
#include "registry.h"
#include "rfm_score.h"
#include "source.h"
#include "tvf.h"

#define ERR_MAX 512

/* ------------------------------------------------------------------ shared readers */

/* A money value; REAL with no more decimals than the scale takes a fast exact path (the
** nearest double to x.yz times 100 is within 1e-6 of the integer), anything else goes
** through the decimal text conversion of money.h. */
static int read_money(sqlite3_value *v, const char *fn, const char *arg, int scale, ground r, int64_t *out,
                      char **pzErr) {
  if (sqlite3_value_type(v) == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v) * (double)gmoney_pow10(scale);
    if (d > -1e15 && d < 1e15) {
      double k = nearbyint(d);
      if (fabs(d - k) < 1e-6) { *out = (int64_t)k; return SQLITE_OK; }
    }
  }
  return garg_money(v, fn, arg, scale, r, out, pzErr);
}

static int fail_value(char **pzErr, const char *fn, const char *arg, sqlite3_value *v, const char *expected) {
  char *d = garg_describe(v);
  if (!d) return SQLITE_NOMEM;
  *pzErr = sqlite3_mprintf("%s: %s is %s, expected %s", fn, arg, d, expected);
  sqlite3_free(d);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A positive whole quantity (INTEGER, or REAL / TEXT with a whole value). */
static int read_qty(sqlite3_value *v, const char *fn, const char *arg, int64_t *out, char **pzErr) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) return GARG_NULL;
  if (t == SQLITE_INTEGER) *out = sqlite3_value_int64(v);
  else if (t == SQLITE_FLOAT) {
    double d = sqlite3_value_double(v);
    if (!(d >= 1 && d < 9.2e18 && d == floor(d))) return fail_value(pzErr, fn, arg, v, "a positive whole number");
    *out = (int64_t)d;
  } else if (t == SQLITE_TEXT) {
    int64_t x;
    const char *why = gmoney_parse_text((const char *)sqlite3_value_text(v), sqlite3_value_bytes(v), 0, GROUND_DOWN, &x);
    int64_t y;
    if (why || gmoney_parse_text((const char *)sqlite3_value_text(v), sqlite3_value_bytes(v), 0, GROUND_UP, &y) || x != y)
      return fail_value(pzErr, fn, arg, v, "a positive whole number");
    *out = x;
  } else
    return fail_value(pzErr, fn, arg, v, "a positive whole number");
  if (*out <= 0) return fail_value(pzErr, fn, arg, v, "a positive whole number");
  return SQLITE_OK;
}

typedef struct money_opts {
  int scale;
  ground rnd;
  int has_at;
  int64_t at;
  int is_new;
} money_opts;

static const gopt_spec price_spec[] = {
  {"scale", GOPT_VALUE}, {"rounding", GOPT_VALUE}, {"at", GOPT_VALUE}, {"new", GOPT_FLAG}, {NULL, 0},
};
static const gopt_spec apply_spec[] = {
  {"scale", GOPT_VALUE}, {"rounding", GOPT_VALUE}, {"at", GOPT_VALUE}, {NULL, 0},
};
static const gopt_spec check_spec[] = {
  {"scale", GOPT_VALUE}, {"rounding", GOPT_VALUE}, {"costs", GOPT_VALUE}, {"min_margin", GOPT_VALUE}, {NULL, 0},
};

static int read_money_opts(const gopts *o, const gopt_spec *spec, const char *fn, money_opts *m, char **pzErr) {
  char err[GOPTS_ERR_MAX];
  int64_t scale = 2;
  m->scale = 2;
  m->rnd = GROUND_HALF_UP;
  m->has_at = 0;
  m->is_new = 0;
  if (gopts_int(o, spec, "scale", 0, GMONEY_MAX_SCALE, &scale, err, sizeof err)) goto bad;
  m->scale = (int)scale;
  const char *r = gopts_value(o, spec, "rounding");
  if (r && gmoney_parse_rounding(r, &m->rnd)) {
    *pzErr = sqlite3_mprintf("%s: option rounding='%s': expected half_up, half_even, down or up", fn, r);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  const char *at = gopts_value(o, spec, "at");
  if (at) {
    const char *why = gtime_parse_text(at, -1, &m->at);
    if (why) {
      *pzErr = sqlite3_mprintf("%s: option at='%s': expected a timestamp such as 2024-06-18 10:15:00 (%s)", fn, at, why);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    m->has_at = 1;
  }
  return SQLITE_OK;
bad:
  *pzErr = sqlite3_mprintf("%s: %s", fn, err);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ------------------------------------------------------------------ promo_price */

typedef struct cached_rule { int scale; ground rnd; promo_rule rule; } cached_rule;

static void free_cached_rule(void *p) {
  cached_rule *c = p;
  promo_rule_free(&c->rule);
  sqlite3_free(c);
}

static void promo_price_common(sqlite3_context *ctx, int argc, sqlite3_value **argv, int cents) {
  const char *fn = garg_fn_name(ctx);
  char *err = NULL;
  int rc, own_local = 0;
  cached_rule local;
  money_opts mo;
  money_opts *cached_opts = argc > 3 ? sqlite3_get_auxdata(ctx, 3) : NULL;
  if (cached_opts) mo = *cached_opts;
  else {
    gopts o;
    o.count = 0;
    if (argc > 3 && (rc = garg_options(argv[3], fn, price_spec, &o, &err)) != SQLITE_OK) goto fail;
    if ((rc = read_money_opts(&o, price_spec, fn, &mo, &err)) != SQLITE_OK) goto fail;
    mo.is_new = gopts_has(&o, price_spec, "new");
    if (argc > 3) {
      money_opts *c = sqlite3_malloc64(sizeof *c);
      if (c) { *c = mo; sqlite3_set_auxdata(ctx, 3, c, sqlite3_free); }
    }
  }
  /* Every argument that is not NULL is validated first, and only then does a NULL give NULL:
  ** a bad rule or qty is an error also on the rows where the price is NULL (issue 16 L15;
  ** docs/promotions.md). */
  int rule_null = sqlite3_value_type(argv[2]) == SQLITE_NULL;
  /* The rule is parsed once per statement while the argument stays constant. */
  cached_rule *cr = rule_null ? NULL : sqlite3_get_auxdata(ctx, 2);
  if (!rule_null && (!cr || cr->scale != mo.scale || cr->rnd != mo.rnd)) {
    if (sqlite3_value_type(argv[2]) != SQLITE_TEXT) {
      rc = fail_value(&err, fn, "rule", argv[2], "JSON text such as '{\"type\":\"discount\",\"rate\":0.8}'");
      goto fail;
    }
    char msg[ERR_MAX];
    const char *json = (const char *)sqlite3_value_text(argv[2]);
    size_t len = (size_t)sqlite3_value_bytes(argv[2]);
    local.scale = mo.scale;
    local.rnd = mo.rnd;
    if (promo_rule_parse(json, len, mo.scale, mo.rnd, &local.rule, msg, sizeof msg)) {
      if (strcmp(msg, "out of memory") == 0) { sqlite3_result_error_nomem(ctx); return; }
      err = sqlite3_mprintf("%s: %s", fn, msg);
      rc = SQLITE_ERROR;
      goto fail;
    }
    cr = sqlite3_malloc64(sizeof *cr);
    if (!cr) {  /* no memory to cache it: use it for this call only */
      cr = &local;
      own_local = 1;
    } else {
      *cr = local;  /* cr now owns the parsed rule */
      sqlite3_set_auxdata(ctx, 2, cr, free_cached_rule);
      cr = sqlite3_get_auxdata(ctx, 2);
      if (!cr) {  /* SQLite could not keep it (and freed it): parse again for this call only */
        if (promo_rule_parse(json, len, mo.scale, mo.rnd, &local.rule, msg, sizeof msg)) {
          sqlite3_result_error_nomem(ctx);
          return;
        }
        cr = &local;
        own_local = 1;
      }
    }
  }
  int64_t unit, qty, total;
  int unit_rc = read_money(argv[0], fn, "unit_price", mo.scale, mo.rnd, &unit, &err);
  if (unit_rc != SQLITE_OK && unit_rc != GARG_NULL) { rc = unit_rc; goto fail; }
  if (unit_rc == SQLITE_OK && unit < 0) { rc = fail_value(&err, fn, "unit_price", argv[0], "an amount >= 0"); goto fail; }
  int qty_rc = read_qty(argv[1], fn, "qty", &qty, &err);
  if (qty_rc != SQLITE_OK && qty_rc != GARG_NULL) { rc = qty_rc; goto fail; }
  if (rule_null || unit_rc == GARG_NULL || qty_rc == GARG_NULL) {
    if (own_local) promo_rule_free(&local.rule);
    sqlite3_result_null(ctx);
    return;
  }
  const promo_rule *r = &cr->rule;
  int live = promo_rule_live(r, mo.has_at, mo.at) && (!r->audience_new || mo.is_new);
  const char *why;
  if (live) why = promo_price_units(r, unit, qty, mo.rnd, &total);
  else why = gmoney_mul(unit, qty, &total) ? "amount out of range (overflow)" : NULL;
  if (own_local) promo_rule_free(&local.rule);
  own_local = 0;
  if (why) {
    err = sqlite3_mprintf("%s: unit_price × qty is out of range for 64-bit minor units (%s)", fn, why);
    rc = SQLITE_ERROR;
    goto fail;
  }
  if (cents) sqlite3_result_int64(ctx, total);
  else sqlite3_result_double(ctx, gmoney_to_real(total, mo.scale));
  return;
fail:
  if (own_local) promo_rule_free(&local.rule);
  if (rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
  else garg_result_error(ctx, err);
}

void promo_price_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) { promo_price_common(ctx, argc, argv, 0); }
void promo_price_cents_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) { promo_price_common(ctx, argc, argv, 1); }

/* ------------------------------------------------------------------ reading promotions */

/* promo_check's rows, at most this many (56 bytes each: about 56 MB): beyond, an error. */
#define PROMO_CHECK_MAX_ROWS 1000000

typedef enum {
  PROBLEM_INVALID_RULE, PROBLEM_INVALID_SKUS, PROBLEM_DUPLICATE_ID, PROBLEM_OVERLAP, PROBLEM_BELOW_COST,
  PROBLEM_BELOW_MARGIN
} problem_kind;
static const char *const problem_names[] = {"invalid_rule", "invalid_skus", "duplicate_id", "overlap", "below_cost",
                                            "below_margin"};

/* One row of promo_check. Rows found while reading the promotions keep their promo_id and detail
** as text (an invalid rule is not in the book); the others name the book's promotions and skus by
** index and are formatted when the row is read, so a pair of activities sharing 1,000 skus is one
** small row. */
typedef struct problem {
  int kind;
  int a, b;              /* the book's promotions: the row's promo_id and other_promo_id, -1 none */
  int sku;               /* the book's sku, -1 none */
  int64_t n1, n2, n3;    /* overlap: skus shared (-1: every sku); below_*: price, cost, lowest price (-1: beyond int64) */
  char *id, *text;       /* rows found while reading: promo_id and detail */
} problem;

typedef struct promo_reader {
  promo_book *book;
  const char *fn;
  int64_t row;
  int check;             /* promo_check: keep invalid rules as problems instead of failing */
  /* promo_check only: its rows */
  problem *problems;
  int64_t nproblems, pcap;
  gkeys ids;             /* every promo_id read, valid or not: ids must be unique */
  int64_t *id_row;       /* by id: the promotions row that first gave it */
  int64_t id_cap;
} promo_reader;

static int too_many_problems(const promo_reader *rd, char **pzErr) {
  *pzErr = sqlite3_mprintf("%s: more than %d problems: check fewer promotions at a time (a SELECT with a WHERE as the "
                           "promotions source)", rd->fn, PROMO_CHECK_MAX_ROWS);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Appends a row (taking p->id and p->text, sqlite3_mprintf'd); past PROMO_CHECK_MAX_ROWS an
** error. */
static int push_problem(promo_reader *rd, problem *p, char **pzErr) {
  if (rd->nproblems == PROMO_CHECK_MAX_ROWS) {
    sqlite3_free(p->id);
    sqlite3_free(p->text);
    return too_many_problems(rd, pzErr);
  }
  if (rd->nproblems == rd->pcap) {
    int64_t nc = rd->pcap ? rd->pcap + rd->pcap / 2 : 16;
    if (nc > PROMO_CHECK_MAX_ROWS) nc = PROMO_CHECK_MAX_ROWS;
    problem *np = sqlite3_realloc64(rd->problems, sizeof *np * (size_t)nc);
    if (!np) { sqlite3_free(p->id); sqlite3_free(p->text); return SQLITE_NOMEM; }
    rd->problems = np;
    rd->pcap = nc;
  }
  rd->problems[rd->nproblems++] = *p;
  return SQLITE_OK;
}

/* A row found while reading the promotions: its promo_id and detail (sqlite3_mprintf, taken). */
static int add_problem(promo_reader *rd, const char *id, problem_kind kind, char *detail, char **pzErr) {
  if (!detail) return SQLITE_NOMEM;
  problem p = {kind, -1, -1, -1, 0, 0, 0, sqlite3_mprintf("%s", id), detail};
  if (!p.id) { sqlite3_free(detail); return SQLITE_NOMEM; }
  return push_problem(rd, &p, pzErr);
}

static void free_problems(promo_reader *rd) {
  for (int64_t i = 0; i < rd->nproblems; i++) {
    sqlite3_free(rd->problems[i].id);
    sqlite3_free(rd->problems[i].text);
  }
  sqlite3_free(rd->problems);
  rd->problems = NULL;
  rd->nproblems = rd->pcap = 0;
}

/* "fn: <where>: <col> is BLOB of n bytes, expected TEXT or a number": the documented rule is that
** a BLOB is never read as text (issue 16 L14: a BLOB sku or promo_id was). */
static int refuse_blob(char **pzErr, const char *fn, const char *where, int64_t row, const char *col, sqlite3_value *v) {
  *pzErr = sqlite3_mprintf("%s: %s row %lld: %s is BLOB of %d bytes, expected TEXT or a number (a BLOB is never read as text)",
                           fn, where, (long long)row, col, sqlite3_value_bytes(v));
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* Records promo_id id of the current row. Returns SQLITE_OK with *first_row 0 when the id is new,
** or the row that gave it first; SQLITE_NOMEM. */
static int note_promo_id(promo_reader *rd, const char *id, int64_t *first_row) {
  gkey k = {.type = GKEY_TEXT, .bytes = id, .len = strlen(id)};
  uint32_t kid;
  int r = gkeys_intern(&rd->ids, &k, &kid);
  if (r == GKEYS_NOMEM || r == GKEYS_FULL) return SQLITE_NOMEM;
  if (r == GKEYS_FOUND) { *first_row = rd->id_row[kid]; return SQLITE_OK; }
  if (kid >= rd->id_cap) {
    int64_t nc = rd->id_cap ? rd->id_cap * 2 : 64;
    int64_t *ir = sqlite3_realloc64(rd->id_row, sizeof *ir * (size_t)nc);
    if (!ir) return SQLITE_NOMEM;
    rd->id_row = ir;
    rd->id_cap = nc;
  }
  rd->id_row[kid] = rd->row;
  *first_row = 0;
  return SQLITE_OK;
}

/* promotions row: promo_id, rule, skus, priority */
static int promo_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  promo_reader *rd = ctx;
  rd->row++;
  const char *fn = rd->fn;
  if (sqlite3_value_type(cols[0]) == SQLITE_NULL) {
    *pzErr = sqlite3_mprintf("%s: promotions row %lld: promo_id is NULL", fn, (long long)rd->row);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (sqlite3_value_type(cols[0]) == SQLITE_BLOB) return refuse_blob(pzErr, fn, "promotions", rd->row, "promo_id", cols[0]);
  const char *id = (const char *)sqlite3_value_text(cols[0]);
  if (!id) return SQLITE_NOMEM;
  /* A repeated id is two promotions the results cannot tell apart (promo_check reported the
  ** pair as overlapping itself): promo_apply refuses it, promo_check lists it. */
  int64_t first_row;
  int irc = note_promo_id(rd, id, &first_row);
  if (irc != SQLITE_OK) return irc;
  if (first_row && !rd->check) {
    *pzErr = sqlite3_mprintf("%s: promotions row %lld: promo_id '%s' is given twice (first in row %lld); promo_ids must be unique",
                             fn, (long long)rd->row, id, (long long)first_row);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (first_row) {
    irc = add_problem(rd, id, PROBLEM_DUPLICATE_ID,
                      sqlite3_mprintf("promo_id '%s' is given to more than one promotion (promotions rows %lld and %lld)", id,
                                      (long long)first_row, (long long)rd->row), pzErr);
    if (irc != SQLITE_OK) return irc;
  }
  char msg[ERR_MAX];
  int64_t priority = 0;
  if (cols[3] && sqlite3_value_type(cols[3]) != SQLITE_NULL) {
    if (sqlite3_value_type(cols[3]) != SQLITE_INTEGER) {
      char *d = garg_describe(cols[3]);
      *pzErr = sqlite3_mprintf("%s: promotion '%s': priority is %s, expected an INTEGER", fn, id, d ? d : "?");
      sqlite3_free(d);
      return SQLITE_ERROR;
    }
    priority = sqlite3_value_int64(cols[3]);
  }
  /* skus: NULL = every sku, else a JSON array of strings. */
  gjson skus;
  memset(&skus, 0, sizeof skus);
  int all = 1;
  const char **names = NULL;
  size_t *lens = NULL;
  const char *bad = NULL;
  if (cols[2] && sqlite3_value_type(cols[2]) == SQLITE_BLOB) {
    all = 0;
    bad = "expected a JSON array of sku strings as TEXT (a BLOB is never read as text)";
  } else if (cols[2] && sqlite3_value_type(cols[2]) != SQLITE_NULL) {
    all = 0;
    const char *t = (const char *)sqlite3_value_text(cols[2]);
    size_t at;
    if (!t) return SQLITE_NOMEM;
    const char *why = gjson_parse(t, (size_t)sqlite3_value_bytes(cols[2]), &skus, &at);
    if (why && strcmp(why, "out of memory") == 0) return SQLITE_NOMEM;
    if (why || skus.kind != GJ_ARRAY)
      bad = "expected a JSON array of sku strings such as '[\"A\",\"B\"]' (NULL for every sku)";
    else {
      names = sqlite3_malloc64(sizeof *names * (size_t)(skus.n + 1));
      lens = sqlite3_malloc64(sizeof *lens * (size_t)(skus.n + 1));
      if (!names || !lens) { sqlite3_free(names); sqlite3_free(lens); gjson_free(&skus); return SQLITE_NOMEM; }
      for (int i = 0; i < skus.n && !bad; i++) {
        if (skus.items[i].kind == GJ_STRING) { names[i] = skus.items[i].text; lens[i] = strlen(names[i]); }
        else if (skus.items[i].kind == GJ_NUMBER) { names[i] = skus.items[i].text; lens[i] = strlen(names[i]); }
        else bad = "expected a JSON array of sku strings";
      }
    }
  }
  int rc = SQLITE_OK;
  if (bad) {
    if (rd->check) rc = add_problem(rd, id, PROBLEM_INVALID_SKUS, sqlite3_mprintf("skus: %s", bad), pzErr);
    else { *pzErr = sqlite3_mprintf("%s: promotion '%s': skus: %s", fn, id, bad); rc = SQLITE_ERROR; }
  } else if (sqlite3_value_type(cols[1]) != SQLITE_TEXT) {
    char *d = garg_describe(cols[1]);
    char *m = sqlite3_mprintf("rule is %s, expected JSON text", d ? d : "?");
    sqlite3_free(d);
    if (rd->check) rc = add_problem(rd, id, PROBLEM_INVALID_RULE, m, pzErr);
    else { *pzErr = m ? sqlite3_mprintf("%s: promotion '%s': %s", fn, id, m) : NULL; sqlite3_free(m); rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM; }
  } else if (promo_book_add(rd->book, id, priority, (const char *)sqlite3_value_text(cols[1]),
                            (size_t)sqlite3_value_bytes(cols[1]), names, lens, all ? 0 : skus.n, all, msg, sizeof msg)) {
    if (strcmp(msg, "out of memory") == 0) rc = SQLITE_NOMEM;
    else if (rd->check) rc = add_problem(rd, id, PROBLEM_INVALID_RULE, sqlite3_mprintf("%s", msg), pzErr);
    else { *pzErr = sqlite3_mprintf("%s: promotion '%s': %s", fn, id, msg); rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM; }
  }
  sqlite3_free(names);
  sqlite3_free(lens);
  gjson_free(&skus);
  return rc;
}

static int read_promotions(sqlite3 *db, const char *fn, sqlite3_value *arg, promo_reader *rd, char **pzErr) {
  gsource src;
  int rc = gsource_open_arg(&src, db, fn, "promotions", arg, pzErr);
  if (rc != SQLITE_OK) return rc;
  int cols[4] = {gsource_column(&src, "promo_id"), gsource_column(&src, "rule"), gsource_column(&src, "skus"),
                 gsource_column(&src, "priority")};
  const char *need[2] = {"promo_id", "rule"};
  for (int i = 0; i < 2; i++)
    if (cols[i] < 0) {
      *pzErr = sqlite3_mprintf("%s: promotions has no column '%s' (columns by name: promo_id, rule, optional skus, priority)", fn, need[i]);
      gsource_close(&src);
      return SQLITE_ERROR;
    }
  rc = gsource_scan(&src, fn, cols, 4, promo_row, rd, pzErr);
  gsource_close(&src);
  gkeys_free(&rd->ids);
  sqlite3_free(rd->id_row);
  rd->id_row = NULL;
  rd->id_cap = 0;
  return rc;
}

/* ------------------------------------------------------------------ promo_apply */

typedef struct cart_row {
  int64_t order_id;
  int64_t cost;        /* unit cost */
  int has_cost;
  int64_t kind_coupon; /* split lines: the coupon share of the add_on / gift units */
  promo_line line;
} cart_row;

/* One output row: a whole cart line, or one of the two parts of a line whose add-on / gift
** units are shown apart from its other units (part 1: those units, part 2: the rest). */
typedef struct out_ref { int64_t ref; int part; } out_ref;

/* Cart rows are kept in chunks of CART_CHUNK rows that never move once written (the first
** chunk grows up to that size, so a small cart holds little). One array grown by doubling
** copied up to 70 MB at once at 1.2M lines: tens of milliseconds in which no interrupt was
** seen, and every page faulted twice. */
#define CART_CHUNK_BITS 15
#define CART_CHUNK ((int64_t)1 << CART_CHUNK_BITS)

typedef struct apply_result {
  promo_book *book;
  int scale;
  cart_row **chunk;      /* rows in source order */
  int64_t nchunks, chunk_cap, first_cap; /* first_cap: rows chunk[0] has room for */
  int64_t nrows;
  int64_t *order;        /* NULL when the source came in (order_id, line_id) order, else that order */
  promo_gift *gifts;
  int64_t ngifts, gcap;
  int64_t *gift_order;  /* order_id of each gift */
  out_ref *out;         /* output order: ref >= 0 a cart row (its index), < 0 gift -(k+1) */
  int64_t nout;
} apply_result;

typedef struct cart_reader {
  apply_result *res;
  const char *fn;
  money_opts mo;
  int has_cost, has_new, has_at;
} cart_reader;

static void apply_destroy(void *p) {
  apply_result *r = p;
  if (!r) return;
  promo_book_free(r->book);
  for (int64_t k = 0; k < r->nchunks; k++) gmem_free(r->chunk[k]);
  gmem_free(r->chunk);
  gmem_free(r->order);
  gmem_free(r->gifts);
  sqlite3_free(r->gift_order);
  sqlite3_free(r->out);
  sqlite3_free(r);
}

static inline cart_row *cart_at(const apply_result *r, int64_t i) {
  return &r->chunk[i >> CART_CHUNK_BITS][i & (CART_CHUNK - 1)];
}

/* The index of the row at position pos of the (order_id, line_id) order. */
static inline int64_t cart_index(const apply_result *r, int64_t pos) { return r->order ? r->order[pos] : pos; }

/* The first chunk starts at 1,024 rows and doubles up to CART_CHUNK (a small cart stays small);
** every later chunk holds CART_CHUNK rows and never moves. */
#define CART_FIRST_ROWS 1024

static int cart_grow_first_chunk(apply_result *r) {
  int64_t cap = r->first_cap * 2;
  cart_row *c = gmem_realloc(r->chunk[0], sizeof *c * (size_t)cap);
  if (!c) return SQLITE_NOMEM;
  r->chunk[0] = c;
  r->first_cap = cap;
  return SQLITE_OK;
}

static int cart_add_chunk(apply_result *r, int64_t rows) {
  if (r->nchunks == r->chunk_cap) {
    int64_t cap = r->chunk_cap ? r->chunk_cap * 2 : 8;
    cart_row **t = gmem_realloc(r->chunk, sizeof *t * (size_t)cap);
    if (!t) return SQLITE_NOMEM;
    r->chunk = t;
    r->chunk_cap = cap;
  }
  cart_row *c = gmem_alloc(sizeof *c * (size_t)rows);
  if (!c) return SQLITE_NOMEM;
  r->chunk[r->nchunks++] = c;
  if (r->nchunks == 1) r->first_cap = rows;
  return SQLITE_OK;
}

/* Room for row r->nrows. */
static int cart_make_room(apply_result *r) {
  int64_t chunk = r->nrows >> CART_CHUNK_BITS, at = r->nrows & (CART_CHUNK - 1);
  int first_chunk_growing = chunk == 0 && r->nchunks == 1;
  if (first_chunk_growing) return at < r->first_cap ? SQLITE_OK : cart_grow_first_chunk(r);
  if (at != 0) return SQLITE_OK; /* room left in the last chunk */
  return cart_add_chunk(r, chunk == 0 ? CART_FIRST_ROWS : CART_CHUNK);
}

static int cart_int(sqlite3_value *v, const char *fn, int64_t row, const char *col, int64_t *out, char **pzErr) {
  if (sqlite3_value_type(v) == SQLITE_INTEGER) { *out = sqlite3_value_int64(v); return SQLITE_OK; }
  char *d = garg_describe(v);
  *pzErr = sqlite3_mprintf("%s: cart row %lld: %s is %s, expected an INTEGER", fn, (long long)row, col, d ? d : "?");
  sqlite3_free(d);
  return SQLITE_ERROR;
}

/* cart row: order_id, line_id, sku, qty, unit_price, cost, is_new, at */
static int cart_row_fn(void *ctx, sqlite3_value **cols, char **pzErr) {
  cart_reader *cr = ctx;
  apply_result *res = cr->res;
  const char *fn = cr->fn;
  if (cart_make_room(res) != SQLITE_OK) return SQLITE_NOMEM;
  int64_t rown = res->nrows + 1;
  cart_row *row = cart_at(res, res->nrows);
  memset(row, 0, sizeof *row);
  int rc;
  if ((rc = cart_int(cols[0], fn, rown, "order_id", &row->order_id, pzErr))) return rc;
  if ((rc = cart_int(cols[1], fn, rown, "line_id", &row->line.line_id, pzErr))) return rc;
  if (sqlite3_value_type(cols[2]) == SQLITE_BLOB) return refuse_blob(pzErr, fn, "cart", rown, "sku", cols[2]);
  const char *sku = (const char *)sqlite3_value_text(cols[2]);
  if (!sku) {
    if (sqlite3_value_type(cols[2]) == SQLITE_NULL) {
      *pzErr = sqlite3_mprintf("%s: cart row %lld: sku is NULL", fn, (long long)rown);
      return SQLITE_ERROR;
    }
    return SQLITE_NOMEM;
  }
  row->line.sku = promo_book_sku(res->book, sku, (size_t)sqlite3_value_bytes(cols[2]));
  if (row->line.sku < 0) return SQLITE_NOMEM;
  char *err = NULL;
  char arg[64];
  /* The argument text names the row, but is only formatted when a value is bad. */
#define ROW_ARG(col) (snprintf(arg, sizeof arg, "cart row %lld: %s", (long long)rown, col), arg)
  rc = read_qty(cols[3], fn, "qty", &row->line.qty, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    err = NULL;
    rc = read_qty(cols[3], fn, ROW_ARG("qty"), &row->line.qty, &err);
    if (rc == GARG_NULL) rc = fail_value(&err, fn, arg, cols[3], "a positive whole number");
    *pzErr = err;
    return rc;
  }
  rc = read_money(cols[4], fn, "unit_price", cr->mo.scale, cr->mo.rnd, &row->line.unit, &err);
  if (rc != SQLITE_OK || row->line.unit < 0) {
    sqlite3_free(err);
    err = NULL;
    rc = read_money(cols[4], fn, ROW_ARG("unit_price"), cr->mo.scale, cr->mo.rnd, &row->line.unit, &err);
    if (rc == GARG_NULL || (rc == SQLITE_OK && row->line.unit < 0)) rc = fail_value(&err, fn, arg, cols[4], "an amount >= 0");
    *pzErr = err;
    return rc;
  }
  if (cr->has_cost && sqlite3_value_type(cols[5]) != SQLITE_NULL) {
    rc = read_money(cols[5], fn, "cost", cr->mo.scale, cr->mo.rnd, &row->cost, &err);
    if (rc) {
      sqlite3_free(err);
      err = NULL;
      rc = read_money(cols[5], fn, ROW_ARG("cost"), cr->mo.scale, cr->mo.rnd, &row->cost, &err);
      *pzErr = err;
      return rc;
    }
    row->has_cost = 1;
  }
  if (cr->has_new && sqlite3_value_type(cols[6]) != SQLITE_NULL) row->line.is_new = sqlite3_value_int64(cols[6]) != 0;
  if (cr->mo.has_at) {
    row->line.has_at = 1;
    row->line.at = cr->mo.at;
  } else if (cr->has_at && sqlite3_value_type(cols[7]) != SQLITE_NULL) {
    rc = garg_timestamp(cols[7], fn, "at", &row->line.at, &err);
    if (rc) {
      sqlite3_free(err);
      err = NULL;
      rc = garg_timestamp(cols[7], fn, ROW_ARG("at"), &row->line.at, &err);
      *pzErr = err;
      return rc;
    }
    row->line.has_at = 1;
  }
#undef ROW_ARG
  res->nrows++;
  return SQLITE_OK;
}

static int by_order_line(const cart_row *x, const cart_row *y) {
  if (x->order_id != y->order_id) return x->order_id < y->order_id ? -1 : 1;
  if (x->line.line_id != y->line.line_id) return x->line.line_id < y->line.line_id ? -1 : 1;
  return 0;
}

/* res->order for a cart not in (order_id, line_id) order: two stable radix sorts (rfm_score's,
** which poll), by line_id and then by order_id. 0, or SQLITE_NOMEM / SQLITE_INTERRUPT. */
static int order_cart(apply_result *res, gcancel *cancel) {
  size_t n = (size_t)res->nrows;
  int sorted = 1;
  for (size_t i = 1; i < n && sorted; i++) {
    if ((i & 0xffff) == 0 && gcancel_work(cancel, 0x10000)) return SQLITE_INTERRUPT;
    if (by_order_line(cart_at(res, (int64_t)i - 1), cart_at(res, (int64_t)i)) > 0) sorted = 0;
  }
  if (sorted) return SQLITE_OK;
  grfm_pair *p = gmem_alloc(sizeof *p * n * 2);
  res->order = gmem_alloc(sizeof *res->order * n);
  if (!p || !res->order) { gmem_free(p); return SQLITE_NOMEM; }
  for (size_t i = 0; i < n; i++) p[i] = (grfm_pair){cart_at(res, (int64_t)i)->line.line_id, i};
  int rc = grfm_sort_pairs(p, p + n, n, cancel);
  for (size_t k = 0; k < n && !rc; k++) p[k].v = cart_at(res, (int64_t)p[k].i)->order_id;
  if (!rc) rc = grfm_sort_pairs(p, p + n, n, cancel);
  for (size_t k = 0; k < n && !rc; k++) res->order[k] = (int64_t)p[k].i;
  gmem_free(p);
  return rc ? SQLITE_INTERRUPT : SQLITE_OK;
}

static int apply_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  const char *fn = spec->name;
  gopts o;
  o.count = 0;
  int rc;
  money_opts mo;
  if (args[2] && (rc = garg_options(args[2], fn, apply_spec, &o, pzErr)) != SQLITE_OK) return rc;
  if ((rc = read_money_opts(&o, apply_spec, fn, &mo, pzErr)) != SQLITE_OK) return rc;
  apply_result *res = sqlite3_malloc64(sizeof *res);
  if (!res) return SQLITE_NOMEM;
  memset(res, 0, sizeof *res);
  res->scale = mo.scale;
  res->book = promo_book_new(mo.scale, mo.rnd);
  if (!res->book) { sqlite3_free(res); return SQLITE_NOMEM; }
  promo_book_seed(res->book, garg_random_seed());
  gcancel_db cancel;  /* pricing runs no SQLite instruction: it polls for interrupts itself */
  gcancel_db_init(&cancel, db);
  promo_reader rd;
  memset(&rd, 0, sizeof rd);
  rd.book = res->book;
  rd.fn = fn;
  if ((rc = read_promotions(db, fn, args[1], &rd, pzErr)) != SQLITE_OK) goto fail;

  gsource src;
  if ((rc = gsource_open_arg(&src, db, fn, "cart", args[0], pzErr)) != SQLITE_OK) goto fail;
  static const char *const names[8] = {"order_id", "line_id", "sku", "qty", "unit_price", "cost", "is_new", "at"};
  int cols[8];
  for (int i = 0; i < 8; i++) {
    cols[i] = gsource_column(&src, names[i]);
    if (i < 5 && cols[i] < 0) {
      *pzErr = sqlite3_mprintf("%s: cart has no column '%s' (columns by name: order_id, line_id, sku, qty, unit_price, optional cost, is_new, at)", fn, names[i]);
      gsource_close(&src);
      rc = SQLITE_ERROR;
      goto fail;
    }
  }
  cart_reader cr = {res, fn, mo, cols[5] >= 0, cols[6] >= 0, cols[7] >= 0};
  rc = gsource_scan(&src, fn, cols, 8, cart_row_fn, &cr, pzErr);
  gsource_close(&src);
  if (rc != SQLITE_OK) goto fail;

  /* Orders are priced in order_id order (flash-sale stock goes to the earlier orders). */
  if ((rc = order_cart(res, &cancel.base)) != SQLITE_OK) goto fail;
  int64_t ocap = res->nrows + 16;
  res->out = sqlite3_malloc64(sizeof *res->out * (size_t)ocap);
  if (!res->out) { rc = SQLITE_NOMEM; goto fail; }
  promo_line *buf = NULL;
  int64_t bufcap = 0;
  for (int64_t i = 0; i < res->nrows;) {
    int64_t j = i;
    const int64_t order_id = cart_at(res, cart_index(res, i))->order_id;
    while (j < res->nrows && cart_at(res, cart_index(res, j))->order_id == order_id) {
      if (j > i && cart_at(res, cart_index(res, j))->line.line_id == cart_at(res, cart_index(res, j - 1))->line.line_id) {
        *pzErr = sqlite3_mprintf("%s: cart: order %lld has line_id %lld twice", fn, (long long)order_id,
                                 (long long)cart_at(res, cart_index(res, j))->line.line_id);
        sqlite3_free(buf);
        rc = SQLITE_ERROR;
        goto fail;
      }
      j++;
    }
    int n = (int)(j - i);
    if (n > bufcap) {
      promo_line *nb = sqlite3_realloc64(buf, sizeof *nb * (size_t)n * 2);
      if (!nb) { sqlite3_free(buf); rc = SQLITE_NOMEM; goto fail; }
      buf = nb;
      bufcap = (int64_t)n * 2;
    }
    for (int k = 0; k < n; k++) buf[k] = cart_at(res, cart_index(res, i + k))->line;
    int64_t g0 = res->ngifts;
    const char *why = promo_order_price(res->book, buf, n, &res->gifts, &res->ngifts, &res->gcap, &cancel.base);
    if (why) {
      if (why == gcancel_reason) rc = SQLITE_INTERRUPT;
      else if (strcmp(why, "out of memory") == 0) rc = SQLITE_NOMEM;
      else {
        *pzErr = sqlite3_mprintf("%s: order %lld: %s", fn, (long long)order_id, why);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
      sqlite3_free(buf);
      goto fail;
    }
    /* Cost and profit must be numbers whenever a cost is known: a NULL there would hide a loss
    ** from sum(below_cost) reports (issue 16 L16), so an overflow is an error here. */
    const char *what = NULL;
    int64_t bad_line = 0;
    for (int k = 0; k < n && !what; k++) {
      const cart_row *row = cart_at(res, cart_index(res, i + k));
      int64_t cost, profit;
      if (!row->has_cost) continue;
      if (gmoney_mul(row->cost, buf[k].qty, &cost)) what = "cost × qty";
      else if (gmoney_sub(buf[k].final, cost, &profit)) what = "profit (final amount - cost)";
      bad_line = buf[k].line_id;
    }
    for (int64_t g = g0; g < res->ngifts && !what; g++) {
      const promo_def *d = promo_book_get(res->book, res->gifts[g].promo);
      int64_t cost;
      if (d->rule.has_gift_cost && gmoney_mul(d->rule.gift_cost, res->gifts[g].qty, &cost)) {
        *pzErr = sqlite3_mprintf("%s: order %lld: the gift of promotion '%s': cost × qty out of range (overflow)", fn,
                                 (long long)order_id, d->id);
        sqlite3_free(buf);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
        goto fail;
      }
    }
    if (what) {
      *pzErr = sqlite3_mprintf("%s: order %lld: line %lld: %s out of range (overflow)", fn, (long long)order_id,
                               (long long)bad_line, what);
      sqlite3_free(buf);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      goto fail;
    }
    int64_t extra = res->ngifts - g0;
    for (int k = 0; k < n; k++) extra += buf[k].kind != PK_ITEM && buf[k].kind_units < buf[k].qty;
    if (res->nout + n + extra > ocap) {
      int64_t nc = (res->nout + n + extra) * 2;
      out_ref *no = sqlite3_realloc64(res->out, sizeof *no * (size_t)nc);
      if (!no) { sqlite3_free(buf); rc = SQLITE_NOMEM; goto fail; }
      res->out = no;
      ocap = nc;
    }
    for (int k = 0; k < n; k++) {
      int64_t at = cart_index(res, i + k);
      cart_row *cr = cart_at(res, at);
      cr->line = buf[k];
      const promo_line *l = &cr->line;
      if (l->kind != PK_ITEM && l->kind_units < l->qty) {
        /* Show the add-on / gift units as their own row; the coupon share is split between the
        ** two parts by largest remainder on what each pays after the activity. */
        int64_t w[2] = {l->kind_units * l->unit - l->discount, (l->qty - l->kind_units) * l->unit}, c[2], left;
        if (gmoney_apportion(l->coupon_discount, w, w, 2, c, &left)) { sqlite3_free(buf); rc = SQLITE_NOMEM; goto fail; }
        cr->kind_coupon = c[0];
        res->out[res->nout++] = (out_ref){at, 1};
        res->out[res->nout++] = (out_ref){at, 2};
      } else
        res->out[res->nout++] = (out_ref){at, 0};
    }
    if (res->ngifts > g0) {
      int64_t *go = sqlite3_realloc64(res->gift_order, sizeof *go * (size_t)res->gcap);
      if (!go) { sqlite3_free(buf); rc = SQLITE_NOMEM; goto fail; }
      res->gift_order = go;
      for (int64_t g = g0; g < res->ngifts; g++) {
        res->gift_order[g] = order_id;
        res->out[res->nout++] = (out_ref){-(g + 1), 0};
      }
    }
    i = j;
  }
  sqlite3_free(buf);
  gcancel_db_finish(&cancel);
  *result = res;
  *nrows = res->nout;
  return SQLITE_OK;
fail:
  {
    int stop = gcancel_db_finish(&cancel);
    if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;  /* or SQLITE_NOMEM from the probe */
  }
  apply_destroy(res);
  return rc;
}

static void result_money(sqlite3_context *ctx, int64_t v, int scale) { sqlite3_result_double(ctx, gmoney_to_real(v, scale)); }

static void apply_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  apply_result *res = result;
  int64_t k = res->out[row].ref;
  static const char *const kinds[] = {"item", "gift", "add_on"};
  if (k < 0) {
    const promo_gift *g = &res->gifts[-k - 1];
    const promo_def *d = promo_book_get(res->book, g->promo);
    int64_t list = g->unit * g->qty;  /* checked when the gift was priced */
    switch (col) {
      case 0: sqlite3_result_int64(ctx, res->gift_order[-k - 1]); break;
      case 2: sqlite3_result_text(ctx, "gift", -1, SQLITE_STATIC); break;
      case 3: sqlite3_result_text(ctx, promo_book_sku_name(res->book, g->sku), -1, SQLITE_TRANSIENT); break;
      case 4: sqlite3_result_int64(ctx, g->qty); break;
      case 5: result_money(ctx, g->unit, res->scale); break;
      case 6: case 8: result_money(ctx, list, res->scale); break;
      case 7: sqlite3_result_text(ctx, d->id, -1, SQLITE_TRANSIENT); break;
      case 9: case 10: result_money(ctx, 0, res->scale); break;
      case 11: sqlite3_result_int64(ctx, 0); break;
      case 12: case 13: case 14: {
        /* A gift's cost is what the rule says it costs (its "cost" field), else unknown; the
        ** product was checked in apply_compute. */
        if (!d->rule.has_gift_cost) { sqlite3_result_null(ctx); break; }
        int64_t cost = d->rule.gift_cost * g->qty;
        if (col == 12) result_money(ctx, cost, res->scale);
        else if (col == 13) result_money(ctx, -cost, res->scale);
        else sqlite3_result_int(ctx, cost > 0);
        break;
      }
      default: sqlite3_result_null(ctx);
    }
    return;
  }
  const cart_row *r = cart_at(res, k);
  const promo_line *l = &r->line;
  int part = res->out[row].part;
  /* The figures of this row: the whole line, or its add-on / gift part, or the rest. */
  int64_t qty = l->qty, list = l->list, disc = l->discount, coupon = l->coupon_discount;
  int kind = l->kind, promo = l->promo;
  if (part == 1) {
    qty = l->kind_units;
    list = qty * l->unit;
    coupon = r->kind_coupon;
  } else if (part == 2) {
    qty = l->qty - l->kind_units;
    list = qty * l->unit;
    disc = 0;
    coupon = l->coupon_discount - r->kind_coupon;
    kind = PK_ITEM;
    promo = -1;
  }
  /* cost x qty and final - cost were checked for the whole line in apply_compute; a part's
  ** figures are no larger */
  int64_t final = list - disc - coupon, cost = r->has_cost ? r->cost * qty : 0;
  int has_cost = r->has_cost;
  switch (col) {
    case 0: sqlite3_result_int64(ctx, r->order_id); break;
    case 1: sqlite3_result_int64(ctx, l->line_id); break;
    case 2: sqlite3_result_text(ctx, kinds[kind], -1, SQLITE_STATIC); break;
    case 3: sqlite3_result_text(ctx, promo_book_sku_name(res->book, l->sku), -1, SQLITE_TRANSIENT); break;
    case 4: sqlite3_result_int64(ctx, qty); break;
    case 5: result_money(ctx, l->unit, res->scale); break;
    case 6: result_money(ctx, list, res->scale); break;
    case 7:
      if (promo >= 0) sqlite3_result_text(ctx, promo_book_get(res->book, promo)->id, -1, SQLITE_TRANSIENT);
      else sqlite3_result_null(ctx);
      break;
    case 8: result_money(ctx, disc, res->scale); break;
    case 9: result_money(ctx, coupon, res->scale); break;
    case 10: result_money(ctx, final, res->scale); break;
    case 11: sqlite3_result_int64(ctx, final); break;
    case 12: if (has_cost) result_money(ctx, cost, res->scale); else sqlite3_result_null(ctx); break;
    case 13: if (has_cost) result_money(ctx, final - cost, res->scale); else sqlite3_result_null(ctx); break;
    case 14: if (has_cost) sqlite3_result_int(ctx, final < cost); else sqlite3_result_null(ctx); break;
    case 15:
      if (l->coupon >= 0) sqlite3_result_text(ctx, promo_book_get(res->book, l->coupon)->id, -1, SQLITE_TRANSIENT);
      else sqlite3_result_null(ctx);
      break;
    default: sqlite3_result_null(ctx);
  }
}

static const char *const apply_args[] = {"cart", "promotions", "options"};
const gtvf_spec promo_apply_spec = {
  .name = "promo_apply",
  .schema =
    "CREATE TABLE x(order_id, line_id, kind, sku, qty, unit_price, list_amount, promo_id, discount, coupon_discount,"
    " final_amount, final_cents, cost, profit, below_cost, coupon_id,"
    " cart HIDDEN, promotions HIDDEN, options HIDDEN)",
  .n_out = 16,
  .n_args = 3,
  .n_required = 2,
  .arg_names = apply_args,
  .innocuous = 0,
  .compute = apply_compute,
  .column = apply_column,
  .destroy = apply_destroy,
  .sources = 1u << 0 | 1u << 1,
  .options = apply_spec,
};

/* ------------------------------------------------------------------ promo_check */

typedef struct cost_entry { int has_cost, has_list; int64_t cost, list; } cost_entry;

typedef struct cost_reader {
  promo_book *book;
  const char *fn;
  money_opts mo;
  cost_entry *costs;   /* by sku index */
  int64_t ncap;
  int has_price;
  int64_t row;
} cost_reader;

static int cost_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  cost_reader *cr = ctx;
  cr->row++;
  if (sqlite3_value_type(cols[0]) == SQLITE_BLOB) return refuse_blob(pzErr, cr->fn, "costs", cr->row, "sku", cols[0]);
  const char *sku = (const char *)sqlite3_value_text(cols[0]);
  if (!sku) return sqlite3_value_type(cols[0]) == SQLITE_NULL ? SQLITE_OK : SQLITE_NOMEM;
  int s = promo_book_sku(cr->book, sku, (size_t)sqlite3_value_bytes(cols[0]));
  if (s < 0) return SQLITE_NOMEM;
  if (s >= cr->ncap) {
    int64_t nc = (s + 1) * 2;
    cost_entry *c = sqlite3_realloc64(cr->costs, sizeof *c * (size_t)nc);
    if (!c) return SQLITE_NOMEM;
    memset(c + cr->ncap, 0, sizeof *c * (size_t)(nc - cr->ncap));
    cr->costs = c;
    cr->ncap = nc;
  }
  cost_entry *e = &cr->costs[s];
  char *err = NULL;
  int rc = read_money(cols[1], cr->fn, "costs: cost", cr->mo.scale, cr->mo.rnd, &e->cost, &err);
  if (rc == SQLITE_OK) e->has_cost = 1;
  else if (rc != GARG_NULL) { *pzErr = err; return rc; }
  if (cr->has_price) {
    rc = read_money(cols[2], cr->fn, "costs: price", cr->mo.scale, cr->mo.rnd, &e->list, &err);
    if (rc == SQLITE_OK) e->has_list = 1;
    else if (rc != GARG_NULL) { *pzErr = err; return rc; }
  }
  return SQLITE_OK;
}

typedef struct check_result {
  promo_reader rd;       /* its book stays: the rows name its promotions and skus */
  int scale;
  int64_t min_margin;    /* ppm */
} check_result;

static void check_destroy(void *p) {
  check_result *c = p;
  if (!c) return;
  free_problems(&c->rd);
  promo_book_free(c->rd.book);
  sqlite3_free(c);
}

static int check_costs(sqlite3 *db, const char *fn, const char *costs_src, int64_t min_margin, int has_margin,
                       money_opts *mo, promo_reader *rd, gcancel *cancel, char **pzErr) {
  gsource src;
  int rc = gsource_open_named(&src, db, fn, "costs", costs_src, pzErr);
  if (rc != SQLITE_OK) return rc;
  int cols[3] = {gsource_column(&src, "sku"), gsource_column(&src, "cost"), gsource_column(&src, "price")};
  if (cols[0] < 0 || cols[1] < 0) {
    *pzErr = sqlite3_mprintf("%s: costs has no column '%s' (columns by name: sku, cost, optional price)", fn, cols[0] < 0 ? "sku" : "cost");
    gsource_close(&src);
    return SQLITE_ERROR;
  }
  cost_reader cr = {rd->book, fn, *mo, NULL, 0, cols[2] >= 0, 0};
  rc = gsource_scan(&src, fn, cols, 3, cost_row, &cr, pzErr);
  gsource_close(&src);
  int np = promo_book_count(rd->book);
  for (int p = 0; p < np && rc == SQLITE_OK; p++) {
    const promo_def *d = promo_book_get(rd->book, p);
    const int *skus;
    int ns = promo_book_skus(rd->book, p, &skus);
    int all = ns < 0;
    if (d->rule.type == PT_ADD_ON) { all = 0; ns = 1; skus = &d->target_sku; }
    int64_t count = all ? cr.ncap : ns;
    if (gcancel_work(cancel, 4 * ((uint64_t)count + 1))) rc = SQLITE_INTERRUPT;
    for (int64_t k = 0; k < count && rc == SQLITE_OK; k++) {
      int s = all ? (int)k : skus[k];
      if (s >= cr.ncap || !cr.costs[s].has_cost) continue;
      const cost_entry *e = &cr.costs[s];
      int64_t price;
      if (!promo_unit_price(&d->rule, e->has_list, e->list, mo->rnd, &price)) continue;
      problem row = {PROBLEM_BELOW_COST, p, -1, s, price, e->cost, 0, NULL, NULL};
      if (price < e->cost) rc = push_problem(rd, &row, pzErr);
      else if (has_margin) {
        /* margin (p - c) / p >= m  <=>  p * (1 - m) >= c; the lowest price is ceil(c / (1 - m)),
        ** in 128 bits: cost * 1e6 alone passes int64 for costs above 9.2e12 minor units */
        __int128 lhs = (__int128)price * (GMONEY_PPM - min_margin), rhs = (__int128)e->cost * GMONEY_PPM;
        if (lhs < rhs) {
          __int128 den = GMONEY_PPM - min_margin, lowest = (rhs + den - 1) / den;
          row.kind = PROBLEM_BELOW_MARGIN;
          row.n3 = lowest > INT64_MAX ? -1 : (int64_t)lowest;
          rc = push_problem(rd, &row, pzErr);
        }
      }
    }
  }
  sqlite3_free(cr.costs);
  return rc;
}

/* One row per pair of activities live at the same time on a shared sku (one item, one activity). */
static int check_overlaps(promo_reader *rd, gcancel *cancel, char **pzErr) {
  promo_overlap *ov = NULL;
  int64_t nov = 0;
  const char *why = promo_book_overlaps(rd->book, PROMO_CHECK_MAX_ROWS - rd->nproblems, &ov, &nov, cancel);
  int rc = SQLITE_OK;
  if (why == gcancel_reason) rc = SQLITE_INTERRUPT;
  else if (why == promo_too_many_overlaps) rc = too_many_problems(rd, pzErr);
  else if (why) rc = SQLITE_NOMEM;
  for (int64_t k = 0; k < nov && rc == SQLITE_OK; k++) {
    problem row = {PROBLEM_OVERLAP, ov[k].a, ov[k].b, ov[k].every_sku ? -1 : ov[k].first_sku,
                   ov[k].every_sku ? -1 : ov[k].count, 0, 0, NULL, NULL};
    rc = push_problem(rd, &row, pzErr);
  }
  gmem_free(ov);
  return rc;
}

static int check_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                         char **pzErr) {
  const char *fn = spec->name;
  gopts o;
  o.count = 0;
  int rc;
  money_opts mo;
  if (args[1] && (rc = garg_options(args[1], fn, check_spec, &o, pzErr)) != SQLITE_OK) return rc;
  if ((rc = read_money_opts(&o, check_spec, fn, &mo, pzErr)) != SQLITE_OK) return rc;
  int64_t min_margin = 0;
  const char *mm = gopts_value(&o, check_spec, "min_margin");
  if (mm && (gmoney_rate_from_text(mm, -1, &min_margin) || min_margin < 0 || min_margin >= GMONEY_PPM)) {
    *pzErr = sqlite3_mprintf("%s: option min_margin='%s': expected a fraction from 0 up to (not including) 1, such as 0.1", fn, mm);
    return SQLITE_ERROR;
  }
  const char *costs = gopts_value(&o, check_spec, "costs");
  if (mm && !costs) {
    *pzErr = sqlite3_mprintf("%s: option min_margin needs costs=SOURCE (a table or SELECT with sku, cost)", fn);
    return SQLITE_ERROR;
  }
  check_result *c = sqlite3_malloc64(sizeof *c);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  c->scale = mo.scale;
  c->min_margin = min_margin;
  promo_reader *rd = &c->rd;
  rd->fn = fn;
  rd->check = 1;
  rd->book = promo_book_new(mo.scale, mo.rnd);
  if (!rd->book) { sqlite3_free(c); return SQLITE_NOMEM; }
  promo_book_seed(rd->book, garg_random_seed());
  rc = read_promotions(db, fn, args[0], rd, pzErr);
  gcancel_db cancel;  /* the checks run no SQLite instruction: they poll for interrupts themselves */
  gcancel_db_init(&cancel, db);
  if (rc == SQLITE_OK) rc = check_overlaps(rd, &cancel.base, pzErr);
  if (rc == SQLITE_OK && costs) rc = check_costs(db, fn, costs, min_margin, mm != NULL, &mo, rd, &cancel.base, pzErr);
  int stop = gcancel_db_finish(&cancel);
  if (rc == SQLITE_INTERRUPT && stop != SQLITE_OK) rc = stop;
  if (rc != SQLITE_OK) { check_destroy(c); return rc; }
  *result = c;
  *nrows = rd->nproblems;
  return SQLITE_OK;
}

/* The detail of a row that names the book's promotions (sqlite3_mprintf). */
static char *check_detail(const check_result *c, const problem *p) {
  const promo_book *b = c->rd.book;
  char pb[GMONEY_TEXT_MAX], cb[GMONEY_TEXT_MAX], lb[GMONEY_TEXT_MAX];
  switch (p->kind) {
    case PROBLEM_OVERLAP: {
      const promo_def *x = promo_book_get(b, p->a), *y = promo_book_get(b, p->b);
      const char *tx = promo_type_name(x->rule.type), *ty = promo_type_name(y->rule.type);
      if (p->n1 < 0) return sqlite3_mprintf("every sku: '%s' (%s) and '%s' (%s) are live at the same time", x->id, tx, y->id, ty);
      if (p->n1 == 1) return sqlite3_mprintf("'%s' (%s) and '%s' (%s) are live at the same time", x->id, tx, y->id, ty);
      return sqlite3_mprintf("'%s' (%s) and '%s' (%s) are live at the same time on %lld skus", x->id, tx, y->id, ty,
                             (long long)p->n1);
    }
    case PROBLEM_BELOW_COST:
      return sqlite3_mprintf("activity price %s is below cost %s", gmoney_format(p->n1, c->scale, pb),
                             gmoney_format(p->n2, c->scale, cb));
    case PROBLEM_BELOW_MARGIN: {
      double margin = p->n1 > 0 ? (double)(p->n1 - p->n2) * 100.0 / (double)p->n1 : 0;
      if (p->n3 < 0) snprintf(lb, sizeof lb, "beyond 64-bit minor units");
      else gmoney_format(p->n3, c->scale, lb);
      return sqlite3_mprintf("activity price %s, cost %s: margin %.2f%% is below %g%%; lowest price in the band %s",
                             gmoney_format(p->n1, c->scale, pb), gmoney_format(p->n2, c->scale, cb), margin,
                             (double)c->min_margin / 10000.0, lb);
    }
    default: return NULL;
  }
}

static void check_column(void *result, int64_t row, int col, sqlite3_context *ctx) {
  const check_result *c = result;
  const problem *p = &c->rd.problems[row];
  const promo_book *b = c->rd.book;
  const char *v = NULL;
  switch (col) {
    case 0: v = p->id ? p->id : promo_book_get(b, p->a)->id; break;
    case 1: v = p->b >= 0 ? promo_book_get(b, p->b)->id : NULL; break;
    case 2: v = p->sku >= 0 ? promo_book_sku_name(b, p->sku) : NULL; break;
    case 3: v = problem_names[p->kind]; break;
    default:
      if (p->text) { v = p->text; break; }
      {
        char *d = check_detail(c, p);
        if (!d) sqlite3_result_error_nomem(ctx);
        else sqlite3_result_text(ctx, d, -1, sqlite3_free);
        return;
      }
  }
  if (v) sqlite3_result_text(ctx, v, -1, SQLITE_TRANSIENT);
  else sqlite3_result_null(ctx);
}

static const char *const check_args[] = {"promotions", "options"};
const gtvf_spec promo_check_spec = {
  .name = "promo_check",
  .schema = "CREATE TABLE x(promo_id, other_promo_id, sku, problem, detail, promotions HIDDEN, options HIDDEN)",
  .n_out = 5,
  .n_args = 2,
  .n_required = 1,
  .arg_names = check_args,
  .innocuous = 0,
  .compute = check_compute,
  .column = check_column,
  .destroy = check_destroy,
  .sources = 1u << 0,
  .options = check_spec,
};
