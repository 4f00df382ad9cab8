#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: installs dependencies, builds the `sinew` command line (release preset), then runs
# the bundled default pipeline: MS-Human-700-Locomotion (100 muscles) learns to track the
# MS-Human-700 walking gait (models/motions/msgym/walking_gait.npz, projected onto the couplings)
# with PPO for a bounded time (SINEW_DEMO_MINUTES, default 10 minutes, then stops with a
# checkpoint), evaluates the deterministic policy from phase 0 (joint-angle, body and root
# errors; docs/metrics.md), records that rollout, writes the viewer (.glb + self-contained .html)
# and the learning curve.
#   SINEW_DEMO_CONFIG   training config (default: adversarial reward, clipped-action likelihood:
#                       rl/configs/track_walk_locomotion_adversarial_clipped.json; e.g.
#                       rl/configs/arm26_reach.json for the 6-muscle reaching task)
#   SINEW_DEMO_MINUTES  training time budget in minutes (default 10)
#   extra arguments are passed to `sinew train` (e.g. --resume to continue the run)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source tools/common.sh

CONFIG="${SINEW_DEMO_CONFIG:-rl/configs/track_walk_locomotion_adversarial_clipped.json}"
MINUTES="${SINEW_DEMO_MINUTES:-10}"
OUT="runs/demo_$(basename "$CONFIG" .json)"
SINEW=./build/release/sinew

bash tools/bootstrap.sh
sinew_configure_release
cmake --build --preset release --target sinew -j "$SINEW_JOBS"

echo "== sinew train --config $CONFIG --out $OUT --max-minutes $MINUTES --no-eval $*"
"$SINEW" train --config "$CONFIG" --out "$OUT" --max-minutes "$MINUTES" --no-eval "$@"
METRICS=()  # per-clip tracking metrics exist for the tracking task only
if grep -q '"task": *"track"' "$CONFIG"; then METRICS=(--metrics-csv "$OUT/eval_metrics.csv"); fi
echo "== sinew eval $OUT/checkpoint.bin --baseline --trajectory $OUT/eval_trajectory.json"
"$SINEW" eval "$OUT/checkpoint.bin" --baseline --csv "$OUT/eval_episodes.csv" \
  --json "$OUT/eval.json" "${METRICS[@]}" --trajectory "$OUT/eval_trajectory.json"
echo "== sinew export $OUT/eval_trajectory.json -o $OUT/viewer.glb --html $OUT/viewer.html"
"$SINEW" export "$OUT/eval_trajectory.json" -o "$OUT/viewer.glb" --html "$OUT/viewer.html" \
  --simplify 0.004
"$SINEW" plot "$OUT/log.csv" -o "$OUT/curve.png" -y score_mean,return_mean \
  --title "$(basename "$CONFIG" .json)"
echo "== done: open $OUT/viewer.html in a browser (no server needed); curve $OUT/curve.png"
