/*
** clv_summary.h: one customer's purchase history as the CLV models see it. Pure C, no
** allocation.
**
** The summary is lifetimes' summary_data_from_transaction_data(include_first_transaction=False)
** with freq='D' (purchases collapse per local calendar day):
**   frequency = purchase days - 1 (repeat purchase days);
**   recency   = last purchase day - first purchase day (0 without repeats);
**   T         = last observed day - first purchase day;
**   monetary  = mean of the repeat days' totals (the first day left out; 0 without repeats).
** Days are local days under the tz offset; the last observed day is the day of the last
** instant before as_of (timestamp.h's rule).
**
** Refunds. A row with a negative amount is a refund, not a purchase: it lowers the total of its
** day. A day with refunds only is no purchase day; its refunds lower the total of the latest
** purchase day before it (the purchase being refunded), or of the first purchase day when none
** is before it (which monetary leaves out). A customer with refunds only has no purchase.
** Amounts of 0 are purchases.
*/
#ifndef GROWTH_CLV_SUMMARY_H
#define GROWTH_CLV_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

typedef struct gclv_history {
  int64_t frequency;     /* purchase days - 1; -1: no purchase (refunds only, or no rows) */
  int64_t first_day;     /* local day numbers (days since 1970-01-01) of the first and last */
  int64_t last_day;      /* purchase days */
  int64_t repeat_cents;  /* net amount of the purchase days after the first, minor units */
} gclv_history;

/* One customer's rows in timestamp order: ts_us[i] and, when cents is not NULL, the amount in
** minor units. offset_s: the tz offset that makes days local. Returns NULL with *h, or a static
** reason ("amounts overflow"). */
const char *gclv_history_of(const int64_t *ts_us, const int64_t *cents, size_t n, int32_t offset_s,
                            gclv_history *h);

/* The local day of an instant: days since 1970-01-01 under the tz offset (in microseconds). */
int64_t gclv_local_day(int64_t ts_us, int64_t offset_us);

/* The same summary built row by row, without keeping the rows: for sources whose rows reach
** each customer in order of their local day (a table in time order, or grouped by customer).
** Within a day the order does not matter (a day's total is a sum, and it is a purchase day
** when any row is a purchase). 32 bytes per customer. */
typedef struct gclv_running {
  int64_t day_total;           /* net amount of the latest day so far */
  int64_t repeat_cents;        /* gclv_history.repeat_cents of the days before the latest */
  int32_t day;                 /* the latest day seen (INT32_MIN: none) */
  int32_t first_day, last_day; /* the first and last purchase days */
  int32_t frequency;           /* purchase days - 1; -1: no purchase yet */
} gclv_running;

#define GCLV_RUNNING_OK 0
#define GCLV_RUNNING_UNORDERED 1 /* the row's day is before the customer's latest day */
#define GCLV_RUNNING_OVERFLOW 2  /* a sum overflows 64 bits, or a day 32 */

void gclv_running_init(gclv_running *r);
/* Adds one row of local day `day` and amount `cents` (0 without amounts). On anything but
** GCLV_RUNNING_OK the running summary cannot take the row: read the rows another way
** (gclv_history_of on the customer's rows in timestamp order). */
int gclv_running_add(gclv_running *r, int64_t day, int64_t cents);
/* The summary of the rows added, as gclv_history_of gives it for the same rows in timestamp
** order when neither overflows: the sums are of integers, exact in any order, and overflow-free
** when the magnitudes of the amounts add up to at most INT64_MAX (the caller's bound). Returns
** NULL, or "amounts overflow". */
const char *gclv_running_finish(const gclv_running *r, gclv_history *h);

#endif
