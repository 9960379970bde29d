/*
** source.h: the rows a table-valued function reads, given as a table or view name or as a
** SELECT / WITH / VALUES statement in text.
**
** A name is always quoted as an identifier (a table called  x"; DROP TABLE t; --  is just a
** name). A statement must be a single read-only statement that returns rows. SQLite's own
** error text is passed on when the source is wrong ("no such table: evnts").
**
** Rows are not read with sqlite3_step + sqlite3_column_*: gsource_scan runs
**   WITH growth_source_<random>(c0, c1, ...) AS (<source>) SELECT growth_gather(?1, c<k>, ...) FROM ...
** with a pointer to the caller's row callback bound to ?1 (sqlite3_bind_pointer). SQLite
** flattens that query and hands each row to the internal aggregate's step, which is about
** twice as cheap per row (see docs/performance.md "Targets").
**
** A source may call a table-valued function that reads a source (which may call one, ...):
** each level is a scan running inside the one above it, on the C stack. At most
** GSOURCE_MAX_NESTING scans may be under way on a connection at once, whatever functions run
** them; one more is refused with GSOURCE_NESTING_ERROR (a SQL quine would otherwise recurse
** until the stack overflows).
*/
#ifndef GROWTH_SOURCE_H
#define GROWTH_SOURCE_H

#include "sqlite_glue.h"

/* Enough for a function over a function over a function, several times over. */
#define GSOURCE_MAX_NESTING 8
#define GSOURCE_NESTING_TAIL "table-valued functions reading sources nest more than"
#define GSOURCE_NESTING_ERROR "sources that call " GSOURCE_NESTING_TAIL " %d deep"

typedef struct gsource {
  sqlite3 *db;
  char *body;     /* the statement text, or SELECT * FROM "name" */
  int ncol;
  char **names;   /* column names as the source reports them */
  const char *arg; /* the argument's name in error text: "source", "cart", "promotions", ... */
} gsource;

/* Called once per source row with the requested columns. Return SQLITE_OK, or an error code
** with *pzErr set from sqlite3_mprintf (the message is passed on as it is). */
typedef int (*gsource_row_fn)(void *ctx, sqlite3_value **cols, char **pzErr);

/* Validates the source and learns its columns. On error *pzErr = "<fn>: <what>". */
int gsource_open(gsource *src, sqlite3 *db, const char *fn, const char *text, char **pzErr);
/* The same, naming the source `arg` (a static string) in error text instead of "source". */
int gsource_open_named(gsource *src, sqlite3 *db, const char *fn, const char *arg, const char *text, char **pzErr);
/* The same for a source given as the SQL argument `arg` (a static string such as "cart",
** named in every error): anything but TEXT is an error ("<fn>: cart is INTEGER 7, expected a
** table or view name or a SELECT statement"), never a table called "7" or a BLOB read as text. */
int gsource_open_arg(gsource *src, sqlite3 *db, const char *fn, const char *arg, sqlite3_value *v, char **pzErr);
/* Index of the column called `name` (case-insensitive), or -1. */
int gsource_column(const gsource *src, const char *name);
/* Runs the source, calling row() with the columns listed in cols (an index, or -1 for NULL). */
int gsource_scan(gsource *src, const char *fn, const int *cols, int ncols, gsource_row_fn row, void *ctx,
                 char **pzErr);
void gsource_close(gsource *src);

/* The internal aggregate growth_gather(pointer, ...) that gsource_scan relies on. */
void gsource_gather_step(sqlite3_context *ctx, int argc, sqlite3_value **argv);
void gsource_gather_final(sqlite3_context *ctx);

#endif
