-- retention(): ClickHouse retention vectors R01-R11 (tests/vectors/clickhouse_funnel_retention.md
-- section C: ClickHouse's test 00688_aggregation_retention, its retention documentation, issues
-- 5108 and 57794, and Apache Doris's test_aggregate_retention.out). Expected values are the
-- ClickHouse / Doris reference outputs quoted there.
-- D13 (00688): 2018-08-06 for uid 0..79, 2018-08-07 for uid 0..49, 2018-08-08 for uid 0..59.
CREATE TABLE d13(date TEXT, uid INTEGER);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 79)
INSERT INTO d13 SELECT '2018-08-06', i FROM n UNION ALL SELECT '2018-08-07', i FROM n WHERE i < 50
  UNION ALL SELECT '2018-08-08', i FROM n WHERE i < 60;
-- R01
SELECT sum(r ->> 0), sum(r ->> 1) FROM (
  SELECT uid, retention(date = '2018-08-06', date = '2018-08-07') AS r
  FROM d13 WHERE date IN ('2018-08-06', '2018-08-07') GROUP BY uid);
-- => 80|50
-- R02
SELECT sum(r ->> 0), sum(r ->> 1) FROM (
  SELECT uid, retention(date = '2018-08-06', date = '2018-08-08') AS r
  FROM d13 WHERE date IN ('2018-08-06', '2018-08-08') GROUP BY uid);
-- => 80|60
-- R03
SELECT sum(r ->> 0), sum(r ->> 1), sum(r ->> 2) FROM (
  SELECT uid, retention(date = '2018-08-06', date = '2018-08-07', date = '2018-08-08') AS r
  FROM d13 GROUP BY uid);
-- => 80|50|60
-- R04 (docs): 2020-01-01 uid 0..4, 2020-01-02 uid 0..9, 2020-01-03 uid 0..14
CREATE TABLE d14(date TEXT, uid INTEGER);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 14)
INSERT INTO d14 SELECT '2020-01-01', i FROM n WHERE i < 5 UNION ALL SELECT '2020-01-02', i FROM n WHERE i < 10
  UNION ALL SELECT '2020-01-03', i FROM n;
SELECT r, count(*), min(uid), max(uid) FROM (
  SELECT uid, retention(date = '2020-01-01', date = '2020-01-02', date = '2020-01-03') AS r
  FROM d14 GROUP BY uid) GROUP BY r ORDER BY r;
-- => [0,0,0]|10|5|14
-- => [1,1,1]|5|0|4
-- and unnested with json_each: the sums per position
SELECT j.key, sum(j.value) FROM (
  SELECT retention(date = '2020-01-01', date = '2020-01-02', date = '2020-01-03') AS r
  FROM d14 GROUP BY uid), json_each(r) AS j GROUP BY j.key ORDER BY j.key;
-- => 0|5
-- => 1|5
-- => 2|5
-- R05 (Doris test_aggregate_retention.out)
CREATE TABLE r05(uid INTEGER, d TEXT);
INSERT INTO r05 VALUES (0, '2022-10-12'), (0, '2022-10-13'), (0, '2022-10-14'), (1, '2022-10-12'),
  (1, '2022-10-13'), (2, '2022-10-12');
SELECT uid, retention(d = '2022-10-12', d = '2022-10-13'),
            retention(d = '2022-10-12', d = '2022-10-13', d = '2022-10-14') FROM r05 GROUP BY uid ORDER BY uid;
-- => 0|[1,1]|[1,1,1]
-- => 1|[1,1]|[1,1,0]
-- => 2|[1,0]|[1,0,0]
-- R06: 08-06 uid 0..7, 08-07 uid 0..5, first 5 uids; (b) a constant first condition (issue 5108)
CREATE TABLE r06(date TEXT, uid INTEGER);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 7)
INSERT INTO r06 SELECT '2018-08-06', i FROM n UNION ALL SELECT '2018-08-07', i FROM n WHERE i < 6;
SELECT uid, retention(date = '2018-08-06', date = '2018-08-07'),
       retention(1, date = '2018-08-06', date = '2018-08-07'),
       retention(uid % 2 = 0, date = '2018-08-06', date = '2018-08-07')
FROM r06 WHERE uid < 5 GROUP BY uid ORDER BY uid;
-- => 0|[1,1]|[1,1,1]|[1,1,1]
-- => 1|[1,1]|[1,1,1]|[0,0,0]
-- => 2|[1,1]|[1,1,1]|[1,1,1]
-- => 3|[1,1]|[1,1,1]|[0,0,0]
-- => 4|[1,1]|[1,1,1]|[1,1,1]
-- R07: conditions may hold on different rows, no ordering
SELECT retention(c1, c2) FROM (SELECT 1 AS c1, 0 AS c2 UNION ALL SELECT 0, 1);
-- => [1,1]
SELECT retention(c1, c2) FROM (SELECT 0 AS c1, 1 AS c2 UNION ALL SELECT 1, 0);
-- => [1,1]
-- R08: condK counts only if cond1 held
SELECT retention(c1, c2, c3) FROM (SELECT 0 AS c1, 1 AS c2, 1 AS c3);
-- => [0,0,0]
-- R09 (issue 57794, ClickHouse 23.x): a row with a NULL condition is skipped
CREATE TABLE r09(a INTEGER);
INSERT INTO r09 VALUES (127), (-128), (NULL), (-58), (57), (4), (-73), (72), (-77), (93);
SELECT retention(a = 0, a = 1) FROM r09;
-- => [0,0]
SELECT retention(a IS NULL, 1) FROM r09;
-- => [1,1]
-- a NULL anywhere in the row skips the whole row, also for the other conditions
SELECT retention(1, b) FROM (SELECT NULL AS b UNION ALL SELECT 0);
-- => [1,0]
SELECT retention(c, 1) FROM (SELECT 1 AS c, NULL AS d UNION ALL SELECT NULL, 1) WHERE 1;
-- => [1,1]
-- R10: empty table, no GROUP BY: N zeros
SELECT retention(a = 1, a = 2, a = 3) FROM r09 WHERE 0;
-- => [0,0,0]
-- R11: one condition is an error (as in ClickHouse), and so are 65
SELECT retention(1);
-- => error: retention: takes 2 to 64 conditions (0/1 values), got 1
SELECT retention(1) FROM r09 WHERE 0;
-- => error: retention: takes 2 to 64 conditions (0/1 values)
SELECT retention(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1);
-- => error: retention: takes 2 to 64 conditions (0/1 values), got 65
-- 64 conditions work; the last one only counts with the first
SELECT retention(1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1) ->> 63,
       retention(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,1) ->> 63;
-- => 1|0
-- bad conditions name the position and the value
SELECT retention(1, 'pay');
-- => error: retention: condition 2 is TEXT 'pay', expected 0/1
-- an options string after the conditions, as window_funnel takes one: retention has none
SELECT retention(1, 0, 'strict');
-- => error: retention: condition 3 is TEXT 'strict', expected 0/1 (retention takes no options argument)
SELECT retention(2, 1);
-- => error: retention: condition 1 is INTEGER 2, expected 0/1
SELECT retention(1, 0.5);
-- => error: retention: condition 2 is REAL 0.5, expected 0/1
SELECT retention(1.0, 0.0), retention(1, x'01');
-- => error: retention: condition 2 is BLOB of 1 bytes, expected 0/1
