-- Plain-SQL reference for active_users() by day: a test oracle (tests/test_lifecycle_reference.c
-- runs it on generated data and expects zero rows that differ) and a fallback for engines that
-- cannot load the extension. Needs only SQLite's own date functions.
--
-- Reads two relations the caller provides:
--   au_source(actor, ts)     ts TEXT 'YYYY-MM-DD HH:MM:SS' in UTC
--   au_params(tz_minutes)    the fixed offset (+480 for UTC+8)
-- The defaults of active_users(): one row per local day from the first row's to the last row's,
-- as_of the midnight after the last. DAU counts the actors active on the day, WAU those active on
-- one of the 7 days ending with it, MAU the 30 days; new those whose first active day it is.
WITH RECURSIVE
p AS (SELECT printf('%+d minutes', tz_minutes) AS shift FROM au_params),
active AS MATERIALIZED (SELECT DISTINCT actor, date(ts, p.shift) AS day FROM au_source, p WHERE actor IS NOT NULL AND ts IS NOT NULL),
firsts AS (SELECT actor, min(day) AS day FROM active GROUP BY actor),
days(day) AS (
  SELECT min(day) FROM active
  UNION ALL SELECT date(day, '+1 day') FROM days WHERE day < (SELECT max(day) FROM active)),
fresh AS (SELECT day, count(*) AS new FROM firsts GROUP BY day),
counts AS (  -- each day joined with the activity of the 30 days ending on it
  SELECT d.day,
         count(DISTINCT CASE WHEN a.day = d.day THEN a.actor END) AS dau,
         count(DISTINCT CASE WHEN a.day >= date(d.day, '-6 days') THEN a.actor END) AS wau,
         count(DISTINCT a.actor) AS mau,
         coalesce((SELECT new FROM fresh WHERE fresh.day = d.day), 0) AS new
  FROM days AS d LEFT JOIN active AS a ON a.day BETWEEN date(d.day, '-29 days') AND d.day
  GROUP BY d.day)
SELECT day, dau, wau, mau, new,
       CASE WHEN mau > 0 THEN dau * 1.0 / mau END AS dau_mau,
       CASE WHEN wau > 0 THEN dau * 1.0 / wau END AS dau_wau,
       CASE WHEN mau > 0 THEN wau * 1.0 / mau END AS wau_mau,
       1 AS complete
FROM counts;
