// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast learning
// The PPO trainer's reward-model hook with the tracking task's adversarial reward: the
// discriminator trains after each rollout, is saved in the checkpoint (section SNWRWDM) and
// restored by load_checkpoint; the exp reward writes no such section.
#include <doctest/doctest.h>

#include <filesystem>

#include "rl/ppo/ppo_trainer.h"
#include "rl/track/track_env.h"

using namespace sinew;

namespace {

rl::TrainConfig config(const char* reward) {
  nlohmann::json j = {{"task", "track"},
                      {"env",
                       {{"episode_steps", 20},
                        {"reward", reward},
                        {"discriminator", {{"hidden", {16, 16}}, {"batch", 16}, {"steps", 2}}}}},
                      {"num_envs", 2},
                      {"total_samples", 16},
                      {"threads", 1},
                      {"eval_episodes", 0},
                      {"agent", {{"policy_hidden", {16}}, {"value_hidden", {16}}}},
                      {"ppo", {{"rollout_steps", 4}, {"epochs", 1}, {"minibatches", 1}}}};
  return rl::parse_train_config(j, "test");
}

}  // namespace

TEST_CASE("adversarial reward model: trained per iteration, kept in the checkpoint") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "sinew_track_trainer_test.bin").string();
  rl::PpoTrainer tr(config("adversarial"));
  const rl::IterationStats st = tr.iterate();
  REQUIRE(!st.reward_model.empty());
  auto& te = dynamic_cast<track::TrackEnv&>(tr.env());
  CHECK(te.discriminator().norm_count() == 8);  // 4 steps x 2 worlds
  tr.save_checkpoint(path);
  const rl::Checkpoint ck = rl::read_checkpoint(path);
  CHECK(!ck.reward_model_state.empty());
  rl::PpoTrainer other(config("adversarial"));
  other.load_checkpoint(path);
  auto& te2 = dynamic_cast<track::TrackEnv&>(other.env());
  CHECK(te2.discriminator().params() == te.discriminator().params());
  CHECK(te2.discriminator().mean_abs() == te.discriminator().mean_abs());

  rl::PpoTrainer plain(config("exp"));
  const rl::IterationStats ps = plain.iterate();
  CHECK(ps.reward_model.empty());
  plain.save_checkpoint(path);
  CHECK(rl::read_checkpoint(path).reward_model_state.empty());
  std::filesystem::remove(path);
}
