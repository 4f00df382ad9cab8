// SPDX-License-Identifier: Apache-2.0
// Adam / AdamW over one flat parameter buffer, and gradient-norm clipping.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/nn/adam_update.h"

namespace sinew::nn {

struct AdamConfig {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;  // decoupled (AdamW, Loshchilov & Hutter 2019) when > 0
};

class Adam {
 public:
  Adam() = default;
  Adam(std::size_t n, const AdamConfig& cfg);
  // One update of params[0..n) with gradients grads[0..n) at learning rate lr.
  void step(float* params, const float* grads, float lr);
  std::size_t size() const { return m_.size(); }
  const AdamConfig& config() const { return cfg_; }
  // Moment buffers (e.g. to mirror the state on a device).
  float* m() { return m_.data(); }
  float* v() { return v_.data(); }
  long steps() const { return t_; }
  void save(std::ostream& os) const;
  static Adam load(std::istream& is, const std::string& what);

 private:
  AdamConfig cfg_;
  std::vector<float> m_, v_;
  long t_ = 0;
};

// Scalars of step number t (>= 1) at learning rate lr (bias corrections computed in double).
AdamScalars adam_scalars(const AdamConfig& cfg, long t, float lr);

// Scales g[0..n) so that its L2 norm is at most max_norm; returns the norm before clipping.
float clip_grad_norm(float* g, std::size_t n, float max_norm);

}  // namespace sinew::nn
