/* paths_engine.c: see paths_engine.h. */
#include "paths_engine.h"

#include <stdlib.h>
#include <string.h>

#include "funnel_report.h" /* gfunnel_select: the introselect the funnel quantiles use */
#include "mem.h"

const char *const gpaths_kind_names[3] = {"node", "edge", "dropoff"};

/* ---------------------------------------------------------------------------------------
** Stage 1: names to items
*/

int gpaths_wildcard(const char *p, size_t m, const char *s, size_t n) {
  /* iterative glob with one backtrack point: linear in practice, m * n at worst */
  size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
  while (j < n) {
    if (i < m && p[i] == '*') {
      star = i++;
      mark = j;
    } else if (i < m && p[i] == s[j]) {
      i++;
      j++;
    } else if (star != (size_t)-1) {
      i = star + 1;
      j = ++mark;
    } else {
      return 0;
    }
  }
  while (i < m && p[i] == '*') i++;
  return i == m;
}

/* 1 when the list holds exactly the n bytes at s. */
static int list_has(const gpaths_list *l, const char *s, size_t n) {
  if (!l->text) return 0;
  const char *p = l->text;
  for (;;) {
    const char *e = strchr(p, ';');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && memcmp(p, s, n) == 0) return 1;
    if (!e) return 0;
    p = e + 1;
  }
}

/* The first group matching name: its alias (or pattern) as [*a, *a + *alen). 0: none. */
static int group_of(const char *groups, const char *name, size_t n, const char **a, size_t *alen) {
  if (!groups) return 0;
  const char *p = groups;
  for (;;) {
    const char *e = strchr(p, ';');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    const char *arrow = NULL;
    for (size_t i = 0; i + 1 < len; i++)
      if (p[i] == '=' && p[i + 1] == '>') {
        arrow = p + i;
        break;
      }
    size_t plen = arrow ? (size_t)(arrow - p) : len;
    if (gpaths_wildcard(p, plen, name, n)) {
      *a = arrow ? arrow + 2 : p;
      *alen = arrow ? len - plen - 2 : len;
      return 1;
    }
    if (!e) return 0;
    p = e + 1;
  }
}

const char *gpaths_map_items(const gkeys *names, const gpaths_filter *f, uint32_t *item_of, uint8_t *bars,
                             gkeys *items) {
  uint32_t n = gkeys_count(names);
  for (uint32_t id = 0; id < n; id++) {
    item_of[id] = GPATHS_DROP;
    if (bars) bars[id] = 0;
    if (gkeys_scope(names, id)) continue; /* a session */
    gkey k = gkeys_get(names, id);
    if (k.type != GKEY_TEXT) continue;
    const char *s = k.bytes;
    size_t len = k.len;
    const char *alias;
    size_t alen;
    if (group_of(f->groups, s, len, &alias, &alen)) {
      s = alias;
      len = alen;
    }
    if (bars && list_has(&f->exclude_actors, s, len)) bars[id] = 1;
    if (list_has(&f->exclude, s, len)) continue;
    if (f->include.text && !list_has(&f->include, s, len)) continue;
    gkey item = {GKEY_TEXT, 0, 0, s, len};
    uint32_t iid;
    int rc = gkeys_intern(items, &item, &iid);
    if (rc == GKEYS_NOMEM) return "out of memory";
    if (rc < 0 || iid >= GPATHS_MAX_ITEMS) return "more than 134217725 distinct events";
    item_of[id] = iid;
  }
  return NULL;
}

static int cmp_names(const gkeys *k, uint32_t a, uint32_t b) {
  uint64_t sa = gkeys_scope(k, a), sb = gkeys_scope(k, b);
  if (sa != sb) return sa < sb ? -1 : 1;
  int c = gkeys_cmp(k, a, b);
  return c ? c : (a > b) - (a < b);
}

/* Merge sort of ids by cmp_names (qsort has no context argument in C11). */
static void sort_ids(const gkeys *k, uint32_t *id, uint32_t *tmp, uint32_t n) {
  if (n < 2) return;
  uint32_t h = n / 2;
  sort_ids(k, id, tmp, h);
  sort_ids(k, id + h, tmp, n - h);
  memcpy(tmp, id, (size_t)n * sizeof *tmp);
  uint32_t i = 0, j = h, o = 0;
  while (i < h && j < n) id[o++] = cmp_names(k, tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
  while (i < h) id[o++] = tmp[i++];
  while (j < n) id[o++] = tmp[j++];
}

const char *gpaths_name_ranks(const gkeys *names, uint32_t *rank, gcancel *cancel) {
  uint32_t n = gkeys_count(names);
  uint32_t *id = gmem_alloc(((size_t)n + 1) * sizeof *id), *tmp = gmem_alloc(((size_t)n + 1) * sizeof *tmp);
  if (!id || !tmp) {
    gmem_free(id);
    gmem_free(tmp);
    return "out of memory";
  }
  for (uint32_t i = 0; i < n; i++) id[i] = i;
  sort_ids(names, id, tmp, n);
  for (uint32_t i = 0; i < n; i++) rank[id[i]] = i;
  gmem_free(id);
  gmem_free(tmp);
  uint64_t work = n;
  for (uint32_t m = n; m > 1; m >>= 1) work += n;
  return gcancel_work(cancel, work) ? gcancel_reason : NULL;
}

/* ---------------------------------------------------------------------------------------
** Stages 2 to 5: one actor's journeys
*/

typedef struct walker {
  gpaths_node *node; /* the actor's nodes after collapse */
  uint32_t *seg;     /* segment number of each node */
  uint32_t nnode, node_cap, seg_cap;
  gpaths_node *jnode; /* copies of the journeys with a "..." node */
  uint32_t njnode, jnode_cap;
  gpaths_journey *j;
  uint32_t nj, j_cap;
} walker;

static void walker_free(walker *w) {
  gmem_free(w->node);
  gmem_free(w->seg);
  gmem_free(w->jnode);
  gmem_free(w->j);
}

static int grow(void **p, uint32_t *cap, uint32_t need, size_t size) {
  if (need <= *cap) return 0;
  uint32_t c = *cap ? *cap : 64;
  while (c < need) c = c > UINT32_MAX / 2 ? UINT32_MAX : c * 2;
  void *t = gmem_realloc(*p, (size_t)c * size);
  if (!t) return -1;
  *p = t;
  *cap = c;
  return 0;
}

/* Stages 1 to 3 for rows [s, e): kept rows as collapsed nodes with their segment numbers. */
static int build_nodes(walker *w, const gevents *ev, const gpaths_opts *o, uint32_t s, uint32_t e) {
  w->nnode = 0;
  if (o->bars)
    for (uint32_t i = s; i < e; i++)
      if (o->bars[ev->event[i]]) return 0; /* the actor is excluded */
  /* the actor's rows bound its nodes: room for all at once, none asked for per node */
  if (grow((void **)&w->node, &w->node_cap, e - s, sizeof *w->node) ||
      grow((void **)&w->seg, &w->seg_cap, e - s, sizeof *w->seg))
    return -1;
  gpaths_node *node = w->node;
  uint32_t *seg = w->seg;
  const uint32_t *item_of = o->item_of, *event = ev->event, *session = o->sessions ? ev->segment : NULL;
  const int64_t *ts_of = ev->ts;
  int64_t gap_us = o->gap_us, prev_ts = 0;
  uint32_t n = 0, segno = 0, prev_session = 0;
  /* a start anchor without every: one journey from the actor's first anchor; the nodes past it
  ** that matter end with its segment or with the node that shows the journey is cut by steps */
  uint32_t first_only = o->anchor == GPATHS_START && !o->every, anchor_at = UINT32_MAX;
  for (uint32_t i = s; i < e; i++) {
    uint32_t it = item_of[event[i]];
    if (it == GPATHS_DROP) continue;
    int64_t ts = ts_of[i];
    int split = n && ((gap_us >= 0 && ts - prev_ts > gap_us) || (session && session[i] != prev_session));
    if (split && anchor_at != UINT32_MAX) break;
    segno += (uint32_t)split;
    prev_ts = ts;
    if (session) prev_session = session[i];
    if (!split && o->collapse && n && node[n - 1].item == it) {
      node[n - 1].last_us = ts;
      continue;
    }
    if (first_only && anchor_at == UINT32_MAX && it == o->start_item) anchor_at = n;
    node[n] = (gpaths_node){it, ts, ts};
    seg[n++] = segno;
    if (anchor_at != UINT32_MAX && n - anchor_at > (uint32_t)o->steps) break;
  }
  w->nnode = n;
  return 0;
}

/* Appends a journey of nodes [a, b) of w->node. Its nodes are those of w->node, or with `middle`
** a copy in w->jnode where a "..." node replaces the middle (first half and last half kept).
** j->node is an offset until the actor is done: below w->nnode into w->node, else into
** w->jnode (from w->nnode on), which may still move. */
static int add_journey(walker *w, const gpaths_opts *o, uint32_t a, uint32_t b, int first_step, int ended, int middle) {
  uint32_t half = (uint32_t)o->steps / 2;
  uint32_t keep = middle ? 2 * half + 1 : b - a;
  if (grow((void **)&w->j, &w->j_cap, w->nj + 1, sizeof *w->j)) return -1;
  uintptr_t at = a;
  if (middle) {
    if (grow((void **)&w->jnode, &w->jnode_cap, w->njnode + keep, sizeof *w->jnode)) return -1;
    gpaths_node *out = w->jnode + w->njnode;
    memcpy(out, w->node + a, half * sizeof *out);
    out[half] = w->node[a + half];
    out[half].item = o->nitems; /* "...": the first hidden node's times (PostHog v1) */
    memcpy(out + half + 1, w->node + b - half, half * sizeof *out);
    at = (uintptr_t)w->nnode + w->njnode;
    w->njnode += keep;
  }
  gpaths_journey *j = &w->j[w->nj++];
  memset(j, 0, sizeof *j);
  j->number = w->nj;
  j->node = (const gpaths_node *)at;
  j->n = keep;
  j->first_step = first_step;
  j->ended = ended;
  return 0;
}

static uint32_t seg_end(const walker *w, uint32_t s) {
  uint32_t e = s;
  while (e < w->nnode && w->seg[e] == w->seg[s]) e++;
  return e;
}

static int journeys_none(walker *w, const gpaths_opts *o) {
  uint32_t steps = (uint32_t)o->steps;
  for (uint32_t s = 0, e; s < w->nnode; s = e) {
    e = seg_end(w, s);
    uint32_t len = e - s;
    if (add_journey(w, o, s, s + (len < steps ? len : steps), 1, len <= steps, 0)) return -1;
  }
  return 0;
}

static int journeys_start(walker *w, const gpaths_opts *o) {
  uint32_t steps = (uint32_t)o->steps;
  for (uint32_t s = 0, e; s < w->nnode; s = e) {
    e = seg_end(w, s);
    uint32_t k = s;
    while (k < e && w->node[k].item != o->start_item) k++;
    if (k == e) continue;
    uint32_t end = k + 1;
    while (end < e && (o->window_us < 0 || w->node[end].first_us - w->node[k].first_us <= o->window_us)) end++;
    uint32_t len = end - k;
    if (add_journey(w, o, k, k + (len < steps ? len : steps), 0, len <= steps, 0)) return -1;
    if (!o->every) break;
  }
  return 0;
}

/* The journey up to the last end anchor of segment [s, e); 0 when there is none. */
static int end_journey(walker *w, const gpaths_opts *o, uint32_t s, uint32_t e, int *found) {
  uint32_t steps = (uint32_t)o->steps;
  *found = 0;
  uint32_t k = e;
  while (k > s && w->node[k - 1].item != o->end_item) k--;
  if (k == s) return 0;
  k--; /* the anchor */
  uint32_t begin = k;
  while (begin > s && (o->window_us < 0 || w->node[k].first_us - w->node[begin - 1].first_us <= o->window_us)) begin--;
  uint32_t len = k + 1 - begin, keep = len < steps ? len : steps;
  *found = 1;
  return add_journey(w, o, k + 1 - keep, k + 1, -(int)(keep - 1), len <= steps, 0);
}

static int journeys_end(walker *w, const gpaths_opts *o) {
  if (!o->every) {
    /* the actor's last anchor: segments from the last */
    for (uint32_t e = w->nnode; e > 0;) {
      uint32_t s = e - 1;
      while (s > 0 && w->seg[s - 1] == w->seg[e - 1]) s--;
      int found;
      if (end_journey(w, o, s, e, &found)) return -1;
      if (found) return 0;
      e = s;
    }
    return 0;
  }
  for (uint32_t s = 0, e; s < w->nnode; s = e) {
    e = seg_end(w, s);
    int found;
    if (end_journey(w, o, s, e, &found)) return -1;
  }
  return 0;
}

static int journeys_between(walker *w, const gpaths_opts *o) {
  uint32_t steps = (uint32_t)o->steps;
  for (uint32_t s = 0, e; s < w->nnode; s = e) {
    e = seg_end(w, s);
    uint32_t k = s;
    while (k < e && w->node[k].item != o->start_item) k++;
    if (k == e) continue;
    uint32_t m = k + 1;
    while (m < e && w->node[m].item != o->end_item) m++;
    if (m == e) continue;
    if (o->window_us >= 0 && w->node[m].first_us - w->node[k].first_us > o->window_us) continue;
    uint32_t len = m + 1 - k;
    if (add_journey(w, o, k, m + 1, 0, 1, len > steps)) return -1;
    if (!o->every) break;
  }
  return 0;
}

const char *gpaths_walk(const gevents *ev, const gpaths_opts *o, gpaths_each each, void *ctx, gcancel *cancel) {
  walker w;
  memset(&w, 0, sizeof w);
  const char *why = NULL;
  int impossible = (o->anchor == GPATHS_START || o->anchor == GPATHS_BETWEEN) && o->start_item == GPATHS_DROP;
  impossible |= (o->anchor == GPATHS_END || o->anchor == GPATHS_BETWEEN) && o->end_item == GPATHS_DROP;
  for (uint32_t p = 0; p < ev->nactors && !why && !impossible; p++) {
    uint32_t a = o->actor_order ? o->actor_order[p] : p;
    uint32_t s = ev->start[a], e = ev->start[a + 1];
    if (o->actor_order && p + 1 < ev->nactors) {
      /* in key order the next actor's rows are anywhere: ask for them while this one is walked */
      uint32_t next = ev->start[o->actor_order[p + 1]];
      __builtin_prefetch(&ev->ts[next]);
      __builtin_prefetch(&ev->event[next]);
    }
    if (gcancel_work(cancel, (uint64_t)(e - s) + 1)) {
      why = gcancel_reason;
      break;
    }
    if (s == e) continue;
    w.nj = w.njnode = 0;
    int rc = build_nodes(&w, ev, o, s, e);
    if (!rc && w.nnode) {
      switch (o->anchor) {
        case GPATHS_START: rc = journeys_start(&w, o); break;
        case GPATHS_END: rc = journeys_end(&w, o); break;
        case GPATHS_BETWEEN: rc = journeys_between(&w, o); break;
        default: rc = journeys_none(&w, o); break;
      }
    }
    if (rc) {
      why = "out of memory";
      break;
    }
    if (!w.nj) continue;
    for (uint32_t i = 0; i < w.nj; i++) {
      w.j[i].actor = a;
      uintptr_t at = (uintptr_t)w.j[i].node;
      w.j[i].node = at < w.nnode ? w.node + at : w.jnode + (at - w.nnode);
    }
    why = each(ctx, a, w.j, w.nj);
  }
  walker_free(&w);
  return why;
}

/* ---------------------------------------------------------------------------------------
** Counting
*/

#define ITEM_BITS 27
#define ITEM_NONE ((UINT64_C(1) << ITEM_BITS) - 1)

static uint64_t pack(int kind, int step, uint64_t from, uint64_t to) {
  return (uint64_t)kind << 61 | (uint64_t)(step + 64) << 54 | from << ITEM_BITS | to;
}

/* One table of elements: node, edge and drop-off keys to dense ids, with their counts. A
** direct-mapped cache in front of the key table: a path chart has a few thousand elements at
** most, and each journey node looks up two or three, so nearly every lookup is one multiply. */
#define CACHE_BITS 12
typedef struct elem_slot {
  uint64_t key; /* UINT64_MAX: empty (no packed key has its two top bits set) */
  uint32_t id;
} elem_slot;

typedef struct elems {
  elem_slot *cache;
  gkeys ids;
  uint64_t *key;
  uint32_t *actors, *last_actor; /* last_actor: actor + 1 that counted last */
  uint64_t *journeys;
  double *sum_s;
  uint32_t n, cap;
} elems;

static int elems_init(elems *t) {
  memset(t, 0, sizeof *t);
  gkeys_init(&t->ids, GKEYS_IDS_ONLY);
  t->cache = gmem_alloc(sizeof *t->cache << CACHE_BITS);
  if (!t->cache) return -1;
  for (size_t i = 0; i < (size_t)1 << CACHE_BITS; i++) t->cache[i].key = UINT64_MAX;
  return 0;
}

static void elems_free(elems *t) {
  gmem_free(t->cache);
  gkeys_free(&t->ids);
  gmem_free(t->key);
  gmem_free(t->actors);
  gmem_free(t->last_actor);
  gmem_free(t->journeys);
  gmem_free(t->sum_s);
}

/* The id of a key, added with zero counts when new; UINT32_MAX when out of memory. */
static uint32_t elem_id(elems *t, uint64_t key) {
  elem_slot *slot = &t->cache[(key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - CACHE_BITS)];
  if (slot->key == key) return slot->id;
  uint32_t id;
  int rc = gkeys_int(&t->ids, (int64_t)key, &id);
  if (rc < 0) return UINT32_MAX;
  if (rc == GKEYS_ADDED) {
    if (id >= t->cap) {
      uint32_t c = t->cap ? t->cap * 2 : 256;
      uint64_t *k = gmem_realloc(t->key, (size_t)c * sizeof *k);
      if (k) t->key = k;
      uint32_t *ac = gmem_realloc(t->actors, (size_t)c * sizeof *ac);
      if (ac) t->actors = ac;
      uint32_t *la = gmem_realloc(t->last_actor, (size_t)c * sizeof *la);
      if (la) t->last_actor = la;
      uint64_t *jn = gmem_realloc(t->journeys, (size_t)c * sizeof *jn);
      if (jn) t->journeys = jn;
      double *su = gmem_realloc(t->sum_s, (size_t)c * sizeof *su);
      if (su) t->sum_s = su;
      if (!k || !ac || !la || !jn || !su) return UINT32_MAX;
      t->cap = c;
    }
    t->key[id] = key;
    t->actors[id] = t->last_actor[id] = 0;
    t->journeys[id] = 0;
    t->sum_s[id] = 0;
    t->n = id + 1;
  }
  slot->key = key;
  slot->id = id;
  return id;
}

typedef struct counter {
  const gpaths_opts *o;
  elems *t;
  elems *first; /* with top: the first pass's table, whose node ids `kept` flags */
  const uint8_t *kept;
  /* the final pass records each edge's gap beside the edge's id, in walk order, so the medians
  ** need no pass of their own (4 bytes more per edge than the gaps alone) */
  int record_gaps;
  int nodes_only; /* the first pass with top: only nodes choose the top items */
  int64_t *gap;
  uint32_t *gap_edge;
  uint64_t ngap, gap_cap;
  uint32_t anchor_actors;
} counter;

static void counter_free_gaps(counter *c) {
  gmem_free(c->gap);
  gmem_free(c->gap_edge);
  c->gap = NULL;
  c->gap_edge = NULL;
  c->ngap = c->gap_cap = 0;
}

static int record_gap(counter *c, uint32_t id, int64_t gap_us) {
  if (c->ngap == c->gap_cap) {
    uint64_t cap = c->gap_cap ? c->gap_cap * 2 : 4096;
    int64_t *g = gmem_realloc(c->gap, (size_t)cap * sizeof *g);
    if (g) c->gap = g;
    uint32_t *e = gmem_realloc(c->gap_edge, (size_t)cap * sizeof *e);
    if (e) c->gap_edge = e;
    if (!g || !e) return -1;
    c->gap_cap = cap;
  }
  c->gap[c->ngap] = gap_us;
  c->gap_edge[c->ngap++] = id;
  return 0;
}

/* Counts one journey's element; its id, or UINT32_MAX when out of memory. */
static uint32_t count_elem(counter *c, uint32_t actor, uint64_t key, int64_t gap_us) {
  uint32_t id = elem_id(c->t, key);
  if (id == UINT32_MAX) return id;
  elems *t = c->t;
  t->journeys[id]++;
  if (t->last_actor[id] != actor + 1) {
    t->last_actor[id] = actor + 1;
    t->actors[id]++;
  }
  if (gap_us) t->sum_s[id] += (double)gap_us / 1e6; /* edges only: nodes and drop-offs add 0 */
  return id;
}

static int count_edge(counter *c, uint32_t actor, uint64_t key, int64_t gap_us) {
  uint32_t id = count_elem(c, actor, key, gap_us);
  if (id == UINT32_MAX) return -1;
  return c->record_gaps ? record_gap(c, id, gap_us) : 0;
}

/* The item a node shows: itself, or "$other" when top left it out at its step. */
static uint64_t shown(const counter *c, int step, uint32_t item) {
  if (!c->kept) return item;
  /* every node of this pass was counted in the first: found, never added */
  uint32_t id = elem_id(c->first, pack(GPATHS_NODE, step, item, ITEM_NONE));
  if (id == UINT32_MAX || id >= c->first->n) return item;
  return c->kept[id] ? item : c->o->nitems + 1;
}

static const char *count_actor(void *ctx, uint32_t actor, const gpaths_journey *js, uint32_t nj) {
  counter *c = ctx;
  c->anchor_actors++;
  for (uint32_t k = 0; k < nj; k++) {
    const gpaths_journey *j = &js[k];
    uint64_t prev = 0;
    for (uint32_t i = 0; i < j->n; i++) {
      int step = j->first_step + (int)i;
      uint64_t it = shown(c, step, j->node[i].item);
      if (count_elem(c, actor, pack(GPATHS_NODE, step, it, ITEM_NONE), 0) == UINT32_MAX) return "out of memory";
      if (i > 0 && !c->nodes_only) {
        /* timing=last times each node by its run's last row (PostHog v1 keeps the last of a run) */
        int64_t gap = c->o->timing_last ? j->node[i].last_us - j->node[i - 1].last_us
                                        : j->node[i].first_us - j->node[i - 1].first_us;
        if (count_edge(c, actor, pack(GPATHS_EDGE, step - 1, prev, it), gap)) return "out of memory";
      }
      prev = it;
    }
    if (j->ended && !c->nodes_only) {
      int at_first = c->o->anchor == GPATHS_END;
      uint32_t i = at_first ? 0 : j->n - 1;
      int step = j->first_step + (int)i;
      uint64_t key = pack(GPATHS_DROPOFF, step, shown(c, step, j->node[i].item), ITEM_NONE);
      if (count_elem(c, actor, key, 0) == UINT32_MAX) return "out of memory";
    }
  }
  return NULL;
}

static int key_kind(uint64_t k) { return (int)(k >> 61); }
static int key_step(uint64_t k) { return (int)((k >> 54) & 127) - 64; }
static uint32_t key_from(uint64_t k) { return (uint32_t)((k >> ITEM_BITS) & ITEM_NONE); }
static uint32_t key_to(uint64_t k) { return (uint32_t)(k & ITEM_NONE); }

typedef struct sort_ctx {
  const elems *t;
  const uint32_t *rank; /* items' ranks */
} sort_ctx;

static int cmp_u32(uint32_t a, uint32_t b) { return (a > b) - (a < b); }

/* Rows: step, kind, actors desc, journeys desc, from, to. */
static int cmp_elems(const sort_ctx *s, uint32_t a, uint32_t b) {
  uint64_t ka = s->t->key[a], kb = s->t->key[b];
  int c;
  if ((c = key_step(ka) - key_step(kb))) return c;
  if ((c = key_kind(ka) - key_kind(kb))) return c;
  if ((c = cmp_u32(s->t->actors[b], s->t->actors[a]))) return c;
  if (s->t->journeys[a] != s->t->journeys[b]) return s->t->journeys[a] > s->t->journeys[b] ? -1 : 1;
  if ((c = cmp_u32(s->rank[key_from(ka)], s->rank[key_from(kb)]))) return c;
  uint32_t ta = key_to(ka), tb = key_to(kb);
  return cmp_u32(ta == ITEM_NONE ? 0 : s->rank[ta], tb == ITEM_NONE ? 0 : s->rank[tb]);
}

static void sort_elems(const sort_ctx *s, uint32_t *id, uint32_t *tmp, uint32_t n) {
  if (n < 2) return;
  uint32_t h = n / 2;
  sort_elems(s, id, tmp, h);
  sort_elems(s, id + h, tmp, n - h);
  memcpy(tmp, id, (size_t)n * sizeof *tmp);
  uint32_t i = 0, j = h, o = 0;
  while (i < h && j < n) id[o++] = cmp_elems(s, tmp[j], tmp[i]) < 0 ? tmp[j++] : tmp[i++];
  while (i < h) id[o++] = tmp[i++];
  while (j < n) id[o++] = tmp[j++];
}

/* Items' ranks by name; "..." and "$other" by their own texts. */
static uint32_t *item_ranks(const gkeys *items, uint32_t nitems) {
  gkeys all;
  gkeys_init(&all, 0);
  uint32_t *rank = gmem_alloc(((size_t)nitems + 2) * sizeof *rank);
  int ok = rank != NULL;
  for (uint32_t i = 0; ok && i < nitems; i++) {
    gkey k = gkeys_get(items, i);
    uint32_t id;
    ok = gkeys_intern(&all, &k, &id) >= 0;
  }
  static const char *const extra[2] = {"...", "$other"};
  for (int x = 0; ok && x < 2; x++) {
    gkey k = {GKEY_TEXT, 0, 0, extra[x], strlen(extra[x])};
    uint32_t id;
    ok = gkeys_intern_scoped(&all, 1, &k, &id) >= 0; /* scoped: never one of the items */
  }
  if (ok) {
    uint32_t n = gkeys_count(&all);
    uint32_t *id = gmem_alloc(((size_t)n + 1) * sizeof *id), *tmp = gmem_alloc(((size_t)n + 1) * sizeof *tmp);
    ok = id && tmp;
    if (ok) {
      for (uint32_t i = 0; i < n; i++) id[i] = i;
      /* compare by bytes regardless of scope */
      for (uint32_t w = 1; w < n; w *= 2) /* bottom-up merge sort */
        for (uint32_t lo = 0; lo + w < n; lo += 2 * w) {
          uint32_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n, i = lo, j = mid, o = lo;
          while (i < mid && j < hi) {
            gkey a = gkeys_get(&all, id[i]), b = gkeys_get(&all, id[j]);
            tmp[o++] = gkey_cmp(&b, &a) < 0 ? id[j++] : id[i++];
          }
          while (i < mid) tmp[o++] = id[i++];
          while (j < hi) tmp[o++] = id[j++];
          memcpy(id + lo, tmp + lo, (size_t)(hi - lo) * sizeof *id);
        }
      for (uint32_t i = 0; i < n; i++) rank[id[i]] = i;
    }
    gmem_free(id);
    gmem_free(tmp);
  }
  gkeys_free(&all);
  if (!ok) {
    gmem_free(rank);
    return NULL;
  }
  return rank;
}

/* With top: which node ids of t stay (top per step by actors, ties by rank). */
static uint8_t *top_nodes(const elems *t, uint32_t top, const uint32_t *rank) {
  uint8_t *kept = gmem_alloc((size_t)t->n + 1);
  uint32_t *id = gmem_alloc(((size_t)t->n + 1) * sizeof *id), *tmp = gmem_alloc(((size_t)t->n + 1) * sizeof *tmp);
  if (!kept || !id || !tmp) {
    gmem_free(kept);
    gmem_free(id);
    gmem_free(tmp);
    return NULL;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->n; i++) {
    kept[i] = 0;
    if (key_kind(t->key[i]) == GPATHS_NODE) id[n++] = i;
  }
  sort_ctx s = {t, rank};
  sort_elems(&s, id, tmp, n); /* by step, actors desc, journeys desc, name */
  int step = 1000;
  uint32_t seen = 0;
  for (uint32_t i = 0; i < n; i++) {
    int st = key_step(t->key[id[i]]);
    if (st != step) {
      step = st;
      seen = 0;
    }
    if (seen++ < top) kept[id[i]] = 1;
  }
  gmem_free(id);
  gmem_free(tmp);
  return kept;
}

/* Median (mean of the two middle values) and p90 (nearest rank: the smallest value with at least
** 90% of the values at or below it) of v[0..n), n >= 1, in seconds, by selection (introselect:
** O(n log n) on any input). Reorders v. */
static int quantiles(int64_t *v, uint64_t n, double *median_s, double *p90_s, gcancel *cancel) {
  uint64_t mid = n / 2, r = (9 * n + 9) / 10; /* r = ceil(0.9 n) >= mid + 1 */
  if (gfunnel_select(v, n, mid, NULL, cancel)) return -1;
  int64_t hi = v[mid];
  if (n % 2) {
    *median_s = (double)hi / 1e6;
  } else {
    /* everything before mid is <= v[mid]: the lower middle value is their maximum */
    int64_t lo = v[0];
    for (uint64_t i = 1; i < mid; i++)
      if (v[i] > lo) lo = v[i];
    *median_s = ((double)lo + (double)hi) / 2e6;
  }
  if (r - 1 > mid && gfunnel_select(v + mid + 1, n - mid - 1, r - 1 - (mid + 1), NULL, cancel)) return -1;
  *p90_s = (double)v[r - 1] / 1e6;
  return 0;
}

/* The recorded gaps grouped by edge in place (a counting sort that follows each displaced gap
** to its edge's next free place, 2 moves per gap at most), then each edge's median and p90. */
static const char *edge_quantiles(counter *c, double *median_s, double *p90_s, gcancel *cancel) {
  elems *t = c->t;
  uint64_t *next = gmem_alloc(((size_t)t->n + 1) * sizeof *next), *end = gmem_alloc(((size_t)t->n + 1) * sizeof *end);
  if (!next || !end) {
    gmem_free(next);
    gmem_free(end);
    return "out of memory";
  }
  uint64_t total = 0;
  for (uint32_t i = 0; i < t->n; i++) {
    next[i] = total;
    if (key_kind(t->key[i]) == GPATHS_EDGE) total += t->journeys[i];
    end[i] = total;
  }
  const char *why = gcancel_work(cancel, 2 * c->ngap) ? gcancel_reason : NULL;
  for (uint32_t b = 0; !why && b < t->n; b++) {
    while (next[b] < end[b]) {
      uint64_t at = next[b];
      uint32_t e = c->gap_edge[at];
      if (e == b) {
        next[b]++;
        continue;
      }
      /* swap the gap at `at` to its edge's next place; what comes back is examined again */
      uint64_t to = next[e]++;
      int64_t g = c->gap[at];
      c->gap[at] = c->gap[to];
      c->gap_edge[at] = c->gap_edge[to];
      c->gap[to] = g;
      c->gap_edge[to] = e;
    }
  }
  for (uint32_t i = 0; !why && i < t->n; i++) {
    uint64_t n = end[i] - (i ? end[i - 1] : 0);
    if (key_kind(t->key[i]) != GPATHS_EDGE || n == 0) continue;
    if (quantiles(c->gap + end[i] - n, n, &median_s[i], &p90_s[i], cancel)) why = gcancel_reason;
  }
  gmem_free(next);
  gmem_free(end);
  return why;
}

/* The rows of table t, in order, without those under min_actors. */
static const char *make_rows(const elems *t, const double *median_s, const double *p90_s, const uint32_t *rank,
                             uint32_t min_actors, gpaths_result *out) {
  uint32_t *id = gmem_alloc(((size_t)t->n + 1) * sizeof *id), *tmp = gmem_alloc(((size_t)t->n + 1) * sizeof *tmp);
  out->row = gmem_alloc(((size_t)t->n + 1) * sizeof *out->row);
  if (!id || !tmp || !out->row) {
    gmem_free(id);
    gmem_free(tmp);
    return "out of memory";
  }
  for (uint32_t i = 0; i < t->n; i++) id[i] = i;
  sort_ctx s = {t, rank};
  sort_elems(&s, id, tmp, t->n);
  out->n = 0;
  for (uint32_t k = 0; k < t->n; k++) {
    uint32_t i = id[k];
    if (t->actors[i] < min_actors) continue;
    uint64_t key = t->key[i];
    gpaths_row *r = &out->row[out->n++];
    memset(r, 0, sizeof *r);
    r->kind = (uint8_t)key_kind(key);
    r->step = (int8_t)key_step(key);
    r->from = key_from(key);
    r->to = key_to(key) == ITEM_NONE ? GPATHS_DROP : key_to(key);
    r->actors = t->actors[i];
    r->journeys = t->journeys[i];
    uint32_t node;
    int64_t nk = (int64_t)pack(GPATHS_NODE, r->step, r->from, ITEM_NONE);
    r->from_actors = gkeys_int((gkeys *)&t->ids, nk, &node) == GKEYS_FOUND ? t->actors[node] : 0;
    if (r->kind == GPATHS_EDGE) {
      r->avg_s = t->sum_s[i] / (double)t->journeys[i];
      r->median_s = median_s[i];
      r->p90_s = p90_s[i];
    }
  }
  gmem_free(id);
  gmem_free(tmp);
  return NULL;
}

const char *gpaths_count(const gevents *ev, const gpaths_opts *o, uint32_t top, uint32_t min_actors, const gkeys *items,
                         gpaths_result *out, gcancel *cancel) {
  memset(out, 0, sizeof *out);
  elems first, final;
  int no_cache = elems_init(&first) | elems_init(&final);
  counter c;
  memset(&c, 0, sizeof c);
  c.o = o;
  c.t = &first;
  c.record_gaps = !top; /* without top the first pass is the final one */
  c.nodes_only = top > 0;
  uint8_t *kept = NULL;
  double *median_s = NULL, *p90_s = NULL;
  uint32_t *rank = item_ranks(items, o->nitems);
  const char *why = rank && !no_cache ? gpaths_walk(ev, o, count_actor, &c, cancel) : "out of memory";
  if (!why && top) {
    /* again, with the items left out of each step's top shown as "$other" */
    kept = top_nodes(&first, top, rank);
    if (!kept) why = "out of memory";
    c.first = &first;
    c.kept = kept;
    c.t = &final;
    c.anchor_actors = 0;
    c.record_gaps = 1;
    c.nodes_only = 0;
    if (!why) why = gpaths_walk(ev, o, count_actor, &c, cancel);
  }
  elems *t = c.t;
  if (!why) {
    median_s = gmem_alloc(((size_t)t->n + 1) * sizeof *median_s);
    p90_s = gmem_alloc(((size_t)t->n + 1) * sizeof *p90_s);
    why = median_s && p90_s ? edge_quantiles(&c, median_s, p90_s, cancel) : "out of memory";
  }
  counter_free_gaps(&c);
  if (!why) why = make_rows(t, median_s, p90_s, rank, min_actors, out);
  out->anchor_actors = c.anchor_actors;
  gmem_free(kept);
  gmem_free(median_s);
  gmem_free(p90_s);
  gmem_free(rank);
  elems_free(&first);
  elems_free(&final);
  if (why) gpaths_result_free(out);
  return why;
}

void gpaths_result_free(gpaths_result *r) {
  gmem_free(r->row);
  memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------------------------------
** Churn points
*/

typedef struct churn_gap {
  uint32_t seq;
  int64_t since_us;
} churn_gap;

static int cmp_churn_gap(const void *a, const void *b) {
  const churn_gap *x = a, *y = b;
  if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
  return (x->since_us > y->since_us) - (x->since_us < y->since_us);
}

/* The last `depth` items of rows [s, e), in time order, into seq; their count. 0: no kept row. */
static int last_items(const gevents *ev, const gpaths_opts *o, uint32_t s, uint32_t e, int depth, uint32_t *seq,
                      int64_t *last_us) {
  int n = 0;
  for (uint32_t i = e; i > s && n < depth; i--) {
    uint32_t it = o->item_of[ev->event[i - 1]];
    if (it == GPATHS_DROP) continue;
    if (n == 0) *last_us = ev->ts[i - 1];
    if (o->collapse && n && seq[depth - n] == it) continue;
    seq[depth - ++n] = it;
  }
  memmove(seq, seq + depth - n, (size_t)n * sizeof *seq);
  return n;
}

const char *gpaths_churn(const gevents *ev, const gpaths_opts *o, int depth, int64_t as_of_us, int64_t churned_us,
                         gpaths_churn_result *out, gcancel *cancel) {
  memset(out, 0, sizeof *out);
  gkeys_init(&out->seqs, 0);
  churn_gap *gap = NULL;
  uint32_t ngap = 0, gap_cap = 0;
  uint32_t seq[GPATHS_MAX_STEPS];
  const char *why = NULL;
  for (uint32_t a = 0; a < ev->nactors && !why; a++) {
    uint32_t s = ev->start[a], e = ev->start[a + 1];
    if (gcancel_work(cancel, (uint64_t)(e - s) + 1)) {
      why = gcancel_reason;
      break;
    }
    int barred = 0;
    for (uint32_t i = s; o->bars && i < e && !barred; i++) barred = o->bars[ev->event[i]];
    int64_t last_us = 0;
    int n = barred ? 0 : last_items(ev, o, s, e, depth, seq, &last_us);
    if (!n || as_of_us - last_us < churned_us) continue;
    gkey k = {GKEY_BLOB, 0, 0, seq, (size_t)n * sizeof *seq};
    uint32_t id;
    if (gkeys_intern(&out->seqs, &k, &id) < 0 || grow((void **)&gap, &gap_cap, ngap + 1, sizeof *gap)) {
      why = "out of memory";
      break;
    }
    gap[ngap++] = (churn_gap){id, as_of_us - last_us};
  }
  if (!why && ngap) {
    qsort(gap, ngap, sizeof *gap, cmp_churn_gap);
    out->row = gmem_alloc((size_t)gkeys_count(&out->seqs) * sizeof *out->row);
    if (!out->row) why = "out of memory";
    for (uint32_t i = 0, j; !why && i < ngap; i = j) {
      for (j = i; j < ngap && gap[j].seq == gap[i].seq; j++) {
      }
      uint32_t m = j - i;
      const churn_gap *g = gap + i;
      double med = m % 2 ? (double)g[m / 2].since_us : ((double)g[m / 2 - 1].since_us + (double)g[m / 2].since_us) / 2;
      out->row[out->n++] = (gpaths_churn_row){gap[i].seq, m, med / 86400e6};
    }
    out->churned = ngap;
  }
  gmem_free(gap);
  if (why) gpaths_churn_free(out);
  return why;
}

void gpaths_churn_free(gpaths_churn_result *r) {
  gmem_free(r->row);
  gkeys_free(&r->seqs);
  memset(r, 0, sizeof *r);
}
