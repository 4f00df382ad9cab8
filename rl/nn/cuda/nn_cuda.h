// SPDX-License-Identifier: Apache-2.0
// CUDA path of rl/nn: the same operations as linear.h, layer_norm.h and Adam::step on device
// memory (row-major, one sample per row), written as hand-tiled kernels in nn_kernels.cu.
// Host-only header (no CUDA includes); compiled only with SINEW_CUDA. All pointers are device
// pointers; launches go to `stream` (nullptr: the default stream) and are asynchronous; errors
// throw std::runtime_error. Results are deterministic: every output has one thread summing in a
// fixed order.
#pragma once

#include <cstddef>
#include <vector>

#include "rl/nn/activation.h"
#include "rl/nn/adam_update.h"

struct CUstream_st;

namespace sinew::nn::cuda {

using Stream = CUstream_st*;  // = cudaStream_t

// A device array of floats (RAII); copies are explicit.
class DeviceArray {
 public:
  DeviceArray() = default;
  explicit DeviceArray(std::size_t n);
  explicit DeviceArray(const std::vector<float>& host) : DeviceArray(host.size()) { upload(host); }
  ~DeviceArray();
  DeviceArray(DeviceArray&& o) noexcept;
  DeviceArray& operator=(DeviceArray&& o) noexcept;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  float* data() { return p_; }
  const float* data() const { return p_; }
  std::size_t size() const { return n_; }
  void upload(const float* host, std::size_t n);  // n <= size(); synchronous
  void upload(const std::vector<float>& host) { upload(host.data(), host.size()); }
  std::vector<float> download() const;  // synchronous
  void zero();

 private:
  float* p_ = nullptr;
  std::size_t n_ = 0;
};

// y[batch][out] = x[batch][in] W^T + b (W = w[out][in]).
void linear_forward(const float* x, const float* w, const float* b, float* y, int batch, int in,
                    int out, Stream stream = nullptr);

// ACCUMULATES dw[out][in] += dy^T x and db[out] += column sums of dy; writes dx = dy W when dx
// is non-null.
void linear_backward(const float* x, const float* dy, const float* w, float* dw, float* db,
                     float* dx, int batch, int in, int out, Stream stream = nullptr);

// y = f(z) and dz = dy * f'(z) over n elements (y may be z, dz may be dy).
void activation_forward(Activation a, const float* z, float* y, std::size_t n,
                        Stream stream = nullptr);
void activation_backward(Activation a, const float* z, const float* y, const float* dy, float* dz,
                         std::size_t n, Stream stream = nullptr);

// LayerNorm over the n features of each of `rows` rows (layer_norm.h): writes x_hat, inv_std
// ([rows]) and z (z may be x).
void layer_norm_forward(const float* x, const float* g, const float* beta, float* x_hat,
                        float* inv_std, float* z, int rows, int n, Stream stream = nullptr);
// ACCUMULATES dg, dbeta; writes dx (dx may be dz).
void layer_norm_backward(const float* dz, const float* x_hat, const float* inv_std, const float* g,
                         float* dg, float* dbeta, float* dx, int rows, int n,
                         Stream stream = nullptr);

// One AdamW update of n parameters with moments m, v (adam_update.h; s from adam_scalars()).
void adam_step(float* params, const float* grads, float* m, float* v, std::size_t n,
               const AdamScalars& s, Stream stream = nullptr);

// Waits for `stream` and throws on any pending CUDA error.
void synchronize(Stream stream = nullptr);

}  // namespace sinew::nn::cuda
