// SPDX-License-Identifier: Apache-2.0
// Composite-rigid-body algorithm for the joint-space mass matrix (Featherstone 2008, table 6.2) and
// its tree-sparse L^T D L factorization (Featherstone 2008, sec. 6.5; the same factorization
// MuJoCo's mj_factorM uses). M is kept packed by ancestor chains (d.qM_tree, the layout below),
// which the factorization, the solves and the products use; dense_mass expands it into d.qM
// (nv x nv row-major) for callers.
#pragma once

#include "engine/core/spatial.h"
#include "engine/data.h"
#include "engine/model.h"

namespace sinew {

// Tree-sparse ("packed") storage of an nv x nv symmetric matrix A with M's sparsity (A(i, j) = 0
// unless one dof is an ancestor of the other): row k holds A(k, l) for the dofs l on k's ancestor
// chain, root first and the diagonal last, at A[dof_Madr[k] + dof_Mnum[l] - 1] (dof_Mnum[l] is
// l's chain length). A dof's chain is a suffix-closed list, so row i of an ancestor i of k is the
// prefix of length dof_Mnum[i] of row k's positions, and the dofs of one body are consecutive in
// both the dof order and the row: most loops below walk a chain body by body ("runs" of dofs
// lo..hi) with contiguous inner loops instead of following dof_parentid entry by entry.

// Number of packed entries (sum of the chain lengths).
template <typename T>
SINEW_HD int tree_size(const ModelView<T>& m) {
  const int nv = m.size.nv;
  return nv > 0 ? m.dof_Madr[nv - 1] + m.dof_Mnum[nv - 1] : 0;
}

// First dof of the run (consecutive dofs, each the parent of the next) that ends at dof hi.
template <typename T>
SINEW_HD int run_start(const ModelView<T>& m, int hi) {
  return m.dof_Mrun[hi];
}

// A packed layout over a tree of dofs (parent[k] < k): M's uses the kinematic tree
// (mass_layout), the Newton Hessian's the elimination tree dof_Hparent (hessian_layout; see
// Model::hessian_elimination_tree). run[k] is the first dof of the maximal run ending at k.
struct TreeLayout {
  const int* parent;
  const int* adr;
  const int* num;
  const int* run;
  int nv;
};

template <typename T>
SINEW_HD TreeLayout mass_layout(const ModelView<T>& m) {
  return {m.dof_parentid, m.dof_Madr, m.dof_Mnum, m.dof_Mrun, m.size.nv};
}

template <typename T>
SINEW_HD TreeLayout hessian_layout(const ModelView<T>& m) {
  return {m.dof_Hparent, m.dof_Hadr, m.dof_Hnum, m.dof_Hrun, m.size.nv};
}

// Number of packed entries of a layout.
SINEW_HD SINEW_INLINE int layout_size(const TreeLayout& t) {
  return t.nv > 0 ? t.adr[t.nv - 1] + t.num[t.nv - 1] : 0;
}

// y[0..n) -= t * x[0..n) for non-overlapping rows, unrolled by four (independent lanes the host
// compiler vectorizes at -O2, where it does not vectorize the plain loop).
template <typename T>
SINEW_HD SINEW_INLINE void row_sub_scaled(T* __restrict__ y, const T* __restrict__ x, T t, int n) {
  int r = 0;
  for (; r + 4 <= n; r += 4) {
    const T y0 = y[r] - t * x[r], y1 = y[r + 1] - t * x[r + 1];
    const T y2 = y[r + 2] - t * x[r + 2], y3 = y[r + 3] - t * x[r + 3];
    y[r] = y0;
    y[r + 1] = y1;
    y[r + 2] = y2;
    y[r + 3] = y3;
  }
  for (; r < n; ++r) y[r] -= t * x[r];
}

// Composite inertias crb[b] = inertia of the subtree rooted at b (com-based).
template <typename T>
SINEW_HD void composite_inertia(const ModelView<T>& m, WorldData<T>& d) {
  // only bodies with lumped inertia or dofs in their subtree (m.body_inertial): the others have
  // zero composite inertia and no dof reads it
  for (int b = 0; b < m.size.nbody; ++b)
    if (m.body_inertial[b])
      for (int i = 0; i < 10; ++i) d.crb[10 * b + i] = d.cinert[10 * b + i];
  for (int b = m.size.nbody - 1; b > 0; --b) {
    const int p = m.body_parent[b];
    if (p > 0 && m.body_inertial[b]) {
      SpatialInertia<T> Ip = SpatialInertia<T>::load(d.crb + 10 * p);
      Ip += SpatialInertia<T>::load(d.crb + 10 * b);
      Ip.store(d.crb + 10 * p);
    }
  }
}

// Mass matrix M (with armature, plus `diag_extra[k]` on the diagonal when given, e.g. h * damping)
// into d.qM_tree (packed; dense_mass expands it into d.qM for callers). Requires com_pos.
template <typename T>
SINEW_HD void crba(const ModelView<T>& m, WorldData<T>& d, const T* diag_extra = nullptr) {
  const int nv = m.size.nv;
  composite_inertia(m, d);
  for (int i = 0; i < nv; ++i) {
    const SpatialInertia<T> Ic = SpatialInertia<T>::load(d.crb + 10 * m.dof_bodyid[i]);
    const Spatial<T> F = Ic * Spatial<T>::load(d.cdof + 6 * i);
    T* Mi = d.qM_tree + m.dof_Madr[i];
    for (int j = i; j >= 0; j = m.dof_parentid[j]) {
      Mi[m.dof_Mnum[j] - 1] = sdot(Spatial<T>::load(d.cdof + 6 * j), F);
    }
    Mi[m.dof_Mnum[i] - 1] += m.dof_armature[i] + (diag_extra ? diag_extra[i] : T(0));
  }
}

// d.qM (dense nv x nv, both triangles) from the packed d.qM_tree: for analysis, tests and probes
// (the step itself uses the packed form only).
template <typename T>
SINEW_HD void dense_mass(const ModelView<T>& m, WorldData<T>& d) {
  const int nv = m.size.nv;
  for (int i = 0; i < nv * nv; ++i) d.qM[i] = 0;
  for (int i = 0; i < nv; ++i) {
    const T* Mi = d.qM_tree + m.dof_Madr[i];
    for (int j = i; j >= 0; j = m.dof_parentid[j])
      d.qM[i * nv + j] = d.qM[j * nv + i] = Mi[m.dof_Mnum[j] - 1];
  }
}

// Factorizes, in place, a packed symmetric matrix A as A = L^T D L (Featherstone 2008, sec. 6.5;
// the same factorization as MuJoCo's mj_factorM): on return the off-diagonal packed entries hold
// L (unit lower triangular) and diaginv = 1/D. For k from the leaves up, every ancestor i of k is
// updated by row i -= (A(k, i) / D_k) * (prefix of row k), a contiguous axpy of length
// dof_Mnum[i]; the cost is O(sum of squared chain lengths). Returns false if a pivot is not
// positive.
template <typename T>
SINEW_HD bool factor_tree(const TreeLayout& tl, T* L, T* diaginv) {
  bool ok = true;
  for (int k = tl.nv - 1; k >= 0; --k) {
    T* Lk = L + tl.adr[k];
    const T Dk = Lk[tl.num[k] - 1];
    if (!(Dk > T(0))) ok = false;
    const T invD = Dk > T(0) ? T(1) / Dk : T(0);
    for (int i = tl.parent[k]; i >= 0; i = tl.parent[i]) {
      const int ni = tl.num[i];
      const T t = Lk[ni - 1] * invD;
      row_sub_scaled(L + tl.adr[i], Lk, t, ni);
      Lk[ni - 1] = t;
    }
    diaginv[k] = invD;
  }
  return ok;
}

template <typename T>
SINEW_HD bool factor_tree(const ModelView<T>& m, T* L, T* diaginv) {
  return factor_tree(mass_layout(m), L, diaginv);
}

// Rank-one modification of a packed factorization A = L^T D L from factor_tree (L in L's
// off-diagonal entries, D on its diagonal, diaginv = 1/D) into that of A + sigma w w^T, for a w
// whose nonzeros lie on the ancestor chain of dof c; w is overwritten (zero on return). This is
// method C1 of Gill, Golub, Murray & Saunders, "Methods for modifying matrix factorizations",
// Math. Comp. 28 (1974), in the reversed (leaves-first) order of factor_tree: the elimination
// path of w is c's ancestor chain (Davis & Hager, SIAM J. Matrix Anal. Appl. 20 (1999)), so the
// cost is the sum of the chain's row lengths, not a refactorization. For each chain dof k, leaf
// first: p = w_k, D_k' = D_k + alpha p^2, beta = alpha p / D_k', alpha <- alpha D_k / D_k', and
// for each ancestor l: w_l -= p L(k, l), L(k, l) += beta w_l. Returns false when a pivot loses
// more than 1 - 1e-10 of its value (a downdate close to singular): then refactorize instead.
template <typename T>
SINEW_HD bool update_tree(const TreeLayout& tl, T* L, T* diaginv, T* w, int c, T sigma) {
  T alpha = sigma;
  for (int k = c; k >= 0; k = tl.parent[k]) {
    const T p = w[k];
    if (p == T(0)) continue;
    w[k] = 0;
    T* Lk = L + tl.adr[k];
    const T Dk = Lk[tl.num[k] - 1];
    const T Dn = Dk + alpha * p * p;
    if (!(Dn > T(1e-10) * Dk)) {
      for (int l = tl.parent[k]; l >= 0; l = tl.parent[l]) w[l] = 0;
      return false;
    }
    const T beta = alpha * p / Dn;
    alpha *= Dk / Dn;
    Lk[tl.num[k] - 1] = Dn;
    diaginv[k] = T(1) / Dn;
    for (int hi = tl.parent[k]; hi >= 0;) {
      const int lo = tl.run[hi];
      T* Lr = Lk + tl.num[lo] - 1;
      for (int l = lo; l <= hi; ++l) {
        const T wl = w[l] - p * Lr[l - lo];
        w[l] = wl;
        Lr[l - lo] += beta * wl;
      }
      hi = tl.parent[lo];
    }
  }
  return true;
}

// x <- L^-T x with the unit factor L from factor_tree (the first half of solve_tree). Zero entries
// of x skip their column, so a sparse x costs only the chains of its nonzeros.
template <typename T>
SINEW_HD void solve_tree_lt(const TreeLayout& tl, const T* L, T* x) {
  for (int k = tl.nv - 1; k >= 0; --k) {
    const T xk = x[k];
    if (xk == T(0)) continue;
    const T* Lk = L + tl.adr[k];
    for (int hi = tl.parent[k]; hi >= 0;) {
      const int lo = tl.run[hi];
      const T* Lr = Lk + tl.num[lo] - 1;
      for (int i = lo; i <= hi; ++i) x[i] -= Lr[i - lo] * xk;
      hi = tl.parent[lo];
    }
  }
}

// Solves A x = x in place with the factorization A = L^T D L from factor_tree.
template <typename T>
SINEW_HD void solve_tree(const TreeLayout& tl, const T* L, const T* diaginv, T* x) {
  const int nv = tl.nv;
  solve_tree_lt(tl, L, x);                          // x <- L^-T x
  for (int k = 0; k < nv; ++k) x[k] *= diaginv[k];  // x <- D^-1 x
  for (int k = 0; k < nv; ++k) {                    // x <- L^-1 x
    const T* Lk = L + tl.adr[k];
    T s0 = 0, s1 = 0;  // two partial sums: one chain of dependent additions is latency-bound
    for (int hi = tl.parent[k]; hi >= 0;) {
      const int lo = tl.run[hi];
      const T* Lr = Lk + tl.num[lo] - 1;
      int i = lo;
      for (; i + 1 <= hi; i += 2) {
        s0 += Lr[i - lo] * x[i];
        s1 += Lr[i + 1 - lo] * x[i + 1];
      }
      if (i == hi) s0 += Lr[i - lo] * x[i];
      hi = tl.parent[lo];
    }
    x[k] -= s0 + s1;
  }
}

template <typename T>
SINEW_HD void solve_tree(const ModelView<T>& m, const T* L, const T* diaginv, T* x) {
  solve_tree(mass_layout(m), L, diaginv, x);
}

// Factorizes d.qM_tree = L^T D L into d.qLD (packed) and d.qLDiagInv. Returns false if a pivot is
// not positive.
template <typename T>
SINEW_HD bool factor_mass(const ModelView<T>& m, WorldData<T>& d) {
  const int n = tree_size(m);
  for (int i = 0; i < n; ++i) d.qLD[i] = d.qM_tree[i];
  return factor_tree(m, d.qLD, d.qLDiagInv);
}

// Solves M x = x in place using the factorization from factor_mass.
template <typename T>
SINEW_HD void solve_mass(const ModelView<T>& m, const WorldData<T>& d, T* x) {
  solve_tree(m, d.qLD, d.qLDiagInv, x);
}

// y = M x from the packed d.qM_tree: O(sum of chain lengths).
template <typename T>
SINEW_HD void mul_mass(const ModelView<T>& m, const WorldData<T>& d, const T* x, T* y) {
  const int nv = m.size.nv;
  for (int i = 0; i < nv; ++i) y[i] = 0;
  for (int i = 0; i < nv; ++i) {
    const T* Mi = d.qM_tree + m.dof_Madr[i];
    const T xi = x[i];
    T yi = Mi[m.dof_Mnum[i] - 1] * xi;
    for (int hi = m.dof_parentid[i]; hi >= 0;) {
      const int lo = run_start(m, hi);
      const T* Mr = Mi + m.dof_Mnum[lo] - 1;
      for (int j = lo; j <= hi; ++j) {
        yi += Mr[j - lo] * x[j];
        y[j] += Mr[j - lo] * xi;
      }
      hi = m.dof_parentid[lo];
    }
    y[i] += yi;
  }
}

}  // namespace sinew
