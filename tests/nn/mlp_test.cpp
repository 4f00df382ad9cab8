// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/nn/mlp.h: gradients of whole networks (every activation, with and without LayerNorm) wrt
// parameters and inputs against central finite differences (float nets, eps 1e-2; pass when
// |fd - analytic| <= 1e-3 + 1e-2 |analytic|; ReLU differences that cross a kink are skipped),
// orthogonal initialisation, determinism, buffer reuse, parameter copies, and learning a small
// regression with Adam.
#include "rl/nn/mlp.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "rl/nn/optim.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::nn;
using namespace sinew::nn::test;

namespace {

MlpConfig small_config(Activation a, bool ln) {
  MlpConfig c;
  c.in = 5;
  c.hidden = {8, 6};
  c.out = 3;
  c.activation = a;
  c.layer_norm = ln;
  c.out_gain = 1.0f;
  return c;
}

// Pattern of the signs of all pre-activations (the ReLU region of the whole network).
std::uint64_t sign_pattern(const MlpTape& t) {
  std::uint64_t h = 1469598103934665603ull;
  for (const Matrix& p : t.pre)
    for (int k = 0; k < p.size(); ++k) h = (h ^ (p.data()[k] > 0 ? 1u : 2u)) * 1099511628211ull;
  return h;
}

void check_mlp_gradients(Activation a, bool ln) {
  const std::string name = activation_name(a);
  CAPTURE(name);
  CAPTURE(ln);
  Mlp net(small_config(a, ln), 7);
  // perturb the init so biases and LayerNorm parameters are not at their special values
  Matrix noise = random_matrix(1, static_cast<int>(net.num_params()), 8, 0.1f);
  for (std::size_t i = 0; i < net.num_params(); ++i) net.params()[i] += noise(0, i);
  Matrix x = random_matrix(4, 5, 9), r = random_matrix(4, 3, 10), y, dx;
  MlpTape tape;
  net.forward(x, y, &tape);
  net.zero_grad();
  net.backward(tape, r, &dx);
  auto loss = [&] {
    MlpTape t;
    Matrix yy;
    net.forward(x, yy, &t);
    return LossEval{weighted_sum(yy, r), a == Activation::kRelu ? sign_pattern(t) : 0};
  };
  const FdReport rp =
      check_gradient(net.params(), net.grads(), net.num_params(), 1e-2f, 1e-3, 1e-2, loss);
  const FdReport rx = check_gradient(x.data(), dx.data(), dx.size(), 1e-2f, 1e-3, 1e-2, loss);
  MESSAGE(std::string(activation_name(a))
          << std::string(ln ? "+LN" : "") << ": params worst " << rp.worst << " (" << rp.checked
          << " checked, " << rp.skipped << " skipped), inputs worst " << rx.worst);
  CHECK(rp.worst <= 1.0);
  CHECK(rx.worst <= 1.0);
  CHECK(rp.skipped * 10 < rp.checked);
  CHECK(rx.skipped * 10 < rx.checked);
}

}  // namespace

TEST_CASE("MLP gradients match finite differences") {
  for (bool ln : {false, true})
    for (Activation a : {Activation::kTanh, Activation::kRelu, Activation::kElu, Activation::kSilu})
      check_mlp_gradients(a, ln);
}

TEST_CASE("layout and initialisation") {
  MlpConfig c = small_config(Activation::kTanh, true);
  c.out_gain = 0.01f;
  Mlp net(c, 3);
  CHECK(net.num_layers() == 3);
  CHECK(net.num_params() == (5 * 8 + 8 + 16) + (8 * 6 + 6 + 12) + (6 * 3 + 3));
  for (std::size_t l = 0; l < net.num_layers(); ++l) {
    const MlpLayer& L = net.layer(l);
    Eigen::Map<const Matrix> w(net.params() + L.w, L.out, L.in);
    const float gain = l + 1 == net.num_layers() ? 0.01f : std::sqrt(2.0f);
    // orthonormal rows (out <= in) or columns (out > in), times the gain
    const Matrix gram = L.out <= L.in ? Matrix(w * w.transpose()) : Matrix(w.transpose() * w);
    const Matrix eye = Matrix::Identity(gram.rows(), gram.cols()) * gain * gain;
    CHECK((gram - eye).cwiseAbs().maxCoeff() < 1e-5f * gain * gain);
    for (int o = 0; o < L.out; ++o) CHECK(net.params()[L.b + o] == 0.0f);
    if (L.ln_g != MlpLayer::kNone)
      for (int o = 0; o < L.out; ++o) {
        CHECK(net.params()[L.ln_g + o] == 1.0f);
        CHECK(net.params()[L.ln_b + o] == 0.0f);
      }
  }
  CHECK(net.layer(2).ln_g == MlpLayer::kNone);
  CHECK_THROWS_AS(Mlp(MlpConfig{0, {4}, 2}, 1), std::invalid_argument);
}

TEST_CASE("a fixed seed gives identical networks and results") {
  MlpConfig c = small_config(Activation::kSilu, true);
  c.in = 40;
  c.hidden = {96, 96};
  Mlp a(c, 42), b(c, 42), other(c, 43);
  REQUIRE(a.num_params() == b.num_params());
  CHECK(std::equal(a.params(), a.params() + a.num_params(), b.params()));
  CHECK(!std::equal(a.params(), a.params() + a.num_params(), other.params()));
  // large enough that the kernels split over threads
  Matrix x = random_matrix(700, 40, 5), r = random_matrix(700, 3, 6);
  Matrix ya, yb, dxa, dxb;
  MlpTape ta, tb;
  a.forward(x, ya, &ta);
  b.forward(x, yb, &tb);
  a.backward(ta, r, &dxa);
  b.backward(tb, r, &dxb);
  CHECK((ya.array() == yb.array()).all());
  CHECK((dxa.array() == dxb.array()).all());
  CHECK(std::equal(a.grads(), a.grads() + a.num_params(), b.grads()));

  SUBCASE("one thread agrees with the default thread count to rounding") {
    const int saved = num_threads();
    set_num_threads(1);
    Matrix y1;
    a.forward(x, y1);
    set_num_threads(saved);
    CHECK((y1 - ya).cwiseAbs().maxCoeff() < 1e-5f);
  }
}

TEST_CASE("forward without a tape equals the taped forward and reuses its buffers") {
  Mlp net(small_config(Activation::kElu, true), 1);
  Matrix x = random_matrix(1, 5, 2), y1, y2;
  MlpTape tape;
  net.forward(x, y1, &tape);
  net.forward(x, y2);
  CHECK((y1.array() == y2.array()).all());
  const float* ybuf = y2.data();
  const float* hbuf = tape.post[1].data();
  for (int k = 0; k < 3; ++k) {
    x(0, 0) += 0.1f;
    net.forward(x, y2);
    net.forward(x, y1, &tape);
  }
  CHECK(y2.data() == ybuf);
  CHECK(tape.post[1].data() == hbuf);
  CHECK((y1.array() == y2.array()).all());
  CHECK_THROWS_AS(net.forward(Matrix::Zero(1, 4), y1), std::invalid_argument);
}

TEST_CASE("copy_params_from copies between networks of the same shape") {
  MlpConfig c = small_config(Activation::kTanh, false);
  Mlp a(c, 1), b(c, 2);
  b.copy_params_from(a);
  CHECK(std::equal(a.params(), a.params() + a.num_params(), b.params()));
  MlpConfig d = c;
  d.hidden = {8, 7};
  Mlp e(d, 1);
  CHECK_THROWS_AS(e.copy_params_from(a), std::invalid_argument);
}

TEST_CASE("an MLP learns a small regression with Adam") {
  MlpConfig c;
  c.in = 2;
  c.hidden = {64, 64};
  c.out = 1;
  c.activation = Activation::kTanh;
  Mlp net(c, 11);
  const int n = 256;
  Matrix x = random_matrix(n, 2, 12, 1.5f), target(n, 1);
  for (int i = 0; i < n; ++i) target(i, 0) = std::sin(2 * x(i, 0)) * std::cos(x(i, 1));
  Adam adam(net.num_params(), AdamConfig{});
  MlpTape tape;
  Matrix y, dy;
  auto mse = [&] {
    net.forward(x, y, &tape);
    dy = (y - target) * (2.0f / n);
    return (y - target).squaredNorm() / n;
  };
  const float first = mse();
  float last = first;
  for (int step = 0; step < 400; ++step) {
    net.zero_grad();
    net.backward(tape, dy);
    adam.step(net.params(), net.grads(), 3e-3f);
    last = mse();
  }
  MESSAGE("regression MSE " << first << " -> " << last);
  CHECK(last * 100 < first);
}
