-- repurchase(): 复购率 and 回购率 per period, hand-worked. (Equality with the plain-SQL
-- reference sql/reference/repurchase.sql on generated data is in tests/test_repurchase.c.)
--
-- The textbook 回购率: of January's buyers, the share who buy again in February. Ten January
-- buyers (1..10); 3 of them (1, 2, 3) buy in February, with one new buyer (11): February has 4
-- buyers, 3 returning, prev_buyers 10, buyback_rate 3/10. Buyer 1 also buys twice in January
-- (two days): January repurchase_rate 1/10.
CREATE TABLE jan_feb(customer, ts);
INSERT INTO jan_feb WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
  SELECT i, printf('2024-01-%02d 12:00', i) FROM n;
INSERT INTO jan_feb VALUES (1, '2024-01-25'), (1, '2024-02-02'), (2, '2024-02-03'), (3, '2024-02-04'), (11, '2024-02-05');
SELECT period, buyers, new_buyers, purchases, repeat_buyers, repurchase_rate, returning_buyers, prev_buyers, buyback_rate, complete
FROM repurchase('jan_feb', 'month');
-- => 2024-01-01|10|10|11|1|0.1|0|0|NULL|1
-- => 2024-02-01|4|1|4|0|0.0|3|10|0.3|0
-- count=days (按天去重, the default) against count=orders (按天非去重): two orders on one day.
-- Customer 7: 03-01 09:00 and 03-01 18:00, and 03-20. Customer 8: 03-02 and 03-02.
CREATE TABLE same_day(customer, ts);
INSERT INTO same_day VALUES (7, '2024-03-01 09:00'), (7, '2024-03-01 18:00'), (7, '2024-03-20'), (8, '2024-03-02'), (8, '2024-03-02');
SELECT purchases, repeat_buyers, repurchase_rate FROM repurchase('same_day', 'month');
-- => 3|1|0.5
SELECT purchases, repeat_buyers, repurchase_rate FROM repurchase('same_day', 'month', 'count=orders');
-- => 5|2|1.0
-- A local day under tz: 03-01 18:00 UTC is 03-02 02:00 in UTC+8, another day for customer 7.
SELECT purchases, repeat_buyers FROM repurchase('SELECT customer, ts FROM same_day WHERE customer = 7', 'month', 'tz=+08:00');
-- => 3|1
-- Segments (渠道): first-touch by default, last-touch with segment=last. Customer 1 came by 'ads'
-- and later bought from 'app'; customer 2 only 'app'. First-touch: ads has customer 1, app has 2.
-- Last-touch: app has both. Segments come in SQLite's order, NULL first.
CREATE TABLE touches(customer, ts, channel);
INSERT INTO touches VALUES (1, '2024-01-05', 'ads'), (1, '2024-01-09', 'app'), (2, '2024-01-07', 'app'), (3, '2024-01-08', NULL);
SELECT segment, buyers, repeat_buyers FROM repurchase('touches', 'month');
-- => NULL|1|0
-- => ads|1|1
-- => app|1|0
SELECT segment, buyers, repeat_buyers FROM repurchase('touches', 'month', 'segment=last');
-- => NULL|1|0
-- => app|2|1
-- Periods are zero-filled between the first and the last; weeks start Monday unless told.
-- Sun 2024-03-03 and Sun 2024-03-17: Monday weeks 02-26, 03-04 (empty), 03-11.
SELECT period, buyers, returning_buyers FROM repurchase('VALUES (1, ''2024-03-03''), (1, ''2024-03-17'')', 'week');
-- => 2024-02-26|1|0
-- => 2024-03-04|0|0
-- => 2024-03-11|1|0
-- Sunday weeks: 03-03 and 03-17 open weeks two apart.
SELECT period, buyers FROM repurchase('VALUES (1, ''2024-03-03''), (1, ''2024-03-17'')', 'week', 'week_start=sunday');
-- => 2024-03-03|1
-- => 2024-03-10|0
-- => 2024-03-17|1
-- The as_of rule: rows at or after as_of are not seen; periods starting at or after it are not
-- listed; a period is complete when it ends at or before it. A date-only as_of is that day's
-- midnight: as_of=2024-02-01 hides every February row and ends January exactly (complete).
SELECT period, buyers, complete FROM repurchase('jan_feb', 'month', 'as_of=2024-02-01');
-- => 2024-01-01|10|1
-- as_of=2024-02-04: February's rows before 02-04 (customers 1 and 2) count; February is listed,
-- incomplete.
SELECT period, buyers, returning_buyers, complete FROM repurchase('jan_feb', 'month', 'as_of=2024-02-04');
-- => 2024-01-01|10|0|1
-- => 2024-02-01|2|2|0
-- The default as_of is the midnight after the latest row's day: February (ending 03-01) is not
-- complete on 02-06.
SELECT period, complete FROM repurchase('VALUES (1, ''2024-01-31 23:59:59'')', 'month');
-- => 2024-01-01|1
-- An as_of before every row sees nothing: an error that says so.
SELECT * FROM repurchase('jan_feb', 'month', 'as_of=2023-12-31');
-- => error: repurchase: as_of 2023-12-31 00:00:00 is not after the first row (2024-01-01 12:00:00): no row would be seen
-- Dates as YYYYMMDD integers (CDNOW, dt= partitions) are refused with the hint, never read as
-- 1970 seconds; ts_unit=yyyymmdd reads them as local calendar days.
SELECT * FROM repurchase('VALUES (1, 19970101), (1, 19970115), (2, 19970102)', 'month');
-- => error: repurchase: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970102)
SELECT period, buyers, repeat_buyers FROM repurchase('VALUES (1, 19970101), (1, 19970115), (2, 19970102)', 'month', 'ts_unit=yyyymmdd');
-- => 1997-01-01|2|1
SELECT period, buyers FROM repurchase('VALUES (1, 19970131)', 'month', 'ts_unit=yyyymmdd, tz=-05:00');
-- => 1997-01-01|1
SELECT count(*) FROM repurchase('VALUES (1, 19970101), (1, 19970115)', 'month', 'ts_unit=s');
-- => 1
-- Milliseconds are named as such; ts_unit=ms reads them.
SELECT * FROM repurchase('VALUES (1, 1706745600000)', 'month');
-- => error: repurchase: ts (source column 2) is INTEGER 1706745600000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT period, buyers FROM repurchase('VALUES (1, 1706745600000)', 'month', 'ts_unit=ms');
-- => 2024-02-01|1
-- An eight-digit as_of without ts_unit is ambiguous: refused with the hint.
SELECT * FROM repurchase('jan_feb', 'month', 'as_of=20240201');
-- => error: repurchase: option as_of='20240201': expected an ISO-8601 date or time, or a number in ts_unit (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)
SELECT * FROM repurchase('jan_feb', 'month', 'as_of=0x10');
-- => error: repurchase: option as_of='0x10': expected an ISO-8601 date or time, or a number in ts_unit (expected YYYY-MM-DD)
-- Customers are keys as GROUP BY sees them: 1 and 1.0 one customer, '1' another.
SELECT buyers, repeat_buyers FROM repurchase('VALUES (1, ''2024-01-01''), (1.0, ''2024-01-02''), (''1'', ''2024-01-03'')', 'month');
-- => 2|1
-- NULL customers and timestamps are skipped; a NULL period gives no rows; an empty source none.
SELECT buyers FROM repurchase('VALUES (NULL, ''2024-01-01''), (1, NULL), (2, ''2024-01-02'')', 'month');
-- => 1
SELECT count(*) FROM repurchase('jan_feb', NULL);
-- => 0
SELECT count(*) FROM repurchase('SELECT customer, ts FROM jan_feb WHERE 0', 'month');
-- => 0
-- A swapped column is an error about that column, not a silently empty result.
SELECT * FROM repurchase('SELECT column2, column1 FROM (VALUES (''alice'', ''2024-01-01''))', 'month');
-- => error: repurchase: ts (source column 2) is TEXT 'alice', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- Bad input.
SELECT * FROM repurchase('jan_feb', 'fortnight');
-- => error: repurchase: period is TEXT 'fortnight', expected day, week, month, quarter or year
-- The name users type for the period is the output column: the error names both (issue 15 finding 7).
SELECT * FROM repurchase WHERE source = 'jan_feb' AND period = 'month';
-- => error: repurchase: argument period_unit is required (period is an output column, not the argument: write period_unit = ..., or give it by position: repurchase(source, period_unit, ...))
SELECT * FROM repurchase('jan_feb', 'month', 'count=weeks');
-- =>~ error: repurchase: option count*
SELECT * FROM repurchase('jan_feb', 'month', 'segment=middle');
-- =>~ error: repurchase: option segment*
SELECT * FROM repurchase('jan_feb', 'month', 'ts_unit=ns');
-- =>~ error: repurchase: option ts_unit*
SELECT * FROM repurchase('SELECT customer FROM jan_feb', 'month');
-- => error: repurchase: source has 1 column, expected customer, ts [, segment]
SELECT * FROM repurchase('SELECT 1, 2, 3, 4', 'month');
-- => error: repurchase: source has 4 columns, expected customer, ts [, segment]
SELECT * FROM repurchase('VALUES (1, ''2024-01-01'')', 'day', 'as_of=9999-12-31');
-- =>~ error: repurchase: more than 2097152*
