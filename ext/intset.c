/* intset.c: see intset.h. */
#include "intset.h"

#include <string.h>

#include "hash.h"
#include "mem.h"

#define PENDING GINTSET_RESERVED_BIT

void gintset_init(gintset *s, unsigned words, uint64_t seed) {
  memset(s, 0, sizeof *s);
  s->words = words == 2 ? 2 : 1;
  s->seed = seed;
}

void gintset_free(gintset *s) {
  gmem_free(s->slots);
  gintset_init(s, s->words, s->seed);
}

static size_t hash_of(const gintset *s, uint64_t a, uint64_t b) {
  if (s->words == 1) return (size_t)ghash_mix64(a ^ s->seed);
  return (size_t)ghash_mix64((b ^ s->seed) * UINT64_C(0x9e3779b97f4a7c15) ^ a);
}

/* Doubles the table in place (intset.h). */
static int grow(gintset *s) {
  const size_t w = s->words, old = s->nslots, nslots = old ? old * 2 : 1024, mask = nslots - 1;
  uint64_t *slots = gmem_realloc(s->slots, sizeof *slots * w * nslots);
  if (!slots) return -1;
  memset(slots + w * old, 0, sizeof *slots * w * (nslots - old));
  s->slots = slots;
  s->nslots = nslots;
  for (size_t i = 0; i < old; i++)
    if (slots[w * i]) slots[w * i] |= PENDING;
  for (size_t i = 0; i < old; i++) {
    while (slots[w * i] & PENDING) {
      uint64_t v[2] = {slots[w * i] & ~PENDING, w == 2 ? slots[w * i + 1] : 0};
      size_t at = hash_of(s, v[0], v[1]) & mask;
      while (slots[w * at] && !(slots[w * at] & PENDING)) at = (at + 1) & mask;
      uint64_t other[2];
      memcpy(other, slots + w * at, sizeof *slots * w);
      memcpy(slots + w * at, v, sizeof *slots * w);
      if (at == i) break;
      memcpy(slots + w * i, other, sizeof *slots * w); /* empty, or pending: placed by the next round */
    }
  }
  return 0;
}

int gintset_add(gintset *s, uint64_t a, uint64_t b, int *added) {
  if ((s->count + 1) * 10 > s->nslots * 7 && grow(s) != 0) return -1;
  const size_t w = s->words, mask = s->nslots - 1;
  if (w == 1) b = 0;
  size_t at = hash_of(s, a, b) & mask;
  for (; s->slots[w * at]; at = (at + 1) & mask)
    if (s->slots[w * at] == a && (w == 1 || s->slots[w * at + 1] == b)) { *added = 0; return 0; }
  s->slots[w * at] = a;
  if (w == 2) s->slots[w * at + 1] = b;
  s->count++;
  *added = 1;
  return 0;
}
