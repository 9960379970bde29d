/*
** fuzz_promo_data.c: libFuzzer target for promo_apply and promo_check over fuzzer-built DATA:
** the rows of a promotions table and a cart table, not only argument values (fuzz_sql) or one
** rule's text (fuzz_promo_rule). Each input becomes a fresh pair of tables:
**
**   byte 0            number of promotions (0..10)
**   per promotion     template, two parameters, skus form, flags (priority, id, types)
**   next byte         number of cart lines (0..63)
**   per line          order, sku, qty, unit_price, cost (each one byte, picked from tables of
**                     ordinary and extreme values; a few bytes give NULL, BLOB, INTEGER skus)
**   last byte         options (scale, rounding, at=, costs=, min_margin=)
**
** then runs promo_apply(cart, promotions) and promo_check(promotions). Properties: no crash,
** sanitizer report or leak; an error has a message that names the function; every
** promo_apply row has 0 <= final_cents and discounts >= 0; per order, the rows' final_cents add
** up to what the lines list minus the discounts (every cent accounted for).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"

static sqlite3 *db;

typedef struct reader { const uint8_t *p; size_t n; } reader;
static unsigned take8(reader *r) { if (!r->n) return 0; r->n--; return *r->p++; }

/* Money as JSON text: ordinary amounts, zero, and values near the int64 limit in cents. */
static const char *money(unsigned p, char *buf, size_t n) {
  switch (p % 16) {
    case 0: return "0";
    case 1: return "92233720368547758";    /* INT64_MAX cents, as units */
    case 2: return "50000000000000000";    /* two of these overflow */
    case 3: return "\"19.99\"";
    case 4: return "0.01";
    default: snprintf(buf, n, "%u", (p * 37) % 1000); return buf;
  }
}

static const char *rate(unsigned p) {
  static const char *const r[] = {"0", "0.5", "0.8", "0.95", "1", "0.333333", "\"0.75\"", "0.999999"};
  return r[p % 8];
}

/* One rule from a template and two parameter bytes (templates cover every type and scope). */
static char *rule_text(unsigned t, unsigned a, unsigned b, reader *r) {
  char m1[32], m2[32], m3[32];
  const char *scope = b & 0x80 ? ",\"scope\":\"group\"" : "";
  char sku[2] = {(char)('A' + b % 8), 0};
  switch (t % 16) {
    case 0: return sqlite3_mprintf("{\"type\":\"discount\",\"rate\":%s%s}", rate(a), scope);
    case 1:
      return sqlite3_mprintf("{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":%u,\"rate\":%s},{\"qty\":%u,\"rate\":%s}]%s%s}",
                             1 + a % 3, rate(b), 4 + a % 5, rate(b / 8), scope, a & 0x40 ? ",\"mode\":\"graduated\"" : "");
    case 2: return sqlite3_mprintf("{\"type\":\"special_price\",\"price\":%s}", money(a, m1, sizeof m1));
    case 3: return sqlite3_mprintf("{\"type\":\"reduce\",\"amount\":%s}", money(a, m1, sizeof m1));
    case 4:
      return sqlite3_mprintf("{\"type\":\"threshold_off\",\"threshold\":%s,\"off\":%s%s%s}", money(a | 1, m1, sizeof m1),
                             money(b, m2, sizeof m2), a & 0x40 ? ",\"repeat\":true" : "", scope);
    case 5:
      return sqlite3_mprintf("{\"type\":\"tiered_threshold_off\",\"tiers\":[{\"threshold\":%u,\"off\":%s},{\"threshold\":%u,\"off\":%s}]%s}",
                             a % 100, money(b, m1, sizeof m1), 100 + a, money(b / 4, m2, sizeof m2), scope);
    case 6:
      return sqlite3_mprintf("{\"type\":\"add_on\",\"threshold\":%s,\"sku\":\"%s\",\"price\":%s,\"limit\":%u%s}",
                             money(a, m1, sizeof m1), sku, money(b / 2, m2, sizeof m2), 1 + a % 4, scope);
    case 7:
      return sqlite3_mprintf("{\"type\":\"exchange\",\"threshold\":%s,\"sku\":\"%s\",\"qty\":%u,\"list\":%s,\"cost\":%s%s}",
                             money(a, m1, sizeof m1), sku, 1 + a % 3, money(b, m2, sizeof m2), money(a ^ b, m3, sizeof m3), scope);
    case 8:
      return sqlite3_mprintf("{\"type\":\"flash_sale\",\"price\":%s,\"stock\":%u,\"per_order_limit\":%u}", money(a, m1, sizeof m1),
                             b % 5, 1 + b % 3);
    case 9:
      return sqlite3_mprintf("{\"type\":\"buy_x_get_y\",\"buy\":%u,\"get\":%u,\"rate\":%s%s}", 1 + a % 3, 1 + b % 2, rate(a / 4), scope);
    case 10: return sqlite3_mprintf("{\"type\":\"bundle_price\",\"qty\":%u,\"price\":%s%s}", 1 + a % 4, money(b, m1, sizeof m1), scope);
    case 11:
      return sqlite3_mprintf("{\"type\":\"coupon\",\"threshold\":%s,\"off\":%s}", money(a, m1, sizeof m1), money(b, m2, sizeof m2));
    case 12: return sqlite3_mprintf("{\"type\":\"coupon\",\"threshold\":0,\"rate\":%s,\"cap\":%s}", rate(a), money(b, m1, sizeof m1));
    case 13:
      return sqlite3_mprintf("{\"type\":\"discount\",\"rate\":%s,\"starts_at\":\"2024-06-0%u\",\"ends_at\":\"2024-06-0%u\"%s}",
                             rate(a), 1 + a % 4, 5 + b % 4, b & 1 ? ",\"audience\":\"new\"" : "");
    default: {
      /* raw text from the input: whatever the fuzzer makes of a rule */
      size_t len = a % 64;
      if (len > r->n) len = r->n;
      char *s = sqlite3_mprintf("%.*s", (int)len, (const char *)r->p);
      r->p += len;
      r->n -= len;
      return s;
    }
  }
}

static int exec(const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  db = harness_open();
  if (!db) abort();
  if (exec("CREATE TABLE fz_cart(order_id, line_id, sku, qty, unit_price, cost, is_new, at);"
           "CREATE TABLE fz_promos(promo_id, rule, skus, priority);"
           "CREATE TABLE fz_costs(sku, cost, price);"
           "INSERT INTO fz_costs VALUES ('A', 50, 100), ('B', 1, NULL), ('C', 99999999999, 5), (NULL, 1, 1);") != SQLITE_OK)
    abort();
  return 0;
}

/* Runs sql; checks the error text on failure. Returns the statement's rows via the callback. */
static void run(const char *sql, const char *fn, void (*row)(sqlite3_stmt *, void *), void *ctx) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) abort();
  int rc, rows = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    rows++;
    if (row) row(st, ctx);
  }
  if (getenv("FUZZ_PROMO_TRACE"))  /* what an input did, to write seeds that reach the pricing */
    fprintf(stderr, "fuzz_promo_data: %s: %d rows, %s\n", sql, rows, rc == SQLITE_DONE ? "done" : sqlite3_errmsg(db));
  if (rc != SQLITE_DONE) {
    const char *msg = sqlite3_errmsg(db);
    /* an error names the function, except out of memory and SQLite's own limits */
    if (!msg || (rc == SQLITE_ERROR && strncmp(msg, fn, strlen(fn)) != 0)) {
      fprintf(stderr, "fuzz_promo_data: %s: %s\n", sql, msg ? msg : "(no message)");
      abort();
    }
  }
  sqlite3_finalize(st);
}

static void apply_row(sqlite3_stmt *st, void *ctx) {
  (void)ctx;
  /* columns: final_cents, discount, coupon_discount */
  if (sqlite3_column_int64(st, 0) < 0 || sqlite3_column_double(st, 1) < 0 || sqlite3_column_double(st, 2) < 0) abort();
}

static void balance_row(sqlite3_stmt *st, void *ctx) {
  (void)ctx;
  /* an order's rows: sum(final_cents) against round(sum(list - discount - coupon) * 10^scale) */
  if (sqlite3_column_int(st, 0) != 0) {
    fprintf(stderr, "fuzz_promo_data: order %lld does not add up\n", (long long)sqlite3_column_int64(st, 1));
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  reader r = {data, size};
  if (exec("DELETE FROM fz_cart; DELETE FROM fz_promos;") != SQLITE_OK) abort();
  sqlite3_stmt *ip = NULL, *ic = NULL;
  if (sqlite3_prepare_v2(db, "INSERT INTO fz_promos VALUES (?1, ?2, ?3, ?4)", -1, &ip, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO fz_cart VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &ic, NULL) != SQLITE_OK)
    abort();
  unsigned npromos = take8(&r) % 11;
  for (unsigned i = 0; i < npromos; i++) {
    unsigned t = take8(&r), a = take8(&r), b = take8(&r), sk = take8(&r), fl = take8(&r);
    char id[16];
    snprintf(id, sizeof id, "P%u", fl & 0x10 ? 0 : i);  /* 0x10: the same id as P0 */
    if (fl & 0x20) sqlite3_bind_blob(ip, 1, id, (int)strlen(id), SQLITE_TRANSIENT);
    else sqlite3_bind_text(ip, 1, id, -1, SQLITE_TRANSIENT);
    char *rule = rule_text(t, a, b, &r);
    if (!rule) abort();
    if (fl & 0x40) sqlite3_bind_blob(ip, 2, rule, (int)strlen(rule), SQLITE_TRANSIENT);
    else sqlite3_bind_text(ip, 2, rule, -1, SQLITE_TRANSIENT);
    sqlite3_free(rule);
    char skus[64];
    switch (sk % 8) {
      case 0: sqlite3_bind_null(ip, 3); break;
      case 1: sqlite3_bind_text(ip, 3, "[]", -1, SQLITE_STATIC); break;
      case 6: sqlite3_bind_text(ip, 3, (sk & 8) ? "[1, \"A\"]" : "not json", -1, SQLITE_STATIC); break;
      case 7: sqlite3_bind_blob(ip, 3, "[\"A\"]", 5, SQLITE_STATIC); break;
      default: {
        /* 1..4 skus from A..H, neighbours of the first (sometimes repeated) */
        int k = (int)(sk % 8) - 1, o = 0;
        o += snprintf(skus + o, sizeof skus - (size_t)o, "[");
        for (int j = 0; j < k; j++)
          o += snprintf(skus + o, sizeof skus - (size_t)o, "%s\"%c\"", j ? "," : "", 'A' + (int)((sk / 8 + (unsigned)j * (1 + (sk >> 7))) % 8));
        snprintf(skus + o, sizeof skus - (size_t)o, "]");
        sqlite3_bind_text(ip, 3, skus, -1, SQLITE_TRANSIENT);
      }
    }
    if (fl & 0x80) sqlite3_bind_text(ip, 4, "high", -1, SQLITE_STATIC);
    else sqlite3_bind_int(ip, 4, (int)(fl % 4));
    if (sqlite3_step(ip) != SQLITE_DONE) abort();
    sqlite3_reset(ip);
  }
  static const int64_t qtys[] = {1, 1, 2, 3, 1, 5, 10, 1000000, 0, INT64_C(1) << 40};
  static const char *const prices[] = {"100", "0", "19.99", "0.01", "250", "99.5", "1000", "33.33", "7", "120",
                                       "50000000000000000", "92233720368547758", "-1", "1e400", "x", "4611686018427387.9"};
  unsigned nlines = take8(&r) % 64;
  for (unsigned i = 0; i < nlines; i++) {
    unsigned o = take8(&r), s = take8(&r), q = take8(&r), p = take8(&r), c = take8(&r);
    sqlite3_bind_int(ic, 1, (int)(o % 4));
    sqlite3_bind_int(ic, 2, (int)(o & 0x80 ? i - 1 : i));  /* 0x80: the previous line's id again */
    char sku[2] = {(char)('A' + s % 8), 0};
    if (s >= 0xFC) sqlite3_bind_null(ic, 3);
    else if (s >= 0xF8) sqlite3_bind_blob(ic, 3, sku, 1, SQLITE_TRANSIENT);
    else if (s >= 0xF4) sqlite3_bind_int(ic, 3, (int)(s % 8));
    else sqlite3_bind_text(ic, 3, sku, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ic, 4, qtys[q % 10]);
    if (p & 0x80) sqlite3_bind_int(ic, 5, (int)(p & 0x7F) * 7);
    else sqlite3_bind_text(ic, 5, prices[p % 16], -1, SQLITE_STATIC);
    if (c % 4 == 0) sqlite3_bind_null(ic, 6);
    else sqlite3_bind_int64(ic, 6, c % 4 == 3 ? INT64_C(92233720368547758) : (int64_t)c);
    sqlite3_bind_int(ic, 7, (int)(c >> 7));
    if (c & 0x40) sqlite3_bind_text(ic, 8, "2024-06-03 12:00:00", -1, SQLITE_STATIC);
    else sqlite3_bind_null(ic, 8);
    if (sqlite3_step(ic) != SQLITE_DONE) abort();
    sqlite3_reset(ic);
  }
  sqlite3_finalize(ip);
  sqlite3_finalize(ic);
  unsigned opt = take8(&r);
  static const char *const apply_opts[] = {"", "scale=0", "rounding=down", "at=2024-06-02", "scale=3, rounding=half_even"};
  static const char *const check_opts[] = {"", "costs=fz_costs", "costs=fz_costs, min_margin=0.25", "scale=0", "costs=fz_costs, scale=3"};
  const char *ao = apply_opts[opt % 5], *co = check_opts[(opt / 5) % 5];
  char *sql = sqlite3_mprintf("SELECT final_cents, discount, coupon_discount FROM promo_apply('fz_cart', 'fz_promos', %Q)", ao);
  run(sql, "promo_apply", apply_row, NULL);
  sqlite3_free(sql);
  /* Every cent accounted for: per order, the rows' final_cents equal list - discount - coupon
  ** in minor units (each REAL column is an exact number of minor units at this scale). */
  int scale = strstr(ao, "scale=0") ? 0 : strstr(ao, "scale=3") ? 3 : 2;
  sql = sqlite3_mprintf(
    "SELECT sum(final_cents) != sum(CAST(round(list_amount * %d) AS INTEGER) - CAST(round(discount * %d) AS INTEGER)"
    " - CAST(round(coupon_discount * %d) AS INTEGER)), order_id FROM promo_apply('fz_cart', 'fz_promos', %Q)"
    " WHERE abs(list_amount) < 1e13 GROUP BY order_id",
    scale == 0 ? 1 : scale == 3 ? 1000 : 100, scale == 0 ? 1 : scale == 3 ? 1000 : 100,
    scale == 0 ? 1 : scale == 3 ? 1000 : 100, ao);
  run(sql, "promo_apply", balance_row, NULL);
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT * FROM promo_check('fz_promos', %Q)", co);
  run(sql, "promo_check", NULL, NULL);
  sqlite3_free(sql);
  return 0;
}
