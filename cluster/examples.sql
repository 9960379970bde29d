-- The README's examples that cluster-demo runs on the leader (one statement per block; blocks
-- end with a line holding only ';').
SELECT step, event, actors, round(conversion_from_prev, 3) AS of_prev,
       bar(actors, max(actors) OVER ()) AS shape
FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay')
;
SELECT cohort, max(cohort_size) AS actors, '|' || group_concat(shade(rate), '') || '|' AS weeks_0_to_12
FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM events', 'week', 'periods=13')
      ORDER BY cohort, period)
GROUP BY cohort LIMIT 4
;
SELECT segment, count(*) AS customers, round(sum(monetary), 2) AS revenue,
       round(100.0 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS revenue_pct,
       round(avg(recency_days)) AS avg_recency_days
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders
          UNION ALL SELECT customer_id, ts, amount, order_id FROM refunds')
GROUP BY segment ORDER BY revenue DESC
;
SELECT period, new, retained, resurrecting, dormant, round(pulse, 2) AS pulse
FROM lifecycle('SELECT user_id, ts FROM events', 'month')
;
SELECT promo_price_cents(19.99, 1, '{"type":"discount","rate":0.75}') AS cents,
       promo_price_cents(19.99, 1, '{"type":"discount","rate":0.75}', 'rounding=down') AS cents_down,
       promo_price_cents(299.50, 1, '{"type":"threshold_off","threshold":300,"off":30}') AS mall,
       promo_price_cents(100, 3, '{"type":"discount","rate":0.8}', 'scale=0') AS jpy
;
SELECT order_id, line_id, sku, promo_id, round(discount, 2) AS discount, final_cents
FROM promo_apply('cart', 'promotions') WHERE order_id = (SELECT min(order_id) FROM cart)
;
