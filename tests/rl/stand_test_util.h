// SPDX-License-Identifier: Apache-2.0
// Shared by the locomotion_stand tests: each world's root speed read from its current
// observation.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "rl/env/env.h"

namespace sinew::rl::test {

// qvel / 10 follows the nq - 2 position entries of the observation; the root slides are the first
// three dofs and the speed is rotation-invariant over them.
inline std::vector<double> root_speeds(const Env& env, int nq) {
  const int O = env.spec().obs_dim;
  std::vector<double> out;
  for (int w = 0; w < env.num_envs(); ++w) {
    const float* v = env.obs().data() + static_cast<std::size_t>(w) * O + (nq - 2);
    out.push_back(10.0 *
                  std::sqrt(double(v[0]) * v[0] + double(v[1]) * v[1] + double(v[2]) * v[2]));
  }
  return out;
}

}  // namespace sinew::rl::test
