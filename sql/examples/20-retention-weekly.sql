-- Weekly retention triangle (Beijing time): customers by sign-up week, the share active
-- (any event) in each later week, as of Wednesday 6 March noon. * marks a week still running.
WITH cells AS (
  SELECT * FROM cohort_retention(
    'SELECT customer_id, signup_at, 1 FROM customers UNION ALL SELECT user_id, ts, 0 FROM events',
    'week', 'tz=+08:00, as_of=2024-03-06T12:00+08:00, periods=8'))
SELECT cohort, cohort_size AS users,
  max(CASE period WHEN 0 THEN printf('%.0f%%', 100 * rate) || iif(complete, '', '*') END) AS w0,
  max(CASE period WHEN 1 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w1,
  max(CASE period WHEN 2 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w2,
  max(CASE period WHEN 3 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w3,
  max(CASE period WHEN 4 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w4,
  max(CASE period WHEN 5 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w5,
  max(CASE period WHEN 6 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w6,
  max(CASE period WHEN 7 THEN printf('%.1f%%', 100 * rate) || iif(complete, '', '*') END) AS w7
FROM cells GROUP BY cohort ORDER BY cohort;
