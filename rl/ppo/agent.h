// SPDX-License-Identifier: Apache-2.0
// The PPO agent: observation normaliser, Gaussian policy (MLP mean, state-independent learnable
// log std) and value MLP. act() turns a batch of raw observations into actions.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "rl/env/rng.h"
#include "rl/nn/mlp.h"
#include "rl/ppo/normalizer.h"
#include "rl/ppo/ppo_loss.h"

namespace sinew::rl {

struct AgentConfig {
  std::vector<int> policy_hidden{256, 256};
  std::vector<int> value_hidden{256, 256};
  std::string activation = "tanh";
  bool layer_norm = false;
  float init_log_std = -0.5f;     // initial log std of every action dimension
  float policy_out_gain = 0.01f;  // small initial means: actions start near init_action_mean
  bool obs_norm = true;
  float obs_clip = 10.f;
};

class Agent {
 public:
  Agent() = default;
  Agent(const AgentConfig& cfg, int obs_dim, int act_dim, std::uint64_t seed);

  int obs_dim() const { return policy.in(); }
  int act_dim() const { return policy.out(); }

  // Normalises raw observations (rows x obs_dim) into `out`, updating the running statistics
  // first when `update` is set.
  void normalize(const float* obs, int rows, bool update, nn::Matrix& out);
  // Policy means for normalised observations.
  void mean_actions(const nn::Matrix& obs_n, nn::Matrix& mean) const;
  // Value predictions ([rows][1]) for normalised observations.
  void values(const nn::Matrix& obs_n, nn::Matrix& v) const;
  // Samples actions a = mean + exp(log_std) * eps, eps from rngs[row] (one stream per world);
  // writes the log-probabilities when logp is non-null: of the Gaussian sample, or with bounds
  // of the clipped action (clipped_log_prob, rl/ppo/ppo_loss.h).
  void sample(const nn::Matrix& mean, std::vector<Rng>& rngs, nn::Matrix& actions, float* logp,
              const ActionBounds& bounds = {}) const;

  void save(std::ostream& os) const;
  static Agent load(std::istream& is, const std::string& what);

  nn::Mlp policy, value;
  std::vector<float> log_std, log_std_grad;
  RunningNorm norm;
  bool obs_norm = true;
};

}  // namespace sinew::rl
