-- promo_price / promo_price_cents: single-item vectors TV-nn of tests/vectors/promotions.md
-- (the operations articles' worked examples, and open-source engines' rules and issues, named
-- per vector there), with the vectors' own numbers. Discounts are rounded half-up per line unless noted.

-- TV-01 单品折扣: 100.00 x 2 at 80% -> 160.00 (discount 40.00).
SELECT promo_price(100, 2, '{"type":"discount","rate":0.8}'), promo_price_cents(100, 2, '{"type":"discount","rate":0.8}');
-- => 160.0|16000

-- TV-02 单品阶梯折扣, whole-quantity: tiers 1:100%, 2:95%, 5:80% at list 100.
SELECT group_concat(promo_price(100, q, '{"type":"tiered_discount","tiers":[{"qty":1,"rate":1},{"qty":2,"rate":0.95},{"qty":5,"rate":0.8}]}'), ' ')
FROM (SELECT column1 AS q FROM (VALUES (1), (2), (4), (5), (7)));
-- => 100.0 190.0 380.0 400.0 560.0
-- TV-02 graduated mode: qty 7 = 100 + 95x3 + 80x3 = 625.00.
SELECT promo_price(100, 7, '{"type":"tiered_discount","mode":"graduated","tiers":[{"qty":1,"rate":1},{"qty":2,"rate":0.95},{"qty":5,"rate":0.8}]}');
-- => 625.0

-- TV-03 特价 80 on list 100: 80.00, qty 3 240.00; never raises a price (list 70 stays 70).
SELECT promo_price(100, 1, '{"type":"special_price","price":80}'), promo_price(100, 3, '{"type":"special_price","price":"80"}'),
       promo_price(70, 1, '{"type":"special_price","price":80}');
-- => 80.0|240.0|70.0
-- TV-03 减免: -20 per unit on 100 -> 80.00; -120 on 100 -> 0.00, not -20.
SELECT promo_price(100, 1, '{"type":"reduce","amount":20}'), promo_price(100, 1, '{"type":"reduce","amount":120}');
-- => 80.0|0.0

-- TV-04 单品满减 满200减30 at unit 80, once and repeating (每满).
SELECT group_concat(promo_price(80, q, '{"type":"threshold_off","threshold":200,"off":30}') || '/' ||
                    promo_price(80, q, '{"type":"threshold_off","threshold":200,"off":30,"repeat":true}'), ' ')
FROM (SELECT column1 AS q FROM (VALUES (2), (3), (5)));
-- => 160.0/160.0 210.0/210.0 370.0/340.0
-- 每满 with a cap of 40 in all: 5 x 80 = 400 -> 2 x 30 = 60 capped at 40 -> 360.00 (hand calc).
SELECT promo_price(80, 5, '{"type":"threshold_off","threshold":200,"off":30,"repeat":true,"cap":40}');
-- => 360.0

-- TV-05 单品阶梯满减 200->10, 300->30, 500->60 at unit 80; boundary exactly 300.00 -> 30 off.
SELECT group_concat(promo_price(80, q, '{"type":"tiered_threshold_off","tiers":[{"threshold":200,"off":10},{"threshold":300,"off":30},{"threshold":500,"off":60}]}'), ' ')
FROM (SELECT column1 AS q FROM (VALUES (2), (3), (4), (6), (7)));
-- => 160.0 230.0 290.0 450.0 500.0
SELECT promo_price(100, 3, '{"type":"tiered_threshold_off","tiers":[{"threshold":200,"off":10},{"threshold":300,"off":30},{"threshold":500,"off":60}]}');
-- => 270.0

-- TV-06 满5减1 on 0.75 x 7 = 5.25: discount exactly 1.00 -> 4.25 (mall's per-unit ratio gave 0.98).
SELECT promo_price(0.75, 7, '{"type":"threshold_off","threshold":5,"off":1}');
-- => 4.25

-- TV-07 / the mall bug: 299.50 does not reach 满300; the 200 tier applies (10 off).
SELECT promo_price(299.50, 1, '{"type":"tiered_threshold_off","tiers":[{"threshold":200,"off":10},{"threshold":300,"off":30},{"threshold":500,"off":60}]}'),
       promo_price(299.50, 1, '{"type":"threshold_off","threshold":300,"off":30}'),
       promo_price(300, 1, '{"type":"threshold_off","threshold":300,"off":30}');
-- => 289.5|299.5|270.0

-- TV-08 / TV-09 priced as the designated item with the threshold met: 加价购 B (list 50) at 10,
-- limit 1: two B cost 10 + 50 = 60.00; 换购 C (list 30) at 0, 1 per order: 0.00.
SELECT promo_price(50, 2, '{"type":"add_on","threshold":200,"sku":"B","price":10,"limit":1}'),
       promo_price(30, 1, '{"type":"exchange","threshold":200,"sku":"C","qty":1}');
-- => 60.0|0.0

-- TV-13 买一送一 at 50: qty 3 -> 100.00, qty 4 -> 100.00; buy 2 get 1 at 10 x 7 -> 50.00;
-- capped at max_sets 1 -> 60.00.
SELECT promo_price(50, 3, '{"type":"buy_x_get_y","buy":1,"get":1}'), promo_price(50, 4, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0}'),
       promo_price(10, 7, '{"type":"buy_x_get_y","buy":2,"get":1}'), promo_price(10, 7, '{"type":"buy_x_get_y","buy":2,"get":1,"max_sets":1}');
-- => 100.0|100.0|50.0|60.0

-- TV-15 第二件半价: 100 x 3 -> 250.00; 99.99 x 2 half-up on the discount -> 149.98, down -> 149.99.
SELECT promo_price(100, 3, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0.5}'),
       promo_price(99.99, 2, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0.5}'),
       promo_price(99.99, 2, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0.5}', 'rounding=down');
-- => 250.0|149.98|149.99

-- TV-16 N元任选 on one sku: 3 for 99 at 40 each -> 99.00; 4 units -> 99 + 40 = 139.00 (hand calc);
-- a set that would cost more than the list (3 x 30 = 90 < 99) is not bundled.
SELECT promo_price(40, 3, '{"type":"bundle_price","qty":3,"price":99}'), promo_price(40, 4, '{"type":"bundle_price","qty":3,"price":99}'),
       promo_price(30, 3, '{"type":"bundle_price","qty":3,"price":99}');
-- => 99.0|139.0|90.0

-- TV-17 秒杀 59.90 in [10:00, 10:30), per-order limit 1: qty 1 at 10:15 -> 59.90; at 10:30:00 ->
-- 100.00 (half-open); qty 2 -> 59.90 + 100.00 (the "cap" choice); 0元抢购 -> 0.00.
SELECT promo_price(100, 1, '{"type":"flash_sale","price":59.90,"starts_at":"2025-06-18 10:00","ends_at":"2025-06-18 10:30","stock":100,"per_order_limit":1}', 'at=2025-06-18 10:15:00'),
       promo_price(100, 1, '{"type":"flash_sale","price":59.90,"starts_at":"2025-06-18 10:00","ends_at":"2025-06-18 10:30","stock":100,"per_order_limit":1}', 'at=2025-06-18 10:30:00'),
       promo_price(100, 2, '{"type":"flash_sale","price":59.90,"starts_at":"2025-06-18 10:00","ends_at":"2025-06-18 10:30","stock":100,"per_order_limit":1}', 'at=2025-06-18 10:15:00'),
       promo_price(100, 1, '{"type":"flash_sale","price":0,"per_order_limit":1}');
-- => 59.9|100.0|159.9|0.0
-- A flash sale by rate (0.5) and a stock of 2: qty 3 at 10.00 -> 5 + 5 + 10 = 20.00.
SELECT promo_price(10, 3, '{"type":"flash_sale","rate":0.5,"stock":2}');
-- => 20.0

-- TV-18 coupon on one item: 160 < 满200 -> 160.00; 满150减20 -> 140.00; 折扣券 0.9 with cap 10 on 160 -> 150.00.
SELECT promo_price(160, 1, '{"type":"coupon","threshold":200,"off":20}'), promo_price(160, 1, '{"type":"coupon","threshold":150,"off":20}'),
       promo_price(160, 1, '{"type":"coupon","threshold":0,"rate":0.9,"cap":10}');
-- => 160.0|140.0|150.0

-- TV-19 19.99 at 25% off: half-up on the discount -> 14.99; down -> 15.00.
SELECT promo_price(19.99, 1, '{"type":"discount","rate":0.75}'), promo_price(19.99, 1, '{"type":"discount","rate":0.75}', 'rounding=down'),
       promo_price('19.99', 1, '{"type":"discount","rate":"0.75"}');
-- => 14.99|15.0|14.99

-- TV-26 per line: 0.99 x 3 at 50% -> 2.97 - 1.49 = 1.48 (per-unit rounding would give 1.47).
SELECT promo_price(0.99, 3, '{"type":"discount","rate":0.5}');
-- => 1.48

-- TV-27 99.99 at 50%: the discount is rounded (49.995 -> 50.00), so the customer pays 49.99.
SELECT promo_price(99.99, 1, '{"type":"discount","rate":0.5}');
-- => 49.99

-- TV-28 JPY 999 at 15% off -> 849 (scale 0); KWD 1.999 -> 1.699 (scale 3); half_even vs half_up
-- on a discount of 0.125 (1.25 at 90%): 0.12 vs 0.13 -> pays 1.13 vs 1.12.
SELECT promo_price(999, 1, '{"type":"discount","rate":0.85}', 'scale=0'), promo_price_cents(999, 1, '{"type":"discount","rate":0.85}', 'scale=0'),
       promo_price(1.999, 1, '{"type":"discount","rate":0.85}', 'scale=3'),
       promo_price(1.25, 1, '{"type":"discount","rate":0.9}', 'rounding=half_even'), promo_price(1.25, 1, '{"type":"discount","rate":0.9}');
-- => 849.0|849|1.699|1.13|1.12

-- TV-33 首单立减 10 (threshold 0, new customers): 59.00 -> 49.00 for a new customer, else 59.00.
SELECT promo_price(59, 1, '{"type":"threshold_off","threshold":0,"off":10,"audience":"new"}', 'new'),
       promo_price(59, 1, '{"type":"threshold_off","threshold":0,"off":10,"audience":"new"}');
-- => 49.0|59.0

-- TV-34 开团五折: 88.88 at 50% -> 44.44; litemall-style -10 per unit on 88.88 x 2 -> 157.76.
SELECT promo_price(88.88, 1, '{"type":"discount","rate":0.5}'), promo_price(88.88, 2, '{"type":"reduce","amount":10}');
-- => 44.44|157.76

-- TV-35 window [2025-06-18, 2025-06-19) UTC: 23:59:59 applies, 00:00:00 the next day does not.
SELECT promo_price(100, 1, '{"type":"discount","rate":0.8,"starts_at":"2025-06-18 00:00:00","ends_at":"2025-06-19 00:00:00"}', 'at=2025-06-18 23:59:59'),
       promo_price(100, 1, '{"type":"discount","rate":0.8,"starts_at":"2025-06-18 00:00:00","ends_at":"2025-06-19 00:00:00"}', 'at=2025-06-19 00:00:00'),
       promo_price(100, 1, '{"type":"discount","rate":0.8,"starts_at":"2025-06-18 00:00:00","ends_at":"2025-06-19 00:00:00"}');
-- => 80.0|100.0|80.0

-- Large quantities stay exact: 0.01 x 100000 at 80% -> 800.00; 1e15 cents is fine.
SELECT promo_price(0.01, 100000, '{"type":"discount","rate":0.8}'), promo_price_cents(10000000, 1000000, '{"type":"discount","rate":0.5}');
-- => 800.0|500000000000000
-- ... and 64-bit overflow is an error, not a wrapped number.
SELECT promo_price_cents(92233720368547758, 1000, '{"type":"discount","rate":0.5}');
-- => error: promo_price_cents: unit_price × qty is out of range for 64-bit minor units (amount out of range (overflow))

-- NULL inputs give NULL.
SELECT promo_price(NULL, 1, '{"type":"discount","rate":0.8}'), promo_price(1, NULL, '{"type":"discount","rate":0.8}'), promo_price(1, 1, NULL);
-- => NULL|NULL|NULL
-- ... once every argument that is not NULL is valid: validation comes first, so a bad rule,
-- qty, price or option is an error also on a row whose other argument is NULL (docs/promotions.md
-- "NULL arguments"). Before, the first NULL returned early and hid a bad qty or rule after it.
SELECT promo_price(NULL, 1, '{"type":"bogus"}');
-- =>~ error: promo_price: rule $.type: unknown type 'bogus'*
SELECT promo_price(NULL, 1.5, '{"type":"discount","rate":0.8}');
-- => error: promo_price: qty is REAL 1.5, expected a positive whole number
SELECT promo_price(1, 1.5, NULL);
-- => error: promo_price: qty is REAL 1.5, expected a positive whole number
SELECT promo_price('abc', NULL, '{"type":"discount","rate":0.8}');
-- =>~ error: promo_price: unit_price is TEXT 'abc', expected *
SELECT promo_price(-1, 1, NULL);
-- => error: promo_price: unit_price is INTEGER -1, expected an amount >= 0
SELECT promo_price(NULL, NULL, NULL, 'scale=9');
-- =>~ error: promo_price: *scale*
SELECT promo_price_cents(NULL, 2, '{"type":"discount","rate":0.8}', 'scale=0'), promo_price_cents(100, 2, NULL, 'new');
-- => NULL|NULL

-- Bad input: each error names the function, the argument or JSON path, and what was expected.
SELECT promo_price(-1, 1, '{"type":"discount","rate":0.8}');
-- => error: promo_price: unit_price is INTEGER -1, expected an amount >= 0
SELECT promo_price(10, -2, '{"type":"discount","rate":0.8}');
-- => error: promo_price: qty is INTEGER -2, expected a positive whole number
SELECT promo_price(10, 0, '{"type":"discount","rate":0.8}');
-- => error: promo_price: qty is INTEGER 0, expected a positive whole number
SELECT promo_price(10, 1.5, '{"type":"discount","rate":0.8}');
-- => error: promo_price: qty is REAL 1.5, expected a positive whole number
SELECT promo_price('ten', 1, '{"type":"discount","rate":0.8}');
-- =>~ error: promo_price: unit_price is TEXT 'ten', expected an amount*
SELECT promo_price(10, 1, '{"type":"discount","rate":1.2}');
-- => error: promo_price: rule $.rate: expected a rate between 0 and 1 (the fraction paid: 0.8 = 20% off), got 1.2
SELECT promo_price(10, 1, '{"type":"discount","rate":-0.1}');
-- => error: promo_price: rule $.rate: expected a rate between 0 and 1 (the fraction paid: 0.8 = 20% off), got -0.1
SELECT promo_price(10, 1, '{"type":"tiered_discount","tiers":[{"qty":5,"rate":0.9},{"qty":2,"rate":0.8}]}');
-- => error: promo_price: rule $.tiers[1].qty: tiers must ascend
SELECT promo_price(10, 1, '{"type":"tiered_threshold_off","tiers":[{"threshold":200,"off":10},{"threshold":"abc","off":30}]}');
-- => error: promo_price: rule $.tiers[1].threshold: expected an amount, got 'abc' (not a decimal number)
SELECT promo_price(10, 1, '{"type":"percent_off","rate":0.8}');
-- => error: promo_price: rule $.type: unknown type 'percent_off' (expected discount, tiered_discount, special_price, reduce, threshold_off, tiered_threshold_off, add_on, exchange, flash_sale, buy_x_get_y, bundle_price or coupon)
SELECT promo_price(10, 1, '{"type":"discount","rate":0.8,}');
-- => error: promo_price: rule is not JSON: expected a string key at offset 30
SELECT promo_price(10, 1, 'rate 0.8');
-- => error: promo_price: rule is not JSON: unexpected character at offset 0
SELECT promo_price(10, 1, '[1,2]');
-- => error: promo_price: rule: expected a JSON object such as {"type":"discount","rate":0.8}, got an array
SELECT promo_price(10, 1, '{"type":"discount"}');
-- => error: promo_price: rule $.rate: required for discount
SELECT promo_price(10, 1, '{"type":"discount","rate":0.8,"rat":1}');
-- => error: promo_price: rule $.rat: unknown field for discount (it takes rate)
SELECT promo_price(10, 1, '{"type":"flash_sale","price":5,"rate":0.5}');
-- => error: promo_price: rule $.rate: give price or rate, not both
SELECT promo_price(10, 1, '{"type":"buy_x_get_y","buy":0,"get":1}');
-- => error: promo_price: rule $.buy: expected a whole number between 1 and 1000000, got 0
SELECT promo_price(10, 1, '{"type":"discount","rate":0.8,"starts_at":"2025-06-19","ends_at":"2025-06-18"}');
-- => error: promo_price: rule $.ends_at: must be after starts_at
SELECT promo_price(10, 1, '{"type":"discount","rate":0.8}', 'rounding=sideways');
-- => error: promo_price: option rounding='sideways': expected half_up, half_even, down or up
SELECT promo_price(10, 1, 42);
-- => error: promo_price: rule is INTEGER 42, expected JSON text such as '{"type":"discount","rate":0.8}'
