/*
** promo_engine.h: promotion pricing in int64 minor units (money.h). Pure: no sqlite3 calls,
** memory from gmem. Three layers:
**   1. promo_rule_parse (promo_rule.h): rule JSON -> promo_rule (every field validated, errors
**      name the path);
**   2. promo_price_units: what qty units of one item cost under one rule (promo_price);
**   3. promo_book + promo_order_price: the order pipeline of promo_apply (flash sale -> best
**      single-item activity per line -> group activities -> coupon -> floors).
*/
#ifndef GROWTH_PROMO_ENGINE_H
#define GROWTH_PROMO_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"
#include "money.h"
#include "promo_rule.h"

/* What qty units at unit price cost under rule r, as a single item (threshold rules judged on
** this item's amount; add_on / exchange price qty units of the designated item, the threshold
** taken as met; flash_sale gives its price to at most per_order_limit and stock units). Returns NULL or a reason (overflow, bad input). */
const char *promo_price_units(const promo_rule *r, int64_t unit, int64_t qty, ground rnd, int64_t *total);

/* ------------------------------------------------------------------ orders */

typedef enum { PK_ITEM, PK_GIFT, PK_ADD_ON } promo_kind;

typedef struct promo_line {
  /* in */
  int64_t line_id;
  int sku;                /* promo_book_sku index */
  int64_t qty, unit;      /* qty > 0, unit >= 0 */
  int is_new, has_at;
  int64_t at;
  /* out */
  int promo;              /* index of the activity taken, -1 none */
  int coupon;             /* index of the coupon applied, -1 none */
  promo_kind kind;
  int64_t list, discount, coupon_discount, final;
  int64_t kind_units;     /* kind add_on / gift: how many of qty units the activity priced */
} promo_line;

/* A gift row added to an order (exchange whose item is not in the cart). */
typedef struct promo_gift { int promo; int sku; int64_t qty, unit; } promo_gift;

typedef struct promo_def {
  char *id;
  int64_t priority;
  promo_rule rule;
  int all_skus;
  int target_sku;         /* add_on / exchange: sku index of rule.sku */
  int64_t stock_left;
} promo_def;

typedef struct promo_book promo_book;

promo_book *promo_book_new(int scale, ground rnd);
/* Seeds the book's sku table (keys.h gkeys_seed): glue passes a per-statement random seed, so
** skus chosen to collide cannot flood it; sku numbers do not depend on the seed. */
void promo_book_seed(promo_book *b, uint64_t seed);
void promo_book_free(promo_book *b);
/* The index of a sku (added when new: 0, 1, 2, ... in order of first appearance); -1 out of
** memory. sku[len] must be its terminating NUL (SQLite's text and C strings are). */
int promo_book_sku(promo_book *b, const char *sku, size_t len);
const char *promo_book_sku_name(const promo_book *b, int sku);
/* Adds a promotion; skus NULL = every sku. Returns 0, or -1 with err (rule errors as above). */
int promo_book_add(promo_book *b, const char *id, int64_t priority, const char *rule_json, size_t rule_len,
                   const char *const *skus, const size_t *sku_lens, int nskus, int all_skus, char *err,
                   size_t errlen);
int promo_book_count(const promo_book *b);
const promo_def *promo_book_get(const promo_book *b, int i);

/* The skus promotion i names (sorted sku indices); -1 when it names every sku. */
int promo_book_skus(const promo_book *b, int i, const int **skus);
/* 1 when the two rules' time windows [starts_at, ends_at) share an instant. */
int promo_windows_overlap(const promo_rule *a, const promo_rule *b);

/* Two activities (promotions a < b of the book) live at the same time on the same skus: every
** sku (both name every sku), or `count` skus, the first of them first_sku (in the order the book
** numbers skus: the order the promotions name them). */
typedef struct promo_overlap { int a, b, every_sku; int64_t count; int first_sku; } promo_overlap;

/* The reason promo_book_overlaps gives when there are more than max pairs. */
extern const char promo_too_many_overlaps[];

/* Every pair of activities that overlap (one item, one activity at a time), in book order: one
** entry per pair, however many skus they share. Coupons stack by design and are left out; two
** promotions with one promo_id are left out too (a duplicate id, not an overlap). *out is
** allocated with gmem (the caller frees it, also on error). Polls cancel. Returns NULL,
** promo_too_many_overlaps, "out of memory" or gcancel_reason. */
const char *promo_book_overlaps(const promo_book *b, int64_t max, promo_overlap **out, int64_t *nout,
                                gcancel *cancel);
/* The per-unit price an activity sets for an item listed at `list` (has_list 0: unknown), for
** cost checks: 0 when the rule has no per-unit price (thresholds, coupons, gifts, ...). */
int promo_unit_price(const promo_rule *r, int has_list, int64_t list, ground rnd, int64_t *price);

/* Prices one order's lines (sorted by line_id) in place; gifts appended to *gifts (grown with
** gmem_realloc; *ngifts and *gcap updated). Flash-sale stock is consumed from the book, so orders
** must come in order. Polls cancel (NULL: never stops). Returns NULL or a reason (overflow, out
** of memory, gcancel_reason). */
const char *promo_order_price(promo_book *b, promo_line *lines, int n, promo_gift **gifts, int64_t *ngifts,
                              int64_t *gcap, gcancel *cancel);

#endif
