/* timestamp.c: see timestamp.h. */
#include "timestamp.h"

#include <math.h>
#include <string.h>

#include "time.h"

const char *const gts_unit_names[] = {"s", "ms", "us", "yyyymmdd", (const char *)0};

#define MAX_SECONDS (GTIME_MAX_US / GTIME_US_PER_SEC)
#define MIN_SECONDS (GTIME_MIN_US / GTIME_US_PER_SEC)

int gts_is_yyyymmdd(int64_t v) {
  if (v < 10000101 || v > 99991231) return 0;
  int64_t y = v / 10000;
  unsigned m = (unsigned)(v / 100 % 100), d = (unsigned)(v % 100);
  if (m < 1 || m > 12 || d < 1) return 0;
  /* the last day of the month: the day before the first of the next */
  int64_t next = m == 12 ? gtime_days_from_civil(y + 1, 1, 1) : gtime_days_from_civil(y, m + 1, 1);
  return (int64_t)d <= next - gtime_days_from_civil(y, m, 1);
}

/* A local calendar day's midnight as an instant. */
static const char *local_midnight(int64_t day, int32_t offset_s, int64_t *out_us) {
  int64_t us = day * GTIME_US_PER_DAY - (int64_t)offset_s * GTIME_US_PER_SEC;
  if (us < GTIME_MIN_US || us > GTIME_MAX_US) return "outside years 0000..9999 after the offset";
  *out_us = us;
  return 0;
}

static const char *from_yyyymmdd(const gts_format *f, int64_t v, int64_t *out_us) {
  if (!gts_is_yyyymmdd(v)) return "not a valid YYYYMMDD date (ts_unit=yyyymmdd)";
  return local_midnight(gtime_days_from_civil(v / 10000, (unsigned)(v / 100 % 100), (unsigned)(v % 100)),
                        f->offset_s, out_us);
}

/* Why a number is out of range as seconds, with the encoding it reads as when there is one. */
static const char *out_of_range(const gts_format *f, double v) {
  if (f->unit_given) return "outside years 0000..9999 in that ts_unit";
  if (v < 0) {
    if (v >= (double)MIN_SECONDS * 1e3) return "before year 0000 as Unix seconds: it reads as milliseconds; say ts_unit=ms";
    if (v >= (double)MIN_SECONDS * 1e6) return "before year 0000 as Unix seconds: it reads as microseconds; say ts_unit=us";
    return "outside years 0000..9999";
  }
  if (v <= (double)MAX_SECONDS * 1e3) return "past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms";
  if (v <= (double)MAX_SECONDS * 1e6) return "past year 9999 as Unix seconds: it reads as microseconds; say ts_unit=us";
  return "outside years 0000..9999";
}

const char *gts_from_int(const gts_format *f, int64_t v, int64_t *out_us) {
  switch (f->unit) {
    case GTS_YYYYMMDD: return from_yyyymmdd(f, v, out_us);
    case GTS_MICROS:
      if (v < GTIME_MIN_US || v > GTIME_MAX_US) return out_of_range(f, (double)v);
      *out_us = v;
      return 0;
    case GTS_MILLIS:
      if (v < GTIME_MIN_US / 1000 || v > GTIME_MAX_US / 1000) return out_of_range(f, (double)v);
      *out_us = v * 1000;
      return 0;
    default:
      if (v < MIN_SECONDS || v > MAX_SECONDS) return out_of_range(f, (double)v);
      *out_us = v * GTIME_US_PER_SEC;
      return 0;
  }
}

const char *gts_from_real(const gts_format *f, double v, int64_t *out_us) {
  if (!isfinite(v)) return "not a finite number";
  switch (f->unit) {
    case GTS_YYYYMMDD:
      if (v != floor(v) || fabs(v) > 1e9) return "not a valid YYYYMMDD date (ts_unit=yyyymmdd)";
      return from_yyyymmdd(f, (int64_t)v, out_us);
    case GTS_MICROS:
      if (v < (double)GTIME_MIN_US || v > (double)GTIME_MAX_US) return out_of_range(f, v);
      *out_us = llround(v);
      return 0;
    case GTS_MILLIS: {
      /* compare in double before converting: the cast of an out-of-range double is undefined */
      if (v < (double)(GTIME_MIN_US / 1000) || v > (double)(GTIME_MAX_US / 1000)) return out_of_range(f, v);
      double whole = floor(v);
      int64_t us = (int64_t)whole * 1000 + (int64_t)llround((v - whole) * 1e3);
      *out_us = us > GTIME_MAX_US ? GTIME_MAX_US : us;
      return 0;
    }
    default:
      if (v < (double)MIN_SECONDS || v >= (double)(MAX_SECONDS + 1)) return out_of_range(f, v);
      return gtime_from_unix_real(v, out_us);
  }
}

/* ------------------------------------------------------------------ the common ISO shapes */

/* Two digits at s[i] as a number, or 100 when either is not a digit. */
static unsigned two_digits(const char *s, int i) {
  unsigned a = (unsigned)((unsigned char)s[i] - '0'), b = (unsigned)((unsigned char)s[i + 1] - '0');
  return a > 9 || b > 9 ? 100 : a * 10 + b;
}

static unsigned month_days(unsigned y, unsigned m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : dim[m - 1];
}

/* The day number of 'YYYY-MM-DD' at s, through the memo when the month is its month (else it
** becomes the memo's month); 0 when the text is not a valid date. */
static int iso_day(gts_iso_memo *m, const char *s, int64_t *day) {
  uint64_t prefix;
  memcpy(&prefix, s, sizeof prefix);
  unsigned d = two_digits(s, 8);
  if (m && prefix == m->prefix) {
    if (d < 1 || d > m->mdays) return 0;
    *day = m->day0 + d;
    return 1;
  }
  unsigned yh = two_digits(s, 0), yl = two_digits(s, 2), mo = two_digits(s, 5);
  if (yh > 99 || yl > 99 || s[4] != '-' || s[7] != '-' || mo < 1 || mo > 12 || d < 1) return 0;
  unsigned y = yh * 100 + yl, mdays = month_days(y, mo);
  if (d > mdays) return 0;
  *day = gtime_days_from_civil(y, mo, d);
  if (m) {
    m->prefix = prefix;
    m->day0 = *day - d;
    m->mdays = mdays;
  }
  return 1;
}

int gts_parse_iso_fast(const char *s, int n, int64_t *out_us, int *date_only) {
  return gts_parse_iso_memo(NULL, s, n, out_us, date_only);
}

int gts_parse_iso_memo(gts_iso_memo *m, const char *s, int n, int64_t *out_us, int *date_only) {
  if (!s) return 0;
  size_t len = n < 0 ? strlen(s) : (size_t)n;
  if (len != 10 && len < 19) return 0;
  int64_t day;
  if (!iso_day(m, s, &day)) return 0;
  if (len == 10) { /* years 0000..9999: always in range */
    *out_us = day * GTIME_US_PER_DAY;
    *date_only = 1;
    return 1;
  }
  char sep = s[10];
  if (sep != ' ' && sep != 'T' && sep != 't') return 0;
  unsigned hh = two_digits(s, 11), mi = two_digits(s, 14), ss = two_digits(s, 17);
  if (hh > 23 || mi > 59 || ss > 59 || s[13] != ':' || s[16] != ':') return 0;
  size_t at = 19;
  int64_t frac_us = 0;
  if (at < len && s[at] == '.') {
    at++;
    if (at >= len || (unsigned)((unsigned char)s[at] - '0') > 9) return 0;
    /* digits beyond microseconds are dropped, as gtime_parse_text_ex does */
    int64_t scale = 100000;
    for (; at < len && (unsigned)((unsigned char)s[at] - '0') <= 9; at++) {
      frac_us += (s[at] - '0') * scale;
      scale /= 10;
    }
  }
  int32_t offset = 0;
  if (at < len) {
    char ch = s[at];
    if ((ch == 'Z' || ch == 'z') && at + 1 == len) {
      offset = 0;
    } else if ((ch == '+' || ch == '-') && at + 6 == len && s[at + 3] == ':') {
      unsigned oh = two_digits(s, (int)at + 1), om = two_digits(s, (int)at + 4);
      if (oh > 23 || om > 59) return 0;
      offset = (ch == '-' ? -1 : 1) * (int32_t)(oh * 3600 + om * 60);
    } else {
      return 0;
    }
  }
  int64_t us = (day * 86400 + hh * 3600 + mi * 60 + ss - offset) * GTIME_US_PER_SEC + frac_us;
  if (us < GTIME_MIN_US || us > GTIME_MAX_US) return 0;
  *out_us = us;
  *date_only = 0;
  return 1;
}

const char *gts_from_text(const gts_format *f, const char *s, int n, int64_t *out_us, int *date_only) {
  return gts_from_text_memo(f, NULL, s, n, out_us, date_only);
}

const char *gts_from_text_memo(const gts_format *f, gts_iso_memo *m, const char *s, int n, int64_t *out_us,
                               int *date_only) {
  int day_only = 0;
  if (f->unit == GTS_YYYYMMDD) {
    /* eight digits, optionally surrounded by blanks, as a date */
    int i = 0, len = n < 0 ? -1 : n, digits = 0;
    int64_t v = 0;
    while ((len < 0 ? s[i] != 0 : i < len) && s[i] == ' ') i++;
    while ((len < 0 ? s[i] != 0 : i < len) && s[i] >= '0' && s[i] <= '9' && digits < 9) v = v * 10 + (s[i++] - '0'), digits++;
    while ((len < 0 ? s[i] != 0 : i < len) && s[i] == ' ') i++;
    if (digits == 8 && (len < 0 ? s[i] == 0 : i == len)) {
      if (date_only) *date_only = 1;
      return from_yyyymmdd(f, v, out_us);
    }
  }
  int64_t us;
  if (!gts_parse_iso_memo(m, s, n, &us, &day_only)) {
    const char *why = gtime_parse_text_ex(s, n, &us, &day_only);
    if (why) return why;
  }
  if (day_only) {
    const char *why = local_midnight(gtime_floor_div(us, GTIME_US_PER_DAY), f->offset_s, &us);
    if (why) return why;
  }
  if (date_only) *date_only = day_only;
  *out_us = us;
  return 0;
}

const char *gts_census_verdict(const gts_census *c) {
  if (c->ints == 0 || c->yyyymmdd != c->ints) return 0;
  return "every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in "
         "1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds";
}

int64_t gts_default_as_of(int32_t offset_s, int64_t latest_us) {
  int64_t off = (int64_t)offset_s * GTIME_US_PER_SEC;
  return (gtime_floor_div(latest_us + off, GTIME_US_PER_DAY) + 1) * GTIME_US_PER_DAY - off;
}

int64_t gts_last_observed_day(int32_t offset_s, int64_t as_of_us) {
  return gtime_floor_div(as_of_us - 1 + (int64_t)offset_s * GTIME_US_PER_SEC, GTIME_US_PER_DAY);
}
