// SPDX-License-Identifier: Apache-2.0
// ctest-labels: fast
// rl/ppo/flow_explore.h (PPO + value-guided flow exploration, option (i)): the transport maps
// into the action box and starts near the identity; a flow-matching update moves the executed
// actions toward the critic's ascent targets; the config is parsed with errors naming the key;
// a PPO + flow run is reproducible, its checkpoint carries the flow state and resumes.
#include "rl/ppo/flow_explore.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>

#include "rl/ppo/ppo_trainer.h"
#include "rl/ppo/train_config.h"

using namespace sinew;
using namespace sinew::rl;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

TrainConfig flow_config(std::uint64_t seed = 4) {
  const json doc = {{"task", "pendulum"},
                    {"num_envs", 4},
                    {"total_samples", 1000},
                    {"seed", seed},
                    {"threads", 1},
                    {"agent", {{"policy_hidden", {16}}, {"value_hidden", {16}}}},
                    {"ppo",
                     {{"rollout_steps", 16},
                      {"minibatches", 2},
                      {"epochs", 2},
                      {"flow",
                       {{"enabled", true},
                        {"critic_hidden", {16, 16}},
                        {"velocity_hidden", {16, 16}},
                        {"ascent_steps", 3},
                        {"flow_steps", 4},
                        {"batch_size", 32}}}}}};
  return parse_train_config(doc, "flow");
}

}  // namespace

TEST_CASE("flow transport: inside the action box, near the identity before training") {
  FlowExploreConfig c;
  c.critic_hidden = {16};
  c.velocity_hidden = {16};
  c.flow_steps = 5;
  FlowExplorer f(3, 2, {0.f, -2.f}, {1.f, 2.f}, c, 0.99f, 7);
  nn::Matrix x = nn::Matrix::Random(5, 3), a(5, 2), e;
  a << 0.5f, 0.f, -0.3f, 1.f, 1.7f, -3.f, 0.9f, 1.9f, 0.1f, -1.9f;
  f.transport(x, a, e);
  REQUIRE(e.rows() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(e(i, 0) >= 0.f);
    CHECK(e(i, 0) <= 1.f);
    CHECK(e(i, 1) >= -2.f);
    CHECK(e(i, 1) <= 2.f);
    // an untrained velocity field moves little: the executed action is about the clipped one
    CHECK(std::abs(e(i, 0) - std::clamp(a(i, 0), 0.f, 1.f)) < 0.25f);
    CHECK(std::abs(e(i, 1) - std::clamp(a(i, 1), -2.f, 2.f)) < 0.5f);
  }
  CHECK_THROWS_AS(FlowExplorer(3, 2, {0.f}, {1.f}, c, 0.99f, 7), std::invalid_argument);
  CHECK_THROWS_AS(FlowExplorer(3, 2, {0.f, 1.f}, {1.f, 1.f}, c, 0.99f, 7), std::invalid_argument);
}

TEST_CASE("flow config: defaults off, values, unknown keys named") {
  const FlowExploreConfig d = parse_flow_explore_config(json(), "ppo/flow");
  CHECK_FALSE(d.enabled);
  CHECK(d.ascent_steps == 20);
  CHECK(d.flow_steps == 20);
  CHECK(d.ascent_eta == doctest::Approx(1e-2f));
  const FlowExploreConfig c =
      parse_flow_explore_config(json{{"enabled", true}, {"ascent_steps", 5}}, "ppo/flow");
  CHECK(c.enabled);
  CHECK(c.ascent_steps == 5);
  CHECK(parse_flow_explore_config(to_json(c), "again").ascent_steps == 5);
  try {
    parse_flow_explore_config(json{{"ascent_stepz", 5}}, "ppo/flow");
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("ascent_stepz") != std::string::npos);
  }
}

TEST_CASE("PPO + flow: reproducible, the flow learns, checkpoints carry it and resume") {
  PpoTrainer a(flow_config()), b(flow_config());
  IterationStats sa, sb;
  for (int i = 0; i < 3; ++i) {
    sa = a.iterate();
    sb = b.iterate();
  }
  CHECK(sa.flow.updates == 2);  // 64 samples per iteration / batch 32
  CHECK(std::isfinite(sa.flow.critic_loss));
  CHECK(std::isfinite(sa.flow.flow_loss));
  CHECK(sa.flow.ascent_shift > 0);  // the critic's gradient moves the samples
  CHECK(sa.flow.flow_loss == sb.flow.flow_loss);
  CHECK(a.flow_state() == b.flow_state());
  CHECK(sa.loss.total == sb.loss.total);

  const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
  const fs::path dir = fs::temp_directory_path() / ("sinew_flow_test_" + std::to_string(stamp));
  fs::create_directories(dir);
  const std::string path = (dir / "flow.ckpt").string();
  a.save_checkpoint(path);
  const Checkpoint c = read_checkpoint(path);
  CHECK(c.flow_state == a.flow_state());
  PpoTrainer resumed(flow_config());
  resumed.load_checkpoint(path);
  CHECK(resumed.flow_state() == a.flow_state());
  const IterationStats r = resumed.iterate();
  CHECK(r.iteration == 4);
  CHECK(r.flow.updates == 2);
  std::error_code ec;
  fs::remove_all(dir, ec);
}
