// SPDX-License-Identifier: Apache-2.0
// Position integration on the joint manifold and the integrators' velocity updates.
#pragma once

#include "engine/core/quat.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// qpos <- qpos (+) h * qvel: hinge and slide add, ball and free rotations integrate the
// body-frame angular velocity on the unit quaternion; free translations use the world-frame
// linear velocity (MuJoCo's mj_integratePos).
template <typename T>
SINEW_HD void integrate_pos(const ModelView<T>& m, T* qpos, const T* qvel, T h) {
  for (int j = 0; j < m.size.njnt; ++j) {
    T* q = qpos + m.jnt_qposadr[j];
    const T* v = qvel + m.jnt_dofadr[j];
    switch (m.jnt_type[j]) {
      case kJointFree:
        for (int i = 0; i < 3; ++i) q[i] += h * v[i];
        quat_integrate(Quat<T>::load(q + 3), Vec3<T>::load(v + 3), h).store(q + 3);
        break;
      case kJointBall:
        quat_integrate(Quat<T>::load(q), Vec3<T>::load(v), h).store(q);
        break;
      default:
        q[0] += h * v[0];
    }
  }
}

// Normalizes the quaternions of ball and free joints in qpos.
template <typename T>
SINEW_HD void normalize_quats(const ModelView<T>& m, T* qpos) {
  for (int j = 0; j < m.size.njnt; ++j) {
    const int type = m.jnt_type[j];
    if (type != kJointFree && type != kJointBall) continue;
    T* q = qpos + m.jnt_qposadr[j] + (type == kJointFree ? 3 : 0);
    quat_normalized(Quat<T>::load(q)).store(q);
  }
}

}  // namespace sinew
