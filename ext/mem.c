/* mem.c: see mem.h. */
#include "mem.h"
#include "sqlite_glue.h"

#if defined(__linux__) && !defined(GROWTH_NO_HUGE_PAGES)
#include <stdint.h>
#include <sys/mman.h>
#endif

/* The cores' large arrays (a source's rows, grouped by actor) are written once, in a scattered
** order, and read a few times. Where transparent huge pages are given only to memory that asks
** for them (Linux's "madvise" mode, the default of several distributions), each fresh 4 KB page
** costs a fault, and on the virtual machines measured those faults cost more than the writes
** (docs/performance.md). So the 2 MB-aligned interior of a block of 4 MB or more asks for huge
** pages. Advice only: where the kernel declines, or elsewhere, nothing changes. */
static void *advise_huge_pages(void *p, size_t n) {
#if defined(__linux__) && !defined(GROWTH_NO_HUGE_PAGES) && defined(MADV_HUGEPAGE)
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (p && n >= 2 * huge) {
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1), hi = ((uintptr_t)p + n) & ~(huge - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
  }
#else
  (void)n;
#endif
  return p;
}

void *gmem_alloc(size_t n) { return advise_huge_pages(sqlite3_malloc64((sqlite3_uint64)n), n); }
void *gmem_realloc(void *p, size_t n) {
  return advise_huge_pages(sqlite3_realloc64(p, (sqlite3_uint64)n), n);
}
void gmem_free(void *p) { sqlite3_free(p); }
