#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Evaluates every new checkpoint of a running standing run (Qflex with averaged copies):
#   bench/eval_watch.sh RUN_DIR OUT_DIR [SINEW]
# For each checkpoint written after the start: averaged and live policies at push 0.1 m/s, the
# averaged one at 0.3 and 0.5 m/s (100 episodes each, one thread, nice 19), JSON/text into
# OUT_DIR; OUT_DIR/watch.log maps each checkpoint (mtime) to the run's logged iteration.
# bench/eval_watch_collect.py OUT_DIR turns them into one CSV per series for `sinew plot`.
set -u
RUN=${1:?RUN_DIR}; D=${2:?OUT_DIR}; SINEW=${3:-build-v3/sinew}
mkdir -p "$D"
last=$(stat -c %Y "$RUN/checkpoint.bin" 2>/dev/null || echo 0)
while true; do
  m=$(stat -c %Y "$RUN/checkpoint.bin" 2>/dev/null || echo 0)
  if [ "$m" != "$last" ]; then
    sleep 20  # let the rename settle
    last=$(stat -c %Y "$RUN/checkpoint.bin")
    it=$(tail -n1 "$RUN/log.csv" | cut -d, -f1)
    cp "$RUN/checkpoint.bin" "$D/ck.bin" || continue
    s=$(date +%s)
    for spec in "avg 0.1" "live 0.1" "avg 0.3" "avg 0.5"; do
      set -- $spec
      extra=""; [ "$1" = live ] && extra="--live"
      nice -n 19 "$SINEW" eval "$D/ck.bin" --episodes 100 --threads 1 --param root_speed=$2 \
        $extra --json "$D/m${last}_$1_$2.json" > "$D/m${last}_$1_$2.txt" 2>&1
    done
    echo "$(date -u +%H:%M:%S) mtime $last log_it $it evals $(( $(date +%s) - s )) s" >> "$D/watch.log"
    rm -f "$D/ck.bin"
  fi
  sleep 30
done
