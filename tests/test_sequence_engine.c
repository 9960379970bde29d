/*
** test_sequence_engine.c: the sequence core (ext/sequence_engine.c) driven directly: the
** ClickHouse vectors S01-S27 and the sequenceNextNode table (tests/vectors/clickhouse_sequence.md,
** expected values from ClickHouse's tests, docs and a run on ClickHouse 26.7), the pattern
** parser's errors, the ClickHouse corner cases traced by hand in the comments, and a brute-force
** backtracking matcher (the ClickHouse algorithm restated, small inputs only) on random data.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sequence_engine.h"

#define S 1000000 /* microseconds in a second */
#define B(k) (UINT64_C(1) << ((k)-1))

/* Runs pattern over events (ts in seconds, masks), count 0: match, 1: count. */
static int64_t run(const char *pattern, int nconds, const int64_t *ts, const uint64_t *mask, size_t n, int count) {
  gfunnel_event *ev = malloc((n ? n : 1) * sizeof *ev);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (mask[i]) {
      ev[k].ts = ts[i] * S;
      ev[k].mask = mask[i];
      k++;
    } /* rows matching nothing are no events */
  gfunnel_sort(ev, k, NULL);
  gseq_pattern p;
  char err[200];
  if (gseq_parse(pattern, strlen(pattern), nconds, &p, err, sizeof err) != 0) fail_msg("%s: %s", pattern, err);
  gseq_work w;
  memset(&w, 0, sizeof w);
  int64_t r = gseq_eval(&p, ev, k, count, &w, NULL);
  gseq_work_free(&w);
  gseq_pattern_free(&p);
  free(ev);
  return r;
}

/* D12: data = 0 0 0 0 1 2 0 0 0 0 1 1 at ts 0..11 */
static const int d12[12] = {0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 1, 1};

static void d12_masks(int two_conds, int64_t *ts, uint64_t *mask) {
  for (int i = 0; i < 12; i++) {
    ts[i] = i;
    if (two_conds) mask[i] = d12[i] == 1 ? B(1) : d12[i] == 2 ? B(2) : 0;
    else mask[i] = d12[i] == 0 ? B(1) : d12[i] == 1 ? B(2) : d12[i] == 2 ? B(3) : 0; /* c4: data=3 never */
  }
}

static void vectors_s01_s23(void **state) {
  (void)state;
  static const struct {
    const char *id, *pattern;
    int two, match, count;
  } v[] = {
    {"S01", "", 0, 1, 12},
    {"S02", ".", 0, 1, 12},
    {"S03", ".*", 0, 1, 12},
    {"S04", "(?1)", 0, 1, 8},
    {"S05", "(?2)", 0, 1, 3},
    {"S06", "(?3)", 0, 1, 1},
    {"S07", "(?4)", 0, 0, 0},
    {"S08", "(?1)(?1)", 0, 1, 4},
    {"S09", "(?1)(?1)(?1)", 0, 1, 2},
    {"S10", "(?1)(?1)(?1)(?1)", 0, 1, 2},
    {"S11", "(?1)(?1)(?1)(?1)(?1)", 0, 0, 0},
    {"S12", "(?1)(?1)(?1)(?1)(?2)", 0, 1, 2},
    {"S13", "(?1)(?t>10)(?2)", 0, 1, 1},
    {"S14", "(?1)(?t>11)(?2)", 0, 0, 0},
    {"S15", "(?1)(?t<11)(?2)", 0, 1, 2},
    {"S16", "(?1)(?t<3)(?3)", 0, 1, 1},
    {"S17", "(?1)(?t<=2)(?3)", 0, 1, 1},
    {"S18", "(?1)(?t<2)(?3)", 0, 0, 0},
    {"S19", "(?2)(?t>=7)(?2)", 0, 1, 1},
    {"S20", "(?2)(?t>7)(?2)", 0, 0, 0},
    {"S21", "(?2)(?3)(?1)", 0, 1, 1},
    {"S22", "(?1)(?t==2)(?2)", 1, 0, 0},
    {"S23", "(?1)(?t==1)(?2)", 1, 1, 1},
  };
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    int64_t ts[12];
    uint64_t mask[12];
    d12_masks(v[i].two, ts, mask);
    int nconds = v[i].two ? 2 : 4;
    int64_t m = run(v[i].pattern, nconds, ts, mask, 12, 0), c = run(v[i].pattern, nconds, ts, mask, 12, 1);
    if (m != v[i].match || c != v[i].count)
      fail_msg("%s '%s': match %lld count %lld, expected %d %d", v[i].id, v[i].pattern, (long long)m, (long long)c,
               v[i].match, v[i].count);
  }
}

static void vectors_s24_s27(void **state) {
  (void)state;
  /* S24: (1,1) (2,3) (3,2); a) conds number=1, number=2; b) + number=3; c) + number=4 */
  int64_t ts24[] = {1, 2, 3};
  uint64_t a24[] = {B(1), 0, B(2)}, b24[] = {B(1), B(3), B(2)}, c24[] = {B(1), 0, B(2)};
  assert_int_equal(run("(?1)(?2)", 2, ts24, a24, 3, 0), 1);
  assert_int_equal(run("(?1)(?2)", 3, ts24, b24, 3, 0), 0);
  assert_int_equal(run("(?1)(?2)", 3, ts24, c24, 3, 0), 1);
  /* S25: (1,1) (2,3) (3,2) (4,1) (5,3) (6,2), non-overlapping count 2 */
  int64_t ts25[] = {1, 2, 3, 4, 5, 6};
  uint64_t m25[] = {B(1), 0, B(2), B(1), 0, B(2)};
  assert_int_equal(run("(?1).*(?2)", 2, ts25, m25, 6, 1), 2);
  /* S27: (0,A) (5,B) (100,B) (101,C): the B within 10 s is not followed by C */
  int64_t ts27[] = {0, 5, 100, 101};
  uint64_t m27[] = {B(1), B(2), B(2), B(3)};
  assert_int_equal(run("(?1)(?t<=10)(?2)(?3)", 3, ts27, m27, 4, 0), 0);
  assert_int_equal(run("(?1)(?t<=10)(?2)(?3)", 3, ts27, m27, 4, 1), 0);
}

/* S26 a-c: A at 0, B at 1..999999, C at 1000000 (00823; d is not run: see the vectors file) */
static void vector_s26_million_events(void **state) {
  (void)state;
  size_t n = 1000001;
  int64_t *ts = malloc(n * sizeof *ts);
  uint64_t *abc = malloc(n * sizeof *abc), *aba = malloc(n * sizeof *aba), *abbc = malloc(n * sizeof *abbc);
  for (size_t i = 0; i < n; i++) {
    ts[i] = (int64_t)i;
    char e = i == 0 ? 'A' : i == n - 1 ? 'C' : 'B';
    abc[i] = e == 'A' ? B(1) : e == 'B' ? B(2) : B(3);
    aba[i] = e == 'A' ? (B(1) | B(3)) : e == 'B' ? B(2) : 0;
    abbc[i] = e == 'A' ? B(1) : e == 'B' ? (B(2) | B(3)) : B(4);
  }
  assert_int_equal(run("(?1).*(?2).*(?3)", 3, ts, abc, n, 0), 1);
  assert_int_equal(run("(?1).*(?2).*(?3)", 3, ts, aba, n, 0), 0);
  assert_int_equal(run("(?1).*(?2).*(?3).*(?4)", 4, ts, abbc, n, 0), 1);
  free(ts);
  free(abc);
  free(aba);
  free(abbc);
}

static void parser_errors(void **state) {
  (void)state;
  static const struct {
    const char *pattern;
    int nconds;
    const char *want;
  } v[] = {
    {"(?1", 2, "the group opened at position 0 is not closed with ')'"},
    {"(?1)(?2", 2, "the group opened at position 4 is not closed with ')'"},
    {"(?1))", 2, "')' at position 4"},
    {"((?1)", 2, "'(' at position 0"},
    {"(?0)", 2, "(?0) at position 0: conditions are numbered from 1"},
    {"(?33)", 32, "(?33) at position 0 names a condition that is not given (32 given)"},
    {"(?1)(?3)", 2, "(?3) at position 4 names a condition that is not given (2 given)"},
    {"(?99999999999999999999)", 2, "(?999999) at position 0"},
    {"(?t", 2, "(?t at position 0 needs an operator"},
    {"(?1)(?t5)(?2)", 2, "(?t at position 4 needs an operator: <, <=, >, >= or =="},
    {"(?1)(?t!=5)(?2)", 2, "ClickHouse has no != time condition"},
    {"(?1)(?t<)(?2)", 2, "needs a whole number of seconds"},
    {"(?1)(?t<-5)(?2)", 2, "needs a whole number of seconds"},
    {"(?1)(?t<99999999999999999999)(?2)", 2, "exceed 2^64 - 1"},
    {"(?1)(?t<5)(?t>1)(?2)", 2, "must follow (?N), . or .*"},
    {"(?1) (?2)", 2, "' ' at position 4"},
    {"(?x)", 2, "(? at position 0 must be followed by a condition number or t"},
    {"(?1)\x01", 2, "byte 0x01 at position 4"},
  };
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    gseq_pattern p;
    char err[200];
    if (gseq_parse(v[i].pattern, strlen(v[i].pattern), v[i].nconds, &p, err, sizeof err) == 0)
      fail_msg("'%s' parsed", v[i].pattern);
    if (!strstr(err, v[i].want)) fail_msg("'%s': error '%s' lacks '%s'", v[i].pattern, err, v[i].want);
  }
  /* 10,000 characters: refused before any work */
  char *big = malloc(10001);
  for (int i = 0; i < 10000; i++) big[i] = ".*"[i % 2];
  big[10000] = 0;
  gseq_pattern p;
  char err[200];
  assert_int_equal(gseq_parse(big, 10000, 2, &p, err, sizeof err), -1);
  assert_string_equal(err, "the pattern has 10000 bytes, at most 1024 are supported");
  free(big);
  /* accepted: a time condition first (after the implicit .*), (?64) with 64 conditions, a huge V */
  assert_int_equal(gseq_parse("(?t<5)(?1)", 10, 1, &p, err, sizeof err), 0);
  assert_int_equal(p.n, 3);
  gseq_pattern_free(&p);
  assert_int_equal(gseq_parse("(?64)", 5, 64, &p, err, sizeof err), 0);
  assert_true(p.conds == B(64));
  gseq_pattern_free(&p);
  assert_int_equal(gseq_parse("(?1)(?t>18446744073709551615)(?2)", 33, 2, &p, err, sizeof err), 0);
  assert_true(p.act[2].us == GSEQ_MAX_SECONDS * S);
  gseq_pattern_free(&p);
}

/* Corner cases of ClickHouse's search, traced by hand through backtrackingMatch. */
static void clickhouse_corners(void **state) {
  (void)state;
  int64_t ts[] = {0, 1, 2, 10};
  uint64_t m[] = {B(1), B(2), B(1), B(2)};
  /* (?t<V) right after (?1): any later (?2) within V, events between allowed:
  ** A0 B1 A2 B10: (?1)(?t<2)(?2) matches A0-B1; count resumes at A2, whose B is 8 s away */
  assert_int_equal(run("(?1)(?t<2)(?2)", 2, ts, m, 4, 1), 1);
  assert_int_equal(run("(?1)(?t<=8)(?2)", 2, ts, m, 4, 1), 2);
  /* (?t>=V): the first B at least 9 s after an A: A0 -> B10; the count ends at B10 */
  assert_int_equal(run("(?1)(?t>=9)(?2)", 2, ts, m, 4, 1), 1);
  /* a trailing time condition compares the event after the match: (?1)(?t<5) on A0 B1 A2 B10
  ** checks B1 (1 < 5) and matches at A0; the match ends before B1, so the next search starts at
  ** B1: A2 then B10 is 8 s later (fails), but A2's next... no other A -> 1 */
  assert_int_equal(run("(?1)(?t<5)", 2, ts, m, 4, 1), 1);
  /* once the events run out, trailing .* and (?t<V) match nothing: A alone matches (?1).* and
  ** (?1)(?t<5) (ClickHouse #120729 reads past the pattern here; the intended answer is 1) */
  int64_t one_ts[] = {7};
  uint64_t one_m[] = {B(1)};
  assert_int_equal(run("(?1).*", 1, one_ts, one_m, 1, 1), 1);
  assert_int_equal(run("(?1)(?t<5)", 1, one_ts, one_m, 1, 1), 1);
  assert_int_equal(run("(?1)(?t<5).*", 1, one_ts, one_m, 1, 0), 1);
  /* but (?t>V) needs an event: no match */
  assert_int_equal(run("(?1)(?t>5)", 1, one_ts, one_m, 1, 0), 0);
  /* after .*, the time is measured from the first event .* did not consume: .*(?t<V) is
  ** satisfied by that event itself, so (?1).*(?t<1)(?2) equals (?1).*(?2) */
  int64_t far_ts[] = {0, 100};
  uint64_t far_m[] = {B(1), B(2)};
  assert_int_equal(run("(?1).*(?t<1)(?2)", 2, far_ts, far_m, 2, 0), 1);
  assert_int_equal(run("(?1)(?t<1)(?2)", 2, far_ts, far_m, 2, 0), 0);
  /* no events: '' and '.*' match (nothing to match), '.' does not */
  assert_int_equal(run("", 1, NULL, NULL, 0, 0), 1);
  assert_int_equal(run(".*", 1, NULL, NULL, 0, 0), 1);
  assert_int_equal(run(".", 1, NULL, NULL, 0, 0), 0);
  assert_int_equal(run("", 1, NULL, NULL, 0, 1), 0);
}

/* ---- a brute-force restatement of ClickHouse's backtrackingMatch (fixed at the pattern's end) */

typedef struct bt {
  const gseq_pattern *p;
  const gfunnel_event *ev;
  int n;
} bt;

/* returns the end position (>= 0), -1 backtrack, -2 stop the search */
static int bt_run(const bt *b, int a, int e, int base) {
  const gseq_action *act = b->p->act;
  if (a == b->p->n) return e;
  if (e == b->n) {
    for (int k = a; k < b->p->n; k++) {
      int sk = act[k].kind == GSEQ_STAR || act[k].kind == GSEQ_T_LT || act[k].kind == GSEQ_T_LE ||
               (act[k].kind == GSEQ_T_GE && act[k].us == 0);
      if (!sk) return -2;
    }
    return e;
  }
  switch (act[a].kind) {
    case GSEQ_EVENT: return (b->ev[e].mask >> act[a].cond) & 1 ? bt_run(b, a + 1, e + 1, e) : -1;
    case GSEQ_ANY: return bt_run(b, a + 1, e + 1, e);
    case GSEQ_STAR:
      for (int j = e; j < b->n; j++) {
        int r = bt_run(b, a + 1, j, j);
        if (r != -1) return r;
      }
      return -1;
    default:
      for (int j = e; j < b->n; j++) {
        int64_t d = b->ev[j].ts - b->ev[base].ts, v = act[a].us;
        int ok = act[a].kind == GSEQ_T_LT ? d < v
               : act[a].kind == GSEQ_T_LE ? d <= v
               : act[a].kind == GSEQ_T_GT ? d > v
               : act[a].kind == GSEQ_T_GE ? d >= v
                                          : d == v;
        if (!ok) {
          if (act[a].kind == GSEQ_T_LT || act[a].kind == GSEQ_T_LE) return -1; /* no skipping */
          continue;
        }
        int r = bt_run(b, a + 1, j, j);
        if (r != -1) return r;
      }
      return -1;
  }
}

static int64_t bt_eval(const gseq_pattern *p, const gfunnel_event *ev, int n, int count) {
  bt b = {p, ev, n};
  if (!count) return bt_run(&b, 0, 0, 0) >= 0;
  int64_t c = 0;
  for (int s = 0; s < n;) {
    int r = bt_run(&b, 0, s, s);
    if (r < 0) break;
    c++;
    s = r == s ? s + 1 : r;
  }
  return c;
}

static void equals_backtracking_on_random_data(void **state) {
  (void)state;
  static const char *patterns[] = {
    "(?1)(?2)",
    "(?1).*(?2)",
    "(?1)(?t<3)(?2)",
    "(?1)(?t<=3)(?2)(?3)",
    "(?1)(?t>2)(?2)",
    "(?1)(?t>=2).*(?2)",
    "(?1)(?t==2)(?2)",
    ".*(?t<1)(?1)",
    "(?t<2)(?2)",
    "(?1).(?t<=1)(?2)",
    "(?2).*(?t>1)(?1).*(?3)",
    "(?1)(?t<5)",
    "(?1)(?t<0)",
    "(?1).*(?t<0)",
    "(?1)(?t>=0)",
    ".*",
    ".",
    "",
    "(?1)(?1)",
    "(?3).(?t==0)(?1)(?t<4).*",
    "(?1)(?t<=2)(?2)(?t<=2)(?3)",
    "(?1).*(?t>=3).*(?2)",
    "(?2)(?t>0)(?2)(?t>0)(?2)",
  };
  uint32_t x = 12345;
  long compared = 0, nonzero = 0;
  for (int round = 0; round < 3000; round++) {
    gfunnel_event ev[14];
    x = x * 1103515245u + 12345u;
    int n = (int)((x >> 16) % 14);
    int64_t t = 0;
    for (int i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      t += (x >> 16) % 3; /* ties and gaps of 1 and 2 s */
      ev[i].ts = t * S;
      x = x * 1103515245u + 12345u;
      ev[i].mask = 1 + (x >> 16) % 7; /* one to three conditions per event */
    }
    gfunnel_sort(ev, (size_t)n, NULL);
    for (size_t k = 0; k < sizeof patterns / sizeof *patterns; k++) {
      gseq_pattern p;
      char err[200];
      assert_int_equal(gseq_parse(patterns[k], strlen(patterns[k]), 3, &p, err, sizeof err), 0);
      gseq_work w;
      memset(&w, 0, sizeof w);
      for (int count = 0; count < 2; count++) {
        int64_t mine = gseq_eval(&p, ev, (size_t)n, count, &w, NULL), theirs = bt_eval(&p, ev, n, count);
        if (mine != theirs)
          fail_msg("round %d '%s' %s: %lld, backtracking %lld", round, patterns[k], count ? "count" : "match",
                   (long long)mine, (long long)theirs);
        compared++;
        nonzero += theirs > 0;
      }
      gseq_work_free(&w);
      gseq_pattern_free(&p);
    }
  }
  assert_true(compared > 100000);
  assert_true(nonzero > compared / 4);
}

/* The work is actions x events: a pattern that would explode a backtracking search on 100k
** events takes one pass per action; a gcancel stops it. */
static int stop_now(void *ctx) {
  (void)ctx;
  return 1;
}
static void hostile_pattern_is_bounded(void **state) {
  (void)state;
  size_t n = 100000;
  gfunnel_event *ev = malloc(n * sizeof *ev);
  for (size_t i = 0; i < n; i++) {
    ev[i].ts = (int64_t)i * S;
    ev[i].mask = B(1);
  }
  char pat[1025] = "";
  while (strlen(pat) + 11 < sizeof pat) strcat(pat, ".*(?t>=1)(?1)"); /* 13 bytes */
  strcat(pat, "(?2)");
  gseq_pattern p;
  char err[200];
  assert_int_equal(gseq_parse(pat, strlen(pat), 2, &p, err, sizeof err), 0);
  gseq_work w;
  memset(&w, 0, sizeof w);
  /* (?2) never holds: the shortcut answers 0 at once */
  assert_int_equal(gseq_eval(&p, ev, n, 1, &w, NULL), 0);
  ev[n - 1].mask = B(1) | B(2);
  /* every .*(?t>=1)(?1) consumes an event at least a second later: 78 repetitions and (?2) */
  assert_int_equal(gseq_eval(&p, ev, n, 0, &w, NULL), 1);
  gcancel c = {stop_now, NULL, 0, 0};
  assert_int_equal(gseq_eval(&p, ev, n, 1, &w, &c), GSEQ_STOPPED);
  gseq_work_free(&w);
  gseq_pattern_free(&p);
  free(ev);
}

/* ---- sequence_next_node: the table of tests/vectors/clickhouse_sequence.md */

/* Each group as "second letter" pairs; '_' is a row whose event is NULL (the glue skips it). */
typedef struct nn_group {
  int id;
  const char *rows;
} nn_group;
static const nn_group nn_groups[] = {
  {1, "1A2B3C4D"},  {2, "1B2B3D4C"},   {3, "1A2B"},        {4, "1A2A3A4B5C"},
  {5, "1A2B3A4C"},  {6, "1A2B3A4B5C"}, {10, "1A2B2_3C4D"}, /* B and a NULL at the same second */
  {11, "1D1C1B1A"}, /* all at one second, given in reverse: sorted by value, A B C D */
};

static void next_node_table(void **state) {
  (void)state;
  static const struct {
    const char *call, *chain, *want;
  } v[] = {
    {"forward,head", "A", "B-BABBBB"},         {"forward,head", "B", "-B------"},
    {"forward,head", "AB", "C---AACC"},        {"forward,head", "AAB", "--------"},
    {"backward,tail", "C", "-D-BAB--"},        {"backward,tail", "D", "C-----CC"},
    {"backward,tail", "CB", "---A-A--"},       {"forward,first_match", "A", "B-BABBBB"},
    {"forward,first_match", "AB", "C---AACC"}, {"forward,first_match", "ABC", "D-----DD"},
    {"forward,first_match", "B", "CB-CAACC"},  {"forward,first_match", "BB", "-D------"},
    {"forward,first_match", "BA", "----CB--"}, {"backward,first_match", "B", "A-AAAAAA"},
    {"backward,last_match", "B", "ABAAAAAA"},  {"forward,last_match", "A", "B-BBCBBB"},
    {"forward,head", "", "ABAAAAAA"},          {"backward,tail", "", "DCBCCCDD"},
  };
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
    int dir = strncmp(v[i].call, "backward", 8) == 0 ? GSEQ_BACKWARD : GSEQ_FORWARD;
    const char *b = strchr(v[i].call, ',') + 1;
    int base = !strcmp(b, "head")        ? GSEQ_HEAD
             : !strcmp(b, "tail")        ? GSEQ_TAIL
             : !strcmp(b, "first_match") ? GSEQ_FIRST_MATCH
                                         : GSEQ_LAST_MATCH;
    int nev = (int)strlen(v[i].chain);
    for (size_t g = 0; g < sizeof nn_groups / sizeof *nn_groups; g++) {
      gseq_node nodes[8];
      size_t n = 0;
      for (const char *c = nn_groups[g].rows; *c; c += 2) {
        if (c[1] == '_') continue;
        gseq_node *nd = &nodes[n++];
        *nd = (gseq_node){(int64_t)(c[0] - '0') * S, c + 1, 1, 1, 0};
        for (int k = 0; k < nev; k++)
          if (v[i].chain[k] == c[1]) nd->mask |= B(k + 1);
      }
      gseq_node_sort(nodes, n);
      long r = gseq_next_node(nodes, n, nev, dir, base);
      char got = r < 0 ? '-' : nodes[r].val[0];
      if (got != v[i].want[g])
        fail_msg("%s %s, id %d: %c, expected %c", v[i].call, v[i].chain, nn_groups[g].id, got, v[i].want[g]);
    }
  }
}

static void next_node_ties_and_limits(void **state) {
  (void)state;
  /* Z,Y,Z,Y at one second sort Y,Y,Z,Z (as on ClickHouse): head Y, forward,head Y -> Y */
  gseq_node v[4];
  const char *vals = "ZYZY";
  for (int i = 0; i < 4; i++) v[i] = (gseq_node){5 * S, vals + i, 1, 1, vals[i] == 'Y' ? B(1) : 0};
  gseq_node_sort(v, 4);
  for (int i = 0; i < 4; i++) assert_int_equal(v[i].val[0], "YYZZ"[i]);
  assert_int_equal(gseq_next_node(v, 4, 1, GSEQ_FORWARD, GSEQ_HEAD), 1);
  /* a shorter value sorts first: "ab" < "abc"; no base: NULL */
  gseq_node w[2] = {{0, "abc", 3, 1, 0}, {0, "ab", 2, 0, 0}};
  gseq_node_sort(w, 2);
  assert_int_equal(w[0].len, 2);
  assert_int_equal(gseq_next_node(w, 2, 0, GSEQ_FORWARD, GSEQ_HEAD), -1);
  assert_int_equal(gseq_next_node(w, 2, 0, GSEQ_BACKWARD, GSEQ_TAIL), 1);
  /* no rows: NULL; as many rows as chain events: NULL even if the chain holds */
  assert_int_equal(gseq_next_node(w, 0, 0, GSEQ_FORWARD, GSEQ_HEAD), -1);
  gseq_node x[1] = {{0, "a", 1, 1, B(1)}};
  assert_int_equal(gseq_next_node(x, 1, 1, GSEQ_FORWARD, GSEQ_HEAD), -1);
  /* heap sort (more than 32 nodes) agrees with the order */
  gseq_node big[200];
  static const char letters[] = "QWERTYUIOP";
  uint32_t s = 7;
  for (int i = 0; i < 200; i++) {
    s = s * 1103515245u + 12345u;
    big[i] = (gseq_node){(int64_t)((s >> 16) % 20), letters + (s >> 8) % 10, 1, (s >> 4) & 1, (s >> 2) & 3};
  }
  gseq_node_sort(big, 200);
  for (int i = 1; i < 200; i++) {
    assert_true(big[i - 1].ts <= big[i].ts);
    if (big[i - 1].ts == big[i].ts) assert_true(big[i - 1].val[0] <= big[i].val[0]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(vectors_s01_s23),
    cmocka_unit_test(vectors_s24_s27),
    cmocka_unit_test(vector_s26_million_events),
    cmocka_unit_test(parser_errors),
    cmocka_unit_test(clickhouse_corners),
    cmocka_unit_test(equals_backtracking_on_random_data),
    cmocka_unit_test(hostile_pattern_is_bounded),
    cmocka_unit_test(next_node_table),
    cmocka_unit_test(next_node_ties_and_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
