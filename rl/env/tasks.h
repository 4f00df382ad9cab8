// SPDX-License-Identifier: Apache-2.0
// Factories of the built-in tasks (rl/env/*_env.cpp); make_env() in rl/env/catalog.cpp
// dispatches on the task name. Each reads its parameters from `params` (ConfigReader::finish()
// is called by make_env afterwards, so unknown keys are reported).
#pragma once

#include <cstdint>
#include <memory>

#include "rl/config_reader.h"
#include "rl/env/env.h"

namespace sinew::rl {

std::unique_ptr<Env> make_pendulum_env(ConfigReader& params, int n, std::uint64_t seed);
std::unique_ptr<Env> make_arm26_reach_env(ConfigReader& params, int n, std::uint64_t seed);
std::unique_ptr<Env> make_stand_env(ConfigReader& params, int n, std::uint64_t seed);

}  // namespace sinew::rl
