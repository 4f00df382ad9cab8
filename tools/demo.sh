#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: installs dependencies, builds the `sinew` command line (release preset), trains
# the arm26 reaching task with PPO (rl/configs/arm26_reach.json: 6 muscles, 2 M samples, about
# 10 minutes on 2 cores) and prints the deterministic evaluation beside the zero-excitation
# baseline, then draws the learning curve.
#   SINEW_DEMO_CONFIG  training config (default rl/configs/arm26_reach.json)
#   extra arguments are passed to `sinew train` (e.g. --total-samples 500000, --resume)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/common.sh

CONFIG="${SINEW_DEMO_CONFIG:-rl/configs/arm26_reach.json}"
OUT="runs/demo_$(basename "$CONFIG" .json)"

bash tools/bootstrap.sh
sinew_configure_release
cmake --build --preset release --target sinew -j "$SINEW_JOBS"

echo "== sinew train --config $CONFIG --out $OUT $*"
./build/release/sinew train --config "$CONFIG" --out "$OUT" "$@"
echo "== sinew eval $OUT/checkpoint.bin --baseline"
./build/release/sinew eval "$OUT/checkpoint.bin" --baseline --csv "$OUT/eval_episodes.csv"
./build/release/sinew plot "$OUT/log.csv" -o "$OUT/curve.png" --y score_mean,return_mean \
  --title "$(basename "$CONFIG" .json)"
