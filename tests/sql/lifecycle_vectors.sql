-- lifecycle(): PostHog's lifecycle test vectors L1-L14 and Amplitude's documented examples (L15).
-- Provenance and the upstream results: tests/vectors/engagement.md (PostHog
-- test_lifecycle_query_runner.py and the legacy test_lifecycle.py; Amplitude's lifecycle docs).
-- Each query prints new | retained | resurrecting | -dormant as PostHog's arrays (PostHog returns
-- dormant negative; PostHog's "returning" is our `retained`). Where our default (new = the first
-- period of the source's whole history) differs from PostHog (new = created_at's period), the
-- test shows both: the default, and compat=posthog with the person's created_at as first_seen.

-- DL: p1 11, 12, 13, 15, 17, 19; p2 09, 12; p3 12; p4 15 (2020-01, 12:00 UTC).
CREATE TABLE dl(actor TEXT, ts TEXT);
INSERT INTO dl VALUES ('p1', '2020-01-11 12:00:00'), ('p1', '2020-01-12 12:00:00'), ('p1', '2020-01-13 12:00:00'),
  ('p1', '2020-01-15 12:00:00'), ('p1', '2020-01-17 12:00:00'), ('p1', '2020-01-19 12:00:00'),
  ('p2', '2020-01-09 12:00:00'), ('p2', '2020-01-12 12:00:00'), ('p3', '2020-01-12 12:00:00'),
  ('p4', '2020-01-15 12:00:00');

-- L1 test_lifecycle_query_whole_range: day, 2020-01-09 .. 19 (the data's own range: the default)
SELECT group_concat(period, ' ') FROM (SELECT period FROM lifecycle('dl', 'day') ORDER BY period);
-- => 2020-01-09 2020-01-10 2020-01-11 2020-01-12 2020-01-13 2020-01-14 2020-01-15 2020-01-16 2020-01-17 2020-01-18 2020-01-19
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('dl', 'day') ORDER BY period);
-- => 1,0,1,1,0,0,1,0,0,0,0|0,0,0,1,1,0,0,0,0,0,0|0,0,0,1,0,0,1,0,1,0,1|0,-1,0,0,-2,-1,0,-2,0,-1,0
-- PostHog's totals: new 4, returning 2, resurrecting 4, dormant -7
SELECT sum(new), sum(retained), sum(resurrecting), -sum(dormant) FROM lifecycle('dl', 'day');
-- => 4|2|4|-7
-- compat=posthog without first_seen (created_at = the first event, as the test's freeze_time): the same
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('dl', 'day', 'compat=posthog') ORDER BY period);
-- => 1,0,1,1,0,0,1,0,0,0,0|0,0,0,1,1,0,0,0,0,0,0|0,0,0,1,0,0,1,0,1,0,1|0,-1,0,0,-2,-1,0,-2,0,-1,0

-- L2 test_events_query_whole_range: p1 is dormant on 2020-01-20, the day after its last. PostHog
-- computes that row and filters it out; here it is listed once as_of lets the 20th be seen.
SELECT period, dormant, dormant_from_resurrecting, complete FROM lifecycle('dl', 'day', 'as_of=2020-01-21')
WHERE period >= '2020-01-19';
-- => 2020-01-19|0|0|1
-- => 2020-01-20|1|1|1
SELECT actor, status, prev_status FROM lifecycle_actors('dl', 'day', 'as_of=2020-01-21') WHERE period = '2020-01-20';
-- => p1|dormant|resurrecting

-- L3 test_events_query_partial_range: 2020-01-12 .. 14, one row per (actor, period). PostHog's
-- look-back row (11, new) p1 lies before the range and is not listed.
SELECT period, actor, status FROM lifecycle_actors('dl', 'day', 'from=2020-01-12, to=2020-01-14') ORDER BY period, actor;
-- => 2020-01-12|p1|retained
-- => 2020-01-12|p2|resurrecting
-- => 2020-01-12|p3|new
-- => 2020-01-13|p1|retained
-- => 2020-01-13|p2|dormant
-- => 2020-01-13|p3|dormant
-- => 2020-01-14|p1|dormant

-- L4 test_lifecycle_trend: 2020-01-12 .. 19 (p1 is retained on the 12th thanks to the 11th)
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('dl', 'day', 'from=2020-01-12, to=2020-01-19') ORDER BY period);
-- => 1,0,0,1,0,0,0,0|1,1,0,0,0,0,0,0|1,0,0,1,0,1,0,1|0,-2,-1,0,-2,0,-1,0
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('dl', 'day', 'from=2020-01-12, to=2020-01-19, compat=posthog') ORDER BY period);
-- => 1,0,0,1,0,0,0,0|1,1,0,0,0,0,0,0|1,0,0,1,0,1,0,1|0,-2,-1,0,-2,0,-1,0

-- L5 legacy test_lifecycle_edge_cases: the person was created on the 11th, a day before its first
-- event. PostHog: resurrecting on the 12th, never new. Our default: new on the 12th (its first
-- activity). Range 11 .. 18 (as_of the 19th, so the 17th and 18th are listed).
CREATE TABLE l5(actor, ts, created_at);
INSERT INTO l5 VALUES ('person1', '2020-01-12 12:00:00', '2020-01-11 12:00:00'), ('person1', '2020-01-13 12:00:00', '2020-01-11 12:00:00'),
  ('person1', '2020-01-15 12:00:00', '2020-01-11 12:00:00'), ('person1', '2020-01-16 12:00:00', '2020-01-11 12:00:00');
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l5', 'day', 'compat=posthog, from=2020-01-11, to=2020-01-18, as_of=2020-01-19') ORDER BY period);
-- => 0,0,0,0,0,0,0,0|0,0,1,0,0,1,0,0|0,1,0,0,1,0,0,0|0,0,0,-1,0,0,-1,0
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('SELECT actor, ts FROM l5', 'day', 'from=2020-01-11, to=2020-01-18, as_of=2020-01-19') ORDER BY period);
-- => 0,1,0,0,0,0,0,0|0,0,1,0,0,1,0,0|0,0,0,0,1,0,0,0|0,0,0,-1,0,0,-1,0

-- L6 test_lifecycle_trends_distinct_id_repeat: two distinct ids of one person are one actor
-- (the source maps them); events 12, 14, 15, 17, 19
CREATE TABLE l6(distinct_id, ts);
INSERT INTO l6 VALUES ('a', '2020-01-12 12:00:00'), ('another_a', '2020-01-14 12:00:00'), ('a', '2020-01-15 12:00:00'),
  ('a', '2020-01-17 12:00:00'), ('another_a', '2020-01-19 12:00:00');
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('SELECT ''person1'', ts FROM l6', 'day') ORDER BY period);
-- => 1,0,0,0,0,0,0,0|0,0,0,1,0,0,0,0|0,0,1,0,0,1,0,1|0,-1,0,0,-1,0,-1,0

-- L7 test_lifecycle_trend_prop_filtering: only p1's rows pass the filter (the user's WHERE); the
-- persons were created after every event, so PostHog never says new. Our default agrees here:
-- p1's first activity (the 11th) lies before the range.
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('SELECT actor, ts FROM dl WHERE actor = ''p1''', 'day', 'from=2020-01-12, to=2020-01-19') ORDER BY period);
-- => 0,0,0,0,0,0,0,0|1,1,0,0,0,0,0,0|0,0,0,1,0,1,0,1|0,0,-1,0,-1,0,-1,0
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('SELECT actor, ts, ''2024-06-01'' FROM dl WHERE actor = ''p1''', 'day',
                              'from=2020-01-12, to=2020-01-19, compat=posthog') ORDER BY period);
-- => 0,0,0,0,0,0,0,0|1,1,0,0,0,0,0,0|0,0,0,1,0,1,0,1|0,0,-1,0,-1,0,-1,0

-- L8 test_lifecycle_trend_weeks_sunday / _monday: from 2020-02-05 (mid-week, rounded down to
-- its week) to 2020-03-09; as_of 2020-03-10 so the last week is listed
CREATE TABLE l8(actor, ts);
INSERT INTO l8 VALUES ('p1', '2020-02-01 12:00:00'), ('p1', '2020-02-05 12:00:00'), ('p1', '2020-02-10 12:00:00'),
  ('p1', '2020-02-15 12:00:00'), ('p1', '2020-02-27 12:00:00'), ('p1', '2020-03-02 12:00:00'),
  ('p2', '2020-02-11 12:00:00'), ('p2', '2020-02-18 12:00:00'), ('p3', '2020-02-12 12:00:00'), ('p4', '2020-02-27 12:00:00');
SELECT group_concat(period, ' '), group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l8', 'week', 'week_start=sunday, from=2020-02-05, to=2020-03-09, as_of=2020-03-10') ORDER BY period);
-- => 2020-02-02 2020-02-09 2020-02-16 2020-02-23 2020-03-01 2020-03-08|0,2,0,1,0,0|1,1,1,0,1,0|0,0,0,1,0,0|0,0,-2,-1,-1,-1
SELECT group_concat(period, ' '), group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l8', 'week', 'from=2020-02-05, to=2020-03-09, as_of=2020-03-10') ORDER BY period);
-- => 2020-02-03 2020-02-10 2020-02-17 2020-02-24 2020-03-02 2020-03-09|0,2,0,1,0,0|1,1,1,0,1,0|0,0,0,1,0,0|0,0,-2,-1,-1,-1

-- L9 test_lifecycle_trend_months: 2020-02 .. 2020-09
CREATE TABLE l9(actor, ts);
INSERT INTO l9 VALUES ('p1', '2020-01-11 12:00:00'), ('p1', '2020-02-12 12:00:00'), ('p1', '2020-03-13 12:00:00'),
  ('p1', '2020-05-15 12:00:00'), ('p1', '2020-07-17 12:00:00'), ('p1', '2020-09-19 12:00:00'),
  ('p2', '2019-12-09 12:00:00'), ('p2', '2020-02-12 12:00:00'), ('p3', '2020-02-12 12:00:00'), ('p4', '2020-05-15 12:00:00');
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l9', 'month', 'from=2020-02-01, to=2020-09-01') ORDER BY period);
-- => 1,0,0,1,0,0,0,0|1,1,0,0,0,0,0,0|1,0,0,1,0,1,0,1|0,-2,-1,0,-2,0,-1,0

-- L10 test_timezones: p1's first two events at 2020-01-11T23:00Z and 2020-01-12T01:00Z. In UTC
-- the result is L4's; in US/Pacific (January: -08:00) both fall on the 11th.
CREATE TABLE l10 AS SELECT * FROM dl WHERE NOT (actor = 'p1' AND ts < '2020-01-13');
INSERT INTO l10 VALUES ('p1', '2020-01-11T23:00:00Z'), ('p1', '2020-01-12T01:00:00Z');
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l10', 'day', 'from=2020-01-12, to=2020-01-19') ORDER BY period);
-- => 1,0,0,1,0,0,0,0|1,1,0,0,0,0,0,0|1,0,0,1,0,1,0,1|0,-2,-1,0,-2,0,-1,0
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('l10', 'day', 'tz=-08:00, from=2020-01-12, to=2020-01-19') ORDER BY period);
-- => 1,0,0,1,0,0,0,0|0,0,0,0,0,0,0,0|1,1,0,1,0,1,0,1|-1,-2,-1,0,-2,0,-1,0

-- L11 test_lifecycle_interval_boundary_filtering (PostHog frozen at 2020-01-20: our default as_of)
SELECT group_concat(period, ' '), group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('dl', 'week', 'week_start=sunday, from=2020-01-14, to=2020-01-19') ORDER BY period);
-- => 2020-01-12 2020-01-19|2,0|2,1|0,0|0,-3
SELECT period, new, retained, resurrecting, dormant FROM lifecycle('dl', 'month', 'from=2020-01-14, to=2020-01-19');
-- => 2020-01-01|4|0|0|0

-- L12 test_lifecycle_query_group_0: aggregated by a group (any column can be the actor)
CREATE TABLE l12(org, person, ts);
INSERT INTO l12 SELECT 'org:5', 'p' || (value % 3), '2020-01-' || printf('%02d', value) || ' 12:00:00'
FROM json_each('[9, 11, 12, 13, 15, 17, 18, 19]');
SELECT group_concat(new), group_concat(retained), group_concat(resurrecting), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('SELECT org, ts FROM l12', 'day') ORDER BY period);
-- => 1,0,0,0,0,0,0,0,0,0,0|0,0,0,1,1,0,0,0,0,1,1|0,0,1,0,0,0,1,0,1,0,0|0,-1,0,0,0,-1,0,-1,0,0,0

-- L13 test_excludes_personless_events: rows without a person (NULL actor) are skipped
CREATE TABLE l13(actor, ts);
INSERT INTO l13 SELECT 'p1', '2020-01-' || value || ' 12:00:00' FROM json_each('[11, 12, 13, 14]');
INSERT INTO l13 SELECT 'p2', '2020-01-' || value || ' 12:00:00' FROM json_each('[11, 12]');
INSERT INTO l13 SELECT NULL, '2020-01-' || value || ' 12:00:00' FROM json_each('[11, 12, 13, 14, 11, 12]');
SELECT group_concat(new), group_concat(resurrecting), group_concat(active)
FROM (SELECT * FROM lifecycle('l13', 'day') ORDER BY period);
-- => 2,0,0,0|0,0,0,0|2,2,1,1

-- L14 test_dormant_on_dst: US/Pacific as the fixed offset of that morning (-08:00); the UTC bounds
-- become local days 2025-03-08 .. 11. -07:00 gives the same.
SELECT group_concat(period, ' '), group_concat(new), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('VALUES (''u'', ''2025-03-09T12:00:00Z'')', 'day',
      'tz=-08:00, from=2025-03-09T00:00:00Z, to=2025-03-12T00:00:00Z, as_of=2025-03-12') ORDER BY period);
-- => 2025-03-08 2025-03-09 2025-03-10 2025-03-11|0,1,0,0|0,0,-1,0
SELECT group_concat(period, ' '), group_concat(new), group_concat(-dormant)
FROM (SELECT * FROM lifecycle('VALUES (''u'', ''2025-03-09T12:00:00Z'')', 'day',
      'tz=-07:00, from=2025-03-09T00:00:00Z, to=2025-03-12T00:00:00Z, as_of=2025-03-12') ORDER BY period);
-- => 2025-03-08 2025-03-09 2025-03-10 2025-03-11|0,1,0,0|0,0,-1,0

-- L15 Amplitude's examples, weeks from Monday 2018-10-01: a is new in Oct 1-7; b is active in
-- Oct 1-7 and 8-14, so current (retained) in 8-14; c is active Sep 30, not Oct 1-7, again Oct 9:
-- resurrected in 8-14; a, new in Oct 1-7 and gone on Oct 8, is a dormant new user in 8-14 (and
-- c, new in the week of Sep 24 and away in Oct 1-7, one of Oct 1-7).
CREATE TABLE l15(actor, ts);
INSERT INTO l15 VALUES ('a', '2018-10-02'), ('b', '2018-10-03'), ('b', '2018-10-10'), ('c', '2018-09-30'), ('c', '2018-10-09');
SELECT period, new, retained, resurrecting, dormant, dormant_from_new FROM lifecycle('l15', 'week', 'from=2018-10-01');
-- => 2018-10-01|2|0|0|1|1
-- => 2018-10-08|0|1|1|1|1
-- Pulse = (new + resurrected) / dormant: 24 gained against 25 lost is 0.96 (it shrank)
CREATE TABLE pulse(actor, ts);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25)
INSERT INTO pulse SELECT 'old' || i, '2018-10-02' FROM n UNION ALL SELECT 'new' || i, '2018-10-09' FROM n WHERE i <= 24;
SELECT period, new, dormant, pulse FROM lifecycle('pulse', 'week');
-- => 2018-10-01|25|0|NULL
-- => 2018-10-08|24|25|0.96
