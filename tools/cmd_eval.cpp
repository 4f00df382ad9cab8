// SPDX-License-Identifier: Apache-2.0
// `sinew eval CHECKPOINT`: evaluates a trained policy deterministically (the Gaussian's mean),
// one episode per evaluation world; `--baseline` adds the zero-excitation baseline;
// `sinew eval --config CFG.json --baseline` evaluates the baseline alone. Qflex checkpoints
// (algo "qflex") are recognised by their magic and evaluated with the learner's policy.
#include <cstdio>
#include <cxxopts.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "rl/ppo/ppo_trainer.h"
#include "rl/qflex/qflex_run.h"
#include "tools/cli.h"
#include "tools/eval_report.h"

namespace sinew::cli {

namespace {

// --param KEY=VALUE (repeatable) into env_params (VALUE parsed as JSON, else taken as a string);
// false after printing the error when one is malformed.
bool apply_params(const cxxopts::ParseResult& r, nlohmann::json& env_params) {
  if (!r.count("param")) return true;
  for (const std::string& kv : r["param"].as<std::vector<std::string>>()) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "sinew eval: --param expects KEY=VALUE, got '" << kv << "'\n";
      return false;
    }
    const std::string key = kv.substr(0, eq), val = kv.substr(eq + 1);
    env_params[key] =
        nlohmann::json::accept(val) ? nlohmann::json::parse(val) : nlohmann::json(val);
  }
  return true;
}

// A Qflex checkpoint (algo "qflex"): the learner's deterministic policy (tanh of the source mean
// moved by the flow; the Polyak-averaged copies where the run kept them, unless --live), on the
// same evaluation worlds as a PPO checkpoint of the same config; --stochastic samples the source.
int eval_qflex(const cxxopts::ParseResult& r) {
  const std::string path = r["checkpoint"].as<std::string>();
  if (r.count("clipped-mean"))
    throw std::invalid_argument(
        "--clipped-mean is a PPO option (Gaussian policy); a Qflex "
        "checkpoint takes --stochastic or --live");
  rl::TrainConfig base;
  rl::qflex::QflexConfig qc;
  rl::qflex::read_qflex_checkpoint_config(path, base, qc);
  if (!apply_params(r, base.env_params)) return 2;
  if (r.count("threads")) base.threads = r["threads"].as<int>();
  const int episodes = r.count("episodes") ? r["episodes"].as<int>() : base.eval_episodes;
  const std::uint64_t seed =
      r.count("seed") ? r["seed"].as<unsigned long long>() : base.seed + 1000003;
  qc.buffer_size = 1;  // evaluation neither fills nor reads the replay buffer
  rl::qflex::QflexTrainer tr(base, qc);
  tr.load_checkpoint(path, false);
  EvalOptions opt;
  opt.baseline = r.count("baseline") > 0;
  const bool live = r.count("live") > 0;
  if (live && !tr.has_averaged_policy())
    std::fprintf(stderr,
                 "sinew eval: note: %s kept no averaged copies (policy_avg_tau 0): "
                 "--live changes nothing\n",
                 path.c_str());
  opt.policy = r.count("stochastic") ? tr.stochastic_policy(episodes, seed, live)
                                     : tr.deterministic_policy(live);
  opt.random_start = r.count("random-start") > 0;
  if (r.count("trajectory")) opt.trajectory_path = r["trajectory"].as<std::string>();
  const EvalOutcome ev = run_eval(base, nullptr, episodes, seed, opt);
  print_eval(ev, stdout);
  if (r.count("csv")) write_eval_csv(ev, r["csv"].as<std::string>());
  if (r.count("json")) write_eval_json(ev, r["json"].as<std::string>());
  if (r.count("metrics-csv")) write_tracking_csv(ev, r["metrics-csv"].as<std::string>());
  return 0;
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  cxxopts::Options opts("sinew eval",
                        "Evaluate a checkpoint's deterministic policy (and/or the zero-excitation "
                        "baseline) on its task.");
  opts.add_options()("checkpoint", "checkpoint file written by sinew train",
                     cxxopts::value<std::string>())(
      "c,config", "training config (for --baseline without a checkpoint)",
      cxxopts::value<std::string>())("n,episodes", "evaluation episodes (default: the config's)",
                                     cxxopts::value<int>())(
      "seed", "evaluation seed (default: training seed + 1000003)",
      cxxopts::value<unsigned long long>())("baseline", "also evaluate zero excitation")(
      "threads", "worker threads (default: the config's)", cxxopts::value<int>())(
      "csv", "write per-episode results to this CSV file", cxxopts::value<std::string>())(
      "json", "write the summary as JSON to this file", cxxopts::value<std::string>())(
      "metrics-csv", "task track: write the per-clip tracking metrics to this CSV file",
      cxxopts::value<std::string>())(
      "param",
      "override a task parameter of the config's env.params, KEY=VALUE (VALUE parsed as JSON, "
      "else taken as a string); repeatable, e.g. --param root_speed=0",
      cxxopts::value<std::vector<std::string>>())(
      "trajectory",
      "record evaluation world 0 of the policy (qpos, activations, reference) as a Sinew clip "
      ".json for sinew export (without a checkpoint: of the --baseline zero action)",
      cxxopts::value<std::string>())(
      "clipped-mean",
      "act with the mean of the clipped Gaussian E[clip(a)] (what the stochastic policy executes "
      "on average) instead of clip(mean)")(
      "stochastic",
      "act with actions sampled from the policy's Gaussian, as in training (a diagnostic: the "
      "issue's metrics use the deterministic policy)")(
      "live",
      "Qflex checkpoint of a run with policy_avg_tau > 0: act with the live networks instead of "
      "their Polyak-averaged copies (deterministic or --stochastic)")(
      "random-start",
      "task track: start each episode at a phase uniform over the clip's first cycle instead "
      "of phase 0")("h,help", "show this help");
  opts.parse_positional({"checkpoint"});
  opts.positional_help("CHECKPOINT");
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  rl::TrainConfig cfg;
  std::optional<rl::Checkpoint> ck;
  if (r.count("checkpoint") && rl::qflex::is_qflex_checkpoint(r["checkpoint"].as<std::string>()))
    return eval_qflex(r);
  if (r.count("live")) {
    std::cerr << "sinew eval: --live applies to Qflex checkpoints only\n";
    return 2;
  }
  if (r.count("checkpoint")) {
    ck = rl::read_checkpoint(r["checkpoint"].as<std::string>());
    cfg = ck->config;
  } else if (r.count("config")) {
    cfg = rl::load_train_config(r["config"].as<std::string>());
  } else {
    std::cerr << "sinew eval: give a CHECKPOINT, or --config CFG.json with --baseline\n"
              << opts.help() << std::endl;
    return 2;
  }
  const bool baseline = r.count("baseline") > 0;
  if (!ck && !baseline) {
    std::cerr << "sinew eval: without a checkpoint only --baseline can be evaluated\n";
    return 2;
  }
  if (!apply_params(r, cfg.env_params)) return 2;
  if (r.count("threads")) cfg.threads = r["threads"].as<int>();
  const int episodes = r.count("episodes") ? r["episodes"].as<int>() : cfg.eval_episodes;
  const std::uint64_t seed =
      r.count("seed") ? r["seed"].as<unsigned long long>() : cfg.seed + 1000003;
  EvalOptions opt;
  opt.baseline = baseline;
  if (ck) opt.reward_model_state = ck->reward_model_state;
  if (ck) opt.flow_state = ck->flow_state;
  if (r.count("trajectory")) opt.trajectory_path = r["trajectory"].as<std::string>();
  opt.clipped_mean = r.count("clipped-mean") > 0;
  opt.stochastic = r.count("stochastic") > 0;
  opt.random_start = r.count("random-start") > 0;
  if (opt.stochastic && opt.clipped_mean) {
    std::cerr << "sinew eval: --stochastic and --clipped-mean exclude each other\n";
    return 2;
  }
  const EvalOutcome ev = run_eval(cfg, ck ? &ck->agent : nullptr, episodes, seed, opt);
  print_eval(ev, stdout);
  if (r.count("csv")) write_eval_csv(ev, r["csv"].as<std::string>());
  if (r.count("json")) write_eval_json(ev, r["json"].as<std::string>());
  if (r.count("metrics-csv")) write_tracking_csv(ev, r["metrics-csv"].as<std::string>());
  return 0;
}

}  // namespace sinew::cli
