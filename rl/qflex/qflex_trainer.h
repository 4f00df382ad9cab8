// SPDX-License-Identifier: Apache-2.0
// The off-policy Qflex learner (arXiv 2601.19707) on the batched Env API: twin CrossQ critics
// without target networks, a replay buffer, a tanh-Gaussian source policy trained to maximise
// min(Q1, Q2), and a velocity field trained by flow matching on Q-gradient-ascent targets.
// Acting: source sample + K Euler steps of the velocity field, clipped to [-1, 1] and mapped
// affinely onto the environment's action bounds ([-1, 1] -> [act_low, act_high]).
//
// One env step of all N worlds is followed by `updates_per_step` gradient updates (fractional
// values accumulate); the first `warmup_samples` actions are uniform random and no update runs
// before them. One update: a minibatch (s, a, r, s', terminated) from the replay buffer;
//   1. critics: CrossQ TD step with a' = source sample at s' (TwinCritic::td_grad), Adam;
//      with target_tau > 0 the bootstrap comes from Polyak-averaged target critics instead;
//   every `policy_delay` updates also
//   2. source policy: maximise mean min Q(s, a_src) through dQ/da (reparameterised), Adam;
//   3. velocity field (when `flow`): a0 = source sample at s', a1 = N truncated ascent steps on
//      min Q(s', .), one flow-matching step on (s', a0, a1), Adam.
// Every random draw comes from streams derived from the seed (per world for acting, one for the
// updates), and the network kernels split work deterministically, so a run is reproducible for
// a given seed and thread count.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rl/env/env.h"
#include "rl/nn/optim.h"
#include "rl/ppo/evaluate.h"
#include "rl/ppo/train_config.h"
#include "rl/qflex/critic.h"
#include "rl/qflex/flow.h"
#include "rl/qflex/qflex_config.h"
#include "rl/qflex/replay.h"
#include "rl/qflex/source_policy.h"

namespace sinew::rl::qflex {

struct QflexStats {
  long long iteration = 0, samples = 0, updates = 0;
  int episodes = 0;  // episodes completed during this iteration
  // means over the last 100 completed episodes
  double return_mean = 0, length_mean = 0, score_mean = 0, success_rate = 0;
  // means over this iteration's updates
  double critic_loss = 0, q_mean = 0, target_mean = 0, policy_min_q = 0, flow_loss = 0;
  double ascent_grad_norm = 0, ascent_truncated = 0, ascent_shift = 0, log_std_mean = 0;
  double alpha = 0, entropy = 0;  // entropy coefficient and -mean log pi of the source samples
  double t_sim = 0, t_act = 0, t_update = 0;  // seconds spent in each phase
  long flagged = 0;                           // diverged worlds so far
};

// The learner's networks, optimisers and counters, as a checkpoint holds them.
struct QflexState {
  TwinCritic critic;
  TwinCritic target;  // Polyak-averaged critics (target_tau > 0), else empty
  SourcePolicy source;
  VelocityField velocity;
  SourcePolicy avg_source;  // Polyak-averaged acting copies (policy_avg_tau > 0), else empty
  VelocityField avg_velocity;
  nn::Adam opt_q1, opt_q2, opt_source, opt_velocity, opt_alpha;
  float log_alpha = 0;  // log of the entropy coefficient (auto_entropy)
  long long samples = 0, iteration = 0, updates = 0;
  double update_credit = 0;  // fractional updates carried to the next env step
};

class QflexTrainer {
 public:
  // `base` gives the task, env parameters, num_envs, total_samples, seed and threads (its
  // "agent" and "ppo" sections are not used).
  QflexTrainer(const TrainConfig& base, const QflexConfig& cfg);
  ~QflexTrainer();

  const TrainConfig& base_config() const { return base_; }
  const QflexConfig& config() const { return cfg_; }
  Env& env() { return *env_; }
  QflexState& state() { return st_; }
  const ReplayBuffer& replay() const { return replay_; }
  long long samples() const { return st_.samples; }
  long long iteration() const { return st_.iteration; }
  bool done() const { return st_.samples >= base_.total_samples; }

  // Collects about iteration_samples samples (whole env steps), updating after each step.
  QflexStats iterate();

  // Actions in [-1, 1] for raw observations ([rows][obs_dim]): the source sample (eps from
  // rngs[row], or the mean when deterministic) moved by the flow when `flow` is on. `averaged`:
  // with the Polyak-averaged copies (policy_avg_tau > 0; else the live networks).
  void act(const nn::Matrix& obs, std::vector<Rng>* rngs, nn::Matrix& a, bool averaged = false);
  // The deterministic policy for evaluate(): tanh(mu(s)) moved by the flow, mapped to the env's
  // action bounds; with the averaged copies where there are any, unless `live`.
  PolicyFn deterministic_policy(bool live = false);
  // A stochastic policy for evaluate() over `nworld` worlds: the source sampled with one stream
  // per world derived from `seed` (held by the returned function), moved by the flow — what
  // training executes when `live` (the averaged copies where there are any, unless `live`).
  PolicyFn stochastic_policy(int nworld, std::uint64_t seed, bool live = false);
  // Whether the run keeps Polyak-averaged acting copies (policy_avg_tau > 0).
  bool has_averaged_policy() const { return cfg_.policy_avg_tau > 0; }

  // Atomic (temporary file + rename): configs, counters, networks, optimisers and, with
  // checkpoint_replay, the replay buffer. Errors name the file and the field.
  void save_checkpoint(const std::string& path) const;
  // Restores a checkpoint of the same task and network shapes; the worlds restart fresh
  // episodes on streams derived from the seed and the iteration. with_replay false skips the
  // stored replay buffer (evaluation: it can be gigabytes at |A| = 702).
  void load_checkpoint(const std::string& path, bool with_replay = true);

 private:
  void env_step(QflexStats& s);
  void update(QflexStats& s);
  void update_source(QflexStats& s);
  void to_env(const nn::Matrix& a, std::vector<float>& out) const;

  TrainConfig base_;
  QflexConfig cfg_;
  std::unique_ptr<cpu::ThreadPool> pool_;
  std::unique_ptr<Env> env_;
  QflexState st_;
  ReplayBuffer replay_;
  std::vector<Rng> act_rng_;
  Rng update_rng_;
  std::deque<EpisodeResult> recent_;
  ReplayBatch batch_;
  nn::Matrix obs_, act_, eps_, a_next_, a_src_, grad_, a0_, a1_;
  std::vector<float> env_act_, next_obs_;
  std::vector<std::uint8_t> term_;
};

// Reads the configs stored in a Qflex checkpoint (e.g. to evaluate it).
// Whether `path` starts with the Qflex checkpoint magic (false for other files or no file).
bool is_qflex_checkpoint(const std::string& path);
void read_qflex_checkpoint_config(const std::string& path, TrainConfig& base, QflexConfig& cfg);

}  // namespace sinew::rl::qflex
