/* events.c: see events.h. */
#include "events.h"

#include <string.h>

#include "mem.h"

#define CHUNK_BITS 16
#define CHUNK_ROWS (1u << CHUNK_BITS)

/* One chunk: each column a separate block, so each can be freed as soon as it is moved. */
struct gev_chunk {
  int64_t *ts;
  uint32_t *actor;
  uint32_t *event, *segment;
  int64_t *value, *aux;
};

void gevents_init(gevents *ev, unsigned columns, unsigned keys_flags) {
  memset(ev, 0, sizeof *ev);
  ev->columns = columns;
  ev->min_ts = INT64_MAX;
  ev->max_ts = INT64_MIN;
  ev->grouped_input = 1;
  gkeys_init(&ev->actors, keys_flags);
  gkeys_init(&ev->names, 0);
}

static void free_chunk(gev_chunk *k) {
  gmem_free(k->ts);
  gmem_free(k->actor);
  gmem_free(k->event);
  gmem_free(k->segment);
  gmem_free(k->value);
  gmem_free(k->aux);
  memset(k, 0, sizeof *k);
}

static void free_chunks(gevents *ev) {
  for (size_t i = 0; i < ev->nchunks; i++) free_chunk(&ev->chunk[i]);
  gmem_free(ev->chunk);
  ev->chunk = NULL;
  ev->nchunks = ev->chunks_cap = 0;
}

void gevents_free(gevents *ev) {
  free_chunks(ev);
  gmem_free(ev->start);
  gmem_free(ev->ts);
  gmem_free(ev->event);
  gmem_free(ev->segment);
  gmem_free(ev->value);
  gmem_free(ev->aux);
  gkeys_free(&ev->actors);
  gkeys_free(&ev->names);
  unsigned columns = ev->columns;
  memset(ev, 0, sizeof *ev);
  ev->columns = columns;
}

static int new_chunk(gevents *ev) {
  if (ev->nchunks == ev->chunks_cap) {
    size_t cap = ev->chunks_cap ? ev->chunks_cap * 2 : 16;
    gev_chunk *t = gmem_realloc(ev->chunk, cap * sizeof *t);
    if (!t) return -1;
    ev->chunk = t;
    ev->chunks_cap = cap;
  }
  gev_chunk *k = &ev->chunk[ev->nchunks];
  memset(k, 0, sizeof *k);
  k->ts = gmem_alloc(CHUNK_ROWS * sizeof *k->ts);
  k->actor = gmem_alloc(CHUNK_ROWS * sizeof *k->actor);
  int ok = k->ts && k->actor;
  if (ev->columns & GEV_EVENT) ok = ok && (k->event = gmem_alloc(CHUNK_ROWS * sizeof *k->event));
  if (ev->columns & GEV_SEGMENT) ok = ok && (k->segment = gmem_alloc(CHUNK_ROWS * sizeof *k->segment));
  if (ev->columns & GEV_VALUE) ok = ok && (k->value = gmem_alloc(CHUNK_ROWS * sizeof *k->value));
  if (ev->columns & GEV_AUX) ok = ok && (k->aux = gmem_alloc(CHUNK_ROWS * sizeof *k->aux));
  if (!ok) {
    free_chunk(k);
    return -1;
  }
  ev->nchunks++;
  return 0;
}

const char *gevents_add(gevents *ev, uint32_t actor, int64_t ts, const gev_extra *extra) {
  if (ev->n >= GEV_MAX_ROWS) return "more than 4294967294 rows";
  uint32_t at = (uint32_t)(ev->n & (CHUNK_ROWS - 1));
  if (at == 0 && new_chunk(ev) != 0) return "out of memory";
  gev_chunk *k = &ev->chunk[ev->n >> CHUNK_BITS];
  k->ts[at] = ts;
  k->actor[at] = actor;
  if (extra) {
    if (k->event) k->event[at] = extra->event;
    if (k->segment) k->segment[at] = extra->segment;
    if (k->value) k->value[at] = extra->value;
    if (k->aux) k->aux[at] = extra->aux;
  }
  /* grouped: each new actor's id is the next one, and an actor never comes back */
  if (ev->n && actor != ev->last_actor && actor != ev->last_actor + 1) ev->grouped_input = 0;
  else if (!ev->n && actor != 0) ev->grouped_input = 0;
  ev->last_actor = actor;
  if (actor >= ev->nactors) ev->nactors = actor + 1;
  if (ts < ev->min_ts) ev->min_ts = ts;
  if (ts > ev->max_ts) ev->max_ts = ts;
  ev->n++;
  return NULL;
}

const char *gevents_add_rows(gevents *ev, const uint32_t *actor, const int64_t *ts, const gev_extra *extra,
                             uint32_t n) {
  for (uint32_t i = 0; i < n;) {
    if (ev->n >= GEV_MAX_ROWS) return "more than 4294967294 rows";
    uint32_t at = (uint32_t)(ev->n & (CHUNK_ROWS - 1));
    if (at == 0 && new_chunk(ev) != 0) return "out of memory";
    gev_chunk *k = &ev->chunk[ev->n >> CHUNK_BITS];
    /* the rows that fit this chunk (and the row limit), one column at a time */
    uint32_t m = n - i < CHUNK_ROWS - at ? n - i : CHUNK_ROWS - at;
    if (m > GEV_MAX_ROWS - ev->n) m = (uint32_t)(GEV_MAX_ROWS - ev->n);
    const uint32_t *a = actor + i;
    memcpy(k->ts + at, ts + i, (size_t)m * sizeof *k->ts);
    memcpy(k->actor + at, a, (size_t)m * sizeof *k->actor);
    if (k->event)
      for (uint32_t j = 0; j < m; j++) k->event[at + j] = extra[i + j].event;
    if (k->segment)
      for (uint32_t j = 0; j < m; j++) k->segment[at + j] = extra[i + j].segment;
    if (k->value)
      for (uint32_t j = 0; j < m; j++) k->value[at + j] = extra[i + j].value;
    if (k->aux)
      for (uint32_t j = 0; j < m; j++) k->aux[at + j] = extra[i + j].aux;
    /* as gevents_add: grouped while each new actor is the next id, the extremes */
    uint32_t last = ev->last_actor, top = ev->nactors;
    int grouped = ev->grouped_input && (ev->n ? a[0] == last || a[0] == last + 1 : a[0] == 0);
    int64_t lo = ev->min_ts, hi = ev->max_ts;
    for (uint32_t j = 0; j < m; j++) {
      if (j) grouped &= a[j] == a[j - 1] || a[j] == a[j - 1] + 1;
      if (a[j] >= top) top = a[j] + 1;
      int64_t t = ts[i + j];
      lo = t < lo ? t : lo;
      hi = t > hi ? t : hi;
    }
    ev->grouped_input = grouped;
    ev->last_actor = a[m - 1];
    ev->nactors = top;
    ev->min_ts = lo;
    ev->max_ts = hi;
    ev->n += m;
    i += m;
  }
  return NULL;
}

static uint32_t chunk_rows(const gevents *ev, size_t k) {
  return k + 1 < ev->nchunks ? CHUNK_ROWS : (uint32_t)(ev->n - (uint64_t)k * CHUNK_ROWS);
}

/* ---- stage 1: each row's place (counting sort by actor) ---- */

static const char *count_places(gevents *ev, uint32_t **place_out, gcancel *cancel) {
  ev->start = gmem_alloc(((size_t)ev->nactors + 1) * sizeof *ev->start);
  if (!ev->start) return "out of memory";
  memset(ev->start, 0, ((size_t)ev->nactors + 1) * sizeof *ev->start);
  if (ev->grouped_input) {
    /* places are the rows' own order: only the starts are needed */
    for (size_t k = 0; k < ev->nchunks; k++) {
      uint32_t n = chunk_rows(ev, k);
      for (uint32_t i = 0; i < n; i++) ev->start[ev->chunk[k].actor[i] + 1]++;
      if (gcancel_work(cancel, n)) return gcancel_reason;
    }
    for (uint32_t a = 0; a < ev->nactors; a++) ev->start[a + 1] += ev->start[a];
    *place_out = NULL;
    return NULL;
  }
  uint32_t *place = gmem_alloc((size_t)ev->n * sizeof *place);
  if (!place) return "out of memory";
  uint32_t *count = ev->start + 1;
  for (size_t k = 0; k < ev->nchunks; k++) {
    uint32_t n = chunk_rows(ev, k);
    const uint32_t *actor = ev->chunk[k].actor;
    for (uint32_t i = 0; i < n; i++) count[actor[i]]++;
    if (gcancel_work(cancel, n)) { gmem_free(place); return gcancel_reason; }
  }
  /* start[a] = rows before actor a; a cursor per actor, kept in start[a] while placing */
  uint32_t sum = 0;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t c = count[a];
    count[a] = sum;  /* start[a + 1] temporarily holds start[a] */
    sum += c;
  }
  for (size_t k = 0; k < ev->nchunks; k++) {
    uint32_t n = chunk_rows(ev, k);
    const uint32_t *actor = ev->chunk[k].actor;
    uint32_t *out = place + ((size_t)k << CHUNK_BITS);
    for (uint32_t i = 0; i < n; i++) out[i] = count[actor[i]]++;
    if (gcancel_work(cancel, n)) { gmem_free(place); return gcancel_reason; }
  }
  /* each cursor now sits at the end of its actor: start[a + 1]; start[0] is 0 */
  *place_out = place;
  return NULL;
}

/* ---- stages 1 and 2 at once when ts is the only column ---- */

/* With no optional column the rows' places are not needed twice: each instant goes straight
** to its actor's next slot, and each chunk is freed once read. This touches 8 bytes a row of
** fresh memory instead of 12 (no place array): on the machines measured, first touches of
** fresh pages (page faults) cost more than the scattered writes themselves. */
static const char *scatter_ts(gevents *ev, gcancel *cancel) {
  ev->start = gmem_alloc(((size_t)ev->nactors + 1) * sizeof *ev->start);
  if (!ev->start) return "out of memory";
  memset(ev->start, 0, ((size_t)ev->nactors + 1) * sizeof *ev->start);
  uint32_t *cursor = ev->start + 1;
  for (size_t k = 0; k < ev->nchunks; k++) {
    uint32_t n = chunk_rows(ev, k);
    const uint32_t *actor = ev->chunk[k].actor;
    for (uint32_t i = 0; i < n; i++) cursor[actor[i]]++;
    if (gcancel_work(cancel, n)) return gcancel_reason;
  }
  uint32_t sum = 0;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t c = cursor[a];
    cursor[a] = sum;  /* start[a + 1] holds start[a] until its actor's rows are placed */
    sum += c;
  }
  int64_t *dst = gmem_alloc((size_t)(ev->n ? ev->n : 1) * sizeof *dst);
  if (!dst) return "out of memory";
  for (size_t k = 0; k < ev->nchunks; k++) {
    uint32_t n = chunk_rows(ev, k);
    const uint32_t *actor = ev->chunk[k].actor;
    const int64_t *ts = ev->chunk[k].ts;
    for (uint32_t i = 0; i < n; i++) dst[cursor[actor[i]]++] = ts[i];
    free_chunk(&ev->chunk[k]);
    if (gcancel_work(cancel, n)) { gmem_free(dst); return gcancel_reason; }
  }
  ev->ts = dst;
  return NULL;
}

/* ---- stage 2: move one column from the chunks into its flat array ---- */

#define MOVE_COLUMN(TYPE, FIELD, DEST)                                                              \
  do {                                                                                              \
    TYPE *dst = gmem_alloc((size_t)(ev->n ? ev->n : 1) * sizeof *dst);                              \
    if (!dst) return "out of memory";                                                               \
    for (size_t k = 0; k < ev->nchunks; k++) {                                                      \
      uint32_t n = chunk_rows(ev, k);                                                               \
      const TYPE *src = ev->chunk[k].FIELD;                                                         \
      if (place) {                                                                                  \
        const uint32_t *p = place + ((size_t)k << CHUNK_BITS);                                      \
        for (uint32_t i = 0; i < n; i++) dst[p[i]] = src[i];                                        \
      } else {                                                                                      \
        memcpy(dst + ((size_t)k << CHUNK_BITS), src, (size_t)n * sizeof *dst);                      \
      }                                                                                             \
      gmem_free(ev->chunk[k].FIELD);                                                                \
      ev->chunk[k].FIELD = NULL;                                                                    \
      if (gcancel_work(cancel, n)) { gmem_free(dst); return gcancel_reason; }                       \
    }                                                                                               \
    DEST = dst;                                                                                     \
  } while (0)

static const char *move_columns(gevents *ev, const uint32_t *place, gcancel *cancel) {
  for (size_t k = 0; k < ev->nchunks; k++) {  /* the actor column is in the starts now */
    gmem_free(ev->chunk[k].actor);
    ev->chunk[k].actor = NULL;
  }
  MOVE_COLUMN(int64_t, ts, ev->ts);
  if (ev->columns & GEV_EVENT) MOVE_COLUMN(uint32_t, event, ev->event);
  if (ev->columns & GEV_SEGMENT) MOVE_COLUMN(uint32_t, segment, ev->segment);
  if (ev->columns & GEV_VALUE) MOVE_COLUMN(int64_t, value, ev->value);
  if (ev->columns & GEV_AUX) MOVE_COLUMN(int64_t, aux, ev->aux);
  return NULL;
}

/* ---- stage 3: order each actor's rows ---- */

typedef struct row_order {
  const gevents *ev;
  const gev_order *order;
} row_order;

static int cmp_u64(uint64_t a, uint64_t b) { return (a > b) - (a < b); }
static int cmp_i64(int64_t a, int64_t b) { return (a > b) - (a < b); }

/* <0, 0, >0: row i before, tied with, after row j. */
static int compare_rows(const row_order *o, uint32_t i, uint32_t j) {
  const gevents *ev = o->ev;
  int c = cmp_i64(ev->ts[i], ev->ts[j]);
  if (c) return c;
  if (ev->aux && (c = cmp_i64(ev->aux[i], ev->aux[j]))) return c;
  if (ev->event) {
    const uint32_t *r = o->order ? o->order->event_rank : NULL;
    if ((c = r ? cmp_u64(r[ev->event[i]], r[ev->event[j]]) : cmp_u64(ev->event[i], ev->event[j]))) return c;
  }
  if (ev->segment) {
    const uint32_t *r = o->order ? o->order->segment_rank : NULL;
    if ((c = r ? cmp_u64(r[ev->segment[i]], r[ev->segment[j]]) : cmp_u64(ev->segment[i], ev->segment[j]))) return c;
  }
  if (ev->value && (c = cmp_i64(ev->value[i], ev->value[j]))) return c;
  return 0;
}

/* Stable merge sort of row indexes idx[0..n) with tmp as scratch. */
static void sort_rows(const row_order *o, uint32_t *idx, uint32_t *tmp, uint32_t n) {
  if (n <= 16) {
    for (uint32_t i = 1; i < n; i++) {
      uint32_t x = idx[i], j = i;
      while (j > 0 && compare_rows(o, idx[j - 1], x) > 0) { idx[j] = idx[j - 1]; j--; }
      idx[j] = x;
    }
    return;
  }
  uint32_t h = n / 2;
  sort_rows(o, idx, tmp, h);
  sort_rows(o, idx + h, tmp, n - h);
  if (compare_rows(o, idx[h - 1], idx[h]) <= 0) return;
  memcpy(tmp, idx, h * sizeof *tmp);
  uint32_t i = 0, j = h, k = 0;
  while (i < h && j < n) idx[k++] = compare_rows(o, idx[j], tmp[i]) < 0 ? idx[j++] : tmp[i++];
  while (i < h) idx[k++] = tmp[i++];
}

/* Sorting an actor's rows: with rows in no time order, each comparison's outcome is a coin
** toss, and a branch on it is mispredicted half the time (most of the sort's cost). So the
** small sorts and the merges below choose with conditional moves instead of branches: an
** insertion sort that runs every inner loop to its end for a few rows, then merges that take
** from the front and the back of the two halves at once (two independent chains of work, and a
** loop with no test of either half's end: in h = n / 2 steps from each end neither half runs
** out before the last step). */
#define SMALL_INSTANTS 12

/* Insertion sort of v[0..n): each row goes over the whole sorted prefix, every slot taking
** its left neighbour (if later than x), x (if the slot is x's) or itself. */
static void insert_instants(int64_t *v, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    int64_t x = v[i];
    for (uint32_t j = i; j > 0; j--) {
      int64_t left = v[j - 1], here = v[j];
      v[j] = left > x ? left : (x < here ? x : here);
    }
    v[0] = x < v[0] ? x : v[0];
  }
}

/* Merges the sorted halves tmp[0..h) and tmp[h..n), h = n / 2, into v. */
static void merge_instants(int64_t *v, const int64_t *tmp, uint32_t h, uint32_t n) {
  const int64_t *a = tmp, *b = tmp + h, *a_last = tmp + h - 1, *b_last = tmp + n - 1;
  int64_t *front = v, *back = v + n - 1;
  for (uint32_t k = 0; k < h; k++) {
    int take_b = *b < *a;
    *front++ = take_b ? *b : *a;
    b += take_b;
    a += !take_b;
    int take_a = *a_last > *b_last;
    *back-- = take_a ? *a_last : *b_last;
    a_last -= take_a;
    b_last -= !take_a;
  }
  if (n & 1) *front = a <= a_last ? *a : *b;
}

/* Sorts instants v[0..n) ascending, tmp holding n: rows with no other column are their instant
** alone, so the values are sorted in place, with no index and no permutation. */
static void sort_instants(int64_t *v, int64_t *tmp, uint32_t n) {
  if (n <= SMALL_INSTANTS) {
    insert_instants(v, n);
    return;
  }
  uint32_t h = n / 2;
  sort_instants(v, tmp, h);
  sort_instants(v + h, tmp, n - h);
  if (v[h - 1] <= v[h]) return;
  memcpy(tmp, v, (size_t)n * sizeof *tmp);
  merge_instants(v, tmp, h, n);
}

static const char *order_instants(gevents *ev, gcancel *cancel) {
  int64_t *tmp = NULL;
  const char *why = NULL;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t s = ev->start[a], n = ev->start[a + 1] - s;
    if (gcancel_work(cancel, n + 1)) { why = gcancel_reason; break; }
    int64_t *v = ev->ts + s;
    uint32_t i = 1;
    while (i < n && v[i - 1] <= v[i]) i++;
    if (i >= n) continue;
    if (n > SMALL_INSTANTS && !tmp) {
      /* as wide as the widest actor: 8 bytes a row at most, less than the 20 of the placing */
      uint32_t widest = 0;
      for (uint32_t b = 0; b < ev->nactors; b++)
        if (ev->start[b + 1] - ev->start[b] > widest) widest = ev->start[b + 1] - ev->start[b];
      tmp = gmem_alloc((size_t)widest * sizeof *tmp);
      if (!tmp) { why = "out of memory"; break; }
    }
    sort_instants(v, tmp, n);
    uint64_t work = n;
    for (uint32_t m = n; m > 1; m >>= 1) work += n;
    if (gcancel_work(cancel, work)) { why = gcancel_reason; break; }
  }
  gmem_free(tmp);
  return why;
}

/* Rows with an event and/or a segment column but no aux or value: their order is (ts, key),
** key the event's rank above the segment's, so an actor's rows are sorted as records that carry
** their own keys (no index, no comparisons through the columns), stably as sort_rows does. */
typedef struct keyed_row {
  int64_t ts;
  uint64_t key;
  uint32_t event, segment;
} keyed_row;

/* The largest actor sorted as records (24 bytes each, twice for the merge): beyond it the
** index sort, which holds 14 bytes per row of the largest actor. */
#define KEYED_MAX_ROWS 65536u

/* Without && and ||, so that the sorts below compile to conditional moves, not branches. */
static int keyed_before(const keyed_row *a, const keyed_row *b) {
  return (a->ts < b->ts) | ((a->ts == b->ts) & (a->key < b->key));
}

/* As insert_instants and merge_instants, for records: each move picks a record's address,
** by a mask rather than `c ? x : y`, which compilers turn into a branch around the copy. */
#define SMALL_KEYED 8

static const keyed_row *pick(int c, const keyed_row *x, const keyed_row *y) {
  uintptr_t mask = (uintptr_t)0 - (uintptr_t)(c != 0);
  return (const keyed_row *)(((uintptr_t)x & mask) | ((uintptr_t)y & ~mask));
}

static void insert_keyed(keyed_row *v, uint32_t n) {
  for (uint32_t i = 1; i < n; i++) {
    keyed_row x = v[i];
    for (uint32_t j = i; j > 0; j--) {
      const keyed_row *left = &v[j - 1], *here = &v[j];
      v[j] = *pick(keyed_before(&x, left), left, pick(keyed_before(&x, here), &x, here));
    }
    v[0] = *pick(keyed_before(&x, &v[0]), &x, &v[0]);
  }
}

static void merge_keyed(keyed_row *v, const keyed_row *tmp, uint32_t h, uint32_t n) {
  const keyed_row *a = tmp, *b = tmp + h, *a_last = tmp + h - 1, *b_last = tmp + n - 1;
  keyed_row *front = v, *back = v + n - 1;
  for (uint32_t k = 0; k < h; k++) {
    int take_b = keyed_before(b, a);
    *front++ = *pick(take_b, b, a);
    b += take_b;
    a += !take_b;
    int take_a = keyed_before(b_last, a_last);
    *back-- = *pick(take_a, a_last, b_last);
    a_last -= take_a;
    b_last -= !take_a;
  }
  if (n & 1) *front = *(a <= a_last ? a : b);
}

/* tmp holds n records. */
static void sort_keyed(keyed_row *v, keyed_row *tmp, uint32_t n) {
  if (n <= SMALL_KEYED) {
    insert_keyed(v, n);
    return;
  }
  uint32_t h = n / 2;
  sort_keyed(v, tmp, h);
  sort_keyed(v + h, tmp, n - h);
  if (!keyed_before(&v[h], &v[h - 1])) return;
  memcpy(tmp, v, (size_t)n * sizeof *tmp);
  merge_keyed(v, tmp, h, n);
}

static uint64_t row_key(const gevents *ev, const gev_order *order, uint32_t i) {
  uint64_t e = 0, g = 0;
  if (ev->event) e = order && order->event_rank ? order->event_rank[ev->event[i]] : ev->event[i];
  if (ev->segment) g = order && order->segment_rank ? order->segment_rank[ev->segment[i]] : ev->segment[i];
  return e << 32 | g;
}

static const char *order_keyed(gevents *ev, const gev_order *order, uint32_t widest, gcancel *cancel) {
  keyed_row *rec = NULL, *tmp = NULL;
  const char *why = NULL;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t s = ev->start[a], n = ev->start[a + 1] - s;
    if (gcancel_work(cancel, n + 1)) { why = gcancel_reason; break; }
    uint32_t i = 1;
    uint64_t prev = n ? row_key(ev, order, s) : 0;
    while (i < n) {
      uint64_t key = row_key(ev, order, s + i);
      if (ev->ts[s + i - 1] > ev->ts[s + i] || (ev->ts[s + i - 1] == ev->ts[s + i] && prev > key)) break;
      prev = key;
      i++;
    }
    if (i >= n) continue;  /* already in order: the usual case for logs written in time order */
    if (!rec) {
      rec = gmem_alloc((size_t)widest * sizeof *rec);
      tmp = gmem_alloc((size_t)widest * sizeof *tmp);
      if (!rec || !tmp) { why = "out of memory"; break; }
    }
    for (uint32_t r = 0; r < n; r++) {
      rec[r].ts = ev->ts[s + r];
      rec[r].key = row_key(ev, order, s + r);
      rec[r].event = ev->event ? ev->event[s + r] : 0;
      rec[r].segment = ev->segment ? ev->segment[s + r] : 0;
    }
    sort_keyed(rec, tmp, n);
    uint64_t work = n;
    for (uint32_t m = n; m > 1; m >>= 1) work += n;
    if (gcancel_work(cancel, work)) { why = gcancel_reason; break; }
    for (uint32_t r = 0; r < n; r++) {
      ev->ts[s + r] = rec[r].ts;
      if (ev->event) ev->event[s + r] = rec[r].event;
      if (ev->segment) ev->segment[s + r] = rec[r].segment;
    }
  }
  gmem_free(rec);
  gmem_free(tmp);
  return why;
}

/* Puts rows [s, s+n) in the order idx gives (idx holds absolute row numbers). */
#define PERMUTE(TYPE, COL)                                                          \
  do {                                                                              \
    if (COL) {                                                                      \
      TYPE *buf = (TYPE *)scratch;                                                  \
      for (uint32_t i = 0; i < n; i++) buf[i] = COL[idx[i]];                        \
      memcpy(COL + s, buf, (size_t)n * sizeof(TYPE));                               \
    }                                                                               \
  } while (0)

static const char *order_rows(gevents *ev, const gev_order *order, gcancel *cancel) {
  if (ev->columns == 0) return order_instants(ev, cancel);
  row_order o = {ev, order};
  uint32_t widest = 0;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t n = ev->start[a + 1] - ev->start[a];
    if (n > widest) widest = n;
  }
  if (!(ev->columns & (GEV_AUX | GEV_VALUE)) && widest <= KEYED_MAX_ROWS) return order_keyed(ev, order, widest, cancel);
  uint32_t *idx = NULL, *tmp = NULL;
  void *scratch = NULL;
  const char *why = NULL;
  for (uint32_t a = 0; a < ev->nactors && !why; a++) {
    uint32_t s = ev->start[a], n = ev->start[a + 1] - s;
    if (gcancel_work(cancel, n + 1)) { why = gcancel_reason; break; }
    uint32_t i = 1;
    while (i < n && compare_rows(&o, s + i - 1, s + i) <= 0) i++;
    if (i >= n) continue;  /* already in order: the usual case for logs written in time order */
    if (!idx) {
      idx = gmem_alloc((size_t)widest * sizeof *idx);
      tmp = gmem_alloc((size_t)(widest / 2 + 1) * sizeof *tmp);
      scratch = gmem_alloc((size_t)widest * sizeof(int64_t));
      if (!idx || !tmp || !scratch) { why = "out of memory"; break; }
    }
    for (uint32_t r = 0; r < n; r++) idx[r] = s + r;
    sort_rows(&o, idx, tmp, n);
    /* n log n comparisons were made: count them as work */
    uint64_t work = n;
    for (uint32_t m = n; m > 1; m >>= 1) work += n;
    if (gcancel_work(cancel, work)) { why = gcancel_reason; break; }
    PERMUTE(int64_t, ev->ts);
    PERMUTE(uint32_t, ev->event);
    PERMUTE(uint32_t, ev->segment);
    PERMUTE(int64_t, ev->value);
    PERMUTE(int64_t, ev->aux);
  }
  gmem_free(idx);
  gmem_free(tmp);
  gmem_free(scratch);
  return why;
}

const char *gevents_group(gevents *ev, const gev_order *order, gcancel *cancel) {
  uint32_t *place = NULL;
  const char *why;
  if (ev->columns == 0 && !ev->grouped_input) {
    why = scatter_ts(ev, cancel);
  } else {
    why = count_places(ev, &place, cancel);
    if (!why) why = move_columns(ev, place, cancel);
    gmem_free(place);
  }
  free_chunks(ev);
  if (!why) why = order_rows(ev, order, cancel);
  return why;
}
