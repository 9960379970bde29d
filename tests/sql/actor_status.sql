-- actor_status() and actor_transitions(): Duolingo's growth-model states (blog.duolingo.com
-- "growth model"; the state table is in tests/vectors/engagement.md and
-- ext/lifecycle_engine.h), worked by hand below, and the operations labels.

-- One actor active on 2020-01-01, 01-02, 01-10 and 02-15 (days 0, 1, 9 and 45). actor_status's
-- as_of is the instant of the analysis: as_of '2020-01-03' looks at the day 2020-01-02.
CREATE TABLE h(actor, ts);
INSERT INTO h VALUES ('a', '2020-01-01 09:00'), ('a', '2020-01-02 18:30'), ('a', '2020-01-10 07:00'), ('a', '2020-02-15 12:00');
CREATE TABLE asof(d, day_number);
INSERT INTO asof VALUES ('2020-01-02', 0), ('2020-01-03', 1), ('2020-01-04', 2), ('2020-01-09', 7), ('2020-01-10', 8),
  ('2020-01-11', 9), ('2020-02-09', 38), ('2020-02-10', 39), ('2020-02-16', 45), ('2020-02-17', 46);
-- day 0 new (its first day); 1 current (yesterday too); 2 at_risk_wau (not today, within the
-- last 6 days); 7: day 1 is d-6, still at_risk_wau; 8: day 1 is d-7, at_risk_mau; 9: back after
-- 8 days (nothing in d-6 .. d-1, something in d-29 .. d-7): reactivated; 38: day 9 is d-29,
-- at_risk_mau; 39: day 9 is d-30, dormant; 45: back after 36 days: resurrected; 46 at_risk_wau.
SELECT asof.day_number, s.days_since_last, s.state, s.status, s.status_cn
FROM asof JOIN actor_status('h', asof.d) AS s ORDER BY asof.day_number;
-- => 0|0|new|new|新增
-- => 1|0|current|active|活跃
-- => 2|1|at_risk_wau|silent|沉默
-- => 7|6|at_risk_wau|silent|沉默
-- => 8|7|at_risk_mau|silent|沉默
-- => 9|0|reactivated|active|活跃
-- => 38|29|at_risk_mau|silent|沉默
-- => 39|30|dormant|churned|流失
-- => 45|0|resurrected|winback|回流
-- => 46|1|at_risk_wau|silent|沉默
-- On day 45: active days 0, 1, 9, 45; gaps 1, 8, 36, median 8; one active day in the last 7
-- (39 .. 45) and in the last 30 (16 .. 45); first and last rows as UTC text
SELECT actor, first_ts, last_ts, active_days_short, active_days_long, median_gap_days FROM actor_status('h', '2020-02-16');
-- => a|2020-01-01 09:00:00|2020-02-15 12:00:00|1|1|8.0
-- two gaps (1 and 8): the median is their mean; one active day: no gap, NULL
SELECT median_gap_days FROM actor_status('h', '2020-01-11');
-- => 4.5
SELECT median_gap_days IS NULL FROM actor_status('h', '2020-01-02');
-- => 1
-- short and long windows as options: short=3, long=10 on day 8 (7 days away): at_risk_mau; on
-- day 39 (30 days away) dormant; back on day 9 after 8 days: reactivated
SELECT asof.day_number, s.state FROM asof JOIN actor_status('h', asof.d, 'short=3, long=10') AS s
WHERE asof.day_number IN (2, 7, 9, 38) ORDER BY 1;
-- => 2|at_risk_wau
-- => 7|at_risk_mau
-- => 9|reactivated
-- => 38|dormant
-- new_days=7: the first week counts as new (新增) whatever the state
SELECT asof.day_number, s.state, s.status FROM asof JOIN actor_status('h', asof.d, 'new_days=7') AS s
WHERE asof.day_number IN (2, 7) ORDER BY 1;
-- => 2|at_risk_wau|new
-- => 7|at_risk_wau|silent
-- The default as_of: the midnight after the latest row's day, so the last row's day is "today"
SELECT state, days_since_last FROM actor_status('h');
-- => resurrected|0
-- Days are local days under tz. At +08:00 the 2020-01-02 18:30Z row is on the local 3rd and
-- the 09:00Z row of the 1st on the local 1st, so on the local 3rd the actor is back after 2
-- days: current; in UTC the 3rd has no row: at_risk_wau.
SELECT state, days_since_last FROM actor_status('h', '2020-01-04', 'tz=+08:00');
-- => current|0
SELECT state, days_since_last FROM actor_status('h', '2020-01-04');
-- => at_risk_wau|1
-- A bare date as_of is local midnight: at -08:00, '2020-01-10' is 08:00Z, so the 07:00Z row of
-- the 10th (23:00 on the local 9th) is seen: back on the local 9th after 7 days, reactivated.
-- Read as UTC midnight it would be unseen, and the actor at_risk_mau.
SELECT state, days_since_last, last_ts FROM actor_status('h', '2020-01-10', 'tz=-08:00');
-- => reactivated|0|2020-01-10 07:00:00

-- Actors as GROUP BY keys them: INTEGER 1 and REAL 1.0 are one actor, TEXT '1' another; NULL
-- actors and NULL timestamps are skipped
CREATE TABLE k(actor, ts);
INSERT INTO k VALUES (1, '2020-01-01'), (1.0, '2020-01-05'), ('1', '2020-01-02'), (NULL, '2020-01-03'), (2, NULL);
SELECT actor, typeof(actor), first_ts, last_ts FROM actor_status('k');
-- => 1|integer|2020-01-01 00:00:00|2020-01-05 00:00:00
-- => 1|text|2020-01-02 00:00:00|2020-01-02 00:00:00
SELECT count(*) FROM (SELECT actor FROM k WHERE ts IS NOT NULL AND actor IS NOT NULL GROUP BY actor);
-- => 2

-- actor_transitions: each actor's state at from_day and at to_day (read as actor_status's
-- as_of), counted. On day 9 (as_of 2020-01-11) 'a' is reactivated, on day 45 resurrected;
-- 'b' starts on day 20, so it had no state yet on day 9.
INSERT INTO h VALUES ('b', '2020-01-21 10:00'), ('b', '2020-02-14 10:00');
SELECT from_state, to_state, actors, share FROM actor_transitions('h', '2020-01-11', '2020-02-16');
-- => NULL|at_risk_wau|1|1.0
-- => reactivated|resurrected|1|1.0
-- It is the join of two actor_status calls
SELECT s1.state, s2.state, count(*) FROM actor_status('h', '2020-02-16') AS s2
LEFT JOIN actor_status('h', '2020-01-11') AS s1 USING (actor) GROUP BY 1, 2 ORDER BY 1, 2;
-- => NULL|at_risk_wau|1
-- => reactivated|resurrected|1
-- the same day twice: every actor stays where it is
SELECT from_state, to_state, actors FROM actor_transitions('h', '2020-02-16', '2020-02-16');
-- => resurrected|resurrected|1
-- => at_risk_wau|at_risk_wau|1
