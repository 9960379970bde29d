/*
** test_rfm_score.c: the pure RFM core (ext/rfm_score.c). Every expectation is worked out by
** hand in the comment beside it from the rule in rfm_score.h:
**   rank = 1 + number of strictly worse values; score = 1 + floor(bins * (rank - 1) / n).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"

#include "rfm_score.h"

static void assert_scores(const uint8_t *got, const uint8_t *want, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (got[i] != want[i]) fail_msg("score[%zu] = %d, expected %d", i, got[i], want[i]);
  }
}

static void quantiles_without_ties_are_balanced(void **state) {
  (void)state;
  /* 10 distinct values, bins 5: ranks 1..10, score = 1 + floor(5*(rank-1)/10) = 1,1,2,2,...,5,5 */
  int64_t x[10] = {50, 10, 90, 20, 80, 30, 70, 40, 60, 100};
  uint8_t s[10];
  assert_int_equal(grfm_score_quantile(x, 10, 5, 0, s, NULL), 0);
  uint8_t want[10] = {3, 1, 5, 1, 4, 2, 4, 2, 3, 5};
  assert_scores(s, want, 10);
  /* 7 values, bins 3: floor(3*(rank-1)/7) for rank 1..7 = 0,0,0,1,1,2,2 */
  int64_t y[7] = {1, 2, 3, 4, 5, 6, 7};
  uint8_t t[7];
  assert_int_equal(grfm_score_quantile(y, 7, 3, 0, t, NULL), 0);
  uint8_t want_y[7] = {1, 1, 1, 2, 2, 3, 3};
  assert_scores(t, want_y, 7);
}

static void heavy_ties_share_one_score(void **state) {
  (void)state;
  /* F of 10 customers, 60% with one order: 1,1,1,1,1,1,2,2,3,4 (shuffled).
  ** The six 1s: rank 1 -> 1 + 0 = 1. The 2s: rank 7 -> 1 + floor(5*6/10) = 4.
  ** The 3: rank 9 -> 1 + floor(40/10) = 5. The 4: rank 10 -> 1 + floor(45/10) = 5.
  ** NTILE(5) would have split the six 1s over scores 1, 2 and 3. */
  int64_t f[10] = {2, 1, 1, 4, 1, 1, 3, 1, 2, 1};
  uint8_t s[10];
  assert_int_equal(grfm_score_quantile(f, 10, 5, 0, s, NULL), 0);
  uint8_t want[10] = {4, 1, 1, 5, 1, 1, 5, 1, 4, 1};
  assert_scores(s, want, 10);
  /* All equal: everybody rank 1, score 1. */
  int64_t same[4] = {7, 7, 7, 7};
  uint8_t t[4];
  assert_int_equal(grfm_score_quantile(same, 4, 5, 0, t, NULL), 0);
  uint8_t ones[4] = {1, 1, 1, 1};
  assert_scores(t, ones, 4);
}

static void recency_scores_favour_the_recent(void **state) {
  (void)state;
  /* recency days 1, 3, 3, 10, 40: worst first is 40 (rank 1), 10 (rank 2), 3 and 3 (rank 3),
  ** 1 (rank 5). Scores: 40 -> 1, 10 -> 1+floor(5/5)=2, 3 -> 1+floor(10/5)=3, 1 -> 1+floor(20/5)=5. */
  int64_t r[5] = {3, 1, 40, 3, 10};
  uint8_t s[5];
  assert_int_equal(grfm_score_quantile(r, 5, 5, 1, s, NULL), 0);
  uint8_t want[5] = {3, 5, 1, 3, 2};
  assert_scores(s, want, 5);
}

static void single_and_empty_inputs(void **state) {
  (void)state;
  int64_t one = 42;
  uint8_t s = 0;
  assert_int_equal(grfm_score_quantile(&one, 1, 5, 0, &s, NULL), 0);
  assert_int_equal(s, 1);  /* rank 1 of 1 */
  assert_int_equal(grfm_score_quantile(NULL, 0, 5, 0, NULL, NULL), 0);
  /* extreme values do not overflow anything: only order matters */
  int64_t x[3] = {INT64_MAX, INT64_MIN, 0};
  uint8_t t[3];
  assert_int_equal(grfm_score_quantile(x, 3, 10, 0, t, NULL), 0);
  uint8_t want[3] = {7, 1, 4}; /* ranks 3,1,2 -> 1+floor(10*2/3)=7, 1, 1+floor(10/3)=4 */
  assert_scores(t, want, 3);
}

static int cmp_pair(const void *a, const void *b) {
  const grfm_pair *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

static void radix_sort_orders_negatives_and_keeps_ties_stable(void **state) {
  (void)state;
  /* A fixed pseudo-random mix of signs, magnitudes and duplicates, checked against qsort on
  ** (value, original index): equal values must keep their input order. */
  enum { N = 5000 };
  static grfm_pair a[N], tmp[N], want[N];
  uint64_t x = 88172645463325252u;
  for (size_t i = 0; i < N; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    int64_t v = (int64_t)(x % 2000) - 1000;           /* many duplicates around zero */
    if (i % 7 == 0) v = (int64_t)x;                    /* full-range values of both signs */
    if (i == 1) v = INT64_MIN;
    if (i == 2) v = INT64_MAX;
    a[i].v = v;
    a[i].i = i;
    want[i] = a[i];
  }
  qsort(want, N, sizeof *want, cmp_pair);
  grfm_sort_pairs(a, tmp, N, NULL);
  for (size_t i = 0; i < N; i++) {
    if (a[i].v != want[i].v || a[i].i != want[i].i) fail_msg("position %zu differs", i);
  }
}

static void cut_points_take_the_better_score_on_the_boundary(void **state) {
  (void)state;
  /* F cuts 2;3;5;10 (bins 5): 1 -> 1, 2 -> 2, 3 -> 3, 4 -> 3, 5 -> 4, 9 -> 4, 10 -> 5, 50 -> 5 */
  int64_t f[8] = {1, 2, 3, 4, 5, 9, 10, 50};
  int64_t fc[4] = {2, 3, 5, 10};
  uint8_t s[8];
  grfm_score_cuts(f, 8, fc, 4, 0, s);
  uint8_t want[8] = {1, 2, 3, 3, 4, 4, 5, 5};
  assert_scores(s, want, 8);
  /* R cuts 30;90;180 (bins 4): 0 -> 4, 30 -> 4, 31 -> 3, 90 -> 3, 91 -> 2, 180 -> 2, 181 -> 1 */
  int64_t r[7] = {0, 30, 31, 90, 91, 180, 181};
  int64_t rc[3] = {30, 90, 180};
  uint8_t t[7];
  grfm_score_cuts(r, 7, rc, 3, 1, t);
  uint8_t want_r[7] = {4, 4, 3, 3, 2, 2, 1};
  assert_scores(t, want_r, 7);
}

static void parses_cut_points(void **state) {
  (void)state;
  int64_t c[GRFM_MAX_CUTS];
  int n;
  assert_null(grfm_parse_cuts("30;90;180", 0, c, &n));
  assert_int_equal(n, 3);
  assert_true(c[0] == 30 && c[1] == 90 && c[2] == 180);
  /* money at scale 2: 99.5 -> 9950 cents, 1000 -> 100000 */
  assert_null(grfm_parse_cuts(" 99.5 ; 1000", 2, c, &n));
  assert_int_equal(n, 2);
  assert_true(c[0] == 9950 && c[1] == 100000);
  assert_string_equal(grfm_parse_cuts("90;30", 0, c, &n), "cut points must be strictly ascending");
  assert_string_equal(grfm_parse_cuts("30;30", 0, c, &n), "cut points must be strictly ascending");
  assert_string_equal(grfm_parse_cuts("30;x", 0, c, &n), "a cut point is not a number");
  assert_string_equal(grfm_parse_cuts("30;;90", 0, c, &n), "a cut point is not a number");
  assert_string_equal(grfm_parse_cuts("30.5", 0, c, &n), "a cut point is not a whole number");
  assert_string_equal(grfm_parse_cuts("9.999", 2, c, &n), "a cut point has more decimals than the money scale");
  assert_string_equal(grfm_parse_cuts("1;2;3;4;5;6;7;8;9;10", 0, c, &n), "too many cut points (at most 9, for bins=10)");
}

static void splits_at_mean_and_median_exactly(void **state) {
  (void)state;
  /* F = 1,1,1,2,5: mean 2 -> at or above: 2 and 5. median 1 -> everybody. */
  int64_t f[5] = {1, 1, 1, 2, 5};
  uint8_t b[5];
  assert_int_equal(grfm_split(f, 5, 0, 0, b, NULL), 0);
  uint8_t want_mean[5] = {0, 0, 0, 1, 1};
  assert_scores(b, want_mean, 5);
  assert_int_equal(grfm_split(f, 5, 1, 0, b, NULL), 0);
  uint8_t want_median[5] = {1, 1, 1, 1, 1};
  assert_scores(b, want_median, 5);
  /* Recency 10, 20, 31: mean 61/3 = 20.33; at or below: 10 and 20. A float mean would
  ** also get this right, so also: 1, 2 (mean 1.5; below: 1 only) and an even median. */
  int64_t r[3] = {10, 20, 31};
  assert_int_equal(grfm_split(r, 3, 0, 1, b, NULL), 0);
  uint8_t want_r[3] = {1, 1, 0};
  assert_scores(b, want_r, 3);
  /* median of 1, 2, 4, 9 is 3: at or above -> 4 and 9; at or below (recency) -> 1 and 2 */
  int64_t m[4] = {9, 1, 4, 2};
  assert_int_equal(grfm_split(m, 4, 1, 0, b, NULL), 0);
  uint8_t want_m[4] = {1, 0, 1, 0};
  assert_scores(b, want_m, 4);
  assert_int_equal(grfm_split(m, 4, 1, 1, b, NULL), 0);
  uint8_t want_m_low[4] = {0, 1, 0, 1};
  assert_scores(b, want_m_low, 4);
  /* Large sums do not overflow: mean of INT64_MAX and INT64_MAX - 2 is INT64_MAX - 1. */
  int64_t big[2] = {INT64_MAX, INT64_MAX - 2};
  assert_int_equal(grfm_split(big, 2, 0, 0, b, NULL), 0);
  uint8_t want_big[2] = {1, 0};
  assert_scores(b, want_big, 2);
}

static void english_map_is_a_partition(void **state) {
  (void)state;
  /* Every one of the 125 cells has exactly one name (a function cannot give two), the name is
  ** one of the 11, and every one of the 11 is used. */
  int used[GRFM_EN_SEGMENTS] = {0};
  for (int r = 1; r <= 5; r++)
    for (int f = 1; f <= 5; f++)
      for (int m = 1; m <= 5; m++) {
        const char *s = grfm_segment_en(r, f, m);
        assert_non_null(s);
        int k = -1;
        for (int i = 0; i < GRFM_EN_SEGMENTS; i++)
          if (strcmp(s, grfm_en_names[i]) == 0) k = i;
        assert_true(k >= 0);
        used[k]++;
      }
  int total = 0;
  for (int i = 0; i < GRFM_EN_SEGMENTS; i++) {
    assert_true(used[i] > 0);
    total += used[i];
  }
  assert_int_equal(total, 125);
  /* Spot checks against the grid: FM = ceil((F+M)/2). */
  assert_string_equal(grfm_segment_en(5, 5, 5), "Champions");
  assert_string_equal(grfm_segment_en(5, 4, 3), "Champions");         /* R5, FM ceil(7/2) = 4 */
  assert_string_equal(grfm_segment_en(5, 3, 2), "Loyal Customers");   /* R5, FM ceil(5/2) = 3 */
  assert_string_equal(grfm_segment_en(1, 1, 1), "Lost");
  assert_string_equal(grfm_segment_en(5, 1, 1), "New Customers");
  assert_string_equal(grfm_segment_en(1, 5, 4), "Can't Lose Them");  /* R1, FM 5 */
  assert_string_equal(grfm_segment_en(2, 1, 2), "Need Attention");    /* R2, FM ceil(3/2) = 2 */
  assert_string_equal(grfm_segment_en(2, 1, 1), "About To Sleep");    /* R2, FM 1 */
  assert_string_equal(grfm_segment_en(2, 5, 4), "At Risk");           /* R2, FM 5 */
  assert_null(grfm_segment_en(0, 1, 1));
  assert_null(grfm_segment_en(1, 6, 1));
}

static void chinese_map(void **state) {
  (void)state;
  assert_string_equal(grfm_segment_cn(1, 1, 1), "重要价值客户");
  assert_string_equal(grfm_segment_cn(0, 1, 1), "重要保持客户");
  assert_string_equal(grfm_segment_cn(1, 0, 1), "重要发展客户");
  assert_string_equal(grfm_segment_cn(0, 0, 1), "重要挽留客户");
  assert_string_equal(grfm_segment_cn(1, 1, 0), "一般价值客户");
  assert_string_equal(grfm_segment_cn(0, 1, 0), "一般保持客户");
  assert_string_equal(grfm_segment_cn(1, 0, 0), "一般发展客户");
  assert_string_equal(grfm_segment_cn(0, 0, 0), "一般挽留客户");
  assert_null(grfm_segment_cn(2, 0, 0));
  for (int i = 0; i < 8; i++) {
    const char *c = grfm_cn_codes[i];
    assert_non_null(grfm_segment_cn(c[0] - '0', c[1] - '0', c[2] - '0'));
  }
}

/* The SQL test compares rfm() with the reference query; it must be the shipped file's text. */
static void sql_test_uses_the_reference_verbatim(void **state) {
  (void)state;
  char *ref = read_file("sql/reference/rfm.sql");
  char *test = read_file("tests/sql/rfm_reference.sql");
  if (!ref || !test) fail_msg("run from the repository root: cannot read sql/reference/rfm.sql or tests/sql/rfm_reference.sql");
  assert_non_null(strstr(test, ref));
  free(ref);
  free(test);
}

static int stop_at_poll(void *ctx) { return --*(int *)ctx <= 0; }

/* Sorting and scoring poll their gcancel once per radix pass (n units) and stop when told:
** 200k values pass the poll period (65536 units) several times over. */
static void stop_when_told(void **state) {
  (void)state;
  enum { N = 200000 };
  int64_t *x = malloc(sizeof *x * N);
  uint8_t *out = malloc(N);
  grfm_pair *p = malloc(sizeof *p * N * 2);
  assert_non_null(x); assert_non_null(out); assert_non_null(p);
  for (int i = 0; i < N; i++) { x[i] = (int64_t)i * 2654435761u % 1000003; p[i].v = x[i]; p[i].i = (size_t)i; }
  int left = 1;
  gcancel c = {stop_at_poll, &left, GCANCEL_PERIOD, 0};
  assert_int_equal(grfm_sort_pairs(p, p + N, N, &c), GRFM_STOPPED);
  left = 2;
  c.stopped = 0;
  assert_int_equal(grfm_score_quantile(x, N, 5, 0, out, &c), GRFM_STOPPED);
  left = 2;
  c.stopped = 0;
  assert_int_equal(grfm_split(x, N, 1, 0, out, &c), GRFM_STOPPED);
  /* one that never says stop changes nothing */
  left = 1000000;
  c.stopped = 0;
  assert_int_equal(grfm_sort_pairs(p, p + N, N, &c), 0);
  for (int i = 1; i < N; i++) assert_true(p[i - 1].v <= p[i].v);
  free(x); free(out); free(p);
}

/* Values spanning few integers are scored by counting, many by sorting: both give every value
** 1 + bins * (the count of worse values) / n, checked against that count taken directly. */
static void counting_and_sorting_follow_the_tie_rule(void **state) {
  (void)state;
  enum { N = 1500 };
  int64_t x[N];
  uint8_t s[N];
  uint64_t r = 12345;
  for (int spread = 0; spread < 4; spread++) {
    /* spans of 7, 2999 (counted), 3001 (sorted) and about 2^40 values, some negative */
    static const uint64_t spans[4] = {7, 2 * N - 1, 2 * N + 1, UINT64_C(1) << 40};
    for (int i = 0; i < N; i++) {
      r ^= r << 13;
      r ^= r >> 7;
      r ^= r << 17;
      x[i] = (int64_t)(r % spans[spread]) - (spread == 3 ? INT64_C(1) << 39 : 3);
    }
    x[0] = -3; /* both ends present: the span is exactly spans[spread] for the middle two */
    if (spread < 3) x[1] = (int64_t)spans[spread] - 4;
    for (int lower = 0; lower < 2; lower++) {
      for (int bins = 2; bins <= 10; bins += 3) {
        assert_int_equal(grfm_score_quantile(x, N, bins, lower, s, NULL), 0);
        for (int i = 0; i < N; i++) {
          size_t worse = 0;
          for (int j = 0; j < N; j++) worse += lower ? x[j] > x[i] : x[j] < x[i];
          assert_int_equal(s[i], 1 + (uint64_t)bins * worse / N);
        }
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(quantiles_without_ties_are_balanced),
    cmocka_unit_test(heavy_ties_share_one_score),
    cmocka_unit_test(recency_scores_favour_the_recent),
    cmocka_unit_test(single_and_empty_inputs),
    cmocka_unit_test(radix_sort_orders_negatives_and_keeps_ties_stable),
    cmocka_unit_test(cut_points_take_the_better_score_on_the_boundary),
    cmocka_unit_test(parses_cut_points),
    cmocka_unit_test(splits_at_mean_and_median_exactly),
    cmocka_unit_test(english_map_is_a_partition),
    cmocka_unit_test(chinese_map),
    cmocka_unit_test(stop_when_told),
    cmocka_unit_test(counting_and_sorting_follow_the_tie_rule),
    cmocka_unit_test(sql_test_uses_the_reference_verbatim),
  };
  return cmocka_run_group_tests_name("rfm_score", tests, NULL, NULL);
}
