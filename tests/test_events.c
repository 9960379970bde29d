/*
** test_events.c: the shared events core (ext/events.h).
**
** Expected orders come from an independent implementation in this file: every row kept as a
** struct and sorted with qsort by (actor, ts, aux, event rank, segment rank, value), which is
** what gevents_group promises; the core's counting sort, column moves and per-actor merge sort
** must give the same sequence, for input in time order, grouped, shuffled and reversed, across
** several 65536-row chunks.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "failing_alloc.h"

#include "events.h"

typedef struct row {
  uint32_t actor, event, segment;
  int64_t ts, value, aux;
} row;

static const uint32_t *ref_event_rank, *ref_segment_rank;

static int cmp_i(int64_t a, int64_t b) { return (a > b) - (a < b); }

static int ref_cmp(const void *pa, const void *pb) {
  const row *a = pa, *b = pb;
  int c;
  if ((c = cmp_i(a->actor, b->actor))) return c;
  if ((c = cmp_i(a->ts, b->ts))) return c;
  if ((c = cmp_i(a->aux, b->aux))) return c;
  if ((c = cmp_i(ref_event_rank[a->event], ref_event_rank[b->event]))) return c;
  if ((c = cmp_i(ref_segment_rank[a->segment], ref_segment_rank[b->segment]))) return c;
  return cmp_i(a->value, b->value);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* n rows of nactors actors with few distinct ts (many ties) and all four optional columns. */
static row *make_rows(uint32_t n, uint32_t nactors) {
  row *r = malloc(n * sizeof *r);
  assert_non_null(r);
  for (uint32_t i = 0; i < n; i++) {
    r[i].actor = (uint32_t)(next_rand() % nactors);
    r[i].ts = (int64_t)(next_rand() % 50) * 1000000 - 7;
    r[i].aux = (int64_t)(next_rand() % 3);
    r[i].event = (uint32_t)(next_rand() % 5);
    r[i].segment = (uint32_t)(next_rand() % 4);
    r[i].value = (int64_t)(next_rand() % 7) - 3;
  }
  return r;
}

/* Feeds rows in the given order; actor ids renumbered in first-seen order as keys.h does. */
static void feed(gevents *ev, const row *r, uint32_t n, uint32_t *first_seen, uint32_t nactors) {
  for (uint32_t a = 0; a < nactors; a++) first_seen[a] = UINT32_MAX;
  uint32_t next = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (first_seen[r[i].actor] == UINT32_MAX) first_seen[r[i].actor] = next++;
    gev_extra x = {r[i].event, r[i].segment, r[i].value, r[i].aux};
    assert_null(gevents_add(ev, first_seen[r[i].actor], r[i].ts, &x));
  }
}

/* The same through gevents_add_rows, in runs of 1 to 1000 rows (some across a chunk's end). */
static void feed_rows(gevents *ev, const row *r, uint32_t n, uint32_t *first_seen, uint32_t nactors) {
  for (uint32_t a = 0; a < nactors; a++) first_seen[a] = UINT32_MAX;
  uint32_t next = 0, ids[1000];
  int64_t ts[1000];
  gev_extra x[1000];
  for (uint32_t i = 0; i < n;) {
    uint32_t m = 1 + (uint32_t)(next_rand() % 1000);
    if (m > n - i) m = n - i;
    for (uint32_t j = 0; j < m; j++) {
      const row *w = &r[i + j];
      if (first_seen[w->actor] == UINT32_MAX) first_seen[w->actor] = next++;
      ids[j] = first_seen[w->actor];
      ts[j] = w->ts;
      x[j] = (gev_extra){w->event, w->segment, w->value, w->aux};
    }
    assert_null(gevents_add_rows(ev, ids, ts, x, m));
    i += m;
  }
}

/* The core's result equals the reference sort, actor by actor (actors mapped back). */
static void check_against_reference(const gevents *ev, const row *r, uint32_t n, const uint32_t *first_seen,
                                    uint32_t nactors) {
  row *ref = malloc(n * sizeof *ref);
  assert_non_null(ref);
  memcpy(ref, r, n * sizeof *ref);
  for (uint32_t i = 0; i < n; i++) ref[i].actor = first_seen[ref[i].actor];  /* compare by dense id */
  qsort(ref, n, sizeof *ref, ref_cmp);
  assert_int_equal(ev->n, n);
  uint32_t seen = 0;
  for (uint32_t a = 0; a < nactors; a++) seen += first_seen[a] != UINT32_MAX;
  assert_int_equal(ev->nactors, seen);
  assert_int_equal(ev->start[0], 0);
  assert_int_equal(ev->start[ev->nactors], n);
  for (uint32_t a = 0; a < ev->nactors; a++) {
    for (uint32_t i = ev->start[a]; i < ev->start[a + 1]; i++) {
      assert_int_equal(ref[i].actor, a);
      assert_int_equal(ev->ts[i], ref[i].ts);
      if (ev->aux) assert_int_equal(ev->aux[i], ref[i].aux);
      if (ev->event) assert_int_equal(ev->event[i], ref[i].event);
      if (ev->segment) assert_int_equal(ev->segment[i], ref[i].segment);
      if (ev->value) assert_int_equal(ev->value[i], ref[i].value);
    }
  }
  free(ref);
}

static const unsigned ALL = GEV_EVENT | GEV_SEGMENT | GEV_VALUE | GEV_AUX;

static int by_rows; /* feed through gevents_add_rows */

static void run_case_columns(uint32_t n, uint32_t nactors, int arrangement, unsigned columns) {
  static const uint32_t event_rank[5] = {3, 0, 4, 1, 2}, segment_rank[4] = {2, 3, 0, 1};
  ref_event_rank = event_rank;
  ref_segment_rank = segment_rank;
  row *r = make_rows(n, nactors);
  for (uint32_t i = 0; i < n; i++) {  /* a column the table lacks does not order the reference */
    if (!(columns & GEV_AUX)) r[i].aux = 0;
    if (!(columns & GEV_EVENT)) r[i].event = 0;
    if (!(columns & GEV_SEGMENT)) r[i].segment = 0;
    if (!(columns & GEV_VALUE)) r[i].value = 0;
  }
  /* arrangements: 0 random order; 1 sorted (grouped, in time order); 2 reversed */
  if (arrangement) {
    const uint32_t ident[5] = {0, 1, 2, 3, 4};
    ref_event_rank = ident;
    ref_segment_rank = ident;
    qsort(r, n, sizeof *r, ref_cmp);  /* by raw actor, then the rest */
    ref_event_rank = event_rank;
    ref_segment_rank = segment_rank;
    if (arrangement == 2)
      for (uint32_t i = 0; i < n / 2; i++) { row t = r[i]; r[i] = r[n - 1 - i]; r[n - 1 - i] = t; }
  }
  uint32_t *first_seen = malloc(nactors * sizeof *first_seen);
  assert_non_null(first_seen);
  gevents ev;
  gevents_init(&ev, columns, 0);
  if (by_rows) feed_rows(&ev, r, n, first_seen, nactors);
  else feed(&ev, r, n, first_seen, nactors);
  /* sorted or reversed by actor, each actor's rows arrive together */
  assert_int_equal(ev.grouped_input, arrangement != 0 || nactors == 1);
  gev_order order = {event_rank, segment_rank};
  assert_null(gevents_group(&ev, &order, NULL));
  check_against_reference(&ev, r, n, first_seen, nactors);
  gevents_free(&ev);
  free(first_seen);
  free(r);
}

/* Each case with every optional column (rows sorted through an index), with an event and a
** segment and with an event alone (sorted as records carrying their keys), and with the
** instants alone (placed without a place array, sorted as values). */
static void run_case(uint32_t n, uint32_t nactors, int arrangement) {
  run_case_columns(n, nactors, arrangement, ALL);
  run_case_columns(n, nactors, arrangement, GEV_EVENT | GEV_SEGMENT);
  run_case_columns(n, nactors, arrangement, GEV_EVENT);
  run_case_columns(n, nactors, arrangement, 0);
}

static void shuffled_rows(void **state) {
  (void)state;
  run_case(1000, 37, 0);
  run_case(200000, 5000, 0);   /* four chunks */
  run_case(70000, 1, 0);       /* one actor over two chunks: one large merge sort */
  run_case(60000, 1, 0);       /* one actor under the records' limit: a large merge of records */
}

static void grouped_rows(void **state) {
  (void)state;
  run_case(150000, 9000, 1);
}

/* Rows added many at a time: the same groups, in every arrangement. */
static void rows_added_in_runs(void **state) {
  (void)state;
  by_rows = 1;
  run_case(200000, 5000, 0);
  run_case(150000, 9000, 1);
  run_case(140000, 3, 2);
  run_case(70000, 1, 0);
  by_rows = 0;
}

static void reversed_rows(void **state) {
  (void)state;
  run_case(140000, 3, 2);
}

static void min_max_and_empty(void **state) {
  (void)state;
  gevents ev;
  gevents_init(&ev, 0, 0);
  assert_null(gevents_group(&ev, NULL, NULL));
  assert_int_equal(ev.nactors, 0);
  assert_int_equal(ev.start[0], 0);
  gevents_free(&ev);
  gevents_init(&ev, 0, 0);
  assert_null(gevents_add(&ev, 1, 50, NULL));
  assert_null(gevents_add(&ev, 0, -20, NULL));
  assert_null(gevents_add(&ev, 1, 10, NULL));
  assert_int_equal(ev.min_ts, -20);
  assert_int_equal(ev.max_ts, 50);
  assert_null(gevents_group(&ev, NULL, NULL));
  assert_int_equal(ev.nactors, 2);
  /* actor 0: -20; actor 1: 10, 50 */
  assert_int_equal(ev.start[1], 1);
  assert_int_equal(ev.ts[0], -20);
  assert_int_equal(ev.ts[1], 10);
  assert_int_equal(ev.ts[2], 50);
  gevents_free(&ev);
}

static int stop_on_second_poll(void *ctx) { return ++*(int *)ctx >= 2; }

static void stops_when_told(void **state) {
  (void)state;
  for (int variant = 0; variant < 3; variant++) {  /* every column, event alone, none */
    row *r = make_rows(300000, 1000);
    uint32_t first_seen[1000];
    gevents ev;
    gevents_init(&ev, variant == 0 ? ALL : variant == 1 ? GEV_EVENT : 0, 0);
    feed(&ev, r, 300000, first_seen, 1000);
    int polls = 0;
    gcancel c = {stop_on_second_poll, &polls, GCANCEL_PERIOD, 0};
    assert_ptr_equal(gevents_group(&ev, NULL, &c), gcancel_reason);
    assert_int_equal(polls, 2);
    gevents_free(&ev);  /* under ASan: nothing leaks from a stopped grouping */
    free(r);
  }
}

static void every_allocation_failing(void **state) {
  (void)state;
  for (int variant = 0; variant < 3; variant++) {  /* every column, event alone, none */
    row *r = make_rows(140000, 300);
    uint32_t first_seen[300];
    for (long k = 1;; k++) {
      gevents ev;
      gevents_init(&ev, variant == 0 ? ALL : variant == 1 ? GEV_EVENT : 0, 0);
      arm(k, 1);
      const char *why = NULL;
      uint32_t next = 0;
      for (uint32_t a = 0; a < 300; a++) first_seen[a] = UINT32_MAX;
      for (uint32_t i = 0; i < 140000 && !why; i++) {
        if (first_seen[r[i].actor] == UINT32_MAX) first_seen[r[i].actor] = next++;
        gev_extra x = {r[i].event, r[i].segment, r[i].value, r[i].aux};
        why = gevents_add(&ev, first_seen[r[i].actor], r[i].ts, &x);
      }
      if (!why) why = gevents_group(&ev, NULL, NULL);
      int failed = failures;
      disarm();
      gevents_free(&ev);
      if (!failed) {
        assert_null(why);
        break;
      }
      assert_string_equal(why, "out of memory");
    }
    free(r);
  }
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(shuffled_rows),
    cmocka_unit_test(grouped_rows),
    cmocka_unit_test(reversed_rows),
    cmocka_unit_test(rows_added_in_runs),
    cmocka_unit_test(min_max_and_empty),
    cmocka_unit_test(stops_when_told),
    cmocka_unit_test(every_allocation_failing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
