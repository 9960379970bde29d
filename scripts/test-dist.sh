#!/bin/sh
# test-dist.sh: `make test-dist`. Installs the wheel of `make dist` into a fresh virtual
# environment and the npm tarball into a fresh Node project, from the local files only (pip
# --no-index, npm --offline), and runs the client checks (tests/clients/checks.sql) through
# load(). better-sqlite3 comes from NODE_DIR (built there by `make test-node`), never from the
# network. What cannot run here (no venv module, no npm, no better-sqlite3, no node:sqlite) is a
# SKIPPED line with the reason.
#   SYS_PYTHON=/usr/bin/python3 NODE_DIR=build/node NODE_ADDON=... \
#     scripts/test-dist.sh DIST_DIR DEMO_DB CHECKS_SQL VERSION SO_EXT
set -u
dist=$1 db=$2 checks=$3 version=$4 so_ext=$5
py=${SYS_PYTHON:-/usr/bin/python3}
root=$(pwd)
status=0
abs() { case $1 in /*) echo "$1" ;; *) echo "$root/$1" ;; esac; }

# Python: a fresh venv, the wheel from its file, tests/clients/test_dist.py run by the venv's Python.
wheel=$(ls "$dist"/sqlite_growth-"$version"-*.whl 2>/dev/null | head -1)
if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "test-dist: SKIPPED python: $py has no venv module with pip (Debian: apt-get install python3-venv)"
elif [ -z "$wheel" ]; then
  echo "test-dist: no wheel sqlite_growth-$version-*.whl in $dist (make dist)"; status=1
else
  venv=$dist/test-venv
  rm -rf "$venv"
  if "$py" -m venv "$venv" > "$dist/test-venv.log" 2>&1 &&
     PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install --no-index --no-cache-dir "$wheel" >> "$dist/test-venv.log" 2>&1; then
    "$venv/bin/python" tests/clients/test_dist.py "$(abs "$db")" "$(abs "$checks")" "$(abs "$venv")" "$version" "$so_ext" \
      > "$dist/test-python.log" 2>&1 || { cat "$dist/test-python.log"; status=1; }
    sed -n "s/^\(test_[a-z_]*\) .* skipped '\(.*\)'\$/test-dist: SKIPPED python: \1: \2/p" "$dist/test-python.log"
    grep -E '^(Ran|OK|FAILED)' "$dist/test-python.log" | tr '\n' ' ' | sed 's/^/python wheel: /; s/ $/\n/'
  else
    cat "$dist/test-venv.log"; echo "test-dist: the wheel did not install into a fresh venv"; status=1
  fi
fi

# Node.js: a fresh project, the tarball from its file, tests/clients/test_dist.js run inside it.
tarball=$dist/sqlite-growth-$version.tgz
if ! command -v npm >/dev/null 2>&1; then
  echo "test-dist: SKIPPED node: npm is not installed (install Node.js and npm)"
elif [ ! -f "$tarball" ]; then
  echo "test-dist: no $tarball (make dist)"; status=1
else
  proj=$dist/test-node
  rm -rf "$proj" && mkdir -p "$proj"
  printf '{ "name": "sqlite-growth-dist-test", "private": true }\n' > "$proj/package.json"
  cp tests/clients/test_dist.js "$proj/"
  if (cd "$proj" && npm install --offline --no-audit --no-fund --ignore-scripts "$(abs "$tarball")") > "$dist/test-node-install.log" 2>&1; then
    # better-sqlite3 only through NODE_PATH, and only when make test-node has built it
    node_path=""
    if [ -f "$NODE_ADDON" ]; then node_path=$(abs "$NODE_DIR")/node_modules; fi
    (cd "$proj" && NODE_PATH=$node_path node test_dist.js "$(abs "$db")" "$(abs "$checks")" "$version") \
      > "$dist/test-node.tap" 2>&1 || { cat "$dist/test-node.tap"; status=1; }
    sed -n 's/^ok [0-9]* - \(.*\) # SKIP \(.*\)/test-dist: SKIPPED node: \1: \2/p' "$dist/test-node.tap"
    grep -E '^# (pass|fail|skipped)' "$dist/test-node.tap" | tr '\n' ' ' | sed 's/^/node tarball: /; s/ $/\n/'
  else
    cat "$dist/test-node-install.log"; echo "test-dist: the tarball did not install into a fresh Node project"; status=1
  fi
fi
exit $status
