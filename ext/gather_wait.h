/*
** gather_wait.h: rows with optional columns whose INTEGER actor waits to be looked up, for the
** readers that add rows to g->ev themselves (lifecycle, paths). Looking an actor up inside
** SQLite's row loop stalls that loop on a cache miss per row whenever consecutive rows belong to
** different actors (rows in time order as well as shuffled: 10% of paths' time); here the
** lookups of a batch run together, each prefetched some rows ahead, and the misses overlap.
**
**   per source row with an INTEGER actor:
**     rc = ggather_ts(g, ts, ...);  ... the row's own columns into x ...
**     rc = gwait_push(g, &w, sqlite3_value_int64(actor), ts_us, &x, 1, pzErr);
**   any other row: rc = gwait_flush(g, &w, pzErr), then ggather_row(...) as before;
**   a row's error: return gwait_end(g, &w, rc, pzErr); after the scan: rc = gwait_end(g, &w, rc, pzErr)
**
** The rows reach g->ev in source order and actors get the ids ggather_row would have given them
** one by one (a row pushed with add = 0 numbers its actor and adds no row), so nothing a function
** prints changes; an error of a waiting row is reported before a later row's, as reading row by
** row would report it.
*/
#ifndef GROWTH_GATHER_WAIT_H
#define GROWTH_GATHER_WAIT_H

#include "gather.h"

#define GWAIT_ROWS 256
#define GWAIT_AHEAD 16 /* rows between an actor's prefetch and its lookup */

typedef struct gwait {
  uint32_t n;
  int64_t key[GWAIT_ROWS];
  int64_t ts[GWAIT_ROWS];
  gev_extra extra[GWAIT_ROWS];
  uint8_t add[GWAIT_ROWS];
  uint32_t id[GWAIT_ROWS];
} gwait;

/* The waiting rows into g->ev, in order: the actors looked up (the rows to add moved to the
** front), then the rows added in one call. */
static inline int gwait_flush(ggather *g, gwait *w, char **pzErr) {
  gkeys *k = &g->ev.actors;
  uint32_t n = w->n, m = 0;
  w->n = 0;
  int rc = SQLITE_OK;
  for (uint32_t i = 0; i < n; i++) {
    if (i + GWAIT_AHEAD < n) gkeys_prefetch_int(k, w->key[i + GWAIT_AHEAD]);
    if ((rc = gkeys_int(k, w->key[i], &w->id[m])) < 0) break;
    w->ts[m] = w->ts[i];
    w->extra[m] = w->extra[i];
    m += w->add[i];
  }
  /* the rows before a failed lookup are added first, as reading row by row added them */
  const char *why = gevents_add_rows(&g->ev, w->id, w->ts, w->extra, m);
  if (why) return ggather_fail(g->fn, why, pzErr);
  if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
  if (rc < 0) return ggather_fail(g->fn, "more than 4294967294 actors, or an actor of 4 GiB", pzErr);
  return SQLITE_OK;
}

static inline int gwait_push(ggather *g, gwait *w, int64_t actor, int64_t ts_us, const gev_extra *x, int add,
                             char **pzErr) {
  w->key[w->n] = actor;
  w->ts[w->n] = ts_us;
  w->extra[w->n] = *x;
  w->add[w->n] = (uint8_t)add;
  return ++w->n == GWAIT_ROWS ? gwait_flush(g, w, pzErr) : SQLITE_OK;
}

/* The rows still waiting, unless rc is an error: then the error of a waiting row, which came
** first, else rc (with its message). */
static inline int gwait_end(ggather *g, gwait *w, int rc, char **pzErr) {
  if (!w->n) return rc;
  if (rc == SQLITE_OK) return gwait_flush(g, w, pzErr);
  char *earlier = NULL;
  int flushed = gwait_flush(g, w, &earlier);
  if (flushed == SQLITE_OK) return rc;
  sqlite3_free(*pzErr);
  *pzErr = earlier;
  return flushed;
}

#endif
