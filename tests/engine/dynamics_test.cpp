// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast physics
// Identities between the tree algorithms on random trees with every joint type:
// ABA vs RNEA vs CRBA, M symmetric positive definite, the L^T D L solve, the damped ABA, and
// kinematics vs finite differences of integrate_pos.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/aba.h"
#include "engine/crba.h"
#include "engine/integrate.h"
#include "engine/kinematics.h"
#include "engine/rnea.h"
#include "tests/util/random_tree.h"

using namespace sinew;

namespace {

double inf_norm(const std::vector<double>& v) {
  double n = 0;
  for (double x : v) n = std::max(n, std::fabs(x));
  return n;
}

void position_velocity(const ModelView<double>& mv, WorldData<double>& w) {
  kinematics(mv, w);
  com_pos(mv, w);
  com_vel(mv, w);
}

Eigen::MatrixXd mass_matrix(const Model& m, WorldData<double> w) {
  dense_mass(m.view(), w);
  const int nv = m.size.nv;
  Eigen::MatrixXd M(nv, nv);
  for (int i = 0; i < nv; ++i)
    for (int j = 0; j < nv; ++j) M(i, j) = w.qM[i * nv + j];
  return M;
}

}  // namespace

TEST_CASE("ABA, RNEA and CRBA agree on random trees with every joint type") {
  std::mt19937_64 rng(12345);
  int checked = 0;
  for (int trial = 0; trial < 40; ++trial) {
    Model m = test::random_tree(rng, 2 + trial % 12);
    Data<double> data(m, 1);
    ModelView<double> mv = m.view();
    WorldData<double> w = data.world(0);
    const int nv = m.size.nv;
    if (nv == 0) continue;
    for (int s = 0; s < 3; ++s) {
      test::random_state(rng, m, w);
      position_velocity(mv, w);
      std::uniform_real_distribution<double> u(-10, 10);
      std::vector<double> tau(nv), qacc(nv), tau2(nv), bias(nv);
      for (double& t : tau) t = u(rng);
      REQUIRE(aba(mv, w, tau.data(), qacc.data()));
      // RNEA(q, v, ABA(q, v, tau)) == tau
      rnea(mv, w, qacc.data(), tau2.data());
      std::vector<double> diff(nv);
      for (int k = 0; k < nv; ++k) diff[k] = tau2[k] - tau[k];
      CHECK(inf_norm(diff) <= 1e-10 * (1 + inf_norm(tau)));
      // CRBA: M qacc + c == tau, M symmetric positive definite
      rnea<double>(mv, w, nullptr, bias.data());
      crba(mv, w);
      Eigen::MatrixXd M = mass_matrix(m, w);
      Eigen::VectorXd a = Eigen::Map<Eigen::VectorXd>(qacc.data(), nv);
      Eigen::VectorXd r = M * a + Eigen::Map<Eigen::VectorXd>(bias.data(), nv) -
                          Eigen::Map<Eigen::VectorXd>(tau.data(), nv);
      CHECK(r.lpNorm<Eigen::Infinity>() <= 1e-10 * (1 + inf_norm(tau)));
      CHECK((M - M.transpose()).lpNorm<Eigen::Infinity>() == 0.0);
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(M);
      CHECK(es.eigenvalues().minCoeff() > 0);
      // tree-sparse L^T D L solve == dense solve
      REQUIRE(factor_mass(mv, w));
      std::vector<double> x(tau);
      solve_mass(mv, w, x.data());
      Eigen::VectorXd xe = M.ldlt().solve(Eigen::Map<Eigen::VectorXd>(tau.data(), nv));
      for (int k = 0; k < nv; ++k) CHECK(x[k] == doctest::Approx(xe[k]).epsilon(1e-9));
      // damped ABA == (M + diag(e))^-1 (tau - c)
      std::vector<double> extra(nv), qacc_d(nv);
      for (int k = 0; k < nv; ++k) extra[k] = 0.01 * (k + 1);
      aba(mv, w, tau.data(), qacc_d.data(), extra.data());
      Eigen::MatrixXd Md = M;
      for (int k = 0; k < nv; ++k) Md(k, k) += extra[k];
      Eigen::VectorXd ad = Md.ldlt().solve(Eigen::Map<Eigen::VectorXd>(tau.data(), nv) -
                                           Eigen::Map<Eigen::VectorXd>(bias.data(), nv));
      double err = 0;
      for (int k = 0; k < nv; ++k) err = std::max(err, std::fabs(qacc_d[k] - ad[k]));
      CHECK(err <= 1e-9 * (1 + ad.lpNorm<Eigen::Infinity>()));
      ++checked;
    }
  }
  CHECK(checked > 90);
}

TEST_CASE("body velocities match finite differences of the kinematics") {
  std::mt19937_64 rng(777);
  for (int trial = 0; trial < 20; ++trial) {
    Model m = test::random_tree(rng, 2 + trial % 8);
    if (m.size.nv == 0) continue;
    Data<double> data(m, 2);
    ModelView<double> mv = m.view();
    WorldData<double> w0 = data.world(0), w1 = data.world(1);
    test::random_state(rng, m, w0);
    position_velocity(mv, w0);
    const double h = 1e-6;
    for (int i = 0; i < m.size.nq; ++i) w1.qpos[i] = w0.qpos[i];
    integrate_pos(mv, w1.qpos, w0.qvel, h);
    // central difference: integrate backwards too
    std::vector<double> qm(w0.qpos, w0.qpos + m.size.nq), vneg(m.size.nv);
    for (int k = 0; k < m.size.nv; ++k) vneg[k] = -w0.qvel[k];
    integrate_pos(mv, qm.data(), vneg.data(), h);
    kinematics(mv, w1);
    std::vector<double> xp(w1.xpos, w1.xpos + 3 * m.size.nbody);
    std::vector<double> xq(w1.xquat, w1.xquat + 4 * m.size.nbody);
    for (int i = 0; i < m.size.nq; ++i) w1.qpos[i] = qm[i];
    kinematics(mv, w1);
    for (int b = 1; b < m.size.nbody; ++b) {
      const Spatial<double> v = Spatial<double>::load(w0.cvel + 6 * b);
      const Vec3<double> off = Vec3<double>::load(w0.subtree_com + 3 * m.body_rootid[b]);
      const Vec3<double> x = Vec3<double>::load(w0.xpos + 3 * b);
      const Vec3<double> lin = v.lin + cross(v.ang, x - off);
      const Vec3<double> fd =
          (Vec3<double>::load(&xp[3 * b]) - Vec3<double>::load(w1.xpos + 3 * b)) / (2 * h);
      for (int i = 0; i < 3; ++i) CHECK(lin[i] == doctest::Approx(fd[i]).epsilon(1e-6).scale(1));
      // angular velocity (world frame) from the quaternion difference
      const Vec3<double> dr =
          quat_sub(Quat<double>::load(&xq[4 * b]), Quat<double>::load(w1.xquat + 4 * b));
      const Vec3<double> wfd = rotate(Quat<double>::load(w0.xquat + 4 * b), dr / (2 * h));
      for (int i = 0; i < 3; ++i) CHECK(v.ang[i] == doctest::Approx(wfd[i]).epsilon(1e-6).scale(1));
    }
  }
}

TEST_CASE("float and double ABA agree to 1e-4 relative") {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 10; ++trial) {
    Model m = test::random_tree(rng, 3 + trial);
    if (m.size.nv == 0) continue;
    Data<double> dd(m, 1);
    Data<float> df(m, 1);
    std::vector<float> fstore;
    ModelView<double> mv = m.view();
    ModelView<float> mf = m.view_float(fstore);
    WorldData<double> wd = dd.world(0);
    WorldData<float> wf = df.world(0);
    test::random_state(rng, m, wd);
    for (int i = 0; i < m.size.nq; ++i) wf.qpos[i] = static_cast<float>(wd.qpos[i]);
    for (int k = 0; k < m.size.nv; ++k) wf.qvel[k] = static_cast<float>(wd.qvel[k]);
    position_velocity(mv, wd);
    kinematics(mf, wf);
    com_pos(mf, wf);
    com_vel(mf, wf);
    std::vector<double> tau(m.size.nv, 0.5), qa(m.size.nv);
    std::vector<float> tauf(m.size.nv, 0.5f), qaf(m.size.nv);
    aba(mv, wd, tau.data(), qa.data());
    aba(mf, wf, tauf.data(), qaf.data());
    double err = 0;
    for (int k = 0; k < m.size.nv; ++k) err = std::max(err, std::fabs(qa[k] - qaf[k]));
    CHECK(err <= 1e-4 * std::max(1.0, inf_norm(qa)));
  }
}
