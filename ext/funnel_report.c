/* funnel_report.c: see funnel_report.h. */
#include "funnel_report.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

static inline int less_than(const gfunnel_order *o, int64_t a, int64_t b) { return o ? o->less(o->ctx, a, b) : a < b; }

static inline void swap64(int64_t *a, int64_t *b) {
  int64_t t = *a;
  *a = *b;
  *b = t;
}

static void sift_down(int64_t *v, size_t root, size_t n, const gfunnel_order *o) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && less_than(o, v[child], v[child + 1])) child++;
    if (!less_than(o, v[root], v[child])) return;
    swap64(&v[root], &v[child]);
    root = child;
  }
}

/* A sift is at most 2 log2 n comparisons: counted as 64 units. */
static int heap_sort(int64_t *v, size_t n, const gfunnel_order *o, gcancel *cancel) {
  for (size_t i = n / 2; i > 0; i--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_SELECT_STOPPED;
    sift_down(v, i - 1, n, o);
  }
  for (size_t end = n - 1; end > 0; end--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_SELECT_STOPPED;
    swap64(&v[0], &v[end]);
    sift_down(v, 0, end, o);
  }
  return 0;
}

int gfunnel_select(int64_t *v, size_t n, size_t k, const gfunnel_order *o, gcancel *cancel) {
  if (o && !o->less) o = NULL;
  size_t lo = 0, hi = n - 1;
  /* a quickselect may meet an input that makes every pivot bad (McIlroy's adversary makes one
  ** for any median-of-three scheme): past 2 log2 n partitions the rest is heap sorted */
  int depth = 0;
  for (size_t m = n; m > 1; m >>= 1) depth += 2;
  while (lo < hi) {
    if (depth-- == 0) return heap_sort(v + lo, hi - lo + 1, o, cancel);
    if (gcancel_work(cancel, hi - lo + 1)) return GFUNNEL_SELECT_STOPPED;
    size_t mid = lo + (hi - lo) / 2;
    /* median of three as the pivot */
    int64_t a = v[lo], b = v[mid], c = v[hi];
    int64_t pivot = less_than(o, a, b) ? (less_than(o, b, c) ? b : (less_than(o, a, c) ? c : a))
                                       : (less_than(o, a, c) ? a : (less_than(o, b, c) ? c : b));
    size_t i = lo, j = hi;
    while (i <= j) {
      while (less_than(o, v[i], pivot)) i++;
      while (less_than(o, pivot, v[j])) j--;
      if (i <= j) {
        swap64(&v[i], &v[j]);
        i++;
        if (j == 0) break;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return 0;
  }
  return 0;
}

int gfunnel_quantile(int64_t *v, size_t n, double q, gcancel *cancel, double *out) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)pos;
  double frac = pos - (double)lo;
  if (gfunnel_select(v, n, lo, NULL, cancel)) return GFUNNEL_SELECT_STOPPED;
  int64_t x = v[lo];
  double r = (double)x;
  if (frac > 0 && lo + 1 < n) {
    /* after selecting lo, everything above it is >= v[lo]: the next rank is their minimum */
    if (gcancel_work(cancel, n - lo)) return GFUNNEL_SELECT_STOPPED;
    int64_t y = v[lo + 1];
    for (size_t i = lo + 2; i < n; i++)
      if (v[i] < y) y = v[i];
    r += frac * (double)(y - x);
  }
  *out = r;
  return 0;
}

/* ------------------------------------------------------------------ the rows read */

/* Counts rows per actor key while reading, so grouping needs no extra pass over the rows. */
static int count_key(uint32_t **count, size_t *ncap, size_t at) {
  if (at >= *ncap) {
    size_t cap = *ncap ? *ncap * 2 : 4096;
    while (cap <= at) cap *= 2;
    uint32_t *c = gmem_realloc(*count, cap * sizeof *c);
    if (!c) return -1;
    memset(c + *ncap, 0, (cap - *ncap) * sizeof *c);
    *count = c;
    *ncap = cap;
  }
  (*count)[at]++;
  return 0;
}

int gfunnel_rows_add(gfunnel_rows *b, int64_t ts, uint32_t actor, uint32_t code_bd) {
  int rc = actor < GFUNNEL_ACTOR_DIRECT_MAX ? count_key(&b->dcount, &b->ndcount, actor)
                                            : count_key(&b->hcount, &b->nhcount, actor - GFUNNEL_ACTOR_DIRECT_MAX);
  if (rc) return -1;
  if (b->in_last == GFUNNEL_ROW_CHUNK || b->nchunk == 0) {
    if (b->nchunk == b->chunk_cap) {
      size_t cap = b->chunk_cap ? b->chunk_cap * 2 : 16;
      gfunnel_row **c = gmem_realloc(b->chunk, cap * sizeof *c);
      if (!c) return -1;
      b->chunk = c;
      b->chunk_cap = cap;
    }
    if (!(b->chunk[b->nchunk] = gmem_alloc(GFUNNEL_ROW_CHUNK * sizeof(gfunnel_row)))) return -1;
    b->nchunk++;
    b->in_last = 0;
  }
  gfunnel_row *r = &b->chunk[b->nchunk - 1][b->in_last++];
  r->ts = ts;
  r->actor = actor;
  r->code_bd = code_bd;
  b->nrows++;
  return 0;
}

void gfunnel_rows_free(gfunnel_rows *b) {
  gmem_free(b->dcount);
  gmem_free(b->hcount);
  for (size_t c = 0; c < b->nchunk; c++) gmem_free(b->chunk[c]);
  gmem_free(b->chunk);
  memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------------ evaluation and the report */

/* Long loops poll their gcancel every 65,536 steps (i counts the steps), and each actor's or
** report row's work is counted as it starts. */
static inline int long_loop_stop(gcancel *c, size_t i) { return (i & 0xffff) == 0xffff && gcancel_work(c, 0x10000); }

/* Orders breakdown ids by value, NULL (id 0) first. */
static int bd_less(const gkeys *t, uint32_t x, uint32_t y) {
  if (x == y || y == 0) return 0;
  if (x == 0) return 1;
  return gkeys_cmp(t, x - 1, y - 1) < 0;
}

/* Merge sort with the table as context (qsort has none, and a global would be shared between
** connections). tmp holds n ids. Returns 0, or 1 when cancel said stop. */
static int sort_bds(const gkeys *t, uint32_t *ids, uint32_t *tmp, size_t n, gcancel *cancel) {
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      if (gcancel_work(cancel, hi - lo)) return 1; /* at most 2 x 65,536 ids between polls */
      size_t a = lo, b = mid, o = lo;
      while (a < mid && b < hi) {
        if (long_loop_stop(cancel, o)) return 1;
        tmp[o++] = bd_less(t, ids[b], ids[a]) ? ids[b++] : ids[a++];
      }
      while (a < mid) tmp[o++] = ids[a++];
      while (b < hi) tmp[o++] = ids[b++];
    }
    memcpy(ids, tmp, n * sizeof *ids);
  }
  return 0;
}

const char *gfunnel_evaluate(const gfunnel_plan *p, gfunnel_rows *rows, size_t nkeyed, gfunnel_actor **act,
                             size_t *nact, gfunnel_delta **deltas, size_t *ndeltas, gcancel *cancel) {
  const char *why = NULL;
  /* group index of an actor key: direct keys by value, then the numbered actors */
  size_t n = rows->nrows, ND = rows->ndcount, A = ND + nkeyed;
  uint32_t *off = NULL;
  int64_t *ts = NULL;
  uint32_t *cb = NULL;
  gfunnel_event *ev = NULL;
  gfunnel_work work;
  memset(&work, 0, sizeof work);
  work.cancel = cancel;
  *act = NULL;
  *nact = 0;
  if (n >= UINT32_MAX) return "more than 4294967294 source rows";
  off = gmem_alloc((A + 1) * sizeof *off);
  if (!off) return "out of memory";
  memset(off, 0, (A + 1) * sizeof *off);
  /* group rows by actor with a counting sort (counts taken while reading): stable, so each
  ** actor's rows keep source order */
  size_t present = 0, widest = 0;
  for (size_t a = 0; a < A; a++) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    uint32_t c = a < ND ? rows->dcount[a] : rows->hcount[a - ND];
    present += c > 0;
    if (c > widest) widest = c;
    off[a + 1] = off[a] + c;
  }
  ts = gmem_alloc((n ? n : 1) * sizeof *ts);
  cb = gmem_alloc((n ? n : 1) * sizeof *cb);
  if (!ts || !cb) goto nomem;
  for (size_t c = 0, left = n; c < rows->nchunk; c++) {
    size_t m = left < GFUNNEL_ROW_CHUNK ? left : GFUNNEL_ROW_CHUNK;
    if (gcancel_work(cancel, m)) goto interrupted;
    for (size_t i = 0; i < m; i++) {
      const gfunnel_row *x = &rows->chunk[c][i];
      uint32_t at = off[x->actor < GFUNNEL_ACTOR_DIRECT_MAX ? x->actor : ND + (x->actor - GFUNNEL_ACTOR_DIRECT_MAX)]++;
      ts[at] = x->ts;
      cb[at] = x->code_bd;
    }
    left -= m;
    gmem_free(rows->chunk[c]);
    rows->chunk[c] = NULL;
  }
  rows->nchunk = 0;
  for (size_t a = A; a > 0; a--) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    off[a] = off[a - 1];
  }
  off[0] = 0;

  *act = gmem_alloc((present ? present : 1) * sizeof **act);
  if (!*act) goto nomem;
  /* one actor's events at a time, in a buffer sized for the widest actor: one actor with every
  ** row holds 12 + 16 bytes per event */
  ev = gmem_alloc((widest ? widest : 1) * sizeof *ev);
  if (!ev) goto nomem;
  size_t dcap = 0;
  int N = p->cfg.nsteps;
  gfunnel_chain chain;
  for (size_t a = 0; a < A; a++) {
    if (long_loop_stop(cancel, a)) goto interrupted;
    size_t lo = off[a], m = off[a + 1] - lo;
    if (m == 0) continue;
    /* the two copies below: 2 units per event (the sort and the evaluation count their own) */
    if (gcancel_work(cancel, 2 * (uint64_t)m)) goto interrupted;
    /* sort by (ts, code_bd) so ties resolve the same way whatever the source order */
    for (size_t i = 0; i < m; i++) {
      if (long_loop_stop(cancel, i)) goto interrupted;
      ev[i].ts = ts[lo + i];
      ev[i].mask = cb[lo + i];
    }
    if (gfunnel_sort(ev, m, &work) != 0) goto interrupted;
    /* the actor's slice of cb is read: it now keeps each sorted event's code and breakdown */
    uint32_t *tag = cb + lo;
    for (size_t i = 0; i < m; i++) {
      if (long_loop_stop(cancel, i)) goto interrupted;
      uint32_t code_bd = (uint32_t)ev[i].mask;
      tag[i] = code_bd;
      ev[i].mask = p->code_mask[code_bd & 0xff];
    }
    int level = gfunnel_eval(&p->cfg, ev, m, &work, &chain);
    if (level == GFUNNEL_INTERRUPTED) goto interrupted;
    if (level == GFUNNEL_NOMEM) goto nomem;
    if (level == GFUNNEL_TOO_MANY_CHAINS) {
      why = GFUNNEL_TOO_MANY_CHAINS_REASON;
      goto done;
    }
    if (level == 0) continue;
    gfunnel_actor *f = &(*act)[(*nact)++];
    f->actor = a < ND ? (uint32_t)a : (uint32_t)(GFUNNEL_ACTOR_DIRECT_MAX + (a - ND));
    f->level = level;
    f->step1 = ev[chain.at[0]].ts;
    f->last = ev[chain.at[level - 1]].ts;
    int k = p->bd_mode == GFUNNEL_BD_FIRST ? 0 : p->bd_mode == GFUNNEL_BD_LAST ? level - 1 : p->bd_step - 1;
    f->bd = k < level ? tag[chain.at[k]] >> 8 : 0;
    if (deltas && level > 1) {
      if (*ndeltas + (size_t)N > dcap) {
        size_t cap = dcap ? dcap * 2 : 1024;
        while (cap < *ndeltas + (size_t)N) cap *= 2;
        gfunnel_delta *d2 = gmem_realloc(*deltas, cap * sizeof *d2);
        if (!d2) goto nomem;
        *deltas = d2;
        dcap = cap;
      }
      /* bd carries the step in its top byte during collection: (step << 24 | bd) */
      for (int s = 1; s < level; s++) {
        gfunnel_delta *d = &(*deltas)[(*ndeltas)++];
        d->bd = (uint32_t)s << 24 | f->bd;
        d->us = ev[chain.at[s]].ts - ev[chain.at[s - 1]].ts;
      }
    }
  }
  goto done;
nomem:
  why = "out of memory";
  goto done;
interrupted:
  why = gcancel_reason;
done:
  gfunnel_work_free(&work);
  gmem_free(off);
  gmem_free(ts);
  gmem_free(cb);
  gmem_free(ev);
  return why;
}

int gfunnel_build_report(const gfunnel_plan *p, const gkeys *bds, const gfunnel_actor *act, size_t nact,
                         gfunnel_delta *d, size_t nd, gfunnel_report_row **rep, size_t *nrep, gcancel *cancel,
                         char *err, size_t errlen) {
  int N = p->cfg.nsteps;
  *rep = NULL;
  *nrep = 0;
  /* the breakdown values present, in SQLite's order, NULL first */
  uint32_t nbds = bds ? gkeys_count(bds) : 0;
  uint32_t *ids = gmem_alloc(((size_t)nbds + 1) * sizeof *ids);
  uint32_t *slot = gmem_alloc(((size_t)nbds + 1) * sizeof *slot);
  if (!ids || !slot) {
    gmem_free(ids);
    gmem_free(slot);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int stop = 0;
  for (uint32_t i = 0; i <= nbds; i++) slot[i] = UINT32_MAX;
  size_t nb = 0;
  if (!p->has_bd) ids[nb++] = 0;
  for (size_t i = 0; i < nact && !stop; i++) {
    stop = long_loop_stop(cancel, i);
    if (p->has_bd && slot[act[i].bd] == UINT32_MAX) {
      slot[act[i].bd] = 0;
      ids[nb++] = act[i].bd;
    }
  }
  if (!stop && (uint64_t)nb * (uint64_t)N > GFUNNEL_MAX_REPORT_ROWS) {
    /* a breakdown by a near-unique value (an order id, a timestamp) would hold 72 bytes per
    ** value and step (issue 16, L3) */
    snprintf(err, errlen,
             "%llu breakdown values x %d steps make more than %d report rows: break down by a column with fewer "
             "values, or use funnel_actors",
             (unsigned long long)nb, N, GFUNNEL_MAX_REPORT_ROWS);
    gmem_free(ids);
    gmem_free(slot);
    return -1;
  }
  stop = stop || sort_bds(bds, ids, slot, nb, cancel); /* slot is scratch until filled below */
  if (stop || gcancel_work(cancel, nbds + nb)) {
    gmem_free(ids);
    gmem_free(slot);
    snprintf(err, errlen, "%s", gcancel_reason);
    return -1;
  }
  for (uint32_t i = 0; i <= nbds; i++) slot[i] = UINT32_MAX;
  for (size_t i = 0; i < nb; i++) slot[ids[i]] = (uint32_t)i;
  size_t nr = nb * (size_t)N;
  int rc = 0;
  gfunnel_report_row *r = NULL;
  size_t *start = NULL;
  int64_t *vals = NULL;
  r = gmem_alloc((nr ? nr : 1) * sizeof *r);
  if (!r) goto nomem;
  memset(r, 0, (nr ? nr : 1) * sizeof *r);
  for (size_t i = 0; i < nb; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    for (int k = 0; k < N; k++) {
      r[i * N + k].bd = ids[i];
      r[i * N + k].step = k + 1;
    }
  }
  for (size_t i = 0; i < nact; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    gfunnel_report_row *row = &r[(size_t)slot[act[i].bd] * N];
    for (int k = 0; k < act[i].level; k++) row[k].actors++;
  }
  for (size_t i = 0; i < nb; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    gfunnel_report_row *row = &r[i * N];
    for (int k = 0; k < N; k++) {
      row[k].dropped = k + 1 < N ? row[k].actors - row[k + 1].actors : 0;
      if (row[0].actors > 0) {
        row[k].has_conv = 1;
        row[k].conv_first = (double)row[k].actors / (double)row[0].actors;
        row[k].conv_prev = k == 0 ? 1.0 : row[k - 1].actors ? (double)row[k].actors / (double)row[k - 1].actors : 0.0;
      }
    }
  }
  /* times grouped by report row with a counting sort, then quantiles by selection */
  start = gmem_alloc((nr + 1) * sizeof *start);
  vals = gmem_alloc((nd ? nd : 1) * sizeof *vals);
  if (!start || !vals) goto nomem;
  memset(start, 0, (nr + 1) * sizeof *start);
  for (size_t i = 0; i < nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    d[i].bd = slot[d[i].bd & 0xffffff] * (uint32_t)N + (d[i].bd >> 24); /* now the report row */
    start[d[i].bd + 1]++;
  }
  for (size_t i = 0; i < nr; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    start[i + 1] += start[i];
  }
  for (size_t i = 0; i < nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    vals[start[d[i].bd]++] = d[i].us;
  }
  for (size_t i = nr; i > 0; i--) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    start[i] = start[i - 1];
  }
  start[0] = 0;
  for (size_t ri = 0; ri < nr; ri++) {
    size_t lo = start[ri], n = start[ri + 1] - lo;
    if (long_loop_stop(cancel, ri)) goto interrupted;
    if (!n) continue;
    /* the sum (the selections count their own work) */
    if (gcancel_work(cancel, n)) goto interrupted;
    gfunnel_report_row *row = &r[ri];
    double sum = 0;
    for (size_t x = lo; x < lo + n; x++) sum += (double)vals[x];
    row->has_time = 1;
    row->avg = sum / (double)n / 1e6;
    double median, p90;
    if (gfunnel_quantile(vals + lo, n, 0.5, cancel, &median) || gfunnel_quantile(vals + lo, n, 0.9, cancel, &p90))
      goto interrupted;
    row->median = median / 1e6;
    row->p90 = p90 / 1e6;
  }
  *rep = r;
  *nrep = nr;
  r = NULL;
  goto done;
nomem:
  snprintf(err, errlen, "out of memory");
  rc = -1;
  goto done;
interrupted:
  snprintf(err, errlen, "%s", gcancel_reason);
  rc = -1;
done:
  gmem_free(r);
  gmem_free(start);
  gmem_free(vals);
  gmem_free(ids);
  gmem_free(slot);
  return rc;
}
