-- sequence_match and sequence_count as window functions: the answer over each row's frame
-- (worked by hand).
CREATE TABLE e(u, ts, ev);
-- u1: A@1 B@2 A@3 B@10; u2: B@5 A@6
INSERT INTO e VALUES (1,1,'A'),(1,2,'B'),(1,3,'A'),(1,10,'B'),(2,5,'B'),(2,6,'A');
-- running, in time order: u1 {A} 0, {A,B} 1, {A,B,A} 1, {A,B,A,B} 2 (A3-B10 is the second
-- match); with (?t<=2) the second A's B is 7 s later, so the count stays 1
SELECT u, ts, sequence_count('(?1)(?2)', ts, ev='A', ev='B') OVER w, sequence_count('(?1)(?t<=2)(?2)', ts, ev='A', ev='B') OVER w,
       sequence_match('(?1)(?2)', ts, ev='A', ev='B') OVER w
FROM e WINDOW w AS (PARTITION BY u ORDER BY ts) ORDER BY u, ts;
-- => 1|1|0|0|0
-- => 1|2|1|1|1
-- => 1|3|1|1|1
-- => 1|10|2|1|1
-- => 2|5|0|0|0
-- => 2|6|0|0|0
-- a sliding frame of two rows (rows leave through xInverse): {A} {A,B} {B,A} {A,B} / {B} {B,A}
SELECT u, ts, sequence_count('(?1)(?2)', ts, ev='A', ev='B') OVER (PARTITION BY u ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
FROM e ORDER BY u, ts;
-- => 1|1|0
-- => 1|2|1
-- => 1|3|0
-- => 1|10|1
-- => 2|5|0
-- => 2|6|0
-- the whole partition on every row
SELECT u, sequence_count('.', ts, ev='A', ev='B') OVER (PARTITION BY u) FROM e ORDER BY u, ts;
-- => 1|4
-- => 1|4
-- => 1|4
-- => 1|4
-- => 2|2
-- => 2|2
