// SPDX-License-Identifier: Apache-2.0
// PPO with value-guided flow exploration (issue 6, learner (a); Qflex, arXiv 2601.19707,
// docs/qflex.md "PPO + flow"). Option (i): the PPO action is the Gaussian's sample a (its
// likelihood stays exact), and the flow that turns it into the executed action is part of the
// environment from PPO's point of view:
//   n0 = 2 (a - lo) / (hi - lo) - 1                    (the action box mapped onto [-1, 1])
//   n  = n0 + K Euler steps of the velocity field v(s, n, t)   (VelocityField::integrate)
//   executed = lo + (clip(n, -1, 1) + 1) (hi - lo) / 2
// The velocity field learns, by flow matching, to carry policy samples n0 to n1 = N truncated
// gradient-ascent steps on min(Q1, Q2)(s, .) (qflex::ascend); the twin critics learn Q of the
// executed (normalised, clipped) actions by CrossQ TD steps (TwinCritic::td_grad) on a replay of
// recent transitions, with a' = the transported policy sample at s'. The networks see the PPO
// agent's normalised observations. At initialisation v is ~0, so PPO + flow starts as PPO.
//
// Why (i) is sound: PPO's ratio, KL and clipping are computed on the distribution it samples
// from, which is exactly Gaussian; the flow only changes the environment's response to a, as an
// action wrapper would. What (i) gives up is stationarity: the wrapper changes every iteration.
// PPO tolerates that as it tolerates a changing reward model (the adversarial reward); the flow
// updates per iteration are few, and the advantage estimates of one rollout all use one flow.
// (ii) needs a density of the transported action (intractable), (iii) a divergence estimate
// per action and K steps of network Jacobians — far costlier at |A| = 700.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "rl/env/rng.h"
#include "rl/nn/matrix.h"
#include "rl/nn/optim.h"
#include "rl/qflex/critic.h"
#include "rl/qflex/flow.h"
#include "rl/qflex/replay.h"

namespace sinew::rl {

class Agent;

// The "flow" object of a PPO config's "ppo" section (documented in docs/qflex.md).
struct FlowExploreConfig {
  bool enabled = false;
  std::vector<int> critic_hidden{256, 256, 256};
  std::vector<int> velocity_hidden{256, 256, 256};
  bool critic_batch_renorm = true;
  int ascent_steps = 20;           // N
  float ascent_eta = 1e-2f;        // eta
  int flow_steps = 20;             // K
  float velocity_clip = 0.f;       // |v| clip when integrating (0: K)
  int batch_size = 256;            // critic / flow minibatch
  int updates = 0;                 // critic + flow updates per PPO iteration (0: rollout / batch)
  long long buffer_size = 16384;   // replay of recent transitions
  bool checkpoint_replay = false;  // store the replay in checkpoints (|A| 702: ~0.2 GB)
  float lr = 3e-4f;
  float beta1 = 0.5f;
};

FlowExploreConfig parse_flow_explore_config(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const FlowExploreConfig& c);

struct FlowExploreStats {
  int updates = 0;
  double critic_loss = 0, q_mean = 0, flow_loss = 0, ascent_shift = 0, transport_shift = 0;
};

class FlowExplorer {
 public:
  FlowExplorer() = default;
  FlowExplorer(int obs_dim, int act_dim, std::vector<float> lo, std::vector<float> hi,
               const FlowExploreConfig& cfg, float gamma, std::uint64_t seed);

  const FlowExploreConfig& config() const { return cfg_; }
  int act_dim() const { return act_dim_; }

  // Executed actions (env units) for policy actions a (env units) at normalised states x.
  void transport(const nn::Matrix& x, const nn::Matrix& a, nn::Matrix& executed);
  // Transitions of one env step (n rows): normalised obs, executed actions (env units),
  // rewards, normalised next obs (the final one for a truncated step), terminated flags.
  void add(int n, const float* x, const float* executed, const float* reward, const float* x_next,
           const std::uint8_t* terminated);
  // Critic TD steps and flow-matching steps on the replay; policy samples come from `agent`
  // (its Gaussian at the replayed states). `rollout` = samples of the last PPO iteration.
  FlowExploreStats update(const Agent& agent, int rollout, Rng& rng);

  // Section "SNWFLOWX" v1: networks, optimisers, and the replay when checkpoint_replay (else
  // a resumed run refills it from its next rollouts).
  void save(std::ostream& os) const;
  static FlowExplorer load(std::istream& is, const std::string& what, const FlowExploreConfig& cfg,
                           std::vector<float> lo, std::vector<float> hi, float gamma);

  qflex::TwinCritic critic;
  qflex::VelocityField velocity;

 private:
  void to_unit(const Eigen::Ref<const nn::Matrix>& a, nn::Matrix& n) const;  // env -> [-1, 1] box
  void from_unit(const nn::Matrix& n, nn::Matrix& a) const;  // clip to the box, env units
  void policy_sample(const Agent& agent, const nn::Matrix& x, Rng& rng, nn::Matrix& n) const;

  FlowExploreConfig cfg_;
  int obs_dim_ = 0, act_dim_ = 0;
  float gamma_ = 0.99f;
  std::vector<float> lo_, hi_;
  nn::Adam opt_q1_, opt_q2_, opt_v_;
  qflex::ReplayBuffer replay_;
  qflex::ReplayBatch batch_;
  nn::Matrix n0_, n1_, a_next_, unit_;
};

}  // namespace sinew::rl
