/*
** promo_rule.h: a promotion rule, read from its JSON text into plain C values (money in int64
** minor units, money.h; rates in ppm; times in microseconds). Pure: no sqlite3 calls, memory
** from gmem. promo_engine.h prices items and orders under rules read here.
*/
#ifndef GROWTH_PROMO_RULE_H
#define GROWTH_PROMO_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

/* A tiered rule has at most this many tiers (the search keeps a running sum per tier). */
#define PROMO_MAX_TIERS 64

/* The rule types. A type is this constant and its row in rule_types[] (promo_rule.c), which
** holds its name and its fields; ARCHITECTURE.md says what else a new type needs. */
typedef enum {
  PT_DISCOUNT,
  PT_TIERED_DISCOUNT,
  PT_SPECIAL_PRICE,
  PT_REDUCE,
  PT_THRESHOLD_OFF,
  PT_TIERED_THRESHOLD_OFF,
  PT_ADD_ON,
  PT_EXCHANGE,
  PT_FLASH_SALE,
  PT_BUY_X_GET_Y,
  PT_BUNDLE_PRICE,
  PT_COUPON,
  PT_COUNT
} promo_type;

typedef struct promo_tier {
  int64_t at;    /* qty (tiered_discount) or threshold in minor units (tiered_threshold_off) */
  int64_t value; /* rate in ppm (tiered_discount) or amount off in minor units */
} promo_tier;

typedef struct promo_rule {
  promo_type type;
  int group;        /* scope "group": the promotion's skus together */
  int audience_new; /* audience "new": new customers only */
  int has_start, has_end;
  int64_t starts_at, ends_at; /* microseconds UTC, half-open [starts_at, ends_at) */
  int has_rate, has_price, has_off, has_cap;
  int64_t rate;   /* ppm of the price paid: 800000 = 20% off */
  int64_t price;  /* minor units */
  int64_t amount; /* reduce: off each unit */
  int64_t threshold, off, cap;
  int repeat;    /* threshold_off: every full threshold (每满) */
  int graduated; /* tiered_discount: each unit at its own tier */
  int ntiers;
  promo_tier *tiers;
  char *sku;     /* add_on / exchange: the designated item */
  int64_t qty;   /* exchange: units given; bundle_price: units per set */
  int64_t limit; /* add_on: units at the add-on price */
  int64_t list;  /* exchange: list price of a gift not in the cart (for the gift row) */
  int has_gift_cost;
  int64_t gift_cost;          /* exchange: unit cost of a gift not in the cart (profit of the gift row) */
  int64_t stock;              /* flash_sale: units in all, -1 unlimited */
  int64_t per_order_limit;    /* flash_sale: units per order at the flash price, -1 unlimited */
  int64_t buy, get, max_sets; /* buy_x_get_y; max_sets 0 = unlimited */
} promo_rule;

const char *promo_type_name(promo_type t);

/* Parses a rule. Money fields at `scale`, digits beyond it rounded with rnd. Returns 0, or -1
** with err = "rule $.path: what was expected" (exactly "out of memory" when that was why). */
int promo_rule_parse(const char *json, size_t len, int scale, ground rnd, promo_rule *out, char *err, size_t errlen);
void promo_rule_free(promo_rule *r);
/* 1 when the rule is live at ts (us); has_ts 0 = no time given: always live. */
int promo_rule_live(const promo_rule *r, int has_ts, int64_t ts);

#endif
