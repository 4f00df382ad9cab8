// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast learning
// Tracking rewards: the exponential-kernel reward's values; the adversarial discriminator
// (rl/track/discriminator.h): input gradient and the parameter gradient of its loss, gradient
// penalty alone included, against central finite differences (tanh and ReLU); it learns to tell
// the zero vector from non-zero errors, its reward falls as the error grows, and it survives a
// save / load round trip.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "rl/track/discriminator.h"
#include "rl/track/track_env.h"

using namespace sinew;
using namespace sinew::track;

TEST_CASE("exp reward values") {
  const ExpRewardConfig c;
  CHECK(exp_reward(c, 0, 0, 0, 0) == doctest::Approx(c.w_pose + c.w_vel + c.w_body + c.w_root));
  CHECK(exp_reward(c, 0, 0, 0, 0) == doctest::Approx(1.0));
  // e_pose = 0.5 rad^2 with k_pose = 2: the pose term is 0.5 / e
  CHECK(exp_reward(c, 0.5, 0, 0, 0) == doctest::Approx(0.5 * std::exp(-1.0) + 0.5));
  // e_body = 0.025 m^2 with k_body = 40: exp(-1)
  CHECK(exp_reward(c, 0, 0, 0.025, 0) == doctest::Approx(0.8 + 0.2 * std::exp(-1.0)));
  ExpRewardConfig d;
  d.w_pose = 1, d.w_vel = d.w_body = d.w_root = 0, d.k_pose = 3;
  CHECK(exp_reward(d, 0.2, 9, 9, 9) == doctest::Approx(std::exp(-0.6)));
  // monotone in each error
  CHECK(exp_reward(c, 0.1, 0.1, 0.01, 0.01) > exp_reward(c, 0.2, 0.1, 0.01, 0.01));
  CHECK(exp_reward(c, 0.1, 0.1, 0.01, 0.01) > exp_reward(c, 0.1, 0.1, 0.01, 0.02));
}

TEST_CASE("reward from the logit: -log(max(1 - sigmoid(d), 1e-4)) * scale") {
  CHECK(Discriminator::reward_from_logit(0, 2) == doctest::Approx(2 * std::log(2.0)));
  CHECK(Discriminator::reward_from_logit(100, 2) == doctest::Approx(2 * std::log(1e4)));
  double prev = -1;
  for (double d = -10; d <= 10; d += 0.5) {
    const double r = Discriminator::reward_from_logit(d, 1);
    CHECK(r >= prev);
    prev = r;
  }
}

namespace {

DiscriminatorConfig small_config(const char* act) {
  DiscriminatorConfig c;
  c.hidden = {7, 6};
  c.activation = act;
  c.grad_penalty = 2.0;
  c.logit_weight_decay = 0.05;
  return c;
}

Eigen::MatrixXd random_rows(int m, int n, std::uint64_t seed, double scale = 1.0) {
  rl::Rng rng(seed, 7);
  Eigen::MatrixXd X(m, n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) X(i, j) = scale * rng.normal();
  return X;
}

// Central differences of the loss with respect to every parameter.
void check_loss_gradient(const char* act, double bce_weight) {
  Discriminator d(5, small_config(act), 3);
  // non-zero biases so that ReLU kinks are not all at the same place
  rl::Rng rng(11, 1);
  for (double& p : d.params()) p += 0.1 * rng.normal();
  const Eigen::MatrixXd X = random_rows(6, 5, 5);
  std::vector<double> g, dummy;
  d.loss_and_grad(X, g, bce_weight);
  const double h = 1e-6;
  double worst = 0;
  for (std::size_t i = 0; i < d.num_params(); ++i) {
    const double p0 = d.params()[i];
    d.params()[i] = p0 + h;
    const double lp = d.loss_and_grad(X, dummy, bce_weight).loss;
    d.params()[i] = p0 - h;
    const double lm = d.loss_and_grad(X, dummy, bce_weight).loss;
    d.params()[i] = p0;
    const double fd = (lp - lm) / (2 * h);
    worst = std::max(worst, std::fabs(fd - g[i]) / std::max(1.0, std::fabs(fd)));
  }
  INFO(act << " bce_weight " << bce_weight);
  CHECK(worst < 1e-6);
}

}  // namespace

TEST_CASE("input gradient of D against finite differences") {
  for (const char* act : {"tanh", "relu"}) {
    Discriminator d(5, small_config(act), 4);
    const Eigen::MatrixXd X = random_rows(3, 5, 9);
    const Eigen::MatrixXd G = d.input_grad(X);
    const double h = 1e-6;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        Eigen::MatrixXd Xp = X, Xm = X;
        Xp(i, j) += h;
        Xm(i, j) -= h;
        const double fd = (d.logits(Xp)(i) - d.logits(Xm)(i)) / (2 * h);
        CHECK(G(i, j) == doctest::Approx(fd).epsilon(1e-6));
      }
  }
}

TEST_CASE("gradient penalty gradient (double backprop) against finite differences") {
  check_loss_gradient("tanh", 0.0);  // the penalty (and logit weight decay) alone
  check_loss_gradient("relu", 0.0);
  check_loss_gradient("tanh", 1.0);  // the whole loss
  check_loss_gradient("relu", 1.0);
}

namespace {

// Non-zero error vectors: random directions, radius uniform in [0.5, 3] (already normalised
// scale: mean |x_j| ~ 1).
std::vector<float> nonzero_errors(int rows, int dim, std::uint64_t seed) {
  rl::Rng rng(seed, 3);
  std::vector<float> raw(static_cast<std::size_t>(rows) * dim);
  for (int r = 0; r < rows; ++r) {
    double n2 = 0;
    std::vector<double> v(dim);
    for (double& x : v) {
      x = rng.normal();
      n2 += x * x;
    }
    const double rad = rng.uniform(0.5, 3.0) * std::sqrt(double(dim)) / std::sqrt(n2);
    for (int j = 0; j < dim; ++j) raw[std::size_t(r) * dim + j] = static_cast<float>(v[j] * rad);
  }
  return raw;
}

}  // namespace

TEST_CASE("D learns to separate the zero vector from non-zero errors; reward falls with error") {
  const int dim = 8;
  DiscriminatorConfig c;
  c.hidden = {32, 32};
  c.lr = 1e-3;  // grad_penalty stays at its default, 2
  c.batch = 128;
  c.steps = 20;
  c.replay_size = 2000;
  c.replay_add = 200;
  Discriminator d(dim, c, 1);
  rl::Rng rng(2, 2);
  DiscriminatorStats st;
  for (int it = 0; it < 15; ++it) {
    const std::vector<float> raw = nonzero_errors(512, dim, 100 + it);
    st = d.update(raw, 512, rng);
  }
  // the gradient penalty (weight 2) keeps D smooth: the margin is modest at this small scale
  // (|x| ~ 1..8 normalised), but every fresh non-zero error scores below the zero vector
  INFO("sigmoid D(0) " << st.d_zero << ", mean sigmoid D(neg) " << st.d_neg);
  CHECK(st.d_zero > 0.55);
  CHECK(st.d_neg < 0.45);
  {
    const std::vector<float> fresh = nonzero_errors(256, dim, 999);
    Eigen::MatrixXd X(256, dim);
    for (int r = 0; r < 256; ++r) {
      std::vector<double> v(fresh.begin() + r * dim, fresh.begin() + (r + 1) * dim);
      Eigen::VectorXd x(dim);
      d.normalize(v.data(), x.data());
      X.row(r) = x.transpose();
    }
    const Eigen::VectorXd lz = d.logits(Eigen::MatrixXd::Zero(1, dim));
    CHECK(d.logits(X).maxCoeff() < lz(0));
  }
  // the normaliser holds mean |Delta_j|
  for (double m : d.mean_abs()) CHECK(m > 0.5);
  // reward along rays from zero: highest at zero, monotone non-increasing outward
  rl::Rng dir_rng(5, 5);
  const std::vector<double> zero(dim, 0.0);
  const double r0 = d.reward(zero.data());
  for (int ray = 0; ray < 8; ++ray) {
    std::vector<double> v(dim);
    for (double& x : v) x = dir_rng.normal();
    double prev = r0;
    for (double t : {0.25, 0.5, 1.0, 2.0, 4.0}) {
      std::vector<double> x(dim);
      for (int j = 0; j < dim; ++j) x[j] = t * v[j] * d.mean_abs()[j];
      const double r = d.reward(x.data());
      CHECK(r <= prev + 1e-9);
      prev = r;
    }
    CHECK(prev < r0);
  }
}

TEST_CASE("discriminator save / load round trip") {
  Discriminator a(6, small_config("relu"), 1);
  rl::Rng rng(1, 1);
  a.update(nonzero_errors(64, 6, 1), 64, rng);
  std::stringstream ss;
  a.save(ss);
  Discriminator b(6, small_config("relu"), 99);
  b.load(ss, "test");
  CHECK(b.params() == a.params());
  CHECK(b.mean_abs() == a.mean_abs());
  const std::vector<double> x = {0.1, -0.2, 0.3, 0, 0.5, 1};
  CHECK(b.reward(x.data()) == a.reward(x.data()));
  Discriminator wrong(7, small_config("relu"), 1);
  std::stringstream s2;
  a.save(s2);
  CHECK_THROWS_WITH_AS(wrong.load(s2, "ck.bin"), doctest::Contains("does not fit"),
                       std::runtime_error);
}
