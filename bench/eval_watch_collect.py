#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/eval_watch_collect.py OUT_DIR [CSV_DIR]: the evaluations of bench/eval_watch.sh as one CSV
per series (iteration, samples, score_mean, success_rate); checkpoints every 25 iterations of
4,096 samples (the standing Qflex config)."""
import json, glob, os, re, sys
D = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else D
its = {}
for line in open(os.path.join(D, 'watch.log')):
    m = re.search(r'mtime (\d+) log_it (\d+)', line)
    if m:
        its[m.group(1)] = (int(m.group(2)) // 25) * 25
series = {}
for f in glob.glob(os.path.join(D, 'm*_*.json')):
    m = re.match(r'm(\d+)_(avg|live)_([\d.]+)\.json', os.path.basename(f))
    if not m or m.group(1) not in its:
        continue
    j = json.load(open(f))['policy']
    eps = j['episodes']
    n = len(eps)
    score = sum(e['score'] for e in eps) / n
    succ = sum(1 for e in eps if e['success']) / n
    series.setdefault((m.group(2), m.group(3)), []).append((its[m.group(1)] * 4096, its[m.group(1)], score, succ))
os.makedirs(out, exist_ok=True)
for (kind, speed), rows in sorted(series.items()):
    rows.sort()
    p = os.path.join(out, f'eval_{kind}_push{speed}.csv')
    with open(p, 'w') as fh:
        fh.write('iteration,samples,score_mean,success_rate\n')
        for s, it, sc, su in rows:
            fh.write(f'{it},{s},{sc:.4f},{su:.3f}\n')
    print(p, ' '.join(f'{it}:{sc:.2f}/{su*100:.0f}%' for s, it, sc, su in rows))
