/*
** test_clv_summary.c: one customer's history as the CLV models see it (ext/clv_summary.c).
** Expectations are worked by hand from lifetimes' summary_data_from_transaction_data (purchases
** collapse per local day; frequency = days - 1; monetary = mean of the repeat days' totals)
** and the refund rule in clv_summary.h.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "clv_summary.h"

#define DAY INT64_C(86400000000)
#define HOUR INT64_C(3600000000)
/* 1997-01-01 00:00 UTC is day 9862 (27 years of 365 days + 7 leap days since 1970) */
#define D1997 INT64_C(9862)

static void days_collapse_and_the_first_is_left_out(void **state) {
  (void)state;
  /* day 0: 29.33 and 10.00 (one purchase day); day 17: 29.73; day 213: 14.96 */
  int64_t ts[] = {D1997 * DAY + 9 * HOUR, D1997 * DAY + 15 * HOUR, (D1997 + 17) * DAY, (D1997 + 213) * DAY};
  int64_t cents[] = {2933, 1000, 2973, 1496};
  gclv_history h;
  assert_null(gclv_history_of(ts, cents, 4, 0, &h));
  assert_int_equal(h.frequency, 2);           /* 3 purchase days */
  assert_int_equal(h.first_day, D1997);
  assert_int_equal(h.last_day, D1997 + 213);  /* recency 213 days = 30.43 weeks */
  assert_int_equal(h.repeat_cents, 2973 + 1496); /* monetary (29.73 + 14.96) / 2 = 22.345 */
  /* without amounts: the same days */
  assert_null(gclv_history_of(ts, NULL, 4, 0, &h));
  assert_int_equal(h.frequency, 2);
  assert_int_equal(h.repeat_cents, 0);
  /* one row: no repeat */
  assert_null(gclv_history_of(ts, cents, 1, 0, &h));
  assert_int_equal(h.frequency, 0);
  assert_int_equal(h.first_day, h.last_day);
  assert_int_equal(h.repeat_cents, 0);
  /* no rows */
  assert_null(gclv_history_of(NULL, NULL, 0, 0, &h));
  assert_int_equal(h.frequency, -1);
}

static void days_are_local(void **state) {
  (void)state;
  /* 23:30 UTC and 00:30 UTC the next day: two UTC days, one day at +08:00 (07:30 and 08:30) */
  int64_t ts[] = {D1997 * DAY + 23 * HOUR + HOUR / 2, (D1997 + 1) * DAY + HOUR / 2};
  int64_t cents[] = {100, 200};
  gclv_history h;
  assert_null(gclv_history_of(ts, cents, 2, 0, &h));
  assert_int_equal(h.frequency, 1);
  assert_int_equal(h.repeat_cents, 200);
  assert_null(gclv_history_of(ts, cents, 2, 8 * 3600, &h));
  assert_int_equal(h.frequency, 0);
  assert_int_equal(h.first_day, D1997 + 1); /* the local day at +08:00 */
  /* at -05:00 the first is 18:30 on day 0, the second 19:30 on day 0 */
  assert_null(gclv_history_of(ts, cents, 2, -5 * 3600, &h));
  assert_int_equal(h.frequency, 0);
  assert_int_equal(h.first_day, D1997);
}

static void refunds_lower_a_day_and_are_no_purchase(void **state) {
  (void)state;
  /* day 0: refund -5 (before any purchase: goes with the first day, left out);
  ** day 1: purchase 100, refund -30 at a later hour (day total 70: the first day, left out);
  ** day 3: purchase 50; day 5: refund -20 only (no purchase day: lowers day 3 to 30);
  ** day 8: purchase 0 (a purchase) and refund -10 before it the same day (day total -10).
  ** Purchase days 1, 3, 8: frequency 2, recency 7 days; repeat total 30 + (-10) = 20. */
  int64_t ts[] = {D1997 * DAY, (D1997 + 1) * DAY, (D1997 + 1) * DAY + HOUR, (D1997 + 3) * DAY,
                  (D1997 + 5) * DAY, (D1997 + 8) * DAY, (D1997 + 8) * DAY + HOUR};
  int64_t cents[] = {-500, 10000, -3000, 5000, -2000, -1000, 0};
  gclv_history h;
  assert_null(gclv_history_of(ts, cents, 7, 0, &h));
  assert_int_equal(h.frequency, 2);
  assert_int_equal(h.first_day, D1997 + 1);
  assert_int_equal(h.last_day, D1997 + 8);
  assert_int_equal(h.repeat_cents, 2000);
  /* refunds only: no purchase */
  int64_t refunds[] = {-100, -200};
  assert_null(gclv_history_of(ts, refunds, 2, 0, &h));
  assert_int_equal(h.frequency, -1);
  /* a refund-only last day does not move recency */
  int64_t ts2[] = {D1997 * DAY, (D1997 + 2) * DAY, (D1997 + 9) * DAY};
  int64_t c2[] = {1000, 1000, -400};
  assert_null(gclv_history_of(ts2, c2, 3, 0, &h));
  assert_int_equal(h.frequency, 1);
  assert_int_equal(h.last_day, D1997 + 2);
  assert_int_equal(h.repeat_cents, 600);
}

static void overflow_is_an_error(void **state) {
  (void)state;
  int64_t ts[] = {0, DAY, DAY + 1};
  int64_t cents[] = {1, INT64_MAX, 1};
  gclv_history h;
  const char *why = gclv_history_of(ts, cents, 3, 0, &h);
  assert_non_null(why);
  assert_string_equal(why, "amounts overflow");
  /* across days: INT64_MAX on day 1, 1 on day 2 */
  int64_t ts2[] = {0, DAY, 2 * DAY};
  assert_non_null(gclv_history_of(ts2, cents, 3, 0, &h));
}

/* The running summary of rows in timestamp order is gclv_history_of's, for random histories
** with several rows a day, refunds, refund-only days before and after the first purchase, and
** local days under an offset. */
static uint64_t rng_state = 88172645463325252u;
static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static void running_summary_is_the_history(void **state) {
  (void)state;
  enum { ROWS = 12 };
  static const int32_t offsets[] = {0, 8 * 3600, -5 * 3600};
  for (int trial = 0; trial < 20000; trial++) {
    int32_t offset_s = offsets[trial % 3];
    size_t n = 1 + next_random() % ROWS;
    int64_t ts[ROWS], cents[ROWS];
    int64_t t = (D1997 + (int64_t)(next_random() % 50)) * DAY;
    for (size_t i = 0; i < n; i++) {
      t += (int64_t)(next_random() % 4) * 9 * HOUR; /* often the same day, sometimes the same instant */
      ts[i] = t;
      int64_t v = (int64_t)(next_random() % 5000);
      cents[i] = next_random() % 4 == 0 ? -v : v; /* refunds, amounts of 0 */
    }
    for (int with_amounts = 0; with_amounts < 2; with_amounts++) {
      gclv_history want, got;
      assert_null(gclv_history_of(ts, with_amounts ? cents : NULL, n, offset_s, &want));
      gclv_running r;
      gclv_running_init(&r);
      int64_t offset_us = (int64_t)offset_s * 1000000;
      for (size_t i = 0; i < n; i++)
        assert_int_equal(gclv_running_add(&r, gclv_local_day(ts[i], offset_us), with_amounts ? cents[i] : 0),
                         GCLV_RUNNING_OK);
      assert_null(gclv_running_finish(&r, &got));
      assert_int_equal(got.frequency, want.frequency);
      assert_int_equal(got.first_day, want.first_day);
      assert_int_equal(got.last_day, want.last_day);
      assert_int_equal(got.repeat_cents, want.repeat_cents);
    }
  }
}

static void running_summary_refuses_what_it_cannot_take(void **state) {
  (void)state;
  gclv_running r;
  gclv_running_init(&r);
  gclv_history h;
  assert_null(gclv_running_finish(&r, &h)); /* nothing added: no purchase */
  assert_int_equal(h.frequency, -1);
  assert_int_equal(gclv_running_add(&r, D1997 + 3, 100), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, D1997 + 3, -50), GCLV_RUNNING_OK); /* the same day: any order */
  assert_int_equal(gclv_running_add(&r, D1997 + 2, 100), GCLV_RUNNING_UNORDERED);
  assert_int_equal(gclv_running_add(&r, INT64_C(1) << 40, 100), GCLV_RUNNING_OVERFLOW);
  assert_int_equal(gclv_running_add(&r, D1997 + 4, INT64_MAX), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, D1997 + 4, 1), GCLV_RUNNING_OVERFLOW);
  /* the last day's total overflows the repeat total only when the summary is made */
  gclv_running_init(&r);
  assert_int_equal(gclv_running_add(&r, 1, 1), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, 2, INT64_MAX), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, 3, 1), GCLV_RUNNING_OK);
  assert_string_equal(gclv_running_finish(&r, &h), "amounts overflow");
  gclv_running_init(&r);
  assert_int_equal(gclv_running_add(&r, 1, 1), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, 2, INT64_MAX - 1), GCLV_RUNNING_OK);
  assert_int_equal(gclv_running_add(&r, 3, 1), GCLV_RUNNING_OK);
  assert_null(gclv_running_finish(&r, &h));
  assert_int_equal(h.repeat_cents, INT64_MAX);
  assert_int_equal(gclv_running_add(&r, 4, 1), GCLV_RUNNING_OK);
  assert_string_equal(gclv_running_finish(&r, &h), "amounts overflow");
  assert_int_equal(gclv_running_add(&r, 5, 1), GCLV_RUNNING_OVERFLOW); /* closing day 4 */
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(days_collapse_and_the_first_is_left_out),
    cmocka_unit_test(days_are_local),
    cmocka_unit_test(refunds_lower_a_day_and_are_no_purchase),
    cmocka_unit_test(overflow_is_an_error),
    cmocka_unit_test(running_summary_is_the_history),
    cmocka_unit_test(running_summary_refuses_what_it_cannot_take),
  };
  return cmocka_run_group_tests_name("clv_summary", tests, NULL, NULL);
}
