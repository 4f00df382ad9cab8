// SPDX-License-Identifier: Apache-2.0
// Deterministic random initialisation: standard normals by Box-Muller from std::mt19937_64 (whose
// output sequence the C++ standard fixes), and orthogonal matrices (Saxe, McClelland & Ganguli
// 2014) from the QR factorization of a Gaussian matrix.
#pragma once

#include <cstdint>
#include <random>

namespace sinew::nn {

// Standard normal samples; the same sequence on every platform for a given generator state.
class NormalSampler {
 public:
  explicit NormalSampler(std::mt19937_64& gen) : gen_(gen) {}
  double operator()();

 private:
  std::mt19937_64& gen_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// Fills w[rows][cols] (row-major) with gain * an orthogonal matrix: orthonormal rows when
// rows <= cols, orthonormal columns otherwise. Q of A = QR is sign-fixed by diag(R) so that the
// result is a deterministic function of the Gaussian draws.
void orthogonal_init(float* w, int rows, int cols, float gain, std::mt19937_64& gen);

}  // namespace sinew::nn
