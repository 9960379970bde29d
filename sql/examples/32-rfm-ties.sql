-- Ties: 84% of the demo customers ordered once. rfm gives all of them F = 1; NTILE(5) over the
-- same column splits identical customers over F scores 1 to 5 (and which ones is arbitrary).
SELECT frequency, count(*) AS customers, min(f) AS rfm_f,
       group_concat(DISTINCT ntile_f) AS ntile_f
FROM (SELECT frequency, f, ntile(5) OVER (ORDER BY frequency) AS ntile_f
      FROM rfm('SELECT customer_id, ts, amount, order_id FROM orders'))
GROUP BY frequency ORDER BY frequency;
