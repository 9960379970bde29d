/* source.c: see source.h. */
#include "source.h"

#include <string.h>

#include "args.h"

#define SINK_TYPE "growth_source_sink"

/* Every statement gsource_scan runs starts with this text, so that the scans under way on a
** connection can be counted (sqlite3_sql returns the text as prepared). */
#define GATHER_MARKER "/* growth_gather */"

typedef struct gsource_sink {
  gsource_row_fn row;
  void *ctx;
  char *err;   /* the row callback's message, kept so the caller sees it rather than SQLite's */
  int rc;
  int ncols;   /* columns the callback reads: a call with any other count is not ours */
} gsource_sink;

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* Skips whitespace and SQL comments. */
static const char *skip_blank(const char *p) {
  for (;;) {
    while (is_space(*p)) p++;
    if (p[0] == '-' && p[1] == '-') {
      while (*p && *p != '\n') p++;
    } else if (p[0] == '/' && p[1] == '*') {
      const char *e = strstr(p + 2, "*/");
      p = e ? e + 2 : p + strlen(p);
    } else {
      return p;
    }
  }
}

static int starts_with_word(const char *p, const char *word) {
  size_t n = strlen(word);
  if (sqlite3_strnicmp(p, word, (int)n) != 0) return 0;
  char c = p[n];
  return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80);
}

static int is_statement(const char *text) {
  const char *p = skip_blank(text);
  if (*p == '(') p = skip_blank(p + 1);
  return starts_with_word(p, "select") || starts_with_word(p, "with") || starts_with_word(p, "values");
}

void gsource_close(gsource *src) {
  if (src->names) {
    for (int i = 0; i < src->ncol; i++) sqlite3_free(src->names[i]);
    sqlite3_free(src->names);
  }
  sqlite3_free(src->body);
  memset(src, 0, sizeof *src);
}

int gsource_open_named(gsource *src, sqlite3 *db, const char *fn, const char *arg, const char *text, char **pzErr) {
  memset(src, 0, sizeof *src);
  src->db = db;
  src->arg = arg;
  if (!text || !*skip_blank(text)) {
    *pzErr = sqlite3_mprintf("%s: %s is empty: give a table or view name or a SELECT statement", fn, arg);
    return SQLITE_ERROR;
  }
  if (is_statement(text)) {
    /* Keep just the statement: drop the trailing semicolon and anything blank after it. */
    sqlite3_stmt *probe = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, text, -1, &probe, &tail);
    if (rc != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("%s: %s: %s", fn, arg, sqlite3_errmsg(db));
      return rc;
    }
    if (tail && *skip_blank(tail)) {
      sqlite3_finalize(probe);
      *pzErr = sqlite3_mprintf("%s: %s must be a single statement (found more after the first)", fn, arg);
      return SQLITE_ERROR;
    }
    /* A parameter would be bound to the row sink's pointer in gsource_scan: never allowed. */
    if (probe && sqlite3_bind_parameter_count(probe) > 0) {
      sqlite3_finalize(probe);
      *pzErr = sqlite3_mprintf("%s: %s must not contain parameters (?, :name)", fn, arg);
      return SQLITE_ERROR;
    }
    if (!probe || !sqlite3_stmt_readonly(probe) || sqlite3_column_count(probe) == 0) {
      sqlite3_finalize(probe);
      *pzErr = sqlite3_mprintf("%s: %s must be a read-only SELECT, WITH or VALUES statement", fn, arg);
      return SQLITE_ERROR;
    }
    sqlite3_finalize(probe);
    int n = (int)(tail - text);
    while (n > 0 && (is_space(text[n - 1]) || text[n - 1] == ';')) n--;
    src->body = sqlite3_mprintf("%.*s", n, text);
  } else {
    src->body = sqlite3_mprintf("SELECT * FROM \"%w\"", text);
  }
  if (!src->body) return SQLITE_NOMEM;
  /* Learn the columns from the statement as the user wrote it. */
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(db, src->body, -1, &stmt, NULL);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("%s: %s: %s", fn, arg, sqlite3_errmsg(db));
    gsource_close(src);
    return rc;
  }
  src->ncol = sqlite3_column_count(stmt);
  src->names = sqlite3_malloc64(sizeof(char *) * (sqlite3_uint64)(src->ncol ? src->ncol : 1));
  if (!src->names) { sqlite3_finalize(stmt); src->ncol = 0; gsource_close(src); return SQLITE_NOMEM; }
  memset(src->names, 0, sizeof(char *) * (size_t)(src->ncol ? src->ncol : 1));
  for (int i = 0; i < src->ncol; i++) {
    const char *name = sqlite3_column_name(stmt, i);
    src->names[i] = sqlite3_mprintf("%s", name ? name : "");
    if (!src->names[i]) { sqlite3_finalize(stmt); gsource_close(src); return SQLITE_NOMEM; }
  }
  sqlite3_finalize(stmt);
  return SQLITE_OK;
}

int gsource_open(gsource *src, sqlite3 *db, const char *fn, const char *text, char **pzErr) {
  return gsource_open_named(src, db, fn, "source", text, pzErr);
}

int gsource_open_arg(gsource *src, sqlite3 *db, const char *fn, const char *arg, sqlite3_value *v, char **pzErr) {
  if (sqlite3_value_type(v) != SQLITE_TEXT) {
    memset(src, 0, sizeof *src);
    char *d = garg_describe(v);
    if (!d) return SQLITE_NOMEM;
    *pzErr = sqlite3_mprintf("%s: %s is %s, expected a table or view name or a SELECT statement", fn, arg, d);
    sqlite3_free(d);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  const char *text = (const char *)sqlite3_value_text(v);
  if (!text) { memset(src, 0, sizeof *src); return SQLITE_NOMEM; }
  return gsource_open_named(src, db, fn, arg, text, pzErr);
}

int gsource_column(const gsource *src, const char *name) {
  for (int i = 0; i < src->ncol; i++)
    if (sqlite3_stricmp(src->names[i], name) == 0) return i;
  return -1;
}

void gsource_gather_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  /* The sink is the same for every row of a scan: look it up once (sqlite3_value_pointer
  ** compares the type name on every call) and keep it in the aggregate's context. */
  gsource_sink **cached = sqlite3_aggregate_context(ctx, sizeof *cached);
  gsource_sink *sink = cached ? *cached : NULL;
  if (!sink) {
    sink = argc > 0 ? sqlite3_value_pointer(argv[0], SINK_TYPE) : NULL;
    if (cached) *cached = sink;
  }
  if (!sink || argc != sink->ncols + 1) {
    sqlite3_result_error(ctx, "growth_gather() is internal to the table-valued functions", -1);
    return;
  }
  if (sink->rc != SQLITE_OK) return;
  sink->rc = sink->row(sink->ctx, argv + 1, &sink->err);
  if (sink->rc == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
  else if (sink->rc != SQLITE_OK) sqlite3_result_error(ctx, sink->err ? sink->err : "error in a source row", -1);
}

void gsource_gather_final(sqlite3_context *ctx) { sqlite3_result_null(ctx); }

/* Scans under way on db: each is a busy statement that starts with the marker. A source that
** calls a table-valued function that reads a source runs a scan inside a scan; counting them
** bounds that nesting without any state kept between calls. */
static int scans_under_way(sqlite3 *db) {
  int n = 0;
  for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s; s = sqlite3_next_stmt(db, s)) {
    const char *text = sqlite3_stmt_busy(s) ? sqlite3_sql(s) : NULL;
    if (text && strncmp(text, GATHER_MARKER, sizeof GATHER_MARKER - 1) == 0) n++;
  }
  return n;
}

int gsource_scan(gsource *src, const char *fn, const int *cols, int ncols, gsource_row_fn row, void *ctx,
                 char **pzErr) {
  if (scans_under_way(src->db) >= GSOURCE_MAX_NESTING) {
    *pzErr = sqlite3_mprintf("%s: %s: " GSOURCE_NESTING_ERROR, fn, src->arg ? src->arg : "source",
                             GSOURCE_MAX_NESTING);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  /* The CTE has a name no table has (64 random bits), so that a user table called
  ** growth_source, or anything else, can be the source. */
  sqlite3_uint64 salt;
  sqlite3_randomness(sizeof salt, &salt);
  sqlite3_str *sql = sqlite3_str_new(src->db);
  sqlite3_str_appendf(sql, GATHER_MARKER " WITH growth_source_%016llx(", (unsigned long long)salt);
  for (int i = 0; i < src->ncol; i++) sqlite3_str_appendf(sql, "%sc%d", i ? "," : "", i);
  /* A trailing comment in the user's text must not swallow the closing parenthesis: the
  ** newline ends a -- comment, and the line "-- *" "/" ends an unterminated block comment
  ** (SQLite accepts one at the end of a statement) while being a mere line comment otherwise. */
  sqlite3_str_appendf(sql, ") AS (\n%s\n-- */\n) SELECT growth_gather(?1", src->body);
  for (int i = 0; i < ncols; i++) {
    if (cols[i] >= 0 && cols[i] < src->ncol) sqlite3_str_appendf(sql, ", c%d", cols[i]);
    else sqlite3_str_appendall(sql, ", NULL");
  }
  sqlite3_str_appendf(sql, ") FROM growth_source_%016llx", (unsigned long long)salt);
  /* the text counts against SQLITE_LIMIT_LENGTH: past it that is TOOBIG, not out of memory */
  int src_rc = sqlite3_str_errcode(sql);
  char *text = sqlite3_str_finish(sql);
  if (src_rc == SQLITE_TOOBIG) {
    sqlite3_free(text);
    *pzErr = sqlite3_mprintf("%s: %s: string or blob too big", fn, src->arg ? src->arg : "source");
    return SQLITE_TOOBIG;
  }
  if (!text) return SQLITE_NOMEM;
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2(src->db, text, -1, &stmt, NULL);
  sqlite3_free(text);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("%s: %s: %s", fn, src->arg ? src->arg : "source", sqlite3_errmsg(src->db));
    return rc;
  }
  gsource_sink sink = {row, ctx, NULL, SQLITE_OK, ncols};
  sqlite3_bind_pointer(stmt, 1, &sink, SINK_TYPE, NULL);
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (sink.rc != SQLITE_OK) {
    rc = sink.rc;
    if (sink.err) { *pzErr = sink.err; sink.err = NULL; }
  } else if (rc != SQLITE_OK) {
    const char *msg = sqlite3_errmsg(src->db);
    /* a scan nested too deep says so once, naming the innermost function, not once per level */
    if (strstr(msg, GSOURCE_NESTING_TAIL)) *pzErr = sqlite3_mprintf("%s", msg);
    else *pzErr = sqlite3_mprintf("%s: %s: %s", fn, src->arg ? src->arg : "source", msg);
  }
  sqlite3_free(sink.err);
  sqlite3_finalize(stmt);
  return rc;
}
