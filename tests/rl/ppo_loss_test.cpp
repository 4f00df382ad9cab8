// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/ppo/ppo_loss.h: the loss terms of two samples worked out by hand (one inside the trust
// region, one clipped), value clipping, the hand-written gradients against central differences
// of the total loss, the Gaussian log-density and entropy against their closed forms, and the
// KL estimate; the action-bound loss by hand and by central differences.
#include "rl/ppo/ppo_loss.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "rl/env/rng.h"

using namespace sinew::rl;

namespace {

constexpr double kHalfLog2Pi = 0.9189385332046727;  // 0.5 log(2 pi)

// Everything ppo_loss reads, for B samples of A dimensions.
struct Batch {
  int B = 0, A = 0;
  std::vector<float> mean, log_std, action, logp_old, adv, value, value_old, ret;
};

struct Grads {
  std::vector<float> d_mean, d_log_std, d_value;
};

PpoLossStats run_loss(const PpoLossConfig& cfg, const Batch& b, Grads* g = nullptr) {
  Grads scratch;
  Grads& out = g ? *g : scratch;
  out.d_mean.assign(b.mean.size(), 0.f);
  if (out.d_log_std.size() != b.log_std.size()) out.d_log_std.assign(b.log_std.size(), 0.f);
  out.d_value.assign(b.value.size(), 0.f);
  return ppo_loss(cfg, b.B, b.A, b.mean.data(), b.log_std.data(), b.action.data(),
                  b.logp_old.data(), b.adv.data(), b.value.data(), b.value_old.data(), b.ret.data(),
                  out.d_mean.data(), out.d_log_std.data(), out.d_value.data());
}

// Two samples, one action dimension, sigma = 1:
//   sample 0: mu = 0, a = 0.5, logp = -0.125 - 0.9189385 = -1.0439385, logp_old = logp - 0.1
//             -> r = e^0.1 = 1.1051709 (inside [0.8, 1.2]), A = 2
//   sample 1: mu = 1, a = 0,   logp = -0.5 - 0.9189385 = -1.4189385,   logp_old = logp - 0.3
//             -> r = e^0.3 = 1.3498588 (clipped to 1.2), A = 1
//   values v = (1, -0.5), returns R = (1.5, 0.5)
Batch two_samples() {
  Batch b;
  b.B = 2;
  b.A = 1;
  b.mean = {0.f, 1.f};
  b.log_std = {0.f};
  b.action = {0.5f, 0.f};
  b.logp_old = {static_cast<float>(-1.0439385332 - 0.1), static_cast<float>(-1.4189385332 - 0.3)};
  b.adv = {2.f, 1.f};
  b.value = {1.f, -0.5f};
  b.value_old = {0.9f, 0.f};
  b.ret = {1.5f, 0.5f};
  return b;
}

}  // namespace

TEST_CASE("ppo_loss: two samples by hand") {
  PpoLossConfig cfg;
  cfg.clip = 0.2f;
  cfg.value_coef = 0.5f;
  cfg.entropy_coef = 0.01f;
  const Batch b = two_samples();
  Grads g;
  g.d_log_std = {0.f};
  const PpoLossStats s = run_loss(cfg, b, &g);
  // L_clip = -(min(2 * 1.1051709, 2 * 1.1051709) + min(1.3498588, 1.2)) / 2
  //        = -(2.2103418 + 1.2) / 2 = -1.7051709
  CHECK(s.policy == doctest::Approx(-1.7051709));
  // L_value = 0.5 * ((1 - 1.5)^2 + (-0.5 - 0.5)^2) / 2 = 0.3125
  CHECK(s.value == doctest::Approx(0.3125));
  // H = log_std + 0.5 log(2 pi e) = 1.4189385
  CHECK(s.entropy == doctest::Approx(1.4189385));
  // total = -1.7051709 + 0.5 * 0.3125 - 0.01 * 1.4189385 = -1.5631103
  CHECK(s.total == doctest::Approx(-1.5631103));
  // approx KL = ((e^0.1 - 1 - 0.1) + (e^0.3 - 1 - 0.3)) / 2 = (0.0051709 + 0.0498588) / 2
  CHECK(s.approx_kl == doctest::Approx(0.0275149).epsilon(1e-4));
  CHECK(s.clip_frac == doctest::Approx(0.5));
  // dL/dlogp_0 = -A r / B = -1.1051709; dlogp/dmu = (a - mu) / sigma^2 = 0.5
  CHECK(g.d_mean[0] == doctest::Approx(-0.5525855));
  // the clipped sample contributes nothing to the policy gradient
  CHECK(g.d_mean[1] == 0.f);
  // dlogp_0/dlog_std = (a - mu)^2 / sigma^2 - 1 = -0.75: -1.1051709 * -0.75 - 0.01 = 0.8188782
  CHECK(g.d_log_std[0] == doctest::Approx(0.8188782));
  // dL/dv = value_coef (v - R) / B = (-0.125, -0.25)
  CHECK(g.d_value[0] == doctest::Approx(-0.125));
  CHECK(g.d_value[1] == doctest::Approx(-0.25));
}

TEST_CASE("ppo_loss: negative advantages clip on the other side") {
  // A = -1 for both; r = e^-0.3 = 0.7408182 (< 0.8: min(-0.7408, -0.8) = -0.8, flat, no
  // gradient) and r = e^0.3 = 1.3498588 (> 1.2 but the unclipped -1.3498588 is the minimum: the
  // gradient flows, dL/dlogp = -A r / B = 0.6749294).
  Batch b = two_samples();
  b.mean = {0.f, 0.f};
  b.action = {0.5f, 0.5f};
  b.logp_old = {static_cast<float>(-1.0439385332 + 0.3), static_cast<float>(-1.0439385332 - 0.3)};
  b.adv = {-1.f, -1.f};
  PpoLossConfig cfg;
  Grads g;
  const PpoLossStats s = run_loss(cfg, b, &g);
  CHECK(s.policy == doctest::Approx((0.8 + 1.3498588) / 2));
  CHECK(s.clip_frac == doctest::Approx(1.0));
  CHECK(g.d_mean[0] == 0.f);
  CHECK(g.d_mean[1] == doctest::Approx(0.6749294 * 0.5));
  CHECK(g.d_log_std[0] == doctest::Approx(0.6749294 * -0.75));
}

TEST_CASE("ppo_loss: value clipping by hand") {
  // value_clip 0.2. Sample 0: v - v_old = 0.1 (inside): both branches 0.5 * 0.5^2 = 0.125,
  // gradient (v - R) = -0.5. Sample 1: v_old = 0, v = 0.6, R = 0.5: v - v_old clipped to 0.2,
  // clipped branch 0.5 * (0.2 - 0.5)^2 = 0.045 beats 0.5 * 0.1^2 = 0.005 and is flat in v.
  // L_value = (0.125 + 0.045) / 2 = 0.085; dL/dv = 0.5 * (-0.5, 0) / 2 = (-0.125, 0).
  Batch b = two_samples();
  b.value = {1.f, 0.6f};
  PpoLossConfig cfg;
  cfg.value_clip = 0.2f;
  Grads g;
  const PpoLossStats s = run_loss(cfg, b, &g);
  CHECK(s.value == doctest::Approx(0.085));
  CHECK(g.d_value[0] == doctest::Approx(-0.125));
  CHECK(g.d_value[1] == 0.f);
  // without clipping the second sample pulls towards R
  cfg.value_clip = 0.f;
  run_loss(cfg, b, &g);
  CHECK(g.d_value[1] == doctest::Approx(0.5 * 0.1 / 2));
}

TEST_CASE("ppo_loss: gradients match central differences of the total loss") {
  // B = 16, A = 3 random samples, kept away from the kinks of the clipped surrogate (|r - 1 +-
  // clip| > 0.03) and of the value clipping, so that the loss is smooth within +-eps.
  // Tolerance: |analytic - numeric| <= 1e-5 + 1e-4 |analytic| (the loss is evaluated in double
  // from float inputs and the step actually taken is measured in float, so what is left is the
  // O(eps^2) truncation error, below 1e-6 here).
  const int B = 16, A = 3;
  const double eps = 1e-3;
  for (const float value_clip : {0.f, 0.2f}) {
    INFO("value_clip = " << value_clip);
    Rng rng(77, value_clip > 0 ? 1 : 0);
    PpoLossConfig cfg;
    cfg.clip = 0.2f;
    cfg.value_clip = value_clip;
    cfg.value_coef = 0.7f;
    cfg.entropy_coef = 0.03f;
    Batch b;
    b.B = B;
    b.A = A;
    b.log_std = {-0.3f, 0.1f, -0.7f};
    b.mean.resize(B * A);
    b.action.resize(B * A);
    b.logp_old.resize(B);
    b.adv.resize(B);
    b.value.resize(B);
    b.value_old.resize(B);
    b.ret.resize(B);
    int clipped = 0, vclipped = 0;
    for (int s = 0; s < B; ++s) {
      float* mu = &b.mean[s * A];
      float* a = &b.action[s * A];
      double r = 1;
      do {  // draw until the ratio is away from the kinks at 1 +- clip
        for (int j = 0; j < A; ++j) {
          mu[j] = static_cast<float>(rng.uniform(-1, 1));
          a[j] = static_cast<float>(mu[j] + std::exp(b.log_std[j]) * rng.normal());
        }
        const double logp = gaussian_log_prob(mu, b.log_std.data(), a, A);
        b.logp_old[s] = static_cast<float>(logp - rng.uniform(-0.6, 0.6));
        r = std::exp(logp - b.logp_old[s]);
      } while (std::fabs(r - 0.8) < 0.03 || std::fabs(r - 1.2) < 0.03);
      b.adv[s] = static_cast<float>(rng.uniform(-2, 2));
      clipped += (b.adv[s] > 0 && r > 1.2) || (b.adv[s] < 0 && r < 0.8);
      double dv = 0, gap = 0;
      do {  // value change away from +-value_clip, branches of the max apart
        b.value_old[s] = static_cast<float>(rng.uniform(-3, 3));
        b.ret[s] = static_cast<float>(rng.uniform(-3, 3));
        b.value[s] = static_cast<float>(b.value_old[s] + rng.uniform(-0.6, 0.6));
        dv = double(b.value[s]) - b.value_old[s];
        const double vc = b.value_old[s] + std::clamp(dv, -0.2, 0.2);
        gap = std::fabs((vc - b.ret[s]) * (vc - b.ret[s]) -
                        (b.value[s] - b.ret[s]) * (b.value[s] - b.ret[s]));
      } while (std::fabs(std::fabs(dv) - 0.2) < 0.02 || gap < 0.02);
      const double vc = b.value_old[s] + std::clamp(dv, -0.2, 0.2);
      vclipped += value_clip > 0 && std::fabs(dv) > 0.2 &&
                  std::fabs(vc - b.ret[s]) > std::fabs(b.value[s] - b.ret[s]);
    }
    // both regimes must be present for the check to mean anything
    REQUIRE(clipped >= 2);
    REQUIRE(clipped <= B - 4);
    if (value_clip > 0) REQUIRE(vclipped >= 2);

    Grads g;
    g.d_log_std = {0.25f, -0.5f, 1.f};  // d_log_std is added to: start from something
    const std::vector<float> d_log_std0 = g.d_log_std;
    run_loss(cfg, b, &g);
    // numeric derivative of the total loss with respect to one float input
    auto numeric = [&](std::vector<float>& x, std::size_t i) {
      const float x0 = x[i];
      x[i] = static_cast<float>(x0 + eps);
      const float up = x[i];
      const double lp = run_loss(cfg, b).total;
      x[i] = static_cast<float>(x0 - eps);
      const float dn = x[i];
      const double lm = run_loss(cfg, b).total;
      x[i] = x0;
      return (lp - lm) / (double(up) - double(dn));
    };
    double worst = 0;
    auto compare = [&](double analytic, double num, const char* what, std::size_t i) {
      INFO(what << "[" << i << "]: analytic " << analytic << ", numeric " << num);
      CHECK(std::fabs(analytic - num) <= 1e-5 + 1e-4 * std::fabs(analytic));
      worst = std::max(worst, std::fabs(analytic - num));
    };
    int zero_rows = 0;
    for (std::size_t i = 0; i < b.mean.size(); ++i) {
      compare(g.d_mean[i], numeric(b.mean, i), "d_mean", i);
      zero_rows += g.d_mean[i] == 0.f;
    }
    CHECK(zero_rows == clipped * A);  // exactly the clipped samples have no mean gradient
    for (std::size_t j = 0; j < b.log_std.size(); ++j)
      compare(g.d_log_std[j] - d_log_std0[j], numeric(b.log_std, j), "d_log_std", j);
    int flat_values = 0;
    for (std::size_t s = 0; s < b.value.size(); ++s) {
      compare(g.d_value[s], numeric(b.value, s), "d_value", s);
      flat_values += g.d_value[s] == 0.f;
    }
    CHECK(flat_values == vclipped);  // the clipped value branch is flat
    MESSAGE("value_clip " << value_clip << ": " << clipped << " of " << B
                          << " samples clipped (values: " << vclipped
                          << "), largest |analytic - numeric| = " << worst);
  }
}

TEST_CASE("gaussian_log_prob and gaussian_entropy: closed forms") {
  Rng rng(5, 0);
  for (int trial = 0; trial < 10; ++trial) {
    const int A = 1 + trial % 4;
    std::vector<float> mu(A), ls(A), a(A);
    double density = 1, entropy = 0;
    for (int j = 0; j < A; ++j) {
      mu[j] = static_cast<float>(rng.uniform(-2, 2));
      ls[j] = static_cast<float>(rng.uniform(-1.5, 1));
      a[j] = static_cast<float>(rng.uniform(-3, 3));
      const double sigma = std::exp(double(ls[j])), z = (double(a[j]) - mu[j]) / sigma;
      density *= std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * M_PI));
      entropy += 0.5 * std::log(2 * M_PI * M_E * sigma * sigma);
    }
    CHECK(gaussian_log_prob(mu.data(), ls.data(), a.data(), A) ==
          doctest::Approx(std::log(density)).epsilon(1e-9));
    CHECK(gaussian_entropy(ls.data(), A) == doctest::Approx(entropy).epsilon(1e-9));
  }
  // the mode of a standard normal: -0.5 log(2 pi)
  const float zero = 0.f;
  CHECK(gaussian_log_prob(&zero, &zero, &zero, 1) == doctest::Approx(-kHalfLog2Pi));
}

TEST_CASE("ppo_loss: approx_kl is non-negative and zero without a policy change") {
  Rng rng(9, 0);
  const int B = 32, A = 2;
  Batch b;
  b.B = B;
  b.A = A;
  b.log_std = {-0.5f, 0.2f};
  b.mean.resize(B * A);
  b.action.resize(B * A);
  b.logp_old.resize(B);
  b.adv.assign(B, 1.f);
  b.value.assign(B, 0.f);
  b.value_old.assign(B, 0.f);
  b.ret.assign(B, 0.f);
  for (int s = 0; s < B; ++s)
    for (int j = 0; j < A; ++j) {
      b.mean[s * A + j] = static_cast<float>(rng.uniform(-1, 1));
      b.action[s * A + j] = static_cast<float>(rng.uniform(-2, 2));
    }
  for (int s = 0; s < B; ++s)
    b.logp_old[s] = static_cast<float>(
        gaussian_log_prob(&b.mean[s * A], b.log_std.data(), &b.action[s * A], A));
  const PpoLossStats same = run_loss(PpoLossConfig{}, b);
  CHECK(same.approx_kl >= 0);
  CHECK(same.approx_kl < 1e-12);  // only the float rounding of logp_old is left
  CHECK(same.clip_frac == 0);
  // r = 1 everywhere: L_clip = -mean(A) = -1
  CHECK(same.policy == doctest::Approx(-1.0));
  for (int trial = 0; trial < 20; ++trial) {
    for (float& l : b.logp_old) l += static_cast<float>(rng.uniform(-1, 1));
    const PpoLossStats s = run_loss(PpoLossConfig{}, b);
    CHECK(s.approx_kl > 0);
  }
}

TEST_CASE("bound_loss: zero inside the margin, by hand outside, gradient by central differences") {
  // two samples, two dimensions with bounds [0, 1] and [-1, 1]; margin 0.2 of the range
  const float lo[2] = {0.f, -1.f}, hi[2] = {1.f, 1.f};
  std::vector<float> mean = {0.1f, 1.3f, -0.5f, -1.9f};
  std::vector<float> d(4, 0.f);
  // sample 0: 0.1 inside, 1.3 inside (1 + 0.2 * 2 = 1.4); sample 1: -0.5 below -0.2 by 0.3,
  // -1.9 below -1.4 by 0.5
  const double L = bound_loss(2, 2, mean.data(), lo, hi, 0.5f, 0.2f, d.data());
  CHECK(L == doctest::Approx(0.5 / 2 * (0.3 * 0.3 + 0.5 * 0.5)).epsilon(1e-6));
  CHECK(d[0] == 0.f);
  CHECK(d[1] == 0.f);
  CHECK(d[2] == doctest::Approx(2 * 0.5 / 2 * -0.3).epsilon(1e-5));
  CHECK(d[3] == doctest::Approx(2 * 0.5 / 2 * -0.5).epsilon(1e-5));
  // the gradient is ADDED to d_mean
  std::vector<float> d2(4, 1.f);
  bound_loss(2, 2, mean.data(), lo, hi, 0.5f, 0.2f, d2.data());
  for (int i = 0; i < 4; ++i) CHECK(d2[i] == doctest::Approx(1.f + d[i]));
  // random means on both sides: central differences in double precision of the float inputs
  Rng rng(3, 0);
  std::vector<float> m(3 * 2), g(3 * 2, 0.f);
  for (float& x : m) x = static_cast<float>(rng.uniform(-3, 3));
  bound_loss(3, 2, m.data(), lo, hi, 0.7f, 0.1f, g.data());
  for (std::size_t i = 0; i < m.size(); ++i) {
    std::vector<float> mp = m, mm = m, scratch(6, 0.f);
    const float h = 1e-2f;
    mp[i] += h;
    mm[i] -= h;
    const double fd = (bound_loss(3, 2, mp.data(), lo, hi, 0.7f, 0.1f, scratch.data()) -
                       bound_loss(3, 2, mm.data(), lo, hi, 0.7f, 0.1f, scratch.data())) /
                      (double(mp[i]) - mm[i]);
    INFO("entry " << i << " mean " << m[i]);
    CHECK(g[i] == doctest::Approx(fd).epsilon(1e-3).scale(1e-4));
  }
  CHECK(bound_loss(2, 2, mean.data(), lo, hi, 0.f, 0.2f, d.data()) == 0.0);  // off
}
