// SPDX-License-Identifier: Apache-2.0
// PPO (Schulman et al. 2017) over a batched environment: rollouts [T][N] with the stochastic
// policy, GAE that bootstraps on truncation and not on termination, then `epochs` passes of
// shuffled minibatches of the clipped-surrogate loss with Adam and gradient-norm clipping.
// One iterate() = one rollout + one update. Checkpoints hold the agent, the optimiser states
// and the progress counters; they are written atomically (temporary file + rename).
#pragma once

#include <deque>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rl/env/env.h"
#include "rl/nn/optim.h"
#include "rl/ppo/agent.h"
#include "rl/ppo/train_config.h"

namespace sinew::rl {

// An optional learned reward owned by a task (e.g. the tracking task's adversarial
// discriminator, rl/track): the task records what it needs during the rollout; the trainer calls
// update() once after each rollout (before the PPO update) and keeps its state in the checkpoint.
class RewardModel {
 public:
  virtual ~RewardModel() = default;
  // Trains on the data recorded since the last call; returns named diagnostics.
  virtual std::vector<std::pair<std::string, double>> update() = 0;
  virtual void save(std::ostream& os) const = 0;
  virtual void load(std::istream& is, const std::string& what) = 0;
};
// Implemented (besides Env) by tasks that may have a RewardModel; reward_model() returns null
// when the configured reward is fixed.
class RewardModelProvider {
 public:
  virtual ~RewardModelProvider() = default;
  virtual RewardModel* reward_model() = 0;
};
// The task's reward model, or null.
RewardModel* find_reward_model(Env& env);

struct IterationStats {
  long long iteration = 0, samples = 0;
  int episodes = 0;  // episodes completed during this iteration's rollout
  // means over the last 100 completed episodes (a window that spans iterations)
  double return_mean = 0, length_mean = 0, score_mean = 0, success_rate = 0;
  PpoLossStats loss;                          // averaged over the minibatches run
  double grad_norm = 0, value_grad_norm = 0;  // before clipping: policy (+ log std), value
  double log_std_mean = 0, lr = 0, value_r2 = 0;
  int epochs_run = 0;
  double t_sim = 0, t_infer = 0, t_update = 0;               // seconds spent in each phase
  long flagged = 0;                                          // diverged worlds so far
  std::vector<std::pair<std::string, double>> reward_model;  // RewardModel::update() diagnostics
  FlowExploreStats flow;  // flow exploration updates (ppo.flow.enabled)
};

// Everything a checkpoint file holds.
struct Checkpoint {
  TrainConfig config;
  long long samples = 0, iteration = 0;
  Agent agent;
  nn::Adam opt_policy, opt_value, opt_log_std;
  std::string reward_model_state;  // RewardModel::save() bytes (optional section SNWRWDM v1)
  float adaptive_lr = 0;           // lr_schedule "adaptive": the current rate (section SNWADLR v1)
  std::string flow_state;          // FlowExplorer::save() bytes (section SNWFLOWS v1)
};
// Reads a checkpoint written by PpoTrainer::save_checkpoint; errors name the file and field.
Checkpoint read_checkpoint(const std::string& path);

class PpoTrainer {
 public:
  explicit PpoTrainer(const TrainConfig& cfg);
  ~PpoTrainer();

  const TrainConfig& config() const { return cfg_; }
  Env& env() { return *env_; }
  Agent& agent() { return agent_; }
  long long samples() const { return samples_; }
  long long iteration() const { return iteration_; }
  bool done() const { return samples_ >= cfg_.total_samples; }
  // Samples one iteration adds: num_envs * rollout_steps.
  long long samples_per_iteration() const;
  // The environment's action bounds when ppo.clipped_likelihood is on, else none.
  ActionBounds action_bounds() const;

  IterationStats iterate();

  void save_checkpoint(const std::string& path) const;
  // The flow exploration state (FlowExplorer::save bytes), empty without ppo.flow.enabled.
  std::string flow_state() const;
  // Restores a checkpoint written by save_checkpoint with the same task and network shapes;
  // the environments restart fresh episodes (seeded by the seed and the iteration).
  void load_checkpoint(const std::string& path);

 private:
  void collect(IterationStats& st);
  void update(IterationStats& st);
  float current_lr() const;
  // lr_schedule "adaptive": after each minibatch, lr / 1.5 when its approximate KL exceeds
  // 2 desired_kl, lr * 1.5 when below desired_kl / 2, kept in [lr_min, lr_max].
  void adapt_lr(double approx_kl);

  TrainConfig cfg_;
  float adaptive_lr_ = 0;
  std::unique_ptr<FlowExplorer> flow_;  // ppo.flow.enabled: the executed actions' transport
  std::unique_ptr<cpu::ThreadPool> pool_;
  std::unique_ptr<Env> env_;
  RewardModel* reward_model_ = nullptr;  // owned by env_
  Agent agent_;
  nn::Adam opt_policy_, opt_value_, opt_log_std_;
  std::vector<Rng> act_rng_;
  Rng shuffle_rng_;
  Rng flow_rng_;
  long long samples_ = 0, iteration_ = 0;
  bool first_obs_counted_ = false;
  std::deque<EpisodeResult> recent_;  // the last kEpisodeWindow completed episodes
  // rollout buffers, [T][N] (rows t * N + n)
  nn::Matrix obs_, act_;
  std::vector<float> logp_, val_, next_val_, rew_, adv_, ret_;
  std::vector<std::uint8_t> term_, trunc_;
};

}  // namespace sinew::rl
