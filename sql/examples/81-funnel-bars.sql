-- Terminal charts: the demo funnel (view -> cart -> checkout -> pay within a day) as bars.
SELECT step, event, actors, round(conversion_from_prev, 3) AS of_prev,
       bar(actors, max(actors) OVER ()) AS shape
FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay');
