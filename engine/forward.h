// SPDX-License-Identifier: Apache-2.0
// One simulation step of one world, as a readable list of stages (cf. MuJoCo's mj_step and
// mj_forward). Every stage is a SINEW_HD function; engine/cpu loops this over worlds on a thread
// pool and engine/cuda launches it, one thread per world.
#pragma once

#include "engine/aba.h"
#include "engine/collision.h"
#include "engine/constraint.h"
#include "engine/core/real.h"
#include "engine/crba.h"
#include "engine/data.h"
#include "engine/integrate.h"
#include "engine/kinematics.h"
#include "engine/model.h"
#include "engine/passive.h"
#include "engine/rnea.h"
#include "engine/solver.h"
#include "muscle/actuation.h"
#include "muscle/tendon.h"

namespace sinew {

// Potential (gravity + joint springs) and kinetic energy into d.energy[0], d.energy[1].
// Requires kinematics, com_pos and com_vel.
template <typename T>
SINEW_HD void energy(const ModelView<T>& m, WorldData<T>& d) {
  T pe = 0, ke = 0;
  if (!(m.opt.disableflags & kDisableGravity))
    for (int b = 1; b < m.size.nbody; ++b)
      pe -= m.body_mass[b] * (m.gravity[0] * d.xipos[3 * b] + m.gravity[1] * d.xipos[3 * b + 1] +
                              m.gravity[2] * d.xipos[3 * b + 2]);
  for (int j = 0; j < m.size.njnt; ++j) {
    const int qa = m.jnt_qposadr[j];
    if (m.jnt_stiffness[j] != T(0) && m.jnt_type[j] >= kJointSlide) {
      const T dq = d.qpos[qa] - m.qpos_spring[qa];
      pe += T(0.5) * m.jnt_stiffness[j] * dq * dq;
    }
  }
  for (int b = 1; b < m.size.nbody; ++b) {
    const Spatial<T> v = Spatial<T>::load(d.cvel + 6 * b);
    ke += T(0.5) * sdot(v, SpatialInertia<T>::load(d.cinert + 10 * b) * v);
  }
  for (int k = 0; k < m.size.nv; ++k) ke += T(0.5) * m.dof_armature[k] * d.qvel[k] * d.qvel[k];
  d.energy[0] = pe;
  d.energy[1] = ke;
}

// M (d.qM, d.qM_tree) and its factorization (d.qLD); false if a pivot is not positive.
template <typename T>
SINEW_HD bool mass_and_factor(const ModelView<T>& m, WorldData<T>& d) {
  crba(m, d);
  return factor_mass(m, d);
}

// d.qacc_smooth = M^-1 (qfrc_smooth - qfrc_bias) with the factorization from mass_and_factor. ABA
// (the partner of the RNEA/CRBA identity tests) gives the same result to round-off but costs as
// much as CRBA, the factorization and RNEA together, and twice per step with damping; it is the
// fallback when M could not be factored.
template <typename T>
SINEW_HD void smooth_acceleration(const ModelView<T>& m, WorldData<T>& d, bool factored) {
  if (!factored) {
    aba(m, d, d.qfrc_smooth, d.qacc_smooth);
    return;
  }
  for (int k = 0; k < m.size.nv; ++k) d.qacc_smooth[k] = d.qfrc_smooth[k] - d.qfrc_bias[k];
  solve_mass(m, d, d.qacc_smooth);
}

// Everything that depends on positions and velocities, up to the constrained acceleration:
// fills qacc_smooth, the constraint rows and forces, and qacc.
template <typename T>
SINEW_HD void forward(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  // position: poses, inertias, motion subspaces, contacts
  kinematics(m, d);
  com_pos(m, d);
  if (m.opt.disableflags & kDisableContact)
    *d.ncon = 0;
  else
    collision(m, d);
  if (m.size.ntendon > 0) tendon(m, d);
  // velocity: body velocities and velocity-product terms, tendon velocities
  com_vel(m, d);
  if (m.size.ntendon > 0) tendon_velocity(m, d);
  if (m.opt.energy) energy(m, d);
  // forces: actuators (activation dynamics, muscle forces, tendon projection), passive, applied;
  // bias forces enter inside ABA
  actuation(m, d);
  passive(m, d);
  for (int k = 0; k < nv; ++k)
    d.qfrc_smooth[k] = d.qfrc_applied[k] + d.qfrc_passive[k] + d.qfrc_actuator[k];
  // unconstrained acceleration qacc_smooth = M^-1 (qfrc_smooth - c), in MuJoCo's order: CRBA
  // and the tree-sparse L^T D L factorization, RNEA's bias force c, two triangular solves; M and c
  // are reused by the constraint solve and the implicit-damping update (euler_update)
  const bool factored = mass_and_factor(m, d);
  rnea(m, d, static_cast<const T*>(nullptr), d.qfrc_bias);
  smooth_acceleration(m, d, factored);
  // constraints
  make_constraints(m, d);
  solve_constraints(m, d);
}

// Resets one world to qpos0 with zero velocity, applied force, activation and control (the flag
// is kept so the caller can count it).
template <typename T>
SINEW_HD void reset_world(const ModelView<T>& m, WorldData<T>& d) {
  for (int i = 0; i < m.size.nq; ++i) d.qpos[i] = m.qpos0[i];
  for (int k = 0; k < m.size.nv; ++k) {
    d.qvel[k] = 0;
    d.qacc[k] = 0;
    d.qacc_warmstart[k] = 0;
    d.qfrc_applied[k] = 0;
  }
  for (int i = 0; i < m.size.na; ++i) d.act[i] = 0;
  for (int u = 0; u < m.size.nu; ++u) d.ctrl[u] = 0;
  *d.time = 0;
}

// Returns a WorldFlag for non-finite or huge entries (|x| > kMaxVal) of qpos, qvel, qacc or act.
template <typename T>
SINEW_HD int check_state(const ModelView<T>& m, const WorldData<T>& d) {
  const T big = RealTraits<T>::kMaxVal;
  for (int i = 0; i < m.size.nq; ++i)
    if (!s_isfinite(d.qpos[i]) || s_abs(d.qpos[i]) > big) return kFlagBadQpos;
  for (int k = 0; k < m.size.nv; ++k)
    if (!s_isfinite(d.qvel[k]) || s_abs(d.qvel[k]) > big) return kFlagBadQvel;
  for (int k = 0; k < m.size.nv; ++k)
    if (!s_isfinite(d.qacc[k]) || s_abs(d.qacc[k]) > big) return kFlagBadQacc;
  for (int i = 0; i < m.size.na; ++i)
    if (!s_isfinite(d.act[i]) || s_abs(d.act[i]) > big) return kFlagBadAct;
  return kFlagNone;
}

// Semi-implicit Euler with implicit joint damping in MuJoCo's order: the constraint forces are
// solved with the plain M (in forward), then v <- v + h (M + h B)^-1 (f_smooth + f_constraint - c),
// q <- q (+) h v.
template <typename T>
SINEW_HD void euler_update(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  const T h = m.timestep;
  // activations first, with the act_dot of this step (MuJoCo's mj_advance; muscle activations
  // are not clamped: the muscle shortcut sets no actlimited)
  for (int i = 0; i < m.size.na; ++i) d.act[i] += h * d.act_dot[i];
  if (has_damping(m)) {
    // (M + h B) acc = f_smooth + f_constraint - c with M and c from forward: M + h B refactored in
    // d.qLD (packed, M's sparsity), as MuJoCo's mj_implicit/mj_Euler do
    T* acc = d.scratch_nv;
    const int n = tree_size(m);
    for (int i = 0; i < n; ++i) d.qLD[i] = d.qM_tree[i];
    for (int k = 0; k < nv; ++k) {
      d.qLD[m.dof_Madr[k] + m.dof_Mnum[k] - 1] += h * m.dof_damping[k];
      acc[k] = d.qfrc_smooth[k] + d.qfrc_constraint[k] - d.qfrc_bias[k];
    }
    if (factor_tree(m, d.qLD, d.qLDiagInv)) {
      solve_tree(m, d.qLD, d.qLDiagInv, acc);
    } else {
      T* hb = d.scratch_nv + nv;
      T* tau = d.scratch_nv + 2 * nv;
      for (int k = 0; k < nv; ++k) {
        hb[k] = h * m.dof_damping[k];
        tau[k] = d.qfrc_smooth[k] + d.qfrc_constraint[k];
      }
      aba(m, d, tau, acc, hb);
    }
    for (int k = 0; k < nv; ++k) d.qvel[k] += h * acc[k];
  } else {
    for (int k = 0; k < nv; ++k) d.qvel[k] += h * d.qacc[k];
  }
  integrate_pos(m, d.qpos, d.qvel, h);
  *d.time += h;
}

// Classic 4th-order Runge-Kutta on (q, v, act); each stage runs `forward` (damping explicit).
template <typename T>
SINEW_HD void rk4_update(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv, nq = m.size.nq;
  const T h = m.timestep;
  T* q0 = d.scratch_nq;
  T* v0 = d.scratch_nv;
  T* vsum = d.scratch_nv + nv;      // sum of b_i v_i
  T* asum = d.scratch_nv + 2 * nv;  // sum of b_i a_i
  const T b[4] = {T(1) / 6, T(1) / 3, T(1) / 3, T(1) / 6};
  const T c[3] = {T(0.5), T(0.5), T(1)};
  const int na = m.size.na;
  T* act0 = d.scratch_na;
  T* actsum = d.scratch_na + na;  // sum of b_i act_dot_i
  for (int i = 0; i < nq; ++i) q0[i] = d.qpos[i];
  for (int k = 0; k < nv; ++k) {
    v0[k] = d.qvel[k];
    vsum[k] = b[0] * d.qvel[k];
    asum[k] = b[0] * d.qacc[k];  // stage 1 = the forward already computed
  }
  for (int i = 0; i < na; ++i) {
    act0[i] = d.act[i];
    actsum[i] = b[0] * d.act_dot[i];
  }
  for (int s = 1; s < 4; ++s) {
    // stage state: q = q0 (+) c h v_prev, v = v0 + c h a_prev
    T* vprev = d.scratch_nv + 3 * nv;
    for (int k = 0; k < nv; ++k) vprev[k] = d.qvel[k];
    for (int i = 0; i < nq; ++i) d.qpos[i] = q0[i];
    integrate_pos(m, d.qpos, vprev, c[s - 1] * h);
    for (int k = 0; k < nv; ++k) d.qvel[k] = v0[k] + c[s - 1] * h * d.qacc[k];
    for (int i = 0; i < na; ++i) d.act[i] = act0[i] + c[s - 1] * h * d.act_dot[i];
    forward(m, d);
    for (int k = 0; k < nv; ++k) {
      vsum[k] += b[s] * d.qvel[k];
      asum[k] += b[s] * d.qacc[k];
    }
    for (int i = 0; i < na; ++i) actsum[i] += b[s] * d.act_dot[i];
  }
  for (int i = 0; i < na; ++i) d.act[i] = act0[i] + h * actsum[i];
  for (int i = 0; i < nq; ++i) d.qpos[i] = q0[i];
  integrate_pos(m, d.qpos, vsum, h);
  for (int k = 0; k < nv; ++k) d.qvel[k] = v0[k] + h * asum[k];
  *d.time += h;
}

// One step of one world. A world whose state becomes non-finite or huge is flagged (d.flag) and
// reset to qpos0; the caller counts and clears flags.
template <typename T>
SINEW_HD void step(const ModelView<T>& m, WorldData<T>& d) {
  forward(m, d);
  int flag = check_state(m, d);
  if (flag == kFlagNone) {
    // the next constraint solve may start here (solver_start; MuJoCo's mj_advance keeps it too)
    for (int k = 0; k < m.size.nv; ++k) d.qacc_warmstart[k] = d.qacc[k];
    if (m.opt.integrator == kIntegratorRK4) {
      // the RK4 stages re-run forward; keep the energy of the step's initial state
      const T pe = d.energy[0], ke = d.energy[1];
      rk4_update(m, d);
      d.energy[0] = pe;
      d.energy[1] = ke;
    } else {
      euler_update(m, d);
    }
    flag = check_state(m, d);
  }
  if (flag != kFlagNone) {
    *d.flag = flag;
    reset_world(m, d);
  }
}

}  // namespace sinew
