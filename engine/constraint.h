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
// here through its primal form by Newton's method (see solve_constraints).
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

// Appends constraint row `i` bookkeeping; returns false when the row capacity is exhausted.
template <typename T>
SINEW_HD bool begin_row(const ModelView<T>& m, WorldData<T>& d, int type, int id, T pos, T margin) {
  const int i = *d.nefc;
  if (i >= m.size.nefcmax) return false;
  for (int k = 0; k < m.size.nv; ++k) d.efc_J[i * m.size.nv + k] = 0;
  d.efc_type[i] = type;
  d.efc_id[i] = id;
  d.efc_pos[i] = pos;
  d.efc_margin[i] = margin;
  return true;
}

// Builds all active rows (equalities, joint limits, contacts, in MuJoCo's order): Jacobians,
// positions, and impedance quantities (aref, R, diagA).
// Requires kinematics, com_pos, com_vel and collision.
template <typename T>
SINEW_HD void make_constraints(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  const T h = m.timestep;
  *d.nefc = 0;
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
    T* row = d.efc_J + *d.nefc * nv;
    row[m.jnt_dofadr[j1]] += T(1);
    d.efc_diagA[*d.nefc] = m.dof_invweight0[m.jnt_dofadr[j1]];
    if (j2 >= 0) {
      row[m.jnt_dofadr[j2]] -= deriv;
      d.efc_diagA[*d.nefc] += m.dof_invweight0[m.jnt_dofadr[j2]];
    }
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
          d.efc_J[*d.nefc * nv + da] = side == 0 ? T(1) : T(-1);
          d.efc_diagA[*d.nefc] = m.dof_invweight0[da];
          ++*d.nefc;
        }
      } else if (type == kJointBall) {
        Vec3<T> rv = quat_sub(quat_normalized(Quat<T>::load(q)), Quat<T>());
        const T angle = normalize(rv);
        const T pos = hi - angle;
        if (pos < margin && begin_row(m, d, kCnstrLimitJoint, j, pos, margin)) {
          for (int k = 0; k < 3; ++k) d.efc_J[*d.nefc * nv + da + k] = -rv[k];
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
        T* row = d.efc_J + *d.nefc * nv;
        tendon_jacobian(m, d, t, row);
        if (side == 1)
          for (int k = 0; k < nv; ++k) row[k] = -row[k];
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
        T* row = d.efc_J + *d.nefc * nv;
        Vec3<T> dir(F(0, 0), F(0, 1), F(0, 2));
        if (dim != 1) {
          const int t = 1 + e / 2;
          const T sgn = (e % 2 == 0) ? T(1) : T(-1);
          dir += Vec3<T>(F(t, 0), F(t, 1), F(t, 2)) * (sgn * mu);
        }
        add_point_jacobian(m, d, b2, p, dir, T(1), row);
        add_point_jacobian(m, d, b1, p, dir, T(-1), row);
        d.efc_diagA[*d.nefc] = dim == 1 ? tran : tran + mu * mu * tran;
        ++*d.nefc;
      }
    }
  }
  // support of each row: the deepest nonzero dof when all nonzeros lie on its ancestor chain
  // (then J^T D J keeps M's tree sparsity), else -1
  for (int i = 0; i < *d.nefc; ++i) {
    const T* Ji = d.efc_J + i * nv;
    int deepest = -1, nnz = 0;
    for (int k = 0; k < nv; ++k)
      if (Ji[k] != T(0)) {
        deepest = k;
        ++nnz;
      }
    for (int k = deepest; k >= 0; k = m.dof_parentid[k])
      if (Ji[k] != T(0)) --nnz;
    d.efc_chain[i] = nnz == 0 ? deepest : -1;
  }
  // impedance, reference acceleration and regularizer (mj_makeImpedance, mj_referenceConstraint)
  for (int i = 0; i < *d.nefc; ++i) {
    const T* Ji = d.efc_J + i * nv;
    T vel = 0;
    for (int k = 0; k < nv; ++k) vel += Ji[k] * d.qvel[k];
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

// In-place dense Cholesky factorization A = L L^T of a symmetric positive definite n x n matrix
// (lower triangle used and overwritten). Returns false if a pivot is not positive.
template <typename T>
SINEW_HD bool cholesky(T* A, int n) {
  for (int j = 0; j < n; ++j) {
    T djj = A[j * n + j];
    for (int k = 0; k < j; ++k) djj -= A[j * n + k] * A[j * n + k];
    if (!(djj > T(0))) return false;
    const T ljj = s_sqrt(djj);
    A[j * n + j] = ljj;
    const T inv = T(1) / ljj;
    for (int i = j + 1; i < n; ++i) {
      T s = A[i * n + j];
      for (int k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s * inv;
    }
  }
  return true;
}

// Solves L L^T x = x in place with the factor from cholesky().
template <typename T>
SINEW_HD void cholesky_solve(const T* L, int n, T* x) {
  for (int i = 0; i < n; ++i) {
    T s = x[i];
    for (int k = 0; k < i; ++k) s -= L[i * n + k] * x[k];
    x[i] = s / L[i * n + i];
  }
  for (int i = n - 1; i >= 0; --i) {
    T s = x[i];
    for (int k = i + 1; k < n; ++k) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
}

// Whether row i contributes at residual jar: equality rows always, one-sided rows when jar < 0.
template <typename T>
SINEW_HD bool row_active(const WorldData<T>& d, int i, T jar) {
  return d.efc_type[i] == kCnstrEquality || jar < T(0);
}

// Primal cost of acceleration a (MuJoCo's "generalized Gauss principle"):
//   cost(a) = 1/2 (a - a_u)^T M (a - a_u) + sum_{i active} 1/2 D_i jar_i^2,
//   jar = J a - aref, D = 1/R.
// Fills d.efc_jar and r = M (a - a_u) (in `r`); returns the cost.
template <typename T>
SINEW_HD T primal_cost(const ModelView<T>& m, WorldData<T>& d, const T* a, T* r) {
  const int nv = m.size.nv, nefc = *d.nefc;
  T* diff = d.scratch_nv + 3 * nv;
  for (int k = 0; k < nv; ++k) diff[k] = a[k] - d.qacc_smooth[k];
  mul_mass(m, d, diff, r);
  T cost = 0;
  for (int k = 0; k < nv; ++k) cost += T(0.5) * diff[k] * r[k];
  for (int i = 0; i < nefc; ++i) {
    const T* Ji = d.efc_J + i * nv;
    T jar = -d.efc_aref[i];
    for (int k = 0; k < nv; ++k) jar += Ji[k] * a[k];
    d.efc_jar[i] = jar;
    if (row_active(d, i, jar)) cost += T(0.5) * jar * jar / d.efc_R[i];
  }
  return cost;
}

// Exact line search along p for the piecewise-quadratic cost: safeguarded Newton on the
// piecewise-linear, increasing derivative phi'(alpha). `r` = M (a - a_u), `Mp` = M p.
template <typename T>
SINEW_HD T line_search(const ModelView<T>& m, WorldData<T>& d, const T* p, const T* r, T* Mp) {
  const int nv = m.size.nv, nefc = *d.nefc;
  mul_mass(m, d, p, Mp);
  T pMp = 0, pr = 0;
  for (int k = 0; k < nv; ++k) {
    pMp += p[k] * Mp[k];
    pr += p[k] * r[k];
  }
  for (int i = 0; i < nefc; ++i) {
    const T* Ji = d.efc_J + i * nv;
    T jp = 0;
    for (int k = 0; k < nv; ++k) jp += Ji[k] * p[k];
    d.efc_Jp[i] = jp;
  }
  auto deriv = [&](T alpha, T& d2) {
    T d1 = alpha * pMp + pr;
    d2 = pMp;
    for (int i = 0; i < nefc; ++i) {
      const T jar = d.efc_jar[i] + alpha * d.efc_Jp[i];
      if (row_active(d, i, jar)) {
        const T D = T(1) / d.efc_R[i];
        d1 += D * d.efc_Jp[i] * jar;
        d2 += D * d.efc_Jp[i] * d.efc_Jp[i];
      }
    }
    return d1;
  };
  T lo = 0, hi = 1, d2;
  for (int k = 0; k < 60 && deriv(hi, d2) < T(0); ++k) {
    lo = hi;
    hi *= T(2);
  }
  T alpha = hi;
  for (int k = 0; k < 50; ++k) {
    const T d1 = deriv(alpha, d2);
    if (d1 == T(0)) break;
    if (d1 > T(0))
      hi = alpha;
    else
      lo = alpha;
    T next = alpha - d1 / d2;
    if (!(next > lo && next < hi)) next = T(0.5) * (lo + hi);
    if (s_abs(next - alpha) <= RealTraits<T>::kEps * T(4) * s_max(T(1), s_abs(alpha))) {
      alpha = next;
      break;
    }
    alpha = next;
  }
  return alpha;
}

// Most constraint rows off the tree sparsity handled by the Woodbury identity per Newton step.
constexpr int kMaxWoodburyRows = 24;

// Given y = H_tree^-1 v in `p` (factor in d.qH / d.qHDiagInv), overwrites p with
// (H_tree + U^T D U)^-1 v where U = the rows `rows[0..n)` of d.efc_J and D = 1/R:
// p <- y - Z S^-1 U y, Z = H_tree^-1 U^T, S = R + U Z (n x n, Cholesky).
template <typename T>
SINEW_HD bool woodbury_correct(const ModelView<T>& m, WorldData<T>& d, const int* rows, int n,
                               T* p) {
  const int nv = m.size.nv;
  T* Z = d.solver_Z;  // n x nv
  T* S = d.solver_S;  // n x n
  for (int a = 0; a < n; ++a) {
    const T* Ja = d.efc_J + rows[a] * nv;
    T* za = Z + a * nv;
    for (int k = 0; k < nv; ++k) za[k] = Ja[k];
    solve_tree(m, d.qH, d.qHDiagInv, za);
  }
  T w[kMaxWoodburyRows];
  for (int a = 0; a < n; ++a) {
    const T* Ja = d.efc_J + rows[a] * nv;
    T uy = 0;
    for (int k = 0; k < nv; ++k) uy += Ja[k] * p[k];
    w[a] = uy;
    for (int b = 0; b <= a; ++b) {
      const T* zb = Z + b * nv;
      T s = 0;
      for (int k = 0; k < nv; ++k) s += Ja[k] * zb[k];
      S[a * n + b] = s + (a == b ? d.efc_R[rows[a]] : T(0));
    }
  }
  if (!cholesky(S, n)) return false;
  cholesky_solve(S, n, w);
  for (int a = 0; a < n; ++a) {
    const T* za = Z + a * nv;
    for (int k = 0; k < nv; ++k) p[k] -= za[k] * w[a];
  }
  return true;
}

// Solves for the constraint forces by Newton's method on the primal problem (as MuJoCo's default
// solver; "Computation" chapter of the MuJoCo documentation): with the active set
// {i : jar_i < 0}, the Hessian is H = M + J^T D J and each step is followed by an exact line
// search. On entry d.qacc_smooth holds the unconstrained acceleration and d.qM the mass matrix.
// On exit: d.qacc, d.efc_force = -D jar (active rows), d.qfrc_constraint = J^T f and
// d.solver_iter. Converged when the scaled cost improvement or gradient is below opt.tolerance
// (scale = 1 / (meaninertia * nv), MuJoCo's convention).
template <typename T>
SINEW_HD void solve_constraints(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv, nefc = *d.nefc;
  for (int k = 0; k < nv; ++k) {
    d.qacc[k] = d.qacc_smooth[k];
    d.qfrc_constraint[k] = 0;
  }
  *d.solver_iter = 0;
  if (nefc == 0) return;
  T* a = d.qacc;
  T* r = d.scratch_nv;
  T* g = d.scratch_nv + nv;
  T* p = d.scratch_nv + 2 * nv;
  T* Mp = d.scratch_nv + 3 * nv;  // also used as `diff` inside primal_cost (not live across)
  const T scale = T(1) / (m.stat_meaninertia[0] * T(nv > 1 ? nv : 1));
  // a float solve cannot resolve MuJoCo's default 1e-8: floor the tolerance at 10 eps
  const T tol = s_max(T(m.opt.tolerance), T(10) * RealTraits<T>::kEps);
  T prev_cost = 0;
  int it = 0;
  for (; it < m.opt.iterations; ++it) {
    const T cost = primal_cost(m, d, a, r);
    if (it > 0 && scale * (prev_cost - cost) < tol) break;
    // gradient and Hessian H = M + J^T D J of the current active set; when every active row's
    // support is an ancestor chain, H keeps M's tree sparsity and the O(nv depth^2) L^T D L
    // factorization applies, else a dense Cholesky
    // rows whose support is not one ancestor chain (couplings across sibling branches, contacts
    // between two bodies) are kept out of H's tree part and added back by the Woodbury identity
    // (H_tree + U^T D U)^-1 = H_tree^-1 - Z (R + U Z)^-1 Z^T, Z = H_tree^-1 U^T, when there are
    // at most kMaxWoodburyRows of them; otherwise H is factorized densely
    int extra[kMaxWoodburyRows];
    int nextra = 0;
    bool tree = true;
    for (int i = 0; i < nefc; ++i) {
      if (!row_active(d, i, d.efc_jar[i]) || d.efc_chain[i] >= 0) continue;
      if (nextra < kMaxWoodburyRows)
        extra[nextra++] = i;
      else
        tree = false;
    }
    T gnorm = 0;
    for (int k = 0; k < nv; ++k) g[k] = r[k];
    for (int k = 0; k < nv * nv; ++k) d.qH[k] = d.qM[k];
    for (int i = 0; i < nefc; ++i) {
      if (!row_active(d, i, d.efc_jar[i])) continue;
      const T D = T(1) / d.efc_R[i];
      const T* Ji = d.efc_J + i * nv;
      if (tree && d.efc_chain[i] >= 0) {
        for (int k = d.efc_chain[i]; k >= 0; k = m.dof_parentid[k]) {
          if (Ji[k] == T(0)) continue;
          g[k] += D * d.efc_jar[i] * Ji[k];
          const T dj = D * Ji[k];
          for (int l = k; l >= 0; l = m.dof_parentid[l]) d.qH[k * nv + l] += dj * Ji[l];
        }
        continue;
      }
      for (int k = 0; k < nv; ++k) {
        if (Ji[k] == T(0)) continue;
        g[k] += D * d.efc_jar[i] * Ji[k];
        if (tree) continue;  // a Woodbury row: not in H
        const T dj = D * Ji[k];
        for (int l = 0; l <= k; ++l) d.qH[k * nv + l] += dj * Ji[l];
      }
    }
    for (int k = 0; k < nv; ++k) gnorm += g[k] * g[k];
    if (scale * s_sqrt(gnorm) < tol) break;
    for (int k = 0; k < nv; ++k) p[k] = -g[k];
    if (tree) {
      if (!factor_tree(m, d.qH, d.qHDiagInv)) break;
      solve_tree(m, d.qH, d.qHDiagInv, p);
      if (nextra > 0 && !woodbury_correct(m, d, extra, nextra, p)) break;
    } else {
      if (!cholesky(d.qH, nv)) break;
      cholesky_solve(d.qH, nv, p);
    }
    const T alpha = line_search(m, d, p, r, Mp);
    for (int k = 0; k < nv; ++k) a[k] += alpha * p[k];
    prev_cost = cost;
  }
  *d.solver_iter = it;
  primal_cost(m, d, a, r);
  for (int i = 0; i < nefc; ++i) {
    const T f = row_active(d, i, d.efc_jar[i]) ? -d.efc_jar[i] / d.efc_R[i] : T(0);
    d.efc_force[i] = f;
    const T* Ji = d.efc_J + i * nv;
    for (int k = 0; k < nv; ++k) d.qfrc_constraint[k] += Ji[k] * f;
  }
}

}  // namespace sinew
