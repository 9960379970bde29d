/*
** test_keys.c: the key interning core (ext/keys.c). Keys of every SQLite type get dense ids in
** order of first sight; what counts as the same key is spelled out case by case below, with
** the module that relies on it. Out-of-memory runs use SQLite's allocator replaced (as in
** test_oom.c) by one that fails the Nth allocation: gmem_* is sqlite3_malloc64.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "hash.h"
#include "keys.h"
#include "failing_alloc.h"

/* ------------------------------------------------------------------ helpers */

static gkey int_key(int64_t v) { gkey k; memset(&k, 0, sizeof k); k.type = GKEY_INT; k.i = v; return k; }
static gkey real_key(double d) { gkey k; memset(&k, 0, sizeof k); k.type = GKEY_REAL; k.r = d; return k; }
static gkey bytes_key(int type, const void *p, size_t n) {
  gkey k;
  memset(&k, 0, sizeof k);
  k.type = type;
  k.bytes = p;
  k.len = n;
  return k;
}
static gkey text_key(const char *s) { return bytes_key(GKEY_TEXT, s, strlen(s)); }

/* Interns and insists on the outcome: expect_added 1 for a new key, 0 for a known one. */
static uint32_t intern_in(gkeys *k, uint64_t scope, gkey key, int expect_added) {
  uint32_t id = UINT32_MAX;
  int rc = gkeys_intern_scoped(k, scope, &key, &id);
  assert_int_equal(rc, expect_added ? GKEYS_ADDED : GKEYS_FOUND);
  assert_true(id < gkeys_count(k));
  return id;
}
static uint32_t intern(gkeys *k, gkey key, int expect_added) {
  uint32_t id = UINT32_MAX;
  int rc = gkeys_intern(k, &key, &id);
  assert_int_equal(rc, expect_added ? GKEYS_ADDED : GKEYS_FOUND);
  assert_true(id < gkeys_count(k));
  return id;
}
static uint32_t intern_int(gkeys *k, int64_t v, int expect_added) {
  uint32_t id = UINT32_MAX;
  assert_int_equal(gkeys_int(k, v, &id), expect_added ? GKEYS_ADDED : GKEYS_FOUND);
  return id;
}

static void assert_key(const gkeys *k, uint32_t id, gkey want) {
  gkey got = gkeys_get(k, id);
  assert_int_equal(got.type, want.type);
  switch (want.type) {
    case GKEY_INT: assert_true(got.i == want.i); break;
    case GKEY_REAL: assert_memory_equal(&got.r, &want.r, sizeof got.r); break;  /* bits: -0.0 too */
    default:
      assert_non_null(got.bytes);
      assert_int_equal(got.len, want.len);
      if (want.len) assert_memory_equal(got.bytes, want.bytes, want.len);
  }
}

/* ------------------------------------------------------------------ integers */

/* Small non-negative INTEGERs (direct array), negative and huge ones (hashed), the extremes. */
static void integers(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  static const int64_t vals[] = {7, 0, 1, (1 << 21) - 1, -1, -7, INT64_C(1) << 40, INT64_MAX, INT64_MIN,
                                 INT64_MIN + 1, INT64_MAX - 1, (INT64_C(1) << 30) + 5, 4096};
  size_t nv = sizeof vals / sizeof vals[0];
  for (size_t i = 0; i < nv; i++) assert_int_equal(intern_int(&k, vals[i], 1), i); /* dense, in order */
  assert_int_equal(gkeys_count(&k), nv);
  for (size_t i = 0; i < nv; i++) {
    assert_int_equal(intern_int(&k, vals[i], 0), i);
    assert_int_equal(intern(&k, int_key(vals[i]), 0), i);  /* the generic path agrees */
    assert_key(&k, (uint32_t)i, int_key(vals[i]));
  }
  assert_true(k.ndirect > 0 && k.direct[7] == 1);  /* 7 went to the direct array */
  assert_true(k.nhashed >= 7);                     /* negative and huge ones were hashed */
  gkeys_free(&k);
  assert_int_equal(gkeys_count(&k), 0);
  /* after free the table is empty and usable again */
  assert_int_equal(intern_int(&k, INT64_MIN, 1), 0);
  gkeys_free(&k);
}

/* The direct array covers up to 2M values, or 4 per key (16 with GKEYS_WIDE_DIRECT), never
** 2^30 or more; a key hashed before the array grew over it keeps its id. */
static void direct_array_policy(void **state) {
  (void)state;
  const int64_t floor = INT64_C(1) << 21;
  for (int wide = 0; wide <= 1; wide++) {
    gkeys k;
    gkeys_init(&k, wide ? GKEYS_WIDE_DIRECT : 0);
    int64_t per = wide ? 16 : 4;
    uint32_t early = intern_int(&k, floor + 1000 * per, 1);  /* beyond 2M + per * 0: hashed */
    assert_true(k.ndirect <= (size_t)(floor + 1000 * per));
    for (int64_t v = 0; v < 1000; v++) assert_int_equal(intern_int(&k, v, 1), v + 1);
    /* 1001 keys now: 2M + per * 1001 covers the early key's value */
    uint32_t later = intern_int(&k, floor + 1000 * per + 1, 1);
    assert_true(k.ndirect > (size_t)(floor + 1000 * per + 1));
    assert_int_equal(intern_int(&k, floor + 1000 * per, 0), early);
    assert_int_equal(intern_int(&k, floor + 1000 * per, 0), early);  /* now cached in the array */
    assert_int_equal(k.direct[floor + 1000 * per], early + 1);
    assert_int_equal(intern_int(&k, floor + 1000 * per + 1, 0), later);
    /* 2^30 and up never go direct */
    size_t before = k.ndirect;
    intern_int(&k, INT64_C(1) << 30, 1);
    assert_int_equal(k.ndirect, before);
    gkeys_free(&k);
  }
  /* without the wide flag, 4 per key: 1000 keys reach 2M + 4000, not 2M + 16000 */
  gkeys k;
  gkeys_init(&k, 0);
  for (int64_t v = 0; v < 1000; v++) intern_int(&k, v, 1);
  intern_int(&k, floor + 16000, 1);
  assert_true(k.ndirect < (size_t)floor + 16000);
  gkeys_free(&k);
}

/* ------------------------------------------------------------------ reals */

/* In the table a REAL is its bits: 1.0 is not the INTEGER 1 and -0.0 is not 0.0. That is what
** funnel has always done for actors and breakdown values (breakdown 1 and 1.0 are two report
** rows). rfm and cohort_retention fold whole REALs into INTEGERs first, as SQLite's GROUP BY
** does (1 and 1.0 are one group, and so are 0.0 and -0.0). */
static void reals(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  uint32_t i1 = intern(&k, int_key(1), 1);
  uint32_t r1 = intern(&k, real_key(1.0), 1);
  uint32_t pz = intern(&k, real_key(0.0), 1);
  uint32_t nz = intern(&k, real_key(-0.0), 1);
  uint32_t i0 = intern(&k, int_key(0), 1);
  uint32_t half = intern(&k, real_key(1.5), 1);
  assert_int_equal(intern(&k, real_key(1.0), 0), r1);
  assert_int_equal(intern(&k, real_key(-0.0), 0), nz);
  assert_int_equal(intern(&k, real_key(1.5), 0), half);
  assert_key(&k, nz, real_key(-0.0));
  assert_key(&k, r1, real_key(1.0));
  /* different keys, but SQLite's order has them equal */
  assert_int_equal(gkeys_cmp(&k, i1, r1), 0);
  assert_int_equal(gkeys_cmp(&k, pz, nz), 0);
  assert_int_equal(gkeys_cmp(&k, i0, nz), 0);
  assert_true(gkeys_cmp(&k, r1, half) < 0);
  assert_true(gkeys_cmp(&k, half, intern(&k, int_key(2), 1)) < 0);
  gkeys_free(&k);

  /* folding */
  static const struct { double in; int type; int64_t i; } fold[] = {
    {1.0, GKEY_INT, 1},          {-0.0, GKEY_INT, 0},         {0.0, GKEY_INT, 0},
    {-42.0, GKEY_INT, -42},      {9.2e18, GKEY_INT, INT64_C(9200000000000000000)},
    {-9.2e18, GKEY_INT, -INT64_C(9200000000000000000)},     {1.5, GKEY_REAL, 0},
    {9.3e18, GKEY_REAL, 0},      {1e300, GKEY_REAL, 0},       {-0.5, GKEY_REAL, 0},
  };
  for (size_t i = 0; i < sizeof fold / sizeof fold[0]; i++) {
    gkey key = real_key(fold[i].in);
    gkey_fold_whole_real(&key);
    assert_int_equal(key.type, fold[i].type);
    if (key.type == GKEY_INT) assert_true(key.i == fold[i].i);
    else assert_true(key.r == fold[i].in);
  }
  gkey inf = real_key(INFINITY), nan_key = real_key(NAN), text = text_key("1");
  gkey_fold_whole_real(&inf);
  gkey_fold_whole_real(&nan_key);
  gkey_fold_whole_real(&text);
  assert_int_equal(inf.type, GKEY_REAL);
  assert_int_equal(nan_key.type, GKEY_REAL);
  assert_int_equal(text.type, GKEY_TEXT);
  /* folded, 1.0 finds the INTEGER 1 and -0.0 finds 0 */
  gkeys_init(&k, 0);
  uint32_t one = intern(&k, int_key(1), 1), zero = intern(&k, real_key(0.0), 1);
  gkey f1 = real_key(1.0), fz = real_key(-0.0), f0 = real_key(0.0);
  gkey_fold_whole_real(&f1);
  gkey_fold_whole_real(&fz);
  gkey_fold_whole_real(&f0);
  assert_int_equal(intern(&k, f1, 0), one);
  assert_int_equal(intern(&k, fz, 1), 2);  /* the INTEGER 0, not the REAL 0.0 interned unfolded */
  assert_int_equal(intern(&k, f0, 0), 2);
  assert_int_not_equal(zero, 2);
  gkeys_free(&k);
}

/* ------------------------------------------------------------------ text and blobs */

static void text_and_blobs(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  uint32_t t = intern(&k, text_key("abc"), 1);
  uint32_t b = intern(&k, bytes_key(GKEY_BLOB, "abc", 3), 1);  /* same bytes, another key */
  uint32_t et = intern(&k, bytes_key(GKEY_TEXT, "", 0), 1);
  uint32_t eb = intern(&k, bytes_key(GKEY_BLOB, NULL, 0), 1);  /* an empty BLOB has no pointer */
  uint32_t n1 = intern(&k, bytes_key(GKEY_TEXT, "a\0b", 3), 1);
  uint32_t n2 = intern(&k, bytes_key(GKEY_TEXT, "a\0c", 3), 1);
  uint32_t a = intern(&k, text_key("a"), 1);
  uint32_t i = intern(&k, int_key(97), 1);  /* 'a' as a number is still another key */
  assert_int_equal(intern(&k, text_key("abc"), 0), t);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, "abc", 3), 0), b);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, NULL, 0), 0), et);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, "", 0), 0), eb);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "a\0b", 3), 0), n1);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "a\0c", 3), 0), n2);
  assert_int_equal(gkeys_count(&k), 8);
  assert_key(&k, n1, bytes_key(GKEY_TEXT, "a\0b", 3));
  assert_key(&k, eb, bytes_key(GKEY_BLOB, "", 0));
  gkey e = gkeys_get(&k, et);
  assert_non_null(e.bytes);  /* "" for an empty key: sqlite3_result_text(NULL) would be NULL */
  /* SQLite's order: numbers, then TEXT, then BLOB; bytes by memcmp, then length */
  assert_true(gkeys_cmp(&k, i, et) < 0);
  assert_true(gkeys_cmp(&k, et, a) < 0);
  assert_true(gkeys_cmp(&k, a, n1) < 0);   /* "a" is a prefix of "a\0b" */
  assert_true(gkeys_cmp(&k, n1, n2) < 0);
  assert_true(gkeys_cmp(&k, n2, t) < 0);   /* "a\0c" < "abc" byte by byte */
  assert_true(gkeys_cmp(&k, t, eb) < 0);   /* any TEXT before any BLOB */
  assert_true(gkeys_cmp(&k, eb, b) < 0);
  assert_int_equal(gkeys_cmp(&k, b, b), 0);
  /* the copy is the table's: the caller's buffer may change */
  char buf[8] = "xyz";
  uint32_t x = intern(&k, text_key(buf), 1);
  buf[0] = 'q';
  assert_key(&k, x, text_key("xyz"));
  /* a key longer than an arena chunk */
  size_t big = 200000;
  char *p = malloc(big);
  assert_non_null(p);
  for (size_t j = 0; j < big; j++) p[j] = (char)('a' + j % 26);
  uint32_t bid = intern(&k, bytes_key(GKEY_BLOB, p, big), 1);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, p, big), 0), bid);
  assert_int_equal(intern(&k, text_key("after"), 1), bid + 1);
  assert_key(&k, bid, bytes_key(GKEY_BLOB, p, big));
  assert_key(&k, x, text_key("xyz"));
  free(p);
  /* bytes of 4 GiB or more are refused before they are read */
  gkey huge = bytes_key(GKEY_TEXT, "x", (size_t)UINT32_MAX);
  uint32_t id;
  assert_int_equal(gkeys_intern(&k, &huge, &id), GKEYS_FULL);
  gkeys_free(&k);
}

/* SQLite's order for numbers: INTEGERs exactly, INTEGER against REAL as doubles. */
static void ordering_numbers(void **state) {
  (void)state;
  gkey a = int_key((INT64_C(1) << 53) + 1), b = int_key(INT64_C(1) << 53), c = real_key(9007199254740992.0);
  assert_true(gkey_cmp(&b, &a) < 0);
  assert_true(gkey_cmp(&a, &b) > 0);
  assert_int_equal(gkey_cmp(&b, &c), 0);
  gkey lo = int_key(INT64_MIN), hi = int_key(INT64_MAX), m = real_key(-1e300), t = text_key("");
  assert_true(gkey_cmp(&lo, &hi) < 0);
  assert_true(gkey_cmp(&m, &lo) < 0);
  assert_true(gkey_cmp(&hi, &t) < 0);
}

/* ------------------------------------------------------------------ scopes */

/* rfm counts a customer's distinct TEXT order ids: the same id under two customers is two. */
static void scopes(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  uint32_t plain = intern(&k, text_key("A-1"), 1);
  uint32_t s1 = intern_in(&k, 1, text_key("A-1"), 1);
  uint32_t s2 = intern_in(&k, 2, text_key("A-1"), 1);
  uint32_t i5 = intern_in(&k, 0, int_key(5), 1);
  uint32_t i5s = intern_in(&k, 9, int_key(5), 1);  /* scoped INTEGERs are hashed, not direct */
  uint32_t big = intern_in(&k, UINT64_MAX, real_key(2.5), 1);
  assert_int_equal(intern_in(&k, 0, text_key("A-1"), 0), plain);
  assert_int_equal(intern_in(&k, 1, text_key("A-1"), 0), s1);
  assert_int_equal(intern_in(&k, 2, text_key("A-1"), 0), s2);
  assert_int_equal(intern_in(&k, 9, int_key(5), 0), i5s);
  assert_int_equal(intern_int(&k, 5, 0), i5);
  assert_int_equal(intern_in(&k, UINT64_MAX, real_key(2.5), 0), big);
  assert_int_equal(gkeys_scope(&k, plain), 0);
  assert_int_equal(gkeys_scope(&k, s2), 2);
  assert_true(gkeys_scope(&k, big) == UINT64_MAX);
  assert_int_equal(gkeys_count(&k), 6);
  /* scopes over many keys and growth: 1000 customers with 20 order ids each */
  for (uint64_t c = 1; c <= 1000; c++)
    for (int o = 0; o < 20; o++) {
      char s[16];
      snprintf(s, sizeof s, "o%d", o);
      intern_in(&k, c, text_key(s), 1);
    }
  for (uint64_t c = 1; c <= 1000; c += 37) {
    uint32_t id = intern_in(&k, c, text_key("o7"), 0);
    assert_true(gkeys_scope(&k, id) == c);
    assert_key(&k, id, text_key("o7"));
  }
  assert_int_equal(gkeys_count(&k), 6 + 20000);
  gkeys_free(&k);
}

/* ------------------------------------------------------------------ ids only */

/* GKEYS_IDS_ONLY (cohort_retention's actors): the same ids, without a stored copy of numbers. */
static void ids_only(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, GKEYS_IDS_ONLY);
  static const int64_t ints[] = {5, 0, -1, INT64_MIN, INT64_MAX, INT64_C(1) << 40, 3000000};
  for (size_t i = 0; i < 7; i++) assert_int_equal(intern_int(&k, ints[i], 1), i);
  assert_int_equal(intern(&k, real_key(1.0), 1), 7);   /* still not the INTEGER 1 */
  assert_int_equal(intern(&k, real_key(-0.0), 1), 8);
  assert_int_equal(intern(&k, real_key(0.0), 1), 9);
  assert_int_equal(intern(&k, int_key(1), 1), 10);
  assert_null(k.item);                                 /* numbers keep no item */
  assert_int_equal(intern(&k, text_key("5"), 1), 11);  /* bytes do, at their id */
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, "5", 1), 1), 12);
  assert_int_equal(intern_in(&k, 3, int_key(5), 1), 13);  /* and scoped keys */
  assert_true(k.cap > 13);
  for (size_t i = 0; i < 7; i++) assert_int_equal(intern_int(&k, ints[i], 0), i);
  assert_int_equal(intern(&k, real_key(1.0), 0), 7);
  assert_int_equal(intern(&k, real_key(-0.0), 0), 8);
  assert_int_equal(intern(&k, real_key(0.0), 0), 9);
  assert_int_equal(intern(&k, text_key("5"), 0), 11);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, "5", 1), 0), 12);
  assert_int_equal(intern_in(&k, 3, int_key(5), 0), 13);
  assert_int_equal(intern_in(&k, 4, int_key(5), 1), 14);
  gkeys_free(&k);
  assert_int_equal(k.flags, GKEYS_IDS_ONLY);  /* kept for reuse */
  /* many numbers, then text: the items array jumps to the text's id */
  for (int64_t v = 0; v < 100000; v++) intern_int(&k, v * 7919 - 50000, 1);
  assert_null(k.item);
  assert_int_equal(intern(&k, text_key("late"), 1), 100000);
  assert_true(k.cap > 100000);
  for (int64_t v = 0; v < 100000; v += 7) assert_int_equal(intern_int(&k, v * 7919 - 50000, 0), v);
  assert_int_equal(intern(&k, text_key("late"), 0), 100000);
  gkeys_free(&k);
}

/* ------------------------------------------------------------------ growth */

/* The n-th key of a mix of every kind: direct INTEGERs, hashed ones, REALs, TEXT and BLOBs. */
static gkey nth_key(uint32_t n, char *buf, size_t cap) {
  switch (n % 5) {
    case 0: return int_key(n / 5);                                    /* direct */
    case 1: return int_key(-(int64_t)n * 1000003 - 1);                /* hashed */
    case 2: return real_key((double)n + 0.25);
    case 3: return bytes_key(GKEY_TEXT, buf, (size_t)snprintf(buf, cap, "user-%u", n));
    default: return bytes_key(GKEY_BLOB, buf, (size_t)snprintf(buf, cap, "%u", n));
  }
}

static void a_million_keys(void **state) {
  (void)state;
  gkeys k;
  char buf[32];
  const uint32_t N = 1000000;
  /* ids only first: the same ids without reading keys back */
  gkeys_init(&k, GKEYS_IDS_ONLY);
  for (uint32_t n = 0; n < N; n++) assert_int_equal(intern(&k, nth_key(n, buf, sizeof buf), 1), n);
  for (uint32_t n = 0; n < N; n++) assert_int_equal(intern(&k, nth_key(n, buf, sizeof buf), 0), n);
  gkeys_free(&k);
  gkeys_init(&k, 0);
  for (uint32_t n = 0; n < N; n++) assert_int_equal(intern(&k, nth_key(n, buf, sizeof buf), 1), n);
  assert_int_equal(gkeys_count(&k), N);
  assert_true(k.nslot >= 2 * k.nhashed);  /* at most half full after some ten doublings */
  for (uint32_t n = 0; n < N; n++) {
    gkey key = nth_key(n, buf, sizeof buf);
    assert_int_equal(intern(&k, key, 0), n);
    assert_key(&k, n, key);
  }
  /* the order is antisymmetric on a sample */
  for (uint32_t n = 1; n < N; n += 9973) {
    int c = gkeys_cmp(&k, n - 1, n), d = gkeys_cmp(&k, n, n - 1);
    assert_int_equal((d > 0) - (d < 0), (c < 0) - (c > 0));
  }
  /* without its lookup, the table still reads every key back by id and orders them (rfm's
  ** result rows) */
  gkeys_drop_lookup(&k);
  assert_null(k.slot);
  assert_null(k.direct);
  assert_int_equal(gkeys_count(&k), N);
  for (uint32_t n = 0; n < N; n += 997) assert_key(&k, n, nth_key(n, buf, sizeof buf));
  for (uint32_t n = 1; n < N; n += 9973) {
    gkey a = nth_key(n - 1, buf, sizeof buf), b = gkeys_get(&k, n);
    assert_int_equal(gkeys_cmp(&k, n - 1, n), gkey_cmp(&a, &b));
  }
  /* emptied, the table keeps only the bytes: keys read before stay valid */
  gkey t3 = gkeys_get(&k, 3), b4 = gkeys_get(&k, 999999), i0 = gkeys_get(&k, 0);
  gkeys_empty_keep_bytes(&k);
  assert_int_equal(gkeys_count(&k), 0);
  assert_null(k.slot);
  assert_null(k.direct);
  assert_null(k.item);
  assert_non_null(k.arena);
  assert_true(t3.len == 6 && memcmp(t3.bytes, "user-3", 6) == 0);
  assert_true(b4.len == 6 && memcmp(b4.bytes, "999999", 6) == 0);
  assert_true(gkey_cmp(&i0, &t3) < 0);
  gkeys_free(&k);
  assert_null(k.arena);
}

/* ------------------------------------------------------------------ out of memory */

/* A run that interns a fixed list of keys exercising every allocation: the direct array and its
** growth, hash slots and their growth, items, arena chunks (one larger than a chunk), the
** scope array and its growth. Returns how many keys were interned before the first error
** (and checks that error), or the whole list. */
#define OOM_KEYS 3000
static gkey oom_key(uint32_t n, uint64_t *scope, char *buf, size_t cap, char *bigbuf, size_t bigcap) {
  *scope = 0;
  if (n == 1500) return bytes_key(GKEY_BLOB, bigbuf, bigcap);
  if (n >= 2000 && n % 3 == 0) *scope = 1 + n % 7;
  switch (n % 6) {
    case 0: return int_key(n * 3);
    case 1: return int_key(INT64_C(1) << 40 | n);
    case 2: return real_key(n + 0.5);
    case 3: return bytes_key(GKEY_TEXT, buf, (size_t)snprintf(buf, cap, "t%u", n));
    case 4: return bytes_key(GKEY_BLOB, buf, (size_t)snprintf(buf, cap, "b%u", n));
    default: return int_key(-(int64_t)n);
  }
}

static void out_of_memory(void **state) {
  (void)state;
  char buf[32];
  static char bigbuf[100000];
  memset(bigbuf, 'z', sizeof bigbuf);
  long runs = 0;
  for (int mode = 0; mode < 4; mode++) {
    int once = mode & 1;
    unsigned flags = mode & 2 ? GKEYS_IDS_ONLY : 0;
    for (long n = 1;; n++) {
      sqlite3_int64 before = sqlite3_memory_used();
      gkeys k;
      gkeys_init(&k, flags);
      arm(n, once);
      uint32_t done = 0;
      int failed = 0;
      for (; done < OOM_KEYS; done++) {
        uint64_t scope;
        gkey key = oom_key(done, &scope, buf, sizeof buf, bigbuf, sizeof bigbuf);
        uint32_t id = UINT32_MAX, count = gkeys_count(&k);
        int rc = gkeys_intern_scoped(&k, scope, &key, &id);
        if (rc == GKEYS_NOMEM) {
          failed = 1;
          assert_int_equal(gkeys_count(&k), count);  /* nothing half added */
          if (!once) break;
          rc = gkeys_intern_scoped(&k, scope, &key, &id);  /* the failure has passed: try again */
        }
        assert_int_equal(rc, GKEYS_ADDED);
        assert_int_equal(id, done);
      }
      int hit = failures > 0;
      disarm();
      if (hit) assert_true(failed);
      /* whatever was added before the failure is intact, and lookups still work */
      for (uint32_t j = 0; j < done; j++) {
        uint64_t scope;
        gkey key = oom_key(j, &scope, buf, sizeof buf, bigbuf, sizeof bigbuf);
        uint32_t id = UINT32_MAX;
        assert_int_equal(gkeys_intern_scoped(&k, scope, &key, &id), GKEYS_FOUND);
        assert_int_equal(id, j);
        if (flags & GKEYS_IDS_ONLY) continue;
        assert_key(&k, j, key);
        assert_true(gkeys_scope(&k, j) == scope);
      }
      gkeys_free(&k);
      assert_true(sqlite3_memory_used() == before);  /* nothing leaked */
      runs++;
      if (!hit) break;  /* ran to the end without reaching allocation n */
    }
  }
  assert_true(runs > 40);  /* there were that many allocations to fail */
}

/* ---- hash flooding (issue 16 L2) ---- */

static uint64_t mod_inverse(uint64_t c) {  /* c odd: Newton's iteration mod 2^64 */
  uint64_t x = c;
  for (int i = 0; i < 6; i++) x *= 2 - c * x;
  return x;
}

/* The inverse of ghash_mix64 (hash.h): a shift by 33 xors itself back, the products are undone
** by the constants' inverses. So anyone can pick INTEGER ids whose unseeded hashes they like. */
static uint64_t unmix64(uint64_t x) {
  x ^= x >> 33;
  x *= mod_inverse(UINT64_C(0xc4ceb9fe1a85ec53));
  x ^= x >> 33;
  x *= mod_inverse(UINT64_C(0xff51afd7ed558ccd));
  return x ^ (x >> 33);
}

/* n ids whose unseeded hashes all end in 24 zero bits: one bucket in any table under 16M slots. */
static void chosen_ids(int64_t *ids, int n) {
  for (int i = 0; i < n; i++) ids[i] = (int64_t)unmix64((uint64_t)(i + 1) << 24);
}

/* Probes to intern n chosen ids twice (added, then found) under a seed. */
static uint64_t probes_for(const int64_t *ids, int n, uint64_t seed) {
  gkeys k;
  gkeys_init(&k, GKEYS_IDS_ONLY);
  gkeys_seed(&k, seed);
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < n; i++) {
      uint32_t id;
      assert_int_equal(gkeys_int(&k, ids[i], &id), pass ? GKEYS_FOUND : GKEYS_ADDED);
      assert_int_equal(id, (uint32_t)i);
    }
  uint64_t probes = k.probes;
  gkeys_free(&k);
  return probes;
}

static void chosen_ids_do_not_flood_a_seeded_table(void **state) {
  (void)state;
  int64_t *ids = malloc(sizeof *ids * 80000);
  assert_non_null(ids);
  chosen_ids(ids, 80000);
  assert_int_equal(ghash_mix64((uint64_t)ids[7]) & 0xffffff, 0);  /* they collide unseeded */
  /* Unseeded (seed 0) the table is a list: 2000 ids walk about 2000^2 / 2 slots each pass */
  uint64_t flat = probes_for(ids, 2000, 0);
  assert_true(flat > UINT64_C(2000) * 2000 / 2);
  /* Seeded, the same ids spread: a few probes per lookup on average, at 80k ids (6 s unseeded
  ** in the report, about 3.2e9 probes) as at 2k */
  const uint64_t seeds[] = {1, UINT64_C(0x9e3779b97f4a7c15), UINT64_C(0xdeadbeefcafef00d)};
  for (int s = 0; s < 3; s++) {
    assert_true(probes_for(ids, 2000, seeds[s]) < 2 * 2000 * 4);
    assert_true(probes_for(ids, 80000, seeds[s]) < 2 * 80000 * 4);
  }
  free(ids);
}

/* Ids, and so every result, are the same under every seed: numbered by first appearance. */
static void seeds_change_no_ids(void **state) {
  (void)state;
  const uint64_t seeds[] = {0, 42, UINT64_C(0x0123456789abcdef)};
  uint32_t first[4000];
  for (int s = 0; s < 3; s++) {
    gkeys k;
    gkeys_init(&k, 0);
    gkeys_seed(&k, seeds[s]);
    for (int i = 0; i < 4000; i++) {
      /* small and huge integers, reals, text, and scoped keys, with repeats */
      int kind = i % 4, v = (i * 7919) % 1500;
      char buf[32];
      snprintf(buf, sizeof buf, "user-%d", v);
      gkey key = kind == 0 ? int_key(v) : kind == 1 ? int_key(INT64_C(1) << 40 | v) : kind == 2 ? real_key(v + 0.5)
                                                                                                : text_key(buf);
      uint32_t id;
      assert_true(gkeys_intern_scoped(&k, (uint64_t)(i % 3), &key, &id) >= 0);
      if (s == 0) first[i] = id;
      else assert_int_equal(id, first[i]);
    }
    gkeys_free(&k);
  }
}

/* ------------------------------------------------------------------ gkeys_sort_ids */

/* The order gkeys_sort_ids promises, by plain comparison: gkey_cmp, equal keys by id. */
static const gkeys *ref_keys;
static int ref_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  int c = gkeys_cmp(ref_keys, x, y);
  return c ? c : (x > y) - (x < y);
}

static uint64_t sort_rng = 88172645463325252u;
static uint64_t next_rand(void) {
  sort_rng ^= sort_rng << 13;
  sort_rng ^= sort_rng >> 7;
  sort_rng ^= sort_rng << 17;
  return sort_rng;
}

/* A key of one of the shapes the radix passes must get right: UUIDs, long shared prefixes
** (runs that go eight bytes deeper, past the depth limit too), trailing and embedded zero
** bytes (equal when padded), empty text, BLOBs, INTEGERs of both signs, REALs equal to them. */
static gkey random_key(char *buf, size_t cap) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  switch (next_rand() % 10) {
    case 0: return int_key((int64_t)(next_rand() % 2000) - 1000);
    case 1: return int_key((int64_t)next_rand());
    case 2: return real_key((double)((int64_t)(next_rand() % 2000) - 1000) / (next_rand() % 2 ? 1 : 4));
    case 3:
      for (int i = 0; i < 36; i++) buf[n++] = i == 8 || i == 13 || i == 18 || i == 23 ? '-' : hex[next_rand() % 16];
      return bytes_key(GKEY_TEXT, buf, n);
    case 4: { /* customer-00012: a shared prefix longer than eight bytes */
      n = (size_t)snprintf(buf, cap, "customer-%05u", (unsigned)(next_rand() % 3000));
      return bytes_key(GKEY_TEXT, buf, n);
    }
    case 5: { /* 600 equal bytes, then a little: beyond the depth limit */
      memset(buf, 'x', 600);
      n = 600 + next_rand() % 4;
      for (size_t i = 600; i < n; i++) buf[i] = (char)('a' + next_rand() % 4);
      return bytes_key(next_rand() % 4 ? GKEY_TEXT : GKEY_BLOB, buf, n);
    }
    case 6: { /* short, with zero bytes anywhere, often at the end */
      n = next_rand() % 12;
      for (size_t i = 0; i < n; i++) buf[i] = next_rand() % 3 ? 0 : (char)('a' + next_rand() % 2);
      return bytes_key(next_rand() % 2 ? GKEY_TEXT : GKEY_BLOB, buf, n);
    }
    case 7: return bytes_key(GKEY_TEXT, "", 0);
    case 8: { /* bytes above 0x7f sort after ASCII (unsigned, as memcmp) */
      n = 1 + next_rand() % 10;
      for (size_t i = 0; i < n; i++) buf[i] = (char)(next_rand() % 4 == 0 ? 0xe4 : 'a' + next_rand() % 26);
      return bytes_key(GKEY_TEXT, buf, n);
    }
    default: {
      n = 8 + next_rand() % 20;
      for (size_t i = 0; i < n; i++) buf[i] = (char)(next_rand() % 256);
      return bytes_key(GKEY_BLOB, buf, n);
    }
  }
}

/* Tables of random keys, sorted whole and in random subsets, against qsort with ref_cmp. */
static void sort_ids_matches_comparison(void **state) {
  (void)state;
  static char buf[1024];
  for (int round = 0; round < 60; round++) {
    gkeys k;
    gkeys_init(&k, 0);
    /* some tables of one kind only: all TEXT (the UUID case) or all INTEGER */
    int only = round % 3; /* 0 mixed, 1 TEXT, 2 INTEGER */
    size_t want = round < 5 ? (size_t)round : 1 + next_rand() % 5000;
    while (gkeys_count(&k) < want) {
      gkey key = random_key(buf, sizeof buf);
      if (only == 1 && key.type != GKEY_TEXT) continue;
      if (only == 2 && key.type != GKEY_INT) continue;
      uint32_t id;
      assert_true(gkeys_intern(&k, &key, &id) >= 0);
    }
    uint32_t n = gkeys_count(&k);
    uint32_t *ids = malloc(((size_t)n + 1) * sizeof *ids), *want_ids = malloc(((size_t)n + 1) * sizeof *ids);
    size_t m = 0;
    int subset = round % 2;
    for (uint32_t i = 0; i < n; i++)
      if (!subset || next_rand() % 3) ids[m++] = i;
    for (size_t i = m; i > 1; i--) { /* any order in, one order out */
      size_t j = next_rand() % i;
      uint32_t t = ids[i - 1];
      ids[i - 1] = ids[j];
      ids[j] = t;
    }
    memcpy(want_ids, ids, m * sizeof *ids);
    ref_keys = &k;
    qsort(want_ids, m, sizeof *want_ids, ref_cmp);
    assert_int_equal(gkeys_sort_ids(&k, ids, m, NULL), 0);
    for (size_t i = 0; i < m; i++) assert_int_equal(ids[i], want_ids[i]);
    free(ids);
    free(want_ids);
    gkeys_free(&k);
  }
}

static int stop_now(void *ctx) { (void)ctx; return 1; }

/* Out of memory and a stop are reported, never a wrong order passed off as sorted. */
static void sort_ids_refusals(void **state) {
  (void)state;
  char buf[64];
  gkeys k;
  gkeys_init(&k, 0);
  uint32_t ids[3000];
  for (uint32_t i = 0; i < 3000; i++) {
    int n = snprintf(buf, sizeof buf, "%08x-%u", (unsigned)(next_rand() & 0xffffffffu), i);
    gkey key = bytes_key(GKEY_TEXT, buf, (size_t)n);
    assert_int_equal(gkeys_intern(&k, &key, &ids[i]), GKEYS_ADDED);
  }
  arm(1, 1);
  assert_int_equal(gkeys_sort_ids(&k, ids, 3000, NULL), GKEYS_NOMEM);
  disarm();
  gcancel stop = {stop_now, NULL, 0, 0};
  assert_int_equal(gkeys_sort_ids(&k, ids, 3000, &stop), GKEYS_STOPPED);
  assert_int_equal(gkeys_sort_ids(&k, ids, 1, &stop), 0); /* nothing to sort: nothing to stop */
  gkeys_free(&k);
}

/* Look-ahead interning gives the ids gkeys_intern gives, whatever was prefetched; a key too long
** to store is refused without its bytes being read. */
static void intern_hashed_is_intern(void **state) {
  (void)state;
  static char buf[1024], keep[20000][40];
  gkeys a, b;
  gkeys_init(&a, 0);
  gkeys_init(&b, 0);
  gkeys_seed(&a, 12345);
  gkeys_seed(&b, 12345);
  gkey keys[20000];
  for (int i = 0; i < 20000; i++) {
    gkey key = random_key(buf, sizeof buf);
    if (key.type >= GKEY_TEXT) { /* random_key's buffer is reused: keep short keys, skip long ones */
      if (key.len > sizeof keep[i]) key = int_key(i);
      else key.bytes = memcpy(keep[i], key.bytes, key.len);
    }
    keys[i] = key;
  }
  for (int i = 0; i < 20000; i++) {
    uint64_t h = gkeys_hash(&a, &keys[i]);
    assert_int_equal(h, gkeys_hash(&b, &keys[i]));
    for (int stage = 0; stage < 3; stage++)
      if (i + 3 < 20000) gkeys_prefetch(&a, gkeys_hash(&a, &keys[i + 3]), stage);
    uint32_t ia, ib;
    int ra = gkeys_intern_hashed(&a, &keys[i], h, &ia), rb = gkeys_intern(&b, &keys[i], &ib);
    assert_int_equal(ra, rb);
    assert_int_equal(ia, ib);
  }
  gkey huge = bytes_key(GKEY_TEXT, NULL, (size_t)UINT32_MAX);
  uint32_t id;
  assert_int_equal(gkeys_intern_hashed(&a, &huge, gkeys_hash(&a, &huge), &id), GKEYS_FULL);
  gkeys_free(&a);
  gkeys_free(&b);
}

/* ------------------------------------------------------------------ keys kept in their slot */

/* Short TEXT and BLOB keys (up to 16 bytes) and canonical lowercase UUIDs are compared inside
** their hash slot (keys.c packs a UUID's 32 hex digits into 16 bytes). Packing must not merge
** keys: equal iff type and bytes are, whatever shape each key has, and gkeys_get gives back
** the bytes interned. */
static void keys_in_slots(void **state) {
  (void)state;
  gkeys k;
  gkeys_init(&k, 0);
  gkeys_seed(&k, 99);
  const char *lower = "01d21db3-35eb-444c-3a22-f7d844878f05";
  const char *upper = "01D21DB3-35EB-444C-3A22-F7D844878F05";
  uint32_t lo = intern(&k, text_key(lower), 1);
  uint32_t up = intern(&k, text_key(upper), 1); /* uppercase: another key (not packed) */
  assert_int_equal(intern(&k, text_key(lower), 0), lo);
  assert_int_equal(intern(&k, text_key(upper), 0), up);
  assert_key(&k, lo, text_key(lower)); /* the original bytes, not the packed form */
  assert_key(&k, up, text_key(upper));
  /* the same 36 bytes as a BLOB: another key */
  uint32_t bl = intern(&k, bytes_key(GKEY_BLOB, lower, 36), 1);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, lower, 36), 0), bl);
  /* sharing a 16-byte prefix: 16 bytes (kept inline) and 17 (not) are two keys */
  uint32_t p16 = intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmnop", 16), 1);
  uint32_t p17 = intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmnopq", 17), 1);
  uint32_t p15 = intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmno", 15), 1);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmnop", 16), 0), p16);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmnopq", 17), 0), p17);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "abcdefghijklmno", 15), 0), p15);
  assert_key(&k, p16, bytes_key(GKEY_TEXT, "abcdefghijklmnop", 16));
  assert_key(&k, p17, bytes_key(GKEY_TEXT, "abcdefghijklmnopq", 17));
  /* zero padding: "a" and "a\0" (and "a\0\0") are three keys */
  uint32_t a0 = intern(&k, bytes_key(GKEY_TEXT, "a", 1), 1);
  uint32_t a1 = intern(&k, bytes_key(GKEY_TEXT, "a\0", 2), 1);
  uint32_t a2 = intern(&k, bytes_key(GKEY_TEXT, "a\0\0", 3), 1);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, "a\0", 2), 0), a1);
  assert_true(a0 != a1 && a1 != a2);
  /* the all-zero UUID packs to 16 zero bytes: the 16-byte TEXT of zero bytes is another key */
  const char *zero_uuid = "00000000-0000-0000-0000-000000000000";
  static const char zeros[16];
  uint32_t zu = intern(&k, text_key(zero_uuid), 1);
  uint32_t zt = intern(&k, bytes_key(GKEY_TEXT, zeros, 16), 1);
  uint32_t zb = intern(&k, bytes_key(GKEY_BLOB, zeros, 16), 1);
  assert_int_equal(intern(&k, text_key(zero_uuid), 0), zu);
  assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, zeros, 16), 0), zt);
  assert_int_equal(intern(&k, bytes_key(GKEY_BLOB, zeros, 16), 0), zb);
  assert_key(&k, zu, text_key(zero_uuid));
  assert_key(&k, zt, bytes_key(GKEY_TEXT, zeros, 16));
  /* scoped: the same UUID in two scopes is two keys, and neither is the unscoped one */
  uint32_t s1 = intern_in(&k, 1, text_key(lower), 1);
  uint32_t s2 = intern_in(&k, 2, text_key(lower), 1);
  assert_int_equal(intern_in(&k, 1, text_key(lower), 0), s1);
  assert_int_equal(intern_in(&k, 2, text_key(lower), 0), s2);
  assert_int_equal(intern(&k, text_key(lower), 0), lo);
  assert_true(gkeys_scope(&k, s2) == 2);
  assert_int_equal(gkeys_count(&k), 14); /* lo up bl, p16 p17 p15, a0 a1 a2, zu zt zb, s1 s2 */
  /* emptied, then again: the same keys numbered afresh */
  gkeys_free(&k);
  assert_int_equal(intern(&k, text_key(upper), 1), 0);
  assert_int_equal(intern(&k, text_key(lower), 1), 1);
  gkeys_free(&k);
}

/* Every near-miss of a UUID (one character changed, at a digit or a hyphen, into a byte just
** outside or inside 0-9, a-f and '-') interned beside the UUID and the others: as many keys as
** distinct strings, found again with their ids, read back as interned. The expected ids come
** from a plain list of the strings, first appearance first. */
#define NEAR_MAX 1400
static void uuid_near_misses(void **state) {
  (void)state;
  static char str[NEAR_MAX][36];
  static const unsigned char bytes[] = {'/', '0', '9', ':', '@', 'A', 'F', 'G', '`', 'a', 'f', 'g', '-', 0x80, 0xff, 0};
  const char *base = "9e3779b9-7f4a-7c15-0123-456789abcdef";
  size_t n = 0;
  memcpy(str[n++], base, 36);
  for (int pos = 0; pos < 36; pos++)
    for (size_t b = 0; b < sizeof bytes; b++) {
      memcpy(str[n], base, 36);
      str[n][pos] = (char)bytes[b];
      n++;
    }
  assert_true(n <= NEAR_MAX);
  gkeys k;
  gkeys_init(&k, 0);
  gkeys_seed(&k, 7);
  static uint32_t want[NEAR_MAX];
  uint32_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    size_t j = 0;
    while (j < i && memcmp(str[j], str[i], 36) != 0) j++;
    want[i] = j < i ? want[j] : distinct++;
    uint32_t id = UINT32_MAX;
    int rc = gkeys_intern(&k, &(gkey){.type = GKEY_TEXT, .bytes = str[i], .len = 36}, &id);
    assert_int_equal(rc, j < i ? GKEYS_FOUND : GKEYS_ADDED);
    assert_int_equal(id, want[i]);
  }
  assert_int_equal(gkeys_count(&k), distinct);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(intern(&k, bytes_key(GKEY_TEXT, str[i], 36), 0), want[i]);
    assert_key(&k, want[i], bytes_key(GKEY_TEXT, str[i], 36));
  }
  gkeys_free(&k);
}

/* Many UUIDs (through growth of the table), their uppercase twins, and look-ahead interning of
** them: lowercase ones found again, each twin a key of its own. */
static void many_uuids(void **state) {
  (void)state;
  enum { N = 50000 };
  static char lower[N][37], upper[N][37];
  uint64_t x = 88172645463325252u;
  for (int i = 0; i < N; i++) {
    uint64_t w[2];
    for (int h = 0; h < 2; h++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      w[h] = x;
    }
    snprintf(lower[i], sizeof lower[i], "%08x-%04x-%04x-%04x-%012llx", (unsigned)(w[0] >> 32),
             (unsigned)(w[0] >> 16 & 0xffff), (unsigned)(w[0] & 0xffff), (unsigned)(w[1] >> 48),
             (unsigned long long)(w[1] & 0xffffffffffffu));
    for (int c = 0; c < 37; c++)
      upper[i][c] = (char)(lower[i][c] >= 'a' && lower[i][c] <= 'f' ? lower[i][c] - 32 : lower[i][c]);
  }
  gkeys a, b;
  gkeys_init(&a, 0);
  gkeys_init(&b, GKEYS_IDS_ONLY);
  gkeys_seed(&a, 3);
  gkeys_seed(&b, 3);
  for (int i = 0; i < N; i++) assert_int_equal(intern(&a, text_key(lower[i]), 1), (uint32_t)i);
  for (int i = 0; i < N; i++) {
    gkey key = text_key(lower[i]);
    uint64_t h = gkeys_hash(&a, &key);
    if (i + 4 < N) {
      gkey next = text_key(lower[i + 4]);
      gkeys_prefetch(&a, gkeys_hash(&a, &next), i % 3);
    }
    uint32_t id;
    assert_int_equal(gkeys_intern_hashed(&a, &key, h, &id), GKEYS_FOUND);
    assert_int_equal(id, (uint32_t)i);
  }
  int twins = 0; /* a UUID of digits only has no uppercase twin */
  for (int i = 0; i < N; i++) {
    if (strcmp(lower[i], upper[i]) == 0) continue;
    assert_int_equal(intern(&a, text_key(upper[i]), 1), (uint32_t)(N + twins));
    twins++;
  }
  assert_true(twins > N - 10);
  for (int i = 0; i < N; i += 97) {
    assert_int_equal(intern(&a, text_key(lower[i]), 0), (uint32_t)i);
    assert_key(&a, (uint32_t)i, text_key(lower[i]));
  }
  /* GKEYS_IDS_ONLY numbers them the same */
  for (int i = 0; i < N; i++) assert_int_equal(intern(&b, text_key(lower[i]), 1), (uint32_t)i);
  for (int i = 0; i < N; i++) assert_int_equal(intern(&b, text_key(lower[i]), 0), (uint32_t)i);
  gkeys_free(&a);
  gkeys_free(&b);
}

/* gkeys_intern_prepared (the packed form kept from gkeys_hash_key) gives what gkeys_intern gives,
** over numbers, short and long TEXT, BLOBs, UUIDs and their uppercase twins; its hash is
** gkeys_hash's; a key too long to store is refused. */
static void intern_prepared_is_intern(void **state) {
  (void)state;
  static char buf[1024], keep[6000][40];
  gkeys a, b;
  gkeys_init(&a, 0);
  gkeys_init(&b, 0);
  gkeys_seed(&a, 777);
  gkeys_seed(&b, 777);
  static gkey keys[6000];
  for (int i = 0; i < 6000; i++) {
    gkey key;
    if (i % 3 == 0) { /* a UUID, lowercase or (every other time) uppercase, from a few hundred */
      int u = (i / 3) % 400;
      snprintf(keep[i], sizeof keep[i], i % 2 ? "%08X-0000-4000-8000-%012X" : "%08x-0000-4000-8000-%012x",
               (unsigned)(u * 2654435761u), (unsigned)u * 40503u);
      key = text_key(keep[i]);
    } else {
      key = random_key(buf, sizeof buf);
      if (key.type >= GKEY_TEXT) {
        if (key.len > sizeof keep[i]) key = int_key(i);
        else key.bytes = memcpy(keep[i], key.bytes, key.len);
      }
    }
    keys[i] = key;
  }
  for (int i = 0; i < 6000; i++) {
    gkeys_hashed hk;
    gkeys_hash_key(&a, &keys[i], &hk);
    assert_true(hk.hash == gkeys_hash(&a, &keys[i]));
    uint32_t ia, ib;
    int ra = gkeys_intern_prepared(&a, &keys[i], &hk, &ia), rb = gkeys_intern(&b, &keys[i], &ib);
    assert_int_equal(ra, rb);
    assert_int_equal(ia, ib);
  }
  gkey huge = bytes_key(GKEY_TEXT, NULL, (size_t)UINT32_MAX);
  gkeys_hashed hk;
  uint32_t id;
  gkeys_hash_key(&a, &huge, &hk);
  assert_int_equal(gkeys_intern_prepared(&a, &huge, &hk, &id), GKEYS_FULL);
  gkeys_free(&a);
  gkeys_free(&b);
}

/* Pushes a copy of the key from a buffer that is overwritten at once, as SQLite's text lasts only
** for its row: the queue must hold its own copy. */
static int push_from_scratch(gkeys_ahead *q, const gkey *k, size_t row) {
  static char scratch[64];
  gkey copy = *k;
  if (k->type >= GKEY_TEXT) {
    assert_true(k->len <= sizeof scratch);
    copy.bytes = memcpy(scratch, k->bytes, k->len);
  }
  int took = gkeys_ahead_push(q, &copy, row);
  memset(scratch, '?', sizeof scratch);
  return took;
}

/* gkeys_ahead, as rfm and clv walk it: rows of a batch in order, INTEGER ones interned directly
** and the others queued, the queue resolved whenever it is full (by count or by bytes), and a
** key too long for it interned at once after the rows before it. Every row gets the id that
** interning row by row gives (ids number keys in order of first appearance: row 0's key is 0). */
static void ahead_queue_numbers_as_row_by_row(void **state) {
  (void)state;
  enum { ROWS = 5000 };
  static char text[ROWS][48];
  static char longkey[GKEYS_AHEAD_BYTES + 1];
  memset(longkey, 'x', sizeof longkey);
  static gkey row_key[ROWS];
  for (int i = 0; i < ROWS; i++) {
    if (i % 5 == 0) row_key[i] = int_key(i % 700);
    else if (i % 5 == 1) row_key[i] = real_key(0.5 + i % 300);
    else if (i == 2222) row_key[i] = bytes_key(GKEY_TEXT, longkey, sizeof longkey); /* never queued */
    else {
      /* UUIDs and short TEXT from a few hundred, so most rows find their key */
      if (i % 2) snprintf(text[i], sizeof text[i], "%08x-0000-4000-8000-%012x", (unsigned)(i % 900) * 7919u, i % 900);
      else snprintf(text[i], sizeof text[i], "k%d", i % 450);
      row_key[i] = text_key(text[i]);
    }
  }
  row_key[0] = text_key("first");
  gkeys a, b;
  gkeys_init(&a, 0);
  gkeys_init(&b, 0);
  static unsigned char mem[GKEYS_AHEAD_MEM];
  gkeys_ahead q;
  gkeys_ahead_init(&q, mem);
  static uint32_t id[ROWS];
  size_t resolved = 0, resolves = 0;
  for (size_t i = 0; i <= ROWS; i++) {
    int full = 0, direct = 0;
    if (i < ROWS && row_key[i].type != GKEY_INT) {
      if (!gkeys_ahead_takes(&row_key[i])) direct = 1;
      else if (!push_from_scratch(&q, &row_key[i], i)) full = 1;
    }
    if (i == ROWS || full || direct) { /* resolve the rows before i */
      gkeys_ahead_begin(&a, &q);
      for (size_t r = resolved; r < i; r++) {
        int got = gkeys_ahead_is_next(&q, r) ? gkeys_ahead_intern_next(&a, &q, &id[r]) : -100;
        if (got == -100) {
          assert_int_equal(row_key[r].type, GKEY_INT);
          got = gkeys_int(&a, row_key[r].i, &id[r]);
        }
        assert_true(got == GKEYS_FOUND || got == GKEYS_ADDED);
      }
      gkeys_ahead_clear(&q);
      resolved = i;
      resolves++;
      if (full) assert_int_equal(push_from_scratch(&q, &row_key[i], i), 1); /* an empty queue takes it */
      if (direct) {
        assert_int_equal(gkeys_intern(&a, &row_key[i], &id[i]), GKEYS_ADDED);
        resolved = i + 1;
      }
    }
  }
  assert_true(resolves > 7); /* 3,999 queued rows over 512 a time, and the long key */
  assert_int_equal(id[0], 0);
  for (size_t i = 0; i < ROWS; i++) {
    uint32_t want;
    assert_true(gkeys_intern(&b, &row_key[i], &want) >= 0);
    assert_int_equal(id[i], want);
  }
  gkeys_free(&a);
  gkeys_free(&b);
}

/* gkeys_ahead_repeats_last: the previous row's TEXT or BLOB key again, by type and bytes (TEXT
** 'k' and BLOB x'6b' are two keys; so are TEXT '' and BLOB x''); never a number or an empty queue. */
static void ahead_repeats_last(void **state) {
  (void)state;
  static unsigned char mem[GKEYS_AHEAD_MEM];
  gkeys_ahead q;
  gkeys_ahead_init(&q, mem);
  gkey k = text_key("k"), kb = bytes_key(GKEY_BLOB, "k", 1), kk = text_key("kk"), r = real_key(2.5);
  gkey empty_text = bytes_key(GKEY_TEXT, "", 0), empty_blob = bytes_key(GKEY_BLOB, "", 0);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &k), 0);
  assert_int_equal(gkeys_ahead_push(&q, &k, 0), 1);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &k), 1);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &kb), 0);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &kk), 0);
  assert_int_equal(gkeys_ahead_push(&q, &r, 1), 1);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &r), 0);
  assert_int_equal(gkeys_ahead_push(&q, &empty_text, 2), 1);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &empty_text), 1);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &empty_blob), 0);
  gkeys_ahead_clear(&q);
  assert_int_equal(gkeys_ahead_repeats_last(&q, &empty_text), 0);
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(integers),
    cmocka_unit_test(direct_array_policy),
    cmocka_unit_test(reals),
    cmocka_unit_test(text_and_blobs),
    cmocka_unit_test(ordering_numbers),
    cmocka_unit_test(scopes),
    cmocka_unit_test(ids_only),
    cmocka_unit_test(a_million_keys),
    cmocka_unit_test(out_of_memory),
    cmocka_unit_test(chosen_ids_do_not_flood_a_seeded_table),
    cmocka_unit_test(seeds_change_no_ids),
    cmocka_unit_test(sort_ids_matches_comparison),
    cmocka_unit_test(sort_ids_refusals),
    cmocka_unit_test(intern_hashed_is_intern),
    cmocka_unit_test(keys_in_slots),
    cmocka_unit_test(uuid_near_misses),
    cmocka_unit_test(many_uuids),
    cmocka_unit_test(intern_prepared_is_intern),
    cmocka_unit_test(ahead_queue_numbers_as_row_by_row),
    cmocka_unit_test(ahead_repeats_last),
  };
  return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
