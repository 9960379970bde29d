/*
** registry.h: the shape of the one registration table in growth.c, and the callbacks each
** capability file exports to it. A capability adds its SQL names by adding rows there and
** declarations here; nothing else registers anything.
*/
#ifndef GROWTH_REGISTRY_H
#define GROWTH_REGISTRY_H

#include <stddef.h>

#include "sqlite_glue.h"

#define GROWTH_VERSION "0.1.0"

/* Pure scalars and aggregates: same input, same output, safe in schemas. */
#define GROWTH_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)

typedef void (*growth_xfunc)(sqlite3_context *, int, sqlite3_value **);
typedef void (*growth_xfinal)(sqlite3_context *);

/* One SQL function. The row itself is the user data, so errors can name the function. A row
** with nArgMax > nArg is registered once per argument count nArg..nArgMax, each with its own
** copy of the row whose nArg is that count (freed with the connection), so an aggregate's final
** step knows its count even for an empty group (retention). */
typedef struct growth_function {
  const char *name;
  int nArg;            /* -1: variadic; the function checks argc itself */
  int nArgMax;         /* 0: nArg only; else the last count of a range starting at nArg */
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

/* growth.c's table of them, growth_ntables rows (tests/test_specs.c checks each spec against
** the schema SQLite reads). */
extern const growth_table growth_tables[];
extern const size_t growth_ntables;

/* chart.c */
void bar_func(sqlite3_context *, int, sqlite3_value **);
void shade_func(sqlite3_context *, int, sqlite3_value **);

/* calendar.c */
void growth_version_func(sqlite3_context *, int, sqlite3_value **);
void date_bucket_func(sqlite3_context *, int, sqlite3_value **);
void period_diff_func(sqlite3_context *, int, sqlite3_value **);

/* funnel.c */
void window_funnel_step(sqlite3_context *, int, sqlite3_value **);
void window_funnel_inverse(sqlite3_context *, int, sqlite3_value **);
void window_funnel_value(sqlite3_context *);
void window_funnel_final(sqlite3_context *);
/* funnel_tvf.c */
extern const struct gtvf_spec funnel_spec, funnel_actors_spec;
/* sequence.c */
void sequence_match_step(sqlite3_context *, int, sqlite3_value **);
void sequence_match_inverse(sqlite3_context *, int, sqlite3_value **);
void sequence_match_value(sqlite3_context *);
void sequence_match_final(sqlite3_context *);
void sequence_count_step(sqlite3_context *, int, sqlite3_value **);
void sequence_count_inverse(sqlite3_context *, int, sqlite3_value **);
void sequence_count_value(sqlite3_context *);
void sequence_count_final(sqlite3_context *);
void sequence_next_node_step(sqlite3_context *, int, sqlite3_value **);
void sequence_next_node_final(sqlite3_context *);
/* rfm.c */
extern const struct gtvf_spec rfm_spec;
extern const struct gtvf_spec rfm_segments_spec;
void rfm_segment_func(sqlite3_context *, int, sqlite3_value **);
/* retention.c */
void retention_step(sqlite3_context *, int, sqlite3_value **);
void retention_final(sqlite3_context *);
extern const struct gtvf_spec cohort_retention_spec;
/* clv.c */
extern const struct gtvf_spec clv_fit_spec, clv_spec;
/* repurchase.c */
extern const struct gtvf_spec repurchase_spec;
/* promo.c */
void promo_price_func(sqlite3_context *, int, sqlite3_value **);
void promo_price_cents_func(sqlite3_context *, int, sqlite3_value **);
extern const struct gtvf_spec promo_apply_spec;
extern const struct gtvf_spec promo_check_spec;
/* lifecycle.c */
extern const struct gtvf_spec lifecycle_spec, lifecycle_actors_spec, actor_status_spec, actor_transitions_spec;
/* engagement.c */
extern const struct gtvf_spec stickiness_spec, active_users_spec;
/* paths.c */
extern const struct gtvf_spec paths_spec, path_actors_spec, churn_points_spec;

#endif
