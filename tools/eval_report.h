// SPDX-License-Identifier: Apache-2.0
// Evaluation shared by `sinew train` (final evaluation) and `sinew eval`: runs the deterministic
// policy (and optionally the zero-excitation baseline) for one episode per world and reports
// the task's score, success rate, return and episode length.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "rl/ppo/agent.h"
#include "rl/ppo/evaluate.h"
#include "rl/ppo/train_config.h"
#include "rl/track/track_metrics.h"

namespace sinew::cli {

struct EvalOutcome {
  std::string task, score_name;
  bool lower_is_better = false;
  int episodes = 0;
  std::uint64_t seed = 0;
  std::optional<rl::EvalSummary> policy, baseline;
  std::string baseline_name = "zero-exc.";  // EnvSpec::zero_action_name
  // task "track": per-episode tracking metrics (docs/metrics.md), episodes start at phase 0
  // unless random_start
  std::string clip;
  bool random_start = false;  // EvalOptions::random_start
  bool stochastic = false;    // EvalOptions::stochastic (the policy's actions were sampled)
  std::optional<std::vector<track::EpisodeMetrics>> policy_track, baseline_track;
};

// What run_eval does beside the deterministic policy of `agent`.
struct EvalOptions {
  bool baseline = false;           // also evaluate zero excitation
  std::string reward_model_state;  // a checkpoint's learned-reward section (may be empty): returns
                                   // then use the trained reward model
  std::string trajectory_path;     // when set, world 0 of the policy (without one: of the
                                   // zero-action baseline) is recorded there
                                   // (viewer::write_trajectory; physics tasks)
  std::string flow_state;          // a PPO + flow checkpoint's flow section: act through the flow
  bool clipped_mean = false;       // act with E[clip(a)] instead of clip(mean)
  bool stochastic = false;         // act with sampled actions (as in training) instead of the mean
  bool random_start = false;       // task track: start phases uniform over the first cycle, not 0
  rl::PolicyFn policy;  // without an agent: the deterministic policy to evaluate (e.g. Qflex's)
};

// agent may be null (then opt.policy, if set, is the policy; else baseline only). The evaluation
// worlds use `seed`, not the training seed; a tracking task evaluates from phase 0 (or
// opt.random_start) whichever learner made the policy.
EvalOutcome run_eval(const rl::TrainConfig& cfg, rl::Agent* agent, int episodes, std::uint64_t seed,
                     const EvalOptions& opt = {});
void print_eval(const EvalOutcome& ev, std::FILE* out);
void write_eval_json(const EvalOutcome& ev, const std::string& path);
// One row per episode: who (policy/baseline), world, score, success, return, length, truncated.
void write_eval_csv(const EvalOutcome& ev, const std::string& path);
// Task "track": one row per clip and policy (means over the episodes): who, clip, episodes,
// joint_deg, body_mm, body_rel_mm, root_mm, root_deg, fraction_tracked.
void write_tracking_csv(const EvalOutcome& ev, const std::string& path);

}  // namespace sinew::cli
