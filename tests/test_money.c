/*
** test_money.c: the money core (ext/money.c). Expected values are hand-computed in comments.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"

static int64_t text_ok(const char *s, int scale, ground r) {
  int64_t v = 0;
  const char *why = gmoney_parse_text(s, -1, scale, r, &v);
  if (why) fail_msg("'%s' did not parse: %s", s, why);
  return v;
}

static void parses_decimal_text(void **state) {
  (void)state;
  assert_int_equal(text_ok("19.99", 2, GROUND_HALF_UP), 1999);
  assert_int_equal(text_ok("-3", 2, GROUND_HALF_UP), -300);
  assert_int_equal(text_ok(" 2.5 ", 2, GROUND_HALF_UP), 250);
  assert_int_equal(text_ok("0.05", 2, GROUND_HALF_UP), 5);
  assert_int_equal(text_ok(".5", 2, GROUND_HALF_UP), 50);
  assert_int_equal(text_ok("1.", 2, GROUND_HALF_UP), 100);
  assert_int_equal(text_ok("007.10", 2, GROUND_HALF_UP), 710);
  assert_int_equal(text_ok("1e3", 2, GROUND_HALF_UP), 100000);
  assert_int_equal(text_ok("1.5E-1", 2, GROUND_HALF_UP), 15);
  assert_int_equal(text_ok("1234", 0, GROUND_HALF_UP), 1234);   /* JPY */
  assert_int_equal(text_ok("1.2345", 3, GROUND_HALF_UP), 1235); /* KWD: 1.2345 -> 1.235 */
  /* the largest amount that fits: 2^63-1 minor units */
  assert_int_equal(text_ok("92233720368547758.07", 2, GROUND_HALF_UP), INT64_MAX);
}

static void rounds_extra_digits(void **state) {
  (void)state;
  /* 19.995 -> 20.00 half up; 0.125 -> 0.12 half even (2 is even), 0.135 -> 0.14 (4 is even) */
  assert_int_equal(text_ok("19.995", 2, GROUND_HALF_UP), 2000);
  assert_int_equal(text_ok("0.125", 2, GROUND_HALF_EVEN), 12);
  assert_int_equal(text_ok("0.135", 2, GROUND_HALF_EVEN), 14);
  assert_int_equal(text_ok("0.1251", 2, GROUND_HALF_EVEN), 13); /* above the half */
  assert_int_equal(text_ok("1.999", 2, GROUND_DOWN), 199);
  assert_int_equal(text_ok("1.001", 2, GROUND_UP), 101);
  assert_int_equal(text_ok("1.000", 2, GROUND_UP), 100);
  /* negative amounts round by magnitude: -1.005 -> -1.01 half up (away from zero) */
  assert_int_equal(text_ok("-1.005", 2, GROUND_HALF_UP), -101);
  assert_int_equal(text_ok("-1.009", 2, GROUND_DOWN), -100);
  assert_int_equal(text_ok("0.0001", 2, GROUND_UP), 1);
  assert_int_equal(text_ok("0.0001", 2, GROUND_HALF_UP), 0);
  assert_int_equal(text_ok("1234.5", 0, GROUND_HALF_UP), 1235);
  assert_int_equal(text_ok("1234.5", 0, GROUND_HALF_EVEN), 1234);
}

static void rejects_bad_text(void **state) {
  (void)state;
  int64_t v;
  assert_string_equal(gmoney_parse_text("abc", -1, 2, GROUND_HALF_UP, &v), "not a decimal number");
  assert_string_equal(gmoney_parse_text("1.2.3", -1, 2, GROUND_HALF_UP, &v), "not a decimal number");
  assert_string_equal(gmoney_parse_text("", -1, 2, GROUND_HALF_UP, &v), "empty text");
  assert_string_equal(gmoney_parse_text("12 yuan", -1, 2, GROUND_HALF_UP, &v), "not a decimal number");
  assert_string_equal(gmoney_parse_text("1e", -1, 2, GROUND_HALF_UP, &v), "not a decimal number");
  assert_string_equal(gmoney_parse_text("92233720368547758.08", -1, 2, GROUND_HALF_UP, &v),
                      "amount too large for 64-bit minor units");
  assert_string_equal(gmoney_parse_text("1e30", -1, 2, GROUND_HALF_UP, &v), "amount too large for 64-bit minor units");
  assert_string_equal(gmoney_parse_text("1", -1, 7, GROUND_HALF_UP, &v), "scale out of range (0..6)");
}

static void converts_reals_through_their_decimal_form(void **state) {
  (void)state;
  int64_t v;
  /* 19.99 is 19.989999999999998... in binary: truncation would give 1998 */
  assert_null(gmoney_from_real(19.99, 2, GROUND_HALF_UP, &v));
  assert_int_equal(v, 1999);
  /* 1.005 is 1.00499999999999989... in binary; what the user typed is 1.005 -> 1.01 */
  assert_null(gmoney_from_real(1.005, 2, GROUND_HALF_UP, &v));
  assert_int_equal(v, 101);
  assert_null(gmoney_from_real(0.1 + 0.2, 2, GROUND_HALF_UP, &v)); /* 0.30000000000000004 */
  assert_int_equal(v, 30);
  assert_null(gmoney_from_real(-0.07, 2, GROUND_HALF_UP, &v));
  assert_int_equal(v, -7);
  assert_string_equal(gmoney_from_real(NAN, 2, GROUND_HALF_UP, &v), "not a finite number");
  assert_string_equal(gmoney_from_real(-INFINITY, 2, GROUND_HALF_UP, &v), "not a finite number");
  assert_string_equal(gmoney_from_real(1e19, 2, GROUND_HALF_UP, &v), "amount too large for 64-bit minor units");
  assert_null(gmoney_from_int(5, 2, &v));
  assert_int_equal(v, 500);
  assert_string_equal(gmoney_from_int(INT64_MAX / 10, 2, &v), "amount too large for 64-bit minor units");
  /* rates in parts per million */
  assert_null(gmoney_rate_from_text("0.8", -1, &v));
  assert_int_equal(v, 800000);
  assert_null(gmoney_rate_from_real(0.95, &v));
  assert_int_equal(v, 950000);
  assert_null(gmoney_rate_from_real(0.285, &v)); /* 2.85折 */
  assert_int_equal(v, 285000);
}

/* The fast path agrees with gmoney_from_real wherever it answers, and answers for the usual
** amounts: every cent from -1000.00 to 1000.00 and a sweep of values with extra digits. */
static void fast_reals_agree_with_the_decimal_form(void **state) {
  (void)state;
  long answered = 0, tried = 0;
  for (int scale = 0; scale <= 3; scale++) {
    for (int64_t c = -100000; c <= 100000; c++) {
      double vals[3] = {(double)c / 100, (double)c / 1000 + 0.0005, (double)c * 12345.678};
      for (int k = 0; k < 3; k++) {
        int64_t fast, slow;
        tried++;
        if (!gmoney_from_real_half_up_fast(vals[k], scale, &fast)) continue;
        answered++;
        assert_null(gmoney_from_real(vals[k], scale, GROUND_HALF_UP, &slow));
        if (fast != slow) fail_msg("%.17g at scale %d: fast %lld, exact %lld", vals[k], scale, (long long)fast, (long long)slow);
      }
      if (scale == 2 && c % 7 == 0) {
        int64_t fast;
        assert_true(gmoney_from_real_half_up_fast((double)c / 100, 2, &fast)); /* whole cents: always */
      }
    }
  }
  assert_true(answered > tried / 2);
  int64_t v;
  /* 1.005 is 1.00499999999999989 in binary: near a half cent, so left to the exact path */
  assert_false(gmoney_from_real_half_up_fast(1.005, 2, &v));
  assert_false(gmoney_from_real_half_up_fast(NAN, 2, &v));
  assert_false(gmoney_from_real_half_up_fast(1e13, 2, &v));
}

static void checks_overflow(void **state) {
  (void)state;
  int64_t v = 7;
  assert_int_equal(gmoney_add(INT64_MAX, 1, &v), 1);
  assert_int_equal(gmoney_sub(INT64_MIN, 1, &v), 1);
  assert_int_equal(gmoney_mul(INT64_C(3037000500), INT64_C(3037000500), &v), 1);
  assert_int_equal(gmoney_add(1999, 1, &v), 0);
  assert_int_equal(v, 2000);
  assert_int_equal(gmoney_mul(1999, 3, &v), 0);
  assert_int_equal(v, 5997);
}

static void applies_rates_with_each_rounding(void **state) {
  (void)state;
  int64_t v;
  /* 19.99 at 25% off: 1999 * 0.75 = 1499.25 -> 14.99 */
  assert_int_equal(gmoney_mul_ppm(1999, 750000, GROUND_HALF_UP, &v), 0);
  assert_int_equal(v, 1499);
  /* 5 * 0.5 = 2.5: half up 3, half even 2, down 2, up 3 */
  assert_int_equal(gmoney_mul_ppm(5, 500000, GROUND_HALF_UP, &v), 0);
  assert_int_equal(v, 3);
  assert_int_equal(gmoney_mul_ppm(5, 500000, GROUND_HALF_EVEN, &v), 0);
  assert_int_equal(v, 2);
  assert_int_equal(gmoney_mul_ppm(5, 500000, GROUND_DOWN, &v), 0);
  assert_int_equal(v, 2);
  assert_int_equal(gmoney_mul_ppm(5, 500000, GROUND_UP, &v), 0);
  assert_int_equal(v, 3);
  /* large amounts multiply in 128 bits: (2^62) * 0.5 exactly */
  assert_int_equal(gmoney_mul_ppm(INT64_C(4611686018427387904), 500000, GROUND_HALF_UP, &v), 0);
  assert_int_equal(v, INT64_C(2305843009213693952));
  assert_int_equal(gmoney_mul_ppm(INT64_MAX, 2000000, GROUND_HALF_UP, &v), 1);
  /* -7 / 2 = -3.5: half up -4 (away from zero), half even -4, down -3 */
  assert_int_equal(gmoney_div_round(-7, 2, GROUND_HALF_UP, &v), 0);
  assert_int_equal(v, -4);
  assert_int_equal(gmoney_div_round(-7, 2, GROUND_HALF_EVEN, &v), 0);
  assert_int_equal(v, -4);
  assert_int_equal(gmoney_div_round(-7, 2, GROUND_DOWN, &v), 0);
  assert_int_equal(v, -3);
  assert_int_equal(gmoney_div_round(1, 0, GROUND_DOWN, &v), 1);
  ground r;
  assert_null(gmoney_parse_rounding("half_even", &r));
  assert_int_equal(r, GROUND_HALF_EVEN);
  assert_non_null(gmoney_parse_rounding("bankers", &r));
}

static void formats_amounts(void **state) {
  (void)state;
  char buf[GMONEY_TEXT_MAX];
  assert_string_equal(gmoney_format(1999, 2, buf), "19.99");
  assert_string_equal(gmoney_format(-5, 2, buf), "-0.05");
  assert_string_equal(gmoney_format(100, 0, buf), "100");
  assert_string_equal(gmoney_format(1235, 3, buf), "1.235");
  assert_string_equal(gmoney_format(INT64_MIN, 2, buf), "-92233720368547758.08");
  assert_true(gmoney_to_real(1999, 2) == 19.99);
}

static void apportions_by_largest_remainder(void **state) {
  (void)state;
  int64_t out[4], left;
  /* 10 over 10/10/10: 3 each and one unit left; equal remainders go to the earliest part */
  int64_t w1[] = {10, 10, 10};
  assert_null(gmoney_apportion(10, w1, w1, 3, out, &left));
  assert_int_equal(out[0], 4); assert_int_equal(out[1], 3); assert_int_equal(out[2], 3);
  assert_int_equal(left, 0);
  /* 0.17 over 0.06/0.06/0.06/0.01 (cents 17 over 6,6,6,1; W = 19): exact shares 5.368 x3 and
  ** 0.894; floors 5,5,5,0 leave 2 units: the largest remainder (0.894, part 4) and then the
  ** first of the tied 0.368 remainders (part 1) -> 6,5,5,1 */
  int64_t w2[] = {6, 6, 6, 1};
  assert_null(gmoney_apportion(17, w2, w2, 4, out, &left));
  assert_int_equal(out[0], 6); assert_int_equal(out[1], 5); assert_int_equal(out[2], 5); assert_int_equal(out[3], 1);
  assert_int_equal(left, 0);
  /* more than the caps allow: every part at its cap, the rest reported */
  int64_t w3[] = {10, 20, 30};
  assert_null(gmoney_apportion(100, w3, w3, 3, out, &left));
  assert_int_equal(out[0], 10); assert_int_equal(out[1], 20); assert_int_equal(out[2], 30);
  assert_int_equal(left, 40);
  /* a binding cap: 30 over equal weights is 10 each, but part 1 may take only 5; the other
  ** 25 go to parts 2 and 3 as 12.5 each -> 13 and 12 (the tie goes to the earlier part) */
  int64_t w4[] = {1, 1, 1}, c4[] = {5, 100, 100};
  assert_null(gmoney_apportion(30, w4, c4, 3, out, &left));
  assert_int_equal(out[0], 5); assert_int_equal(out[1], 13); assert_int_equal(out[2], 12);
  assert_int_equal(left, 0);
  /* all-zero weights share equally; no caps */
  int64_t w5[] = {0, 0};
  assert_null(gmoney_apportion(5, w5, NULL, 2, out, &left));
  assert_int_equal(out[0], 3); assert_int_equal(out[1], 2);
  /* zero to share */
  assert_null(gmoney_apportion(0, w1, w1, 3, out, &left));
  assert_int_equal(out[0] + out[1] + out[2], 0);
  assert_string_equal(gmoney_apportion(-1, w1, w1, 3, out, &left), "amount to apportion is negative");
  int64_t bad[] = {1, -1};
  assert_string_equal(gmoney_apportion(1, bad, NULL, 2, out, &left), "a weight is negative");
}

static void apportioning_never_loses_a_unit(void **state) {
  (void)state;
  /* a fixed-seed generator: many random splits, each summing exactly */
  uint64_t seed = 0x9E3779B97F4A7C15u;
  int64_t w[16], caps[16], out[16], left;
  for (int trial = 0; trial < 20000; trial++) {
    int n = 1 + (int)(seed % 16);
    int64_t total_caps = 0;
    for (int i = 0; i < n; i++) {
      seed = seed * 6364136223846793005u + 1442695040888963407u;
      w[i] = (int64_t)(seed >> 40) % 100000;
      caps[i] = w[i];
      total_caps += caps[i];
    }
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    int64_t amount = total_caps ? (int64_t)(seed >> 33) % (total_caps + 1) : 0;
    assert_null(gmoney_apportion(amount, w, caps, n, out, &left));
    int64_t sum = 0;
    for (int i = 0; i < n; i++) {
      assert_true(out[i] >= 0 && out[i] <= caps[i]);
      sum += out[i];
    }
    assert_int_equal(sum + left, amount);
    assert_int_equal(left, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_decimal_text),       cmocka_unit_test(rounds_extra_digits),
    cmocka_unit_test(rejects_bad_text),          cmocka_unit_test(converts_reals_through_their_decimal_form),
    cmocka_unit_test(fast_reals_agree_with_the_decimal_form),
    cmocka_unit_test(checks_overflow),           cmocka_unit_test(applies_rates_with_each_rounding),
    cmocka_unit_test(formats_amounts),           cmocka_unit_test(apportions_by_largest_remainder),
    cmocka_unit_test(apportioning_never_loses_a_unit),
  };
  return cmocka_run_group_tests_name("money", tests, NULL, NULL);
}
