// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/agent.h"

#include <cmath>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "rl/ppo/binary_io.h"
#include "rl/ppo/ppo_loss.h"

namespace sinew::rl {

Agent::Agent(const AgentConfig& cfg, int obs_dim, int act_dim, std::uint64_t seed)
    : log_std(act_dim, cfg.init_log_std),
      log_std_grad(act_dim, 0.f),
      norm(obs_dim, cfg.obs_clip),
      obs_norm(cfg.obs_norm) {
  nn::MlpConfig p;
  p.in = obs_dim;
  p.hidden = cfg.policy_hidden;
  p.out = act_dim;
  p.activation = nn::parse_activation(cfg.activation);
  p.layer_norm = cfg.layer_norm;
  p.out_gain = cfg.policy_out_gain;
  policy = nn::Mlp(p, seed * 2 + 1);
  nn::MlpConfig v = p;
  v.hidden = cfg.value_hidden;
  v.out = 1;
  v.out_gain = 1.0f;
  value = nn::Mlp(v, seed * 2 + 2);
}

void Agent::normalize(const float* obs, int rows, bool update, nn::Matrix& out) {
  out.resize(rows, obs_dim());
  if (!obs_norm) {
    std::copy(obs, obs + static_cast<std::size_t>(rows) * obs_dim(), out.data());
    return;
  }
  if (update) norm.update(obs, rows);
  norm.normalize(obs, rows, out.data());
}

void Agent::mean_actions(const nn::Matrix& obs_n, nn::Matrix& mean) const {
  policy.forward(obs_n, mean);
}

void Agent::values(const nn::Matrix& obs_n, nn::Matrix& v) const { value.forward(obs_n, v); }

void Agent::sample(const nn::Matrix& mean, std::vector<Rng>& rngs, nn::Matrix& actions, float* logp,
                   const ActionBounds& bounds) const {
  const int rows = static_cast<int>(mean.rows()), A = act_dim();
  actions.resize(rows, A);
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < A; ++j)
      actions(r, j) = mean(r, j) + std::exp(log_std[j]) * static_cast<float>(rngs[r].normal());
    if (logp)
      logp[r] = static_cast<float>(
          bounds.lo ? clipped_log_prob(&mean(r, 0), log_std.data(), &actions(r, 0), bounds.lo,
                                       bounds.hi, A)
                    : gaussian_log_prob(&mean(r, 0), log_std.data(), &actions(r, 0), A));
  }
}

void Agent::save(std::ostream& os) const {
  write_magic(os, "SNWAGENT", 1);
  write_pod(os, static_cast<std::uint8_t>(obs_norm));
  policy.save(os);
  value.save(os);
  write_pod(os, static_cast<std::uint64_t>(log_std.size()));
  write_array(os, log_std.data(), log_std.size());
  norm.save(os);
}

Agent Agent::load(std::istream& is, const std::string& what) {
  read_magic(is, "SNWAGENT", 1, what);
  Agent a;
  a.obs_norm = read_pod<std::uint8_t>(is, what, "obs_norm flag") != 0;
  a.policy = nn::Mlp::load(is, what + " (policy)");
  a.value = nn::Mlp::load(is, what + " (value)");
  const auto n = read_pod<std::uint64_t>(is, what, "log_std size");
  if (n != static_cast<std::uint64_t>(a.policy.out()))
    throw std::runtime_error(what + ": log_std has " + std::to_string(n) +
                             " entries but the policy has " + std::to_string(a.policy.out()) +
                             " outputs");
  a.log_std.resize(n);
  a.log_std_grad.assign(n, 0.f);
  read_array(is, a.log_std.data(), n, what, "log_std");
  a.norm = RunningNorm::load(is, what + " (observation normalizer)");
  if (a.norm.dim() != a.policy.in())
    throw std::runtime_error(what + ": observation normalizer size does not match the policy");
  return a;
}

}  // namespace sinew::rl
