-- window_funnel as a window function: the level over each row's frame (worked by hand).
CREATE TABLE e(u, ts, ev);
-- u1: a@1 b@2 c@3 b@10; u2: a@5 c@7 b@8 (window 5)
INSERT INTO e VALUES (1,1,'a'),(1,2,'b'),(1,3,'c'),(1,10,'b'),(2,5,'a'),(2,7,'c'),(2,8,'b');
-- the whole partition: u1 reaches a b c; u2 a then b (the c came before the b)
SELECT u, ts, window_funnel(5, ts, ev='a', ev='b', ev='c') OVER (PARTITION BY u) FROM e ORDER BY u, ts;
-- => 1|1|3
-- => 1|2|3
-- => 1|3|3
-- => 1|10|3
-- => 2|5|2
-- => 2|7|2
-- => 2|8|2
-- running level in time order
SELECT u, ts, window_funnel(5, ts, ev='a', ev='b', ev='c') OVER (PARTITION BY u ORDER BY ts) FROM e ORDER BY u, ts;
-- => 1|1|1
-- => 1|2|2
-- => 1|3|3
-- => 1|10|3
-- => 2|5|1
-- => 2|7|1
-- => 2|8|2
-- a sliding frame of two rows (rows leave through xInverse): {a} {a,b} {b,c} {c,b} / {a} {a,c} {c,b}
SELECT u, ts, window_funnel(5, ts, ev='a', ev='b', ev='c') OVER (PARTITION BY u ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM e ORDER BY u, ts;
-- => 1|1|1
-- => 1|2|2
-- => 1|3|0
-- => 1|10|0
-- => 2|5|1
-- => 2|7|1
-- => 2|8|0
-- frames shrinking from the newest row backwards: {10,3,2,1} {3,2,1} {2,1} {1}
SELECT ts, window_funnel(5, ts, ev='a', ev='b', ev='c') OVER (ORDER BY ts DESC ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
FROM e WHERE u = 1 ORDER BY ts;
-- => 1|1
-- => 2|2
-- => 3|3
-- => 10|3
-- strict_once and strict_order through frames too; rows with NULL leave the frame cleanly
CREATE TABLE f(ts, ev);
INSERT INTO f VALUES (1,'a'),(2,NULL),(3,'x'),(4,'b'),(5,'a'),(6,'b');
-- frames of three rows: {a} {a,N} {a,N,x} {N,x,b} {x,b,a} {b,a,b}
SELECT ts, window_funnel(10, ts, ev='a', ev='b', 'strict_once') OVER w
FROM f WINDOW w AS (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) ORDER BY ts;
-- => 1|1
-- => 2|1
-- => 3|1
-- => 4|0
-- => 5|1
-- => 6|2
-- a frame holding only the row with NULL: NULL, as ClickHouse for all-NULL input
SELECT ts, window_funnel(10, ts, ev='a', ev='b') OVER (ORDER BY ts ROWS CURRENT ROW) FROM f WHERE ts <= 3 ORDER BY ts;
-- => 1|1
-- => 2|NULL
-- => 3|0
-- strict_order: the other event x after a stops the funnel
SELECT ts, window_funnel(10, ts, ev='a', ev='b', 'strict_order') OVER w
FROM f WINDOW w AS (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) ORDER BY ts;
-- => 1|1
-- => 2|1
-- => 3|1
-- => 4|0
-- => 5|1
-- => 6|2
