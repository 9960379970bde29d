-- promo_apply / promo_check on hostile or extreme data (issue 16): each case failed before its
-- fix. Money in cents is worked out in the comments.

-- L1: skus '[]' names no sku, so the promotion applies to no line and overlaps nothing (it
-- reached qsort(NULL, 0, ...): the ASan+UBSan build aborted on this valid data).
CREATE TABLE l1_cart(order_id, line_id, sku, qty, unit_price);
INSERT INTO l1_cart VALUES (1, 1, 'A', 1, 100);
CREATE TABLE l1_promos(promo_id, rule, skus, priority);
INSERT INTO l1_promos VALUES ('P', '{"type":"discount","rate":0.5}', '[]', 1),
                             ('Q', '{"type":"threshold_off","scope":"group","threshold":1,"off":1}', '[]', 1);
SELECT line_id, promo_id, final_cents FROM promo_apply('l1_cart', 'l1_promos');
-- => 1|NULL|10000
SELECT count(*) FROM promo_check('l1_promos');
-- => 0

-- M5: every money sum in the engine is overflow-checked, each group type near INT64_MAX
-- (9223372036854775807 cents). The add-on / exchange item's own lines are not part of the
-- threshold base, so nothing bounded their sum: two add-on lines of 50000000000000000.00
-- (5e18 cents each, 1e19 together) wrapped, and the normal build silently dropped the add-on.
CREATE TABLE m5_cart(order_id, line_id, sku, qty, unit_price);
INSERT INTO m5_cart VALUES (1, 1, 'A', 1, 100), (1, 2, 'B', 1, 50000000000000000), (1, 3, 'B', 1, 50000000000000000);
CREATE TABLE m5_promos(promo_id, rule, skus, priority);
INSERT INTO m5_promos VALUES ('P', '{"type":"add_on","threshold":50,"sku":"B","price":0,"limit":2}', NULL, 1);
SELECT line_id, kind, discount, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => error: promo_apply: order 1: amount out of range (overflow)
UPDATE m5_promos SET rule = '{"type":"exchange","threshold":50,"sku":"B","qty":2}';
SELECT line_id, kind, discount, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => error: promo_apply: order 1: amount out of range (overflow)
-- 4e18 cents each fit (8e18 together): both B lines are priced 0 by the add-on / gift.
UPDATE m5_cart SET unit_price = 40000000000000000 WHERE sku = 'B';
SELECT line_id, kind, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|item|10000
-- => 2|gift|0
-- => 3|gift|0
UPDATE m5_promos SET rule = '{"type":"add_on","threshold":50,"sku":"B","price":0,"limit":2}';
SELECT line_id, kind, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|item|10000
-- => 2|add_on|0
-- => 3|add_on|0
-- A gift not in the cart is valued at list x qty: INT64_MAX cents once fits, twice does not.
DELETE FROM m5_cart WHERE sku = 'B';
UPDATE m5_promos SET rule = '{"type":"exchange","threshold":50,"sku":"B","qty":1,"list":"92233720368547758.07"}';
SELECT line_id, kind, qty, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|item|1|10000
-- => NULL|gift|1|0
UPDATE m5_promos SET rule = '{"type":"exchange","threshold":50,"sku":"B","qty":2,"list":"92233720368547758.07"}';
SELECT line_id, kind, qty, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => error: promo_apply: order 1: amount out of range (overflow)
-- The other group types over two lines of X = 4611686018427387903 cents (2X = INT64_MAX - 1):
-- threshold_off / tiered_threshold_off take 30.00 = 3000, split 1500 / 1500 (equal weights):
-- X - 1500 = 4611686018427386403 each.
DELETE FROM m5_cart;
INSERT INTO m5_cart VALUES (1, 1, 'A', 1, '46116860184273879.03'), (1, 2, 'B', 1, '46116860184273879.03');
UPDATE m5_promos SET rule = '{"type":"threshold_off","scope":"group","threshold":1,"off":30}', skus = '["A","B"]';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|4611686018427386403
-- => 2|4611686018427386403
UPDATE m5_promos SET rule = '{"type":"tiered_threshold_off","scope":"group","tiers":[{"threshold":1,"off":30}]}';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|4611686018427386403
-- => 2|4611686018427386403
-- tiered_discount, 2 units together at 50%: X x 0.5 = 2305843009213693951.5, the discount
-- rounded half-up to ...952, so each line pays X - 2305843009213693952 = 2305843009213693951.
UPDATE m5_promos SET rule = '{"type":"tiered_discount","scope":"group","tiers":[{"qty":2,"rate":0.5}]}';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|2305843009213693951
-- => 2|2305843009213693951
-- bundle_price, any 2 for 0: the set of both lines (2X) costs 0.
UPDATE m5_promos SET rule = '{"type":"bundle_price","scope":"group","qty":2,"price":0}';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|0
-- => 2|0
-- buy_x_get_y, buy 1 get 1 free: the cheaper line (X - 2) is free.
UPDATE m5_cart SET unit_price = '46116860184273879.01' WHERE line_id = 2;
UPDATE m5_promos SET rule = '{"type":"buy_x_get_y","scope":"group","buy":1,"get":1,"rate":0}';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => 1|4611686018427387903
-- => 2|0
-- A third line takes every group's base past INT64_MAX: an error, never a wrapped total.
INSERT INTO m5_cart VALUES (1, 3, 'A', 1, '46116860184273879.03');
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => error: promo_apply: order 1: amount out of range (overflow)
UPDATE m5_promos SET rule = '{"type":"threshold_off","scope":"group","threshold":1,"off":30}';
SELECT line_id, final_cents FROM promo_apply('m5_cart', 'm5_promos');
-- => error: promo_apply: order 1: amount out of range (overflow)
-- promo_check: the lowest price in a margin band is ceil(cost / (1 - m)); cost x 10^6 passed
-- int64 above 9.2e12 cents. Cost 99999999999.00 at 25%: 9999999999900 / 0.75 = 13333333333200
-- cents exactly; price 100000000000.00 is 100 cents above cost, a margin of 1e-11 %.
CREATE TABLE m5_costs(sku, cost);
INSERT INTO m5_costs VALUES ('C', 99999999999);
DELETE FROM m5_promos;
INSERT INTO m5_promos VALUES ('SP', '{"type":"special_price","price":100000000000}', '["C"]', 0);
SELECT problem, detail FROM promo_check('m5_promos', 'costs=m5_costs, min_margin=0.25');
-- => below_margin|activity price 100000000000.00, cost 99999999999.00: margin 0.00% is below 25%; lowest price in the band 133333333332.00
-- At 99.9999% the lowest price is beyond 64-bit minor units and says so.
SELECT detail FROM promo_check('m5_promos', 'costs=m5_costs, min_margin=0.999999');
-- => activity price 100000000000.00, cost 99999999999.00: margin 0.00% is below 99.9999%; lowest price in the band beyond 64-bit minor units

-- L16: cost, profit and below_cost are numbers whenever a cost is known; an overflow there is
-- an error (a NULL hid the loss from sum(below_cost) reports). A gift costing INT64_MAX cents,
-- given twice; a cart line whose cost x qty is 1e19 cents; a profit of 5e18 - (-5e18).
CREATE TABLE l16_cart(order_id, line_id, sku, qty, unit_price, cost);
INSERT INTO l16_cart VALUES (1, 1, 'A', 1, 300, 100);
CREATE TABLE l16_promos(promo_id, rule, skus, priority);
INSERT INTO l16_promos VALUES ('GIFT', '{"type":"exchange","threshold":200,"sku":"T","qty":1,"list":15,"cost":"92233720368547758.07"}', '["A"]', 0);
SELECT line_id, kind, qty, printf('%.2f', cost), below_cost FROM promo_apply('l16_cart', 'l16_promos');
-- => 1|item|1|100.00|0
-- => NULL|gift|1|92233720368547760.00|1
UPDATE l16_promos SET rule = '{"type":"exchange","threshold":200,"sku":"T","qty":2,"list":15,"cost":"92233720368547758.07"}';
SELECT line_id, kind, cost, profit, below_cost FROM promo_apply('l16_cart', 'l16_promos');
-- => error: promo_apply: order 1: the gift of promotion 'GIFT': cost × qty out of range (overflow)
DELETE FROM l16_promos;
UPDATE l16_cart SET qty = 2, cost = 50000000000000000;
SELECT line_id, cost FROM promo_apply('l16_cart', 'l16_promos');
-- => error: promo_apply: order 1: line 1: cost × qty out of range (overflow)
UPDATE l16_cart SET qty = 1, unit_price = 50000000000000000, cost = -50000000000000000;
SELECT line_id, profit FROM promo_apply('l16_cart', 'l16_promos');
-- => error: promo_apply: order 1: line 1: profit (final amount - cost) out of range (overflow)

-- L9: rule JSON. A key given twice was accepted (the first copy won and the second went
-- unvalidated: rate 2 is out of range), \u0000 cut keys and values ("discount\u0000junk" read
-- as the valid type "discount"), and options after a NUL character were ignored.
SELECT promo_price(100, 1, '{"type":"discount","rate":0.8,"rate":2}');
-- => error: promo_price: rule: key "rate" given twice (at offset 30); each field may appear once
SELECT promo_price(100, 1, '{"type":"tiered_discount","tiers":[{"qty":2,"rate":0.9,"qty":1}]}');
-- => error: promo_price: rule: key "qty" given twice (at offset 55); each field may appear once
SELECT promo_price(100, 1, '{"type":"discount\u0000junk","rate":0.8}');
-- => error: promo_price: rule: \u0000 (NUL) in a string at offset 17: not allowed in keys or values
SELECT promo_price(100, 1, '{"type":"discount","rate\u0000":0.8}');
-- => error: promo_price: rule: \u0000 (NUL) in a string at offset 24: not allowed in keys or values
SELECT promo_price(100, 1, '{"type":"discount","rate":0.8}', 'scale=0' || char(0) || ',rounding=up');
-- => error: promo_price: options is TEXT 'scale=0', expected TEXT without NUL characters (options after the NUL would be ignored)
-- promo_apply and promo_check see the same rule errors (promo_check lists them).
CREATE TABLE l9_promos(promo_id, rule, skus, priority);
INSERT INTO l9_promos VALUES ('DUP', '{"type":"coupon","off":5,"off":500}', NULL, 0);
SELECT * FROM promo_apply('l1_cart', 'l9_promos');
-- => error: promo_apply: promotion 'DUP': rule: key "off" given twice (at offset 25); each field may appear once
SELECT problem, detail FROM promo_check('l9_promos');
-- => invalid_rule|rule: key "off" given twice (at offset 25); each field may appear once

-- L14: a BLOB is never read as text: not as a cart sku, a promo_id, a skus list or a costs sku
-- (x'41' was read as the sku 'A'). A number is still a sku or an id.
CREATE TABLE l14_cart(order_id, line_id, sku, qty, unit_price);
INSERT INTO l14_cart VALUES (1, 1, 'A', 1, 100), (1, 2, x'41', 1, 100);
CREATE TABLE l14_promos(promo_id, rule, skus, priority);
INSERT INTO l14_promos VALUES ('A80', '{"type":"discount","rate":0.8}', '["A"]', 0);
SELECT * FROM promo_apply('l14_cart', 'l14_promos');
-- => error: promo_apply: cart row 2: sku is BLOB of 1 bytes, expected TEXT or a number (a BLOB is never read as text)
UPDATE l14_cart SET sku = 7 WHERE line_id = 2;
INSERT INTO l14_promos VALUES (x'50', '{"type":"reduce","amount":1}', '[7]', 0);
SELECT * FROM promo_apply('l14_cart', 'l14_promos');
-- => error: promo_apply: promotions row 2: promo_id is BLOB of 1 bytes, expected TEXT or a number (a BLOB is never read as text)
SELECT * FROM promo_check('l14_promos');
-- => error: promo_check: promotions row 2: promo_id is BLOB of 1 bytes, expected TEXT or a number (a BLOB is never read as text)
UPDATE l14_promos SET promo_id = 5 WHERE rule LIKE '%reduce%';
SELECT line_id, sku, promo_id, final_cents FROM promo_apply('l14_cart', 'l14_promos');
-- => 1|A|A80|8000
-- => 2|7|5|9900
UPDATE l14_promos SET skus = CAST('["A"]' AS BLOB) WHERE promo_id = 'A80';
SELECT * FROM promo_apply('l14_cart', 'l14_promos');
-- => error: promo_apply: promotion 'A80': skus: expected a JSON array of sku strings as TEXT (a BLOB is never read as text)
SELECT problem, detail FROM promo_check('l14_promos');
-- => invalid_skus|skus: expected a JSON array of sku strings as TEXT (a BLOB is never read as text)
UPDATE l14_promos SET skus = '["A"]' WHERE promo_id = 'A80';
CREATE TABLE l14_costs(sku, cost);
INSERT INTO l14_costs VALUES (x'41', 90);
SELECT * FROM promo_check('l14_promos', 'costs=l14_costs');
-- => error: promo_check: costs row 1: sku is BLOB of 1 bytes, expected TEXT or a number (a BLOB is never read as text)
-- A promo_id given twice: promo_apply refuses it; promo_check lists it once (it used to report
-- the two as overlapping themselves). TEXT '5' and INTEGER 5 are the same id. The second '5'
-- names every sku, so it overlaps both A80s on A; the first names only sku 7.
INSERT INTO l14_promos VALUES ('A80', '{"type":"special_price","price":50}', '["A"]', 0), ('5', '{"type":"reduce","amount":2}', NULL, 0);
SELECT * FROM promo_apply('l14_cart', 'l14_promos');
-- => error: promo_apply: promotions row 3: promo_id 'A80' is given twice (first in row 1); promo_ids must be unique
SELECT promo_id, other_promo_id, sku, problem, detail FROM promo_check('l14_promos');
-- => A80|NULL|NULL|duplicate_id|promo_id 'A80' is given to more than one promotion (promotions rows 1 and 3)
-- => 5|NULL|NULL|duplicate_id|promo_id '5' is given to more than one promotion (promotions rows 2 and 4)
-- => A80|5|A|overlap|'A80' (discount) and '5' (reduce) are live at the same time
-- => A80|5|A|overlap|'A80' (special_price) and '5' (reduce) are live at the same time

-- M4: promo_check gives one row per pair of overlapping activities, however many skus they
-- share: sku is the first shared sku (in the order the promotions name them) and detail says
-- how many. 100 promotions naming the same 1,000 skus are 100 x 99 / 2 = 4,950 pairs; one row
-- per pair and sku was 4,950,000 rows (888 MB, 14 s).
CREATE TABLE m4_promos(promo_id, rule, skus, priority);
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 99),
     s(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM s WHERE j < 999)
INSERT INTO m4_promos SELECT 'P' || printf('%03d', i), '{"type":"discount","rate":0.9}', (SELECT json_group_array('SKU-' || j) FROM s), 0 FROM k;
SELECT count(*), count(DISTINCT promo_id || '/' || other_promo_id), min(sku), max(sku) FROM promo_check('m4_promos');
-- => 4950|4950|SKU-0|SKU-0
SELECT promo_id, other_promo_id, sku, problem, detail FROM promo_check('m4_promos') LIMIT 1;
-- => P000|P001|SKU-0|overlap|'P000' (discount) and 'P001' (discount) are live at the same time on 1000 skus
-- An activity on every sku against one naming 3 (one of them twice): one row, 3 skus. "First"
-- is in the order the promotions table first names the skus: B, C, A (THREE), then X (TWO), so
-- ALL and TWO share C, A, X and show C.
CREATE TABLE m4_mixed(promo_id, rule, skus, priority);
INSERT INTO m4_mixed VALUES ('ALL', '{"type":"reduce","amount":1}', NULL, 0),
                            ('THREE', '{"type":"discount","rate":0.9}', '["B","C","A","C"]', 0),
                            ('TWO', '{"type":"special_price","price":5}', '["X","A","C"]', 0);
SELECT promo_id, other_promo_id, sku, detail FROM promo_check('m4_mixed');
-- => ALL|THREE|B|'ALL' (reduce) and 'THREE' (discount) are live at the same time on 3 skus
-- => ALL|TWO|C|'ALL' (reduce) and 'TWO' (special_price) are live at the same time on 3 skus
-- => THREE|TWO|C|'THREE' (discount) and 'TWO' (special_price) are live at the same time on 2 skus
-- A sku named twice is checked against its cost once.
CREATE TABLE m4_costs(sku, cost);
INSERT INTO m4_costs VALUES ('C', 10);
SELECT promo_id, sku, problem, detail FROM promo_check('m4_mixed', 'costs=m4_costs') WHERE problem != 'overlap';
-- => TWO|C|below_cost|activity price 5.00 is below cost 10.00
-- At most 1,000,000 rows are held: 1,500 activities on every sku are 1,124,250 pairs.
CREATE TABLE m4_many(promo_id, rule, skus, priority);
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 1499)
INSERT INTO m4_many SELECT 'P' || i, '{"type":"discount","rate":0.9}', NULL, 0 FROM k;
SELECT count(*) FROM promo_check('m4_many');
-- => error: promo_check: more than 1000000 problems: check fewer promotions at a time (a SELECT with a WHERE as the promotions source)
SELECT count(*) FROM promo_check('SELECT * FROM m4_many WHERE rowid <= 1000');
-- => 499500
