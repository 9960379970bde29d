/*
** test_funnel_report.c: the funnel report's pure computation (ext/funnel_report.c).
**
** - Quantiles on hand-worked values, and on random data against a full sort.
** - The selection under McIlroy's adversary ("A Killer Adversary for Quicksort", Software:
**   Practice and Experience 29(4), 1999): the adversary decides the values while the selection
**   compares them, always so that the pivot is as bad as it can be, and the values it decided
**   are then given to the selection as plain input. A quickselect without a fallback does
**   about n^2 / 4 units of work on such an input (issue 16, M2); the bound checked here is
**   the introselect's, 2 n log2 n units of partitioning and 128 n of heap sort. Work is
**   counted in the selection's own units (cancel.h), never timed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "funnel_report.h"

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* percentile_cont from a sorted copy: the definition the selection must meet */
static double sorted_quantile(const int64_t *v, size_t n, double q) {
  int64_t *s = malloc(n * sizeof *s);
  assert_non_null(s);
  memcpy(s, v, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp64);
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)pos;
  double frac = pos - (double)lo, r = (double)s[lo];
  if (frac > 0 && lo + 1 < n) r += frac * (double)(s[lo + 1] - s[lo]);
  free(s);
  return r;
}

static double quantile_of(const int64_t *v, size_t n, double q) {
  int64_t *w = malloc(n * sizeof *w);
  assert_non_null(w);
  memcpy(w, v, n * sizeof *w);
  double r = -1;
  assert_int_equal(gfunnel_quantile(w, n, q, NULL, &r), 0);
  free(w);
  return r;
}

static void quantiles_by_hand(void **state) {
  (void)state;
  /* 4 values 10, 20, 30, 40 (given out of order): the median is halfway between ranks 1 and 2,
  ** 25; p90 is at rank 0.9 * 3 = 2.7, 30 + 0.7 * 10 = 37 */
  int64_t v[] = {40, 10, 30, 20};
  assert_true(quantile_of(v, 4, 0.5) == 25.0);
  assert_true(quantile_of(v, 4, 0.9) == 37.0);
  /* one value is every quantile; equal values too */
  int64_t one[] = {-7};
  assert_true(quantile_of(one, 1, 0.5) == -7.0);
  assert_true(quantile_of(one, 1, 0.9) == -7.0);
  int64_t same[] = {3, 3, 3, 3, 3};
  assert_true(quantile_of(same, 5, 0.9) == 3.0);
  /* 5 values: the median is rank 2 exactly, 3; p90 at rank 3.6: 4 + 0.6 * (100 - 4) = 61.6 */
  int64_t five[] = {100, 1, 4, 3, 2};
  assert_true(quantile_of(five, 5, 0.5) == 3.0);
  assert_true(fabs(quantile_of(five, 5, 0.9) - 61.6) < 1e-9);
}

static void quantiles_match_a_full_sort(void **state) {
  (void)state;
  uint64_t x = 88172645463325252u;
  for (size_t n = 1; n < 3000; n = n * 3 / 2 + 1) {
    for (int shape = 0; shape < 4; shape++) {
      int64_t *v = malloc(n * sizeof *v);
      assert_non_null(v);
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = shape == 0 ? (int64_t)(x >> 1) - INT64_MAX / 2 /* wide, both signs */
             : shape == 1 ? (int64_t)(x % 5)                  /* few distinct */
             : shape == 2 ? (int64_t)(n - i)                  /* descending */
                          : (int64_t)(i < n / 2 ? i : n - i); /* organ pipe */
      }
      for (int qi = 0; qi <= 10; qi++) {
        double q = qi / 10.0;
        assert_true(quantile_of(v, n, q) == sorted_quantile(v, n, q));
      }
      free(v);
    }
  }
}

/* ---- McIlroy's adversary */

typedef struct adversary {
  int64_t *val; /* val[x]: the value decided for item x, or gas (not decided yet) */
  int64_t gas, nsolid, candidate;
} adversary;

/* Items are their own identities 0..n-1 while the adversary runs. Comparing two undecided
** items freezes one (the last pivot candidate, if it is one of them) to the next smallest value;
** an undecided item is greater than every decided one. */
static int adversary_less(void *ctx, int64_t x, int64_t y) {
  adversary *a = ctx;
  if (a->val[x] == a->gas && a->val[y] == a->gas) {
    if (x == a->candidate) a->val[x] = a->nsolid++;
    else a->val[y] = a->nsolid++;
  }
  if (a->val[x] == a->gas) a->candidate = x;
  else if (a->val[y] == a->gas) a->candidate = y;
  return a->val[x] < a->val[y];
}

/* The adversary's input against selecting rank k of n. */
static int64_t *adversarial_input(size_t n, size_t k) {
  int64_t *items = malloc(n * sizeof *items), *val = malloc(n * sizeof *val);
  assert_non_null(items);
  assert_non_null(val);
  adversary a = {val, (int64_t)n, 0, -1};
  for (size_t i = 0; i < n; i++) {
    items[i] = (int64_t)i;
    val[i] = a.gas;
  }
  gfunnel_order order = {adversary_less, &a};
  assert_int_equal(gfunnel_select(items, n, k, &order, NULL), 0);
  free(items);
  return val; /* undecided items keep the value gas, above every decided one */
}

typedef struct polls {
  uint64_t n, stop_at;
} polls;

static int count_poll(void *ctx) {
  polls *p = ctx;
  return ++p->n == p->stop_at;
}

static void adversarial_inputs_stay_n_log_n(void **state) {
  (void)state;
  const size_t n = 100000;
  int log2n = 0;
  for (size_t m = n; m > 1; m >>= 1) log2n++;
  const double qs[] = {0.5, 0.9, 0.0, 1.0};
  for (int qi = 0; qi < 4; qi++) {
    size_t k = (size_t)(qs[qi] * (double)(n - 1));
    int64_t *in = adversarial_input(n, k);
    int64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    memcpy(v, in, n * sizeof *v);
    /* units counted exactly: a budget so large that no poll comes */
    polls p = {0, 0};
    gcancel c = {count_poll, &p, INT64_MAX / 2, 0};
    assert_int_equal(gfunnel_select(v, n, k, NULL, &c), 0);
    assert_int_equal(p.n, 0);
    uint64_t units = (uint64_t)(INT64_MAX / 2 - c.left);
    /* the answer is the full sort's, and v is partitioned around it */
    int64_t *s = malloc(n * sizeof *s);
    assert_non_null(s);
    memcpy(s, in, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp64);
    assert_true(v[k] == s[k]);
    for (size_t i = 0; i < n; i++) assert_true(i < k ? v[i] <= v[k] : i > k ? v[i] >= v[k] : 1);
    printf("  rank %zu of %zu under the adversary: %llu units (bound %llu)\n", k, n, (unsigned long long)units,
           (unsigned long long)(2 * (uint64_t)n * log2n + 128 * (uint64_t)n));
    assert_true(units <= 2 * (uint64_t)n * log2n + 128 * (uint64_t)n);
    /* and the quantiles over it equal the full sort's */
    assert_true(quantile_of(in, n, qs[qi]) == sorted_quantile(in, n, qs[qi]));
    free(s);
    free(v);
    free(in);
  }
}

/* The adversary is one: on its input the quickselect's partitions alone would pass the bound
** (its pivots remove a few items each), which is what sends the selection to the heap sort.
** Checked by counting partitions on the same input with the order traced. */
typedef struct tracer {
  uint64_t compares;
} tracer;

static int traced_less(void *ctx, int64_t a, int64_t b) {
  ((tracer *)ctx)->compares++;
  return a < b;
}

static void the_adversary_defeats_plain_quickselect(void **state) {
  (void)state;
  const size_t n = 20000;
  size_t k = (n - 1) / 2;
  int64_t *in = adversarial_input(n, k);
  /* its values are a permutation-like input: every decided value once, the rest equal */
  tracer t = {0};
  gfunnel_order order = {traced_less, &t};
  int64_t *v = malloc(n * sizeof *v);
  assert_non_null(v);
  memcpy(v, in, n * sizeof *v);
  assert_int_equal(gfunnel_select(v, n, k, &order, NULL), 0);
  /* a selection that partitions well compares about 3n times; here it is at least
  ** 2 log2 n partitions of nearly n items each before the heap sort, and the heap sort itself */
  printf("  %llu comparisons for rank %zu of %zu under the adversary\n", (unsigned long long)t.compares, k, n);
  assert_true(t.compares > 20 * (uint64_t)n);
  free(v);
  free(in);
}

static void a_stop_is_honoured(void **state) {
  (void)state;
  const size_t n = 1000000;
  int64_t *v = malloc(n * sizeof *v);
  assert_non_null(v);
  uint64_t x = 1;
  for (size_t i = 0; i < n; i++) v[i] = (int64_t)((x = x * 6364136223846793005u + 1442695040888963407u) >> 20);
  polls p = {0, 1};
  gcancel c = {count_poll, &p, GCANCEL_PERIOD, 0};
  double r;
  assert_int_equal(gfunnel_quantile(v, n, 0.5, &c, &r), GFUNNEL_SELECT_STOPPED);
  assert_true(c.stopped);
  free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(quantiles_by_hand),
    cmocka_unit_test(quantiles_match_a_full_sort),
    cmocka_unit_test(adversarial_inputs_stay_n_log_n),
    cmocka_unit_test(the_adversary_defeats_plain_quickselect),
    cmocka_unit_test(a_stop_is_honoured),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
