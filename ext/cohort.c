/* cohort.c: see cohort.h. */
#include "cohort.h"

#include <string.h>

#include "cancel.h"
#include "mem.h"
#include "keys.h"
#include "money.h"

#define CHUNK_BITS 16
#define CHUNK_SIZE (1u << CHUNK_BITS)
/* The first SLAB_FROM chunks are allocated one by one; later ones SLAB_CHUNKS to an allocation of
** 4.5 MB (7.5 with values), large enough to ask for huge pages (mem.c): a fault per fresh 4 KB
** page of 12 bytes per row cost more than writing the rows. */
#define SLAB_FROM 4
#define SLAB_CHUNKS 6
#define NO_START INT64_MAX
#define BATCH_ROWS 2048
/* Days around the first row's day whose month, quarter or year is looked up in a table. */
#define DAY_TABLE 4096

/* Each actor's calendar periods as rows arrive, when they are all the tally needs (calendar
** periods, no value column): a 64-period window of bits from `base`, slid down when an earlier
** period still fits. A row whose period falls outside the window is stored as an event. The
** cohort's period is kept beside it, so a row touches one cache line (16 bytes per actor);
** calendar period indexes of instants in years 0000..9999 fit 32 bits. */
#define NO_START_PERIOD INT32_MAX
typedef struct actor_window {
  uint64_t mask;    /* bit k: a row in period base + k; 0: no row yet */
  int32_t base;     /* the period index of bit 0 */
  int32_t start;    /* the period index of the cohort entry, NO_START_PERIOD when none yet */
} actor_window;

/* Events in fixed-size chunks: appending never copies what is already stored. */
typedef struct chunk {
  int64_t *ts;
  uint32_t *actor;
  int64_t *value;   /* NULL without a value column */
} chunk;

struct gcohort {
  gcohort_opts opts;
  /* events */
  chunk *chunks;
  size_t nchunks, chunks_cap;
  uint64_t nevents;   /* rows stored as events */
  uint64_t nrows;     /* rows added */
  int64_t max_ts;
  /* windowed: rows are kept as their actor's periods (actor_window), events only those that do
  ** not fit; the cohort start is tracked while reading, and count exists only once some rows are
  ** stored as events */
  int windowed;
  actor_window *win;
  /* windowed: rows wait here, then go to their windows in one tight loop (the windows' cache
  ** misses overlap there, where one per source row would stall the scan) */
  uint32_t nbatch;
  uint32_t batch_actor[BATCH_ROWS];
  int64_t batch_ts[BATCH_ROWS];
  uint8_t batch_is_start[BATCH_ROWS];
  /* windowed: period indexes of instants without a division by a variable (period_index) */
  int64_t offset_us, week_shift, table_day0;
  int32_t *day_period; /* month, quarter or year: the index of days table_day0.. (NULL: none) */
  int table_tried;
  /* actors: the caller's dense ids 0..nactors-1 */
  uint32_t nactors, actors_cap;
  int64_t *start;     /* cohort entry instant, NO_START when the actor never started */
  uint32_t *count;    /* scratch per actor in gcohort_finish (events per actor, cohort slot) */
  uint32_t *segment;  /* has_segment: the actor's segment so far, chosen by seg_ts */
  int64_t *seg_ts;    /* the instant of the row the segment came from */
  /* result */
  gcohort_cell *cells;
  int64_t ncells;
  int64_t as_of;
};

gcohort *gcohort_new(const gcohort_opts *opts) {
  gcohort *c = gmem_alloc(sizeof *c);
  if (!c) return NULL;
  memset(c, 0, sizeof *c);
  c->opts = *opts;
  c->max_ts = INT64_MIN;
  /* tally 1 and 2 (tests) keep every row as an event */
  c->windowed = !opts->rolling && !opts->has_value && opts->tally == 0;
  c->offset_us = (int64_t)opts->cal.offset_s * GTIME_US_PER_SEC;
  c->week_shift = -gtime_period_index_start_day(&opts->cal, 0);
  return c;
}

/* 1 when chunk k begins an allocation (which holds its arrays, and in a slab the next chunks'). */
static int chunk_allocated(size_t k) { return k < SLAB_FROM || (k - SLAB_FROM) % SLAB_CHUNKS == 0; }

static void free_events(gcohort *c) {
  for (size_t i = 0; i < c->nchunks; i++)
    if (chunk_allocated(i)) gmem_free(c->chunks[i].ts);
  gmem_free(c->chunks);
  c->chunks = NULL;
  c->nchunks = c->chunks_cap = 0;
}

static void free_actors(gcohort *c) {
  gmem_free(c->win);
  c->win = NULL;
  gmem_free(c->start);
  gmem_free(c->count);
  gmem_free(c->segment);
  gmem_free(c->seg_ts);
  c->start = NULL;
  c->count = NULL;
  c->segment = NULL;
  c->seg_ts = NULL;
}

void gcohort_free(gcohort *c) {
  if (!c) return;
  free_events(c);
  free_actors(c);
  gmem_free(c->day_period);
  gmem_free(c->cells);
  gmem_free(c);
}


/* Grows the per-actor arrays to hold id `actor`; new actors have no start and no events. */
static int ensure_actor(gcohort *c, uint32_t actor) {
  if (actor < c->nactors) return 0;
  if (actor >= c->actors_cap) {
    if (actor >= UINT32_MAX / 2) return -1;
    uint32_t cap = c->actors_cap ? c->actors_cap : 1024;
    while (cap <= actor) cap *= 2;
    if (c->windowed) {
      actor_window *w = gmem_realloc(c->win, (size_t)cap * sizeof *w);
      if (!w) return -1;
      c->win = w;
    } else {
      int64_t *s = gmem_realloc(c->start, (size_t)cap * sizeof *s);
      if (!s) return -1;
      c->start = s;
      uint32_t *n = gmem_realloc(c->count, (size_t)cap * sizeof *n);
      if (!n) return -1;
      c->count = n;
    }
    if (c->opts.has_segment) {
      uint32_t *g = gmem_realloc(c->segment, (size_t)cap * sizeof *g);
      if (!g) return -1;
      c->segment = g;
      int64_t *t = gmem_realloc(c->seg_ts, (size_t)cap * sizeof *t);
      if (!t) return -1;
      c->seg_ts = t;
    }
    c->actors_cap = cap;
  }
  for (uint32_t a = c->nactors; a <= actor; a++) {
    if (c->windowed) {
      c->win[a].mask = 0;
      c->win[a].base = 0;
      c->win[a].start = NO_START_PERIOD;
    } else {
      c->start[a] = NO_START;
      c->count[a] = 0;
    }
    if (c->opts.has_segment) {
      c->segment[a] = 0;
      c->seg_ts[a] = c->opts.segment_last ? INT64_MIN : INT64_MAX;
    }
  }
  c->nactors = actor + 1;
  return 0;
}

/* First-touch (or last-touch) attribution: the earliest (latest) row wins, a tie goes to the
** smaller (larger) segment value. */
static void attribute(gcohort *c, uint32_t actor, int64_t ts, uint32_t segment) {
  int64_t best = c->seg_ts[actor];
  int later = c->opts.segment_last;
  if (later ? ts < best : ts > best) return;
  if (ts == best && c->segment[actor] != segment) {
    int cmp = c->opts.segment_cmp(c->opts.segment_ctx, segment, c->segment[actor]);
    if (later ? cmp <= 0 : cmp >= 0) return;
  }
  c->seg_ts[actor] = ts;
  c->segment[actor] = segment;
}

static int new_chunk(gcohort *c) {
  if (c->nchunks == c->chunks_cap) {
    size_t cap = c->chunks_cap ? c->chunks_cap * 2 : 16;
    chunk *t = gmem_realloc(c->chunks, cap * sizeof *t);
    if (!t) return -1;
    c->chunks = t;
    c->chunks_cap = cap;
  }
  size_t per = sizeof(int64_t) + sizeof(uint32_t) + (c->opts.has_value ? sizeof(int64_t) : 0);
  char *block;
  if (!chunk_allocated(c->nchunks)) block = (char *)c->chunks[c->nchunks - 1].ts + per * CHUNK_SIZE;
  else if (!(block = gmem_alloc(per * CHUNK_SIZE * (c->nchunks < SLAB_FROM ? 1 : SLAB_CHUNKS)))) return -1;
  chunk *k = &c->chunks[c->nchunks++];
  k->ts = (int64_t *)block;
  k->value = c->opts.has_value ? (int64_t *)(block + sizeof(int64_t) * CHUNK_SIZE) : NULL;
  k->actor = (uint32_t *)(block + (c->opts.has_value ? 2 : 1) * sizeof(int64_t) * CHUNK_SIZE);
  return 0;
}

static int store_event(gcohort *c, uint32_t actor, int64_t ts, int64_t value) {
  uint32_t at = (uint32_t)(c->nevents & (CHUNK_SIZE - 1));
  if (at == 0 && new_chunk(c) != 0) return -1;
  chunk *k = &c->chunks[c->nevents >> CHUNK_BITS];
  k->ts[at] = ts;
  k->actor[at] = actor;
  if (k->value) k->value[at] = value;
  c->nevents++;
  return 0;
}

/* n rows without values as events, copied a chunk's span at a time. */
static int store_events(gcohort *c, const uint32_t *actor, const int64_t *ts, uint32_t n) {
  while (n > 0) {
    uint32_t at = (uint32_t)(c->nevents & (CHUNK_SIZE - 1));
    if (at == 0 && new_chunk(c) != 0) return -1;
    chunk *k = &c->chunks[c->nevents >> CHUNK_BITS];
    uint32_t take = CHUNK_SIZE - at < n ? CHUNK_SIZE - at : n;
    memcpy(k->ts + at, ts, (size_t)take * sizeof *ts);
    memcpy(k->actor + at, actor, (size_t)take * sizeof *actor);
    if (k->value) memset(k->value + at, 0, (size_t)take * sizeof *k->value);
    c->nevents += take;
    actor += take;
    ts += take;
    n -= take;
  }
  return 0;
}

/* Sets period index pi in the window: 0 when it does not fit (the row is then stored). */
static int window_take(actor_window *w, int64_t pi) {
  if (!w->mask) {
    w->base = (int32_t)pi;
    w->mask = 1;
    return 1;
  }
  if (pi >= w->base) {
    if (pi - w->base >= 64) return 0;
    w->mask |= UINT64_C(1) << (pi - w->base);
    return 1;
  }
  uint64_t down = (uint64_t)(w->base - pi);
  if (down + (uint64_t)(63 - __builtin_clzll(w->mask)) >= 64) return 0;
  w->mask = (w->mask << down) | 1;
  w->base = (int32_t)pi;
  return 1;
}

static int64_t floor_div_const(int64_t a, int64_t b) { return a / b - (a % b < 0); }

/* The month, quarter or year of the days around `day` into a table (no table when out of
** memory: period_index then computes every index). */
static void fill_day_table(gcohort *c, int64_t day) {
  c->table_tried = 1;
  c->day_period = gmem_alloc(DAY_TABLE * sizeof *c->day_period);
  if (!c->day_period) return;
  c->table_day0 = day - DAY_TABLE / 2;
  for (int64_t d = 0; d < DAY_TABLE; d++)
    c->day_period[d] = (int32_t)gtime_period_index(&c->opts.cal, (c->table_day0 + d) * GTIME_US_PER_DAY - c->offset_us);
}

/* gtime_period_index of a row's instant, cheaper (it runs once per row): the local day and the
** week are divisions by constants (multiplications), months, quarters and years a table lookup
** of the day (civil_from_days per row was a monthly query's largest cost of its own). */
static int64_t period_index(gcohort *c, int64_t ts) {
  int64_t day = floor_div_const(ts + c->offset_us, GTIME_US_PER_DAY);
  switch (c->opts.cal.period) {
    case GPERIOD_DAY: return day;
    case GPERIOD_WEEK: return floor_div_const(day + c->week_shift, 7);
    default: {
      if (!c->table_tried) fill_day_table(c, day);
      uint64_t at = (uint64_t)(day - c->table_day0);
      if (c->day_period && at < DAY_TABLE) return c->day_period[at];
      return gtime_period_index(&c->opts.cal, ts);
    }
  }
}

/* Rows into their actors' windows (or events); is_start NULL: every row may start a cohort.
** -1: out of memory. */
static int take_rows(gcohort *c, const uint32_t *actor, const int64_t *ts, const uint8_t *is_start, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    if (i + 16 < n) __builtin_prefetch(&c->win[actor[i + 16]], 1);
    uint32_t a = actor[i];
    actor_window *w = &c->win[a];
    int64_t pi = period_index(c, ts[i]);
    if ((is_start ? is_start[i] : 1) && pi < w->start) w->start = (int32_t)pi;
    if (!window_take(w, pi) && store_event(c, a, ts[i], 0) != 0) return -1;
  }
  return 0;
}

/* The waiting rows into their actors' windows (or events). -1: out of memory. */
static int flush_batch(gcohort *c) {
  uint32_t n = c->nbatch;
  c->nbatch = 0;
  return take_rows(c, c->batch_actor, c->batch_ts, c->opts.has_is_start ? c->batch_is_start : NULL, n);
}

const char *gcohort_add(gcohort *c, uint32_t actor, int64_t ts, int is_start, int64_t value, uint32_t segment) {
  if (c->nrows >= UINT32_MAX - 1) return "more than 4294967294 rows";
  if (ensure_actor(c, actor) != 0) return "out of memory";
  c->nrows++;
  if (c->windowed) {
    c->batch_actor[c->nbatch] = actor;
    c->batch_ts[c->nbatch] = ts;
    c->batch_is_start[c->nbatch] = (uint8_t)(is_start != 0);
    if (++c->nbatch == BATCH_ROWS && flush_batch(c) != 0) return "out of memory";
  } else {
    if (store_event(c, actor, ts, value) != 0) return "out of memory";
    /* without is_start an actor's entry is its earliest row: found in one pass in gcohort_finish,
    ** where the loads overlap, instead of a dependent cache miss per row here */
    if (is_start && c->opts.has_is_start && ts < c->start[actor]) c->start[actor] = ts;
  }
  if (c->opts.has_segment) attribute(c, actor, ts, segment);
  if (ts > c->max_ts) c->max_ts = ts;
  return NULL;
}

const char *gcohort_add_rows(gcohort *c, const uint32_t *actor, const int64_t *ts, uint32_t n) {
  if (c->opts.has_is_start || c->opts.has_value || c->opts.has_segment) {
    for (uint32_t i = 0; i < n; i++) {
      const char *why = gcohort_add(c, actor[i], ts[i], 1, 0, 0);
      if (why) return why;
    }
    return NULL;
  }
  if (n == 0) return NULL;
  if (c->nrows + n > UINT32_MAX - 1) return "more than 4294967294 rows";
  uint32_t top = 0;
  int64_t latest = c->max_ts;
  for (uint32_t i = 0; i < n; i++) {
    if (actor[i] > top) top = actor[i];
    if (ts[i] > latest) latest = ts[i];
  }
  if (ensure_actor(c, top) != 0) return "out of memory";
  if (c->windowed) {
    /* rows added one at a time and waiting go first: the same order as gcohort_add's */
    if ((c->nbatch && flush_batch(c) != 0) || take_rows(c, actor, ts, NULL, n) != 0) return "out of memory";
  } else if (store_events(c, actor, ts, n) != 0) {
    return "out of memory";
  }
  c->nrows += n;
  c->max_ts = latest;
  return NULL;
}

/* Per cohort (indexed by period index - the smallest cohort's), while building cells. */
typedef struct cohort_slot {
  uint32_t segment;
  int64_t size, min_start, max_start;
  int64_t cell_off, ncell;
  int64_t start_us;  /* the instant the cohort's calendar period begins */
} cohort_slot;

/* Where each actor's cells are: slots are blocks of `range` cohorts (period index - min_ci),
** one block per segment with actors, in the output order of segments. */
typedef struct cohort_plan {
  cohort_slot *slots;
  int64_t min_ci, range;
  const uint32_t *seg_block;  /* segment id -> block; NULL without segments */
} cohort_plan;

static int64_t slot_index(const gcohort *c, const cohort_plan *pl, uint32_t actor, int64_t ci) {
  int64_t block = pl->seg_block ? pl->seg_block[c->segment[actor]] : 0;
  return block * pl->range + (ci - pl->min_ci);
}

/* The period number of an instant ts >= the actor's entry `start`. Calendar days and weeks
** have a fixed length under a fixed offset, so they are one division from the cohort's start
** (the same answer as the period index difference, found cheaper: this runs once per event). */
/* Whole windows of the unit in d >= 0 microseconds; days and weeks divide by a constant (a
** multiplication, where a division by a variable costs tens of cycles per event). */
static int64_t windows_in(uint64_t d, gperiod unit) {
  if (unit == GPERIOD_DAY) return (int64_t)(d / (uint64_t)GTIME_US_PER_DAY);
  if (unit == GPERIOD_WEEK) return (int64_t)(d / (7 * (uint64_t)GTIME_US_PER_DAY));
  return (int64_t)(d / (uint64_t)gtime_rolling_length_us(unit));
}

static int64_t period_of(const gcohort *c, const cohort_slot *slot, int64_t cohort_index, int64_t start,
                         int64_t ts) {
  gperiod unit = c->opts.cal.period;
  if (c->opts.rolling) return windows_in((uint64_t)(ts - start), unit);
  if (unit == GPERIOD_DAY || unit == GPERIOD_WEEK) return windows_in((uint64_t)(ts - slot->start_us), unit);
  return gtime_period_index(&c->opts.cal, ts) - cohort_index;
}

/* Counts each actor's periods after grouping the events by actor (counting sort): for cohorts
** with many periods, where a bitset per actor would cost more than 4 bytes per event. */
static const char *tally_sorted(gcohort *c, const cohort_plan *pl, int64_t widest, gcancel *cancel) {
  const gcalendar *cal = &c->opts.cal;
  const char *why = NULL;
  uint32_t *off = gmem_alloc(((size_t)c->nactors + 1) * sizeof *off);
  uint32_t *perm = gmem_alloc((size_t)c->nevents * sizeof *perm);
  uint32_t *stamp = gmem_alloc((size_t)widest * sizeof *stamp);
  if (!off || !perm || !stamp) { why = "out of memory"; goto done; }
  memset(c->count, 0, (size_t)c->nactors * sizeof *c->count);
  for (size_t k = 0; k < c->nchunks; k++) {
    uint32_t n = k + 1 < c->nchunks ? CHUNK_SIZE : (uint32_t)(c->nevents - (uint64_t)k * CHUNK_SIZE);
    for (uint32_t i = 0; i < n; i++) c->count[c->chunks[k].actor[i]]++;
    if (gcancel_work(cancel, n)) { why = gcancel_reason; goto done; }
  }
  off[0] = 0;
  for (uint32_t a = 0; a < c->nactors; a++) {
    off[a + 1] = off[a] + c->count[a];
    c->count[a] = off[a];  /* becomes the fill cursor */
  }
  for (uint64_t e = 0; e < c->nevents; e++) {
    uint32_t a = c->chunks[e >> CHUNK_BITS].actor[e & (CHUNK_SIZE - 1)];
    perm[c->count[a]++] = (uint32_t)e;
    if ((e & (CHUNK_SIZE - 1)) == 0 && gcancel_work(cancel, CHUNK_SIZE)) { why = gcancel_reason; goto done; }
  }
  memset(stamp, 0, (size_t)widest * sizeof *stamp);

  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1 + off[a + 1] - off[a])) { why = gcancel_reason; goto done; }
    int64_t start = c->start[a];
    if (start == NO_START) continue;
    int64_t ci = gtime_period_index(cal, start);
    cohort_slot *k = &pl->slots[slot_index(c, pl, a, ci)];
    gcohort_cell *cells = c->cells + k->cell_off;
    int64_t last_active = 0;
    for (uint32_t j = off[a]; j < off[a + 1]; j++) {
      uint32_t e = perm[j];
      const chunk *ch = &c->chunks[e >> CHUNK_BITS];
      int64_t ts = ch->ts[e & (CHUNK_SIZE - 1)];
      if (ts < start) continue;  /* before the cohort entry: not a return */
      int64_t p = period_of(c, k, ci, start, ts);
      if (p > last_active) last_active = p;
      if (p >= k->ncell) continue;  /* beyond periods=N */
      if (stamp[p] != a + 1) {
        stamp[p] = a + 1;
        if (!c->opts.on_or_after) cells[p].retained++;
      }
      if (ch->value && gmoney_add(cells[p].value, ch->value[e & (CHUNK_SIZE - 1)], &cells[p].value)) {
        why = "value sum overflows";
        goto done;
      }
    }
    /* on_or_after: counted in every period up to the last active one (later activity beyond
    ** periods=N still counts for the last shown period) */
    if (c->opts.on_or_after) cells[last_active < k->ncell ? last_active : k->ncell - 1].retained++;
  }
done:
  gmem_free(off);
  gmem_free(perm);
  gmem_free(stamp);
  return why;
}

/* Counts each actor's periods with a bitset per actor in one sequential pass over the events. */
static const char *tally_bits(gcohort *c, const cohort_plan *pl, size_t words, gcancel *cancel) {
  cohort_slot *slots = pl->slots;
  const gcalendar *cal = &c->opts.cal;
  uint64_t *bits = gmem_alloc((size_t)c->nactors * words * sizeof *bits);
  if (!bits) return "out of memory";
  memset(bits, 0, (size_t)c->nactors * words * sizeof *bits);
  /* the count array becomes each actor's cohort slot */
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (c->start[a] != NO_START) c->count[a] = (uint32_t)slot_index(c, pl, a, gtime_period_index(cal, c->start[a]));
    if (gcancel_work(cancel, 1)) { gmem_free(bits); return gcancel_reason; }
  }
  for (size_t k = 0; k < c->nchunks; k++) {
    const chunk *ch = &c->chunks[k];
    uint32_t n = k + 1 < c->nchunks ? CHUNK_SIZE : (uint32_t)(c->nevents - (uint64_t)k * CHUNK_SIZE);
    if (gcancel_work(cancel, n)) { gmem_free(bits); return gcancel_reason; }
    for (uint32_t i = 0; i < n; i++) {
      if (i + 8 < n) {  /* the actor's start and bits: random accesses, overlapped */
        uint32_t ahead = ch->actor[i + 8];
        __builtin_prefetch(&c->start[ahead]);
        __builtin_prefetch(&c->count[ahead]);
        __builtin_prefetch(&bits[(size_t)ahead * words], 1);
      }
      uint32_t a = ch->actor[i];
      int64_t start = c->start[a], ts = ch->ts[i];
      if (ts < start) continue;  /* before the cohort entry (or never started: NO_START) */
      const cohort_slot *slot = &slots[c->count[a]];
      int64_t p = period_of(c, slot, pl->min_ci + c->count[a] % pl->range, start, ts);
      if (p >= slot->ncell) {
        /* beyond periods=N: still "active later" for on_or_after */
        if (c->opts.on_or_after) p = slot->ncell - 1;
        else continue;
      } else if (ch->value) {
        gcohort_cell *cell = &c->cells[slot->cell_off + p];
        if (gmoney_add(cell->value, ch->value[i], &cell->value)) { gmem_free(bits); return "value sum overflows"; }
      }
      bits[(size_t)a * words + (size_t)(p >> 6)] |= UINT64_C(1) << (p & 63);
    }
  }
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, words)) { gmem_free(bits); return gcancel_reason; }
    if (c->start[a] == NO_START) continue;
    gcohort_cell *cells = c->cells + slots[c->count[a]].cell_off;
    const uint64_t *w = bits + (size_t)a * words;
    if (c->opts.on_or_after) {
      /* counted once, at the last active period; the suffix sums spread it over 0..last */
      size_t j = words;
      while (j > 0 && !w[j - 1]) j--;
      if (j) cells[(int64_t)(j - 1) * 64 + 63 - __builtin_clzll(w[j - 1])].retained++;
    } else {
      for (size_t j = 0; j < words; j++)
        for (uint64_t x = w[j]; x; x &= x - 1) cells[(int64_t)j * 64 + __builtin_ctzll(x)].retained++;
    }
  }
  gmem_free(bits);
  return NULL;
}

/* Counts each actor's periods from its window (every row fitted one): each bit is one period
** already counted once, so no set per actor is needed. */
static const char *tally_windows(gcohort *c, const cohort_plan *pl, gcancel *cancel) {
  const gcalendar *cal = &c->opts.cal;
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1)) return gcancel_reason;
    int64_t start = c->start[a];
    if (start == NO_START) continue;
    int64_t ci = gtime_period_index(cal, start);
    const cohort_slot *k = &pl->slots[slot_index(c, pl, a, ci)];
    gcohort_cell *cells = c->cells + k->cell_off;
    int64_t last_active = 0;
    for (uint64_t x = c->win[a].mask; x; x &= x - 1) {
      int64_t p = c->win[a].base + __builtin_ctzll(x) - ci;
      if (p < 0) continue;  /* before the cohort's period (rows before an is_start row) */
      if (p > last_active) last_active = p;
      if (p < k->ncell && !c->opts.on_or_after) cells[p].retained++;
    }
    if (c->opts.on_or_after) cells[last_active < k->ncell ? last_active : k->ncell - 1].retained++;
  }
  return NULL;
}

/* Each actor's cohort entry from its window: the first instant of its entry's period, which
** gives every cell what the entry instant gives without a value column (period 0 holds the
** entry row itself, whichever instant of that period it had; earlier periods stay before it). */
static const char *window_starts(gcohort *c, gcancel *cancel) {
  c->start = gmem_alloc((size_t)(c->nactors ? c->nactors : 1) * sizeof *c->start);
  if (!c->start) return "out of memory";
  for (uint32_t a = 0; a < c->nactors; a++) {
    if ((a & 4095) == 0 && gcancel_work(cancel, 4096)) return gcancel_reason;
    int32_t pi = c->win[a].start;
    c->start[a] = pi == NO_START_PERIOD ? NO_START : gtime_period_index_start_us(&c->opts.cal, pi);
  }
  return NULL;
}

/* A windowed engine once every row is read: nothing to do when every row fitted its actor's
** window (tally_windows reads them). When some did not, every window's periods become events too, one per
** period (at an instant in it: the start itself in the start's period, else the period's first
** instant, which is after the start when the period is later and before it when earlier), and
** the events are tallied as usual: the same cells, since only (period, at or after the start)
** of a row counts without a value column. */
static const char *unpack_windows(gcohort *c, gcancel *cancel) {
  if (c->nevents == 0) return NULL;  /* tally_windows reads the windows */
  c->count = gmem_alloc((size_t)(c->nactors ? c->nactors : 1) * sizeof *c->count);
  if (!c->count) return "out of memory";
  const gcalendar *cal = &c->opts.cal;
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1)) return gcancel_reason;
    int64_t start = c->start[a];
    int64_t ci = start != NO_START ? gtime_period_index(cal, start) : INT64_MIN;
    for (uint64_t x = c->win[a].mask; x; x &= x - 1) {
      int64_t pi = c->win[a].base + __builtin_ctzll(x);
      if (store_event(c, a, pi == ci ? start : gtime_period_index_start_us(cal, pi), 0) != 0) return "out of memory";
    }
  }
  gmem_free(c->win);
  c->win = NULL;
  return NULL;
}

/* Which segments have a started actor, and the block of each in rank order (UINT32_MAX: none).
** Returns the number of blocks, or -1 when out of memory. */
static int64_t plan_segments(gcohort *c, const uint32_t *rank, uint32_t nsegments, uint32_t **seg_block) {
  *seg_block = NULL;
  if (!c->opts.has_segment) return 1;
  uint32_t *block = gmem_alloc((size_t)(nsegments ? nsegments : 1) * 2 * sizeof *block);
  if (!block) return -1;
  uint32_t *by_rank = block + nsegments;
  for (uint32_t g = 0; g < nsegments; g++) block[g] = by_rank[g] = UINT32_MAX;
  for (uint32_t a = 0; a < c->nactors; a++)
    if (c->start[a] != NO_START) by_rank[rank ? rank[c->segment[a]] : c->segment[a]] = c->segment[a];
  int64_t used = 0;
  for (uint32_t r = 0; r < nsegments; r++)
    if (by_rank[r] != UINT32_MAX) block[by_rank[r]] = (uint32_t)used++;
  *seg_block = block;
  return used;
}

const char *gcohort_finish(gcohort *c, int64_t as_of, const uint32_t *segment_rank, uint32_t nsegments,
                           gcancel *cancel) {
  const gcalendar *cal = &c->opts.cal;
  c->ncells = 0;
  c->as_of = as_of;
  if (c->nrows == 0) { free_events(c); free_actors(c); return NULL; }
  if (c->windowed) {
    const char *why = flush_batch(c) != 0 ? "out of memory" : window_starts(c, cancel);
    if (!why) why = unpack_windows(c, cancel);
    if (why) {
      free_events(c);
      free_actors(c);
      return why;
    }
  } else if (!c->opts.has_is_start) {
    for (size_t k = 0; k < c->nchunks; k++) {
      const chunk *ch = &c->chunks[k];
      uint32_t n = k + 1 < c->nchunks ? CHUNK_SIZE : (uint32_t)(c->nevents - (uint64_t)k * CHUNK_SIZE);
      if (gcancel_work(cancel, n)) {
        free_events(c);
        free_actors(c);
        return gcancel_reason;
      }
      for (uint32_t i = 0; i < n; i++)
        if (ch->ts[i] < c->start[ch->actor[i]]) c->start[ch->actor[i]] = ch->ts[i];
    }
  }
  int64_t min_ci = INT64_MAX, max_ci = INT64_MIN, first_start = INT64_MAX;
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1)) { free_events(c); free_actors(c); return gcancel_reason; }
    if (c->start[a] == NO_START) continue;
    int64_t ci = gtime_period_index(cal, c->start[a]);
    if (ci < min_ci) min_ci = ci;
    if (ci > max_ci) max_ci = ci;
    if (c->start[a] < first_start) first_start = c->start[a];
  }
  if (min_ci == INT64_MAX) { free_events(c); free_actors(c); return NULL; }  /* nobody started */
  /* A cohort's label is the local day its period starts: near the ends of the range that day
  ** can fall before 0000-01-01 or after 9999-12-31 (a week, an offset), which date_bucket
  ** refuses too. Period starts ascend, so the first and last cohorts tell. */
  if (gtime_period_index_start_day(cal, min_ci) < GTIME_MIN_US / GTIME_US_PER_DAY ||
      gtime_period_index_start_day(cal, max_ci) > GTIME_MAX_US / GTIME_US_PER_DAY)
    return "a cohort's period starts outside years 0000..9999 (as date_bucket refuses it)";
  if (max_ci - min_ci >= GCOHORT_MAX_CELLS)
    return "too many cohorts for this period: use a coarser period or a narrower source";
  /* The last period listed holds the last instant before as_of: periods starting at or after
  ** as_of have not begun. The earliest cohort alone: refuse before allocating anything. */
  int64_t last_instant = as_of - 1;
  int64_t first_cells = 1 + (c->opts.rolling ? gtime_rolling_diff(cal->period, first_start, last_instant)
                                             : gtime_period_index(cal, last_instant) - min_ci);
  if (c->opts.periods > 0 && first_cells > c->opts.periods) first_cells = c->opts.periods;
  if (first_cells > GCOHORT_MAX_CELLS)
    return "too many cells (cohorts x periods) for this period: use a coarser period or periods=N";

  const char *why = NULL;
  uint32_t *seg_block = NULL;
  int64_t blocks = plan_segments(c, segment_rank, nsegments, &seg_block);
  if (blocks < 0) return "out of memory";
  int64_t range = max_ci - min_ci + 1;
  if (range > GCOHORT_MAX_CELLS / blocks) {
    gmem_free(seg_block);
    return "too many cohorts for this period: use a coarser period or a narrower source";
  }
  cohort_plan plan = {NULL, min_ci, range, seg_block};
  cohort_slot *slots = plan.slots = gmem_alloc((size_t)(range * blocks) * sizeof *slots);
  if (!slots) { gmem_free(seg_block); return "out of memory"; }
  for (int64_t i = 0; i < range * blocks; i++) {
    if (gcancel_work(cancel, 1)) { why = gcancel_reason; goto done; }
    slots[i].size = 0;
    slots[i].min_start = INT64_MAX;
    slots[i].max_start = INT64_MIN;
    slots[i].segment = 0;
    slots[i].start_us = gtime_period_index_start_us(cal, min_ci + i % range);
  }
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1)) { why = gcancel_reason; goto done; }
    int64_t s = c->start[a];
    if (s == NO_START) continue;
    cohort_slot *k = &slots[slot_index(c, &plan, a, gtime_period_index(cal, s))];
    k->size++;
    if (s < k->min_start) k->min_start = s;
    if (s > k->max_start) k->max_start = s;
    if (seg_block) k->segment = c->segment[a];
  }

  /* Cells: periods 0..K per cohort, K = the period holding the last instant before as_of
  ** (capped by periods=N). */
  int64_t total = 0, widest = 0, last_index = gtime_period_index(cal, last_instant);
  for (int64_t i = 0; i < range * blocks; i++) {
    cohort_slot *k = &slots[i];
    k->cell_off = total;
    k->ncell = 0;
    if (!k->size) continue;
    int64_t last = c->opts.rolling ? gtime_rolling_diff(cal->period, k->min_start, last_instant)
                                   : last_index - (min_ci + i % range);
    if (c->opts.periods > 0 && last > c->opts.periods - 1) last = c->opts.periods - 1;
    k->ncell = last + 1;
    if (k->ncell > widest) widest = k->ncell;
    total += k->ncell;
    if (total > GCOHORT_MAX_CELLS) {
      why = "too many cells (cohorts x periods) for this period: use a coarser period or periods=N";
      goto done;
    }
  }
  c->cells = gmem_alloc((size_t)(total ? total : 1) * sizeof *c->cells);
  if (!c->cells) { why = "out of memory"; goto done; }
  c->ncells = total;
  int64_t len = gtime_rolling_length_us(cal->period);
  for (int64_t i = 0; i < range * blocks; i++) {
    cohort_slot *k = &slots[i];
    if (gcancel_work(cancel, 1 + (uint64_t)k->ncell)) { why = gcancel_reason; goto done; }
    int64_t ci = min_ci + i % range;
    for (int64_t p = 0; p < k->ncell; p++) {
      gcohort_cell *cell = &c->cells[k->cell_off + p];
      cell->segment = k->segment;
      cell->cohort_day = gtime_period_index_start_day(cal, ci);
      cell->cohort_size = k->size;
      cell->period = p;
      cell->retained = 0;
      cell->value = 0;
      /* complete: the period has ended for every actor of the cohort by as_of */
      cell->complete = c->opts.rolling ? k->max_start + (p + 1) * len <= as_of
                                       : gtime_period_index_start_us(cal, ci + p + 1) <= as_of;
    }
  }

  /* Each actor's active periods must be counted once. When a bitset of the widest cohort's
  ** periods per actor costs less than a permutation of the events, one sequential pass sets
  ** bits; otherwise the events are grouped by actor with a counting sort. */
  uint64_t words = ((uint64_t)widest + 63) / 64;
  int bitsets = c->opts.tally ? c->opts.tally == 1
                               : (uint64_t)c->nactors * words * 8 <= c->nevents * 4 + (UINT64_C(1) << 20);
  if (c->win)
    why = tally_windows(c, &plan, cancel);
  else if (bitsets)
    why = tally_bits(c, &plan, (size_t)words, cancel);
  else
    why = tally_sorted(c, &plan, widest, cancel);
  if (!why && c->opts.on_or_after) {
    for (int64_t i = 0; i < range * blocks && !why; i++) {
      if (gcancel_work(cancel, 1 + (uint64_t)slots[i].ncell)) why = gcancel_reason;
      gcohort_cell *cells = c->cells + slots[i].cell_off;
      for (int64_t p = slots[i].ncell - 2; p >= 0; p--) cells[p].retained += cells[p + 1].retained;
    }
  }

done:
  gmem_free(slots);
  gmem_free(seg_block);
  free_events(c);
  free_actors(c);
  if (why) {
    gmem_free(c->cells);
    c->cells = NULL;
    c->ncells = 0;
  }
  return why;
}

int64_t gcohort_ncells(const gcohort *c) { return c->ncells; }
uint64_t gcohort_rows(const gcohort *c) { return c->nrows; }
int64_t gcohort_max_ts(const gcohort *c) { return c->max_ts; }
const gcohort_cell *gcohort_cells(const gcohort *c) { return c->cells; }
