#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown table of the issue-6 ablation from bench/results/ablation_summary.csv
(bench/qflex_ablation.sh).

One row per learner and action dimension: seeds, final hand-target distance (mean and per seed,
deterministic evaluation over 100 targets), share within 3 cm, wall time per run.
usage: bench/ablation_table.py [SUMMARY.csv]
"""
import csv
import statistics
import sys
from collections import defaultdict

path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/ablation_summary.csv"
try:
    rows = list(csv.DictReader(open(path)))
except OSError as e:
    sys.exit(f"ablation_table: cannot read {path}: {e}")
latest = {}  # a run listed twice (rerun) counts once, the later row
for r in rows:
    latest[(r["learner"], r["actions"], r["seed"])] = r
groups = defaultdict(list)
for r in latest.values():
    groups[(int(r["actions"]), r["learner"])].append(r)
print("| \\|A\\| | learner | seeds | samples | final distance, mean (per seed) | within 3 cm | wall per run |")
print("|---|---|---|---|---|---|---|")
for (a, learner), rs in sorted(groups.items()):
    rs.sort(key=lambda r: int(r["seed"]))
    d = [float(r["final_distance_m"]) for r in rs]
    succ = statistics.mean(float(r["success_rate"]) for r in rs)
    wall = statistics.mean(float(r["wall_s"]) for r in rs) / 60
    mean = f"{statistics.mean(d):.3f} m" + (f" ± {statistics.stdev(d):.3f}" if len(d) > 1 else "")
    per = ", ".join(f"{x:.3f}" for x in d)
    samples = ", ".join(sorted({r["samples"] for r in rs}))
    print(f"| {a} | {learner} | {len(rs)} | {samples} | {mean} ({per}) | {100 * succ:.0f} % | {wall:.0f} min |")
