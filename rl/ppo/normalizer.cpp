// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/normalizer.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "rl/ppo/binary_io.h"

namespace sinew::rl {

RunningNorm::RunningNorm(int dim, float clip, double eps)
    : mean_(dim, 0.0), var_(dim, 1.0), eps_(eps), clip_(clip) {}

void RunningNorm::update(const float* x, int rows) {
  if (rows <= 0) return;
  const int d = dim();
  for (int j = 0; j < d; ++j) {
    double m = 0, m2 = 0;
    for (int r = 0; r < rows; ++r) m += x[static_cast<std::size_t>(r) * d + j];
    m /= rows;
    for (int r = 0; r < rows; ++r) {
      const double e = x[static_cast<std::size_t>(r) * d + j] - m;
      m2 += e * e;
    }
    // merge (count_, mean_, var_) with (rows, m, m2 / rows)
    const double n = count_ + rows, delta = m - mean_[j];
    const double M2 = var_[j] * count_ + m2 + delta * delta * count_ * rows / n;
    mean_[j] += delta * rows / n;
    var_[j] = M2 / n;
  }
  count_ += rows;
}

void RunningNorm::normalize(const float* x, int rows, float* out) const {
  const int d = dim();
  std::vector<float> scale(d), shift(d);
  for (int j = 0; j < d; ++j) {
    scale[j] = static_cast<float>(1.0 / std::sqrt(var_[j] + eps_));
    shift[j] = static_cast<float>(mean_[j]);
  }
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < d; ++j) {
      const std::size_t i = static_cast<std::size_t>(r) * d + j;
      out[i] = std::clamp((x[i] - shift[j]) * scale[j], -clip_, clip_);
    }
}

void RunningNorm::save(std::ostream& os) const {
  write_magic(os, "SNWNORM", 1);
  write_pod(os, static_cast<std::int32_t>(dim()));
  write_pod(os, count_);
  write_pod(os, eps_);
  write_pod(os, clip_);
  write_array(os, mean_.data(), mean_.size());
  write_array(os, var_.data(), var_.size());
}

RunningNorm RunningNorm::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWNORM", 1, what);
  const auto d = read_pod<std::int32_t>(is, what, "observation normalizer size");
  if (d < 0 || d > (1 << 24)) throw std::runtime_error(what + ": bad observation normalizer size");
  RunningNorm n(d);
  n.count_ = read_pod<double>(is, what, "normalizer count");
  n.eps_ = read_pod<double>(is, what, "normalizer eps");
  n.clip_ = read_pod<float>(is, what, "normalizer clip");
  read_array(is, n.mean_.data(), n.mean_.size(), what, "normalizer mean");
  read_array(is, n.var_.data(), n.var_.size(), what, "normalizer variance");
  return n;
}

}  // namespace sinew::rl
