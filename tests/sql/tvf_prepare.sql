-- A source written in the statement as a literal is checked while the statement is prepared, as
-- SQLite checks a table named in FROM: its error fails sqlite3_prepare, not the first step.
-- Replicated engines that garble errors raised while stepping (dqlite 1.11 sends the column count
-- and the first column's name instead) pass prepare errors on intact. EXPLAIN prepares a
-- statement without running it, so each error below can only come from the prepare-time check
-- (without it, EXPLAIN prints the program and no error).
CREATE TABLE events(user_id, ts, event);
CREATE TABLE cart(order_id, line_id, sku, qty, unit_price);
CREATE TABLE promotions(promo_id, rule);
EXPLAIN SELECT * FROM funnel('evnts', '1 day', 'view,cart');
-- => error: funnel: source: no such table: evnts
EXPLAIN SELECT * FROM funnel_actors('SELECT user_id, ts, event FROM evnts', '1 day', 'view,cart');
-- => error: funnel_actors: source: no such table: evnts
EXPLAIN SELECT * FROM cohort_retention('SELECT user_id, ts FROM events WHERE', 'week');
-- => error: cohort_retention: source: incomplete input
EXPLAIN SELECT * FROM repurchase(7, 'month');
-- => error: repurchase: source is INTEGER 7, expected a table or view name or a SELECT statement
EXPLAIN SELECT * FROM rfm WHERE source = 'orders';
-- => error: rfm: source: no such table: orders
EXPLAIN SELECT * FROM promo_apply('cart', 'promos');
-- => error: promo_apply: promotions: no such table: promos
EXPLAIN SELECT * FROM promo_apply('carts', 'promotions');
-- => error: promo_apply: cart: no such table: carts
EXPLAIN SELECT * FROM clv_fit('orderz');
-- => error: clv_fit: source: no such table: orderz
EXPLAIN SELECT * FROM promo_check('SELECT 1; SELECT 2');
-- => error: promo_check: promotions must be a single statement (found more after the first)
EXPLAIN SELECT * FROM funnel('DELETE FROM events', '1 day', 'view');
-- => error: funnel: source: no such table: DELETE FROM events
EXPLAIN SELECT * FROM funnel('WITH x AS (SELECT 1) DELETE FROM events', '1 day', 'view');
-- => error: funnel: source must be a read-only SELECT, WITH or VALUES statement
-- The same messages when the statement runs: the check changes when an error comes, not what
-- it says.
SELECT * FROM funnel('evnts', '1 day', 'view,cart');
-- => error: funnel: source: no such table: evnts
-- A source known only when the statement runs (a subquery here; a bound parameter or a joined
-- column likewise) is checked by the function when it runs, with the same message.
SELECT * FROM funnel((SELECT 'evnts'), '1 day', 'view,cart');
-- => error: funnel: source: no such table: evnts
-- A source that exists passes the check (the report has a row per step, 2, with no events);
-- NULL is not checked (a NULL source gives no rows).
SELECT count(*) FROM funnel('events', '1 day', 'view,cart');
-- => 2
SELECT count(*) FROM funnel(NULL, '1 day', 'view,cart');
-- => 0
-- Only sources are checked when preparing: a bad window is found when the function runs (the
-- source comes first either way).
EXPLAIN SELECT count(*) FROM funnel('evnts', 'soon', 'view');
-- => error: funnel: source: no such table: evnts
SELECT count(*) FROM funnel('events', 'soon', 'view');
-- =>~ error: funnel: window is TEXT 'soon', expected *
-- A source that calls a function reading a source is prepared, not run: checks do not nest, so
-- a source that quotes itself ends at the scan limit when it runs, not in a loop while preparing.
CREATE TABLE q(s TEXT);
INSERT INTO q VALUES ('SELECT step, 0, event FROM funnel((SELECT s FROM q), ''1 day'', ''view'')');
SELECT count(*) FROM funnel('SELECT step, 0, event FROM funnel((SELECT s FROM q), ''1 day'', ''view'')', '1 day', 'view');
-- => error: funnel: source: sources that call table-valued functions reading sources nest more than 8 deep
-- A literal options argument is parsed when the statement is prepared too, against the same list
-- of accepted options the function uses when it runs: an unknown option or a malformed list fails
-- the prepare with the message the function gives (values are still the function's to check).
EXPLAIN SELECT * FROM funnel('events', '1 day', 'view,cart', 'strict_ordr');
-- =>~ error: funnel: unknown option 'strict_ordr' (accepted: *
EXPLAIN SELECT * FROM rfm('SELECT user_id, ts, 1 FROM events', NULL, 'r_cuts=30,90');
-- =>~ error: rfm: unknown option '90'*
EXPLAIN SELECT * FROM cohort_retention('events', 'week', 'periods');
-- =>~ error: cohort_retention: *periods*
EXPLAIN SELECT * FROM promo_apply('cart', 'promotions', 7);
-- =>~ error: promo_apply: options is INTEGER 7*
SELECT * FROM funnel('events', '1 day', 'view,cart', 'strict_ordr');
-- =>~ error: funnel: unknown option 'strict_ordr' (accepted: *
-- An option's value is the function's to check, when it runs.
SELECT * FROM cohort_retention('events', 'week', 'periods=-1');
-- =>~ error: cohort_retention: *periods*
