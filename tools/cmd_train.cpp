// SPDX-License-Identifier: Apache-2.0
// `sinew train --config CFG.json`: PPO on a built-in task; logs, atomic checkpoints, --resume,
// and a final deterministic evaluation (docs/training.md).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cxxopts.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "rl/env/env.h"
#include "rl/ppo/evaluate.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/ppo/train_config.h"
#include "rl/ppo/train_log.h"
#include "rl/qflex/qflex_run.h"
#include "tools/cli.h"
#include "tools/eval_report.h"
#include "tools/progress.h"

namespace sinew::cli {

namespace {

std::string default_out(const std::string& config) {
  return "runs/" + std::filesystem::path(config).stem().string();
}

// time_left: seconds left of a --max-minutes budget (< 0: none); the ETA is the sooner end.
void print_progress(rl::PpoTrainer& tr, const rl::IterationStats& st, double wall, double sps,
                    double time_left) {
  const rl::TrainConfig& c = tr.config();
  const double left = double(c.total_samples - st.samples);
  double eta = sps > 0 ? left / sps : -1;
  if (time_left >= 0 && (eta < 0 || time_left < eta)) eta = time_left;
  std::fprintf(stderr,
               "[train] it %lld  samples %s/%s (%.1f%%)  return %.4g  %s %.4g  success %.2f  "
               "%s samples/s  elapsed %s  ETA %s\n",
               st.iteration, format_count(double(st.samples)).c_str(),
               format_count(double(c.total_samples)).c_str(),
               100.0 * double(st.samples) / double(c.total_samples), st.return_mean,
               tr.env().spec().score_name.c_str(), st.score_mean, st.success_rate,
               format_count(sps).c_str(), format_duration(wall).c_str(),
               format_duration(eta).c_str());
}

}  // namespace

int cmd_train(int argc, char** argv) {
  cxxopts::Options opts(
      "sinew train",
      "Train a policy with PPO on a built-in task (see docs/training.md).\n"
      "Tasks: " +
          [] {
            std::string t;
            for (const auto& [name, what] : rl::env_catalog()) t += "\n  " + name + ": " + what;
            return t;
          }());
  opts.add_options()("c,config", "training config (.json)", cxxopts::value<std::string>())(
      "o,out", "run directory (default runs/<config name>)", cxxopts::value<std::string>())(
      "resume", "continue from <out>/checkpoint.bin")("total-samples", "override total_samples",
                                                      cxxopts::value<long long>())(
      "max-minutes",
      "stop after the iteration that passes this many minutes (checkpoint kept; continue with "
      "--resume)",
      cxxopts::value<double>())("threads", "override threads", cxxopts::value<int>())(
      "seed", "override seed", cxxopts::value<unsigned long long>())(
      "no-eval", "skip the final evaluation")("q,quiet", "no progress lines")("h,help",
                                                                              "show this help");
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("config")) {
    std::cerr << "sinew train: missing --config CFG.json\n" << opts.help() << std::endl;
    return 2;
  }
  const std::string cfg_path = r["config"].as<std::string>();
  rl::TrainConfig cfg = rl::load_train_config(cfg_path);
  if (r.count("total-samples")) cfg.total_samples = r["total-samples"].as<long long>();
  if (r.count("threads")) cfg.threads = r["threads"].as<int>();
  if (r.count("seed")) cfg.seed = r["seed"].as<unsigned long long>();
  const std::string out = r.count("out") ? r["out"].as<std::string>() : default_out(cfg_path);
  std::filesystem::create_directories(out);
  const std::string ckpt = out + "/checkpoint.bin";
  const bool quiet = r.count("quiet") > 0;
  if (cfg.algo == "qflex") {  // the off-policy Qflex learner (docs/qflex.md)
    if (r.count("max-minutes"))
      throw std::invalid_argument("--max-minutes is not supported for algo 'qflex' yet");
    auto qt = rl::qflex::run_training(cfg, out, r.count("resume") > 0, quiet);
    if (r.count("no-eval") || cfg.eval_episodes == 0) return 0;
    EvalOptions opt;
    opt.policy = qt->deterministic_policy();
    EvalOutcome ev = run_eval(cfg, nullptr, cfg.eval_episodes, cfg.seed + 1000003, opt);
    print_eval(ev, stdout);
    write_eval_json(ev, out + "/eval.json");
    return 0;
  }

  rl::PpoTrainer tr(cfg);
  long long keep = -1;
  if (r.count("resume")) {
    if (!std::filesystem::exists(ckpt))
      throw std::runtime_error(ckpt + ": no checkpoint to resume from");
    tr.load_checkpoint(ckpt);
    keep = tr.iteration();
    std::fprintf(stderr, "[train] resumed %s at iteration %lld, %lld samples\n", ckpt.c_str(),
                 tr.iteration(), tr.samples());
  }
  {
    std::ofstream f(out + "/config.json");
    f << rl::to_json(cfg).dump(2) << '\n';
  }
  rl::TrainLog log(out, keep);
  const rl::EnvSpec& spec = tr.env().spec();
  std::fprintf(stderr,
               "[train] task %s: %d worlds, obs %d, actions %d, %.3g s per action, episodes of "
               "%d actions; %lld samples per iteration; run directory %s\n",
               spec.name.c_str(), cfg.num_envs, spec.obs_dim, spec.act_dim, spec.control_dt,
               spec.max_episode_steps, tr.samples_per_iteration(), out.c_str());
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const long long samples0 = tr.samples();
  const double budget = r.count("max-minutes") ? 60.0 * r["max-minutes"].as<double>() : -1.0;
  if (r.count("max-minutes") && !(budget > 0))
    throw std::invalid_argument("--max-minutes must be positive");
  double t_sim = 0, t_infer = 0, t_update = 0;
  bool out_of_time = false;
  while (!tr.done() && !out_of_time) {
    const rl::IterationStats st = tr.iterate();
    t_sim += st.t_sim;
    t_infer += st.t_infer;
    t_update += st.t_update;
    const double wall = std::chrono::duration<double>(clock::now() - t0).count();
    const double sps = double(tr.samples() - samples0) / std::max(wall, 1e-9);
    log.append(rl::log_row(st, wall, sps));
    out_of_time = budget > 0 && wall >= budget;
    if (!quiet) print_progress(tr, st, wall, sps, budget > 0 ? std::max(budget - wall, 0.0) : -1);
    if (tr.iteration() % cfg.checkpoint_every == 0 || tr.done() || out_of_time)
      tr.save_checkpoint(ckpt);
  }
  if (out_of_time && !tr.done())
    std::fprintf(stderr,
                 "[train] --max-minutes reached at %lld of %lld samples; continue with the same "
                 "command and --resume\n",
                 tr.samples(), cfg.total_samples);
  const double wall = std::chrono::duration<double>(clock::now() - t0).count();
  const double total = std::max(t_sim + t_infer + t_update, 1e-9);
  std::fprintf(stderr,
               "[train] done: %lld samples in %s (%s samples/s); time in simulation %.0f%%, "
               "policy/value inference %.0f%%, PPO update %.0f%%; checkpoint %s\n",
               tr.samples(), format_duration(wall).c_str(),
               format_count(double(tr.samples() - samples0) / std::max(wall, 1e-9)).c_str(),
               100 * t_sim / total, 100 * t_infer / total, 100 * t_update / total, ckpt.c_str());
  if (r.count("no-eval") || cfg.eval_episodes == 0) return 0;
  // a learned reward (the tracking task's discriminator) is evaluated in its trained state
  std::string reward_state;
  if (rl::RewardModel* rm = rl::find_reward_model(tr.env())) {
    std::ostringstream os;
    rm->save(os);
    reward_state = os.str();
  }
  EvalOptions opt;
  opt.reward_model_state = reward_state;
  opt.flow_state = tr.flow_state();
  const EvalOutcome ev = run_eval(cfg, &tr.agent(), cfg.eval_episodes, cfg.seed + 1000003, opt);
  print_eval(ev, stdout);
  write_eval_json(ev, out + "/eval.json");
  return 0;
}

}  // namespace sinew::cli
