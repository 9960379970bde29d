-- date_bucket and period_diff: expectations computed by hand from the calendar.
SELECT date_bucket('2024-02-29 23:30', 'month');
-- => 2024-02-01
SELECT date_bucket('2024-02-29', 'day'), date_bucket('2024-02-29', 'year'), date_bucket('2024-08-15', 'quarter');
-- => 2024-02-29|2024-01-01|2024-07-01
-- 2024-03-03 is a Sunday: Monday weeks start 2024-02-26, Sunday weeks on the day itself.
SELECT date_bucket('2024-03-03 12:00', 'week'), date_bucket('2024-03-03 12:00', 'week', 'week_start=sunday');
-- => 2024-02-26|2024-03-03
-- 20:00 UTC on Sunday is 04:00 Monday in UTC+8.
SELECT date_bucket('2024-03-03 20:00:00Z', 'week', 'tz=+08:00');
-- => 2024-03-04
SELECT date_bucket(1704067199, 'day'), date_bucket(1704067199, 'day', 'tz=+08:00');
-- => 2023-12-31|2024-01-01
SELECT date_bucket(NULL, 'day'), period_diff(NULL, 1, 'day');
-- => NULL|NULL
SELECT period_diff('2024-01-31', '2024-02-01', 'month'), period_diff('2024-01-31', '2024-02-01', 'month', 'rolling');
-- => 1|0
SELECT period_diff('2023-12-31 23:00', '2024-01-01 01:00', 'year'), period_diff('2024-01-01 01:00', '2023-12-31 23:00', 'day');
-- => 1|-1
SELECT date_bucket('x', 'day');
-- => error: date_bucket: ts is TEXT 'x', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT date_bucket('2024-01-01', 'fortnight');
-- => error: date_bucket: period is TEXT 'fortnight', expected day, week, month, quarter or year
SELECT date_bucket('2024-01-01', 'day', 'tz=+25:00');
-- => error: date_bucket: option tz='+25:00': expected a fixed UTC offset such as +08:00, -05:00 or Z
SELECT date_bucket('2024-01-01', 'day', 'zone=1');
-- => error: date_bucket: unknown option 'zone' (accepted: tz=..., week_start=..., rolling, ts_unit=...)
-- Types: REAL seconds keep fractions; a BLOB is an error; TEXT numbers are not timestamps.
SELECT period_diff(0.5, 86400.5, 'day'), period_diff(0, 86399.999, 'day', 'rolling');
-- => 1|0
SELECT date_bucket(x'00', 'day');
-- => error: date_bucket: ts is BLOB of 1 bytes, expected Unix seconds or ISO-8601 text (a BLOB is not a timestamp)
SELECT date_bucket('1700000000', 'day');
-- => error: date_bucket: ts is TEXT '1700000000', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT date_bucket(1e300, 'day');
-- => error: date_bucket: ts is REAL 1.0e+300, expected Unix seconds or ISO-8601 text (outside years 0000..9999)
SELECT date_bucket(9223372036854775807, 'day');
-- => error: date_bucket: ts is INTEGER 9223372036854775807, expected Unix seconds or ISO-8601 text (outside years 0000..9999)
SELECT date_bucket('2024-01-01', 42);
-- => error: date_bucket: period is INTEGER 42, expected day, week, month, quarter or year
SELECT date_bucket('2024-01-01', 'day', 7);
-- => error: date_bucket: options is INTEGER 7, expected TEXT such as 'tz=+08:00'
SELECT date_bucket('2024-01-01', 'day', 'rolling');
-- => error: date_bucket: option 'rolling' applies to period_diff only
SELECT date_bucket('2024-01-01', 'week', 'week_start=friday');
-- => error: date_bucket: option week_start='friday' is not one of monday|sunday
-- Years at the ends of the range, and before 1970 in a negative offset.
SELECT date_bucket('0001-06-15', 'month'), date_bucket('9999-12-31 23:59:59', 'year'),
       date_bucket('1969-12-31 23:30', 'day', 'tz=-05:00');
-- => 0001-06-01|9999-01-01|1969-12-31
-- The options are constant per statement; each row still gets its own answer.
WITH t(d) AS (VALUES ('2024-03-31 15:59:59Z'), ('2024-03-31 16:00:00Z'), ('2024-12-31'))
SELECT group_concat(date_bucket(d, 'quarter', 'tz=+08:00'), ',') FROM t;
-- => 2024-01-01,2024-04-01,2024-10-01
-- Every flag documented: pure scalars are deterministic and innocuous (2099200 = 0x200800).
SELECT name, narg, flags FROM pragma_function_list
WHERE name IN ('date_bucket', 'period_diff', 'growth_version') ORDER BY name, narg;
-- => date_bucket|2|2099200
-- => date_bucket|3|2099200
-- => growth_version|0|2097152
-- => period_diff|3|2099200
-- => period_diff|4|2099200
SELECT growth_version() GLOB 'sqlite-growth 0.1.0 (SQLite 3.*)';
-- => 1
-- rolling counts whole windows truncated toward zero, the same either way round (issue 16
-- L11): 1 us short of a week is 0 weeks forward and 0 back (flooring made it -1 back); a full
-- week is 1 and -1. 2024-01-03 12:00 back to 2024-01-01 12:00:01 is 1 day 23:59:59: -1 day.
SELECT period_diff('2024-01-01', '2024-01-07 23:59:59.999999', 'week', 'rolling'),
       period_diff('2024-01-08', '2024-01-01 00:00:00.000001', 'week', 'rolling'),
       period_diff('2024-01-01', '2024-01-08', 'week', 'rolling'),
       period_diff('2024-01-08', '2024-01-01', 'week', 'rolling'),
       period_diff('2024-01-03 12:00', '2024-01-01 12:00:01', 'day', 'rolling');
-- => 0|0|1|-1|-1

-- Encodings (issue 15 finding 1): the scalars take ts_unit=s|ms|us|yyyymmdd in their options.
-- 19970101 is CDNOW's 1 January 1997; 1704067200000 ms is 2024-01-01 00:00Z; 1704067200000000 us
-- the same instant; 1704067200 s the same. 19970105 - 19970101 is 4 days.
SELECT date_bucket(19970101, 'month', 'ts_unit=yyyymmdd'), date_bucket(1704067200000, 'day', 'ts_unit=ms'),
       date_bucket(1704067200000000, 'day', 'ts_unit=us'), date_bucket(1704067200, 'day', 'ts_unit=s');
-- => 1997-01-01|2024-01-01|2024-01-01|2024-01-01
SELECT period_diff(19970101, 19970105, 'day', 'ts_unit=yyyymmdd'), period_diff(19970131, '1997-02-01', 'month', 'ts_unit=yyyymmdd');
-- => 4|1
-- Without ts_unit: one value cannot be tested against its neighbours (no census), so an INTEGER
-- that is a valid YYYYMMDD date is refused with the hint (as seconds 19970101 is 1970-08-20,
-- a day of 1970-1973 that analytics data does not hold); ts_unit=s reads it as seconds.
SELECT date_bucket(19970101, 'month');
-- => error: date_bucket: ts is INTEGER 19970101, expected Unix seconds or ISO-8601 text (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)
SELECT period_diff('1997-01-01', 19970105, 'day');
-- => error: period_diff: to_ts is INTEGER 19970105, expected Unix seconds or ISO-8601 text (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)
-- 19970101 s = 231 days (19958400 s) + 11701 s: 1970-08-20 03:15:01 (day 212 is 1 August).
SELECT date_bucket(19970101, 'day', 'ts_unit=s');
-- => 1970-08-20
-- Not a date (month 13): seconds, as always (19971301 s = 231 days + 12901 s, 03:35:01).
SELECT date_bucket(19971301, 'day');
-- => 1970-08-20
-- Milliseconds are past year 9999 as seconds: refused with the hint, never a wrap.
SELECT date_bucket(1704067200000, 'day');
-- => error: date_bucket: ts is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT date_bucket(19970132, 'day', 'ts_unit=yyyymmdd');
-- =>~ error: date_bucket: ts is INTEGER 19970132, expected a YYYYMMDD date or ISO-8601 text*
SELECT date_bucket(1, 'day', 'ts_unit=weeks');
-- => error: date_bucket: option ts_unit='weeks' is not one of s|ms|us|yyyymmdd
-- A bare date is a local calendar day in tz (issue 15 finding 3): '2024-02-01' with tz=-05:00
-- is 1 February there (it was UTC midnight, 31 January 19:00 locally); a time without an offset
-- stays UTC, as in SQLite's date functions.
SELECT date_bucket('2024-02-01', 'day', 'tz=-05:00'), date_bucket('2024-02-01 00:00', 'day', 'tz=-05:00'),
       period_diff('2024-01-31', '2024-02-01', 'day', 'tz=-05:00');
-- => 2024-02-01|2024-01-31|1
