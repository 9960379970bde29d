-- rfm(), rfm_segments and rfm_segment(). Every expectation is worked out by hand in the
-- comments from the rules in docs/rfm.md: rank = 1 + number of strictly worse customers,
-- score = 1 + floor(bins * (rank - 1) / n); as_of defaults to the midnight after the latest
-- row's day, and rows at or after as_of are not seen (docs/conventions.md, the one as_of rule).
CREATE TABLE a(customer, ts, amount);
INSERT INTO a VALUES
  ('alice', '2024-03-01 10:00', 50.00), ('alice', '2024-03-20 09:00', 30.00), ('alice', '2024-03-30 18:00', 20.00),
  ('bob',   '2024-02-10 12:00', 200.00),
  ('carol', '2024-03-25 08:00', 15.50), ('carol', '2024-03-27 08:00', -5.50),
  ('dave',  '2024-01-05', 40), ('dave', '2024-01-15', 40),
  ('erin',  '2024-03-31 23:59:59', 5);
-- Latest ts 2024-03-31 23:59:59, so as_of is 2024-04-01. Recency in days: alice 2 (03-30),
-- bob 51 (02-10: 20 days to 03-01, 31 to 04-01), carol 7 (03-25; her refund on 03-27 is not a
-- purchase), dave 77 (01-15: 17 + 29 + 31), erin 1.
-- R, worst first: dave 77 (rank 1), bob 51 (2), carol 7 (3), alice 2 (4), erin 1 (5):
--   n = 5, bins = 5, so score = rank: dave 1, bob 2, carol 3, alice 4, erin 5.
-- F: bob, carol, erin 1 order (rank 1 -> 1), dave 2 (rank 4 -> 1 + floor(15/5) = 4), alice 3 (rank 5 -> 5).
-- M (net): erin 5, carol 15.50 - 5.50 = 10, dave 80, alice 100, bob 200 -> 1, 2, 3, 4, 5.
-- Segments on R x FM, FM = ceil((F+M)/2): alice R4 FM5 Champions; bob R2 FM3 Need Attention;
-- carol R3 FM2 Need Attention; dave R1 FM4 Can't Lose Them; erin R5 FM1 New Customers.
-- cn (means): recency 138/5 = 27.6 (at or below: alice, carol, erin); F 8/5 = 1.6 (alice, dave);
-- M 395/5 = 79 (alice, bob, dave): alice 111, bob 001, carol 100, dave 011, erin 100.
SELECT customer, recency_days, frequency, monetary, avg_order_value, r, f, m, rfm, segment, segment_cn FROM rfm('a');
-- => alice|2|3|100.0|33.33|4|5|4|454|Champions|重要价值客户
-- => bob|51|1|200.0|200.0|2|1|5|215|Need Attention|重要挽留客户
-- => carol|7|1|10.0|10.0|3|1|2|312|Need Attention|一般发展客户
-- => dave|77|2|80.0|40.0|1|4|3|143|Can't Lose Them|重要保持客户
-- => erin|1|1|5.0|5.0|5|1|1|511|New Customers|一般发展客户
-- The same through the hidden columns, and the timestamps (UTC text; carol's refund does not move last_ts).
SELECT customer, first_ts, last_ts FROM rfm WHERE source = 'a' AND customer IN ('alice', 'carol');
-- => alice|2024-03-01 10:00:00|2024-03-30 18:00:00
-- => carol|2024-03-25 08:00:00|2024-03-25 08:00:00
-- Gaps: alice 03-01 10:00 to 03-30 18:00 is 29 1/3 days over 2 gaps = 14.666667; overdue 2 / 14.666667 = 0.136364.
-- dave 10 days over 1 gap; overdue 77 / 10 = 7.7. One-order customers have no gap: NULL, not 0.
SELECT customer, round(avg_gap_days, 6), round(overdue_ratio, 6) FROM rfm('a');
-- => alice|14.666667|0.136364
-- => bob|NULL|NULL
-- => carol|NULL|NULL
-- => dave|10.0|7.7
-- => erin|NULL|NULL
-- cn_threshold=median: recency median 7 (alice, carol, erin recent, as before); F median 1, so every
-- customer is "high" (the degenerate case docs/rfm.md warns about); M median 80 (alice, bob, dave).
SELECT customer, segment_cn FROM rfm('a', NULL, 'cn_threshold=median');
-- => alice|重要价值客户
-- => bob|重要保持客户
-- => carol|一般价值客户
-- => dave|重要保持客户
-- => erin|一般价值客户
-- as_of given: rows after it have not happened yet. As of 2024-03-26 00:00: alice keeps 03-01 and 03-20
-- (6 days), bob 45 days, carol 1 day and no refund yet (15.50), dave 71, erin not a customer yet.
SELECT customer, recency_days, frequency, monetary FROM rfm('a', '2024-03-26');
-- => alice|6|2|80.0
-- => bob|45|1|200.0
-- => carol|1|1|15.5
-- => dave|71|2|80.0
-- The one as_of rule (issue 15 finding 2). A row at as_of is not seen: as of alice's purchase at
-- 2024-03-30 18:00 her last purchase is 03-20, 10 days before as_of's day (it was 03-30, 0 days,
-- when rows at as_of counted). carol's refund (03-27) is before as_of: monetary 10.
SELECT customer, recency_days, frequency, monetary FROM rfm('a', '2024-03-30 18:00') WHERE customer IN ('alice', 'carol');
-- => alice|10|2|80.0
-- => carol|5|1|10.0
-- ... midnight in tz: '2024-01-02' with tz=+08:00 is 2024-01-01 16:00Z, so the 15:00Z row (23:00
-- local on 01-01, recency 1) is seen and the 17:00Z one (01:00 local on 01-02) is not.
SELECT customer, recency_days FROM rfm('VALUES (1, ''2024-01-01 15:00Z'', 1), (2, ''2024-01-01 17:00Z'', 1)', '2024-01-02', 'tz=+08:00');
-- => 1|1
-- A bare date in the source is a local day too: '2024-02-01' with tz=-05:00 is 05:00Z (first_ts
-- is UTC text), still 1 February locally, so one purchase day with the 2024-02-01 23:00-05:00 row
-- (2024-02-02 04:00Z). Read as UTC midnight it was 31 January locally: two days.
SELECT first_ts, last_ts, frequency FROM rfm('VALUES (1, ''2024-02-01'', 1), (1, ''2024-02-01 23:00-05:00'', 1)', NULL, 'frequency=days, tz=-05:00');
-- => 2024-02-01 05:00:00|2024-02-02 04:00:00|1
-- The default as_of is the midnight after the latest row's local day: erin's 2024-03-31 23:59:59Z
-- is 04-01 07:59 at +08:00, so as_of is 04-02 (local) and erin's recency 1; alice's 2024-03-30
-- 18:00Z is 03-31 02:00 local: 2 days.
SELECT customer, recency_days FROM rfm('a', NULL, 'tz=+08:00') WHERE customer IN ('alice', 'erin');
-- => alice|2
-- => erin|1
-- An as_of at or before every row is an error that says so (it was an empty result): the first
-- row of a is dave's 2024-01-05.
SELECT * FROM rfm('a', '2024-01-05');
-- => error: rfm: as_of 2024-01-05 00:00:00 is not after the first row (2024-01-05 00:00:00): no row would be seen
-- In tz the message gives local times (bare dates are local midnights there).
SELECT * FROM rfm('a', '2023-12-31', 'tz=+08:00');
-- => error: rfm: as_of 2023-12-31 00:00:00 is not after the first row (2024-01-05 00:00:00): no row would be seen
-- ... but an empty source stays an empty result (nothing was unseen).
SELECT count(*) FROM rfm('SELECT 1, 2, 3 WHERE 0', '2024-01-01');
-- => 0

-- Encodings (issue 15 finding 1). YYYYMMDD integers (CDNOW) with ts_unit=yyyymmdd: customer 1
-- bought on 1997-01-01 and 01-05 (15.00), customer 2 on 01-03; as_of defaults to 1997-01-06, so
-- recency 1 and 3.
SELECT customer, first_ts, recency_days, frequency, monetary FROM rfm('VALUES (1, 19970101, 10), (1, 19970105, 5), (2, 19970103, 7)', NULL, 'ts_unit=yyyymmdd');
-- => 1|1997-01-01 00:00:00|1|2|15.0
-- => 2|1997-01-03 00:00:00|3|1|7.0
-- ... and as_of in the same unit: 19970105 is 1997-01-05 00:00, so customer 1's purchase that day
-- is not seen yet (recency 4, one order).
SELECT customer, recency_days, frequency FROM rfm('VALUES (1, 19970101, 10), (1, 19970105, 5), (2, 19970103, 7)', 19970105, 'ts_unit=yyyymmdd');
-- => 1|4|1
-- => 2|2|1
-- Without ts_unit they would all be seconds of 1970-08-20: refused with the hint.
SELECT * FROM rfm('VALUES (1, 19970101, 10), (1, 19970105, 5), (2, 19970103, 7)');
-- => error: rfm: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970103)
SELECT count(*) FROM rfm('VALUES (1, 19970101, 10), (1, 19970105, 5), (2, 19970103, 7)', NULL, 'ts_unit=s');
-- => 2
SELECT * FROM rfm('a', 20240326);
-- => error: rfm: as_of is INTEGER 20240326, expected Unix seconds or ISO-8601 text (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)
-- Epoch milliseconds (JavaScript's Date.now()) are past year 9999 as seconds: named, and read with ts_unit=ms.
SELECT * FROM rfm('VALUES (1, 1704067200000, 1)');
-- => error: rfm: ts in source row 1 is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT first_ts FROM rfm('VALUES (1, 1704067200000, 1)', NULL, 'ts_unit=ms');
-- => 2024-01-01 00:00:00
SELECT * FROM rfm('a', NULL, 'ts_unit=days');
-- => error: rfm: option ts_unit='days' is not one of s|ms|us|yyyymmdd
-- monetary=avg scores M on the average order value: erin 5, carol 10, alice 33.33, dave 40, bob 200.
SELECT customer, monetary, m FROM rfm('a', NULL, 'monetary=avg');
-- => alice|33.33|3
-- => bob|200.0|5
-- => carol|10.0|2
-- => dave|40.0|4
-- => erin|5.0|1
-- bins=3: R ranks dave 1 .. erin 5 -> 1 + floor(3*(rank-1)/5) = 1, 1, 2, 2, 3.
SELECT customer, r, segment FROM rfm('a', NULL, 'bins=3');
-- => alice|2|NULL
-- => bob|1|NULL
-- => carol|2|NULL
-- => dave|1|NULL
-- => erin|3|NULL

-- Cut points (bins 4). A value on a cut takes the better score: recency <= cut, F and M >= cut.
-- R 7;30;60: alice 2 -> 4, bob 51 -> 2, carol 7 -> 4 (on the cut), dave 77 -> 1, erin 1 -> 4.
-- F 2;3;5: alice 3 -> 3, dave 2 -> 2, others 1. M 10;50;100: alice 100 -> 4, bob 200 -> 4,
-- carol 10 -> 2 (on the cut), dave 80 -> 3, erin 5 -> 1.
SELECT customer, r, f, m, rfm FROM rfm('a', NULL, 'r_cuts=7;30;60, f_cuts=2;3;5, m_cuts=10;50;100');
-- => alice|4|3|4|434
-- => bob|2|1|4|214
-- => carol|4|1|2|412
-- => dave|1|2|3|123
-- => erin|4|1|1|411
-- Cuts for one dimension only; the others are quantiles with the same number of bins (4):
-- F ranks: 1-order customers rank 1 -> 1, dave rank 4 -> 1 + floor(4*3/5) = 3, alice rank 5 -> 4.
SELECT customer, r, f FROM rfm('a', NULL, 'r_cuts=7;30;60') WHERE customer IN ('alice', 'dave');
-- => alice|4|4
-- => dave|1|3

-- Ties: 10 customers, 6 of them (60%) with one order. Customer c has its last purchase on
-- 2024-01-(1+c) and amount c, plus c-6 extra 0.00 orders for c = 7..10 (7, 8: 2 orders; 9: 3; 10: 4).
CREATE TABLE t(customer, ts, amount);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10)
INSERT INTO t SELECT i, date('2024-01-01', '+' || i || ' days'), i FROM c;
INSERT INTO t VALUES (7, '2024-01-01', 0), (8, '2024-01-01', 0), (9, '2024-01-01', 0), (9, '2024-01-01', 0),
  (10, '2024-01-01', 0), (10, '2024-01-01', 0), (10, '2024-01-01', 0);
-- F: the six 1s rank 1 -> 1; the 2s rank 7 -> 1 + floor(5*6/10) = 4; 3 rank 9 -> 5; 4 rank 10 -> 5.
SELECT frequency, group_concat(DISTINCT f), count(*) FROM rfm('t') GROUP BY frequency;
-- => 1|1|6
-- => 2|4|2
-- => 3|5|1
-- => 4|5|1
-- bins=10 on the same data: R and M are c (distinct, rank c), F of customer 10 is 10, of 7 is
-- 1 + floor(10*6/10) = 7; codes with a two-digit score use separators.
SELECT customer, rfm FROM rfm('t', NULL, 'bins=10') WHERE customer IN (1, 7, 10);
-- => 1|1-1-1
-- => 7|7-7-7
-- => 10|10-10-10

-- Order ids: rows sharing an order id are one order (per customer). Customer 1: A1 (two lines,
-- 10 + 15, later refunded 10) and A2 -> 2 orders, 35.00, last purchase 05-03 (the refund is not one).
-- Customer 2: B1 and a row without an order id (its own order) at the same instant: 2 orders,
-- a 0-day gap and so no overdue ratio. Customer 3 reuses 'A1': a different order. Customer 4 has
-- only a refund: nothing bought, not listed. Customer 5 was refunded in full: listed, monetary 0.
CREATE TABLE b(customer, ts, amount, order_id);
INSERT INTO b VALUES
  (1, '2024-05-01 10:00', 10, 'A1'), (1, '2024-05-01 10:00', 15, 'A1'), (1, '2024-05-03', 20, 'A2'),
  (1, '2024-05-04', -10, 'A1'),
  (2, '2024-05-02', 7, 'B1'), (2, '2024-05-02', 3, NULL),
  (3, '2024-05-02', 1, 'A1'),
  (4, '2024-05-02', -5, 'X'),
  (5, '2024-05-01', 20, 'C1'), (5, '2024-05-02', -20, 'C1');
-- customer 1 gap: 05-01 10:00 to 05-03 00:00 = 1 day 14 hours = 1.583333 days.
SELECT customer, frequency, monetary, avg_order_value, last_ts, round(avg_gap_days, 6), round(overdue_ratio, 6) FROM rfm('b');
-- => 1|2|35.0|17.5|2024-05-03 00:00:00|1.583333|1.263158
-- => 2|2|10.0|5.0|2024-05-02 00:00:00|0.0|NULL
-- => 3|1|1.0|1.0|2024-05-02 00:00:00|NULL|NULL
-- => 5|1|0.0|0.0|2024-05-01 00:00:00|NULL|NULL
-- Customer 1's overdue ratio: as_of is 05-05 (day after the refund on 05-04, the latest ts),
-- recency 2 days, gap 1.583333 -> 1.263158.
SELECT customer, recency_days, round(overdue_ratio, 6) FROM rfm('b') WHERE customer = 1;
-- => 1|2|1.263158
-- A date-only as_of is that day's midnight: as of '2024-05-02' the rows of 2024-05-02 (date-only,
-- so 00:00) are not seen. Customer 1: the two lines of A1 on 05-01 (25.00, 1 order); customer 5:
-- C1 (20.00), its refund on 05-02 not yet; customers 2 and 3 bought on 05-02 only: not listed.
-- Recency 05-02 - 05-01 = 1. (Before the rule, '2024-05-02' included that day: 4 customers.)
SELECT customer, recency_days, frequency, monetary FROM rfm('b', '2024-05-02');
-- => 1|1|1|25.0
-- => 5|1|1|20.0
-- Without the order id column every purchase row is an order: customer 1 has 3.
SELECT customer, frequency FROM rfm('SELECT customer, ts, amount FROM b') WHERE customer IN (1, 2);
-- => 1|3
-- => 2|2
-- frequency=days counts distinct purchase days: customer 1 bought on 05-01 and 05-03, customer 2 on 05-02.
SELECT customer, frequency, avg_gap_days FROM rfm('b', NULL, 'frequency=days') WHERE customer IN (1, 2);
-- => 1|2|2.0
-- => 2|1|NULL
-- Day boundaries follow tz: 15:00Z and 17:00Z are one UTC day but 23:00 and 01:00 in UTC+8.
SELECT frequency FROM rfm('VALUES (1, ''2024-01-01 15:00Z'', 1), (1, ''2024-01-01 17:00Z'', 1)', NULL, 'frequency=days');
-- => 1
SELECT frequency, recency_days FROM rfm('VALUES (1, ''2024-01-01 15:00Z'', 1), (1, ''2024-01-01 17:00Z'', 1)', NULL, 'frequency=days, tz=+08:00');
-- => 2|1

-- NULL customer or ts: the row is skipped. Money is exact: 0.1 + 0.2 is 0.30, text amounts work.
SELECT customer, frequency, monetary FROM rfm('VALUES (NULL, ''2024-01-01'', 5), (1, NULL, 5), (1, ''2024-01-02'', 0.1), (1, ''2024-01-03'', 0.2), (1, ''2024-01-04'', ''19.99'')');
-- => 1|3|20.29
-- Unix seconds as timestamps; integer and text customers are different customers.
SELECT customer, typeof(customer), first_ts FROM rfm('VALUES (7, 1704067200, 1), (''7'', 1704153600, 1)');
-- => 7|integer|2024-01-01 00:00:00
-- => 7|text|2024-01-02 00:00:00
-- An empty source is no customers, not an error.
SELECT count(*) FROM rfm('SELECT 1, 2, 3 WHERE 0');
-- => 0
SELECT count(*) FROM rfm(NULL);
-- => 0

-- Bad input.
SELECT * FROM rfm('a', NULL, 'bins=1');
-- => error: rfm: option bins='1' is not a whole number from 2 to 10
SELECT * FROM rfm('a', NULL, 'bins=11');
-- => error: rfm: option bins='11' is not a whole number from 2 to 10
SELECT * FROM rfm('VALUES (1, ''2024-01-01'', ''abc'')');
-- => error: rfm: amount in source row 1 is TEXT 'abc', expected an amount (a number or decimal text) (not a decimal number)
SELECT * FROM rfm('VALUES (1, ''2024-01-01'', 1), (1, ''yesterday'', 2)');
-- => error: rfm: ts in source row 2 is TEXT 'yesterday', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT * FROM rfm('VALUES (1, x''00'', 3)');
-- => error: rfm: ts in source row 1 is BLOB of 1 bytes, expected Unix seconds or ISO-8601 text (a BLOB is not a timestamp)
SELECT * FROM rfm('a', 'last week');
-- => error: rfm: as_of is TEXT 'last week', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT * FROM rfm('a', NULL, 'r_cuts=90;30');
-- => error: rfm: option r_cuts='90;30': cut points must be strictly ascending (expected ascending days separated by ';', e.g. 30;90;180;365)
-- Issue 15 finding 7: a list written with commas said "unknown option '90'".
SELECT * FROM rfm('a', NULL, 'r_cuts=30,90,180');
-- => error: rfm: unknown option '90': it looks like the next item of the list 'r_cuts=30', cut at a comma (options are separated by commas): lists inside an option use ';', as in r_cuts=30;90
SELECT * FROM rfm('a', NULL, 'f_cuts=2;x');
-- => error: rfm: option f_cuts='2;x': a cut point is not a number (expected ascending whole numbers separated by ';', e.g. 2;3;5;10)
SELECT * FROM rfm('a', NULL, 'm_cuts=1.234');
-- => error: rfm: option m_cuts='1.234': a cut point has more decimals than the money scale (expected ascending amounts separated by ';', e.g. 100;300;1000;5000)
SELECT * FROM rfm('a', NULL, 'r_cuts=7;30, f_cuts=2;3;5');
-- => error: rfm: option f_cuts has 3 cut points but r_cuts has 2; every dimension needs the same number of scores
SELECT * FROM rfm('a', NULL, 'bins=5, r_cuts=7;30;60');
-- => error: rfm: option bins=5 does not match r_cuts, which has 3 cut points (4 bins)
SELECT * FROM rfm('a', NULL, 'frequency=weeks');
-- => error: rfm: option frequency='weeks' is not one of orders|days
SELECT * FROM rfm('a', NULL, 'colour=red');
-- => error: rfm: unknown option 'colour' (accepted: bins=..., frequency=..., monetary=..., r_cuts=..., f_cuts=..., m_cuts=..., cn_threshold=..., tz=..., scale=..., ts_unit=...)
SELECT * FROM rfm('VALUES (1, 2)');
-- => error: rfm: source has 2 columns, expected 3 or 4: customer, ts, amount [, order_id]
SELECT * FROM rfm('nope');
-- => error: rfm: source: no such table: nope
SELECT * FROM rfm(1.5);
-- => error: rfm: source is REAL 1.5, expected a table or view name or a SELECT statement
SELECT * FROM rfm('VALUES (1, ''2024-01-01'', 1e30)');
-- => error: rfm: amount in source row 1 is REAL 1.0e+30, expected an amount (a number or decimal text) (amount too large for 64-bit minor units)
SELECT * FROM rfm('VALUES (1, ''2024-01-01'', 90000000000000000), (1, ''2024-01-02'', 90000000000000000)');
-- => error: rfm: the amounts of one customer overflow 64-bit minor units (source row 2)
SELECT * FROM rfm;
-- => error: rfm: argument source is required
-- rfm runs SQL text, so a view cannot call it (a hostile schema could); the segment table is innocuous.
CREATE VIEW v AS SELECT * FROM rfm('a');
SELECT * FROM v;
-- => error: unsafe use of virtual table "rfm"
CREATE VIEW vs AS SELECT count(*) FROM rfm_segments;
SELECT * FROM vs;
-- => 133

-- The English map is a partition: 125 rows, one per cell 111..555, 11 segments, all used.
SELECT count(*), count(DISTINCT code), count(DISTINCT segment) FROM rfm_segments WHERE scheme = 'en';
-- => 125|125|11
WITH d(x) AS (VALUES (1), (2), (3), (4), (5))
SELECT count(*) FROM d AS r, d AS f, d AS m
WHERE (SELECT count(*) FROM rfm_segments WHERE scheme = 'en' AND code = r.x || f.x || m.x) <> 1;
-- => 0
SELECT group_concat(segment, ', ') FROM (SELECT DISTINCT segment FROM rfm_segments WHERE scheme = 'en' ORDER BY 1);
-- => About To Sleep, At Risk, Can't Lose Them, Champions, Hibernating, Lost, Loyal Customers, Need Attention, New Customers, Potential Loyalist, Promising
-- rfm_segment() and the table agree on every cell, and the table on the R x FM grid rule.
SELECT count(*) FROM rfm_segments WHERE scheme = 'en'
  AND segment IS NOT rfm_segment(CAST(substr(code, 1, 1) AS INTEGER), CAST(substr(code, 2, 1) AS INTEGER),
                                 CAST(substr(code, 3, 1) AS INTEGER));
-- => 0
SELECT count(DISTINCT substr(code, 1, 1) || ((substr(code, 2, 1) + substr(code, 3, 1) + 1) / 2) || segment) FROM rfm_segments WHERE scheme = 'en';
-- => 25
SELECT code, segment FROM rfm_segments WHERE scheme = 'cn';
-- => 111|重要价值客户
-- => 011|重要保持客户
-- => 101|重要发展客户
-- => 001|重要挽留客户
-- => 110|一般价值客户
-- => 010|一般保持客户
-- => 100|一般发展客户
-- => 000|一般挽留客户
SELECT rfm_segment(5, 5, 5), rfm_segment(1, 1, 1), rfm_segment(5, 1, 1), rfm_segment(1, 5, 5), rfm_segment(2, 1, 1);
-- => Champions|Lost|New Customers|Can't Lose Them|About To Sleep
-- 4.0 is a whole number, so a score; R4 with FM 4 is Loyal Customers on the grid.
SELECT rfm_segment(1, 0, 1, 'cn'), rfm_segment(0, 0, 0, 'cn'), rfm_segment(4.0, 4, 4, 'en'), rfm_segment(NULL, 1, 1);
-- => 重要发展客户|一般挽留客户|Loyal Customers|NULL
SELECT rfm_segment(6, 1, 1);
-- => error: rfm_segment: r is INTEGER 6, expected a score from 1 to 5
SELECT rfm_segment(1, 'x', 1);
-- => error: rfm_segment: f is TEXT 'x', expected a score from 1 to 5
SELECT rfm_segment(1, 1, 2, 'cn');
-- => error: rfm_segment: m is INTEGER 2, expected a score from 0 to 1
SELECT rfm_segment(1, 1, 1, 'xx');
-- => error: rfm_segment: scheme is TEXT 'xx', expected 'en' (scores 1..5) or 'cn' (bits 0/1)
-- Mapping with a table of one's own: join on the code.
CREATE TABLE my_map(code TEXT PRIMARY KEY, label TEXT);
INSERT INTO my_map VALUES ('454', 'VIP'), ('511', 'welcome');
SELECT x.customer, coalesce(my_map.label, 'other') FROM rfm('a') AS x LEFT JOIN my_map ON my_map.code = x.rfm;
-- => alice|VIP
-- => bob|other
-- => carol|other
-- => dave|other
-- => erin|welcome

-- Customer keys: a REAL that is a whole number is that INTEGER (as GROUP BY does); 1.5, a blob
-- and text are customers of their own. Output order: numbers, text, blobs.
SELECT customer, typeof(customer), frequency FROM rfm('VALUES (1.0, ''2024-01-01'', 1), (1, ''2024-01-02'', 1), (1.5, ''2024-01-02'', 1), (x''01'', ''2024-01-02'', 1), (''a'', ''2024-01-02'', 1)');
-- => 1|integer|2
-- => 1.5|real|1
-- => a|text|1
-- => x'01'|blob|1
-- Integer order ids (10 and 10.0 are one order), and amounts finer than a cent rounded half-up:
-- 0.125 -> 0.13, 0.005 -> 0.01, plus 1.00 = 1.14.
SELECT customer, frequency, monetary FROM rfm('VALUES (1, ''2024-01-01'', 0.125, 10), (1, ''2024-01-02'', 0.005, 10.0), (1, ''2024-01-03'', 1, 11)');
-- => 1|2|1.14
-- scale=0 (yen): 99.5 rounds half-up to 100; customer 1 has 1000 + 501 = 1501 over 2 orders,
-- average 750.5 -> 751. m_cuts=100;1000 alone makes 3 bins: 1501 -> 3, 100 (on the cut) -> 2.
SELECT customer, monetary, avg_order_value, m FROM rfm('VALUES (1, ''2024-01-01'', 1000), (1, ''2024-01-02'', 501), (2, ''2024-01-02'', 99.5)', NULL, 'scale=0, m_cuts=100;1000');
-- => 1|1501.0|751.0|3
-- => 2|100.0|100.0|2
SELECT * FROM rfm('a', NULL, 'scale=7');
-- => error: rfm: option scale='7' is not a whole number from 0 to 6
SELECT * FROM rfm_segments('en');
-- => error: too many arguments on rfm_segments() - max 0
-- Order ids of every kind group exactly: 5000000000 (beyond 32 bits) twice, -3 twice, 2.5 twice,
-- 7 and '7' (an INTEGER and a TEXT id are different orders): 5 orders from 8 rows.
SELECT frequency, monetary FROM rfm('VALUES (1, ''2024-01-01'', 1, 5000000000), (1, ''2024-01-02'', 1, 5000000000), (1, ''2024-01-03'', 1, -3), (1, ''2024-01-03'', 1, -3), (1, ''2024-01-04'', 1, 2.5), (1, ''2024-01-04'', 1, 2.5), (1, ''2024-01-05'', 1, 7), (1, ''2024-01-05'', 1, ''7'')');
-- => 5|8.0
-- A customer refunded more than bought (10 - 15) stays, with negative monetary and the lowest M.
SELECT customer, monetary, m FROM rfm('VALUES (1, ''2024-01-01'', 10), (1, ''2024-01-02'', -15), (2, ''2024-01-01'', 3)');
-- => 1|-5.0|1
-- => 2|3.0|3
-- Wrong types for the arguments.
SELECT * FROM rfm('a', NULL, 5);
-- => error: rfm: options is INTEGER 5, expected TEXT such as 'tz=+08:00'
SELECT * FROM rfm('a', x'00');
-- => error: rfm: as_of is BLOB of 1 bytes, expected Unix seconds or ISO-8601 text (a BLOB is not a timestamp)
-- A NULL scheme is the default, en (R1, FM 1: Lost).
SELECT rfm_segment(1, 1, 1, NULL);
-- => Lost
-- A dimension where every customer has the same value carries no information (issue 16 L13:
-- identical customers all scored R = F = M = 1, each row reading Lost and 重要价值客户 at
-- once). Its quantile score is NULL, and so are the code and segments that need it; the raw
-- values stay. A, B, C bought once each: F is NULL. R (1, 11, 21 days; larger is worse) and M
-- (10, 20, 30) rank 3 of 3 -> 1 + floor(5 * 2 / 3) = 4, 2 of 3 -> 2, 1 of 3 -> 1.
CREATE TABLE once(customer TEXT, ts TEXT, amount REAL);
INSERT INTO once VALUES ('A', '2024-06-30', 10), ('B', '2024-06-20', 20), ('C', '2024-06-10', 30);
SELECT customer, recency_days, frequency, monetary, r, f, m, rfm, segment, segment_cn FROM rfm('once', '2024-07-01');
-- => A|1|1|10.0|4|NULL|1|NULL|NULL|NULL
-- => B|11|1|20.0|2|NULL|2|NULL|NULL|NULL
-- => C|21|1|30.0|1|NULL|4|NULL|NULL|NULL
-- Identical customers (or a single one): nothing is scored.
SELECT customer, recency_days, frequency, monetary, r, f, m, rfm, segment, segment_cn
FROM rfm('VALUES (''X'', ''2024-06-30'', 10), (''Y'', ''2024-06-30'', 10)', '2024-07-01');
-- => X|1|1|10.0|NULL|NULL|NULL|NULL|NULL|NULL
-- => Y|1|1|10.0|NULL|NULL|NULL|NULL|NULL|NULL
-- Cut points grade absolutely, so a single value still gets its score (1 order reaches none
-- of 2;3;5;10: F = 1); the cn split (mean or median) is relative and stays NULL. Segments by
-- R and FM = ceil((F + M) / 2): A R4 FM1 Promising, B R2 FM2 Need Attention, C R1 FM3 At Risk.
SELECT customer, r, f, m, rfm, segment, segment_cn FROM rfm('once', '2024-07-01', 'f_cuts=2;3;5;10');
-- => A|4|1|1|411|Promising|NULL
-- => B|2|1|2|212|Need Attention|NULL
-- => C|1|1|4|114|At Risk|NULL
