-- Actors of every type read a batch at a time (gather.c ggather_batch: INTEGER actors are
-- prefetched, the others wait in a look-ahead queue, and both are numbered in source order).
-- Each function must give over these actors what it gives over the same rows with each actor
-- replaced by a distinct INTEGER (its rank in SQLite's order, so INTEGER 7 and REAL 7.0 are one
-- actor, as GROUP BY has them). 3,000 rows of 400 actors, interleaved: INTEGER, lowercase
-- UUIDs, short TEXT, REAL (whole and not), BLOBs, TEXT of 1,000 bytes (the queue fills with
-- bytes before it fills with rows) and of 40,000 (too long to queue: looked up at once), NULL.
-- Each check counts the rows that differ in either direction (expected 0|0) and the rows of the
-- result, so a result that came out empty both ways would fail.
CREATE TABLE ev(actor, ts, n);
WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3000),
  rows(i, u) AS (SELECT i, (i * 7919) % 400 FROM r)
INSERT INTO ev
SELECT CASE u % 10
         WHEN 0 THEN u
         WHEN 1 THEN printf('%08x-%04x-4%03x-8%03x-%012x', u * 2654435761 % 4294967296, u, u * 3, u * 5, u * 7)
         WHEN 2 THEN 'u' || u
         WHEN 3 THEN u + 0.5
         WHEN 4 THEN printf('%.40000c', 'x') || u
         WHEN 5 THEN u * 1.0
         WHEN 6 THEN CAST('b' || u AS BLOB)
         WHEN 7 THEN iif(u % 20 = 7, NULL, 'U' || u)
         WHEN 8 THEN -u
         ELSE printf('%.1000c', 'y') || u
       END,
       strftime('%Y-%m-%d %H:%M:%S', 1704067200 + (i * 7) % 30 * 86400 + i * 3600 % 86400 + i % 60, 'unixepoch'),
       i
FROM rows ORDER BY i;
CREATE TABLE ids AS SELECT DISTINCT actor, dense_rank() OVER (ORDER BY actor) AS id FROM ev WHERE actor IS NOT NULL;
CREATE TABLE ev_int AS SELECT ids.id AS actor, ev.ts, ev.n FROM ev LEFT JOIN ids ON ids.actor = ev.actor ORDER BY ev.n;
-- Every kind of actor is there: 400 distinct, 380 without the NULLs, and ids tell them apart.
SELECT (SELECT count(*) FROM ev), (SELECT count(DISTINCT actor) FROM ev), (SELECT count(*) FROM ids),
       (SELECT count(DISTINCT id) FROM ids), (SELECT count(*) FROM ev_int WHERE actor IS NULL);
-- => 3000|380|380|380|150
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT actor, ts FROM ev ORDER BY n', 'week')
          EXCEPT SELECT * FROM cohort_retention('SELECT actor, ts FROM ev_int ORDER BY n', 'week'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT actor, ts FROM ev_int ORDER BY n', 'week')
          EXCEPT SELECT * FROM cohort_retention('SELECT actor, ts FROM ev ORDER BY n', 'week'))),
       (SELECT count(*) FROM cohort_retention('SELECT actor, ts FROM ev_int ORDER BY n', 'week')),
       (SELECT sum(cohort_size) FROM cohort_retention('SELECT actor, ts FROM ev ORDER BY n', 'week') WHERE period = 0);
-- => 0|0|9|380
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT actor, ts FROM ev ORDER BY n', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT actor, ts FROM ev_int ORDER BY n', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT actor, ts FROM ev_int ORDER BY n', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT actor, ts FROM ev ORDER BY n', 'day'))),
       (SELECT count(*) FROM lifecycle('SELECT actor, ts FROM ev ORDER BY n', 'day')),
       (SELECT sum(new) FROM lifecycle('SELECT actor, ts FROM ev ORDER BY n', 'day'));
-- => 0|0|30|380
SELECT (SELECT count(*) FROM (SELECT * FROM active_users('SELECT actor, ts FROM ev ORDER BY n')
          EXCEPT SELECT * FROM active_users('SELECT actor, ts FROM ev_int ORDER BY n'))),
       (SELECT count(*) FROM (SELECT * FROM active_users('SELECT actor, ts FROM ev_int ORDER BY n')
          EXCEPT SELECT * FROM active_users('SELECT actor, ts FROM ev ORDER BY n'))),
       (SELECT count(*) FROM active_users('SELECT actor, ts FROM ev ORDER BY n')),
       (SELECT sum(new) FROM active_users('SELECT actor, ts FROM ev ORDER BY n'));
-- => 0|0|30|380
-- actor_status names each actor: the TEXT one's row, through its id, is the INTEGER one's.
SELECT (SELECT count(*) FROM (SELECT ids.id, s.first_ts, s.last_ts, s.days_since_last, s.state, s.median_gap_days
          FROM actor_status('SELECT actor, ts FROM ev ORDER BY n') AS s JOIN ids ON ids.actor = s.actor
          EXCEPT SELECT actor, first_ts, last_ts, days_since_last, state, median_gap_days
          FROM actor_status('SELECT actor, ts FROM ev_int ORDER BY n'))),
       (SELECT count(*) FROM (SELECT actor, first_ts, last_ts, days_since_last, state, median_gap_days
          FROM actor_status('SELECT actor, ts FROM ev_int ORDER BY n')
          EXCEPT SELECT ids.id, s.first_ts, s.last_ts, s.days_since_last, s.state, s.median_gap_days
          FROM actor_status('SELECT actor, ts FROM ev ORDER BY n') AS s JOIN ids ON ids.actor = s.actor)),
       (SELECT count(*) FROM actor_status('SELECT actor, ts FROM ev ORDER BY n')),
       (SELECT count(DISTINCT typeof(actor)) FROM actor_status('SELECT actor, ts FROM ev ORDER BY n'));
-- => 0|0|380|4
-- The same rows with each actor's rows one after another (a row whose TEXT or BLOB actor is the
-- previous row's takes its id without a lookup; runs cross the batches of 512 rows).
CREATE TABLE ev_runs AS SELECT ev.*, ids.id AS id FROM ev LEFT JOIN ids ON ids.actor = ev.actor ORDER BY ids.id, ev.n;
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT actor, ts FROM ev_runs ORDER BY rowid', 'week')
          EXCEPT SELECT * FROM cohort_retention('SELECT id, ts FROM ev_runs ORDER BY rowid', 'week'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT actor, ts FROM ev_runs ORDER BY rowid', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT id, ts FROM ev_runs ORDER BY rowid', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT id, ts FROM ev_runs ORDER BY rowid', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT actor, ts FROM ev_runs ORDER BY rowid', 'day'))),
       (SELECT count(*) FROM (SELECT ids.id, s.first_ts, s.last_ts, s.state
          FROM actor_status('SELECT actor, ts FROM ev_runs ORDER BY rowid') AS s JOIN ids ON ids.actor = s.actor
          EXCEPT SELECT actor, first_ts, last_ts, state FROM actor_status('SELECT id, ts FROM ev_runs ORDER BY rowid'))),
       (SELECT count(*) FROM actor_status('SELECT actor, ts FROM ev_runs ORDER BY rowid'));
-- => 0|0|0|0|380
-- Equal bytes of another type are another actor, also one row after the other: TEXT 'k' and
-- BLOB x'6b', TEXT '' and BLOB x''.
CREATE TABLE kk(actor, ts);
INSERT INTO kk VALUES ('k', '2024-01-01'), (x'6b', '2024-01-02'), (x'6b', '2024-01-03'), ('k', '2024-01-04'),
  ('', '2024-01-05'), (x'', '2024-01-06'), (x'', '2024-01-07'), ('', '2024-01-08');
SELECT typeof(actor), hex(actor) FROM actor_status('SELECT actor, ts FROM kk ORDER BY rowid', '2024-02-01') ORDER BY 1, 2;
-- => blob|
-- => blob|6B
-- => text|
-- => text|6B
-- A row that fails after many rows waiting in the batch is the row named.
SELECT count(*) FROM cohort_retention('SELECT actor, ts FROM ev UNION ALL SELECT ''late'', ''soon'' UNION ALL SELECT ''z'', ''later''', 'week');
-- => error: cohort_retention: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT count(*) FROM actor_status('SELECT actor, ts FROM ev UNION ALL SELECT ''late'', ''soon'' UNION ALL SELECT ''z'', ''later''');
-- => error: actor_status: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- funnel and funnel_actors (funnel_tvf.c queues the actors that are not small INTEGERs the same
-- way), with a breakdown, and its error for a bad ts after many waiting rows.
CREATE VIEW ev_steps AS SELECT actor, ts, CASE n % 3 WHEN 0 THEN 'view' WHEN 1 THEN 'cart' ELSE 'pay' END AS event,
  n % 2 AS bd, n FROM ev;
CREATE VIEW ev_int_steps AS SELECT actor, ts, CASE n % 3 WHEN 0 THEN 'view' WHEN 1 THEN 'cart' ELSE 'pay' END AS event,
  n % 2 AS bd, n FROM ev_int;
SELECT (SELECT count(*) FROM (SELECT * FROM funnel('SELECT actor, ts, event, bd FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay')
          EXCEPT SELECT * FROM funnel('SELECT actor, ts, event, bd FROM ev_int_steps ORDER BY n', '2 days', 'view,cart,pay'))),
       (SELECT count(*) FROM (SELECT * FROM funnel('SELECT actor, ts, event, bd FROM ev_int_steps ORDER BY n', '2 days', 'view,cart,pay')
          EXCEPT SELECT * FROM funnel('SELECT actor, ts, event, bd FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay'))),
       (SELECT sum(actors) FROM funnel('SELECT actor, ts, event FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay') WHERE step = 1);
-- => 0|0|380
SELECT (SELECT count(*) FROM (SELECT ids.id, f.level, f.seconds_to_last
          FROM funnel_actors('SELECT actor, ts, event FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay') AS f
          JOIN ids ON ids.actor = f.actor
          EXCEPT SELECT actor, level, seconds_to_last
          FROM funnel_actors('SELECT actor, ts, event FROM ev_int_steps ORDER BY n', '2 days', 'view,cart,pay'))),
       (SELECT count(*) FROM (SELECT actor, level, seconds_to_last
          FROM funnel_actors('SELECT actor, ts, event FROM ev_int_steps ORDER BY n', '2 days', 'view,cart,pay')
          EXCEPT SELECT ids.id, f.level, f.seconds_to_last
          FROM funnel_actors('SELECT actor, ts, event FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay') AS f
          JOIN ids ON ids.actor = f.actor)),
       (SELECT count(*) FROM funnel_actors('SELECT actor, ts, event FROM ev_steps ORDER BY n', '2 days', 'view,cart,pay'));
-- => 0|0|380
SELECT count(*) FROM funnel('SELECT actor, ts, event FROM ev_steps UNION ALL SELECT ''late'', ''soon'', ''view''', '2 days', 'view,cart,pay');
-- => error: funnel: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- funnel over each actor's rows one after another, and equal bytes of two types one after the other.
SELECT (SELECT count(*) FROM (SELECT ids.id, f.level, f.seconds_to_last
          FROM funnel_actors('SELECT actor, ts, CASE n % 3 WHEN 0 THEN ''view'' WHEN 1 THEN ''cart'' ELSE ''pay'' END FROM ev_runs ORDER BY rowid', '2 days', 'view,cart,pay') AS f
          JOIN ids ON ids.actor = f.actor
          EXCEPT SELECT actor, level, seconds_to_last
          FROM funnel_actors('SELECT id, ts, CASE n % 3 WHEN 0 THEN ''view'' WHEN 1 THEN ''cart'' ELSE ''pay'' END FROM ev_runs ORDER BY rowid', '2 days', 'view,cart,pay'))),
       (SELECT count(*) FROM funnel_actors('SELECT actor, ts, CASE n % 3 WHEN 0 THEN ''view'' WHEN 1 THEN ''cart'' ELSE ''pay'' END FROM ev_runs ORDER BY rowid', '2 days', 'view,cart,pay'));
-- => 0|380
SELECT typeof(actor), hex(actor), level FROM funnel_actors('SELECT actor, ts, ''view'' FROM kk ORDER BY rowid', '1 day', 'view') ORDER BY 1, 2;
-- => blob||1
-- => blob|6B|1
-- => text||1
-- => text|6B|1
-- Readers with optional columns (lifecycle with a segment, paths, path_actors, churn_points) batch
-- every kind of actor the same way (ggather_batch_actor, then the row's other columns).
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT actor, ts, n % 3 FROM ev ORDER BY n', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT actor, ts, n % 3 FROM ev_int ORDER BY n', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT actor, ts, n % 3 FROM ev_int ORDER BY n', 'day')
          EXCEPT SELECT * FROM lifecycle('SELECT actor, ts, n % 3 FROM ev ORDER BY n', 'day'))),
       (SELECT count(*) FROM lifecycle('SELECT actor, ts, n % 3 FROM ev ORDER BY n', 'day'))
         = (SELECT count(*) FROM lifecycle('SELECT actor, ts, n % 3 FROM ev_int ORDER BY n', 'day')),
       (SELECT count(DISTINCT segment) FROM lifecycle('SELECT actor, ts, n % 3 FROM ev ORDER BY n', 'day'));
-- => 0|0|1|3
SELECT (SELECT count(*) FROM (SELECT * FROM paths('SELECT actor, ts, event FROM ev_steps ORDER BY n')
          EXCEPT SELECT * FROM paths('SELECT actor, ts, event FROM ev_int_steps ORDER BY n'))),
       (SELECT count(*) FROM (SELECT * FROM paths('SELECT actor, ts, event FROM ev_int_steps ORDER BY n')
          EXCEPT SELECT * FROM paths('SELECT actor, ts, event FROM ev_steps ORDER BY n'))),
       (SELECT count(*) FROM (SELECT * FROM churn_points('SELECT actor, ts, event FROM ev_steps ORDER BY n')
          EXCEPT SELECT * FROM churn_points('SELECT actor, ts, event FROM ev_int_steps ORDER BY n'))),
       (SELECT count(*) FROM (SELECT ids.id, p.path FROM path_actors('SELECT actor, ts, event FROM ev_steps ORDER BY n') AS p
          JOIN ids ON ids.actor = p.actor
          EXCEPT SELECT actor, path FROM path_actors('SELECT actor, ts, event FROM ev_int_steps ORDER BY n'))),
       (SELECT count(DISTINCT actor) FROM path_actors('SELECT actor, ts, event FROM ev_steps ORDER BY n'));
-- => 0|0|0|0|380
SELECT count(*) FROM lifecycle('SELECT actor, ts, n % 3 FROM ev UNION ALL SELECT ''late'', ''soon'', 1', 'day');
-- => error: lifecycle: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT count(*) FROM paths('SELECT actor, ts, event FROM ev_steps UNION ALL SELECT ''late'', ''soon'', ''view''');
-- => error: paths: ts (source column 2) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
