/* engagement_engine.c: see engagement_engine.h. */
#include "engagement_engine.h"

#include <string.h>

#include "mem.h"

#define US_PER_HOUR (INT64_C(3600) * GTIME_US_PER_SEC)

const char *const ggrain_names[] = {"hour", "day", "week", "month", "quarter", "year", "range", (const char *)0};

static gcalendar grain_calendar(ggrain g, const gcalendar *cal) {
  gcalendar c = *cal;
  c.period = (gperiod)(g - GGRAIN_DAY);  /* GGRAIN_DAY .. GGRAIN_YEAR follow GPERIOD_DAY .. GPERIOD_YEAR */
  return c;
}

int64_t ggrain_index(ggrain g, const gcalendar *cal, int64_t us) {
  if (g == GGRAIN_HOUR) return gtime_floor_div(us + (int64_t)cal->offset_s * GTIME_US_PER_SEC, US_PER_HOUR);
  gcalendar c = grain_calendar(g, cal);
  return gtime_period_index(&c, us);
}

int64_t ggrain_start_us(ggrain g, const gcalendar *cal, int64_t index) {
  if (g == GGRAIN_HOUR) return index * US_PER_HOUR - (int64_t)cal->offset_s * GTIME_US_PER_SEC;
  gcalendar c = grain_calendar(g, cal);
  return gtime_period_index_start_us(&c, index);
}

/* ---- stickiness ---- */

void gstick_free(gstick *s) {
  gmem_free(s->windows);
  gmem_free(s->hist);
  memset(s, 0, sizeof *s);
}

static const char too_many_rows[] = "more than 1048576 rows (windows times units): choose a longer unit or a shorter range";

const char *gstick_layout(const gstick_opts *o, gstick *s) {
  memset(s, 0, sizeof *s);
  uint64_t nwindows = o->window == GGRAIN_RANGE ? 1 : (uint64_t)(o->last - o->first + 1);
  if (nwindows > (uint64_t)GENG_MAX_ROWS) return too_many_rows;
  s->windows = gmem_alloc(nwindows * sizeof *s->windows);
  if (!s->windows) return "out of memory";
  s->nwindows = (uint32_t)nwindows;
  uint64_t rows = 0;
  for (uint32_t w = 0; w < s->nwindows; w++) {
    gstick_window *win = &s->windows[w];
    int64_t units;
    if (o->window == GGRAIN_RANGE) {
      win->start_us = ggrain_start_us(o->unit, &o->cal, o->first);
      win->end_us = ggrain_start_us(o->unit, &o->cal, o->last + 1);
      units = (o->last - o->first + o->every) / o->every;
    } else {
      win->start_us = ggrain_start_us(o->window, &o->cal, o->first + w);
      win->end_us = ggrain_start_us(o->window, &o->cal, o->first + w + 1);
      units = ggrain_index(o->unit, &o->cal, win->end_us - 1) - ggrain_index(o->unit, &o->cal, win->start_us) + 1;
    }
    if (units > GENG_MAX_ROWS || rows + (uint64_t)units > (uint64_t)GENG_MAX_ROWS) {
      gstick_free(s);
      return too_many_rows;
    }
    win->nunits = (uint32_t)units;
    win->row = rows;
    rows += (uint64_t)units;
  }
  s->hist = gmem_alloc((rows ? rows : 1) * sizeof *s->hist);
  if (!s->hist) {
    gstick_free(s);
    return "out of memory";
  }
  memset(s->hist, 0, (rows ? rows : 1) * sizeof *s->hist);
  s->nrows = rows;
  return NULL;
}

/* One actor, calendar windows: the units of each window that qualify, counted. */
static void stick_windows(const gstick_opts *o, gstick *s, const int64_t *ts, uint32_t n) {
  int64_t unit_end = INT64_MIN, win_end = INT64_MIN, win = INT64_MIN, unit_rows = 0;
  uint32_t win_units = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (ts[i] >= unit_end) {
      if (unit_rows >= o->min_events && unit_rows <= o->max_events) win_units++;
      unit_rows = 0;
      if (ts[i] >= win_end) {
        if (win_units && win >= o->first && win <= o->last) {
          const gstick_window *w = &s->windows[win - o->first];
          s->hist[w->row + win_units - 1]++;
        }
        win_units = 0;
        win = ggrain_index(o->window, &o->cal, ts[i]);
        if (win > o->last) return;
        win_end = ggrain_start_us(o->window, &o->cal, win + 1);
      }
      unit_end = ggrain_start_us(o->unit, &o->cal, ggrain_index(o->unit, &o->cal, ts[i]) + 1);
    }
    unit_rows++;
  }
  if (unit_rows >= o->min_events && unit_rows <= o->max_events) win_units++;
  if (win_units && win >= o->first && win <= o->last) s->hist[s->windows[win - o->first].row + win_units - 1]++;
}

/* One actor, the range: buckets of `every` units counted back from the last unit. */
static void stick_range(const gstick_opts *o, gstick *s, const int64_t *ts, uint32_t n) {
  int64_t unit_end = INT64_MIN, bucket = INT64_MIN, bucket_rows = 0;
  uint32_t buckets = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (ts[i] >= unit_end) {
      int64_t u = ggrain_index(o->unit, &o->cal, ts[i]);
      if (u > o->last) break;
      unit_end = ggrain_start_us(o->unit, &o->cal, u + 1);
      if (u < o->first) continue;
      int64_t b = (o->last - u) / o->every;
      if (b != bucket) {
        if (bucket_rows >= o->min_events && bucket_rows <= o->max_events) buckets++;
        bucket = b;
        bucket_rows = 0;
      }
    } else if (bucket == INT64_MIN) {
      continue;  /* still before the range */
    }
    bucket_rows++;
  }
  if (bucket_rows >= o->min_events && bucket_rows <= o->max_events) buckets++;
  if (buckets) s->hist[buckets - 1]++;
}

const char *gstick_count(const gevents *ev, const gstick_opts *o, gstick *s, gcancel *cancel) {
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t start = ev->start[a], n = ev->start[a + 1] - start;
    if (n == 0) continue;
    if (o->window == GGRAIN_RANGE) stick_range(o, s, ev->ts + start, n);
    else stick_windows(o, s, ev->ts + start, n);
    if (gcancel_work(cancel, n + 1)) return gcancel_reason;
  }
  return NULL;
}

/* ---- active users ---- */

/* The first row whose eval_day >= day (nrows when none). */
static uint32_t first_eval_at_or_after(const gau_opts *o, int64_t day) {
  if (o->daily) {
    int64_t k = day - o->eval_day[0];
    return k < 0 ? 0 : k > (int64_t)o->nrows ? o->nrows : (uint32_t)k;
  }
  uint32_t lo = 0, hi = o->nrows;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (o->eval_day[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The row whose span [start_day, eval_day] holds day, or -1. */
static int64_t row_holding(const gau_opts *o, int64_t day) {
  uint32_t k = first_eval_at_or_after(o, day);
  return k < o->nrows && o->start_day[k] <= day ? (int64_t)k : -1;
}

/* Adds 1 to the rows whose eval_day lies in [a, b] (a difference array of nrows + 1). */
static inline void add_span(const gau_opts *o, int64_t *diff, int64_t a, int64_t b) {
  uint32_t lo = first_eval_at_or_after(o, a), hi = first_eval_at_or_after(o, b + 1);
  if (lo < hi) {
    diff[lo]++;
    diff[hi]--;
  }
}

/* The trailing windows: an actor active on day x counts on the eval days x .. x + len - 1; the
** runs of one actor's days are merged so it counts once. */
typedef struct trail {
  int64_t len, from, to;  /* the open run [from, to]; from = INT64_MIN: none */
  int64_t *diff;
} trail;

static inline void trail_day(const gau_opts *o, trail *t, int64_t x) {
  if (t->from != INT64_MIN && x <= t->to + 1) {
    t->to = x + t->len - 1;
    return;
  }
  if (t->from != INT64_MIN) add_span(o, t->diff, t->from, t->to);
  t->from = x;
  t->to = x + t->len - 1;
}

static inline void trail_end(const gau_opts *o, trail *t) {
  if (t->from != INT64_MIN) add_span(o, t->diff, t->from, t->to);
  t->from = INT64_MIN;
}

const char *gau_count(const gevents *ev, const gau_opts *o, gau_row *rows, gcancel *cancel) {
  if (o->nrows == 0) return NULL;
  size_t m = (size_t)o->nrows + 1;
  int64_t *diff = gmem_alloc(3 * m * sizeof *diff);
  if (!diff) return "out of memory";
  memset(diff, 0, 3 * m * sizeof *diff);
  trail t[3] = {{1, INT64_MIN, 0, diff}, {7, INT64_MIN, 0, diff + m}, {30, INT64_MIN, 0, diff + 2 * m}};
  int64_t off = (int64_t)o->offset_s * GTIME_US_PER_SEC;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t start = ev->start[a], n = ev->start[a + 1] - start;
    if (n == 0) continue;
    const int64_t *ts = ev->ts + start;
    int64_t day_end = INT64_MIN, last_row = -1;
    int first = 1;
    for (uint32_t i = 0; i < n; i++) {
      if (ts[i] < day_end) continue;
      int64_t x = gtime_floor_div(ts[i] + off, GTIME_US_PER_DAY);
      day_end = (x + 1) * GTIME_US_PER_DAY - off;
      if (first) {
        int64_t k = row_holding(o, x);
        if (k >= 0) rows[k].new_actors++;
        first = 0;
      }
      if (o->calendar) {
        int64_t k = row_holding(o, x);
        if (k >= 0 && k != last_row) {
          if (o->calendar == 7) rows[k].wau++;
          else rows[k].mau++;
          last_row = k;
        }
      }
      for (int w = 0; w < 3; w++) trail_day(o, &t[w], x);
    }
    for (int w = 0; w < 3; w++) trail_end(o, &t[w]);
    if (gcancel_work(cancel, n + 1)) {
      gmem_free(diff);
      return gcancel_reason;
    }
  }
  int64_t run[3] = {0, 0, 0};
  for (uint32_t k = 0; k < o->nrows; k++) {
    for (int w = 0; w < 3; w++) run[w] += t[w].diff[k];
    rows[k].dau = (uint32_t)run[0];
    if (o->calendar != 7) rows[k].wau = (uint32_t)run[1];
    if (o->calendar != 30) rows[k].mau = (uint32_t)run[2];
  }
  gmem_free(diff);
  return NULL;
}
