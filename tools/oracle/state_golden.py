#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/state_golden/<model>.{json,bin}: MuJoCo's compiled quantities and its
results (mj_forward) at random states of the five reference models, the golden values of
tests/engine/golden_state_test.cpp (issue 3, "Reference data").

Usage: .venv-oracle/bin/python tools/oracle/state_golden.py [--models DIR] [-o tests/data/state_golden]
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in every index file.

Format (documented in tests/data/README.md): <model>.bin holds little-endian arrays back to back
(C order); <model>.json is the index: metadata plus "arrays": {name: {"offset": bytes,
"dtype": "f8" | "i4", "shape": [...]}}.

States (fixed seed per model):
  hinge/slide joints uniform in their range; unlimited hinges in [-pi, pi]; unlimited slides in
  UNLIMITED_SLIDE[model] (the root translations of MS-Human-700 are placed, see below);
  qvel uniform in [-1, 1]; act and ctrl uniform in [0, 1].
MS-Human-700 (full and Locomotion): the three root slides (pelvis_tx/ty/tz) place the body.
  "free" states (even index): pelvis rotations in [-pi, pi]; the lowest point of every colliding
  geom 0.1 m above the floor (no floor contact).
  "constrained" states (odd index): pelvis rotations in [-0.2, 0.2] rad; the lowest colliding
  geom penetrates the floor by 1 mm; 5 limited hinges (not driven by a coupling) are set up to
  0.02 rad beyond one end of their range. The 42 (16) joint couplings are always active.
  States in which MuJoCo reports a contact between a mesh geom and a non-plane geom are
  redrawn (Sinew has no mesh-primitive narrowphase); the number redrawn is recorded.
"""
import argparse
import json
import math
import os

import mujoco
import numpy as np

MODELS = [
    # name, path under the models folder, states, seed
    ("arm26", "mujoco_arm26/arm26.xml", 100, 26),
    ("myomuscle", "myo_sim/basic/myomuscle.xml", 100, 1),
    ("myofinger", "myo_sim/finger/myofinger_v0.xml", 100, 4),
    ("ms_human_700", "ms_human_700/MS-Human-700.xml", 20, 700),
    ("ms_human_700_locomotion", "ms_human_700/MS-Human-700-Locomotion.xml", 20, 701),
]
# Ranges for unlimited slide joints (m). myomuscle's load slide: the range that keeps its limited
# tendon (range 0.075..0.105 m, length = 0.1 - q) inside its range.
UNLIMITED_SLIDE = {"myomuscle": (-0.005, 0.025)}
ROOT_SLIDES = ("pelvis_tx", "pelvis_ty", "pelvis_tz")


class Writer:
    def __init__(self):
        self.chunks, self.index, self.offset = [], {}, 0

    def add(self, name, arr, dtype):
        a = np.ascontiguousarray(np.asarray(arr, dtype=dtype))
        self.index[name] = {"offset": self.offset, "dtype": "f8" if dtype == "<f8" else "i4",
                            "shape": list(a.shape)}
        b = a.tobytes()
        self.chunks.append(b)
        self.offset += len(b)
        pad = (-self.offset) % 8
        if pad:
            self.chunks.append(b"\0" * pad)
            self.offset += pad

    def f8(self, name, arr):
        self.add(name, arr, "<f8")

    def i4(self, name, arr):
        self.add(name, arr, "<i4")


def colliding_geoms(m):
    return [g for g in range(m.ngeom)
            if (m.geom_contype[g] or m.geom_conaffinity[g]) and m.geom_type[g] != mujoco.mjtGeom.mjGEOM_PLANE]


def geom_lowest_z(m, d, g):
    """Lowest world z of geom g (capsule, sphere, cylinder, box, mesh)."""
    p, R, s = d.geom_xpos[g], d.geom_xmat[g].reshape(3, 3), m.geom_size[g]
    t = m.geom_type[g]
    if t == mujoco.mjtGeom.mjGEOM_SPHERE:
        return p[2] - s[0]
    if t == mujoco.mjtGeom.mjGEOM_CAPSULE:
        return p[2] - abs(R[2, 2]) * s[1] - s[0]
    if t == mujoco.mjtGeom.mjGEOM_CYLINDER:
        return p[2] - abs(R[2, 2]) * s[1] - s[0] * math.hypot(R[2, 0], R[2, 1])
    if t == mujoco.mjtGeom.mjGEOM_BOX:
        return p[2] - sum(abs(R[2, i]) * s[i] for i in range(3))
    if t == mujoco.mjtGeom.mjGEOM_MESH:
        mid = m.geom_dataid[g]
        v = m.mesh_vert[m.mesh_vertadr[mid]:m.mesh_vertadr[mid] + m.mesh_vertnum[mid]]
        return float((v @ R.T)[:, 2].min() + p[2])
    raise ValueError(f"geom type {t}")


def lowest(m, d):
    return min(geom_lowest_z(m, d, g) for g in colliding_geoms(m))


def draw_state(m, name, rng, k, d):
    """Fills d.qpos/qvel/act/ctrl for state k; returns True for a constrained state."""
    human = name.startswith("ms_human")
    constrained = human and k % 2 == 1
    coupled = {int(m.eq_obj1id[e]) for e in range(m.neq) if m.eq_type[e] == mujoco.mjtEq.mjEQ_JOINT}
    qpos = m.qpos0.copy()
    for j in range(m.njnt):
        qa, t = m.jnt_qposadr[j], m.jnt_type[j]
        jname = m.joint(j).name
        if t == mujoco.mjtJoint.mjJNT_HINGE:
            if m.jnt_limited[j]:
                lo, hi = m.jnt_range[j]
            elif human and jname.startswith("pelvis_") and constrained:
                lo, hi = -0.2, 0.2
            else:
                lo, hi = -math.pi, math.pi
            qpos[qa] = rng.uniform(lo, hi)
        elif t == mujoco.mjtJoint.mjJNT_SLIDE:
            if human and jname in ROOT_SLIDES:
                qpos[qa] = rng.uniform(-0.5, 0.5) if jname != "pelvis_tz" else 0.0
                continue
            lo, hi = m.jnt_range[j] if m.jnt_limited[j] else UNLIMITED_SLIDE[name]
            qpos[qa] = rng.uniform(lo, hi)
        else:
            raise ValueError(f"{name}: joint type {t} not drawn")
    if constrained:
        cand = [j for j in range(m.njnt) if m.jnt_limited[j] and j not in coupled
                and m.jnt_type[j] == mujoco.mjtJoint.mjJNT_HINGE]
        for j in rng.choice(cand, size=5, replace=False):
            lo, hi = m.jnt_range[j]
            qpos[m.jnt_qposadr[j]] = lo - rng.uniform(0.001, 0.02) if rng.uniform() < 0.5 \
                else hi + rng.uniform(0.001, 0.02)
    d.qpos[:] = qpos
    d.qvel[:] = rng.uniform(-1, 1, m.nv)
    d.act[:] = rng.uniform(0, 1, m.na)
    d.ctrl[:] = rng.uniform(0, 1, m.nu)
    if human:
        # vertical placement: lowest colliding geom at +0.1 m (free) or -1 mm (constrained)
        jz = m.joint("pelvis_tz").id
        assert np.allclose(m.jnt_axis[jz], [0, 0, 1])
        mujoco.mj_kinematics(m, d)
        target = -0.001 if constrained else 0.1
        d.qpos[m.jnt_qposadr[jz]] += target - lowest(m, d)
    return constrained


def supported_contacts(m, d):
    for i in range(d.ncon):
        g = d.contact[i].geom
        types = {int(m.geom_type[g[0]]), int(m.geom_type[g[1]])}
        if mujoco.mjtGeom.mjGEOM_MESH in types and mujoco.mjtGeom.mjGEOM_PLANE not in types:
            return False
    return True


def generate(name, path, nstate, seed):
    m = mujoco.MjModel.from_xml_path(path)
    d = mujoco.MjData(m)
    rng = np.random.default_rng(seed)
    w = Writer()
    nv, nbody = m.nv, m.nbody
    # compiled quantities
    w.f8("body_mass", m.body_mass)
    inert = np.zeros((nbody, 3, 3))
    for b in range(nbody):
        R = np.zeros(9)
        mujoco.mju_quat2Mat(R, m.body_iquat[b])
        R = R.reshape(3, 3)
        inert[b] = R @ np.diag(m.body_inertia[b]) @ R.T
    w.f8("body_inertia_full", inert)
    w.f8("actuator_lengthrange", m.actuator_lengthrange)
    w.f8("actuator_acc0", m.actuator_acc0)
    f0 = np.array([m.actuator_gainprm[u, 2] if m.actuator_gainprm[u, 2] > 0
                   else m.actuator_gainprm[u, 3] / m.actuator_acc0[u] for u in range(m.nu)])
    w.f8("actuator_peak_force", f0)
    # states
    keys = ["qpos", "qvel", "act", "ctrl", "xpos", "site_xpos", "ten_length", "ten_velocity",
            "actuator_length", "actuator_velocity", "actuator_force", "qfrc_actuator",
            "qfrc_passive", "qfrc_bias", "qM", "qacc_smooth", "qacc"]
    rec = {k: [] for k in keys}
    rec.update(constrained=[], nefc=[], ncon=[], nlimit=[], nequality=[])
    con_geom, con_dist, con_nper = [], [], []
    jr_nnz, jr_col, jr_val = [], [], []
    redrawn = 0
    for k in range(nstate):
        while True:
            mujoco.mj_resetData(m, d)
            constrained = draw_state(m, name, rng, k, d)
            mujoco.mj_forward(m, d)
            if supported_contacts(m, d):
                break
            redrawn += 1
        M = np.zeros((nv, nv))
        mujoco.mj_fullM(m, d, M)
        vals = dict(qpos=d.qpos, qvel=d.qvel, act=d.act, ctrl=d.ctrl, xpos=d.xpos,
                    site_xpos=d.site_xpos, ten_length=d.ten_length, ten_velocity=d.ten_velocity,
                    actuator_length=d.actuator_length, actuator_velocity=d.actuator_velocity,
                    actuator_force=d.actuator_force, qfrc_actuator=d.qfrc_actuator,
                    qfrc_passive=d.qfrc_passive, qfrc_bias=d.qfrc_bias, qM=M,
                    qacc_smooth=d.qacc_smooth, qacc=d.qacc)
        for key, v in vals.items():
            rec[key].append(np.array(v, dtype=float).copy())
        efc = np.array(d.efc_type[:d.nefc])
        rec["constrained"].append(int(constrained))
        rec["nefc"].append(int(d.nefc))
        rec["ncon"].append(int(d.ncon))
        rec["nlimit"].append(int((efc == mujoco.mjtConstraint.mjCNSTR_LIMIT_JOINT).sum()))
        rec["nequality"].append(int((efc == mujoco.mjtConstraint.mjCNSTR_EQUALITY).sum()))
        con_nper.append(int(d.ncon))
        for i in range(d.ncon):
            con_geom.append(list(d.contact[i].geom))
            con_dist.append(float(d.contact[i].dist))
        # sparse tendon Jacobian (MuJoCo 3.17 keeps ten_J compressed: model rownnz/rowadr/colind)
        for t in range(m.ntendon):
            a, n = m.ten_J_rowadr[t], m.ten_J_rownnz[t]
            cols, v = m.ten_J_colind[a:a + n], d.ten_J[a:a + n]
            keep = v != 0
            jr_nnz.append(int(keep.sum()))
            jr_col.extend(int(c) for c in cols[keep])
            jr_val.extend(float(x) for x in v[keep])
    for key in keys:
        w.f8(key, np.array(rec[key]))
    for key in ("constrained", "nefc", "ncon", "nlimit", "nequality"):
        w.i4(key, rec[key])
    w.i4("contact_count", con_nper)
    w.i4("contact_geom", np.array(con_geom, dtype=np.int32).reshape(-1, 2))
    w.f8("contact_dist", con_dist)
    w.i4("ten_J_nnz", np.array(jr_nnz, dtype=np.int32).reshape(nstate, m.ntendon))
    w.i4("ten_J_col", jr_col)
    w.f8("ten_J_val", jr_val)
    index = {
        "generator": "tools/oracle/state_golden.py",
        "mujoco_version": mujoco.__version__,
        "model": path.split("models/", 1)[-1],
        "seed": seed, "nstate": nstate, "redrawn_states": redrawn,
        "sizes": {"nq": m.nq, "nv": nv, "nbody": nbody, "nsite": m.nsite, "ntendon": m.ntendon,
                  "nu": m.nu, "na": m.na, "neq": m.neq},
        "body_names": [m.body(b).name for b in range(nbody)],
        "tendon_names": [m.tendon(t).name for t in range(m.ntendon)],
        "actuator_names": [m.actuator(u).name for u in range(m.nu)],
        "arrays": w.index,
    }
    return index, b"".join(w.chunks)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "../../models/src"))
    ap.add_argument("-o", "--output", default="tests/data/state_golden")
    ap.add_argument("--only", help="one model name")
    args = ap.parse_args()
    os.makedirs(args.output, exist_ok=True)
    for name, rel, nstate, seed in MODELS:
        if args.only and name != args.only:
            continue
        index, blob = generate(name, os.path.join(args.models, rel), nstate, seed)
        with open(os.path.join(args.output, name + ".bin"), "wb") as f:
            f.write(blob)
        with open(os.path.join(args.output, name + ".json"), "w") as f:
            json.dump(index, f, indent=1)
        print(f"wrote {name}: {len(blob) / 1e6:.2f} MB, redrawn {index['redrawn_states']}")


if __name__ == "__main__":
    main()
