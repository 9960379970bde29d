-- Plain-SQL window_funnel (default mode) for a 4-step funnel: the test oracle of
-- tests/test_funnel_engine.c, and a fallback where the extension cannot be loaded.
--
-- Input: funnel_input(actor, ts, c1, c2, c3, c4) with ts in seconds and conditions 0/1 (no NULLs),
-- and funnel_params(window) with one row.
-- Output: one row per actor: actor, level (0..4), as
--   window_funnel(window, ts, c1 = 1, c2 = 1, c3 = 1, c4 = 1) ... GROUP BY actor
--
-- Why this is the same thing: in the default mode the level is the largest k for which there are
-- events e1..ek, ej satisfying condition j, with ts(e1) <= ts(e2) <= ... <= ts(ek) <= ts(e1) + window
-- (ties chain, one row may fill several steps). For a given step-1 event the best chain takes, at
-- every later step, the earliest qualifying event not before the previous one, so each start needs
-- one "next earliest" lookup per step; the level is the best over all starts.
WITH starts AS (
  SELECT actor, ts AS t1 FROM funnel_input WHERE c1 = 1
), s2 AS (
  SELECT s.actor, s.t1,
         (SELECT min(i.ts) FROM funnel_input i WHERE i.actor = s.actor AND i.c2 = 1 AND i.ts >= s.t1) AS t2
  FROM starts s
), s3 AS (
  SELECT s.actor, s.t1, s.t2,
         (SELECT min(i.ts) FROM funnel_input i WHERE i.actor = s.actor AND i.c3 = 1 AND i.ts >= s.t2) AS t3
  FROM s2 s
), s4 AS (
  SELECT s.actor, s.t1, s.t2, s.t3,
         (SELECT min(i.ts) FROM funnel_input i WHERE i.actor = s.actor AND i.c4 = 1 AND i.ts >= s.t3) AS t4
  FROM s3 s
)
SELECT a.actor,
       coalesce(max(CASE WHEN s4.t4 <= s4.t1 + p.window THEN 4
                         WHEN s4.t3 <= s4.t1 + p.window THEN 3
                         WHEN s4.t2 <= s4.t1 + p.window THEN 2
                         WHEN s4.t1 IS NOT NULL THEN 1 END), 0) AS level
FROM (SELECT DISTINCT actor FROM funnel_input) a
LEFT JOIN s4 ON s4.actor = a.actor
CROSS JOIN funnel_params p
GROUP BY a.actor
ORDER BY a.actor;
