-- promo_check: overlapping activities on one sku, invalid rules with their JSON path, and
-- activity prices below cost or below the profit band (TV-32).
CREATE TABLE pr(promo_id TEXT, rule TEXT, skus TEXT, priority INTEGER);
INSERT INTO pr VALUES
  ('JUNE-80', '{"type":"discount","rate":0.8,"starts_at":"2025-06-01","ends_at":"2025-06-19"}', '["A","B"]', 0),
  -- starts the instant JUNE-80 ends: half-open windows do not overlap
  ('LATE-SP', '{"type":"special_price","price":60,"starts_at":"2025-06-19","ends_at":"2025-07-01"}', '["A"]', 0),
  -- overlaps JUNE-80 on B only
  ('B-FLASH', '{"type":"flash_sale","price":77.77,"starts_at":"2025-06-18 10:00","ends_at":"2025-06-18 10:30"}', '["B","C"]', 0),
  -- coupons stack after activities by design: never an overlap
  ('CPN', '{"type":"coupon","threshold":100,"off":10}', NULL, 0),
  ('BROKEN', '{"type":"tiered_discount","tiers":[{"qty":3,"rate":0.9},{"qty":3,"rate":0.8}]}', '["A"]', 0),
  ('NOTJSON', 'half price', NULL, 0);
SELECT promo_id, other_promo_id, sku, problem, detail FROM promo_check('pr');
-- => BROKEN|NULL|NULL|invalid_rule|rule $.tiers[1].qty: tiers must ascend
-- => NOTJSON|NULL|NULL|invalid_rule|rule is not JSON: unexpected character at offset 0
-- => JUNE-80|B-FLASH|B|overlap|'JUNE-80' (discount) and 'B-FLASH' (flash_sale) are live at the same time

-- TV-32: cost 70.00, band margin >= 10%: the lowest price is ceil(70 / 0.9) = 77.78. B's flash
-- price 77.77 (margin 9.991%) is refused; C's cost 80 puts 77.77 below cost; LATE-SP's 60 on A
-- (cost 50) passes; JUNE-80 on A (list 100 -> 80, cost 50) passes, on B (list 80 -> 64) is below cost.
CREATE TABLE costs(sku TEXT, cost REAL, price REAL);
INSERT INTO costs VALUES ('A', 50, 100), ('B', 70, 80), ('C', 80, 120);
SELECT promo_id, sku, problem, detail FROM promo_check('pr', 'costs=costs, min_margin=0.1') WHERE problem != 'overlap' AND problem != 'invalid_rule';
-- => JUNE-80|B|below_cost|activity price 64.00 is below cost 70.00
-- => B-FLASH|B|below_margin|activity price 77.77, cost 70.00: margin 9.99% is below 10%; lowest price in the band 77.78
-- => B-FLASH|C|below_cost|activity price 77.77 is below cost 80.00
-- 77.78 is inside the band (margin 10.003%).
SELECT count(*) FROM promo_check('SELECT ''X'' AS promo_id, ''{"type":"special_price","price":77.78}'' AS rule, ''["B"]'' AS skus', 'costs=costs, min_margin=0.1');
-- => 0
-- Without min_margin only prices below cost are reported.
SELECT count(*) FROM promo_check('pr', 'costs=costs') WHERE problem = 'below_margin';
-- => 0
-- Two activities on every sku with no windows always overlap.
SELECT sku, problem FROM promo_check('SELECT ''P1'' AS promo_id, ''{"type":"discount","rate":0.9}'' AS rule UNION ALL SELECT ''P2'', ''{"type":"reduce","amount":5}''');
-- => NULL|overlap
-- Bad options and sources.
SELECT * FROM promo_check('pr', 'min_margin=0.1');
-- => error: promo_check: option min_margin needs costs=SOURCE (a table or SELECT with sku, cost)
SELECT * FROM promo_check('pr', 'costs=costs, min_margin=1.5');
-- => error: promo_check: option min_margin='1.5': expected a fraction from 0 up to (not including) 1, such as 0.1
SELECT * FROM promo_check('pr', 'costs=SELECT 1 AS sku');
-- => error: promo_check: costs has no column 'cost' (columns by name: sku, cost, optional price)
SELECT * FROM promo_check('nope');
-- => error: promo_check: promotions: no such table: nope
SELECT * FROM promo_check(7);
-- => error: promo_check: promotions is INTEGER 7, expected a table or view name or a SELECT statement
SELECT * FROM promo_check('pr', 'costs=nope');
-- => error: promo_check: costs: no such table: nope
