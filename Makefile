# The front door. `make run` and `make test` are all a newcomer needs.
BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
CONFIG    ?= config/palaver.ini

CMAKE_FLAGS = -DCMAKE_CXX_COMPILER_LAUNCHER=ccache

.PHONY: all deps test-deps configure build run test clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

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

clean:
	rm -rf $(BUILD_DIR)
