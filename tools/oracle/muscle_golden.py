#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/muscle_golden.json: MuJoCo's own muscle functions (mju_muscleGain,
mju_muscleBias, mju_muscleDynamics) evaluated on a grid of lengths, velocities, controls and
activations, for several parameter sets. tests/muscle/mujoco_model_test.cpp compares Sinew's
MuJoCo-compatible muscle (muscle/muscle_mujoco.h) with these values to 1e-12.

Usage: .venv-oracle/bin/python tools/oracle/muscle_golden.py [-o tests/data/muscle_golden.json]
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in the output.
"""
import argparse
import json

import mujoco
import numpy as np

# (gainprm = biasprm [range0, range1, force, scale, lmin, lmax, vmax, fpmax, fvmax],
#  lengthrange, acc0)
PARAM_SETS = [
    # the reference set of ../shared/data/README.md
    ([0.75, 1.05, 1000, 200, 0.5, 1.6, 1.5, 1.3, 1.2], [0.1, 0.2], 1.0),
    # MuJoCo's defaults: force < 0, so F0 = scale / acc0
    ([0.75, 1.05, -1, 200, 0.5, 1.6, 1.5, 1.3, 1.2], [0.25, 0.31], 37.5),
    # unusual shape parameters and a lengthrange crossing zero
    ([0.5, 1.2, 350, 200, 0.3, 1.9, 2.5, 0.7, 1.6], [-0.05, 0.4], 1.0),
    # narrow active range, fvmax = 1 (degenerate lengthening branch), tiny acc0
    ([0.9, 1.1, -1, 35, 0.9, 1.1, 0.8, 2.0, 1.0], [0.3, 0.32], 1e-3),
]

DYN_SETS = [
    [0.01, 0.04, 0.0],    # MuJoCo's defaults, hard switch
    [0.01, 0.04, 1e-16],  # below mjMINVAL: still the hard switch
    [0.01, 0.04, 0.1],    # smooth switch
    [0.02, 0.08, 0.5],    # wide smooth switch
]

NORM_LENGTHS = np.round(np.arange(0.2, 2.2001, 0.05), 10)
NORM_VELOCITIES = [-1.5, -1.0, -0.8, -0.5, -0.2, -0.05, 0.0, 0.05, 0.1, 0.2, 0.3, 0.6, 1.2]
CTRLS = [-0.5, -0.1, 0.0, 0.2, 0.5, 0.8, 1.0, 1.3]
ACTS = [-0.2, 0.0, 0.1, 0.2, 0.5, 0.7, 0.9, 1.0, 1.2]


def gain_bias_set(prm, lengthrange, acc0):
    prm_a = np.array(prm, dtype=np.float64)
    lr = np.array(lengthrange, dtype=np.float64)
    L0 = (lr[1] - lr[0]) / (prm[1] - prm[0])
    # the breakpoints of the curves, exactly where the normalized length lands after rounding
    a, b = 0.5 * (prm[4] + 1), 0.5 * (1 + prm[5])
    lengths = sorted(set(NORM_LENGTHS.tolist()) | {prm[4], a, 1.0, b, prm[5]})
    out = {"prm": prm, "lengthrange": lengthrange, "acc0": acc0,
           "len": [], "vel": [], "gain": [], "bias": []}
    for Ln in lengths:
        length = lr[0] + (Ln - prm[0]) * L0
        for Vn in NORM_VELOCITIES:
            vel = Vn * L0 * prm[6]
            out["len"].append(float(length))
            out["vel"].append(float(vel))
            out["gain"].append(mujoco.mju_muscleGain(length, vel, lr, acc0, prm_a))
            out["bias"].append(mujoco.mju_muscleBias(length, lr, acc0, prm_a))
    return out


def dynamics_set(dynprm):
    d = np.array(dynprm, dtype=np.float64)
    out = {"dynprm": dynprm, "ctrl": [], "act": [], "act_dot": []}
    for c in CTRLS:
        for a in ACTS:
            out["ctrl"].append(c)
            out["act"].append(a)
            out["act_dot"].append(mujoco.mju_muscleDynamics(c, a, d))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="tests/data/muscle_golden.json")
    args = ap.parse_args()
    doc = {
        "generator": "tools/oracle/muscle_golden.py",
        "mujoco_version": mujoco.__version__,
        "description": "mju_muscleGain/mju_muscleBias on (len, vel) grids per parameter set "
                       "(prm = gainprm = biasprm), mju_muscleDynamics on (ctrl, act) grids",
        "gain_bias": [gain_bias_set(*s) for s in PARAM_SETS],
        "dynamics": [dynamics_set(s) for s in DYN_SETS],
    }
    with open(args.output, "w") as f:  # one line per set: compact, still diffable
        f.write("{\n")
        for i, (key, val) in enumerate(doc.items()):
            sep = "," if i + 1 < len(doc) else ""
            if isinstance(val, list):
                rows = ",\n  ".join(json.dumps(v, separators=(",", ":")) for v in val)
                f.write(f' {json.dumps(key)}: [\n  {rows}\n ]{sep}\n')
            else:
                f.write(f" {json.dumps(key)}: {json.dumps(val)}{sep}\n")
        f.write("}\n")
    n = sum(len(s["gain"]) for s in doc["gain_bias"])
    m = sum(len(s["act_dot"]) for s in doc["dynamics"])
    print(f"wrote {args.output}: {n} gain/bias points, {m} dynamics points, "
          f"mujoco {mujoco.__version__}")


if __name__ == "__main__":
    main()
