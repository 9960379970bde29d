-- The channel-quality recipe (渠道质量) of docs/retention.md and sql/examples/23-channel-quality.sql,
-- checked number by number against plain SQL (no extension function) on a generated shop.
--
-- The shop: 400 customers from four acquisition channels (customers.channel, the channel of
-- their sign-up, their first touch), sign-ups at any second of eleven weeks (so around local midnight
-- and the week's turn in UTC+8 too); visits that come back after 2 hours to 6 days, more often
-- for some channels and for one customer in four; later visits come through any channel (the
-- visit's own, events.channel), which is why the recipe takes the acquisition channel from
-- customers on every row. 17 customers never visit (no view: they are new customers but not in
-- the funnel). Orders are the payments, some followed by a second order 5 hours later (the same
-- local day or the next).
CREATE TABLE customers(customer_id INTEGER PRIMARY KEY, channel TEXT NOT NULL, signup_at TEXT NOT NULL);
INSERT INTO customers
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
SELECT i,
       CASE (i * 2654435761) % 4294967291 % 10 WHEN 0 THEN 'ads' WHEN 1 THEN 'ads' WHEN 2 THEN 'web'
            WHEN 3 THEN 'web' WHEN 4 THEN 'web' WHEN 5 THEN 'wechat' ELSE 'app' END,
       datetime(1704067200 + (i * 7919) % 80 * 86400 + (i * 104729) % 86400, 'unixepoch')
FROM n;
-- Visits: the first at sign-up, then a return after 2 hours to 9 days while a roll that depends
-- on the acquisition channel allows; later visits come through any channel (the visit's own).
CREATE TEMP TABLE visits AS
WITH RECURSIVE v(customer_id, k, start) AS (
  SELECT customer_id, 0, unixepoch(signup_at) FROM customers WHERE customer_id % 23 <> 0
  UNION ALL
  SELECT v.customer_id, v.k + 1, v.start + 7200 + (v.customer_id * 31 + v.k * 17) * 2654435761 % 4294967291 % (6 * 86400)
  FROM v JOIN customers AS c USING (customer_id)
  WHERE v.k < 25 AND (v.customer_id * 97 + v.k * 1013) * 2654435761 % 4294967291 % 100
                     < CASE c.channel WHEN 'app' THEN 85 WHEN 'wechat' THEN 75 WHEN 'web' THEN 70 ELSE 55 END
                         + CASE WHEN c.customer_id % 4 = 0 THEN 40 ELSE 0 END)
SELECT v.customer_id, v.k, v.start,
       CASE WHEN v.k = 0 THEN c.channel
            ELSE CASE (v.customer_id + v.k) % 5 WHEN 0 THEN 'ads' WHEN 1 THEN 'web' WHEN 2 THEN 'wechat' ELSE c.channel END
       END AS channel,
       (v.customer_id * 7 + v.k * 13) * 2654435761 % 4294967291 AS h
FROM v JOIN customers AS c USING (customer_id)
WHERE v.start < unixepoch('2024-03-25');
CREATE TABLE events(user_id INTEGER NOT NULL, ts TEXT NOT NULL, event TEXT NOT NULL, channel TEXT NOT NULL);
-- A visit views; 60% add to cart (sometimes in the same second), 70% of those check out, 80% of
-- those pay, one in five of them a day or so later (either side of the 1-day window); one
-- visit in 12 pays first and views after (an order of steps that is no conversion).
INSERT INTO events
SELECT customer_id, datetime(start + CASE WHEN h % 12 = 0 THEN 600 ELSE 0 END, 'unixepoch'), 'view', channel FROM visits
UNION ALL
SELECT customer_id, datetime(start + h / 7 % 400, 'unixepoch'), 'cart', channel FROM visits WHERE h % 100 < 60
UNION ALL
SELECT customer_id, datetime(start + h / 7 % 400 + 60 + h / 11 % 900, 'unixepoch'), 'checkout', channel FROM visits
WHERE h % 100 < 60 AND h / 13 % 100 < 70
UNION ALL
SELECT customer_id,
       datetime(CASE WHEN h % 12 = 0 THEN start
                     ELSE start + h / 7 % 400 + 60 + h / 11 % 900
                          + CASE WHEN h / 17 % 5 = 0 THEN 86400 - 3600 + h / 19 % 7200 ELSE h / 19 % 300 END END,
                'unixepoch'), 'pay', channel FROM visits
WHERE h % 12 = 0 OR (h % 100 < 60 AND h / 13 % 100 < 70 AND h / 23 % 100 < 80);
-- One order per payment; one in seven is followed by a second order 5 hours later (the same
-- local day, or the next one).
CREATE TABLE orders(order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, ts TEXT NOT NULL, amount REAL NOT NULL);
INSERT INTO orders(customer_id, ts, amount)
SELECT user_id, ts, (unixepoch(ts) * 2654435761 % 4294967291 % 50000 + 1) / 100.0 FROM events WHERE event = 'pay'
UNION ALL
SELECT user_id, datetime(ts, '+5 hours'), (unixepoch(ts) % 9000 + 990) / 100.0 FROM events
WHERE event = 'pay' AND unixepoch(ts) % 7 = 0;

-- The recipe, verbatim (docs/retention.md, "Channel quality").
CREATE TABLE recipe AS
WITH
cells AS (
  SELECT * FROM cohort_retention(
    'SELECT customer_id, signup_at, 1, NULL, channel FROM customers
     UNION ALL SELECT e.user_id, e.ts, 0, NULL, c.channel FROM events AS e JOIN customers AS c ON c.customer_id = e.user_id
     UNION ALL SELECT o.customer_id, o.ts, 0, o.amount, c.channel FROM orders AS o JOIN customers AS c USING (customer_id)',
    'week', 'tz=+08:00')),
cohorts AS (
  SELECT segment AS channel,
         sum(cohort_size) FILTER (WHERE period = 0) AS new_customers,
         sum(value_cents) AS revenue_cents,
         sum(retained) FILTER (WHERE period = 1 AND complete) AS w1_retained,
         sum(cohort_size) FILTER (WHERE period = 1 AND complete) AS w1_base,
         sum(retained) FILTER (WHERE period = 4 AND complete) AS w4_retained,
         sum(cohort_size) FILTER (WHERE period = 4 AND complete) AS w4_base
  FROM cells GROUP BY segment),
funnel_steps AS (
  SELECT breakdown AS channel,
         max(actors) FILTER (WHERE step = 1) AS viewed,
         max(actors) FILTER (WHERE step = 4) AS paid
  FROM funnel('SELECT e.user_id, e.ts, e.event, c.channel FROM events AS e JOIN customers AS c ON c.customer_id = e.user_id',
               '1 day', 'view,cart,checkout,pay')
  GROUP BY breakdown),
repeat AS (
  SELECT segment AS channel, sum(buyers) AS buyers, sum(repeat_buyers) AS repeat_buyers
  FROM repurchase('SELECT o.customer_id, o.ts, c.channel FROM orders AS o JOIN customers AS c USING (customer_id)',
                  'month', 'tz=+08:00')
  GROUP BY segment)
SELECT channel, new_customers,
       printf('%.1f%%', 100.0 * paid / viewed) AS view_to_pay,
       printf('%.1f%%', 100.0 * w1_retained / w1_base) AS week1,
       printf('%.1f%%', 100.0 * w4_retained / w4_base) AS week4,
       printf('%.2f', revenue_cents / 100.0 / new_customers) AS revenue_per_customer,
       printf('%.1f%%', 100.0 * repeat_buyers / buyers) AS repurchase
FROM cohorts JOIN funnel_steps USING (channel) JOIN repeat USING (channel)
ORDER BY revenue_cents * 1.0 / new_customers DESC;

-- Its parts: the same calls, every count and sum before rounding.
CREATE TABLE recipe_parts AS
WITH
cells AS (
  SELECT * FROM cohort_retention(
    'SELECT customer_id, signup_at, 1, NULL, channel FROM customers
     UNION ALL SELECT e.user_id, e.ts, 0, NULL, c.channel FROM events AS e JOIN customers AS c ON c.customer_id = e.user_id
     UNION ALL SELECT o.customer_id, o.ts, 0, o.amount, c.channel FROM orders AS o JOIN customers AS c USING (customer_id)',
    'week', 'tz=+08:00')),
cohorts AS (
  SELECT segment AS channel,
         sum(cohort_size) FILTER (WHERE period = 0) AS new_customers,
         sum(value_cents) AS revenue_cents,
         sum(retained) FILTER (WHERE period = 1 AND complete) AS w1_retained,
         sum(cohort_size) FILTER (WHERE period = 1 AND complete) AS w1_base,
         sum(retained) FILTER (WHERE period = 4 AND complete) AS w4_retained,
         sum(cohort_size) FILTER (WHERE period = 4 AND complete) AS w4_base
  FROM cells GROUP BY segment),
funnel_steps AS (
  SELECT breakdown AS channel,
         max(actors) FILTER (WHERE step = 1) AS viewed,
         max(actors) FILTER (WHERE step = 4) AS paid
  FROM funnel('SELECT e.user_id, e.ts, e.event, c.channel FROM events AS e JOIN customers AS c ON c.customer_id = e.user_id',
               '1 day', 'view,cart,checkout,pay')
  GROUP BY breakdown),
repeat AS (
  SELECT segment AS channel, sum(buyers) AS buyers, sum(repeat_buyers) AS repeat_buyers
  FROM repurchase('SELECT o.customer_id, o.ts, c.channel FROM orders AS o JOIN customers AS c USING (customer_id)',
                  'month', 'tz=+08:00')
  GROUP BY segment)
SELECT channel, new_customers, viewed, paid, w1_retained, w1_base, w4_retained, w4_base, revenue_cents,
       buyers, repeat_buyers
FROM cohorts JOIN funnel_steps USING (channel) JOIN repeat USING (channel);

-- The same figures in plain SQL, from the definitions:
-- - new customers: customers of the channel (each signed up once);
-- - the funnel (within 1 day, ClickHouse's rule): an actor reaches pay when some view, cart,
--   checkout and pay follow each other in time (equal times allowed, in step order) with the pay
--   at most 86400 s after the view; viewed = customers with a view;
-- - week k retention: a customer's cohort is the Monday of their sign-up's local (UTC+8) date,
--   week k the 7 days from cohort + 7k; retained in week k = any row (sign-up, event or order)
--   that week; only cohorts whose week k has ended by as_of, the midnight after the latest
--   row's local day, count (a week still running would read as churn);
-- - revenue: the channel's orders in cents;
-- - repurchase: over (customer, local month) pairs with an order, those with 2+ order days.
CREATE TABLE activity AS
SELECT customer_id, signup_at AS ts FROM customers
UNION ALL SELECT user_id, ts FROM events
UNION ALL SELECT customer_id, ts FROM orders;
CREATE TABLE entry AS
SELECT customer_id, channel, date(signup_at, '+8 hours', '-6 days', 'weekday 1') AS cohort FROM customers;
CREATE TABLE active_week AS
SELECT DISTINCT a.customer_id,
       CAST(julianday(date(a.ts, '+8 hours', '-6 days', 'weekday 1')) - julianday(e.cohort) AS INTEGER) / 7 AS week
FROM activity AS a JOIN entry AS e USING (customer_id);
CREATE TABLE plain_weeks AS
SELECT e.channel, w.week,
       count(*) AS base,
       sum(EXISTS (SELECT 1 FROM active_week AS x WHERE x.customer_id = e.customer_id AND x.week = w.week)) AS retained
FROM entry AS e CROSS JOIN (SELECT 1 AS week UNION ALL SELECT 4) AS w
WHERE date(e.cohort, '+' || (7 * (w.week + 1)) || ' days')
      <= (SELECT date(max(ts), '+8 hours', '+1 day') FROM activity)
GROUP BY e.channel, w.week;
CREATE INDEX events_user ON events(user_id, event, ts);
CREATE TABLE payers AS
SELECT DISTINCT v.user_id FROM events AS v
JOIN events AS c ON c.user_id = v.user_id AND c.event = 'cart' AND c.ts >= v.ts
JOIN events AS k ON k.user_id = v.user_id AND k.event = 'checkout' AND k.ts >= c.ts
JOIN events AS p ON p.user_id = v.user_id AND p.event = 'pay' AND p.ts >= k.ts
WHERE v.event = 'view' AND unixepoch(p.ts) - unixepoch(v.ts) <= 86400;
CREATE TABLE buyer_month AS
SELECT customer_id, strftime('%Y-%m', ts, '+8 hours') AS month, count(DISTINCT date(ts, '+8 hours')) AS days
FROM orders GROUP BY 1, 2;
CREATE TABLE plain_parts AS
SELECT c.channel,
       count(*) AS new_customers,
       sum(c.customer_id IN (SELECT user_id FROM events WHERE event = 'view')) AS viewed,
       sum(c.customer_id IN (SELECT user_id FROM payers)) AS paid,
       (SELECT retained FROM plain_weeks AS w WHERE w.channel = c.channel AND w.week = 1) AS w1_retained,
       (SELECT base FROM plain_weeks AS w WHERE w.channel = c.channel AND w.week = 1) AS w1_base,
       (SELECT retained FROM plain_weeks AS w WHERE w.channel = c.channel AND w.week = 4) AS w4_retained,
       (SELECT base FROM plain_weeks AS w WHERE w.channel = c.channel AND w.week = 4) AS w4_base,
       (SELECT sum(CAST(round(o.amount * 100) AS INTEGER)) FROM orders AS o JOIN customers AS x USING (customer_id)
        WHERE x.channel = c.channel) AS revenue_cents,
       (SELECT count(*) FROM buyer_month AS b JOIN customers AS x USING (customer_id) WHERE x.channel = c.channel) AS buyers,
       (SELECT sum(days >= 2) FROM buyer_month AS b JOIN customers AS x USING (customer_id) WHERE x.channel = c.channel)
         AS repeat_buyers
FROM customers AS c GROUP BY c.channel;

-- Every part equal, channel by channel (four channels, none missing on either side).
SELECT count(*) FROM recipe_parts JOIN plain_parts USING (channel)
WHERE recipe_parts.new_customers = plain_parts.new_customers AND recipe_parts.viewed = plain_parts.viewed
  AND recipe_parts.paid = plain_parts.paid AND recipe_parts.w1_retained = plain_parts.w1_retained
  AND recipe_parts.w1_base = plain_parts.w1_base AND recipe_parts.w4_retained = plain_parts.w4_retained
  AND recipe_parts.w4_base = plain_parts.w4_base AND recipe_parts.revenue_cents = plain_parts.revenue_cents
  AND recipe_parts.buyers = plain_parts.buyers AND recipe_parts.repeat_buyers = plain_parts.repeat_buyers;
-- => 4
-- The plain parts: every figure is exercised (no channel has an empty funnel, a zero week-4 base
-- or no repeat buyer; 17 customers without a view).
-- Columns: channel, new_customers, viewed, paid, w1_retained, w1_base, w4_retained, w4_base,
-- revenue_cents, buyers, repeat_buyers; the bases below new_customers are the cohorts whose week
-- had not ended.
SELECT * FROM plain_parts ORDER BY channel;
-- => ads|80|76|44|38|77|8|60|3124578|63|31
-- => app|157|150|117|109|157|27|105|11942499|169|108
-- => web|123|118|70|64|106|23|88|6967960|120|61
-- => wechat|40|39|23|25|40|5|27|2058074|35|20
-- The recipe's printed rows, formatted from the plain parts as the recipe formats its own.
SELECT * FROM recipe
EXCEPT
SELECT channel, new_customers,
       printf('%.1f%%', 100.0 * paid / viewed), printf('%.1f%%', 100.0 * w1_retained / w1_base),
       printf('%.1f%%', 100.0 * w4_retained / w4_base), printf('%.2f', revenue_cents / 100.0 / new_customers),
       printf('%.1f%%', 100.0 * repeat_buyers / buyers)
FROM plain_parts;
-- => (no rows)
SELECT count(*) FROM recipe;
-- => 4
-- Attribution matters: the funnel broken down by the visit's own channel (events.channel)
-- instead of the acquisition channel gives other numbers on this shop.
SELECT count(*) FROM (
  SELECT breakdown, max(actors) FILTER (WHERE step = 4) FROM funnel('SELECT user_id, ts, event, channel FROM events', '1 day', 'view,cart,checkout,pay') GROUP BY breakdown
  EXCEPT SELECT channel, paid FROM plain_parts);
-- => 4
