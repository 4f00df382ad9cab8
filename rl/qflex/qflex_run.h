// SPDX-License-Identifier: Apache-2.0
// `sinew train` with "algo": "qflex": the training loop around QflexTrainer — config.json with
// every default filled in, log.csv / log.jsonl (one row per iteration), progress lines,
// atomic checkpoints every checkpoint_every iterations and at the end, --resume — and the
// deterministic evaluation of the result (docs/qflex.md).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "rl/ppo/evaluate.h"
#include "rl/ppo/train_config.h"
#include "rl/qflex/qflex_trainer.h"

namespace sinew::rl::qflex {

// One log row of an iteration; `wall_s` is the run's wall time so far.
nlohmann::ordered_json log_row(const QflexStats& st, double wall_s, double samples_per_s);

// Trains cfg (algo "qflex"; its "qflex" section parsed here) into run directory `out`, resuming
// from out/checkpoint.bin when `resume`; progress lines on stderr unless `quiet`. Returns the
// trained learner.
std::unique_ptr<QflexTrainer> run_training(TrainConfig cfg, const std::string& out, bool resume,
                                           bool quiet);

}  // namespace sinew::rl::qflex
