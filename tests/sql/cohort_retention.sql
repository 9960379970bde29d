-- cohort_retention(): calendar edge cases with hand-computed expectations, option behaviour,
-- invariants on generated data, and bad input. (The equality with the plain-SQL reference
-- sql/reference/cohort_retention.sql on generated data is in tests/test_cohort.c.)
--
-- The default as_of is the midnight after the latest row's local day (docs/conventions.md): here
-- 2024-03-04 00:00, after the last row on Sun 03-03.
-- Week start. Sat 2024-03-02 start, Sun 2024-03-03 return. Monday weeks: both in the week of
-- Mon 02-26, period 0 only, complete (it ends 03-04 = as_of). Sunday weeks: 03-02 is in the week
-- of Sun 02-25, 03-03 opens the next one: period 1 (incomplete: that week ends 03-10).
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-03-02 10:00''), (1, ''2024-03-03 10:00'')', 'week');
-- => 2024-02-26|0|1|1
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-03-02 10:00''), (1, ''2024-03-03 10:00'')', 'week', 'week_start=sunday');
-- => 2024-02-25|0|1|1
-- => 2024-02-25|1|1|0
-- A cohort at a month end. a1 starts Wed 2024-01-31 23:30 and returns 02-01 00:10 and 02-29
-- (both month 1) and 03-31 23:59:59 (month 2; as_of 04-01 00:00, so March is complete).
-- a2 starts 02-29 (cohort 2024-02) and returns 03-01 (month 1).
SELECT cohort, cohort_size, period, retained, complete FROM cohort_retention('VALUES
  (1, ''2024-01-31 23:30''), (1, ''2024-02-01 00:10''), (1, ''2024-02-29 12:00''), (1, ''2024-03-31 23:59:59''),
  (2, ''2024-02-29 08:00''), (2, ''2024-03-01 08:00'')', 'month');
-- => 2024-01-01|1|0|1|1
-- => 2024-01-01|1|1|1|1
-- => 2024-01-01|1|2|1|1
-- => 2024-02-01|1|0|1|1
-- => 2024-02-01|1|1|1|1
-- Quarters: a start on the last day of Q1 and a return the next day is quarter 1; 12-31 is
-- quarter 3, complete since as_of is 2025-01-01 00:00. Rolling quarters are 91 days: 04-01 is
-- day 1 (window 0), 12-31 is day 275 (window 3, since 3 * 91 = 273), which ends on day 364,
-- 2025-03-30: not complete.
SELECT period, retained, complete FROM cohort_retention('VALUES (1, ''2024-03-31''), (1, ''2024-04-01''), (1, ''2024-12-31'')', 'quarter');
-- => 0|1|1
-- => 1|1|1
-- => 2|0|1
-- => 3|1|1
SELECT period, retained, complete FROM cohort_retention('VALUES (1, ''2024-03-31''), (1, ''2024-04-01''), (1, ''2024-12-31'')', 'quarter', 'rolling');
-- => 0|1|1
-- => 1|0|1
-- => 2|0|1
-- => 3|1|0
-- A year boundary. Sun 2024-12-29 is in the week of Mon 2024-12-23; Thu 2025-01-02 is week 1;
-- Mon 2025-01-06 00:00 is week 2, the exact end of week 1 (complete); as_of is 01-07 00:00, so
-- week 2 is listed and not complete.
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES
  (7, ''2024-12-29 15:00''), (7, ''2025-01-02 09:00''), (7, ''2025-01-06 00:00'')', 'week');
-- => 2024-12-23|0|1|1
-- => 2024-12-23|1|1|1
-- => 2024-12-23|2|1|0
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES
  (7, ''2024-12-29 15:00''), (7, ''2025-01-02 09:00''), (7, ''2025-01-06 00:00'')', 'year');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|1|0
-- UTC+8. Start Sun 2024-01-07 10:00 UTC (18:00 local); return Sun 18:00 UTC, which is Mon
-- 2024-01-08 02:00 in UTC+8. In UTC both are in the week of 01-01, complete at as_of 01-08
-- 00:00; in UTC+8 the return is week 1, incomplete at as_of 01-09 00:00 local.
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-01-07 10:00''), (1, ''2024-01-07 18:00'')', 'week');
-- => 2024-01-01|0|1|1
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-01-07 10:00''), (1, ''2024-01-07 18:00'')', 'week', 'tz=+08:00');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|1|0
SELECT cohort, period, retained FROM cohort_retention('VALUES (1, ''2024-01-07 10:00''), (1, ''2024-01-07 18:00'')', 'day', 'tz=+08:00');
-- => 2024-01-07|0|1
-- => 2024-01-07|1|1
-- Rolling vs calendar days on the same rows. Start Mon 20:00; return Tue 06:00 (calendar day 1,
-- but only 10 hours later: rolling day 0); return Wed 21:00 (calendar day 2; 49 hours: rolling
-- day 2). as_of = Thu 00:00 (the midnight after Wed): calendar day 2 is complete. Rolling day k
-- is complete at start + 24h(k+1): Tue 20:00, Wed 20:00, and Thu 20:00 (after as_of) for day 2.
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-01-01 20:00''), (1, ''2024-01-02 06:00''), (1, ''2024-01-03 21:00'')', 'day');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|1|1
-- => 2024-01-01|2|1|1
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, ''2024-01-01 20:00''), (1, ''2024-01-02 06:00''), (1, ''2024-01-03 21:00'')', 'day', 'rolling');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|0|1
-- => 2024-01-01|2|1|0
-- ... and on_or_after fills the gap: active on day 2, so retained on day 1 too.
SELECT period, retained FROM cohort_retention('VALUES (1, ''2024-01-01 20:00''), (1, ''2024-01-02 06:00''), (1, ''2024-01-03 21:00'')', 'day', 'rolling, on_or_after');
-- => 0|1
-- => 1|1
-- => 2|1
-- is_start, text actors and NULLs. 'a' starts 01-10 (week of 01-08; its 01-01 row is before the
-- start and does not count) and returns 01-15 (week 1). 'b' starts 01-03 (week of 01-01) and is
-- active again the next day (period 0). 'c' never starts. Rows with a NULL actor or ts are
-- skipped; a NULL is_start is not a start. as_of = 01-20, the latest ts, in the week of 01-15.
CREATE TABLE act(actor, ts, is_start);
INSERT INTO act VALUES ('a', '2024-01-01', 0), ('a', '2024-01-10', 1), ('a', '2024-01-15', NULL), ('b', '2024-01-03', 1),
  ('b', '2024-01-04', 1), ('c', '2024-01-20', 0), ('d', NULL, 1), (NULL, '2024-01-02', 1);
SELECT cohort, cohort_size, period, retained, rate, complete, value FROM cohort_retention('act', 'week');
-- => 2024-01-01|1|0|1|1.0|1|NULL
-- => 2024-01-01|1|1|0|0.0|1|NULL
-- => 2024-01-01|1|2|0|0.0|0|NULL
-- => 2024-01-08|1|0|1|1.0|1|NULL
-- => 2024-01-08|1|1|1|1.0|0|NULL
-- as_of (text or Unix seconds) ignores later rows and sets completeness; periods=N caps.
SELECT cohort, period, retained, complete FROM cohort_retention('act', 'week', 'as_of=2024-01-12');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|0|0
-- => 2024-01-08|0|1|0
SELECT cohort, period, retained, complete FROM cohort_retention('act', 'week', 'as_of=1705017600');
-- => 2024-01-01|0|1|1
-- => 2024-01-01|1|0|0
-- => 2024-01-08|0|1|0
SELECT cohort, period, retained FROM cohort_retention('act', 'week', 'periods=1');
-- => 2024-01-01|0|1
-- => 2024-01-08|0|1
-- the argument columns can be named instead
SELECT count(*) FROM cohort_retention WHERE source = 'act' AND period_unit = 'week' AND options = 'periods=2';
-- => 4
-- Revenue: a fourth column is summed per cell (value REAL and value_cents INTEGER).
SELECT period, retained, value, value_cents FROM cohort_retention('VALUES (1, ''2024-01-01'', 1, 19.99), (1, ''2024-02-03'', 0, ''5.01''),
  (2, ''2024-01-15'', 1, 100), (2, ''2024-01-16'', 0, NULL), (2, ''2024-02-20'', 0, 0.1), (2, ''2024-02-21'', 0, 0.2)', 'month');
-- => 0|2|119.99|11999
-- => 1|2|5.31|531

-- Invariants on generated data: 3000 rows, 101 actors over 120 days from 2024-01-01.
CREATE TABLE gen AS WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 3000)
  SELECT i % 101 AS actor, 1704067200 + (i * 7919) % 10368000 AS ts, (i % 997) / 4.0 AS amount FROM x;
-- on_or_after >= on in every cell (and strictly more somewhere, so the check can fail)
CREATE TABLE on_cells AS SELECT * FROM cohort_retention('SELECT actor, ts FROM gen', 'week');
CREATE TABLE after_cells AS SELECT * FROM cohort_retention('SELECT actor, ts FROM gen', 'week', 'on_or_after');
SELECT count(*), sum(a.retained < o.retained), sum(a.retained > o.retained) > 0
FROM on_cells AS o JOIN after_cells AS a USING (cohort, period);
-- =>~ *|0|1
SELECT (SELECT count(*) FROM on_cells) = (SELECT count(*) FROM after_cells);
-- => 1
-- on_or_after never increases along a cohort's periods; period 0 is the cohort size
SELECT count(*) FROM after_cells AS a JOIN after_cells AS b ON a.cohort = b.cohort AND b.period = a.period + 1
WHERE b.retained > a.retained;
-- => 0
SELECT count(*) FROM on_cells WHERE period = 0 AND retained <> cohort_size;
-- => 0
-- every actor is in exactly one cohort
SELECT sum(cohort_size) FROM on_cells WHERE period = 0;
-- => 101
-- revenue retention: the cells add up to the source, to the cent
SELECT (SELECT sum(value_cents) FROM cohort_retention('SELECT actor, ts, 1, amount FROM gen', 'week')) = (SELECT CAST(round(sum(amount) * 100) AS INTEGER) FROM gen),
       (SELECT sum(value_cents) FROM cohort_retention('SELECT actor, ts, 1, amount FROM gen', 'month', 'rolling, tz=-05:00')) = (SELECT CAST(round(sum(amount) * 100) AS INTEGER) FROM gen);
-- => 1|1
-- text actors give the same table as integer ones
SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT ''user-'' || actor, ts FROM gen', 'week')
  EXCEPT SELECT * FROM on_cells);
-- => 0
-- the pooled mean per period over complete cells (docs/retention.md): sum(retained) / sum(size)
SELECT period, sum(retained), sum(cohort_size) FROM on_cells WHERE complete AND period IN (1, 2) GROUP BY period;
-- =>~ 1|*|*
-- =>~ 2|*|*

-- Segments (渠道质量, channel quality): a fifth source column; each actor counts in the segment
-- of their first row (first-touch), or their last with segment=last; one triangle per segment,
-- in SQLite's order of the values (NULL first). a1 arrives by ads on 01-01 and returns by app in
-- week 1; a2 arrives by app on 01-02 (week 0 only); a3 has no channel.
CREATE TABLE touches(actor, ts, channel);
INSERT INTO touches VALUES (1, '2024-01-01', 'ads'), (1, '2024-01-09', 'app'), (2, '2024-01-02', 'app'), (3, '2024-01-03', NULL);
SELECT segment, cohort, cohort_size, period, retained FROM cohort_retention('SELECT actor, ts, 1, NULL, channel FROM touches', 'week');
-- => NULL|2024-01-01|1|0|1
-- => NULL|2024-01-01|1|1|0
-- => ads|2024-01-01|1|0|1
-- => ads|2024-01-01|1|1|1
-- => app|2024-01-01|1|0|1
-- => app|2024-01-01|1|1|0
SELECT segment, period, retained FROM cohort_retention('SELECT actor, ts, 1, NULL, channel FROM touches', 'week', 'segment=last');
-- => NULL|0|1
-- => NULL|1|0
-- => app|0|2
-- => app|1|1
-- A value column that is NULL on every row sums nothing: value and value_cents are NULL.
SELECT DISTINCT value, value_cents FROM cohort_retention('SELECT actor, ts, 1, NULL, channel FROM touches', 'week');
-- => NULL|NULL
SELECT * FROM cohort_retention('touches', 'week', 'segment=middle');
-- =>~ error: cohort_retention: option segment*
-- The as_of rule (docs/conventions.md), the same as every function's: rows at or after as_of
-- are not seen, a date-only as_of is that day's midnight in tz, periods starting at or after it
-- are not listed. as_of=2024-01-08 (a Monday) hides a1's return and ends week 0 exactly.
SELECT segment, period, retained, complete FROM cohort_retention('SELECT actor, ts, 1, NULL, channel FROM touches', 'week', 'as_of=2024-01-08');
-- => NULL|0|1|1
-- => ads|0|1|1
-- => app|0|1|1
-- An as_of before every row would show nothing: an error that says so.
SELECT * FROM cohort_retention('touches', 'week', 'as_of=2023-12-01');
-- => error: cohort_retention: as_of 2023-12-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
-- A bare date is a local calendar day: '2024-02-01' with tz=-05:00 is 1 February there (it was
-- read as UTC midnight, 31 January 19:00 local, before).
SELECT cohort FROM cohort_retention('VALUES (1, ''2024-02-01'')', 'month', 'tz=-05:00');
-- => 2024-02-01
-- YYYYMMDD integers (CDNOW, dt= partitions) are refused with the hint, never read as 1970 seconds.
SELECT * FROM cohort_retention('VALUES (1, 19970101), (1, 19970203)', 'month');
-- => error: cohort_retention: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 19970203)
SELECT cohort, period, retained, complete FROM cohort_retention('VALUES (1, 19970101), (1, 19970203)', 'month', 'ts_unit=yyyymmdd');
-- => 1997-01-01|0|1|1
-- => 1997-01-01|1|1|0
-- Milliseconds: named in the error, read with ts_unit=ms.
SELECT * FROM cohort_retention('VALUES (1, 1704067200000)', 'week');
-- => error: cohort_retention: ts (source column 2) is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT cohort FROM cohort_retention('VALUES (1, 1704067200000)', 'week', 'ts_unit=ms');
-- => 2024-01-01

-- Bad input: errors name the function, the argument and the value.
SELECT * FROM cohort_retention('act', 'fortnight');
-- => error: cohort_retention: period is TEXT 'fortnight', expected day, week, month, quarter or year
SELECT * FROM cohort_retention('act', 'week', 'tz=+25:00');
-- => error: cohort_retention: option tz='+25:00': expected a fixed UTC offset such as +08:00, -05:00 or Z
SELECT * FROM cohort_retention('act', 'week', 'week_start=friday');
-- => error: cohort_retention: option week_start='friday' is not one of monday|sunday
SELECT * FROM cohort_retention('act', 'week', 'bogus');
-- => error: cohort_retention: unknown option 'bogus' (accepted: on_or_after, rolling, tz=..., week_start=..., periods=..., as_of=..., value, ts_unit=..., segment=...)
SELECT * FROM cohort_retention('act', 'week', 'value');
-- => error: cohort_retention: option value needs a fourth source column (actor, ts, is_start, value); the source has 3
SELECT period, value FROM cohort_retention('VALUES (1, ''2024-01-01'', 1, 2.5)', 'week', 'value');
-- => 0|2.5
SELECT * FROM cohort_retention('act', 'week', 'periods=0');
-- => error: cohort_retention: option periods='0' is not a whole number from 1 to 1000000
SELECT * FROM cohort_retention('act', 'week', 'as_of=soon');
-- => error: cohort_retention: option as_of='soon': expected an ISO-8601 date or time, or a number in ts_unit (expected YYYY-MM-DD)
SELECT * FROM cohort_retention('act', 'week', 7);
-- => error: cohort_retention: options is INTEGER 7, expected TEXT such as 'tz=+08:00'
SELECT * FROM cohort_retention('VALUES (1, ''2024-01-01'', 2)', 'week');
-- => error: cohort_retention: is_start (source column 3) is INTEGER 2, expected 0/1
SELECT * FROM cohort_retention('SELECT actor, ts, ''yes'' FROM act', 'week');
-- => error: cohort_retention: is_start (source column 3) is TEXT 'yes', expected 0/1
SELECT * FROM cohort_retention('VALUES (1, ''yesterday'')', 'week');
-- => error: cohort_retention: ts (source column 2) is TEXT 'yesterday', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- Actors are keys as GROUP BY sees them: 1.5 is an actor, 1 and 1.0 are one.
SELECT cohort, cohort_size FROM cohort_retention('VALUES (1.5, ''2024-01-01''), (1, ''2024-01-01''), (1.0, ''2024-01-02'')', 'week');
-- => 2024-01-01|2
SELECT * FROM cohort_retention('VALUES (1, ''2024-01-01'', 1, ''ten'')', 'week');
-- => error: cohort_retention: value (source column 4) is TEXT 'ten', expected an amount (a number or decimal text) (not a decimal number)
SELECT * FROM cohort_retention('VALUES (1, ''2024-01-01'', 1, 9e18)', 'week');
-- =>~ error: cohort_retention: value (source column 4) is REAL 9*
SELECT * FROM cohort_retention('VALUES (1, ''2024-01-01'', 1, 90000000000000000), (1, ''2024-01-01'', 1, 90000000000000000)', 'week');
-- => error: cohort_retention: value sum overflows
SELECT * FROM cohort_retention('SELECT actor FROM act', 'week');
-- => error: cohort_retention: source has 1 column, expected actor, ts [, is_start [, value [, segment]]]
SELECT * FROM cohort_retention('SELECT actor, ts, 1, 2, 3, 4 FROM act', 'week');
-- => error: cohort_retention: source has 6 columns, expected actor, ts [, is_start [, value [, segment]]]
SELECT * FROM cohort_retention('WITH d AS (SELECT 1) DELETE FROM act', 'week');
-- => error: cohort_retention: source must be a read-only SELECT, WITH or VALUES statement
SELECT count(*) FROM act;
-- => 8
SELECT * FROM cohort_retention('nosuch', 'week');
-- => error: cohort_retention: source: no such table: nosuch
-- a number is not a table name, and a BLOB is not read as text
SELECT * FROM cohort_retention(7, 'week');
-- => error: cohort_retention: source is INTEGER 7, expected a table or view name or a SELECT statement
SELECT * FROM cohort_retention(x'616374', 'week');
-- => error: cohort_retention: source is BLOB of 3 bytes, expected a table or view name or a SELECT statement
SELECT * FROM cohort_retention('act');
-- => error: cohort_retention: argument period_unit is required (period is an output column, not the argument: write period_unit = ..., or give it by position: cohort_retention(source, period_unit, ...))
-- Issue 15 finding 7: the name users type, WHERE period = 'week', is the output column (it
-- said only "period_unit is required"); the error names both. The argument by name works.
SELECT * FROM cohort_retention WHERE source = 'act' AND period = 'week';
-- => error: cohort_retention: argument period_unit is required (period is an output column, not the argument: write period_unit = ..., or give it by position: cohort_retention(source, period_unit, ...))
SELECT count(*) = (SELECT count(*) FROM cohort_retention('act', 'week')) FROM cohort_retention WHERE source = 'act' AND period_unit = 'week';
-- => 1
-- empty sources, sources with nobody starting and NULL arguments give no rows
SELECT * FROM cohort_retention('SELECT actor, ts FROM act WHERE 0', 'week');
-- => (no rows)
SELECT * FROM cohort_retention('SELECT actor, ts, 0 FROM act', 'week');
-- => (no rows)
SELECT * FROM cohort_retention('SELECT NULL, ts FROM act', 'week');
-- => (no rows)
SELECT * FROM cohort_retention(NULL, 'week');
-- => (no rows)
-- a period too fine for the span of the data is refused rather than producing millions of rows
SELECT * FROM cohort_retention('VALUES (1, ''0100-01-01''), (2, ''9100-01-01'')', 'day');
-- => error: cohort_retention: too many cohorts for this period: use a coarser period or a narrower source
SELECT * FROM cohort_retention('VALUES (1, ''0100-01-01''), (1, ''9100-01-01'')', 'day');
-- => error: cohort_retention: too many cells (cohorts x periods) for this period: use a coarser period or periods=N
SELECT count(*), sum(retained) FROM cohort_retention('VALUES (1, ''0100-01-01''), (1, ''9100-01-01'')', 'day', 'periods=3');
-- => 3|1
SELECT count(*), sum(retained) FROM cohort_retention('VALUES (1, ''0100-01-01''), (1, ''9100-01-01'')', 'year');
-- => 9001|2
-- direct-only: it runs SQL text, so a view or trigger in a schema cannot call it
CREATE VIEW cr AS SELECT * FROM cohort_retention('act', 'week');
SELECT * FROM cr;
-- => error: unsafe use of virtual table "cohort_retention"
-- Cohort labels at the ends of the range (issue 16 L7): 0000-01-01 is a Saturday, so its
-- Monday week starts in year -1 (printed '-001-12-27' before); 9999-12-31 23:00 UTC is
-- 10000-01-01 in UTC+08:00. date_bucket refuses both instants; so does cohort_retention.
SELECT date_bucket('0000-01-01', 'week');
-- => error: date_bucket: the week containing ts starts outside years 0000..9999
SELECT * FROM cohort_retention('VALUES (1, ''0000-01-01'')', 'week');
-- => error: cohort_retention: a cohort's period starts outside years 0000..9999 (as date_bucket refuses it)
SELECT date_bucket('9999-12-31 23:00', 'day', 'tz=+08:00');
-- => error: date_bucket: the day containing ts starts outside years 0000..9999
SELECT * FROM cohort_retention('VALUES (1, ''9999-12-31 23:00'')', 'day', 'tz=+08:00');
-- => error: cohort_retention: a cohort's period starts outside years 0000..9999 (as date_bucket refuses it)
-- The first and last days that have labels still work: 0000-01-03 is the first Monday.
SELECT cohort, cohort_size FROM cohort_retention('VALUES (1, ''0000-01-03''), (2, ''9999-12-31 15:59'')', 'week', 'tz=+08:00, periods=1');
-- => 0000-01-03|1
-- => 9999-12-27|1
