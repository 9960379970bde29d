/*
** paths_engine.h: journeys through events, behind paths(), path_actors() and churn_points().
** Pure C: the rows come in as an events table (events.h) grouped by actor, each actor's rows
** ordered by (ts, seq, event); memory through gmem_* only.
**
** From an actor's rows to journeys, in stages:
**   1. items: each event name becomes an item (gpaths_map_items): the alias of the first group
**      pattern it matches (`*` any run of bytes, anchored at both ends), else the name itself;
**      items listed in exclude (or missing from a given include) are removed, and their
**      neighbours become adjacent; an actor who ever did an item of exclude_actors is skipped;
**   2. segments: a new one starts where the gap between two kept rows exceeds `gap` (a gap of
**      exactly `gap` keeps the journey), or where the session column changes;
**   3. collapse: a run of one item becomes one node (the first of the run; its last row's time
**      is kept for timing=last);
**   4. anchor: none (each segment is a journey, steps 1, 2, ...); start (from the actor's first
**      anchor, or with every=1 the first in each segment; steps 0, 1, ...); end (up to the
**      actor's last anchor, or the last in each segment; steps ..., -1, 0); between (from a
**      start to the first end after it). A window keeps the nodes within it of the anchor;
**   5. steps: at most `steps` nodes, the far side cut (for between, the middle becomes one
**      "..." node: PostHog v1). A journey not cut at its far end `ended` (a drop-off).
**
** Counting (gpaths_count): nodes per (step, item), edges per (step of the earlier node, from,
** to), drop-offs per (step, item of the last node; end anchor: the first node), each with
** distinct actors and journeys; edge gaps in microseconds (average, median, p90).
*/
#ifndef GROWTH_PATHS_ENGINE_H
#define GROWTH_PATHS_ENGINE_H

#include <stdint.h>

#include "cancel.h"
#include "events.h"
#include "keys.h"

#define GPATHS_DROP UINT32_MAX /* item_of: the event is removed */
#define GPATHS_MAX_STEPS 50
#define GPATHS_MAX_ITEMS ((UINT32_C(1) << 27) - 3) /* items fit 27 bits with "..." and "$other" */

enum { GPATHS_NONE, GPATHS_START, GPATHS_END, GPATHS_BETWEEN };
enum { GPATHS_NODE, GPATHS_EDGE, GPATHS_DROPOFF };
extern const char *const gpaths_kind_names[3]; /* node, edge, dropoff */

/* ---- stage 1: event names to items ---- */

/* Lists of names separated by ';' (exclude=a;b): each entry is bytes [at, at+len). */
typedef struct gpaths_list {
  const char *text; /* NULL: no list */
} gpaths_list;

/* 1 when `name` (n bytes) matches `pattern` (m bytes), '*' any run of bytes, whole name. */
int gpaths_wildcard(const char *pattern, size_t m, const char *name, size_t n);

typedef struct gpaths_filter {
  gpaths_list exclude, include, exclude_actors;
  const char *groups; /* "pattern=>alias;pattern;..." (no alias: the pattern is the item), or NULL */
} gpaths_filter;

/* Maps every unscoped TEXT name of `names` (the events; scoped names are sessions) to an item:
** item_of[id] = the item's id in `items` (TEXT keys, numbered in order of first mapping), or
** GPATHS_DROP; bars[id] = 1 when the item is listed in exclude_actors. item_of and bars hold
** gkeys_count(names) entries. NULL, "out of memory", or a reason naming a bad group. */
const char *gpaths_map_items(const gkeys *names, const gpaths_filter *f, uint32_t *item_of, uint8_t *bars,
                             gkeys *items);

/* The rank of each name in the order events tie-break on: unscoped before scoped, then bytes
** (memcmp, then length), as ClickHouse compares event strings. rank holds gkeys_count entries. */
const char *gpaths_name_ranks(const gkeys *names, uint32_t *rank, gcancel *cancel);

/* ---- stages 2 to 5: journeys ---- */

typedef struct gpaths_opts {
  int anchor;                    /* GPATHS_NONE .. GPATHS_BETWEEN */
  uint32_t start_item, end_item; /* the anchors' items; GPATHS_DROP: no such item (no journeys) */
  int every;                     /* occurrence=every: one journey per segment instead of per actor */
  int steps;                     /* 2 .. GPATHS_MAX_STEPS */
  int64_t gap_us;                /* < 0: no gap splitting */
  int64_t window_us;             /* < 0: no window */
  int collapse;                  /* runs of one item become one node */
  int timing_last;               /* nodes timed by their run's last row, not its first (PostHog v1) */
  const uint32_t *item_of;       /* per name id */
  const uint8_t *bars;           /* per name id, or NULL */
  uint32_t nitems;               /* items 0..nitems-1; "..." is nitems, "$other" nitems + 1 */
  int sessions;                  /* ev->segment holds the session: it also ends segments */
  const uint32_t *actor_order;   /* gpaths_walk visits the actors in this order (every id once), or NULL: by id */
} gpaths_opts;

typedef struct gpaths_node {
  uint32_t item;
  int64_t first_us, last_us; /* the first and last row of the node's run */
} gpaths_node;

typedef struct gpaths_journey {
  uint32_t actor;
  uint32_t number; /* 1, 2, ... within the actor */
  const gpaths_node *node;
  uint32_t n;
  int first_step; /* the step of node[0] */
  int ended;      /* not cut by steps at its far end (a drop-off) */
} gpaths_journey;

/* Calls `each` with every actor's journeys (in time order), actor by actor (in o->actor_order when
** given, so a caller listing journeys by actor needs no sort of its own); `each` returns NULL or
** a reason that stops the walk. NULL, "out of memory", gcancel_reason, or each's reason. */
typedef const char *(*gpaths_each)(void *ctx, uint32_t actor, const gpaths_journey *j, uint32_t nj);
const char *gpaths_walk(const gevents *ev, const gpaths_opts *o, gpaths_each each, void *ctx, gcancel *cancel);

/* ---- counting ---- */

typedef struct gpaths_row {
  uint8_t kind;
  int8_t step;
  uint32_t from, to; /* items; to = GPATHS_DROP for nodes and drop-offs */
  uint32_t actors;
  uint64_t journeys;
  uint32_t from_actors;          /* actors of the node (step, from): pct_of_from */
  double avg_s, median_s, p90_s; /* edges only */
} gpaths_row;

typedef struct gpaths_result {
  gpaths_row *row;
  uint64_t n;
  uint32_t anchor_actors; /* actors with a journey */
} gpaths_result;

/* Counts journeys into rows: with top > 0 only the top items of each step by actors (ties by
** name) stay, the rest become "$other" (nitems + 1), actors counted once; rows under min_actors
** are left out. Rows are ordered by step, kind, actors descending, journeys descending, then
** from and to by name (bytes). `items` names the items (gpaths_map_items). NULL, "out of
** memory", gcancel_reason. */
const char *gpaths_count(const gevents *ev, const gpaths_opts *o, uint32_t top, uint32_t min_actors, const gkeys *items,
                         gpaths_result *out, gcancel *cancel);
void gpaths_result_free(gpaths_result *r);

/* ---- churn points ---- */

/* One group of churned actors: those whose last `depth` items (after exclusion and collapse)
** are the sequence `seq` (a BLOB key of uint32 item ids in time order, in out->seqs). */
typedef struct gpaths_churn_row {
  uint32_t seq;
  uint32_t actors;
  double median_days; /* of as_of minus each actor's last row, in days */
} gpaths_churn_row;

typedef struct gpaths_churn_result {
  gpaths_churn_row *row;
  uint32_t n;
  uint32_t churned; /* actors in every row */
  gkeys seqs;
} gpaths_churn_result;

/* Actors whose last kept row lies at least churned_us before as_of_us (rows removed by item_of
** are no activity), grouped by their last `depth` items; rows unordered. o supplies item_of,
** bars and collapse. NULL, "out of memory", gcancel_reason. */
const char *gpaths_churn(const gevents *ev, const gpaths_opts *o, int depth, int64_t as_of_us, int64_t churned_us,
                         gpaths_churn_result *out, gcancel *cancel);
void gpaths_churn_free(gpaths_churn_result *r);

#endif
