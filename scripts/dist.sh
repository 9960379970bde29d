#!/bin/sh
# dist.sh: the Python wheel and the npm tarball of sqlite-growth (`make dist`), built offline from
# the repository: packaging/python and packaging/node, growth.so (debug info stripped) and the
# version GROWTH_VERSION of ext/registry.h, the one growth_version() reports.
#   SYS_PYTHON=/usr/bin/python3 scripts/dist.sh EXT_FILE VERSION OUT_DIR
# The wheel needs Debian's python3-build, python3-wheel and python3-setuptools (`make deps`);
# the tarball needs npm, and without it is skipped with a message.
set -eu
ext=$1 version=$2 out=$3
py=${SYS_PYTHON:-/usr/bin/python3}
ext_file=$(basename "$ext")
rm -rf "$out/python" "$out/node" "$out"/sqlite_growth-*.whl "$out"/sqlite-growth-*.tgz
mkdir -p "$out/python" "$out/node"

# The wheel: python3-build without isolation (the build tools Debian installed, no download).
if ! "$py" -c 'import build, setuptools, wheel' 2>/dev/null; then
  echo "dist: $py lacks the build tools (Debian: apt-get install python3-build python3-wheel python3-setuptools; make deps does it as root)"
  exit 1
fi
cp -R packaging/python/. "$out/python/"
cp "$ext" "$out/python/sqlite_growth/$ext_file"
strip --strip-debug "$out/python/sqlite_growth/$ext_file" 2>/dev/null || true
printf '"""The version of sqlite-growth, as growth_version() reports it (ext/registry.h)."""\n__version__ = "%s"\n' \
  "$version" > "$out/python/sqlite_growth/_version.py"
(cd "$out/python" && "$py" -m build --wheel --no-isolation --outdir .. . > ../python-build.log 2>&1) \
  || { cat "$out/python-build.log"; echo "dist: the wheel did not build"; exit 1; }
echo "dist: $(ls "$out"/sqlite_growth-*.whl)"

# The npm tarball: npm pack of the staged package (no dependencies, no scripts, no network).
if ! command -v npm >/dev/null 2>&1; then
  echo "dist: SKIPPED the npm tarball: npm is not installed (install Node.js and npm)"
  exit 0
fi
cp packaging/node/index.js packaging/node/index.d.ts packaging/node/README.md "$out/node/"
cp "$ext" "$out/node/$ext_file"
strip --strip-debug "$out/node/$ext_file" 2>/dev/null || true
# npm's names for this OS and CPU, so npm refuses to install the package where growth.so cannot load
npm_os=$(node -p process.platform) npm_cpu=$(node -p process.arch)
sed -e "s/@GROWTH_VERSION@/$version/" -e "s/@NPM_OS@/$npm_os/" -e "s/@NPM_CPU@/$npm_cpu/" \
  packaging/node/package.json > "$out/node/package.json"
(cd "$out/node" && npm pack --ignore-scripts --pack-destination .. > ../npm-pack.log 2>&1) \
  || { cat "$out/npm-pack.log"; echo "dist: npm pack failed"; exit 1; }
echo "dist: $(ls "$out"/sqlite-growth-*.tgz)"
