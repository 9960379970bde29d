-- Durations (a funnel's window): a plain number is seconds and stands alone; each number has
-- one decimal point and a unit after it when there are several (issue 16 L5: these were read
-- as 7201, 1801.5 and 3630 seconds, silently changing the window).
SELECT window_funnel('1 2 hours', 0, 1, 1);
-- => error: window_funnel: window is TEXT '1 2 hours', expected seconds or a duration such as '30 minutes' or '7 days' (expected a unit after the number)
SELECT window_funnel('1.5.5 hours', 0, 1, 1);
-- => error: window_funnel: window is TEXT '1.5.5 hours', expected seconds or a duration such as '30 minutes' or '7 days' (malformed number)
SELECT count(*) FROM funnel_actors('VALUES (1, 0, ''view'')', '30 60 minutes', 'view');
-- => error: funnel_actors: window is TEXT '30 60 minutes', expected seconds or a duration such as '30 minutes' or '7 days' (expected a unit after the number)
-- What stays valid: compound durations and a lone number. Events 0 and 5400 s apart: within
-- '1.5 hours' (5400 s: the window's end is inclusive) and '1 hour 30 minutes', not '5399'.
SELECT window_funnel('1.5 hours', ts, e = 1, e = 2), window_funnel('1 hour 30 minutes', ts, e = 1, e = 2),
       window_funnel(' 5399 ', ts, e = 1, e = 2)
FROM (SELECT 0 AS ts, 1 AS e UNION ALL SELECT 5400, 2);
-- => 2|2|1
