/* tvf.c: see tvf.h. */
#include "tvf.h"

#include <string.h>

#include "args.h"
#include "source.h"

typedef struct gtvf_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  const gtvf_spec *spec;
  gtvf_conn *conn; /* the connection's shared state; NULL in tests that register a bare host */
} gtvf_vtab;

typedef struct gtvf_cursor {
  sqlite3_vtab_cursor base;
  void *result;
  int64_t nrows, row;
  sqlite3_value *args[GTVF_MAX_ARGS];
} gtvf_cursor;

static int gtvf_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out, char **pzErr) {
  (void)argc;
  (void)argv;
  const gtvf_host *host = aux;
  const gtvf_spec *spec = host->spec;
  int rc = sqlite3_declare_vtab(db, spec->schema);
  if (rc != SQLITE_OK) {
    *pzErr = sqlite3_mprintf("%s: bad schema: %s", spec->name, sqlite3_errmsg(db));
    return rc;
  }
  /* Functions that run SQL text must never run from a view or trigger of a hostile schema;
  ** an application that called growth_trust_schema(1) lets SQLite's own rule decide (views
  ** and triggers of a schema run them only while PRAGMA trusted_schema is on). */
  if (spec->innocuous) sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  else if (!host->conn || !host->conn->trust_schema) sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if (host->conn) host->conn->connected = 1;
  gtvf_vtab *vt = sqlite3_malloc64(sizeof *vt);
  if (!vt) return SQLITE_NOMEM;
  memset(vt, 0, sizeof *vt);
  vt->db = db;
  vt->spec = spec;
  vt->conn = host->conn;
  *out = &vt->base;
  return SQLITE_OK;
}

static int gtvf_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

#define GTVF_MISSING (1 << 30)

/* The value the statement's text fixes for argument arg (a literal), or NULL: a parameter or a
** column of a join is known only when the statement runs. NULL too for a NULL literal: what NULL
** means is xFilter's to say. */
static sqlite3_value *literal_arg(sqlite3_index_info *info, const int *usable_at, int arg) {
  sqlite3_value *v = NULL;
  if (usable_at[arg] < 0 || sqlite3_vtab_rhs_value(info, usable_at[arg], &v) != SQLITE_OK || !v) return NULL;
  return sqlite3_value_type(v) == SQLITE_NULL ? NULL : v;
}

/* Opens (prepares, never runs) a source argument, so that "no such table" and the like fail the
** statement's prepare (tvf.h). Checks do not nest: preparing a source that calls a table-valued
** function leaves that function's own sources to its own prepare, so a source that quotes itself
** cannot recurse here. */
static int check_source(gtvf_vtab *vt, int arg, sqlite3_value *v, char **err) {
  if (!vt->conn || vt->conn->checking) return SQLITE_OK;
  gsource src;
  vt->conn->checking = 1;
  int rc = gsource_open_arg(&src, vt->db, vt->spec->name, vt->spec->arg_names[arg], v, err);
  vt->conn->checking = 0;
  if (rc == SQLITE_OK) gsource_close(&src);
  return rc;
}

/* Parses a literal options argument as compute will (tvf.h, gtvf_spec.options); values of
** options stay compute's to check. */
static int check_options(gtvf_vtab *vt, sqlite3_value *v, char **err) {
  gopts parsed;
  return garg_options(v, vt->spec->name, vt->spec->options, &parsed, err);
}

/* What the statement's text fixes of the arguments is checked when it is prepared: sources and
** options. A value known only when the statement runs is checked by xFilter, with the same
** message. The error goes to zErrMsg, where SQLite takes it for the prepare's. */
static int check_literal_args(gtvf_vtab *vt, sqlite3_index_info *info, const int *usable_at) {
  const gtvf_spec *spec = vt->spec;
  for (int arg = 0; arg < spec->n_args; arg++) {
    int is_source = (spec->sources >> arg) & 1;
    int is_options = spec->options && strcmp(spec->arg_names[arg], "options") == 0;
    sqlite3_value *v = is_source || is_options ? literal_arg(info, usable_at, arg) : NULL;
    if (!v) continue;
    char *err = NULL;
    int rc = is_source ? check_source(vt, arg, v, &err) : check_options(vt, v, &err);
    if (rc == SQLITE_OK) continue;
    if (rc == SQLITE_NOMEM || !err) {
      sqlite3_free(err);
      return SQLITE_NOMEM;
    }
    sqlite3_free(vt->base.zErrMsg);
    vt->base.zErrMsg = err;
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

static int gtvf_best_index(sqlite3_vtab *tab, sqlite3_index_info *info) {
  gtvf_vtab *vt = (gtvf_vtab *)tab;
  const gtvf_spec *spec = vt->spec;
  int usable_at[GTVF_MAX_ARGS], unusable = 0;
  for (int i = 0; i < GTVF_MAX_ARGS; i++) usable_at[i] = -1;
  for (int c = 0; c < info->nConstraint; c++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[c];
    int arg = k->iColumn - spec->n_out;
    if (arg < 0 || arg >= spec->n_args || k->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!k->usable) unusable |= 1 << arg;
    else if (usable_at[arg] < 0) usable_at[arg] = c;
  }
  int mask = 0, next = 1;
  for (int arg = 0; arg < spec->n_args; arg++) {
    if (usable_at[arg] < 0) continue;
    mask |= 1 << arg;
    info->aConstraintUsage[usable_at[arg]].argvIndex = next++;
    info->aConstraintUsage[usable_at[arg]].omit = 1;
  }
  /* An argument present but not usable yet (its value comes from a table later in this join
  ** order): let the planner try another order. Optional ones too: a plan that left one out
  ** would compute with the default, and SQLite would then drop every row, since the hidden
  ** column holds what was actually used, not the joined value. */
  for (int arg = 0; arg < spec->n_args; arg++)
    if (!(mask & (1 << arg)) && (unusable & (1 << arg))) return SQLITE_CONSTRAINT;
  int missing = 0;
  for (int arg = 0; arg < spec->n_required; arg++) {
    if (mask & (1 << arg)) continue;
    /* Absent from this call: the planner also asks about subsets of the WHERE clause (each
    ** branch of an OR), so this is not yet an error; price the plan out of reach and let
    ** xFilter report the missing argument if it is ever the only plan. */
    missing = 1;
  }
  int rc = check_literal_args(vt, info, usable_at);
  if (rc != SQLITE_OK) return rc;
  info->idxNum = mask | (missing ? GTVF_MISSING : 0);
  info->estimatedCost = missing ? 1e300 : 1e6;
  info->estimatedRows = 1000;
  return SQLITE_OK;
}

static int gtvf_open(sqlite3_vtab *tab, sqlite3_vtab_cursor **out) {
  (void)tab;
  gtvf_cursor *cur = sqlite3_malloc64(sizeof *cur);
  if (!cur) return SQLITE_NOMEM;
  memset(cur, 0, sizeof *cur);
  *out = &cur->base;
  return SQLITE_OK;
}

static void release(gtvf_cursor *cur, const gtvf_spec *spec) {
  if (cur->result) spec->destroy(cur->result);
  cur->result = NULL;
  cur->nrows = cur->row = 0;
  for (int i = 0; i < GTVF_MAX_ARGS; i++) {
    sqlite3_value_free(cur->args[i]);
    cur->args[i] = NULL;
  }
}

static int gtvf_close(sqlite3_vtab_cursor *c) {
  gtvf_cursor *cur = (gtvf_cursor *)c;
  release(cur, ((gtvf_vtab *)c->pVtab)->spec);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* The length of the output column whose name, followed by '_', begins argument arg's name
** (period for period_unit), or 0: read from the schema's first n_out column definitions. */
static size_t output_prefix_of(const gtvf_spec *spec, const char *arg) {
  const char *p = strchr(spec->schema, '(');
  for (int col = 0; p && col < spec->n_out; col++) {
    p++;
    while (*p == ' ') p++;
    size_t n = strcspn(p, " ,)");
    if (n > 0 && strncmp(arg, p, n) == 0 && arg[n] == '_') return n;
    p = strchr(p, ',');
  }
  return 0;
}

/* "argument X is required"; when an output column has the name users type for it
** (WHERE period = 'month' for period_unit), the message names both. */
static char *missing_error(const gtvf_spec *spec, int arg) {
  const char *name = spec->arg_names[arg];
  size_t n = output_prefix_of(spec, name);
  if (!n) return sqlite3_mprintf("%s: argument %s is required", spec->name, name);
  char *call = sqlite3_mprintf("%s", spec->arg_names[0]);
  for (int i = 1; call && i <= arg; i++) {
    char *longer = sqlite3_mprintf("%s, %s", call, spec->arg_names[i]);
    sqlite3_free(call);
    call = longer;
  }
  if (!call) return NULL;
  char *msg = sqlite3_mprintf(
    "%s: argument %s is required (%.*s is an output column, not the argument: write "
    "%s = ..., or give it by position: %s(%s, ...))",
    spec->name, name, (int)n, name, name, spec->name, call);
  sqlite3_free(call);
  return msg;
}

static int gtvf_filter(sqlite3_vtab_cursor *c, int idxNum, const char *idxStr, int argc, sqlite3_value **argv) {
  (void)idxStr;
  gtvf_cursor *cur = (gtvf_cursor *)c;
  gtvf_vtab *vt = (gtvf_vtab *)c->pVtab;
  const gtvf_spec *spec = vt->spec;
  release(cur, spec);
  if (idxNum & GTVF_MISSING) {
    for (int arg = 0; arg < spec->n_required; arg++) {
      if (idxNum & (1 << arg)) continue;
      sqlite3_free(vt->base.zErrMsg);
      vt->base.zErrMsg = missing_error(spec, arg);
      return vt->base.zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  int k = 0;
  for (int arg = 0; arg < spec->n_args && k < argc; arg++) {
    if (!(idxNum & (1 << arg))) continue;
    cur->args[arg] = sqlite3_value_dup(argv[k++]);
    if (!cur->args[arg]) return SQLITE_NOMEM;
  }
  for (int arg = 0; arg < spec->n_required; arg++)
    if (sqlite3_value_type(cur->args[arg]) == SQLITE_NULL) return SQLITE_OK; /* NULL in: no rows */
  char *err = NULL;
  int rc = spec->compute(vt->db, spec, cur->args, &cur->result, &cur->nrows, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(vt->base.zErrMsg);
    vt->base.zErrMsg = err;
    if (cur->result) spec->destroy(cur->result);
    cur->result = NULL;
    cur->nrows = 0;
    return rc;
  }
  return SQLITE_OK;
}

static int gtvf_next(sqlite3_vtab_cursor *c) {
  ((gtvf_cursor *)c)->row++;
  return SQLITE_OK;
}

static int gtvf_eof(sqlite3_vtab_cursor *c) {
  gtvf_cursor *cur = (gtvf_cursor *)c;
  return cur->row >= cur->nrows;
}

static int gtvf_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col) {
  gtvf_cursor *cur = (gtvf_cursor *)c;
  const gtvf_spec *spec = ((gtvf_vtab *)c->pVtab)->spec;
  if (col >= spec->n_out) {
    sqlite3_value *v = cur->args[col - spec->n_out];
    if (v) sqlite3_result_value(ctx, v);
    return SQLITE_OK;
  }
  spec->column(cur->result, cur->row, col, ctx);
  return SQLITE_OK;
}

static int gtvf_rowid(sqlite3_vtab_cursor *c, sqlite_int64 *rowid) {
  *rowid = ((gtvf_cursor *)c)->row + 1;
  return SQLITE_OK;
}

const sqlite3_module gtvf_module = {
  .iVersion = 0,
  .xCreate = NULL, /* eponymous only: CREATE VIRTUAL TABLE ... USING funnel is refused */
  .xConnect = gtvf_connect,
  .xBestIndex = gtvf_best_index,
  .xDisconnect = gtvf_disconnect,
  .xDestroy = NULL,
  .xOpen = gtvf_open,
  .xClose = gtvf_close,
  .xFilter = gtvf_filter,
  .xNext = gtvf_next,
  .xEof = gtvf_eof,
  .xColumn = gtvf_column,
  .xRowid = gtvf_rowid,
};
