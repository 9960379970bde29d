-- Churn early warning: valuable customers (重要 in the cn map) who are now more than twice
-- their usual gap between orders overdue (overdue_ratio = days since the last order / avg gap).
SELECT customer, segment, segment_cn, frequency, monetary, round(avg_gap_days, 1) AS avg_gap_days,
       recency_days, round(overdue_ratio, 2) AS overdue_ratio
FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders
          UNION ALL SELECT customer_id, ts, amount, order_id FROM refunds')
WHERE overdue_ratio > 2 AND segment_cn LIKE '重要%'
ORDER BY monetary DESC LIMIT 8;
