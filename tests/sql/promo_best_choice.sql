-- promo_apply picks, per order, the assignment of lines to activities that is cheapest for the
-- customer (one activity per line). Checked against a brute force in plain SQL over 2000
-- generated orders of up to 4 lines: every subset of the set-eligible lines joins the set
-- 满300减60 (skus A, B, C), the other lines take their item activity (A 80%, C 90%, D 70%).
CREATE TABLE bc AS
WITH RECURSIVE o(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM o WHERE id < 2000),
     l(n) AS (VALUES (1), (2), (3), (4))
SELECT id AS order_id, n AS line_id, char(65 + (id * 7 + n * 5) % 4) AS sku, 1 + (id + n) % 3 AS qty,
       (2000 + (id * 2654435761 + n * 97) % 18000) / 100.0 AS unit_price
FROM o JOIN l ON n <= 1 + id % 4;
CREATE TABLE bp(promo_id, rule, skus, priority);
INSERT INTO bp VALUES ('A80', '{"type":"discount","rate":0.8}', '["A"]', 0),
                      ('C90', '{"type":"discount","rate":0.9}', '["C"]', 0),
                      ('D70', '{"type":"discount","rate":0.7}', '["D"]', 0),
                      ('SET', '{"type":"threshold_off","scope":"group","threshold":300,"off":60}', '["A","B","C"]', 0);
-- Per line in cents: list, the item discount rounded half-up (0 for B), set eligibility.
CREATE TABLE bl AS
SELECT order_id, line_id, CAST(round(unit_price * 100) AS INTEGER) * qty AS list,
       CASE sku WHEN 'A' THEN (CAST(round(unit_price * 100) AS INTEGER) * qty * 2 + 5) / 10
                WHEN 'C' THEN (CAST(round(unit_price * 100) AS INTEGER) * qty + 5) / 10
                WHEN 'D' THEN (CAST(round(unit_price * 100) AS INTEGER) * qty * 3 + 5) / 10 ELSE 0 END AS item_off,
       sku IN ('A', 'B', 'C') AS in_set
FROM bc;
-- Every mask of line_ids 1..4 whose lines are all set-eligible: the order's total under it.
CREATE TABLE brute AS
WITH RECURSIVE masks(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM masks WHERE m < 15),
     per AS (
       SELECT b.order_id, m.m,
              sum(b.list) AS list,
              sum(CASE WHEN (m.m >> (b.line_id - 1)) & 1 THEN 0 ELSE b.item_off END) AS item_off,
              sum(CASE WHEN (m.m >> (b.line_id - 1)) & 1 THEN b.list ELSE 0 END) AS set_amount,
              sum((m.m >> (b.line_id - 1)) & 1 AND NOT b.in_set) AS bad,
              max(b.line_id) AS nlines
       FROM bl b CROSS JOIN masks m GROUP BY b.order_id, m.m)
SELECT order_id, min(list - item_off - CASE WHEN set_amount >= 30000 THEN min(6000, set_amount) ELSE 0 END) AS best
FROM per WHERE bad = 0 AND m < (1 << nlines) GROUP BY order_id;
SELECT count(*) FROM brute;
-- => 2000
-- promo_apply's order totals equal the brute-force minimum for every order.
SELECT count(*) FROM brute JOIN (SELECT order_id, sum(final_cents) AS total FROM promo_apply('bc', 'bp') GROUP BY order_id) USING (order_id)
WHERE total != best;
-- => 0
-- The set is taken in some orders and refused in others (the check is not vacuous).
SELECT count(DISTINCT order_id) > 100 FROM promo_apply('bc', 'bp') WHERE promo_id = 'SET';
-- => 1
SELECT count(DISTINCT order_id) > 100 FROM promo_apply('bc', 'bp') WHERE promo_id IN ('A80', 'C90')
  AND order_id IN (SELECT order_id FROM bc WHERE sku IN ('A', 'B', 'C') GROUP BY order_id HAVING count(*) >= 2);
-- => 1
