/*
** threads.c: two connections in two threads using the extension at once give the same results
** as one connection alone, i.e. the extension keeps no global mutable state. Built with
** ThreadSanitizer (gcc -fsanitize=thread) by `make test-threads`, which fails on any race
** report; the results are also compared with those of a single connection.
** Every representative query of tests/queries.h runs, so new functions are covered.
*/
#include <pthread.h>
#include <stdio.h>

#include "harness.h"
#include "queries.h"

#define ROUNDS 12

static hinventory inv;
static char *expected[HARNESS_NQUERIES];
static int expected_rc[HARNESS_NQUERIES];

typedef struct worker { int id, failures; } worker;

static void *work(void *arg) {
  worker *w = arg;
  sqlite3 *db = harness_open();
  if (!db) { w->failures++; return NULL; }
  for (int round = 0; round < ROUNDS; round++)
    for (int k = 0; k < HARNESS_NQUERIES; k++) {
      /* the two threads walk the list in opposite directions, so different functions overlap */
      int i = w->id ? HARNESS_NQUERIES - 1 - k : k;
      if (!harness_has(&inv, harness_queries[i].fn)) continue;
      char *got = NULL;
      int rc = harness_run(db, harness_queries[i].sql, &got);
      if (rc != expected_rc[i] || (rc == SQLITE_DONE && strcmp(got, expected[i]) != 0)) {
        fprintf(stderr, "thread %d: %s\n got: %s\nwant: %s\n", w->id, harness_queries[i].sql,
                rc == SQLITE_DONE ? got : sqlite3_errmsg(db), expected[i]);
        w->failures++;
      }
      sqlite3_free(got);
    }
  sqlite3_close(db);
  return NULL;
}

int main(void) {
  if (!sqlite3_threadsafe()) { fprintf(stderr, "SQLite built without threads\n"); return 1; }
  /* SQLite's global mutexes (the memory-statistics one taken by every allocation, the
  ** per-connection ones) would order the two threads' accesses for ThreadSanitizer and hide a
  ** race in the extension. One connection per thread needs neither. */
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (harness_inventory(&inv) != 0) return 1;
  sqlite3 *db = harness_open();
  int n = 0;
  for (int i = 0; i < HARNESS_NQUERIES; i++) {
    if (!harness_has(&inv, harness_queries[i].fn)) continue;
    expected_rc[i] = harness_run(db, harness_queries[i].sql, &expected[i]);
    if (expected_rc[i] != SQLITE_DONE) {
      sqlite3_free(expected[i]);
      expected[i] = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    }
    n++;
  }
  sqlite3_close(db);
  worker w[2] = {{0, 0}, {1, 0}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, work, &w[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < HARNESS_NQUERIES; i++) sqlite3_free(expected[i]);
  printf("threads: %d queries x %d rounds in 2 threads: %s\n", n, ROUNDS,
         w[0].failures + w[1].failures ? "DIFFERENT RESULTS" : "same results as one connection");
  return w[0].failures + w[1].failures ? 1 : 0;
}
