#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make test` and CI (.ci/run): the whole suite.
#   1. install dependencies (tools/bootstrap.sh);
#   2. release preset: build everything (the CUDA backend too whenever nvcc is present) and run
#      every ctest label (GPU tests skip themselves when no device is present);
#   3. asan preset (ASan + UBSan, CPU only): build and run the `fast` and `physics` labels.
# Exits non-zero on any failure. Environment: SINEW_JOBS, SINEW_CUDA (see tools/common.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/common.sh

start=$(date +%s)
elapsed() { local s=$(($(date +%s) - start)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
on_exit() {
  local rc=$?
  if ((rc != 0)); then echo "== FAILED (exit $rc) after $(elapsed)" >&2; fi
}
trap on_exit EXIT

LOG_DIR="build/logs"
mkdir -p "$LOG_DIR"

echo "== bootstrap"
bash tools/bootstrap.sh

echo "== release: configure and build (jobs: $SINEW_JOBS)"
sinew_configure_release
cmake --build --preset release -j "$SINEW_JOBS"
if [[ "$SINEW_CUDA_EFFECTIVE" == ON ]]; then
  if [[ ! -f build/release/libsinew_cuda.a ]]; then
    echo "SINEW_CUDA=ON but build/release/libsinew_cuda.a was not built" >&2
    exit 1
  fi
  nvcc_version="$("$CUDACXX" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
  cuda_line="CUDA backend compiled with nvcc $nvcc_version for sm_90 (build/release/libsinew_cuda.a)"
else
  cuda_line="CUDA backend not built (no nvcc found; set SINEW_CUDA=ON to require it)"
fi
echo "== $cuda_line"

echo "== release: ctest (all labels)"
ctest --test-dir build/release --output-on-failure --no-tests=error -j "$SINEW_JOBS" 2>&1 |
  tee "$LOG_DIR/ctest-release.log"

echo "== asan: configure and build the tests"
cmake --preset asan
cmake --build --preset asan --target sinew_tests -j "$SINEW_JOBS"

echo "== asan: ctest -L 'fast|physics'"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure --no-tests=error -j "$SINEW_JOBS" \
    -L 'fast|physics' 2>&1 |
  tee "$LOG_DIR/ctest-asan.log"

echo
echo "== summary"
echo "   $cuda_line"
echo "   release (all labels):    $(grep -E 'tests passed' "$LOG_DIR/ctest-release.log" | tail -n1)"
echo "   asan (fast|physics):     $(grep -E 'tests passed' "$LOG_DIR/ctest-asan.log" | tail -n1)"
echo "   total elapsed: $(elapsed)"
