-- Companion figures from rfm's output: repurchase rate (复购率: customers with 2+ orders), and
-- the Pareto share: revenue of the top 20% of customers (ceil(0.2 N), by monetary, ties by id).
WITH graded AS (
  SELECT * FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders
                     UNION ALL SELECT customer_id, ts, amount, order_id FROM refunds')),
ranked AS (
  SELECT monetary, row_number() OVER (ORDER BY monetary DESC, customer) AS pos, count(*) OVER () AS n
  FROM graded)
SELECT (SELECT count(*) FROM graded) AS customers,
       (SELECT round(100.0 * avg(frequency >= 2), 1) FROM graded) AS repurchase_pct,
       (SELECT round(100.0 * sum(CASE WHEN pos <= (n + 4) / 5 THEN monetary END) / sum(monetary), 1)
        FROM ranked) AS top20_revenue_pct;
