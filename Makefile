# rebound: the commands people type. CMake + CTest do the work underneath.
#   make deps   install every Debian package needed (idempotent, quiet when all present)
#   make build  release build -> build/rebound
#   make test   deps, ASan+UBSan build, every test (unit, integration, fuzz corpora)
#   make run    deps, build, start rebound on loopback with a sample config
#   make bench  side-by-side benchmarks against the named peers, printing ratios
#   make fuzz   run each libFuzzer target for a bounded time (FUZZ_SECONDS, default 60)
#   make lint   clang-format check, clang-tidy, cppcheck

MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
SOURCES = $(shell find src tests/unit fuzz bench -name '*.[ch]' 2>/dev/null)

.PHONY: all deps build build-test test run bench fuzz lint format clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build -j $(JOBS)

build-test: deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DREBOUND_SANITIZE=ON >/dev/null
	@cmake --build build-test -j $(JOBS)

test: build-test
	@cd build-test && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

run: build
	@scripts/run.sh

bench: build
	@scripts/bench.sh

fuzz: deps
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DREBOUND_FUZZ=ON \
	  -DREBOUND_SANITIZE=ON -DBUILD_TESTING=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

lint: deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DREBOUND_SANITIZE=ON >/dev/null
	@clang-format --dry-run --Werror $(SOURCES)
	@clang-tidy --quiet -p build-test $(filter %.c,$(SOURCES)) 2>/dev/null | \
	  { ! grep -E 'warning:|error:'; }
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -I src/lib -I src/mail -I src/net \
	  src tests/unit fuzz
	@echo "lint: clean"

format:
	@clang-format -i $(SOURCES)

clean:
	@rm -rf build build-test build-fuzz
