-- Plain-SQL reference for cohort_retention(): the test oracle (tests/test_cohort.c runs it on
-- generated data and expects zero rows that differ) and a fallback for engines that cannot
-- load the extension. Needs only SQLite's own date functions.
--
-- Reads two relations the caller provides:
--   cohort_source(actor, ts, is_start, value)   ts TEXT 'YYYY-MM-DD HH:MM:SS' UTC; is_start 0/1
--                                               (1 on every row = cohort by first activity)
--   cohort_params(period, tz_minutes, week_start, rolling, on_or_after, max_periods)
--       period 'day'|'week'|'month'; tz_minutes the fixed offset (+480 for UTC+8);
--       week_start 'monday'|'sunday'; rolling, on_or_after 0/1; max_periods 0 = all
-- as_of is the default of every function: the midnight after the latest row's local day; the last
-- period shown holds the last instant before it. Output: cohort_retention's columns (value as
-- value_cents).
WITH RECURSIVE
p AS (
  SELECT period, tz_minutes, week_start, rolling, on_or_after, max_periods,
         CASE period WHEN 'day' THEN 1 WHEN 'week' THEN 7 ELSE 30 END * 86400 AS roll_secs,
         printf('%+d minutes', tz_minutes) AS shift,
         CASE week_start WHEN 'sunday' THEN 'weekday 0' ELSE 'weekday 1' END AS wd
  FROM cohort_params),
b AS (  -- every usable row, with its local calendar bucket (the first local day of its period)
  SELECT s.actor, CAST(strftime('%s', s.ts) AS INTEGER) AS secs, datetime(s.ts, p.shift) AS lts,
         COALESCE(s.is_start, 0) AS is_start, CAST(round(COALESCE(s.value, 0) * 100) AS INTEGER) AS cents,
         CASE p.period WHEN 'day' THEN date(s.ts, p.shift)
                       WHEN 'week' THEN date(s.ts, p.shift, '+1 day', p.wd, '-7 days')
                       ELSE date(s.ts, p.shift, 'start of month') END AS bucket
  FROM cohort_source AS s, p
  WHERE s.actor IS NOT NULL AND s.ts IS NOT NULL),
as_of AS (  -- the midnight after the latest row's local day; bucket: the period of the last instant before it
  SELECT CAST(strftime('%s', date(b.lts, '+1 day')) AS INTEGER) - p.tz_minutes * 60 AS secs,
         date(b.lts, '+1 day') AS lts, b.bucket
  FROM b, p ORDER BY b.secs DESC LIMIT 1),
actors AS (  -- cohort entry: the actor's first is_start row
  SELECT actor, min(secs) AS start_secs FROM b WHERE is_start = 1 GROUP BY actor),
entry AS (
  SELECT a.actor, a.start_secs, b.bucket AS cohort
  FROM actors AS a JOIN b ON b.actor = a.actor AND b.secs = a.start_secs AND b.is_start = 1
  GROUP BY a.actor),
cohorts AS (
  SELECT cohort, count(*) AS cohort_size, min(start_secs) AS min_start, max(start_secs) AS max_start
  FROM entry GROUP BY cohort),
activity AS (  -- rows at or after the actor's entry, with their period number
  SELECT e.actor, e.cohort, b.cents,
         CASE WHEN p.rolling THEN (b.secs - e.start_secs) / p.roll_secs
              WHEN p.period = 'month' THEN (strftime('%Y', b.bucket) - strftime('%Y', e.cohort)) * 12
                                           + strftime('%m', b.bucket) - strftime('%m', e.cohort)
              ELSE CAST(round(julianday(b.bucket) - julianday(e.cohort)) AS INTEGER)
                   / CASE p.period WHEN 'week' THEN 7 ELSE 1 END END AS k
  FROM b JOIN entry AS e ON e.actor = b.actor, p
  WHERE b.secs >= e.start_secs),
spans AS (  -- the last period shown per cohort: the one holding the last instant before as_of, or max_periods - 1
  SELECT c.*, min(CASE WHEN p.max_periods > 0 THEN p.max_periods - 1 ELSE 1 << 40 END,
     CASE WHEN p.rolling THEN (as_of.secs - 1 - c.min_start) / p.roll_secs
          WHEN p.period = 'month' THEN (strftime('%Y', as_of.bucket) - strftime('%Y', c.cohort)) * 12
                                       + strftime('%m', as_of.bucket) - strftime('%m', c.cohort)
          ELSE CAST(round(julianday(as_of.bucket) - julianday(c.cohort)) AS INTEGER)
               / CASE p.period WHEN 'week' THEN 7 ELSE 1 END END) AS last_k
  FROM cohorts AS c, p, as_of),
ks(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM ks WHERE k < (SELECT max(last_k) FROM spans)),
grid AS (SELECT s.*, ks.k AS period FROM spans AS s JOIN ks ON ks.k <= s.last_k),
on_cells AS (
  SELECT cohort, k, count(DISTINCT actor) AS retained, sum(cents) AS cents FROM activity GROUP BY cohort, k),
last_active AS (SELECT cohort, actor, max(k) AS k FROM activity GROUP BY cohort, actor),
after_cells AS (
  SELECT g.cohort, g.period, count(l.actor) AS retained
  FROM grid AS g LEFT JOIN last_active AS l ON l.cohort = g.cohort AND l.k >= g.period
  GROUP BY g.cohort, g.period)
SELECT g.cohort, g.cohort_size, g.period,
       CASE WHEN p.on_or_after THEN a.retained ELSE COALESCE(o.retained, 0) END AS retained,
       CASE WHEN p.on_or_after THEN a.retained ELSE COALESCE(o.retained, 0) END * 1.0 / g.cohort_size AS rate,
       COALESCE(o.cents, 0) AS value_cents,
       CASE WHEN p.rolling THEN g.max_start + (g.period + 1) * p.roll_secs <= as_of.secs
            ELSE julianday(CASE p.period WHEN 'day' THEN date(g.cohort, printf('+%d days', g.period + 1))
                                         WHEN 'week' THEN date(g.cohort, printf('+%d days', 7 * (g.period + 1)))
                                         ELSE date(g.cohort, printf('+%d months', g.period + 1)) END)
                 <= julianday(as_of.lts) END AS complete
FROM grid AS g JOIN after_cells AS a ON a.cohort = g.cohort AND a.period = g.period
     LEFT JOIN on_cells AS o ON o.cohort = g.cohort AND o.k = g.period, p, as_of
ORDER BY g.cohort, g.period;
