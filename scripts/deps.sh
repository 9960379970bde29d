#!/bin/sh
# deps.sh: the Debian packages the build and tests need (`make deps`). Installed when missing
# and running as root; otherwise named, so the user knows exactly what to install.
#   scripts/deps.sh PACKAGE...
missing=""
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if ! command -v dpkg >/dev/null 2>&1; then
    echo "deps: not a Debian system; make sure SQLite 3.40+ (headers and shell) and cmocka are installed"
  elif [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) || exit 1
  else
    echo "deps: missing Debian packages:$missing"
    echo "deps: run: sudo apt-get install$missing"; exit 1
  fi
fi
