-- promo_apply apportioning properties over 3000 generated carts (up to 6 lines each, prices
-- 0.00 .. 999.99, some lines priced 0). Expectations are computed here in plain SQL, in cents.
CREATE TABLE rc AS
WITH RECURSIVE o(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM o WHERE id < 3000),
     l(n) AS (VALUES (1), (2), (3), (4), (5), (6))
SELECT id AS order_id, n AS line_id, 'S' || ((id * 31 + n * 17) % 9) AS sku, 1 + (id * 7 + n * 13) % 5 AS qty,
       ((id * 2654435761 + n * 40503) % 100000) * ((id + n) % 11 != 0) / 100.0 AS unit_price
FROM o JOIN l ON n <= 1 + id % 6;
CREATE TABLE rp(promo_id, rule, skus, priority);
-- A group 满300减47.77 on S0..S4 (those lines have no other activity) and a 33.33 coupon on all.
INSERT INTO rp VALUES ('G', '{"type":"threshold_off","scope":"group","threshold":300,"off":47.77}', '["S0","S1","S2","S3","S4"]', 0),
                      ('V', '{"type":"coupon","threshold":0,"off":33.33}', NULL, 0);
CREATE TABLE out AS SELECT * FROM promo_apply('rc', 'rp');
CREATE TABLE want AS
SELECT order_id, line_id, sku IN ('S0','S1','S2','S3','S4') AS in_group, CAST(round(unit_price * 100) AS INTEGER) * qty AS list_cents
FROM rc;
CREATE TABLE want_order AS
SELECT order_id, sum(list_cents) AS list_cents,
       CASE WHEN sum(list_cents * in_group) >= 30000 THEN min(4777, sum(list_cents * in_group)) ELSE 0 END AS group_off
FROM want GROUP BY order_id;

-- Every cart line comes back once (3000 orders x 3.5 lines on average = 10500), none below 0 or above its list.
SELECT count(*), (SELECT count(*) FROM rc) FROM out;
-- => 10500|10500
SELECT count(*) FROM out WHERE final_cents < 0 OR final_cents > CAST(round(list_amount * 100) AS INTEGER);
-- => 0
-- The group discount of each order is exactly the rule's amount (no cent lost or created).
SELECT count(*) FROM want_order w JOIN (SELECT order_id, CAST(round(sum(discount) * 100) AS INTEGER) AS d FROM out GROUP BY order_id) o USING (order_id)
WHERE o.d != w.group_off;
-- => 0
-- The coupon takes exactly min(33.33, what is left after the activity).
SELECT count(*) FROM want_order w JOIN (SELECT order_id, CAST(round(sum(coupon_discount) * 100) AS INTEGER) AS c FROM out GROUP BY order_id) o USING (order_id)
WHERE o.c != min(3333, w.list_cents - w.group_off);
-- => 0
-- Lines add up to the order exactly: sum of final_cents = list - group discount - coupon.
SELECT count(*) FROM want_order w JOIN (SELECT order_id, sum(final_cents) AS f FROM out GROUP BY order_id) o USING (order_id)
WHERE o.f != w.list_cents - w.group_off - min(3333, w.list_cents - w.group_off);
-- => 0
-- Each line's share is its exact proportional quota rounded down or up (largest remainder):
-- |share x W - D x w| < W, for the group discount (weights: list) and the coupon (weights: after the activity).
SELECT count(*) FROM out o JOIN want x USING (order_id, line_id) JOIN want_order w USING (order_id)
WHERE x.in_group AND w.group_off > 0
  AND abs(CAST(round(o.discount * 100) AS INTEGER) * (SELECT sum(list_cents) FROM want y WHERE y.order_id = o.order_id AND y.in_group)
          - w.group_off * x.list_cents) >= (SELECT sum(list_cents) FROM want y WHERE y.order_id = o.order_id AND y.in_group);
-- => 0
SELECT count(*) FROM out o JOIN want x USING (order_id, line_id) JOIN want_order w USING (order_id)
WHERE abs(CAST(round(o.coupon_discount * 100) AS INTEGER) * (w.list_cents - w.group_off)
          - min(3333, w.list_cents - w.group_off) * (x.list_cents - CAST(round(o.discount * 100) AS INTEGER)))
      >= max(w.list_cents - w.group_off, 1);
-- => 0
-- Sanity: the activity and the coupon did apply in many orders (the checks above are not vacuous).
SELECT count(*) > 1000 FROM want_order WHERE group_off > 0;
-- => 1
SELECT count(*) FROM out WHERE list_amount = 0 AND (discount > 0 OR coupon_discount > 0);
-- => 0
-- The result does not depend on the order the cart rows arrive in.
SELECT (SELECT sum(final_cents * (order_id * 7 + line_id)) FROM promo_apply('rc', 'rp'))
     = (SELECT sum(final_cents * (order_id * 7 + line_id)) FROM promo_apply('SELECT * FROM rc ORDER BY order_id DESC, line_id DESC', 'rp'));
-- => 1
