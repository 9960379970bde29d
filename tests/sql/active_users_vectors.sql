-- active_users(): DAU / WAU / MAU vectors A1-A8 (PostHog's trends tests and Mixpanel's documented
-- windows; provenance and results in tests/vectors/engagement.md). WAU and MAU are trailing
-- windows that include the day: days d-6 .. d and d-29 .. d.

-- DL: p1 11, 12, 13, 15, 17, 19; p2 09, 12; p3 12; p4 15 (2020-01, 12:00 UTC).
CREATE TABLE dl(actor TEXT, ts TEXT);
INSERT INTO dl VALUES ('p1', '2020-01-11 12:00:00'), ('p1', '2020-01-12 12:00:00'), ('p1', '2020-01-13 12:00:00'),
  ('p1', '2020-01-15 12:00:00'), ('p1', '2020-01-17 12:00:00'), ('p1', '2020-01-19 12:00:00'),
  ('p2', '2020-01-09 12:00:00'), ('p2', '2020-01-12 12:00:00'), ('p3', '2020-01-12 12:00:00'),
  ('p4', '2020-01-15 12:00:00');

-- A1 DAU, A2 WAU, A3 MAU, daily 2020-01-09 .. 20
SELECT group_concat(dau), group_concat(wau), group_concat(mau), count(*), min(day), max(day)
FROM (SELECT * FROM active_users('dl', 'to=2020-01-20, as_of=2020-01-21') ORDER BY day);
-- => 1,0,1,3,1,0,2,0,1,0,1,0|1,1,2,3,3,3,4,4,4,4,2,2|1,1,2,3,3,3,4,4,4,4,4,4|12|2020-01-09|2020-01-20
-- new actors per day (their first activity) and the ratios: on the 19th DAU 1, WAU 2 (13 .. 19:
-- p1, p4), MAU 4
SELECT group_concat(new), (SELECT dau_wau || ' ' || dau_mau || ' ' || wau_mau FROM active_users('dl') WHERE day = '2020-01-19')
FROM (SELECT * FROM active_users('dl') ORDER BY day);
-- => 1,0,1,1,0,0,1,0,0,0,0|0.5 0.25 0.5

-- A4 WAU with a week interval: distinct actors per calendar (Sunday) week: calendar
SELECT group_concat(day, ' '), group_concat(wau) FROM (SELECT * FROM active_users('dl',
  'every=week, calendar, week_start=sunday, to=2020-01-20, as_of=2020-01-21') ORDER BY day);
-- => 2020-01-05 2020-01-12 2020-01-19|2,4,1

-- A5 MAU with a month interval, 2019-12-31 .. 2020-02-01: calendar months
SELECT group_concat(day, ' '), group_concat(mau) FROM (SELECT * FROM active_users('dl',
  'every=month, calendar, from=2019-12-31, to=2020-02-01, as_of=2020-02-02') ORDER BY day);
-- => 2019-12-01 2020-01-01 2020-02-01|0,4,0

-- A6 TestPersonIntegration.test_weekly_active_users: u_10 .. u_17, one event each on
-- 2023-09-d 00:42; daily WAU on 2023-09-22 is u_16 and u_17 (days 16 .. 22)
CREATE TABLE a6(actor, ts);
WITH RECURSIVE d(n) AS (SELECT 10 UNION ALL SELECT n + 1 FROM d WHERE n < 17)
INSERT INTO a6 SELECT 'u_' || n, '2023-09-' || n || ' 00:42:00' FROM d;
SELECT wau FROM active_users('a6', 'from=2023-09-17, to=2023-09-24, as_of=2023-09-25') WHERE day = '2023-09-22';
-- => 2
-- The same class's _grouped_by_week expects 7 for the week of Sep 17 (a 7-day look-back from the
-- week's start, PostHog's older rule, superseded by A4). Here the week of Sep 17 has u_17 in the
-- calendar week, and u_17 in the 7 days ending on the week's last day (Mixpanel's rule).
SELECT wau FROM active_users('a6', 'every=week, calendar, week_start=sunday, from=2023-09-17, to=2023-09-24, as_of=2023-09-25')
WHERE day = '2023-09-17';
-- => 1
SELECT wau FROM active_users('a6', 'every=week, week_start=sunday, from=2023-09-17, to=2023-09-24, as_of=2023-09-25')
WHERE day = '2023-09-17';
-- => 1

-- A7 test_trends_math_weekly_active_persons: persons 2023-04-17 .. 23 at 16:00; WAU on
-- 2023-04-28 covers Apr 22 .. 28: the persons of the 22nd and 23rd
CREATE TABLE a7(actor, ts);
WITH RECURSIVE d(n) AS (SELECT 17 UNION ALL SELECT n + 1 FROM d WHERE n < 23)
INSERT INTO a7 SELECT 'person' || n, '2023-04-' || n || ' 16:00:00' FROM d;
SELECT day, wau FROM active_users('a7', 'to=2023-04-28, as_of=2023-04-29') WHERE day = '2023-04-28';
-- => 2023-04-28|2

-- A8 Mixpanel's windows (insights.mdx): with a month interval, Dec counts Dec 2 .. 31; with a day
-- interval, Nov 1 counts Oct 3 .. Nov 1; with a week interval, Nov 27 - Dec 3 counts Nov 4 ..
-- Dec 3. One actor on each edge day and one just outside (2023: Nov 27 is a Monday).
CREATE TABLE a8(actor, ts);
INSERT INTO a8 VALUES ('dec1', '2023-12-01'), ('dec2', '2023-12-02'), ('oct2', '2023-10-02'), ('oct3', '2023-10-03'),
  ('nov3', '2023-11-03'), ('nov4', '2023-11-04');
-- the month of Dec, evaluated on Dec 31: dec2 only (dec1 is 30 days before Dec 31)
SELECT day, mau FROM active_users('a8', 'every=month, as_of=2024-01-01') WHERE day = '2023-12-01';
-- => 2023-12-01|1
-- the day Nov 1: oct3 (oct2 is 30 days before Nov 1; nov3 and nov4 come after it)
SELECT day, mau FROM active_users('a8', 'as_of=2024-01-01') WHERE day = '2023-11-01';
-- => 2023-11-01|1
-- the week of Nov 27, evaluated on Dec 3: nov4, dec1, dec2 (nov3 is 30 days before Dec 3)
SELECT day, mau FROM active_users('a8', 'every=week, as_of=2024-01-01') WHERE day = '2023-11-27';
-- => 2023-11-27|3
