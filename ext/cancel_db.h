/*
** cancel_db.h: a gcancel (cancel.h) that asks a SQLite connection whether the query running
** on it was interrupted.
**
**   gcancel_db cd;
**   gcancel_db_init(&cd, db);
**   const char *why = some_core(..., &cd.base);   // polls now and then
**   int rc = gcancel_db_finish(&cd);              // SQLITE_INTERRUPT when it stopped the core
**
** A poll steps a cached probe, `SELECT 1, 1, ...` prepared on first use (so a computation too
** short to poll prepares nothing). Stepping it makes SQLite check its interrupt flag, set by
** sqlite3_interrupt(), and run the progress handler every N virtual machine instructions
** (the probe executes about 130 per poll, so a handler registered with N is consulted about
** every N/130 polls). Either one makes the probe return SQLITE_INTERRUPT, which is the answer.
** On SQLite 3.41 and newer (asked at run time, so one growth.so serves 3.40 too) a poll first
** reads the interrupt flag with sqlite3_is_interrupted(), GCANCEL_FAST_POLLS times as often,
** and steps the probe (for progress handlers) on every GCANCEL_FAST_POLLS-th poll only.
*/
#ifndef GROWTH_CANCEL_DB_H
#define GROWTH_CANCEL_DB_H

#include "cancel.h"
#include "sqlite_glue.h"

typedef struct gcancel_db {
  gcancel base;          /* pass &cd.base to the cores */
  sqlite3 *db;
  sqlite3_stmt *probe;   /* NULL until the first poll */
  int (*is_interrupted)(sqlite3 *); /* sqlite3_is_interrupted from SQLite 3.41, else NULL */
  int fast_polls;                   /* polls since the probe last ran */
  int rc;                /* SQLITE_INTERRUPT once stopped, SQLITE_NOMEM if the probe could not be made */
} gcancel_db;

void gcancel_db_init(gcancel_db *cd, sqlite3 *db);
/* Finalizes the probe. Returns SQLITE_OK, or the code that stopped the computation. */
int gcancel_db_finish(gcancel_db *cd);

#endif
