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
-- => error: date_bucket: unknown option 'zone' (accepted: tz=..., week_start=..., rolling)
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
