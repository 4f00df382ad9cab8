// SPDX-License-Identifier: Apache-2.0
// Generalized advantage estimation (Schulman et al. 2016, eq. 16) over a [T][N] rollout, with
// termination and truncation kept apart (as in Brax's PPO losses): a terminated step has no
// future (its successor value is 0), a truncated step bootstraps from the value of the final
// observation of its episode, and neither lets the advantage of the next episode flow back.
#pragma once

#include <cstdint>

namespace sinew::rl {

// Inputs, all [T][N] row-major (time-major):
//   reward[t][n], value[t][n] = V(s_t), next_value[t][n] = V(s_{t+1}) of the same episode
//   (for a truncated step: V of its final observation; ignored for a terminated step),
//   terminated[t][n], truncated[t][n].
// Outputs [T][N]: advantage A_t = delta_t + gamma lambda (1 - done_t) A_{t+1} with
//   delta_t = r_t + gamma (1 - terminated_t) next_value_t - V(s_t), and ret = A + V.
void compute_gae(int T, int N, const float* reward, const float* value, const float* next_value,
                 const std::uint8_t* terminated, const std::uint8_t* truncated, float gamma,
                 float lambda, float* advantage, float* ret);

}  // namespace sinew::rl
