/*
** mem.h: the one allocator of the pure cores. It is SQLite's (sqlite3_malloc64), so memory
** the cores hold counts against the connection's heap limits and shows in memory statistics,
** while the cores themselves stay free of any other sqlite3 call. On Linux a block of 4 MB or
** more also asks for transparent huge pages (mem.c; -DGROWTH_NO_HUGE_PAGES leaves that out).
*/
#ifndef GROWTH_MEM_H
#define GROWTH_MEM_H

#include <stddef.h>

void *gmem_alloc(size_t n);             /* NULL on failure */
void *gmem_realloc(void *p, size_t n);  /* NULL on failure, p untouched */
void gmem_free(void *p);

#endif
