-- Plain-SQL reference for churn_points(): a test oracle (tests/test_paths_reference.c runs it on
-- generated data and expects zero rows that differ) and a fallback for engines that cannot load
-- the extension. Needs only SQLite's own date and window functions (3.28+).
--
-- Reads two relations the caller provides:
--   churn_source(actor, ts, event)   ts TEXT 'YYYY-MM-DD HH:MM:SS' in UTC or Unix seconds
--   churn_params(as_of, churned_days, depth)
--       as_of: 'YYYY-MM-DD' (midnight UTC) or NULL for the midnight after the latest row's day;
--       rows at or after it are not seen (the as_of rule of docs/conventions.md)
-- Output: churn_points()'s columns. The rule (docs/journeys.md): an actor is churned when its
-- last row lies at least churned_days before as_of; its last `depth` events, ordered by (ts,
-- event) with a run of one event counted once, joined by ' > ', group the churned actors; share
-- is of all churned actors; the median of the days since the last row (fractional days) is the
-- mean of the two middle values for an even count.
WITH
p AS (SELECT as_of, churned_days, depth FROM churn_params),
rows_in AS (
  SELECT actor, CASE WHEN typeof(ts) IN ('integer', 'real') THEN ts ELSE unixepoch(ts) END AS secs,
         CAST(event AS TEXT) AS event
  FROM churn_source WHERE actor IS NOT NULL AND ts IS NOT NULL AND event IS NOT NULL),
look AS (
  SELECT coalesce((SELECT unixepoch(as_of) FROM p), unixepoch(date(max(secs), 'unixepoch', '+1 day'))) AS as_of
  FROM rows_in),
kept AS (SELECT r.* FROM rows_in AS r, look WHERE r.secs < look.as_of),
ordered AS (SELECT actor, secs, event, lag(event) OVER (PARTITION BY actor ORDER BY secs, event) AS prev FROM kept),
runs AS (
  SELECT actor, event, row_number() OVER (PARTITION BY actor ORDER BY secs DESC, event DESC) AS back
  FROM ordered WHERE prev IS NULL OR prev <> event),
churned AS (
  SELECT k.actor, (look.as_of - max(k.secs)) / 86400.0 AS days
  FROM kept AS k, look, p GROUP BY k.actor HAVING look.as_of - max(k.secs) >= p.churned_days * 86400),
seqs AS (
  SELECT DISTINCT r.actor,
         group_concat(r.event, ' > ') OVER (PARTITION BY r.actor ORDER BY r.back DESC
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_events
  FROM runs AS r JOIN churned USING (actor), p WHERE r.back <= p.depth),
ranked AS (
  SELECT s.last_events, c.days, row_number() OVER (PARTITION BY s.last_events ORDER BY c.days) AS rn,
         count(*) OVER (PARTITION BY s.last_events) AS n
  FROM seqs AS s JOIN churned AS c USING (actor))
SELECT last_events, n AS actors, n * 1.0 / (SELECT count(*) FROM churned) AS share, avg(days) AS median_days_since_last
FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY last_events;
