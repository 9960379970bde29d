-- Table-valued functions under query shapes that make SQLite's planner ask xBestIndex about
-- parts of the WHERE clause: OR between output columns, IN lists, joins, and arguments by name.
-- Each branch of an OR is planned with only some constraints; that must not be an error
-- (it was: "argument source is required"), and the answer must be the plain one.
CREATE TABLE e(u, ts, event);
-- u1 views and pays, u2 views only, u3 views, carts, pays: hand-counted
-- step 1 view: 3 actors; step 2 cart: 1 (u3); step 3 pay: 1 (u3; u1 skipped cart)
INSERT INTO e VALUES (1, 100, 'view'), (1, 200, 'pay'), (2, 100, 'view'),
                     (3, 100, 'view'), (3, 150, 'cart'), (3, 180, 'pay');
SELECT step, actors FROM funnel('e', 3600, 'view,cart,pay') WHERE step = 1 OR actors = 1 ORDER BY step;
-- => 1|3
-- => 2|1
-- => 3|1
SELECT step, event FROM funnel('e', 3600, 'view,cart,pay') WHERE event = 'pay' OR step = 2 ORDER BY step;
-- => 2|cart
-- => 3|pay
SELECT actor, level FROM funnel_actors('e', 3600, 'view,cart,pay') WHERE level = 1 OR actor = 3 ORDER BY actor;
-- => 1|1
-- => 2|1
-- => 3|3
SELECT actor FROM funnel_actors('e', 3600, 'view,cart,pay') WHERE level IN (1, 3) AND (actor = 2 OR actor = 3) ORDER BY actor;
-- => 2
-- => 3
-- arguments by name in WHERE, combined with an OR on an output column
SELECT step, actors FROM funnel WHERE source = 'e' AND window = 3600 AND steps = 'view,cart,pay' AND (step = 1 OR step = 3) ORDER BY step;
-- => 1|3
-- => 3|1
-- a join whose right side is a TVF, with an OR in the ON/WHERE clause
CREATE TABLE want(level);
INSERT INTO want VALUES (1), (3);
SELECT a.actor FROM want w JOIN funnel_actors('e', 3600, 'view,cart,pay') a ON a.level = w.level WHERE a.actor = 1 OR a.actor = 3 ORDER BY a.actor;
-- => 1
-- => 3
-- rfm and cohort_retention under OR: u1 two orders (100 + 50), u2 one order (30)
CREATE TABLE o(c, ts, amount);
INSERT INTO o VALUES (1, '2026-01-01', 100), (1, '2026-01-05', 50), (2, '2026-01-03', 30);
SELECT customer, frequency, monetary FROM rfm('o') WHERE customer = 2 OR frequency = 2 ORDER BY customer;
-- => 1|2|150.0
-- => 2|1|30.0
-- cohorts by day: 2026-01-01 holds u1 (back on day 4), 2026-01-03 holds u2
SELECT cohort, period, retained FROM cohort_retention('SELECT c, ts FROM o', 'day') WHERE (period = 0 OR period = 4) AND retained > 0 ORDER BY cohort, period;
-- => 2026-01-01|0|1
-- => 2026-01-01|4|1
-- => 2026-01-03|0|1
-- a missing argument is still reported, by the plan that has to run
SELECT * FROM funnel('e', 3600) WHERE step = 1 OR step = 2;
-- => error: funnel: argument steps is required
SELECT * FROM rfm WHERE customer = 1 OR customer = 2;
-- => error: rfm: argument source is required
-- an optional argument taken from another table of the join (rfm's as_of per row of d): the
-- planner must run rfm inside the loop over d. It gave no rows: a plan that ignored the
-- unusable as_of ran rfm once with the default, then compared its hidden column with d.x.
-- Recency by hand: u1's last order 2026-01-05, u2's 2026-01-03; as_of 2026-01-10 and 01-20.
CREATE TABLE d(x);
INSERT INTO d VALUES ('2026-01-10'), ('2026-01-20');
SELECT d.x, r.customer, r.recency_days FROM d JOIN rfm('o', d.x) AS r ORDER BY 1, 2;
-- => 2026-01-10|1|5
-- => 2026-01-10|2|7
-- => 2026-01-20|1|15
-- => 2026-01-20|2|17
SELECT d.x, r.customer FROM rfm('o', d.x) AS r JOIN d WHERE r.customer = 2 ORDER BY 1;
-- => 2026-01-10|2
-- => 2026-01-20|2
