#!/usr/bin/env bash
# retention() against real ClickHouse retention() on generated data: 20000 events over 997
# users; the per-user arrays must be byte-identical. ClickHouse is the command named by
# CH_ORACLE (it takes one ClickHouse SQL string and prints CSV; tests/oracle/ch-oracle runs the
# embedded chdb); without CH_ORACLE the script says so and exits 0 (skipped).
# Run from the repo root after `make`:  CH_ORACLE=tests/oracle/ch-oracle tests/oracle/retention.sh
set -euo pipefail
ORACLE=${CH_ORACLE:-}
if [ -z "$ORACLE" ]; then
  echo "retention oracle: SKIPPED: CH_ORACLE is not set (a command that runs one ClickHouse SQL string, such as tests/oracle/ch-oracle)"
  exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db=$dir/gen.db
sqlite3 "$db" "CREATE TABLE events(user_id INTEGER, ts INTEGER, event TEXT);
  INSERT INTO events WITH RECURSIVE x(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM x WHERE i < 20000)
  SELECT (i * 7) % 997, 1704067200 + (i * 104729) % 2592000,
         CASE (i * 31) % 10 WHEN 0 THEN 'pay' WHEN 1 THEN 'cart' WHEN 2 THEN 'cart' ELSE 'view' END FROM x;"
# conditions written once per dialect; the same predicates
ch_conds=(
  "toDate(toDateTime(ts, 'UTC')) = '2024-01-05', event = 'pay', toDayOfWeek(toDateTime(ts, 'UTC')) = 7, event = 'cart' AND ts > 1705000000, event = 'view'"
  "ts % 13 = 0, event = 'pay' AND ts % 3 = 0, ts % 17 = 0, toDayOfWeek(toDateTime(ts, 'UTC')) = 3 AND event = 'cart', ts % 29 = 0"
)
sq_conds=(
  "date(ts, 'unixepoch') = '2024-01-05', event = 'pay', strftime('%w', ts, 'unixepoch') = '0', event = 'cart' AND ts > 1705000000, event = 'view'"
  "ts % 13 = 0, event = 'pay' AND ts % 3 = 0, ts % 17 = 0, strftime('%w', ts, 'unixepoch') = '3' AND event = 'cart', ts % 29 = 0"
)
status=0
for i in 0 1; do
  "$ORACLE" "SELECT toInt64(user_id) AS u, retention(${ch_conds[$i]}) AS r FROM sqlite('$db', 'events')
             GROUP BY u ORDER BY u FORMAT CSV" | tr -d '"' > "$dir/ch.csv"
  sqlite3 -csv "$db" ".load ./growth" "SELECT user_id, retention(${sq_conds[$i]}) FROM events GROUP BY user_id ORDER BY user_id" \
    | tr -d '"' > "$dir/sq.csv"
  rows=$(wc -l < "$dir/sq.csv")
  kinds=$(cut -d, -f2- "$dir/sq.csv" | sort -u | wc -l)
  if cmp -s "$dir/ch.csv" "$dir/sq.csv" && [ "$rows" -eq 997 ]; then
    echo "query $((i + 1)): $rows users, $kinds distinct arrays: identical to ClickHouse"
  else
    echo "query $((i + 1)): DIFFERS from ClickHouse"; diff "$dir/ch.csv" "$dir/sq.csv" | head -10; status=1
  fi
done
exit $status
