// SPDX-License-Identifier: Apache-2.0
// ctest-labels: learning
// End-to-end learning check: PPO swings the pendulum up. 300k samples (32 worlds x 128 steps per
// iteration), then 100 deterministic evaluation episodes must beat a return of -400 with 80 %
// ending upright, while the zero-torque baseline on the same episodes stays below -800.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>

#include "rl/ppo/evaluate.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/ppo/train_config.h"

using namespace sinew::rl;
using nlohmann::json;

TEST_CASE("PPO learns the pendulum swing-up") {
  const json doc = {
      {"task", "pendulum"},
      {"num_envs", 32},
      {"total_samples", 300000},
      {"seed", 1},
      {"agent", {{"policy_hidden", {64, 64}}, {"value_hidden", {64, 64}}, {"init_log_std", 0.0}}},
      {"ppo",
       {{"rollout_steps", 128},
        {"epochs", 10},
        {"minibatches", 8},
        {"lr", 1e-3},
        {"gamma", 0.95},
        {"lambda", 0.95}}}};
  const TrainConfig cfg = parse_train_config(doc, "learning_pendulum");
  const auto t0 = std::chrono::steady_clock::now();
  PpoTrainer trainer(cfg);
  std::ostringstream curve;
  IterationStats st;
  while (!trainer.done()) {
    st = trainer.iterate();
    if (st.iteration % 10 == 0 || trainer.done())
      curve << "\n  iter " << st.iteration << "  samples " << st.samples << "  return "
            << st.return_mean << "  success " << st.success_rate << "  log_std " << st.log_std_mean
            << "  value_r2 " << st.value_r2;
  }
  const double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("learning curve (mean return of the last 100 training episodes):" << curve.str());
  CHECK(st.flagged == 0);

  // 100 fresh episodes; the baseline gets the same start states (same seed)
  auto env = make_env("pendulum", json::object(), 100, 12345);
  auto base_env = make_env("pendulum", json::object(), 100, 12345);
  const EvalSummary learned = evaluate(*env, deterministic_policy(trainer.agent()));
  const EvalSummary zero = evaluate(*base_env, constant_policy(1, 0.f));
  const double total_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("trained " << trainer.samples() << " samples in " << trainer.iteration()
                     << " iterations, " << train_s << " s (" << total_s
                     << " s with evaluation); evaluation over 100 episodes: return "
                     << learned.return_mean << ", success " << learned.success_rate
                     << ", final |theta| " << learned.score_mean << " rad; zero torque: return "
                     << zero.return_mean << ", success " << zero.success_rate);
  CHECK(learned.episodes.size() == 100);
  CHECK(zero.return_mean < -800);
  CHECK(learned.return_mean > -400);
  CHECK(learned.success_rate >= 0.8);
}
