/*
** test_lifecycle_engine.c: the lifecycle core (ext/lifecycle_engine.h).
**
** Expected values come from (a) PostHog's lifecycle test vector L1 (test_lifecycle_query_runner.py,
** test_lifecycle_query_whole_range: dataset p1 11,12,13,15,17,19; p2 9,12; p3 12; p4 15 of
** 2020-01), written out below; (b) Duolingo's growth-model state table (blog.duolingo.com
** "growth model"), checked day by day on a hand-made history; and (c) independent
** implementations in this file that follow the definitions literally, one boolean per (actor,
** period) and one boolean per (actor, day) window, compared on random histories with the core's
** run-walking, period caching and binary searches.
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

#include "lifecycle_engine.h"

#define DAY GTIME_US_PER_DAY
/* 2020-01-01 00:00 UTC */
#define JAN1_2020 (INT64_C(1577836800) * GTIME_US_PER_SEC)
#define JAN(d) (JAN1_2020 + ((d) - 1) * DAY + 12 * 3600 * GTIME_US_PER_SEC)

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Adds (actor, ts) rows and groups them. */
static void build(gevents *ev, const uint32_t *actor, const int64_t *ts, size_t n) {
  gevents_init(ev, 0, 0);
  for (size_t i = 0; i < n; i++) assert_null(gevents_add(ev, actor[i], ts[i], NULL));
  assert_null(gevents_group(ev, NULL, NULL));
}

static glc_opts day_opts(int64_t first_day, int64_t last_day) {
  glc_opts o;
  memset(&o, 0, sizeof o);
  o.cal.period = GPERIOD_DAY;
  o.first = first_day;
  o.last = last_day;
  return o;
}

#define DAYNO(d) (JAN1_2020 / DAY + (d) - 1)

/* L1: PostHog's whole-range vector, day periods 2020-01-09 .. 2020-01-19. */
static void posthog_l1_whole_range(void **state) {
  (void)state;
  static const uint32_t actor[] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 3};
  const int64_t ts[] = {JAN(11), JAN(12), JAN(13), JAN(15), JAN(17), JAN(19), JAN(9), JAN(12), JAN(12), JAN(15)};
  gevents ev;
  build(&ev, actor, ts, 10);
  glc_opts o = day_opts(DAYNO(9), DAYNO(19));
  glc_cell cells[11];
  memset(cells, 0, sizeof cells);
  assert_null(glc_count(&ev, &o, cells, NULL));
  static const uint32_t want_new[11] = {1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0};
  static const uint32_t want_ret[11] = {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0};
  static const uint32_t want_res[11] = {0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1};
  static const uint32_t want_dor[11] = {0, 1, 0, 0, 2, 1, 0, 2, 0, 1, 0};
  for (int t = 0; t < 11; t++) {
    assert_int_equal(cells[t].n[GLC_C_NEW], want_new[t]);
    assert_int_equal(cells[t].n[GLC_C_RETAINED], want_ret[t]);
    assert_int_equal(cells[t].n[GLC_C_RESURRECTING], want_res[t]);
    assert_int_equal(cells[t].n[GLC_C_DORMANT], want_dor[t]);
  }
  /* dormant on the 13th: p2 (resurrecting on the 12th) and p3 (new on the 12th) */
  assert_int_equal(cells[4].n[GLC_C_DORMANT_FROM_NEW], 1);
  assert_int_equal(cells[4].n[GLC_C_DORMANT_FROM_RESURRECTING], 1);
  /* the 14th: p1, retained on the 13th */
  assert_int_equal(cells[5].n[GLC_C_DORMANT_FROM_RETAINED], 1);

  /* the same under compat=posthog with no first_seen (= the first row): identical, since the
  ** window starts one day before the data */
  o.posthog = 1;
  glc_cell again[11];
  memset(again, 0, sizeof again);
  assert_null(glc_count(&ev, &o, again, NULL));
  assert_memory_equal(cells, again, sizeof cells);

  /* lifecycle_actors rows for p2 (id 1): new 9, dormant 10 (prev new), resurrecting 12 (prev
  ** none: the 11th was no status), dormant 13 (prev resurrecting) */
  uint32_t order[4] = {1, 0, 2, 3};
  glc_actor_row *rows;
  uint64_t n;
  o.posthog = 0;
  assert_null(glc_actor_rows(&ev, &o, order, &rows, &n, NULL));
  /* 6 + 4 + 2 + 2 rows: p1 6 active + 3 dormant (14, 16, 18; the 20th is not listed) = 9 */
  assert_int_equal(n, 4 + 9 + 2 + 2);
  assert_int_equal(rows[0].actor, 1);
  assert_int_equal(rows[0].period, 0);
  assert_int_equal(rows[0].status, GLC_NEW);
  assert_int_equal(rows[0].prev, GLC_NONE);
  assert_int_equal(rows[1].period, 1);
  assert_int_equal(rows[1].status, GLC_DORMANT);
  assert_int_equal(rows[1].prev, GLC_NEW);
  assert_int_equal(rows[2].period, 3);
  assert_int_equal(rows[2].status, GLC_RESURRECTING);
  assert_int_equal(rows[2].prev, GLC_NONE);
  assert_int_equal(rows[3].period, 4);
  assert_int_equal(rows[3].status, GLC_DORMANT);
  assert_int_equal(rows[3].prev, GLC_RESURRECTING);
  /* p1 on the 15th (period 6): resurrecting after being dormant on the 14th */
  assert_int_equal(rows[4 + 4].actor, 0);
  assert_int_equal(rows[4 + 4].period, 6);
  assert_int_equal(rows[4 + 4].status, GLC_RESURRECTING);
  assert_int_equal(rows[4 + 4].prev, GLC_DORMANT);
  gmem_free(rows);
  gevents_free(&ev);
}

/* L5 (PostHog legacy test_lifecycle_edge_cases): person created 2020-01-11 12:00, events 12, 13,
** 15, 16; range 11 .. 18. Under compat=posthog the 12th is resurrecting (created the 11th). */
static void posthog_l5_created_before_first_event(void **state) {
  (void)state;
  static const uint32_t actor[] = {0, 0, 0, 0};
  const int64_t ts[] = {JAN(12), JAN(13), JAN(15), JAN(16)};
  gevents ev;
  build(&ev, actor, ts, 4);
  glc_opts o = day_opts(DAYNO(11), DAYNO(18));
  const int64_t created[1] = {JAN(11)};
  o.posthog = 1;
  o.first_seen = created;
  glc_cell c[8];
  memset(c, 0, sizeof c);
  assert_null(glc_count(&ev, &o, c, NULL));
  static const uint32_t res[8] = {0, 1, 0, 0, 1, 0, 0, 0}, ret[8] = {0, 0, 1, 0, 0, 1, 0, 0},
                        dor[8] = {0, 0, 0, 1, 0, 0, 1, 0};
  for (int t = 0; t < 8; t++) {
    assert_int_equal(c[t].n[GLC_C_NEW], 0);
    assert_int_equal(c[t].n[GLC_C_RESURRECTING], res[t]);
    assert_int_equal(c[t].n[GLC_C_RETAINED], ret[t]);
    assert_int_equal(c[t].n[GLC_C_DORMANT], dor[t]);
  }
  /* the default (full history, first activity): new on the 12th */
  o.posthog = 0;
  memset(c, 0, sizeof c);
  assert_null(glc_count(&ev, &o, c, NULL));
  assert_int_equal(c[1].n[GLC_C_NEW], 1);
  assert_int_equal(c[1].n[GLC_C_RESURRECTING], 0);
  gevents_free(&ev);
}

/* ---- random histories against the literal definitions ---- */

#define R_ACTORS 60
#define R_DAYS 40

/* status of actor a in period t from booleans: -1 none */
static int ref_status(const int act[R_ACTORS][R_DAYS + 2], int a, int t) {
  if (act[a][t]) {
    int before = 0;
    for (int u = 0; u < t; u++) before |= act[a][u];
    if (!before) return GLC_NEW;
    return t > 0 && act[a][t - 1] ? GLC_RETAINED : GLC_RESURRECTING;
  }
  return t > 0 && act[a][t - 1] ? GLC_DORMANT : -1;
}

static void random_histories_match_definitions(void **state) {
  (void)state;
  for (int round = 0; round < 30; round++) {
    static int act[R_ACTORS][R_DAYS + 2];
    memset(act, 0, sizeof act);
    uint32_t actor[4000];
    int64_t ts[4000];
    size_t n = 0;
    int density = 1 + (int)(next_rand() % 6);
    for (int a = 0; a < R_ACTORS; a++)
      for (int t = 0; t < R_DAYS; t++)
        if ((int)(next_rand() % 10) < density) {
          act[a][t] = 1;
          int k = 1 + (int)(next_rand() % 3);
          for (int j = 0; j < k; j++) {
            actor[n] = (uint32_t)a;
            ts[n] = JAN1_2020 + t * DAY + (int64_t)(next_rand() % 86400) * GTIME_US_PER_SEC;
            n++;
          }
        }
    /* shuffle the rows: the result must not depend on their order */
    for (size_t i = n; i > 1; i--) {
      size_t j = next_rand() % i;
      uint32_t ta = actor[i - 1];
      int64_t tt = ts[i - 1];
      actor[i - 1] = actor[j], ts[i - 1] = ts[j];
      actor[j] = ta, ts[j] = tt;
    }
    gevents ev;
    build(&ev, actor, ts, n);
    int from = (int)(next_rand() % 10), to = from + (int)(next_rand() % (R_DAYS + 1 - from));
    glc_opts o = day_opts(JAN1_2020 / DAY + from, JAN1_2020 / DAY + to);
    /* two segments by actor parity (the ids are the actors here: gevents_add took them as given) */
    uint32_t seg[R_ACTORS];
    for (uint32_t id = 0; id < R_ACTORS; id++) seg[id] = id % 2;
    glc_cell *cells = calloc(2 * (size_t)(to - from + 1), sizeof *cells);
    o.segment_of = seg;
    o.nsegments = 2;
    assert_null(glc_count(&ev, &o, cells, NULL));
    for (int s = 0; s < 2; s++)
      for (int t = from; t <= to; t++) {
        uint32_t want[GLC_NCOUNTS] = {0};
        for (int a = s; a < R_ACTORS; a += 2) {
          int st = ref_status(act, a, t);
          if (st < 0) continue;
          want[st]++;
          if (st == GLC_DORMANT) want[GLC_C_DORMANT_FROM_NEW + ref_status(act, a, t - 1)]++;
        }
        const glc_cell *c = &cells[s * (to - from + 1) + (t - from)];
        for (int k = 0; k < GLC_NCOUNTS; k++) assert_int_equal(c->n[k], want[k]);
        /* the identity, from the rows themselves: active(t) - active(t-1) = new + res - dormant */
        int active_t = 0, active_prev = 0;
        for (int a = s; a < R_ACTORS; a += 2) active_t += act[a][t], active_prev += t > 0 && act[a][t - 1];
        assert_int_equal(active_t - active_prev, (int)c->n[GLC_C_NEW] + (int)c->n[GLC_C_RESURRECTING] -
                                                     (int)c->n[GLC_C_DORMANT]);
      }
    /* lifecycle_actors: the same statuses, with prev = the status in t-1 */
    uint32_t order[R_ACTORS];
    for (uint32_t i = 0; i < ev.nactors; i++) order[i] = ev.nactors - 1 - i;
    glc_actor_row *rows;
    uint64_t nrows;
    o.segment_of = NULL;
    assert_null(glc_actor_rows(&ev, &o, order, &rows, &nrows, NULL));
    uint64_t k = 0;
    for (uint32_t i = 0; i < ev.nactors; i++) {
      int a = (int)order[i];
      for (int t = from; t <= to; t++) {
        int st = ref_status(act, a, t);
        if (st < 0) continue;
        assert_true(k < nrows);
        assert_int_equal(rows[k].actor, a);
        assert_int_equal(rows[k].period, t - from);
        assert_int_equal(rows[k].status, st);
        int prev = ref_status(act, a, t - 1 < 0 ? R_DAYS + 1 : t - 1);
        assert_int_equal(rows[k].prev, prev < 0 ? GLC_NONE : prev);
        k++;
      }
    }
    assert_int_equal(k, nrows);
    gmem_free(rows);
    free(cells);
    gevents_free(&ev);
  }
}

/* compat=posthog on random histories: the PostHog array rule written as in its HogQL runner
** (lifecycle_query_runner.py): periods loaded from first-1; the first loaded period is new iff
** it equals trunc(created_at); later ones returning iff the previous loaded period is one before. */
static void posthog_rule_on_random_histories(void **state) {
  (void)state;
  for (int round = 0; round < 30; round++) {
    static int act[R_ACTORS][R_DAYS + 2];
    memset(act, 0, sizeof act);
    uint32_t actor[4000];
    int64_t ts[4000];
    int64_t created[R_ACTORS];
    size_t n = 0;
    for (int a = 0; a < R_ACTORS; a++) {
      for (int t = 0; t < R_DAYS; t++)
        if (next_rand() % 3 == 0) {
          act[a][t] = 1;
          actor[n] = (uint32_t)a;
          ts[n++] = JAN1_2020 + t * DAY + 3600 * GTIME_US_PER_SEC;
        }
      if (!n || actor[n - 1] != (uint32_t)a) {  /* every actor has a row */
        act[a][0] = 1;
        actor[n] = (uint32_t)a;
        ts[n++] = JAN1_2020 + 3600 * GTIME_US_PER_SEC;
      }
      created[a] = next_rand() % 4 == 0 ? INT64_MAX : JAN1_2020 + (int64_t)(next_rand() % R_DAYS) * DAY;
    }
    gevents ev;
    build(&ev, actor, ts, n);
    int from = (int)(next_rand() % 20), to = from + (int)(next_rand() % (R_DAYS - from));
    glc_opts o = day_opts(JAN1_2020 / DAY + from, JAN1_2020 / DAY + to);
    o.posthog = 1;
    o.first_seen = created;
    glc_cell *cells = calloc((size_t)(to - from + 1), sizeof *cells);
    assert_null(glc_count(&ev, &o, cells, NULL));
    uint32_t want[R_DAYS + 2][4];
    memset(want, 0, sizeof want);
    for (int a = 0; a < R_ACTORS; a++) {
      int first_day = 0;
      while (!act[a][first_day]) first_day++;
      int created_day = created[a] == INT64_MAX ? first_day : (int)((created[a] - JAN1_2020) / DAY);
      int prev = -100, k = 0;
      for (int t = from - 1 < 0 ? 0 : from - 1; t <= to + 1; t++) {
        if (!act[a][t]) continue;
        int st = k == 0 ? (created_day == t ? GLC_NEW : GLC_RESURRECTING) : prev == t - 1 ? GLC_RETAINED : GLC_RESURRECTING;
        if (t >= from && t <= to) want[t][st]++;
        prev = t;
        k++;
      }
      /* dormant: the period after each loaded active period that is not followed by activity */
      for (int t = from - 1 < 0 ? 0 : from - 1; t <= to; t++)
        if (act[a][t] && !act[a][t + 1] && t + 1 >= from && t + 1 <= to) want[t + 1][GLC_DORMANT]++;
    }
    for (int t = from; t <= to; t++)
      for (int s = 0; s < 4; s++) assert_int_equal(cells[t - from].n[s], want[t][s]);
    free(cells);
    gevents_free(&ev);
  }
}

/* ---- actor_status ---- */

/* The Duolingo table, literally: booleans over day windows. */
static int ref_state(const int *active, int d, int S, int L) {
  int first = -1;
  for (int u = 0; u <= d; u++)
    if (active[u]) { first = u; break; }
  if (first < 0) return GAS_NSTATES;
  int today = active[d], recent = 0, mid = 0, old = 0;
  for (int u = d - S + 1; u <= d - 1; u++) recent |= u >= 0 && active[u];
  for (int u = d - L + 1; u <= d - S; u++) mid |= u >= 0 && active[u];
  for (int u = 0; u <= d - L; u++) old |= active[u];
  if (first == d) return GAS_NEW;
  if (today) return recent ? GAS_CURRENT : mid ? GAS_REACTIVATED : GAS_RESURRECTED;
  return recent ? GAS_AT_RISK_WAU : mid ? GAS_AT_RISK_MAU : GAS_DORMANT;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void actor_status_matches_duolingo_table(void **state) {
  (void)state;
  enum { DAYS = 120 };
  for (int round = 0; round < 40; round++) {
    static int act[R_ACTORS][DAYS];
    memset(act, 0, sizeof act);
    uint32_t actor[20000];
    int64_t ts[20000];
    size_t n = 0;
    int32_t offset = (int32_t)(next_rand() % 3) * 8 * 3600 - 8 * 3600;  /* -08:00, 00:00, +08:00 */
    int S = 2 + (int)(next_rand() % 10), L = S + 1 + (int)(next_rand() % 40);
    int d = 60 + (int)(next_rand() % 60);
    for (int a = 0; a < R_ACTORS; a++) {
      int p = 1 + (int)(next_rand() % 30);
      for (int u = 0; u <= d; u++)
        if ((int)(next_rand() % 100) < p) {
          act[a][u] = 1;
          int k = 1 + (int)(next_rand() % 2);
          for (int j = 0; j < k; j++) {
            actor[n] = (uint32_t)a;
            /* a local instant of day u */
            ts[n++] = JAN1_2020 + u * DAY + (int64_t)(next_rand() % 86400) * GTIME_US_PER_SEC -
                      (int64_t)offset * GTIME_US_PER_SEC;
          }
        }
    }
    gevents ev;
    build(&ev, actor, ts, n);
    gas_opts o = {offset, JAN1_2020 / DAY + d, S, L, 1 + (int)(next_rand() % 8)};
    gas_row *rows = calloc(ev.nactors ? ev.nactors : 1, sizeof *rows);
    assert_null(gas_compute(&ev, &o, rows, NULL));
    for (uint32_t a = 0; a < ev.nactors; a++) {
      int want = ref_state(act[a], d, S, L);
      assert_int_equal(rows[a].state, want);
      if (want == GAS_NSTATES) continue;
      int first = 0, last = 0, nd = 0, sd = 0, ld = 0, days[DAYS];
      while (!act[a][first]) first++;
      for (int u = 0; u <= d; u++)
        if (act[a][u]) {
          last = u;
          days[nd++] = u;
          sd += u > d - S;
          ld += u > d - L;
        }
      assert_int_equal(rows[a].days_since_last, d - last);
      assert_int_equal(rows[a].active_short, sd);
      assert_int_equal(rows[a].active_long, ld);
      if (nd < 2) {
        assert_int_equal(rows[a].median_gap_x2, -1);
      } else {
        int gaps[DAYS];
        for (int i = 1; i < nd; i++) gaps[i - 1] = days[i] - days[i - 1];
        qsort(gaps, (size_t)nd - 1, sizeof *gaps, cmp_int);
        int m = nd - 1;
        assert_int_equal(rows[a].median_gap_x2, m % 2 ? 2 * gaps[m / 2] : gaps[m / 2 - 1] + gaps[m / 2]);
      }
      int status = d - first < o.new_days ? GAS_S_NEW
                   : want == GAS_CURRENT || want == GAS_REACTIVATED ? GAS_S_ACTIVE
                   : want == GAS_RESURRECTED ? GAS_S_WINBACK
                   : want == GAS_DORMANT ? GAS_S_CHURNED : GAS_S_SILENT;
      assert_int_equal(rows[a].status, status);
      /* the same state from the binary-search path, and on an earlier day */
      uint32_t s0 = ev.start[a], cnt = ev.start[a + 1] - s0;
      assert_int_equal(gas_state_before(ev.ts + s0, cnt, INT64_MAX, &o), want);
      gas_opts early = o;
      early.day = JAN1_2020 / DAY + d - 20;
      int64_t until = (early.day + 1) * DAY - (int64_t)offset * GTIME_US_PER_SEC;
      assert_int_equal(gas_state_before(ev.ts + s0, cnt, until, &early), ref_state(act[a], d - 20, S, L));
    }
    free(rows);
    gevents_free(&ev);
  }
}

/* Duolingo's table on one hand-made history, S=7, L=30: active on days 0, 1, 9, 45 (day numbers
** from 2020-01-01, UTC). State per evaluation day, read off the table: */
static void duolingo_states_by_hand(void **state) {
  (void)state;
  static const uint32_t actor[] = {0, 0, 0, 0};
  const int64_t ts[] = {JAN(1), JAN(2), JAN(10), JAN(46)};
  gevents ev;
  build(&ev, actor, ts, 4);
  static const struct { int d, state; } cases[] = {
    {0, GAS_NEW},          /* first day */
    {1, GAS_CURRENT},      /* active today and yesterday */
    {2, GAS_AT_RISK_WAU},  /* not today, active 1 day ago */
    {7, GAS_AT_RISK_WAU},  /* last active day 1: 6 days ago, inside d-6 .. d-1 */
    {8, GAS_AT_RISK_MAU},  /* 7 days ago: d-7, inside d-29 .. d-7 */
    {9, GAS_REACTIVATED},  /* back after 8 days: not in d-6 .. d-1, in d-29 .. d-7 */
    {38, GAS_AT_RISK_MAU}, /* day 9 is d-29 */
    {39, GAS_DORMANT},     /* day 9 is d-30: only "before" remains */
    {45, GAS_RESURRECTED}, /* back after 36 days */
    {46, GAS_AT_RISK_WAU},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    gas_opts o = {0, JAN1_2020 / DAY + cases[i].d, 7, 30, 1};
    int64_t until = (o.day + 1) * DAY;
    assert_int_equal(gas_state_before(ev.ts, 4, until, &o), cases[i].state);
  }
  /* transitions from day 9 to day 45: reactivated -> resurrected */
  gas_opts a = {0, JAN1_2020 / DAY + 9, 7, 30, 1}, b = {0, JAN1_2020 / DAY + 45, 7, 30, 1};
  uint64_t counts[GAS_NSTATES + 1][GAS_NSTATES];
  memset(counts, 0, sizeof counts);
  assert_null(gas_transitions(&ev, &a, (a.day + 1) * DAY, &b, counts, NULL));
  assert_int_equal(counts[GAS_REACTIVATED][GAS_RESURRECTED], 1);
  gevents_free(&ev);
}

/* Keys in SQLite's order: numbers by value, then TEXT, NULL first. */
static void key_order(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  uint32_t id;
  gkey t1 = {GKEY_TEXT, 0, 0, "b", 1}, t2 = {GKEY_TEXT, 0, 0, "a", 1}, r = {GKEY_REAL, 0, 2.5, NULL, 0};
  assert_true(gkeys_intern(&k, &t1, &id) >= 0);   /* 0 'b' */
  assert_true(gkeys_int(&k, 10, &id) >= 0);       /* 1 10 */
  assert_true(gkeys_intern(&k, &r, &id) >= 0);    /* 2 2.5 */
  gkey nul = {GKEY_INT, 0, 0, NULL, 0};
  assert_true(gkeys_intern_scoped(&k, 1, &nul, &id) >= 0); /* 3 NULL */
  assert_true(gkeys_intern(&k, &t2, &id) >= 0);   /* 4 'a' */
  uint32_t order[5];
  assert_null(glc_key_order(&k, 5, 3, order, NULL));
  static const uint32_t want[5] = {3, 2, 1, 4, 0};
  assert_memory_equal(order, want, sizeof want);
  gkeys_free(&k);
}

/* Mixed keys in random order: small INTEGERs (the direct array), negative and huge ones (hashed),
** REALs between them, TEXT; the order equals a plain sort by gkey_cmp. */
static const gkeys *cmp_table;
static int cmp_by_key(const void *a, const void *b) {
  gkey x = gkeys_get(cmp_table, *(const uint32_t *)a), y = gkeys_get(cmp_table, *(const uint32_t *)b);
  return gkey_cmp(&x, &y);
}

static void key_order_mixed(void **state) {
  (void)state;
  for (int round = 0; round < 20; round++) {
    gkeys k;
    gkeys_init(&k, 0);
    char text[2000][8];
    uint32_t id, n = 0;
    for (int i = 0; i < 2000; i++) {
      uint64_t r = next_rand();
      int kind = (int)(r % 10);
      int rc;
      if (kind < 6) rc = gkeys_int(&k, (int64_t)(r >> 8) % 5000, &id);
      else if (kind == 6) rc = gkeys_int(&k, -(int64_t)((r >> 8) % 1000) - 1, &id);
      else if (kind == 7) rc = gkeys_int(&k, (int64_t)(r >> 8) % 1000 + (INT64_C(1) << 40), &id);
      else if (kind == 8) {
        gkey g = {GKEY_REAL, 0, (double)((r >> 8) % 5000) + 0.5, NULL, 0};
        rc = gkeys_intern(&k, &g, &id);
      } else {
        snprintf(text[i], sizeof text[i], "t%u", (unsigned)((r >> 8) % 900));
        gkey g = {GKEY_TEXT, 0, 0, text[i], strlen(text[i])};
        rc = gkeys_intern(&k, &g, &id);
      }
      assert_true(rc >= 0);
      if (rc == GKEYS_ADDED) n++;
    }
    assert_int_equal(gkeys_count(&k), n);
    uint32_t *order = malloc(n * sizeof *order), *want = malloc(n * sizeof *want);
    assert_null(glc_key_order(&k, n, UINT32_MAX, order, NULL));
    for (uint32_t i = 0; i < n; i++) want[i] = i;
    cmp_table = &k;
    qsort(want, n, sizeof *want, cmp_by_key);
    for (uint32_t i = 0; i < n; i++) {
      gkey a = gkeys_get(&k, order[i]), b = gkeys_get(&k, want[i]);
      assert_int_equal(gkey_cmp(&a, &b), 0);
    }
    free(order);
    free(want);
    gkeys_free(&k);
  }
}

static void stops_when_told(void **state) {
  (void)state;
  enum { N = 300000 };
  uint32_t *actor = malloc(N * sizeof *actor);
  int64_t *ts = malloc(N * sizeof *ts);
  for (uint32_t i = 0; i < N; i++) actor[i] = i % 1000, ts[i] = JAN1_2020 + (int64_t)(i / 1000) * DAY;
  gevents ev;
  build(&ev, actor, ts, N);
  gcancel never_polled_twice = {NULL, NULL, 0, 1};  /* already stopped */
  glc_opts o = day_opts(JAN1_2020 / DAY, JAN1_2020 / DAY + 299);
  glc_cell *cells = calloc(300, sizeof *cells);
  assert_ptr_equal(glc_count(&ev, &o, cells, &never_polled_twice), gcancel_reason);
  gas_opts g = {0, JAN1_2020 / DAY + 299, 7, 30, 1};
  gas_row *rows = calloc(1000, sizeof *rows);
  assert_ptr_equal(gas_compute(&ev, &g, rows, &never_polled_twice), gcancel_reason);
  free(rows);
  free(cells);
  gevents_free(&ev);
  free(actor);
  free(ts);
}

/* Every allocation failing in turn, once and from then on: an error, never a crash or a leak
** (ASan). */
static void every_allocation_failing(void **state) {
  (void)state;
  static const uint32_t actor[] = {0, 0, 1, 1, 0};
  const int64_t ts[] = {JAN(1), JAN(3), JAN(2), JAN(2), JAN(30)};
  gevents ev;
  build(&ev, actor, ts, 5);
  glc_opts o = day_opts(JAN1_2020 / DAY, JAN1_2020 / DAY + 29);
  uint32_t order[2] = {0, 1};
  int refused = 0;
  for (int once = 0; once < 2; once++)
    for (long k = 1; k < 4; k++) {
      glc_actor_row *rows;
      uint64_t n;
      arm(k, once);
      const char *why = glc_actor_rows(&ev, &o, order, &rows, &n, NULL);
      disarm();
      if (why) assert_string_equal(why, "out of memory"), refused++;
      else gmem_free(rows);
      /* two gaps: one allocation for them */
      static const uint32_t one[] = {0, 0, 0};
      const int64_t three[] = {JAN(1), JAN(3), JAN(9)};
      gevents e1;
      build(&e1, one, three, 3);
      gas_opts g = {0, JAN1_2020 / DAY + 29, 7, 30, 1};
      gas_row r[1];
      arm(k, once);
      why = gas_compute(&e1, &g, r, NULL);
      disarm();
      if (why) assert_string_equal(why, "out of memory"), refused++;
      gevents_free(&e1);
    }
  assert_true(refused >= 2);
  gevents_free(&ev);
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(posthog_l1_whole_range),
    cmocka_unit_test(posthog_l5_created_before_first_event),
    cmocka_unit_test(random_histories_match_definitions),
    cmocka_unit_test(posthog_rule_on_random_histories),
    cmocka_unit_test(actor_status_matches_duolingo_table),
    cmocka_unit_test(duolingo_states_by_hand),
    cmocka_unit_test(key_order),
    cmocka_unit_test(key_order_mixed),
    cmocka_unit_test(stops_when_told),
    cmocka_unit_test(every_allocation_failing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
