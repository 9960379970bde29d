-- Terminal charts: weekly retention as a triangle of shade() characters (' ░▒▓█' for 0..1),
-- the first eight cohorts, weeks 0 to 12 after the first visit.
SELECT cohort, max(cohort_size) AS actors, '|' || group_concat(shade(rate), '') || '|' AS weeks_0_to_12
FROM (SELECT * FROM cohort_retention('SELECT user_id, ts FROM events', 'week', 'periods=13')
      ORDER BY cohort, period)
GROUP BY cohort
LIMIT 8;
