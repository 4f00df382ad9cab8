// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/qflex/flow.h: the truncated ascent step never exceeds min(eta, 2 sqrt(|A|) / ||g||) and a
// step never moves an action by more than 2 sqrt(|A|); on a quadratic Q the ascent transports
// samples toward the maximiser at the predicted rate, and a velocity field trained by flow
// matching on those pairs transports fresh source samples toward it too; the flow-matching loss
// decreases on a fixed target; flow-matching gradients against finite differences.
#include "rl/qflex/flow.h"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "rl/nn/optim.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::rl::qflex;
using sinew::nn::Matrix;
using sinew::rl::Rng;
using namespace sinew::nn::test;

namespace {

// Q(a) = -0.5 scale ||a - a_star||^2, gradient scale (a_star - a).
ActionGradFn quadratic(const Eigen::RowVectorXf& a_star, float scale) {
  return [a_star, scale](const Matrix& a, Matrix& g) {
    g = (-a).rowwise() + a_star;
    g *= scale;
  };
}

double mean_dist(const Matrix& a, const Eigen::RowVectorXf& a_star) {
  return ((a.rowwise() - a_star).rowwise().norm()).mean();
}

Matrix gaussian(int rows, int cols, std::uint64_t seed, float sd) {
  Rng rng(seed, 0);
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(sd * rng.normal());
  return m;
}

}  // namespace

TEST_CASE("the truncated step never exceeds its bound") {
  for (int A : {1, 2, 6, 700}) {
    const double bound = 2 * std::sqrt(double(A));
    for (double norm = 1e-8; norm < 1e12; norm *= 3.7)
      for (float eta : {1e-3f, 1e-2f, 1.f, 100.f}) {
        const float step = truncated_step(eta, A, norm);
        CHECK(step <= eta);
        CHECK(double(step) * norm <= bound * (1 + 1e-6));
        if (eta * norm <= bound) CHECK(step == eta);
      }
    CHECK(truncated_step(0.01f, A, 0.0) == 0.01f);
  }
  // ascent on a steep linear objective: every step is cut to 2 sqrt(|A|)
  const int A = 3;
  const Matrix a0 = gaussian(50, A, 1, 1.f);
  Matrix a1;
  auto steep = [](const Matrix& a, Matrix& g) {
    g.resize(a.rows(), a.cols());
    for (int i = 0; i < a.rows(); ++i)
      for (int j = 0; j < a.cols(); ++j) g(i, j) = 1e6f * float(i + j + 1);
  };
  const AscentStats st = ascend(steep, a0, 5, 1e-2f, a1);
  CHECK(st.truncated == 1.0);
  CHECK(st.max_step <= 2 * std::sqrt(3.0) * (1 + 1e-5));
  CHECK(((a1 - a0).rowwise().norm().array() <= 5 * 2 * std::sqrt(3.0) * (1 + 1e-5)).all());
}

TEST_CASE("on a quadratic Q the ascent transports samples toward the maximiser") {
  const int A = 4;
  Eigen::RowVectorXf a_star(A);
  a_star << 0.5f, -0.3f, 0.2f, 0.7f;
  const Matrix a0 = gaussian(200, A, 2, 0.5f);
  Matrix a1;
  // published defaults N = 20, eta = 1e-2: untruncated, a_n - a* shrinks by (1 - eta) per step
  const AscentStats st = ascend(quadratic(a_star, 1.f), a0, 20, 1e-2f, a1);
  CHECK(st.truncated == 0.0);
  const Matrix expect = (a0.rowwise() - a_star) * std::pow(0.99f, 20.f);
  CHECK(((a1.rowwise() - a_star) - expect).cwiseAbs().maxCoeff() < 1e-5f);
  CHECK(mean_dist(a1, a_star) < mean_dist(a0, a_star));
}

TEST_CASE("flow matching: the loss falls on a fixed target and the flow moves toward the max") {
  const int O = 2, A = 2, B = 256;
  Eigen::RowVectorXf a_star(A);
  a_star << 0.6f, -0.4f;
  BrnMlpConfig net;
  net.hidden = {64, 64};
  net.batch_renorm = false;
  VelocityField field(O, A, net, 5);
  sinew::nn::AdamConfig ac;
  sinew::nn::Adam opt(field.net.num_params(), ac);
  const Matrix s = random_matrix(B, O, 6);
  // fixed pairs: a0 from the source, a1 = 40 ascent steps of eta 0.05 on the quadratic
  const Matrix a0 = gaussian(B, A, 7, 0.5f);
  Matrix a1;
  ascend(quadratic(a_star, 1.f), a0, 40, 0.05f, a1);
  std::vector<float> t_eval(B);
  for (int i = 0; i < B; ++i) t_eval[i] = (i + 0.5f) / B;
  const double before = field.flow_matching_loss(s, a0, a1, t_eval, Mode::kEval);
  Rng rng(8, 0);
  for (int it = 0; it < 600; ++it) {
    field.flow_matching_grad(s, a0, a1, rng, true);
    opt.step(field.net.params(), field.net.grads(), 2e-3f);
  }
  const double after = field.flow_matching_loss(s, a0, a1, t_eval, Mode::kEval);
  MESSAGE("flow-matching loss " << before << " -> " << after);
  CHECK(after < 0.1 * before);
  // fresh source samples integrated with K = 20 Euler steps land near the maximiser
  const Matrix fresh = gaussian(B, A, 9, 0.5f);
  Matrix moved;
  field.integrate(s, fresh, 20, 20.f, moved);
  const double d0 = mean_dist(fresh, a_star), d1 = mean_dist(moved, a_star);
  MESSAGE("mean distance to the maximiser: source "
          << d0 << ", after the flow " << d1 << " (ascent pairs: " << mean_dist(a1, a_star) << ")");
  CHECK(d1 < 0.5 * d0);
  // v_clip 0 is the default of both learners' configs and means K, not "no motion" (until
  // 2026-12-04 it clipped every velocity to zero in PPO + flow)
  Matrix moved0;
  field.integrate(s, fresh, 20, 0.f, moved0);
  CHECK((moved0 - moved).cwiseAbs().maxCoeff() == 0.f);
  CHECK(mean_dist(moved0, a_star) < 0.5 * d0);
}

TEST_CASE("flow-matching gradient matches finite differences") {
  BrnMlpConfig net;
  net.hidden = {8, 8};
  net.activation = sinew::nn::Activation::kTanh;
  for (bool brn : {false, true}) {
    net.batch_renorm = brn;
    VelocityField field(3, 2, net, 11);
    const Matrix s = random_matrix(6, 3, 12), a0 = random_matrix(6, 2, 13);
    const Matrix a1 = random_matrix(6, 2, 14);
    Rng rng(15, 0), rng_copy = rng;
    field.flow_matching_grad(s, a0, a1, rng, false);
    std::vector<float> t(6);
    for (float& ti : t) ti = static_cast<float>(rng_copy.uniform());
    std::vector<float> g(field.net.grads(), field.net.grads() + field.net.num_params());
    auto loss = [&] { return LossEval{field.flow_matching_loss(s, a0, a1, t, Mode::kTrain), 0}; };
    const FdReport rep =
        check_gradient(field.net.params(), g.data(), g.size(), 1e-2f, 2e-3, 2e-2, loss);
    MESSAGE("BRN " << brn << ": worst " << rep.worst << " over " << rep.checked);
    CHECK(rep.worst <= 1.0);
  }
}

TEST_CASE("velocity field save/load round trip") {
  BrnMlpConfig net;
  net.hidden = {16};
  VelocityField field(3, 2, net, 21);
  std::stringstream ss;
  field.save(ss);
  VelocityField back = VelocityField::load(ss, "memory");
  const Matrix s = random_matrix(4, 3, 22), a = random_matrix(4, 2, 23);
  Matrix x, y;
  field.integrate(s, a, 5, 5.f, x);
  back.integrate(s, a, 5, 5.f, y);
  CHECK((x.array() == y.array()).all());
}
