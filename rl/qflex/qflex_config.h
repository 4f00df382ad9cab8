// SPDX-License-Identifier: Apache-2.0
// Settings of the off-policy Qflex learner (the "qflex" object of a training config). Every key
// has a default — the published method's where it has one (arXiv 2601.19707: 3x256 ReLU networks
// with batch renormalization, Adam lr 3e-4 beta1 0.5, gamma 0.99, batch 256, replay 1e6, 3e4
// random warm-up steps, N = 20 ascent steps of eta 1e-2, K = 20 Euler steps) — documented in
// docs/qflex.md; unknown keys and out-of-range values are errors naming the key.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rl/qflex/brn_mlp.h"

namespace sinew::rl::qflex {

struct QflexConfig {
  std::vector<int> critic_hidden{256, 256, 256};
  std::vector<int> policy_hidden{256, 256, 256};    // source policy
  std::vector<int> velocity_hidden{256, 256, 256};  // velocity field v(s, a, t)
  std::string activation = "relu";
  bool critic_batch_renorm = true;  // BRN in both critics (CrossQ)
  bool actor_batch_renorm = false;  // BRN in the source policy and the velocity field
  BrnConfig brn;                    // momentum, r_max, d_max, warm-up, eps
  float lr = 3e-4f;                 // Adam, every network
  float beta1 = 0.5f, beta2 = 0.999f;
  float gamma = 0.99f;
  int batch_size = 256;
  long long buffer_size = 1000000;   // replay capacity (capped at total_samples)
  long long warmup_samples = 30000;  // uniformly random actions before learning starts
  float updates_per_step = 1.f;      // gradient updates per vectorised env step (fractional ok)
  int policy_delay = 1;              // critic updates per source-policy / velocity update
  bool flow = true;                  // false: act with the source policy alone (ablation)
  int ascent_steps = 20;             // N
  float ascent_eta = 1e-2f;          // eta
  int flow_steps = 20;               // K
  float velocity_clip = 0.f;         // |v| clip when integrating (0: K, as published)
  float min_log_std = -20.f, max_log_std = 2.f;
  // Entropy bonus of the source policy (SAC-style, not in the published method): loss
  // mean(alpha log pi - min Q); alpha = entropy_coef, or tuned toward an entropy of
  // target_entropy_per_dim * |A| when auto_entropy (starting at entropy_coef).
  float entropy_coef = 0.f;
  bool auto_entropy = false;
  float target_entropy_per_dim = -1.f;
  // Target critics (not in the published method, which relies on CrossQ's batch renormalization
  // instead): 0 = none; > 0 = TD targets from Polyak-averaged copies of the critics, updated
  // with this rate after every critic step (TD3/SAC use 0.005).
  float target_tau = 0.f;
  // Averaged acting copies (not in the published method): 0 = none; > 0 = the deterministic
  // policy (evaluation, `sinew eval`) acts with Polyak-averaged copies of the source policy and
  // the velocity field, updated with this rate after every update of the live networks (which
  // still act during training). Evaluates a smoothed policy instead of one fast-moving snapshot.
  float policy_avg_tau = 0.f;
  long long iteration_samples = 1000;  // samples per logged iteration
  bool checkpoint_replay = true;       // store the replay buffer in checkpoints
};

// Parses the "qflex" object (null: every default); `where` names it in messages.
QflexConfig parse_qflex_config(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const QflexConfig& c);

// The network settings of one network of the learner (in/out filled by its owner).
BrnMlpConfig net_config(const QflexConfig& c, const std::vector<int>& hidden, bool batch_renorm);

}  // namespace sinew::rl::qflex
