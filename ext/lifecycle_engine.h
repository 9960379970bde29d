/*
** lifecycle_engine.h: the lifecycle of actors, per period and per actor, behind lifecycle(),
** lifecycle_actors(), actor_status() and actor_transitions(). Pure C: the rows come in as an
** events table (events.h) grouped by actor, each actor's rows in time order; memory through
** gmem_* only.
**
** Growth accounting per period t (an actor is active in t when it has a row in t):
**   new           t is the actor's first active period (in the whole history read)
**   retained      active in t and in t-1          (PostHog says "returning": a SQLite keyword)
**   resurrecting  active in t, not in t-1, active before t-1
**   dormant       active in t-1, not in t         (counted once, in the first inactive period)
** so active(t) - active(t-1) = new + resurrecting - dormant in every period. The dormant count is
** split by the actor's status in t-1 (Amplitude's Dormant view). Under compat=posthog the history
** is the window PostHog loads: one period before the first listed one and on; an actor is new in
** the first period of that window it is active in only when its first_seen instant (PostHog's
** person created_at) falls in that period, and resurrecting there otherwise.
**
** Per actor as of a day d (actor_status): Duolingo's seven growth-model states, with the windows
** short (7) and long (30) days:
**   new           first active day is d
**   current       active on d and on one of the short-1 days before
**   reactivated   active on d, not in the short-1 days before, but in the long window before those
**   resurrected   active on d after at least long days away
**   at_risk_wau   not active on d, active in the short-1 days before
**   at_risk_mau   not active in the last short days, active in the long window
**   dormant       not active in the last long days
** and the operations labels: new (first day within new_days days) > winback (resurrected) >
** active (current, reactivated) > silent (at_risk_*) > churned (dormant).
*/
#ifndef GROWTH_LIFECYCLE_ENGINE_H
#define GROWTH_LIFECYCLE_ENGINE_H

#include <stdint.h>

#include "cancel.h"
#include "events.h"
#include "keys.h"
#include "time.h"

/* ---- growth accounting (lifecycle, lifecycle_actors) ---- */

enum { GLC_NEW, GLC_RETAINED, GLC_RESURRECTING, GLC_DORMANT, GLC_NONE = 255 };
extern const char *const glc_status_names[4];  /* new, retained, resurrecting, dormant */
extern const char *const glc_status_cn[4];     /* 新增, 留存, 回流, 流失 */

/* Counts of one (segment, period): by status, then dormant split by the status in t-1. */
enum { GLC_C_NEW, GLC_C_RETAINED, GLC_C_RESURRECTING, GLC_C_DORMANT, GLC_C_DORMANT_FROM_NEW,
       GLC_C_DORMANT_FROM_RETAINED, GLC_C_DORMANT_FROM_RESURRECTING, GLC_NCOUNTS };
typedef struct glc_cell {
  uint32_t n[GLC_NCOUNTS];
} glc_cell;

/* The most (segment, period) rows one call may list. */
#define GLC_MAX_CELLS (INT64_C(1) << 20)

typedef struct glc_opts {
  gcalendar cal;               /* the period, tz and week start */
  int64_t first, last;         /* the listed periods' indexes (gtime_period_index), first <= last */
  int posthog;                 /* compat=posthog */
  const int64_t *first_seen;   /* posthog: per actor id, an instant; INT64_MAX or NULL: its first row */
  const uint32_t *segment_of;  /* per actor id, its segment slot < nsegments; NULL: one segment */
  uint32_t nsegments;
} glc_opts;

/* Adds every actor's statuses to cells[slot * nperiods + (t - first)], nperiods = last - first
** + 1 (the caller zeroes them). NULL, or gcancel_reason. */
const char *glc_count(const gevents *ev, const glc_opts *o, glc_cell *cells, gcancel *cancel);

/* One row of lifecycle_actors: an actor's status in a listed period. 12 bytes. */
typedef struct glc_actor_row {
  uint32_t actor;
  uint32_t period;             /* t - first */
  uint8_t status, prev;        /* GLC_*; prev: the status in t-1, GLC_NONE when it had none */
} glc_actor_row;

/* The rows of every actor with rows, actors in the order `order` lists (all ev->nactors ids),
** each actor's periods in order. *rows from gmem_alloc (NULL when none). NULL, a static reason
** ("out of memory"), or gcancel_reason. */
const char *glc_actor_rows(const gevents *ev, const glc_opts *o, const uint32_t *order, glc_actor_row **rows,
                           uint64_t *nrows, gcancel *cancel);

/* The ids 0..n-1 of a key table (n <= its count) in SQLite's order of their values, ties by id;
** null_id (UINT32_MAX: none) is the id standing for NULL and comes first. NULL, "out of memory"
** or gcancel_reason. Results listed by actor or segment never depend on the order rows came in. */
const char *glc_key_order(const gkeys *keys, uint32_t n, uint32_t null_id, uint32_t *order, gcancel *cancel);

/* ---- per actor as of a day (actor_status, actor_transitions) ---- */

enum { GAS_NEW, GAS_CURRENT, GAS_REACTIVATED, GAS_RESURRECTED, GAS_AT_RISK_WAU, GAS_AT_RISK_MAU, GAS_DORMANT,
       GAS_NSTATES };
extern const char *const gas_state_names[GAS_NSTATES];
enum { GAS_S_NEW, GAS_S_ACTIVE, GAS_S_WINBACK, GAS_S_SILENT, GAS_S_CHURNED, GAS_NSTATUSES };
extern const char *const gas_status_names[GAS_NSTATUSES];  /* new, active, winback, silent, churned */
extern const char *const gas_status_cn[GAS_NSTATUSES];     /* 新增, 活跃, 回流, 沉默, 流失 */

typedef struct gas_opts {
  int32_t offset_s;            /* local days under this fixed offset */
  int64_t day;                 /* d: the last observed day (gts_last_observed_day of as_of) */
  int32_t short_days, long_days, new_days;  /* 2 <= short < long; new_days >= 1 */
} gas_opts;

typedef struct gas_row {
  int64_t first_us, last_us;
  int32_t days_since_last;     /* d - the last active day */
  int32_t active_short, active_long;   /* active days among the last short / long days (d included) */
  int32_t median_gap_x2;       /* twice the median of the gaps between active days; -1: under two days */
  uint8_t state, status;       /* GAS_* */
} gas_row;

/* Every actor's row, rows[actor id] (actors without rows: state GAS_NSTATES). Rows must all lie
** before the end of day d (the glue's as_of). NULL, "out of memory" or gcancel_reason. */
const char *gas_compute(const gevents *ev, const gas_opts *o, gas_row *rows, gcancel *cancel);

/* One actor's row from its rows ts[0..n) in time order (n = 0: state GAS_NSTATES), what
** gas_compute gives it. scratch holds the gaps between its active days (grown as needed: start
** it zeroed, gmem_free its gap when done; scratch->n is how many this actor had). NULL or
** "out of memory". */
typedef struct gas_gaps {
  int32_t *gap;
  uint32_t n, cap;
} gas_gaps;
const char *gas_row_of(const int64_t *ts, uint32_t n, const gas_opts *o, gas_gaps *scratch, gas_row *r);

/* The state of one actor from its rows ts[0..n) before `until_us` on day o->day; GAS_NSTATES
** when it has no such row. */
int gas_state_before(const int64_t *ts, uint32_t n, int64_t until_us, const gas_opts *o);

/* actor_transitions: counts[from][to] of actors in state `from` on day a->day (their rows before
** a_until_us) and `to` on day b->day (every row; they must lie before b's end of day); from =
** GAS_NSTATES: no row yet. The caller zeroes counts. NULL or gcancel_reason. */
const char *gas_transitions(const gevents *ev, const gas_opts *a, int64_t a_until_us, const gas_opts *b,
                            uint64_t counts[GAS_NSTATES + 1][GAS_NSTATES], gcancel *cancel);

/* The operations label of a state given the first active day (new_days). */
int gas_status_of(int state, int64_t first_day, const gas_opts *o);

#endif
