/*
** test_paths_engine.c: the paths core (ext/paths_engine.h).
**
** Expected values are the path vectors P1-P23 and Amplitude's A/A/B example, copied with their
** upstream tests into tests/vectors/paths.md, with the settings that file gives for each:
** PostHog v1 (P1-P13) counts journeys with collapse, timing=last and a 30-minute gap, numbers
** steps from 1 and has no anchor step 0, so its "{i}_{item}" keys become our steps i (no anchor)
** or i - 1 (start anchor); P5's end-anchored keys are renumbered from the anchor (written out
** there). PostHog v1 cleans trailing slashes and matches groupings unanchored: the tests do the
** same with groups: "/2/=>/2", and a pattern that starts with a star. PostHog v2 (P14-P23)
** counts distinct actors and numbers steps from 0; our steps are v2's + 1 without an anchor. v2 counts drop-offs
** per step; ours are per (step, last event), and the test says where they add up to v2's.
** Then properties on random histories: shuffled input gives identical rows; no edge out of a
** node has more actors than the node; journeys >= actors everywhere.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "failing_alloc.h"

#include "mem.h"

#include "paths_engine.h"

#define MIN 60
#define HOUR 3600
/* 2012-01-01 00:00 UTC, the day of PostHog v1's vectors */
#define BASE INT64_C(1325376000)
#define T(h, m, s) (BASE + (h)*HOUR + (m)*MIN + (s))

typedef struct fx {
  gevents ev;
  gkeys items;
  uint32_t *item_of, *rank;
  uint8_t *bars;
  gpaths_opts o;
  gpaths_filter f;
  gpaths_result r;
} fx;

static const char *name_of(const fx *x, uint32_t id);

static void fx_init(fx *x) {
  memset(x, 0, sizeof *x);
  gevents_init(&x->ev, GEV_EVENT, 0);
  gkeys_init(&x->items, 0);
  x->o.anchor = GPATHS_NONE;
  x->o.start_item = x->o.end_item = GPATHS_DROP;
  x->o.steps = 5;
  x->o.gap_us = 30 * MIN * INT64_C(1000000);
  x->o.window_us = -1;
  x->o.collapse = 1;
}

/* PostHog v1's settings: journeys, collapse, timing=last, gap 30 minutes. */
static void fx_init_v1(fx *x) {
  fx_init(x);
  x->o.timing_last = 1;
}

static void add(fx *x, uint32_t actor, const char *name, int64_t sec) {
  gkey k = {GKEY_TEXT, 0, 0, name, strlen(name)};
  uint32_t id;
  assert_true(gkeys_intern(&x->ev.names, &k, &id) >= 0);
  gev_extra e;
  memset(&e, 0, sizeof e);
  e.event = id;
  assert_null(gevents_add(&x->ev, actor, sec * INT64_C(1000000), &e));
}

/* Adds names[i] at t0 + i * step seconds. */
static void add_run(fx *x, uint32_t actor, const char *const *names, int n, int64_t t0, int64_t step) {
  for (int i = 0; i < n; i++) add(x, actor, names[i], t0 + i * step);
}

static uint32_t item(const fx *x, const char *name) {
  if (strcmp(name, "...") == 0) return x->o.nitems;
  if (strcmp(name, "$other") == 0) return x->o.nitems + 1;
  for (uint32_t i = 0; i < gkeys_count(&x->items); i++) {
    gkey k = gkeys_get(&x->items, i);
    if (k.len == strlen(name) && memcmp(k.bytes, name, k.len) == 0) return i;
  }
  return GPATHS_DROP;
}

/* Groups, maps items, resolves the anchors by name. */
static void fx_ready(fx *x, const char *start, const char *end) {
  uint32_t n = gkeys_count(&x->ev.names);
  x->rank = gmem_alloc((n + 1) * sizeof *x->rank);
  assert_null(gpaths_name_ranks(&x->ev.names, x->rank, NULL));
  gev_order ord = {x->rank, NULL};
  assert_null(gevents_group(&x->ev, &ord, NULL));
  x->item_of = gmem_alloc((n + 1) * sizeof *x->item_of);
  x->bars = gmem_alloc(n + 1);
  assert_null(gpaths_map_items(&x->ev.names, &x->f, x->item_of, x->bars, &x->items));
  x->o.item_of = x->item_of;
  x->o.bars = x->bars;
  x->o.nitems = gkeys_count(&x->items);
  if (start) x->o.start_item = item(x, start);
  if (end) x->o.end_item = item(x, end);
  x->o.anchor = start && end ? GPATHS_BETWEEN : start ? GPATHS_START : end ? GPATHS_END : GPATHS_NONE;
}

static void fx_count(fx *x, uint32_t top, uint32_t min_actors) {
  gpaths_result_free(&x->r);
  assert_null(gpaths_count(&x->ev, &x->o, top, min_actors, &x->items, &x->r, NULL));
}

static void fx_free(fx *x) {
  gpaths_result_free(&x->r);
  gevents_free(&x->ev);
  gkeys_free(&x->items);
  gmem_free(x->item_of);
  gmem_free(x->rank);
  gmem_free(x->bars);
}

static const gpaths_row *find(const fx *x, int kind, int step, const char *from, const char *to) {
  uint32_t f = item(x, from), t = to ? item(x, to) : GPATHS_DROP;
  for (uint64_t i = 0; i < x->r.n; i++) {
    const gpaths_row *r = &x->r.row[i];
    if (r->kind == kind && r->step == step && r->from == f && r->to == t) return r;
  }
  return NULL;
}

static int count_kind(const fx *x, int kind) {
  int n = 0;
  for (uint64_t i = 0; i < x->r.n; i++) n += x->r.row[i].kind == kind;
  return n;
}

/* An edge with its journeys and average seconds. */
#define EDGE_J(x, step, a, b, j, avg) \
  do { \
    const gpaths_row *r_ = find(x, GPATHS_EDGE, step, a, b); \
    if (!r_) fail_msg("no edge %d %s -> %s", step, a, b); \
    assert_int_equal(r_->journeys, j); \
    assert_true(r_->avg_s > (avg)-1e-9 && r_->avg_s < (avg) + 1e-9); \
  } while (0)
/* A row with its distinct actors. */
#define ROW_A(x, kind, step, a, b, n) \
  do { \
    const gpaths_row *r_ = find(x, kind, step, a, b); \
    if (!r_) fail_msg("no row %d %d %s -> %s", kind, step, a, b ? b : ""); \
    assert_int_equal(r_->actors, n); \
  } while (0)

/* P1: stepLimit 2, 3, 4 add one edge each: 1, 2, 3 minutes. */
static void p1_step_limit(void **state) {
  (void)state;
  for (int steps = 2; steps <= 4; steps++) {
    fx x;
    fx_init_v1(&x);
    x.o.steps = steps;
    add(&x, 0, "/1", T(3, 21, 34));
    add(&x, 0, "/2", T(3, 22, 34));
    add(&x, 0, "/3", T(3, 24, 34));
    add(&x, 0, "/4", T(3, 27, 34));
    fx_ready(&x, NULL, NULL);
    fx_count(&x, 0, 0);
    assert_int_equal(count_kind(&x, GPATHS_EDGE), steps - 1);
    EDGE_J(&x, 1, "/1", "/2", 1, 60);
    if (steps >= 3) EDGE_J(&x, 2, "/2", "/3", 1, 120);
    else assert_null(find(&x, GPATHS_EDGE, 2, "/2", "/3"));
    if (steps >= 4) EDGE_J(&x, 3, "/3", "/4", 1, 180);
    /* a journey cut by steps is no drop-off */
    assert_int_equal(count_kind(&x, GPATHS_DROPOFF), steps == 4 ? 1 : 0);
    fx_free(&x);
  }
}

/* P2: two persons, stepLimit 4. */
static void p2_conversion_times(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.o.steps = 4;
  add(&x, 0, "/1", T(3, 21, 34));
  add(&x, 0, "/2", T(3, 22, 34));
  add(&x, 0, "/3", T(3, 24, 34));
  add(&x, 0, "/4", T(3, 27, 34));
  add(&x, 1, "/1", T(3, 21, 34));
  add(&x, 1, "/2", T(3, 23, 34));
  add(&x, 1, "/3", T(3, 27, 34));
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/2", 2, 90);
  EDGE_J(&x, 2, "/2", "/3", 2, 180);
  EDGE_J(&x, 3, "/3", "/4", 1, 180);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 3);
  /* median of 60 and 120 s; p90 (nearest rank) of two values is the larger */
  const gpaths_row *r = find(&x, GPATHS_EDGE, 1, "/1", "/2");
  assert_true(r->median_s == 90 && r->p90_s == 120);
  fx_free(&x);
}

/* P3: repeats collapse; PostHog v1 keeps the last of a run (timing=last); "/2/" cleaned to "/2". */
static void p3_removes_duplicates(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.o.steps = 4;
  x.f.groups = "/2/=>/2";
  add(&x, 0, "/1", T(3, 21, 34));
  add(&x, 0, "/1", T(3, 21, 54));
  add(&x, 0, "/2", T(3, 22, 34));
  add(&x, 0, "/2/", T(3, 22, 54));
  add(&x, 0, "/3", T(3, 24, 54));
  add(&x, 1, "/1", T(3, 21, 34));
  add(&x, 1, "/2/", T(3, 23, 34));
  add(&x, 1, "/3", T(3, 27, 34));
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/2", 2, 90);  /* 60 s and 120 s */
  EDGE_J(&x, 2, "/2", "/3", 2, 180); /* 120 s and 240 s */
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 2);
  fx_free(&x);
}

/* P4: one person, two days: two journeys, one actor. */
static void p4_session_limits(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.f.groups = "/2/=>/2";
  add(&x, 0, "/1", T(3, 21, 34));
  add(&x, 0, "/2", T(3, 22, 34));
  add(&x, 0, "/3", T(3, 24, 34));
  add(&x, 0, "/1", T(24 + 3, 21, 54));
  add(&x, 0, "/2/", T(24 + 3, 22, 54));
  add(&x, 0, "/3", T(24 + 3, 26, 54));
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/2", 2, 60);
  EDGE_J(&x, 2, "/2", "/3", 2, 180);
  ROW_A(&x, GPATHS_EDGE, 1, "/1", "/2", 1);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 2);
  fx_free(&x);
}

#define SLASHES "/3/=>/3;/4/=>/4;/about/=>/about;/after/=>/after"

static void p5_data(fx *x) {
  static const char *const p1[] = {"/1", "/2", "/3/", "/4/", "/5", "/about", "/after/"};
  static const char *const p2[] = {"/5", "/about"};
  static const char *const p3[] = {"/3/", "/4", "/about/", "/after"};
  add_run(x, 0, p1, 7, T(0, 0, 0), MIN);
  add_run(x, 1, p2, 2, T(0, 0, 0), MIN);
  add_run(x, 2, p3, 4, T(0, 0, 0), MIN);
}

/* P5: end anchor /about, steps 5. PostHog v1's seven edges, renumbered from the anchor (step 0):
** person_1 keeps /2 /3 /4 /5 /about (steps -4..0), person_2 /5 /about (-1, 0), person_3 /3 /4
** /about (-2..0): 1_/2->2_/3 = (-4,/2,/3); 2_/3->3_/4 = (-3,/3,/4); 3_/4->4_/5 = (-2,/4,/5);
** 1_/3->2_/4 = (-2,/3,/4); 4_/5->5_/about and 1_/5->2_/about = (-1,/5,/about) twice; 2_/4->3_/about
** = (-1,/4,/about). Each 1 minute. */
static void p5_end(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.f.groups = SLASHES;
  p5_data(&x);
  fx_ready(&x, NULL, "/about");
  fx_count(&x, 0, 0);
  EDGE_J(&x, -4, "/2", "/3", 1, 60);
  EDGE_J(&x, -3, "/3", "/4", 1, 60);
  EDGE_J(&x, -2, "/4", "/5", 1, 60);
  EDGE_J(&x, -2, "/3", "/4", 1, 60);
  EDGE_J(&x, -1, "/5", "/about", 2, 60);
  EDGE_J(&x, -1, "/4", "/about", 1, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 6);
  ROW_A(&x, GPATHS_NODE, 0, "/about", NULL, 3);
  /* read backward, a journey not cut by steps began where it began: person_2 at /5, person_3 at
  ** /3; person_1's was cut */
  ROW_A(&x, GPATHS_DROPOFF, -1, "/5", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, -2, "/3", NULL, 1);
  assert_int_equal(count_kind(&x, GPATHS_DROPOFF), 2);
  fx_free(&x);
}

/* P6: between /5 and /about; then /2 .. /about with stepLimit 4 keeps 2, "...", 2. */
static void p6_start_and_end(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.f.groups = SLASHES;
  p5_data(&x);
  fx_ready(&x, "/5", "/about");
  fx_count(&x, 0, 0);
  EDGE_J(&x, 0, "/5", "/about", 2, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 1);
  fx_free(&x);

  fx_init_v1(&x);
  x.f.groups = SLASHES;
  x.o.steps = 4;
  p5_data(&x);
  fx_ready(&x, "/2", "/about");
  fx_count(&x, 0, 0);
  EDGE_J(&x, 0, "/2", "/3", 1, 60);
  EDGE_J(&x, 1, "/3", "...", 1, 60);
  EDGE_J(&x, 2, "...", "/5", 1, 60);
  EDGE_J(&x, 3, "/5", "/about", 1, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 4);
  fx_free(&x);
}

static void p7_data(fx *x) {
  add(x, 0, "/1", T(3, 21, 34));
  add(x, 0, "/2", T(3, 22, 34));
  add(x, 0, "/3", T(3, 24, 34));
  add(x, 0, "/screen1", T(3, 25, 34));
  add(x, 0, "/screen2", T(3, 26, 34));
  add(x, 0, "/screen3", T(3, 28, 34));
  add(x, 0, "/custom1", T(3, 29, 34));
  add(x, 0, "/custom2", T(3, 30, 34));
  add(x, 0, "/custom3", T(3, 32, 34));
}

/* P7: all events; pageviews and screens only (include); pageviews and custom events minus
** /custom1 and /custom3 (exclude bridges /3 to /custom2: 6 minutes). stepLimit 10. */
static void p7_inclusion_exclusion(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.o.steps = 10;
  p7_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  static const char *const seq[] = {"/1",       "/2",       "/3",       "/screen1", "/screen2",
                                    "/screen3", "/custom1", "/custom2", "/custom3"};
  static const int mins[] = {1, 2, 1, 1, 2, 1, 1, 2};
  for (int i = 0; i < 8; i++) EDGE_J(&x, i + 1, seq[i], seq[i + 1], 1, mins[i] * 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 8);
  fx_free(&x);

  fx_init_v1(&x);
  x.o.steps = 10;
  x.f.include.text = "/1;/2;/3;/screen1;/screen2;/screen3";
  p7_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  for (int i = 0; i < 5; i++) EDGE_J(&x, i + 1, seq[i], seq[i + 1], 1, mins[i] * 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 5);
  fx_free(&x);

  fx_init_v1(&x);
  x.o.steps = 10;
  x.f.include.text = "/1;/2;/3;/custom1;/custom2;/custom3";
  x.f.exclude.text = "/custom1;/custom3";
  p7_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/2", 1, 60);
  EDGE_J(&x, 2, "/2", "/3", 1, 120);
  EDGE_J(&x, 3, "/3", "/custom2", 1, 360);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 3);
  fx_free(&x);
}

static void p8_data(fx *x) {
  static const char *const mid[] = {"/2/bar/1/foo", "/bar/2/foo", "/bar/33/foo"};
  for (uint32_t a = 0; a < 3; a++) {
    add(x, a, "/1", T(3, 21, 34));
    add(x, a, mid[a], T(3, 22, 34));
    add(x, a, "/3", T(3, 24, 34));
  }
}

/* P8: grouping then excluding the group bridges /1 to /3; a grouping that matches nothing
** excludes nothing (exclusion is exact on the final item). P9: the group alone. PostHog matches
** groupings unanchored; ours are anchored, so the pattern starts with '*'. */
static void p8_p9_wildcard_groups(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.o.steps = 4;
  x.f.groups = "*/bar/*/foo=>/bar/*/foo";
  x.f.exclude.text = "/bar/*/foo";
  p8_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/3", 3, 180);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 1);
  fx_free(&x);

  fx_init_v1(&x);
  x.o.steps = 4;
  x.f.groups = "/xxx/invalid/*";
  x.f.exclude.text = "/bar/*/foo";
  p8_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 6);
  fx_free(&x);

  fx_init_v1(&x);
  x.o.steps = 4;
  x.f.groups = "*/bar/*/foo=>/bar/*/foo";
  p8_data(&x);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/1", "/bar/*/foo", 3, 60);
  EDGE_J(&x, 2, "/bar/*/foo", "/3", 3, 120);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 2);
  fx_free(&x);
}

/* P10: 5 users stop at step two, 10 at step three, 20 at step four. */
static void p10_dropoffs(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  for (uint32_t a = 0; a < 35; a++) {
    add(&x, a, "step one", T(0, 0, 0));
    add(&x, a, "step two", T(0, 4, 0));
    if (a >= 5) add(&x, a, "step three", T(0, 5, 0));
    if (a >= 15) add(&x, a, "step four", T(0, 6, 0));
  }
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_DROPOFF, 2, "step two", NULL, 5);
  ROW_A(&x, GPATHS_NODE, 2, "step two", NULL, 35);
  ROW_A(&x, GPATHS_EDGE, 2, "step two", "step three", 30);
  ROW_A(&x, GPATHS_DROPOFF, 3, "step three", NULL, 10);
  ROW_A(&x, GPATHS_NODE, 3, "step three", NULL, 30);
  ROW_A(&x, GPATHS_EDGE, 3, "step three", "step four", 20);
  ROW_A(&x, GPATHS_DROPOFF, 4, "step four", NULL, 20);
  ROW_A(&x, GPATHS_NODE, 4, "step four", NULL, 20);
  assert_null(find(&x, GPATHS_EDGE, 4, "step four", "step four"));
  const gpaths_row *r = find(&x, GPATHS_EDGE, 2, "step two", "step three");
  assert_int_equal(r->from_actors, 35);
  assert_int_equal(x.r.anchor_actors, 35);
  fx_free(&x);
}

/* P11: start /2; without an edge limit the edge PostHog dropped as dangling stays. */
static void p11_start(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  static const char *const pages[] = {"/1", "/2", "/3", "/4", "/5", "/about", "/after"};
  for (uint32_t a = 0; a < 5; a++) add_run(&x, a, pages, 7, T(0, 0, 0), MIN);
  add(&x, 5, "/2", T(0, 1, 0));
  add(&x, 5, "/a", T(0, 1, 30));
  add(&x, 5, "/x", T(0, 2, 0));
  add(&x, 5, "/about", T(0, 3, 0));
  add(&x, 6, "/2", T(0, 1, 0));
  add(&x, 6, "/b", T(0, 1, 30));
  add(&x, 6, "/x", T(0, 2, 0));
  add(&x, 6, "/about", T(0, 3, 0));
  fx_ready(&x, "/2", NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 0, "/2", "/3", 5, 60);
  EDGE_J(&x, 1, "/3", "/4", 5, 60);
  EDGE_J(&x, 2, "/4", "/5", 5, 60);
  EDGE_J(&x, 3, "/5", "/about", 5, 60);
  EDGE_J(&x, 0, "/2", "/a", 1, 30);
  EDGE_J(&x, 2, "/x", "/about", 2, 60);
  fx_free(&x);
}

static void p12_data(fx *x) {
  static const char *const p1[] = {"/", "/about/"};
  static const char *const p2[] = {"/", "/pricing/", "/about"};
  static const char *const p3[] = {"/pricing", "/", "/about/"};
  static const char *const p4[] = {"/", "/pricing/"};
  static const char *const p5[] = {"/pricing", "/about", "/pricing/", "/help"};
  add_run(x, 0, p1, 2, T(0, 0, 0), MIN);
  add_run(x, 1, p2, 3, T(0, 0, 0), MIN);
  add_run(x, 2, p3, 3, T(0, 0, 0), MIN);
  add_run(x, 3, p4, 2, T(0, 0, 0), MIN);
  add_run(x, 4, p5, 4, T(0, 0, 0), MIN);
}

/* P12: start /pricing, then start /. Times are not given upstream: one minute apart. */
static void p12_paths_start(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  x.f.groups = "/about/=>/about;/pricing/=>/pricing";
  p12_data(&x);
  fx_ready(&x, "/pricing", NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 0, "/pricing", "/about", 2, 60);
  EDGE_J(&x, 0, "/pricing", "/", 1, 60);
  EDGE_J(&x, 1, "/", "/about", 1, 60);
  EDGE_J(&x, 1, "/about", "/pricing", 1, 60);
  EDGE_J(&x, 2, "/pricing", "/help", 1, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 5);
  fx_free(&x);

  fx_init_v1(&x);
  x.f.groups = "/about/=>/about;/pricing/=>/pricing";
  p12_data(&x);
  fx_ready(&x, "/", NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 0, "/", "/about", 2, 60);
  EDGE_J(&x, 0, "/", "/pricing", 2, 60);
  EDGE_J(&x, 1, "/pricing", "/about", 1, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 3);
  fx_free(&x);
}

/* P13: no anchor. */
static void p13_no_anchor(void **state) {
  (void)state;
  fx x;
  fx_init_v1(&x);
  static const char *const p1[] = {"/", "/about"};
  static const char *const p2[] = {"/", "/pricing", "/about"};
  static const char *const p3[] = {"/pricing", "/"};
  static const char *const p4[] = {"/", "/pricing"};
  add_run(&x, 0, p1, 2, T(0, 0, 0), MIN);
  add_run(&x, 1, p2, 3, T(0, 0, 0), MIN);
  add_run(&x, 2, p3, 2, T(0, 0, 0), MIN);
  add_run(&x, 3, p4, 2, T(0, 0, 0), MIN);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  EDGE_J(&x, 1, "/", "/pricing", 2, 60);
  EDGE_J(&x, 1, "/", "/about", 1, 60);
  EDGE_J(&x, 1, "/pricing", "/", 1, 60);
  EDGE_J(&x, 2, "/pricing", "/about", 1, 60);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 4);
  fx_free(&x);
}

/* PostHog v2: 2023-03-10 10:00, events 5 minutes apart. */
#define V2 INT64_C(1678442400)

static void v2_run(fx *x, uint32_t actor, const char *letters, int64_t t0) {
  for (int i = 0; letters[i]; i++) {
    char name[2] = {letters[i], 0};
    add(x, actor, name, t0 + i * 5 * MIN);
  }
}

/* P14: the open-mode grid (maxRowsPerStep 10); v2's step k is our k + 1. */
static void p14_open_grid(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  v2_run(&x, 0, "abcde", V2);
  v2_run(&x, 1, "asbcde", V2);
  v2_run(&x, 2, "abc", V2);
  v2_run(&x, 3, "a", V2);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 10, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 4);
  ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 2, "s", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 3, "c", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 3, "b", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 4, "c", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 4, "d", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 5, "d", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 5, "e", NULL, 1);
  assert_int_equal(count_kind(&x, GPATHS_NODE), 9);
  /* drop-offs 1, 0, 1, 0, 1 per step; p2's 6-item journey is cut at 5 */
  ROW_A(&x, GPATHS_DROPOFF, 1, "a", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 3, "c", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 5, "e", NULL, 1);
  assert_int_equal(count_kind(&x, GPATHS_DROPOFF), 3);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 2);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "s", 1);
  ROW_A(&x, GPATHS_EDGE, 2, "b", "c", 2);
  ROW_A(&x, GPATHS_EDGE, 2, "s", "b", 1);
  ROW_A(&x, GPATHS_EDGE, 3, "b", "c", 1);
  ROW_A(&x, GPATHS_EDGE, 3, "c", "d", 1);
  ROW_A(&x, GPATHS_EDGE, 4, "c", "d", 1);
  ROW_A(&x, GPATHS_EDGE, 4, "d", "e", 1);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 8);
  fx_free(&x);
}

/* P15: a gap of exactly 30 minutes keeps the journey; one second more splits it. */
static void p15_gap_boundary(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  add(&x, 0, "a", V2);
  add(&x, 0, "b", V2 + 30 * MIN);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 2, "b", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 1);
  assert_int_equal(x.r.n, 4);
  fx_free(&x);

  fx_init(&x);
  add(&x, 0, "a", V2);
  add(&x, 0, "b", V2 + 30 * MIN + 1);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 1, "b", NULL, 1);
  /* v2's one drop-off at step 0 is one actor; ours names the event of each */
  ROW_A(&x, GPATHS_DROPOFF, 1, "a", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 1, "b", NULL, 1);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 0);
  fx_free(&x);
}

/* P16: a a b, collapse on and off. */
static void p16_collapse(void **state) {
  (void)state;
  for (int collapse = 1; collapse >= 0; collapse--) {
    fx x;
    fx_init(&x);
    x.o.collapse = collapse;
    v2_run(&x, 0, "aab", V2);
    fx_ready(&x, NULL, NULL);
    fx_count(&x, 0, 0);
    if (collapse) {
      ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 1);
      ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 1);
      ROW_A(&x, GPATHS_DROPOFF, 2, "b", NULL, 1);
      ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 1);
      assert_int_equal(x.r.n, 4);
    } else {
      ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 1);
      ROW_A(&x, GPATHS_NODE, 2, "a", NULL, 1);
      ROW_A(&x, GPATHS_NODE, 3, "b", NULL, 1);
      ROW_A(&x, GPATHS_DROPOFF, 3, "b", NULL, 1);
      ROW_A(&x, GPATHS_EDGE, 1, "a", "a", 1);
      ROW_A(&x, GPATHS_EDGE, 2, "a", "b", 1);
      assert_int_equal(x.r.n, 6);
    }
    fx_free(&x);
  }
}

/* P17: distinct actors across an actor's journeys; journeys counted apart. */
static void p17_actor_dedup(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  v2_run(&x, 0, "ab", V2);
  v2_run(&x, 0, "ac", V2 + 4 * HOUR);
  v2_run(&x, 1, "ab", V2);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 2);
  assert_int_equal(find(&x, GPATHS_NODE, 1, "a", NULL)->journeys, 3);
  ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 2, "c", NULL, 1);
  /* v2's 2 drop-offs at step 1 are p1 and p2: b has both, c p1 again */
  ROW_A(&x, GPATHS_DROPOFF, 2, "b", NULL, 2);
  ROW_A(&x, GPATHS_DROPOFF, 2, "c", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 2);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "c", 1);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 2);
  fx_free(&x);
}

/* P18: top=1 per step; m2 and m3 of one actor merge into "$other", counted once. */
static void p18_other(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  v2_run(&x, 0, "xm", V2);
  fx_free(&x);
  fx_init(&x);
  add(&x, 0, "x", V2);
  add(&x, 0, "m1", V2 + 5 * MIN);
  add(&x, 1, "x", V2);
  add(&x, 1, "m2", V2 + 5 * MIN);
  add(&x, 1, "x", V2 + 4 * HOUR);
  add(&x, 1, "m3", V2 + 4 * HOUR + 5 * MIN);
  add(&x, 2, "x", V2);
  add(&x, 2, "m1", V2 + 5 * MIN);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 1, 0);
  ROW_A(&x, GPATHS_NODE, 1, "x", NULL, 3);
  ROW_A(&x, GPATHS_NODE, 2, "m1", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 2, "$other", NULL, 1);
  assert_int_equal(find(&x, GPATHS_NODE, 2, "$other", NULL)->journeys, 2);
  assert_int_equal(count_kind(&x, GPATHS_NODE), 3);
  /* v2: drop-off 3 at step 1 = m1's 2 + $other's 1 */
  ROW_A(&x, GPATHS_DROPOFF, 2, "m1", NULL, 2);
  ROW_A(&x, GPATHS_DROPOFF, 2, "$other", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "x", "m1", 2);
  ROW_A(&x, GPATHS_EDGE, 1, "x", "$other", 1);
  assert_int_equal(count_kind(&x, GPATHS_EDGE), 2);
  fx_free(&x);
}

/* P19: the date range clips rows before journeys are built: the source gives March only. */
static void p19_range_clips(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  /* a@02-28 23:50 is outside the range and not added; b@03-01 00:05, c@00:10 */
  int64_t mar1 = INT64_C(1677628800);
  add(&x, 0, "b", mar1 + 5 * MIN);
  add(&x, 0, "c", mar1 + 10 * MIN);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "b", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 2, "c", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 2, "c", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "b", "c", 1);
  assert_int_equal(x.r.n, 4);
  fx_free(&x);
}

/* P20: excluded items leave the universe: p2 (only x) has no journey. */
static void p20_excluded(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  x.f.exclude.text = "x";
  v2_run(&x, 0, "axb", V2);
  v2_run(&x, 1, "x", V2);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 2, "b", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 1);
  assert_int_equal(x.r.n, 4);
  assert_int_equal(x.r.anchor_actors, 1);
  fx_free(&x);
}

/* P21: maxSteps 3. */
static void p21_steps(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  x.o.steps = 3;
  v2_run(&x, 0, "abcde", V2);
  v2_run(&x, 1, "abc", V2);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 1, "a", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 2, "b", NULL, 2);
  ROW_A(&x, GPATHS_NODE, 3, "c", NULL, 2);
  ROW_A(&x, GPATHS_DROPOFF, 3, "c", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 2);
  ROW_A(&x, GPATHS_EDGE, 2, "b", "c", 2);
  assert_int_equal(x.r.n, 6);
  fx_free(&x);
}

/* P22: start anchor a; then a 30-minute window (no gap splitting). */
static void p22_anchored_start(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  v2_run(&x, 0, "abc", V2);
  v2_run(&x, 1, "abd", V2);
  v2_run(&x, 2, "ax", V2);
  v2_run(&x, 3, "zab", V2);
  fx_ready(&x, "a", NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 0, "a", NULL, 4);
  ROW_A(&x, GPATHS_NODE, 1, "b", NULL, 3);
  ROW_A(&x, GPATHS_NODE, 1, "x", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 2, "c", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 2, "d", NULL, 1);
  /* v2's drop-offs: 2 at step 1 (p3 at x, p4 at b), 2 at step 2 */
  ROW_A(&x, GPATHS_DROPOFF, 1, "x", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 1, "b", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 2, "c", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 2, "d", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 0, "a", "b", 3);
  ROW_A(&x, GPATHS_EDGE, 0, "a", "x", 1);
  ROW_A(&x, GPATHS_EDGE, 1, "b", "c", 1);
  ROW_A(&x, GPATHS_EDGE, 1, "b", "d", 1);
  assert_int_equal(x.r.n, 13);
  fx_free(&x);

  fx_init(&x);
  x.o.window_us = 30 * MIN * INT64_C(1000000);
  x.o.gap_us = -1;
  add(&x, 0, "a", V2);
  add(&x, 0, "b", V2 + 40 * MIN);
  add(&x, 1, "b", V2);
  add(&x, 1, "c", V2 + 5 * MIN);
  add(&x, 2, "a", V2);
  add(&x, 2, "b", V2 + 20 * MIN);
  fx_ready(&x, "a", NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 0, "a", NULL, 2);
  ROW_A(&x, GPATHS_DROPOFF, 0, "a", NULL, 1);
  ROW_A(&x, GPATHS_NODE, 1, "b", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 1, "b", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, 0, "a", "b", 1);
  assert_int_equal(x.r.n, 5);
  fx_free(&x);
}

/* P23: end anchor x read backward; our edges keep time order (from the earlier node). */
static void p23_anchored_end(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  v2_run(&x, 0, "abx", V2);
  v2_run(&x, 1, "cbx", V2);
  fx_ready(&x, NULL, "x");
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 0, "x", NULL, 2);
  ROW_A(&x, GPATHS_NODE, -1, "b", NULL, 2);
  ROW_A(&x, GPATHS_NODE, -2, "a", NULL, 1);
  ROW_A(&x, GPATHS_NODE, -2, "c", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, -2, "a", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, -2, "c", NULL, 1);
  ROW_A(&x, GPATHS_EDGE, -1, "b", "x", 2);
  ROW_A(&x, GPATHS_EDGE, -2, "a", "b", 1);
  ROW_A(&x, GPATHS_EDGE, -2, "c", "b", 1);
  assert_int_equal(x.r.n, 9);
  fx_free(&x);
}

/* Amplitude: A 04-01 09:00, A 10:00, B 04-02 09:30, start A, first occurrence, 1-day window:
** from the first A, B is 24.5 hours later: a drop-off at A (legacy Pathfinder converted). */
static void amplitude_first_occurrence(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  x.o.window_us = 24 * HOUR * INT64_C(1000000);
  x.o.gap_us = -1;
  int64_t apr1 = INT64_C(1680307200);
  add(&x, 0, "A", apr1 + 9 * HOUR);
  add(&x, 0, "A", apr1 + 10 * HOUR);
  add(&x, 0, "B", apr1 + 33 * HOUR + 30 * MIN);
  fx_ready(&x, "A", NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 0, "A", NULL, 1);
  ROW_A(&x, GPATHS_DROPOFF, 0, "A", NULL, 1);
  assert_int_equal(x.r.n, 2);
  fx_free(&x);
}

/* exclude_actors: Mixpanel's exclusion step removes the actor, not the event. */
static void exclude_actors_removes_actors(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  x.f.exclude_actors.text = "x";
  v2_run(&x, 0, "axb", V2);
  v2_run(&x, 1, "ab", V2);
  fx_ready(&x, NULL, NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_EDGE, 1, "a", "b", 1);
  assert_int_equal(x.r.n, 4);
  fx_free(&x);
}

/* occurrence=every: a journey from the first anchor of each segment (PostHog v1). */
static void every_occurrence(void **state) {
  (void)state;
  fx x;
  fx_init(&x);
  x.o.every = 1;
  v2_run(&x, 0, "zab", V2);
  v2_run(&x, 0, "ac", V2 + 4 * HOUR);
  fx_ready(&x, "a", NULL);
  fx_count(&x, 0, 0);
  ROW_A(&x, GPATHS_NODE, 0, "a", NULL, 1);
  assert_int_equal(find(&x, GPATHS_NODE, 0, "a", NULL)->journeys, 2);
  ROW_A(&x, GPATHS_EDGE, 0, "a", "b", 1);
  ROW_A(&x, GPATHS_EDGE, 0, "a", "c", 1);
  fx_free(&x);
  /* first (the default): only the first */
  fx_init(&x);
  v2_run(&x, 0, "zab", V2);
  v2_run(&x, 0, "ac", V2 + 4 * HOUR);
  fx_ready(&x, "a", NULL);
  fx_count(&x, 0, 0);
  assert_int_equal(find(&x, GPATHS_NODE, 0, "a", NULL)->journeys, 1);
  assert_null(find(&x, GPATHS_EDGE, 0, "a", "c"));
  fx_free(&x);
}

/* churn points, by hand: as_of = day 100, churned = 30 days.
**   actor 0: x day 1, y day 50   last y, 50 days: churned
**   actor 1: y day 60            40 days: churned
**   actor 2: x day 90            10 days: active
**   actor 3: y day 65, z day 70  exactly 30 days: churned ("at least")
**   actor 4: y day 65, y day 66  34 days: churned
** depth 1: y 3 actors (median of 50, 40, 34 = 40), z 1 (30); depth 2 with collapse: x>y, y (40
** and 34: median 37), y>z; without: y>y apart from y. */
static const gpaths_churn_row *churn_find(const gpaths_churn_result *r, const fx *x, const char *seq) {
  for (uint32_t i = 0; i < r->n; i++) {
    gkey k = gkeys_get(&r->seqs, r->row[i].seq);
    char text[64] = "";
    const uint32_t *it = k.bytes;
    for (size_t j = 0; j < k.len / 4; j++) {
      if (j) strcat(text, ">");
      strcat(text, name_of(x, it[j]));
    }
    if (strcmp(text, seq) == 0) return &r->row[i];
  }
  return NULL;
}

static void churn_points_by_hand(void **state) {
  (void)state;
  const int64_t day = 86400;
  for (int round = 0; round < 3; round++) {
    fx x;
    fx_init(&x);
    x.o.collapse = round != 2;
    add(&x, 0, "x", V2 + 1 * day);
    add(&x, 0, "y", V2 + 50 * day);
    add(&x, 1, "y", V2 + 60 * day);
    add(&x, 2, "x", V2 + 90 * day);
    add(&x, 3, "y", V2 + 65 * day);
    add(&x, 3, "z", V2 + 70 * day);
    add(&x, 4, "y", V2 + 65 * day);
    add(&x, 4, "y", V2 + 66 * day);
    fx_ready(&x, NULL, NULL);
    gpaths_churn_result r;
    int depth = round == 0 ? 1 : 2;
    assert_null(gpaths_churn(&x.ev, &x.o, depth, (V2 + 100 * day) * 1000000, 30 * day * 1000000, &r, NULL));
    assert_int_equal(r.churned, 4);
    if (round == 0) {
      assert_int_equal(r.n, 2);
      assert_int_equal(churn_find(&r, &x, "y")->actors, 3);
      assert_true(churn_find(&r, &x, "y")->median_days == 40);
      assert_int_equal(churn_find(&r, &x, "z")->actors, 1);
      assert_true(churn_find(&r, &x, "z")->median_days == 30);
    } else if (round == 1) {
      assert_int_equal(r.n, 3);
      assert_int_equal(churn_find(&r, &x, "x>y")->actors, 1);
      assert_int_equal(churn_find(&r, &x, "y")->actors, 2);
      assert_true(churn_find(&r, &x, "y")->median_days == 37);
      assert_int_equal(churn_find(&r, &x, "y>z")->actors, 1);
    } else {
      assert_int_equal(r.n, 4);
      assert_int_equal(churn_find(&r, &x, "y>y")->actors, 1);
      assert_int_equal(churn_find(&r, &x, "y")->actors, 1);
    }
    gpaths_churn_free(&r);
    fx_free(&x);
  }
}

static void wildcards(void **state) {
  (void)state;
  assert_true(gpaths_wildcard("*", 1, "", 0));
  assert_true(gpaths_wildcard("a*c", 3, "abbbc", 5));
  assert_false(gpaths_wildcard("a*c", 3, "abbbcd", 6));
  assert_true(gpaths_wildcard("/bar/*/foo", 10, "/bar/2/foo", 10));
  assert_false(gpaths_wildcard("/bar/*/foo", 10, "/2/bar/1/foo", 12)); /* anchored, unlike PostHog */
  assert_true(gpaths_wildcard("*a*a*a", 6, "aaaa", 4));
  assert_false(gpaths_wildcard("a", 1, "ab", 2));
}

/* ---- properties on random histories ---- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

typedef struct rrow {
  uint32_t actor;
  const char *name;
  int64_t sec;
} rrow;

static const char *const NAMES[] = {"home", "list", "item", "cart", "pay", "help"};

static const char *name_of(const fx *x, uint32_t id) {
  static char buf[2][64];
  static int flip;
  if (id == GPATHS_DROP) return "(none)";
  if (id == x->o.nitems) return "...";
  if (id == x->o.nitems + 1) return "$other";
  gkey k = gkeys_get(&x->items, id);
  char *b = buf[flip ^= 1];
  snprintf(b, sizeof buf[0], "%.*s", (int)k.len, (const char *)k.bytes);
  return b;
}

static void build_from(fx *x, const rrow *rows, size_t n, int anchor, int top) {
  fx_init(x);
  for (size_t i = 0; i < n; i++) add(x, rows[i].actor, rows[i].name, rows[i].sec);
  fx_ready(x, anchor == 1 || anchor == 3 ? "list" : NULL, anchor == 2 || anchor == 3 ? "pay" : NULL);
  fx_count(x, (uint32_t)top, 0);
}

static void properties_on_random_histories(void **state) {
  (void)state;
  for (int round = 0; round < 60; round++) {
    size_t n = 1 + next_rand() % 400;
    rrow *rows = malloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
      rows[i].actor = (uint32_t)(next_rand() % 12);
      rows[i].name = NAMES[next_rand() % 6];
      /* coarse times: many ties, and gaps near the 30-minute bound */
      rows[i].sec = V2 + (int64_t)(next_rand() % 40) * 15 * MIN / 2;
    }
    int anchor = round % 4, top = round % 3 == 0 ? 2 : 0;
    fx a, b;
    build_from(&a, rows, n, anchor, top);
    /* the same rows shuffled; actor ids renumbered in a new order of first appearance */
    for (size_t i = n; i > 1; i--) {
      size_t j = next_rand() % i;
      rrow t = rows[i - 1];
      rows[i - 1] = rows[j];
      rows[j] = t;
    }
    uint32_t map[12], next = 0;
    for (int k = 0; k < 12; k++) map[k] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
      if (map[rows[i].actor] == UINT32_MAX) map[rows[i].actor] = next++;
      rows[i].actor = map[rows[i].actor];
    }
    build_from(&b, rows, n, anchor, top);
    assert_int_equal(a.r.n, b.r.n);
    for (uint64_t i = 0; i < a.r.n; i++) {
      const gpaths_row *p = &a.r.row[i], *q = &b.r.row[i];
      assert_int_equal(p->kind, q->kind);
      assert_int_equal(p->step, q->step);
      /* item ids differ between the two builds: compare names */
      assert_string_equal(name_of(&a, p->from), name_of(&b, q->from));
      assert_string_equal(name_of(&a, p->to), name_of(&b, q->to));
      assert_int_equal(p->actors, q->actors);
      assert_int_equal(p->journeys, q->journeys);
      assert_true(p->avg_s == q->avg_s && p->median_s == q->median_s && p->p90_s == q->p90_s);
      /* journeys >= actors; an edge or drop-off never has more actors than its node */
      assert_true(p->journeys >= p->actors);
      if (p->kind != GPATHS_NODE) assert_true(p->actors <= p->from_actors);
    }
    /* the sum of the actors of the edges out of a node, with its drop-offs, may exceed the
    ** node's actors (an actor's journeys go different ways), but their journeys add up exactly
    ** to the node's journeys minus those cut by steps */
    for (uint64_t i = 0; i < a.r.n; i++) {
      const gpaths_row *nd = &a.r.row[i];
      if (nd->kind != GPATHS_NODE) continue;
      uint64_t out = 0;
      for (uint64_t k = 0; k < a.r.n; k++) {
        const gpaths_row *e = &a.r.row[k];
        int same = e->from == nd->from && e->step == nd->step;
        if (same && e->kind != GPATHS_NODE) out += e->journeys;
      }
      if (anchor != 2) assert_true(out <= nd->journeys);
    }
    fx_free(&a);
    fx_free(&b);
    free(rows);
  }
}

/* Every allocation failing in turn gives "out of memory", never a crash or a leak. */
static void out_of_memory(void **state) {
  (void)state;
  for (long k = 1; k < 400; k++) {
    fx x;
    fx_init(&x);
    x.o.steps = 3;
    v2_run(&x, 0, "abcde", V2);
    v2_run(&x, 1, "abc", V2);
    fx_ready(&x, NULL, NULL);
    arm(k, 1);
    const char *why = gpaths_count(&x.ev, &x.o, 1, 0, &x.items, &x.r, NULL);
    int failed = failures;
    disarm();
    if (failed) assert_non_null(why);
    else assert_null(why);
    fx_free(&x);
    if (!failed) break;
  }
}

int main(void) {
  if (failing_alloc_install()) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(p1_step_limit),
    cmocka_unit_test(p2_conversion_times),
    cmocka_unit_test(p3_removes_duplicates),
    cmocka_unit_test(p4_session_limits),
    cmocka_unit_test(p5_end),
    cmocka_unit_test(p6_start_and_end),
    cmocka_unit_test(p7_inclusion_exclusion),
    cmocka_unit_test(p8_p9_wildcard_groups),
    cmocka_unit_test(p10_dropoffs),
    cmocka_unit_test(p11_start),
    cmocka_unit_test(p12_paths_start),
    cmocka_unit_test(p13_no_anchor),
    cmocka_unit_test(p14_open_grid),
    cmocka_unit_test(p15_gap_boundary),
    cmocka_unit_test(p16_collapse),
    cmocka_unit_test(p17_actor_dedup),
    cmocka_unit_test(p18_other),
    cmocka_unit_test(p19_range_clips),
    cmocka_unit_test(p20_excluded),
    cmocka_unit_test(p21_steps),
    cmocka_unit_test(p22_anchored_start),
    cmocka_unit_test(p23_anchored_end),
    cmocka_unit_test(amplitude_first_occurrence),
    cmocka_unit_test(exclude_actors_removes_actors),
    cmocka_unit_test(every_occurrence),
    cmocka_unit_test(churn_points_by_hand),
    cmocka_unit_test(wildcards),
    cmocka_unit_test(properties_on_random_histories),
    cmocka_unit_test(out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
