#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The DeepMimic tracking pipeline on MS-Human-700 (full model, 700 muscles), end to end:
# retarget the clip (models/motions/deepmimic/retargeted/CLIP_full.json), train the tracking
# policy of rl/configs/track_CLIP_full.json for a time budget (resumable: run again with
# --resume), evaluate it from phase 0 (tracking metrics CSV), record the rollout and write the
# viewer (.glb + self-contained .html) and the learning curve.
#   usage: tools/track_deepmimic.sh CLIP [MINUTES] [sinew train options...]
#          CLIP = backflip | cartwheel | dance_a; MINUTES default 10
#   SINEW (default build/release/sinew) selects the binary; OUT (default runs/track_CLIP_full)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CLIP="${1:?usage: tools/track_deepmimic.sh CLIP [MINUTES] [train options]}"
MINUTES="${2:-10}"
shift $(($# >= 2 ? 2 : 1))
SINEW="${SINEW:-./build/release/sinew}"
CONFIG="rl/configs/track_${CLIP}_full.json"
OUT="${OUT:-runs/track_${CLIP}_full}"
[ -f "$CONFIG" ] || { echo "no config $CONFIG (clips: backflip, cartwheel, dance_a)" >&2; exit 2; }
FREE=()
grep -q '"free_root": *true' "$CONFIG" && FREE=(--free-root)

echo "== sinew retarget $CLIP onto MS-Human-700 ${FREE[*]}"
"$SINEW" retarget "models/motions/deepmimic/motions/humanoid3d_${CLIP}.txt" \
  -m models/ms_human_700.json "${FREE[@]}" -o "models/motions/deepmimic/retargeted/${CLIP}_full.json"
echo "== sinew train --config $CONFIG --out $OUT --max-minutes $MINUTES $*"
"$SINEW" train --config "$CONFIG" --out "$OUT" --max-minutes "$MINUTES" --no-eval "$@"
echo "== sinew eval $OUT/checkpoint.bin --baseline"
"$SINEW" eval "$OUT/checkpoint.bin" --baseline --json "$OUT/eval.json" \
  --metrics-csv "$OUT/eval_metrics.csv" --trajectory "$OUT/eval_trajectory.json"
echo "== sinew export"
"$SINEW" export "$OUT/eval_trajectory.json" -o "$OUT/viewer.glb" --html "$OUT/viewer.html" \
  --simplify 0.004
"$SINEW" plot "$OUT/log.csv" -o "$OUT/curve.png" -y score_mean,return_mean \
  --title "track_${CLIP}_full"
