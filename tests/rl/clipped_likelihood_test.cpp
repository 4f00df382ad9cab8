// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The clipped-action likelihood of rl/ppo/ppo_loss.h (Fujita & Maeda 2018): log_ndtr against
// erfc and its derivative against central differences (across the switch to the asymptotic
// series); clipped_log_prob against a numerical integral of the Gaussian tail and the Gaussian
// density inside the bounds; ppo_loss with clipped_likelihood against central differences of the
// total loss; the mean of an always-clipped dimension gets (almost) no gradient.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "rl/env/rng.h"
#include "rl/ppo/ppo_loss.h"

using namespace sinew::rl;

TEST_CASE("log_ndtr: value against erfc, derivative against central differences") {
  for (double z = -36; z <= 8; z += 0.37) {
    INFO("z = " << z);
    double lambda = 0;
    const double l = log_ndtr(z, &lambda);
    const double ref = std::log(0.5 * std::erfc(-z / std::sqrt(2.0)));
    CHECK(l == doctest::Approx(ref).epsilon(1e-8));
    const double h = 1e-5 * std::max(1.0, std::fabs(z));
    const double num = (log_ndtr(z + h, nullptr) - log_ndtr(z - h, nullptr)) / (2 * h);
    CHECK(lambda == doctest::Approx(num).epsilon(1e-6));
    CHECK(lambda > 0);
  }
  // no jump where the series takes over
  CHECK(log_ndtr(-20 - 1e-9, nullptr) ==
        doctest::Approx(log_ndtr(-20 + 1e-9, nullptr)).epsilon(1e-9));
  // far tails stay finite
  double lambda = 0;
  CHECK(std::isfinite(log_ndtr(-1e4, &lambda)));
  CHECK(lambda == doctest::Approx(1e4).epsilon(1e-6));
  CHECK(log_ndtr(40, &lambda) == 0.0);
  CHECK(lambda >= 0);
}

TEST_CASE("clipped_log_prob: tail probabilities by quadrature, the density inside") {
  const float lo = 0, hi = 1;
  const float mu = 0.3f, ls = -0.8f;
  const double sigma = std::exp(double(ls));
  auto density = [&](double x) {
    const double z = (x - mu) / sigma;
    return std::exp(-0.5 * z * z) / (sigma * std::sqrt(2 * M_PI));
  };
  auto integral = [&](double a, double b) {  // Simpson, 20000 intervals
    const int n = 20000;
    const double h = (b - a) / n;
    double s = density(a) + density(b);
    for (int i = 1; i < n; ++i) s += density(a + i * h) * (i % 2 ? 4 : 2);
    return s * h / 3;
  };
  const double p_lo = integral(mu - 14 * sigma, lo), p_hi = integral(hi, mu + 14 * sigma);
  for (float a : {-0.2f, -3.f, 0.f}) {
    INFO("a = " << a);
    CHECK(std::exp(clipped_log_prob(&mu, &ls, &a, &lo, &hi, 1)) ==
          doctest::Approx(p_lo).epsilon(1e-9));
  }
  for (float a : {1.f, 1.4f}) {
    INFO("a = " << a);
    CHECK(std::exp(clipped_log_prob(&mu, &ls, &a, &lo, &hi, 1)) ==
          doctest::Approx(p_hi).epsilon(1e-9));
  }
  const float a_in = 0.55f;
  CHECK(clipped_log_prob(&mu, &ls, &a_in, &lo, &hi, 1) ==
        doctest::Approx(gaussian_log_prob(&mu, &ls, &a_in, 1)).epsilon(1e-12));
}

TEST_CASE("ppo_loss with clipped_likelihood: gradients by central differences") {
  const int B = 24, A = 4;
  Rng rng(5, 0);
  PpoLossConfig cfg;
  cfg.clipped_likelihood = true;
  cfg.entropy_coef = 0.01f;
  const std::vector<float> lo(A, 0.f), hi(A, 1.f);
  const ActionBounds bounds{lo.data(), hi.data()};
  std::vector<float> log_std = {-1.f, -0.5f, -1.3f, -0.2f};
  std::vector<float> mean(B * A), action(B * A), logp_old(B), adv(B), value(B), value_old(B),
      ret(B);
  int low = 0, high = 0;
  for (int s = 0; s < B; ++s) {
    double r = 1;
    do {  // ratios away from the kinks at 1 +- clip
      for (int j = 0; j < A; ++j) {
        const int i = s * A + j;
        mean[i] = static_cast<float>(rng.uniform(-1.5, 2.5));
        action[i] = static_cast<float>(mean[i] + std::exp(log_std[j]) * rng.normal());
      }
      const double lp =
          clipped_log_prob(&mean[s * A], log_std.data(), &action[s * A], lo.data(), hi.data(), A);
      logp_old[s] = static_cast<float>(lp - rng.uniform(-0.5, 0.5));
      r = std::exp(lp - logp_old[s]);
    } while (std::fabs(r - 0.8) < 0.03 || std::fabs(r - 1.2) < 0.03);
    for (int j = 0; j < A; ++j) {
      low += action[s * A + j] <= 0.f;
      high += action[s * A + j] >= 1.f;
    }
    adv[s] = static_cast<float>(rng.uniform(-2, 2));
    value[s] = value_old[s] = static_cast<float>(rng.uniform(-1, 1));
    ret[s] = static_cast<float>(rng.uniform(-1, 1));
  }
  REQUIRE(low >= 10);
  REQUIRE(high >= 10);
  auto loss = [&](std::vector<float>* dm, std::vector<float>* dls) {
    std::vector<float> a(B * A), b(A, 0.f), c(B);
    return ppo_loss(cfg, B, A, mean.data(), log_std.data(), action.data(), logp_old.data(),
                    adv.data(), value.data(), value_old.data(), ret.data(),
                    dm ? dm->data() : a.data(), dls ? dls->data() : b.data(), c.data(), bounds)
        .total;
  };
  std::vector<float> dm(B * A), dls(A, 0.f);
  loss(&dm, &dls);
  const double eps = 1e-3;
  auto numeric = [&](std::vector<float>& x, int i) {
    const float x0 = x[i];
    x[i] = static_cast<float>(x0 + eps);
    const float up = x[i];
    const double lp = loss(nullptr, nullptr);
    x[i] = static_cast<float>(x0 - eps);
    const float dn = x[i];
    const double lm = loss(nullptr, nullptr);
    x[i] = x0;
    return (lp - lm) / (double(up) - double(dn));
  };
  for (int i = 0; i < B * A; ++i) {
    INFO("d_mean[" << i << "]");
    CHECK(std::fabs(dm[i] - numeric(mean, i)) <= 1e-5 + 1e-4 * std::fabs(dm[i]));
  }
  for (int j = 0; j < A; ++j) {
    INFO("d_log_std[" << j << "]");
    CHECK(std::fabs(dls[j] - numeric(log_std, j)) <= 1e-5 + 1e-4 * std::fabs(dls[j]));
  }
  CHECK_THROWS_AS(
      ppo_loss(cfg, B, A, mean.data(), log_std.data(), action.data(), logp_old.data(), adv.data(),
               value.data(), value_old.data(), ret.data(), dm.data(), dls.data(), value.data()),
      std::invalid_argument);
}

TEST_CASE("ppo_loss with clipped_likelihood: a mean far below the bound gets no gradient") {
  // one sample, one dimension: mu = -3, sigma = 0.35, the sample clips to 0 (as nearly all do).
  // Gaussian likelihood: d logp / d mu = (a - mu) / sigma^2, order 1-10, so the PPO step moves
  // the mean at random; clipped likelihood: lambda(z) / sigma with z = 8.6, ~1e-16.
  const float mu = -3.f, ls = std::log(0.35f), a = -3.2f, lo = 0.f, hi = 1.f;
  const ActionBounds bounds{&lo, &hi};
  const float adv = 1.f, v = 0.f, ret = 0.f;
  for (const bool clipped : {false, true}) {
    PpoLossConfig cfg;
    cfg.clipped_likelihood = clipped;
    const float logp_old = static_cast<float>(clipped ? clipped_log_prob(&mu, &ls, &a, &lo, &hi, 1)
                                                      : gaussian_log_prob(&mu, &ls, &a, 1));
    float dm = 0, dls = 0, dv = 0;
    ppo_loss(cfg, 1, 1, &mu, &ls, &a, &logp_old, &adv, &v, &v, &ret, &dm, &dls, &dv, bounds);
    INFO("clipped_likelihood " << clipped);
    if (clipped)
      CHECK(std::fabs(dm) < 1e-12);
    else
      CHECK(std::fabs(dm) > 1.0);
  }
}
