/* mem.c: see mem.h. */
#include "mem.h"
#include "sqlite_glue.h"

void *gmem_alloc(size_t n) { return sqlite3_malloc64((sqlite3_uint64)n); }
void *gmem_realloc(void *p, size_t n) { return sqlite3_realloc64(p, (sqlite3_uint64)n); }
void gmem_free(void *p) { sqlite3_free(p); }
