-- Demo shop: sign-ups per week (Beijing time) for the first six weeks, by channel.
SELECT date_bucket(signup_at, 'week', 'tz=+08:00') AS week,
       count(*) AS signups,
       sum(channel = 'app') AS app, sum(channel = 'web') AS web,
       sum(channel = 'wechat') AS wechat, sum(channel = 'ads') AS ads
FROM customers
GROUP BY week ORDER BY week LIMIT 6;
