// SPDX-License-Identifier: Apache-2.0
// Articulated-body algorithm (Featherstone 2008, table 7.1) on com-based quantities: forward
// dynamics qacc = M^-1 (tau - c) in O(nv). Because every spatial quantity is world-aligned about
// one point per tree, no coordinate transforms appear; a body with several dofs is treated as a
// chain of massless virtual links, one per dof (exact: the accelerations simply add).
// Requires kinematics, com_pos and com_vel.
#pragma once

#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// qacc = (M + diag(diag_extra))^-1 (tau - c). `diag_extra` (may be null) adds to each dof's D,
// e.g. h * damping for the implicit velocity update. Armature is part of M. Workspace: aba_*.
// Returns false if a pivot D is not positive.
template <typename T>
SINEW_HD bool aba(const ModelView<T>& m, WorldData<T>& d, const T* tau, T* qacc,
                  const T* diag_extra = nullptr) {
  const int nbody = m.size.nbody;
  // initialize articulated inertias and bias forces with the rigid-body ones
  for (int b = 1; b < nbody; ++b) {
    const SpatialInertia<T> I = SpatialInertia<T>::load(d.cinert + 10 * b);
    const Mat6<T> IA(I);
    for (int i = 0; i < 36; ++i) d.aba_IA[36 * b + i] = IA.a[i];
    const Spatial<T> v = Spatial<T>::load(d.cvel + 6 * b);
    cross_force(v, I * v).store(d.aba_pA + 6 * b);
  }
  bool ok = true;
  // backward pass: fold each body's dofs (last first) and pass to the parent
  for (int b = nbody - 1; b > 0; --b) {
    Mat6<T> IA;
    for (int i = 0; i < 36; ++i) IA.a[i] = d.aba_IA[36 * b + i];
    Spatial<T> pA = Spatial<T>::load(d.aba_pA + 6 * b);
    const int a0 = m.body_dofadr[b];
    for (int k = a0 + m.body_dofnum[b] - 1; k >= a0; --k) {
      const Spatial<T> S = Spatial<T>::load(d.cdof + 6 * k);
      const Spatial<T> U = IA * S;
      const T D = sdot(S, U) + m.dof_armature[k] + (diag_extra ? diag_extra[k] : T(0));
      if (!(D > T(0))) ok = false;
      const T Dinv = D > T(0) ? T(1) / D : T(0);
      const T u = tau[k] - sdot(S, pA);
      U.store(d.aba_U + 6 * k);
      d.aba_Dinv[k] = Dinv;
      d.aba_u[k] = u;
      // IA <- IA - U U^T / D ;  pA <- pA + IA c + U u / D   (Featherstone eq. 7.34-7.35)
      IA.sub_outer(U, U, Dinv);
      const Spatial<T> c = Spatial<T>::load(d.cdof_dot + 6 * k) * d.qvel[k];
      pA += IA * c + U * (u * Dinv);
    }
    const int p = m.body_parent[b];
    if (p > 0) {
      for (int i = 0; i < 36; ++i) d.aba_IA[36 * p + i] += IA.a[i];
      (Spatial<T>::load(d.aba_pA + 6 * p) + pA).store(d.aba_pA + 6 * p);
    }
  }
  // forward pass: accelerations from the root outwards
  Spatial<T> g;
  if (!(m.opt.disableflags & kDisableGravity))
    g.lin = Vec3<T>(-m.gravity[0], -m.gravity[1], -m.gravity[2]);
  g.store(d.cacc);
  for (int b = 1; b < nbody; ++b) {
    Spatial<T> a = Spatial<T>::load(d.cacc + 6 * m.body_parent[b]);
    const int a0 = m.body_dofadr[b];
    for (int k = a0; k < a0 + m.body_dofnum[b]; ++k) {
      a += Spatial<T>::load(d.cdof_dot + 6 * k) * d.qvel[k];
      const Spatial<T> S = Spatial<T>::load(d.cdof + 6 * k);
      const T qdd = (d.aba_u[k] - sdot(Spatial<T>::load(d.aba_U + 6 * k), a)) * d.aba_Dinv[k];
      qacc[k] = qdd;
      a += S * qdd;
    }
    a.store(d.cacc + 6 * b);
  }
  return ok;
}

}  // namespace sinew
