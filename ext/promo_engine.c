/* promo_engine.c: see promo_engine.h. All amounts are int64 minor units, overflow-checked. */
#include "promo_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cancel.h"
#include "keys.h"
#include "mem.h"

/* ------------------------------------------------------------------ single-item pricing */

#define OVERFLOW "amount out of range (overflow)"

/* *acc += v, overflow-checked: every money sum in the engine goes through this (or gmoney_add),
** also where the parts are known to add up to no more than an amount already checked. */
static int add_to(int64_t *acc, int64_t v) { return gmoney_add(*acc, v, acc); }

/* The discount of paying `rate` ppm of amount: the discount is what is rounded. */
static const char *rate_discount(int64_t amount, int64_t rate, ground rnd, int64_t *disc) {
  if (gmoney_mul_ppm(amount, GMONEY_PPM - rate, rnd, disc)) return OVERFLOW;
  if (*disc > amount) *disc = amount;
  return NULL;
}

/* The amount off a base under a threshold rule (threshold_off, tiered_threshold_off, coupon),
** never more than the base. */
static const char *threshold_discount(const promo_rule *r, int64_t base, ground rnd, int64_t *disc) {
  *disc = 0;
  if (base <= 0) return NULL;
  switch (r->type) {
    case PT_THRESHOLD_OFF:
      if (base < r->threshold) return NULL;
      if (r->repeat) {
        if (gmoney_mul(base / r->threshold, r->off, disc)) *disc = INT64_MAX;
      } else
        *disc = r->off;
      break;
    case PT_TIERED_THRESHOLD_OFF:
      for (int i = 0; i < r->ntiers; i++)
        if (base >= r->tiers[i].at) *disc = r->tiers[i].value;
      break;
    case PT_COUPON:
      if (base < r->threshold) return NULL;
      if (r->has_off) *disc = r->off;
      else if (rate_discount(base, r->rate, rnd, disc)) return OVERFLOW;
      break;
    default: break;
  }
  if (r->has_cap && *disc > r->cap) *disc = r->cap;
  if (*disc > base) *disc = base;
  return NULL;
}

/* The whole-quantity tier's rate, or 1 (ppm) below the first tier. */
static int64_t tier_rate(const promo_rule *r, int64_t qty) {
  int64_t rate = GMONEY_PPM;
  for (int i = 0; i < r->ntiers; i++)
    if (qty >= r->tiers[i].at) rate = r->tiers[i].value;
  return rate;
}

/* Discount on `n` units at `unit` when each is sold at min(price, unit). */
static const char *to_price_discount(int64_t unit, int64_t n, int64_t price, int64_t *disc) {
  int64_t per = unit > price ? unit - price : 0;
  return gmoney_mul(per, n, disc) ? OVERFLOW : NULL;
}

/* The discount of one item line under r (item semantics). */
static const char *item_discount(const promo_rule *r, int64_t unit, int64_t qty, int64_t list, ground rnd,
                                 int64_t flash_units, int64_t *disc) {
  const char *why = NULL;
  int64_t d = 0;
  switch (r->type) {
    case PT_DISCOUNT: why = rate_discount(list, r->rate, rnd, &d); break;
    case PT_TIERED_DISCOUNT:
      if (!r->graduated) { why = rate_discount(list, tier_rate(r, qty), rnd, &d); break; }
      /* Graduated: units from tier k's qty up to the next tier's pay tier k's rate. */
      for (int i = 0; i < r->ntiers && !why; i++) {
        int64_t from = r->tiers[i].at, to = i + 1 < r->ntiers ? r->tiers[i + 1].at - 1 : qty;
        if (to > qty) to = qty;
        if (to < from) break;
        int64_t seg, sd;
        if (gmoney_mul(to - from + 1, unit, &seg)) return OVERFLOW;
        why = rate_discount(seg, r->tiers[i].value, rnd, &sd);
        if (!why && add_to(&d, sd)) why = OVERFLOW;
      }
      break;
    case PT_SPECIAL_PRICE: why = to_price_discount(unit, qty, r->price, &d); break;
    case PT_REDUCE: why = to_price_discount(unit, qty, unit > r->amount ? unit - r->amount : 0, &d); break;
    case PT_THRESHOLD_OFF:
    case PT_TIERED_THRESHOLD_OFF:
    case PT_COUPON: why = threshold_discount(r, list, rnd, &d); break;
    case PT_ADD_ON: why = to_price_discount(unit, qty < r->limit ? qty : r->limit, r->price, &d); break;
    case PT_EXCHANGE: why = to_price_discount(unit, qty < r->qty ? qty : r->qty, 0, &d); break;
    case PT_FLASH_SALE: {
      int64_t n = qty < flash_units ? qty : flash_units, amt;
      if (r->per_order_limit >= 0 && n > r->per_order_limit) n = r->per_order_limit;
      if (r->has_price) why = to_price_discount(unit, n, r->price, &d);
      else if (gmoney_mul(unit, n, &amt)) why = OVERFLOW;
      else why = rate_discount(amt, r->rate, rnd, &d);
      break;
    }
    case PT_BUY_X_GET_Y: {
      int64_t sets = qty / (r->buy + r->get), free_units, amt;
      if (r->max_sets && sets > r->max_sets) sets = r->max_sets;
      if (gmoney_mul(sets, r->get, &free_units) || gmoney_mul(free_units, unit, &amt)) why = OVERFLOW;
      else why = rate_discount(amt, r->rate, rnd, &d);
      break;
    }
    case PT_BUNDLE_PRICE: {
      int64_t set;
      if (gmoney_mul(unit, r->qty, &set)) return OVERFLOW;
      if (set > r->price && gmoney_mul(qty / r->qty, set - r->price, &d)) why = OVERFLOW;
      break;
    }
    default: break;
  }
  if (why) return why;
  if (d > list) d = list;
  *disc = d;
  return NULL;
}

const char *promo_price_units(const promo_rule *r, int64_t unit, int64_t qty, ground rnd, int64_t *total) {
  if (unit < 0) return "unit_price is negative";
  if (qty <= 0) return "qty must be a positive whole number";
  int64_t list, d;
  if (gmoney_mul(unit, qty, &list)) return OVERFLOW;
  const char *why = item_discount(r, unit, qty, list, rnd, r->stock >= 0 ? r->stock : INT64_MAX, &d);
  if (why) return why;
  *total = list - d;
  return NULL;
}

/* ------------------------------------------------------------------ the book of promotions */

#define MAX_GROUP_OPTS 6      /* group activities considered per line (highest priority first) */
#define MAX_ORDER_PROMOS 64   /* distinct group activities / coupons considered per order */
#define SEARCH_LIMIT 4096  /* assignments tried exhaustively; beyond, greedy + local moves */
/* The work the search of one order may spend, in units (about one line looked at or one running
** sum moved, a few ns): SEARCH_WORK, or SEARCH_WORK_PER_LINE for each line and each of
** its group choices when that is more; then it keeps the best assignment found so far. The
** search of a 4,000-line order over 64 group activities needs well under a tenth of it. */
#define SEARCH_WORK (INT64_C(1) << 25)
#define SEARCH_WORK_PER_LINE 128
/* The engine's work units (SEARCH_WORK's: 4 to 8 ns each) counted as gcancel units (cancel.h:
** about 2 ns): a poll every 0.1 to 0.3 ms, so a progress handler, which a poll reaches only
** every N/4 polls (cancel_db.h), is still asked within 100 ms for N up to about 1000. */
#define POLL_UNITS(w) (4 * (uint64_t)(w))

typedef struct int_list { int *v; int n, cap; } int_list;

static int list_push(int_list *l, int x) {
  if (l->n == l->cap) {
    int nc = l->cap ? l->cap * 2 : 4;
    int *v = gmem_realloc(l->v, sizeof *v * (size_t)nc);
    if (!v) return -1;
    l->v = v;
    l->cap = nc;
  }
  l->v[l->n++] = x;
  return 0;
}

/* What a line takes in the search over group activities: the promo index of a group activity
** (>= 0), or one of the CHOICE_ values. */
typedef int line_choice;
enum {
  CHOICE_FLASH = -3, /* took a flash sale (stage 1): not part of the search */
  CHOICE_ITEM = -2,  /* its best single-item activity (stage 2) */
  CHOICE_NONE = -1,  /* no activity */
};

static int is_group_choice(line_choice c) { return c >= 0; }

/* Per-line working state of the order being priced. */
typedef struct line_work {
  int locked;            /* took a flash sale */
  int item;              /* best single-item activity, -1 none */
  int64_t item_disc;
  int nopt;
  line_choice opt[MAX_GROUP_OPTS + 2]; /* its choices, best first: group activities, CHOICE_ITEM, CHOICE_NONE */
} line_work;

typedef struct slice { int line; int64_t unit, count; } slice;

typedef struct order_group order_group;

struct promo_book {
  int scale;
  ground rnd;
  promo_def *promos;
  int npromos, pcap;
  /* sku -> sku index, in order of first appearance. The key is the sku's bytes and its NUL, so
  ** gkeys_get gives the name back as a C string (promo_book_sku_name). */
  gkeys skus;
  int_list *sku_promos;  /* per sku: promotions naming it (or targeting it) */
  int scap;              /* room in sku_promos */
  int_list all;          /* promotions for every sku */
  int_list *member;      /* per promo: sorted sku indices named (explicit skus) */
  /* scratch for one order, grown as needed */
  line_work *work;
  int wcap;
  int *idx, *sub, *setidx, *free_lines, *undo_line;
  line_choice *best, *cur, *undo_choice; /* the order's assignment; search_all's best; the trial's undo log */
  int64_t *w, *caps, *share, *disc, *units;
  slice *slices;
  int scratch_cap;
  order_group *grp;      /* MAX_ORDER_PROMOS: the order's group activities (in grp_mem) */
  void *grp_mem;
  int *cand;             /* per group: the lines that may choose it */
  int64_t cand_cap;
  int *slot_of;          /* by promo: its index in grp during an order, else -1 */
  int slot_cap;
};

promo_book *promo_book_new(int scale, ground rnd) {
  promo_book *b = gmem_alloc(sizeof *b);
  if (!b) return NULL;
  memset(b, 0, sizeof *b);
  b->scale = scale;
  b->rnd = rnd;
  gkeys_init(&b->skus, 0);
  return b;
}

void promo_book_seed(promo_book *b, uint64_t seed) { gkeys_seed(&b->skus, seed); }

void promo_book_free(promo_book *b) {
  if (!b) return;
  for (int i = 0; i < b->npromos; i++) {
    gmem_free(b->promos[i].id);
    promo_rule_free(&b->promos[i].rule);
    gmem_free(b->member[i].v);
  }
  for (uint32_t i = 0; i < gkeys_count(&b->skus); i++) gmem_free(b->sku_promos[i].v);
  gkeys_free(&b->skus);
  gmem_free(b->promos);
  gmem_free(b->member);
  gmem_free(b->sku_promos);
  gmem_free(b->all.v);
  gmem_free(b->work);
  gmem_free(b->idx);
  gmem_free(b->best);
  gmem_free(b->cur);
  gmem_free(b->sub);
  gmem_free(b->setidx);
  gmem_free(b->w);
  gmem_free(b->caps);
  gmem_free(b->share);
  gmem_free(b->disc);
  gmem_free(b->units);
  gmem_free(b->slices);
  gmem_free(b->free_lines);
  gmem_free(b->undo_line);
  gmem_free(b->undo_choice);
  gmem_free(b->grp_mem);
  gmem_free(b->cand);
  gmem_free(b->slot_of);
  gmem_free(b);
}

int promo_book_sku(promo_book *b, const char *sku, size_t len) {
  /* room for a new sku's list first, so that every sku in the table has one */
  if (gkeys_count(&b->skus) == (uint32_t)b->scap) {
    if (b->scap > INT32_MAX / 2) return -1;
    int nc = b->scap ? b->scap * 2 : 64;
    int_list *sp = gmem_realloc(b->sku_promos, sizeof *sp * (size_t)nc);
    if (!sp) return -1;
    b->sku_promos = sp;
    b->scap = nc;
  }
  gkey key = {.type = GKEY_TEXT, .bytes = sku, .len = len + 1}; /* sku[len] is its NUL */
  uint32_t id;
  int rc = gkeys_intern(&b->skus, &key, &id);
  if (rc < 0) return -1;
  if (rc == GKEYS_ADDED) memset(&b->sku_promos[id], 0, sizeof b->sku_promos[id]);
  return (int)id;
}

const char *promo_book_sku_name(const promo_book *b, int sku) {
  return sku >= 0 && (uint32_t)sku < gkeys_count(&b->skus) ? gkeys_get(&b->skus, (uint32_t)sku).bytes : NULL;
}
int promo_book_count(const promo_book *b) { return b->npromos; }
const promo_def *promo_book_get(const promo_book *b, int i) { return &b->promos[i]; }

static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }

static int add_to_sku(promo_book *b, int sku, int promo) {
  int_list *l = &b->sku_promos[sku];
  if (l->n && l->v[l->n - 1] == promo) return 0;
  return list_push(l, promo);
}

int promo_book_add(promo_book *b, const char *id, int64_t priority, const char *rule_json, size_t rule_len,
                   const char *const *skus, const size_t *sku_lens, int nskus, int all_skus, char *err,
                   size_t errlen) {
  if (b->npromos == b->pcap) {
    int nc = b->pcap ? b->pcap * 2 : 16;
    promo_def *p = gmem_realloc(b->promos, sizeof *p * (size_t)nc);
    if (!p) goto nomem;
    b->promos = p;
    int_list *m = gmem_realloc(b->member, sizeof *m * (size_t)nc);
    if (!m) goto nomem;
    b->member = m;
    b->pcap = nc;
  }
  promo_def *d = &b->promos[b->npromos];
  memset(d, 0, sizeof *d);
  int_list *mem = &b->member[b->npromos];
  memset(mem, 0, sizeof *mem);
  if (promo_rule_parse(rule_json, rule_len, b->scale, b->rnd, &d->rule, err, errlen)) return -1;
  d->id = gmem_alloc(strlen(id) + 1);
  if (!d->id) { promo_rule_free(&d->rule); goto nomem; }
  strcpy(d->id, id);
  d->priority = priority;
  d->all_skus = all_skus;
  d->stock_left = d->rule.stock;
  d->target_sku = -1;
  int me = b->npromos++;
  if (d->rule.sku) {
    d->target_sku = promo_book_sku(b, d->rule.sku, strlen(d->rule.sku));
    if (d->target_sku < 0) goto nomem;
    /* The designated item's lines must see the promotion even when it does not name it. */
    if (!all_skus && add_to_sku(b, d->target_sku, me)) goto nomem;
  }
  if (all_skus) {
    if (list_push(&b->all, me)) goto nomem;
  } else {
    for (int i = 0; i < nskus; i++) {
      int s = promo_book_sku(b, skus[i], sku_lens[i]);
      if (s < 0 || list_push(mem, s)) goto nomem;
    }
    /* skus '[]' names nothing: mem->v is NULL then, which qsort must not be given */
    if (mem->n > 1) qsort(mem->v, (size_t)mem->n, sizeof *mem->v, cmp_int);
    int kept = 0;  /* a sku named twice counts once */
    for (int i = 0; i < mem->n; i++)
      if (i == 0 || mem->v[i] != mem->v[i - 1]) mem->v[kept++] = mem->v[i];
    mem->n = kept;
    for (int i = 0; i < mem->n; i++)
      if (mem->v[i] != d->target_sku && add_to_sku(b, mem->v[i], me)) goto nomem;
  }
  return 0;
nomem:
  snprintf(err, errlen, "out of memory");
  return -1;
}

/* ------------------------------------------------------------------ one order */

static int is_group_class(const promo_rule *r) {
  if (r->type == PT_ADD_ON || r->type == PT_EXCHANGE) return 1;
  if (!r->group) return 0;
  return r->type == PT_THRESHOLD_OFF || r->type == PT_TIERED_THRESHOLD_OFF || r->type == PT_TIERED_DISCOUNT ||
         r->type == PT_BUY_X_GET_Y || r->type == PT_BUNDLE_PRICE;
}

/* 1 when promo a wins a tie against b: higher priority, then the smaller promo_id. */
static int wins_tie(const promo_def *a, const promo_def *b) {
  if (a->priority != b->priority) return a->priority > b->priority;
  return strcmp(a->id, b->id) < 0;
}

static int names_sku(const promo_book *b, int p, int sku) {
  const promo_def *d = &b->promos[p];
  if (d->all_skus) return 1;
  const int_list *m = &b->member[p];
  int lo = 0, hi = m->n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (m->v[mid] == sku) return 1;
    if (m->v[mid] < sku) lo = mid + 1; else hi = mid - 1;
  }
  return 0;
}

static int applies(const promo_book *b, int p, const promo_line *l) {
  const promo_rule *r = &b->promos[p].rule;
  if (r->audience_new && !l->is_new) return 0;
  return promo_rule_live(r, l->has_at, l->at);
}

static int grow_scratch(promo_book *b, int n) {
  if (n <= b->scratch_cap) return 0;
  int nc = n < 16 ? 16 : n * 2;
#define G(f) { void *t = gmem_realloc(b->f, sizeof *b->f * (size_t)nc); if (!t) return -1; b->f = t; }
  G(work) G(idx) G(best) G(cur) G(sub) G(setidx) G(free_lines) G(undo_line) G(undo_choice) G(w) G(caps) G(share)
  G(disc) G(units) G(slices)
#undef G
  b->scratch_cap = nc;
  return 0;
}

static int by_unit_asc(const void *a, const void *b) {
  const slice *x = a, *y = b;
  if (x->unit != y->unit) return x->unit < y->unit ? -1 : 1;
  return x->line - y->line;
}
static int by_unit_desc(const void *a, const void *b) {
  const slice *x = a, *y = b;
  if (x->unit != y->unit) return x->unit > y->unit ? -1 : 1;
  return x->line - y->line;
}

/* Apportions amount over lines idx[0..m) by weights w, capped at caps; adds to out[line]. */
static const char *apportion_into(promo_book *b, int64_t amount, const int *idx, const int64_t *w,
                                  const int64_t *caps, int m, int64_t *out) {
  int64_t left;
  const char *why = gmoney_apportion(amount, w, caps, m, b->share, &left);
  if (why) return why;
  for (int k = 0; k < m; k++)
    if (add_to(&out[idx[k]], b->share[k])) return OVERFLOW;
  return NULL;
}

/* Evaluates group activity p over the lines idx[0..m) that chose it (in line order).
** target_in_cart: add_on / exchange, a line of the designated item is in the order. *total gets
** what it takes off (a gift not in the cart counts at its list price); with disc non-NULL the
** per-line discounts are added to disc[line]. */
static const char *group_eval(promo_book *b, int p, const promo_line *lines, const int *idx, int m, int target_in_cart,
                              int64_t *total, int *met, int64_t *disc) {
  const promo_rule *r = &b->promos[p].rule;
  const promo_def *d = &b->promos[p];
  const char *why = NULL;
  *total = 0;
  *met = 0;
  if (m == 0) return NULL;
  int64_t base = 0, q = 0;
  for (int k = 0; k < m; k++) {
    const promo_line *l = &lines[idx[k]];
    if ((r->type == PT_ADD_ON || r->type == PT_EXCHANGE) && l->sku == d->target_sku) continue;
    if ((r->type == PT_ADD_ON || r->type == PT_EXCHANGE) && !r->group) {
      if (l->list > base) base = l->list;   /* item scope: one item must reach the threshold */
    } else if (gmoney_add(base, l->list, &base))
      return OVERFLOW;
    if (gmoney_add(q, l->qty, &q)) return OVERFLOW;
  }
  switch (r->type) {
    case PT_THRESHOLD_OFF:
    case PT_TIERED_THRESHOLD_OFF: {
      int64_t off;
      if ((why = threshold_discount(r, base, b->rnd, &off))) return why;
      *total = off;
      if (disc && off) {
        for (int k = 0; k < m; k++) b->w[k] = b->caps[k] = lines[idx[k]].list;
        why = apportion_into(b, off, idx, b->w, b->caps, m, disc);
      }
      return why;
    }
    case PT_TIERED_DISCOUNT: {
      int64_t rate = tier_rate(r, q);
      for (int k = 0; k < m; k++) {
        int64_t dd;
        if ((why = rate_discount(lines[idx[k]].list, rate, b->rnd, &dd))) return why;
        if (add_to(total, dd) || (disc && add_to(&disc[idx[k]], dd))) return OVERFLOW;
      }
      return NULL;
    }
    case PT_BUY_X_GET_Y:
    case PT_BUNDLE_PRICE: {
      for (int k = 0; k < m; k++) {
        b->slices[k].line = idx[k];
        b->slices[k].unit = lines[idx[k]].unit;
        b->slices[k].count = lines[idx[k]].qty;
      }
      if (r->type == PT_BUY_X_GET_Y) {
        /* The cheapest units are the discounted ones. */
        qsort(b->slices, (size_t)m, sizeof *b->slices, by_unit_asc);
        int64_t sets = q / (r->buy + r->get);
        if (r->max_sets && sets > r->max_sets) sets = r->max_sets;
        int64_t free_units;
        if (gmoney_mul(sets, r->get, &free_units)) return OVERFLOW;
        for (int k = 0; k < m && free_units > 0; k++) {
          int64_t u = b->slices[k].count < free_units ? b->slices[k].count : free_units, amt, dd;
          free_units -= u;
          if (gmoney_mul(u, b->slices[k].unit, &amt)) return OVERFLOW;
          if ((why = rate_discount(amt, r->rate, b->rnd, &dd))) return why;
          if (add_to(total, dd) || (disc && add_to(&disc[b->slices[k].line], dd))) return OVERFLOW;
        }
        return NULL;
      }
      /* Bundles take the dearest units first, so the customer's sets save the most. */
      qsort(b->slices, (size_t)m, sizeof *b->slices, by_unit_desc);
      int k = 0;
      int64_t used = 0;  /* units of slices[k] already in a set */
      while (k < m) {
        /* Whole sets inside one slice are priced together, so a huge qty costs no loop. */
        if (b->slices[k].count - used >= r->qty) {
          int64_t set, nsets = (b->slices[k].count - used) / r->qty, off;
          if (gmoney_mul(r->qty, b->slices[k].unit, &set)) return OVERFLOW;
          if (set <= r->price) break;   /* units only get cheaper from here */
          if (gmoney_mul(nsets, set - r->price, &off) || gmoney_add(*total, off, total)) return OVERFLOW;
          if (disc && add_to(&disc[b->slices[k].line], off)) return OVERFLOW;
          used += nsets * r->qty;
          if (used == b->slices[k].count) { k++; used = 0; }
          continue;
        }
        int64_t need = r->qty, sum = 0;
        int first = k, nk = 0;
        int64_t first_used = used;
        /* A set spanning slices: the rest of this slice and units of the next ones. */
        while (need > 0 && k < m) {
          int64_t avail = b->slices[k].count - used, take = avail < need ? avail : need, amt;
          if (gmoney_mul(take, b->slices[k].unit, &amt) || gmoney_add(sum, amt, &sum)) return OVERFLOW;
          need -= take;
          used += take;
          nk++;
          if (used == b->slices[k].count) { k++; used = 0; }
        }
        if (need > 0 || sum <= r->price) break;   /* no complete set left, or it would cost more */
        int64_t off = sum - r->price;
        if (add_to(total, off)) return OVERFLOW;
        if (disc) {
          /* Weights: what each slice puts into this set (walk the same units again). */
          int64_t need2 = r->qty, used2 = first_used;
          int kk = first;
          for (int j = 0; j < nk; j++) {
            int64_t avail = b->slices[kk].count - used2, take = avail < need2 ? avail : need2;
            if (gmoney_mul(take, b->slices[kk].unit, &b->w[j])) return OVERFLOW;
            b->caps[j] = b->w[j];
            b->setidx[j] = b->slices[kk].line;
            need2 -= take;
            used2 += take;
            if (used2 == b->slices[kk].count) { kk++; used2 = 0; }
          }
          /* idx may repeat a line across the set; apportion_into adds, so that is fine. */
          if ((why = apportion_into(b, off, b->setidx, b->w, b->caps, nk, disc))) return why;
        }
      }
      return NULL;
    }
    case PT_ADD_ON:
    case PT_EXCHANGE: {
      if (base < r->threshold || base == 0) return NULL;
      *met = 1;
      int64_t units = r->type == PT_ADD_ON ? r->limit : r->qty;
      int64_t price = r->type == PT_ADD_ON ? r->price : 0;
      for (int k = 0; k < m && units > 0; k++) {
        const promo_line *l = &lines[idx[k]];
        if (l->sku != d->target_sku) continue;
        int64_t u = l->qty < units ? l->qty : units, dd;
        units -= u;
        if ((why = to_price_discount(l->unit, u, price, &dd))) return why;
        /* The designated item's lines are not part of the threshold base, so nothing bounds
        ** this sum by an amount checked before (issue 16 M5: two such lines overflowed). */
        if (add_to(total, dd)) return OVERFLOW;
        if (disc) {
          if (add_to(&disc[idx[k]], dd)) return OVERFLOW;
          b->units[idx[k]] = u;
        }
      }
      if (!target_in_cart && r->type == PT_EXCHANGE) {
        int64_t g;
        if (gmoney_mul(r->list, r->qty, &g) || add_to(total, g)) return OVERFLOW;
      }
      return NULL;
    }
    default: return NULL;
  }
}

/* What an assignment saves the customer, and (for ties) how many group activities take effect:
** a gift of unknown value still beats an activity that does not apply. */
typedef struct saving { int64_t value; int applied; } saving;

static int saves_more(saving a, saving b) { return a.value > b.value || (a.value == b.value && a.applied > b.applied); }

static void add_unique(int *set, int *n, int x) {
  for (int i = 0; i < *n; i++)
    if (set[i] == x) return;
  if (*n < MAX_ORDER_PROMOS) set[(*n)++] = x;
}

/* ------------------------------------------------------------------ the search over group activities */

/* One group activity of the order being priced, during the search (stage 3). Threshold types
** and tiered_discount are valued from running sums over the lines that chose them (a move costs
** O(1), or O(tiers)); buy_x_get_y, bundle_price, add_on and exchange are valued again over the
** lines that may choose them whenever one joins or leaves. */
struct order_group {
  int promo;
  int by_sums;
  int target_in_cart;          /* add_on / exchange: a line of the designated item is in the order */
  int cand0, ncand;            /* the lines that may choose it: b->cand[cand0 .. cand0 + ncand), in line order */
  __int128 base, q;            /* by_sums: list amounts and units of the lines that chose it */
  __int128 tier_disc[PROMO_MAX_TIERS];  /* tiered_discount: the lines' discounts at each tier's rate */
  int64_t value;               /* what it takes off under the current assignment */
  int applied;                 /* it takes effect (value > 0, or an add-on / gift threshold met) */
  int dirty, touched;          /* to be valued again; changed by the trial in progress */
  int64_t was_value;           /* before the trial in progress */
  int was_applied;
};

/* The assignment being searched and the trial in progress (a set of moves that is kept when it
** saves more, else undone). */
typedef struct order_search {
  promo_book *b;
  const promo_line *lines;
  int n, ng;
  order_group *g;
  line_choice *choice;
  __int128 items;              /* item discounts of the lines that chose their item activity */
  saving now;                  /* the current assignment's value */
  int nundo, ntouched;
  int touched[MAX_ORDER_PROMOS];
  __int128 was_items;
  saving was;
  int64_t work_left;           /* SEARCH_WORK minus the work done: the search stops at 0 */
  int64_t work;                /* work since the last report to cancel */
  gcancel *cancel;
} order_search;

static int group_slot(const promo_book *b, line_choice c) { return is_group_choice(c) ? b->slot_of[c] : -1; }

static void sums_move(order_search *s, order_group *g, int i, int sign) {
  const promo_line *l = &s->lines[i];
  const promo_rule *r = &s->b->promos[g->promo].rule;
  g->base += sign * (__int128)l->list;
  g->q += sign * (__int128)l->qty;
  s->work++;
  if (r->type != PT_TIERED_DISCOUNT) return;
  for (int t = 0; t < r->ntiers; t++) {
    int64_t d = 0;
    (void)rate_discount(l->list, r->tiers[t].value, s->b->rnd, &d);  /* cannot fail: d <= list */
    g->tier_disc[t] += sign * (__int128)d;
  }
  s->work += r->ntiers;
}

/* Line i now chooses c: the running sums follow (no logging). */
static void move_line(order_search *s, int i, line_choice c) {
  line_choice old = s->choice[i];
  if (old == CHOICE_ITEM) s->items -= s->b->work[i].item_disc;
  if (c == CHOICE_ITEM) s->items += s->b->work[i].item_disc;
  int ko = group_slot(s->b, old), kn = group_slot(s->b, c);
  if (ko >= 0 && s->g[ko].by_sums) sums_move(s, &s->g[ko], i, -1);
  if (kn >= 0 && s->g[kn].by_sums) sums_move(s, &s->g[kn], i, 1);
  s->choice[i] = c;
}

static void touch(order_search *s, int k) {
  if (k < 0) return;
  order_group *g = &s->g[k];
  g->dirty = 1;
  if (g->touched) return;
  g->touched = 1;
  g->was_value = g->value;
  g->was_applied = g->applied;
  s->touched[s->ntouched++] = k;
}

static void trial_begin(order_search *s) {
  s->nundo = s->ntouched = 0;
  s->was_items = s->items;
  s->was = s->now;
}

/* A move of the trial: line i chooses c (undone with the trial). */
static void trial_move(order_search *s, int i, line_choice c) {
  line_choice old = s->choice[i];
  if (old == c) return;
  s->b->undo_line[s->nundo] = i;
  s->b->undo_choice[s->nundo++] = old;
  touch(s, group_slot(s->b, old));
  touch(s, group_slot(s->b, c));
  move_line(s, i, c);
}

static void trial_keep(order_search *s) {
  for (int t = 0; t < s->ntouched; t++) s->g[s->touched[t]].touched = 0;
  s->nundo = s->ntouched = 0;
}

static void trial_undo(order_search *s) {
  for (int k = s->nundo - 1; k >= 0; k--) move_line(s, s->b->undo_line[k], s->b->undo_choice[k]);
  for (int t = 0; t < s->ntouched; t++) {
    order_group *g = &s->g[s->touched[t]];
    g->value = g->was_value;
    g->applied = g->was_applied;
    g->dirty = g->touched = 0;
  }
  s->items = s->was_items;
  s->now = s->was;
  s->nundo = s->ntouched = 0;
}

/* The lines that chose group k, in line order, into b->sub; returns how many. */
static int group_members(order_search *s, const order_group *g) {
  int m = 0;
  for (int c = 0; c < g->ncand; c++) {
    int i = s->b->cand[g->cand0 + c];
    if (s->choice[i] == g->promo) s->b->sub[m++] = i;
  }
  /* the scan, and group_eval's sort of the members: m log m */
  s->work += g->ncand + (int64_t)m * (1 + (m > 1 ? 31 - __builtin_clz((unsigned)m) : 0));
  return m;
}

static const char *value_group(order_search *s, order_group *g) {
  const promo_rule *r = &s->b->promos[g->promo].rule;
  int64_t t = 0;
  int met = 0;
  if (g->by_sums) {
    /* the same checks group_eval makes on the same sums */
    if (g->base > INT64_MAX || g->q > INT64_MAX) return OVERFLOW;
    if (r->type == PT_TIERED_DISCOUNT) {
      int tier = -1;
      for (int k = 0; k < r->ntiers; k++)
        if ((int64_t)g->q >= r->tiers[k].at) tier = k;
      t = tier < 0 ? 0 : (int64_t)g->tier_disc[tier];
    } else {
      const char *why = threshold_discount(r, (int64_t)g->base, s->b->rnd, &t);
      if (why) return why;
    }
  } else {
    int m = group_members(s, g);
    const char *why = group_eval(s->b, g->promo, s->lines, s->b->sub, m, g->target_in_cart, &t, &met, NULL);
    if (why) return why;
  }
  g->value = t;
  g->applied = met || t > 0;
  return NULL;
}

/* Values the groups changed since they were last valued, then the whole assignment. */
static const char *revalue(order_search *s) {
  for (int k = 0; k < s->ng; k++) {
    order_group *g = &s->g[k];
    if (!g->dirty) continue;
    g->dirty = 0;
    const char *why = value_group(s, g);
    if (why) return why;
  }
  __int128 v = s->items;
  int a = 0;
  for (int k = 0; k < s->ng; k++) {
    v += s->g[k].value;
    a += s->g[k].applied;
  }
  if (v > INT64_MAX) return OVERFLOW;
  s->now.value = (int64_t)v;
  s->now.applied = a;
  return NULL;
}

/* Reports the work since the last call: gcancel_reason when told to stop; *out set when the
** order's search budget is spent. */
static const char *charge(order_search *s, int *out) {
  s->work_left -= s->work;
  int64_t w = s->work;
  s->work = 0;
  if (s->work_left <= 0) *out = 1;
  return gcancel_work(s->cancel, POLL_UNITS(w)) ? gcancel_reason : NULL;
}

/* Every assignment of the lines with a choice, in odometer order (the first line's choice
** turning fastest); the first one that saves most wins. */
static const char *search_all(order_search *s, const int *free_lines, int nfree) {
  promo_book *b = s->b;
  int *digit = b->idx, out = 0;
  line_choice *best = b->cur;
  saving best_v = s->now;
  const char *why;
  for (int f = 0; f < nfree; f++) {
    digit[f] = 0;
    best[f] = s->choice[free_lines[f]];
  }
  for (;;) {
    trial_begin(s);
    int f = 0;
    while (f < nfree && ++digit[f] == b->work[free_lines[f]].nopt) {
      digit[f] = 0;
      trial_move(s, free_lines[f], b->work[free_lines[f]].opt[0]);
      f++;
    }
    if (f == nfree) break;
    trial_move(s, free_lines[f], b->work[free_lines[f]].opt[digit[f]]);
    if ((why = revalue(s))) return why;
    trial_keep(s);
    if (saves_more(s->now, best_v)) {
      best_v = s->now;
      for (int k = 0; k < nfree; k++) best[k] = s->choice[free_lines[k]];
    }
    if ((why = charge(s, &out))) return why;
    if (out) break;
  }
  trial_keep(s);
  for (int f = 0; f < nfree; f++) s->choice[free_lines[f]] = best[f];  /* the sums are not used again */
  return NULL;
}

/* Too many assignments to try: move each group's candidates into it, best group first, keeping
** the move when it saves more; then move single lines while that saves more (a few rounds; this
** may miss the best assignment). Work is bounded by SEARCH_WORK per order. */
static const char *search_greedy(order_search *s) {
  promo_book *b = s->b;
  const char *why;
  int out = 0;
  for (int k = 0; k < s->ng && !out; k++) {
    const order_group *g = &s->g[k];
    trial_begin(s);
    for (int c = 0; c < g->ncand; c++) trial_move(s, b->cand[g->cand0 + c], g->promo);
    saving before = s->now;
    if ((why = revalue(s))) return why;
    if (saves_more(s->now, before)) trial_keep(s);
    else trial_undo(s);
    s->work += g->ncand;
    if ((why = charge(s, &out))) return why;
  }
  for (int round = 0, moved = 1; round < 4 && moved && !out; round++) {
    moved = 0;
    for (int i = 0; i < s->n && !out; i++) {
      const line_work *lw = &b->work[i];
      s->work++;
      if (lw->locked) continue;
      for (int j = 0; j < lw->nopt && !out; j++) {
        if (lw->opt[j] == s->choice[i]) continue;
        trial_begin(s);
        trial_move(s, i, lw->opt[j]);
        saving before = s->now;
        if ((why = revalue(s))) return why;
        if (saves_more(s->now, before)) { trial_keep(s); moved = 1; }
        else trial_undo(s);
        if ((why = charge(s, &out))) return why;
      }
    }
  }
  return NULL;
}

/* Sets up the order's group activities for the search: which lines may choose each (b->cand),
** how each is valued, the running sums under the first choices. */
static const char *order_groups(promo_book *b, const promo_line *lines, int n, const int *groups, int ng,
                                gcancel *cancel, order_search *s) {
  memset(s, 0, sizeof *s);
  s->b = b;
  s->lines = lines;
  s->n = n;
  s->ng = ng;
  s->g = b->grp;
  s->choice = b->best;
  s->cancel = cancel;
  if (ng == 0) return NULL;
  if (!b->grp) {
    /* 16-byte aligned for the __int128 sums (SQLite's allocator promises 8) */
    if (!(b->grp_mem = gmem_alloc(sizeof *b->grp * MAX_ORDER_PROMOS + 16))) return "out of memory";
    b->grp = (order_group *)(((uintptr_t)b->grp_mem + 15) & ~(uintptr_t)15);
  }
  s->g = b->grp;
  if (b->slot_cap < b->npromos) {
    int *so = gmem_realloc(b->slot_of, sizeof *so * (size_t)b->npromos);
    if (!so) return "out of memory";
    for (int p = b->slot_cap; p < b->npromos; p++) so[p] = -1;
    b->slot_of = so;
    b->slot_cap = b->npromos;
  }
  int64_t ncand = 0;
  for (int k = 0; k < ng; k++) {
    order_group *g = &b->grp[k];
    const promo_rule *r = &b->promos[groups[k]].rule;
    memset(g, 0, sizeof *g);
    g->promo = groups[k];
    g->by_sums = r->type == PT_THRESHOLD_OFF || r->type == PT_TIERED_THRESHOLD_OFF || r->type == PT_TIERED_DISCOUNT;
    b->slot_of[groups[k]] = k;
    if (r->type == PT_ADD_ON || r->type == PT_EXCHANGE) {
      for (int i = 0; i < n && !g->target_in_cart; i++) g->target_in_cart = lines[i].sku == b->promos[g->promo].target_sku;
      if (gcancel_work(cancel, POLL_UNITS(n))) return gcancel_reason;
    }
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < b->work[i].nopt; j++)
      if (is_group_choice(b->work[i].opt[j])) {
        b->grp[group_slot(b, b->work[i].opt[j])].ncand++;
        ncand++;
      }
  if (ncand > b->cand_cap) {
    int *c = gmem_realloc(b->cand, sizeof *c * (size_t)ncand);
    if (!c) return "out of memory";
    b->cand = c;
    b->cand_cap = ncand;
  }
  for (int k = 0, at = 0; k < ng; k++) {
    b->grp[k].cand0 = at;
    at += b->grp[k].ncand;
    b->grp[k].ncand = 0;
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < b->work[i].nopt; j++)
      if (is_group_choice(b->work[i].opt[j])) {
        order_group *g = &b->grp[group_slot(b, b->work[i].opt[j])];
        b->cand[g->cand0 + g->ncand++] = i;
      }
    line_choice c = s->choice[i];
    if (c == CHOICE_ITEM) s->items += b->work[i].item_disc;
    int k = group_slot(b, c);
    if (k >= 0 && b->grp[k].by_sums) sums_move(s, &b->grp[k], i, 1);
  }
  for (int k = 0; k < ng; k++) b->grp[k].dirty = 1;
  s->work_left = SEARCH_WORK_PER_LINE * ((int64_t)n + ncand);
  if (s->work_left < SEARCH_WORK) s->work_left = SEARCH_WORK;
  if (gcancel_work(cancel, POLL_UNITS(n + ncand + s->work))) return gcancel_reason;
  s->work = 0;
  return NULL;
}

/* ------------------------------------------------------------------ one order, stage by stage */

/* One order being priced: its lines, and what each stage hands on to the next. */
typedef struct order_ctx {
  promo_book *b;
  promo_line *lines;
  int n;
  gcancel *cancel;
  int groups[MAX_ORDER_PROMOS], ng;          /* the group activities the lines may choose (stage 3) */
  int coupons[MAX_ORDER_PROMOS], nc;         /* the coupons live for some line (stage 4) */
  int flash_promo[MAX_ORDER_PROMOS], nflash; /* the flash sales the order took (stage 1), */
  int64_t flash_used[MAX_ORDER_PROMOS];      /* and how many units of each */
  order_search srch;                         /* the search over group activities (stage 3) */
  int applied[MAX_ORDER_PROMOS];             /* per group activity: it takes effect (stage 3) */
} order_ctx;

/* The flash sale's entry in flash_promo, -1 when the order has not taken it yet. */
static int flash_slot(const order_ctx *o, int promo) {
  int slot = -1;
  for (int f = 0; f < o->nflash; f++)
    if (o->flash_promo[f] == promo) slot = f;
  return slot;
}

/* The flash sale that saves a line most so far. */
typedef struct flash_pick {
  int promo; /* -1 none */
  int64_t disc, units;
} flash_pick;

/* Stage 1, one candidate: flash sale p on line l, over the units its stock and its per-order
** limit leave; kept in *best when it saves more (a tie: wins_tie). */
static const char *consider_flash(order_ctx *o, int p, const promo_line *l, flash_pick *best) {
  promo_book *b = o->b;
  const promo_def *d = &b->promos[p];
  const promo_rule *r = &d->rule;
  int slot = flash_slot(o, p);
  if (slot < 0 && o->nflash == MAX_ORDER_PROMOS) return NULL; /* cannot track its per-order use */
  int64_t units = d->stock_left < 0 ? INT64_MAX : d->stock_left;
  if (r->per_order_limit >= 0) {
    int64_t left = r->per_order_limit - (slot >= 0 ? o->flash_used[slot] : 0);
    if (left < units) units = left;
  }
  if (units <= 0) return NULL;
  if (units > l->qty) units = l->qty;
  int64_t fd;
  const char *why = item_discount(r, l->unit, l->qty, l->list, b->rnd, units, &fd);
  if (why) return why;
  if (fd > best->disc || (fd == best->disc && fd > 0 && wins_tie(d, &b->promos[best->promo]))) {
    best->promo = p;
    best->disc = fd;
    best->units = units;
  }
  return NULL;
}

/* Stage 2, one candidate: group activity p joins the line's options, kept sorted best-first, at
** most MAX_GROUP_OPTS. */
static void add_group_option(const promo_book *b, line_work *lw, int p) {
  const promo_def *d = &b->promos[p];
  int pos = lw->nopt;
  while (pos > 0 && wins_tie(d, &b->promos[lw->opt[pos - 1]])) pos--;
  if (pos < MAX_GROUP_OPTS) {
    int last = lw->nopt < MAX_GROUP_OPTS ? lw->nopt : MAX_GROUP_OPTS - 1;
    for (int j = last; j > pos; j--) lw->opt[j] = lw->opt[j - 1];
    lw->opt[pos] = p;
    if (lw->nopt < MAX_GROUP_OPTS) lw->nopt++;
  }
}

/* Stage 2, one candidate: single-item activity p on line l, kept when it saves more. */
static const char *consider_item(const promo_book *b, int p, const promo_line *l, line_work *lw) {
  const promo_def *d = &b->promos[p];
  int64_t dd;
  const char *why = item_discount(&d->rule, l->unit, l->qty, l->list, b->rnd, INT64_MAX, &dd);
  if (why) return why;
  if (dd > lw->item_disc || (dd == lw->item_disc && dd > 0 && wins_tie(d, &b->promos[lw->item]))) {
    lw->item = p;
    lw->item_disc = dd;
  }
  return NULL;
}

/* Stage 1 decided: line i takes the flash sale; its stock and the order's use go down. */
static void take_flash(order_ctx *o, int i, const flash_pick *f) {
  promo_def *d = &o->b->promos[f->promo];
  line_work *lw = &o->b->work[i];
  lw->locked = 1;
  lw->nopt = 0;
  o->lines[i].promo = f->promo;
  o->lines[i].discount = f->disc;
  if (d->stock_left >= 0) d->stock_left -= f->units;
  int slot = flash_slot(o, f->promo);
  if (slot < 0 && o->nflash < MAX_ORDER_PROMOS) {
    slot = o->nflash++;
    o->flash_promo[slot] = f->promo;
    o->flash_used[slot] = 0;
  }
  if (slot >= 0) o->flash_used[slot] += f->units;
}

/* Stage 2 decided: line i's choices for the search. An order considers at most
** MAX_ORDER_PROMOS group activities; a line keeps only those. Then the item activity (when it
** saves anything), the group activities, else none. */
static void line_choices(order_ctx *o, int i) {
  line_work *lw = &o->b->work[i];
  int kept = 0;
  for (int j = 0; j < lw->nopt; j++) {
    add_unique(o->groups, &o->ng, lw->opt[j]);
    int in = 0;
    for (int g = 0; g < o->ng && !in; g++) in = o->groups[g] == lw->opt[j];
    if (in) lw->opt[kept++] = lw->opt[j];
  }
  lw->nopt = kept;
  int ngo = lw->nopt;
  for (int j = ngo; j > 0; j--) lw->opt[j] = lw->opt[j - 1];
  lw->opt[0] = lw->item_disc > 0 ? CHOICE_ITEM : CHOICE_NONE;
  lw->nopt = ngo + 1;
  if (lw->opt[0] == CHOICE_NONE && ngo > 0) {
    /* Prefer a group (it may give a gift) and keep "none" last. */
    for (int j = 0; j < ngo; j++) lw->opt[j] = lw->opt[j + 1];
    lw->opt[ngo] = CHOICE_NONE;
  }
}

/* Stages 1 and 2 for line i, in one pass over the activities live for it: the flash sale that
** saves most takes the line (stage 1); else its best single-item activity and its group
** activities become its choices (stage 2). Coupons are collected for stage 4. Lines come in
** order: a flash sale's stock goes to the first. */
static const char *flash_or_item(order_ctx *o, int i) {
  promo_book *b = o->b;
  promo_line *l = &o->lines[i];
  line_work *lw = &b->work[i];
  memset(lw, 0, sizeof *lw);
  lw->item = -1;
  l->promo = l->coupon = -1;
  l->kind = PK_ITEM;
  l->kind_units = 0;
  l->discount = l->coupon_discount = 0;
  if (l->qty <= 0 || l->unit < 0) return "qty must be positive and unit_price not negative";
  if (gmoney_mul(l->unit, l->qty, &l->list)) return "qty × unit_price out of range (overflow)";
  flash_pick flash = {-1, 0, 0};
  const int_list *lists[2] = {&b->sku_promos[l->sku], &b->all};
  /* a candidate activity costs about 8 units (applies, item_discount, the tie rule) */
  if (gcancel_work(o->cancel, POLL_UNITS(8 * ((int64_t)lists[0]->n + lists[1]->n) + 1))) return gcancel_reason;
  for (int li = 0; li < 2; li++)
    for (int k = 0; k < lists[li]->n; k++) {
      int p = lists[li]->v[k];
      const promo_rule *r = &b->promos[p].rule;
      const char *why = NULL;
      if (!applies(b, p, l)) continue;
      if (r->type == PT_FLASH_SALE) why = consider_flash(o, p, l, &flash);
      else if (r->type == PT_COUPON) add_unique(o->coupons, &o->nc, p);
      else if (is_group_class(r)) add_group_option(b, lw, p);
      else why = consider_item(b, p, l, lw);
      if (why) return why;
    }
  if (flash.promo >= 0) take_flash(o, i, &flash);
  else line_choices(o, i);
  return NULL;
}

/* Stage 3: the assignment of lines to group activities that saves the customer the most, into
** b->best. The first best assignment in choice order wins ties, and choices are ordered by
** priority, promo_id. */
static const char *choose_groups(order_ctx *o) {
  promo_book *b = o->b;
  line_choice *choice = b->best;
  double combos = 1;
  int nfree = 0;
  for (int i = 0; i < o->n; i++) {
    const line_work *lw = &b->work[i];
    choice[i] = lw->locked ? CHOICE_FLASH : lw->opt[0];
    if (lw->locked) continue;
    combos *= lw->nopt;
    if (lw->nopt > 1) b->free_lines[nfree++] = i;
  }
  const char *why = order_groups(b, o->lines, o->n, o->groups, o->ng, o->cancel, &o->srch);
  if (why) return why;
  if (o->ng > 0 && combos > 1) {
    if ((why = revalue(&o->srch))) return why;
    if (combos <= SEARCH_LIMIT) why = search_all(&o->srch, b->free_lines, nfree);
    else why = search_greedy(&o->srch);
  }
  return why;
}

/* Stage 3 applied: each group activity valued over the lines that chose it and its discount
** apportioned to them; every line takes what it chose. */
static const char *apply_groups(order_ctx *o) {
  promo_book *b = o->b;
  const line_choice *choice = b->best;
  int64_t *disc = b->disc, gt = 0;
  const char *why;
  for (int i = 0; i < o->n; i++) disc[i] = b->units[i] = 0;
  for (int k = 0; k < o->ng; k++) {
    order_group *g = &b->grp[k];
    int64_t t;
    int met;
    int m = group_members(&o->srch, g);
    if ((why = group_eval(b, g->promo, o->lines, b->sub, m, g->target_in_cart, &t, &met, disc))) return why;
    o->applied[k] = met || t > 0;
    if (gmoney_add(gt, t, &gt)) return OVERFLOW;
    if (gcancel_work(o->cancel, POLL_UNITS(o->srch.work))) return gcancel_reason;
    o->srch.work = 0;
  }
  for (int i = 0; i < o->n; i++) {
    promo_line *l = &o->lines[i];
    if (choice[i] == CHOICE_FLASH) continue;
    if (choice[i] == CHOICE_ITEM) {
      l->promo = b->work[i].item;
      l->discount = b->work[i].item_disc;
      continue;
    }
    if (!is_group_choice(choice[i])) continue;
    int k = group_slot(b, choice[i]);
    if (!o->applied[k]) continue;
    const promo_def *d = &b->promos[choice[i]];
    l->promo = choice[i];
    l->discount = disc[i];
    if (l->sku == d->target_sku && disc[i] > 0) {
      l->kind = d->rule.type == PT_ADD_ON ? PK_ADD_ON : PK_GIFT;
      l->kind_units = b->units[i];
    }
  }
  for (int k = 0; k < o->ng; k++) b->slot_of[o->groups[k]] = -1;
  return NULL;
}

/* Stage 3's gift rows: an exchange that took effect and whose item is not in the cart. */
static const char *add_gifts(order_ctx *o, promo_gift **gifts, int64_t *ngifts, int64_t *gcap) {
  for (int g = 0; g < o->ng; g++) {
    const promo_def *d = &o->b->promos[o->groups[g]];
    if (!o->applied[g] || d->rule.type != PT_EXCHANGE || o->b->grp[g].target_in_cart) continue;
    if (*ngifts == *gcap) {
      int64_t nc2 = *gcap ? *gcap * 2 : 16;
      promo_gift *ng2 = gmem_realloc(*gifts, sizeof *ng2 * (size_t)nc2);
      if (!ng2) return "out of memory";
      *gifts = ng2;
      *gcap = nc2;
    }
    promo_gift *gift = &(*gifts)[(*ngifts)++];
    gift->promo = o->groups[g];
    gift->sku = d->target_sku;
    gift->qty = d->rule.qty;
    gift->unit = d->rule.list;
  }
  return NULL;
}

/* Stage 4: the coupon that saves most, judged on the amounts after the activities, apportioned
** over the lines it covers. */
static const char *apply_coupon(order_ctx *o) {
  promo_book *b = o->b;
  promo_line *lines = o->lines;
  int n = o->n, best_c = -1;
  int64_t best_cd = 0;
  const char *why;
  for (int c = 0; c < o->nc; c++) {
    int64_t base = 0, cd;
    if (gcancel_work(o->cancel, POLL_UNITS(n))) return gcancel_reason;
    for (int i = 0; i < n; i++)
      if (names_sku(b, o->coupons[c], lines[i].sku) && applies(b, o->coupons[c], &lines[i]) &&
          gmoney_add(base, lines[i].list - lines[i].discount, &base))
        return OVERFLOW;
    if ((why = threshold_discount(&b->promos[o->coupons[c]].rule, base, b->rnd, &cd))) return why;
    if (cd > best_cd || (cd == best_cd && cd > 0 && wins_tie(&b->promos[o->coupons[c]], &b->promos[best_c]))) {
      best_c = o->coupons[c];
      best_cd = cd;
    }
  }
  if (best_c < 0) return NULL;
  int64_t *disc = b->disc;
  int m = 0;
  for (int i = 0; i < n; i++)
    if (names_sku(b, best_c, lines[i].sku) && applies(b, best_c, &lines[i])) {
      b->sub[m] = i;
      b->w[m] = b->caps[m] = lines[i].list - lines[i].discount;
      m++;
      lines[i].coupon = best_c;
    }
  for (int i = 0; i < n; i++) disc[i] = 0;
  if ((why = apportion_into(b, best_cd, b->sub, b->w, b->caps, m, disc))) return why;
  for (int i = 0; i < n; i++) lines[i].coupon_discount = disc[i];
  return NULL;
}

/* Stage 5: the final amounts. Every discount above was capped at its line, so none is below 0. */
static void final_amounts(order_ctx *o) {
  for (int i = 0; i < o->n; i++) {
    promo_line *l = &o->lines[i];
    l->final = l->list - l->discount - l->coupon_discount;
  }
}

const char *promo_order_price(promo_book *b, promo_line *lines, int n, promo_gift **gifts, int64_t *ngifts,
                              int64_t *gcap, gcancel *cancel) {
  if (n <= 0) return NULL;
  if (grow_scratch(b, n)) return "out of memory";
  order_ctx o; /* the arrays are filled as counted: no memset per order */
  o.b = b;
  o.lines = lines;
  o.n = n;
  o.cancel = cancel;
  o.ng = o.nc = o.nflash = 0;
  const char *why;
  /* 1. flash sale and 2. the best single-item activity, line by line */
  for (int i = 0; i < n; i++)
    if ((why = flash_or_item(&o, i))) return why;
  /* 3. group activities: the search, their discounts, gift rows */
  if ((why = choose_groups(&o)) || (why = apply_groups(&o)) || (why = add_gifts(&o, gifts, ngifts, gcap))) return why;
  /* 4. the coupon; 5. the final amounts (floors) */
  if ((why = apply_coupon(&o))) return why;
  final_amounts(&o);
  return NULL;
}

/* ------------------------------------------------------------------ checks */

int promo_book_skus(const promo_book *b, int i, const int **skus) {
  if (b->promos[i].all_skus) { *skus = NULL; return -1; }
  *skus = b->member[i].v;
  return b->member[i].n;
}

int promo_windows_overlap(const promo_rule *a, const promo_rule *b) {
  int64_t s1 = a->has_start ? a->starts_at : INT64_MIN, e1 = a->has_end ? a->ends_at : INT64_MAX;
  int64_t s2 = b->has_start ? b->starts_at : INT64_MIN, e2 = b->has_end ? b->ends_at : INT64_MAX;
  int64_t s = s1 > s2 ? s1 : s2, e = e1 < e2 ? e1 : e2;
  return s < e;
}

const char promo_too_many_overlaps[] = "too many overlapping pairs";

/* The skus two sorted member lists share: how many, and the first. */
static int64_t shared_skus(const int_list *x, const int_list *y, int *first) {
  int64_t count = 0;
  *first = -1;
  for (int i = 0, j = 0; i < x->n && j < y->n;) {
    if (x->v[i] < y->v[j]) i++;
    else if (x->v[i] > y->v[j]) j++;
    else {
      if (!count) *first = x->v[i];
      count++;
      i++;
      j++;
    }
  }
  return count;
}

const char *promo_book_overlaps(const promo_book *b, int64_t max, promo_overlap **out, int64_t *nout,
                                gcancel *cancel) {
  int64_t cap = 0;
  *out = NULL;
  *nout = 0;
  for (int i = 0; i < b->npromos; i++) {
    const promo_def *x = &b->promos[i];
    if (x->rule.type == PT_COUPON) continue;  /* coupons stack after the activities by design */
    for (int j = i + 1; j < b->npromos; j++) {
      const promo_def *y = &b->promos[j];
      if (gcancel_work(cancel, POLL_UNITS(1))) return gcancel_reason;
      if (y->rule.type == PT_COUPON || !promo_windows_overlap(&x->rule, &y->rule)) continue;
      if (strcmp(x->id, y->id) == 0) continue;  /* one id twice is a duplicate_id, not an overlap */
      promo_overlap o = {i, j, 0, 0, -1};
      if (x->all_skus && y->all_skus) o.every_sku = 1;
      else if (x->all_skus || y->all_skus) {
        const int_list *m = &b->member[x->all_skus ? j : i];
        o.count = m->n;
        o.first_sku = m->n ? m->v[0] : -1;
      } else {
        if (gcancel_work(cancel, POLL_UNITS((int64_t)b->member[i].n + b->member[j].n))) return gcancel_reason;
        o.count = shared_skus(&b->member[i], &b->member[j], &o.first_sku);
      }
      if (!o.every_sku && o.count == 0) continue;
      if (*nout == max) return promo_too_many_overlaps;
      if (*nout == cap) {
        int64_t nc = cap ? cap * 2 : 64;
        if (nc > max) nc = max;
        promo_overlap *g = gmem_realloc(*out, sizeof *g * (size_t)nc);
        if (!g) return "out of memory";
        *out = g;
        cap = nc;
      }
      (*out)[(*nout)++] = o;
    }
  }
  return NULL;
}

int promo_unit_price(const promo_rule *r, int has_list, int64_t list, ground rnd, int64_t *price) {
  int64_t d;
  switch (r->type) {
    case PT_SPECIAL_PRICE: *price = has_list && list < r->price ? list : r->price; return 1;
    case PT_ADD_ON: *price = r->price; return 1;
    case PT_BUNDLE_PRICE: *price = r->price / r->qty; return 1;
    case PT_FLASH_SALE:
      if (r->has_price) { *price = r->price; return 1; }
      if (!has_list || rate_discount(list, r->rate, rnd, &d)) return 0;
      *price = list - d;
      return 1;
    case PT_DISCOUNT:
    case PT_TIERED_DISCOUNT: {
      int64_t rate = r->type == PT_DISCOUNT ? r->rate : r->tiers[r->ntiers - 1].value;
      if (!has_list || rate_discount(list, rate, rnd, &d)) return 0;
      *price = list - d;
      return 1;
    }
    case PT_REDUCE:
      if (!has_list) return 0;
      *price = list > r->amount ? list - r->amount : 0;
      return 1;
    default: return 0;
  }
}
