-- Sources that call table-valued functions that read sources (issue 16 H1). Each level is a
-- scan running inside the one above it on the C stack: at most 8 may be under way on a
-- connection, whatever mix of functions runs them, and one more is refused naming the
-- function. Before the limit, each of these recursed until the stack overflowed (SIGSEGV).
-- The 249-byte quine of the report (no tables), through funnel_actors:
SELECT count(*) FROM funnel_actors('SELECT actor, 0, ''view'' FROM funnel_actors((SELECT replace(a, char(36), quote(a)) FROM (SELECT ''SELECT actor, 0, ''''view'''' FROM funnel_actors((SELECT replace(a, char(36), quote(a)) FROM (SELECT $ AS a)), ''''1 day'''', ''''view'''')'' AS a)), ''1 day'', ''view'')', '1 day', 'view');
-- => error: funnel_actors: source: sources that call table-valued functions reading sources nest more than 8 deep
-- The same with the text stored in a table, through every function that reads a source.
CREATE TABLE q(fn TEXT PRIMARY KEY, s TEXT);
CREATE TABLE cart(order_id, line_id, sku, qty, unit_price);
INSERT INTO cart VALUES (1, 1, 'A', 1, 10);
INSERT INTO q VALUES
  ('funnel', 'SELECT step, 0, event FROM funnel((SELECT s FROM q WHERE fn = ''funnel''), ''1 day'', ''view'')'),
  ('funnel_actors', 'SELECT actor, 0, ''view'' FROM funnel_actors((SELECT s FROM q WHERE fn = ''funnel_actors''), ''1 day'', ''view'')'),
  ('cohort_retention', 'SELECT cohort_size, 0 FROM cohort_retention((SELECT s FROM q WHERE fn = ''cohort_retention''), ''day'')'),
  ('rfm', 'SELECT customer, 0, 1 FROM rfm((SELECT s FROM q WHERE fn = ''rfm''))'),
  ('promo_apply', 'SELECT promo_id, ''{"type":"discount","rate":0.9}'' AS rule FROM promo_apply(''cart'', (SELECT s FROM q WHERE fn = ''promo_apply''))'),
  ('promo_check', 'SELECT promo_id, ''{"type":"discount","rate":0.9}'' AS rule FROM promo_check((SELECT s FROM q WHERE fn = ''promo_check''))'),
  ('repurchase', 'SELECT buyers, 0 FROM repurchase((SELECT s FROM q WHERE fn = ''repurchase''), ''month'')');
SELECT count(*) FROM funnel((SELECT s FROM q WHERE fn = 'funnel'), '1 day', 'view');
-- => error: funnel: source: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM funnel_actors((SELECT s FROM q WHERE fn = 'funnel_actors'), '1 day', 'view');
-- => error: funnel_actors: source: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM cohort_retention((SELECT s FROM q WHERE fn = 'cohort_retention'), 'day');
-- => error: cohort_retention: source: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM rfm((SELECT s FROM q WHERE fn = 'rfm'));
-- => error: rfm: source: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM promo_apply('cart', (SELECT s FROM q WHERE fn = 'promo_apply'));
-- => error: promo_apply: promotions: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM promo_check((SELECT s FROM q WHERE fn = 'promo_check'));
-- => error: promo_check: promotions: sources that call table-valued functions reading sources nest more than 8 deep
SELECT count(*) FROM repurchase((SELECT s FROM q WHERE fn = 'repurchase'), 'month');
-- => error: repurchase: source: sources that call table-valued functions reading sources nest more than 8 deep
-- A cycle through three functions: rfm reads cohort_retention, which reads funnel_actors, which
-- reads rfm, ... The limit counts scans of any function: the ninth is refused.
CREATE TABLE mix(fn TEXT PRIMARY KEY, s TEXT);
INSERT INTO mix VALUES
  ('rfm', 'SELECT cohort_size, 0, 1 FROM cohort_retention((SELECT s FROM mix WHERE fn = ''cohort_retention''), ''day'')'),
  ('cohort_retention', 'SELECT actor, 0 FROM funnel_actors((SELECT s FROM mix WHERE fn = ''funnel_actors''), ''1 day'', ''view'')'),
  ('funnel_actors', 'SELECT customer, 0, ''view'' FROM rfm((SELECT s FROM mix WHERE fn = ''rfm''))');
-- scans: rfm 1, cohort 2, funnel_actors 3, rfm 4, cohort 5, funnel_actors 6, rfm 7, cohort 8, funnel_actors 9
SELECT count(*) FROM rfm((SELECT s FROM mix WHERE fn = 'rfm'));
-- => error: funnel_actors: source: sources that call table-valued functions reading sources nest more than 8 deep
-- Nesting within the limit works: funnel_actors over rfm over a VALUES list (2 scans). Customers
-- 1 and 2 each bought once on 2024-01-01: both are actors who reached step 1.
SELECT count(*) FROM funnel_actors('SELECT customer, 0, ''view'' FROM rfm(''VALUES (1, 1704067200, 5), (2, 1704067200, 7)'')', '1 day', 'view');
-- => 2
