-- The Chinese 8-class map (重要价值客户 ...): each of R, F, M split at its mean over customers.
SELECT segment_cn, count(*) AS customers, round(sum(monetary), 2) AS revenue,
       round(avg(recency_days)) AS avg_recency_days, round(avg(frequency), 2) AS avg_orders
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders
          UNION ALL SELECT customer_id, ts, amount, order_id FROM refunds')
GROUP BY segment_cn ORDER BY revenue DESC;
