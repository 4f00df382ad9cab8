// SPDX-License-Identifier: Apache-2.0
#include "rl/qflex/qflex_config.h"

#include <stdexcept>

#include "rl/config_reader.h"
#include "rl/nn/mlp.h"

namespace sinew::rl::qflex {

namespace {

std::vector<int> widths(ConfigReader& r, const std::string& key, const std::vector<int>& def) {
  std::vector<int> w = r.get(key, def);
  for (int h : w)
    if (h < 1) throw std::invalid_argument(r.where() + "/" + key + ": widths must be >= 1");
  return w;
}

}  // namespace

QflexConfig parse_qflex_config(const nlohmann::json& j, const std::string& where) {
  ConfigReader r(j, where);
  QflexConfig c;
  c.critic_hidden = widths(r, "critic_hidden", c.critic_hidden);
  c.policy_hidden = widths(r, "policy_hidden", c.policy_hidden);
  c.velocity_hidden = widths(r, "velocity_hidden", c.velocity_hidden);
  c.activation = r.get("activation", c.activation);
  nn::parse_activation(c.activation);  // validates the name
  c.critic_batch_renorm = r.get("critic_batch_renorm", c.critic_batch_renorm);
  c.actor_batch_renorm = r.get("actor_batch_renorm", c.actor_batch_renorm);
  c.brn.momentum = r.get("brn_momentum", c.brn.momentum, 0.f, 1.f);
  c.brn.r_max = r.get("brn_r_max", c.brn.r_max, 1.f, 1e6f);
  c.brn.d_max = r.get("brn_d_max", c.brn.d_max, 0.f, 1e6f);
  c.brn.warmup_steps = r.get("brn_warmup_updates", c.brn.warmup_steps, 0L, 1L << 50);
  c.brn.eps = r.get("brn_eps", c.brn.eps, 1e-12f, 1.f);
  c.lr = r.get("lr", c.lr, 0.f, 1.f);
  c.beta1 = r.get("beta1", c.beta1, 0.f, 0.999999f);
  c.beta2 = r.get("beta2", c.beta2, 0.f, 0.999999f);
  c.gamma = r.get("gamma", c.gamma, 0.f, 1.f);
  c.batch_size = r.get("batch_size", c.batch_size, 2, 1 << 20);
  c.buffer_size = r.get("buffer_size", c.buffer_size, 1LL, 1LL << 34);
  c.warmup_samples = r.get("warmup_samples", c.warmup_samples, 0LL, 1LL << 50);
  c.updates_per_step = r.get("updates_per_step", c.updates_per_step, 0.f, 1e4f);
  c.policy_delay = r.get("policy_delay", c.policy_delay, 1, 1 << 20);
  c.flow = r.get("flow", c.flow);
  c.ascent_steps = r.get("ascent_steps", c.ascent_steps, 0, 1 << 16);
  c.ascent_eta = r.get("ascent_eta", c.ascent_eta, 0.f, 1e6f);
  c.flow_steps = r.get("flow_steps", c.flow_steps, 1, 1 << 16);
  c.velocity_clip = r.get("velocity_clip", c.velocity_clip, 0.f, 1e9f);
  c.min_log_std = r.get("min_log_std", c.min_log_std, -20.f, 5.f);
  c.max_log_std = r.get("max_log_std", c.max_log_std, -20.f, 5.f);
  if (c.min_log_std > c.max_log_std)
    throw std::invalid_argument(where + ": min_log_std > max_log_std");
  c.entropy_coef = r.get("entropy_coef", c.entropy_coef, 0.f, 1e6f);
  c.auto_entropy = r.get("auto_entropy", c.auto_entropy);
  if (c.auto_entropy && !(c.entropy_coef > 0))
    throw std::invalid_argument(where + "/entropy_coef: auto_entropy needs a start value > 0");
  c.target_entropy_per_dim =
      r.get("target_entropy_per_dim", c.target_entropy_per_dim, -100.f, 100.f);
  c.target_tau = r.get("target_tau", c.target_tau, 0.f, 1.f);
  c.policy_avg_tau = r.get("policy_avg_tau", c.policy_avg_tau, 0.f, 1.f);
  c.iteration_samples = r.get("iteration_samples", c.iteration_samples, 1LL, 1LL << 50);
  c.checkpoint_replay = r.get("checkpoint_replay", c.checkpoint_replay);
  r.finish();
  return c;
}

nlohmann::json to_json(const QflexConfig& c) {
  return {{"critic_hidden", c.critic_hidden},
          {"policy_hidden", c.policy_hidden},
          {"velocity_hidden", c.velocity_hidden},
          {"activation", c.activation},
          {"critic_batch_renorm", c.critic_batch_renorm},
          {"actor_batch_renorm", c.actor_batch_renorm},
          {"brn_momentum", c.brn.momentum},
          {"brn_r_max", c.brn.r_max},
          {"brn_d_max", c.brn.d_max},
          {"brn_warmup_updates", c.brn.warmup_steps},
          {"brn_eps", c.brn.eps},
          {"lr", c.lr},
          {"beta1", c.beta1},
          {"beta2", c.beta2},
          {"gamma", c.gamma},
          {"batch_size", c.batch_size},
          {"buffer_size", c.buffer_size},
          {"warmup_samples", c.warmup_samples},
          {"updates_per_step", c.updates_per_step},
          {"policy_delay", c.policy_delay},
          {"flow", c.flow},
          {"ascent_steps", c.ascent_steps},
          {"ascent_eta", c.ascent_eta},
          {"flow_steps", c.flow_steps},
          {"velocity_clip", c.velocity_clip},
          {"min_log_std", c.min_log_std},
          {"max_log_std", c.max_log_std},
          {"entropy_coef", c.entropy_coef},
          {"auto_entropy", c.auto_entropy},
          {"target_entropy_per_dim", c.target_entropy_per_dim},
          {"target_tau", c.target_tau},
          {"policy_avg_tau", c.policy_avg_tau},
          {"iteration_samples", c.iteration_samples},
          {"checkpoint_replay", c.checkpoint_replay}};
}

BrnMlpConfig net_config(const QflexConfig& c, const std::vector<int>& hidden, bool batch_renorm) {
  BrnMlpConfig n;
  n.hidden = hidden;
  n.activation = nn::parse_activation(c.activation);
  n.batch_renorm = batch_renorm;
  n.brn = c.brn;
  return n;
}

}  // namespace sinew::rl::qflex
