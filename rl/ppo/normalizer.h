// SPDX-License-Identifier: Apache-2.0
// Running per-feature mean and variance of observations (parallel Welford update, Chan et al.
// 1979) and the normalisation x -> clip((x - mean) / sqrt(var + eps), +-clip).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace sinew::rl {

class RunningNorm {
 public:
  RunningNorm() = default;
  RunningNorm(int dim, float clip = 10.f, double eps = 1e-8);
  int dim() const { return static_cast<int>(mean_.size()); }
  double count() const { return count_; }
  // Folds rows x[0..rows)[0..dim) into the statistics.
  void update(const float* x, int rows);
  // out = normalised x (rows x dim); out may alias x. Before any update it is the identity
  // (clipped).
  void normalize(const float* x, int rows, float* out) const;
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  void save(std::ostream& os) const;
  static RunningNorm load(std::istream& is, const std::string& what);

 private:
  std::vector<double> mean_, var_;
  double count_ = 0, eps_ = 1e-8;
  float clip_ = 10.f;
};

}  // namespace sinew::rl
