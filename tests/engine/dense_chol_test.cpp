// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// engine/dense_chol.h against Eigen: the factor reproduces H = U^T U, solves invert H, rank-one
// updates and downdates equal the factor of the modified matrix, and a downdate that would make H
// indefinite is refused. Then the Newton solve of engine/solver.h with the dense Hessian (option
// jacobian = dense) against the tree + Woodbury path (sparse) on MS-Human-700-Locomotion along a
// simulated trajectory with random excitations: the constrained accelerations agree to 1e-9.
#include "engine/dense_chol.h"

#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <random>
#include <vector>

#include "engine/forward.h"
#include "engine/model_io.h"

using namespace sinew;

namespace {

using MatX = Eigen::MatrixXd;
using VecX = Eigen::VectorXd;

MatX random_spd(int n, std::mt19937_64& g) {
  std::normal_distribution<double> N;
  MatX A(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) A(i, j) = N(g);
  return A * A.transpose() + n * MatX::Identity(n, n);
}

// Upper triangle of H into a row-major n x n buffer (the layout chol_upper_factor expects).
std::vector<double> upper_rows(const MatX& H) {
  const int n = static_cast<int>(H.rows());
  std::vector<double> U(static_cast<std::size_t>(n) * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) U[i * n + j] = H(i, j);
  return U;
}

MatX as_upper(const std::vector<double>& U, int n) {
  MatX R = MatX::Zero(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j) R(i, j) = U[i * n + j];
  return R;
}

}  // namespace

TEST_CASE("dense Cholesky: U^T U = H and solves invert H") {
  std::mt19937_64 g(7);
  for (int n : {1, 2, 3, 5, 17, 36, 61}) {
    const MatX H = random_spd(n, g);
    std::vector<double> U = upper_rows(H);
    REQUIRE(chol_upper_factor(U.data(), n));
    const MatX R = as_upper(U, n);
    CHECK((R.transpose() * R - H).cwiseAbs().maxCoeff() <= 1e-12 * H.cwiseAbs().maxCoeff());
    VecX b = VecX::Random(n);
    std::vector<double> x(b.data(), b.data() + n);
    chol_upper_solve(U.data(), n, x.data());
    const VecX xe = Eigen::Map<VecX>(x.data(), n);
    CHECK((H * xe - b).cwiseAbs().maxCoeff() <= 1e-12 * (1 + b.cwiseAbs().maxCoeff()) * n);
  }
}

TEST_CASE("dense Cholesky: rank-one update and downdate match refactorization") {
  std::mt19937_64 g(11);
  std::normal_distribution<double> N;
  for (int n : {1, 4, 36}) {
    const MatX H = random_spd(n, g);
    VecX x(n);
    for (int i = 0; i < n; ++i) x(i) = i < n / 3 ? 0.0 : N(g);  // leading zeros are skipped
    std::vector<double> U = upper_rows(H);
    REQUIRE(chol_upper_factor(U.data(), n));
    std::vector<double> w(x.data(), x.data() + n);
    REQUIRE(chol_upper_rank1(U.data(), n, w.data(), 1.0));
    std::vector<double> Ur = upper_rows(H + x * x.transpose());
    REQUIRE(chol_upper_factor(Ur.data(), n));
    CHECK((as_upper(U, n) - as_upper(Ur, n)).cwiseAbs().maxCoeff() <= 1e-11);
    // downdate back to H
    w.assign(x.data(), x.data() + n);
    REQUIRE(chol_upper_rank1(U.data(), n, w.data(), -1.0));
    std::vector<double> U0 = upper_rows(H);
    REQUIRE(chol_upper_factor(U0.data(), n));
    CHECK((as_upper(U, n) - as_upper(U0, n)).cwiseAbs().maxCoeff() <= 1e-10);
  }
}

TEST_CASE("dense Cholesky: indefinite input and a downdate past singularity are refused") {
  MatX H(2, 2);
  H << 1, 2, 2, 1;  // eigenvalues 3, -1
  std::vector<double> U = upper_rows(H);
  CHECK_FALSE(chol_upper_factor(U.data(), 2));
  MatX I = MatX::Identity(2, 2);
  U = upper_rows(I);
  REQUIRE(chol_upper_factor(U.data(), 2));
  std::vector<double> w = {2.0, 0.0};  // I - w w^T has eigenvalue -3
  CHECK_FALSE(chol_upper_rank1(U.data(), 2, w.data(), -1.0));
}

TEST_CASE("Newton solve: dense and tree + Woodbury Hessians give the same qacc") {
  Model dense = load_model(SINEW_SOURCE_DIR "/models/ms_human_700_locomotion.json");
  Model sparse = dense;
  dense.opt.jacobian = kJacobianDense;
  sparse.opt.jacobian = kJacobianSparse;
  const ModelView<double> mvd = dense.view(), mvs = sparse.view();
  Data<double> dd(dense, 1), ds(sparse, 1);
  dd.reset_keyframe(dense, 0, 0);
  ds.reset_keyframe(sparse, 0, 0);
  WorldData<double> a = dd.world(0), b = ds.world(0);
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> U01(0, 1);
  double worst = 0;
  int constrained = 0;
  for (int s = 0; s < 300; ++s) {
    if (s % 10 == 0)
      for (int u = 0; u < dense.size.nu; ++u) a.ctrl[u] = b.ctrl[u] = U01(g);
    forward(mvd, a);
    forward(mvs, b);
    REQUIRE(*a.nefc == *b.nefc);
    constrained += *a.nefc > 0;
    double scale = 1;
    for (int k = 0; k < dense.size.nv; ++k) scale = std::max(scale, std::fabs(b.qacc[k]));
    for (int k = 0; k < dense.size.nv; ++k)
      worst = std::max(worst, std::fabs(a.qacc[k] - b.qacc[k]) / scale);
    // continue both from the sparse path's state, so that the comparison stays state by state
    euler_update(mvs, b);
    for (int i = 0; i < dense.size.nq; ++i) a.qpos[i] = b.qpos[i];
    for (int k = 0; k < dense.size.nv; ++k) {
      a.qvel[k] = b.qvel[k];
      a.qacc_warmstart[k] = b.qacc_warmstart[k] = b.qacc[k];
    }
    for (int i = 0; i < dense.size.na; ++i) a.act[i] = b.act[i];
  }
  MESSAGE("dense vs sparse Newton Hessian: max relative qacc difference "
          << worst << " over " << constrained << " constrained states");
  CHECK(constrained > 250);
  CHECK(worst <= 1e-9);
}
