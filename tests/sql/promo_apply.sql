-- promo_apply: cart vectors TV-nn of tests/vectors/promotions.md (worked examples from the
-- operations articles and from Saleor, Magento, Medusa, macrozheng/mall and yudao rules and
-- issues, named per vector there) with their own numbers. Each vector's cart is order_id = nn in table c, its promotions are rows tv = nn of p.
-- Single-item vectors are in promo_price.sql, TV-32 in promo_check.sql. Not run, because the
-- contract decides otherwise: TV-20 (two order-level percentages on one base: one coupon per
-- order here), TV-24 (two "across" promotions stacked on one line: one activity per line),
-- TV-26's fee example (a fee is not a promotion), TV-35's usage limits (a cart has no usage
-- history), the "reject" variants of TV-17 / TV-30 and the coupon refusals of TV-17 / TV-34
-- (we cap and apply instead; see docs/promotions.md "Decisions").
CREATE TABLE c(order_id INTEGER, line_id INTEGER, sku TEXT, qty INTEGER, unit_price, cost, is_new INTEGER, at TEXT);
CREATE TABLE p(tv INTEGER, promo_id TEXT, rule TEXT, skus TEXT, priority INTEGER);

-- TV-06: A 0.75 x 7, 满5减1 -> discount exactly 1.00, line 4.25.
INSERT INTO c VALUES (6, 1, 'A', 7, 0.75, NULL, 0, NULL);
INSERT INTO p VALUES (6, 'R', '{"type":"threshold_off","threshold":5,"off":1}', '["A"]', 0);
SELECT line_id, promo_id, discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 6', 'SELECT * FROM p WHERE tv = 6');
-- => 1|R|1.0|4.25

-- TV-07: the mall bug. A group cart of 299.50 does not reach 满300 (tiers 200/300/500 -> 10 off).
INSERT INTO c VALUES (7, 1, 'A', 1, 199.50, NULL, 0, NULL), (7, 2, 'B', 1, 100.00, NULL, 0, NULL);
INSERT INTO p VALUES (7, 'T', '{"type":"tiered_threshold_off","scope":"group","tiers":[{"threshold":200,"off":10},{"threshold":300,"off":30},{"threshold":500,"off":60}]}', NULL, 0);
SELECT sum(discount), sum(final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id = 7', 'SELECT * FROM p WHERE tv = 7');
-- => 10.0|289.5

-- TV-08 单品加价购: A 满200 -> B (list 50) at 10, max 1: A 80 x 3 + B x 2 -> 240 + 60 = 300.00
-- (one B at 10, shown as an add_on row, one at 50); not met (A 80 x 2, B x 1) -> 160 + 50 = 210.00.
INSERT INTO c VALUES (8, 1, 'A', 3, 80, NULL, 0, NULL), (8, 2, 'B', 2, 50, NULL, 0, NULL),
                     (80, 1, 'A', 2, 80, NULL, 0, NULL), (80, 2, 'B', 1, 50, NULL, 0, NULL);
INSERT INTO p VALUES (8, 'ADD', '{"type":"add_on","threshold":200,"sku":"B","price":10,"limit":1}', '["A"]', 0);
SELECT order_id, line_id, kind, sku, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id IN (8, 80)', 'SELECT * FROM p WHERE tv = 8');
-- => 8|1|item|A|ADD|240.0
-- => 8|2|add_on|B|ADD|10.0
-- => 8|2|item|B|NULL|50.0
-- => 80|1|item|A|NULL|160.0
-- => 80|2|item|B|NULL|50.0

-- The same cart with a 10.00 coupon: after the activity A 240, B 10 + 50, total 300; A takes
-- 8.00, B 2.00, and B's 2.00 splits over its two rows by largest remainder on 10 / 50:
-- quotas 0.333 / 1.667 -> 0.33 / 1.67 (hand calc). The rows still add up to 300 - 10 = 290.00.
INSERT INTO c SELECT 81, line_id, sku, qty, unit_price, cost, is_new, at FROM c WHERE order_id = 8;
INSERT INTO p VALUES (81, 'ADD', '{"type":"add_on","threshold":200,"sku":"B","price":10,"limit":1}', '["A"]', 0),
                     (81, 'V10', '{"type":"coupon","threshold":0,"off":10}', NULL, 0);
SELECT line_id, kind, qty, list_amount, discount, coupon_discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 81', 'SELECT * FROM p WHERE tv = 81');
-- => 1|item|3|240.0|0.0|8.0|232.0
-- => 2|add_on|1|50.0|40.0|0.33|9.67
-- => 2|item|1|50.0|0.0|1.67|48.33
SELECT sum(final_cents) FROM promo_apply('SELECT * FROM c WHERE order_id = 81', 'SELECT * FROM p WHERE tv = 81');
-- => 29000

-- TV-09 单品换购: A 满200 -> C (list 30) at 0: A 80 x 3 + C -> 240.00 + 0.00, C carries 30.00.
-- Without C in the cart the gift comes as an extra row (kind gift) at its list price.
INSERT INTO c VALUES (9, 1, 'A', 3, 80, NULL, 0, NULL), (9, 2, 'C', 1, 30, NULL, 0, NULL), (90, 1, 'A', 3, 80, NULL, 0, NULL);
INSERT INTO p VALUES (9, 'EX', '{"type":"exchange","threshold":200,"sku":"C","qty":1,"list":30}', '["A"]', 0);
SELECT order_id, line_id, kind, sku, qty, promo_id, discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id IN (9, 90)', 'SELECT * FROM p WHERE tv = 9');
-- => 9|1|item|A|3|EX|0.0|240.0
-- => 9|2|gift|C|1|EX|30.0|0.0
-- => 90|1|item|A|3|EX|0.0|240.0
-- => 90|NULL|gift|C|1|EX|30.0|0.0

-- TV-10 组合满减: A 600, B 500 in 满1000减100, C 200 not: A 545.45, B 454.55, C 200.00, total 1200.00.
INSERT INTO c VALUES (10, 1, 'A', 1, 600, NULL, 0, NULL), (10, 2, 'B', 1, 500, NULL, 0, NULL), (10, 3, 'C', 1, 200, NULL, 0, NULL);
INSERT INTO p VALUES (10, 'SET', '{"type":"threshold_off","scope":"group","threshold":1000,"off":100}', '["A","B"]', 0);
SELECT line_id, promo_id, discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 10', 'SELECT * FROM p WHERE tv = 10');
-- => 1|SET|54.55|545.45
-- => 2|SET|45.45|454.55
-- => 3|NULL|0.0|200.0

-- TV-11 组合加价购: A 600 + B 500 (满1000 +50 buys D, list 199) + D -> D 50.00, total 1150.00;
-- without A: B 500 + D -> D 199.00, total 699.00.
INSERT INTO c VALUES (11, 1, 'A', 1, 600, NULL, 0, NULL), (11, 2, 'B', 1, 500, NULL, 0, NULL), (11, 3, 'D', 1, 199, NULL, 0, NULL),
                     (110, 1, 'B', 1, 500, NULL, 0, NULL), (110, 2, 'D', 1, 199, NULL, 0, NULL);
INSERT INTO p VALUES (11, 'ADD50', '{"type":"add_on","scope":"group","threshold":1000,"sku":"D","price":50}', '["A","B"]', 0);
SELECT order_id, sum(final_amount), group_concat(sku || '=' || final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id IN (11, 110)', 'SELECT * FROM p WHERE tv = 11') GROUP BY order_id;
-- => 11|1150.0|A=600.0,B=500.0,D=50.0
-- => 110|699.0|B=500.0,D=199.0
-- TV-11 组合换购: B 500 in 满500 -> E (list 39) at 0, + E -> 500.00; at 499.99 -> 538.99.
INSERT INTO c VALUES (111, 1, 'B', 1, 500, NULL, 0, NULL), (111, 2, 'E', 1, 39, NULL, 0, NULL),
                     (112, 1, 'B', 1, 499.99, NULL, 0, NULL), (112, 2, 'E', 1, 39, NULL, 0, NULL);
INSERT INTO p VALUES (111, 'EXE', '{"type":"exchange","scope":"group","threshold":500,"sku":"E"}', '["B"]', 0);
SELECT order_id, sum(final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id IN (111, 112)', 'SELECT * FROM p WHERE tv = 111') GROUP BY order_id;
-- => 111|500.0
-- => 112|538.99

-- TV-12 one item, one activity, best for the customer: A 600 (S = A 80% and set C = A+B 满1000减100),
-- B 500: A in S -> 980.00. With a 90% S: min(1040, 1000) = 1000.00, no stacking.
INSERT INTO c VALUES (12, 1, 'A', 1, 600, NULL, 0, NULL), (12, 2, 'B', 1, 500, NULL, 0, NULL);
INSERT INTO p VALUES (12, 'S', '{"type":"discount","rate":0.8}', '["A"]', 0),
                     (12, 'C', '{"type":"threshold_off","scope":"group","threshold":1000,"off":100}', '["A","B"]', 0),
                     (120, 'S', '{"type":"discount","rate":0.9}', '["A"]', 0),
                     (120, 'C', '{"type":"threshold_off","scope":"group","threshold":1000,"off":100}', '["A","B"]', 0);
SELECT line_id, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 12', 'SELECT * FROM p WHERE tv = 12');
-- => 1|S|480.0
-- => 2|NULL|500.0
SELECT line_id, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 12', 'SELECT * FROM p WHERE tv = 120');
-- => 1|C|545.45
-- => 2|C|454.55

-- TV-13 buy 2 get 1 at 10 x 7 in a cart -> 50.00.
INSERT INTO c VALUES (13, 1, 'A', 7, 10, NULL, 0, NULL);
INSERT INTO p VALUES (13, 'B2G1', '{"type":"buy_x_get_y","buy":2,"get":1}', '["A"]', 0);
SELECT final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 13', 'SELECT * FROM p WHERE tv = 13');
-- => 50.0

-- TV-14 BOGO across skus: A 100, B 60 in one pool -> the cheapest (B) is free -> 100.00.
-- TV-15 the same pool at 第二件半价 -> 130.00.
INSERT INTO c VALUES (14, 1, 'A', 1, 100, NULL, 0, NULL), (14, 2, 'B', 1, 60, NULL, 0, NULL);
INSERT INTO p VALUES (14, 'BOGO', '{"type":"buy_x_get_y","scope":"group","buy":1,"get":1}', '["A","B"]', 0),
                     (15, 'HALF', '{"type":"buy_x_get_y","scope":"group","buy":1,"get":1,"rate":0.5}', '["A","B"]', 0);
SELECT line_id, discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 14', 'SELECT * FROM p WHERE tv = 14');
-- => 1|0.0|100.0
-- => 2|60.0|0.0
SELECT sum(final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id = 14', 'SELECT * FROM p WHERE tv = 15');
-- => 130.0

-- TV-16 N元任选 any 3 for 99: 40 + 35 + 50 -> 99.00 split 31.68 / 27.72 / 39.60; with a 4th item
-- (50, 40, 35, 30) the three dearest are bundled -> 99 + 30 = 129.00, same split inside.
INSERT INTO c VALUES (16, 1, 'X40', 1, 40, NULL, 0, NULL), (16, 2, 'X35', 1, 35, NULL, 0, NULL), (16, 3, 'X50', 1, 50, NULL, 0, NULL),
                     (160, 1, 'X50', 1, 50, NULL, 0, NULL), (160, 2, 'X40', 1, 40, NULL, 0, NULL), (160, 3, 'X35', 1, 35, NULL, 0, NULL),
                     (160, 4, 'X30', 1, 30, NULL, 0, NULL);
INSERT INTO p VALUES (16, 'ANY3', '{"type":"bundle_price","scope":"group","qty":3,"price":99}', NULL, 0);
SELECT order_id, group_concat(final_amount, ' '), sum(final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id IN (16, 160)', 'SELECT * FROM p WHERE tv = 16') GROUP BY order_id;
-- => 16|31.68 27.72 39.6|99.0
-- => 160|39.6 31.68 27.72 30.0|129.0

-- TV-17 秒杀 59.90, per-order limit 1, stock 2 over three orders in order_id order: order 171 takes
-- 1 at 59.90 (the 2nd unit at 100.00), 172 takes 1, 173 finds no stock left -> 100.00; at 10:30:00
-- the half-open window is closed.
INSERT INTO c VALUES (171, 1, 'F', 2, 100, NULL, 0, '2025-06-18 10:15:00'), (172, 1, 'F', 1, 100, NULL, 0, '2025-06-18 10:20:00'),
                     (173, 1, 'F', 1, 100, NULL, 0, '2025-06-18 10:25:00'), (174, 1, 'F', 1, 100, NULL, 0, '2025-06-18 10:30:00');
INSERT INTO p VALUES (17, 'FS', '{"type":"flash_sale","price":59.90,"stock":2,"per_order_limit":1,"starts_at":"2025-06-18 10:00","ends_at":"2025-06-18 10:30"}', '["F"]', 0);
SELECT order_id, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id BETWEEN 171 AND 174', 'SELECT * FROM p WHERE tv = 17');
-- => 171|FS|159.9
-- => 172|FS|59.9
-- => 173|NULL|100.0
-- => 174|NULL|100.0
-- The at= option overrides the lines' own times: at 10:45 nothing is live.
SELECT sum(final_amount) FROM promo_apply('SELECT * FROM c WHERE order_id BETWEEN 171 AND 174', 'SELECT * FROM p WHERE tv = 17', 'at=2025-06-18 10:45');
-- => 500.0

-- TV-18 threshold coupon on the post-activity subtotal: A 100 x 2 at 80% -> 160 < 满200 -> no coupon;
-- 满150减20 -> 140.00.
INSERT INTO c VALUES (18, 1, 'A', 2, 100, NULL, 0, NULL);
INSERT INTO p VALUES (18, 'S80', '{"type":"discount","rate":0.8}', '["A"]', 0), (18, 'C200', '{"type":"coupon","threshold":200,"off":20}', NULL, 0),
                     (180, 'S80', '{"type":"discount","rate":0.8}', '["A"]', 0), (180, 'C150', '{"type":"coupon","threshold":150,"off":20}', NULL, 0);
SELECT promo_id, discount, coupon_discount, coupon_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 18', 'SELECT * FROM p WHERE tv = 18');
-- => S80|40.0|0.0|NULL|160.0
SELECT promo_id, discount, coupon_discount, coupon_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 18', 'SELECT * FROM p WHERE tv = 180');
-- => S80|40.0|20.0|C150|140.0

-- TV-21 fixed order voucher: lines 4.00 and 45.00, 5 off -> 3.59 and 40.41, subtotal 44.00.
INSERT INTO c VALUES (21, 1, 'A', 1, 4, NULL, 0, NULL), (21, 2, 'B', 1, 45, NULL, 0, NULL);
INSERT INTO p VALUES (21, 'V5', '{"type":"coupon","threshold":0,"off":5}', NULL, 0);
SELECT line_id, coupon_discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 21', 'SELECT * FROM p WHERE tv = 21');
-- => 1|0.41|3.59
-- => 2|4.59|40.41

-- TV-22 equal lines 10, 10, 10 and a coupon of 10: largest remainder 3.34 / 3.33 / 3.33 (sum 10.00).
INSERT INTO c VALUES (22, 1, 'A', 1, 10, NULL, 0, NULL), (22, 2, 'B', 1, 10, NULL, 0, NULL), (22, 3, 'C', 1, 10, NULL, 0, NULL);
INSERT INTO p VALUES (22, 'V10', '{"type":"coupon","threshold":0,"off":10}', NULL, 0);
SELECT group_concat(coupon_discount, ' '), sum(final_cents) FROM promo_apply('SELECT * FROM c WHERE order_id = 22', 'SELECT * FROM p WHERE tv = 22');
-- => 3.34 3.33 3.33|2000

-- TV-23 chained, not additive: 10 x 100.00 with a 40% promotion, then a 70% order coupon -> 180.00.
INSERT INTO c VALUES (23, 1, 'A', 10, 100, NULL, 0, NULL);
INSERT INTO p VALUES (23, 'P40', '{"type":"discount","rate":0.6}', NULL, 0), (23, 'V70', '{"type":"coupon","threshold":0,"rate":0.3}', NULL, 0);
SELECT discount, coupon_discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 23', 'SELECT * FROM p WHERE tv = 23');
-- => 400.0|420.0|180.0

-- TV-25 tiny last line: 0.06, 0.06, 0.06, 0.01 and 0.17 off -> shares 0.06 / 0.05 / 0.05 / 0.01,
-- lines 0.00 / 0.01 / 0.01 / 0.00, total 0.02: the full 0.17 is applied.
INSERT INTO c VALUES (25, 1, 'A', 1, 0.06, NULL, 0, NULL), (25, 2, 'B', 1, 0.06, NULL, 0, NULL), (25, 3, 'C', 1, 0.06, NULL, 0, NULL),
                     (25, 4, 'D', 1, 0.01, NULL, 0, NULL);
INSERT INTO p VALUES (25, 'V17', '{"type":"coupon","threshold":0,"off":0.17}', NULL, 0);
SELECT group_concat(coupon_discount, ' '), group_concat(final_amount, ' '), sum(final_cents) FROM promo_apply('SELECT * FROM c WHERE order_id = 25', 'SELECT * FROM p WHERE tv = 25');
-- => 0.06 0.05 0.05 0.01|0.0 0.01 0.01 0.0|2

-- TV-29 cart fixed 100 over A 600, B 500 -> 54.55 / 45.45.
INSERT INTO c VALUES (29, 1, 'A', 1, 600, NULL, 0, NULL), (29, 2, 'B', 1, 500, NULL, 0, NULL);
INSERT INTO p VALUES (29, 'V100', '{"type":"coupon","threshold":0,"off":100}', NULL, 0);
SELECT group_concat(coupon_discount, ' ') FROM promo_apply('SELECT * FROM c WHERE order_id = 29', 'SELECT * FROM p WHERE tv = 29');
-- => 54.55 45.45

-- TV-30 floor at zero: cart 30.00, 10% activity (-> 27.00), then a fixed 50 coupon capped -> 0.00.
INSERT INTO c VALUES (30, 1, 'A', 1, 30, NULL, 0, NULL);
INSERT INTO p VALUES (30, 'P10', '{"type":"discount","rate":0.9}', NULL, 0), (30, 'V50', '{"type":"coupon","threshold":0,"off":50}', NULL, 0);
SELECT discount, coupon_discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 30', 'SELECT * FROM p WHERE tv = 30');
-- => 3.0|27.0|0.0

-- TV-31 coupon apportionment and profit: A 100 (cost 60) x 2 at 80% = 160, B 50 (cost 30) x 1;
-- coupon 满200减20 on 210: A 15.24, B 4.76; A pays 144.76 (profit 24.76), B 45.24 (profit 15.24);
-- order revenue 190.00, cost 150.00, profit 40.00, margin 21.05%.
INSERT INTO c VALUES (31, 1, 'A', 2, 100, 60, 0, NULL), (31, 2, 'B', 1, 50, 30, 0, NULL);
INSERT INTO p VALUES (31, 'A80', '{"type":"discount","rate":0.8}', '["A"]', 0), (31, 'C20', '{"type":"coupon","threshold":200,"off":20}', NULL, 0);
SELECT line_id, coupon_discount, final_amount, cost, profit, below_cost FROM promo_apply('SELECT * FROM c WHERE order_id = 31', 'SELECT * FROM p WHERE tv = 31');
-- => 1|15.24|144.76|120.0|24.76|0
-- => 2|4.76|45.24|30.0|15.24|0
SELECT sum(final_amount), sum(cost), sum(profit), round(100.0 * sum(profit) / sum(final_amount), 2) FROM promo_apply('SELECT * FROM c WHERE order_id = 31', 'SELECT * FROM p WHERE tv = 31');
-- => 190.0|150.0|40.0|21.05

-- TV-33 new-user first order 立减 10: is_new 1 -> 49.00, else 59.00.
INSERT INTO c VALUES (33, 1, 'A', 1, 59, NULL, 1, NULL), (330, 1, 'A', 1, 59, NULL, 0, NULL);
INSERT INTO p VALUES (33, 'NEW10', '{"type":"coupon","threshold":0,"off":10,"audience":"new"}', NULL, 0);
SELECT order_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id IN (33, 330)', 'SELECT * FROM p WHERE tv = 33');
-- => 33|49.0
-- => 330|59.0

-- TV-36 large quantity: A 0.01 x 100000 (1000.00), B 333.33 x 3 (999.99), 满1000减100 on both:
-- A -50.00, B -50.00 (quotas 50.00025 / 49.99975, the last cent to the larger remainder, B);
-- lines 950.00 and 949.99, sum 1899.99.
INSERT INTO c VALUES (36, 1, 'A', 100000, 0.01, NULL, 0, NULL), (36, 2, 'B', 3, 333.33, NULL, 0, NULL);
INSERT INTO p VALUES (36, 'M100', '{"type":"threshold_off","scope":"group","threshold":1000,"off":100}', '["A","B"]', 0);
SELECT line_id, discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 36', 'SELECT * FROM p WHERE tv = 36');
-- => 1|50.0|950.0
-- => 2|50.0|949.99

-- Ties between equally good activities: the higher priority wins, then the smaller promo_id.
INSERT INTO c VALUES (40, 1, 'A', 1, 100, NULL, 0, NULL);
INSERT INTO p VALUES (40, 'Z', '{"type":"discount","rate":0.8}', NULL, 5), (40, 'Y', '{"type":"special_price","price":80}', NULL, 1),
                     (41, 'Z', '{"type":"discount","rate":0.8}', NULL, 0), (41, 'Y', '{"type":"special_price","price":80}', NULL, 0);
SELECT promo_id FROM promo_apply('SELECT * FROM c WHERE order_id = 40', 'SELECT * FROM p WHERE tv = 40');
-- => Z
SELECT promo_id FROM promo_apply('SELECT * FROM c WHERE order_id = 40', 'SELECT * FROM p WHERE tv = 41');
-- => Y

-- Overflow in a line is an error naming the order; bad cart values name the row and column.
SELECT * FROM promo_apply('SELECT 1 AS order_id, 1 AS line_id, ''A'' AS sku, 4611686018427387904 AS qty, 1000 AS unit_price', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: order 1: qty × unit_price out of range (overflow)
SELECT * FROM promo_apply('SELECT 1 AS order_id, 1 AS line_id, ''A'' AS sku, 0 AS qty, 10 AS unit_price', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart row 1: qty is INTEGER 0, expected a positive whole number
SELECT * FROM promo_apply('SELECT 1 AS order_id, 1 AS line_id, ''A'' AS sku, 1 AS qty, -10 AS unit_price', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart row 1: unit_price is INTEGER -10, expected an amount >= 0
SELECT * FROM promo_apply('SELECT 1 AS order_id, 1 AS line_id, ''A'' AS sku, 1 AS qty', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart has no column 'unit_price' (columns by name: order_id, line_id, sku, qty, unit_price, optional cost, is_new, at)
SELECT * FROM promo_apply('SELECT ''x'' AS order_id, 1 AS line_id, ''A'' AS sku, 1 AS qty, 1 AS unit_price', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart row 1: order_id is TEXT 'x', expected an INTEGER
SELECT * FROM promo_apply('SELECT 1 AS order_id, 1 AS line_id, ''A'' AS sku, 1 AS qty, 1 AS unit_price UNION ALL SELECT 1, 1, ''B'', 1, 1', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart: order 1 has line_id 1 twice
SELECT * FROM promo_apply('c', 'SELECT ''BAD'' AS promo_id, ''{"type":"discount","rate":2}'' AS rule');
-- => error: promo_apply: promotion 'BAD': rule $.rate: expected a rate between 0 and 1 (the fraction paid: 0.8 = 20% off), got 2
SELECT * FROM promo_apply('c', 'SELECT ''BAD'' AS promo_id, ''{"type":"discount","rate":0.5}'' AS rule, ''A'' AS skus');
-- => error: promo_apply: promotion 'BAD': skus: expected a JSON array of sku strings such as '["A","B"]' (NULL for every sku)
SELECT * FROM promo_apply('c', 'SELECT 1 AS id, 2 AS rule');
-- => error: promo_apply: promotions has no column 'promo_id' (columns by name: promo_id, rule, optional skus, priority)
-- source errors name the argument (cart or promotions); a number is not a table name
SELECT * FROM promo_apply('nope', 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart: no such table: nope
SELECT * FROM promo_apply('c', 'nope');
-- => error: promo_apply: promotions: no such table: nope
SELECT * FROM promo_apply(7, 'SELECT * FROM p WHERE tv = 6');
-- => error: promo_apply: cart is INTEGER 7, expected a table or view name or a SELECT statement
SELECT * FROM promo_apply('c', x'70');
-- => error: promo_apply: promotions is BLOB of 1 bytes, expected a table or view name or a SELECT statement
SELECT * FROM promo_apply('c', 'p', 'rounding=up, at=soon');
-- =>~ error: promo_apply: option at='soon': expected a timestamp such as 2024-06-18 10:15:00*
-- An empty cart is no rows; a direct-only function cannot run from a view. (Table p gives some
-- promo_ids to several vectors' promotions, which promo_apply refuses: one vector's rows here.)
SELECT count(*) FROM promo_apply('SELECT * FROM c WHERE 0', 'SELECT * FROM p WHERE tv = 6');
-- => 0
CREATE VIEW v AS SELECT * FROM promo_apply('c', 'p');
SELECT * FROM v;
-- => error: unsafe use of virtual table "promo_apply"

-- Group scope on quantity tiers (buy 3 or more of these skus together -> 90%): A x 2 + B x 1
-- reach the 3 tier together; A 50 x 2 = 100 -> 90.00, B 30 -> 27.00 (hand calc).
INSERT INTO c VALUES (50, 1, 'A', 2, 50, NULL, 0, NULL), (50, 2, 'B', 1, 30, NULL, 0, NULL);
INSERT INTO p VALUES (50, 'Q3', '{"type":"tiered_discount","scope":"group","tiers":[{"qty":3,"rate":0.9}]}', '["A","B"]', 0);
SELECT line_id, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 50', 'SELECT * FROM p WHERE tv = 50');
-- => 1|Q3|90.0
-- => 2|Q3|27.0

-- A bundle inside one line: 4 units of 40 in "any 3 for 99" -> one set (99) + 40 = 139.00 (hand calc).
INSERT INTO c VALUES (51, 1, 'A', 4, 40, NULL, 0, NULL);
SELECT final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 51', 'SELECT * FROM p WHERE tv = 16');
-- => 139.0

-- A rate coupon with a cap: 95% of 1000.00 would take 50.00; the cap holds it at 20.00.
INSERT INTO c VALUES (52, 1, 'A', 10, 100, NULL, 0, NULL);
INSERT INTO p VALUES (52, 'C95', '{"type":"coupon","threshold":0,"rate":0.95,"cap":20}', NULL, 0);
SELECT coupon_discount, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 52', 'SELECT * FROM p WHERE tv = 52');
-- => 20.0|980.0

-- Only the best coupon applies (one per order): 满100减15 beats 95% (5.00) on 100.00.
INSERT INTO c VALUES (53, 1, 'A', 1, 100, NULL, 0, NULL);
INSERT INTO p VALUES (53, 'C95', '{"type":"coupon","threshold":0,"rate":0.95}', NULL, 9), (53, 'C15', '{"type":"coupon","threshold":100,"off":15}', NULL, 0);
SELECT coupon_id, coupon_discount FROM promo_apply('SELECT * FROM c WHERE order_id = 53', 'SELECT * FROM p WHERE tv = 53');
-- => C15|15.0

-- New-user activity: 70% for new customers only (is_new per line).
INSERT INTO c VALUES (54, 1, 'A', 1, 100, NULL, 1, NULL), (55, 1, 'A', 1, 100, NULL, 0, NULL);
INSERT INTO p VALUES (54, 'NEW70', '{"type":"discount","rate":0.7,"audience":"new"}', NULL, 0);
SELECT order_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id IN (54, 55)', 'SELECT * FROM p WHERE tv = 54');
-- => 54|70.0
-- => 55|100.0

-- below_cost: a special price under cost is reported per line (cost 60, pays 50 -> profit -10).
INSERT INTO c VALUES (56, 1, 'A', 1, 100, 60, 0, NULL);
INSERT INTO p VALUES (56, 'SP50', '{"type":"special_price","price":50}', NULL, 0);
SELECT final_amount, cost, profit, below_cost FROM promo_apply('SELECT * FROM c WHERE order_id = 56', 'SELECT * FROM p WHERE tv = 56');
-- => 50.0|60.0|-10.0|1

-- A flash sale wins over a deeper item discount only because it comes first in the pipeline:
-- the line takes part in the flash sale (59.90) and nothing else; scale=0 prices in whole yen.
INSERT INTO c VALUES (57, 1, 'A', 1, 100, NULL, 0, NULL);
INSERT INTO p VALUES (57, 'FS', '{"type":"flash_sale","price":59.90}', NULL, 0), (57, 'D50', '{"type":"discount","rate":0.5}', NULL, 0);
SELECT promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 57', 'SELECT * FROM p WHERE tv = 57');
-- => FS|59.9
SELECT promo_id, final_amount, final_cents FROM promo_apply('SELECT * FROM c WHERE order_id = 57', 'SELECT * FROM p WHERE tv = 57', 'scale=0');
-- => FS|60.0|60

-- A gift of unknown value (no "list") still beats an activity that does not apply: T 199 is in
-- a 满300减30 set (not reached alone, higher priority) and in a 满199 换购 of G -> the gift row.
INSERT INTO c VALUES (58, 1, 'T', 1, 199, NULL, 0, NULL);
INSERT INTO p VALUES (58, 'SET300', '{"type":"threshold_off","scope":"group","threshold":300,"off":30}', '["T","U"]', 5),
                     (58, 'GIFT', '{"type":"exchange","threshold":199,"sku":"G"}', '["T"]', 1);
SELECT line_id, kind, sku, promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 58', 'SELECT * FROM p WHERE tv = 58');
-- => 1|item|T|GIFT|199.0
-- => NULL|gift|G|GIFT|0.0

-- Many activities on one sku: a line weighs its 6 highest-priority group activities (docs/promotions.md
-- "Decisions"). 70 group 满0减i with priority i: the kept ones are i = 64..69, the best is 69.
INSERT INTO c VALUES (59, 1, 'A', 1, 100, NULL, 0, NULL);
SELECT promo_id, final_amount FROM promo_apply('SELECT * FROM c WHERE order_id = 59',
  'WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 69)
   SELECT ''G'' || i AS promo_id, ''{"type":"threshold_off","scope":"group","threshold":0,"off":'' || i || ''}'' AS rule, NULL AS skus, i AS priority FROM k');
-- => G69|31.0

-- A large order (13 lines with two choices each: 8192 assignments) takes the fallback search:
-- 13 x 30.00 = 390.00 reaches the set 满300减60 -> 330.00 (hand calc).
INSERT INTO c WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 13)
  SELECT 60, i, 'B' || i, 1, 30, NULL, 0, NULL FROM k;
INSERT INTO p VALUES (60, 'SET', '{"type":"threshold_off","scope":"group","threshold":300,"off":60}', NULL, 0);
SELECT count(*), sum(final_cents), count(promo_id) FROM promo_apply('SELECT * FROM c WHERE order_id = 60', 'SELECT * FROM p WHERE tv = 60');
-- => 13|33000|13

-- Huge quantities stay fast and exact: 1e9 units of 40.00 in "any 3 for 99" (group):
-- 333333333 sets at 99 + one unit at 40 = 33000000007.00 (hand calc).
INSERT INTO c VALUES (61, 1, 'A', 1000000000, 40, NULL, 0, NULL);
SELECT final_cents FROM promo_apply('SELECT * FROM c WHERE order_id = 61', 'SELECT * FROM p WHERE tv = 16');
-- => 3300000000700

-- A gift's cost (rule field "cost") counts against the activity: 2 towels costing 4.00 each.
INSERT INTO c VALUES (62, 1, 'A', 3, 80, 50, 0, NULL);
INSERT INTO p VALUES (62, 'EXC', '{"type":"exchange","threshold":200,"sku":"TOWEL","qty":2,"list":15,"cost":4}', '["A"]', 0);
SELECT line_id, kind, qty, list_amount, discount, final_amount, cost, profit, below_cost FROM promo_apply('SELECT * FROM c WHERE order_id = 62', 'SELECT * FROM p WHERE tv = 62');
-- => 1|item|3|240.0|0.0|240.0|150.0|90.0|0
-- => NULL|gift|2|30.0|30.0|0.0|8.0|-8.0|1
