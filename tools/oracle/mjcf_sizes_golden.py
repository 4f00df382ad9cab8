#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/mjcf_compiled_golden.json: what MuJoCo's compiler makes of the five MJCF
models Sinew imports (sizes, body tree and mass properties, joints, geoms, tendons and wraps,
actuators, equalities, keyframes). tests/mjcf/import_test.cpp compares Sinew's importer
(engine/mjcf/) with it.

Body inertias are written as full tensors in the body frame (R diag(I) R^T with R from
body_iquat): principal axes of near-symmetric bodies are not unique, the tensor is.
Enumerations are written as MuJoCo's names (Sinew's enum values differ).

Usage: .venv-oracle/bin/python tools/oracle/mjcf_sizes_golden.py [-o tests/data/mjcf_compiled_golden.json]
Models are read from models/src (copies of ../shared/data/models) (relative to the repository root).
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in the output.
"""
import argparse
import json
import os

import mujoco
import numpy as np

MODELS = {
    "arm26": "mujoco_arm26/arm26.xml",
    "myomuscle": "myo_sim/basic/myomuscle.xml",
    "myofinger": "myo_sim/finger/myofinger_v0.xml",
    "ms_human_700": "ms_human_700/MS-Human-700.xml",
    "ms_human_700_locomotion": "ms_human_700/MS-Human-700-Locomotion.xml",
}


def r(a):
    """Floats as %.12g (keeps the file small; the comparison tolerance is 1e-6 relative)."""
    return [float("%.12g" % x) for x in np.asarray(a, dtype=float).ravel()]


def names(m, objtype, n):
    return [mujoco.mj_id2name(m, objtype, i) or "" for i in range(n)]


def enum_names(enum, values):
    inv = {int(v): k.split("_", 1)[1].lower() for k, v in enum.__members__.items() if "_" in k}
    return [inv[int(v)] for v in values]


def compiled(path):
    m = mujoco.MjModel.from_xml_path(path)
    inertia = []
    for b in range(m.nbody):
        R = np.zeros(9)
        mujoco.mju_quat2Mat(R, m.body_iquat[b])
        R = R.reshape(3, 3)
        inertia.append(R @ np.diag(m.body_inertia[b]) @ R.T)
    g = {
        "sizes": {k: int(getattr(m, k)) for k in
                  ["nbody", "njnt", "nq", "nv", "ngeom", "nsite", "nmesh", "ntendon", "nwrap",
                   "nu", "na", "neq", "nexclude", "nkey"]},
        "body_name": names(m, mujoco.mjtObj.mjOBJ_BODY, m.nbody),
        "body_parentid": [int(x) for x in m.body_parentid],
        "body_pos": r(m.body_pos),
        "body_quat": r(m.body_quat),
        "body_mass": r(m.body_mass),
        "body_ipos": r(m.body_ipos),
        "body_inertia_full": r(np.array(inertia)),
        "jnt_name": names(m, mujoco.mjtObj.mjOBJ_JOINT, m.njnt),
        "jnt_type": enum_names(mujoco.mjtJoint, m.jnt_type),
        "jnt_bodyid": [int(x) for x in m.jnt_bodyid],
        "jnt_limited": [int(x) for x in m.jnt_limited],
        "jnt_range": r(m.jnt_range),
        "jnt_pos": r(m.jnt_pos),
        "jnt_axis": r(m.jnt_axis),
        "jnt_stiffness": r(m.jnt_stiffness),
        "jnt_solref": r(m.jnt_solref),
        "jnt_solimp": r(m.jnt_solimp),
        "jnt_margin": r(m.jnt_margin),
        "qpos0": r(m.qpos0),
        "qpos_spring": r(m.qpos_spring),
        "dof_damping": r(m.dof_damping),
        "dof_armature": r(m.dof_armature),
        "geom_name": names(m, mujoco.mjtObj.mjOBJ_GEOM, m.ngeom),
        "geom_type": enum_names(mujoco.mjtGeom, m.geom_type),
        "geom_bodyid": [int(x) for x in m.geom_bodyid],
        "geom_contype": [int(x) for x in m.geom_contype],
        "geom_conaffinity": [int(x) for x in m.geom_conaffinity],
        "geom_condim": [int(x) for x in m.geom_condim],
        "geom_pos": r(m.geom_pos),
        "geom_size": r(m.geom_size),
        "geom_friction": r(m.geom_friction),
        "geom_margin": r(m.geom_margin),
        "site_name": names(m, mujoco.mjtObj.mjOBJ_SITE, m.nsite),
        "site_bodyid": [int(x) for x in m.site_bodyid],
        "site_pos": r(m.site_pos),
        "site_quat": r(m.site_quat),
        "mesh_name": names(m, mujoco.mjtObj.mjOBJ_MESH, m.nmesh),
        "tendon_name": names(m, mujoco.mjtObj.mjOBJ_TENDON, m.ntendon),
        "tendon_adr": [int(x) for x in m.tendon_adr],
        "tendon_num": [int(x) for x in m.tendon_num],
        "tendon_limited": [int(x) for x in m.tendon_limited],
        "tendon_range": r(m.tendon_range),
        "tendon_stiffness": r(m.tendon_stiffness),
        "tendon_damping": r(m.tendon_damping),
        "wrap_type": enum_names(mujoco.mjtWrap, m.wrap_type),
        "wrap_objid": [int(x) for x in m.wrap_objid],
        "wrap_prm": r(m.wrap_prm),
        "actuator_name": names(m, mujoco.mjtObj.mjOBJ_ACTUATOR, m.nu),
        "actuator_trntype": enum_names(mujoco.mjtTrn, m.actuator_trntype),
        "actuator_trnid": [int(x) for x in m.actuator_trnid[:, 0]],
        "actuator_dyntype": enum_names(mujoco.mjtDyn, m.actuator_dyntype),
        "actuator_gaintype": enum_names(mujoco.mjtGain, m.actuator_gaintype),
        "actuator_biastype": enum_names(mujoco.mjtBias, m.actuator_biastype),
        "actuator_actadr": [int(x) for x in m.actuator_actadr],
        "actuator_ctrllimited": [int(x) for x in m.actuator_ctrllimited],
        "actuator_forcelimited": [int(x) for x in m.actuator_forcelimited],
        "actuator_gear0": r(m.actuator_gear[:, 0]),
        "actuator_dynprm": r(m.actuator_dynprm[:, :10]),
        "actuator_gainprm": r(m.actuator_gainprm[:, :10]),
        "actuator_biasprm": r(m.actuator_biasprm[:, :10]),
        "actuator_ctrlrange": r(m.actuator_ctrlrange),
        "actuator_forcerange": r(m.actuator_forcerange),
        # compiled lengthrange (MuJoCo computes it for muscles that do not give one)
        "actuator_lengthrange": r(m.actuator_lengthrange),
        "eq_type": enum_names(mujoco.mjtEq, m.eq_type),
        "eq_obj1id": [int(x) for x in m.eq_obj1id],
        "eq_obj2id": [int(x) for x in m.eq_obj2id],
        "eq_active0": [int(x) for x in m.eq_active0],
        "eq_data5": r(m.eq_data[:, :5]),
        "eq_solref": r(m.eq_solref),
        "eq_solimp": r(m.eq_solimp),
        "exclude_signature": [int(x) for x in m.exclude_signature],
        "key_qpos": r(m.key_qpos),
        "key_qvel": r(m.key_qvel),
        "key_act": r(m.key_act),
        "key_ctrl": r(m.key_ctrl),
        "opt_timestep": float(m.opt.timestep),
        "opt_gravity": r(m.opt.gravity),
        "opt_integrator": enum_names(mujoco.mjtIntegrator, [m.opt.integrator])[0],
        "opt_iterations": int(m.opt.iterations),
        "opt_tolerance": float(m.opt.tolerance),
        "opt_impratio": float(m.opt.impratio),
    }
    return g


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default="tests/data/mjcf_compiled_golden.json")
    ap.add_argument("--models", default="models/src")
    args = ap.parse_args()
    out = {"mujoco_version": mujoco.__version__,
           "generator": "tools/oracle/mjcf_sizes_golden.py",
           "models": {}}
    for key, rel in MODELS.items():
        out["models"][key] = {"path": rel, **compiled(os.path.join(args.models, rel))}
    with open(args.output, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
