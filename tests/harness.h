/*
** harness.h: what the hardening harnesses (fuzz_sql, test_oom, test_matrix, test_threads,
** test_interrupt) share: the list of every SQL name the extension registers, learned at run
** time from pragma_function_list / pragma_module_list (a connection with the extension minus
** one without), and a small fixture database whose tables fit every documented source shape.
** Nothing here is hard-wired to one capability, so a function added to growth.c is covered
** the moment it is registered.
*/
#ifndef GROWTH_TEST_HARNESS_H
#define GROWTH_TEST_HARNESS_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#define HARNESS_MAX 256

typedef struct hfunc {
  char name[64];
  int narg;    /* -1: variadic */
  char type;   /* 's' scalar, 'a' aggregate, 'w' window */
  int flags;   /* as pragma_function_list reports them */
} hfunc;

typedef struct htable {
  char name[64];
  int ncols;    /* output columns */
  int nhidden;  /* argument (HIDDEN) columns */
} htable;

typedef struct hinventory {
  int nfunc, ntable;
  hfunc func[HARNESS_MAX];
  htable table[HARNESS_MAX];
} hinventory;

/* Tables every source argument of the documented functions can point at. Small, so a harness
** can call anything many times; rows with NULLs, ties and odd values on purpose. */
#define HARNESS_FIXTURE_SQL                                                                        \
  "CREATE TABLE events(user_id INTEGER, ts, event TEXT, channel TEXT);"                            \
  "INSERT INTO events VALUES (1,'2024-01-01 10:00:00','view','app'),(1,'2024-01-01 10:05:00','cart','app'),"   \
  "(1,'2024-01-01 10:09:00','checkout','app'),(1,'2024-01-02 09:00:00','pay','app'),"             \
  "(2,1704103200,'view','web'),(2,1704103300,'pay','web'),(3,'2024-02-10','view','wechat'),"       \
  "(3,NULL,'cart','wechat'),(NULL,'2024-03-01','view',NULL),(4,'2024-03-05 12:00:00','view','ads'),"\
  "(4,'2024-03-05 12:00:00','cart','ads'),(5,'2024-04-01T08:00:00+08:00','view','app');"          \
  "CREATE TABLE orders(customer_id INTEGER, ts, amount, order_id);"                               \
  "INSERT INTO orders VALUES (1,'2024-01-05',19.99,1),(1,'2024-02-05','100.50',2),(2,'2024-01-20',5,3),"  \
  "(3,'2024-03-01',0,4),(3,'2024-03-01',250.25,4),(4,'2024-06-30 23:59:59',-10,5),(5,NULL,1,6);"  \
  "CREATE TABLE customers(customer_id INTEGER PRIMARY KEY, channel TEXT, city TEXT, signup_at TEXT);" \
  "INSERT INTO customers VALUES (1,'app','Shanghai','2024-01-01'),(2,'web','Beijing','2024-01-15');" \
  "CREATE TABLE cart(order_id INTEGER, line_id INTEGER, sku TEXT, qty INTEGER, unit_price, cost, is_new INTEGER, at TEXT);" \
  "INSERT INTO cart VALUES (1,1,'A',2,100,60,0,'2024-05-01 10:00:00'),(1,2,'B',1,'49.90',20,0,'2024-05-01 10:00:00')," \
  "(2,1,'A',5,100,60,1,'2024-05-02'),(2,2,'C',3,33.33,NULL,1,'2024-05-02'),(3,1,'B',1,0.01,0,0,NULL);" \
  "CREATE TABLE promotions(promo_id TEXT PRIMARY KEY, rule TEXT, skus TEXT, priority INTEGER);"    \
  "INSERT INTO promotions VALUES ('P1','{\"type\":\"discount\",\"rate\":0.8}','[\"A\"]',1),"      \
  "('P2','{\"type\":\"threshold_off\",\"threshold\":200,\"off\":30}',NULL,2),"                    \
  "('P3','{\"type\":\"buy_x_get_y\",\"buy\":1,\"get\":1,\"rate\":0.5}','[\"B\",\"C\"]',3),"      \
  "('P4','{\"type\":\"coupon\",\"threshold\":0,\"rate\":0.9}',NULL,4);"

static int harness_list(sqlite3 *db, const char *sql, char out[][64], int *extra, int cap) {
  sqlite3_stmt *st;
  int n = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
  while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
    snprintf(out[n], 64, "%.40s|%d|%.10s", (const char *)sqlite3_column_text(st, 0), sqlite3_column_int(st, 1),
             sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
    if (extra) extra[n] = sqlite3_column_int(st, 3);
    n++;
  }
  sqlite3_finalize(st);
  return n;
}

/* Fills inv with what sqlite3_growth_init adds. 0 on success. */
static int harness_inventory(hinventory *inv) {
  static const char fsql[] =
    "SELECT name, narg, type, flags FROM pragma_function_list ORDER BY name, narg, type";
  static const char msql[] = "SELECT name, 0, '', 0 FROM pragma_module_list ORDER BY name";
  sqlite3 *plain = NULL, *ext = NULL;
  static char a[1024][64], b[1024][64];
  static int flags[1024];
  memset(inv, 0, sizeof *inv);
  if (sqlite3_open(":memory:", &plain) != SQLITE_OK || sqlite3_open(":memory:", &ext) != SQLITE_OK) return -1;
  if (sqlite3_growth_init(ext, NULL, NULL) != SQLITE_OK) return -1;
  int na = harness_list(plain, fsql, a, NULL, 1024), nb = harness_list(ext, fsql, b, flags, 1024);
  for (int i = 0; i < nb; i++) {
    int seen = 0;
    for (int j = 0; j < na && !seen; j++) seen = strcmp(a[j], b[i]) == 0;
    if (seen || inv->nfunc == HARNESS_MAX) continue;
    hfunc *f = &inv->func[inv->nfunc++];
    char *bar1 = strchr(b[i], '|'), *bar2 = strchr(bar1 + 1, '|');
    *bar1 = 0;
    snprintf(f->name, sizeof f->name, "%.63s", b[i]);
    f->narg = atoi(bar1 + 1);
    f->type = bar2[1];
    f->flags = flags[i];
  }
  na = harness_list(plain, msql, a, NULL, 1024);
  nb = harness_list(ext, msql, b, NULL, 1024);
  for (int i = 0; i < nb; i++) {
    int seen = 0;
    for (int j = 0; j < na && !seen; j++) seen = strcmp(a[j], b[i]) == 0;
    if (seen || inv->ntable == HARNESS_MAX) continue;
    htable *t = &inv->table[inv->ntable++];
    *strchr(b[i], '|') = 0;
    snprintf(t->name, sizeof t->name, "%.63s", b[i]);
    char *sql = sqlite3_mprintf("SELECT hidden FROM pragma_table_xinfo(%Q)", t->name);
    sqlite3_stmt *st;
    if (sql && sqlite3_prepare_v2(ext, sql, -1, &st, NULL) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_int(st, 0)) t->nhidden++;
        else t->ncols++;
      }
      sqlite3_finalize(st);
    }
    sqlite3_free(sql);
  }
  sqlite3_close(plain);
  sqlite3_close(ext);
  return 0;
}

/* 1 when the inventory registers fn (as a function or a table). */
static int harness_has(const hinventory *inv, const char *fn) {
  for (int i = 0; i < inv->nfunc; i++)
    if (strcmp(inv->func[i].name, fn) == 0) return 1;
  for (int i = 0; i < inv->ntable; i++)
    if (strcmp(inv->table[i].name, fn) == 0) return 1;
  return 0;
}

/* Opens a :memory: connection with the extension and the fixture tables. */
static sqlite3 *harness_open(void) {
  sqlite3 *db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) { sqlite3_close(db); return NULL; }
  if (sqlite3_growth_init(db, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(db, HARNESS_FIXTURE_SQL, NULL, NULL, NULL) != SQLITE_OK) {
    sqlite3_close(db);
    return NULL;
  }
  return db;
}

#endif
