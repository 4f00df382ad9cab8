// SPDX-License-Identifier: Apache-2.0
// Layer normalization over the features of each row (Ba, Kiros & Hinton 2016, "Layer
// Normalization", eqs. 3-4): x_hat = (x - mean) / sqrt(var + eps), z = g * x_hat + beta, with the
// biased variance of the row.
#pragma once

#include "rl/nn/layer_norm_math.h"
#include "rl/nn/matrix.h"

namespace sinew::nn {

// x[batch][n] -> z[batch][n]; also writes x_hat[batch][n] and inv_std[batch][1] = 1/sqrt(var+eps)
// for the backward pass. z may be x (in place); x_hat must be a separate matrix.
void layer_norm_forward(const Matrix& x, const float* g, const float* beta, Matrix& x_hat,
                        Matrix& inv_std, Matrix& z);

// Backward for dL/dz = dz: ACCUMULATES dg[n] += sum_rows dz * x_hat and dbeta[n] += sum_rows dz,
// and writes dL/dx = inv_std * (dxh - mean(dxh) - x_hat * mean(dxh * x_hat)), dxh = g * dz
// (docs/nn.md). dx may be dz (in place).
void layer_norm_backward(const Matrix& dz, const Matrix& x_hat, const Matrix& inv_std,
                         const float* g, float* dg, float* dbeta, Matrix& dx);

}  // namespace sinew::nn
