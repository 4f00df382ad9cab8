#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/physics_golden.json: MuJoCo's results on the scenes of
tests/engine/physics_test.cpp (same bodies, inertias, options), used there as golden values.

Usage: .venv-oracle/bin/python tools/oracle/physics_golden.py [-o tests/data/physics_golden.json]
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in the output.
"""
import argparse
import json
import math

import mujoco
import numpy as np

L = 0.1  # chain link length (m)


def chain_xml(h, integrator):
    def body(i):
        inner = body(i + 1) if i < 9 else ""
        pos = "0 0 0" if i == 0 else f"0 0 {-L}"
        return (f'<body pos="{pos}"><joint type="hinge" axis="0 1 0"/>'
                f'<inertial pos="0 0 {-L / 2}" mass="1" diaginertia="{L * L / 12} {L * L / 12} 5e-5"/>'
                f'{inner}</body>')
    return (f'<mujoco><option timestep="{h}" integrator="{integrator}"><flag energy="enable"/>'
            f'</option><worldbody>{body(0)}</worldbody></mujoco>')


def chain_run(h, integrator, curled, seconds=10.0, record_step=1000):
    m = mujoco.MjModel.from_xml_string(chain_xml(h, integrator))
    d = mujoco.MjData(m)
    d.qpos[:] = math.pi / 4 if curled else 0.0
    d.qpos[0] = math.pi / 4
    e0, max_dev, max_ke, max_gain, qpos_at = None, 0.0, 0.0, -1e30, None
    for s in range(int(round(seconds / h))):
        mujoco.mj_forward(m, d)  # energy of the actual state (not of an RK4 stage)
        e = float(d.energy.sum())
        e0 = e if e0 is None else e0
        max_dev = max(max_dev, abs(e - e0))
        max_gain = max(max_gain, e - e0)
        max_ke = max(max_ke, float(d.energy[1]))
        if s == record_step:
            qpos_at = d.qpos.tolist()
        mujoco.mj_step(m, d)
    return {"timestep": h, "integrator": integrator, "curled": curled, "max_dev": max_dev,
            "max_ke": max_ke, "max_gain": max_gain, "record_step": record_step,
            "qpos_at_record_step": qpos_at}


def box_drop():
    xml = ('<mujoco><worldbody><geom type="plane" size="5 5 .1"/>'
           '<body pos="0 0 0.5" quat="0.9659258 0.2588190 0 0"><freejoint/>'
           '<inertial pos="0 0 0" mass="1" diaginertia="0.0067 0.0067 0.0067"/>'
           '<geom type="box" size=".1 .1 .1"/></body></worldbody></mujoco>')
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    for _ in range(1500):
        mujoco.mj_step(m, d)
    mujoco.mj_forward(m, d)
    depth = max(-d.contact[i].dist for i in range(d.ncon))
    return {"steps": 1500, "ncon": int(d.ncon), "penetration": float(depth), "z": float(d.qpos[2])}


def incline(angle, seconds, impratio):
    c, s = math.cos(angle / 2), math.sin(angle / 2)
    n = np.array([math.sin(angle), 0, math.cos(angle)])
    h = 0.1
    p = n * (h + 1e-4)
    xml = (f'<mujoco><option impratio="{impratio}"/><worldbody>'
           f'<geom type="plane" size="5 5 .1" quat="{c} 0 {s} 0" friction="0.5 0.005 0.0001"/>'
           f'<body pos="{p[0]} 0 {p[2]}" quat="{c} 0 {s} 0"><freejoint/>'
           '<inertial pos="0 0 0" mass="1" diaginertia="0.0067 0.0067 0.0067"/>'
           f'<geom type="box" size="{h} {h} {h}" friction="0.5 0.005 0.0001"/></body>'
           '</worldbody></mujoco>')
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    for _ in range(100):
        mujoco.mj_step(m, d)
    down = np.array([math.cos(angle), 0, -math.sin(angle)])
    p0 = d.qpos[:3].copy()
    v0 = float(d.qvel[:3] @ down)
    for _ in range(int(round(seconds / m.opt.timestep))):
        mujoco.mj_step(m, d)
    slip = float((d.qpos[:3] - p0) @ down)
    return {"angle": angle, "seconds": seconds, "impratio": impratio, "slip": slip,
            "accel": 2 * (slip - v0 * seconds) / seconds ** 2}


def hinge_limit(flat):
    solimp = ' solimplimit="0.9 0.9 0.001 0.5 2"' if flat else ""
    xml = ('<mujoco><option gravity="0 0 0"/><worldbody><body>'
           '<inertial pos="0 0 0" mass="1" diaginertia="0.05 0.05 0.05"/>'
           f'<joint type="hinge" axis="0 1 0" range="-0.5 0.5" solreflimit="0.02 1"{solimp}/>'
           '</body></worldbody><compiler angle="radian"/></mujoco>')
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    d.qpos[0] = 0.45
    for _ in range(3000):
        d.qfrc_applied[0] = 2.0
        mujoco.mj_step(m, d)
    return {"flat_solimp": flat, "penetration": float(d.qpos[0] - 0.5)}


def coupling():
    """Two hinged links, joint j1 coupled to j0 by a quartic (tests/engine/equality_test.cpp)."""
    xml = ('<mujoco><compiler angle="radian"/><worldbody><body name="b0">'
           '<inertial pos="0 0 -0.15" mass="2" diaginertia="0.02 0.02 0.002"/>'
           '<joint name="j0" axis="0 1 0" ref="-0.2"/><body name="b1" pos="0 0 -0.3">'
           '<inertial pos="0 0 -0.15" mass="1" diaginertia="0.01 0.01 0.001"/>'
           '<joint name="j1" axis="0 1 0" ref="0.1"/></body></body></worldbody><equality>'
           '<joint joint1="j1" joint2="j0" polycoef="0.05 0.8 -0.3 0.1 0.02" solref="0.02 1" '
           'solimp="0.9999 0.9999 0.001 0.5 2"/></equality></mujoco>')
    m = mujoco.MjModel.from_xml_string(xml)
    d = mujoco.MjData(m)
    c = [0.05, 0.8, -0.3, 0.1, 0.02]

    def residual():
        x = d.qpos[0] - m.qpos0[0]
        return d.qpos[1] - m.qpos0[1] - sum(ci * x ** i for i, ci in enumerate(c))
    d.qpos[0] = 0.8
    d.qpos[1] = m.qpos0[1] + 0.05 + 0.8 * (0.8 - m.qpos0[0])
    max_res = 0.0
    for s in range(2000):
        mujoco.mj_step(m, d)
        if s > 100:
            max_res = max(max_res, abs(residual()))
    return {"steps": 2000, "max_residual_after_100": max_res, "qpos_end": d.qpos.tolist()}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", default="tests/data/physics_golden.json")
    args = ap.parse_args()
    deg = math.pi / 180
    out = {
        "generator": "tools/oracle/physics_golden.py",
        "mujoco_version": mujoco.__version__,
        "chain": [chain_run(0.001, "RK4", True), chain_run(0.0005, "RK4", True),
                  chain_run(0.001, "RK4", False), chain_run(0.002, "Euler", True)],
        "box_drop": box_drop(),
        "incline": [incline(math.atan(0.5) - 3 * deg, 2.0, 1), incline(math.atan(0.5) + 3 * deg, 1.0, 1),
                    incline(math.atan(0.5) - 3 * deg, 2.0, 10), incline(math.atan(0.5) + 3 * deg, 1.0, 10)],
        "hinge_limit": [hinge_limit(False), hinge_limit(True)],
        "coupling": coupling(),
    }
    with open(args.output, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", args.output)


if __name__ == "__main__":
    main()
