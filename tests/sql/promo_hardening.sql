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
