/*
** fuzz_duration.c: libFuzzer target for the duration parser (gtime_parse_duration,
** gtime_duration_from_seconds). An accepted duration is never negative.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  int64_t us;
  char *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  if (!gtime_parse_duration(copy, (int)size, &us) && us < 0) abort();
  free(copy);
  if (size >= 8) {
    double secs;
    memcpy(&secs, data, 8);
    if (!gtime_duration_from_seconds(secs, &us) && us < 0) abort();
  }
  return 0;
}
