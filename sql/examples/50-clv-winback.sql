-- Customer lifetime value (docs/clv.md) on the CDNOW sample: the valuable customers whose
-- P(alive) fell by more than 0.3 in the last quarter, with what each is still worth next year.
SELECT now.customer, f.segment, round(f.monetary, 2) AS spent, f.recency_days,
       round(before.p_alive, 2) AS p_alive_april, round(now.p_alive, 2) AS p_alive_july,
       round(now.clv, 2) AS clv_next_year
FROM clv('SELECT customer, day, dollars FROM cdnow', 'ts_unit=yyyymmdd, as_of=1998-07-01') now
JOIN clv('SELECT customer, day, dollars FROM cdnow', 'ts_unit=yyyymmdd, as_of=1998-04-01') before USING (customer)
JOIN rfm('SELECT customer, ts, dollars FROM cdnow', '1998-07-01') f USING (customer)
WHERE f.segment IN ('Champions', 'Loyal Customers', 'Can''t Lose Them', 'At Risk')
  AND now.p_alive < before.p_alive - 0.3
ORDER BY now.clv DESC LIMIT 5;
