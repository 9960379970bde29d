#!/bin/sh
# test-node.sh: the Node.js client test (`make test-node`): better-sqlite3, built into NODE_DIR
# by the Makefile's rules, loads the extension and runs the shared client checks.
#   MAKE=make NODE_DIR=build/node NODE_ADDON=... scripts/test-node.sh EXT DEMO_DB CHECKS_SQL
ext=$1 db=$2 checks=$3
if ! command -v npm >/dev/null 2>&1 && [ ! -f "$NODE_ADDON" ]; then
  echo "test-node: SKIPPED: npm is not installed (install Node.js and npm to run it)"
else
  ${MAKE:-make} --no-print-directory "$NODE_ADDON" &&
  NODE_PATH=$NODE_DIR/node_modules node tests/clients/test_node.js "$ext" "$db" "$checks" \
    > build/clients/node.tap 2>&1; rc=$?
  grep -E '^(not ok|# (pass|fail))' build/clients/node.tap
  [ $rc = 0 ] || { cat build/clients/node.tap; exit 1; }
fi
