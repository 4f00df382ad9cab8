// SPDX-License-Identifier: Apache-2.0
// Actuator and tendon constants at qpos0 (MuJoCo's mj_setConst / set0, engine_setconst.c):
// tendon_length0, tendon_invweight0 = J M^-1 J^T, actuator_acc0 = |M^-1 moment|, and the
// per-actuator muscle parameters of the chosen muscle model.
#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/crba.h"
#include "engine/data.h"
#include "engine/kinematics.h"
#include "engine/model.h"
#include "muscle/muscle_model.h"
#include "muscle/tendon.h"

namespace sinew {

void set_actuator_const(Model& m) {
  const Sizes& s = m.size;
  if (s.ntendon == 0 && s.nu == 0) return;
  Data<double> data(m, 1);
  const ModelView<double> mv = m.view();
  WorldData<double> d = data.world(0);
  kinematics(mv, d);
  com_pos(mv, d);
  crba(mv, d);
  factor_mass(mv, d);
  tendon(mv, d);
  const int nv = s.nv;
  std::vector<double> row(nv), x(nv);
  std::vector<std::vector<double>> ten_J(s.ntendon, std::vector<double>(nv));
  for (int t = 0; t < s.ntendon; ++t) {
    m.tendon_length0[t] = d.ten_length[t];
    tendon_jacobian(mv, d, t, ten_J[t].data());
    x = ten_J[t];
    solve_mass(mv, d, x.data());
    double w = 0;
    for (int k = 0; k < nv; ++k) w += ten_J[t][k] * x[k];
    m.tendon_invweight0[t] = w;
  }
  for (int u = 0; u < s.nu; ++u) {
    const double gear = m.actuator_gear[u];
    const int id = m.actuator_trnid[u];
    if (m.actuator_trntype[u] == kTrnTendon) {
      for (int k = 0; k < nv; ++k) row[k] = gear * ten_J[id][k];
    } else {
      std::fill(row.begin(), row.end(), 0.0);
      row[m.jnt_dofadr[id]] = gear;
    }
    x = row;
    solve_mass(mv, d, x.data());
    double n2 = 0;
    for (int k = 0; k < nv; ++k) n2 += x[k] * x[k];
    m.actuator_acc0[u] = std::sqrt(n2);
    double* prm = &m.actuator_muscleprm[16 * u];
    double* dynprm = &m.actuator_muscledynprm[4 * u];
    std::fill(prm, prm + 16, 0.0);
    std::fill(dynprm, dynprm + 4, 0.0);
    if (m.actuator_gaintype[u] != kGainMuscle && m.actuator_dyntype[u] != kDynMuscle) continue;
    // MuJoCo's muscle parameters: gainprm[0..8], lengthrange, acc0 (mjmuscle::Prm)
    double mj_prm[12];
    for (int i = 0; i < 9; ++i) mj_prm[i] = m.actuator_gainprm[10 * u + i];
    mj_prm[9] = m.actuator_lengthrange[2 * u];
    mj_prm[10] = m.actuator_lengthrange[2 * u + 1];
    mj_prm[11] = m.actuator_acc0[u];
    if (!muscle_from_mujoco(m.actuator_model[u], mj_prm, &m.actuator_dynprm[10 * u], prm, dynprm))
      throw std::runtime_error(m.source + ": actuator " + std::to_string(u) +
                               ": unknown muscle model id " + std::to_string(m.actuator_model[u]));
  }
}

}  // namespace sinew
