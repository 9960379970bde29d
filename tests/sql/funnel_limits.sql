-- The funnels' bounds on work and memory (issue 16), with levels worked by hand.
--
-- H2: strict_once,strict_increase with N step-1 and N step-2 events at one instant. Every
-- step-2 event used to look at every open chain and extend none of them (11 s at N = 80,000,
-- deaf to interrupts). strict_increase wants each step strictly later than the one before it,
-- and all the events are at one instant, so no chain can take a step-2 event: the level is 1.
SELECT window_funnel(0, 0, x <= 80000, x > 80000, 'strict_once,strict_increase')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 160000) SELECT x FROM c);
-- => 1
-- one step-2 event a second later: any of the 80,000 chains takes it (1 - 0 <= window 1): 2
SELECT window_funnel(1, ts, x <= 80000, x > 80000, 'strict_once,strict_increase')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 160000)
      SELECT x, 0 AS ts FROM c UNION ALL SELECT 160001, 1);
-- => 2
-- the same with window 0: the later event is outside every chain's window: 1
SELECT window_funnel(0, ts, x <= 80000, x > 80000, 'strict_once,strict_increase')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 160000)
      SELECT x, 0 AS ts FROM c UNION ALL SELECT 160001, 1);
-- => 1
-- funnel_actors shares the engine: one actor, 80,000 views and 80,000 carts at one second
SELECT actor, level, step1_ts, last_ts, seconds_to_last
FROM funnel_actors('SELECT 7, 0, CASE WHEN x <= 80000 THEN ''view'' ELSE ''cart'' END
                    FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 160000) SELECT x FROM c)',
                   '1 day', 'view,cart', 'strict_once,strict_increase');
-- => 7|1|1970-01-01 00:00:00|1970-01-01 00:00:00|0.0
-- Chains made at the current instant are skipped, chains made before it are not: 300 a at 0,
-- 300 b and 300 c at 1 (window 10). Each b takes an a (0 < 1), but no c can take a chain that
-- reached b at 1 (1 is not later than 1): 2. One more c at 2 takes any of them: 3.
SELECT window_funnel(10, ts, e = 'a', e = 'b', e = 'c', 'strict_once,strict_increase')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
      SELECT 0 AS ts, 'a' AS e FROM c UNION ALL SELECT 1, 'b' FROM c UNION ALL SELECT 1, 'c' FROM c);
-- => 2
SELECT window_funnel(10, ts, e = 'a', e = 'b', e = 'c', 'strict_once,strict_increase')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300)
      SELECT 0 AS ts, 'a' AS e FROM c UNION ALL SELECT 1, 'b' FROM c UNION ALL SELECT 1, 'c' FROM c
      UNION ALL SELECT 2, 'c');
-- => 3
--
-- M1: strict_once keeps every partial chain, 16 bytes and 4 per step each. 22 rows that each
-- satisfy all 64 steps made over 4 million chains of 272 bytes (1.1 GB) before answering; the
-- chains of one group or actor are held to 64 MB, past which it is an error.
SELECT window_funnel(86400, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                     'strict_once')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 22) SELECT x FROM c);
-- => error: window_funnel: strict_once needs more than 64 MB of partial chains for one group
-- the same through funnel_actors: one actor's 22 events named 'v', a funnel of 64 steps 'v'
SELECT level FROM funnel_actors('SELECT 1, x, ''v'' FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 22) SELECT x FROM c)',
                                '1 day', substr(replace(hex(zeroblob(64)), '00', 'v,'), 1, 127), 'strict_once');
-- => error: funnel_actors: strict_once needs more than 64 MB of partial chains for one actor
-- 6 such rows stay far below (a row serves one step of a chain): level 6
SELECT window_funnel(86400, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                     'strict_once')
FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 6) SELECT x FROM c);
-- => 6
--
-- L3: a funnel report holds a row per breakdown value and step. The rows are held to 1,048,576
-- (2^20), as cohort_retention holds its cells. 16,384 actors, each with one 'v' event and a
-- breakdown value of its own, through the 64 steps 'v,v,...,v' (one row fills every step of
-- the same name): 16,384 x 64 = 1,048,576 rows, each with one actor.
SELECT count(*), sum(actors), min(step), max(step), sum(dropped)
FROM funnel('SELECT x, 0, ''v'', x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 16384) SELECT x FROM c)',
            '1 day', substr(replace(hex(zeroblob(64)), '00', 'v,'), 1, 127));
-- => 1048576|1048576|1|64|0
-- one actor more is past the cap: an error, where funnel_actors still lists them all
SELECT count(*)
FROM funnel('SELECT x, 0, ''v'', x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 16385) SELECT x FROM c)',
            '1 day', substr(replace(hex(zeroblob(64)), '00', 'v,'), 1, 127));
-- => error: funnel: 16385 breakdown values x 64 steps make more than 1048576 report rows: break down by a column with fewer values, or use funnel_actors
SELECT count(*), min(level), max(level)
FROM funnel_actors('SELECT x, 0, ''v'', x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 16385) SELECT x FROM c)',
                   '1 day', substr(replace(hex(zeroblob(64)), '00', 'v,'), 1, 127));
-- => 16385|64|64
-- only breakdown values of actors who reached step 1 make rows: 16,385 values, but the
-- actors of 16,384 of them never view ('w' is no step), so one group of 64 rows
SELECT count(*), max(actors)
FROM funnel('SELECT x, 0, CASE WHEN x = 1 THEN ''v'' ELSE ''w'' END, x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 16385) SELECT x FROM c)',
            '1 day', substr(replace(hex(zeroblob(64)), '00', 'v,'), 1, 127));
-- => 64|1
