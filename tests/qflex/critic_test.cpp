// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/qflex/brn_mlp.h and critic.h: gradients of the batch-renormalized MLP (training mode
// during the warm-up, where r = 1 and d = 0, and evaluation mode; with and without BRN) against
// central finite differences; dQ/da of the twin critics (evaluation mode, the per-sample min)
// against finite differences; the CrossQ TD gradient through the joint batch's statistics; the
// running statistics converging to the batch statistics; save/load.
#include "rl/qflex/critic.h"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "rl/nn/optim.h"
#include "rl/qflex/brn_mlp.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::rl::qflex;
using sinew::nn::Activation;
using sinew::nn::Matrix;
using namespace sinew::nn::test;

namespace {

BrnMlpConfig small_net(int in, int out, Activation act, bool brn) {
  BrnMlpConfig c;
  c.in = in;
  c.out = out;
  c.hidden = {8, 6};
  c.activation = act;
  c.batch_renorm = brn;
  return c;
}

// Perturbs the parameters away from their special initial values (unit gains, zero biases).
void perturb(BrnMlp& net, std::uint64_t seed) {
  const Matrix noise = random_matrix(1, static_cast<int>(net.num_params()), seed, 0.2f);
  for (std::size_t i = 0; i < net.num_params(); ++i) net.params()[i] += noise(0, i);
}

// Folds `steps` training batches into the running statistics.
void warm_stats(BrnMlp& net, int steps, std::uint64_t seed) {
  BrnTape t;
  Matrix y;
  for (int k = 0; k < steps; ++k) {
    const Matrix x = random_matrix(16, net.in(), seed + k, 1.5f);
    net.forward(x, y, Mode::kTrain, t);
    net.update_stats(t);
  }
}

void check_net_gradients(Activation act, bool brn, Mode mode) {
  CAPTURE(static_cast<int>(act));
  CAPTURE(brn);
  CAPTURE(static_cast<int>(mode));
  BrnMlp net(small_net(5, 3, act, brn), 7);
  perturb(net, 8);
  if (brn) warm_stats(net, 5, 100);  // still in the warm-up: r = 1, d = 0
  REQUIRE(net.stat_steps() < net.config().brn.warmup_steps);
  const Matrix x = random_matrix(6, 5, 9), r = random_matrix(6, 3, 10);
  Matrix y, dx;
  BrnTape tape;
  net.forward(x, y, mode, tape);
  net.zero_grad();
  net.backward(tape, r, &dx);
  Matrix dx_only;
  net.input_grad(tape, r, dx_only);
  CHECK((dx_only - dx).cwiseAbs().maxCoeff() < 1e-6f);
  Matrix xx = x;
  auto loss = [&] {
    BrnTape t;
    Matrix yy;
    net.forward(xx, yy, mode, t);
    std::uint64_t pattern = 1469598103934665603ull;  // ReLU region
    for (const Matrix& p : t.pre)
      for (int k = 0; k < p.size(); ++k)
        pattern = (pattern ^ (p.data()[k] > 0 ? 1u : 2u)) * 1099511628211ull;
    return LossEval{weighted_sum(yy, r), pattern};
  };
  const FdReport rp =
      check_gradient(net.params(), net.grads(), net.num_params(), 1e-2f, 2e-3, 2e-2, loss);
  const FdReport rx = check_gradient(xx.data(), dx.data(), dx.size(), 1e-2f, 2e-3, 2e-2, loss);
  MESSAGE("params worst " << rp.worst << " (" << rp.checked << " checked, " << rp.skipped
                          << " skipped), inputs worst " << rx.worst);
  CHECK(rp.worst <= 1.0);
  CHECK(rx.worst <= 1.0);
  CHECK(rp.skipped * 5 < rp.checked);
}

}  // namespace

TEST_CASE("BRN MLP gradients match finite differences") {
  for (Activation act : {Activation::kTanh, Activation::kRelu})
    for (bool brn : {false, true})
      for (Mode mode : {Mode::kEval, Mode::kTrain}) check_net_gradients(act, brn, mode);
}

TEST_CASE("running statistics converge to the batch statistics (eval output = train output)") {
  BrnMlpConfig c = small_net(4, 2, Activation::kRelu, true);
  c.brn.warmup_steps = 10;  // then renormalization with r, d from the running statistics
  BrnMlp net(c, 3);
  perturb(net, 4);
  const Matrix x = random_matrix(32, 4, 5, 2.f);
  BrnTape t;
  Matrix y_train, y_eval;
  for (int k = 0; k < 2000; ++k) {
    net.forward(x, y_train, Mode::kTrain, t);
    net.update_stats(t);
  }
  for (std::size_t u = 0; u < t.r.size(); ++u)
    for (std::size_t j = 0; j < t.r[u].size(); ++j) {
      CHECK(t.r[u][j] == doctest::Approx(1.0).epsilon(1e-3));
      CHECK(t.d[u][j] == doctest::Approx(0.0).epsilon(1e-3));
    }
  net.forward(x, y_eval, Mode::kEval, t);
  CHECK((y_eval - y_train).cwiseAbs().maxCoeff() < 1e-3f);
  CHECK_THROWS_AS(net.update_stats(t), std::invalid_argument);
}

TEST_CASE("twin critic: dQ/da of min(Q1, Q2) matches finite differences") {
  BrnMlpConfig c;
  c.hidden = {32, 32, 32};
  TwinCritic critic(3, 2, c, 11);
  for (BrnMlp& q : critic.q) {
    perturb(q, 12);
    warm_stats(q, 20, 300);
  }
  const Matrix s = random_matrix(16, 3, 13), a0 = random_matrix(16, 2, 14);
  std::vector<float> minq;
  Matrix grad;
  critic.min_q_action_grad(s, a0, minq, grad);
  std::vector<float> q1, q2;
  critic.q_values(s, a0, q1, q2);
  int checked = 0;
  for (int i = 0; i < s.rows(); ++i) {
    CHECK(minq[i] == std::min(q1[i], q2[i]));
    if (std::fabs(q1[i] - q2[i]) < 1e-2f) continue;  // a finite difference could switch critics
    for (int j = 0; j < 2; ++j) {
      auto fd = [&](float h) {
        Matrix ap = a0, am = a0;
        ap(i, j) += h;
        am(i, j) -= h;
        std::vector<float> mp, mm;
        Matrix g;
        critic.min_q_action_grad(s, ap, mp, g);
        critic.min_q_action_grad(s, am, mm, g);
        return (double(mp[i]) - mm[i]) / (double(ap(i, j)) - am(i, j));
      };
      // a ReLU kink inside [a - h, a + h] shows as a disagreement of two step sizes: skipped
      const double fd1 = fd(2e-3f), fd2 = fd(1e-3f);
      if (std::fabs(fd1 - fd2) > 1e-3 + 1e-2 * std::fabs(fd1)) continue;
      CAPTURE(i);
      CAPTURE(j);
      CHECK(std::fabs(fd2 - grad(i, j)) <= 1e-3 + 1e-2 * std::fabs(grad(i, j)));
      ++checked;
    }
  }
  CHECK(checked >= 20);
  // evaluation mode: one sample's gradient does not depend on the others
  Matrix grad1;
  critic.min_q_action_grad(s.topRows(1), a0.topRows(1), minq, grad1);
  CHECK((grad1.row(0) - grad.row(0)).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("the ascent's fixed-state path equals the full pass (values and dQ/da)") {
  for (bool brn : {true, false})
    for (Activation act : {Activation::kRelu, Activation::kTanh}) {
      CAPTURE(brn);
      CAPTURE(static_cast<int>(act));
      BrnMlpConfig c;
      c.hidden = {16, 12};
      c.activation = act;
      c.batch_renorm = brn;
      TwinCritic critic(7, 4, c, 21);
      for (BrnMlp& q : critic.q) {
        perturb(q, 22);
        if (brn) warm_stats(q, 10, 400);
      }
      const Matrix s = random_matrix(9, 7, 23);
      std::vector<float> m_full, m_fixed;
      Matrix g_full, g_fixed;
      critic.fix_states(s);
      for (int step = 0; step < 3; ++step) {  // several action batches on one cache
        const Matrix a = random_matrix(9, 4, 30 + step);
        critic.min_q_action_grad(s, a, m_full, g_full);
        critic.min_q_action_grad_fixed(a, m_fixed, g_fixed);
        for (int i = 0; i < 9; ++i) CHECK(m_fixed[i] == doctest::Approx(m_full[i]).epsilon(1e-5));
        CHECK((g_fixed - g_full).cwiseAbs().maxCoeff() <=
              1e-5f * (1.f + g_full.cwiseAbs().maxCoeff()));
      }
      // a batch that does not match the cache, a tape of the wrong kind: refused
      CHECK_THROWS_AS(critic.min_q_action_grad_fixed(random_matrix(5, 4, 40), m_fixed, g_fixed),
                      std::invalid_argument);
      BrnTape t;
      Matrix y, z;
      critic.q[0].forward(random_matrix(9, 11, 41), y, Mode::kEval, t);
      CHECK_THROWS_AS(critic.q[0].input_grad_suffix(t, Matrix::Ones(9, 1), z),
                      std::invalid_argument);
      critic.q[0].prefix_eval(s, z);
      critic.q[0].forward_eval_suffix(z, random_matrix(9, 4, 42), y, t);
      CHECK_THROWS_AS(critic.q[0].backward(t, Matrix::Ones(9, 1), nullptr), std::invalid_argument);
    }
}

TEST_CASE("CrossQ TD gradient through the joint batch statistics matches finite differences") {
  BrnMlpConfig c;
  c.hidden = {8, 8};
  c.activation = Activation::kTanh;
  TwinCritic critic(3, 2, c, 21);
  for (BrnMlp& q : critic.q) perturb(q, 22);
  const int B = 5;
  const Matrix s = random_matrix(B, 3, 23), a = random_matrix(B, 2, 24);
  const Matrix s2 = random_matrix(B, 3, 25), a2 = random_matrix(B, 2, 26);
  const std::vector<float> r = {0.5f, -1.f, 0.2f, 1.5f, -0.3f};
  const std::vector<std::uint8_t> term = {0, 1, 0, 0, 1};
  // gamma = 0: the target is r, so the loss is a function of the parameters alone, yet the
  // next-state rows still shape the batch statistics (and so the gradient)
  critic.td_grad(s, a, r.data(), term.data(), s2, a2, 0.f, false);
  for (int k = 0; k < 2; ++k) {
    std::vector<float> g(critic.q[k].grads(), critic.q[k].grads() + critic.q[k].num_params());
    auto loss = [&] {
      TwinCritic copy = critic;
      return LossEval{copy.td_grad(s, a, r.data(), term.data(), s2, a2, 0.f, false).loss, 0};
    };
    const FdReport rep =
        check_gradient(critic.q[k].params(), g.data(), g.size(), 1e-2f, 2e-3, 2e-2, loss);
    MESSAGE("critic " << k + 1 << ": worst " << rep.worst << " over " << rep.checked);
    CHECK(rep.worst <= 1.0);
  }
  // with the next rows' statistics shared, changing s' changes the gradient even at gamma = 0
  std::vector<float> g0(critic.q[0].grads(), critic.q[0].grads() + critic.q[0].num_params());
  const Matrix s3 = random_matrix(B, 3, 27, 3.f);
  critic.td_grad(s, a, r.data(), term.data(), s3, a2, 0.f, false);
  double diff = 0;
  for (std::size_t i = 0; i < g0.size(); ++i) diff += std::fabs(g0[i] - critic.q[0].grads()[i]);
  CHECK(diff > 1e-3);
}

TEST_CASE("critic regression: the TD loss falls when Q fits one-step rewards") {
  BrnMlpConfig c;
  c.hidden = {64, 64};
  TwinCritic critic(3, 2, c, 31);
  sinew::nn::AdamConfig ac;
  ac.beta1 = 0.5f;
  sinew::nn::Adam opt[2] = {sinew::nn::Adam(critic.q[0].num_params(), ac),
                            sinew::nn::Adam(critic.q[1].num_params(), ac)};
  const int B = 64;
  const Matrix s = random_matrix(B, 3, 32), a = random_matrix(B, 2, 33);
  std::vector<float> r(B);
  for (int i = 0; i < B; ++i) r[i] = -(a(i, 0) - s(i, 0)) * (a(i, 0) - s(i, 0)) + a(i, 1) * s(i, 2);
  const std::vector<std::uint8_t> term(B, 1);
  double first = 0, last = 0;
  for (int it = 0; it < 300; ++it) {
    const TdStats st = critic.td_grad(s, a, r.data(), term.data(), s, a, 0.99f, true);
    if (it == 0) first = st.loss;
    last = st.loss;
    for (int k = 0; k < 2; ++k) opt[k].step(critic.q[k].params(), critic.q[k].grads(), 1e-3f);
  }
  MESSAGE("TD loss " << first << " -> " << last);
  CHECK(last < 0.05 * first);
}

TEST_CASE("target critics: Polyak averaging, and the TD target reads the target's values") {
  BrnMlpConfig c;
  c.hidden = {8, 8};
  TwinCritic critic(3, 2, c, 51), target(3, 2, c, 52);
  for (BrnMlp& q : critic.q) {
    perturb(q, 53);
    warm_stats(q, 4, 54);
  }
  const TwinCritic before = target;
  const float tau = 0.25f;
  target.polyak_from(critic, tau);
  for (int k = 0; k < 2; ++k)
    for (std::size_t i = 0; i < target.q[k].num_params(); i += 7)
      CHECK(target.q[k].params()[i] ==
            doctest::Approx((1 - tau) * before.q[k].params()[i] + tau * critic.q[k].params()[i]));
  CHECK(target.q[0].stat_steps() == 4);
  // tau = 1 copies parameters and running statistics: the same Q values
  target.polyak_from(critic, 1.f);
  const int B = 6;
  const Matrix s = random_matrix(B, 3, 55), a = random_matrix(B, 2, 56);
  const Matrix s2 = random_matrix(B, 3, 57), a2 = random_matrix(B, 2, 58);
  std::vector<float> q1, q2, t1, t2;
  critic.q_values(s2, a2, q1, q2);
  target.q_values(s2, a2, t1, t2);
  CHECK(q1 == t1);
  CHECK(q2 == t2);
  CHECK_THROWS_AS(target.polyak_from(critic, 1.5f), std::invalid_argument);
  CHECK_THROWS_AS(target.polyak_from(TwinCritic(4, 2, c, 1), 0.1f), std::invalid_argument);

  // the bootstrap min(Q1, Q2)(s', a') comes from the target's evaluation pass
  for (BrnMlp& q : target.q) perturb(q, 59);
  target.q_values(s2, a2, t1, t2);
  const std::vector<float> r = {0.5f, -1.f, 0.2f, 1.5f, -0.3f, 0.f};
  const std::vector<std::uint8_t> term = {0, 1, 0, 0, 1, 0};
  const float gamma = 0.9f;
  double want = 0;
  for (int i = 0; i < B; ++i) want += (r[i] + (term[i] ? 0.f : gamma * std::min(t1[i], t2[i]))) / B;
  const TdStats with = critic.td_grad(s, a, r.data(), term.data(), s2, a2, gamma, false, &target);
  CHECK(with.target_mean == doctest::Approx(want).epsilon(1e-5));
  const TdStats without = critic.td_grad(s, a, r.data(), term.data(), s2, a2, gamma, false);
  CHECK(std::fabs(without.target_mean - want) > 1e-3);
  CHECK_THROWS_AS(critic.td_grad(s, a, r.data(), term.data(), s2, a2, gamma, false, &critic),
                  std::invalid_argument);
}

TEST_CASE("critic save/load round trip") {
  BrnMlpConfig c;
  c.hidden = {16, 16};
  TwinCritic critic(4, 3, c, 41);
  for (BrnMlp& q : critic.q) warm_stats(q, 3, 42);
  std::stringstream ss;
  critic.save(ss);
  TwinCritic back = TwinCritic::load(ss, "memory");
  const Matrix s = random_matrix(7, 4, 43), a = random_matrix(7, 3, 44);
  std::vector<float> q1, q2, b1, b2;
  critic.q_values(s, a, q1, q2);
  back.q_values(s, a, b1, b2);
  CHECK(q1 == b1);
  CHECK(q2 == b2);
  CHECK(back.q[0].stat_steps() == 3);
  std::stringstream bad("SNWTWINQ");
  CHECK_THROWS_AS(TwinCritic::load(bad, "bad"), std::runtime_error);
}
