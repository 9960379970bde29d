/*
** registry.h: the shape of the one registration table in growth.c, and the callbacks each
** capability file exports to it. A capability adds its SQL names by adding rows there and
** declarations here; nothing else registers anything.
*/
#ifndef GROWTH_REGISTRY_H
#define GROWTH_REGISTRY_H

#include "sqlite_glue.h"

#define GROWTH_VERSION "0.1.0"

/* Pure scalars and aggregates: same input, same output, safe in schemas. */
#define GROWTH_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)

typedef void (*growth_xfunc)(sqlite3_context *, int, sqlite3_value **);
typedef void (*growth_xfinal)(sqlite3_context *);

/* One SQL function. The row itself is the user data, so errors can name the function. */
typedef struct growth_function {
  const char *name;
  int nArg;            /* -1: variadic; the function checks argc itself */
  int flags;
  growth_xfunc xFunc;  /* scalars */
  growth_xfunc xStep;  /* aggregates and window functions */
  growth_xfinal xFinal;
  growth_xfinal xValue;   /* window functions: both xValue and xInverse */
  growth_xfunc xInverse;
} growth_function;

/* One eponymous table-valued function: the shared module of tvf.h and its spec. */
typedef struct growth_table {
  const char *name;
  const struct gtvf_spec *spec;
} growth_table;

/* chart.c */
void bar_func(sqlite3_context *, int, sqlite3_value **);
void shade_func(sqlite3_context *, int, sqlite3_value **);

/* calendar.c */
void growth_version_func(sqlite3_context *, int, sqlite3_value **);
void date_bucket_func(sqlite3_context *, int, sqlite3_value **);
void period_diff_func(sqlite3_context *, int, sqlite3_value **);

#endif
