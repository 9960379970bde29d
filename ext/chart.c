/*
** chart.c: bar(value, max [, width]) and shade(rate [, max]), so a funnel, a segment table or a
** retention triangle shows its shape in the terminal. The pure core (chart.h) comes first,
** the SQL glue after it.
*/
#include "chart.h"

#include <math.h>
#include <string.h>

#include "args.h"
#include "registry.h"

/* U+2588 full block, then U+258F..U+2589: one to seven eighths (left-aligned partial blocks). */
static const char full_block[] = "\xE2\x96\x88";
static const char *const partial_block[8] = {
  "", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C", "\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89",
};

long gchart_bar_eighths(double value, double max, int width) {
  if (width < 1) return 0;
  if (!(max > 0) || !(value > 0)) return 0; /* also NaN */
  double cells = (double)width * 8;
  if (value >= max) return (long)cells;     /* a target smaller than the value: a full bar */
  double e = floor(value / max * cells + 0.5);
  return e > cells ? (long)cells : (long)e;
}

size_t gchart_bar_text(long eighths, char *out) {
  size_t n = 0;
  for (long i = 0; i < eighths / 8; i++) { memcpy(out + n, full_block, 3); n += 3; }
  const char *tail = partial_block[eighths % 8];
  size_t tl = strlen(tail);
  memcpy(out + n, tail, tl);
  n += tl;
  out[n] = 0;
  return n;
}

int gchart_shade_step(double rate) {
  if (!(rate >= 0 && rate <= 1)) return -1;
  int step = (int)floor(rate * 5);
  return step > 4 ? 4 : step;
}

int gchart_shade_step_scaled(double rate, double max) {
  if (!(max > 0 && max <= 1e300) || !(rate >= 0 && rate <= 1e300)) return -1;
  /* bins [k*max/5, (k+1)*max/5): the threshold is computed as a person would write it, so for a
  ** max such as 0.5 the edges are exactly 0.1, 0.2, ...; a rate above max is the top step */
  int step = 0;
  for (int k = 1; k <= 4; k++)
    if (rate >= max * k / 5) step = k;
  return step;
}

const char *gchart_shade_char(int step) {
  static const char *const ramp[5] = {" ", "\xE2\x96\x91", "\xE2\x96\x92", "\xE2\x96\x93", "\xE2\x96\x88"};
  return step >= 0 && step <= 4 ? ramp[step] : "";
}

/* ---- SQL glue ---------------------------------------------------------------------------- */

/* A finite number argument; TEXT and BLOB are errors (a bar of '12' is a mistake upstream),
** and so are infinities, as everywhere in the extension (a bar of Inf is an overflow upstream,
** not a full bar). */
static int read_number(sqlite3_context *ctx, sqlite3_value *v, const char *arg, double *out) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_INTEGER || (t == SQLITE_FLOAT && isfinite(sqlite3_value_double(v)))) {
    *out = sqlite3_value_double(v);
    return SQLITE_OK;
  }
  char *d = garg_describe(v);
  garg_result_error(ctx, d ? sqlite3_mprintf("%s: %s is %s, expected a %snumber", garg_fn_name(ctx), arg, d,
                                             t == SQLITE_FLOAT ? "finite " : "")
                           : NULL);
  sqlite3_free(d);
  return SQLITE_ERROR;
}

/* bar(value, max [, width]) -> TEXT: NULL in any argument gives NULL. */
void bar_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  for (int i = 0; i < argc; i++)
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return; /* result stays NULL */
  double value, max;
  if (read_number(ctx, argv[0], "value", &value) != SQLITE_OK) return;
  if (read_number(ctx, argv[1], "max", &max) != SQLITE_OK) return;
  int width = GCHART_DEFAULT_WIDTH;
  if (argc > 2) {
    sqlite3_value *w = argv[2];
    int t = sqlite3_value_type(w);
    double wd = sqlite3_value_double(w);
    if ((t != SQLITE_INTEGER && !(t == SQLITE_FLOAT && wd == floor(wd))) || wd < 1 || wd > GCHART_MAX_WIDTH) {
      char *d = garg_describe(w);
      garg_result_error(ctx, d ? sqlite3_mprintf("%s: width is %s, expected an integer from 1 to %d",
                                                 garg_fn_name(ctx), d, GCHART_MAX_WIDTH)
                               : NULL);
      sqlite3_free(d);
      return;
    }
    width = (int)wd;
  }
  char buf[GCHART_BAR_BYTES(GCHART_MAX_WIDTH)];
  size_t n = gchart_bar_text(gchart_bar_eighths(value, max, width), buf);
  sqlite3_result_text(ctx, buf, (int)n, SQLITE_TRANSIENT);
}

/* shade(rate [, max]) -> one character of the ramp ' ░▒▓█'; NULL gives NULL. */
void shade_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  for (int i = 0; i < argc; i++)
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return; /* result stays NULL */
  double rate, max = 1;
  if (read_number(ctx, argv[0], "rate", &rate) != SQLITE_OK) return;
  if (argc > 1) {
    if (read_number(ctx, argv[1], "max", &max) != SQLITE_OK) return;
    if (!(max > 0)) {
      char *d = garg_describe(argv[1]);
      garg_result_error(ctx, d ? sqlite3_mprintf("%s: max is %s, expected a number above 0", garg_fn_name(ctx), d)
                               : NULL);
      sqlite3_free(d);
      return;
    }
    if (rate < 0) {
      char *d = garg_describe(argv[0]);
      garg_result_error(ctx, d ? sqlite3_mprintf("%s: rate is %s, expected a number from 0", garg_fn_name(ctx), d)
                               : NULL);
      sqlite3_free(d);
      return;
    }
    sqlite3_result_text(ctx, gchart_shade_char(gchart_shade_step_scaled(rate, max)), -1, SQLITE_STATIC);
    return;
  }
  int step = gchart_shade_step(rate);
  if (step < 0) {
    char *d = garg_describe(argv[0]);
    garg_result_error(ctx, d ? sqlite3_mprintf("%s: rate is %s, expected a number from 0 to 1", garg_fn_name(ctx), d)
                             : NULL);
    sqlite3_free(d);
    return;
  }
  sqlite3_result_text(ctx, gchart_shade_char(step), -1, SQLITE_STATIC);
}
