/*
** bench.c: `make bench`. Generates the same synthetic events at 1M and 4M rows (a fixed
** formula, no random()), times the two floors in the same process, then every line of the
** *.bench files given, printing each as a ratio to its floor and its peak memory per row.
**
** A .bench file holds lines of three kinds (# starts a comment):
**   @setup SQL                          run once per size after the events exist, untimed
**   label | floor | target | SQL        timed; floor is `scan` or `groupby`; target the
**                                       largest acceptable ratio (or - for none)
**   label | rate  | target | SQL        timed; reported as rows per second (target a minimum)
**
** Floors: scan = SELECT sum(ts) FROM events;
**         groupby = SELECT count(*) FROM (SELECT user_id, count(*) FROM events GROUP BY user_id).
** Each query runs 3 times (2 at 4M) and the fastest run counts; timings are noisy on a
** shared two-core machine, ratios measured in one run are what to compare.
*/
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(sqlite3 *db, const char *what) {
  fprintf(stderr, "bench: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  exit(1);
}

static void exec(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "bench: %s\nin: %s\n", err, sql);
    exit(1);
  }
}

/* Runs sql to completion; returns the best time and the peak extra memory. */
static double time_query(sqlite3 *db, const char *sql, int runs, long long *peak_bytes) {
  double best = 1e30;
  *peak_bytes = 0;
  for (int r = 0; r < runs; r++) {
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) die(db, sql);
    sqlite3_int64 cur, hi;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &hi, 1); /* reset the high-water mark */
    double t0 = now();
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    double t = now() - t0;
    if (rc != SQLITE_DONE) die(db, sql);
    sqlite3_int64 cur2, hi2;
    sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur2, &hi2, 0);
    sqlite3_finalize(stmt);
    if (hi2 - cur > *peak_bytes) *peak_bytes = hi2 - cur;
    if (t < best) best = t;
  }
  return best;
}

/* Events: users = rows/20; ts within 90 days from 2024-01-01; event mix view > cart >
** checkout > pay; four channels. Rows are in hashed (not sorted) order, as logs arrive. */
static void generate(sqlite3 *db, long long rows) {
  char sql[2048];
  exec(db, "DROP TABLE IF EXISTS events");
  exec(db, "CREATE TABLE events(user_id INTEGER, ts INTEGER, event TEXT, channel TEXT)");
  snprintf(sql, sizeof sql,
           "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < %lld), "
           "h(i, x) AS (SELECT i, (i * 2654435761 + 12345) %% 4294967291 FROM n) "
           "INSERT INTO events SELECT x %% %lld, 1704067200 + (x * 40503) %% 7776000, "
           "CASE WHEN x %% 20 < 10 THEN 'view' WHEN x %% 20 < 15 THEN 'cart' "
           "WHEN x %% 20 < 18 THEN 'checkout' ELSE 'pay' END, "
           "CASE (x / 7) %% 4 WHEN 0 THEN 'app' WHEN 1 THEN 'web' WHEN 2 THEN 'wechat' ELSE 'ads' END FROM h",
           rows - 1, rows / 20);
  exec(db, sql);
}

typedef struct line { char *label, *floor, *target, *sql; int setup; } line;

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static int read_lines(const char *path, line *out, int max) {
  FILE *f = fopen(path, "r");
  if (!f) { fprintf(stderr, "bench: cannot read %s\n", path); exit(1); }
  char buf[8192];
  int n = 0;
  while (fgets(buf, sizeof buf, f) && n < max) {
    char *s = trim(buf);
    if (!*s || *s == '#') continue;
    line l = {0};
    if (strncmp(s, "@setup", 6) == 0) {
      l.setup = 1;
      l.sql = strdup(trim(s + 6));
    } else {
      char *parts[4];
      for (int k = 0; k < 3; k++) {
        char *bar = strchr(s, '|');
        if (!bar) { fprintf(stderr, "bench: %s: expected label | floor | target | SQL\n", path); exit(1); }
        *bar = 0;
        parts[k] = strdup(trim(s));
        s = bar + 1;
      }
      parts[3] = strdup(trim(s));
      l.label = parts[0]; l.floor = parts[1]; l.target = parts[2]; l.sql = parts[3];
    }
    out[n++] = l;
  }
  fclose(f);
  return n;
}

int main(int argc, char **argv) {
  const char *ext = "./growth";
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--ext") == 0) { ext = argv[2]; first = 3; }
  static line lines[512];
  int nlines = 0;
  for (int i = first; i < argc; i++) nlines += read_lines(argv[i], lines + nlines, 512 - nlines);

  long long sizes[2] = {1000000, 4000000};
  printf("sqlite-growth bench on SQLite %s (ratios are to floors timed in this run)\n", sqlite3_libversion());
  for (int s = 0; s < 2; s++) {
    long long rows = sizes[s];
    const char *size_name = s == 0 ? "1M" : "4M";
    int runs = s == 0 ? 3 : 2;
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) die(db, "open");
    sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, NULL);
    char *err = NULL;
    if (sqlite3_load_extension(db, ext, NULL, &err) != SQLITE_OK) { fprintf(stderr, "bench: %s\n", err); return 1; }
    double t0 = now();
    generate(db, rows);
    for (int i = 0; i < nlines; i++)
      if (lines[i].setup) exec(db, lines[i].sql);
    printf("\n== %s events (generated and set up in %.1f s)\n", size_name, now() - t0);
    long long mem;
    double scan = time_query(db, "SELECT sum(ts) FROM events", runs, &mem);
    double groupby = time_query(db, "SELECT count(*) FROM (SELECT user_id, count(*) FROM events GROUP BY user_id)", runs, &mem);
    printf("%-44s %8.3f s\n", "floor scan: SELECT sum(ts) FROM events", scan);
    printf("%-44s %8.3f s\n", "floor groupby: count(*) GROUP BY user_id", groupby);
    for (int i = 0; i < nlines; i++) {
      line *l = &lines[i];
      if (l->setup) continue;
      double t = time_query(db, l->sql, runs, &mem);
      char label[128];
      snprintf(label, sizeof label, "%s (%s)", l->label, size_name);
      if (strcmp(l->floor, "rate") == 0) {
        double rate = (double)rows / t;
        int ok = strcmp(l->target, "-") == 0 || rate >= atof(l->target);
        printf("%-44s %8.3f s  %10.0f rows/s  target >= %s  %s  mem %.1f B/row\n", label, t, rate, l->target,
               ok ? "ok" : "MISS", (double)mem / (double)rows);
      } else {
        double floor = strcmp(l->floor, "groupby") == 0 ? groupby : scan;
        double ratio = t / floor;
        int ok = strcmp(l->target, "-") == 0 || ratio <= atof(l->target);
        printf("%-44s %8.3f s  %6.2fx %-7s target <= %s  %s  mem %.1f B/row\n", label, t, ratio, l->floor,
               l->target, ok ? "ok" : "MISS", (double)mem / (double)rows);
      }
      fflush(stdout);
    }
    sqlite3_close(db);
  }
  return 0;
}
