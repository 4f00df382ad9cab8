// SPDX-License-Identifier: Apache-2.0
// ctest-labels: learning
// End-to-end learning check of the off-policy Qflex learner: it swings the pendulum up within
// 20k samples (8 worlds, one update per sample, 2k random warm-up samples; about 2 minutes on
// 2 cores). Smaller networks (2x64) and batch (128) than the published 3x256 / 256, and N = 10
// ascent steps of eta 2e-2 (the same path length as the published 20 x 1e-2), to fit the time;
// the source policy has the auto-tuned entropy bonus (without it the source collapses and the
// pendulum is spun at full torque: docs/qflex.md). 100 deterministic evaluation episodes must
// beat a return of -400 with 80 % ending upright, while zero torque on the same episodes stays
// below -800.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>

#include "rl/ppo/evaluate.h"
#include "rl/qflex/qflex_trainer.h"

using namespace sinew::rl;
using namespace sinew::rl::qflex;
using nlohmann::json;

TEST_CASE("Qflex learns the pendulum swing-up") {
  const TrainConfig base = parse_train_config({{"task", "pendulum"},
                                               {"num_envs", 8},
                                               {"total_samples", 20000},
                                               {"seed", 1},
                                               {"threads", 2}},
                                              "learning_qflex");
  const QflexConfig cfg = parse_qflex_config({{"critic_hidden", {64, 64}},
                                              {"policy_hidden", {64, 64}},
                                              {"velocity_hidden", {64, 64}},
                                              {"batch_size", 128},
                                              {"warmup_samples", 2000},
                                              {"updates_per_step", 8},
                                              {"ascent_steps", 10},
                                              {"ascent_eta", 0.02},
                                              {"entropy_coef", 1.0},
                                              {"auto_entropy", true},
                                              {"iteration_samples", 2000}},
                                             "learning_qflex/qflex");
  const auto t0 = std::chrono::steady_clock::now();
  QflexTrainer trainer(base, cfg);
  std::ostringstream curve;
  QflexStats st;
  while (!trainer.done()) {
    st = trainer.iterate();
    curve << "\n  samples " << st.samples << "  updates " << st.updates << "  return "
          << st.return_mean << "  success " << st.success_rate << "  critic loss " << st.critic_loss
          << "  flow loss " << st.flow_loss << "  ascent shift " << st.ascent_shift << "  alpha "
          << st.alpha;
  }
  const double train_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("learning curve (mean return of the last 100 training episodes):" << curve.str());
  CHECK(st.flagged == 0);

  auto env = make_env("pendulum", json::object(), 100, 12345);
  auto base_env = make_env("pendulum", json::object(), 100, 12345);
  const EvalSummary learned = evaluate(*env, trainer.deterministic_policy());
  const EvalSummary zero = evaluate(*base_env, constant_policy(1, 0.f));
  MESSAGE("trained " << trainer.samples() << " samples, " << st.updates << " updates in " << train_s
                     << " s; evaluation over 100 episodes: return " << learned.return_mean
                     << ", success " << learned.success_rate << ", final |theta| "
                     << learned.score_mean << " rad; zero torque: return " << zero.return_mean
                     << ", success " << zero.success_rate);
  CHECK(trainer.samples() <= 50000);
  CHECK(zero.return_mean < -800);
  CHECK(learned.return_mean > -400);
  CHECK(learned.success_rate >= 0.8);
}
