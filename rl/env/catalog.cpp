// SPDX-License-Identifier: Apache-2.0
#include <stdexcept>

#include "rl/env/env.h"
#include "rl/env/tasks.h"
#include "rl/track/track_env.h"

namespace sinew::rl {

std::vector<std::pair<std::string, std::string>> env_catalog() {
  return {{"pendulum", "torque-driven pendulum swing-up (1 actuator, 200 x 0.05 s)"},
          {"arm26_reach", "arm26: 6 muscles move the hand to a random target (50 x 0.02 s)"},
          {"locomotion_stand",
           "MS-Human-700-Locomotion: 100 muscles keep the body upright for 5 s (250 x 0.02 s)"},
          {"track", "muscles track a reference motion (default: walking gait, Locomotion)"}};
}

std::unique_ptr<Env> make_env(const std::string& task, const nlohmann::json& params, int num_envs,
                              std::uint64_t seed) {
  ConfigReader r(params, "env.params");
  std::unique_ptr<Env> env;
  if (task == "pendulum")
    env = make_pendulum_env(r, num_envs, seed);
  else if (task == "arm26_reach")
    env = make_arm26_reach_env(r, num_envs, seed);
  else if (task == "locomotion_stand")
    env = make_stand_env(r, num_envs, seed);
  else if (task == "track")
    env = track::make_track_env(r, num_envs, seed);
  else {
    std::string names;
    for (const auto& [name, what] : env_catalog()) names += (names.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown task '" + task + "' (known: " + names + ")");
  }
  r.finish();
  return env;
}

}  // namespace sinew::rl
