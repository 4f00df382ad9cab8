#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 6 ablation, task (a): arm26 reaching with every muscle split into k parallel fibres
# (env parameter "fibres", rl/env/model_variants.h): |A| = 6k = 6, 48, 198, 702, the same body and
# task. Learners: plain PPO (rl/configs/arm26_reach.json), PPO + flow
# (rl/configs/arm26_reach_ppo_flow.json) and Qflex (rl/configs/arm26_reach_qflex.json), each
# with its config's settings and `fibres`, `total_samples` and `seed` set here. Every run lives
# in runs/ablation/<learner>_A<|A|>_s<seed>/ and is resumed when its checkpoint exists, so the
# script can be stopped and started again (one run at a time; each ends with its evaluation
# over 100 targets, eval.json). One summary row per finished run is appended to
# bench/results/ablation_summary.csv (tracked, so results outlive runs/; SUMMARY= overrides), and
# runs listed there are skipped.
#   usage: bench/qflex_ablation.sh [SAMPLES] [K...]     (default 1000000; k = 1 8 33 117)
#   LEARNERS="ppo ppo_flow qflex" (also ppo_clipped, ppo_lr702, qflex_reduced), SEEDS_FULL="1 2 3" (k = 1 and 117), SEEDS_MID="1" (8, 33),
#   SINEW=build/release/sinew, THREADS=2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SAMPLES="${1:-1000000}"
shift || true
KS=("$@")
[ ${#KS[@]} -gt 0 ] || KS=(1 8 33 117)
SINEW="${SINEW:-./build/release/sinew}"
THREADS="${THREADS:-2}"
LEARNERS="${LEARNERS:-ppo ppo_flow qflex}"
OUT=runs/ablation
mkdir -p "$OUT/configs"
summary="${SUMMARY:-bench/results/ablation_summary.csv}"
[ -f "$summary" ] || echo "learner,actions,seed,samples,final_distance_m,success_rate,wall_s" > "$summary"

config_of() {  # learner -> base config
  case "$1" in
    ppo) echo rl/configs/arm26_reach.json ;;
    ppo_clipped) echo rl/configs/arm26_reach_clipped.json ;;  # PPO, clipped-action likelihood
    ppo_lr702) echo rl/configs/arm26_reach_lr_702.json ;;  # PPO, lr 3e-4 sqrt(6 / 702)
    ppo_flow) echo rl/configs/arm26_reach_ppo_flow.json ;;
    qflex) echo rl/configs/arm26_reach_qflex.json ;;
    qflex_reduced) echo rl/configs/arm26_reach_qflex_reduced.json ;;  # 1 update per env step, N = 5
    *) echo "unknown learner $1" >&2; exit 2 ;;
  esac
}

for k in "${KS[@]}"; do
  A=$((6 * k))
  if [ "$k" = 1 ] || [ "$k" = 117 ]; then seeds="${SEEDS_FULL:-1 2 3}"; else seeds="${SEEDS_MID:-1}"; fi
  for learner in $LEARNERS; do
    for seed in $seeds; do
      name="${learner}_A${A}_s${seed}"
      cfg="$OUT/configs/$name.json"
      base="$(config_of "$learner")"
      # the base config with fibres, total_samples and seed replaced (plain text edits of keys
      # every base config has; the env section is added)
      sed -e "s/\"total_samples\": [0-9]*/\"total_samples\": $SAMPLES/" \
          -e "s/\"seed\": [0-9]*/\"seed\": $seed/" \
          -e "s/\"task\": \"arm26_reach\",/\"task\": \"arm26_reach\", \"env\": {\"fibres\": $k},/" \
          "$base" > "$cfg"
      resume=()
      [ -f "$OUT/$name/checkpoint.bin" ] && resume=(--resume)
      if grep -q "^$learner,$A,$seed," "$summary"; then
        echo "== $name done"; continue
      fi
      echo "== $name: |A| = $A, $SAMPLES samples"
      start=$(date +%s)
      "$SINEW" train --config "$cfg" --out "$OUT/$name" --threads "$THREADS" "${resume[@]}" \
        > "$OUT/$name.out" 2>&1 || { echo "$name failed (see $OUT/$name.out)"; continue; }
      wall=$(( $(date +%s) - start ))
      score=$(grep -o '"score_mean": *[-0-9.e]*' "$OUT/$name/eval.json" | head -1 | sed 's/.*: *//')
      succ=$(grep -o '"success_rate": *[-0-9.e]*' "$OUT/$name/eval.json" | head -1 | sed 's/.*: *//')
      echo "$learner,$A,$seed,$SAMPLES,$score,$succ,$wall" >> "$summary"
      mkdir -p bench/results/ablation_logs  # the curve outlives runs/ (tracked)
      cp "$OUT/$name/log.csv" "bench/results/ablation_logs/$name.csv"
      tail -2 "$OUT/$name.out"
    done
  done
done
echo "summary: $summary"
