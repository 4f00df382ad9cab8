# SPDX-License-Identifier: Apache-2.0
# Thin wrapper over the CMake presets and the scripts in tools/.
#   make demo    install dependencies, build, train + evaluate + view walking tracking (10 min)
#   make test    the whole suite: release build + all tests, then ASan/UBSan build + fast|physics
#   make build   release build only (build/release)
#   make asan    ASan/UBSan build of the tests, and the fast|physics ones run (build/asan)
#   make bench   release build, then every benchmark program in build/release
#   make format  clang-format every C++/CUDA source in place
#   make format-check  list sources that clang-format would change (exit 1 if any)
#   make clean   remove build/
SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BENCH := $(basename $(notdir $(wildcard bench/*.cpp)))
FORMAT_DIRS := engine muscle rl tools tests bench

.PHONY: demo test build asan bench format format-check clean

demo:
	bash tools/demo.sh

test:
	bash tools/test.sh

build:
	bash tools/bootstrap.sh
	source tools/common.sh && sinew_configure_release
	cmake --build --preset release -j $(JOBS)

asan:
	bash tools/bootstrap.sh
	cmake --preset asan
	cmake --build --preset asan --target sinew_tests -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build/asan --output-on-failure --no-tests=error -j $(JOBS) -L 'fast|physics'

bench: build
	@set -e; for b in $(BENCH); do echo "== $$b"; ./build/release/$$b; done

SOURCES = find $(FORMAT_DIRS) -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' \
	  -o -name '*.cu' -o -name '*.cuh' \) -print0 2>/dev/null

format:
	$(SOURCES) | xargs -0 -r clang-format -i

format-check:
	$(SOURCES) | xargs -0 -r clang-format --dry-run --Werror

clean:
	rm -rf build
