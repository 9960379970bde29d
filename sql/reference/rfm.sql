-- Plain-SQL reference of rfm()'s recency, frequency, monetary and quantile scores r, f, m
-- (a test oracle, and a fallback where the extension cannot be loaded).
-- Input: a table or view rfm_input(customer, ts, amount) with ts as Unix seconds or ISO-8601
-- text in UTC (after 1970) and amounts with at most 2 decimals. Options: put one row in
-- rfm_params(bins, as_of) (an empty table means bins 5 and as_of the day after the latest ts).
-- Output: the view rfm_reference(customer, recency_days, frequency, monetary, r, f, m).
-- The rule it implements (docs/rfm.md): rows with NULL customer or ts are skipped, rows
-- at or after as_of are left out; purchases are rows with amount >= 0 or NULL, refunds (amount < 0)
-- only lower monetary; recency_days = as_of's UTC day - the last purchase's UTC day;
-- rank = RANK() (ties share their lowest rank), worst first; score = 1 + floor(bins*(rank-1)/n).
CREATE TEMP TABLE IF NOT EXISTS rfm_params(bins INTEGER, as_of);
DROP VIEW IF EXISTS temp.rfm_reference;
CREATE TEMP VIEW rfm_reference AS
WITH
  params AS (
    SELECT coalesce((SELECT bins FROM rfm_params), 5) AS bins,
           (SELECT CASE WHEN typeof(as_of) IN ('integer', 'real') THEN CAST(as_of AS INTEGER)
                        ELSE unixepoch(as_of) END FROM rfm_params) AS as_of_secs),
  rows_in AS (
    SELECT customer,
           CASE WHEN typeof(ts) IN ('integer', 'real') THEN CAST(ts AS INTEGER) ELSE unixepoch(ts) END AS secs,
           CAST(round(amount * 100) AS INTEGER) AS cents
    FROM rfm_input
    WHERE customer IS NOT NULL AND ts IS NOT NULL),
  kept AS (
    SELECT rows_in.* FROM rows_in, params WHERE params.as_of_secs IS NULL OR rows_in.secs < params.as_of_secs),
  as_of AS (
    SELECT coalesce(as_of_secs / 86400, (SELECT max(secs) FROM kept) / 86400 + 1) AS day, bins FROM params),
  customers AS (
    SELECT customer,
           (SELECT day FROM as_of) - max(CASE WHEN coalesce(cents, 0) >= 0 THEN secs END) / 86400 AS recency_days,
           sum(coalesce(cents, 0) >= 0) AS frequency,
           coalesce(sum(cents), 0) AS monetary_cents
    FROM kept
    GROUP BY customer
    HAVING sum(coalesce(cents, 0) >= 0) > 0),
  ranked AS (
    SELECT *,
           count(*) OVER () AS n,
           rank() OVER (ORDER BY recency_days DESC) AS r_rank,
           rank() OVER (ORDER BY frequency) AS f_rank,
           rank() OVER (ORDER BY monetary_cents) AS m_rank
    FROM customers)
SELECT customer, recency_days, frequency, monetary_cents / 100.0 AS monetary,
       1 + (bins * (r_rank - 1)) / n AS r,
       1 + (bins * (f_rank - 1)) / n AS f,
       1 + (bins * (m_rank - 1)) / n AS m
FROM ranked, as_of;
