/*
** fuzz_promo_rule.c: libFuzzer target for the promotion-rule JSON reader (gjson_parse in
** ext/json_rule.c) and the rule validator (promo_rule_parse in ext/promo_engine.c), with the
** scale and rounding taken from the first byte. Error text must be NUL-terminated.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_rule.h"
#include "promo_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 8192) return 0;
  int scale = data[0] % 4;
  ground rnd = (ground)((data[0] >> 2) % 4);
  const char *json = (const char *)data + 1;
  size_t len = size - 1;
  char *copy = malloc(len ? len : 1);
  if (!copy) return 0;
  memcpy(copy, json, len);
  gjson v;
  size_t at = 0;
  if (!gjson_parse(copy, len, &v, &at)) gjson_free(&v);
  promo_rule r;
  char err[256];
  err[sizeof err - 1] = 0;
  if (!promo_rule_parse(copy, len, scale, rnd, &r, err, sizeof err)) promo_rule_free(&r);
  else if (!memchr(err, 0, sizeof err)) abort();
  free(copy);
  return 0;
}
