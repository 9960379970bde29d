-- Plain-SQL reference for lifecycle(): a test oracle (tests/test_lifecycle_reference.c runs it on
-- generated data and expects zero rows that differ) and a fallback for engines that cannot load
-- the extension. Needs only SQLite's own date and window functions (3.38+ for unixepoch()).
--
-- Reads two relations the caller provides:
--   lifecycle_source(actor, ts, segment)   ts TEXT 'YYYY-MM-DD HH:MM:SS' in UTC, after 1970;
--                                          segment NULL on every row for no breakdown
--   lifecycle_params(period, tz_minutes, week_start, attribution)
--       period 'day'|'week'|'month'; tz_minutes the fixed offset (+480 for UTC+8);
--       week_start 'monday'|'sunday'; attribution 'first'|'last' (the segment of the actor's
--       first or last row, ties at one instant broken by the segment's order)
-- The defaults of lifecycle(): every period from the first row's to the last row's, as_of the
-- midnight after the last row's local day. Output: lifecycle()'s columns, one row per (segment,
-- period). The rule, written out: an actor is active in a period when it has a row in it; in
-- its first active period it is new; in a later active period retained when the period before
-- was active too, else resurrecting; in the period after an active one with no activity,
-- dormant (once), split by its status in that previous period.
WITH RECURSIVE
p AS (
  SELECT period, printf('%+d minutes', tz_minutes) AS shift,
         CASE week_start WHEN 'sunday' THEN 'weekday 0' ELSE 'weekday 1' END AS wd,
         CASE period WHEN 'day' THEN '+1 day' WHEN 'week' THEN '+7 days' ELSE '+1 month' END AS step,
         attribution
  FROM lifecycle_params),
b AS (  -- usable rows with their local day and period (its first local day) and a period number
  SELECT s.actor, s.segment, unixepoch(s.ts) AS secs, date(s.ts, p.shift) AS local_day,
         CASE p.period WHEN 'day' THEN date(s.ts, p.shift)
                       WHEN 'week' THEN date(s.ts, p.shift, '+1 day', p.wd, '-7 days')
                       ELSE date(s.ts, p.shift, 'start of month') END AS bucket
  FROM lifecycle_source AS s, p
  WHERE s.actor IS NOT NULL AND s.ts IS NOT NULL),
bi AS (
  SELECT b.*, CASE p.period WHEN 'month' THEN CAST(strftime('%Y', bucket) AS INTEGER) * 12 + CAST(strftime('%m', bucket) AS INTEGER)
                            WHEN 'week' THEN unixepoch(bucket) / 86400 / 7
                            ELSE unixepoch(bucket) / 86400 END AS idx
  FROM b, p),
attributed AS (  -- each actor's segment: its first row's, or its last row's
  SELECT actor, CASE (SELECT attribution FROM p) WHEN 'last' THEN last_segment ELSE first_segment END AS segment
  FROM (SELECT actor,
               first_value(segment) OVER (PARTITION BY actor ORDER BY secs, segment) AS first_segment,
               first_value(segment) OVER (PARTITION BY actor ORDER BY secs DESC, segment DESC) AS last_segment
        FROM bi)
  GROUP BY actor),
active AS (SELECT DISTINCT actor, idx, bucket FROM bi),
walked AS (
  SELECT actor, idx, bucket, row_number() OVER w AS k, lag(idx) OVER w AS prev_idx, lead(idx) OVER w AS next_idx
  FROM active WINDOW w AS (PARTITION BY actor ORDER BY idx)),
statuses AS (
  SELECT actor, idx, bucket, next_idx,
         CASE WHEN k = 1 THEN 'new' WHEN prev_idx = idx - 1 THEN 'retained' ELSE 'resurrecting' END AS status
  FROM walked),
marks AS (  -- (actor, period, status, the status before a dormant period)
  SELECT actor, bucket AS period, status, NULL AS was FROM statuses
  UNION ALL
  SELECT actor, date(bucket, (SELECT step FROM p)), 'dormant', status FROM statuses
  WHERE next_idx IS NULL OR next_idx <> idx + 1),
span AS (SELECT min(bucket) AS first, max(bucket) AS last, date(max(local_day), '+1 day') AS as_of_day FROM bi),
periods(period) AS (
  SELECT first FROM span
  UNION ALL SELECT date(period, (SELECT step FROM p)) FROM periods, span WHERE period < span.last),
segments AS (SELECT DISTINCT segment FROM attributed),
counted AS (
  SELECT a.segment, m.period,
         sum(m.status = 'new') AS new, sum(m.status = 'retained') AS retained,
         sum(m.status = 'resurrecting') AS resurrecting, sum(m.status = 'dormant') AS dormant,
         sum(m.was = 'new') AS from_new, sum(m.was = 'retained') AS from_retained,
         sum(m.was = 'resurrecting') AS from_resurrecting
  FROM marks AS m JOIN attributed AS a USING (actor)
  GROUP BY a.segment, m.period)
SELECT g.period, coalesce(c.new, 0) AS new, coalesce(c.retained, 0) AS retained,
       coalesce(c.resurrecting, 0) AS resurrecting, coalesce(c.dormant, 0) AS dormant,
       coalesce(c.new, 0) + coalesce(c.retained, 0) + coalesce(c.resurrecting, 0) AS active,
       coalesce(c.from_new, 0) AS dormant_from_new, coalesce(c.from_retained, 0) AS dormant_from_retained,
       coalesce(c.from_resurrecting, 0) AS dormant_from_resurrecting,
       CASE WHEN c.dormant > 0 THEN (c.new + c.resurrecting) * 1.0 / c.dormant END AS pulse,
       date(g.period, (SELECT step FROM p)) <= (SELECT as_of_day FROM span) AS complete,
       s.segment
FROM segments AS s CROSS JOIN periods AS g
LEFT JOIN counted AS c ON c.period = g.period AND c.segment IS s.segment;
