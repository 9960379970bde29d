-- Plain-SQL reference for repurchase(): the test oracle (tests/test_repurchase.c runs it on
-- generated data and expects zero rows that differ) and a fallback for engines that cannot
-- load the extension. Needs only SQLite's own date functions.
--
-- Reads two relations the caller provides:
--   repurchase_source(customer, ts, segment)   ts TEXT 'YYYY-MM-DD HH:MM:SS' UTC; segment may be NULL
--   repurchase_params(period, tz_minutes, week_start, count_orders, segment_last)
--       period 'day'|'week'|'month'|'quarter'|'year'; tz_minutes the fixed offset (+480 for UTC+8);
--       week_start 'monday'|'sunday'; count_orders 0 (distinct purchase days) or 1 (rows);
--       segment_last 0 (first-touch) or 1 (last-touch)
-- as_of is the default: the midnight after the latest row's local day. Output: repurchase()'s
-- counting columns (the rates are their quotients).
WITH RECURSIVE
p AS (
  SELECT period, count_orders, segment_last, printf('%+d minutes', tz_minutes) AS shift,
         CASE week_start WHEN 'sunday' THEN 'weekday 0' ELSE 'weekday 1' END AS wd,
         CASE period WHEN 'day' THEN '+1 day' WHEN 'week' THEN '+7 days' WHEN 'month' THEN '+1 month'
                     WHEN 'quarter' THEN '+3 months' ELSE '+1 year' END AS step
  FROM repurchase_params),
b AS (  -- every usable row: its local day and the first local day of its period
  SELECT s.customer, s.ts, s.segment, date(s.ts, p.shift) AS day,
         CASE p.period WHEN 'day' THEN date(s.ts, p.shift)
                       WHEN 'week' THEN date(s.ts, p.shift, '+1 day', p.wd, '-7 days')
                       WHEN 'month' THEN date(s.ts, p.shift, 'start of month')
                       WHEN 'quarter' THEN date(s.ts, p.shift, 'start of month',
                              printf('-%d months', (CAST(strftime('%m', s.ts, p.shift) AS INTEGER) - 1) % 3))
                       ELSE date(s.ts, p.shift, 'start of year') END AS bucket
  FROM repurchase_source AS s, p
  WHERE s.customer IS NOT NULL AND s.ts IS NOT NULL),
attributed AS (  -- each customer's segment: of the first row (ties: the smallest segment, NULL
                 -- first as SQLite orders), or of the last (ties: the largest)
  SELECT c.customer,
         CASE WHEN (SELECT segment_last FROM p)
              THEN (SELECT segment FROM b WHERE b.customer = c.customer ORDER BY ts DESC, segment DESC LIMIT 1)
              ELSE (SELECT segment FROM b WHERE b.customer = c.customer ORDER BY ts, segment LIMIT 1) END AS segment
  FROM (SELECT DISTINCT customer FROM b) AS c),
per AS (  -- one row per (customer, period) with the customer's purchases in it
  SELECT b.customer, b.bucket,
         CASE WHEN (SELECT count_orders FROM p) THEN count(*) ELSE count(DISTINCT b.day) END AS purchases
  FROM b GROUP BY b.customer, b.bucket),
firsts AS (SELECT customer, min(bucket) AS first_bucket FROM per GROUP BY customer),
periods(bucket) AS (  -- every period from the first purchase's to the latest row's
  SELECT min(bucket) FROM b
  UNION ALL
  SELECT date(bucket, (SELECT step FROM p)) FROM periods WHERE bucket < (SELECT max(bucket) FROM b)),
segments AS (SELECT DISTINCT segment FROM attributed),
cells AS (
  SELECT g.segment, q.bucket,
         count(per.customer) AS buyers,
         count(CASE WHEN per.bucket = f.first_bucket THEN 1 END) AS new_buyers,
         coalesce(sum(per.purchases), 0) AS purchases,
         count(CASE WHEN per.purchases >= 2 THEN 1 END) AS repeat_buyers,
         count(prev.customer) AS returning_buyers
  FROM segments AS g CROSS JOIN periods AS q
  LEFT JOIN attributed AS a ON a.segment IS g.segment
  LEFT JOIN per ON per.customer = a.customer AND per.bucket = q.bucket
  LEFT JOIN firsts AS f ON f.customer = per.customer
  LEFT JOIN per AS prev ON prev.customer = per.customer AND date(prev.bucket, (SELECT step FROM p)) = q.bucket
  GROUP BY g.segment, q.bucket)
SELECT c.segment, c.bucket AS period, c.buyers, c.new_buyers, c.purchases, c.repeat_buyers, c.returning_buyers,
       coalesce((SELECT d.buyers FROM cells AS d
                 WHERE d.segment IS c.segment AND date(d.bucket, (SELECT step FROM p)) = c.bucket), 0) AS prev_buyers,
       date(c.bucket, (SELECT step FROM p)) <= date((SELECT max(day) FROM b), '+1 day') AS complete
FROM cells AS c
ORDER BY c.segment, c.bucket;
