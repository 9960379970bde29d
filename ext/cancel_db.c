/* cancel_db.c: see cancel_db.h. */
#include "cancel_db.h"

#include <string.h>

static int poll_db(void *ctx) {
  gcancel_db *cd = ctx;
  if (!cd->probe) {
    int rc = sqlite3_prepare_v2(cd->db, "SELECT 1", -1, &cd->probe, NULL);
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

void gcancel_db_init(gcancel_db *cd, sqlite3 *db) {
  memset(cd, 0, sizeof *cd);
  cd->db = db;
  cd->base.poll = poll_db;
  cd->base.ctx = cd;
  cd->base.left = GCANCEL_PERIOD;
  cd->rc = SQLITE_OK;
}

int gcancel_db_finish(gcancel_db *cd) {
  sqlite3_finalize(cd->probe);
  cd->probe = NULL;
  return cd->rc;
}
