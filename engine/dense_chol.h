// SPDX-License-Identifier: Apache-2.0
// Dense Cholesky factorization H = U^T U of a small symmetric positive definite matrix, with
// rank-one updates and downdates, for the Newton solver of engine/solver.h on trees with few dofs
// (MuJoCo also factorizes its Newton Hessian densely on small trees). U is upper triangular and
// stored row-major in an n x n buffer (U[k * n + i], i >= k; the strictly lower part is unused), so
// that every inner loop below is a contiguous axpy (row_sub_scaled, which the host compiler
// vectorizes) or a dot product split over four accumulators; no loop is a dependent chain of
// additions or a strided walk.
#pragma once

#include "engine/core/real.h"
#include "engine/crba.h"

namespace sinew {

// Right-looking (outer-product) factorization in place: on entry the upper triangle of U holds
// that of H; on return U. For each k: U_kk = sqrt(H_kk), U_k,k+1: = H_k,k+1: / U_kk, and the
// trailing rows i > k lose U_ki U_k,i: (Golub & Van Loan, "Matrix Computations", alg. 4.2.2 in
// its outer-product form). Returns false if a pivot is not positive.
template <typename T>
SINEW_HD bool chol_upper_factor(T* U, int n) {
  for (int k = 0; k < n; ++k) {
    T* Uk = U + k * n;
    const T dkk = Uk[k];
    if (!(dkk > T(0))) return false;
    const T r = s_sqrt(dkk), inv = T(1) / r;
    Uk[k] = r;
    for (int i = k + 1; i < n; ++i) Uk[i] *= inv;
    for (int i = k + 1; i < n; ++i)
      if (Uk[i] != T(0)) row_sub_scaled(U + i * n + i, Uk + i, Uk[i], n - i);
  }
  return true;
}

// Overwrites the factor of H with that of H + sigma x x^T (sigma = +1 update, -1 downdate); x is
// destroyed. Row k of U rotates with x (the LINPACK dchud/dchdd recurrences): r = sqrt(U_kk^2 +
// sigma x_k^2), c = r / U_kk, s = x_k / U_kk, U_k,i <- (U_k,i + sigma s x_i) / c, x_i <- c x_i -
// s U_k,i. Entries of x before its first nonzero leave U unchanged and are skipped. Returns false
// when a downdate would leave a pivot below 1e-10 of its value (then refactorize).
template <typename T>
SINEW_HD bool chol_upper_rank1(T* U, int n, T* x, T sigma) {
  int k0 = 0;
  while (k0 < n && x[k0] == T(0)) ++k0;
  for (int k = k0; k < n; ++k) {
    T* Uk = U + k * n;
    const T xk = x[k];
    if (xk == T(0)) continue;
    const T ukk = Uk[k];
    const T r2 = ukk * ukk + sigma * xk * xk;
    if (!(r2 > T(1e-10) * ukk * ukk)) return false;
    const T r = s_sqrt(r2), c = r / ukk, s = xk / ukk, invc = T(1) / c;
    Uk[k] = r;
    for (int i = k + 1; i < n; ++i) {
      const T u = (Uk[i] + sigma * s * x[i]) * invc;
      Uk[i] = u;
      x[i] = c * x[i] - s * u;
    }
  }
  return true;
}

// Solves U^T U x = x in place: forward U^T y = x as axpys over the rows of U, then U x = y with
// dot products of the rows.
template <typename T>
SINEW_HD void chol_upper_solve(const T* U, int n, T* x) {
  for (int k = 0; k < n; ++k) {
    const T* Uk = U + k * n;
    const T yk = x[k] / Uk[k];
    x[k] = yk;
    if (yk != T(0)) row_sub_scaled(x + k + 1, Uk + k + 1, yk, n - k - 1);
  }
  for (int k = n - 1; k >= 0; --k) {
    const T* Uk = U + k * n;
    T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = k + 1;
    for (; i + 4 <= n; i += 4) {
      s0 += Uk[i] * x[i];
      s1 += Uk[i + 1] * x[i + 1];
      s2 += Uk[i + 2] * x[i + 2];
      s3 += Uk[i + 3] * x[i + 3];
    }
    for (; i < n; ++i) s0 += Uk[i] * x[i];
    x[k] = (x[k] - ((s0 + s1) + (s2 + s3))) / Uk[k];
  }
}

}  // namespace sinew
