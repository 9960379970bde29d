#!/bin/bash
# cluster.sh: a 3-node dqlite cluster on 127.0.0.1 running sqlite-growth (cluster/README in
# docs/clients.md#replicated-sqlite).
#   scripts/cluster.sh demo DEMO_DB   start, load the demo shop, print the README's examples, stop
#   scripts/cluster.sh test DEMO_DB   the client checks through the cluster against the sqlite3
#                                     shell, then a leader failover, a write during the outage, the
#                                     killed node back, caught up and leader again
# Ports are chosen free by the kernel; every node is stopped by its PID at the end, whatever
# happens; nodes bind 127.0.0.1 only (the test checks it).
set -euo pipefail
mode=$1 demo_db=$2
node_bin=build/cluster/growth-node client_bin=build/cluster/growth-cluster
tmp=$(mktemp -d)
declare -A pid addr
cleanup() {
  for i in "${!pid[@]}"; do kill -TERM "${pid[$i]}" 2>/dev/null || true; done
  for i in "${!pid[@]}"; do
    for _ in $(seq 50); do kill -0 "${pid[$i]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid[$i]}" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "cluster $mode: FAIL: $*"; for i in 1 2 3; do [ -f "$tmp/node$i.log" ] && sed "s/^/  node $i: /" "$tmp/node$i.log"; done; exit 1; }
cl() { "$client_bin" "$@"; }

# Three free loopback ports, asked of the kernel (bound and released at once).
read -r -a ports <<<"$(python3 -c 'import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')"
start_node() { # id
  addr[$1]=127.0.0.1:${ports[$(($1 - 1))]}
  mkdir -p "$tmp/data$1"
  "$node_bin" "$1" "${addr[$1]}" "$tmp/data$1" >>"$tmp/node$1.log" 2>&1 &
  pid[$1]=$!
}
leader_of() { cl "${addr[$1]}" leader 2>/dev/null | cut -d' ' -f1; }
# The leader's id as seen from any live node other than $1 (skip), waiting up to $2 seconds.
wait_leader() {
  local skip=$1 limit=$2 t=0 id
  while [ "$t" -lt $((limit * 10)) ]; do
    for i in 1 2 3; do
      [ "$i" = "$skip" ] && continue
      id=$(leader_of "$i") || true
      if [ -n "$id" ] && [ "$id" != "$skip" ]; then echo "$id"; return 0; fi
    done
    sleep 0.1; t=$((t + 1))
  done
  return 1
}

for i in 1 2 3; do start_node "$i"; done
leader=$(wait_leader 0 10) || fail "node 1 did not bootstrap a cluster within 10 s"
cl "${addr[1]}" add 2 "${addr[2]}" || fail "adding node 2"
cl "${addr[1]}" add 3 "${addr[3]}" || fail "adding node 3"
[ "$(cl "${addr[1]}" nodes | awk '$3 == 0' | wc -l)" = 3 ] || fail "the cluster does not have 3 voters: $(cl "${addr[1]}" nodes)"
# The demo shop without its CDNOW part, which the shell reads with readfile().
awk '/^-- Real data beside the generated shop/ { exit } { print } END { print "COMMIT;" }' sql/demo.sql >"$tmp/shop.sql"
cl "${addr[1]}" exec demo "$tmp/shop.sql" || fail "loading the demo shop"

if [ "$mode" = demo ]; then
  echo "cluster-demo: 3 dqlite nodes on ${addr[1]}, ${addr[2]}, ${addr[3]}; leader node $leader"
  awk 'BEGIN { RS = "\n;\n" } NF { gsub(/^(--[^\n]*\n)+/, ""); print > sprintf("'"$tmp"'/example%d.sql", ++n) }' cluster/examples.sql
  for f in "$tmp"/example*.sql; do
    echo; sed 's/^/  /' "$f"; echo "  -- from the leader:"
    cl "${addr[1]}" query demo "$(cat "$f")" | sed 's/^/  /' || fail "an example failed"
  done
  exit 0
fi

# ---- test ----
# Value by value: the same statements give the same quote()d values through the cluster as in
# the sqlite3 shell with .load, on the same data.
checks=$(sed 's/;[[:space:]]*$//' tests/clients/checks.sql)
compare_with_shell() { # label, address of a live node
  local q at=$2
  q="WITH c(a, b, d) AS ($checks) SELECT quote(a), quote(b), quote(d) FROM c"
  cl "$at" query demo "$q" >"$tmp/cluster.out" || fail "$1: the client checks failed on the cluster"
  sqlite3 "$demo_db" ".load ./growth" ".separator |" "$q" >"$tmp/shell.out"
  diff -u "$tmp/shell.out" "$tmp/cluster.out" >&2 || fail "$1: the cluster's answers differ from the shell's"
  awk -F'|' '$2 != $3 { bad++; print "  check " $1 ": got " $2 ", want " $3 } END { exit bad > 0 }' "$tmp/cluster.out" \
    || fail "$1: a client check has got != want"
  awk 'BEGIN { RS = "\n;\n" } NF { gsub(/^(--[^\n]*\n)+/, ""); print > sprintf("'"$tmp"'/example%d.sql", ++n) }' cluster/examples.sql
  for f in "$tmp"/example*.sql; do
    cl "$at" query demo "$(cat "$f")" >"$tmp/cluster.ex" || fail "$1: $(head -c 60 "$f") failed on the cluster"
    sqlite3 "$demo_db" ".load ./growth" ".separator |" ".nullvalue ''" "$(cat "$f")" >"$tmp/shell.ex"
    # The client prints REALs with 17 significant digits, the shell with 15: compare as numbers.
    python3 - "$tmp/shell.ex" "$tmp/cluster.ex" <<'PY' || fail "$1: $(head -c 60 "$f") differs from the shell"
import sys
a, b = (open(p, encoding="utf-8").read().splitlines() for p in sys.argv[1:3])
def same(x, y):
    if x == y: return True
    try: return float(x) == float(y) or abs(float(x) - float(y)) <= 1e-12 * abs(float(x))
    except ValueError: return False
ok = len(a) == len(b) and all(len(r.split("|")) == len(s.split("|")) and all(same(x, y) for x, y in zip(r.split("|"), s.split("|"))) for r, s in zip(a, b))
if not ok: print("shell:", a[:3], "cluster:", b[:3]); sys.exit(1)
PY
  done
  echo "  $1: $(wc -l <"$tmp/cluster.out") client checks and $(ls "$tmp"/example*.sql | wc -l) examples equal the shell's"
}
echo "test-cluster: 3 dqlite nodes on 127.0.0.1 (ports ${ports[*]}); leader node $leader"
# Nothing listens beyond loopback.
for i in 1 2 3; do
  ss -ltnpH 2>/dev/null | grep "pid=${pid[$i]}," | awk '{ print $4 }' | grep -v '^127\.0\.0\.1:' \
    && fail "node $i listens beyond 127.0.0.1"
done
compare_with_shell "leader node $leader" "${addr[1]}"

# Errors: found when the statement is prepared, the message arrives whole; raised while stepping,
# dqlite 1.11 garbles it (docs/clients.md), so only failure without rows is asserted.
out=$(cl "${addr[1]}" query demo "SELECT no_such_function(1)" 2>&1) && fail "an unknown function succeeded"
case $out in *"no such function: no_such_function"*) ;; *) fail "prepare-time error not intact: $out" ;; esac
out=$(cl "${addr[1]}" query demo "SELECT * FROM funnel('SELECT user_id, ts, event FROM no_such_table', '1 day', 'view')" 2>&1) \
  && fail "a source naming no table succeeded"
case $out in *"no such table: no_such_table"*) ;; *) fail "funnel's source error not intact: $out" ;; esac
out=$(cl "${addr[1]}" query demo "SELECT * FROM funnel('SELECT user_id, ts, event FROM events', '1 day', 'view', 'no_such_option=1')" 2>&1) \
  && fail "an unknown option succeeded"
case $out in *"unknown option 'no_such_option'"*) ;; *) fail "funnel's options error not intact: $out" ;; esac
if out=$(cl "${addr[1]}" query demo "SELECT * FROM cohort_retention('SELECT user_id, ts FROM events', 'week', 'periods=-1')" 2>/dev/null); then
  fail "a bad option value succeeded"
fi
[ -z "$out" ] || fail "a failing statement returned rows: $out"

# Failover: SIGKILL the leader; another node leads within 30 s with the same answers.
old=$leader
kill -KILL "${pid[$old]}"; wait "${pid[$old]}" 2>/dev/null || true; unset "pid[$old]"
start_s=$(date +%s)
leader=$(wait_leader "$old" 30) || fail "no new leader within 30 s of killing node $old"
echo "  node $old killed; node $leader leads after $(($(date +%s) - start_s)) s"
live=$leader
compare_with_shell "after the failover, leader node $leader" "${addr[$live]}"
# A write during the outage.
echo "CREATE TABLE outage(x); INSERT INTO outage VALUES (42);" >"$tmp/write.sql"
cl "${addr[$live]}" exec demo "$tmp/write.sql" || fail "a write during the outage"
# The killed node back: it catches up, leads, and gives the same answers and the write.
start_node "$old"
ok=""
for _ in $(seq 100); do
  if cl "${addr[$live]}" transfer "$old" 2>/dev/null && [ "$(leader_of "$old")" = "$old" ]; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || fail "node $old did not take the leadership back"
[ "$(cl "${addr[$old]}" query demo "SELECT x FROM outage")" = 42 ] || fail "node $old does not have the write made while it was down"
compare_with_shell "node $old restarted and leader again" "${addr[$old]}"
echo "test-cluster: ok"
