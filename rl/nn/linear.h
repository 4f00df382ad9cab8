// SPDX-License-Identifier: Apache-2.0
// Fully connected layer y = x W^T + b on row-major batches (CPU reference path), and the
// element-wise activation passes. W is [out][in] row-major inside a flat parameter buffer.
#pragma once

#include "rl/nn/activation.h"
#include "rl/nn/matrix.h"

namespace sinew::nn {

// y[batch][out] = x[batch][in] W^T + b, with W = w[out][in] and b = b[out]. y is resized.
void linear_forward(const Matrix& x, const float* w, const float* b, int out, Matrix& y);

// Backward of linear_forward for dL/dy = dy[batch][out]: ACCUMULATES dw[out][in] += dy^T x and
// db[out] += column sums of dy; when dx is non-null writes dL/dx = dy W ([batch][in]).
// dx must not alias x or dy.
void linear_backward(const Matrix& x, const Matrix& dy, const float* w, float* dw, float* db,
                     Matrix* dx);

// y = f(z) element-wise (y is resized; y may be z).
void activation_forward(Activation a, const Matrix& z, Matrix& y);

// dz = dy * f'(z) element-wise, with y = f(z) from the forward pass (dz may be dy).
void activation_backward(Activation a, const Matrix& z, const Matrix& y, const Matrix& dy,
                         Matrix& dz);

}  // namespace sinew::nn
