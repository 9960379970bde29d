-- Win-back list (沉默 high-value customers, docs/lifecycle.md): silent for 1 to 29 days as of
-- Monday 2024-07-01 by their events, and in the top two RFM monetary quintiles by their orders.
SELECT s.actor AS customer_id, s.days_since_last AS days_away, s.state, r.frequency AS orders,
       r.monetary, r.segment_cn
FROM actor_status('SELECT user_id, ts FROM events', '2024-07-01') AS s
JOIN rfm('SELECT customer_id, ts, amount, order_id FROM orders', '2024-07-01') AS r ON r.customer = s.actor
WHERE s.status = 'silent' AND r.m >= 4
ORDER BY r.monetary DESC LIMIT 8;
