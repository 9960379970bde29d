/*
** funnel_glue.h: what the funnel glue files share: funnel.c (window_funnel) defines these,
** funnel_tvf.c (funnel, funnel_actors) uses them too. Glue, not a core: SQLite values in.
*/
#ifndef GROWTH_FUNNEL_GLUE_H
#define GROWTH_FUNNEL_GLUE_H

#include "args.h"

/* The ClickHouse modes, the first options of every funnel function. */
#define FUNNEL_MODE_SPECS \
  {"strict_deduplication", GOPT_FLAG}, {"strict", GOPT_FLAG}, {"strict_order", GOPT_FLAG}, \
    {"strict_increase", GOPT_FLAG}, {"strict_once", GOPT_FLAG}, { \
    "allow_reentry", GOPT_FLAG \
  }

/* The modes given in o as GFUNNEL_* flags; allow_reentry without strict_order is an error. */
int funnel_read_modes(const gopts *o, const gopt_spec *spec, const char *fn, unsigned *flags, char **pzErr);

/* The window in microseconds: seconds or a duration; beyond any span of timestamps, clamped. */
int funnel_read_window(sqlite3_value *v, const char *fn, int64_t *out, char **pzErr);

#endif
