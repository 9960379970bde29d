/*
** test_promo_rule.c: the promotion rule reader (ext/promo_rule.c) and its JSON reader
** (ext/json_rule.c), driven directly: what each type's fields become in a promo_rule, the
** defaults, and the error texts word for word (the texts promo_price, promo_apply and
** promo_check show; docs/promotions.md lists the fields of each type).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json_rule.h"
#include "mem.h"
#include "promo_rule.h"

static void json_reader(void **state) {
  (void)state;
  gjson v;
  size_t at;
  const char *t = "{\"a\":[1,-2.5e3,true,false,null],\"b\":\"x\\u00e9\\ud83d\\ude00\\n\"}";
  assert_null(gjson_parse(t, strlen(t), &v, &at));
  assert_int_equal(v.kind, GJ_OBJECT);
  const gjson *a = gjson_get(&v, "a");
  assert_non_null(a);
  assert_int_equal(a->n, 5);
  assert_string_equal(a->items[1].text, "-2.5e3");
  assert_int_equal(a->items[2].kind, GJ_TRUE);
  assert_string_equal(gjson_get(&v, "b")->text, "x\xc3\xa9\xf0\x9f\x98\x80\n");
  gjson_free(&v);
  /* strict: trailing commas, leading zeros, lone surrogates, junk after the value, deep nesting */
  const char *bad[] = {"[1,]", "{\"a\":01}", "\"\\ud800\"", "{} x", "[", "\"abc", "{\"a\" 1}", "-", "1.", "tru"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_non_null(gjson_parse(bad[i], strlen(bad[i]), &v, &at));
  /* valid JSON refused (issue 16 L9): \u0000 would cut the C string, a repeated key would go
  ** unvalidated; err_at points at the escape / the repeated key */
  static const struct {
    const char *text, *why;
    size_t at;
  } refused[] = {
    {"\"a\\u0000b\"", GJSON_NUL_IN_STRING, 2},
    {"{\"a\\u0000\":1}", GJSON_NUL_IN_STRING, 3},
    {"{\"a\":1,\"b\":2,\"a\":3}", GJSON_DUPLICATE_KEY, 13},
    {"{\"b\":1,\"a\":2,\"a\":3,\"b\":4}", GJSON_DUPLICATE_KEY, 13},
    {"[{\"x\":{\"y\":1,\"y\":1}}]", GJSON_DUPLICATE_KEY, 13},
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    at = 0;
    assert_string_equal(gjson_parse(refused[i].text, strlen(refused[i].text), &v, &at), refused[i].why);
    assert_int_equal(at, refused[i].at);
  }
  /* \u0001 and keys that differ only after their first bytes are fine */
  t = "{\"ab\":\"\\u0001\",\"a\":1,\"abc\":2}";
  assert_null(gjson_parse(t, strlen(t), &v, &at));
  assert_int_equal(v.n, 3);
  gjson_free(&v);
  /* 5000 distinct keys, then the same object with the first key repeated at the end */
  char *big = gmem_alloc(5000 * 16 + 32); /* each ,"kNNNN":NNNN is at most 13 bytes */
  assert_non_null(big);
  size_t o = 0;
  big[o++] = '{';
  for (int k = 0; k < 5000; k++) o += (size_t)sprintf(big + o, "%s\"k%d\":%d", k ? "," : "", k, k);
  big[o] = '}';
  assert_null(gjson_parse(big, o + 1, &v, &at));
  assert_int_equal(v.n, 5000);
  gjson_free(&v);
  size_t dup_at = o + 1;
  o += (size_t)sprintf(big + o, ",\"k0\":1}");
  assert_string_equal(gjson_parse(big, o, &v, &at), GJSON_DUPLICATE_KEY);
  assert_int_equal(at, dup_at);
  gmem_free(big);
  char deep[200];
  memset(deep, '[', 100);
  memset(deep + 100, ']', 100);
  assert_non_null(gjson_parse(deep, sizeof deep, &v, &at));
}

static promo_rule parse_ok(const char *json) {
  promo_rule r;
  char err[512] = "";
  if (promo_rule_parse(json, strlen(json), 2, GROUND_HALF_UP, &r, err, sizeof err)) fail_msg("%s: %s", json, err);
  return r;
}

static void rule_errors(void **state) {
  (void)state;
  struct {
    const char *rule, *err;
  } cases[] = {
    {"{\"type\":\"discount\",\"rate\":1.01}",
     "rule $.rate: expected a rate between 0 and 1 (the fraction paid: 0.8 = 20% off), got 1.01"},
    {"{\"type\":\"tiered_threshold_off\",\"tiers\":[{\"threshold\":300,\"off\":30},{\"threshold\":200,\"off\":10}]}",
     "rule $.tiers[1].threshold: tiers must ascend"},
    {"{\"type\":\"tiered_discount\",\"tiers\":[]}", "rule $.tiers: expected a non-empty array of tiers"},
    {"{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":2,\"rate\":0.9,\"x\":1}]}",
     "rule $.tiers[0].x: unknown field (a tier has qty and rate)"},
    {"{\"type\":\"special_price\",\"price\":-1}", "rule $.price: expected an amount >= 0, got -1"},
    {"{\"type\":\"threshold_off\",\"threshold\":0,\"off\":5,\"repeat\":true}",
     "rule $.threshold: must be above 0 with repeat"},
    {"{\"type\":\"add_on\",\"threshold\":100,\"price\":5}", "rule $.sku: required for add_on"},
    {"{\"type\":\"coupon\",\"threshold\":100}", "rule $.off: required for coupon (or rate)"},
    {"{\"type\":\"discount\",\"rate\":0.5,\"scope\":\"all\"}", "rule $.scope: expected \"item\" or \"group\""},
    {"{\"rate\":0.5}",
     "rule $.type: required (one of discount, tiered_discount, special_price, reduce, threshold_off, tiered_threshold_off, add_on, exchange, flash_sale, buy_x_get_y, bundle_price, coupon)"},
    {"{\"type\":\"discount\",\"rate\":0.5,\"starts_at\":\"June\"}",
     "rule $.starts_at: expected a timestamp (ISO-8601 text or Unix seconds), got June (expected YYYY-MM-DD)"},
    {NULL, "rule $.tiers: at most 64 tiers, got 65"},
  };
  /* 65 tiers: one more than PROMO_MAX_TIERS */
  char many[65 * 32 + 64];
  size_t o = (size_t)sprintf(many, "{\"type\":\"tiered_threshold_off\",\"tiers\":[");
  for (int k = 0; k < 65; k++) o += (size_t)sprintf(many + o, "%s{\"threshold\":%d,\"off\":1}", k ? "," : "", k + 1);
  sprintf(many + o, "]}");
  cases[sizeof cases / sizeof cases[0] - 1].rule = many;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    promo_rule r;
    char err[512];
    assert_int_equal(promo_rule_parse(cases[i].rule, strlen(cases[i].rule), 2, GROUND_HALF_UP, &r, err, sizeof err),
                     -1);
    assert_string_equal(err, cases[i].err);
  }
}

/* Every promo_type constant has its row in rule_types[] (a missing row has no name). */
static void every_type_has_a_row(void **state) {
  (void)state;
  for (int t = 0; t < PT_COUNT; t++) {
    const char *name = promo_type_name((promo_type)t);
    assert_non_null(name);
    assert_string_not_equal(name, "?");
  }
  assert_string_equal(promo_type_name(PT_DISCOUNT), "discount");
  assert_string_equal(promo_type_name(PT_COUPON), "coupon");
  assert_string_equal(promo_type_name(PT_COUNT), "?");
}

/* Each type names the fields it takes when given one it does not, and each required field is
** named with its type; the order of the lists is the order of the manual's field table. */
static void fields_of_each_type(void **state) {
  (void)state;
  static const struct {
    const char *rule, *err;
  } cases[] = {
    {"{\"type\":\"discount\",\"x\":1}", "rule $.x: unknown field for discount (it takes rate)"},
    {"{\"type\":\"tiered_discount\",\"x\":1}", "rule $.x: unknown field for tiered_discount (it takes tiers mode)"},
    {"{\"type\":\"special_price\",\"x\":1}", "rule $.x: unknown field for special_price (it takes price)"},
    {"{\"type\":\"reduce\",\"x\":1}", "rule $.x: unknown field for reduce (it takes amount)"},
    {"{\"type\":\"threshold_off\",\"x\":1}",
     "rule $.x: unknown field for threshold_off (it takes threshold off repeat cap)"},
    {"{\"type\":\"tiered_threshold_off\",\"x\":1}",
     "rule $.x: unknown field for tiered_threshold_off (it takes tiers)"},
    {"{\"type\":\"add_on\",\"x\":1}", "rule $.x: unknown field for add_on (it takes threshold sku price limit)"},
    {"{\"type\":\"exchange\",\"x\":1}", "rule $.x: unknown field for exchange (it takes threshold sku qty list cost)"},
    {"{\"type\":\"flash_sale\",\"x\":1}",
     "rule $.x: unknown field for flash_sale (it takes price rate stock per_order_limit)"},
    {"{\"type\":\"buy_x_get_y\",\"x\":1}", "rule $.x: unknown field for buy_x_get_y (it takes buy get rate max_sets)"},
    {"{\"type\":\"bundle_price\",\"x\":1}", "rule $.x: unknown field for bundle_price (it takes qty price)"},
    {"{\"type\":\"coupon\",\"x\":1}", "rule $.x: unknown field for coupon (it takes threshold off rate cap)"},
    /* a field of another type is unknown too; the first unknown key is the one named */
    {"{\"type\":\"discount\",\"rate\":0.5,\"price\":1,\"y\":2}",
     "rule $.price: unknown field for discount (it takes rate)"},
    {"{\"type\":\"discount\"}", "rule $.rate: required for discount"},
    {"{\"type\":\"tiered_discount\"}", "rule $.tiers: required for tiered_discount"},
    {"{\"type\":\"special_price\"}", "rule $.price: required for special_price"},
    {"{\"type\":\"reduce\"}", "rule $.amount: required for reduce"},
    {"{\"type\":\"threshold_off\",\"off\":1}", "rule $.threshold: required for threshold_off"},
    {"{\"type\":\"threshold_off\",\"threshold\":1}", "rule $.off: required for threshold_off"},
    {"{\"type\":\"tiered_threshold_off\"}", "rule $.tiers: required for tiered_threshold_off"},
    {"{\"type\":\"add_on\",\"sku\":\"G\",\"price\":1}", "rule $.threshold: required for add_on"},
    {"{\"type\":\"add_on\",\"threshold\":1,\"sku\":\"G\"}", "rule $.price: required for add_on"},
    {"{\"type\":\"exchange\",\"threshold\":1}", "rule $.sku: required for exchange"},
    {"{\"type\":\"flash_sale\",\"stock\":-1}", "rule $.price: required for flash_sale (or rate)"},
    {"{\"type\":\"flash_sale\",\"price\":1,\"rate\":0.5}", "rule $.rate: give price or rate, not both"},
    {"{\"type\":\"flash_sale\",\"price\":1,\"rate\":7}", "rule $.rate: give price or rate, not both"},
    {"{\"type\":\"buy_x_get_y\",\"get\":1}", "rule $.buy: required for buy_x_get_y"},
    {"{\"type\":\"buy_x_get_y\",\"buy\":1}", "rule $.get: required for buy_x_get_y"},
    {"{\"type\":\"bundle_price\",\"price\":1}", "rule $.qty: required for bundle_price"},
    {"{\"type\":\"bundle_price\",\"qty\":2}", "rule $.price: required for bundle_price"},
    {"{\"type\":\"coupon\",\"off\":1,\"rate\":0.5}", "rule $.rate: give off or rate, not both"},
    /* values of the wrong kind or out of range */
    {"{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":2,\"rate\":0.9}],\"mode\":\"all\"}",
     "rule $.mode: expected \"whole\" or \"graduated\""},
    {"{\"type\":\"threshold_off\",\"threshold\":1,\"off\":1,\"repeat\":1}",
     "rule $.repeat: expected true or false, got a number"},
    {"{\"type\":\"add_on\",\"threshold\":1,\"sku\":\"\",\"price\":1}",
     "rule $.sku: expected the designated item's sku as a string"},
    {"{\"type\":\"add_on\",\"threshold\":1,\"sku\":\"G\",\"price\":1,\"limit\":0}",
     "rule $.limit: expected a whole number between 1 and 1000000000, got 0"},
    {"{\"type\":\"exchange\",\"threshold\":1,\"sku\":\"G\",\"qty\":1.5}",
     "rule $.qty: expected a whole number between 1 and 1000000000, got 1.5"},
    {"{\"type\":\"flash_sale\",\"price\":1,\"stock\":-1}",
     "rule $.stock: expected a whole number between 0 and 1125899906842624, got -1"},
    {"{\"type\":\"flash_sale\",\"rate\":0.5,\"per_order_limit\":0}",
     "rule $.per_order_limit: expected a whole number between 1 and 1125899906842624, got 0"},
    {"{\"type\":\"buy_x_get_y\",\"buy\":2,\"get\":1000001}",
     "rule $.get: expected a whole number between 1 and 1000000, got 1000001"},
    {"{\"type\":\"buy_x_get_y\",\"buy\":2,\"get\":1,\"max_sets\":\"2\"}",
     "rule $.max_sets: expected a whole number between 1 and 1125899906842624, got 2"},
    {"{\"type\":\"bundle_price\",\"qty\":1000001,\"price\":1}",
     "rule $.qty: expected a whole number between 1 and 1000000, got 1000001"},
    {"{\"type\":\"coupon\",\"off\":true}", "rule $.off: expected an amount (a number or decimal string), got true"},
    {"{\"type\":\"discount\",\"rate\":0.5,\"audience\":\"old\"}", "rule $.audience: expected \"new\" or \"all\""},
    {"{\"type\":\"discount\",\"rate\":0.5,\"name\":1}", "rule $.name: expected a string"},
    {"{\"type\":\"discount\",\"rate\":0.5,\"starts_at\":2,\"ends_at\":1}", "rule $.ends_at: must be after starts_at"},
    {"{\"type\":\"discount\",\"rate\":0.5,\"ends_at\":[]}",
     "rule $.ends_at: expected a timestamp (ISO-8601 text or Unix seconds), got an array (not a string)"},
    {"{\"type\":7}", "rule $.type: expected a string, got a number"},
    {"{\"type\":\"discounts\"}",
     "rule $.type: unknown type 'discounts' (expected discount, tiered_discount, special_price, reduce, threshold_off, tiered_threshold_off, add_on, exchange, flash_sale, buy_x_get_y, bundle_price or coupon)"},
    {"[1]", "rule: expected a JSON object such as {\"type\":\"discount\",\"rate\":0.8}, got an array"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    promo_rule r;
    char err[512];
    if (promo_rule_parse(cases[i].rule, strlen(cases[i].rule), 2, GROUND_HALF_UP, &r, err, sizeof err) != -1)
      fail_msg("%s: parsed", cases[i].rule);
    if (strcmp(err, cases[i].err)) fail_msg("%s:\n  got  %s\n  want %s", cases[i].rule, err, cases[i].err);
  }
}

/* What each type's fields become, and the defaults of the fields left out. */
static void values_of_each_type(void **state) {
  (void)state;
  promo_rule r = parse_ok(
    "{\"type\":\"discount\",\"rate\":0.8,\"scope\":\"group\",\"audience\":\"new\",\"name\":\"x\","
    "\"starts_at\":\"2024-01-01\",\"ends_at\":1704153600}");
  assert_int_equal(r.type, PT_DISCOUNT);
  assert_int_equal(r.rate, 800000);
  assert_true(r.has_rate && r.group && r.audience_new && r.has_start && r.has_end);
  assert_int_equal(r.starts_at, INT64_C(1704067200000000));
  assert_int_equal(r.ends_at, INT64_C(1704153600000000));
  /* defaults every rule gets */
  assert_int_equal(r.stock, -1);
  assert_int_equal(r.per_order_limit, -1);
  assert_int_equal(r.limit, 1);
  assert_int_equal(r.qty, 1);
  assert_false(r.has_price || r.has_off || r.has_cap || r.has_gift_cost);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"discount\",\"rate\":0.8,\"scope\":\"item\",\"audience\":\"all\"}");
  assert_false(r.group || r.audience_new || r.has_start || r.has_end);
  promo_rule_free(&r);

  r = parse_ok(
    "{\"type\":\"tiered_discount\",\"tiers\":[{\"qty\":2,\"rate\":0.9},{\"qty\":5,\"rate\":\"0.75\"}],\"mode\":\"graduated\"}");
  assert_int_equal(r.ntiers, 2);
  assert_int_equal(r.tiers[0].at, 2);
  assert_int_equal(r.tiers[0].value, 900000);
  assert_int_equal(r.tiers[1].at, 5);
  assert_int_equal(r.tiers[1].value, 750000);
  assert_true(r.graduated);
  promo_rule_free(&r);
  assert_null(r.tiers);

  r = parse_ok("{\"type\":\"special_price\",\"price\":\"9.995\"}");
  assert_int_equal(r.price, 1000); /* half up at scale 2 */
  assert_true(r.has_price);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"reduce\",\"amount\":3}");
  assert_int_equal(r.amount, 300);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"threshold_off\",\"threshold\":200,\"off\":30,\"repeat\":true,\"cap\":90}");
  assert_int_equal(r.threshold, 20000);
  assert_int_equal(r.off, 3000);
  assert_int_equal(r.cap, 9000);
  assert_true(r.has_off && r.repeat && r.has_cap);
  promo_rule_free(&r);

  r = parse_ok(
    "{\"type\":\"tiered_threshold_off\",\"tiers\":[{\"threshold\":200,\"off\":10},{\"threshold\":300,\"off\":30}]}");
  assert_int_equal(r.ntiers, 2);
  assert_int_equal(r.tiers[1].at, 30000);
  assert_int_equal(r.tiers[1].value, 3000);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"add_on\",\"threshold\":100,\"sku\":\"GIFT-1\",\"price\":1,\"limit\":2}");
  assert_string_equal(r.sku, "GIFT-1");
  assert_int_equal(r.threshold, 10000);
  assert_int_equal(r.price, 100);
  assert_int_equal(r.limit, 2);
  assert_true(r.has_price);
  promo_rule_free(&r);
  assert_null(r.sku);

  r = parse_ok("{\"type\":\"exchange\",\"threshold\":100,\"sku\":\"G\",\"qty\":3,\"list\":20,\"cost\":4}");
  assert_string_equal(r.sku, "G");
  assert_int_equal(r.qty, 3);
  assert_int_equal(r.list, 2000);
  assert_int_equal(r.gift_cost, 400);
  assert_true(r.has_gift_cost);
  assert_false(r.has_price);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"flash_sale\",\"rate\":0.5,\"stock\":0,\"per_order_limit\":2}");
  assert_int_equal(r.rate, 500000);
  assert_true(r.has_rate);
  assert_false(r.has_price);
  assert_int_equal(r.stock, 0);
  assert_int_equal(r.per_order_limit, 2);
  promo_rule_free(&r);

  /* buy_x_get_y without a rate: the y units are free, and the rule has a rate (0) */
  r = parse_ok("{\"type\":\"buy_x_get_y\",\"buy\":2,\"get\":1}");
  assert_int_equal(r.buy, 2);
  assert_int_equal(r.get, 1);
  assert_true(r.has_rate);
  assert_int_equal(r.rate, 0);
  assert_int_equal(r.max_sets, 0);
  promo_rule_free(&r);
  r = parse_ok("{\"type\":\"buy_x_get_y\",\"buy\":1,\"get\":1,\"rate\":0.5,\"max_sets\":3}");
  assert_int_equal(r.rate, 500000);
  assert_int_equal(r.max_sets, 3);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"bundle_price\",\"qty\":3,\"price\":60}");
  assert_int_equal(r.qty, 3);
  assert_int_equal(r.price, 6000);
  assert_true(r.has_price);
  promo_rule_free(&r);

  r = parse_ok("{\"type\":\"coupon\",\"rate\":0.93,\"cap\":20}");
  assert_int_equal(r.threshold, 0);
  assert_int_equal(r.rate, 930000);
  assert_int_equal(r.cap, 2000);
  assert_true(r.has_rate && r.has_cap);
  assert_false(r.has_off);
  promo_rule_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(json_reader),         cmocka_unit_test(every_type_has_a_row), cmocka_unit_test(rule_errors),
    cmocka_unit_test(fields_of_each_type), cmocka_unit_test(values_of_each_type),
  };
  return cmocka_run_group_tests_name("promo_rule", tests, NULL, NULL);
}
