-- Recall list: customers who added to cart but went no further (level = 2), newest first,
-- joined back to the customer table for the campaign.
SELECT f.actor AS customer_id, c.city, c.channel, f.step1_ts AS viewed_at, f.last_ts AS carted_at
FROM funnel_actors('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay') AS f
JOIN customers AS c ON c.customer_id = f.actor
WHERE f.level = 2
ORDER BY f.last_ts DESC
LIMIT 8;
