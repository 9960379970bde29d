/*
** sequence.c: SQL glue for the sequence core (sequence_engine.h):
**   sequence_match(pattern, ts, cond1, ..., condN)   aggregate and window function: 0/1
**   sequence_count(pattern, ts, cond1, ..., condN)   aggregate and window function: matches
**   sequence_next_node(ts, event, base_condition, event1, ..., eventN [, options])  aggregate
** ClickHouse's sequenceMatch, sequenceCount and sequenceNextNode (docs/journeys.md).
*/
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "mem.h"
#include "registry.h"
#include "sequence_engine.h"

static void result_error(sqlite3_context *ctx, char *msg) {
  if (!msg) sqlite3_result_error_nomem(ctx);
  else garg_result_error(ctx, msg);
}

/* A timestamp as window_funnel reads it: INTEGER seconds on the fast path, else garg_timestamp.
** 1 with *out, 0 for NULL (the row is skipped), -1 with *err. */
static int read_ts(sqlite3_value *v, const char *fn, gts_census *census, int dir, int64_t *out, char **err) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) return 0;
  if (t == SQLITE_INTEGER) {
    /* counted so that YYYYMMDD dates read as seconds are refused with the hint once the group
    ** is read (as window_funnel); dir -1: a row leaving a window frame */
    int64_t x = sqlite3_value_int64(v);
    census->ints += (uint64_t)(int64_t)dir;
    if (gts_is_yyyymmdd(x)) {
      census->yyyymmdd += (uint64_t)(int64_t)dir;
      census->example = x;
    }
  }
  if (t == SQLITE_INTEGER && !gtime_from_unix_seconds(sqlite3_value_int64(v), out)) return 1;
  int rc = garg_timestamp(v, fn, "ts", out, err);
  if (rc == GARG_NULL) return 0;
  return rc == SQLITE_OK ? 1 : -1;
}

/* Conditions argv[0..n-1] into a mask: 1, 0 when one is NULL (ClickHouse skips the row), -1
** with *err. `first` numbers the first one in messages. */
static int read_conds(sqlite3_value **argv, int n, int first, const char *fn, uint64_t *mask, char **err) {
  uint64_t m = 0;
  for (int k = 0; k < n; k++) {
    sqlite3_value *c = argv[k];
    int ct = sqlite3_value_type(c);
    if (ct == SQLITE_INTEGER) {
      sqlite3_int64 x = sqlite3_value_int64(c);
      if (x == 1) {
        m |= UINT64_C(1) << k;
        continue;
      }
      if (x == 0) continue;
    }
    if (ct == SQLITE_NULL) return 0;
    char name[32];
    snprintf(name, sizeof name, "condition %d", first + k);
    int on = 0;
    if (garg_bool(c, fn, name, &on, err) != SQLITE_OK) return -1;
    if (on) m |= UINT64_C(1) << k;
  }
  *mask = m;
  return 1;
}

/* After a group: INTEGER timestamps that are all YYYYMMDD dates are refused with the hint (as
** window_funnel; these functions take ClickHouse's arguments, so no ts_unit option). */
static int census_ok(sqlite3_context *ctx, const gts_census *c) {
  if (!gts_census_verdict(c)) return 1;
  result_error(ctx, sqlite3_mprintf("%s: ts: every INTEGER timestamp is a valid YYYYMMDD date (e.g. %lld; read as "
                                    "Unix seconds they would all fall in 1970): give Unix seconds or ISO-8601 text, "
                                    "such as printf('%%d-%%02d-%%02d', ts / 10000, ts / 100 %% 100, ts %% 100)",
                                    garg_fn_name(ctx), (long long)c->example));
  return 0;
}

/* ------------------------------------------------------------------ sequence_match, sequence_count */

#define SQ_INLINE 16

typedef struct sq_state {
  int ready, failed, nconds;
  int64_t rows, rows_valid; /* all NULL rows: NULL, as ClickHouse with Nullable arguments */
  gts_census census;        /* the INTEGER timestamps: YYYYMMDD dates read as seconds? */
  char *pat_text;           /* the pattern as given: it must stay the same in the group */
  int pat_len;
  gseq_pattern pat;
  gfunnel_event *ev; /* events in arrival order; xInverse removes from the front */
  size_t start, n, cap;
  gfunnel_event *copy; /* xValue sorts a copy */
  size_t copy_cap;
  gseq_work work;
  gfunnel_event inline_ev[SQ_INLINE];
} sq_state;

static void sq_fail(sqlite3_context *ctx, sq_state *st, char *err) {
  st->failed = 1;
  result_error(ctx, err);
}

static int sq_setup(sqlite3_context *ctx, sq_state *st, int argc, sqlite3_value **argv) {
  const char *fn = garg_fn_name(ctx);
  int nconds = argc - 2;
  if (nconds < 1 || nconds > GSEQ_MAX_CONDS) {
    sq_fail(ctx, st,
            sqlite3_mprintf("%s: expected (pattern, ts, cond1, ..., condN) with 1 to %d conditions, got %d "
                            "arguments",
                            fn, GSEQ_MAX_CONDS, argc));
    return -1;
  }
  sqlite3_value *p = argv[0];
  if (sqlite3_value_type(p) != SQLITE_TEXT) {
    char *d = garg_describe(p);
    sq_fail(ctx, st, sqlite3_mprintf("%s: pattern is %s, expected TEXT such as '(?1).*(?2)'", fn, d ? d : "?"));
    sqlite3_free(d);
    return -1;
  }
  const char *text = (const char *)sqlite3_value_text(p);
  int len = sqlite3_value_bytes(p);
  if (!text) {
    sq_fail(ctx, st, NULL);
    return -1;
  }
  char err[200];
  if (gseq_parse(text, (size_t)len, nconds, &st->pat, err, sizeof err) != 0) {
    if (!strcmp(err, "out of memory")) {
      sq_fail(ctx, st, NULL);
      return -1;
    }
    char *d = garg_describe(p);
    sq_fail(ctx, st,
            sqlite3_mprintf("%s: pattern is %s, expected a ClickHouse sequence pattern (%s)", fn, d ? d : "?", err));
    sqlite3_free(d);
    return -1;
  }
  st->pat_text = gmem_alloc((size_t)len + 1);
  if (!st->pat_text) {
    sq_fail(ctx, st, NULL);
    return -1;
  }
  memcpy(st->pat_text, text, (size_t)len);
  st->pat_text[len] = 0;
  st->pat_len = len;
  st->nconds = nconds;
  st->ev = st->inline_ev;
  st->cap = SQ_INLINE;
  st->ready = 1;
  return 0;
}

/* One row: 1 with *out when it is an event, 0 when not (no condition true, or a NULL), -1 on
** error; *valid says whether it had no NULL argument. */
static int sq_row(sqlite3_context *ctx, sq_state *st, int argc, sqlite3_value **argv, gfunnel_event *out, int *valid,
                  int dir) {
  *valid = 0;
  if (st->failed) return -1;
  if (!st->ready && sq_setup(ctx, st, argc, argv) < 0) return -1;
  const char *fn = garg_fn_name(ctx);
  sqlite3_value *p = argv[0];
  if (argc - 2 != st->nconds || sqlite3_value_type(p) != SQLITE_TEXT || sqlite3_value_bytes(p) != st->pat_len ||
      memcmp(sqlite3_value_text(p), st->pat_text, (size_t)st->pat_len) != 0) {
    char *d = garg_describe(p);
    sq_fail(ctx, st,
            sqlite3_mprintf("%s: the pattern must be the same on every row of a group (was '%s', now %s)", fn,
                            st->pat_text, d ? d : "?"));
    sqlite3_free(d);
    return -1;
  }
  char *err = NULL;
  int r = read_ts(argv[1], fn, &st->census, dir, &out->ts, &err);
  if (r < 0) {
    sq_fail(ctx, st, err);
    return -1;
  }
  if (r == 0) return 0;
  r = read_conds(argv + 2, st->nconds, 1, fn, &out->mask, &err);
  if (r < 0) {
    sq_fail(ctx, st, err);
    return -1;
  }
  if (r == 0) return 0;
  *valid = 1;
  return out->mask != 0; /* a row matching no condition is no event: it neither matches nor blocks */
}

static void sequence_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sq_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  gfunnel_event e;
  int valid, r = sq_row(ctx, st, argc, argv, &e, &valid, 1);
  if (r < 0) return;
  st->rows++;
  st->rows_valid += valid;
  if (r == 0) return;
  if (st->n == st->cap) {
    if (st->start > st->n / 2) { /* a sliding frame: reuse the space xInverse freed */
      memmove(st->ev, st->ev + st->start, (st->n - st->start) * sizeof *st->ev);
      st->n -= st->start;
      st->start = 0;
    } else {
      size_t cap = st->cap + st->cap / 2; /* grow by half: at most 24 bytes held per event */
      gfunnel_event *q;
      if (st->ev == st->inline_ev) {
        q = gmem_alloc(cap * sizeof *q);
        if (q) memcpy(q, st->inline_ev, st->n * sizeof *q);
      } else {
        q = gmem_realloc(st->ev, cap * sizeof *q);
      }
      if (!q) {
        sq_fail(ctx, st, NULL);
        return;
      }
      st->ev = q;
      st->cap = cap;
    }
  }
  st->ev[st->n++] = e;
}

void sequence_match_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) { sequence_step(ctx, argc, argv); }
void sequence_count_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) { sequence_step(ctx, argc, argv); }

static void sequence_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sq_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  gfunnel_event e;
  int valid, r = sq_row(ctx, st, argc, argv, &e, &valid, -1);
  if (r < 0) return;
  st->rows--;
  st->rows_valid -= valid;
  if (r == 0) return;
  /* frames leave in arrival order, so the row is normally the oldest held */
  for (size_t i = st->start; i < st->n; i++) {
    if (st->ev[i].ts == e.ts && st->ev[i].mask == e.mask) {
      if (i == st->start) st->start++;
      else {
        memmove(st->ev + i, st->ev + i + 1, (st->n - i - 1) * sizeof *st->ev);
        st->n--;
      }
      return;
    }
  }
}

void sequence_match_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) { sequence_inverse(ctx, argc, argv); }
void sequence_count_inverse(sqlite3_context *ctx, int argc, sqlite3_value **argv) { sequence_inverse(ctx, argc, argv); }

static void sq_result(sqlite3_context *ctx, sq_state *st, gfunnel_event *ev, size_t n, int count) {
  if (st->rows > 0 && st->rows_valid == 0) {
    sqlite3_result_null(ctx);
    return;
  }
  if (!census_ok(ctx, &st->census)) return;
  gfunnel_sort(ev, n, NULL);
  gcancel_db cancel;
  gcancel_db_init(&cancel, sqlite3_context_db_handle(ctx));
  int64_t r = gseq_eval(&st->pat, ev, n, count, &st->work, &cancel.base);
  int stop = gcancel_db_finish(&cancel);
  if (r >= 0) sqlite3_result_int64(ctx, r);
  else if (r == GSEQ_NOMEM || stop == SQLITE_NOMEM) sqlite3_result_error_nomem(ctx);
  else if (r == GSEQ_STOPPED) sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
  else result_error(ctx, sqlite3_mprintf("%s: more than %d events in one group", garg_fn_name(ctx), INT32_MAX - 2));
}

static void sq_free(sq_state *st) {
  if (st->ev != st->inline_ev) gmem_free(st->ev);
  gmem_free(st->copy);
  gmem_free(st->pat_text);
  gseq_pattern_free(&st->pat);
  gseq_work_free(&st->work);
  memset(st, 0, sizeof *st);
}

static void sequence_value(sqlite3_context *ctx, int count) {
  sq_state *st = sqlite3_aggregate_context(ctx, 0);
  if (st && st->failed) return;
  if (!st || !st->ready) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  size_t n = st->n - st->start;
  if (st->copy_cap < n) {
    gfunnel_event *q = gmem_realloc(st->copy, n * sizeof *q);
    if (!q) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    st->copy = q;
    st->copy_cap = n;
  }
  if (n) memcpy(st->copy, st->ev + st->start, n * sizeof *st->copy);
  sq_result(ctx, st, st->copy, n, count);
}

static void sequence_final(sqlite3_context *ctx, int count) {
  sq_state *st = sqlite3_aggregate_context(ctx, 0);
  /* no rows: the pattern was never seen, so nothing matched (see docs/journeys.md) */
  if (!st) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  if (st->ready && !st->failed) sq_result(ctx, st, st->ev + st->start, st->n - st->start, count);
  else if (!st->failed) sqlite3_result_int(ctx, 0);
  sq_free(st);
}

void sequence_match_value(sqlite3_context *ctx) { sequence_value(ctx, 0); }
void sequence_count_value(sqlite3_context *ctx) { sequence_value(ctx, 1); }
void sequence_match_final(sqlite3_context *ctx) { sequence_final(ctx, 0); }
void sequence_count_final(sqlite3_context *ctx) { sequence_final(ctx, 1); }

/* ------------------------------------------------------------------ sequence_next_node */

static const gopt_spec nn_spec[] = {
  {"forward", GOPT_FLAG},     {"backward", GOPT_FLAG},   {"head", GOPT_FLAG}, {"tail", GOPT_FLAG},
  {"first_match", GOPT_FLAG}, {"last_match", GOPT_FLAG}, {NULL, 0},
};

/* One row as held: the value's bytes are in the state's text buffer at off. */
typedef struct nn_row {
  int64_t ts;
  uint64_t mask;
  size_t off;
  uint32_t len;
  uint32_t can_be_base;
} nn_row;

typedef struct nn_state {
  int ready, failed, has_opts, nevents, direction, base;
  gts_census census;
  char *opt_text;
  int opt_len;
  nn_row *rows;
  size_t n, cap;
  char *text;
  size_t text_len, text_cap;
} nn_state;

static void nn_fail(sqlite3_context *ctx, nn_state *st, char *err) {
  st->failed = 1;
  result_error(ctx, err);
}

/* direction and base from the options: ClickHouse's pairs, with the one that is missing
** implied (backward: tail; tail: backward; nothing: forward,head). */
static int nn_read_options(sqlite3_context *ctx, nn_state *st, sqlite3_value *v) {
  const char *fn = garg_fn_name(ctx);
  gopts o;
  char *err = NULL;
  int rc = garg_options(v, fn, nn_spec, &o, &err);
  if (rc != SQLITE_OK) {
    nn_fail(ctx, st, err);
    return -1;
  }
  int fw = gopts_has(&o, nn_spec, "forward"), bw = gopts_has(&o, nn_spec, "backward");
  int nb = gopts_has(&o, nn_spec, "head") + gopts_has(&o, nn_spec, "tail") + gopts_has(&o, nn_spec, "first_match") +
           gopts_has(&o, nn_spec, "last_match");
  if (fw + bw > 1 || nb > 1) {
    nn_fail(ctx, st,
            sqlite3_mprintf("%s: options give one direction (forward or backward) and one base (head, tail, "
                            "first_match or last_match), not '%s'",
                            fn, (const char *)sqlite3_value_text(v)));
    return -1;
  }
  int base = gopts_has(&o, nn_spec, "tail")        ? GSEQ_TAIL
           : gopts_has(&o, nn_spec, "first_match") ? GSEQ_FIRST_MATCH
           : gopts_has(&o, nn_spec, "last_match")  ? GSEQ_LAST_MATCH
           : gopts_has(&o, nn_spec, "head")        ? GSEQ_HEAD
                                                   : -1;
  int dir = bw ? GSEQ_BACKWARD : fw ? GSEQ_FORWARD : base == GSEQ_TAIL ? GSEQ_BACKWARD : GSEQ_FORWARD;
  if (base < 0) base = dir == GSEQ_BACKWARD ? GSEQ_TAIL : GSEQ_HEAD;
  if ((base == GSEQ_HEAD && dir == GSEQ_BACKWARD) || (base == GSEQ_TAIL && dir == GSEQ_FORWARD)) {
    nn_fail(ctx, st,
            sqlite3_mprintf("%s: '%s' reads past the group's end (as ClickHouse, head goes with forward and "
                            "tail with backward)",
                            fn, (const char *)sqlite3_value_text(v)));
    return -1;
  }
  if ((base == GSEQ_FIRST_MATCH || base == GSEQ_LAST_MATCH) && st->nevents == 0) {
    nn_fail(ctx, st, sqlite3_mprintf("%s: first_match and last_match need event1 (the base is an event1 row)", fn));
    return -1;
  }
  st->direction = dir;
  st->base = base;
  return 0;
}

static int nn_setup(sqlite3_context *ctx, nn_state *st, int argc, sqlite3_value **argv) {
  const char *fn = garg_fn_name(ctx);
  st->has_opts = argc >= 4 && sqlite3_value_type(argv[argc - 1]) == SQLITE_TEXT;
  st->nevents = argc - 3 - st->has_opts;
  if (argc < 3 || st->nevents > GSEQ_MAX_NEXT_EVENTS) {
    nn_fail(ctx, st,
            sqlite3_mprintf("%s: expected (ts, event, base_condition, event1, ..., eventN [, options]) with 0 "
                            "to %d events, got %d arguments",
                            fn, GSEQ_MAX_NEXT_EVENTS, argc));
    return -1;
  }
  st->direction = GSEQ_FORWARD;
  st->base = GSEQ_HEAD;
  if (st->has_opts) {
    if (nn_read_options(ctx, st, argv[argc - 1]) < 0) return -1;
    const char *t = (const char *)sqlite3_value_text(argv[argc - 1]);
    if (!t || !(st->opt_text = sqlite3_mprintf("%s", t))) {
      nn_fail(ctx, st, NULL);
      return -1;
    }
    st->opt_len = sqlite3_value_bytes(argv[argc - 1]);
  }
  st->ready = 1;
  return 0;
}

static int nn_push(nn_state *st, const nn_row *r, const void *bytes) {
  if (st->n == st->cap) {
    size_t cap = st->cap ? st->cap + st->cap / 2 : 16;
    nn_row *q = gmem_realloc(st->rows, cap * sizeof *q);
    if (!q) return -1;
    st->rows = q;
    st->cap = cap;
  }
  if (st->text_cap - st->text_len < r->len) {
    size_t cap = st->text_cap ? st->text_cap : 256;
    while (cap - st->text_len < r->len) cap += cap / 2;
    char *q = gmem_realloc(st->text, cap);
    if (!q) return -1;
    st->text = q;
    st->text_cap = cap;
  }
  nn_row *d = &st->rows[st->n++];
  *d = *r;
  d->off = st->text_len;
  if (r->len) memcpy(st->text + st->text_len, bytes, r->len);
  st->text_len += r->len;
  return 0;
}

void sequence_next_node_step(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  nn_state *st = sqlite3_aggregate_context(ctx, sizeof *st);
  if (!st) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (st->failed) return;
  if (!st->ready && nn_setup(ctx, st, argc, argv) < 0) return;
  const char *fn = garg_fn_name(ctx);
  if (st->has_opts) {
    sqlite3_value *o = argv[argc - 1];
    if (sqlite3_value_type(o) != SQLITE_TEXT || sqlite3_value_bytes(o) != st->opt_len ||
        memcmp(sqlite3_value_text(o), st->opt_text, (size_t)st->opt_len) != 0) {
      char *d = garg_describe(o);
      nn_fail(ctx, st,
              sqlite3_mprintf("%s: options must be the same on every row of a group (was '%s', now %s)", fn,
                              st->opt_text, d ? d : "?"));
      sqlite3_free(d);
      return;
    }
  }
  char *err = NULL;
  nn_row r;
  int rc = read_ts(argv[0], fn, &st->census, 1, &r.ts, &err);
  if (rc < 0) {
    nn_fail(ctx, st, err);
    return;
  }
  if (rc == 0) return;
  sqlite3_value *ev = argv[1];
  int et = sqlite3_value_type(ev);
  if (et == SQLITE_NULL) return; /* ClickHouse skips a row whose event is NULL */
  if (et == SQLITE_BLOB) {
    nn_fail(ctx, st,
            sqlite3_mprintf("%s: event is a BLOB of %d bytes, expected TEXT (an event name)", fn,
                            sqlite3_value_bytes(ev)));
    return;
  }
  int on = 0;
  sqlite3_value *bc = argv[2];
  if (sqlite3_value_type(bc) == SQLITE_NULL) return;
  if (garg_bool(bc, fn, "base_condition", &on, &err) != SQLITE_OK) {
    nn_fail(ctx, st, err);
    return;
  }
  r.can_be_base = (uint32_t)on;
  rc = read_conds(argv + 3, st->nevents, 1, fn, &r.mask, &err);
  if (rc < 0) {
    nn_fail(ctx, st, err);
    return;
  }
  if (rc == 0) return;
  const unsigned char *bytes = sqlite3_value_text(ev);
  int len = sqlite3_value_bytes(ev);
  if (!bytes) {
    nn_fail(ctx, st, NULL);
    return;
  }
  r.len = (uint32_t)len;
  if (nn_push(st, &r, bytes) < 0) nn_fail(ctx, st, NULL);
}

static void nn_free(nn_state *st) {
  gmem_free(st->rows);
  gmem_free(st->text);
  sqlite3_free(st->opt_text);
  memset(st, 0, sizeof *st);
}

void sequence_next_node_final(sqlite3_context *ctx) {
  nn_state *st = sqlite3_aggregate_context(ctx, 0);
  if (!st) {
    sqlite3_result_null(ctx);
    return;
  }
  if (st->failed || !st->ready) {
    if (!st->failed) sqlite3_result_null(ctx);
    nn_free(st);
    return;
  }
  if (!census_ok(ctx, &st->census)) {
    nn_free(st);
    return;
  }
  gseq_node *v = gmem_alloc((st->n ? st->n : 1) * sizeof *v);
  if (!v) {
    sqlite3_result_error_nomem(ctx);
    nn_free(st);
    return;
  }
  for (size_t i = 0; i < st->n; i++) {
    const nn_row *r = &st->rows[i];
    /* no text held at all (every event empty): NULL + 0 would be undefined */
    const char *val = st->text ? st->text + r->off : "";
    v[i] = (gseq_node){r->ts, val, r->len, r->can_be_base, r->mask};
  }
  gseq_node_sort(v, st->n);
  long at = gseq_next_node(v, st->n, st->nevents, st->direction, st->base);
  if (at < 0) sqlite3_result_null(ctx);
  else sqlite3_result_text(ctx, v[at].len ? v[at].val : "", (int)v[at].len, SQLITE_TRANSIENT); /* '' is no NULL */
  gmem_free(v);
  nn_free(st);
}
