// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/qflex_run.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "rl/ppo/train_log.h"

namespace sinew::rl::qflex {

nlohmann::ordered_json log_row(const QflexStats& st, double wall_s, double samples_per_s) {
  nlohmann::ordered_json r = {{"iteration", st.iteration},      {"samples", st.samples},
                              {"updates", st.updates},          {"wall_s", wall_s},
                              {"samples_per_s", samples_per_s}, {"episodes", st.episodes}};
  using Field = double QflexStats::*;
  static const std::pair<const char*, Field> kColumns[] = {
      {"return_mean", &QflexStats::return_mean},
      {"length_mean", &QflexStats::length_mean},
      {"score_mean", &QflexStats::score_mean},
      {"success_rate", &QflexStats::success_rate},
      {"critic_loss", &QflexStats::critic_loss},
      {"q_mean", &QflexStats::q_mean},
      {"target_mean", &QflexStats::target_mean},
      {"policy_min_q", &QflexStats::policy_min_q},
      {"entropy", &QflexStats::entropy},
      {"alpha", &QflexStats::alpha},
      {"log_std_mean", &QflexStats::log_std_mean},
      {"flow_loss", &QflexStats::flow_loss},
      {"ascent_grad_norm", &QflexStats::ascent_grad_norm},
      {"ascent_truncated", &QflexStats::ascent_truncated},
      {"ascent_shift", &QflexStats::ascent_shift},
      {"t_sim", &QflexStats::t_sim},
      {"t_act", &QflexStats::t_act},
      {"t_update", &QflexStats::t_update}};
  for (const auto& [name, field] : kColumns) r[name] = st.*field;
  r["flagged"] = st.flagged;
  return r;
}

std::unique_ptr<QflexTrainer> run_training(TrainConfig cfg, const std::string& out, bool resume,
                                           bool quiet) {
  const QflexConfig qcfg = parse_qflex_config(cfg.qflex, "qflex");
  cfg.qflex = to_json(qcfg);  // config.json and checkpoints carry every default
  auto tr = std::make_unique<QflexTrainer>(cfg, qcfg);
  const std::string ckpt = out + "/checkpoint.bin";
  long long keep = -1;
  if (resume) {
    if (!std::filesystem::exists(ckpt))
      throw std::runtime_error(ckpt + ": no checkpoint to resume from");
    tr->load_checkpoint(ckpt);
    keep = tr->iteration();
    std::fprintf(stderr, "[train] resumed %s at iteration %lld, %lld samples\n", ckpt.c_str(),
                 tr->iteration(), tr->samples());
  }
  {
    std::ofstream f(out + "/config.json");
    f << to_json(cfg).dump(2) << '\n';
  }
  TrainLog log(out, keep);
  const EnvSpec& spec = tr->env().spec();
  std::fprintf(stderr,
               "[train] qflex on %s: %d worlds, obs %d, actions %d; %g updates per env step, "
               "%lld random warm-up samples; run directory %s\n",
               spec.name.c_str(), cfg.num_envs, spec.obs_dim, spec.act_dim, qcfg.updates_per_step,
               qcfg.warmup_samples, out.c_str());
  const auto t0 = std::chrono::steady_clock::now();
  const long long samples0 = tr->samples();
  double t_sim = 0, t_act = 0, t_update = 0, wall = 0;
  while (!tr->done()) {
    const QflexStats st = tr->iterate();
    t_sim += st.t_sim;
    t_act += st.t_act;
    t_update += st.t_update;
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double sps = double(tr->samples() - samples0) / std::max(wall, 1e-9);
    log.append(log_row(st, wall, sps));
    if (!quiet)
      std::fprintf(stderr,
                   "[train] it %lld  samples %lld/%lld  updates %lld  return %.4g  %s %.4g  "
                   "success %.2f  critic %.3g  flow %.3g  %.0f samples/s  elapsed %.0f s  ETA "
                   "%.0f s\n",
                   st.iteration, st.samples, cfg.total_samples, st.updates, st.return_mean,
                   spec.score_name.c_str(), st.score_mean, st.success_rate, st.critic_loss,
                   st.flow_loss, sps, wall, double(cfg.total_samples - st.samples) / sps);
    if (tr->iteration() % cfg.checkpoint_every == 0 || tr->done()) tr->save_checkpoint(ckpt);
  }
  const double total = std::max(t_sim + t_act + t_update, 1e-9);
  std::fprintf(stderr,
               "[train] done: %lld samples, %lld updates in %.0f s; time in simulation %.0f%%, "
               "acting %.0f%%, updates %.0f%%; checkpoint %s\n",
               tr->samples(), tr->state().updates, wall, 100 * t_sim / total, 100 * t_act / total,
               100 * t_update / total, ckpt.c_str());
  return tr;
}

}  // namespace sinew::rl::qflex
