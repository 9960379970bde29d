/*
** money.c: see money.h. Text is parsed digit by digit into a decimal significand and an
** exponent, then shifted to the requested scale with one rounding step, so no value ever
** passes through binary floating point on its way to minor units.
*/
#include "money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static const char *const rounding_names[] = {"half_up", "half_even", "down", "up"};

const char *gmoney_rounding_name(ground r) { return rounding_names[r]; }

const char *gmoney_parse_rounding(const char *s, ground *out) {
  for (int i = 0; i < 4; i++)
    if (s && strcmp(s, rounding_names[i]) == 0) { *out = (ground)i; return NULL; }
  return "expected half_up, half_even, down or up";
}

int64_t gmoney_pow10(int scale) {
  int64_t p = 1;
  while (scale-- > 0) p *= 10;
  return p;
}

int gmoney_add(int64_t a, int64_t b, int64_t *out) { return __builtin_add_overflow(a, b, out); }
int gmoney_sub(int64_t a, int64_t b, int64_t *out) { return __builtin_sub_overflow(a, b, out); }
int gmoney_mul(int64_t a, int64_t b, int64_t *out) { return __builtin_mul_overflow(a, b, out); }

/* Whether to add one unit to the truncated magnitude: `half` compares the dropped part with
** one half (-1 below, 0 exactly, 1 above); `dropped` says whether anything nonzero was dropped. */
static int round_up(ground r, int half, int dropped, int last_digit_odd) {
  switch (r) {
    case GROUND_HALF_UP: return half >= 0 && dropped;
    case GROUND_HALF_EVEN: return half > 0 || (half == 0 && dropped && last_digit_odd);
    case GROUND_DOWN: return 0;
    case GROUND_UP: return dropped;
  }
  return 0;
}

static int div_round128(__int128 num, __int128 den, ground r, int64_t *out) {
  int neg = (num < 0) != (den < 0);
  if (num < 0) num = -num;
  if (den < 0) den = -den;
  __int128 q = num / den, rem = num % den;
  int half = rem * 2 < den ? -1 : rem * 2 == den ? 0 : 1;
  if (round_up(r, half, rem != 0, (int)(q & 1))) q++;
  if (neg) q = -q;
  if (q > INT64_MAX || q < INT64_MIN) return 1;
  *out = (int64_t)q;
  return 0;
}

int gmoney_div_round(int64_t num, int64_t den, ground r, int64_t *out) {
  if (den == 0) return 1;
  return div_round128(num, den, r, out);
}

int gmoney_mul_ppm(int64_t amount, int64_t ppm, ground r, int64_t *out) {
  return div_round128((__int128)amount * ppm, GMONEY_PPM, r, out);
}

const char *gmoney_parse_text(const char *s, int n, int scale, ground r, int64_t *out) {
  if (!s) return "missing text";
  if (scale < 0 || scale > GMONEY_MAX_SCALE) return "scale out of range (0..6)";
  const char *p = s, *end = s + (n < 0 ? (int)strlen(s) : n);
  while (p < end && (*p == ' ' || *p == '\t')) p++;
  while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
  if (p == end) return "empty text";
  int neg = 0;
  if (*p == '+' || *p == '-') neg = *p++ == '-';
  /* Significant digits and where the decimal point falls among them. */
  char digits[64];
  int nd = 0, point = 0, seen_digit = 0, seen_point = 0, sticky = 0;
  for (; p < end; p++) {
    if (*p >= '0' && *p <= '9') {
      seen_digit = 1;
      if (nd == 0 && *p == '0') { if (seen_point) point--; continue; } /* leading zeros */
      if (nd < (int)sizeof digits) { digits[nd++] = *p; if (!seen_point) point++; }
      else { if (!seen_point) point++; if (*p != '0') sticky = 1; }
    } else if (*p == '.' && !seen_point) {
      seen_point = 1;
    } else {
      break;
    }
  }
  if (!seen_digit) return "not a decimal number";
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    int eneg = 0;
    long e = 0;
    if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
    if (p == end || *p < '0' || *p > '9') return "not a decimal number";
    while (p < end && *p >= '0' && *p <= '9') { if (e < 100000) e = e * 10 + (*p - '0'); p++; }
    point += (int)(eneg ? -e : e);
  }
  if (p != end) return "not a decimal number";
  /* Minor units are the digits before position point+scale; the rest are rounded away. */
  long keep = (long)point + scale;
  __int128 v = 0;
  for (long i = 0; i < keep; i++) {
    v = v * 10 + (i < nd ? digits[i] - '0' : 0);
    if (v > INT64_MAX) return "amount too large for 64-bit minor units";
  }
  int half = -1, dropped = sticky;
  if (keep < 0) {
    dropped = dropped || nd > 0;
  } else if (keep < nd) {
    int first = digits[keep] - '0';
    int rest = sticky;
    for (int i = (int)keep + 1; i < nd; i++) rest |= digits[i] != '0';
    half = first > 5 || (first == 5 && rest) ? 1 : first == 5 ? 0 : -1;
    dropped = first || rest;
  }
  if (round_up(r, half, dropped, (int)(v & 1))) v++;
  if (v > INT64_MAX) return "amount too large for 64-bit minor units";
  *out = neg ? -(int64_t)v : (int64_t)v;
  return NULL;
}

const char *gmoney_from_int(int64_t v, int scale, int64_t *out) {
  if (scale < 0 || scale > GMONEY_MAX_SCALE) return "scale out of range (0..6)";
  if (gmoney_mul(v, gmoney_pow10(scale), out)) return "amount too large for 64-bit minor units";
  return NULL;
}

/* The shortest decimal text that reads back as exactly v: what the user typed, in practice. */
static void shortest_text(double v, char *buf, size_t len) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, len, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

const char *gmoney_from_real(double v, int scale, ground r, int64_t *out) {
  if (!isfinite(v)) return "not a finite number";
  if (fabs(v) >= 9.3e18) return "amount too large for 64-bit minor units";
  char buf[40];
  shortest_text(v, buf, sizeof buf);
  return gmoney_parse_text(buf, -1, scale, r, out);
}

/* With S the shortest decimal text of v and p = 10^scale: below 1e13 / p, |S p - v p| and the
** rounding of the product v p are each under 0.01 units, so when the computed v p lies within
** 0.4 of an integer r, S p is within 0.5 of r and rounds half-up to r. (The same reasoning as
** rfm's reader of amounts.) */
int gmoney_from_real_half_up_fast(double v, int scale, int64_t *out) {
  double p = (double)gmoney_pow10(scale);
  if (!(fabs(v) < 1e13 / p)) return 0;
  double y = v * p;
  int64_t r = (int64_t)(y >= 0 ? y + 0.5 : y - 0.5);
  if (!(fabs(y - (double)r) <= 0.4)) return 0;
  *out = r;
  return 1;
}

const char *gmoney_rate_from_text(const char *s, int n, int64_t *out_ppm) {
  return gmoney_parse_text(s, n, 6, GROUND_HALF_UP, out_ppm);
}

const char *gmoney_rate_from_real(double v, int64_t *out_ppm) {
  return gmoney_from_real(v, 6, GROUND_HALF_UP, out_ppm);
}

char *gmoney_format(int64_t v, int scale, char *buf) {
  uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  uint64_t p = (uint64_t)gmoney_pow10(scale);
  if (scale == 0) snprintf(buf, GMONEY_TEXT_MAX, "%s%llu", v < 0 ? "-" : "", (unsigned long long)mag);
  else
    snprintf(buf, GMONEY_TEXT_MAX, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(mag / p), scale,
             (unsigned long long)(mag % p));
  return buf;
}

double gmoney_to_real(int64_t v, int scale) {
  /* Through text, so the REAL is the nearest double to the exact decimal. */
  char buf[GMONEY_TEXT_MAX];
  return strtod(gmoney_format(v, scale, buf), NULL);
}

/* ------------------------------------------------------------------ apportioning */

/* Remainders are below the weight total, which is checked to fit in int64 (and __int128 in
** sqlite3_malloc'd memory would be misaligned: SQLite guarantees 8-byte alignment only). */
typedef struct rem_entry { int64_t rem; int index; } rem_entry;

static int by_remainder_desc(const void *a, const void *b) {
  const rem_entry *x = a, *y = b;
  if (x->rem != y->rem) return x->rem > y->rem ? -1 : 1;
  return x->index - y->index;
}

const char *gmoney_apportion(int64_t amount, const int64_t *weights, const int64_t *caps, int n, int64_t *out,
                             int64_t *left) {
  if (amount < 0) return "amount to apportion is negative";
  int64_t weight_total = 0;
  for (int i = 0; i < n; i++) {
    if (weights[i] < 0) return "a weight is negative";
    if (caps && caps[i] < 0) return "a cap is negative";
    if (gmoney_add(weight_total, weights[i], &weight_total)) return "weights too large";
    out[i] = 0;
  }
  *left = amount;
  if (n == 0 || amount == 0) return NULL;
  unsigned char *fixed = gmem_alloc((size_t)n);
  rem_entry *rems = gmem_alloc(sizeof(rem_entry) * (size_t)n);
  if (!fixed || !rems) { gmem_free(fixed); gmem_free(rems); return "out of memory"; }
  for (int i = 0; i < n; i++) fixed[i] = caps && caps[i] == 0;
  int64_t remaining = amount;
  for (;;) {
    /* Share `remaining` among the parts not yet held at their caps. */
    int64_t total = 0;
    int active = 0;
    for (int i = 0; i < n; i++)
      if (!fixed[i]) { total += weights[i]; active++; }
    if (active == 0) break;
    int equal = total == 0;
    if (equal) total = active;
    __int128 placed = 0;
    int nr = 0;
    for (int i = 0; i < n; i++) {
      if (fixed[i]) continue;
      __int128 num = (__int128)remaining * (equal ? 1 : weights[i]);
      out[i] = (int64_t)(num / total);
      placed += out[i];
      rems[nr].rem = (int64_t)(num % total);
      rems[nr].index = i;
      nr++;
    }
    qsort(rems, (size_t)nr, sizeof *rems, by_remainder_desc);
    for (int k = 0; k < nr && placed < remaining; k++, placed++) out[rems[k].index]++;
    /* Hold every part over its cap at the cap, and share the excess again. */
    int over = 0;
    for (int i = 0; i < n; i++)
      if (!fixed[i] && caps && out[i] > caps[i]) {
        out[i] = caps[i];
        fixed[i] = 1;
        remaining -= caps[i];
        over = 1;
      }
    if (!over) { remaining = 0; break; }
    for (int i = 0; i < n; i++)
      if (!fixed[i]) out[i] = 0;
  }
  *left = remaining;
  gmem_free(fixed);
  gmem_free(rems);
  return NULL;
}
