-- Monthly revenue retention (Beijing time): customers by the month of their first order, and
-- the revenue (yuan) each cohort brings in its first and later months; the last column is
-- revenue per buyer so far. The cells add up to the orders table to the cent.
WITH cells AS (
  SELECT * FROM cohort_retention('SELECT customer_id, ts, 1, amount FROM orders', 'month', 'tz=+08:00'))
SELECT cohort, cohort_size AS buyers,
  sum(CASE period WHEN 0 THEN value END) AS m0, sum(CASE period WHEN 1 THEN value END) AS m1,
  sum(CASE period WHEN 2 THEN value END) AS m2, sum(CASE period WHEN 3 THEN value END) AS m3,
  max(CASE period WHEN 1 THEN retained END) AS m1_buyers,
  round(sum(value) / cohort_size, 2) AS per_buyer
FROM cells GROUP BY cohort ORDER BY cohort;
SELECT sum(value_cents) AS cells_cents, (SELECT CAST(round(sum(amount) * 100) AS INTEGER) FROM orders) AS orders_cents
FROM cohort_retention('SELECT customer_id, ts, 1, amount FROM orders', 'month', 'tz=+08:00');
