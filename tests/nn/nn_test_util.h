// SPDX-License-Identifier: Apache-2.0
// Shared by the tests/nn suites: seeded random matrices and a central finite-difference checker
// for float networks. The perturbation is applied in float, but the step actually taken
// (theta_plus - theta_minus) and the loss are evaluated in double.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>

#include "rl/nn/matrix.h"

namespace sinew::nn::test {

inline Matrix random_matrix(int rows, int cols, std::uint64_t seed, float scale = 1.0f) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = u(gen);
  return m;
}

// Loss sum_ij r_ij y_ij in double, so that dL/dy = r.
inline double weighted_sum(const Matrix& y, const Matrix& r) {
  double s = 0;
  for (int i = 0; i < y.rows(); ++i)
    for (int j = 0; j < y.cols(); ++j) s += static_cast<double>(r(i, j)) * y(i, j);
  return s;
}

// One loss evaluation; `pattern` identifies the piecewise-linear region (ReLU signs). A finite
// difference whose two evaluations lie in different regions is skipped.
struct LossEval {
  double value = 0;
  std::uint64_t pattern = 0;
};

struct FdReport {
  double worst = 0;  // max over checked entries of |fd - analytic| / (atol + rtol |analytic|)
  std::size_t worst_index = 0;
  double worst_fd = 0, worst_analytic = 0;
  int checked = 0, skipped = 0;
};

// Compares analytic[i] with the central difference of loss() in theta[i] for i in [0, n)
// (every `stride`-th entry). The check passes when report.worst <= 1.
template <typename LossFn>
FdReport check_gradient(float* theta, const float* analytic, std::size_t n, float eps, double atol,
                        double rtol, LossFn loss, std::size_t stride = 1) {
  FdReport rep;
  for (std::size_t i = 0; i < n; i += stride) {
    const float old = theta[i];
    theta[i] = old + eps;
    const double tp = theta[i];
    const LossEval lp = loss();
    theta[i] = old - eps;
    const double tm = theta[i];
    const LossEval lm = loss();
    theta[i] = old;
    if (lp.pattern != lm.pattern) {
      ++rep.skipped;
      continue;
    }
    const double fd = (lp.value - lm.value) / (tp - tm);
    const double ratio = std::fabs(fd - analytic[i]) / (atol + rtol * std::fabs(analytic[i]));
    ++rep.checked;
    if (ratio > rep.worst) {
      rep.worst = ratio;
      rep.worst_index = i;
      rep.worst_fd = fd;
      rep.worst_analytic = analytic[i];
    }
  }
  return rep;
}

}  // namespace sinew::nn::test
