-- Plain-SQL reference for paths() in its simplest configuration: a start anchor, no gap
-- splitting, repeats collapsed (the default), the first anchor per actor, times from the first
-- row of each node ('start=X, gap=none'). A test oracle (tests/test_paths_reference.c runs it on
-- generated data and expects zero rows that differ) and a fallback for engines that cannot load
-- the extension. Needs only SQLite's own date and window functions (3.28+).
--
-- Reads two relations the caller provides:
--   paths_source(actor, ts, event)   ts TEXT 'YYYY-MM-DD HH:MM:SS' in UTC or Unix seconds
--   paths_params(start_event, steps)
-- Output: the rows of paths() with kind, step, from_event, to_event, actors, journeys and
-- avg_seconds. The rule (docs/journeys.md): each actor's rows ordered by (ts, event), a run of
-- one event kept as its first row, the journey from the first start_event, at most `steps` nodes
-- numbered from 0; an edge joins steps k and k + 1; a drop-off marks the last node of a journey
-- that was not cut by `steps`.
WITH
p AS (SELECT start_event, steps FROM paths_params),
rows_in AS (
  SELECT actor, CASE WHEN typeof(ts) IN ('integer', 'real') THEN ts ELSE unixepoch(ts) END AS secs,
         CAST(event AS TEXT) AS event
  FROM paths_source WHERE actor IS NOT NULL AND ts IS NOT NULL AND event IS NOT NULL),
ordered AS (
  SELECT actor, secs, event, lag(event) OVER (PARTITION BY actor ORDER BY secs, event) AS prev FROM rows_in),
nodes AS (
  SELECT actor, secs, event, row_number() OVER (PARTITION BY actor ORDER BY secs, event) AS pos
  FROM ordered WHERE prev IS NULL OR prev <> event),
anchor AS (SELECT n.actor, min(n.pos) AS pos0 FROM nodes AS n, p WHERE n.event = p.start_event GROUP BY n.actor),
journey AS (SELECT n.actor, max(n.pos) - a.pos0 + 1 AS len FROM nodes AS n JOIN anchor AS a USING (actor) GROUP BY n.actor),
kept AS (
  SELECT n.actor, n.pos - a.pos0 AS step, n.event, n.secs
  FROM nodes AS n JOIN anchor AS a USING (actor), p WHERE n.pos >= a.pos0 AND n.pos - a.pos0 < p.steps)
SELECT 'node' AS kind, step, event AS from_event, NULL AS to_event, count(DISTINCT actor) AS actors,
       count(*) AS journeys, NULL AS avg_seconds
FROM kept GROUP BY step, event
UNION ALL
SELECT 'edge', a.step, a.event, b.event, count(DISTINCT a.actor), count(*), avg(b.secs - a.secs)
FROM kept AS a JOIN kept AS b ON b.actor = a.actor AND b.step = a.step + 1
GROUP BY a.step, a.event, b.event
UNION ALL
SELECT 'dropoff', k.step, k.event, NULL, count(DISTINCT k.actor), count(*), NULL
FROM kept AS k JOIN journey AS j USING (actor), p WHERE j.len <= p.steps AND k.step = j.len - 1
GROUP BY k.step, k.event;
