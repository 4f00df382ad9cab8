// SPDX-License-Identifier: Apache-2.0
// Filling a Model's joint and dof arrays from one joint description: shared by the JSON loader
// (engine/model_io.cpp) and the MJCF importer (engine/mjcf/), so both follow one rule set.
#pragma once

#include <algorithm>

#include "engine/model.h"

namespace sinew {

// One joint as both loaders describe it (MuJoCo semantics; angles in radians).
struct JointFill {
  int type = kJointHinge;
  bool limited = false;
  double pos[3] = {0, 0, 0}, axis[3] = {0, 0, 1}, range[2] = {0, 0};
  double solref[2] = {0.02, 1}, solimp[5] = {0.9, 0.95, 0.001, 0.5, 2};
  double stiffness = 0, margin = 0, ref = 0, springref = 0, damping = 0, armature = 0;
};

// Writes joint j of body b at qpos address qa and dof address da (both advanced past the joint):
// jnt_*, qpos0 / qpos_spring (ref for hinge/slide, identity for ball, the body pose
// `body_pos`/`body_quat` for free, as MuJoCo), and dof_bodyid/jntid/damping/armature.
inline void fill_joint(Model& m, int j, int b, const JointFill& f, const double* body_pos,
                       const double* body_quat, int& qa, int& da) {
  m.jnt_type[j] = f.type;
  m.jnt_bodyid[j] = b;
  m.jnt_qposadr[j] = qa;
  m.jnt_dofadr[j] = da;
  m.jnt_limited[j] = f.limited ? 1 : 0;
  std::copy(f.pos, f.pos + 3, &m.jnt_pos[3 * j]);
  std::copy(f.axis, f.axis + 3, &m.jnt_axis[3 * j]);
  std::copy(f.range, f.range + 2, &m.jnt_range[2 * j]);
  std::copy(f.solref, f.solref + 2, &m.jnt_solref[2 * j]);
  std::copy(f.solimp, f.solimp + 5, &m.jnt_solimp[5 * j]);
  m.jnt_stiffness[j] = f.stiffness;
  m.jnt_margin[j] = f.margin;
  if (f.type == kJointFree) {
    std::copy(body_pos, body_pos + 3, &m.qpos0[qa]);
    std::copy(body_quat, body_quat + 4, &m.qpos0[qa + 3]);
    std::copy(&m.qpos0[qa], &m.qpos0[qa] + 7, &m.qpos_spring[qa]);
  } else if (f.type == kJointBall) {
    m.qpos0[qa] = m.qpos_spring[qa] = 1;
  } else {
    m.qpos0[qa] = f.ref;
    m.qpos_spring[qa] = f.springref;
  }
  for (int k = 0; k < joint_nv(f.type); ++k) {
    m.dof_bodyid[da + k] = b;
    m.dof_jntid[da + k] = j;
    m.dof_damping[da + k] = f.damping;
    m.dof_armature[da + k] = f.armature;
  }
  qa += joint_nq(f.type);
  da += joint_nv(f.type);
}

}  // namespace sinew
