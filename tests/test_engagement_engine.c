/*
** test_engagement_engine.c: the stickiness and active-user core (ext/engagement_engine.h).
**
** Expected values: PostHog's stickiness vectors (test_stickiness_query_runner.py:
** test_interval_day, test_interval_week, test_interval_2_day, test_interval_2_day_filtering,
** test_criteria) and active-user vectors (test_trends_query_runner.py: daily DAU, WAU, MAU on the
** lifecycle dataset; WAU per calendar week), copied below with their datasets; and independent
** implementations in this file that follow the definitions literally (one boolean per actor and
** hour / day, windows scanned day by day), compared on random histories.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "failing_alloc.h"

#include "engagement_engine.h"
#include "mem.h"

#define DAY GTIME_US_PER_DAY
#define HOUR (INT64_C(3600) * GTIME_US_PER_SEC)
#define JAN1_2020 (INT64_C(1577836800) * GTIME_US_PER_SEC)   /* a Wednesday */
#define JAN(d) (JAN1_2020 + ((d) - 1) * DAY + 12 * HOUR)
#define DAYNO(d) (JAN1_2020 / DAY + (d) - 1)

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void build(gevents *ev, const uint32_t *actor, const int64_t *ts, size_t n) {
  gevents_init(ev, 0, 0);
  for (size_t i = 0; i < n; i++) assert_null(gevents_add(ev, actor[i], ts[i], NULL));
  assert_null(gevents_group(ev, NULL, NULL));
}

static gstick_opts stick_opts(ggrain unit, ggrain window, int64_t first, int64_t last) {
  gstick_opts o;
  memset(&o, 0, sizeof o);
  o.unit = unit;
  o.window = window;
  o.first = first;
  o.last = last;
  o.every = 1;
  o.min_events = 1;
  o.max_events = INT64_MAX;
  return o;
}

static void expect_hist(const gstick *s, const uint32_t *want, uint64_t n) {
  assert_int_equal(s->nrows, n);
  for (uint64_t k = 0; k < n; k++) assert_int_equal(s->hist[k], want[k]);
}

/* DS: p1 every day 2020-01-11 .. 19, p2 on 11, 13, 15, 17, 19, all 12:00 UTC. */
static void dataset_ds(gevents *ev) {
  uint32_t actor[14];
  int64_t ts[14];
  size_t n = 0;
  for (int d = 11; d <= 19; d++) actor[n] = 0, ts[n++] = JAN(d);
  for (int d = 11; d <= 19; d += 2) actor[n] = 1, ts[n++] = JAN(d);
  build(ev, actor, ts, n);
}

static void posthog_stickiness_vectors(void **state) {
  (void)state;
  gevents ev;
  dataset_ds(&ev);
  gstick s;
  /* S1 test_interval_day: 2020-01-11 .. 20, 10 days: p2 5 days, p1 9 days */
  gstick_opts o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(11), DAYNO(20));
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s1[10] = {0, 0, 0, 0, 1, 0, 0, 0, 1, 0};
  expect_hist(&s, s1, 10);
  gstick_free(&s);
  /* S2 test_interval_week, Sunday weeks of Jan 5, 12, 19: both active in all three */
  o = stick_opts(GGRAIN_WEEK, GGRAIN_RANGE, 0, 0);
  o.cal.week_starts_sunday = 1;
  o.first = ggrain_index(GGRAIN_WEEK, &o.cal, JAN(11));
  o.last = ggrain_index(GGRAIN_WEEK, &o.cal, JAN(20));
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s2[3] = {0, 0, 2};
  expect_hist(&s, s2, 3);
  gstick_free(&s);
  /* S4 test_interval_2_day: 2-day buckets back from the 20th: {19,20} {17,18} ... {11,12} */
  o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(11), DAYNO(20));
  o.every = 2;
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s4[5] = {0, 0, 0, 0, 2};
  expect_hist(&s, s4, 5);
  gstick_free(&s);
  /* S10's current range 12 .. 20: p2 4 days, p1 8 days */
  o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(12), DAYNO(20));
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s10[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
  expect_hist(&s, s10, 9);
  gstick_free(&s);
  /* Amplitude-style per window (Sunday weeks): week of Jan 12 has p1 on 7 days, p2 on 3
  ** (13, 15, 17); weeks of Jan 5 and 19: both on 1 day */
  o = stick_opts(GGRAIN_DAY, GGRAIN_WEEK, 0, 0);
  o.cal.week_starts_sunday = 1;
  o.first = ggrain_index(GGRAIN_WEEK, &o.cal, JAN(11));
  o.last = o.first + 2;
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t weekly[21] = {2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0};
  expect_hist(&s, weekly, 21);
  assert_int_equal(s.windows[1].start_us, JAN1_2020 + 11 * DAY);  /* Sunday 2020-01-12 */
  gstick_free(&s);
  gevents_free(&ev);

  /* S5 test_interval_2_day_filtering: p1 every day 11 .. 19, p2 on 11, 13, 15 */
  uint32_t actor[12];
  int64_t ts[12];
  size_t n = 0;
  for (int d = 11; d <= 19; d++) actor[n] = 0, ts[n++] = JAN(d);
  for (int d = 11; d <= 15; d += 2) actor[n] = 1, ts[n++] = JAN(d);
  build(&ev, actor, ts, n);
  o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(11), DAYNO(20));
  o.every = 2;
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s5[5] = {0, 0, 1, 0, 1};
  expect_hist(&s, s5, 5);
  gstick_free(&s);
  gevents_free(&ev);

  /* S6 test_criteria: p1 on 11 x2, 13 x2, 15 x2, 17 x3, 19 x1; p2 on 12 x2, 13 x2, 19 x1 */
  static const int p1[][2] = {{11, 2}, {13, 2}, {15, 2}, {17, 3}, {19, 1}}, p2[][2] = {{12, 2}, {13, 2}, {19, 1}};
  uint32_t a6[20];
  int64_t t6[20];
  n = 0;
  for (int i = 0; i < 5; i++)
    for (int k = 0; k < p1[i][1]; k++) a6[n] = 0, t6[n++] = JAN(p1[i][0]) + k;
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < p2[i][1]; k++) a6[n] = 1, t6[n++] = JAN(p2[i][0]) + k;
  build(&ev, a6, t6, n);
  o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(12), DAYNO(20));
  o.min_events = 2;  /* gte 2: p2 2 days, p1 3 days (13, 15, 17) */
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t gte2[9] = {0, 1, 1, 0, 0, 0, 0, 0, 0};
  expect_hist(&s, gte2, 9);
  gstick_free(&s);
  o.min_events = 1, o.max_events = 1;  /* lte 1: p1 on the 19th, p2 on the 19th */
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t lte1[9] = {2, 0, 0, 0, 0, 0, 0, 0, 0};
  expect_hist(&s, lte1, 9);
  gstick_free(&s);
  o = stick_opts(GGRAIN_DAY, GGRAIN_RANGE, DAYNO(11), DAYNO(20));
  o.min_events = 2, o.max_events = 2;  /* exact 2: p1 11, 13, 15; p2 12, 13 */
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t exact2[10] = {0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
  expect_hist(&s, exact2, 10);
  gstick_free(&s);
  gevents_free(&ev);
}

/* Hours: S8 (p1 at 12:00, 13:00, 14:00, p2 at 12:00, 13:00 on 2020-01-11) and an hour unit
** inside day windows under +05:30, whose local hours start at half past the UTC hour. */
static void hours(void **state) {
  (void)state;
  static const uint32_t actor[] = {0, 0, 0, 1, 1};
  const int64_t t0 = JAN1_2020 + 10 * DAY;
  const int64_t ts[] = {t0 + 12 * HOUR, t0 + 13 * HOUR, t0 + 14 * HOUR, t0 + 12 * HOUR, t0 + 13 * HOUR};
  gevents ev;
  build(&ev, actor, ts, 5);
  gstick_opts o = stick_opts(GGRAIN_HOUR, GGRAIN_RANGE, (t0 + 12 * HOUR) / HOUR, (t0 + 14 * HOUR) / HOUR);
  gstick s;
  assert_null(gstick_layout(&o, &s));
  assert_null(gstick_count(&ev, &o, &s, NULL));
  static const uint32_t s8[3] = {0, 1, 1};  /* cumulative [2, 2, 1] */
  expect_hist(&s, s8, 3);
  gstick_free(&s);
  /* +05:30: 12:00Z and 13:00Z are local 17:30 and 18:30, two hours; 14:00Z is 19:30 */
  o = stick_opts(GGRAIN_HOUR, GGRAIN_DAY, 0, 0);
  o.cal.offset_s = 5 * 3600 + 1800;
  o.first = o.last = ggrain_index(GGRAIN_DAY, &o.cal, t0 + 12 * HOUR);
  assert_null(gstick_layout(&o, &s));
  assert_int_equal(s.nrows, 24);
  assert_int_equal(s.windows[0].start_us, t0 - (5 * 3600 + 1800) * GTIME_US_PER_SEC);
  assert_null(gstick_count(&ev, &o, &s, NULL));
  assert_int_equal(s.hist[1], 1);
  assert_int_equal(s.hist[2], 1);
  gstick_free(&s);
  gevents_free(&ev);
}

/* Random histories: per window, k = the number of units with [min, max] rows, from booleans. */
static void stickiness_matches_definition(void **state) {
  (void)state;
  enum { ACTORS = 40, DAYS = 120 };
  for (int round = 0; round < 40; round++) {
    static int rows_on[ACTORS][DAYS];
    memset(rows_on, 0, sizeof rows_on);
    uint32_t actor[20000];
    int64_t ts[20000];
    size_t n = 0;
    for (int a = 0; a < ACTORS; a++) {
      int p = 1 + (int)(next_rand() % 40);
      for (int d = 0; d < DAYS; d++)
        if ((int)(next_rand() % 100) < p) {
          int k = 1 + (int)(next_rand() % 3);
          rows_on[a][d] = k;
          for (int j = 0; j < k; j++) actor[n] = (uint32_t)a, ts[n++] = JAN1_2020 + d * DAY + (int64_t)(next_rand() % 86400) * GTIME_US_PER_SEC;
        }
    }
    gevents ev;
    build(&ev, actor, ts, n);
    int mn = 1 + (int)(next_rand() % 2), mx = next_rand() % 3 == 0 ? 2 : 1000;
    int mode = (int)(next_rand() % 3);
    gstick_opts o = stick_opts(GGRAIN_DAY, mode == 0 ? GGRAIN_WEEK : mode == 1 ? GGRAIN_MONTH : GGRAIN_RANGE, 0, 0);
    o.min_events = mn;
    o.max_events = mx;
    o.cal.week_starts_sunday = (int)(next_rand() % 2);
    int lo = (int)(next_rand() % 30), hi = lo + 20 + (int)(next_rand() % 60);
    if (mode == 2) {
      o.first = DAYNO(1) + lo, o.last = DAYNO(1) + hi;
      o.every = 1 + (int64_t)(next_rand() % 4);
    } else {
      o.first = ggrain_index(o.window, &o.cal, JAN1_2020 + lo * DAY);
      o.last = ggrain_index(o.window, &o.cal, JAN1_2020 + hi * DAY);
    }
    gstick s;
    assert_null(gstick_layout(&o, &s));
    assert_null(gstick_count(&ev, &o, &s, NULL));
    uint32_t *want = calloc(s.nrows, sizeof *want);
    for (uint32_t w = 0; w < s.nwindows; w++)
      for (int a = 0; a < ACTORS; a++) {
        int k = 0;
        if (mode == 2) {
          /* bucket b holds days last - b*every - (every-1) .. last - b*every */
          for (int64_t b = 0; b < (int64_t)s.windows[0].nunits; b++) {
            int rows = 0;
            for (int64_t d = o.last - b * o.every; d > o.last - (b + 1) * o.every; d--)
              if (d >= o.first && d - DAYNO(1) < DAYS) rows += rows_on[a][d - DAYNO(1)];
            k += rows >= mn && rows <= mx;
          }
        } else {
          for (int d = 0; d < DAYS; d++) {
            int64_t t = JAN1_2020 + d * DAY;
            if (t >= s.windows[w].start_us && t < s.windows[w].end_us) k += rows_on[a][d] >= mn && rows_on[a][d] <= mx;
          }
        }
        if (k) want[s.windows[w].row + k - 1]++;
      }
    for (uint64_t r = 0; r < s.nrows; r++) assert_int_equal(s.hist[r], want[r]);
    free(want);
    gstick_free(&s);
    gevents_free(&ev);
  }
}

/* ---- active users ---- */

/* DL: p1 11, 12, 13, 15, 17, 19; p2 9, 12; p3 12; p4 15 (2020-01, 12:00 UTC). */
static void dataset_dl(gevents *ev) {
  static const uint32_t actor[] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 3};
  const int64_t ts[] = {JAN(11), JAN(12), JAN(13), JAN(15), JAN(17), JAN(19), JAN(9), JAN(12), JAN(12), JAN(15)};
  build(ev, actor, ts, 10);
}

static void posthog_active_user_vectors(void **state) {
  (void)state;
  gevents ev;
  dataset_dl(&ev);
  /* A1-A3: daily, 2020-01-09 .. 20 */
  int64_t days[12];
  for (int k = 0; k < 12; k++) days[k] = DAYNO(9) + k;
  gau_opts o = {0, days, days, 12, 1, 0};
  gau_row rows[12];
  memset(rows, 0, sizeof rows);
  assert_null(gau_count(&ev, &o, rows, NULL));
  static const uint32_t dau[12] = {1, 0, 1, 3, 1, 0, 2, 0, 1, 0, 1, 0}, wau[12] = {1, 1, 2, 3, 3, 3, 4, 4, 4, 4, 2, 2},
                        mau[12] = {1, 1, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4}, fresh[12] = {1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0};
  for (int k = 0; k < 12; k++) {
    assert_int_equal(rows[k].dau, dau[k]);
    assert_int_equal(rows[k].wau, wau[k]);
    assert_int_equal(rows[k].mau, mau[k]);
    assert_int_equal(rows[k].new_actors, fresh[k]);
  }
  /* A4: WAU per calendar (Sunday) week: weeks of Jan 5, 12, 19 -> 2, 4, 1 */
  int64_t start[3] = {DAYNO(5), DAYNO(12), DAYNO(19)}, eval[3] = {DAYNO(11), DAYNO(18), DAYNO(20)};
  gau_opts w = {0, start, eval, 3, 0, 7};
  gau_row wr[3];
  memset(wr, 0, sizeof wr);
  assert_null(gau_count(&ev, &w, wr, NULL));
  assert_int_equal(wr[0].wau, 2);
  assert_int_equal(wr[1].wau, 4);
  assert_int_equal(wr[2].wau, 1);
  /* the MAU of the same rows is the trailing 30 days at each eval day (Mixpanel's rule):
  ** Jan 11 -> p2, p1; Jan 18 and 20 -> all four */
  assert_int_equal(wr[0].mau, 2);
  assert_int_equal(wr[1].mau, 4);
  assert_int_equal(wr[2].mau, 4);
  /* new per week: p2, p1 in the first; p3, p4 in the second */
  assert_int_equal(wr[0].new_actors, 2);
  assert_int_equal(wr[1].new_actors, 2);
  assert_int_equal(wr[2].new_actors, 0);
  gevents_free(&ev);
}

/* Random histories against windows scanned day by day. */
static void active_users_match_definition(void **state) {
  (void)state;
  enum { ACTORS = 50, DAYS = 150 };
  for (int round = 0; round < 40; round++) {
    static int on[ACTORS][DAYS];
    memset(on, 0, sizeof on);
    uint32_t actor[20000];
    int64_t ts[20000];
    size_t n = 0;
    int32_t offset = (int32_t)(next_rand() % 5) * 3 * 3600 - 6 * 3600;
    for (int a = 0; a < ACTORS; a++) {
      int p = 1 + (int)(next_rand() % 30), begin = (int)(next_rand() % DAYS);
      for (int d = begin; d < DAYS; d++)
        if ((int)(next_rand() % 100) < p) {
          on[a][d] = 1;
          actor[n] = (uint32_t)a;
          ts[n++] = JAN1_2020 + d * DAY + (int64_t)(next_rand() % 86400) * GTIME_US_PER_SEC - (int64_t)offset * GTIME_US_PER_SEC;
        }
    }
    gevents ev;
    build(&ev, actor, ts, n);
    /* spans: daily, or weeks (eval = the week's last day, or an earlier day for the last one) */
    int weekly = (int)(next_rand() % 2), cal = weekly && next_rand() % 2 ? 7 : 0;
    int from = (int)(next_rand() % 40), to = from + 30 + (int)(next_rand() % (DAYS - from - 30));
    int64_t start[DAYS], eval[DAYS];
    uint32_t nrows = 0;
    if (!weekly) {
      for (int d = from; d <= to; d++) start[nrows] = eval[nrows] = DAYNO(1) + d, nrows++;
    } else {
      for (int d = from; d <= to; d += 7) {
        start[nrows] = DAYNO(1) + d;
        eval[nrows] = DAYNO(1) + (d + 6 > to ? to : d + 6);
        nrows++;
      }
    }
    gau_opts o = {offset, start, eval, nrows, !weekly, cal};
    gau_row *rows = calloc(nrows, sizeof *rows);
    assert_null(gau_count(&ev, &o, rows, NULL));
    for (uint32_t k = 0; k < nrows; k++) {
      int e = (int)(eval[k] - DAYNO(1)), s = (int)(start[k] - DAYNO(1));
      uint32_t dau = 0, wau = 0, mau = 0, fresh = 0, in_span = 0;
      for (int a = 0; a < ACTORS; a++) {
        int w = 0, m = 0, sp = 0, first = -1;
        for (int d = 0; d < DAYS; d++)
          if (on[a][d] && first < 0) first = d;
        for (int d = e - 29; d <= e; d++)
          if (d >= 0 && on[a][d]) m = 1, w |= d > e - 7;
        for (int d = s; d <= e; d++) sp |= on[a][d];
        dau += on[a][e], wau += w, mau += m, in_span += sp;
        fresh += first >= s && first <= e;
      }
      assert_int_equal(rows[k].dau, dau);
      assert_int_equal(rows[k].wau, cal == 7 ? in_span : wau);
      assert_int_equal(rows[k].mau, mau);
      assert_int_equal(rows[k].new_actors, fresh);
    }
    free(rows);
    gevents_free(&ev);
  }
}

static void layout_limits(void **state) {
  (void)state;
  /* hours in day windows over 200 years: 1.75M rows, over the limit */
  gstick_opts o = stick_opts(GGRAIN_HOUR, GGRAIN_DAY, DAYNO(1), DAYNO(1) + 73000);
  gstick s;
  const char *why = gstick_layout(&o, &s);
  assert_non_null(why);
  assert_non_null(strstr(why, "more than 1048576 rows"));
  assert_null(s.windows);
  /* days in month windows: 28 .. 31 rows each; Feb 2020 has 29 */
  o = stick_opts(GGRAIN_DAY, GGRAIN_MONTH, 2020 * 12, 2020 * 12 + 2);
  assert_null(gstick_layout(&o, &s));
  assert_int_equal(s.windows[1].nunits, 29);
  assert_int_equal(s.nrows, 31 + 29 + 31);
  assert_int_equal(s.windows[2].row, 60);
  gstick_free(&s);
}

static void stops_when_told(void **state) {
  (void)state;
  enum { N = 200000 };
  uint32_t *actor = malloc(N * sizeof *actor);
  int64_t *ts = malloc(N * sizeof *ts);
  for (uint32_t i = 0; i < N; i++) actor[i] = i % 500, ts[i] = JAN1_2020 + (int64_t)(i / 500) * HOUR;
  gevents ev;
  build(&ev, actor, ts, N);
  gcancel stopped = {NULL, NULL, 0, 1};
  gstick_opts o = stick_opts(GGRAIN_DAY, GGRAIN_WEEK, 0, 10000);
  gstick s;
  assert_null(gstick_layout(&o, &s));
  assert_ptr_equal(gstick_count(&ev, &o, &s, &stopped), gcancel_reason);
  gstick_free(&s);
  int64_t days[20];
  for (int k = 0; k < 20; k++) days[k] = DAYNO(1) + k;
  gau_opts a = {0, days, days, 20, 1, 0};
  gau_row rows[20];
  assert_ptr_equal(gau_count(&ev, &a, rows, &stopped), gcancel_reason);
  gevents_free(&ev);
  free(actor);
  free(ts);
}

static void every_allocation_failing(void **state) {
  (void)state;
  gevents ev;
  dataset_dl(&ev);
  int refused = 0;
  for (int once = 0; once < 2; once++)
    for (long k = 1; k < 4; k++) {
      gstick_opts o = stick_opts(GGRAIN_DAY, GGRAIN_WEEK, 2000, 2900);
      gstick s;
      arm(k, once);
      const char *why = gstick_layout(&o, &s);
      disarm();
      if (why) assert_string_equal(why, "out of memory"), refused++;
      else gstick_free(&s);
      int64_t days[5] = {DAYNO(9), DAYNO(10), DAYNO(11), DAYNO(12), DAYNO(13)};
      gau_opts a = {0, days, days, 5, 1, 0};
      gau_row rows[5];
      memset(rows, 0, sizeof rows);
      arm(k, once);
      why = gau_count(&ev, &a, rows, NULL);
      disarm();
      if (why) assert_string_equal(why, "out of memory"), refused++;
    }
  assert_true(refused >= 3);
  gevents_free(&ev);
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(posthog_stickiness_vectors),
    cmocka_unit_test(hours),
    cmocka_unit_test(stickiness_matches_definition),
    cmocka_unit_test(posthog_active_user_vectors),
    cmocka_unit_test(active_users_match_definition),
    cmocka_unit_test(layout_limits),
    cmocka_unit_test(stops_when_told),
    cmocka_unit_test(every_allocation_failing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
