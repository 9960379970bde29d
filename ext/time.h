/*
** time.h: timestamps, durations and calendar periods as plain int64 values.
**
** Every instant is an int64 count of microseconds since 1970-01-01 00:00:00 UTC.
** Local calendars are a fixed UTC offset in seconds (no DST tables: the contract is a
** fixed offset such as tz=+08:00). Valid instants lie in years 0000..9999, the range
** SQLite's own date functions accept; anything outside is an error, never a wrap.
**
** Parsers return NULL on success or a short static reason ("month 13 out of range")
** that the SQL glue puts into an error naming the function and the argument.
*/
#ifndef GROWTH_TIME_H
#define GROWTH_TIME_H

#include <stdint.h>

#define GTIME_US_PER_SEC  INT64_C(1000000)
#define GTIME_US_PER_DAY  (INT64_C(86400) * GTIME_US_PER_SEC)
/* 0000-01-01 00:00:00 and 9999-12-31 23:59:59.999999 UTC, in microseconds. */
#define GTIME_MIN_US      (INT64_C(-62167219200) * GTIME_US_PER_SEC)
#define GTIME_MAX_US      (INT64_C(253402300800) * GTIME_US_PER_SEC - 1)

typedef enum { GPERIOD_DAY, GPERIOD_WEEK, GPERIOD_MONTH, GPERIOD_QUARTER, GPERIOD_YEAR } gperiod;

/* A calendar: which period, in which fixed offset, weeks starting on which day. */
typedef struct gcalendar {
  gperiod period;
  int32_t offset_s;      /* local = UTC + offset_s */
  int week_starts_sunday;  /* 0: Monday (ISO), 1: Sunday */
} gcalendar;

/* ---- instants ---- */
/* ISO-8601 text as SQLite's date functions accept it: YYYY-MM-DD, optional time
** (T or space, HH:MM[:SS[.fff...]]), optional Z or +-HH:MM / +-HHMM / +-HH. n<0: NUL-terminated. */
const char *gtime_parse_text(const char *s, int n, int64_t *out_us);
/* The same, and *date_only (may be NULL) = 1 when the text named a day with no time of day. */
const char *gtime_parse_text_ex(const char *s, int n, int64_t *out_us, int *date_only);
const char *gtime_from_unix_seconds(int64_t secs, int64_t *out_us);
const char *gtime_from_unix_real(double secs, int64_t *out_us);
/* "YYYY-MM-DD HH:MM:SS" (plus .fff or .ffffff when not whole seconds) in UTC+offset.
** buf needs GTIME_TEXT_MAX bytes. Returns buf. */
#define GTIME_TEXT_MAX 40
char *gtime_format(int64_t us, int32_t offset_s, char *buf);
/* "YYYY-MM-DD" of a day number (days since 1970-01-01). buf needs 16 bytes. */
char *gtime_format_day(int64_t day, char *buf);

/* ---- durations ---- */
/* '90 seconds', '30 minutes', '1.5 hours', '7 days', '2 weeks', '1 day 12 hours', or a plain
** number of seconds. Negative durations and months/years are rejected with a reason. */
const char *gtime_parse_duration(const char *s, int n, int64_t *out_us);
const char *gtime_duration_from_seconds(double secs, int64_t *out_us);

/* ---- periods and offsets ---- */
/* day|week|month|quarter|year (a trailing s is allowed). */
const char *gtime_parse_period(const char *s, int n, gperiod *out);
const char *gtime_period_name(gperiod p);
/* +08:00, -05:30, +0800, +8, Z, UTC. */
const char *gtime_parse_offset(const char *s, int n, int32_t *out_offset_s);

/* ---- calendar arithmetic (pure, total over the valid range) ---- */
int64_t gtime_days_from_civil(int64_t y, unsigned m, unsigned d);
void gtime_civil_from_days(int64_t day, int64_t *y, unsigned *m, unsigned *d);
int64_t gtime_floor_div(int64_t a, int64_t b);   /* b > 0 */
/* The local day number containing an instant. */
int64_t gtime_local_day(const gcalendar *cal, int64_t us);
/* Ordinal number of the period containing us (e.g. months since 0000-01 for month). Two
** instants' difference of indexes is the number of calendar periods between them. */
int64_t gtime_period_index(const gcalendar *cal, int64_t us);
/* First local day of the period with that index, and its instant in UTC. */
int64_t gtime_period_index_start_day(const gcalendar *cal, int64_t index);
int64_t gtime_period_index_start_us(const gcalendar *cal, int64_t index);
/* First local day of the period containing us. */
int64_t gtime_period_start_day(const gcalendar *cal, int64_t us);
/* Whole calendar periods from `from` to `to` (negative when to < from). */
int64_t gtime_period_diff(const gcalendar *cal, int64_t from_us, int64_t to_us);
/* Fixed-length windows for `rolling`: day 24h, week 7d, month 30d, quarter 91d, year 365d. */
int64_t gtime_rolling_length_us(gperiod p);
/* Whole windows from `from` to `to`, truncated toward zero: -(whole windows from `to` to
** `from`) when to < from, so a moment earlier is 0 windows, not -1. */
int64_t gtime_rolling_diff(gperiod p, int64_t from_us, int64_t to_us);

#endif
