// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/nn/linear.h and rl/nn/layer_norm.h: forward against plain loops, backward against central
// finite differences (float nets, eps 1e-2; pass when |fd - analytic| <= 5e-4 + 5e-3 |analytic|),
// accumulation semantics, and the checker itself rejecting a gradient that is 2% off.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "rl/nn/layer_norm.h"
#include "rl/nn/linear.h"
#include "rl/nn/mlp.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::nn;
using namespace sinew::nn::test;

namespace {

constexpr float kEps = 1e-2f;
constexpr double kAtol = 5e-4, kRtol = 5e-3;

void report(const char* what, const FdReport& r) {
  MESSAGE(std::string(what) << ": worst " << r.worst << " at " << r.worst_index << " (fd "
                            << r.worst_fd << ", analytic " << r.worst_analytic << "), checked "
                            << r.checked);
  CHECK(r.checked > 0);
  CHECK(r.worst <= 1.0);
}

struct LinearCase {
  int batch = 5, in = 7, out = 4;
  Matrix x = random_matrix(batch, in, 1);
  Matrix w = random_matrix(out, in, 2, 0.5f);
  Matrix b = random_matrix(1, out, 3, 0.5f);
  Matrix r = random_matrix(batch, out, 4);  // dL/dy
  LossEval loss() const {
    Matrix y;
    linear_forward(x, w.data(), b.data(), out, y);
    return {weighted_sum(y, r), 0};
  }
};

}  // namespace

TEST_CASE("linear_forward equals the plain sum") {
  LinearCase c;
  Matrix y;
  linear_forward(c.x, c.w.data(), c.b.data(), c.out, y);
  REQUIRE(y.rows() == c.batch);
  REQUIRE(y.cols() == c.out);
  for (int i = 0; i < c.batch; ++i)
    for (int o = 0; o < c.out; ++o) {
      double s = c.b(0, o);
      for (int k = 0; k < c.in; ++k) s += static_cast<double>(c.x(i, k)) * c.w(o, k);
      CHECK(y(i, o) == doctest::Approx(s).epsilon(1e-6));
    }
}

TEST_CASE("linear_backward matches finite differences in W, b and x") {
  LinearCase c;
  Matrix dw = Matrix::Zero(c.out, c.in), db = Matrix::Zero(1, c.out), dx;
  linear_backward(c.x, c.r, c.w.data(), dw.data(), db.data(), &dx);
  auto loss = [&] { return c.loss(); };
  report("dW", check_gradient(c.w.data(), dw.data(), dw.size(), kEps, kAtol, kRtol, loss));
  report("db", check_gradient(c.b.data(), db.data(), db.size(), kEps, kAtol, kRtol, loss));
  report("dx", check_gradient(c.x.data(), dx.data(), dx.size(), kEps, kAtol, kRtol, loss));

  SUBCASE("parameter gradients accumulate, dx is overwritten") {
    Matrix dx2 = Matrix::Constant(c.batch, c.in, 7.0f);
    linear_backward(c.x, c.r, c.w.data(), dw.data(), db.data(), &dx2);
    Matrix dw1 = Matrix::Zero(c.out, c.in), db1 = Matrix::Zero(1, c.out);
    linear_backward(c.x, c.r, c.w.data(), dw1.data(), db1.data(), nullptr);
    CHECK((dw - 2 * dw1).cwiseAbs().maxCoeff() < 1e-6f);
    CHECK((db - 2 * db1).cwiseAbs().maxCoeff() < 1e-6f);
    CHECK((dx2 - dx).cwiseAbs().maxCoeff() == 0.0f);
  }
}

TEST_CASE("the checker rejects a gradient that is 2% off") {
  LinearCase c;
  Matrix dw = Matrix::Zero(c.out, c.in), db = Matrix::Zero(1, c.out);
  linear_backward(c.x, c.r, c.w.data(), dw.data(), db.data(), nullptr);
  dw(2, 3) *= 1.02f;
  const FdReport r = check_gradient(c.w.data(), dw.data(), dw.size(), kEps, kAtol, kRtol,
                                    [&] { return c.loss(); });
  CHECK(r.worst > 1.0);
  CHECK(r.worst_index == 2u * c.in + 3u);
}

TEST_CASE("activation_backward matches finite differences for every activation") {
  for (Activation a : {Activation::kTanh, Activation::kRelu, Activation::kElu, Activation::kSilu}) {
    const std::string name = activation_name(a);
    CAPTURE(name);
    Matrix z = random_matrix(4, 9, 11, 2.0f), r = random_matrix(4, 9, 12);
    auto loss = [&] {
      Matrix y;
      activation_forward(a, z, y);
      std::uint64_t pattern = 0;  // ReLU/ELU regions
      for (int k = 0; k < z.size(); ++k) pattern = pattern * 3 + (z.data()[k] > 0 ? 1 : 2);
      return LossEval{weighted_sum(y, r), pattern};
    };
    Matrix y, dz;
    activation_forward(a, z, y);
    activation_backward(a, z, y, r, dz);
    report(activation_name(a),
           check_gradient(z.data(), dz.data(), dz.size(), kEps, kAtol, kRtol, loss));
  }
}

TEST_CASE("layer_norm_forward normalizes each row") {
  Matrix x = random_matrix(6, 16, 21, 3.0f);
  x.array() += 5.0f;
  std::vector<float> g(16, 1.0f), beta(16, 0.0f);
  Matrix xh, is, z;
  layer_norm_forward(x, g.data(), beta.data(), xh, is, z);
  for (int i = 0; i < 6; ++i) {
    CHECK(std::fabs(z.row(i).mean()) < 1e-5f);
    CHECK(z.row(i).squaredNorm() / 16.0f == doctest::Approx(1.0).epsilon(1e-4));
  }
  CHECK((xh - z).cwiseAbs().maxCoeff() == 0.0f);
}

TEST_CASE("layer_norm_backward matches finite differences in x, gain and bias") {
  const int batch = 4, n = 6;
  Matrix x = random_matrix(batch, n, 31, 1.5f), r = random_matrix(batch, n, 32);
  Matrix g = random_matrix(1, n, 33, 0.5f), beta = random_matrix(1, n, 34, 0.5f);
  g.array() += 1.0f;
  auto loss = [&] {
    Matrix xh, is, z;
    layer_norm_forward(x, g.data(), beta.data(), xh, is, z);
    return LossEval{weighted_sum(z, r), 0};
  };
  Matrix xh, is, z, dx;
  layer_norm_forward(x, g.data(), beta.data(), xh, is, z);
  Matrix dg = Matrix::Zero(1, n), dbeta = Matrix::Zero(1, n);
  layer_norm_backward(r, xh, is, g.data(), dg.data(), dbeta.data(), dx);
  report("LN dx", check_gradient(x.data(), dx.data(), dx.size(), kEps, kAtol, kRtol, loss));
  report("LN dg", check_gradient(g.data(), dg.data(), dg.size(), kEps, kAtol, kRtol, loss));
  report("LN dbeta",
         check_gradient(beta.data(), dbeta.data(), dbeta.size(), kEps, kAtol, kRtol, loss));

  SUBCASE("in place (dx = dz) gives the same dx") {
    Matrix d = r, dg2 = Matrix::Zero(1, n), db2 = Matrix::Zero(1, n);
    layer_norm_backward(d, xh, is, g.data(), dg2.data(), db2.data(), d);
    CHECK((d - dx).cwiseAbs().maxCoeff() == 0.0f);
    CHECK((dg2 - dg).cwiseAbs().maxCoeff() == 0.0f);
  }
}
