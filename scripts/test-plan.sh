#!/bin/sh
# test-plan.sh: what `make test` is about to run and install, printed before it starts.
#   NODE_DIR=build/node NODE_ADDON=build/node/.../better_sqlite3.node scripts/test-plan.sh "SUITES" DEB_PACKAGE...
suites=$1; shift
echo "make test runs: $suites"
if command -v dpkg >/dev/null 2>&1; then
  missing=""; for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -z "$missing" ]; then
    echo "make test installs: no Debian package (all of$(printf ' %s' "$@") are present)"
  elif [ "$(id -u)" = 0 ]; then
    echo "make test installs: Debian packages$missing (apt-get)"
  else
    echo "make test needs Debian packages it cannot install without root:$missing"
  fi
fi
if [ -f "$NODE_ADDON" ]; then
  echo "make test installs: nothing from npm (better-sqlite3 is already built in $NODE_DIR)"
elif command -v npm >/dev/null 2>&1; then
  echo "make test installs: better-sqlite3 from npm into $NODE_DIR, compiled with npm rebuild (a few minutes, once)"
else
  echo "make test installs: nothing from npm (npm is missing: the Node.js and newest-SQLite suites are skipped)"
fi
command -v pkg-config >/dev/null 2>&1 || echo "make test needs pkg-config for test-install (Debian: apt-get install pkg-config)"
