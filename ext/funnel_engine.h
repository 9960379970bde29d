/*
** funnel_engine.h: the funnel core. Plain C, no sqlite3 calls, memory through gmem_*.
**
** One actor's events are an array of (ts, mask): bit k-1 of mask is set when the event
** satisfies step k. The engine sorts them and finds the deepest step reached with exactly
** ClickHouse windowFunnel's rules (AggregateFunctionWindowFunnel in ClickHouse's source; the
** vectors are tests/vectors/clickhouse_funnel_retention.md, the semantics docs/funnels.md): entries ordered by (ts, step index), a step-1 entry (re)starts the chain, step k
** extends the chain of step k-1 when ts <= that chain's step-1 ts + window, and the modes below.
**
** mask == 0 has two meanings, chosen by the flags:
**   - with GFUNNEL_STRICT_ORDER it is an "other" event (a row matching no step), which stops
**     the evaluation once step 1 has been seen (ClickHouse stores such rows only in that mode);
**   - otherwise it is an exclusion event (funnel(..., 'exclude=EVENT')): every chain that
**     started at or before it ends there; the levels they reached still count, and later step-1
**     events start fresh chains. At equal timestamps it comes before the step entries.
** window_funnel never passes mask 0 without strict_order, so it never sees exclusions.
*/
#ifndef GROWTH_FUNNEL_ENGINE_H
#define GROWTH_FUNNEL_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

#define GFUNNEL_MAX_STEPS 64

enum {
  GFUNNEL_STRICT_DEDUP = 1,      /* stop at a repeated step k >= 2 (strict_deduplication) */
  GFUNNEL_STRICT_ORDER = 2,      /* other events and jump-aheads stop the funnel */
  GFUNNEL_STRICT_INCREASE = 4,   /* a step must be strictly later than the previous one */
  GFUNNEL_STRICT_ONCE = 8,       /* a row serves at most one step of a chain (multi-chain search) */
  GFUNNEL_ALLOW_REENTRY = 16,    /* with strict_order: skip jump-aheads instead of stopping */
  GFUNNEL_FIRST_ATTEMPT = 32,    /* only the first step-1 event starts a chain (Mixpanel) */
};

/* Error returns of gfunnel_sort and gfunnel_eval (levels are >= 0). */
#define GFUNNEL_NOMEM (-1)
#define GFUNNEL_TOO_MANY_CHAINS (-2) /* strict_once's chains would pass GFUNNEL_MAX_CHAIN_BYTES */
#define GFUNNEL_INTERRUPTED (-3)     /* the work's gcancel said stop */
/* strict_once keeps every partial chain (ClickHouse does too), 16 bytes and 4 per step each. A
** few rows matching many steps make millions (22 rows matching 64 steps made 4M chains, 1.6 GB):
** past this many bytes of chains for one evaluation it gives up with an error instead. */
#define GFUNNEL_MAX_CHAIN_MB 64
#define GFUNNEL_MAX_CHAIN_BYTES ((size_t)GFUNNEL_MAX_CHAIN_MB << 20)

typedef struct gfunnel_event {
  int64_t ts;      /* any unit; the window is in the same unit */
  uint64_t mask;   /* bit k-1: satisfies step k */
} gfunnel_event;

typedef struct gfunnel_config {
  int nsteps;      /* 1..GFUNNEL_MAX_STEPS */
  int64_t window;  /* >= 0 */
  unsigned flags;
} gfunnel_config;

/* The chain the level comes from: at[k] is the index (in the sorted array) of the event that
** filled step k+1, for k < level. For converted actors it is the first chain to complete;
** otherwise the latest chain that reached the deepest level. */
typedef struct gfunnel_chain {
  int level;
  uint32_t at[GFUNNEL_MAX_STEPS];
} gfunnel_chain;

/* Scratch memory reused across calls (zero-initialise, then gfunnel_work_free), and the
** gcancel the sort and the evaluation count their work on (NULL: never stop). */
typedef struct gfunnel_work {
  gcancel *cancel;        /* set by the caller; kept by gfunnel_work_free */
  uint32_t *paths;        /* default modes with a chain wanted: nsteps x nsteps */
  /* strict_once: per level, an array of chains of chain_size bytes */
  unsigned char *lv[GFUNNEL_MAX_STEPS];
  size_t lv_n[GFUNNEL_MAX_STEPS], lv_cap[GFUNNEL_MAX_STEPS];
  size_t csize;    /* the chain size lv_cap counts in */
  size_t lv_bytes; /* bytes the lv arrays hold: at most GFUNNEL_MAX_CHAIN_BYTES */
} gfunnel_work;

void gfunnel_work_free(gfunnel_work *w);

/* Sorts by (ts, mask) in place, allocating nothing. Returns 0, or GFUNNEL_INTERRUPTED. */
int gfunnel_sort(gfunnel_event *ev, size_t n, gfunnel_work *w);

/* ev must be sorted by ts (gfunnel_sort). Returns the level 0..nsteps or an error code above;
** fills *chain when it is not NULL. The work between two polls of w->cancel is bounded
** (GCANCEL_PERIOD units, a unit being an event, an entry or a chain looked at). */
int gfunnel_eval(const gfunnel_config *cfg, const gfunnel_event *ev, size_t n, gfunnel_work *w,
                 gfunnel_chain *chain);

#endif
