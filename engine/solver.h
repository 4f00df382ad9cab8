// SPDX-License-Identifier: Apache-2.0
// Constraint solver: Newton's method on the primal problem, MuJoCo's default solver (MuJoCo
// documentation, "Computation", sections "Solver" and "Newton"). With the rows of
// engine/constraint.h, jar = J a - aref and D = 1/R, the constrained acceleration minimizes
//   cost(a) = 1/2 (a - a_u)^T M (a - a_u) + sum_{i active} 1/2 D_i jar_i^2,
// active = equality rows always, other rows where jar_i < 0. Each iteration solves
// H p = -grad with H = M + J_A^T D J_A, then does an exact line search along p.
//
// Cost per iteration is kept near O(nnz(J) + sum of squared chain lengths):
//  - J rows are compressed (engine/data.h), so every J product touches only nonzeros;
//  - H is dense below 60 dofs (option jacobian) (engine/dense_chol.h); above, H is factorized in
//    the packed layout (engine/crba.h) of an elimination tree that contains M's tree and every
//    joint coupling (Model::hessian_elimination_tree) when every active row lies on one of its
//    chains; up to
//    kMaxWoodburyRows rows that do not (couplings across sibling branches, contacts between two
//    bodies) are added by the Woodbury identity; beyond that H is dense;
//  - the factorization is reused while the active set does not change (then H is unchanged), and
//    when it changes, the rows that enter or leave modify the factor by rank-one updates
//    (update_tree for the tree factor, chol_upper_rank1 for the dense one) instead of a
//    refactorization (hessian_update).
#pragma once

#include "engine/constraint.h"
#include "engine/core/real.h"
#include "engine/crba.h"
#include "engine/data.h"
#include "engine/dense_chol.h"
#include "engine/model.h"

#ifdef SINEW_SOLVER_STATS
inline long g_nfactor = 0, g_nextra = 0;
#endif
namespace sinew {

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

// x += scale * J_i^T.
template <typename T>
SINEW_HD void row_axpy(const ModelView<T>& m, const WorldData<T>& d, int i, T scale, T* x) {
  const T* v = d.efc_J + i * m.size.nv;
  const int* c = d.efc_colind + i * m.size.nv;
  for (int a = 0; a < d.efc_nnz[i]; ++a) x[c[a]] += scale * v[a];
}

// Primal cost of acceleration a (MuJoCo's "generalized Gauss principle"):
//   cost(a) = 1/2 (a - a_u)^T M (a - a_u) + sum_{i active} 1/2 D_i jar_i^2,   D = 1/R,
// given r = M (a - a_u) and d.efc_jar = J a - aref at a.
// `jar` (default d.efc_jar) is J a - aref.
template <typename T>
SINEW_HD T primal_cost(const ModelView<T>& m, const WorldData<T>& d, const T* a, const T* r,
                       const T* jar = nullptr) {
  if (!jar) jar = d.efc_jar;
  T cost = 0;
  for (int k = 0; k < m.size.nv; ++k) cost += T(0.5) * (a[k] - d.qacc_smooth[k]) * r[k];
  for (int i = 0; i < *d.nefc; ++i)
    if (row_active(d, i, jar[i])) cost += T(0.5) * jar[i] * jar[i] / d.efc_R[i];
  return cost;
}

// Starting point of the Newton solve (MuJoCo's warmstart in mj_fwdConstraint): the previous step's
// constrained acceleration d.qacc_warmstart when its cost is lower than that of qacc_smooth, else
// qacc_smooth. Sets a, r = M (a - a_u) and d.efc_jar at a (d.efc_Jp is scratch).
template <typename T>
SINEW_HD void solver_start(const ModelView<T>& m, WorldData<T>& d, T* a, T* r) {
  const int nv = m.size.nv, nefc = *d.nefc;
  for (int i = 0; i < nefc; ++i) d.efc_jar[i] = row_dot(m, d, i, d.qacc_smooth) - d.efc_aref[i];
  for (int k = 0; k < nv; ++k) {
    a[k] = d.qacc_smooth[k];
    r[k] = 0;
  }
  if (m.opt.disableflags & kDisableWarmstart) return;
  // cost at qacc_smooth: the constraint term alone (r = 0)
  const T cost_smooth = primal_cost(m, d, a, r);
  T* dw = d.scratch_nv + 3 * nv;
  T* rw = d.scratch_nv + 2 * nv;
  for (int k = 0; k < nv; ++k) dw[k] = d.qacc_warmstart[k] - d.qacc_smooth[k];
  mul_mass(m, d, dw, rw);
  T* jar_w = d.efc_Jp;
  for (int i = 0; i < nefc; ++i) jar_w[i] = row_dot(m, d, i, d.qacc_warmstart) - d.efc_aref[i];
  const T cost_warm = primal_cost(m, d, d.qacc_warmstart, rw, jar_w);
  if (!(cost_warm < cost_smooth)) return;
  for (int k = 0; k < nv; ++k) {
    a[k] = d.qacc_warmstart[k];
    r[k] = rw[k];
  }
  for (int i = 0; i < nefc; ++i) d.efc_jar[i] = jar_w[i];
}

// Exact line search along p for the piecewise-quadratic cost: safeguarded Newton on the
// piecewise-linear, increasing derivative phi'(alpha). `r` = M (a - a_u); fills `Mp` = M p and
// d.efc_Jp = J p.
template <typename T>
SINEW_HD T line_search(const ModelView<T>& m, WorldData<T>& d, const T* p, const T* r, T* Mp) {
  const int nv = m.size.nv, nefc = *d.nefc;
  mul_mass(m, d, p, Mp);
  T pMp = 0, pr = 0;
  for (int k = 0; k < nv; ++k) {
    pMp += p[k] * Mp[k];
    pr += p[k] * r[k];
  }
  // efc_force holds D_i (J p)_i during the search (the forces are written after the solve)
  T* DJp = d.efc_force;
  for (int i = 0; i < nefc; ++i) {
    d.efc_Jp[i] = row_dot(m, d, i, p);
    DJp[i] = d.efc_Jp[i] / d.efc_R[i];
  }
  auto deriv = [&](T alpha, T& d2) {
    T d1 = alpha * pMp + pr;
    d2 = pMp;
    for (int i = 0; i < nefc; ++i) {
      const T jar = d.efc_jar[i] + alpha * d.efc_Jp[i];
      if (row_active(d, i, jar)) {
        d1 += DJp[i] * jar;
        d2 += DJp[i] * d.efc_Jp[i];
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
// Whether the Newton Hessian is factorized densely: only when the model asks for it (option
// `jacobian` = dense; auto and sparse take the elimination-tree layout, falling back to dense
// beyond kMaxWoodburyRows rows off its chains). History: on 2026-12-03, with M's tree and the
// patella couplings as Woodbury rows, the dense factor was faster on MS-Human-700-Locomotion
// (nv 36: 63 vs 70 us/step) and auto followed MuJoCo's rule (dense below 60 dofs). With the
// elimination tree (2026-12-04, one core, 4 alternating runs of 4000 steps) the tree path is
// faster on every model tried: Locomotion 53.0 vs 54.7 us/step (median; callgrind -2 % of
// instructions), humanoid30 (nv 30) 19.6-21.1 vs 26.4-29.4, myofinger (nv 4) level.
template <typename T>
SINEW_HD bool dense_hessian(const ModelView<T>& m) {
  return m.opt.jacobian == kJacobianDense;
}

// How the current Newton Hessian H = M + J_A^T D J_A is factorized: `tree` (packed L^T D L of the
// chain rows' part H_tree in d.qH / d.qHDiagInv, plus the Woodbury rows `extra`) or dense
// (H = U^T U, U in d.qH, engine/dense_chol.h).
struct NewtonHessian {
  bool tree = true;
  int nextra = 0;
  int extra[kMaxWoodburyRows];
};

// Woodbury factors for the rows U = J_extra (Woodbury 1950; Golub & Van Loan, "Matrix
// Computations", sec. 2.1.4): (H_tree + U^T D U)^-1 = H_tree^-1 - H_tree^-1 U^T S^-1 U H_tree^-1
// with S = R + U H_tree^-1 U^T. With H_tree = L^T D_t L, S = R + Y^T D_t^-1 Y for
// Y = L^-T U^T, whose columns are nonzero only on the ancestor chains of each row's nonzeros
// (the first pass of solve_tree skips zeros), so S costs a few chain walks, not n full solves.
// Y goes to d.solver_Z (n x nv), the Cholesky factor of S to d.solver_S.
template <typename T>
SINEW_HD bool woodbury_factor(const ModelView<T>& m, WorldData<T>& d, const NewtonHessian& h) {
  const int nv = m.size.nv, n = h.nextra;
  T* Y = d.solver_Z;
  T* S = d.solver_S;
  for (int a = 0; a < n; ++a) {
    T* ya = Y + a * nv;
    efc_row_dense(m, d, h.extra[a], ya);
    solve_tree_lt(hessian_layout(m), d.qH, ya);
  }
  for (int a = 0; a < n; ++a) {
    const T* ya = Y + a * nv;
    for (int b = 0; b <= a; ++b) {
      const T* yb = Y + b * nv;
      T s = a == b ? d.efc_R[h.extra[a]] : T(0);
      for (int k = 0; k < nv; ++k) s += ya[k] * d.qHDiagInv[k] * yb[k];
      S[a * n + b] = s;
    }
  }
#ifdef SINEW_SOLVER_STATS
  g_nextra += n;
#endif
  return cholesky(S, n);
}

// p <- (H_tree + U^T D U)^-1 p = H_tree^-1 (p - U^T S^-1 U H_tree^-1 p): two tree solves.
template <typename T>
SINEW_HD void woodbury_solve(const ModelView<T>& m, WorldData<T>& d, const NewtonHessian& h, T* p) {
  const int nv = m.size.nv, n = h.nextra;
  T* y = d.scratch_nv + 3 * nv;
  const TreeLayout tl = hessian_layout(m);
  for (int k = 0; k < nv; ++k) y[k] = p[k];
  solve_tree(tl, d.qH, d.qHDiagInv, y);
  T w[kMaxWoodburyRows];
  for (int a = 0; a < n; ++a) w[a] = row_dot(m, d, h.extra[a], y);
  cholesky_solve(d.solver_S, n, w);
  for (int a = 0; a < n; ++a) row_axpy(m, d, h.extra[a], -w[a], p);
  solve_tree(tl, d.qH, d.qHDiagInv, p);
}

// Builds and factorizes H for the active set in d.efc_active (see NewtonHessian). Returns false
// if a factorization fails.
template <typename T>
SINEW_HD bool hessian_factor(const ModelView<T>& m, WorldData<T>& d, NewtonHessian& h) {
  const int nv = m.size.nv, nefc = *d.nefc;
  h.tree = !dense_hessian(m);
  h.nextra = 0;
  for (int i = 0; i < nefc && h.tree; ++i) {
    if (!d.efc_active[i] || d.efc_chain[i] >= 0) continue;
    if (h.nextra < kMaxWoodburyRows)
      h.extra[h.nextra++] = i;
    else
      h.tree = false;
  }
  // Sparse layout: up to kMaxWoodburyRows extra rows the tree + Woodbury factorization is kept
  // (on MS-Human-700, nv 85, it costs less than the dense factor); beyond, H is dense.
  if (h.tree) {
    // H_tree = M + sum over active chain rows of D J_i^T J_i, in the packed layout of the
    // elimination tree (hessian_layout): entry (k, l) with l an ancestor of k (or k) sits at row
    // k, position dof_Hnum[l] - 1. M's entries are copied as they are when the two layouts are
    // equal, else scattered along the kinematic chains (the fill entries start at zero).
    const TreeLayout tl = hessian_layout(m);
    const int n = layout_size(tl);
    if (n == tree_size(m)) {
      for (int e = 0; e < n; ++e) d.qH[e] = d.qM_tree[e];
    } else {
      for (int e = 0; e < n; ++e) d.qH[e] = 0;
      for (int k = 0; k < nv; ++k) {
        const T* Mk = d.qM_tree + m.dof_Madr[k];
        T* Hk = d.qH + m.dof_Hadr[k];
        for (int l = k; l >= 0; l = m.dof_parentid[l])
          Hk[m.dof_Hnum[l] - 1] = Mk[m.dof_Mnum[l] - 1];
      }
    }
    for (int i = 0; i < nefc; ++i) {
      if (!d.efc_active[i] || d.efc_chain[i] < 0) continue;
      const T D = T(1) / d.efc_R[i];
      const T* v = d.efc_J + i * nv;
      const int* c = d.efc_colind + i * nv;
      for (int a = 0; a < d.efc_nnz[i]; ++a) {
        T* Hk = d.qH + m.dof_Hadr[c[a]];
        const T dv = D * v[a];
        for (int b = a; b < d.efc_nnz[i]; ++b) Hk[m.dof_Hnum[c[b]] - 1] += dv * v[b];
      }
    }
    if (!factor_tree(tl, d.qH, d.qHDiagInv)) return false;
    return h.nextra == 0 || woodbury_factor(m, d, h);
  }
  // dense: upper triangle of M + J_A^T D J_A (column indices decrease along a row, so c[b] <=
  // c[a] for b >= a)
  for (int e = 0; e < nv * nv; ++e) d.qH[e] = 0;
  for (int i = 0; i < nv; ++i) {  // M from the packed rows: (ancestor j, i) is above the diagonal
    const T* Mi = d.qM_tree + m.dof_Madr[i];
    for (int j = i; j >= 0; j = m.dof_parentid[j]) d.qH[j * nv + i] = Mi[m.dof_Mnum[j] - 1];
  }
  for (int i = 0; i < nefc; ++i) {
    if (!d.efc_active[i]) continue;
    const T D = T(1) / d.efc_R[i];
    const T* v = d.efc_J + i * nv;
    const int* c = d.efc_colind + i * nv;
    for (int a = 0; a < d.efc_nnz[i]; ++a) {
      T* col = d.qH + c[a];
      const T dv = D * v[a];
      for (int b = a; b < d.efc_nnz[i]; ++b) col[c[b] * nv] += dv * v[b];
    }
  }
  return chol_upper_factor(d.qH, nv);
}

// Overwrites p with H^-1 p using the factors from hessian_factor.
template <typename T>
SINEW_HD void hessian_solve(const ModelView<T>& m, WorldData<T>& d, const NewtonHessian& h, T* p) {
  if (!h.tree) {
    chol_upper_solve(d.qH, m.size.nv, p);
    return;
  }
  if (h.nextra > 0)
    woodbury_solve(m, d, h, p);
  else
    solve_tree(hessian_layout(m), d.qH, d.qHDiagInv, p);
}

// The dense counterpart of hessian_update (below): each row that enters or leaves the active set
// modifies U by a rank-one update or downdate with sqrt(D_i) J_i. Marks d.efc_active; returns
// false when refactorizing is needed or cheaper.
template <typename T>
SINEW_HD bool hessian_update_dense(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv, nefc = *d.nefc;
  // a rank-one modification costs ~nv^2 / 2 multiply-adds, a refactorization ~nv^3 / 6 plus the
  // assembly: refactorize when more than nv / 3 rows change
  int changes = 0;
  for (int i = 0; i < nefc; ++i)
    changes += (row_active(d, i, d.efc_jar[i]) ? 1 : 0) != d.efc_active[i];
  bool ok = 3 * changes <= nv;
  T* w = d.scratch_nv + 3 * nv;
  for (int i = 0; i < nefc; ++i) {
    const int act = row_active(d, i, d.efc_jar[i]) ? 1 : 0;
    if (ok && act != d.efc_active[i]) {
      efc_row_dense(m, d, i, w);
      const T sd = s_sqrt(T(1) / d.efc_R[i]);
      for (int k = 0; k < nv; ++k) w[k] *= sd;
      ok = chol_upper_rank1(d.qH, nv, w, act ? T(1) : T(-1));
    }
    d.efc_active[i] = act;
  }
  return ok;
}

// Brings the factorization up to date with the active set at the current d.efc_jar without
// refactorizing (dense factors: hessian_update_dense). Tree path: each chain row that enters or
// leaves the active set
// is a rank-one modification +-D_i J_i^T J_i of H_tree (update_tree); then the Woodbury rows are
// re-collected and their factors rebuilt (they depend on H_tree's factor). Marks d.efc_active.
// Returns false when a full hessian_factor is needed instead (a modification failed, too many
// Woodbury rows, or the updates would cost more than refactorizing); d.efc_active is then
// current. The Newton direction only needs H up to round-off: the gradient and the exact line
// search decide the iterate, so the accuracy of the solution does not depend on the update path.
template <typename T>
SINEW_HD bool hessian_update(const ModelView<T>& m, WorldData<T>& d, NewtonHessian& h) {
  if (!h.tree) return hessian_update_dense(m, d);
  const int nv = m.size.nv, nefc = *d.nefc;
  // cost of the modifications (sum of chain lengths squared) against a refactorization
  // (a modification walks the chain's rows: ~c^2 multiply-adds for a chain of length c; a
  // factorization ~sum(Mnum^2)/2 plus the assembly)
  long cost = 0, full = 0;
  for (int k = 0; k < nv; ++k) full += (long)m.dof_Hnum[k] * m.dof_Hnum[k] / 2;
  bool ok = h.tree;
  for (int i = 0; i < nefc; ++i) {
    const int act = row_active(d, i, d.efc_jar[i]) ? 1 : 0;
    if (act == d.efc_active[i] || d.efc_chain[i] < 0) continue;
    const long c = m.dof_Hnum[d.efc_chain[i]];
    cost += c * c;
  }
  if (cost > full) ok = false;
  T* w = d.scratch_nv + 3 * nv;  // zero between uses (update_tree clears it)
  if (ok)
    for (int k = 0; k < nv; ++k) w[k] = 0;
  h.nextra = 0;
  for (int i = 0; i < nefc; ++i) {
    const int act = row_active(d, i, d.efc_jar[i]) ? 1 : 0;
    if (ok && act != d.efc_active[i] && d.efc_chain[i] >= 0) {
      row_axpy(m, d, i, T(1), w);
      ok = update_tree(hessian_layout(m), d.qH, d.qHDiagInv, w, d.efc_chain[i],
                       (act ? T(1) : T(-1)) / d.efc_R[i]);
    }
    d.efc_active[i] = act;
    if (act && d.efc_chain[i] < 0) {
      if (h.nextra < kMaxWoodburyRows)
        h.extra[h.nextra++] = i;
      else
        ok = false;
    }
  }
  return ok && (h.nextra == 0 || woodbury_factor(m, d, h));
}

// Marks the active rows at the current d.efc_jar in d.efc_active; returns whether any changed.
template <typename T>
SINEW_HD bool update_active(WorldData<T>& d) {
  bool changed = false;
  for (int i = 0; i < *d.nefc; ++i) {
    const int act = row_active(d, i, d.efc_jar[i]) ? 1 : 0;
    changed = changed || act != d.efc_active[i];
    d.efc_active[i] = act;
  }
  return changed;
}

// Solves for the constraint forces by Newton's method on the primal problem (see the file
// comment), starting from the unconstrained acceleration. On entry d.qacc_smooth holds it and
// d.qM / d.qM_tree the mass matrix. On exit: d.qacc, d.efc_force = -D jar (active rows),
// d.qfrc_constraint = J^T f and d.solver_iter. Converged when the scaled cost improvement or
// gradient is below opt.tolerance (scale = 1 / (meaninertia * nv), MuJoCo's convention).
// r = M (a - a_u) and jar are updated along each step (r += alpha M p, jar += alpha J p, both
// from the line search) instead of being recomputed.
template <typename T>
SINEW_HD void solve_constraints(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv, nefc = *d.nefc;
  T* a = d.qacc;
  T* r = d.scratch_nv;
  T* g = d.scratch_nv + nv;
  T* p = d.scratch_nv + 2 * nv;
  T* Mp = d.scratch_nv + 3 * nv;  // also scratch inside hessian_solve (not live across)
  for (int k = 0; k < nv; ++k) {
    a[k] = d.qacc_smooth[k];
    d.qfrc_constraint[k] = 0;
  }
  *d.solver_iter = 0;
  if (nefc == 0) return;  // scratch_nv untouched (RK4 keeps its stage sums there)
  solver_start(m, d, a, r);
  const T scale = T(1) / (m.stat_meaninertia[0] * T(nv > 1 ? nv : 1));
  // a float solve cannot resolve MuJoCo's default 1e-8: floor the tolerance at 10 eps
  const T tol = s_max(T(m.opt.tolerance), T(10) * RealTraits<T>::kEps);
  NewtonHessian hess;
  bool factored = false;
  T prev_cost = 0;
  int it = 0;
  for (; it < m.opt.iterations; ++it) {
    const T cost = primal_cost(m, d, a, r);
    if (it > 0 && scale * (prev_cost - cost) < tol) break;
    // gradient r + J_A^T D jar at the current active set; converged iterates stop here, before
    // any work on the Hessian
    for (int k = 0; k < nv; ++k) g[k] = r[k];
    bool changed = false;
    for (int i = 0; i < nefc; ++i) {
      const T jar = d.efc_jar[i];
      if (!row_active(d, i, jar)) {
        changed = changed || d.efc_active[i];
        continue;
      }
      changed = changed || !d.efc_active[i];
      row_axpy(m, d, i, jar / d.efc_R[i], g);
    }
    T gnorm = 0;
    for (int k = 0; k < nv; ++k) gnorm += g[k] * g[k];
    if (scale * s_sqrt(gnorm) < tol) break;
    // H changes only with the active set: factorize once, then modify the factorization
    if (factored) {
      if (changed && hessian_update(m, d, hess)) changed = false;
    } else {
      update_active(d);
    }
    if (changed || !factored) {
      // first iteration, or the modification path gave up (d.efc_active is current)
#ifdef SINEW_SOLVER_STATS
      ++g_nfactor;
#endif
      factored = hessian_factor(m, d, hess);
      if (!factored) break;
    }
    for (int k = 0; k < nv; ++k) p[k] = -g[k];
    hessian_solve(m, d, hess, p);
    const T alpha = line_search(m, d, p, r, Mp);
    for (int k = 0; k < nv; ++k) {
      a[k] += alpha * p[k];
      r[k] += alpha * Mp[k];
    }
    for (int i = 0; i < nefc; ++i) d.efc_jar[i] += alpha * d.efc_Jp[i];
    prev_cost = cost;
  }
  *d.solver_iter = it;
  for (int i = 0; i < nefc; ++i) {
    const T f = row_active(d, i, d.efc_jar[i]) ? -d.efc_jar[i] / d.efc_R[i] : T(0);
    d.efc_force[i] = f;
    row_axpy(m, d, i, f, d.qfrc_constraint);
  }
}

}  // namespace sinew
