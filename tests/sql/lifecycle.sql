-- lifecycle() and lifecycle_actors(): segments, attribution, ties, keys as GROUP BY keys them,
-- periods zero-filled, from / to / as_of and `complete`. Expectations by hand.

-- Segments: first-touch is the segment of the actor's first row, segment=last of its last row;
-- rows at one instant are ordered by the segment's value (SQLite's order, NULL first), so the
-- answer never depends on the order rows arrive in. u1 arrives by 'web' and 'app' at the same
-- instant (first: 'app', last: 'web' of that instant, then 'ads' later); u2 by NULL, later 'app'.
CREATE TABLE seg(actor, ts, channel);
INSERT INTO seg VALUES ('u1', '2024-01-01 10:00', 'web'), ('u1', '2024-01-01 10:00', 'app'), ('u1', '2024-01-09', 'ads'),
  ('u2', '2024-01-02', NULL), ('u2', '2024-01-03', 'app'), ('u3', '2024-01-08', 'web');
SELECT segment, period, new, retained, dormant, active FROM lifecycle('seg', 'week') ORDER BY segment, period;
-- => NULL|2024-01-01|1|0|0|1
-- => NULL|2024-01-08|0|0|1|0
-- => app|2024-01-01|1|0|0|1
-- => app|2024-01-08|0|1|0|1
-- => web|2024-01-01|0|0|0|0
-- => web|2024-01-08|1|0|0|1
SELECT segment, sum(new) FROM lifecycle('seg', 'week', 'segment=last') GROUP BY segment ORDER BY segment;
-- => ads|1
-- => app|1
-- => web|1
-- the rows are listed segment by segment, in SQLite's order, NULL first, then period
SELECT group_concat(coalesce(segment, 'NULL') || ' ' || period, ', ') FROM lifecycle('seg', 'week');
-- => NULL 2024-01-01, NULL 2024-01-08, app 2024-01-01, app 2024-01-08, web 2024-01-01, web 2024-01-08
-- lifecycle_actors carries the actor's segment
SELECT actor, period, status, segment FROM lifecycle_actors('seg', 'week', 'segment=last');
-- => u1|2024-01-01|new|ads
-- => u1|2024-01-08|retained|ads
-- => u2|2024-01-01|new|app
-- => u2|2024-01-08|dormant|app
-- => u3|2024-01-08|new|web

-- Keys as GROUP BY keys them: actors 1 and 1.0 are one actor, '1' another; segments 7 and 7.0
-- one segment (returned as the INTEGER 7)
CREATE TABLE keyed(actor, ts, segment);
INSERT INTO keyed VALUES (1, '2024-03-01', 7), (1.0, '2024-03-02', 7.0), ('1', '2024-03-02', 7);
SELECT period, new, retained, segment, typeof(segment) FROM lifecycle('keyed', 'day');
-- => 2024-03-01|1|0|7|integer
-- => 2024-03-02|1|1|7|integer
SELECT count(*) FROM (SELECT actor FROM keyed GROUP BY actor);
-- => 2
-- lifecycle_actors lists actors in SQLite's order: numbers, then text
SELECT actor, typeof(actor), period, status FROM lifecycle_actors('keyed', 'day');
-- => 1|integer|2024-03-01|new
-- => 1|integer|2024-03-02|retained
-- => 1|text|2024-03-02|new

-- Periods are zero-filled from the first row's to the last observed one; `from` before the data
-- adds empty leading periods; `to` and as_of end the list; a period is complete when it ends at
-- or before as_of. Months: a in Jan and Apr, b in Feb.
CREATE TABLE m(actor, ts);
INSERT INTO m VALUES ('a', '2024-01-15'), ('b', '2024-02-10'), ('a', '2024-04-20 08:00');
SELECT period, new, retained, resurrecting, dormant, active, complete FROM lifecycle('m', 'month');
-- => 2024-01-01|1|0|0|0|1|1
-- => 2024-02-01|1|0|0|1|1|1
-- => 2024-03-01|0|0|0|1|0|1
-- => 2024-04-01|0|0|1|0|1|0
SELECT group_concat(period, ' ') FROM lifecycle('m', 'month', 'from=2023-11-20, to=2024-02-29');
-- => 2023-11-01 2023-12-01 2024-01-01 2024-02-01
-- as_of inside April: rows at or after it unseen (a's April row at 08:00 is after 2024-04-20 00:00)
SELECT period, resurrecting, dormant, complete FROM lifecycle('m', 'month', 'as_of=2024-04-20') WHERE period >= '2024-03-01';
-- => 2024-03-01|0|1|1
-- => 2024-04-01|0|0|0
-- as_of past the data lists the periods up to it (May is dormant for a), none starting at or after it
SELECT period, dormant, complete FROM lifecycle('m', 'month', 'as_of=2024-06-01') WHERE period >= '2024-04-01';
-- => 2024-04-01|0|1
-- => 2024-05-01|1|1
-- quarters and years
SELECT period, new, retained FROM lifecycle('m', 'quarter');
-- => 2024-01-01|2|0
-- => 2024-04-01|0|1
SELECT period, new, active FROM lifecycle('m', 'year');
-- => 2024-01-01|2|2
-- tz: 2024-01-31 20:00Z is February in Beijing
SELECT period, new FROM lifecycle('VALUES (1, ''2024-01-31 20:00:00'')', 'month', 'tz=+08:00');
-- => 2024-02-01|1

-- compat=posthog reads actor, ts [, first_seen [, segment]]: a NULL first_seen is the actor's
-- first row; the segment is the fourth column
SELECT period, new, resurrecting, segment FROM lifecycle('SELECT actor, ts, NULL, ''all'' FROM m', 'month', 'compat=posthog, from=2024-02-01');
-- => 2024-02-01|1|0|all
-- => 2024-03-01|0|0|all
-- => 2024-04-01|0|1|all
-- a is new in January, outside PostHog's window (from - 1 period = January is loaded: a's
-- first loaded period is January itself, so with first_seen in January it is new there)
SELECT period, new, retained, resurrecting, dormant FROM lifecycle('SELECT actor, ts, ''2024-01-01'' FROM m WHERE actor = ''a''', 'month', 'compat=posthog, from=2024-02-01');
-- => 2024-02-01|0|0|0|1
-- => 2024-03-01|0|0|0|0
-- => 2024-04-01|0|0|1|0
-- from=2024-03-01: PostHog loads February on; a's first loaded period is April, and its
-- created_at (January) is elsewhere: resurrecting, not new
SELECT period, new, resurrecting FROM lifecycle('SELECT actor, ts, ''2024-01-01'' FROM m WHERE actor = ''a''', 'month', 'compat=posthog, from=2024-03-01');
-- => 2024-03-01|0|0
-- => 2024-04-01|0|1

-- Named arguments work as for every table-valued function
SELECT count(*) FROM lifecycle WHERE source = 'm' AND period_unit = 'month' AND options = 'from=2024-01-01';
-- => 4
