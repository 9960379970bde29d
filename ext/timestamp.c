/* timestamp.c: see timestamp.h. */
#include "timestamp.h"

#include <math.h>

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

const char *gts_from_text(const gts_format *f, const char *s, int n, int64_t *out_us, int *date_only) {
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
  const char *why = gtime_parse_text_ex(s, n, &us, &day_only);
  if (why) return why;
  if (day_only) {
    why = local_midnight(gtime_floor_div(us, GTIME_US_PER_DAY), f->offset_s, &us);
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
