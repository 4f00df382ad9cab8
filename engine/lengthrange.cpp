// SPDX-License-Identifier: Apache-2.0
// Actuator length ranges by MuJoCo's simulation procedure (engine/lengthrange.h).
#include "engine/lengthrange.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/crba.h"
#include "engine/data.h"
#include "engine/forward.h"
#include "engine/kinematics.h"
#include "muscle/tendon.h"

namespace sinew {

namespace {

// Result of one actuator's two runs.
struct LrResult {
  bool computed = false;
  double range[2] = {0, 0};
  std::string error, note;
};

std::string actuator_label(const Model& m, int u) {
  std::string s = "actuator " + std::to_string(u);
  if (u < static_cast<int>(m.actuator_name.size()) && !m.actuator_name[u].empty())
    s += " '" + m.actuator_name[u] + "'";
  return s;
}

// The model the procedure simulates: MuJoCo's LengthRange replaces the disable flags by
// contact | gravity | spring | damper | frictionloss | actuation (so limits and equalities are
// on whatever the model says), sets the procedure's timestep, and steps with Euler (mj_step2
// integrates RK4 models with Euler). Actuation off = every actuator's force is zero.
Model procedure_model(const Model& m, const LengthRangeOptions& opt) {
  Model mc = m;
  mc.opt.disableflags = kDisableContact | kDisableGravity | kDisableDamping;
  if (opt.timestep > 0) mc.opt.timestep = opt.timestep;
  mc.opt.integrator = kIntegratorEuler;
  mc.opt.energy = false;
  for (int u = 0; u < mc.size.nu; ++u) {
    mc.actuator_gaintype[u] = kGainFixed;
    mc.actuator_biastype[u] = kBiasNone;
    mc.actuator_gainprm[kNumActPrm * u] = 0;
    mc.actuator_forcelimited[u] = 0;
  }
  return mc;
}

// Runs both sides for actuator u on world d of model view mv (built from the procedure model).
LrResult run_actuator(const Model& m, const ModelView<double>& mv, WorldData<double>& d, int u,
                      const LengthRangeOptions& opt) {
  LrResult r;
  const int nv = mv.size.nv;
  const double gear = m.actuator_gear[u];
  const int id = m.actuator_trnid[u];
  const bool on_tendon = m.actuator_trntype[u] == kTrnTendon;
  const double decay = std::exp(-mv.timestep / std::max(0.01, opt.timeconst));
  std::vector<double> moment(nv), x(nv);
  double lmin[2] = {0, 0}, lmax[2] = {0, 0};
  for (int side = 0; side < 2; ++side) {
    reset_world(mv, d);
    *d.flag = kFlagNone;
    bool updated = false;
    while (*d.time < opt.inttotal) {
      for (int k = 0; k < nv; ++k) d.qvel[k] *= decay;
      // position stage of the current state: actuator length, moment and the mass matrix
      kinematics(mv, d);
      com_pos(mv, d);
      if (mv.size.ntendon > 0) tendon(mv, d);
      crba(mv, d);
      factor_mass(mv, d);
      double len;
      if (on_tendon) {
        len = gear * d.ten_length[id];
        tendon_jacobian(mv, d, id, moment.data());
        for (int k = 0; k < nv; ++k) moment[k] *= gear;
      } else {
        len = gear * d.qpos[m.jnt_qposadr[id]];
        std::fill(moment.begin(), moment.end(), 0.0);
        moment[m.jnt_dofadr[id]] = gear;
      }
      // force for an acceleration of norm accel along M^-1 moment, signed by the side
      x = moment;
      solve_mass(mv, d, x.data());
      double nrm = 0;
      for (int k = 0; k < nv; ++k) nrm += x[k] * x[k];
      nrm = std::sqrt(nrm);
      const double scale = (2 * side - 1) * opt.accel / std::max(1e-15, nrm);
      double fnrm = 0;
      for (int k = 0; k < nv; ++k) {
        d.qfrc_applied[k] = scale * moment[k];
        fnrm += d.qfrc_applied[k] * d.qfrc_applied[k];
      }
      fnrm = std::sqrt(fnrm);
      if (opt.maxforce > 0 && fnrm > opt.maxforce)
        for (int k = 0; k < nv; ++k) d.qfrc_applied[k] *= opt.maxforce / std::max(1e-15, fnrm);
      step(mv, d);
      if (*d.flag != kFlagNone || *d.time == 0) {
        r.error = "unstable lengthrange simulation in " + actuator_label(m, u);
        return r;
      }
      if (*d.time > opt.inttotal - opt.interval) {
        if (len < lmin[side] || !updated) lmin[side] = len;
        if (len > lmax[side] || !updated) lmax[side] = len;
        updated = true;
      }
    }
  }
  r.range[0] = lmin[0];
  r.range[1] = lmax[1];
  std::ostringstream os;
  const double dif = r.range[1] - r.range[0];
  if (!(dif > 0)) {
    os << "invalid lengthrange (" << r.range[0] << ", " << r.range[1] << ") in "
       << actuator_label(m, u);
    r.error = os.str();
    return r;
  }
  for (int side = 0; side < 2; ++side) {
    if (lmax[side] - lmin[side] > opt.tolrange * dif) {
      os << "lengthrange computation did not converge in " << actuator_label(m, u) << " ("
         << (side == 0 ? "shortest" : "longest") << " side varies in (" << lmin[side] << ", "
         << lmax[side] << ") over the last " << opt.interval << " s; range (" << r.range[0] << ", "
         << r.range[1] << "))";
      r.error = os.str();
      return r;
    }
  }
  r.computed = true;
  return r;
}

}  // namespace

bool lengthrange_needed(const Model& m, int u, const LengthRangeOptions& opt) {
  const bool muscle =
      m.actuator_gaintype[u] == kGainMuscle || m.actuator_biastype[u] == kBiasMuscle;
  // Sinew has no user gain/bias types: muscleuser selects the muscles
  if (opt.mode == LengthRangeOptions::kNone) return false;
  if ((opt.mode == LengthRangeOptions::kMuscle || opt.mode == LengthRangeOptions::kMuscleUser) &&
      !muscle)
    return false;
  if (opt.useexisting && m.actuator_lengthrange[2 * u] < m.actuator_lengthrange[2 * u + 1])
    return false;
  return true;
}

std::vector<std::string> compute_lengthrange(Model& m, const LengthRangeOptions& opt, int threads) {
  std::vector<std::string> notes;
  std::vector<int> todo;
  bool changed = false;
  for (int u = 0; u < m.size.nu; ++u) {
    if (!lengthrange_needed(m, u, opt)) continue;
    const int id = m.actuator_trnid[u];
    if (opt.uselimit && m.actuator_trntype[u] == kTrnJoint && m.jnt_limited[id]) {
      m.actuator_lengthrange[2 * u] = m.jnt_range[2 * id];
      m.actuator_lengthrange[2 * u + 1] = m.jnt_range[2 * id + 1];
      changed = true;
    } else if (opt.uselimit && m.actuator_trntype[u] == kTrnTendon && m.tendon_limited[id]) {
      m.actuator_lengthrange[2 * u] = m.tendon_range[2 * id];
      m.actuator_lengthrange[2 * u + 1] = m.tendon_range[2 * id + 1];
      changed = true;
    } else {
      todo.push_back(u);
    }
  }
  if (!todo.empty()) {
    const Model mc = procedure_model(m, opt);
    const ModelView<double> mv = mc.view();
    std::vector<LrResult> res(todo.size());
    int nthread = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
    nthread = std::max(1, std::min<int>(nthread, static_cast<int>(todo.size())));
    std::atomic<size_t> next{0};
    // each task is one actuator; every worker owns one world (no exception leaves a thread)
    auto worker = [&]() {
      size_t i = next++;
      try {
        Data<double> data(mc, 1);
        WorldData<double> d = data.world(0);
        for (; i < todo.size(); i = next++) res[i] = run_actuator(m, mv, d, todo[i], opt);
      } catch (const std::exception& e) {
        if (i < todo.size()) res[i].error = actuator_label(m, todo[i]) + ": " + e.what();
      }
    };
    if (nthread == 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < nthread; ++t) pool.emplace_back(worker);
      for (std::thread& t : pool) t.join();
    }
    for (size_t i = 0; i < todo.size(); ++i) {
      if (res[i].error.empty() && !res[i].computed)
        res[i].error = actuator_label(m, todo[i]) + ": lengthrange not computed";
      if (!res[i].error.empty()) throw std::runtime_error(m.source + ": " + res[i].error);
      if (!res[i].note.empty()) notes.push_back(res[i].note);
      m.actuator_lengthrange[2 * todo[i]] = res[i].range[0];
      m.actuator_lengthrange[2 * todo[i] + 1] = res[i].range[1];
      changed = true;
    }
  }
  if (changed) set_actuator_const(m);
  return notes;
}

}  // namespace sinew
