-- Option values (issue 16 L12). as_of as a number is Unix seconds written plainly: not hex
-- (strtod read 0x10 as 16 s), and negative numbers are instants before 1970, not bad dates.
-- Actor 1 starts at 0 (1970-01-01) and returns at 86400; as_of=0x10 was read as 16 s.
SELECT * FROM cohort_retention('VALUES (1, 0), (1, 86400)', 'day', 'as_of=0x10');
-- => error: cohort_retention: option as_of='0x10': expected an ISO-8601 date or time, or a number in ts_unit (expected YYYY-MM-DD)
-- as_of=-5 is 1969-12-31 23:59:55: actor 2 (at -10) has started, actor 1 (at 0) has not.
SELECT cohort, cohort_size, period, retained FROM cohort_retention('VALUES (1, 0), (2, -10)', 'day', 'as_of=-5');
-- => 1969-12-31|1|0|1
SELECT cohort, cohort_size FROM cohort_retention('VALUES (1, 0), (2, -10)', 'day', 'as_of=86400.5') WHERE period = 0;
-- => 1969-12-31|1
-- => 1970-01-01|1
-- A SELECT with several columns as an option value: options are split at commas, so it goes in
-- parentheses (or give a table or view name). Cut at its comma it is an error that says so.
CREATE TABLE pr(promo_id TEXT, rule TEXT, skus TEXT);
INSERT INTO pr VALUES ('HALF', '{"type":"discount","rate":0.5}', '["A"]');
CREATE TABLE products(sku TEXT, cost REAL);
INSERT INTO products VALUES ('A', 60);
SELECT promo_id, sku, problem FROM promo_check('pr', 'costs=SELECT sku, cost FROM products');
-- => error: promo_check: unknown option 'cost FROM products': it looks like the rest of the SQL statement 'SELECT sku', cut at a comma (options are separated by commas): write the statement in parentheses, (SELECT ...), or give a table or view name
-- In parentheses it is read whole (commas and quotes inside included): with list price 100,
-- HALF sells A at 50% = 50.00, below its cost 60.
SELECT promo_id, sku, problem FROM promo_check('pr', 'costs=(SELECT sku, cost, 100 AS price FROM products), min_margin=0.1');
-- => HALF|A|below_cost
SELECT promo_id, sku, problem FROM promo_check('pr', 'costs = ( SELECT sku, cost, 100 AS price FROM products WHERE sku IN (''A'', ''B'') )');
-- => HALF|A|below_cost
SELECT date_bucket('2024-01-01', 'day', 'tz=(+08:00');
-- => error: date_bucket: options have an unclosed parenthesis or quote: 'tz=(+08:00'
