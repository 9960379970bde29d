/*
** fuzz_options.c: libFuzzer target for the option-string parser (gopts_parse and the typed
** readers). Every accepted item names a known option, and flags carry no value.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const gopt_spec spec[] = {
  {"strict_order", GOPT_FLAG}, {"strict", GOPT_FLAG}, {"rolling", GOPT_FLAG},
  {"tz", GOPT_VALUE}, {"periods", GOPT_VALUE}, {"week_start", GOPT_VALUE}, {"mode", GOPT_VALUE},
  {NULL, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  gopts o;
  char err[GOPTS_ERR_MAX];
  if (gopts_parse(text, spec, -1, &o, err, sizeof err) == 0) {
    if (o.count < 0 || o.count > GOPTS_MAX_ITEMS) abort();
    for (int i = 0; i < o.count; i++) {
      if (o.item[i].spec < 0 || o.item[i].spec >= 7) abort();
      if ((spec[o.item[i].spec].kind == GOPT_FLAG) != (o.item[i].value == NULL)) abort();
    }
    int64_t n = 0;
    int which = 0;
    static const char *const modes[] = {"a", "bb", "ccc", NULL};
    (void)gopts_int(&o, spec, "periods", -5, INT64_MAX, &n, err, sizeof err);
    (void)gopts_choice(&o, spec, "mode", modes, &which, err, sizeof err);
    (void)gopts_has(&o, spec, "strict");
  } else if (!memchr(err, 0, sizeof err)) {
    abort();
  }
  char small[8];
  gopts_describe(spec, 7, small, sizeof small);
  free(text);
  return 0;
}
