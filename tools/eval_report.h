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
  // task "track": per-episode tracking metrics (docs/metrics.md), episodes start at phase 0
  std::string clip;
  std::optional<std::vector<track::EpisodeMetrics>> policy_track, baseline_track;
};

// agent may be null (baseline only). The evaluation worlds use `seed`, not the training seed.
// reward_model_state: a checkpoint's learned-reward section, loaded into the evaluation task
// (returns then use the trained reward model); may be empty. trajectory_path: when not empty,
// world 0 of the policy's evaluation is recorded there (viewer::write_trajectory; physics tasks).
// flow_state: a PPO + flow checkpoint's flow section; the policy then acts through the flow.
EvalOutcome run_eval(const rl::TrainConfig& cfg, rl::Agent* agent, int episodes, std::uint64_t seed,
                     bool with_baseline, const std::string& reward_model_state = "",
                     const std::string& trajectory_path = "", const std::string& flow_state = "",
                     bool clipped_mean = false);
void print_eval(const EvalOutcome& ev, std::FILE* out);
void write_eval_json(const EvalOutcome& ev, const std::string& path);
// One row per episode: who (policy/baseline), world, score, success, return, length, truncated.
void write_eval_csv(const EvalOutcome& ev, const std::string& path);
// Task "track": one row per clip and policy (means over the episodes): who, clip, episodes,
// joint_deg, body_mm, body_rel_mm, root_mm, root_deg, fraction_tracked.
void write_tracking_csv(const EvalOutcome& ev, const std::string& path);

}  // namespace sinew::cli
