/*
** test_intset.c: the distinct-value sets of ext/intset.c (rfm's orders and days), driven
** directly: one- and two-word elements, duplicates found across many in-place doublings,
** elements that collide in the table, the growth's memory, and out of memory.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "intset.h"
#include "failing_alloc.h"

static int add(gintset *s, uint64_t a, uint64_t b) {
  int added = -1;
  assert_int_equal(gintset_add(s, a, b, &added), 0);
  return added;
}

/* 300k elements pass through nine doublings (1024 slots at 70% -> 524288): each is new once,
** then found, whatever the seed; the count is exact and the table at most 70% full. */
static void one_word(void **state) {
  (void)state;
  const uint64_t seeds[] = {0, 99, UINT64_C(0x8badf00ddeadc0de)};
  for (int k = 0; k < 3; k++) {
    gintset s;
    gintset_init(&s, 1, seeds[k]);
    for (uint64_t i = 1; i <= 300000; i++) assert_int_equal(add(&s, i * 2654435761u, 0), 1);
    for (uint64_t i = 1; i <= 300000; i++) assert_int_equal(add(&s, i * 2654435761u, 12345), 0);  /* b ignored */
    assert_int_equal(add(&s, 7, 0), 1);  /* 7 is no multiple of 2654435761 in range */
    assert_int_equal(s.count, 300001);
    assert_int_equal(s.nslots, 524288);
    assert_true(s.count * 10 <= s.nslots * 7);
    gintset_free(&s);
    assert_int_equal(s.count, 0);
    assert_int_equal(s.words, 1);
    assert_int_equal(add(&s, 7, 0), 1);  /* usable again after free */
    gintset_free(&s);
  }
}

/* Two words: (customer, order) pairs where many share a customer or an order. */
static void two_words(void **state) {
  (void)state;
  gintset s;
  gintset_init(&s, 2, 42);
  for (uint64_t c = 1; c <= 500; c++)
    for (uint64_t o = 0; o < 400; o++) assert_int_equal(add(&s, c, o), 1);
  for (uint64_t c = 1; c <= 500; c++)
    for (uint64_t o = 0; o < 400; o += 7) assert_int_equal(add(&s, c, o), 0);
  assert_int_equal(add(&s, 501, 0), 1);
  assert_int_equal(add(&s, 1, 400), 1);
  assert_int_equal(s.count, 500 * 400 + 2);
  /* 16 bytes a slot: 200002 elements in 524288 slots = 41.9 bytes each (at most 46) */
  assert_int_equal(s.nslots, 524288);
  gintset_free(&s);
}

/* Elements that all land in one run of slots (multiples of the table size, unseeded and hashed
** by a bijection: distinct hashes, so an equal low part is only a shared bucket) are still told
** apart, and growth keeps every one. */
static void crowded_runs(void **state) {
  (void)state;
  gintset s;
  gintset_init(&s, 1, 0);
  for (uint64_t i = 1; i <= 5000; i++) assert_int_equal(add(&s, i << 40, 0), 1);
  for (uint64_t i = 1; i <= 5000; i++) assert_int_equal(add(&s, i << 40, 0), 0);
  assert_int_equal(s.count, 5000);
  gintset_free(&s);
}

/* Out of memory while growing: -1, and the set is unchanged and still usable. */
static void out_of_memory(void **state) {
  (void)state;
  gintset s;
  gintset_init(&s, 2, 5);
  int added;
  arm(1, 0);
  assert_int_equal(gintset_add(&s, 1, 1, &added), -1);  /* the first table cannot be made */
  disarm();
  assert_int_equal(s.count, 0);
  for (uint64_t i = 1; i <= 716; i++) assert_int_equal(add(&s, i, i), 1);  /* 716 = 70% of 1024 */
  arm(1, 0);
  assert_int_equal(gintset_add(&s, 717, 717, &added), -1);  /* the doubling fails */
  disarm();
  assert_int_equal(s.count, 716);
  assert_int_equal(s.nslots, 1024);
  for (uint64_t i = 1; i <= 716; i++) assert_int_equal(add(&s, i, i), 0);
  assert_int_equal(add(&s, 717, 717), 1);
  gintset_free(&s);
}

int main(void) {
  if (failing_alloc_install() != 0) return 1;
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(one_word), cmocka_unit_test(two_words), cmocka_unit_test(crowded_runs),
    cmocka_unit_test(out_of_memory),
  };
  return cmocka_run_group_tests_name("intset", tests, NULL, NULL);
}
