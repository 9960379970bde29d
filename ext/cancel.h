/*
** cancel.h: how a long computation notices that the user gave up.
**
** SQLite stops its own work when sqlite3_interrupt() is called or a progress handler returns
** non-zero, but it notices only while its virtual machine runs. A table-valued function that
** computes for a second after reading its source, or an aggregate's final step over one huge
** group, runs no virtual machine instruction in that time. So the cores count their work in
** units (about one inner-loop step each) and every GCANCEL_PERIOD units ask their gcancel
** whether to stop. A core that is told to stop returns the reason gcancel_reason, which the
** glue turns into SQLITE_INTERRUPT.
**
** The pure part (this header) knows nothing of SQLite: a gcancel is a callback. The glue's
** gcancel_db (cancel_db.h) steps a cached one-row statement on the connection: SQLite checks its
** interrupt flag when a statement starts and counts the statement's instructions toward the
** progress handler, so both ways of stopping a query reach the cores, on SQLite 3.40 as well.
** From 3.41 it also reads the flag with sqlite3_is_interrupted() (which does not see progress
** handlers), a load cheap enough to poll GCANCEL_FAST_POLLS times as often.
*/
#ifndef GROWTH_CANCEL_H
#define GROWTH_CANCEL_H

#include <stdint.h>

/* Work units between two polls. A unit is a few nanoseconds, so a poll comes every 0.1 to
** 1 ms of computing, and one poll (about a microsecond) costs under 1% of the work. */
#define GCANCEL_PERIOD 65536

/* The reason a core returns when it was told to stop (compare the pointer). */
extern const char gcancel_reason[];

/* A poll that costs a load (gcancel_db on SQLite 3.41+: sqlite3_is_interrupted) comes this many
** times as often: every GCANCEL_PERIOD / GCANCEL_FAST_POLLS units, a few microseconds. */
#define GCANCEL_FAST_POLLS 16

typedef struct gcancel {
  int (*poll)(void *ctx); /* non-zero: stop now; may set left lower for a sooner next poll */
  void *ctx;
  int64_t left;            /* units before the next poll */
  int stopped;             /* sticky: once told to stop, every later call says so */
} gcancel;

/* Polls now: 1 when the computation must stop. */
int gcancel_poll_now(gcancel *c);

/* Counts `units` of work done; 1 when the computation must stop (and from then on). A NULL
** gcancel never stops: cores called from unit tests may pass NULL. */
static inline int gcancel_work(gcancel *c, uint64_t units) {
  if (!c) return 0;
  if (c->stopped) return 1;
  c->left -= (int64_t)(units > INT64_MAX / 2 ? INT64_MAX / 2 : units);
  return c->left > 0 ? 0 : gcancel_poll_now(c);
}

#endif
