-- funnel, funnel_actors and window_funnel: timestamps as sources store them (ts_unit, tz), the
-- as_of rule, columns in the wrong place, steps that never occur (issue 15, findings 1-4, 6, 7).
-- Every expectation is worked by hand in the comment above it.

-- ---------------------------------------------------------------- columns in the wrong place
CREATE TABLE ev(u, ts, event);
INSERT INTO ev VALUES (1, '2024-03-01 10:00', 'view'), (1, '2024-03-01 10:05', 'pay'), (2, '2024-03-01 11:00', 'view');
-- in order: actor 1 pays 300 s after the view, actor 2 only views
SELECT step, actors FROM funnel('SELECT u, ts, event FROM ev', '1 hour', 'view,pay');
-- => 1|2
-- => 2|1
-- ts and event swapped: the ts column holds the event names. Rows used to be dropped as
-- non-step events (their "event" was a time) before their ts was read: 0 actors, no error.
SELECT step, actors FROM funnel('SELECT u, event, ts FROM ev', '1 hour', 'view,pay');
-- => error: funnel: ts (source column 2) is TEXT 'view', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT * FROM funnel_actors('SELECT u, event, ts FROM ev', '1 hour', 'view,pay');
-- => error: funnel_actors: ts (source column 2) is TEXT 'view', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- a row that is no step is read too: its bad ts is an error, not a silently dropped row
SELECT step, actors FROM funnel('SELECT u, ts, event FROM ev UNION ALL SELECT 3, ''soon'', ''login''', '1 hour', 'view,pay');
-- => error: funnel: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)

-- ---------------------------------------------------------------- YYYYMMDD dates (CDNOW's form)
CREATE TABLE orders(customer, day, event);
INSERT INTO orders VALUES
  (1, 19970101, 'purchase'), (1, 19970115, 'purchase'),
  (2, 19970101, 'purchase'), (2, 19970501, 'purchase'),
  (3, 19970101, 'purchase'), (3, 19970601, 'purchase'), (3, 19970610, 'purchase');
-- read as Unix seconds these are all in August 1970, 14 to 509 seconds apart: refused with the
-- hint (the example is the last one read, 19970610)
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once');
-- => error: funnel: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970610)
SELECT * FROM funnel_actors('orders', '90 days', 'purchase,purchase');
-- => error: funnel_actors: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970610)
-- first purchase to repeat purchase within 90 days, as dates:
--   customer 1: 01-01 -> 01-15, 14 days = 1209600 s: level 2
--   customer 2: 01-01 -> 05-01, 31+28+31+30 = 120 days > 90: level 1
--   customer 3: 01-01 -> 06-01, 151 days: level 1 (attempt=first: 06-01 starts no new attempt)
-- step 1: 3 customers, 2 dropped; step 2: 1 customer, 1/3, median 1209600 s
SELECT step, actors, round(conversion_from_first, 4), dropped, median_seconds
FROM funnel('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=yyyymmdd');
-- => 1|3|1.0|2|NULL
-- => 2|1|0.3333|0|1209600.0
SELECT actor, level, step1_ts, last_ts, seconds_to_last
FROM funnel_actors('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=yyyymmdd')
ORDER BY actor;
-- => 1|2|1997-01-01 00:00:00|1997-01-15 00:00:00|1209600.0
-- => 2|1|1997-01-01 00:00:00|1997-01-01 00:00:00|0.0
-- => 3|1|1997-01-01 00:00:00|1997-01-01 00:00:00|0.0
-- TEXT '19970101' reads the same way under ts_unit=yyyymmdd
SELECT step, actors FROM funnel('SELECT customer, CAST(day AS TEXT), event FROM orders', '90 days', 'purchase,purchase',
                                'attempt=first, strict_once, ts_unit=yyyymmdd');
-- => 1|3
-- => 2|1
-- without attempt=first every purchase may start an attempt: customer 3's 06-01 -> 06-10 (9 days
-- = 777600 s) counts too; median of 1209600 and 777600 = 993600
SELECT step, actors, median_seconds FROM funnel('orders', '90 days', 'purchase,purchase', 'strict_once, ts_unit=yyyymmdd');
-- => 1|3|NULL
-- => 2|2|993600.0
-- the trap (finding 6): without strict_once one purchase fills both steps at once, so every
-- customer "repeats" 0 seconds after the first purchase: 100% in 0 s
SELECT step, actors, conversion_from_first, median_seconds FROM funnel('orders', '90 days', 'purchase,purchase', 'ts_unit=yyyymmdd');
-- => 1|3|1.0|NULL
-- => 2|3|1.0|0.0
-- ts_unit=s says they really are seconds: 14, 400 and 500 s apart, all within 90 days; median 400
SELECT step, actors, median_seconds FROM funnel('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=s');
-- => 1|3|NULL
-- => 2|3|400.0

-- ---------------------------------------------------------------- as_of
-- as_of=19970115 in ts_unit: 1997-01-15 00:00; customer 1's repeat is at as_of, so not seen
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=yyyymmdd, as_of=19970115');
-- => 1|3
-- => 2|0
-- a date-only as_of is that day's midnight: 1997-01-16 sees the 01-15 repeat
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=yyyymmdd, as_of=1997-01-16');
-- => 1|3
-- => 2|1
SELECT actor, level FROM funnel_actors('orders', '90 days', 'purchase,purchase', 'attempt=first, strict_once, ts_unit=yyyymmdd, as_of=1997-01-16') ORDER BY actor;
-- => 1|2
-- => 2|1
-- => 3|1
-- as_of at the first row: no row would be seen
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,purchase', 'ts_unit=yyyymmdd, as_of=1997-01-01');
-- => error: funnel: as_of 1997-01-01 00:00:00 is not after the first row (1997-01-01 00:00:00): no row would be seen
SELECT * FROM funnel_actors('orders', '90 days', 'purchase,purchase', 'ts_unit=yyyymmdd, as_of=1996-12-31');
-- => error: funnel_actors: as_of 1996-12-31 00:00:00 is not after the first row (1997-01-01 00:00:00): no row would be seen
-- an eight-digit as_of without ts_unit is refused like the data
SELECT step, actors FROM funnel('SELECT customer, date(substr(day, 1, 4) || ''-'' || substr(day, 5, 2) || ''-'' || substr(day, 7)), event FROM orders',
                                '90 days', 'purchase', 'as_of=19970115');
-- => error: funnel: option as_of='19970115': expected an ISO-8601 date or time, or a number in ts_unit (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)

-- ---------------------------------------------------------------- milliseconds
-- 1704067200 is 2024-01-01 00:00:00 UTC; the pay is 60000 ms = 60 s after the view
CREATE TABLE clicks(u, ms, event);
INSERT INTO clicks VALUES (1, 1704067200000, 'view'), (1, 1704067260000, 'pay');
SELECT * FROM funnel_actors('clicks', '1 hour', 'view,pay');
-- => error: funnel_actors: ts (source column 2) is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT actor, level, step1_ts, last_ts, seconds_to_last FROM funnel_actors('clicks', '1 hour', 'view,pay', 'ts_unit=ms');
-- => 1|2|2024-01-01 00:00:00|2024-01-01 00:01:00|60.0
-- times print in tz: 08:00 in Beijing
SELECT step1_ts, last_ts FROM funnel_actors('clicks', '1 hour', 'view,pay', 'ts_unit=ms, tz=+08:00');
-- => 2024-01-01 08:00:00|2024-01-01 08:01:00
-- as_of as a number is in ts_unit: the pay, at as_of, is not seen
SELECT actor, level FROM funnel_actors('clicks', '1 hour', 'view,pay', 'ts_unit=ms, as_of=1704067260000');
-- => 1|1

-- ---------------------------------------------------------------- bare dates are local in tz
-- tz=-05:00: '1997-02-01' is 1997-02-01 05:00 UTC, so a pay at 03:00 UTC comes 2 hours before
-- the view (level 1); in UTC the view is at 00:00 and the pay 3 hours later (level 2)
CREATE TABLE d(u, ts, event);
INSERT INTO d VALUES (1, '1997-02-01', 'view'), (1, '1997-02-01 03:00:00Z', 'pay');
SELECT actor, level, step1_ts, last_ts FROM funnel_actors('d', '1 day', 'view,pay');
-- => 1|2|1997-02-01 00:00:00|1997-02-01 03:00:00
SELECT actor, level, step1_ts, last_ts FROM funnel_actors('d', '1 day', 'view,pay', 'tz=-05:00');
-- => 1|1|1997-02-01 00:00:00|1997-02-01 00:00:00
-- a date-only as_of is midnight in tz: 1997-02-01 in -05:00 is 05:00 UTC, after the 04:00 view
-- and at the 05:00 pay
CREATE TABLE d2(u, ts, event);
INSERT INTO d2 VALUES (1, '1997-02-01 04:00:00Z', 'view'), (1, '1997-02-01 05:00:00Z', 'pay');
SELECT step, actors FROM funnel('d2', '1 day', 'view,pay', 'tz=-05:00, as_of=1997-02-01');
-- => 1|1
-- => 2|0
SELECT step, actors FROM funnel('d2', '1 day', 'view,pay', 'tz=-05:00, as_of=1997-02-02');
-- => 1|1
-- => 2|1
-- in UTC that as_of is 00:00, before every row
SELECT step, actors FROM funnel('d2', '1 day', 'view,pay', 'as_of=1997-02-01');
-- => error: funnel: as_of 1997-02-01 00:00:00 is not after the first row (1997-02-01 04:00:00): no row would be seen
SELECT step, actors FROM funnel('d2', '1 day', 'view,pay', 'as_of=1997-02-01, tz=+bad');
-- =>~ error: funnel: option tz='+bad': *

-- ---------------------------------------------------------------- a step that never occurs
-- 'refund' is the event of none of the 7 rows: a misspelt or absent step is an error, not a
-- step of 0 actors; allow_missing_steps reports it with 0 actors
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,refund', 'ts_unit=yyyymmdd');
-- => error: funnel: step 2 'refund' is the event of no source row (7 read): check the name, or say allow_missing_steps to report it with 0 actors
SELECT step, actors FROM funnel('orders', '90 days', 'purchase,refund', 'ts_unit=yyyymmdd, allow_missing_steps');
-- => 1|3
-- => 2|0
SELECT count(*) FROM funnel_actors('orders', '90 days', 'purchase,refund', 'ts_unit=yyyymmdd, allow_missing_steps');
-- => 3
-- the check reads every row, also those after as_of: 'refund' is misspelt whatever the as_of,
-- while a 'purchase' that only happens after it is a step of 0 customers (below)
SELECT * FROM funnel_actors('orders', '90 days', 'Purchase', 'ts_unit=yyyymmdd, as_of=1997-01-16');
-- => error: funnel_actors: step 1 'Purchase' is the event of no source row (7 read): check the name, or say allow_missing_steps to report it with 0 actors
SELECT step, actors FROM funnel('SELECT customer, day, CASE WHEN day < 19970301 THEN ''view'' ELSE event END FROM orders',
                                '90 days', 'view,purchase', 'ts_unit=yyyymmdd, as_of=1997-03-01');
-- => 1|3
-- => 2|0
-- an empty source has nothing to check against: the report of 0 actors
SELECT step, actors FROM funnel('SELECT * FROM orders WHERE 0', '90 days', 'purchase,refund');
-- => 1|0
-- => 2|0

-- ---------------------------------------------------------------- window_funnel
-- the same YYYYMMDD data per customer: refused as seconds (per group; customer 1's example is
-- its last date), read as dates with ts_unit in the options
SELECT customer, window_funnel('90 days', day, event = 'purchase', event = 'purchase', 'strict_once') FROM orders GROUP BY customer;
-- => error: window_funnel: ts: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970115)
-- customer 1: 14 days (2); customer 2: 120 days (1); customer 3: 06-01 -> 06-10 (2): window_funnel
-- lets every purchase start a chain, as ClickHouse does
SELECT customer, window_funnel('90 days', day, event = 'purchase', event = 'purchase', 'strict_once, ts_unit=yyyymmdd') FROM orders GROUP BY customer;
-- => 1|2
-- => 2|1
-- => 3|2
-- without strict_once one purchase is both steps: 2 for everyone
SELECT customer, window_funnel('90 days', day, event = 'purchase', event = 'purchase', 'ts_unit=yyyymmdd') FROM orders GROUP BY customer;
-- => 1|2
-- => 2|2
-- => 3|2
-- ts_unit=s: seconds as they are (14 s within 90 days)
SELECT window_funnel('90 days', day, event = 'purchase', event = 'purchase', 'strict_once, ts_unit=s') FROM orders WHERE customer = 1;
-- => 2
-- milliseconds: refused with the hint, read with ts_unit=ms (60 s apart, inside a 60 s window)
SELECT window_funnel(60, ms, event = 'view', event = 'pay') FROM clicks;
-- => error: window_funnel: ts is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT window_funnel(60, ms, event = 'view', event = 'pay', 'ts_unit=ms'), window_funnel(59, ms, event = 'view', event = 'pay', 'ts_unit=ms') FROM clicks;
-- => 2|1
-- a bare date is local in tz, as above: level 1 at -05:00, 2 in UTC
SELECT window_funnel('1 day', ts, event = 'view', event = 'pay'), window_funnel('1 day', ts, event = 'view', event = 'pay', 'tz=-05:00') FROM d;
-- => 2|1
-- in a sliding frame the census follows the rows that leave. Frames of the current and the
-- next row, ordered by k: {19970101, 99999999} holds a number that is no date (month 99), so it
-- is not refused, nor is {99999999} once the date has left
SELECT window_funnel(60, t, 1, 'strict_order') OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)
FROM (SELECT 1 AS k, 19970101 AS t UNION ALL SELECT 2, 99999999);
-- => 1
-- => 1
-- the other way round: {99999999, 19970101} is fine, then {19970101} alone is a date read as seconds
SELECT window_funnel(60, t, 1, 'strict_order') OVER (ORDER BY k ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING)
FROM (SELECT 1 AS k, 99999999 AS t UNION ALL SELECT 2, 19970101);
-- => 1
-- => error: window_funnel: ts: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970101)

-- ---------------------------------------------------------------- window_funnel: options out of place
-- event names where the conditions go: the last TEXT is read as options
SELECT window_funnel('90 days', day, event, 'purchase,purchase') FROM orders;
-- => error: window_funnel: unknown option 'purchase' (accepted: strict_deduplication, strict, strict_order, strict_increase, strict_once, allow_reentry, tz=..., ts_unit=...); a TEXT last argument is the options: the steps go before it as 0/1 conditions, window_funnel(window, ts, event = 'view', event = 'pay' [, options])
-- ClickHouse's order, windowFunnel(window, mode)(ts, ...), written as one call
SELECT window_funnel('90 days', 'strict_once', day, event = 'purchase', event = 'purchase') FROM orders;
-- => error: window_funnel: ts is TEXT 'strict_once', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD); the ts reads as options, which go last: window_funnel(window, ts, cond1, ..., condN, options)
SELECT window_funnel('strict_once', '90 days', day, event = 'purchase', event = 'purchase') FROM orders;
-- => error: window_funnel: window is TEXT 'strict_once', expected seconds or a duration such as '30 minutes' or '7 days' (expected a number and a unit such as '30 minutes' or '7 days'); the window reads as options, which go last: window_funnel(window, ts, cond1, ..., condN, options)
