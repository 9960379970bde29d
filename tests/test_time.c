/*
** test_time.c: the time core (ext/time.c). Every expected value is worked out by hand in the
** comment beside it (day numbers count from 1970-01-01 = day 0).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "time.h"

#define SEC GTIME_US_PER_SEC

static int64_t parse_ok(const char *s) {
  int64_t us = 0;
  const char *why = gtime_parse_text(s, -1, &us);
  if (why) fail_msg("'%s' did not parse: %s", s, why);
  return us;
}

static void parse_fails(const char *s, const char *reason) {
  int64_t us;
  const char *why = gtime_parse_text(s, -1, &us);
  if (!why) fail_msg("'%s' parsed but should not", s);
  assert_string_equal(why, reason);
}

static void parses_iso_text(void **state) {
  (void)state;
  assert_int_equal(parse_ok("1970-01-01"), 0);
  /* 2000-01-01: 30 years incl. 7 leap days = 10957 days = 946684800 s */
  assert_int_equal(parse_ok("2000-01-01T00:00:00Z"), INT64_C(946684800) * SEC);
  /* 2024-02-29 is day 19723 (2024-01-01) + 31 + 28 = 19782; 12:34:56 = 45296 s */
  assert_int_equal(parse_ok("2024-02-29 12:34:56.789"), (INT64_C(19782) * 86400 + 45296) * SEC + 789000);
  assert_int_equal(parse_ok("2024-02-29t12:34:56.789z"), (INT64_C(19782) * 86400 + 45296) * SEC + 789000);
  /* minutes only, seconds optional */
  assert_int_equal(parse_ok("2024-02-29 12:34"), (INT64_C(19782) * 86400 + 45240) * SEC);
  /* fractions: digits past microseconds are dropped */
  assert_int_equal(parse_ok("1970-01-01 00:00:00.5"), 500000);
  assert_int_equal(parse_ok("1970-01-01 00:00:00.1234567"), 123456);
  /* offsets: 08:00 in UTC+8 is midnight UTC; midnight in UTC-5 is 05:00 UTC */
  assert_int_equal(parse_ok("2024-01-01T08:00:00+08:00"), INT64_C(1704067200) * SEC);
  assert_int_equal(parse_ok("2024-01-01 00:00-05:00"), INT64_C(1704085200) * SEC);
  assert_int_equal(parse_ok("2024-01-01 00:00:00 +0530"), (INT64_C(1704067200) - 19800) * SEC);
  /* surrounding whitespace is tolerated */
  assert_int_equal(parse_ok("  2024-01-01  "), INT64_C(1704067200) * SEC);
}

static void parses_before_1970_and_at_the_ends(void **state) {
  (void)state;
  assert_int_equal(parse_ok("1969-12-31 23:59:59"), -SEC);
  /* 1960-01-01: 10 years back incl. leap years 1960, 1964, 1968 = 3653 days */
  assert_int_equal(parse_ok("1960-01-01"), INT64_C(-3653) * 86400 * SEC);
  assert_int_equal(parse_ok("0000-01-01"), GTIME_MIN_US);
  assert_int_equal(parse_ok("9999-12-31 23:59:59"), GTIME_MAX_US - 999999);
  parse_fails("9999-12-31 23:59:59-01:00", "outside years 0000..9999 after the offset");
  parse_fails("0000-01-01 00:00+01:00", "outside years 0000..9999 after the offset");
}

static void rejects_bad_text(void **state) {
  (void)state;
  parse_fails("", "empty text");
  parse_fails("yesterday", "expected YYYY-MM-DD");
  parse_fails("2024-13-01", "month out of range (01..12)");
  parse_fails("2024-02-30", "day out of range for that month");
  parse_fails("2023-02-29", "day out of range for that month"); /* 2023 is not leap */
  parse_fails("1900-02-29", "day out of range for that month"); /* centuries are not leap... */
  assert_int_equal(parse_ok("2000-02-29"), INT64_C(11016) * 86400 * SEC); /* ...unless /400 */
  parse_fails("2024-01-01 24:00", "hour out of range (00..23)");
  parse_fails("2024-01-01 10:60", "minute out of range (00..59)");
  parse_fails("2024-01-01 10:00:61", "second out of range (00..59)");
  parse_fails("2024-01-01 10", "expected HH:MM after the date");
  parse_fails("2024-01-01 10:00 PST", "unexpected text after the timestamp");
  parse_fails("2024-01-01 10:00+25:00", "offset hours out of range (00..23)");
  parse_fails("1700000000", "expected YYYY-MM-DD");
}

static void converts_numbers(void **state) {
  (void)state;
  int64_t us;
  assert_null(gtime_from_unix_seconds(1704067200, &us));
  assert_int_equal(us, INT64_C(1704067200) * SEC);
  assert_null(gtime_from_unix_real(1.5, &us));
  assert_int_equal(us, 1500000);
  assert_null(gtime_from_unix_real(-0.5, &us));
  assert_int_equal(us, -500000);
  assert_string_equal(gtime_from_unix_seconds(INT64_C(253402300800), &us), "outside years 0000..9999");
  assert_string_equal(gtime_from_unix_seconds(INT64_MIN, &us), "outside years 0000..9999");
  assert_string_equal(gtime_from_unix_seconds(INT64_MAX, &us), "outside years 0000..9999");
  assert_string_equal(gtime_from_unix_real(NAN, &us), "not a finite number");
  assert_string_equal(gtime_from_unix_real(INFINITY, &us), "not a finite number");
  assert_string_equal(gtime_from_unix_real(1e300, &us), "outside years 0000..9999");
}

static void formats_instants(void **state) {
  (void)state;
  char buf[GTIME_TEXT_MAX];
  int64_t t = (INT64_C(19782) * 86400 + 45296) * SEC + 789000;
  assert_string_equal(gtime_format(t, 0, buf), "2024-02-29 12:34:56.789");
  assert_string_equal(gtime_format(t, 8 * 3600, buf), "2024-02-29 20:34:56.789");
  assert_string_equal(gtime_format(-SEC, 0, buf), "1969-12-31 23:59:59");
  assert_string_equal(gtime_format(1, 0, buf), "1970-01-01 00:00:00.000001");
  assert_string_equal(gtime_format_day(-1, buf), "1969-12-31");
  assert_string_equal(gtime_format(GTIME_MIN_US, 0, buf), "0000-01-01 00:00:00");
}

static void civil_dates_round_trip(void **state) {
  (void)state;
  /* every day from year 0000 to 9999 maps to a valid date and back */
  int64_t first = gtime_days_from_civil(0, 1, 1), last = gtime_days_from_civil(9999, 12, 31);
  assert_int_equal(last - first + 1, INT64_C(3652425)); /* 10000 years x 365.2425 days */
  for (int64_t day = first; day <= last; day++) {
    int64_t y;
    unsigned m, d;
    gtime_civil_from_days(day, &y, &m, &d);
    if (gtime_days_from_civil(y, m, d) != day) fail_msg("day %lld did not round-trip", (long long)day);
  }
  /* 2100 is not a leap year: Feb 28 is followed by Mar 1 */
  assert_int_equal(gtime_days_from_civil(2100, 3, 1) - gtime_days_from_civil(2100, 2, 28), 1);
  assert_int_equal(gtime_days_from_civil(2024, 3, 1) - gtime_days_from_civil(2024, 2, 28), 2);
}

static void parses_durations(void **state) {
  (void)state;
  int64_t us;
  struct { const char *text; int64_t seconds; } ok[] = {
    {"90 seconds", 90}, {"30 minutes", 1800}, {"1 hour", 3600}, {"7 days", 604800}, {"2 weeks", 1209600},
    {"1.5 hours", 5400}, {"1 day 12 hours", 129600}, {"3600", 3600}, {"0", 0}, {" 10 MIN ", 600},
    {"1d", 86400}, {"2h, 30min", 9000},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    const char *why = gtime_parse_duration(ok[i].text, -1, &us);
    if (why) fail_msg("'%s': %s", ok[i].text, why);
    assert_int_equal(us, ok[i].seconds * SEC);
  }
  assert_string_equal(gtime_parse_duration("-1 day", -1, &us), "must not be negative");
  assert_string_equal(gtime_parse_duration("1 month", -1, &us), "months, quarters and years are periods, not durations");
  assert_string_equal(gtime_parse_duration("5 parsecs", -1, &us), "unknown unit (accepted: seconds, minutes, hours, days, weeks)");
  assert_string_equal(gtime_parse_duration("", -1, &us), "empty text");
  assert_string_equal(gtime_parse_duration("days", -1, &us), "expected a number and a unit such as '30 minutes' or '7 days'");
  assert_string_equal(gtime_parse_duration("1 day 2", -1, &us), "expected a unit after the number");
  /* a plain number (seconds) stands alone; a number has one decimal point (issue 16 L5: these
  ** read as 7201, 1801.5 and 3630 seconds) */
  assert_string_equal(gtime_parse_duration("1 2 hours", -1, &us), "expected a unit after the number");
  assert_string_equal(gtime_parse_duration("30 60 minutes", -1, &us), "expected a unit after the number");
  assert_string_equal(gtime_parse_duration("1.5.5 hours", -1, &us), "malformed number");
  assert_string_equal(gtime_parse_duration("1..5 hours", -1, &us), "malformed number");
  assert_string_equal(gtime_parse_duration("10 ,", -1, &us), "expected a unit after the number");
  assert_null(gtime_parse_duration("  3600  ", -1, &us));
  assert_int_equal(us, 3600 * SEC);
  assert_string_equal(gtime_duration_from_seconds(-1, &us), "must not be negative");
  assert_string_equal(gtime_duration_from_seconds(1e300, &us), "too large");
  assert_string_equal(gtime_duration_from_seconds(NAN, &us), "not a finite number");
  assert_null(gtime_duration_from_seconds(0.25, &us));
  assert_int_equal(us, 250000);
}

static void parses_periods_and_offsets(void **state) {
  (void)state;
  gperiod p;
  assert_null(gtime_parse_period("Week", -1, &p));
  assert_int_equal(p, GPERIOD_WEEK);
  assert_null(gtime_parse_period("months", -1, &p));
  assert_int_equal(p, GPERIOD_MONTH);
  assert_null(gtime_parse_period(" quarter ", -1, &p));
  assert_int_equal(p, GPERIOD_QUARTER);
  assert_non_null(gtime_parse_period("fortnight", -1, &p));
  assert_non_null(gtime_parse_period("", -1, &p));
  int32_t off;
  struct { const char *text; int32_t seconds; } ok[] = {
    {"+08:00", 28800}, {"-05:30", -19800}, {"+0800", 28800}, {"+8", 28800}, {"Z", 0}, {"UTC", 0}, {"0", 0},
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    assert_null(gtime_parse_offset(ok[i].text, -1, &off));
    assert_int_equal(off, ok[i].seconds);
  }
  assert_non_null(gtime_parse_offset("+24:00", -1, &off));
  assert_non_null(gtime_parse_offset("8", -1, &off));
  assert_non_null(gtime_parse_offset("Asia/Shanghai", -1, &off));
}

static const char *bucket(gperiod p, int32_t offset, int sunday, const char *ts, char *buf) {
  gcalendar cal = {p, offset, sunday};
  return gtime_format_day(gtime_period_start_day(&cal, parse_ok(ts)), buf);
}

static void finds_period_starts(void **state) {
  (void)state;
  char buf[16];
  /* 2024-03-03 is a Sunday */
  assert_string_equal(bucket(GPERIOD_WEEK, 0, 0, "2024-03-03 12:00", buf), "2024-02-26");
  assert_string_equal(bucket(GPERIOD_WEEK, 0, 1, "2024-03-03 12:00", buf), "2024-03-03");
  assert_string_equal(bucket(GPERIOD_WEEK, 0, 0, "2024-03-04 00:00", buf), "2024-03-04");
  /* 20:00 UTC Sunday is 04:00 Monday in UTC+8 */
  assert_string_equal(bucket(GPERIOD_WEEK, 28800, 0, "2024-03-03 20:00Z", buf), "2024-03-04");
  /* 03:00 UTC on New Year's Day is still 2023 in UTC-5 */
  assert_string_equal(bucket(GPERIOD_DAY, -18000, 0, "2024-01-01 03:00Z", buf), "2023-12-31");
  assert_string_equal(bucket(GPERIOD_MONTH, -18000, 0, "2024-01-01 03:00Z", buf), "2023-12-01");
  assert_string_equal(bucket(GPERIOD_YEAR, -18000, 0, "2024-01-01 03:00Z", buf), "2023-01-01");
  /* leap day and month ends */
  assert_string_equal(bucket(GPERIOD_MONTH, 0, 0, "2024-02-29 23:59:59", buf), "2024-02-01");
  assert_string_equal(bucket(GPERIOD_QUARTER, 0, 0, "2024-12-31", buf), "2024-10-01");
  assert_string_equal(bucket(GPERIOD_QUARTER, 0, 0, "2024-04-01", buf), "2024-04-01");
  /* before 1970: 1969-12-31 is a Wednesday */
  assert_string_equal(bucket(GPERIOD_WEEK, 0, 0, "1969-12-31", buf), "1969-12-29");
  assert_string_equal(bucket(GPERIOD_WEEK, 0, 1, "1969-12-31", buf), "1969-12-28");
  assert_string_equal(bucket(GPERIOD_MONTH, 0, 0, "1969-12-15", buf), "1969-12-01");
  assert_string_equal(bucket(GPERIOD_MONTH, 0, 0, "0001-06-15", buf), "0001-06-01");
  assert_string_equal(bucket(GPERIOD_YEAR, 0, 0, "1900-07-04", buf), "1900-01-01");
}

static int64_t diff(gperiod p, int32_t offset, const char *from, const char *to) {
  gcalendar cal = {p, offset, 0};
  return gtime_period_diff(&cal, parse_ok(from), parse_ok(to));
}

static void counts_whole_periods(void **state) {
  (void)state;
  assert_int_equal(diff(GPERIOD_MONTH, 0, "2024-01-31", "2024-02-01"), 1);
  assert_int_equal(diff(GPERIOD_MONTH, 0, "2024-01-01", "2024-01-31 23:59"), 0);
  assert_int_equal(diff(GPERIOD_MONTH, 0, "2023-11-15", "2024-02-15"), 3);
  assert_int_equal(diff(GPERIOD_YEAR, 0, "2023-12-31 23:00", "2024-01-01 01:00"), 1);
  assert_int_equal(diff(GPERIOD_DAY, 0, "2024-01-01 01:00", "2023-12-31 23:00"), -1);
  assert_int_equal(diff(GPERIOD_QUARTER, 0, "2024-03-31", "2024-04-01"), 1);
  /* Sunday to Monday is the next ISO week; Monday to Sunday is the same week */
  assert_int_equal(diff(GPERIOD_WEEK, 0, "2024-03-03", "2024-03-04"), 1);
  assert_int_equal(diff(GPERIOD_WEEK, 0, "2024-03-04", "2024-03-10 23:59"), 0);
  /* across the 1970 boundary: 1969-12-31 (Wed) and 1970-01-05 (Mon) are one week apart */
  assert_int_equal(diff(GPERIOD_WEEK, 0, "1969-12-31", "1970-01-05"), 1);
  /* 10:00Z and 17:00Z are the same UTC day, but 18:00 and 01:00 the next day in UTC+8 */
  assert_int_equal(diff(GPERIOD_DAY, 0, "2024-01-01 10:00Z", "2024-01-01 17:00Z"), 0);
  assert_int_equal(diff(GPERIOD_DAY, 28800, "2024-01-01 10:00Z", "2024-01-01 17:00Z"), 1);
  /* period starts by index: month index y*12 + m-1 */
  gcalendar cal = {GPERIOD_MONTH, 28800, 0};
  assert_int_equal(gtime_period_index_start_us(&cal, 2024 * 12 + 1), (INT64_C(19754) * 86400 - 28800) * SEC);
}

static void counts_rolling_windows(void **state) {
  (void)state;
  /* one day apart by the calendar, 0 whole 30-day windows */
  assert_int_equal(gtime_rolling_diff(GPERIOD_MONTH, parse_ok("2024-01-31"), parse_ok("2024-02-01")), 0);
  assert_int_equal(gtime_rolling_diff(GPERIOD_MONTH, parse_ok("2024-01-01"), parse_ok("2024-01-31")), 1);
  assert_int_equal(gtime_rolling_diff(GPERIOD_DAY, parse_ok("2024-01-01 10:00"), parse_ok("2024-01-02 09:59:59")), 0);
  assert_int_equal(gtime_rolling_diff(GPERIOD_DAY, parse_ok("2024-01-01 10:00"), parse_ok("2024-01-02 10:00")), 1);
  /* Truncated toward zero, the same count either way round (issue 16 L11: flooring made an
  ** hour earlier -1 week). 7 days = 604800 s: 604799.999999 s is 0 whole weeks, 604800 is 1. */
  assert_int_equal(gtime_rolling_diff(GPERIOD_WEEK, parse_ok("2024-01-01 10:00"), parse_ok("2024-01-01 09:00")), 0);
  assert_int_equal(gtime_rolling_diff(GPERIOD_WEEK, parse_ok("2024-01-08"), parse_ok("2024-01-01 00:00:00.000001")), 0);
  assert_int_equal(gtime_rolling_diff(GPERIOD_WEEK, parse_ok("2024-01-08"), parse_ok("2024-01-01")), -1);
  assert_int_equal(gtime_rolling_diff(GPERIOD_WEEK, parse_ok("2024-01-01"), parse_ok("2024-01-07 23:59:59.999999")), 0);
  assert_int_equal(gtime_rolling_diff(GPERIOD_WEEK, parse_ok("2024-01-01"), parse_ok("2024-01-08")), 1);
  assert_int_equal(gtime_rolling_diff(GPERIOD_DAY, parse_ok("2024-01-03 12:00"), parse_ok("2024-01-01 12:00:01")), -1);
  assert_int_equal(gtime_rolling_length_us(GPERIOD_YEAR), INT64_C(365) * 86400 * SEC);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(parses_iso_text),        cmocka_unit_test(parses_before_1970_and_at_the_ends),
    cmocka_unit_test(rejects_bad_text),       cmocka_unit_test(converts_numbers),
    cmocka_unit_test(formats_instants),       cmocka_unit_test(civil_dates_round_trip),
    cmocka_unit_test(parses_durations),       cmocka_unit_test(parses_periods_and_offsets),
    cmocka_unit_test(finds_period_starts),    cmocka_unit_test(counts_whole_periods),
    cmocka_unit_test(counts_rolling_windows),
  };
  return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
