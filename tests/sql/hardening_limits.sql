-- Hardening (issue 8): the ends of the timestamp range, int64 extremes, odd offsets, odd types.
-- Expectations by hand: 0000-01-01 was a Saturday (the Gregorian calendar repeats every 400
-- years and 2000-01-01 was a Saturday), 9999-12-31 a Friday; 253402300799 is 9999-12-31 23:59:59.
SELECT date_bucket('0001-01-01', 'year'), date_bucket('0000-01-03', 'week'), date_bucket('9999-12-31 23:59:59', 'week');
-- => 0001-01-01|0000-01-03|9999-12-27
SELECT date_bucket(253402300799, 'day'), date_bucket(-62167219200, 'month');
-- => 9999-12-31|0000-01-01
SELECT date_bucket('9999-12-31 23:59:59.999999', 'quarter'), date_bucket(253402300799.5, 'year');
-- => 9999-10-01|9999-01-01
-- from 0000-01-01 to 9999-12-31: 3652058 days from 0001-01-01 plus the 366 of leap year 0000
SELECT period_diff('0000-01-01', '9999-12-31 23:59:59', 'day'), period_diff('0000-01-01', '9999-12-31', 'year');
-- => 3652424|9999
-- 9999 years and 11 months back: -(9999 * 12 + 11)
SELECT period_diff('9999-12-31', '0000-01-01', 'month');
-- => -119999
-- a period starting outside the range is an error, not "-001-12-27" or "10000-01-01"
SELECT date_bucket('0000-01-01', 'week');
-- => error: date_bucket: the week containing ts starts outside years 0000..9999
SELECT date_bucket('0000-01-01 02:00', 'year', 'tz=-05:00');
-- => error: date_bucket: the year containing ts starts outside years 0000..9999
SELECT date_bucket('9999-12-31 20:00:00', 'day', 'tz=+08:00');
-- => error: date_bucket: the day containing ts starts outside years 0000..9999
-- instants outside the range and int64 extremes are errors, never a wrap
-- (one second past 9999 as seconds is 1978 as milliseconds: the error says so)
SELECT date_bucket(253402300800, 'day');
-- => error: date_bucket: ts is INTEGER 253402300800, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT date_bucket(9223372036854775807, 'day');
-- => error: date_bucket: ts is INTEGER 9223372036854775807, expected Unix seconds or ISO-8601 text (outside years 0000..9999)
SELECT period_diff(-9223372036854775808, 0, 'day');
-- => error: period_diff: from_ts is INTEGER -9223372036854775808, expected Unix seconds or ISO-8601 text (outside years 0000..9999)
SELECT date_bucket(1e300, 'day');
-- => error: date_bucket: ts is REAL 1.0e+300, expected Unix seconds or ISO-8601 text (outside years 0000..9999)
SELECT date_bucket(9e999, 'day');
-- => error: date_bucket: ts is REAL Inf, expected Unix seconds or ISO-8601 text (not a finite number)
SELECT date_bucket('9999-12-31 23:00:00-05:00', 'day');
-- => error: date_bucket: ts is TEXT '9999-12-31 23:00:00-05:00', expected Unix seconds or ISO-8601 text (outside years 0000..9999 after the offset)
SELECT date_bucket('0000-01-01 00:00:00+01:00', 'day');
-- => error: date_bucket: ts is TEXT '0000-01-01 00:00:00+01:00', expected Unix seconds or ISO-8601 text (outside years 0000..9999 after the offset)
-- single-digit offset hours, documented in time.h, were refused (the parser lost the digit)
SELECT date_bucket('2024-01-01 20:00', 'day', 'tz=+8'), date_bucket('2024-01-01 20:00:00+8:00', 'day');
-- => 2024-01-02|2024-01-01
SELECT date_bucket('2024-01-01 20:00', 'day', 'tz=-5'), date_bucket('2024-01-01 20:00', 'day', 'tz=+08');
-- => 2024-01-01|2024-01-02
SELECT date_bucket('2024-01-01', 'day', 'tz=+');
-- => error: date_bucket: option tz='+': expected a fixed UTC offset such as +08:00, -05:00 or Z
-- text with an embedded NUL is refused, not cut short at the NUL
SELECT date_bucket(CAST(x'323032342d30312d303100' AS TEXT) || 'x', 'day');
-- =>~ error: date_bucket: ts is TEXT *unexpected text after the timestamp*
