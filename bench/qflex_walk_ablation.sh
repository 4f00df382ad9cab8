#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 6 ablation, task (b): walking tracking on MS-Human-700-Locomotion (100 muscles), one
# seed per learner: PPO (rl/configs/track_walk_locomotion.json), PPO + flow
# (track_walk_locomotion_ppo_flow.json) and Qflex (track_walk_locomotion_qflex.json), SAMPLES
# each (default 3 M). Runs live in runs/ablation_walk/<learner>/ and resume from their
# checkpoints, so the script can be stopped and restarted; each ends with the deterministic
# evaluation from phase 0 (eval.json, tracking metrics in metrics.csv).
#   usage: bench/qflex_walk_ablation.sh [SAMPLES]; LEARNERS="ppo ppo_flow qflex",
#   SINEW=build/release/sinew, THREADS=2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SAMPLES="${1:-3000000}"
SINEW="${SINEW:-./build/release/sinew}"
THREADS="${THREADS:-2}"
OUT=runs/ablation_walk
mkdir -p "$OUT"
for learner in ${LEARNERS:-ppo ppo_flow qflex}; do
  case "$learner" in
    ppo) cfg=rl/configs/track_walk_locomotion.json ;;
    ppo_flow) cfg=rl/configs/track_walk_locomotion_ppo_flow.json ;;
    qflex) cfg=rl/configs/track_walk_locomotion_qflex.json ;;
    *) echo "unknown learner $learner" >&2; exit 2 ;;
  esac
  resume=()
  [ -f "$OUT/$learner/checkpoint.bin" ] && resume=(--resume)
  [ -f "$OUT/$learner/eval.json" ] && { echo "== $learner done"; continue; }
  echo "== $learner: $SAMPLES samples"
  "$SINEW" train --config "$cfg" --out "$OUT/$learner" --threads "$THREADS" \
    --total-samples "$SAMPLES" --no-eval "${resume[@]}" > "$OUT/$learner.out" 2>&1
  "$SINEW" eval "$OUT/$learner/checkpoint.bin" --json "$OUT/$learner/eval.json" \
    --metrics-csv "$OUT/$learner/metrics.csv" | tee -a "$OUT/$learner.out"
done
