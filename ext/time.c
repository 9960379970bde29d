/*
** time.c: see time.h. Civil-date arithmetic uses the days-from-civil algorithm over the
** proleptic Gregorian calendar (400-year eras), so it is exact before 1970 and across leap
** years with no tables and no libc time functions (which depend on the process's TZ).
*/
#include "time.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int64_t gtime_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && (a < 0)) q--;
  return q;
}

int64_t gtime_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                   /* [0, 399] */
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
  return era * 146097 + doe - 719468;
}

void gtime_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* ------------------------------------------------------------------ parsing helpers */

typedef struct cursor { const char *p, *end; } cursor;

static int at_end(const cursor *c) { return c->p >= c->end; }
static int peek(const cursor *c) { return at_end(c) ? -1 : (unsigned char)*c->p; }
static int is_digit(int ch) { return ch >= '0' && ch <= '9'; }
static int is_space(int ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }
static void skip_space(cursor *c) { while (!at_end(c) && is_space(peek(c))) c->p++; }

/* Exactly `count` digits; the cursor moves only on success. */
static int take_digits(cursor *c, int count, int *out) {
  int v = 0;
  for (int i = 0; i < count; i++) {
    if (c->p + i >= c->end || !is_digit((unsigned char)c->p[i])) return 0;
    v = v * 10 + (c->p[i] - '0');
  }
  c->p += count;
  *out = v;
  return 1;
}

static cursor make_cursor(const char *s, int n) {
  cursor c;
  c.p = s;
  c.end = s + (n < 0 ? (int)strlen(s) : n);
  return c;
}

/* +-HH:MM, +-HHMM, +-HH, Z. Returns NULL or a reason. */
static const char *take_offset(cursor *c, int32_t *out) {
  int ch = peek(c);
  if (ch == 'Z' || ch == 'z') { c->p++; *out = 0; return NULL; }
  if (ch != '+' && ch != '-') return "expected Z or +HH:MM";
  int sign = ch == '-' ? -1 : 1;
  c->p++;
  int hh, mm = 0;
  if (!take_digits(c, 2, &hh)) {
    /* a single-digit hour (+8) is common in option strings */
    if (!take_digits(c, 1, &hh)) return "offset hours must be digits";
  }
  if (peek(c) == ':') {
    c->p++;
    if (!take_digits(c, 2, &mm)) return "offset minutes must be two digits";
  } else if (is_digit(peek(c))) {
    if (!take_digits(c, 2, &mm)) return "offset minutes must be two digits";
  }
  if (hh > 23) return "offset hours out of range (00..23)";
  if (mm > 59) return "offset minutes out of range (00..59)";
  *out = sign * (hh * 3600 + mm * 60);
  return NULL;
}

const char *gtime_parse_text(const char *s, int n, int64_t *out_us) {
  return gtime_parse_text_ex(s, n, out_us, NULL);
}

const char *gtime_parse_text_ex(const char *s, int n, int64_t *out_us, int *date_only) {
  if (!s) return "missing text";
  int has_time = 0;
  cursor c = make_cursor(s, n);
  skip_space(&c);
  if (at_end(&c)) return "empty text";
  int y, mo, d, hh = 0, mi = 0, ss = 0;
  int64_t frac_us = 0;
  if (!take_digits(&c, 4, &y) || peek(&c) != '-') return "expected YYYY-MM-DD";
  c.p++;
  if (!take_digits(&c, 2, &mo) || peek(&c) != '-') return "expected YYYY-MM-DD";
  c.p++;
  if (!take_digits(&c, 2, &d)) return "expected YYYY-MM-DD";
  if (mo < 1 || mo > 12) return "month out of range (01..12)";
  if (d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo)) return "day out of range for that month";
  int32_t offset = 0;
  int ch = peek(&c);
  if (ch == 'T' || ch == 't' || ch == ' ') {
    cursor save = c;
    c.p++;
    while (peek(&c) == ' ') c.p++;
    if (at_end(&c)) { c = save; goto tail; }  /* "2024-01-01 " is a date plus spaces */
    if (!take_digits(&c, 2, &hh) || peek(&c) != ':') return "expected HH:MM after the date";
    has_time = 1;
    c.p++;
    if (!take_digits(&c, 2, &mi)) return "expected HH:MM after the date";
    if (peek(&c) == ':') {
      c.p++;
      if (!take_digits(&c, 2, &ss)) return "expected two-digit seconds";
      if (peek(&c) == '.') {
        c.p++;
        if (!is_digit(peek(&c))) return "expected digits after the decimal point";
        int64_t scale = 100000;
        while (is_digit(peek(&c))) {
          /* digits beyond microseconds are dropped (truncated), as SQLite keeps milliseconds */
          if (scale > 0) frac_us += (*c.p - '0') * scale;
          scale /= 10;
          c.p++;
        }
      }
    }
    if (hh > 23) return "hour out of range (00..23)";
    if (mi > 59) return "minute out of range (00..59)";
    if (ss > 59) return "second out of range (00..59)";
    while (peek(&c) == ' ') c.p++;
    ch = peek(&c);
    if (ch == 'Z' || ch == 'z' || ch == '+' || ch == '-') {
      const char *why = take_offset(&c, &offset);
      if (why) return why;
    }
  }
tail:
  skip_space(&c);
  if (!at_end(&c)) return "unexpected text after the timestamp";
  int64_t day = gtime_days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = day * 86400 + hh * 3600 + mi * 60 + ss - offset;
  int64_t us = secs * GTIME_US_PER_SEC + frac_us;
  if (us < GTIME_MIN_US || us > GTIME_MAX_US) return "outside years 0000..9999 after the offset";
  *out_us = us;
  if (date_only) *date_only = !has_time;
  return NULL;
}

const char *gtime_from_unix_seconds(int64_t secs, int64_t *out_us) {
  if (secs < GTIME_MIN_US / GTIME_US_PER_SEC || secs > GTIME_MAX_US / GTIME_US_PER_SEC)
    return "outside years 0000..9999";
  *out_us = secs * GTIME_US_PER_SEC;
  return NULL;
}

const char *gtime_from_unix_real(double secs, int64_t *out_us) {
  if (!isfinite(secs)) return "not a finite number";
  /* compare in double before converting: the cast of an out-of-range double is undefined */
  if (secs < (double)(GTIME_MIN_US / GTIME_US_PER_SEC) || secs >= (double)(GTIME_MAX_US / GTIME_US_PER_SEC + 1))
    return "outside years 0000..9999";
  double whole = floor(secs);
  int64_t us = (int64_t)whole * GTIME_US_PER_SEC + (int64_t)llround((secs - whole) * 1e6);
  if (us > GTIME_MAX_US) us = GTIME_MAX_US;
  *out_us = us;
  return NULL;
}

char *gtime_format_day(int64_t day, char *buf) {
  int64_t y;
  unsigned m, d;
  gtime_civil_from_days(day, &y, &m, &d);
  snprintf(buf, 16, "%04lld-%02u-%02u", (long long)y, m, d);
  return buf;
}

char *gtime_format(int64_t us, int32_t offset_s, char *buf) {
  int64_t local = us + (int64_t)offset_s * GTIME_US_PER_SEC;
  int64_t day = gtime_floor_div(local, GTIME_US_PER_DAY);
  int64_t in_day = local - day * GTIME_US_PER_DAY;
  int64_t secs = in_day / GTIME_US_PER_SEC, frac = in_day % GTIME_US_PER_SEC;
  char date[16];
  gtime_format_day(day, date);
  int len = snprintf(buf, GTIME_TEXT_MAX, "%s %02d:%02d:%02d", date, (int)(secs / 3600),
                     (int)(secs / 60 % 60), (int)(secs % 60));
  if (frac % 1000 == 0 && frac) snprintf(buf + len, GTIME_TEXT_MAX - len, ".%03d", (int)(frac / 1000));
  else if (frac) snprintf(buf + len, GTIME_TEXT_MAX - len, ".%06d", (int)frac);
  return buf;
}

/* ------------------------------------------------------------------ durations */

typedef struct unit_name { const char *name; int64_t seconds; } unit_name;

static const unit_name duration_units[] = {
  {"s", 1}, {"sec", 1}, {"secs", 1}, {"second", 1}, {"seconds", 1},
  {"min", 60}, {"mins", 60}, {"minute", 60}, {"minutes", 60},
  {"h", 3600}, {"hr", 3600}, {"hrs", 3600}, {"hour", 3600}, {"hours", 3600},
  {"d", 86400}, {"day", 86400}, {"days", 86400},
  {"w", 604800}, {"wk", 604800}, {"week", 604800}, {"weeks", 604800},
};

static int word_is(const char *w, size_t n, const char *name) {
  if (strlen(name) != n) return 0;
  for (size_t i = 0; i < n; i++) {
    int a = (unsigned char)w[i];
    if (a >= 'A' && a <= 'Z') a += 32;
    if (a != name[i]) return 0;
  }
  return 1;
}

/* A non-negative decimal number; returns 0 when none is there. */
static int take_number(cursor *c, double *out) {
  const char *start = c->p;
  int digits = 0;
  double v = 0;
  while (is_digit(peek(c))) { v = v * 10 + (*c->p++ - '0'); digits++; }
  if (peek(c) == '.') {
    c->p++;
    double scale = 0.1;
    while (is_digit(peek(c))) { v += (*c->p++ - '0') * scale; scale /= 10; digits++; }
  }
  if (!digits) { c->p = start; return 0; }
  *out = v;
  return 1;
}

const char *gtime_duration_from_seconds(double secs, int64_t *out_us) {
  if (!isfinite(secs)) return "not a finite number";
  if (secs < 0) return "must not be negative";
  if (secs > 9.2e12) return "too large";
  *out_us = llround(secs * 1e6);
  return NULL;
}

const char *gtime_parse_duration(const char *s, int n, int64_t *out_us) {
  if (!s) return "missing text";
  cursor c = make_cursor(s, n);
  skip_space(&c);
  if (at_end(&c)) return "empty text";
  if (peek(&c) == '-') return "must not be negative";
  if (peek(&c) == '+') c.p++;
  double total = 0;
  int parts = 0;
  while (!at_end(&c)) {
    double v;
    if (!take_number(&c, &v)) return parts ? "expected a number before each unit" : "expected a number and a unit such as '30 minutes' or '7 days'";
    /* '1.5.5 hours' would otherwise read as 1.5 seconds and 0.5 hours */
    if (peek(&c) == '.' || is_digit(peek(&c))) return "malformed number";
    skip_space(&c);
    const char *w = c.p;
    while (!at_end(&c) && ((peek(&c) | 32) >= 'a' && (peek(&c) | 32) <= 'z')) c.p++;
    size_t wn = (size_t)(c.p - w);
    int64_t unit = 0;
    if (wn == 0) {
      /* a plain number is seconds, alone: '1 2 hours' and '30 60 minutes' are typos, not sums */
      if (parts || !at_end(&c)) return "expected a unit after the number";
      unit = 1;
    } else {
      for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
        if (word_is(w, wn, duration_units[i].name)) { unit = duration_units[i].seconds; break; }
      if (!unit) {
        if (word_is(w, wn, "month") || word_is(w, wn, "months") || word_is(w, wn, "year") ||
            word_is(w, wn, "years") || word_is(w, wn, "quarter") || word_is(w, wn, "quarters"))
          return "months, quarters and years are periods, not durations";
        return "unknown unit (accepted: seconds, minutes, hours, days, weeks)";
      }
    }
    total += v * (double)unit;
    parts++;
    skip_space(&c);
    if (peek(&c) == ',') { c.p++; skip_space(&c); }
  }
  return gtime_duration_from_seconds(total, out_us);
}

/* ------------------------------------------------------------------ periods and offsets */

static const char *const period_names[] = {"day", "week", "month", "quarter", "year"};

const char *gtime_period_name(gperiod p) { return period_names[p]; }

const char *gtime_parse_period(const char *s, int n, gperiod *out) {
  if (!s) return "missing text";
  cursor c = make_cursor(s, n);
  skip_space(&c);
  const char *w = c.p;
  while (!at_end(&c) && !is_space(peek(&c))) c.p++;
  size_t wn = (size_t)(c.p - w);
  skip_space(&c);
  if (at_end(&c) && wn > 0) {
    if (wn > 1 && (w[wn - 1] == 's' || w[wn - 1] == 'S')) {
      for (int i = 0; i < 5; i++)
        if (word_is(w, wn - 1, period_names[i])) { *out = (gperiod)i; return NULL; }
    }
    for (int i = 0; i < 5; i++)
      if (word_is(w, wn, period_names[i])) { *out = (gperiod)i; return NULL; }
  }
  return "expected day, week, month, quarter or year";
}

const char *gtime_parse_offset(const char *s, int n, int32_t *out) {
  if (!s) return "missing text";
  cursor c = make_cursor(s, n);
  skip_space(&c);
  const char *w = c.p;
  if (c.end - w >= 3 && word_is(w, 3, "utc")) {
    c.p += 3;
    skip_space(&c);
    if (at_end(&c)) { *out = 0; return NULL; }
  }
  if (peek(&c) == '0' && c.end - c.p == 1) { *out = 0; return NULL; }
  const char *why = take_offset(&c, out);
  if (why) return "expected a fixed UTC offset such as +08:00, -05:00 or Z";
  skip_space(&c);
  if (!at_end(&c)) return "expected a fixed UTC offset such as +08:00, -05:00 or Z";
  return NULL;
}

/* ------------------------------------------------------------------ calendar arithmetic */

/* 1970-01-01 was a Thursday: Monday-start weeks begin 3 days before day 0, Sunday-start 4. */
static int64_t week_shift(const gcalendar *cal) { return cal->week_starts_sunday ? 4 : 3; }

int64_t gtime_local_day(const gcalendar *cal, int64_t us) {
  return gtime_floor_div(us + (int64_t)cal->offset_s * GTIME_US_PER_SEC, GTIME_US_PER_DAY);
}

int64_t gtime_period_index(const gcalendar *cal, int64_t us) {
  int64_t day = gtime_local_day(cal, us);
  if (cal->period == GPERIOD_DAY) return day;
  if (cal->period == GPERIOD_WEEK) return gtime_floor_div(day + week_shift(cal), 7);
  int64_t y;
  unsigned m, d;
  gtime_civil_from_days(day, &y, &m, &d);
  if (cal->period == GPERIOD_MONTH) return y * 12 + (m - 1);
  if (cal->period == GPERIOD_QUARTER) return y * 4 + (m - 1) / 3;
  return y;
}

int64_t gtime_period_index_start_day(const gcalendar *cal, int64_t index) {
  switch (cal->period) {
    case GPERIOD_DAY: return index;
    case GPERIOD_WEEK: return index * 7 - week_shift(cal);
    case GPERIOD_MONTH:
      return gtime_days_from_civil(gtime_floor_div(index, 12), (unsigned)(index - 12 * gtime_floor_div(index, 12)) + 1, 1);
    case GPERIOD_QUARTER:
      return gtime_days_from_civil(gtime_floor_div(index, 4), (unsigned)(index - 4 * gtime_floor_div(index, 4)) * 3 + 1, 1);
    case GPERIOD_YEAR: return gtime_days_from_civil(index, 1, 1);
  }
  return index;
}

int64_t gtime_period_index_start_us(const gcalendar *cal, int64_t index) {
  return gtime_period_index_start_day(cal, index) * GTIME_US_PER_DAY - (int64_t)cal->offset_s * GTIME_US_PER_SEC;
}

int64_t gtime_period_start_day(const gcalendar *cal, int64_t us) {
  return gtime_period_index_start_day(cal, gtime_period_index(cal, us));
}

int64_t gtime_period_diff(const gcalendar *cal, int64_t from_us, int64_t to_us) {
  return gtime_period_index(cal, to_us) - gtime_period_index(cal, from_us);
}

int64_t gtime_rolling_length_us(gperiod p) {
  static const int64_t days[] = {1, 7, 30, 91, 365};
  return days[p] * GTIME_US_PER_DAY;
}

int64_t gtime_rolling_diff(gperiod p, int64_t from_us, int64_t to_us) {
  /* whole windows, truncated toward zero: 1 us earlier is 0 weeks, not -1 (symmetric in sign) */
  return (to_us - from_us) / gtime_rolling_length_us(p);
}
