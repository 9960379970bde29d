/* rfm_score.c: see rfm_score.h. */
#include "rfm_score.h"

#include <string.h>

#include "cancel.h"
#include "mem.h"
#include "money.h"

/* Loops over n items poll every POLL_BLOCK of them: one radix pass over millions of pairs
** (scattered writes) is tens of milliseconds, too long to go without asking. */
#define POLL_BLOCK 65536

static unsigned radix_byte(int64_t v, int shift) {
  /* flipping the sign bit orders negative values first as unsigned */
  return (unsigned)((((uint64_t)v ^ UINT64_C(0x8000000000000000)) >> shift) & 255);
}

int grfm_sort_pairs(grfm_pair *a, grfm_pair *tmp, size_t n, gcancel *cancel) {
  /* the counts of all eight bytes in one pass: raw values (days, orders, cents) span a few
  ** bytes, and a byte that is the same everywhere costs no further pass */
  size_t count[8][256];
  memset(count, 0, sizeof count);
  for (size_t k0 = 0; k0 < n; k0 += POLL_BLOCK) {
    size_t k1 = n - k0 < POLL_BLOCK ? n : k0 + POLL_BLOCK;
    if (gcancel_work(cancel, 2 * (k1 - k0))) return GRFM_STOPPED;
    for (size_t k = k0; k < k1; k++) {
      uint64_t u = (uint64_t)a[k].v ^ UINT64_C(0x8000000000000000);
      for (int b = 0; b < 8; b++) count[b][(u >> (8 * b)) & 255]++;
    }
  }
  grfm_pair *src = a, *dst = tmp;
  for (int shift = 0; shift < 64; shift += 8) {
    size_t *c = count[shift / 8];
    int constant = 0;
    for (int b = 0; b < 256; b++)
      if (c[b] == n) constant = 1;
    if (constant) continue; /* this byte is the same everywhere: nothing to do */
    size_t at = 0;
    for (int b = 0; b < 256; b++) {
      size_t m = c[b];
      c[b] = at;
      at += m;
    }
    for (size_t k0 = 0; k0 < n; k0 += POLL_BLOCK) {
      size_t k1 = n - k0 < POLL_BLOCK ? n : k0 + POLL_BLOCK;
      if (gcancel_work(cancel, 4 * (k1 - k0))) return GRFM_STOPPED;  /* scattered writes */
      for (size_t k = k0; k < k1; k++) dst[c[radix_byte(src[k].v, shift)]++] = src[k];
    }
    grfm_pair *t = src; src = dst; dst = t;
  }
  if (src != a) memcpy(a, src, sizeof *a * n);
  return 0;
}

/* The tie rule without sorting, for values spanning `span` integers from lo (days of recency,
** order counts): a value's tie block begins after every value worse than it, so its rank - 1 is
** the count of worse values, a running sum of the counts of each value. */
static int score_by_counting(const int64_t *x, size_t n, int64_t lo, size_t span, int bins, int lower_is_better,
                             uint8_t *score, gcancel *cancel) {
  size_t *worse = gmem_alloc(sizeof *worse * span);
  if (!worse) return -1;
  memset(worse, 0, sizeof *worse * span);
  for (size_t k0 = 0; k0 < n; k0 += POLL_BLOCK) {
    size_t k1 = n - k0 < POLL_BLOCK ? n : k0 + POLL_BLOCK;
    if (gcancel_work(cancel, 2 * (k1 - k0))) {
      gmem_free(worse);
      return GRFM_STOPPED;
    }
    for (size_t k = k0; k < k1; k++) worse[(uint64_t)x[k] - (uint64_t)lo]++;
  }
  size_t below = 0;
  for (size_t j = 0; j < span; j++) {
    size_t v = lower_is_better ? span - 1 - j : j; /* worst value first */
    size_t m = worse[v];
    worse[v] = below;
    below += m;
  }
  for (size_t k0 = 0; k0 < n; k0 += POLL_BLOCK) {
    size_t k1 = n - k0 < POLL_BLOCK ? n : k0 + POLL_BLOCK;
    if (gcancel_work(cancel, 2 * (k1 - k0))) {
      gmem_free(worse);
      return GRFM_STOPPED;
    }
    for (size_t k = k0; k < k1; k++)
      score[k] = (uint8_t)(1 + ((uint64_t)bins * worse[(uint64_t)x[k] - (uint64_t)lo]) / n);
  }
  gmem_free(worse);
  return 0;
}

int grfm_score_quantile(const int64_t *x, size_t n, int bins, int lower_is_better, uint8_t *score, gcancel *cancel) {
  if (n == 0) return 0;
  int64_t lo = x[0], hi = x[0];
  for (size_t i = 1; i < n; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  /* a count per value costs less than sorting pairs while the values span fewer than 2n */
  if ((uint64_t)hi - (uint64_t)lo < 2 * (uint64_t)n)
    return score_by_counting(x, n, lo, (size_t)((uint64_t)hi - (uint64_t)lo) + 1, bins, lower_is_better, score, cancel);
  grfm_pair *r = gmem_alloc(sizeof *r * n * 2);
  if (!r) return -1;
  for (size_t i = 0; i < n; i++) { r[i].v = x[i]; r[i].i = i; }
  if (grfm_sort_pairs(r, r + n, n, cancel)) { gmem_free(r); return GRFM_STOPPED; }
  /* Walk worst first: ascending for F and M, from the end (longest ago first) for recency.
  ** `first` is the position of the current tie block's first member, i.e. its rank - 1. */
  size_t first = 0;
  for (size_t step = 0; step < n; step++) {
    if (step % POLL_BLOCK == 0 && gcancel_work(cancel, 4 * POLL_BLOCK)) { gmem_free(r); return GRFM_STOPPED; }
    size_t k = lower_is_better ? n - 1 - step : step;
    size_t prev = lower_is_better ? k + 1 : k - 1;
    if (step > 0 && r[k].v != r[prev].v) first = step;
    /* bins <= 10, so bins * first cannot overflow for any n that fits in memory */
    score[r[k].i] = (uint8_t)(1 + ((uint64_t)bins * first) / n);
  }
  gmem_free(r);
  return 0;
}

void grfm_score_cuts(const int64_t *x, size_t n, const int64_t *cuts, int ncuts, int lower_is_better,
                     uint8_t *score) {
  for (size_t i = 0; i < n; i++) {
    int reached = 0;
    for (int c = 0; c < ncuts; c++) reached += lower_is_better ? x[i] <= cuts[c] : x[i] >= cuts[c];
    score[i] = (uint8_t)(1 + reached);
  }
}

const char *grfm_parse_cuts(const char *text, int scale, int64_t *cuts, int *ncuts) {
  *ncuts = 0;
  if (!text) return "no cut points";
  const char *p = text;
  for (;;) {
    const char *semi = strchr(p, ';');
    size_t len = semi ? (size_t)(semi - p) : strlen(p);
    char piece[64];
    if (len >= sizeof piece) return "a cut point is too long";
    memcpy(piece, p, len);
    piece[len] = 0;
    if (*ncuts == GRFM_MAX_CUTS) return "too many cut points (at most 9, for bins=10)";
    int64_t v, fine;
    if (gmoney_parse_text(piece, -1, scale, GROUND_DOWN, &v) != NULL) return "a cut point is not a number";
    /* Refuse what the scale cannot hold rather than round it: 30.5 days, 9.999 yuan. */
    if (gmoney_parse_text(piece, -1, GMONEY_MAX_SCALE, GROUND_DOWN, &fine) == NULL) {
      int64_t back;
      if (gmoney_mul(v, gmoney_pow10(GMONEY_MAX_SCALE - scale), &back) || back != fine)
        return scale == 0 ? "a cut point is not a whole number" : "a cut point has more decimals than the money scale";
    }
    if (*ncuts > 0 && v <= cuts[*ncuts - 1]) return "cut points must be strictly ascending";
    cuts[(*ncuts)++] = v;
    if (!semi) break;
    p = semi + 1;
  }
  return NULL;
}

int grfm_split(const int64_t *x, size_t n, int use_median, int lower_is_better, uint8_t *bit, gcancel *cancel) {
  if (n == 0) return 0;
  /* The centre as a fraction num/den, compared as x * den against num in 128 bits. */
  __int128 num = 0, den;
  if (use_median) {
    grfm_pair *s = gmem_alloc(sizeof *s * n * 2);
    if (!s) return -1;
    for (size_t i = 0; i < n; i++) { s[i].v = x[i]; s[i].i = i; }
    if (grfm_sort_pairs(s, s + n, n, cancel)) { gmem_free(s); return GRFM_STOPPED; }
    if (n % 2) { num = s[n / 2].v; den = 1; }
    else { num = (__int128)s[n / 2 - 1].v + s[n / 2].v; den = 2; }
    gmem_free(s);
  } else {
    for (size_t i = 0; i < n; i++) num += x[i];
    den = (__int128)n;
  }
  for (size_t i = 0; i < n; i++) {
    __int128 scaled = (__int128)x[i] * den;
    bit[i] = lower_is_better ? scaled <= num : scaled >= num;
  }
  return 0;
}

/* ---- segment maps ---- */

const char *const grfm_en_names[GRFM_EN_SEGMENTS] = {
  "Champions", "Loyal Customers", "Potential Loyalist", "New Customers", "Promising", "Need Attention",
  "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
};

/* The English map on R (rows, 5 first) and FM = ceil((F + M) / 2) (columns 5..1): the grid
** public SQL uses for the 11-segment "R x FM" scheme, made a partition of all 25 cells, so
** each of the 125 R/F/M cells lands in exactly one segment. Indexes into grfm_en_names. */
static const uint8_t en_grid[5][5] = {
  /* FM:   5  4  3  2  1 */
  /* R5 */ {0, 0, 1, 2, 3},
  /* R4 */ {0, 1, 2, 2, 4},
  /* R3 */ {1, 1, 2, 5, 4},
  /* R2 */ {7, 7, 5, 5, 6},
  /* R1 */ {8, 8, 7, 9, 10},
};

const char *grfm_segment_en(int r, int f, int m) {
  if (r < 1 || r > 5 || f < 1 || f > 5 || m < 1 || m > 5) return NULL;
  int fm = (f + m + 1) / 2;
  return grfm_en_names[en_grid[5 - r][5 - fm]];
}

const char *const grfm_cn_codes[8] = {"111", "011", "101", "001", "110", "010", "100", "000"};

const char *grfm_segment_cn(int r, int f, int m) {
  static const char *const names[8] = {
    /* index r*4 + f*2 + m */
    "一般挽留客户", /* 000 */
    "重要挽留客户", /* 001 */
    "一般保持客户", /* 010 */
    "重要保持客户", /* 011 */
    "一般发展客户", /* 100 */
    "重要发展客户", /* 101 */
    "一般价值客户", /* 110 */
    "重要价值客户", /* 111 */
  };
  if ((r != 0 && r != 1) || (f != 0 && f != 1) || (m != 0 && m != 1)) return NULL;
  return names[r * 4 + f * 2 + m];
}
