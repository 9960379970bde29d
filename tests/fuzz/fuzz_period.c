/*
** fuzz_period.c: libFuzzer target for the period-name and UTC-offset parsers
** (gtime_parse_period, gtime_parse_offset). An accepted offset is within +-23:59.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  gperiod p;
  if (!gtime_parse_period(copy, (int)size, &p)) {
    if (p < GPERIOD_DAY || p > GPERIOD_YEAR) abort();
    (void)gtime_period_name(p);
  }
  int32_t off;
  if (!gtime_parse_offset(copy, (int)size, &off) && (off <= -86400 || off >= 86400)) abort();
  free(copy);
  return 0;
}
