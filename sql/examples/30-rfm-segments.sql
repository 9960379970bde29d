-- RFM 客户分级 on the demo shop: customers and net revenue per English segment. Refunds share
-- their order's id, so they lower monetary without counting as orders; as_of is 2024-07-01.
SELECT segment, count(*) AS customers, round(sum(monetary), 2) AS revenue,
       round(100.0 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS revenue_pct,
       round(avg(recency_days)) AS avg_recency_days
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders
          UNION ALL SELECT customer_id, ts, amount, order_id FROM refunds')
GROUP BY segment ORDER BY revenue DESC;
