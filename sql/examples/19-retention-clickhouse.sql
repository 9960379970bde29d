-- ClickHouse-style retention(): of the customers active in the first week of January (Beijing
-- time), how many were active in the second and third weeks.
SELECT sum(r ->> 0) AS week0, sum(r ->> 1) AS week1, sum(r ->> 2) AS week2
FROM (SELECT user_id, retention(date_bucket(ts, 'week', 'tz=+08:00') = '2024-01-01',
                                date_bucket(ts, 'week', 'tz=+08:00') = '2024-01-08',
                                date_bucket(ts, 'week', 'tz=+08:00') = '2024-01-15') AS r
      FROM events GROUP BY user_id);
