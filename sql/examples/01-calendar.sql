-- Calendar helpers: the week an instant falls in, in UTC and in Beijing time (UTC+8),
-- and calendar vs rolling months between two days.
SELECT date_bucket('2024-03-03 20:00:00Z', 'week') AS utc_week,
       date_bucket('2024-03-03 20:00:00Z', 'week', 'tz=+08:00') AS beijing_week,
       period_diff('2024-01-31', '2024-02-01', 'month') AS calendar_months,
       period_diff('2024-01-31', '2024-02-01', 'month', 'rolling') AS rolling_months;
