// SPDX-License-Identifier: Apache-2.0
// Adam (Kingma & Ba 2015, Algorithm 1) with decoupled weight decay (Loshchilov & Hutter 2019,
// Algorithm 2, AdamW); see docs/nn.md for the exact update.
#include "rl/nn/optim.h"

#include <cmath>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>

#include "rl/nn/parallel.h"
#include "rl/nn/serialize.h"

namespace sinew::nn {

namespace {
constexpr const char* kAdamMagic = "SNWADAM";
constexpr std::uint32_t kAdamVersion = 1;
}  // namespace

Adam::Adam(std::size_t n, const AdamConfig& cfg) : cfg_(cfg), m_(n, 0.0f), v_(n, 0.0f) {}

AdamScalars adam_scalars(const AdamConfig& cfg, long t, float lr) {
  const double td = static_cast<double>(t);
  AdamScalars s;
  s.beta1 = cfg.beta1;
  s.beta2 = cfg.beta2;
  s.eps = cfg.eps;
  s.c1 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(cfg.beta1), td)));
  s.c2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(static_cast<double>(cfg.beta2), td)));
  s.decay = 1.0f - lr * cfg.weight_decay;
  s.lr = lr;
  return s;
}

void Adam::step(float* params, const float* grads, float lr) {
  const AdamScalars s = adam_scalars(cfg_, ++t_, lr);
  float* m = m_.data();
  float* v = v_.data();
  const int n = static_cast<int>(m_.size());
  // element-wise: any split over threads gives the same numbers
  detail::parallel_ranges(n, 12.0 * n, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) adam_update(params[i], grads[i], m[i], v[i], s);
  });
}

void Adam::save(std::ostream& os) const {
  io::Writer w(os);
  w.header(kAdamMagic, kAdamVersion);
  w.f32(cfg_.beta1);
  w.f32(cfg_.beta2);
  w.f32(cfg_.eps);
  w.f32(cfg_.weight_decay);
  w.i64(t_);
  w.u64(m_.size());
  w.floats(m_.data(), m_.size());
  w.floats(v_.data(), v_.size());
}

Adam Adam::load(std::istream& is, const std::string& what) {
  io::Reader r(is, what);
  r.header(kAdamMagic, kAdamVersion);
  AdamConfig cfg;
  cfg.beta1 = r.f32("beta1");
  cfg.beta2 = r.f32("beta2");
  cfg.eps = r.f32("eps");
  cfg.weight_decay = r.f32("weight_decay");
  const std::int64_t t = r.i64("step count");
  if (t < 0) r.fail("bad step count " + std::to_string(t));
  const std::uint64_t n = r.u64("size");
  if (n > (std::uint64_t{1} << 34)) r.fail("bad size " + std::to_string(n));
  Adam a(static_cast<std::size_t>(n), cfg);
  a.t_ = static_cast<long>(t);
  r.floats(a.m_.data(), a.m_.size(), "first moments");
  r.floats(a.v_.data(), a.v_.size(), "second moments");
  return a;
}

float clip_grad_norm(float* g, std::size_t n, float max_norm) {
  double sq = 0;  // one fixed summation order, in double
  for (std::size_t i = 0; i < n; ++i) sq += static_cast<double>(g[i]) * g[i];
  const double norm = std::sqrt(sq);
  if (norm > max_norm && norm > 0) {
    const float s = static_cast<float>(max_norm / norm);
    for (std::size_t i = 0; i < n; ++i) g[i] *= s;
  }
  return static_cast<float>(norm);
}

}  // namespace sinew::nn
