/*
** fuzz_money.c: libFuzzer target for the money parser (gmoney_parse_text, gmoney_from_real,
** the rate readers) and the arithmetic around it. Properties: an amount that parses formats
** back to text that parses to the same amount; rounding never moves more than one unit.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 4096) return 0;
  int scale = data[0] % (GMONEY_MAX_SCALE + 2);  /* one past the maximum: must be refused */
  ground r = (ground)((data[0] >> 3) % 4);
  const char *text = (const char *)data + 1;
  int n = (int)size - 1;
  char *copy = malloc((size_t)n + 1);
  if (!copy) return 0;
  memcpy(copy, text, (size_t)n);
  copy[n] = 0;
  int64_t v, down, again;
  if (!gmoney_parse_text(copy, n, scale, r, &v)) {
    if (scale > GMONEY_MAX_SCALE) abort();
    char buf[GMONEY_TEXT_MAX];
    gmoney_format(v, scale, buf);
    if (gmoney_parse_text(buf, -1, scale, GROUND_DOWN, &again) || again != v) abort();
    if (!gmoney_parse_text(copy, n, scale, GROUND_DOWN, &down)) {
      int64_t diff;
      if (gmoney_sub(v, down, &diff) || diff < -1 || diff > 1) abort();
    }
    (void)gmoney_to_real(v, scale);
    int64_t out;
    (void)gmoney_mul_ppm(v, 800000, r, &out);
    (void)gmoney_div_round(v, 3, r, &out);
    /* apportion the amount over weights taken from the text */
    if (v >= 0 && n > 0) {
      int parts = n < 16 ? n : 16;
      int64_t w[16], caps[16], shares[16], left, sum = 0;
      for (int i = 0; i < parts; i++) { w[i] = (unsigned char)text[i]; caps[i] = v / 2 + (unsigned char)text[i]; }
      if (!gmoney_apportion(v, w, (data[0] & 0x40) ? caps : NULL, parts, shares, &left)) {
        for (int i = 0; i < parts; i++) {
          if (shares[i] < 0) abort();
          if ((data[0] & 0x40) && shares[i] > caps[i]) abort();
          sum += shares[i];
        }
        if (sum + left != v) abort();
      }
    }
  }
  int64_t ppm;
  (void)gmoney_rate_from_text(copy, n, &ppm);
  if (n >= 8) {
    double d;
    memcpy(&d, text, 8);
    (void)gmoney_from_real(d, scale, r, &v);
    (void)gmoney_rate_from_real(d, &ppm);
  }
  free(copy);
  return 0;
}
