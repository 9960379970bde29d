-- The one as_of rule (issue 15 finding 2, docs/conventions.md "as_of and the wall clock"), checked
-- for every function that reads timestamps on one hand-made data set:
--   1. as_of is the instant of the analysis: rows at or after it are not seen;
--   2. a date-only as_of is that day's midnight in tz (and a bare date in the source is a local day);
--   3. the default is the midnight after the latest row's local day;
--   4. an as_of at or before every row is an error that says so.
-- Every expectation is worked out by hand below; no value was taken from running the code.
--
-- The data: actors 1..4, date-only rows (midnight) and intraday rows (UTC):
--   actor 1: '2024-01-01' (a, 10), '2024-01-02 10:00' (b, 20)
--   actor 2: '2024-01-02' (a, 30), '2024-01-03 23:30' (b, 60)   <- the latest row
--   actor 4: '2024-01-02 20:00' (a, 40)
--   actor 3: '2024-01-03' (a, 50)
CREATE TABLE h(actor, ts, event, amount);
INSERT INTO h VALUES (1, '2024-01-01', 'a', 10), (1, '2024-01-02 10:00', 'b', 20), (2, '2024-01-02', 'a', 30),
  (4, '2024-01-02 20:00', 'a', 40), (3, '2024-01-03', 'a', 50), (2, '2024-01-03 23:30', 'b', 60);
CREATE VIEW s2 AS SELECT actor, ts FROM h;
CREATE VIEW s3 AS SELECT actor, ts, amount FROM h;
CREATE VIEW se AS SELECT actor, ts, event FROM h;
-- clv and clv_fit with every parameter given (nothing fitted: four customers pin no model down).
CREATE TABLE p(x TEXT);
INSERT INTO p VALUES ('r=0.24, alpha=4.4, a=0.79, b=2.4, p=6.25, q=3.74, v=15.4');

-- ---------------------------------------------------------------- 1. rows at as_of are not seen
-- as_of '2024-01-03' (UTC) is 2024-01-03 00:00: actor 3's only row is exactly at as_of and actor
-- 2's 23:30 row after it, so the rows seen are 1@01-01, 1@01-02 10:00 (b), 2@01-02, 4@01-02 20:00:
-- actors 1, 2, 4; per UTC day 01-01 {1}, 01-02 {1, 2, 4}; day 01-03 starts at as_of: not listed.
SELECT group_concat(customer) FROM rfm('s3', '2024-01-03');
-- => 1,2,4
-- cohorts by first day: 01-01 {1}, 01-02 {2, 4}
SELECT group_concat(cohort || ':' || cohort_size) FROM cohort_retention('s2', 'day', 'as_of=2024-01-03') WHERE period = 0;
-- => 2024-01-01:1,2024-01-02:2
SELECT group_concat(period || ':' || buyers) FROM repurchase('s2', 'day', 'as_of=2024-01-03');
-- => 2024-01-01:1,2024-01-02:3
-- new/active per day: 01-01 1/1; 01-02 new 2 and 4, active 1, 2, 4
SELECT group_concat(period || ':' || new || '/' || active) FROM lifecycle('s2', 'day', 'as_of=2024-01-03');
-- => 2024-01-01:1/1,2024-01-02:2/3
SELECT group_concat(actor || '@' || period || ':' || status) FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-03');
-- => 1@2024-01-01:new,1@2024-01-02:retained,2@2024-01-02:new,4@2024-01-02:new
-- the last observed day is 01-02 (the day of the last instant before as_of): all active on it
SELECT group_concat(actor || ':' || days_since_last) FROM actor_status('s2', '2024-01-03');
-- => 1:0,2:0,4:0
-- to_day is read as as_of: from 01-02 (actor 1 seen, new) to 01-03 (1 current, 2 and 4 new)
SELECT group_concat(coalesce(from_state, '-') || '>' || to_state || ':' || actors) FROM actor_transitions('s2', '2024-01-02', '2024-01-03');
-- => ->new:2,new>current:1
-- the range is 01-01..01-02: actor 1 on 2 days, 2 and 4 on 1, of 3 active
SELECT group_concat(window_start || ' k' || k || ':' || actors || '/' || active_actors) FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-03');
-- => 2024-01-01 k1:2/3,2024-01-01 k2:1/3
SELECT group_concat(day || ':' || dau || '/' || mau) FROM active_users('s2', 'as_of=2024-01-03');
-- => 2024-01-01:1/1,2024-01-02:3/3
SELECT group_concat(customer) FROM clv('s3', 'as_of=2024-01-03, ' || (SELECT x FROM p));
-- => 1,2,4
-- repeaters: actor 1 bought on two days
SELECT customers, repeaters FROM clv_fit('s3', 'as_of=2024-01-03, ' || (SELECT x FROM p));
-- => 3|1
-- step a by 1, 2, 4; actor 1's b is 34 hours after its a (window 1 day), actor 2's b not seen
SELECT group_concat(step || ':' || actors) FROM funnel('se', '1 day', 'a,b', 'as_of=2024-01-03');
-- => 1:3,2:0
SELECT group_concat(actor || ':' || level) FROM funnel_actors('se', '1 day', 'a,b', 'as_of=2024-01-03');
-- => 1:1,2:1,4:1

-- ---------------------------------------------------------------- 2. a date-only as_of is midnight in tz
-- With tz=+08:00, '2024-01-03' is 2024-01-03 00:00+08:00 = 2024-01-02 16:00Z. The bare dates of
-- the source are local too: 1@'2024-01-01' = 2023-12-31 16:00Z, 2@'2024-01-02' = 2024-01-01 16:00Z,
-- 3@'2024-01-03' = 2024-01-02 16:00Z (at as_of: not seen). Actor 4's 2024-01-02 20:00Z (04:00 on
-- 01-03 locally) is after as_of now, although before UTC midnight: seen are actors 1 and 2; local
-- days 01-01 {1}, 01-02 {1 (18:00 local), 2}.
SELECT group_concat(customer) FROM rfm('s3', '2024-01-03', 'tz=+08:00');
-- => 1,2
SELECT group_concat(cohort || ':' || cohort_size) FROM cohort_retention('s2', 'day', 'as_of=2024-01-03, tz=+08:00') WHERE period = 0;
-- => 2024-01-01:1,2024-01-02:1
SELECT group_concat(period || ':' || buyers) FROM repurchase('s2', 'day', 'as_of=2024-01-03, tz=+08:00');
-- => 2024-01-01:1,2024-01-02:2
SELECT group_concat(period || ':' || new || '/' || active) FROM lifecycle('s2', 'day', 'as_of=2024-01-03, tz=+08:00');
-- => 2024-01-01:1/1,2024-01-02:1/2
SELECT group_concat(actor || '@' || period || ':' || status) FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-03, tz=+08:00');
-- => 1@2024-01-01:new,1@2024-01-02:retained,2@2024-01-02:new
SELECT group_concat(actor || ':' || days_since_last) FROM actor_status('s2', '2024-01-03', 'tz=+08:00');
-- => 1:0,2:0
-- from 01-02 local midnight: only actor 1 (new); actor 2's first row is at that instant
SELECT group_concat(coalesce(from_state, '-') || '>' || to_state || ':' || actors) FROM actor_transitions('s2', '2024-01-02', '2024-01-03', 'tz=+08:00');
-- => ->new:1,new>current:1
SELECT group_concat(window_start || ' k' || k || ':' || actors || '/' || active_actors) FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-03, tz=+08:00');
-- => 2024-01-01 k1:1/2,2024-01-01 k2:1/2
SELECT group_concat(day || ':' || dau || '/' || mau) FROM active_users('s2', 'as_of=2024-01-03, tz=+08:00');
-- => 2024-01-01:1/1,2024-01-02:2/2
SELECT group_concat(customer) FROM clv('s3', 'as_of=2024-01-03, tz=+08:00, ' || (SELECT x FROM p));
-- => 1,2
SELECT customers, repeaters FROM clv_fit('s3', 'as_of=2024-01-03, tz=+08:00, ' || (SELECT x FROM p));
-- => 2|1
-- actor 1's b (01-02 18:00 local) is 42 hours after its a: step 2 stays 0
SELECT group_concat(step || ':' || actors) FROM funnel('se', '1 day', 'a,b', 'as_of=2024-01-03, tz=+08:00');
-- => 1:2,2:0
SELECT group_concat(actor || ':' || level) FROM funnel_actors('se', '1 day', 'a,b', 'as_of=2024-01-03, tz=+08:00');
-- => 1:1,2:1

-- ---------------------------------------------------------------- 3. the default as_of
-- The latest row is 2024-01-03 23:30Z: in UTC the default is 2024-01-04 00:00 (every row seen;
-- day 01-03 {2, 3} complete and listed). At +08:00 that row is 2024-01-04 07:30 local, so the
-- default is 2024-01-05 00:00 local: the UTC midnight (01-04 local) would leave it unseen.
-- Local days at +08:00: 01-01 {1}, 01-02 {1, 2}, 01-03 {4 (04:00), 3}, 01-04 {2 (07:30)}.
-- a. Each function's result without as_of equals its result with as_of the midnight after the
--    latest local day, row for row (both differences empty), and has rows.
SELECT (SELECT count(*) FROM (SELECT * FROM rfm('s3') EXCEPT SELECT * FROM rfm('s3', '2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('s3', '2024-01-04') EXCEPT SELECT * FROM rfm('s3'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('s3', NULL, 'tz=+08:00') EXCEPT SELECT * FROM rfm('s3', '2024-01-05', 'tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('s3', '2024-01-05', 'tz=+08:00') EXCEPT SELECT * FROM rfm('s3', NULL, 'tz=+08:00'))),
       (SELECT count(*) FROM rfm('s3'));
-- => 0|0|0|0|4
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('s2', 'day') EXCEPT SELECT * FROM cohort_retention('s2', 'day', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('s2', 'day', 'as_of=2024-01-04') EXCEPT SELECT * FROM cohort_retention('s2', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('s2', 'day', 'tz=+08:00') EXCEPT SELECT * FROM cohort_retention('s2', 'day', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('s2', 'day', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM cohort_retention('s2', 'day', 'tz=+08:00'))),
       (SELECT count(*) > 0 FROM cohort_retention('s2', 'day'));
-- => 0|0|0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM repurchase('s2', 'day') EXCEPT SELECT * FROM repurchase('s2', 'day', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM repurchase('s2', 'day', 'as_of=2024-01-04') EXCEPT SELECT * FROM repurchase('s2', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM repurchase('s2', 'day', 'tz=+08:00') EXCEPT SELECT * FROM repurchase('s2', 'day', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM repurchase('s2', 'day', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM repurchase('s2', 'day', 'tz=+08:00'))),
       (SELECT count(*) FROM repurchase('s2', 'day'));
-- => 0|0|0|0|3
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle('s2', 'day') EXCEPT SELECT * FROM lifecycle('s2', 'day', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('s2', 'day', 'as_of=2024-01-04') EXCEPT SELECT * FROM lifecycle('s2', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('s2', 'day', 'tz=+08:00') EXCEPT SELECT * FROM lifecycle('s2', 'day', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('s2', 'day', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM lifecycle('s2', 'day', 'tz=+08:00'))),
       (SELECT count(*) FROM lifecycle('s2', 'day'));
-- => 0|0|0|0|3
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('s2', 'day') EXCEPT SELECT * FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-04') EXCEPT SELECT * FROM lifecycle_actors('s2', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('s2', 'day', 'tz=+08:00') EXCEPT SELECT * FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM lifecycle_actors('s2', 'day', 'tz=+08:00'))),
       (SELECT count(*) > 0 FROM lifecycle_actors('s2', 'day'));
-- => 0|0|0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM actor_status('s2') EXCEPT SELECT * FROM actor_status('s2', '2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM actor_status('s2', '2024-01-04') EXCEPT SELECT * FROM actor_status('s2'))),
       (SELECT count(*) FROM (SELECT * FROM actor_status('s2', NULL, 'tz=+08:00') EXCEPT SELECT * FROM actor_status('s2', '2024-01-05', 'tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM actor_status('s2', '2024-01-05', 'tz=+08:00') EXCEPT SELECT * FROM actor_status('s2', NULL, 'tz=+08:00'))),
       (SELECT count(*) FROM actor_status('s2'));
-- => 0|0|0|0|4
SELECT (SELECT count(*) FROM (SELECT * FROM stickiness('s2', 'range', 'day') EXCEPT SELECT * FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-04') EXCEPT SELECT * FROM stickiness('s2', 'range', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM stickiness('s2', 'range', 'day', 'tz=+08:00') EXCEPT SELECT * FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM stickiness('s2', 'range', 'day', 'tz=+08:00'))),
       (SELECT count(*) FROM stickiness('s2', 'range', 'day'));
-- => 0|0|0|0|3
SELECT (SELECT count(*) FROM (SELECT * FROM active_users('s2') EXCEPT SELECT * FROM active_users('s2', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM active_users('s2', 'as_of=2024-01-04') EXCEPT SELECT * FROM active_users('s2'))),
       (SELECT count(*) FROM (SELECT * FROM active_users('s2', 'tz=+08:00') EXCEPT SELECT * FROM active_users('s2', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM active_users('s2', 'as_of=2024-01-05, tz=+08:00') EXCEPT SELECT * FROM active_users('s2', 'tz=+08:00'))),
       (SELECT count(*) FROM active_users('s2'));
-- => 0|0|0|0|3
SELECT (SELECT count(*) FROM (SELECT * FROM clv('s3', (SELECT x FROM p)) EXCEPT SELECT * FROM clv('s3', 'as_of=2024-01-04, ' || (SELECT x FROM p)))),
       (SELECT count(*) FROM (SELECT * FROM clv('s3', 'as_of=2024-01-04, ' || (SELECT x FROM p)) EXCEPT SELECT * FROM clv('s3', (SELECT x FROM p)))),
       (SELECT count(*) FROM (SELECT * FROM clv('s3', 'tz=+08:00, ' || (SELECT x FROM p)) EXCEPT SELECT * FROM clv('s3', 'as_of=2024-01-05, tz=+08:00, ' || (SELECT x FROM p)))),
       (SELECT count(*) FROM (SELECT * FROM clv('s3', 'as_of=2024-01-05, tz=+08:00, ' || (SELECT x FROM p)) EXCEPT SELECT * FROM clv('s3', 'tz=+08:00, ' || (SELECT x FROM p)))),
       (SELECT count(*) FROM clv('s3', (SELECT x FROM p)));
-- => 0|0|0|0|4
SELECT (SELECT count(*) FROM (SELECT * FROM clv_fit('s3', (SELECT x FROM p)) EXCEPT SELECT * FROM clv_fit('s3', 'as_of=2024-01-04, ' || (SELECT x FROM p)))),
       (SELECT count(*) FROM (SELECT * FROM clv_fit('s3', 'tz=+08:00, ' || (SELECT x FROM p)) EXCEPT SELECT * FROM clv_fit('s3', 'as_of=2024-01-05, tz=+08:00, ' || (SELECT x FROM p)))),
       (SELECT count(*) FROM clv_fit('s3', (SELECT x FROM p)));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM funnel('se', '1 day', 'a,b') EXCEPT SELECT * FROM funnel('se', '1 day', 'a,b', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM funnel('se', '1 day', 'a,b', 'tz=+08:00') EXCEPT SELECT * FROM funnel('se', '1 day', 'a,b', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM (SELECT * FROM funnel_actors('se', '1 day', 'a,b') EXCEPT SELECT * FROM funnel_actors('se', '1 day', 'a,b', 'as_of=2024-01-04'))),
       (SELECT count(*) FROM (SELECT * FROM funnel_actors('se', '1 day', 'a,b', 'tz=+08:00') EXCEPT SELECT * FROM funnel_actors('se', '1 day', 'a,b', 'as_of=2024-01-05, tz=+08:00'))),
       (SELECT count(*) FROM funnel_actors('se', '1 day', 'a,b'));
-- => 0|0|0|0|4
-- b. What the default shows, by hand. UTC: every actor; the last observed day is 01-03, so
--    actor_status's days since the last row are 1 (actor 1, 01-02), 0 (2), 0 (3), 1 (4), and
--    day 01-03 is listed, new 3, active 2 and 3. At +08:00 the last observed day is 01-04:
--    2 (actor 1, 01-02), 0 (2), 1 (3), 1 (4), and day 01-04 is listed with actor 2 alone.
SELECT group_concat(customer) FROM rfm('s3');
-- => 1,2,3,4
SELECT group_concat(actor || ':' || days_since_last) FROM actor_status('s2');
-- => 1:1,2:0,3:0,4:1
SELECT group_concat(actor || ':' || days_since_last) FROM actor_status('s2', NULL, 'tz=+08:00');
-- => 1:2,2:0,3:1,4:1
SELECT group_concat(period || ':' || new || '/' || active) FROM lifecycle('s2', 'day');
-- => 2024-01-01:1/1,2024-01-02:2/3,2024-01-03:1/2
SELECT group_concat(period || ':' || new || '/' || active) FROM lifecycle('s2', 'day', 'tz=+08:00');
-- => 2024-01-01:1/1,2024-01-02:1/2,2024-01-03:2/2,2024-01-04:0/1
-- cohorts by first local day at +08:00: 01-01 {1}, 01-02 {2}, 01-03 {3, 4}; the last day complete
SELECT group_concat(cohort || ':' || cohort_size || ':' || complete) FROM cohort_retention('s2', 'day', 'tz=+08:00') WHERE period = 0;
-- => 2024-01-01:1:1,2024-01-02:1:1,2024-01-03:2:1
SELECT group_concat(period || ':' || buyers) FROM repurchase('s2', 'day', 'tz=+08:00');
-- => 2024-01-01:1,2024-01-02:2,2024-01-03:2,2024-01-04:1
-- the range runs 01-01..01-04 local: k = 1..4; actors 1 and 2 on 2 days, 3 and 4 on 1
SELECT group_concat(window_start || ' k' || k || ':' || actors || '/' || active_actors) FROM stickiness('s2', 'range', 'day', 'tz=+08:00');
-- => 2024-01-01 k1:2/4,2024-01-01 k2:2/4,2024-01-01 k3:0/4,2024-01-01 k4:0/4
SELECT group_concat(day || ':' || dau || '/' || mau) FROM active_users('s2', 'tz=+08:00');
-- => 2024-01-01:1/1,2024-01-02:2/2,2024-01-03:2/4,2024-01-04:1/4
-- actor 2 bought on two local days (01-02, 01-04) as did actor 1: 4 customers, 2 repeaters
SELECT customers, repeaters FROM clv_fit('s3', 'tz=+08:00, ' || (SELECT x FROM p));
-- => 4|2
SELECT group_concat(step || ':' || actors) FROM funnel('se', '1 day', 'a,b');
-- => 1:4,2:0
-- actor_transitions has no default (to_day is required); to_day = the default as_of gives, from
-- 01-02: actor 1 new -> at_risk_wau (active 01-02, not on 01-03), 2 -> current (first day 01-02,
-- active 01-03), 3 -> new, 4 -> at_risk_wau.
SELECT group_concat(coalesce(from_state, '-') || '>' || to_state || ':' || actors) FROM actor_transitions('s2', '2024-01-02', '2024-01-04');
-- => ->new:1,->current:1,->at_risk_wau:1,new>at_risk_wau:1

-- ---------------------------------------------------------------- 4. an as_of before every row
-- The first row is actor 1's '2024-01-01' = 2024-01-01 00:00: an as_of at it sees nothing.
SELECT * FROM rfm('s3', '2024-01-01');
-- => error: rfm: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM cohort_retention('s2', 'day', 'as_of=2024-01-01');
-- => error: cohort_retention: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM repurchase('s2', 'day', 'as_of=2024-01-01');
-- => error: repurchase: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM lifecycle('s2', 'day', 'as_of=2024-01-01');
-- => error: lifecycle: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM lifecycle_actors('s2', 'day', 'as_of=2024-01-01');
-- => error: lifecycle_actors: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM actor_status('s2', '2024-01-01');
-- => error: actor_status: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM actor_transitions('s2', '2024-01-01', '2024-01-01');
-- => error: actor_transitions: to_day 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM stickiness('s2', 'range', 'day', 'as_of=2024-01-01');
-- => error: stickiness: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM active_users('s2', 'as_of=2024-01-01');
-- => error: active_users: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM clv('s3', 'as_of=2024-01-01, ' || (SELECT x FROM p));
-- => error: clv: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM clv_fit('s3', 'as_of=2024-01-01, ' || (SELECT x FROM p));
-- => error: clv_fit: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM funnel('se', '1 day', 'a,b', 'as_of=2024-01-01');
-- => error: funnel: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
SELECT * FROM funnel_actors('se', '1 day', 'a,b', 'as_of=2024-01-01');
-- => error: funnel_actors: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
-- In tz the first row is local 2024-01-01 00:00 too (a bare date), so '2024-01-01' at +08:00
-- is at it as well: an error in local times.
SELECT * FROM rfm('s3', '2024-01-01', 'tz=+08:00');
-- => error: rfm: as_of 2024-01-01 00:00:00 is not after the first row (2024-01-01 00:00:00): no row would be seen
-- One second later sees actor 1's first row.
SELECT group_concat(actor) FROM actor_status('s2', '2024-01-01 00:00:01');
-- => 1
