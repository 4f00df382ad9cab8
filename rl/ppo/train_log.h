// SPDX-License-Identifier: Apache-2.0
// Training logs: one row per iteration in CSV (for plots and spreadsheets) and JSON lines (for
// scripts), in the run directory. On resume the rows after the checkpoint's iteration are
// dropped, so a log always describes one consistent run.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "rl/ppo/ppo_trainer.h"

namespace sinew::rl {

// The row of one iteration; `wall_s` is the run's wall-clock time so far.
nlohmann::ordered_json log_row(const IterationStats& st, double wall_s, double samples_per_s);

class TrainLog {
 public:
  // Opens dir/log.csv and dir/log.jsonl; with keep_until >= 0 keeps the existing rows whose
  // iteration is <= keep_until (resume), otherwise starts them afresh.
  TrainLog(const std::string& dir, long long keep_until);
  void append(const nlohmann::ordered_json& row);

 private:
  std::string csv_path_, jsonl_path_;
  std::ofstream csv_, jsonl_;
  bool header_written_ = false;
};

}  // namespace sinew::rl
