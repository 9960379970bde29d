-- bar() and shade(): expectations computed by hand. A bar is value/max of width cells in
-- eighths of a cell, rounded half up: full blocks █ then one of ▏▎▍▌▋▊▉ (1/8 .. 7/8).
-- 1/3 of 20 cells = 160/3 = 53.33 eighths -> 53 = 6 full blocks and 5/8.
SELECT bar(1, 3);
-- => ██████▋
-- 5/10 of 20 cells = 10 full blocks; equal to max = all 20; above max is clamped to 20.
SELECT bar(5, 10), bar(10, 10), bar(20, 10);
-- => ██████████|████████████████████|████████████████████
-- width 1: 8/3 = 2.67 eighths -> 3 = ▍; width 3: 1/2 of 24 eighths = 12 = █▌; REAL arguments.
SELECT bar(1, 3, 1), bar(1, 2, 3), bar(0.5, 1.0, 3.0);
-- => ▍|█▌|█▌
-- 1/320 of 160 eighths = 0.5 -> rounds up to one eighth; 1/1000 of 160 = 0.16 -> nothing.
SELECT bar(1, 320), '[' || bar(1, 1000) || ']';
-- => ▏|[]
-- Nothing to draw: zero or negative value, zero or negative max.
SELECT '[' || bar(0, 10) || bar(-3, 10) || bar(5, 0) || bar(5, -1) || ']';
-- => []
SELECT bar(NULL, 1), bar(1, NULL), bar(1, 2, NULL);
-- => NULL|NULL|NULL
-- The bar is width characters at most, whatever the width.
SELECT length(bar(7, 7, 1000)), length(bar(7, 7, 1)), length(bar(999, 1000, 40)), length(bar(1, 3));
-- => 1000|1|40|7
-- Every eighth from 1/8 to 8/8 of one cell, in order.
WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < 8)
SELECT group_concat(bar(k, 8, 1), ',') FROM k;
-- => ▏,▎,▍,▌,▋,▊,▉,█
SELECT bar('12', 20);
-- => error: bar: value is TEXT '12', expected a number
SELECT bar(1, x'00');
-- => error: bar: max is BLOB of 1 bytes, expected a number
-- infinities are errors (an overflow upstream), not a full or an empty bar
SELECT bar(1e999, 3);
-- => error: bar: value is REAL Inf, expected a finite number
SELECT bar(1, -1e999);
-- => error: bar: max is REAL -Inf, expected a finite number
SELECT bar(1, 2, 0);
-- => error: bar: width is INTEGER 0, expected an integer from 1 to 1000
SELECT bar(1, 2, 2.5);
-- => error: bar: width is REAL 2.5, expected an integer from 1 to 1000
SELECT bar(1, 2, 1001);
-- => error: bar: width is INTEGER 1001, expected an integer from 1 to 1000
SELECT bar(1, 2, 'wide');
-- => error: bar: width is TEXT 'wide', expected an integer from 1 to 1000
-- A funnel-shaped table against its largest step, 10 cells: 80 eighths for 1000, 600 -> 48
-- (6 full), 300 -> 24 (3 full), 90 -> 7.2 -> 7 (▉).
SELECT n, bar(n, max(n) OVER (), 10) FROM (SELECT column1 AS n FROM (VALUES (1000), (600), (300), (90))) ORDER BY n DESC;
-- => 1000|██████████
-- => 600|██████
-- => 300|███
-- => 90|▉
-- shade(rate): five equal bins [0,0.2) ' ', [0.2,0.4) ░, [0.4,0.6) ▒, [0.6,0.8) ▓, [0.8,1] █.
SELECT '[' || shade(0) || shade(0.19) || shade(0.2) || shade(0.39) || shade(0.4) || shade(0.59) || ']';
-- => [  ░░▒▒]
SELECT shade(0.6) || shade(0.79) || shade(0.8) || shade(0.99) || shade(1) || shade(1.0);
-- => ▓▓████
SELECT shade(NULL);
-- => NULL
SELECT shade(1.0001);
-- => error: shade: rate is REAL 1.0001, expected a number from 0 to 1
SELECT shade(-0.1);
-- => error: shade: rate is REAL -0.1, expected a number from 0 to 1
SELECT shade(2);
-- => error: shade: rate is INTEGER 2, expected a number from 0 to 1
SELECT shade('0.5');
-- => error: shade: rate is TEXT '0.5', expected a number
-- shade(rate, max): the same ramp on a scale from 0 to max, for rates that are all small (e-commerce
-- retention after period 0 is under 20%): with max 0.2 the bins are 0.04 wide; a rate above max
-- (period 0 is 100%) is the top step. Bins: [0, 0.04) ' ' (0 and 0.03), [0.04, 0.08) ░ (0.05),
-- [0.08, 0.12) ▒ (0.09), [0.12, 0.16) ▓ (0.13), from 0.16 █ (0.17 and 1).
SELECT '[' || shade(0, 0.2) || shade(0.03, 0.2) || shade(0.05, 0.2) || shade(0.09, 0.2) || shade(0.13, 0.2) || shade(0.17, 0.2) || shade(1, 0.2) || ']';
-- => [  ░▒▓██]
SELECT shade(0.1, NULL), shade(NULL, 0.2);
-- => NULL|NULL
SELECT shade(0.1, 0);
-- => error: shade: max is INTEGER 0, expected a number above 0
SELECT shade(-0.01, 0.2);
-- => error: shade: rate is REAL -0.01, expected a number from 0
SELECT shade(0.1, '0.2');
-- => error: shade: max is TEXT '0.2', expected a number
