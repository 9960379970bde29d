/*
** funnel_report.h: what funnel and funnel_actors compute once their source is read, pure C (no
** sqlite3 calls, memory through gmem_*): the rows read, grouped by actor and evaluated by the
** funnel engine (funnel_engine.h), then the report: actors per breakdown value and step,
** conversions, and quantiles of the times between steps. The glue (funnel_tvf.c) reads the
** source into a gfunnel_rows and the arguments into a gfunnel_plan.
*/
#ifndef GROWTH_FUNNEL_REPORT_H
#define GROWTH_FUNNEL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"
#include "funnel_engine.h"
#include "keys.h"

/* An order on the values other than `<`, for tests that drive the selection with an adversary
** (less == NULL: the values' own order). */
typedef struct gfunnel_order {
  int (*less)(void *ctx, int64_t a, int64_t b);
  void *ctx;
} gfunnel_order;

/* Moves the k-th smallest (0-based) of v[0..n) to v[k], with nothing greater before it and
** nothing smaller after it. Introselect: quickselect (median of three), and heapsort of what is
** left once 2 log2 n partitions have not finished, so O(n) expected and O(n log n) on any
** input. Counts its work on cancel (a unit per element partitioned, 64 per heap sift). Returns
** 0, or GFUNNEL_SELECT_STOPPED when cancel said stop (v is then a permutation of its input). */
#define GFUNNEL_SELECT_STOPPED 1
int gfunnel_select(int64_t *v, size_t n, size_t k, const gfunnel_order *order, gcancel *cancel);

/* The q-quantile (0 <= q <= 1) of v[0..n), n >= 1, interpolating linearly between the closest
** ranks (PostgreSQL's percentile_cont), in v's unit. Reorders v. Returns 0 with *out, or
** GFUNNEL_SELECT_STOPPED. */
int gfunnel_quantile(int64_t *v, size_t n, double q, gcancel *cancel, double *out);

/* ---- the rows read */

/* Actors that are small non-negative INTEGERs (user ids) are their own key, below this: taken
** by value with no lookup at all. Any other actor is numbered by the glue's key table and keyed
** GFUNNEL_ACTOR_DIRECT_MAX + its id. Actors are evaluated in the order of their keys. */
#define GFUNNEL_ACTOR_DIRECT_MAX (1 << 21)

/* The rows are held in buckets of GFUNNEL_BUCKET_ACTORS consecutive actor keys (bucket = key >>
** GFUNNEL_BUCKET_SHIFT), each a list of blocks that rows are appended to in source order. Rows
** arrive in time order with their actors scattered; grouping them all at once by actor would
** write each row to a random place among a million (a cache miss per row) into as much fresh
** memory again. Appending to a few hundred buckets writes sequentially; a bucket (a few
** thousand rows of a few hundred actors) is then grouped by actor while it sits in cache.
** code: 0 other, 1..D a distinct step name, 255 excluded; code_bd: breakdown id << 8 | code,
** breakdown id 0 = NULL, else the bds table's id + 1.
**
** A row holds the actor's place in its bucket (2 bytes), its code_bd (1 byte while every one
** read is a code below 256, i.e. no breakdown value, else 4) and its ts (4 bytes, whole seconds
** from the block's first ts, while timestamps are whole seconds within 68 years of it, else 8):
** 7 to 14 bytes. Fresh memory costs a page fault per page written, so the fewer the better.
** Once a row needs the wide form, every block made after it has it. */
#define GFUNNEL_BUCKET_SHIFT 9
#define GFUNNEL_BUCKET_ACTORS (1u << GFUNNEL_BUCKET_SHIFT)
#define GFUNNEL_BLOCK_ROWS 128
#define GFUNNEL_CODE_EXCLUDE 255
#define GFUNNEL_BD_MAX ((1u << 24) - 1)

typedef struct gfunnel_block {
  struct gfunnel_block *next;
  int64_t base;  /* narrow ts: the first row's ts, a row's ts being base + 1e6 x its int32 */
  uint32_t slab; /* the slab it was cut from */
  uint16_t n;    /* rows */
  uint8_t wide_code, wide_ts;
  /* at: uint16[GFUNNEL_BLOCK_ROWS] (actor key & (GFUNNEL_BUCKET_ACTORS - 1)), then code_bd:
  ** uint8 or uint32 [GFUNNEL_BLOCK_ROWS], then ts: int32 or int64 [GFUNNEL_BLOCK_ROWS] */
  int64_t data[];
} gfunnel_block;

static inline uint16_t *gfunnel_block_at(gfunnel_block *k) { return (uint16_t *)(void *)k->data; }
static inline unsigned char *gfunnel_block_code(gfunnel_block *k) {
  return (unsigned char *)k->data + GFUNNEL_BLOCK_ROWS * sizeof(uint16_t);
}
static inline unsigned char *gfunnel_block_ts(gfunnel_block *k) {
  return gfunnel_block_code(k) + GFUNNEL_BLOCK_ROWS * (k->wide_code ? sizeof(uint32_t) : 1);
}

/* Blocks are cut from slabs (one allocation each); a slab is freed once every block cut from it
** has been grouped. The first GFUNNEL_SMALL_SLABS are small, so a small source holds little; the
** rest are big (an interior of at least 8 MB wherever the allocation starts) and cut from their
** 2 MB-aligned interior first, the part mem.c asks transparent huge pages for: a page fault per
** 2 MB instead of one per 4 KB page written. On the virtual
** machines measured a fault costs about 13 us, and at 1M rows the 4 KB faults of the rows cost
** as much as SQLite's whole scan (docs/performance.md). The price: up to a big slab more than the
** rows need, counted against the heap. */
#define GFUNNEL_SLAB_BYTES (64 * 1024 - 64)
#define GFUNNEL_SMALL_SLABS 16
#define GFUNNEL_BIG_SLAB_BYTES ((size_t)10 << 20)
#define GFUNNEL_HUGE_PAGE ((uintptr_t)2 << 20)

typedef struct gfunnel_bucket {
  gfunnel_block *head, *tail;
  size_t nrows;
} gfunnel_bucket;

/* Zero-initialise; gfunnel_rows_free. nchunk: blocks held (0 once evaluated). */
typedef struct gfunnel_rows {
  gfunnel_bucket *bucket;
  size_t nbucket;
  unsigned char **slab;              /* NULL once freed */
  uint32_t *slab_live;               /* blocks of each slab not yet grouped */
  size_t nslab, slab_cap;
  unsigned char *cut, *cut_end;      /* the last slab's bytes not cut yet */
  unsigned char *rest, *rest_end;    /* ... and its head, cut after them */
  size_t nrows, nchunk;
  int wide_code, wide_ts; /* some row needed the wide form */
} gfunnel_rows;

/* The slow path of gfunnel_rows_add: a new block (full, or a row its form cannot hold), or
** more buckets. */
int gfunnel_rows_add_slow(gfunnel_rows *rows, int64_t ts, uint32_t actor, uint32_t code_bd);

/* ts as whole seconds from base in 32 bits, when it is. */
static inline int gfunnel_narrow_ts(int64_t ts, int64_t base, int32_t *q) {
  int64_t d = ts - base, s = d / 1000000;
  if (s * 1000000 != d || s < INT32_MIN || s > INT32_MAX) return 0;
  *q = (int32_t)s;
  return 1;
}

/* Appends a row the tail block k of bucket b can hold (q: its narrow ts). */
static inline void gfunnel_block_put(gfunnel_rows *rows, gfunnel_bucket *b, gfunnel_block *k, int64_t ts, int32_t q,
                                     uint32_t actor, uint32_t code_bd) {
  size_t i = k->n++;
  gfunnel_block_at(k)[i] = (uint16_t)(actor & (GFUNNEL_BUCKET_ACTORS - 1));
  unsigned char *c = gfunnel_block_code(k);
  if (k->wide_code) ((uint32_t *)(void *)c)[i] = code_bd;
  else c[i] = (unsigned char)code_bd;
  unsigned char *t = gfunnel_block_ts(k);
  if (k->wide_ts) ((int64_t *)(void *)t)[i] = ts;
  else ((int32_t *)(void *)t)[i] = q;
  b->nrows++;
  rows->nrows++;
}

/* Holds one row. Returns 0, or -1 when out of memory. Inline: the glue calls it per source row. */
static inline int gfunnel_rows_add(gfunnel_rows *rows, int64_t ts, uint32_t actor, uint32_t code_bd) {
  size_t g = actor >> GFUNNEL_BUCKET_SHIFT;
  if (g >= rows->nbucket) return gfunnel_rows_add_slow(rows, ts, actor, code_bd);
  gfunnel_bucket *b = &rows->bucket[g];
  gfunnel_block *k = b->tail;
  int32_t q = 0;
  if (!k || k->n == GFUNNEL_BLOCK_ROWS || (code_bd > 255 && !k->wide_code) ||
      (!k->wide_ts && !gfunnel_narrow_ts(ts, k->base, &q)))
    return gfunnel_rows_add_slow(rows, ts, actor, code_bd);
  gfunnel_block_put(rows, b, k, ts, q, actor, code_bd);
  return 0;
}
void gfunnel_rows_free(gfunnel_rows *rows);

/* ---- evaluation and the report */

enum { GFUNNEL_BD_FIRST, GFUNNEL_BD_LAST, GFUNNEL_BD_STEP };

/* Rows of one report (breakdown values x steps), as cohort_retention caps its cells. */
#define GFUNNEL_MAX_REPORT_ROWS (1 << 20)

#define GFUNNEL_STR_(x) #x
#define GFUNNEL_STR(x) GFUNNEL_STR_(x)
#define GFUNNEL_TOO_MANY_CHAINS_REASON \
  "strict_once needs more than " GFUNNEL_STR(GFUNNEL_MAX_CHAIN_MB) " MB of partial chains for one actor"

typedef struct gfunnel_plan {
  gfunnel_config cfg;           /* steps, window, modes */
  uint64_t code_mask[256];      /* code -> the steps it satisfies */
  int has_bd, bd_mode, bd_step; /* a breakdown column; whose value counts (step: 1-based) */
} gfunnel_plan;

/* One actor's outcome: the chain its level comes from (funnel_engine.h). 24 bytes: an array of
** them is written into fresh memory, a page fault per 4 KB. */
typedef struct gfunnel_actor {
  uint32_t actor;
  uint32_t bd : 24;   /* at most GFUNNEL_BD_MAX */
  uint32_t level : 8; /* at most GFUNNEL_MAX_STEPS */
  int64_t step1, last;
} gfunnel_actor;

/* Time from step k-1 to step k of one actor, for the report's quantiles. */
typedef struct gfunnel_delta {
  uint32_t bd;
  int64_t us;
} gfunnel_delta;

typedef struct gfunnel_report_row {
  uint32_t bd;
  int step;
  int64_t actors, dropped;
  double conv_prev, conv_first, median, p90, avg; /* times in seconds */
  int has_conv, has_time;
} gfunnel_report_row;

/* Evaluates every actor of rows, in the order of their keys (the blocks are freed as they are
** grouped): *act gets the actors that reached step 1, and when deltas is not
** NULL the times between their steps (bd carries the step in its top byte: step << 24 | bd).
** Returns NULL, or "out of memory", gcancel_reason, GFUNNEL_TOO_MANY_CHAINS_REASON or "more than
** 4294967294 source rows"; the caller frees *act and *deltas either way. */
const char *gfunnel_evaluate(const gfunnel_plan *p, gfunnel_rows *rows, gfunnel_actor **act, size_t *nact,
                             gfunnel_delta **deltas, size_t *ndeltas, gcancel *cancel);

/* What the report needs of the actors who reached step 1, in the order of their keys: each
** one's breakdown and level as bd << 8 | level (4 bytes, where a gfunnel_actor takes 32: fresh
** memory costs a page fault per page written), and when times are wanted, each one's level - 1
** times between its steps, actor after actor (no key: the actor's entry says whose they are). */
typedef struct gfunnel_reached {
  uint32_t *bd_level;
  size_t n;
  int64_t *us; /* NULL when the times are not wanted */
  size_t nus;
} gfunnel_reached;

/* gfunnel_evaluate for the report: fills *out (the caller frees out->bd_level and out->us with
** gmem_free either way). with_times: collect the times. Same errors as gfunnel_evaluate. */
const char *gfunnel_evaluate_reached(const gfunnel_plan *p, gfunnel_rows *rows, int with_times, gfunnel_reached *out,
                                     gcancel *cancel);

/* The report from what gfunnel_evaluate_reached made (out->us may be NULL: no times). Same
** result and errors as gfunnel_build_report. */
int gfunnel_report(const gfunnel_plan *p, const gkeys *bds, const gfunnel_reached *r, gfunnel_report_row **rep,
                   size_t *nrep, gcancel *cancel, char *err, size_t errlen);

/* The report over the actors: one row per breakdown value present (in bds's order, NULL
** first; without a breakdown one NULL group) and step; d, when given, as gfunnel_evaluate made
** it (each actor's level - 1 times, actor after actor). Returns 0 with
** *rep (the caller frees it), or -1 with err: "out of memory", gcancel_reason's text, or past
** GFUNNEL_MAX_REPORT_ROWS why. */
int gfunnel_build_report(const gfunnel_plan *p, const gkeys *bds, const gfunnel_actor *act, size_t nact,
                         gfunnel_delta *d, size_t nd, gfunnel_report_row **rep, size_t *nrep, gcancel *cancel,
                         char *err, size_t errlen);

#endif
