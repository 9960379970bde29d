-- stickiness(): PostHog's stickiness vectors S1-S14 (test_stickiness_query_runner.py; provenance
-- and PostHog's results in tests/vectors/engagement.md). PostHog counts each actor once over the
-- whole date range: window 'range'. Its `data` array is our `actors` by k; its cumulative mode is
-- `actors_at_least`; intervalCount is every=N; stickinessCriteria gte / lte / exact N are
-- min_events / max_events. PostHog's date_to is included, so `to` names its last unit and as_of
-- (rows at or after it are not seen) lies after it.

-- DS: p1 every day 2020-01-11 .. 19, p2 on 11, 13, 15, 17, 19, all 12:00 UTC.
CREATE TABLE ds(actor TEXT, ts TEXT);
WITH RECURSIVE d(n) AS (SELECT 11 UNION ALL SELECT n + 1 FROM d WHERE n < 19)
INSERT INTO ds SELECT 'p1', '2020-01-' || n || ' 12:00:00' FROM d UNION ALL SELECT 'p2', '2020-01-' || n || ' 12:00:00' FROM d WHERE n % 2 = 1;

-- S1 test_interval_day: 2020-01-11 .. 20, ten days: p2 on 5 days, p1 on 9
SELECT group_concat(actors), count(*) FROM (SELECT * FROM stickiness('ds', 'range', 'day',
  'from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,0,0,0,1,0,0,0,1,0|10
-- PostHog's count: 2 actors
SELECT DISTINCT active_actors, window_start, complete FROM stickiness('ds', 'range', 'day', 'from=2020-01-11, to=2020-01-20, as_of=2020-01-21');
-- => 2|2020-01-11|1

-- S2 test_interval_week: Sunday weeks of Jan 5, 12, 19; both actors in all three
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'week',
  'week_start=sunday, from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,0,2

-- S3 test_interval_month: one month
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'month',
  'from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 2

-- S4 test_interval_2_day: 2-day buckets counted back from the 20th ({19,20}, {17,18}, ... {11,12})
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'day',
  'every=2, from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,0,0,0,2

-- S5 test_interval_2_day_filtering: p1 every day 11 .. 19, p2 on 11, 13, 15
SELECT group_concat(actors), group_concat(actors_at_least) FROM (SELECT * FROM stickiness(
  'SELECT actor, ts FROM ds WHERE actor = ''p1'' OR ts < ''2020-01-16''', 'range', 'day',
  'every=2, from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,0,1,0,1|2,2,2,1,1

-- S6 test_criteria: p1 on 11 x2, 13 x2, 15 x2, 17 x3, 19 x1; p2 on 12 x2, 13 x2, 19 x1
CREATE TABLE s6(actor, ts);
INSERT INTO s6 SELECT 'p1', '2020-01-' || d || ' 12:00:00' FROM (SELECT value AS d FROM json_each('[11,11,13,13,15,15,17,17,17,19]'));
INSERT INTO s6 SELECT 'p2', '2020-01-' || d || ' 12:00:00' FROM (SELECT value AS d FROM json_each('[12,12,13,13,19]'));
-- gte 2, 12 .. 20: p2 2 days (12, 13), p1 3 days (13, 15, 17)
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('s6', 'range', 'day',
  'min_events=2, from=2020-01-12, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,1,1,0,0,0,0,0,0
-- lte 1, 12 .. 20: both on the 19th only
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('s6', 'range', 'day',
  'max_events=1, from=2020-01-12, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 2,0,0,0,0,0,0,0,0
-- exact 2, 11 .. 20: p2 on 12 and 13, p1 on 11, 13, 15
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('s6', 'range', 'day',
  'min_events=2, max_events=2, from=2020-01-11, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,1,1,0,0,0,0,0,0,0

-- S7 test_cumulative_stickiness and S11 (the actors queries): p1 11, 12, 13; p2 11, 12; p3 11
CREATE TABLE s7(actor, ts);
INSERT INTO s7 VALUES ('p1', '2020-01-11 12:00'), ('p1', '2020-01-12 12:00'), ('p1', '2020-01-13 12:00'),
  ('p2', '2020-01-11 12:00'), ('p2', '2020-01-12 12:00'), ('p3', '2020-01-11 12:00');
SELECT group_concat(actors_at_least), group_concat(actors) FROM (SELECT * FROM stickiness('s7', 'range', 'day') ORDER BY k);
-- => 3,2,1|1,1,1
-- S11: operator gte 2 -> 2 actors; lte 2 -> 2 actors
SELECT (SELECT actors_at_least FROM stickiness('s7', 'range', 'day') WHERE k = 2),
       (SELECT sum(actors) FROM stickiness('s7', 'range', 'day') WHERE k <= 2);
-- => 2|2

-- S8 test_cumulative_stickiness_with_intervals: hours 12:00 .. 14:00 of 2020-01-11
CREATE TABLE s8(actor, ts);
INSERT INTO s8 VALUES ('p1', '2020-01-11 12:00'), ('p1', '2020-01-11 13:00'), ('p1', '2020-01-11 14:00'),
  ('p2', '2020-01-11 12:00'), ('p2', '2020-01-11 13:00');
SELECT group_concat(actors_at_least), group_concat(window_start, ' ') FROM (SELECT * FROM stickiness('s8', 'range', 'hour',
  'from=2020-01-11 12:00, to=2020-01-11 14:00') ORDER BY k);
-- => 2,2,1|2020-01-11 12:00:00 2020-01-11 12:00:00 2020-01-11 12:00:00

-- S9 test_cumulative_stickiness_with_criteria: gte 2, cumulative
CREATE TABLE s9(actor, ts);
INSERT INTO s9 SELECT 'p1', '2020-01-' || value || ' 12:00' FROM json_each('[11, 11, 12, 12, 13]');
INSERT INTO s9 SELECT 'p2', '2020-01-' || value || ' 12:00' FROM json_each('[11, 11, 12]');
INSERT INTO s9 VALUES ('p3', '2020-01-11 12:00');
SELECT group_concat(actors_at_least) FROM (SELECT * FROM stickiness('s9', 'range', 'day', 'min_events=2') ORDER BY k);
-- => 2,1,0

-- S10 test_compare_to: 12 .. 20, and the previous range 11 .. 19
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'day',
  'from=2020-01-12, to=2020-01-20, as_of=2020-01-21') ORDER BY k);
-- => 0,0,0,1,0,0,0,1,0
SELECT group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'day', 'from=2020-01-11, to=2020-01-19') ORDER BY k);
-- => 0,0,0,0,1,0,0,0,1

-- S12 test_interval_hour: 2020-01-11 00:00 .. 2020-01-12 00:00 is 25 hours; p1's noon on the
-- 12th lies after the last one
SELECT count(*), group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'hour',
  'from=2020-01-11, to=2020-01-12') ORDER BY k);
-- => 25|2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0

-- S13 test_interval_full_weeks: frozen at 2020-01-23 12:00, -30 days .. now, Sunday weeks from
-- Dec 22: 5 weeks; both actors in the weeks of Jan 5, 12 and 19
SELECT count(*), group_concat(actors), min(window_start) FROM (SELECT * FROM stickiness('ds', 'range', 'week',
  'week_start=sunday, from=2019-12-24 12:00, to=2020-01-23 12:00, as_of=2020-01-23 12:00:01') ORDER BY k);
-- => 5|0,0,2,0,0|2019-12-22

-- S14 test_interval_hour_last_days: frozen at 2020-01-20 12:00, -2 days (from the start of the
-- 18th) .. now: 48 + 12 + 1 = 61 hours; p2 in one (the 19th), p1 in two (18th and 19th)
SELECT count(*), group_concat(actors) FROM (SELECT * FROM stickiness('ds', 'range', 'hour',
  'from=2020-01-18, to=2020-01-20 12:00, as_of=2020-01-20 12:00:01') WHERE k <= 3 ORDER BY k);
-- => 3|1,1,0
SELECT count(*) FROM stickiness('ds', 'range', 'hour', 'from=2020-01-18, to=2020-01-20 12:00, as_of=2020-01-20 12:00:01');
-- => 61

-- Per window (Amplitude's user-window pairs), the default mode: Sunday weeks of Jan 5, 12, 19.
-- Week of Jan 12: p1 on 7 days (12 .. 18), p2 on 3 (13, 15, 17); weeks of Jan 5 and 19: 1 day each.
SELECT window_start, k, actors, actors_at_least, active_actors, pct, pct_at_least
FROM stickiness('ds', 'week', 'day', 'week_start=sunday') WHERE actors > 0;
-- => 2020-01-05|1|2|2|2|1.0|1.0
-- => 2020-01-12|3|1|2|2|0.5|1.0
-- => 2020-01-12|7|1|1|2|0.5|0.5
-- => 2020-01-19|1|2|2|2|1.0|1.0
-- every window lists k = 1 .. its units; the week of Jan 19 is not complete (as_of: the 20th)
SELECT window_start, count(*), max(k), min(complete) FROM stickiness('ds', 'week', 'day', 'week_start=sunday') GROUP BY window_start;
-- => 2020-01-05|7|7|1
-- => 2020-01-12|7|7|1
-- => 2020-01-19|7|7|0
-- days in month windows: January 2020 has 31
SELECT count(*), max(k), sum(actors) FROM stickiness('ds', 'month', 'day');
-- => 31|31|2
