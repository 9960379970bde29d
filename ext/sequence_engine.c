/*
** sequence_engine.c: ClickHouse sequenceMatch / sequenceCount without backtracking, and
** sequenceNextNode. See sequence_engine.h for the semantics.
*/
#include "sequence_engine.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

/* ------------------------------------------------------------------ parsing */

static int parse_error(char *err, size_t errlen, const char *fmt, size_t pos, const char *what) {
  if (errlen) snprintf(err, errlen, fmt, what ? what : "", (unsigned long)pos);
  return -1;
}

/* Reads decimal digits at p[*i]; 0 with *out, or -1 when there is none or it exceeds UINT64. */
static int read_digits(const char *p, size_t len, size_t *i, uint64_t *out) {
  size_t k = *i;
  uint64_t v = 0;
  if (k >= len || p[k] < '0' || p[k] > '9') return -1;
  for (; k < len && p[k] >= '0' && p[k] <= '9'; k++) {
    unsigned d = (unsigned)(p[k] - '0');
    if (v > (UINT64_MAX - d) / 10) return -2;
    v = v * 10 + d;
  }
  *i = k;
  *out = v;
  return 0;
}

static int push_action(gseq_pattern *out, int kind, int cond, int64_t us) {
  /* one action per pattern byte at most, plus the leading .*: sized once by the caller */
  gseq_action *a = &out->act[out->n++];
  a->kind = (uint8_t)kind;
  a->cond = (uint8_t)cond;
  a->us = us;
  return 0;
}

/* The time operator at p[*i] (after "(?t"): its kind, or -1. */
static int read_time_op(const char *p, size_t len, size_t *i) {
  size_t k = *i;
  int two = k + 1 < len;
  if (two && p[k] == '<' && p[k + 1] == '=') {
    *i = k + 2;
    return GSEQ_T_LE;
  }
  if (two && p[k] == '>' && p[k + 1] == '=') {
    *i = k + 2;
    return GSEQ_T_GE;
  }
  if (two && p[k] == '=' && p[k + 1] == '=') {
    *i = k + 2;
    return GSEQ_T_EQ;
  }
  if (k < len && p[k] == '<') {
    *i = k + 1;
    return GSEQ_T_LT;
  }
  if (k < len && p[k] == '>') {
    *i = k + 1;
    return GSEQ_T_GT;
  }
  return -1;
}

/* One "(?...)" group starting at p[*i] == '('. */
static int parse_group(const char *p, size_t len, size_t *i, int nconds, gseq_pattern *out, char *err, size_t errlen) {
  size_t start = *i, k = start + 2;
  uint64_t v = 0;
  if (k < len && p[k] == 't') {
    k++;
    int kind = read_time_op(p, len, &k);
    if (kind < 0) {
      if (k + 1 < len && p[k] == '!' && p[k + 1] == '=')
        return parse_error(err, errlen,
                           "%s(?t!= at position %lu: ClickHouse has no != time condition; use <, <=, >, >= or ==",
                           start, NULL);
      return parse_error(err, errlen, "%s(?t at position %lu needs an operator: <, <=, >, >= or ==", start, NULL);
    }
    int r = read_digits(p, len, &k, &v);
    if (r == -2)
      return parse_error(err, errlen, "%sthe seconds of the time condition at position %lu exceed 2^64 - 1", start,
                         NULL);
    if (r < 0)
      return parse_error(err, errlen, "%sthe time condition at position %lu needs a whole number of seconds", start,
                         NULL);
    int prev = out->act[out->n - 1].kind;
    if (prev != GSEQ_EVENT && prev != GSEQ_ANY && prev != GSEQ_STAR)
      return parse_error(err, errlen,
                         "%sthe time condition at position %lu must follow (?N), . or .*, not another time condition",
                         start, NULL);
    int64_t secs = v > (uint64_t)GSEQ_MAX_SECONDS ? GSEQ_MAX_SECONDS : (int64_t)v;
    push_action(out, kind, 0, secs * 1000000);
  } else {
    int r = read_digits(p, len, &k, &v);
    if (r == -2) { /* more digits than 2^64: surely no condition given */
      while (k < len && p[k] >= '0' && p[k] <= '9') k++;
      v = UINT64_MAX;
    } else if (r < 0)
      return parse_error(err, errlen, "%s(? at position %lu must be followed by a condition number or t", start, NULL);
    if (v == 0) return parse_error(err, errlen, "%s(?0) at position %lu: conditions are numbered from 1", start, NULL);
    if (v > (uint64_t)nconds) {
      char what[64];
      snprintf(what, sizeof what, "(?%llu) ", (unsigned long long)(v > 999999 ? 999999 : v));
      snprintf(err, errlen, "%sat position %lu names a condition that is not given (%d given)", what,
               (unsigned long)start, nconds);
      return -1;
    }
    push_action(out, GSEQ_EVENT, (int)(v - 1), 0);
    out->conds |= UINT64_C(1) << (v - 1);
  }
  if (k >= len || p[k] != ')')
    return parse_error(err, errlen, "%sthe group opened at position %lu is not closed with ')'", start, NULL);
  *i = k + 1;
  return 0;
}

int gseq_parse(const char *pat, size_t len, int nconds, gseq_pattern *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (errlen) err[0] = 0;
  if (len > GSEQ_MAX_PATTERN) {
    snprintf(err, errlen, "the pattern has %lu bytes, at most %d are supported", (unsigned long)len, GSEQ_MAX_PATTERN);
    return -1;
  }
  out->act = gmem_alloc((len + 1) * sizeof *out->act);
  if (!out->act) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  push_action(out, GSEQ_STAR, 0, 0);
  size_t i = 0;
  while (i < len) {
    int rc = 0;
    if (pat[i] == '(' && i + 1 < len && pat[i + 1] == '?') {
      rc = parse_group(pat, len, &i, nconds, out, err, errlen);
    } else if (pat[i] == '.' && i + 1 < len && pat[i + 1] == '*') {
      push_action(out, GSEQ_STAR, 0, 0);
      i += 2;
    } else if (pat[i] == '.') {
      push_action(out, GSEQ_ANY, 0, 0);
      i++;
    } else {
      char what[32];
      unsigned char c = (unsigned char)pat[i];
      if (c >= 0x20 && c < 0x7f) snprintf(what, sizeof what, "'%c' ", c);
      else snprintf(what, sizeof what, "byte 0x%02x ", c);
      rc = parse_error(err, errlen,
                       "%sat position %lu: a pattern is made of (?N), ., .* and (?t op seconds), with no spaces", i,
                       what);
    }
    if (rc < 0) {
      gseq_pattern_free(out);
      return -1;
    }
  }
  return 0;
}

void gseq_pattern_free(gseq_pattern *p) {
  gmem_free(p->act);
  memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ matching */

#define R_FAIL (-1)    /* no match from here: the search backtracks */
#define R_EXHAUST (-2) /* the events ran out before the pattern did: the whole search stops */

void gseq_work_free(gseq_work *w) {
  gmem_free(w->rows);
  memset(w, 0, sizeof *w);
}

/* Actions ClickHouse lets match nothing once the events have run out. */
static int skippable(const gseq_action *a) {
  return a->kind == GSEQ_STAR || a->kind == GSEQ_T_LT || a->kind == GSEQ_T_LE || (a->kind == GSEQ_T_GE && a->us == 0);
}

/* nf[e]: the first j >= e (j < n) whose outcome in row nxt is not R_FAIL, else n. */
static void first_not_failing(const int32_t *nxt, int32_t *nf, int32_t n) {
  nf[n] = n;
  for (int32_t e = n - 1; e >= 0; e--) nf[e] = nxt[e] != R_FAIL ? e : nf[e + 1];
}

/* Row a from row a+1. The search at (a, e) does what ClickHouse's loop does there:
**  (?N), .   consume event e and go on at (a+1, e+1), or fail;
**  .*, (?t)  try (a+1, j) for j = e, e+1, ... < n in turn (those j that satisfy the time
**            condition), and the first that does not fail is the outcome;
**  e == n    the events ran out: a match if every remaining action may match nothing.
** The time conditions compare event j with the base: the event the previous action consumed
** (e - 1), or after .* the first event it did not consume (e). */
static void fill_row(const gseq_pattern *p, int a, int tail_ok, const gfunnel_event *ev, int32_t n, const int32_t *nxt,
                     const int32_t *nf, int32_t *cur) {
  const gseq_action *act = &p->act[a];
  cur[n] = tail_ok ? n : R_EXHAUST;
  switch (act->kind) {
    case GSEQ_EVENT: {
      uint64_t bit = UINT64_C(1) << act->cond;
      for (int32_t e = 0; e < n; e++) cur[e] = (ev[e].mask & bit) ? nxt[e + 1] : R_FAIL;
      return;
    }
    case GSEQ_ANY:
      for (int32_t e = 0; e < n; e++) cur[e] = nxt[e + 1];
      return;
    case GSEQ_STAR:
      for (int32_t e = 0; e < n; e++) cur[e] = nf[e] < n ? nxt[nf[e]] : R_FAIL;
      return;
    default: break;
  }
  int base_is_e = p->act[a - 1].kind == GSEQ_STAR;
  int64_t us = act->us;
  int32_t ge = 0, gt = 0; /* first j >= e with ts[j] - ts[base] >= us, resp. > us */
  for (int32_t e = 0; e < n; e++) {
    if (!base_is_e && e == 0) {
      cur[e] = R_FAIL;
      continue;
    } /* unreachable: nothing consumed */
    int64_t tb = ev[base_is_e ? e : e - 1].ts;
    if (ge < e) ge = e;
    if (gt < e) gt = e;
    while (ge < n && ev[ge].ts - tb < us) ge++;
    while (gt < n && ev[gt].ts - tb <= us) gt++;
    int32_t lo = e, hi = n;
    switch (act->kind) {
      case GSEQ_T_LT: hi = ge; break;
      case GSEQ_T_LE: hi = gt; break;
      case GSEQ_T_GT: lo = gt; break;
      case GSEQ_T_GE: lo = ge; break;
      default:
        lo = ge;
        hi = gt;
        break; /* == */
    }
    int32_t j = nf[lo];
    cur[e] = j < hi ? nxt[j] : R_FAIL;
  }
}

int64_t gseq_eval(const gseq_pattern *p, const gfunnel_event *ev, size_t n_events, int count, gseq_work *w,
                  gcancel *cancel) {
  if (n_events > (size_t)INT32_MAX - 2) return GSEQ_TOO_MANY;
  int32_t n = (int32_t)n_events;
  /* ClickHouse's shortcut, which changes no answer: a condition the pattern needs never held */
  uint64_t seen = 0;
  for (int32_t e = 0; e < n; e++) seen |= ev[e].mask;
  if ((p->conds & seen) != p->conds) return 0;
  size_t need = 3 * ((size_t)n + 1);
  if (w->cap < need) {
    int32_t *r = gmem_realloc(w->rows, need * sizeof *r);
    if (!r) return GSEQ_NOMEM;
    w->rows = r;
    w->cap = need;
  }
  int32_t *nxt = w->rows, *cur = nxt + n + 1, *nf = cur + n + 1;
  for (int32_t e = 0; e <= n; e++) nxt[e] = e; /* past the last action: a match ending at e */
  int tail_ok = 1;
  for (int a = p->n - 1; a >= 0; a--) {
    if (gcancel_work(cancel, (uint64_t)n + 1)) return GSEQ_STOPPED;
    tail_ok = tail_ok && skippable(&p->act[a]);
    first_not_failing(nxt, nf, n);
    fill_row(p, a, tail_ok, ev, n, nxt, nf, cur);
    int32_t *t = nxt;
    nxt = cur;
    cur = t;
  }
  /* nxt is row 0: the search from the leading .* started at each event */
  if (!count) return nxt[0] >= 0;
  int64_t matches = 0;
  for (int32_t s = 0; s < n;) {
    int32_t r = nxt[s];
    if (r < 0) break;
    matches++;
    s = r == s ? s + 1 : r; /* the next search starts where the match ended */
  }
  return matches;
}

/* ------------------------------------------------------------------ sequence_next_node */

static int node_cmp(const gseq_node *a, const gseq_node *b) {
  if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
  uint32_t m = a->len < b->len ? a->len : b->len;
  /* ClickHouse: strncmp over the shorter length (a NUL byte ends the comparison), then length */
  int c = m ? strncmp(a->val, b->val, m) : 0;
  if (c) return c < 0 ? -1 : 1;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  if (a->can_be_base != b->can_be_base) return a->can_be_base < b->can_be_base ? -1 : 1;
  if (a->mask != b->mask) return a->mask < b->mask ? -1 : 1;
  return 0;
}

static void sift_down(gseq_node *v, size_t root, size_t n) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && node_cmp(&v[child], &v[child + 1]) < 0) child++;
    if (node_cmp(&v[root], &v[child]) >= 0) return;
    gseq_node t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}

void gseq_node_sort(gseq_node *v, size_t n) {
  size_t i = 1;
  while (i < n && node_cmp(&v[i - 1], &v[i]) <= 0) i++;
  if (i >= n) return; /* already in order: the common case */
  if (n <= 32) {
    for (i = 1; i < n; i++) {
      gseq_node x = v[i];
      size_t k = i;
      while (k > 0 && node_cmp(&v[k - 1], &x) > 0) {
        v[k] = v[k - 1];
        k--;
      }
      v[k] = x;
    }
    return;
  }
  /* heap sort: no allocation, n log n; equal keys are identical nodes, so stability is moot */
  for (size_t r = n / 2; r-- > 0;) sift_down(v, r, n);
  for (size_t end = n - 1; end > 0; end--) {
    gseq_node t = v[0];
    v[0] = v[end];
    v[end] = t;
    sift_down(v, 0, end);
  }
}

static long find_base(const gseq_node *v, size_t n, int base) {
  switch (base) {
    case GSEQ_HEAD: return v[0].can_be_base ? 0 : -1;
    case GSEQ_TAIL: return v[n - 1].can_be_base ? (long)n - 1 : -1;
    case GSEQ_FIRST_MATCH:
      for (size_t i = 0; i < n; i++)
        if ((v[i].mask & 1) && v[i].can_be_base) return (long)i;
      return -1;
    default:
      for (size_t i = n; i-- > 0;)
        if ((v[i].mask & 1) && v[i].can_be_base) return (long)i;
      return -1;
  }
}

long gseq_next_node(const gseq_node *v, size_t n, int nevents, int direction, int base) {
  if (n <= (size_t)nevents) return -1; /* ClickHouse: no more rows than chain events, no answer */
  long b = find_base(v, n, base);
  if (b < 0) return -1;
  if (nevents == 0) return b;
  int i = 0;
  if (direction == GSEQ_FORWARD) {
    for (; i < nevents && (size_t)b + (size_t)i < n; i++)
      if (!((v[b + i].mask >> i) & 1)) break;
    return i == nevents && (size_t)b + (size_t)i < n ? b + i : -1;
  }
  /* backward: event k on base - k + 1, and (as ClickHouse) never on row 0 */
  for (; i < nevents && i < b; i++)
    if (!((v[b - i].mask >> i) & 1)) break;
  return i == nevents ? b - i : -1;
}
