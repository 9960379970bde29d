/*
** tvf.h: the one implementation of an eponymous table-valued function whose result is
** computed whole in xFilter and then served row by row (funnel, cohort_retention, rfm,
** promo_apply, ...). A capability describes its function with a gtvf_spec and writes two
** callbacks: compute() builds the result from the arguments, column() reads one cell.
**
** Arguments are HIDDEN columns after the outputs, as in SQLite's series.c, so both
**   SELECT * FROM funnel('events', '7 days', 'view,cart,pay')
**   SELECT * FROM funnel WHERE source = 'events' AND window = '7 days' AND steps = 'view,cart,pay'
** work. xBestIndex records which arguments are present in idxNum (bit i = argument i) and
** hands them to xFilter in argument order. A required argument that is missing is an error
** naming it; a required argument that is NULL gives no rows (SQLite's convention for
** table-valued functions); an optional argument that is NULL means its default.
**
** Arguments marked as sources (a table or view name or a SELECT, read with gsource_open_arg) are
** also opened, not run, while the statement is prepared, when they are written in it as literals:
** their errors ("funnel: source: no such table: evnts") then come from sqlite3_prepare like
** SQLite's own for a table in FROM, rather than from the first sqlite3_step. Replicated engines
** that garble errors raised while stepping (dqlite 1.11) pass these on intact.
*/
#ifndef GROWTH_TVF_H
#define GROWTH_TVF_H

#include <stdint.h>

#include "options.h"
#include "sqlite_glue.h"

#define GTVF_MAX_ARGS 8

typedef struct gtvf_spec gtvf_spec;
struct gtvf_spec {
  const char *name;        /* the SQL name, for error text */
  const char *schema;      /* CREATE TABLE x(out1, ..., arg1 HIDDEN, ...): hidden arguments last */
  int n_out;               /* output columns, before the hidden ones */
  int n_args;              /* hidden argument columns (<= GTVF_MAX_ARGS) */
  int n_required;          /* the first n_required arguments must be given */
  const char *const *arg_names;  /* n_args names, for "argument X is required" */
  int innocuous;           /* 1: reads nothing but its arguments (safe in schemas); 0: direct-only */
  /* Builds the result. args[i] is NULL when argument i was not given. On success sets
  ** *result (may be NULL when nrows is 0) and *nrows; on error sets *pzErr (sqlite3_mprintf). */
  int (*compute)(sqlite3 *db, const gtvf_spec *spec, sqlite3_value **args, void **result, int64_t *nrows,
                 char **pzErr);
  /* Puts output column col of row into ctx. */
  void (*column)(void *result, int64_t row, int col, sqlite3_context *ctx);
  void (*destroy)(void *result);
  unsigned sources; /* bit i: argument i is a source, checked at prepare time (above) */
  /* What the argument named "options" accepts (NULL-terminated, the list compute passes to
  ** garg_options). A literal options text is parsed at prepare time too, so an unknown option
  ** or a malformed list fails the statement's prepare with the message compute would give: the
  ** message then reaches clients that lose step-time errors (dqlite 1.11). NULL: no check. */
  const gopt_spec *options;
};

/* What one connection decided about its table-valued functions (growth_trust_schema): whether
** the application lets them run inside its own views and triggers, and whether any has been
** connected yet (the decision is taken when a function is first used on the connection). */
typedef struct gtvf_conn {
  int trust_schema;
  int connected;
  int checking; /* a source is being checked at prepare time: functions in it are not checked */
} gtvf_conn;

/* The client data of a registered module: its spec, and the connection's state (NULL: the
** default, direct-only). */
typedef struct gtvf_host {
  const gtvf_spec *spec;
  gtvf_conn *conn;
} gtvf_host;

/* The shared sqlite3_module; register it with a gtvf_host as the client data (growth.c). */
extern const sqlite3_module gtvf_module;

#endif
