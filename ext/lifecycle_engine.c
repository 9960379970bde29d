/* lifecycle_engine.c: see lifecycle_engine.h. */
#include "lifecycle_engine.h"

#include <string.h>

#include "mem.h"

const char *const glc_status_names[4] = {"new", "retained", "resurrecting", "dormant"};
const char *const glc_status_cn[4] = {"新增", "留存", "回流", "流失"};
const char *const gas_state_names[GAS_NSTATES] = {"new", "current", "reactivated", "resurrected",
                                                  "at_risk_wau", "at_risk_mau", "dormant"};
const char *const gas_status_names[GAS_NSTATUSES] = {"new", "active", "winback", "silent", "churned"};
const char *const gas_status_cn[GAS_NSTATUSES] = {"新增", "活跃", "回流", "沉默", "流失"};

/* ---- one actor's distinct periods, in order ---- */

static inline int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return q - (a % b != 0 && (a < 0));
}

/* Days and weeks have one length: their index is (us + origin) / length, no calendar needed.
** origin_us puts the offset and the week's first day at a multiple of the length. */
typedef struct period_shape {
  const gcalendar *cal;
  int64_t len_us; /* 0: calendar months, quarters, years */
  int64_t origin_us;
} period_shape;

static period_shape shape_of(const gcalendar *cal) {
  period_shape s = {cal, 0, 0};
  if (cal->period == GPERIOD_DAY || cal->period == GPERIOD_WEEK) {
    s.len_us = cal->period == GPERIOD_DAY ? GTIME_US_PER_DAY : 7 * GTIME_US_PER_DAY;
    /* the first instant of period 0 is -origin */
    s.origin_us = -gtime_period_index_start_us(cal, 0);
  }
  return s;
}

/* Rows are in time order, so a period's rows are consecutive: the period index is computed once
** per period, and the rows inside it are skipped by comparing with its end. */
typedef struct period_walk {
  period_shape shape;
  const int64_t *ts;
  uint32_t i, n;
  int64_t end_us;  /* the current period's end (exclusive) */
} period_walk;

static void walk_init(period_walk *w, const period_shape *shape, const int64_t *ts, uint32_t n) {
  w->shape = *shape;
  w->ts = ts;
  w->i = 0;
  w->n = n;
  w->end_us = INT64_MIN;
}

static inline int walk_next(period_walk *w, int64_t *index) {
  while (w->i < w->n && w->ts[w->i] < w->end_us) w->i++;
  if (w->i >= w->n) return 0;
  int64_t t = w->ts[w->i++], p;
  if (w->shape.len_us) {
    p = floor_div(t + w->shape.origin_us, w->shape.len_us);
    w->end_us = (p + 1) * w->shape.len_us - w->shape.origin_us;
  } else {
    p = gtime_period_index(w->shape.cal, t);
    w->end_us = gtime_period_index_start_us(w->shape.cal, p + 1);
  }
  *index = p;
  return 1;
}

/* ---- growth accounting ---- */

/* Where an actor's statuses go: counted into cells, counted as rows, or written as rows. */
enum { SINK_CELLS, SINK_COUNT_ROWS, SINK_ROWS };
typedef struct sink {
  int kind;
  glc_cell *cells;   /* SINK_CELLS: this actor's segment's first period */
  glc_actor_row *rows;
  uint64_t n;        /* rows counted or written */
  uint32_t actor;
} sink;

/* Status `status` in period t; prev: the status in t-1 (GLC_NONE when none). */
static inline void emit(sink *s, const glc_opts *o, int64_t t, int status, int prev) {
  if (t < o->first || t > o->last) return;
  switch (s->kind) {
    case SINK_CELLS: {
      glc_cell *c = &s->cells[t - o->first];
      c->n[status]++;
      if (status == GLC_DORMANT) c->n[GLC_C_DORMANT_FROM_NEW + prev]++;
      break;
    }
    case SINK_ROWS: {
      glc_actor_row *r = &s->rows[s->n];
      r->actor = s->actor;
      r->period = (uint32_t)(t - o->first);
      r->status = (uint8_t)status;
      r->prev = (uint8_t)prev;
    } /* fall through */
    default: s->n++;
  }
}

/* Walks one actor's periods (its rows ts[0..n), in time order) and emits every status in the
** listed periods: each active period, and the first inactive period after each run. */
static void walk_actor(const glc_opts *o, const period_shape *shape, const int64_t *ts, uint32_t n,
                       int64_t first_seen_us, sink *s) {
  period_walk w;
  walk_init(&w, shape, ts, n);
  /* PostHog reads one period before the range and nothing earlier */
  int64_t loaded = o->posthog ? o->first - 1 : INT64_MIN;
  int64_t seen = o->posthog ? gtime_period_index(&o->cal, first_seen_us) : 0;
  int64_t prev = INT64_MIN, p;
  int prev_status = GLC_NONE;
  while (walk_next(&w, &p)) {
    if (p < loaded) continue;
    int status, row_prev;
    if (prev == INT64_MIN) {
      status = o->posthog && seen != p ? GLC_RESURRECTING : GLC_NEW;
      row_prev = GLC_NONE;
    } else if (p == prev + 1) {
      status = GLC_RETAINED;
      row_prev = prev_status;
    } else {
      emit(s, o, prev + 1, GLC_DORMANT, prev_status);
      status = GLC_RESURRECTING;
      row_prev = p == prev + 2 ? GLC_DORMANT : GLC_NONE;
    }
    emit(s, o, p, status, row_prev);
    prev = p;
    prev_status = status;
    if (p >= o->last) return;  /* nothing later is listed, not even the dormant period after p */
  }
  if (prev != INT64_MIN) emit(s, o, prev + 1, GLC_DORMANT, prev_status);
}

static int64_t first_seen_of(const gevents *ev, const glc_opts *o, uint32_t a) {
  if (o->first_seen && o->first_seen[a] != INT64_MAX) return o->first_seen[a];
  return ev->ts[ev->start[a]];
}

const char *glc_count(const gevents *ev, const glc_opts *o, glc_cell *cells, gcancel *cancel) {
  uint64_t nperiods = (uint64_t)(o->last - o->first + 1);
  sink s = {SINK_CELLS, NULL, NULL, 0, 0};
  period_shape shape = shape_of(&o->cal);
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t start = ev->start[a], n = ev->start[a + 1] - start;
    if (n == 0) continue;
    s.cells = cells + (o->segment_of ? o->segment_of[a] : 0) * nperiods;
    walk_actor(o, &shape, ev->ts + start, n, o->posthog ? first_seen_of(ev, o, a) : 0, &s);
    if (gcancel_work(cancel, n + 1)) return gcancel_reason;
  }
  return NULL;
}

const char *glc_actor_rows(const gevents *ev, const glc_opts *o, const uint32_t *order, glc_actor_row **rows,
                           uint64_t *nrows, gcancel *cancel) {
  *rows = NULL;
  *nrows = 0;
  /* two passes: count, then write into an array of exactly that size */
  sink s = {SINK_COUNT_ROWS, NULL, NULL, 0, 0};
  period_shape shape = shape_of(&o->cal);
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t k = 0; k < ev->nactors; k++) {
      uint32_t a = order[k], start = ev->start[a], n = ev->start[a + 1] - start;
      if (n == 0) continue;
      s.actor = a;
      walk_actor(o, &shape, ev->ts + start, n, o->posthog ? first_seen_of(ev, o, a) : 0, &s);
      if (gcancel_work(cancel, n + 1)) {
        gmem_free(s.rows);
        return gcancel_reason;
      }
    }
    if (pass == 0) {
      if (s.n == 0) return NULL;
      s.rows = gmem_alloc(s.n * sizeof *s.rows);
      if (!s.rows) return "out of memory";
      s.kind = SINK_ROWS;
      s.n = 0;
    }
  }
  *rows = s.rows;
  *nrows = s.n;
  return NULL;
}

/* ---- per actor as of a day ---- */

static inline int64_t local_day(int64_t us, int32_t offset_s) {
  return floor_div(us + (int64_t)offset_s * GTIME_US_PER_SEC, GTIME_US_PER_DAY);
}

/* Duolingo's state from the first and last active days and the active day before the last
** (INT64_MIN: none), on day o->day. */
static int state_of(int64_t first_day, int64_t last_day, int64_t prev_day, const gas_opts *o) {
  int64_t d = o->day;
  if (last_day == d) {
    if (first_day == d) return GAS_NEW;
    int64_t away = d - prev_day;
    return away < o->short_days ? GAS_CURRENT : away < o->long_days ? GAS_REACTIVATED : GAS_RESURRECTED;
  }
  int64_t away = d - last_day;
  return away < o->short_days ? GAS_AT_RISK_WAU : away < o->long_days ? GAS_AT_RISK_MAU : GAS_DORMANT;
}

int gas_status_of(int state, int64_t first_day, const gas_opts *o) {
  if (o->day - first_day < o->new_days) return GAS_S_NEW;
  switch (state) {
    case GAS_NEW: return GAS_S_NEW;
    case GAS_CURRENT:
    case GAS_REACTIVATED: return GAS_S_ACTIVE;
    case GAS_RESURRECTED: return GAS_S_WINBACK;
    case GAS_AT_RISK_WAU:
    case GAS_AT_RISK_MAU: return GAS_S_SILENT;
    default: return GAS_S_CHURNED;
  }
}

/* First index in ts[0..n) whose value is >= v. */
static uint32_t lower_bound(const int64_t *ts, uint32_t n, int64_t v) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (ts[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

int gas_state_before(const int64_t *ts, uint32_t n, int64_t until_us, const gas_opts *o) {
  uint32_t k = lower_bound(ts, n, until_us);
  if (k == 0) return GAS_NSTATES;
  int64_t first_day = local_day(ts[0], o->offset_s), last_day = local_day(ts[k - 1], o->offset_s);
  /* the row before the last day's first row is on the previous active day */
  uint32_t j = lower_bound(ts, k, last_day * GTIME_US_PER_DAY - (int64_t)o->offset_s * GTIME_US_PER_SEC);
  int64_t prev_day = j > 0 ? local_day(ts[j - 1], o->offset_s) : INT64_MIN;
  return state_of(first_day, last_day, prev_day, o);
}

/* Heap sort: O(n log n) whatever the input (no quickselect worst case). */
static void sift_down(int32_t *a, uint32_t root, uint32_t n) {
  for (;;) {
    uint32_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && a[child + 1] > a[child]) child++;
    if (a[root] >= a[child]) return;
    int32_t t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

static void sort_gaps(int32_t *a, uint32_t n) {
  if (n <= 24) { /* most actors: a few gaps */
    for (uint32_t i = 1; i < n; i++) {
      int32_t x = a[i];
      uint32_t j = i;
      while (j > 0 && a[j - 1] > x) a[j] = a[j - 1], j--;
      a[j] = x;
    }
    return;
  }
  for (uint32_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (uint32_t end = n; end-- > 1;) {
    int32_t t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
}

const char *gas_row_of(const int64_t *ts, uint32_t n, const gas_opts *o, gas_gaps *scratch, gas_row *r) {
  memset(r, 0, sizeof *r);
  if (n == 0) {
    r->state = GAS_NSTATES;
    return NULL;
  }
  int64_t short_from = o->day - o->short_days + 1, long_from = o->day - o->long_days + 1;
  r->first_us = ts[0];
  r->last_us = ts[n - 1];
  /* the distinct active days, and the gaps between them */
  uint32_t ngaps = 0;
  int64_t day = INT64_MIN, prev_day = INT64_MIN, day_end = INT64_MIN;
  int64_t first_day = local_day(ts[0], o->offset_s);
  for (uint32_t i = 0; i < n; i++) {
    if (ts[i] < day_end) continue;
    prev_day = day;
    day = local_day(ts[i], o->offset_s);
    day_end = (day + 1) * GTIME_US_PER_DAY - (int64_t)o->offset_s * GTIME_US_PER_SEC;
    if (day >= short_from) r->active_short++;
    if (day >= long_from) r->active_long++;
    if (prev_day == INT64_MIN) continue;
    if (ngaps == scratch->cap) {
      uint32_t cap = scratch->cap ? scratch->cap * 2 : 64;
      int32_t *t = gmem_realloc(scratch->gap, (size_t)cap * sizeof *t);
      if (!t) return "out of memory";
      scratch->gap = t;
      scratch->cap = cap;
    }
    scratch->gap[ngaps++] = (int32_t)(day - prev_day);
  }
  scratch->n = ngaps;
  r->days_since_last = (int32_t)(o->day - day);
  if (ngaps == 0) {
    r->median_gap_x2 = -1;
  } else {
    int32_t *gaps = scratch->gap;
    sort_gaps(gaps, ngaps);
    r->median_gap_x2 = ngaps % 2 ? 2 * gaps[ngaps / 2] : gaps[ngaps / 2 - 1] + gaps[ngaps / 2];
  }
  r->state = (uint8_t)state_of(first_day, day, prev_day, o);
  r->status = (uint8_t)gas_status_of(r->state, first_day, o);
  return NULL;
}

const char *gas_compute(const gevents *ev, const gas_opts *o, gas_row *rows, gcancel *cancel) {
  gas_gaps scratch = {NULL, 0, 0};
  const char *why = NULL;
  for (uint32_t a = 0; a < ev->nactors && !why; a++) {
    uint32_t start = ev->start[a], n = ev->start[a + 1] - start;
    why = gas_row_of(ev->ts + start, n, o, &scratch, &rows[a]);
    if (why || n == 0) continue;
    uint64_t work = n + 1;
    for (uint32_t m = scratch.n; m > 1; m >>= 1) work += scratch.n;
    if (gcancel_work(cancel, work)) why = gcancel_reason;
  }
  gmem_free(scratch.gap);
  return why;
}

const char *gas_transitions(const gevents *ev, const gas_opts *a, int64_t a_until_us, const gas_opts *b,
                            uint64_t counts[GAS_NSTATES + 1][GAS_NSTATES], gcancel *cancel) {
  for (uint32_t k = 0; k < ev->nactors; k++) {
    uint32_t start = ev->start[k], n = ev->start[k + 1] - start;
    if (n == 0) continue;
    int from = gas_state_before(ev->ts + start, n, a_until_us, a);
    int to = gas_state_before(ev->ts + start, n, INT64_MAX, b);
    counts[from][to]++;
    if (gcancel_work(cancel, 32)) return gcancel_reason;
  }
  return NULL;
}

/* ---- keys in SQLite's order ---- */

typedef struct key_order {
  const gkeys *keys;
  uint32_t null_id;
} key_order;

static int cmp_ids(const key_order *o, uint32_t a, uint32_t b) {
  if (a == b) return 0;
  if (a == o->null_id) return -1;
  if (b == o->null_id) return 1;
  int c = gkeys_cmp(o->keys, a, b);
  return c ? c : (a > b) - (a < b);
}

/* Merges the sorted lists a[0..na) and b[0..nb) into out. */
static void merge_ids(const key_order *o, const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                      uint32_t *out) {
  uint32_t i = 0, j = 0, k = 0;
  while (i < na && j < nb) out[k++] = cmp_ids(o, b[j], a[i]) < 0 ? b[j++] : a[i++];
  while (i < na) out[k++] = a[i++];
  while (j < nb) out[k++] = b[j++];
}

const char *glc_key_order(const gkeys *keys, uint32_t n, uint32_t null_id, uint32_t *order, gcancel *cancel) {
  /* Small non-negative INTEGER keys (user ids) sit in the table's direct array, by value: reading
  ** it lists them in order. Only the other keys are sorted, then the two lists merged. When no
  ** key is hashed, the n ids are all there (each once): the array alone is the order, with no
  ** scratch (should it ever list fewer, the general way below starts over). */
  if (!gkeys_any_hashed(keys) && gkeys_count(keys) == n) {
    uint32_t k = 0;
    for (size_t v = 0; v < keys->ndirect && k < n; v++)
      if (keys->direct[v]) order[k++] = keys->direct[v] - 1;
    if (k == n) return NULL;
  }
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  if (n < 2) return NULL;
  uint32_t *direct = gmem_alloc((size_t)n * sizeof *direct);
  uint8_t *seen = gmem_alloc((size_t)n);
  if (!direct || !seen) {
    gmem_free(direct);
    gmem_free(seen);
    return "out of memory";
  }
  memset(seen, 0, (size_t)n);
  uint32_t nd = 0;
  for (size_t v = 0; v < keys->ndirect; v++) {
    uint32_t d = keys->direct[v];
    if (d && d - 1 < n) {
      direct[nd++] = d - 1;
      seen[d - 1] = 1;
    }
  }
  uint32_t nr = 0;
  for (uint32_t id = 0; id < n; id++)
    if (!seen[id]) order[nr++] = id;
  gmem_free(seen);
  key_order o = {keys, null_id};
  const char *why = NULL;
  /* the NULL id first, the rest by keys.h's sort (radix by eight bytes of a TEXT key at a time) */
  uint32_t lead = 0;
  for (uint32_t i = 0; i < nr; i++)
    if (order[i] == null_id) {
      memmove(order + 1, order, (size_t)i * sizeof *order);
      order[0] = null_id;
      lead = 1;
      break;
    }
  if (nr - lead > 1) {
    int rc = gkeys_sort_ids(keys, order + lead, nr - lead, cancel);
    if (rc == GKEYS_NOMEM) why = "out of memory";
    else if (rc) why = gcancel_reason;
  }
  if (!why && nd) {
    /* the rest move behind the direct ones in `direct`, then both merge into order */
    uint32_t *both = gmem_realloc(direct, (size_t)(nd + nr) * sizeof *both);
    if (!both) {
      why = "out of memory";
    } else {
      direct = both;
      memcpy(direct + nd, order, (size_t)nr * sizeof *order);
      merge_ids(&o, direct, nd, direct + nd, nr, order);
    }
  }
  gmem_free(direct);
  if (why) return why;
  uint64_t work = (uint64_t)n + keys->ndirect;
  for (uint32_t m = nr; m > 1; m >>= 1) work += nr;
  return gcancel_work(cancel, work) ? gcancel_reason : NULL;
}
