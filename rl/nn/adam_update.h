// SPDX-License-Identifier: Apache-2.0
// The per-parameter AdamW update shared by the CPU (optim.cpp) and CUDA (cuda/nn_kernels.cu)
// paths. With bias corrections folded in (Kingma & Ba 2015, Sec. 2, last paragraph):
//   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
//   p = p (1 - lr wd) - lr (m c1) / (sqrt(v) c2 + eps),  c1 = 1/(1 - b1^t), c2 = 1/sqrt(1 - b2^t)
// (decoupled weight decay: Loshchilov & Hutter 2019, Algorithm 2, with the decay scaled by lr).
#pragma once

#include "engine/core/hd.h"

namespace sinew::nn {

// Scalars of one Adam step t (>= 1), computed on the host (rl/nn/optim.h: adam_scalars).
struct AdamScalars {
  float beta1, beta2, eps;
  float c1, c2;  // bias corrections 1/(1 - beta1^t), 1/sqrt(1 - beta2^t)
  float decay;   // 1 - lr * weight_decay
  float lr;
};

SINEW_HD SINEW_INLINE void adam_update(float& p, float g, float& m, float& v,
                                       const AdamScalars& s) {
  m = s.beta1 * m + (1.0f - s.beta1) * g;
  v = s.beta2 * v + (1.0f - s.beta2) * g * g;
  p = p * s.decay - s.lr * (m * s.c1) / (s_sqrt(v) * s.c2 + s.eps);
}

}  // namespace sinew::nn
