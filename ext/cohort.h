/*
** cohort.h: the cohort-retention engine behind cohort_retention(). Pure C: actors, instants
** and amounts in, one cell per (cohort, period) out; memory through gmem_* only.
**
** Use: gcohort_new, then per source row gcohort_actor_int / gcohort_actor_bytes (an actor's
** dense id) and gcohort_add, then gcohort_finish, read cells, gcohort_free.
**
** Storage is what keeps it under 32 bytes per event: events live in fixed-size chunks (no
** realloc copies of the whole array) as an 8-byte instant, a 4-byte actor id and, only when a
** value column exists, an 8-byte amount; each actor's cohort start is tracked as rows arrive.
** gcohort_finish groups the events by actor with a counting sort (4 bytes per event) so
** every actor's active periods are de-duplicated without a per-actor set. With calendar
** periods and no value column (the usual query) a row is not stored at all: its period is set
** in a 64-period window of bits kept with the period of the actor's start (16 bytes per actor),
** and only a row outside its actor's window is stored as an event.
*/
#ifndef GROWTH_COHORT_H
#define GROWTH_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"
#include "time.h"

/* Most cells a result may hold: more means a period far too fine for the span of the data. */
#define GCOHORT_MAX_CELLS (INT64_C(1) << 21)

typedef struct gcohort_opts {
  gcalendar cal;        /* the period, tz and week start: cohorts and calendar periods */
  int rolling;          /* periods are windows of gtime_rolling_length_us from each actor's start */
  int on_or_after;      /* retained in k = active in k or any later period */
  int has_is_start;     /* 1: only rows added with is_start=1 can start a cohort */
  int has_value;        /* 1: gcohort_add's value is summed per cell */
  int64_t periods;      /* show periods 0..periods-1; <= 0: all up to as_of */
  int tally;            /* 0: choose (each actor's periods as rows arrive where they suffice);
                        ** 1: per-actor bitsets; 2: counting sort (tests drive all three) */
  /* Segments (channel quality): each actor belongs to the segment of their first row, or of
  ** their last with segment_last; a tie of instants goes to the smaller segment as segment_cmp
  ** orders them (the glue compares the values, so input order never decides). */
  int has_segment;
  int segment_last;
  int (*segment_cmp)(void *ctx, uint32_t a, uint32_t b);
  void *segment_ctx;
} gcohort_opts;

typedef struct gcohort_cell {
  uint32_t segment;     /* the segment id given to gcohort_add (0 without segments) */
  int64_t cohort_day;   /* local day number of the cohort's period start */
  int64_t cohort_size;
  int64_t period;
  int64_t retained;
  int64_t value;        /* minor units; 0 when no value column */
  int complete;
} gcohort_cell;

typedef struct gcohort gcohort;

gcohort *gcohort_new(const gcohort_opts *opts);   /* NULL: out of memory */
void gcohort_free(gcohort *c);

/* One source row of the actor with dense id `actor` (the caller numbers actors, keys.h), before
** as_of. Returns NULL, or a static reason ("out of memory", "value sum overflows"). */
const char *gcohort_add(gcohort *c, uint32_t actor, int64_t ts_us, int is_start, int64_t value, uint32_t segment);

/* The same as n calls gcohort_add(c, actor[i], ts[i], 1, 0, 0), cheaper per row: for a source
** of actor and ts alone (no is_start, value or segment column). */
const char *gcohort_add_rows(gcohort *c, const uint32_t *actor, const int64_t *ts, uint32_t n);

/* Computes the cells as of as_of (every row added lies before it): periods starting at or after
** as_of are not listed, a period is complete when it ended at or before it. Segment blocks come
** in the order segment_rank gives (NULL: by id; nsegments ids 0..nsegments-1). Asks cancel (may
** be NULL) now and then whether to stop. Returns NULL, a static reason, or gcancel_reason. */
const char *gcohort_finish(gcohort *c, int64_t as_of_us, const uint32_t *segment_rank, uint32_t nsegments,
                           gcancel *cancel);
int64_t gcohort_ncells(const gcohort *c);
uint64_t gcohort_rows(const gcohort *c);     /* rows added */
int64_t gcohort_max_ts(const gcohort *c);    /* the latest of them (INT64_MIN: none) */
const gcohort_cell *gcohort_cells(const gcohort *c);

#endif
