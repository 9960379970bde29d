/* cohort.c: see cohort.h. */
#include "cohort.h"

#include <string.h>

#include "cancel.h"
#include "mem.h"
#include "keys.h"
#include "money.h"

#define CHUNK_BITS 16
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define NO_START INT64_MAX

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
  uint64_t nevents;
  int64_t max_ts;
  /* actors: dense ids 0..nactors-1, the ids of their keys */
  gkeys keys;
  uint32_t nactors, actors_cap;
  int64_t *start;     /* cohort entry instant, NO_START when the actor never started */
  uint32_t *count;    /* scratch per actor in gcohort_finish (events per actor, cohort slot) */
  /* result */
  gcohort_cell *cells;
  int64_t ncells;
  int64_t as_of;
};

gcohort *gcohort_new(const gcohort_opts *opts) {
  gcohort *c = gmem_alloc(sizeof *c);
  if (!c) return NULL;
  memset(c, 0, sizeof *c);
  gkeys_init(&c->keys, GKEYS_IDS_ONLY);  /* actors are never read back: no copy of their ids */
  gkeys_seed(&c->keys, opts->seed);
  c->opts = *opts;
  c->max_ts = INT64_MIN;
  return c;
}

static void free_events(gcohort *c) {
  for (size_t i = 0; i < c->nchunks; i++) {
    gmem_free(c->chunks[i].ts);  /* one allocation holds the chunk's arrays */
  }
  gmem_free(c->chunks);
  c->chunks = NULL;
  c->nchunks = c->chunks_cap = 0;
}

static void free_actors(gcohort *c) {
  gmem_free(c->start);
  gmem_free(c->count);
  gkeys_free(&c->keys);
  c->start = NULL;
  c->count = NULL;
}

void gcohort_free(gcohort *c) {
  if (!c) return;
  free_events(c);
  free_actors(c);
  gmem_free(c->cells);
  gmem_free(c);
}


/* Room for one more actor's start and count, made before its key is interned so that a key
** never gets an id without them. */
static int reserve_actor(gcohort *c) {
  if (c->nactors < c->actors_cap) return 0;
  if (c->actors_cap >= UINT32_MAX / 2) return -1;
  uint32_t cap = c->actors_cap ? c->actors_cap * 2 : 1024;
  int64_t *s = gmem_realloc(c->start, (size_t)cap * sizeof *s);
  if (!s) return -1;
  c->start = s;
  uint32_t *n = gmem_realloc(c->count, (size_t)cap * sizeof *n);
  if (!n) return -1;
  c->count = n;
  c->actors_cap = cap;
  return 0;
}

/* After interning: a new actor has no start and no events yet. */
static int actor_interned(gcohort *c, int rc, uint32_t id) {
  if (rc < 0) return -1;
  if (rc == GKEYS_ADDED) {
    c->nactors++;
    c->start[id] = NO_START;
    c->count[id] = 0;
  }
  return 0;
}

/* Ids such as user_id 1..N are looked up in a plain array (keys.h), with no hashing: the
** random probes of a hash table were most of the cost per row. */
int gcohort_actor_int(gcohort *c, int64_t key, uint32_t *id) {
  if (gkeys_direct_hit(&c->keys, key, id)) return 0;
  if (reserve_actor(c) != 0) return -1;
  int rc = gkeys_int_slow(&c->keys, key, id);
  return actor_interned(c, rc, *id);
}

int gcohort_actor_bytes(gcohort *c, int kind, const void *bytes, size_t n, uint32_t *id) {
  if (reserve_actor(c) != 0) return -1;
  gkey k;
  memset(&k, 0, sizeof k);
  k.type = kind == GKEY_BLOB ? GKEY_BLOB : GKEY_TEXT;
  k.bytes = bytes;
  k.len = n;
  int rc = gkeys_intern(&c->keys, &k, id);
  return actor_interned(c, rc, *id);
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
  char *block = gmem_alloc(per * CHUNK_SIZE);
  if (!block) return -1;
  chunk *k = &c->chunks[c->nchunks++];
  k->ts = (int64_t *)block;
  k->value = c->opts.has_value ? (int64_t *)(block + sizeof(int64_t) * CHUNK_SIZE) : NULL;
  k->actor = (uint32_t *)(block + (c->opts.has_value ? 2 : 1) * sizeof(int64_t) * CHUNK_SIZE);
  return 0;
}

const char *gcohort_add(gcohort *c, uint32_t actor, int64_t ts, int is_start, int64_t value) {
  if (c->opts.has_as_of && ts > c->opts.as_of_us) return NULL;  /* not yet happened at as_of */
  if (c->nevents >= UINT32_MAX - 1) return "more than 4294967294 rows";
  uint32_t at = (uint32_t)(c->nevents & (CHUNK_SIZE - 1));
  if (at == 0 && new_chunk(c) != 0) return "out of memory";
  chunk *k = &c->chunks[c->nevents >> CHUNK_BITS];
  k->ts[at] = ts;
  k->actor[at] = actor;
  if (k->value) k->value[at] = value;
  c->nevents++;
  if ((is_start || !c->opts.has_is_start) && ts < c->start[actor]) c->start[actor] = ts;
  if (ts > c->max_ts) c->max_ts = ts;
  return NULL;
}

/* Per cohort (indexed by period index - the smallest cohort's), while building cells. */
typedef struct cohort_slot {
  int64_t size, min_start, max_start;
  int64_t cell_off, ncell;
  int64_t start_us;  /* the instant the cohort's calendar period begins */
} cohort_slot;

/* The period number of an instant ts >= the actor's entry `start`. Calendar days and weeks
** have a fixed length under a fixed offset, so they are one division from the cohort's start
** (the same answer as the period index difference, found cheaper: this runs once per event). */
static int64_t period_of(const gcohort *c, const cohort_slot *slot, int64_t cohort_index, int64_t start,
                         int64_t ts) {
  gperiod unit = c->opts.cal.period;
  if (c->opts.rolling) return (ts - start) / gtime_rolling_length_us(unit);
  if (unit == GPERIOD_DAY || unit == GPERIOD_WEEK) return (ts - slot->start_us) / gtime_rolling_length_us(unit);
  return gtime_period_index(&c->opts.cal, ts) - cohort_index;
}

/* Counts each actor's periods after grouping the events by actor (counting sort): for cohorts
** with many periods, where a bitset per actor would cost more than 4 bytes per event. */
static const char *tally_sorted(gcohort *c, cohort_slot *slots, int64_t min_ci, int64_t widest, gcancel *cancel) {
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
    cohort_slot *k = &slots[ci - min_ci];
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
static const char *tally_bits(gcohort *c, cohort_slot *slots, int64_t min_ci, size_t words, gcancel *cancel) {
  const gcalendar *cal = &c->opts.cal;
  uint64_t *bits = gmem_alloc((size_t)c->nactors * words * sizeof *bits);
  if (!bits) return "out of memory";
  memset(bits, 0, (size_t)c->nactors * words * sizeof *bits);
  /* the count array becomes each actor's cohort slot */
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (c->start[a] != NO_START) c->count[a] = (uint32_t)(gtime_period_index(cal, c->start[a]) - min_ci);
    if (gcancel_work(cancel, 1)) { gmem_free(bits); return gcancel_reason; }
  }
  for (size_t k = 0; k < c->nchunks; k++) {
    const chunk *ch = &c->chunks[k];
    uint32_t n = k + 1 < c->nchunks ? CHUNK_SIZE : (uint32_t)(c->nevents - (uint64_t)k * CHUNK_SIZE);
    if (gcancel_work(cancel, n)) { gmem_free(bits); return gcancel_reason; }
    for (uint32_t i = 0; i < n; i++) {
      uint32_t a = ch->actor[i];
      int64_t start = c->start[a], ts = ch->ts[i];
      if (ts < start) continue;  /* before the cohort entry (or never started: NO_START) */
      const cohort_slot *slot = &slots[c->count[a]];
      int64_t p = period_of(c, slot, min_ci + c->count[a], start, ts);
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

const char *gcohort_finish(gcohort *c, gcancel *cancel) {
  const gcalendar *cal = &c->opts.cal;
  c->ncells = 0;
  c->as_of = c->opts.has_as_of ? c->opts.as_of_us : c->max_ts;
  if (c->nevents == 0) { free_events(c); free_actors(c); return NULL; }

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
  /* the earliest cohort alone: refuse before allocating anything per period */
  int64_t first_cells = 1 + (c->opts.rolling ? gtime_rolling_diff(cal->period, first_start, c->as_of)
                                             : gtime_period_index(cal, c->as_of) - min_ci);
  if (c->opts.periods > 0 && first_cells > c->opts.periods) first_cells = c->opts.periods;
  if (first_cells > GCOHORT_MAX_CELLS)
    return "too many cells (cohorts x periods) for this period: use a coarser period or periods=N";

  const char *why = NULL;
  int64_t range = max_ci - min_ci + 1;
  cohort_slot *slots = gmem_alloc((size_t)range * sizeof *slots);
  if (!slots) return "out of memory";
  for (int64_t i = 0; i < range; i++) {
    if (gcancel_work(cancel, 1)) { why = gcancel_reason; goto done; }
    slots[i].size = 0;
    slots[i].min_start = INT64_MAX;
    slots[i].max_start = INT64_MIN;
    slots[i].start_us = gtime_period_index_start_us(cal, min_ci + i);
  }
  for (uint32_t a = 0; a < c->nactors; a++) {
    if (gcancel_work(cancel, 1)) { why = gcancel_reason; goto done; }
    int64_t s = c->start[a];
    if (s == NO_START) continue;
    cohort_slot *k = &slots[gtime_period_index(cal, s) - min_ci];
    k->size++;
    if (s < k->min_start) k->min_start = s;
    if (s > k->max_start) k->max_start = s;
  }

  /* Cells: periods 0..K per cohort, K = the period containing as_of (capped by periods=N). */
  int64_t total = 0, widest = 0, as_of_index = gtime_period_index(cal, c->as_of);
  for (int64_t i = 0; i < range; i++) {
    cohort_slot *k = &slots[i];
    k->cell_off = total;
    k->ncell = 0;
    if (!k->size) continue;
    int64_t last = c->opts.rolling ? gtime_rolling_diff(cal->period, k->min_start, c->as_of)
                                   : as_of_index - (min_ci + i);
    if (c->opts.periods > 0 && last > c->opts.periods - 1) last = c->opts.periods - 1;
    k->ncell = last + 1;
    if (k->ncell > widest) widest = k->ncell;
    total += k->ncell;
    if (total > GCOHORT_MAX_CELLS) {
      why = "too many cells (cohorts x periods) for this period: use a coarser period or periods=N";
      goto done;
    }
  }
  c->cells = gmem_alloc((size_t)total * sizeof *c->cells);
  if (!c->cells) { why = "out of memory"; goto done; }
  c->ncells = total;
  int64_t len = gtime_rolling_length_us(cal->period);
  for (int64_t i = 0; i < range; i++) {
    cohort_slot *k = &slots[i];
    if (gcancel_work(cancel, 1 + (uint64_t)k->ncell)) { why = gcancel_reason; goto done; }
    for (int64_t p = 0; p < k->ncell; p++) {
      gcohort_cell *cell = &c->cells[k->cell_off + p];
      cell->cohort_day = gtime_period_index_start_day(cal, min_ci + i);
      cell->cohort_size = k->size;
      cell->period = p;
      cell->retained = 0;
      cell->value = 0;
      /* complete: the period has ended for every actor of the cohort by as_of */
      cell->complete = c->opts.rolling ? k->max_start + (p + 1) * len <= c->as_of
                                       : gtime_period_index_start_us(cal, min_ci + i + p + 1) <= c->as_of;
    }
  }

  /* Each actor's active periods must be counted once. When a bitset of the widest cohort's
  ** periods per actor costs less than a permutation of the events, one sequential pass sets
  ** bits; otherwise the events are grouped by actor with a counting sort. */
  uint64_t words = ((uint64_t)widest + 63) / 64;
  int bitsets = c->opts.tally ? c->opts.tally == 1
                               : (uint64_t)c->nactors * words * 8 <= c->nevents * 4 + (UINT64_C(1) << 20);
  if (bitsets)
    why = tally_bits(c, slots, min_ci, (size_t)words, cancel);
  else
    why = tally_sorted(c, slots, min_ci, widest, cancel);
  if (!why && c->opts.on_or_after) {
    for (int64_t i = 0; i < range && !why; i++) {
      if (gcancel_work(cancel, 1 + (uint64_t)slots[i].ncell)) why = gcancel_reason;
      gcohort_cell *cells = c->cells + slots[i].cell_off;
      for (int64_t p = slots[i].ncell - 2; p >= 0; p--) cells[p].retained += cells[p + 1].retained;
    }
  }

done:
  gmem_free(slots);
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
const gcohort_cell *gcohort_cells(const gcohort *c) { return c->cells; }
int64_t gcohort_as_of(const gcohort *c) { return c->as_of; }
