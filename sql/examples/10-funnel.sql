-- Funnel: view -> cart -> checkout -> pay, each step within 1 day of the view that starts it.
-- actors per step, conversion from the previous and the first step, who stopped at each step,
-- and the median / p90 time from the previous step.
SELECT step, event, actors,
       printf('%.1f%%', 100 * conversion_from_prev) AS of_prev,
       printf('%.1f%%', 100 * conversion_from_first) AS of_first,
       dropped,
       round(median_seconds / 60, 1) AS median_min,
       round(p90_seconds / 60, 1) AS p90_min
FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view,cart,checkout,pay');
