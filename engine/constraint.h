// SPDX-License-Identifier: Apache-2.0
// Soft constraints with MuJoCo's meaning (MuJoCo documentation, "Computation": constraint model,
// solver parameters; src/engine/engine_core_constraint.c): joint couplings (equality joint
// polycoef), joint and tendon limits (one row per side) and frictional contacts with a pyramidal
// cone. Each
// row i has a Jacobian J_i, a reference acceleration aref_i = -B (J_i v) - K imp (pos_i - margin_i)
// and a regularizer R_i = (1 - imp)/imp * diagA_i. The constrained acceleration minimizes the
// convex primal cost
//   1/2 (a - a_u)^T M (a - a_u) + sum_{i: (J a - aref)_i < 0} 1/2 (J a - aref)_i^2 / R_i,
// whose dual is min_f 1/2 f^T (J M^-1 J^T + R) f + f^T (J a_u - aref), f >= 0;
// solved through its primal form by Newton's method in engine/solver.h.
#pragma once

#include "engine/core/quat.h"
#include "engine/core/real.h"
#include "engine/core/spatial.h"
#include "engine/crba.h"
#include "engine/data.h"
#include "engine/jacobian.h"
#include "engine/model.h"
#include "muscle/tendon.h"

namespace sinew {

// Impedance d(r) of solimp = (d0, dmax, width, midpoint, power) at violation pos - margin
// (MuJoCo's getimpedance).
template <typename T>
SINEW_HD T impedance(const T* solimp, T pos, T margin) {
  const T d0 = solimp[0], dmax = solimp[1], width = solimp[2], mid = solimp[3], p = solimp[4];
  T imp;
  if (d0 == dmax || width <= T(1e-15)) {
    imp = T(0.5) * (d0 + dmax);
  } else {
    T x = s_abs((pos - margin) / width);
    if (x >= T(1)) {
      imp = dmax;
    } else if (x <= T(0)) {
      imp = d0;
    } else {
      T y;
      if (p == T(1))
        y = x;
      else if (x <= mid)
        y = s_pow(x, p) / s_pow(mid, p - T(1));
      else
        y = T(1) - s_pow(T(1) - x, p) / s_pow(T(1) - mid, p - T(1));
      imp = d0 + y * (dmax - d0);
    }
  }
  return s_clamp(imp, T(1e-4), T(0.9999));
}

// Stiffness K and damping B of solref = (timeconst, dampratio) or, when negative, the direct
// (-stiffness, -damping) form; dmax = solimp[1]. timeconst is kept >= 2h (MuJoCo's refsafe).
template <typename T>
SINEW_HD void solref_kb(const T* solref, T dmax, T h, T& K, T& B) {
  T tc = solref[0], dr = solref[1];
  if (tc > 0) {
    tc = s_max(tc, T(2) * h);
    K = T(1) / s_max(T(1e-15), dmax * dmax * tc * tc * dr * dr);
    B = T(2) / s_max(T(1e-15), dmax * tc);
  } else {
    K = -tc / s_max(T(1e-15), dmax * dmax);
    B = -dr / s_max(T(1e-15), dmax);
  }
}

// Starts constraint row *d.nefc with no nonzeros; returns false when the row capacity is
// exhausted.
template <typename T>
SINEW_HD bool begin_row(const ModelView<T>& m, WorldData<T>& d, int type, int id, T pos, T margin) {
  const int i = *d.nefc;
  if (i >= m.size.nefcmax) return false;
  d.efc_nnz[i] = 0;
  d.efc_type[i] = type;
  d.efc_id[i] = id;
  d.efc_pos[i] = pos;
  d.efc_margin[i] = margin;
  return true;
}

// Appends J(i, k) = v to row i (compressed layout, engine/data.h). Entries must come in
// decreasing dof order; zeros are skipped.
template <typename T>
SINEW_HD void row_push(const ModelView<T>& m, WorldData<T>& d, int i, int k, T v) {
  if (v == T(0)) return;
  const int s = d.efc_nnz[i]++;
  d.efc_J[i * m.size.nv + s] = v;
  d.efc_colind[i * m.size.nv + s] = k;
}

// Moves the nonzeros of `dense` (length nv) times `sign` into row i and zeroes `dense`.
template <typename T>
SINEW_HD void row_from_dense(const ModelView<T>& m, WorldData<T>& d, int i, T* dense, T sign) {
  for (int k = m.size.nv - 1; k >= 0; --k) {
    row_push(m, d, i, k, sign * dense[k]);
    dense[k] = 0;
  }
}

// Row i of the constraint Jacobian as a dense vector `out` (length nv), for tests and analysis.
template <typename T>
SINEW_HD void efc_row_dense(const ModelView<T>& m, const WorldData<T>& d, int i, T* out) {
  const int nv = m.size.nv;
  for (int k = 0; k < nv; ++k) out[k] = 0;
  for (int s = 0; s < d.efc_nnz[i]; ++s) out[d.efc_colind[i * nv + s]] += d.efc_J[i * nv + s];
}

// J_i . x for row i.
template <typename T>
SINEW_HD T row_dot(const ModelView<T>& m, const WorldData<T>& d, int i, const T* x) {
  const T* v = d.efc_J + i * m.size.nv;
  const int* c = d.efc_colind + i * m.size.nv;
  T s = 0;
  for (int a = 0; a < d.efc_nnz[i]; ++a) s += v[a] * x[c[a]];
  return s;
}

// Whether row i's nonzeros all lie on the chain of its deepest dof in the Newton Hessian's
// elimination tree (dof_Hparent, which contains every kinematic chain; then J_i^T J_i fits the
// Hessian's packed layout, engine/solver.h): returns that dof, else -1.
template <typename T>
SINEW_HD int row_chain(const ModelView<T>& m, const WorldData<T>& d, int i) {
  const int n = d.efc_nnz[i];
  if (n == 0) return -1;
  const int* c = d.efc_colind + i * m.size.nv;
  int s = 1;
  for (int k = m.dof_Hparent[c[0]]; k >= 0 && s < n && c[s] <= k; k = m.dof_Hparent[k])
    if (c[s] == k) ++s;
  return s == n ? c[0] : -1;
}

// Builds all active rows (equalities, joint limits, contacts, in MuJoCo's order): Jacobians,
// positions, and impedance quantities (aref, R, diagA).
// Requires kinematics, com_pos, com_vel and collision.
template <typename T>
SINEW_HD void make_constraints(const ModelView<T>& m, WorldData<T>& d) {
  const T h = m.timestep;
  *d.nefc = 0;
  // one dense row for Jacobians built by accumulation, kept zero (the solver's Woodbury buffer is
  // free here; scratch_nv is not: RK4 keeps its stage sums there across forward)
  T* dense = d.solver_Z;
  for (int k = 0; k < m.size.nv; ++k) dense[k] = 0;
  // joint couplings (MuJoCo <equality><joint polycoef>): with x = q2 - q2_ref the residual is
  // (q1 - q1_ref) - (c0 + c1 x + ... + c4 x^4), Jacobian [1, -poly'(x)]; without joint 2 the
  // residual is (q1 - q1_ref) - c0. Refs are qpos0.
  for (int e = 0; e < m.size.neq; ++e) {
    if (!m.eq_active[e] || m.eq_type[e] != kEqJoint) continue;
    const int j1 = m.eq_obj1id[e], j2 = m.eq_obj2id[e];
    const T* c = m.eq_data + 5 * e;
    const int q1 = m.jnt_qposadr[j1];
    T rhs = c[0], deriv = 0;
    if (j2 >= 0) {
      const int q2 = m.jnt_qposadr[j2];
      const T x = d.qpos[q2] - m.qpos0[q2];
      rhs = c[0] + x * (c[1] + x * (c[2] + x * (c[3] + x * c[4])));
      deriv = c[1] + x * (T(2) * c[2] + x * (T(3) * c[3] + x * T(4) * c[4]));
    }
    const T pos = d.qpos[q1] - m.qpos0[q1] - rhs;
    if (!begin_row(m, d, kCnstrEquality, e, pos, T(0))) break;
    const int i = *d.nefc, k1 = m.jnt_dofadr[j1], k2 = j2 >= 0 ? m.jnt_dofadr[j2] : -1;
    if (k2 == k1) {
      row_push(m, d, i, k1, T(1) - deriv);
    } else if (k1 > k2) {
      row_push(m, d, i, k1, T(1));
      if (k2 >= 0) row_push(m, d, i, k2, -deriv);
    } else {
      row_push(m, d, i, k2, -deriv);
      row_push(m, d, i, k1, T(1));
    }
    d.efc_diagA[i] = m.dof_invweight0[k1] + (k2 >= 0 ? m.dof_invweight0[k2] : T(0));
    ++*d.nefc;
  }
  // joint limits, one row per violated side
  if (!(m.opt.disableflags & kDisableLimit)) {
    for (int j = 0; j < m.size.njnt; ++j) {
      if (!m.jnt_limited[j]) continue;
      const int type = m.jnt_type[j], da = m.jnt_dofadr[j];
      const T* q = d.qpos + m.jnt_qposadr[j];
      const T lo = m.jnt_range[2 * j], hi = m.jnt_range[2 * j + 1], margin = m.jnt_margin[j];
      if (type == kJointHinge || type == kJointSlide) {
        for (int side = 0; side < 2; ++side) {
          const T pos = side == 0 ? q[0] - lo : hi - q[0];
          if (pos >= margin) continue;
          if (!begin_row(m, d, kCnstrLimitJoint, j, pos, margin)) break;
          row_push(m, d, *d.nefc, da, side == 0 ? T(1) : T(-1));
          d.efc_diagA[*d.nefc] = m.dof_invweight0[da];
          ++*d.nefc;
        }
      } else if (type == kJointBall) {
        Vec3<T> rv = quat_sub(quat_normalized(Quat<T>::load(q)), Quat<T>());
        const T angle = normalize(rv);
        const T pos = hi - angle;
        if (pos < margin && begin_row(m, d, kCnstrLimitJoint, j, pos, margin)) {
          for (int k = 2; k >= 0; --k) row_push(m, d, *d.nefc, da + k, -rv[k]);
          d.efc_diagA[*d.nefc] = m.dof_invweight0[da];
          ++*d.nefc;
        }
      }
    }
  }
  // tendon limits (MuJoCo <tendon limited range solreflimit solimplimit>), one row per violated
  // side, Jacobian +-dL/dq; requires tendon() in the current state
  if (!(m.opt.disableflags & kDisableLimit)) {
    for (int t = 0; t < m.size.ntendon; ++t) {
      if (!m.tendon_limited[t]) continue;
      const T L = d.ten_length[t];
      for (int side = 0; side < 2; ++side) {
        const T pos = side == 0 ? L - m.tendon_range[2 * t] : m.tendon_range[2 * t + 1] - L;
        if (pos >= T(0)) continue;
        if (!begin_row(m, d, kCnstrLimitTendon, t, pos, T(0))) break;
        tendon_jacobian(m, d, t, dense);
        row_from_dense(m, d, *d.nefc, dense, side == 0 ? T(1) : T(-1));
        d.efc_diagA[*d.nefc] = m.tendon_invweight0[t];
        ++*d.nefc;
      }
    }
  }
  // contacts: frictionless (condim 1) or pyramidal (condim 3: edges J_n +- mu J_t)
  if (!(m.opt.disableflags & kDisableContact)) {
    for (int c = 0; c < *d.ncon; ++c) {
      const int b1 = m.geom_bodyid[d.contact_geom[2 * c]];
      const int b2 = m.geom_bodyid[d.contact_geom[2 * c + 1]];
      const Vec3<T> p = Vec3<T>::load(d.contact_pos + 3 * c);
      const Mat3<T> F = Mat3<T>::load(d.contact_frame + 9 * c);
      const T mu = d.contact_mu[c];
      const int dim = d.contact_dim[c];
      const int nrow = dim == 1 ? 1 : 4;
      if (*d.nefc + nrow > m.size.nefcmax) break;
      const T tran = m.body_invweight0[2 * b1] + m.body_invweight0[2 * b2];
      for (int e = 0; e < nrow; ++e) {
        begin_row(m, d, dim == 1 ? kCnstrContactFrictionless : kCnstrContactPyramidal, c,
                  d.contact_dist[c], d.contact_margin[c]);
        Vec3<T> dir(F(0, 0), F(0, 1), F(0, 2));
        if (dim != 1) {
          const int t = 1 + e / 2;
          const T sgn = (e % 2 == 0) ? T(1) : T(-1);
          dir += Vec3<T>(F(t, 0), F(t, 1), F(t, 2)) * (sgn * mu);
        }
        add_point_jacobian(m, d, b2, p, dir, T(1), dense);
        add_point_jacobian(m, d, b1, p, dir, T(-1), dense);
        row_from_dense(m, d, *d.nefc, dense, T(1));
        d.efc_diagA[*d.nefc] = dim == 1 ? tran : tran + mu * mu * tran;
        ++*d.nefc;
      }
    }
  }
  // support of each row: the deepest nonzero dof when all nonzeros lie on its ancestor chain
  // (then J^T D J keeps M's tree sparsity), else -1
  for (int i = 0; i < *d.nefc; ++i) d.efc_chain[i] = row_chain(m, d, i);
  // impedance, reference acceleration and regularizer (mj_makeImpedance, mj_referenceConstraint)
  for (int i = 0; i < *d.nefc; ++i) {
    const T vel = row_dot(m, d, i, d.qvel);
    d.efc_vel[i] = vel;
    const int type = d.efc_type[i], id = d.efc_id[i];
    const T* solref = type == kCnstrLimitJoint    ? m.jnt_solref + 2 * id
                      : type == kCnstrEquality    ? m.eq_solref + 2 * id
                      : type == kCnstrLimitTendon ? m.tendon_solref + 2 * id
                                                  : d.contact_solref + 2 * id;
    const T* solimp = type == kCnstrLimitJoint    ? m.jnt_solimp + 5 * id
                      : type == kCnstrEquality    ? m.eq_solimp + 5 * id
                      : type == kCnstrLimitTendon ? m.tendon_solimp + 5 * id
                                                  : d.contact_solimp + 5 * id;
    const T imp = impedance(solimp, d.efc_pos[i], d.efc_margin[i]);
    T K, B;
    solref_kb(solref, solimp[1], h, K, B);
    d.efc_aref[i] = -B * vel - K * imp * (d.efc_pos[i] - d.efc_margin[i]);
    d.efc_R[i] = s_max(T(1e-15), (T(1) - imp) / imp * d.efc_diagA[i]);
  }
  // pyramidal contacts share one R matching the elliptic model's friction impedance:
  // mu_reg = mu / sqrt(impratio), R_py = 2 mu_reg^2 R_0
  for (int i = 0; i < *d.nefc; ++i) {
    if (d.efc_type[i] != kCnstrContactPyramidal) continue;
    const T mu = d.contact_mu[d.efc_id[i]];
    const T Rpy = T(2) * mu * mu / s_max(T(1e-15), T(m.opt.impratio)) * d.efc_R[i];
    for (int e = 0; e < 4; ++e) d.efc_R[i + e] = Rpy;
    i += 3;
  }
}

}  // namespace sinew
