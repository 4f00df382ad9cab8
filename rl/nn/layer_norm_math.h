// SPDX-License-Identifier: Apache-2.0
// LayerNorm's epsilon and its per-element input gradient, shared by the CPU path
// (layer_norm.cpp) and the CUDA path (cuda/nn_kernels.cu).
#pragma once

#include "engine/core/hd.h"

namespace sinew::nn {

constexpr float kLayerNormEps = 1e-5f;  // added to the row variance

// dL/dx_j = inv_std * (dxh_j - mean(dxh) - x_hat_j * mean(dxh * x_hat)), dxh = g * dL/dz
// (docs/nn.md; Ba et al. 2016).
SINEW_HD SINEW_INLINE float layer_norm_input_grad(float inv_std, float dxh, float x_hat,
                                                  float mean_dxh, float mean_dxh_xhat) {
  return inv_std * (dxh - mean_dxh - x_hat * mean_dxh_xhat);
}

}  // namespace sinew::nn
