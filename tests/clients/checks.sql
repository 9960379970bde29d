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
              USING (customer_id)),
  -- window_funnel level per user (view, cart, checkout, pay within a day) and steps 1..4.
  levels AS (SELECT window_funnel('1 day', ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay') AS lv
             FROM events GROUP BY user_id),
  steps(k) AS (VALUES (1), (2), (3), (4)),
  -- Monday (UTC) weeks each user was active in, and the first one.
  user_weeks AS (SELECT DISTINCT user_id AS u, date(ts, '-6 days', 'weekday 1') AS week FROM events),
  first_week AS (SELECT u, min(week) AS cohort FROM user_weeks GROUP BY u)
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
-- Funnel: step 1 is everyone with a view; the report agrees with the window_funnel aggregate;
-- a hand-made source: user 1 carts 10 s after the view (inside 1 hour), user 2 a day later
-- (outside), user 3 never views: 2 actors at step 1, 1 at step 2.
UNION ALL SELECT 'funnel step 1 = actors with a view',
  (SELECT actors FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay') WHERE step = 1),
  (SELECT count(DISTINCT user_id) FROM events WHERE event = 'view')
UNION ALL SELECT 'funnel = window_funnel levels',
  (SELECT group_concat(actors, ',') FROM (SELECT actors FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay') ORDER BY step)),
  (SELECT group_concat(n, ',') FROM (SELECT k.k, (SELECT count(*) FROM levels WHERE lv >= k.k) AS n FROM steps k ORDER BY k.k))
UNION ALL SELECT 'funnel by hand',
  (SELECT group_concat(actors, ',') FROM (SELECT actors FROM funnel('SELECT column1, column2, column3 FROM (VALUES (1, 0, ''view''), (1, 10, ''cart''), (2, 0, ''view''), (2, 86400, ''cart''), (3, 5, ''cart''))', '1 hour', 'view,cart') ORDER BY step)),
  '2,1'
-- Retention: weekly cohort sizes and week-1 retention against calendar arithmetic in plain SQL;
-- retention(view, pay) against users having both.
UNION ALL SELECT 'cohort sizes per week',
  (SELECT group_concat(cohort || ':' || cohort_size, ',') FROM (SELECT cohort, cohort_size FROM cohort_retention('SELECT user_id, ts FROM events', 'week') WHERE period = 0 ORDER BY cohort)),
  (SELECT group_concat(cohort || ':' || n, ',') FROM (SELECT cohort, count(*) AS n FROM first_week GROUP BY cohort ORDER BY cohort))
UNION ALL SELECT 'week-1 retained per cohort',
  (SELECT group_concat(cohort || ':' || retained, ',') FROM (SELECT cohort, retained FROM cohort_retention('SELECT user_id, ts FROM events', 'week') WHERE period = 1 ORDER BY cohort)),
  (SELECT group_concat(cohort || ':' || n, ',') FROM (
     SELECT f.cohort, count(DISTINCT f.u) AS n FROM first_week f JOIN user_weeks w ON w.u = f.u AND w.week = date(f.cohort, '+7 days')
     GROUP BY f.cohort ORDER BY f.cohort))
UNION ALL SELECT 'retention(view, pay) users',
  (SELECT sum(json_extract(r, '$[1]')) FROM (SELECT retention(event = 'view', event = 'pay') AS r FROM events GROUP BY user_id)),
  (SELECT count(*) FROM (SELECT user_id FROM events GROUP BY user_id HAVING max(event = 'view') AND max(event = 'pay')))
-- RFM: one row per customer with an order, frequencies add up to the orders, money to the cent.
UNION ALL SELECT 'rfm customers, orders, cents',
  (SELECT count(*) || ',' || sum(frequency) || ',' || sum(CAST(round(monetary * 100) AS INTEGER)) FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders')),
  (SELECT count(DISTINCT customer_id) || ',' || count(*) || ',' || sum(CAST(round(amount * 100) AS INTEGER)) FROM orders)
UNION ALL SELECT 'rfm_segment(5, 5, 5)', rfm_segment(5, 5, 5), 'Champions'
-- Promotions: 2 units of 100 at 八折 = 160; buy one get one free on 3 units of 68 = 2 paid = 136;
-- every promo_apply line adds up to the cent, and the list amounts are the cart's.
UNION ALL SELECT 'promo_price by hand',
  promo_price(100, 2, '{"type":"discount","rate":0.8}') || ',' || promo_price(68, 3, '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0}'),
  '160.0,136.0'
UNION ALL SELECT 'promo_apply lines add up',
  -- cart lines (line_id set; a line whose units an exchange or add-on priced comes as two rows
  -- with the same line_id): lines, units and list cents are the cart's, and every row adds up.
  (SELECT count(DISTINCT order_id || ':' || line_id) || ',' || sum(qty) || ',' || sum(CAST(round(list_amount * 100) AS INTEGER)) || ',' ||
          (sum(final_cents = CAST(round(list_amount * 100) AS INTEGER) - CAST(round(discount * 100) AS INTEGER)
                             - CAST(round(coupon_discount * 100) AS INTEGER)) = count(*))
   FROM promo_apply('cart', 'promotions') WHERE line_id IS NOT NULL),
  (SELECT count(*) || ',' || sum(qty) || ',' || sum(CAST(round(qty * unit_price * 100) AS INTEGER)) || ',1' FROM cart)
