-- 渠道质量: the same funnel broken down by acquisition channel (the 4th source column),
-- attributed to the channel of each customer's step-1 event (breakdown=first, the default).
SELECT breakdown AS channel,
       max(actors) FILTER (WHERE step = 1) AS viewed,
       max(actors) FILTER (WHERE step = 2) AS carted,
       max(actors) FILTER (WHERE step = 4) AS paid,
       printf('%.1f%%', 100 * max(conversion_from_first) FILTER (WHERE step = 4)) AS view_to_pay,
       round(max(median_seconds) FILTER (WHERE step = 4) / 60, 1) AS checkout_to_pay_min
FROM funnel('SELECT user_id, ts, event, channel FROM events', '1 day', 'view,cart,checkout,pay')
GROUP BY breakdown
ORDER BY max(conversion_from_first) FILTER (WHERE step = 4) DESC;
