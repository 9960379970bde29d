-- Bad input to lifecycle, lifecycle_actors, actor_status, actor_transitions, stickiness and
-- active_users: a clear error naming the function, the argument and the value, or a documented
-- empty result; never a crash.
CREATE TABLE dl(actor, ts);
INSERT INTO dl VALUES ('p1', '2020-01-11 12:00'), ('p2', '2020-01-12');
CREATE TABLE empty(actor, ts);

-- unknown period, option, attribution, compat mode
SELECT count(*) FROM lifecycle('dl', 'fortnight');
-- => error: lifecycle: period is TEXT 'fortnight', expected day, week, month, quarter or year
SELECT count(*) FROM lifecycle_actors('dl', 'hour');
-- => error: lifecycle_actors: period is TEXT 'hour', expected day, week, month, quarter or year
SELECT count(*) FROM lifecycle('dl', 'day', 'colour=red');
-- => error: lifecycle: unknown option 'colour' (accepted: from=..., to=..., as_of=..., tz=..., week_start=..., ts_unit=..., segment=..., compat=...)
SELECT count(*) FROM lifecycle('dl', 'day', 'segment=middle');
-- => error: lifecycle: option segment='middle' is not one of first|last
SELECT count(*) FROM lifecycle('dl', 'day', 'compat=amplitude');
-- => error: lifecycle: option compat='amplitude' is not one of posthog
-- from after to; from, to and as_of that are not instants
SELECT count(*) FROM lifecycle('dl', 'day', 'from=2020-02-01, to=2020-01-01');
-- => error: lifecycle: from 2020-02-01 00:00:00 is after to 2020-01-01 00:00:00
SELECT count(*) FROM lifecycle('dl', 'day', 'from=last monday');
-- => error: lifecycle: option from='last monday': expected an ISO-8601 date or time, or a number in ts_unit (expected YYYY-MM-DD)
SELECT count(*) FROM stickiness('dl', 'range', 'day', 'from=2020-02-01, to=2020-01-01');
-- => error: stickiness: from 2020-02-01 00:00:00 is after to 2020-01-01 00:00:00
SELECT count(*) FROM active_users('dl', 'to=20200101');
-- => error: active_users: option to='20200101': expected an ISO-8601 date or time, or a number in ts_unit (an eight-digit number that is a YYYYMMDD date: say ts_unit=yyyymmdd, write it as YYYY-MM-DD, or say ts_unit=s for Unix seconds)
-- an as_of before every row sees nothing: an error that says so
SELECT count(*) FROM lifecycle('dl', 'day', 'as_of=2019-01-01');
-- => error: lifecycle: as_of 2019-01-01 00:00:00 is not after the first row (2020-01-11 12:00:00): no row would be seen
SELECT count(*) FROM actor_status('dl', '2019-01-01');
-- => error: actor_status: as_of 2019-01-01 00:00:00 is not after the first row (2020-01-11 12:00:00): no row would be seen
SELECT count(*) FROM actor_transitions('dl', '2019-01-01', '2019-02-01');
-- => error: actor_transitions: to_day 2019-02-01 00:00:00 is not after the first row (2020-01-11 12:00:00): no row would be seen
SELECT count(*) FROM actor_transitions('dl', '2020-02-01', '2020-01-01');
-- => error: actor_transitions: from_day 2020-02-01 00:00:00 is after to_day 2020-01-01 00:00:00
SELECT count(*) FROM actor_status('dl', 'tomorrow');
-- => error: actor_status: as_of is TEXT 'tomorrow', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
-- from or to outside the data: the periods between them that have begun by as_of (none here)
SELECT count(*) FROM lifecycle('dl', 'day', 'from=2021-01-01');
-- => 0
SELECT count(*) FROM lifecycle('dl', 'day', 'to=2019-01-01');
-- => 0

-- sources of the wrong shape, bad values in them
SELECT count(*) FROM lifecycle('SELECT 1', 'day');
-- => error: lifecycle: source has 1 column, expected actor, ts [, segment]
SELECT count(*) FROM lifecycle('SELECT 1, 2, 3, 4', 'day');
-- => error: lifecycle: source has 4 columns, expected actor, ts [, segment]
SELECT count(*) FROM lifecycle('SELECT 1, 2, 3, 4, 5', 'day', 'compat=posthog');
-- => error: lifecycle: source has 5 columns, expected actor, ts [, first_seen [, segment]] (compat=posthog)
SELECT count(*) FROM actor_status('SELECT actor, ts, 3 FROM dl');
-- => error: actor_status: source has 3 columns, expected actor, ts
SELECT count(*) FROM stickiness('SELECT actor FROM dl', 'week', 'day');
-- => error: stickiness: source has 1 column, expected actor, ts
SELECT count(*) FROM lifecycle('SELECT ''a'', ''yesterday''', 'day');
-- => error: lifecycle: ts (source column 2) is TEXT 'yesterday', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT count(*) FROM lifecycle('SELECT ''a'', ''2020-01-01'', ''soon''', 'day', 'compat=posthog');
-- => error: lifecycle: first_seen (source column 3) is TEXT 'soon', expected Unix seconds or ISO-8601 text (expected YYYY-MM-DD)
SELECT count(*) FROM active_users('SELECT ''a'', x''0000''');
-- => error: active_users: ts (source column 2) is BLOB of 2 bytes, expected Unix seconds or ISO-8601 text (a BLOB is not a timestamp)
-- YYYYMMDD integers read as seconds would all fall in 1970: refused with the hint; ts_unit reads them
SELECT count(*) FROM lifecycle('VALUES (1, 20200101), (2, 20200102)', 'day');
-- => error: lifecycle: source timestamps: every INTEGER timestamp is a valid YYYYMMDD date (read as Unix seconds they would all fall in 1970): say ts_unit=yyyymmdd, or ts_unit=s if they really are seconds (e.g. 20200102)
SELECT period, new, dormant FROM lifecycle('VALUES (1, 20200101), (2, 20200102)', 'day', 'ts_unit=yyyymmdd');
-- => 2020-01-01|1|0
-- => 2020-01-02|1|1
-- milliseconds are refused unless said
SELECT count(*) FROM actor_status('VALUES (1, 1704067200000)');
-- => error: actor_status: ts (source column 2) is INTEGER 1704067200000, expected Unix seconds or ISO-8601 text (past year 9999 as Unix seconds: it reads as milliseconds; say ts_unit=ms)
SELECT actor, first_ts FROM actor_status('VALUES (1, 1704067200000)', NULL, 'ts_unit=ms');
-- => 1|2024-01-01 00:00:00

-- empty sources, and rows that are all skipped (NULL actor or ts): no rows
SELECT (SELECT count(*) FROM lifecycle('empty', 'day')), (SELECT count(*) FROM lifecycle_actors('empty', 'day')),
       (SELECT count(*) FROM actor_status('empty')), (SELECT count(*) FROM actor_transitions('empty', '2020-01-01', '2020-02-01')),
       (SELECT count(*) FROM stickiness('empty', 'week', 'day')), (SELECT count(*) FROM active_users('empty'));
-- => 0|0|0|0|0|0
SELECT (SELECT count(*) FROM lifecycle('VALUES (NULL, 1), (1, NULL)', 'day')),
       (SELECT count(*) FROM actor_status('VALUES (NULL, 1), (1, NULL)')),
       (SELECT count(*) FROM active_users('VALUES (NULL, 1), (1, NULL)'));
-- => 0|0|0
-- NULL required arguments give no rows; a NULL options argument means none
SELECT (SELECT count(*) FROM lifecycle('dl', NULL)), (SELECT count(*) FROM stickiness('dl', NULL, 'day')),
       (SELECT count(*) FROM actor_transitions('dl', NULL, '2020-02-01')), (SELECT count(*) FROM lifecycle('dl', 'day', NULL));
-- => 0|0|0|2

-- huge gaps and the ends of the calendar
SELECT count(*) FROM lifecycle('VALUES (1, ''1000-01-01''), (1, ''9000-01-01'')', 'day');
-- => error: lifecycle: 2921941 periods from 1000-01-01 to 9000-01-01 times 1 segment is more than 1048576 rows: choose a longer period, or from/to
-- 8001 years: new in the first, dormant in the second, resurrecting in the last
SELECT count(*), sum(new), sum(dormant), sum(resurrecting) FROM lifecycle('VALUES (1, ''1000-01-01''), (1, ''9000-01-01'')', 'year');
-- => 8001|1|1|1
SELECT count(*) FROM active_users('VALUES (1, ''1000-01-01''), (1, ''9000-01-01'')');
-- => error: active_users: more than 1048576 rows from the first day to the last: use every=week or month, or from/to
-- 8000 years and one month of months. A month's MAU is taken on its last day: 1000-01-31 is 30
-- days after the first row (outside d-29 .. d); the last month's on 9000-01-01, the last
-- observed day, which has the second row
SELECT count(*), sum(mau) FROM active_users('VALUES (1, ''1000-01-01''), (1, ''9000-01-01'')', 'every=month');
-- => 96001|1
SELECT count(*) FROM stickiness('VALUES (1, ''1000-01-01''), (1, ''9000-01-01'')', 'range', 'hour');
-- => error: stickiness: more than 1048576 hours from the first to the last: choose a longer unit or from/to
SELECT count(*) FROM stickiness('VALUES (1, ''1000-01-01''), (1, ''1200-01-01'')', 'year', 'hour');
-- => error: stickiness: more than 1048576 rows (windows times units): choose a longer unit or a shorter range
-- 0000-01-01 (a Saturday) lies in a week that starts in year -1; at +08:00, 9999-12-31 23:59:59 UTC
-- is already year 10000
SELECT count(*) FROM lifecycle('VALUES (1, ''0000-01-01'')', 'week');
-- => error: lifecycle: a week of the result starts outside years 0000..9999 (use from/to, or another tz)
SELECT count(*) FROM lifecycle('VALUES (1, ''9999-12-31 23:59:59'')', 'day', 'tz=+08:00');
-- => error: lifecycle: a day of the result starts outside years 0000..9999 (use from/to, or another tz)
SELECT count(*) FROM active_users('VALUES (1, ''0000-01-01'')', 'every=week');
-- => error: active_users: a row of the result starts outside years 0000..9999 (use from/to, or another tz)
SELECT * FROM lifecycle('VALUES (1, ''9999-12-31 23:59:59'')', 'day');
-- => 9999-12-31|1|0|0|0|1|0|0|0|NULL|1|NULL
SELECT period, new FROM lifecycle('VALUES (1, ''0000-01-01'')', 'month');
-- => 0000-01-01|1
SELECT actor, state, first_ts FROM actor_status('VALUES (1, ''0000-01-01''), (1, ''9999-12-31 23:59:59'')');
-- => 1|resurrected|0000-01-01 00:00:00

-- actor_status windows
SELECT count(*) FROM actor_status('dl', NULL, 'short=30, long=30');
-- => error: actor_status: short=30 is not below long=30 (days)
SELECT count(*) FROM actor_status('dl', NULL, 'short=1');
-- => error: actor_status: option short='1' is not a whole number from 2 to 36500
SELECT count(*) FROM actor_transitions('dl', '2020-01-01', '2020-02-01', 'long=x');
-- => error: actor_transitions: option long='x' is not a whole number from 3 to 36500

-- stickiness windows and units
SELECT count(*) FROM stickiness('dl', 'fortnight', 'day');
-- => error: stickiness: window is TEXT 'fortnight', expected day, week, month, quarter, year or range
SELECT count(*) FROM stickiness('dl', 'week', 'range');
-- => error: stickiness: unit is TEXT 'range', expected hour, day, week or month
SELECT count(*) FROM stickiness('dl', 'week', 'week');
-- => error: stickiness: unit 'week' is not smaller than window 'week'
SELECT count(*) FROM stickiness('dl', 'day', 'month');
-- => error: stickiness: unit 'month' is not smaller than window 'day'
SELECT count(*) FROM stickiness('dl', 'month', 'week');
-- => error: stickiness: weeks do not fit in a month (a week can straddle two): use unit 'day', or window 'range'
SELECT count(*) FROM stickiness('dl', 'week', 'day', 'every=2');
-- => error: stickiness: every=2 groups the units of window 'range' only
SELECT count(*) FROM stickiness('dl', 'range', 'day', 'min_events=3, max_events=2');
-- => error: stickiness: min_events=3 is above max_events=2
SELECT count(*) FROM stickiness('dl', 'range', 'day', 'min_events=0');
-- => error: stickiness: option min_events='0' is not a whole number from 1 to 9223372036854775807
-- plural names are accepted, as for periods
SELECT count(*) FROM stickiness('dl', 'weeks', 'days');
-- => 7

-- active_users options
SELECT count(*) FROM active_users('dl', 'every=year');
-- => error: active_users: option every='year' is not one of day|week|month
SELECT count(*) FROM active_users('dl', 'calendar');
-- => error: active_users: calendar counts the actors of each calendar week or month: it needs every=week or every=month
