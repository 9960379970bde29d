#!/bin/sh
# test-install.sh: `make test-install`. Installs into a temporary DESTDIR, builds a program
# against the installed files with pkg-config, runs it, loads the installed extension in the
# shell, then uninstalls and checks that nothing is left.
#   MAKE=make CC=cc SO_EXT=so GROWTH_VERSION=0.1.0 scripts/test-install.sh DEMO_DB CHECKS_SQL
db=$1 checks=$2
command -v pkg-config >/dev/null || { echo "test-install: needs pkg-config (Debian: apt-get install pkg-config)"; exit 1; }
set -e; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
${MAKE:-make} --no-print-directory -s install DESTDIR=$tmp PREFIX=/opt/growth >/dev/null
for f in lib/growth.$SO_EXT lib/libgrowth.a include/growth.h lib/pkgconfig/growth.pc; do
  test -f $tmp/opt/growth/$f || { echo "test-install: $f not installed"; exit 1; }; done
pc() { PKG_CONFIG_PATH=$tmp/opt/growth/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$tmp pkg-config "$@"; }
test "$(pc --modversion growth)" = "$GROWTH_VERSION" || { echo "test-install: growth.pc version is not $GROWTH_VERSION"; exit 1; }
case "$(pc --variable=extension growth)" in /opt/growth/lib/growth|$tmp/opt/growth/lib/growth) ;;
  *) echo "test-install: pkg-config extension variable is $(pc --variable=extension growth)"; exit 1;; esac
echo "pkg-config --cflags --libs growth: $(pc --cflags --libs growth)"
cp tests/clients/static_client.c $tmp/client.c
${CC:-cc} -o $tmp/client $tmp/client.c $(pc --cflags --libs growth)
$tmp/client "$db" "$checks" > $tmp/client.out || { cat $tmp/client.out; exit 1; }
tail -1 $tmp/client.out
test "$(sqlite3 :memory: '.load '$tmp/opt/growth/lib/growth "SELECT bar(3, 4, 2)")" = "█▌" \
  || { echo "test-install: the installed growth.$SO_EXT does not load or draw bar(3, 4, 2) = █▌"; exit 1; }
${MAKE:-make} --no-print-directory -s uninstall DESTDIR=$tmp PREFIX=/opt/growth >/dev/null
left=$(find $tmp/opt -type f)
test -z "$left" || { echo "test-install: uninstall left $left"; exit 1; }
echo "install, pkg-config build and uninstall: ok"
