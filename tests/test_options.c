/* test_options.c: the option-string parser (ext/options.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

static const gopt_spec spec[] = {
  {"strict_order", GOPT_FLAG}, {"tz", GOPT_VALUE}, {"periods", GOPT_VALUE}, {"week_start", GOPT_VALUE}, {NULL, 0},
};

static void parses_flags_and_values(void **state) {
  (void)state;
  gopts o;
  char err[GOPTS_ERR_MAX];
  assert_int_equal(gopts_parse("strict_order, tz=+08:00, periods=12", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(o.count, 3);
  assert_true(gopts_has(&o, spec, "strict_order"));
  assert_string_equal(gopts_value(&o, spec, "tz"), "+08:00");
  int64_t periods = 0;
  assert_int_equal(gopts_int(&o, spec, "periods", 1, 1000, &periods, err, sizeof err), 0);
  assert_int_equal(periods, 12);
  assert_null(gopts_value(&o, spec, "week_start"));
}

static void tolerates_whitespace_case_and_empty_items(void **state) {
  (void)state;
  gopts o;
  char err[GOPTS_ERR_MAX];
  assert_int_equal(gopts_parse("  STRICT_ORDER ,tz =  -05:00 ,, ", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(o.count, 2);
  assert_true(gopts_has(&o, spec, "strict_order"));
  assert_string_equal(gopts_value(&o, spec, "tz"), "-05:00");
  assert_int_equal(gopts_parse(NULL, spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(o.count, 0);
  assert_int_equal(gopts_parse("", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(o.count, 0);
  /* values keep inner spaces: as_of=2024-01-01 00:00 style values need them */
  assert_int_equal(gopts_parse("tz = + 08:00", spec, -1, &o, err, sizeof err), 0);
  assert_string_equal(gopts_value(&o, spec, "tz"), "+ 08:00");
}

static void rejects_with_the_accepted_list(void **state) {
  (void)state;
  gopts o;
  char err[GOPTS_ERR_MAX];
  assert_int_equal(gopts_parse("strict", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option 'strict' (accepted: strict_order, tz=..., periods=..., week_start=...)");
  assert_int_equal(gopts_parse("tz=1, tz=2", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "option 'tz' is given twice");
  assert_int_equal(gopts_parse("strict_order=1", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "option 'strict_order' takes no value (got '1')");
  assert_int_equal(gopts_parse("tz", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "option 'tz' needs a value: tz=...");
  assert_int_equal(gopts_parse("tz=", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "option 'tz' needs a value: tz=...");
  char big[GOPTS_MAX_TEXT + 10];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = 0;
  assert_int_equal(gopts_parse(big, spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "options are too long (1033 characters, at most 1023)");
  static const gopt_spec none[] = {{NULL, 0}};
  assert_int_equal(gopts_parse("x", none, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option 'x' (accepted: none)");
}

/* Issue 15 finding 7: r_cuts=30,90,180 said "unknown option '90'". A number or date after an
** option with a value is a list cut at a comma; a name stays an unknown option. */
static void a_list_written_with_commas_says_to_use_semicolons(void **state) {
  (void)state;
  gopts o;
  char err[GOPTS_ERR_MAX];
  assert_int_equal(gopts_parse("periods=30,90,180", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err,
                      "unknown option '90': it looks like the next item of the list 'periods=30', cut at a comma "
                      "(options are separated by commas): lists inside an option use ';', as in periods=30;90");
  assert_int_equal(gopts_parse("tz=+08:00, -5", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err,
                      "unknown option '-5': it looks like the next item of the list 'tz=+08:00', cut at a comma "
                      "(options are separated by commas): lists inside an option use ';', as in tz=+08:00;-5");
  /* a name after a value, a number after a flag or first: the plain error */
  assert_int_equal(gopts_parse("periods=3, strict", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option 'strict' (accepted: strict_order, tz=..., periods=..., week_start=...)");
  assert_int_equal(gopts_parse("strict_order, 90", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option '90' (accepted: strict_order, tz=..., periods=..., week_start=...)");
  assert_int_equal(gopts_parse("90", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option '90' (accepted: strict_order, tz=..., periods=..., week_start=...)");
  /* 90=1 has a value: not a list item */
  assert_int_equal(gopts_parse("periods=3, 90=1", spec, -1, &o, err, sizeof err), -1);
  assert_string_equal(err, "unknown option '90' (accepted: strict_order, tz=..., periods=..., week_start=...)");
}

static void checks_numbers_and_choices(void **state) {
  (void)state;
  gopts o;
  char err[GOPTS_ERR_MAX];
  int64_t n = 5;
  assert_int_equal(gopts_parse("periods=0", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(gopts_int(&o, spec, "periods", 1, 1000, &n, err, sizeof err), -1);
  assert_string_equal(err, "option periods='0' is not a whole number from 1 to 1000");
  assert_int_equal(gopts_parse("periods=12x", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(gopts_int(&o, spec, "periods", 1, 1000, &n, err, sizeof err), -1);
  assert_int_equal(n, 5); /* untouched on error */
  static const char *const days[] = {"monday", "sunday", NULL};
  int which = 0;
  assert_int_equal(gopts_parse("week_start=Sunday", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(gopts_choice(&o, spec, "week_start", days, &which, err, sizeof err), 0);
  assert_int_equal(which, 1);
  assert_int_equal(gopts_parse("week_start=friday", spec, -1, &o, err, sizeof err), 0);
  assert_int_equal(gopts_choice(&o, spec, "week_start", days, &which, err, sizeof err), -1);
  assert_string_equal(err, "option week_start='friday' is not one of monday|sunday");
  /* absent keys leave the default */
  assert_int_equal(gopts_parse("", spec, -1, &o, err, sizeof err), 0);
  which = 7;
  assert_int_equal(gopts_choice(&o, spec, "week_start", days, &which, err, sizeof err), 0);
  assert_int_equal(which, 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_flags_and_values),
    cmocka_unit_test(tolerates_whitespace_case_and_empty_items),
    cmocka_unit_test(rejects_with_the_accepted_list),
    cmocka_unit_test(a_list_written_with_commas_says_to_use_semicolons),
    cmocka_unit_test(checks_numbers_and_choices),
  };
  return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
