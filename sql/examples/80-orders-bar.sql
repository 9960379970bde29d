-- Terminal charts: orders and revenue per month as Unicode bars, bar(value, max, width).
SELECT date_bucket(ts, 'month', 'tz=+08:00') AS month,
       count(*) AS orders,
       bar(count(*), max(count(*)) OVER (), 24) AS orders_bar,
       round(sum(amount), 2) AS revenue,
       bar(sum(amount), max(sum(amount)) OVER (), 24) AS revenue_bar
FROM orders
GROUP BY month
ORDER BY month;
