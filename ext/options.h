/*
** options.h: the option-string parser shared by every function.
**
** An options string is a comma-separated list of bare flags and key=value pairs:
**   'strict_order, tz=+08:00, periods=12'
** Whitespace around items, keys and values is ignored. A value in parentheses may hold commas
** (costs=(SELECT sku, cost FROM products)); the parentheses are not part of it. Commas inside
** quotes never split either. Each function passes the list of
** what it accepts; an unknown key, a flag given a value, a key missing its value, or the
** same key twice is an error whose text lists what is accepted.
*/
#ifndef GROWTH_OPTIONS_H
#define GROWTH_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define GOPTS_MAX_ITEMS 32
#define GOPTS_MAX_TEXT  1024
#define GOPTS_ERR_MAX   512

typedef enum { GOPT_FLAG, GOPT_VALUE } gopt_kind;

typedef struct gopt_spec {
  const char *name;
  gopt_kind kind;
} gopt_spec;

typedef struct gopts {
  int count;
  struct { int spec; const char *value; } item[GOPTS_MAX_ITEMS]; /* value NULL for flags */
  char text[GOPTS_MAX_TEXT];  /* a private copy: keys and values point into it */
} gopts;

/* Parses `text` (NULL or empty: no options). Returns 0, or -1 with a message in err. */
int gopts_parse(const char *text, const gopt_spec *spec, int nspec, gopts *out, char *err, size_t errlen);
/* 1 when the flag or key was given. */
int gopts_has(const gopts *o, const gopt_spec *spec, const char *name);
/* The value of a key=value option, or NULL when absent. */
const char *gopts_value(const gopts *o, const gopt_spec *spec, const char *name);
/* Reads an integer value in [lo, hi]; absent keeps *out. Returns 0, or -1 with err. */
int gopts_int(const gopts *o, const gopt_spec *spec, const char *name, int64_t lo, int64_t hi,
              int64_t *out, char *err, size_t errlen);
/* Reads one of `choices` (NULL-terminated); absent keeps *out. Returns 0, or -1 with err. */
int gopts_choice(const gopts *o, const gopt_spec *spec, const char *name, const char *const *choices,
                 int *out, char *err, size_t errlen);
/* "strict_order, strict_increase, tz=..., periods=..." into buf. */
void gopts_describe(const gopt_spec *spec, int nspec, char *buf, size_t len);

#endif
