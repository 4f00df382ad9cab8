// SPDX-License-Identifier: Apache-2.0
// The training configuration of `sinew train --config CFG.json`: every key has a default
// (documented in docs/training.md); unknown keys and out-of-range values are errors naming the
// key.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "rl/ppo/agent.h"
#include "rl/ppo/flow_explore.h"
#include "rl/ppo/ppo_loss.h"

namespace sinew::rl {

struct PpoConfig {
  int rollout_steps = 64;                // T: actions per world per iteration
  int epochs = 10;                       // passes over each rollout
  int minibatches = 8;                   // minibatches per epoch (T * N / minibatches samples each)
  float lr = 3e-4f;                      // Adam learning rate
  std::string lr_schedule = "linear";    // "linear" (to 0 at total_samples), "constant" or
                                         // "adaptive" (KL-targeting, see desired_kl)
  float desired_kl = 0.01f;              // adaptive: the approximate KL per minibatch aimed at
  float lr_min = 1e-6f, lr_max = 1e-2f;  // adaptive: bounds of the rate
  float gamma = 0.99f;
  float lambda = 0.95f;        // GAE lambda
  PpoLossConfig loss;          // clip, value_clip, value_coef, entropy_coef
  float max_grad_norm = 0.5f;  // gradient-norm clip, policy and value separately (0: off)
  bool adv_norm = true;        // normalise advantages per minibatch
  float target_kl = 0.f;       // > 0: stop the epochs of an iteration once approx KL exceeds it
  float weight_decay = 0.f;    // AdamW decoupled decay
  float min_log_std = -5.f, max_log_std = 1.f;  // bounds kept on the learned log std
  FlowExploreConfig flow;  // "flow": value-guided flow exploration (flow_explore.h; off)
};

struct TrainConfig {
  std::string algo = "ppo";  // "ppo", or "qflex" (rl/qflex, docs/qflex.md)
  std::string task = "pendulum";
  nlohmann::json env_params = nlohmann::json::object();
  int num_envs = 64;
  long long total_samples = 1000000;  // actions taken over all worlds
  std::uint64_t seed = 1;
  int threads = 0;            // 0: all cores
  int checkpoint_every = 10;  // iterations between checkpoints (and at the end)
  int eval_episodes = 100;    // episodes of the final deterministic evaluation
  AgentConfig agent;
  PpoConfig ppo;
  nlohmann::json qflex = nlohmann::json::object();  // the "qflex" section, parsed by rl/qflex
};

// Parses a config document; `source` names it in messages.
TrainConfig parse_train_config(const nlohmann::json& doc, const std::string& source);
TrainConfig load_train_config(const std::string& path);
// The full config with every default filled in (written beside each run).
nlohmann::json to_json(const TrainConfig& c);

}  // namespace sinew::rl
