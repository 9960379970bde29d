/*
** engagement_engine.h: how often actors come back, behind stickiness() and active_users().
** Pure C: the rows come in as an events table (events.h) grouped by actor, each actor's rows in
** time order; memory through gmem_* only.
**
** Stickiness: per window (a calendar day, week, month, ... or the whole range) the number of
** actors active in exactly k of its units (hours, days, weeks, months), k = 1 .. the units in the
** window. An actor counts once per window (Amplitude's user-window pairs); the range window is
** PostHog's mode, where every=N groups units into N-unit buckets counted back from the last unit
** (PostHog's intervalCount). A unit counts for an actor when it has at least min_events and at
** most max_events rows in it (PostHog's stickiness criteria).
**
** Active users: per output row, the actors active on its evaluation day (DAU) and in the 7 and 30
** days ending there (WAU, MAU: trailing windows that include the day, as PostHog, Amplitude and
** Mixpanel count them), and the actors whose first active day falls in the row's span. Daily rows
** are their own day; period rows (every=week|month) span the period and are evaluated on its last
** observed day (Mixpanel's rule), or count the actors active in the calendar period (PostHog's
** newer week and month charts: `calendar`).
*/
#ifndef GROWTH_ENGAGEMENT_ENGINE_H
#define GROWTH_ENGAGEMENT_ENGINE_H

#include <stdint.h>

#include "cancel.h"
#include "events.h"
#include "time.h"

/* Units and windows: an hour (local, under the fixed offset), or a calendar period. */
typedef enum { GGRAIN_HOUR, GGRAIN_DAY, GGRAIN_WEEK, GGRAIN_MONTH, GGRAIN_QUARTER, GGRAIN_YEAR, GGRAIN_RANGE } ggrain;
extern const char *const ggrain_names[];  /* hour, day, week, month, quarter, year, range; NULL-terminated */

/* The index of the grain containing us (cal gives the offset and the week start), and the first
** instant of the grain with that index. Not for GGRAIN_RANGE. */
int64_t ggrain_index(ggrain g, const gcalendar *cal, int64_t us);
int64_t ggrain_start_us(ggrain g, const gcalendar *cal, int64_t index);

/* The most rows one call may list. */
#define GENG_MAX_ROWS (INT64_C(1) << 20)

/* ---- stickiness ---- */

typedef struct gstick_opts {
  gcalendar cal;            /* offset and week start (its period is not used) */
  ggrain unit, window;      /* unit nests in window; window GGRAIN_RANGE: one window */
  int64_t first, last;      /* the listed windows' indexes; for the range, its units' indexes */
  int64_t every;            /* range: units per bucket, counted back from `last` (1: plain units) */
  int64_t min_events, max_events;
} gstick_opts;

typedef struct gstick_window {
  int64_t start_us, end_us;
  uint32_t nunits;          /* k runs 1 .. nunits */
  uint64_t row;             /* its first row in hist */
} gstick_window;

typedef struct gstick {
  gstick_window *windows;
  uint32_t nwindows;
  uint32_t *hist;           /* per row (window, k): actors active in exactly k units */
  uint64_t nrows;
} gstick;

/* Lays out the windows and zeroed rows. NULL, "out of memory", or a static reason when the rows
** would be more than GENG_MAX_ROWS. */
const char *gstick_layout(const gstick_opts *o, gstick *s);
/* Counts every actor. NULL or gcancel_reason. */
const char *gstick_count(const gevents *ev, const gstick_opts *o, gstick *s, gcancel *cancel);
void gstick_free(gstick *s);

/* ---- active users ---- */

typedef struct gau_opts {
  int32_t offset_s;         /* local days under this fixed offset */
  const int64_t *start_day; /* per row, ascending: the first day of its span */
  const int64_t *eval_day;  /* per row: the day it is evaluated on, in [start_day, next start_day) */
  uint32_t nrows;
  int daily;                /* every span is one day, one after the other */
  int calendar;             /* 0; 7: wau counts the actors active in [start_day, eval_day]; 30: mau */
} gau_opts;

typedef struct gau_row {
  uint32_t dau, wau, mau, new_actors;
} gau_row;

/* Fills rows[0..nrows) (the caller zeroes them). NULL, "out of memory" or gcancel_reason. */
const char *gau_count(const gevents *ev, const gau_opts *o, gau_row *rows, gcancel *cancel);

#endif
