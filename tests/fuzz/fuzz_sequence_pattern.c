/*
** fuzz_sequence_pattern.c: libFuzzer target for the sequence pattern parser (gseq_parse) and the
** matcher (gseq_eval). Input: one byte for the number of conditions (1..64), one byte that seeds
** a few events, then the pattern. A pattern that parses has the implicit leading .*, at most one
** action per byte, conditions within range and no time condition after another; the matcher
** gives 0/1 for a match, a count at least the match, and on small inputs exactly what a
** restatement of ClickHouse's backtracking search gives. A refused pattern has a message.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sequence_engine.h"

typedef struct bt {
  const gseq_pattern *p;
  const gfunnel_event *ev;
  int n;
} bt;

static int skippable(const gseq_action *a) {
  return a->kind == GSEQ_STAR || a->kind == GSEQ_T_LT || a->kind == GSEQ_T_LE || (a->kind == GSEQ_T_GE && a->us == 0);
}

/* the end position (>= 0), -1 backtrack, -2 stop the search */
static int bt_run(const bt *b, int a, int e, int base) {
  const gseq_action *act = b->p->act;
  if (a == b->p->n) return e;
  if (e == b->n) {
    for (int k = a; k < b->p->n; k++)
      if (!skippable(&act[k])) return -2;
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
        int k = act[a].kind;
        int ok = k == GSEQ_T_LT ? d < v : k == GSEQ_T_LE ? d <= v : k == GSEQ_T_GT ? d > v : k == GSEQ_T_GE ? d >= v : d == v;
        if (!ok) {
          if (k == GSEQ_T_LT || k == GSEQ_T_LE) return -1;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size > 2048) return 0;
  int nconds = 1 + data[0] % 64;
  uint32_t x = data[1] * 2654435761u + 1;
  const char *pat = (const char *)data + 2;
  size_t len = size - 2;
  gseq_pattern p;
  char err[200];
  if (gseq_parse(pat, len, nconds, &p, err, sizeof err) != 0) {
    if (!memchr(err, 0, sizeof err) || !err[0]) abort();
    return 0;
  }
  if (p.n < 1 || (size_t)p.n > len + 1 || p.act[0].kind != GSEQ_STAR) abort();
  if (nconds < 64 && (p.conds >> nconds)) abort();
  for (int a = 1; a < p.n; a++) {
    if (p.act[a].kind == GSEQ_EVENT && p.act[a].cond >= nconds) abort();
    if (p.act[a].kind >= GSEQ_T_LT && p.act[a - 1].kind >= GSEQ_T_LT) abort();
    if (p.act[a].us < 0) abort();
  }
  /* a few events at 0..3 s steps, conditions from the seed byte */
  gfunnel_event ev[10];
  int n = (int)(x >> 28) % 10;
  int64_t t = 0;
  for (int i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    t += (x >> 16) % 4;
    ev[i].ts = t * 1000000;
    ev[i].mask = 1 + (x >> 20) % ((nconds < 4 ? (1u << nconds) : 16u) - 1);
  }
  gfunnel_sort(ev, (size_t)n, NULL);
  gseq_work w;
  memset(&w, 0, sizeof w);
  int64_t m = gseq_eval(&p, ev, (size_t)n, 0, &w, NULL), c = gseq_eval(&p, ev, (size_t)n, 1, &w, NULL);
  if (m == GSEQ_NOMEM || c == GSEQ_NOMEM) goto done;
  if (m < 0 || m > 1 || (n > 0 && c < m)) abort(); /* with no events, "" matches and counts 0 */
  /* the restated search is exponential in the worst case: small patterns only */
  if (p.n <= 12 && (bt_eval(&p, ev, n, 0) != m || bt_eval(&p, ev, n, 1) != c)) abort();
done:
  gseq_work_free(&w);
  gseq_pattern_free(&p);
  return 0;
}
