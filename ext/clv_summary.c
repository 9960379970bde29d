/* clv_summary.c: see clv_summary.h. */
#include "clv_summary.h"

#include <limits.h>

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

int64_t gclv_local_day(int64_t ts_us, int64_t offset_us) {
  return gtime_floor_div(ts_us + offset_us, GTIME_US_PER_DAY);
}

void gclv_running_init(gclv_running *r) {
  r->day_total = r->repeat_cents = 0;
  r->day = INT32_MIN;
  r->first_day = r->last_day = 0;
  r->frequency = -1;
}

int gclv_running_add(gclv_running *r, int64_t day, int64_t cents) {
  if (day < r->day) return GCLV_RUNNING_UNORDERED;
  if (day >= INT32_MAX || day <= INT32_MIN) return GCLV_RUNNING_OVERFLOW;
  if (day > r->day) {
    /* the latest day is over: its total counts as gclv_history_of counts it */
    if (r->frequency > 0 && gmoney_add(r->repeat_cents, r->day_total, &r->repeat_cents)) return GCLV_RUNNING_OVERFLOW;
    r->day_total = 0;
    r->day = (int32_t)day;
  }
  if (gmoney_add(r->day_total, cents, &r->day_total)) return GCLV_RUNNING_OVERFLOW;
  /* the day's first purchase makes it a purchase day */
  if (cents >= 0 && !(r->frequency >= 0 && r->last_day == r->day)) {
    if (r->frequency < 0) r->first_day = r->day;
    r->frequency++;
    r->last_day = r->day;
  }
  return GCLV_RUNNING_OK;
}

const char *gclv_running_finish(const gclv_running *r, gclv_history *h) {
  h->frequency = r->frequency;
  h->first_day = r->frequency < 0 ? 0 : r->first_day;
  h->last_day = r->frequency < 0 ? 0 : r->last_day;
  h->repeat_cents = r->repeat_cents;
  if (r->frequency > 0 && gmoney_add(h->repeat_cents, r->day_total, &h->repeat_cents)) return "amounts overflow";
  return NULL;
}
