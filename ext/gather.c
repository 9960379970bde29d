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

/* GROUP BY's keys: a whole REAL is the INTEGER of that value. */
static int intern_actor(ggather *g, sqlite3_value *v, uint32_t *id, char **pzErr) {
  int rc;
  if (sqlite3_value_type(v) == SQLITE_INTEGER) {
    rc = gkeys_int(&g->ev.actors, sqlite3_value_int64(v), id);
  } else {
    gkey key;
    int got = garg_key(v, &key);
    if (got < 0) return SQLITE_NOMEM;
    if (got == 0) return GGATHER_SKIP;
    gkey_fold_whole_real(&key);
    rc = gkeys_intern(&g->ev.actors, &key, id);
  }
  if (rc >= 0) return SQLITE_OK;
  if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
  return ggather_fail(g->fn, "more than 4294967294 actors, or an actor of 4 GiB", pzErr);
}

int ggather_ts(ggather *g, sqlite3_value *ts, const char *ts_name, int64_t *ts_us, char **pzErr) {
  g->rows++;
  int rc = garg_ts(ts, &g->format, &g->census, g->fn, ts_name, ts_us, pzErr);
  if (rc != SQLITE_OK) return rc == GARG_NULL ? GGATHER_SKIP : rc;
  if (*ts_us < g->earliest_us) g->earliest_us = *ts_us;
  if (g->as_of_given && *ts_us >= g->as_of_us) {
    g->too_late++;
    return GGATHER_SKIP;
  }
  return SQLITE_OK;
}

int ggather_actor(ggather *g, sqlite3_value *actor, uint32_t *actor_id, char **pzErr) {
  return intern_actor(g, actor, actor_id, pzErr);
}

int ggather_row(ggather *g, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name, uint32_t *actor_id,
                int64_t *ts_us, char **pzErr) {
  /* the timestamp first: a column in the wrong place is an error, not a silently skipped row */
  int rc = ggather_ts(g, ts, ts_name, ts_us, pzErr);
  return rc != SQLITE_OK ? rc : intern_actor(g, actor, actor_id, pzErr);
}

int ggather_int_ids(ggather *g, const int64_t *keys, uint32_t *ids, uint32_t n, char **pzErr) {
  gkeys *k = &g->ev.actors;
  for (uint32_t i = 0; i < n; i++) {
    if (i + 16 < n) gkeys_prefetch_int(k, keys[i + 16]);
    int rc = gkeys_int(k, keys[i], &ids[i]);
    if (rc == GKEYS_NOMEM) return SQLITE_NOMEM;
    if (rc < 0) return ggather_fail(g->fn, "more than 4294967294 actors, or an actor of 4 GiB", pzErr);
  }
  return SQLITE_OK;
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

static int actor_ts_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  ggather *g = ctx;
  uint32_t actor;
  int64_t ts;
  int rc = ggather_row(g, cols[0], cols[1], "ts (source column 2)", &actor, &ts, pzErr);
  if (rc == GGATHER_SKIP) return SQLITE_OK;
  if (rc != SQLITE_OK) return rc;
  const char *why = gevents_add(&g->ev, actor, ts, NULL);
  return why ? ggather_fail(g->fn, why, pzErr) : SQLITE_OK;
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
  rc = gsource_scan(&src, g->fn, cols, 2, actor_ts_row, g, pzErr);
  gsource_close(&src);
  return rc == SQLITE_OK ? ggather_finish(g, pzErr) : rc;
}
