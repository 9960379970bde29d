-- 渠道质量, channel quality: per acquisition channel (the customer's sign-up channel, passed on
-- every row), new customers, view -> pay conversion within a day, week-1 and week-4 retention
-- (pooled over complete weeks, Beijing time), revenue per new customer (yuan) and the monthly
-- repurchase rate (复购率), in one query. tests/sql/channel_quality.sql checks every number
-- against plain SQL on a generated shop.
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
