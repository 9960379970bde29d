-- rfm() against the plain-SQL reference sql/reference/rfm.sql (included below verbatim; the
-- unit test test_rfm_score checks that it is the same text) on generated data: a skewed
-- customer mix (40 heavy buyers, about 900 occasional ones, 600 one-order customers so F=1 is
-- a large tie), Unix-second and text timestamps mixed, refunds, zero and text amounts, NULL
-- customers and timestamps. Expected: zero rows differing in either direction, for several
-- option sets; the customer counts come from plain SQL over the input.
CREATE TABLE rfm_input(customer, ts, amount);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000),
  h(i, x) AS (SELECT i, (i * 2654435761 + 12345) % 4294967291 FROM n)
INSERT INTO rfm_input
SELECT CASE WHEN i % 97 = 0 THEN NULL WHEN i % 3 = 0 THEN x % 40 ELSE x % 900 END,
       CASE WHEN i % 101 = 0 THEN NULL
            WHEN i % 2 = 0 THEN 1704067200 + (x / 7) % 5184000
            ELSE datetime(1704067200 + (x / 7) % 5184000, 'unixepoch') END,
       CASE WHEN i % 13 = 0 THEN -((x % 5000) / 100.0)
            WHEN i % 29 = 0 THEN 0
            WHEN i % 31 = 0 THEN printf('%.2f', (x % 30000) / 100.0)
            ELSE (x % 30000) / 100.0 END
FROM h;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
INSERT INTO rfm_input SELECT 'one-' || i, datetime(1704067200 + i * 8640, 'unixepoch'), (i % 7) * 10 FROM n;
-- ---- sql/reference/rfm.sql, verbatim ----
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
-- ---- end of sql/reference/rfm.sql ----
-- Customers with at least one purchase row (amount >= 0) among the rows kept, in plain SQL.
SELECT count(DISTINCT customer) FROM rfm_input WHERE customer IS NOT NULL AND ts IS NOT NULL AND amount >= 0;
-- => 1500
SELECT count(*) FROM (SELECT customer FROM rfm_input WHERE customer IS NOT NULL AND ts IS NOT NULL GROUP BY customer HAVING count(*) FILTER (WHERE amount >= 0) = 1);
-- => 626
-- Defaults: bins 5, as_of the day after the latest ts.
SELECT (SELECT count(*) FROM (SELECT * FROM rfm_reference
          EXCEPT SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input'))),
       (SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input')
          EXCEPT SELECT * FROM rfm_reference)),
       (SELECT count(*) FROM rfm_reference);
-- => 0|0|1500
-- The one-order customers all share F = 1 (their rank is 1).
SELECT count(*), min(f), max(f) FROM rfm('rfm_input') WHERE frequency = 1;
-- => 626|1|1
INSERT INTO rfm_params VALUES (3, NULL);
SELECT (SELECT count(*) FROM (SELECT * FROM rfm_reference
          EXCEPT SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input', NULL, 'bins=3'))),
       (SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input', NULL, 'bins=3')
          EXCEPT SELECT * FROM rfm_reference)),
       (SELECT count(*) FROM rfm_reference);
-- => 0|0|1500
-- as_of is the instant of the analysis: a row at it is not seen yet. Customer 'one-405' has one
-- row, at 1704067200 + 405 * 8640 = 1707566400 = 2024-02-10 12:00:00, exactly as_of: not listed
-- (1285 customers when rows at as_of were counted, 1284 now).
UPDATE rfm_params SET bins = 10, as_of = '2024-02-10 12:00:00';
SELECT (SELECT count(*) FROM (SELECT * FROM rfm_reference
          EXCEPT SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input', '2024-02-10 12:00:00', 'bins=10'))),
       (SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input', '2024-02-10 12:00:00', 'bins=10')
          EXCEPT SELECT * FROM rfm_reference)),
       (SELECT count(*) FROM rfm_reference);
-- => 0|0|1284
-- as_of as Unix seconds (2024-02-10 12:00:00 UTC) is the same analysis.
UPDATE rfm_params SET bins = 10, as_of = 1707566400;
SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input', 1707566400, 'bins=10')
          EXCEPT SELECT * FROM rfm_reference);
-- => 0
-- Customers with a purchase before 2024-02-10 12:00:00, in plain SQL.
SELECT count(DISTINCT customer) FROM rfm_input WHERE customer IS NOT NULL AND amount >= 0
  AND (CASE WHEN typeof(ts) = 'integer' THEN ts ELSE unixepoch(ts) END) < 1707566400;
-- => 1284
SELECT count(*) FROM rfm('rfm_input', '2024-02-10 12:00:00') WHERE customer = 'one-405';
-- => 0
-- Customers of every type interleaved row by row (rfm looks TEXT, BLOB and REAL customers up a
-- few hundred at a time, INTEGER ones with the batch, both in source order): UUID-shaped TEXT,
-- INTEGERs, whole REALs (the INTEGER's customer), other REALs and BLOBs, 20000 rows.
DELETE FROM rfm_input;
DELETE FROM rfm_params;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000),
  h(i, x) AS (SELECT i, (i * 2654435761 + 12345) % 4294967291 FROM n)
INSERT INTO rfm_input
SELECT CASE i % 5 WHEN 0 THEN printf('%08x-%04x-4e6c-1bff-dcf1fc62ee60', x % 3000, x % 7)
                  WHEN 1 THEN x % 500
                  WHEN 2 THEN CAST(x % 500 AS REAL)
                  WHEN 3 THEN (x % 300) + 0.25
                  ELSE CAST(printf('b%d', x % 200) AS BLOB) END,
       CASE WHEN i % 2 = 0 THEN 1704067200 + (x / 7) % 5184000
            ELSE datetime(1704067200 + (x / 7) % 5184000, 'unixepoch') END,
       CASE WHEN i % 13 = 0 THEN -((x % 5000) / 100.0) ELSE (x % 30000) / 100.0 END
FROM h;
SELECT count(DISTINCT customer), count(DISTINCT typeof(customer)) FROM rfm_input WHERE amount >= 0;
-- => 4693|4
SELECT (SELECT count(*) FROM (SELECT * FROM rfm_reference
          EXCEPT SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input'))),
       (SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input')
          EXCEPT SELECT * FROM rfm_reference)),
       (SELECT count(*) FROM rfm_reference);
-- => 0|0|4693
-- Many INTEGER customers (35086 buyers in 60000 rows: rfm keeps their totals on shelves that grow
-- 4096, 4096, 8192, ... customers at a time) and amounts spanning few or many values.
DELETE FROM rfm_input;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000),
  h(i, x) AS (SELECT i, (i * 2654435761 + 12345) % 4294967291 FROM n)
INSERT INTO rfm_input
SELECT x % 40000, 1704067200 + (x / 7) % 5184000,
       CASE WHEN i % 13 = 0 THEN -((x % 5000) / 100.0) WHEN i % 2 = 0 THEN (x % 30000) / 100.0 ELSE x % 5 END
FROM h;
SELECT count(DISTINCT customer) FROM rfm_input WHERE amount >= 0;
-- => 35086
SELECT (SELECT count(*) FROM (SELECT * FROM rfm_reference
          EXCEPT SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input'))),
       (SELECT count(*) FROM (SELECT customer, recency_days, frequency, monetary, r, f, m FROM rfm('rfm_input')
          EXCEPT SELECT * FROM rfm_reference)),
       (SELECT count(*) FROM rfm_reference);
-- => 0|0|35086
