-- Saved views over table-valued functions (issue 15 finding 5). By default a view of the
-- database schema cannot run a function that runs SQL text (SQLite: "unsafe use of virtual
-- table"); TEMP views, which only the application can create, and CREATE TABLE AS work.
-- tests/sql/views_trusted.sql is the same connection after growth_trust_schema(1).
CREATE TABLE orders(customer, ts);
INSERT INTO orders VALUES (1, '2024-01-05'), (1, '2024-01-20'), (2, '2024-02-01');
SELECT growth_trust_schema();
-- => 0
CREATE VIEW monthly AS SELECT period, buyers, repeat_buyers FROM repurchase('orders', 'month');
SELECT * FROM monthly;
-- => error: unsafe use of virtual table "repurchase"
CREATE TEMP VIEW monthly_temp AS SELECT period, buyers, repeat_buyers FROM repurchase('orders', 'month');
SELECT * FROM monthly_temp;
-- => 2024-01-01|1|1
-- => 2024-02-01|1|0
CREATE TABLE monthly_saved AS SELECT period, buyers FROM repurchase('orders', 'month');
SELECT * FROM monthly_saved;
-- => 2024-01-01|1
-- => 2024-02-01|1
-- The switch is fixed once a table-valued function has been used on the connection: turning it
-- on now is an error that says when to call it; asking, or repeating the current value, is fine.
SELECT growth_trust_schema(1);
-- => error: growth_trust_schema: a table-valued function was already used on this connection; call growth_trust_schema(1) right after loading the extension, before any
SELECT growth_trust_schema(0);
-- => 0
SELECT growth_trust_schema(NULL);
-- => error: growth_trust_schema: on is NULL, expected 0/1
SELECT growth_trust_schema(2);
-- => error: growth_trust_schema: on is INTEGER 2, expected 0/1
-- A schema can never switch it: the function is direct-only.
CREATE VIEW switch AS SELECT growth_trust_schema(1);
SELECT * FROM switch;
-- => error: unsafe use of growth_trust_schema()
