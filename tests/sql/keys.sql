-- What counts as the same actor, breakdown value or customer (ext/keys.c numbers them). funnel
-- tells values apart by type as well as value; rfm and cohort_retention group as SQLite's GROUP
-- BY does (a whole REAL is that INTEGER). The same answers before and after keys.c replaced the
-- three tables it unified.
CREATE TABLE ev(actor, ts, event, bd);
INSERT INTO ev VALUES (1, 0, 'view', 1), (1, 10, 'pay', 1), (1.0, 0, 'view', 1.0), (1.0, 5, 'pay', 1.0),
  (0, 0, 'view', 0.0), (-0.0, 0, 'view', -0.0), ('1', 0, 'view', '1'), (x'31', 0, 'view', x'31'),
  ('', 0, 'view', ''), (x'', 0, 'view', x''), (3000000, 0, 'view', 3000000), (-5, 0, 'view', -5),
  (char(97, 0, 98), 0, 'view', char(97, 0, 98)), (char(97, 0, 99), 0, 'view', char(97, 0, 99));
-- Breakdown groups: INTEGER 1 and REAL 1.0 are two groups (side by side in SQLite's order), so
-- are 0.0 and -0.0 (both print as 0.0), TEXT '1' and BLOB x'31', '' and x''; text with a NUL
-- keeps every byte. Order: NULL, numbers, text, blobs (TEXT and BLOB shown in hex).
SELECT typeof(breakdown), iif(typeof(breakdown) IN ('text', 'blob'), hex(breakdown), breakdown), actors FROM funnel('SELECT actor, ts, event, bd FROM ev', 60, 'view,pay') WHERE step = 1;
-- => integer|-5|1
-- => real|0.0|1
-- => real|0.0|1
-- => integer|1|1
-- => real|1.0|1
-- => integer|3000000|1
-- => text||1
-- => text|31|1
-- => text|610062|1
-- => text|610063|1
-- => blob||1
-- => blob|31|1
-- Actors too: 1 and 1.0 are two actors, each reaching pay.
SELECT typeof(actor), iif(typeof(actor) IN ('text', 'blob'), hex(actor), actor), level, seconds_to_last FROM funnel_actors('SELECT actor, ts, event FROM ev', 60, 'view,pay');
-- => integer|0|1|0.0
-- => integer|1|2|10.0
-- => real|1.0|2|5.0
-- => real|0.0|1|0.0
-- => text|31|1|0.0
-- => blob|31|1|0.0
-- => text||1|0.0
-- => blob||1|0.0
-- => integer|3000000|1|0.0
-- => integer|-5|1|0.0
-- => text|610062|1|0.0
-- => text|610063|1|0.0
-- rfm: customer 1.0 is customer 1 and -0.0 is 0; TEXT order id 'A' under two customers is two
-- orders, and 'A' twice for one customer is one; TEXT 'A' and BLOB x'41' are two orders.
SELECT typeof(customer), iif(typeof(customer) IN ('text', 'blob'), hex(customer), customer), frequency FROM rfm('VALUES (1, 0, 5, ''A''), (1.0, 10, 5, ''A''), (1, 20, 5, x''41''), (2, 0, 5, ''A''), (-0.0, 0, 1, 7), (0, 10, 1, 7.0), (''1'', 0, 1, 1), (x''31'', 0, 1, 1)');
-- => integer|0|1
-- => integer|1|2
-- => integer|2|1
-- => text|31|1
-- => blob|31|1
-- cohort_retention: actor 42.0 is actor 42 (active on two days); TEXT '42' is another actor.
SELECT cohort, cohort_size, period, retained FROM cohort_retention('VALUES (42, ''2024-01-01''), (42.0, ''2024-01-02''), (''42'', ''2024-01-01'')', 'day');
-- => 2024-01-01|2|0|2
-- => 2024-01-01|2|1|1
