-- window_funnel, ClickHouse's windowFunnel as an aggregate: the deepest step per customer within
-- 1 hour, then how many customers stopped at each level: in the default mode, and with
-- strict_deduplication (a repeated step, such as a second add-to-cart, ends the funnel).
-- The same in ClickHouse: windowFunnel(3600, 'strict_deduplication')(ts, event = 'view', ...)
SELECT level, count(*) FILTER (WHERE mode = 'default') AS customers,
       count(*) FILTER (WHERE mode = 'dedup') AS customers_strict_deduplication
FROM (
  SELECT 'default' AS mode, window_funnel(3600, ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay') AS level
  FROM events GROUP BY user_id
  UNION ALL
  SELECT 'dedup', window_funnel(3600, ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay', 'strict_deduplication')
  FROM events GROUP BY user_id)
GROUP BY level ORDER BY level;
