/* clv_summary.c: see clv_summary.h. */
#include "clv_summary.h"

#include "money.h"
#include "time.h"

const char *gclv_history_of(const int64_t *ts_us, const int64_t *cents, size_t n, int32_t offset_s,
                            gclv_history *h) {
  h->frequency = -1;
  h->first_day = h->last_day = 0;
  h->repeat_cents = 0;
  int64_t offset_us = (int64_t)offset_s * GTIME_US_PER_SEC;
  size_t i = 0;
  while (i < n) {
    /* one local day: rows i .. j-1 (rows come in timestamp order, so a day's rows are adjacent) */
    int64_t day = gtime_floor_div(ts_us[i] + offset_us, GTIME_US_PER_DAY);
    int64_t total = 0;
    int purchase = 0;
    size_t j = i;
    for (; j < n && gtime_floor_div(ts_us[j] + offset_us, GTIME_US_PER_DAY) == day; j++) {
      int64_t v = cents ? cents[j] : 0;
      if (v >= 0) purchase = 1;
      if (gmoney_add(total, v, &total)) return "amounts overflow";
    }
    i = j;
    if (purchase) {
      if (h->frequency < 0) h->first_day = day;
      h->frequency++;
      h->last_day = day;
    }
    /* the day's total counts when it belongs to a repeat day: its own, or for a refund-only
    ** day the latest purchase day's (before the first purchase day there is none: the total
    ** goes with the first day's, which monetary leaves out) */
    if (h->frequency > 0 && gmoney_add(h->repeat_cents, total, &h->repeat_cents)) return "amounts overflow";
  }
  return NULL;
}
