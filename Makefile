# sqlite-growth: see README.md. `make demo` and `make test` are the two commands to know.

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
UNIT_SRC := $(wildcard tests/test_*.c)
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
.PHONY: all test check check-asan demo bench clean deps static test-readme
.DEFAULT_GOAL := all

all: growth.$(SO_EXT)

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

# `make test`: unit and SQL tests, the extra suites blocks below add to TEST_EXTRA (real
# clients, other SQLite versions, ...), then unit and SQL tests under AddressSanitizer and UBSan.
TEST_EXTRA :=
test: deps
	@$(MAKE) --no-print-directory check
	@for t in $(TEST_EXTRA); do $(MAKE) --no-print-directory $$t || exit 1; done
	@$(MAKE) --no-print-directory check-asan

check: growth.$(SO_EXT) $(UNIT_BIN) build/core/sqltest
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done
	@echo "== SQL tests ($(words $(SQL_TESTS)) files)"
	@./build/core/sqltest --ext ./growth.$(SO_EXT) $(SQL_TESTS)

check-asan: build/asan-so/growth.$(SO_EXT) $(ASAN_UNIT_BIN) build/asan-core/sqltest
	@set -e; for t in $(ASAN_UNIT_BIN); do echo "== $$t (ASan+UBSan)"; ASAN_OPTIONS=detect_leaks=1 ./$$t; done
	@echo "== SQL tests under ASan+UBSan ($(words $(SQL_TESTS)) files)"
	@ASAN_OPTIONS=detect_leaks=1 ./build/asan-core/sqltest --ext ./build/asan-so/growth.$(SO_EXT) $(SQL_TESTS)

build/demo.db: sql/demo.sql
	@mkdir -p build && rm -f $@ && sqlite3 $@ < sql/demo.sql

# The README's examples print what the README says (run on the demo database).
TEST_EXTRA += test-readme
test-readme: growth.$(SO_EXT) build/demo.db
	@python3 tests/readme_check.py README.md build/demo.db ./growth

# `make demo`: build, create the demo shop database, run the README's examples on it.
demo: deps growth.$(SO_EXT)
	@rm -f build/demo.db && $(MAKE) --no-print-directory build/demo.db
	@for f in $(sort $(wildcard sql/examples/*.sql)); do \
	  echo; echo "---- $$f"; awk '/^--/ { sub(/^-- ?/, ""); print; next } { exit }' $$f; \
	  sqlite3 -header -column build/demo.db ".load ./growth" ".read $$f" || exit 1; \
	done

build/bench/bench: tests/bench/bench.c | build/bench
	$(CC) $(BASEFLAGS) -O2 -o $@ $< -lsqlite3 -lm

# `make bench`: 1M and 4M generated events; every line is a ratio to the plain scans.
bench: deps growth.$(SO_EXT) build/bench/bench
	./build/bench/bench --ext ./growth.$(SO_EXT) $(sort $(wildcard tests/bench/*.bench))

# Debian packages the build and tests need. Installed when missing and running as root;
# otherwise named, so the user knows exactly what to install.
DEB_PACKAGES := sqlite3 libsqlite3-dev libcmocka-dev
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v dpkg >/dev/null 2>&1; then \
	    echo "deps: not a Debian system; make sure SQLite 3.40+ (headers and shell) and cmocka are installed"; \
	  elif [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || exit 1; \
	  else \
	    echo "deps: missing Debian packages:$$missing"; \
	    echo "deps: run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf build growth.so growth.dylib growth.dll

# ---------------------------------------------------------------------------------------------
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
#   make test-big          one actor with 10M events (slow, about a minute; not in `make test`)
# ---------------------------------------------------------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -std=gnu11 -g -O1 -fno-omit-frame-pointer -iquote ext -DSQLITE_CORE \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS := $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(addprefix build/fuzz/,$(FUZZ_TARGETS))
FUZZ_OBJ     := $(patsubst ext/%.c,build/fuzz/ext/%.o,$(SRC))

.PHONY: fuzz fuzz-build fuzz-regress test-threads test-big
TEST_EXTRA += fuzz-regress test-threads test-no-globals

build/fuzz/ext:
	mkdir -p $@
build/fuzz/ext/%.o: ext/%.c $(HDR) | build/fuzz/ext
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/harness.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) -lsqlite3 -lm

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  ASAN_OPTIONS=detect_leaks=1 ./build/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 -artifact_prefix=build/fuzz/$$t- \
	    build/fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log \
	    || { tail -n 60 build/fuzz/$$t.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' build/fuzz/$$t.log | tr '\n' ' '; echo; \
	done

fuzz-regress: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  files=$$(find tests/fuzz/corpus/$$t tests/fuzz/regress/$$t -type f 2>/dev/null || true); \
	  echo "== fuzz-regress $$t ($$(echo $$files | wc -w) inputs)"; \
	  [ -z "$$files" ] || ASAN_OPTIONS=detect_leaks=1 ./build/fuzz/$$t -runs=1 $$files >build/fuzz/$$t.regress.log 2>&1 \
	    || { tail -n 40 build/fuzz/$$t.regress.log; exit 1; }; \
	done

# ThreadSanitizer build of the extension's sources and tests/threads.c (gcc; any race fails).
TSAN_OBJ := $(patsubst ext/%.c,build/tsan/%.o,$(SRC))
build/tsan:
	mkdir -p $@
build/tsan/%.o: ext/%.c $(HDR) | build/tsan
	$(CC) $(BASEFLAGS) -O1 -g -fsanitize=thread -DSQLITE_CORE -c $< -o $@
build/tsan/threads: tests/threads.c tests/harness.h tests/queries.h $(TSAN_OBJ)
	$(CC) $(BASEFLAGS) -O1 -g -fsanitize=thread -DSQLITE_CORE -o $@ $< $(TSAN_OBJ) -lsqlite3 -lpthread -lm
test-threads: build/tsan/threads
	@echo "== threads under ThreadSanitizer"
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" ./build/tsan/threads

# No global mutable state: no object of the loadable build may have writable data (.data/.bss),
# except sqlite3_api, the API pointer SQLite's loader sets once (SQLITE_EXTENSION_INIT1).
# Constant tables of pointers live in .data.rel.ro and are fine.
test-no-globals: $(SO_OBJ)
	@echo "== no writable globals in $(words $(SO_OBJ)) objects"
	@bad=$$(for o in $(SO_OBJ); do objdump -t $$o | awk -v o=$$o '($$4 == ".data" || $$4 == ".bss" || $$4 ~ /^\.(data|bss)\./) && $$4 !~ /^\.data\.rel\.ro/ && $$NF != "sqlite3_api" && $$3 == "O" { print o ": " $$NF }'; done); \
	if [ -n "$$bad" ]; then echo "writable global state (not thread-safe across connections):"; echo "$$bad"; exit 1; fi
.PHONY: test-no-globals
