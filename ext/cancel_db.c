/* cancel_db.c: see cancel_db.h. */
#include "cancel_db.h"

#include <string.h>

/* sqlite3_is_interrupted() came with SQLite 3.41, appended to the extension API table after
** 3.40's last entry (value_encoding): the table only ever grows at its end. The loadable build
** compiles against whatever sqlite3ext.h the system has (3.40 here), so when that header does
** not name the entry this file does, and asks the running library's version before reading it:
** the same growth.so loads and works on 3.40, where the probe statement is the only way. */
#define IS_INTERRUPTED_VERSION 3041000
typedef int (*is_interrupted_fn)(sqlite3 *);
#if !defined(SQLITE_CORE) && SQLITE_VERSION_NUMBER < IS_INTERRUPTED_VERSION
typedef struct api_3_41 {
  sqlite3_api_routines v3_40;
  is_interrupted_fn is_interrupted;
} api_3_41;
#endif

/* sqlite3_is_interrupted of the running library, or NULL before 3.41. */
static is_interrupted_fn find_is_interrupted(void) {
#if defined(SQLITE_CORE) && SQLITE_VERSION_NUMBER >= IS_INTERRUPTED_VERSION
  return sqlite3_libversion_number() >= IS_INTERRUPTED_VERSION ? sqlite3_is_interrupted : NULL;
#elif defined(SQLITE_CORE)
  return NULL; /* linked against a library without it */
#elif SQLITE_VERSION_NUMBER >= IS_INTERRUPTED_VERSION
  return sqlite3_libversion_number() >= IS_INTERRUPTED_VERSION ? sqlite3_api->is_interrupted : NULL;
#else
  return sqlite3_libversion_number() >= IS_INTERRUPTED_VERSION ? ((const api_3_41 *)sqlite3_api)->is_interrupted : NULL;
#endif
}

/* The probe: SELECT 1, 1, ... (128 constants), about 130 virtual machine instructions at
** about 2.5 ns each. SQLite calls a progress handler registered with N every N instructions it
** runs, and the cores run none: each probe charges the handler for the work done since the last
** (GCANCEL_PERIOD units), so one registered with N = 1000 is asked every 8 probes, a few
** milliseconds of computing. A bare SELECT 1 runs four: such a handler was asked every 250
** probes, so a stop it asked for during a long computation (or during SQLite's final call to
** an aggregate, which it makes to clean up even after the stop) came 100+ ms late. A
** connection whose column limit refuses 128 columns gets the bare probe. */
#define C4 ",1,1,1,1"
#define C16 C4 C4 C4 C4
#define C64 C16 C16 C16 C16
static const char probe_sql[] = "SELECT 1" C64 C64;
#undef C4
#undef C16
#undef C64

/* Steps the probe: SQLite checks the interrupt flag as a statement starts and runs the progress
** handler as it executes. 1 when either said stop (cd->rc set). */
static int step_probe(gcancel_db *cd) {
  if (!cd->probe) {
    int rc = sqlite3_prepare_v2(cd->db, probe_sql, -1, &cd->probe, NULL);
    if (rc == SQLITE_ERROR) rc = sqlite3_prepare_v2(cd->db, "SELECT 1", -1, &cd->probe, NULL);
    if (rc != SQLITE_OK) {
      /* An interrupt that is already pending fails the prepare too; anything else (out of
      ** memory) also has to stop the computation, which could not be stopped otherwise. */
      cd->rc = rc == SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_INTERRUPT;
      return 1;
    }
  }
  int rc = sqlite3_step(cd->probe);
  sqlite3_reset(cd->probe);
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return 0;
  cd->rc = rc == SQLITE_NOMEM ? SQLITE_NOMEM : SQLITE_INTERRUPT;
  return 1;
}

static int poll_db(void *ctx) {
  gcancel_db *cd = ctx;
  if (cd->is_interrupted) {
    /* a load of the connection's flag, GCANCEL_FAST_POLLS times as often; the probe (for
    ** progress handlers) on every GCANCEL_FAST_POLLS-th poll, as often as without */
    cd->base.left = GCANCEL_PERIOD / GCANCEL_FAST_POLLS;
    if (cd->is_interrupted(cd->db)) {
      cd->rc = SQLITE_INTERRUPT;
      return 1;
    }
    if (++cd->fast_polls < GCANCEL_FAST_POLLS) return 0;
    cd->fast_polls = 0;
  }
  return step_probe(cd);
}

void gcancel_db_init(gcancel_db *cd, sqlite3 *db) {
  memset(cd, 0, sizeof *cd);
  cd->db = db;
  cd->base.poll = poll_db;
  cd->base.ctx = cd;
  cd->rc = SQLITE_OK;
  cd->is_interrupted = find_is_interrupted();
  cd->base.left = cd->is_interrupted ? GCANCEL_PERIOD / GCANCEL_FAST_POLLS : GCANCEL_PERIOD;
}

int gcancel_db_finish(gcancel_db *cd) {
  sqlite3_finalize(cd->probe);
  cd->probe = NULL;
  return cd->rc;
}
