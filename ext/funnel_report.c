/* funnel_report.c: see funnel_report.h. */
#include "funnel_report.h"

#include <stdio.h>
#include <string.h>

#include "mem.h"

/* a level fits in 8 bits beside a breakdown id (gfunnel_actor, gfunnel_reached) */
_Static_assert(GFUNNEL_MAX_STEPS <= 255, "a level is 8 bits");

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

/* A new slab, its bytes to cut in b->cut..cut_end and then b->rest..rest_end: a big slab is cut
** from its 2 MB-aligned interior on (the part mem.c asks huge pages for), then its head. */
static int new_slab(gfunnel_rows *b) {
  if (b->nslab == UINT32_MAX) return -1;
  if (b->nslab == b->slab_cap) {
    size_t cap = b->slab_cap ? b->slab_cap * 2 : 16;
    unsigned char **s = gmem_realloc(b->slab, cap * sizeof *s);
    if (!s) return -1;
    b->slab = s;
    uint32_t *l = gmem_realloc(b->slab_live, cap * sizeof *l);
    if (!l) return -1;
    b->slab_live = l;
    b->slab_cap = cap;
  }
  size_t bytes = b->nslab < GFUNNEL_SMALL_SLABS ? GFUNNEL_SLAB_BYTES : GFUNNEL_BIG_SLAB_BYTES;
  unsigned char *s = gmem_alloc(bytes);
  if (!s) return -1;
  b->slab[b->nslab] = s;
  b->slab_live[b->nslab++] = 0;
  const uintptr_t huge = GFUNNEL_HUGE_PAGE;
  uintptr_t lo = ((uintptr_t)s + huge - 1) & ~(huge - 1);
  b->cut = s, b->cut_end = s + bytes, b->rest = b->rest_end = NULL;
  if (bytes >= 2 * huge && lo + huge <= (uintptr_t)(s + bytes)) {
    b->cut = s + (lo - (uintptr_t)s);
    b->rest = s, b->rest_end = b->cut;
  }
  return 0;
}

/* A block of `size` bytes cut from the last slab, or from a new one. */
static gfunnel_block *cut_block(gfunnel_rows *b, size_t size) {
  if (b->nslab == 0 || !b->slab[b->nslab - 1] || (size_t)(b->cut_end - b->cut) < size) {
    if (b->nslab && b->slab[b->nslab - 1] && (size_t)(b->rest_end - b->rest) >= size) {
      b->cut = b->rest, b->cut_end = b->rest_end;
      b->rest = b->rest_end = NULL;
    } else if (new_slab(b) != 0) {
      return NULL;
    }
  }
  gfunnel_block *k = (gfunnel_block *)(void *)b->cut;
  b->cut += size;
  k->slab = (uint32_t)(b->nslab - 1);
  b->slab_live[b->nslab - 1]++;
  return k;
}

/* A block grouped: its slab is freed with its last block. */
static void release_block(gfunnel_rows *b, const gfunnel_block *k) {
  uint32_t s = k->slab;
  if (--b->slab_live[s] == 0) {
    gmem_free(b->slab[s]);
    b->slab[s] = NULL;
  }
  b->nchunk--;
}

int gfunnel_rows_add_slow(gfunnel_rows *b, int64_t ts, uint32_t actor, uint32_t code_bd) {
  size_t g = actor >> GFUNNEL_BUCKET_SHIFT;
  if (g >= b->nbucket) {
    /* direct keys fill at most 4,096 buckets, numbered ones one more per 512 actors */
    size_t cap = b->nbucket ? b->nbucket * 2 : 64;
    while (cap <= g) cap *= 2;
    gfunnel_bucket *c = gmem_realloc(b->bucket, cap * sizeof *c);
    if (!c) return -1;
    memset(c + b->nbucket, 0, (cap - b->nbucket) * sizeof *c);
    b->bucket = c;
    b->nbucket = cap;
  }
  gfunnel_bucket *bk = &b->bucket[g];
  gfunnel_block *k = bk->tail;
  int32_t q;
  if (k && k->n < GFUNNEL_BLOCK_ROWS && !k->wide_ts && !gfunnel_narrow_ts(ts, k->base, &q))
    b->wide_ts = 1; /* the tail cannot hold this ts: the wide form from now on */
  if (code_bd > 255) b->wide_code = 1;
  size_t size = sizeof(gfunnel_block) +
                GFUNNEL_BLOCK_ROWS * (sizeof(uint16_t) + (b->wide_code ? 4 : 1) + (b->wide_ts ? 8 : 4));
  gfunnel_block *n = cut_block(b, (size + 7) & ~(size_t)7);
  if (!n) return -1;
  n->next = NULL;
  n->base = ts;
  n->n = 0;
  n->wide_code = (uint8_t)b->wide_code;
  n->wide_ts = (uint8_t)b->wide_ts;
  if (k) k->next = n;
  else bk->head = n;
  bk->tail = n;
  b->nchunk++;
  gfunnel_block_put(b, bk, n, ts, 0, actor, code_bd);
  return 0;
}

void gfunnel_rows_free(gfunnel_rows *b) {
  for (size_t s = 0; s < b->nslab; s++) gmem_free(b->slab[s]);
  gmem_free(b->slab);
  gmem_free(b->slab_live);
  gmem_free(b->bucket);
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

/* What evaluating the actors holds: the scratch is reused from bucket to bucket and actor to
** actor, so its memory is touched once. */
typedef struct eval_state {
  const gfunnel_plan *p;
  gcancel *cancel;
  gfunnel_work work;
  int64_t *ts;       /* a bucket's rows grouped by actor (sized for the largest bucket) */
  size_t widest;     /* the largest bucket's rows */
  uint32_t *cb;      /* their code_bd; an actor's slice then keeps its sorted events' code_bd */
  gfunnel_event *ev; /* one actor's events */
  size_t evcap;
  int compact;        /* what the report needs only (gfunnel_reached) */
  gfunnel_actor *act; /* the outcomes (funnel_actors), or */
  uint32_t *bd_level; /* ... only what the report needs (gfunnel_reached) */
  size_t nact, act_cap; /* outcomes held, room for */
  gfunnel_delta *d; /* times with their step and breakdown (with act), or */
  int64_t *us;      /* ... times alone (with bd_level); both NULL when not wanted */
  size_t nd, d_cap;
  gfunnel_chain chain;
  /* Buckets out of time order are sorted whole (group_radix) once one is seen: */
  size_t unsorted; /* rows of the bucket's actors sorted one by one */
  int sort_whole;  /* some bucket was mostly out of order */
  uint64_t *rk;    /* group_radix's keys and their copy, rk_cap each */
  size_t rk_cap;
} eval_state;

/* Counts of rows per actor of a bucket (pos) into where each actor's rows start (start, one more
** entry: the total); pos becomes the next place of each actor's rows, for the counting sort. */
static void bucket_starts(uint32_t *pos, uint32_t *start) {
  uint32_t sum = 0;
  for (uint32_t j = 0; j < GFUNNEL_BUCKET_ACTORS; j++) {
    start[j] = sum;
    sum += pos[j];
    pos[j] = start[j];
  }
  start[GFUNNEL_BUCKET_ACTORS] = sum;
}

/* Groups bucket g's rows by actor into st->ts and st->cb (a counting sort, stable, so each
** actor's rows keep source order) and frees its blocks; start[j] is where actor j of the
** bucket begins (start[GFUNNEL_BUCKET_ACTORS] = its rows). */
static const char *group_bucket(eval_state *st, gfunnel_rows *rows, gfunnel_bucket *bk, uint32_t *start) {
  uint32_t pos[GFUNNEL_BUCKET_ACTORS];
  memset(pos, 0, sizeof pos);
  /* a unit per row and pass, counted per block: one bucket may hold every row */
  for (gfunnel_block *k = bk->head; k; k = k->next) {
    if (gcancel_work(st->cancel, k->n)) return gcancel_reason;
    const uint16_t *at = gfunnel_block_at(k);
    for (size_t i = 0; i < k->n; i++) pos[at[i]]++;
  }
  bucket_starts(pos, start);
  int64_t ts[GFUNNEL_BLOCK_ROWS];
  uint32_t cb[GFUNNEL_BLOCK_ROWS];
  for (gfunnel_block *k = bk->head, *next; k; k = next) {
    if (gcancel_work(st->cancel, k->n)) {
      bk->head = k; /* the blocks left are freed with the rows */
      return gcancel_reason;
    }
    size_t m = k->n;
    const uint16_t *at = gfunnel_block_at(k);
    const unsigned char *c = gfunnel_block_code(k), *t = gfunnel_block_ts(k);
    if (k->wide_code) memcpy(cb, c, m * sizeof *cb);
    else
      for (size_t i = 0; i < m; i++) cb[i] = c[i];
    if (k->wide_ts) {
      memcpy(ts, t, m * sizeof *ts);
    } else {
      const int32_t *q = (const int32_t *)(const void *)t;
      for (size_t i = 0; i < m; i++) ts[i] = k->base + (int64_t)q[i] * 1000000;
    }
    for (size_t i = 0; i < m; i++) {
      uint32_t to = pos[at[i]]++;
      st->ts[to] = ts[i];
      st->cb[to] = cb[i];
    }
    next = k->next;
    release_block(rows, k);
  }
  bk->head = bk->tail = NULL;
  return NULL;
}

/* Buckets of at most this many rows are sorted whole by group_radix, in digits of this many bits. */
#define RADIX_MAX_ROWS (1u << 16)
#define RADIX_DIGIT_BITS 11

/* One LSD pass of group_radix: a[0..n) by the `bits` bits above `shift`, stably into b. */
static void radix_pass(const uint64_t *a, uint64_t *b, size_t n, int shift, int bits) {
  uint32_t cnt[1u << RADIX_DIGIT_BITS];
  size_t nd = (size_t)1 << bits;
  uint64_t mask = nd - 1;
  memset(cnt, 0, nd * sizeof *cnt);
  for (size_t i = 0; i < n; i++) cnt[a[i] >> shift & mask]++;
  uint32_t sum = 0;
  for (size_t d = 0; d < nd; d++) {
    uint32_t c = cnt[d];
    cnt[d] = sum;
    sum += c;
  }
  for (size_t i = 0; i < n; i++) b[cnt[a[i] >> shift & mask]++] = a[i];
}

/* group_bucket for a bucket whose rows are out of time order, with each actor's rows sorted by
** (ts, code_bd) as well: every row becomes one 64-bit key, actor | ts - the earliest | code_bd,
** sorted by its low part in a few LSD radix passes over the bucket (in cache), then grouped by
** actor by group_bucket's stable counting sort, the last pass. Sorting actor by actor instead
** costs a compare, and often a mispredicted branch, per row and level. Sets *done = 0 and
** changes nothing where the scheme does not fit: more than RADIX_MAX_ROWS rows, a timestamp
** not in whole seconds, keys of more than 64 bits. Returns NULL, gcancel_reason or "out of
** memory". */
static const char *group_radix(eval_state *st, gfunnel_rows *rows, gfunnel_bucket *bk, uint32_t *start, int *done) {
  size_t n = bk->nrows;
  *done = 0;
  if (n > RADIX_MAX_ROWS) return NULL;
  /* what the keys need: the span of the timestamps (seconds) and the bits of the codes */
  uint32_t pos[GFUNNEL_BUCKET_ACTORS];
  memset(pos, 0, sizeof pos);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  uint32_t any = 0;
  for (gfunnel_block *k = bk->head; k; k = k->next) {
    if (gcancel_work(st->cancel, k->n)) return gcancel_reason;
    if (k->wide_ts || k->base % 1000000 != 0) return NULL;
    const uint16_t *at = gfunnel_block_at(k);
    const unsigned char *c = gfunnel_block_code(k);
    const int32_t *q = (const int32_t *)(const void *)gfunnel_block_ts(k);
    int32_t qlo = INT32_MAX, qhi = INT32_MIN;
    for (size_t i = 0; i < k->n; i++) {
      pos[at[i]]++;
      qlo = q[i] < qlo ? q[i] : qlo;
      qhi = q[i] > qhi ? q[i] : qhi;
      any |= k->wide_code ? ((const uint32_t *)(const void *)c)[i] : c[i];
    }
    int64_t base = k->base / 1000000;
    lo = base + qlo < lo ? base + qlo : lo;
    hi = base + qhi > hi ? base + qhi : hi;
  }
  uint64_t span = (uint64_t)(hi - lo);
  int tag_bits = any ? 32 - __builtin_clz(any) : 0;
  int low_bits = (span ? 64 - __builtin_clzll(span) : 0) + tag_bits;
  if (low_bits + GFUNNEL_BUCKET_SHIFT > 64) return NULL;
  if (!st->rk) {
    st->rk_cap = st->widest < RADIX_MAX_ROWS ? st->widest : RADIX_MAX_ROWS;
    if (!(st->rk = gmem_alloc(2 * st->rk_cap * sizeof *st->rk))) return "out of memory";
  }
  *done = 1;
  uint64_t *a = st->rk, *b = st->rk + st->rk_cap;
  size_t i = 0;
  for (gfunnel_block *k = bk->head, *next; k; k = next) {
    if (gcancel_work(st->cancel, k->n)) {
      bk->head = k; /* the blocks left are freed with the rows */
      return gcancel_reason;
    }
    const uint16_t *at = gfunnel_block_at(k);
    const unsigned char *c = gfunnel_block_code(k);
    const int32_t *q = (const int32_t *)(const void *)gfunnel_block_ts(k);
    uint64_t from = (uint64_t)(k->base / 1000000 - lo);
    for (size_t r = 0; r < k->n; r++) {
      uint32_t code_bd = k->wide_code ? ((const uint32_t *)(const void *)c)[r] : c[r];
      a[i++] = (uint64_t)at[r] << low_bits | (from + (uint64_t)(int64_t)q[r]) << tag_bits | code_bd;
    }
    next = k->next;
    release_block(rows, k);
  }
  bk->head = bk->tail = NULL;
  /* the low part in digits of at most RADIX_DIGIT_BITS, as even as they come */
  int passes = (low_bits + RADIX_DIGIT_BITS - 1) / RADIX_DIGIT_BITS;
  for (int d = 0, shift = 0; d < passes; d++) {
    int bits = (low_bits - shift + (passes - d) - 1) / (passes - d);
    if (gcancel_work(st->cancel, 2 * n)) return gcancel_reason;
    radix_pass(a, b, n, shift, bits);
    uint64_t *t = a;
    a = b, b = t;
    shift += bits;
  }
  /* the last pass, by actor: group_bucket's counting sort */
  if (gcancel_work(st->cancel, n)) return gcancel_reason;
  bucket_starts(pos, start);
  uint64_t low_mask = (UINT64_C(1) << low_bits) - 1, tag_mask = (UINT64_C(1) << tag_bits) - 1;
  for (size_t r = 0; r < n; r++) {
    uint32_t to = pos[a[r] >> low_bits]++;
    st->ts[to] = (lo + (int64_t)((a[r] & low_mask) >> tag_bits)) * 1000000;
    st->cb[to] = (uint32_t)(a[r] & tag_mask);
  }
  return NULL;
}

/* Appends the times between the steps of an actor who reached level > 1. */
static void add_deltas(eval_state *st, const gfunnel_actor *f) {
  /* bd carries the step in its top byte during collection: (step << 24 | bd) */
  for (int s = 1; s < f->level; s++) {
    gfunnel_delta *d = &st->d[st->nd++];
    d->bd = (uint32_t)s << 24 | f->bd;
    d->us = st->ev[st->chain.at[s]].ts - st->ev[st->chain.at[s - 1]].ts;
  }
}

/* Sorts an actor's m rows (out of order) as events (ts, code_bd), then into ev (ts, mask) and
** tag. Returns 0, or -1 when cancel said stop. */
static int sort_events(eval_state *st, const int64_t *ts, uint32_t *tag, size_t m) {
  gfunnel_event *ev = st->ev;
  for (size_t i = 0; i < m; i++) {
    if (long_loop_stop(st->cancel, i)) return -1;
    ev[i].ts = ts[i];
    ev[i].mask = tag[i];
  }
  if (gfunnel_sort(ev, m, &st->work) != 0) return -1;
  /* the actor's tags are read: they now keep each sorted event's code and breakdown */
  for (size_t i = 0; i < m; i++) {
    if (long_loop_stop(st->cancel, i)) return -1;
    uint32_t code_bd = (uint32_t)ev[i].mask;
    tag[i] = code_bd;
    ev[i].mask = st->p->code_mask[code_bd & 0xff];
  }
  return 0;
}

/* Evaluates one actor from its m rows (ts, tag: code_bd, in source order); tag is rewritten. */
static const char *eval_actor(eval_state *st, uint32_t actor, const int64_t *ts, uint32_t *tag, size_t m) {
  const gfunnel_plan *p = st->p;
  /* a unit per event and pass below, at most 3 (the sort and the evaluation count their own) */
  if (gcancel_work(st->cancel, 3 * (uint64_t)m)) return gcancel_reason;
  if (m > st->evcap) {
    size_t cap = st->evcap + st->evcap / 2 > m ? st->evcap + st->evcap / 2 : m;
    gmem_free(st->ev);
    if (!(st->ev = gmem_alloc(cap * sizeof *st->ev))) {
      st->evcap = 0;
      return "out of memory";
    }
    st->evcap = cap;
  }
  gfunnel_event *ev = st->ev;
  /* sorted by (ts, code_bd) so ties resolve the same way whatever the source order; rows in
  ** time order (most logs) already are, and go to the engine as they are checked */
  size_t i = 0;
  for (; i < m; i++) {
    if (long_loop_stop(st->cancel, i)) return gcancel_reason;
    if (i && (ts[i] < ts[i - 1] || (ts[i] == ts[i - 1] && tag[i] < tag[i - 1]))) break;
    ev[i].ts = ts[i];
    ev[i].mask = p->code_mask[tag[i] & 0xff];
  }
  if (i < m) {
    st->unsorted += m;
    if (sort_events(st, ts, tag, m) < 0) return gcancel_reason;
  }
  int level = gfunnel_eval(&p->cfg, ev, m, &st->work, &st->chain);
  if (level == GFUNNEL_INTERRUPTED) return gcancel_reason;
  if (level == GFUNNEL_NOMEM) return "out of memory";
  if (level == GFUNNEL_TOO_MANY_CHAINS) return GFUNNEL_TOO_MANY_CHAINS_REASON;
  if (level == 0) return NULL;
  const uint32_t *at = st->chain.at;
  int k = p->bd_mode == GFUNNEL_BD_FIRST ? 0 : p->bd_mode == GFUNNEL_BD_LAST ? level - 1 : p->bd_step - 1;
  uint32_t bd = k < level ? tag[at[k]] >> 8 : 0;
  if (st->compact) { /* sized for every actor present, and their times */
    st->bd_level[st->nact++] = bd << 8 | (uint32_t)level;
    if (st->us)
      for (int s = 1; s < level; s++) st->us[st->nd++] = ev[at[s]].ts - ev[at[s - 1]].ts;
    return NULL;
  }
  gfunnel_actor *f = &st->act[st->nact++];
  f->actor = actor;
  f->level = level;
  f->step1 = ev[at[0]].ts;
  f->last = ev[at[level - 1]].ts;
  f->bd = bd;
  if (st->d && level > 1) add_deltas(st, f);
  return NULL;
}

/* What `need` (for the rows_done rows read so far) projects for all the rows, a little over. */
static size_t projected(size_t need, size_t rows_done, size_t rows) {
  size_t cap = (size_t)((double)need * (double)rows / (double)(rows_done ? rows_done : 1) * 1.0625) + 16;
  return cap < need + need / 8 ? need + need / 8 : cap;
}

/* Room in st's outputs for `more` actors beyond those held, and their times. The outputs grow
** bucket by bucket (no pass over the rows beforehand to count the actors): to the size the rows
** read so far project for all of them, so that most queries grow them once or twice. Returns
** NULL or "out of memory". */
static const char *reserve_outputs(eval_state *st, size_t more, size_t more_times, size_t rows_done, size_t rows) {
  size_t need = st->nact + more, need_d = st->nd + more_times;
  if (need > st->act_cap) {
    size_t cap = projected(need, rows_done, rows);
    void *q = st->compact ? gmem_realloc(st->bd_level, cap * sizeof *st->bd_level)
                          : gmem_realloc(st->act, cap * sizeof *st->act);
    if (!q) return "out of memory";
    if (st->compact) st->bd_level = q;
    else st->act = q;
    st->act_cap = cap;
  }
  if (more_times && need_d > st->d_cap) {
    size_t cap = projected(need_d, rows_done, rows);
    void *q = st->compact ? gmem_realloc(st->us, cap * sizeof *st->us) : gmem_realloc(st->d, cap * sizeof *st->d);
    if (!q) return "out of memory";
    if (st->compact) st->us = q;
    else st->d = q;
    st->d_cap = cap;
  }
  return NULL;
}

/* Every actor of rows in the order of its key, into st's outputs: st->act or st->bd_level (and
** st->d or st->us when with_times), grown bucket by bucket. */
static const char *evaluate(eval_state *st, gfunnel_rows *rows, int with_times) {
  const gfunnel_plan *p = st->p;
  gcancel *cancel = st->cancel;
  if (rows->nrows >= UINT32_MAX) return "more than 4294967294 source rows";
  size_t widest = 0;
  for (size_t g = 0; g < rows->nbucket; g++)
    if (rows->bucket[g].nrows > widest) widest = rows->bucket[g].nrows;
  /* an actor at level L has L - 1 times: at most nsteps - 1 per actor; and when no event
  ** satisfies two steps, its chain used L of its rows: at most one time per row beyond each
  ** actor's first */
  int one_step_each = 1;
  for (int c = 0; c < 256; c++) one_step_each &= (p->code_mask[c] & (p->code_mask[c] - 1)) == 0;
  st->widest = widest;
  st->ts = gmem_alloc((widest ? widest : 1) * sizeof *st->ts);
  st->cb = gmem_alloc((widest ? widest : 1) * sizeof *st->cb);
  if (!st->ts || !st->cb) return "out of memory";
  /* buckets in key order, and actors in each: every actor in the order of its key */
  uint32_t start[GFUNNEL_BUCKET_ACTORS + 1];
  const char *why = NULL;
  size_t rows_done = 0, rows_all = rows->nrows;
  for (size_t g = 0; g < rows->nbucket && !why; g++) {
    gfunnel_bucket *bk = &rows->bucket[g];
    size_t nrows = bk->nrows;
    if (long_loop_stop(cancel, g)) why = gcancel_reason;
    if (why || nrows == 0) continue;
    /* a source out of time order is so throughout: once a bucket's rows were mostly sorted actor
    ** by actor, the buckets after it are sorted whole where they can be */
    int done = 0;
    if (st->sort_whole && (why = group_radix(st, rows, bk, start, &done)) != NULL) break;
    if (!done && (why = group_bucket(st, rows, bk, start)) != NULL) break;
    size_t present = 0;
    for (uint32_t j = 0; j < GFUNNEL_BUCKET_ACTORS; j++) present += start[j + 1] != start[j];
    size_t times = 0;
    if (with_times) {
      times = (size_t)(p->cfg.nsteps - 1) * present;
      if (one_step_each && times > nrows - present) times = nrows - present;
    }
    rows_done += nrows;
    if ((why = reserve_outputs(st, present, times, rows_done, rows_all)) != NULL) break;
    for (uint32_t j = 0; j < GFUNNEL_BUCKET_ACTORS && !why; j++) {
      size_t lo = start[j], m = start[j + 1] - lo;
      if (m) why = eval_actor(st, (uint32_t)(g << GFUNNEL_BUCKET_SHIFT | j), st->ts + lo, st->cb + lo, m);
    }
    if (st->unsorted > nrows / 4) st->sort_whole = 1;
    st->unsorted = 0;
  }
  if (why) return why;
  /* the outputs exist even when no actor has rows (NULL says out of memory to the callers) */
  if (!st->act && !st->bd_level) why = reserve_outputs(st, 1, 0, 1, 1);
  if (!why && with_times && !st->d && !st->us) why = reserve_outputs(st, 0, 1, 1, 1);
  return why;
}

static void eval_state_init(eval_state *st, const gfunnel_plan *p, gcancel *cancel) {
  memset(st, 0, sizeof *st);
  st->p = p;
  st->cancel = cancel;
  st->work.cancel = cancel;
}

/* The scratch (the outputs are the caller's). */
static void eval_state_free(eval_state *st) {
  gfunnel_work_free(&st->work);
  gmem_free(st->ts);
  gmem_free(st->cb);
  gmem_free(st->ev);
  gmem_free(st->rk);
}

const char *gfunnel_evaluate(const gfunnel_plan *p, gfunnel_rows *rows, gfunnel_actor **act, size_t *nact,
                             gfunnel_delta **deltas, size_t *ndeltas, gcancel *cancel) {
  eval_state st;
  eval_state_init(&st, p, cancel);
  const char *why = evaluate(&st, rows, deltas != NULL);
  eval_state_free(&st);
  *act = st.act;
  *nact = st.nact;
  if (deltas) {
    *deltas = st.d;
    *ndeltas = st.nd;
  }
  return why;
}

const char *gfunnel_evaluate_reached(const gfunnel_plan *p, gfunnel_rows *rows, int with_times, gfunnel_reached *out,
                                     gcancel *cancel) {
  eval_state st;
  eval_state_init(&st, p, cancel);
  st.compact = 1;
  const char *why = evaluate(&st, rows, with_times);
  eval_state_free(&st);
  out->bd_level = st.bd_level;
  out->n = st.nact;
  out->us = st.us;
  out->nus = st.nd;
  return why;
}

int gfunnel_report(const gfunnel_plan *p, const gkeys *bds, const gfunnel_reached *rd, gfunnel_report_row **rep,
                   size_t *nrep, gcancel *cancel, char *err, size_t errlen) {
  const uint32_t *bl = rd->bd_level;
  size_t nact = rd->n;
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
    uint32_t bd = bl[i] >> 8;
    if (p->has_bd && slot[bd] == UINT32_MAX) {
      slot[bd] = 0;
      ids[nb++] = bd;
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
    gfunnel_report_row *row = &r[(size_t)slot[bl[i] >> 8] * N];
    for (uint32_t k = 0; k < (bl[i] & 0xff); k++) row[k].actors++;
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
  /* times grouped by report row with a counting sort (actor i's time s, from step s to step
  ** s + 1, goes to its group's row s), then quantiles by selection */
  size_t nd = rd->us ? rd->nus : 0;
  start = gmem_alloc((nr + 1) * sizeof *start);
  vals = gmem_alloc((nd ? nd : 1) * sizeof *vals);
  if (!start || !vals) goto nomem;
  memset(start, 0, (nr + 1) * sizeof *start);
  for (size_t i = 0; i < nact && nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    size_t row = (size_t)slot[bl[i] >> 8] * N;
    for (uint32_t s = 1; s < (bl[i] & 0xff); s++) start[row + s + 1]++;
  }
  for (size_t i = 0; i < nr; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    start[i + 1] += start[i];
  }
  if (start[nr] != nd) { /* times that are not these actors' (a caller's mistake) */
    snprintf(err, errlen, "%zu times for actors whose levels make %zu", nd, start[nr]);
    rc = -1;
    goto done;
  }
  for (size_t i = 0, j = 0; i < nact && nd; i++) {
    if (long_loop_stop(cancel, i)) goto interrupted;
    size_t row = (size_t)slot[bl[i] >> 8] * N;
    for (uint32_t s = 1; s < (bl[i] & 0xff); s++) vals[start[row + s]++] = rd->us[j++];
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

int gfunnel_build_report(const gfunnel_plan *p, const gkeys *bds, const gfunnel_actor *act, size_t nact,
                         gfunnel_delta *d, size_t nd, gfunnel_report_row **rep, size_t *nrep, gcancel *cancel,
                         char *err, size_t errlen) {
  gfunnel_reached rd = {gmem_alloc((nact ? nact : 1) * sizeof(uint32_t)), nact, NULL, nd};
  int want_times = d && nd;
  if (want_times) rd.us = gmem_alloc(nd * sizeof *rd.us);
  if (!rd.bd_level || (want_times && !rd.us)) {
    gmem_free(rd.bd_level);
    gmem_free(rd.us);
    *rep = NULL;
    *nrep = 0;
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < nact; i++) rd.bd_level[i] = act[i].bd << 8 | (uint32_t)act[i].level;
  for (size_t i = 0; rd.us && i < nd; i++) rd.us[i] = d[i].us;
  int rc = gfunnel_report(p, bds, &rd, rep, nrep, cancel, err, errlen);
  gmem_free(rd.bd_level);
  gmem_free(rd.us);
  return rc;
}
