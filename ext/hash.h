/*
** hash.h: the hash used by the per-call lookup tables (actors, customers, breakdown values).
** The mixer is public and invertible, so keys can be chosen to collide in a table's low bits:
** every table mixes in a seed drawn per statement (keys.h gkeys_seed, rfm's sets), and the
** keys are data, often not the querier's, so the seed is what keeps lookups short.
*/
#ifndef GROWTH_HASH_H
#define GROWTH_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* MurmurHash3's 64-bit finalizer: every input bit affects every output bit, so the low bits
** can index a power-of-two table. */
static inline uint64_t ghash_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  return x ^ (x >> 33);
}

/* Eight bytes per multiply (a byte-at-a-time FNV-1a spent a third of a UUID actor's lookup in
** its 36 serial multiplies), then mixed. The length is mixed in first so that a zero-padded
** tail ("a" and "a\0") cannot collide. Words are read in the machine's byte order: the hash
** only ever lives inside one process. */
static inline uint64_t ghash_bytes(uint64_t seed, const unsigned char *p, size_t n) {
  uint64_t h = seed ^ ((uint64_t)n * UINT64_C(0x9e3779b97f4a7c15)), w;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, p + i, 8);
    h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 29;
  }
  w = 0;
  if (i < n) memcpy(&w, p + i, n - i);
  return ghash_mix64(h ^ w);
}

#endif
