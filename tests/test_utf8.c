/*
** test_utf8.c: error texts quote long values cut short, and cut them on character boundaries
** (ext/utf8.h). A cut inside a multi-byte character leaves bytes that are not UTF-8, and
** Python's sqlite3 then raises UnicodeDecodeError instead of showing the message (issue 16 L6).
**
** - gutf8_prefix and gutf8_complete on hand-made byte strings;
** - every message that cuts a value (garg_describe's 57 bytes, options' 512-byte buffer, a
**   promotion rule's unknown type, tier field, unknown field and quoted amount), over values of 3-byte characters shifted by
**   0, 1 and 2 ASCII bytes so that every alignment of the cut is met: each message is valid
**   UTF-8 (checked byte by byte below).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sqlite_glue.h"
#include "utf8.h"

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

/* 1 when s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
static int valid_utf8(const unsigned char *s) {
  while (*s) {
    unsigned c = *s;
    int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4)) return 0;
    unsigned cp = n == 0 ? c : c & (0x3F >> n);
    for (int i = 1; i <= n; i++) {
      if ((s[i] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    s += n + 1;
  }
  return 1;
}

static void cuts_on_boundaries(void **state) {
  (void)state;
  const char *s = "ab\xe4\xb8\xad\xe6\x96\x87";  /* "ab中文": 2 + 3 + 3 bytes */
  assert_int_equal(gutf8_prefix(s, 8, 8), 8);   /* short enough: whole */
  assert_int_equal(gutf8_prefix(s, 8, 2), 2);   /* the boundary before 中 */
  assert_int_equal(gutf8_prefix(s, 8, 3), 2);   /* inside 中: back to its start */
  assert_int_equal(gutf8_prefix(s, 8, 4), 2);
  assert_int_equal(gutf8_prefix(s, 8, 5), 5);   /* after 中 */
  assert_int_equal(gutf8_prefix(s, 8, 7), 5);
  assert_int_equal(gutf8_complete(s, 8), 8);    /* ends after 文 */
  assert_int_equal(gutf8_complete(s, 7), 5);    /* 文 cut after 2 of its 3 bytes */
  assert_int_equal(gutf8_complete(s, 6), 5);
  assert_int_equal(gutf8_complete(s, 5), 5);
  assert_int_equal(gutf8_complete(s, 2), 2);
  assert_int_equal(gutf8_complete(s, 0), 0);
  assert_true(valid_utf8((const unsigned char *)s));
  assert_false(valid_utf8((const unsigned char *)"ab\xe4\xb8"));
}

static const char *error_of(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    sqlite3_finalize(st);
  }
  if (rc == SQLITE_OK || rc == SQLITE_DONE) fail_msg("no error from %s", sql);
  return sqlite3_errmsg(db);
}

static void messages_are_valid_utf8(void **state) {
  (void)state;
  sqlite3 *db;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_growth_init(db, NULL, NULL), SQLITE_OK);
  /* each %s is a run of 中 (3 bytes) after 0, 1 or 2 ASCII bytes, as long as the message needs */
  static const char *const shapes[] = {
    "SELECT date_bucket('%s', 'day')",                           /* garg_describe: 57 bytes */
    "SELECT date_bucket('2024-01-01', 'day', '%s=1')",           /* options: unknown key, 512 bytes */
    "SELECT date_bucket('2024-01-01', 'week', 'week_start=%s')", /* options: bad choice */
    "SELECT promo_price(100, 1, '{\"type\":\"%s\"}')",           /* rule: unknown type, 40 bytes */
    "SELECT promo_price(100, 2, '{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":2,\"rate\":0.9,\"%s\":1}]}')",
    "SELECT promo_price(100, 1, '{\"type\":\"reduce\",\"amount\":\"%s\"}')",       /* a bad amount, quoted */
    "SELECT promo_price(100, 1, '{\"type\":\"discount\",\"rate\":0.9,\"%s\":1}')", /* an unknown field's path */
  };
  int checked = 0;
  for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++)
    for (int shift = 0; shift < 3; shift++) {
      char value[1200];
      size_t at = 0;
      for (int i = 0; i < shift; i++) value[at++] = 'x';
      while (at + 3 < 900) { memcpy(value + at, "\xe4\xb8\xad", 3); at += 3; }
      value[at] = 0;
      char *sql = sqlite3_mprintf(shapes[k], value);
      const char *msg = error_of(db, sql);
      if (!valid_utf8((const unsigned char *)msg)) fail_msg("not UTF-8: %s\n  -> %s", sql, msg);
      /* the message was cut: it is not the whole value */
      assert_null(strstr(msg, value));
      sqlite3_free(sql);
      checked++;
    }
  assert_int_equal(checked, 21);
  sqlite3_close(db);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(cuts_on_boundaries),
    cmocka_unit_test(messages_are_valid_utf8),
  };
  return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
