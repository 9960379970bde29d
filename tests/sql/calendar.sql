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
