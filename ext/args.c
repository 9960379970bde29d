/* args.c: see args.h. */
#include "args.h"

#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "utf8.h"

char *garg_describe(sqlite3_value *v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return sqlite3_mprintf("NULL");
    case SQLITE_INTEGER: return sqlite3_mprintf("INTEGER %lld", sqlite3_value_int64(v));
    case SQLITE_FLOAT: return sqlite3_mprintf("REAL %!.15g", sqlite3_value_double(v));
    case SQLITE_BLOB: return sqlite3_mprintf("BLOB of %d bytes", sqlite3_value_bytes(v));
    default: {
      const char *t = (const char *)sqlite3_value_text(v);
      int n = sqlite3_value_bytes(v);
      if (!t) return NULL;
      /* cut on a character boundary: a split UTF-8 character makes the message undecodable */
      if (n > 60) return sqlite3_mprintf("TEXT '%.*s...'", (int)gutf8_prefix(t, (size_t)n, 57), t);
      return sqlite3_mprintf("TEXT '%s'", t);
    }
  }
}

static int fail(char **pzErr, const char *fn, const char *arg, sqlite3_value *v, const char *expected,
                const char *why) {
  char *d = garg_describe(v);
  if (!d) return SQLITE_NOMEM;
  *pzErr = why ? sqlite3_mprintf("%s: %s is %s, expected %s (%s)", fn, arg, d, expected, why)
               : sqlite3_mprintf("%s: %s is %s, expected %s", fn, arg, d, expected);
  sqlite3_free(d);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

int garg_timestamp(sqlite3_value *v, const char *fn, const char *arg, int64_t *out, char **pzErr) {
  const char *why;
  static const char expected[] = "Unix seconds or ISO-8601 text";
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return GARG_NULL;
    case SQLITE_INTEGER: why = gtime_from_unix_seconds(sqlite3_value_int64(v), out); break;
    case SQLITE_FLOAT: why = gtime_from_unix_real(sqlite3_value_double(v), out); break;
    case SQLITE_TEXT: {
      const char *t = (const char *)sqlite3_value_text(v);
      if (!t) return SQLITE_NOMEM;
      int n = sqlite3_value_bytes(v), date_only;
      why = gts_parse_iso_fast(t, n, out, &date_only) ? NULL : gtime_parse_text(t, n, out);
      break;
    }
    default: why = "a BLOB is not a timestamp";
  }
  return why ? fail(pzErr, fn, arg, v, expected, why) : SQLITE_OK;
}

int garg_duration(sqlite3_value *v, const char *fn, const char *arg, int64_t *out, char **pzErr) {
  const char *why;
  static const char expected[] = "seconds or a duration such as '30 minutes' or '7 days'";
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return GARG_NULL;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: why = gtime_duration_from_seconds(sqlite3_value_double(v), out); break;
    case SQLITE_TEXT: {
      const char *t = (const char *)sqlite3_value_text(v);
      if (!t) return SQLITE_NOMEM;
      why = gtime_parse_duration(t, sqlite3_value_bytes(v), out);
      break;
    }
    default: why = "a BLOB is not a duration";
  }
  return why ? fail(pzErr, fn, arg, v, expected, why) : SQLITE_OK;
}

int garg_period(sqlite3_value *v, const char *fn, const char *arg, gperiod *out, char **pzErr) {
  if (sqlite3_value_type(v) == SQLITE_NULL) return GARG_NULL;
  const char *why = "not text";
  if (sqlite3_value_type(v) == SQLITE_TEXT) {
    const char *t = (const char *)sqlite3_value_text(v);
    if (!t) return SQLITE_NOMEM;
    why = gtime_parse_period(t, sqlite3_value_bytes(v), out);
  }
  return why ? fail(pzErr, fn, arg, v, "day, week, month, quarter or year", NULL) : SQLITE_OK;
}

int garg_money(sqlite3_value *v, const char *fn, const char *arg, int scale, ground r, int64_t *out,
               char **pzErr) {
  const char *why;
  static const char expected[] = "an amount (a number or decimal text)";
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return GARG_NULL;
    case SQLITE_INTEGER: why = gmoney_from_int(sqlite3_value_int64(v), scale, out); break;
    case SQLITE_FLOAT: why = gmoney_from_real(sqlite3_value_double(v), scale, r, out); break;
    case SQLITE_TEXT: {
      const char *t = (const char *)sqlite3_value_text(v);
      if (!t) return SQLITE_NOMEM;
      why = gmoney_parse_text(t, sqlite3_value_bytes(v), scale, r, out);
      break;
    }
    default: why = "a BLOB is not an amount";
  }
  return why ? fail(pzErr, fn, arg, v, expected, why) : SQLITE_OK;
}

int garg_bool(sqlite3_value *v, const char *fn, const char *arg, int *out, char **pzErr) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) return GARG_NULL;
  if (t == SQLITE_INTEGER) {
    sqlite3_int64 x = sqlite3_value_int64(v);
    if (x == 0 || x == 1) { *out = (int)x; return SQLITE_OK; }
  } else if (t == SQLITE_FLOAT) {
    double x = sqlite3_value_double(v);
    if (x == 0.0 || x == 1.0) { *out = x == 1.0; return SQLITE_OK; }
  }
  return fail(pzErr, fn, arg, v, "0/1", NULL);
}

int garg_options(sqlite3_value *v, const char *fn, const gopt_spec *spec, gopts *out, char **pzErr) {
  char err[GOPTS_ERR_MAX];
  out->count = 0;
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) return SQLITE_OK;
  if (t != SQLITE_TEXT) return fail(pzErr, fn, "options", v, "TEXT such as 'tz=+08:00'", NULL);
  const char *text = (const char *)sqlite3_value_text(v);
  if (!text) return SQLITE_NOMEM;
  /* The options are read as a C string: whatever follows a NUL would be ignored unread. */
  if ((int)strlen(text) != sqlite3_value_bytes(v))
    return fail(pzErr, fn, "options", v, "TEXT without NUL characters", "options after the NUL would be ignored");
  if (gopts_parse(text, spec, -1, out, err, sizeof err) != 0) {
    *pzErr = sqlite3_mprintf("%s: %s", fn, err);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

int garg_calendar_options(const gopts *o, const gopt_spec *spec, const char *fn, gcalendar *cal, char **pzErr) {
  const char *tz = gopts_value(o, spec, "tz");
  cal->offset_s = 0;
  cal->week_starts_sunday = 0;
  if (tz) {
    const char *why = gtime_parse_offset(tz, -1, &cal->offset_s);
    if (why) {
      *pzErr = sqlite3_mprintf("%s: option tz='%s': %s", fn, tz, why);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  static const char *const days[] = {"monday", "sunday", NULL};
  int which = 0;
  char err[GOPTS_ERR_MAX];
  if (gopts_choice(o, spec, "week_start", days, &which, err, sizeof err) != 0) {
    *pzErr = sqlite3_mprintf("%s: %s", fn, err);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  cal->week_starts_sunday = which;
  return SQLITE_OK;
}

int garg_ts_format(const gopts *o, const gopt_spec *spec, const char *fn, int32_t offset_s, gts_format *f,
                   char **pzErr) {
  f->unit = GTS_SECONDS;
  f->unit_given = 0;
  f->offset_s = offset_s;
  int which = 0;
  char err[GOPTS_ERR_MAX];
  if (!gopts_value(o, spec, "ts_unit")) return SQLITE_OK;
  if (gopts_choice(o, spec, "ts_unit", gts_unit_names, &which, err, sizeof err) != 0) {
    *pzErr = sqlite3_mprintf("%s: %s", fn, err);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  f->unit = (gts_unit)which;
  f->unit_given = 1;
  return SQLITE_OK;
}

int garg_ts(sqlite3_value *v, const gts_format *f, gts_census *census, const char *fn, const char *arg,
            int64_t *out, char **pzErr) {
  return garg_ts_memo(v, f, census, NULL, fn, arg, out, pzErr);
}

int garg_ts_memo(sqlite3_value *v, const gts_format *f, gts_census *census, gts_iso_memo *memo, const char *fn,
                 const char *arg, int64_t *out, char **pzErr) {
  const char *why;
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return GARG_NULL;
    case SQLITE_INTEGER: {
      int64_t i = sqlite3_value_int64(v);
      why = gts_from_int(f, i, out);
      if (!why && census) gts_census_int(census, f, i);
      break;
    }
    case SQLITE_FLOAT: why = gts_from_real(f, sqlite3_value_double(v), out); break;
    case SQLITE_TEXT: {
      const char *t = (const char *)sqlite3_value_text(v);
      if (!t) return SQLITE_NOMEM;
      why = gts_from_text_memo(f, memo, t, sqlite3_value_bytes(v), out, NULL);
      break;
    }
    default: why = "a BLOB is not a timestamp";
  }
  if (!why) return SQLITE_OK;
  return fail(pzErr, fn, arg, v, f->unit == GTS_YYYYMMDD ? "a YYYYMMDD date or ISO-8601 text"
                                 : f->unit == GTS_MILLIS  ? "Unix milliseconds or ISO-8601 text"
                                 : f->unit == GTS_MICROS  ? "Unix microseconds or ISO-8601 text"
                                                          : "Unix seconds or ISO-8601 text", why);
}

int garg_ts_census(const gts_census *c, const char *fn, const char *what, char **pzErr) {
  const char *why = gts_census_verdict(c);
  if (!why) return SQLITE_OK;
  *pzErr = sqlite3_mprintf("%s: %s: %s (e.g. %lld)", fn, what, why, (long long)c->example);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A plain decimal number: optional sign, digits, optional fraction (no hex, no exponent). */
static int plain_number(const char *s, int *is_int) {
  const char *p = s;
  while (*p == ' ') p++;
  if (*p == '-' || *p == '+') p++;
  int digits = 0, dot = 0;
  for (; *p; p++) {
    if (*p >= '0' && *p <= '9') digits++;
    else if (*p == '.' && !dot) dot = 1;
    else break;
  }
  while (*p == ' ') p++;
  *is_int = !dot;
  return digits > 0 && *p == 0;
}

static int as_of_fail(char **pzErr, const char *fn, const char *opt, const char *text, const char *why) {
  *pzErr = sqlite3_mprintf("%s: option %s='%s': expected an ISO-8601 date or time, or a number in ts_unit (%s)", fn,
                           opt, text, why);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

static const char as_of_yyyymmdd[] =
  "an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, "
  "or say ts_unit=s for Unix seconds";

int garg_as_of_text(const char *text, const gts_format *f, const char *fn, int64_t *out, char **pzErr) {
  return garg_ts_option(text, f, fn, "as_of", out, pzErr);
}

int garg_ts_option(const char *text, const gts_format *f, const char *fn, const char *opt, int64_t *out, char **pzErr) {
  int is_int = 0;
  const char *why;
  if (plain_number(text, &is_int) && f->unit != GTS_YYYYMMDD) {
    if (is_int) {
      char *end;
      long long v = strtoll(text, &end, 10);
      if (!f->unit_given && gts_is_yyyymmdd(v)) return as_of_fail(pzErr, fn, opt, text, as_of_yyyymmdd);
      why = gts_from_int(f, v, out);
    } else {
      why = gts_from_real(f, strtod(text, NULL), out);
    }
  } else {
    why = gts_from_text(f, text, -1, out, NULL);
  }
  return why ? as_of_fail(pzErr, fn, opt, text, why) : SQLITE_OK;
}

int garg_ts_single(sqlite3_value *v, const gts_format *f, const char *fn, const char *arg, int64_t *out, char **pzErr) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_INTEGER && !f->unit_given && gts_is_yyyymmdd(sqlite3_value_int64(v)))
    return fail(pzErr, fn, arg, v, "Unix seconds or ISO-8601 text", as_of_yyyymmdd);
  return garg_ts(v, f, NULL, fn, arg, out, pzErr);
}

int garg_as_of_value(sqlite3_value *v, const gts_format *f, const char *fn, int64_t *out, char **pzErr) {
  return garg_ts_single(v, f, fn, "as_of", out, pzErr);
}

int garg_as_of_before_rows(const char *fn, int64_t as_of_us, int64_t first_us, int32_t offset_s, char **pzErr) {
  char a[GTIME_TEXT_MAX], b[GTIME_TEXT_MAX];
  *pzErr = sqlite3_mprintf("%s: as_of %s is not after the first row (%s): no row would be seen",
                           fn, gtime_format(as_of_us, offset_s, a), gtime_format(first_us, offset_s, b));
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

uint64_t garg_random_seed(void) {
  sqlite3_uint64 seed;
  sqlite3_randomness(sizeof seed, &seed);
  return (uint64_t)seed;
}

void garg_seed_keys(gkeys *k) { gkeys_seed(k, garg_random_seed()); }

/* keys.h numbers its types as SQLite does, so garg_key passes sqlite3_value_type on. */
_Static_assert(GKEY_INT == SQLITE_INTEGER && GKEY_REAL == SQLITE_FLOAT && GKEY_TEXT == SQLITE_TEXT &&
                   GKEY_BLOB == SQLITE_BLOB, "key types are SQLite's type codes");

void garg_result_key(sqlite3_context *ctx, const gkey *key) {
  switch (key->type) {
    case GKEY_INT: sqlite3_result_int64(ctx, key->i); break;
    case GKEY_REAL: sqlite3_result_double(ctx, key->r); break;
    case GKEY_TEXT: sqlite3_result_text64(ctx, key->bytes, key->len, SQLITE_TRANSIENT, SQLITE_UTF8); break;
    default: sqlite3_result_blob64(ctx, key->bytes, key->len, SQLITE_TRANSIENT);
  }
}

void garg_result_error(sqlite3_context *ctx, char *msg) {
  if (!msg) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, msg, -1);
  sqlite3_free(msg);
}

const char *garg_fn_name(sqlite3_context *ctx) {
  const growth_function *f = sqlite3_user_data(ctx);
  return f ? f->name : "growth";
}
