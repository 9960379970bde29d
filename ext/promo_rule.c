/* promo_rule.c: see promo_rule.h. Every rule type is one row of rule_types[]: its name and its
** fields, each with how it is read and where it goes. */
#include "promo_rule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_rule.h"
#include "mem.h"
#include "time.h"
#include "utf8.h"

/* ------------------------------------------------------------------ errors and values */

typedef struct rp {
  int scale;
  ground rnd;
  char *err;
  size_t errlen;
} rp;

static int rfail(rp *p, const char *path, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (path && *path) snprintf(p->err, p->errlen, "rule $.%s: %s", path, what);
  else snprintf(p->err, p->errlen, "rule: %s", what);
  p->err[gutf8_complete(p->err, strlen(p->err))] = 0; /* a cut never splits a character (utf8.h) */
  return -1;
}

/* A money field: a JSON number or decimal string, >= 0. */
static int get_money(rp *p, const gjson *v, const char *path, int64_t *out) {
  if (v->kind != GJ_NUMBER && v->kind != GJ_STRING)
    return rfail(p, path, "expected an amount (a number or decimal string), got %s", gjson_kind_name(v->kind));
  const char *why = gmoney_parse_text(v->text, -1, p->scale, p->rnd, out);
  if (why) return rfail(p, path, "expected an amount, got '%s' (%s)", v->text, why);
  if (*out < 0) return rfail(p, path, "expected an amount >= 0, got %s", v->text);
  return 0;
}

/* A rate: the fraction paid, 0..1. */
static int get_rate(rp *p, const gjson *v, const char *path, int64_t *out) {
  if (v->kind != GJ_NUMBER && v->kind != GJ_STRING)
    return rfail(p, path, "expected a rate between 0 and 1, got %s", gjson_kind_name(v->kind));
  const char *why = gmoney_rate_from_text(v->text, -1, out);
  if (why || *out < 0 || *out > GMONEY_PPM)
    return rfail(p, path, "expected a rate between 0 and 1 (the fraction paid: 0.8 = 20%% off), got %s", v->text);
  return 0;
}

/* A whole number in [lo, hi]. */
static int get_int(rp *p, const gjson *v, const char *path, int64_t lo, int64_t hi, int64_t *out) {
  if (v->kind == GJ_NUMBER) {
    const char *s = v->text;
    int neg = *s == '-';
    if (neg) s++;
    int64_t x = 0;
    int ok = *s != 0;
    for (; *s && ok; s++) {
      if (*s < '0' || *s > '9' || x > (INT64_MAX - 9) / 10) ok = 0;
      else x = x * 10 + (*s - '0');
    }
    if (ok) {
      if (neg) x = -x;
      if (x >= lo && x <= hi) {
        *out = x;
        return 0;
      }
    }
  }
  return rfail(p, path, "expected a whole number between %lld and %lld, got %s", (long long)lo, (long long)hi,
               v->kind == GJ_NUMBER || v->kind == GJ_STRING ? v->text : gjson_kind_name(v->kind));
}

static int get_bool(rp *p, const gjson *v, const char *path, int *out) {
  if (v->kind == GJ_TRUE || v->kind == GJ_FALSE) {
    *out = v->kind == GJ_TRUE;
    return 0;
  }
  return rfail(p, path, "expected true or false, got %s", gjson_kind_name(v->kind));
}

static int get_time(rp *p, const gjson *v, const char *path, int64_t *out) {
  const char *why = NULL;
  if (v->kind == GJ_STRING) why = gtime_parse_text(v->text, -1, out);
  else if (v->kind == GJ_NUMBER) {
    int64_t secs;
    if (get_int(p, v, path, -(INT64_C(1) << 40), INT64_C(1) << 40, &secs)) return -1;
    why = gtime_from_unix_seconds(secs, out);
  } else why = "not a string";
  if (why)
    return rfail(p, path, "expected a timestamp (ISO-8601 text or Unix seconds), got %s (%s)",
                 v->text ? v->text : gjson_kind_name(v->kind), why);
  return 0;
}

/* Tiers: {qty, rate} objects (qty 1) or {threshold, off} objects (qty 0), ascending. */
static int parse_tiers(rp *p, const gjson *v, int qty, promo_rule *r) {
  if (v->kind != GJ_ARRAY || v->n == 0) return rfail(p, "tiers", "expected a non-empty array of tiers");
  if (v->n > PROMO_MAX_TIERS) return rfail(p, "tiers", "at most %d tiers, got %d", PROMO_MAX_TIERS, v->n);
  r->tiers = gmem_alloc(sizeof *r->tiers * (size_t)v->n);
  if (!r->tiers) return rfail(p, "tiers", "out of memory");
  r->ntiers = v->n;
  char path[64];
  for (int i = 0; i < v->n; i++) {
    const gjson *t = &v->items[i];
    if (t->kind != GJ_OBJECT) {
      snprintf(path, sizeof path, "tiers[%d]", i);
      return rfail(p, path, "expected an object like %s",
                   qty ? "{\"qty\":2,\"rate\":0.95}" : "{\"threshold\":200,\"off\":10}");
    }
    const char *ka = qty ? "qty" : "threshold", *kb = qty ? "rate" : "off";
    for (int k = 0; k < t->n; k++)
      if (strcmp(t->keys[k], ka) && strcmp(t->keys[k], kb)) {
        snprintf(path, sizeof path, "tiers[%d].%.*s", i, (int)gutf8_prefix(t->keys[k], strlen(t->keys[k]), 20),
                 t->keys[k]);
        return rfail(p, path, "unknown field (a tier has %s and %s)", ka, kb);
      }
    const gjson *a = gjson_get(t, ka), *b = gjson_get(t, kb);
    snprintf(path, sizeof path, "tiers[%d].%s", i, ka);
    if (!a) return rfail(p, path, "required");
    if (qty ? get_int(p, a, path, 1, INT64_C(1000000000), &r->tiers[i].at) : get_money(p, a, path, &r->tiers[i].at))
      return -1;
    if (i > 0 && r->tiers[i].at <= r->tiers[i - 1].at) return rfail(p, path, "tiers must ascend");
    snprintf(path, sizeof path, "tiers[%d].%s", i, kb);
    if (!b) return rfail(p, path, "required");
    if (qty ? get_rate(p, b, path, &r->tiers[i].value) : get_money(p, b, path, &r->tiers[i].value)) return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ the types and their fields */

/* How a field's JSON value is read, and what it is stored as. */
typedef enum {
  F_MONEY,        /* an amount >= 0 at the rule's scale (int64_t) */
  F_RATE,         /* the fraction paid, 0..1, in ppm (int64_t) */
  F_WHOLE,        /* a whole number in [lo, hi] (int64_t) */
  F_BOOL,         /* true or false (int) */
  F_CHOICE,       /* one of two strings (int: 1 when it is choice[yes]) */
  F_TEXT,         /* a string, not kept (name) */
  F_TIME,         /* ISO-8601 text or Unix seconds (int64_t microseconds) */
  F_SKU,          /* a non-empty string, copied (char *) */
  F_QTY_TIERS,    /* [{qty, rate}, ...] into tiers, ntiers */
  F_AMOUNT_TIERS, /* [{threshold, off}, ...] into tiers, ntiers */
} field_kind;

typedef enum {
  OPTIONAL,
  REQUIRED,
  OPTIONAL_ZERO, /* optional, and counts as given when left out (its value then 0) */
} field_need;

typedef struct rule_field {
  const char *key;
  field_kind kind;
  field_need need;
  size_t at;      /* offsetof the value in promo_rule */
  size_t has;     /* offsetof the int set to 1 when the field is given; 0 none */
  int64_t lo, hi; /* F_WHOLE */
  const char *choice[2];
  int yes;            /* F_CHOICE */
  const char *or_key; /* an earlier field this one replaces: one of the two, never both */
} rule_field;

#define MAX_FIELDS 5

typedef struct rule_type {
  const char *name;
  rule_field fields[MAX_FIELDS + 1];        /* in the order they are read and listed; key NULL ends */
  int (*check)(rp *p, const promo_rule *r); /* between fields, after all were read */
} rule_type;

#define AT(member) offsetof(promo_rule, member)
#define REQ(k, kind_, member) .key = k, .kind = kind_, .need = REQUIRED, .at = AT(member)
#define OPT(k, kind_, member) .key = k, .kind = kind_, .need = OPTIONAL, .at = AT(member)
#define ZERO(k, kind_, member) .key = k, .kind = kind_, .need = OPTIONAL_ZERO, .at = AT(member)
#define HAS(member) .has = AT(member)
#define RANGE(l, h) .lo = (l), .hi = (h)
#define CHOICE(a, b, y) .choice = {a, b}, .yes = (y)
#define E9 INT64_C(1000000000)
#define E6 INT64_C(1000000)
#define E50 (INT64_C(1) << 50)

static int repeat_needs_threshold(rp *p, const promo_rule *r);

/* Every rule type: its name and the fields it takes besides the common ones. The parser, the
** type list of its errors and each type's field list come from here, so a type is one row
** (and its constant in promo_rule.h). One line per field, laid out by hand. */
/* clang-format off */
static const rule_type rule_types[PT_COUNT] = {
  [PT_DISCOUNT] = {.name = "discount", .fields = {
    {REQ("rate", F_RATE, rate), HAS(has_rate)},
  }},
  [PT_TIERED_DISCOUNT] = {.name = "tiered_discount", .fields = {
    {REQ("tiers", F_QTY_TIERS, tiers)},
    {OPT("mode", F_CHOICE, graduated), CHOICE("whole", "graduated", 1)},
  }},
  [PT_SPECIAL_PRICE] = {.name = "special_price", .fields = {
    {REQ("price", F_MONEY, price), HAS(has_price)},
  }},
  [PT_REDUCE] = {.name = "reduce", .fields = {
    {REQ("amount", F_MONEY, amount)},
  }},
  [PT_THRESHOLD_OFF] = {.name = "threshold_off", .fields = {
    {REQ("threshold", F_MONEY, threshold)},
    {REQ("off", F_MONEY, off), HAS(has_off)},
    {OPT("repeat", F_BOOL, repeat)},
    {OPT("cap", F_MONEY, cap), HAS(has_cap)},
  }, .check = repeat_needs_threshold},
  [PT_TIERED_THRESHOLD_OFF] = {.name = "tiered_threshold_off", .fields = {
    {REQ("tiers", F_AMOUNT_TIERS, tiers)},
  }},
  [PT_ADD_ON] = {.name = "add_on", .fields = {
    {REQ("threshold", F_MONEY, threshold)},
    {REQ("sku", F_SKU, sku)},
    {REQ("price", F_MONEY, price), HAS(has_price)},
    {OPT("limit", F_WHOLE, limit), RANGE(1, E9)},
  }},
  [PT_EXCHANGE] = {.name = "exchange", .fields = {
    {REQ("threshold", F_MONEY, threshold)},
    {REQ("sku", F_SKU, sku)},
    {OPT("qty", F_WHOLE, qty), RANGE(1, E9)},
    {OPT("list", F_MONEY, list)},
    {OPT("cost", F_MONEY, gift_cost), HAS(has_gift_cost)},
  }},
  [PT_FLASH_SALE] = {.name = "flash_sale", .fields = {
    {OPT("price", F_MONEY, price), HAS(has_price)},
    {OPT("rate", F_RATE, rate), HAS(has_rate), .or_key = "price"},
    {OPT("stock", F_WHOLE, stock), RANGE(0, E50)},
    {OPT("per_order_limit", F_WHOLE, per_order_limit), RANGE(1, E50)},
  }},
  [PT_BUY_X_GET_Y] = {.name = "buy_x_get_y", .fields = {
    {REQ("buy", F_WHOLE, buy), RANGE(1, E6)},
    {REQ("get", F_WHOLE, get), RANGE(1, E6)},
    {ZERO("rate", F_RATE, rate), HAS(has_rate)},  /* none: the y units free */
    {OPT("max_sets", F_WHOLE, max_sets), RANGE(1, E50)},
  }},
  [PT_BUNDLE_PRICE] = {.name = "bundle_price", .fields = {
    {REQ("qty", F_WHOLE, qty), RANGE(1, E6)},
    {REQ("price", F_MONEY, price), HAS(has_price)},
  }},
  [PT_COUPON] = {.name = "coupon", .fields = {
    {OPT("threshold", F_MONEY, threshold)},
    {OPT("off", F_MONEY, off), HAS(has_off)},
    {OPT("rate", F_RATE, rate), HAS(has_rate), .or_key = "off"},
    {OPT("cap", F_MONEY, cap), HAS(has_cap)},
  }},
};
/* clang-format on */

/* The fields every type takes besides "type", read in this order before the type's own. */
static const rule_field common_fields[] = {
  {OPT("scope", F_CHOICE, group), CHOICE("item", "group", 1)},
  {OPT("audience", F_CHOICE, audience_new), CHOICE("new", "all", 0)},
  {.key = "name", .kind = F_TEXT, .need = OPTIONAL},
  {OPT("starts_at", F_TIME, starts_at), HAS(has_start)},
  {OPT("ends_at", F_TIME, ends_at), HAS(has_end)},
  {.key = NULL},
};

#undef REQ
#undef OPT
#undef ZERO
#undef HAS
#undef RANGE
#undef CHOICE

const char *promo_type_name(promo_type t) { return t < PT_COUNT ? rule_types[t].name : "?"; }

/* ------------------------------------------------------------------ reading the fields */

static int64_t *int64_at(promo_rule *r, size_t at) { return (int64_t *)((char *)r + at); }
static int *int_at(promo_rule *r, size_t at) { return (int *)((char *)r + at); }
static int given(const promo_rule *r, size_t has) { return has && *(const int *)((const char *)r + has); }

static const rule_field *field_named(const rule_type *t, const char *key) {
  for (const rule_field *f = t->fields; f->key; f++)
    if (strcmp(f->key, key) == 0) return f;
  return NULL;
}

static int field_allowed(const rule_type *t, const char *key) {
  if (strcmp(key, "type") == 0) return 1;
  for (const rule_field *f = common_fields; f->key; f++)
    if (strcmp(f->key, key) == 0) return 1;
  return field_named(t, key) != NULL;
}

/* The keys of a type's fields, space-separated (for "unknown field ... (it takes ...)"). */
static void field_list(const rule_type *t, char *out, size_t n) {
  size_t o = 0;
  out[0] = 0;
  for (const rule_field *f = t->fields; f->key && o < n; f++)
    o += (size_t)snprintf(out + o, n - o, "%s%s", f == t->fields ? "" : " ", f->key);
}

/* The type names, ", "-separated, the last after `last` (", " or " or "). */
static void type_list(const char *last, char *out, size_t n) {
  size_t o = 0;
  for (int i = 0; i < PT_COUNT && o < n; i++)
    o += (size_t)snprintf(out + o, n - o, "%s%s", i == 0 ? "" : i == PT_COUNT - 1 ? last : ", ", rule_types[i].name);
}

/* Reads one given field's value v into r. */
static int read_field(rp *p, const rule_field *f, const gjson *v, promo_rule *r) {
  switch (f->kind) {
    case F_MONEY: return get_money(p, v, f->key, int64_at(r, f->at));
    case F_RATE: return get_rate(p, v, f->key, int64_at(r, f->at));
    case F_WHOLE: return get_int(p, v, f->key, f->lo, f->hi, int64_at(r, f->at));
    case F_BOOL: return get_bool(p, v, f->key, int_at(r, f->at));
    case F_TIME: return get_time(p, v, f->key, int64_at(r, f->at));
    case F_QTY_TIERS:
    case F_AMOUNT_TIERS: return parse_tiers(p, v, f->kind == F_QTY_TIERS, r);
    case F_CHOICE:
      if (v->kind != GJ_STRING || (strcmp(v->text, f->choice[0]) && strcmp(v->text, f->choice[1])))
        return rfail(p, f->key, "expected \"%s\" or \"%s\"", f->choice[0], f->choice[1]);
      *int_at(r, f->at) = strcmp(v->text, f->choice[f->yes]) == 0;
      return 0;
    case F_TEXT:
      if (v->kind != GJ_STRING) return rfail(p, f->key, "expected a string");
      return 0;
    case F_SKU:
      if (v->kind != GJ_STRING || !*v->text) return rfail(p, f->key, "expected the designated item's sku as a string");
      if (!(r->sku = gmem_alloc(strlen(v->text) + 1))) return rfail(p, f->key, "out of memory");
      strcpy(r->sku, v->text);
      return 0;
  }
  return rfail(p, f->key, "unknown kind of field");
}

/* Reads the fields of a list, in its order; the type name is for "required for <type>". */
static int read_fields(rp *p, const gjson *o, const rule_field *fields, const char *type, promo_rule *r) {
  for (const rule_field *f = fields; f->key; f++) {
    const gjson *v = gjson_get(o, f->key);
    const rule_field *alt = NULL;
    if (f->or_key) {
      alt = field_named(&rule_types[r->type], f->or_key);
      if (v && given(r, alt->has)) return rfail(p, f->key, "give %s or %s, not both", f->or_key, f->key);
    }
    if (f->need == OPTIONAL_ZERO) *int_at(r, f->has) = 1;
    if (v) {
      if (read_field(p, f, v, r)) return -1;
      if (f->has) *int_at(r, f->has) = 1;
    } else if (f->need == REQUIRED) return rfail(p, f->key, "required for %s", type);
    if (alt && !given(r, f->has) && !given(r, alt->has))
      return rfail(p, f->or_key, "required for %s (or %s)", type, f->key);
  }
  return 0;
}

static int repeat_needs_threshold(rp *p, const promo_rule *r) {
  if (r->repeat && r->threshold == 0) return rfail(p, "threshold", "must be above 0 with repeat");
  return 0;
}

static int parse_rule(rp *p, const gjson *o, promo_rule *r) {
  char list[256];
  if (o->kind != GJ_OBJECT)
    return rfail(p, NULL, "expected a JSON object such as {\"type\":\"discount\",\"rate\":0.8}, got %s",
                 gjson_kind_name(o->kind));
  const gjson *t = gjson_get(o, "type");
  if (!t) {
    type_list(", ", list, sizeof list);
    return rfail(p, "type", "required (one of %s)", list);
  }
  if (t->kind != GJ_STRING) return rfail(p, "type", "expected a string, got %s", gjson_kind_name(t->kind));
  int ty = -1;
  for (int i = 0; i < PT_COUNT; i++)
    if (strcmp(t->text, rule_types[i].name) == 0) ty = i;
  if (ty < 0) {
    type_list(" or ", list, sizeof list);
    return rfail(p, "type", "unknown type '%.*s' (expected %s)", (int)gutf8_prefix(t->text, strlen(t->text), 40),
                 t->text, list);
  }
  const rule_type *type = &rule_types[ty];
  r->type = (promo_type)ty;
  /* defaults: no stock limit, one unit */
  r->stock = r->per_order_limit = -1;
  r->limit = r->qty = 1;
  for (int i = 0; i < o->n; i++)
    if (!field_allowed(type, o->keys[i])) {
      field_list(type, list, sizeof list);
      return rfail(p, o->keys[i], "unknown field for %s (it takes %s)", type->name, list);
    }
  if (read_fields(p, o, common_fields, type->name, r)) return -1;
  if (r->has_start && r->has_end && r->ends_at <= r->starts_at) return rfail(p, "ends_at", "must be after starts_at");
  if (read_fields(p, o, type->fields, type->name, r)) return -1;
  return type->check ? type->check(p, r) : 0;
}

/* The raw text of the JSON key starting at json[at] (a '"'), without its quotes, for an error:
** at most outlen - 1 bytes, cut on a UTF-8 character boundary. */
static void raw_key(const char *json, size_t len, size_t at, char *out, size_t outlen) {
  size_t o = 0, i = at + 1;
  while (i < len && json[i] != '"' && o + 1 < outlen) {
    if (json[i] == '\\' && i + 1 < len) {
      if (o + 2 >= outlen) break;
      out[o++] = json[i++];
    }
    out[o++] = json[i++];
  }
  /* cut short: drop the last UTF-8 character if it is incomplete */
  size_t lead = o;
  while (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0x80) lead--;
  if (lead > 0) {
    unsigned char c = (unsigned char)out[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (o - (lead - 1) < need) o = lead - 1;
  }
  out[o] = 0;
}

int promo_rule_parse(const char *json, size_t len, int scale, ground rnd, promo_rule *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  gjson root;
  size_t at = 0;
  const char *why = gjson_parse(json, len, &root, &at);
  if (why) {
    /* callers recognise exactly "out of memory" (found by tests/test_oom.c: it became a
    ** reported invalid rule in promo_check) */
    if (strcmp(why, "out of memory") == 0) snprintf(err, errlen, "out of memory");
    else if (strcmp(why, GJSON_DUPLICATE_KEY) == 0) {
      char key[48];
      raw_key(json, len, at, key, sizeof key);
      snprintf(err, errlen, "rule: key \"%s\" given twice (at offset %zu); each field may appear once", key, at);
    } else if (strcmp(why, GJSON_NUL_IN_STRING) == 0)
      snprintf(err, errlen, "rule: \\u0000 (NUL) in a string at offset %zu: not allowed in keys or values", at);
    else snprintf(err, errlen, "rule is not JSON: %s at offset %zu", why, at);
    return -1;
  }
  rp p = {scale, rnd, err, errlen};
  int rc = parse_rule(&p, &root, out);
  gjson_free(&root);
  if (rc) {
    promo_rule_free(out);
    /* Out of memory is not a fault of the rule: say only that, so callers can tell. */
    size_t n = strlen(err);
    if (n >= 13 && strcmp(err + n - 13, "out of memory") == 0) snprintf(err, errlen, "out of memory");
  }
  return rc;
}

void promo_rule_free(promo_rule *r) {
  gmem_free(r->tiers);
  gmem_free(r->sku);
  r->tiers = NULL;
  r->sku = NULL;
  r->ntiers = 0;
}

int promo_rule_live(const promo_rule *r, int has_ts, int64_t ts) {
  if (!has_ts) return 1;
  if (r->has_start && ts < r->starts_at) return 0;
  if (r->has_end && ts >= r->ends_at) return 0;
  return 1;
}
