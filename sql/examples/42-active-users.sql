-- DAU, WAU and MAU (docs/lifecycle.md): trailing 7- and 30-day windows that include the day.
SELECT day, dau, wau, mau, round(dau_mau, 3) AS dau_mau
FROM active_users('SELECT user_id, ts FROM events') WHERE day >= '2024-06-24';
