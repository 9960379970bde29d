/*
** args.h: reading SQL argument values into the cores' plain C values, with the error text
** every function shares: "<function>: <argument> is TEXT 'abc', expected ... (reason)".
**
** Readers return SQLITE_OK with the value, GARG_NULL when the argument is NULL (the caller
** decides what NULL means), or SQLITE_ERROR with *pzErr from sqlite3_mprintf.
*/
#ifndef GROWTH_ARGS_H
#define GROWTH_ARGS_H

#include <stdint.h>

#include "keys.h"
#include "money.h"
#include "options.h"
#include "sqlite_glue.h"
#include "time.h"
#include "timestamp.h"

#define GARG_NULL 1000

/* "TEXT 'abc'", "REAL 1.5", "INTEGER 7", "BLOB of 3 bytes", "NULL" (sqlite3_mprintf). */
char *garg_describe(sqlite3_value *v);

int garg_timestamp(sqlite3_value *v, const char *fn, const char *arg, int64_t *out_us, char **pzErr);
int garg_duration(sqlite3_value *v, const char *fn, const char *arg, int64_t *out_us, char **pzErr);
int garg_period(sqlite3_value *v, const char *fn, const char *arg, gperiod *out, char **pzErr);
int garg_money(sqlite3_value *v, const char *fn, const char *arg, int scale, ground r, int64_t *out,
               char **pzErr);
/* An integer condition that must be 0 or 1 (also 0.0/1.0): window_funnel, retention. */
int garg_bool(sqlite3_value *v, const char *fn, const char *arg, int *out, char **pzErr);
/* Parses an options argument (NULL: none) against spec (NULL-terminated). */
int garg_options(sqlite3_value *v, const char *fn, const gopt_spec *spec, gopts *out, char **pzErr);

/* ---- timestamps as sources store them (timestamp.h) and the as_of rule ---- */
/* The shared option ts_unit=s|ms|us|yyyymmdd (spec must list it) with the tz offset already
** read (garg_calendar_options), into f. */
int garg_ts_format(const gopts *o, const gopt_spec *spec, const char *fn, int32_t offset_s, gts_format *f,
                   char **pzErr);
/* One timestamp read by f: SQLITE_OK, GARG_NULL, or an error naming fn, arg and the value with
** the encoding it seems to be in. census (may be NULL) counts INTEGERs for garg_ts_census. */
int garg_ts(sqlite3_value *v, const gts_format *f, gts_census *census, const char *fn, const char *arg,
            int64_t *out_us, char **pzErr);
/* The same for a source's rows, with the memo of its last ISO month (timestamp.h). */
int garg_ts_memo(sqlite3_value *v, const gts_format *f, gts_census *census, gts_iso_memo *memo, const char *fn,
                 const char *arg, int64_t *out_us, char **pzErr);
/* After a source or group has been read: an error when its INTEGER timestamps are clearly
** YYYYMMDD dates read as seconds. `what` names the data ("source column ts"). */
int garg_ts_census(const gts_census *c, const char *fn, const char *what, char **pzErr);
/* as_of as an option's text: ISO-8601 (a bare date is that day's midnight in tz) or a number in
** ts_unit; an eight-digit YYYYMMDD number without ts_unit is refused with the hint. */
int garg_as_of_text(const char *text, const gts_format *f, const char *fn, int64_t *out_us, char **pzErr);
/* Any other instant given as an option's text (from=, to=), read as as_of is; errors name opt. */
int garg_ts_option(const char *text, const gts_format *f, const char *fn, const char *opt, int64_t *out_us,
                   char **pzErr);
/* A timestamp that stands alone (a scalar's argument, as_of), not one row of a source: no census
** can look at its neighbours, so an INTEGER that is a valid YYYYMMDD date is refused without
** ts_unit (as seconds it would be a day of 1970-1973), with the hint; else as garg_ts. */
int garg_ts_single(sqlite3_value *v, const gts_format *f, const char *fn, const char *arg, int64_t *out_us,
                   char **pzErr);
/* as_of as an argument value (NULL: GARG_NULL, the default). */
int garg_as_of_value(sqlite3_value *v, const gts_format *f, const char *fn, int64_t *out_us, char **pzErr);
/* The error for an as_of at or before the first row: no row would be seen. */
int garg_as_of_before_rows(const char *fn, int64_t as_of_us, int64_t first_us, int32_t offset_s, char **pzErr);

/* Seeds a key table (keys.h) from sqlite3_randomness: once per table per statement. */
void garg_seed_keys(gkeys *k);
/* 64 bits from sqlite3_randomness, for the other per-statement hash tables. */
uint64_t garg_random_seed(void);

/* The tz= and week_start= options shared by every calendar function. */
int garg_calendar_options(const gopts *o, const gopt_spec *spec, const char *fn, gcalendar *cal, char **pzErr);

/* A SQL value as a key (keys.h): 1 with *out, 0 for NULL, -1 when SQLite could not give the
** bytes (out of memory). The bytes are the value's until the key is interned. Inline: funnel,
** rfm and cohort_retention read a key from every source row. */
static inline int garg_key(sqlite3_value *v, gkey *out) {
  int type = sqlite3_value_type(v);
  out->type = type;
  switch (type) {
    case SQLITE_INTEGER: out->i = sqlite3_value_int64(v); return 1;
    case SQLITE_FLOAT: out->r = sqlite3_value_double(v); return 1;
    case SQLITE_TEXT:
    case SQLITE_BLOB:
      out->bytes = type == SQLITE_BLOB ? sqlite3_value_blob(v) : (const void *)sqlite3_value_text(v);
      out->len = (size_t)sqlite3_value_bytes(v);
      return out->bytes || !out->len ? 1 : -1;
    default: return 0;
  }
}
/* Returns a key as the function's result (bytes copied). */
void garg_result_key(sqlite3_context *ctx, const gkey *key);

/* Sets the function's error from a sqlite3_mprintf message and frees it (NULL: out of memory). */
void garg_result_error(sqlite3_context *ctx, char *msg);
/* The SQL name a function was registered under (its registration entry is the user data). */
const char *garg_fn_name(sqlite3_context *ctx);

#endif
