#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Single-core physics steps/s on MS-Human-700 (full and Locomotion): Sinew vs MuJoCo, side by
side in one run (issue 3 item 8).

Protocol (both engines): one world from keyframe 0, the model's own options (timestep 0.002,
Newton, tolerance 1e-8, 100 iterations, pyramidal cone, Euler), every muscle's ctrl uniform in
[0, 1] redrawn every --hold (10) steps, --steps timed steps. Sinew runs `sinew bench MODEL --json`
(whole steps timed, then a second, staged run for the breakdown and the solver residual); MuJoCo
runs an mj_step loop (controls drawn before timing), its own per-stage timers (MjData.timer)
giving the breakdown. The process is pinned to one core (--core, os.sched_setaffinity, inherited
by the Sinew subprocess) and the engines run one after the other, --repeat times alternately;
steps/s is the best of the repeats (the median is printed too). The load average is recorded
before and after, since other processes may share the machine.

Usage: .venv-oracle/bin/python tools/oracle/bench_vs_mujoco.py SINEW_BINARY [--core 1]
       [--steps 2000] [--repeat 3] [--models A.xml B.xml] [-o results.json]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import time

import mujoco
import numpy as np

MODELS = ["models/src/ms_human_700/MS-Human-700.xml",
          "models/src/ms_human_700/MS-Human-700-Locomotion.xml"]

# MuJoCo's timers, leaves of mjTIMER_STEP (3.x mj_fwdPosition: POS_KINEMATICS = kinematics,
# comPos, tendon and, added later, transmission (actuator moment arms); POS_INERTIA = makeM +
# factorM; POS_MAKE = makeConstraint + island; VELOCITY = mj_fwdVelocity (tendon/actuator
# velocities, comVel, passive, reference accelerations, RNE bias); fwdAcceleration is untimed),
# with the Sinew stages that do the same work.
MJ_STAGES = [
    ("POS_KINEMATICS", "kinematics, com_pos, tendon"),
    ("POS_INERTIA", "crba + factor"),
    ("POS_COLLISION", "collision"),
    ("POS_MAKE", "make_constraints"),
    ("POS_PROJECT", "make_constraints"),
    ("VELOCITY", "com_vel, tendon_velocity, passive, bias (rnea)"),
    ("ACTUATION", "actuation"),
    ("CONSTRAINT", "solve_constraints"),
    ("ADVANCE", "integrate"),
]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def sinew_run(binary, model, steps, hold, seed):
    out = subprocess.run([binary, "bench", model, "--json", "--steps", str(steps), "--hold",
                          str(hold), "--seed", str(seed)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def solver_residual(m, d, tmp):
    """Sinew's definition: |M (qacc - qacc_smooth) - qfrc_constraint|_inf / |qfrc_constraint|_inf."""
    if d.nefc == 0:
        return 0.0
    mujoco.mj_mulM(m, d, tmp, d.qacc - d.qacc_smooth)
    den = max(1e-12, float(np.abs(d.qfrc_constraint).max()))
    return float(np.abs(tmp - d.qfrc_constraint).max()) / den


def mujoco_run(m, steps, hold, seed):
    d = mujoco.MjData(m)
    mujoco.mj_resetDataKeyframe(m, d, 0)
    rng = np.random.default_rng(seed)
    ctrls = rng.uniform(0.0, 1.0, ((steps + hold - 1) // hold, m.nu))
    # timed loop: whole steps (timers are on, as in the C API; their cost is included)
    t0 = time.perf_counter()
    for s in range(steps):
        if s % hold == 0:
            d.ctrl[:] = ctrls[s // hold]
        mujoco.mj_step(m, d)
    wall = time.perf_counter() - t0
    timers = {mujoco.mjtTimer(i).name[len("mjTIMER_"):]: 1e6 * d.timer[i].duration / steps
              for i in range(mujoco.mjtTimer.mjNTIMER) if d.timer[i].number}
    # untimed second run from the same start: constraint counts and the solver residual
    mujoco.mj_resetDataKeyframe(m, d, 0)
    tmp = np.zeros(m.nv)
    nefc = ncon = iters = 0.0
    max_res = 0.0
    for s in range(steps):
        if s % hold == 0:
            d.ctrl[:] = ctrls[s // hold]
        mujoco.mj_step(m, d)
        # mj_step leaves the forward quantities of the step's initial state in d
        nefc += d.nefc
        ncon += d.ncon
        iters += int(d.solver_niter[0])
        max_res = max(max_res, solver_residual(m, d, tmp))
    warnings = sum(int(d.warning[i].number) for i in range(mujoco.mjtWarning.mjNWARNING))
    return {"steps_per_s": steps / wall, "us_per_step": 1e6 * wall / steps,
            "timer_us": timers, "mean_nefc": nefc / steps, "mean_ncon": ncon / steps,
            "mean_solver_iter": iters / steps, "max_solver_residual": max_res,
            "warnings": warnings}


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sinew", help="path to the sinew binary")
    ap.add_argument("--models", nargs="+", default=MODELS)
    ap.add_argument("--core", type=int, default=1)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--hold", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    os.sched_setaffinity(0, {a.core})
    result = {"generator": "tools/oracle/bench_vs_mujoco.py", "mujoco_version": mujoco.__version__,
              "cpu": cpu_name(), "core": a.core, "steps": a.steps, "hold": a.hold,
              "repeat": a.repeat, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
              "load_before": loadavg(), "models": {}}
    for path in a.models:
        m = mujoco.MjModel.from_xml_path(path)
        o = m.opt
        settings = {"timestep": o.timestep, "solver": mujoco.mjtSolver(o.solver).name,
                    "tolerance": o.tolerance, "iterations": o.iterations,
                    "cone": mujoco.mjtCone(o.cone).name,
                    "integrator": mujoco.mjtIntegrator(o.integrator).name}
        sw, mj = [], []
        for _ in range(a.repeat):
            sw.append(sinew_run(a.sinew, path, a.steps, a.hold, a.seed))
            mj.append(mujoco_run(m, a.steps, a.hold, a.seed))
        sbest = max(sw, key=lambda r: r["steps_per_s"])
        mbest = max(mj, key=lambda r: r["steps_per_s"])
        r = {"nv": m.nv, "nu": m.nu, "neq": m.neq, "settings": settings,
             "sinew": sbest, "mujoco": mbest,
             "sinew_steps_per_s_all": [x["steps_per_s"] for x in sw],
             "mujoco_steps_per_s_all": [x["steps_per_s"] for x in mj],
             "ratio_best": sbest["steps_per_s"] / mbest["steps_per_s"],
             "ratio_median": statistics.median(x["steps_per_s"] for x in sw) /
             statistics.median(x["steps_per_s"] for x in mj)}
        result["models"][os.path.basename(path)] = r
        name = os.path.basename(path)
        print(f"\n{name} (nv {m.nv}, nu {m.nu}; {settings})")
        print(f"  steps/s        Sinew {sbest['steps_per_s']:8.1f}   MuJoCo "
              f"{mbest['steps_per_s']:8.1f}   ratio {r['ratio_best']:.2f} (best of {a.repeat}; "
              f"median ratio {r['ratio_median']:.2f})")
        print(f"  us/step        Sinew {sbest['us_per_step']:8.1f}   MuJoCo "
              f"{mbest['us_per_step']:8.1f}   (MuJoCo's mjTIMER_STEP "
              f"{mbest['timer_us'].get('STEP', 0):.1f})")
        print(f"  rows/contacts  Sinew {sbest['mean_nefc']:.1f}/{sbest['mean_ncon']:.1f}   "
              f"MuJoCo {mbest['mean_nefc']:.1f}/{mbest['mean_ncon']:.1f}   solver iterations "
              f"Sinew {sbest['mean_solver_iter']:.2f} MuJoCo {mbest['mean_solver_iter']:.2f}")
        print(f"  solver residual (max rel. |M(qacc-qacc_smooth) - J^T f|): Sinew "
              f"{sbest['max_solver_residual']:.2e}   MuJoCo {mbest['max_solver_residual']:.2e}")
        print(f"  flagged/warnings  Sinew {sbest['flagged']}   MuJoCo {mbest['warnings']}")
        print("  Sinew stages (us/step):  " + ", ".join(
            f"{k} {v:.1f}" for k, v in sbest["stages_us"].items()))
        t = mbest["timer_us"]
        leaves = sum(t.get(k, 0) for k, _ in MJ_STAGES)
        print("  MuJoCo timers (us/step): " + ", ".join(
            f"{k} {t.get(k, 0):.1f} [{s}]" for k, s in MJ_STAGES) +
            f", untimed rest of STEP (fwdAcceleration, checks) {t.get('STEP', 0) - leaves:.1f}")
    result["load_after"] = loadavg()
    print(f"\nload average before {result['load_before']}, after {result['load_after']}; "
          f"pinned to core {a.core}; {result['cpu']}")
    if a.output:
        with open(a.output, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
