-- paths, path_actors, churn_points: a clear error naming the function, the argument or option and
-- the value, for every kind of bad input.
SELECT * FROM paths('SELECT 1, 2');
-- => error: paths: source has 2 columns, expected actor, ts, event [, session [, seq]]
SELECT * FROM paths('SELECT 1, 2, 3, 4, 5, 6');
-- => error: paths: source has 6 columns, expected actor, ts, event [, session [, seq]]
SELECT * FROM paths('SELECT 1, 0, ''a''', 'steps=1');
-- => error: paths: option steps='1' is not a whole number from 2 to 50
SELECT * FROM paths('SELECT 1, 0, ''a''', 'steps=51');
-- => error: paths: option steps='51' is not a whole number from 2 to 50
SELECT * FROM paths('SELECT 1, 0, ''a''', 'gap=soon');
-- => error: paths: option gap is 'soon', expected a duration such as '30 minutes' or none (expected a number and a unit such as '30 minutes' or '7 days')
SELECT * FROM paths('SELECT 1, 0, ''a''', 'gap=-5 minutes');
-- => error: paths: option gap is '-5 minutes', expected a duration such as '30 minutes' or none (must not be negative)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'window=1 day');
-- => error: paths: option window needs an anchor (start= or end=)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'occurrence=every');
-- => error: paths: option occurrence needs an anchor (start= or end=)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'start=a, occurrence=last');
-- => error: paths: option occurrence='last' is not one of first|every
SELECT * FROM paths('SELECT 1, 0, ''a''', 'timing=middle');
-- => error: paths: option timing='middle' is not one of first|last
SELECT * FROM paths('SELECT 1, 0, ''a''', 'collapse, no_collapse');
-- => error: paths: options collapse and no_collapse contradict each other
SELECT * FROM paths('SELECT 1, 0, ''a''', 'exclude=a;;b');
-- => error: paths: option exclude is 'a;;b', expected names separated by ';' (an empty name)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'group==>x');
-- => error: paths: option group is '=>x', expected pattern=>alias;... (a rule without a pattern)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'limit=5');
-- => error: paths: unknown option 'limit' (accepted: start=..., end=..., occurrence=..., steps=..., gap=..., window=..., collapse, no_collapse, timing=..., exclude=..., include=..., exclude_actors=..., group=..., top=..., min_actors=..., tz=..., ts_unit=...)
SELECT * FROM paths('SELECT 1, 0, ''a''', 'top=0');
-- => error: paths: option top='0' is not a whole number from 1 to 4294967295
SELECT * FROM paths('SELECT 1, 0, ''a'', ''s'', ''x''');
-- => error: paths: seq (source column 5) is TEXT 'x', expected an INTEGER
SELECT * FROM paths('SELECT 1, 20240101, ''a''');
-- => error: paths: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 20240101)
SELECT * FROM paths('SELECT 1, 1700000000000, ''a''');
-- => error: paths: ts (source column 2) is INTEGER 1700000000000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT * FROM path_actors('SELECT 1, 0, ''a''', 'top=3');
-- => error: path_actors: options top and min_actors belong to paths (one row per journey here)
SELECT * FROM churn_points('SELECT 1, 0, ''a''', 'soon');
-- => error: churn_points: as_of is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT * FROM churn_points('SELECT 1, 0, ''a''', '1960-01-01');
-- => error: churn_points: as_of 1960-01-01 00:00:00 is not after the first row (1970-01-01 00:00:00): no row would be seen
SELECT * FROM churn_points('SELECT 1, 0, ''a''', NULL, 'depth=0');
-- => error: churn_points: option depth='0' is not a whole number from 1 to 50
SELECT * FROM churn_points('SELECT 1, 0, ''a''', NULL, 'churned=often');
-- => error: churn_points: option churned is 'often', expected a duration such as '30 minutes' (expected a number and a unit such as '30 minutes' or '7 days')
SELECT * FROM churn_points('SELECT 1, 0, ''a'', ''s''', NULL);
-- => error: churn_points: seq (source column 4) is TEXT 's', expected an INTEGER
SELECT * FROM churn_points('SELECT 1, 0, ''a'', 1, 2', NULL);
-- => error: churn_points: source has 5 columns, expected actor, ts, event [, seq]
SELECT * FROM churn_points('SELECT 1, 0, ''a''', NULL, 'start=a');
-- => error: churn_points: unknown option 'start' (accepted: churned=..., depth=..., collapse, no_collapse, exclude=..., include=..., group=..., tz=..., ts_unit=...)
SELECT * FROM paths('nosuch');
-- => error: paths: source: no such table: nosuch
-- NULL arguments: a NULL source gives no rows; NULL options and as_of are the defaults
SELECT count(*) FROM paths(NULL);
-- => 0
SELECT count(*) FROM paths('SELECT 1, 0, ''a''', NULL);
-- => 2
SELECT count(*) FROM churn_points('SELECT 1, 0, ''a''', NULL, NULL);
-- => 0
