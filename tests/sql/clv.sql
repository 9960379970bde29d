-- clv() and clv_fit(): the summary, the predictions at given parameters, and every refusal,
-- hand-worked. (The CDNOW reproduction, 2,357 customers against the published summary and
-- parameters, is tests/test_clv.c; the models themselves are tests/test_clv_model.c.)
--
-- Orders: customer 1 buys 10.00 and 5 on 01-01 (one purchase day, 15), '20.00' on 01-11, and
-- gets a refund of 4 on 01-31, a day without purchases, so it lowers 01-11's total to 16.
-- Customer 2 buys once, for 0 (a purchase). Customer 'c3' buys 7, 3 and 5 on 01-05, 02-05 and
-- 02-28 23:00. Customer 4 only has a refund: no customer. The NULL customer and the NULL ts are
-- skipped. as_of 2024-03-01: the last observed day is 02-29.
CREATE TABLE o(customer, ts, amount);
INSERT INTO o VALUES (1, '2024-01-01 09:00', 10.00), (1, '2024-01-01 18:00', 5), (1, '2024-01-11', '20.00'),
  (1, '2024-01-31', -4), (2, '2024-02-10', 0), ('c3', '2024-01-05', 7), ('c3', '2024-02-05', 3),
  ('c3', '2024-02-28 23:00', 5), (4, '2024-02-01', -3), (NULL, '2024-01-02', 1), (5, NULL, 1);
-- Parameters given, so nothing is fitted: r = 1, alpha = 1, a = 0.5, b = 1; p = 1, q = 2, v = 10.
--   1:  x = 1, t_x = 10 days (01-01 to 01-11), T = 59 (01-01 to 02-29), monetary 16.
--       P(alive) = 1 / (1 + a/(b + x - 1) ((alpha + T)/(alpha + t_x))^(r + x))
--                = 1 / (1 + 0.5 (60/11)^2) = 1 / 15.876033 = 0.062988.
--       E[M] = (1 - w) p v/(q - 1) + w m, w = p x/(p x + q - 1) = 1/2: 0.5 * 10 + 0.5 * 16 = 13.
--   2:  x = 0, T = 19 (02-10 to 02-29): P(alive) 1, E[M] the population mean 10.
--   c3: x = 2, t_x = 54 (01-05 to 02-28), T = 55, monetary (3 + 5)/2 = 4.
--       P(alive) = 1 / (1 + 0.5/2 (56/55)^3) = 1 / 1.263884 = 0.791211; w = 2/3: 10/3 + 8/3 = 6.
-- Rows come in customer order: INTEGERs before TEXT.
SELECT customer, frequency, recency, T, monetary, round(p_alive, 6), expected_monetary
FROM clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1|1|10.0|59.0|16.0|0.062988|13.0
-- => 2|0|0.0|19.0|0.0|1.0|10.0
-- => c3|2|54.0|55.0|4.0|0.791211|6.0
-- E[Y(t)] for customer 2 (x = 0): eq. 10 is (a + b - 1)/(a - 1) [1 - ((alpha + T)/(alpha + T + t))
-- 2F1(1, 1; 1/2; z)], z = t/(alpha + T + t), and 2F1(1, 1; 1/2; z) = (1 + sqrt(z/(1 - z))
-- asin(sqrt z))/(1 - z), so E[Y(t)] = sqrt(t/(alpha + T)) asin(sqrt(t/(alpha + T + t))).
-- horizon 365 (the default in days): sqrt(365/20) asin(sqrt(365/385)) = 4.272002 * 1.340846 = 5.728132.
SELECT round(expected_purchases, 6) FROM clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10')
WHERE customer = 2;
-- => 5.728132
-- Without discounting the monthly differences add up: clv = E[M] * E[Y(months * 30 days)].
-- With margin 0.3 and the horizon set to those 360 days, clv = 0.3 * E[M] * expected_purchases.
SELECT customer, abs(clv - 0.3 * expected_monetary * expected_purchases) < 1e-9 * clv
FROM clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10, discount=0, months=12, horizon=360, margin=0.3');
-- => 1|1
-- => 2|1
-- => c3|1
-- Discounting at 1% a month lowers it; months=0 is no future at all.
SELECT sum(d.clv < u.clv), sum(z.clv = 0)
FROM clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10') d
JOIN clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10, discount=0') u USING (customer)
JOIN clv('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10, months=0') z USING (customer);
-- => 3|3
-- unit=week: recency and T in weeks (days / 7); alpha is then in weeks too.
SELECT customer, round(recency, 6), round(T, 6) FROM clv('o', 'unit=week, as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10')
WHERE customer = 1;
-- => 1|1.428571|8.428571
-- The default as_of is the midnight after the latest row's day (02-28 23:00): 02-29 00:00, so
-- the last observed day is 02-28 and customer 1's T is 58.
SELECT T FROM clv('o', 'r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10') WHERE customer = 1;
-- => 58.0
-- as_of is the instant of the analysis: rows at or after it are not seen. as_of=2024-02-10:
-- customer 2 (02-10) and c3's 02-28 are unseen; the last observed day is 02-09, so customer 1's
-- T is 39 (01-01 to 02-09) and c3's 35 (01-05 to 02-09), with one repeat (02-05).
SELECT customer, frequency, T FROM clv('o', 'as_of=2024-02-10, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1|1|39.0
-- => c3|1|35.0
-- T = 0: customer 2 bought on the last observed day (as_of 02-11). Everything stays finite.
SELECT T, p_alive, expected_purchases > 0, expected_monetary FROM clv('o', 'as_of=2024-02-11, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10')
WHERE customer = 2;
-- => 0.0|1.0|1|10.0
-- Local days: 23:30 and 00:30 UTC are two days in UTC and one at +08:00 (07:30 and 08:30).
SELECT frequency FROM clv('VALUES (1, ''2024-01-01 23:30'', 1), (1, ''2024-01-02 00:30'', 1)', 'r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1
SELECT frequency FROM clv('VALUES (1, ''2024-01-01 23:30'', 1), (1, ''2024-01-02 00:30'', 1)', 'tz=+08:00, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 0
-- ts_unit=yyyymmdd reads CDNOW-style dates; without it they are refused with the hint.
SELECT frequency, recency FROM clv('VALUES (1, 19970101, 29.33), (1, 19970118, 29.73)', 'ts_unit=yyyymmdd, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1|17.0
SELECT * FROM clv('VALUES (1, 19970101, 29.33), (1, 19970118, 29.73)', 'r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- =>~ error: clv: *ts_unit=yyyymmdd*
-- Amounts of 0 on two days: a repeat customer whose monetary is 0 stays out of the Gamma-Gamma
-- fit and gets the population mean p v/(q - 1) = 10.
SELECT frequency, monetary, expected_monetary FROM clv('VALUES (9, ''2024-01-01'', 0), (9, ''2024-01-05'', 0)', 'r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1|0.0|10.0
-- Without amounts (two columns, or NULL in every row) only BG/NBD runs: the money columns are NULL.
SELECT customer, monetary, expected_monetary, clv, p_alive > 0 FROM clv('SELECT customer, ts FROM o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1');
-- => 1|NULL|NULL|NULL|1
-- => 2|NULL|NULL|NULL|1
-- => 4|NULL|NULL|NULL|1
-- => c3|NULL|NULL|NULL|1
SELECT count(*), count(monetary) FROM clv('SELECT customer, ts, NULL FROM o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1');
-- => 4|0
SELECT p, q, v, gg_ll, repeaters, customers FROM clv_fit('SELECT customer, ts FROM o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1');
-- => NULL|NULL|NULL|NULL|NULL|4
-- clv_fit with every parameter given: nothing fitted (iterations 0, converged NULL); the
-- log-likelihoods are those of the data at the given parameters. Gamma-Gamma over the two
-- repeaters: ln L = lnG(px + q) - lnG(px) - lnG(q) + q ln v + (px - 1) ln m + px ln x
-- - (px + q) ln(xm + v). c3 (x = 2, m = 4): lnG(4) - 2 lnG(2) + 2 ln 10 + ln 4 + 2 ln 2 - 4 ln 18
-- = 1.791759 + 4.605170 + 1.386294 + 1.386294 - 11.561487 = -2.391969; customer 1 (x = 1,
-- m = 16): lnG(3) - lnG(1) - lnG(2) + 2 ln 10 + 0 + 0 - 3 ln 26 = 0.693147 + 4.605170
-- - 9.774290 = -4.475972. Sum -6.867941.
SELECT r, alpha, a, b, p, q, v, round(gg_ll, 6), customers, repeaters, iterations, converged
FROM clv_fit('o', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 1.0|1.0|0.5|1.0|1.0|2.0|10.0|-6.867941|3|2|0|NULL
-- BG/NBD at the given parameters, customer 2 alone (x = 0, T = 19): ln L = r ln(alpha/(alpha + T))
-- = ln(1/20) = -2.995732.
SELECT round(bgnbd_ll, 6) FROM clv_fit('SELECT customer, ts FROM o WHERE customer = 2', 'as_of=2024-03-01, r=1, alpha=1, a=0.5, b=1');
-- => -2.995732
-- x = 10,000: one customer buying every day for 10,001 days, the last day unseen-free (as_of the
-- day after): finite, P(alive) near 1 (t_x = T), about one purchase a day expected.
SELECT frequency, p_alive > 0.99 AND p_alive <= 1, expected_purchases BETWEEN 300 AND 400, clv > 0
FROM clv('WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT 1, 86400 * i, 1.0 FROM n',
         'r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 10000|1|1|1
-- ... and the same customer silent since (day 10,000 is 1997-05-19) until as_of 1999-01-01:
-- T = 10,591 days, so the drop-out log-odds are ln(0.5/10000) + 10001 ln(10592/10001) = 564.3
-- and P(alive) = 1/(1 + e^564.3): tiny, finite.
SELECT frequency, p_alive < 1e-200, expected_purchases >= 0
FROM clv('WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) SELECT 1, 86400 * i, 1.0 FROM n',
         'as_of=1999-01-01, r=1, alpha=1, a=0.5, b=1, p=1, q=2, v=10');
-- => 10000|1|1
--
-- Refusals.
SELECT * FROM clv('SELECT 1, 2, 3 WHERE 0', 'r=1, alpha=1, a=0.5, b=1');
-- => error: clv: no customers: the source has no rows with a customer and a ts before as_of
SELECT * FROM clv_fit('SELECT customer, ts, amount FROM o WHERE customer = 4');
-- => error: clv_fit: no customers: every customer's rows are refunds (negative amounts)
SELECT * FROM clv('o', 'as_of=2023-12-01, r=1, alpha=1, a=0.5, b=1');
-- => error: clv: as_of 2023-12-01 00:00:00 is not after the first row (2024-01-01 09:00:00): no row would be seen
SELECT * FROM clv_fit('SELECT customer, ts FROM o WHERE customer IN (2, 4)');
-- =>~ error: clv_fit: nobody made a repeat purchase (every frequency is 0), so BG/NBD cannot be fitted*
-- One customer: no finite maximum (here a goes to 0: nobody seems to drop out, which a
-- penalizer pulling toward 0 cannot stop; the message says so).
SELECT * FROM clv_fit('SELECT customer, ts FROM o WHERE customer = 1');
-- =>~ error: clv_fit: the BG/NBD fit did not converge (a runs off to zero*a penalizer cannot help*give the parameters
-- 13 customers in three patterns: 7 buy on days 2, 5 and 9 (x = 2, t_x = 7, T = 16), 5 once on
-- day 0 (T = 18), 1 on days 14, 15, 16 and 18 (x = 3, t_x = 4, T = 4); as_of day 19. The
-- likelihood rises without bound as a and b grow together: the error names the remedy, and
-- with it the fit converges.
CREATE TABLE ridge(customer, ts);
INSERT INTO ridge WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7)
  SELECT i, date('2024-01-01', '+' || d || ' days') FROM n, (SELECT 2 AS d UNION ALL SELECT 5 UNION ALL SELECT 9);
INSERT INTO ridge WITH RECURSIVE n(i) AS (SELECT 11 UNION ALL SELECT i + 1 FROM n WHERE i < 15) SELECT i, '2024-01-01' FROM n;
INSERT INTO ridge SELECT 20, date('2024-01-01', '+' || d || ' days') FROM (SELECT 14 AS d UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 18);
SELECT frequency, recency, T, count(*) FROM clv('ridge', 'as_of=2024-01-20, r=1, alpha=1, a=0.5, b=1') GROUP BY 1, 2, 3;
-- => 0|0.0|18.0|5
-- => 2|7.0|16.0|7
-- => 3|4.0|4.0|1
SELECT * FROM clv_fit('ridge', 'as_of=2024-01-20');
-- =>~ error: clv_fit: the BG/NBD fit did not converge (b runs off to infinity*): the data do not pin the model down; add a penalizer, e.g. penalizer=0.01
SELECT r BETWEEN 0.1 AND 10, a BETWEEN 0.1 AND 10, b BETWEEN 0.1 AND 10, customers, converged FROM clv_fit('ridge', 'as_of=2024-01-20, penalizer=0.01');
-- => 1|1|1|13|1
SELECT * FROM clv_fit('SELECT customer, ts, amount FROM o', 'r=1, alpha=1, a=0.5, b=1');
-- =>~ error: clv_fit: the Gamma-Gamma fit did not converge*
SELECT * FROM clv('SELECT customer, ts, CASE WHEN customer = 2 THEN NULL ELSE amount END FROM o', 'r=1, alpha=1, a=0.5, b=1');
-- => error: clv: amount (source column 3) is NULL in 1 row and given in 8: give every row an amount, or none (then only BG/NBD runs)
SELECT * FROM clv('o', 'r=1, alpha=1, a=0.5, b=1, p=1, q=0.9, v=10');
-- => error: clv: the Gamma-Gamma parameters have q = 0.9 <= 1: the spend model then has no finite mean, so there is no expected spend; give p, q, v, or fit with a smaller penalizer
SELECT * FROM clv('o', 'r=1, alpha=2');
-- => error: clv: give all of the BG/NBD parameters r, alpha, a, b, or none (then they are fitted)
SELECT * FROM clv('o', 'p=1');
-- => error: clv: give all of the Gamma-Gamma parameters p, q, v, or none (then they are fitted)
SELECT * FROM clv('o', 'r=1, alpha=1, a=0, b=1');
-- => error: clv: option a=0 must be > 0
SELECT * FROM clv('o', 'horizon=0');
-- => error: clv: option horizon=0 must be > 0
SELECT * FROM clv('o', 'months=1.5');
-- => error: clv: option months must be a whole number
SELECT * FROM clv('o', 'margin=2');
-- => error: clv: option margin=2 must be at most 1
SELECT * FROM clv('o', 'discount=-0.1');
-- => error: clv: option discount=-0.1 must be >= 0
SELECT * FROM clv('o', 'penalizer=lots');
-- => error: clv: option penalizer='lots' is not a number
SELECT * FROM clv('o', 'unit=month');
-- => error: clv: option unit='month' is not one of day|week
SELECT * FROM clv('o', 'months=12, nonsense=1');
-- =>~ error: clv: unknown option 'nonsense'*
SELECT * FROM clv('SELECT customer FROM o');
-- => error: clv: source has 1 column, expected customer, ts [, amount]
SELECT * FROM clv('SELECT customer, ts, amount, 1 FROM o');
-- => error: clv: source has 4 columns, expected customer, ts [, amount]
SELECT * FROM clv('SELECT customer, ''soon'', amount FROM o');
-- =>~ error: clv: ts (source column 2) is TEXT 'soon'*
SELECT * FROM clv('SELECT customer, ts, ''much'' FROM o');
-- =>~ error: clv: amount (source column 3) is TEXT 'much'*
SELECT * FROM clv_fit('no_such_table');
-- =>~ error: clv_fit: source*no such table*
