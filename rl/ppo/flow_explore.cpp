// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/flow_explore.h"

#include <algorithm>
#include <cmath>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "rl/config_reader.h"
#include "rl/ppo/agent.h"
#include "rl/ppo/binary_io.h"

namespace sinew::rl {

namespace {

qflex::BrnMlpConfig net(const std::vector<int>& hidden, bool batch_renorm, float out_gain = 1.f) {
  qflex::BrnMlpConfig n;
  n.hidden = hidden;
  n.activation = nn::Activation::kRelu;
  n.batch_renorm = batch_renorm;
  n.out_gain = out_gain;
  return n;
}

}  // namespace

FlowExploreConfig parse_flow_explore_config(const nlohmann::json& j, const std::string& where) {
  FlowExploreConfig c;
  ConfigReader r(j, where);
  c.enabled = r.get("enabled", c.enabled);
  c.critic_hidden = r.get("critic_hidden", c.critic_hidden);
  c.velocity_hidden = r.get("velocity_hidden", c.velocity_hidden);
  c.critic_batch_renorm = r.get("critic_batch_renorm", c.critic_batch_renorm);
  c.ascent_steps = r.get("ascent_steps", c.ascent_steps, 0, 10000);
  c.ascent_eta = r.get("ascent_eta", c.ascent_eta, 0.f, 1e3f);
  c.flow_steps = r.get("flow_steps", c.flow_steps, 1, 10000);
  c.velocity_clip = r.get("velocity_clip", c.velocity_clip, 0.f, 1e6f);
  c.batch_size = r.get("batch_size", c.batch_size, 1, 1 << 20);
  c.updates = r.get("updates", c.updates, 0, 1 << 20);
  c.buffer_size = r.get("buffer_size", c.buffer_size, 1LL, 1LL << 40);
  c.checkpoint_replay = r.get("checkpoint_replay", c.checkpoint_replay);
  c.lr = r.get("lr", c.lr, 0.f, 1.f);
  c.beta1 = r.get("beta1", c.beta1, 0.f, 0.999999f);
  for (int h : c.critic_hidden)
    if (h < 1) throw std::invalid_argument(where + "/critic_hidden: widths must be >= 1");
  for (int h : c.velocity_hidden)
    if (h < 1) throw std::invalid_argument(where + "/velocity_hidden: widths must be >= 1");
  r.finish();
  return c;
}

nlohmann::json to_json(const FlowExploreConfig& c) {
  return {{"enabled", c.enabled},
          {"critic_hidden", c.critic_hidden},
          {"velocity_hidden", c.velocity_hidden},
          {"critic_batch_renorm", c.critic_batch_renorm},
          {"ascent_steps", c.ascent_steps},
          {"ascent_eta", c.ascent_eta},
          {"flow_steps", c.flow_steps},
          {"velocity_clip", c.velocity_clip},
          {"batch_size", c.batch_size},
          {"updates", c.updates},
          {"buffer_size", c.buffer_size},
          {"checkpoint_replay", c.checkpoint_replay},
          {"lr", c.lr},
          {"beta1", c.beta1}};
}

FlowExplorer::FlowExplorer(int obs_dim, int act_dim, std::vector<float> lo, std::vector<float> hi,
                           const FlowExploreConfig& cfg, float gamma, std::uint64_t seed)
    : critic(obs_dim, act_dim, net(cfg.critic_hidden, cfg.critic_batch_renorm), seed * 5 + 3),
      // the velocity field starts near zero (output gain 0.01): until it has learned from the
      // critic, the executed action is about PPO's own sample
      velocity(obs_dim, act_dim, net(cfg.velocity_hidden, false, 0.01f), seed * 5 + 4),
      cfg_(cfg),
      obs_dim_(obs_dim),
      act_dim_(act_dim),
      gamma_(gamma),
      lo_(std::move(lo)),
      hi_(std::move(hi)),
      replay_(static_cast<long>(cfg.buffer_size), obs_dim, act_dim) {
  if (static_cast<int>(lo_.size()) != act_dim || static_cast<int>(hi_.size()) != act_dim)
    throw std::invalid_argument("flow exploration: action bounds do not match the action size");
  for (int j = 0; j < act_dim; ++j)
    if (!(hi_[j] > lo_[j]))
      throw std::invalid_argument("flow exploration needs bounded actions (hi > lo)");
  nn::AdamConfig ac;
  ac.beta1 = cfg.beta1;
  opt_q1_ = nn::Adam(critic.q[0].num_params(), ac);
  opt_q2_ = nn::Adam(critic.q[1].num_params(), ac);
  opt_v_ = nn::Adam(velocity.net.num_params(), ac);
}

void FlowExplorer::to_unit(const Eigen::Ref<const nn::Matrix>& a, nn::Matrix& n) const {
  n.resize(a.rows(), a.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (int j = 0; j < act_dim_; ++j) n(i, j) = 2.f * (a(i, j) - lo_[j]) / (hi_[j] - lo_[j]) - 1.f;
}

void FlowExplorer::from_unit(const nn::Matrix& n, nn::Matrix& a) const {
  a.resize(n.rows(), n.cols());
  for (Eigen::Index i = 0; i < n.rows(); ++i)
    for (int j = 0; j < act_dim_; ++j) {
      const float u = std::clamp(n(i, j), -1.f, 1.f);  // NaN-free: clamp of a finite value
      a(i, j) = lo_[j] + 0.5f * (u + 1.f) * (hi_[j] - lo_[j]);
    }
}

void FlowExplorer::transport(const nn::Matrix& x, const nn::Matrix& a, nn::Matrix& executed) {
  to_unit(a, n0_);
  velocity.integrate(x, n0_, cfg_.flow_steps, cfg_.velocity_clip, n1_);
  from_unit(n1_, executed);
}

void FlowExplorer::add(int n, const float* x, const float* executed, const float* reward,
                       const float* x_next, const std::uint8_t* terminated) {
  // the critic works on box coordinates in [-1, 1]
  to_unit(Eigen::Map<const nn::Matrix>(executed, n, act_dim_), unit_);
  replay_.add(n, x, unit_.data(), reward, x_next, terminated);
}

void FlowExplorer::policy_sample(const Agent& agent, const nn::Matrix& x, Rng& rng,
                                 nn::Matrix& n) const {
  nn::Matrix mean;
  agent.mean_actions(x, mean);
  for (Eigen::Index i = 0; i < mean.rows(); ++i)
    for (int j = 0; j < act_dim_; ++j)
      mean(i, j) += std::exp(agent.log_std[j]) * static_cast<float>(rng.normal());
  to_unit(mean, n);
}

FlowExploreStats FlowExplorer::update(const Agent& agent, int rollout, Rng& rng) {
  FlowExploreStats s;
  if (replay_.size() == 0) return s;
  const int B = cfg_.batch_size;
  const int n = cfg_.updates > 0 ? cfg_.updates : std::max(1, rollout / B);
  std::vector<float> min_q;
  for (int k = 0; k < n; ++k) {
    replay_.sample(B, rng, batch_);
    // critics: a' = the transported policy sample at s' (box coordinates, clipped)
    policy_sample(agent, batch_.next_obs, rng, n0_);
    velocity.integrate(batch_.next_obs, n0_, cfg_.flow_steps, cfg_.velocity_clip, a_next_);
    a_next_ = a_next_.cwiseMax(-1.f).cwiseMin(1.f);
    const qflex::TdStats td =
        critic.td_grad(batch_.obs, batch_.act, batch_.reward.data(), batch_.terminated.data(),
                       batch_.next_obs, a_next_, gamma_, true);
    opt_q1_.step(critic.q[0].params(), critic.q[0].grads(), cfg_.lr);
    opt_q2_.step(critic.q[1].params(), critic.q[1].grads(), cfg_.lr);
    s.critic_loss += td.loss / n;
    s.q_mean += td.q_mean / n;
    // velocity field: policy samples n0 at s carried to n1 by truncated ascent on min Q(s, .)
    policy_sample(agent, batch_.obs, rng, n0_);
    critic.fix_states(batch_.obs);  // the N ascent steps pay for s once
    const qflex::ActionGradFn grad = [&](const nn::Matrix& a, nn::Matrix& g) {
      critic.min_q_action_grad_fixed(a, min_q, g);
    };
    qflex::ascend(grad, n0_, cfg_.ascent_steps, cfg_.ascent_eta, n1_);
    s.flow_loss += velocity.flow_matching_grad(batch_.obs, n0_, n1_, rng, false) / n;
    opt_v_.step(velocity.net.params(), velocity.net.grads(), cfg_.lr);
    s.ascent_shift += ((n1_ - n0_).rowwise().norm()).mean() / n;
    ++s.updates;
  }
  // how far the flow now moves policy samples (box coordinates)
  policy_sample(agent, batch_.obs, rng, n0_);
  velocity.integrate(batch_.obs, n0_, cfg_.flow_steps, cfg_.velocity_clip, n1_);
  s.transport_shift = ((n1_ - n0_).rowwise().norm()).mean();
  return s;
}

void FlowExplorer::save(std::ostream& os) const {
  write_magic(os, "SNWFLOWX", 1);
  critic.save(os);
  velocity.save(os);
  opt_q1_.save(os);
  opt_q2_.save(os);
  opt_v_.save(os);
  write_pod(os, static_cast<std::uint8_t>(cfg_.checkpoint_replay ? 1 : 0));
  if (cfg_.checkpoint_replay) replay_.save(os);
}

FlowExplorer FlowExplorer::load(std::istream& is, const std::string& what,
                                const FlowExploreConfig& cfg, std::vector<float> lo,
                                std::vector<float> hi, float gamma) {
  read_magic(is, "SNWFLOWX", 1, what);
  FlowExplorer f;
  f.cfg_ = cfg;
  f.critic = qflex::TwinCritic::load(is, what + " (flow critic)");
  f.velocity = qflex::VelocityField::load(is, what + " (velocity field)");
  f.opt_q1_ = nn::Adam::load(is, what + " (flow critic optimiser)");
  f.opt_q2_ = nn::Adam::load(is, what + " (flow critic optimiser)");
  f.opt_v_ = nn::Adam::load(is, what + " (velocity optimiser)");
  f.obs_dim_ = f.critic.obs_dim();
  f.act_dim_ = f.critic.act_dim();
  if (read_pod<std::uint8_t>(is, what, "flow replay flag") != 0)
    f.replay_ = qflex::ReplayBuffer::load(is, what + " (flow replay)");
  else
    f.replay_ = qflex::ReplayBuffer(static_cast<long>(cfg.buffer_size), f.obs_dim_, f.act_dim_);
  f.gamma_ = gamma;
  f.lo_ = std::move(lo);
  f.hi_ = std::move(hi);
  if (static_cast<int>(f.lo_.size()) != f.act_dim_ || f.velocity.act_dim() != f.act_dim_)
    throw std::runtime_error(what + ": flow exploration state does not fit the task's actions");
  return f;
}

}  // namespace sinew::rl
