// SPDX-License-Identifier: Apache-2.0
// The PPO loss (Schulman et al. 2017) for a diagonal Gaussian policy with a state-independent
// log standard deviation, and its gradients with respect to the policy mean, the log std and the
// value prediction, written out by hand:
//   L = L_clip + value_coef * L_value - entropy_coef * H
//   L_clip  = -mean_b min(r_b A_b, clip(r_b, 1 - eps, 1 + eps) A_b),  r_b = exp(logp_b -
//   logp_old_b) L_value = 0.5 mean_b (v_b - R_b)^2, or with value clipping (value_clip > 0)
//             0.5 mean_b max((v_b - R_b)^2, (v_old_b + clip(v_b - v_old_b, +-value_clip) - R_b)^2)
//   H       = sum_j (log_std_j + 0.5 log(2 pi e))          (entropy of the Gaussian, per sample)
//   logp    = sum_j -(a_j - mu_j)^2 / (2 sigma_j^2) - log_std_j - 0.5 log(2 pi)
//   d logp / d mu_j = (a_j - mu_j) / sigma_j^2,   d logp / d log_std_j = (a_j - mu_j)^2 / sigma_j^2
//   - 1
#pragma once

namespace sinew::rl {

struct PpoLossConfig {
  float clip = 0.2f;  // epsilon of the clipped surrogate
  // Likelihood of the executed (clipped) action instead of the Gaussian sample (clipped_log_prob
  // below; needs the action bounds passed to ppo_loss).
  bool clipped_likelihood = false;
  float value_clip = 0.0f;  // > 0: clip the value change to +-value_clip (PPO2-style)
  float value_coef = 0.5f;
  float entropy_coef = 0.0f;
  // Action-bound loss on the policy mean (bound_loss below; 0: off).
  float bound_coef = 0.0f;
  float bound_margin = 0.2f;  // allowed overshoot of the mean, in units of the action range
};

struct PpoLossStats {
  double total = 0, policy = 0, value = 0, entropy = 0;
  double bound = 0;      // bound_loss (added to total by the trainer)
  double approx_kl = 0;  // mean((r - 1) - log r), an unbiased, non-negative KL(old || new) estimate
  double clip_frac = 0;  // fraction of samples with |r - 1| > clip
};

// Log-density of action a[0..A) under N(mean, exp(log_std)^2).
double gaussian_log_prob(const float* mean, const float* log_std, const float* a, int A);
// Entropy of N(., exp(log_std)^2) in A dimensions.
double gaussian_entropy(const float* log_std, int A);

// log Phi(z) of the standard normal CDF, accurate in double for every z (erfc, and for z < -20
// the asymptotic series, where erfc underflows), and the ratio lambda = phi(z) / Phi(z) (inverse
// Mills ratio) = d log Phi / dz.
double log_ndtr(double z, double* lambda);

// Log-likelihood of the action the environment executes, clip(a, lo, hi), when a ~ N(mean,
// sigma^2) per dimension (the clipped-action policy gradient of Fujita & Maeda, "Clipped Action
// Policy Gradient", ICML 2018): a dimension with a <= lo contributes log Phi((lo - mu) / sigma),
// the probability of every sample that clips to lo; a >= hi contributes log Phi((mu - hi) /
// sigma); others the Gaussian density. For muscle excitations most samples of a mean far below 0
// clip to 0 and have likelihood ~1 whatever the mean, so the mean of an unused muscle no longer
// random-walks under the PPO update (the Gaussian likelihood of the raw sample makes it drift
// and inflates the KL: docs/training.md). lo/hi [A].
double clipped_log_prob(const float* mean, const float* log_std, const float* a, const float* lo,
                        const float* hi, int A);

// Action bounds for ppo_loss with clipped_likelihood.
struct ActionBounds {
  const float* lo = nullptr;
  const float* hi = nullptr;
};

// B samples, A action dimensions. Inputs row-major: mean [B][A], log_std [A], action [B][A],
// logp_old [B], adv [B] (as used: normalise before calling if wanted), value [B] (prediction),
// value_old [B] (prediction at collection), ret [B] (value targets).
// Outputs: d_mean [B][A] (written), d_log_std [A] (ADDED to), d_value [B] (written): the
// gradients of L. Returns the loss terms and diagnostics.
// With cfg.clipped_likelihood the log-probabilities (here and in logp_old) are clipped_log_prob's
// over `bounds` (required then).
PpoLossStats ppo_loss(const PpoLossConfig& cfg, int B, int A, const float* mean,
                      const float* log_std, const float* action, const float* logp_old,
                      const float* adv, const float* value, const float* value_old,
                      const float* ret, float* d_mean, float* d_log_std, float* d_value,
                      const ActionBounds& bounds = {});

// Bound loss on the policy mean, for actions that the environment clips to [lo_j, hi_j] (muscle
// excitations in [0, 1]): where the mean lies beyond the bounds by more than margin (hi - lo),
// the samples around it all clip to the bound, the advantage carries no information about that
// dimension and its mean drifts at random, which inflates the ratios, the KL estimate and the clip
// fraction of the dimensions that matter. The penalty (the "bounds loss" of rl_games' continuous
// PPO, Makoviychuk et al. 2021, Isaac Gym) pulls such means back:
//   L_b = coef * mean_b sum_j (max(mu_bj - hi_j - m_j, 0)^2 + max(lo_j - m_j - mu_bj, 0)^2),
//   m_j = margin (hi_j - lo_j);  dL_b/dmu_bj = 2 coef / B * (excess above - excess below).
// Adds the gradient to d_mean [B][A]; returns L_b.
double bound_loss(int B, int A, const float* mean, const float* lo, const float* hi, float coef,
                  float margin, float* d_mean);

}  // namespace sinew::rl
