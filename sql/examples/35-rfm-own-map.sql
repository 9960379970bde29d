-- Your own segment map is a table joined on the rfm code; here a 3-bin map by R and F only.
WITH my_map(code_prefix, label) AS (VALUES ('33', 'core'), ('32', 'core'), ('31', 'new'), ('23', 'keep'),
  ('22', 'keep'), ('21', 'nurture'), ('13', 'win back'), ('12', 'win back'), ('11', 'dormant'))
SELECT label, count(*) AS customers, round(sum(monetary), 2) AS revenue
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders', NULL, 'bins=3') AS x
JOIN my_map ON my_map.code_prefix = substr(x.rfm, 1, 2)
GROUP BY label ORDER BY revenue DESC;
