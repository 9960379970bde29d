/*
** events.h: a source's rows as flat columns, grouped by actor, each actor's rows in order.
** Pure C (memory through gmem_*), shared by the table-valued functions that read actors'
** histories: lifecycle, actor_status, active_users, stickiness, paths, churn_points, clv,
** repurchase, ...
**
** Use:
**   gevents ev;
**   gevents_init(&ev, GEV_EVENT);                 // ts and actor always; optional columns
**   per source row: gevents_add(&ev, actor_id, ts, &extra)   // actor ids from ev.actors
**   gevents_group(&ev, &order, cancel);
**   for (uint32_t a = 0; a < ev.nactors; a++)
**     for (uint32_t i = ev.start[a]; i < ev.start[a + 1]; i++) ... ev.ts[i], ev.event[i] ...
**   gevents_free(&ev);
**
** Rows are appended to fixed-size chunks (no copy of what is stored while the source is read).
** gevents_group numbers each row's place with one counting pass over the actor ids, then moves
** one column at a time into its flat array, freeing that column's chunks as it goes: the peak
** is the columns plus 4 bytes a row plus the one column being moved (ts, actor and event: 24
** bytes a row; 12 afterwards). Input already grouped by actor is detected and only copied.
** With no optional column each instant goes straight to its actor's place (no place array:
** 20 bytes a row at the peak, 8 afterwards). Then each actor's rows are sorted by (ts, aux,
** event, segment, value) where those columns exist, each compared by the caller's rank of the
** id where one is given (event names in their SQL order, say), so the result never depends on
** the order the rows arrived in; instants alone are sorted as values, in place, and rows with an
** event or segment but no aux or value as records that carry their keys.
*/
#ifndef GROWTH_EVENTS_H
#define GROWTH_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"
#include "keys.h"

/* Optional columns. */
#define GEV_EVENT   1u   /* uint32: an interned name (event, step) */
#define GEV_SEGMENT 2u   /* uint32: an interned segment / channel / breakdown value */
#define GEV_VALUE   4u   /* int64: an amount in minor units */
#define GEV_AUX     8u   /* int64: a second ordering key or per-row number (seq, order id, ...) */

/* At most this many rows (row places are 32-bit). */
#define GEV_MAX_ROWS (UINT32_MAX - 1u)

/* The optional columns of one row. */
typedef struct gev_extra {
  uint32_t event, segment;
  int64_t value, aux;
} gev_extra;

/* How gevents_group orders each actor's rows after ts: ranks (may be NULL: the id itself) map
** an event or segment id to its place in the order. Zeroed = by ids. */
typedef struct gev_order {
  const uint32_t *event_rank;
  const uint32_t *segment_rank;
} gev_order;

typedef struct gev_chunk gev_chunk;

typedef struct gevents {
  unsigned columns;    /* GEV_* flags */
  uint64_t n;          /* rows added */
  uint32_t nactors;    /* 1 + the largest actor id added */
  gkeys actors;        /* for the caller's use: actor keys to dense ids (gevents_free frees it) */
  gkeys names;         /* for the caller's use: event or segment names to ids */
  /* After gevents_group: rows of actor a are [start[a], start[a + 1]). */
  uint32_t *start;
  int64_t *ts;
  uint32_t *event, *segment;   /* NULL unless the column exists */
  int64_t *value, *aux;
  int64_t min_ts, max_ts;      /* over every row (INT64_MAX / INT64_MIN when none) */
  /* while adding */
  gev_chunk *chunk;
  size_t nchunks, chunks_cap;
  uint32_t last_actor;
  int grouped_input;           /* every actor's rows arrived together, actors in id order */
} gevents;

/* columns: GEV_* flags. keys_flags: gkeys_init's flags for ev->actors. */
void gevents_init(gevents *ev, unsigned columns, unsigned keys_flags);
void gevents_free(gevents *ev);

/* Appends one row. NULL, or a static reason ("out of memory", "more than ... rows"). extra may
** be NULL when there are no optional columns. */
const char *gevents_add(gevents *ev, uint32_t actor, int64_t ts, const gev_extra *extra);

/* Appends n rows, as n calls of gevents_add would (extra holds n rows; it may be NULL when there
** are no optional columns). */
const char *gevents_add_rows(gevents *ev, const uint32_t *actor, const int64_t *ts, const gev_extra *extra, uint32_t n);

/* Groups and orders the rows (see above). NULL, or a static reason (gcancel_reason when told to
** stop; "out of memory"). order may be NULL. */
const char *gevents_group(gevents *ev, const gev_order *order, gcancel *cancel);

#endif
