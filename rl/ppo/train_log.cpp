// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/train_log.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace sinew::rl {

nlohmann::ordered_json log_row(const IterationStats& st, double wall_s, double samples_per_s) {
  nlohmann::ordered_json r;
  r["iteration"] = st.iteration;
  r["samples"] = st.samples;
  r["wall_s"] = wall_s;
  r["samples_per_s"] = samples_per_s;
  r["episodes"] = st.episodes;
  r["return_mean"] = st.return_mean;
  r["length_mean"] = st.length_mean;
  r["score_mean"] = st.score_mean;
  r["success_rate"] = st.success_rate;
  r["policy_loss"] = st.loss.policy;
  r["value_loss"] = st.loss.value;
  r["entropy"] = st.loss.entropy;
  r["approx_kl"] = st.loss.approx_kl;
  r["clip_frac"] = st.loss.clip_frac;
  r["grad_norm"] = st.grad_norm;
  r["value_grad_norm"] = st.value_grad_norm;
  r["log_std_mean"] = st.log_std_mean;
  r["lr"] = st.lr;
  r["value_r2"] = st.value_r2;
  r["epochs"] = st.epochs_run;
  r["t_sim"] = st.t_sim;
  r["t_infer"] = st.t_infer;
  r["t_update"] = st.t_update;
  r["flagged"] = st.flagged;
  if (st.flow.updates > 0) {  // PPO + flow runs only (their CSV header has these columns)
    r["flow_critic_loss"] = st.flow.critic_loss;
    r["flow_q_mean"] = st.flow.q_mean;
    r["flow_loss"] = st.flow.flow_loss;
    r["flow_ascent_shift"] = st.flow.ascent_shift;
    r["flow_transport_shift"] = st.flow.transport_shift;
  }
  return r;
}

namespace {

// Keeps the lines of `path` (after `header` lines) whose first field / "iteration" is <= keep.
std::vector<std::string> kept_lines(const std::string& path, long long keep, bool csv) {
  std::vector<std::string> out;
  std::ifstream f(path);
  std::string line;
  bool first = true;
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    if (csv && first) {
      out.push_back(line);
      first = false;
      continue;
    }
    long long it = -1;
    try {
      it = csv ? std::stoll(line.substr(0, line.find(',')))
               : nlohmann::json::parse(line).at("iteration").get<long long>();
    } catch (const std::exception&) {
      continue;  // a torn last line of an interrupted run
    }
    if (it <= keep) out.push_back(line);
  }
  return out;
}

}  // namespace

TrainLog::TrainLog(const std::string& dir, long long keep_until)
    : csv_path_(dir + "/log.csv"), jsonl_path_(dir + "/log.jsonl") {
  std::vector<std::string> csv_keep, jsonl_keep;
  if (keep_until >= 0) {
    csv_keep = kept_lines(csv_path_, keep_until, true);
    jsonl_keep = kept_lines(jsonl_path_, keep_until, false);
  }
  csv_.open(csv_path_, std::ios::trunc);
  jsonl_.open(jsonl_path_, std::ios::trunc);
  if (!csv_ || !jsonl_) throw std::runtime_error(dir + ": cannot write the training logs");
  for (const std::string& l : csv_keep) csv_ << l << '\n';
  for (const std::string& l : jsonl_keep) jsonl_ << l << '\n';
  header_written_ = !csv_keep.empty();
  csv_.flush();
  jsonl_.flush();
}

void TrainLog::append(const nlohmann::ordered_json& row) {
  if (!header_written_) {
    std::string h;
    for (auto it = row.begin(); it != row.end(); ++it) h += (h.empty() ? "" : ",") + it.key();
    csv_ << h << '\n';
    header_written_ = true;
  }
  std::ostringstream line;
  line.precision(8);
  bool first = true;
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (!first) line << ',';
    first = false;
    if (it->is_number_float())
      line << it->get<double>();
    else
      line << it->dump();
  }
  csv_ << line.str() << '\n';
  jsonl_ << row.dump() << '\n';
  csv_.flush();
  jsonl_.flush();
}

}  // namespace sinew::rl
