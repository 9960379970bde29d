-- paths(), path_actors() and churn_points(): path vectors through SQL (tests/vectors/paths.md,
-- settings as written there), orders and ties, sessions and seq, and hand-worked examples.

-- P10 (PostHog v1 test_person_dropoffs): 5 users stop at step two, 10 at step three, 20 at
-- step four. Drop-off, reached and went-on counts per step: 5/35/30, 10/30/20, 20/20/0.
CREATE TABLE p10(actor, ts, event);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 34)
INSERT INTO p10 SELECT i, '2012-01-01 00:00:00', 'step one' FROM n
  UNION ALL SELECT i, '2012-01-01 00:04:00', 'step two' FROM n
  UNION ALL SELECT i, '2012-01-01 00:05:00', 'step three' FROM n WHERE i >= 5
  UNION ALL SELECT i, '2012-01-01 00:06:00', 'step four' FROM n WHERE i >= 15;
SELECT kind, step, from_event, to_event, actors, journeys FROM paths('p10') WHERE step >= 2;
-- => node|2|step two|NULL|35|35
-- => edge|2|step two|step three|30|30
-- => dropoff|2|step two|NULL|5|5
-- => node|3|step three|NULL|30|30
-- => edge|3|step three|step four|20|20
-- => dropoff|3|step three|NULL|10|10
-- => node|4|step four|NULL|20|20
-- => dropoff|4|step four|NULL|20|20
-- percentages: of the actors at step 1 (35), and of the actors at the edge's from node
SELECT step, round(pct_of_anchor, 4), round(pct_of_from, 4) FROM paths('p10') WHERE kind = 'edge';
-- => 1|1.0|1.0
-- => 2|0.8571|0.8571
-- => 3|0.5714|0.6667

-- P2 (PostHog v1 test_step_conversion_times, stepLimit 4): averages 1.5, 3 and 3 minutes.
-- Median of two gaps (60 and 120 s) is their mean; p90 by nearest rank is the larger.
CREATE TABLE p2(actor, ts, event);
INSERT INTO p2 VALUES ('fake', '2012-01-01 03:21:34', '/1'), ('fake', '2012-01-01 03:22:34', '/2'),
  ('fake', '2012-01-01 03:24:34', '/3'), ('fake', '2012-01-01 03:27:34', '/4'),
  ('fake2', '2012-01-01 03:21:34', '/1'), ('fake2', '2012-01-01 03:23:34', '/2'), ('fake2', '2012-01-01 03:27:34', '/3');
SELECT step, from_event, to_event, journeys, avg_seconds, median_seconds, p90_seconds
FROM paths('p2', 'steps=4, timing=last') WHERE kind = 'edge';
-- => 1|/1|/2|2|90.0|90.0|120.0
-- => 2|/2|/3|2|180.0|180.0|240.0
-- => 3|/3|/4|1|180.0|180.0|180.0

-- P23 (PostHog v2 test_anchored_end_anchor_reads_backward): end anchor x; steps count back from
-- it, edges keep time order; a drop-off row marks where an uncut journey began.
CREATE TABLE p23(actor, ts, event);
INSERT INTO p23 VALUES ('p1', '2023-03-10 10:00', 'a'), ('p1', '2023-03-10 10:05', 'b'), ('p1', '2023-03-10 10:10', 'x'),
  ('p2', '2023-03-10 10:00', 'c'), ('p2', '2023-03-10 10:05', 'b'), ('p2', '2023-03-10 10:10', 'x');
SELECT kind, step, from_event, to_event, actors FROM paths('p23', 'end=x');
-- => node|-2|a|NULL|1
-- => node|-2|c|NULL|1
-- => edge|-2|a|b|1
-- => edge|-2|c|b|1
-- => dropoff|-2|a|NULL|1
-- => dropoff|-2|c|NULL|1
-- => node|-1|b|NULL|2
-- => edge|-1|b|x|2
-- => node|0|x|NULL|2

-- P6 (PostHog v1 test_start_and_end, stepLimit 4): between /2 and /about the middle becomes
-- "..."; trailing slashes cleaned by group rules as PostHog does.
CREATE TABLE p5(actor, ts, event);
INSERT INTO p5 VALUES ('person_1', '2021-05-01 00:00', '/1'), ('person_1', '2021-05-01 00:01', '/2'),
  ('person_1', '2021-05-01 00:02', '/3/'), ('person_1', '2021-05-01 00:03', '/4/'), ('person_1', '2021-05-01 00:04', '/5'),
  ('person_1', '2021-05-01 00:05', '/about'), ('person_1', '2021-05-01 00:06', '/after/'),
  ('person_2', '2021-05-01 00:00', '/5'), ('person_2', '2021-05-01 00:01', '/about'),
  ('person_3', '2021-05-01 00:00', '/3/'), ('person_3', '2021-05-01 00:01', '/4'),
  ('person_3', '2021-05-01 00:02', '/about/'), ('person_3', '2021-05-01 00:03', '/after');
SELECT step, from_event, to_event, journeys, avg_seconds
FROM paths('p5', 'start=/2, end=/about, steps=4, group=(/3/=>/3;/4/=>/4;/about/=>/about)') WHERE kind = 'edge';
-- => 0|/2|/3|1|60.0
-- => 1|/3|...|1|60.0
-- => 2|...|/5|1|60.0
-- => 3|/5|/about|1|60.0
SELECT actor, journey, path, length, dropped, last_event
FROM path_actors('p5', 'start=/2, end=/about, steps=4, group=(/3/=>/3;/4/=>/4;/about/=>/about)');
-- => person_1|1|/2 > /3 > ... > /5 > /about|5|1|/about
-- P6 first case: between /5 and /about: person_1 and person_2
SELECT actor, path FROM path_actors('p5', 'start=/5, end=/about');
-- => person_1|/5 > /about
-- => person_2|/5 > /about

-- P22 (PostHog v2 anchored start with a 30-minute window): p1's b at 40 minutes is outside the
-- window (a drop-off at a), p2 has no a, p3 goes on to b.
CREATE TABLE p22(actor, ts, event);
INSERT INTO p22 VALUES ('p1', '2023-03-10 10:00', 'a'), ('p1', '2023-03-10 10:40', 'b'),
  ('p2', '2023-03-10 10:00', 'b'), ('p2', '2023-03-10 10:05', 'c'),
  ('p3', '2023-03-10 10:00', 'a'), ('p3', '2023-03-10 10:20', 'b');
SELECT kind, step, from_event, to_event, actors FROM paths('p22', 'start=a, window=30 minutes');
-- => node|0|a|NULL|2
-- => edge|0|a|b|1
-- => dropoff|0|a|NULL|1
-- => node|1|b|NULL|1
-- => dropoff|1|b|NULL|1

-- P18 (PostHog v2, maxRowsPerStep 1 = top=1): m2 and m3 of one actor merge into $other and
-- count that actor once.
CREATE TABLE p18(actor, ts, event);
INSERT INTO p18 VALUES ('p1', '2023-03-10 10:00', 'x'), ('p1', '2023-03-10 10:05', 'm1'),
  ('p2', '2023-03-10 10:00', 'x'), ('p2', '2023-03-10 10:05', 'm2'),
  ('p2', '2023-03-10 14:00', 'x'), ('p2', '2023-03-10 14:05', 'm3'),
  ('p3', '2023-03-10 10:00', 'x'), ('p3', '2023-03-10 10:05', 'm1');
SELECT kind, step, from_event, to_event, actors, journeys FROM paths('p18', 'top=1');
-- => node|1|x|NULL|3|4
-- => edge|1|x|m1|2|2
-- => edge|1|x|$other|1|2
-- => node|2|m1|NULL|2|2
-- => node|2|$other|NULL|1|2
-- => dropoff|2|m1|NULL|2|2
-- => dropoff|2|$other|NULL|1|2
-- min_actors leaves out rows under it
SELECT kind, step, from_event, to_event FROM paths('p18', 'top=1, min_actors=2');
-- => node|1|x|NULL
-- => edge|1|x|m1
-- => node|2|m1|NULL
-- => dropoff|2|m1|NULL

-- P15 (PostHog v2 test_gap_boundary): exactly 30 minutes keeps the journey, a second more splits
SELECT count(*) FROM paths('SELECT 1, ''2023-03-10 10:00:00'', ''a'' UNION ALL SELECT 1, ''2023-03-10 10:30:00'', ''b''')
WHERE kind = 'edge';
-- => 1
SELECT count(*) FROM paths('SELECT 1, ''2023-03-10 10:00:00'', ''a'' UNION ALL SELECT 1, ''2023-03-10 10:30:01'', ''b''')
WHERE kind = 'edge';
-- => 0
-- gap=none: one journey per actor; gap='1 hour' keeps both
SELECT path FROM path_actors('SELECT 1, ''2023-03-10 10:00:00'', ''a'' UNION ALL SELECT 1, ''2023-03-11 10:00:00'', ''b''', 'gap=none');
-- => a > b
SELECT path FROM path_actors('SELECT 1, ''2023-03-10 10:00:00'', ''a'' UNION ALL SELECT 1, ''2023-03-10 10:50:00'', ''b''', 'gap=1 hour');
-- => a > b

-- P16 (PostHog v2 test_collapse_repeats): a a b
SELECT path FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''a'' UNION ALL SELECT 1, 120, ''b''');
-- => a > b
SELECT path FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''a'' UNION ALL SELECT 1, 120, ''b''', 'no_collapse');
-- => a > a > b
-- collapse keeps the first of a run: a's time is 0, b's 120 (timing=first); timing=last: a's 60
SELECT avg_seconds FROM paths('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''a'' UNION ALL SELECT 1, 120, ''b''') WHERE kind = 'edge';
-- => 120.0
SELECT avg_seconds FROM paths('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''a'' UNION ALL SELECT 1, 120, ''b''', 'timing=last') WHERE kind = 'edge';
-- => 60.0

-- P20 (exclude bridges neighbours) and Mixpanel's actor exclusion
SELECT path FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''x'' UNION ALL SELECT 1, 120, ''b'' UNION ALL SELECT 2, 0, ''x''', 'exclude=x');
-- => a > b
SELECT actor, path FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''x'' UNION ALL SELECT 2, 0, ''a'' UNION ALL SELECT 2, 60, ''b''', 'exclude_actors=x');
-- => 2|a > b
SELECT actor, path FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''x'' UNION ALL SELECT 2, 0, ''b''', 'include=a;b');
-- => 1|a
-- => 2|b

-- Ties: rows at one instant are ordered by seq, then by the event's bytes (ClickHouse's order),
-- whatever order they arrive in
SELECT path FROM path_actors('SELECT 1, 0, ''b'' UNION ALL SELECT 1, 0, ''a'' UNION ALL SELECT 1, 0, ''C''');
-- => C > a > b
SELECT path FROM path_actors('SELECT 1, 0, ''b'', ''s'', 1 UNION ALL SELECT 1, 0, ''a'', ''s'', 2 UNION ALL SELECT 1, 0, ''c'', ''s'', 0');
-- => c > b > a
-- a session column replaces the gap: a new journey where the session changes
SELECT journey, path FROM path_actors('SELECT 1, 0, ''a'', ''s1'' UNION ALL SELECT 1, 60, ''b'', ''s1'' UNION ALL SELECT 1, 120, ''c'', ''s2''');
-- => 1|a > b
-- => 2|c
-- events are text: 1 and '1' are one event; a NULL event is no row
SELECT path FROM path_actors('SELECT 1, 0, 1 UNION ALL SELECT 1, 60, ''1'' UNION ALL SELECT 1, 90, NULL UNION ALL SELECT 1, 120, 2.5');
-- => 1 > 2.5
-- occurrence=every: one journey from the first anchor of each gap-separated journey
SELECT count(*), sum(length) FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''b'' UNION ALL SELECT 1, 7200, ''a''', 'start=a, occurrence=every');
-- => 2|3
SELECT count(*), sum(length) FROM path_actors('SELECT 1, 0, ''a'' UNION ALL SELECT 1, 60, ''b'' UNION ALL SELECT 1, 7200, ''a''', 'start=a');
-- => 1|2
-- an anchor that never occurs: no rows
SELECT count(*) FROM paths('p2', 'start=/nowhere');
-- => 0
-- no rows in, no rows out
SELECT count(*) FROM paths('SELECT 1, 2, 3 WHERE 0');
-- => 0

-- path_actors: start_ts, end_ts (UTC text), dropped = not cut by steps
SELECT actor, journey, start_ts, end_ts, length, dropped, last_event FROM path_actors('p2', 'steps=3');
-- => fake|1|2012-01-01 03:21:34|2012-01-01 03:24:34|3|0|/3
-- => fake2|1|2012-01-01 03:21:34|2012-01-01 03:27:34|3|1|/3
-- actors in SQLite's order of their values, not in the order they arrived
SELECT group_concat(actor, ',') FROM path_actors('SELECT ''b'', 0, ''x'' UNION ALL SELECT 2, 0, ''x'' UNION ALL SELECT ''a'', 0, ''x'' UNION ALL SELECT 1.5, 0, ''x''');
-- => 1.5,2,a,b

-- churn_points by hand: as_of day 100, churned 30 days (day 0 = 2024-01-01).
--   u0: x day 1, y day 50  (50 days)   u1: y day 60 (40)   u2: x day 90 (10: active)
--   u3: y day 65, z day 70 (exactly 30: churned, "at least")   u4: y 65, y 66 (34)
-- depth 1: y 3 actors, median of 50, 40, 34 = 40; z 1 (30). Share of the 4 churned.
CREATE TABLE ch(actor, ts, event);
INSERT INTO ch VALUES ('u0', date('2024-01-01', '+1 day'), 'x'), ('u0', date('2024-01-01', '+50 days'), 'y'),
  ('u1', date('2024-01-01', '+60 days'), 'y'), ('u2', date('2024-01-01', '+90 days'), 'x'),
  ('u3', date('2024-01-01', '+65 days'), 'y'), ('u3', date('2024-01-01', '+70 days'), 'z'),
  ('u4', date('2024-01-01', '+65 days'), 'y'), ('u4', date('2024-01-01', '+66 days'), 'y');
SELECT * FROM churn_points('ch', date('2024-01-01', '+100 days'));
-- => y|3|0.75|40.0
-- => z|1|0.25|30.0
-- depth 2, collapse (default): x > y (50), y (40 and 34: 37), y > z (30)
SELECT * FROM churn_points('ch', date('2024-01-01', '+100 days'), 'depth=2');
-- => y|2|0.5|37.0
-- => x > y|1|0.25|50.0
-- => y > z|1|0.25|30.0
SELECT last_events, actors FROM churn_points('ch', date('2024-01-01', '+100 days'), 'depth=2, no_collapse');
-- => x > y|1
-- => y|1
-- => y > y|1
-- => y > z|1
-- churned='45 days': u0 (50) only
SELECT * FROM churn_points('ch', date('2024-01-01', '+100 days'), 'churned=45 days');
-- => y|1|1.0|50.0
-- the as_of rule: rows at or after as_of are not seen. As of day 66, u4's day-66 row is unseen
-- and nobody is 30 days away except u0 (last day 50: 16 days): no rows; as of day 81, u0 (31).
SELECT count(*) FROM churn_points('ch', date('2024-01-01', '+66 days'));
-- => 0
SELECT last_events, actors FROM churn_points('ch', date('2024-01-01', '+81 days'));
-- => y|1
-- the default as_of: the midnight after the latest row's day (day 91): u0 41, u1 31 days
SELECT last_events, actors, median_days_since_last FROM churn_points('ch');
-- => y|2|36.0
-- exclude removes rows before everything: without y, u1 and u4 have no rows; u0's last is x
-- (day 1, 99 days), u3's z
SELECT last_events, actors FROM churn_points('ch', date('2024-01-01', '+100 days'), 'exclude=y');
-- => x|1
-- => z|1

-- Names alike in length and first bytes, an empty name and names past 48 bytes stay apart
-- (read_row finds names met before by their length and first 8 bytes, then the rest).
CREATE TABLE alike(actor, ts, event);
INSERT INTO alike VALUES (1, '2024-01-01 00:00:00', 'checkout_step_01'), (1, '2024-01-01 00:01:00', 'checkout_step_02'),
  (1, '2024-01-01 00:02:00', ''), (1, '2024-01-01 00:03:00', 'checkout_step_01'),
  (2, '2024-01-01 00:00:00', 'checkout_step_02'), (2, '2024-01-01 00:01:00', 'checkout'),
  (2, '2024-01-01 00:02:00', printf('%.60c', 'a') || 'x'), (2, '2024-01-01 00:03:00', printf('%.60c', 'a') || 'y');
SELECT actor, path FROM path_actors('alike', 'steps=4');
-- => 1|checkout_step_01 > checkout_step_02 >  > checkout_step_01
-- => 2|checkout_step_02 > checkout > aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaax > aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaay
