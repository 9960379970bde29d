/*
** test_timestamp.c: ts_unit encodings, bare dates as local days, the census that refuses
** YYYYMMDD data read as seconds, and the as_of rule (ext/timestamp.h). Expected instants are
** worked out by hand in the comments: 1997-01-01 is day 27 * 365 + 7 leap days (1972 ... 1996)
** = 9862, so 852076800 s; 1997-02-01 is 31 days later, 854755200 s.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "timestamp.h"
#include "time.h"

#define S(x) ((int64_t)(x) * 1000000)

static void yyyymmdd_dates(void **state) {
  (void)state;
  assert_true(gts_is_yyyymmdd(19970101));
  assert_true(gts_is_yyyymmdd(20240229));   /* leap day */
  assert_false(gts_is_yyyymmdd(20230229));  /* not a leap year */
  assert_false(gts_is_yyyymmdd(19970230));
  assert_false(gts_is_yyyymmdd(19971301));
  assert_false(gts_is_yyyymmdd(19970100));
  assert_false(gts_is_yyyymmdd(9991231));   /* seven digits */
  assert_false(gts_is_yyyymmdd(100000101)); /* nine */
  assert_true(gts_is_yyyymmdd(99991231));
  assert_true(gts_is_yyyymmdd(10000101));

  gts_format f = {GTS_YYYYMMDD, 1, 0};
  int64_t us;
  assert_null(gts_from_int(&f, 19970101, &us));
  assert_int_equal(us, S(852076800));
  /* tz=-05:00: the local midnight is 05:00 UTC */
  f.offset_s = -5 * 3600;
  assert_null(gts_from_int(&f, 19970101, &us));
  assert_int_equal(us, S(852076800 + 18000));
  assert_non_null(gts_from_int(&f, 19970132, &us));
  assert_null(gts_from_real(&f, 19970201.0, &us));
  assert_int_equal(us, S(854755200 + 18000));
  assert_non_null(gts_from_real(&f, 19970201.5, &us));
  /* TEXT eight digits, and ISO text still works under yyyymmdd */
  int date_only = 0;
  assert_null(gts_from_text(&f, "19970201", -1, &us, &date_only));
  assert_int_equal(us, S(854755200 + 18000));
  assert_true(date_only);
  assert_null(gts_from_text(&f, "1997-02-01 10:00", -1, &us, &date_only));
  assert_int_equal(us, S(854755200 + 36000));
  assert_false(date_only);
}

static void units(void **state) {
  (void)state;
  int64_t us;
  gts_format ms = {GTS_MILLIS, 1, 0}, micro = {GTS_MICROS, 1, 0}, s = {GTS_SECONDS, 0, 0};
  assert_null(gts_from_int(&ms, INT64_C(1700000000123), &us));
  assert_int_equal(us, INT64_C(1700000000123000));
  assert_null(gts_from_real(&ms, 1700000000123.5, &us));
  assert_int_equal(us, INT64_C(1700000000123500));
  assert_null(gts_from_int(&micro, INT64_C(1700000000123456), &us));
  assert_int_equal(us, INT64_C(1700000000123456));
  assert_null(gts_from_int(&s, 1700000000, &us));
  assert_int_equal(us, S(1700000000));
  /* the last second of 9999 in each unit, and one past it */
  assert_null(gts_from_int(&s, INT64_C(253402300799), &us));
  assert_non_null(gts_from_int(&s, INT64_C(253402300800), &us));
  assert_null(gts_from_int(&ms, INT64_C(253402300799999), &us));
  assert_non_null(gts_from_int(&ms, INT64_C(253402300800000), &us));
}

static void other_encodings_are_named(void **state) {
  (void)state;
  int64_t us;
  gts_format s = {GTS_SECONDS, 0, 0};
  /* milliseconds read as seconds: past 9999, and the reason says ms */
  const char *why = gts_from_int(&s, INT64_C(1700000000123), &us);
  assert_non_null(why);
  assert_non_null(strstr(why, "ts_unit=ms"));
  why = gts_from_real(&s, 1700000000123.0, &us);
  assert_non_null(strstr(why, "ts_unit=ms"));
  why = gts_from_int(&s, INT64_C(1700000000123456), &us);
  assert_non_null(strstr(why, "ts_unit=us"));
  why = gts_from_int(&s, INT64_C(-1700000000123), &us);
  assert_non_null(strstr(why, "ts_unit=ms"));
  /* stated units are obeyed: no guess in the reason */
  gts_format given = {GTS_SECONDS, 1, 0};
  why = gts_from_int(&given, INT64_C(1700000000123), &us);
  assert_null(strstr(why, "ts_unit=ms"));
}

static void bare_dates_are_local(void **state) {
  (void)state;
  int64_t us;
  int date_only;
  gts_format f = {GTS_SECONDS, 0, -5 * 3600};
  /* '1997-02-01' in tz=-05:00 is local midnight: 05:00 UTC, still 1 February locally */
  assert_null(gts_from_text(&f, "1997-02-01", -1, &us, &date_only));
  assert_int_equal(us, S(854755200 + 18000));
  assert_true(date_only);
  /* with a time of day and no offset, UTC as SQLite's date functions read it */
  assert_null(gts_from_text(&f, "1997-02-01 10:00", -1, &us, &date_only));
  assert_int_equal(us, S(854755200 + 36000));
  assert_false(date_only);
  assert_null(gts_from_text(&f, "1997-02-01T10:00+08:00", -1, &us, NULL));
  assert_int_equal(us, S(854755200 + 7200));
  /* tz=+08:00: local midnight of 02-01 is 01-31 16:00 UTC */
  f.offset_s = 8 * 3600;
  assert_null(gts_from_text(&f, "1997-02-01", -1, &us, NULL));
  assert_int_equal(us, S(854755200 - 28800));
  /* day 0000-01-01 in tz=-05:00 is fine (later), in +08:00 it is before year 0 in UTC */
  assert_non_null(gts_from_text(&f, "0000-01-01", -1, &us, NULL));
  f.offset_s = -5 * 3600;
  assert_null(gts_from_text(&f, "0000-01-01", -1, &us, NULL));
}

static void census(void **state) {
  (void)state;
  gts_format s = {GTS_SECONDS, 0, 0};
  gts_census c = {0, 0, 0};
  assert_null(gts_census_verdict(&c));  /* no INTEGERs: nothing to say */
  gts_census_int(&c, &s, 19970101);
  gts_census_int(&c, &s, 19970102);
  assert_non_null(gts_census_verdict(&c));
  assert_int_equal(c.example, 19970102);
  gts_census_int(&c, &s, 852076800);  /* one real Unix second: the data is not YYYYMMDD */
  assert_null(gts_census_verdict(&c));
  /* ts_unit=s stated: no verdict */
  gts_format given = {GTS_SECONDS, 1, 0};
  gts_census d = {0, 0, 0};
  gts_census_int(&d, &given, 19970101);
  assert_null(gts_census_verdict(&d));
}

static void as_of_rule(void **state) {
  (void)state;
  /* latest row 1998-06-30 15:00 UTC: UTC default is 1998-07-01 00:00 = 1998-06-30 + 1 day.
  ** 1998-06-30 is day 9862 + 365 (1997) + 180 (Jan..Jun 29 of 1998: 31+28+31+30+31+29) = 10407. */
  int64_t latest = S(10407 * 86400 + 15 * 3600);
  assert_int_equal(gts_default_as_of(0, latest), S(10408 * 86400));
  /* in +08:00 that row is 06-30 23:00 local: the default is 07-01 00:00 local = 06-30 16:00 UTC */
  assert_int_equal(gts_default_as_of(8 * 3600, latest), S(10408 * 86400 - 28800));
  /* two hours later it is 07-01 01:00 local: the default is 07-02 00:00 local = 07-01 16:00 UTC */
  assert_int_equal(gts_default_as_of(8 * 3600, latest + S(7200)), S(10409 * 86400 - 28800));
  /* a row exactly at local midnight belongs to that day: the default is the next midnight */
  assert_int_equal(gts_default_as_of(0, S(10407 * 86400)), S(10408 * 86400));
  /* the last observed day of as_of = 1998-07-01 00:00 is 06-30 */
  assert_int_equal(gts_last_observed_day(0, S(10408 * 86400)), 10407);
  assert_int_equal(gts_last_observed_day(0, S(10408 * 86400) + 1), 10408);
  assert_int_equal(gts_last_observed_day(8 * 3600, S(10409 * 86400 - 28800)), 10408);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(yyyymmdd_dates),       cmocka_unit_test(units),  cmocka_unit_test(other_encodings_are_named),
    cmocka_unit_test(bare_dates_are_local), cmocka_unit_test(census), cmocka_unit_test(as_of_rule),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
