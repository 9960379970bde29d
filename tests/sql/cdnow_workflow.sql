-- The analyst workflow on real data: the CDNOW sample (tests/data/CDNOW_sample.txt, provenance in
-- tests/data/README.md; 6,919 purchases of 2,357 customers who first bought in 1997's first
-- quarter, followed to 1998-06-30). RFM, repurchase by month, monthly cohorts and a channel-free
-- funnel, each compared with the same figures computed here in plain SQL (no extension function),
-- so a regression on real data (dates as YYYYMMDD, same-day purchases, $0 orders) shows.
--
-- as_of is explicit, 1998-07-01 (the data ends 1998-06-30): every row is before it, so the
-- figures are the same whether rows "after" or "at or after" as_of are left out.
--
-- Each line of the file (CRLF) is fixed-width: sample customer id at byte 8, date YYYYMMDD at
-- 13, CDs at 21, dollars at 24. The lines are split through a JSON array (one pass over the
-- file). `day` keeps CDNOW's INTEGER YYYYMMDD (read with ts_unit=yyyymmdd); `ts` is the same
-- day as ISO text, which the plain SQL reads (and the last funnel, as after converting the dates).
CREATE TABLE cdnow(customer INTEGER NOT NULL, day INTEGER NOT NULL, ts TEXT NOT NULL, cds INTEGER NOT NULL,
                   dollars REAL NOT NULL, cents INTEGER NOT NULL);
INSERT INTO cdnow
WITH lines AS (
  SELECT value AS line FROM json_each(
    (SELECT '["' || replace(rtrim(CAST(readfile('tests/data/CDNOW_sample.txt') AS TEXT), char(13, 10)),
                            char(13, 10), '","') || '"]'))),
fields AS (
  SELECT CAST(substr(line, 8, 4) AS INTEGER) AS customer, substr(line, 13, 8) AS day,
         CAST(substr(line, 21, 3) AS INTEGER) AS cds, trim(substr(line, 24)) AS dollars
  FROM lines)
SELECT customer, CAST(day AS INTEGER), substr(day, 1, 4) || '-' || substr(day, 5, 2) || '-' || substr(day, 7, 2),
       cds, CAST(dollars AS REAL),
       -- exact cents from the decimal text (every amount has two decimals: checked below)
       CAST(replace(dollars, '.', '') AS INTEGER)
FROM fields;
CREATE INDEX cdnow_customer ON cdnow(customer, ts);
-- The published shape (tests/data/README.md): 6,919 rows, 2,357 customers, 1997-01-01 to
-- 1998-06-30, every customer's first purchase in January to March 1997; every amount has two
-- decimals.
SELECT count(*), count(DISTINCT customer), min(day), max(day) FROM cdnow;
-- => 6919|2357|19970101|19980630
SELECT max(first_day) < 19970401 FROM (SELECT min(day) AS first_day FROM cdnow GROUP BY customer);
-- => 1
SELECT count(*) FROM cdnow WHERE cents <> CAST(round(dollars * 100) AS INTEGER);
-- => 0

-- ---------------------------------------------------------------------------------------------
-- Dates as YYYYMMDD. Read as Unix seconds, 19970101 would be 1970-08-20: the census refuses
-- the source with a hint instead of a silent answer, and ts_unit=yyyymmdd reads it.
SELECT count(*) FROM cohort_retention('SELECT customer, day FROM cdnow', 'month', 'as_of=1998-07-01');
-- => error: cohort_retention: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970325)
SELECT count(*) FROM repurchase('SELECT customer, day FROM cdnow', 'month', 'as_of=1998-07-01');
-- => error: repurchase: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970325)
SELECT count(*) FROM rfm('SELECT customer, day, dollars FROM cdnow', '1998-07-01');
-- => error: rfm: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970325)
SELECT count(*) FROM funnel('SELECT customer, day, ''purchase'' FROM cdnow', '90 days', 'purchase,purchase');
-- => error: funnel: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970325)
-- The YYYYMMDD form and the ISO text give the same cohort table.
SELECT count(*) FROM (
  SELECT * FROM cohort_retention('SELECT customer, day FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01')
  EXCEPT SELECT * FROM cohort_retention('SELECT customer, ts FROM cdnow', 'month', 'as_of=1998-07-01'));
-- => 0

-- ---------------------------------------------------------------------------------------------
-- RFM on 1998-07-01 (orders = rows, monetary = dollars): raw values, scores and segments against
-- the documented rules written in plain SQL. Recency: whole days from the last purchase day to
-- 1998-07-01. Score = 1 + floor(5 * (rank - 1) / n), rank = 1 + customers with a strictly worse
-- value (RANK(); worse: longer ago, fewer orders, less money). English segment: the grid of
-- docs/rfm.md on R and FM = ceil((F + M) / 2). Chinese class: each raw value against its mean
-- over customers (R: at or below it is 1), compared exactly in integers.
CREATE TABLE rfm_grid(r, fm, segment);
INSERT INTO rfm_grid VALUES
  (5, 5, 'Champions'), (5, 4, 'Champions'), (5, 3, 'Loyal Customers'), (5, 2, 'Potential Loyalist'), (5, 1, 'New Customers'),
  (4, 5, 'Champions'), (4, 4, 'Loyal Customers'), (4, 3, 'Potential Loyalist'), (4, 2, 'Potential Loyalist'), (4, 1, 'Promising'),
  (3, 5, 'Loyal Customers'), (3, 4, 'Loyal Customers'), (3, 3, 'Potential Loyalist'), (3, 2, 'Need Attention'), (3, 1, 'Promising'),
  (2, 5, 'At Risk'), (2, 4, 'At Risk'), (2, 3, 'Need Attention'), (2, 2, 'Need Attention'), (2, 1, 'About To Sleep'),
  (1, 5, 'Can''t Lose Them'), (1, 4, 'Can''t Lose Them'), (1, 3, 'At Risk'), (1, 2, 'Hibernating'), (1, 1, 'Lost');
CREATE TABLE cn_classes(code, segment_cn);
INSERT INTO cn_classes VALUES ('111', '重要价值客户'), ('011', '重要保持客户'), ('101', '重要发展客户'), ('001', '重要挽留客户'),
  ('110', '一般价值客户'), ('010', '一般保持客户'), ('100', '一般发展客户'), ('000', '一般挽留客户');
CREATE TABLE rfm_plain AS
WITH raw AS (
  SELECT customer, CAST(julianday('1998-07-01') - julianday(max(ts)) AS INTEGER) AS recency_days,
         count(*) AS frequency, sum(cents) AS cents
  FROM cdnow GROUP BY customer),
scored AS (
  SELECT raw.*,
         1 + 5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER () AS r,
         1 + 5 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER () AS f,
         1 + 5 * (rank() OVER (ORDER BY cents) - 1) / count(*) OVER () AS m,
         count(*) OVER () AS n, sum(recency_days) OVER () AS sum_r, sum(frequency) OVER () AS sum_f,
         sum(cents) OVER () AS sum_m
  FROM raw)
SELECT s.customer, s.recency_days, s.frequency, s.cents, s.r, s.f, s.m, g.segment,
       (SELECT segment_cn FROM cn_classes
        WHERE code = (s.recency_days * s.n <= s.sum_r) || (s.frequency * s.n >= s.sum_f) || (s.cents * s.n >= s.sum_m)) AS segment_cn
FROM scored AS s JOIN rfm_grid AS g ON g.r = s.r AND g.fm = (s.f + s.m + 1) / 2;
CREATE TABLE rfm_ext AS SELECT * FROM rfm('SELECT customer, day, dollars FROM cdnow', '1998-07-01', 'ts_unit=yyyymmdd');
-- Every customer, every value equal.
SELECT count(*) FROM rfm_ext AS x JOIN rfm_plain AS p USING (customer)
WHERE x.recency_days = p.recency_days AND x.frequency = p.frequency AND round(x.monetary * 100) = p.cents
  AND x.r = p.r AND x.f = p.f AND x.m = p.m AND x.rfm = p.r || p.f || p.m
  AND x.segment = p.segment AND x.segment_cn = p.segment_cn;
-- => 2357
-- Customers per score of each dimension (plain SQL): the 1,205 one-order customers are one tie
-- block that takes F 1 and leaves F 2 empty; R and M have ties too, inside a score.
SELECT group_concat(n, ',') FROM (SELECT r, count(*) AS n FROM rfm_plain GROUP BY r ORDER BY r);
-- => 482,471,463,470,471
SELECT group_concat(n, ',') FROM (SELECT f, count(*) AS n FROM rfm_plain GROUP BY f ORDER BY f);
-- => 1205,406,358,388
SELECT group_concat(n, ',') FROM (SELECT m, count(*) AS n FROM rfm_plain GROUP BY m ORDER BY m);
-- => 481,462,472,471,471
-- rfm_segment() on the plain scores gives the grid's segment, and the segment counts agree.
SELECT count(*) FROM rfm_plain WHERE rfm_segment(r, f, m) IS NOT segment;
-- => 0
SELECT segment, count(*) FROM rfm_ext GROUP BY segment
EXCEPT SELECT rfm_segment(r, f, m), count(*) FROM rfm_plain GROUP BY 1;
-- => (no rows)
SELECT segment, count(*) FROM rfm_plain GROUP BY segment ORDER BY segment;
-- => About To Sleep|155
-- => At Risk|101
-- => Can't Lose Them|10
-- => Champions|590
-- => Hibernating|230
-- => Lost|177
-- => Loyal Customers|311
-- => Need Attention|453
-- => Potential Loyalist|183
-- => Promising|147
SELECT segment_cn, count(*) FROM rfm_ext GROUP BY segment_cn
EXCEPT SELECT segment_cn, count(*) FROM rfm_plain GROUP BY segment_cn;
-- => (no rows)

-- ---------------------------------------------------------------------------------------------
-- Repurchase by month (复购率 and 回购率), days counted once (the default) and orders
-- (count=orders), against plain SQL: buyers of the month, new buyers (first purchase that
-- month), purchases, repeat buyers (2+ purchase days, or 2+ orders), buyers of the previous month
-- who bought again, and the previous month's buyers. All 18 months have buyers; all are complete
-- on 1998-07-01.
CREATE TABLE buyer_month(customer, period, days, orders, PRIMARY KEY (customer, period));
INSERT INTO buyer_month
SELECT customer, substr(ts, 1, 7) || '-01', count(DISTINCT ts), count(*) FROM cdnow GROUP BY 1, 2;
CREATE TABLE repurchase_plain AS
SELECT b.period, count(*) AS buyers,
       sum(b.period = (SELECT min(period) FROM buyer_month AS f WHERE f.customer = b.customer)) AS new_buyers,
       sum(b.days) AS purchases, sum(b.days >= 2) AS repeat_buyers, sum(b.orders) AS orders,
       sum(b.orders >= 2) AS repeat_by_orders,
       sum(EXISTS (SELECT 1 FROM buyer_month AS p WHERE p.customer = b.customer AND p.period = date(b.period, '-1 month')))
         AS returning_buyers,
       (SELECT count(*) FROM buyer_month AS p WHERE p.period = date(b.period, '-1 month')) AS prev_buyers
FROM buyer_month AS b GROUP BY b.period;
SELECT count(*), min(period), max(period), sum(buyers), sum(new_buyers) FROM repurchase_plain;
-- => 18|1997-01-01|1998-06-01|5460|2357
SELECT period, buyers, new_buyers, purchases, repeat_buyers, repurchase_rate, returning_buyers, prev_buyers,
       buyback_rate, complete
FROM repurchase('SELECT customer, day FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01')
EXCEPT
SELECT period, buyers, new_buyers, purchases, repeat_buyers, repeat_buyers * 1.0 / buyers, returning_buyers, prev_buyers,
       CASE WHEN prev_buyers > 0 THEN returning_buyers * 1.0 / prev_buyers END, 1
FROM repurchase_plain;
-- => (no rows)
SELECT count(*) FROM repurchase('SELECT customer, day FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01');
-- => 18
SELECT count(*) FROM repurchase('SELECT customer, day FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01, count=orders') AS x
JOIN repurchase_plain AS p USING (period)
WHERE x.purchases = p.orders AND x.repeat_buyers = p.repeat_by_orders AND x.buyers = p.buyers
  AND x.returning_buyers = p.returning_buyers;
-- => 18
-- Same-day purchases are why the two counts differ (177 customer-days have two rows or more).
SELECT sum(orders) - sum(purchases), sum(repeat_by_orders) - sum(repeat_buyers) FROM repurchase_plain;
-- => 223|66

-- ---------------------------------------------------------------------------------------------
-- Monthly cohorts by first purchase, with revenue per cell: retained = customers of the cohort
-- with a purchase in month k after the cohort's, value = their dollars in that month; every
-- cell up to June 1998, zero cells included, all complete on 1998-07-01.
CREATE TABLE cohort_plain AS
WITH first_month AS (SELECT customer, min(substr(ts, 1, 7)) || '-01' AS cohort FROM cdnow GROUP BY customer),
months(m) AS (SELECT '1997-01-01' UNION ALL SELECT date(m, '+1 month') FROM months WHERE m < '1998-06-01'),
cells AS (
  SELECT c.cohort, k.m AS month,
         (CAST(strftime('%Y', k.m) AS INTEGER) - CAST(strftime('%Y', c.cohort) AS INTEGER)) * 12
           + CAST(strftime('%m', k.m) AS INTEGER) - CAST(strftime('%m', c.cohort) AS INTEGER) AS period
  FROM (SELECT DISTINCT cohort FROM first_month) AS c JOIN months AS k ON k.m >= c.cohort)
SELECT cells.cohort, (SELECT count(*) FROM first_month AS f WHERE f.cohort = cells.cohort) AS cohort_size,
       cells.period,
       (SELECT count(DISTINCT x.customer) FROM cdnow AS x JOIN first_month AS f USING (customer)
        WHERE f.cohort = cells.cohort AND substr(x.ts, 1, 7) || '-01' = cells.month) AS retained,
       (SELECT coalesce(sum(x.cents), 0) FROM cdnow AS x JOIN first_month AS f USING (customer)
        WHERE f.cohort = cells.cohort AND substr(x.ts, 1, 7) || '-01' = cells.month) AS value_cents
FROM cells;
SELECT cohort, cohort_size, count(*) AS cells FROM cohort_plain GROUP BY cohort ORDER BY cohort;
-- => 1997-01-01|781|18
-- => 1997-02-01|857|17
-- => 1997-03-01|719|16
SELECT cohort, cohort_size, period, retained, rate, value_cents, complete
FROM cohort_retention('SELECT customer, day, 1, dollars FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01')
EXCEPT
SELECT cohort, cohort_size, period, retained, retained * 1.0 / cohort_size, value_cents, 1 FROM cohort_plain;
-- => (no rows)
SELECT count(*), sum(value_cents) = (SELECT sum(cents) FROM cdnow)
FROM cohort_retention('SELECT customer, day, 1, dollars FROM cdnow', 'month', 'ts_unit=yyyymmdd, as_of=1998-07-01');
-- => 51|1

-- ---------------------------------------------------------------------------------------------
-- A funnel without channels on order data: first purchase -> repeat purchase within 90 days.
-- attempt=first: only the first purchase starts the funnel; strict_once: one order cannot be
-- both steps. Plain SQL: a customer converts when their second order (in time order; a
-- second order on the first day counts, at 0 seconds) is within 90 days of the first; the time
-- of step 2 is that gap, its median and 90th percentile interpolated as percentile_cont.
CREATE TABLE repeat_plain AS
WITH ordered AS (
  SELECT customer, ts, row_number() OVER (PARTITION BY customer ORDER BY ts) AS n FROM cdnow),
gaps AS (
  SELECT a.customer, (julianday(b.ts) - julianday(a.ts)) * 86400 AS seconds
  FROM ordered AS a JOIN ordered AS b ON b.customer = a.customer AND a.n = 1 AND b.n = 2),
converted AS (
  SELECT seconds, row_number() OVER (ORDER BY seconds) - 1 AS i, count(*) OVER () AS c
  FROM gaps WHERE seconds <= 90 * 86400)
SELECT (SELECT count(DISTINCT customer) FROM cdnow) AS first_buyers, max(c) AS repeat_buyers,
       avg(seconds) AS avg_seconds,
       (SELECT lo.seconds + ((lo.c - 1) * 0.5 - lo.i) * (hi.seconds - lo.seconds)
        FROM converted AS lo JOIN converted AS hi ON hi.i = min(lo.i + 1, lo.c - 1)
        WHERE lo.i = CAST((lo.c - 1) * 0.5 AS INTEGER)) AS median_seconds,
       (SELECT lo.seconds + ((lo.c - 1) * 0.9 - lo.i) * (hi.seconds - lo.seconds)
        FROM converted AS lo JOIN converted AS hi ON hi.i = min(lo.i + 1, lo.c - 1)
        WHERE lo.i = CAST((lo.c - 1) * 0.9 AS INTEGER)) AS p90_seconds
FROM converted;
SELECT first_buyers, repeat_buyers, round(median_seconds / 86400, 4), round(p90_seconds / 86400, 4) FROM repeat_plain;
-- => 2357|705|20.0|63.6
SELECT count(*) FROM funnel('SELECT customer, day, ''purchase'' FROM cdnow', '90 days', 'purchase,purchase',
                            'attempt=first, strict_once, ts_unit=yyyymmdd') AS x, repeat_plain AS p
WHERE x.breakdown IS NULL
  AND CASE x.step
        WHEN 1 THEN x.actors = p.first_buyers AND x.dropped = p.first_buyers - p.repeat_buyers
        WHEN 2 THEN x.actors = p.repeat_buyers AND x.conversion_from_first = p.repeat_buyers * 1.0 / p.first_buyers
                    AND x.dropped = 0 AND round(x.median_seconds, 3) = round(p.median_seconds, 3)
                    AND round(x.p90_seconds, 3) = round(p.p90_seconds, 3)
                    AND round(x.avg_seconds, 3) = round(p.avg_seconds, 3)
      END;
-- => 2
-- The trap the options avoid: 'purchase,purchase' alone lets one order be both steps, so every
-- customer "repeats" at once (by hand: each of the 2357 customers has an order).
SELECT step, actors, conversion_from_first, median_seconds
FROM funnel('SELECT customer, ts, ''purchase'' FROM cdnow', '90 days', 'purchase,purchase');
-- => 1|2357|1.0|NULL
-- => 2|2357|1.0|0.0
