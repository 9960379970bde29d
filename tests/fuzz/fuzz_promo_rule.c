/*
** fuzz_promo_rule.c: libFuzzer target for the promotion rule reader (json_rule.c, promo_rule.c:
** promo_rule_parse) and the order pipeline (promo_order_price). Input: one byte choosing a
** cart shape, then rule JSON. Properties: a rule that parses never prices an item above its list
** nor below 0; an order's lines never go below 0 and add up (list - discount - coupon).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "promo_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > 4096) return 0;
  unsigned shape = data[0];
  const char *json = (const char *)data + 1;
  size_t len = size - 1;
  promo_rule r;
  char err[512];
  if (promo_rule_parse(json, len, 2, GROUND_HALF_UP, &r, err, sizeof err) == 0) {
    static const int64_t units[] = {0, 1, 75, 1999, 10000, INT64_C(4611686018427387904)};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
      for (int64_t q = 1; q <= 7; q += 3) {
        int64_t total, list;
        if (promo_price_units(&r, units[u], q, GROUND_HALF_UP, &total)) continue;  /* overflow */
        if (__builtin_mul_overflow(units[u], q, &list) || total < 0 || total > list) abort();
      }
    promo_rule_free(&r);
  } else if (err[0] == 0) {
    abort();  /* a refusal must say why */
  }
  /* The same text as a promotion in a book, with a coupon, over a small cart. */
  promo_book *b = promo_book_new(2, GROUND_HALF_UP);
  if (!b) return 0;
  const char *skus[2] = {"A", "B"};
  size_t lens[2] = {1, 1};
  const char *coupon = "{\"type\":\"coupon\",\"threshold\":10,\"off\":3.33}";
  if (promo_book_add(b, "P", shape & 3, json, len, skus, lens, 2, (shape & 4) != 0, err, sizeof err) == 0 &&
      promo_book_add(b, "C", 0, coupon, strlen(coupon), NULL, NULL, 0, 1, err, sizeof err) == 0) {
    promo_line lines[4];
    int n = 1 + (int)(shape >> 6);
    for (int i = 0; i < n; i++) {
      memset(&lines[i], 0, sizeof lines[i]);
      lines[i].line_id = i + 1;
      lines[i].sku = promo_book_sku(b, i % 2 ? "B" : "A", 1);
      lines[i].qty = 1 + (int64_t)((shape >> (i + 1)) & 3);
      lines[i].unit = 99 + 1000 * i + (int64_t)(shape & 0x38);
      lines[i].is_new = shape & 1;
    }
    promo_gift *gifts = NULL;
    int64_t ng = 0, gc = 0;
    if (!promo_order_price(b, lines, n, &gifts, &ng, &gc, NULL))
      for (int i = 0; i < n; i++)
        if (lines[i].final < 0 || lines[i].final != lines[i].list - lines[i].discount - lines[i].coupon_discount) abort();
    gmem_free(gifts);
  }
  promo_book_free(b);
  return 0;
}
