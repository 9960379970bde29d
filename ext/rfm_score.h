/*
** rfm_score.h: the pure core of RFM grading. Scores arrays of raw values (recency days,
** order counts, money in minor units: all int64) into 1..bins, splits them in two for the
** Chinese 8-class map, and holds the segment maps as data.
**
** The tie rule (quantile scoring). With n values, a value's rank is 1 + the number of values
** strictly worse than it (SQL RANK(): ties share their lowest rank), and
**     score = 1 + floor(bins * (rank - 1) / n).
** Equal values always get equal scores; without ties the bins are as equal in size as n
** allows; a tie block never straddles a boundary, it sits at the score of its first member.
** "Worse" is "smaller" for F and M and "larger" (longer ago) for R, so R is higher for the
** more recent.
**
** Cut points (fixed thresholds, ascending): score = 1 + the number of cuts the value reaches,
** where a value on a cut reaches it and takes the better score: for F and M, value >= cut;
** for R (days), value <= cut. r_cuts=30;90;180 gives 4 for 0..30 days, 3 for 31..90,
** 2 for 91..180, 1 for more than 180.
*/
#ifndef GROWTH_RFM_SCORE_H
#define GROWTH_RFM_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

#define GRFM_MIN_BINS 2
#define GRFM_MAX_BINS 10
#define GRFM_MAX_CUTS (GRFM_MAX_BINS - 1)

/* What the sorting and scoring functions return when their gcancel (cancel.h; NULL: never)
** said stop: the output is then incomplete. */
#define GRFM_STOPPED 1

/* A value with the index it came from. */
typedef struct grfm_pair { int64_t v; size_t i; } grfm_pair;
/* Sorts a[n] by v ascending, stably (equal values keep their order), with tmp[n] as scratch:
** a least-significant-digit radix sort, so no worst case and no comparisons. Returns 0, or
** GRFM_STOPPED. */
int grfm_sort_pairs(grfm_pair *a, grfm_pair *tmp, size_t n, gcancel *cancel);

/* Quantile scores under the tie rule. lower_is_better: 1 for recency. Returns 0, -1 when out
** of memory, or GRFM_STOPPED. n may be 0. */
int grfm_score_quantile(const int64_t *x, size_t n, int bins, int lower_is_better, uint8_t *score,
                        gcancel *cancel);

/* Cut-point scores (cuts strictly ascending, ncuts <= GRFM_MAX_CUTS); see the rule above. */
void grfm_score_cuts(const int64_t *x, size_t n, const int64_t *cuts, int ncuts, int lower_is_better,
                     uint8_t *score);

/* Parses "30;90;180" (semicolons: the options list itself is comma-separated) into strictly
** ascending whole numbers (scale 0: days, orders) or amounts in minor units at `scale`
** (money, "99.5;500"). At most GRFM_MAX_CUTS. Returns NULL or a static reason. */
const char *grfm_parse_cuts(const char *text, int scale, int64_t *cuts, int *ncuts);

/* The Chinese map's split of one dimension: bit[i] = 1 when x[i] is at or above the centre
** (mean or median of x), or at or below it when lower_is_better (recency: 近 = recent).
** Compared exactly (no floating point). Returns 0, -1 when out of memory, or GRFM_STOPPED. */
int grfm_split(const int64_t *x, size_t n, int use_median, int lower_is_better, uint8_t *bit, gcancel *cancel);

/* ---- segment maps (data) ---- */
/* The 11 English segments, in the order the README lists them. */
#define GRFM_EN_SEGMENTS 11
extern const char *const grfm_en_names[GRFM_EN_SEGMENTS];
/* English name of an R/F/M cell with scores 1..5, or NULL when a score is outside 1..5.
** The map is defined on R and FM = ceil((F + M) / 2) (see rfm_score.c), so every one of the
** 125 cells has exactly one segment. */
const char *grfm_segment_en(int r, int f, int m);
/* Chinese 8-class name from the three bits (1 = recent / high), or NULL when not 0/1. */
const char *grfm_segment_cn(int r, int f, int m);
/* The cn codes in the conventional order 111, 011, 101, 001, 110, 010, 100, 000. */
extern const char *const grfm_cn_codes[8];

#endif
