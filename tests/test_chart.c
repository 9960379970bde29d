/* test_chart.c: the chart core (ext/chart.c) behind bar() and shade(). Expectations by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "chart.h"

static void bar_eighths_scale_and_round(void **state) {
  (void)state;
  assert_int_equal(gchart_bar_eighths(1, 3, 20), 53);    /* 160/3 = 53.33 */
  assert_int_equal(gchart_bar_eighths(2, 3, 20), 107);   /* 320/3 = 106.67 */
  assert_int_equal(gchart_bar_eighths(1, 320, 20), 1);   /* 0.5 rounds half up */
  assert_int_equal(gchart_bar_eighths(1, 1000, 20), 0);  /* 0.16 */
  assert_int_equal(gchart_bar_eighths(10, 10, 20), 160);
  assert_int_equal(gchart_bar_eighths(1e300, 1, 1000), 8000); /* clamped, no overflow */
  assert_int_equal(gchart_bar_eighths(0, 10, 20), 0);
  assert_int_equal(gchart_bar_eighths(-1, 10, 20), 0);
  assert_int_equal(gchart_bar_eighths(1, 0, 20), 0);
  assert_int_equal(gchart_bar_eighths(1, -5, 20), 0);
  assert_int_equal(gchart_bar_eighths(NAN, 1, 20), 0);
  assert_int_equal(gchart_bar_eighths(1, NAN, 20), 0);
  assert_int_equal(gchart_bar_eighths(INFINITY, INFINITY, 20), 160); /* value >= max */
  assert_int_equal(gchart_bar_eighths(1, INFINITY, 20), 0);
  assert_int_equal(gchart_bar_eighths(1, 2, 0), 0);
}

static void bar_text_blocks(void **state) {
  (void)state;
  char buf[GCHART_BAR_BYTES(3)];
  assert_int_equal(gchart_bar_text(0, buf), 0);
  assert_string_equal(buf, "");
  assert_int_equal(gchart_bar_text(12, buf), 6);
  assert_string_equal(buf, "\xE2\x96\x88\xE2\x96\x8C"); /* █▌ */
  assert_int_equal(gchart_bar_text(24, buf), 9);
  assert_string_equal(buf, "███");
  gchart_bar_text(7, buf);
  assert_string_equal(buf, "▉");
  gchart_bar_text(1, buf);
  assert_string_equal(buf, "▏");
}

static void shade_steps(void **state) {
  (void)state;
  assert_int_equal(gchart_shade_step(0), 0);
  assert_int_equal(gchart_shade_step(0.1999), 0);
  assert_int_equal(gchart_shade_step(0.2), 1);
  assert_int_equal(gchart_shade_step(0.4), 2);
  assert_int_equal(gchart_shade_step(0.6), 3);
  assert_int_equal(gchart_shade_step(0.8), 4);
  assert_int_equal(gchart_shade_step(1), 4);
  assert_int_equal(gchart_shade_step(1.0000001), -1);
  assert_int_equal(gchart_shade_step(-0.0000001), -1);
  assert_int_equal(gchart_shade_step(NAN), -1);
  /* on a scale to max: bins of max/5; for max 0.5 the edges are 0.1, 0.2, 0.3, 0.4 */
  assert_int_equal(gchart_shade_step_scaled(0, 0.5), 0);
  assert_int_equal(gchart_shade_step_scaled(0.0999, 0.5), 0);
  assert_int_equal(gchart_shade_step_scaled(0.1, 0.5), 1);
  assert_int_equal(gchart_shade_step_scaled(0.3, 0.5), 3);
  assert_int_equal(gchart_shade_step_scaled(0.4, 0.5), 4);
  assert_int_equal(gchart_shade_step_scaled(0.5, 0.5), 4);
  assert_int_equal(gchart_shade_step_scaled(1, 0.5), 4);    /* above max: the top step */
  assert_int_equal(gchart_shade_step_scaled(0.1, 0), -1);   /* max must be above 0 */
  assert_int_equal(gchart_shade_step_scaled(0.1, -1), -1);
  assert_int_equal(gchart_shade_step_scaled(NAN, 0.5), -1);
  assert_int_equal(gchart_shade_step_scaled(0.1, NAN), -1);
  assert_int_equal(gchart_shade_step_scaled(-0.1, 0.5), -1);
  assert_string_equal(gchart_shade_char(0), " ");
  assert_string_equal(gchart_shade_char(1), "░");
  assert_string_equal(gchart_shade_char(2), "▒");
  assert_string_equal(gchart_shade_char(3), "▓");
  assert_string_equal(gchart_shade_char(4), "█");
  assert_string_equal(gchart_shade_char(5), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(bar_eighths_scale_and_round),
    cmocka_unit_test(bar_text_blocks),
    cmocka_unit_test(shade_steps),
  };
  return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
