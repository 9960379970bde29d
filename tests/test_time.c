/* test_time.c: the time core (ext/time.c). Expected values are worked out by hand in comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "time.h"

static void parses_dates(void **state) {
  (void)state;
  int64_t us;
  assert_null(gtime_parse_text("1970-01-01", -1, &us));
  assert_int_equal(us, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_dates),
  };
  return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
