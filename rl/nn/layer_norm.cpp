// SPDX-License-Identifier: Apache-2.0
// Rows are independent in the forward pass and for dL/dx; the parameter gradients are sums over
// rows and are split over features instead, so every sum has one fixed order.
#include "rl/nn/layer_norm.h"

#include <cmath>

#include "rl/nn/parallel.h"

namespace sinew::nn {

void layer_norm_forward(const Matrix& x, const float* g, const float* beta, Matrix& x_hat,
                        Matrix& inv_std, Matrix& z) {
  const int rows = static_cast<int>(x.rows()), n = static_cast<int>(x.cols());
  x_hat.resize(rows, n);
  inv_std.resize(rows, 1);
  z.resize(rows, n);
  detail::parallel_ranges(rows, 8.0 * rows * n, [&](int begin, int end) {
    for (int r = begin; r < end; ++r) {
      const float* xr = x.data() + static_cast<std::ptrdiff_t>(r) * n;
      float* hr = x_hat.data() + static_cast<std::ptrdiff_t>(r) * n;
      float* zr = z.data() + static_cast<std::ptrdiff_t>(r) * n;
      float mean = 0;
      for (int j = 0; j < n; ++j) mean += xr[j];
      mean /= static_cast<float>(n);
      float var = 0;
      for (int j = 0; j < n; ++j) var += (xr[j] - mean) * (xr[j] - mean);
      var /= static_cast<float>(n);
      const float is = 1.0f / std::sqrt(var + kLayerNormEps);
      inv_std(r, 0) = is;
      for (int j = 0; j < n; ++j) {
        hr[j] = (xr[j] - mean) * is;
        zr[j] = g[j] * hr[j] + beta[j];
      }
    }
  });
}

void layer_norm_backward(const Matrix& dz, const Matrix& x_hat, const Matrix& inv_std,
                         const float* g, float* dg, float* dbeta, Matrix& dx) {
  const int rows = static_cast<int>(dz.rows()), n = static_cast<int>(dz.cols());
  // parameter gradients first (dx may overwrite dz), split over features
  detail::parallel_ranges(n, 2.0 * rows * n, [&](int begin, int end) {
    for (int r = 0; r < rows; ++r) {
      const float* dr = dz.data() + static_cast<std::ptrdiff_t>(r) * n;
      const float* hr = x_hat.data() + static_cast<std::ptrdiff_t>(r) * n;
      for (int j = begin; j < end; ++j) {
        dg[j] += dr[j] * hr[j];
        dbeta[j] += dr[j];
      }
    }
  });
  dx.resize(rows, n);
  detail::parallel_ranges(rows, 8.0 * rows * n, [&](int begin, int end) {
    for (int r = begin; r < end; ++r) {
      const float* dr = dz.data() + static_cast<std::ptrdiff_t>(r) * n;
      const float* hr = x_hat.data() + static_cast<std::ptrdiff_t>(r) * n;
      float* xr = dx.data() + static_cast<std::ptrdiff_t>(r) * n;
      float sum = 0, sum_h = 0;  // sums of dxh and dxh * x_hat over the row
      for (int j = 0; j < n; ++j) {
        const float d = g[j] * dr[j];
        sum += d;
        sum_h += d * hr[j];
      }
      const float inv_n = 1.0f / static_cast<float>(n), is = inv_std(r, 0);
      const float mean = sum * inv_n, mean_h = sum_h * inv_n;
      for (int j = 0; j < n; ++j)
        xr[j] = layer_norm_input_grad(is, g[j] * dr[j], hr[j], mean, mean_h);
    }
  });
}

}  // namespace sinew::nn
