/*
** timestamp.h: timestamps as applications store them, and the one as_of rule. Pure C.
**
** Encodings. An INTEGER or REAL timestamp is Unix seconds unless the shared option
** ts_unit says otherwise: ts_unit=ms (JavaScript's Date.now(), Java), ts_unit=us, or
** ts_unit=yyyymmdd (19970101: CDNOW, the dt=20240101 partitions of data warehouses; also the
** TEXT '19970101'). TEXT is ISO-8601 as SQLite's date functions read it.
**
** Calendar dates are local. A bare 'YYYY-MM-DD' (and a YYYYMMDD number) names a day of the
** analyst's calendar, so it is that day's midnight in tz, not in UTC: '1997-02-01' with
** tz=-05:00 is 1997-02-01 05:00 UTC and stays 1 February in every local report. A time of
** day without an offset ('1997-02-01 10:00') is UTC, as in SQLite's date functions.
**
** Data in another encoding is refused, never read silently wrong. Without ts_unit:
** - a number past year 9999 as seconds that is a plausible instant in milliseconds (or
**   microseconds) is an error with that hint (per value: gts_read_* says so);
** - when every INTEGER timestamp of a source (or of an aggregate's group) is a valid YYYYMMDD
**   date, the source is refused with the hint ts_unit=yyyymmdd: read as seconds they would all
**   fall in a few weeks of 1970 (gts_census, checked once the rows have been read).
** With ts_unit given, values are read as told: ts_unit=s forces seconds.
**
** The as_of rule, the same for every function: as_of is the instant of the analysis; rows at
** or after it are not seen; a date-only as_of is that day's midnight in tz; the default is the
** midnight after the latest row's local day; the last observed day is the day of the last
** instant before as_of; a period is complete when it ends at or before as_of, and periods
** starting at or after as_of are not listed.
*/
#ifndef GROWTH_TIMESTAMP_H
#define GROWTH_TIMESTAMP_H

#include <stdint.h>

typedef enum { GTS_SECONDS, GTS_MILLIS, GTS_MICROS, GTS_YYYYMMDD } gts_unit;

/* How a function reads timestamps: ts_unit and tz. Zeroed = seconds, not stated, UTC. */
typedef struct gts_format {
  gts_unit unit;
  int unit_given;      /* ts_unit was stated: no guessing, no census verdict */
  int32_t offset_s;    /* tz: bare dates are local days under this fixed offset */
} gts_format;

/* The names ts_unit accepts, in gts_unit order ("s", "ms", "us", "yyyymmdd"), NULL-terminated. */
extern const char *const gts_unit_names[];

/* One timestamp. NULL with *out_us, or a short static reason that names the likely encoding
** where there is one ("past year 9999 as seconds: it reads as milliseconds; say ts_unit=ms"). */
const char *gts_from_int(const gts_format *f, int64_t v, int64_t *out_us);
const char *gts_from_real(const gts_format *f, double v, int64_t *out_us);
/* TEXT: ISO-8601 (a bare date is local); with ts_unit=yyyymmdd also eight digits. n < 0:
** NUL-terminated. *date_only (may be NULL) says whether it named a day without a time. */
const char *gts_from_text(const gts_format *f, const char *s, int n, int64_t *out_us, int *date_only);

/* The shapes nearly all stored timestamps have, read exactly without the general parser:
** 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS' (or T, t) with an optional fraction of any length and an
** optional Z or +hh:mm / -hh:mm. 1 with what gtime_parse_text_ex would give (the instant, bare
** dates at UTC midnight, *date_only); 0 for anything else, valid or not: the caller then asks
** gtime_parse_text_ex, which also has the reasons. */
int gts_parse_iso_fast(const char *s, int n, int64_t *out_us, int *date_only);

/* The month of the last date a source's ISO text named: its 8 bytes 'YYYY-MM-' as read, the
** day number of its 1st minus one and its length. Rows of a log share their month, so the next
** date costs a comparison and its day of the month (no check of the year and month, no
** gtime_days_from_civil). Zeroed = empty. */
typedef struct gts_iso_memo {
  uint64_t prefix; /* 0: none (digits are never zero bytes) */
  int64_t day0;
  unsigned mdays;
} gts_iso_memo;

/* gts_parse_iso_fast and gts_from_text with a memo (NULL: none), which gives the same results. */
int gts_parse_iso_memo(gts_iso_memo *m, const char *s, int n, int64_t *out_us, int *date_only);
const char *gts_from_text_memo(const gts_format *f, gts_iso_memo *m, const char *s, int n, int64_t *out_us,
                               int *date_only);

/* 1 when v is a valid date written YYYYMMDD (years 1000..9999). */
int gts_is_yyyymmdd(int64_t v);

/* Counts a source's INTEGER timestamps to catch YYYYMMDD data read as seconds. */
typedef struct gts_census {
  uint64_t ints;          /* INTEGER timestamps read as seconds */
  uint64_t yyyymmdd;      /* of which valid YYYYMMDD dates */
  int64_t example;        /* one of them, for the message */
} gts_census;

static inline void gts_census_int(gts_census *c, const gts_format *f, int64_t v) {
  if (f->unit_given || f->unit != GTS_SECONDS) return;
  c->ints++;
  if (v >= 10000101 && v <= 99991231 && gts_is_yyyymmdd(v)) {
    c->yyyymmdd++;
    c->example = v;
  }
}
/* NULL when the data reads as it should, else a static reason with the hint. */
const char *gts_census_verdict(const gts_census *c);

/* ---- the as_of rule ---- */
/* The default as_of: the midnight (in the offset) after the local day of the latest row. */
int64_t gts_default_as_of(int32_t offset_s, int64_t latest_us);
/* The last observed day (local day number): the day of the last instant before as_of. */
int64_t gts_last_observed_day(int32_t offset_s, int64_t as_of_us);

#endif
