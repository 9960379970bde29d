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

/* MurmurHash3's 64-bit finalizer: every input bit affects every output bit, so the low bits
** can index a power-of-two table. */
static inline uint64_t ghash_mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  return x ^ (x >> 33);
}

/* FNV-1a over the bytes, seeded, then mixed. */
static inline uint64_t ghash_bytes(uint64_t seed, const unsigned char *p, size_t n) {
  uint64_t h = UINT64_C(1469598103934665603) ^ seed;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * UINT64_C(1099511628211);
  return ghash_mix64(h);
}

#endif
