/*
** intset.h: sets of one or two 64-bit words, for counting distinct values (rfm's distinct
** orders and days per customer). Pure C, memory through gmem_* only.
**
** Open addressing with linear probing, filled up to 70% (probe runs stay short there); a slot
** is the element itself (8 or 16 bytes). The first word of an element must be non-zero (0 marks
** an empty slot) with its top bit clear (growth marks pending elements with it).
**
** Growth doubles the table in place (realloc, then hashbrown's in-place rehash): every element
** is marked pending, and each pending element is moved to the first empty or pending slot of
** its probe sequence in the larger table, swapping with a pending one it finds there. Placed
** elements never move again and every probe sequence stops at the first slot that is not
** placed, so lookups stay correct. No second table is allocated beside the first (realloc;
** glibc remaps large blocks rather than copying them): at most size x 2 / 0.7 bytes per
** element (23 for one word, 46 for two), where a new table beside the old one would hold half
** as much again at the moment of growth.
**
** The hash mixes in a seed (glue draws one per statement): the mixer is public and invertible,
** and elements are data.
*/
#ifndef GROWTH_INTSET_H
#define GROWTH_INTSET_H

#include <stddef.h>
#include <stdint.h>

/* The bit an element's first word must leave clear. */
#define GINTSET_RESERVED_BIT (UINT64_C(1) << 63)

typedef struct gintset {
  uint64_t *slots;   /* nslots x words */
  size_t count, nslots;
  unsigned words;    /* 1 or 2 */
  uint64_t seed;
} gintset;

/* An empty set of elements of `words` (1 or 2) words. Zeroed memory is not a valid set. */
void gintset_init(gintset *s, unsigned words, uint64_t seed);
void gintset_free(gintset *s);   /* the set is empty again, same words and seed */

/* Adds the element (a, b), b ignored for one-word sets: 0 with *added = 1 when it was new, 0
** when already there; -1 when out of memory (the set unchanged). a != 0, top bit clear. */
int gintset_add(gintset *s, uint64_t a, uint64_t b, int *added);

#endif
