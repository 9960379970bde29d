/*
** options.c: see options.h. The parser copies the string once into the result so that keys
** and values are NUL-terminated C strings the caller can hand to the other parsers.
*/
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

/* Ends a message that snprintf may have cut (err holds at most errlen - 1 bytes of it) on a
** character boundary, and returns -1 for the caller to return. */
static int failed(char *err) {
  err[gutf8_complete(err, strlen(err))] = 0;
  return -1;
}

static int spec_count(const gopt_spec *spec) {
  int n = 0;
  while (spec[n].name) n++;
  return n;
}

void gopts_describe(const gopt_spec *spec, int nspec, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = 0;
  for (int i = 0; i < nspec && used + 1 < len; i++) {
    int w = snprintf(buf + used, len - used, "%s%s%s", i ? ", " : "", spec[i].name,
                     spec[i].kind == GOPT_VALUE ? "=..." : "");
    if (w < 0) break;
    used += (size_t)w;
  }
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static int find_spec(const gopt_spec *spec, int nspec, const char *name) {
  for (int i = 0; i < nspec; i++)
    if (strcasecmp(spec[i].name, name) == 0) return i;
  return -1;
}

/* The end of the item starting at p: the first comma outside parentheses and quotes, or the
** end of the text. NULL when a parenthesis or quote is left open. */
static char *item_end(char *p) {
  int depth = 0;
  char quote = 0;
  for (; *p; p++) {
    if (quote) { if (*p == quote) quote = 0; continue; }
    if (*p == '\'' || *p == '"') quote = *p;
    else if (*p == '(') depth++;
    else if (*p == ')' && depth > 0) depth--;
    else if (*p == ',' && depth == 0) return p;
  }
  return depth || quote ? NULL : p;
}

/* A value written in parentheses, (SELECT sku, cost FROM products), is its inside. */
static char *unwrap(char *value) {
  size_t n = strlen(value);
  if (n < 2 || value[0] != '(' || value[n - 1] != ')') return value;
  /* only when the first parenthesis closes at the end: (a) and (b) stays as it is */
  int depth = 0;
  char quote = 0;
  for (size_t i = 0; i < n; i++) {
    char c = value[i];
    if (quote) { if (c == quote) quote = 0; continue; }
    if (c == '\'' || c == '"') quote = c;
    else if (c == '(') depth++;
    else if (c == ')' && --depth == 0 && i + 1 < n) return value;
  }
  value[n - 1] = 0;
  return trim(value + 1);
}

/* 1 when text starts with a SQL statement's first word: a value cut at its first comma. */
static int starts_like_sql(const char *text) {
  static const char *const words[] = {"select ", "with ", "values "};
  for (int i = 0; i < 3; i++)
    if (strncasecmp(text, words[i], strlen(words[i])) == 0) return 1;
  return 0;
}

/* 1 when an unknown bare item reads as a list element: a number or a date (30, -5, 0.5,
** 2024-01-01), never a name, so a mistyped flag keeps the plain "unknown option" error. */
static int starts_like_list_item(const char *item) {
  const char *p = item + (*item == '-' || *item == '+');
  if (*p == '.') p++;
  return *p >= '0' && *p <= '9';
}

int gopts_parse(const char *text, const gopt_spec *spec, int nspec, gopts *out, char *err, size_t errlen) {
  char accepted[GOPTS_ERR_MAX / 2];
  out->count = 0;
  if (nspec < 0) nspec = spec_count(spec);
  if (!text) return 0;
  size_t n = strlen(text);
  if (n >= sizeof(out->text)) {
    snprintf(err, errlen, "options are too long (%zu characters, at most %d)", n, GOPTS_MAX_TEXT - 1);
    return failed(err);
  }
  memcpy(out->text, text, n + 1);
  char *p = out->text;
  const char *prev_value = NULL, *prev_key = NULL;
  for (;;) {
    char *comma = item_end(p);
    if (!comma) {
      snprintf(err, errlen, "options have an unclosed parenthesis or quote: '%s'", p);
      return failed(err);
    }
    if (*comma) *comma = 0;
    else comma = NULL;
    char *item = trim(p);
    if (*item) {
      char *eq = strchr(item, '=');
      char *value = NULL;
      if (eq) {
        *eq = 0;
        value = unwrap(trim(eq + 1));
        item = trim(item);
      }
      int k = find_spec(spec, nspec, item);
      gopts_describe(spec, nspec, accepted, sizeof accepted);
      if (k < 0 && prev_value && starts_like_sql(prev_value)) {
        /* costs=SELECT sku, cost FROM products: the statement was cut at its first comma */
        snprintf(err, errlen, "unknown option '%s': it looks like the rest of the SQL statement '%s', cut at a "
                 "comma (options are separated by commas): write the statement in parentheses, "
                 "(SELECT ...), or give a table or view name", item, prev_value);
        return failed(err);
      }
      if (k < 0 && !value && prev_key && starts_like_list_item(item)) {
        /* r_cuts=30,90,180: a list written with commas */
        snprintf(err, errlen,
                 "unknown option '%s': it looks like the next item of the list '%s=%s', cut at a comma "
                 "(options are separated by commas): lists inside an option use ';', as in %s=%s;%s",
                 item, prev_key, prev_value, prev_key, prev_value, item);
        return failed(err);
      }
      if (k < 0) {
        snprintf(err, errlen, "unknown option '%s' (accepted: %s)", item, nspec ? accepted : "none");
        return failed(err);
      }
      if (spec[k].kind == GOPT_FLAG && value) {
        snprintf(err, errlen, "option '%s' takes no value (got '%s')", spec[k].name, value);
        return failed(err);
      }
      if (spec[k].kind == GOPT_VALUE && (!value || !*value)) {
        snprintf(err, errlen, "option '%s' needs a value: %s=...", spec[k].name, spec[k].name);
        return failed(err);
      }
      for (int i = 0; i < out->count; i++)
        if (out->item[i].spec == k) {
          snprintf(err, errlen, "option '%s' is given twice", spec[k].name);
          return failed(err);
        }
      if (out->count == GOPTS_MAX_ITEMS) {
        snprintf(err, errlen, "too many options (at most %d)", GOPTS_MAX_ITEMS);
        return failed(err);
      }
      out->item[out->count].spec = k;
      out->item[out->count].value = value;
      out->count++;
      prev_value = value;
      prev_key = value ? spec[k].name : NULL;
    } /* an empty item ("a,,b", a trailing comma) is tolerated */
    if (!comma) break;
    p = comma + 1;
  }
  return 0;
}

static int lookup(const gopts *o, const gopt_spec *spec, const char *name) {
  for (int i = 0; i < o->count; i++)
    if (strcmp(spec[o->item[i].spec].name, name) == 0) return i;
  return -1;
}

int gopts_has(const gopts *o, const gopt_spec *spec, const char *name) { return lookup(o, spec, name) >= 0; }

const char *gopts_value(const gopts *o, const gopt_spec *spec, const char *name) {
  int i = lookup(o, spec, name);
  return i < 0 ? NULL : o->item[i].value;
}

int gopts_int(const gopts *o, const gopt_spec *spec, const char *name, int64_t lo, int64_t hi, int64_t *out,
              char *err, size_t errlen) {
  const char *v = gopts_value(o, spec, name);
  if (!v) return 0;
  char *end;
  long long x = strtoll(v, &end, 10);
  if (end == v || *end || x < lo || x > hi) {
    snprintf(err, errlen, "option %s='%s' is not a whole number from %lld to %lld", name, v, (long long)lo, (long long)hi);
    return failed(err);
  }
  *out = x;
  return 0;
}

int gopts_choice(const gopts *o, const gopt_spec *spec, const char *name, const char *const *choices, int *out,
                 char *err, size_t errlen) {
  const char *v = gopts_value(o, spec, name);
  if (!v) return 0;
  char list[256];
  size_t used = 0;
  list[0] = 0;
  for (int i = 0; choices[i]; i++) {
    if (strcasecmp(v, choices[i]) == 0) { *out = i; return 0; }
    int w = snprintf(list + used, sizeof list - used, "%s%s", i ? "|" : "", choices[i]);
    if (w > 0 && (size_t)w < sizeof list - used) used += (size_t)w;
  }
  snprintf(err, errlen, "option %s='%s' is not one of %s", name, v, list);
  return failed(err);
}
