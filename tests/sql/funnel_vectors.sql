-- window_funnel against the ClickHouse windowFunnel vectors W01-W51 and X1-X9 of
-- tests/vectors/clickhouse_funnel_retention.md, transcribed from ClickHouse's own tests
-- (tests/queries/0_stateless/00632_aggregation_window_funnel, 01646), its windowFunnel
-- documentation and issues; expected values copied from there, each with its source tag; X1-X9
-- use the CODE column, which real ClickHouse 26.7 confirmed. ClickHouse's windowFunnel(W, 'm')(ts, c...)
-- is written window_funnel(W, ts, c..., 'm'). Integer timestamps are Unix seconds.
-- Not transcribed: W13 (UInt64 timestamps near 1e14 lie beyond year 9999, outside our timestamps).

-- D1
CREATE TABLE d1(ts INTEGER, ev INTEGER);
INSERT INTO d1 VALUES (0,1000),(1,1001),(2,1002),(3,1003),(4,1004),(5,1005),(6,1006),(7,1007),(8,1008);
-- W01..W05
SELECT window_funnel(10000, ts, ev=1000), window_funnel(10000, ts, ev=1000, ev=1001),
       window_funnel(10000, ts, ev=1000, ev=1001, ev=1002),
       window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1008), window_funnel(1, ts, ev=1000) FROM d1;
-- => 1|2|3|4|1
-- W06..W08: window boundary, inclusive, measured from step 1
SELECT window_funnel(2, ts, ev=1003, ev=1004, ev=1005, ev=1006, ev=1007),
       window_funnel(3, ts, ev=1003, ev=1004, ev=1005, ev=1006, ev=1007),
       window_funnel(4, ts, ev=1003, ev=1004, ev=1005, ev=1006, ev=1007) FROM d1;
-- => 3|4|5

-- D2 (DateTime seconds after 2018-01-01 01:01:00), as ISO text
CREATE TABLE d2(ts TEXT, ev INTEGER);
INSERT INTO d2 VALUES ('2018-01-01 01:01:01',1001),('2018-01-01 01:01:02',1002),('2018-01-01 01:01:03',1003),
  ('2018-01-01 01:01:04',1004),('2018-01-01 01:01:05',1005),('2018-01-01 01:01:06',1006),('2018-01-01 01:01:07',1007),
  ('2018-01-01 01:01:08',1008);
-- W09..W12
SELECT window_funnel(4, ts, ev=1003, ev=1004, ev=1005, ev=1006, ev=1007),
       window_funnel(10000, ts, ev=1001, ev=1008), window_funnel(10000, ts, ev=1008, ev=1001),
       window_funnel(4, ts, ev<=1007, ev>=1002, ev<=1006, ev>=1004) FROM d2;
-- => 5|2|1|4

-- D4
CREATE TABLE d4(ts INTEGER, ev INTEGER);
INSERT INTO d4 VALUES (0,1000),(10,1001),(20,1002),(30,1003),(40,1004),(50,1005),(51,1005),(60,1006),(70,1007),(80,1008);
-- W14, W15
SELECT window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1003, ev=1004, ev=1005, ev=1006, 'strict_deduplication'),
       window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1003, ev=1004, ev=1005, ev=1006) FROM d4;
-- => 6|7
-- the old name 'strict' is accepted as an alias
SELECT window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1003, ev=1004, ev=1005, ev=1006, 'strict') FROM d4;
-- => 6

-- D5: each letter at ts = 1, 2, 3, ...
CREATE TABLE d5(g INTEGER, ts INTEGER, ev TEXT);
INSERT INTO d5 VALUES (1,1,'a'),(1,2,'b'),(1,3,'c'),
  (2,1,'a'),(2,2,'d'),(2,3,'b'),(2,4,'c'),
  (3,1,'a'),(3,2,'a'),(3,3,'b'),(3,4,'b'),(3,5,'c'),(3,6,'c'),
  (4,1,'a'),(4,2,'a'),(4,3,'a'),(4,4,'a'),(4,5,'b'),(4,6,'b'),(4,7,'c'),(4,8,'c'),
  (5,1,'a'),(5,2,'a'),(5,3,'b'),(5,4,'b'),(5,5,'d'),(5,6,'c'),(5,7,'c'),
  (6,1,'c'),(6,2,'c'),(6,3,'b'),(6,4,'b'),(6,5,'a'),(6,6,'a'),
  (7,1,'a'),(7,2,'c'),(7,3,'b');
-- W16 default, W17 strict_order, W18 strict_deduplication + strict_order (groups 1-6)
SELECT g, window_funnel(86400, ts, ev='a', ev='b', ev='c'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', 'strict_order'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', 'strict_deduplication, strict_order')
FROM d5 WHERE g <= 6 GROUP BY g ORDER BY g;
-- => 1|3|3|3
-- => 2|3|1|1
-- => 3|3|3|2
-- => 4|3|3|2
-- => 5|3|2|2
-- => 6|1|1|1
-- W19: jump-ahead c stops
SELECT window_funnel(10, ts, ev='a', ev='b', ev='c', 'strict_order') FROM d5 WHERE g = 7;
-- => 1

-- D6, W20
CREATE TABLE d6(ts INTEGER, ev TEXT);
INSERT INTO d6 VALUES (1,'a'),(2,'b'),(3,'c'),(4,'b'),(5,'d');
SELECT window_funnel(86400, ts, ev='a', ev='b', ev='c', ev='d', 'strict_deduplication') FROM d6;
-- => 3

-- D7: Nullable columns
CREATE TABLE d7(g INTEGER, ts INTEGER, a TEXT, b TEXT);
INSERT INTO d7 VALUES (1,1,'a1','b1'),(1,2,'a2','b2'),(2,1,'a1',NULL),(2,2,'a2',NULL),(3,1,NULL,NULL),
  (4,1,NULL,'b1'),(4,2,'a2',NULL),(4,3,NULL,'b3');
-- W21..W25
SELECT g, window_funnel(86400, ts, coalesce(a,'')='a1', coalesce(a,'')='a2'),
       window_funnel(86400, ts, coalesce(a,'')='a1', coalesce(b,'')='b2'),
       window_funnel(86400, ts, a IS NULL AND b IS NULL),
       window_funnel(86400, ts, a IS NULL, coalesce(b,'')='b3'),
       window_funnel(86400, ts, a IS NULL, coalesce(b,'')='b3', 'strict_order')
FROM d7 GROUP BY g ORDER BY g;
-- => 1|2|2|0|0|0
-- => 2|2|1|0|0|0
-- => 3|0|0|1|1|1
-- => 4|0|0|0|2|1

-- D8
CREATE TABLE d8(ts INTEGER, ev INTEGER);
INSERT INTO d8 VALUES (0,1000),(1,1001),(1,1002),(1,1003),(2,1004);
-- W26..W30
SELECT window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1003, ev=1004),
       window_funnel(10000, ts, ev=1000, ev=1001, ev=1002, ev=1003, ev=1004, 'strict_increase'),
       window_funnel(10000, ts, ev=1004, ev=1004, ev=1004),
       window_funnel(10000, ts, ev=1004, ev=1004, ev=1004, 'strict_once'),
       window_funnel(10000, ts, ev=1004, ev=1004, ev=1004, 'strict_increase') FROM d8;
-- => 5|2|3|1|1

-- D9: a failure row satisfies c1 and c2
CREATE TABLE d9(g INTEGER, ts INTEGER, ev TEXT);
INSERT INTO d9 VALUES (234,100,'failure'),(345,200,'success'),(345,210,'failure'),(345,230,'success'),
  (234,250,'failure'),(123,180,'failure'),(123,220,'failure'),(123,250,'success');
-- W31..W35
SELECT g, window_funnel(200, ts, ev='failure', ev='failure', ev='success', 'strict_once, strict_increase'),
       window_funnel(200, ts, ev='failure', ev='failure', ev='success', 'strict_once'),
       window_funnel(200, ts, ev='failure', ev='failure', ev='success', 'strict_once, strict_deduplication'),
       window_funnel(200, ts, ev='failure', ev='failure', ev='success'),
       window_funnel(200, ts, ev='failure', ev='failure', ev='success', 'strict_increase')
FROM d9 GROUP BY g ORDER BY g;
-- => 123|3|3|3|3|1
-- => 234|2|2|2|2|1
-- => 345|1|1|1|3|1

-- W36, W37: equal timestamps ordered by condition index, whatever the insertion order
CREATE TABLE w36(ts TEXT, ev INTEGER);
INSERT INTO w36 VALUES ('2019-01-29 10:00:00',1004),('2019-01-29 10:00:00',1003),('2019-01-28 10:00:00',1002);
CREATE TABLE w37(ts TEXT, ev INTEGER);
INSERT INTO w37 VALUES ('2019-01-29 10:00:00',1003),('2019-01-29 10:00:00',1004),('2019-01-28 10:00:00',1002);
SELECT (SELECT window_funnel(6048000000000000, ts, ev=1004, ev=1003, ev=1002) FROM w36),
       (SELECT window_funnel(6048000000000000, ts, ev=1004, ev=1003, ev=1002) FROM w37);
-- => 2|2
-- W38: unsorted input, huge window
CREATE TABLE w38(ts TEXT, ev INTEGER);
INSERT INTO w38 VALUES ('2019-01-29 10:00:00',1003),('2019-01-31 09:00:00',1007),('2019-01-30 08:00:00',1009),('2019-02-01 08:00:00',1010);
SELECT window_funnel(6048000000000000, ts, ev=1003, ev=1009, ev=1007, ev=1010) FROM w38;
-- => 4

-- D11: B = begin_checkout, V = view_product_detail, P = complete_payment
CREATE TABLE d11(g INTEGER, ts INTEGER, ev TEXT);
INSERT INTO d11 VALUES (1,100,'B'),(1,200,'V'),(1,300,'B'),(1,400,'P'),
  (2,100,'B'),(2,200,'V'),(2,250,'V'),(2,300,'B'),(2,400,'P'),
  (3,100,'B'),(3,200,'V'),(3,300,'P');
-- W39 (= X8) and X6, X7, X9
SELECT g, window_funnel(600, ts, ev='B', ev='V', ev='B', ev='P', 'strict_order'),
       window_funnel(600, ts, ev='B', ev='V', ev='P', 'strict_order'),
       window_funnel(600, ts, ev='B', ev='V', ev='P', 'strict_order, allow_reentry'),
       window_funnel(600, ts, ev='B', ev='V', ev='B', ev='P', 'strict_order, allow_reentry')
FROM d11 GROUP BY g ORDER BY g;
-- => 1|1|3|3|4
-- => 2|1|3|3|4
-- => 3|1|3|3|2

-- W40: identical conditions are satisfied by one row
CREATE TABLE w40(g INTEGER, ts INTEGER, ev INTEGER);
INSERT INTO w40 VALUES (123,100,1),(345,200,1);
SELECT g, window_funnel(50, ts, ev=1, ev=1), window_funnel(50, ts, ev=1, ev=1, 'strict_once') FROM w40 GROUP BY g ORDER BY g;
-- => 123|2|1
-- => 345|2|1

-- W41, W42: #52844 (strict_increase keeps one chain per level)
CREATE TABLE w41(ts INTEGER, ev TEXT);
INSERT INTO w41 VALUES (1,'v0'),(2,'v1'),(2,'v2'),(2,'v3'),(3,'v1'),(3,'v2'),(3,'v3'),(4,'v1'),(4,'v2'),(4,'v3');
SELECT window_funnel(100000, ts, ev='v0', ev='v1', ev='v2', ev='v3', 'strict_increase'),
       window_funnel(100000, ts, ev='v0', ev='v1', ev='v2', ev='v3', 'strict_once, strict_increase') FROM w41;
-- => 2|4

-- W43: a row with NULL in any argument is skipped
CREATE TABLE w43(step INTEGER, event TEXT);
INSERT INTO w43 VALUES (1,NULL),(2,'open'),(3,'purchase');
SELECT window_funnel(3, step, event='open', event='purchase'),
       window_funnel(3, step, event IS NULL, event='open', event='purchase'),
       window_funnel(3, step, event='open', event IS NULL, event='purchase') FROM w43;
-- => 2|0|1

-- W44: repeated cond1 restarts; repeated start stops with the maximum level (#37177 fix)
CREATE TABLE w44(ts INTEGER, ev TEXT);
INSERT INTO w44 VALUES (0,'install'),(5,'start'),(10,'login'),(15,'install'),(20,'start'),(25,'install'),(30,'start'),(35,'login'),(40,'end');
SELECT window_funnel(60, ts, ev='install', ev='start', ev='login', ev='end', 'strict_deduplication'),
       window_funnel(60, ts, ev='install', ev='start', ev='login', ev='end') FROM w44;
-- => 3|4

-- W45 (minutes after 11:00)
CREATE TABLE w45(ts TEXT, ev TEXT);
INSERT INTO w45 VALUES ('2022-05-01 11:00','a'),('2022-05-01 11:10','b'),('2022-05-01 11:30','d'),('2022-05-01 11:40','b');
SELECT window_funnel(1800, ts, ev='a', ev='b', ev='c', ev='d'),
       window_funnel(1800, ts, ev='a', ev='b', ev='c', ev='d', 'strict_deduplication'),
       window_funnel(1800, ts, ev='a', ev='b', ev='c', ev='d', 'strict_order') FROM w45;
-- => 2|2|2
-- W46
CREATE TABLE w46(ts TEXT, ev TEXT);
INSERT INTO w46 VALUES ('2022-05-01 11:00','浏览'),('2022-05-01 11:10','点击'),('2022-05-01 11:30','支付'),('2022-05-01 11:40','点击');
SELECT window_funnel(1800, ts, ev='浏览', ev='点击', ev='下单', ev='支付'),
       window_funnel(1800, ts, ev='浏览', ev='点击', ev='下单', ev='支付', 'strict_deduplication') FROM w46;
-- => 2|2

-- W47: a Date column with a window of 1 day
CREATE TABLE w47(d TEXT, ev TEXT);
INSERT INTO w47 VALUES ('2021-01-01','A'),('2021-01-02','B'),('2021-01-03','C');
SELECT window_funnel('1 day', d, ev='A', ev='B', ev='C') FROM w47;
-- => 2

-- W48: empty input and no cond1 give 0
CREATE TABLE w48(ts INTEGER, ev TEXT);
SELECT window_funnel(10, ts, ev='A', ev='B', ev='C') FROM w48;
-- => 0
INSERT INTO w48 VALUES (1,'B'),(2,'C');
SELECT window_funnel(10, ts, ev='A', ev='B', ev='C') FROM w48;
-- => 0

-- W49: under strict_order, other rows sort before matching rows at the same ts
CREATE TABLE w49(ts INTEGER, ev TEXT);
INSERT INTO w49 VALUES (1,'a'),(2,'x'),(2,'b');
SELECT window_funnel(10, ts, ev='a', ev='b', 'strict_order'), window_funnel(10, ts, ev='a', ev='b') FROM w49;
-- => 1|2

-- W50: window 0 allows same-instant steps only
CREATE TABLE w50(ts INTEGER, ev TEXT);
INSERT INTO w50 VALUES (5,'a'),(5,'b'),(6,'c');
SELECT window_funnel(0, ts, ev='a', ev='b', ev='c') FROM w50;
-- => 2

-- W51
SELECT window_funnel(0, ts, ev='a') FROM (SELECT 100 AS ts, 'a' AS ev);
-- => 1
SELECT window_funnel(0, ts, ev='a', 'strict_order') FROM (SELECT 100 AS ts, 'x' AS ev);
-- => 0

-- D10 (X1-X5)
CREATE TABLE d10(g INTEGER, ts INTEGER, ev TEXT);
INSERT INTO d10 VALUES (1,1,'a'),(1,2,'b'),(1,3,'a'),(1,4,'c'),
  (2,1,'a'),(2,2,'b'),(2,3,'a'),(2,4,'b'),(2,5,'c'),
  (3,1,'a'),(3,2,'b'),(3,3,'c'),(3,4,'b'),(3,5,'d'),
  (4,1,'a'),(4,2,'c'),(4,3,'b'),
  (5,1,'a'),(5,2,'b'),(5,3,'c'),(5,4,'a'),(5,5,'b'),(5,6,'c'),(5,7,'d');
SELECT g, window_funnel(86400, ts, ev='a', ev='b', ev='c', 'strict_order'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', 'strict_order, allow_reentry'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', ev='d', 'strict_order'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', ev='d', 'strict_order, allow_reentry'),
       window_funnel(86400, ts, ev='a', ev='b', ev='c', 'strict_order, allow_reentry, strict_deduplication')
FROM d10 GROUP BY g ORDER BY g;
-- => 1|3|3|3|3|3
-- => 2|3|3|3|3|2
-- => 3|3|3|4|4|3
-- => 4|1|2|1|2|2
-- => 5|3|3|4|4|3
