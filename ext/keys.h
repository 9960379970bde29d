/*
** keys.h: interns keys: a value of one SQLite type (INTEGER, REAL, TEXT or BLOB) to a dense id,
** 0, 1, 2, ... in order of first appearance. The actors of funnels and cohorts, rfm's customers
** and order ids, funnel breakdown values and the skus of a promotion book are all numbered
** this way. Pure C: values come in
** as plain C values and memory through gmem_* only, so cmocka tests drive it directly.
**
** Keys are equal when their types and values are: INTEGER 1 and REAL 1.0 are different keys,
** as are REAL 0.0 and -0.0 (a REAL is its bits), and TEXT 'a' and BLOB x'61'. A caller that
** wants SQLite's GROUP BY, where 1 and 1.0 are one group, folds whole REALs into INTEGERs
** first (gkey_fold_whole_real). A key may also belong to a scope (rfm: the customer an order id
** belongs to): the same value in two scopes is two keys.
**
** Small non-negative INTEGER keys (user ids 1..N, the usual actor) are found in a plain array
** indexed by value, with no hashing at all: gkeys_int's lookup is inline for that reason.
*/
#ifndef GROWTH_KEYS_H
#define GROWTH_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "cancel.h"

/* Key types: the numbers of SQLite's type codes, so glue may pass sqlite3_value_type on. */
enum { GKEY_INT = 1, GKEY_REAL = 2, GKEY_TEXT = 3, GKEY_BLOB = 4 };

/* One key as plain C values. The bytes are the caller's until the key is added (then copied). */
typedef struct gkey {
  int type;             /* GKEY_INT .. GKEY_BLOB */
  int64_t i;            /* GKEY_INT */
  double r;             /* GKEY_REAL */
  const void *bytes;    /* GKEY_TEXT, GKEY_BLOB: len bytes (NULL allowed when len is 0) */
  size_t len;
} gkey;

/* Results of interning. */
#define GKEYS_FOUND 0
#define GKEYS_ADDED 1
#define GKEYS_NOMEM (-1)
#define GKEYS_FULL (-2)   /* UINT32_MAX - 1 keys already, or bytes of 4 GiB or more */
#define GKEYS_STOPPED (-3) /* gkeys_sort_ids: the gcancel said stop */

/* Flags for gkeys_init. GKEYS_WIDE_DIRECT: the direct array may span 16 values per key beyond
** its 2M floor instead of 4. For a table that holds nothing per source row (rfm's customers)
** the extra 48 bytes per key keep sparser ids (every tenth number) off the hash table.
** GKEYS_IDS_ONLY: the table only numbers keys; gkeys_get, gkeys_cmp and gkeys_scope are not
** available, and an unscoped INTEGER or REAL key keeps no copy of its value (16 bytes less per
** key: cohort_retention, which never reads an actor back). */
#define GKEYS_WIDE_DIRECT 1u
#define GKEYS_IDS_ONLY 2u

typedef struct gkeys_item {
  union { int64_t i; uint64_t bits; const char *bytes; } v;  /* INTEGER, REAL bits, or the copy */
  uint32_t len;
  uint8_t type;
} gkeys_item;

/* A number's slot (TEXT and BLOB keys have gkeys_bslot). The hash beside the id, so most probes
** touch one cache line; an unscoped INTEGER's or REAL's hash (ghash_mix64 of the value xor the
** seed, a bijection) is the key itself, so its item is never read. */
typedef struct gkeys_slot {
  uint64_t hash;
  uint32_t id1;         /* id + 1; 0 is empty */
  uint32_t type;        /* the key's type, with a bit for scoped keys */
} gkeys_slot;

/* A TEXT or BLOB key's slot, 32 bytes, two to a cache line: the key itself when it fits in 16
** bytes (zero-padded, its length in form) or is a canonical lowercase UUID (36 characters
** 8-4-4-4-12 of 0-9a-f, packed to its 16 bytes, a bijection), else the address and length of
** its bytes. Finding a UUID among 70k actors was three cache misses one after another (slot,
** item, bytes); now it is the slot's alone. form: the key's type, whether it is scoped, which of
** the three shapes the key has and an inline key's length: keys are equal iff their forms and
** payloads are (and, scoped, their scopes). */
typedef struct gkeys_bslot {
  uint64_t hash;
  uint32_t id1; /* id + 1; 0 is empty */
  uint32_t form;
  union {
    uint64_t w[2]; /* inline or packed */
    struct {
      const char *bytes;
      uint64_t len;
    } ref; /* longer keys: the item's copy */
  } key;
} gkeys_bslot;

typedef struct gkeys_chunk gkeys_chunk;

/* Zeroed memory is an empty table with no flags; gkeys_init sets flags. What a lookup reads
** comes first, within 64 bytes. */
typedef struct gkeys {
  uint32_t *direct;     /* id + 1 by INTEGER value, 0 unseen */
  size_t ndirect;
  gkeys_slot *slot;     /* numbers: open addressing, linear probing, at most half full */
  size_t nslot;         /* power of two (0 before the first hashed key) */
  gkeys_bslot *bslot;   /* TEXT and BLOB keys, the same way, at most three quarters full */
  size_t nbslot;
  gkeys_item *item;     /* by id (under GKEYS_IDS_ONLY only TEXT, BLOB and scoped keys have one) */
  uint64_t *scope;      /* by id; NULL until the first key with a scope */
  uint32_t n, cap;
  unsigned flags;
  size_t nhashed;       /* keys in slot */
  size_t nbhashed;      /* keys in bslot */
  size_t nhashed_small; /* unscoped INTEGERs in 0..2^30 hashed: the direct array may reach them */
  gkeys_chunk *arena;   /* TEXT and BLOB bytes: chunks never move, so gkeys_get's bytes stay put */
  uint64_t seed;        /* mixed into every hash (gkeys_seed) */
  uint64_t probes;      /* slots looked at beyond the first, over the table's life (tests) */
} gkeys;

void gkeys_init(gkeys *k, unsigned flags);
/* Seeds the hash, before the first key. The mixer is public and invertible: without a secret
** seed, keys chosen to collide (INTEGER ids are data, often not the querier's) make every
** lookup walk all of them. Glue seeds each table per statement from sqlite3_randomness. Ids
** and everything computed from them are the same under every seed: ids are numbered in order
** of first appearance, and nothing reads the table's slot order. */
void gkeys_seed(gkeys *k, uint64_t seed);
/* Frees everything; the table is empty again (flags kept). */
void gkeys_free(gkeys *k);

/* Finds the key or adds it: GKEYS_FOUND or GKEYS_ADDED with *id, else GKEYS_NOMEM or GKEYS_FULL
** with the table unchanged. scope 0 is no scope. */
int gkeys_intern_scoped(gkeys *k, uint64_t scope, const gkey *key, uint32_t *id);
/* The same for an INTEGER key without a scope (gkeys_int is the way in). */
int gkeys_int_slow(gkeys *k, int64_t v, uint32_t *id);

/* 1 with *id when v is in the direct array, else 0 (v may still be a key, found elsewhere).
** The whole per-row cost of a known user id; callers with work to do before adding a key
** (cohort.c) test it first. */
static inline int gkeys_direct_hit(const gkeys *k, int64_t v, uint32_t *id) {
  if ((uint64_t)v < k->ndirect) {
    uint32_t d = k->direct[v];
    if (d) {
      *id = d - 1;
      return 1;
    }
  }
  return 0;
}

/* An INTEGER key: a hit in the direct array costs one load. */
static inline int gkeys_int(gkeys *k, int64_t v, uint32_t *id) {
  if (gkeys_direct_hit(k, v, id)) return GKEYS_FOUND;
  return gkeys_int_slow(k, v, id);
}

/* A hint that gkeys_int(k, v) follows soon: its direct array entry is fetched (no-op elsewhere). */
static inline void gkeys_prefetch_int(const gkeys *k, int64_t v) {
  if ((uint64_t)v < k->ndirect) __builtin_prefetch(&k->direct[v]);
}

static inline int gkeys_intern(gkeys *k, const gkey *key, uint32_t *id) {
  if (key->type == GKEY_INT) return gkeys_int(k, key->i, id);
  return gkeys_intern_scoped(k, 0, key, id);
}

/* Interning with look-ahead, for callers holding the next keys (rfm's batches): a lookup of a
** hashed key among 200k is up to three cache misses one after another (slot, item, bytes; a
** UUID or a short TEXT key is its slot alone), so a caller hashes its keys (gkeys_hash),
** prefetches each some keys ahead, stage 0 (the slot) farthest, then 1 (the item, or a long
** key's bytes) and 2 (the bytes), and interns them in order with gkeys_intern_hashed, which
** gives what gkeys_intern gives. Prefetching is only a hint: it changes nothing. */
uint64_t gkeys_hash(const gkeys *k, const gkey *key);
void gkeys_prefetch(const gkeys *k, uint64_t h, int stage);
int gkeys_intern_hashed(gkeys *k, const gkey *key, uint64_t h, uint32_t *id);
/* The same with the packed form kept beside the hash, so that a UUID is parsed once, not twice
** (gkeys_hash, then gkeys_intern_hashed): prefetch with hk.hash. */
typedef struct gkeys_hashed {
  uint64_t hash;
  uint64_t w[2]; /* a TEXT or BLOB key's inline or packed bytes */
  uint32_t form; /* its form (keys.c), 0 for numbers and keys too long to store */
} gkeys_hashed;
void gkeys_hash_key(const gkeys *k, const gkey *key, gkeys_hashed *hk);
int gkeys_intern_prepared(gkeys *k, const gkey *key, const gkeys_hashed *hk, uint32_t *id);

/* A queue of keys waiting to be interned with look-ahead, for readers that batch rows (rfm,
** clv): a row whose key is not an INTEGER is pushed with its index in the batch (the key's
** bytes are copied, since SQLite's text lasts only for its row); when the batch is resolved,
** gkeys_ahead_begin hashes every key waiting and the rows are walked in order, each queued one
** interned by gkeys_ahead_intern_next, which prefetches the keys behind it in their three
** stages. Ids are numbered as interning row by row would number them. Memory: the caller gives
** GKEYS_AHEAD_MEM bytes, aligned for a pointer, to gkeys_ahead_init. */
#define GKEYS_AHEAD_KEYS 512
#define GKEYS_AHEAD_BYTES 32768
#define GKEYS_AHEAD_DISTANCE 8 /* prefetch the slot 3 * 8 keys ahead, the item 2 * 8, the bytes 8 */
typedef struct gkeys_ahead_key {
  gkey key;
  gkeys_hashed hk;
  size_t row; /* the caller's index of the row (its place in the batch) */
} gkeys_ahead_key;
typedef struct gkeys_ahead {
  gkeys_ahead_key *key; /* GKEYS_AHEAD_KEYS, in row order */
  char *bytes;          /* GKEYS_AHEAD_BYTES: their TEXT and BLOB bytes */
  size_t n, used;       /* keys waiting; bytes used */
  size_t next;          /* the next key gkeys_ahead_intern_next interns */
} gkeys_ahead;
#define GKEYS_AHEAD_MEM (sizeof(gkeys_ahead_key) * GKEYS_AHEAD_KEYS + GKEYS_AHEAD_BYTES)
void gkeys_ahead_init(gkeys_ahead *q, void *mem);
/* 0 for a key too long for the queue ever to hold (intern it directly, after the rows before it). */
static inline int gkeys_ahead_takes(const gkey *k) { return k->type == GKEY_REAL || k->len <= GKEYS_AHEAD_BYTES; }
/* Queues the key of row `row` (rows pushed in increasing order): 0 when the queue is full, to be
** resolved and emptied first. */
int gkeys_ahead_push(gkeys_ahead *q, const gkey *k, size_t row);
void gkeys_ahead_begin(const gkeys *k, gkeys_ahead *q);
/* 1 when row `row` is the next queued (rows passed over were interned by an earlier walk that
** stopped at an error). */
int gkeys_ahead_is_next(gkeys_ahead *q, size_t row);
/* Interns the next queued key: what gkeys_intern gives. */
int gkeys_ahead_intern_next(gkeys *k, gkeys_ahead *q, uint32_t *id);
static inline void gkeys_ahead_clear(gkeys_ahead *q) { q->n = q->used = q->next = 0; }
/* 1 when key is a TEXT or BLOB of the type and bytes of the last key queued: a reader whose row's
** actor is the previous row's (a session's rows come one after another) gives it that row's id
** instead of queueing the key again. 0 when the queue is empty. */
int gkeys_ahead_repeats_last(const gkeys_ahead *q, const gkey *key);

static inline uint32_t gkeys_count(const gkeys *k) { return k->n; }
/* 0 when every key is an INTEGER of the direct array (ids in value order are then its order). */
static inline int gkeys_any_hashed(const gkeys *k) { return k->nhashed || k->nbhashed; }

/* The key of an id (< gkeys_count). Its bytes stay valid until gkeys_free; an empty TEXT or
** BLOB has bytes "" (never NULL, which SQLite would take for NULL). */
gkey gkeys_get(const gkeys *k, uint32_t id);
uint64_t gkeys_scope(const gkeys *k, uint32_t id);

/* SQLite's order of values: numbers by value (INTEGER and REAL compared as doubles unless both
** are INTEGERs), then TEXT, then BLOB, bytes by memcmp and then length. <0, 0 or >0. INTEGER 1
** and REAL 1.0 compare equal though they are different keys. */
int gkey_cmp(const gkey *a, const gkey *b);
int gkeys_cmp(const gkeys *k, uint32_t a, uint32_t b);

/* Sorts ids[n] (distinct ids < gkeys_count, not under GKEYS_IDS_ONLY) into gkey_cmp's order of
** their keys, equal keys (INTEGER 1 and REAL 1.0) by id; scopes are not looked at. TEXT and
** BLOB keys are radix-sorted by eight bytes at a time (a comparison sort of 200k UUIDs spent
** most of its time on cache misses fetching both keys of every comparison), only ties compared
** whole. Holds 32 bytes per id while it runs. Returns 0, GKEYS_NOMEM or GKEYS_STOPPED (ids
** then in no particular order). */
int gkeys_sort_ids(const gkeys *k, uint32_t *ids, size_t n, gcancel *cancel);

/* Empties the table (no keys, no memory) except for the TEXT and BLOB bytes: keys read with
** gkeys_get before stay valid until gkeys_free. For results that copied their keys out (rfm). */
void gkeys_empty_keep_bytes(gkeys *k);

/* Frees the lookup structures (the direct array and the hash table), keeping the keys: only
** gkeys_count, gkeys_get, gkeys_scope, gkeys_cmp and gkeys_free may follow. For results that
** read their keys back by id (rfm). */
void gkeys_drop_lookup(gkeys *k);

/* A REAL that is a whole number in [-9.2e18, 9.2e18] becomes the INTEGER of that value (-0.0
** becomes 0), as SQLite's GROUP BY puts 1 and 1.0 in one group. Beyond that range a REAL stays
** REAL (the cast to int64 would not be defined near its limits). */
void gkey_fold_whole_real(gkey *key);

#endif
