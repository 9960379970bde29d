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
#include <stdio.h>
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

/* ------------------------------------------------------------------ the fast ISO path */

static uint64_t iso_rng = 0x9e3779b97f4a7c15u;
static unsigned pick(unsigned n) {
  iso_rng ^= iso_rng << 13;
  iso_rng ^= iso_rng >> 7;
  iso_rng ^= iso_rng << 17;
  return (unsigned)(iso_rng % n);
}

/* Two digits, mostly in range, sometimes just past it or not digits at all. */
static void put2(char *b, size_t *n, unsigned lo, unsigned hi) {
  unsigned v = pick(10) ? lo + pick(hi - lo + 1) : pick(100);
  if (!pick(60)) { b[(*n)++] = (char)("x /:-9"[pick(6)]); b[(*n)++] = '1'; return; }
  b[(*n)++] = (char)('0' + v / 10);
  b[(*n)++] = (char)('0' + v % 10);
}

/* A timestamp as applications write it, or one of its near misses: every part varies (leap
** days of 1900, 2000, 2023, 2024, years 0000 and 9999, fractions of 0 to 12 digits, Z, offsets
** in and out of range and in other spellings, separators, blanks, a cut or a changed byte). */
static size_t gen_iso(char *b) {
  static const unsigned years[] = {0, 1, 1900, 1970, 1999, 2000, 2023, 2024, 2100, 9999};
  size_t n = 0;
  unsigned y = pick(4) ? years[pick(10)] : pick(10000);
  if (!pick(40)) b[n++] = ' ';
  n += (size_t)snprintf(b + n, 8, "%04u", y);
  b[n++] = pick(50) ? '-' : '/';
  put2(b, &n, 1, 12);
  b[n++] = '-';
  if (pick(3)) put2(b, &n, 1, 28);
  else put2(b, &n, 28, 31); /* month ends, 29 February */
  switch (pick(8)) {
    case 0: break; /* a bare date */
    case 1: b[n++] = ' '; break;
    default: {
      b[n++] = "T T t x"[pick(7)];
      put2(b, &n, 0, 23);
      b[n++] = ':';
      put2(b, &n, 0, 59);
      if (pick(10)) {
        b[n++] = pick(40) ? ':' : '.';
        put2(b, &n, 0, 59);
      }
      if (!pick(3)) {
        b[n++] = '.';
        for (unsigned i = 0, k = pick(13); i < k; i++) b[n++] = (char)('0' + pick(10));
      }
      switch (pick(6)) {
        case 0: b[n++] = "Zz"[pick(2)]; break;
        case 1: case 2: {
          if (!pick(10)) b[n++] = ' ';
          b[n++] = "+-"[pick(2)];
          put2(b, &n, 0, 23);
          if (pick(6)) b[n++] = ':';
          if (pick(8)) put2(b, &n, 0, 59);
          break;
        }
        default: break;
      }
    }
  }
  if (!pick(30)) b[n++] = ' ';
  if (!pick(20)) b[pick((unsigned)n)] = (char)pick(128); /* any byte, NUL included */
  if (!pick(20)) n = pick((unsigned)n + 1);               /* cut short */
  return n;
}

/* Wherever the fast path answers, it answers what the full parser answers; where it does not,
** gts_from_text still gives the full parser's value or reason. */
static void fast_iso_agrees_with_the_full_parser(void **state) {
  (void)state;
  char b[128];
  unsigned fast = 0, valid = 0;
  static const int32_t offsets[] = {0, 8 * 3600, -5 * 3600 - 1800};
  for (int i = 0; i < 400000; i++) {
    size_t n = gen_iso(b);
    b[n] = 0;
    int64_t us_fast = 0, us_full = 0;
    int do_fast = -1, do_full = -1;
    int took = gts_parse_iso_fast(b, (int)n, &us_fast, &do_fast);
    const char *why = gtime_parse_text_ex(b, (int)n, &us_full, &do_full);
    if (!why) valid++;
    if (took) {
      fast++;
      assert_null(why);
      assert_int_equal(us_fast, us_full);
      assert_int_equal(do_fast, do_full);
    }
    if (strlen(b) == n) { /* NUL-terminated (n < 0) reads the same */
      int64_t us2 = 0;
      int do2 = -1;
      assert_int_equal(gts_parse_iso_fast(b, -1, &us2, &do2), took);
      if (took) assert_true(us2 == us_fast && do2 == do_fast);
    }
    /* gts_from_text: the value, or the very reason, of the full parser */
    gts_format f = {GTS_SECONDS, 0, offsets[i % 3]};
    int64_t got = 0;
    int got_do = -1;
    const char *got_why = gts_from_text(&f, b, (int)n, &got, &got_do);
    if (why) {
      assert_non_null(got_why);
      assert_string_equal(got_why, why);
    } else {
      int64_t want = us_full;
      const char *want_why = NULL;
      if (do_full) {
        want = us_full - (int64_t)f.offset_s * 1000000;
        if (want < GTIME_MIN_US || want > GTIME_MAX_US) want_why = "outside years 0000..9999 after the offset";
      }
      if (want_why) {
        assert_non_null(got_why);
        assert_string_equal(got_why, want_why);
      } else {
        assert_null(got_why);
        assert_int_equal(got, want);
        assert_int_equal(got_do, do_full);
      }
    }
  }
  /* the generator reaches both sides: most valid strings take the fast path, and many are refused */
  assert_true(valid > 100000 && valid < 380000);
  assert_true(fast > valid / 2);
}

/* The shapes the fast path exists for, and some it leaves to the full parser on purpose. */
static void fast_iso_shapes(void **state) {
  (void)state;
  static const char *const taken[] = {
    "2024-02-29 23:59:59", "2024-02-29T23:59:59", "2024-01-01t00:00:00", "1997-01-01",
    "2024-01-01T10:00:00Z", "2024-01-01T10:00:00.5", "2024-01-01T10:00:00.123456789",
    "2024-01-01T10:00:00.250+08:00", "2024-01-01 10:00:00-05:30", "0000-01-01 00:00:00",
    "9999-12-31T23:59:59.999999", "2000-02-29", "0000-02-29",
  };
  static const char *const left[] = {
    "2024-01-01 10:00", "2024-01-01T10:00:00+0800", "2024-01-01T10:00:00+8", " 2024-01-01",
    "2024-01-01 ", "2024-01-01 10:00:00 +08:00", "2024-01-01T10:00:00.", "1900-02-29", "2023-02-29",
    "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-01 24:00:00", "2024-01-01 10:60:00",
    "2024-01-01 10:00:60", "2024-01-01T10:00:00+24:00", "2024-01-01T10:00:00+08:60",
    "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2024-01-01T10:00:00Zx",
  };
  for (size_t i = 0; i < sizeof taken / sizeof *taken; i++) {
    int64_t us, full;
    int d, dfull;
    assert_true(gts_parse_iso_fast(taken[i], -1, &us, &d));
    assert_null(gtime_parse_text_ex(taken[i], -1, &full, &dfull));
    assert_int_equal(us, full);
    assert_int_equal(d, dfull);
  }
  for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
    int64_t us;
    int d;
    assert_false(gts_parse_iso_fast(left[i], -1, &us, &d));
  }
  /* an embedded NUL is a byte like any other when the length is given */
  int64_t us;
  int d;
  assert_false(gts_parse_iso_fast("2024-01-01 10:00:00\0", 20, &us, &d));
  assert_true(gts_parse_iso_fast("2024-01-01 10:00:00\0", 19, &us, &d));
  assert_int_equal(us, S(19723 * 86400 + 36000)); /* 2024-01-01 is day 19723 */
  assert_false(gts_parse_iso_fast(NULL, 0, &us, &d));
}

/* ------------------------------------------------------------------ the memo of the last month */

/* One string read with the memo (kept from string to string, as a source's rows are) and
** without: the same answer, the same instant, the same reason. */
static void same_with_memo(gts_iso_memo *m, const char *b, int n) {
  int64_t us = -1, us_memo = -2;
  int d = -1, d_memo = -2;
  int took = gts_parse_iso_fast(b, n, &us, &d);
  assert_int_equal(gts_parse_iso_memo(m, b, n, &us_memo, &d_memo), took);
  if (took) {
    assert_int_equal(us_memo, us);
    assert_int_equal(d_memo, d);
  }
  gts_format f = {GTS_SECONDS, 0, 8 * 3600};
  const char *why = gts_from_text(&f, b, n, &us, &d);
  const char *why_memo = gts_from_text_memo(&f, m, b, n, &us_memo, &d_memo);
  if (why) {
    assert_non_null(why_memo);
    assert_string_equal(why_memo, why);
  } else {
    assert_null(why_memo);
    assert_int_equal(us_memo, us);
    assert_int_equal(d_memo, d);
  }
}

/* Every day of years around the century, leap and era boundaries, in order (the memo's month
** changes at each month's end), as a date and as a time of day: the instant the full parser
** gives. After each, the same month with a day just outside it or not digits: refused, as
** without the memo, and the memo still right for the next day. */
static void iso_memo_walks_the_calendar(void **state) {
  (void)state;
  static const int64_t spans[][2] = {{0, 2},       {1899, 1901}, {1969, 1972}, {1999, 2001},
                                     {2023, 2025}, {2099, 2101}, {9998, 9999}};
  gts_iso_memo m;
  memset(&m, 0, sizeof m);
  unsigned days = 0;
  for (size_t s = 0; s < sizeof spans / sizeof *spans; s++) {
    int64_t first = gtime_days_from_civil(spans[s][0], 1, 1), last = gtime_days_from_civil(spans[s][1], 12, 31);
    for (int64_t z = first; z <= last; z++, days++) {
      int64_t y;
      unsigned mo, d;
      gtime_civil_from_days(z, &y, &mo, &d);
      char b[64];
      unsigned secs = (unsigned)((z * 7919) % 86400 + 86400) % 86400;
      int n = snprintf(b, sizeof b, "%04lld-%02u-%02u %02u:%02u:%02u", (long long)y, mo, d, secs / 3600, secs / 60 % 60,
                       secs % 60);
      int64_t us, full;
      int date_only, full_date_only;
      assert_true(gts_parse_iso_memo(&m, b, n, &us, &date_only));
      assert_null(gtime_parse_text_ex(b, n, &full, &full_date_only));
      assert_int_equal(us, full);
      assert_int_equal(us, (z * 86400 + secs) * 1000000);
      assert_false(date_only);
      same_with_memo(&m, b, n);
      same_with_memo(&m, b, 10); /* the date alone */
      assert_true(gts_parse_iso_memo(&m, b, 10, &us, &date_only));
      assert_int_equal(us, z * 86400 * 1000000);
      assert_true(date_only);
      /* the month's last day is the day before the next month's 1st */
      unsigned mdays = (unsigned)(gtime_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) -
                                  gtime_days_from_civil(y, mo, 1));
      static const char *const bad_days[] = {"00", "3x", "a1", " 1", "-1", "1:", "99"};
      char bad[64];
      memcpy(bad, b, (size_t)n + 1);
      for (size_t i = 0; i < sizeof bad_days / sizeof *bad_days; i++) {
        memcpy(bad + 8, bad_days[i], 2);
        assert_false(gts_parse_iso_memo(&m, bad, n, &us, &date_only));
        same_with_memo(&m, bad, n);
        same_with_memo(&m, bad, 10);
      }
      snprintf(bad + 8, 3, "%02u", mdays + 1);
      bad[10] = ' ';
      assert_false(gts_parse_iso_memo(&m, bad, n, &us, &date_only));
      same_with_memo(&m, bad, n);
      snprintf(bad + 8, 3, "%02u", mdays);
      bad[10] = ' ';
      assert_true(gts_parse_iso_memo(&m, bad, n, &us, &date_only));
      assert_int_equal(us, ((gtime_days_from_civil(y, mo, 1) + mdays - 1) * 86400 + secs) * 1000000);
    }
  }
  assert_true(days > 6000);
}

/* The generator's strings, each followed by the same month with another day (so that the memo
** answers it): the same as without the memo, valid or not. */
static void iso_memo_agrees_without(void **state) {
  (void)state;
  gts_iso_memo m;
  memset(&m, 0, sizeof m);
  char b[128];
  for (int i = 0; i < 200000; i++) {
    size_t n = gen_iso(b);
    b[n] = 0;
    same_with_memo(&m, b, (int)n);
    if (n >= 10) {
      size_t at = 8;
      put2(b, &at, 1, 31);
      same_with_memo(&m, b, (int)n);
      if (strlen(b) == n) same_with_memo(&m, b, -1);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(yyyymmdd_dates),
    cmocka_unit_test(units),
    cmocka_unit_test(other_encodings_are_named),
    cmocka_unit_test(bare_dates_are_local),
    cmocka_unit_test(census),
    cmocka_unit_test(as_of_rule),
    cmocka_unit_test(fast_iso_agrees_with_the_full_parser),
    cmocka_unit_test(fast_iso_shapes),
    cmocka_unit_test(iso_memo_walks_the_calendar),
    cmocka_unit_test(iso_memo_agrees_without),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
