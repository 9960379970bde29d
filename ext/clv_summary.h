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

#endif
