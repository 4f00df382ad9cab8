// SPDX-License-Identifier: Apache-2.0
// Evaluation: one episode per world, without auto-reset, until every world's episode has ended;
// the per-episode results and their means. The policy is a callback so the same loop evaluates
// a trained agent (deterministic: the Gaussian's mean), a constant baseline or anything else.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "rl/env/env.h"
#include "rl/ppo/agent.h"
#include "rl/ppo/flow_explore.h"

namespace sinew::rl {

struct EvalSummary {
  std::vector<EpisodeResult> episodes;  // world order
  double score_mean = 0, score_std = 0, success_rate = 0, return_mean = 0, length_mean = 0;
};

// policy(obs [N][obs_dim], actions [N][act_dim]) for the env's N worlds.
using PolicyFn = std::function<void(const std::vector<float>& obs, std::vector<float>& actions)>;

// Called after the reset (step 0) and after every env.step (step t >= 1), e.g. to record a world.
using StepHook = std::function<void(int step)>;

EvalSummary evaluate(Env& env, const PolicyFn& policy, const StepHook& on_step = {});

// The deterministic policy of an agent (normaliser statistics frozen); with `flow` (PPO + flow
// exploration) the mean action is transported by the flow before it acts.
// clipped_mean: act with E[clip(a, lo, hi)] under the Gaussian instead of clip(mean) — for an
// env that clips, the average action the stochastic policy executes (act_low/act_high required).
PolicyFn deterministic_policy(Agent& agent, FlowExplorer* flow = nullptr,
                              const std::vector<float>* act_low = nullptr,
                              const std::vector<float>* act_high = nullptr);
// The stochastic policy of an agent, as in training: a = mean + sigma * eps with one random
// stream per world (`nworld` streams from `seed`), through the flow when given. A diagnostic of
// how far the deterministic policy is from the one that was trained.
PolicyFn stochastic_policy(Agent& agent, int nworld, std::uint64_t seed,
                           FlowExplorer* flow = nullptr);
// E[clip(X, lo, hi)] for X ~ N(mu, sigma^2) (closed form with the normal cdf and pdf).
double clipped_gaussian_mean(double mu, double sigma, double lo, double hi);
// Every action at `value`, clipped by the env to its bounds (0 = zero excitation for muscles).
PolicyFn constant_policy(int act_dim, float value);

}  // namespace sinew::rl
