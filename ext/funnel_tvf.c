/*
** funnel_tvf.c: SQL glue of the table-valued funnel functions:
**   funnel(source, window, steps [, options])                 the report
**   funnel_actors(source, window, steps [, options])          one row per actor
** It reads the arguments and the source's rows; funnel_report.c computes the result.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cancel_db.h"
#include "funnel_engine.h"
#include "funnel_glue.h"
#include "funnel_report.h"
#include "json_rule.h"
#include "mem.h"
#include "registry.h"
#include "source.h"
#include "tvf.h"

static const gopt_spec report_spec[] = {
  FUNNEL_MODE_SPECS,  {"attempt", GOPT_VALUE}, {"exclude", GOPT_VALUE}, {"breakdown", GOPT_VALUE},
  {"tz", GOPT_VALUE}, {"ts_unit", GOPT_VALUE}, {"as_of", GOPT_VALUE},   {"allow_missing_steps", GOPT_FLAG},
  {NULL, 0},
};

#define BD_SEEN 8

typedef struct fbuild {
  const char *fn;
  gfunnel_config cfg;
  int nsteps, ndistinct, has_bd, bd_mode, bd_step;
  char *step_names[GFUNNEL_MAX_STEPS];  /* as given, per step */
  const char *dname[GFUNNEL_MAX_STEPS]; /* distinct names */
  int dlen[GFUNNEL_MAX_STEPS];
  uint64_t dword[GFUNNEL_MAX_STEPS][2]; /* short_text_words of those of at most 16 bytes */
  uint64_t code_mask[256]; /* code -> steps it satisfies */
  char *exclude;
  int exclude_len;
  /* The rows read (funnel_report.h). Actors are keys: a small non-negative INTEGER actor (user
  ** id) is its own key, with no lookup at all; any other actor value is numbered by the actors
  ** table and keyed GFUNNEL_ACTOR_DIRECT_MAX + its id. Actor 1 and actor 1.0 are two actors, as
  ** they have always been here (the table keeps REALs apart from INTEGERs). */
  gfunnel_rows held;
  gkeys actors, bds; /* actors other than small INTEGERs; breakdown values */
  /* timestamps as the source stores them (ts_unit, tz) and the as_of rule (timestamp.h) */
  gts_format format;
  gts_census census;
  gts_iso_memo iso; /* the last ISO month read (timestamp.h) */
  int as_of_given, allow_missing;
  int64_t as_of_us;
  int64_t earliest_us;                     /* earliest ts read, also of rows too late */
  uint64_t rows;                           /* rows with a ts */
  uint64_t seen, too_late;                 /* of which before as_of, and at or after it */
  unsigned char occurs[GFUNNEL_MAX_STEPS]; /* per distinct name: some row seen has it */
  /* the first short TEXT breakdown values and their ids: a breakdown column of a few values (a
  ** channel) is read from every row, and comparing two words beats hashing it each time */
  struct {
    uint64_t w[2]; /* the text, zero-padded */
    size_t len;
    uint32_t id;
  } bd_seen[BD_SEEN];
  int nbd_seen;
  /* Rows of TEXT, BLOB and REAL actors wait here to be numbered with look-ahead (a UUID's
  ** lookup among 70k actors is a cache miss, one per row when done in SQLite's row loop), then
  ** go to `held` in source order before any later row (fb_flush): ids and rows as before. */
  gkeys_ahead ahead;
  void *ahead_mem; /* GKEYS_AHEAD_MEM, on the first such row */
  size_t nwait;
  struct {
    int64_t ts;
    uint32_t bd_code;
    uint32_t repeat; /* the actor is the previous waiting row's (not queued again) */
  } wait[GKEYS_AHEAD_KEYS];
} fbuild;

/* Two words that tell apart the texts of one length up to 16 bytes, read with no call (a
** memcmp or a memcpy of a variable length is one, on every source row): the first and the last
** 8 bytes (4 below 8 bytes, overlapping), or below 4 the first, middle and last byte. */
static inline void short_text_words(const unsigned char *t, size_t len, uint64_t w[2]) {
  uint64_t a = 0, z = 0;
  if (len >= 8) {
    memcpy(&a, t, 8);
    memcpy(&z, t + len - 8, 8);
  } else if (len >= 4) {
    uint32_t x, y;
    memcpy(&x, t, 4);
    memcpy(&y, t + len - 4, 4);
    a = x, z = y;
  } else if (len > 0) {
    a = (uint64_t)t[0] | (uint64_t)t[len / 2] << 8 | (uint64_t)t[len - 1] << 16;
  }
  w[0] = a, w[1] = z;
}

/* The breakdown value's id + 1 (0: NULL). Returns SQLITE_OK, or an error for pzErr. */
static int breakdown_id(fbuild *b, sqlite3_value *v, uint32_t *bd, char **pzErr) {
  gkey key;
  int has_key = garg_key(v, &key);
  *bd = 0;
  if (has_key == 0) return SQLITE_OK;
  if (has_key < 0) return SQLITE_NOMEM;
  uint64_t w[2] = {0, 0};
  int short_text = key.type == GKEY_TEXT && key.len <= sizeof w;
  if (short_text) {
    short_text_words(key.bytes, key.len, w);
    for (int i = 0; i < b->nbd_seen; i++)
      if (b->bd_seen[i].w[0] == w[0] && b->bd_seen[i].w[1] == w[1] && b->bd_seen[i].len == key.len) {
        *bd = b->bd_seen[i].id + 1;
        return SQLITE_OK;
      }
  }
  /* breakdown 1 and 1.0 are two rows of the report, as they have always been */
  uint32_t id;
  if (gkeys_intern(&b->bds, &key, &id) < 0) return SQLITE_NOMEM;
  if (id + 1 > GFUNNEL_BD_MAX) {
    *pzErr = sqlite3_mprintf("%s: more than %u distinct breakdown values", b->fn, GFUNNEL_BD_MAX);
    return SQLITE_ERROR;
  }
  if (short_text && b->nbd_seen < BD_SEEN) {
    memcpy(b->bd_seen[b->nbd_seen].w, w, sizeof w);
    b->bd_seen[b->nbd_seen].len = key.len;
    b->bd_seen[b->nbd_seen++].id = id;
  }
  *bd = id + 1;
  return SQLITE_OK;
}

/* The waiting rows to `held`, numbered in order. SQLITE_OK or SQLITE_NOMEM. */
static int fb_flush(fbuild *b) {
  size_t n = b->nwait;
  int rc = SQLITE_OK;
  b->nwait = 0;
  gkeys_ahead_begin(&b->actors, &b->ahead);
  uint32_t id = 0;
  for (size_t i = 0; i < n && rc == SQLITE_OK; i++) {
    if ((!b->wait[i].repeat && gkeys_ahead_intern_next(&b->actors, &b->ahead, &id) < 0) ||
        gfunnel_rows_add(&b->held, b->wait[i].ts, GFUNNEL_ACTOR_DIRECT_MAX + id, b->wait[i].bd_code) != 0)
      rc = SQLITE_NOMEM;
  }
  gkeys_ahead_clear(&b->ahead);
  return rc;
}

/* A row whose actor is looked up in the actors table: queued, or (an INTEGER, or a key too
** long to queue) looked up now, after the rows waiting. */
static int fb_add_keyed(fbuild *b, sqlite3_value *actor, int64_t ts, uint32_t bd_code) {
  gkey key;
  uint32_t id;
  if (garg_key(actor, &key) < 0) return SQLITE_NOMEM;
  if (key.type != GKEY_INT && gkeys_ahead_takes(&key)) {
    if (!b->ahead_mem) {
      if (!(b->ahead_mem = gmem_alloc(GKEYS_AHEAD_MEM))) return SQLITE_NOMEM;
      gkeys_ahead_init(&b->ahead, b->ahead_mem);
    }
    if (b->nwait == GKEYS_AHEAD_KEYS && fb_flush(b) != SQLITE_OK) return SQLITE_NOMEM;
    /* a session's rows one after another: the previous row's actor again is not queued */
    int repeat = b->nwait && gkeys_ahead_repeats_last(&b->ahead, &key);
    if (!repeat && !gkeys_ahead_push(&b->ahead, &key, b->nwait)) {
      if (fb_flush(b) != SQLITE_OK) return SQLITE_NOMEM;
      gkeys_ahead_push(&b->ahead, &key, 0); /* fits the empty queue */
    }
    b->wait[b->nwait].ts = ts;
    b->wait[b->nwait].repeat = (uint32_t)repeat;
    b->wait[b->nwait++].bd_code = bd_code;
    return SQLITE_OK;
  }
  if ((b->nwait && fb_flush(b) != SQLITE_OK) || gkeys_intern(&b->actors, &key, &id) < 0) return SQLITE_NOMEM;
  return gfunnel_rows_add(&b->held, ts, GFUNNEL_ACTOR_DIRECT_MAX + id, bd_code) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

static int fb_read_row(fbuild *b, sqlite3_value **cols, char **pzErr) {
  /* the timestamp first, on every row: a source with its columns swapped is an error here,
  ** not a funnel of 0 actors because no row's "event" named a step */
  int64_t ts;
  int rc = SQLITE_OK;
  sqlite3_int64 secs;
  /* Unix seconds inline (garg_ts reads every other form, and any value out of range) */
  if (b->format.unit == GTS_SECONDS && sqlite3_value_type(cols[1]) == SQLITE_INTEGER &&
      (secs = sqlite3_value_int64(cols[1])) >= GTIME_MIN_US / GTIME_US_PER_SEC &&
      secs <= GTIME_MAX_US / GTIME_US_PER_SEC) {
    ts = secs * GTIME_US_PER_SEC;
    gts_census_int(&b->census, &b->format, secs);
  } else {
    rc = garg_ts_memo(cols[1], &b->format, &b->census, &b->iso, b->fn, "ts (source column 2)", &ts, pzErr);
    if (rc == GARG_NULL) return SQLITE_OK;
    if (rc != SQLITE_OK) return rc;
  }
  if (ts < b->earliest_us) b->earliest_us = ts;
  b->rows++;
  /* the event decides whether the row matters at all; this runs once per source row, so it
  ** makes as few sqlite3_value_* calls as it can. Rows after as_of count for the step names
  ** that occur (a name is misspelt or not, whatever the as_of). */
  sqlite3_value *ev = cols[2];
  const unsigned char *name = sqlite3_value_text(ev);
  if (!name) {
    if (sqlite3_value_type(ev) != SQLITE_NULL) return SQLITE_NOMEM;
    if (b->as_of_given && ts >= b->as_of_us) b->too_late++;
    else b->seen++;
    return SQLITE_OK;
  }
  int len = sqlite3_value_bytes(ev);
  int code = 0;
  if (len <= 16) {
    /* names are distinct: at most one matches, so no early exit (no branch on which one) */
    uint64_t w[2];
    short_text_words(name, (size_t)len, w);
    for (int d = 0; d < b->ndistinct; d++)
      code = b->dlen[d] == len && b->dword[d][0] == w[0] && b->dword[d][1] == w[1] ? d + 1 : code;
  } else {
    for (int d = 0; d < b->ndistinct && !code; d++)
      if (b->dlen[d] == len && memcmp(b->dname[d], name, (size_t)len) == 0) code = d + 1;
  }
  if (code) b->occurs[code - 1] = 1;
  if (b->as_of_given && ts >= b->as_of_us) {
    b->too_late++;
    return SQLITE_OK;
  }
  b->seen++;
  if (!code && b->exclude && b->exclude_len == len && memcmp(b->exclude, name, (size_t)len) == 0)
    code = GFUNNEL_CODE_EXCLUDE;
  /* rows of no interest are dropped at once, except "other" events under strict_order */
  if (!code && !(b->cfg.flags & GFUNNEL_STRICT_ORDER)) return SQLITE_OK;
  int at = sqlite3_value_type(cols[0]);
  if (at == SQLITE_NULL) return SQLITE_OK;
  uint32_t bd = 0;
  if (b->has_bd && (rc = breakdown_id(b, cols[3], &bd, pzErr)) != SQLITE_OK) return rc;
  sqlite3_int64 iv = at == SQLITE_INTEGER ? sqlite3_value_int64(cols[0]) : -1;
  if (iv < 0 || iv >= GFUNNEL_ACTOR_DIRECT_MAX) return fb_add_keyed(b, cols[0], ts, bd << 8 | (uint32_t)code);
  if (b->nwait && fb_flush(b) != SQLITE_OK) return SQLITE_NOMEM; /* rows stay in source order */
  return gfunnel_rows_add(&b->held, ts, (uint32_t)iv, bd << 8 | (uint32_t)code) == 0 ? SQLITE_OK : SQLITE_NOMEM;
}

/* A row that fails comes after the rows waiting: their error (out of memory) comes first. */
static int fb_row(void *ctx, sqlite3_value **cols, char **pzErr) {
  fbuild *b = ctx;
  int rc = fb_read_row(b, cols, pzErr);
  if (rc == SQLITE_OK || !b->nwait || fb_flush(b) == SQLITE_OK) return rc;
  sqlite3_free(*pzErr);
  *pzErr = NULL;
  return SQLITE_NOMEM;
}

typedef struct fresult {
  int is_actors;
  fbuild *b; /* names, breakdown and actor values */
  gfunnel_actor *act;
  size_t nact;
  gfunnel_report_row *rep;
  size_t nrep;
} fresult;

static void fb_free(fbuild *b) {
  if (!b) return;
  for (int k = 0; k < b->nsteps; k++) sqlite3_free(b->step_names[k]);
  sqlite3_free(b->exclude);
  gkeys_free(&b->actors);
  gkeys_free(&b->bds);
  gmem_free(b->ahead_mem);
  gfunnel_rows_free(&b->held);
  sqlite3_free(b);
}

static void fresult_free(void *p) {
  fresult *r = p;
  if (!r) return;
  fb_free(r->b);
  gmem_free(r->act);
  gmem_free(r->rep);
  sqlite3_free(r);
}

static char *ferr(int *rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *m = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  *rc = m ? SQLITE_ERROR : SQLITE_NOMEM;
  return m;
}

/* steps: a comma list ('view, cart, pay') or a JSON array of strings. */
static int parse_steps(fbuild *b, sqlite3_value *v, char **pzErr) {
  int rc = SQLITE_OK;
  /* the type first: sqlite3_value_text would turn a BLOB into TEXT */
  const char *text = sqlite3_value_type(v) == SQLITE_TEXT ? (const char *)sqlite3_value_text(v) : NULL;
  if (!text) {
    char *d = garg_describe(v);
    *pzErr = ferr(&rc, "%s: steps is %s, expected event names as 'view,cart,pay' or a JSON array", b->fn, d ? d : "?");
    sqlite3_free(d);
    return rc;
  }
  const char *p = text;
  while (*p == ' ' || *p == '\t' || *p == '\n') p++;
  if (*p == '[') {
    /* The promotion rules' strict JSON reader: a name with \u0000 in it would be cut short
    ** ("vi\u0000ew" read as "vi"), so it is refused; running out of memory is SQLITE_NOMEM,
    ** not a complaint about the steps. */
    gjson arr;
    size_t at;
    const char *why = gjson_parse(text, (size_t)sqlite3_value_bytes(v), &arr, &at);
    if (why && strcmp(why, "out of memory") == 0) return SQLITE_NOMEM;
    if (why && strcmp(why, GJSON_NUL_IN_STRING) == 0) {
      *pzErr = ferr(&rc, "%s: steps is TEXT '%s': \\u0000 (NUL) in an event name at offset %lld", b->fn, text,
                    (long long)at);
      return rc;
    }
    if (why || arr.kind != GJ_ARRAY) {
      if (!why) gjson_free(&arr);
      *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected a JSON array of event names", b->fn, text);
      return rc;
    }
    for (int k = 0; k < arr.n; k++) {
      if (b->nsteps == GFUNNEL_MAX_STEPS) {
        b->nsteps++;
        break;
      }
      if (arr.items[k].kind != GJ_STRING) {
        gjson_free(&arr);
        *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected a JSON array of event names (strings)", b->fn, text);
        return rc;
      }
      if (!(b->step_names[b->nsteps++] = sqlite3_mprintf("%s", arr.items[k].text))) {
        gjson_free(&arr);
        return SQLITE_NOMEM;
      }
    }
    gjson_free(&arr);
  } else {
    const char *s = text;
    for (;;) {
      const char *e = strchr(s, ',');
      if (!e) e = s + strlen(s);
      const char *a = s, *z = e;
      while (a < z && (*a == ' ' || *a == '\t' || *a == '\n')) a++;
      while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\n')) z--;
      if (a == z) {
        *pzErr = ferr(&rc, "%s: steps is TEXT '%s', expected non-empty event names separated by commas", b->fn, text);
        return rc;
      }
      if (b->nsteps == GFUNNEL_MAX_STEPS) {
        b->nsteps++;
        break;
      }
      if (!(b->step_names[b->nsteps++] = sqlite3_mprintf("%.*s", (int)(z - a), a))) return SQLITE_NOMEM;
      if (!*e) break;
      s = e + 1;
    }
  }
  if (b->nsteps == 0 || b->nsteps > GFUNNEL_MAX_STEPS) {
    if (b->nsteps > GFUNNEL_MAX_STEPS) b->nsteps = GFUNNEL_MAX_STEPS;
    *pzErr = ferr(&rc, "%s: steps must name 1 to %d events", b->fn, GFUNNEL_MAX_STEPS);
    return rc;
  }
  /* distinct names get codes; a name used by several steps satisfies all of them */
  for (int k = 0; k < b->nsteps; k++) {
    int d = 0;
    while (d < b->ndistinct && strcmp(b->dname[d], b->step_names[k]) != 0) d++;
    if (d == b->ndistinct) {
      b->dname[d] = b->step_names[k];
      b->dlen[d] = (int)strlen(b->step_names[k]);
      if (b->dlen[d] <= 16) short_text_words((const unsigned char *)b->dname[d], (size_t)b->dlen[d], b->dword[d]);
      b->ndistinct++;
    }
    b->code_mask[d + 1] |= UINT64_C(1) << k;
  }
  return SQLITE_OK;
}

/* tz, ts_unit and as_of: how the source's ts reads, and the instant of the analysis. */
static int read_ts_options(fbuild *b, const gopts *o, char **pzErr) {
  gcalendar cal;
  int rc = garg_calendar_options(o, report_spec, b->fn, &cal, pzErr);
  if (rc == SQLITE_OK) rc = garg_ts_format(o, report_spec, b->fn, cal.offset_s, &b->format, pzErr);
  if (rc != SQLITE_OK) return rc;
  const char *as_of = gopts_value(o, report_spec, "as_of");
  b->as_of_given = as_of != NULL;
  return as_of ? garg_as_of_text(as_of, &b->format, b->fn, &b->as_of_us, pzErr) : SQLITE_OK;
}

/* After the scan: misencoded timestamps, an as_of before every row, and a step whose event
** occurs in no row, before or after as_of (a misspelt name would otherwise be a step of 0
** actors; an event that only happens after as_of is spelt right). */
static int check_scan(fbuild *b, char **pzErr) {
  int rc = garg_ts_census(&b->census, b->fn, "source timestamps", pzErr);
  if (rc != SQLITE_OK) return rc;
  if (b->as_of_given && b->seen == 0 && b->too_late > 0)
    return garg_as_of_before_rows(b->fn, b->as_of_us, b->earliest_us, b->format.offset_s, pzErr);
  if (b->rows == 0 || b->allow_missing) return SQLITE_OK;
  for (int k = 0; k < b->nsteps; k++) {
    int d = 0;
    while (strcmp(b->dname[d], b->step_names[k]) != 0) d++;
    if (!b->occurs[d]) {
      *pzErr = ferr(&rc,
                    "%s: step %d '%s' is the event of no source row (%llu read): check the name, or say "
                    "allow_missing_steps to report it with 0 actors",
                    b->fn, k + 1, b->step_names[k], (unsigned long long)b->rows);
      return rc;
    }
  }
  return SQLITE_OK;
}

static int parse_report_options(fbuild *b, sqlite3_value *v, char **pzErr) {
  int rc;
  gopts o;
  if (!v) return SQLITE_OK;
  rc = garg_options(v, b->fn, report_spec, &o, pzErr);
  if (rc == SQLITE_OK) rc = funnel_read_modes(&o, report_spec, b->fn, &b->cfg.flags, pzErr);
  if (rc == SQLITE_OK) rc = read_ts_options(b, &o, pzErr);
  if (rc != SQLITE_OK) return rc;
  b->allow_missing = gopts_has(&o, report_spec, "allow_missing_steps");
  const char *attempt = gopts_value(&o, report_spec, "attempt");
  if (attempt) {
    if (strcmp(attempt, "first") == 0) b->cfg.flags |= GFUNNEL_FIRST_ATTEMPT;
    else if (strcmp(attempt, "furthest") != 0) {
      *pzErr = ferr(&rc, "%s: option attempt='%s', expected furthest or first", b->fn, attempt);
      return rc;
    }
  }
  const char *ex = gopts_value(&o, report_spec, "exclude");
  if (ex) {
    for (int k = 0; k < b->nsteps; k++)
      if (strcmp(b->step_names[k], ex) == 0) {
        *pzErr = ferr(&rc, "%s: option exclude='%s' is also step %d; an excluded event cannot be a step", b->fn, ex,
                      k + 1);
        return rc;
      }
    if (!(b->exclude = sqlite3_mprintf("%s", ex))) return SQLITE_NOMEM;
    b->exclude_len = (int)strlen(ex);
  }
  const char *bd = gopts_value(&o, report_spec, "breakdown");
  if (bd) {
    if (!b->has_bd) {
      *pzErr = ferr(&rc, "%s: option breakdown='%s' needs a 4th source column (the breakdown value)", b->fn, bd);
      return rc;
    }
    if (strcmp(bd, "first") == 0) b->bd_mode = GFUNNEL_BD_FIRST;
    else if (strcmp(bd, "last") == 0) b->bd_mode = GFUNNEL_BD_LAST;
    else {
      char *end = NULL;
      long k = strncmp(bd, "step:", 5) == 0 ? strtol(bd + 5, &end, 10) : 0;
      if (!end || *end || k < 1 || k > b->nsteps) {
        *pzErr = ferr(&rc, "%s: option breakdown='%s', expected first, last or step:K with K from 1 to %d", b->fn, bd,
                      b->nsteps);
        return rc;
      }
      b->bd_mode = GFUNNEL_BD_STEP;
      b->bd_step = (int)k;
    }
  }
  return SQLITE_OK;
}

static int funnel_compute_common(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                 int64_t *nrows, char **pzErr, int is_actors) {
  const char *fn = spec->name;
  int rc;
  fbuild *b = sqlite3_malloc64(sizeof *b);
  fresult *r = sqlite3_malloc64(sizeof *r);
  if (!b || !r) {
    sqlite3_free(b);
    sqlite3_free(r);
    return SQLITE_NOMEM;
  }
  memset(b, 0, sizeof *b);
  garg_seed_keys(&b->actors), garg_seed_keys(&b->bds); /* keys.h: ids are data, a seed per statement */
  memset(r, 0, sizeof *r);
  r->b = b;
  r->is_actors = is_actors;
  b->fn = fn;
  b->earliest_us = INT64_MAX;
  gsource src;
  memset(&src, 0, sizeof src);
  int src_open = 0;
  gfunnel_reached reached = {NULL, 0, NULL, 0};
  rc = gsource_open_arg(&src, db, fn, "source", args[0], pzErr);
  if (rc != SQLITE_OK) goto fail;
  src_open = 1;
  rc = funnel_read_window(args[1], fn, &b->cfg.window, pzErr);
  if (rc != SQLITE_OK) goto fail;
  if (src.ncol < 3) {
    *pzErr = ferr(&rc, "%s: source has %d column%s, expected actor, ts, event and an optional breakdown", fn, src.ncol,
                  src.ncol == 1 ? "" : "s");
    goto fail;
  }
  b->has_bd = src.ncol >= 4;
  rc = parse_steps(b, args[2], pzErr);
  if (rc != SQLITE_OK) goto fail;
  b->cfg.nsteps = b->nsteps;
  rc = parse_report_options(b, args[3], pzErr);
  if (rc != SQLITE_OK) goto fail;
  int cols[4] = {0, 1, 2, 3};
  rc = gsource_scan(&src, fn, cols, b->has_bd ? 4 : 3, fb_row, b, pzErr);
  if (b->nwait && fb_flush(b) != SQLITE_OK) {
    sqlite3_free(*pzErr);
    *pzErr = NULL;
    rc = SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) goto fail;
  gsource_close(&src);
  src_open = 0;
  rc = check_scan(b, pzErr);
  if (rc != SQLITE_OK) goto fail;
  /* computing the result runs no SQL: the engine and the loops ask the connection now and then */
  gcancel_db cancel;
  gcancel_db_init(&cancel, db);
  gfunnel_plan plan;
  plan.cfg = b->cfg;
  memcpy(plan.code_mask, b->code_mask, sizeof plan.code_mask);
  plan.has_bd = b->has_bd;
  plan.bd_mode = b->bd_mode;
  plan.bd_step = b->bd_step;
  /* the report needs only each actor's level, breakdown and step times (gfunnel_reached) */
  const char *why = is_actors ? gfunnel_evaluate(&plan, &b->held, &r->act, &r->nact, NULL, NULL, &cancel.base)
                              : gfunnel_evaluate_reached(&plan, &b->held, 1, &reached, &cancel.base);
  char err[200];
  if (!why && !is_actors &&
      gfunnel_report(&plan, &b->bds, &reached, &r->rep, &r->nrep, &cancel.base, err, sizeof err))
    why = err;
  int stop = gcancel_db_finish(&cancel);
  if (!why) rc = SQLITE_OK;
  else if (strcmp(why, gcancel_reason) == 0) rc = stop != SQLITE_OK ? stop : SQLITE_INTERRUPT;
  else if (strcmp(why, "out of memory") == 0) rc = SQLITE_NOMEM;
  else *pzErr = ferr(&rc, "%s: %s", fn, why);
  if (rc != SQLITE_OK) goto fail;
  gmem_free(reached.bd_level);
  gmem_free(reached.us);
  *result = r;
  *nrows = (int64_t)(is_actors ? r->nact : r->nrep);
  return SQLITE_OK;
fail:
  if (src_open) gsource_close(&src);
  gmem_free(reached.bd_level);
  gmem_free(reached.us);
  fresult_free(r);
  return rc;
}

static int funnel_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                          char **pzErr) {
  return funnel_compute_common(db, spec, args, result, nrows, pzErr, 0);
}
static int funnel_actors_compute(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result,
                                 int64_t *nrows, char **pzErr) {
  return funnel_compute_common(db, spec, args, result, nrows, pzErr, 1);
}

static void result_bd(const fbuild *b, uint32_t bd, sqlite3_context *ctx) {
  if (bd == 0) {
    sqlite3_result_null(ctx);
  } else {
    gkey key = gkeys_get(&b->bds, bd - 1);
    garg_result_key(ctx, &key);
  }
}

/* Local time in tz (UTC by default), as the analyst's calendar reads it. */
static void result_ts(int64_t us, int32_t offset_s, sqlite3_context *ctx) {
  char buf[GTIME_TEXT_MAX];
  sqlite3_result_text(ctx, gtime_format(us, offset_s, buf), -1, SQLITE_TRANSIENT);
}

static void funnel_column(void *result, int64_t i, int col, sqlite3_context *ctx) {
  fresult *r = result;
  const gfunnel_report_row *row = &r->rep[i];
  switch (col) {
    case 0: result_bd(r->b, row->bd, ctx); break;
    case 1: sqlite3_result_int(ctx, row->step); break;
    case 2: sqlite3_result_text(ctx, r->b->step_names[row->step - 1], -1, SQLITE_TRANSIENT); break;
    case 3: sqlite3_result_int64(ctx, row->actors); break;
    case 4:
      if (row->has_conv) sqlite3_result_double(ctx, row->conv_prev);
      break;
    case 5:
      if (row->has_conv) sqlite3_result_double(ctx, row->conv_first);
      break;
    case 6: sqlite3_result_int64(ctx, row->dropped); break;
    case 7:
      if (row->has_time) sqlite3_result_double(ctx, row->median);
      break;
    case 8:
      if (row->has_time) sqlite3_result_double(ctx, row->p90);
      break;
    case 9:
      if (row->has_time) sqlite3_result_double(ctx, row->avg);
      break;
    default: break;
  }
}

static void funnel_actors_column(void *result, int64_t i, int col, sqlite3_context *ctx) {
  fresult *r = result;
  const gfunnel_actor *a = &r->act[i];
  switch (col) {
    case 0:
      if (a->actor < GFUNNEL_ACTOR_DIRECT_MAX) {
        sqlite3_result_int64(ctx, a->actor);
      } else {
        gkey key = gkeys_get(&r->b->actors, a->actor - GFUNNEL_ACTOR_DIRECT_MAX);
        garg_result_key(ctx, &key);
      }
      break;
    case 1: result_bd(r->b, a->bd, ctx); break;
    case 2: sqlite3_result_int(ctx, a->level); break;
    case 3: result_ts(a->step1, r->b->format.offset_s, ctx); break;
    case 4: result_ts(a->last, r->b->format.offset_s, ctx); break;
    case 5: sqlite3_result_double(ctx, (double)(a->last - a->step1) / 1e6); break;
    default: break;
  }
}

static const char *const funnel_arg_names[] = {"source", "window", "steps", "options"};

const gtvf_spec funnel_spec = {
  .name = "funnel",
  .schema =
    "CREATE TABLE x(breakdown, step INTEGER, event TEXT, actors INTEGER, conversion_from_prev REAL, "
    "conversion_from_first REAL, dropped INTEGER, median_seconds REAL, p90_seconds REAL, avg_seconds REAL, "
    "source HIDDEN, window HIDDEN, steps HIDDEN, options HIDDEN)",
  .n_out = 10,
  .n_args = 4,
  .n_required = 3,
  .arg_names = funnel_arg_names,
  .innocuous = 0,
  .compute = funnel_compute,
  .column = funnel_column,
  .destroy = fresult_free,
  .sources = 1u << 0,
  .options = report_spec,
};

const gtvf_spec funnel_actors_spec = {
  .name = "funnel_actors",
  .schema =
    "CREATE TABLE x(actor, breakdown, level INTEGER, step1_ts TEXT, last_ts TEXT, seconds_to_last REAL, "
    "source HIDDEN, window HIDDEN, steps HIDDEN, options HIDDEN)",
  .n_out = 6,
  .n_args = 4,
  .n_required = 3,
  .arg_names = funnel_arg_names,
  .innocuous = 0,
  .compute = funnel_actors_compute,
  .column = funnel_actors_column,
  .destroy = fresult_free,
  .sources = 1u << 0,
  .options = report_spec,
};
