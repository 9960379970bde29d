-- Bad input to window_funnel, funnel and funnel_actors: each is an error naming the function,
-- the argument and the value.
CREATE TABLE e(u, ts, event, ch);
INSERT INTO e VALUES (1, 100, 'view', 'app'), (1, 200, 'pay', 'app');
-- a TEXT condition (forgot the comparison)
SELECT window_funnel(60, ts, event, event='pay') FROM e;
-- => error: window_funnel: condition 1 is TEXT 'view', expected 0/1
SELECT window_funnel(60, ts, event='view', 2) FROM e;
-- => error: window_funnel: condition 2 is INTEGER 2, expected 0/1
SELECT window_funnel(60, ts, event='view', 0.5) FROM e;
-- => error: window_funnel: condition 2 is REAL 0.5, expected 0/1
SELECT window_funnel(60, ts, event='view', x'01') FROM e;
-- => error: window_funnel: condition 2 is BLOB of 1 bytes, expected 0/1
-- 65 conditions; 64 is the limit and works
SELECT window_funnel(60, ts, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1) FROM e;
-- => error: window_funnel: 65 conditions given, at most 64 are supported
SELECT window_funnel(60, ts, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1) FROM e;
-- => 64
SELECT window_funnel(60, ts) FROM e;
-- => error: window_funnel: expected (window, ts, cond1, ..., condN [, options]) with 1 to 64 conditions
SELECT window_funnel(60, ts, 'strict_order') FROM e;
-- => error: window_funnel: condition 1 is TEXT 'strict_order', expected 0/1
-- windows: negative, unparseable, months, NULL; 0 is valid
SELECT window_funnel(-1, ts, event='view') FROM e;
-- => error: window_funnel: window is INTEGER -1, expected seconds or a duration such as '30 minutes' or '7 days' (must not be negative)
SELECT window_funnel('soon', ts, event='view') FROM e;
-- => error: window_funnel: window is TEXT 'soon', expected seconds or a duration such as '30 minutes' or '7 days' (expected a number and a unit such as '30 minutes' or '7 days')
SELECT window_funnel('-2 days', ts, event='view') FROM e;
-- => error: window_funnel: window is TEXT '-2 days', expected seconds or a duration such as '30 minutes' or '7 days' (must not be negative)
SELECT window_funnel('3 months', ts, event='view') FROM e;
-- => error: window_funnel: window is TEXT '3 months', expected seconds or a duration such as '30 minutes' or '7 days' (months, quarters and years are periods, not durations)
SELECT window_funnel(NULL, ts, event='view') FROM e;
-- => error: window_funnel: window is NULL, expected seconds or a duration such as '30 minutes' or '7 days'
-- infinities are errors, not "no limit" (a huge finite window is; see funnel_vectors.sql)
SELECT window_funnel(1e999, ts, event='view') FROM e;
-- => error: window_funnel: window is REAL Inf, expected seconds or a duration such as '30 minutes' or '7 days' (not a finite number)
SELECT * FROM funnel('e', 1e999, 'view,pay');
-- => error: funnel: window is REAL Inf, expected seconds or a duration such as '30 minutes' or '7 days' (not a finite number)
SELECT window_funnel(9.3e12, ts, event='view', event='pay'), window_funnel(1e300, ts, event='view', event='pay') FROM e;
-- => 2|2
-- only TEXT is the options: a NULL in that place is a NULL condition, so every row is skipped
SELECT window_funnel(60, ts, event='view', event='pay', NULL) FROM e;
-- => NULL
-- view@100, pay@200: 100 seconds apart
SELECT window_funnel(0, ts, event='view', event='pay'), window_funnel(99, ts, event='view', event='pay'),
       window_funnel('100 seconds', ts, event='view', event='pay'), window_funnel(100.0, ts, event='view', event='pay') FROM e;
-- => 1|1|2|2
-- unknown modes and invalid combinations
SELECT window_funnel(60, ts, event='view', 'strict_sometimes') FROM e;
-- => error: window_funnel: unknown option 'strict_sometimes' (accepted: strict_deduplication, strict, strict_order, strict_increase, strict_once, allow_reentry, tz=..., ts_unit=...); a TEXT last argument is the options: the steps go before it as 0/1 conditions, window_funnel(window, ts, event = 'view', event = 'pay' [, options])
SELECT window_funnel(60, ts, event='view', 'allow_reentry') FROM e;
-- => error: window_funnel: option allow_reentry needs strict_order (as in ClickHouse)
-- options and window are parameters: they may not change within a group
SELECT window_funnel(60, ts, event='view', CASE WHEN ts < 150 THEN 'strict_order' ELSE 'strict_once' END) FROM e;
-- => error: window_funnel: options must be the same on every row of a group (was 'strict_order', now TEXT 'strict_once')
SELECT window_funnel(60, ts, event='view', CASE WHEN ts < 150 THEN 'strict_order' END) FROM e;
-- => error: window_funnel: options must be the same on every row of a group (was 'strict_order', now NULL)
SELECT window_funnel(ts - 40, ts, event='view') FROM e;
-- => error: window_funnel: window must be the same on every row of a group (it changed to INTEGER 160)
-- timestamps
SELECT window_funnel(60, 'yesterday', event='view') FROM e;
-- => error: window_funnel: ts is TEXT 'yesterday', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT window_funnel(60, 1e300, event='view') FROM e;
-- => error: window_funnel: ts is REAL 1.0e+300, expected Unix seconds or ISO-8601 text (outside years 0000..9999)

-- funnel / funnel_actors
SELECT * FROM funnel('e', 60, 'view,pay', 'strict_sometimes');
-- => error: funnel: unknown option 'strict_sometimes' (accepted: strict_deduplication, strict, strict_order, strict_increase, strict_once, allow_reentry, attempt=..., exclude=..., breakdown=..., tz=..., ts_unit=..., as_of=..., allow_missing_steps)
SELECT * FROM funnel_actors('e', 60, 'view,pay', 'allow_reentry');
-- => error: funnel_actors: option allow_reentry needs strict_order (as in ClickHouse)
-- sources that are not read-only, or not one statement
SELECT * FROM funnel('WITH x AS (SELECT 1) DELETE FROM e RETURNING *', 60, 'view,pay');
-- => error: funnel: source must be a read-only SELECT, WITH or VALUES statement
SELECT * FROM funnel_actors('SELECT * FROM e; DELETE FROM e', 60, 'view,pay');
-- => error: funnel_actors: source must be a single statement (found more after the first)
SELECT count(*) FROM e;
-- => 2
-- too few columns
SELECT * FROM funnel('SELECT u, ts FROM e', 60, 'view,pay');
-- => error: funnel: source has 2 columns, expected actor, ts, event and an optional breakdown
SELECT * FROM funnel_actors('SELECT u FROM e', 60, 'view,pay');
-- => error: funnel_actors: source has 1 column, expected actor, ts, event and an optional breakdown
SELECT * FROM funnel('nope', 60, 'view,pay');
-- => error: funnel: source: no such table: nope
SELECT * FROM funnel(42, 60, 'view,pay');
-- => error: funnel: source is INTEGER 42, expected a table or view name or a SELECT statement
SELECT * FROM funnel_actors(x'65', 60, 'view,pay');
-- => error: funnel_actors: source is BLOB of 1 bytes, expected a table or view name or a SELECT statement
SELECT * FROM funnel('e', -5, 'view,pay');
-- => error: funnel: window is INTEGER -5, expected seconds or a duration such as '30 minutes' or '7 days' (must not be negative)
SELECT * FROM funnel('e', 'a while', 'view,pay');
-- => error: funnel: window is TEXT 'a while', expected seconds or a duration such as '30 minutes' or '7 days' (expected a number and a unit such as '30 minutes' or '7 days')
-- steps
SELECT * FROM funnel('e', 60, '');
-- => error: funnel: steps is TEXT '', expected non-empty event names separated by commas
-- a BLOB is not read as text (x'7669657700' used to show as TEXT 'view')
SELECT * FROM funnel('e', 60, x'7669657700');
-- => error: funnel: steps is BLOB of 5 bytes, expected event names as 'view,cart,pay' or a JSON array
SELECT * FROM funnel('e', 60, 'view,,pay');
-- => error: funnel: steps is TEXT 'view,,pay', expected non-empty event names separated by commas
SELECT * FROM funnel('e', 60, '[1,2]');
-- => error: funnel: steps is TEXT '[1,2]', expected a JSON array of event names (strings)
SELECT * FROM funnel('e', 60, '["view", "pay"');
-- => error: funnel: steps is TEXT '["view", "pay"', expected a JSON array of event names
-- \u0000 in a JSON step name is refused: it used to cut "vi\u0000ew" to the step "vi" (issue 16 L9)
SELECT * FROM funnel('e', 60, '["vi\u0000ew", "pay"]');
-- => error: funnel: steps is TEXT '["vi\u0000ew", "pay"]': \u0000 (NUL) in an event name at offset 4
SELECT * FROM funnel('e', 60, '[]');
-- => error: funnel: steps must name 1 to 64 events
SELECT * FROM funnel('e', 60, 7);
-- => error: funnel: steps is INTEGER 7, expected event names as 'view,cart,pay' or a JSON array
SELECT * FROM funnel('e', 60, replace(hex(zeroblob(65)), '00', 'x,') || 'x');
-- => error: funnel: steps must name 1 to 64 events
-- options of the report
SELECT * FROM funnel('e', 60, 'view,pay', 'attempt=last');
-- => error: funnel: option attempt='last', expected furthest or first
SELECT * FROM funnel('e', 60, 'view,pay', 'exclude=pay');
-- => error: funnel: option exclude='pay' is also step 2; an excluded event cannot be a step
SELECT * FROM funnel('e', 60, 'view,pay', 'breakdown=step:3');
-- => error: funnel: option breakdown='step:3', expected first, last or step:K with K from 1 to 2
SELECT * FROM funnel('e', 60, 'view,pay', 'breakdown=middle');
-- => error: funnel: option breakdown='middle', expected first, last or step:K with K from 1 to 2
SELECT * FROM funnel('SELECT u, ts, event FROM e', 60, 'view,pay', 'breakdown=last');
-- => error: funnel: option breakdown='last' needs a 4th source column (the breakdown value)
-- missing arguments; NULL required arguments give no rows (SQLite's convention)
SELECT * FROM funnel('e', 60);
-- => error: funnel: argument steps is required
SELECT * FROM funnel(NULL, 60, 'view');
-- => (no rows)
-- bad timestamps in the source
SELECT * FROM funnel('SELECT u, ''x'', event FROM e', 60, 'view,pay');
-- => error: funnel: ts (source column 2) is TEXT 'x', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- direct-only: not from a view or trigger
CREATE VIEW v AS SELECT * FROM funnel('e', 60, 'view');
SELECT * FROM v;
-- =>~ error: *funnel*
-- a failed setup in a window frame (bad options) is an error, and leaks nothing (ASan build)
SELECT window_funnel(60, ts, event='view', 'nope') OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM e;
-- => error: window_funnel: unknown option 'nope' (accepted: strict_deduplication, strict, strict_order, strict_increase, strict_once, allow_reentry, tz=..., ts_unit=...); a TEXT last argument is the options: the steps go before it as 0/1 conditions, window_funnel(window, ts, event = 'view', event = 'pay' [, options])
SELECT window_funnel(60, ts, event='view', 'strict_order') FROM e WHERE 0;
-- => 0
-- strict_once keeps every partial chain: 3000 rows that all satisfy steps 1 and 2 make about
-- 4.5 million chains of 32 bytes at step 2, past the 64 MB limit, which is an error rather than
-- exhausted memory
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
SELECT window_funnel(100000, i, 1, 1, 0, 'strict_once') FROM n;
-- => error: window_funnel: strict_once needs more than 64 MB of partial chains for one group
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
SELECT window_funnel(100000, i, 1, 1, 0, 'strict_once') FROM n;
-- => 2
