/* funnel_engine.c: see funnel_engine.h. */
#include "funnel_engine.h"

#include <string.h>

#include "mem.h"

void gfunnel_work_free(gfunnel_work *w) {
  gcancel *cancel = w->cancel;
  gmem_free(w->paths);
  for (int k = 0; k < GFUNNEL_MAX_STEPS; k++) gmem_free(w->lv[k]);
  memset(w, 0, sizeof *w);
  w->cancel = cancel;
}

/* ------------------------------------------------------------------ sorting */

static inline int ev_less(const gfunnel_event *a, const gfunnel_event *b) {
  return a->ts < b->ts || (a->ts == b->ts && a->mask < b->mask);
}

static void insertion_sort(gfunnel_event *ev, size_t n) {
  for (size_t i = 1; i < n; i++) {
    gfunnel_event x = ev[i];
    size_t j = i;
    while (j > 0 && ev_less(&x, &ev[j - 1])) {
      ev[j] = ev[j - 1];
      j--;
    }
    ev[j] = x;
  }
}

#define RUN 24

static inline void ev_swap(gfunnel_event *a, gfunnel_event *b) {
  gfunnel_event t = *a;
  *a = *b;
  *b = t;
}

static void sift_down(gfunnel_event *ev, size_t root, size_t n) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && ev_less(&ev[child], &ev[child + 1])) child++;
    if (!ev_less(&ev[root], &ev[child])) return;
    ev_swap(&ev[root], &ev[child]);
    root = child;
  }
}

/* A sift is at most 2 log2 n comparisons: counted as 64 units. */
static int heap_sort(gfunnel_event *ev, size_t n, gcancel *cancel) {
  for (size_t i = n / 2; i > 0; i--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_INTERRUPTED;
    sift_down(ev, i - 1, n);
  }
  for (size_t end = n - 1; end > 0; end--) {
    if (gcancel_work(cancel, 64)) return GFUNNEL_INTERRUPTED;
    ev_swap(&ev[0], &ev[end]);
    sift_down(ev, 0, end);
  }
  return 0;
}

/* Quicksort (median of three, Hoare partition), the smaller side first so the stack stays
** O(log n), heapsort past 2 log2 n levels so no input is quadratic, insertion sort below RUN.
** A partition counts each event it passes as a unit, polling as it goes. */
static int intro_sort(gfunnel_event *ev, size_t n, int depth, gcancel *cancel) {
  while (n > RUN) {
    if (depth-- == 0) return heap_sort(ev, n, cancel);
    size_t mid = n / 2;
    if (ev_less(&ev[mid], &ev[0])) ev_swap(&ev[mid], &ev[0]);
    if (ev_less(&ev[n - 1], &ev[mid])) {
      ev_swap(&ev[n - 1], &ev[mid]);
      if (ev_less(&ev[mid], &ev[0])) ev_swap(&ev[mid], &ev[0]);
    }
    gfunnel_event pivot = ev[mid];
    size_t i = 0, j = n - 1;
    for (size_t i0 = i, j0 = j;;) {
      while (ev_less(&ev[i], &pivot)) i++;
      while (ev_less(&pivot, &ev[j])) j--;
      if (i >= j) break;
      /* a partition of 4M events is tens of ms: the events passed count as they go */
      if (gcancel_work(cancel, (i - i0) + (j0 - j))) return GFUNNEL_INTERRUPTED;
      ev_swap(&ev[i], &ev[j]);
      i0 = ++i;
      j0 = --j;
    }
    /* [0, j] <= pivot <= [j + 1, n), both sides non-empty */
    size_t left = j + 1;
    int rc;
    if (left < n - left) {
      rc = intro_sort(ev, left, depth, cancel);
      ev += left;
      n -= left;
    } else {
      rc = intro_sort(ev + left, n - left, depth, cancel);
      n = left;
    }
    if (rc) return rc;
  }
  insertion_sort(ev, n);
  return 0;
}

/* In place: an event is nothing but its key (ts, mask), so an unstable sort gives the same
** array a stable one would, and no buffer the size of the group is needed (a group of 10M
** events would otherwise hold 16 more bytes per event while it sorts). */
int gfunnel_sort(gfunnel_event *ev, size_t n, gfunnel_work *w) {
  gcancel *cancel = w ? w->cancel : NULL;
  if (n < 2) return 0;
  size_t i = 1;
  for (;;) {
    /* already sorted is the common case for logs in time order: look in slices, polling */
    size_t end = n - i > GCANCEL_PERIOD ? i + GCANCEL_PERIOD : n;
    while (i < end && !ev_less(&ev[i], &ev[i - 1])) i++;
    if (i < end) break;
    if (i >= n) return 0;
    if (gcancel_work(cancel, GCANCEL_PERIOD)) return GFUNNEL_INTERRUPTED;
  }
  int depth = 0;
  for (size_t m = n; m > 1; m >>= 1) depth += 2;
  return intro_sort(ev, n, depth, cancel);
}

/* ------------------------------------------------------------------ default algorithm */

/* ClickHouse keeps, per level, the (step-1 ts, last ts) of one chain. Levels that are set
** always form a prefix, so `reached` (how many are set) says which are. */
typedef struct single {
  const gfunnel_config *cfg;
  int64_t first[GFUNNEL_MAX_STEPS], last[GFUNNEL_MAX_STEPS];
  int reached, best, started, done;
  uint32_t *paths;        /* paths[k*N + j]: event of step j+1 of the chain at level k+1 */
  gfunnel_chain *chain;
} single;

static void single_save_chain(single *s) {
  if (!s->chain) return;
  int n = s->cfg->nsteps, L = s->reached;
  s->chain->level = L;
  if (L > 0) memcpy(s->chain->at, s->paths + (size_t)(L - 1) * n, (size_t)L * sizeof(uint32_t));
}

/* Ends the evaluation: the result is the best of the current chain and earlier ones. */
static void single_finish(single *s) {
  s->done = 1;
  if (s->reached >= s->best) {
    s->best = s->reached;
    single_save_chain(s);
  }
}

static void single_entry(single *s, int64_t t, int idx, uint32_t evidx) {
  const gfunnel_config *c = s->cfg;
  unsigned f = c->flags;
  if (idx == 0) {
    if ((f & GFUNNEL_FIRST_ATTEMPT) && s->started) return;
    s->first[0] = s->last[0] = t;
    if (s->reached < 1) s->reached = 1;
    s->started = 1;
    if (s->paths) s->paths[0] = evidx;
  } else if ((f & GFUNNEL_STRICT_DEDUP) && idx < s->reached) {
    single_finish(s);
  } else if ((f & GFUNNEL_STRICT_ORDER) && s->started && idx > s->reached) {
    if (!(f & GFUNNEL_ALLOW_REENTRY)) single_finish(s);
  } else if (idx <= s->reached) {
    int ok = t - s->first[idx - 1] <= c->window;
    if (f & GFUNNEL_STRICT_INCREASE) ok = ok && s->last[idx - 1] < t;
    if (ok) {
      s->first[idx] = s->first[idx - 1];
      s->last[idx] = t;
      if (idx == s->reached) s->reached++;
      if (s->paths) {
        int n = c->nsteps;
        memcpy(s->paths + (size_t)idx * n, s->paths + (size_t)(idx - 1) * n, (size_t)idx * sizeof(uint32_t));
        s->paths[(size_t)idx * n + idx] = evidx;
      }
      if (idx + 1 == c->nsteps) single_finish(s);
    }
  }
}

/* An exclusion event ends every open chain; what they reached still counts. */
static void single_exclude(single *s) {
  if (s->reached > s->best) {
    s->best = s->reached;
    single_save_chain(s);
  }
  s->reached = 0;
}

static int eval_single(const gfunnel_config *cfg, const gfunnel_event *ev, size_t n, gfunnel_work *w,
                       gfunnel_chain *chain) {
  single s;
  s.cfg = cfg;
  s.reached = s.best = s.started = s.done = 0;
  s.paths = NULL;
  s.chain = chain;
  if (chain) {
    chain->level = 0;
    if (!w->paths) {
      w->paths = gmem_alloc(sizeof(uint32_t) * GFUNNEL_MAX_STEPS * GFUNNEL_MAX_STEPS);
      if (!w->paths) return GFUNNEL_NOMEM;
    }
    s.paths = w->paths;
  }
  unsigned f = cfg->flags;
  int dedup = (f & GFUNNEL_STRICT_DEDUP) != 0;
  size_t i = 0;
  uint32_t first_at[GFUNNEL_MAX_STEPS]; /* in the run, the first event of each step */
  while (i < n) {
    /* one run of equal timestamps: ClickHouse orders its entries by step index, so the run is
    ** the union of its masks walked in ascending bit order. Repeating an entry changes nothing
    ** except under strict_deduplication, where a second entry for a step stops the funnel.
    ** Work: an event is a unit, a run's entries 64 units. */
    int64_t t = ev[i].ts;
    uint64_t any = 0, dup = 0;
    int zero = 0;
    size_t j = i;
    for (; j < n && ev[j].ts == t; j++) {
      if (((j - i) & 0xffff) == 0xffff && gcancel_work(w->cancel, 0x10000)) return GFUNNEL_INTERRUPTED;
      uint64_t m = ev[j].mask;
      zero |= m == 0;
      dup |= any & m;
      for (uint64_t fresh = m & ~any; fresh; fresh &= fresh - 1) first_at[__builtin_ctzll(fresh)] = (uint32_t)j;
      any |= m;
    }
    if (gcancel_work(w->cancel, 64 + ((j - i) & 0xffff))) return GFUNNEL_INTERRUPTED;
    if (zero) {
      if (f & GFUNNEL_STRICT_ORDER) {
        if (s.started) {
          single_finish(&s);
          break;
        }
      } else {
        single_exclude(&s);
      }
    }
    while (any) {
      int k = __builtin_ctzll(any);
      any &= any - 1;
      uint32_t at = first_at[k];
      single_entry(&s, t, k, at);
      if (!s.done && dedup && (dup >> k & 1)) single_entry(&s, t, k, at);
      if (s.done) break;
    }
    if (s.done) break;
    i = j;
  }
  if (!s.done) single_finish(&s);
  return s.best;
}

/* ------------------------------------------------------------------ strict_once */

/* Every partial chain per level: (step-1 ts, last ts, the rows it used). Rows are identified
** by their index in the sorted array, so one row's several steps share an id. */
typedef struct once_hdr {
  int64_t first, last;
} once_hdr;

typedef struct once {
  const gfunnel_config *cfg;
  gfunnel_work *w;
  size_t csize; /* bytes per chain: header + nsteps uint32 ids */
  int reached, best, started, done, err;
  gfunnel_chain *chain;
} once;

static inline once_hdr *once_at(once *o, int level, size_t i) {
  return (once_hdr *)(o->w->lv[level] + i * o->csize);
}
static inline uint32_t *once_path(once_hdr *h) { return (uint32_t *)(h + 1); }

static once_hdr *once_push(once *o, int level) {
  gfunnel_work *w = o->w;
  if (gcancel_work(w->cancel, o->csize / 16)) { /* a copy of csize bytes */
    o->err = GFUNNEL_INTERRUPTED;
    return NULL;
  }
  if (w->lv_n[level] == w->lv_cap[level]) {
    /* the bytes held by every level stay within GFUNNEL_MAX_CHAIN_BYTES: a level doubles, or
    ** takes what is left below the cap, or the evaluation ends with an error */
    size_t others = w->lv_bytes - w->lv_cap[level] * o->csize;
    size_t cap = w->lv_cap[level] ? w->lv_cap[level] * 2 : 8;
    if (cap > (GFUNNEL_MAX_CHAIN_BYTES - others) / o->csize) cap = (GFUNNEL_MAX_CHAIN_BYTES - others) / o->csize;
    if (cap <= w->lv_cap[level]) {
      o->err = GFUNNEL_TOO_MANY_CHAINS;
      return NULL;
    }
    unsigned char *p = gmem_realloc(w->lv[level], cap * o->csize);
    if (!p) {
      o->err = GFUNNEL_NOMEM;
      return NULL;
    }
    w->lv[level] = p;
    w->lv_cap[level] = cap;
    w->lv_bytes = others + cap * o->csize;
  }
  return once_at(o, level, w->lv_n[level]++);
}

static void once_save_chain(once *o) {
  if (!o->chain) return;
  int L = o->reached;
  o->chain->level = L;
  if (L > 0) {
    once_hdr *h = once_at(o, L - 1, o->w->lv_n[L - 1] - 1);
    memcpy(o->chain->at, once_path(h), (size_t)L * sizeof(uint32_t));
  }
}

static void once_finish(once *o) {
  o->done = 1;
  if (o->reached >= o->best) {
    o->best = o->reached;
    once_save_chain(o);
  }
}

static void once_clear(once *o) {
  for (int k = 0; k < o->cfg->nsteps; k++) o->w->lv_n[k] = 0;
  o->reached = 0;
}

static void once_entry(once *o, int64_t t, int idx, uint32_t uid) {
  const gfunnel_config *c = o->cfg;
  gfunnel_work *w = o->w;
  unsigned f = c->flags;
  if (idx == 0) {
    if ((f & GFUNNEL_FIRST_ATTEMPT) && o->started) return;
    once_hdr *h = once_push(o, 0);
    if (!h) return;
    h->first = h->last = t;
    once_path(h)[0] = uid;
    o->started = 1;
    if (o->reached < 1) o->reached = 1;
  } else if ((f & GFUNNEL_STRICT_DEDUP) && w->lv_n[idx] > 0) {
    once_finish(o);
  } else if ((f & GFUNNEL_STRICT_ORDER) && o->started && w->lv_n[idx - 1] == 0) {
    if (!(f & GFUNNEL_ALLOW_REENTRY)) once_finish(o);
  } else if (w->lv_n[idx - 1] > 0) {
    /* A level's chains are in the order they were made, so by last ts. Under strict_increase
    ** the chains made at this instant (last == t) cannot take this entry: they are the tail,
    ** which the scan leaves alone. Otherwise every chain looked at is dropped (once), or
    ** extended, or holds this very row (made by its earlier steps at this instant): the work
    ** is bounded by the chains made, not by entries x chains (issue 16, H2). */
    int increase = (f & GFUNNEL_STRICT_INCREASE) != 0;
    size_t n = w->lv_n[idx - 1], size = n, kept = 0, r = 0;
    for (; r < n; r++) {
      once_hdr *h = once_at(o, idx - 1, r);
      if (increase && h->last >= t) break;
      if (gcancel_work(w->cancel, 1)) {
        o->err = GFUNNEL_INTERRUPTED;
        return;
      }
      int ok = t - h->first <= c->window;
      if (!ok && size > 1) {
        /* out of the window: dropped, but the level keeps at least one chain */
        size--;
        continue;
      }
      if (kept != r) {
        memmove(once_at(o, idx - 1, kept), h, o->csize);
        h = once_at(o, idx - 1, kept);
      }
      kept++;
      const uint32_t *path = once_path(h);
      for (int j = 0; ok && j < idx; j++) ok = path[j] != uid;
      if (ok) {
        once_hdr *nh = once_push(o, idx);
        if (!nh) return;
        h = once_at(o, idx - 1, kept - 1); /* push may not move level idx-1, but be plain */
        nh->first = h->first;
        nh->last = t;
        memcpy(once_path(nh), once_path(h), (size_t)idx * sizeof(uint32_t));
        once_path(nh)[idx] = uid;
        if (idx + 1 > o->reached) o->reached = idx + 1;
        if (idx + 1 == c->nsteps) {
          w->lv_n[idx - 1] = kept; /* stale beyond, but the evaluation ends here */
          once_finish(o);
          return;
        }
      }
    }
    if (r < n && kept < r) memmove(once_at(o, idx - 1, kept), once_at(o, idx - 1, r), (n - r) * o->csize);
    w->lv_n[idx - 1] = kept + (n - r);
  }
}

static int eval_once(const gfunnel_config *cfg, const gfunnel_event *ev, size_t n, gfunnel_work *w,
                     gfunnel_chain *chain) {
  once o;
  memset(&o, 0, sizeof o);
  o.cfg = cfg;
  o.w = w;
  o.csize = (sizeof(once_hdr) + (size_t)cfg->nsteps * sizeof(uint32_t) + 7) & ~(size_t)7;
  o.chain = chain;
  if (chain) chain->level = 0;
  if (w->csize != o.csize) {
    /* capacities count chains of one size: start afresh for another */
    for (int k = 0; k < GFUNNEL_MAX_STEPS; k++) {
      gmem_free(w->lv[k]);
      w->lv[k] = NULL;
      w->lv_cap[k] = 0;
    }
    w->lv_bytes = 0;
    w->csize = o.csize;
  }
  for (int k = 0; k < GFUNNEL_MAX_STEPS; k++) w->lv_n[k] = 0;
  unsigned f = cfg->flags;
  size_t i = 0;
  while (i < n && !o.done && !o.err) {
    int64_t t = ev[i].ts;
    uint64_t any = 0;
    int zero = 0;
    size_t j = i;
    for (; j < n && ev[j].ts == t; j++) {
      if (((j - i) & 0xffff) == 0xffff && gcancel_work(w->cancel, 0x10000)) return GFUNNEL_INTERRUPTED;
      zero |= ev[j].mask == 0;
      any |= ev[j].mask;
    }
    if (zero) {
      if (f & GFUNNEL_STRICT_ORDER) {
        if (o.started) {
          once_finish(&o);
          break;
        }
      } else {
        if (o.reached > o.best) {
          o.best = o.reached;
          once_save_chain(&o);
        }
        once_clear(&o);
      }
    }
    /* entries sorted by (ts, step, row) */
    while (any && !o.done && !o.err) {
      int k = __builtin_ctzll(any);
      any &= any - 1;
      for (size_t r = i; r < j && !o.done && !o.err; r++) {
        if (gcancel_work(w->cancel, 1)) o.err = GFUNNEL_INTERRUPTED;
        else if (ev[r].mask >> k & 1) once_entry(&o, t, k, (uint32_t)r);
      }
    }
    i = j;
  }
  if (o.err) return o.err;
  if (!o.done) once_finish(&o);
  return o.best;
}

int gfunnel_eval(const gfunnel_config *cfg, const gfunnel_event *ev, size_t n, gfunnel_work *w,
                 gfunnel_chain *chain) {
  if (cfg->flags & GFUNNEL_STRICT_ONCE) return eval_once(cfg, ev, n, w, chain);
  return eval_single(cfg, ev, n, w, chain);
}
