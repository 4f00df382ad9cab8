#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: installs dependencies, builds the `sinew` command line (release preset) and
# simulates a batch of worlds of the bundled default model.
#   SINEW_DEMO_MODEL  model to simulate (default models/humanoid30.json)
#   extra arguments are passed to `sinew sim` (e.g. --threads 2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/common.sh

MODEL="${SINEW_DEMO_MODEL:-models/humanoid30.json}"

bash tools/bootstrap.sh
sinew_configure_release
cmake --build --preset release --target sinew -j "$SINEW_JOBS"

echo "== sinew sim $MODEL --worlds 64 --steps 2000 --keyframe 0 --noise 0.05 $*"
./build/release/sinew sim "$MODEL" --worlds 64 --steps 2000 --keyframe 0 --noise 0.05 "$@"
