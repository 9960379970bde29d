# sqlite-growth: see README.md. `make demo` and `make test` are the two commands to know;
# `make help` lists every public target. ARCHITECTURE.md explains the layout of ext/,
# tests/README.md what each suite proves.

# What `make test` runs, in this order (each one also runs alone as `make <name>`). It first
# prints what it will install (scripts/test-plan.sh), then runs `deps`.
#   check            unit tests (cmocka) and SQL tests
#   test-readme      every example of README.md and docs/ prints what the page says
#   test-clients     sqlite3 shell, Python, Node.js, a static C client, make install + pkg-config
#   test-dist        the wheel and the npm tarball of `make dist`, installed offline, through load()
#   test-latest      the SQL tests on the newest SQLite amalgamation at hand (better-sqlite3's)
#   test-report      the HTML report in headless Chromium against plain SQL
#   test-cluster     a 3-node dqlite cluster: the client checks, a leader failover, a rejoin
#   fuzz-regress     every fuzz target over its seeds and kept crash inputs
#   test-threads     two connections in two threads under ThreadSanitizer
#   test-no-globals  no writable data in any object of the loadable build
#   test-big         one actor with 10M events: results and memory bounds
#   check-asan       unit and SQL tests again under AddressSanitizer + UBSan
TEST_SUITES = check test-readme test-clients test-dist test-latest test-report test-cluster fuzz-regress test-threads \
              test-no-globals test-big $(TEST_EXTRA) check-asan
# (TEST_EXTRA: suites a branch appends with `TEST_EXTRA += ...`; new suites go in the list above.)
TEST_EXTRA :=

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=

UNAME_S := $(shell uname -s 2>/dev/null)
ifeq ($(OS),Windows_NT)
  SO_EXT := dll
  SO_FLAGS := -shared
else ifeq ($(UNAME_S),Darwin)
  SO_EXT := dylib
  SO_FLAGS := -dynamiclib -undefined dynamic_lookup
else
  SO_EXT := so
  SO_FLAGS := -shared
endif

# -ffp-contract=off: the same REAL results on every CPU (no fused multiply-add), which
# statement-replicated engines need.
WARN     := -Wall -Wextra
CFLAGS   ?= -O2 -g
BASEFLAGS := -std=gnu11 $(WARN) -ffp-contract=off -fPIC -iquote ext
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LIBS     := -lm
TEST_LIBS := -lsqlite3 -lcmocka -lm

SRC      := $(wildcard ext/*.c)
HDR      := $(wildcard ext/*.h)
# test_big.c is `make test-big` (10M events: too slow for every check, and for ASan)
UNIT_SRC := $(filter-out tests/test_big.c,$(wildcard tests/test_*.c))
SQL_TESTS := $(sort $(wildcard tests/sql/*.sql))

# Three builds of the same sources: the loadable extension, the SQLITE_CORE objects that
# unit tests and the static library use, and both again under the sanitizers.
SO_OBJ   := $(patsubst ext/%.c,build/so/%.o,$(SRC))
CORE_OBJ := $(patsubst ext/%.c,build/core/%.o,$(SRC))
ASAN_SO_OBJ   := $(patsubst ext/%.c,build/asan-so/%.o,$(SRC))
ASAN_CORE_OBJ := $(patsubst ext/%.c,build/asan-core/%.o,$(SRC))
UNIT_BIN      := $(patsubst tests/%.c,build/core/%,$(UNIT_SRC))
ASAN_UNIT_BIN := $(patsubst tests/%.c,build/asan-core/%,$(UNIT_SRC))

.SECONDARY:
.PHONY: all help test check check-asan demo bench clean deps static test-readme
.DEFAULT_GOAL := all

all: growth.$(SO_EXT) ## build the loadable extension growth.so (.dylib, .dll)

# `make help`: the public targets, from the `## ` note on each target's line.
help: ## this list
	@echo "sqlite-growth: make <target>   (make test runs: $(strip $(TEST_SUITES)))"
	@grep -hE '^[a-zA-Z0-9_.-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)$$/\1\t\2/' \
	  | awk -F'\t' '{ printf "  %-22s %s\n", $$1, $$2 }'

growth.$(SO_EXT): $(SO_OBJ)
	$(CC) $(SO_FLAGS) -o $@ $^ $(LIBS)

build/so/%.o: ext/%.c $(HDR) | build/so
	$(CC) $(BASEFLAGS) $(CFLAGS) -c $< -o $@
build/core/%.o: ext/%.c $(HDR) | build/core
	$(CC) $(BASEFLAGS) $(CFLAGS) -DSQLITE_CORE -c $< -o $@
build/asan-so/%.o: ext/%.c $(HDR) | build/asan-so
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -c $< -o $@
build/asan-core/%.o: ext/%.c $(HDR) | build/asan-core
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -DSQLITE_CORE -c $< -o $@

build/so build/core build/asan-so build/asan-core build/bench:
	mkdir -p $@

# Unit tests link every core object (built with SQLITE_CORE) and the system libsqlite3.
build/core/test_%: tests/test_%.c $(CORE_OBJ) $(HDR)
	$(CC) $(BASEFLAGS) $(CFLAGS) -DSQLITE_CORE -o $@ $< $(CORE_OBJ) $(TEST_LIBS)
build/asan-core/test_%: tests/test_%.c $(ASAN_CORE_OBJ) $(HDR)
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -DSQLITE_CORE -o $@ $< $(ASAN_CORE_OBJ) $(TEST_LIBS)

build/core/sqltest: tests/sqltest.c | build/core
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $@ $< $(TEST_LIBS)
build/asan-core/sqltest: tests/sqltest.c | build/asan-core
	$(CC) $(BASEFLAGS) $(SAN_FLAGS) -o $@ $< $(TEST_LIBS)
build/asan-so/growth.$(SO_EXT): $(ASAN_SO_OBJ)
	$(CC) $(SO_FLAGS) $(SAN_FLAGS) -o $@ $^ $(LIBS)

# `make test`: TEST_SUITES (top of this file), after saying what it installs.
test: ## every suite of TEST_SUITES (about ten minutes; installs what is missing, see above)
	@NODE_DIR=$(NODE_DIR) NODE_ADDON=$(NODE_ADDON) scripts/test-plan.sh "$(strip $(TEST_SUITES))" $(DEB_PACKAGES) $(DIST_DEB) $(REPORT_DEB)
	@$(MAKE) --no-print-directory deps
	@for t in $(TEST_SUITES); do $(MAKE) --no-print-directory $$t || exit 1; done

check: growth.$(SO_EXT) $(UNIT_BIN) build/core/sqltest ## unit tests and SQL tests (the quick loop)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done
	@echo "== SQL tests ($(words $(SQL_TESTS)) files)"
	@./build/core/sqltest --ext ./growth.$(SO_EXT) $(SQL_TESTS)

check-asan: build/asan-so/growth.$(SO_EXT) $(ASAN_UNIT_BIN) build/asan-core/sqltest ## the same under ASan + UBSan
	@set -e; for t in $(ASAN_UNIT_BIN); do echo "== $$t (ASan+UBSan)"; ASAN_OPTIONS=detect_leaks=1 ./$$t; done
	@echo "== SQL tests under ASan+UBSan ($(words $(SQL_TESTS)) files)"
	@ASAN_OPTIONS=detect_leaks=1 ./build/asan-core/sqltest --ext ./build/asan-so/growth.$(SO_EXT) $(SQL_TESTS)

build/demo.db: sql/demo.sql
	@mkdir -p build && rm -f $@ && sqlite3 $@ < sql/demo.sql

# The manual's examples (README.md and every docs/ page) print what the pages say (run on the
# demo database); links resolve in them and in the guides, every docs page links every other,
# and the README's index lists every SQL name.
DOC_PAGES := README.md $(sort $(wildcard docs/*.md)) SECURITY.md ARCHITECTURE.md tests/README.md
test-readme: growth.$(SO_EXT) build/demo.db ## the manual's examples print what the pages say
	@python3 tests/readme_check.py build/demo.db ./growth $(DOC_PAGES)

# `make demo`: build, create the demo shop database, run the examples of sql/examples/ on it.
demo: deps growth.$(SO_EXT) ## build, create the demo shop build/demo.db, run sql/examples/ on it
	@rm -f build/demo.db && $(MAKE) --no-print-directory build/demo.db
	@for f in $(sort $(wildcard sql/examples/*.sql)); do \
	  echo; echo "---- $$f"; awk '/^--/ { sub(/^-- ?/, ""); print; next } { exit }' $$f; \
	  sqlite3 -header -column build/demo.db ".load ./growth" ".read $$f" || exit 1; \
	done

build/bench/bench: tests/bench/bench.c tests/bench/shapes.h | build/bench
	$(CC) $(BASEFLAGS) -O2 -o $@ $< -lsqlite3 -lm

# `make bench`: realistic generated shop data (tests/bench/shapes.h) at 1M, 4M and 10M rows
# (BENCH_SIZES="1M 4M" to choose); every line a ratio to SQLite's own floors.
bench: deps growth.$(SO_EXT) build/bench/bench ## speed and memory at 1M, 4M and 10M rows (long; BENCH_SIZES=1M for one size)
	./build/bench/bench --ext ./growth.$(SO_EXT) $(sort $(wildcard tests/bench/*.bench))

# Debian packages the build and tests need. Installed when missing and running as root;
# otherwise named, so the user knows exactly what to install. DIST_DEB: Python's build tools
# for the wheel of `make dist` and the venv module `make test-dist` installs it into.
DEB_PACKAGES := sqlite3 libsqlite3-dev libcmocka-dev libdqlite-dev
DIST_DEB     := python3-build python3-wheel python3-setuptools python3-venv
deps: ## install the Debian packages the build needs (as root), or name them
	@scripts/deps.sh $(DEB_PACKAGES) $(DIST_DEB)

clean: ## remove build/ and the built extension
	rm -rf build growth.so growth.dylib growth.dll

# ---------------------------------------------------------------------------------------------
# Clients, static library, install, other SQLite versions, HTML report (issue 7).
# `make test` runs test-clients and test-latest: each loads the extension through a real
# client (sqlite3 shell, Python's sqlite3, Node.js better-sqlite3, a C program linking
# libgrowth.a) on the demo database, checks `make install`, and reruns the SQL tests on the
# newest SQLite amalgamation available (the one better-sqlite3 ships).
# ---------------------------------------------------------------------------------------------

LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
GROWTH_VERSION := $(shell sed -n 's/^\#define GROWTH_VERSION "\(.*\)"/\1/p' ext/registry.h)
SYS_PYTHON   ?= /usr/bin/python3
NODE_DIR     := build/node
BETTER_SQLITE3 := $(NODE_DIR)/node_modules/better-sqlite3
NODE_ADDON   := $(BETTER_SQLITE3)/build/Release/better_sqlite3.node
AMALGAMATION := $(BETTER_SQLITE3)/deps/sqlite3/sqlite3.c
CLIENT_DB    := build/clients/demo.db
CHECKS_SQL   := tests/clients/checks.sql

.PHONY: static install uninstall test-clients test-shell test-python test-node test-static test-install test-latest

# `make static`: libgrowth.a (the SQLITE_CORE objects) and its header growth.h, in build/static.
static: build/static/libgrowth.a build/static/growth.h ## build/static/libgrowth.a and growth.h
build/static/libgrowth.a: $(CORE_OBJ) | build/static
	rm -f $@ && ar rcs $@ $^
build/static/growth.h: ext/growth.h | build/static
	cp ext/growth.h $@
build/static build/clients build/latest:
	mkdir -p $@

# `make install` / `make uninstall` (PREFIX, DESTDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR).
# growth.pc: `pkg-config --cflags --libs growth` links the static library (and SQLite);
# `pkg-config --variable=extension growth` is the path to give load_extension().
install: growth.$(SO_EXT) static ## install into PREFIX (/usr/local), DESTDIR for packaging
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 growth.$(SO_EXT) $(DESTDIR)$(LIBDIR)/growth.$(SO_EXT)
	install -m 644 build/static/libgrowth.a $(DESTDIR)$(LIBDIR)/libgrowth.a
	install -m 644 ext/growth.h $(DESTDIR)$(INCLUDEDIR)/growth.h
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' \
	  'extension=$${libdir}/growth' '' 'Name: growth' \
	  'Description: sqlite-growth: funnels, cohort retention, RFM and promotion pricing in SQLite' \
	  'Version: $(GROWTH_VERSION)' 'Requires: sqlite3' 'Libs: -L$${libdir} -lgrowth -lm' \
	  'Cflags: -I$${includedir}' > $(DESTDIR)$(PKGCONFIGDIR)/growth.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/growth.pc
uninstall: ## remove what install installed (same PREFIX, DESTDIR)
	rm -f $(DESTDIR)$(LIBDIR)/growth.$(SO_EXT) $(DESTDIR)$(LIBDIR)/libgrowth.a \
	  $(DESTDIR)$(INCLUDEDIR)/growth.h $(DESTDIR)$(PKGCONFIGDIR)/growth.pc

# The clients' own copy of the demo database (so `make demo` running alongside cannot race it).
$(CLIENT_DB): sql/demo.sql | build/clients
	rm -f $@ && sqlite3 $@ < sql/demo.sql

test-clients: test-shell test-python test-node test-static test-install ## the five client suites below

test-shell: deps growth.$(SO_EXT) $(CLIENT_DB) ## the sqlite3 shell loads it and runs the client checks
	@echo "== client: sqlite3 shell"
	@tests/clients/test_shell.sh $(CLIENT_DB)

test-python: deps growth.$(SO_EXT) $(CLIENT_DB) ## Python's sqlite3 (SYS_PYTHON) loads it
	@echo "== client: Python sqlite3 ($(SYS_PYTHON))"
	@$(SYS_PYTHON) -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension' 2>/dev/null \
	  || { echo "test-python: $(SYS_PYTHON)'s sqlite3 module cannot load extensions (set SYS_PYTHON=...)"; exit 1; }
	@$(SYS_PYTHON) tests/clients/test_python.py ./growth.$(SO_EXT) $(CLIENT_DB) $(CHECKS_SQL)

# better-sqlite3 into build/node: npm 11 does not run install scripts unless approved, so the
# addon is compiled with `npm rebuild` (a few minutes, once; the result stays in build/node).
$(AMALGAMATION): | build/clients
	mkdir -p $(NODE_DIR) && cp tests/clients/package.json $(NODE_DIR)/package.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund
	test -f $@ && touch $@
$(NODE_ADDON): $(AMALGAMATION)
	cd $(NODE_DIR) && nice -n 10 npm rebuild better-sqlite3
	test -f $@ && touch $@

test-node: growth.$(SO_EXT) $(CLIENT_DB) ## Node.js better-sqlite3 loads it (built into build/node with npm)
	@echo "== client: Node.js better-sqlite3"
	@MAKE='$(MAKE)' NODE_DIR=$(NODE_DIR) NODE_ADDON=$(NODE_ADDON) \
	  scripts/test-node.sh ./growth.$(SO_EXT) $(CLIENT_DB) $(CHECKS_SQL)

build/clients/static_client: tests/clients/static_client.c build/static/libgrowth.a build/static/growth.h | build/clients
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -I build/static -o $@ $< build/static/libgrowth.a -lsqlite3 -lm

test-static: deps build/clients/static_client $(CLIENT_DB) ## a C program linking libgrowth.a
	@echo "== client: C program linking libgrowth.a (sqlite3_auto_extension)"
	@./build/clients/static_client $(CLIENT_DB) $(CHECKS_SQL)

# Installs into a temporary DESTDIR, builds a program against the installed files with
# pkg-config, runs it, loads the installed growth.so in the shell, then uninstalls.
test-install: deps growth.$(SO_EXT) static $(CLIENT_DB) ## make install into a temporary DESTDIR, pkg-config, uninstall
	@echo "== make install / uninstall into a temporary DESTDIR"
	@MAKE='$(MAKE)' CC='$(CC)' SO_EXT=$(SO_EXT) GROWTH_VERSION=$(GROWTH_VERSION) \
	  scripts/test-install.sh $(CLIENT_DB) $(CHECKS_SQL)

# `make dist`: the packages of sqlite-growth in build/dist, built offline from the repository
# (scripts/dist.sh): a Python wheel sqlite_growth-VERSION-py3-none-PLATFORM.whl (Debian's
# python3-build, no isolation) and an npm tarball sqlite-growth-VERSION.tgz (npm pack), each
# holding growth.so and a loader, load(db); VERSION is GROWTH_VERSION, what growth_version()
# reports. `make test-dist` installs each into a fresh environment from the file alone
# (pip --no-index, npm --offline; better-sqlite3 from NODE_DIR, never downloaded) and runs the
# client checks through load(); what cannot run here is a SKIPPED line with the reason.
DIST_DIR := build/dist
.PHONY: dist test-dist
dist: deps growth.$(SO_EXT) ## the Python wheel and the npm tarball in build/dist, offline
	@SYS_PYTHON=$(SYS_PYTHON) scripts/dist.sh growth.$(SO_EXT) $(GROWTH_VERSION) $(DIST_DIR)
test-dist: dist $(CLIENT_DB) ## the wheel in a fresh venv, the tarball in a fresh Node project: checks through load()
	@echo "== dist: the wheel in a fresh venv, the npm tarball in a fresh Node project (offline)"
	@SYS_PYTHON=$(SYS_PYTHON) NODE_DIR=$(NODE_DIR) NODE_ADDON=$(NODE_ADDON) \
	  scripts/test-dist.sh $(DIST_DIR) $(CLIENT_DB) $(CHECKS_SQL) $(GROWTH_VERSION) $(SO_EXT)

# `make test-latest`: the SQL tests (and the static client) on the newest SQLite amalgamation
# here, the one better-sqlite3 ships; Debian's SQLite runs them in `make check`.
LATEST_DEFS := -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_MATH_FUNCTIONS
build/latest/sqlite3.o: $(AMALGAMATION) | build/latest
	nice -n 10 $(CC) -O2 $(LATEST_DEFS) -w -c $< -o $@
build/latest/sqltest: tests/sqltest.c build/latest/sqlite3.o
	$(CC) $(BASEFLAGS) $(CFLAGS) -I $(dir $(AMALGAMATION)) -o $@ $< build/latest/sqlite3.o -lcmocka -lm -lpthread -ldl
build/latest/static_client: tests/clients/static_client.c build/static/libgrowth.a build/latest/sqlite3.o
	$(CC) -std=gnu11 $(WARN) $(CFLAGS) -I build/static -I $(dir $(AMALGAMATION)) -o $@ $< \
	  build/static/libgrowth.a build/latest/sqlite3.o -lm -lpthread -ldl
build/latest/version.sql: $(AMALGAMATION) | build/latest
	printf 'SELECT sqlite_version();\n-- => %s\n' \
	  "$$(sed -n 's/^#define SQLITE_VERSION  *"\(.*\)"/\1/p' $(dir $(AMALGAMATION))sqlite3.h)" > $@

test-latest: growth.$(SO_EXT) $(CLIENT_DB) ## the SQL tests on the newest SQLite amalgamation at hand
	@if ! command -v npm >/dev/null 2>&1 && [ ! -f $(AMALGAMATION) ]; then \
	  echo "test-latest: SKIPPED: no newer SQLite amalgamation (it comes with npm's better-sqlite3; install npm)"; \
	else \
	  $(MAKE) --no-print-directory build/latest/sqltest build/latest/static_client build/latest/version.sql && \
	  echo "== SQL tests on SQLite $$(sed -n 2p build/latest/version.sql | cut -c7-) ($(words $(SQL_TESTS)) files)" && \
	  ./build/latest/sqltest --ext ./growth.$(SO_EXT) build/latest/version.sql $(SQL_TESTS) && \
	  { ./build/latest/static_client $(CLIENT_DB) $(CHECKS_SQL) > build/latest/static_client.out \
	    || { cat build/latest/static_client.out; exit 1; }; } && tail -1 build/latest/static_client.out; \
	fi

# `make report`: the HTML report of the demo database (sql/report.sql run by the sqlite3 shell).
# test-report renders it in headless Chromium (Debian's chromium and a CJK font are installed
# when missing and running as root) and checks the page's numbers against plain SQL.
REPORT_DEB := chromium fonts-wqy-microhei
.PHONY: report test-report
report: deps build/report.html ## build/report.html, the HTML report of the demo shop
	@echo "report: build/report.html"
build/report.html: sql/report.sql growth.$(SO_EXT) $(CLIENT_DB)
	sqlite3 $(CLIENT_DB) < sql/report.sql > $@.tmp && mv $@.tmp $@
test-report: deps growth.$(SO_EXT) ## the report in headless Chromium against plain SQL
	@echo "== report: build/report.html in headless Chromium"
	@MAKE='$(MAKE)' SYS_PYTHON=$(SYS_PYTHON) scripts/test-report.sh ./growth.$(SO_EXT) $(CLIENT_DB) $(REPORT_DEB)
# Replicated SQLite (issue 18): cluster/growth-node.c runs one dqlite node with the extension
# linked in (dqlite refuses load_extension); cluster/growth-cluster.c forms the cluster and sends
# SQL over dqlite's wire protocol. scripts/cluster.sh starts 3 nodes on free 127.0.0.1 ports and
# stops each by its PID. docs/clients.md#replicated-sqlite says what and why.
.PHONY: cluster-demo test-cluster
build/cluster/growth-node: cluster/growth-node.c build/static/libgrowth.a build/static/growth.h | build/cluster
	$(CC) $(BASEFLAGS) -O2 -Ibuild/static -o $@ $< build/static/libgrowth.a -ldqlite -lsqlite3 -lm -lpthread
build/cluster/growth-cluster: cluster/growth-cluster.c | build/cluster
	$(CC) $(BASEFLAGS) -O2 -o $@ $<
build/cluster:
	mkdir -p $@
cluster-demo: deps growth.$(SO_EXT) build/cluster/growth-node build/cluster/growth-cluster $(CLIENT_DB) ## 3 dqlite nodes on 127.0.0.1: the README's examples from the leader
	@scripts/cluster.sh demo $(CLIENT_DB)
test-cluster: deps growth.$(SO_EXT) build/cluster/growth-node build/cluster/growth-cluster $(CLIENT_DB) ## the client checks through a 3-node dqlite cluster, leader killed and back (~25 s)
	@scripts/cluster.sh test $(CLIENT_DB)

# Hardening (issue 8): fuzzing, out-of-memory, hostile schemas, type matrix, threads, limits.
# The harnesses learn every SQL name from pragma_function_list / pragma_module_list at run time
# (tests/harness.h), so a function added to growth.c is covered without editing them.
#
#   make fuzz              every libFuzzer target for FUZZ_SECONDS each (clang 14,
#                          -fsanitize=fuzzer,address,undefined); seeds in tests/fuzz/corpus/<t>,
#                          new inputs kept in build/fuzz/corpus/<t>, crashes in build/fuzz/
#   make fuzz-regress      every target over its seeds and tests/fuzz/regress/<t> (kept crash
#                          inputs) once: part of `make test`
#   make test-threads      tests/threads.c under ThreadSanitizer (gcc): part of `make test`
#   make test-big          one actor with 10M events through every function that holds rows:
#                          results checked by hand, peak memory per row against docs/performance.md
#                          bounds (tests/test_big.c); about 45 s of CPU, up to 700 MB: part of `make test`
# ---------------------------------------------------------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fno-omit-frame-pointer -iquote ext -DSQLITE_CORE \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(addprefix build/fuzz/,$(FUZZ_TARGETS))
FUZZ_OBJ     := $(patsubst ext/%.c,build/fuzz/ext/%.o,$(SRC))

.PHONY: fuzz fuzz-build fuzz-regress test-threads test-big

build/fuzz/ext:
	mkdir -p $@
build/fuzz/ext/%.o: ext/%.c $(HDR) | build/fuzz/ext
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/harness.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) -lsqlite3 -lm

fuzz-build: $(FUZZ_BIN) ## build the libFuzzer targets (clang)

fuzz: $(FUZZ_BIN) ## every fuzz target for FUZZ_SECONDS (60) each; FUZZ_TARGETS to choose
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=detect_leaks=1 ./build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -artifact_prefix=build/fuzz/$$t- \
	    build/fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log \
	    || { tail -n 60 build/fuzz/$$t.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' build/fuzz/$$t.log | tr '\n' ' '; echo; \
	done

fuzz-regress: $(FUZZ_BIN) ## every fuzz target over its seeds and kept crash inputs, once
	@set -e; for t in $(FUZZ_TARGETS); do \
	  files=$$(find tests/fuzz/corpus/$$t tests/fuzz/regress/$$t -type f 2>/dev/null || true); \
	  echo "== fuzz-regress $$t ($$(echo $$files | wc -w) inputs)"; \
	  [ -z "$$files" ] || ASAN_OPTIONS=detect_leaks=1 ./build/fuzz/$$t -runs=1 $$files >build/fuzz/$$t.regress.log 2>&1 \
	    || { tail -n 40 build/fuzz/$$t.regress.log; exit 1; }; \
	done

# The optimized build only (ASan would make 10M events take minutes and its own memory is not
# what the bounds are about); nice, so a busy machine stays usable.
test-big: build/core/test_big ## one actor with 10M events: results and memory bounds (~45 s)
	@echo "== big: one actor, 10M events (tests/test_big.c)"
	@nice ./build/core/test_big

# ThreadSanitizer build of the extension's sources and tests/threads.c (gcc; any race fails).
TSAN_OBJ := $(patsubst ext/%.c,build/tsan/%.o,$(SRC))
build/tsan:
	mkdir -p $@
build/tsan/%.o: ext/%.c $(HDR) | build/tsan
	$(CC) $(BASEFLAGS) -O1 -g -fsanitize=thread -DSQLITE_CORE -c $< -o $@
build/tsan/threads: tests/threads.c tests/harness.h tests/queries.h $(TSAN_OBJ)
	$(CC) $(BASEFLAGS) -O1 -g -fsanitize=thread -DSQLITE_CORE -o $@ $< $(TSAN_OBJ) -lsqlite3 -lpthread -lm
test-threads: build/tsan/threads ## two connections in two threads under ThreadSanitizer
	@echo "== threads under ThreadSanitizer"
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" ./build/tsan/threads

# No global mutable state: no object of the loadable build may have writable data (.data/.bss),
# except sqlite3_api, the API pointer SQLite's loader sets once (SQLITE_EXTENSION_INIT1).
# Constant tables of pointers live in .data.rel.ro and are fine.
test-no-globals: $(SO_OBJ) ## no writable globals in the loadable build
	@echo "== no writable globals in $(words $(SO_OBJ)) objects"
	@bad=$$(for o in $(SO_OBJ); do objdump -t $$o | awk -v o=$$o '($$4 == ".data" || $$4 == ".bss" || $$4 ~ /^\.(data|bss)\./) && $$4 !~ /^\.data\.rel\.ro/ && $$NF != "sqlite3_api" && $$3 == "O" { print o ": " $$NF }'; done); \
	if [ -n "$$bad" ]; then echo "writable global state (not thread-safe across connections):"; echo "$$bad"; exit 1; fi
.PHONY: test-no-globals

# the hardening harnesses share these headers
$(UNIT_BIN) $(ASAN_UNIT_BIN) build/core/test_big: tests/harness.h tests/queries.h tests/failing_alloc.h tests/read_file.h

# `make oracle`: funnels, retention and the sequence functions against real ClickHouse. CH_ORACLE
# is a command that takes one ClickHouse SQL string and prints the result as CSVWithNames; the default,
# tests/oracle/ch-oracle, installs the chdb npm package (embedded ClickHouse, about 550 MB) into
# ~/.cache/growth-oracle on first use. `make oracle CH_ORACLE=` (empty) skips. Not part of
# `make test` (the download). Every result must be identical; the scripts print the counts compared.
CH_ORACLE ?= tests/oracle/ch-oracle
.PHONY: oracle
oracle: growth.$(SO_EXT) ## window_funnel, retention and the sequence functions against real ClickHouse (CH_ORACLE)
	@if [ -z "$(CH_ORACLE)" ]; then echo "oracle: SKIPPED: CH_ORACLE is empty (set it to a ClickHouse command)"; exit 0; fi; \
	if [ "$(CH_ORACLE)" = tests/oracle/ch-oracle ] && ! command -v node >/dev/null; then \
	  echo "oracle: SKIPPED: tests/oracle/ch-oracle needs Node.js and npm (or set CH_ORACLE to another ClickHouse command)"; exit 0; fi; \
	set -e; for seed in 1 2 3; do CH_ORACLE=$(CH_ORACLE) $(SYS_PYTHON) tests/oracle/funnel_oracle.py --seed $$seed --groups 2000; done; \
	for seed in 1 2 3; do CH_ORACLE=$(CH_ORACLE) $(SYS_PYTHON) tests/oracle/sequence_oracle.py --seed $$seed --groups 2000; done; \
	CH_ORACLE=$(CH_ORACLE) bash tests/oracle/retention.sh

# `make format-check`: clang-format (.clang-format) on the lines changed since FORMAT_BASE, the
# point where this branch left main (origin/main, else main). Only changed lines are checked,
# so existing code keeps its history; nothing to compare (no main, or no change) passes.
# `git clang-format $(FORMAT_BASE)` applies the same formatting to those lines.
FORMAT_BASE ?= $(shell git merge-base HEAD origin/main 2>/dev/null || git merge-base HEAD main 2>/dev/null)
CLANG_FORMAT ?= clang-format
.PHONY: format-check compile_commands.json
format-check: ## clang-format on the C lines changed since main (FORMAT_BASE)
	@if ! command -v git-clang-format >/dev/null 2>&1; then \
	  echo "format-check: SKIPPED: git-clang-format is not installed (Debian: apt-get install clang-format)"; exit 0; fi; \
	if [ -z "$(FORMAT_BASE)" ]; then echo "format-check: nothing to compare (no main branch to start from)"; exit 0; fi; \
	echo "== format-check: C lines changed since $$(git rev-parse --short $(FORMAT_BASE))"; \
	out=$$(git clang-format --binary $(CLANG_FORMAT) --diff $(FORMAT_BASE) -- ext tests 2>&1); echo "$$out"; \
	case "$$out" in *"no modified files to format"*|*"clang-format did not modify any files"*) ;; \
	  *) echo "format-check: the changed lines above differ from .clang-format (fix: git clang-format $(FORMAT_BASE))"; exit 1;; esac

# `make compile_commands.json`: the compilation database for clangd and other tools, recorded
# by bear from a full rebuild of the extension and the unit tests.
compile_commands.json: ## the compilation database for editors (bear)
	@command -v bear >/dev/null 2>&1 || { echo "compile_commands.json: needs bear (Debian: apt-get install bear)"; exit 1; }
	bear --output $@ -- $(MAKE) --no-print-directory -B growth.$(SO_EXT) $(UNIT_BIN) build/core/sqltest
