// SPDX-License-Identifier: Apache-2.0
// Composite-rigid-body algorithm for the joint-space mass matrix (Featherstone 2008, table 6.2) and
// its tree-sparse L^T D L factorization (Featherstone 2008, sec. 6.5; the same factorization
// MuJoCo's mj_factorM uses). M is stored dense (nv x nv, row-major); the factorization only
// touches entries (i, j) with j an ancestor dof of i, so its cost is O(nv * depth^2).
#pragma once

#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// Composite inertias crb[b] = inertia of the subtree rooted at b (com-based).
template <typename T>
SINEW_HD void composite_inertia(const ModelView<T>& m, WorldData<T>& d) {
  for (int i = 0; i < 10 * m.size.nbody; ++i) d.crb[i] = d.cinert[i];
  for (int b = m.size.nbody - 1; b > 0; --b) {
    const int p = m.body_parent[b];
    if (p > 0) {
      SpatialInertia<T> Ip = SpatialInertia<T>::load(d.crb + 10 * p);
      Ip += SpatialInertia<T>::load(d.crb + 10 * b);
      Ip.store(d.crb + 10 * p);
    }
  }
}

// Mass matrix M (with armature, plus `diag_extra[k]` on the diagonal when given, e.g. h * damping)
// into d.qM, both triangles filled. Requires com_pos.
template <typename T>
SINEW_HD void crba(const ModelView<T>& m, WorldData<T>& d, const T* diag_extra = nullptr) {
  const int nv = m.size.nv;
  composite_inertia(m, d);
  for (int i = 0; i < nv * nv; ++i) d.qM[i] = 0;
  for (int i = 0; i < nv; ++i) {
    const SpatialInertia<T> Ic = SpatialInertia<T>::load(d.crb + 10 * m.dof_bodyid[i]);
    const Spatial<T> F = Ic * Spatial<T>::load(d.cdof + 6 * i);
    for (int j = i; j >= 0; j = m.dof_parentid[j]) {
      const T v = sdot(Spatial<T>::load(d.cdof + 6 * j), F);
      d.qM[i * nv + j] = v;
      d.qM[j * nv + i] = v;
    }
    d.qM[i * nv + i] += m.dof_armature[i] + (diag_extra ? diag_extra[i] : T(0));
  }
}

// Factorizes, in place, a symmetric matrix A (nv x nv, dense storage) whose nonzeros (i, j) all
// have j an ancestor dof of i or i of j, as A = L^T D L: on return the strictly-lower ancestor
// entries hold L (unit lower triangular) and diaginv = 1/D. Only ancestor entries are read or
// written, so the cost is O(nv * depth^2) (Featherstone 2008, sec. 6.5). Returns false if a pivot
// is not positive.
template <typename T>
SINEW_HD bool factor_tree(const ModelView<T>& m, T* L, T* diaginv) {
  const int nv = m.size.nv;
  bool ok = true;
  for (int k = nv - 1; k >= 0; --k) {
    const T Dk = L[k * nv + k];
    if (!(Dk > T(0))) ok = false;
    const T invD = Dk > T(0) ? T(1) / Dk : T(0);
    for (int i = m.dof_parentid[k]; i >= 0; i = m.dof_parentid[i]) {
      const T t = L[k * nv + i] * invD;
      for (int j = i; j >= 0; j = m.dof_parentid[j]) L[i * nv + j] -= t * L[k * nv + j];
      L[k * nv + i] = t;
    }
    diaginv[k] = invD;
  }
  return ok;
}

// Solves A x = x in place with the factorization from factor_tree.
template <typename T>
SINEW_HD void solve_tree(const ModelView<T>& m, const T* L, const T* diaginv, T* x) {
  const int nv = m.size.nv;
  for (int k = nv - 1; k >= 0; --k)  // x <- L^-T x
    for (int i = m.dof_parentid[k]; i >= 0; i = m.dof_parentid[i]) x[i] -= L[k * nv + i] * x[k];
  for (int k = 0; k < nv; ++k) x[k] *= diaginv[k];  // x <- D^-1 x
  for (int k = 0; k < nv; ++k)                      // x <- L^-1 x
    for (int i = m.dof_parentid[k]; i >= 0; i = m.dof_parentid[i]) x[k] -= L[k * nv + i] * x[i];
}

// Factorizes d.qM = L^T D L into d.qLD and d.qLDiagInv. Returns false if a pivot is not positive.
template <typename T>
SINEW_HD bool factor_mass(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  for (int i = 0; i < nv * nv; ++i) d.qLD[i] = d.qM[i];
  return factor_tree(m, d.qLD, d.qLDiagInv);
}

// Solves M x = x in place using the factorization from factor_mass.
template <typename T>
SINEW_HD void solve_mass(const ModelView<T>& m, const WorldData<T>& d, T* x) {
  solve_tree(m, d.qLD, d.qLDiagInv, x);
}

// y = M x using the ancestor entries of d.qM (M(i, j) = 0 unless one dof is an ancestor of the
// other): O(nv * depth).
template <typename T>
SINEW_HD void mul_mass(const ModelView<T>& m, const WorldData<T>& d, const T* x, T* y) {
  const int nv = m.size.nv;
  for (int i = 0; i < nv; ++i) y[i] = d.qM[i * nv + i] * x[i];
  for (int i = 0; i < nv; ++i)
    for (int j = m.dof_parentid[i]; j >= 0; j = m.dof_parentid[j]) {
      const T mij = d.qM[i * nv + j];
      y[i] += mij * x[j];
      y[j] += mij * x[i];
    }
}

}  // namespace sinew
