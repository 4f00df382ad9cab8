// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// The trainers report their sample count to the environment before its first reset, at start and
// at resume: the first episode of every world already follows the push curriculum of
// locomotion_stand (before this, those episodes were pushed at the evaluation speed).
#include <doctest/doctest.h>

#include <filesystem>
#include <vector>

#include "rl/env/physics_env.h"
#include "rl/ppo/ppo_trainer.h"
#include "rl/qflex/qflex_trainer.h"
#include "tests/rl/stand_test_util.h"

using namespace sinew::rl;
using nlohmann::json;

namespace {

// Root speed of each world from its current observation, without resetting.
std::vector<double> current_speeds(Env& env) {
  const auto* pe = dynamic_cast<const PhysicsEnv*>(&env);
  REQUIRE(pe != nullptr);
  return test::root_speeds(env, pe->model().size.nq);
}

// Pushes ramp from 0.1 m/s over 1000 samples: a fresh run's first episodes start at 0.1 m/s, a
// resumed run's at the speed of its sample count.
TrainConfig stand_config(const char* algo) {
  return parse_train_config(
      {{"task", "locomotion_stand"},
       {"algo", algo},
       {"num_envs", 3},
       {"total_samples", 300},
       {"seed", 2},
       {"threads", 1},
       {"agent", {{"policy_hidden", {8}}, {"value_hidden", {8}}}},
       {"ppo", {{"rollout_steps", 4}, {"minibatches", 1}, {"epochs", 1}}},
       {"qflex",
        {{"critic_hidden", {8}},
         {"policy_hidden", {8}},
         {"velocity_hidden", {8}},
         {"batch_size", 4},
         {"warmup_samples", 3},
         {"ascent_steps", 1},
         {"flow_steps", 1},
         {"iteration_samples", 6}}},
       {"env", {{"root_speed_start", 0.1}, {"root_speed_ramp_samples", 1000}}}},
      "stand_config");
}

void check_speeds(Env& env, double want) {
  for (double s : current_speeds(env)) CHECK(s == doctest::Approx(want).epsilon(1e-4));
}

}  // namespace

TEST_CASE("PPO trainer: the first episodes follow the push curriculum, at start and resume") {
  const TrainConfig cfg = stand_config("ppo");
  PpoTrainer t(cfg);
  check_speeds(t.env(), 0.1);
  t.iterate();
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_curriculum_start_ppo.ckpt").string();
  t.save_checkpoint(path);
  PpoTrainer r(cfg);
  r.load_checkpoint(path);
  REQUIRE(t.samples() > 0);
  check_speeds(r.env(), 0.1 + 0.4 * double(t.samples()) / 1000);
  std::filesystem::remove(path);
}

TEST_CASE("Qflex trainer: the first episodes follow the push curriculum, at start and resume") {
  const TrainConfig base = stand_config("qflex");
  const qflex::QflexConfig q = qflex::parse_qflex_config(base.qflex, "stand_config/qflex");
  qflex::QflexTrainer t(base, q);
  check_speeds(t.env(), 0.1);
  t.iterate();
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_curriculum_start_qflex.ckpt").string();
  t.save_checkpoint(path);
  qflex::QflexTrainer r(base, q);
  r.load_checkpoint(path);
  REQUIRE(r.samples() > 0);
  check_speeds(r.env(), 0.1 + 0.4 * double(r.samples()) / 1000);
  std::filesystem::remove(path);
}
