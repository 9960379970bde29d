-- growth_trust_schema(1), called before any table-valued function is used: the application's
-- views and triggers may run them, and SQLite's PRAGMA trusted_schema decides (on by default;
-- an application that opens database files it does not trust turns it off, and then a view of
-- that file is refused again). See tests/sql/views.sql for the default.
SELECT growth_trust_schema(1);
-- => 1
CREATE TABLE orders(customer, ts);
INSERT INTO orders VALUES (1, '2024-01-05'), (1, '2024-01-20'), (2, '2024-02-01');
CREATE VIEW monthly AS SELECT period, buyers, repeat_buyers FROM repurchase('orders', 'month');
SELECT * FROM monthly;
-- => 2024-01-01|1|1
-- => 2024-02-01|1|0
CREATE TABLE log(n);
CREATE TRIGGER count_buyers AFTER INSERT ON orders BEGIN
  INSERT INTO log SELECT sum(buyers) FROM repurchase('orders', 'month');
END;
INSERT INTO orders VALUES (3, '2024-02-02');
SELECT n FROM log;
-- => 3
PRAGMA trusted_schema = OFF;
SELECT * FROM monthly;
-- => error: unsafe use of virtual table "repurchase"
PRAGMA trusted_schema = ON;
SELECT count(*) FROM monthly;
-- => 2
-- Switching back once used is refused as well.
SELECT growth_trust_schema(0);
-- => error: growth_trust_schema: a table-valued function was already used on this connection; call growth_trust_schema(0) right after loading the extension, before any
