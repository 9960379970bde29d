/*
** failing_alloc.h: a failing allocator for out-of-memory tests. It wraps SQLite's default
** allocator (which the extension's memory comes from) and fails the Nth allocation, either once
** or from then on. Include it in one test program, then call failing_alloc_install() first in
** main(), before anything initializes SQLite.
*/
#ifndef GROWTH_FAILING_ALLOC_H
#define GROWTH_FAILING_ALLOC_H

#include <sqlite3.h>

static sqlite3_mem_methods real_mem;
static long alloc_count, fail_at; /* fail_at 0: never fail */
static int fail_once, failures;   /* failures: how many allocations were refused since arm() */

static int should_fail(void) {
  if (!fail_at) return 0;
  alloc_count++;
  if (alloc_count == fail_at || (!fail_once && alloc_count > fail_at)) { failures++; return 1; }
  return 0;
}
static void *oom_malloc(int n) { return should_fail() ? NULL : real_mem.xMalloc(n); }
static void *oom_realloc(void *p, int n) { return should_fail() ? NULL : real_mem.xRealloc(p, n); }

/* Fail allocation n (counted from now), and with once == 0 every one after it too. */
static void arm(long n, int once) { alloc_count = 0; failures = 0; fail_once = once; fail_at = n; }
static void disarm(void) { fail_at = 0; }

/* SQLITE_CONFIG_MALLOC must precede sqlite3_initialize (the first open or allocation). */
static int failing_alloc_install(void) {
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
  sqlite3_mem_methods m = real_mem;
  m.xMalloc = oom_malloc;
  m.xRealloc = oom_realloc;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK) return 1;
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
  return 0;
}

#endif
