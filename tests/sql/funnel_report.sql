-- funnel and funnel_actors: expectations worked out by hand in the comments, and levels
-- checked against window_funnel (itself checked against ClickHouse) on generated data.
CREATE TABLE ev(u, ts, event, ch);
-- u1: view@0 app, cart@10 app, pay@20 web       -> level 3 (10 s view->cart, 10 s cart->pay)
-- u2: view@0 web, cart@5 web                     -> level 2 (5 s)
-- u3: view@0 app, cart@100 app (window 50)       -> level 1
-- u4: cart@0 only                                -> level 0, not in the funnel
INSERT INTO ev VALUES (1,0,'view','app'),(1,10,'cart','app'),(1,20,'pay','web'),(2,0,'view','web'),(2,5,'cart','web'),
  (3,0,'view','app'),(3,100,'cart','app'),(4,0,'cart','app');
-- No breakdown column: one group (breakdown NULL). Step 2: 2 of 3 (u1, u2); step 3: 1 of 2.
-- dropped = reached this step and no further: u3 at 1, u2 at 2. Step 2 times {5, 10}: median 7.5,
-- p90 = 5 + 0.9 * (10 - 5) = 9.5 (linear interpolation), avg 7.5; step 3 time {10}.
SELECT breakdown, step, event, actors, round(conversion_from_prev, 4), round(conversion_from_first, 4), dropped,
       median_seconds, p90_seconds, avg_seconds FROM funnel('SELECT u, ts, event FROM ev', 50, 'view,cart,pay');
-- => NULL|1|view|3|1.0|1.0|1|NULL|NULL|NULL
-- => NULL|2|cart|2|0.6667|0.6667|1|7.5|9.5|7.5
-- => NULL|3|pay|1|0.5|0.3333|0|10.0|10.0|10.0
-- the same by name, with a JSON array of steps and a duration string
SELECT step, actors FROM funnel WHERE source = 'SELECT u, ts, event FROM ev' AND window = '50 seconds'
  AND steps = '["view", "cart", "pay"]';
-- => 1|3
-- => 2|2
-- => 3|1
-- The 4th column is the breakdown; by default the channel of the step-1 event (u1 app, u2 web, u3 app).
SELECT breakdown, step, actors, dropped FROM funnel('ev', 50, 'view,cart,pay');
-- => app|1|2|1
-- => app|2|1|0
-- => app|3|1|0
-- => web|1|1|0
-- => web|2|1|1
-- => web|3|0|0
-- breakdown=last: the channel of the last step reached (u1 pay@web, u2 cart@web, u3 view@app)
SELECT breakdown, step, actors FROM funnel('ev', 50, 'view,cart,pay', 'breakdown=last');
-- => app|1|1
-- => app|2|0
-- => app|3|0
-- => web|1|2
-- => web|2|2
-- => web|3|1
-- breakdown=step:3: the channel of the pay event; who never paid is in the NULL group
SELECT breakdown, step, actors FROM funnel('ev', 50, 'view,cart,pay', 'breakdown=step:3');
-- => NULL|1|2
-- => NULL|2|1
-- => NULL|3|0
-- => web|1|1
-- => web|2|1
-- => web|3|1
-- one row per actor in the funnel; the recall list of who stopped after step 2
SELECT * FROM funnel_actors('ev', 50, 'view,cart,pay') ORDER BY actor;
-- => 1|app|3|1970-01-01 00:00:00|1970-01-01 00:00:20|20.0
-- => 2|web|2|1970-01-01 00:00:00|1970-01-01 00:00:05|5.0
-- => 3|app|1|1970-01-01 00:00:00|1970-01-01 00:00:00|0.0
SELECT actor FROM funnel_actors('ev', 50, 'view,cart,pay') WHERE level = 2;
-- => 2
SELECT actor, level FROM funnel_actors WHERE source = 'ev' AND window = 50 AND steps = 'view,cart,pay' AND level >= 2
  ORDER BY actor;
-- => 1|3
-- => 2|2

-- attempt: u5 views at 0 and 100 and adds to cart at 120 (window 50). The furthest attempt is the
-- second (level 2, as window_funnel); attempt=first keeps the view at 0 only: cart@120 is too late.
CREATE TABLE att(u, ts, event);
INSERT INTO att VALUES (5,0,'view'),(5,100,'view'),(5,120,'cart');
SELECT level, step1_ts, seconds_to_last FROM funnel_actors('att', 50, 'view,cart');
-- => 2|1970-01-01 00:01:40|20.0
SELECT level, step1_ts FROM funnel_actors('att', 50, 'view,cart', 'attempt=first');
-- => 1|1970-01-01 00:00:00
SELECT window_funnel(50, ts, event='view', event='cart') FROM att;
-- => 2

-- exclude: an attempt with the excluded event after its step 1 stops counting steps there.
-- u6: view@0 cart@10 refund@15 pay@20 -> 2 (3 without exclude)
-- u7: view@0 refund@5 view@10 cart@20 pay@30 -> the second attempt is clean: 3
-- u8: view@0 refund@10 cart@10 -> the refund comes first at equal timestamps: 1
-- u9: refund@0 view@1 cart@2 -> a refund before step 1 does not matter: 2
CREATE TABLE ex(u, ts, event);
INSERT INTO ex VALUES (6,0,'view'),(6,10,'cart'),(6,15,'refund'),(6,20,'pay'),
  (7,0,'view'),(7,5,'refund'),(7,10,'view'),(7,20,'cart'),(7,30,'pay'),
  (8,0,'view'),(8,10,'refund'),(8,10,'cart'),(9,0,'refund'),(9,1,'view'),(9,2,'cart');
SELECT actor, level FROM funnel_actors('ex', 100, 'view,cart,pay', 'exclude=refund') ORDER BY actor;
-- => 6|2
-- => 7|3
-- => 8|1
-- => 9|2
SELECT actor, level FROM funnel_actors('ex', 100, 'view,cart,pay') ORDER BY actor;
-- => 6|3
-- => 7|3
-- => 8|2
-- => 9|2

-- a step name may repeat: 'view,view' needs two views (strict_once) or one (default, as ClickHouse)
CREATE TABLE rep(u, ts, event);
INSERT INTO rep VALUES (1,0,'view'),(2,0,'view'),(2,5,'view');
SELECT actor, level FROM funnel_actors('rep', 10, 'view,view') ORDER BY actor;
-- => 1|2
-- => 2|2
SELECT actor, level FROM funnel_actors('rep', 10, 'view,view', 'strict_once') ORDER BY actor;
-- => 1|1
-- => 2|2

-- NULL actor, ts or event rows are skipped; TEXT timestamps; actors keep their type
CREATE TABLE mixed(u, ts, event);
INSERT INTO mixed VALUES ('amy','2024-03-01 10:00:00','view'),('amy','2024-03-01 10:20:00','pay'),
  (NULL,'2024-03-01 10:00:00','view'),('bo',NULL,'view'),('bo','2024-03-01 11:00:00',NULL),('bo','2024-03-01 11:00:00','view');
SELECT actor, typeof(actor), level, step1_ts, last_ts, seconds_to_last FROM funnel_actors('mixed', '30 minutes', 'view,pay') ORDER BY actor;
-- => amy|text|2|2024-03-01 10:00:00|2024-03-01 10:20:00|1200.0
-- => bo|text|1|2024-03-01 11:00:00|2024-03-01 11:00:00|0.0

-- an empty source: without a breakdown column the steps are listed with 0 actors
SELECT step, actors, conversion_from_prev, dropped, median_seconds FROM funnel('SELECT u, ts, event FROM ev WHERE 0', 50, 'view,cart');
-- => 1|0|NULL|0|NULL
-- => 2|0|NULL|0|NULL
SELECT count(*) FROM funnel('SELECT * FROM ev WHERE 0', 50, 'view,cart');
-- => 0
SELECT count(*) FROM funnel_actors('SELECT * FROM ev WHERE 0', 50, 'view,cart');
-- => 0

-- Generated data: funnel_actors levels equal window_funnel's in every mode, and the report's
-- counts equal the actors' levels. 3000 events of 401 actors within 2000 seconds, one in five
-- an event that is no step (an "other" event for strict_order).
CREATE TABLE gen AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000),
  h(x, y) AS (SELECT (i * 2654435761) % 4294967291, ((i * 2654435761) % 4294967291) % 1000003 FROM n)
  SELECT x % 401 AS u, 1700000000 + (y * y % 999983) % 2000 AS ts,
         CASE (y * y % 65521 / 3) % 5 WHEN 0 THEN 'view' WHEN 1 THEN 'cart' WHEN 2 THEN 'pay' WHEN 3 THEN 'view' ELSE 'search' END AS event
  FROM h;
CREATE TABLE modes(m TEXT);
INSERT INTO modes VALUES (''), ('strict_deduplication'), ('strict_order'), ('strict_increase'), ('strict_once'),
  ('strict_order, allow_reentry'), ('strict_once, strict_increase'), ('strict_order, strict_deduplication');
CREATE TABLE wf AS SELECT m, u, window_funnel(300, ts, event='view', event='cart', event='pay', m) AS level
  FROM gen, modes GROUP BY m, u;
-- every mode gives several levels on this data (so the comparison below is not vacuous)
SELECT m, count(DISTINCT level) > 2 FROM wf GROUP BY m ORDER BY m;
-- => |1
-- => strict_deduplication|1
-- => strict_increase|1
-- => strict_once|1
-- => strict_once, strict_increase|1
-- => strict_order|1
-- => strict_order, allow_reentry|1
-- => strict_order, strict_deduplication|1
SELECT m, (SELECT count(*) FROM wf w LEFT JOIN funnel_actors('gen', 300, 'view,cart,pay', m) a ON a.actor = w.u
           WHERE w.m = modes.m AND coalesce(a.level, 0) != w.level),
          (SELECT count(*) FROM funnel_actors('gen', 300, 'view,cart,pay', m)) = (SELECT count(*) FROM wf w WHERE w.m = modes.m AND level > 0)
FROM modes ORDER BY m;
-- => |0|1
-- => strict_deduplication|0|1
-- => strict_increase|0|1
-- => strict_once|0|1
-- => strict_once, strict_increase|0|1
-- => strict_order|0|1
-- => strict_order, allow_reentry|0|1
-- => strict_order, strict_deduplication|0|1
-- the report's actors per step = actors whose level reaches the step; dropped = level equal to it
SELECT count(*) FROM funnel('gen', 300, 'view,cart,pay') f
  WHERE f.actors != (SELECT count(*) FROM wf WHERE m = '' AND level >= f.step)
     OR f.dropped != CASE WHEN f.step = 3 THEN 0 ELSE (SELECT count(*) FROM wf WHERE m = '' AND level = f.step) END;
-- => 0
