#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""MuJoCo's side of the MS-Human-700 runs of issue 3 item 7 (compare with `sinew sim`).

Two runs of 10 s from keyframe 0 projected onto the joint couplings exactly as
`sinew sim --project-couplings` does (each dependent joint q1 = q1_ref + poly(q2 - q2_ref), refs
= qpos0, in equality order, sweeps repeated while a joint moves by more than 1e-15):
  (a) zero excitation (ctrl = 0);
  (b) random excitations: every ctrl uniform in [0, 1], redrawn every --hold (10) steps.
Reported per run, with the same definitions as `sinew sim`:
  coupling_residual_max  max over the run of |(q1 - q1_ref) - poly(q2 - q2_ref)| over the active
                         joint equalities, from the qpos after each step (and the start state);
  com_speed_last_max     max over the last second of the speed of the centre of mass of all
                         bodies (subtree_linvel of the world body after mj_subtreeVel; like
                         Sinew's, it belongs to the state at the start of each step);
  warnings               MuJoCo's warning counters (BADQACC etc.: MuJoCo's own resets).

Usage: .venv-oracle/bin/python tools/oracle/msh_sim_mujoco.py [--model XML] [--seconds 10]
       [--hold 10] [--seed 1] [-o out.json]
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in the output.
"""
import argparse
import json
import platform
import time

import mujoco
import numpy as np

DEFAULT_MODEL = "models/src/ms_human_700/MS-Human-700.xml"


def couplings(m):
    """Active joint equalities as (qposadr1, qposadr2 or -1, polycoef[5])."""
    out = []
    for e in range(m.neq):
        if m.eq_type[e] != mujoco.mjtEq.mjEQ_JOINT or not m.eq_active0[e]:
            continue
        j1, j2 = int(m.eq_obj1id[e]), int(m.eq_obj2id[e])
        q2 = int(m.jnt_qposadr[j2]) if j2 >= 0 else -1
        out.append((int(m.jnt_qposadr[j1]), q2, np.array(m.eq_data[e, :5], dtype=float)))
    return out


def target(m, q, q1, q2, c):
    if q2 < 0:
        return m.qpos0[q1] + c[0]
    x = q[q2] - m.qpos0[q2]
    return m.qpos0[q1] + c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * c[4])))


def residual(m, q, eqs):
    return max((abs(q[q1] - target(m, q, q1, q2, c)) for q1, q2, c in eqs), default=0.0)


def project(m, q, eqs):
    for sweep in range(1, 21):
        change = 0.0
        for q1, q2, c in eqs:
            nxt = target(m, q, q1, q2, c)
            change = max(change, abs(nxt - q[q1]))
            q[q1] = nxt
        if change <= 1e-15:
            return sweep
    return 20


def run(m, excitation, seconds, hold, seed):
    d = mujoco.MjData(m)
    mujoco.mj_resetDataKeyframe(m, d, 0)
    eqs = couplings(m)
    sweeps = project(m, d.qpos, eqs)
    d.ctrl[:] = 0
    rng = np.random.default_rng(seed)
    steps = int(round(seconds / m.opt.timestep))
    window = min(steps, max(1, int(round(1.0 / m.opt.timestep))))
    res_start = residual(m, d.qpos, eqs)
    res_max, com_max, com_end = res_start, 0.0, 0.0
    t0 = time.perf_counter()
    for s in range(steps):
        if excitation == "random" and s % hold == 0:
            d.ctrl[:] = rng.uniform(0.0, 1.0, m.nu)
        mujoco.mj_step(m, d)
        res_max = max(res_max, residual(m, d.qpos, eqs))
        if s >= steps - window:
            mujoco.mj_subtreeVel(m, d)
            com_end = float(np.linalg.norm(d.subtree_linvel[0]))
            com_max = max(com_max, com_end)
    wall = time.perf_counter() - t0
    warnings = {mujoco.mjtWarning(i).name: int(d.warning[i].number)
                for i in range(mujoco.mjtWarning.mjNWARNING) if d.warning[i].number}
    return {"excitation": excitation, "hold": hold, "seed": seed, "steps": steps,
            "seconds": steps * m.opt.timestep, "projection_sweeps": sweeps,
            "neq_joint": len(eqs), "coupling_residual_start": res_start,
            "coupling_residual_max": res_max, "coupling_residual_end": residual(m, d.qpos, eqs),
            "com_window_s": window * m.opt.timestep, "com_speed_last_max": com_max,
            "com_speed_end": com_end, "warnings": warnings, "unstable": bool(warnings),
            "wall_s": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--hold", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", help="write the JSON here too")
    a = ap.parse_args()
    m = mujoco.MjModel.from_xml_path(a.model)
    out = {"generator": "tools/oracle/msh_sim_mujoco.py", "mujoco_version": mujoco.__version__,
           "model": a.model, "machine": platform.processor() or platform.machine(),
           "timestep": m.opt.timestep, "runs": {}}
    for exc in ("zero", "random"):
        r = run(m, exc, a.seconds, a.hold, a.seed)
        out["runs"][exc] = r
        print(f"{exc:6s}: coupling residual max {r['coupling_residual_max']:.4g} "
              f"(start {r['coupling_residual_start']:.3g}, end {r['coupling_residual_end']:.3g}), "
              f"com speed max over last {r['com_window_s']:.3g} s {r['com_speed_last_max']:.4g} "
              f"m/s (end {r['com_speed_end']:.4g}), warnings {r['warnings'] or 'none'}, "
              f"wall {r['wall_s']:.1f} s", flush=True)
    text = json.dumps(out, indent=1)
    print(text)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
