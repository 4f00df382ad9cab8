// SPDX-License-Identifier: Apache-2.0
#include "rl/ppo/gae.h"

#include <cstddef>

namespace sinew::rl {

void compute_gae(int T, int N, const float* reward, const float* value, const float* next_value,
                 const std::uint8_t* terminated, const std::uint8_t* truncated, float gamma,
                 float lambda, float* advantage, float* ret) {
  for (int n = 0; n < N; ++n) {
    double next_adv = 0;  // A_{t+1}; 0 beyond the rollout (the bootstrap is in next_value)
    for (int t = T - 1; t >= 0; --t) {
      const std::size_t i = static_cast<std::size_t>(t) * N + n;
      const bool term = terminated[i] != 0, done = term || truncated[i] != 0;
      const double delta =
          double(reward[i]) + (term ? 0.0 : double(gamma) * next_value[i]) - double(value[i]);
      const double adv = delta + (done ? 0.0 : double(gamma) * lambda * next_adv);
      advantage[i] = static_cast<float>(adv);
      ret[i] = static_cast<float>(adv + value[i]);
      next_adv = adv;
    }
  }
}

}  // namespace sinew::rl
