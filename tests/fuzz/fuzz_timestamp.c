/*
** fuzz_timestamp.c: libFuzzer target for the timestamp parser (gtime_parse_text) and the
** numeric timestamp readers. Properties beyond "no crash": an accepted instant lies in years
** 0000..9999, and formatting it and parsing the text again gives the same instant.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  int64_t us;
  /* Parse the bytes as they are (not NUL-terminated: the parser takes a length). */
  char *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  if (!gtime_parse_text(copy, (int)size, &us)) {
    if (us < GTIME_MIN_US || us > GTIME_MAX_US) abort();
    char buf[GTIME_TEXT_MAX];
    int64_t again;
    gtime_format(us, 0, buf);
    if (gtime_parse_text(buf, -1, &again) || again != us) abort();
    /* every calendar and offset over an accepted instant */
    for (int p = GPERIOD_DAY; p <= GPERIOD_YEAR; p++) {
      gcalendar cal = {(gperiod)p, (int32_t)((size * 1800) % (14 * 3600)) * (size & 1 ? -1 : 1), (int)(size & 2)};
      int64_t idx = gtime_period_index(&cal, us);
      int64_t start = gtime_period_index_start_us(&cal, idx);
      if (gtime_period_index(&cal, start) != idx) abort();
      (void)gtime_period_diff(&cal, GTIME_MIN_US, us);
      (void)gtime_rolling_diff((gperiod)p, GTIME_MIN_US, us);
    }
  }
  free(copy);
  /* The same bytes as Unix seconds (integer and real). */
  if (size >= 8) {
    int64_t secs;
    double real;
    memcpy(&secs, data, 8);
    memcpy(&real, data, 8);
    if (!gtime_from_unix_seconds(secs, &us) && (us < GTIME_MIN_US || us > GTIME_MAX_US)) abort();
    if (!gtime_from_unix_real(real, &us) && (us < GTIME_MIN_US || us > GTIME_MAX_US)) abort();
  }
  return 0;
}
