-- Lifecycle (growth accounting, docs/lifecycle.md): per week, the active users split into new,
-- retained and resurrecting, and those who went dormant; pulse = (new + resurrecting) / dormant.
SELECT period, new, retained, resurrecting, dormant, active, round(pulse, 2) AS pulse
FROM lifecycle('SELECT user_id, ts FROM events', 'week', 'from=2024-06-03');
