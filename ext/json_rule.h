/*
** json_rule.h: a small strict JSON reader for promotion rules (RFC 8259: no comments, no
** trailing commas, no NaN). Pure: no sqlite3 calls, memory from gmem. Numbers are kept as
** their source text so money fields can be parsed exactly as decimals.
*/
#ifndef GROWTH_JSON_RULE_H
#define GROWTH_JSON_RULE_H

#include <stddef.h>

typedef enum { GJ_NULL, GJ_FALSE, GJ_TRUE, GJ_NUMBER, GJ_STRING, GJ_ARRAY, GJ_OBJECT } gjson_kind;

typedef struct gjson {
  gjson_kind kind;
  char *text;           /* GJ_STRING: unescaped UTF-8 (NUL-terminated); GJ_NUMBER: source text */
  int n;                /* GJ_ARRAY / GJ_OBJECT: number of items */
  struct gjson *items;  /* the items, or the object's values */
  char **keys;          /* GJ_OBJECT: the keys (unescaped) */
} gjson;

/* The reasons for two refusals of valid JSON (compare the text): an object that gives a key
** twice (*err_at: the repeated key), and \u0000 in a string (*err_at: the escape). Strings are
** NUL-terminated, so a NUL would cut them short; a repeated key would go unvalidated. */
#define GJSON_DUPLICATE_KEY "duplicate key"
#define GJSON_NUL_IN_STRING "\\u0000 (NUL) in a string"

/* Parses text[0..len) as one JSON value. Returns NULL, or a static reason with *err_at set to
** the byte offset of the problem; out is then empty (nothing to free). */
const char *gjson_parse(const char *text, size_t len, gjson *out, size_t *err_at);
void gjson_free(gjson *v);
/* The value of key in an object, or NULL. */
const gjson *gjson_get(const gjson *obj, const char *key);
const char *gjson_kind_name(gjson_kind k);

#endif
