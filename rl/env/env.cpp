// SPDX-License-Identifier: Apache-2.0
#include "rl/env/env.h"

#include <algorithm>
#include <stdexcept>

namespace sinew::rl {

Env::Env(int num_envs, std::uint64_t seed) : n_(num_envs), seed_(seed) {
  if (num_envs < 1) throw std::invalid_argument("environment: num_envs must be >= 1");
  rng_.reserve(n_);
  for (int w = 0; w < n_; ++w) rng_.emplace_back(seed, static_cast<std::uint64_t>(w));
}

void Env::init_buffers() {
  const std::size_t n = static_cast<std::size_t>(n_), o = spec_.obs_dim, a = spec_.act_dim;
  if (spec_.act_low.size() != a || spec_.act_high.size() != a)
    throw std::logic_error("environment " + spec_.name + ": action bounds do not match act_dim");
  obs_.assign(n * o, 0.f);
  final_obs_.assign(n * o, 0.f);
  clipped_.assign(n * a, 0.f);
  reward_.assign(n, 0.f);
  terminated_.assign(n, 0);
  truncated_.assign(n, 0);
  frozen_.assign(n, 0);
  flagged_.assign(n, 0);
  ended_.assign(n, 0);
  t_.assign(n, 0);
  ret_.assign(n, 0.0);
  ended_result_.assign(n, EpisodeResult{});
}

void Env::reset(const std::vector<std::uint8_t>& mask) {
  if (!mask.empty() && static_cast<int>(mask.size()) != n_)
    throw std::invalid_argument("environment reset: mask has " + std::to_string(mask.size()) +
                                " entries, expected " + std::to_string(n_));
  auto body = [&](int b, int e) {
    for (int w = b; w < e; ++w) {
      if (!mask.empty() && !mask[w]) continue;
      reset_world(w, rng_[w]);
      t_[w] = 0;
      ret_[w] = 0;
      frozen_[w] = 0;
      observe_world(w, obs_.data() + static_cast<std::size_t>(w) * spec_.obs_dim);
    }
  };
  if (pool_)
    pool_->parallel_for(n_, body);
  else
    body(0, n_);
}

void Env::step_world(int w, const float* action, float* clipped) {
  const int na = spec_.act_dim, no = spec_.obs_dim;
  float* obs = obs_.data() + static_cast<std::size_t>(w) * no;
  ended_[w] = 0;
  if (frozen_[w]) {  // evaluation mode: an ended episode stays ended
    reward_[w] = 0;
    return;
  }
  for (int j = 0; j < na; ++j) {
    const float a = action[j];
    // NaN actions act as the lower bound (std::clamp would pass them through)
    clipped[j] = a >= spec_.act_low[j] ? std::min(a, spec_.act_high[j]) : spec_.act_low[j];
  }
  const bool ok = act_world(w, clipped, rng_[w]);
  flagged_[w] = !ok;
  const float r = ok ? reward_world(w, clipped) : 0.f;
  reward_[w] = r;
  ret_[w] += r;
  ++t_[w];
  const bool term = !ok || terminated_world(w);
  const bool trunc = !term && t_[w] >= spec_.max_episode_steps;
  terminated_[w] = term;
  truncated_[w] = trunc;
  if (!term && !trunc) {
    observe_world(w, obs);
    return;
  }
  float* fin = final_obs_.data() + static_cast<std::size_t>(w) * no;
  observe_world(w, fin);
  EpisodeResult& er = ended_result_[w];
  er.world = w;
  er.ret = ret_[w];
  er.length = t_[w];
  er.score = score_world(w);
  er.success = ok && success_world(w);
  er.truncated = trunc;
  ended_[w] = 1;
  if (auto_reset_) {
    reset_world(w, rng_[w]);
    t_[w] = 0;
    ret_[w] = 0;
    observe_world(w, obs);
  } else {
    frozen_[w] = 1;
    std::copy(fin, fin + no, obs);
  }
}

void Env::step(const float* actions) {
  const int na = spec_.act_dim;
  auto body = [&](int b, int e) {
    for (int w = b; w < e; ++w)
      step_world(w, actions + static_cast<std::size_t>(w) * na,
                 clipped_.data() + static_cast<std::size_t>(w) * na);
  };
  if (pool_)
    pool_->parallel_for(n_, body);
  else
    body(0, n_);
  for (int w = 0; w < n_; ++w) {
    if (ended_[w]) finished_.push_back(ended_result_[w]);
    flagged_total_ += flagged_[w];
  }
}

std::vector<EpisodeResult> Env::take_finished() {
  std::vector<EpisodeResult> out;
  out.swap(finished_);
  return out;
}

}  // namespace sinew::rl
