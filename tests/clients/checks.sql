-- checks.sql: the checks every client test runs (shell, Python, Node.js, static C), on the demo
-- database. ONE statement (so every client API can prepare it) returning rows
-- (check, got, want): `got` comes from the extension, `want` from plain SQL over the same data
-- or from hand calculation written beside it. A client passes when got = want on every row.
WITH
  -- Orders per calendar month: date_bucket vs the text prefix of the UTC timestamp.
  month_ext AS (SELECT date_bucket(ts, 'month') AS m, count(*) AS n FROM orders GROUP BY m ORDER BY m),
  month_sql AS (SELECT substr(ts, 1, 7) || '-01' AS m, count(*) AS n FROM orders GROUP BY m ORDER BY m),
  -- Events per Beijing (UTC+8) Monday week: date_bucket vs SQLite's own date arithmetic.
  week_ext AS (SELECT date_bucket(ts, 'week', 'tz=+08:00') AS w, count(*) AS n FROM events GROUP BY w ORDER BY w),
  week_sql AS (SELECT date(ts, '+8 hours', '-6 days', 'weekday 1') AS w, count(*) AS n FROM events GROUP BY w ORDER BY w),
  -- Days from each customer's sign-up to their first order, summed.
  gap_ext AS (SELECT sum(period_diff(c.signup_at, o.first_ts, 'day')) AS d
              FROM customers c JOIN (SELECT customer_id, min(ts) AS first_ts FROM orders GROUP BY customer_id) o
              USING (customer_id)),
  gap_sql AS (SELECT sum(julianday(date(o.first_ts)) - julianday(date(c.signup_at))) AS d
              FROM customers c JOIN (SELECT customer_id, min(ts) AS first_ts FROM orders GROUP BY customer_id) o
              USING (customer_id))
-- Hand-checked values: 20:00 UTC Sunday 2024-03-03 is Monday 04:00 in Beijing.
SELECT 'date_bucket beijing week', date_bucket('2024-03-03 20:00:00Z', 'week', 'tz=+08:00'), '2024-03-04'
UNION ALL SELECT 'period_diff calendar vs rolling',
  period_diff('2024-01-31', '2024-02-01', 'month') || ',' || period_diff('2024-01-31', '2024-02-01', 'month', 'rolling'), '1,0'
-- 1/3 of 20 cells = 53.33 eighths -> 6 full blocks and 5/8; 0.5 is the middle ramp step.
UNION ALL SELECT 'bar one third', bar(1, 3), '██████▋'
UNION ALL SELECT 'shade ramp', shade(0) || shade(0.2) || shade(0.5) || shade(0.7) || shade(1), ' ░▒▓█'
-- Demo data: the extension against plain SQL.
UNION ALL SELECT 'orders per month',
  (SELECT group_concat(m || ':' || n, ',') FROM month_ext), (SELECT group_concat(m || ':' || n, ',') FROM month_sql)
UNION ALL SELECT 'order months', (SELECT count(*) FROM month_ext), (SELECT count(DISTINCT substr(ts, 1, 7)) FROM orders)
UNION ALL SELECT 'events per beijing week',
  (SELECT group_concat(w || ':' || n, ',') FROM week_ext), (SELECT group_concat(w || ':' || n, ',') FROM week_sql)
UNION ALL SELECT 'signup to first order days', (SELECT d FROM gap_ext), (SELECT CAST(d AS INTEGER) FROM gap_sql)
UNION ALL SELECT 'largest month as a bar',
  (SELECT bar(max(n), max(n)) FROM month_ext), '████████████████████'
