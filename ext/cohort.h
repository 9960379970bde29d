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
** every actor's active periods are de-duplicated without a per-actor set.
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
  int has_as_of;
  int64_t as_of_us;     /* given: rows after it are ignored; else the latest ts added */
  int tally;            /* 0: choose; 1: per-actor bitsets; 2: counting sort (tests drive both) */
  uint64_t seed;        /* the actors' hash seed (keys.h gkeys_seed): glue passes random bits */
} gcohort_opts;

typedef struct gcohort_cell {
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

/* The dense id of an actor (an integer key, or a byte string whose kind, SQLite's type code
** 3 or 4, tells TEXT from BLOB), numbered by keys.h. Returns 0 and sets *id, or -1 on out of
** memory. */
int gcohort_actor_int(gcohort *c, int64_t key, uint32_t *id);
int gcohort_actor_bytes(gcohort *c, int kind, const void *bytes, size_t n, uint32_t *id);

/* One source row. Returns NULL, or a static reason ("out of memory", "value sum overflows"). */
const char *gcohort_add(gcohort *c, uint32_t actor, int64_t ts_us, int is_start, int64_t value);

/* Computes the cells, asking cancel (may be NULL) now and then whether to stop. Returns NULL,
** a static reason, or gcancel_reason when told to stop. */
const char *gcohort_finish(gcohort *c, gcancel *cancel);
int64_t gcohort_ncells(const gcohort *c);
const gcohort_cell *gcohort_cells(const gcohort *c);
int64_t gcohort_as_of(const gcohort *c);  /* the as_of used (valid after finish with rows) */

#endif
