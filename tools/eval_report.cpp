// SPDX-License-Identifier: Apache-2.0
#include "tools/eval_report.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "rl/env/env.h"

namespace sinew::cli {

EvalOutcome run_eval(const rl::TrainConfig& cfg, rl::Agent* agent, int episodes, std::uint64_t seed,
                     bool with_baseline) {
  if (episodes < 1) throw std::invalid_argument("evaluation needs at least one episode");
  EvalOutcome ev;
  ev.task = cfg.task;
  ev.episodes = episodes;
  ev.seed = seed;
  cpu::ThreadPool pool(cfg.threads);
  auto run = [&](const rl::PolicyFn& fn) {
    std::unique_ptr<rl::Env> env = rl::make_env(cfg.task, cfg.env_params, episodes, seed);
    env->set_pool(&pool);
    ev.score_name = env->spec().score_name;
    ev.lower_is_better = env->spec().score_lower_is_better;
    return rl::evaluate(*env, fn);
  };
  if (agent) ev.policy = run(rl::deterministic_policy(*agent));
  if (with_baseline) {
    std::unique_ptr<rl::Env> probe = rl::make_env(cfg.task, cfg.env_params, 1, seed);
    ev.baseline = run(rl::constant_policy(probe->spec().act_dim, 0.f));
  }
  return ev;
}

namespace {

void print_one(const char* who, const EvalOutcome& ev, const rl::EvalSummary& s, std::FILE* out) {
  std::fprintf(out,
               "%-9s %s: mean %.5g (std %.3g)  success %.1f%%  return %.5g  episode length "
               "%.1f\n",
               who, ev.score_name.c_str(), s.score_mean, s.score_std, 100 * s.success_rate,
               s.return_mean, s.length_mean);
}

nlohmann::json summary_json(const rl::EvalSummary& s) {
  nlohmann::json eps = nlohmann::json::array();
  for (const rl::EpisodeResult& e : s.episodes)
    eps.push_back({{"score", e.score},
                   {"success", e.success},
                   {"return", e.ret},
                   {"length", e.length},
                   {"truncated", e.truncated}});
  return {{"score_mean", s.score_mean},     {"score_std", s.score_std},
          {"success_rate", s.success_rate}, {"return_mean", s.return_mean},
          {"length_mean", s.length_mean},   {"episodes", eps}};
}

}  // namespace

void print_eval(const EvalOutcome& ev, std::FILE* out) {
  std::fprintf(out, "evaluation of task %s: %d episodes (evaluation seed %llu), %s\n",
               ev.task.c_str(), ev.episodes, static_cast<unsigned long long>(ev.seed),
               ev.lower_is_better ? "lower score is better" : "higher score is better");
  if (ev.policy) print_one("policy", ev, *ev.policy, out);
  if (ev.baseline) print_one("zero-exc.", ev, *ev.baseline, out);
}

void write_eval_json(const EvalOutcome& ev, const std::string& path) {
  nlohmann::json j = {{"task", ev.task},
                      {"score_name", ev.score_name},
                      {"lower_is_better", ev.lower_is_better},
                      {"episodes", ev.episodes},
                      {"seed", ev.seed}};
  if (ev.policy) j["policy"] = summary_json(*ev.policy);
  if (ev.baseline) j["zero_excitation_baseline"] = summary_json(*ev.baseline);
  std::ofstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot write the evaluation");
  f << j.dump(2) << '\n';
}

void write_eval_csv(const EvalOutcome& ev, const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot write the evaluation CSV");
  f << "who,world," << ev.score_name << ",success,return,length,truncated\n";
  auto rows = [&](const char* who, const rl::EvalSummary& s) {
    for (const rl::EpisodeResult& e : s.episodes)
      f << who << ',' << e.world << ',' << e.score << ',' << e.success << ',' << e.ret << ','
        << e.length << ',' << e.truncated << '\n';
  };
  if (ev.policy) rows("policy", *ev.policy);
  if (ev.baseline) rows("zero_excitation", *ev.baseline);
}

}  // namespace sinew::cli
