/*
** test_funnel_engine.c: the funnel core (ext/funnel_engine.c) driven directly, and a property
** test: window_funnel in the default mode equals the plain-SQL reference query
** sql/reference/funnel.sql on generated data. Expected values are worked out by hand in the
** comments (the ClickHouse vectors themselves are in tests/sql/funnel_vectors.sql).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "read_file.h"

#include "funnel_engine.h"
#include "sqlite_glue.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#define B(k) (UINT64_C(1) << ((k) - 1))

static int level_of(int nsteps, int64_t window, unsigned flags, gfunnel_event *ev, size_t n, gfunnel_chain *chain) {
  gfunnel_work w;
  memset(&w, 0, sizeof w);
  gfunnel_config cfg = {nsteps, window, flags};
  assert_int_equal(gfunnel_sort(ev, n, &w), 0);
  int level = gfunnel_eval(&cfg, ev, n, &w, chain);
  gfunnel_work_free(&w);
  return level;
}

static int cmp_ev(const void *a, const void *b) {
  const gfunnel_event *x = a, *y = b;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  return (x->mask > y->mask) - (x->mask < y->mask);
}

static void sorts_by_ts_then_mask(void **state) {
  (void)state;
  gfunnel_work w;
  memset(&w, 0, sizeof w);
  /* sizes on both sides of the insertion-sort cut-off, against qsort */
  for (size_t n = 0; n < 300; n += 7) {
    gfunnel_event a[300], b[300];
    uint32_t x = (uint32_t)n * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      a[i].ts = (x >> 8) % 50;
      a[i].mask = (x >> 20) % 5;
    }
    memcpy(b, a, sizeof a);
    assert_int_equal(gfunnel_sort(a, n, &w), 0);
    qsort(b, n, sizeof *b, cmp_ev);
    assert_memory_equal(a, b, n * sizeof *a);
  }
  gfunnel_work_free(&w);
}

/* The sort is in place (quicksort, heapsort past its depth limit): large inputs of every shape,
** with few and many distinct keys, against qsort. Patterns that defeat a naive quicksort
** (organ pipes, all equal, sorted with one element out of place) included. */
static void sorts_large_inputs_in_place(void **state) {
  (void)state;
  gfunnel_work w;
  memset(&w, 0, sizeof w);
  const size_t n = 200000;
  gfunnel_event *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  assert_non_null(a);
  assert_non_null(b);
  for (int shape = 0; shape < 8; shape++) {
    uint32_t x = 12345u + (uint32_t)shape;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      switch (shape) {
        case 0: a[i] = (gfunnel_event){(int64_t)(x >> 4), x & 7}; break;            /* random */
        case 1: a[i] = (gfunnel_event){(int64_t)((x >> 8) % 5), (x >> 20) % 3}; break; /* 15 keys */
        case 2: a[i] = (gfunnel_event){7, 1}; break;                                   /* all equal */
        case 3: a[i] = (gfunnel_event){(int64_t)(n - i), 0}; break;                    /* descending */
        case 4: a[i] = (gfunnel_event){(int64_t)(i < n / 2 ? i : n - i), 1}; break;    /* organ pipe */
        case 5: a[i] = (gfunnel_event){(int64_t)i, 0}; if (i == n - 1) a[i].ts = -1; break; /* one out */
        case 6: a[i] = (gfunnel_event){(int64_t)(i % 1000), UINT64_C(1) << (i % 64)}; break; /* sawtooth */
        default: a[i] = (gfunnel_event){(int64_t)(x % 2) * INT64_MAX, x >> 31}; break;  /* extremes */
      }
    }
    memcpy(b, a, n * sizeof *a);
    assert_int_equal(gfunnel_sort(a, n, &w), 0);
    qsort(b, n, sizeof *b, cmp_ev);
    assert_memory_equal(a, b, n * sizeof *a);
  }
  free(a);
  free(b);
  gfunnel_work_free(&w);
}

static void default_mode_basics(void **state) {
  (void)state;
  /* one row satisfying steps 1..3 fills all three (W28) */
  gfunnel_event one[] = {{5, B(1) | B(2) | B(3)}};
  assert_int_equal(level_of(3, 0, 0, one, 1, NULL), 3);
  /* window inclusive, measured from step 1: steps at 0, 6, 10 with window 10 -> 3; window 9 -> 2 */
  gfunnel_event w[] = {{10, B(3)}, {0, B(1)}, {6, B(2)}};
  assert_int_equal(level_of(3, 10, 0, w, 3, NULL), 3);
  gfunnel_event w2[] = {{10, B(3)}, {0, B(1)}, {6, B(2)}};
  assert_int_equal(level_of(3, 9, 0, w2, 3, NULL), 2);
  /* a later step-1 restarts the chain; the deepest chain over the group counts:
  ** 1@0 2@1 | 1@100 2@101 3@102 (window 5) -> 3 */
  gfunnel_event r[] = {{0, B(1)}, {1, B(2)}, {100, B(1)}, {101, B(2)}, {102, B(3)}};
  assert_int_equal(level_of(3, 5, 0, r, 5, NULL), 3);
  /* no step 1: 0; no events: 0 */
  gfunnel_event none[] = {{0, B(2)}, {1, B(3)}};
  assert_int_equal(level_of(3, 5, 0, none, 2, NULL), 0);
  assert_int_equal(level_of(3, 5, 0, NULL, 0, NULL), 0);
  /* 64 steps, one event each a second apart */
  gfunnel_event many[64];
  for (int k = 0; k < 64; k++) many[k] = (gfunnel_event){63 - k, UINT64_C(1) << (63 - k)};
  assert_int_equal(level_of(64, 63, 0, many, 64, NULL), 64);
  for (int k = 0; k < 64; k++) many[k] = (gfunnel_event){63 - k, UINT64_C(1) << (63 - k)};
  assert_int_equal(level_of(64, 62, 0, many, 64, NULL), 63);
}

static void modes(void **state) {
  (void)state;
  /* strict_deduplication: 1@0 2@1 2@2 3@3 -> the repeated step 2 stops at 2; default 3 */
  gfunnel_event d[] = {{0, B(1)}, {1, B(2)}, {2, B(2)}, {3, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_DEDUP, d, 4, NULL), 2);
  assert_int_equal(level_of(3, 10, 0, d, 4, NULL), 3);
  /* the same step twice at one timestamp is a repeat too */
  gfunnel_event d2[] = {{0, B(1)}, {1, B(2)}, {1, B(2)}, {3, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_DEDUP, d2, 4, NULL), 2);
  /* strict_order: an other event (mask 0) after step 1 stops; before step 1 it is skipped */
  gfunnel_event o[] = {{0, 0}, {1, B(1)}, {2, B(2)}, {3, 0}, {4, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_ORDER, o, 5, NULL), 2);
  /* strict_order: a jump ahead stops; allow_reentry skips it */
  gfunnel_event j[] = {{0, B(1)}, {1, B(3)}, {2, B(2)}, {3, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_ORDER, j, 4, NULL), 1);
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_ORDER | GFUNNEL_ALLOW_REENTRY, j, 4, NULL), 3);
  /* strict_increase: equal timestamps cannot advance */
  gfunnel_event inc[] = {{0, B(1)}, {0, B(2)}, {1, B(2)}};
  assert_int_equal(level_of(2, 10, GFUNNEL_STRICT_INCREASE, inc, 3, NULL), 2);
  gfunnel_event inc2[] = {{0, B(1)}, {0, B(2)}};
  assert_int_equal(level_of(2, 10, GFUNNEL_STRICT_INCREASE, inc2, 2, NULL), 1);
  /* strict_once: one row cannot serve two steps; two rows at one instant can */
  gfunnel_event once1[] = {{0, B(1) | B(2)}};
  assert_int_equal(level_of(2, 10, GFUNNEL_STRICT_ONCE, once1, 1, NULL), 1);
  gfunnel_event once2[] = {{0, B(1) | B(2)}, {0, B(1) | B(2)}};
  assert_int_equal(level_of(2, 10, GFUNNEL_STRICT_ONCE, once2, 2, NULL), 2);
}

static void exclusion_and_first_attempt(void **state) {
  (void)state;
  /* without strict_order mask 0 is an exclusion: 1@0 2@1 X@2 3@3 -> 2 (the chain ends at X) */
  gfunnel_event x[] = {{0, B(1)}, {1, B(2)}, {2, 0}, {3, B(3)}};
  assert_int_equal(level_of(3, 10, 0, x, 4, NULL), 2);
  /* a fresh step 1 after the exclusion starts over: 1@0 X@1 1@2 2@3 3@4 -> 3 */
  gfunnel_event x2[] = {{0, B(1)}, {1, 0}, {2, B(1)}, {3, B(2)}, {4, B(3)}};
  assert_int_equal(level_of(3, 10, 0, x2, 5, NULL), 3);
  /* at equal timestamps the exclusion comes first: 1@0 X@1 2@1 -> 1 */
  gfunnel_event x3[] = {{0, B(1)}, {1, B(2)}, {1, 0}};
  assert_int_equal(level_of(3, 10, 0, x3, 3, NULL), 1);
  /* strict_once the same way */
  gfunnel_event x4[] = {{0, B(1)}, {1, B(2)}, {2, 0}, {3, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_ONCE, x4, 4, NULL), 2);
  /* first attempt only: 1@0 1@100 2@101 (window 10) -> 1; furthest -> 2 */
  gfunnel_event f[] = {{0, B(1)}, {100, B(1)}, {101, B(2)}};
  assert_int_equal(level_of(2, 10, GFUNNEL_FIRST_ATTEMPT, f, 3, NULL), 1);
  assert_int_equal(level_of(2, 10, 0, f, 3, NULL), 2);
  assert_int_equal(level_of(2, 10, GFUNNEL_FIRST_ATTEMPT | GFUNNEL_STRICT_ONCE, f, 3, NULL), 1);
}

static void reports_the_chain(void **state) {
  (void)state;
  gfunnel_chain c;
  /* sorted: [0] 1@0 [1] 1@50 [2] 2@55 [3] 3@58 ; window 10: the chain starts at 50 */
  gfunnel_event e[] = {{55, B(2)}, {0, B(1)}, {58, B(3)}, {50, B(1)}};
  assert_int_equal(level_of(3, 10, 0, e, 4, &c), 3);
  assert_int_equal(c.level, 3);
  assert_int_equal(c.at[0], 1);
  assert_int_equal(c.at[1], 2);
  assert_int_equal(c.at[2], 3);
  /* converted actors report the first chain to complete: [0] 1@0 [1] 2@1 [2] 1@2 [3] 2@3 */
  gfunnel_event e2[] = {{0, B(1)}, {1, B(2)}, {2, B(1)}, {3, B(2)}};
  assert_int_equal(level_of(2, 10, 0, e2, 4, &c), 2);
  assert_int_equal(c.at[0], 0);
  assert_int_equal(c.at[1], 1);
  /* strict_once keeps row ids: a row that fills steps 1 and 2 [0] then step 3 [1] */
  gfunnel_event e3[] = {{0, B(1)}, {0, B(2)}, {1, B(3)}};
  assert_int_equal(level_of(3, 10, GFUNNEL_STRICT_ONCE, e3, 3, &c), 3);
  assert_int_equal(c.at[0], 0);
  assert_int_equal(c.at[1], 1);
  assert_int_equal(c.at[2], 2);
  /* an exclusion keeps the best chain before it: [0] 1@0 [1] 2@1 [2] X@2 [3] 1@3 */
  gfunnel_event e4[] = {{0, B(1)}, {1, B(2)}, {2, 0}, {3, B(1)}};
  assert_int_equal(level_of(3, 10, 0, e4, 4, &c), 2);
  assert_int_equal(c.level, 2);
  assert_int_equal(c.at[0], 0);
  assert_int_equal(c.at[1], 1);
}

/* ---- work and interrupts (issue 16, H2) */

typedef struct poll_count {
  uint64_t polls, stop_at; /* stop at this poll (0: never) */
} poll_count;

static int count_poll(void *ctx) {
  poll_count *p = ctx;
  return ++p->polls == p->stop_at;
}

/* N step-1 and N step-2 events at one instant under strict_once,strict_increase: no chain can
** take a step-2 event (not strictly later), so the level is 1. Every step-2 entry used to look
** at all N open chains (N^2 = 6.4e9 looks at N = 80,000); the engine counts a unit per event,
** entry, chain looked at and chain made, so the units are now a few per event. */
static void strict_once_increase_work_is_linear(void **state) {
  (void)state;
  const size_t n = 80000;
  gfunnel_event *ev = malloc(2 * n * sizeof *ev);
  assert_non_null(ev);
  for (size_t i = 0; i < 2 * n; i++) ev[i] = (gfunnel_event){0, i < n ? B(1) : B(2)};
  /* units counted exactly: a budget so large that no poll comes */
  poll_count pc = {0, 0};
  gcancel c = {count_poll, &pc, INT64_MAX / 2, 0};
  gfunnel_work w;
  memset(&w, 0, sizeof w);
  w.cancel = &c;
  gfunnel_config cfg = {2, 0, GFUNNEL_STRICT_ONCE | GFUNNEL_STRICT_INCREASE};
  assert_int_equal(gfunnel_sort(ev, 2 * n, &w), 0);
  assert_int_equal(gfunnel_eval(&cfg, ev, 2 * n, &w, NULL), 1);
  /* a poll per GCANCEL_PERIOD units: at most 8 units per event (about 4 are spent) */
  assert_int_equal(pc.polls, 0);
  uint64_t units = (uint64_t)(INT64_MAX / 2 - c.left);
  printf("  strict_once,strict_increase on 2 x %zu events at one instant: %llu work units\n", n,
         (unsigned long long)units);
  assert_true(units <= 8 * 2 * n);
  /* the same with one step-2 event a second later (window 1): every chain could take it, the
  ** first one does and completes the funnel */
  ev[2 * n - 1].ts = 1;
  cfg.window = 1;
  assert_int_equal(gfunnel_eval(&cfg, ev, 2 * n, &w, NULL), 2);
  gfunnel_work_free(&w);
  assert_ptr_equal(w.cancel, &c); /* kept */
  free(ev);
}

/* strict_once holds at most GFUNNEL_MAX_CHAIN_BYTES of chains (issue 16, M1): 22 rows that
** each satisfy all 64 steps made over 4M chains of 272 bytes (1.1 GB held) before the level, 22
** (a row serves one step). The engine's memory comes from SQLite (mem.c), so SQLite's
** high-water mark measures it. */
static void strict_once_memory_is_capped_in_bytes(void **state) {
  (void)state;
  gfunnel_event ev[22];
  for (int i = 0; i < 22; i++) ev[i] = (gfunnel_event){i, ~UINT64_C(0)};
  sqlite3_int64 before = sqlite3_memory_used();
  sqlite3_memory_highwater(1);
  gfunnel_work w;
  memset(&w, 0, sizeof w);
  gfunnel_config cfg = {64, 86400, GFUNNEL_STRICT_ONCE};
  assert_int_equal(gfunnel_eval(&cfg, ev, 22, &w, NULL), GFUNNEL_TOO_MANY_CHAINS);
  sqlite3_int64 peak = sqlite3_memory_highwater(0) - before;
  printf("  64 steps x 22 rows under strict_once: %lld bytes at the peak, cap %zu\n", (long long)peak,
         GFUNNEL_MAX_CHAIN_BYTES);
  assert_true(w.lv_bytes <= GFUNNEL_MAX_CHAIN_BYTES);
  assert_true(peak <= (sqlite3_int64)GFUNNEL_MAX_CHAIN_BYTES + 65536); /* and SQLite's headers */
  /* the work is reused for a small evaluation: the level of 3 rows over 3 steps is 3 */
  gfunnel_config small = {3, 86400, GFUNNEL_STRICT_ONCE};
  assert_int_equal(gfunnel_eval(&small, ev, 3, &w, NULL), 3);
  gfunnel_work_free(&w);
  assert_int_equal(sqlite3_memory_used(), before);
}

/* A stop is honoured in the sort, in both evaluations and in a long run of one instant. */
static void a_stop_is_honoured_everywhere(void **state) {
  (void)state;
  const size_t n = 1000000;
  gfunnel_event *ev = malloc(n * sizeof *ev);
  assert_non_null(ev);
  uint32_t x = 7;
  for (size_t i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    ev[i] = (gfunnel_event){(int64_t)(x >> 8), B(1 + x % 3)};
  }
  const unsigned modes[] = {0, GFUNNEL_STRICT_ONCE, GFUNNEL_STRICT_ONCE | GFUNNEL_STRICT_INCREASE};
  for (int stage = 0; stage < 3; stage++) {
    poll_count pc = {0, 2};
    gcancel c = {count_poll, &pc, GCANCEL_PERIOD, 0};
    gfunnel_work w;
    memset(&w, 0, sizeof w);
    w.cancel = &c;
    gfunnel_config cfg = {3, 1 << 20, modes[stage]};
    if (stage == 0) {
      /* shuffled: the sort stops at its second poll */
      assert_int_equal(gfunnel_sort(ev, n, &w), GFUNNEL_INTERRUPTED);
      assert_int_equal(pc.polls, 2);
      w.cancel = NULL;
      assert_int_equal(gfunnel_sort(ev, n, &w), 0);
      w.cancel = &c;
      assert_int_equal(gfunnel_eval(&cfg, ev, n, &w, NULL), GFUNNEL_INTERRUPTED);
    } else {
      /* sorted, then every event moved to one instant: the run itself is long */
      gfunnel_event *one = malloc(n * sizeof *one);
      assert_non_null(one);
      for (size_t i = 0; i < n; i++) one[i] = (gfunnel_event){5, ev[i].mask};
      w.cancel = NULL;
      assert_int_equal(gfunnel_sort(one, n, &w), 0);
      w.cancel = &c;
      assert_int_equal(gfunnel_eval(&cfg, one, n, &w, NULL), GFUNNEL_INTERRUPTED);
      free(one);
    }
    assert_true(c.stopped);
    gfunnel_work_free(&w);
  }
  free(ev);
}

/* ---- property test: window_funnel vs sql/reference/funnel.sql */

static void exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s\nin %s", err, sql);
}

static void matches_plain_sql_reference(void **state) {
  (void)state;
  char *ref = read_file("sql/reference/funnel.sql");
  assert_non_null(ref);  /* run from the repository root */
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  char *err = NULL;
  assert_int_equal(sqlite3_growth_init(db, &err, NULL), SQLITE_OK);
  exec(db, "CREATE TABLE funnel_input(actor INTEGER, ts INTEGER, c1, c2, c3, c4); CREATE TABLE funnel_params(window)");
  uint32_t x = 12345;
  int compared = 0, deep = 0;
  for (int round = 0; round < 12; round++) {
    exec(db, "DELETE FROM funnel_input; DELETE FROM funnel_params");
    sqlite3_stmt *ins;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO funnel_input VALUES (?,?,?,?,?,?)", -1, &ins, NULL), SQLITE_OK);
    int span = 5 + round * 10;
    for (int a = 0; a < 150; a++) {
      x = x * 1103515245u + 12345u;
      int events = (int)((x >> 16) % 14);
      for (int e = 0; e < events; e++) {
        x = x * 1103515245u + 12345u;
        sqlite3_bind_int(ins, 1, a);
        sqlite3_bind_int64(ins, 2, 1700000000 + (int64_t)((x >> 8) % (uint32_t)span));
        /* conditions overlap: about one in three rows satisfies each */
        for (int c = 0; c < 4; c++) sqlite3_bind_int(ins, 3 + c, ((x >> (20 + 3 * c)) & 7) < 3);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
      }
    }
    sqlite3_finalize(ins);
    char sql[512];
    int window = (int)(x % 3 == 0 ? 0 : (x >> 4) % (uint32_t)(span / 2 + 1));
    snprintf(sql, sizeof sql, "INSERT INTO funnel_params VALUES (%d)", window);
    exec(db, sql);
    snprintf(sql, sizeof sql,
             "SELECT actor, window_funnel(%d, ts, c1 = 1, c2 = 1, c3 = 1, c4 = 1) FROM funnel_input "
             "GROUP BY actor ORDER BY actor", window);
    sqlite3_stmt *mine, *theirs;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &mine, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, ref, -1, &theirs, NULL), SQLITE_OK);
    for (;;) {
      int r1 = sqlite3_step(mine), r2 = sqlite3_step(theirs);
      assert_int_equal(r1, r2);
      if (r1 != SQLITE_ROW) break;
      assert_int_equal(sqlite3_column_int(mine, 0), sqlite3_column_int(theirs, 0));
      if (sqlite3_column_int(mine, 1) != sqlite3_column_int(theirs, 1))
        fail_msg("round %d window %d actor %d: window_funnel %d, reference %d", round, window,
                 sqlite3_column_int(mine, 0), sqlite3_column_int(mine, 1), sqlite3_column_int(theirs, 1));
      compared++;
      deep += sqlite3_column_int(mine, 1) >= 3;
    }
    sqlite3_finalize(mine);
    sqlite3_finalize(theirs);
  }
  /* the data reaches deep levels often enough for the comparison to mean something */
  assert_true(compared > 1000);
  assert_true(deep > 100);
  sqlite3_close(db);
  free(ref);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(sorts_by_ts_then_mask),
    cmocka_unit_test(sorts_large_inputs_in_place),
    cmocka_unit_test(default_mode_basics),
    cmocka_unit_test(modes),
    cmocka_unit_test(exclusion_and_first_attempt),
    cmocka_unit_test(reports_the_chain),
    cmocka_unit_test(strict_once_increase_work_is_linear),
    cmocka_unit_test(a_stop_is_honoured_everywhere),
    cmocka_unit_test(strict_once_memory_is_capped_in_bytes),
    cmocka_unit_test(matches_plain_sql_reference),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
