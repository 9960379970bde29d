/* gather.c: see gather.h. */
#include "gather.h"

#include <string.h>

#include "args.h"
#include "cancel.h"
#include "cancel_db.h"
#include "mem.h"
#include "source.h"

void ggather_init(ggather *g, const char *fn, unsigned columns, unsigned keys_flags, const gts_format *format,
                  int as_of_given, int64_t as_of_us) {
  memset(g, 0, sizeof *g);
  gevents_init(&g->ev, columns, keys_flags);
  /* actor ids and names are data: a hash seed per statement (keys.h gkeys_seed) */
  garg_seed_keys(&g->ev.actors);
  garg_seed_keys(&g->ev.names);
  g->fn = fn;
  g->format = *format;
  g->as_of_given = as_of_given;
  g->as_of_us = as_of_us;
  g->earliest_us = INT64_MAX;
}

void ggather_free(ggather *g) { gevents_free(&g->ev); }

int ggather_fail(const char *fn, const char *why, char **pzErr) {
  if (why == gcancel_reason) return SQLITE_INTERRUPT;
  if (strcmp(why, "out of memory") == 0) return SQLITE_NOMEM;
  *pzErr = sqlite3_mprintf("%s: %s", fn, why);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

int ggather_core_failed(const char *fn, const char *why, gcancel_db *cd, char **pzErr) {
  if (why == gcancel_reason) {
    int rc = gcancel_db_finish(cd);
    return rc != SQLITE_OK ? rc : SQLITE_INTERRUPT;
  }
  return ggather_fail(fn, why, pzErr);
}

/* An interning error as the function's. */
static int keys_failed(ggather *g, int rc, char **pzErr) {
  if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
  return ggather_fail(g->fn, "more than 4294967294 actors, or an actor of 4 GiB", pzErr);
}

/* GROUP BY's keys: a whole REAL is the INTEGER of that value. 0 with *key, GGATHER_SKIP for
** NULL, or SQLITE_NOMEM. */
static int actor_key(sqlite3_value *v, gkey *key) {
  int got = garg_key(v, key);
  if (got < 0) return SQLITE_NOMEM;
  if (got == 0) return GGATHER_SKIP;
  gkey_fold_whole_real(key);
  return SQLITE_OK;
}

static int intern_actor(ggather *g, sqlite3_value *v, uint32_t *id, char **pzErr) {
  int rc;
  if (sqlite3_value_type(v) == SQLITE_INTEGER) {
    rc = gkeys_int(&g->ev.actors, sqlite3_value_int64(v), id);
  } else {
    gkey key;
    if ((rc = actor_key(v, &key)) != SQLITE_OK) return rc;
    rc = gkeys_intern(&g->ev.actors, &key, id);
  }
  return rc >= 0 ? SQLITE_OK : keys_failed(g, rc, pzErr);
}

int ggather_ts(ggather *g, sqlite3_value *ts, const char *ts_name, int64_t *ts_us, char **pzErr) {
  g->rows++;
  int rc = garg_ts_memo(ts, &g->format, &g->census, &g->iso, g->fn, ts_name, ts_us, pzErr);
  if (rc != SQLITE_OK) return rc == GARG_NULL ? GGATHER_SKIP : rc;
  if (*ts_us < g->earliest_us) g->earliest_us = *ts_us;
  if (g->as_of_given && *ts_us >= g->as_of_us) {
    g->too_late++;
    return GGATHER_SKIP;
  }
  return SQLITE_OK;
}

int ggather_row(ggather *g, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name, uint32_t *actor_id,
                int64_t *ts_us, char **pzErr) {
  /* the timestamp first: a column in the wrong place is an error, not a silently skipped row */
  int rc = ggather_ts(g, ts, ts_name, ts_us, pzErr);
  return rc != SQLITE_OK ? rc : intern_actor(g, actor, actor_id, pzErr);
}

/* ------------------------------------------------------------------ rows waiting in a batch */

/* How a waiting row's actor id is found. */
enum {
  ROW_LOOKUP, /* by its INTEGER key, or (queued) through the look-ahead queue */
  ROW_REPEAT, /* its TEXT or BLOB actor is the previous row's (a session's events, one after
              ** another): that row's id, with no queueing, hashing or lookup */
  ROW_KNOWN   /* interned already (a key too long to queue) */
};

struct ggather_batch {
  ggather_take_fn take; /* NULL: the rows go to g->ev, with their optional columns */
  void *ctx;
  uint32_t n;                 /* rows waiting */
  gkeys_ahead ahead;          /* the actors that are not INTEGERs, by their place in the batch */
  int64_t key[GGATHER_BATCH]; /* the INTEGER actor (-1, nothing to prefetch, for the others) */
  int64_t ts[GGATHER_BATCH];
  uint32_t id[GGATHER_BATCH];
  uint8_t how[GGATHER_BATCH]; /* ROW_* */
  uint8_t add[GGATHER_BATCH]; /* 0: the row numbers its actor and adds nothing */
  uint32_t not_added;         /* how many such rows wait */
  gev_extra extra[GGATHER_BATCH];
  uint32_t last_queued; /* the row of the last key queued (the queue's last), or UINT32_MAX */
  /* the queue's memory follows (GKEYS_AHEAD_MEM) */
};

ggather_batch *ggather_batch_new(ggather_take_fn take, void *ctx) {
  ggather_batch *b = gmem_alloc(sizeof *b + GKEYS_AHEAD_MEM);
  if (!b) return NULL;
  b->take = take;
  b->ctx = ctx;
  b->n = b->not_added = 0;
  b->last_queued = UINT32_MAX;
  gkeys_ahead_init(&b->ahead, b + 1);
  return b;
}

void ggather_batch_free(ggather_batch *b) { gmem_free(b); }

/* The first n rows, their ids found, to take or (with their optional columns) into g->ev. */
static int batch_deliver(ggather *g, ggather_batch *b, uint32_t n, char **pzErr) {
  if (!n) return SQLITE_OK;
  if (b->take) return b->take(b->ctx, b->id, b->ts, n, pzErr);
  uint32_t k = n;
  if (b->not_added) { /* the rows that add nothing out of the way */
    k = 0;
    for (uint32_t i = 0; i < n; i++) {
      if (!b->add[i]) continue;
      b->id[k] = b->id[i];
      b->ts[k] = b->ts[i];
      b->extra[k++] = b->extra[i];
    }
  }
  const char *why = k ? gevents_add_rows(&g->ev, b->id, b->ts, b->extra, k) : NULL;
  return why ? ggather_fail(g->fn, why, pzErr) : SQLITE_OK;
}

/* Looks the waiting rows' actors up in source order and hands the rows on. When the lookup
** fails at a row, the rows before it are handed on first: reading row by row, their errors
** would have come first. */
static int batch_flush(ggather *g, ggather_batch *b, char **pzErr) {
  gkeys *k = &g->ev.actors;
  uint32_t n = b->n, i;
  int added = GKEYS_FOUND;
  b->n = 0;
  b->last_queued = UINT32_MAX;
  gkeys_ahead_begin(k, &b->ahead);
  for (i = 0; i < n; i++) {
    if (i + 16 < n) gkeys_prefetch_int(k, b->key[i + 16]);
    if (b->how[i] == ROW_REPEAT) b->id[i] = b->id[i - 1];
    if (b->how[i] != ROW_LOOKUP) continue;
    added = gkeys_ahead_is_next(&b->ahead, i) ? gkeys_ahead_intern_next(k, &b->ahead, &b->id[i])
                                              : gkeys_int(k, b->key[i], &b->id[i]);
    if (added < 0) break;
  }
  gkeys_ahead_clear(&b->ahead);
  int rc = batch_deliver(g, b, i, pzErr);
  b->not_added = 0;
  return rc != SQLITE_OK || added >= 0 ? rc : keys_failed(g, added, pzErr);
}

int ggather_batch_actor(ggather *g, ggather_batch *b, sqlite3_value *actor, char **pzErr) {
  int rc;
  if (sqlite3_value_type(actor) == SQLITE_INTEGER) {
    b->key[b->n] = sqlite3_value_int64(actor);
    b->how[b->n] = ROW_LOOKUP;
    return SQLITE_OK;
  }
  gkey key;
  if ((rc = actor_key(actor, &key)) != SQLITE_OK) return rc;
  uint8_t how = ROW_LOOKUP;
  if (key.type == GKEY_INT) {
    /* a whole REAL: the INTEGER's id */
  } else if (b->n && b->last_queued == b->n - 1 && gkeys_ahead_repeats_last(&b->ahead, &key)) {
    how = ROW_REPEAT;
    b->last_queued = b->n; /* the same bytes again */
  } else if (!gkeys_ahead_takes(&key)) {
    /* the rows waiting first, then this one's id now */
    if ((rc = batch_flush(g, b, pzErr)) != SQLITE_OK) return rc;
    if ((rc = gkeys_intern(&g->ev.actors, &key, &b->id[b->n])) < 0) return keys_failed(g, rc, pzErr);
    how = ROW_KNOWN;
  } else {
    if (!gkeys_ahead_push(&b->ahead, &key, b->n)) {
      /* the queue is full (of bytes): the rows waiting first, then into the empty queue */
      if ((rc = batch_flush(g, b, pzErr)) != SQLITE_OK) return rc;
      gkeys_ahead_push(&b->ahead, &key, b->n);
    }
    b->last_queued = b->n;
  }
  b->key[b->n] = key.type == GKEY_INT ? key.i : -1;
  b->how[b->n] = how;
  return SQLITE_OK;
}

int ggather_batch_add(ggather *g, ggather_batch *b, int64_t ts_us, const gev_extra *x, int add, char **pzErr) {
  uint32_t i = b->n;
  b->ts[i] = ts_us;
  b->add[i] = (uint8_t)add;
  b->not_added += !add;
  if (x) b->extra[i] = *x;
  else memset(&b->extra[i], 0, sizeof b->extra[i]);
  return ++b->n == GGATHER_BATCH ? batch_flush(g, b, pzErr) : SQLITE_OK;
}

/* One row of actor and ts into the batch. */
static int batch_read(ggather *g, ggather_batch *b, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name,
                      char **pzErr) {
  int64_t us;
  int rc = ggather_ts(g, ts, ts_name, &us, pzErr);
  if (rc == SQLITE_OK) rc = ggather_batch_actor(g, b, actor, pzErr);
  if (rc != SQLITE_OK) return rc == GGATHER_SKIP ? SQLITE_OK : rc;
  return ggather_batch_add(g, b, us, NULL, 1, pzErr);
}

int ggather_batch_row(ggather *g, ggather_batch *b, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name,
                      char **pzErr) {
  int rc = batch_read(g, b, actor, ts, ts_name, pzErr);
  return rc == SQLITE_OK ? rc : ggather_batch_end(g, b, rc, pzErr);
}

int ggather_batch_end(ggather *g, ggather_batch *b, int rc, char **pzErr) {
  if (!b->n) return rc;
  if (rc == SQLITE_OK) return batch_flush(g, b, pzErr);
  char *earlier = NULL;
  int flush_rc = batch_flush(g, b, &earlier);
  if (flush_rc == SQLITE_OK) return rc;
  sqlite3_free(*pzErr);
  *pzErr = earlier;
  return flush_rc;
}

int ggather_finish_rows(ggather *g, uint64_t kept, int64_t latest_us, char **pzErr) {
  int rc = garg_ts_census(&g->census, g->fn, "source timestamps", pzErr);
  if (rc != SQLITE_OK) return rc;
  if (g->as_of_given) {
    if (kept == 0 && g->too_late > 0)
      return garg_as_of_before_rows(g->fn, g->as_of_us, g->earliest_us, g->format.offset_s, pzErr);
  } else if (kept > 0) {
    g->as_of_us = gts_default_as_of(g->format.offset_s, latest_us);
  }
  return SQLITE_OK;
}

int ggather_finish(ggather *g, char **pzErr) { return ggather_finish_rows(g, g->ev.n, g->ev.max_ts, pzErr); }

int ggather_name(ggather *g, sqlite3_value *v, uint32_t *id, char **pzErr) {
  gkey key;
  int got = garg_key(v, &key);
  if (got < 0) return SQLITE_NOMEM;
  *id = 0;
  if (got == 0) return SQLITE_OK;
  gkey_fold_whole_real(&key);
  uint32_t k;
  int r = gkeys_intern(&g->ev.names, &key, &k);
  if (r == GKEYS_NOMEM) return SQLITE_NOMEM;
  if (r < 0) return ggather_fail(g->fn, "more than 4294967294 distinct names, or one of 4 GiB", pzErr);
  *id = k + 1;
  return SQLITE_OK;
}

int ggather_name_cmp(void *ctx, uint32_t a, uint32_t b) {
  const ggather *g = ctx;
  if (a == 0 || b == 0) return (a != 0) - (b != 0);
  return gkeys_cmp(&g->ev.names, a - 1, b - 1);
}

uint32_t *ggather_name_ranks(ggather *g) {
  uint32_t n = gkeys_count(&g->ev.names) + 1;
  uint32_t *order = gmem_alloc((size_t)n * sizeof *order);
  uint32_t *rank = gmem_alloc((size_t)n * sizeof *rank);
  if (!order || !rank) {
    gmem_free(order);
    gmem_free(rank);
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) order[i] = i;
  /* insertion sort: names here are channels and segments, a handful */
  for (uint32_t i = 1; i < n; i++) {
    uint32_t x = order[i], j = i;
    while (j > 0 && ggather_name_cmp(g, order[j - 1], x) > 0) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = x;
  }
  for (uint32_t i = 0; i < n; i++) rank[order[i]] = i;
  gmem_free(order);
  return rank;
}

/* The rows of ggather_read_actor_ts, in source order, into g->ev. */
static int take_events(void *ctx, const uint32_t *actor, const int64_t *ts_us, uint32_t n, char **pzErr) {
  ggather *g = ctx;
  const char *why = gevents_add_rows(&g->ev, actor, ts_us, NULL, n);
  return why ? ggather_fail(g->fn, why, pzErr) : SQLITE_OK;
}

typedef struct actor_ts_scan {
  ggather *g;
  ggather_batch *b;
} actor_ts_scan;

static int actor_ts_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  actor_ts_scan *s = ctx;
  return ggather_batch_row(s->g, s->b, cols[0], cols[1], "ts (source column 2)", pzErr);
}

int ggather_read_actor_ts(ggather *g, sqlite3 *db, sqlite3_value *source, char **pzErr) {
  gsource src;
  int rc = gsource_open_arg(&src, db, g->fn, "source", source, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (src.ncol != 2) {
    *pzErr = sqlite3_mprintf("%s: source has %d column%s, expected actor, ts", g->fn, src.ncol,
                             src.ncol == 1 ? "" : "s");
    gsource_close(&src);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  static const int cols[2] = {0, 1};
  actor_ts_scan scan = {g, ggather_batch_new(take_events, g)};
  if (!scan.b) {
    gsource_close(&src);
    return SQLITE_NOMEM;
  }
  rc = gsource_scan(&src, g->fn, cols, 2, actor_ts_row, &scan, pzErr);
  rc = ggather_batch_end(g, scan.b, rc, pzErr);
  ggather_batch_free(scan.b);
  gsource_close(&src);
  return rc == SQLITE_OK ? ggather_finish(g, pzErr) : rc;
}
