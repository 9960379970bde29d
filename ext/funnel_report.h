/*
** funnel_report.h: the funnel report's computation, pure C (no sqlite3 calls, memory through
** gmem_*): quantiles of the times between steps.
*/
#ifndef GROWTH_FUNNEL_REPORT_H
#define GROWTH_FUNNEL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

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

#endif
