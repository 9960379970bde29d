-- Plain-SQL reference for actor_status(): a test oracle (tests/test_lifecycle_reference.c runs it
-- on generated data and expects zero rows that differ) and a fallback for engines that cannot
-- load the extension. Needs only SQLite's own date and window functions (3.38+).
--
-- Reads two relations the caller provides:
--   status_source(actor, ts)          ts TEXT 'YYYY-MM-DD HH:MM:SS' in UTC, after 1970
--   status_params(as_of, tz_minutes, short_days, long_days, new_days)
--       as_of: a local date 'YYYY-MM-DD' (that day's midnight in tz), or NULL for the midnight
--       after the latest row's local day; rows at or after it are not seen
-- Output: actor_status()'s columns. The day d looked at is the day before as_of. The states are
-- Duolingo's table, written as windows of days: today (d), recent (the short-1 days before d),
-- mid (from d-long+1 to d-short), old (d-long and before):
--   new: first active day is d; current: today and recent; reactivated: today, mid, not recent;
--   resurrected: today, old only; at_risk_wau: recent, not today; at_risk_mau: mid only;
--   dormant: old only.
WITH
p AS (SELECT printf('%+d minutes', tz_minutes) AS shift, short_days AS s, long_days AS l, new_days AS nd, as_of
      FROM status_params),
rows_in AS (
  SELECT actor, unixepoch(ts) AS secs, date(ts, p.shift) AS local_day
  FROM status_source, p WHERE actor IS NOT NULL AND ts IS NOT NULL),
look AS (SELECT coalesce((SELECT as_of FROM p), date(max(local_day), '+1 day')) AS as_of_day FROM rows_in),
kept AS (SELECT r.* FROM rows_in AS r, look WHERE r.local_day < look.as_of_day),
d AS (SELECT CAST(julianday(as_of_day) AS INTEGER) - 1 AS day FROM look),  -- julian day numbers (.5 dropped)
days AS (SELECT DISTINCT actor, CAST(julianday(local_day) AS INTEGER) AS day FROM kept),
gaps AS (
  SELECT actor, gap, row_number() OVER (PARTITION BY actor ORDER BY gap) AS rn, count(*) OVER (PARTITION BY actor) AS n
  FROM (SELECT actor, day - lag(day) OVER (PARTITION BY actor ORDER BY day) AS gap FROM days)
  WHERE gap IS NOT NULL),
medians AS (SELECT actor, avg(gap) AS median FROM gaps WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY actor),
windows AS (
  SELECT a.actor, min(a.day) AS first_day, max(a.day) AS last_day,
         max(a.day = d.day) AS today,
         max(a.day BETWEEN d.day - p.s + 1 AND d.day - 1) AS recent,
         max(a.day BETWEEN d.day - p.l + 1 AND d.day - p.s) AS mid,
         max(a.day <= d.day - p.l) AS old,
         sum(a.day >= d.day - p.s + 1) AS active_short, sum(a.day >= d.day - p.l + 1) AS active_long
  FROM days AS a, d, p GROUP BY a.actor),
states AS (
  SELECT w.*, d.day AS d,
         CASE WHEN w.first_day = d.day THEN 'new'
              WHEN w.today AND w.recent THEN 'current'
              WHEN w.today AND w.mid THEN 'reactivated'
              WHEN w.today THEN 'resurrected'
              WHEN w.recent THEN 'at_risk_wau'
              WHEN w.mid THEN 'at_risk_mau'
              ELSE 'dormant' END AS state
  FROM windows AS w, d),
labelled AS (
  SELECT s.*, CASE WHEN s.d - s.first_day < p.nd THEN 'new'
                   WHEN s.state IN ('current', 'reactivated') THEN 'active'
                   WHEN s.state = 'resurrected' THEN 'winback'
                   WHEN s.state IN ('at_risk_wau', 'at_risk_mau') THEN 'silent'
                   ELSE 'churned' END AS status
  FROM states AS s, p)
SELECT l.actor, datetime(min(k.secs), 'unixepoch') AS first_ts, datetime(max(k.secs), 'unixepoch') AS last_ts,
       l.d - l.last_day AS days_since_last, l.active_short AS active_days_short, l.active_long AS active_days_long,
       m.median AS median_gap_days, l.state, l.status,
       CASE l.status WHEN 'new' THEN '新增' WHEN 'active' THEN '活跃' WHEN 'winback' THEN '回流'
                     WHEN 'silent' THEN '沉默' ELSE '流失' END AS status_cn
FROM labelled AS l JOIN kept AS k USING (actor) LEFT JOIN medians AS m USING (actor)
GROUP BY l.actor;
