/*
** gather.h: the part every actor-history function shares when it reads its source into an
** events table (events.h): the actor key, the timestamp in the function's ts_unit and tz, the
** census that refuses YYYYMMDD data read as seconds, and the as_of rule (timestamp.h).
**
**   ggather g;
**   ggather_init(&g, fn, GEV_EVENT, 0, &format, has_as_of, as_of_us);
**   per source row (a gsource_scan callback):
**     rc = ggather_row(&g, cols[0], cols[1], &actor, &ts, pzErr);   // GGATHER_SKIP: NULL or too late
**     ... read the function's own columns, then gevents_add(&g.ev, actor, ts, &extra)
**   ggather_finish(&g, pzErr);      // census verdict, default as_of, as_of before every row
**   gevents_group(&g.ev, ...); ... g.as_of_us ...
**   ggather_free(&g);
**
** Actors are keys as SQLite's GROUP BY sees them: INTEGER 1 and REAL 1.0 are one actor (a
** whole REAL is folded into the INTEGER), TEXT '1' is another. A row with a NULL actor or a
** NULL timestamp is skipped, as in every function.
*/
#ifndef GROWTH_GATHER_H
#define GROWTH_GATHER_H

#include "events.h"
#include "sqlite_glue.h"
#include "timestamp.h"

#define GGATHER_SKIP 1001

typedef struct ggather {
  gevents ev;
  const char *fn;
  gts_format format;
  gts_census census;
  gts_iso_memo iso; /* the last ISO month read (timestamp.h) */
  int as_of_given;
  int64_t as_of_us;    /* given, or (after ggather_finish) the default */
  uint64_t rows;       /* source rows read */
  uint64_t too_late;   /* rows at or after a given as_of */
  int64_t earliest_us; /* earliest timestamp read, also of rows too late (INT64_MAX: none) */
} ggather;

/* columns: GEV_* flags of the events table; keys_flags: for g->ev.actors (GKEYS_IDS_ONLY when
** the function never prints an actor). */
void ggather_init(ggather *g, const char *fn, unsigned columns, unsigned keys_flags, const gts_format *format,
                  int as_of_given, int64_t as_of_us);
void ggather_free(ggather *g);

/* Reads a row's actor and timestamp: SQLITE_OK with the dense *actor and *ts_us, GGATHER_SKIP
** (NULL actor or ts, or at or after a given as_of), or an error code with *pzErr. `ts_name` names
** the column in error text ("ts"). */
int ggather_row(ggather *g, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name, uint32_t *actor_id,
                int64_t *ts_us, char **pzErr);

/* ggather_row's first half: the timestamp (counting the row; GGATHER_SKIP as ggather_row). */
int ggather_ts(ggather *g, sqlite3_value *ts, const char *ts_name, int64_t *ts_us, char **pzErr);

/* Rows waiting to have their actors looked up a batch at a time (a source of actor and ts
** alone here; readers with optional columns below): looking each up inside SQLite's row loop
** stalls it on a cache miss per row (a UUID among 70k actors: one, an INTEGER id: one), here
** the misses overlap. INTEGER actors are prefetched some rows ahead, the others go through a
** gkeys_ahead queue. The rows then go to take(), in source order with the ids ggather_row would
** have given them one by one; every error is the one reading row by row would have reported
** first.
**
**   ggather_batch *b = ggather_batch_new(take, ctx);
**   per source row: rc = ggather_batch_row(g, b, cols[0], cols[1], ts_name, pzErr);
**   after the scan, also when it failed: rc = ggather_batch_end(g, b, rc, pzErr);
**   ggather_batch_free(b); */
#define GGATHER_BATCH 512
typedef int (*ggather_take_fn)(void *ctx, const uint32_t *actor, const int64_t *ts_us, uint32_t n, char **pzErr);
typedef struct ggather_batch ggather_batch;
ggather_batch *ggather_batch_new(ggather_take_fn take, void *ctx);
void ggather_batch_free(ggather_batch *b);
int ggather_batch_row(ggather *g, ggather_batch *b, sqlite3_value *actor, sqlite3_value *ts, const char *ts_name,
                      char **pzErr);
/* The rows still waiting to take(), unless rc (the scan's) is an error: then the error of a
** waiting row, which came before, else rc. */
int ggather_batch_end(ggather *g, ggather_batch *b, int rc, char **pzErr);

/* Readers with optional columns (lifecycle, paths) hand a row over in steps, so that a NULL
** actor skips the row before its other columns are read, as ggather_row does:
**   rc = ggather_ts(g, cols[1], ts_name, &ts_us, pzErr);   GGATHER_SKIP: skip the row
**   rc = ggather_batch_actor(g, b, cols[0], pzErr);        GGATHER_SKIP: a NULL actor
**   ... the row's other columns into x ...
**   rc = ggather_batch_add(g, b, ts_us, &x, add, pzErr);   add = 0: the actor is numbered, no row
** and on an error of any row, ggather_batch_end(g, b, rc, pzErr): an actor taken is always
** followed by its row's ggather_batch_add, or by that error. A batch made with
** ggather_batch_new(NULL, NULL) adds its rows to g->ev itself, with their optional columns. */
int ggather_batch_actor(ggather *g, ggather_batch *b, sqlite3_value *actor, char **pzErr);
int ggather_batch_add(ggather *g, ggather_batch *b, int64_t ts_us, const gev_extra *x, int add, char **pzErr);

/* After the scan: refuses misencoded data, refuses a given as_of at or before every row, and
** sets g->as_of_us to the default when none was given (and there are rows). */
int ggather_finish(ggather *g, char **pzErr);
/* The same for a function that keeps its rows elsewhere than g->ev: how many it kept and the
** latest timestamp among them. */
int ggather_finish_rows(ggather *g, uint64_t kept, int64_t latest_us, char **pzErr);

/* A segment, channel or other name column: *id = 1 + its id in g->ev.names, or 0 for NULL
** (keys as GROUP BY sees them: 1 and 1.0 one value). */
int ggather_name(ggather *g, sqlite3_value *v, uint32_t *id, char **pzErr);
/* SQLite's order of two such ids (NULL first): <0, 0, >0. ctx is the ggather. */
int ggather_name_cmp(void *ctx, uint32_t a, uint32_t b);
/* The rank of every id 0..count in that order (gmem; NULL when out of memory). */
uint32_t *ggather_name_ranks(ggather *g);

/* The whole read for a source of two columns, actor and ts (a table or view name or a SELECT
** given as the SQL argument `source`): opens it (another column count is an error that says
** "expected actor, ts"), adds every row that ggather_row keeps to g->ev, and ends with
** ggather_finish. The rows are not grouped yet (gevents_group takes the caller's gcancel). */
int ggather_read_actor_ts(ggather *g, sqlite3 *db, sqlite3_value *source, char **pzErr);

/* The error text for a static reason from a core ("out of memory" and gcancel_reason map to
** their codes). */
int ggather_fail(const char *fn, const char *why, char **pzErr);

/* The same for a core that polled cd: a stop comes back as the connection's own code (what
** gcancel_db_finish reports, else SQLITE_INTERRUPT). */
typedef struct gcancel_db gcancel_db;
int ggather_core_failed(const char *fn, const char *why, gcancel_db *cd, char **pzErr);

#endif
