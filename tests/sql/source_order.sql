-- Every table-valued function over actors' histories, and every aggregate over a group's events,
-- gives the same result whatever order its source's rows come in: here the same rows in time
-- order and shuffled (issue 12; the engines
-- group rows by actor in batches and blocks, and number actors in order of first appearance, so
-- a shuffle changes every internal id). Data: 600 users arriving over 90 days, each with a run
-- of view -> cart -> checkout -> pay sessions (1 to 40 events, a heavy tail), and orders with
-- refunds, repeat order ids and TEXT customers mixed in; the shuffle is a fixed hash of rowid.
-- Each check counts the rows that differ in either direction (expected 0|0) and the rows of the
-- time-ordered result, which is computed from the input in plain SQL where that is short, so a
-- result that came out empty in both orders would fail.
CREATE TABLE ev(user_id, ts, event, channel);
WITH RECURSIVE
  u(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM u WHERE i < 600),
  users(user_id, start, n) AS (
    SELECT i, 1704067200 + (i * 2654435761 % 4294967291) % (90 * 86400),
           1 + (40 * ((i * 40503) % 1000) * ((i * 40503) % 1000) * ((i * 40503) % 1000)) / 1000000000
    FROM u),
  k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 39)
INSERT INTO ev
SELECT user_id, start + j * (3600 + (user_id * 7 + j * 13) % 50000),
       CASE j % 4 WHEN 0 THEN 'view' WHEN 1 THEN 'cart' WHEN 2 THEN 'checkout' ELSE 'pay' END,
       CASE (user_id + j / 4) % 3 WHEN 0 THEN 'app' WHEN 1 THEN 'web' ELSE 'ads' END
FROM users, k WHERE j < n
ORDER BY 2, 1;
CREATE TABLE ev_shuffled AS SELECT * FROM ev ORDER BY (rowid * 2654435761) % 4294967291;
CREATE TABLE ord(customer, ts, amount, order_id);
INSERT INTO ord
SELECT CASE WHEN user_id % 7 = 0 THEN 'c-' || user_id ELSE user_id END, ts,
       CASE WHEN rowid % 23 = 0 THEN -5.5 ELSE 10 + (rowid * 37) % 400 + 0.25 END,
       rowid - rowid % 3
FROM ev WHERE event = 'pay' ORDER BY ts;
CREATE TABLE ord_shuffled AS SELECT * FROM ord ORDER BY (rowid * 2654435761) % 4294967291;
-- The shuffle moved rows: the tables hold the same rows in another order.
SELECT (SELECT count(*) FROM ev), (SELECT count(*) FROM (SELECT * FROM ev EXCEPT SELECT * FROM ev_shuffled)),
       (SELECT sum(a.rowid <> b.rowid) > 1000 FROM ev AS a JOIN ev_shuffled AS b USING (user_id, ts, event));
-- => 5931|0|1
SELECT (SELECT count(*) FROM ord), (SELECT count(*) FROM (SELECT * FROM ord EXCEPT SELECT * FROM ord_shuffled));
-- => 1271|0
-- funnel, funnel_actors: one row per step.
SELECT (SELECT count(*) FROM (SELECT * FROM funnel('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay')
          EXCEPT SELECT * FROM funnel('SELECT user_id, ts, event FROM ev_shuffled', '1 day', 'view,cart,checkout,pay'))),
       (SELECT count(*) FROM (SELECT * FROM funnel('SELECT user_id, ts, event FROM ev_shuffled', '1 day', 'view,cart,checkout,pay')
          EXCEPT SELECT * FROM funnel('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay'))),
       (SELECT count(*) FROM funnel('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay'));
-- => 0|0|4
-- with a breakdown: 4 steps x 3 channels
SELECT (SELECT count(*) FROM (SELECT * FROM funnel('SELECT user_id, ts, event, channel FROM ev', '2 days', 'view,cart,pay')
          EXCEPT SELECT * FROM funnel('SELECT user_id, ts, event, channel FROM ev_shuffled', '2 days', 'view,cart,pay'))),
       (SELECT count(*) FROM (SELECT * FROM funnel('SELECT user_id, ts, event, channel FROM ev_shuffled', '2 days', 'view,cart,pay')
          EXCEPT SELECT * FROM funnel('SELECT user_id, ts, event, channel FROM ev', '2 days', 'view,cart,pay'))),
       (SELECT count(DISTINCT step) FROM funnel('SELECT user_id, ts, event, channel FROM ev', '2 days', 'view,cart,pay'));
-- => 0|0|3
-- funnel_actors: one row per user with a view (every user's first event is a view)
SELECT (SELECT count(*) FROM (SELECT * FROM funnel_actors('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay')
          EXCEPT SELECT * FROM funnel_actors('SELECT user_id, ts, event FROM ev_shuffled', '1 day', 'view,cart,checkout,pay'))),
       (SELECT count(*) FROM (SELECT * FROM funnel_actors('SELECT user_id, ts, event FROM ev_shuffled', '1 day', 'view,cart,checkout,pay')
          EXCEPT SELECT * FROM funnel_actors('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay'))),
       (SELECT count(*) FROM funnel_actors('SELECT user_id, ts, event FROM ev', '1 day', 'view,cart,checkout,pay'))
         = (SELECT count(DISTINCT user_id) FROM ev WHERE event = 'view');
-- => 0|0|1
-- cohort_retention: weekly, monthly, daily rolling, and with a value column.
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'week')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'week'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'week')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'week'))),
       (SELECT sum(retained) FROM cohort_retention('SELECT user_id, ts FROM ev', 'week') WHERE period = 0)
         = (SELECT count(DISTINCT user_id) FROM ev);
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'month')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'month'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'month')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'month'))),
       (SELECT sum(retained) FROM cohort_retention('SELECT user_id, ts FROM ev', 'month') WHERE period = 0)
         = (SELECT count(DISTINCT user_id) FROM ev);
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'day', 'rolling')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'day', 'rolling'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev_shuffled', 'day', 'rolling')
          EXCEPT SELECT * FROM cohort_retention('SELECT user_id, ts FROM ev', 'day', 'rolling'))),
       (SELECT count(*) > 100 FROM cohort_retention('SELECT user_id, ts FROM ev', 'day', 'rolling'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT customer, ts, 1, amount FROM ord', 'month')
          EXCEPT SELECT * FROM cohort_retention('SELECT customer, ts, 1, amount FROM ord_shuffled', 'month'))),
       (SELECT count(*) FROM (SELECT * FROM cohort_retention('SELECT customer, ts, 1, amount FROM ord_shuffled', 'month')
          EXCEPT SELECT * FROM cohort_retention('SELECT customer, ts, 1, amount FROM ord', 'month'))),
       (SELECT count(*) > 3 FROM cohort_retention('SELECT customer, ts, 1, amount FROM ord', 'month'));
-- => 0|0|1
-- rfm: one row per customer with a purchase row, also with order ids and frequency=days.
SELECT (SELECT count(*) FROM (SELECT * FROM rfm('SELECT customer, ts, amount FROM ord')
          EXCEPT SELECT * FROM rfm('SELECT customer, ts, amount FROM ord_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('SELECT customer, ts, amount FROM ord_shuffled')
          EXCEPT SELECT * FROM rfm('SELECT customer, ts, amount FROM ord'))),
       (SELECT count(*) FROM rfm('SELECT customer, ts, amount FROM ord'))
         = (SELECT count(DISTINCT customer) FROM ord WHERE amount >= 0);
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM rfm('ord', NULL, 'frequency=days')
          EXCEPT SELECT * FROM rfm('ord_shuffled', NULL, 'frequency=days'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('ord_shuffled', NULL, 'frequency=days')
          EXCEPT SELECT * FROM rfm('ord', NULL, 'frequency=days'))),
       (SELECT count(*) FROM rfm('ord', NULL, 'frequency=days')) = (SELECT count(DISTINCT customer) FROM ord WHERE amount >= 0);
-- => 0|0|1
-- the output's order is the customers' order (INTEGER ids first, then TEXT), in both
SELECT (SELECT group_concat(customer, ',') FROM rfm('ord')) = (SELECT group_concat(customer, ',') FROM rfm('ord_shuffled')),
       (SELECT group_concat(customer, ',') FROM rfm('ord'))
         = (SELECT group_concat(customer, ',') FROM (SELECT DISTINCT customer FROM ord WHERE amount >= 0 ORDER BY customer));
-- => 1|1
-- repurchase
SELECT (SELECT count(*) FROM (SELECT * FROM repurchase('SELECT customer, ts FROM ord', 'month')
          EXCEPT SELECT * FROM repurchase('SELECT customer, ts FROM ord_shuffled', 'month'))),
       (SELECT count(*) FROM (SELECT * FROM repurchase('SELECT customer, ts FROM ord_shuffled', 'month')
          EXCEPT SELECT * FROM repurchase('SELECT customer, ts FROM ord', 'month'))),
       (SELECT count(*) > 0 FROM repurchase('SELECT customer, ts FROM ord', 'month'));
-- => 0|0|1
-- clv_fit, clv: purchases only; a penalizer each, as the few weeks of data do not pin the models down
SELECT (SELECT count(*) FROM (SELECT * FROM clv_fit('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.01')
          EXCEPT SELECT * FROM clv_fit('SELECT customer, ts, amount FROM ord_shuffled WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.01'))),
       (SELECT count(*) FROM (SELECT * FROM clv_fit('SELECT customer, ts, amount FROM ord_shuffled WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.01')
          EXCEPT SELECT * FROM clv_fit('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.01'))),
       (SELECT count(*) > 0 FROM clv_fit('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.01'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM clv('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.0001')
          EXCEPT SELECT * FROM clv('SELECT customer, ts, amount FROM ord_shuffled WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.0001'))),
       (SELECT count(*) FROM (SELECT * FROM clv('SELECT customer, ts, amount FROM ord_shuffled WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.0001')
          EXCEPT SELECT * FROM clv('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.0001'))),
       (SELECT count(*) FROM clv('SELECT customer, ts, amount FROM ord WHERE amount > 0', 'as_of=2024-05-01, penalizer=0.0001'))
         = (SELECT count(DISTINCT customer) FROM ord WHERE amount > 0);
-- => 0|0|1
-- lifecycle, lifecycle_actors, actor_status, actor_transitions, stickiness, active_users
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT user_id, ts FROM ev', 'week')
          EXCEPT SELECT * FROM lifecycle('SELECT user_id, ts FROM ev_shuffled', 'week'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT user_id, ts FROM ev_shuffled', 'week')
          EXCEPT SELECT * FROM lifecycle('SELECT user_id, ts FROM ev', 'week'))),
       (SELECT count(*) > 10 FROM lifecycle('SELECT user_id, ts FROM ev', 'week'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT user_id, ts, channel FROM ev', 'month')
          EXCEPT SELECT * FROM lifecycle('SELECT user_id, ts, channel FROM ev_shuffled', 'month'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle('SELECT user_id, ts, channel FROM ev_shuffled', 'month')
          EXCEPT SELECT * FROM lifecycle('SELECT user_id, ts, channel FROM ev', 'month'))),
       (SELECT count(*) > 10 FROM lifecycle('SELECT user_id, ts, channel FROM ev', 'month'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('SELECT user_id, ts FROM ev', 'week')
          EXCEPT SELECT * FROM lifecycle_actors('SELECT user_id, ts FROM ev_shuffled', 'week'))),
       (SELECT count(*) FROM (SELECT * FROM lifecycle_actors('SELECT user_id, ts FROM ev_shuffled', 'week')
          EXCEPT SELECT * FROM lifecycle_actors('SELECT user_id, ts FROM ev', 'week'))),
       (SELECT count(*) > 600 FROM lifecycle_actors('SELECT user_id, ts FROM ev', 'week'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM actor_status('SELECT user_id, ts FROM ev', '2024-04-01')
          EXCEPT SELECT * FROM actor_status('SELECT user_id, ts FROM ev_shuffled', '2024-04-01'))),
       (SELECT count(*) FROM (SELECT * FROM actor_status('SELECT user_id, ts FROM ev_shuffled', '2024-04-01')
          EXCEPT SELECT * FROM actor_status('SELECT user_id, ts FROM ev', '2024-04-01'))),
       (SELECT count(*) FROM actor_status('SELECT user_id, ts FROM ev', '2024-04-01'))
         = (SELECT count(DISTINCT user_id) FROM ev WHERE ts < unixepoch('2024-04-01'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM actor_transitions('SELECT user_id, ts FROM ev', '2024-03-01', '2024-04-01')
          EXCEPT SELECT * FROM actor_transitions('SELECT user_id, ts FROM ev_shuffled', '2024-03-01', '2024-04-01'))),
       (SELECT count(*) FROM (SELECT * FROM actor_transitions('SELECT user_id, ts FROM ev_shuffled', '2024-03-01', '2024-04-01')
          EXCEPT SELECT * FROM actor_transitions('SELECT user_id, ts FROM ev', '2024-03-01', '2024-04-01'))),
       (SELECT count(*) > 0 FROM actor_transitions('SELECT user_id, ts FROM ev', '2024-03-01', '2024-04-01'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM stickiness('SELECT user_id, ts FROM ev', 'week', 'day')
          EXCEPT SELECT * FROM stickiness('SELECT user_id, ts FROM ev_shuffled', 'week', 'day'))),
       (SELECT count(*) FROM (SELECT * FROM stickiness('SELECT user_id, ts FROM ev_shuffled', 'week', 'day')
          EXCEPT SELECT * FROM stickiness('SELECT user_id, ts FROM ev', 'week', 'day'))),
       (SELECT count(*) > 10 FROM stickiness('SELECT user_id, ts FROM ev', 'week', 'day'));
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM active_users('SELECT user_id, ts FROM ev')
          EXCEPT SELECT * FROM active_users('SELECT user_id, ts FROM ev_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM active_users('SELECT user_id, ts FROM ev_shuffled')
          EXCEPT SELECT * FROM active_users('SELECT user_id, ts FROM ev'))),
       (SELECT count(*) > 90 FROM active_users('SELECT user_id, ts FROM ev'));
-- => 0|0|1
-- paths, path_actors, churn_points: every user's events have distinct instants, so a journey's
-- order is fixed by time alone. Consecutive events of a user are at least an hour apart, more
-- than the default journey gap of 30 minutes, so every event starts a journey of its own.
SELECT (SELECT count(*) FROM (SELECT * FROM paths('SELECT user_id, ts, event FROM ev')
          EXCEPT SELECT * FROM paths('SELECT user_id, ts, event FROM ev_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM paths('SELECT user_id, ts, event FROM ev_shuffled')
          EXCEPT SELECT * FROM paths('SELECT user_id, ts, event FROM ev'))),
       (SELECT sum(journeys) FROM paths('SELECT user_id, ts, event FROM ev') WHERE kind = 'node' AND step = 1)
         = (SELECT count(*) FROM ev);
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM path_actors('SELECT user_id, ts, event FROM ev')
          EXCEPT SELECT * FROM path_actors('SELECT user_id, ts, event FROM ev_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM path_actors('SELECT user_id, ts, event FROM ev_shuffled')
          EXCEPT SELECT * FROM path_actors('SELECT user_id, ts, event FROM ev'))),
       (SELECT count(DISTINCT actor) FROM path_actors('SELECT user_id, ts, event FROM ev'))
         = (SELECT count(DISTINCT user_id) FROM ev);
-- => 0|0|1
SELECT (SELECT count(*) FROM (SELECT * FROM churn_points('SELECT user_id, ts, event FROM ev')
          EXCEPT SELECT * FROM churn_points('SELECT user_id, ts, event FROM ev_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM churn_points('SELECT user_id, ts, event FROM ev_shuffled')
          EXCEPT SELECT * FROM churn_points('SELECT user_id, ts, event FROM ev'))),
       (SELECT count(*) > 0 FROM churn_points('SELECT user_id, ts, event FROM ev'));
-- => 0|0|1
-- The aggregates over each user's rows as GROUP BY hands them over (in the table's order).
SELECT (SELECT count(*) FROM (
          SELECT user_id, window_funnel(86400, ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay')
          FROM ev GROUP BY user_id
          EXCEPT SELECT user_id, window_funnel(86400, ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay')
          FROM ev_shuffled GROUP BY user_id)),
       (SELECT count(*) FROM (
          SELECT user_id, retention(event = 'view', event = 'cart', event = 'pay') FROM ev GROUP BY user_id
          EXCEPT SELECT user_id, retention(event = 'view', event = 'cart', event = 'pay') FROM ev_shuffled GROUP BY user_id)),
       (SELECT count(*) FROM (
          SELECT user_id, sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, event = 'view', event = 'cart', event = 'pay'),
                 sequence_count('(?1)(?2)', ts, event = 'view', event = 'cart')
          FROM ev GROUP BY user_id
          EXCEPT SELECT user_id, sequence_match('(?1).*(?2)(?t<=86400)(?3)', ts, event = 'view', event = 'cart', event = 'pay'),
                 sequence_count('(?1)(?2)', ts, event = 'view', event = 'cart')
          FROM ev_shuffled GROUP BY user_id)),
       (SELECT count(*) FROM (
          SELECT user_id, sequence_next_node(ts, event, event = 'view', event = 'view') FROM ev GROUP BY user_id
          EXCEPT SELECT user_id, sequence_next_node(ts, event, event = 'view', event = 'view') FROM ev_shuffled
          GROUP BY user_id)),
       (SELECT count(*) FROM (SELECT user_id FROM ev GROUP BY user_id
          HAVING window_funnel(86400, ts, event = 'view', event = 'cart', event = 'checkout', event = 'pay') = 4))
         = (SELECT count(*) FROM (SELECT DISTINCT user_id FROM ev AS a WHERE event = 'view' AND EXISTS (
              SELECT 1 FROM ev AS b, ev AS c, ev AS d WHERE b.user_id = a.user_id AND c.user_id = a.user_id
              AND d.user_id = a.user_id AND b.event = 'cart' AND c.event = 'checkout' AND d.event = 'pay'
              AND a.ts < b.ts AND b.ts < c.ts AND c.ts < d.ts AND d.ts <= a.ts + 86400)));
-- => 0|0|0|0|1
-- rfm over more rows than one batch (65,536) and more customers than one block (4,096): 150,000
-- orders of 30,011 customers, a refund every 37th row, in time order and shuffled.
CREATE TABLE big_ord(customer, ts, amount);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000)
INSERT INTO big_ord SELECT (i * 7919) % 30011, 1704067200 + i * 60,
                           CASE WHEN i % 37 = 0 THEN -12.5 ELSE (i % 500) / 4.0 END FROM n;
CREATE TABLE big_ord_shuffled AS SELECT * FROM big_ord ORDER BY (rowid * 2654435761) % 4294967291;
SELECT (SELECT count(*) FROM (SELECT * FROM rfm('big_ord') EXCEPT SELECT * FROM rfm('big_ord_shuffled'))),
       (SELECT count(*) FROM (SELECT * FROM rfm('big_ord_shuffled') EXCEPT SELECT * FROM rfm('big_ord'))),
       (SELECT count(*) FROM rfm('big_ord')) = (SELECT count(DISTINCT customer) FROM big_ord WHERE amount >= 0),
       (SELECT sum(monetary) FROM rfm('big_ord')) = (SELECT sum(amount) FROM big_ord WHERE customer IN
          (SELECT customer FROM big_ord WHERE amount >= 0));
-- => 0|0|1|1
