/*
** fuzz_sql.c: calls every SQL function and table-valued function the extension registers,
** with argument types and values chosen by the fuzzer. The list comes from
** pragma_function_list / pragma_module_list at start-up (harness.h), so a function added to
** growth.c is fuzzed without touching this file.
**
** Input layout: byte 0 picks the function or table, byte 1 the argument count (variadic
** functions and optional TVF arguments), byte 2 the call shape (plain, GROUP BY, window), then
** each argument is a kind byte followed by its payload. Anything SQLite can hand a function
** must end in a value or an error, never a crash, a sanitizer report or a leak.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "../harness.h"

static hinventory inv;
static sqlite3 *db;

typedef struct reader { const uint8_t *p; size_t n; } reader;
static unsigned take8(reader *r) { if (!r->n) return 0; r->n--; return *r->p++; }
static uint64_t take64(reader *r) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | take8(r);
  return v;
}

/* Values a real caller passes: every documented argument form, and some near-misses. */
static const char *const words[] = {
  "2024-01-01 10:00:00", "2024-01-01", "2024-02-29T23:59:59.999999Z", "0000-01-01 00:00:00",
  "9999-12-31 23:59:59", "2024-13-01", "1970-01-01+08:00", "7 days", "30 minutes", "1.5 hours",
  "1 day 12 hours", "2 weeks", "3 months", "-1 day", "day", "week", "month", "quarter", "year",
  "days", "strict_order", "strict_deduplication", "strict", "strict_increase", "strict_once",
  "allow_reentry", "tz=+08:00", "tz=-05:30", "week_start=sunday", "rolling", "periods=3",
  "on_or_after", "as_of=2024-06-30", "value", "attempt=first", "attempt=furthest", "exclude=cart",
  "breakdown=first", "breakdown=step:2", "bins=5", "bins=2", "bins=11", "frequency=days",
  "monetary=avg", "r_cuts=30;90;180", "cn_threshold=median", "rounding=half_even", "scale=0",
  "scale=3", "min_margin=0.1", "view,cart,pay", "view,cart,checkout,pay", "[\"view\",\"pay\"]",
  "view", "events", "orders", "cart", "promotions", "customers", "no_such_table",
  "SELECT user_id, ts, event FROM events", "SELECT user_id, ts, event, channel FROM events",
  "SELECT user_id, ts FROM events", "SELECT customer_id, ts, amount, order_id FROM orders",
  "SELECT customer_id, ts, amount FROM orders", "VALUES (1, 2, 3)", "WITH x AS (SELECT 1) SELECT * FROM x",
  "SELECT 1; DELETE FROM events", "events; DROP TABLE events", "ATTACH ':memory:' AS x",
  "PRAGMA writable_schema=1", "DELETE FROM events RETURNING *", "select /* c */ * from events -- x",
  "{\"type\":\"discount\",\"rate\":0.8}", "{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":2,\"rate\":0.95}]}",
  "{\"type\":\"special_price\",\"price\":80}", "{\"type\":\"reduce\",\"amount\":\"20\"}",
  "{\"type\":\"threshold_off\",\"threshold\":200,\"off\":30,\"repeat\":true,\"cap\":60}",
  "{\"type\":\"buy_x_get_y\",\"buy\":1,\"get\":1,\"rate\":0}", "{\"type\":\"bundle_price\",\"qty\":3,\"price\":99}",
  "{\"type\":\"coupon\",\"threshold\":300,\"off\":30}", "{\"type\":\"flash_sale\",\"price\":59,\"stock\":1}",
  "{\"type\":\"add_on\",\"threshold\":500,\"sku\":\"X\",\"price\":20,\"limit\":1}",
  "{\"type\":\"exchange\",\"threshold\":300,\"sku\":\"Y\",\"qty\":1}", "{\"type\":", "[]", "{}", "null",
  "{\"type\":\"discount\",\"rate\":1e400}", "19.99", "-0.01", "9223372036854775807", "1e18", "en", "cn",
};

static const int64_t ints[] = {0, 1, -1, 2, 5, 64, 65, 1704103200, -62167219200, 253402300799,
                               253402300800, INT64_MAX, INT64_MIN, INT64_MAX / 100, 86400};
static const double reals[] = {0.5, -0.0, 1.0, 1704103200.25, 1e300, -1e300, 9.3e18, 1e-300, 0.8, 19.99};

/* Binds argument i from the input (st NULL: only reads it); returns 1 when the argument should be a per-row column. */
static int bind_arg(sqlite3_stmt *st, int i, reader *r) {
  unsigned kind = take8(r) % 14;
  switch (kind) {
    case 0: if (st) sqlite3_bind_null(st, i); break;
    case 1: { sqlite3_int64 v = (sqlite3_int64)take64(r); if (st) sqlite3_bind_int64(st, i, v); break; }
    case 2: { sqlite3_int64 v = ints[take8(r) % (sizeof ints / sizeof ints[0])]; if (st) sqlite3_bind_int64(st, i, v); break; }
    case 3: { uint64_t b = take64(r); double d; memcpy(&d, &b, 8); if (st) sqlite3_bind_double(st, i, d); break; }
    case 4: {
      unsigned k = take8(r) % 13;
      double d = k < 10 ? reals[k] : k == 10 ? NAN : k == 11 ? INFINITY : -INFINITY;
      if (st) sqlite3_bind_double(st, i, d);
      break;
    }
    case 5: case 6: {
      size_t len = take8(r);
      if (len > r->n) len = r->n;
      if (st && kind == 5) sqlite3_bind_text(st, i, (const char *)r->p, (int)len, SQLITE_TRANSIENT);
      if (st && kind == 6) sqlite3_bind_blob(st, i, r->p, (int)len, SQLITE_TRANSIENT);
      r->p += len;
      r->n -= len;
      break;
    }
    case 7: case 8: case 9: {
      const char *w = words[take8(r) % (sizeof words / sizeof words[0])];
      if (st) sqlite3_bind_text(st, i, w, -1, SQLITE_STATIC);
      break;
    }
    case 10: if (st) sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC); break;
    case 11: {  /* a word with fuzzer bytes appended */
      const char *w = words[take8(r) % (sizeof words / sizeof words[0])];
      size_t len = take8(r) % 16, wl = strlen(w);
      if (len > r->n) len = r->n;
      char buf[512];
      memcpy(buf, w, wl);
      memcpy(buf + wl, r->p, len);
      r->p += len;
      r->n -= len;
      if (st) sqlite3_bind_text(st, i, buf, (int)(wl + len), SQLITE_TRANSIENT);
      break;
    }
    default: return 1;  /* 12, 13: a column of the row source (aggregates) */
  }
  return 0;
}

static const char *const row_columns[] = {"ts", "c1", "c2", "c3", "x"};

static int progress_stop(void *arg) { (void)arg; return 1; }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (harness_inventory(&inv) != 0) abort();
  db = harness_open();
  if (!db) abort();
  /* per-row inputs for aggregates: timestamps, 0/1 conditions, amounts */
  if (sqlite3_exec(db,
        "CREATE TABLE fz_rows(g, ts, c1, c2, c3, x);"
        "INSERT INTO fz_rows VALUES (1,'2024-01-01 10:00:00',1,0,0,19.99),(1,'2024-01-01 10:05:00',0,1,0,5),"
        "(1,1704103500,0,0,1,NULL),(2,'2024-01-03',1,1,1,'x'),(2,NULL,NULL,1,0,-1),(3,'2024-01-01',1,0,1,1e300);",
        NULL, NULL, NULL) != SQLITE_OK)
    abort();
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000000);
  /* a TVF over a fuzzer-built SQL text must not run away: stop after ~10M VM steps */
  sqlite3_progress_handler(db, 0, NULL, NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = {data, size};
  int total = inv.nfunc + inv.ntable;
  if (!total) return 0;
  unsigned pick = take8(&r) % (unsigned)total, count = take8(&r), shape = take8(&r) % 3;
  sqlite3_str *sql = sqlite3_str_new(db);
  int nargs, is_table = pick >= (unsigned)inv.nfunc;
  const char *name;
  char kinds[80];
  reader peek = r;
  if (is_table) {
    const htable *t = &inv.table[pick - inv.nfunc];
    name = t->name;
    nargs = t->nhidden ? (int)(count % (unsigned)(t->nhidden + 1)) : 0;
  } else {
    const hfunc *f = &inv.func[pick];
    name = f->name;
    nargs = f->narg >= 0 ? f->narg : (int)(count % 68);
  }
  /* First pass over the argument bytes to know which arguments are row columns. */
  for (int i = 0; i < nargs; i++) kinds[i] = (char)bind_arg(NULL, i + 1, &peek);
  if (is_table) {
    sqlite3_str_appendf(sql, "SELECT * FROM \"%w\"(", name);
    for (int i = 0; i < nargs; i++) sqlite3_str_appendf(sql, "%s?%d", i ? "," : "", i + 1);
    sqlite3_str_appendall(sql, ")");
  } else {
    const hfunc *f = &inv.func[pick];
    sqlite3_str_appendf(sql, "SELECT \"%w\"(", name);
    for (int i = 0; i < nargs; i++) {
      if (kinds[i] && f->type != 's') sqlite3_str_appendf(sql, "%s%s", i ? "," : "", row_columns[i % 5]);
      else sqlite3_str_appendf(sql, "%s?%d", i ? "," : "", i + 1);
    }
    sqlite3_str_appendall(sql, ")");
    if (f->type == 'w' && shape == 2) sqlite3_str_appendall(sql, " OVER (PARTITION BY g ORDER BY rowid ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)");
    if (f->type != 's') sqlite3_str_appendall(sql, " FROM fz_rows");
    if (f->type != 's' && shape == 1) sqlite3_str_appendall(sql, " GROUP BY g");
  }
  char *text = sqlite3_str_finish(sql);
  if (!text) return 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK) {
    for (int i = 0; i < nargs; i++) (void)bind_arg(st, i + 1, &r);
    if (getenv("FUZZ_SQL_TRACE")) {  /* to turn a crash input back into SQL */
      char *x = sqlite3_expanded_sql(st);
      fprintf(stderr, "fuzz_sql: %s\n", x ? x : text);
      sqlite3_free(x);
    }
    int budget = 0;
    sqlite3_progress_handler(db, 100000, progress_stop, NULL);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && budget++ < 10000) {
      for (int c = 0; c < sqlite3_column_count(st); c++) {
        (void)sqlite3_column_text(st, c);
        (void)sqlite3_column_bytes(st, c);
      }
    }
    sqlite3_progress_handler(db, 0, NULL, NULL);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE && !sqlite3_errmsg(db)) abort();
    sqlite3_finalize(st);
  }
  sqlite3_free(text);
  return 0;
}
