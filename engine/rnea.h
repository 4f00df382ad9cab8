// SPDX-License-Identifier: Apache-2.0
// Recursive Newton-Euler inverse dynamics (Featherstone 2008, table 5.1) on com-based quantities:
//   tau = M(q) qacc + c(q, qvel)
// with c the bias force (Coriolis, centrifugal, gravity). Requires kinematics, com_pos, com_vel.
#pragma once

#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// Writes tau (length nv) = M qacc + c (M includes armature); with qacc == nullptr, tau = c (the
// bias force). Uses d.cacc and d.cfrc as workspace. Gravity enters as an upward acceleration of the
// world.
template <typename T>
SINEW_HD void rnea(const ModelView<T>& m, WorldData<T>& d, const T* qacc, T* tau) {
  const int nbody = m.size.nbody;
  Spatial<T> a0;
  if (!(m.opt.disableflags & kDisableGravity))
    a0.lin = Vec3<T>(-m.gravity[0], -m.gravity[1], -m.gravity[2]);
  a0.store(d.cacc);
  // forward pass: body accelerations and net body forces
  // (bodies without lumped inertia or dofs in their subtree are skipped: m.body_inertial)
  for (int b = 1; b < nbody; ++b) {
    if (!m.body_inertial[b]) continue;
    Spatial<T> a = Spatial<T>::load(d.cacc + 6 * m.body_parent[b]);
    for (int k = m.body_dofadr[b]; k < m.body_dofadr[b] + m.body_dofnum[b]; ++k) {
      a += Spatial<T>::load(d.cdof_dot + 6 * k) * d.qvel[k];
      if (qacc) a += Spatial<T>::load(d.cdof + 6 * k) * qacc[k];
    }
    a.store(d.cacc + 6 * b);
    const SpatialInertia<T> I = SpatialInertia<T>::load(d.cinert + 10 * b);
    const Spatial<T> v = Spatial<T>::load(d.cvel + 6 * b);
    (I * a + cross_force(v, I * v)).store(d.cfrc + 6 * b);
  }
  // backward pass: accumulate subtree forces into parents
  for (int b = nbody - 1; b > 0; --b) {
    const int p = m.body_parent[b];
    if (p > 0 && m.body_inertial[b])
      (Spatial<T>::load(d.cfrc + 6 * p) + Spatial<T>::load(d.cfrc + 6 * b)).store(d.cfrc + 6 * p);
  }
  // project onto the dofs; armature is rotor inertia on the dof itself
  for (int k = 0; k < m.size.nv; ++k) {
    tau[k] = sdot(Spatial<T>::load(d.cdof + 6 * k), Spatial<T>::load(d.cfrc + 6 * m.dof_bodyid[k]));
    if (qacc) tau[k] += m.dof_armature[k] * qacc[k];
  }
}

}  // namespace sinew
