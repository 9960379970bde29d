/* repurchase_engine.c: see repurchase_engine.h. */
#include "repurchase_engine.h"

#include <string.h>

#include "mem.h"

/* One customer's purchases in one period, while walking their rows. */
typedef struct period_tally {
  int64_t index;     /* period index */
  int64_t purchases;
} period_tally;

/* Adds a finished period of one customer to its cell. */
static void flush(grepurchase_cell *cell, const period_tally *t, int first_period, int bought_before) {
  cell->buyers++;
  cell->purchases += t->purchases;
  if (t->purchases >= 2) cell->repeat_buyers++;
  if (first_period) cell->new_buyers++;
  if (bought_before) cell->returning_buyers++;
}

/* Walks one customer's rows [s, e) in time order into the cells of their segment. */
static void tally_customer(const gevents *ev, const grepurchase_opts *o, uint32_t s, uint32_t e, int64_t first_index,
                           grepurchase_cell *row_cells) {
  period_tally cur = {INT64_MIN, 0};
  int64_t prev_index = INT64_MIN, last_day = INT64_MIN;
  int first = 1;
  for (uint32_t i = s; i < e; i++) {
    int64_t day = gtime_local_day(&o->cal, ev->ts[i]);
    if (day == last_day) {
      if (o->count_orders) cur.purchases++;  /* another purchase on the same day */
      continue;
    }
    last_day = day;
    int64_t index = gtime_period_index(&o->cal, ev->ts[i]);
    if (index != cur.index) {
      if (cur.index != INT64_MIN) {
        flush(&row_cells[cur.index - first_index], &cur, first, prev_index == cur.index - 1);
        first = 0;
        prev_index = cur.index;
      }
      cur.index = index;
      cur.purchases = 0;
    }
    cur.purchases++;
  }
  if (cur.index != INT64_MIN) flush(&row_cells[cur.index - first_index], &cur, first, prev_index == cur.index - 1);
}

const char *grepurchase_compute(const gevents *ev, const grepurchase_opts *o, uint32_t nsegments,
                                const uint32_t *segment_rank, gcancel *cancel, grepurchase_cell **out,
                                int64_t *ncells) {
  *out = NULL;
  *ncells = 0;
  if (ev->n == 0) return NULL;
  if (nsegments == 0) nsegments = 1;
  int64_t first_index = gtime_period_index(&o->cal, ev->min_ts);
  int64_t last_index = gtime_period_index(&o->cal, o->as_of_us - 1);
  int64_t nperiods = last_index - first_index + 1;
  /* Which segments have customers: only those get rows, in rank order. seg_slot maps a segment
  ** id to its block of periods (UINT32_MAX: no customer). */
  uint32_t *seg_slot = gmem_alloc((size_t)nsegments * 2 * sizeof *seg_slot);
  if (!seg_slot) return "out of memory";
  uint32_t *by_rank = seg_slot + nsegments;
  for (uint32_t g = 0; g < nsegments; g++) seg_slot[g] = UINT32_MAX, by_rank[g] = UINT32_MAX;
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t s = ev->start[a], e = ev->start[a + 1];
    if (s == e) continue;
    uint32_t g = ev->segment ? ev->segment[o->segment_last ? e - 1 : s] : 0;
    by_rank[segment_rank ? segment_rank[g] : g] = g;
  }
  uint32_t used = 0;
  for (uint32_t r = 0; r < nsegments; r++)
    if (by_rank[r] != UINT32_MAX) seg_slot[by_rank[r]] = used++;
  if (nperiods > GREPURCHASE_MAX_CELLS / used) {
    gmem_free(seg_slot);
    return "more than 2097152 (segment, period) rows: choose a longer period";
  }
  grepurchase_cell *cells = gmem_alloc((size_t)(nperiods * used) * sizeof *cells);
  if (!cells) { gmem_free(seg_slot); return "out of memory"; }
  memset(cells, 0, (size_t)(nperiods * used) * sizeof *cells);
  for (uint32_t g = 0; g < nsegments; g++) {
    if (seg_slot[g] == UINT32_MAX) continue;
    grepurchase_cell *block = cells + (int64_t)seg_slot[g] * nperiods;
    for (int64_t p = 0; p < nperiods; p++) {
      block[p].segment = g;
      block[p].period_day = gtime_period_index_start_day(&o->cal, first_index + p);
      block[p].complete = gtime_period_index_start_us(&o->cal, first_index + p + 1) <= o->as_of_us;
    }
  }
  for (uint32_t a = 0; a < ev->nactors; a++) {
    uint32_t s = ev->start[a], e = ev->start[a + 1];
    if (s == e) continue;
    if (gcancel_work(cancel, e - s + 1)) { gmem_free(seg_slot); gmem_free(cells); return gcancel_reason; }
    uint32_t g = ev->segment ? ev->segment[o->segment_last ? e - 1 : s] : 0;
    tally_customer(ev, o, s, e, first_index, cells + (int64_t)seg_slot[g] * nperiods);
  }
  for (uint32_t g = 0; g < used; g++) {
    grepurchase_cell *block = cells + (int64_t)g * nperiods;
    for (int64_t p = 1; p < nperiods; p++) block[p].prev_buyers = block[p - 1].buyers;
  }
  gmem_free(seg_slot);
  *out = cells;
  *ncells = nperiods * used;
  return NULL;
}
