-- Promotions: what each activity type charges for one item (promo_price).
WITH v(activity, unit_price, qty, rule) AS (VALUES
  ('discount 八折',             100,   2, '{"type":"discount","rate":0.8}'),
  ('tiered_discount',           100,   5, '{"type":"tiered_discount","tiers":[{"qty":2,"rate":0.95},{"qty":5,"rate":0.8}]}'),
  ('special_price 特价',         100,   3, '{"type":"special_price","price":80}'),
  ('reduce 减免',                100,   1, '{"type":"reduce","amount":20}'),
  ('threshold_off 满200减30',     80,   5, '{"type":"threshold_off","threshold":200,"off":30}'),
  ('threshold_off 每满200减30',   80,   5, '{"type":"threshold_off","threshold":200,"off":30,"repeat":true}'),
  ('tiered_threshold_off',        80,   4, '{"type":"tiered_threshold_off","tiers":[{"threshold":200,"off":10},{"threshold":300,"off":30}]}'),
  ('add_on 加价购',               50,   2, '{"type":"add_on","threshold":200,"sku":"B","price":10,"limit":1}'),
  ('exchange 换购',               30,   1, '{"type":"exchange","threshold":200,"sku":"C"}'),
  ('flash_sale 秒杀',            100,   2, '{"type":"flash_sale","price":"59.90","per_order_limit":1}'),
  ('buy_x_get_y 买一送一',         50,   3, '{"type":"buy_x_get_y","buy":1,"get":1}'),
  ('buy_x_get_y 第二件半价',     99.99,  2, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0.5}'),
  ('bundle_price 3件99元',         40,   3, '{"type":"bundle_price","qty":3,"price":99}'),
  ('coupon 满150减20',           160,   1, '{"type":"coupon","threshold":150,"off":20}'),
  ('discount 25% off',          19.99,  1, '{"type":"discount","rate":0.75}'))
SELECT activity, unit_price, qty, promo_price(unit_price, qty, rule) AS pays FROM v;
