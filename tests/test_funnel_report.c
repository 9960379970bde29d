/*
** test_funnel_report.c: what funnel and funnel_actors compute once their source is read
** (ext/funnel_report.c), driven directly.
**
** - Rows grouped by actor (direct and numbered keys, given out of order) and evaluated: levels,
**   step times and breakdown values of hand-worked histories; the report over them: actors,
**   dropped, conversions and times per step, breakdown groups in value order with NULL first,
**   the row cap; a stop. Expected values are worked out in the comments.
** - Quantiles on hand-worked values, and on random data against a full sort.
** - The selection under McIlroy's adversary ("A Killer Adversary for Quicksort", Software:
**   Practice and Experience 29(4), 1999): the adversary decides the values while the selection
**   compares them, always so that the pivot is as bad as it can be, and the values it decided
**   are then given to the selection as plain input. A quickselect without a fallback does
**   about n^2 / 4 units of work on such an input (issue 16, M2); the bound checked here is
**   the introselect's, 2 n log2 n units of partitioning and 128 n of heap sort. Work is
**   counted in the selection's own units (cancel.h), never timed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <math.h>

#include "funnel_report.h"
#include "mem.h"

#define US 1000000 /* microseconds per second */

static int cmp64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* percentile_cont from a sorted copy: the definition the selection must meet */
static double sorted_quantile(const int64_t *v, size_t n, double q) {
  int64_t *s = malloc(n * sizeof *s);
  assert_non_null(s);
  memcpy(s, v, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp64);
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)pos;
  double frac = pos - (double)lo, r = (double)s[lo];
  if (frac > 0 && lo + 1 < n) r += frac * (double)(s[lo + 1] - s[lo]);
  free(s);
  return r;
}

static double quantile_of(const int64_t *v, size_t n, double q) {
  int64_t *w = malloc(n * sizeof *w);
  assert_non_null(w);
  memcpy(w, v, n * sizeof *w);
  double r = -1;
  assert_int_equal(gfunnel_quantile(w, n, q, NULL, &r), 0);
  free(w);
  return r;
}

static void quantiles_by_hand(void **state) {
  (void)state;
  /* 4 values 10, 20, 30, 40 (given out of order): the median is halfway between ranks 1 and 2,
  ** 25; p90 is at rank 0.9 * 3 = 2.7, 30 + 0.7 * 10 = 37 */
  int64_t v[] = {40, 10, 30, 20};
  assert_true(quantile_of(v, 4, 0.5) == 25.0);
  assert_true(quantile_of(v, 4, 0.9) == 37.0);
  /* one value is every quantile; equal values too */
  int64_t one[] = {-7};
  assert_true(quantile_of(one, 1, 0.5) == -7.0);
  assert_true(quantile_of(one, 1, 0.9) == -7.0);
  int64_t same[] = {3, 3, 3, 3, 3};
  assert_true(quantile_of(same, 5, 0.9) == 3.0);
  /* 5 values: the median is rank 2 exactly, 3; p90 at rank 3.6: 4 + 0.6 * (100 - 4) = 61.6 */
  int64_t five[] = {100, 1, 4, 3, 2};
  assert_true(quantile_of(five, 5, 0.5) == 3.0);
  assert_true(fabs(quantile_of(five, 5, 0.9) - 61.6) < 1e-9);
}

static void quantiles_match_a_full_sort(void **state) {
  (void)state;
  uint64_t x = 88172645463325252u;
  for (size_t n = 1; n < 3000; n = n * 3 / 2 + 1) {
    for (int shape = 0; shape < 4; shape++) {
      int64_t *v = malloc(n * sizeof *v);
      assert_non_null(v);
      for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = shape == 0 ? (int64_t)(x >> 1) - INT64_MAX / 2 /* wide, both signs */
             : shape == 1 ? (int64_t)(x % 5)                  /* few distinct */
             : shape == 2 ? (int64_t)(n - i)                  /* descending */
                          : (int64_t)(i < n / 2 ? i : n - i); /* organ pipe */
      }
      for (int qi = 0; qi <= 10; qi++) {
        double q = qi / 10.0;
        assert_true(quantile_of(v, n, q) == sorted_quantile(v, n, q));
      }
      free(v);
    }
  }
}


/* ---- the rows, evaluation and the report */

enum { VIEW = 1, CART = 2, PAY = 3 }; /* codes of the distinct step names */

static gfunnel_plan plan_view_cart_pay(int64_t window_s, int has_bd, int bd_mode, int bd_step) {
  gfunnel_plan p;
  memset(&p, 0, sizeof p);
  p.cfg.nsteps = 3;
  p.cfg.window = window_s * US;
  p.code_mask[VIEW] = 1;
  p.code_mask[CART] = 2;
  p.code_mask[PAY] = 4;
  p.has_bd = has_bd;
  p.bd_mode = bd_mode;
  p.bd_step = bd_step;
  return p;
}

#define KEYED(id) (GFUNNEL_ACTOR_DIRECT_MAX + (id))

/* Four actors, rows given out of order, window 10 s (breakdown ids in brackets):
**   5:        view@0 [2], cart@3 [1], pay@8 [3]        -> level 3 from 0 to 8; times 3 s, 5 s
**   7:        cart@1                                   -> level 0 (no view): not listed
**   keyed 0:  view@100 [1], cart@120                   -> level 1 (the cart is 20 s after)
**   keyed 1:  view@0, view@50 [2], cart@55 [3]         -> level 2 from 50 to 55; time 5 s */
static void add_rows(gfunnel_rows *rows, int with_bd) {
  static const struct {
    int64_t ts;
    uint32_t actor, code, bd;
  } in[] = {
    {55, KEYED(1), CART, 3},  {8, 5, PAY, 3},          {120, KEYED(0), CART, 0},
    {1, 7, CART, 0},          {0, KEYED(1), VIEW, 0},  {3, 5, CART, 1},
    {100, KEYED(0), VIEW, 1}, {50, KEYED(1), VIEW, 2}, {0, 5, VIEW, 2},
  };
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    assert_int_equal(gfunnel_rows_add(rows, in[i].ts * US, in[i].actor, (with_bd ? in[i].bd << 8 : 0) | in[i].code), 0);
}

static void evaluates_actors_by_hand(void **state) {
  (void)state;
  for (int mode = 0; mode < 3; mode++) {
    gfunnel_rows rows;
    memset(&rows, 0, sizeof rows);
    add_rows(&rows, 1);
    assert_int_equal(rows.nrows, 9);
    gfunnel_plan p = plan_view_cart_pay(10, 1, mode, 2);
    gfunnel_actor *act = NULL;
    gfunnel_delta *d = NULL;
    size_t nact = 0, nd = 0;
    assert_null(gfunnel_evaluate(&p, &rows, &act, &nact, &d, &nd, NULL));
    /* direct keys by value, then numbered ones by id */
    assert_int_equal(nact, 3);
    assert_int_equal(act[0].actor, 5);
    assert_int_equal(act[0].level, 3);
    assert_true(act[0].step1 == 0 && act[0].last == 8 * US);
    assert_int_equal(act[1].actor, KEYED(0));
    assert_int_equal(act[1].level, 1);
    assert_true(act[1].step1 == 100 * US && act[1].last == 100 * US);
    assert_int_equal(act[2].actor, KEYED(1));
    assert_int_equal(act[2].level, 2);
    assert_true(act[2].step1 == 50 * US && act[2].last == 55 * US);
    /* breakdown: of the step-1 event (first), of the last step reached (last), of step 2 (NULL
    ** for an actor who never reached it) */
    static const uint32_t want[3][3] = {{2, 1, 2}, {3, 1, 3}, {1, 0, 3}};
    for (int i = 0; i < 3; i++) assert_int_equal(act[i].bd, want[mode][i]);
    /* times: actor 5's steps 2 and 3, keyed 1's step 2 */
    assert_int_equal(nd, 3);
    assert_int_equal(d[0].bd >> 24, 1);
    assert_true(d[0].us == 3 * US);
    assert_int_equal(d[1].bd >> 24, 2);
    assert_true(d[1].us == 5 * US);
    assert_int_equal(d[2].bd >> 24, 1);
    assert_true(d[2].us == 5 * US);
    assert_int_equal(rows.nchunk, 0); /* the chunks were freed as they were grouped */
    gfunnel_rows_free(&rows);
    gmem_free(act);
    gmem_free(d);
  }
}

/* Rows are held in a narrow form (1-byte code, ts as whole seconds from the block's first) until
** one needs the wide one; the rows read back the same either way. Actor 5: view@0 and cart@3 with
** no breakdown (narrow), then pay@8.5 s with breakdown 2 (a 4-byte code_bd and a ts in
** microseconds: a new, wide block); actor 6, same bucket, view@10 after the switch; actor 600
** (another bucket) view@1 narrow, then cart@2 with breakdown 1 (wide code, narrow ts). */
static void narrow_and_wide_rows_read_back_alike(void **state) {
  (void)state;
  gfunnel_rows rows;
  memset(&rows, 0, sizeof rows);
  assert_int_equal(gfunnel_rows_add(&rows, 0, 5, VIEW), 0);
  assert_int_equal(gfunnel_rows_add(&rows, 1 * US, 600, VIEW), 0);
  assert_int_equal(gfunnel_rows_add(&rows, 3 * US, 5, CART), 0);
  assert_int_equal(rows.nchunk, 2);
  assert_int_equal(gfunnel_rows_add(&rows, 8 * US + US / 2, 5, 2u << 8 | PAY), 0);
  assert_int_equal(gfunnel_rows_add(&rows, 10 * US, 6, VIEW), 0);
  assert_int_equal(gfunnel_rows_add(&rows, 2 * US, 600, 1u << 8 | CART), 0);
  assert_int_equal(rows.nchunk, 4); /* a wide block in each bucket */
  gfunnel_plan p = plan_view_cart_pay(10, 1, GFUNNEL_BD_LAST, 0);
  gfunnel_actor *act = NULL;
  gfunnel_delta *d = NULL;
  size_t nact = 0, nd = 0;
  assert_null(gfunnel_evaluate(&p, &rows, &act, &nact, &d, &nd, NULL));
  assert_int_equal(nact, 3);
  assert_int_equal(act[0].actor, 5);
  assert_int_equal(act[0].level, 3);
  assert_true(act[0].step1 == 0 && act[0].last == 8 * US + US / 2);
  assert_int_equal(act[0].bd, 2);
  assert_int_equal(act[1].actor, 6);
  assert_int_equal(act[1].level, 1);
  assert_true(act[1].step1 == 10 * US);
  assert_int_equal(act[2].actor, 600);
  assert_int_equal(act[2].level, 2);
  assert_true(act[2].step1 == 1 * US && act[2].last == 2 * US);
  assert_int_equal(act[2].bd, 1);
  assert_int_equal(nd, 3);
  assert_true(d[0].us == 3 * US && d[1].us == 5 * US + US / 2 && d[2].us == 1 * US);
  assert_int_equal(rows.nchunk, 0);
  gfunnel_rows_free(&rows);
  gmem_free(act);
  gmem_free(d);
}

/* ---- the same rows in time order and shuffled evaluate alike. A shuffled source makes the
** evaluation sort whole buckets once one bucket was mostly out of order (group_radix), where
** rows in time order are grouped and checked actor by actor: both must give the same actors,
** levels, breakdowns and times. Shapes: whole seconds; with breakdown ids (4-byte codes); some
** actors' timestamps with fractions of a second (those buckets cannot be sorted whole); a span
** of 8,000 years with breakdown ids (41-bit keys, 4 passes); an actor of 70,000 rows (a bucket
** too large to sort whole). Ties at one instant with different codes throughout. */
typedef struct trow {
  int64_t ts;
  uint32_t actor, code_bd, shuffle;
} trow;

/* time order, ties by code: every actor's rows in the order the evaluation wants them */
static int trow_by_ts(const void *a, const void *b) {
  const trow *x = a, *y = b;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  if (x->code_bd != y->code_bd) return x->code_bd < y->code_bd ? -1 : 1;
  return (x->actor > y->actor) - (x->actor < y->actor);
}
static int trow_by_shuffle(const void *a, const void *b) {
  const trow *x = a, *y = b;
  return (x->shuffle > y->shuffle) - (x->shuffle < y->shuffle);
}

static void evaluate_rows(const trow *r, size_t n, const gfunnel_plan *p, gfunnel_actor **act, size_t *nact,
                          gfunnel_delta **d, size_t *nd) {
  gfunnel_rows rows;
  memset(&rows, 0, sizeof rows);
  for (size_t i = 0; i < n; i++) assert_int_equal(gfunnel_rows_add(&rows, r[i].ts, r[i].actor, r[i].code_bd), 0);
  assert_null(gfunnel_evaluate(p, &rows, act, nact, d, nd, NULL));
  gfunnel_rows_free(&rows);
}

static void source_order_changes_nothing(void **state) {
  (void)state;
  for (int shape = 0; shape < 5; shape++) {
    uint64_t x = 88172645463325252u + (uint64_t)shape;
    size_t cap = 200000, n = 0;
    trow *r = malloc(cap * sizeof *r);
    assert_non_null(r);
    int64_t t0 = shape == 3 ? -60000000000 : 1704067200; /* seconds; shape 3: year 68 on */
    int64_t gap = shape == 3 ? 50000000 : 600;
    /* 6,000 actors over 12 buckets (ids 0, 2, 4, ...), each 1 to 40 rows; shape 4 adds one
    ** actor of 70,000 rows */
    for (uint32_t a = 0; a < 6000 && n < cap; a++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      size_t m = 1 + (size_t)(x % 40);
      if (shape == 4 && a == 1000) m = 70000;
      int64_t t = t0 + (int64_t)(x >> 40) % 86400;
      for (size_t j = 0; j < m && n < cap; j++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t += (int64_t)(x % 4 == 0 ? 0 : x % (uint64_t)gap); /* a quarter at the same instant */
        int64_t us = t * US;
        if (shape == 2 && a % 97 == 0) us += (int64_t)(x >> 20) % US; /* fractions */
        uint32_t code = 1 + (uint32_t)(x >> 8) % 3, bd = (uint32_t)(x >> 16) % 5;
        r[n++] = (trow){us, 2 * a, (shape == 1 || shape == 3 ? bd << 8 : 0) | code, (uint32_t)(x >> 32)};
      }
    }
    gfunnel_plan p = plan_view_cart_pay(3600, shape == 1 || shape == 3, GFUNNEL_BD_LAST, 0);
    if (shape == 3) p.cfg.window = (int64_t)200000000 * US;
    gfunnel_actor *act[2];
    gfunnel_delta *d[2];
    size_t nact[2], nd[2];
    qsort(r, n, sizeof *r, trow_by_ts);
    evaluate_rows(r, n, &p, &act[0], &nact[0], &d[0], &nd[0]);
    qsort(r, n, sizeof *r, trow_by_shuffle);
    evaluate_rows(r, n, &p, &act[1], &nact[1], &d[1], &nd[1]);
    assert_true(nact[0] > 5000);
    assert_int_equal(nact[0], nact[1]);
    assert_int_equal(nd[0], nd[1]);
    assert_true(nd[0] > 1000);
    for (size_t i = 0; i < nact[0]; i++) {
      assert_int_equal(act[0][i].actor, act[1][i].actor);
      assert_int_equal(act[0][i].bd, act[1][i].bd);
      assert_int_equal(act[0][i].level, act[1][i].level);
      assert_true(act[0][i].step1 == act[1][i].step1 && act[0][i].last == act[1][i].last);
    }
    for (size_t i = 0; i < nd[0]; i++) assert_true(d[0][i].bd == d[1][i].bd && d[0][i].us == d[1][i].us);
    for (int k = 0; k < 2; k++) {
      gmem_free(act[k]);
      gmem_free(d[k]);
    }
    free(r);
  }
}

static void reports_by_hand(void **state) {
  (void)state;
  gfunnel_rows rows;
  memset(&rows, 0, sizeof rows);
  add_rows(&rows, 0); /* no breakdown column */
  gfunnel_plan p = plan_view_cart_pay(10, 0, GFUNNEL_BD_FIRST, 0);
  gfunnel_actor *act = NULL;
  gfunnel_delta *d = NULL;
  size_t nact = 0, nd = 0, nrep = 0;
  assert_null(gfunnel_evaluate(&p, &rows, &act, &nact, &d, &nd, NULL));
  gfunnel_report_row *rep = NULL;
  char err[200];
  assert_int_equal(gfunnel_build_report(&p, NULL, act, nact, d, nd, &rep, &nrep, NULL, err, sizeof err), 0);
  /* levels 3, 1, 2: 3 actors at step 1, 2 at step 2, 1 at step 3 */
  assert_int_equal(nrep, 3);
  for (int k = 0; k < 3; k++) {
    assert_int_equal(rep[k].bd, 0);
    assert_int_equal(rep[k].step, k + 1);
    assert_int_equal(rep[k].actors, 3 - k);
    assert_int_equal(rep[k].dropped, k < 2 ? 1 : 0);
    assert_true(rep[k].has_conv);
  }
  assert_true(rep[0].conv_prev == 1.0 && rep[0].conv_first == 1.0);
  assert_true(rep[1].conv_prev == 2.0 / 3.0 && rep[1].conv_first == 2.0 / 3.0);
  assert_true(rep[2].conv_prev == 1.0 / 2.0 && rep[2].conv_first == 1.0 / 3.0);
  /* step 1 has no time; step 2: 3 s and 5 s, median 4, p90 3 + 0.9 x 2 = 4.8, mean 4;
  ** step 3: 5 s */
  assert_false(rep[0].has_time);
  assert_true(rep[1].has_time);
  assert_true(rep[1].median == 4.0 && fabs(rep[1].p90 - 4.8) < 1e-12 && rep[1].avg == 4.0);
  assert_true(rep[2].median == 5.0 && rep[2].p90 == 5.0 && rep[2].avg == 5.0);
  gmem_free(rep);
  gmem_free(act);
  gmem_free(d);
  gfunnel_rows_free(&rows);
}

/* The report's own evaluation (gfunnel_evaluate_reached: 4 bytes per actor and the times alone)
** gives the report that the actors' outcomes give, for each breakdown mode, with the times and
** without. */
static void reports_from_reached_as_from_actors(void **state) {
  (void)state;
  gkeys bds;
  memset(&bds, 0, sizeof bds);
  gkeys_init(&bds, 0);
  for (int64_t v = 0; v < 3; v++) {
    gkey k;
    memset(&k, 0, sizeof k);
    k.type = GKEY_INT;
    k.i = 10 - v; /* ids in the reverse of value order */
    uint32_t id;
    assert_true(gkeys_intern(&bds, &k, &id) >= 0);
  }
  for (int mode = 0; mode < 3; mode++)
    for (int times = 0; times < 2; times++) {
      gfunnel_plan p = plan_view_cart_pay(10, 1, mode, 2);
      gfunnel_rows rows;
      memset(&rows, 0, sizeof rows);
      add_rows(&rows, 1);
      gfunnel_actor *act = NULL;
      gfunnel_delta *d = NULL;
      size_t nact = 0, nd = 0, n1 = 0, n2 = 0;
      assert_null(gfunnel_evaluate(&p, &rows, &act, &nact, times ? &d : NULL, &nd, NULL));
      gfunnel_rows_free(&rows);
      memset(&rows, 0, sizeof rows);
      add_rows(&rows, 1);
      gfunnel_reached rd;
      assert_null(gfunnel_evaluate_reached(&p, &rows, times, &rd, NULL));
      gfunnel_rows_free(&rows);
      assert_int_equal(rd.n, nact);
      assert_int_equal(rd.n, 3);
      assert_int_equal(rd.nus, times ? 3 : 0);
      gfunnel_report_row *r1 = NULL, *r2 = NULL;
      char err[200];
      assert_int_equal(gfunnel_build_report(&p, &bds, act, nact, d, nd, &r1, &n1, NULL, err, sizeof err), 0);
      assert_int_equal(gfunnel_report(&p, &bds, &rd, &r2, &n2, NULL, err, sizeof err), 0);
      assert_int_equal(n1, n2);
      assert_true(n1 >= 3);
      for (size_t i = 0; i < n1; i++) {
        assert_int_equal(r1[i].bd, r2[i].bd);
        assert_int_equal(r1[i].step, r2[i].step);
        assert_int_equal(r1[i].actors, r2[i].actors);
        assert_int_equal(r1[i].dropped, r2[i].dropped);
        assert_int_equal(r1[i].has_time, r2[i].has_time);
        assert_true(r1[i].median == r2[i].median && r1[i].p90 == r2[i].p90 && r1[i].avg == r2[i].avg);
        assert_true(r1[i].conv_prev == r2[i].conv_prev && r1[i].conv_first == r2[i].conv_first);
      }
      if (times) assert_true(r2[1].has_time || r2[4].has_time || r2[7].has_time);
      gmem_free(r1);
      gmem_free(r2);
      gmem_free(act);
      gmem_free(d);
      gmem_free(rd.bd_level);
      gmem_free(rd.us);
    }
  gkeys_free(&bds);
}

static gkey text_key(const char *t) {
  gkey k;
  memset(&k, 0, sizeof k);
  k.type = GKEY_TEXT;
  k.bytes = t;
  k.len = strlen(t);
  return k;
}

/* Breakdown groups in value order, NULL first, only those with an actor at step 1: actors with
** values 'web' (id 0), 'app' (id 1), NULL, 'web'; 'ads' (id 2) is interned but no actor has it. */
static void breakdown_groups_in_value_order(void **state) {
  (void)state;
  gkeys bds;
  memset(&bds, 0, sizeof bds);
  gkeys_init(&bds, 0);
  const char *names[] = {"web", "app", "ads"};
  for (uint32_t i = 0; i < 3; i++) {
    gkey k = text_key(names[i]);
    uint32_t id;
    assert_true(gkeys_intern(&bds, &k, &id) >= 0);
    assert_int_equal(id, i);
  }
  gfunnel_plan p = plan_view_cart_pay(10, 1, GFUNNEL_BD_FIRST, 0);
  gfunnel_actor act[] = {{1, 1, 2, 0, 0}, {2, 2, 1, 0, 0}, {3, 0, 3, 0, 0}, {4, 1, 1, 0, 0}};
  gfunnel_report_row *rep = NULL;
  size_t nrep = 0;
  char err[200];
  assert_int_equal(gfunnel_build_report(&p, &bds, act, 4, NULL, 0, &rep, &nrep, NULL, err, sizeof err), 0);
  /* NULL (1 actor, level 3), 'app' (1, level 1), 'web' (2, levels 2 and 1) */
  assert_int_equal(nrep, 9);
  static const uint32_t bd[3] = {0, 2, 1};
  static const int64_t actors[3][3] = {{1, 1, 1}, {1, 0, 0}, {2, 1, 0}};
  for (int g = 0; g < 3; g++)
    for (int k = 0; k < 3; k++) {
      assert_int_equal(rep[g * 3 + k].bd, bd[g]);
      assert_int_equal(rep[g * 3 + k].actors, actors[g][k]);
    }
  /* 'app': nobody reached step 2, so conversion from step 2 to 3 is 0, not a division by 0 */
  assert_true(rep[5].conv_prev == 0.0);
  gmem_free(rep);
  /* the cap: 16,385 groups of 64 steps pass 1,048,576 rows; 16,384 do not */
  p.cfg.nsteps = 64;
  gkeys many;
  memset(&many, 0, sizeof many);
  gkeys_init(&many, 0);
  gfunnel_actor *big = malloc(16385 * sizeof *big);
  assert_non_null(big);
  for (uint32_t i = 0; i < 16385; i++) {
    gkey k;
    memset(&k, 0, sizeof k);
    k.type = GKEY_INT;
    k.i = i;
    uint32_t id;
    assert_true(gkeys_intern(&many, &k, &id) >= 0);
    big[i] = (gfunnel_actor){i, id + 1, 64, 0, 0};
  }
  assert_int_equal(gfunnel_build_report(&p, &many, big, 16385, NULL, 0, &rep, &nrep, NULL, err, sizeof err), -1);
  assert_string_equal(err,
                      "16385 breakdown values x 64 steps make more than 1048576 report rows: break down by a "
                      "column with fewer values, or use funnel_actors");
  assert_null(rep);
  assert_int_equal(gfunnel_build_report(&p, &many, big, 16384, NULL, 0, &rep, &nrep, NULL, err, sizeof err), 0);
  assert_int_equal(nrep, 1048576);
  gmem_free(rep);
  free(big);
  gkeys_free(&many);
  gkeys_free(&bds);
}

static int stop_now(void *ctx) {
  (void)ctx;
  return 1;
}

static void evaluation_and_report_stop(void **state) {
  (void)state;
  /* 200,000 one-event actors: the grouping polls before it is done */
  gfunnel_rows rows;
  memset(&rows, 0, sizeof rows);
  for (uint32_t a = 0; a < 200000; a++) assert_int_equal(gfunnel_rows_add(&rows, a, a, VIEW), 0);
  gfunnel_plan p = plan_view_cart_pay(10, 0, GFUNNEL_BD_FIRST, 0);
  gcancel c = {stop_now, NULL, GCANCEL_PERIOD, 0};
  gfunnel_actor *act = NULL;
  size_t nact = 0, nrep = 0;
  assert_ptr_equal(gfunnel_evaluate(&p, &rows, &act, &nact, NULL, NULL, &c), gcancel_reason);
  gmem_free(act);
  gfunnel_rows_free(&rows);
  gfunnel_actor *many = calloc(200000, sizeof *many);
  assert_non_null(many);
  for (uint32_t a = 0; a < 200000; a++) many[a].level = 1;
  gcancel c2 = {stop_now, NULL, GCANCEL_PERIOD, 0};
  gfunnel_report_row *rep = NULL;
  char err[200];
  assert_int_equal(gfunnel_build_report(&p, NULL, many, 200000, NULL, 0, &rep, &nrep, &c2, err, sizeof err), -1);
  assert_string_equal(err, gcancel_reason);
  assert_null(rep);
  free(many);
}

/* ---- McIlroy's adversary */

typedef struct adversary {
  int64_t *val; /* val[x]: the value decided for item x, or gas (not decided yet) */
  int64_t gas, nsolid, candidate;
} adversary;

/* Items are their own identities 0..n-1 while the adversary runs. Comparing two undecided
** items freezes one (the last pivot candidate, if it is one of them) to the next smallest value;
** an undecided item is greater than every decided one. */
static int adversary_less(void *ctx, int64_t x, int64_t y) {
  adversary *a = ctx;
  if (a->val[x] == a->gas && a->val[y] == a->gas) {
    if (x == a->candidate) a->val[x] = a->nsolid++;
    else a->val[y] = a->nsolid++;
  }
  if (a->val[x] == a->gas) a->candidate = x;
  else if (a->val[y] == a->gas) a->candidate = y;
  return a->val[x] < a->val[y];
}

/* The adversary's input against selecting rank k of n. */
static int64_t *adversarial_input(size_t n, size_t k) {
  int64_t *items = malloc(n * sizeof *items), *val = malloc(n * sizeof *val);
  assert_non_null(items);
  assert_non_null(val);
  adversary a = {val, (int64_t)n, 0, -1};
  for (size_t i = 0; i < n; i++) {
    items[i] = (int64_t)i;
    val[i] = a.gas;
  }
  gfunnel_order order = {adversary_less, &a};
  assert_int_equal(gfunnel_select(items, n, k, &order, NULL), 0);
  free(items);
  return val; /* undecided items keep the value gas, above every decided one */
}

typedef struct polls {
  uint64_t n, stop_at;
} polls;

static int count_poll(void *ctx) {
  polls *p = ctx;
  return ++p->n == p->stop_at;
}

static void adversarial_inputs_stay_n_log_n(void **state) {
  (void)state;
  const size_t n = 100000;
  int log2n = 0;
  for (size_t m = n; m > 1; m >>= 1) log2n++;
  const double qs[] = {0.5, 0.9, 0.0, 1.0};
  for (int qi = 0; qi < 4; qi++) {
    size_t k = (size_t)(qs[qi] * (double)(n - 1));
    int64_t *in = adversarial_input(n, k);
    int64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    memcpy(v, in, n * sizeof *v);
    /* units counted exactly: a budget so large that no poll comes */
    polls p = {0, 0};
    gcancel c = {count_poll, &p, INT64_MAX / 2, 0};
    assert_int_equal(gfunnel_select(v, n, k, NULL, &c), 0);
    assert_int_equal(p.n, 0);
    uint64_t units = (uint64_t)(INT64_MAX / 2 - c.left);
    /* the answer is the full sort's, and v is partitioned around it */
    int64_t *s = malloc(n * sizeof *s);
    assert_non_null(s);
    memcpy(s, in, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp64);
    assert_true(v[k] == s[k]);
    for (size_t i = 0; i < n; i++) assert_true(i < k ? v[i] <= v[k] : i > k ? v[i] >= v[k] : 1);
    printf("  rank %zu of %zu under the adversary: %llu units (bound %llu)\n", k, n, (unsigned long long)units,
           (unsigned long long)(2 * (uint64_t)n * log2n + 128 * (uint64_t)n));
    assert_true(units <= 2 * (uint64_t)n * log2n + 128 * (uint64_t)n);
    /* and the quantiles over it equal the full sort's */
    assert_true(quantile_of(in, n, qs[qi]) == sorted_quantile(in, n, qs[qi]));
    free(s);
    free(v);
    free(in);
  }
}

/* The adversary is one: on its input the quickselect's partitions alone would pass the bound
** (its pivots remove a few items each), which is what sends the selection to the heap sort.
** Checked by counting partitions on the same input with the order traced. */
typedef struct tracer {
  uint64_t compares;
} tracer;

static int traced_less(void *ctx, int64_t a, int64_t b) {
  ((tracer *)ctx)->compares++;
  return a < b;
}

static void the_adversary_defeats_plain_quickselect(void **state) {
  (void)state;
  const size_t n = 20000;
  size_t k = (n - 1) / 2;
  int64_t *in = adversarial_input(n, k);
  /* its values are a permutation-like input: every decided value once, the rest equal */
  tracer t = {0};
  gfunnel_order order = {traced_less, &t};
  int64_t *v = malloc(n * sizeof *v);
  assert_non_null(v);
  memcpy(v, in, n * sizeof *v);
  assert_int_equal(gfunnel_select(v, n, k, &order, NULL), 0);
  /* a selection that partitions well compares about 3n times; here it is at least
  ** 2 log2 n partitions of nearly n items each before the heap sort, and the heap sort itself */
  printf("  %llu comparisons for rank %zu of %zu under the adversary\n", (unsigned long long)t.compares, k, n);
  assert_true(t.compares > 20 * (uint64_t)n);
  free(v);
  free(in);
}

static void a_stop_is_honoured(void **state) {
  (void)state;
  const size_t n = 1000000;
  int64_t *v = malloc(n * sizeof *v);
  assert_non_null(v);
  uint64_t x = 1;
  for (size_t i = 0; i < n; i++) v[i] = (int64_t)((x = x * 6364136223846793005u + 1442695040888963407u) >> 20);
  polls p = {0, 1};
  gcancel c = {count_poll, &p, GCANCEL_PERIOD, 0};
  double r;
  assert_int_equal(gfunnel_quantile(v, n, 0.5, &c, &r), GFUNNEL_SELECT_STOPPED);
  assert_true(c.stopped);
  free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(evaluates_actors_by_hand),
    cmocka_unit_test(narrow_and_wide_rows_read_back_alike),
    cmocka_unit_test(source_order_changes_nothing),
    cmocka_unit_test(reports_by_hand),
    cmocka_unit_test(reports_from_reached_as_from_actors),
    cmocka_unit_test(breakdown_groups_in_value_order),
    cmocka_unit_test(evaluation_and_report_stop),
    cmocka_unit_test(quantiles_by_hand),
    cmocka_unit_test(quantiles_match_a_full_sort),
    cmocka_unit_test(adversarial_inputs_stay_n_log_n),
    cmocka_unit_test(the_adversary_defeats_plain_quickselect),
    cmocka_unit_test(a_stop_is_honoured),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
