// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/ppo_loss.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace sinew::rl {

namespace {
constexpr double kLog2Pi = 1.8378770664093453;  // log(2 pi)
}

double gaussian_log_prob(const float* mean, const float* log_std, const float* a, int A) {
  double lp = 0;
  for (int j = 0; j < A; ++j) {
    const double z = (double(a[j]) - mean[j]) * std::exp(-double(log_std[j]));
    lp += -0.5 * z * z - log_std[j] - 0.5 * kLog2Pi;
  }
  return lp;
}

double log_ndtr(double z, double* lambda) {
  if (z > -20) {
    const double Phi = 0.5 * std::erfc(-z / std::sqrt(2.0));
    if (lambda) *lambda = std::exp(-0.5 * z * z - 0.5 * kLog2Pi) / Phi;
    return std::log(Phi);
  }
  // Phi(z) = phi(z) / (-z) * S, S = 1 - 1/z^2 + 3/z^4 - 15/z^6 + ... (Abramowitz & Stegun 26.2.12)
  const double w = 1.0 / (z * z);
  const double S = 1 - w * (1 - w * (3 - 15 * w));
  if (lambda) *lambda = -z / S;
  return -0.5 * z * z - 0.5 * kLog2Pi - std::log(-z) + std::log(S);
}

namespace {

// One dimension of clipped_log_prob: the log-likelihood, and its derivatives with respect to the
// mean (dmu) and the log std (dls).
double clipped_term(double mu, double ls, double a, double lo, double hi, double* dmu,
                    double* dls) {
  const double inv_sigma = std::exp(-ls);
  double lambda = 0;
  if (a <= lo) {  // P(sample <= lo) = Phi((lo - mu) / sigma)
    const double z = (lo - mu) * inv_sigma;
    const double l = log_ndtr(z, &lambda);
    *dmu = -lambda * inv_sigma;
    *dls = -lambda * z;
    return l;
  }
  if (a >= hi) {  // P(sample >= hi) = Phi((mu - hi) / sigma)
    const double z = (mu - hi) * inv_sigma;
    const double l = log_ndtr(z, &lambda);
    *dmu = lambda * inv_sigma;
    *dls = -lambda * z;
    return l;
  }
  const double z = (a - mu) * inv_sigma;
  *dmu = z * inv_sigma;
  *dls = z * z - 1.0;
  return -0.5 * z * z - ls - 0.5 * kLog2Pi;
}

}  // namespace

double clipped_log_prob(const float* mean, const float* log_std, const float* a, const float* lo,
                        const float* hi, int A) {
  double lp = 0, dmu, dls;
  for (int j = 0; j < A; ++j)
    lp += clipped_term(mean[j], log_std[j], a[j], lo[j], hi[j], &dmu, &dls);
  return lp;
}

double gaussian_entropy(const float* log_std, int A) {
  double h = 0;
  for (int j = 0; j < A; ++j) h += log_std[j] + 0.5 * (kLog2Pi + 1.0);
  return h;
}

PpoLossStats ppo_loss(const PpoLossConfig& cfg, int B, int A, const float* mean,
                      const float* log_std, const float* action, const float* logp_old,
                      const float* adv, const float* value, const float* value_old,
                      const float* ret, float* d_mean, float* d_log_std, float* d_value,
                      const ActionBounds& bounds) {
  if (cfg.clipped_likelihood && (!bounds.lo || !bounds.hi))
    throw std::invalid_argument("ppo_loss: clipped_likelihood needs the action bounds");
  PpoLossStats s;
  std::vector<double> gmu(A), gls(A);
  std::vector<double> inv_var(A), dls(A, 0.0);
  for (int j = 0; j < A; ++j) inv_var[j] = std::exp(-2.0 * log_std[j]);
  const double eps = cfg.clip, invB = 1.0 / B;
  for (int b = 0; b < B; ++b) {
    const float* mu = mean + static_cast<std::size_t>(b) * A;
    const float* a = action + static_cast<std::size_t>(b) * A;
    float* dmu = d_mean + static_cast<std::size_t>(b) * A;
    double logp = 0;
    if (cfg.clipped_likelihood) {
      for (int j = 0; j < A; ++j)
        logp += clipped_term(mu[j], log_std[j], a[j], bounds.lo[j], bounds.hi[j], &gmu[j], &gls[j]);
    } else {
      logp = gaussian_log_prob(mu, log_std, a, A);
      for (int j = 0; j < A; ++j) {
        const double diff = double(a[j]) - mu[j];
        gmu[j] = diff * inv_var[j];
        gls[j] = diff * diff * inv_var[j] - 1.0;
      }
    }
    const double log_ratio = logp - logp_old[b];
    const double r = std::exp(log_ratio), Ab = adv[b];
    const double rc = std::clamp(r, 1.0 - eps, 1.0 + eps);
    s.policy += -std::min(r * Ab, rc * Ab) * invB;
    s.approx_kl += ((r - 1.0) - log_ratio) * invB;
    s.clip_frac += (std::fabs(r - 1.0) > eps ? 1.0 : 0.0) * invB;
    // the clipped branch is the minimum (and flat) only outside the trust region on the side
    // where it would increase the objective
    const bool clipped = (Ab > 0 && r > 1.0 + eps) || (Ab < 0 && r < 1.0 - eps);
    const double dlogp = clipped ? 0.0 : -Ab * r * invB;  // dL/dlogp_b
    for (int j = 0; j < A; ++j) {
      dmu[j] = static_cast<float>(dlogp * gmu[j]);
      dls[j] += dlogp * gls[j];
    }
    // value loss
    const double v = value[b], R = ret[b];
    double dv = (v - R);
    double lv = 0.5 * (v - R) * (v - R);
    if (cfg.value_clip > 0) {
      const double dvc =
          std::clamp(v - value_old[b], -double(cfg.value_clip), double(cfg.value_clip));
      const double vc = value_old[b] + dvc;
      const double lc = 0.5 * (vc - R) * (vc - R);
      if (lc > lv) {
        lv = lc;
        const bool inside = std::fabs(v - value_old[b]) < cfg.value_clip;
        dv = inside ? (vc - R) : 0.0;
      }
    }
    s.value += lv * invB;
    d_value[b] = static_cast<float>(cfg.value_coef * dv * invB);
  }
  s.entropy = gaussian_entropy(log_std, A);
  for (int j = 0; j < A; ++j) d_log_std[j] += static_cast<float>(dls[j] - cfg.entropy_coef * 1.0);
  s.total = s.policy + cfg.value_coef * s.value - cfg.entropy_coef * s.entropy;
  return s;
}

double bound_loss(int B, int A, const float* mean, const float* lo, const float* hi, float coef,
                  float margin, float* d_mean) {
  if (coef <= 0 || B <= 0) return 0;
  double loss = 0;
  const double k = double(coef) / B;
  for (int b = 0; b < B; ++b)
    for (int j = 0; j < A; ++j) {
      const std::size_t i = static_cast<std::size_t>(b) * A + j;
      const double m = double(margin) * (double(hi[j]) - lo[j]);
      const double up = std::max(double(mean[i]) - hi[j] - m, 0.0);
      const double down = std::max(double(lo[j]) - m - mean[i], 0.0);
      loss += k * (up * up + down * down);
      d_mean[i] += static_cast<float>(2 * k * (up - down));
    }
  return loss;
}

}  // namespace sinew::rl
