// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/evaluate.h"

#include <cmath>
#include <stdexcept>

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

PolicyFn deterministic_policy(Agent& agent, FlowExplorer* flow) {
  return [&agent, flow](const std::vector<float>& obs, std::vector<float>& actions) {
    const int rows = static_cast<int>(obs.size() / agent.obs_dim());
    nn::Matrix x, mean, exec;
    agent.normalize(obs.data(), rows, false, x);
    agent.mean_actions(x, mean);
    if (flow) {
      flow->transport(x, mean, exec);
      mean = exec;
    }
    std::copy(mean.data(), mean.data() + mean.size(), actions.begin());
  };
}

PolicyFn constant_policy(int act_dim, float value) {
  return [act_dim, value](const std::vector<float>&, std::vector<float>& actions) {
    (void)act_dim;
    std::fill(actions.begin(), actions.end(), value);
  };
}

}  // namespace sinew::rl
