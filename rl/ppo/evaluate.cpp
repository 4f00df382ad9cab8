// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/evaluate.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

namespace sinew::rl {

EvalSummary evaluate(Env& env, const PolicyFn& policy, const StepHook& on_step) {
  const int N = env.num_envs(), A = env.spec().act_dim;
  env.set_auto_reset(false);
  env.reset();
  env.take_finished();
  if (on_step) on_step(0);
  std::vector<float> actions(static_cast<std::size_t>(N) * A, 0.f);
  EvalSummary s;
  s.episodes.resize(N);
  std::vector<char> have(N, 0);
  int left = N;
  // every episode ends by the time limit at the latest
  for (int t = 0; t < env.spec().max_episode_steps && left > 0; ++t) {
    policy(env.obs(), actions);
    env.step(actions.data());
    if (on_step) on_step(t + 1);
    for (const EpisodeResult& e : env.take_finished())
      if (!have[e.world]) {
        have[e.world] = 1;
        s.episodes[e.world] = e;
        --left;
      }
  }
  if (left > 0) throw std::logic_error("evaluation: some episodes did not end");
  for (const EpisodeResult& e : s.episodes) {
    s.score_mean += e.score / N;
    s.success_rate += (e.success ? 1.0 : 0.0) / N;
    s.return_mean += e.ret / N;
    s.length_mean += double(e.length) / N;
  }
  for (const EpisodeResult& e : s.episodes)
    s.score_std += (e.score - s.score_mean) * (e.score - s.score_mean);
  s.score_std = std::sqrt(s.score_std / N);
  return s;
}

double clipped_gaussian_mean(double mu, double sigma, double lo, double hi) {
  if (!(sigma > 0)) return std::min(std::max(mu, lo), hi);
  const double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
  const double Pa = 0.5 * std::erfc(-a / std::sqrt(2.0)), Pb = 0.5 * std::erfc(-b / std::sqrt(2.0));
  const double pa = std::exp(-0.5 * a * a) / std::sqrt(2 * M_PI),
               pb = std::exp(-0.5 * b * b) / std::sqrt(2 * M_PI);
  return lo * Pa + hi * (1 - Pb) + mu * (Pb - Pa) + sigma * (pa - pb);
}

namespace {

// The path of every policy built from an Agent: normalise -> policy mean -> `shape` (which may
// replace the mean in place: the clipped mean, a sample) -> flow transport (when given) -> actions.
template <typename Shape>
void agent_act(Agent& agent, FlowExplorer* flow, const std::vector<float>& obs,
               std::vector<float>& actions, Shape&& shape) {
  const int rows = static_cast<int>(obs.size() / agent.obs_dim());
  nn::Matrix x, a, exec;
  agent.normalize(obs.data(), rows, false, x);
  agent.mean_actions(x, a);
  shape(rows, a);
  if (flow) {
    flow->transport(x, a, exec);
    a = exec;
  }
  std::copy(a.data(), a.data() + a.size(), actions.begin());
}

}  // namespace

PolicyFn deterministic_policy(Agent& agent, FlowExplorer* flow, const std::vector<float>* act_low,
                              const std::vector<float>* act_high) {
  return [&agent, flow, act_low, act_high](const std::vector<float>& obs,
                                           std::vector<float>& actions) {
    agent_act(agent, flow, obs, actions, [&](int rows, nn::Matrix& mean) {
      if (!act_low || !act_high) return;
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < agent.act_dim(); ++j)
          mean(r, j) = static_cast<float>(clipped_gaussian_mean(
              mean(r, j), std::exp(agent.log_std[j]), (*act_low)[j], (*act_high)[j]));
    });
  };
}

PolicyFn stochastic_policy(Agent& agent, int nworld, std::uint64_t seed, FlowExplorer* flow) {
  auto rngs = std::make_shared<std::vector<Rng>>();
  for (int w = 0; w < nworld; ++w) rngs->emplace_back(seed, 0x5eed0000ull + w);
  return [&agent, flow, rngs](const std::vector<float>& obs, std::vector<float>& actions) {
    agent_act(agent, flow, obs, actions, [&](int rows, nn::Matrix& a) {
      if (rows != static_cast<int>(rngs->size()))
        throw std::invalid_argument("stochastic_policy: " + std::to_string(rows) +
                                    " observation rows for " + std::to_string(rngs->size()) +
                                    " random streams");
      nn::Matrix mean = a;
      agent.sample(mean, *rngs, a, nullptr);
    });
  };
}

PolicyFn constant_policy(int act_dim, float value) {
  return [act_dim, value](const std::vector<float>&, std::vector<float>& actions) {
    (void)act_dim;
    std::fill(actions.begin(), actions.end(), value);
  };
}

}  // namespace sinew::rl
