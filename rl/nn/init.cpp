// SPDX-License-Identifier: Apache-2.0
#include "rl/nn/init.h"

#include <Eigen/Householder>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>

namespace sinew::nn {

double NormalSampler::operator()() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // two uniforms from the top 53 bits; u1 in (0, 1] so that log(u1) is finite
  constexpr double kScale = 1.0 / 9007199254740992.0;  // 2^-53
  const double u1 = (static_cast<double>(gen_() >> 11) + 1.0) * kScale;
  const double u2 = static_cast<double>(gen_() >> 11) * kScale;
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double t = 6.283185307179586 * u2;
  spare_ = r * std::sin(t);
  has_spare_ = true;
  return r * std::cos(t);
}

void orthogonal_init(float* w, int rows, int cols, float gain, std::mt19937_64& gen) {
  const int m = std::max(rows, cols), n = std::min(rows, cols);
  NormalSampler normal(gen);
  Eigen::MatrixXd a(m, n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) a(i, j) = normal();
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(m, n);
  const auto& r = qr.matrixQR();
  for (int j = 0; j < n; ++j)
    if (r(j, j) < 0) q.col(j) = -q.col(j);
  // q is [m][n] with orthonormal columns; W = q ([rows][cols]) or q^T
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      w[static_cast<std::ptrdiff_t>(i) * cols + j] =
          static_cast<float>(gain * (rows >= cols ? q(i, j) : q(j, i)));
}

}  // namespace sinew::nn
