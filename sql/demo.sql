-- demo.sql: a small, deterministic demo shop (no random(): every value comes from a fixed
-- integer hash of row numbers, so every run builds the same database).
--   sqlite3 build/demo.db < sql/demo.sql        (make demo does this)
-- Six months (2024-01-01 .. 2024-06-30), 3000 customers from four channels, their sessions
-- (view -> cart -> checkout -> pay events), orders and refunds, products, promotions and carts.
-- All timestamps are TEXT 'YYYY-MM-DD HH:MM:SS' in UTC. And at the end the real CDNOW sample
-- (table cdnow) for customer lifetime value.

BEGIN;

-- h(x) = a 32-bit multiplicative hash; used as CAST(... AS INTEGER) % k for "random" picks.
CREATE TEMP VIEW seq AS
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) SELECT i FROM n;

CREATE TABLE customers(
  customer_id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,      -- app | web | wechat | ads
  city TEXT NOT NULL,
  signup_at TEXT NOT NULL
);
INSERT INTO customers
SELECT i,
       CASE WHEN (i * 2654435761) % 4294967291 % 100 < 40 THEN 'app'
            WHEN (i * 2654435761) % 4294967291 % 100 < 65 THEN 'web'
            WHEN (i * 2654435761) % 4294967291 % 100 < 85 THEN 'wechat'
            ELSE 'ads' END,
       CASE (i * 40503) % 6 WHEN 0 THEN '上海' WHEN 1 THEN '北京' WHEN 2 THEN '广州'
                            WHEN 3 THEN '深圳' WHEN 4 THEN '杭州' ELSE '成都' END,
       -- sign-ups spread over the half year, more in the first months
       datetime(1704067200 + ((i * 7919) % 3000) * ((i * 7919) % 3000) * 15552 / 3000 / 3000 * 1000
                + (i * 104729) % 86400, 'unixepoch')
FROM seq;

-- Sessions: a customer keeps coming back with a probability that depends on the channel
-- (app users are the most loyal, ads the least) and a gap of 1 to 12 days.
CREATE TEMP TABLE sessions AS
WITH RECURSIVE s(customer_id, k, start) AS (
  SELECT customer_id, 0, unixepoch(signup_at) FROM customers
  UNION ALL
  SELECT s.customer_id, s.k + 1,
         s.start + 86400 * (1 + (s.customer_id * 31 + s.k * 17) * 2654435761 % 4294967291 % 12)
                 + (s.customer_id * 131 + s.k * 7) % 7200 - 3600
  FROM s JOIN customers c USING (customer_id)
  WHERE s.k < 40
    AND (s.customer_id * 97 + s.k * 1013) * 2654435761 % 4294967291 % 100 <
        CASE c.channel WHEN 'app' THEN 82 WHEN 'wechat' THEN 76 WHEN 'web' THEN 68 ELSE 55 END
)
SELECT customer_id, k, start,
       (customer_id * 7 + k * 13) * 2654435761 % 4294967291 % 1000 AS roll,
       (customer_id * 29 + k * 41) * 2654435761 % 4294967291 % 100 AS roll2
FROM s WHERE start < 1719792000;  -- before 2024-07-01

CREATE TABLE events(
  user_id INTEGER NOT NULL,
  ts TEXT NOT NULL,
  event TEXT NOT NULL,        -- view | cart | checkout | pay
  channel TEXT NOT NULL
);
-- Every session views; 45% add to cart, 60% of those check out, 70% of those pay.
-- Step gaps are minutes; one checkout in ten pays only after more than an hour.
INSERT INTO events
SELECT customer_id, datetime(start, 'unixepoch'), 'view', channel FROM sessions JOIN customers USING (customer_id)
UNION ALL
SELECT customer_id, datetime(start + 30 + roll % 570, 'unixepoch'), 'cart', channel
FROM sessions JOIN customers USING (customer_id) WHERE roll % 100 < 45
UNION ALL
SELECT customer_id, datetime(start + 30 + roll % 570 + 60 + roll * 7 % 840, 'unixepoch'), 'checkout', channel
FROM sessions JOIN customers USING (customer_id) WHERE roll % 100 < 45 AND roll2 < 60
UNION ALL
SELECT customer_id,
       datetime(start + 30 + roll % 570 + 60 + roll * 7 % 840
                + CASE WHEN roll % 10 = 3 THEN 3600 + roll * 11 % 7200 ELSE 30 + roll * 3 % 270 END, 'unixepoch'),
       'pay', channel
FROM sessions JOIN customers USING (customer_id)
WHERE roll % 100 < 45 AND roll2 < 60 AND (roll2 * 7 + roll) % 10 < 6 + (channel = 'app') + (channel = 'wechat');
CREATE INDEX events_user_ts ON events(user_id, ts);

-- One order per pay event; amounts from 19.90 to about 900 yuan, most under 300.
CREATE TABLE orders(
  order_id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  ts TEXT NOT NULL,
  amount REAL NOT NULL
);
INSERT INTO orders(order_id, customer_id, ts, amount)
SELECT row_number() OVER (ORDER BY ts, user_id), user_id, ts,
       round(19.9 + ((user_id * 2654435761 + unixepoch(ts)) % 4294967291 % 1000)
                  * ((user_id * 2654435761 + unixepoch(ts)) % 4294967291 % 1000) / 1125.0, 2)
FROM events WHERE event = 'pay';

-- About 3% of orders are refunded a week later, half of them in part.
CREATE TABLE refunds(
  order_id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL,
  ts TEXT NOT NULL,
  amount REAL NOT NULL        -- negative
);
INSERT INTO refunds
SELECT order_id, customer_id, datetime(ts, '+7 days'),
       -CASE WHEN order_id % 2 = 0 THEN amount ELSE round(amount / 2, 2) END
FROM orders WHERE order_id * 2654435761 % 4294967291 % 100 < 3;

CREATE TABLE products(
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price REAL NOT NULL,        -- list price, yuan
  cost REAL NOT NULL          -- purchase price (what the buyer, 采购, knows)
);
INSERT INTO products VALUES
  ('TEA-01',  '龙井 Longjing tea 250g',      'tea',       128.00,  71.00),
  ('TEA-02',  '普洱 Pu-erh cake 357g',       'tea',       199.00, 120.00),
  ('CUP-01',  'Glass tea cup',               'teaware',    39.90,  14.50),
  ('POT-01',  'Yixing clay teapot',          'teaware',   599.00, 310.00),
  ('SET-01',  'Travel tea set',              'teaware',   259.00, 150.00),
  ('SNK-01',  'Dried mango 200g',            'snacks',     19.90,   8.20),
  ('SNK-02',  'Walnut cake box',             'snacks',     68.00,  35.00),
  ('GFT-01',  'Tea towel (gift)',            'accessory',  15.00,   4.00),
  ('GFT-02',  'Bamboo tea tray',             'accessory',  89.00,  41.00),
  ('KET-01',  'Electric kettle',             'appliance', 329.00, 205.00),
  ('HON-01',  'Wildflower honey 500g',       'snacks',     58.00,  27.00),
  ('TEA-03',  '白茶 White tea 100g',          'tea',        88.00,  46.00);

-- Activities (rules are JSON as docs/promotions.md documents; rates are the fraction paid).
CREATE TABLE promotions(
  promo_id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  skus TEXT,                  -- JSON array of skus, NULL = every sku
  priority INTEGER NOT NULL DEFAULT 0
);
INSERT INTO promotions VALUES
  ('P-TEA-80',   '{"type":"discount","rate":0.8,"starts_at":"2024-06-01","ends_at":"2024-06-19"}', '["TEA-01","TEA-03"]', 10),
  ('P-CUP-TIER', '{"type":"tiered_discount","tiers":[{"qty":2,"rate":0.95},{"qty":5,"rate":0.8}]}', '["CUP-01"]', 5),
  ('P-POT-SP',   '{"type":"special_price","price":499}', '["POT-01"]', 10),
  ('P-SNK-BOGO', '{"type":"buy_x_get_y","buy":1,"get":1,"rate":0.5,"scope":"group"}', '["SNK-01","SNK-02"]', 5),
  ('P-KET-FS',   '{"type":"flash_sale","price":259,"stock":100,"per_order_limit":1}', '["KET-01"]', 20),
  ('P-SET-300',  '{"type":"threshold_off","threshold":300,"off":30,"scope":"group"}', '["SET-01","TEA-02","GFT-02"]', 5),
  ('P-HON-N',    '{"type":"bundle_price","qty":3,"price":150}', '["HON-01"]', 5),
  ('P-GIFT-199', '{"type":"exchange","threshold":199,"sku":"GFT-01","qty":1,"list":15,"cost":4}', '["TEA-02"]', 1),
  ('C-300-30',   '{"type":"coupon","threshold":300,"off":30}', NULL, 0);

-- Carts waiting to be priced: 40 orders of one to four lines at list price.
CREATE TABLE cart(
  order_id INTEGER NOT NULL,
  line_id INTEGER NOT NULL,
  sku TEXT NOT NULL,
  qty INTEGER NOT NULL,
  unit_price REAL NOT NULL,
  cost REAL,
  is_new INTEGER NOT NULL DEFAULT 0,
  at TEXT,
  PRIMARY KEY (order_id, line_id)
);
INSERT INTO cart
WITH RECURSIVE o(order_id) AS (SELECT 1001 UNION ALL SELECT order_id + 1 FROM o WHERE order_id < 1040),
     l(line_id) AS (VALUES (1), (2), (3), (4)),
     p AS (SELECT sku, price, cost, row_number() OVER (ORDER BY sku) - 1 AS k FROM products)
SELECT o.order_id, l.line_id, p.sku,
       1 + (o.order_id * 7 + l.line_id * 3) % 4 * ((o.order_id + l.line_id) % 3 = 0),
       p.price, p.cost, o.order_id % 5 = 0,
       datetime(1717200000 + (o.order_id - 1001) * 43200, 'unixepoch')
FROM o JOIN l ON l.line_id <= 1 + (o.order_id * 2654435761) % 4294967291 % 4
       JOIN p ON p.k = (o.order_id * 5 + l.line_id * 7) % 12;

-- Real data beside the generated shop: the CDNOW sample of Fader, Hardie and Lee (2005), 6,919
-- purchases of 2,357 customers of an online CD store who first bought in 1997's first quarter,
-- to the end of June 1998 (tests/data/CDNOW_sample.txt, provenance in tests/data/README.md).
-- The file has fixed-width lines of 33 bytes: sample customer id at 8, date YYYYMMDD at 13, CDs
-- at 21, dollars at 24. Read from the repository root (make demo does).
CREATE TEMP TABLE cdnow_file AS SELECT readfile('tests/data/CDNOW_sample.txt') AS bytes;
CREATE TABLE cdnow(
  customer INTEGER NOT NULL,
  day INTEGER NOT NULL,       -- YYYYMMDD as CDNOW stores it (ts_unit=yyyymmdd)
  ts TEXT NOT NULL,           -- the same day as YYYY-MM-DD
  cds INTEGER NOT NULL,
  dollars REAL NOT NULL
);
INSERT INTO cdnow
WITH RECURSIVE line(i) AS (
  SELECT 0 UNION ALL SELECT i + 1 FROM line WHERE i + 1 < (SELECT length(bytes) / 33 FROM cdnow_file)
), raw AS (
  SELECT CAST(CAST(substr(bytes, i * 33 + 8, 4) AS TEXT) AS INTEGER) AS customer,
         CAST(substr(bytes, i * 33 + 13, 8) AS TEXT) AS day,
         CAST(CAST(substr(bytes, i * 33 + 21, 3) AS TEXT) AS INTEGER) AS cds,
         CAST(CAST(substr(bytes, i * 33 + 24, 8) AS TEXT) AS REAL) AS dollars
  FROM line, cdnow_file
)
SELECT customer, CAST(day AS INTEGER), substr(day, 1, 4) || '-' || substr(day, 5, 2) || '-' || substr(day, 7, 2),
       cds, dollars
FROM raw;

COMMIT;
ANALYZE;
