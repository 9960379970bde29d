#!/bin/sh
# test-report.sh: `make test-report`. Renders build/report.html (sql/report.sql on the demo
# database) in headless Chromium and checks its numbers against plain SQL; Debian's chromium
# and a CJK font are installed when missing and running as root.
#   MAKE=make SYS_PYTHON=/usr/bin/python3 scripts/test-report.sh EXT DEMO_DB DEB_PACKAGE...
ext=$1 db=$2; shift 2
missing=$(sqlite3 :memory: ".load $ext" "SELECT group_concat(m, ' ') FROM (SELECT column1 AS m FROM \
  (VALUES ('funnel'), ('cohort_retention'), ('rfm'), ('lifecycle'), ('active_users'), ('clv'))) WHERE m NOT IN (SELECT name FROM pragma_module_list)")
if [ -n "$missing" ]; then echo "test-report: SKIPPED: this build lacks $missing, which the report needs"; exit 0; fi
missing=""; for p in "$@"; do dpkg -s $p >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ] && command -v dpkg >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "test-report: installing$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) || exit 1
  else echo "test-report: missing Debian packages:$missing (run: sudo apt-get install$missing)"; exit 1; fi
fi
${MAKE:-make} --no-print-directory build/report.html &&
$SYS_PYTHON tests/clients/test_report.py build/report.html "$db" build/clients/report.png "$ext" &&
tests/clients/test_report_edges.sh
