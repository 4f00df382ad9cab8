// SPDX-License-Identifier: Apache-2.0
// Cost of one step of Qflex's action ascent (min of the twin critics and dQ/da for a batch of
// 128 states) with the full pass over [s | a] and with the states' first-layer contribution cached
// once per batch (TwinCritic::fix_states, the path the learners use), on the issue-6 ablation's
// sizes: arm26 with k fibres per muscle (|A| = 6k; observation 11 + 2 |A|, rl/env/arm26_env.cpp).
// Run: ./build/release/qflex_ascent_bench  (results in docs/qflex.md)
#include <benchmark/benchmark.h>

#include "rl/qflex/critic.h"
#include "tests/nn/nn_test_util.h"

using namespace sinew::rl::qflex;
using sinew::nn::Matrix;

namespace {

constexpr int kBatch = 128;

void run(benchmark::State& state, bool fixed) {
  const int obs = static_cast<int>(state.range(0)), act = static_cast<int>(state.range(1));
  BrnMlpConfig c;
  c.hidden = {64, 64};  // rl/configs/arm26_reach_qflex.json
  TwinCritic critic(obs, act, c, 1);
  const Matrix s = sinew::nn::test::random_matrix(kBatch, obs, 2);
  const Matrix a = sinew::nn::test::random_matrix(kBatch, act, 3);
  std::vector<float> min_q;
  Matrix grad;
  if (fixed) critic.fix_states(s);
  for (auto _ : state) {
    if (fixed)
      critic.min_q_action_grad_fixed(a, min_q, grad);
    else
      critic.min_q_action_grad(s, a, min_q, grad);
    benchmark::DoNotOptimize(grad.data());
  }
  state.counters["obs"] = obs;
  state.counters["actions"] = act;
}

void BM_ascent_step_full(benchmark::State& s) { run(s, false); }
void BM_ascent_step_fixed_states(benchmark::State& s) { run(s, true); }
void BM_fix_states(benchmark::State& state) {
  BrnMlpConfig c;
  c.hidden = {64, 64};
  TwinCritic critic(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), c, 1);
  const Matrix s = sinew::nn::test::random_matrix(kBatch, critic.obs_dim(), 2);
  for (auto _ : state) critic.fix_states(s);
}

// (observation, actions) of arm26_reach at k = 1, 8, 33, 117 fibres per muscle
void sizes(benchmark::internal::Benchmark* b) {
  for (auto oa : {std::pair{23, 6}, {107, 48}, {407, 198}, {1415, 702}})
    b->Args({oa.first, oa.second});
  b->ArgNames({"obs", "act"})->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK(BM_ascent_step_full)->Apply(sizes);
BENCHMARK(BM_ascent_step_fixed_states)->Apply(sizes);
BENCHMARK(BM_fix_states)->Apply(sizes);
BENCHMARK_MAIN();
