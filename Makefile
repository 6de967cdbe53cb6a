# The front door. `make run` and `make test` are all a newcomer needs.
BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
CONFIG    ?= config/palaver.ini

CMAKE_FLAGS = -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
# Paths relative to the checkout, so that ccache serves every clone of the
# repository (CI builds a fresh one) from one cache.
export CCACHE_BASEDIR  := $(CURDIR)
export CCACHE_NOHASHDIR := true

.PHONY: all deps test-deps fuzz-deps configure build run test test-asan fuzz clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

fuzz-deps:
	@scripts/install-deps.sh --fuzz

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bin/palaverd --config=$(CONFIG)

test: test-deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-asan/ (the palaverd that integration tests start is instrumented too).
# Every report, from a test or from a palaverd it started, is written to
# build-asan/sanitizer-reports/ and fails the target, whatever the test made
# of the exit code. Browser, packaging and benchmark tests, and the ws memory
# budget test, are left out (docs/SECURITY.md).
ASAN_BUILD_DIR ?= build-asan
SANITIZE = -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_REPORTS = $(CURDIR)/$(ASAN_BUILD_DIR)/sanitizer-reports
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:log_path=$(ASAN_REPORTS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(ASAN_REPORTS)/ubsan \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/asan/lsan.supp:print_suppressions=0

$(ASAN_BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(ASAN_BUILD_DIR) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		"-DCMAKE_CXX_FLAGS=$(SANITIZE)" "-DCMAKE_EXE_LINKER_FLAGS=$(SANITIZE)" \
		"-DCMAKE_SHARED_LINKER_FLAGS=$(SANITIZE)" "-DCMAKE_MODULE_LINKER_FLAGS=$(SANITIZE)"

test-asan: test-deps $(ASAN_BUILD_DIR)/CMakeCache.txt
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	rm -rf $(ASAN_REPORTS) && mkdir -p $(ASAN_REPORTS)
	cd $(ASAN_BUILD_DIR) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -LE 'browser|packaging|bench' -E '^integration-ws-scale$$'
	@if [ -n "$$(ls -A $(ASAN_REPORTS))" ]; then cat $(ASAN_REPORTS)/*; \
		echo "test-asan: sanitizer reports in $(ASAN_REPORTS)"; exit 1; fi

# libFuzzer targets (fuzz/) with clang, in build-fuzz/, each run FUZZ_SECONDS.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60

fuzz: fuzz-deps
	cmake -S fuzz -B $(FUZZ_BUILD_DIR) $(CMAKE_FLAGS) -DCMAKE_CXX_COMPILER=clang++
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS)
	fuzz/run.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# The Debian packages palaver and palaver-dev, into dist/ (packaging/CMakeLists.txt).
.PHONY: package
package: build
	cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(FUZZ_BUILD_DIR)

# Load benchmarks (bench/README.md, docs/PERFORMANCE.md): builds, then runs the
# standard set of palaver-bench scenarios against palaverds of their own;
# results in bench/results/ (summary.txt, *.json). Under 10 minutes on 2 cores.
.PHONY: bench
bench: build
	bench/run.sh --build-dir $(BUILD_DIR)

# The cluster benchmark (bench/README.md "Several nodes"): a throw-away
# PostgreSQL and Redis, each scenario on 1 node (PostgreSQL) and on 2 nodes
# (PostgreSQL + Redis) alternately; results in bench/results/*.nodes<N>.json.
.PHONY: bench-cluster
bench-cluster: build
	bench/run.sh --build-dir $(BUILD_DIR) --nodes 1,2
