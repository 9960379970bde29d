-- Fixed business cut points instead of quantiles: R by 30/60/120 days, F by 2/3/5 orders,
-- M by 200/500/1000 yuan (a value on a cut takes the better score), so 4 scores each.
SELECT r, count(*) AS customers, min(recency_days) AS min_days, max(recency_days) AS max_days,
       round(sum(monetary), 2) AS revenue
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders', NULL,
         'r_cuts=30;60;120, f_cuts=2;3;5, m_cuts=200;500;1000')
GROUP BY r ORDER BY r DESC;
