-- sequence_match / sequence_count: ClickHouse vectors S01-S27 and the sequenceNextNode table,
-- transcribed with their sources in tests/vectors/clickhouse_sequence.md (ClickHouse test 00222,
-- 00823, the docs, issue #118120; the next-node table run on ClickHouse 26.7). Expected values
-- are ClickHouse's, not ours.
CREATE TABLE d12(ts INTEGER, data INTEGER);
INSERT INTO d12 VALUES (0,0),(1,0),(2,0),(3,0),(4,1),(5,2),(6,0),(7,0),(8,0),(9,0),(10,1),(11,1);
-- S01-S21: c1 data=0, c2 data=1, c3 data=2, c4 data=3 (never true); match|count
-- S01
SELECT sequence_match('', ts, data=0, data=1, data=2, data=3), sequence_count('', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|12
-- S02
SELECT sequence_match('.', ts, data=0, data=1, data=2, data=3), sequence_count('.', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|12
-- S03
SELECT sequence_match('.*', ts, data=0, data=1, data=2, data=3), sequence_count('.*', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|12
-- S04
SELECT sequence_match('(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|8
-- S05
SELECT sequence_match('(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|3
-- S06
SELECT sequence_match('(?3)', ts, data=0, data=1, data=2, data=3), sequence_count('(?3)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S07
SELECT sequence_match('(?4)', ts, data=0, data=1, data=2, data=3), sequence_count('(?4)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 0|0
-- S08
SELECT sequence_match('(?1)(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|4
-- S09
SELECT sequence_match('(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|2
-- S10
SELECT sequence_match('(?1)(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|2
-- S11
SELECT sequence_match('(?1)(?1)(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?1)(?1)(?1)(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 0|0
-- S12
SELECT sequence_match('(?1)(?1)(?1)(?1)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?1)(?1)(?1)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|2
-- S13
SELECT sequence_match('(?1)(?t>10)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t>10)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S14
SELECT sequence_match('(?1)(?t>11)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t>11)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 0|0
-- S15
SELECT sequence_match('(?1)(?t<11)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t<11)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|2
-- S16
SELECT sequence_match('(?1)(?t<3)(?3)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t<3)(?3)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S17
SELECT sequence_match('(?1)(?t<=2)(?3)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t<=2)(?3)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S18
SELECT sequence_match('(?1)(?t<2)(?3)', ts, data=0, data=1, data=2, data=3), sequence_count('(?1)(?t<2)(?3)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 0|0
-- S19
SELECT sequence_match('(?2)(?t>=7)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?2)(?t>=7)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S20
SELECT sequence_match('(?2)(?t>7)(?2)', ts, data=0, data=1, data=2, data=3), sequence_count('(?2)(?t>7)(?2)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 0|0
-- S21
SELECT sequence_match('(?2)(?3)(?1)', ts, data=0, data=1, data=2, data=3), sequence_count('(?2)(?3)(?1)', ts, data=0, data=1, data=2, data=3) FROM d12;
-- => 1|1
-- S22, S23: c1 data=1, c2 data=2 only (the data=0 rows are then no events)
SELECT sequence_match('(?1)(?t==2)(?2)', ts, data=1, data=2), sequence_count('(?1)(?t==2)(?2)', ts, data=1, data=2) FROM d12;
-- => 0|0
SELECT sequence_match('(?1)(?t==1)(?2)', ts, data=1, data=2), sequence_count('(?1)(?t==1)(?2)', ts, data=1, data=2) FROM d12;
-- => 1|1
-- S24 (docs): a row matching no condition is invisible; adding number=3 makes it an event
CREATE TABLE s24(time INTEGER, number INTEGER);
INSERT INTO s24 VALUES (1,1),(2,3),(3,2);
SELECT sequence_match('(?1)(?2)', time, number=1, number=2), sequence_match('(?1)(?2)', time, number=1, number=2, number=3),
       sequence_match('(?1)(?2)', time, number=1, number=2, number=4) FROM s24;
-- => 1|0|1
-- S25 (docs): non-overlapping count
CREATE TABLE s25(time INTEGER, number INTEGER);
INSERT INTO s25 VALUES (1,1),(2,3),(3,2),(4,1),(5,3),(6,2);
SELECT sequence_count('(?1).*(?2)', time, number=1, number=2) FROM s25;
-- => 2
-- S26 a-c (00823): A at 0, B at 1..999999, C at 1000000, in one group (d is not run: 1e14 s is
-- no timestamp, see the vectors file)
CREATE TABLE s26(t INTEGER, e TEXT);
WITH RECURSIVE n(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM n WHERE v < 1000000)
INSERT INTO s26 SELECT v, CASE WHEN v = 0 THEN 'A' WHEN v = 1000000 THEN 'C' ELSE 'B' END FROM n;
SELECT sequence_match('(?1).*(?2).*(?3)', t, e='A', e='B', e='C'), sequence_match('(?1).*(?2).*(?3)', t, e='A', e='B', e='A'),
       sequence_match('(?1).*(?2).*(?3).*(?4)', t, e='A', e='B', e='B', e='C') FROM s26;
-- => 1|0|1
-- S27 (#118120): the B within 10 s is not directly followed by C
CREATE TABLE s27(t INTEGER, e TEXT);
INSERT INTO s27 VALUES (0,'A'),(5,'B'),(100,'B'),(101,'C');
SELECT sequence_match('(?1)(?t<=10)(?2)(?3)', t, e='A', e='B', e='C'), sequence_count('(?1)(?t<=10)(?2)(?3)', t, e='A', e='B', e='C') FROM s27;
-- => 0|0
-- sequenceNextNode table (ClickHouse 26.7, the data of test 01656): '-' is NULL
CREATE TABLE nn(id INTEGER, dt TEXT, action TEXT);
INSERT INTO nn VALUES (1,'2000-01-02 09:00:01','A'),(1,'2000-01-02 09:00:02','B'),(1,'2000-01-02 09:00:03','C'),(1,'2000-01-02 09:00:04','D'),(2,'2000-01-02 09:00:01','B'),(2,'2000-01-02 09:00:02','B'),(2,'2000-01-02 09:00:03','D'),(2,'2000-01-02 09:00:04','C'),(3,'2000-01-02 09:00:01','A'),(3,'2000-01-02 09:00:02','B'),(4,'2000-01-02 09:00:01','A'),(4,'2000-01-02 09:00:02','A'),(4,'2000-01-02 09:00:03','A'),(4,'2000-01-02 09:00:04','B'),(4,'2000-01-02 09:00:05','C'),(5,'2000-01-02 09:00:01','A'),(5,'2000-01-02 09:00:02','B'),(5,'2000-01-02 09:00:03','A'),(5,'2000-01-02 09:00:04','C'),(6,'2000-01-02 09:00:01','A'),(6,'2000-01-02 09:00:02','B'),(6,'2000-01-02 09:00:03','A'),(6,'2000-01-02 09:00:04','B'),(6,'2000-01-02 09:00:05','C'),(10,'2000-01-02 09:00:01','A'),(10,'2000-01-02 09:00:02','B'),(10,'2000-01-02 09:00:02',NULL),(10,'2000-01-02 09:00:03','C'),(10,'2000-01-02 09:00:04','D'),(11,'2000-01-02 09:00:01','D'),(11,'2000-01-02 09:00:01','C'),(11,'2000-01-02 09:00:01','B'),(11,'2000-01-02 09:00:01','A');
-- forward,head A
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', 'forward,head') AS r FROM nn GROUP BY id ORDER BY id);
-- => B-BABBBB
-- forward,head B
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', 'forward,head') AS r FROM nn GROUP BY id ORDER BY id);
-- => -B------
-- forward,head AB
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', action = 'B', 'forward,head') AS r FROM nn GROUP BY id ORDER BY id);
-- => C---AACC
-- forward,head AAB
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', action = 'A', action = 'B', 'forward,head') AS r FROM nn GROUP BY id ORDER BY id);
-- => --------
-- backward,tail C
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'C', 'backward,tail') AS r FROM nn GROUP BY id ORDER BY id);
-- => -D-BAB--
-- backward,tail D
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'D', 'backward,tail') AS r FROM nn GROUP BY id ORDER BY id);
-- => C-----CC
-- backward,tail CB
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'C', action = 'B', 'backward,tail') AS r FROM nn GROUP BY id ORDER BY id);
-- => ---A-A--
-- forward,first_match A
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => B-BABBBB
-- forward,first_match AB
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', action = 'B', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => C---AACC
-- forward,first_match ABC
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', action = 'B', action = 'C', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => D-----DD
-- forward,first_match B
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => CB-CAACC
-- forward,first_match BB
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', action = 'B', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => -D------
-- forward,first_match BA
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', action = 'A', 'forward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => ----CB--
-- backward,first_match B
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', 'backward,first_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => A-AAAAAA
-- backward,last_match B
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'B', 'backward,last_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => ABAAAAAA
-- forward,last_match A
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, action = 'A', 'forward,last_match') AS r FROM nn GROUP BY id ORDER BY id);
-- => B-BBCBBB
-- forward,head (no chain)
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, 'forward,head') AS r FROM nn GROUP BY id ORDER BY id);
-- => ABAAAAAA
-- backward,tail (no chain)
SELECT group_concat(coalesce(r, '-'), '') FROM (SELECT id, sequence_next_node(dt, action, 1, 'backward,tail') AS r FROM nn GROUP BY id ORDER BY id);
-- => DCBCCCDD
