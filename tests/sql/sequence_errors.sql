-- Bad input to sequence_match, sequence_count and sequence_next_node: each is an error naming
-- the function, the argument and the value; hostile patterns are refused or run in bounded time.
CREATE TABLE e(u, ts, ev);
INSERT INTO e VALUES (1, 100, 'view'), (1, 200, 'cart'), (1, 300, 'pay'), (2, 100, 'view');
-- the pattern: NULL, a number, unbalanced parentheses, (?0), a condition not given
SELECT sequence_match(NULL, ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is NULL, expected TEXT such as '(?1).*(?2)'
SELECT sequence_count(12, ts, ev='view', ev='pay') FROM e;
-- => error: sequence_count: pattern is INTEGER 12, expected TEXT such as '(?1).*(?2)'
SELECT sequence_match('(?1).*(?2', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1).*(?2', expected a ClickHouse sequence pattern (the group opened at position 6 is not closed with ')')
SELECT sequence_match('(?1))', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1))', expected a ClickHouse sequence pattern (')' at position 4: a pattern is made of (?N), ., .* and (?t op seconds), with no spaces)
SELECT sequence_match('(?0)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?0)', expected a ClickHouse sequence pattern ((?0) at position 0: conditions are numbered from 1)
SELECT sequence_match('(?1)(?33)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?33)', expected a ClickHouse sequence pattern ((?33) at position 4 names a condition that is not given (2 given))
-- time conditions: no operator, !=, no number, a number beyond 2^64, two in a row
SELECT sequence_match('(?1)(?t', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?t', expected a ClickHouse sequence pattern ((?t at position 4 needs an operator: <, <=, >, >= or ==)
SELECT sequence_match('(?1)(?t!=5)(?2)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?t!=5)(?2)', expected a ClickHouse sequence pattern ((?t!= at position 4: ClickHouse has no != time condition; use <, <=, >, >= or ==)
SELECT sequence_match('(?1)(?t<)(?2)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?t<)(?2)', expected a ClickHouse sequence pattern (the time condition at position 4 needs a whole number of seconds)
SELECT sequence_match('(?1)(?t<123456789012345678901234567890)(?2)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?t<123456789012345678901234567890)(?2)', expected a ClickHouse sequence pattern (the seconds of the time condition at position 4 exceed 2^64 - 1)
SELECT sequence_match('(?1)(?t<5)(?t>1)(?2)', ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: pattern is TEXT '(?1)(?t<5)(?t>1)(?2)', expected a ClickHouse sequence pattern (the time condition at position 10 must follow (?N), . or .*, not another time condition)
-- a huge V within 2^64 is "longer than any span of timestamps": < always holds, > never
SELECT sequence_match('(?1)(?t<18446744073709551615)(?3)', ts, ev='view', ev='cart', ev='pay'),
       sequence_match('(?1)(?t>18446744073709551615)(?3)', ts, ev='view', ev='cart', ev='pay') FROM e WHERE u = 1;
-- => 1|0
-- 10,000 characters: refused before any work
SELECT length(replace(hex(zeroblob(5000)), '00', '.*'));
-- => 10000
SELECT sequence_match(replace(hex(zeroblob(5000)), '00', '.*'), ts, ev='view') FROM e;
-- => error: sequence_match: pattern is TEXT '.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*....', expected a ClickHouse sequence pattern (the pattern has 10000 bytes, at most 1024 are supported)
-- the pattern is a parameter: it must not change within a group
SELECT sequence_match(CASE WHEN ts < 300 THEN '(?1)' ELSE '(?2)' END, ts, ev='view', ev='pay') FROM e;
-- => error: sequence_match: the pattern must be the same on every row of a group (was '(?1)', now TEXT '(?2)')
-- argument counts: no condition, 65 conditions
SELECT sequence_match('(?1)', ts) FROM e;
-- => error: sequence_match: expected (pattern, ts, cond1, ..., condN) with 1 to 64 conditions, got 2 arguments
SELECT sequence_count('(?1)', ts, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1) FROM e;
-- => error: sequence_count: expected (pattern, ts, cond1, ..., condN) with 1 to 64 conditions, got 67 arguments
-- 64 conditions work, and (?64) names the last: each of the 4 rows is one match
SELECT sequence_count('(?64)', ts, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1) FROM e;
-- => 4
-- conditions are 0/1
SELECT sequence_match('(?1)', ts, ev) FROM e;
-- => error: sequence_match: condition 1 is TEXT 'view', expected 0/1
SELECT sequence_count('(?1)', ts, ev='view', 2) FROM e;
-- => error: sequence_count: condition 2 is INTEGER 2, expected 0/1
-- timestamps: text that is no instant is an error; NULL skips the row
SELECT sequence_match('(?1)', 'yesterday', 1) FROM e;
-- => error: sequence_match: ts is TEXT 'yesterday', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- NULL arguments skip the row (ClickHouse skips rows with a NULL argument); a group of only such
-- rows is NULL; no rows at all is 0
SELECT sequence_count('(?1)', CASE WHEN ts = 100 THEN NULL ELSE ts END, ev='view') FROM e;
-- => 0
SELECT sequence_count('(?1)', ts, CASE WHEN u = 2 THEN NULL ELSE ev='view' END) FROM e;
-- => 1
SELECT sequence_match('(?1)', ts, NULL) FROM e;
-- => NULL
SELECT sequence_match('', ts, 1), sequence_count('', ts, 1) FROM e WHERE 0;
-- => 0|0
-- 100,000 events in one group and a pattern that would make a backtracking search explode:
-- one pass over the events per action (235 actions), so it answers at once
CREATE TABLE big(ts INTEGER);
WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 100000) INSERT INTO big SELECT v FROM n;
SELECT length(replace(hex(zeroblob(78)), '00', '.*(?t>=1)(?1)') || '(?2)');
-- => 1018
-- (?1) holds on every event (ts 1, 2, 3, ...), (?2) on one. By hand, as ClickHouse reads it:
-- after .* the time is measured from the first event .* left unconsumed, so the earliest
-- chain takes (?1) at ts 2, 4, ..., 156 (each (?t>=1) step skips one event), and (?2) must come
-- right after some (?1) of the 78th step: at ts 157 or later, not at 156.
SELECT sequence_match(replace(hex(zeroblob(78)), '00', '.*(?t>=1)(?1)') || '(?2)', ts, 1, ts = 100000),
       sequence_count(replace(hex(zeroblob(78)), '00', '.*(?t>=1)(?1)') || '(?2)', ts, 1, ts = 100000),
       sequence_match(replace(hex(zeroblob(78)), '00', '.*(?t>=1)(?1)') || '(?2)', ts, 1, ts = 157),
       sequence_match(replace(hex(zeroblob(78)), '00', '.*(?t>=1)(?1)') || '(?2)', ts, 1, ts = 156) FROM big;
-- => 1|1|1|0
-- sequence_next_node: options
SELECT sequence_next_node(ts, ev, 1, ev='view', 'backward,head') FROM e;
-- => error: sequence_next_node: 'backward,head' reads past the group's end (as ClickHouse, head goes with forward and tail with backward)
SELECT sequence_next_node(ts, ev, 1, ev='view', 'forward,tail') FROM e;
-- => error: sequence_next_node: 'forward,tail' reads past the group's end (as ClickHouse, head goes with forward and tail with backward)
SELECT sequence_next_node(ts, ev, 1, ev='view', 'forward,backward') FROM e;
-- => error: sequence_next_node: options give one direction (forward or backward) and one base (head, tail, first_match or last_match), not 'forward,backward'
SELECT sequence_next_node(ts, ev, 1, 'first_match') FROM e;
-- => error: sequence_next_node: first_match and last_match need event1 (the base is an event1 row)
SELECT sequence_next_node(ts, x'00', 1) FROM e;
-- => error: sequence_next_node: event is a BLOB of 1 bytes, expected TEXT (an event name)
SELECT sequence_next_node(ts, ev, 2) FROM e;
-- => error: sequence_next_node: base_condition is INTEGER 2, expected 0/1
SELECT sequence_next_node(ts, ev) FROM e;
-- => error: sequence_next_node: expected (ts, event, base_condition, event1, ..., eventN [, options]) with 0 to 64 events, got 2 arguments
-- the missing half is implied: 'backward' is backward,tail and 'tail' too
SELECT u, sequence_next_node(ts, ev, 1, 'backward'), sequence_next_node(ts, ev, 1, 'tail'),
       sequence_next_node(ts, ev, 1), sequence_next_node(ts, ev, 1, ev='view') FROM e GROUP BY u ORDER BY u;
-- => 1|pay|pay|view|cart
-- => 2|view|view|view|NULL
-- no rows: NULL
SELECT sequence_next_node(ts, ev, 1) FROM e WHERE 0;
-- => NULL
-- an empty event value is a value, not NULL
SELECT quote(sequence_next_node(ts, '', 1)) FROM e;
-- => ''
-- INTEGER timestamps that are all YYYYMMDD dates would read as seconds of 1970: refused with
-- the hint (as window_funnel); one real Unix time among them and they are seconds
CREATE TABLE ymd(u, d, ev);
INSERT INTO ymd VALUES (1, 20240101, 'view'), (1, 20240102, 'pay'), (2, 20240101, 'view'), (2, 1704067200, 'pay');
SELECT sequence_match('(?1)(?2)', d, ev = 'view', ev = 'pay') FROM ymd WHERE u = 1;
-- => error: sequence_match: ts: every INTEGER timestamp is a valid YYYYMMDD date (e.g. 20240102; read as Unix seconds they would all fall in 1970): give Unix seconds or ISO-8601 text, such as printf('%d-%02d-%02d', ts / 10000, ts / 100 % 100, ts % 100)
SELECT sequence_next_node(d, ev, 1) FROM ymd WHERE u = 1;
-- => error: sequence_next_node: ts: every INTEGER timestamp is a valid YYYYMMDD date (e.g. 20240102; read as Unix seconds they would all fall in 1970): give Unix seconds or ISO-8601 text, such as printf('%d-%02d-%02d', ts / 10000, ts / 100 % 100, ts % 100)
SELECT sequence_count('(?1)(?t<=86400)(?2)', printf('%d-%02d-%02d', d / 10000, d / 100 % 100, d % 100), ev = 'view', ev = 'pay') FROM ymd WHERE u = 1;
-- => 1
SELECT sequence_match('(?1)(?2)', d, ev = 'view', ev = 'pay') FROM ymd WHERE u = 2;
-- => 1
