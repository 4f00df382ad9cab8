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

namespace sinew::cli {

struct EvalOutcome {
  std::string task, score_name;
  bool lower_is_better = false;
  int episodes = 0;
  std::uint64_t seed = 0;
  std::optional<rl::EvalSummary> policy, baseline;
};

// agent may be null (baseline only). The evaluation worlds use `seed`, not the training seed.
EvalOutcome run_eval(const rl::TrainConfig& cfg, rl::Agent* agent, int episodes, std::uint64_t seed,
                     bool with_baseline);
void print_eval(const EvalOutcome& ev, std::FILE* out);
void write_eval_json(const EvalOutcome& ev, const std::string& path);
// One row per episode: who (policy/baseline), world, score, success, return, length, truncated.
void write_eval_csv(const EvalOutcome& ev, const std::string& path);

}  // namespace sinew::cli
