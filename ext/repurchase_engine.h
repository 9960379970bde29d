/*
** repurchase_engine.h: 复购率 and 回购率 per calendar period, from purchases grouped by
** customer (events.h). Pure C.
**
** For each (segment, period):
**   buyers            customers with a purchase in the period
**   new_buyers        of those, customers whose first purchase ever is in the period (新客)
**   purchases         their purchases: distinct local purchase days (count=days, 按天去重,
**                     the default), or rows (count=orders, 按天非去重: two orders on one day
**                     are two purchases)
**   repeat_buyers     buyers with 2 or more purchases in the period; repurchase_rate (复购率)
**                     = repeat_buyers / buyers
**   returning_buyers  buyers who also bought in the previous period; prev_buyers = the
**                     previous period's buyers; buyback_rate (回购率) = returning / prev_buyers
** A customer belongs to one segment: the segment of their first purchase (first-touch), or of
** their last with segment=last. Periods run from the first purchase's to the one holding the
** last instant before as_of, zero-filled, for every segment that has a customer.
*/
#ifndef GROWTH_REPURCHASE_ENGINE_H
#define GROWTH_REPURCHASE_ENGINE_H

#include <stdint.h>

#include "cancel.h"
#include "events.h"
#include "time.h"

/* Most cells (segments x periods) a result may hold. */
#define GREPURCHASE_MAX_CELLS (INT64_C(1) << 21)

typedef struct grepurchase_opts {
  gcalendar cal;
  int count_orders;       /* 1: every row is a purchase; 0: distinct local days */
  int segment_last;       /* 1: last-touch attribution */
  int64_t as_of_us;       /* every row lies before it */
} grepurchase_opts;

typedef struct grepurchase_cell {
  uint32_t segment;       /* the events' segment id (0 when there is no segment column) */
  int64_t period_day;     /* local day number of the period's first day */
  int64_t buyers, new_buyers, purchases, repeat_buyers, returning_buyers, prev_buyers;
  int complete;           /* the period ended at or before as_of */
} grepurchase_cell;

/* ev: grouped (gevents_group), with a segment column when nsegments > 1. segment_rank orders
** the output's segments (NULL: by id). On success *cells (gmem) and *ncells; else a static
** reason. */
const char *grepurchase_compute(const gevents *ev, const grepurchase_opts *o, uint32_t nsegments,
                                const uint32_t *segment_rank, gcancel *cancel, grepurchase_cell **cells,
                                int64_t *ncells);

#endif
