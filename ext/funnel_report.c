/* funnel_report.c: see funnel_report.h. */
#include "funnel_report.h"

static inline int less_than(const gfunnel_order *o, int64_t a, int64_t b) { return o ? o->less(o->ctx, a, b) : a < b; }

static inline void swap64(int64_t *a, int64_t *b) {
  int64_t t = *a;
  *a = *b;
  *b = t;
}

static void sift_down(int64_t *v, size_t root, size_t n, const gfunnel_order *o) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && less_than(o, v[child], v[child + 1])) child++;
    if (!less_than(o, v[root], v[child])) return;
    swap64(&v[root], &v[child]);
    root = child;
  }
}

/* A sift is at most 2 log2 n comparisons: counted as 64 units. */
static int heap_sort(int64_t *v, size_t n, const gfunnel_order *o, gcancel *cancel) {
  for (size_t i = n / 2; i > 0; i--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_SELECT_STOPPED;
    sift_down(v, i - 1, n, o);
  }
  for (size_t end = n - 1; end > 0; end--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_SELECT_STOPPED;
    swap64(&v[0], &v[end]);
    sift_down(v, 0, end, o);
  }
  return 0;
}

int gfunnel_select(int64_t *v, size_t n, size_t k, const gfunnel_order *o, gcancel *cancel) {
  if (o && !o->less) o = NULL;
  size_t lo = 0, hi = n - 1;
  /* a quickselect may meet an input that makes every pivot bad (McIlroy's adversary makes one
  ** for any median-of-three scheme): past 2 log2 n partitions the rest is heap sorted */
  int depth = 0;
  for (size_t m = n; m > 1; m >>= 1) depth += 2;
  while (lo < hi) {
    if (depth-- == 0) return heap_sort(v + lo, hi - lo + 1, o, cancel);
    if (gcancel_work(cancel, hi - lo + 1)) return GFUNNEL_SELECT_STOPPED;
    size_t mid = lo + (hi - lo) / 2;
    /* median of three as the pivot */
    int64_t a = v[lo], b = v[mid], c = v[hi];
    int64_t pivot = less_than(o, a, b) ? (less_than(o, b, c) ? b : (less_than(o, a, c) ? c : a))
                                       : (less_than(o, a, c) ? a : (less_than(o, b, c) ? c : b));
    size_t i = lo, j = hi;
    while (i <= j) {
      while (less_than(o, v[i], pivot)) i++;
      while (less_than(o, pivot, v[j])) j--;
      if (i <= j) {
        swap64(&v[i], &v[j]);
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return 0;
  }
  return 0;
}

int gfunnel_quantile(int64_t *v, size_t n, double q, gcancel *cancel, double *out) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)pos;
  double frac = pos - (double)lo;
  if (gfunnel_select(v, n, lo, NULL, cancel)) return GFUNNEL_SELECT_STOPPED;
  int64_t x = v[lo];
  double r = (double)x;
  if (frac > 0 && lo + 1 < n) {
    /* after selecting lo, everything above it is >= v[lo]: the next rank is their minimum */
    if (gcancel_work(cancel, n - lo)) return GFUNNEL_SELECT_STOPPED;
    int64_t y = v[lo + 1];
    for (size_t i = lo + 2; i < n; i++)
      if (v[i] < y) y = v[i];
    r += frac * (double)(y - x);
  }
  *out = r;
  return 0;
}
