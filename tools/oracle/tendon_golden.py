#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/data/tendon_golden.json: MuJoCo's tendon lengths, velocities and Jacobians
(ten_length, ten_velocity, dense ten_J) and path points on a small hand-written scene, for
tests/muscle/tendon_test.cpp, which rebuilds the same scene as a Sinew Model from the compiled
arrays stored here and compares (lengths 1e-9, velocities 1e-8, Jacobians 1e-7).

The scene: a 4-body arm (hinge, hinge+hinge, hinge+slide, ball) and a free-floating body, with
spatial tendons over spheres and infinite cylinders, with side sites outside and inside the wrap
geoms and without side sites, a pulley (divisor 2) with a wrap in its second branch, a tendon to
the free body and a fixed tendon. 20 states: hinge angles uniform in [-1.5, 1.5], slide in
[-0.05, 0.05], random ball and free orientations, free position near its qpos0, velocities
uniform in [-1, 1].

Usage: .venv-oracle/bin/python tools/oracle/tendon_golden.py [-o tests/data/tendon_golden.json]
The MuJoCo version is pinned in tools/oracle/requirements.txt and recorded in the output.
"""
import argparse
import json

import mujoco
import numpy as np

SCENE = """
<mujoco model="tendon_golden">
  <compiler angle="radian"/>
  <option timestep="0.002"/>
  <worldbody>
    <site name="w_top" pos="0.08 0 0.2"/>
    <site name="w_free" pos="0.3 0.1 0.3"/>
    <body name="upper" pos="0 0 0">
      <joint name="shoulder" type="hinge" axis="0 1 0"/>
      <geom name="upper_bone" type="capsule" fromto="0 0 0 0 0 -0.4" size="0.03"
            contype="0" conaffinity="0"/>
      <geom name="shoulder_cyl" type="cylinder" size="0.05 0.05" zaxis="0 1 0"
            contype="0" conaffinity="0" mass="0.1"/>
      <site name="shoulder_side" pos="0.1 0 0"/>
      <site name="u_a" pos="0.07 0.02 -0.2"/>
      <site name="u_b" pos="0.05 0 -0.1"/>
      <site name="u_c" pos="-0.02 0 -0.1"/>
      <site name="u_d" pos="0 0.06 -0.25"/>
      <body name="fore" pos="0 0 -0.4" quat="0.98 0.1 0.1 0.05">
        <joint name="elbow" type="hinge" axis="0 1 0"/>
        <joint name="elbow_twist" type="hinge" axis="1 0 0" pos="0 0 -0.02"/>
        <geom name="fore_bone" type="capsule" fromto="0 0 0 0 0 -0.35" size="0.025"
              contype="0" conaffinity="0"/>
        <geom name="elbow_sph" type="sphere" size="0.06" contype="0" conaffinity="0"
              mass="0.2"/>
        <geom name="fore_cyl" type="cylinder" size="0.04 0.02" pos="0 0 -0.2" zaxis="1 0.2 0"
              contype="0" conaffinity="0" mass="0.05"/>
        <site name="elbow_side" pos="0.1 0 0"/>
        <site name="f_a" pos="-0.05 0 -0.1"/>
        <site name="f_b" pos="0.06 0 -0.3"/>
        <site name="f_c" pos="0 -0.07 -0.12"/>
        <body name="hand" pos="0 0 -0.35">
          <joint name="wrist" type="hinge" axis="0.2 1 0"/>
          <joint name="wrist_slide" type="slide" axis="0 0 1"/>
          <geom name="hand_sph" type="sphere" size="0.05" contype="0" conaffinity="0"/>
          <geom name="hand_cyl" type="cylinder" size="0.03 0.02" pos="0 0 -0.08" zaxis="0 1 0"
                contype="0" conaffinity="0" mass="0.05"/>
          <geom name="hand_cyl2" type="cylinder" size="0.03 0.02" pos="0 0 -0.05"
                zaxis="0 1 0" contype="0" conaffinity="0" mass="0.05"/>
          <site name="hand_in" pos="-0.02 0 0"/>
          <site name="hand_cyl2_in" pos="0 0.01 -0.05"/>
          <site name="h_d" pos="0.06 0 -0.12"/>
          <site name="h_e" pos="-0.05 0 -0.06"/>
          <site name="hand_cyl_side" pos="0.05 0 -0.08"/>
          <site name="h_a" pos="0.03 0 -0.1"/>
          <site name="h_b" pos="-0.08 0 -0.1"/>
          <site name="h_c" pos="0.0 0.05 -0.15"/>
          <body name="finger" pos="0 0 -0.15">
            <joint name="knuckle" type="ball"/>
            <geom name="finger_bone" type="capsule" fromto="0 0 0 0 0 -0.1" size="0.015"
                  contype="0" conaffinity="0"/>
            <site name="g_a" pos="0.02 0 -0.08"/>
            <site name="g_b" pos="0.04 0 -0.02"/>
          </body>
        </body>
      </body>
    </body>
    <body name="float" pos="0.5 0 0">
      <freejoint name="float_free"/>
      <geom name="float_box" type="box" size="0.05 0.04 0.03" contype="0" conaffinity="0"/>
      <geom name="float_sph" type="sphere" size="0.04" pos="0 0 0.05" contype="0"
            conaffinity="0"/>
      <site name="float_side" pos="-0.1 0 0.05"/>
      <site name="fl_a" pos="0.03 0.02 0.1"/>
    </body>
  </worldbody>
  <tendon>
    <!-- shoulder cylinder with an outside side site, then the elbow sphere with one -->
    <spatial name="over_shoulder_elbow">
      <site site="w_top"/>
      <geom geom="shoulder_cyl" sidesite="shoulder_side"/>
      <site site="u_a"/>
      <site site="u_b"/>
      <geom geom="elbow_sph" sidesite="elbow_side"/>
      <site site="h_a"/>
    </spatial>
    <!-- side sites inside the wrap geoms: sphere (hand) and cylinder (forearm) -->
    <spatial name="inside_sphere">
      <site site="f_a"/>
      <geom geom="hand_sph" sidesite="hand_in"/>
      <site site="h_b"/>
    </spatial>
    <spatial name="inside_cylinder">
      <site site="u_d"/>
      <site site="f_c"/>
      <site site="f_b"/>
      <geom geom="hand_cyl2" sidesite="hand_cyl2_in"/>
      <site site="h_d"/>
    </spatial>
    <!-- no side sites: the shorter way around -->
    <spatial name="no_side">
      <site site="u_c"/>
      <geom geom="elbow_sph"/>
      <site site="h_e"/>
      <geom geom="hand_cyl"/>
      <site site="g_b"/>
    </spatial>
    <!-- pulley with a wrap in the second branch -->
    <spatial name="pulley">
      <site site="u_b"/>
      <site site="f_a"/>
      <pulley divisor="2"/>
      <site site="f_a"/>
      <geom geom="hand_cyl" sidesite="hand_cyl_side"/>
      <site site="g_a"/>
    </spatial>
    <!-- to the free body, around a sphere on it -->
    <spatial name="to_free">
      <site site="w_free"/>
      <geom geom="float_sph" sidesite="float_side"/>
      <site site="fl_a"/>
      <site site="h_c"/>
    </spatial>
    <fixed name="fixed">
      <joint joint="shoulder" coef="0.5"/>
      <joint joint="wrist" coef="-1.2"/>
      <joint joint="wrist_slide" coef="2"/>
    </fixed>
  </tendon>
</mujoco>
"""

NSTATE = 20


def random_quat(rng, max_angle=None):
    if max_angle is None:
        q = rng.normal(size=4)
        return q / np.linalg.norm(q)
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    ang = rng.uniform(-max_angle, max_angle)
    return np.concatenate([[np.cos(ang / 2)], np.sin(ang / 2) * axis])


def sample_state(m, rng):
    qpos = m.qpos0.copy()
    for j in range(m.njnt):
        a = m.jnt_qposadr[j]
        t = m.jnt_type[j]
        if t == mujoco.mjtJoint.mjJNT_HINGE:
            qpos[a] = rng.uniform(-1.5, 1.5)
        elif t == mujoco.mjtJoint.mjJNT_SLIDE:
            qpos[a] = rng.uniform(-0.05, 0.05)
        elif t == mujoco.mjtJoint.mjJNT_BALL:
            qpos[a:a + 4] = random_quat(rng, 1.0)
        else:  # free
            qpos[a:a + 3] = m.qpos0[a:a + 3] + rng.uniform(-0.1, 0.1, size=3)
            qpos[a + 3:a + 7] = random_quat(rng)
    qvel = rng.uniform(-1, 1, size=m.nv)
    return qpos, qvel


def flat(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def ints(a):
    return [int(x) for x in np.asarray(a).ravel()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default="tests/data/tendon_golden.json")
    args = ap.parse_args()

    m = mujoco.MjModel.from_xml_string(SCENE)
    d = mujoco.MjData(m)
    rng = np.random.default_rng(20240611)

    model = {
        "nbody": m.nbody, "njnt": m.njnt, "nq": m.nq, "nv": m.nv, "ngeom": m.ngeom,
        "nsite": m.nsite, "ntendon": m.ntendon, "nwrap": m.nwrap,
        "body_parent": ints(m.body_parentid), "body_pos": flat(m.body_pos),
        "body_quat": flat(m.body_quat), "body_ipos": flat(m.body_ipos),
        "body_iquat": flat(m.body_iquat), "body_mass": flat(m.body_mass),
        "body_inertia": flat(m.body_inertia),
        "jnt_type": ints(m.jnt_type), "jnt_bodyid": ints(m.jnt_bodyid),
        "jnt_qposadr": ints(m.jnt_qposadr), "jnt_dofadr": ints(m.jnt_dofadr),
        "jnt_pos": flat(m.jnt_pos), "jnt_axis": flat(m.jnt_axis), "qpos0": flat(m.qpos0),
        "geom_type": ints(m.geom_type), "geom_bodyid": ints(m.geom_bodyid),
        "geom_pos": flat(m.geom_pos), "geom_quat": flat(m.geom_quat),
        "geom_size": flat(m.geom_size),
        "site_bodyid": ints(m.site_bodyid), "site_pos": flat(m.site_pos),
        "site_quat": flat(m.site_quat),
        "tendon_adr": ints(m.tendon_adr), "tendon_num": ints(m.tendon_num),
        "wrap_type": ints(m.wrap_type), "wrap_objid": ints(m.wrap_objid),
        "wrap_prm": flat(m.wrap_prm),
        "tendon_name": [mujoco.mj_id2name(m, mujoco.mjtObj.mjOBJ_TENDON, i)
                        for i in range(m.ntendon)],
    }

    states = []
    nwrapped = np.zeros(m.ntendon, dtype=int)
    for _ in range(NSTATE):
        qpos, qvel = sample_state(m, rng)
        d.qpos[:] = qpos
        d.qvel[:] = qvel
        mujoco.mj_forward(m, d)
        J = np.zeros((m.ntendon, m.nv))
        mujoco.mju_sparse2dense(J, d.ten_J, m.ten_J_rownnz, m.ten_J_rowadr, m.ten_J_colind)
        # count tendons whose path has tangent points (wrap_obj >= 0)
        for t in range(m.ntendon):
            a, n = d.ten_wrapadr[t], d.ten_wrapnum[t]
            if np.any(d.wrap_obj[a:a + n] >= 0):
                nwrapped[t] += 1
        states.append({
            "qpos": flat(d.qpos), "qvel": flat(d.qvel),
            "ten_length": flat(d.ten_length), "ten_velocity": flat(d.ten_velocity),
            "ten_J": flat(J),
            "ten_wrapadr": ints(d.ten_wrapadr), "ten_wrapnum": ints(d.ten_wrapnum),
            "wrap_obj": ints(d.wrap_obj), "wrap_xpos": flat(d.wrap_xpos),
            "site_xpos": flat(d.site_xpos),
        })

    out = {
        "generator": "tools/oracle/tendon_golden.py",
        "mujoco_version": mujoco.__version__,
        "model": model,
        "states": states,
    }
    with open(args.output, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    names = model["tendon_name"]
    print(f"wrote {args.output}: {NSTATE} states, MuJoCo {mujoco.__version__}")
    print("states with a wrap, per tendon:", dict(zip(names, nwrapped.tolist())))


if __name__ == "__main__":
    main()
