-- Hardening (issue 8): 64 conditions, the most window_funnel, funnel/funnel_actors and retention
-- take, on data whose answers are worked out by hand (not all-constant conditions); 65 is an error.

-- window_funnel with 64 conditions event = 'e1' .. event = 'e64':
--   g1: e1..e64 at ts 1..64, one a second                 -> 64 (window >= 63); window 36: ts <= 1 + 36,
--       so e1..e37 -> 37; strict_order 64
--   g2: the same without e38                               -> 37 whatever the window (>= 36); strict_order:
--       e39 after e37 jumps ahead and stops the funnel     -> 37
--   g3: e1..e20 at ts 1..20, e30 at 21, then e21..e64 at 22..65 (e30 again at 31)
--       default: the early e30 is no next step and is skipped; e64 at 65 = 1 + 64 -> 64;
--       window 36: ts <= 37 reaches e36 (at 37) -> 36; strict_order: the early e30 jumps ahead -> 20
CREATE TABLE w64(g, ts, event);
WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < 64)
INSERT INTO w64 SELECT 1, k, 'e' || k FROM k
  UNION ALL SELECT 2, k, 'e' || k FROM k WHERE k <> 38
  UNION ALL SELECT 3, CASE WHEN k <= 20 THEN k ELSE k + 1 END, 'e' || k FROM k
  UNION ALL SELECT 3, 21, 'e30';
SELECT g, window_funnel(64, ts, event = 'e1', event = 'e2', event = 'e3', event = 'e4', event = 'e5', event = 'e6', event = 'e7', event = 'e8', event = 'e9', event = 'e10', event = 'e11', event = 'e12', event = 'e13', event = 'e14', event = 'e15', event = 'e16', event = 'e17', event = 'e18', event = 'e19', event = 'e20', event = 'e21', event = 'e22', event = 'e23', event = 'e24', event = 'e25', event = 'e26', event = 'e27', event = 'e28', event = 'e29', event = 'e30', event = 'e31', event = 'e32', event = 'e33', event = 'e34', event = 'e35', event = 'e36', event = 'e37', event = 'e38', event = 'e39', event = 'e40', event = 'e41', event = 'e42', event = 'e43', event = 'e44', event = 'e45', event = 'e46', event = 'e47', event = 'e48', event = 'e49', event = 'e50', event = 'e51', event = 'e52', event = 'e53', event = 'e54', event = 'e55', event = 'e56', event = 'e57', event = 'e58', event = 'e59', event = 'e60', event = 'e61', event = 'e62', event = 'e63', event = 'e64'),
  window_funnel(36, ts, event = 'e1', event = 'e2', event = 'e3', event = 'e4', event = 'e5', event = 'e6', event = 'e7', event = 'e8', event = 'e9', event = 'e10', event = 'e11', event = 'e12', event = 'e13', event = 'e14', event = 'e15', event = 'e16', event = 'e17', event = 'e18', event = 'e19', event = 'e20', event = 'e21', event = 'e22', event = 'e23', event = 'e24', event = 'e25', event = 'e26', event = 'e27', event = 'e28', event = 'e29', event = 'e30', event = 'e31', event = 'e32', event = 'e33', event = 'e34', event = 'e35', event = 'e36', event = 'e37', event = 'e38', event = 'e39', event = 'e40', event = 'e41', event = 'e42', event = 'e43', event = 'e44', event = 'e45', event = 'e46', event = 'e47', event = 'e48', event = 'e49', event = 'e50', event = 'e51', event = 'e52', event = 'e53', event = 'e54', event = 'e55', event = 'e56', event = 'e57', event = 'e58', event = 'e59', event = 'e60', event = 'e61', event = 'e62', event = 'e63', event = 'e64'),
  window_funnel(64, ts, event = 'e1', event = 'e2', event = 'e3', event = 'e4', event = 'e5', event = 'e6', event = 'e7', event = 'e8', event = 'e9', event = 'e10', event = 'e11', event = 'e12', event = 'e13', event = 'e14', event = 'e15', event = 'e16', event = 'e17', event = 'e18', event = 'e19', event = 'e20', event = 'e21', event = 'e22', event = 'e23', event = 'e24', event = 'e25', event = 'e26', event = 'e27', event = 'e28', event = 'e29', event = 'e30', event = 'e31', event = 'e32', event = 'e33', event = 'e34', event = 'e35', event = 'e36', event = 'e37', event = 'e38', event = 'e39', event = 'e40', event = 'e41', event = 'e42', event = 'e43', event = 'e44', event = 'e45', event = 'e46', event = 'e47', event = 'e48', event = 'e49', event = 'e50', event = 'e51', event = 'e52', event = 'e53', event = 'e54', event = 'e55', event = 'e56', event = 'e57', event = 'e58', event = 'e59', event = 'e60', event = 'e61', event = 'e62', event = 'e63', event = 'e64', 'strict_order')
FROM w64 GROUP BY g;
-- => 1|64|37|64
-- => 2|37|37|37
-- => 3|64|36|20
-- the rows in reverse order (input order never matters), window 62: one second short of e64 for g1
-- (e63 at 63 = 1 + 62 -> 63) and of e63 for g3 (e62 at 63 -> 62)
SELECT g, window_funnel(62, ts, event = 'e1', event = 'e2', event = 'e3', event = 'e4', event = 'e5', event = 'e6', event = 'e7', event = 'e8', event = 'e9', event = 'e10', event = 'e11', event = 'e12', event = 'e13', event = 'e14', event = 'e15', event = 'e16', event = 'e17', event = 'e18', event = 'e19', event = 'e20', event = 'e21', event = 'e22', event = 'e23', event = 'e24', event = 'e25', event = 'e26', event = 'e27', event = 'e28', event = 'e29', event = 'e30', event = 'e31', event = 'e32', event = 'e33', event = 'e34', event = 'e35', event = 'e36', event = 'e37', event = 'e38', event = 'e39', event = 'e40', event = 'e41', event = 'e42', event = 'e43', event = 'e44', event = 'e45', event = 'e46', event = 'e47', event = 'e48', event = 'e49', event = 'e50', event = 'e51', event = 'e52', event = 'e53', event = 'e54', event = 'e55', event = 'e56', event = 'e57', event = 'e58', event = 'e59', event = 'e60', event = 'e61', event = 'e62', event = 'e63', event = 'e64') FROM (SELECT * FROM w64 ORDER BY rowid DESC) GROUP BY g;
-- => 1|63
-- => 2|37
-- => 3|62
-- 65 conditions are refused
SELECT window_funnel(64, ts, event = 'e1', event = 'e2', event = 'e3', event = 'e4', event = 'e5', event = 'e6', event = 'e7', event = 'e8', event = 'e9', event = 'e10', event = 'e11', event = 'e12', event = 'e13', event = 'e14', event = 'e15', event = 'e16', event = 'e17', event = 'e18', event = 'e19', event = 'e20', event = 'e21', event = 'e22', event = 'e23', event = 'e24', event = 'e25', event = 'e26', event = 'e27', event = 'e28', event = 'e29', event = 'e30', event = 'e31', event = 'e32', event = 'e33', event = 'e34', event = 'e35', event = 'e36', event = 'e37', event = 'e38', event = 'e39', event = 'e40', event = 'e41', event = 'e42', event = 'e43', event = 'e44', event = 'e45', event = 'e46', event = 'e47', event = 'e48', event = 'e49', event = 'e50', event = 'e51', event = 'e52', event = 'e53', event = 'e54', event = 'e55', event = 'e56', event = 'e57', event = 'e58', event = 'e59', event = 'e60', event = 'e61', event = 'e62', event = 'e63', event = 'e64', event = 'e65') FROM w64;
-- => error: window_funnel: 65 conditions given, at most 64 are supported

-- funnel() with 64 steps e1..e64 (the limit, GFUNNEL_MAX_STEPS in ext/funnel_engine.h), window 100:
--   actor 1: e_k at 1000 + k                -> 64 (63 s from step 1 to 64)
--   actor 2: the same without e38           -> 37
--   actor 3: e_k at 3000 + 2k, 2 s apart    -> step k is 2(k - 1) s after step 1: k <= 51 -> 51
-- Step k: 3 actors for k <= 37, 2 for 38..51, 1 for 52..64; dropped 1 at 37 and at 51.
-- Times from the previous step: {1, 1, 2} for steps 2..37 (median 1, p90 = 1 + 0.8 * (2 - 1) = 1.8,
-- avg 4/3), {1, 2} for 38..51 (median 1.5, p90 1.9), {1} for 52..64.
CREATE TABLE f64(actor, ts, event);
WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k WHERE k < 64)
INSERT INTO f64 SELECT 1, 1000 + k, 'e' || k FROM k
  UNION ALL SELECT 2, 2000 + k, 'e' || k FROM k WHERE k <> 38
  UNION ALL SELECT 3, 3000 + 2 * k, 'e' || k FROM k;
SELECT actors, count(*), min(step), max(step), sum(dropped), round(min(conversion_from_prev), 4),
       round(max(conversion_from_prev), 4), round(min(conversion_from_first), 4), median_seconds, p90_seconds,
       round(avg_seconds, 4)
FROM funnel('f64', 100, 'e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11,e12,e13,e14,e15,e16,e17,e18,e19,e20,e21,e22,e23,e24,e25,e26,e27,e28,e29,e30,e31,e32,e33,e34,e35,e36,e37,e38,e39,e40,e41,e42,e43,e44,e45,e46,e47,e48,e49,e50,e51,e52,e53,e54,e55,e56,e57,e58,e59,e60,e61,e62,e63,e64')
GROUP BY actors, median_seconds, p90_seconds, avg_seconds ORDER BY min(step);
-- => 3|1|1|1|0|1.0|1.0|1.0|NULL|NULL|NULL
-- => 3|36|2|37|1|1.0|1.0|1.0|1.0|1.8|1.3333
-- => 2|14|38|51|1|0.6667|1.0|0.6667|1.5|1.9|1.5
-- => 1|13|52|64|0|0.5|1.0|0.3333|1.0|1.0|1.0
SELECT step, event, actors, dropped FROM funnel('f64', 100, 'e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11,e12,e13,e14,e15,e16,e17,e18,e19,e20,e21,e22,e23,e24,e25,e26,e27,e28,e29,e30,e31,e32,e33,e34,e35,e36,e37,e38,e39,e40,e41,e42,e43,e44,e45,e46,e47,e48,e49,e50,e51,e52,e53,e54,e55,e56,e57,e58,e59,e60,e61,e62,e63,e64') WHERE step IN (1, 37, 38, 51, 52, 64);
-- => 1|e1|3|0
-- => 37|e37|3|1
-- => 38|e38|2|0
-- => 51|e51|2|1
-- => 52|e52|1|0
-- => 64|e64|1|0
-- the same steps as a JSON array, and who stopped where (seconds from step 1 to the last step reached)
SELECT actor, level, step1_ts, last_ts, seconds_to_last
FROM funnel_actors('f64', 100, json_array('e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10', 'e11', 'e12', 'e13', 'e14', 'e15', 'e16', 'e17', 'e18', 'e19', 'e20', 'e21', 'e22', 'e23', 'e24', 'e25', 'e26', 'e27', 'e28', 'e29', 'e30', 'e31', 'e32', 'e33', 'e34', 'e35', 'e36', 'e37', 'e38', 'e39', 'e40', 'e41', 'e42', 'e43', 'e44', 'e45', 'e46', 'e47', 'e48', 'e49', 'e50', 'e51', 'e52', 'e53', 'e54', 'e55', 'e56', 'e57', 'e58', 'e59', 'e60', 'e61', 'e62', 'e63', 'e64'));
-- => 1|64|1970-01-01 00:16:41|1970-01-01 00:17:44|63.0
-- => 2|37|1970-01-01 00:33:21|1970-01-01 00:33:57|36.0
-- => 3|51|1970-01-01 00:50:02|1970-01-01 00:51:42|100.0
-- 65 steps: an error naming the limit
SELECT * FROM funnel('f64', 100, 'e1,e2,e3,e4,e5,e6,e7,e8,e9,e10,e11,e12,e13,e14,e15,e16,e17,e18,e19,e20,e21,e22,e23,e24,e25,e26,e27,e28,e29,e30,e31,e32,e33,e34,e35,e36,e37,e38,e39,e40,e41,e42,e43,e44,e45,e46,e47,e48,e49,e50,e51,e52,e53,e54,e55,e56,e57,e58,e59,e60,e61,e62,e63,e64,e65');
-- => error: funnel: steps must name 1 to 64 events

-- retention() with 64 conditions d = 0 .. d = 63 (day numbers); r_k = did day 0 and did day k:
--   u1: days 0, 3, 6, ..., 63 (multiples of 3)  -> 1 where k % 3 = 0
--   u2: days 1..63, never day 0                  -> all 0 (r1 gates every other)
--   u3: days 0 and 63                            -> 1 at 0 and 63
--   u4: day 0 and the primes below 64            -> 1 at 0 and at every prime
CREATE TABLE r64(u, d);
WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < 63)
INSERT INTO r64 SELECT 1, k FROM k WHERE k % 3 = 0
  UNION ALL SELECT 2, k FROM k WHERE k > 0
  UNION ALL SELECT 3, k FROM k WHERE k IN (0, 63)
  UNION ALL SELECT 4, k FROM k WHERE k IN (0, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61);
SELECT u, retention(d = 0, d = 1, d = 2, d = 3, d = 4, d = 5, d = 6, d = 7, d = 8, d = 9, d = 10, d = 11, d = 12, d = 13, d = 14, d = 15, d = 16, d = 17, d = 18, d = 19, d = 20, d = 21, d = 22, d = 23, d = 24, d = 25, d = 26, d = 27, d = 28, d = 29, d = 30, d = 31, d = 32, d = 33, d = 34, d = 35, d = 36, d = 37, d = 38, d = 39, d = 40, d = 41, d = 42, d = 43, d = 44, d = 45, d = 46, d = 47, d = 48, d = 49, d = 50, d = 51, d = 52, d = 53, d = 54, d = 55, d = 56, d = 57, d = 58, d = 59, d = 60, d = 61, d = 62, d = 63) FROM r64 GROUP BY u;
-- => 1|[1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1,0,0,1]
-- => 2|[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]
-- => 3|[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]
-- => 4|[1,0,1,1,0,1,0,1,0,0,0,1,0,1,0,0,0,1,0,1,0,0,0,1,0,0,0,0,0,1,0,1,0,0,0,0,0,1,0,0,0,1,0,1,0,0,0,1,0,0,0,0,0,1,0,0,0,0,0,1,0,1,0,0]
-- per position over the users: day 0 retained by 3 (u1, u3, u4); day 63 (a multiple of 3) by u1 and u3;
-- day 3 (prime and multiple of 3) by u1 and u4; day 61 (prime) by u4 only; day 1 by nobody
SELECT sum(r ->> 0), sum(r ->> 63), sum(r ->> 3), sum(r ->> 61), sum(r ->> 1), sum(json_array_length(r))
FROM (SELECT retention(d = 0, d = 1, d = 2, d = 3, d = 4, d = 5, d = 6, d = 7, d = 8, d = 9, d = 10, d = 11, d = 12, d = 13, d = 14, d = 15, d = 16, d = 17, d = 18, d = 19, d = 20, d = 21, d = 22, d = 23, d = 24, d = 25, d = 26, d = 27, d = 28, d = 29, d = 30, d = 31, d = 32, d = 33, d = 34, d = 35, d = 36, d = 37, d = 38, d = 39, d = 40, d = 41, d = 42, d = 43, d = 44, d = 45, d = 46, d = 47, d = 48, d = 49, d = 50, d = 51, d = 52, d = 53, d = 54, d = 55, d = 56, d = 57, d = 58, d = 59, d = 60, d = 61, d = 62, d = 63) AS r FROM r64 GROUP BY u);
-- => 3|2|2|1|0|256
SELECT retention(d = 0, d = 1, d = 2, d = 3, d = 4, d = 5, d = 6, d = 7, d = 8, d = 9, d = 10, d = 11, d = 12, d = 13, d = 14, d = 15, d = 16, d = 17, d = 18, d = 19, d = 20, d = 21, d = 22, d = 23, d = 24, d = 25, d = 26, d = 27, d = 28, d = 29, d = 30, d = 31, d = 32, d = 33, d = 34, d = 35, d = 36, d = 37, d = 38, d = 39, d = 40, d = 41, d = 42, d = 43, d = 44, d = 45, d = 46, d = 47, d = 48, d = 49, d = 50, d = 51, d = 52, d = 53, d = 54, d = 55, d = 56, d = 57, d = 58, d = 59, d = 60, d = 61, d = 62, d = 63, d = 64) FROM r64;
-- => error: retention: takes 2 to 64 conditions (0/1 values), got 65
