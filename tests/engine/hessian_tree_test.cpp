// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// The Newton Hessian's elimination tree (Model::hessian_elimination_tree): on MS-Human-700-
// Locomotion the patella dofs, coupled to the knee angle of the sibling tibia, hang below the knee
// angle and nothing else moves; every kinematic chain lies on an elimination chain; every coupling
// row is then a chain row (no Woodbury rows at the keyframe). The packed factorization, solves and
// rank-one updates in that layout (engine/crba.h) against Eigen on a random SPD matrix with the
// tree's pattern.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <random>
#include <string>
#include <vector>

#include "engine/crba.h"
#include "engine/forward.h"
#include "engine/model_io.h"

using namespace sinew;

namespace {

bool on_chain(const int* parent, int k, int j) {
  for (int a = k; a >= 0; a = parent[a])
    if (a == j) return true;
  return false;
}

// Dense A = L^T D L for a random unit L with the layout's pattern, and its packed form.
Eigen::MatrixXd random_packed_spd(const TreeLayout& tl, std::mt19937_64& g,
                                  std::vector<double>& P) {
  const int nv = tl.nv;
  std::normal_distribution<double> N;
  Eigen::MatrixXd L = Eigen::MatrixXd::Identity(nv, nv), D = Eigen::MatrixXd::Zero(nv, nv);
  for (int k = 0; k < nv; ++k) {
    D(k, k) = 1 + std::abs(N(g));
    for (int j = tl.parent[k]; j >= 0; j = tl.parent[j]) L(k, j) = 0.3 * N(g);
  }
  const Eigen::MatrixXd A = L.transpose() * D * L;
  P.assign(layout_size(tl), 0.0);
  for (int k = 0; k < nv; ++k)
    for (int j = k; j >= 0; j = tl.parent[j]) P[tl.adr[k] + tl.num[j] - 1] = A(k, j);
  // A has no entries off the chains (the layout can hold it)
  for (int k = 0; k < nv; ++k)
    for (int j = 0; j < k; ++j)
      if (!on_chain(tl.parent, k, j)) REQUIRE(A(k, j) == 0.0);
  return A;
}

}  // namespace

TEST_CASE("Hessian elimination tree: patella dofs below the knee angle, kinematic chains kept") {
  const Model m = load_model(SINEW_SOURCE_DIR "/models/ms_human_700_locomotion.json");
  const int nv = m.size.nv;
  int moved = 0;
  for (int k = 0; k < nv; ++k) {
    for (int j = m.dof_parentid[k]; j >= 0; j = m.dof_parentid[j])
      CHECK(on_chain(m.dof_Hparent.data(), k, j));
    if (m.dof_Hparent[k] == m.dof_parentid[k]) continue;
    ++moved;
    const std::string body = m.body_name[m.dof_bodyid[k]];
    CHECK(body.rfind("patella", 0) == 0);
    const int p = m.dof_Hparent[k];
    CHECK(m.jnt_name[m.dof_jntid[p]].rfind("knee_angle_", 0) == 0);
  }
  CHECK(moved == 2);  // the first patella dof of each leg

  // at the keyframe every coupling row lies on one elimination chain
  Data<double> data(m, 1);
  data.reset_keyframe(m, 0, 0);
  WorldData<double> d = data.world(0);
  const ModelView<double> mv = m.view();
  forward(mv, d);
  int equality = 0;
  for (int i = 0; i < *d.nefc; ++i) {
    if (d.efc_type[i] != kCnstrEquality) continue;
    ++equality;
    CHECK(d.efc_chain[i] >= 0);
  }
  CHECK(equality == 16);  // 8 knee couplings per leg
}

TEST_CASE("Hessian elimination tree: packed factor, solve and rank-one update match Eigen") {
  const Model m = load_model(SINEW_SOURCE_DIR "/models/ms_human_700_locomotion.json");
  const ModelView<double> mv = m.view();
  const TreeLayout tl = hessian_layout(mv);
  const int nv = tl.nv;
  std::mt19937_64 g(11);
  std::normal_distribution<double> N;
  std::vector<double> P;
  const Eigen::MatrixXd A = random_packed_spd(tl, g, P);
  std::vector<double> dinv(nv);
  REQUIRE(factor_tree(tl, P.data(), dinv.data()));
  Eigen::VectorXd b(nv);
  for (int k = 0; k < nv; ++k) b[k] = N(g);
  std::vector<double> x(b.data(), b.data() + nv);
  solve_tree(tl, P.data(), dinv.data(), x.data());
  const Eigen::VectorXd ref = A.ldlt().solve(b);
  for (int k = 0; k < nv; ++k) CHECK(x[k] == doctest::Approx(ref[k]).epsilon(1e-10));

  // rank-one update with w on the elimination chain of a patella dof (it reaches the knee angle)
  int c = -1;
  for (int k = 0; k < nv && c < 0; ++k)
    if (m.dof_Hparent[k] != m.dof_parentid[k]) c = k + 2 < nv ? k + 2 : k;
  REQUIRE(c >= 0);
  Eigen::VectorXd w = Eigen::VectorXd::Zero(nv);
  for (int j = c; j >= 0; j = tl.parent[j]) w[j] = N(g);
  std::vector<double> wv(w.data(), w.data() + nv);
  REQUIRE(update_tree(tl, P.data(), dinv.data(), wv.data(), c, 0.7));
  for (int k = 0; k < nv; ++k) CHECK(wv[k] == 0.0);
  const Eigen::MatrixXd A2 = A + 0.7 * w * w.transpose();
  for (int k = 0; k < nv; ++k) x[k] = b[k];
  solve_tree(tl, P.data(), dinv.data(), x.data());
  const Eigen::VectorXd ref2 = A2.ldlt().solve(b);
  for (int k = 0; k < nv; ++k) CHECK(x[k] == doctest::Approx(ref2[k]).epsilon(1e-10));
}
