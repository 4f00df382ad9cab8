// SPDX-License-Identifier: Apache-2.0
#include "tools/eval_report.h"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "rl/env/env.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/track/track_env.h"
#include "rl/viewer/trajectory.h"

namespace sinew::cli {

EvalOutcome run_eval(const rl::TrainConfig& cfg, rl::Agent* agent, int episodes, std::uint64_t seed,
                     const EvalOptions& opt) {
  if (episodes < 1) throw std::invalid_argument("evaluation needs at least one episode");
  EvalOutcome ev;
  ev.task = cfg.task;
  ev.random_start = opt.random_start;
  ev.stochastic = opt.stochastic;
  ev.episodes = episodes;
  ev.seed = seed;
  cpu::ThreadPool pool(cfg.threads);
  auto run = [&](const rl::PolicyFn& fn,
                 std::optional<std::vector<track::EpisodeMetrics>>* tracking,
                 const std::string& record) {
    std::unique_ptr<rl::Env> env = rl::make_env(cfg.task, cfg.env_params, episodes, seed);
    env->set_pool(&pool);
    ev.score_name = env->spec().score_name;
    ev.lower_is_better = env->spec().score_lower_is_better;
    // tracking task: deterministic starts at phase 0, the trained reward model
    auto* te = dynamic_cast<track::TrackEnv*>(env.get());
    if (te) te->set_eval_mode(true, opt.random_start);
    if (rl::RewardModel* rm = rl::find_reward_model(*env); rm && !opt.reward_model_state.empty()) {
      std::istringstream is(opt.reward_model_state);
      rm->load(is, "checkpoint (reward model)");
    }
    std::optional<viewer::TrajectoryRecorder> rec;
    if (!record.empty()) {
      const auto* pe = dynamic_cast<const rl::PhysicsEnv*>(env.get());
      if (!pe)
        throw std::invalid_argument("--trajectory: task '" + cfg.task +
                                    "' does not run on a model (nothing to record)");
      rec.emplace(*pe, 0);
    }
    rl::EvalSummary s = rl::evaluate(*env, fn, rec ? rl::StepHook(std::ref(*rec)) : rl::StepHook());
    if (rec) {
      viewer::write_trajectory(rec->trajectory(), record);
    }
    if (te) {
      tracking->emplace();
      for (int w = 0; w < episodes; ++w) (*tracking)->push_back(te->episode_metrics(w));
      ev.clip = cfg.env_params.value("clip", std::string("models/motions/msgym/walking_gait.npz"));
    }
    return s;
  };
  // the task's action bounds, for the flow and for --clipped-mean (one probe world)
  std::vector<float> lo, hi;
  const bool with_flow = agent && !opt.flow_state.empty();
  if (with_flow || opt.clipped_mean) {
    std::unique_ptr<rl::Env> probe = rl::make_env(cfg.task, cfg.env_params, 1, seed);
    lo = probe->spec().act_low;
    hi = probe->spec().act_high;
  }
  std::optional<rl::FlowExplorer> flow;
  if (with_flow) {
    if (!cfg.ppo.flow.enabled)
      throw std::invalid_argument("checkpoint has a flow section but its config has no ppo.flow");
    std::istringstream fs(opt.flow_state);
    flow = rl::FlowExplorer::load(fs, "checkpoint (flow exploration)", cfg.ppo.flow, lo, hi,
                                  cfg.ppo.gamma);
  }
  if (agent)
    ev.policy =
        run(opt.stochastic ? rl::stochastic_policy(*agent, episodes, seed, flow ? &*flow : nullptr)
                           : rl::deterministic_policy(*agent, flow ? &*flow : nullptr,
                                                      opt.clipped_mean ? &lo : nullptr,
                                                      opt.clipped_mean ? &hi : nullptr),
            &ev.policy_track, opt.trajectory_path);
  else if (opt.policy)
    ev.policy = run(opt.policy, &ev.policy_track, opt.trajectory_path);
  if (opt.baseline) {
    std::unique_ptr<rl::Env> probe = rl::make_env(cfg.task, cfg.env_params, 1, seed);
    // without a policy, --trajectory records the zero action (e.g. a fixed controller alone)
    ev.baseline = run(rl::constant_policy(probe->spec().act_dim, 0.f), &ev.baseline_track,
                      agent || opt.policy ? std::string() : opt.trajectory_path);
    ev.baseline_name = probe->spec().zero_action_name;
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

// Means over the episodes of the per-episode means (each episode weighs the same).
struct TrackMeans {
  track::FrameErrors e;
  double fraction = 0;
};
TrackMeans track_means(const std::vector<track::EpisodeMetrics>& eps) {
  TrackMeans m;
  const double k = eps.empty() ? 0.0 : 1.0 / double(eps.size());
  for (const track::EpisodeMetrics& x : eps) {
    const track::FrameErrors e = x.mean();
    m.e.joint_deg += k * e.joint_deg;
    m.e.body_mm += k * e.body_mm;
    m.e.body_rel_mm += k * e.body_rel_mm;
    m.e.root_mm += k * e.root_mm;
    m.e.root_deg += k * e.root_deg;
    m.fraction += k * x.fraction_tracked();
  }
  return m;
}

void print_track(const char* who, const EvalOutcome& ev,
                 const std::vector<track::EpisodeMetrics>& eps, std::FILE* out) {
  const TrackMeans m = track_means(eps);
  std::fprintf(out,
               "%-9s tracking %s (%s): joint angle %.3f deg, body position %.1f mm "
               "(root-relative %.1f mm), root position %.1f mm, root orientation %.3f deg, "
               "clip tracked %.1f%%\n",
               who, ev.clip.c_str(), ev.random_start ? "random start phases" : "from phase 0",
               m.e.joint_deg, m.e.body_mm, m.e.body_rel_mm, m.e.root_mm, m.e.root_deg,
               100 * m.fraction);
}

nlohmann::json track_json(const std::vector<track::EpisodeMetrics>& eps) {
  const TrackMeans m = track_means(eps);
  return {{"joint_deg", m.e.joint_deg},     {"body_mm", m.e.body_mm},
          {"body_rel_mm", m.e.body_rel_mm}, {"root_mm", m.e.root_mm},
          {"root_deg", m.e.root_deg},       {"fraction_tracked", m.fraction}};
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
  std::fprintf(out, "evaluation of task %s: %d episodes (evaluation seed %llu), %s policy, %s\n",
               ev.task.c_str(), ev.episodes, static_cast<unsigned long long>(ev.seed),
               ev.stochastic ? "stochastic (sampled actions)" : "deterministic",
               ev.lower_is_better ? "lower score is better" : "higher score is better");
  if (ev.policy) print_one("policy", ev, *ev.policy, out);
  if (ev.baseline) print_one(ev.baseline_name.c_str(), ev, *ev.baseline, out);
  if (ev.policy_track) print_track("policy", ev, *ev.policy_track, out);
  if (ev.baseline_track) print_track(ev.baseline_name.c_str(), ev, *ev.baseline_track, out);
}

void write_eval_json(const EvalOutcome& ev, const std::string& path) {
  nlohmann::json j = {{"task", ev.task},
                      {"score_name", ev.score_name},
                      {"lower_is_better", ev.lower_is_better},
                      {"episodes", ev.episodes},
                      {"seed", ev.seed}};
  if (ev.policy) j["policy"] = summary_json(*ev.policy);
  if (ev.baseline) {
    j["zero_excitation_baseline"] = summary_json(*ev.baseline);
    j["zero_excitation_baseline"]["name"] = ev.baseline_name;  // "feed-fwd": zero action = a*
  }
  if (ev.policy_track) j["policy"]["tracking"] = track_json(*ev.policy_track);
  if (ev.baseline_track) j["zero_excitation_baseline"]["tracking"] = track_json(*ev.baseline_track);
  if (!ev.clip.empty()) j["clip"] = ev.clip;
  if (!ev.clip.empty()) j["start"] = ev.random_start ? "random phase" : "phase 0";
  j["policy_actions"] = ev.stochastic ? "sampled" : "deterministic";
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

void write_tracking_csv(const EvalOutcome& ev, const std::string& path) {
  if (!ev.policy_track && !ev.baseline_track)
    throw std::invalid_argument(path + ": tracking metrics exist only for task 'track'");
  std::ofstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot write the tracking metrics");
  f << "who,clip,episodes,joint_deg,body_mm,body_rel_mm,root_mm,root_deg,fraction_tracked\n";
  auto row = [&](const char* who, const std::vector<track::EpisodeMetrics>& eps) {
    const TrackMeans m = track_means(eps);
    f << who << ',' << ev.clip << ',' << eps.size() << ',' << m.e.joint_deg << ',' << m.e.body_mm
      << ',' << m.e.body_rel_mm << ',' << m.e.root_mm << ',' << m.e.root_deg << ',' << m.fraction
      << '\n';
  };
  if (ev.policy_track) row("policy", *ev.policy_track);
  if (ev.baseline_track) row("zero_excitation", *ev.baseline_track);
}

}  // namespace sinew::cli
