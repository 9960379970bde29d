/* keys.c: see keys.h. */
#include "keys.h"

#include <string.h>

#include "hash.h"
#include "mem.h"

/* The direct array covers values below DIRECT_FLOOR, or 4 (16) per key seen, whichever is
** more, so sparse ids (phone numbers) cannot blow it up; never beyond DIRECT_CEIL. Keys outside
** go to the hash table. A key hashed before the array grew over it stays there, so a miss in
** the array also asks the table while it holds any such key. */
#define DIRECT_FLOOR (UINT64_C(1) << 21)
#define DIRECT_CEIL (INT64_C(1) << 30)
#define ARENA_CHUNK 65536
#define MAX_KEYS (UINT32_MAX - 1)

struct gkeys_chunk {
  gkeys_chunk *next;
  size_t used, cap;
  char data[];
};

void gkeys_init(gkeys *k, unsigned flags) {
  memset(k, 0, sizeof *k);
  k->flags = flags;
}

void gkeys_seed(gkeys *k, uint64_t seed) { k->seed = seed; }

void gkeys_free(gkeys *k) {
  unsigned flags = k->flags;
  uint64_t seed = k->seed;
  gmem_free(k->direct);
  gmem_free(k->slot);
  gmem_free(k->bslot);
  gmem_free(k->item);
  gmem_free(k->scope);
  for (gkeys_chunk *c = k->arena, *next; c; c = next) {
    next = c->next;
    gmem_free(c);
  }
  gkeys_init(k, flags);
  k->seed = seed;
}

void gkeys_empty_keep_bytes(gkeys *k) {
  gkeys_chunk *arena = k->arena;
  k->arena = NULL;
  gkeys_free(k);
  k->arena = arena;
}

void gkeys_drop_lookup(gkeys *k) {
  gmem_free(k->direct);
  gmem_free(k->slot);
  gmem_free(k->bslot);
  k->direct = NULL;
  k->slot = NULL;
  k->bslot = NULL;
  k->ndirect = k->nslot = k->nbslot = 0;
}

void gkey_fold_whole_real(gkey *key) {
  if (key->type != GKEY_REAL) return;
  double d = key->r;
  if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d) {
    key->type = GKEY_INT;
    key->i = (int64_t)d;
  }
}

static uint64_t real_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

/* Unscoped numbers keep a bijection of their value (xor then mix), so that their slot's hash
** identifies them (GKEYS_IDS_ONLY stores nothing else). */
static uint64_t key_hash(uint64_t seed, uint64_t scope, const gkey *key) {
  uint64_t h;
  switch (key->type) {
    case GKEY_INT: h = ghash_mix64((uint64_t)key->i ^ seed); break;
    case GKEY_REAL: h = ghash_mix64(real_bits(key->r) ^ seed) ^ 0x5555; break;
    default: h = ghash_bytes((uint64_t)key->type ^ seed, key->bytes, key->len);
  }
  return scope ? ghash_mix64(h ^ scope * UINT64_C(0x9e3779b97f4a7c15)) : h;
}

/* ------------------------------------------------------------------ TEXT and BLOB slots */

/* A bslot's form: the key's type (bits 0-2), SCOPED_FORM, the shape, an inline key's length
** (bits 8-12), PENDING_SLOT while the table grows. */
#define SCOPED_FORM 0x8u
#define INLINE_FORM 0x00u /* up to 16 bytes, zero-padded: the length tells "a" from "a\0" */
#define UUID_FORM 0x10u   /* a canonical lowercase UUID, packed */
#define REF_FORM 0x20u    /* anything longer: the item's copy of the bytes */
#define SHAPE_MASK 0x30u
#define INLINE_MAX 16

static uint64_t load8(const char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

/* Two groups of four characters, at p and q, as one word. */
static uint64_t load4_4(const char *p, const char *q) {
  uint32_t x, y;
  memcpy(&x, p, 4);
  memcpy(&y, q, 4);
  return (uint64_t)x | (uint64_t)y << 32;
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* 1 when the 16 bytes of v are 0-9 or a-f (a byte of 0x80 or more compares below '0'), with
** their values in *nibbles, one a byte. */
static int hex16(__m128i v, __m128i *nibbles) {
  __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
  __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('f' + 1)));
  if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff) return 0;
  /* '0'..'9' are 0x30..0x39, 'a'..'f' 0x61..0x66: the low nibble, plus 9 for a letter */
  *nibbles = _mm_add_epi8(_mm_and_si128(v, _mm_set1_epi8(0x0f)), _mm_and_si128(letter, _mm_set1_epi8(9)));
  return 1;
}

/* Each pair of nibbles (a 16-bit lane, first digit in its low byte) as one byte, first digit
** high, in the lane's low byte. */
static __m128i pair_nibbles(__m128i n) {
  return _mm_and_si128(_mm_or_si128(_mm_slli_epi16(n, 4), _mm_srli_epi16(n, 8)), _mm_set1_epi16(0x00ff));
}

/* A canonical lowercase UUID's 128 bits into w: 1, else 0 (an uppercase or malformed one keeps
** its bytes). Only these 36-character strings are packed, so packing is a bijection. The 32
** digits are checked and paired 16 at a time (the word-at-a-time version below took a tenth of
** a row's instructions over UUID actors). */
static int pack_uuid(const char *p, uint64_t w[2]) {
  if (p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-') return 0;
  __m128i lo = _mm_set_epi64x((long long)load4_4(p + 9, p + 14), (long long)load8(p));
  __m128i hi = _mm_set_epi64x((long long)load8(p + 28), (long long)load4_4(p + 19, p + 24));
  __m128i nlo, nhi;
  if (!hex16(lo, &nlo) || !hex16(hi, &nhi)) return 0;
  _mm_storeu_si128((__m128i *)(void *)w, _mm_packus_epi16(pair_nibbles(nlo), pair_nibbles(nhi)));
  return 1;
}
#else
/* 1 when all eight bytes of w (read in the machine's order, ASCII) are 0-9 or a-f, with their
** values in *nibbles, one a byte. Bytes below 0x80 add without carrying into the next. */
static int hex8(uint64_t w, uint64_t *nibbles) {
  const uint64_t ones = UINT64_C(0x0101010101010101), high = ones * 0x80;
  if (w & high) return 0;
  uint64_t digit = (w + ones * (0x80 - '0')) & ~(w + ones * (0x80 - '9' - 1));
  uint64_t letter = (w + ones * (0x80 - 'a')) & ~(w + ones * (0x80 - 'f' - 1));
  if (((digit | letter) & high) != high) return 0;
  /* '0'..'9' are 0x30..0x39, 'a'..'f' 0x61..0x66: the low nibble, plus 9 for a letter */
  *nibbles = (w & ones * 0x0f) + ((w >> 6) & ones) * 9;
  return 1;
}

/* The eight nibbles of hex8 (one a byte) as 32 bits, two a byte: a fixed permutation, so
** distinct digits give distinct words. */
static uint32_t pack8(uint64_t n) {
  uint64_t t = (n | n >> 4) & UINT64_C(0x00ff00ff00ff00ff);
  t = (t | t >> 8) & UINT64_C(0x0000ffff0000ffff);
  return (uint32_t)(t | t >> 16);
}

/* A canonical lowercase UUID's 128 bits into w: 1, else 0 (an uppercase or malformed one keeps
** its bytes). Only these 36-character strings are packed, so packing is a bijection. */
static int pack_uuid(const char *p, uint64_t w[2]) {
  if (p[8] != '-' || p[13] != '-' || p[18] != '-' || p[23] != '-') return 0;
  /* 8-4-4-4-12 hex digits as four words of eight */
  uint64_t n0, n1, n2, n3;
  if (!hex8(load8(p), &n0) || !hex8(load4_4(p + 9, p + 14), &n1) || !hex8(load4_4(p + 19, p + 24), &n2) ||
      !hex8(load8(p + 28), &n3))
    return 0;
  w[0] = (uint64_t)pack8(n0) << 32 | pack8(n1);
  w[1] = (uint64_t)pack8(n2) << 32 | pack8(n3);
  return 1;
}
#endif

/* A TEXT or BLOB key's form, and its inline or packed bytes in w (zero otherwise). */
static uint32_t bytes_form(uint64_t scope, const gkey *key, uint64_t w[2]) {
  uint32_t form = (uint32_t)key->type | (scope ? SCOPED_FORM : 0);
  w[0] = w[1] = 0;
  if (key->len <= INLINE_MAX) {
    if (key->len) memcpy(w, key->bytes, key->len);
    return form | INLINE_FORM | (uint32_t)key->len << 8;
  }
  if (key->type == GKEY_TEXT && key->len == 36 && pack_uuid(key->bytes, w)) return form | UUID_FORM;
  return form | REF_FORM;
}

/* A TEXT or BLOB key's hash: of its 16 bytes when the slot holds them (two multiplies, not
** five for a UUID's text), else of all its bytes. */
static uint64_t bytes_hash(uint64_t seed, uint64_t scope, uint32_t form, const uint64_t w[2], const gkey *key) {
  uint64_t h;
  if ((form & SHAPE_MASK) == REF_FORM) {
    h = ghash_bytes((uint64_t)key->type ^ seed, key->bytes, key->len);
  } else {
    h = (seed ^ (uint64_t)(form & ~SCOPED_FORM) * UINT64_C(0x9e3779b97f4a7c15) ^ w[0]) * UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 29;
    h = ghash_mix64(h ^ w[1]);
  }
  return scope ? ghash_mix64(h ^ scope * UINT64_C(0x9e3779b97f4a7c15)) : h;
}

/* A scoped number's item is the key (TEXT and BLOB keys are found in bslot). */
static int item_equal(const gkeys *k, uint32_t id, uint64_t scope, const gkey *key) {
  const gkeys_item *it = &k->item[id];
  if ((k->scope ? k->scope[id] : 0) != scope) return 0;
  return key->type == GKEY_INT ? it->v.i == key->i : it->v.bits == real_bits(key->r);
}

/* Marks a slot whose entry still has to move while the table grows (never set otherwise). */
#define PENDING_SLOT 0x80000000u

/* Doubles the slot table in place (realloc, then hashbrown's in-place rehash, as intset.h
** describes): every entry is marked pending and moved to the first empty or pending slot of
** its probe sequence in the larger table, swapping with a pending one it finds there. No second
** table is held beside the first, so growing costs the new table only (a table beside the old
** one held half as much again at that moment: 78 bytes per event where 1M sparse actors had
** one event each in cohort_retention). */
static int grow_slots(gkeys *k) {
  size_t old = k->nslot, ns = old ? old * 2 : 1024, mask = ns - 1;
  gkeys_slot *s = gmem_realloc(k->slot, ns * sizeof *s);
  if (!s) return GKEYS_NOMEM;
  memset(s + old, 0, (ns - old) * sizeof *s);
  k->slot = s;
  k->nslot = ns;
  for (size_t i = 0; i < old; i++)
    if (s[i].id1) s[i].type |= PENDING_SLOT;
  for (size_t i = 0; i < old; i++) {
    while (s[i].id1 && (s[i].type & PENDING_SLOT)) {
      gkeys_slot v = s[i];
      v.type &= ~PENDING_SLOT;
      size_t at = (size_t)v.hash & mask;
      while (s[at].id1 && !(s[at].type & PENDING_SLOT)) at = (at + 1) & mask;
      gkeys_slot other = s[at];
      s[at] = v;
      if (at == i) break;
      s[i] = other; /* empty, or pending: placed by the next round */
    }
  }
  return GKEYS_FOUND;
}

/* grow_slots for the TEXT and BLOB slots. */
static int grow_bslots(gkeys *k) {
  size_t old = k->nbslot, ns = old ? old * 2 : 1024, mask = ns - 1;
  gkeys_bslot *s = gmem_realloc(k->bslot, ns * sizeof *s);
  if (!s) return GKEYS_NOMEM;
  memset(s + old, 0, (ns - old) * sizeof *s);
  k->bslot = s;
  k->nbslot = ns;
  for (size_t i = 0; i < old; i++)
    if (s[i].id1) s[i].form |= PENDING_SLOT;
  for (size_t i = 0; i < old; i++) {
    while (s[i].id1 && (s[i].form & PENDING_SLOT)) {
      gkeys_bslot v = s[i];
      v.form &= ~PENDING_SLOT;
      size_t at = (size_t)v.hash & mask;
      while (s[at].id1 && !(s[at].form & PENDING_SLOT)) at = (at + 1) & mask;
      gkeys_bslot other = s[at];
      s[at] = v;
      if (at == i) break;
      s[i] = other;
    }
  }
  return GKEYS_FOUND;
}

/* Room for the item of id k->n (and its scope when the table has scopes). Under GKEYS_IDS_ONLY
** ids without an item leave holes, so the array may have to jump ahead. */
static int reserve_item(gkeys *k) {
  if (k->n < k->cap) return GKEYS_FOUND;
  uint64_t want = k->cap ? (uint64_t)k->cap * 2 : 256;
  while (want <= k->n) want *= 2;
  uint32_t cap = want > MAX_KEYS ? MAX_KEYS : (uint32_t)want;
  gkeys_item *it = gmem_realloc(k->item, (size_t)cap * sizeof *it);
  if (!it) return GKEYS_NOMEM;
  k->item = it;
  if (k->scope) {
    uint64_t *sc = gmem_realloc(k->scope, (size_t)cap * sizeof *sc);
    if (!sc) return GKEYS_NOMEM;  /* the items' larger array is harmless: cap is unchanged */
    k->scope = sc;
  }
  k->cap = cap;
  return GKEYS_FOUND;
}

/* A copy of n bytes that never moves. */
static const char *arena_copy(gkeys *k, const void *p, size_t n) {
  gkeys_chunk *c = k->arena;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
    c = gmem_alloc(sizeof *c + cap);
    if (!c) return NULL;
    c->next = k->arena;
    c->used = 0;
    c->cap = cap;
    k->arena = c;
  }
  char *out = c->data + c->used;
  memcpy(out, p, n);
  c->used += n;
  return out;
}

/* Stores a new key's item as id k->n (room reserved). */
static int add_item(gkeys *k, uint64_t scope, const gkey *key, uint32_t *id) {
  gkeys_item it;
  memset(&it, 0, sizeof it);
  it.type = (uint8_t)key->type;
  if (key->type == GKEY_INT) it.v.i = key->i;
  else if (key->type == GKEY_REAL) it.v.bits = real_bits(key->r);
  else {
    it.len = (uint32_t)key->len;
    if (key->len && !(it.v.bytes = arena_copy(k, key->bytes, key->len))) return GKEYS_NOMEM;
  }
  if (scope && !k->scope) {
    /* the first scoped key: every earlier one had scope 0 */
    if (!(k->scope = gmem_alloc((size_t)k->cap * sizeof *k->scope))) return GKEYS_NOMEM;
    memset(k->scope, 0, (size_t)k->n * sizeof *k->scope);
  }
  if (k->scope) k->scope[k->n] = scope;
  k->item[k->n] = it;
  *id = k->n++;
  return GKEYS_ADDED;
}

/* Numbers a new key k->n. Under GKEYS_IDS_ONLY an unscoped INTEGER or REAL keeps no item: its
** direct index or its slot's hash (a bijection of the value) is all a lookup needs. */
static int add_key(gkeys *k, uint64_t scope, const gkey *key, uint32_t *id) {
  if (k->n >= MAX_KEYS) return GKEYS_FULL;
  if ((k->flags & GKEYS_IDS_ONLY) && !scope && key->type <= GKEY_REAL) {
    *id = k->n++;
    return GKEYS_ADDED;
  }
  int rc = reserve_item(k);
  return rc == GKEYS_FOUND ? add_item(k, scope, key, id) : rc;
}

/* Scoped keys are of another kind in the slots: an unscoped key never matches one. */
#define SCOPED_SLOT 0x100u
static uint32_t slot_type(uint64_t scope, const gkey *key) { return (uint32_t)key->type | (scope ? SCOPED_SLOT : 0); }

/* The slot holding the key, or the empty slot where it would go (nslot > 0). */
static size_t find_slot(gkeys *k, uint64_t h, uint64_t scope, const gkey *key) {
  size_t mask = k->nslot - 1, at = (size_t)h & mask;
  uint32_t type = slot_type(scope, key);
  for (; k->slot[at].id1; at = (at + 1) & mask, k->probes++) {
    const gkeys_slot *s = &k->slot[at];
    if (s->hash != h || s->type != type) continue;
    /* an unscoped number's hash is the number (ghash_mix64 is a bijection): no item to read */
    if ((!scope && key->type <= GKEY_REAL) || item_equal(k, s->id1 - 1, scope, key)) break;
  }
  return at;
}

/* Adds a key known to be absent, hash h. Kept out of line so that finding a key (once per
** source row) pays for no more than the probe. */
__attribute__((noinline)) static int add_hashed(gkeys *k, uint64_t h, uint64_t scope, const gkey *key,
                                                uint32_t *id) {
  if (k->nhashed * 2 >= k->nslot) {
    int rc = grow_slots(k);
    if (rc != GKEYS_FOUND) return rc;
  }
  size_t mask = k->nslot - 1, at = (size_t)h & mask;
  while (k->slot[at].id1) at = (at + 1) & mask, k->probes++;
  int rc = add_key(k, scope, key, id);
  if (rc != GKEYS_ADDED) return rc;
  k->slot[at].hash = h;
  k->slot[at].type = slot_type(scope, key);
  k->slot[at].id1 = *id + 1;
  k->nhashed++;
  if (!scope && key->type == GKEY_INT && key->i >= 0 && key->i < DIRECT_CEIL) k->nhashed_small++;
  return GKEYS_ADDED;
}

/* The bslot holding the TEXT or BLOB key of form and packed bytes w, or the empty one where it
** would go (nbslot > 0). An inline or packed key is compared in its slot: no other memory. */
static size_t find_bslot(gkeys *k, uint64_t h, uint64_t scope, uint32_t form, const uint64_t w[2], const gkey *key) {
  size_t mask = k->nbslot - 1, at = (size_t)h & mask;
  for (; k->bslot[at].id1; at = (at + 1) & mask, k->probes++) {
    const gkeys_bslot *s = &k->bslot[at];
    if (s->hash != h || s->form != form) continue;
    if ((form & SHAPE_MASK) == REF_FORM) {
      if (s->key.ref.len != key->len || memcmp(s->key.ref.bytes, key->bytes, key->len) != 0) continue;
    } else if (s->key.w[0] != w[0] || s->key.w[1] != w[1]) {
      continue;
    }
    if (!scope || k->scope[s->id1 - 1] == scope) break; /* a scoped form: the table has scopes */
  }
  return at;
}

/* Adds a TEXT or BLOB key known to be absent (out of line, as add_hashed). These slots are
** twice the size of the numbers' and fill to three quarters, not half: what decides a lookup's
** cost is whether the table stays in cache (actor_status over 70k UUIDs: 4 MB at most three
** quarters full took 0.36 s, 8 MB at most half full 0.43 s). Two slots share a cache line, so
** the longer probe sequences mostly stay in it. */
__attribute__((noinline)) static int add_bhashed(gkeys *k, uint64_t h, uint64_t scope, uint32_t form,
                                                 const uint64_t w[2], const gkey *key, uint32_t *id) {
  if (k->nbhashed * 4 >= k->nbslot * 3 || !k->nbslot) {
    int rc = grow_bslots(k);
    if (rc != GKEYS_FOUND) return rc;
  }
  size_t mask = k->nbslot - 1, at = (size_t)h & mask;
  while (k->bslot[at].id1) at = (at + 1) & mask, k->probes++;
  int rc = add_key(k, scope, key, id); /* TEXT and BLOB keys always have an item */
  if (rc != GKEYS_ADDED) return rc;
  gkeys_bslot *s = &k->bslot[at];
  s->hash = h;
  s->form = form;
  if ((form & SHAPE_MASK) == REF_FORM) {
    s->key.ref.bytes = k->item[*id].v.bytes;
    s->key.ref.len = key->len;
  } else {
    s->key.w[0] = w[0];
    s->key.w[1] = w[1];
  }
  s->id1 = *id + 1;
  k->nbhashed++;
  return GKEYS_ADDED;
}

/* A TEXT or BLOB key of hash h and form (bytes_form's w): found, or added when add is set (else
** 1 when absent). */
static int bhashed(gkeys *k, uint64_t h, uint64_t scope, uint32_t form, const uint64_t w[2], const gkey *key,
                   uint32_t *id, int add) {
  if (k->nbslot) {
    size_t at = find_bslot(k, h, scope, form, w, key);
    if (k->bslot[at].id1) {
      *id = k->bslot[at].id1 - 1;
      return GKEYS_FOUND;
    }
  }
  return add ? add_bhashed(k, h, scope, form, w, key, id) : 1;
}

/* The hashed part for numbers, hash h: finds the key, or adds it when add is set (else returns 1
** when absent). */
static int hashed_h(gkeys *k, uint64_t h, uint64_t scope, const gkey *key, uint32_t *id, int add) {
  if (k->nslot) {
    size_t at = find_slot(k, h, scope, key);
    if (k->slot[at].id1) {
      *id = k->slot[at].id1 - 1;
      return GKEYS_FOUND;
    }
  }
  return add ? add_hashed(k, h, scope, key, id) : 1;
}

/* A key too long to store is not hashed (its bytes are not read). */
static int too_long(const gkey *key) { return key->type >= GKEY_TEXT && key->len >= UINT32_MAX; }

static int hashed(gkeys *k, uint64_t scope, const gkey *key, uint32_t *id, int add) {
  if (too_long(key)) return GKEYS_FULL;
  if (key->type >= GKEY_TEXT) {
    uint64_t w[2];
    uint32_t form = bytes_form(scope, key, w);
    return bhashed(k, bytes_hash(k->seed, scope, form, w, key), scope, form, w, key, id, add);
  }
  return hashed_h(k, key_hash(k->seed, scope, key), scope, key, id, add);
}

uint64_t gkeys_hash(const gkeys *k, const gkey *key) {
  if (too_long(key)) return 0;
  if (key->type >= GKEY_TEXT) {
    uint64_t w[2];
    uint32_t form = bytes_form(0, key, w);
    return bytes_hash(k->seed, 0, form, w, key);
  }
  return key_hash(k->seed, 0, key);
}

void gkeys_hash_key(const gkeys *k, const gkey *key, gkeys_hashed *hk) {
  hk->w[0] = hk->w[1] = 0;
  hk->form = 0;
  if (too_long(key)) {
    hk->hash = 0;
  } else if (key->type >= GKEY_TEXT) {
    hk->form = bytes_form(0, key, hk->w);
    hk->hash = bytes_hash(k->seed, 0, hk->form, hk->w, key);
  } else {
    hk->hash = key_hash(k->seed, 0, key);
  }
}

int gkeys_intern_prepared(gkeys *k, const gkey *key, const gkeys_hashed *hk, uint32_t *id) {
  if (key->type < GKEY_TEXT || too_long(key)) return gkeys_intern_hashed(k, key, hk->hash, id);
  return bhashed(k, hk->hash, 0, hk->form, hk->w, key, id, 1);
}

void gkeys_ahead_init(gkeys_ahead *q, void *mem) {
  q->key = mem;
  q->bytes = (char *)(q->key + GKEYS_AHEAD_KEYS);
  gkeys_ahead_clear(q);
}

int gkeys_ahead_push(gkeys_ahead *q, const gkey *k, size_t row) {
  int has_bytes = k->type != GKEY_REAL && k->len;
  if (q->n == GKEYS_AHEAD_KEYS || (has_bytes && GKEYS_AHEAD_BYTES - q->used < k->len)) return 0;
  gkeys_ahead_key *a = &q->key[q->n++];
  a->key = *k;
  a->row = row;
  if (has_bytes) {
    a->key.bytes = memcpy(q->bytes + q->used, k->bytes, k->len);
    q->used += k->len;
  }
  return 1;
}

void gkeys_ahead_begin(const gkeys *k, gkeys_ahead *q) {
  for (size_t j = 0; j < q->n; j++) gkeys_hash_key(k, &q->key[j].key, &q->key[j].hk);
  for (size_t j = 0; j < q->n && j < 3 * GKEYS_AHEAD_DISTANCE; j++) gkeys_prefetch(k, q->key[j].hk.hash, 0);
  q->next = 0;
}

int gkeys_ahead_is_next(gkeys_ahead *q, size_t row) {
  while (q->next < q->n && q->key[q->next].row < row) q->next++;
  return q->next < q->n && q->key[q->next].row == row;
}

int gkeys_ahead_repeats_last(const gkeys_ahead *q, const gkey *key) {
  if (!q->n || key->type < GKEY_TEXT) return 0;
  const gkey *last = &q->key[q->n - 1].key;
  return last->type == key->type && last->len == key->len &&
         (!key->len || memcmp(last->bytes, key->bytes, key->len) == 0);
}

int gkeys_ahead_intern_next(gkeys *k, gkeys_ahead *q, uint32_t *id) {
  size_t t = q->next++;
  for (int stage = 0; stage < 3; stage++) {
    size_t j = t + (size_t)(3 - stage) * GKEYS_AHEAD_DISTANCE;
    /* a UUID or short key is its slot alone: stages 1 and 2 would only wait for the slot */
    if (j < q->n && (stage == 0 || !q->key[j].hk.form || (q->key[j].hk.form & SHAPE_MASK) == REF_FORM))
      gkeys_prefetch(k, q->key[j].hk.hash, stage);
  }
  return gkeys_intern_prepared(k, &q->key[t].key, &q->key[t].hk, id);
}

/* The hash alone does not say which table holds the key: both are prefetched (a table that
** holds no key is skipped). A TEXT or BLOB slot is read only at stage 2, when its prefetch has
** had time to arrive: reading it at stage 1 waited for memory, and most keys (UUIDs, short
** ones) need nothing more. */
void gkeys_prefetch(const gkeys *k, uint64_t h, int stage) {
  if (k->nbslot) {
    const gkeys_bslot *b = &k->bslot[(size_t)h & (k->nbslot - 1)];
    if (stage == 0) __builtin_prefetch(b);
    else if (stage == 2 && b->id1 && b->hash == h && (b->form & SHAPE_MASK) == REF_FORM) {
      __builtin_prefetch(b->key.ref.bytes);
      __builtin_prefetch(b->key.ref.bytes + b->key.ref.len - 1);
    }
  }
  if (!k->nslot) return;
  const gkeys_slot *s = &k->slot[(size_t)h & (k->nslot - 1)];
  if (stage == 0) {
    __builtin_prefetch(s);
    return;
  }
  /* the first slot only: at most half full, the key is usually there */
  if (!s->id1 || s->hash != h) return;
  const gkeys_item *it = &k->item[s->id1 - 1];
  if (stage == 1) {
    __builtin_prefetch(it);
  } else if (it->len) {
    __builtin_prefetch(it->v.bytes);
    __builtin_prefetch(it->v.bytes + it->len - 1);
  }
}

int gkeys_intern_hashed(gkeys *k, const gkey *key, uint64_t h, uint32_t *id) {
  if (key->type == GKEY_INT) return gkeys_int(k, key->i, id);
  if (key->type >= GKEY_TEXT) {
    if (too_long(key)) return GKEYS_FULL;
    uint64_t w[2];
    uint32_t form = bytes_form(0, key, w);
    return bhashed(k, h, 0, form, w, key, id, 1);
  }
  return hashed_h(k, h, 0, key, id, 1);
}

/* Grows the direct array over v when the policy allows; 0 when v stays outside. */
static int cover(gkeys *k, int64_t v, int *rc) {
  *rc = GKEYS_FOUND;
  if (v < 0 || v >= DIRECT_CEIL) return 0;
  uint64_t limit = DIRECT_FLOOR + (uint64_t)k->n * (k->flags & GKEYS_WIDE_DIRECT ? 16 : 4);
  if ((uint64_t)v >= limit) return 0;
  uint64_t cap = (uint64_t)v + 1 + (uint64_t)v / 2;
  if (cap > limit) cap = (uint64_t)v + 1;
  if (cap < 1024) cap = 1024;
  uint32_t *d = gmem_realloc(k->direct, (size_t)cap * sizeof *d);
  if (!d) {
    *rc = GKEYS_NOMEM;
    return 0;
  }
  memset(d + k->ndirect, 0, (size_t)(cap - k->ndirect) * sizeof *d);
  k->direct = d;
  k->ndirect = (size_t)cap;
  return 1;
}

int gkeys_int_slow(gkeys *k, int64_t v, uint32_t *id) {
  gkey key;
  memset(&key, 0, sizeof key);
  key.type = GKEY_INT;
  key.i = v;
  int rc;
  if ((uint64_t)v < k->ndirect && k->direct[v]) {
    *id = k->direct[v] - 1;
    return GKEYS_FOUND;
  }
  if ((uint64_t)v >= k->ndirect && !cover(k, v, &rc)) {
    return rc == GKEYS_NOMEM ? rc : hashed(k, 0, &key, id, 1);
  }
  /* in the array's range but not in it: maybe hashed before the array reached it */
  if (k->nhashed_small) {
    rc = hashed(k, 0, &key, id, 0);
    if (rc == GKEYS_FOUND) {
      k->direct[v] = *id + 1;
      return rc;
    }
  }
  rc = add_key(k, 0, &key, id);
  if (rc == GKEYS_ADDED) k->direct[v] = *id + 1;
  return rc;
}

int gkeys_intern_scoped(gkeys *k, uint64_t scope, const gkey *key, uint32_t *id) {
  if (key->type == GKEY_INT && !scope) return gkeys_int(k, key->i, id);
  return hashed(k, scope, key, id, 1);
}

gkey gkeys_get(const gkeys *k, uint32_t id) {
  const gkeys_item *it = &k->item[id];
  gkey key;
  memset(&key, 0, sizeof key);
  key.type = it->type;
  if (it->type == GKEY_INT) key.i = it->v.i;
  else if (it->type == GKEY_REAL) memcpy(&key.r, &it->v.bits, sizeof key.r);
  else {
    key.bytes = it->len ? it->v.bytes : "";
    key.len = it->len;
  }
  return key;
}

uint64_t gkeys_scope(const gkeys *k, uint32_t id) { return k->scope ? k->scope[id] : 0; }

int gkey_cmp(const gkey *a, const gkey *b) {
  int na = a->type <= GKEY_REAL, nb = b->type <= GKEY_REAL;
  if (na && nb) {
    if (a->type == GKEY_INT && b->type == GKEY_INT) return (a->i > b->i) - (a->i < b->i);
    double x = a->type == GKEY_INT ? (double)a->i : a->r;
    double y = b->type == GKEY_INT ? (double)b->i : b->r;
    return (x > y) - (x < y);
  }
  if (na != nb) return na ? -1 : 1;
  if (a->type != b->type) return a->type < b->type ? -1 : 1;
  size_t n = a->len < b->len ? a->len : b->len;
  int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
  if (c) return c;
  return (a->len > b->len) - (a->len < b->len);
}

int gkeys_cmp(const gkeys *k, uint32_t a, uint32_t b) {
  gkey x = gkeys_get(k, a), y = gkeys_get(k, b);
  return gkey_cmp(&x, &y);
}

/* ------------------------------------------------------------------ sorting ids by key */

/* One id being sorted: the part of its key that decides the order at the current depth. */
typedef struct sort_rec {
  uint64_t k;
  uint32_t id;
  uint32_t pad;
} sort_rec;

#define SORT_SMALL_RUN 16   /* runs this short are compared whole */
#define SORT_MAX_DEPTH 64   /* beyond 512 equal bytes, compare whole */

/* Eight bytes of a key from byte off, big-endian, zero past the end: two keys whose eight
** bytes differ are in memcmp-then-length order (a shorter key's zero is below the other's
** byte, or both are the same byte). */
static uint64_t bytes_at(const gkeys_item *it, size_t off) {
  const unsigned char *p = (const unsigned char *)it->v.bytes;
  size_t len = it->len;
  uint64_t v = 0;
  if (off + 8 <= len) {
    for (int i = 0; i < 8; i++) v = v << 8 | p[off + i];
    return v;
  }
  for (size_t i = 0; i < 8; i++) v = v << 8 | (off + i < len ? p[off + i] : 0);
  return v;
}

/* gkey_cmp, equal keys by id. */
static int rec_cmp(const gkeys *k, const sort_rec *a, const sort_rec *b) {
  int c = gkeys_cmp(k, a->id, b->id);
  return c ? c : (a->id > b->id) - (a->id < b->id);
}

/* Counts one record of work: 1 when the computation must stop (polled every 4096). */
static int tick(gcancel *cancel, size_t i) { return (i & 4095) == 4095 && gcancel_work(cancel, 4096); }
/* The rest of a loop of n records that tick counted by 4096. */
static int ticked(gcancel *cancel, size_t n) { return gcancel_work(cancel, n & 4095); }

/* Sorts r[n] by rec_cmp (a merge sort; tmp[n] scratch). GKEYS_STOPPED when told to stop. */
static int cmp_sort(const gkeys *k, sort_rec *r, sort_rec *tmp, size_t n, gcancel *cancel) {
  if (n <= SORT_SMALL_RUN) {
    for (size_t i = 1; i < n; i++) {
      sort_rec x = r[i];
      size_t j = i;
      while (j > 0 && rec_cmp(k, &r[j - 1], &x) > 0) {
        r[j] = r[j - 1];
        j--;
      }
      r[j] = x;
    }
    return gcancel_work(cancel, n * n / 4 + 1) ? GKEYS_STOPPED : 0;
  }
  size_t h = n / 2;
  int rc = cmp_sort(k, r, tmp, h, cancel);
  if (!rc) rc = cmp_sort(k, r + h, tmp, n - h, cancel);
  if (rc || rec_cmp(k, &r[h - 1], &r[h]) <= 0) return rc;
  memcpy(tmp, r, h * sizeof *tmp);
  size_t i = 0, j = h, o = 0;
  while (i < h && j < n) {
    r[o++] = rec_cmp(k, &r[j], &tmp[i]) < 0 ? r[j++] : tmp[i++];
    if (tick(cancel, o)) return GKEYS_STOPPED;
  }
  while (i < h) r[o++] = tmp[i++];
  return 0;
}

/* Sorts r[n] by k, stably: least significant byte first, skipping bytes all records share.
** tmp[n] is scratch; the result is back in r. */
static int radix_sort(sort_rec *r, sort_rec *tmp, size_t n, gcancel *cancel) {
  size_t count[8][256];
  memset(count, 0, sizeof count);
  for (size_t i = 0; i < n; i++) {
    for (int b = 0; b < 8; b++) count[b][(r[i].k >> (8 * b)) & 255]++;
    if (tick(cancel, i)) return GKEYS_STOPPED;
  }
  if (ticked(cancel, n)) return GKEYS_STOPPED;
  sort_rec *src = r, *dst = tmp;
  for (int b = 0; b < 8; b++) {
    if (count[b][(r[0].k >> (8 * b)) & 255] == n) continue; /* every record has that byte */
    size_t at = 0;
    for (int v = 0; v < 256; v++) {
      size_t c = count[b][v];
      count[b][v] = at;
      at += c;
    }
    for (size_t i = 0; i < n; i++) {
      dst[count[b][(src[i].k >> (8 * b)) & 255]++] = src[i];
      if (tick(cancel, i)) return GKEYS_STOPPED;
    }
    if (ticked(cancel, n)) return GKEYS_STOPPED;
    sort_rec *t = src;
    src = dst;
    dst = t;
  }
  if (src != r) memcpy(r, src, n * sizeof *r);
  return 0;
}

/* Sorts r[n], TEXT keys or BLOB keys, whose first 8 * depth bytes are equal, by their bytes. */
static int sort_bytes(const gkeys *k, sort_rec *r, sort_rec *tmp, size_t n, size_t depth, gcancel *cancel) {
  size_t off = depth * 8, longest = 0;
  for (size_t i = 0; i < n; i++) {
    const gkeys_item *it = &k->item[r[i].id];
    r[i].k = bytes_at(it, off);
    if (it->len > longest) longest = it->len;
    if (tick(cancel, i)) return GKEYS_STOPPED;
  }
  int rc = radix_sort(r, tmp, n, cancel);
  if (rc) return rc;
  for (size_t s = 0, e; s < n; s = e) {
    for (e = s + 1; e < n && r[e].k == r[s].k;) e++;
    if (e - s < 2) continue;
    /* equal so far: the next eight bytes decide, unless every key ended (ties of trailing
    ** zeros) or the run is short */
    if (e - s <= SORT_SMALL_RUN || longest <= off + 8 || depth + 1 >= SORT_MAX_DEPTH) {
      if ((rc = cmp_sort(k, r + s, tmp, e - s, cancel)) != 0) return rc;
    } else if ((rc = sort_bytes(k, r + s, tmp, e - s, depth + 1, cancel)) != 0) {
      return rc;
    }
  }
  return 0;
}

int gkeys_sort_ids(const gkeys *k, uint32_t *ids, size_t n, gcancel *cancel) {
  if (n < 2) return 0;
  sort_rec *r = gmem_alloc(2 * n * sizeof *r);
  if (!r) return GKEYS_NOMEM;
  sort_rec *tmp = r + n;
  /* numbers, then TEXT, then BLOB (gkey_cmp's classes), each in the order given */
  size_t nnum = 0, ntext = 0;
  int all_int = 1;
  for (size_t i = 0; i < n; i++) {
    int t = k->item[ids[i]].type;
    nnum += t <= GKEY_REAL;
    ntext += t == GKEY_TEXT;
    all_int &= t != GKEY_REAL;
  }
  size_t at[3] = {0, nnum, nnum + ntext};
  for (size_t i = 0; i < n; i++) {
    const gkeys_item *it = &k->item[ids[i]];
    int c = it->type <= GKEY_REAL ? 0 : it->type - 2;
    if (tick(cancel, i)) {
      gmem_free(r);
      return GKEYS_STOPPED;
    }
    sort_rec *o = &r[at[c]++];
    o->id = ids[i];
    o->pad = 0;
    o->k = (uint64_t)it->v.i ^ (UINT64_C(1) << 63); /* INTEGERs: unsigned order is signed order */
  }
  int rc = 0;
  if (nnum > 1) {
    if (all_int) rc = radix_sort(r, tmp, nnum, cancel);
    else rc = cmp_sort(k, r, tmp, nnum, cancel);
  }
  if (!rc && ntext > 1) rc = sort_bytes(k, r + nnum, tmp, ntext, 0, cancel);
  if (!rc && n - nnum - ntext > 1) rc = sort_bytes(k, r + nnum + ntext, tmp, n - nnum - ntext, 0, cancel);
  if (!rc)
    for (size_t i = 0; i < n; i++) ids[i] = r[i].id;
  gmem_free(r);
  return rc;
}
