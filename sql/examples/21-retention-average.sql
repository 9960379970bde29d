-- Average retention per week over all sign-up cohorts, complete cells only: the pooled mean
-- (every customer weighs the same: sum(retained) / sum(cohort_size), PostHog's "weighted")
-- next to the simple mean of the cohorts' rates, which lets a 30-customer cohort weigh as
-- much as a 557-customer one.
SELECT period AS week, count(*) AS cohorts, sum(cohort_size) AS customers, sum(retained) AS retained,
       printf('%.1f%%', 100.0 * sum(retained) / sum(cohort_size)) AS pooled_mean,
       printf('%.1f%%', 100.0 * avg(rate)) AS simple_mean
FROM cohort_retention(
  'SELECT customer_id, signup_at, 1 FROM customers UNION ALL SELECT user_id, ts, 0 FROM events',
  'week', 'tz=+08:00')
WHERE complete AND period BETWEEN 1 AND 8
GROUP BY period ORDER BY period;
