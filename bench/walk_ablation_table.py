#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown table of the issue-6 ablation, task (b): walking tracking on MS-Human-700-Locomotion
(bench/qflex_walk_ablation.sh, runs in runs/ablation_walk/<learner>/).

Per learner: samples trained, wall time, the training fraction tracked (last 100 episodes), and
the deterministic evaluation from phase 0 (sinew eval: fraction of the episode tracked, joint
angle and body position errors). A finished run has eval.json and metrics.csv; a run in progress
may have interim evaluations eval_at_<samples>.json / metrics_at_<samples>.csv (the newest is
used), e.g. sinew eval runs/ablation_walk/qflex/checkpoint.bin --json .../eval_at_1000000.json
--metrics-csv .../metrics_at_1000000.csv. Also the time per iteration split into simulation,
acting and update (the t_* columns of log.csv, mean over the last 20 iterations). Wall time sums
the segments of a resumed run (wall_s restarts at each --resume).
usage: bench/walk_ablation_table.py [RUNS_DIR]
"""
import csv
import glob
import json
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "runs/ablation_walk"
names = {"ppo": "PPO", "ppo_flow": "PPO + flow", "qflex": "Qflex"}


def last_rows(path, n):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return rows[-n:]


def total_wall(path):
    """Seconds over all segments: wall_s restarts at each --resume."""
    total, prev = 0.0, 0.0
    with open(path) as f:
        for r in csv.DictReader(f):
            w = float(r["wall_s"])
            if w < prev:
                total += prev
            prev = w
    return total + prev


def evaluation(d):
    if os.path.exists(f"{d}/eval.json") and os.path.exists(f"{d}/metrics.csv"):
        return "final", f"{d}/eval.json", f"{d}/metrics.csv"
    interim = []
    for p in glob.glob(f"{d}/eval_at_*.json"):
        m = re.search(r"eval_at_(\d+)\.json$", p)
        if m and os.path.exists(f"{d}/metrics_at_{m.group(1)}.csv"):
            interim.append((int(m.group(1)), p, f"{d}/metrics_at_{m.group(1)}.csv"))
    if not interim:
        return None
    s, p, c = max(interim)
    return f"{s / 1e6:.2f} M", p, c


print("| learner | samples | wall | training: tracked | evaluated at | phase 0: tracked | joint angle"
      " | body position (global / root-rel.) | per iteration: sim / act / update |")
print("|---|---|---|---|---|---|---|---|---|")
for key, label in names.items():
    d = f"{root}/{key}"
    if not os.path.exists(f"{d}/log.csv"):
        continue
    rows = last_rows(f"{d}/log.csv", 20)
    last = rows[-1]
    t_act = "t_act" if "t_act" in last else "t_infer"
    t = [sum(float(r[c]) for r in rows) / len(rows) for c in ("t_sim", t_act, "t_update")]
    ev = evaluation(d)
    cells = ["—"] * 4
    if ev:
        at, pj, pm = ev
        with open(pj) as f:
            pol = json.load(f)["policy"]
        with open(pm) as f:
            m = next(r for r in csv.DictReader(f) if r["who"] == "policy")
        cells = [at, f"{100 * pol['score_mean']:.1f} %", f"{float(m['joint_deg']):.2f}°",
                 f"{float(m['body_mm']):.1f} / {float(m['body_rel_mm']):.1f} mm"]
    print(f"| {label} | {int(last['samples']) / 1e6:.2f} M | {total_wall(d + '/log.csv') / 3600:.1f} h"
          f" | {100 * float(last['score_mean']):.1f} % | " + " | ".join(cells) +
          f" | {t[0]:.1f} / {t[1]:.1f} / {t[2]:.1f} s |")
