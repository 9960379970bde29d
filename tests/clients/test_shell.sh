#!/bin/sh
# The sqlite3 shell client: run shell.script on the demo database (from the repository root,
# where `.load ./growth` finds the extension) and check its output.
#   tests/clients/test_shell.sh DEMO_DB [SQLITE3]
set -eu
db=$1
shell=${2:-sqlite3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$shell" "$db" < tests/clients/shell.script > "$out" 2>&1 || { cat "$out"; echo "shell client: sqlite3 failed"; exit 1; }
# Part 1: the hand-checked lines (column mode pads with spaces; compare without them).
sed -n '/^== checks$/q;p' "$out" | sed 's/ *$//' | diff -u tests/clients/shell.expected - \
  || { echo "shell client: output differs from tests/clients/shell.expected"; exit 1; }
# Part 2: every checks.sql row is check|got|want with got = want.
ver=$("$shell" --version | cut -d' ' -f1)
sed -n '/^== checks$/,$p' "$out" | sed 1d | awk -F'|' -v ver="$ver" '
  NF != 3 { print "shell client: bad check line: " $0; bad++; next }
  $2 == $3 { n++; next }
  { print "FAIL " $1 ": got \047" $2 "\047, want \047" $3 "\047"; bad++ }
  END { if (n < 5 && !bad) { print "shell client: only " n+0 " checks ran"; bad++ }
        if (bad) exit 1; print "shell client (sqlite3 " ver "): " n " checks passed" }'
