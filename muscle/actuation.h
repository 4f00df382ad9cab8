// SPDX-License-Identifier: Apache-2.0
// The actuation stage (MuJoCo's mj_fwdActuation semantics): controls -> activation dynamics ->
// actuator force -> generalized force. Muscle actuators use the registered muscle model of
// actuator_model with parameters actuator_muscleprm/dynprm (muscle/muscle_model.h); tendon
// tension is projected with point forces and one backward pass (muscle/tendon.h), no moment-arm
// matrix. Requires kinematics, com_pos, com_vel, tendon and tendon_velocity.
#pragma once

#include "engine/data.h"
#include "engine/model.h"
#include "muscle/muscle_model.h"
#include "muscle/tendon.h"

namespace sinew {

template <typename T>
SINEW_HD void actuation(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  for (int k = 0; k < nv; ++k) d.qfrc_actuator[k] = 0;
  if (m.size.nu == 0) return;
  clear_external_wrenches(m, d);
  bool any_tendon = false;
  for (int u = 0; u < m.size.nu; ++u) {
    const T gear = m.actuator_gear[u];
    const int id = m.actuator_trnid[u];
    // transmission: actuator length and velocity
    T len, vel;
    if (m.actuator_trntype[u] == kTrnTendon) {
      len = gear * d.ten_length[id];
      vel = gear * d.ten_velocity[id];
    } else {
      len = gear * d.qpos[m.jnt_qposadr[id]];
      vel = gear * d.qvel[m.jnt_dofadr[id]];
    }
    d.actuator_length[u] = len;
    d.actuator_velocity[u] = vel;
    // control and activation dynamics
    T ctrl = d.ctrl[u];
    if (m.actuator_ctrllimited[u])
      ctrl = s_clamp(ctrl, m.actuator_ctrlrange[2 * u], m.actuator_ctrlrange[2 * u + 1]);
    const int adr = m.actuator_actadr[u];
    T input = ctrl;
    if (m.actuator_dyntype[u] == kDynMuscle && adr >= 0) {
      d.act_dot[adr] =
          muscle_act_dot(m.actuator_model[u], m.actuator_muscledynprm + 4 * u, ctrl, d.act[adr]);
      input = d.act[adr];
    }
    // force = gain * input + bias
    T gain, bias;
    if (m.actuator_gaintype[u] == kGainMuscle) {
      muscle_gain_bias(m.actuator_model[u], m.actuator_muscleprm + 16 * u, len, vel, &gain, &bias);
      if (m.actuator_biastype[u] != kBiasMuscle) bias = 0;
    } else {
      const T* g = m.actuator_gainprm + 10 * u;
      const T* b = m.actuator_biasprm + 10 * u;
      gain = g[0];
      bias = m.actuator_biastype[u] == kBiasAffine ? b[0] + b[1] * len + b[2] * vel : T(0);
    }
    T force = gain * input + bias;
    if (m.actuator_forcelimited[u])
      force = s_clamp(force, m.actuator_forcerange[2 * u], m.actuator_forcerange[2 * u + 1]);
    d.actuator_force[u] = force;
    // generalized force: J^T (gear * force)
    if (m.actuator_trntype[u] == kTrnTendon) {
      tendon_apply_force_cached(m, d, id, gear * force, d.qfrc_actuator);
      any_tendon = true;
    } else {
      d.qfrc_actuator[m.jnt_dofadr[id]] += gear * force;
    }
  }
  if (any_tendon) project_external_wrenches(m, d, d.qfrc_actuator);
}

}  // namespace sinew
