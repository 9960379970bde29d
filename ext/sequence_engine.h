/*
** sequence_engine.h: the sequence core. Plain C, no sqlite3 calls, memory through gmem_*.
**
** 1. ClickHouse sequenceMatch / sequenceCount (AggregateFunctionSequenceMatch in ClickHouse's
**    source; vectors S01-S27 in tests/vectors/clickhouse_sequence.md). A pattern is (?N) (one
**    event satisfying condition N), . (any one event), .* (any number of events) and
**    (?t op V), op one of < <= > >= ==, V in seconds: the time from the event matched before to
**    the event matched after. The pattern is implicitly prefixed with .* and need not reach the
**    last event. Events are the rows satisfying at least one condition, sorted by (ts, mask) as
**    window_funnel sorts them (gfunnel_sort).
**
**    ClickHouse searches by backtracking, depth first, capped at 1,000,000 steps ("TOO_SLOW").
**    This core computes the same answer (the first match in that search order, which decides
**    where sequenceCount resumes) without backtracking: a table R[a][e], "the outcome of the
**    search started at action a on event e", is filled one action at a time from the end, each
**    row from the row after it in one pass over the events. Work: O(actions x events), memory:
**    three int32 rows of events + 1. (ClickHouse's one open bug here, #120729, reads past the
**    end of the pattern when the events run out before trailing .* or (?t<V); the answer
**    given here is the one the code intends: the remaining actions match nothing, a match.)
**
** 2. ClickHouse sequenceNextNode(direction, base)(ts, event, base_condition, event1..eventN)
**    (AggregateFunctionSequenceNextNode): see gseq_next_node below.
*/
#ifndef GROWTH_SEQUENCE_ENGINE_H
#define GROWTH_SEQUENCE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"
#include "funnel_engine.h"

#define GSEQ_MAX_CONDS 64       /* conditions of sequence_match / sequence_count */
#define GSEQ_MAX_PATTERN 1024   /* bytes of a pattern: the work is actions x events */
#define GSEQ_MAX_NEXT_EVENTS 64 /* event1..eventN of sequence_next_node (ClickHouse: 64) */
/* Longer durations than any span of timestamps (years 0000..9999) are clamped to this many
** seconds, which still fits int64 microseconds. */
#define GSEQ_MAX_SECONDS INT64_C(9000000000000)

enum gseq_kind {
  GSEQ_EVENT, /* (?N): cond = N-1 */
  GSEQ_ANY,   /* . */
  GSEQ_STAR,  /* .* */
  GSEQ_T_LT,
  GSEQ_T_LE,
  GSEQ_T_GT,
  GSEQ_T_GE,
  GSEQ_T_EQ /* (?t op V): us = V in microseconds */
};

typedef struct gseq_action {
  uint8_t kind;
  uint8_t cond;
  int64_t us;
} gseq_action;

/* act[0] is the implicit leading .*; n counts it. */
typedef struct gseq_pattern {
  gseq_action *act;
  int n;
  uint64_t conds; /* conditions the pattern names: a group lacking one cannot match */
} gseq_pattern;

/* Parses pat (len bytes) for a call with nconds conditions. 0 on success (free with
** gseq_pattern_free), else -1 with a message naming the position in err ("out of memory" when
** that was why). */
int gseq_parse(const char *pat, size_t len, int nconds, gseq_pattern *out, char *err, size_t errlen);
void gseq_pattern_free(gseq_pattern *p);

/* Error returns of gseq_eval (results are >= 0). */
#define GSEQ_NOMEM (-1)
#define GSEQ_STOPPED (-2)  /* the gcancel said stop */
#define GSEQ_TOO_MANY (-3) /* more than INT32_MAX - 1 events in one group */

/* Scratch rows reused across calls (zero-initialise, then gseq_work_free). */
typedef struct gseq_work {
  int32_t *rows;
  size_t cap; /* events the rows hold */
} gseq_work;
void gseq_work_free(gseq_work *w);

/* ev sorted (gfunnel_sort). count = 0: sequenceMatch (0 or 1); 1: sequenceCount, the number
** of non-overlapping matches. cancel may be NULL. */
int64_t gseq_eval(const gseq_pattern *p, const gfunnel_event *ev, size_t n, int count, gseq_work *w, gcancel *cancel);

/* ---- sequence_next_node ---- */

enum { GSEQ_FORWARD = 0, GSEQ_BACKWARD = 1 };
enum { GSEQ_HEAD = 0, GSEQ_TAIL = 1, GSEQ_FIRST_MATCH = 2, GSEQ_LAST_MATCH = 3 };

/* One row with a non-NULL event value. */
typedef struct gseq_node {
  int64_t ts;
  const char *val; /* the event value's bytes (not NUL-terminated) */
  uint32_t len;
  uint32_t can_be_base;
  uint64_t mask; /* bit k-1: event k holds */
} gseq_node;

/* Sorts by (ts, value as ClickHouse compares strings: strncmp over the shorter length, then
** the shorter first), then (can_be_base, mask) so the order never depends on arrival. */
void gseq_node_sort(gseq_node *v, size_t n);

/* v sorted. nevents = N (0..64). Returns the index of the result node, or -1 (NULL) when the
** group has at most N rows, no base, or the chain event1..eventN fails from the base. */
long gseq_next_node(const gseq_node *v, size_t n, int nevents, int direction, int base);

#endif
