// SPDX-License-Identifier: Apache-2.0
// Passive forces (MuJoCo's mj_passive): joint springs toward qpos_spring, viscous joint damping,
// and tendon springs and dampers.
#pragma once

#include "engine/core/quat.h"
#include "engine/data.h"
#include "engine/model.h"
#include "muscle/tendon.h"

namespace sinew {

template <typename T>
SINEW_HD void passive(const ModelView<T>& m, WorldData<T>& d) {
  for (int k = 0; k < m.size.nv; ++k) d.qfrc_passive[k] = 0;
  if (m.opt.disableflags & kDisableDamping) return;
  for (int j = 0; j < m.size.njnt; ++j) {
    const T k = m.jnt_stiffness[j];
    if (k == T(0)) continue;
    const int qa = m.jnt_qposadr[j], da = m.jnt_dofadr[j];
    switch (m.jnt_type[j]) {
      case kJointHinge:
      case kJointSlide:
        d.qfrc_passive[da] -= k * (d.qpos[qa] - m.qpos_spring[qa]);
        break;
      case kJointBall: {
        // rotational spring on the quaternion difference (body-frame rotation vector)
        const Vec3<T> dif = quat_sub(quat_normalized(Quat<T>::load(d.qpos + qa)),
                                     quat_normalized(Quat<T>::load(m.qpos_spring + qa)));
        for (int i = 0; i < 3; ++i) d.qfrc_passive[da + i] -= k * dif[i];
        break;
      }
      case kJointFree: {
        for (int i = 0; i < 3; ++i)
          d.qfrc_passive[da + i] -= k * (d.qpos[qa + i] - m.qpos_spring[qa + i]);
        const Vec3<T> dif = quat_sub(quat_normalized(Quat<T>::load(d.qpos + qa + 3)),
                                     quat_normalized(Quat<T>::load(m.qpos_spring + qa + 3)));
        for (int i = 0; i < 3; ++i) d.qfrc_passive[da + 3 + i] -= k * dif[i];
        break;
      }
    }
  }
  for (int k = 0; k < m.size.nv; ++k) d.qfrc_passive[k] -= m.dof_damping[k] * d.qvel[k];
  // tendon springs and dampers: tension -k (L - L_spring) - b dL/dt, projected as J^T tension
  // (springlength < 0 means the length at qpos0, as MuJoCo). Requires tendon, tendon_velocity.
  bool any = false;
  for (int t = 0; t < m.size.ntendon; ++t) {
    const T k = m.tendon_stiffness[t], b = m.tendon_damping[t];
    if (k == T(0) && b == T(0)) continue;
    if (!any) clear_external_wrenches(m, d);
    any = true;
    const T rest = m.tendon_lengthspring[t] < T(0) ? m.tendon_length0[t] : m.tendon_lengthspring[t];
    const T tension = -k * (d.ten_length[t] - rest) - b * d.ten_velocity[t];
    tendon_apply_force_cached(m, d, t, tension, d.qfrc_passive);
  }
  if (any) project_external_wrenches(m, d, d.qfrc_passive);
}

// True when any dof has damping that the Euler integrator treats implicitly.
template <typename T>
SINEW_HD bool has_damping(const ModelView<T>& m) {
  if (m.opt.disableflags & kDisableDamping) return false;
  for (int k = 0; k < m.size.nv; ++k)
    if (m.dof_damping[k] > T(0)) return true;
  return false;
}

}  // namespace sinew
